/**
 * @file fsync.c
 * @brief `fsync`, `fdatasync`, `sync`, `syncfs` (xfsprogs io/fsync.c and
 *        io/sync.c).
 *
 * fsync and fdatasync work on the current file (extentfs_fsync(): write
 * back, wait, commit the metadata, report a writeback error once per open
 * file).  sync and syncfs both become extentfs_sync(), since an iomap-io
 * process sees exactly one filesystem.  `sync` is one-shot and needs no
 * file (sync(2) returns nothing, so it never fails); `syncfs` runs per file
 * like any other -c command.
 *
 * `sync` is also how tests/xcheck/run-scenario.sh ends a scenario: the
 * kernel capture ran the separate `sync` program after xfs_io; iomap-io
 * runs xfs_io's own `sync` command as its last -c, which makes the same
 * sync(2) call.
 */
#include "iocmd-internal.h"

static int do_fsync(struct iocmd *ic, int datasync, const char *what)
{
	int ret = extentfs_fsync(iocmd_cur(ic)->file, datasync);

	if (ret < 0) {
		iocmd_perror(ic, what, ret);
		ic->exitcode = 1;
	}
	return 0;
}

int iocmd_fsync_f(struct iocmd *ic, int argc, char **argv)
{
	return do_fsync(ic, 0, "fsync");
}

int iocmd_fdatasync_f(struct iocmd *ic, int argc, char **argv)
{
	return do_fsync(ic, 1, "fdatasync");
}

int iocmd_sync_f(struct iocmd *ic, int argc, char **argv)
{
	/* sync(2) has no return value: an error stays in the filesystem. */
	iocmd_note(ic, extentfs_sync(ic->fs));
	return 0;
}

int iocmd_syncfs_f(struct iocmd *ic, int argc, char **argv)
{
	int ret = extentfs_sync(ic->fs);

	if (ret < 0) {
		iocmd_perror(ic, "syncfs", ret);
		ic->exitcode = 1;
	}
	return 0;
}
