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
 *     extentfs_direct_read_iomap_ops   O_DIRECT reads      xfs_read_iomap_ops
 *     extentfs_direct_write_iomap_ops  O_DIRECT writes     xfs_direct_write_iomap_ops
 *     extentfs_buffered_read_iomap_ops    page cache reads  xfs_read_iomap_ops
 *     extentfs_buffered_write_iomap_ops   buffered writes,  xfs_buffered_write_iomap_ops
 *                                         zeroing, unshare
 *
 * The writeback side (->map_blocks) lives in aops.c, as in XFS.  All share
 * efs_bmbt_to_iomap() and the validity cookie (mapping_seq).
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
 *     direct read   like seek: extent or hole trimmed to the request, as
 *                   found (holes and UNWRITTEN read as zeroes in iomap);
 *     direct write  (xfs_direct_write_iomap_begin)
 *             written/unwritten extent -> trimmed to the request, nothing
 *                       allocated;
 *             shared written blocks of a reflinked file -> blocks staged in
 *                       the COW fork, MAPPED|SHARED, srcmap = the old blocks;
 *             hole   -> ONE new UNWRITTEN extent for the hole's part of the
 *                       request at efs_bmap_goal(), flags NEW (|DIRTY: the
 *                       inode now has uncommitted metadata); no speculative
 *                       preallocation;
 *             IOMAP_NOWAIT: -EAGAIN wherever it would allocate or block on
 *                       the ilock; IOMAP_OVERWRITE_ONLY: -EAGAIN unless the
 *                       range lies in one written extent, or one unwritten
 *                       extent with a block-aligned range.
 *
 *     buffered read  like direct read; a delayed allocation is reported as
 *                   DELALLOC, which iomap reads as zeroes (its data, if
 *                   any, is in the page cache);
 *     buffered write (xfs_buffered_write_iomap_begin)
 *             IOMAP_ZERO -> the zero ops above;
 *             written/unwritten/delalloc extent -> the whole extent, as
 *                       found; shared written blocks -> trimmed to the
 *                       shared run, MAPPED|SHARED (copy-on-write happens at
 *                       writeback, see aops.c; XFS reserves a delalloc COW
 *                       fork extent here instead);
 *             hole   -> a NEW delayed allocation for the hole's part of the
 *                       request (IOMAP_UNSHARE: the hole as it is), flags
 *                       NEW; no speculative preallocation beyond EOF;
 *             every mapping carries folio_ops whose ->iomap_valid compares
 *             the cookie with mapping_seq (stale after any map change).
 *
 * Every mapping but a zeroing hole carries IOMAP_F_DIRTY while the inode has
 * uncommitted metadata (xfs_bmbt_to_iomap: the inode is pinned in the log).
 *
 * An inline inode (inline.c, images made with -i inline=1) bypasses all of
 * the above: every op answers IOMAP_INLINE with `inline_data` = the inode's
 * buffer — [0, i_size) for lookups below EOF (a hole after it), [0,
 * capacity) for writes and zeroing — and the write ops' ->iomap_end copy
 * what was written into the next commit's copy (efs_inline_end_write).  A
 * write mapping past the capacity, a page fault or unshare on an inline
 * inode is refused with -EIO: file.c converts the file before any of those.
 *
 * Never: hold the ilock when returning (iomap calls back into the page cache
 * between mappings); allocate in any of these ops but the direct write ops
 * (fallocate allocates before it zeroes).
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

void efs_bmbt_to_iomap(struct efs_inode *ei, struct iomap *iomap, const struct efs_irec *rec,
		       uint16_t mapping_flags, uint64_t seq)
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

/*
 * An inline inode (inline.c) answers every lookup but a write's with its
 * IOMAP_INLINE mapping of [0, i_size), or a hole past EOF (the writes use
 * efs_inline_write_begin).  Returns true if @ei is inline and @iomap was
 * filled.  @pre ilock held (shared is enough).
 */
static bool efs_inline_lookup(struct efs_inode *ei, loff_t pos, uint64_t end_fsb,
			      struct iomap *iomap)
{
	struct extentfs *fs = EFS_FS(ei);

	if (!efs_inode_is_inline(ei))
		return false;
	efs_inline_to_iomap(ei, pos, end_fsb << fs->blkbits, false, iomap);
	return true;
}

