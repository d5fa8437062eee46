/*
 * test_pio.c — pwrite, pread (against the real xfs_io 6.1) and the
 * reference-only aio_pwrite / aio_pread, on extentfs through the direct
 * I/O path (issue 3).
 *
 * Areas:
 *   iocmd-pwrite-1.*, iocmd-pread-1.*  replays of pio-captures.h: each case
 *              runs its commands on a fresh file and must print exactly
 *              what xfs_io 6.1 printed on XFS — stdout and stderr byte for
 *              byte, timing lines included (both clocks advance 124 us per
 *              reading) — and end with the same exit code.  The captures
 *              are made by capture-pio.py, whose cases list the commands.
 *   iocmd-pwrite-2.*  timing-line formatting (cvtstr, timestr) at the
 *              edges: zero time, hours, non-integers, the -C form
 *   iocmd-pwrite-3.*  what reached the file: the pattern read back, the
 *              random offsets of -R -Z, RWF_DSYNC and -w in the trace
 *   iocmd-pread-2.*   buffered files while extentfs had no buffered I/O:
 *              a clear message, the exit code, nothing changed (checked
 *              only as long as extentfs answers -EOPNOTSUPP)
 *   iocmd-bio-1.*     buffered pwrite / pread / fsync / fdatasync / sync,
 *              replays of pio-buffered-captures.h (capture-pio.py
 *              --buffered), in deterministic and concurrent mode, then the
 *              file read back after a remount
 *   iocmd-aio-*       aio_pwrite / aio_pread with depth 1, 4 and 16,
 *              plain, -H (polled) and -C (caller completion), in
 *              deterministic and concurrent mode: the data, the output, and
 *              (deterministic) the order of submissions and completions
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <iomap/trace.h>

#include "../testutil.h"
#include "samples/iocmd/iocmd-internal.h"

#include "pio-buffered-captures.h"
#include "pio-captures.h"

#define FS_SIZE (16ull << 20)

static struct backend *B;
static struct extentfs *FS;
static struct iocmd *IC;
static char *OUT, *ERR;

/* xfs_io's clock in the captures: every reading 124 us after the last. */
static void fake_clock(struct timeval *tv)
{
	static long long now = 1000000000LL * 1000000LL;

	tv->tv_sec = (time_t)(now / 1000000);
	tv->tv_usec = (suseconds_t)(now % 1000000);
	now += 124;
}

static void mount_fs(enum kernel_exec_mode mode)
{
	kernel_set_exec_mode(mode);
	B = backend_ram_new(FS_SIZE, 512);
	ck_assert_ptr_nonnull(B);
	ck_assert_int_eq(extentfs_mkfs(B, NULL), 0);
	ck_assert_int_eq(extentfs_mount(B, MKDEV(7, 0), &FS), 0);
	IC = iocmd_new(FS, stdout, stderr);
	ck_assert_ptr_nonnull(IC);
	iocmd_set_trace_ops(IC, false);
	IC->clock = fake_clock;
}

static void setup_det(void)
{
	mount_fs(EXEC_DETERMINISTIC);
}

static void setup_conc(void)
{
	mount_fs(EXEC_CONCURRENT);
}

static void teardown(void)
{
	iocmd_free(IC);
	ck_assert_int_eq(extentfs_unmount(FS), 0);
	backend_destroy(B);
	free(OUT);
	free(ERR);
	OUT = ERR = NULL;
	kernel_set_exec_mode(EXEC_DETERMINISTIC);
}

/* Run each line as a -c argument; OUT and ERR collect everything printed. */
static void run_lines(const char *const *lines)
{
	size_t n1, n2;
	FILE *o, *e;

	free(OUT);
	free(ERR);
	o = open_memstream(&OUT, &n1);
	e = open_memstream(&ERR, &n2);
	IC->out = o;
	IC->err = e;
	for (size_t i = 0; lines[i]; i++)
		iocmd_run_cmdline(IC, lines[i]);
	fclose(o);
	fclose(e);
	IC->out = stdout;
	IC->err = stderr;
}

static void run(const char *line)
{
	const char *lines[] = { line, NULL };

	run_lines(lines);
}

static void run_ok(const char *line)
{
	run(line);
	ck_assert_msg(strcmp(ERR, "") == 0, "%s: unexpected stderr: %s", line, ERR);
}

