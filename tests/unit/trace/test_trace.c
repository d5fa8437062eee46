/*
 * test_trace.c — the event stream and its sinks.
 *
 * Areas:
 *   trace-1.*  stream: no-sink fast path, sequencing, deterministic clock
 *   trace-2.*  kernel spellings of types and flags (6.18 __print_flags)
 *   trace-3.*  kernel-format sink: field text equals tracefs text
 *   trace-4.*  recording format: round trip, strict parser
 */
#include <stdio.h>
#include <string.h>

#include <iomap/iomap.h>
#include <iomap/recording.h>
#include <iomap/trace.h>

#include "../testutil.h"

/* trace-1.1: with no sink attached nothing is recorded and the check is false. */
START_TEST(trace_1_1_no_sink)
{
	ck_assert(!trace_enabled());
	trace_op(true, "nothing listens", 0);
	ck_assert(!trace_enabled());
}
END_TEST

/* trace-1.2: events arrive in order with seq from 0 and 1 us steps. */
START_TEST(trace_1_2_sequence_and_clock)
{
	struct trace_sink *m = trace_memsink_new();

	kernel_set_exec_mode(EXEC_DETERMINISTIC);
	trace_reset_clock();
	trace_add_sink(m);
	ck_assert(trace_enabled());
	for (int i = 0; i < 5; i++)
		trace_op(true, "op", 0);
	trace_op(false, "op", -5);
	trace_remove_sink(m);
	ck_assert(!trace_enabled());

	ck_assert_uint_eq(trace_memsink_count(m), 6);
	for (size_t i = 0; i < 6; i++) {
		const struct trace_event *ev = trace_memsink_get(m, i);

		ck_assert_uint_eq(ev->seq, i);
		ck_assert_uint_eq(ev->ts_ns, 1000000000ull + i * 1000ull);
	}
	ck_assert_str_eq(trace_memsink_get(m, 5)->name, "op_end");
	ck_assert_int_eq(trace_field_get(trace_memsink_get(m, 5), "ret")->v.s, -5);
	ck_assert_ptr_null(trace_memsink_get(m, 6));
	trace_sink_free(m);
}
END_TEST

/* trace-1.3: more than TRACE_MAX_FIELDS fields are dropped, not overflowed. */
START_TEST(trace_1_3_field_overflow)
{
	struct trace_event ev;

	trace_event_init(&ev, "x", 0, 0);
	for (int i = 0; i < TRACE_MAX_FIELDS + 4; i++)
		trace_u64(&ev, "k", (uint64_t)i);
	ck_assert_uint_eq(ev.nfields, TRACE_MAX_FIELDS);
	ck_assert_uint_eq(ev.f[TRACE_MAX_FIELDS - 1].v.u, TRACE_MAX_FIELDS - 1);
}
END_TEST

/* trace-2.1: flag strings exactly as the kernel prints them. */
START_TEST(trace_2_1_flag_strings)
{
	static const struct {
		unsigned flags;
		bool op;
		const char *want;
	} table[] = {
		{ 0, false, "" },
		{ IOMAP_F_NEW | IOMAP_F_DIRTY, false, "NEW|DIRTY" },
		{ IOMAP_F_DIRTY | IOMAP_F_SHARED, false, "DIRTY|SHARED" },
		{ IOMAP_F_NEW | IOMAP_F_DIRTY | IOMAP_F_SHARED, false, "NEW|DIRTY|SHARED" },
		{ IOMAP_F_STALE, false, "STALE" },
		{ IOMAP_F_BUFFER_HEAD, false, "BH" },
		{ IOMAP_F_NEW | 0x2000, false, "NEW|0x2000" },
		{ 0, true, "" },
		{ IOMAP_ZERO, true, "ZERO" },
		{ IOMAP_REPORT, true, "REPORT" },
		{ IOMAP_WRITE | IOMAP_DIRECT, true, "WRITE|DIRECT" },
		{ IOMAP_WRITE | IOMAP_FAULT, true, "WRITE|FAULT" },
		{ IOMAP_WRITE | IOMAP_UNSHARE, true, "WRITE|UNSHARE" },
		{ IOMAP_DAX | IOMAP_WRITE | IOMAP_NOWAIT, true, "WRITE|NOWAIT|DAX" },
	};
	char buf[128];

	for (size_t i = 0; i < ARRAY_SIZE(table); i++) {
		const char *got = table[i].op ? iomap_flags_str(table[i].flags, buf, sizeof(buf))
					      : iomap_f_flags_str(table[i].flags, buf, sizeof(buf));

		ck_assert_msg(strcmp(got, table[i].want) == 0, "case %zu: got '%s' want '%s'", i,
			      got, table[i].want);
	}
	ck_assert_str_eq(iomap_type_name(IOMAP_HOLE), "HOLE");
	ck_assert_str_eq(iomap_type_name(IOMAP_DELALLOC), "DELALLOC");
	ck_assert_str_eq(iomap_type_name(IOMAP_MAPPED), "MAPPED");
	ck_assert_str_eq(iomap_type_name(IOMAP_UNWRITTEN), "UNWRITTEN");
	ck_assert_str_eq(iomap_type_name(IOMAP_INLINE), "INLINE");
}
END_TEST