/*
 * The write mapping of an inline inode, for the buffered and the direct
 * write ->iomap_begin.  It must lie inside the capacity: every path that
 * writes further converts the file first (file.c calls efs_inline_unstuff),
 * and so do page faults and unshare, which would dirty the folio instead
 * of copying into the inode; anything else asking is -EIO.
 * @pre ilock held; efs_inode_is_inline(@ei).
 */
static int efs_inline_write_begin(struct efs_inode *ei, loff_t pos, loff_t length, unsigned flags,
				  struct iomap *iomap)
{
	struct extentfs *fs = EFS_FS(ei);

	if (flags & (IOMAP_FAULT | IOMAP_UNSHARE))
		return -EIO;
	if ((uint64_t)pos + (uint64_t)length > efs_fs_inline_capacity(fs))
		return -EIO;
	efs_inline_to_iomap(ei, pos, (uint64_t)efs_iomap_end_fsb(fs, pos, length) << fs->blkbits,
			    true, iomap);
	return 0;
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
	if (efs_inline_lookup(ei, pos, end_fsb, iomap)) {
		up_read(&ei->ilock);
		return 0;
	}
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
	if (efs_inline_lookup(ei, pos, end_fsb, iomap)) {
		up_read(&ei->ilock);
		return 0;
	}
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
	/*
	 * Zero ops have no ->iomap_end that could persist a write into the
	 * inode's buffer, so an inline file gets the read-only lookup.  It is
	 * only ever zeroed past EOF (efs_zero_eof), where that lookup is a
	 * hole and the buffer's bytes are zero already (10); a truncate
	 * inside the capacity zeroes the buffer itself (efs_inline_setsize).
	 */
	if (efs_inline_lookup(ei, pos, end_fsb, iomap)) {
		up_read(&ei->ilock);
		return 0;
	}
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

/*
 * Mirrors xfs_read_iomap_begin for IOMAP_DIRECT reads: the data fork as it
 * is.  No shared trimming (a read does not care who else maps a block).
 */
static int efs_direct_read_iomap_begin(struct inode *inode, loff_t pos, loff_t length,
				       unsigned flags, struct iomap *iomap, struct iomap *srcmap)
{
	struct efs_inode *ei = EFS_I(inode);
	struct extentfs *fs = EFS_FS(ei);
	uint64_t off_fsb = (uint64_t)pos >> fs->blkbits;
	uint64_t end_fsb = efs_iomap_end_fsb(fs, pos, length);
	struct efs_irec rec;
	uint64_t seq;

	(void)srcmap;
	if (efs_is_shutdown(fs))
		return -EIO;
	if (pos < 0 || length <= 0 || off_fsb >= end_fsb)
		return -EINVAL;
	/* xfs_ilock_for_iomap: a NOWAIT request must not sleep on the ilock. */
	if (flags & IOMAP_NOWAIT) {
		if (!down_read_trylock(&ei->ilock))
			return -EAGAIN;
	} else {
		down_read(&ei->ilock);
	}
	if (efs_inline_lookup(ei, pos, end_fsb, iomap)) {
		up_read(&ei->ilock);
		return 0;
	}
	efs_bmapi_read(ei, off_fsb, end_fsb, &rec);
	seq = ei->mapping_seq;
	up_read(&ei->ilock);
	efs_bmbt_to_iomap(ei, iomap, &rec, 0, seq);
	return 0;
}

/*
 * Shared written blocks at the start of @rec?  Trims @rec to the shared (or
 * unshared) run, like efs_reflink_trim_around_shared(), but for a caller
 * that already holds the commit lock (inside a transaction).
 */
static bool efs_trim_shared_locked(struct efs_inode *ei, struct efs_irec *rec)
{
	struct extentfs *fs = EFS_FS(ei);
	uint64_t fbno, flen;

	if (!(ei->diflags & EFS_DIFLAG_REFLINK) || !efs_irec_is_written(rec))
		return false;
	if (!efs_refcount_find_shared(&fs->refc, rec->dblock, rec->len, &fbno, &flen))
		return false;
	if (fbno == rec->dblock) {
		rec->len = flen;
		return true;
	}
	rec->len = fbno - rec->dblock;
	return false;
}

/* xfs_direct_write_iomap_begin's IOMAP_OVERWRITE_ONLY test: may @rec be overwritten as is? */
static bool efs_pure_overwrite(const struct extentfs *fs, const struct efs_irec *rec,
			       uint64_t end_fsb, loff_t pos, loff_t length)
{
	uint64_t mask = fs->blocksize - 1;

	if (!efs_irec_is_real(rec) || rec->fblock + rec->len < end_fsb)
		return false;
	/* Unwritten needs sub-block zeroing unless the range is block aligned. */
	if (rec->state == EFS_EXT_UNWRITTEN && (((uint64_t)pos | (uint64_t)length) & mask))
		return false;
	return true;
}

/*
 * Mirrors xfs_direct_write_iomap_begin (+ xfs_iomap_write_direct and
 * xfs_reflink_allocate_cow).  A first look under the ilock shared serves
 * overwrites; allocation and copy-on-write need a transaction (ilock EXCL
 * + commit lock), after which the mapping is read again, since it may have
 * changed while no lock was held.
 */
static int efs_direct_write_iomap_begin(struct inode *inode, loff_t pos, loff_t length,
					unsigned flags, struct iomap *iomap, struct iomap *srcmap)
{
	struct efs_inode *ei = EFS_I(inode);
	struct extentfs *fs = EFS_FS(ei);
	uint64_t off_fsb = (uint64_t)pos >> fs->blkbits;
	uint64_t end_fsb = efs_iomap_end_fsb(fs, pos, length);
	struct efs_irec rec, cmap;
	bool shared = false;
	uint64_t seq;
	int ret;

	if (efs_is_shutdown(fs))
		return -EIO;
	if (pos < 0 || length <= 0 || off_fsb >= end_fsb)
		return -EINVAL;

	if (flags & IOMAP_NOWAIT) {
		if (!down_read_trylock(&ei->ilock))
			return -EAGAIN;
	} else {
		down_read(&ei->ilock);
	}
	if (efs_inode_is_inline(ei)) {
		/*
		 * iomap_dio_inline_iter copies into the buffer, which only the
		 * exclusive writer of efs_file_dio_write_inline may do (it
		 * never asks for IOMAP_OVERWRITE_ONLY).  That write waits for
		 * itself (IOMAP_DIO_FORCE_WAIT), which a NOWAIT caller asked
		 * not to do: -EAGAIN.
		 */
		ret = (flags & IOMAP_NOWAIT) ? -EAGAIN
					     : efs_inline_write_begin(ei, pos, length, flags, iomap);
		up_read(&ei->ilock);
		return ret;
	}
	efs_bmapi_read(ei, off_fsb, end_fsb, &rec);
	if (efs_irec_is_written(&rec))
		efs_reflink_trim_around_shared(ei, &rec, &shared);
	if (efs_irec_is_real(&rec) && !shared) {
		/* Overwrite of written or unwritten space: nothing to allocate. */
		if ((flags & IOMAP_OVERWRITE_ONLY) &&
		    !efs_pure_overwrite(fs, &rec, end_fsb, pos, length)) {
			up_read(&ei->ilock);
			return -EAGAIN;
		}
		seq = ei->mapping_seq;
		up_read(&ei->ilock);
		efs_bmbt_to_iomap(ei, iomap, &rec, 0, seq);
		return 0;
	}
	up_read(&ei->ilock);
	/* A hole or shared blocks: either means allocating, which may block. */
	if (flags & (IOMAP_NOWAIT | IOMAP_OVERWRITE_ONLY))
		return -EAGAIN;

	ret = efs_trans_begin(ei);
	if (ret)
		return ret;
	efs_bmapi_read(ei, off_fsb, end_fsb, &rec);
	shared = efs_trim_shared_locked(ei, &rec);
	if (shared) {
		/* Copy-on-write: new blocks for the data, the old as the source. */
		ret = efs_reflink_allocate_cow(ei, off_fsb, rec.len, &cmap);
		if (ret)
			goto out_cancel;
		rec.len = cmap.len;
		seq = ei->mapping_seq;
		efs_trans_end(ei);
		efs_bmbt_to_iomap(ei, srcmap, &rec, 0, seq);
		efs_bmbt_to_iomap(ei, iomap, &cmap, IOMAP_F_SHARED, seq);
		return 0;
	}
	if (efs_irec_is_real(&rec)) {
		/* Someone allocated it meanwhile (another direct write). */
		seq = ei->mapping_seq;
		efs_trans_end(ei);
		efs_bmbt_to_iomap(ei, iomap, &rec, 0, seq);
		return 0;
	}
	/*
	 * xfs_iomap_write_direct: the hole's part of the request, as one
	 * UNWRITTEN extent, converted by ->end_io once the data is on the
	 * device — a crash before that leaves it reading as zeroes, never as
	 * whatever the blocks held before.
	 */
	ret = efs_bmap_alloc_one(ei, off_fsb, rec.len, EFS_EXT_UNWRITTEN, &rec);
	if (ret)
		goto out_cancel;
	seq = ei->mapping_seq;
	efs_trans_end(ei);
	efs_bmbt_to_iomap(ei, iomap, &rec, IOMAP_F_NEW, seq);
	return 0;

out_cancel:
	efs_trans_end(ei);
	return ret;
}

/*
 * XFS has no ->iomap_end for direct writes; extentfs needs one for the
 * copy-on-write staging of a mapping that was not (wholly) submitted, say
 * because the caller's memory faulted: nothing will write those staged
 * blocks and no ->end_io will cover them, so they are freed here.
 *
 * A NEW unwritten extent that was not wholly written is left as it is: it
 * reads as zeroes, is within the blocks the request asked for, and a later
 * write or truncate takes care of it, exactly as in XFS.
 */
static int efs_direct_write_iomap_end(struct inode *inode, loff_t pos, loff_t length,
				      ssize_t written, unsigned flags, struct iomap *iomap)
{
	struct efs_inode *ei = EFS_I(inode);
	struct extentfs *fs = EFS_FS(ei);
	uint64_t mask = fs->blocksize - 1;
	uint64_t from, end;

	(void)flags;
	/* Inline data: the bytes are in idata; make them the next commit's. */
	if (iomap->type == IOMAP_INLINE)
		return written > 0 ? efs_inline_end_write(ei) : 0;
	if (!(iomap->flags & IOMAP_F_SHARED) || written >= length)
		return 0;
	from = ((uint64_t)pos + (uint64_t)(written > 0 ? written : 0) + mask) >> fs->blkbits;
	end = ((uint64_t)iomap->offset + iomap->length) >> fs->blkbits;
	if (from >= end || efs_trans_begin(ei))
		return 0;
	efs_reflink_cancel_cow(ei, from, end - from);
	efs_trans_end(ei);
	return 0;
}

/*
 * ------------------------------------------------------------ buffered I/O
 */

/*
 * Mirrors xfs_iomap_valid: the mapping was looked up under the ilock and
 * used after dropping it; if the extent map changed since (writeback
 * converted it, a punch removed it, a test bumped the counter), the folio
 * just locked may be covered by something else: look it up again.
 */
static bool efs_iomap_valid(struct inode *inode, const struct iomap *iomap)
{
	struct efs_inode *ei = EFS_I(inode);

	return iomap->validity_cookie == __atomic_load_n(&ei->mapping_seq, __ATOMIC_ACQUIRE);
}

static const struct iomap_folio_ops efs_iomap_folio_ops = {
	.iomap_valid = efs_iomap_valid,
};

void (*extentfs_test_write_begin_hook)(struct inode *inode, const struct iomap *iomap);

/*
 * Mirrors xfs_buffered_write_iomap_begin.  Looks first under the ilock
 * shared; a reservation (a hole, or shared blocks needing copy-on-write)
 * needs the transaction, after which the maps are read again (they may
 * have changed while no lock was held).
 *
 * On a reflinked inode the COW fork wins where it has an extent: the write
 * goes to the staging, with the data fork extent as srcmap (the data a
 * partial block write or unshare reads).  Shared written data without
 * staging gets a cowextsize-aligned delayed allocation in the COW fork
 * (efs_reflink_reserve_cow).  A hole gets a data fork delayed allocation
 * for the hole's part of the request (trace 02: one block per 4 KiB
 * write), stopping at the next COW fork extent.
 */
static int efs_buffered_write_iomap_begin(struct inode *inode, loff_t pos, loff_t length,
					  unsigned flags, struct iomap *iomap,
					  struct iomap *srcmap)
{
	struct efs_inode *ei = EFS_I(inode);
	struct extentfs *fs = EFS_FS(ei);
	uint64_t off_fsb = (uint64_t)pos >> fs->blkbits;
	uint64_t end_fsb = efs_iomap_end_fsb(fs, pos, length);
	struct efs_irec imap, cmap, rec;
	bool shared = false, locked = false, have_imap;
	uint16_t iomap_flags = 0;
	uint64_t seq, next;
	size_t i, ci = 0;
	int ret;

