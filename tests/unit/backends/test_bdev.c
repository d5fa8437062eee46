/**
 * @file test_bdev.c
 * @brief Check suite for the bdev backend (O_DIRECT + io_uring) and for
 *        bios over it, on a real loop device.
 *
 * Needs root: each test case attaches a fresh 64 MiB loop device (logical
 * block size 512 in one case, 4096 in the other) over a sparse image in
 * /tmp, in an unchecked fixture, and always detaches it in the teardown
 * (also when tests fail; see loopdev.h for the atexit and signal safety
 * nets).  Without root or losetup the suite prints one line
 * "SKIP bdev: <reason>" per case, the loop tests pass vacuously, and the
 * last line of output says how many loop tests ran and how many skipped.
 *
 * Areas covered:
 *   bdev-1.*  the backend: geometry and device numbers from the kernel,
 *             boundary table, O_DIRECT alignment (a misaligned buffer is
 *             bounced; a misaligned offset or length is -EINVAL), more
 *             requests than the ring holds, asynchronous completion,
 *             FUA and flush reaching the image file
 *   bdev-2.*  bios over the device: deterministic order over io_uring's
 *             completion order, concurrent completion thread, misaligned
 *             segment memory, the fault backend's power cut over an
 *             asynchronous lower device, including a cut while writes are
 *             still in flight (the deferred rollback)
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "../testutil.h"
#include "backends/backend.h"
#include "iomap/bio.h"
#include "iomap/trace.h"
#include "loopdev.h"

#define LOOP_SIZE (64ull << 20)

/* Counters shared with Check's forked children (MAP_SHARED survives fork). */
struct loop_stats {
	int ran;
	int skipped;
};
static struct loop_stats *stats;

static struct loopdev loop;   /* the current case's device (parent-owned) */

static void attach(unsigned lbs)
{
	if (loopdev_attach(&loop, LOOP_SIZE, lbs) < 0)
		printf("SKIP bdev: lbs %u: %s\n", lbs, loop.reason);
	else
		printf("bdev: using %s (lbs %u, image %s)\n", loop.path, lbs, loop.image);
	fflush(stdout);
}

static void attach_512(void)
{
	attach(512);
}

static void attach_4096(void)
{
	attach(4096);
}

static void detach(void)
{
	loopdev_detach(&loop);
}

/* Start of every loop test: count it as run, or as skipped and stop. */
static bool loop_begin(void)
{
	if (!loop.attached) {
		__atomic_add_fetch(&stats->skipped, 1, __ATOMIC_SEQ_CST);
		return false;
	}
	__atomic_add_fetch(&stats->ran, 1, __ATOMIC_SEQ_CST);
	return true;
}

static struct backend *open_loop(void)
{
	struct backend *b = backend_bdev_new(loop.path);

	ck_assert_msg(b != NULL, "backend_bdev_new(%s): %s", loop.path, strerror(errno));
	return b;
}

static void *aligned_buf(size_t len)
{
	void *p = aligned_alloc(4096, (len + 4095) & ~(size_t)4095);

	ck_assert_ptr_nonnull(p);
	return p;
}

/* bdev-1.1: what the kernel says about the device. */
START_TEST(test_geometry)
{
	struct backend *b;
	struct stat st;

	if (!loop_begin())
		return;
	b = open_loop();
	ck_assert_str_eq(b->kind, "bdev");
	ck_assert_uint_eq(b->logical_block_size, loop.lbs);
	ck_assert_uint_eq(b->size, LOOP_SIZE);
	ck_assert_uint_eq(b->caps & (BACKEND_CAP_ASYNC | BACKEND_CAP_REAL_DEV),
			  BACKEND_CAP_ASYNC | BACKEND_CAP_REAL_DEV);
	ck_assert_int_eq(stat(loop.path, &st), 0);
	ck_assert_uint_eq(b->dev_major, major(st.st_rdev));
	ck_assert_uint_eq(b->dev_minor, minor(st.st_rdev));
	ck_assert_uint_eq(b->dev_major, 7); /* loop */
	backend_destroy(b);
}
END_TEST

