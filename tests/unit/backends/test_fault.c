/**
 * @file test_fault.c
 * @brief Check suite for the fault-injecting backend (backends/fault.c).
 *
 * Areas covered:
 *   fault-1.*  EIO injection: once / always, on read / write / flush, with
 *              `after`; other operations unaffected; a failed write leaves
 *              the media unchanged, a failed flush makes nothing durable
 *   fault-2.*  power cut now: flushed data survives, unflushed data is gone
 *              (F1, F3), FUA writes survive (F2), later I/O fails with -EIO
 *              until restore (F4), writes are counted
 *   fault-3.*  armed power cut: torn write table (exactly the first k
 *              sectors are new), the nth-write counting, rollback of older
 *              unflushed writes, 4 KiB logical blocks tear at 4 KiB
 *   fault-4.*  over an asynchronous lower backend that completes newest
 *              first (lifo_backend.h): a cut with a write still in flight
 *              waits for it before rolling back; a flush does not cover a
 *              write still in flight when the flush was submitted (F1)
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../testutil.h"
#include "backends/backend.h"
#include "iomap/types.h"
#include "lifo_backend.h"

#define DEV_SIZE (256u * 1024)

static struct backend *fault_dev(uint32_t lbs)
{
	struct backend *lower = backend_ram_new(DEV_SIZE, lbs);
	struct backend *b;

	ck_assert_ptr_nonnull(lower);
	b = backend_fault_new(lower);
	ck_assert_ptr_nonnull(b);
	ck_assert_str_eq(b->kind, "fault");
	ck_assert_uint_eq(b->size, DEV_SIZE);
	ck_assert_uint_eq(b->logical_block_size, lbs);
	return b;
}

/* Fill @len bytes at @off with @byte. */
static int fill(struct backend *b, uint64_t off, size_t len, unsigned char byte, unsigned flags)
{
	unsigned char *buf = malloc(len);
	int ret;

	memset(buf, byte, len);
	ret = backend_rw_sync(b, BACKEND_WRITE, off, buf, len, flags);
	free(buf);
	return ret;
}

/* Whether every byte of [off, off + len) reads as @byte. */
static bool holds(struct backend *b, uint64_t off, size_t len, unsigned char byte)
{
	unsigned char *buf;
	bool ok;

	if (len == 0)
		return true; /* an empty range holds anything */
	buf = malloc(len);
	ok = backend_rw_sync(b, BACKEND_READ, off, buf, len, 0) == 0;

	for (size_t i = 0; ok && i < len; i++)
		ok = buf[i] == byte;
	free(buf);
	return ok;
}

static int do_op(struct backend *b, enum backend_op op)
{
	unsigned char buf[512];

	memset(buf, 0x11, sizeof(buf));
	if (op == BACKEND_FLUSH)
		return backend_rw_sync(b, op, 0, NULL, 0, 0);
	return backend_rw_sync(b, op, 0, buf, sizeof(buf), 0);
}

/*
 * fault-1.1: table of (op, mode, after) -> which of 6 requests fail.
 * _i enumerates op (3) x mode (2) x after (3: 0, 1, 4).
 */
START_TEST(test_eio_table)
{
	static const enum backend_op ops[] = { BACKEND_READ, BACKEND_WRITE, BACKEND_FLUSH };
	static const enum fault_mode modes[] = { FAULT_ONCE, FAULT_ALWAYS };
	static const unsigned afters[] = { 0, 1, 4 };
	enum backend_op op = ops[_i / 6];
	enum fault_mode mode = modes[(_i / 3) % 2];
	unsigned after = afters[_i % 3];
	struct backend *b = fault_dev(512);

	fault_set_eio(b, op, mode, after);
	for (unsigned n = 0; n < 6; n++) {
		bool should_fail = mode == FAULT_ONCE ? n == after : n >= after;
		int ret = do_op(b, op);

		ck_assert_msg(ret == (should_fail ? -EIO : 0),
			      "op %d mode %d after %u: request %u returned %d", op, mode, after, n,
			      ret);
		/* The other operations are never affected. */
		for (enum backend_op other = BACKEND_READ; other <= BACKEND_FLUSH; other++)
			if (other != op)
				ck_assert_int_eq(do_op(b, other), 0);
	}
	fault_set_eio(b, op, FAULT_NONE, 0);
	ck_assert_int_eq(do_op(b, op), 0);
	backend_destroy(b);
}
END_TEST