/* trace-2.2: a small buffer truncates instead of overflowing. */
START_TEST(trace_2_2_small_buffer)
{
	char buf[6];

	iomap_f_flags_str(IOMAP_F_NEW | IOMAP_F_DIRTY | IOMAP_F_SHARED, buf, sizeof(buf));
	ck_assert_uint_lt(strlen(buf), sizeof(buf));
	ck_assert(strncmp(buf, "NEW|D", 5) == 0);
}
END_TEST

/*
 * trace-3.1: the field text of iomap_iter and iomap_iter_dstmap equals the
 * kernel's (lines of 09-falloc-punch-report/trace.raw, caller offset and
 * ops address aside).
 */
START_TEST(trace_3_1_kernel_field_text)
{
	struct trace_event ev;
	char buf[512];

	trace_event_init(&ev, "iomap_iter_dstmap", MKDEV(7, 0), 0x83);
	trace_u64(&ev, "bdev", MKDEV(7, 0));
	trace_u64(&ev, "addr", 0x18000);
	trace_u64(&ev, "offset", 0);
	trace_u64(&ev, "length", 0x100000);
	trace_u64(&ev, "type", IOMAP_UNWRITTEN);
	trace_u64(&ev, "flags", IOMAP_F_DIRTY);
	ck_assert_int_gt(ftrace_format_event(&ev, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "dev 7:0 ino 0x83 bdev 7:0 addr 0x18000 offset 0x0 length 0x100000 "
			      "type UNWRITTEN (0x3) flags DIRTY (0x2)");

	trace_event_init(&ev, "iomap_iter", MKDEV(7, 0), 0x83);
	trace_u64(&ev, "pos", 0x40000);
	trace_u64(&ev, "length", 0x20000);
	trace_s64(&ev, "status", 0);
	trace_u64(&ev, "flags", IOMAP_ZERO);
	trace_str(&ev, "ops", "extentfs_zero_iomap_ops");
	trace_str(&ev, "caller", "iomap_zero_range");
	ck_assert_int_gt(ftrace_format_event(&ev, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "dev 7:0 ino 0x83 pos 0x40000 length 0x20000 status 0 flags ZERO "
			      "(0x2) ops 0xffffffff82469a90 caller iomap_zero_range");

	trace_event_init(&ev, "iomap_zero_iter", MKDEV(7, 0), 0x83);
	trace_u64(&ev, "size", 0x1000);
	trace_u64(&ev, "offset", 0x800);
	trace_u64(&ev, "length", 0x800);
	ck_assert_int_gt(ftrace_format_event(&ev, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "dev 7:0 ino 0x83 size 0x1000 offset 0x800 length 0x800");

	trace_event_init(&ev, "fs_iomap_begin", 0, 0);
	ck_assert_int_eq(ftrace_format_event(&ev, buf, sizeof(buf)), -1);
}
END_TEST

/* trace-3.2: the sink writes tracefs-shaped lines and skips reference-only events. */
START_TEST(trace_3_2_line_shape)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	struct trace_sink *s = ftrace_sink_new(f);
	struct trace_event ev;

	kernel_set_exec_mode(EXEC_DETERMINISTIC);
	trace_reset_clock();
	ref_thread_set_name("xfs_io");
	trace_add_sink(s);
	trace_op(true, "falloc 0 1m", 0); /* reference-only: seq 0, not printed */
	trace_event_init(&ev, "iomap_readpage", MKDEV(7, 0), 0x83);
	trace_s64(&ev, "nr_pages", 16);
	trace_emit(&ev);
	trace_remove_sink(s);
	trace_sink_free(s);
	fclose(f);

	/* "%16s-%-7d [%03d] ..... %5lu.%06lu: " as tracefs prints it. */
	char want[256];

	snprintf(want, sizeof(want),
		 "          xfs_io-%-7d [000] .....     1.000001: iomap_readpage: dev 7:0 ino 0x83 "
		 "nr_pages 16\n",
		 1000 + ref_thread_id());
	ck_assert_str_eq(text, want);
	free(text);
}
END_TEST

/* trace-3.3: distinct ops tables get distinct, stable fake addresses. */
START_TEST(trace_3_3_ops_addresses)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	struct trace_sink *s = ftrace_sink_new(f);
	const char *names[] = { "a_ops", "b_ops", "a_ops" };

	trace_add_sink(s);
	for (int i = 0; i < 3; i++) {
		struct trace_event ev;

		trace_event_init(&ev, "iomap_iter", 0, 1);
		trace_str(&ev, "ops", names[i]);
		trace_emit(&ev);
	}
	trace_remove_sink(s);
	trace_sink_free(s);
	fclose(f);
	char *l1 = strstr(text, "ops 0x");
	char *l2 = strstr(l1 + 1, "ops 0x");
	char *l3 = strstr(l2 + 1, "ops 0x");

	ck_assert_ptr_nonnull(l3);
	ck_assert(strncmp(l1, "ops 0xffffffff82469a90 ", 23) == 0);
	ck_assert(strncmp(l2, "ops 0xffffffff82469aa0 ", 23) == 0);
	ck_assert(strncmp(l3, "ops 0xffffffff82469a90 ", 23) == 0);
	free(text);
}
END_TEST

/* trace-4.1: every field kind survives a write and a parse, strings escaped. */
START_TEST(trace_4_1_recording_round_trip)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	struct trace_sink *s = recording_sink_new(f);
	struct trace_event ev, back;
	struct recording_arena arena;
	char err[128];

	trace_add_sink(s);
	trace_event_init(&ev, "lock_acquire", MKDEV(7, 3), 0x83);
	trace_u64(&ev, "instance", 0xdeadbeefull);
	trace_s64(&ev, "level", -2);
	trace_str(&ev, "class", "i_rwsem");
	trace_str(&ev, "note", "a \"quoted\" \\ text\nwith\ttabs");
	trace_str(&ev, "empty", "");
	trace_emit(&ev);
	trace_remove_sink(s);
	trace_sink_free(s);
	fclose(f);

	char *nl = strchr(text, '\n');

	ck_assert_ptr_nonnull(nl);
	*nl = '\0';
	ck_assert_int_eq(recording_check_header(text, err, sizeof(err)), 0);
	ck_assert_int_eq(recording_parse_line(nl + 1, &back, &arena, err, sizeof(err)), 0);
	ck_assert_str_eq(back.name, "lock_acquire");
	ck_assert_uint_eq(back.dev, MKDEV(7, 3));
	ck_assert_uint_eq(back.ino, 0x83);
	ck_assert_uint_eq(back.nfields, 5);
	ck_assert_uint_eq(trace_field_get(&back, "instance")->v.u, 0xdeadbeefull);
	ck_assert_int_eq(trace_field_get(&back, "level")->v.s, -2);
	ck_assert_str_eq(trace_field_get(&back, "class")->v.str, "i_rwsem");
	ck_assert_str_eq(trace_field_get(&back, "note")->v.str, "a \"quoted\" \\ text\nwith\ttabs");
	ck_assert_str_eq(trace_field_get(&back, "empty")->v.str, "");
	free(text);
}
END_TEST

