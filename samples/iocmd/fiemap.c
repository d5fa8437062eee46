/**
 * @file fiemap.c
 * @brief `fiemap [-alv] [-n nx] [offset [len]]` (xfsprogs io/fiemap.c):
 *        FS_IOC_FIEMAP, printed with the holes the kernel leaves out.
 *
 * The kernel reports only extents; xfs_io prints a hole for every gap
 * between two of them, and a last hole from the end of the last extent to
 * EOF (or to the end of the requested range, if that comes first).  All
 * numbers are in 512-byte units, rounded down (BTOBBT).
 *
 * xfs_io asks in batches of 32 extents, each call starting where the
 * previous batch ended, until an extent carries FIEMAP_EXTENT_LAST, the
 * range is exhausted or -n extents were printed; every call is one
 * iomap_fiemap() walk in the trace.  The first call always has
 * FIEMAP_FLAG_SYNC (write back first), and the length "to the end" is
 * (u64)-1 minus the start, which fiemap_prep() clamps to s_maxbytes: that
 * is why the kernel trace of scenario 09 ends at pos 0x7fffffffffffffff.
 *
 * -v prints a table whose column widths are computed from the *first*
 * batch only:
 *
 *      EXT: FILE-OFFSET      BLOCK-RANGE      TOTAL FLAGS
 *        0: [0..511]:        192..703           512 0x800
 *        1: [512..767]:      hole               256
 *
 * Two xfs_io quirks are kept: `-n N` stays in force for later fiemap
 * commands of the same process (it is a static variable in xfs_io), and a
 * file without any extent prints only its name, not even a hole.
 */
#include <stdlib.h>
#include <string.h>

#include "iocmd-internal.h"

#define EXTENT_BATCH 32

/* Bytes to 512-byte basic blocks, truncating (xfs_io's BTOBBT). */
static uint64_t btobbt(uint64_t bytes)
{
	return bytes >> SECTOR_SHIFT;
}

/*
 * xfs_io measures the columns in 32-byte buffers: a range wider than 31
 * characters counts as 31 (only files near 2^63 bytes get there).  We
 * format into a larger buffer and cut at the same place.
 */
#define XFS_IO_BUF 32

/* Column widths of the -v table. */
struct widths {
	int foff, boff, tot, flg;
};

static void print_hole(FILE *out, const struct widths *w, int cur_extent, bool lflag,
		       bool plain, uint64_t llast, uint64_t lstart)
{
	char lbuf[48];

	if (plain) {
		fprintf(out, "\t%d: [%llu..%llu]: hole", cur_extent, (unsigned long long)llast,
			(unsigned long long)(lstart - 1));
		if (lflag)
			fprintf(out, " %llu blocks\n", (unsigned long long)(lstart - llast));
		else
			fprintf(out, "\n");
	} else {
		snprintf(lbuf, sizeof(lbuf), "[%llu..%llu]:", (unsigned long long)llast,
			 (unsigned long long)(lstart - 1));
		fprintf(out, "%4d: %-*s %-*s %*llu\n", cur_extent, w->foff, lbuf, w->boff, "hole",
			w->tot, (unsigned long long)(lstart - llast));
	}
}