/* fault-1.2: a write failed by injection does not reach the media. */
START_TEST(test_eio_write_leaves_media)
{
	struct backend *b = fault_dev(512);

	ck_assert_int_eq(fill(b, 4096, 4096, 0xaa, 0), 0);
	fault_set_eio(b, BACKEND_WRITE, FAULT_ONCE, 0);
	ck_assert_int_eq(fill(b, 4096, 4096, 0xbb, 0), -EIO);
	ck_assert(holds(b, 4096, 4096, 0xaa));
	ck_assert_int_eq(fill(b, 4096, 4096, 0xcc, 0), 0);
	ck_assert(holds(b, 4096, 4096, 0xcc));
	backend_destroy(b);
}
END_TEST

/* fault-1.3: a failed flush makes nothing durable; a later good one does. */
START_TEST(test_eio_flush_not_durable)
{
	struct backend *b = fault_dev(512);

	ck_assert_int_eq(fill(b, 0, 8192, 0x21, 0), 0);
	fault_set_eio(b, BACKEND_FLUSH, FAULT_ONCE, 0);
	ck_assert_int_eq(do_op(b, BACKEND_FLUSH), -EIO);
	fault_power_cut_now(b);
	fault_power_restore(b);
	ck_assert_msg(holds(b, 0, 8192, 0x00), "a failed flush must not make the write durable");

	ck_assert_int_eq(fill(b, 0, 8192, 0x22, 0), 0);
	fault_set_eio(b, BACKEND_FLUSH, FAULT_ONCE, 0);
	ck_assert_int_eq(do_op(b, BACKEND_FLUSH), -EIO);
	ck_assert_int_eq(do_op(b, BACKEND_FLUSH), 0);
	fault_power_cut_now(b);
	fault_power_restore(b);
	ck_assert(holds(b, 0, 8192, 0x22));
	backend_destroy(b);
}
END_TEST

/*
 * fault-2.1: A written and flushed, then B written, then the power is cut.
 * Table: B overlapping A entirely, partly, or elsewhere.
 */
START_TEST(test_cut_flushed_vs_unflushed)
{
	static const struct {
		uint64_t b_off;
		size_t b_len;
	} table[] = {
		{ 0, 16384 },     /* B over all of A */
		{ 8192, 16384 },  /* B over A's second half and beyond */
		{ 65536, 4096 },  /* B elsewhere */
	};
	uint64_t b_off = table[_i].b_off;
	size_t b_len = table[_i].b_len;
	struct backend *b = fault_dev(512);
	unsigned seen;

	ck_assert_int_eq(fill(b, 0, 16384, 0xa1, 0), 0);      /* A */
	ck_assert_int_eq(do_op(b, BACKEND_FLUSH), 0);
	ck_assert_int_eq(fill(b, b_off, b_len, 0xb2, 0), 0);  /* B */
	ck_assert(holds(b, b_off, b_len, 0xb2));              /* visible before the cut */
	seen = fault_writes_seen(b);
	ck_assert_uint_eq(seen, 2);

	fault_power_cut_now(b);
	ck_assert(fault_power_is_cut(b));
	/* (F4): everything fails while the power is off, and writes are counted. */
	ck_assert_int_eq(do_op(b, BACKEND_READ), -EIO);
	ck_assert_int_eq(do_op(b, BACKEND_WRITE), -EIO);
	ck_assert_int_eq(do_op(b, BACKEND_FLUSH), -EIO);
	ck_assert_uint_eq(fault_writes_seen(b), seen + 1);

	fault_power_restore(b);
	ck_assert(!fault_power_is_cut(b));
	ck_assert_msg(holds(b, 0, 16384, 0xa1), "flushed write A must survive the cut");
	if (b_off >= 16384)
		ck_assert_msg(holds(b, b_off, b_len, 0x00), "unflushed write B must be gone");
	else if (b_off + b_len > 16384)
		ck_assert_msg(holds(b, 16384, b_off + b_len - 16384, 0x00),
			      "the part of B beyond A must be gone");
	backend_destroy(b);
}
END_TEST

