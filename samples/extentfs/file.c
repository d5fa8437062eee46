/**
 * @file file.c
 * @brief The VFS-shaped entry points of extentfs (mirrors xfs_file.c,
 *        xfs_iops.c and the file-space parts of xfs_bmap_util.c): this is
 *        where i_rwsem and invalidate_lock are taken and where the iomap
 *        library is called.
 *
 * Locks, outermost first (extentfs_priv.h has the whole hierarchy):
 *
 *     fallocate, truncate    i_rwsem EXCL -> invalidate_lock EXCL
 *                              -> transactions (ilock EXCL -> commit lock)
 *                              -> iomap_zero_range (ilock shared inside ->iomap_begin)
 *     remap                  both i_rwsems and invalidate_locks, lower inode
 *                            number first (lock_two_nondirectories)
 *     fiemap, seek, fibmap   i_rwsem shared
 *     fsync, sync            no VFS lock; the commit lock inside commit.c
 *     sync_file_range        no lock at all: writeback and waits only
 *     direct read            i_rwsem shared (trylock with IOCB_NOWAIT)
 *     buffered read          i_rwsem shared
 *     buffered write         i_rwsem EXCL (+ invalidate_lock EXCL while zeroing
 *                            from EOF); ->iomap_begin takes ilock / transactions
 *     direct write, aligned  i_rwsem shared; exclusive + invalidate_lock
 *                            while zeroing the gap between EOF and the write
 *     direct write,          i_rwsem exclusive, other direct I/O drained
 *       unaligned            (inode_dio_wait), IOMAP_DIO_FORCE_WAIT; with
 *                            IOCB_NOWAIT shared + IOMAP_DIO_OVERWRITE_ONLY
 *     dio ->end_io           no VFS lock (may run on the completion thread
 *                            or the dio workqueue): a transaction, and the
 *                            inode's i_flags_lock around the size
 *
 * Everything that changes or frees extents (truncate, fallocate, remap,
 * the last close of an unlinked file, unmount) first waits for direct I/O
 * in flight with inode_dio_wait() under i_rwsem exclusive, as XFS does: a
 * completing write would otherwise convert or remap blocks that are gone.
 *
 * Buffered (non-O_DIRECT) I/O goes through the page cache: reads under
 * i_rwsem shared (filemap_read -> a_ops->read_folio / readahead, aops.c),
 * writes under i_rwsem exclusive (iomap_file_buffered_write with delayed
 * allocation, iomap.c); a direct write that answers -ENOTBLK (page cache
 * not invalidated, partial block of a reflinked file) falls back to a
 * buffered write, as XFS does.  fsync = write back and wait (completion
 * work converts and sets the on-disk size before writeback ends, aops.c),
 * commit if the inode is dirty, report a writeback error once (errseq).
 *
 * The space operations follow XFS step by step, because the kernel traces
 * (tests/xcheck) show their order:
 *
 *     fallocate 0          allocate UNWRITTEN for the holes, then, if the
 *                          size grows, zero from the old EOF and set the size
 *     fallocate KEEP_SIZE  allocate only
 *     PUNCH_HOLE           write back and drop the cache of the range, free
 *                          the whole blocks, zero [off, min(end, EOF))
 *     ZERO_RANGE           punch, then allocate UNWRITTEN over the blocks
 *     UNSHARE_RANGE        copy shared written blocks, then allocate holes
 *     truncate up          zero [old EOF, new EOF), set the size
 *     truncate down        zero the tail of the new EOF block, set the size,
 *                          drop the cache and the blocks beyond it
 *
 * Inline files (inline.c): every writer holds i_rwsem exclusive (direct
 * writes too, efs_file_dio_write_inline); a write or truncate past the
 * inline capacity, fallocate, remap and a write fault convert the file to
 * blocks first (efs_inline_unstuff), under i_rwsem and invalidate_lock.
 *
 * Never: call iomap functions with the ilock or the commit lock held;
 * change the size outside a transaction (a commit must see size and
 * extents together).
 */
#include <fcntl.h>
#include <limits.h>
#include <linux/falloc.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <iomap/mm.h>

#include "extentfs_priv.h"

static bool file_writable(const struct file *f)
{
	return (f->f_flags & O_ACCMODE) != O_RDONLY;
}

static bool file_readable(const struct file *f)
{
	return (f->f_flags & O_ACCMODE) != O_WRONLY;
}

static struct efs_inode *file_ei(const struct file *file)
{
	return EFS_I(file->f_inode);
}

static vm_fault_t extentfs_page_mkwrite(struct vm_fault *vmf);

const struct file_operations extentfs_file_operations = {
	.fsync = extentfs_fsync,
	.read_iter = extentfs_read_iter,
	.write_iter = extentfs_write_iter,
	.iopoll = iocb_bio_iopoll,
	.page_mkwrite = extentfs_page_mkwrite,
};

/*
 * ------------------------------------------------------------ space changes
 */

/*
 * Mirrors xfs_setattr_size.  @pre i_rwsem and invalidate_lock EXCL.
 */
static int efs_setattr_size_locked(struct efs_inode *ei, loff_t newsize)
{
	struct inode *inode = &ei->vfs;
	struct extentfs *fs = EFS_FS(ei);
	uint64_t mask = fs->blocksize - 1;
	loff_t oldsize;
	int ret = 0;

	if (efs_is_shutdown(fs))
		return -EIO;
	/*
	 * xfs_setattr_size: no direct I/O may complete into what changes
	 * here, and a completing write may still move EOF: sample it after.
	 */
	inode_dio_wait(inode);
	/* An inline file stays inline within its capacity, else it is converted. */
	if (efs_inode_is_inline(ei)) {
		if ((uint64_t)newsize <= efs_fs_inline_capacity(fs))
			return efs_inline_setsize(ei, newsize);
		ret = efs_inline_unstuff(ei);
		if (ret)
			return ret;
	}
	oldsize = i_size_read(inode);
	if (newsize > oldsize) {
		ret = iomap_zero_range(inode, oldsize, newsize - oldsize, NULL,
				       &extentfs_zero_iomap_ops);
	} else if ((uint64_t)newsize & mask) {
		/* The tail of the new EOF block must read as zeroes later. */
		ret = iomap_truncate_page(inode, newsize, NULL, &extentfs_buffered_write_iomap_ops);
	}
	if (ret)
		return ret;
	/*
	 * xfs_setattr_size: growing past data that is only in the page cache
	 * would let a commit record a size whose blocks still read as holes
	 * while the data sits in memory; write it back first.
	 */
	if (newsize > ei->disk_size && oldsize != ei->disk_size) {
		ret = filemap_write_and_wait_range(inode->i_mapping, ei->disk_size, newsize - 1);
		if (ret)
			return ret;
	}
	if (newsize <= oldsize)
		truncate_pagecache_range(inode->i_mapping, newsize, INT64_MAX);

	ret = efs_trans_begin(ei);
	if (ret)
		return ret;
	i_size_write(inode, newsize);
	efs_set_disk_size(ei, newsize);
	/* xfs_itruncate_extents: even an unchanged size drops post-EOF blocks. */
	if (newsize <= oldsize) {
		uint64_t first = ((uint64_t)newsize + mask) >> fs->blkbits;

		efs_bunmapi(ei, first, fs->max_fblock);
		/* xfs_itruncate_extents drops COW staging beyond EOF as well. */
		efs_reflink_cancel_cow(ei, first, fs->max_fblock);
	}
	efs_trans_end(ei);
	return 0;
}

