/**
 * @file buffered-io.c
 * @brief Page cache operations: per-block folio state, reads, writes,
 *        zeroing, unsharing, and the a_ops helpers (mirrors
 *        fs/iomap/buffered-io.c; writeback lives in ioend.c).
 *
 * How to use: a filesystem wires iomap_read_folio / iomap_readahead /
 * iomap_is_partially_uptodate / iomap_dirty_folio / iomap_release_folio /
 * iomap_invalidate_folio into its address_space_operations, calls
 * iomap_file_buffered_write from ->write_iter, iomap_zero_range and
 * iomap_truncate_page when the size changes, and iomap_file_unshare for
 * FALLOC_FL_UNSHARE_RANGE (operations.rst, "Buffered I/O").
 *
 * Per-block state (`struct iomap_folio_state`, core/iomap/internal.h): a
 * folio of n > 1 blocks carries 2n bits, uptodate then dirty.  A 16 KiB
 * folio of 4 KiB blocks:
 *
 *     block:      0      1      2      3
 *     state[]:   [u0]   [u1]   [u2]   [u3]   [d0]   [d1]   [d2]   [d3]
 *                 bit 0 ...             3     4 ...                7
 *
 * Life of a block in a folio (each arrow names the function that moves it):
 *
 *     !uptodate --iomap_finish_folio_read / zeroing in the read walk /
 *                 __iomap_write_begin (read or zero an edge block) /
 *                 __iomap_write_end (a block the write covers)--> uptodate
 *     uptodate --__iomap_write_end / iomap_dirty_folio--> uptodate+dirty
 *     uptodate+dirty --ioend.c iomap_writepage_map--> uptodate (writeback)
 *     any --iomap_invalidate_folio (whole folio) / iomap_release_folio-->
 *             state freed (the folio's PG_ bits say everything again)
 *
 * ifs_check() asserts the numbered invariants of iomap.h ("Buffered I/O"):
 * (1) dirty => uptodate; (2) PG_uptodate <=> every block uptodate;
 * (3) a dirty block => PG_dirty, except between folio_clear_dirty_for_io
 * and the end of writeback's walk; (4) read_bytes_pending only while the
 * folio is locked.
 *
 * A caller must never: call the read functions on an unlocked folio; call
 * the write / zero / unshare functions while holding a folio lock (they
 * lock folios themselves, and may truncate the page cache after a failure).
 *
 * Locking: the folio lock protects the folio's data, creating and freeing
 * its ifs, and setting dirty bits; `ifs->state_lock` protects `state[]`
 * (read completions run without the folio lock held by their thread); the
 * callers hold i_rwsem as each entry point's @pre says, and the filesystem
 * takes its own mapping locks inside ->iomap_begin.  No lock is held across
 * ->iomap_begin by this file.
 *
 * Events: `iomap_readpage`, `iomap_readahead` (nr_pages), `iomap_zero_iter`,
 * `iomap_release_folio`, `iomap_invalidate_folio` (size, offset, length) as
 * the kernel prints them, and the reference-only `folio_state` (index,
 * order, flags, uptodate, dirty, why) after every change of the bitmaps.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <iomap/iomap.h>
#include <iomap/mm.h>
#include <iomap/trace.h>

#include "internal.h"

/* ---------------------------------------------------------------------- */
/* Per-block state                                                         */
/* ---------------------------------------------------------------------- */

#define IFS_BITS_PER_LONG (8 * sizeof(unsigned long))

static bool ifs_test_bit(const struct iomap_folio_state *ifs, unsigned bit)
{
	return (ifs->state[bit / IFS_BITS_PER_LONG] >> (bit % IFS_BITS_PER_LONG)) & 1;
}

static void ifs_set_bits(struct iomap_folio_state *ifs, unsigned first, unsigned nr)
{
	for (unsigned b = first; b < first + nr; b++)
		ifs->state[b / IFS_BITS_PER_LONG] |= 1ul << (b % IFS_BITS_PER_LONG);
}

static void ifs_clear_bits(struct iomap_folio_state *ifs, unsigned first, unsigned nr)
{
	for (unsigned b = first; b < first + nr; b++)
		ifs->state[b / IFS_BITS_PER_LONG] &= ~(1ul << (b % IFS_BITS_PER_LONG));
}

/* The host inode of a folio still in its mapping (NULL once removed). */
static struct inode *folio_inode(const struct folio *folio)
{
	struct address_space *mapping = __atomic_load_n(&folio->mapping, __ATOMIC_ACQUIRE);

	return mapping ? mapping->host : NULL;
}

bool ifs_block_is_uptodate(struct iomap_folio_state *ifs, unsigned block)
{
	return ifs_test_bit(ifs, block);
}

bool ifs_block_is_dirty(struct folio *folio, struct iomap_folio_state *ifs, unsigned block)
{
	(void)folio;
	return ifs_test_bit(ifs, ifs->nr_blocks + block);
}

/* Every block uptodate?  Caller holds state_lock (ifs_is_fully_uptodate). */
static bool ifs_is_fully_uptodate(const struct iomap_folio_state *ifs)
{
	for (unsigned b = 0; b < ifs->nr_blocks; b++)
		if (!ifs_test_bit(ifs, b))
			return false;
	return true;
}

struct iomap_folio_state *ifs_alloc(struct inode *inode, struct folio *folio)
{
	struct iomap_folio_state *ifs = folio_ifs(folio);
	unsigned nr_blocks = i_blocks_per_folio(inode, folio);
	size_t longs;

	if (ifs || nr_blocks <= 1)
		return ifs;
	longs = (2 * (size_t)nr_blocks + IFS_BITS_PER_LONG - 1) / IFS_BITS_PER_LONG;
	ifs = calloc(1, sizeof(*ifs) + longs * sizeof(unsigned long));
	if (!ifs)
		return NULL;
	pthread_mutex_init(&ifs->state_lock, NULL);
	ifs->nr_blocks = nr_blocks;
	/*
	 * The folio's flags were the whole truth until now: a folio that is
	 * PG_uptodate has every block uptodate, a PG_dirty one every block
	 * dirty (it was dirtied as a whole, e.g. by a full-folio write).
	 */
	if (folio_test(folio, PG_uptodate))
		ifs_set_bits(ifs, 0, nr_blocks);
	if (folio_test(folio, PG_dirty))
		ifs_set_bits(ifs, nr_blocks, nr_blocks);
	folio->private = ifs;
	return ifs;
}

/* Mirrors ifs_free(): detach and free the state; nothing may be in flight. */
static void ifs_free(struct folio *folio)
{
	struct iomap_folio_state *ifs = folio_ifs(folio);

	if (!ifs)
		return;
	/* Invariant (4) and the ioend bias: freeing under I/O would lose the
	 * completion's bookkeeping.  The kernel WARNs; so do the tests. */
	folio->private = NULL;
	pthread_mutex_destroy(&ifs->state_lock);
	free(ifs);
}

/* Blocks [first, first + nr) that bytes [off, off + len) of the folio touch. */
static void ifs_block_range(const struct inode *inode, size_t off, size_t len, unsigned *first,
			    unsigned *nr)
{
	unsigned f = (unsigned)(off >> inode->i_blkbits);
	unsigned l = (unsigned)((off + len - 1) >> inode->i_blkbits);

	*first = f;
	*nr = l - f + 1;
}

/* Mirrors ifs_set_range_uptodate(); returns whether the folio is now full. */
static bool ifs_set_range_uptodate(struct inode *inode, struct iomap_folio_state *ifs, size_t off,
				   size_t len)
{
	unsigned first, nr;

	ifs_block_range(inode, off, len, &first, &nr);
	ifs_set_bits(ifs, first, nr);
	return ifs_is_fully_uptodate(ifs);
}