/* One extent of the -v table, preceded by the header and a hole if due. */
static int print_verbose(struct iocmd *ic, const struct fiemap_extent *extent,
			 const struct widths *w, int cur_extent, uint64_t last_logical)
{
	uint64_t llast = btobbt(last_logical), lstart = btobbt(extent->fe_logical);
	uint64_t len = btobbt(extent->fe_length), block = btobbt(extent->fe_physical);
	char lbuf[48], bbuf[48], flgbuf[16];
	int num_printed = 0;

	if (cur_extent == 0)
		fprintf(ic->out, "%4s: %-*s %-*s %*s %*s\n", "EXT", w->foff, "FILE-OFFSET", w->boff,
			"BLOCK-RANGE", w->tot, "TOTAL", w->flg, "FLAGS");
	if (lstart > llast) {
		print_hole(ic->out, w, cur_extent, false, false, llast, lstart);
		cur_extent++;
		num_printed++;
	}
	if (cur_extent == ic->fiemap_max_extents)
		return num_printed;

	snprintf(lbuf, sizeof(lbuf), "[%llu..%llu]:", (unsigned long long)lstart,
		 (unsigned long long)(lstart + len - 1));
	snprintf(bbuf, sizeof(bbuf), "%llu..%llu", (unsigned long long)block,
		 (unsigned long long)(block + len - 1));
	snprintf(flgbuf, sizeof(flgbuf), "0x%x", extent->fe_flags);
	fprintf(ic->out, "%4d: %-*s %-*s %*llu %*s\n", cur_extent, w->foff, lbuf, w->boff, bbuf,
		w->tot, (unsigned long long)len, w->flg, flgbuf);
	return num_printed + 1;
}

/* One extent in the plain form, preceded by a hole if due. */
static int print_plain(struct iocmd *ic, const struct fiemap_extent *extent, bool lflag,
		       int cur_extent, uint64_t last_logical)
{
	uint64_t llast = btobbt(last_logical), lstart = btobbt(extent->fe_logical);
	uint64_t len = btobbt(extent->fe_length), block = btobbt(extent->fe_physical);
	int num_printed = 0;

	if (lstart > llast) {
		print_hole(ic->out, NULL, cur_extent, lflag, true, llast, lstart);
		cur_extent++;
		num_printed++;
	}
	if (cur_extent == ic->fiemap_max_extents)
		return num_printed;

	fprintf(ic->out, "\t%d: [%llu..%llu]: %llu..%llu", cur_extent, (unsigned long long)lstart,
		(unsigned long long)(lstart + len - 1), (unsigned long long)block,
		(unsigned long long)(block + len - 1));
	if (lflag)
		fprintf(ic->out, " %llu blocks\n", (unsigned long long)len);
	else
		fprintf(ic->out, "\n");
	return num_printed + 1;
}

/* calc_print_format(): widen the columns for this batch, up to the LAST extent. */
static void calc_print_format(const struct fiemap_extent *ext, unsigned nr, struct widths *w)
{
	char lbuf[96], bbuf[96];

	for (unsigned i = 0; i < nr; i++) {
		uint64_t logical = btobbt(ext[i].fe_logical), len = btobbt(ext[i].fe_length);
		uint64_t block = btobbt(ext[i].fe_physical);
		int n;

		/* Without the ':' the table prints: xfs_io measures it so. */
		snprintf(lbuf, sizeof(lbuf), "[%llu..%llu]", (unsigned long long)logical,
			 (unsigned long long)(logical + len - 1));
		snprintf(bbuf, sizeof(bbuf), "%llu..%llu", (unsigned long long)block,
			 (unsigned long long)(block + len - 1));
		lbuf[XFS_IO_BUF - 1] = '\0';
		bbuf[XFS_IO_BUF - 1] = '\0';
		n = (int)strlen(lbuf);
		w->foff = n > w->foff ? n : w->foff;
		n = (int)strlen(bbuf);
		w->boff = n > w->boff ? n : w->boff;
		n = (int)iocmd_numlen(len, 10);
		w->tot = n > w->tot ? n : w->tot;
		n = (int)iocmd_numlen(ext[i].fe_flags, 16);
		w->flg = n > w->flg ? n : w->flg;
		if (ext[i].fe_flags & FIEMAP_EXTENT_LAST)
			break;
	}
}

