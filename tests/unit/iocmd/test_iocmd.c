/*
 * test_iocmd.c — iocmd, the xfs_io-compatible interpreter, against the real
 * xfs_io.
 *
 * Areas:
 *   iocmd-1.*  cvtnum: units, hex/octal, negative, garbage, overflow
 *   iocmd-2.*  getopt: permutation and messages, checked against glibc
 *   iocmd-3.*  lines and the table: splitting, unknown commands, argument
 *              counts, help, the file table, -c iteration, quit
 *   iocmd-4.*  every command's usage and argument errors: the text, the exit
 *              code, and that the file did not change
 *   iocmd-5.*  seek -a/-d/-h with -r and -s on two layouts
 *   iocmd-6.*  fiemap: plain, -l, -v (header, holes, last hole, flags, widths),
 *              ranges, -n
 *   iocmd-7.*  bmap: plain, -l, -v, -p, -vv legend, -n, -a, -c
 *   iocmd-8.*  on extentfs end to end: scenario 09, errors from the
 *              filesystem and the VFS checks, reflink, buffered pwrite and
 *              pread (not yet), reference-only commands
 *   iocmd-9.*  sync_range: what -w / -a / -b / no option / length 0 write
 *              (and leave dirty), extentfs_sync_file_range()'s argument
 *              rules (its messages and exit codes are in iocmd-4.1)
 *   (pwrite, pread and the aio commands: test_pio.c)
 *
 * Where the expected strings come from: every string marked "xfs_io 6.1"
 * was printed by the real xfs_io 6.1.0 (Debian 12 xfsprogs) on XFS, Linux
 * 6.18, in a 512 MiB image made with `mkfs.xfs -m reflink=1` (4 KiB blocks,
 * 512-byte sectors), with the layout and command given next to it; stdout
 * and stderr are kept apart as the real tool writes them.  Areas 5-7 feed
 * iocmd the extents XFS reported for those layouts (through the
 * iocmd_fs_ops hook), so that their output is compared byte for byte,
 * physical block numbers included.  Area 8 runs on extentfs, whose block
 * numbers are its own: there the comparison masks the physical columns,
 * as tests/xcheck/compare-output.sh does.
 */
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <iomap/trace.h>

#include "../testutil.h"
#include "samples/iocmd/iocmd-internal.h"

/* ---------------------------------------------------------------------- */
/* Fixture: a fresh extentfs in memory, one context, captured streams.    */

#define FS_SIZE (16ull << 20) /* small: meson's MALLOC_PERTURB_ touches every byte */

static struct backend *B;
static struct extentfs *FS;
static struct iocmd *IC;

/* What one command printed. */
static char *OUT, *ERR;

static void fs_setup(void)
{
	B = backend_ram_new(FS_SIZE, 512);
	ck_assert_ptr_nonnull(B);
	ck_assert_int_eq(extentfs_mkfs(B, NULL), 0);
	ck_assert_int_eq(extentfs_mount(B, MKDEV(7, 0), &FS), 0);
	IC = iocmd_new(FS, stdout, stderr);
	ck_assert_ptr_nonnull(IC);
	iocmd_set_trace_ops(IC, false);
}

static void fs_teardown(void)
{
	iocmd_free(IC);
	ck_assert_int_eq(extentfs_unmount(FS), 0);
	backend_destroy(B);
	free(OUT);
	free(ERR);
	OUT = ERR = NULL;
}

/* Run @line (interactive, or as a -c argument) and capture both streams. */
static enum iocmd_next run_as(const char *line, bool cmdline)
{
	size_t n1, n2;
	FILE *o, *e;
	enum iocmd_next next;

	free(OUT);
	free(ERR);
	o = open_memstream(&OUT, &n1);
	e = open_memstream(&ERR, &n2);
	IC->out = o;
	IC->err = e;
	next = cmdline ? iocmd_run_cmdline(IC, line) : iocmd_run(IC, line);
	fclose(o);
	fclose(e);
	IC->out = stdout;
	IC->err = stderr;
	return next;
}

static enum iocmd_next run(const char *line)
{
	return run_as(line, false);
}

/* Run and insist that nothing went to stderr. */
static void run_ok(const char *line)
{
	run(line);
	ck_assert_msg(strcmp(ERR, "") == 0, "%s: unexpected stderr: %s", line, ERR);
}

/* The extent list and size of the current file, to prove "nothing changed". */
static char *snapshot(void)
{
	struct extentfs_bmap_rec *recs;
	size_t nr, len;
	char *s;
	FILE *m = open_memstream(&s, &len);
	struct file *f = iocmd_current_file(IC);

	ck_assert_int_eq(extentfs_getbmap(f, &recs, &nr), 0);
	fprintf(m, "size %lld\n", (long long)i_size_read(f->f_inode));
	for (size_t i = 0; i < nr; i++)
		fprintf(m, "%lld %llu %lld %d %d %d\n", (long long)recs[i].offset,
			(unsigned long long)recs[i].length, (long long)recs[i].addr,
			recs[i].unwritten, recs[i].shared, recs[i].delalloc);
	fclose(m);
	free(recs);
	return s;
}

/*
 * The rules of tests/xcheck/compare-output.sh, for one text: the block
 * range of extent lines (and bmap's AG columns) becomes "B", runs of spaces
 * become one, trailing spaces go.
 */
static char *mask_physical(const char *text)
{
	size_t len;
	char *res;
	FILE *m = open_memstream(&res, &len);
	const char *p = text;

	while (*p) {
		const char *eol = strchr(p, '\n');
		size_t n = eol ? (size_t)(eol - p) : strlen(p);
		char line[1024], out[1024];
		unsigned long long a, b, c, d;
		int pos = 0, k = 0;

		snprintf(line, sizeof(line), "%.*s", (int)n, p);
		/* "N: [a..b]: c..d" with leading blanks or a tab */
		if (sscanf(line, " %*d: [%llu..%llu]: %llu..%llu%n", &a, &b, &c, &d, &pos) == 4) {
			const char *rest = line + pos;
			char head[128];
			unsigned agno;
			int q = 0;

			snprintf(head, sizeof(head), "%.*s", (int)(strstr(line, "]:") + 2 - line),
				 line);
			if (sscanf(rest, " %u (%llu..%llu)%n", &agno, &a, &b, &q) == 3)
				rest += q;
			snprintf(line, sizeof(line), "%s B%s", head, rest);
		}
		for (int i = 0; line[i]; i++) {
			if (line[i] == ' ' && k > 0 && out[k - 1] == ' ')
				continue;
			out[k++] = line[i];
		}
		while (k > 0 && out[k - 1] == ' ')
			k--;
		out[k] = '\0';
		fprintf(m, "%s%s", out, eol ? "\n" : "");
		p += n + (eol ? 1 : 0);
	}
	fclose(m);
	return res;
}

static void assert_masked_eq(const char *what, const char *expected, const char *actual)
{
	char *e = mask_physical(expected), *a = mask_physical(actual);

	ck_assert_msg(strcmp(e, a) == 0, "%s:\n--- expected (masked)\n%s--- actual (masked)\n%s",
		      what, e, a);
	free(e);
	free(a);
}

/* ---------------------------------------------------------------------- */
/* Layouts captured on XFS, fed to iocmd through iocmd_fs_ops.            */

struct fake_extent {
	uint64_t logical, length, physical;
	uint32_t flags;   /* FIEMAP_EXTENT_* as XFS reported them for the whole file */
};
struct fake_rec {
	int64_t offset;
	uint64_t length;
	int64_t addr;     /* -1: hole */
	int unwritten, shared;
};
/* A data segment, for seek. */
struct fake_data {
	loff_t start, end;
};
struct report_case {
	const char *cmd;
	const char *expected; /* stdout then stderr, as the real tool printed them */
};

static const struct fake_extent *FAKE_EXT;
static const struct fake_rec *FAKE_RECS;
static const struct fake_data *FAKE_DATA;

/*
 * FS_IOC_FIEMAP the way XFS answers it: each extent cut to the requested
 * range, widened to whole 4 KiB blocks; the last one reported carries
 * FIEMAP_EXTENT_LAST.
 */
static int fake_fiemap(struct file *file, struct fiemap_extent_info *fi, uint64_t start,
		       uint64_t len)
{
	uint64_t maxbytes = INT64_MAX, end, from, to;
	unsigned n = 0;

	if (len == 0)
		return -EINVAL;
	if (len > maxbytes || maxbytes - len < start)
		len = maxbytes - start;
	from = start & ~4095ull;
	end = start + len;
	to = end > UINT64_MAX - 4095 ? end : (end + 4095) & ~4095ull;
	for (const struct fake_extent *e = FAKE_EXT; e->length; e++) {
		uint64_t s = e->logical, t = e->logical + e->length;

		if (t <= from || s >= to)
			continue;
		if (s < from)
			s = from;
		if (t > to)
			t = to;
		if (n == fi->fi_extents_max)
			break;
		fi->fi_extents_start[n] = (struct fiemap_extent){
			.fe_logical = s,
			.fe_physical = e->physical + (s - e->logical),
			.fe_length = t - s,
			.fe_flags = e->flags & ~FIEMAP_EXTENT_LAST,
		};
		n++;
	}
	if (n && n < fi->fi_extents_max)
		fi->fi_extents_start[n - 1].fe_flags |= FIEMAP_EXTENT_LAST;
	fi->fi_extents_mapped = n;
	return 0;
}

static int fake_getbmap(struct file *file, struct extentfs_bmap_rec **recs, size_t *nr)
{
	size_t n = 0;

	while (FAKE_RECS[n].length)
		n++;
	*recs = calloc(n ? n : 1, sizeof(**recs));
	for (size_t i = 0; i < n; i++)
		(*recs)[i] = (struct extentfs_bmap_rec){
			.offset = FAKE_RECS[i].offset,
			.length = FAKE_RECS[i].length,
			.addr = FAKE_RECS[i].addr,
			.unwritten = FAKE_RECS[i].unwritten,
			.shared = FAKE_RECS[i].shared,
		};
	*nr = n;
	return 0;
}

/* lseek over FAKE_DATA; the file size is the real file's. */
static loff_t fake_llseek(struct file *file, loff_t off, int whence)
{
	loff_t size = i_size_read(file->f_inode);

	if (off < 0)
		return -EINVAL;
	if (off >= size)
		return -ENXIO;
	for (const struct fake_data *d = FAKE_DATA; d->end; d++) {
		if (whence == SEEK_DATA && d->end > off)
			return d->start > off ? d->start : off;
		if (whence == SEEK_HOLE && d->start <= off && off < d->end)
			return d->end < size ? d->end : size;
	}
	return whence == SEEK_DATA ? -ENXIO : off;
}

static const struct iocmd_fs_ops fake_ops = {
	.fiemap = fake_fiemap,
	.getbmap = fake_getbmap,
	.llseek = fake_llseek,
};

/* Open "f" with the size of the captured layout and answer from the tables. */
static void use_layout(loff_t size, const struct fake_extent *ext, const struct fake_rec *recs,
		       const struct fake_data *data)
{
	ck_assert_int_eq(iocmd_open(IC, "f", IOCMD_IO_CREAT), 0);
	ck_assert_int_eq(extentfs_setattr_size(iocmd_current_file(IC), size), 0);
	FAKE_EXT = ext;
	FAKE_RECS = recs;
	FAKE_DATA = data;
	IC->ops = &fake_ops;
}

static void check_cases(const struct report_case *cases)
{
	for (const struct report_case *c = cases; c->cmd; c++) {
		char *both;

		run(c->cmd);
		ck_assert_int_ge(asprintf(&both, "%s%s", OUT, ERR), 0);
		ck_assert_msg(strcmp(both, c->expected) == 0,
			      "%s:\n--- xfs_io 6.1\n%s--- iocmd\n%s", c->cmd, c->expected, both);
		free(both);
	}
}

/* ---------------------------------------------------------------------- */
/* iocmd-1: cvtnum                                                        */

/*
 * xfs_io 6.1, measured as the Start column of `seek -h -s N` on a file of
 * 2^63-1 bytes (4 KiB blocks, 512-byte sectors); -1 stands for "usage
 * printed" (cvtnum returned a negative number).
 */
static const struct {
	const char *text;
	long long value;
} cvt_table[] = {
	{ "0", 0 },
	{ "1", 1 },
	{ "4096", 4096 },
	{ "0x10", 16 },
	{ "0X10", 16 },
	{ "010", 8 },           /* octal, as strtoll base 0 */
	{ "08", -1 },           /* '8' is no unit */
	{ "+5", 5 },
	{ "1k", 1024 },
	{ "1K", 1024 },
	{ "1kb", -1 },          /* more than one letter */
	{ "1.5k", -1 },
	{ "1b", 4096 },         /* filesystem blocks */
	{ "1B", 4096 },
	{ "0b", 0 },
	{ "2s", 1024 },         /* sectors */
	{ "3S", 1536 },
	{ "1m", 1048576 },
	{ "1M", 1048576 },
	{ "1g", 1073741824 },
	{ "1t", 1099511627776 },
	{ "1p", 1125899906842624 },
	{ "1e", 1152921504606846976 },
	{ "5e", 5764607523034234880 },
	{ "7e", 8070450532247928832 },
	{ "8e", -1 },           /* 8 << 60 wraps negative */
	{ "9e", -1 },
	{ "16e", 0 },           /* 16 << 60 wraps to zero, and is accepted */
	{ "17e", 1152921504606846976 },
	{ "16384p", 0 },
	{ "8192p", -1 },
	{ "2251799813685248b", -1 },
	{ "4611686018427387904", 4611686018427387904 },
	{ "9223372036854775807", 9223372036854775807 },
	{ "9223372036854775808", 9223372036854775807 }, /* strtoll saturates */
	{ "99999999999999999999", 9223372036854775807 },
	{ "0x7fffffffffffffff", 9223372036854775807 },
	{ "0x8000000000000000", 9223372036854775807 },
	{ "0xffffffffffffffff", 9223372036854775807 },
	{ "1x", -1 },
	{ "0x", -1 },
	{ "k", -1 },
	{ "1e1", -1 },
	{ "4k0", -1 },
	{ "-5", -1 },
	{ "-1k", -1 },
	{ "-9223372036854775808", -1 },
	{ "", -1 },
	{ "abc", -1 },
};

/* iocmd-1.1: every entry of the table, with 4 KiB blocks and 512-byte sectors. */
START_TEST(iocmd_1_1_cvtnum_table)
{
	for (size_t i = 0; i < ARRAY_SIZE(cvt_table); i++) {
		long long v = iocmd_cvtnum(4096, 512, cvt_table[i].text);

		if (cvt_table[i].value < 0)
			ck_assert_msg(v < 0, "\"%s\" gave %lld, xfs_io rejects it", cvt_table[i].text,
				      v);
		else
			ck_assert_msg(v == cvt_table[i].value, "\"%s\" gave %lld, xfs_io %lld",
				      cvt_table[i].text, v, cvt_table[i].value);
	}
}
END_TEST