/* Mirrors xfs_flush_unmap_range: write back, then drop the cache of a range. */
static int efs_flush_unmap_range(struct efs_inode *ei, loff_t off, loff_t len)
{
	struct extentfs *fs = EFS_FS(ei);
	uint64_t rounding = fs->blocksize > PAGE_SIZE ? fs->blocksize : PAGE_SIZE;
	uint64_t start = (uint64_t)off & ~(rounding - 1);
	uint64_t end = (uint64_t)off + (uint64_t)len;
	int ret;

	end = end > UINT64_MAX - rounding ? UINT64_MAX : ((end + rounding - 1) & ~(rounding - 1));
	end = end - 1 > (uint64_t)INT64_MAX ? (uint64_t)INT64_MAX : end - 1;
	ret = filemap_write_and_wait_range(ei->vfs.i_mapping, (loff_t)start, (loff_t)end);
	if (ret)
		return ret;
	truncate_pagecache_range(ei->vfs.i_mapping, (loff_t)start, (loff_t)end);
	return 0;
}

/* Mirrors xfs_free_file_space (PUNCH_HOLE). */
static int efs_free_file_space(struct efs_inode *ei, loff_t off, loff_t len)
{
	struct extentfs *fs = EFS_FS(ei);
	uint64_t mask = fs->blocksize - 1;
	uint64_t start_fb = ((uint64_t)off + mask) >> fs->blkbits;
	uint64_t end_fb = ((uint64_t)off + (uint64_t)len) >> fs->blkbits;
	loff_t size;
	int ret;

	ret = efs_flush_unmap_range(ei, off, len);
	if (ret)
		return ret;
	if (end_fb > start_fb) {
		ret = efs_trans_begin(ei);
		if (ret)
			return ret;
		efs_bunmapi(ei, start_fb, end_fb - start_fb);
		efs_trans_end(ei);
	}
	/*
	 * Zero the partial blocks at the edges.  iomap_zero_range skips holes
	 * and unwritten space, including what was just freed, but must not
	 * zero past EOF (that would not change the size, but XFS stops there).
	 */
	size = i_size_read(&ei->vfs);
	if (off >= size)
		return 0;
	if (len > size - off)
		len = size - off;
	return iomap_zero_range(&ei->vfs, off, len, NULL, &extentfs_zero_iomap_ops);
}

/* Mirrors xfs_alloc_file_space: UNWRITTEN extents for the holes of a range. */
static int efs_alloc_file_space(struct efs_inode *ei, loff_t off, loff_t len)
{
	struct extentfs *fs = EFS_FS(ei);
	uint64_t mask = fs->blocksize - 1;
	uint64_t start_fb = (uint64_t)off >> fs->blkbits;
	uint64_t end_fb = ((uint64_t)off + (uint64_t)len + mask) >> fs->blkbits;
	int ret;

	if (end_fb > fs->max_fblock)
		end_fb = fs->max_fblock;
	ret = efs_trans_begin(ei);
	if (ret)
		return ret;
	ret = efs_bmap_alloc_range(ei, start_fb, end_fb - start_fb, EFS_EXT_UNWRITTEN);
	efs_trans_end(ei);
	return ret;
}

int extentfs_fallocate(struct file *file, int mode, loff_t off, loff_t len)
{
	const int known = FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE |
			  FALLOC_FL_UNSHARE_RANGE | FALLOC_FL_COLLAPSE_RANGE |
			  FALLOC_FL_INSERT_RANGE;
	struct efs_inode *ei = file_ei(file);
	struct inode *inode = &ei->vfs;
	struct extentfs *fs = EFS_FS(ei);
	loff_t new_size = 0;
	int ret;

	/* The checks of vfs_fallocate (6.18), in its order: one mode at a time. */
	if (off < 0 || len <= 0)
		return -EINVAL;
	if (mode & ~known)
		return -EOPNOTSUPP;
	switch (mode & ~FALLOC_FL_KEEP_SIZE) {
	case 0:
	case FALLOC_FL_UNSHARE_RANGE:
	case FALLOC_FL_ZERO_RANGE:
		break;
	case FALLOC_FL_PUNCH_HOLE:
		if (!(mode & FALLOC_FL_KEEP_SIZE))
			return -EOPNOTSUPP;
		break;
	default:
		/* two modes at once; COLLAPSE and INSERT are not implemented */
		return -EOPNOTSUPP;
	}
	if (!file_writable(file))
		return -EBADF;
	if (len > fs->sb.s_maxbytes - off)
		return -EFBIG;
	if (efs_is_shutdown(fs))
		return -EIO;

	inode_lock(inode);
	filemap_invalidate_lock(inode->i_mapping);
	if (inode->i_flags & S_SWAPFILE) {
		ret = -ETXTBSY;
		goto out;
	}
	/* xfs_file_fallocate: direct I/O in flight must not complete into a change. */
	inode_dio_wait(inode);
	/* Every mode works on blocks: an inline file gets one first (inline.c). */
	ret = efs_inline_unstuff(ei);
	if (ret)
		goto out;
	if (!(mode & FALLOC_FL_KEEP_SIZE) && off + len > i_size_read(inode))
		new_size = off + len;

	if (mode & FALLOC_FL_PUNCH_HOLE) {
		ret = efs_free_file_space(ei, off, len);
	} else if (mode & FALLOC_FL_ZERO_RANGE) {
		/* xfs: punch a hole, then preallocate the whole blocks again. */
		uint64_t mask = fs->blocksize - 1;
		uint64_t rstart = (uint64_t)off & ~mask;
		uint64_t rend = ((uint64_t)off + (uint64_t)len + mask) & ~mask;

		ret = efs_free_file_space(ei, off, len);
		if (!ret)
			ret = efs_alloc_file_space(ei, (loff_t)rstart, (loff_t)(rend - rstart));
	} else if (mode & FALLOC_FL_UNSHARE_RANGE) {
		ret = efs_reflink_unshare(ei, off, len);
		if (!ret)
			ret = efs_alloc_file_space(ei, off, len);
	} else {
		ret = efs_alloc_file_space(ei, off, len);
	}
	if (!ret && new_size)
		ret = efs_setattr_size_locked(ei, new_size);
out:
	filemap_invalidate_unlock(inode->i_mapping);
	inode_unlock(inode);
	/* xfs_file_fallocate: O_SYNC / O_DSYNC files commit before returning. */
	if (!ret && (file->f_flags & O_DSYNC))
		ret = efs_commit(fs);
	return ret;
}

