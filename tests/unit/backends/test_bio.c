/**
 * @file test_bio.c
 * @brief Check suite for bios and the block device (core/kernel/bio.c,
 *        core/kernel/blkdev.c) over the ram and fault backends and over a
 *        test backend that completes requests in reverse order.
 *
 * Areas covered:
 *   bio-1.*  building: contiguous-memory merge (counted in bd_stat_merges),
 *            no merge across a gap, a full bio refuses more
 *   bio-2.*  data path: segments land at consecutive device offsets;
 *            blkdev_rw; bad bios fail as a whole (-EINVAL, -EIO)
 *   bio-3.*  deterministic mode: bi_end_io never runs inside submit_bio()
 *            and always runs in submission order, even when the backend
 *            completes in reverse order (50 bios)
 *   bio-4.*  concurrent mode: every bio completes, on the "irq/blk" thread,
 *            not on the submitter
 *   bio-5.*  errors and flags: EIO from the fault backend arrives as
 *            bi_status -EIO; REQ_PREFLUSH makes earlier writes durable and
 *            is not followed by the data if it fails; REQ_FUA data survives
 *            a power cut
 *   bio-6.*  events: bio_submit and bio_complete with their fields
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "../testutil.h"
#include "backends/backend.h"
#include "iomap/bio.h"
#include "iomap/lock.h"
#include "iomap/trace.h"
#include "lifo_backend.h"

#define DEV_SIZE (4u << 20)
#define TEST_DEV MKDEV(7, 42)

static struct backend *ram;
static struct block_device bdev;

static void det_setup(void)
{
	kernel_set_exec_mode(EXEC_DETERMINISTIC);
	ram = backend_ram_new(DEV_SIZE, 512);
	ck_assert_ptr_nonnull(ram);
	ck_assert_int_eq(blkdev_open(&bdev, ram, TEST_DEV), 0);
}

static void det_teardown(void)
{
	blkdev_close(&bdev);
	backend_destroy(ram);
}

/* bio-1.1: one contiguous 64 KiB buffer added as 16 x 4 KiB -> 1 segment. */
START_TEST(test_merge_contiguous)
{
	unsigned char *buf = malloc(65536);
	struct bio *bio = bio_alloc(&bdev, 16, REQ_OP_WRITE);

	for (unsigned i = 0; i < 16; i++)
		ck_assert_uint_eq(bio_add_buf(bio, buf + i * 4096, 4096), 4096);
	ck_assert_uint_eq(bio->bi_vcnt, 1);
	ck_assert_uint_eq(bio->bi_size, 65536);
	ck_assert_uint_eq(bdev.bd_stat_merges, 15);
	memset(buf, 0x3c, 65536);
	bio->bi_sector = 128;
	ck_assert_int_eq(submit_bio_wait(bio), 0);
	ck_assert_uint_eq(bdev.bd_stat_bios, 1);
	ck_assert_uint_eq(bdev.bd_stat_segments, 1);
	bio_put(bio);
	free(buf);
}
END_TEST

/* bio-1.2: pieces with gaps between them are not merged; a full bio refuses. */
START_TEST(test_merge_gaps_and_full)
{
	unsigned char *buf = malloc(32 * 4096);
	struct bio *bio = bio_alloc(&bdev, 16, REQ_OP_WRITE);

	for (unsigned i = 0; i < 16; i++)
		ck_assert_uint_eq(bio_add_buf(bio, buf + 2 * i * 4096, 4096), 4096);
	ck_assert_uint_eq(bio->bi_vcnt, 16);
	ck_assert_uint_eq(bdev.bd_stat_merges, 0);
	/* Full: a 17th separate piece is refused, a contiguous one still merges. */
	ck_assert_uint_eq(bio_add_buf(bio, buf + 31 * 4096 + 512, 512), 0);
	ck_assert_uint_eq(bio_add_buf(bio, buf + 30 * 4096 + 4096, 512), 512);
	ck_assert_uint_eq(bio->bi_vcnt, 16);
	ck_assert_uint_eq(bio->bi_size, 16 * 4096 + 512);
	ck_assert_uint_eq(bdev.bd_stat_merges, 1);
	ck_assert_uint_eq(bio_add_buf(bio, buf, 0), 0);
	bio_put(bio);
	free(buf);
}
END_TEST

