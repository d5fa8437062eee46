/**
 * @file inode.c
 * @brief The VFS inode: its lock classes, setup and teardown, the size, and
 *        the i_rwsem / invalidate_lock helpers (fs/inode.c, mm/filemap.c and
 *        include/linux/fs.h in the kernel).
 *
 * How to use: embed a `struct inode` in the filesystem's own inode, call
 * inode_init() once, set i_mode / i_private / the size, and inode_destroy()
 * when the inode goes away (its cached folios are freed then).
 *
 * The three lock classes every inode shares, in the order the seed's
 * locking hierarchy (design.rst) prescribes:
 *
 *     i_rwsem            UPPER       file operations, taken by the filesystem
 *       invalidate_lock  UPPER       page cache insertion vs. removal
 *         (fs mapping lock, LOWER, defined by the filesystem)
 *         folio_lock     OPERATION   one folio's contents and flags
 *
 * A caller must never: take invalidate_lock and then i_rwsem (the validator
 * reports it); write i_size without i_rwsem held exclusive, unless it is
 * the filesystem's I/O completion under its own size lock; destroy an inode
 * whose locks are held.
 *
 * Locking: i_size is a 64-bit atomic so readers need no lock (the kernel
 * needs a seqcount only on 32-bit machines); every other field is set up
 * once by inode_init() and then belongs to the filesystem.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <iomap/bio.h>
#include <iomap/fs.h>
#include <iomap/trace.h>
#include <iomap/workqueue.h>

DEFINE_LOCK_CLASS(i_rwsem_class, "i_rwsem", LOCK_LEVEL_UPPER);
DEFINE_LOCK_CLASS(invalidate_lock_class, "invalidate_lock", LOCK_LEVEL_UPPER);
DEFINE_LOCK_CLASS(folio_lock_class, "folio_lock", LOCK_LEVEL_OPERATION);

/* Mirrors inode_init_always() + inode_init_once() + address_space_init_once(). */
void inode_init(struct inode *inode, struct super_block *sb, uint64_t ino)
{
	inode->i_ino = ino;
	inode->i_mode = S_IFREG | 0644;
	inode->i_size = 0;
	inode->i_blkbits = sb ? sb->s_blocksize_bits : PAGE_SHIFT;
	inode->i_sb = sb;
	inode->i_flags = 0;
	inode->i_private = NULL;
	init_rwsem(&inode->i_rwsem, &i_rwsem_class, "i_rwsem");
	inode->i_dio_count = 0;
	pthread_mutex_init(&inode->i_dio_lock, NULL);
	pthread_cond_init(&inode->i_dio_cond, NULL);
	address_space_init(&inode->i_data, inode);
	inode->i_mapping = &inode->i_data;
}

/* Mirrors the part of evict() that truncate_inode_pages_final() covers. */
void inode_destroy(struct inode *inode)
{
	address_space_destroy(&inode->i_data);
	rwsem_destroy(&inode->i_rwsem);
	pthread_cond_destroy(&inode->i_dio_cond);
	pthread_mutex_destroy(&inode->i_dio_lock);
}

/*
 * Direct I/O accounting (the kernel's inode_dio_begin/end/wait).  The count
 * is changed under i_dio_lock so that a waiter cannot miss the wake-up
 * between testing the count and sleeping.
 */
void inode_dio_begin(struct inode *inode)
{
	pthread_mutex_lock(&inode->i_dio_lock);
	inode->i_dio_count++;
	pthread_mutex_unlock(&inode->i_dio_lock);
}

void inode_dio_end(struct inode *inode)
{
	pthread_mutex_lock(&inode->i_dio_lock);
	if (--inode->i_dio_count == 0)
		pthread_cond_broadcast(&inode->i_dio_cond);
	pthread_mutex_unlock(&inode->i_dio_lock);
}

static int inode_dio_count(struct inode *inode)
{
	int n;

	pthread_mutex_lock(&inode->i_dio_lock);
	n = inode->i_dio_count;
	pthread_mutex_unlock(&inode->i_dio_lock);
	return n;
}