int extentfs_setattr_size(struct file *file, loff_t size)
{
	struct efs_inode *ei = file_ei(file);
	struct inode *inode = &ei->vfs;
	int ret;

	if (size < 0)
		return -EINVAL;
	if (size > inode->i_sb->s_maxbytes)
		return -EFBIG;
	if (!file_writable(file))
		return -EINVAL; /* ftruncate on a descriptor not open for writing */
	inode_lock(inode);
	filemap_invalidate_lock(inode->i_mapping);
	if (inode->i_flags & S_SWAPFILE)
		ret = -ETXTBSY;
	else
		ret = efs_setattr_size_locked(ei, size);
	filemap_invalidate_unlock(inode->i_mapping);
	inode_unlock(inode);
	return ret;
}

/*
 * ------------------------------------------------------------- direct I/O
 */

/*
 * Mirrors xfs_dio_write_end_io.  @size bytes at @iocb->ki_pos (not yet
 * advanced) went to the device.  Runs without i_rwsem, possibly on the
 * device's completion thread or the dio workqueue, and possibly while other
 * direct writes of the same file complete: everything it changes is done
 * in one transaction, so a commit sees the conversion, the remap and the
 * new size together, and the size only ever grows.
 */
static int efs_dio_write_end_io(struct kiocb *iocb, ssize_t size, int error, unsigned flags)
{
	struct efs_inode *ei = file_ei(iocb->ki_filp);
	struct inode *inode = &ei->vfs;
	struct extentfs *fs = EFS_FS(ei);
	uint64_t mask = fs->blocksize - 1;
	loff_t offset = iocb->ki_pos;
	uint64_t first, end;
	int ret;

	if (size < 0)
		size = 0;
	first = (uint64_t)offset >> fs->blkbits;
	end = ((uint64_t)offset + (uint64_t)size + mask) >> fs->blkbits;
	if (error) {
		/*
		 * Nothing is converted and the size stays: the unwritten
		 * extents keep reading as zeroes.  Staged COW blocks hold data
		 * nobody will map; give them back (XFS cancels them later).
		 */
		if ((flags & IOMAP_DIO_COW) && end > first && !efs_trans_begin(ei)) {
			efs_reflink_cancel_cow(ei, first, end - first);
			efs_trans_end(ei);
		}
		return error;
	}
	if (efs_is_shutdown(fs))
		return -EIO;
	if (size == 0)
		return 0;
	/* Pure overwrite inside EOF: nothing to record (the fast path). */
	if (!(flags & (IOMAP_DIO_COW | IOMAP_DIO_UNWRITTEN)) &&
	    offset + size <= __atomic_load_n(&ei->disk_size, __ATOMIC_RELAXED))
		return 0;

	ret = efs_trans_begin(ei);
	if (ret)
		return ret;
	if (flags & IOMAP_DIO_COW)
		efs_reflink_end_cow(ei, first, end - first);
	if (flags & IOMAP_DIO_UNWRITTEN)
		efs_bmap_convert_unwritten(ei, first, end - first);
	/*
	 * Several writes may complete at once, in any order: only ever move
	 * the size forward, comparing and setting under i_flags_lock (XFS
	 * does the same under its i_flags_lock spinlock).
	 */
	mutex_lock(&ei->i_flags_lock);
	if (offset + size > i_size_read(inode))
		i_size_write(inode, offset + size);
	/* Buffered writes may have moved i_size alone: disk_size on its own. */
	if (offset + size > ei->disk_size)
		efs_set_disk_size(ei, offset + size);
	mutex_unlock(&ei->i_flags_lock);
	efs_trans_end(ei);
	return 0;
}

const struct iomap_dio_ops extentfs_dio_write_ops = {
	.end_io = efs_dio_write_end_io,
};

/* xfs_ilock_iocb: i_rwsem in @excl mode, or -EAGAIN for IOCB_NOWAIT if busy. */
static int efs_ilock_iocb(struct kiocb *iocb, bool excl)
{
	struct inode *inode = iocb->ki_filp->f_inode;

	if (iocb->ki_flags & IOCB_NOWAIT) {
		if (!(excl ? down_write_trylock(&inode->i_rwsem)
			   : down_read_trylock(&inode->i_rwsem)))
			return -EAGAIN;
	} else if (excl) {
		inode_lock(inode);
	} else {
		inode_lock_shared(inode);
	}
	return 0;
}

static void efs_iunlock(struct inode *inode, bool excl)
{
	if (excl)
		inode_unlock(inode);
	else
		inode_unlock_shared(inode);
}

/*
 * The kernel's generic_write_checks: swap files, O_APPEND, s_maxbytes.
 * @return bytes left to write (the iterator may be shortened), or -errno.
 */
static ssize_t efs_generic_write_checks(struct kiocb *iocb, struct iov_iter *from)
{
	struct inode *inode = iocb->ki_filp->f_inode;
	loff_t maxbytes = inode->i_sb->s_maxbytes;
	size_t count;

	if (inode->i_flags & S_SWAPFILE)
		return -ETXTBSY;
	count = iov_iter_count(from);
	if (!count)
		return 0;
	if (iocb->ki_flags & IOCB_APPEND)
		iocb->ki_pos = i_size_read(inode);
	/* generic_write_check_limits: a write may end at s_maxbytes, not cross it. */
	if (iocb->ki_pos >= maxbytes)
		return -EFBIG;
	if ((uint64_t)count > (uint64_t)(maxbytes - iocb->ki_pos))
		iov_iter_truncate(from, (size_t)(maxbytes - iocb->ki_pos));
	return (ssize_t)iov_iter_count(from);
}