void iomap_set_range_uptodate(struct folio *folio, size_t off, size_t len)
{
	struct iomap_folio_state *ifs = folio_ifs(folio);
	struct inode *inode = folio_inode(folio);
	bool uptodate = true;

	if (len == 0)
		return;
	if (ifs && inode) {
		pthread_mutex_lock(&ifs->state_lock);
		uptodate = ifs_set_range_uptodate(inode, ifs, off, len);
		pthread_mutex_unlock(&ifs->state_lock);
	}
	if (uptodate)
		folio_mark_uptodate(folio);
}

void iomap_clear_range_dirty(struct folio *folio, size_t off, size_t len)
{
	struct iomap_folio_state *ifs = folio_ifs(folio);
	struct inode *inode = folio_inode(folio);
	unsigned first, nr;

	if (!ifs || !inode || len == 0)
		return;
	ifs_block_range(inode, off, len, &first, &nr);
	pthread_mutex_lock(&ifs->state_lock);
	ifs_clear_bits(ifs, ifs->nr_blocks + first, nr);
	pthread_mutex_unlock(&ifs->state_lock);
}

void iomap_set_range_dirty(struct folio *folio, size_t off, size_t len)
{
	struct iomap_folio_state *ifs = folio_ifs(folio);
	struct inode *inode = folio_inode(folio);
	unsigned first, nr;

	if (!ifs || !inode || len == 0)
		return;
	ifs_block_range(inode, off, len, &first, &nr);
	pthread_mutex_lock(&ifs->state_lock);
	ifs_set_bits(ifs, ifs->nr_blocks + first, nr);
	pthread_mutex_unlock(&ifs->state_lock);
}

/* Mirrors ifs_find_dirty_range(). */
static unsigned ifs_find_dirty_range(struct folio *folio, struct iomap_folio_state *ifs,
				     struct inode *inode, uint64_t *range_start, uint64_t range_end)
{
	uint64_t fpos = (uint64_t)folio_pos(folio);
	unsigned start_blk = (unsigned)((*range_start - fpos) >> inode->i_blkbits);
	unsigned end_blk = ifs->nr_blocks;
	unsigned nblks = 0;

	if (range_end < fpos + folio_size(folio))
		end_blk = (unsigned)((range_end - fpos) >> inode->i_blkbits);
	while (start_blk < end_blk && !ifs_block_is_dirty(folio, ifs, start_blk))
		start_blk++;
	if (start_blk >= end_blk)
		return 0;
	while (start_blk + nblks < end_blk && ifs_block_is_dirty(folio, ifs, start_blk + nblks))
		nblks++;
	*range_start = fpos + ((uint64_t)start_blk << inode->i_blkbits);
	return nblks << inode->i_blkbits;
}

unsigned iomap_find_dirty_range(struct folio *folio, uint64_t *range_start, uint64_t range_end)
{
	struct iomap_folio_state *ifs = folio_ifs(folio);
	struct inode *inode = folio_inode(folio);

	if (*range_start >= range_end)
		return 0;
	if (ifs && inode)
		return ifs_find_dirty_range(folio, ifs, inode, range_start, range_end);
	/* Without per-block state the whole folio is one dirty unit. */
	return (unsigned)(range_end - *range_start);
}

int ifs_check(struct folio *folio)
{
	struct iomap_folio_state *ifs = folio_ifs(folio);
	bool all_uptodate, any_dirty = false;
	int broken = 0;

	if (!ifs)
		return 0;
	pthread_mutex_lock(&ifs->state_lock);
	all_uptodate = ifs_is_fully_uptodate(ifs);
	for (unsigned b = 0; b < ifs->nr_blocks; b++) {
		bool dirty = ifs_block_is_dirty(folio, ifs, b);

		any_dirty |= dirty;
		/* (1) a block is dirty only if it is uptodate */
		if (dirty && !ifs_block_is_uptodate(ifs, b) && !broken)
			broken = 1;
	}
	/* (2) PG_uptodate iff every block is uptodate */
	if (!broken && all_uptodate != folio_test(folio, PG_uptodate))
		broken = 2;
	/* (3) a dirty block means a dirty folio, except while writeback has
	 * cleared PG_dirty and not yet walked the blocks (folio locked). */
	if (!broken && any_dirty && !folio_test(folio, PG_dirty) &&
	    !folio_test(folio, PG_locked))
		broken = 3;
	/* (4) reads in flight only while the folio is locked */
	if (!broken && __atomic_load_n(&ifs->read_bytes_pending, __ATOMIC_ACQUIRE) &&
	    !folio_test(folio, PG_locked))
		broken = 4;
	/* (4) writeback bytes in flight only under writeback */
	if (!broken && __atomic_load_n(&ifs->write_bytes_pending, __ATOMIC_ACQUIRE) &&
	    !folio_test(folio, PG_writeback))
		broken = 4;
	pthread_mutex_unlock(&ifs->state_lock);
	return broken;
}

/* Largest folio: 2 MiB; smallest block: 512 bytes. */
#define IFS_MAX_BLOCKS ((PAGE_SIZE << MAX_PAGECACHE_ORDER) / 512)

void trace_folio_state(struct folio *folio, const char *why)
{
	static const struct {
		int bit;
		const char *name;
	} names[] = {
		{ PG_uptodate, "uptodate" }, { PG_dirty, "dirty" },     { PG_locked, "locked" },
		{ PG_writeback, "writeback" }, { PG_error, "error" },   { PG_readahead, "readahead" },
	};
	struct iomap_folio_state *ifs = folio_ifs(folio);
	struct inode *inode = folio_inode(folio);
	char flags[64] = "", uptodate[IFS_MAX_BLOCKS + 1], dirty[IFS_MAX_BLOCKS + 1];
	struct trace_event ev;
	unsigned n;
	size_t len = 0;

	if (!trace_enabled())
		return;
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		if (!folio_test(folio, names[i].bit))
			continue;
		len += (size_t)snprintf(flags + len, sizeof(flags) - len, "%s%s", len ? "|" : "",
					names[i].name);
	}
	/* Without an ifs the folio's flags stand for every block. */
	n = ifs ? ifs->nr_blocks : inode ? i_blocks_per_folio(inode, folio) : 1;
	if (n == 0)
		n = 1;
	if (n > IFS_MAX_BLOCKS)
		n = IFS_MAX_BLOCKS;
	if (ifs)
		pthread_mutex_lock(&ifs->state_lock);
	for (unsigned b = 0; b < n; b++) {
		uptodate[b] = (ifs ? ifs_block_is_uptodate(ifs, b) : folio_test(folio, PG_uptodate))
				      ? '1' : '0';
		dirty[b] = (ifs ? ifs_block_is_dirty(folio, ifs, b) : folio_test(folio, PG_dirty))
				   ? '1' : '0';
	}
	if (ifs)
		pthread_mutex_unlock(&ifs->state_lock);
	uptodate[n] = dirty[n] = '\0';
	trace_event_init(&ev, "folio_state", inode && inode->i_sb ? inode->i_sb->s_dev : 0,
			 inode ? inode->i_ino : 0);
	trace_u64(&ev, "index", folio->index);
	trace_s64(&ev, "order", folio->order);
	trace_str(&ev, "flags", flags);
	trace_str(&ev, "uptodate", uptodate);
	trace_str(&ev, "dirty", dirty);
	trace_str(&ev, "why", why);
	trace_emit(&ev);
}

/* ---------------------------------------------------------------------- */
/* Reads                                                                   */
/* ---------------------------------------------------------------------- */

/*
 * Mirrors iomap_adjust_read_range(): the part of [*pos, *pos + length) in
 * the folio that still needs reading.  Leading uptodate blocks are
 * skipped (moving *pos), the range stops before the next uptodate block,
 * and a range that crosses the block holding EOF stops after that block,
 * so that blocks wholly beyond EOF are zeroed by a later step instead of
 * being read.  Returns the offset in the folio and the length (0 = all
 * uptodate).
 */
