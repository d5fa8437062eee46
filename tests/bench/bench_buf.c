/**
 * @file bench_buf.c
 * @brief `./run.sh bench`, second half: throughput of buffered I/O through
 *        extentfs + the iomap page cache path, next to a baseline on the
 *        same medium, with ->iomap_begin calls, ioends and bios per MiB;
 *        then a scalability check of random 4 KiB writes into a large file.
 *
 * Rows (docs/BENCH.md explains them), each for the ram and file backends:
 *   - write+fsync:       1 MiB sequential buffered writes over a file whose
 *                        blocks are allocated, then extentfs_fsync;
 *   - alloc write+fsync: the same into a file truncated to 0 (and committed)
 *                        just before, untimed: delalloc, then allocation
 *                        and unwritten conversion at writeback;
 *   - read cold:         1 MiB sequential reads just after an (untimed)
 *                        unmount + mount, so extentfs's page cache is empty
 *                        and every folio comes through readahead;
 *   - read warm:         the same read again, all folios cached;
 *   - rand write+fsync:  4 KiB writes at seeded random block-aligned offsets,
 *                        total/4 worth, over the allocated file, then fsync.
 * Baselines: on ram, memcpy of the same chunks into / out of a buffer as
 * large as the file (what the ram backend does underneath; there is no file
 * to pwrite); on file, buffered pwrite + fdatasync / pread of the same
 * chunks at the same offsets on the image file itself, after extentfs has
 * unmounted.  The file backend does buffered pread/pwrite on its image, so
 * "read cold" there means cold in extentfs's page cache and warm in the
 * host's, as is the baseline's pread; the "read cold, host too" row drops
 * the host's cached pages of the image (posix_fadvise DONTNEED) before both.
 *
 * Each figure: the median of three timed passes (a warm-up pass first where
 * the row needs one); one more pass runs with a counting trace sink
 * attached (tracing is off while timing).
 *
 * The scalability check times batches of 10 000 random 4 KiB writes into a
 * sparse 1 GiB file on the file backend, with the default dirty limit so
 * that background writeback runs inside the batches, and prints the time
 * per batch at the start and at the end: with per-write cost independent of
 * the number of extents the two are close, an O(n^2) shows as growth.
 *
 * It is a benchmark, not a test: it prints and exits 0 unless it cannot
 * run at all.  Environment: IOMAP_BENCH_MIB (default 256),
 * IOMAP_BENCH_SCALE_MIB (file size of the check, default 1024; 0 skips it),
 * IOMAP_BENCH_SCALE_SECS (time budget of the check, default 20).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <iomap/trace.h>

#include "samples/extentfs/extentfs.h"

#define MiB (1ull << 20)
#define CHUNK MiB
#define SMALL 4096ull
#define RUNS 3
#define BATCH 10000

static uint64_t total_mib = 256;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double median3(const double t[RUNS])
{
	double a = t[0], b = t[1], c = t[2];

	if (a > b) {
		double s = a;

		a = b;
		b = s;
	}
	return c < a ? a : c > b ? b : c;
}

/*
 * xorshift64*: a fixed seed gives the same offsets to extentfs and to the
 * baseline, and from one run of the benchmark to the next.
 */
static uint64_t rnd_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

/* Offset of the next random 4 KiB write into a file of @p size bytes. */
static uint64_t rnd_off(uint64_t *s, uint64_t size)
{
	return (rnd_next(s) % (size / SMALL)) * SMALL;
}

static uint64_t rand_writes(void)
{
	return total_mib * MiB / 4 / SMALL;
}

/* ------------------------------------------------------- counting sink */

struct counts {
	uint64_t begins, ioends, bios;
	double mib; /* MiB the counted pass moved */
};

static void count_emit(struct trace_sink *sink, const struct trace_event *ev)
{
	struct counts *c = sink->priv;

	if (!strcmp(ev->name, "fs_iomap_begin"))
		c->begins++;
	else if (!strcmp(ev->name, "ioend_new"))
		c->ioends++;
	else if (!strcmp(ev->name, "bio_submit"))
		c->bios++;
}

/* ------------------------------------------------------ extentfs passes */

struct efs_bench {
	struct backend *b;
	struct extentfs *fs;
	struct file *f;
	uint8_t *buf;
	const char *path; /* image file, NULL on ram */
};