/* iocmd-1.2: 'b' and 's' follow the geometry they are given (1 KiB blocks, 4 KiB sectors). */
START_TEST(iocmd_1_2_cvtnum_geometry)
{
	ck_assert_int_eq(iocmd_cvtnum(1024, 4096, "3b"), 3072);
	ck_assert_int_eq(iocmd_cvtnum(1024, 4096, "3s"), 12288);
	ck_assert_int_eq(iocmd_cvtnum(65536, 512, "2b"), 131072);
	ck_assert_int_eq(iocmd_numlen(0, 10), 1);
	ck_assert_int_eq(iocmd_numlen(2048, 10), 4);
	ck_assert_int_eq(iocmd_numlen(0x801, 16), 3);
	ck_assert_int_eq(iocmd_numlen(UINT64_MAX, 16), 16);
}
END_TEST

/* iocmd-1.3: with a file open, "b" is the filesystem's block size (xfs_io's init_cvtnum). */
START_TEST(iocmd_1_3_cvtnum_uses_fs_geometry)
{
	ck_assert_int_eq(iocmd_open(IC, "f", IOCMD_IO_CREAT), 0);
	run_ok("truncate 3b");
	ck_assert_int_eq(i_size_read(iocmd_current_file(IC)->f_inode),
			 3 * (loff_t)extentfs_block_size(FS));
	run_ok("truncate 5s");
	ck_assert_int_eq(i_size_read(iocmd_current_file(IC)->f_inode), 5 * 512);
}
END_TEST

/* ---------------------------------------------------------------------- */
/* iocmd-2: getopt, against glibc's getopt(3), which xfs_io uses          */

static const char *const getopt_argvs[][8] = {
	{ "falloc", "-k", "0", "1m" },
	{ "falloc", "0", "-k", "1m" },              /* option after an operand */
	{ "falloc", "0", "1m", "-k" },
	{ "falloc", "0", "-1" },                    /* "-1" is an (invalid) option */
	{ "falloc", "-kp", "0", "4k" },             /* a cluster */
	{ "falloc", "--", "-1", "4k" },             /* "--" ends the options */
	{ "falloc", "0", "--", "-k", "4k" },
	{ "falloc", "-", "4k" },                    /* "-" is an operand */
	{ "fiemap", "-n", "5", "-v", "0" },
	{ "fiemap", "-n5v" },                       /* argument glued to the option */
	{ "fiemap", "-vn", "-3" },                  /* the next word is the argument */
	{ "fiemap", "-v", "-n" },                   /* missing argument */
	{ "fiemap", "0", "-z", "1", "-l" },
	{ "seek", "-d", "-h", "-r", "-s", "0" },
	{ "seek", "-x:", "0" },
	{ "reflink", "g", "0", "0", "-1" },
};

/* iocmd-2.1: same options, arguments, errors and final argv order as glibc. */
START_TEST(iocmd_2_1_getopt_matches_glibc)
{
	const char *optstrings[] = { "cikpu", "aln:v", "adhrs", "Cq" };

	for (size_t t = 0; t < ARRAY_SIZE(getopt_argvs); t++) {
		for (size_t o = 0; o < ARRAY_SIZE(optstrings); o++) {
			char *a1[8] = { 0 }, *a2[8] = { 0 }, res1[256] = "", res2[256] = "";
			struct iocmd_getopt g = IOCMD_GETOPT_INIT;
			FILE *devnull = fopen("/dev/null", "w");
			int argc = 0, c;

			while (argc < 8 && getopt_argvs[t][argc]) {
				a1[argc] = (char *)getopt_argvs[t][argc];
				a2[argc] = (char *)getopt_argvs[t][argc];
				argc++;
			}
			optind = 0; /* full reinitialisation of glibc's getopt */
			opterr = 0;
			while ((c = getopt(argc, a1, optstrings[o])) != -1)
				snprintf(res1 + strlen(res1), sizeof(res1) - strlen(res1), "%c:%s:%c ",
					 c, c == '?' ? "" : (optarg ? optarg : ""),
					 c == '?' ? optopt : ' ');
			snprintf(res1 + strlen(res1), sizeof(res1) - strlen(res1), "| %d", optind);
			for (int i = optind; i < argc; i++)
				snprintf(res1 + strlen(res1), sizeof(res1) - strlen(res1), " %s", a1[i]);

			while ((c = iocmd_getopt(&g, argc, a2, optstrings[o], devnull)) != -1)
				snprintf(res2 + strlen(res2), sizeof(res2) - strlen(res2), "%c:%s:%c ",
					 c, c == '?' ? "" : (g.optarg ? g.optarg : ""),
					 c == '?' ? g.optopt : ' ');
			snprintf(res2 + strlen(res2), sizeof(res2) - strlen(res2), "| %d", g.optind);
			for (int i = g.optind; i < argc; i++)
				snprintf(res2 + strlen(res2), sizeof(res2) - strlen(res2), " %s", a2[i]);
			fclose(devnull);
			ck_assert_msg(strcmp(res1, res2) == 0, "argv %zu, \"%s\": glibc \"%s\", iocmd \"%s\"",
				      t, optstrings[o], res1, res2);
			optarg = NULL;
		}
	}
}
END_TEST

/* iocmd-2.2: the two messages, as glibc words them (xfs_io 6.1 output). */
START_TEST(iocmd_2_2_getopt_messages)
{
	char *buf;
	size_t len;
	FILE *m = open_memstream(&buf, &len);
	char *v1[] = { "fiemap", "-x", NULL }, *v2[] = { "fiemap", "-n", NULL };
	struct iocmd_getopt g1 = IOCMD_GETOPT_INIT, g2 = IOCMD_GETOPT_INIT;

	ck_assert_int_eq(iocmd_getopt(&g1, 2, v1, "aln:v", m), '?');
	ck_assert_int_eq(g1.optopt, 'x');
	ck_assert_int_eq(iocmd_getopt(&g2, 2, v2, "aln:v", m), '?');
	ck_assert_int_eq(g2.optopt, 'n');
	fclose(m);
	ck_assert_str_eq(buf, "fiemap: invalid option -- 'x'\n"
			      "fiemap: option requires an argument -- 'n'\n");
	free(buf);
}
END_TEST

/* ---------------------------------------------------------------------- */
/* iocmd-3: lines and the command table                                   */

/* iocmd-3.1: unknown commands, exactly as xfs_io 6.1 words it; a tab is part of a word. */
START_TEST(iocmd_3_1_unknown_command)
{
	ck_assert_int_eq(iocmd_open(IC, "f", IOCMD_IO_CREAT), 0);
	ck_assert_int_eq(run("xyz"), IOCMD_CONTINUE);
	ck_assert_str_eq(OUT, "");
	ck_assert_str_eq(ERR, "command \"xyz\" not found\n");
	run("falloc\t0 4k"); /* xfs_io 6.1: -c "$(printf 'falloc\t0') 4k" */
	ck_assert_str_eq(ERR, "command \"falloc\t0\" not found\n");
	ck_assert_int_eq(iocmd_last_status(IC), -ENOENT);
	ck_assert_int_eq(iocmd_exit_code(IC), 0);
	/* An xfs_io command iomap-io does not model says so instead. */
	run("mremap 8k");
	ck_assert_str_eq(ERR, "mremap: this xfs_io command is not modelled by iomap-io\n");
}
END_TEST

/* iocmd-3.2: splitting on spaces only; empty lines do nothing. */
START_TEST(iocmd_3_2_splitting)
{
	ck_assert_int_eq(iocmd_open(IC, "f", IOCMD_IO_CREAT), 0);
	run_ok("  seek   -d   0  "); /* xfs_io 6.1, same line */
	ck_assert_str_eq(OUT, "Whence\tResult\nDATA\tEOF\n");
	run_ok("");
	ck_assert_str_eq(OUT, "");
	run_ok("     ");
	ck_assert_str_eq(OUT, "");
	run("seek \"-d\" 0"); /* no quoting: "-d" with its quotes is an operand */
	ck_assert_str_eq(OUT, "seek -a | -d | -h [-r] off -- locate the next data and/or hole\n");
}
END_TEST

/* iocmd-3.3: with no file open, file commands refuse; -c lines do nothing at all. */
START_TEST(iocmd_3_3_no_file_open)
{
	run("fsync"); /* xfs_io 6.1 interactive: */
	ck_assert_str_eq(ERR, "no files are open, try 'help open'\n");
	run_as("falloc 0 4k", true); /* xfs_io -c "falloc 0 4k" with no file: silence */
	ck_assert_str_eq(OUT, "");
	ck_assert_str_eq(ERR, "");
	run_as("reflink g", true); /* one-shot: checked once */
	ck_assert_str_eq(ERR, "no files are open, try 'help open'\n");
	run_as("close", true);
	ck_assert_str_eq(ERR, "no files are open, try 'help open'\n");
	run("open"); /* xfs_io 6.1: exit code 1 */
	ck_assert_str_eq(ERR, "no files are open, try 'help open'\n");
	ck_assert_int_eq(iocmd_exit_code(IC), 1);
	run_ok("print");
	ck_assert_str_eq(OUT, "");
	run_ok("help fsync");
	ck_assert_str_eq(OUT, "fsync -- calls fsync(2) to flush all in-core file state to disk\n");
}
END_TEST

