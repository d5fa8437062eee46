/**
 * @file fiemap.c
 * @brief FS_IOC_FIEMAP and FIBMAP over the iterator (mirrors
 *        fs/iomap/fiemap.c, plus fiemap_prep / fiemap_fill_next_extent from
 *        fs/ioctl.c, which the VFS provides in the kernel).
 *
 * iomap_fiemap() walks the range with IOMAP_REPORT.  It reports each
 * non-hole mapping one step late: a mapping is held in `prev` until the next
 * one arrives, so that the very last extent can be flagged
 * FIEMAP_EXTENT_LAST when the walk ends.  Holes are never reported; xfs_io
 * derives them from the gaps.
 *
 * Type to FIEMAP flag (iomap_to_fiemap):
 *
 *     HOLE       (not reported)
 *     DELALLOC   DELALLOC | UNKNOWN
 *     MAPPED     (none)
 *     UNWRITTEN  UNWRITTEN
 *     INLINE     DATA_INLINE | NOT_ALIGNED
 *     + IOMAP_F_MERGED -> MERGED, IOMAP_F_SHARED -> SHARED
 *
 * @pre callers hold i_rwsem shared (operations.rst, "FS_IOC_FIEMAP").
 */
#include <iomap/iomap.h>

int fiemap_prep(struct inode *inode, struct fiemap_extent_info *fieinfo, uint64_t start,
		uint64_t *len, uint32_t supported_flags)
{
	uint64_t maxbytes = (uint64_t)inode->i_sb->s_maxbytes;
	uint32_t incompat;
	int ret = 0;

	if (*len == 0)
		return -EINVAL;
	if (start >= maxbytes)
		return -EFBIG;
	/* Shrink the request to what the filesystem can address. */
	if (*len > maxbytes || maxbytes - *len < start)
		*len = maxbytes - start;

	supported_flags |= FIEMAP_FLAG_SYNC;
	supported_flags &= FIEMAP_FLAGS_COMPAT;
	incompat = fieinfo->fi_flags & ~supported_flags;
	if (incompat) {
		/* The kernel hands the unsupported flags back to the caller. */
		fieinfo->fi_flags = incompat;
		return -EBADR;
	}
	if (fieinfo->fi_flags & FIEMAP_FLAG_SYNC)
		ret = filemap_write_and_wait_range(inode->i_mapping, 0, INT64_MAX);
	return ret;
}

int fiemap_fill_next_extent(struct fiemap_extent_info *fieinfo, uint64_t logical, uint64_t phys,
			    uint64_t len, uint32_t flags)
{
	struct fiemap_extent *dest;

	/* A caller that passes no array only wants the count. */
	if (fieinfo->fi_extents_max == 0) {
		fieinfo->fi_extents_mapped++;
		return (flags & FIEMAP_EXTENT_LAST) ? 1 : 0;
	}
	if (fieinfo->fi_extents_mapped >= fieinfo->fi_extents_max)
		return 1;

	if (flags & FIEMAP_EXTENT_DELALLOC)
		flags |= FIEMAP_EXTENT_UNKNOWN;
	if (flags & FIEMAP_EXTENT_DATA_ENCRYPTED)
		flags |= FIEMAP_EXTENT_ENCODED;
	if (flags & (FIEMAP_EXTENT_DATA_TAIL | FIEMAP_EXTENT_DATA_INLINE))
		flags |= FIEMAP_EXTENT_NOT_ALIGNED;

	dest = &fieinfo->fi_extents_start[fieinfo->fi_extents_mapped];
	*dest = (struct fiemap_extent){
		.fe_logical = logical,
		.fe_physical = phys,
		.fe_length = len,
		.fe_flags = flags,
	};
	fieinfo->fi_extents_mapped++;
	if (fieinfo->fi_extents_mapped == fieinfo->fi_extents_max)
		return 1;
	return (flags & FIEMAP_EXTENT_LAST) ? 1 : 0;
}

/* Mirrors iomap_to_fiemap(): one mapping becomes at most one extent. */
static int iomap_to_fiemap(struct fiemap_extent_info *fi, const struct iomap *iomap,
			   uint32_t flags)
{
	switch (iomap->type) {
	case IOMAP_HOLE:
		return 0;
	case IOMAP_DELALLOC:
		flags |= FIEMAP_EXTENT_DELALLOC | FIEMAP_EXTENT_UNKNOWN;
		break;
	case IOMAP_MAPPED:
		break;
	case IOMAP_UNWRITTEN:
		flags |= FIEMAP_EXTENT_UNWRITTEN;
		break;
	case IOMAP_INLINE:
		flags |= FIEMAP_EXTENT_DATA_INLINE;
		break;
	}
	if (iomap->flags & IOMAP_F_MERGED)
		flags |= FIEMAP_EXTENT_MERGED;
	if (iomap->flags & IOMAP_F_SHARED)
		flags |= FIEMAP_EXTENT_SHARED;
	return fiemap_fill_next_extent(fi, (uint64_t)iomap->offset,
				       iomap->addr != IOMAP_NULL_ADDR ? iomap->addr : 0,
				       iomap->length, flags);
}

/* Mirrors iomap_fiemap_iter(): report the previous mapping, keep this one. */
static int iomap_fiemap_iter(struct iomap_iter *iter, struct fiemap_extent_info *fi,
			     struct iomap *prev)
{
	int ret;

	if (iter->iomap.type != IOMAP_HOLE) {
		ret = iomap_to_fiemap(fi, prev, 0);
		*prev = iter->iomap;
		if (ret < 0)
			return ret;
		if (ret == 1) /* the caller's array is full: stop without advancing */
			return 0;
	}
	return iomap_iter_advance_full(iter);
}

int iomap_fiemap(struct inode *inode, struct fiemap_extent_info *fi, uint64_t start,
		 uint64_t len, const struct iomap_ops *ops)
{
	struct iomap_iter iter = {
		.inode = inode,
		.pos = (loff_t)start,
		.len = len,
		.flags = IOMAP_REPORT,
	};
	struct iomap prev = { .type = IOMAP_HOLE };
	int ret;

	ret = fiemap_prep(inode, fi, start, &iter.len, 0);
	if (ret)
		return ret;

	while ((ret = iomap_iter(&iter, ops)) > 0)
		iter.status = iomap_fiemap_iter(&iter, fi, &prev);

	if (prev.type != IOMAP_HOLE) {
		int last = iomap_to_fiemap(fi, &prev, FIEMAP_EXTENT_LAST);

		if (last < 0)
			return last;
	}
	/* A file with no mapping at all (e.g. no attribute fork) is not an error. */
	if (ret < 0 && ret != -ENOENT)
		return ret;
	return 0;
}

sector_t iomap_bmap(struct address_space *mapping, sector_t bno, const struct iomap_ops *ops)
{
	struct inode *inode = mapping->host;
	struct iomap_iter iter = {
		.inode = inode,
		.pos = (loff_t)bno << inode->i_blkbits,
		.len = i_blocksize(inode),
		.flags = IOMAP_REPORT,
	};
	const unsigned blkshift = inode->i_blkbits - SECTOR_SHIFT;
	int ret;

	if (filemap_write_and_wait_range(mapping, 0, INT64_MAX))
		return 0;

	bno = 0;
	/* The body never advances, so the loop maps exactly one block. */
	while ((ret = iomap_iter(&iter, ops)) > 0) {
		if (iter.iomap.type == IOMAP_MAPPED)
			bno = iomap_sector(&iter.iomap, iter.pos) >> blkshift;
	}
	if (ret)
		return 0;
	return bno;
}
