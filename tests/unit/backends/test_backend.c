/**
 * @file test_backend.c
 * @brief Check suite for the generic backend API and the ram and file
 *        backends.
 *
 * Areas covered:
 *   backend-1.*  boundary table: offsets and lengths at 0, lbs-1, lbs,
 *                end-lbs, end, for read and write, lbs 512 and 4096,
 *                on ram and file
 *   backend-2.*  data round trip (patterns at several offsets; unwritten
 *                space reads as zeros)
 *   backend-3.*  the file backend: persistence across reopen, sizing rules,
 *                FUA write and flush, refusal of non-regular files
 *   backend-4.*  constructor argument checks (ram, file, bdev -> ENOTBLK)
 *   backend-5.*  completion contract: end_io exactly once, never for a
 *                refused request, inflight back to 0 (invariants B1, B2)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../testutil.h"
#include "backends/backend.h"
#include "iomap/types.h"

/* 1 MiB devices keep the tables fast. */
#define DEV_SIZE (1u << 20)

static char tmp_image[64];

static void image_setup(void)
{
	int fd;

	snprintf(tmp_image, sizeof(tmp_image), "/tmp/iomap-ref-backend-XXXXXX");
	fd = mkstemp(tmp_image);
	ck_assert_int_ge(fd, 0);
	close(fd);
}

static void image_teardown(void)
{
	unlink(tmp_image);
}

/* Backend kinds the tables run over; index _i / 2 picks one, _i % 2 the lbs. */
static struct backend *make_backend(int kind, uint32_t lbs)
{
	struct backend *b;

	if (kind == 0) {
		b = backend_ram_new(DEV_SIZE, lbs);
	} else {
		unlink(tmp_image); /* start from an empty image each time */
		b = backend_file_new(tmp_image, DEV_SIZE, lbs);
	}
	ck_assert_msg(b != NULL, "backend kind %d lbs %u: %s", kind, lbs, strerror(errno));
	return b;
}

static const uint32_t lbs_table[] = { 512, 4096 };

/* backend-1.1: offset table, for read and write.  (B3) */
START_TEST(test_boundary_offsets)
{
	int kind = _i / 2;
	uint32_t lbs = lbs_table[_i % 2];
	struct backend *b = make_backend(kind, lbs);
	unsigned char *buf = malloc(lbs);
	const struct {
		uint64_t off;
		int expect;
	} table[] = {
		{ 0, 0 },
		{ lbs - 1, -EINVAL },
		{ lbs, 0 },
		{ DEV_SIZE - lbs, 0 },
		{ DEV_SIZE, -EIO },
		{ DEV_SIZE + lbs, -EIO },
		{ UINT64_MAX - lbs + 1, -EIO }, /* must not wrap around */
	};

	ck_assert_uint_eq(b->logical_block_size, lbs);
	ck_assert_uint_eq(b->size, DEV_SIZE);
	memset(buf, 0xa5, lbs);
	for (size_t i = 0; i < ARRAY_SIZE(table); i++) {
		int w = backend_rw_sync(b, BACKEND_WRITE, table[i].off, buf, lbs, 0);
		int r = backend_rw_sync(b, BACKEND_READ, table[i].off, buf, lbs, 0);

		ck_assert_msg(w == table[i].expect && r == table[i].expect,
			      "%s lbs %u off %llu: write %d read %d, expected %d", b->kind, lbs,
			      (unsigned long long)table[i].off, w, r, table[i].expect);
	}
	ck_assert_int_eq(b->inflight, 0);
	free(buf);
	backend_destroy(b);
}
END_TEST

