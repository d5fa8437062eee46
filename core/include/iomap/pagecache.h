/**
 * @file pagecache.h
 * @brief Folios, the address_space that indexes them, and errseq.
 *
 * An address_space holds the cached folios of one inode, indexed by page
 * offset in an ordered tree with O(log n) lookup, insert and removal
 * (core/kernel/filemap.c).  A folio covers `1 << order` pages starting at
 * `index` (index is a multiple of the folio's page count).
 *
 * Folio state machine (flags; arrows name the function that moves it):
 *
 *     absent --__filemap_get_folio(FGP_CREAT)--> present, !uptodate
 *     !uptodate --folio_mark_uptodate--> uptodate
 *     uptodate --filemap_dirty_folio--> dirty
 *     dirty --folio_clear_dirty_for_io + folio_start_writeback--> writeback
 *     writeback --folio_end_writeback--> clean (uptodate)
 *     any, unlocked, !dirty, !writeback --filemap_remove_folio--> absent
 *
 * Invariants (numbered, checked by folio_check()):
 *   (1) a dirty folio is uptodate or has per-block state (private) saying
 *       which blocks are;
 *   (2) a folio under writeback is not locked by the writeback path after
 *       submission;
 *   (3) `index` is a multiple of `1 << order`;
 *   (4) a folio anyone can reach has `refcount` >= 1 (the page cache holds
 *       one reference while the folio is in the index);
 *   (5) a folio in a mapping (`mapping` != NULL) is in its index
 *       (`tree_node` != NULL), and a removed one is in none.
 *
 * Locking: the folio lock (class "folio_lock", level OPERATION) protects
 * `data`, `private` and the flag bits except PG_writeback, which changes
 * under the folio's wait lock only.  `mapping->i_pages_lock` protects the
 * index and `nrpages`.  `invalidate_lock` must be held shared to insert
 * folios and exclusive to remove them below EOF (design.rst).
 *
 * The buffered I/O issue fills in the per-block state (`private` points to
 * a `struct iomap_folio_state`); this layer only stores the pointer.
 */
#ifndef IOMAP_PAGECACHE_H
#define IOMAP_PAGECACHE_H

#include <pthread.h>

#include "lock.h"
#include "types.h"

struct address_space;
struct file;
struct inode;
struct kiocb;
struct iov_iter;
struct readahead_control;
struct writeback_control;

/**
 * @name Folio flag bits (`folio->flags`)
 * @{
 */
#define PG_locked 0     /**< folio lock held */
#define PG_uptodate 1   /**< contents at least as new as the disk */
#define PG_dirty 2      /**< contents newer than the disk */
#define PG_writeback 3  /**< writeback I/O in flight */
#define PG_error 4      /**< last I/O failed */
#define PG_readahead 5  /**< reaching this folio starts the next readahead window */
/** @} */

/** A folio: a power-of-two, naturally aligned run of pages. */
struct folio {
	struct address_space *mapping; /**< owner, NULL once removed */
	pgoff_t index;                 /**< first page index */
	unsigned order;                /**< log2 of the number of pages */
	unsigned long flags;           /**< PG_* bits (atomic ops) */
	int refcount;                  /**< references (atomic ops) */
	void *data;                    /**< folio_size() bytes of contents */
	void *private;                 /**< iomap_folio_state, set by iomap */
	pthread_mutex_t wait_lock;     /**< protects sleeping on PG_locked/PG_writeback */
	pthread_cond_t wait;           /**< broadcast when those bits clear */
	void *tree_node;               /**< filemap's index node (internal) */
	uint64_t lock_instance;        /**< instance number of the folio lock (events) */
	int lock_owner;                /**< ref_thread_id() of the PG_locked holder, 0 if none */
};

/**
 * Largest folio order the page cache creates (the kernel's
 * MAX_PAGECACHE_ORDER on x86-64: a PMD, 2 MiB).
 */
#define MAX_PAGECACHE_ORDER 9