/* xfs_io 6.1: `help NAME` for each command iomap-io shares with it. */
static const struct report_case help_cases[] = {
	{ "help bmap",
	  "bmap [-acelpv] [-n nx] -- print block mapping for an XFS file\n\n prints the block mapping for an XFS file's data or attribute forks\n Example:\n 'bmap -vp' - tabular format verbose map, including unwritten extents\n\n bmap prints the map of disk blocks used by the current file.\n The map lists each extent used by the file, as well as regions in the\n file that do not have any corresponding blocks (holes).\n By default, each line of the listing takes the following form:\n     extent: [startoffset..endoffset]: startblock..endblock\n Holes are marked by replacing the startblock..endblock with 'hole'.\n All the file offsets and disk blocks are in units of 512-byte blocks.\n -a -- prints the attribute fork map instead of the data fork.\n -c -- prints the copy-on-write fork map instead of the data fork.\n       This works only if the kernel was compiled in debug mode.\n -e -- print delayed allocation extents.\n -l -- also displays the length of each extent in 512-byte blocks.\n -n -- query n extents.\n -p -- obtain all unwritten extents as well (w/ -v show which are unwritten.)\n -v -- Verbose information, specify ag info.  Show flags legend on 2nd -v\n Note: the bmap for non-regular files can be obtained provided the file\n was opened appropriately (in particular, must be opened read-only).\n\n" },
	{ "help sync_range",
	  "sync_range [-abw] off len -- Control writeback on a range of a file\n\n Trigger specific writeback commands on a range of the current file\n\n With no options, the SYNC_FILE_RANGE_WRITE is implied.\n -a -- wait for IO to finish after writing (SYNC_FILE_RANGE_WAIT_AFTER).\n -b -- wait for IO to finish before writing (SYNC_FILE_RANGE_WAIT_BEFORE).\n -w -- write dirty data in range (SYNC_FILE_RANGE_WRITE).\n\n" },
	{ "help close",
	  "close -- close the current open file\n" },
	{ "help falloc",
	  "falloc [-c] [-k] [-p] [-u] off len -- allocates space associated with part of a file via fallocate\n\n modifies space associated with part of a file via fallocate\n Example:\n 'falloc 0 1m' - fills all holes within the first megabyte\n\n falloc uses the fallocate system call to alter space allocations in the\n open file.  The following operations are supported:\n All the file offsets are in units of bytes.\n -c -- collapses the given range.\n -i -- inserts a hole into the given range of the file.\n -k -- do not change file size.\n -p -- unmap the given range from the file.\n -u -- unshare shared extents in the given range.\n\n" },
	{ "help fcollapse",
	  "fcollapse off len -- de-allocates space and eliminates the hole by shifting extents\n" },
	{ "help fdatasync",
	  "fdatasync -- calls fdatasync(2) to flush the files in-core data to disk\n" },
	{ "help fiemap",
	  "fiemap [-alv] [-n nx] [offset [len]] -- print block mapping for a file\n\n prints the block mapping for a file's data or attribute forks\n Example:\n 'fiemap -v' - tabular format verbose map\n\n fiemap prints the map of disk blocks used by the current file.\n The map lists each extent used by the file, as well as regions in the\n file that do not have any corresponding blocks (holes).\n By default, each line of the listing takes the following form:\n     extent: [startoffset..endoffset]: startblock..endblock\n Holes are marked by replacing the startblock..endblock with 'hole'.\n All the file offsets and disk blocks are in units of 512-byte blocks.\n -a -- prints the attribute fork map instead of the data fork.\n -l -- also displays the length of each extent in 512-byte blocks.\n -n -- query n extents.\n -v -- Verbose information\n offset is the starting offset to map, and is optional.  If offset is\n specified, mapping length may (optionally) be specified as well.\n" },
	{ "help file",
	  "file [N] -- set the current file\n" },
	{ "help finsert",
	  "finsert off len -- creates new space for writing within file by shifting extents\n" },
	{ "help fpunch",
	  "fpunch off len -- de-allocates space associated with part of a file via fallocate\n" },
	{ "help fsync",
	  "fsync -- calls fsync(2) to flush all in-core file state to disk\n" },
	{ "help funshare",
	  "funshare off len -- unshares shared blocks within the range\n" },
	{ "help fzero",
	  "fzero [-k] off len -- zeroes space and eliminates holes by preallocating\n" },
	{ "help help",
	  "help [command] -- help for one or all commands\n" },
	{ "help open",
	  "open [-acdrstxRTPL] [-m mode] [path] -- open the file specified by path\n\n opens a new file in the requested mode\n\n Example:\n 'open -cd /tmp/data' - creates/opens data file read-write for direct IO\n\n Opens a file for subsequent use by all of the other xfs_io commands.\n With no arguments, open uses the stat command to show the current file.\n -a -- open with the O_APPEND flag (append-only mode)\n -d -- open with O_DIRECT (non-buffered IO, note alignment constraints)\n -f -- open with O_CREAT (create the file if it doesn't exist)\n -m -- permissions to use in case a new file is created (default 0600)\n -n -- open with O_NONBLOCK\n -r -- open with O_RDONLY, the default is O_RDWR\n -s -- open with O_SYNC\n -t -- open with O_TRUNC (truncate the file to zero length if it exists)\n -R -- mark the file as a realtime XFS file immediately after opening it\n -T -- open with O_TMPFILE (create a file not visible in the namespace)\n -P -- open with O_PATH (create an fd that is merely a location reference)\n -L -- open with O_NOFOLLOW (don't follow symlink)\n Note1: usually read/write direct IO requests must be blocksize aligned;\n        some kernels, however, allow sectorsize alignment for direct IO.\n Note2: the bmap for non-regular files can be obtained provided the file\n        was opened correctly (in particular, must be opened read-only).\n\n" },
	{ "help pread",
	  "pread [-b bs] [-qv] [-i N] [-FBR [-Z N]] off len -- reads a number of bytes at a specified offset\n\n reads a range of bytes in a specified block size from the given offset\n\n Example:\n 'pread -v 512 20' - dumps 20 bytes read from 512 bytes into the file\n\n Reads a segment of the currently open file, optionally dumping it to the\n standard output stream (with -v option) for subsequent inspection.\n The reads are performed in sequential blocks starting at offset, with the\n blocksize tunable using the -b option (default blocksize is 4096 bytes),\n unless a different pattern is requested.\n -q   -- quiet mode, do not write anything to standard output.\n -B   -- read backwards through the range from offset (backwards N bytes)\n -F   -- read forwards through the range of bytes from offset (default)\n -v   -- be verbose, dump out buffers (used when reading forwards)\n -R   -- read at random offsets in the range of bytes\n -Z N -- zeed the random number generator (used when reading randomly)\n         (heh, zorry, the -s/-S arguments were already in use in pwrite)\n -V N -- use vectored IO with N iovecs of blocksize each (preadv)\n\n When in \"random\" mode, the number of read operations will equal the\n number required to do a complete forward/backward scan of the range.\n Note that the offset within the range is chosen at random each time\n (an offset may be read more than once when operating in this mode).\n\n" },
	{ "help print",
	  "print -- list current open files and memory mappings\n" },
	{ "help pwrite",
	  "pwrite [-i infile [-qdDwNOW] [-s skip]] [-b bs] [-S seed] [-FBR [-Z N]] [-V N] off len -- writes a number of bytes at a specified offset\n\n writes a range of bytes (in block size increments) from the given offset\n\n Example:\n 'pwrite 512 20' - writes 20 bytes at 512 bytes into the open file\n\n Writes into a segment of the currently open file, using either a buffer\n filled with a set pattern (0xcdcdcdcd) or data read from an input file.\n The writes are performed in sequential blocks starting at offset, with the\n blocksize tunable using the -b option (default blocksize is 4096 bytes),\n unless a different write pattern is requested.\n -q   -- quiet mode, do not write anything to standard output.\n -S   -- use an alternate seed number for filling the write buffer\n -i   -- input file, source of data to write (used when writing forward)\n -d   -- open the input file for direct IO\n -s   -- skip a number of bytes at the start of the input file\n -w   -- call fdatasync(2) at the end (included in timing results)\n -W   -- call fsync(2) at the end (included in timing results)\n -B   -- write backwards through the range from offset (backwards N bytes)\n -F   -- write forwards through the range of bytes from offset (default)\n -O   -- perform pwrite call once and return (maybe partial) bytes written\n -R   -- write at random offsets in the specified range of bytes\n -Z N -- zeed the random number generator (used when writing randomly)\n         (heh, zorry, the -s/-S arguments were already in use in pwrite)\n -V N -- use vectored IO with N iovecs of blocksize each (pwritev)\n -N   -- Perform the pwritev2() with RWF_NOWAIT\n -D   -- Perform the pwritev2() with RWF_DSYNC\n\n" },
	{ "help quit",
	  "quit -- exit the program\n" },
	{ "help reflink",
	  "reflink infile [src_off dst_off len] -- reflinks an entire file, or a number of bytes at a specified offset\n\n Links a range of bytes (in block size increments) from a file into a range\n of bytes in the open file.  The two extent ranges need not contain identical\n data.\n\n Example:\n 'reflink some_file 0 4096 32768' - links 32768 bytes from some_file at\n                                    offset 0 to into the open file at\n                                    position 4096\n 'reflink some_file' - links all bytes from some_file into the open file\n                       at position 0\n\n Reflink a range of blocks from a given input file to the open file.  Both\n files share the same range of physical disk blocks; a write to the shared\n range of either file should result in the write landing in a new block and\n that range of the file being remapped (i.e. copy-on-write).  Both files\n must reside on the same filesystem.\n" },
	{ "help seek",
	  "seek -a | -d | -h [-r] off -- locate the next data and/or hole\n\n returns the next hole and/or data offset at or after the requested offset\n\n Example:\n 'seek -d 512'\t\t- offset of data at or following offset 512\n 'seek -a -r 0'\t- offsets of all data and hole in entire file\n\n Returns the offset of the next data and/or hole. There is an implied hole\n at the end of file. If the specified offset is past end of file, or there\n is no data past the specified offset, EOF is returned.\n -a\t-- return the next data and hole starting at the specified offset.\n -d\t-- return the next data starting at the specified offset.\n -h\t-- return the next hole starting at the specified offset.\n -r\t-- return all remaining type(s) starting at the specified offset.\n -s\t-- also print the starting offset.\n\n" },
	{ "help sync",
	  "sync -- calls sync(2) to flush all in-core filesystem state to disk\n" },
	{ "help syncfs",
	  "syncfs -- calls syncfs(2) to flush all in-core filesystem state to disk\n" },
	{ "help truncate",
	  "truncate off -- truncates the current file at the given offset\n" },
	{ "help t",
	  "t off -- truncates the current file at the given offset\n" },
	{ "help ?",
	  "? [command] -- help for one or all commands\n" },
	{ "help rl",
	  "rl infile [src_off dst_off len] -- reflinks an entire file, or a number of bytes at a specified offset\n\n Links a range of bytes (in block size increments) from a file into a range\n of bytes in the open file.  The two extent ranges need not contain identical\n data.\n\n Example:\n 'reflink some_file 0 4096 32768' - links 32768 bytes from some_file at\n                                    offset 0 to into the open file at\n                                    position 4096\n 'reflink some_file' - links all bytes from some_file into the open file\n                       at position 0\n\n Reflink a range of blocks from a given input file to the open file.  Both\n files share the same range of physical disk blocks; a write to the shared\n range of either file should result in the write landing in a new block and\n that range of the file being remapped (i.e. copy-on-write).  Both files\n must reside on the same filesystem.\n" },
	{ "help s",
	  "s -- calls fsync(2) to flush all in-core file state to disk\n" },
	{ "help ds",
	  "ds -- calls fdatasync(2) to flush the files in-core data to disk\n" },
	{ "help o",
	  "o [-acdrstxRTPL] [-m mode] [path] -- open the file specified by path\n\n opens a new file in the requested mode\n\n Example:\n 'open -cd /tmp/data' - creates/opens data file read-write for direct IO\n\n Opens a file for subsequent use by all of the other xfs_io commands.\n With no arguments, open uses the stat command to show the current file.\n -a -- open with the O_APPEND flag (append-only mode)\n -d -- open with O_DIRECT (non-buffered IO, note alignment constraints)\n -f -- open with O_CREAT (create the file if it doesn't exist)\n -m -- permissions to use in case a new file is created (default 0600)\n -n -- open with O_NONBLOCK\n -r -- open with O_RDONLY, the default is O_RDWR\n -s -- open with O_SYNC\n -t -- open with O_TRUNC (truncate the file to zero length if it exists)\n -R -- mark the file as a realtime XFS file immediately after opening it\n -T -- open with O_TMPFILE (create a file not visible in the namespace)\n -P -- open with O_PATH (create an fd that is merely a location reference)\n -L -- open with O_NOFOLLOW (don't follow symlink)\n Note1: usually read/write direct IO requests must be blocksize aligned;\n        some kernels, however, allow sectorsize alignment for direct IO.\n Note2: the bmap for non-regular files can be obtained provided the file\n        was opened correctly (in particular, must be opened read-only).\n\n" },
	{ "help c",
	  "c -- close the current open file\n" },
	{ "help f",
	  "f [N] -- set the current file\n" },
	{ "help p",
	  "p -- list current open files and memory mappings\n" },
	{ "help q",
	  "q -- exit the program\n" },
	{ "help w",
	  "w [-i infile [-qdDwNOW] [-s skip]] [-b bs] [-S seed] [-FBR [-Z N]] [-V N] off len -- writes a number of bytes at a specified offset\n\n writes a range of bytes (in block size increments) from the given offset\n\n Example:\n 'pwrite 512 20' - writes 20 bytes at 512 bytes into the open file\n\n Writes into a segment of the currently open file, using either a buffer\n filled with a set pattern (0xcdcdcdcd) or data read from an input file.\n The writes are performed in sequential blocks starting at offset, with the\n blocksize tunable using the -b option (default blocksize is 4096 bytes),\n unless a different write pattern is requested.\n -q   -- quiet mode, do not write anything to standard output.\n -S   -- use an alternate seed number for filling the write buffer\n -i   -- input file, source of data to write (used when writing forward)\n -d   -- open the input file for direct IO\n -s   -- skip a number of bytes at the start of the input file\n -w   -- call fdatasync(2) at the end (included in timing results)\n -W   -- call fsync(2) at the end (included in timing results)\n -B   -- write backwards through the range from offset (backwards N bytes)\n -F   -- write forwards through the range of bytes from offset (default)\n -O   -- perform pwrite call once and return (maybe partial) bytes written\n -R   -- write at random offsets in the specified range of bytes\n -Z N -- zeed the random number generator (used when writing randomly)\n         (heh, zorry, the -s/-S arguments were already in use in pwrite)\n -V N -- use vectored IO with N iovecs of blocksize each (pwritev)\n -N   -- Perform the pwritev2() with RWF_NOWAIT\n -D   -- Perform the pwritev2() with RWF_DSYNC\n\n" },
	{ "help r",
	  "r [-b bs] [-qv] [-i N] [-FBR [-Z N]] off len -- reads a number of bytes at a specified offset\n\n reads a range of bytes in a specified block size from the given offset\n\n Example:\n 'pread -v 512 20' - dumps 20 bytes read from 512 bytes into the file\n\n Reads a segment of the currently open file, optionally dumping it to the\n standard output stream (with -v option) for subsequent inspection.\n The reads are performed in sequential blocks starting at offset, with the\n blocksize tunable using the -b option (default blocksize is 4096 bytes),\n unless a different pattern is requested.\n -q   -- quiet mode, do not write anything to standard output.\n -B   -- read backwards through the range from offset (backwards N bytes)\n -F   -- read forwards through the range of bytes from offset (default)\n -v   -- be verbose, dump out buffers (used when reading forwards)\n -R   -- read at random offsets in the range of bytes\n -Z N -- zeed the random number generator (used when reading randomly)\n         (heh, zorry, the -s/-S arguments were already in use in pwrite)\n -V N -- use vectored IO with N iovecs of blocksize each (preadv)\n\n When in \"random\" mode, the number of read operations will equal the\n number required to do a complete forward/backward scan of the range.\n Note that the offset within the range is chosen at random each time\n (an offset may be read more than once when operating in this mode).\n\n" },
	{ "help nosuch",
	  "command nosuch not found\n" },
	{ NULL, NULL },
};
/* `help` on xfs_io 6.1: every line of it (the listing of all commands). */
static const char *const xfs_io_help_lines[] = {
	"add_enckey [-d descriptor] [-k key_id] -- add an encryption key to the filesystem",
	"allocsp off len -- allocates zeroed space for part of a file",
	"bmap [-acelpv] [-n nx] -- print block mapping for an XFS file",
	"bulkstat [-a agno] [-d] [-e endino] [-n batchsize] [-s startino] [-v version] -- Bulk stat of inodes in a filesystem",
	"bulkstat_single [-d] [-v version] inum... -- Stat one inode in a filesystem",
	"chattr [-R|-D] [+/-riasAdtPneEfSxC] -- change extended inode flags on the currently open file",
	"chmod -r | -w -- change the read/write permissions on the currently open file",
	"chproj [-D | -R] projid -- change project identifier on the currently open file",
	"close -- close the current open file",
	"copy_range [-s src_off] [-d dst_off] [-l len] src_file | -f N -- Copy a range of data between two files",
	"cowextsize [-D | -R] [cowextsize] -- get/set preferred CoW extent size (in bytes) for the open file",
	"crc32cselftest -- self test of crc32c implementation",
	"dedupe infile src_off dst_off len -- dedupes a number of bytes at a specified offset",
	"enckey_status keyspec -- get the status of a filesystem encryption key",
	"extsize [-D | -R] [extsize] -- get/set preferred extent size (in bytes) for the open file",
	"fadvise [-dnrsw] [off len] -- advisory commands for sections of a file",
	"falloc [-c] [-k] [-p] [-u] off len -- allocates space associated with part of a file via fallocate",
	"fcollapse off len -- de-allocates space and eliminates the hole by shifting extents",
	"fdatasync -- calls fdatasync(2) to flush the files in-core data to disk",
	"fiemap [-alv] [-n nx] [offset [len]] -- print block mapping for a file",
	"file [N] -- set the current file",
	"finsert off len -- creates new space for writing within file by shifting extents",
	"flink filename -- link the open file descriptor to the supplied filename",
	"fpunch off len -- de-allocates space associated with part of a file via fallocate",
	"freesp off len -- frees space associated with part of a file",
	"fsmap [-d|-l|-r] [-m|-v] [-n nx] [start] [end] -- print filesystem mapping for a range of blocks",
	"fsync -- calls fsync(2) to flush all in-core file state to disk",
	"funshare off len -- unshares shared blocks within the range",
	"fzero [-k] off len -- zeroes space and eliminates holes by preallocating",
	"get_encpolicy [-1] [-t] -- display the encryption policy of the current file",
	"help [command] -- help for one or all commands",
	"inode [-nv] [num] -- Query inode number usage in the filesystem",
	"inumbers [-a agno] [-d] [-e endino] [-n batchsize] [-s startino] [-v version] -- Query inode groups in a filesystem",
	"label [-s label|-c] -- query, set, or clear the filesystem label while mounted",
	"log_writes -d device -m mark -- create mark <mark> in the dm-log-writes log specified by <device>",
	"lsattr [-R|-D|-a|-v] -- list extended inode flags set on the currently open file",
	"lsproj [-D | -R] -- list project identifier set on the currently open file",
	"madvise [-drsw] [off len] -- give advice about use of memory",
	"mincore [off len] -- find mapping pages that are memory resident",
	"mmap [N] | [-rwxS] [-s size] [off len] -- mmap a range in the current file, show mappings",
	"mread [-r] [off len] -- reads data from a region in the current memory mapping",
	"mremap [-m|-f <new_address>] newsize -- alters the size of the current memory mapping",
	"msync [-ais] [off len] -- flush a region in the current memory mapping",
	"munmap -- unmaps the current memory mapping",
	"mwrite [-r] [-S seed] [off len] -- writes data into a region in the current memory mapping",
	"open [-acdrstxRTPL] [-m mode] [path] -- open the file specified by path",
	"pread [-b bs] [-qv] [-i N] [-FBR [-Z N]] off len -- reads a number of bytes at a specified offset",
	"print -- list current open files and memory mappings",
	"pwrite [-i infile [-qdDwNOW] [-s skip]] [-b bs] [-S seed] [-FBR [-Z N]] [-V N] off len -- writes a number of bytes at a specified offset",
	"quit -- exit the program",
	"readdir [-v][-o offset][-l length] -- read directory entries",
	"reflink infile [src_off dst_off len] -- reflinks an entire file, or a number of bytes at a specified offset",
	"resvsp off len -- reserves space associated with part of a file",
	"rm_enckey [-a] keyspec -- remove an encryption key from the filesystem",
	"scrub type [agno|ino gen] -- scrubs filesystem metadata",
	"seek -a | -d | -h [-r] off -- locate the next data and/or hole",
	"sendfile [-q] -i infile | -f N [off len] -- Transfer data directly between file descriptors",
	"set_encpolicy [-c mode] [-n mode] [-f flags] [-v version] [keyspec] -- assign an encryption policy to the current file",
	"stat [-v|-r] -- statistics on the currently open file",
	"statfs [-c] [-g] [-s] -- statistics on the filesystem of the currently open file",
	"statx [-v|-r][-m basic | -m all | -m <mask>][-FD] -- extended statistics on the currently open file",
	"swapext <donorfile> -- Swap extents between files.",
	"sync -- calls sync(2) to flush all in-core filesystem state to disk",
	"sync_range [-abw] off len -- Control writeback on a range of a file",
	"syncfs -- calls syncfs(2) to flush all in-core filesystem state to disk",
	"truncate off -- truncates the current file at the given offset",
	"unresvsp off len -- frees reserved space associated with part of a file",
	"utimes atime_sec atime_nsec mtime_sec mtime_nsec -- Update file times of the current file",
	"zero off len -- Converts the given range of a file to allocated zeros",
	"",
	"Use 'help commandname' for extended help.",
	"",
	NULL,
};