/*
 * Zero [@isize, @pos): the gap a write beyond EOF leaves (the last part of
 * xfs_file_write_checks, xfs_file_write_zero_eof), under invalidate_lock
 * EXCL as XFS holds its MMAPLOCK there.
 *
 * Zeroing written data needs the page cache in the kernel; until issue 4
 * iomap_zero_range() may answer -EOPNOTSUPP for the written EOF block.  Its
 * bytes past EOF are zero on the device already, because every way
 * extentfs writes such a block zeroes them (a direct write ending past EOF
 * zeroes the rest of its last block; truncate zeroes the tail of the new
 * EOF block), so the zeroing then starts at the next block boundary.
 * @pre i_rwsem EXCL, no direct I/O in flight.
 */
static int efs_zero_eof(struct efs_inode *ei, loff_t isize, loff_t pos)
{
	struct inode *inode = &ei->vfs;
	uint64_t mask = EFS_FS(ei)->blocksize - 1;
	loff_t next = (loff_t)(((uint64_t)isize + mask) & ~mask);
	int ret;

	filemap_invalidate_lock(inode->i_mapping);
	ret = iomap_zero_range(inode, isize, pos - isize, NULL, &extentfs_zero_iomap_ops);
	if (ret == -EOPNOTSUPP && next != isize)
		ret = next < pos ? iomap_zero_range(inode, next, pos - next, NULL,
						    &extentfs_zero_iomap_ops)
				 : 0;
	filemap_invalidate_unlock(inode->i_mapping);
	return ret;
}

/*
 * Mirrors xfs_file_write_checks.  May upgrade i_rwsem from shared to
 * exclusive (*excl), which means dropping it: everything is checked again.
 * @pre i_rwsem held as *excl says.
 */
static ssize_t efs_file_write_checks(struct kiocb *iocb, struct iov_iter *from, bool *excl)
{
	struct efs_inode *ei = file_ei(iocb->ki_filp);
	struct inode *inode = &ei->vfs;
	size_t count = iov_iter_count(from);
	bool drained_dio = false;
	loff_t isize;
	ssize_t ret;

restart:
	ret = efs_generic_write_checks(iocb, from);
	if (ret <= 0)
		return ret;
	/*
	 * A write that would end past the inline capacity converts the file
	 * first (gfs2_write_begin's unstuffing).  Every writer of an inline
	 * file holds i_rwsem exclusive (a file is inline only from creation
	 * on, and extentfs_write_iter routes its direct writes that way).
	 */
	if (efs_inode_is_inline(ei) &&
	    (uint64_t)iocb->ki_pos + (uint64_t)ret > efs_fs_inline_capacity(EFS_FS(ei))) {
		int err;

		EFS_BUG_ON(!*excl);
		inode_dio_wait(inode);
		err = efs_inline_unstuff(ei);
		if (err)
			return err;
	}
	/*
	 * Completions only ever grow the size and truncate is locked out, so
	 * a write starting at or below EOF needs no zeroing, and an unlocked
	 * look is enough to tell.
	 */
	if (iocb->ki_pos <= i_size_read(inode))
		return ret;
	mutex_lock(&ei->i_flags_lock);
	isize = i_size_read(inode);
	mutex_unlock(&ei->i_flags_lock);
	if (iocb->ki_pos <= isize)
		return ret;
	if (iocb->ki_flags & IOCB_NOWAIT)
		return -EAGAIN;
	if (!drained_dio) {
		/*
		 * Zeroing needs i_rwsem exclusive, and no direct write may be
		 * in flight: its completion could move EOF under the zeroing.
		 * Upgrading means dropping the lock, so check again.
		 */
		if (!*excl) {
			inode_unlock_shared(inode);
			inode_lock(inode);
			*excl = true;
			iov_iter_reexpand(from, count);
		}
		inode_dio_wait(inode);
		drained_dio = true;
		goto restart;
	}
	ret = efs_zero_eof(ei, isize, iocb->ki_pos);
	if (ret)
		return ret;
	return (ssize_t)iov_iter_count(from);
}

/* Mirrors xfs_file_dio_write_aligned: block-aligned, i_rwsem shared. */
static ssize_t efs_file_dio_write_aligned(struct kiocb *iocb, struct iov_iter *from)
{
	struct inode *inode = iocb->ki_filp->f_inode;
	bool excl = false;
	ssize_t ret;

	ret = efs_ilock_iocb(iocb, false);
	if (ret)
		return ret;
	ret = efs_file_write_checks(iocb, from, &excl);
	/*
	 * XFS demotes an exclusive i_rwsem back to shared here; our rwsem
	 * cannot be demoted, and keeping it exclusive is correct, only less
	 * concurrent (this happens only after zeroing beyond EOF).
	 */
	if (ret > 0)
		ret = iomap_dio_rw(iocb, from, &extentfs_direct_write_iomap_ops,
				   &extentfs_dio_write_ops, 0, NULL, 0);
	/* An asynchronous request (-EIOCBQUEUED) no longer needs i_rwsem either. */
	efs_iunlock(inode, excl);
	return ret;
}

/*
 * Mirrors xfs_file_dio_write_unaligned: a write that is not block aligned
 * zeroes the rest of its first and last block when they are new or
 * unwritten.  Two such writes into one block must not run at once (one
 * would zero the other's data), so it runs alone: i_rwsem exclusive, every
 * other direct I/O drained, and it waits for its own completion
 * (IOMAP_DIO_FORCE_WAIT).  An IOCB_NOWAIT request cannot wait for any of
 * that: it may only overwrite (IOMAP_DIO_OVERWRITE_ONLY), which zeroes
 * nothing, under i_rwsem shared, and gets -EAGAIN otherwise.  (Newer XFS
 * also tries that fast path first for blocking requests and retries
 * exclusively on -EAGAIN; extentfs keeps the simpler rule.)
 */