static int efs_io(struct efs_bench *e, bool write, uint64_t pos, size_t len)
{
	struct kvec kv = { .iov_base = e->buf, .iov_len = len };
	struct iov_iter it;
	struct kiocb iocb;
	ssize_t ret;

	init_sync_kiocb(&iocb, e->f);
	iocb.ki_pos = (loff_t)pos;
	iov_iter_kvec(&it, write ? ITER_SOURCE : ITER_DEST, &kv, 1, len);
	ret = write ? extentfs_write_iter(&iocb, &it) : extentfs_read_iter(&iocb, &it);
	if (ret != (ssize_t)len) {
		fprintf(stderr, "bench: buffered %s of %zu at %llu: %zd\n", write ? "write" : "read",
			len, (unsigned long long)pos, ret);
		return -1;
	}
	return 0;
}

static int efs_fsync(struct efs_bench *e)
{
	int ret = extentfs_fsync(e->f, 1);

	if (ret)
		fprintf(stderr, "bench: fsync: %d\n", ret);
	return ret;
}

/* What one pass of a row does, untimed preparation excluded. */
enum op { SEQ_WRITE, ALLOC_WRITE, READ_COLD, READ_COLD_HOST, READ_WARM, RAND_WRITE };

static int efs_remount(struct efs_bench *e)
{
	int ret;

	extentfs_close(e->f);
	e->f = NULL;
	ret = extentfs_unmount(e->fs);
	e->fs = NULL;
	if (!ret)
		ret = extentfs_mount(e->b, MKDEV(7, 0), &e->fs);
	if (!ret)
		ret = extentfs_open(e->fs, "bench", O_RDWR, &e->f);
	if (ret)
		fprintf(stderr, "bench: remount: %d\n", ret);
	return ret;
}

/* Drop the host's cached pages of the image file (it is all written back). */
static int drop_host_cache(const char *path)
{
	int fd = open(path, O_RDWR);
	int ret;

	if (fd < 0)
		return -errno;
	ret = fdatasync(fd) ? -errno : -posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	close(fd);
	return ret;
}

/* The untimed part of a pass: make the caches and the file what @p op needs. */
static int efs_prepare(struct efs_bench *e, enum op op)
{
	switch (op) {
	case ALLOC_WRITE:
		/*
		 * Commit the truncate before timing, for the reason bench_dio
		 * gives: freed blocks stay busy until a commit.
		 */
		return extentfs_setattr_size(e->f, 0) || extentfs_sync(e->fs) ? -1 : 0;
	case READ_COLD:
		return efs_remount(e);
	case READ_COLD_HOST:
		return efs_remount(e) || drop_host_cache(e->path) ? -1 : 0;
	default:
		return 0;
	}
}

/* The timed part; @p run seeds the random offsets. */
static int efs_pass(struct efs_bench *e, enum op op, uint64_t run)
{
	uint64_t size = total_mib * MiB, seed = 0x9e3779b97f4a7c15ull + run;

	switch (op) {
	case SEQ_WRITE:
	case ALLOC_WRITE:
		for (uint64_t pos = 0; pos < size; pos += CHUNK)
			if (efs_io(e, true, pos, CHUNK))
				return -1;
		return efs_fsync(e);
	case READ_COLD:
	case READ_COLD_HOST:
	case READ_WARM:
		for (uint64_t pos = 0; pos < size; pos += CHUNK)
			if (efs_io(e, false, pos, CHUNK))
				return -1;
		return 0;
	case RAND_WRITE:
		for (uint64_t i = 0; i < rand_writes(); i++)
			if (efs_io(e, true, rnd_off(&seed, size), SMALL))
				return -1;
		return efs_fsync(e);
	}
	return -1;
}

static double op_mib(enum op op)
{
	return op == RAND_WRITE ? (double)(rand_writes() * SMALL) / (double)MiB : (double)total_mib;
}