/* iocmd-3.4: `help NAME` is xfs_io's text, byte for byte, also when NAME is an altname. */
START_TEST(iocmd_3_4_help_texts)
{
	ck_assert_int_eq(iocmd_open(IC, "f", IOCMD_IO_CREAT), 0);
	check_cases(help_cases);
}
END_TEST

/*
 * iocmd-3.5: `help` lists every command sorted by name; each line of an
 * xfs_io command is the line xfs_io 6.1 prints, and the reference-only
 * commands say that they are not in xfs_io.
 */
START_TEST(iocmd_3_5_help_listing)
{
	char *line, *save = NULL;
	const char *prev = "";
	int n = 0;

	run_ok("help");
	for (line = strtok_r(OUT, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		bool found = false;

		for (const char *const *l = xfs_io_help_lines; *l; l++)
			found |= strcmp(*l, line) == 0;
		if (strstr(line, "(reference only, not in xfs_io)"))
			found = true;
		ck_assert_msg(found, "help line not printed by xfs_io 6.1: %s", line);
		if (strstr(line, " -- ")) {
			ck_assert_msg(strcmp(prev, line) < 0, "help not sorted at %s", line);
			prev = line;
			n++;
		}
	}
	ck_assert_int_eq(n, (int)iocmd_nr_cmds);
	for (size_t i = 1; i < iocmd_nr_cmds; i++)
		ck_assert_int_lt(strcmp(iocmd_cmds[i - 1].name, iocmd_cmds[i].name), 0);
}
END_TEST

/* iocmd-3.6: the file table: open, print, file N, close (xfs_io 6.1 output). */
START_TEST(iocmd_3_6_file_table)
{
	ck_assert_int_eq(iocmd_open(IC, "f", IOCMD_IO_CREAT), 0);
	run_ok("open -f g");
	ck_assert_str_eq(OUT, "");
	run_ok("print");
	ck_assert_str_eq(OUT, " 000  f              (xfs,non-sync,non-direct,read-write)\n"
			      "[001] g              (xfs,non-sync,non-direct,read-write)\n");
	run_ok("file 0");
	ck_assert_str_eq(OUT, "[000] f              (xfs,non-sync,non-direct,read-write)\n"
			      " 001  g              (xfs,non-sync,non-direct,read-write)\n");
	ck_assert_str_eq(iocmd_current_name(IC), "f");
	run_ok("open -r -d -s g");
	run_ok("open -f -a h");
	run_ok("p");
	ck_assert_str_eq(OUT, " 000  f              (xfs,non-sync,non-direct,read-write)\n"
			      " 001  g              (xfs,non-sync,non-direct,read-write)\n"
			      " 002  g              (xfs,sync,direct,read-only)\n"
			      "[003] h              (xfs,non-sync,non-direct,read-write,append-only)\n");
	run_ok("close"); /* the last one closed: its predecessor becomes current */
	ck_assert_str_eq(OUT, " 000  f              (xfs,non-sync,non-direct,read-write)\n"
			      " 001  g              (xfs,non-sync,non-direct,read-write)\n"
			      "[002] g              (xfs,sync,direct,read-only)\n");
	run_ok("f 1");
	run_ok("c"); /* a middle one: its successor becomes current */
	ck_assert_str_eq(OUT, " 000  f              (xfs,non-sync,non-direct,read-write)\n"
			      "[001] g              (xfs,sync,direct,read-only)\n");
	ck_assert_int_eq(iocmd_nr_files(IC), 2);
	run("file 5");
	ck_assert_str_eq(OUT, "value 5 is out of range (0-1)\n");
	ck_assert_int_eq(iocmd_exit_code(IC), 1);
}
END_TEST

/*
 * iocmd-3.7: a -c line runs on every open file, the last one stays current;
 * one-shot commands run once; an interactive line runs on the current file.
 * (xfs_io 6.1: xfs_io -c "open g" -c "fiemap" -c "bmap" f, and -C "fiemap").
 */
START_TEST(iocmd_3_7_cmdline_iterates)
{
	ck_assert_int_eq(iocmd_open(IC, "f", IOCMD_IO_CREAT), 0);
	run_ok("truncate 64k");
	run_ok("open -f g");
	run_ok("file 0");
	run_as("truncate 8k", true);
	ck_assert_int_eq(i_size_read(IC->files[0].file->f_inode), 8192);
	ck_assert_int_eq(i_size_read(IC->files[1].file->f_inode), 8192);
	ck_assert_str_eq(iocmd_current_name(IC), "g");
	run_as("seek -d 0", true);
	ck_assert_str_eq(OUT, "Whence\tResult\nDATA\tEOF\nWhence\tResult\nDATA\tEOF\n");
	run("seek -d 0");
	ck_assert_str_eq(OUT, "Whence\tResult\nDATA\tEOF\n");
	run_as("falloc 0 4k 4k", true); /* the usage, once per file */
	ck_assert_str_eq(OUT, "falloc [-c] [-k] [-p] [-u] off len -- allocates space associated "
			      "with part of a file via fallocate\n"
			      "falloc [-c] [-k] [-p] [-u] off len -- allocates space associated "
			      "with part of a file via fallocate\n");
	run_as("help close", true);
	ck_assert_str_eq(OUT, "close -- close the current open file\n");
	run_as("fsync 1", true); /* bad argument count: once per file */
	ck_assert_str_eq(ERR, "bad argument count 1 to fsync, expected 0 arguments\n"
			      "bad argument count 1 to fsync, expected 0 arguments\n");
}
END_TEST

/* iocmd-3.8: quit stops, and so does open's "-T and -r" error (xfs_io returns -1 there). */
START_TEST(iocmd_3_8_quit)
{
	ck_assert_int_eq(iocmd_open(IC, "f", IOCMD_IO_CREAT), 0);
	ck_assert_int_eq(run("seek -d 0"), IOCMD_CONTINUE);
	ck_assert(!iocmd_quit_requested(IC));
	ck_assert_int_eq(run("quit"), IOCMD_STOP);
	ck_assert(iocmd_quit_requested(IC));
	ck_assert_int_eq(run_as("q", true), IOCMD_STOP);
	ck_assert_int_eq(run("open -rT g"), IOCMD_STOP);
	ck_assert_str_eq(ERR, "-T and -r options are incompatible\n");
	ck_assert_int_eq(iocmd_exit_code(IC), 1);
}
END_TEST

/* iocmd-3.9: op_begin / op_end frame each line, with the line and its status. */
START_TEST(iocmd_3_9_trace_ops)
{
	struct trace_sink *sink = trace_memsink_new();
	size_t n0;

	ck_assert_int_eq(iocmd_open(IC, "f", IOCMD_IO_CREAT), 0);
	iocmd_set_trace_ops(IC, true);
	trace_add_sink(sink);
	n0 = trace_memsink_count(sink);
	run("falloc 0 0");
	trace_remove_sink(sink);
	ck_assert_uint_ge(trace_memsink_count(sink), n0 + 2);
	{
		const struct trace_event *b = trace_memsink_get(sink, n0);
		const struct trace_event *e = trace_memsink_get(sink, trace_memsink_count(sink) - 1);

		ck_assert_str_eq(b->name, "op_begin");
		ck_assert_str_eq(trace_field_get(b, "op")->v.str, "falloc 0 0");
		ck_assert_str_eq(e->name, "op_end");
		ck_assert_str_eq(trace_field_get(e, "op")->v.str, "falloc 0 0");
		ck_assert_int_eq(trace_field_get(e, "ret")->v.s, -EINVAL);
		ck_assert_int_eq(iocmd_last_status(IC), -EINVAL);
	}
	trace_sink_free(sink);
}
END_TEST

/* ---------------------------------------------------------------------- */
/* iocmd-4: usage and argument errors                                     */

struct usage_case {
	const char *cmd;
	const char *out;      /* xfs_io 6.1 stdout */
	const char *err;      /* xfs_io 6.1 stderr */
	int exitcode;         /* xfs_io 6.1 exit status */
	bool xfs_io_changed;  /* xfs_io went on and changed the file anyway */
};

/*
 * xfs_io 6.1, one process per line: `xfs_io -c "LINE" f` where f was made
 * by `xfs_io -f -c "falloc 0 64k" -c "truncate 128k" f` and g by
 * `xfs_io -f -c "falloc 0 64k" g`; "changed" compares `bmap -vp` and the
 * size before and after.
 */
static const struct usage_case usage_cases[] = {
	{ "falloc",
	  "",
	  "bad argument count 0 to falloc, expected at least 2 arguments\n", 0, false },
	{ "falloc 1",
	  "",
	  "bad argument count 1 to falloc, expected at least 2 arguments\n", 0, false },
	{ "falloc -z 0 4k",
	  "falloc [-c] [-k] [-p] [-u] off len -- allocates space associated with part of a file via fallocate\n",
	  "falloc: invalid option -- 'z'\n", 1, false },
	{ "falloc -z 64k 4k",
	  "falloc [-c] [-k] [-p] [-u] off len -- allocates space associated with part of a file via fallocate\n",
	  "falloc: invalid option -- 'z'\n", 1, true },
	{ "falloc abc 4k",
	  "non-numeric offset argument -- abc\n",
	  "", 1, false },
	{ "falloc 4k abc",
	  "non-numeric length argument -- abc\n",
	  "", 1, false },
	{ "falloc -1 4k",
	  "falloc [-c] [-k] [-p] [-u] off len -- allocates space associated with part of a file via fallocate\nfalloc [-c] [-k] [-p] [-u] off len -- allocates space associated with part of a file via fallocate\n",
	  "falloc: invalid option -- '1'\n", 1, false },
	{ "falloc 0 -1",
	  "falloc [-c] [-k] [-p] [-u] off len -- allocates space associated with part of a file via fallocate\nfalloc [-c] [-k] [-p] [-u] off len -- allocates space associated with part of a file via fallocate\n",
	  "falloc: invalid option -- '1'\n", 1, false },
	{ "falloc 0 4k 8k",
	  "falloc [-c] [-k] [-p] [-u] off len -- allocates space associated with part of a file via fallocate\n",
	  "", 1, false },
	{ "falloc -k",
	  "",
	  "bad argument count 1 to falloc, expected at least 2 arguments\n", 0, false },
	{ "falloc 0 0",
	  "",
	  "fallocate: Invalid argument\n", 1, false },
	{ "falloc -p 0 0",
	  "",
	  "fallocate: Invalid argument\n", 1, false },
	{ "falloc 8e 1",
	  "non-numeric offset argument -- 8e\n",
	  "", 1, false },
	{ "falloc 0 9e",
	  "non-numeric length argument -- 9e\n",
	  "", 1, false },
	{ "falloc -- -1 4k",
	  "non-numeric offset argument -- -1\n",
	  "", 1, false },
	{ "falloc 1kb 4k",
	  "non-numeric offset argument -- 1kb\n",
	  "", 1, false },
	{ "fpunch",
	  "",
	  "bad argument count 0 to fpunch, expected 2 arguments\n", 0, false },
	{ "fpunch 1",
	  "",
	  "bad argument count 1 to fpunch, expected 2 arguments\n", 0, false },
	{ "fpunch 1 2 3",
	  "",
	  "bad argument count 3 to fpunch, expected 2 arguments\n", 0, false },
	{ "fpunch x 4k",
	  "non-numeric offset argument -- x\n",
	  "", 1, false },
	{ "fpunch 0 x",
	  "non-numeric length argument -- x\n",
	  "", 1, false },
	{ "fpunch -x 4k",
	  "non-numeric offset argument -- -x\n",
	  "", 1, false },
	{ "fpunch 0 0",
	  "",
	  "fallocate: Invalid argument\n", 1, false },
	{ "fzero",
	  "",
	  "bad argument count 0 to fzero, expected between 2 and 3 arguments\n", 0, false },
	{ "fzero 1",
	  "",
	  "bad argument count 1 to fzero, expected between 2 and 3 arguments\n", 0, false },
	{ "fzero 1 2 3 4",
	  "",
	  "bad argument count 4 to fzero, expected between 2 and 3 arguments\n", 0, false },
	{ "fzero -k 1",
	  "fzero [-k] off len -- zeroes space and eliminates holes by preallocating\n",
	  "", 0, false },
	{ "fzero -x 0 4k",
	  "fzero [-k] off len -- zeroes space and eliminates holes by preallocating\n",
	  "fzero: invalid option -- 'x'\n", 0, true },
	{ "fzero -x 64k 4k",
	  "fzero [-k] off len -- zeroes space and eliminates holes by preallocating\n",
	  "fzero: invalid option -- 'x'\n", 0, true },
	{ "fzero x 0",
	  "non-numeric offset argument -- x\n",
	  "", 0, false },
	{ "fzero 0 0",
	  "",
	  "fallocate: Invalid argument\n", 0, false },
	{ "funshare",
	  "",
	  "bad argument count 0 to funshare, expected 2 arguments\n", 0, false },
	{ "funshare x 0",
	  "non-numeric offset argument -- x\n",
	  "", 1, false },
	{ "funshare 0 0",
	  "",
	  "fallocate: Invalid argument\n", 1, false },
	{ "funshare -x 1",
	  "funshare off len -- unshares shared blocks within the range\nfunshare off len -- unshares shared blocks within the range\n",
	  "funshare: invalid option -- 'x'\n", 0, false },
	{ "fcollapse x 0",
	  "non-numeric offset argument -- x\n",
	  "", 1, false },
	{ "finsert 0 0",
	  "",
	  "fallocate: Invalid argument\n", 1, false },
	{ "truncate",
	  "",
	  "bad argument count 0 to truncate, expected 1 arguments\n", 0, false },
	{ "truncate 1 2",
	  "",
	  "bad argument count 2 to truncate, expected 1 arguments\n", 0, false },
	{ "truncate abc",
	  "non-numeric truncate argument -- abc\n",
	  "", 1, false },
	{ "truncate -1",
	  "non-numeric truncate argument -- -1\n",
	  "", 1, false },
	{ "truncate 8e",
	  "non-numeric truncate argument -- 8e\n",
	  "", 1, false },
	{ "truncate 1kb",
	  "non-numeric truncate argument -- 1kb\n",
	  "", 1, false },
	{ "fsync 1",
	  "",
	  "bad argument count 1 to fsync, expected 0 arguments\n", 0, false },
	{ "fdatasync x",
	  "",
	  "bad argument count 1 to fdatasync, expected 0 arguments\n", 0, false },
	{ "sync 1",
	  "",
	  "bad argument count 1 to sync, expected 0 arguments\n", 0, false },
	{ "syncfs 1",
	  "",
	  "bad argument count 1 to syncfs, expected 0 arguments\n", 0, false },
	{ "seek",
	  "",
	  "bad argument count 0 to seek, expected between 2 and 5 arguments\n", 0, false },
	{ "seek 0",
	  "",
	  "bad argument count 1 to seek, expected between 2 and 5 arguments\n", 0, false },
	{ "seek -d",
	  "",
	  "bad argument count 1 to seek, expected between 2 and 5 arguments\n", 0, false },
	{ "seek -x 0",
	  "seek -a | -d | -h [-r] off -- locate the next data and/or hole\n",
	  "seek: invalid option -- 'x'\n", 1, false },
	{ "seek -d 0 1",
	  "seek -a | -d | -h [-r] off -- locate the next data and/or hole\n",
	  "", 1, false },
	{ "seek -d abc",
	  "seek -a | -d | -h [-r] off -- locate the next data and/or hole\n",
	  "", 1, false },
	{ "seek -d -5",
	  "seek -a | -d | -h [-r] off -- locate the next data and/or hole\n",
	  "seek: invalid option -- '5'\n", 1, false },
	{ "seek 0 1",
	  "seek -a | -d | -h [-r] off -- locate the next data and/or hole\n",
	  "", 1, false },
	{ "seek -r 0",
	  "seek -a | -d | -h [-r] off -- locate the next data and/or hole\n",
	  "", 1, false },
	{ "seek -s 0",
	  "seek -a | -d | -h [-r] off -- locate the next data and/or hole\n",
	  "", 1, false },
	{ "seek -a -r -s 1 2 3 4",
	  "",
	  "bad argument count 7 to seek, expected between 2 and 5 arguments\n", 0, false },
	{ "fiemap -x",
	  "fiemap [-alv] [-n nx] [offset [len]] -- print block mapping for a file\n",
	  "fiemap: invalid option -- 'x'\n", 1, false },
	{ "fiemap -n",
	  "fiemap [-alv] [-n nx] [offset [len]] -- print block mapping for a file\n",
	  "fiemap: option requires an argument -- 'n'\n", 1, false },
	{ "fiemap abc",
	  "non-numeric offset argument -- abc\n",
	  "", 1, false },
	{ "fiemap 0 abc",
	  "non-numeric len argument -- abc\n",
	  "", 1, false },
	{ "fiemap 0 0",
	  "f:\n",
	  "xfs_io: ioctl(FS_IOC_FIEMAP) [\"f\"]: Invalid argument\n", 1, false },
	{ "bmap -x",
	  "bmap [-acelpv] [-n nx] -- print block mapping for an XFS file\n",
	  "bmap: invalid option -- 'x'\n", 0, false },
	{ "bmap -n",
	  "bmap [-acelpv] [-n nx] -- print block mapping for an XFS file\n",
	  "bmap: option requires an argument -- 'n'\n", 0, false },
	{ "bmap -n -1",
	  "",
	  "xfs_io: xfsctl(XFS_IOC_GETBMAPX) iflags=0x0 [\"f\"]: Invalid argument\n", 1, false },
	{ "bmap -c",
	  "",
	  "xfs_io: xfsctl(XFS_IOC_GETBMAPX) iflags=0x28 [\"f\"]: Invalid argument\n", 1, false },
	{ "reflink",
	  "",
	  "bad argument count 0 to reflink, expected at least 1 arguments\n", 0, false },
	{ "reflink -x g",
	  "reflink infile [src_off dst_off len] -- reflinks an entire file, or a number of bytes at a specified offset\n",
	  "reflink: invalid option -- 'x'\n", 1, false },
	{ "reflink g 0",
	  "reflink infile [src_off dst_off len] -- reflinks an entire file, or a number of bytes at a specified offset\n",
	  "", 1, false },
	{ "reflink g 0 0",
	  "reflink infile [src_off dst_off len] -- reflinks an entire file, or a number of bytes at a specified offset\n",
	  "", 1, false },
	{ "reflink g a 0 0",
	  "non-numeric src offset argument -- a\n",
	  "", 1, false },
	{ "reflink g 0 a 0",
	  "non-numeric dest offset argument -- a\n",
	  "", 1, false },
	{ "reflink g 0 0 a",
	  "non-positive length argument -- a\n",
	  "", 1, false },
	{ "reflink g 0 0 -1",
	  "reflink infile [src_off dst_off len] -- reflinks an entire file, or a number of bytes at a specified offset\n",
	  "reflink: invalid option -- '1'\n", 1, false },
	{ "reflink nosuch",
	  "",
	  "nosuch: No such file or directory\n", 1, false },
	{ "reflink g 1 0 4k",
	  "",
	  "XFS_IOC_CLONE_RANGE: Invalid argument\n", 0, false },
	{ "reflink g 0 0 1",
	  "",
	  "XFS_IOC_CLONE_RANGE: Invalid argument\n", 0, false },
	{ "reflink g 0 4k 4k 4k",
	  "reflink infile [src_off dst_off len] -- reflinks an entire file, or a number of bytes at a specified offset\n",
	  "", 1, false },
	{ "open g h",
	  "open [-acdrstxRTPL] [-m mode] [path] -- open the file specified by path\n",
	  "", 1, false },
	{ "open nosuch",
	  "",
	  "nosuch: No such file or directory\n", 1, false },
	{ "open -m x g",
	  "non-numeric mode -- x\n",
	  "", 1, false },
	{ "open -rT g",
	  "",
	  "-T and -r options are incompatible\n", 1, false },
	{ "open -P -d g",
	  "",
	  "-P and -L are incompatible with the other options\n", 1, false },
	{ "close 1",
	  "",
	  "bad argument count 1 to close, expected 0 arguments\n", 0, false },
	{ "file -1",
	  "value -1 is out of range (0-0)\n",
	  "", 1, false },
	{ "file 3",
	  "value 3 is out of range (0-0)\n",
	  "", 1, false },
	{ "file 1 2",
	  "",
	  "bad argument count 2 to file, expected between 0 and 1 arguments\n", 0, false },
	{ "file x",
	  "[000] f              (xfs,non-sync,non-direct,read-write)\n",
	  "", 0, false },
	{ "help x y",
	  "",
	  "bad argument count 2 to help, expected between 0 and 1 arguments\n", 0, false },
	{ "help nosuch",
	  "command nosuch not found\n",
	  "", 0, false },
	{ "xyz",
	  "",
	  "command \"xyz\" not found\n", 0, false },
	{ "falloc\t0 4k",
	  "",
	  "command \"falloc\t0\" not found\n", 0, false },
	{ "t",
	  "",
	  "bad argument count 0 to t, expected 1 arguments\n", 0, false },
	{ "rl",
	  "",
	  "bad argument count 0 to rl, expected at least 1 arguments\n", 0, false },
	{ "sync_range",
	  "",
	  "bad argument count 0 to sync_range, expected at least 2 arguments\n", 0, false },
	{ "sync_range 0",
	  "",
	  "bad argument count 1 to sync_range, expected at least 2 arguments\n", 0, false },
	{ "sync_range -a",
	  "",
	  "bad argument count 1 to sync_range, expected at least 2 arguments\n", 0, false },
	{ "sync_range -x 0 4k",
	  "sync_range [-abw] off len -- Control writeback on a range of a file\n",
	  "sync_range: invalid option -- 'x'\n", 1, false },
	{ "sync_range 0 4k 8k",
	  "sync_range [-abw] off len -- Control writeback on a range of a file\n",
	  "", 1, false },
	{ "sync_range x 4k",
	  "non-numeric offset argument -- x\n",
	  "", 1, false },
	{ "sync_range 0 x",
	  "non-numeric length argument -- x\n",
	  "", 1, false },
	{ "sync_range 0 -1",
	  "sync_range [-abw] off len -- Control writeback on a range of a file\n",
	  "sync_range: invalid option -- '1'\n", 1, false },
	{ "sync_range -- -5 4k",
	  "non-numeric offset argument -- -5\n",
	  "", 1, false },
	{ "sync_range -- 0 -5",
	  "non-numeric length argument -- -5\n",
	  "", 1, false },
	{ "sync_range 7e 2e",
	  "",
	  "sync_file_range: Invalid argument\n", 1, false },
	{ "sync_range 8e 1",
	  "non-numeric offset argument -- 8e\n",
	  "", 1, false },
	{ "sync_range 0 4k -w",
	  "",
	  "", 0, false },
};

/*
 * iocmd-4.1: each line prints what xfs_io printed, on the same streams, sets
 * the same exit code, and, unless xfs_io itself went on to change the file
 * ("falloc -z 64k 4k" prints the usage and still allocates), changes nothing.
 */
START_TEST(iocmd_4_1_usage_errors)
{
	const struct usage_case *c = &usage_cases[_i];
	char *before, *after;

	/* As on XFS: g exists, only f is open. */
	ck_assert_int_eq(iocmd_open(IC, "g", IOCMD_IO_CREAT), 0);
	run_ok("falloc 0 64k");
	run_ok("close");
	ck_assert_int_eq(iocmd_open(IC, "f", IOCMD_IO_CREAT), 0);
	run_ok("falloc 0 64k");
	run_ok("truncate 128k");
	IC->exitcode = 0;
	before = snapshot();
	run_as(c->cmd, true);
	ck_assert_msg(strcmp(OUT, c->out) == 0, "%s: stdout\n--- xfs_io 6.1\n%s--- iocmd\n%s",
		      c->cmd, c->out, OUT);
	ck_assert_msg(strcmp(ERR, c->err) == 0, "%s: stderr\n--- xfs_io 6.1\n%s--- iocmd\n%s",
		      c->cmd, c->err, ERR);
	ck_assert_msg(iocmd_exit_code(IC) == c->exitcode, "%s: exit code %d, xfs_io 6.1 %d", c->cmd,
		      iocmd_exit_code(IC), c->exitcode);
	if (!c->xfs_io_changed && iocmd_nr_files(IC)) {
		/* back to f if the line opened or switched files */
		for (size_t i = 0; i < iocmd_nr_files(IC); i++)
			if (strcmp(IC->files[i].name, "f") == 0)
				IC->cur = i;
		after = snapshot();
		ck_assert_msg(strcmp(before, after) == 0, "%s changed the file:\n%s---\n%s", c->cmd,
			      before, after);
		free(after);
	}
	free(before);
}
END_TEST

/* ---------------------------------------------------------------------- */
/* iocmd-5: seek                                                          */

/*
 * Two layouts made on XFS with written data:
 *   L1: xfs_io -f -c "pwrite -q 0 4k" -c "pwrite -q 8k 4k" -c "truncate 16k" -c fsync L1
 *   L2: xfs_io -f -c "pwrite -q 4k 4k" -c fsync L2
 * and the output of `xfs_io -c "seek ..." L1|L2` (xfs_io 6.1).
 */
static const struct fake_data L1_data[] = { { 0, 4096 }, { 8192, 12288 }, { 0, 0 } };
static const struct fake_data L2_data[] = { { 4096, 8192 }, { 0, 0 } };
static const struct report_case seek_L1_cases[] = {
	{ "seek -a 0", "Whence\tResult\nDATA\t0\nHOLE\t4096\n" },
	{ "seek -a -r 0", "Whence\tResult\nDATA\t0\nHOLE\t4096\nDATA\t8192\nHOLE\t12288\n" },
	{ "seek -a -s 0", "Whence\tStart\tResult\nDATA\t0\t0\nHOLE\t0\t4096\n" },
	{ "seek -a -r -s 0", "Whence\tStart\tResult\nDATA\t0\t0\nHOLE\t0\t4096\nDATA\t4096\t8192\nHOLE\t8192\t12288\n" },
	{ "seek -d 0", "Whence\tResult\nDATA\t0\n" },
	{ "seek -d -r 0", "Whence\tResult\nDATA\t0\nDATA\t8192\n" },
	{ "seek -h 0", "Whence\tResult\nHOLE\t4096\n" },
	{ "seek -h -r 0", "Whence\tResult\nHOLE\t4096\nHOLE\t12288\n" },
	{ "seek -d -s 5000", "Whence\tStart\tResult\nDATA\t5000\t8192\n" },
	{ "seek -h -r -s 5000", "Whence\tStart\tResult\nHOLE\t5000\t5000\nHOLE\t8192\t12288\n" },
	{ "seek -d 16384", "Whence\tResult\nDATA\tEOF\n" },
	{ "seek -h 16384", "Whence\tResult\nHOLE\tEOF\n" },
	{ "seek -a 20000", "Whence\tResult\nDATA\tEOF\n" },
	{ "seek -a -r 12288", "Whence\tResult\nHOLE\t12288\n" },
	{ "seek -d -r -s 4096", "Whence\tStart\tResult\nDATA\t4096\t8192\n" },
	{ "seek -h -r 8192", "Whence\tResult\nHOLE\t12288\n" },
	{ "seek -a 4095", "Whence\tResult\nDATA\t4095\nHOLE\t4096\n" },
	{ "seek -a -r -s 1", "Whence\tStart\tResult\nDATA\t1\t1\nHOLE\t1\t4096\nDATA\t4096\t8192\nHOLE\t8192\t12288\n" },
	{ "seek -r -a -s 0", "Whence\tStart\tResult\nDATA\t0\t0\nHOLE\t0\t4096\nDATA\t4096\t8192\nHOLE\t8192\t12288\n" },
	{ "seek -d 8k", "Whence\tResult\nDATA\t8192\n" },
	{ "seek -sh 0", "Whence\tStart\tResult\nHOLE\t0\t4096\n" },
	{ NULL, NULL },
};
static const struct report_case seek_L2_cases[] = {
	{ "seek -a 0", "Whence\tResult\nHOLE\t0\nDATA\t4096\n" },
	{ "seek -a -r 0", "Whence\tResult\nHOLE\t0\nDATA\t4096\nHOLE\t8192\n" },
	{ "seek -a -s 0", "Whence\tStart\tResult\nHOLE\t0\t0\nDATA\t0\t4096\n" },
	{ "seek -a -r -s 0", "Whence\tStart\tResult\nHOLE\t0\t0\nDATA\t0\t4096\nHOLE\t4096\t8192\n" },
	{ "seek -d 0", "Whence\tResult\nDATA\t4096\n" },
	{ "seek -d -r 0", "Whence\tResult\nDATA\t4096\n" },
	{ "seek -h 0", "Whence\tResult\nHOLE\t0\n" },
	{ "seek -h -r 0", "Whence\tResult\nHOLE\t0\nHOLE\t8192\n" },
	{ "seek -d -s 5000", "Whence\tStart\tResult\nDATA\t5000\t5000\n" },
	{ "seek -h -r -s 5000", "Whence\tStart\tResult\nHOLE\t5000\t8192\n" },
	{ "seek -d 16384", "Whence\tResult\nDATA\tEOF\n" },
	{ "seek -h 16384", "Whence\tResult\nHOLE\tEOF\n" },
	{ "seek -a 20000", "Whence\tResult\nDATA\tEOF\n" },
	{ "seek -a -r 12288", "Whence\tResult\nDATA\tEOF\n" },
	{ "seek -d -r -s 4096", "Whence\tStart\tResult\nDATA\t4096\t4096\n" },
	{ "seek -h -r 8192", "Whence\tResult\nHOLE\tEOF\n" },
	{ "seek -a 4095", "Whence\tResult\nHOLE\t4095\nDATA\t4096\n" },
	{ "seek -a -r -s 1", "Whence\tStart\tResult\nHOLE\t1\t1\nDATA\t1\t4096\nHOLE\t4096\t8192\n" },
	{ "seek -r -a -s 0", "Whence\tStart\tResult\nHOLE\t0\t0\nDATA\t0\t4096\nHOLE\t4096\t8192\n" },
	{ "seek -d 8k", "Whence\tResult\nDATA\tEOF\n" },
	{ "seek -sh 0", "Whence\tStart\tResult\nHOLE\t0\t0\n" },
	{ NULL, NULL },
};

/* iocmd-5.1: every -a/-d/-h x -r x -s combination at hole, data and EOF offsets (L1). */
START_TEST(iocmd_5_1_seek_L1)
{
	use_layout(16384, NULL, NULL, L1_data);
	check_cases(seek_L1_cases);
}
END_TEST

/* iocmd-5.2: the same on a file that starts with a hole and ends with data (L2). */
START_TEST(iocmd_5_2_seek_L2)
{
	use_layout(8192, NULL, NULL, L2_data);
	check_cases(seek_L2_cases);
}
END_TEST

static int seek_calls;
static loff_t counting_lseek(void *arg, loff_t off, int whence)
{
	seek_calls++;
	return fake_llseek(arg, off, whence);
}

/*
 * iocmd-5.3: the walk makes the lseek calls xfs_io makes, including the one
 * after the last line printed (`seek -h 0` on L1: SEEK_HOLE, then SEEK_DATA),
 * which the kernel traces show as an iomap_seek_data walk.
 */
START_TEST(iocmd_5_3_seek_calls)
{
	char *buf;
	size_t len;
	FILE *m = open_memstream(&buf, &len);

	use_layout(16384, NULL, NULL, L1_data);
	seek_calls = 0;
	ck_assert_int_eq(iocmd_seek_walk(m, m, IOCMD_SEEK_HOLE, 0, counting_lseek,
					 iocmd_current_file(IC)),
			 0);
	ck_assert_int_eq(seek_calls, 2);
	seek_calls = 0;
	ck_assert_int_eq(iocmd_seek_walk(m, m, IOCMD_SEEK_DATA | IOCMD_SEEK_HOLE | IOCMD_SEEK_ALL,
					 0, counting_lseek, iocmd_current_file(IC)),
			 0);
	/* SEEK_HOLE(0), SEEK_DATA(0), then HOLE, DATA, HOLE, DATA (ENXIO) */
	ck_assert_int_eq(seek_calls, 6);
	fclose(m);
	free(buf);
}
END_TEST

/* A filesystem that answers lseek with something impossible. */
static loff_t bad_lseek(void *arg, loff_t off, int whence)
{
	if (whence == SEEK_DATA)
		return off > 0 ? off - 1 : 0;
	return -EIO;
}

/* iocmd-5.4: lseek errors and impossible answers are reported, as xfs_io words them. */
START_TEST(iocmd_5_4_seek_errors)
{
	char *o, *e;
	size_t lo, le;
	FILE *mo = open_memstream(&o, &lo), *me = open_memstream(&e, &le);

	ck_assert_int_eq(iocmd_seek_walk(mo, me, IOCMD_SEEK_HOLE | IOCMD_SEEK_START, 7, bad_lseek, NULL),
			 -EIO);
	ck_assert_int_eq(iocmd_seek_walk(mo, me, IOCMD_SEEK_DATA, 7, bad_lseek, NULL), -EIO);
	fclose(mo);
	fclose(me);
	ck_assert_str_eq(o, "Whence\tStart\tResult\nERR\t7\t");
	ck_assert_str_eq(e, "Input/output error\n"
			    "Invalid seek result: lseek(<fd>, 7, SEEK_DATA) = 6\n");
	free(o);
	free(e);
}
END_TEST

/* ---------------------------------------------------------------------- */
/* iocmd-6 and iocmd-7: fiemap and bmap on layouts captured on XFS        */
/* Layout L09a (on XFS: ['falloc 0 1m', 'fpunch 256k 128k', 'falloc -k 2m 64k']), size 1048576. */
static const struct fake_extent L09a_ext[] = {
	{ 0x0, 0x40000, 0x88000, 0x800 },
	{ 0x60000, 0xa0000, 0xe8000, 0x800 },
	{ 0x200000, 0x10000, 0x288000, 0x801 },
	{ 0, 0, 0, 0 },
};
static const struct fake_rec L09a_recs[] = {
	{ 0x0, 0x40000, 0x88000, 1, 0 },
	{ 0x40000, 0x20000, -1, 0, 0 },
	{ 0x60000, 0xa0000, 0xe8000, 1, 0 },
	{ 0x100000, 0x100000, -1, 0, 0 },
	{ 0x200000, 0x10000, 0x288000, 1, 0 },
	{ 0, 0, 0, 0, 0 },
};
static const struct report_case L09a_cases[] = {
	{ "fiemap -v",
	  "f:\n EXT: FILE-OFFSET      BLOCK-RANGE      TOTAL FLAGS\n   0: [0..511]:        1088..1599         512 0x800\n   1: [512..767]:      hole               256\n   2: [768..2047]:     1856..3135        1280 0x800\n   3: [2048..4095]:    hole              2048\n   4: [4096..4223]:    5184..5311         128 0x801\n" },
	{ "fiemap",
	  "f:\n\t0: [0..511]: 1088..1599\n\t1: [512..767]: hole\n\t2: [768..2047]: 1856..3135\n\t3: [2048..4095]: hole\n\t4: [4096..4223]: 5184..5311\n" },
	{ "fiemap -l",
	  "f:\n\t0: [0..511]: 1088..1599 512 blocks\n\t1: [512..767]: hole 256 blocks\n\t2: [768..2047]: 1856..3135 1280 blocks\n\t3: [2048..4095]: hole 2048 blocks\n\t4: [4096..4223]: 5184..5311 128 blocks\n" },
	{ "fiemap -lv",
	  "f:\n EXT: FILE-OFFSET      BLOCK-RANGE      TOTAL FLAGS\n   0: [0..511]:        1088..1599         512 0x800\n   1: [512..767]:      hole               256\n   2: [768..2047]:     1856..3135        1280 0x800\n   3: [2048..4095]:    hole              2048\n   4: [4096..4223]:    5184..5311         128 0x801\n" },
	{ "fiemap -v 512k",
	  "f:\n EXT: FILE-OFFSET      BLOCK-RANGE      TOTAL FLAGS\n   0: [1024..2047]:    2112..3135        1024 0x800\n   1: [2048..4095]:    hole              2048\n   2: [4096..4223]:    5184..5311         128 0x801\n" },
	{ "fiemap -v 0 512k",
	  "f:\n EXT: FILE-OFFSET      BLOCK-RANGE      TOTAL FLAGS\n   0: [0..511]:        1088..1599         512 0x800\n   1: [512..767]:      hole               256\n   2: [768..1023]:     1856..2111         256 0x801\n" },
	{ "fiemap -v 100 1000",
	  "f:\n EXT: FILE-OFFSET      BLOCK-RANGE      TOTAL FLAGS\n   0: [0..7]:          1088..1095           8 0x801\n" },
	{ "fiemap -v 1m",
	  "f:\n EXT: FILE-OFFSET      BLOCK-RANGE      TOTAL FLAGS\n   0: [2048..4095]:    hole              2048\n   1: [4096..4223]:    5184..5311         128 0x801\n" },
	{ "fiemap -v 3m",
	  "f:\n" },
	{ "bmap",
	  "f:\n\t0: [0..511]: 1088..1599\n\t1: [512..767]: hole\n\t2: [768..2047]: 1856..3135\n\t3: [2048..4095]: hole\n\t4: [4096..4223]: 5184..5311\n" },
	{ "bmap -l",
	  "f:\n\t0: [0..511]: 1088..1599 512 blocks\n\t1: [512..767]: hole 256 blocks\n\t2: [768..2047]: 1856..3135 1280 blocks\n\t3: [2048..4095]: hole 2048 blocks\n\t4: [4096..4223]: 5184..5311 128 blocks\n" },
	{ "bmap -v",
	  "f:\n EXT: FILE-OFFSET      BLOCK-RANGE      AG AG-OFFSET        TOTAL\n   0: [0..511]:        1088..1599        0 (1088..1599)       512\n   1: [512..767]:      hole                                   256\n   2: [768..2047]:     1856..3135        0 (1856..3135)      1280\n   3: [2048..4095]:    hole                                  2048\n   4: [4096..4223]:    5184..5311        0 (5184..5311)       128\n" },
	{ "bmap -vp",
	  "f:\n EXT: FILE-OFFSET      BLOCK-RANGE      AG AG-OFFSET        TOTAL FLAGS\n   0: [0..511]:        1088..1599        0 (1088..1599)       512 010000\n   1: [512..767]:      hole                                   256\n   2: [768..2047]:     1856..3135        0 (1856..3135)      1280 010000\n   3: [2048..4095]:    hole                                  2048\n   4: [4096..4223]:    5184..5311        0 (5184..5311)       128 010000\n" },
	{ "bmap -vv",
	  "f:\n EXT: FILE-OFFSET      BLOCK-RANGE      AG AG-OFFSET        TOTAL\n   0: [0..511]:        1088..1599        0 (1088..1599)       512\n   1: [512..767]:      hole                                   256\n   2: [768..2047]:     1856..3135        0 (1856..3135)      1280\n   3: [2048..4095]:    hole                                  2048\n   4: [4096..4223]:    5184..5311        0 (5184..5311)       128\n" },
	{ "bmap -vvp",
	  "f:\n EXT: FILE-OFFSET      BLOCK-RANGE      AG AG-OFFSET        TOTAL FLAGS\n   0: [0..511]:        1088..1599        0 (1088..1599)       512 010000\n   1: [512..767]:      hole                                   256\n   2: [768..2047]:     1856..3135        0 (1856..3135)      1280 010000\n   3: [2048..4095]:    hole                                  2048\n   4: [4096..4223]:    5184..5311        0 (5184..5311)       128 010000\n FLAG Values:\n    0100000 Shared extent\n    0010000 Unwritten preallocated extent\n    0001000 Doesn't begin on stripe unit\n    0000100 Doesn't end   on stripe unit\n    0000010 Doesn't begin on stripe width\n    0000001 Doesn't end   on stripe width\n" },
	{ "bmap -e",
	  "f:\n\t0: [0..511]: 1088..1599\n\t1: [512..767]: hole\n\t2: [768..2047]: 1856..3135\n\t3: [2048..4095]: hole\n\t4: [4096..4223]: 5184..5311\n" },
	{ "bmap -p",
	  "f:\n\t0: [0..511]: 1088..1599\n\t1: [512..767]: hole\n\t2: [768..2047]: 1856..3135\n\t3: [2048..4095]: hole\n\t4: [4096..4223]: 5184..5311\n" },
	{ "bmap -pl",
	  "f:\n\t0: [0..511]: 1088..1599 512 blocks\n\t1: [512..767]: hole 256 blocks\n\t2: [768..2047]: 1856..3135 1280 blocks\n\t3: [2048..4095]: hole 2048 blocks\n\t4: [4096..4223]: 5184..5311 128 blocks\n" },
	{ "bmap -n 2",
	  "f:\n\t0: [0..511]: 1088..1599\n\t1: [512..767]: hole\n" },
	{ "bmap -n 2 -v",
	  "f:\n EXT: FILE-OFFSET      BLOCK-RANGE      AG AG-OFFSET        TOTAL\n   0: [0..511]:        1088..1599        0 (1088..1599)       512\n   1: [512..767]:      hole                                   256\n" },
	{ "bmap -n 1 -vp",
	  "f:\n EXT: FILE-OFFSET      BLOCK-RANGE      AG AG-OFFSET        TOTAL FLAGS\n   0: [0..511]:        1088..1599        0 (1088..1599)       512 010000\n" },
	{ "bmap -a",
	  "f: no extents\n" },
	{ "bmap -n 1 -a",
	  "f:\n" },
	{ NULL, NULL },
};

/* Layout L09b (on XFS: ['falloc 0 1m', 'fpunch 256k 128k', 'falloc -k 2m 64k', 'truncate 3m']), size 3145728. */
static const struct fake_extent L09b_ext[] = {
	{ 0x0, 0x40000, 0x188000, 0x800 },
	{ 0x60000, 0xa0000, 0x1e8000, 0x800 },
	{ 0x200000, 0x10000, 0x388000, 0x801 },
	{ 0, 0, 0, 0 },
};
static const struct fake_rec L09b_recs[] = {
	{ 0x0, 0x40000, 0x188000, 1, 0 },
	{ 0x40000, 0x20000, -1, 0, 0 },
	{ 0x60000, 0xa0000, 0x1e8000, 1, 0 },
	{ 0x100000, 0x100000, -1, 0, 0 },
	{ 0x200000, 0x10000, 0x388000, 1, 0 },
	{ 0x210000, 0xf0000, -1, 0, 0 },
	{ 0, 0, 0, 0, 0 },
};
static const struct report_case L09b_cases[] = {
	{ "fiemap -v",
	  "f:\n EXT: FILE-OFFSET      BLOCK-RANGE      TOTAL FLAGS\n   0: [0..511]:        3136..3647         512 0x800\n   1: [512..767]:      hole               256\n   2: [768..2047]:     3904..5183        1280 0x800\n   3: [2048..4095]:    hole              2048\n   4: [4096..4223]:    7232..7359         128 0x801\n   5: [4224..6143]:    hole              1920\n" },
	{ "fiemap",
	  "f:\n\t0: [0..511]: 3136..3647\n\t1: [512..767]: hole\n\t2: [768..2047]: 3904..5183\n\t3: [2048..4095]: hole\n\t4: [4096..4223]: 7232..7359\n\t5: [4224..6143]: hole\n" },
	{ "fiemap -v 2m",
	  "f:\n EXT: FILE-OFFSET      BLOCK-RANGE      TOTAL FLAGS\n   0: [4096..4223]:    7232..7359         128 0x801\n   1: [4224..6143]:    hole              1920\n" },
	{ "fiemap -n 2 -v",
	  "f:\n EXT: FILE-OFFSET      BLOCK-RANGE      TOTAL FLAGS\n   0: [0..511]:        3136..3647         512 0x800\n   1: [512..767]:      hole               256\n" },
	{ "bmap",
	  "f:\n\t0: [0..511]: 3136..3647\n\t1: [512..767]: hole\n\t2: [768..2047]: 3904..5183\n\t3: [2048..4095]: hole\n\t4: [4096..4223]: 7232..7359\n\t5: [4224..6143]: hole\n" },
	{ "bmap -vp",
	  "f:\n EXT: FILE-OFFSET      BLOCK-RANGE      AG AG-OFFSET        TOTAL FLAGS\n   0: [0..511]:        3136..3647        0 (3136..3647)       512 010000\n   1: [512..767]:      hole                                   256\n   2: [768..2047]:     3904..5183        0 (3904..5183)      1280 010000\n   3: [2048..4095]:    hole                                  2048\n   4: [4096..4223]:    7232..7359        0 (7232..7359)       128 010000\n   5: [4224..6143]:    hole                                  1920\n" },
	{ NULL, NULL },
};

/* Layout Lshared (on XFS: g: pwrite 0 64k, fsync; f: falloc 0 256k, reflink g 0 64k 64k, truncate 320k), size 327680. */
static const struct fake_extent Lshared_ext[] = {
	{ 0x0, 0x10000, 0x38000, 0x800 },
	{ 0x10000, 0x10000, 0x28000, 0x2000 },
	{ 0x20000, 0x20000, 0x58000, 0x801 },
	{ 0, 0, 0, 0 },
};
static const struct fake_rec Lshared_recs[] = {
	{ 0x0, 0x10000, 0x38000, 1, 0 },
	{ 0x10000, 0x10000, 0x28000, 0, 1 },
	{ 0x20000, 0x20000, 0x58000, 1, 0 },
	{ 0x40000, 0x10000, -1, 0, 0 },
	{ 0, 0, 0, 0, 0 },
};
static const struct report_case Lshared_cases[] = {
	{ "fiemap -v",
	  "f:\n EXT: FILE-OFFSET      BLOCK-RANGE      TOTAL FLAGS\n   0: [0..127]:        448..575           128 0x800\n   1: [128..255]:      320..447           128 0x2000\n   2: [256..511]:      704..959           256 0x801\n   3: [512..639]:      hole               128\n" },
	{ "fiemap",
	  "f:\n\t0: [0..127]: 448..575\n\t1: [128..255]: 320..447\n\t2: [256..511]: 704..959\n\t3: [512..639]: hole\n" },
	{ "bmap -vp",
	  "f:\n EXT: FILE-OFFSET      BLOCK-RANGE      AG AG-OFFSET        TOTAL FLAGS\n   0: [0..127]:        448..575          0 (448..575)         128 010000\n   1: [128..255]:      320..447          0 (320..447)         128 100000\n   2: [256..511]:      704..959          0 (704..959)         256 010000\n   3: [512..639]:      hole                                   128\n" },
	{ "bmap -vvp",
	  "f:\n EXT: FILE-OFFSET      BLOCK-RANGE      AG AG-OFFSET        TOTAL FLAGS\n   0: [0..127]:        448..575          0 (448..575)         128 010000\n   1: [128..255]:      320..447          0 (320..447)         128 100000\n   2: [256..511]:      704..959          0 (704..959)         256 010000\n   3: [512..639]:      hole                                   128\n FLAG Values:\n    0100000 Shared extent\n    0010000 Unwritten preallocated extent\n    0001000 Doesn't begin on stripe unit\n    0000100 Doesn't end   on stripe unit\n    0000010 Doesn't begin on stripe width\n    0000001 Doesn't end   on stripe width\n" },
	{ "bmap -v",
	  "f:\n EXT: FILE-OFFSET      BLOCK-RANGE      AG AG-OFFSET        TOTAL\n   0: [0..127]:        448..575          0 (448..575)         128\n   1: [128..255]:      320..447          0 (320..447)         128 100000\n   2: [256..511]:      704..959          0 (704..959)         256\n   3: [512..639]:      hole                                   128\n" },
	{ "bmap",
	  "f:\n\t0: [0..127]: 448..575\n\t1: [128..255]: 320..447\n\t2: [256..511]: 704..959\n\t3: [512..639]: hole\n" },
	{ NULL, NULL },
};

/* iocmd-6.1: fiemap, all forms, on scenario 09 before its truncate (L09a). */
START_TEST(iocmd_6_1_fiemap_L09a)
{
	const struct report_case fiemap_only[] = {
		L09a_cases[0], L09a_cases[1], L09a_cases[2], L09a_cases[3], L09a_cases[4],
		L09a_cases[5], L09a_cases[6], L09a_cases[7], L09a_cases[8], { NULL, NULL },
	};

	use_layout(1048576, L09a_ext, L09a_recs, NULL);
	check_cases(fiemap_only);
}
END_TEST

/* iocmd-6.2: fiemap after the truncate (last hole to EOF), a range, and -n (L09b). */
START_TEST(iocmd_6_2_fiemap_L09b)
{
	const struct report_case fiemap_only[] = {
		L09b_cases[0], L09b_cases[1], L09b_cases[2], L09b_cases[3], { NULL, NULL },
	};

	use_layout(3145728, L09b_ext, L09b_recs, NULL);
	check_cases(fiemap_only);
}
END_TEST

/* iocmd-6.3: a shared extent's 0x2000 flag widens the FLAGS column. */
START_TEST(iocmd_6_3_fiemap_shared)
{
	const struct report_case fiemap_only[] = { Lshared_cases[0], Lshared_cases[1],
						   { NULL, NULL } };

	use_layout(327680, Lshared_ext, Lshared_recs, NULL);
	check_cases(fiemap_only);
}
END_TEST

/*
 * iocmd-6.4: `fiemap -n N` stays in force for later fiemap commands, as in
 * xfs_io 6.1 (`xfs_io -c "fiemap -n 2 -v" -c "fiemap -v" f` on L09a prints
 * two entries twice).
 */
START_TEST(iocmd_6_4_fiemap_n_persists)
{
	/* The first four lines of "fiemap -v": name, header, extent, hole. */
	char two[512];
	const char *p = L09a_cases[0].expected;

	for (int lines = 0; lines < 4; lines++)
		p = strchr(p, '\n') + 1;
	snprintf(two, sizeof(two), "%.*s", (int)(p - L09a_cases[0].expected),
		 L09a_cases[0].expected);
	use_layout(1048576, L09a_ext, L09a_recs, NULL);
	run_ok("fiemap -n 2 -v");
	ck_assert_str_eq(OUT, two);
	run_ok("fiemap -v");
	ck_assert_str_eq(OUT, two);
}
END_TEST

/* iocmd-7.1: bmap in every form on L09a, including -a (no attribute fork). */
START_TEST(iocmd_7_1_bmap_L09a)
{
	use_layout(1048576, L09a_ext, L09a_recs, NULL);
	check_cases(L09a_cases + 9);
}
END_TEST

/* iocmd-7.2: bmap on L09b, and the shared flag (100000) with and without -p. */
START_TEST(iocmd_7_2_bmap_shared)
{
	use_layout(3145728, L09b_ext, L09b_recs, NULL);
	check_cases(L09b_cases + 4);
	IC->ops = &iocmd_extentfs_ops;
	iocmd_free(IC);
	IC = iocmd_new(FS, stdout, stderr);
	iocmd_set_trace_ops(IC, false);
	use_layout(327680, Lshared_ext, Lshared_recs, NULL);
	check_cases(Lshared_cases + 2);
}
END_TEST

/* iocmd-7.3: a file without extents: "no extents", even with a size (xfs_io 6.1). */
START_TEST(iocmd_7_3_bmap_no_extents)
{
	static const struct fake_rec hole_only[] = { { 0, 8192, -1, 0, 0 }, { 0, 0, 0, 0, 0 } };
	static const struct fake_extent none[] = { { 0, 0, 0, 0 } };

	use_layout(8192, none, hole_only, NULL);
	run_ok("bmap");
	ck_assert_str_eq(OUT, "f: no extents\n");
	run_ok("bmap -vp");
	ck_assert_str_eq(OUT, "f: no extents\n");
	run_ok("fiemap -v");
	ck_assert_str_eq(OUT, "f:\n");
	run_ok("bmap -n 1");
	ck_assert_str_eq(OUT, "f:\n");
	run("bmap -c"); /* xfs_io 6.1 on a non-debug kernel */
	ck_assert_str_eq(ERR, "xfs_io: xfsctl(XFS_IOC_GETBMAPX) iflags=0x28 [\"f\"]: Invalid argument\n");
	ck_assert_int_eq(iocmd_exit_code(IC), 1);
}
END_TEST

/* ---------------------------------------------------------------------- */
/* iocmd-8: on extentfs, end to end                                       */

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = calloc(1, 65536);
	size_t n;

	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, 65535, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/*
 * iocmd-8.1: the commands of kernel scenario 09 print what xfs_io printed on
 * Linux (tests/xcheck/scenarios/09-falloc-punch-report/xfs_io.out), block
 * ranges aside.
 */
START_TEST(iocmd_8_1_scenario_09_output)
{
	static const char *const cmds[] = {
		"falloc 0 1m", "fpunch 256k 128k", "falloc -k 2m 64k", "fiemap -v", "seek -a -r 0",
		"truncate 3m", "fiemap -v", "seek -d 0", "seek -h 0",
	};
	char *expected = read_file(SCENARIO_DIR "/09-falloc-punch-report/xfs_io.out");
	char *all = calloc(1, 65536);

	ck_assert_int_eq(iocmd_open(IC, "f", IOCMD_IO_CREAT), 0);
	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++) {
		run_as(cmds[i], true);
		ck_assert_msg(strcmp(ERR, "") == 0, "%s: %s", cmds[i], ERR);
		strcat(all, OUT);
	}
	assert_masked_eq("scenario 09", expected, all);
	ck_assert_int_eq(iocmd_exit_code(IC), 0);
	free(expected);
	free(all);
}
END_TEST