/* bdev-1.2: boundary table with aligned memory. */
START_TEST(test_boundary)
{
	struct backend *b;
	unsigned char *buf;
	uint32_t lbs;

	if (!loop_begin())
		return;
	b = open_loop();
	lbs = b->logical_block_size;
	buf = aligned_buf(2 * lbs);
	memset(buf, 0x6b, 2 * lbs);
	{
		const struct {
			uint64_t off;
			size_t len;
			int expect;
		} table[] = {
			{ 0, lbs, 0 },
			{ lbs - 1, lbs, -EINVAL },
			{ lbs, lbs, 0 },
			{ LOOP_SIZE - lbs, lbs, 0 },
			{ LOOP_SIZE, lbs, -EIO },
			{ LOOP_SIZE - lbs, 2 * (size_t)lbs, -EIO },
			{ 0, lbs - 1, -EINVAL },
			{ 0, (size_t)lbs + 1, -EINVAL },
			{ 512, lbs, lbs == 512 ? 0 : -EINVAL }, /* sector- but not block-aligned */
		};

		for (size_t i = 0; i < ARRAY_SIZE(table); i++) {
			int w = backend_rw_sync(b, BACKEND_WRITE, table[i].off, buf, table[i].len, 0);
			int r = backend_rw_sync(b, BACKEND_READ, table[i].off, buf, table[i].len, 0);

			ck_assert_msg(w == table[i].expect && r == table[i].expect,
				      "lbs %u off %llu len %zu: write %d read %d expected %d", lbs,
				      (unsigned long long)table[i].off, table[i].len, w, r,
				      table[i].expect);
		}
	}
	ck_assert_int_eq(b->inflight, 0);
	free(buf);
	backend_destroy(b);
}
END_TEST

/* bdev-1.3: a buffer at every misalignment still works (bounced). */
START_TEST(test_misaligned_buffer)
{
	static const size_t shifts[] = { 1, 8, 511, 512 + 64, 2048 };
	struct backend *b;
	unsigned char *raw, *check;
	size_t len;

	if (!loop_begin())
		return;
	b = open_loop();
	len = 4 * (size_t)b->logical_block_size;
	raw = aligned_buf(len + 4096);
	check = aligned_buf(len);
	for (size_t s = 0; s < ARRAY_SIZE(shifts); s++) {
		unsigned char *w = raw + shifts[s];
		uint64_t off = (uint64_t)(s + 1) * len;

		for (size_t i = 0; i < len; i++)
			w[i] = (unsigned char)(i * 13 + s);
		ck_assert_int_eq(backend_rw_sync(b, BACKEND_WRITE, off, w, len, 0), 0);
		memset(check, 0, len);
		ck_assert_int_eq(backend_rw_sync(b, BACKEND_READ, off, check, len, 0), 0);
		ck_assert_msg(memcmp(w, check, len) == 0, "shift %zu: bounced write lost data",
			      shifts[s]);
		memset(w, 0, len);
		ck_assert_int_eq(backend_rw_sync(b, BACKEND_READ, off, w, len, 0), 0);
		ck_assert_msg(memcmp(w, check, len) == 0, "shift %zu: bounced read lost data",
			      shifts[s]);
	}
	/* A misaligned *offset* is not bounced: the kernel would refuse it too. */
	ck_assert_int_eq(backend_rw_sync(b, BACKEND_READ, 512 + 1, check, len, 0), -EINVAL);
	if (b->logical_block_size == 4096)
		ck_assert_int_eq(backend_rw_sync(b, BACKEND_READ, 512, check, len, 0), -EINVAL);
	free(raw);
	free(check);
	backend_destroy(b);
}
END_TEST

static int async_done;

static void async_end_io(struct backend_req *req)
{
	ck_assert_int_eq(req->error, 0);
	__atomic_add_fetch(&async_done, 1, __ATOMIC_SEQ_CST);
}

