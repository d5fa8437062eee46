/**
 * @file prealloc.c
 * @brief The fallocate(2) family: `falloc`, `fpunch`, `fzero`, `funshare`,
 *        `fcollapse`, `finsert` (xfsprogs io/prealloc.c).
 *
 * Each command turns into one fallocate() call (syscall.c, then
 * extentfs_fallocate()):
 *
 *     falloc [-k]     0 or KEEP_SIZE          allocate UNWRITTEN space
 *     falloc -p, fpunch   PUNCH_HOLE|KEEP_SIZE    free blocks, zero the edges
 *     fzero [-k]      ZERO_RANGE [|KEEP_SIZE]
 *     falloc -u, funshare UNSHARE_RANGE       copy shared blocks
 *     falloc -c, fcollapse / falloc -i, finsert  COLLAPSE / INSERT_RANGE
 *
 * xfs_io's quirks are kept because a user sees them:
 *   - falloc's options *replace* the mode ("falloc -k -p" punches), and an
 *     unknown option prints the usage but does not stop the command:
 *     "falloc -z 0 4k" prints usage, then allocates.
 *   - fpunch, fcollapse and finsert take no options at all: "fpunch -x 1"
 *     complains about a non-numeric offset "-x".
 *   - fzero never sets the exit code, the others do on every error.
 */
#include <linux/falloc.h>

#include "iocmd-internal.h"

/* offset_length(): both numbers, or xfs_io's message for the first bad one. */
static bool offset_length(struct iocmd *ic, const char *offset, const char *length,
			  loff_t *start, loff_t *len)
{
	size_t blocksize, sectsize;

	iocmd_init_cvtnum(ic, &blocksize, &sectsize);
	*start = iocmd_cvtnum(blocksize, sectsize, offset);
	if (*start < 0) {
		fprintf(ic->out, "non-numeric offset argument -- %s\n", offset);
		iocmd_note(ic, -EINVAL);
		return false;
	}
	*len = iocmd_cvtnum(blocksize, sectsize, length);
	if (*len < 0) {
		fprintf(ic->out, "non-numeric length argument -- %s\n", length);
		iocmd_note(ic, -EINVAL);
		return false;
	}
	return true;
}

/* The call itself; every command reports a failure as perror("fallocate"). */
static int do_fallocate(struct iocmd *ic, int mode, loff_t start, loff_t len)
{
	int ret = iocmd_sys_fallocate(iocmd_cur(ic), mode, start, len);

	if (ret < 0)
		iocmd_perror(ic, "fallocate", ret);
	return ret;
}

int iocmd_falloc_f(struct iocmd *ic, int argc, char **argv)
{
	struct iocmd_getopt g = IOCMD_GETOPT_INIT;
	loff_t start, len;
	int mode = 0, c;

	while ((c = iocmd_getopt(&g, argc, argv, "cikpu", ic->err)) != -1) {
		switch (c) {
		case 'c':
			mode = FALLOC_FL_COLLAPSE_RANGE;
			break;
		case 'i':
			mode = FALLOC_FL_INSERT_RANGE;
			break;
		case 'k':
			mode = FALLOC_FL_KEEP_SIZE;
			break;
		case 'p':
			mode = FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE;
			break;
		case 'u':
			mode = FALLOC_FL_UNSHARE_RANGE;
			break;
		default:
			/* xfs_io prints the usage and carries on parsing. */
			ic->exitcode = 1;
			iocmd_usage(ic);
			break;
		}
	}
	if (g.optind != argc - 2) {
		ic->exitcode = 1;
		return iocmd_usage(ic);
	}
	if (!offset_length(ic, argv[g.optind], argv[g.optind + 1], &start, &len)) {
		ic->exitcode = 1;
		return 0;
	}
	if (do_fallocate(ic, mode, start, len) < 0)
		ic->exitcode = 1;
	return 0;
}

/* fpunch, fcollapse, finsert: no getopt, the two words are the range. */
static int fixed_mode(struct iocmd *ic, char **argv, int mode)
{
	loff_t start, len;

	if (!offset_length(ic, argv[1], argv[2], &start, &len)) {
		ic->exitcode = 1;
		return 0;
	}
	if (do_fallocate(ic, mode, start, len) < 0)
		ic->exitcode = 1;
	return 0;
}

int iocmd_fpunch_f(struct iocmd *ic, int argc, char **argv)
{
	return fixed_mode(ic, argv, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE);
}

int iocmd_fcollapse_f(struct iocmd *ic, int argc, char **argv)
{
	return fixed_mode(ic, argv, FALLOC_FL_COLLAPSE_RANGE);
}

int iocmd_finsert_f(struct iocmd *ic, int argc, char **argv)
{
	return fixed_mode(ic, argv, FALLOC_FL_INSERT_RANGE);
}

int iocmd_fzero_f(struct iocmd *ic, int argc, char **argv)
{
	struct iocmd_getopt g = IOCMD_GETOPT_INIT;
	int mode = FALLOC_FL_ZERO_RANGE, c;
	loff_t start, len;

	while ((c = iocmd_getopt(&g, argc, argv, "k", ic->err)) != -1) {
		if (c == 'k')
			mode |= FALLOC_FL_KEEP_SIZE;
		else
			iocmd_usage(ic); /* and carries on, like falloc */
	}
	if (g.optind != argc - 2)
		return iocmd_usage(ic);
	if (!offset_length(ic, argv[g.optind], argv[g.optind + 1], &start, &len))
		return 0;
	do_fallocate(ic, mode, start, len);
	return 0;
}

int iocmd_funshare_f(struct iocmd *ic, int argc, char **argv)
{
	struct iocmd_getopt g = IOCMD_GETOPT_INIT;
	loff_t start, len;

	/* funshare has no options, but parses them, so "--" and errors work. */
	while (iocmd_getopt(&g, argc, argv, "", ic->err) != -1)
		iocmd_usage(ic);
	if (g.optind != argc - 2)
		return iocmd_usage(ic);
	if (!offset_length(ic, argv[g.optind], argv[g.optind + 1], &start, &len)) {
		ic->exitcode = 1;
		return 0;
	}
	if (do_fallocate(ic, FALLOC_FL_UNSHARE_RANGE, start, len) < 0)
		ic->exitcode = 1;
	return 0;
}