/* Median MiB/s of RUNS passes (after a warm-up pass if @p warmup). */
static double efs_rate(struct efs_bench *e, enum op op, bool warmup, struct counts *cnt)
{
	struct trace_sink sink = { .emit = count_emit, .priv = cnt };
	double t[RUNS];

	if (warmup && (efs_prepare(e, op) || efs_pass(e, op, 100)))
		return -1;
	for (int r = 0; r < RUNS; r++) {
		double t0;

		if (efs_prepare(e, op))
			return -1;
		t0 = now();
		if (efs_pass(e, op, (uint64_t)r))
			return -1;
		t[r] = now() - t0;
	}
	/* One more pass, counted (tracing costs time, so it is not timed). */
	memset(cnt, 0, sizeof(*cnt));
	cnt->mib = op_mib(op);
	if (efs_prepare(e, op))
		return -1;
	trace_add_sink(&sink);
	efs_pass(e, op, 0);
	trace_remove_sink(&sink);
	return op_mib(op) / median3(t);
}

static int efs_open_bench(struct efs_bench *e, struct backend *b, const char *path)
{
	struct extentfs_mkfs_opts o = { .block_size = 4096 };
	int ret;

	memset(e, 0, sizeof(*e));
	e->b = b;
	e->path = path;
	if (!b)
		return -ENOMEM;
	e->buf = aligned_alloc(4096, CHUNK);
	if (!e->buf)
		return -ENOMEM;
	memset(e->buf, 0x5a, CHUNK);
	ret = extentfs_mkfs(b, &o);
	if (!ret)
		ret = extentfs_mount(b, MKDEV(7, 0), &e->fs);
	if (!ret)
		ret = extentfs_open(e->fs, "bench", O_CREAT | O_RDWR, &e->f);
	return ret;
}

static void efs_close_bench(struct efs_bench *e)
{
	if (e->f)
		extentfs_close(e->f);
	if (e->fs)
		extentfs_unmount(e->fs);
	backend_destroy(e->b);
	free(e->buf);
}

/* ------------------------------------------------------------ baselines */

/* memcpy of the same chunks at the same offsets into / out of RAM. */
static double memcpy_rate(enum op op)
{
	size_t size = (size_t)(total_mib * MiB);
	uint8_t *area = malloc(size), *buf = aligned_alloc(4096, CHUNK);
	double t[RUNS];

	if (!area || !buf) {
		free(area);
		free(buf);
		return -1;
	}
	memset(buf, 0x5a, CHUNK);
	/* Fault the pages in (the warm-up); not 0, which gcc may turn into calloc. */
	memset(area, 0xa5, size);
	for (int r = 0; r < RUNS; r++) {
		uint64_t seed = 0x9e3779b97f4a7c15ull + (uint64_t)r;
		double t0 = now();

		if (op == RAND_WRITE) {
			for (uint64_t i = 0; i < rand_writes(); i++)
				memcpy(area + rnd_off(&seed, size), buf, SMALL);
		} else {
			for (uint64_t pos = 0; pos < size; pos += CHUNK) {
				if (op == SEQ_WRITE || op == ALLOC_WRITE)
					memcpy(area + pos, buf, CHUNK);
				else
					memcpy(buf, area + pos, CHUNK);
			}
		}
		__asm__ volatile("" : : "r"(area), "r"(buf) : "memory");
		t[r] = now() - t0;
	}
	free(area);
	free(buf);
	return op_mib(op) / median3(t);
}

static int pio_pass(int fd, uint8_t *buf, enum op op, uint64_t run)
{
	uint64_t size = total_mib * MiB, seed = 0x9e3779b97f4a7c15ull + run;
	bool write = op == SEQ_WRITE || op == ALLOC_WRITE;

	if (op == RAND_WRITE) {
		for (uint64_t i = 0; i < rand_writes(); i++)
			if (pwrite(fd, buf, SMALL, (off_t)rnd_off(&seed, size)) != (ssize_t)SMALL)
				return -1;
		return fdatasync(fd);
	}
	for (uint64_t pos = 0; pos < size; pos += CHUNK) {
		ssize_t n = write ? pwrite(fd, buf, CHUNK, (off_t)pos) : pread(fd, buf, CHUNK, (off_t)pos);

		if (n != (ssize_t)CHUNK)
			return -1;
	}
	return write ? fdatasync(fd) : 0;
}

