/**
 * @file iomap.h
 * @brief The iomap library: `struct iomap`, `struct iomap_ops`, the
 *        iterator, and every iomap entry point implemented so far.
 *
 * This is the reference's counterpart of the kernel's `include/linux/iomap.h`.
 * The API follows the seed documents (kernel 6.10/6.11 era); the numeric
 * values of flags follow Linux 6.18 so that traces print the same numbers.
 * docs/API-MAP.md maps each name to its 6.18 spelling.
 *
 * How an operation runs (design.rst, "How Is This Better?"):
 *
 *     struct iomap_iter iter = { .inode = inode, .pos = pos, .len = len,
 *                                .flags = IOMAP_REPORT };
 *     while ((ret = iomap_iter(&iter, ops)) > 0)
 *             iter.status = do_something(&iter);   // advances iter.pos
 *
 * iomap_iter() calls `->iomap_end` for the previous mapping (if any), stops
 * when the range is done, nothing was advanced, or `status` is an error, and
 * otherwise calls `->iomap_begin` for the next mapping.  A mapping marked
 * ::IOMAP_F_STALE is looked up again even though nothing advanced.
 *
 * Locking: iomap takes no filesystem lock.  Callers hold what the seed's
 * section for each operation says (e.g. i_rwsem shared for FIEMAP); the
 * filesystem takes its mapping lock inside ->iomap_begin / ->iomap_end.
 */
#ifndef IOMAP_IOMAP_H
#define IOMAP_IOMAP_H

#include <linux/fiemap.h>

#include "bio.h"
#include "fs.h"
#include "types.h"

struct iomap_iter;
struct readahead_control;

/**
 * @name Mapping types (`iomap->type`)
 * @{
 */
#define IOMAP_HOLE 0      /**< no storage allocated; addr = IOMAP_NULL_ADDR */
#define IOMAP_DELALLOC 1  /**< delayed allocation reservation; addr = IOMAP_NULL_ADDR */
#define IOMAP_MAPPED 2    /**< maps to allocated, written space */
#define IOMAP_UNWRITTEN 3 /**< maps to allocated space that reads as zeroes */
#define IOMAP_INLINE 4    /**< data lives in `inline_data` */
/** @} */

/**
 * @name Mapping flags set by the filesystem (`iomap->flags`)
 * @{
 */
#define IOMAP_F_NEW (1u << 0)         /**< space newly allocated */
#define IOMAP_F_DIRTY (1u << 1)       /**< uncommitted metadata: fdatasync needed */
#define IOMAP_F_SHARED (1u << 2)      /**< space is shared: copy on write */
#define IOMAP_F_MERGED (1u << 3)      /**< contiguous mappings were merged (FIEMAP) */
#define IOMAP_F_BUFFER_HEAD (1u << 4) /**< use buffer heads (not supported here) */
#define IOMAP_F_XATTR (1u << 5)       /**< mapping of extended attribute data (FIEMAP) */
#define IOMAP_F_BOUNDARY (1u << 6)    /**< do not merge I/O across this mapping (6.12+) */
#define IOMAP_F_ANON_WRITE (1u << 7)  /**< address chosen at submission (6.14+) */
#define IOMAP_F_ATOMIC_BIO (1u << 8)  /**< issue as an atomic bio (6.15+) */
#define IOMAP_F_PRIVATE (1u << 12)    /**< first bit free for the filesystem */
/** @} */
/**
 * @name Mapping flags set by iomap itself
 * @{
 */
#define IOMAP_F_SIZE_CHANGED (1u << 14) /**< the file size changed */
#define IOMAP_F_STALE (1u << 15)        /**< mapping went stale: look it up again */
/** @} */

/** `addr` value for mappings without storage. */
#define IOMAP_NULL_ADDR UINT64_MAX

/**
 * @name Operation flags passed to ->iomap_begin (`iter->flags`)
 * @{
 */
#define IOMAP_WRITE (1u << 0)          /**< writing, must allocate */
#define IOMAP_ZERO (1u << 1)           /**< zeroing */
#define IOMAP_REPORT (1u << 2)         /**< reporting the mapping */
#define IOMAP_FAULT (1u << 3)          /**< mapping for a page fault */
#define IOMAP_DIRECT (1u << 4)         /**< direct I/O */
#define IOMAP_NOWAIT (1u << 5)         /**< do not block */
#define IOMAP_OVERWRITE_ONLY (1u << 6) /**< only pure overwrites allowed */
#define IOMAP_UNSHARE (1u << 7)        /**< unshare a shared extent */
#define IOMAP_DAX (1u << 8)            /**< fsdax access */
#define IOMAP_ATOMIC (1u << 9)         /**< untorn write (6.15+) */
#define IOMAP_DONTCACHE (1u << 10)     /**< uncached buffered I/O (6.14+) */
/** @} */

struct iomap_folio_ops;

