/**
 * @file bench_dio.c
 * @brief `./run.sh bench`: throughput of 1 MiB sequential direct writes and
 *        reads through extentfs + iomap_dio_rw, next to a baseline on the
 *        same medium, with bios and ->iomap_begin calls per MiB.
 *
 * Figures (docs/BENCH.md explains them):
 *   - ram:  extentfs on the ram backend; baseline = memcpy of the same 1 MiB
 *           chunks into / out of a buffer as large as the data set;
 *   - file: extentfs on the file backend (a disk image file, path from
 *           argv[1], default ./bench-backing.img); baselines = pwrite/pread
 *           of the same chunks on the same file opened O_DIRECT, and the
 *           same without O_DIRECT (the file backend itself does buffered
 *           pread/pwrite, so that is its fair comparison).
 * Each figure: one warm-up pass, then the median of three timed passes.
 * Writes are overwrites of blocks the warm-up allocated; "alloc write" is
 * a pass into a freshly truncated file (allocation + unwritten conversion).
 * Counting runs once more with a counting trace sink attached; tracing is
 * off while timing.
 *
 * It is a benchmark, not a test: it prints and exits 0 unless it cannot
 * run at all.  Environment: IOMAP_BENCH_MIB (default 256).
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
#define RUNS 3

static uint64_t total_mib = 256;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double median3(double a, double b, double c)
{
	if (a > b) {
		double t = a;

		a = b;
		b = t;
	}
	return c < a ? a : c > b ? b : c;
}

/* ------------------------------------------------------- counting sink */

struct counts {
	uint64_t bios, begins;
};

static void count_emit(struct trace_sink *sink, const struct trace_event *ev)
{
	struct counts *c = sink->priv;

	if (!strcmp(ev->name, "bio_submit"))
		c->bios++;
	else if (!strcmp(ev->name, "fs_iomap_begin"))
		c->begins++;
}

/* ------------------------------------------------------ extentfs passes */

struct efs_bench {
	struct backend *b;
	struct extentfs *fs;
	struct file *f;
	uint8_t *buf;
};

static int efs_pass(struct efs_bench *e, bool write)
{
	for (uint64_t i = 0; i < total_mib; i++) {
		struct kvec kv = { .iov_base = e->buf, .iov_len = CHUNK };
		struct iov_iter it;
		struct kiocb iocb;
		ssize_t ret;

		init_sync_kiocb(&iocb, e->f);
		iocb.ki_pos = (loff_t)(i * CHUNK);
		iov_iter_kvec(&it, write ? ITER_SOURCE : ITER_DEST, &kv, 1, CHUNK);
		ret = write ? extentfs_write_iter(&iocb, &it) : extentfs_read_iter(&iocb, &it);
		if (ret != (ssize_t)CHUNK) {
			fprintf(stderr, "bench: extentfs %s at %llu MiB: %zd\n",
				write ? "write" : "read", (unsigned long long)i, ret);
			return -1;
		}
	}
	return 0;
}

/* Median MiB/s of RUNS passes after one warm-up; @p realloc truncates first. */
static double efs_rate(struct efs_bench *e, bool write, bool realloc, struct counts *cnt)
{
	double t[RUNS];
	struct trace_sink sink = { .emit = count_emit, .priv = cnt };

	if (efs_pass(e, write))
		return -1;
	for (int r = 0; r < RUNS; r++) {
		double t0;

		/*
		 * Truncate and commit outside the timed region: the freed
		 * blocks stay busy until a commit, and a pass that ran out of
		 * free space would time that commit (an fdatasync of the image
		 * on the file medium) instead of the allocation path.
		 */
		if (realloc && (extentfs_setattr_size(e->f, 0) || extentfs_sync(e->fs)))
			return -1;
		t0 = now();
		if (efs_pass(e, write))
			return -1;
		t[r] = now() - t0;
	}
	/* One more pass, counted (tracing costs time, so it is not timed). */
	if (realloc && (extentfs_setattr_size(e->f, 0) || extentfs_sync(e->fs)))
		return -1;
	memset(cnt, 0, sizeof(*cnt));
	trace_add_sink(&sink);
	efs_pass(e, write);
	trace_remove_sink(&sink);
	return (double)total_mib / median3(t[0], t[1], t[2]);
}

static int efs_open_bench(struct efs_bench *e, struct backend *b)
{
	struct extentfs_mkfs_opts o = { .block_size = 4096 };
	int ret;

	memset(e, 0, sizeof(*e));
	e->b = b;
	e->buf = aligned_alloc(4096, CHUNK);
	if (!e->buf)
		return -ENOMEM;
	memset(e->buf, 0x5a, CHUNK);
	ret = extentfs_mkfs(b, &o);
	if (!ret)
		ret = extentfs_mount(b, MKDEV(7, 0), &e->fs);
	if (!ret)
		ret = extentfs_open(e->fs, "bench", O_CREAT | O_RDWR | O_DIRECT, &e->f);
	return ret;
}

static void efs_close_bench(struct efs_bench *e)
{
	extentfs_close(e->f);
	extentfs_unmount(e->fs);
	backend_destroy(e->b);
	free(e->buf);
}

/* ------------------------------------------------------------ baselines */

