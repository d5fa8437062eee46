/**
 * @file iomap.c
 * @brief extentfs's iomap_ops, one set per operation, as the porting guide
 *        advises (mirrors xfs_iomap.c).
 *
 *     extentfs_report_iomap_ops   FIEMAP, FIBMAP, swapon   xfs_read_iomap_ops
 *     extentfs_seek_iomap_ops     SEEK_DATA / SEEK_HOLE    xfs_seek_iomap_ops
 *     extentfs_zero_iomap_ops     iomap_zero_range         the IOMAP_ZERO branch of
 *                                                          xfs_buffered_write_iomap_ops
 *     extentfs_xattr_iomap_ops    FIEMAP_FLAG_XATTR        xfs_xattr_iomap_ops
 *
 * Later issues add the read, write, direct and dax ops next to these; they
 * will share efs_bmbt_to_iomap() and the validity cookie (mapping_seq).
 *
 * What each returns for the mapping at pos (end_fsb = the request's end
 * rounded up to a block, capped at s_maxbytes rounded up):
 *
 *     report  extent -> trimmed to [pos, end_fsb), MAPPED or UNWRITTEN; a
 *                       written extent of a reflinked inode is further
 *                       trimmed to a wholly shared or unshared run, and the
 *                       shared one carries IOMAP_F_SHARED;
 *             hole   -> up to the next extent, or to end_fsb (not clipped at
 *                       EOF: FIEMAP shows "hole ... 0x7fffffffffdf0000");
 *     seek    like report, but never SHARED and no shared trimming;
 *     zero    extent -> as found, untrimmed (XFS returns the data fork
 *                       extent; the iterator uses what covers pos);
 *             hole   -> up to the next extent, or end_fsb if none; flags 0.
 *
 * Every mapping but a zeroing hole carries IOMAP_F_DIRTY while the inode has
 * uncommitted metadata (xfs_bmbt_to_iomap: the inode is pinned in the log).
 *
 * Never: hold the ilock when returning (iomap calls back into the page cache
 * between mappings); allocate in these ops (fallocate allocates before it
 * zeroes).
 *
 * Locking: ->iomap_begin takes the inode's ilock shared for the lookup, and
 * the commit lock briefly for reference counts; it runs under whatever the
 * caller holds (i_rwsem, invalidate_lock).
 */
#include "extentfs_priv.h"

/* Last file block + 1 a request may map (xfs_iomap_end_fsb). */
static uint64_t efs_iomap_end_fsb(const struct extentfs *fs, loff_t pos, loff_t length)
{
	uint64_t mask = fs->blocksize - 1;
	uint64_t end = (uint64_t)pos + (uint64_t)length;
	uint64_t max = (uint64_t)fs->sb.s_maxbytes;
	uint64_t end_fsb, max_fsb;

	if (end < (uint64_t)pos)
		end = UINT64_MAX;
	end_fsb = (end >> fs->blkbits) + ((end & mask) != 0);
	max_fsb = (max >> fs->blkbits) + ((max & mask) != 0);
	return end_fsb < max_fsb ? end_fsb : max_fsb;
}

/* Mirrors xfs_bmbt_to_iomap. */
static void efs_bmbt_to_iomap(struct efs_inode *ei, struct iomap *iomap,
			      const struct efs_irec *rec, uint16_t mapping_flags, uint64_t seq)
{
	struct extentfs *fs = EFS_FS(ei);

	iomap->offset = (loff_t)(rec->fblock << fs->blkbits);
	iomap->length = rec->len << fs->blkbits;
	if (rec->dblock == EFS_HOLESTARTBLOCK) {
		iomap->type = IOMAP_HOLE;
		iomap->addr = IOMAP_NULL_ADDR;
	} else if (rec->dblock == EFS_DELAYSTARTBLOCK) {
		iomap->type = IOMAP_DELALLOC;
		iomap->addr = IOMAP_NULL_ADDR;
	} else {
		iomap->type = rec->state == EFS_EXT_UNWRITTEN ? IOMAP_UNWRITTEN : IOMAP_MAPPED;
		iomap->addr = rec->dblock << fs->blkbits;
	}
	iomap->bdev = fs->sb.s_bdev;
	iomap->flags = mapping_flags;
	if (efs_inode_meta_dirty(ei))
		iomap->flags |= IOMAP_F_DIRTY;
	iomap->validity_cookie = seq;
}

/* Mirrors xfs_hole_to_iomap: a hole with no flags at all. */
static void efs_hole_to_iomap(struct efs_inode *ei, struct iomap *iomap, uint64_t fblock,
			      uint64_t end, uint64_t seq)
{
	struct extentfs *fs = EFS_FS(ei);

	iomap->offset = (loff_t)(fblock << fs->blkbits);
	iomap->length = (end - fblock) << fs->blkbits;
	iomap->type = IOMAP_HOLE;
	iomap->addr = IOMAP_NULL_ADDR;
	iomap->bdev = fs->sb.s_bdev;
	iomap->flags = 0;
	iomap->validity_cookie = seq;
}