/* iocmd-8.2: bmap and fiemap on extentfs agree with XFS's for the same commands (L09a). */
START_TEST(iocmd_8_2_reports_on_extentfs)
{
	ck_assert_int_eq(iocmd_open(IC, "f", IOCMD_IO_CREAT), 0);
	run_ok("falloc 0 1m");
	run_ok("fpunch 256k 128k");
	run_ok("falloc -k 2m 64k");
	for (const struct report_case *c = L09a_cases; c->cmd; c++) {
		char *both;

		run(c->cmd);
		ck_assert_int_ge(asprintf(&both, "%s%s", OUT, ERR), 0);
		assert_masked_eq(c->cmd, c->expected, both);
		free(both);
	}
}
END_TEST

/*
 * iocmd-8.3: the VFS checks before the filesystem: a read-only file refuses
 * fallocate (EBADF), ftruncate (EINVAL), reflink into it (EBADF); messages
 * and exit codes as xfs_io 6.1 (`xfs_io -r -c CMD f`).
 */
START_TEST(iocmd_8_3_read_only_file)
{
	char *before;

	ck_assert_int_eq(iocmd_open(IC, "g", IOCMD_IO_CREAT), 0);
	run_ok("falloc 0 64k");
	ck_assert_int_eq(iocmd_open(IC, "f", IOCMD_IO_CREAT), 0);
	run_ok("falloc 0 64k");
	run_ok("truncate 128k");
	run_ok("close");
	ck_assert_int_eq(iocmd_open(IC, "f", IOCMD_IO_READONLY), 0);
	before = snapshot();
	run("truncate 4k");
	ck_assert_str_eq(ERR, "ftruncate: Invalid argument\n");
	run("falloc 0 4k");
	ck_assert_str_eq(ERR, "fallocate: Bad file descriptor\n");
	run("fpunch 0 4k");
	ck_assert_str_eq(ERR, "fallocate: Bad file descriptor\n");
	ck_assert_int_eq(iocmd_exit_code(IC), 1);
	IC->exitcode = 0;
	run("fzero 0 4k");
	ck_assert_str_eq(ERR, "fallocate: Bad file descriptor\n");
	run("reflink g 0 0 4k");
	ck_assert_str_eq(ERR, "XFS_IOC_CLONE_RANGE: Bad file descriptor\n");
	run("reflink g");
	ck_assert_str_eq(ERR, "XFS_IOC_CLONE: Bad file descriptor\n");
	ck_assert_int_eq(iocmd_exit_code(IC), 0); /* fzero and reflink never set it */
	run_ok("fsync");
	{
		char *after = snapshot();

		ck_assert_str_eq(before, after);
		free(after);
	}
	free(before);
}
END_TEST

