/*
 * test_recording.c — a whole iomap-io session recorded and read back.
 *
 *   rec-1.1  every line of the recording parses with the strict parser, the
 *            sequence numbers run 0, 1, 2 ... without a gap
 *   rec-1.2  the recording holds what the visualiser needs and the kernel
 *            trace lacks: operation boundaries with their text and result,
 *            the filesystem callbacks, lock acquire / release with class and
 *            mode, bio submit / complete of the metadata commit
 *   rec-1.3  the kernel events in it equal, field for field, what the
 *            kernel-format sink printed in the same run
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <iomap/recording.h>
#include <iomap/trace.h>

#include "../testutil.h"
#include "samples/extentfs/extentfs.h"
#include "samples/iocmd/iocmd.h"

static char *rec_text, *ftrace_text;

static void run_session(void)
{
	size_t rlen = 0, flen = 0;
	FILE *rec = open_memstream(&rec_text, &rlen);
	FILE *ft = open_memstream(&ftrace_text, &flen);
	FILE *out = fopen(getenv("REC_OUT") ? getenv("REC_OUT") : "/dev/null", "w");
	struct trace_sink *rs = recording_sink_new(rec), *fs_sink = ftrace_sink_new(ft);
	struct backend *b = backend_ram_new(64 << 20, 512);
	struct extentfs *fs;
	struct iocmd *ic;
	/* scenario 09-falloc-punch-report, then a commit and a bad command */
	static const char *cmds[] = { "falloc 0 1m",  "fpunch 256k 128k", "falloc -k 2m 64k",
				      "fiemap -v",    "seek -a -r 0",     "truncate 3m",
				      "fiemap -v",    "seek -d 0",        "seek -h 0",
				      "fsync",        "bogus" };

	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(extentfs_mkfs(b, NULL), 0);
	kernel_set_exec_mode(EXEC_DETERMINISTIC);
	ck_assert_int_eq(extentfs_mount(b, MKDEV(7, 0), &fs), 0);
	trace_reset_clock();
	trace_add_sink(rs);
	trace_add_sink(fs_sink);
	ic = iocmd_new(fs, out, out);
	ck_assert_int_eq(iocmd_open(ic, "f", IOCMD_IO_CREAT), 0);
	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++)
		iocmd_run_cmdline(ic, cmds[i]);
	iocmd_free(ic);
	trace_remove_sink(rs);
	trace_remove_sink(fs_sink);
	trace_sink_free(rs);
	trace_sink_free(fs_sink);
	fclose(rec);
	fclose(ft);
	fclose(out);
	extentfs_unmount(fs);
	backend_destroy(b);
}

static void setup(void)
{
	run_session();
}

static void teardown(void)
{
	free(rec_text);
	free(ftrace_text);
}

/* Call @fn for each event line; returns the number of lines. */
static size_t for_each_event(void (*fn)(const struct trace_event *ev, void *arg), void *arg)
{
	char *save = NULL, *copy = strdup(rec_text), *line;
	struct recording_arena arena;
	struct trace_event ev;
	char err[128];
	size_t n = 0;

	line = strtok_r(copy, "\n", &save);
	ck_assert_ptr_nonnull(line);
	ck_assert_int_eq(recording_check_header(line, err, sizeof(err)), 0);
	while ((line = strtok_r(NULL, "\n", &save))) {
		ck_assert_msg(recording_parse_line(line, &ev, &arena, err, sizeof(err)) == 0,
			      "line %zu: %s: %s", n + 2, err, line);
		ck_assert_uint_eq(ev.seq, n);
		fn(&ev, arg);
		n++;
	}
	free(copy);
	return n;
}

static void nothing(const struct trace_event *ev, void *arg)
{
	(void)ev;
	(void)arg;
}

START_TEST(rec_1_1_parses)
{
	ck_assert_uint_gt(for_each_event(nothing, NULL), 100);
}
END_TEST

struct seen {
	int op_begin, op_end_bogus, fs_begin, fs_end, rwsem_excl, rwsem_shared, ilock, release,
		bio_write, bio_flush, bio_done;
};

static const char *s_of(const struct trace_event *ev, const char *k)
{
	const struct trace_field *f = trace_field_get(ev, k);

	return f && f->kind == TF_STR ? f->v.str : "";
}