/* bdev-1.4: 200 requests (> queue depth 64) complete asynchronously. */
START_TEST(test_many_async)
{
	enum { N = 200 };
	struct backend *b;
	struct backend_req *reqs = calloc(N, sizeof(*reqs));
	unsigned char *bufs, *r;
	uint32_t lbs;
	int before_drain;

	if (!loop_begin()) {
		free(reqs);
		return;
	}
	b = open_loop();
	lbs = b->logical_block_size;
	bufs = aligned_buf((size_t)N * lbs);
	r = aligned_buf(lbs);
	async_done = 0;
	for (unsigned i = 0; i < N; i++) {
		memset(bufs + (size_t)i * lbs, (int)(i & 0xff), lbs);
		reqs[i] = (struct backend_req){
			.op = BACKEND_WRITE,
			.off = (uint64_t)i * 2 * lbs,
			.buf = bufs + (size_t)i * lbs,
			.len = lbs,
			.end_io = async_end_io,
		};
		ck_assert_int_eq(backend_submit(b, &reqs[i]), 0);
	}
	before_drain = __atomic_load_n(&async_done, __ATOMIC_SEQ_CST);
	ck_assert_msg(before_drain < N, "io_uring requests cannot all complete inline");
	backend_drain(b);
	ck_assert_int_eq(async_done, N);
	ck_assert_int_eq(b->inflight, 0);
	for (unsigned i = 0; i < N; i += 37) {
		ck_assert_int_eq(backend_rw_sync(b, BACKEND_READ, (uint64_t)i * 2 * lbs, r, lbs, 0), 0);
		ck_assert_uint_eq(r[0], i & 0xff);
		ck_assert_uint_eq(r[lbs - 1], i & 0xff);
	}
	free(bufs);
	free(r);
	free(reqs);
	backend_destroy(b);
}
END_TEST

/* bdev-1.5: FUA writes and flushes reach the image file behind the loop. */
START_TEST(test_fua_flush_reach_image)
{
	struct backend *b;
	unsigned char *w, r[4096];
	int fd;

	if (!loop_begin())
		return;
	b = open_loop();
	w = aligned_buf(8192);
	memset(w, 0xf1, 4096);
	memset(w + 4096, 0xf2, 4096);
	ck_assert_int_eq(backend_rw_sync(b, BACKEND_WRITE, 1 << 20, w, 4096, BACKEND_REQ_FUA), 0);
	ck_assert_int_eq(backend_rw_sync(b, BACKEND_WRITE, 2 << 20, w + 4096, 4096, 0), 0);
	ck_assert_int_eq(backend_rw_sync(b, BACKEND_FLUSH, 0, NULL, 0, 0), 0);
	fd = open(loop.image, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pread(fd, r, 4096, 1 << 20), 4096);
	ck_assert_uint_eq(r[0], 0xf1);
	ck_assert_uint_eq(r[4095], 0xf1);
	ck_assert_int_eq(pread(fd, r, 4096, 2 << 20), 4096);
	ck_assert_uint_eq(r[0], 0xf2);
	close(fd);
	free(w);
	backend_destroy(b);
}
END_TEST

/* Per-bio end_io log for the bio tests. */
static struct {
	pthread_mutex_t lock;
	unsigned n;
	unsigned order[64];
	pthread_t thread[64];
} log_;

static void log_end_io(struct bio *bio)
{
	pthread_mutex_lock(&log_.lock);
	log_.thread[log_.n] = pthread_self();
	log_.order[log_.n++] = (unsigned)(uintptr_t)bio->bi_private;
	pthread_mutex_unlock(&log_.lock);
	ck_assert_int_eq(bio->bi_status, 0);
	bio_put(bio);
}

/*
 * Submit 50 write bios of 8 KiB each, alternating aligned and misaligned
 * memory (the misaligned ones are bounced by the backend), read back.
 */