/* bio-2.1: three separate buffers land back to back on the device. */
START_TEST(test_segments_consecutive)
{
	unsigned char *a = malloc(4096), *b = malloc(1024), *c = malloc(8192);
	unsigned char *r = malloc(4096 + 1024 + 8192);
	struct bio *bio = bio_alloc(&bdev, 4, REQ_OP_WRITE);

	memset(a, 0xa0, 4096);
	memset(b, 0xb0, 1024);
	memset(c, 0xc0, 8192);
	bio->bi_sector = 7;
	ck_assert_uint_eq(bio_add_buf(bio, a, 4096), 4096);
	ck_assert_uint_eq(bio_add_buf(bio, b, 1024), 1024);
	ck_assert_uint_eq(bio_add_buf(bio, c, 8192), 8192);
	ck_assert_int_eq(submit_bio_wait(bio), 0);
	bio_put(bio);
	ck_assert_int_eq(backend_rw_sync(ram, BACKEND_READ, 7 * 512, r, 4096 + 1024 + 8192, 0), 0);
	for (unsigned i = 0; i < 4096 + 1024 + 8192; i++)
		ck_assert_uint_eq(r[i], i < 4096 ? 0xa0 : i < 5120 ? 0xb0 : 0xc0);

	/* And blkdev_rw reads the same bytes through a bio. */
	memset(r, 0, 4096);
	ck_assert_int_eq(blkdev_rw(&bdev, REQ_OP_READ, 7 * 512 + 4096, r, 1024), 0);
	for (unsigned i = 0; i < 1024; i++)
		ck_assert_uint_eq(r[i], 0xb0);
	ck_assert_int_eq(blkdev_issue_flush(&bdev), 0);
	free(a);
	free(b);
	free(c);
	free(r);
}
END_TEST

/* bio-2.2: bad bios fail as a whole and nothing is written. */
START_TEST(test_bad_bios)
{
	unsigned char buf[4096];
	const struct {
		sector_t sector;
		unsigned len;
		int expect;
	} table[] = {
		{ 0, 4096, 0 },
		{ 0, 100, -EINVAL },                               /* not whole sectors */
		{ DEV_SIZE / 512 - 8, 4096, 0 },                   /* last 4 KiB */
		{ DEV_SIZE / 512 - 7, 4096, -EIO },                /* straddles the end */
		{ DEV_SIZE / 512, 4096, -EIO },                    /* at the end */
		{ (sector_t)1 << 60, 4096, -EIO },                 /* far beyond */
	};
	unsigned char r[4096];

	memset(buf, 0x99, sizeof(buf));
	for (size_t i = 0; i < ARRAY_SIZE(table); i++) {
		struct bio *bio = bio_alloc(&bdev, 1, REQ_OP_WRITE);

		bio->bi_sector = table[i].sector;
		bio_add_buf(bio, buf, table[i].len);
		ck_assert_msg(submit_bio_wait(bio) == table[i].expect, "row %zu", i);
		bio_put(bio);
	}
	/* The straddling write did not touch the last 7 sectors' neighbour. */
	ck_assert_int_eq(backend_rw_sync(ram, BACKEND_READ, DEV_SIZE - 8192, r, 4096, 0), 0);
	for (unsigned i = 0; i < 4096; i++)
		ck_assert_uint_eq(r[i], 0);
	/* An empty data bio, and blkdev_rw misuse. */
	{
		struct bio *bio = bio_alloc(&bdev, 1, REQ_OP_READ);

		ck_assert_int_eq(submit_bio_wait(bio), -EINVAL);
		bio_put(bio);
	}
	ck_assert_int_eq(blkdev_rw(&bdev, REQ_OP_READ, 512, buf, 512), 0);
	ck_assert_int_eq(blkdev_rw(&bdev, REQ_OP_READ, 256, buf, 512), -EINVAL);
	ck_assert_int_eq(blkdev_rw(&bdev, REQ_OP_READ, 0, buf, 100), -EINVAL);
	ck_assert_int_eq(blkdev_rw(&bdev, REQ_OP_FLUSH, 0, buf, 512), -EINVAL);
	blkdev_drain(&bdev);
	ck_assert_uint_eq(bdev.bd_inflight, 0);
}
END_TEST