/* fault-2.2: several unflushed overlapping writes roll back to the flushed state. */
START_TEST(test_cut_rolls_back_in_reverse)
{
	struct backend *b = fault_dev(4096);

	ck_assert_int_eq(fill(b, 0, 32768, 0x10, 0), 0);
	ck_assert_int_eq(do_op(b, BACKEND_FLUSH), 0);
	ck_assert_int_eq(fill(b, 0, 16384, 0x20, 0), 0);
	ck_assert_int_eq(fill(b, 8192, 16384, 0x30, 0), 0);
	ck_assert_int_eq(fill(b, 4096, 4096, 0x40, 0), 0);
	fault_power_cut_now(b);
	fault_power_restore(b);
	ck_assert(holds(b, 0, 32768, 0x10));
	ck_assert(holds(b, 32768, 4096, 0x00));
	backend_destroy(b);
}
END_TEST

/* fault-2.3: a FUA write survives, even over an older unflushed write (F2). */
START_TEST(test_cut_keeps_fua)
{
	struct backend *b = fault_dev(512);

	ck_assert_int_eq(fill(b, 0, 16384, 0x51, 0), 0);                /* W1, volatile */
	ck_assert_int_eq(fill(b, 4096, 4096, 0x52, BACKEND_REQ_FUA), 0); /* W2, durable */
	ck_assert_int_eq(fill(b, 4096, 8192, 0x53, 0), 0);              /* W3, volatile */
	fault_power_cut_now(b);
	fault_power_restore(b);
	ck_assert(holds(b, 0, 4096, 0x00));
	ck_assert_msg(holds(b, 4096, 4096, 0x52), "the FUA write must survive the cut");
	ck_assert(holds(b, 8192, 8192, 0x00));
	backend_destroy(b);
}
END_TEST

/* fault-2.4: a flush covers only what completed before it. */
START_TEST(test_cut_after_second_flush)
{
	struct backend *b = fault_dev(512);

	ck_assert_int_eq(fill(b, 0, 4096, 0x61, 0), 0);
	ck_assert_int_eq(do_op(b, BACKEND_FLUSH), 0);
	ck_assert_int_eq(fill(b, 4096, 4096, 0x62, 0), 0);
	ck_assert_int_eq(do_op(b, BACKEND_FLUSH), 0);
	ck_assert_int_eq(fill(b, 8192, 4096, 0x63, 0), 0);
	fault_power_cut_now(b);
	/* Cutting twice changes nothing more. */
	fault_power_cut_now(b);
	fault_power_restore(b);
	ck_assert(holds(b, 0, 4096, 0x61));
	ck_assert(holds(b, 4096, 4096, 0x62));
	ck_assert(holds(b, 8192, 4096, 0x00));
	/* After the restore the device works normally again. */
	ck_assert_int_eq(fill(b, 8192, 4096, 0x64, 0), 0);
	ck_assert(holds(b, 8192, 4096, 0x64));
	backend_destroy(b);
}
END_TEST

/*
 * fault-3.1: torn write table.  An 8-sector write over old data, cut after
 * torn_bytes: exactly the first k whole sectors are new (torn_bytes is
 * rounded down to whole 512-byte sectors).
 */