/** A mapping of a file byte range to storage (design.rst, "struct iomap"). */
struct iomap {
	uint64_t addr;                /**< device address in bytes, or IOMAP_NULL_ADDR */
	loff_t offset;                /**< file offset of the mapping, bytes */
	uint64_t length;              /**< length of the mapping, bytes */
	uint16_t type;                /**< IOMAP_HOLE ... IOMAP_INLINE */
	uint16_t flags;               /**< IOMAP_F_* */
	struct block_device *bdev;    /**< device for MAPPED / UNWRITTEN */
	void *dax_dev;                /**< DAX device (fsdax issue) */
	void *inline_data;            /**< data for IOMAP_INLINE */
	void *private;                /**< filesystem-private, passed to ->iomap_end */
	const struct iomap_folio_ops *folio_ops; /**< page cache hooks (buffered I/O) */
	uint64_t validity_cookie;     /**< freshness value for ->iomap_valid */
};

/** Page cache hooks a filesystem may set in `iomap->folio_ops` (operations.rst). */
struct iomap_folio_ops {
	/** Return a locked folio with a reference for a write at @p pos. */
	struct folio *(*get_folio)(struct iomap_iter *iter, loff_t pos, unsigned len);
	/** Unlock and release a folio after a write. */
	void (*put_folio)(struct inode *inode, loff_t pos, unsigned copied, struct folio *folio);
	/** Whether @p iomap is still valid (compare the validity cookie). */
	bool (*iomap_valid)(struct inode *inode, const struct iomap *iomap);
};

/** The filesystem's mapping callbacks (design.rst, "struct iomap_ops"). */
struct iomap_ops {
	/**
	 * Map at least the first byte of [pos, pos + length) into @p iomap
	 * (and @p srcmap when data must be read from elsewhere, e.g. COW).
	 * Return 0 or -errno.
	 */
	int (*iomap_begin)(struct inode *inode, loff_t pos, loff_t length, unsigned flags,
			   struct iomap *iomap, struct iomap *srcmap);
	/**
	 * Release the mapping; @p written bytes were processed.  Optional.
	 * Return 0 or -errno.
	 */
	int (*iomap_end)(struct inode *inode, loff_t pos, loff_t length, ssize_t written,
			 unsigned flags, struct iomap *iomap);
	/** Name shown in events (not in the kernel's struct; reference only). */
	const char *name;
};

/** The iterator's state (the kernel's `struct iomap_iter`). */
struct iomap_iter {
	struct inode *inode;  /**< file */
	loff_t pos;           /**< current position, advanced by the body */
	uint64_t len;         /**< bytes left in the operation */
	loff_t iter_start_pos; /**< pos when the current mapping was obtained */
	int status;           /**< the body's result: 0 or -errno */
	unsigned flags;       /**< IOMAP_* operation flags */
	struct iomap iomap;   /**< current destination mapping */
	struct iomap srcmap;  /**< current source mapping (type HOLE if unused) */
	void *private;        /**< for the operation */
};

/**
 * Advance the iteration (the kernel's iomap_iter; see file comment).
 * Emits `iomap_iter` at entry and `iomap_iter_dstmap` / `iomap_iter_srcmap`
 * for each new mapping, plus `fs_iomap_begin` / `fs_iomap_end` events.
 * Use through the iomap_iter() macro, which records the calling function
 * as the trace's `caller` (the kernel records its return address).
 * @param iter   the iterator
 * @param ops    the filesystem's callbacks
 * @param caller name of the calling function
 * @return 1 with a new mapping in iter->iomap, 0 when done, or -errno
 */
int iomap_iter_caller(struct iomap_iter *iter, const struct iomap_ops *ops, const char *caller);
/** Call iomap_iter_caller() naming the current function as the caller. */
#define iomap_iter(iter, ops) iomap_iter_caller((iter), (ops), __func__)

/**
 * Bytes of [@p pos, @p pos + @p len) covered by both current mappings
 * (the kernel's iomap_length_trim; note the unsigned arithmetic, which the
 * tracepoint relies on before the first mapping exists).
 * @param iter iterator; @param pos position; @param len bytes
 * @return usable length
 */
static inline uint64_t iomap_length_trim(const struct iomap_iter *iter, loff_t pos, uint64_t len)
{
	uint64_t end = (uint64_t)iter->iomap.offset + iter->iomap.length;

	if (iter->srcmap.type != IOMAP_HOLE)
		end = min_u64(end, (uint64_t)iter->srcmap.offset + iter->srcmap.length);
	return min_u64(len, end - (uint64_t)pos);
}
/** @return bytes the body may process at iter->pos @param iter iterator */
static inline uint64_t iomap_length(const struct iomap_iter *iter)
{
	return iomap_length_trim(iter, iter->pos, iter->len);
}
/**
 * Move the iterator forward by @p count bytes of the current mapping.
 * @param iter iterator; @param count bytes, <= iomap_length()
 * @return 0, or -EIO if @p count exceeds what is left
 */
int iomap_iter_advance(struct iomap_iter *iter, uint64_t count);
/** Advance over the whole current mapping. @param iter iterator @return 0 or -EIO */
static inline int iomap_iter_advance_full(struct iomap_iter *iter)
{
	return iomap_iter_advance(iter, iomap_length(iter));
}
/**
 * The mapping data is read from: srcmap when the filesystem set one, else iomap.
 * @param iter iterator
 * @return pointer into @p iter
 */
