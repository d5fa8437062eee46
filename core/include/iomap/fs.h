/**
 * @file fs.h
 * @brief The VFS shapes a filesystem sees: super_block, inode, file, kiocb,
 *        iov_iter.
 *
 * These are deliberately small: only the fields iomap and a filesystem need.
 *
 * Locking (design.rst, "Locking Hierarchy"):
 *   - `i_rwsem` (class "i_rwsem", UPPER) serialises file operations; taken by
 *     the filesystem's entry points (extentfs file.c), never by iomap.
 *   - `i_mapping->invalidate_lock` (class "invalidate_lock", UPPER, always
 *     after i_rwsem) excludes folio insertion while folios are removed.
 *   - `i_size` is read with i_size_read() and written with i_size_write()
 *     under i_rwsem exclusive (or the filesystem's own size lock at I/O
 *     completion).
 */
#ifndef IOMAP_FS_H
#define IOMAP_FS_H

#include <fcntl.h>
#include <pthread.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "lock.h"
#include "pagecache.h"
#include "types.h"
#include "workqueue.h"

struct block_device;
struct inode;

/** A mounted filesystem instance. */
struct super_block {
	kdev_t s_dev;                 /**< device number shown in traces ("dev") */
	unsigned s_blocksize_bits;    /**< log2 of the filesystem block size */
	unsigned long s_blocksize;    /**< filesystem block size, bytes */
	loff_t s_maxbytes;            /**< largest file offset (MAX_LFS_FILESIZE) */
	struct block_device *s_bdev;  /**< the data device */
	void *s_fs_info;              /**< filesystem-private */
	/** Completion work of asynchronous direct writes (created on first
	 *  use by sb_init_dio_done_wq(), destroyed by sb_destroy_dio_done_wq()). */
	struct workqueue_struct *s_dio_done_wq;
};

/**
 * Create the workqueue that completes asynchronous direct writes, once
 * (the kernel's sb_init_dio_done_wq(), called by __iomap_dio_rw).
 * @param sb the superblock
 * @return 0 or -ENOMEM
 */
int sb_init_dio_done_wq(struct super_block *sb);
/**
 * Run what is queued on the dio workqueue and destroy it (at unmount).
 * @param sb the superblock
 */
void sb_destroy_dio_done_wq(struct super_block *sb);

/** An in-memory inode. */
struct inode {
	uint64_t i_ino;               /**< inode number */
	unsigned i_mode;              /**< S_IFREG | permissions */
	loff_t i_size;                /**< file size; use i_size_read/write */
	unsigned i_blkbits;           /**< log2 of the block size */
	struct super_block *i_sb;     /**< owning filesystem */
	struct rw_semaphore i_rwsem;  /**< see file comment */
	struct address_space i_data;  /**< the page cache */
	struct address_space *i_mapping; /**< == &i_data */
	unsigned i_flags;             /**< S_SWAPFILE, ... */
	void *i_private;              /**< filesystem-private */
	int i_dio_count;              /**< direct I/Os in flight (atomic; inode_dio_begin/end) */
	pthread_mutex_t i_dio_lock;   /**< with i_dio_cond: inode_dio_wait() sleeps here */
	pthread_cond_t i_dio_cond;    /**< signalled when i_dio_count drops to 0 */
};

#define S_SWAPFILE (1u << 0) /**< active swap file: no writes, no truncation */

/**
 * Initialise the VFS part of @p inode (locks with their classes, page cache).
 * @param inode the inode
 * @param sb    its filesystem
 * @param ino   inode number
 */
void inode_init(struct inode *inode, struct super_block *sb, uint64_t ino);
/**
 * Tear down what inode_init() set up (folios are freed).
 * @param inode the inode
 */
void inode_destroy(struct inode *inode);
/** @return the file size @param inode the inode */
loff_t i_size_read(const struct inode *inode);
/** Set the file size. @param inode the inode @param size new size */
void i_size_write(struct inode *inode, loff_t size);
/**
 * A direct I/O starts on @p inode (the kernel's inode_dio_begin).
 * @param inode the inode
 */
void inode_dio_begin(struct inode *inode);
/**
 * A direct I/O of @p inode finished; wakes inode_dio_wait() at zero.
 * @param inode the inode
 */