/* Open "f" as the capture did: "-d" (created, O_DIRECT) or "-r -d" (existing, read-only). */
static void open_like(const char *flags)
{
	if (strcmp(flags, "-r -d") == 0) {
		struct file *file;

		ck_assert_int_eq(extentfs_open(FS, "f", O_CREAT | O_RDWR, &file), 0);
		ck_assert_int_eq(extentfs_close(file), 0);
		ck_assert_int_eq(iocmd_open(IC, "f", IOCMD_IO_READONLY | IOCMD_IO_DIRECT), 0);
	} else if (strcmp(flags, "-r") == 0) {
		struct file *file;

		ck_assert_int_eq(extentfs_open(FS, "f", O_CREAT | O_RDWR, &file), 0);
		ck_assert_int_eq(extentfs_close(file), 0);
		ck_assert_int_eq(iocmd_open(IC, "f", IOCMD_IO_READONLY), 0);
	} else if (strcmp(flags, "") == 0) {
		ck_assert_int_eq(iocmd_open(IC, "f", IOCMD_IO_CREAT), 0);
	} else {
		ck_assert_str_eq(flags, "-d");
		ck_assert_int_eq(iocmd_open(IC, "f", IOCMD_IO_CREAT | IOCMD_IO_DIRECT), 0);
	}
}

