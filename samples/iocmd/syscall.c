/**
 * @file syscall.c
 * @brief The system-call layer between xfs_io's commands and extentfs: the
 *        checks the kernel's VFS makes before a filesystem is called.
 *
 * On Linux, `fallocate(fd, mode, off, len)` does not reach XFS at once:
 * vfs_fallocate() (fs/open.c) first rejects bad ranges and mode
 * combinations and files not open for writing.  Those checks decide which
 * error xfs_io prints ("fallocate: Bad file descriptor" for a read-only
 * file, "fallocate: Invalid argument" for a zero length), so iomap-io makes
 * them here, in the kernel's order, and leaves the filesystem's own checks
 * (alignment of a clone, EOF rules, ETXTBSY on a swap file) to extentfs.
 *
 *     fallocate(2)     vfs_fallocate              -> extentfs_fallocate
 *     ftruncate(2)     do_sys_ftruncate,
 *                      do_ftruncate, inode_newsize_ok -> extentfs_setattr_size
 *     FICLONE(RANGE)   ioctl_file_clone,
 *                      vfs_clone_file_range       -> extentfs_remap_range
 *     pread(2)         ksys_pread64, vfs_read,
 *     preadv2(2)       do_preadv, vfs_readv       -> f_op->read_iter
 *     pwrite(2)        ksys_pwrite64, vfs_write,
 *     pwritev2(2)      do_pwritev, vfs_writev     -> f_op->write_iter
 *     io_submit(2)     aio_read, aio_write        -> f_op->read_iter / write_iter
 *                                                    with ki_complete set
 *
 * The read and write calls build the request the way the kernel does: a
 * kiocb from init_sync_kiocb() (synchronous: no ki_complete, so the
 * filesystem waits for the device itself), the position, the RWF_* flags
 * of preadv2/pwritev2 through kiocb_set_rw_flags(), and an iov_iter over
 * the caller's segments.  pread and pwrite take no RWF_* flags at all,
 * which is why xfs_io's -N and -D only act together with -V.
 *
 * Checks about things extentfs has no notion of (immutable and append-only
 * inode flags, LSM hooks, fsnotify, FIFOs and directories) are left out.
 */
#include <fcntl.h>
#include <limits.h>
#include <linux/falloc.h>

#include "iocmd-internal.h"

#ifndef FALLOC_FL_WRITE_ZEROES
#define FALLOC_FL_WRITE_ZEROES 0x80 /* Linux 6.17; newer than Debian 12's headers */
#endif
#ifndef FALLOC_FL_ALLOCATE_RANGE
#define FALLOC_FL_ALLOCATE_RANGE 0x00
#endif

/* The mode bits of fallocate(2), of which exactly one (or none) may be set. */
#define FALLOC_FL_MODE_MASK                                                             \
	(FALLOC_FL_ALLOCATE_RANGE | FALLOC_FL_PUNCH_HOLE | FALLOC_FL_COLLAPSE_RANGE |   \
	 FALLOC_FL_ZERO_RANGE | FALLOC_FL_INSERT_RANGE | FALLOC_FL_UNSHARE_RANGE |      \
	 FALLOC_FL_WRITE_ZEROES)

/* FMODE_READ / FMODE_WRITE, from the access mode the file was opened with. */
static bool fmode_read(const struct iocmd_file *f)
{
	return (f->file->f_flags & O_ACCMODE) != O_WRONLY;
}

static bool fmode_write(const struct iocmd_file *f)
{
	return (f->file->f_flags & O_ACCMODE) != O_RDONLY;
}