int iocmd_fiemap_f(struct iocmd *ic, int argc, char **argv)
{
	struct iocmd_getopt g = IOCMD_GETOPT_INIT;
	struct iocmd_file *f = iocmd_cur(ic);
	struct widths w = { 16, 16, 5, 5 };
	struct fiemap_extent *ext;
	unsigned fiemap_flags = FIEMAP_FLAG_SYNC;
	size_t blocksize, sectsize;
	bool lflag = false, done = false;
	int vflag = 0, cur_extent = 0, c;
	uint64_t last_logical = 0, range_end = (uint64_t)-1, size;
	long long start_offset, length;

	iocmd_init_cvtnum(ic, &blocksize, &sectsize);
	while ((c = iocmd_getopt(&g, argc, argv, "aln:v", ic->err)) != -1) {
		switch (c) {
		case 'a':
			fiemap_flags |= FIEMAP_FLAG_XATTR;
			break;
		case 'l':
			lflag = true;
			break;
		case 'n':
			ic->fiemap_max_extents = atoi(g.optarg);
			break;
		case 'v':
			vflag++;
			break;
		default:
			ic->exitcode = 1;
			return iocmd_usage(ic);
		}
	}
	if (g.optind < argc) {
		start_offset = iocmd_cvtnum(blocksize, sectsize, argv[g.optind]);
		if (start_offset < 0) {
			fprintf(ic->out, "non-numeric offset argument -- %s\n", argv[g.optind]);
			iocmd_note(ic, -EINVAL);
			ic->exitcode = 1;
			return 0;
		}
		last_logical = (uint64_t)start_offset;
		g.optind++;
		if (g.optind < argc) {
			length = iocmd_cvtnum(blocksize, sectsize, argv[g.optind]);
			if (length < 0) {
				fprintf(ic->out, "non-numeric len argument -- %s\n", argv[g.optind]);
				iocmd_note(ic, -EINVAL);
				ic->exitcode = 1;
				return 0;
			}
			range_end = (uint64_t)start_offset + (uint64_t)length;
		}
	}

	ext = calloc(EXTENT_BATCH, sizeof(*ext));
	if (!ext) {
		fprintf(ic->err, "%s: malloc of %zu bytes failed.\n", ic->progname,
			EXTENT_BATCH * sizeof(*ext));
		ic->exitcode = 1;
		return 0;
	}
	fprintf(ic->out, "%s:\n", f->name);

	while (!done) {
		struct fiemap_extent_info fi = {
			.fi_flags = fiemap_flags,
			.fi_extents_max = EXTENT_BATCH,
			.fi_extents_start = ext,
		};
		int ret;

		memset(ext, 0, EXTENT_BATCH * sizeof(*ext));
		ret = ic->ops->fiemap(f->file, &fi, last_logical, range_end - last_logical);
		if (ret < 0) {
			fprintf(ic->err, "%s: ioctl(FS_IOC_FIEMAP) [\"%s\"]: %s\n", ic->progname,
				f->name, strerror(-ret));
			iocmd_note(ic, ret);
			ic->exitcode = 1;
			free(ext);
			return 0;
		}
		if (fi.fi_extents_mapped == 0)
			break;

		for (unsigned i = 0; i < fi.fi_extents_mapped; i++) {
			if (vflag) {
				if (cur_extent == 0)
					calc_print_format(ext, fi.fi_extents_mapped, &w);
				cur_extent += print_verbose(ic, &ext[i], &w, cur_extent, last_logical);
			} else {
				cur_extent += print_plain(ic, &ext[i], lflag, cur_extent, last_logical);
			}
			last_logical = ext[i].fe_logical + ext[i].fe_length;
			if ((ext[i].fe_flags & FIEMAP_EXTENT_LAST) || last_logical >= range_end ||
			    cur_extent == ic->fiemap_max_extents) {
				done = true;
				break;
			}
		}
	}
	free(ext);
	if (cur_extent == ic->fiemap_max_extents)
		return 0;

	/* The last hole, to EOF or to the end of the requested range. */
	size = (uint64_t)i_size_read(f->file->f_inode);
	if (range_end > size)
		range_end = size;
	if (cur_extent && last_logical < range_end)
		print_hole(ic->out, &w, cur_extent, lflag, !vflag, btobbt(last_logical),
			   btobbt(range_end));
	return 0;
}