static void iomap_adjust_read_range(struct inode *inode, struct folio *folio, loff_t *pos,
				    uint64_t length, size_t *offp, size_t *lenp)
{
	struct iomap_folio_state *ifs = folio_ifs(folio);
	loff_t orig_pos = *pos;
	loff_t isize = i_size_read(inode);
	unsigned block_bits = inode->i_blkbits;
	size_t block_size = (size_t)1 << block_bits;
	size_t poff = (size_t)(*pos - folio_pos(folio));
	size_t plen = (size_t)min_u64(folio_size(folio) - poff, length);
	size_t orig_plen = plen;
	unsigned first = (unsigned)(poff >> block_bits);
	unsigned last = (unsigned)((poff + plen - 1) >> block_bits);

	if (ifs) {
		unsigned i;

		pthread_mutex_lock(&ifs->state_lock);
		for (i = first; i <= last; i++) {
			if (!ifs_block_is_uptodate(ifs, i))
				break;
			*pos += (loff_t)block_size;
			poff += block_size;
			plen = plen > block_size ? plen - block_size : 0;
			first++;
		}
		while (++i <= last) {
			if (ifs_block_is_uptodate(ifs, i)) {
				plen -= (size_t)(last - i + 1) * block_size;
				last = i - 1;
				break;
			}
		}
		pthread_mutex_unlock(&ifs->state_lock);
	}

	if (orig_pos <= isize && orig_pos + (loff_t)orig_plen > isize && isize > 0 && plen) {
		loff_t eof_off = isize - 1 - folio_pos(folio);

		if (eof_off >= 0 && (size_t)eof_off < folio_size(folio)) {
			unsigned end = (unsigned)((size_t)eof_off >> block_bits);

			if (first <= end && last > end)
				plen -= (size_t)(last - end) * block_size;
		}
	}
	*offp = poff;
	*lenp = plen;
}

/* Mirrors iomap_block_needs_zeroing(): nothing on disk worth reading. */
static bool iomap_block_needs_zeroing(const struct iomap_iter *iter, loff_t pos)
{
	const struct iomap *srcmap = iomap_iter_srcmap(iter);

	return srcmap->type != IOMAP_MAPPED || (srcmap->flags & IOMAP_F_NEW) ||
	       pos >= i_size_read(iter->inode);
}

/* One piece of a read bio: which folio its bytes land in. */
struct iomap_read_seg {
	struct folio *folio;
	size_t off;
	size_t len;
};

/* A read bio under construction (the kernel finds folios through bio_vecs). */
struct iomap_read_bio {
	struct iomap_read_seg *segs;
	unsigned nr_segs, cap_segs;
};

/* Read state of one read_folio / readahead call (iomap_readpage_ctx). */
struct iomap_readpage_ctx {
	struct folio *cur_folio;
	bool cur_folio_in_bio;
	struct bio *bio;
	struct readahead_control *rac;
};

/*
 * Mirrors iomap_finish_folio_read(): bytes [off, off + len) of the folio
 * were read (or failed).  The last read of the folio ends it: PG_uptodate
 * if every block is now uptodate, and the folio lock released.
 */
static void iomap_finish_folio_read(struct folio *folio, size_t off, size_t len, int error)
{
	struct iomap_folio_state *ifs = folio_ifs(folio);
	struct inode *inode = folio_inode(folio);
	bool uptodate = !error;
	bool finished = true;

	if (ifs) {
		pthread_mutex_lock(&ifs->state_lock);
		if (!error && inode)
			uptodate = ifs_set_range_uptodate(inode, ifs, off, len);
		else if (error)
			uptodate = false;
		ifs->read_bytes_pending -= (unsigned)len;
		finished = ifs->read_bytes_pending == 0;
		pthread_mutex_unlock(&ifs->state_lock);
	}
	if (finished) {
		/* folio_end_read(): mark, then unlock, so that a waiter that
		 * sees the folio unlocked also sees PG_uptodate. */
		if (uptodate)
			folio_mark_uptodate(folio);
		trace_folio_state(folio, error ? "read_error" : "read_done");
		folio_unlock(folio);
	}
}

/* Mirrors iomap_read_end_io(). */
static void iomap_read_end_io(struct bio *bio)
{
	struct iomap_read_bio *rb = bio->bi_private;
	int error = bio->bi_status;

	for (unsigned i = 0; i < rb->nr_segs; i++)
		iomap_finish_folio_read(rb->segs[i].folio, rb->segs[i].off, rb->segs[i].len, error);
	free(rb->segs);
	free(rb);
	bio_put(bio);
}

/* Remember that [off, off + len) of @folio travels in @bio. */
static void iomap_read_bio_note(struct bio *bio, struct folio *folio, size_t off, size_t len)
{
	struct iomap_read_bio *rb = bio->bi_private;
	struct iomap_read_seg *last = rb->nr_segs ? &rb->segs[rb->nr_segs - 1] : NULL;

	if (last && last->folio == folio && last->off + last->len == off) {
		last->len += len;
		return;
	}
	if (rb->nr_segs == rb->cap_segs) {
		unsigned cap = rb->cap_segs ? 2 * rb->cap_segs : 4;
		struct iomap_read_seg *segs = realloc(rb->segs, cap * sizeof(*segs));

		if (!segs)
			abort(); /* as bio_alloc: a read cannot lose track of a folio */
		rb->segs = segs;
		rb->cap_segs = cap;
	}
	rb->segs[rb->nr_segs++] = (struct iomap_read_seg){ folio, off, len };
}

static sector_t bio_end_sector(const struct bio *bio)
{
	return bio->bi_sector + (bio->bi_size >> SECTOR_SHIFT);
}

/*
 * Mirrors iomap_read_inline_data(): copy the inline bytes (up to EOF) into
 * the folio and zero the rest; no I/O.
 */
static int iomap_read_inline_data(const struct iomap_iter *iter, struct folio *folio)
{
	const struct iomap *iomap = iomap_iter_srcmap(iter);
	loff_t isize = i_size_read(iter->inode);
	size_t size = isize > iomap->offset ? (size_t)(isize - iomap->offset) : 0;
	size_t offset = (size_t)(iomap->offset - folio_pos(folio));

	if (folio_test(folio, PG_uptodate))
		return 0;
	if (iomap->offset < folio_pos(folio) || offset >= folio_size(folio) ||
	    size > iomap->length || size > folio_size(folio) - offset ||
	    !iomap_inline_data_valid(iomap))
		return -EIO;
	if (offset > 0)
		ifs_alloc(iter->inode, folio);
	memcpy((char *)folio->data + offset, iomap->inline_data, size);
	memset((char *)folio->data + offset + size, 0, folio_size(folio) - offset - size);
	iomap_set_range_uptodate(folio, offset, folio_size(folio) - offset);
	trace_folio_state(folio, "read_inline");
	return 0;
}

/*
 * Mirrors iomap_readpage_iter(): handle the first not-uptodate run of
 * the current folio at iter->pos + @offset within the current mapping:
 * zero it (no data on disk) or queue it on the read bio.  Returns the
 * bytes consumed (uptodate blocks skipped included), or -errno.
 */
static int64_t iomap_readpage_iter(const struct iomap_iter *iter,
				   struct iomap_readpage_ctx *ctx, uint64_t offset)
{
	const struct iomap *iomap = &iter->iomap;
	loff_t pos = iter->pos + (loff_t)offset;
	uint64_t length = iomap_length(iter) - offset;
	struct folio *folio = ctx->cur_folio;
	struct iomap_folio_state *ifs;
	loff_t orig_pos = pos;
	size_t poff, plen;
	sector_t sector;

	if (iomap->type == IOMAP_INLINE) {
		int ret = iomap_read_inline_data(iter, folio);

		if (ret)
			return ret;
		return (int64_t)min_u64(length, folio_size(folio) - (size_t)(pos - folio_pos(folio)));
	}