void inode_dio_end(struct inode *inode);
/**
 * Wait until no direct I/O of @p inode is in flight (the kernel's
 * inode_dio_wait; truncate, fallocate and remap call it under i_rwsem
 * exclusive).  In deterministic mode the waiting thread runs the device's
 * completions and the dio workqueue itself, since nothing else would.
 * @param inode the inode
 */
void inode_dio_wait(struct inode *inode);
/** @return the block size in bytes @param inode the inode */
static inline unsigned i_blocksize(const struct inode *inode)
{
	return 1u << inode->i_blkbits;
}
/**
 * @name Lock classes used for every inode (shared by all inodes)
 * @{
 */
extern struct lock_class i_rwsem_class;         /**< "i_rwsem", upper level */
extern struct lock_class invalidate_lock_class; /**< "invalidate_lock", upper level */
extern struct lock_class folio_lock_class;      /**< "folio_lock", operation level */
/** @} */
/** Take i_rwsem exclusive. @param inode the inode */
void inode_lock(struct inode *inode);
/** Release i_rwsem exclusive. @param inode the inode */
void inode_unlock(struct inode *inode);
/** Take i_rwsem shared. @param inode the inode */
void inode_lock_shared(struct inode *inode);
/** Release i_rwsem shared. @param inode the inode */
void inode_unlock_shared(struct inode *inode);
/**
 * Nesting subclasses for taking the i_rwsem of two inodes at once (the
 * kernel's enum inode_i_mutex_lock_class); pass to inode_lock_nested().
 */
enum inode_i_mutex_lock_class {
	I_MUTEX_NORMAL = 0,  /**< the first (or only) inode */
	I_MUTEX_PARENT = 1,  /**< a parent directory */
	I_MUTEX_CHILD = 2,   /**< a child */
	I_MUTEX_XATTR = 3,   /**< xattr directory */
	I_MUTEX_NONDIR2 = 4, /**< the second of two non-directories (remap, swap) */
	I_MUTEX_PARENT2 = 5, /**< the second parent in a rename */
};
/**
 * Take i_rwsem exclusive while another inode's i_rwsem may be held (the
 * kernel's inode_lock_nested(); lock_two_nondirectories() uses
 * ::I_MUTEX_NONDIR2 for the second inode).  Release with inode_unlock().
 * @param inode the inode; @param subclass an ::inode_i_mutex_lock_class
 */
void inode_lock_nested(struct inode *inode, unsigned subclass);
/** Take invalidate_lock exclusive. @param mapping the page cache */
void filemap_invalidate_lock(struct address_space *mapping);
/** Release invalidate_lock exclusive. @param mapping the page cache */
void filemap_invalidate_unlock(struct address_space *mapping);
/** Take invalidate_lock shared. @param mapping the page cache */
void filemap_invalidate_lock_shared(struct address_space *mapping);
/** Release invalidate_lock shared. @param mapping the page cache */
void filemap_invalidate_unlock_shared(struct address_space *mapping);

struct file;
struct kiocb;
struct iov_iter;
struct vm_fault;

/**
 * Result of a page fault handler: VM_FAULT_* bits (core/include/iomap/mm.h),
 * the kernel's vm_fault_t.
 */
typedef unsigned int vm_fault_t;

/** File operations the library calls back (a subset of the kernel's). */
struct file_operations {
	/** fsync(2): write back and commit; @p datasync nonzero for fdatasync. */
	int (*fsync)(struct file *file, int datasync);
	/** read(2) and friends: bytes read, -errno, or -EIOCBQUEUED (async). */
	ssize_t (*read_iter)(struct kiocb *iocb, struct iov_iter *to);
	/** write(2) and friends: bytes written, -errno, or -EIOCBQUEUED (async). */
	ssize_t (*write_iter)(struct kiocb *iocb, struct iov_iter *from);
	/** Poll for completions of IOCB_HIPRI requests (iocb_bio_iopoll). */
	int (*iopoll)(struct kiocb *iocb);
	/**
	 * A shared writable mapping's first store to a clean page (the
	 * kernel keeps this in vm_operations_struct; one mapping type here):
	 * make the folio writable, e.g. iomap_page_mkwrite().  Returns
	 * VM_FAULT_LOCKED with vmf->folio locked and dirty, or VM_FAULT_*
	 * error bits.  NULL: the page is simply dirtied (core/kernel/mmap.c).
	 */
	vm_fault_t (*page_mkwrite)(struct vm_fault *vmf);
};