static void count(const struct trace_event *ev, void *arg)
{
	struct seen *s = arg;
	const char *n = ev->name;

	if (!strcmp(n, "op_begin") && !strcmp(s_of(ev, "op"), "falloc 0 1m"))
		s->op_begin++;
	if (!strcmp(n, "op_end") && !strcmp(s_of(ev, "op"), "bogus") &&
	    trace_field_get(ev, "ret")->v.s == -ENOENT)
		s->op_end_bogus++;
	if (!strcmp(n, "fs_iomap_begin"))
		s->fs_begin++;
	if (!strcmp(n, "fs_iomap_begin_done"))
		s->fs_end++;
	if (!strcmp(n, "lock_acquired") && !strcmp(s_of(ev, "class"), "i_rwsem")) {
		if (!strcmp(s_of(ev, "mode"), "exclusive"))
			s->rwsem_excl++;
		else if (!strcmp(s_of(ev, "mode"), "shared"))
			s->rwsem_shared++;
	}
	if (!strcmp(n, "lock_acquired") && !strcmp(s_of(ev, "class"), "ilock"))
		s->ilock++;
	if (!strcmp(n, "lock_release"))
		s->release++;
	if (!strcmp(n, "bio_submit") && !strcmp(s_of(ev, "op"), "WRITE"))
		s->bio_write++;
	if (!strcmp(n, "bio_submit") && !strcmp(s_of(ev, "op"), "FLUSH"))
		s->bio_flush++;
	if (!strcmp(n, "bio_complete"))
		s->bio_done++;
}

START_TEST(rec_1_2_reference_events)
{
	struct seen s = { 0 };

	for_each_event(count, &s);
	ck_assert_int_eq(s.op_begin, 1);
	ck_assert_int_eq(s.op_end_bogus, 1);
	ck_assert_int_gt(s.fs_begin, 20);
	ck_assert_int_eq(s.fs_begin, s.fs_end);
	ck_assert_int_ge(s.rwsem_excl, 4);   /* falloc, fpunch, truncate, fsync */
	ck_assert_int_ge(s.rwsem_shared, 3); /* fiemap, two seeks */
	ck_assert_int_gt(s.ilock, 0);
	ck_assert_int_gt(s.release, 0);
	ck_assert_int_gt(s.bio_write, 0);    /* the commit writes metadata ... */
	ck_assert_int_gt(s.bio_flush, 0);    /* ... and flushes */
	ck_assert_int_eq(s.bio_done, s.bio_write + s.bio_flush); /* every bio completed */
}
END_TEST

struct kbuf {
	char *text;
	size_t len, cap;
};

static void kernel_lines(const struct trace_event *ev, void *arg)
{
	struct kbuf *k = arg;
	char line[512];
	int n = ftrace_format_event(ev, line, sizeof(line));

	if (n < 0)
		return;
	if (k->len + (size_t)n + 2 > k->cap) {
		k->cap = (k->cap + (size_t)n + 2) * 2;
		k->text = realloc(k->text, k->cap);
	}
	k->len += (size_t)sprintf(k->text + k->len, "%s\n", line);
}

START_TEST(rec_1_3_kernel_events_agree)
{
	struct kbuf k = { 0 };
	char *copy = strdup(ftrace_text), *save = NULL, *line;
	size_t off = 0, lines = 0;

	for_each_event(kernel_lines, &k);
	ck_assert_ptr_nonnull(k.text);
	/* each tracefs line, minus its prefix and the ops address, must match */
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *body = strstr(line, ": ");
		char *nl = strchr(k.text + off, '\n');

		ck_assert_ptr_nonnull(body);
		body = strstr(body + 2, ": ");
		ck_assert_ptr_nonnull(body);
		body += 2;
		ck_assert_ptr_nonnull(nl);
		*nl = '\0';
		char *ops1 = strstr(body, " ops "), *ops2 = strstr(k.text + off, " ops ");

		if (ops1 && ops2) {
			*ops1 = *ops2 = '\0';
			ck_assert_str_eq(strstr(ops1 + 1, " caller"), strstr(ops2 + 1, " caller"));
		}
		ck_assert_str_eq(body, k.text + off);
		off = (size_t)(nl - k.text) + 1;
		lines++;
	}
	ck_assert_uint_eq(lines, 78); /* the 78 events of trace 09; fsync adds none */
	free(copy);
	free(k.text);
}
END_TEST

static Suite *rec_suite(void)
{
	Suite *s = suite_create("recording");
	TCase *tc = tcase_create("session");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, rec_1_1_parses);
	tcase_add_test(tc, rec_1_2_reference_events);
	tcase_add_test(tc, rec_1_3_kernel_events_agree);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(rec_suite());
}