	/* Blocks past EOF are zeroed too, as the folio may be mapped. */
	ifs = ifs_alloc(iter->inode, folio);
	iomap_adjust_read_range(iter->inode, folio, &pos, length, &poff, &plen);
	if (plen == 0)
		goto done;

	if (iomap_block_needs_zeroing(iter, pos)) {
		memset((char *)folio->data + poff, 0, plen);
		iomap_set_range_uptodate(folio, poff, plen);
		trace_folio_state(folio, "read_zero");
		goto done;
	}

	ctx->cur_folio_in_bio = true;
	/* Counted before the bio can be submitted, so that an earlier bio of
	 * this folio completing cannot unlock it while we still add to it. */
	if (ifs)
		__atomic_add_fetch(&ifs->read_bytes_pending, (unsigned)plen, __ATOMIC_ACQ_REL);

	sector = iomap_sector(iomap, pos);
	if (!ctx->bio || bio_end_sector(ctx->bio) != sector ||
	    ctx->bio->bi_bdev != iomap->bdev ||
	    bio_add_buf(ctx->bio, (char *)folio->data + poff, (unsigned)plen) != plen) {
		uint64_t nr_vecs = (length + PAGE_SIZE - 1) / PAGE_SIZE;
		struct iomap_read_bio *rb = calloc(1, sizeof(*rb));

		if (!rb)
			abort();
		if (ctx->bio)
			submit_bio(ctx->bio);
		ctx->bio = bio_alloc(iomap->bdev, (unsigned)min_u64(nr_vecs ? nr_vecs : 1, 256),
				     REQ_OP_READ);
		ctx->bio->bi_sector = sector;
		ctx->bio->bi_end_io = iomap_read_end_io;
		ctx->bio->bi_private = rb;
		bio_add_buf(ctx->bio, (char *)folio->data + poff, (unsigned)plen);
	}
	iomap_read_bio_note(ctx->bio, folio, poff, plen);
done:
	/*
	 * Move past the leading uptodate blocks and this run; trailing
	 * uptodate blocks are skipped by the next call.
	 */
	return (int64_t)((uint64_t)(pos - orig_pos) + plen);
}

/* Mirrors iomap_read_folio_iter(): the current mapping's part of the folio. */
static int iomap_read_folio_iter(struct iomap_iter *iter, struct iomap_readpage_ctx *ctx)
{
	struct folio *folio = ctx->cur_folio;
	size_t offset = (size_t)(iter->pos - folio_pos(folio));
	uint64_t length = min_u64(folio_size(folio) - offset, iomap_length(iter));
	uint64_t done = 0;

	while (done < length) {
		int64_t ret = iomap_readpage_iter(iter, ctx, done);

		if (ret < 0)
			return (int)ret;
		if (ret == 0)
			return -EIO;
		done += (uint64_t)ret;
	}
	return iomap_iter_advance(iter, done);
}

int iomap_read_folio(struct folio *folio, const struct iomap_ops *ops)
{
	struct iomap_iter iter = {
		.inode = folio->mapping->host,
		.pos = folio_pos(folio),
		.len = folio_size(folio),
	};
	struct iomap_readpage_ctx ctx = {
		.cur_folio = folio,
	};
	struct trace_event ev;
	int ret;

	if (trace_enabled()) {
		trace_event_init(&ev, "iomap_readpage", iter.inode->i_sb->s_dev, iter.inode->i_ino);
		trace_s64(&ev, "nr_pages", 1);
		trace_emit(&ev);
	}

	while ((ret = iomap_iter(&iter, ops)) > 0)
		iter.status = iomap_read_folio_iter(&iter, &ctx);

	if (ctx.bio) {
		submit_bio(ctx.bio);
	} else {
		/* Nothing in flight: whatever was zeroed is all there is; a
		 * mapping error leaves the rest !uptodate for the caller. */
		trace_folio_state(folio, ret < 0 ? "read_error" : "read_done");
		folio_unlock(folio);
	}
	/* As the kernel: errors show as a folio that is not uptodate. */
	return 0;
}

/* The readahead folio is done with: unlock it unless a bio will. */
static void iomap_readahead_put_folio(struct iomap_readpage_ctx *ctx)
{
	if (!ctx->cur_folio_in_bio) {
		trace_folio_state(ctx->cur_folio, "read_done");
		folio_unlock(ctx->cur_folio);
	}
	ctx->cur_folio = NULL;
}

/* Mirrors iomap_readahead_iter(): walk the rac's folios through the mapping. */
static int iomap_readahead_iter(struct iomap_iter *iter, struct iomap_readpage_ctx *ctx)
{
	uint64_t length = iomap_length(iter);
	uint64_t done = 0;

	while (done < length) {
		loff_t pos = iter->pos + (loff_t)done;
		int64_t ret;

		if (ctx->cur_folio && pos >= folio_pos(ctx->cur_folio) +
						      (loff_t)folio_size(ctx->cur_folio))
			iomap_readahead_put_folio(ctx);
		if (!ctx->cur_folio) {
			ctx->cur_folio = readahead_folio(ctx->rac);
			ctx->cur_folio_in_bio = false;
			if (!ctx->cur_folio)
				break;
		}
		ret = iomap_readpage_iter(iter, ctx, done);
		if (ret < 0)
			return (int)ret;
		if (ret == 0)
			return -EIO;
		done += (uint64_t)ret;
	}
	return iomap_iter_advance(iter, done);
}

void iomap_readahead(struct readahead_control *rac, const struct iomap_ops *ops)
{
	struct iomap_iter iter = {
		.inode = rac->mapping->host,
		.pos = readahead_pos(rac),
		.len = readahead_length(rac),
	};
	struct iomap_readpage_ctx ctx = {
		.rac = rac,
	};
	struct trace_event ev;

	if (trace_enabled()) {
		trace_event_init(&ev, "iomap_readahead", iter.inode->i_sb->s_dev, iter.inode->i_ino);
		trace_s64(&ev, "nr_pages", readahead_count(rac));
		trace_emit(&ev);
	}

	while (iomap_iter(&iter, ops) > 0)
		iter.status = iomap_readahead_iter(&iter, &ctx);

	if (ctx.bio)
		submit_bio(ctx.bio);
	if (ctx.cur_folio)
		iomap_readahead_put_folio(&ctx);
	/* Folios the walk never reached (a mapping error) are unlocked
	 * !uptodate by the caller (read_pages in readahead.c). */
}

bool iomap_is_partially_uptodate(struct folio *folio, size_t from, size_t count)
{
	struct iomap_folio_state *ifs = folio_ifs(folio);
	struct inode *inode = folio_inode(folio);
	unsigned first, last;
	bool ret = true;

	if (!ifs || !inode || from >= folio_size(folio))
		return false;
	/* The caller's range may run past the folio. */
	if (count > folio_size(folio) - from)
		count = folio_size(folio) - from;
	if (count == 0)
		return false;
	first = (unsigned)(from >> inode->i_blkbits);
	last = (unsigned)((from + count - 1) >> inode->i_blkbits);
	pthread_mutex_lock(&ifs->state_lock);
	for (unsigned i = first; i <= last && ret; i++)
		ret = ifs_block_is_uptodate(ifs, i);
	pthread_mutex_unlock(&ifs->state_lock);
	return ret;
}

/* ---------------------------------------------------------------------- */
/* a_ops helpers                                                           */
/* ---------------------------------------------------------------------- */

bool iomap_dirty_folio(struct address_space *mapping, struct folio *folio)
{
	struct inode *inode = mapping->host;
	bool was_clean;

	ifs_alloc(inode, folio);
	iomap_set_range_dirty(folio, 0, folio_size(folio));
	was_clean = folio_mark_dirty(folio); /* filemap_dirty_folio() */
	trace_folio_state(folio, "dirty_folio");
	return was_clean;
}