/** An open file. */
struct file {
	struct inode *f_inode;  /**< the inode */
	const struct file_operations *f_op; /**< set by the filesystem at open */
	unsigned f_flags;       /**< O_DIRECT, O_SYNC, O_DSYNC, O_RDONLY/O_RDWR ... */
	errseq_t f_wb_err;      /**< writeback error sampled at open */
	loff_t f_pos;           /**< file position for read/write without offset */
	struct file_ra_state f_ra; /**< readahead state (filemap_read) */
};

/**
 * fsync a file through its filesystem (the kernel's vfs_fsync).
 * @param file the file; @param datasync nonzero for fdatasync semantics
 * @return 0 or -errno (-EINVAL if the filesystem has no fsync)
 */
static inline int vfs_fsync(struct file *file, int datasync)
{
	if (!file->f_op || !file->f_op->fsync)
		return -EINVAL;
	return file->f_op->fsync(file, datasync);
}

/**
 * @name kiocb flags (the kernel's IOCB_*; values match 6.18 for tracing)
 * @{
 */
#define IOCB_HIPRI (1u << 0)          /**< poll for completion */
#define IOCB_DSYNC (1u << 1)          /**< data sync on completion */
#define IOCB_SYNC (1u << 2)           /**< full sync on completion */
#define IOCB_NOWAIT (1u << 3)         /**< do not block */
#define IOCB_APPEND (1u << 4)         /**< write at EOF */
#define IOCB_ATOMIC (1u << 6)         /**< untorn write */
#define IOCB_DONTCACHE (1u << 7)      /**< drop cache after I/O */
#define IOCB_EVENTFD (1u << 16)       /**< completion signals an eventfd */
#define IOCB_DIRECT (1u << 17)        /**< O_DIRECT */
#define IOCB_WRITE (1u << 18)         /**< a write */
#define IOCB_WAITQ (1u << 19)         /**< async buffered read waits on a waitqueue */
#define IOCB_NOIO (1u << 20)          /**< do not start I/O */
#define IOCB_ALLOC_CACHE (1u << 21)   /**< may use the kiocb alloc cache */
#define IOCB_DIO_CALLER_COMP (1u << 22) /**< complete in the caller's context */
/** @} */

/**
 * Kernel spelling of kiocb flags, "|"-joined in the order of 6.18's
 * TRACE_IOCB_STRINGS (e.g. "DIRECT", "WRITE|DIRECT" is printed as
 * "DIRECT|WRITE"); "" for none.  Implemented in core/iomap/trace.c.
 * @param flags IOCB_*; @param buf output; @param len its size
 * @return @p buf
 */
const char *iocb_flags_str(unsigned flags, char *buf, size_t len);

/** A kernel I/O control block: one read or write request. */
struct kiocb {
	struct file *ki_filp;   /**< the file */
	loff_t ki_pos;          /**< file position of the I/O */
	unsigned ki_flags;      /**< IOCB_* */
	/** Completion for asynchronous requests; NULL = synchronous. */
	void (*ki_complete)(struct kiocb *iocb, long ret);
	/** For the owner of the request; a polled direct I/O keeps its bio
	 *  here, a caller-completed one (IOCB_DIO_CALLER_COMP) its dio. */
	void *private;
	/** Set by the I/O path before ki_complete(iocb, 0) when the request
	 *  was IOCB_DIO_CALLER_COMP: the issuer must call
	 *  `dio_complete(private)` from its own context to finish it. */
	ssize_t (*dio_complete)(void *data);
};

/**
 * The kiocb flags an open file implies (the kernel's iocb_flags):
 * O_APPEND, O_DIRECT, O_DSYNC (and O_SYNC, which includes it), __O_SYNC.
 * @param file the file
 * @return IOCB_* flags
 */
static inline unsigned iocb_flags(const struct file *file)
{
	unsigned res = 0;

	if (file->f_flags & O_APPEND)
		res |= IOCB_APPEND;
	if (file->f_flags & O_DIRECT)
		res |= IOCB_DIRECT;
	if (file->f_flags & O_DSYNC)
		res |= IOCB_DSYNC;
	if ((file->f_flags & O_SYNC) == O_SYNC)
		res |= IOCB_SYNC;
	return res;
}