static inline const struct iomap *iomap_iter_srcmap(const struct iomap_iter *iter)
{
	return iter->srcmap.type != IOMAP_HOLE ? &iter->srcmap : &iter->iomap;
}
/**
 * Device sector of file position @p pos inside @p iomap.
 * @param iomap a MAPPED or UNWRITTEN mapping; @param pos a position it covers
 * @return sector number
 */
static inline sector_t iomap_sector(const struct iomap *iomap, loff_t pos)
{
	return (iomap->addr + (uint64_t)(pos - iomap->offset)) >> SECTOR_SHIFT;
}
/**
 * Whether an IOMAP_INLINE mapping's buffer can be used (the kernel's
 * iomap_inline_data_valid): it exists and does not cross a page boundary,
 * since the kernel reaches it through one kmap.
 * @param iomap an IOMAP_INLINE mapping
 * @return true if inline_data may be read and written for iomap->length bytes
 */
static inline bool iomap_inline_data_valid(const struct iomap *iomap)
{
	uintptr_t off = (uintptr_t)iomap->inline_data & (PAGE_SIZE - 1);

	return iomap->inline_data && iomap->length <= PAGE_SIZE - off;
}

/**
 * @name FIEMAP (operations.rst, "FS_IOC_FIEMAP")
 * @{
 */
/** What a FIEMAP caller asked for and where extents go (fs/ioctl.c). */
struct fiemap_extent_info {
	unsigned fi_flags;            /**< FIEMAP_FLAG_* from the caller */
	unsigned fi_extents_mapped;   /**< extents filled so far */
	unsigned fi_extents_max;      /**< size of @c fi_extents_start (0 = count only) */
	struct fiemap_extent *fi_extents_start; /**< output array */
};
/**
 * Validate a FIEMAP request and clamp its length (fs/ioctl.c fiemap_prep).
 * @param inode file; @param fieinfo request
 * @param start first byte; @param len in: requested bytes, out: clamped
 * @param supported_flags FIEMAP_FLAG_* the filesystem accepts
 * @return 0, -EBADR for unsupported flags, -EINVAL for a bad range
 */
int fiemap_prep(struct inode *inode, struct fiemap_extent_info *fieinfo, uint64_t start,
		uint64_t *len, uint32_t supported_flags);
/**
 * Add one extent to the output (fs/ioctl.c fiemap_fill_next_extent).
 * @param fieinfo output; @param logical file offset; @param phys device offset
 * @param len bytes; @param flags FIEMAP_EXTENT_*
 * @return 0 to continue, 1 if the array is full or the extent was the last,
 *         or -errno
 */
int fiemap_fill_next_extent(struct fiemap_extent_info *fieinfo, uint64_t logical, uint64_t phys,
			    uint64_t len, uint32_t flags);
/**
 * Report the file's extents (operations.rst, "FS_IOC_FIEMAP").
 * ->iomap_begin sees IOMAP_REPORT.  Holes are not reported; the last extent
 * carries FIEMAP_EXTENT_LAST.
 * @pre the caller holds i_rwsem shared.
 * @param inode file; @param fieinfo request and output
 * @param start first byte; @param len bytes
 * @param ops the filesystem's report ops
 * @return 0 or -errno
 */
int iomap_fiemap(struct inode *inode, struct fiemap_extent_info *fieinfo, uint64_t start,
		 uint64_t len, const struct iomap_ops *ops);
/**
 * FIBMAP (operations.rst, "FIBMAP (deprecated)"): the device block that
 * holds file block @p bno.
 * @param mapping the file's page cache; @param bno file block number
 * @param ops the filesystem's report ops
 * @return the device block number in filesystem blocks, 0 for a hole, an
 *         unwritten extent or an error (as the kernel does)
 */
sector_t iomap_bmap(struct address_space *mapping, sector_t bno, const struct iomap_ops *ops);
/** @} */

/**
 * @name Seeking (operations.rst, "Seeking Files")
 * @{
 */
/**
 * SEEK_HOLE: the first hole at or after @p pos (EOF counts as a hole).
 * Unwritten extents are searched in the page cache: no folio, or a
 * !uptodate block, is a hole.
 * @pre i_rwsem held shared.
 * @param inode file; @param pos start; @param ops report ops
 * @return the hole's offset, or -ENXIO if @p pos is at or past EOF, or -errno
 */
loff_t iomap_seek_hole(struct inode *inode, loff_t pos, const struct iomap_ops *ops);
/**
 * SEEK_DATA: the first data at or after @p pos.  Unwritten extents count as
 * data only where the page cache holds uptodate blocks.
 * @pre i_rwsem held shared.
 * @param inode file; @param pos start; @param ops report ops
 * @return the data's offset, -ENXIO if there is none before EOF, or -errno
 */
loff_t iomap_seek_data(struct inode *inode, loff_t pos, const struct iomap_ops *ops);
/** @} */

/**
 * @name Swap file activation (operations.rst, "Swap File Activation")
 * @{
 */
