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

#include "lock.h"
#include "pagecache.h"
#include "types.h"

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
};

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

/** File operations the library calls back (a subset of the kernel's). */
struct file_operations {
	/** fsync(2): write back and commit; @p datasync nonzero for fdatasync. */
	int (*fsync)(struct file *file, int datasync);
};

/** An open file. */
struct file {
	struct inode *f_inode;  /**< the inode */
	const struct file_operations *f_op; /**< set by the filesystem at open */
	unsigned f_flags;       /**< O_DIRECT, O_SYNC, O_DSYNC, O_RDONLY/O_RDWR ... */
	errseq_t f_wb_err;      /**< writeback error sampled at open */
	loff_t f_pos;           /**< file position for read/write without offset */
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

/** A kernel I/O control block: one read or write request. */
struct kiocb {
	struct file *ki_filp;   /**< the file */
	loff_t ki_pos;          /**< file position of the I/O */
	unsigned ki_flags;      /**< IOCB_* */
	/** Completion for asynchronous requests; NULL = synchronous. */
	void (*ki_complete)(struct kiocb *iocb, long ret);
	void *private;          /**< for the caller / filesystem */
};

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

#endif /* IOMAP_FS_H */