static void fifty_bios(int mode)
{
	struct backend *b = open_loop();
	struct block_device bd;
	unsigned char *bufs = aligned_buf(50 * 8192 + 64), *r = aligned_buf(8192);

	memset(&log_, 0, sizeof(log_));
	pthread_mutex_init(&log_.lock, NULL);
	kernel_set_exec_mode(mode);
	ck_assert_int_eq(blkdev_open(&bd, b, MKDEV(b->dev_major, b->dev_minor)), 0);
	kernel_set_exec_mode(EXEC_DETERMINISTIC);
	for (unsigned i = 0; i < 50; i++) {
		unsigned char *p = bufs + i * 8192 + (i % 2 ? 8 : 0);
		struct bio *bio = bio_alloc(&bd, 2, REQ_OP_WRITE);

		memset(p, (int)i + 1, 8192);
		bio->bi_sector = (sector_t)i * 64;
		bio->bi_private = (void *)(uintptr_t)i;
		bio->bi_end_io = log_end_io;
		bio_add_buf(bio, p, 4096);
		bio_add_buf(bio, p + 4096, 4096); /* merges: contiguous */
		ck_assert_uint_eq(bio->bi_vcnt, 1);
		submit_bio(bio);
	}
	if (mode == EXEC_DETERMINISTIC)
		ck_assert_uint_eq(log_.n, 0);
	blkdev_drain(&bd);
	ck_assert_uint_eq(log_.n, 50);
	for (unsigned i = 0; i < 50; i++) {
		if (mode == EXEC_DETERMINISTIC) {
			ck_assert_msg(log_.order[i] == i, "end_io #%u was bio %u", i, log_.order[i]);
			ck_assert(pthread_equal(log_.thread[i], pthread_self()));
		} else {
			ck_assert(!pthread_equal(log_.thread[i], pthread_self()));
		}
	}
	for (unsigned i = 0; i < 50; i += 7) {
		ck_assert_int_eq(blkdev_rw(&bd, REQ_OP_READ, (uint64_t)i * 64 * 512, r, 8192), 0);
		ck_assert_uint_eq(r[0], i + 1);
		ck_assert_uint_eq(r[8191], i + 1);
	}
	ck_assert_int_eq(blkdev_issue_flush(&bd), 0);
	ck_assert_uint_eq(bd.bd_stat_merges, 50);
	blkdev_close(&bd);
	backend_destroy(b);
	free(bufs);
	free(r);
}

/* bdev-2.1: deterministic order over io_uring. */
START_TEST(test_bio_deterministic)
{
	if (!loop_begin())
		return;
	fifty_bios(EXEC_DETERMINISTIC);
}
END_TEST

/* bdev-2.2: the irq/blk thread reaps io_uring and ends the bios. */
START_TEST(test_bio_concurrent)
{
	if (!loop_begin())
		return;
	fifty_bios(EXEC_CONCURRENT);
}
END_TEST

/* bdev-2.3: the fault backend over the real device: a power cut rolls back. */
START_TEST(test_fault_over_bdev)
{
	struct backend *fb;
	struct block_device bd;
	unsigned char *w = aligned_buf(65536), *r = aligned_buf(65536);

	if (!loop_begin()) {
		free(w);
		free(r);
		return;
	}
	fb = backend_fault_new(open_loop());
	ck_assert_ptr_nonnull(fb);
	kernel_set_exec_mode(EXEC_DETERMINISTIC);
	ck_assert_int_eq(blkdev_open(&bd, fb, MKDEV(fb->dev_major, fb->dev_minor)), 0);
	/* Earlier tests of this case used the same device: start from zeros. */
	memset(w, 0, 65536);
	ck_assert_int_eq(blkdev_rw(&bd, REQ_OP_WRITE, 0, w, 65536), 0);
	ck_assert_int_eq(blkdev_rw(&bd, REQ_OP_WRITE, 65536, w, 65536), 0);
	ck_assert_int_eq(blkdev_rw(&bd, REQ_OP_WRITE, 1 << 20, w, 65536), 0);
	memset(w, 0xa1, 65536);
	ck_assert_int_eq(blkdev_rw(&bd, REQ_OP_WRITE, 0, w, 65536), 0);       /* A */
	ck_assert_int_eq(blkdev_issue_flush(&bd), 0);
	memset(w, 0xb2, 65536);
	ck_assert_int_eq(blkdev_rw(&bd, REQ_OP_WRITE, 32768, w, 65536), 0);   /* B */
	fault_arm_power_cut(fb, 0, 2 * 4096);
	ck_assert_int_eq(blkdev_rw(&bd, REQ_OP_WRITE, 1 << 20, w, 16384), -EIO); /* torn */
	ck_assert(fault_power_is_cut(fb));
	ck_assert_int_eq(blkdev_rw(&bd, REQ_OP_READ, 0, r, 4096), -EIO);
	fault_power_restore(fb);
	ck_assert_int_eq(blkdev_rw(&bd, REQ_OP_READ, 0, r, 65536), 0);
	for (unsigned i = 0; i < 65536; i++)
		ck_assert_uint_eq(r[i], 0xa1);
	ck_assert_int_eq(blkdev_rw(&bd, REQ_OP_READ, 65536, r, 32768), 0);
	for (unsigned i = 0; i < 32768; i++)
		ck_assert_uint_eq(r[i], 0);
	ck_assert_int_eq(blkdev_rw(&bd, REQ_OP_READ, 1 << 20, r, 16384), 0);
	for (unsigned i = 0; i < 16384; i++)
		ck_assert_uint_eq(r[i], i < 8192 ? 0xb2 : 0);
	blkdev_close(&bd);
	backend_destroy(fb);
	free(w);
	free(r);
}
END_TEST