/* Per-bio record of when bi_end_io ran. */
struct order_log {
	pthread_mutex_t lock;
	unsigned n;
	unsigned order[64];
	pthread_t thread[64];
	int status[64];
	char task[64][16];
};

static struct order_log order_log;

static void order_end_io(struct bio *bio)
{
	unsigned idx = (unsigned)(uintptr_t)bio->bi_private;

	pthread_mutex_lock(&order_log.lock);
	order_log.thread[order_log.n] = pthread_self();
	order_log.status[order_log.n] = bio->bi_status;
	snprintf(order_log.task[order_log.n], sizeof(order_log.task[0]), "%s", ref_thread_name());
	order_log.order[order_log.n++] = idx;
	pthread_mutex_unlock(&order_log.lock);
	bio_put(bio);
}

/* Submit @n one-sector write bios at sectors i * 8, data byte i. */
static void submit_numbered(struct block_device *bd, unsigned n, unsigned char *bufs)
{
	for (unsigned i = 0; i < n; i++) {
		struct bio *bio = bio_alloc(bd, 1, REQ_OP_WRITE);

		memset(bufs + i * 512, (int)i + 1, 512);
		bio->bi_sector = (sector_t)i * 8;
		bio->bi_private = (void *)(uintptr_t)i;
		bio->bi_end_io = order_end_io;
		ck_assert_uint_eq(bio_add_buf(bio, bufs + i * 512, 512), 512);
		submit_bio(bio);
	}
}

static void order_log_reset(void)
{
	memset(&order_log, 0, sizeof(order_log));
	pthread_mutex_init(&order_log.lock, NULL);
}

/*
 * bio-3.1: deterministic mode, 50 bios.  _i = 0: ram (inline completion);
 * _i = 1: the LIFO backend, which completes the newest request first.
 */
START_TEST(test_deterministic_order)
{
	struct block_device bd;
	struct backend *be = _i ? lifo_backend_new(DEV_SIZE) : backend_ram_new(DEV_SIZE, 512);
	unsigned char *bufs = malloc(50 * 512);
	unsigned char r[512];

	order_log_reset();
	kernel_set_exec_mode(EXEC_DETERMINISTIC);
	ck_assert_int_eq(blkdev_open(&bd, be, TEST_DEV), 0);
	submit_numbered(&bd, 50, bufs);
	ck_assert_msg(order_log.n == 0, "bi_end_io ran inside submit_bio in deterministic mode");
	if (_i) {
		/* The backend finishes everything, newest first, before any end_io. */
		ck_assert_int_eq(backend_poll(be, false), 50);
		ck_assert_uint_eq(lifo_backend_reordered(be), 49);
		ck_assert_uint_eq(order_log.n, 0);
	}
	blkdev_drain(&bd);
	ck_assert_uint_eq(order_log.n, 50);
	for (unsigned i = 0; i < 50; i++) {
		ck_assert_msg(order_log.order[i] == i, "end_io #%u was bio %u", i,
			      order_log.order[i]);
		ck_assert(pthread_equal(order_log.thread[i], pthread_self()));
		ck_assert_int_eq(order_log.status[i], 0);
	}
	ck_assert_uint_eq(bd.bd_inflight, 0);
	ck_assert_int_eq(blkdev_rw(&bd, REQ_OP_READ, 49 * 8 * 512, r, 512), 0);
	ck_assert_uint_eq(r[0], 50);
	blkdev_close(&bd);
	backend_destroy(be);
	free(bufs);
}
END_TEST

