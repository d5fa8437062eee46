/**
 * @file open.c
 * @brief The file table: `open`, `close`, `file`, `print` (xfsprogs
 *        io/open.c and io/file.c).
 *
 * xfs_io keeps every file it opened in a table and works on the *current*
 * one.  `open` appends and makes the new file current; `close` removes the
 * current file and makes its successor current (or its predecessor if it
 * was the last), then lists the table; `file N` switches; `print` lists:
 *
 *      000  f              (xfs,non-sync,non-direct,read-write)
 *     [001] g              (xfs,sync,direct,read-only)          <- current
 *
 * Every file is on extentfs, which xfs_io would call an XFS file ("xfs").
 *
 * `open` flags that extentfs cannot honour (-R/-x realtime, -T O_TMPFILE,
 * -P O_PATH) are refused with a message; xfs_io on XFS would accept them.
 * `open` without a path shows the current file like xfs_io's `stat`, but
 * only the lines extentfs can answer (docs/IOMAP-IO.md).
 */
#include <stdlib.h>
#include <string.h>

#include "iocmd-internal.h"

/* open flags xfs_io accepts and extentfs cannot honour (refused below). */
#define OPEN_TMPFILE (1u << 30)  /* -T: O_TMPFILE */
#define OPEN_REALTIME (1u << 29) /* -R, -x: mark the file realtime */

void iocmd_print_file_entry(struct iocmd *ic, size_t index)
{
	const struct iocmd_file *f = &ic->files[index];
	bool braces = index == ic->cur;

	fprintf(ic->out, "%c%03zu%c %-14s (%s,%s,%s,%s%s%s)\n", braces ? '[' : ' ', index,
		braces ? ']' : ' ', f->name, "xfs",
		(f->ioflags & IOCMD_IO_OSYNC) ? "sync" : "non-sync",
		(f->ioflags & IOCMD_IO_DIRECT) ? "direct" : "non-direct",
		(f->ioflags & IOCMD_IO_READONLY) ? "read-only" : "read-write",
		(f->ioflags & IOCMD_IO_APPEND) ? ",append-only" : "",
		(f->ioflags & IOCMD_IO_NONBLOCK) ? ",non-block" : "");
}

void iocmd_filelist(struct iocmd *ic)
{
	for (size_t i = 0; i < ic->nr_files; i++)
		iocmd_print_file_entry(ic, i);
}

/*
 * The stat lines of the current file that extentfs can answer: xfs_io's
 * stat_f() goes on with fsxattr.* and dioattr.* lines, which describe XFS
 * inode attributes extentfs does not have.
 */
static void stat_current(struct iocmd *ic)
{
	struct iocmd_file *f = iocmd_cur(ic);
	struct inode *inode = f->file->f_inode;
	struct extentfs_bmap_rec *recs = NULL;
	unsigned long long blocks = 0;
	size_t nr = 0;

	if (ic->ops->getbmap(f->file, &recs, &nr) == 0) {
		for (size_t i = 0; i < nr; i++)
			if (recs[i].addr != -1 || recs[i].delalloc)
				blocks += recs[i].length >> SECTOR_SHIFT;
		free(recs);
	}
	fprintf(ic->out, "fd.path = \"%s\"\n", f->name);
	fprintf(ic->out, "fd.flags = %s,%s,%s%s%s\n",
		(f->ioflags & IOCMD_IO_OSYNC) ? "sync" : "non-sync",
		(f->ioflags & IOCMD_IO_DIRECT) ? "direct" : "non-direct",
		(f->ioflags & IOCMD_IO_READONLY) ? "read-only" : "read-write",
		(f->ioflags & IOCMD_IO_APPEND) ? ",append-only" : "",
		(f->ioflags & IOCMD_IO_NONBLOCK) ? ",non-block" : "");
	fprintf(ic->out, "stat.ino = %llu\n", (unsigned long long)inode->i_ino);
	fprintf(ic->out, "stat.type = regular file\n");
	fprintf(ic->out, "stat.size = %lld\n", (long long)i_size_read(inode));
	fprintf(ic->out, "stat.blocks = %llu\n", blocks);
}