/** One run of swap pages (mm/swapfile.c's swap_extent). */
struct swap_extent {
	pgoff_t start_page;  /**< first swap page of the run */
	pgoff_t nr_pages;    /**< pages */
	sector_t start_block; /**< first device page (PAGE_SIZE units) */
};
/** The swap device being set up (a subset of mm's swap_info_struct). */
struct swap_info_struct {
	unsigned long max;         /**< pages usable including the header page */
	unsigned long pages;       /**< usable pages (max - 1) */
	struct block_device *bdev; /**< the one device every extent is on */
	struct swap_extent *extents; /**< the extent list, in swap-page order */
	unsigned nr_extents;       /**< entries used */
	unsigned cap_extents;      /**< entries allocated */
	char errmsg[96];           /**< why activation failed, as the kernel logs it */
};
/**
 * Build the swap extent list of @p file (operations.rst): page-aligned runs
 * of MAPPED or UNWRITTEN space; a hole or delalloc, a dirty (uncommitted)
 * mapping, a shared extent, or a second device fails with -EINVAL and a
 * message in sis->errmsg.  The file is written back first.
 * @pre i_rwsem held exclusive.
 * @param sis output; @param file the swap file
 * @param pagespan out: pages from the lowest to the highest device page used
 * @param ops report ops
 * @return number of extents (>0), or -errno
 */
int iomap_swapfile_activate(struct swap_info_struct *sis, struct file *file, sector_t *pagespan,
			    const struct iomap_ops *ops);
/** Free the extent list of @p sis. @param sis the swap info */
void swap_info_release(struct swap_info_struct *sis);
/** @} */

/**
 * @name Zeroing (operations.rst, "Zeroing for File Operations")
 * @{
 */
/**
 * Zero [@p pos, @p pos + @p len) of a file.  ->iomap_begin sees IOMAP_ZERO.
 * Holes and unwritten extents already read as zeroes and are skipped unless
 * the page cache holds dirty data over them (then it is written back first,
 * as the kernel does); mapped and delalloc ranges are zeroed in the page
 * cache (folio by folio, `iomap_zero_iter` events) and reach the disk at
 * writeback.  A dirty, unaligned head block is zeroed in its folio first,
 * so that zeroing a partial EOF block does not flush the whole range.
 * @pre i_rwsem and invalidate_lock held exclusive.
 * @param inode file; @param pos start; @param len bytes
 * @param did_zero set to true if any byte was zeroed (may be NULL)
 * @param ops the filesystem's write ops
 * @return 0 or -errno
 */
int iomap_zero_range(struct inode *inode, loff_t pos, loff_t len, bool *did_zero,
		     const struct iomap_ops *ops);
/** @} */

/**
 * @name Buffered I/O (operations.rst, "Buffered I/O"; core/iomap/buffered-io.c)
 *
 * The page cache side of iomap.  A folio that holds more than one
 * filesystem block carries a `struct iomap_folio_state` (ifs, declared in
 * core/iomap/internal.h) in `folio->private`: two bits per block, bits
 * [0, n) uptodate and bits [n, 2n) dirty, plus `read_bytes_pending` and
 * `write_bytes_pending`.  A folio of exactly one block has none; its
 * PG_uptodate / PG_dirty bits say everything.  A 16 KiB folio of 4 KiB
 * blocks after a 6 KiB write at offset 2 KiB into a hole:
 *
 *     block:        0        1        2        3
 *     uptodate:     1        1        0        0     bits 0..3
 *     dirty:        1        1        0        0     bits 4..7
 *     (block 0 was read-modified-written: zeroed head, since it was a hole)
 *
 * Invariants (checked by ifs_check(), tests ifs-*):
 *   (1) a block is dirty only if it is uptodate;
 *   (2) the folio is PG_uptodate iff every block is uptodate;
 *   (3) the folio is PG_dirty if any block is dirty (it may stay PG_dirty
 *       with no dirty block only between folio_clear_dirty_for_io and the
 *       writeback of its blocks);
 *   (4) read_bytes_pending > 0 only while the folio is locked for a read;
 *       write_bytes_pending > 0 only while it is under writeback.
 * @{
 */
/**
 * Read one folio (a_ops->read_folio): each block from its mapping; holes,
 * unwritten and delalloc blocks are zeroed without I/O; uptodate blocks
 * are kept.  ->iomap_begin sees flags 0.  Emits `iomap_readpage`.
 * @pre @p folio is locked; it is unlocked when the read completes.
 * @param folio the folio; @param ops the filesystem's read ops
 * @return 0 (errors are reported by leaving the folio !uptodate)
 */
int iomap_read_folio(struct folio *folio, const struct iomap_ops *ops);
/**
 * Read ahead the folios of @p rac (a_ops->readahead), batching contiguous
 * blocks into one bio.  Emits `iomap_readahead`.
 * @param rac what to read (locked folios already in the cache)
 * @param ops the filesystem's read ops
 */
void iomap_readahead(struct readahead_control *rac, const struct iomap_ops *ops);
/**
 * Whether bytes [@p from, @p from + @p count) of @p folio are uptodate
 * (a_ops->is_partially_uptodate).
 * @param folio the folio; @param from offset in it; @param count bytes
 * @return true if every block touched is uptodate
 */