/* iocmd-8.4: reflink's report line (xfs_io 6.1, without its timing line), -q, -C. */
START_TEST(iocmd_8_4_reflink)
{
	ck_assert_int_eq(iocmd_open(IC, "g", IOCMD_IO_CREAT), 0);
	run_ok("falloc 0 64k");
	run_ok("fsync");
	ck_assert_int_eq(iocmd_open(IC, "f", IOCMD_IO_CREAT), 0);
	run_ok("reflink g 0 64k 64k");
	ck_assert_str_eq(OUT, "linked 65536/65536 bytes at offset 65536\n");
	run_ok("rl -q g 0 128k 64k");
	ck_assert_str_eq(OUT, "");
	run_ok("reflink -C g 0 192k 64k");
	ck_assert_str_eq(OUT, "");
	ck_assert_int_eq(i_size_read(iocmd_current_file(IC)->f_inode), 256 * 1024);
	run("reflink g 1 0 4k"); /* unaligned: EINVAL from the filesystem */
	ck_assert_str_eq(ERR, "XFS_IOC_CLONE_RANGE: Invalid argument\n");
	run("reflink nosuch");
	ck_assert_str_eq(ERR, "nosuch: No such file or directory\n");
}
END_TEST

/*
 * iocmd-8.5: on a file opened without -d, pwrite and pread go through the
 * page cache: xfs_io's default 4096-byte buffer makes 16 calls for 64 KiB,
 * the data reads back, and a usage error still only prints.  test_pio.c's
 * iocmd-bio-1.* replays check the output against xfs_io; direct I/O is
 * there too.
 */
