/**
 * @file extentfs.h
 * @brief extentfs: the sample XFS-like filesystem — its public, VFS-shaped
 *        entry points.
 *
 * extentfs plugs into the iomap library exactly as a kernel filesystem
 * would: it supplies `struct iomap_ops` (one set per operation, as the
 * porting guide advises, see iomap.c) and calls iomap_* from its file
 * operations (file.c), which is where it takes i_rwsem and invalidate_lock.
 *
 * Everything here works on a mounted `struct extentfs` over a backend.  The
 * on-disk format is described in docs/FORMAT.md and format.h.
 *
 * Policies follow XFS where the kernel traces show them:
 *   - fallocate allocates UNWRITTEN extents; growing the size (fallocate
 *     without KEEP_SIZE, truncate up) zeroes from the old EOF with
 *     iomap_zero_range();
 *   - a hole punch frees whole blocks and zeroes the partial blocks at its
 *     edges with iomap_zero_range() (a sub-block punch frees nothing);
 *   - reflink shares extents and counts references; shared extents are
 *     reported with IOMAP_F_SHARED;
 *   - a mapping carries IOMAP_F_DIRTY while the inode has metadata changes
 *     not yet committed (cleared by fsync / fdatasync / sync / unmount).
 *
 * Errors are negative errno values.  Bad input never corrupts the image:
 * a malformed image fails extentfs_mount() with -EUCLEAN and a message.
 */
#ifndef EXTENTFS_H
#define EXTENTFS_H

#include <stdio.h>

#include <iomap/iomap.h>

#include "../../backends/backend.h"

struct extentfs;

/** Options of extentfs_mkfs(), parsed from mkfs.xfs-style text. */
struct extentfs_mkfs_opts {
	uint32_t block_size;  /**< 512 ... 65536, power of two (default 4096) */
	bool inline_data;     /**< keep files of up to min(block size, 1 KiB) inside their
	                           inode, served as IOMAP_INLINE (default off) */
};

/**
 * Parse mkfs.xfs-style options ("-b size=1024", "-m reflink=1" accepted and
 * ignored where extentfs has no choice, "-i inline=1").
 * @param text   options as typed
 * @param opts   output (defaults filled first)
 * @param err    message on failure
 * @param errlen size of @p err
 * @return 0 or -EINVAL
 */
int extentfs_parse_mkfs_opts(const char *text, struct extentfs_mkfs_opts *opts, char *err,
			     size_t errlen);
/**
 * Write an empty filesystem to @p b.
 * @param b backend (its whole size is used); @param opts options (NULL = defaults)
 * @return 0 or -errno (-EINVAL for a bad block size or a device too small)
 */
int extentfs_mkfs(struct backend *b, const struct extentfs_mkfs_opts *opts);
/**
 * Mount the filesystem on @p b.
 * @param b    backend (not owned)
 * @param dev  device number shown in traces
 * @param out  the mounted filesystem
 * @return 0, -EUCLEAN for a corrupt or foreign image (message on stderr), -errno
 */
int extentfs_mount(struct backend *b, kdev_t dev, struct extentfs **out);
/**
 * Commit and unmount; every open file must be closed.
 * @param fs the filesystem
 * @return 0 or -errno (the filesystem is freed either way)
 */
int extentfs_unmount(struct extentfs *fs);
/**
 * Write back everything and commit the metadata (sync(2)).
 * @param fs the filesystem
 * @return 0 or -errno
 */
int extentfs_sync(struct extentfs *fs);
/**
 * Check an unmounted image for consistency.
 * @param b       backend
 * @param report  where to print findings (may be NULL)
 * @return 0 if consistent, -EUCLEAN if not, -errno on I/O error
 */
int extentfs_check(struct backend *b, FILE *report);
/** @return the filesystem block size @param fs the filesystem */
uint32_t extentfs_block_size(const struct extentfs *fs);
/** @return the super_block @param fs the filesystem */
struct super_block *extentfs_sb(struct extentfs *fs);
/** @return number of committed metadata transactions @param fs the filesystem */
uint64_t extentfs_generation(const struct extentfs *fs);

/**
 * Open (or create with O_CREAT) the file @p name in the flat root directory.
 * @param fs    filesystem
 * @param name  1..255 bytes, no '/'
 * @param flags O_CREAT, O_TRUNC, O_DIRECT, O_RDONLY / O_RDWR, O_SYNC
 * @param out   the open file
 * @return 0, -ENOENT, -EINVAL (bad name), -ENOSPC, -errno
 */
int extentfs_open(struct extentfs *fs, const char *name, int flags, struct file **out);
/**
 * Close a file.
 * @param file the file
 * @return 0
 */
