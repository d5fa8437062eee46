/**
 * @file sync_file_range.c
 * @brief `sync_range [-a | -b | -w] off len` (xfsprogs io/sync_file_range.c):
 *        one sync_file_range(2) call on the current file.
 *
 * The options pick the flag; they do not add up.  Each one *replaces* the
 * previous choice, so the last option typed wins ("sync_range -abw" and
 * "sync_range -b -a -w" both only write), and none at all means -w:
 *
 *     -w (or nothing)   SYNC_FILE_RANGE_WRITE        start writeback, do not wait
 *     -a                SYNC_FILE_RANGE_WAIT_AFTER   wait for writeback in flight
 *     -b                SYNC_FILE_RANGE_WAIT_BEFORE  the same, as far as a lone
 *                                                    flag goes
 *
 * xfs_io therefore never passes two flags at once, and never the
 * WB_SYNC_ALL combination; extentfs_sync_file_range() accepts them all,
 * for C callers.  A length of 0 means "to the end of the file".
 *
 * What a student sees: `pwrite 0 32k; sync_range -w 0 16k` writes folios
 * 0-3 and leaves 4-7 dirty (kernel scenario 24,
 * tests/xcheck/scenarios/24-sync-range).  On Linux the call returns with
 * the I/O still in flight, and so it does under iomap-io's deterministic
 * mode: a `-w` pass is WB_SYNC_NONE, whose bios stay queued on the device
 * until something waits (a folio lock, `-a`, fsync), and the ioends of
 * several such passes may then complete in one batch, where contiguous
 * ones merge (samples/extentfs/aops.c).  Only a WB_SYNC_ALL pass, which
 * xfs_io never asks for, has its completions delivered before
 * ->writepages returns.  Either way only -a / -b (or fsync) promise that
 * the range is written.
 *
 * Errors, as xfs_io 6.1 prints them: fewer than two words is the table's
 * "bad argument count" (exit code untouched, like every command); an
 * unknown option or more than two operands prints the usage; a bad number
 * prints "non-numeric offset argument -- X" (a negative number is one,
 * since cvtnum refuses it, but "-1" alone is taken as an option first); a
 * failed call prints "sync_file_range: Invalid argument".  These last
 * three set the exit code to 1.
 */
#include <fcntl.h>

#include "iocmd-internal.h"

int iocmd_sync_range_f(struct iocmd *ic, int argc, char **argv)
{
	struct iocmd_getopt g = IOCMD_GETOPT_INIT;
	size_t blocksize, sectsize;
	unsigned sync_mode = 0;
	long long offset, length;
	int c, ret;

	while ((c = iocmd_getopt(&g, argc, argv, "abw", ic->err)) != -1) {
		switch (c) {
		case 'a':
			sync_mode = SYNC_FILE_RANGE_WAIT_AFTER;
			break;
		case 'b':
			sync_mode = SYNC_FILE_RANGE_WAIT_BEFORE;
			break;
		case 'w':
			sync_mode = SYNC_FILE_RANGE_WRITE;
			break;
		default:
			ic->exitcode = 1;
			return iocmd_usage(ic);
		}
	}
	/* Default: just start writeback of the range. */
	if (!sync_mode)
		sync_mode = SYNC_FILE_RANGE_WRITE;
	if (g.optind != argc - 2) {
		ic->exitcode = 1;
		return iocmd_usage(ic);
	}
	iocmd_init_cvtnum(ic, &blocksize, &sectsize);
	offset = iocmd_cvtnum(blocksize, sectsize, argv[g.optind]);
	if (offset < 0) {
		fprintf(ic->out, "non-numeric offset argument -- %s\n", argv[g.optind]);
		iocmd_note(ic, -EINVAL);
		ic->exitcode = 1;
		return 0;
	}
	length = iocmd_cvtnum(blocksize, sectsize, argv[g.optind + 1]);
	if (length < 0) {
		fprintf(ic->out, "non-numeric length argument -- %s\n", argv[g.optind + 1]);
		iocmd_note(ic, -EINVAL);
		ic->exitcode = 1;
		return 0;
	}
	ret = extentfs_sync_file_range(iocmd_cur(ic)->file, offset, length, sync_mode);
	if (ret < 0) {
		iocmd_perror(ic, "sync_file_range", ret);
		ic->exitcode = 1;
	}
	return 0;
}