/** @return bytes in @p folio @param folio the folio */
static inline size_t folio_size(const struct folio *folio)
{
	return PAGE_SIZE << folio->order;
}
/** @return pages in @p folio @param folio the folio */
static inline unsigned long folio_nr_pages(const struct folio *folio)
{
	return 1ul << folio->order;
}
/** @return file position of the folio's first byte @param folio the folio */
static inline loff_t folio_pos(const struct folio *folio)
{
	return (loff_t)folio->index << PAGE_SHIFT;
}
/** @return whether flag bit @p bit is set @param folio folio @param bit PG_* */
static inline bool folio_test(const struct folio *folio, int bit)
{
	return (__atomic_load_n(&folio->flags, __ATOMIC_ACQUIRE) >> bit) & 1;
}

/**
 * Error sequence counter (the kernel's errseq_t): a writeback error recorded
 * once can be reported once to each file description that samples it.
 * Bits 0..11: -errno of the last error; bit 12: "seen"; bits 13..: counter.
 */
typedef uint32_t errseq_t;
/**
 * Record error @p err in @p eseq.
 * @param eseq counter; @param err negative errno (0 does nothing)
 * @return the new value
 */
errseq_t errseq_set(errseq_t *eseq, int err);
/**
 * Sample the counter when a file is opened.
 * @param eseq counter
 * @return the value to keep in the file
 */
errseq_t errseq_sample(errseq_t *eseq);
/**
 * Return an error recorded since @p since (once), and advance @p since.
 * @param eseq the mapping's counter
 * @param since the file's sampled value (updated)
 * @return 0 or the negative errno
 */
int errseq_check_and_advance(errseq_t *eseq, errseq_t *since);

/** Address space operations (the subset iomap users wire up). */
struct address_space_operations {
	/** Read one locked folio (iomap_read_folio); unlocks it when done. */
	int (*read_folio)(struct file *file, struct folio *folio);
	/** Read the locked folios of @p rac (iomap_readahead); unlocks each. */
	void (*readahead)(struct readahead_control *rac);
	/** Write dirty folios back (iomap_writepages). */
	int (*writepages)(struct address_space *mapping, struct writeback_control *wbc);
	/** Whether [from, from+count) of the folio is uptodate. */
	bool (*is_partially_uptodate)(struct folio *folio, size_t from, size_t count);
	/** Mark a folio dirty (iomap_dirty_folio). */
	bool (*dirty_folio)(struct address_space *mapping, struct folio *folio);
	/** Try to release private state before freeing (iomap_release_folio). */
	bool (*release_folio)(struct folio *folio);
	/** Drop private state of a removed range (iomap_invalidate_folio). */
	void (*invalidate_folio)(struct folio *folio, size_t offset, size_t len);
};

/** Flags in `address_space->flags`. */
#define AS_EIO (1u << 0)               /**< a writeback error occurred (legacy) */
#define AS_ENOSPC (1u << 1)            /**< an ENOSPC writeback error occurred */
#define AS_LARGE_FOLIO_SUPPORT (1u << 2) /**< mapping_set_large_folios() */

/** The page cache of one inode. */
struct address_space {
	struct inode *host;              /**< owning inode */
	struct rw_semaphore invalidate_lock; /**< see file comment */
	pthread_mutex_t i_pages_lock;    /**< protects the index and nrpages */
	void *i_pages;                   /**< ordered index of folios (filemap.c) */
	unsigned long nrpages;           /**< pages cached */
	errseq_t wb_err;                 /**< writeback errors for fsync */
	unsigned flags;                  /**< AS_* */
	const struct address_space_operations *a_ops; /**< may be NULL */
};

/** Writeback control: which range and how urgently. */
struct writeback_control {
	loff_t range_start;  /**< first byte */
	loff_t range_end;    /**< last byte (inclusive) */
	bool sync_all;       /**< WB_SYNC_ALL: wait for folios already under writeback */
	long nr_to_write;    /**< pages left to write (decremented) */
};

/**
 * @name __filemap_get_folio() flags
 * @{
 */
#define FGP_LOCK (1u << 0)   /**< return the folio locked */
#define FGP_CREAT (1u << 1)  /**< create it if absent */
#define FGP_WRITE (1u << 2)  /**< the caller will write to it */
#define FGP_NOWAIT (1u << 3) /**< do not sleep; -EAGAIN instead */
/** @} */