/* trace-4.2: malformed input is refused with a message naming the problem. */
START_TEST(trace_4_2_parser_rejects)
{
	static const struct {
		const char *line;
		const char *msg;
	} table[] = {
		{ "X 0 1 1 t 7:0 0x1 ev", "line does not start" },
		{ "E a 1 1 t 7:0 0x1 ev", "bad sequence" },
		{ "E 0 -1 1 t 7:0 0x1 ev", "bad timestamp" },
		{ "E 0 1 1 t 70 0x1 ev", "bad device" },
		{ "E 0 1 1 t 7:0 12 ev", "bad inode" },
		{ "E 0 1 1 t 7:0 0x1", "missing event name" },
		{ "E 0 1 1 t 7:0 0x1 ev k", "without '='" },
		{ "E 0 1 1 t 7:0 0x1 ev k=\"abc", "unterminated" },
		{ "E 0 1 1 t 7:0 0x1 ev k=\"a\\qb\"", "bad escape" },
		{ "E 0 1 1 t 7:0 0x1 ev k=0xzz", "bad hex" },
		{ "E 0 1 1 t 7:0 0x1 ev k=12x", "bad number" },
		{ "E 0 1 1 t 7:0 0x1 ev k=", "missing value" },
	};
	struct trace_event ev;
	struct recording_arena arena;
	char err[128];

	for (size_t i = 0; i < ARRAY_SIZE(table); i++) {
		err[0] = '\0';
		ck_assert_int_eq(recording_parse_line(table[i].line, &ev, &arena, err, sizeof(err)),
				 -EINVAL);
		ck_assert_msg(strstr(err, table[i].msg), "case %zu: '%s'", i, err);
	}
	ck_assert_int_eq(recording_check_header("# iomap-ref recording v2", err, sizeof(err)),
			 -EINVAL);
	ck_assert_int_eq(recording_check_header("hello", err, sizeof(err)), -EINVAL);
	ck_assert(strstr(err, "not an iomap-ref recording"));
}
END_TEST

static Suite *trace_suite(void)
{
	Suite *s = suite_create("trace");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, trace_1_1_no_sink);
	tcase_add_test(tc, trace_1_2_sequence_and_clock);
	tcase_add_test(tc, trace_1_3_field_overflow);
	tcase_add_test(tc, trace_2_1_flag_strings);
	tcase_add_test(tc, trace_2_2_small_buffer);
	tcase_add_test(tc, trace_3_1_kernel_field_text);
	tcase_add_test(tc, trace_3_2_line_shape);
	tcase_add_test(tc, trace_3_3_ops_addresses);
	tcase_add_test(tc, trace_4_1_recording_round_trip);
	tcase_add_test(tc, trace_4_2_parser_rejects);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(trace_suite());
}