/**
 * Initialise a synchronous request on @p file at its f_pos (the kernel's
 * init_sync_kiocb).  As in the kernel, IOCB_WRITE is *not* set for
 * read(2)/write(2)-style requests; only aio and io_uring set it.
 * @param iocb the request; @param file the file
 */
static inline void init_sync_kiocb(struct kiocb *iocb, struct file *file)
{
	iocb->ki_filp = file;
	iocb->ki_pos = file->f_pos;
	iocb->ki_flags = iocb_flags(file);
	iocb->ki_complete = NULL;
	iocb->private = NULL;
	iocb->dio_complete = NULL;
}

/**
 * Apply preadv2/pwritev2 flags (the kernel's kiocb_set_rw_flags): RWF_HIPRI,
 * RWF_DSYNC, RWF_SYNC, RWF_NOWAIT, RWF_APPEND from <sys/uio.h>.
 * @param iocb the request; @param rwf RWF_* flags
 * @return 0, -EOPNOTSUPP for an unknown flag or RWF_NOWAIT on a
 *         non-O_DIRECT request (as for a file without FMODE_NOWAIT)
 */
static inline int kiocb_set_rw_flags(struct kiocb *iocb, int rwf)
{
	int known = RWF_HIPRI | RWF_DSYNC | RWF_SYNC | RWF_NOWAIT | RWF_APPEND;

	if (rwf & ~known)
		return -EOPNOTSUPP;
	if (rwf & RWF_NOWAIT) {
		if (!(iocb->ki_flags & IOCB_DIRECT))
			return -EOPNOTSUPP;
		iocb->ki_flags |= IOCB_NOWAIT;
	}
	if (rwf & RWF_HIPRI)
		iocb->ki_flags |= IOCB_HIPRI;
	if (rwf & RWF_DSYNC)
		iocb->ki_flags |= IOCB_DSYNC;
	if (rwf & RWF_SYNC)
		iocb->ki_flags |= IOCB_DSYNC | IOCB_SYNC;
	if (rwf & RWF_APPEND)
		iocb->ki_flags |= IOCB_APPEND;
	return 0;
}

/** @return whether the request needs data integrity at completion @param iocb the request */
static inline bool iocb_is_dsync(const struct kiocb *iocb)
{
	return (iocb->ki_flags & IOCB_DSYNC) != 0;
}

/**
 * After a successful O_DSYNC / O_SYNC write of @p count bytes ending at
 * ki_pos, fsync the file (the kernel's generic_write_sync: datasync unless
 * IOCB_SYNC).
 * @param iocb the request (ki_pos already advanced); @param count bytes written
 * @return @p count, or -errno from fsync
 */
static inline ssize_t generic_write_sync(struct kiocb *iocb, ssize_t count)
{
	if (iocb_is_dsync(iocb)) {
		int ret = vfs_fsync(iocb->ki_filp, (iocb->ki_flags & IOCB_SYNC) ? 0 : 1);

		if (ret)
			return ret;
	}
	return count;
}

/**
 * Poll for the completion of an IOCB_HIPRI request (the kernel's
 * iocb_bio_iopoll, a file's ->iopoll): runs the finished polled bios of the
 * file's device on the calling thread.
 * @param iocb the request
 * @return number of bios completed (0 if none had finished)
 */
int iocb_bio_iopoll(struct kiocb *iocb);

/**
 * Before a direct read of @p count bytes at ki_pos: write back dirty page
 * cache over the range and wait (mm/filemap.c kiocb_write_and_wait); with
 * IOCB_NOWAIT, -EAGAIN instead if that would be needed.
 * @param iocb the request; @param count bytes
 * @return 0, -EAGAIN, or a writeback error
 */
int kiocb_write_and_wait(struct kiocb *iocb, size_t count);
/**
 * Before a direct write of @p count bytes at ki_pos: write back and drop the
 * page cache over the range (mm/filemap.c kiocb_invalidate_pages).  With
 * IOCB_NOWAIT, -EAGAIN if any folio is cached there.
 * @param iocb the request; @param count bytes
 * @return 0, -EAGAIN, a writeback error, or -EBUSY when a folio could not be
 *         dropped (locked, dirty again, under writeback)
 */
int kiocb_invalidate_pages(struct kiocb *iocb, size_t count);
/**
 * After a direct write of @p count bytes ending at ki_pos + count: drop the
 * page cache over the range again, ignoring failure
 * (kiocb_invalidate_post_direct_write).
 * @param iocb the request; @param count bytes
 */