bool iomap_is_partially_uptodate(struct folio *folio, size_t from, size_t count);
/**
 * Write @p from into the page cache at iocb->ki_pos (operations.rst,
 * "Buffered Writes").  ->iomap_begin sees IOMAP_WRITE (| IOMAP_NOWAIT).
 * Partial blocks not already uptodate are read first (or zeroed when the
 * mapping is a hole, unwritten or new).  A short copy (the memory faulted)
 * marks only what was copied dirty; ->iomap_end then sees the short count.
 * Dirties folios (iomap_dirty_folio), extends i_size, advances ki_pos, and
 * starts background writeback when the dirty limit is passed.
 * @pre i_rwsem held (shared or exclusive).
 * @param iocb the request; @param from the data
 * @param ops the filesystem's buffered write ops
 * @return bytes written (may be short), or -errno if nothing was
 */
ssize_t iomap_file_buffered_write(struct kiocb *iocb, struct iov_iter *from,
				  const struct iomap_ops *ops);
/** The filesystem's "remove these delalloc reservations" callback. */
typedef void (*iomap_punch_t)(struct inode *inode, loff_t offset, loff_t length,
			      struct iomap *iomap);
/**
 * From ->iomap_end after a short write into a fresh (IOMAP_F_NEW) delalloc
 * mapping: call @p punch for every part of [pos + written, pos + length)
 * that no folio holds dirty data for (operations.rst, "Buffered Write
 * Failures").  Takes the invalidate_lock.
 * @param inode file; @param pos start of the write; @param length its length
 * @param written bytes that were written; @param flags the iomap_end flags
 * @param iomap the mapping; @param punch the callback
 */
void iomap_file_buffered_write_punch_delalloc(struct inode *inode, loff_t pos, loff_t length,
					      ssize_t written, unsigned flags,
					      struct iomap *iomap, iomap_punch_t punch);
/**
 * Zero @p pos's block from @p pos to the block's end (operations.rst,
 * "Truncation").  ->iomap_begin sees IOMAP_ZERO.
 * @pre i_rwsem and invalidate_lock held exclusive.
 * @param inode file; @param pos the new EOF; @param did_zero out (may be NULL)
 * @param ops the filesystem's zeroing ops
 * @return 0 or -errno
 */
int iomap_truncate_page(struct inode *inode, loff_t pos, bool *did_zero,
			const struct iomap_ops *ops);
/**
 * Copy shared (IOMAP_F_SHARED) data of [pos, pos + len) into new space
 * through the page cache (operations.rst, "Unsharing Reflinked File
 * Data").  ->iomap_begin sees IOMAP_WRITE | IOMAP_UNSHARE.
 * @pre i_rwsem and invalidate_lock held exclusive.
 * @param inode file; @param pos start; @param len bytes
 * @param ops the filesystem's write ops
 * @return 0 or -errno
 */
int iomap_file_unshare(struct inode *inode, loff_t pos, loff_t len, const struct iomap_ops *ops);
/**
 * Mark a folio dirty (a_ops->dirty_folio): every block dirty.
 * @param mapping its mapping; @param folio the folio
 * @return true if it was clean before
 */
bool iomap_dirty_folio(struct address_space *mapping, struct folio *folio);
/**
 * Whether the per-block state may be freed (a_ops->release_folio): not for
 * a dirty or writeback folio.  Emits `iomap_release_folio`.
 * @param folio the folio
 * @return true if released
 */
bool iomap_release_folio(struct folio *folio);
/**
 * Drop the state of [offset, offset + len) of a folio being truncated
 * (a_ops->invalidate_folio).  Emits `iomap_invalidate_folio`.
 * @param folio the folio; @param offset in it; @param len bytes
 */
void iomap_invalidate_folio(struct folio *folio, size_t offset, size_t len);
/**
 * Prepare the folio of a write fault on a shared mapping for stores
 * (f_op->page_mkwrite; operations.rst, "mmap Write Faults"): lock it,
 * check that it is still in the mapping and below EOF, then iterate over
 * its part below EOF with IOMAP_WRITE | IOMAP_FAULT so that ->iomap_begin
 * reserves or allocates the space, and mark it dirty.  Mirrors the
 * kernel's iomap_page_mkwrite() (core/iomap/buffered-io.c).
 * @pre the file system holds invalidate_lock shared (so truncation cannot
 *      remove the folio meanwhile); the folio is not locked and uptodate.
 * @param vmf the fault (struct vm_fault, core/include/iomap/mm.h):
 *            vmf->folio has a reference
 * @param ops the file system's buffered write ops
 * @return VM_FAULT_LOCKED with the folio locked and dirty, or
 *         vmf_fs_error() of the failure with the folio unlocked
 *         (VM_FAULT_NOPAGE when the folio was truncated: retry)
 */
vm_fault_t iomap_page_mkwrite(struct vm_fault *vmf, const struct iomap_ops *ops);
/** @} */

