/**
 * @file internal.h
 * @brief What core/iomap's files share and nobody else may use (mirrors
 *        fs/iomap/internal.h plus the ifs helpers of buffered-io.c).
 *
 * `struct iomap_folio_state` (ifs) is the per-block state of a folio that
 * holds more than one filesystem block.  buffered-io.c owns it (creates,
 * frees, changes the bits); ioend.c (writeback) reads the dirty bits, clears
 * them block by block and counts write_bytes_pending.
 *
 * Layout of `state[]`, n = blocks per folio (i_blocks_per_folio):
 *
 *     bit:    0 .. n-1           n .. 2n-1
 *             uptodate[block]    dirty[block]
 *
 * Locking: `state_lock` protects `state[]`; the two byte counters are
 * atomics.  The folio lock must be held to create or free the ifs and to
 * set dirty bits; completion contexts (read or write bios ending) take only
 * state_lock.
 *
 * A caller must never: call the ifs_* helpers on a folio without an ifs
 * (use the iomap_* wrappers, which handle the single-block folio); free the
 * ifs while read_bytes_pending or write_bytes_pending is non-zero.
 */
#ifndef IOMAP_CORE_INTERNAL_H
#define IOMAP_CORE_INTERNAL_H

#include <iomap/iomap.h>

/** Per-folio block state (the kernel's struct iomap_folio_state). */
struct iomap_folio_state {
	pthread_mutex_t state_lock;   /**< protects state[] */
	unsigned read_bytes_pending;  /**< bytes of read I/O in flight (atomic) */
	unsigned write_bytes_pending; /**< bytes of writeback in flight (atomic, biased while adding) */
	unsigned nr_blocks;           /**< n: blocks in the folio */
	unsigned long state[];        /**< 2n bits: see the file comment */
};

/** @return blocks of @p inode in @p folio @param inode file @param folio folio */
static inline unsigned i_blocks_per_folio(const struct inode *inode, const struct folio *folio)
{
	return (unsigned)(folio_size(folio) >> inode->i_blkbits);
}

/**
 * The folio's ifs, allocating it (uptodate bits from PG_uptodate, dirty
 * bits from PG_dirty) if the folio has more than one block and none yet
 * (ifs_alloc).
 * @pre folio locked.
 * @param inode file; @param folio folio
 * @return the ifs, or NULL for a single-block folio
 */
struct iomap_folio_state *ifs_alloc(struct inode *inode, struct folio *folio);
/** @return the folio's ifs or NULL @param folio the folio */
static inline struct iomap_folio_state *folio_ifs(const struct folio *folio)
{
	return (struct iomap_folio_state *)folio->private;
}
/**
 * Whether block @p block of the folio is dirty.
 * @param folio folio with an ifs; @param ifs its state; @param block index
 * @return true if dirty
 */
bool ifs_block_is_dirty(struct folio *folio, struct iomap_folio_state *ifs, unsigned block);
/**
 * Whether block @p block is uptodate.
 * @param ifs the state; @param block index
 * @return true if uptodate
 */
bool ifs_block_is_uptodate(struct iomap_folio_state *ifs, unsigned block);
/**
 * Mark bytes [off, off + len) of the folio uptodate (whole blocks they
 * cover), and the folio if every block now is (iomap_set_range_uptodate;
 * handles a folio without ifs).
 * @param folio the folio; @param off offset in it; @param len bytes
 */
void iomap_set_range_uptodate(struct folio *folio, size_t off, size_t len);
/**
 * Clear the dirty bits of bytes [off, off + len) of the folio
 * (iomap_clear_range_dirty; no-op without ifs).
 * @param folio the folio; @param off offset in it; @param len bytes
 */
void iomap_clear_range_dirty(struct folio *folio, size_t off, size_t len);
/**
 * Set the dirty bits of bytes [off, off + len) (iomap_set_range_dirty).
 * @param folio the folio; @param off offset in it; @param len bytes
 */
void iomap_set_range_dirty(struct folio *folio, size_t off, size_t len);
/**
 * Find the first run of dirty blocks in [*range_start, range_end) of the
 * folio (ifs_find_dirty_range / iomap_find_dirty_range).
 * @param folio the folio (locked); @param range_start in: where to look
 *        (file position), out: start of the run
 * @param range_end end of the search (file position)
 * @return bytes in the run, 0 if none
 */
unsigned iomap_find_dirty_range(struct folio *folio, uint64_t *range_start, uint64_t range_end);
/**
 * Check the ifs invariants (iomap.h, "Buffered I/O", (1)..(3)).
 * @param folio the folio
 * @return 0, or the number of the invariant broken
 */
int ifs_check(struct folio *folio);
/**
 * Emit the reference-only `folio_state` event: the folio's flags and, with
 * an ifs, its uptodate and dirty bitmaps as strings of 0/1 ("1100"), so
 * the visualiser can draw them.  Called after every change.
 * @param folio the folio; @param why what changed (e.g. "write", "read_done")
 */
void trace_folio_state(struct folio *folio, const char *why);

#endif /* IOMAP_CORE_INTERNAL_H */