void kiocb_invalidate_post_direct_write(struct kiocb *iocb, size_t count);

/** @return true if @p iocb is synchronous @param iocb the request */
static inline bool is_sync_kiocb(const struct kiocb *iocb)
{
	return iocb->ki_complete == NULL;
}

/** Direction of an iov_iter. */
enum iter_dir {
	ITER_DEST = 0,   /**< data is copied into the iterator (reads) */
	ITER_SOURCE = 1, /**< data is copied out of the iterator (writes) */
};

/** One user buffer. */
struct kvec {
	void *iov_base;  /**< start */
	size_t iov_len;  /**< bytes */
};

/**
 * An iterator over caller memory (the kernel's iov_iter over kvecs).
 *
 * `fault_at` models a user buffer that is only partly mapped: copying
 * beyond byte `fault_at` of the original count fails as a page fault would
 * (copy helpers return a short count), so partial progress is testable.
 */
struct iov_iter {
	enum iter_dir dir;       /**< direction */
	const struct kvec *kvec; /**< segments */
	unsigned long nr_segs;   /**< segments left */
	size_t iov_offset;       /**< offset in the current segment */
	size_t count;            /**< bytes left */
	size_t consumed;         /**< bytes copied so far */
	size_t fault_at;         /**< SIZE_MAX = never fault */
};

/**
 * Initialise an iterator over @p nr kvecs.
 * @param i iterator; @param dir direction; @param kvec segments
 * @param nr number of segments; @param count total bytes
 */
void iov_iter_kvec(struct iov_iter *i, enum iter_dir dir, const struct kvec *kvec,
		   unsigned long nr, size_t count);
/** @return bytes left @param i the iterator */
static inline size_t iov_iter_count(const struct iov_iter *i)
{
	return i->count;
}
/**
 * Copy up to @p bytes from @p buf into the iterator (reads).
 * @param buf source; @param bytes count; @param i destination iterator
 * @return bytes copied (short at a simulated fault)
 */
size_t copy_to_iter(const void *buf, size_t bytes, struct iov_iter *i);
/**
 * Copy up to @p bytes from the iterator into @p buf (writes).
 * @param buf destination; @param bytes count; @param i source iterator
 * @return bytes copied (short at a simulated fault)
 */
size_t copy_from_iter(void *buf, size_t bytes, struct iov_iter *i);
/** Skip @p bytes. @param i the iterator @param bytes count */
void iov_iter_advance(struct iov_iter *i, size_t bytes);
/** Step back @p bytes. @param i the iterator @param bytes count */
void iov_iter_revert(struct iov_iter *i, size_t bytes);
/** Limit the iterator to @p count bytes. @param i iterator @param count new count */
void iov_iter_truncate(struct iov_iter *i, size_t count);
/**
 * Give back @p count bytes that iov_iter_truncate() took away (the count
 * becomes @p count; the kernel's iov_iter_reexpand).
 * @param i iterator; @param count new count
 */
void iov_iter_reexpand(struct iov_iter *i, size_t count);
/**
 * Zero up to @p bytes of the destination iterator (reads of holes).
 * @param bytes count; @param i destination iterator
 * @return bytes zeroed (short at a simulated fault)
 */
size_t iov_iter_zero(size_t bytes, struct iov_iter *i);
/**
 * Whether every segment start and length of the rest of @p i is a multiple
 * of @p addr_mask + 1 and @p len_mask + 1 (the kernel's iov_iter_is_aligned;
 * O_DIRECT needs memory aligned to the device's dma alignment).
 * @param i iterator; @param addr_mask address mask; @param len_mask length mask
 * @return true if aligned
 */
bool iov_iter_is_aligned(const struct iov_iter *i, unsigned long addr_mask,
			 unsigned long len_mask);
/**
 * Point at the next bytes of the iterator without copying (the core of
 * bio_iov_iter_get_pages for kvecs): up to @p maxlen contiguous bytes of
 * the current segment, stopping at a simulated fault.  Advances the
 * iterator by the length returned.
 * @param i iterator; @param maxlen most bytes wanted; @param buf out: the memory
 * @return bytes (0 at a fault or at the end)
 */
size_t iov_iter_get_buf(struct iov_iter *i, size_t maxlen, void **buf);

#endif /* IOMAP_FS_H */