/**
 * Initialise @p mapping for @p host.
 * @param mapping the address space; @param host its inode
 */
void address_space_init(struct address_space *mapping, struct inode *host);
/**
 * Free every folio and the index (the inode is going away).
 * @param mapping the address space
 */
void address_space_destroy(struct address_space *mapping);
/** Allow large folios in @p mapping. @param mapping the address space */
void mapping_set_large_folios(struct address_space *mapping);
/**
 * Find the folio covering page @p index and take a reference.
 * @param mapping where to look; @param index page index
 * @return the folio or NULL
 */
struct folio *filemap_get_folio(struct address_space *mapping, pgoff_t index);
/**
 * Find or create the folio covering @p index.
 * @param mapping  where
 * @param index    page index
 * @param fgp      FGP_* flags
 * @param order    order of a folio created here (clamped so that it is
 *                 naturally aligned and does not overlap a neighbour)
 * @param out      the folio, with a reference (and locked with FGP_LOCK)
 * @return 0, -ENOENT if absent and !FGP_CREAT, -EAGAIN for FGP_NOWAIT, -ENOMEM
 */
int __filemap_get_folio(struct address_space *mapping, pgoff_t index, unsigned fgp,
			unsigned order, struct folio **out);
/**
 * Find the first folio that covers a page in [@p start, @p end] and take a
 * reference.
 * @param mapping where; @param start first index; @param end last index
 * @return the folio or NULL
 */
struct folio *filemap_find_next_folio(struct address_space *mapping, pgoff_t start,
				      pgoff_t end);
/**
 * Remove a clean folio from its mapping and drop the cache's reference.
 * The caller still holds its own reference.  The caller may hold the folio
 * lock (truncation does); a dirty folio loses its dirty bit (the data is
 * being thrown away).
 * @param folio the folio
 */
void filemap_remove_folio(struct folio *folio);
/**
 * Allocate a zero-filled folio of `1 << order` pages, not in any mapping,
 * with one reference (the kernel's filemap_alloc_folio()).
 * @param order log2 of the number of pages, <= ::MAX_PAGECACHE_ORDER
 * @return the folio, or NULL on ENOMEM
 */
struct folio *filemap_alloc_folio(unsigned order);
/** Take a reference. @param folio the folio */
void folio_get(struct folio *folio);
/** Drop a reference; frees the folio when it reaches zero. @param folio the folio */
void folio_put(struct folio *folio);
/** Lock @p folio, sleeping if needed (validated). @param folio the folio */
void folio_lock(struct folio *folio);
/** @return 1 if locked, 0 if busy @param folio the folio */
int folio_trylock(struct folio *folio);
/** Unlock @p folio and wake waiters. @param folio the folio */
void folio_unlock(struct folio *folio);
/** Set PG_uptodate. @param folio the folio (locked) */
void folio_mark_uptodate(struct folio *folio);
/** Set PG_dirty directly (filemap_dirty_folio). @param folio the folio @return true if it was clean */
bool folio_mark_dirty(struct folio *folio);
/** Clear PG_dirty before writeback. @param folio locked folio @return true if it was dirty */
bool folio_clear_dirty_for_io(struct folio *folio);
/** Set PG_writeback. @param folio locked folio */
void folio_start_writeback(struct folio *folio);
/** Clear PG_writeback and wake waiters. @param folio the folio */
void folio_end_writeback(struct folio *folio);
/** Sleep until PG_writeback is clear. @param folio the folio */
void folio_wait_writeback(struct folio *folio);
/**
 * Check the folio invariants of this file's comment.  Invariant (2) is
 * checked as "not under writeback while locked by the calling thread", so
 * call this after the writeback path has unlocked the folio.
 * @param folio the folio
 * @return 0, or the number of the first invariant broken
 */
int folio_check(const struct folio *folio);
/**
 * Check the page-cache index of @p mapping: ordered, balanced, folios
 * non-overlapping, `nrpages` equal to the pages indexed (for tests).
 * @param mapping the address space
 * @return the height of the index tree (0 when empty), or -EUCLEAN if the
 *         index is inconsistent
 */
int filemap_index_check(struct address_space *mapping);

/**
 * Record a writeback error in @p mapping (errseq and AS_* flags).
 * @param mapping where; @param err negative errno
 */