static bool inode_deterministic(const struct inode *inode)
{
	const struct super_block *sb = inode->i_sb;

	if (sb && sb->s_bdev)
		return sb->s_bdev->bd_mode == EXEC_DETERMINISTIC;
	return kernel_exec_mode() == EXEC_DETERMINISTIC;
}

void inode_dio_wait(struct inode *inode)
{
	struct super_block *sb = inode->i_sb;

	if (inode_deterministic(inode)) {
		/*
		 * Nothing runs by itself in deterministic mode: the waiter
		 * delivers the device's completions and runs the dio
		 * workqueue until the last direct I/O has finished.
		 */
		int before;

		while ((before = inode_dio_count(inode)) > 0) {
			if (sb && sb->s_bdev) {
				blkdev_drain(sb->s_bdev);
				blkdev_run_completions(sb->s_bdev);
			}
			if (sb && sb->s_dio_done_wq)
				flush_workqueue(sb->s_dio_done_wq);
			if (inode_dio_count(inode) == before) {
				/*
				 * No bio and no work item left, yet a dio is
				 * open: an IOCB_DIO_CALLER_COMP request whose
				 * issuer has not called ->dio_complete.  The
				 * kernel would sleep forever here; a
				 * single-threaded run would hang, so say so.
				 */
				fprintf(stderr, "inode_dio_wait: inode %llu: %d direct I/O(s) "
					"waiting for their issuer's dio_complete\n",
					(unsigned long long)inode->i_ino, before);
				return;
			}
		}
		return;
	}
	pthread_mutex_lock(&inode->i_dio_lock);
	while (inode->i_dio_count > 0)
		pthread_cond_wait(&inode->i_dio_cond, &inode->i_dio_lock);
	pthread_mutex_unlock(&inode->i_dio_lock);
}

static pthread_mutex_t dio_wq_create_lock = PTHREAD_MUTEX_INITIALIZER;

int sb_init_dio_done_wq(struct super_block *sb)
{
	int ret = 0;

	pthread_mutex_lock(&dio_wq_create_lock);
	if (!sb->s_dio_done_wq) {
		sb->s_dio_done_wq = alloc_workqueue("dio/done");
		if (!sb->s_dio_done_wq)
			ret = -ENOMEM;
	}
	pthread_mutex_unlock(&dio_wq_create_lock);
	return ret;
}

void sb_destroy_dio_done_wq(struct super_block *sb)
{
	struct workqueue_struct *wq;

	pthread_mutex_lock(&dio_wq_create_lock);
	wq = sb->s_dio_done_wq;
	sb->s_dio_done_wq = NULL;
	pthread_mutex_unlock(&dio_wq_create_lock);
	if (wq) {
		drain_workqueue(wq);
		destroy_workqueue(wq);
	}
}

loff_t i_size_read(const struct inode *inode)
{
	return __atomic_load_n(&inode->i_size, __ATOMIC_ACQUIRE);
}

void i_size_write(struct inode *inode, loff_t size)
{
	__atomic_store_n(&inode->i_size, size, __ATOMIC_RELEASE);
}

void inode_lock(struct inode *inode)
{
	down_write(&inode->i_rwsem);
}

void inode_lock_nested(struct inode *inode, unsigned subclass)
{
	down_write_nested(&inode->i_rwsem, subclass);
}

void inode_unlock(struct inode *inode)
{
	up_write(&inode->i_rwsem);
}

void inode_lock_shared(struct inode *inode)
{
	down_read(&inode->i_rwsem);
}

void inode_unlock_shared(struct inode *inode)
{
	up_read(&inode->i_rwsem);
}

void filemap_invalidate_lock(struct address_space *mapping)
{
	down_write(&mapping->invalidate_lock);
}

void filemap_invalidate_unlock(struct address_space *mapping)
{
	up_write(&mapping->invalidate_lock);
}

void filemap_invalidate_lock_shared(struct address_space *mapping)
{
	down_read(&mapping->invalidate_lock);
}

void filemap_invalidate_unlock_shared(struct address_space *mapping)
{
	up_read(&mapping->invalidate_lock);
}