/* Mirrors xfs_read_iomap_begin (IOMAP_REPORT: FIEMAP, FIBMAP, swapon). */
static int efs_read_iomap_begin(struct inode *inode, loff_t pos, loff_t length, unsigned flags,
				struct iomap *iomap, struct iomap *srcmap)
{
	struct efs_inode *ei = EFS_I(inode);
	struct extentfs *fs = EFS_FS(ei);
	uint64_t off_fsb = (uint64_t)pos >> fs->blkbits;
	uint64_t end_fsb = efs_iomap_end_fsb(fs, pos, length);
	struct efs_irec rec;
	bool shared = false;
	uint64_t seq;

	(void)srcmap;
	if (efs_is_shutdown(fs))
		return -EIO;
	if (pos < 0 || length <= 0 || off_fsb >= end_fsb)
		return -EINVAL;
	down_read(&ei->ilock);
	efs_bmapi_read(ei, off_fsb, end_fsb, &rec);
	if (flags & IOMAP_REPORT)
		efs_reflink_trim_around_shared(ei, &rec, &shared);
	seq = ei->mapping_seq;
	up_read(&ei->ilock);
	efs_bmbt_to_iomap(ei, iomap, &rec, shared ? IOMAP_F_SHARED : 0, seq);
	return 0;
}

/* Mirrors xfs_seek_iomap_begin (no COW fork yet: data extents or holes). */
static int efs_seek_iomap_begin(struct inode *inode, loff_t pos, loff_t length, unsigned flags,
				struct iomap *iomap, struct iomap *srcmap)
{
	struct efs_inode *ei = EFS_I(inode);
	struct extentfs *fs = EFS_FS(ei);
	uint64_t off_fsb = (uint64_t)pos >> fs->blkbits;
	uint64_t end_fsb = efs_iomap_end_fsb(fs, pos, length);
	struct efs_irec rec;
	uint64_t seq;

	(void)flags;
	(void)srcmap;
	if (efs_is_shutdown(fs))
		return -EIO;
	if (pos < 0 || length <= 0 || off_fsb >= end_fsb)
		return -EINVAL;
	down_read(&ei->ilock);
	efs_bmapi_read(ei, off_fsb, end_fsb, &rec);
	seq = ei->mapping_seq;
	up_read(&ei->ilock);
	efs_bmbt_to_iomap(ei, iomap, &rec, 0, seq);
	return 0;
}

/*
 * The IOMAP_ZERO branch of xfs_buffered_write_iomap_begin.  Nothing is
 * allocated: a hole is reported as a hole, an extent as found.
 */
static int efs_zero_iomap_begin(struct inode *inode, loff_t pos, loff_t length, unsigned flags,
				struct iomap *iomap, struct iomap *srcmap)
{
	struct efs_inode *ei = EFS_I(inode);
	struct extentfs *fs = EFS_FS(ei);
	uint64_t off_fsb = (uint64_t)pos >> fs->blkbits;
	uint64_t end_fsb = efs_iomap_end_fsb(fs, pos, length);
	struct efs_irec rec;
	bool shared = false;
	uint64_t seq;
	size_t i;

	(void)flags;
	(void)srcmap;
	if (efs_is_shutdown(fs))
		return -EIO;
	if (pos < 0 || length <= 0 || off_fsb >= end_fsb)
		return -EINVAL;
	down_read(&ei->ilock);
	seq = ei->mapping_seq;
	if (!efs_iext_lookup(&ei->df, off_fsb, &i)) {
		/* "We never need to allocate blocks for zeroing a hole." */
		uint64_t next = i < ei->df.nr ? ei->df.v[i].fblock : end_fsb;

		up_read(&ei->ilock);
		efs_hole_to_iomap(ei, iomap, off_fsb, next, seq);
		return 0;
	}
	rec = ei->df.v[i];
	if ((ei->diflags & EFS_DIFLAG_REFLINK) && efs_irec_is_written(&rec)) {
		/*
		 * Zeroing written data of a reflinked file must not write into
		 * shared blocks: trim to the request and to a shared run, which
		 * the COW fork issue turns into a delalloc COW reservation.
		 */
		efs_bmapi_read(ei, off_fsb, end_fsb, &rec);
		efs_reflink_trim_around_shared(ei, &rec, &shared);
	}
	up_read(&ei->ilock);
	efs_bmbt_to_iomap(ei, iomap, &rec, shared ? IOMAP_F_SHARED : 0, seq);
	return 0;
}

/* Mirrors xfs_xattr_iomap_begin on an inode without an attribute fork. */
static int efs_xattr_iomap_begin(struct inode *inode, loff_t pos, loff_t length,
				 unsigned flags, struct iomap *iomap, struct iomap *srcmap)
{
	(void)inode;
	(void)pos;
	(void)length;
	(void)flags;
	(void)iomap;
	(void)srcmap;
	return -ENOENT;
}

const struct iomap_ops extentfs_report_iomap_ops = {
	.iomap_begin = efs_read_iomap_begin,
	.name = "extentfs_report_iomap_ops",
};

const struct iomap_ops extentfs_seek_iomap_ops = {
	.iomap_begin = efs_seek_iomap_begin,
	.name = "extentfs_seek_iomap_ops",
};

const struct iomap_ops extentfs_zero_iomap_ops = {
	.iomap_begin = efs_zero_iomap_begin,
	.name = "extentfs_zero_iomap_ops",
};

const struct iomap_ops extentfs_xattr_iomap_ops = {
	.iomap_begin = efs_xattr_iomap_begin,
	.name = "extentfs_xattr_iomap_ops",
};
