/**
 * @file truncate.c
 * @brief `truncate OFF` (xfsprogs io/truncate.c): ftruncate(2) on the
 *        current file.
 *
 * Growing a file on extentfs zeroes from the old EOF with
 * iomap_zero_range() (the iomap_zero_range events of scenario 09); a
 * failure prints perror("ftruncate") and sets the exit code.
 */
#include "iocmd-internal.h"

int iocmd_truncate_f(struct iocmd *ic, int argc, char **argv)
{
	size_t blocksize, sectsize;
	loff_t offset;
	int ret;

	iocmd_init_cvtnum(ic, &blocksize, &sectsize);
	offset = iocmd_cvtnum(blocksize, sectsize, argv[1]);
	if (offset < 0) {
		fprintf(ic->out, "non-numeric truncate argument -- %s\n", argv[1]);
		iocmd_note(ic, -EINVAL);
		ic->exitcode = 1;
		return 0;
	}
	ret = iocmd_sys_ftruncate(iocmd_cur(ic), offset);
	if (ret < 0) {
		iocmd_perror(ic, "ftruncate", ret);
		ic->exitcode = 1;
	}
	return 0;
}