/* bio-3.2: submit_bio_wait ends only what is ready, in order, up to its bio. */
START_TEST(test_deterministic_wait_runs_earlier)
{
	struct block_device bd;
	struct backend *be = lifo_backend_new(DEV_SIZE);
	unsigned char *bufs = malloc(10 * 512);
	unsigned char buf[512];
	struct bio *bio;

	order_log_reset();
	kernel_set_exec_mode(EXEC_DETERMINISTIC);
	ck_assert_int_eq(blkdev_open(&bd, be, TEST_DEV), 0);
	submit_numbered(&bd, 10, bufs);
	bio = bio_alloc(&bd, 1, REQ_OP_READ);
	bio->bi_sector = 9 * 8;
	bio_add_buf(bio, buf, 512);
	ck_assert_int_eq(submit_bio_wait(bio), 0);
	bio_put(bio);
	/*
	 * The 10 earlier bios ended first, in order -- although the backend
	 * completed the read first (LIFO), so the read may even have seen the
	 * sector before write 9 landed, as on a real device that reorders.
	 */
	ck_assert_uint_eq(order_log.n, 10);
	for (unsigned i = 0; i < 10; i++)
		ck_assert_uint_eq(order_log.order[i], i);
	blkdev_close(&bd);
	backend_destroy(be);
	free(bufs);
}
END_TEST

/* bio-4.1: concurrent mode; _i = 0 ram, 1 LIFO (polled by irq/blk). */
START_TEST(test_concurrent_completes)
{
	struct block_device bd;
	struct backend *be = _i ? lifo_backend_new(DEV_SIZE) : backend_ram_new(DEV_SIZE, 512);
	unsigned char *bufs = malloc(50 * 512);
	unsigned char r[512];
	bool seen[50] = { false };

	order_log_reset();
	kernel_set_exec_mode(EXEC_CONCURRENT);
	ck_assert_int_eq(blkdev_open(&bd, be, TEST_DEV), 0);
	kernel_set_exec_mode(EXEC_DETERMINISTIC); /* bd captured the mode at open */
	submit_numbered(&bd, 50, bufs);
	blkdev_drain(&bd);
	ck_assert_uint_eq(bd.bd_inflight, 0);
	pthread_mutex_lock(&order_log.lock);
	ck_assert_uint_eq(order_log.n, 50);
	for (unsigned i = 0; i < 50; i++) {
		ck_assert_msg(!pthread_equal(order_log.thread[i], pthread_self()),
			      "bi_end_io of bio %u ran on the submitting thread", order_log.order[i]);
		ck_assert(pthread_equal(order_log.thread[i], bd.bd_completion_thread));
		ck_assert_str_eq(order_log.task[i], "irq/blk"); /* the name traces show */
		ck_assert_int_eq(order_log.status[i], 0);
		seen[order_log.order[i]] = true;
	}
	pthread_mutex_unlock(&order_log.lock);
	for (unsigned i = 0; i < 50; i++)
		ck_assert_msg(seen[i], "bio %u never completed", i);
	/* Synchronous helpers work in concurrent mode too. */
	ck_assert_int_eq(blkdev_rw(&bd, REQ_OP_READ, 20 * 8 * 512, r, 512), 0);
	ck_assert_uint_eq(r[0], 21);
	ck_assert_int_eq(blkdev_issue_flush(&bd), 0);
	blkdev_close(&bd);
	backend_destroy(be);
	free(bufs);
}
END_TEST