static double memcpy_rate(bool write)
{
	size_t size = (size_t)(total_mib * MiB);
	uint8_t *area = malloc(size), *buf = aligned_alloc(4096, CHUNK);
	double t[RUNS];

	if (!area || !buf)
		return -1;
	memset(buf, 0x5a, CHUNK);
	/* Fault the pages in (the warm-up); not 0, which gcc may turn into calloc. */
	memset(area, 0xa5, size);
	for (int r = 0; r < RUNS; r++) {
		double t0 = now();

		for (uint64_t i = 0; i < total_mib; i++) {
			if (write)
				memcpy(area + i * CHUNK, buf, CHUNK);
			else
				memcpy(buf, area + i * CHUNK, CHUNK);
		}
		__asm__ volatile("" : : "r"(area), "r"(buf) : "memory");
		t[r] = now() - t0;
	}
	free(area);
	free(buf);
	return (double)total_mib / median3(t[0], t[1], t[2]);
}

static int pio_pass(int fd, uint8_t *buf, bool write)
{
	for (uint64_t i = 0; i < total_mib; i++) {
		ssize_t n = write ? pwrite(fd, buf, CHUNK, (off_t)(i * CHUNK))
				  : pread(fd, buf, CHUNK, (off_t)(i * CHUNK));

		if (n != (ssize_t)CHUNK)
			return -1;
	}
	return 0;
}

/* pwrite/pread of the same chunks on @p path, O_DIRECT or buffered. */
static double pio_rate(const char *path, bool write, bool direct)
{
	int fd = open(path, O_RDWR | (direct ? O_DIRECT : 0));
	uint8_t *buf = aligned_alloc(4096, CHUNK);
	double t[RUNS] = { 0 };
	int ok = fd >= 0 && buf;

	if (ok) {
		memset(buf, 0x5a, CHUNK);
		ok = !pio_pass(fd, buf, write);
	}
	for (int r = 0; ok && r < RUNS; r++) {
		double t0 = now();

		ok = !pio_pass(fd, buf, write);
		t[r] = now() - t0;
	}
	if (fd >= 0)
		close(fd);
	free(buf);
	if (!ok) {
		fprintf(stderr, "bench: %s pwrite/pread on %s failed: %s\n",
			direct ? "O_DIRECT" : "buffered", path, strerror(errno));
		return -1;
	}
	return (double)total_mib / median3(t[0], t[1], t[2]);
}

/* ------------------------------------------------------------------ main */

static void row(const char *medium, const char *op, double efs, double base, const char *bname,
		const struct counts *c)
{
	printf("%-5s %-12s %10.0f %10.0f  %-18s %6.2f %9.2f %13.2f\n", medium, op, efs, base,
	       bname, base > 0 ? efs / base : 0.0, (double)c->bios / (double)total_mib,
	       (double)c->begins / (double)total_mib);
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "bench-backing.img";
	const char *env = getenv("IOMAP_BENCH_MIB");
	uint64_t dev_size;
	struct efs_bench e;
	struct counts cw, ca, cr;
	double w, a, rd;

	if (env && *env)
		total_mib = strtoull(env, NULL, 0);
	if (!total_mib)
		total_mib = 256;
	/* Room for the data, the metadata chain and the superblocks. */
	dev_size = (total_mib + total_mib / 8 + 16) * MiB;

	printf("iomap-ref direct I/O benchmark: %llu MiB in 1 MiB requests, block size 4096,\n"
	       "one warm-up pass, median of %d passes; MiB/s (higher is better)\n\n",
	       (unsigned long long)total_mib, RUNS);
	printf("%-5s %-12s %10s %10s  %-18s %6s %9s %13s\n", "media", "op", "iomap-ref",
	       "baseline", "(baseline is)", "ratio", "bios/MiB", "iomap_begin/MiB");

	/* ram */
	if (efs_open_bench(&e, backend_ram_new(dev_size, 512))) {
		fprintf(stderr, "bench: cannot set up extentfs on ram\n");
		return 1;
	}
	w = efs_rate(&e, true, false, &cw);
	a = efs_rate(&e, true, true, &ca);
	rd = efs_rate(&e, false, false, &cr);
	efs_close_bench(&e);
	row("ram", "write", w, memcpy_rate(true), "memcpy", &cw);
	row("ram", "alloc write", a, memcpy_rate(true), "memcpy", &ca);
	row("ram", "read", rd, memcpy_rate(false), "memcpy", &cr);

	/* file */
	unlink(path);
	if (efs_open_bench(&e, backend_file_new(path, dev_size, 512))) {
		fprintf(stderr, "bench: cannot set up extentfs on the file %s\n", path);
		return 1;
	}
	w = efs_rate(&e, true, false, &cw);
	a = efs_rate(&e, true, true, &ca);
	rd = efs_rate(&e, false, false, &cr);
	efs_close_bench(&e);
	row("file", "write", w, pio_rate(path, true, true), "O_DIRECT pwrite", &cw);
	row("file", "alloc write", a, pio_rate(path, true, true), "O_DIRECT pwrite", &ca);
	row("file", "read", rd, pio_rate(path, false, true), "O_DIRECT pread", &cr);
	row("file", "write", w, pio_rate(path, true, false), "buffered pwrite", &cw);
	row("file", "read", rd, pio_rate(path, false, false), "buffered pread", &cr);
	printf("\nfile medium: %s (removed afterwards)\n", path);
	unlink(path);
	return 0;
}