static ssize_t efs_file_dio_write_unaligned(struct kiocb *iocb, struct iov_iter *from)
{
	struct efs_inode *ei = file_ei(iocb->ki_filp);
	struct inode *inode = &ei->vfs;
	bool nowait = iocb->ki_flags & IOCB_NOWAIT;
	size_t count = iov_iter_count(from);
	loff_t isize = i_size_read(inode);
	unsigned dio_flags;
	bool excl;
	ssize_t ret;

	/*
	 * A write that extends the file zeroes the tail of its last block,
	 * which must not race with another write into that block: exclusive
	 * at once.  Inside EOF, first try a pure overwrite under the shared
	 * lock (IOMAP_DIO_OVERWRITE_ONLY); the kernel trace 20-dio-unaligned
	 * shows XFS doing exactly this.  If the mapping is not a pure
	 * overwrite, ->iomap_begin says -EAGAIN and we retry exclusively.
	 */
	if (iocb->ki_pos > isize || iocb->ki_pos + (loff_t)count >= isize) {
		if (nowait)
			return -EAGAIN;
		goto retry_exclusive;
	}
	excl = false;
	dio_flags = IOMAP_DIO_OVERWRITE_ONLY;
	goto lock;
retry_exclusive:
	excl = true;
	dio_flags = IOMAP_DIO_FORCE_WAIT;
lock:
	ret = efs_ilock_iocb(iocb, excl);
	if (ret)
		return ret;
	/*
	 * A partial block of a reflinked file cannot be unshared without the
	 * page cache: XFS bounces these to buffered I/O (issue 4 here).
	 */
	if (ei->diflags & EFS_DIFLAG_REFLINK) {
		ret = -ENOTBLK;
		goto out_unlock;
	}
	ret = efs_file_write_checks(iocb, from, &excl);
	if (ret <= 0)
		goto out_unlock;
	/* Exclusive sub-block I/O must be the only direct I/O in flight. */
	if (dio_flags & IOMAP_DIO_FORCE_WAIT)
		inode_dio_wait(inode);
	ret = iomap_dio_rw(iocb, from, &extentfs_direct_write_iomap_ops, &extentfs_dio_write_ops,
			   dio_flags, NULL, 0);
	if (ret == -EAGAIN && !nowait && !(dio_flags & IOMAP_DIO_FORCE_WAIT)) {
		efs_iunlock(inode, excl);
		goto retry_exclusive;
	}
out_unlock:
	efs_iunlock(inode, excl);
	return ret;
}

/*
 * Direct write to an inline file (inline.c): iomap_dio_inline_iter copies
 * into the inode's buffer, which only one writer may do at a time, so
 * i_rwsem exclusive, other direct I/O drained, and the write waits for
 * itself.  The write checks may convert the file to blocks first (a write
 * past the capacity); it then proceeds as any direct write, only more
 * serialised.
 */
static ssize_t efs_file_dio_write_inline(struct kiocb *iocb, struct iov_iter *from)
{
	struct inode *inode = iocb->ki_filp->f_inode;
	bool excl = true;
	ssize_t ret;

	ret = efs_ilock_iocb(iocb, true);
	if (ret)
		return ret;
	ret = efs_file_write_checks(iocb, from, &excl);
	if (ret > 0) {
		inode_dio_wait(inode);
		ret = iomap_dio_rw(iocb, from, &extentfs_direct_write_iomap_ops,
				   &extentfs_dio_write_ops, IOMAP_DIO_FORCE_WAIT, NULL, 0);
	}
	efs_iunlock(inode, excl);
	return ret;
}

/*
 * Mirrors xfs_file_buffered_write: i_rwsem exclusive (buffered writes of
 * one file are serialised, as XFS does), the write checks (which zero the
 * gap from EOF), iomap_file_buffered_write with delayed allocation, then
 * O_DSYNC / O_SYNC through generic_write_sync.
 */
static ssize_t efs_file_buffered_write(struct kiocb *iocb, struct iov_iter *from)
{
	struct inode *inode = iocb->ki_filp->f_inode;
	bool excl = true;
	ssize_t ret;

	ret = efs_ilock_iocb(iocb, true);
	if (ret)
		return ret;
	ret = efs_file_write_checks(iocb, from, &excl);
	if (ret > 0)
		ret = iomap_file_buffered_write(iocb, from, &extentfs_buffered_write_iomap_ops);
	efs_iunlock(inode, excl);
	if (ret > 0)
		ret = generic_write_sync(iocb, ret);
	return ret;
}

ssize_t extentfs_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	struct file *file = iocb->ki_filp;
	struct inode *inode = file->f_inode;
	ssize_t ret;

	if (!file_readable(file))
		return -EBADF;
	if (efs_is_shutdown(EFS_FS(file_ei(file))))
		return -EIO;
	if (!iov_iter_count(to))
		return 0;
	if (!(iocb->ki_flags & IOCB_DIRECT)) {
		/* xfs_file_buffered_read: the page cache, i_rwsem shared. */
		ret = efs_ilock_iocb(iocb, false);
		if (ret)
			return ret;
		ret = filemap_read(iocb, to, 0);
		inode_unlock_shared(inode);
		return ret;
	}
	/* xfs_file_dio_read */
	ret = efs_ilock_iocb(iocb, false);
	if (ret)
		return ret;
	ret = iomap_dio_rw(iocb, to, &extentfs_direct_read_iomap_ops, NULL, 0, NULL, 0);
	inode_unlock_shared(inode);
	return ret;
}

ssize_t extentfs_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	struct file *file = iocb->ki_filp;
	struct extentfs *fs = EFS_FS(file_ei(file));
	uint64_t lbs_mask = fs->lbs - 1, mask = fs->blocksize - 1;
	size_t count = iov_iter_count(from);
	ssize_t ret;

	if (!file_writable(file))
		return -EBADF;
	if (count == 0)
		return 0;
	if (efs_is_shutdown(fs))
		return -EIO;
	if (!(iocb->ki_flags & IOCB_DIRECT))
		return efs_file_buffered_write(iocb, from);
	/* xfs_file_dio_write: direct I/O must be aligned to the device's sector. */
	if (((uint64_t)iocb->ki_pos | count) & lbs_mask)
		return -EINVAL;
	/* Inline files only ever become ordinary: an unlocked look is enough. */
	if (efs_inode_is_inline(file_ei(file)))
		ret = efs_file_dio_write_inline(iocb, from);
	else if (((uint64_t)iocb->ki_pos | count) & mask)
		ret = efs_file_dio_write_unaligned(iocb, from);
	else
		ret = efs_file_dio_write_aligned(iocb, from);
	/*
	 * -ENOTBLK: the page cache could not be invalidated, or a partial
	 * block of a reflinked file must be unshared: XFS falls back to a
	 * buffered write (nothing was written yet).
	 */
	if (ret == -ENOTBLK)
		ret = efs_file_buffered_write(iocb, from);
	return ret;
}

/*
 * ------------------------------------------------------- open, close, unlink
 */