void mapping_set_error(struct address_space *mapping, int err);
/**
 * Write back dirty folios in [@p start, @p end] through a_ops->writepages
 * and wait for writeback to finish.
 * @param mapping where; @param start first byte; @param end last byte
 * @return 0 or the first error (without consuming the errseq)
 */
int filemap_write_and_wait_range(struct address_space *mapping, loff_t start, loff_t end);
/**
 * Start data integrity writeback (WB_SYNC_ALL) of the dirty folios in
 * [@p start, @p end] through a_ops->writepages, as the kernel's
 * filemap_fdatawrite_range: every dirty folio of the range is written, and
 * a folio already under writeback is waited for and written again.  The
 * I/O itself is not waited for; in deterministic mode the filesystem may
 * deliver the completions before ->writepages returns (extentfs does after
 * a WB_SYNC_ALL pass).  sync_file_range(2) with
 * SYNC_FILE_RANGE_WRITE_AND_WAIT and filemap_write_and_wait_range() use it.
 * @param mapping where; @param start first byte; @param end last byte
 * (inclusive, LLONG_MAX for "to the end")
 * @return 0 or the error ->writepages returned
 * @pre no folio lock held (writeback locks folios)
 */
int filemap_fdatawrite_range(struct address_space *mapping, loff_t start, loff_t end);
/**
 * Start writeback (WB_SYNC_NONE) of every dirty folio in [@p start,
 * @p end] that is not under writeback already, and wait for nothing, as
 * the kernel's filemap_fdatawrite_range_kick (what sync_file_range(2)
 * with SYNC_FILE_RANGE_WRITE alone calls).  The call returns with the I/O
 * in flight: in deterministic mode the bios stay queued on the device
 * until someone waits (folio_wait_writeback(), folio_lock(), fsync), and
 * ioends of several such passes may then complete, and merge, together.
 * @param mapping where; @param start first byte; @param end last byte
 * (inclusive, LLONG_MAX for "to the end")
 * @return 0 or the error ->writepages returned
 * @pre no folio lock held (writeback locks folios)
 */
int filemap_fdatawrite_range_kick(struct address_space *mapping, loff_t start, loff_t end);
/**
 * Wait for writeback of the folios in [@p start, @p end] to finish (the
 * kernel's filemap_fdatawait_range) and report the mapping's legacy AS_*
 * error flags, clearing them.  Starts no I/O.
 * @param mapping where; @param start first byte; @param end last byte
 * @return 0, -EIO or -ENOSPC
 */
int filemap_fdatawait_range(struct address_space *mapping, loff_t start, loff_t end);
/**
 * Report a writeback error recorded in the file's mapping since @p file
 * last looked (errseq), once, and clear the legacy AS_* flags (the
 * kernel's file_check_and_advance_wb_err).
 * @param file the open file (its f_wb_err advances)
 * @return 0 or the negative errno
 */
int file_check_and_advance_wb_err(struct file *file);
/**
 * Wait for writeback of [@p start, @p end] of @p file's mapping, then
 * file_check_and_advance_wb_err() (the kernel's file_fdatawait_range, what
 * sync_file_range(2)'s WAIT flags call).
 * @param file the open file; @param start first byte; @param end last byte
 * @return 0 or the negative errno of a writeback error not yet reported
 *         to this file
 */
int file_fdatawait_range(struct file *file, loff_t start, loff_t end);
/**
 * Whether any folio in [@p start, @p end] is dirty or under writeback.
 * @param mapping where; @param start first byte; @param end last byte
 * @return true if writeback is needed or in flight
 */
bool filemap_range_needs_writeback(struct address_space *mapping, loff_t start, loff_t end);
/**
 * Search the page cache for data or a hole (the kernel's
 * mapping_seek_hole_data): an uptodate folio (or, for a folio with
 * per-block state, an uptodate block, asked through
 * a_ops->is_partially_uptodate) counts as data; anything else is a hole.
 * @param mapping where
 * @param start   first byte to look at
 * @param end     one past the last byte
 * @param whence  SEEK_DATA or SEEK_HOLE
 * @return the byte position found, or @p end if none (for SEEK_DATA the
 *         caller treats @p end as "no data")
 */