START_TEST(iocmd_8_5_buffered_io)
{
	/* A file opened without -d: buffered writes and reads (issue 4). */
	ck_assert_int_eq(iocmd_open(IC, "f", IOCMD_IO_CREAT), 0);
	run("pwrite -S 0xab 0 64k");
	ck_assert_str_eq(ERR, "");
	/* xfs_io's default block size is 4096: 16 calls. */
	ck_assert_msg(strncmp(OUT, "wrote 65536/65536 bytes at offset 0\n64 KiB, 16 ops; ", 52) == 0,
		      "%s", OUT);
	run("pread -v 4096 16");
	ck_assert_str_eq(ERR, "");
	ck_assert_msg(strncmp(OUT, "00001000:  ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab  "
			      "................\nread 16/16 bytes at offset 4096\n", 101) == 0,
		      "%s", OUT);
	run("pwrite 0");
	ck_assert_str_eq(ERR, "bad argument count 1 to pwrite, expected at least 2 arguments\n");
	ck_assert_int_eq(iocmd_exit_code(IC), 0);
}
END_TEST

/* iocmd-8.6: fibmap (reference only): a hole and unwritten space map to 0. */
START_TEST(iocmd_8_6_fibmap)
{
	ck_assert_int_eq(iocmd_open(IC, "f", IOCMD_IO_CREAT), 0);
	run_ok("falloc 0 64k");
	run_ok("truncate 128k");
	run_ok("fibmap 20");
	ck_assert_str_eq(OUT, "f: file block 20 -> device block 0\n");
	run_ok("fibmap 0");
	ck_assert_str_eq(OUT, "f: file block 0 -> device block 0\n");
	run("fibmap -1");
	ck_assert_str_eq(ERR, "fibmap: Invalid argument\n");
	run("fibmap x");
	ck_assert_str_eq(OUT, "fibmap block -- (reference only, not in xfs_io) print the device "
			      "block FIBMAP returns\n");
}
END_TEST