int extentfs_open(struct extentfs *fs, const char *name, int flags, struct file **out)
{
	struct efs_inode *ei;
	struct file *file;
	ssize_t idx;
	int ret = 0;

	*out = NULL;
	if (!efs_name_valid(name))
		return -EINVAL;
	mutex_lock(&fs->commit_lock);
	idx = efs_dir_lookup(fs, name);
	if (idx >= 0) {
		if ((flags & O_CREAT) && (flags & O_EXCL))
			ret = -EEXIST;
		ei = ret ? NULL : efs_inode_lookup(fs, fs->dir[idx].ino);
		if (ei)
			ei->i_count++;
		else if (!ret) /* a directory entry without its inode */
			ret = -EUCLEAN;
	} else if (!(flags & O_CREAT)) {
		ret = -ENOENT;
		ei = NULL;
	} else if (fs->shutdown) {
		ret = -EIO;
		ei = NULL;
	} else {
		ei = efs_create(fs, name);
	}
	if (ei)
		fs->open_files++;
	mutex_unlock(&fs->commit_lock);
	if (ret)
		return ret;

	file = efs_xcalloc(1, sizeof(*file));
	file->f_inode = &ei->vfs;
	file->f_op = &extentfs_file_operations;
	file->f_flags = (unsigned)flags;
	file->f_wb_err = errseq_sample(&ei->vfs.i_mapping->wb_err);
	/* do_dentry_open(): every open file starts with the default readahead. */
	file_ra_state_init(&file->f_ra, ei->vfs.i_mapping);
	if ((flags & O_TRUNC) && i_size_read(&ei->vfs) > 0) {
		inode_lock(&ei->vfs);
		filemap_invalidate_lock(ei->vfs.i_mapping);
		ret = (ei->vfs.i_flags & S_SWAPFILE) ? -ETXTBSY : efs_setattr_size_locked(ei, 0);
		filemap_invalidate_unlock(ei->vfs.i_mapping);
		inode_unlock(&ei->vfs);
		if (ret) {
			extentfs_close(file);
			return ret;
		}
	}
	*out = file;
	return 0;
}

int extentfs_close(struct file *file)
{
	struct efs_inode *ei;
	struct extentfs *fs;

	if (!file)
		return 0;
	ei = file_ei(file);
	fs = EFS_FS(ei);
	/*
	 * An asynchronous direct I/O completes through iocb->ki_filp.  The
	 * kernel's aio holds a reference to the file; our struct file has no
	 * reference count, so close waits for the inode's direct I/O instead.
	 */
	inode_dio_wait(&ei->vfs);
	free(file);
	mutex_lock(&fs->commit_lock);
	fs->open_files--;
	mutex_unlock(&fs->commit_lock);
	efs_iput(ei);
	return 0;
}

int extentfs_unlink(struct extentfs *fs, const char *name)
{
	struct efs_inode *ei = NULL;
	ssize_t idx;
	int ret = 0;

	if (!efs_name_valid(name))
		return -ENOENT;
	mutex_lock(&fs->commit_lock);
	idx = efs_dir_lookup(fs, name);
	if (idx < 0) {
		ret = -ENOENT;
	} else if (fs->shutdown) {
		ret = -EIO;
	} else {
		ei = efs_inode_lookup(fs, fs->dir[idx].ino);
		EFS_BUG_ON(!ei);
		efs_dir_remove(fs, (size_t)idx);
		ei->nlink = 0;
		ei->i_count++; /* ours, dropped below: frees it if nobody has it open */
		fs->dirty = true;
		__atomic_store_n(&ei->meta_dirty, 1, __ATOMIC_RELEASE);
	}
	mutex_unlock(&fs->commit_lock);
	if (ei)
		efs_iput(ei);
	return ret;
}

/*
 * ----------------------------------------------------------- fsync and seek
 */

/*
 * Mirrors xfs_file_fsync.  fdatasync does the same: every change extentfs
 * tracks is one fdatasync must make durable (no timestamps are kept).
 */
int extentfs_fsync(struct file *file, int datasync)
{
	struct efs_inode *ei = file_ei(file);
	struct extentfs *fs = EFS_FS(ei);
	struct address_space *mapping = ei->vfs.i_mapping;
	int ret, err;

	(void)datasync;
	filemap_write_and_wait_range(mapping, 0, INT64_MAX);
	if (efs_is_shutdown(fs))
		ret = -EIO;
	else if (efs_inode_meta_dirty(ei))
		ret = efs_commit(fs);
	else
		ret = blkdev_issue_flush(&fs->bdev); /* the data may sit in the cache */
	/* A writeback error is reported once per open file (errseq). */
	err = file_check_and_advance_wb_err(file);
	return err ? err : ret;
}

int extentfs_sync_file_range(struct file *file, loff_t offset, loff_t nbytes, unsigned flags)
{
	struct address_space *mapping = file->f_inode->i_mapping;
	loff_t endbyte; /* inclusive */
	int ret = 0;

	/*
	 * ksys_sync_file_range()'s argument rules: unknown flags, a negative
	 * offset or end, or an end that wrapped are -EINVAL; nbytes 0 means
	 * "to the end of the file", whatever its size will be.
	 */
	if (flags & ~(unsigned)(SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
				SYNC_FILE_RANGE_WAIT_AFTER))
		return -EINVAL;
	if (offset < 0 || nbytes < 0 || __builtin_add_overflow(offset, nbytes, &endbyte))
		return -EINVAL;
	if (nbytes == 0)
		endbyte = LLONG_MAX;
	else
		endbyte--;

	/*
	 * No i_rwsem, no metadata commit, no cache flush: this is why the
	 * man page warns that sync_file_range() is no fsync.  A wait reports
	 * a writeback error once to this file (errseq), as fsync would.
	 */
	if (flags & SYNC_FILE_RANGE_WAIT_BEFORE) {
		ret = file_fdatawait_range(file, offset, endbyte);
		if (ret < 0)
			return ret;
	}
	if (flags & SYNC_FILE_RANGE_WRITE) {
		/* All three flags together are a data integrity pass (WB_SYNC_ALL);
		 * WRITE alone only kicks writeback off (WB_SYNC_NONE). */
		if (flags == SYNC_FILE_RANGE_WRITE_AND_WAIT)
			ret = filemap_fdatawrite_range(mapping, offset, endbyte);
		else
			ret = filemap_fdatawrite_range_kick(mapping, offset, endbyte);
		if (ret < 0)
			return ret;
	}
	if (flags & SYNC_FILE_RANGE_WAIT_AFTER)
		ret = file_fdatawait_range(file, offset, endbyte);
	return ret;
}