/**
 * @name Writeback (operations.rst, "Pagecache Writeback"; core/iomap/ioend.c)
 *
 * iomap_writepages() walks the dirty folios of a range in index order.  For
 * each dirty block it asks ->map_blocks for a mapping (reusing wpc->iomap
 * while it still covers the block), and adds the block to the current
 * ioend if the ioend can take it (same type, SHARED-ness and bdev, file
 * and disk contiguous), or starts a new one.  An ioend wraps one bio; a
 * full bio ends its ioend and a new ioend starts (as 6.12; bios are never
 * chained).  ioend life (test ioend-*):
 *
 *     built --[iomap_submit_ioend: ->prepare_ioend, submit_bio]--> submitted
 *     submitted --[bio completion: bi_end_io]--> completed
 *     completed --[iomap_ioend_try_merge, by the filesystem]--> merged
 *     completed|merged --[iomap_finish_ioends]--> finished (folios end
 *                           writeback, errors recorded, ioend freed)
 *
 * A folio's write_bytes_pending is biased by one (byte) while its blocks
 * are being added, so that a bio completing early cannot end the folio's
 * writeback before the last block was queued.
 * @{
 */
/** One writeback I/O: a file range, the disk range, the bio that carries it. */
struct iomap_ioend {
	struct iomap_ioend *io_next;  /**< the filesystem's batch list / merged chain */
	uint16_t io_type;             /**< IOMAP_MAPPED or IOMAP_UNWRITTEN */
	uint16_t io_flags;            /**< IOMAP_IOEND_SHARED | IOMAP_IOEND_UNWRITTEN ... */
	struct inode *io_inode;       /**< file being written back */
	size_t io_size;               /**< bytes in this ioend */
	loff_t io_offset;             /**< file offset of the first byte */
	sector_t io_sector;           /**< device sector of the first byte */
	int io_error;                 /**< first error of the I/O (0 or -errno) */
	void *io_private;             /**< for the filesystem */
	struct iomap_ioend *io_merged; /**< ioends merged into this one (iomap_ioend_try_merge) */
	uint64_t io_id;               /**< for events (ioend_* recording events) */
	struct bio *io_bio;           /**< the bio; its bi_private is this ioend */
};
/** io_flags bits (6.18 IOMAP_IOEND_*). */
#define IOMAP_IOEND_SHARED (1u << 0)     /**< COW: remap at completion */
#define IOMAP_IOEND_UNWRITTEN (1u << 1)  /**< unwritten: convert at completion */
#define IOMAP_IOEND_BOUNDARY (1u << 2)   /**< never merge across this one */
#define IOMAP_IOEND_DONTCACHE (1u << 3)  /**< drop the folios after completion */

struct iomap_writepage_ctx;

/** The filesystem's writeback callbacks (operations.rst, "struct iomap_writeback_ops"). */
struct iomap_writeback_ops {
	/** Set wpc->iomap to a mapping of allocated space covering @p offset
	 *  (never DELALLOC or INLINE); may keep the one there if still valid.
	 *  Return 0 or -errno. */
	int (*map_blocks)(struct iomap_writepage_ctx *wpc, struct inode *inode, loff_t offset,
			  unsigned len);
	/** Before the ioend's bio is submitted (may set bi_end_io to defer
	 *  completion to a workqueue); @p status is the error so far.  Return
	 *  the (possibly new) status.  Optional. */
	int (*prepare_ioend)(struct iomap_ioend *ioend, int status);
	/** ->map_blocks failed for a dirty folio: drop reservations for the
	 *  range from @p pos.  Optional. */
	void (*discard_folio)(struct folio *folio, loff_t pos);
};

/** Writeback state of one iomap_writepages() call; zero it before use. */
struct iomap_writepage_ctx {
	struct iomap iomap;                   /**< the cached mapping */
	struct iomap_ioend *ioend;            /**< the ioend being built */
	const struct iomap_writeback_ops *ops; /**< set by iomap_writepages */
	uint32_t nr_folios;                   /**< folios added to the current ioend */
	void *private;                        /**< for the filesystem */
};
/**
 * Write back dirty folios of @p mapping in @p wbc's range (a_ops->writepages).
 * Emits `iomap_writeback_folio` per folio and `iomap_add_to_ioend` per run.
 * @param mapping the page cache; @param wbc range and mode
 * @param wpc zeroed context; @param ops the filesystem's callbacks
 * @return 0 or the first error (also recorded for fsync with mapping_set_error)
 */
int iomap_writepages(struct address_space *mapping, struct writeback_control *wbc,
		     struct iomap_writepage_ctx *wpc, const struct iomap_writeback_ops *ops);
/**
 * Sort a list (linked through io_next) by file offset (iomap_sort_ioends).
 * @param head the list head pointer (updated)
 */
void iomap_sort_ioends(struct iomap_ioend **head);
/**
 * Merge into @p ioend the ioends at the front of the sorted list @p more
 * that continue it: contiguous in file and on disk, same UNWRITTEN / SHARED
 * state, both failed or both succeeded (iomap_ioend_try_merge).  Merged
 * ioends leave @p more and hang off ioend->io_merged.
 * @param ioend not in any list; @param more the rest (updated)
 */