/* backend-1.2: length table (len 0, lbs-1, lbs+1, past the end). */
START_TEST(test_boundary_lengths)
{
	int kind = _i / 2;
	uint32_t lbs = lbs_table[_i % 2];
	struct backend *b = make_backend(kind, lbs);
	unsigned char *buf = calloc(1, 2 * (size_t)lbs);
	const struct {
		uint64_t off;
		size_t len;
		int expect;
	} table[] = {
		{ 0, 0, -EINVAL },
		{ 0, lbs - 1, -EINVAL },
		{ 0, lbs + 1, -EINVAL },
		{ 0, 2 * (size_t)lbs, 0 },
		{ DEV_SIZE - 2 * lbs, 2 * (size_t)lbs, 0 },
		{ DEV_SIZE - lbs, 2 * (size_t)lbs, -EIO }, /* straddles the end */
	};

	for (size_t i = 0; i < ARRAY_SIZE(table); i++) {
		int w = backend_rw_sync(b, BACKEND_WRITE, table[i].off, buf, table[i].len, 0);
		int r = backend_rw_sync(b, BACKEND_READ, table[i].off, buf, table[i].len, 0);

		ck_assert_msg(w == table[i].expect && r == table[i].expect,
			      "%s lbs %u off %llu len %zu: write %d read %d, expected %d", b->kind,
			      lbs, (unsigned long long)table[i].off, table[i].len, w, r,
			      table[i].expect);
	}
	/* A NULL buffer is refused too; a flush needs none. */
	ck_assert_int_eq(backend_rw_sync(b, BACKEND_READ, 0, NULL, lbs, 0), -EINVAL);
	ck_assert_int_eq(backend_rw_sync(b, BACKEND_FLUSH, 0, NULL, 0, 0), 0);
	ck_assert_int_eq(backend_rw_sync(b, (enum backend_op)7, 0, buf, lbs, 0), -EINVAL);
	free(buf);
	backend_destroy(b);
}
END_TEST

/* backend-2.1: what is written is read back; unwritten space is zero. */
START_TEST(test_round_trip)
{
	int kind = _i / 2;
	uint32_t lbs = lbs_table[_i % 2];
	struct backend *b = make_backend(kind, lbs);
	const uint64_t offs[] = { 0, lbs, 7 * (uint64_t)lbs, DEV_SIZE - 4 * (uint64_t)lbs };
	size_t len = 3 * (size_t)lbs;
	unsigned char *w = malloc(len), *r = malloc(len), *zero = calloc(1, len);

	for (size_t i = 0; i < ARRAY_SIZE(offs); i++) {
		for (size_t j = 0; j < len; j++)
			w[j] = (unsigned char)(i * 31 + j * 7 + 1);
		ck_assert_int_eq(backend_rw_sync(b, BACKEND_WRITE, offs[i], w, len, 0), 0);
		memset(r, 0, len);
		ck_assert_int_eq(backend_rw_sync(b, BACKEND_READ, offs[i], r, len, 0), 0);
		ck_assert_msg(memcmp(w, r, len) == 0, "%s lbs %u: data differs at off %llu",
			      b->kind, lbs, (unsigned long long)offs[i]);
	}
	/* Writes 0 ([0, 3lbs)) and 1 ([lbs, 4lbs)) overlap: block 0 keeps
	 * write 0's data, the overlap holds write 1's. */
	ck_assert_int_eq(backend_rw_sync(b, BACKEND_READ, 0, r, len, 0), 0);
	for (size_t j = 0; j < len; j++) {
		size_t i = j < lbs ? 0 : 1, k = j < lbs ? j : j - lbs;

		ck_assert_uint_eq(r[j], (unsigned char)(i * 31 + k * 7 + 1));
	}
	ck_assert_int_eq(backend_rw_sync(b, BACKEND_READ, 16 * (uint64_t)lbs, r, len, 0), 0);
	ck_assert_msg(memcmp(r, zero, len) == 0, "unwritten blocks must read as zeros");
	free(w);
	free(r);
	free(zero);
	backend_destroy(b);
}
END_TEST

