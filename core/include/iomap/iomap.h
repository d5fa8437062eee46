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
 * as the kernel does); mapped ranges are zeroed in the page cache
 * (buffered I/O issue; until then -EOPNOTSUPP is returned for them).
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