/* bio-5.1: EIO injected on read / write / flush arrives as bi_status -EIO. */
START_TEST(test_fault_eio_status)
{
	static const struct {
		enum backend_op bop;
		unsigned opf;
	} table[] = {
		{ BACKEND_READ, REQ_OP_READ },
		{ BACKEND_WRITE, REQ_OP_WRITE },
		{ BACKEND_FLUSH, REQ_OP_FLUSH },
		{ BACKEND_FLUSH, REQ_OP_WRITE | REQ_PREFLUSH },
	};
	int mode = _i / (int)ARRAY_SIZE(table);
	int row = _i % (int)ARRAY_SIZE(table);
	struct backend *fb = backend_fault_new(backend_ram_new(DEV_SIZE, 512));
	struct block_device bd;
	unsigned char buf[8192];
	struct bio *bio;

	kernel_set_exec_mode(mode ? EXEC_CONCURRENT : EXEC_DETERMINISTIC);
	ck_assert_int_eq(blkdev_open(&bd, fb, TEST_DEV), 0);
	kernel_set_exec_mode(EXEC_DETERMINISTIC);
	/* Fail the second request of that kind: the first segment passes. */
	fault_set_eio(fb, table[row].bop, FAULT_ONCE, table[row].bop == BACKEND_FLUSH ? 0 : 1);
	memset(buf, 0x44, sizeof(buf));
	bio = bio_alloc(&bd, 2, table[row].opf);
	if ((table[row].opf & REQ_OP_MASK) != REQ_OP_FLUSH) {
		bio_add_buf(bio, buf, 4096);
		bio_add_buf(bio, buf + 4096 + 512, 2048); /* second, separate segment */
		ck_assert_uint_eq(bio->bi_vcnt, 2);
	}
	ck_assert_int_eq(submit_bio_wait(bio), -EIO);
	bio_put(bio);
	if (table[row].opf & REQ_PREFLUSH) {
		/* The data must not follow a failed preflush. */
		unsigned char r[4096];

		ck_assert_int_eq(blkdev_rw(&bd, REQ_OP_READ, 0, r, 4096), 0);
		for (unsigned i = 0; i < 4096; i++)
			ck_assert_uint_eq(r[i], 0);
	}
	/* The next request of that kind succeeds (FAULT_ONCE). */
	bio = bio_alloc(&bd, 1, table[row].opf);
	if ((table[row].opf & REQ_OP_MASK) != REQ_OP_FLUSH)
		bio_add_buf(bio, buf, 4096);
	ck_assert_int_eq(submit_bio_wait(bio), 0);
	bio_put(bio);
	blkdev_close(&bd);
	backend_destroy(fb);
}
END_TEST

/*
 * bio-5.2: flags reach the durability model.  W1 plain, then W2 with
 * REQ_PREFLUSH (W1 becomes durable), W3 with REQ_FUA (durable), W4 plain;
 * after a power cut W1 and W3 survive, W2 and W4 do not.
 */
START_TEST(test_flags_durability)
{
	struct backend *fb = backend_fault_new(backend_ram_new(DEV_SIZE, 512));
	struct block_device bd;
	unsigned char w[4096], r[4096];
	const struct {
		unsigned opf;
		unsigned char byte;
		bool survives;
	} table[] = {
		{ REQ_OP_WRITE, 0x01, true },
		{ REQ_OP_WRITE | REQ_PREFLUSH, 0x02, false },
		{ REQ_OP_WRITE | REQ_FUA, 0x03, true },
		{ REQ_OP_WRITE, 0x04, false },
	};

	kernel_set_exec_mode(EXEC_DETERMINISTIC);
	ck_assert_int_eq(blkdev_open(&bd, fb, TEST_DEV), 0);
	for (size_t i = 0; i < ARRAY_SIZE(table); i++) {
		memset(w, table[i].byte, sizeof(w));
		ck_assert_int_eq(blkdev_rw(&bd, table[i].opf, i * 4096, w, sizeof(w)), 0);
	}
	fault_power_cut_now(fb);
	ck_assert_int_eq(blkdev_rw(&bd, REQ_OP_READ, 0, r, sizeof(r)), -EIO);
	fault_power_restore(fb);
	for (size_t i = 0; i < ARRAY_SIZE(table); i++) {
		ck_assert_int_eq(blkdev_rw(&bd, REQ_OP_READ, i * 4096, r, sizeof(r)), 0);
		ck_assert_msg(r[0] == (table[i].survives ? table[i].byte : 0) &&
				      r[4095] == r[0],
			      "write %zu: read 0x%02x", i, r[0]);
	}
	blkdev_close(&bd);
	backend_destroy(fb);
}
END_TEST