/* backend-3.1: the file keeps the data across destroy + reopen. */
START_TEST(test_file_persists)
{
	uint32_t lbs = lbs_table[_i];
	unsigned char *w = malloc(lbs), *r = malloc(lbs);
	struct backend *b;
	struct stat st;

	unlink(tmp_image);
	b = backend_file_new(tmp_image, DEV_SIZE, lbs);
	ck_assert_ptr_nonnull(b);
	memset(w, 0x5a, lbs);
	ck_assert_int_eq(backend_rw_sync(b, BACKEND_WRITE, DEV_SIZE - lbs, w, lbs, 0), 0);
	ck_assert_int_eq(backend_rw_sync(b, BACKEND_FLUSH, 0, NULL, 0, 0), 0);
	backend_destroy(b);

	ck_assert_int_eq(stat(tmp_image, &st), 0);
	ck_assert_int_eq(st.st_size, DEV_SIZE);

	/* size 0: the device is as large as the file. */
	b = backend_file_new(tmp_image, 0, lbs);
	ck_assert_ptr_nonnull(b);
	ck_assert_uint_eq(b->size, DEV_SIZE);
	memset(r, 0, lbs);
	ck_assert_int_eq(backend_rw_sync(b, BACKEND_READ, DEV_SIZE - lbs, r, lbs, 0), 0);
	ck_assert_int_eq(memcmp(w, r, lbs), 0);
	backend_destroy(b);

	/* A larger size extends the file, and the old data stays. */
	b = backend_file_new(tmp_image, 2 * DEV_SIZE, lbs);
	ck_assert_ptr_nonnull(b);
	ck_assert_uint_eq(b->size, 2 * DEV_SIZE);
	ck_assert_int_eq(stat(tmp_image, &st), 0);
	ck_assert_int_eq(st.st_size, 2 * DEV_SIZE);
	ck_assert_int_eq(backend_rw_sync(b, BACKEND_READ, DEV_SIZE - lbs, r, lbs, 0), 0);
	ck_assert_int_eq(memcmp(w, r, lbs), 0);
	backend_destroy(b);
	free(w);
	free(r);
}
END_TEST

/* backend-3.2: a FUA write lands in the file (read back with plain pread). */
START_TEST(test_file_fua)
{
	struct backend *b;
	unsigned char w[4096], r[4096];
	int fd;

	unlink(tmp_image);
	b = backend_file_new(tmp_image, DEV_SIZE, 4096);
	ck_assert_ptr_nonnull(b);
	ck_assert_uint_eq(b->caps & BACKEND_CAP_FUA, BACKEND_CAP_FUA);
	memset(w, 0xc3, sizeof(w));
	ck_assert_int_eq(backend_rw_sync(b, BACKEND_WRITE, 8192, w, sizeof(w), BACKEND_REQ_FUA), 0);
	fd = open(tmp_image, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pread(fd, r, sizeof(r), 8192), (ssize_t)sizeof(r));
	close(fd);
	ck_assert_int_eq(memcmp(w, r, sizeof(w)), 0);
	backend_destroy(b);
}
END_TEST

/* backend-3.3: sizing and type rules of backend_file_new(). */
START_TEST(test_file_args)
{
	struct backend *b;
	int fd;

	/* An existing empty file and size 0: nothing to size the device by. */
	errno = 0;
	ck_assert_ptr_null(backend_file_new(tmp_image, 0, 512));
	ck_assert_int_eq(errno, EINVAL);
	/* Size not a multiple of lbs. */
	errno = 0;
	ck_assert_ptr_null(backend_file_new(tmp_image, 4096 + 512, 4096));
	ck_assert_int_eq(errno, EINVAL);
	/* A file of 4096+100 bytes opened with size 0 exposes 4096. */
	fd = open(tmp_image, O_RDWR);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, 4096 + 100), 0);
	close(fd);
	b = backend_file_new(tmp_image, 0, 4096);
	ck_assert_ptr_nonnull(b);
	ck_assert_uint_eq(b->size, 4096);
	backend_destroy(b);
	/* Not a regular file. */
	errno = 0;
	ck_assert_ptr_null(backend_file_new("/dev/null", 4096, 512));
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_ptr_null(backend_file_new("/tmp", 4096, 512));
	ck_assert_int_eq(errno, EISDIR);
}
END_TEST