loff_t mapping_seek_hole_data(struct address_space *mapping, loff_t start, loff_t end,
			      int whence);
/**
 * Remove every folio covering bytes [@p start, @p end] (truncate_pagecache_range);
 * partial folios at the edges are zeroed in the range instead.
 * @param mapping where; @param start first byte; @param end last byte
 */
void truncate_pagecache_range(struct address_space *mapping, loff_t start, loff_t end);
/**
 * Invalidate clean folios in [@p start, @p end] (invalidate_inode_pages2_range).
 * @param mapping where; @param start first page; @param end last page
 * @return 0, or -EBUSY if a folio could not be removed (dirty, locked, writeback)
 */
int invalidate_inode_pages2_range(struct address_space *mapping, pgoff_t start, pgoff_t end);

/**
 * @name Reads through the page cache (mm/filemap.c, mm/readahead.c)
 *
 * filemap_read() is the buffered half of read(2): for each folio of the
 * range it looks in the cache, starts readahead on a miss (synchronous) or
 * on reaching the PG_readahead marker folio (asynchronous), waits for the
 * folio to become uptodate, and copies to the caller.
 *
 * The readahead window (struct file_ra_state, core/kernel/readahead.c):
 *
 *                          |<------- async_size -------|
 *     |------------------------ size ----------------->|
 *     |====================#===========================|
 *     ^start               ^folio marked PG_readahead
 *
 * A cache miss at the start of the file, or right after the previous read
 * (ra->prev_pos), opens a window of the request rounded up to a power of
 * two pages, times 4 when tiny and times 2 when small, capped at ra_pages
 * (a 4 KiB read opens 4 pages; the kernel's get_init_ra_size).  Reaching
 * the marked folio starts the next window right after this one, 4x or 2x
 * larger up to ra_pages (32 pages = 128 KiB, the kernel's default), so a
 * sequential 4 KiB scan reads windows of 4, 8, 16, 32, 32... pages.  A
 * random read reads only what it asked for and leaves the window alone.
 * @{
 */
/** Default largest readahead window in pages (VM_READAHEAD_PAGES: 128 KiB). */
#define VM_READAHEAD_PAGES 32
/** Per-file readahead state (the kernel's struct file_ra_state). */
struct file_ra_state {
	pgoff_t start;        /**< first page of the current window */
	unsigned size;        /**< pages in the current window */
	unsigned async_size;  /**< start the next window when this many are left */
	unsigned ra_pages;    /**< largest window (default 32) */
	loff_t prev_pos;      /**< end of the previous read, for sequential detection */
};
/** One readahead request: a run of locked, !uptodate folios in the cache. */
struct readahead_control {
	struct file *file;             /**< file being read (may be NULL) */
	struct address_space *mapping; /**< its page cache */
	struct file_ra_state *ra;      /**< its readahead state (may be NULL) */
	pgoff_t _index;                /**< first page not yet handed out */
	unsigned _nr_pages;            /**< pages left in the request */
	unsigned _batch_count;         /**< pages of the folio handed out last */
};
/**
 * Next folio of the request, locked; the request's reference is dropped
 * (the page cache still holds the folio).  The caller unlocks it once it
 * is read (the kernel's readahead_folio).
 * @param rac the request
 * @return the folio or NULL at the end
 */
struct folio *readahead_folio(struct readahead_control *rac);
/** @return page index of the request's next folio @param rac the request */
static inline pgoff_t readahead_index(const struct readahead_control *rac)
{
	return rac->_index;
}
/** @return file position of the request's next byte @param rac the request */
static inline loff_t readahead_pos(const struct readahead_control *rac)
{
	return (loff_t)rac->_index << PAGE_SHIFT;
}
/** @return bytes left in the request @param rac the request */
static inline size_t readahead_length(const struct readahead_control *rac)
{
	return (size_t)rac->_nr_pages << PAGE_SHIFT;
}
/** @return pages left in the request @param rac the request */
static inline unsigned readahead_count(const struct readahead_control *rac)
{
	return rac->_nr_pages;
}
/**
 * Initialise a file's readahead state (the kernel's file_ra_state_init,
 * called by open): largest window ::VM_READAHEAD_PAGES, no previous read.
 * A zeroed state (ra_pages 0) means "readahead off": each miss then reads
 * just the pages asked for.
 * @param ra the state (in struct file); @param mapping the file's page cache
 */
