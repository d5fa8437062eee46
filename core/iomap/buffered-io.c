/**
 * @file buffered-io.c
 * @brief Page cache operations (mirrors fs/iomap/buffered-io.c).
 *
 * This issue provides iomap_zero_range() over holes and unwritten space
 * (operations.rst, "Zeroing for File Operations").  The folio-based parts —
 * per-block state, reads, writes, mkwrite, truncate_page, unshare and
 * writeback — arrive with the buffered I/O issue (issue 4) and will live in
 * this file.
 *
 * Zeroing skips what already reads as zeroes: a HOLE or UNWRITTEN source
 * mapping needs no work *unless* the page cache holds dirty data over it,
 * because writeback would later turn that data into written blocks.  In
 * that case, as the kernel does, the range is written back once and the
 * mapping is marked IOMAP_F_STALE so that the iterator asks the filesystem
 * again and sees the converted extents:
 *
 *     HOLE/UNWRITTEN, cache clean ──> advance over it (no I/O, no event)
 *     HOLE/UNWRITTEN, cache dirty ──> write back, mark STALE, map again
 *     MAPPED/DELALLOC ──────────────> zero the folios (issue 4)
 *
 * @pre callers hold i_rwsem and invalidate_lock exclusive.
 */
#include <iomap/iomap.h>

/*
 * Mirrors iomap_zero_iter().  Holes and unwritten space are already zero;
 * zeroing data in folios needs the buffered write path.
 */
static int iomap_zero_iter(struct iomap_iter *iter, bool *did_zero)
{
	const struct iomap *srcmap = iomap_iter_srcmap(iter);

	if (srcmap->type == IOMAP_HOLE || srcmap->type == IOMAP_UNWRITTEN)
		return iomap_iter_advance_full(iter);
	(void)did_zero;
	/* Zeroing written or delalloc data goes through folios: issue 4. */
	return -EOPNOTSUPP;
}

/* Mirrors iomap_zero_iter_flush_and_stale(). */
static int iomap_zero_iter_flush_and_stale(struct iomap_iter *iter)
{
	struct address_space *mapping = iter->inode->i_mapping;
	loff_t end = iter->pos + (loff_t)iter->len - 1;

	iter->iomap.flags |= IOMAP_F_STALE;
	return filemap_write_and_wait_range(mapping, iter->pos, end);
}

int iomap_zero_range(struct inode *inode, loff_t pos, loff_t len, bool *did_zero,
		     const struct iomap_ops *ops)
{
	struct iomap_iter iter = {
		.inode = inode,
		.pos = pos,
		.len = (uint64_t)len,
		.flags = IOMAP_ZERO,
	};
	struct address_space *mapping = inode->i_mapping;
	bool range_dirty;
	int ret;

	if (pos < 0 || len < 0)
		return -EINVAL;
	if (len == 0)
		return 0;
	/*
	 * Nothing lies beyond the largest file offset; clip there so that
	 * pos + len cannot overflow (truncating to just below 2^63 asks to
	 * zero up to the next block boundary, which is 2^63 itself).
	 */
	if (len > INT64_MAX - pos) {
		len = INT64_MAX - pos;
		iter.len = (uint64_t)len;
	}

	/*
	 * The kernel zeroes a dirty, unaligned head block in its folio first,
	 * so that zeroing a partial EOF block does not flush the whole range.
	 * Zeroing a folio needs the buffered write path (issue 4); until then
	 * a dirty head takes the general path below: write back, re-map.
	 */

	/* Flush only if the cache is dirty and a mapping would convert later. */
	range_dirty = filemap_range_needs_writeback(mapping, iter.pos,
						    iter.pos + (loff_t)iter.len - 1);
	while ((ret = iomap_iter(&iter, ops)) > 0) {
		const struct iomap *srcmap = iomap_iter_srcmap(&iter);

		if (srcmap->type == IOMAP_HOLE || srcmap->type == IOMAP_UNWRITTEN) {
			if (range_dirty) {
				range_dirty = false;
				iter.status = iomap_zero_iter_flush_and_stale(&iter);
			} else {
				iter.status = iomap_iter_advance_full(&iter);
			}
			continue;
		}
		iter.status = iomap_zero_iter(&iter, did_zero);
	}
	return ret;
}