int iocmd_sys_fallocate(struct iocmd_file *f, int mode, loff_t off, loff_t len)
{
	struct inode *inode = f->file->f_inode;
	uint64_t end;

	if (off < 0 || len <= 0)
		return -EINVAL;
	if (mode & ~(FALLOC_FL_MODE_MASK | FALLOC_FL_KEEP_SIZE))
		return -EOPNOTSUPP;
	switch (mode & FALLOC_FL_MODE_MASK) {
	case FALLOC_FL_ALLOCATE_RANGE:
	case FALLOC_FL_UNSHARE_RANGE:
	case FALLOC_FL_ZERO_RANGE:
		break;
	case FALLOC_FL_PUNCH_HOLE:
		if (!(mode & FALLOC_FL_KEEP_SIZE))
			return -EOPNOTSUPP;
		break;
	case FALLOC_FL_COLLAPSE_RANGE:
	case FALLOC_FL_INSERT_RANGE:
	case FALLOC_FL_WRITE_ZEROES:
		if (mode & FALLOC_FL_KEEP_SIZE)
			return -EOPNOTSUPP;
		break;
	default:
		return -EOPNOTSUPP;
	}
	if (!fmode_write(f))
		return -EBADF;
	if (inode->i_flags & S_SWAPFILE)
		return -ETXTBSY;
	/* check_add_overflow(offset, len, &sum), then the filesystem's limit. */
	end = (uint64_t)off + (uint64_t)len;
	if (end > (uint64_t)INT64_MAX || end > (uint64_t)inode->i_sb->s_maxbytes)
		return -EFBIG;
	return extentfs_fallocate(f->file, mode, off, len);
}

int iocmd_sys_ftruncate(struct iocmd_file *f, loff_t len)
{
	struct inode *inode = f->file->f_inode;

	if (len < 0)
		return -EINVAL;
	if (!fmode_write(f))
		return -EINVAL; /* do_ftruncate(): not EBADF, as for fallocate */
	/* inode_newsize_ok(), via notify_change() and setattr_prepare() */
	if (len > inode->i_sb->s_maxbytes)
		return -EFBIG;
	return extentfs_setattr_size(f->file, len);
}

int iocmd_sys_clone(struct iocmd_file *dst, struct iocmd_file *src, loff_t srcoff,
		    loff_t dstoff, loff_t len)
{
	/* generic_file_rw_checks() */
	if (!fmode_read(src) || !fmode_write(dst) || (dst->ioflags & IOCMD_IO_APPEND))
		return -EBADF;
	/* remap_verify_area() for both ranges */
	if (srcoff < 0 || dstoff < 0 || len < 0)
		return -EINVAL;
	if ((uint64_t)srcoff + (uint64_t)len > (uint64_t)INT64_MAX ||
	    (uint64_t)dstoff + (uint64_t)len > (uint64_t)INT64_MAX)
		return -EINVAL;
	return extentfs_remap_range(src->file, srcoff, dst->file, dstoff, len);
}

/* UIO_MAXIOV: most segments a vectored call takes (include/uapi/linux/uio.h). */
#define IOCMD_UIO_MAXIOV 1024
/* MAX_RW_COUNT: one call moves at most INT_MAX rounded down to a page. */
#define IOCMD_MAX_RW_COUNT ((size_t)INT_MAX & ~((size_t)PAGE_SIZE - 1))

/*
 * rw_verify_area() for a regular file, after the syscalls' own "pos < 0"
 * test: a count that does not fit ssize_t, or a range whose end overflows.
 */
static int rw_verify_area(loff_t pos, size_t count)
{
	if (pos < 0 || (ssize_t)count < 0)
		return -EINVAL;
	if ((uint64_t)pos + count > (uint64_t)INT64_MAX)
		return -EINVAL;
	return 0;
}

/*
 * import_iovec(): at most UIO_MAXIOV segments, and the total is cut at
 * MAX_RW_COUNT by shortening segments (the kernel copies the iovec array;
 * so do we, into @p out).  Returns the total or -EINVAL.
 */
static ssize_t import_kvec(const struct kvec *vec, int nr, struct kvec *out)
{
	size_t total = 0;

	if (nr < 0 || nr > IOCMD_UIO_MAXIOV)
		return -EINVAL;
	for (int i = 0; i < nr; i++) {
		size_t len = vec[i].iov_len;

		if ((ssize_t)len < 0)
			return -EINVAL;
		if (len > IOCMD_MAX_RW_COUNT - total)
			len = IOCMD_MAX_RW_COUNT - total;
		out[i].iov_base = vec[i].iov_base;
		out[i].iov_len = len;
		total += len;
	}
	return (ssize_t)total;
}

/*
 * The common body of the four synchronous calls: vfs_read/vfs_readv or
 * vfs_write/vfs_writev, then do_iter_readv_writev() or new_sync_read/write.
 */