void file_ra_state_init(struct file_ra_state *ra, struct address_space *mapping);
/**
 * Synchronous readahead after a cache miss at readahead_index(@p rac)
 * (the kernel's page_cache_sync_ra): decides the window from @p rac->ra
 * (see above), adds locked !uptodate folios for the uncached pages of it
 * below EOF (large ones if the mapping allows) and hands them to
 * a_ops->readahead (or a_ops->read_folio one by one).  Does not wait for
 * the I/O.  Emits `page_cache_sync_ra`.
 * @param rac the request: file, ra, mapping set, _index = the missing page,
 *            _nr_pages = 0
 * @param req_count pages the caller's read still covers from that page
 * @pre i_rwsem may be held; no folio lock and not invalidate_lock held
 */
void page_cache_sync_ra(struct readahead_control *rac, unsigned long req_count);
/**
 * Asynchronous readahead on reaching @p folio, marked PG_readahead (the
 * kernel's page_cache_async_ra): clears the mark and, if the window is
 * the one expected, reads the next window (larger) right after it.
 * Emits `page_cache_async_ra`.
 * @param rac the request with _index = @p folio->index
 * @param folio the marked folio (a reference held, not locked)
 * @param req_count pages the caller's read still covers from the folio
 * @pre as for page_cache_sync_ra()
 */
void page_cache_async_ra(struct readahead_control *rac, struct folio *folio,
			 unsigned long req_count);
/**
 * Insert a new folio (from filemap_alloc_folio()) into @p mapping at
 * @p index, locked, as the kernel's filemap_add_folio does: the cache takes
 * its own reference, the caller keeps its one.  Unlike __filemap_get_folio()
 * it never returns an existing folio.
 * @param mapping where; @param folio the new folio (not in any mapping)
 * @param index first page, a multiple of the folio's page count
 * @return 0 (folio locked and indexed), -EEXIST if a page of the range is
 *         cached already, -ENOMEM
 * @pre invalidate_lock held shared if truncation may run concurrently
 */
int filemap_add_folio(struct address_space *mapping, struct folio *folio, pgoff_t index);
/**
 * Buffered read of iov_iter_count(@p to) bytes at iocb->ki_pos (the
 * kernel's filemap_read): readahead, a_ops->read_folio, copy.  Stops at
 * EOF (a read across EOF is short, one at or past EOF returns 0); advances
 * ki_pos and sets f_ra.prev_pos.  With IOCB_NOWAIT (or IOCB_NOIO), -EAGAIN
 * where I/O or sleeping would be needed.  A folio that stays !uptodate after
 * a_ops->read_folio gives -EIO (and shrinks the readahead window, as
 * shrink_readahead_size_eio does).
 * @param iocb the request; @param to destination
 * @param already_read bytes a previous step already read (added)
 * @return bytes read (+ @p already_read), 0 at EOF, or -errno
 */
ssize_t filemap_read(struct kiocb *iocb, struct iov_iter *to, ssize_t already_read);
/** @} */

/**
 * @name Dirty limits and background writeback (mm/page-writeback.c)
 * @{
 */
/**
 * Account dirtied pages and, when the dirty bytes of all mappings pass the
 * background limit, write back @p mapping's dirty folios before returning
 * (the kernel's balance_dirty_pages_ratelimited, simplified: the writer
 * itself does the work a flusher thread would).
 * @param mapping the mapping a write just dirtied
 */
void balance_dirty_pages_ratelimited(struct address_space *mapping);
/**
 * Set the background dirty limit (bytes of dirty page cache, all mappings;
 * default 64 MiB) — tests use a small one.
 * @param bytes the new limit
 * @return the previous limit
 */
uint64_t vm_dirty_background_bytes_set(uint64_t bytes);
/** @return dirty page cache bytes of all mappings right now */
uint64_t global_dirty_bytes(void);
/** @} */

#endif /* IOMAP_PAGECACHE_H */