loff_t extentfs_llseek(struct file *file, loff_t off, int whence)
{
	struct inode *inode = file->f_inode;
	loff_t maxbytes = inode->i_sb->s_maxbytes, pos;

	switch (whence) {
	case SEEK_SET:
		pos = off;
		break;
	case SEEK_CUR:
		if (__builtin_add_overflow(file->f_pos, off, &pos))
			return -EINVAL;
		break;
	case SEEK_END:
		if (__builtin_add_overflow(i_size_read(inode), off, &pos))
			return -EINVAL;
		break;
	case SEEK_DATA:
	case SEEK_HOLE:
		/* xfs_file_llseek: i_rwsem shared around the iomap walk. */
		inode_lock_shared(inode);
		pos = whence == SEEK_DATA ? iomap_seek_data(inode, off, &extentfs_seek_iomap_ops)
					  : iomap_seek_hole(inode, off, &extentfs_seek_iomap_ops);
		inode_unlock_shared(inode);
		if (pos < 0)
			return pos;
		break;
	default:
		return -EINVAL;
	}
	if (pos < 0 || pos > maxbytes)
		return -EINVAL;
	file->f_pos = pos;
	return pos;
}

/*
 * -------------------------------------------------------------- reporting
 */

int extentfs_fiemap(struct file *file, struct fiemap_extent_info *fi, uint64_t start,
		    uint64_t len)
{
	struct inode *inode = file->f_inode;
	const struct iomap_ops *ops = &extentfs_report_iomap_ops;
	int ret;

	/* xfs_vn_fiemap: the attribute fork has its own ops (and here no extents). */
	if (fi->fi_flags & FIEMAP_FLAG_XATTR) {
		fi->fi_flags &= ~FIEMAP_FLAG_XATTR;
		ops = &extentfs_xattr_iomap_ops;
	}
	inode_lock_shared(inode);
	ret = iomap_fiemap(inode, fi, start, len, ops);
	inode_unlock_shared(inode);
	return ret;
}

sector_t extentfs_fibmap(struct file *file, sector_t block)
{
	struct efs_inode *ei = file_ei(file);
	struct inode *inode = &ei->vfs;
	bool reflink;
	sector_t ret;

	/*
	 * xfs_vm_bmap: the caller of FIBMAP would write behind our back into
	 * blocks another file shares, so reflinked files answer 0.
	 */
	down_read(&ei->ilock);
	reflink = ei->diflags & EFS_DIFLAG_REFLINK;
	up_read(&ei->ilock);
	if (reflink)
		return 0;
	inode_lock_shared(inode);
	ret = iomap_bmap(inode->i_mapping, block, &extentfs_report_iomap_ops);
	inode_unlock_shared(inode);
	return ret;
}

int extentfs_getbmap(struct file *file, struct extentfs_bmap_rec **recs, size_t *nr)
{
	struct efs_inode *ei = file_ei(file);
	struct inode *inode = &ei->vfs;
	struct extentfs *fs = EFS_FS(ei);
	uint64_t mask = fs->blocksize - 1, end, cur = 0;
	struct extentfs_bmap_rec *v = NULL;
	size_t n = 0, cap = 0;

	*recs = NULL;
	*nr = 0;
	inode_lock_shared(inode);
	down_read(&ei->ilock);
	/* Holes up to EOF; extents past EOF are shown as well (XFS getbmap). */
	end = ((uint64_t)i_size_read(inode) + mask) >> fs->blkbits;
	if (ei->df.nr) {
		const struct efs_irec *last = &ei->df.v[ei->df.nr - 1];

		if (last->fblock + last->len > end)
			end = last->fblock + last->len;
	}
	while (cur < end) {
		struct efs_irec rec;
		bool shared = false;

		efs_bmapi_read(ei, cur, end, &rec);
		efs_reflink_trim_around_shared(ei, &rec, &shared);
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			v = efs_xrealloc(v, cap, sizeof(*v));
		}
		v[n++] = (struct extentfs_bmap_rec){
			.offset = (loff_t)(rec.fblock << fs->blkbits),
			.length = rec.len << fs->blkbits,
			.addr = efs_irec_is_real(&rec) ? (int64_t)(rec.dblock << fs->blkbits) : -1,
			.unwritten = efs_irec_is_real(&rec) && rec.state == EFS_EXT_UNWRITTEN,
			.shared = shared,
			.delalloc = rec.dblock == EFS_DELAYSTARTBLOCK,
		};
		cur += rec.len;
	}
	up_read(&ei->ilock);
	inode_unlock_shared(inode);
	*recs = v;
	*nr = n;
	return 0;
}

/*
 * ------------------------------------------------------------------ reflink
 */

/* lock_two_nondirectories + filemap_invalidate_lock_two, by inode number. */
static void lock_two(struct inode *a, struct inode *b)
{
	if (a == b) {
		inode_lock(a);
		filemap_invalidate_lock(a->i_mapping);
		return;
	}
	if (a->i_ino > b->i_ino) {
		struct inode *t = a;

		a = b;
		b = t;
	}
	inode_lock(a);
	inode_lock_nested(b, I_MUTEX_NONDIR2);
	filemap_invalidate_lock(a->i_mapping);
	down_write_nested(&b->i_mapping->invalidate_lock, 1);
}

static void unlock_two(struct inode *a, struct inode *b)
{
	if (a != b) {
		up_write(&b->i_mapping->invalidate_lock);
		inode_unlock(b);
	}
	filemap_invalidate_unlock(a->i_mapping);
	inode_unlock(a);
}

/* xfs_reflink_set_inode_flag, one inode per transaction. */
static int set_reflink_flag(struct efs_inode *ei)
{
	int ret = efs_trans_begin(ei);

	if (ret)
		return ret;
	if (!(ei->diflags & EFS_DIFLAG_REFLINK)) {
		ei->diflags |= EFS_DIFLAG_REFLINK;
		efs_trans_log_inode(ei, true); /* its mappings may now be SHARED */
	}
	efs_trans_end(ei);
	return 0;
}