/*
 * Buffered pwrite(+fdatasync)/pread of the same chunks on the image file
 * (extentfs has unmounted; its contents no longer matter).  "alloc" writes
 * go into the file truncated to 0 first, so the host fs allocates too;
 * "cold, host too" drops the host's cache of the file first.
 */
static double pio_rate(const char *path, enum op op)
{
	int fd = open(path, O_RDWR);
	uint8_t *buf = aligned_alloc(4096, CHUNK);
	double t[RUNS] = { 0 };
	int ok = fd >= 0 && buf;

	if (ok) {
		memset(buf, 0x5a, CHUNK);
		ok = !pio_pass(fd, buf, op == ALLOC_WRITE ? SEQ_WRITE : op, 100);
	}
	for (int r = 0; ok && r < RUNS; r++) {
		double t0;

		if (op == ALLOC_WRITE)
			ok = !ftruncate(fd, 0) && !fsync(fd);
		else if (op == READ_COLD_HOST)
			ok = !fdatasync(fd) && !posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
		t0 = now();
		ok = ok && !pio_pass(fd, buf, op, (uint64_t)r);
		t[r] = now() - t0;
	}
	if (fd >= 0)
		close(fd);
	free(buf);
	if (!ok) {
		fprintf(stderr, "bench: pwrite/pread on %s failed: %s\n", path, strerror(errno));
		return -1;
	}
	return op_mib(op) / median3(t);
}

/* ------------------------------------------------------- scalability */

/*
 * Random 4 KiB writes into a sparse file of @p file_mib on the file
 * backend, in batches of BATCH, for about @p secs seconds or one write per
 * block of the file, whichever comes first; prints every batch's time.
 */
static int scale_check(const char *path, uint64_t file_mib, double secs)
{
	uint64_t size = file_mib * MiB, seed = 0x5eed, max_batches = size / SMALL / BATCH;
	double first = 0, last = 0, start, t_fsync, ms[2] = { 0 }, head2 = 0;
	uint64_t dev_size = (file_mib + file_mib / 8 + 16) * MiB, b;
	struct efs_bench e;

	if (!max_batches)
		max_batches = 1;
	unlink(path);
	if (efs_open_bench(&e, backend_file_new(path, dev_size, 512), path) ||
	    extentfs_setattr_size(e.f, (loff_t)size)) {
		fprintf(stderr, "bench: cannot set up the scalability check on %s\n", path);
		efs_close_bench(&e);
		return -1;
	}
	printf("\nscalability: random 4 KiB buffered writes into a sparse %llu MiB file (file\n"
	       "backend, default dirty limit, so writeback runs inside the batches);\n"
	       "ms per %d writes, batch by batch:\n",
	       (unsigned long long)file_mib, BATCH);
	start = now();
	/* Stop before a batch as long as the last one would pass the budget. */
	for (b = 0; b < max_batches && now() - start + last / 1e3 < secs; b++) {
		double t0 = now(), t;

		for (int i = 0; i < BATCH; i++)
			if (efs_io(&e, true, rnd_off(&seed, size), SMALL))
				goto out;
		t = (now() - t0) * 1e3;
		if (!b)
			first = t;
		last = t;
		/*
		 * Background writeback runs every ~16 384 writes (64 MiB of
		 * dirty 4 KiB folios), every 1.6 batches: a pair of batches
		 * holds about one, so pairs compare like with like.
		 */
		ms[b % 2] = t;
		if (b == 1)
			head2 = (ms[0] + ms[1]) / 2;
		printf(" %.0f", t);
		fflush(stdout);
	}
	t_fsync = now();
	if (efs_fsync(&e))
		goto out;
	t_fsync = now() - t_fsync;
	printf("\n%llu writes (%.0f %% of the file's blocks) in %.1f s, final fsync %.2f s;\n"
	       "first batch %.0f ms, last batch %.0f ms (ratio %.2f); mean of the first two\n"
	       "%.0f ms, of the last two %.0f ms (ratio %.2f)\n",
	       (unsigned long long)(b * BATCH), 100.0 * (double)(b * BATCH * SMALL) / (double)size,
	       now() - start - t_fsync, t_fsync, first, last, first > 0 ? last / first : 0.0,
	       head2, (ms[0] + ms[1]) / 2, head2 > 0 ? (ms[0] + ms[1]) / 2 / head2 : 0.0);
out:
	efs_close_bench(&e);
	unlink(path);
	return 0;
}