START_TEST(test_torn_table)
{
	static const struct {
		size_t torn_bytes;
		unsigned new_sectors;
	} table[] = {
		{ 0, 0 }, { 511, 0 }, { 512, 1 }, { 3 * 512 + 100, 3 }, { 7 * 512, 7 },
		{ 8 * 512, 8 }, { 100000, 8 },
	};
	size_t torn = table[_i].torn_bytes;
	unsigned k = table[_i].new_sectors;
	struct backend *b = fault_dev(512);

	ck_assert_int_eq(fill(b, 0, 4096, 0x0d, 0), 0); /* old data, durable */
	ck_assert_int_eq(do_op(b, BACKEND_FLUSH), 0);
	fault_arm_power_cut(b, 0, torn);
	ck_assert(!fault_power_is_cut(b));
	ck_assert_int_eq(fill(b, 0, 4096, 0x0e, 0), -EIO);
	ck_assert(fault_power_is_cut(b));
	fault_power_restore(b);
	ck_assert_msg(holds(b, 0, k * 512, 0x0e), "torn %zu: first %u sectors must be new", torn,
		      k);
	ck_assert_msg(holds(b, k * 512, 4096 - k * 512, 0x0d),
		      "torn %zu: sectors after %u must be old", torn, k);
	backend_destroy(b);
}
END_TEST

/*
 * fault-3.2: the cut hits write number nth; earlier unflushed writes are
 * rolled back, the torn prefix stays, later requests fail until restore.
 */
START_TEST(test_armed_nth)
{
	unsigned nth = (unsigned)_i; /* 0..3 */
	struct backend *b = fault_dev(512);
	unsigned base;

	ck_assert_int_eq(fill(b, 0, 65536, 0x01, 0), 0);
	ck_assert_int_eq(do_op(b, BACKEND_FLUSH), 0);
	base = fault_writes_seen(b);
	fault_arm_power_cut(b, nth, 1024);
	for (unsigned n = 0; n < nth; n++)
		ck_assert_int_eq(fill(b, (uint64_t)n * 8192, 4096, (unsigned char)(0x80 + n), 0), 0);
	/* The nth write, over the first block of write 0 (if any) and beyond. */
	ck_assert_int_eq(fill(b, 2048, 4096, 0xee, 0), -EIO);
	ck_assert_int_eq(fill(b, 32768, 4096, 0xef, 0), -EIO);
	ck_assert_int_eq(do_op(b, BACKEND_READ), -EIO);
	ck_assert_uint_eq(fault_writes_seen(b), base + nth + 2);
	fault_power_restore(b);
	/* Earlier unflushed writes: gone.  Torn prefix: 2 sectors at 2048. */
	ck_assert(holds(b, 0, 2048, 0x01));
	ck_assert(holds(b, 2048, 1024, 0xee));
	ck_assert(holds(b, 3072, 65536 - 3072, 0x01));
	backend_destroy(b);
}
END_TEST

/* fault-3.3: a 4 KiB-sector device tears at 4 KiB. */
START_TEST(test_torn_4k)
{
	struct backend *b = fault_dev(4096);

	fault_arm_power_cut(b, 0, 4096 + 3000);
	ck_assert_int_eq(fill(b, 0, 16384, 0x7e, 0), -EIO);
	fault_power_restore(b);
	ck_assert(holds(b, 0, 4096, 0x7e));
	ck_assert(holds(b, 4096, 12288, 0x00));
	backend_destroy(b);
}
END_TEST

/* fault-3.4: the torn prefix counts as on media even over an older unflushed write. */
START_TEST(test_torn_over_unflushed)
{
	struct backend *b = fault_dev(512);

	ck_assert_int_eq(fill(b, 0, 4096, 0x31, 0), 0); /* volatile */
	fault_arm_power_cut(b, 0, 1536);
	ck_assert_int_eq(fill(b, 0, 4096, 0x32, 0), -EIO);
	fault_power_restore(b);
	ck_assert(holds(b, 0, 1536, 0x32));
	ck_assert(holds(b, 1536, 4096 - 1536, 0x00));
	backend_destroy(b);
}
END_TEST

static int lifo_ok, lifo_eio;

static void lifo_end_io(struct backend_req *req)
{
	if (req->error == 0)
		lifo_ok++;
	else if (req->error == -EIO)
		lifo_eio++;
}