int iocmd_open_f(struct iocmd *ic, int argc, char **argv)
{
	struct iocmd_getopt g = IOCMD_GETOPT_INIT;
	unsigned flags = 0;
	bool path = false, nofollow = false;
	int c;

	if (argc == 1) {
		if (iocmd_cur(ic)) {
			stat_current(ic);
			return 0;
		}
		fprintf(ic->err, "no files are open, try 'help open'\n");
		iocmd_note(ic, -EBADF);
		ic->exitcode = 1;
		return 0;
	}

	while ((c = iocmd_getopt(&g, argc, argv, "FLPRTacdfm:nrstx", ic->err)) != -1) {
		char *end;

		switch (c) {
		case 'F': /* ignored by xfs_io too (deprecated) */
			break;
		case 'a':
			flags |= IOCMD_IO_APPEND;
			break;
		case 'c':
		case 'f':
			flags |= IOCMD_IO_CREAT;
			break;
		case 'd':
			flags |= IOCMD_IO_DIRECT;
			break;
		case 'm':
			/* The mode is checked like xfs_io does, then unused: extentfs
			 * files have no permissions. */
			(void)strtoul(g.optarg, &end, 0);
			if (end == g.optarg) {
				fprintf(ic->out, "non-numeric mode -- %s\n", g.optarg);
				iocmd_note(ic, -EINVAL);
				ic->exitcode = 1;
				return 0;
			}
			break;
		case 'n':
			flags |= IOCMD_IO_NONBLOCK;
			break;
		case 'r':
			flags |= IOCMD_IO_READONLY;
			break;
		case 's':
			flags |= IOCMD_IO_OSYNC;
			break;
		case 't':
			flags |= IOCMD_IO_TRUNC;
			break;
		case 'L':
			nofollow = true;
			break;
		case 'P':
			path = true;
			break;
		case 'R':
		case 'x':
		case 'T':
			/* Checked after the whole line was parsed, as xfs_io would
			 * reject a bad combination first. */
			flags |= c == 'T' ? OPEN_TMPFILE : OPEN_REALTIME;
			break;
		default:
			ic->exitcode = 1;
			return iocmd_usage(ic);
		}
	}
	if (g.optind != argc - 1) {
		ic->exitcode = 1;
		return iocmd_usage(ic);
	}
	if ((flags & IOCMD_IO_READONLY) && (flags & OPEN_TMPFILE)) {
		fprintf(ic->err, "-T and -r options are incompatible\n");
		iocmd_note(ic, -EINVAL);
		ic->exitcode = 1;
		return -1; /* xfs_io returns -1 here, which ends its command loop */
	}
	if ((path || nofollow) && flags != 0) {
		fprintf(ic->err, "-P and -L are incompatible with the other options\n");
		iocmd_note(ic, -EINVAL);
		ic->exitcode = 1;
		return -1;
	}
	if (path || (flags & (OPEN_TMPFILE | OPEN_REALTIME))) {
		fprintf(ic->err, "open: %s is not supported by extentfs\n",
			path ? "-P (O_PATH)" :
			(flags & OPEN_TMPFILE) ? "-T (O_TMPFILE)" : "-R (realtime)");
		iocmd_note(ic, -EOPNOTSUPP);
		ic->exitcode = 1;
		return 0;
	}
	/* -L (O_NOFOLLOW): extentfs has no symbolic links, so it changes nothing. */
	if (iocmd_open(ic, argv[g.optind], flags) < 0)
		ic->exitcode = 1;
	return 0;
}

int iocmd_close_f(struct iocmd *ic, int argc, char **argv)
{
	size_t off = ic->cur;
	int ret = extentfs_close(ic->files[off].file);

	if (ret < 0) {
		iocmd_perror(ic, "close", ret);
		ic->exitcode = 1;
		return 0;
	}
	free(ic->files[off].name);
	memmove(&ic->files[off], &ic->files[off + 1],
		(ic->nr_files - off - 1) * sizeof(ic->files[0]));
	/* The successor becomes current; the predecessor if it was the last. */
	if (--ic->nr_files && off == ic->nr_files)
		off--;
	ic->cur = ic->nr_files ? off : 0;
	iocmd_filelist(ic);
	return 0;
}

int iocmd_file_f(struct iocmd *ic, int argc, char **argv)
{
	int i;

	if (argc <= 1) {
		iocmd_filelist(ic);
		return 0;
	}
	i = atoi(argv[1]);
	if (i < 0 || (size_t)i >= ic->nr_files) {
		fprintf(ic->out, "value %d is out of range (0-%d)\n", i, (int)ic->nr_files - 1);
		iocmd_note(ic, -EINVAL);
		ic->exitcode = 1;
		return 0;
	}
	ic->cur = (size_t)i;
	iocmd_filelist(ic);
	return 0;
}

int iocmd_print_f(struct iocmd *ic, int argc, char **argv)
{
	/* xfs_io also lists its memory mappings here; iomap-io has none yet. */
	iocmd_filelist(ic);
	return 0;
}