/* The host file pwrite -i reads in the captures (capture-pio.py). */
static void make_infile(void)
{
	static const char abc[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	FILE *f = fopen("/tmp/iocmd-pio-infile", "w");

	ck_assert_ptr_nonnull(f);
	for (int i = 0; i < 1024; i++)
		fputc(abc[i % 36], f);
	fclose(f);
}

/* ---------------------------------------------------------------------- */
/* iocmd-pwrite-1.*, iocmd-pread-1.*: the captures                         */

#define REPLAY(id, ID)                                                               \
	START_TEST(id)                                                               \
	{                                                                            \
		make_infile();                                                       \
		open_like(ID##_FLAGS);                                               \
		run_lines(id##_cmds);                                                \
		ck_assert_str_eq(OUT, id##_out);                                     \
		ck_assert_str_eq(ERR, id##_err);                                     \
		ck_assert_int_eq(iocmd_exit_code(IC), ID##_RC);                      \
	}                                                                            \
	END_TEST

REPLAY(iocmd_pwrite_1_1, IOCMD_PWRITE_1_1)
REPLAY(iocmd_pread_1_1, IOCMD_PREAD_1_1)
REPLAY(iocmd_pwrite_1_2, IOCMD_PWRITE_1_2)
REPLAY(iocmd_pwrite_1_3, IOCMD_PWRITE_1_3)
REPLAY(iocmd_pread_1_2, IOCMD_PREAD_1_2)
REPLAY(iocmd_pread_1_3, IOCMD_PREAD_1_3)
REPLAY(iocmd_pwrite_1_4, IOCMD_PWRITE_1_4)
REPLAY(iocmd_pwrite_1_5, IOCMD_PWRITE_1_5)
REPLAY(iocmd_pwrite_1_6, IOCMD_PWRITE_1_6)
REPLAY(iocmd_pwrite_1_7, IOCMD_PWRITE_1_7)
REPLAY(iocmd_pwrite_1_8, IOCMD_PWRITE_1_8)
REPLAY(iocmd_pwrite_1_9, IOCMD_PWRITE_1_9)

/* ---------------------------------------------------------------------- */
/* iocmd-pwrite-2.*: the timing line                                        */

static char *report(long sec, long usec, long long total, int ops, bool compact)
{
	struct timeval tv = { .tv_sec = sec, .tv_usec = usec };
	size_t n;
	FILE *o;

	free(OUT);
	o = open_memstream(&OUT, &n);
	IC->out = o;
	iocmd_report_io_times(IC, "wrote", &tv, 0, total, total, ops, compact);
	fclose(o);
	IC->out = stdout;
	return OUT;
}

/*
 * iocmd-pwrite-2.1: xfs_io 6.1 with gettimeofday() advancing by 300 us,
 * 1 s, 3723.456789 s, 0 and 7 us between readings (capture-pio.py's
 * clock with another step), for "pwrite -b 65536 0 64k", "pwrite -C 0 4k"
 * and "pread 0 40".
 */
START_TEST(iocmd_pwrite_2_1_timing)
{
	ck_assert_str_eq(report(0, 300, 65536, 1, false),
			 "wrote 65536/65536 bytes at offset 0\n"
			 "64 KiB, 1 ops; 0.0003 sec (208.333 MiB/sec and 3333.3333 ops/sec)\n");
	ck_assert_str_eq(report(0, 300, 4096, 1, true), "4096,1,0:00:00.00,13653333.333,3333.333\n");
	ck_assert_str_eq(report(0, 300, 40, 1, false),
			 "wrote 40/40 bytes at offset 0\n"
			 "40.000000 bytes, 1 ops; 0.0003 sec (130.208 KiB/sec and 3333.3333 ops/sec)\n");
	ck_assert_str_eq(report(1, 0, 65536, 1, false),
			 "wrote 65536/65536 bytes at offset 0\n"
			 "64 KiB, 1 ops; 0:00:01.00 (64 KiB/sec and 1.0000 ops/sec)\n");
	ck_assert_str_eq(report(1, 0, 4096, 1, true), "4096,1,0:00:01.00,4096.000,1.000\n");
	ck_assert_str_eq(report(3723, 456789, 65536, 1, false),
			 "wrote 65536/65536 bytes at offset 0\n"
			 "64 KiB, 1 ops; 1:02:03.45 (17.600849 bytes/sec and 0.0003 ops/sec)\n");
	ck_assert_str_eq(report(3723, 456789, 4096, 1, true), "4096,1,1:02:03.45,1.100,0.000\n");
	ck_assert_str_eq(report(0, 0, 65536, 1, false),
			 "wrote 65536/65536 bytes at offset 0\n"
			 "64 KiB, 1 ops; 0.0000 sec (inf EiB/sec and inf ops/sec)\n");
	ck_assert_str_eq(report(0, 0, 4096, 1, true), "4096,1,0:00:00.00,inf,inf\n");
	ck_assert_str_eq(report(0, 7, 65536, 1, false),
			 "wrote 65536/65536 bytes at offset 0\n"
			 "64 KiB, 1 ops; 0.0000 sec (8.719 GiB/sec and 142857.1429 ops/sec)\n");
	/* "pwrite -B -b 4k 64k 10k" on xfs_io: nothing written in no time. */
	ck_assert_str_eq(report(0, 0, 0, 0, false),
			 "wrote 0/0 bytes at offset 0\n"
			 "0.000000 bytes, 0 ops; 0.0000 sec (-nan bytes/sec and -nan ops/sec)\n");
}
END_TEST

/* iocmd-pwrite-2.2: a whole rate beyond int's range keeps three decimals (cvtstr). */
START_TEST(iocmd_pwrite_2_2_cvtstr)
{
	char s[64];

	iocmd_cvtstr(2048000000.0, s, sizeof(s)); /* xfs_io: "2 GiB/sec" for 4 KiB in 2 us */
	ck_assert_str_eq(s, "2 GiB");
	iocmd_cvtstr(3221225472.0, s, sizeof(s)); /* 3 GiB: (int) would overflow */
	ck_assert_str_eq(s, "3.000 GiB");
	iocmd_cvtstr(1023.0, s, sizeof(s));
	ck_assert_str_eq(s, "1023.000000 bytes");
	iocmd_cvtstr(1024.0, s, sizeof(s));
	ck_assert_str_eq(s, "1 KiB");
	iocmd_cvtstr(1536.5, s, sizeof(s));
	ck_assert_str_eq(s, "1.500 KiB");
	iocmd_cvtstr(1125899906842624.0 * 3, s, sizeof(s));
	ck_assert_str_eq(s, "3.000 PiB");
}
END_TEST

/* ---------------------------------------------------------------------- */
/* iocmd-pwrite-3.*: what reached the file                                  */

/* Read @len bytes at @pos of the current file with a direct read. */
static void read_back(loff_t pos, void *buf, size_t len)
{
	struct kvec v = { buf, len };

	ck_assert_int_eq(iocmd_sys_preadv2(iocmd_cur(IC), &v, 1, pos, 0, false), (ssize_t)len);
}

static bool all_bytes(const unsigned char *p, size_t len, unsigned char c)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != c)
			return false;
	return true;
}

/* iocmd-pwrite-3.1: the seed's low byte lands on the device; -u keeps the old fill. */
START_TEST(iocmd_pwrite_3_1_pattern)
{
	unsigned char *buf;

	ck_assert_int_eq(posix_memalign((void **)&buf, 4096, 16384), 0);
	open_like("-d");
	run_ok("pwrite -q -S 0x1234 0 8k");
	run_ok("pwrite -q -u 8k 4k");     /* same buffer, not refilled: 0x34 again */
	run_ok("pwrite -q 12k 4k");       /* default 0xcdcdcdcd */
	read_back(0, buf, 16384);
	ck_assert(all_bytes(buf, 12288, 0x34));
	ck_assert(all_bytes(buf + 12288, 4096, 0xcd));
	ck_assert_int_eq(i_size_read(iocmd_current_file(IC)->f_inode), 16384);
	free(buf);
}
END_TEST

/* Records event names (and one field) into a memstream. */
struct recorder {
	struct trace_sink sink;
	FILE *m;
	char *text;
	size_t len;
};

static const char *field_str(const struct trace_event *ev, const char *key)
{
	for (unsigned i = 0; i < ev->nfields; i++)
		if (strcmp(ev->f[i].key, key) == 0 && ev->f[i].kind == TF_STR)
			return ev->f[i].v.str;
	return NULL;
}

static void rec_emit(struct trace_sink *sink, const struct trace_event *ev)
{
	struct recorder *r = sink->priv;

	if (strcmp(ev->name, "iomap_dio_rw_begin") == 0)
		fputs("B", r->m);
	else if (strcmp(ev->name, "iomap_dio_complete") == 0)
		fputs("C", r->m);
	else if (strcmp(ev->name, "dio_done") == 0 && field_str(ev, "how"))
		fprintf(r->m, "[%s]", field_str(ev, "how"));
	else if (strcmp(ev->name, "bio_submit") == 0 && field_str(ev, "flags") &&
		 strstr(field_str(ev, "flags"), "HIPRI"))
		fputs("h", r->m);
	else if (strcmp(ev->name, "bio_submit") == 0 && field_str(ev, "flags") &&
		 strstr(field_str(ev, "flags"), "FUA"))
		fputs("f", r->m);
	else if (strcmp(ev->name, "bio_submit") == 0 && field_str(ev, "op") &&
		 strcmp(field_str(ev, "op"), "FLUSH") == 0)
		fputs("F", r->m);
}

static struct recorder *rec_start(void)
{
	struct recorder *r = calloc(1, sizeof(*r));

	r->m = open_memstream(&r->text, &r->len);
	r->sink.emit = rec_emit;
	r->sink.priv = r;
	trace_add_sink(&r->sink);
	return r;
}

static char *rec_stop(struct recorder *r)
{
	char *t;

	trace_remove_sink(&r->sink);
	fclose(r->m);
	t = r->text;
	free(r);
	return t;
}

/* Count the occurrences of @what in @s. */
static int count_of(const char *s, const char *what)
{
	int n = 0;

	for (const char *p = s; (p = strstr(p, what)); p += strlen(what))
		n++;
	return n;
}

/*
 * iocmd-pwrite-3.2: -D reaches the kiocb only with -V (as xfs_io: pwrite()
 * takes no flags), and then the write is made durable (FUA or a flush);
 * -w flushes at the end.
 */
START_TEST(iocmd_pwrite_3_2_dsync)
{
	struct recorder *r;
	char *t;

	open_like("-d");
	run_ok("pwrite -q 0 64k");
	r = rec_start();
	run_ok("pwrite -q -D 0 4k");
	t = rec_stop(r);
	ck_assert_msg(!strchr(t, 'f') && !strchr(t, 'F'), "-D without -V: %s", t);
	free(t);
	r = rec_start();
	run_ok("pwrite -q -V 1 -D 0 4k");
	t = rec_stop(r);
	ck_assert_msg(strchr(t, 'f') || strchr(t, 'F'), "-V 1 -D: no FUA or flush: %s", t);
	free(t);
	r = rec_start();
	run_ok("pwrite -q -V 0 -w 0 4k");
	t = rec_stop(r);
	ck_assert_msg(strchr(t, 'F') || strchr(t, 'f'), "-w: no flush: %s", t);
	free(t);
}
END_TEST

/*
 * iocmd-bio-1.*: a buffered replay.  Beyond the output, the file must hold
 * the same bytes after the page cache is gone (fsync'd, unmounted,
 * mounted again): pread -v of the whole file prints what a direct read
 * of it does.
 */
#define REPLAY_BUFFERED(id, ID)                                                      \
	START_TEST(id)                                                               \
	{                                                                            \
		char *cached_dump, *disk_dump;                                       \
		const char *dump[] = { "pread -v -b 1m 0 1m", NULL };                \
                                                                                     \
		open_like(ID##_FLAGS);                                               \
		run_lines(id##_cmds);                                                \
		ck_assert_str_eq(OUT, id##_out);                                     \
		ck_assert_str_eq(ERR, id##_err);                                     \
		ck_assert_int_eq(iocmd_exit_code(IC), ID##_RC);                      \
		run_lines(dump);                                                     \
		cached_dump = strdup(OUT);                                           \
		run_lines((const char *const[]){ "fsync", NULL });                   \
		iocmd_free(IC);                                                      \
		ck_assert_int_eq(extentfs_unmount(FS), 0);                           \
		ck_assert_int_eq(extentfs_mount(B, MKDEV(7, 0), &FS), 0);            \
		IC = iocmd_new(FS, stdout, stderr);                                  \
		iocmd_set_trace_ops(IC, false);                                      \
		IC->clock = fake_clock;                                              \
		ck_assert_int_eq(iocmd_open(IC, "f", IOCMD_IO_READONLY), 0);         \
		run_lines(dump);                                                     \
		disk_dump = strdup(OUT);                                             \
		/* the timing lines differ: compare up to the "read" line */         \
		*strstr(cached_dump, "read ") = 0;                                   \
		*strstr(disk_dump, "read ") = 0;                                     \
		ck_assert_str_eq(disk_dump, cached_dump);                            \
		free(cached_dump);                                                   \
		free(disk_dump);                                                     \
	}                                                                            \
	END_TEST

REPLAY_BUFFERED(iocmd_bio_1_1, IOCMD_BIO_1_1)
REPLAY_BUFFERED(iocmd_bio_1_2, IOCMD_BIO_1_2)
REPLAY_BUFFERED(iocmd_bio_1_3, IOCMD_BIO_1_3)
REPLAY_BUFFERED(iocmd_bio_1_4, IOCMD_BIO_1_4)

/* ---------------------------------------------------------------------- */
/* iocmd-pread-2.*: buffered files                                          */


/*
 * iocmd-pread-2.2: pwrite -i -d reads the host file with O_DIRECT (a short
 * read at its end), and a missing input file is xfs_io's perror(path).
 */
START_TEST(iocmd_pread_2_2_infile_direct)
{
	make_infile();
	open_like("-d");
	run("pwrite -i /tmp/iocmd-pio-infile -d -b 4k 0 4k");
	if (strcmp(ERR, "") != 0) /* a host filesystem without O_DIRECT (old tmpfs) */
		ck_assert_str_eq(ERR, "/tmp/iocmd-pio-infile: Invalid argument\n");
	else
		ck_assert_str_eq(OUT, "wrote 1024/4096 bytes at offset 0\n"
				      "1 KiB, 1 ops; 0.0001 sec (7.876 MiB/sec and 8064.5161 ops/sec)\n");
	run("pwrite -i /nonexistent/iocmd-infile 0 4k");
	ck_assert_str_eq(ERR, "/nonexistent/iocmd-infile: No such file or directory\n");
	ck_assert_int_eq(iocmd_exit_code(IC), 1);
}
END_TEST

/* ---------------------------------------------------------------------- */
/* iocmd-aio-*                                                              */

/* Write 256 KiB with aio_pwrite, read it back with aio_pread, check it. */
static void aio_round_trip(const char *wopts, const char *ropts)
{
	char line[128];
	unsigned char *buf;

	open_like("-d");
	snprintf(line, sizeof(line), "aio_pwrite -S 0x5a %s 0 256k", wopts);
	run_ok(line);
	ck_assert_str_eq(strtok(OUT, "\n"), "wrote 262144/262144 bytes at offset 0");
	snprintf(line, sizeof(line), "aio_pread %s 0 256k", ropts);
	run_ok(line);
	ck_assert_str_eq(strtok(OUT, "\n"), "read 262144/262144 bytes at offset 0");
	ck_assert_int_eq(posix_memalign((void **)&buf, 4096, 262144), 0);
	read_back(0, buf, 262144);
	ck_assert(all_bytes(buf, 262144, 0x5a));
	free(buf);
	ck_assert_int_eq(i_size_read(iocmd_current_file(IC)->f_inode), 262144);
	ck_assert_int_eq(iocmd_exit_code(IC), 0);
	ck_assert_int_eq(iocmd_current_file(IC)->f_inode->i_dio_count, 0);
}

/* iocmd-aio-1.1: depth 1, 4, 16 write new space and read it back (both modes). */
START_TEST(iocmd_aio_1_1_depths)
{
	static const char *const depth[] = { "-n 1", "-n 4", "-n 16" };

	aio_round_trip(depth[_i], depth[_i]);
}
END_TEST

/* iocmd-aio-1.2: -H (RWF_HIPRI, polled bios) at depth 4 and 16. */
START_TEST(iocmd_aio_1_2_hipri)
{
	aio_round_trip(_i ? "-H -n 16 -b 16k" : "-H -n 4", _i ? "-H -n 16" : "-H -n 4 -b 64k");
}
END_TEST

/* iocmd-aio-1.3: -C (caller completion) over new space, then over itself. */
START_TEST(iocmd_aio_1_3_caller)
{
	aio_round_trip(_i ? "-C -n 16" : "-C -n 4", "-C -n 4");
	run_ok("aio_pwrite -C -H -n 16 -S 0x5a 0 256k"); /* now a pure overwrite */
	ck_assert_str_eq(strtok(OUT, "\n"), "wrote 262144/262144 bytes at offset 0");
	ck_assert_int_eq(iocmd_current_file(IC)->f_inode->i_dio_count, 0);
}
END_TEST

/*
 * iocmd-aio-1.4 (deterministic): overwrites at depth 4 are submitted four
 * at a time and complete four at a time, in the same order on every run;
 * without -C a write completes on the dio workqueue, with -C through
 * dio_complete ("caller"); reads complete inline; -H marks the bios polled.
 */
START_TEST(iocmd_aio_1_4_order)
{
	struct recorder *r;
	char *t;

	open_like("-d");
	run_ok("pwrite -q -b 32k 0 32k");
	r = rec_start();
	run_ok("aio_pwrite -n 4 0 32k");
	t = rec_stop(r);
	ck_assert_str_eq(t, "BBBB[workqueue][workqueue][workqueue][workqueue]CCCC"
			    "BBBB[workqueue][workqueue][workqueue][workqueue]CCCC");
	free(t);
	r = rec_start();
	run_ok("aio_pwrite -C -n 4 0 16k");
	t = rec_stop(r);
	ck_assert_str_eq(t, "BBBB[caller][caller][caller][caller]CCCC");
	free(t);
	r = rec_start();
	run_ok("aio_pread -H -n 2 0 8k");
	t = rec_stop(r);
	ck_assert_str_eq(t, "BhBh[inline]C[inline]C"); /* inline: completed in end_io */
	free(t);
	/* depth 1 on new space: one at a time, completed by the dio workqueue */
	r = rec_start();
	run_ok("aio_pwrite -n 1 64k 8k");
	t = rec_stop(r);
	ck_assert_int_eq(count_of(t, "B"), 2);
	ck_assert_int_eq(count_of(t, "[workqueue]"), 2);
	ck_assert_msg(strncmp(t, "B[workqueue]C", 13) == 0, "order: %s", t);
	free(t);
}
END_TEST

/* iocmd-aio-1.5: errors: misaligned requests, usage, a short read at EOF. */
START_TEST(iocmd_aio_1_5_errors)
{
	open_like("-d");
	run("aio_pwrite -b 100 0 400");
	ck_assert_str_eq(ERR, "aio_pwrite: Invalid argument\n");
	ck_assert_str_eq(OUT, "");
	ck_assert_int_eq(iocmd_exit_code(IC), 1);
	run("aio_pwrite -n 0 0 4k");
	ck_assert_str_eq(OUT, "depth must be a number from 1 to 1024 -- 0\n");
	run("aio_pread -S 1 0 4k");
	ck_assert_str_eq(ERR, "aio_pread: invalid option -- 'S'\n");
	ck_assert_str_eq(OUT, "aio_pread [-b bs] [-n depth] [-q] [-HC] off len -- (reference only, "
			      "not in xfs_io) reads with up to depth asynchronous direct reads in "
			      "flight\n");
	run_ok("aio_pwrite -q 0 12k");
	ck_assert_str_eq(OUT, "");
	run_ok("aio_pread -n 4 0 64k"); /* three blocks, then EOF */
	ck_assert_str_eq(strtok(OUT, "\n"), "read 12288/65536 bytes at offset 0");
	ck_assert_int_eq(iocmd_current_file(IC)->f_inode->i_dio_count, 0);
}
END_TEST

static Suite *pio_suite(void)
{
	Suite *s = suite_create("pio");
	TCase *tc = tcase_create("iocmd-pwrite-1 iocmd-pread-1 (xfs_io 6.1 captures)");
	TCase *fmt = tcase_create("iocmd-pwrite-2 (timing lines)");
	TCase *data = tcase_create("iocmd-pwrite-3 iocmd-pread-2 (data, buffered files)");
	TCase *bio_det = tcase_create("iocmd-bio-1 deterministic (buffered, xfs_io 6.1 captures)");
	TCase *bio_conc = tcase_create("iocmd-bio-1 concurrent (buffered, xfs_io 6.1 captures)");
	TCase *det = tcase_create("iocmd-aio deterministic");
	TCase *conc = tcase_create("iocmd-aio concurrent");

	tcase_add_checked_fixture(tc, setup_det, teardown);
	tcase_add_test(tc, iocmd_pwrite_1_1);
	tcase_add_test(tc, iocmd_pread_1_1);
	tcase_add_test(tc, iocmd_pwrite_1_2);
	tcase_add_test(tc, iocmd_pwrite_1_3);
	tcase_add_test(tc, iocmd_pread_1_2);
	tcase_add_test(tc, iocmd_pread_1_3);
	tcase_add_test(tc, iocmd_pwrite_1_4);
	tcase_add_test(tc, iocmd_pwrite_1_5);
	tcase_add_test(tc, iocmd_pwrite_1_6);
	tcase_add_test(tc, iocmd_pwrite_1_7);
	tcase_add_test(tc, iocmd_pwrite_1_8);
	tcase_add_test(tc, iocmd_pwrite_1_9);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(fmt, setup_det, teardown);
	tcase_add_test(fmt, iocmd_pwrite_2_1_timing);
	tcase_add_test(fmt, iocmd_pwrite_2_2_cvtstr);
	suite_add_tcase(s, fmt);

	tcase_add_checked_fixture(data, setup_det, teardown);
	tcase_add_test(data, iocmd_pwrite_3_1_pattern);
	tcase_add_test(data, iocmd_pwrite_3_2_dsync);
	tcase_add_test(data, iocmd_pread_2_2_infile_direct);
	suite_add_tcase(s, data);

	tcase_add_checked_fixture(bio_det, setup_det, teardown);
	tcase_add_checked_fixture(bio_conc, setup_conc, teardown);
	tcase_add_test(bio_det, iocmd_bio_1_1);
	tcase_add_test(bio_det, iocmd_bio_1_2);
	tcase_add_test(bio_det, iocmd_bio_1_3);
	tcase_add_test(bio_det, iocmd_bio_1_4);
	tcase_add_test(bio_conc, iocmd_bio_1_1);
	tcase_add_test(bio_conc, iocmd_bio_1_3);
	suite_add_tcase(s, bio_det);
	suite_add_tcase(s, bio_conc);

	tcase_add_checked_fixture(det, setup_det, teardown);
	tcase_add_loop_test(det, iocmd_aio_1_1_depths, 0, 3);
	tcase_add_loop_test(det, iocmd_aio_1_2_hipri, 0, 2);
	tcase_add_loop_test(det, iocmd_aio_1_3_caller, 0, 2);
	tcase_add_test(det, iocmd_aio_1_4_order);
	tcase_add_test(det, iocmd_aio_1_5_errors);
	suite_add_tcase(s, det);

	tcase_add_checked_fixture(conc, setup_conc, teardown);
	tcase_add_loop_test(conc, iocmd_aio_1_1_depths, 0, 3);
	tcase_add_loop_test(conc, iocmd_aio_1_2_hipri, 0, 2);
	tcase_add_loop_test(conc, iocmd_aio_1_3_caller, 0, 2);
	tcase_add_test(conc, iocmd_aio_1_5_errors);
	suite_add_tcase(s, conc);
	return s;
}

int main(void)
{
	return run_suite(pio_suite());
}