void iomap_ioend_try_merge(struct iomap_ioend *ioend, struct iomap_ioend **more);
/**
 * Finish @p ioend and everything merged into it: end writeback on their
 * folios, record @p error in the folios and the mapping, free them
 * (iomap_finish_ioends).
 * @param ioend the ioend; @param error 0 or -errno
 * @return folios finished
 */
uint32_t iomap_finish_ioends(struct iomap_ioend *ioend, int error);
/**
 * Default bi_end_io for ioend bios without ->prepare_ioend changes: finish
 * the ioend in the completion context (iomap_writepage_end_bio).
 * @param bio an ioend's bio
 */
void iomap_writepage_end_bio(struct bio *bio);
/** @} */

/**
 * @name Direct I/O (operations.rst, "Direct I/O"; core/iomap/direct-io.c)
 *
 * A direct I/O request (`struct iomap_dio`, private to direct-io.c) moves
 * through these states; each arrow names the function that makes the move:
 *
 *     SUBMITTING --[__iomap_dio_rw: last bio submitted, ref dropped]--+
 *        |   (iomap_iter -> ->iomap_begin -> bios -> ->iomap_end)     |
 *        |                                                            v
 *        |  sync / FORCE_WAIT:   WAITING --[iomap_dio_bio_end_io: last ref]--> DONE
 *        |  async:               QUEUED (-EIOCBQUEUED) --[last bio end_io]--> DONE
 *        v                                                            |
 *     (ref was already the last: DONE at once)                        v
 *     DONE --[iomap_dio_complete: ->end_io, size, invalidate, sync]--> freed
 *
 * Where DONE runs iomap_dio_complete(): the submitter itself (sync), the
 * bio completion context (async reads: "inline"), the issuer through
 * `iocb->dio_complete` (IOCB_DIO_CALLER_COMP pure overwrites), or the
 * superblock's dio workqueue (other async writes: ->end_io may need to
 * convert unwritten extents, which must not run in interrupt context).
 *
 * Invariants (checked by the tests named dio-*):
 *   (1) ->end_io runs exactly once per request that issued I/O, with the
 *       byte count that reached the device and the first error;
 *   (2) an error in any bio fails the whole request (-EIO), and ->end_io
 *       sees it, so nothing is converted;
 *   (3) i_dio_count is raised for exactly the lifetime SUBMITTING..freed.
 * @{
 */
/** Public dio flags (`dio_flags` argument). */
#define IOMAP_DIO_FORCE_WAIT (1u << 0)     /**< wait even for an async kiocb */
#define IOMAP_DIO_OVERWRITE_ONLY (1u << 1) /**< pure overwrite or -EAGAIN */
#define IOMAP_DIO_PARTIAL (1u << 2)        /**< a fault returns the progress so far */
#define IOMAP_DIO_FSBLOCK_ALIGNED (1u << 3) /**< every bio fs-block aligned (newer than the seed; traced "DIO_FSBLOCK") */
/** `flags` passed to iomap_dio_ops->end_io. */
#define IOMAP_DIO_UNWRITTEN (1u << 0) /**< covered unwritten extents: convert them */
#define IOMAP_DIO_COW (1u << 1)       /**< covered COW extents: remap them */

/**
 * Kernel spelling of public dio flags ("FORCE_WAIT|PARTIAL"; "" for none).
 * @param flags IOMAP_DIO_*; @param buf output; @param len its size
 * @return @p buf
 */
const char *iomap_dio_flags_str(unsigned flags, char *buf, size_t len);

/** A pool of bios with room for the filesystem in front (a minimal bio_set). */
struct bio_set;

/** The filesystem's hooks around direct I/O (operations.rst, "struct iomap_dio_ops"). */
struct iomap_dio_ops {
	/**
	 * Submit @p bio for the file range starting at @p file_offset instead
	 * of submit_bio().  A filesystem that sets its own bi_end_io here
	 * must end by calling iomap_dio_bio_end_io().  Optional.
	 */
	void (*submit_io)(const struct iomap_iter *iter, struct bio *bio, loff_t file_offset);
	/**
	 * Called once the I/O is done, before the size is reported: @p size
	 * bytes reached the device, @p error is 0 or the first error, @p flags
	 * holds IOMAP_DIO_UNWRITTEN / IOMAP_DIO_COW.  Converts unwritten
	 * extents, remaps COW extents, extends the file size.
	 * @return 0 or -errno (becomes the request's result).  Optional.
	 */
	int (*end_io)(struct kiocb *iocb, ssize_t size, int error, unsigned flags);
	/** Allocate bios from here, so that each carries the filesystem's
	 *  per-bio data in front of it.  Optional (NULL = plain bios). */
	struct bio_set *bio_set;
};

struct iomap_dio;