static ssize_t sys_rw(struct iocmd_file *f, const struct kvec *vec, int nr, loff_t pos, int rwf,
		      bool vectored, bool write)
{
	const struct file_operations *fop = f->file->f_op;
	struct kvec segs[IOCMD_UIO_MAXIOV];
	struct iov_iter iter;
	struct kiocb kiocb;
	ssize_t total, ret;

	/* ksys_pread64 / do_preadv: a negative offset, before anything else */
	if (pos < 0)
		return -EINVAL;
	if (write ? !fmode_write(f) : !fmode_read(f))
		return -EBADF;
	if (!fop || !(write ? fop->write_iter : fop->read_iter))
		return -EINVAL; /* no FMODE_CAN_READ / FMODE_CAN_WRITE */
	total = import_kvec(vec, vectored ? nr : 1, segs);
	if (total < 0)
		return total;
	if (vectored && total == 0)
		return 0; /* vfs_readv/vfs_writev: nothing to do, nothing called */
	ret = rw_verify_area(pos, (size_t)total);
	if (ret < 0)
		return ret;

	init_sync_kiocb(&kiocb, f->file);
	if (f->ioflags & IOCMD_IO_APPEND)
		kiocb.ki_flags |= IOCB_APPEND; /* O_APPEND lives in the table entry */
	ret = kiocb_set_rw_flags(&kiocb, vectored ? rwf : 0);
	if (ret < 0)
		return ret;
	kiocb.ki_pos = pos;
	iov_iter_kvec(&iter, write ? ITER_SOURCE : ITER_DEST, segs, vectored ? (unsigned long)nr : 1,
		      (size_t)total);
	ret = write ? fop->write_iter(&kiocb, &iter) : fop->read_iter(&kiocb, &iter);
	/* A synchronous kiocb never comes back queued (new_sync_write's BUG_ON). */
	if (ret == -EIOCBQUEUED)
		return -EIO;
	return ret;
}

ssize_t iocmd_sys_preadv2(struct iocmd_file *f, const struct kvec *vec, int nr, loff_t pos,
			  int rwf, bool vectored)
{
	return sys_rw(f, vec, nr, pos, rwf, vectored, false);
}

ssize_t iocmd_sys_pwritev2(struct iocmd_file *f, const struct kvec *vec, int nr, loff_t pos,
			   int rwf, bool vectored)
{
	return sys_rw(f, vec, nr, pos, rwf, vectored, true);
}

int iocmd_sys_aio_rw(struct iocmd_file *f, struct kiocb *iocb, struct iov_iter *iter,
		     loff_t pos, int rwf, unsigned extra_flags)
{
	bool write = iter->dir == ITER_SOURCE;
	const struct file_operations *fop = f->file->f_op;
	void (*complete)(struct kiocb *, long) = iocb->ki_complete;
	ssize_t ret;

	/* aio_prep_rw(): the file's flags, the caller's RWF_* flags */
	iocb->ki_filp = f->file;
	iocb->ki_pos = pos;
	iocb->ki_flags = iocb_flags(f->file);
	iocb->private = NULL;
	iocb->dio_complete = NULL;
	if (f->ioflags & IOCMD_IO_APPEND)
		iocb->ki_flags |= IOCB_APPEND;
	ret = kiocb_set_rw_flags(iocb, rwf);
	if (ret < 0)
		return (int)ret;
	/* aio_read / aio_write: the mode, the method, the range */
	if (write ? !fmode_write(f) : !fmode_read(f))
		return -EBADF;
	if (!fop || !(write ? fop->write_iter : fop->read_iter))
		return -EINVAL;
	ret = rw_verify_area(pos, iov_iter_count(iter));
	if (ret < 0)
		return (int)ret;
	if (write)
		iocb->ki_flags |= IOCB_WRITE; /* aio_write() says so; read(2) does not */
	iocb->ki_flags |= extra_flags;
	iocb->ki_complete = complete;
	ret = write ? fop->write_iter(iocb, iter) : fop->read_iter(iocb, iter);
	/* aio_rw_done(): anything but "queued" is completed here, at once. */
	if (ret != -EIOCBQUEUED)
		complete(iocb, (long)ret);
	return 0;
}