	/* Zeroing never allocates: the IOMAP_ZERO branch has its own ops. */
	if (flags & IOMAP_ZERO) {
		ret = efs_zero_iomap_begin(inode, pos, length, flags, iomap, srcmap);
		if (!ret)
			iomap->folio_ops = &efs_iomap_folio_ops;
		return ret;
	}
	if (efs_is_shutdown(fs))
		return -EIO;
	if (pos < 0 || length <= 0 || off_fsb >= end_fsb)
		return -EINVAL;
	if (flags & IOMAP_NOWAIT) {
		if (!down_read_trylock(&ei->ilock))
			return -EAGAIN;
	} else {
		down_read(&ei->ilock);
	}
	if (efs_inode_is_inline(ei)) {
		ret = efs_inline_write_begin(ei, pos, length, flags, iomap);
		up_read(&ei->ilock);
		if (ret)
			return ret;
		goto out;
	}
again:
	have_imap = efs_iext_lookup(&ei->df, off_fsb, &i);
	if (have_imap)
		imap = ei->df.v[i];
	next = have_imap ? 0 : (i < ei->df.nr ? ei->df.v[i].fblock : end_fsb);
	/* "We never need to allocate blocks for ... unsharing a hole." */
	if (!have_imap && (flags & IOMAP_UNSHARE)) {
		seq = ei->mapping_seq;
		if (locked)
			efs_trans_end(ei);
		else
			up_read(&ei->ilock);
		efs_hole_to_iomap(ei, iomap, off_fsb, next < end_fsb ? next : end_fsb, seq);
		iomap->folio_ops = &efs_iomap_folio_ops;
		return 0;
	}
	/* Staging already there (reservation or blocks): the write goes to it. */
	if (ei->cf.nr && efs_iext_lookup(&ei->cf, off_fsb, &ci)) {
		cmap = ei->cf.v[ci];
		goto found_cow;
	}
	if (have_imap) {
		if (!(ei->diflags & EFS_DIFLAG_REFLINK)) {
			rec = imap;
			goto found_imap;
		}
		/* Trim to the request, then to a wholly shared or unshared run. */
		efs_bmapi_read(ei, off_fsb, end_fsb, &imap);
		if (locked)
			shared = efs_trim_shared_locked(ei, &imap);
		else
			efs_reflink_trim_around_shared(ei, &imap, &shared);
		if (!shared) {
			rec = imap;
			goto found_imap;
		}
	}
	if (!locked) {
		up_read(&ei->ilock);
		if (flags & IOMAP_NOWAIT)
			return -EAGAIN; /* reserving takes the commit lock */
		ret = efs_trans_begin(ei);
		if (ret)
			return ret;
		locked = true;
		goto again;
	}
	/*
	 * "Flag newly allocated delalloc blocks with IOMAP_F_NEW so we punch
	 * them out if the write happens to fail."
	 */
	iomap_flags = IOMAP_F_NEW;
	if (have_imap) {
		/* Fork all the shared blocks from here to the end of the run. */
		ret = efs_reflink_reserve_cow(ei, off_fsb, imap.len, &cmap);
		if (ret)
			goto out_cancel;
		goto found_cow;
	}
	/*
	 * xfs_bmapi_reserve_delalloc for the hole's part of the request, and
	 * no more; never over COW fork staging, which a later block of the
	 * request may have.
	 */
	efs_bmapi_read(ei, off_fsb, end_fsb, &rec);
	if (ei->cf.nr && ci < ei->cf.nr && ei->cf.v[ci].fblock < rec.fblock + rec.len)
		rec.len = ei->cf.v[ci].fblock - rec.fblock;
	ret = efs_bmap_reserve_delalloc(ei, EFS_DATA_FORK, off_fsb, rec.len);
	if (ret)
		goto out_cancel;
	rec.dblock = EFS_DELAYSTARTBLOCK;
	rec.state = EFS_EXT_NORM;
found_imap:
	seq = ei->mapping_seq;
	if (locked)
		efs_trans_end(ei);
	else
		up_read(&ei->ilock);
	efs_bmbt_to_iomap(ei, iomap, &rec, iomap_flags, seq);
	goto out;

found_cow:
	seq = ei->mapping_seq;
	if (!have_imap) {
		/* Nothing to read below the staging: trim it at the next extent. */
		if (cmap.fblock + cmap.len > next)
			cmap.len = next - cmap.fblock;
		if (cmap.fblock < off_fsb) {
			if (efs_irec_is_real(&cmap))
				cmap.dblock += off_fsb - cmap.fblock;
			cmap.len -= off_fsb - cmap.fblock;
			cmap.fblock = off_fsb;
		}
	}
	if (locked)
		efs_trans_end(ei);
	else
		up_read(&ei->ilock);
	/* iomap_file_unshare copies only SHARED mappings with a MAPPED source. */
	if (have_imap)
		efs_bmbt_to_iomap(ei, srcmap, &imap, 0, seq);
	efs_bmbt_to_iomap(ei, iomap, &cmap, iomap_flags | IOMAP_F_SHARED, seq);
out:
	iomap->folio_ops = &efs_iomap_folio_ops;
	/* Tests change the map here, between the lookup and the folio lock. */
	if (extentfs_test_write_begin_hook)
		extentfs_test_write_begin_hook(inode, iomap);
	return 0;

out_cancel:
	efs_trans_end(ei);
	return ret;
}

/*
 * Mirrors xfs_buffered_write_delalloc_punch: give back the delayed
 * allocation of a range the short write left without dirty data.
 * @pre invalidate_lock held (iomap_file_buffered_write_punch_delalloc).
 */
static void efs_buffered_write_delalloc_punch(struct inode *inode, loff_t offset, loff_t length,
					      struct iomap *iomap)
{
	struct efs_inode *ei = EFS_I(inode);
	struct extentfs *fs = EFS_FS(ei);
	uint64_t mask = fs->blocksize - 1;
	uint64_t first = (uint64_t)offset >> fs->blkbits;
	uint64_t end = ((uint64_t)offset + (uint64_t)length + mask) >> fs->blkbits;

