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
 *
 * Checks about things extentfs has no notion of (immutable and append-only
 * inode flags, LSM hooks, fsnotify, FIFOs and directories) are left out.
 */
#include <fcntl.h>
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