int extentfs_close(struct file *file);
/**
 * Remove a file from the root directory (its space is freed at last close).
 * @param fs filesystem; @param name file name
 * @return 0 or -ENOENT
 */
int extentfs_unlink(struct extentfs *fs, const char *name);

/**
 * read(2)-family entry point (mirrors xfs_file_read_iter): on an O_DIRECT
 * request (IOCB_DIRECT) takes i_rwsem shared (trylock with IOCB_NOWAIT,
 * -EAGAIN if busy) and calls iomap_dio_rw() with extentfs_direct_read
 * ops.  Buffered reads arrive with issue 4 (-EOPNOTSUPP until then).
 * @param iocb the request (init_sync_kiocb(), or ki_complete for async)
 * @param to   destination memory
 * @return bytes read, 0 at EOF, -EIOCBQUEUED (async), -EINVAL (misaligned),
 *         -EAGAIN, -EIO, -EFAULT, -EBADF (file not open for reading)
 */
ssize_t extentfs_read_iter(struct kiocb *iocb, struct iov_iter *to);
/**
 * write(2)-family entry point (mirrors xfs_file_write_iter and
 * xfs_file_dio_write_{aligned,unaligned}): checks (xfs_file_write_checks:
 * O_APPEND, s_maxbytes, swap file, zeroing the gap between EOF and the
 * write with iomap_zero_range), then iomap_dio_rw() with the direct write
 * ops; unwritten extents are converted and the size updated in ->end_io.
 * Block-aligned writes hold i_rwsem shared, unaligned ones exclusive and
 * wait for other direct I/O first (as XFS).  Writes into shared (reflinked)
 * blocks go copy-on-write.  Falls back to -ENOTBLK's buffered path in issue 4.
 * @param iocb the request; @param from source memory
 * @return bytes written, -EIOCBQUEUED (async), -EINVAL, -EAGAIN, -EFBIG,
 *         -ETXTBSY, -ENOSPC, -EIO, -EFAULT, -EBADF (not open for writing)
 */
ssize_t extentfs_write_iter(struct kiocb *iocb, struct iov_iter *from);

/**
 * fallocate(2): mode 0 (allocate, may grow the size), FALLOC_FL_KEEP_SIZE,
 * FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, FALLOC_FL_ZERO_RANGE,
 * FALLOC_FL_UNSHARE_RANGE.
 * @param file file; @param mode FALLOC_FL_*; @param off start; @param len bytes
 * @return 0, -EINVAL (bad range or mode combination), -ENOSPC, -EOPNOTSUPP,
 *         -ETXTBSY (active swap file)
 */
int extentfs_fallocate(struct file *file, int mode, loff_t off, loff_t len);
/**
 * Change the file size (truncate(2)); growing zeroes from the old EOF.
 * @param file file; @param size new size
 * @return 0, -EINVAL (negative, or @p file not open for writing), -EFBIG
 *         (beyond s_maxbytes), -ETXTBSY, -errno
 */
int extentfs_setattr_size(struct file *file, loff_t size);
/**
 * fsync / fdatasync: write back, wait, commit metadata, report a writeback
 * error once per open file.
 * @param file file; @param datasync nonzero for fdatasync
 * @return 0 or -errno
 */
int extentfs_fsync(struct file *file, int datasync);
/**
 * sync_file_range(2) (the kernel's ksys_sync_file_range): start and/or wait
 * for writeback of [@p offset, @p offset + @p nbytes) without committing
 * metadata or flushing the device cache.  In order: WAIT_BEFORE waits for
 * writeback already in flight, WRITE starts writeback of the dirty folios
 * (WB_SYNC_NONE, or WB_SYNC_ALL when all three flags are given),
 * WAIT_AFTER waits for it.  A wait reports a writeback error once per
 * open file, as fsync does.
 * @param file file
 * @param offset first byte, >= 0
 * @param nbytes bytes, >= 0; 0 means "to the end of the file"
 * @param flags SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
 *              SYNC_FILE_RANGE_WAIT_AFTER (<fcntl.h>), any combination
 * @return 0, -EINVAL (unknown flag, negative @p offset or @p nbytes, or
 *         @p offset + @p nbytes overflows), or a writeback error
 */
int extentfs_sync_file_range(struct file *file, loff_t offset, loff_t nbytes, unsigned flags);
/**
 * lseek(2) with SEEK_SET / SEEK_CUR / SEEK_END / SEEK_DATA / SEEK_HOLE.
 * @param file file; @param off offset; @param whence SEEK_*
 * @return the new position, or -ENXIO / -EINVAL
 */