/* Mirrors xfs_reflink_remap_range with the checks of generic_remap_checks. */
int extentfs_remap_range(struct file *src, loff_t srcoff, struct file *dst, loff_t dstoff,
			 loff_t len)
{
	struct efs_inode *sei = file_ei(src), *dei = file_ei(dst);
	struct inode *si = &sei->vfs, *di = &dei->vfs;
	struct extentfs *fs = EFS_FS(dei);
	uint64_t mask = fs->blocksize - 1;
	loff_t size_in, count, bcount;
	int ret = 0;

	if (si->i_sb != di->i_sb)
		return -EXDEV;
	if (srcoff < 0 || dstoff < 0 || len < 0)
		return -EINVAL;
	if (!file_writable(dst) || !file_readable(src))
		return -EBADF;
	if (efs_is_shutdown(fs))
		return -EIO;

	lock_two(si, di);
	/* xfs_reflink_remap_prep (generic_remap_file_range_prep): drain direct I/O. */
	inode_dio_wait(si);
	if (di != si)
		inode_dio_wait(di);
	if ((si->i_flags & S_SWAPFILE) || (di->i_flags & S_SWAPFILE)) {
		ret = -ETXTBSY;
		goto out;
	}
	size_in = i_size_read(si);
	if (len == 0) {
		/* Zero length means "to the end of src". */
		if (srcoff == size_in)
			goto out;
		len = size_in - srcoff;
	}
	if (srcoff >= size_in || ((uint64_t)(srcoff | dstoff) & mask)) {
		ret = -EINVAL;
		goto out;
	}
	/* generic_remap_checks: the source range ends at its EOF at the latest. */
	count = len < size_in - srcoff ? len : size_in - srcoff;
	if (count > fs->sb.s_maxbytes - dstoff) {
		ret = -EFBIG;
		goto out;
	}
	/* Linking to src's EOF may end in a partial block; anything else may not. */
	if (srcoff + count == size_in) {
		bcount = (loff_t)(((uint64_t)size_in + mask) & ~mask) - srcoff;
	} else {
		count = (loff_t)((uint64_t)count & ~mask);
		bcount = count;
	}
	if (si == di && dstoff + bcount > srcoff && dstoff < srcoff + bcount) {
		ret = -EINVAL;
		goto out;
	}
	/*
	 * FICLONERANGE cannot report a shortened link (no
	 * REMAP_FILE_CAN_SHORTEN): a range past src's EOF, or an unaligned
	 * length short of it, is refused rather than silently cut.
	 */
	if (count != len) {
		ret = -EINVAL;
		goto out;
	}
	/*
	 * generic_remap_check_len: a partial EOF block of src may only land
	 * at or past dst's EOF, or it would replace dst's bytes up to that
	 * block's end with whatever src holds beyond its EOF.
	 */
	if (((uint64_t)count & mask) && dstoff + count < i_size_read(di)) {
		ret = -EINVAL;
		goto out;
	}

	/* Blocks can only be shared once there are blocks: unstuff both (inline.c). */
	ret = efs_inline_unstuff(sei);
	if (!ret)
		ret = efs_inline_unstuff(dei);
	if (!ret)
		ret = filemap_write_and_wait_range(si->i_mapping, srcoff, srcoff + bcount - 1);
	if (!ret) {
		loff_t dsize = i_size_read(di);

		/* Blocks dirtied between EOF and dstoff must go too. */
		ret = dstoff > dsize ? efs_flush_unmap_range(dei, dsize, count + (dstoff - dsize))
				     : efs_flush_unmap_range(dei, dstoff, count);
	}
	if (!ret)
		ret = set_reflink_flag(sei);
	if (!ret)
		ret = efs_trans_begin(dei);
	if (ret)
		goto out;
	efs_reflink_remap_blocks(sei, (uint64_t)srcoff >> fs->blkbits, dei,
				 (uint64_t)dstoff >> fs->blkbits, (uint64_t)bcount >> fs->blkbits);
	if (dstoff + count > i_size_read(di))
		i_size_write(di, dstoff + count);
	/* The flush above wrote dst's cached data up to dstoff + count. */
	if (dstoff + count > dei->disk_size)
		dei->disk_size = dstoff + count;
	efs_trans_log_inode(dei, false);
	efs_trans_end(dei);
out:
	unlock_two(si, di);
	if (!ret && ((src->f_flags | dst->f_flags) & O_DSYNC))
		ret = efs_commit(fs);
	return ret;
}

/*
 * ----------------------------------------------------------------- swap file
 */

int extentfs_swapon(struct file *file, struct swap_info_struct *sis, sector_t *span)
{
	struct inode *inode = file->f_inode;
	int ret;

	inode_lock(inode);
	if (inode->i_flags & S_SWAPFILE) {
		ret = -EBUSY;
	} else {
		/* xfs_vm_swap_activate: the data device; iomap fsyncs the file. */
		sis->bdev = inode->i_sb->s_bdev;
		ret = iomap_swapfile_activate(sis, file, span, &extentfs_report_iomap_ops);
		if (ret > 0)
			inode->i_flags |= S_SWAPFILE;
	}
	inode_unlock(inode);
	return ret;
}

int extentfs_swapoff(struct file *file)
{
	struct inode *inode = file->f_inode;
	int ret = 0;

	inode_lock(inode);
	if (inode->i_flags & S_SWAPFILE)
		inode->i_flags &= ~S_SWAPFILE;
	else
		ret = -EINVAL;
	inode_unlock(inode);
	return ret;
}

uint64_t extentfs_bump_mapping_seq(struct file *file)
{
	struct efs_inode *ei = file_ei(file);
	uint64_t seq;

	down_write(&ei->ilock);
	seq = ++ei->mapping_seq;
	up_write(&ei->ilock);
	return seq;
}

/*
 * ------------------------------------------------------------ mmap write faults
 */

/*
 * Mirrors xfs_write_fault() for a regular (non-DAX) file: the first store
 * to a clean page of a shared mapping.  invalidate_lock shared keeps
 * truncate, hole punch and remap from removing the folio while
 * iomap_page_mkwrite() reserves delalloc space for it (design.rst: the
 * invalidate_lock is taken before the folio lock).  The kernel brackets
 * this with sb_start_pagefault() for freezing and updates the file times;
 * extentfs has neither freezing nor timestamps.
 */
static vm_fault_t extentfs_page_mkwrite(struct vm_fault *vmf)
{
	struct inode *inode = vmf->vma->file->f_inode;
	struct address_space *mapping = inode->i_mapping;
	vm_fault_t ret;

	/*
	 * A store through a mapping dirties the folio, and inline data has no
	 * block for writeback to write it to: convert the file first, as
	 * gfs2_page_mkwrite unstuffs (with the locks a truncate takes).
	 */
	if (efs_inode_is_inline(EFS_I(inode))) {
		int err;

		inode_lock(inode);
		filemap_invalidate_lock(mapping);
		inode_dio_wait(inode);
		err = efs_inline_unstuff(EFS_I(inode));
		filemap_invalidate_unlock(mapping);
		inode_unlock(inode);
		if (err)
			return vmf_fs_error(err);
	}

	filemap_invalidate_lock_shared(mapping);
	ret = iomap_page_mkwrite(vmf, &extentfs_buffered_write_iomap_ops);
	filemap_invalidate_unlock_shared(mapping);
	return ret;
}