bool iomap_release_folio(struct folio *folio)
{
	struct inode *inode = folio_inode(folio);

	if (inode)
		trace_iomap_range("iomap_release_folio", inode, folio_pos(folio), folio_size(folio));
	/*
	 * A dirty folio may be only partly dirty, and its state says which
	 * blocks: keep it.  A folio under writeback has its ifs counting the
	 * bytes in flight.
	 */
	if (folio_test(folio, PG_dirty) || folio_test(folio, PG_writeback))
		return false;
	ifs_free(folio);
	return true;
}

void iomap_invalidate_folio(struct folio *folio, size_t offset, size_t len)
{
	struct inode *inode = folio_inode(folio);

	if (inode)
		trace_iomap_range("iomap_invalidate_folio", inode, folio_pos(folio) + (loff_t)offset,
				  len);
	/*
	 * The whole folio goes: its dirty state is meaningless now (the
	 * kernel's folio_cancel_dirty), and the per-block state with it.
	 */
	if (offset == 0 && len == folio_size(folio)) {
		folio_clear_dirty_for_io(folio);
		ifs_free(folio);
	}
}

/* ---------------------------------------------------------------------- */
/* Writes                                                                  */
/* ---------------------------------------------------------------------- */

/* Mirrors fgf_set_order(): a folio order that covers @size bytes. */
static unsigned fgf_order_for(size_t size)
{
	unsigned shift;

	if (size <= PAGE_SIZE)
		return 0;
	shift = (unsigned)(63 - __builtin_clzll((unsigned long long)size)); /* ilog2 */
	return shift <= PAGE_SHIFT ? 0 : shift - PAGE_SHIFT;
}

/*
 * Mirrors iomap_get_folio(): the locked folio for a write of @len at @pos,
 * created large enough to cover the write when the mapping allows.
 */
static struct folio *iomap_get_folio(struct iomap_iter *iter, loff_t pos, size_t len)
{
	unsigned fgp = FGP_LOCK | FGP_WRITE | FGP_CREAT;
	struct folio *folio;
	int err;

	if (iter->flags & IOMAP_NOWAIT)
		fgp |= FGP_NOWAIT;
	err = __filemap_get_folio(iter->inode->i_mapping, (pgoff_t)(pos >> PAGE_SHIFT), fgp,
				  fgf_order_for(len), &folio);
	return err ? ERR_PTR(err) : folio;
}

static struct folio *__iomap_get_folio(struct iomap_iter *iter, loff_t pos, size_t len)
{
	const struct iomap_folio_ops *folio_ops = iter->iomap.folio_ops;

	if (folio_ops && folio_ops->get_folio)
		return folio_ops->get_folio(iter, pos, (unsigned)min_u64(len, UINT_MAX));
	return iomap_get_folio(iter, pos, len);
}

/* Mirrors __iomap_put_folio(): @ret bytes were written into the folio. */
static void __iomap_put_folio(struct iomap_iter *iter, loff_t pos, size_t ret,
			      struct folio *folio)
{
	const struct iomap_folio_ops *folio_ops = iter->iomap.folio_ops;

	if (folio_ops && folio_ops->put_folio) {
		folio_ops->put_folio(iter->inode, pos, (unsigned)ret, folio);
	} else {
		folio_unlock(folio);
		folio_put(folio);
	}
}

/*
 * Mirrors iomap_write_failed(): drop the folios a failed write created
 * beyond EOF, so that no !uptodate or zeroed cache lingers there.  The
 * caller holds no folio lock.
 */
static void iomap_write_failed(struct inode *inode, loff_t pos, size_t len)
{
	loff_t i_size = i_size_read(inode);

	if (pos + (loff_t)len > i_size)
		truncate_pagecache_range(inode->i_mapping, max_s64(pos, i_size),
					 pos + (loff_t)len - 1);
}

/* Mirrors iomap_read_folio_sync(): read [poff, poff + plen) of the folio now. */
static int iomap_read_folio_sync(loff_t block_start, struct folio *folio, size_t poff,
				 size_t plen, const struct iomap *iomap)
{
	struct bio *bio = bio_alloc(iomap->bdev, 1, REQ_OP_READ | REQ_SYNC);
	int ret;

	bio->bi_sector = iomap_sector(iomap, block_start);
	bio_add_buf(bio, (char *)folio->data + poff, (unsigned)plen);
	ret = submit_bio_wait(bio);
	bio_put(bio);
	return ret;
}

/*
 * Mirrors __iomap_write_begin(): make the blocks that the write touches
 * only in part uptodate before the copy (read-modify-write), by zeroing
 * them when there is nothing on disk or reading them from the source
 * mapping.  Blocks the write covers whole are left alone: the copy fills
 * them.  Unsharing reads every block, since it changes no data.
 */
static int __iomap_write_begin(const struct iomap_iter *iter, loff_t pos, size_t len,
			       struct folio *folio)
{
	const struct iomap *srcmap = iomap_iter_srcmap(iter);
	struct iomap_folio_state *ifs;
	loff_t block_size = (loff_t)i_blocksize(iter->inode);
	loff_t block_start = round_down(pos, block_size);
	loff_t block_end = round_up(pos + (loff_t)len, block_size);
	unsigned nr_blocks = i_blocks_per_folio(iter->inode, folio);
	size_t from = (size_t)(pos - folio_pos(folio)), to = from + len;
	size_t poff, plen;

	/* A write over the whole folio dirties all of it: no state needed. */
	if (!(iter->flags & IOMAP_UNSHARE) && pos <= folio_pos(folio) &&
	    pos + (loff_t)len >= folio_pos(folio) + (loff_t)folio_size(folio))
		return 0;

	ifs = ifs_alloc(iter->inode, folio);
	if ((iter->flags & IOMAP_NOWAIT) && !ifs && nr_blocks > 1)
		return -EAGAIN;
	if (folio_test(folio, PG_uptodate))
		return 0;

	do {
		iomap_adjust_read_range(iter->inode, folio, &block_start,
					(uint64_t)(block_end - block_start), &poff, &plen);
		if (plen == 0)
			break;
		/* Wholly inside the write: the copy makes it uptodate. */
		if (!(iter->flags & IOMAP_UNSHARE) && (from <= poff || from >= poff + plen) &&
		    (to <= poff || to >= poff + plen))
			continue;
		if (iomap_block_needs_zeroing(iter, block_start)) {
			if (iter->flags & IOMAP_UNSHARE)
				return -EIO; /* nothing to unshare from */
			/* folio_zero_segments(): the parts the copy won't fill */
			if (from > poff)
				memset((char *)folio->data + poff, 0, min_u64(from, poff + plen) - poff);
			if (to < poff + plen) {
				size_t zs = max_u64(to, poff);

				memset((char *)folio->data + zs, 0, poff + plen - zs);
			}
		} else {
			int status;

			if (iter->flags & IOMAP_NOWAIT)
				return -EAGAIN;
			status = iomap_read_folio_sync(block_start, folio, poff, plen, srcmap);
			if (status)
				return status;
		}
		iomap_set_range_uptodate(folio, poff, plen);
	} while ((block_start += (loff_t)plen) < block_end);
	return 0;
}

/* Mirrors iomap_write_begin_inline(). */
static int iomap_write_begin_inline(const struct iomap_iter *iter, struct folio *folio)
{
	/* Tail packing (inline data not at offset 0) is not supported. */
	if (iomap_iter_srcmap(iter)->offset != 0)
		return -EIO;
	/* iomap_write_end_inline copies back without looking again (a BUG_ON in Linux). */
	if (!iomap_inline_data_valid(iomap_iter_srcmap(iter)))
		return -EIO;
	return iomap_read_inline_data(iter, folio);
}

/*
 * Mirrors iomap_write_begin(): get and lock the folio for [pos, pos + *len),
 * check that the mapping is still valid under the folio lock, and prepare
 * the edge blocks.  On return *len is clipped to the folio.  A stale
 * mapping returns 0 with no folio and IOMAP_F_STALE set.
 */