/* bio-6.1: the two events and their fields. */
START_TEST(test_events)
{
	struct trace_sink *sink = trace_memsink_new();
	unsigned char buf[8192];
	struct bio *bio;
	size_t n_submit = 0, n_complete = 0;

	ck_assert_ptr_nonnull(sink);
	trace_add_sink(sink);
	bio = bio_alloc(&bdev, 2, REQ_OP_WRITE | REQ_FUA | REQ_PREFLUSH);
	bio->bi_sector = 24;
	bio_add_buf(bio, buf, 4096);
	bio_add_buf(bio, buf + 4096 + 512, 1024);
	ck_assert_int_eq(submit_bio_wait(bio), 0);
	bio_put(bio);
	bio = bio_alloc(&bdev, 1, REQ_OP_READ);
	bio->bi_sector = DEV_SIZE / 512;
	bio_add_buf(bio, buf, 512);
	ck_assert_int_eq(submit_bio_wait(bio), -EIO);
	bio_put(bio);
	trace_remove_sink(sink);

	for (size_t i = 0; i < trace_memsink_count(sink); i++) {
		const struct trace_event *ev = trace_memsink_get(sink, i);

		if (strcmp(ev->name, "bio_submit") == 0) {
			const struct trace_field *op = trace_field_get(ev, "op");
			const struct trace_field *flags = trace_field_get(ev, "flags");

			ck_assert_uint_eq(ev->dev, TEST_DEV);
			ck_assert_ptr_nonnull(op);
			ck_assert_ptr_nonnull(flags);
			ck_assert_uint_eq(trace_field_get(ev, "id")->v.u, n_submit);
			if (n_submit == 0) {
				ck_assert_str_eq(op->v.str, "WRITE");
				ck_assert_str_eq(flags->v.str, "FUA|PREFLUSH");
				ck_assert_uint_eq(trace_field_get(ev, "sector")->v.u, 24);
				ck_assert_uint_eq(trace_field_get(ev, "size")->v.u, 5120);
				ck_assert_uint_eq(trace_field_get(ev, "nr_segs")->v.u, 2);
			} else {
				ck_assert_str_eq(op->v.str, "READ");
				ck_assert_str_eq(flags->v.str, "");
			}
			n_submit++;
		} else if (strcmp(ev->name, "bio_complete") == 0) {
			const struct trace_field *st = trace_field_get(ev, "status");

			ck_assert_uint_eq(ev->dev, TEST_DEV);
			ck_assert_uint_eq(trace_field_get(ev, "id")->v.u, n_complete);
			ck_assert_int_eq(st->kind, TF_S64);
			ck_assert_int_eq(st->v.s, n_complete == 0 ? 0 : -EIO);
			n_complete++;
		}
	}
	ck_assert_uint_eq(n_submit, 2);
	ck_assert_uint_eq(n_complete, 2);
	trace_sink_free(sink);
}
END_TEST

static Suite *bio_suite(void)
{
	Suite *s = suite_create("bio");
	TCase *tc = tcase_create("bio");

	tcase_add_checked_fixture(tc, det_setup, det_teardown);
	tcase_add_test(tc, test_merge_contiguous);
	tcase_add_test(tc, test_merge_gaps_and_full);
	tcase_add_test(tc, test_segments_consecutive);
	tcase_add_test(tc, test_bad_bios);
	tcase_add_loop_test(tc, test_deterministic_order, 0, 2);
	tcase_add_test(tc, test_deterministic_wait_runs_earlier);
	tcase_add_loop_test(tc, test_concurrent_completes, 0, 2);
	tcase_add_loop_test(tc, test_fault_eio_status, 0, 8);
	tcase_add_test(tc, test_flags_durability);
	tcase_add_test(tc, test_events);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(bio_suite());
}
