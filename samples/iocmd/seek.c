/**
 * @file seek.c
 * @brief `seek -a | -d | -h [-r] [-s] OFF` (xfsprogs io/seek.c): walk the
 *        file with lseek(SEEK_DATA) and lseek(SEEK_HOLE).
 *
 * The walk alternates the two whences, each starting where the previous
 * one landed, and prints the kinds that were asked for:
 *
 *     first lookup:  -h or -a: SEEK_HOLE from OFF; if OFF itself is in a
 *                    hole (or only holes are wanted) start with the hole,
 *                    else SEEK_DATA from OFF
 *     then:          print if wanted; without -r, a kind printed once is
 *                    crossed off; flip the whence; lseek from the result
 *     stop:          nothing left to print, or lseek failed (ENXIO = EOF,
 *                    printed as "EOF" only if it is the very first result)
 *
 * The lseek after the last printed line still happens (xfs_io flips the
 * whence before it tests whether anything is left to print), so `seek -h 0`
 * makes a SEEK_DATA call too; the kernel traces show it, and so must ours.
 *
 * Unwritten extents without cached data are holes to SEEK_DATA (iomap's
 * page-cache search), which is why scenario 09 prints "DATA EOF".
 */
#include <string.h>
#include <unistd.h>

#include "iocmd-internal.h"

/* The two kinds, indexed DATA = 0, HOLE = 1 as in xfs_io's seekinfo[]. */
static const struct {
	const char *name;
	int whence;
	unsigned mask;
} seekinfo[2] = {
	{ "DATA", SEEK_DATA, IOCMD_SEEK_DATA },
	{ "HOLE", SEEK_HOLE, IOCMD_SEEK_HOLE },
};

/* seek_output(): one line, or the EOF / error forms. */
static void seek_output(FILE *out, FILE *err, bool startflag, const char *type, loff_t start,
			loff_t offset)
{
	if (offset == -ENXIO) {
		if (startflag)
			fprintf(out, "%s\t%lld\tEOF\n", type, (long long)start);
		else
			fprintf(out, "%s\tEOF\n", type);
	} else if (offset < 0) {
		fprintf(out, "ERR\t%lld\t", (long long)start);
		fflush(out); /* so the line precedes the perror() text */
		fprintf(err, "%s\n", strerror((int)-offset));
	} else if (startflag) {
		fprintf(out, "%s\t%lld\t%lld\n", type, (long long)start, (long long)offset);
	} else {
		fprintf(out, "%s\t%lld\n", type, (long long)offset);
	}
}

int iocmd_seek_walk(FILE *out, FILE *err, unsigned flags, loff_t start, iocmd_lseek_fn lseek_fn,
		    void *arg)
{
	bool startflag = flags & IOCMD_SEEK_START;
	unsigned flag = flags & (IOCMD_SEEK_DATA | IOCMD_SEEK_HOLE | IOCMD_SEEK_ALL);
	loff_t offset;
	int current;

	if (flag & IOCMD_SEEK_HOLE) {
		current = 1;
		offset = lseek_fn(arg, start, SEEK_HOLE);
		if (offset >= 0 && offset < start)
			goto bad_result;
		if (start == offset || !(flag & IOCMD_SEEK_DATA))
			goto found;
	}
	current = 0;
	offset = lseek_fn(arg, start, SEEK_DATA);
	if (offset >= 0 && offset < start)
		goto bad_result;
found:
	fprintf(out, startflag ? "Whence\tStart\tResult\n" : "Whence\tResult\n");

	for (int c = 0; flag; c++) {
		if (offset < 0) {
			/* The error, or EOF if it is the only entry. */
			if (offset != -ENXIO || c == 0)
				seek_output(out, err, startflag, seekinfo[current].name, start, offset);
			return offset == -ENXIO ? 0 : (int)offset;
		}
		if (flag & seekinfo[current].mask)
			seek_output(out, err, startflag, seekinfo[current].name, start, offset);
		if (!(flag & IOCMD_SEEK_ALL))
			flag &= ~seekinfo[current].mask;
		current ^= 1;
		start = offset;
		offset = lseek_fn(arg, start, seekinfo[current].whence);
		if (offset >= 0 && offset <= start)
			goto bad_result;
	}
	return 0;

bad_result:
	fprintf(err, "Invalid seek result: lseek(<fd>, %lld, SEEK_%s) = %lld\n", (long long)start,
		seekinfo[current].name, (long long)offset);
	return -EIO;
}

struct seek_arg {
	struct iocmd *ic;
	struct file *file;
};

static loff_t file_lseek(void *arg, loff_t off, int whence)
{
	struct seek_arg *sa = arg;

	return sa->ic->ops->llseek(sa->file, off, whence);
}

int iocmd_seek_f(struct iocmd *ic, int argc, char **argv)
{
	struct iocmd_getopt g = IOCMD_GETOPT_INIT;
	struct seek_arg sa;
	size_t blocksize, sectsize;
	unsigned flags = 0;
	loff_t start;
	int c, ret;

	iocmd_init_cvtnum(ic, &blocksize, &sectsize);
	while ((c = iocmd_getopt(&g, argc, argv, "adhrs", ic->err)) != -1) {
		switch (c) {
		case 'a':
			flags |= IOCMD_SEEK_DATA | IOCMD_SEEK_HOLE;
			break;
		case 'd':
			flags |= IOCMD_SEEK_DATA;
			break;
		case 'h':
			flags |= IOCMD_SEEK_HOLE;
			break;
		case 'r':
			flags |= IOCMD_SEEK_ALL;
			break;
		case 's':
			flags |= IOCMD_SEEK_START;
			break;
		default:
			ic->exitcode = 1;
			return iocmd_usage(ic);
		}
	}
	if (!(flags & (IOCMD_SEEK_DATA | IOCMD_SEEK_HOLE)) || g.optind != argc - 1) {
		ic->exitcode = 1;
		return iocmd_usage(ic);
	}
	start = iocmd_cvtnum(blocksize, sectsize, argv[g.optind]);
	if (start < 0) {
		ic->exitcode = 1;
		return iocmd_usage(ic);
	}
	sa.ic = ic;
	sa.file = iocmd_cur(ic)->file;
	ret = iocmd_seek_walk(ic->out, ic->err, flags, start, file_lseek, &sa);
	if (ret < 0) {
		/* Not reachable on XFS from xfs_io (offsets are never negative);
		 * treated like the other failures of 6.1. */
		iocmd_note(ic, ret);
		ic->exitcode = 1;
	}
	return 0;
}