/* backend-4.1: constructor argument checks. */
START_TEST(test_ctor_args)
{
	const struct {
		uint64_t size;
		uint32_t lbs;
	} bad[] = {
		{ 4096, 1024 }, { 4096, 0 }, { 0, 512 }, { 4096 + 512, 4096 }, { 1000, 512 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		errno = 0;
		ck_assert_ptr_null(backend_ram_new(bad[i].size, bad[i].lbs));
		ck_assert_int_eq(errno, EINVAL);
	}
	errno = 0;
	ck_assert_ptr_null(backend_fault_new(NULL));
	ck_assert_int_eq(errno, EINVAL);
	backend_destroy(NULL); /* allowed */
}
END_TEST

/* backend-4.2: the bdev backend refuses what is not a block device. */
START_TEST(test_bdev_not_block)
{
	errno = 0;
	ck_assert_ptr_null(backend_bdev_new(tmp_image));
	ck_assert_int_eq(errno, ENOTBLK);
	errno = 0;
	ck_assert_ptr_null(backend_bdev_new("/dev/null"));
	ck_assert_int_eq(errno, ENOTBLK);
	errno = 0;
	ck_assert_ptr_null(backend_bdev_new("/nonexistent/iomap-ref"));
	ck_assert_int_eq(errno, ENOENT);
}
END_TEST

static int end_io_calls;

static void count_end_io(struct backend_req *req)
{
	end_io_calls++;
	ck_assert_int_eq(req->error, 0);
}

/* backend-5.1: (B1) and (B2) with a hand-built asynchronous-style request. */
START_TEST(test_completion_contract)
{
	int kind = _i / 2;
	uint32_t lbs = lbs_table[_i % 2];
	struct backend *b = make_backend(kind, lbs);
	unsigned char *buf = calloc(1, lbs);
	struct backend_req req = {
		.op = BACKEND_WRITE, .off = 0, .buf = buf, .len = lbs, .end_io = count_end_io,
	};
	struct backend_req bad = req;

	end_io_calls = 0;
	ck_assert_int_eq(backend_submit(b, &req), 0);
	backend_drain(b);
	ck_assert_int_eq(end_io_calls, 1);
	ck_assert_int_eq(b->inflight, 0);

	bad.off = 1;
	ck_assert_int_eq(backend_submit(b, &bad), -EINVAL);
	bad.off = DEV_SIZE;
	ck_assert_int_eq(backend_submit(b, &bad), -EIO);
	bad.off = 0;
	bad.end_io = NULL;
	ck_assert_int_eq(backend_submit(b, &bad), -EINVAL);
	backend_drain(b);
	ck_assert_int_eq(end_io_calls, 1); /* refused requests never complete */
	ck_assert_int_eq(b->inflight, 0);
	ck_assert_int_eq(backend_poll(b, false), 0);
	free(buf);
	backend_destroy(b);
}
END_TEST

static Suite *backend_suite(void)
{
	Suite *s = suite_create("backend");
	TCase *tc = tcase_create("backend");

	tcase_add_checked_fixture(tc, image_setup, image_teardown);
	/* _i: kind (0 ram, 1 file) * 2 + lbs index. */
	tcase_add_loop_test(tc, test_boundary_offsets, 0, 4);
	tcase_add_loop_test(tc, test_boundary_lengths, 0, 4);
	tcase_add_loop_test(tc, test_round_trip, 0, 4);
	tcase_add_loop_test(tc, test_file_persists, 0, 2);
	tcase_add_test(tc, test_file_fua);
	tcase_add_test(tc, test_file_args);
	tcase_add_test(tc, test_ctor_args);
	tcase_add_test(tc, test_bdev_not_block);
	tcase_add_loop_test(tc, test_completion_contract, 0, 4);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(backend_suite());
}