static int iomap_write_begin(struct iomap_iter *iter, loff_t pos, size_t *len,
			     struct folio **foliop)
{
	const struct iomap_folio_ops *folio_ops = iter->iomap.folio_ops;
	const struct iomap *srcmap = iomap_iter_srcmap(iter);
	struct address_space *mapping = iter->inode->i_mapping;
	struct folio *folio;
	int status;

	*foliop = NULL;
	if (!(__atomic_load_n(&mapping->flags, __ATOMIC_RELAXED) & AS_LARGE_FOLIO_SUPPORT))
		*len = min_u64(*len, PAGE_SIZE - ((uint64_t)pos & (PAGE_SIZE - 1)));

	folio = __iomap_get_folio(iter, pos, *len);
	if (IS_ERR(folio))
		return (int)PTR_ERR(folio);
	if (!folio)
		return -ENOMEM;

	/*
	 * With the folio locked, nothing can write it back or drop it: now
	 * is the time to ask whether the mapping we hold still describes the
	 * file (writeback may have converted an unwritten extent, reclaim
	 * may have dropped a folio whose blocks we would otherwise zero).
	 * If not, let the iterator ask the filesystem again.
	 */
	if (folio_ops && folio_ops->iomap_valid &&
	    !folio_ops->iomap_valid(iter->inode, &iter->iomap)) {
		iter->iomap.flags |= IOMAP_F_STALE;
		__iomap_put_folio(iter, pos, 0, folio);
		return 0;
	}

	if (pos + (loff_t)*len > folio_pos(folio) + (loff_t)folio_size(folio))
		*len = (size_t)(folio_pos(folio) + (loff_t)folio_size(folio) - pos);

	if (srcmap->type == IOMAP_INLINE)
		status = iomap_write_begin_inline(iter, folio);
	else
		status = __iomap_write_begin(iter, pos, *len, folio);
	if (status) {
		__iomap_put_folio(iter, pos, 0, folio);
		return status;
	}
	*foliop = folio;
	return 0;
}

/*
 * Mirrors __iomap_write_end(): the copy put @copied of @len bytes at @pos.
 * A short copy into a folio that is not uptodate is refused whole
 * (returns false): a block it filled only in part would be uptodate with
 * garbage in the rest, so the caller redoes the write with less.
 */
static bool __iomap_write_end(struct inode *inode, loff_t pos, size_t len, size_t copied,
			      struct folio *folio)
{
	size_t off = (size_t)(pos - folio_pos(folio));

	if (copied < len && !folio_test(folio, PG_uptodate))
		return false;
	iomap_set_range_uptodate(folio, off, len);
	iomap_set_range_dirty(folio, off, copied);
	folio_mark_dirty(folio); /* filemap_dirty_folio() */
	(void)inode;
	trace_folio_state(folio, "write");
	return true;
}

/* Mirrors iomap_write_end_inline(): the data lives in the inode. */
static void iomap_write_end_inline(const struct iomap_iter *iter, struct folio *folio,
				   loff_t pos, size_t copied)
{
	const struct iomap *iomap = &iter->iomap;

	memcpy((char *)iomap->inline_data + (pos - iomap->offset),
	       (char *)folio->data + (pos - folio_pos(folio)), copied);
}

/* Mirrors iomap_write_end(). */
static bool iomap_write_end(struct iomap_iter *iter, loff_t pos, size_t len, size_t copied,
			    struct folio *folio)
{
	const struct iomap *srcmap = iomap_iter_srcmap(iter);

	if (srcmap->type == IOMAP_INLINE) {
		iomap_write_end_inline(iter, folio, pos, copied);
		return true;
	}
	return __iomap_write_end(iter->inode, pos, len, copied, folio);
}

/* Bytes of @i that can be read before the simulated fault
 * (fault_in_iov_iter_readable's complement). */
static size_t iov_iter_readable(const struct iov_iter *i, size_t bytes)
{
	size_t room;

	if (i->fault_at == SIZE_MAX)
		return bytes;
	room = i->fault_at > i->consumed ? i->fault_at - i->consumed : 0;
	return min_u64(room, bytes);
}

/* Largest folio this mapping creates (mapping_max_folio_size). */
static size_t mapping_max_folio_size(struct address_space *mapping)
{
	if (__atomic_load_n(&mapping->flags, __ATOMIC_RELAXED) & AS_LARGE_FOLIO_SUPPORT)
		return PAGE_SIZE << MAX_PAGECACHE_ORDER;
	return PAGE_SIZE;
}

/*
 * Mirrors iomap_write_iter(): copy the caller's data into folios over the
 * current mapping, one folio-sized chunk at a time.  Progress wins over an
 * error: bytes written are advanced and the error is seen on the next
 * round, as the kernel's "written ? written : status".
 */
static int iomap_write_iter(struct iomap_iter *iter, struct iov_iter *i)
{
	struct address_space *mapping = iter->inode->i_mapping;
	uint64_t length = iomap_length(iter);
	size_t chunk = mapping_max_folio_size(mapping);
	loff_t pos = iter->pos;
	uint64_t total = 0;
	int status = 0;

	do {
		struct folio *folio;
		size_t offset, bytes, copied, written;
		loff_t old_size;

		bytes = iov_iter_count(i);
retry:
		offset = (size_t)pos & (chunk - 1);
		bytes = min_u64(chunk - offset, bytes);
		/* Throttle before dirtying more: may write back this mapping. */
		if (!(iter->flags & IOMAP_NOWAIT))
			balance_dirty_pages_ratelimited(mapping);
		if (bytes > length)
			bytes = (size_t)length;

		/* The kernel faults the source in first (the folio lock must
		 * not be held across a fault); nothing readable = -EFAULT. */
		if (iov_iter_readable(i, bytes) == 0) {
			status = -EFAULT;
			break;
		}

		status = iomap_write_begin(iter, pos, &bytes, &folio);
		if (status) {
			iomap_write_failed(iter->inode, pos, bytes);
			break;
		}
		if (iter->iomap.flags & IOMAP_F_STALE)
			break;

		copied = copy_from_iter((char *)folio->data + (pos - folio_pos(folio)), bytes, i);
		written = iomap_write_end(iter, pos, bytes, copied, folio) ? copied : 0;

		/*
		 * The in-memory size moves under the folio lock, after the
		 * copy: a reader that sees the new size finds the data.  The
		 * filesystem persists it after I/O completion.
		 */
		old_size = i_size_read(iter->inode);
		if (pos + (loff_t)written > old_size) {
			i_size_write(iter->inode, pos + (loff_t)written);
			iter->iomap.flags |= IOMAP_F_SIZE_CHANGED;
		}
		__iomap_put_folio(iter, pos, written, folio);

		if (written == 0) {
			/* A short copy was refused (see __iomap_write_end):
			 * give the bytes back and retry with what copied. */
			iomap_write_failed(iter->inode, pos, bytes);
			iov_iter_revert(i, copied);
			if (chunk > PAGE_SIZE)
				chunk /= 2;
			if (copied) {
				bytes = copied;
				goto retry;
			}
		} else {
			if (copied != written)
				iov_iter_revert(i, copied - written);
			pos += (loff_t)written;
			total += written;
			length -= written;
		}
	} while (iov_iter_count(i) && length);

	if (status == -EAGAIN) {
		/* NOWAIT: all or nothing for this mapping; the caller retries. */
		iov_iter_revert(i, (size_t)total);
		return -EAGAIN;
	}
	if (total)
		return iomap_iter_advance(iter, total);
	return status;
}