/**
 * Direct I/O (operations.rst, "Direct I/O"): issue the request described by
 * @p iocb and @p iter straight to the device, bypassing the page cache.
 * The direction comes from @p iter (ITER_SOURCE = write).  ->iomap_begin
 * sees IOMAP_DIRECT (| IOMAP_WRITE for writes, | IOMAP_NOWAIT with
 * IOCB_NOWAIT, | IOMAP_OVERWRITE_ONLY with that dio flag).
 *
 * Reads: dirty page cache over the range is written back first; a read at
 * or past EOF returns 0; a read crossing EOF is short.  Holes and unwritten
 * extents read as zeroes without I/O.  Writes: the page cache over the
 * range is written back and dropped before, and dropped again after.
 * Sub-block writes into new or unwritten blocks zero the rest of those
 * blocks on the device; so does a write that ends past EOF.
 *
 * @pre i_rwsem held (shared or exclusive); see the seed for which.
 * @param iocb      the request (ki_pos, ki_flags; ki_complete for async)
 * @param iter      the caller's memory; advanced by what was transferred
 * @param ops       the filesystem's direct I/O iomap_ops
 * @param dops      hooks (may be NULL)
 * @param dio_flags IOMAP_DIO_FORCE_WAIT / OVERWRITE_ONLY / PARTIAL
 * @param private   passed to ->iomap_begin in iter->private
 * @param done_before bytes a previous partial call already transferred
 *                  (added to the result; IOMAP_DIO_PARTIAL)
 * @return bytes transferred (+ @p done_before); -EIOCBQUEUED (async,
 *         ki_complete will be called); -ENOTBLK (page cache could not be
 *         invalidated: fall back to buffered I/O); -EAGAIN (IOCB_NOWAIT
 *         would block, or OVERWRITE_ONLY over a range that is not a pure
 *         overwrite); -EINVAL (offset or length not a multiple of the
 *         logical block size, memory not aligned to the DMA alignment);
 *         -EIO (a bio failed, or a delalloc/hole mapping for a write);
 *         -EFAULT (the memory faulted before anything was transferred);
 *         or the filesystem's error.
 */
ssize_t iomap_dio_rw(struct kiocb *iocb, struct iov_iter *iter, const struct iomap_ops *ops,
		     const struct iomap_dio_ops *dops, unsigned dio_flags, void *private,
		     size_t done_before);
/**
 * The first half of iomap_dio_rw() for filesystems that must do their own
 * work (e.g. drop a lock) before completion: issues the I/O and, when the
 * request is synchronous, waits for the device.
 * @param iocb as iomap_dio_rw(); @param iter as iomap_dio_rw()
 * @param ops as iomap_dio_rw(); @param dops as iomap_dio_rw()
 * @param dio_flags as iomap_dio_rw(); @param private as iomap_dio_rw()
 * @param done_before as iomap_dio_rw()
 * @return the dio to pass to iomap_dio_complete(); NULL when there is
 *         nothing to complete (zero length, a read at or past EOF); or an
 *         ERR_PTR(): -EIOCBQUEUED (queued) or an error as iomap_dio_rw()
 */
struct iomap_dio *__iomap_dio_rw(struct kiocb *iocb, struct iov_iter *iter,
				 const struct iomap_ops *ops, const struct iomap_dio_ops *dops,
				 unsigned dio_flags, void *private, size_t done_before);
/**
 * Finish a dio returned by __iomap_dio_rw(): ->end_io, the result, page
 * cache invalidation after a write, ki_pos, O_DSYNC sync; frees @p dio.
 * @param dio the request
 * @return bytes (+ done_before) or -errno
 */
ssize_t iomap_dio_complete(struct iomap_dio *dio);
/**
 * bi_end_io of every dio bio; a filesystem's own bi_end_io (set in
 * ->submit_io) must call it last.
 * @param bio a bio of a dio
 */
void iomap_dio_bio_end_io(struct bio *bio);
/** @} */

/**
 * @name Trace helpers (core/iomap/trace.c)
 * @{
 */
/**
 * Kernel spelling of a mapping type.
 * @param type IOMAP_HOLE ... IOMAP_INLINE
 * @return "HOLE", "DELALLOC", "MAPPED", "UNWRITTEN", "INLINE" or the number
 */
const char *iomap_type_name(unsigned type);
/**
 * Kernel spelling of mapping flags, e.g. "NEW|DIRTY" ("" for none).
 * @param flags IOMAP_F_*; @param buf output; @param len its size
 * @return @p buf
 */
const char *iomap_f_flags_str(unsigned flags, char *buf, size_t len);
/**
 * Kernel spelling of operation flags, e.g. "WRITE|DIRECT".
 * @param flags IOMAP_*; @param buf output; @param len its size
 * @return @p buf
 */
const char *iomap_flags_str(unsigned flags, char *buf, size_t len);
/**
 * Emit a `iomap_iter_dstmap` / `iomap_iter_srcmap` style event for @p map.
 * @param name event name; @param inode file; @param map the mapping
 */
void trace_iomap_map(const char *name, struct inode *inode, const struct iomap *map);
/**
 * Emit an event of the kernel's iomap_range_class (size, offset, length).
 * @param name event name (e.g. "iomap_zero_iter"); @param inode file
 * @param off offset; @param len length
 */
void trace_iomap_range(const char *name, struct inode *inode, loff_t off, uint64_t len);
/** @} */

#endif /* IOMAP_IOMAP_H */