/* ------------------------------------------------------------------ main */

static void row(const char *medium, const char *op, double efs, double base, const char *bname,
		const struct counts *c)
{
	printf("%-5s %-18s %9.0f %9.0f  %-22s %6.2f %9.2f %8.2f %8.2f\n", medium, op, efs, base,
	       bname, base > 0 ? efs / base : 0.0, (double)c->begins / c->mib,
	       (double)c->ioends / c->mib, (double)c->bios / c->mib);
}

static const struct {
	enum op op;
	const char *name;
	bool warmup;
	bool file_only;
} rows[] = {
	/* The first pass allocates: the file must exist before the others. */
	{ SEQ_WRITE, "write+fsync", true, false },
	{ READ_COLD, "read cold", false, false },
	{ READ_COLD_HOST, "read cold, host too", false, true },
	{ READ_WARM, "read warm", true, false },
	{ RAND_WRITE, "rand 4k write+fsync", true, false },
	{ ALLOC_WRITE, "alloc write+fsync", false, false },
};
#define NR_ROWS (sizeof(rows) / sizeof(rows[0]))

static int run_medium(const char *medium, struct backend *b, const char *path)
{
	struct counts cnt[NR_ROWS];
	double rate[NR_ROWS];
	struct efs_bench e;

	if (efs_open_bench(&e, b, path)) {
		fprintf(stderr, "bench: cannot set up extentfs on %s\n", medium);
		efs_close_bench(&e);
		return -1;
	}
	for (size_t i = 0; i < NR_ROWS; i++) {
		if (rows[i].file_only && !path)
			continue;
		rate[i] = efs_rate(&e, rows[i].op, rows[i].warmup, &cnt[i]);
		if (rate[i] < 0) {
			efs_close_bench(&e);
			return -1;
		}
	}
	efs_close_bench(&e);
	for (size_t i = 0; i < NR_ROWS; i++) {
		if (rows[i].file_only && !path)
			continue;
		if (path)
			row(medium, rows[i].name, rate[i], pio_rate(path, rows[i].op),
			    rows[i].op <= ALLOC_WRITE || rows[i].op == RAND_WRITE
				    ? "pwrite+fdatasync"
				    : "pread",
			    &cnt[i]);
		else
			row(medium, rows[i].name, rate[i], memcpy_rate(rows[i].op), "memcpy",
			    &cnt[i]);
	}
	return 0;
}

static uint64_t env_u64(const char *name, uint64_t dflt)
{
	const char *v = getenv(name);

	return v && *v ? strtoull(v, NULL, 0) : dflt;
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "bench-backing.img";
	uint64_t dev_size, scale_mib = env_u64("IOMAP_BENCH_SCALE_MIB", 1024);
	double scale_secs = (double)env_u64("IOMAP_BENCH_SCALE_SECS", 20);

	total_mib = env_u64("IOMAP_BENCH_MIB", 256);
	if (!total_mib)
		total_mib = 256;
	/* Room for the data, the metadata chain and the superblocks. */
	dev_size = (total_mib + total_mib / 8 + 16) * MiB;

	printf("iomap-ref buffered I/O benchmark: %llu MiB file, 1 MiB sequential requests,\n"
	       "%llu random 4 KiB writes, block size 4096; median of %d passes;\n"
	       "MiB/s (higher is better); per MiB moved by one counted pass:\n"
	       "->iomap_begin calls, writeback ioends, bios\n\n",
	       (unsigned long long)total_mib, (unsigned long long)rand_writes(), RUNS);
	printf("%-5s %-18s %9s %9s  %-22s %6s %9s %8s %8s\n", "media", "op", "iomap-ref", "baseline",
	       "(baseline is)", "ratio", "begin/MiB", "ioend/MiB", "bios/MiB");

	if (run_medium("ram", backend_ram_new(dev_size, 512), NULL))
		return 1;
	unlink(path);
	if (run_medium("file", backend_file_new(path, dev_size, 512), path))
		return 1;
	unlink(path);
	if (scale_mib && scale_check(path, scale_mib, scale_secs))
		return 1;
	printf("\nfile medium: %s (removed afterwards)\n", path);
	return 0;
}