static int deferred_ok, deferred_eio;

static void deferred_end_io(struct backend_req *req)
{
	if (req->error == 0)
		deferred_ok++;
	else if (req->error == -EIO)
		deferred_eio++;
}

/*
 * bdev-2.4: a power cut while writes are still in flight on io_uring: the
 * rollback waits for them (fault.c's deferred path) and then undoes them
 * all; the writes still in flight at the cut report -EIO.
 */
START_TEST(test_fault_deferred_rollback)
{
	enum { N = 16 };
	struct backend *fb;
	struct backend_req reqs[N];
	unsigned char *w = aligned_buf(N * 8192), *r = aligned_buf(N * 8192);

	if (!loop_begin()) {
		free(w);
		free(r);
		return;
	}
	fb = backend_fault_new(open_loop());
	ck_assert_ptr_nonnull(fb);
	memset(w, 0x5e, N * 8192);
	ck_assert_int_eq(backend_rw_sync(fb, BACKEND_WRITE, 4 << 20, w, N * 8192, 0), 0);
	ck_assert_int_eq(backend_rw_sync(fb, BACKEND_FLUSH, 0, NULL, 0, 0), 0);
	deferred_ok = deferred_eio = 0;
	for (unsigned i = 0; i < N; i++) {
		memset(w + i * 8192, 0x70 + (int)i, 8192);
		reqs[i] = (struct backend_req){
			.op = BACKEND_WRITE, .off = (4 << 20) + (uint64_t)i * 8192,
			.buf = w + i * 8192, .len = 8192, .end_io = deferred_end_io,
		};
		ck_assert_int_eq(backend_submit(fb, &reqs[i]), 0);
	}
	/* Nobody has polled since the last submit: it is still in flight. */
	ck_assert_int_gt(fb->inflight, 0);
	fault_power_cut_now(fb);
	backend_drain(fb);
	ck_assert_int_eq(deferred_ok + deferred_eio, N);
	ck_assert_int_ge(deferred_eio, 1);
	fault_power_restore(fb);
	ck_assert_int_eq(backend_rw_sync(fb, BACKEND_READ, 4 << 20, r, N * 8192, 0), 0);
	for (unsigned i = 0; i < N * 8192; i++)
		ck_assert_msg(r[i] == 0x5e, "byte %u: 0x%02x survived the cut", i, r[i]);
	backend_destroy(fb);
	free(w);
	free(r);
}
END_TEST

static TCase *loop_case(const char *name, void (*setup)(void))
{
	TCase *tc = tcase_create(name);

	tcase_add_unchecked_fixture(tc, setup, detach);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_geometry);
	tcase_add_test(tc, test_boundary);
	tcase_add_test(tc, test_misaligned_buffer);
	tcase_add_test(tc, test_many_async);
	tcase_add_test(tc, test_fua_flush_reach_image);
	tcase_add_test(tc, test_bio_deterministic);
	tcase_add_test(tc, test_bio_concurrent);
	tcase_add_test(tc, test_fault_over_bdev);
	tcase_add_test(tc, test_fault_deferred_rollback);
	return tc;
}

int main(void)
{
	Suite *s = suite_create("bdev");
	int ret;

	stats = mmap(NULL, sizeof(*stats), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1,
		     0);
	if (stats == MAP_FAILED) {
		perror("mmap");
		return EXIT_FAILURE;
	}
	suite_add_tcase(s, loop_case("loop-lbs512", attach_512));
	suite_add_tcase(s, loop_case("loop-lbs4096", attach_4096));
	ret = run_suite(s);
	printf("bdev loop tests: %d ran, %d skipped\n", stats->ran, stats->skipped);
	munmap(stats, sizeof(*stats));
	return ret;
}
