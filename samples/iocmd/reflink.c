/**
 * @file reflink.c
 * @brief `reflink [-C] [-q] infile [src_off dst_off len]` (xfsprogs
 *        io/reflink.c): share blocks of @c infile with the current file.
 *
 * xfs_io opens @c infile read-only for the duration of the command (even
 * when it is the current file itself, as in scenario 08's "reflink f 0 64k
 * 64k"), then issues
 *
 *     FICLONE       when all three numbers are 0 or absent: the whole file
 *     FICLONERANGE  otherwise; len 0 means "to the end of infile"
 *
 * and reports "linked N/N bytes at offset DST".  xfs_io's second line, the
 * timing ("64 KiB, 1 ops; 0.0000 sec (...)"), is never printed by iomap-io,
 * and neither is the -C form, which is nothing but timing.  -q prints
 * nothing.  A failed ioctl prints perror("XFS_IOC_CLONE[_RANGE]") and, as
 * in xfs_io 6.1, leaves the exit code alone; argument errors set it.
 */
#include <fcntl.h>

#include "iocmd-internal.h"

int iocmd_reflink_f(struct iocmd *ic, int argc, char **argv)
{
	struct iocmd_getopt g = IOCMD_GETOPT_INIT;
	struct iocmd_file src = { 0 };
	size_t blocksize, sectsize;
	long long soffset = 0, doffset = 0, count = 0;
	bool quiet = false, condensed = false;
	const char *infile;
	int c, ret;

	iocmd_init_cvtnum(ic, &blocksize, &sectsize);
	while ((c = iocmd_getopt(&g, argc, argv, "Cq", ic->err)) != -1) {
		switch (c) {
		case 'C':
			condensed = true;
			break;
		case 'q':
			quiet = true;
			break;
		default:
			ic->exitcode = 1;
			return iocmd_usage(ic);
		}
	}
	if (g.optind != argc - 4 && g.optind != argc - 1) {
		ic->exitcode = 1;
		return iocmd_usage(ic);
	}
	infile = argv[g.optind++];
	if (g.optind < argc) {
		soffset = iocmd_cvtnum(blocksize, sectsize, argv[g.optind]);
		if (soffset < 0) {
			fprintf(ic->out, "non-numeric src offset argument -- %s\n", argv[g.optind]);
			goto bad_number;
		}
		g.optind++;
		doffset = iocmd_cvtnum(blocksize, sectsize, argv[g.optind]);
		if (doffset < 0) {
			fprintf(ic->out, "non-numeric dest offset argument -- %s\n", argv[g.optind]);
			goto bad_number;
		}
		g.optind++;
		count = iocmd_cvtnum(blocksize, sectsize, argv[g.optind]);
		if (count < 0) {
			fprintf(ic->out, "non-positive length argument -- %s\n", argv[g.optind]);
			goto bad_number;
		}
	}

	/* openfile(infile, NULL, IO_READONLY, ...) */
	ret = extentfs_open(ic->fs, infile, O_RDONLY, &src.file);
	if (ret < 0) {
		iocmd_perror(ic, infile, ret);
		ic->exitcode = 1;
		return 0;
	}
	src.ioflags = IOCMD_IO_READONLY;

	ret = iocmd_sys_clone(iocmd_cur(ic), &src, soffset, doffset, count);
	if (ret < 0)
		iocmd_perror(ic, (soffset == 0 && doffset == 0 && count == 0) ?
					 "XFS_IOC_CLONE" : "XFS_IOC_CLONE_RANGE", ret);
	else if (!quiet && !condensed)
		fprintf(ic->out, "linked %lld/%lld bytes at offset %lld\n", count, count, doffset);
	extentfs_close(src.file);
	return 0;

bad_number:
	iocmd_note(ic, -EINVAL);
	ic->exitcode = 1;
	return 0;
}