/* iocmd-8.7: swapon (reference only) refuses a file with holes, with the kernel's reason. */
START_TEST(iocmd_8_7_swapon)
{
	ck_assert_int_eq(iocmd_open(IC, "f", IOCMD_IO_CREAT), 0);
	run_ok("truncate 1m");
	run("swapon");
	ck_assert_ptr_nonnull(strstr(ERR, "swapon: f: swapon failed: Invalid argument\n"));
	ck_assert_int_eq(iocmd_exit_code(IC), 1);
	run("swapoff");
	ck_assert_str_eq(ERR, "swapoff: f: swapoff failed: Invalid argument\n");

	/* Fully allocated and committed: accepted, listed, and it pins the file. */
	run_ok("falloc 0 1m");
	run_ok("fsync");
	run_ok("swapon");
	ck_assert_ptr_nonnull(strstr(OUT, "Adding "));
	ck_assert_ptr_nonnull(strstr(OUT, " EXT: SWAP-PAGES"));
	run("truncate 4k");
	ck_assert_str_eq(ERR, "ftruncate: Text file busy\n");
	run("swapon");
	ck_assert_str_eq(ERR, "swapon: f: swapon failed: Device or resource busy\n");
	run_ok("swapoff");
	run_ok("truncate 4k");
}
END_TEST

/* ---------------------------------------------------------------------- */
/* iocmd-9: sync_range on extentfs                                        */

/*
 * State of file block @blk (4 KiB blocks): 'D' delayed allocation (data
 * only in the page cache), 'U' unwritten, 'W' written, 'H' hole; and
 * whether its folio is still dirty.
 */
static char block_state(loff_t blk, bool *dirty)
{
	struct file *f = iocmd_current_file(IC);
	struct folio *folio = filemap_get_folio(f->f_inode->i_mapping, (pgoff_t)blk);
	struct extentfs_bmap_rec *recs;
	loff_t pos = blk * 4096;
	char c = 'H';
	size_t nr;

	*dirty = folio && folio_test(folio, PG_dirty);
	if (folio)
		folio_put(folio);
	ck_assert_int_eq(extentfs_getbmap(f, &recs, &nr), 0);
	for (size_t i = 0; i < nr; i++)
		if (pos >= recs[i].offset && (uint64_t)(pos - recs[i].offset) < recs[i].length)
			c = recs[i].delalloc ? 'D' : recs[i].addr < 0 ? 'H' : recs[i].unwritten ? 'U' : 'W';
	free(recs);
	return c;
}

/* The 8 blocks of a 32 KiB file as a string of block_state() letters,
 * lower case while the folio is dirty. */
static void file_blocks(char out[9])
{
	for (int b = 0; b < 8; b++) {
		bool dirty;
		char c = block_state(b, &dirty);

		out[b] = dirty ? (char)(c - 'A' + 'a') : c;
	}
	out[8] = '\0';
}

/* Which of the 8 folios of a 32 KiB file are dirty: 'd', or '.' if clean. */
static void dirty_folios(char out[9])
{
	for (int b = 0; b < 8; b++) {
		bool dirty;

		(void)block_state(b, &dirty);
		out[b] = dirty ? 'd' : '.';
	}
	out[8] = '\0';
}

/*
 * iocmd-9.1: what each form of sync_range does to 32 KiB of fresh
 * buffered data.  -w (and no option) starts writeback of exactly its
 * range, which may end mid-file: those folios stop being dirty, the
 * others stay dirty; whether the I/O has finished when it returns is not
 * promised (in deterministic mode it may wait for someone to wait), so
 * each start is followed by -a, after which the blocks read back as
 * written.  The first writeback turns the whole delayed allocation into
 * unwritten space, as XFS does; only written blocks become 'W'.  -a and
 * -b alone only wait: dirty data stays dirty.  Options replace each
 * other (the last wins), a sub-block range covers its folio, a length of
 * 0 means "to EOF".  Nothing is printed and the exit code stays 0.
 */
START_TEST(iocmd_9_1_sync_range_forms)
{
	char blocks[9];

	ck_assert_int_eq(iocmd_open(IC, "f", IOCMD_IO_CREAT), 0);
	run_ok("pwrite -S 0x5a -b 4096 0 32k");
	file_blocks(blocks);
	ck_assert_str_eq(blocks, "dddddddd");
	run_ok("sync_range -a 0 32k");
	run_ok("sync_range -b 0 32k");
	file_blocks(blocks);
	ck_assert_str_eq(blocks, "dddddddd");
	run_ok("sync_range -w 0 8k");
	ck_assert_str_eq(OUT, "");
	dirty_folios(blocks);
	ck_assert_str_eq(blocks, "..dddddd");
	run_ok("sync_range -a 0 8k");
	file_blocks(blocks);
	ck_assert_str_eq(blocks, "WWuuuuuu");
	run_ok("sync_range 12k 4k");
	dirty_folios(blocks);
	ck_assert_str_eq(blocks, "..d.dddd");
	run_ok("sync_range -b 12k 4k");
	file_blocks(blocks);
	ck_assert_str_eq(blocks, "WWuWuuuu");
	/* options replace each other: -w then -a is a wait only */
	run_ok("sync_range -w -a 8k 4k");
	dirty_folios(blocks);
	ck_assert_str_eq(blocks, "..d.dddd");
	run_ok("sync_range -a -w 8k 4k");
	dirty_folios(blocks);
	ck_assert_str_eq(blocks, "....dddd");
	/* a sub-block range covers its whole folio */
	run_ok("sync_range 16385 1");
	dirty_folios(blocks);
	ck_assert_str_eq(blocks, ".....ddd");
	/* length 0: to the end of the file */
	run_ok("sync_range 20k 0");
	dirty_folios(blocks);
	ck_assert_str_eq(blocks, "........");
	run_ok("sync_range -a 0 0");
	file_blocks(blocks);
	ck_assert_str_eq(blocks, "WWWWWWWW");
	ck_assert_int_eq(iocmd_exit_code(IC), 0);
	run_ok("pread -v 32767 1");
	ck_assert_msg(strncmp(OUT, "00007fff:  5a", 13) == 0, "%s", OUT);
}
END_TEST

/*
 * iocmd-9.2: extentfs_sync_file_range() takes ksys_sync_file_range()'s
 * arguments: unknown flags, a negative offset or length, or an end that
 * overflows are -EINVAL (and write nothing); a range past EOF, an offset
 * of LLONG_MAX with length 0, and any combination of the three flags
 * (all three: a data integrity pass) are fine.
 */
START_TEST(iocmd_9_2_sync_file_range_arguments)
{
	static const struct {
		loff_t off, len;
		unsigned flags;
		int want;
	} tab[] = {
		{ 0, 4096, 8, -EINVAL },
		{ 0, 4096, ~0u, -EINVAL },
		{ -1, 4096, SYNC_FILE_RANGE_WRITE, -EINVAL },
		{ 0, -1, SYNC_FILE_RANGE_WRITE, -EINVAL },
		{ 4096, -4096, SYNC_FILE_RANGE_WRITE, -EINVAL },
		{ LLONG_MAX, 1, SYNC_FILE_RANGE_WRITE, -EINVAL },
		{ 7ll << 60, 2ll << 60, SYNC_FILE_RANGE_WRITE, -EINVAL },
		{ LLONG_MAX, 0, SYNC_FILE_RANGE_WRITE, 0 },
		{ 1ll << 40, 4096, SYNC_FILE_RANGE_WRITE, 0 },
		{ 0, 0, 0, 0 },
		{ 0, 4096, SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WAIT_AFTER, 0 },
	};
	struct file *f;
	char blocks[9];

	ck_assert_int_eq(iocmd_open(IC, "f", IOCMD_IO_CREAT), 0);
	run_ok("pwrite -S 0x5a -b 4096 0 32k");
	f = iocmd_current_file(IC);
	for (size_t i = 0; i < ARRAY_SIZE(tab); i++)
		ck_assert_msg(extentfs_sync_file_range(f, tab[i].off, tab[i].len, tab[i].flags) ==
				      tab[i].want, "row %zu", i);
	/* none of those wrote anything of the file */
	file_blocks(blocks);
	ck_assert_str_eq(blocks, "dddddddd");
	ck_assert_int_eq(extentfs_sync_file_range(f, 0, 0,
						  SYNC_FILE_RANGE_WAIT_BEFORE |
							  SYNC_FILE_RANGE_WRITE |
							  SYNC_FILE_RANGE_WAIT_AFTER),
			 0);
	file_blocks(blocks);
	ck_assert_str_eq(blocks, "WWWWWWWW");
}
END_TEST

static Suite *iocmd_suite(void)
{
	Suite *s = suite_create("iocmd");
	TCase *pure = tcase_create("pure"), *fs = tcase_create("extentfs");

	tcase_add_test(pure, iocmd_1_1_cvtnum_table);
	tcase_add_test(pure, iocmd_1_2_cvtnum_geometry);
	tcase_add_test(pure, iocmd_2_1_getopt_matches_glibc);
	tcase_add_test(pure, iocmd_2_2_getopt_messages);
	suite_add_tcase(s, pure);

	tcase_add_checked_fixture(fs, fs_setup, fs_teardown);
	tcase_add_test(fs, iocmd_1_3_cvtnum_uses_fs_geometry);
	tcase_add_test(fs, iocmd_3_1_unknown_command);
	tcase_add_test(fs, iocmd_3_2_splitting);
	tcase_add_test(fs, iocmd_3_3_no_file_open);
	tcase_add_test(fs, iocmd_3_4_help_texts);
	tcase_add_test(fs, iocmd_3_5_help_listing);
	tcase_add_test(fs, iocmd_3_6_file_table);
	tcase_add_test(fs, iocmd_3_7_cmdline_iterates);
	tcase_add_test(fs, iocmd_3_8_quit);
	tcase_add_test(fs, iocmd_3_9_trace_ops);
	tcase_add_loop_test(fs, iocmd_4_1_usage_errors, 0, (int)ARRAY_SIZE(usage_cases));
	tcase_add_test(fs, iocmd_5_1_seek_L1);
	tcase_add_test(fs, iocmd_5_2_seek_L2);
	tcase_add_test(fs, iocmd_5_3_seek_calls);
	tcase_add_test(fs, iocmd_5_4_seek_errors);
	tcase_add_test(fs, iocmd_6_1_fiemap_L09a);
	tcase_add_test(fs, iocmd_6_2_fiemap_L09b);
	tcase_add_test(fs, iocmd_6_3_fiemap_shared);
	tcase_add_test(fs, iocmd_6_4_fiemap_n_persists);
	tcase_add_test(fs, iocmd_7_1_bmap_L09a);
	tcase_add_test(fs, iocmd_7_2_bmap_shared);
	tcase_add_test(fs, iocmd_7_3_bmap_no_extents);
	tcase_add_test(fs, iocmd_8_1_scenario_09_output);
	tcase_add_test(fs, iocmd_8_2_reports_on_extentfs);
	tcase_add_test(fs, iocmd_8_3_read_only_file);
	tcase_add_test(fs, iocmd_8_4_reflink);
	tcase_add_test(fs, iocmd_8_5_buffered_io);
	tcase_add_test(fs, iocmd_8_6_fibmap);
	tcase_add_test(fs, iocmd_8_7_swapon);
	tcase_add_test(fs, iocmd_9_1_sync_range_forms);
	tcase_add_test(fs, iocmd_9_2_sync_file_range_arguments);
	suite_add_tcase(s, fs);
	return s;
}

int main(void)
{
	return run_suite(iocmd_suite());
}