ssize_t iomap_file_buffered_write(struct kiocb *iocb, struct iov_iter *from,
				  const struct iomap_ops *ops)
{
	struct iomap_iter iter = {
		.inode = iocb->ki_filp->f_inode,
		.pos = iocb->ki_pos,
		.len = iov_iter_count(from),
		.flags = IOMAP_WRITE,
	};
	ssize_t ret;

	if (iocb->ki_flags & IOCB_NOWAIT)
		iter.flags |= IOMAP_NOWAIT;

	while ((ret = iomap_iter(&iter, ops)) > 0)
		iter.status = iomap_write_iter(&iter, from);

	if (iter.pos == iocb->ki_pos)
		return ret;
	ret = (ssize_t)(iter.pos - iocb->ki_pos);
	iocb->ki_pos = iter.pos;
	return ret;
}

/* ---------------------------------------------------------------------- */
/* Delalloc punching after a failed write                                  */
/* ---------------------------------------------------------------------- */

/*
 * Mirrors iomap_write_delalloc_ifs_punch(): inside a dirty folio, blocks
 * that are uptodate but clean hold no new data, so their reservation goes.
 */
static void iomap_write_delalloc_ifs_punch(struct inode *inode, struct folio *folio,
					   loff_t start_byte, loff_t end_byte,
					   struct iomap *iomap, iomap_punch_t punch)
{
	struct iomap_folio_state *ifs = folio_ifs(folio);
	unsigned blkbits = inode->i_blkbits;
	unsigned first_blk, last_blk;
	loff_t last_byte;

	if (!ifs)
		return;
	last_byte = min_s64(end_byte - 1, folio_pos(folio) + (loff_t)folio_size(folio) - 1);
	first_blk = (unsigned)((start_byte - folio_pos(folio)) >> blkbits);
	last_blk = (unsigned)((last_byte - folio_pos(folio)) >> blkbits);
	for (unsigned i = first_blk; i <= last_blk; i++)
		if (!ifs_block_is_dirty(folio, ifs, i))
			punch(inode, folio_pos(folio) + ((loff_t)i << blkbits),
			      (loff_t)1 << blkbits, iomap);
}

/* Mirrors iomap_write_delalloc_punch(). */
static void iomap_write_delalloc_punch(struct inode *inode, struct folio *folio,
				       loff_t *punch_start_byte, loff_t start_byte,
				       loff_t end_byte, struct iomap *iomap, iomap_punch_t punch)
{
	if (!folio_test(folio, PG_dirty))
		return;
	/* Dirty data here: everything before it since the last punch goes. */
	if (start_byte > *punch_start_byte)
		punch(inode, *punch_start_byte, start_byte - *punch_start_byte, iomap);
	iomap_write_delalloc_ifs_punch(inode, folio, start_byte, end_byte, iomap, punch);
	*punch_start_byte = min_s64(end_byte, folio_pos(folio) + (loff_t)folio_size(folio));
}

/* Mirrors iomap_write_delalloc_scan(): the folios of one cached data run. */
static void iomap_write_delalloc_scan(struct inode *inode, loff_t *punch_start_byte,
				      loff_t start_byte, loff_t end_byte, struct iomap *iomap,
				      iomap_punch_t punch)
{
	while (start_byte < end_byte) {
		struct folio *folio;

		if (__filemap_get_folio(inode->i_mapping, (pgoff_t)(start_byte >> PAGE_SHIFT),
					FGP_LOCK, 0, &folio)) {
			start_byte = round_down(start_byte, (loff_t)PAGE_SIZE) + (loff_t)PAGE_SIZE;
			continue;
		}
		iomap_write_delalloc_punch(inode, folio, punch_start_byte, start_byte, end_byte,
					   iomap, punch);
		start_byte = folio_pos(folio) + (loff_t)folio_size(folio);
		folio_unlock(folio);
		folio_put(folio);
	}
}

/* Mirrors iomap_write_delalloc_release(). */
static void iomap_write_delalloc_release(struct inode *inode, loff_t start_byte,
					 loff_t end_byte, struct iomap *iomap, iomap_punch_t punch)
{
	loff_t punch_start_byte = start_byte;
	loff_t scan_end_byte = min_s64(i_size_read(inode), end_byte);

	/*
	 * Exclude page faults (->page_mkwrite would dirty folios again, with
	 * no reservation behind them) while the cache is searched and the
	 * reservations are removed.
	 */
	filemap_invalidate_lock(inode->i_mapping);
	while (start_byte < scan_end_byte) {
		loff_t data_end;

		start_byte = mapping_seek_hole_data(inode->i_mapping, start_byte, scan_end_byte,
						    SEEK_DATA);
		if (start_byte < 0 || start_byte >= scan_end_byte)
			break;
		data_end = mapping_seek_hole_data(inode->i_mapping, start_byte, scan_end_byte,
						  SEEK_HOLE);
		if (data_end <= start_byte)
			break;
		iomap_write_delalloc_scan(inode, &punch_start_byte, start_byte, data_end, iomap,
					  punch);
		start_byte = data_end;
	}
	if (punch_start_byte < end_byte)
		punch(inode, punch_start_byte, end_byte - punch_start_byte, iomap);
	filemap_invalidate_unlock(inode->i_mapping);
}

void iomap_file_buffered_write_punch_delalloc(struct inode *inode, loff_t pos, loff_t length,
					      ssize_t written, unsigned flags,
					      struct iomap *iomap, iomap_punch_t punch)
{
	loff_t blocksize = (loff_t)i_blocksize(inode);
	loff_t start_byte, end_byte;

	(void)flags;
	if (iomap->type != IOMAP_DELALLOC)
		return;
	/* Only a reservation this write made may be removed. */
	if (!(iomap->flags & IOMAP_F_NEW))
		return;
	/* The first block the write did not finish (or its first block). */
	if (!written)
		start_byte = round_down(pos, blocksize);
	else
		start_byte = round_up(pos + (loff_t)written, blocksize);
	end_byte = round_up(pos + length, blocksize);
	if (start_byte >= end_byte)
		return;
	iomap_write_delalloc_release(inode, start_byte, end_byte, iomap, punch);
}

/* ---------------------------------------------------------------------- */
/* Unshare                                                                 */
/* ---------------------------------------------------------------------- */

/*
 * Mirrors iomap_want_unshare_iter(): only shared blocks with data behind
 * them (the source map is a separate MAPPED extent) need copying.
 */
static bool iomap_want_unshare_iter(const struct iomap_iter *iter)
{
	return (iter->iomap.flags & IOMAP_F_SHARED) && iter->srcmap.type == IOMAP_MAPPED;
}

/*
 * Mirrors iomap_unshare_iter(): read each folio from the shared source and
 * dirty it, so that writeback puts the data in the new (COW) space.
 */
static int iomap_unshare_iter(struct iomap_iter *iter)
{
	uint64_t length = iomap_length(iter);
	loff_t pos = iter->pos;
	uint64_t written = 0;

	if (!iomap_want_unshare_iter(iter))
		return iomap_iter_advance_full(iter);
	do {
		struct folio *folio;
		size_t bytes = (size_t)length;
		int status;
		bool ok;

		status = iomap_write_begin(iter, pos, &bytes, &folio);
		if (status)
			return status;
		if (iter->iomap.flags & IOMAP_F_STALE)
			break;
		ok = iomap_write_end(iter, pos, bytes, bytes, folio);
		__iomap_put_folio(iter, pos, bytes, folio);
		if (!ok)
			return -EIO;
		pos += (loff_t)bytes;
		written += bytes;
		length -= bytes;
		balance_dirty_pages_ratelimited(iter->inode->i_mapping);
	} while (length > 0);
	return written ? iomap_iter_advance(iter, written) : 0;
}

int iomap_file_unshare(struct inode *inode, loff_t pos, loff_t len, const struct iomap_ops *ops)
{
	struct iomap_iter iter = {
		.inode = inode,
		.pos = pos,
		.flags = IOMAP_WRITE | IOMAP_UNSHARE,
	};
	loff_t size = i_size_read(inode);
	int ret;

	if (pos < 0 || pos >= size || len <= 0)
		return 0;
	iter.len = (uint64_t)min_s64(len, size - pos);
	while ((ret = iomap_iter(&iter, ops)) > 0)
		iter.status = iomap_unshare_iter(&iter);
	return ret;
}