loff_t extentfs_llseek(struct file *file, loff_t off, int whence);
/**
 * FS_IOC_FIEMAP: honours FIEMAP_FLAG_SYNC (writes back first).
 * @param file file; @param fi request/output; @param start first byte; @param len bytes
 * @return 0 or -errno (-EBADR for unsupported flags)
 */
int extentfs_fiemap(struct file *file, struct fiemap_extent_info *fi, uint64_t start,
		    uint64_t len);
/**
 * FIBMAP through iomap_bmap().
 * @param file file; @param block file block number
 * @return device block number (0 for a hole or unwritten space)
 */
sector_t extentfs_fibmap(struct file *file, sector_t block);

/** One record of extentfs_getbmap() (the XFS_IOC_GETBMAPX shape). */
struct extentfs_bmap_rec {
	loff_t offset;   /**< file offset, bytes */
	uint64_t length; /**< bytes */
	int64_t addr;    /**< device byte address, -1 for a hole */
	bool unwritten;  /**< allocated but unwritten */
	bool shared;     /**< shared with another file (refcount > 1) */
	bool delalloc;   /**< delayed allocation */
};
/**
 * The file's extent list including holes up to EOF, straight from the
 * extent map (as XFS's getbmap walks its own tree, not iomap).
 * @param file file
 * @param recs output array (malloc'd, caller frees)
 * @param nr   number of records
 * @return 0 or -errno
 */
int extentfs_getbmap(struct file *file, struct extentfs_bmap_rec **recs, size_t *nr);
/**
 * Reflink (FICLONERANGE): share [srcoff, srcoff+len) of @p src at @p dstoff
 * of @p dst.  len 0 means "to the end of src".  Offsets and length must be
 * block aligned (the length may end at src's EOF).
 * @param src source; @param srcoff source offset
 * @param dst destination (may equal src, ranges must not overlap)
 * @param dstoff destination offset; @param len bytes
 * @return 0, -EINVAL, -ENOSPC, -ETXTBSY
 */
int extentfs_remap_range(struct file *src, loff_t srcoff, struct file *dst, loff_t dstoff,
			 loff_t len);
/**
 * Activate @p file as swap (swapon): takes i_rwsem exclusive, calls
 * iomap_swapfile_activate() and marks the inode S_SWAPFILE.
 * @param file file; @param sis output; @param span out: page span
 * @return number of extents or -errno
 */
int extentfs_swapon(struct file *file, struct swap_info_struct *sis, sector_t *span);
/**
 * Deactivate swap on @p file.
 * @param file file
 * @return 0 or -EINVAL if it was not active
 */
int extentfs_swapoff(struct file *file);

/**
 * @name The iomap_ops extentfs supplies (samples/extentfs/iomap.c)
 * @{
 */
extern const struct iomap_ops extentfs_report_iomap_ops; /**< FIEMAP, swapon, FIBMAP */
extern const struct iomap_ops extentfs_zero_iomap_ops;   /**< iomap_zero_range */
extern const struct iomap_ops extentfs_seek_iomap_ops;   /**< SEEK_DATA / SEEK_HOLE */
extern const struct iomap_ops extentfs_direct_read_iomap_ops;  /**< O_DIRECT reads (xfs_read_iomap_ops) */
extern const struct iomap_ops extentfs_direct_write_iomap_ops; /**< O_DIRECT writes (xfs_direct_write_iomap_ops) */
extern const struct iomap_ops extentfs_buffered_read_iomap_ops;  /**< page cache reads (xfs_read_iomap_ops) */
extern const struct iomap_ops extentfs_buffered_write_iomap_ops; /**< buffered writes, delalloc (xfs_buffered_write_iomap_ops) */
/** @} */

/**
 * The direct write completion hooks (xfs_dio_write_ops): ->end_io converts
 * unwritten extents, remaps copy-on-write staging into the data fork,
 * extends the size — or, after an error, only frees the COW staging.
 */
extern const struct iomap_dio_ops extentfs_dio_write_ops;

/**
 * Change the extent map of a file directly, bumping the mapping sequence
 * counter (tests use this to provoke IOMAP_F_STALE re-lookups).
 * @param file file
 * @return the new sequence number
 */
uint64_t extentfs_bump_mapping_seq(struct file *file);

/**
 * Test hook: when set, called at the end of every buffered-write
 * ->iomap_begin with the mapping just returned — the window in which the
 * map may change before iomap locks the folio (e.g. call
 * extentfs_bump_mapping_seq() there to provoke IOMAP_F_STALE).  NULL in
 * normal use.
 */
extern void (*extentfs_test_write_begin_hook)(struct inode *inode, const struct iomap *iomap);

#endif /* EXTENTFS_H */