	if (end <= first || efs_trans_begin(ei))
		return;
	/* A COW reservation is punched in the COW fork (xfs 6.12 on). */
	efs_bmap_punch_delalloc(ei, (iomap->flags & IOMAP_F_SHARED) ? EFS_COW_FORK : EFS_DATA_FORK,
				first, end - first);
	efs_trans_end(ei);
}

/*
 * Mirrors xfs_buffered_write_iomap_end: a write that did not fill the
 * delayed allocation it just made (the caller's memory faulted) must not
 * leave promises nothing will ever write back.
 */
static int efs_buffered_write_iomap_end(struct inode *inode, loff_t pos, loff_t length,
					ssize_t written, unsigned flags, struct iomap *iomap)
{
	/* iomap_write_end_inline copied into idata; persist it (design.rst). */
	if (iomap->type == IOMAP_INLINE)
		return written > 0 ? efs_inline_end_write(EFS_I(inode)) : 0;
	if (iomap->type != IOMAP_DELALLOC || !(iomap->flags & IOMAP_F_NEW))
		return 0;
	if (written >= length)
		return 0;
	iomap_file_buffered_write_punch_delalloc(inode, pos, length, written, flags, iomap,
						 efs_buffered_write_delalloc_punch);
	return 0;
}

const struct iomap_ops extentfs_buffered_write_iomap_ops = {
	.iomap_begin = efs_buffered_write_iomap_begin,
	.iomap_end = efs_buffered_write_iomap_end,
	.name = "extentfs_buffered_write_iomap_ops",
};

/* xfs_read_iomap_ops serve page cache reads too: the same lookup. */
const struct iomap_ops extentfs_buffered_read_iomap_ops = {
	.iomap_begin = efs_direct_read_iomap_begin,
	.name = "extentfs_buffered_read_iomap_ops",
};

const struct iomap_ops extentfs_direct_read_iomap_ops = {
	.iomap_begin = efs_direct_read_iomap_begin,
	.name = "extentfs_direct_read_iomap_ops",
};

const struct iomap_ops extentfs_direct_write_iomap_ops = {
	.iomap_begin = efs_direct_write_iomap_begin,
	.iomap_end = efs_direct_write_iomap_end,
	.name = "extentfs_direct_write_iomap_ops",
};

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