/* fault-4.1: cut with the last write still in flight (deferred rollback). */
START_TEST(test_cut_with_write_in_flight)
{
	struct backend *b = backend_fault_new(lifo_backend_new(DEV_SIZE));
	struct backend_req reqs[4];
	unsigned char bufs[4][4096];

	ck_assert_int_eq(fill(b, 0, 16384, 0x11, 0), 0);
	ck_assert_int_eq(do_op(b, BACKEND_FLUSH), 0);
	lifo_ok = lifo_eio = 0;
	for (unsigned i = 0; i < 4; i++) {
		memset(bufs[i], 0x20 + (int)i, sizeof(bufs[i]));
		reqs[i] = (struct backend_req){
			.op = BACKEND_WRITE, .off = i * 4096, .buf = bufs[i], .len = 4096,
			.end_io = lifo_end_io,
		};
		/* Each submit reads the old data, which also completes the
		 * writes queued before it; the last one stays in flight. */
		ck_assert_int_eq(backend_submit(b, &reqs[i]), 0);
	}
	ck_assert_int_eq(b->inflight, 1);
	fault_power_cut_now(b);
	backend_drain(b);
	ck_assert_int_eq(lifo_ok, 3);
	ck_assert_int_eq(lifo_eio, 1); /* in flight at the cut (F4) */
	fault_power_restore(b);
	for (unsigned i = 0; i < 4; i++)
		ck_assert_msg(holds(b, i * 4096, 4096, 0x11),
			      "write %u survived a cut that happened before it was flushed", i);
	backend_destroy(b);
}
END_TEST

/* fault-4.2: a flush submitted while a write is in flight does not cover it. */
START_TEST(test_flush_skips_write_in_flight)
{
	struct backend *b = backend_fault_new(lifo_backend_new(DEV_SIZE));
	unsigned char buf[4096];
	struct backend_req w = {
		.op = BACKEND_WRITE, .off = 8192, .buf = buf, .len = sizeof(buf),
		.end_io = lifo_end_io,
	};
	struct backend_req f = { .op = BACKEND_FLUSH, .end_io = lifo_end_io };

	lifo_ok = lifo_eio = 0;
	memset(buf, 0x42, sizeof(buf));
	ck_assert_int_eq(backend_submit(b, &w), 0);
	ck_assert_int_eq(backend_submit(b, &f), 0);
	backend_drain(b); /* the flush completes first, then the write */
	ck_assert_int_eq(lifo_ok, 2);
	ck_assert(holds(b, 8192, 4096, 0x42));
	fault_power_cut_now(b);
	fault_power_restore(b);
	ck_assert_msg(holds(b, 8192, 4096, 0x00), "a flush covered a write still in flight");
	/* A flush after the write completed does cover it. */
	ck_assert_int_eq(fill(b, 8192, 4096, 0x43, 0), 0);
	ck_assert_int_eq(do_op(b, BACKEND_FLUSH), 0);
	fault_power_cut_now(b);
	fault_power_restore(b);
	ck_assert(holds(b, 8192, 4096, 0x43));
	backend_destroy(b);
}
END_TEST

static Suite *fault_suite(void)
{
	Suite *s = suite_create("fault");
	TCase *tc = tcase_create("fault");

	tcase_add_loop_test(tc, test_eio_table, 0, 18);
	tcase_add_test(tc, test_eio_write_leaves_media);
	tcase_add_test(tc, test_eio_flush_not_durable);
	tcase_add_loop_test(tc, test_cut_flushed_vs_unflushed, 0, 3);
	tcase_add_test(tc, test_cut_rolls_back_in_reverse);
	tcase_add_test(tc, test_cut_keeps_fua);
	tcase_add_test(tc, test_cut_after_second_flush);
	tcase_add_loop_test(tc, test_torn_table, 0, 7);
	tcase_add_loop_test(tc, test_armed_nth, 0, 4);
	tcase_add_test(tc, test_torn_4k);
	tcase_add_test(tc, test_torn_over_unflushed);
	tcase_add_test(tc, test_cut_with_write_in_flight);
	tcase_add_test(tc, test_flush_skips_write_in_flight);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(fault_suite());
}