/* ---------------------------------------------------------------------- */
/* Zeroing                                                                 */
/* ---------------------------------------------------------------------- */

/*
 * Mirrors iomap_zero_iter(): zero the current mapping's range folio by
 * folio in the page cache; writeback later puts the zeroes on disk.
 */
static int iomap_zero_iter(struct iomap_iter *iter, bool *did_zero)
{
	uint64_t length = iomap_length(iter);
	loff_t pos = iter->pos;
	uint64_t written = 0;

	do {
		struct folio *folio;
		size_t bytes = (size_t)min_u64(length, SIZE_MAX);
		int status;
		bool ok;

		status = iomap_write_begin(iter, pos, &bytes, &folio);
		if (status)
			return status;
		if (iter->iomap.flags & IOMAP_F_STALE)
			break;
		trace_iomap_range("iomap_zero_iter", iter->inode, pos, bytes);
		memset((char *)folio->data + (pos - folio_pos(folio)), 0, bytes);
		ok = iomap_write_end(iter, pos, bytes, bytes, folio);
		__iomap_put_folio(iter, pos, bytes, folio);
		if (!ok)
			return -EIO;
		pos += (loff_t)bytes;
		written += bytes;
		length -= bytes;
	} while (length > 0);

	if (did_zero && written)
		*did_zero = true;
	return written ? iomap_iter_advance(iter, written) : 0;
}

/* Mirrors iomap_zero_iter_flush_and_stale(). */
static int iomap_zero_iter_flush_and_stale(struct iomap_iter *iter)
{
	struct address_space *mapping = iter->inode->i_mapping;
	loff_t end = iter->pos + (loff_t)iter->len - 1;

	iter->iomap.flags |= IOMAP_F_STALE;
	return filemap_write_and_wait_range(mapping, iter->pos, end);
}

/*
 * The zeroing loop: holes and unwritten space are skipped while the page
 * cache over the range is clean; if it was dirty, the first such mapping
 * writes the range back and is looked up again (the dirty data may turn
 * into written extents at I/O completion, which must then be zeroed).
 *
 *     HOLE/UNWRITTEN, cache clean ──> advance over it (no I/O, no event)
 *     HOLE/UNWRITTEN, cache dirty ──> write back, mark STALE, map again
 *     MAPPED, DELALLOC ─────────────> zero in folios (iomap_zero_iter)
 */
static int iomap_zero_range_iter(struct iomap_iter *iter, const struct iomap_ops *ops,
				 bool *range_dirty, bool *did_zero)
{
	int ret;

	/* Named as the kernel's loop in iomap_zero_range() is traced. */
	while ((ret = iomap_iter_caller(iter, ops, "iomap_zero_range")) > 0) {
		const struct iomap *srcmap = iomap_iter_srcmap(iter);

		if (srcmap->type == IOMAP_HOLE || srcmap->type == IOMAP_UNWRITTEN) {
			if (*range_dirty) {
				*range_dirty = false;
				iter->status = iomap_zero_iter_flush_and_stale(iter);
			} else {
				iter->status = iomap_iter_advance_full(iter);
			}
			continue;
		}
		iter->status = iomap_zero_iter(iter, did_zero);
	}
	return ret;
}

/*
 * The head step of iomap_zero_range(): every mapping zeroed in folios.
 * Traced with caller iomap_zero_range, as the kernel's loop sits there.
 */
static int iomap_zero_range_head(struct iomap_iter *iter, const struct iomap_ops *ops,
				 bool *did_zero)
{
	int ret;

	while ((ret = iomap_iter_caller(iter, ops, "iomap_zero_range")) > 0)
		iter->status = iomap_zero_iter(iter, did_zero);
	return ret;
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
	loff_t blocksize = (loff_t)i_blocksize(inode);
	loff_t off = pos & (blocksize - 1);
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
	 * A dirty, unaligned head block (the usual partial EOF block) is
	 * zeroed in its folio first, whatever the mapping, so that zeroing
	 * it does not flush the whole range.
	 */
	if (off) {
		loff_t plen = min_s64(len, blocksize - off);

		if (filemap_range_needs_writeback(mapping, pos, pos + plen - 1)) {
			iter.len = (uint64_t)plen;
			ret = iomap_zero_range_head(&iter, ops, did_zero);
			iter.len = (uint64_t)(len - (iter.pos - pos));
			if (ret || !iter.len)
				return ret;
		}
	}

	/* Flush only if the cache is dirty and a mapping would convert later. */
	range_dirty = filemap_range_needs_writeback(mapping, iter.pos,
						    iter.pos + (loff_t)iter.len - 1);
	return iomap_zero_range_iter(&iter, ops, &range_dirty, did_zero);
}

int iomap_truncate_page(struct inode *inode, loff_t pos, bool *did_zero,
			const struct iomap_ops *ops)
{
	loff_t blocksize = (loff_t)i_blocksize(inode);
	loff_t off = pos & (blocksize - 1);

	/* On a block boundary nothing of the block survives: no work. */
	if (!off)
		return 0;
	return iomap_zero_range(inode, pos, blocksize - off, did_zero, ops);
}

/* ---------------------------------------------------------------------- */
/* Write faults on shared mappings                                         */
/* ---------------------------------------------------------------------- */

/*
 * Mirrors folio_mkwrite_check_truncate(): how many bytes of @folio lie
 * below EOF, or -EFAULT if the folio left the mapping or starts at or past
 * EOF (truncation raced the fault; the caller retries the access).
 */
static ssize_t folio_mkwrite_check_truncate(struct folio *folio, struct inode *inode)
{
	loff_t size = i_size_read(inode);
	loff_t fpos = folio_pos(folio);

	if (__atomic_load_n(&folio->mapping, __ATOMIC_ACQUIRE) != inode->i_mapping)
		return -EFAULT;
	if (fpos + (loff_t)folio_size(folio) <= size)
		return (ssize_t)folio_size(folio);
	if (fpos >= size)
		return -EFAULT;
	return (ssize_t)(size - fpos);
}

/*
 * Mirrors iomap_folio_mkwrite_iter(): ->iomap_begin has reserved or
 * allocated space for this part of the folio (a delalloc reservation on
 * extentfs); dirtying every block now means writeback will find them.
 * The folio was read by the fault, so it is uptodate.
 */
static int iomap_folio_mkwrite_iter(struct iomap_iter *iter, struct folio *folio)
{
	iomap_dirty_folio(iter->inode->i_mapping, folio);
	return iomap_iter_advance_full(iter);
}

vm_fault_t iomap_page_mkwrite(struct vm_fault *vmf, const struct iomap_ops *ops)
{
	struct folio *folio = vmf->folio;
	struct iomap_iter iter = {
		.inode = vmf->vma->file->f_inode,
		.flags = IOMAP_WRITE | IOMAP_FAULT,
	};
	ssize_t len;
	int ret;

	folio_lock(folio);
	len = folio_mkwrite_check_truncate(folio, iter.inode);
	if (len < 0) {
		ret = (int)len;
		goto out_unlock;
	}
	/* Only the part below EOF gets space: blocks past it hold no data. */
	iter.pos = folio_pos(folio);
	iter.len = (uint64_t)len;
	while ((ret = iomap_iter(&iter, ops)) > 0)
		iter.status = iomap_folio_mkwrite_iter(&iter, folio);
	if (ret < 0)
		goto out_unlock;
	/*
	 * folio_wait_stable(): a device that needs stable pages would make us
	 * wait for writeback here; ours checksum nothing, so stores may race
	 * an I/O in flight exactly as on most kernel block devices.
	 */
	return VM_FAULT_LOCKED;
out_unlock:
	folio_unlock(folio);
	return vmf_fs_error(ret);
}
