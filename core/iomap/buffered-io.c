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
 *     MAPPED, nothing cached ───────> write zeroes to the device (interim)
 *     MAPPED cached, DELALLOC ──────> zero the folios (issue 4)
 *
 * @pre callers hold i_rwsem and invalidate_lock exclusive.
 */
#include <stdlib.h>
#include <string.h>

#include <iomap/iomap.h>

/*
 * Interim until the folio path exists (issue 4): zero MAPPED space that no
 * folio caches by writing zeroes straight to the device.  The kernel zeroes
 * such space in folios that writeback later writes out; with nothing cached
 * the bytes that reach the device are the same.  Edge sectors are read,
 * zeroed in part and written back (read-modify-write), so a range that is
 * not sector aligned works.  Shared blocks are refused: zeroing them in
 * place would change the other file too (the filesystem must go through
 * copy-on-write, issue 4's unshare path).
 */
#define IOMAP_ZERO_DIRECT_CHUNK (1u << 20)

static int iomap_zero_mapped_direct(struct iomap_iter *iter, bool *did_zero)
{
	const struct iomap *iomap = &iter->iomap;
	struct block_device *bdev = iomap->bdev;
	uint64_t len = iomap_length(iter);
	uint64_t dstart, dend, astart, aend, off;
	struct folio *cached;
	unsigned lbs;
	char *buf;
	int ret = 0;

	if ((iomap->flags & IOMAP_F_SHARED) || iter->srcmap.type != IOMAP_HOLE || !bdev)
		return -EOPNOTSUPP;
	cached = filemap_find_next_folio(iter->inode->i_mapping, (pgoff_t)(iter->pos >> PAGE_SHIFT),
					 (pgoff_t)((iter->pos + (loff_t)len - 1) >> PAGE_SHIFT));
	if (cached) {
		folio_put(cached);
		return -EOPNOTSUPP; /* cached data: zeroing must go through the folio */
	}
	lbs = bdev->bd_logical_block_size;
	dstart = iomap->addr + (uint64_t)(iter->pos - iomap->offset);
	dend = dstart + len;
	astart = round_down(dstart, (uint64_t)lbs);
	aend = round_up(dend, (uint64_t)lbs);
	buf = aligned_alloc(4096, IOMAP_ZERO_DIRECT_CHUNK);
	if (!buf)
		return -ENOMEM;
	for (off = astart; off < aend && !ret; ) {
		uint64_t n = min_u64(IOMAP_ZERO_DIRECT_CHUNK, aend - off);
		uint64_t zs = max_u64(off, dstart), ze = min_u64(off + n, dend);

		/* Keep the bytes of the edge sectors that lie outside the range. */
		if (zs > off || ze < off + n)
			ret = blkdev_rw(bdev, REQ_OP_READ, off, buf, (size_t)n);
		if (!ret) {
			memset(buf + (zs - off), 0, (size_t)(ze - zs));
			ret = blkdev_rw(bdev, REQ_OP_WRITE, off, buf, (size_t)n);
		}
		off += n;
	}
	free(buf);
	if (ret)
		return ret;
	trace_iomap_range("iomap_zero_iter", iter->inode, iter->pos, len);
	if (did_zero)
		*did_zero = true;
	return iomap_iter_advance(iter, len);
}

/*
 * Mirrors iomap_zero_iter().  Holes and unwritten space are already zero;
 * written space is zeroed on the device while nothing caches it (see
 * iomap_zero_mapped_direct); delalloc and cached data need issue 4.
 */
static int iomap_zero_iter(struct iomap_iter *iter, bool *did_zero)
{
	const struct iomap *srcmap = iomap_iter_srcmap(iter);

	if (srcmap->type == IOMAP_HOLE || srcmap->type == IOMAP_UNWRITTEN)
		return iomap_iter_advance_full(iter);
	if (srcmap->type == IOMAP_MAPPED)
		return iomap_zero_mapped_direct(iter, did_zero);
	/* Zeroing delalloc data goes through folios: issue 4. */
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
