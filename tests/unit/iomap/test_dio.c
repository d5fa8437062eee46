/*
 * test_dio.c — direct I/O (iomap_dio_rw, operations.rst "Direct I/O") over
 * tablefs, whose superblock sits on a REAL block device: a RAM backend, a
 * file backend over a temporary file, and a loop device when the suite runs
 * as root.  Every test runs once per device (Check loop tests, index =
 * entry of devs[]); the loop entries count themselves as skipped, with one
 * "SKIP dio: <reason>" line, when no loop device could be attached.
 *
 * Areas (test IDs):
 *   dio-1.*  return values: bytes, 0 at/after EOF and for zero length, short
 *            read at EOF, -EIOCBQUEUED (deterministic and concurrent),
 *            -ENOTBLK, -EINVAL alignment, -EIO, -EFAULT, ->iomap_begin errors
 *   dio-2.*  dio flags: FORCE_WAIT, OVERWRITE_ONLY, PARTIAL + done_before
 *   dio-3.*  kiocb flags: NOWAIT, DSYNC/SYNC (FUA or fsync), HIPRI polling,
 *            DIO_CALLER_COMP
 *   dio-4.*  iomap_dio_ops: submit_io, a custom bi_end_io, end_io, bio_set
 *   dio-5.*  the page cache around reads and writes, ->iomap_begin flags,
 *            holes and unwritten extents read as zeroes without I/O
 *   dio-6.*  sub-block zeroing of new / unwritten blocks and past EOF
 *   dio-7.*  trace events and their tracefs text
 *   dio-8.*  invariant (3) of iomap.h: i_dio_count and inode_dio_wait
 *
 * Device bytes are checked by reading the backend directly, never through
 * the code under test.  Regions a test checks are pre-filled with 0xAA
 * first, so that "zeroed" and "untouched" can be told apart.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <iomap/iomap.h>
#include <iomap/trace.h>

#include "../backends/loopdev.h"
#include "../testutil.h"
#include "backends/backend.h"
#include "tablefs.h"

#define K 1024ll
#define M (1024ll * 1024ll)
#define DEV_SIZE (16 * M)
#define ADDR_A (1 * M) /* device addresses the tests map file ranges to */
#define ADDR_B (2 * M)
#define ADDR_C (3 * M)

/*
 * ---------------------------------------------------------------------
 * The devices every test runs over
 * ---------------------------------------------------------------------
 */
enum dev_kind { DEV_RAM, DEV_FILE, DEV_LOOP };

static const struct devcase {
	const char *name;
	enum dev_kind kind;
} devs[] = {
	{ "ram", DEV_RAM },
	{ "file", DEV_FILE },
	{ "loop", DEV_LOOP },
};
#define NDEVS ((int)ARRAY_SIZE(devs))

/* Loop devices, attached by main() in the parent (loopdev.h: never a child). */
static struct loopdev loop512, loop4096;

/* Shared with Check's forked children (MAP_SHARED survives fork). */
struct loop_stats {
	int ran;
	int skipped;
};
static struct loop_stats *stats;

/* Options of open_dev(). */
#define OPT_FAULT (1u << 0)      /* put the fault backend in between */
#define OPT_CONCURRENT (1u << 1) /* completion thread and dio workqueue thread */

/* One test's world: tablefs on a block device on a backend. */
static struct env {
	struct tablefs t;
	struct backend *be; /* under the block device (the fault wrapper if any) */
	unsigned lbs;
	bool concurrent;
	bool counted; /* this test is in stats already */
	struct trace_sink *sink;
} E;

static void setup(void)
{
	memset(&E, 0, sizeof(E));
	trace_reset_clock();
	E.sink = trace_memsink_new();
	ck_assert_ptr_nonnull(E.sink);
	trace_add_sink(E.sink);
	tablefs_init(&E.t, 12, 64 * K);
}

static void close_dev(void)
{
	tablefs_close_bdev(&E.t);
	backend_destroy(E.be);
	E.be = NULL;
	kernel_set_exec_mode(EXEC_DETERMINISTIC);
}

static void teardown(void)
{
	close_dev();
	tablefs_destroy(&E.t);
	trace_remove_sink(E.sink);
	trace_sink_free(E.sink);
}

/*
 * Open devs[@i] with logical block size @lbs under tablefs.  Returns false
 * (and counts a skip) for a loop entry without a loop device.
 */
static bool open_dev(int i, unsigned lbs, unsigned opts)
{
	const struct devcase *d = &devs[i];
	struct backend *b = NULL;
	char path[64];

	if (d->kind == DEV_LOOP) {
		const struct loopdev *ld = lbs == 512 ? &loop512 : &loop4096;

		if (!E.counted)
			__atomic_add_fetch(ld->attached ? &stats->ran : &stats->skipped, 1,
					   __ATOMIC_SEQ_CST);
		E.counted = true;
		if (!ld->attached)
			return false;
	}
	/* Block devices and workqueues capture the mode when they are made. */
	kernel_set_exec_mode(opts & OPT_CONCURRENT ? EXEC_CONCURRENT : EXEC_DETERMINISTIC);
	switch (d->kind) {
	case DEV_RAM:
		b = backend_ram_new(DEV_SIZE, lbs);
		break;
	case DEV_FILE:
		snprintf(path, sizeof(path), "/tmp/iomap-test-dio-%d.img", (int)getpid());
		b = backend_file_new(path, DEV_SIZE, lbs);
		unlink(path); /* the backend keeps it open; nothing to leak */
		break;
	case DEV_LOOP:
		b = backend_bdev_new(lbs == 512 ? loop512.path : loop4096.path);
		break;
	}
	ck_assert_msg(b != NULL, "%s backend (lbs %u)", d->name, lbs);
	ck_assert_uint_eq(b->logical_block_size, lbs);
	if (opts & OPT_FAULT) {
		b = backend_fault_new(b);
		ck_assert_ptr_nonnull(b);
	}
	E.be = b;
	E.lbs = lbs;
	E.concurrent = (opts & OPT_CONCURRENT) != 0;
	ck_assert_int_eq(tablefs_open_bdev(&E.t, b), 0);
	return true;
}

/* Close the current device and open devs[@i] again with other parameters. */
static bool reopen_dev(int i, unsigned lbs, unsigned opts)
{
	close_dev();
	return open_dev(i, lbs, opts);
}

/*
 * ---------------------------------------------------------------------
 * Memory and device helpers
 * ---------------------------------------------------------------------
 */
static void *abuf(size_t len, int fill)
{
	void *p = aligned_alloc(4096, (len + 4095) & ~(size_t)4095);

	ck_assert_ptr_nonnull(p);
	memset(p, fill, len);
	return p;
}

/* A recognisable pattern: byte i of the buffer depends on i and @seed. */
static void *pattern(size_t len, unsigned seed)
{
	unsigned char *p = abuf(len, 0);

	for (size_t i = 0; i < len; i++)
		p[i] = (unsigned char)((i * 7 + seed * 31 + i / 512) | 1); /* never 0 */
	return p;
}

static void dev_fill(uint64_t off, size_t len, int byte)
{
	void *p = abuf(len, byte);

	ck_assert_int_eq(backend_rw_sync(E.be, BACKEND_WRITE, off, p, len, 0), 0);
	free(p);
}

static void *dev_read(uint64_t off, size_t len)
{
	void *p = abuf(len, 0x5c);

	ck_assert_int_eq(backend_rw_sync(E.be, BACKEND_READ, off, p, len, 0), 0);
	return p;
}

/* Index of the first byte of @p[0, len) that is not @byte, or -1. */
static long first_not(const void *p, size_t len, int byte)
{
	const unsigned char *c = p;

	for (size_t i = 0; i < len; i++)
		if (c[i] != (unsigned char)byte)
			return (long)i;
	return -1;
}

/* Assert that device bytes [off, off + len) all hold @byte. */
static void assert_dev_bytes(uint64_t off, size_t len, int byte, const char *what)
{
	void *p = dev_read(off, len);
	long bad = first_not(p, len, byte);

	ck_assert_msg(bad < 0, "%s: device byte 0x%llx is 0x%02x, expected 0x%02x", what,
		      (unsigned long long)(off + (uint64_t)bad), ((unsigned char *)p)[bad < 0 ? 0 : bad],
		      byte);
	free(p);
}

/* Assert that device bytes [off, off + len) equal @want. */
static void assert_dev_equals(uint64_t off, const void *want, size_t len, const char *what)
{
	void *p = dev_read(off, len);

	ck_assert_msg(memcmp(p, want, len) == 0, "%s: device bytes at 0x%llx differ", what,
		      (unsigned long long)off);
	free(p);
}

/* A folio over file page @index, uptodate, filled with @byte, maybe dirty. */
static void cache_folio(pgoff_t index, int byte, bool dirty)
{
	struct folio *folio;

	ck_assert_int_eq(__filemap_get_folio(E.t.inode.i_mapping, index, FGP_CREAT | FGP_LOCK, 0,
					     &folio),
			 0);
	memset(folio->data, byte, folio_size(folio));
	folio_mark_uptodate(folio);
	if (dirty)
		folio_mark_dirty(folio);
	folio_unlock(folio);
	folio_put(folio);
}

static bool cached(pgoff_t index)
{
	struct folio *folio = filemap_get_folio(E.t.inode.i_mapping, index);

	if (!folio)
		return false;
	folio_put(folio);
	return true;
}

static int dio_count(void)
{
	int n;

	pthread_mutex_lock(&E.t.inode.i_dio_lock);
	n = E.t.inode.i_dio_count;
	pthread_mutex_unlock(&E.t.inode.i_dio_lock);
	return n;
}

/*
 * Deterministic mode: deliver every finished bio and run the dio
 * workqueue, as an interrupt and a kworker would.
 */
static void drive(void)
{
	ck_assert(!E.concurrent);
	blkdev_drain(&E.t.bdev);
	blkdev_run_completions(&E.t.bdev);
	if (E.t.sb.s_dio_done_wq)
		flush_workqueue(E.t.sb.s_dio_done_wq);
}

/*
 * ---------------------------------------------------------------------
 * Events
 * ---------------------------------------------------------------------
 */
static size_t ev_count(const char *name)
{
	size_t n = 0;

	for (size_t i = 0; i < trace_memsink_count(E.sink); i++)
		if (strcmp(trace_memsink_get(E.sink, i)->name, name) == 0)
			n++;
	return n;
}

/* The @nth event called @name, or NULL. */
static const struct trace_event *ev_nth(const char *name, size_t nth)
{
	for (size_t i = 0; i < trace_memsink_count(E.sink); i++) {
		const struct trace_event *ev = trace_memsink_get(E.sink, i);

		if (strcmp(ev->name, name) == 0 && nth-- == 0)
			return ev;
	}
	return NULL;
}

static uint64_t ev_u(const struct trace_event *ev, const char *key)
{
	const struct trace_field *f = trace_field_get(ev, key);

	ck_assert_msg(f != NULL, "%s has no field %s", ev->name, key);
	return f->kind == TF_S64 ? (uint64_t)f->v.s : f->v.u;
}

static int64_t ev_s(const struct trace_event *ev, const char *key)
{
	return (int64_t)ev_u(ev, key);
}

static const char *ev_str(const struct trace_event *ev, const char *key)
{
	const struct trace_field *f = trace_field_get(ev, key);

	ck_assert_msg(f != NULL && f->kind == TF_STR, "%s has no string field %s", ev->name, key);
	return f->v.str ? f->v.str : "";
}

/* bio_submit events of operation @op ("READ" / "WRITE") on our device. */
static unsigned bios(const char *op)
{
	unsigned n = 0;

	for (size_t i = 0; i < trace_memsink_count(E.sink); i++) {
		const struct trace_event *ev = trace_memsink_get(E.sink, i);

		if (strcmp(ev->name, "bio_submit") == 0 && strcmp(ev_str(ev, "op"), op) == 0)
			n++;
	}
	return n;
}

/* Whether the "|"-joined flag string @flags contains the word @word. */
static bool has_flag(const char *flags, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = flags; (p = strstr(p, word)); p += n)
		if ((p == flags || p[-1] == '|') && (p[n] == '\0' || p[n] == '|'))
			return true;
	return false;
}

/* How many bio_submit events of @op carry flag @flag. */
static unsigned bios_with_flag(const char *op, const char *flag)
{
	unsigned n = 0;

	for (size_t i = 0; i < trace_memsink_count(E.sink); i++) {
		const struct trace_event *ev = trace_memsink_get(E.sink, i);

		if (strcmp(ev->name, "bio_submit") == 0 && strcmp(ev_str(ev, "op"), op) == 0 &&
		    has_flag(ev_str(ev, "flags"), flag))
			n++;
	}
	return n;
}

static void clear_events(void)
{
	trace_remove_sink(E.sink);
	trace_sink_free(E.sink);
	E.sink = trace_memsink_new();
	ck_assert_ptr_nonnull(E.sink);
	trace_add_sink(E.sink);
}

/*
 * ---------------------------------------------------------------------
 * Issuing requests
 * ---------------------------------------------------------------------
 */

/* What ki_complete saw (it may run on another thread). */
static struct kc {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int calls;
	long ret;
	pthread_t thread;
	ssize_t (*dio_complete)(void *data);
	void *private;
} KC = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0, NULL, NULL };

static void kc_record(struct kiocb *iocb, long ret)
{
	pthread_mutex_lock(&KC.lock);
	KC.calls++;
	KC.ret = ret;
	KC.thread = pthread_self();
	KC.dio_complete = iocb->dio_complete;
	KC.private = iocb->private;
	pthread_cond_broadcast(&KC.cond);
	pthread_mutex_unlock(&KC.lock);
}

static int kc_calls(void)
{
	int n;

	pthread_mutex_lock(&KC.lock);
	n = KC.calls;
	pthread_mutex_unlock(&KC.lock);
	return n;
}

/* Wait up to @ms for ki_complete to have been called @calls times. */
static bool kc_wait(int calls, int ms)
{
	struct timespec until;
	bool ok;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (long)(ms % 1000) * 1000000;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&KC.lock);
	while (KC.calls < calls)
		if (pthread_cond_timedwait(&KC.cond, &KC.lock, &until) != 0)
			break;
	ok = KC.calls >= calls;
	pthread_mutex_unlock(&KC.lock);
	return ok;
}

static void msleep(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* A request on tablefs's file: O_DIRECT plus @flags; async if @async. */
static void kio(struct kiocb *iocb, loff_t pos, unsigned flags, bool async)
{
	init_sync_kiocb(iocb, &E.t.file);
	iocb->ki_pos = pos;
	iocb->ki_flags = IOCB_DIRECT | flags;
	if (async)
		iocb->ki_complete = kc_record;
}

/*
 * iomap_dio_rw() with the lock the seed asks of its callers: i_rwsem
 * exclusive for writes, shared for reads (XFS's pattern).  An async
 * request drops it before completing, as the kernel's callers do.
 */
static ssize_t dio_iter(struct kiocb *iocb, struct iov_iter *it, unsigned dio_flags,
			const struct iomap_dio_ops *dops, size_t done_before)
{
	ssize_t ret;

	if (it->dir == ITER_SOURCE)
		inode_lock(&E.t.inode);
	else
		inode_lock_shared(&E.t.inode);
	ret = iomap_dio_rw(iocb, it, &tablefs_ops, dops, dio_flags, NULL, done_before);
	if (it->dir == ITER_SOURCE)
		inode_unlock(&E.t.inode);
	else
		inode_unlock_shared(&E.t.inode);
	return ret;
}

static ssize_t dio(struct kiocb *iocb, enum iter_dir dir, void *buf, size_t len,
		   unsigned dio_flags, const struct iomap_dio_ops *dops)
{
	struct kvec kv = { buf, len };
	struct iov_iter it;

	iov_iter_kvec(&it, dir, &kv, 1, len);
	return dio_iter(iocb, &it, dio_flags, dops, 0);
}

/* A synchronous O_DIRECT write / read at @pos. */
static ssize_t dwrite(loff_t pos, void *buf, size_t len)
{
	struct kiocb iocb;

	kio(&iocb, pos, 0, false);
	return dio(&iocb, ITER_SOURCE, buf, len, 0, NULL);
}

static ssize_t dread(loff_t pos, void *buf, size_t len)
{
	struct kiocb iocb;

	kio(&iocb, pos, 0, false);
	return dio(&iocb, ITER_DEST, buf, len, 0, NULL);
}

/* ->iomap_begin calls recorded by tablefs. */
static unsigned begins(void)
{
	unsigned n = 0;

	for (unsigned i = 0; i < E.t.nr_calls; i++)
		n += !E.t.calls[i].end;
	return n;
}

/*
 * ---------------------------------------------------------------------
 * iomap_dio_ops that record what they see
 * ---------------------------------------------------------------------
 */
#define REC_MAX 16
#define TBIO_MAGIC 0x7ab10b10u

/* A bio with the filesystem's data in front (allocated from tbio_set). */
struct tbio {
	uint32_t magic;
	loff_t file_offset;
	struct bio bio; /* last, as bio_set front_pad requires */
};

static struct bio_set tbio_set = { .front_pad = offsetof(struct tbio, bio) };

static struct rec {
	int submits;
	loff_t submit_off[REC_MAX];
	sector_t submit_sector[REC_MAX];
	unsigned submit_size[REC_MAX];
	bool submit_from_set[REC_MAX];
	int dio_count_at_submit;
	bool cache_seen_at_submit;  /* a folio over the request at submission */
	bool add_folio_at_submit;   /* play a racing buffered reader */
	bool custom_end;            /* set rec_bio_end_io as bi_end_io */
	bool gated;                 /* ... and make it wait at the gate */
	int bio_ends;               /* rec_bio_end_io calls (atomic) */
	int bad_magic;              /* rec_bio_end_io found a foreign pad (atomic) */
	loff_t req_pos;             /* first byte of the request (for the cache check) */
	size_t req_len;
	int end_ios;                /* end_io calls (atomic) */
	ssize_t end_size;
	int end_error;
	unsigned end_flags;
	loff_t end_ki_pos;
	int end_dio_count;
	int end_ret;                /* what end_io returns */
} R;

/*
 * A gate that bi_end_io waits at (concurrent mode): while it is closed no
 * bio of the request can end, so an async request is certain to be queued
 * (-EIOCBQUEUED) rather than finished by the time the submitter drops its
 * reference -- a fast backend would otherwise make that a race.
 */
static struct gate {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool open;
	int passed;
	pthread_t thread; /* the thread that ran the last gated bi_end_io */
} G = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false, 0, 0 };

static void gate_pass(void)
{
	pthread_mutex_lock(&G.lock);
	G.thread = pthread_self();
	while (!G.open)
		pthread_cond_wait(&G.cond, &G.lock);
	G.passed++;
	pthread_mutex_unlock(&G.lock);
}

static void gate_set(bool open)
{
	pthread_mutex_lock(&G.lock);
	G.open = open;
	pthread_cond_broadcast(&G.cond);
	pthread_mutex_unlock(&G.lock);
}

static void *gate_open_later(void *arg)
{
	msleep((int)(intptr_t)arg);
	gate_set(true);
	return NULL;
}

static void rec_bio_end_io(struct bio *bio)
{
	if (R.gated)
		gate_pass();
	if (bio->bi_pool == &tbio_set &&
	    container_of(bio, struct tbio, bio)->magic != TBIO_MAGIC)
		__atomic_add_fetch(&R.bad_magic, 1, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&R.bio_ends, 1, __ATOMIC_SEQ_CST);
	iomap_dio_bio_end_io(bio); /* must come last: it may free the bio */
}

static void rec_submit_io(const struct iomap_iter *iter, struct bio *bio, loff_t file_offset)
{
	int n = R.submits++;

	(void)iter;
	if (n < REC_MAX) {
		R.submit_off[n] = file_offset;
		R.submit_sector[n] = bio->bi_sector;
		R.submit_size[n] = bio->bi_size;
		R.submit_from_set[n] = bio->bi_pool == &tbio_set;
	}
	R.dio_count_at_submit = dio_count();
	for (loff_t p = R.req_pos; p < R.req_pos + (loff_t)R.req_len; p += (loff_t)PAGE_SIZE)
		if (cached((pgoff_t)(p >> PAGE_SHIFT)))
			R.cache_seen_at_submit = true;
	if (R.add_folio_at_submit)
		cache_folio((pgoff_t)(R.req_pos >> PAGE_SHIFT), 0x3c, false);
	if (bio->bi_pool == &tbio_set) {
		struct tbio *tb = container_of(bio, struct tbio, bio);

		tb->magic = TBIO_MAGIC;
		tb->file_offset = file_offset;
	}
	if (R.custom_end || R.gated)
		bio->bi_end_io = rec_bio_end_io;
	submit_bio(bio);
}

static int rec_end_io(struct kiocb *iocb, ssize_t size, int error, unsigned flags)
{
	R.end_size = size;
	R.end_error = error;
	R.end_flags = flags;
	R.end_ki_pos = iocb->ki_pos;
	R.end_dio_count = dio_count();
	__atomic_add_fetch(&R.end_ios, 1, __ATOMIC_SEQ_CST);
	return R.end_ret ? R.end_ret : error;
}

static const struct iomap_dio_ops rec_ops = {
	.submit_io = rec_submit_io,
	.end_io = rec_end_io,
};

static const struct iomap_dio_ops rec_set_ops = {
	.submit_io = rec_submit_io,
	.end_io = rec_end_io,
	.bio_set = &tbio_set,
};

static void rec_reset(loff_t pos, size_t len)
{
	memset(&R, 0, sizeof(R));
	R.req_pos = pos;
	R.req_len = len;
}

/*
 * =====================================================================
 * dio-1: return values
 * =====================================================================
 */

/* dio-1.1: bytes; the data is on the device at the mapped address and reads back. */
START_TEST(dio_1_1_bytes)
{
	static const struct {
		loff_t pos;
		size_t len;
	} cases[] = {
		{ 0, 512 },           /* one sector */
		{ 512, 512 },         /* sector inside a block */
		{ 3584, 1024 },       /* crossing a block boundary */
		{ 4096, 4096 },       /* one block */
		{ 60 * K, 4 * K },    /* the last block before EOF */
		{ 0, 64 * K },        /* the whole file */
	};

	if (!open_dev(_i, 512, 0))
		return;
	tablefs_add(&E.t, 0, 64 * K, IOMAP_MAPPED, 0, ADDR_A);
	for (size_t c = 0; c < ARRAY_SIZE(cases); c++) {
		size_t len = cases[c].len;
		loff_t pos = cases[c].pos;
		void *data = pattern(len, (unsigned)c + 1);
		void *back = abuf(len, 0xee);
		struct kvec kv = { data, len };
		struct iov_iter it;
		struct kiocb iocb;

		dev_fill(ADDR_A, 64 * K, 0xaa);
		kio(&iocb, pos, 0, false);
		iov_iter_kvec(&it, ITER_SOURCE, &kv, 1, len);
		ck_assert_int_eq(dio_iter(&iocb, &it, 0, NULL, 0), (ssize_t)len);
		ck_assert_int_eq(iocb.ki_pos, pos + (loff_t)len); /* advanced */
		ck_assert_uint_eq(iov_iter_count(&it), 0);
		assert_dev_equals(ADDR_A + (uint64_t)pos, data, len, "written data");
		if (pos)
			assert_dev_bytes(ADDR_A, (size_t)pos, 0xaa, "before the write");
		if (pos + (loff_t)len < 64 * K)
			assert_dev_bytes(ADDR_A + (uint64_t)pos + len, (size_t)(64 * K - pos) - len,
					 0xaa, "after the write");
		ck_assert_int_eq(dread(pos, back, len), (ssize_t)len);
		ck_assert_msg(memcmp(back, data, len) == 0, "case %zu: read back differs", c);
		free(data);
		free(back);
	}
	ck_assert_int_eq(dio_count(), 0);
}
END_TEST

/* dio-1.2: zero length and reads at or after EOF return 0 without mapping anything. */
START_TEST(dio_1_2_zero)
{
	void *buf = abuf(8 * K, 0xcc);
	struct kvec kv = { buf, 4096 };
	struct iov_iter it;
	struct kiocb iocb;

	if (!open_dev(_i, 512, 0))
		return;
	tablefs_add(&E.t, 0, 1 * M, IOMAP_MAPPED, 0, ADDR_A);
	i_size_write(&E.t.inode, 16 * K);
	ck_assert_int_eq(dread(16 * K, buf, 4096), 0);       /* at EOF */
	ck_assert_int_eq(dread(20 * K, buf, 4096), 0);       /* after EOF */
	ck_assert_int_eq(dread(0, buf, 0), 0);               /* zero length */
	ck_assert_int_eq(dwrite(0, buf, 0), 0);
	ck_assert_uint_eq(begins(), 0);
	ck_assert_uint_eq(bios("READ") + bios("WRITE"), 0);
	ck_assert_int_eq(first_not(buf, 8 * K, 0xcc), -1);   /* nothing copied */
	/* The iterator and the position stay where they were. */
	kio(&iocb, 16 * K, 0, false);
	iov_iter_kvec(&it, ITER_DEST, &kv, 1, 4096);
	ck_assert_int_eq(dio_iter(&iocb, &it, 0, NULL, 0), 0);
	ck_assert_uint_eq(iov_iter_count(&it), 4096);
	ck_assert_int_eq(iocb.ki_pos, 16 * K);
	/* An async request that does nothing completes at once, without ki_complete. */
	kio(&iocb, 20 * K, 0, true);
	iov_iter_kvec(&it, ITER_DEST, &kv, 1, 4096);
	ck_assert_int_eq(dio_iter(&iocb, &it, 0, NULL, 0), 0);
	ck_assert_int_eq(kc_calls(), 0);
	ck_assert_int_eq(dio_count(), 0);
	free(buf);
}
END_TEST

/* dio-1.3: a read crossing EOF is short, and the iterator is reverted to EOF. */
START_TEST(dio_1_3_short_read)
{
	static const struct {
		loff_t isize, pos;
		size_t len;
		ssize_t want;
	} cases[] = {
		{ 4096, 0, 8192, 4096 },
		{ 5000, 0, 8192, 5000 },   /* EOF inside a sector */
		{ 6144, 0, 8192, 6144 },
		{ 8191, 0, 8192, 8191 },
		{ 5000, 4096, 4096, 904 },
		{ 8192, 0, 8192, 8192 },   /* ends exactly at EOF: not short */
	};
	void *data;

	if (!open_dev(_i, 512, 0))
		return;
	tablefs_add(&E.t, 0, 64 * K, IOMAP_MAPPED, 0, ADDR_A);
	data = pattern(16 * K, 3);
	ck_assert_int_eq(backend_rw_sync(E.be, BACKEND_WRITE, ADDR_A, data, 16 * K, 0), 0);
	for (size_t c = 0; c < ARRAY_SIZE(cases); c++) {
		void *buf = abuf(cases[c].len, 0xcc);
		struct kvec kv = { buf, cases[c].len };
		struct iov_iter it;
		struct kiocb iocb;

		i_size_write(&E.t.inode, cases[c].isize);
		kio(&iocb, cases[c].pos, 0, false);
		iov_iter_kvec(&it, ITER_DEST, &kv, 1, cases[c].len);
		ck_assert_int_eq(dio_iter(&iocb, &it, 0, NULL, 0), cases[c].want);
		ck_assert_msg(it.consumed == (size_t)cases[c].want,
			      "case %zu: iterator consumed %zu, expected %zd", c, it.consumed,
			      cases[c].want);
		ck_assert_uint_eq(iov_iter_count(&it), cases[c].len - (size_t)cases[c].want);
		ck_assert_int_eq(iocb.ki_pos, cases[c].pos + cases[c].want);
		ck_assert(memcmp(buf, (char *)data + cases[c].pos, (size_t)cases[c].want) == 0);
		free(buf);
	}
	free(data);
}
END_TEST

/*
 * dio-1.4: deterministic mode: an async write and an async read return
 * -EIOCBQUEUED and complete (ki_complete once, with the byte count) only
 * when the test delivers the completions.
 */
START_TEST(dio_1_4_queued_deterministic)
{
	void *data, *back;
	struct kiocb iocb;

	if (!open_dev(_i, 512, 0))
		return;
	tablefs_add(&E.t, 0, 64 * K, IOMAP_MAPPED, 0, ADDR_A);
	data = pattern(8 * K, 4);
	back = abuf(8 * K, 0xcc);
	dev_fill(ADDR_A, 64 * K, 0xaa);

	kio(&iocb, 8 * K, 0, true);
	ck_assert_int_eq(dio(&iocb, ITER_SOURCE, data, 8 * K, 0, NULL), -EIOCBQUEUED);
	ck_assert_int_eq(kc_calls(), 0);
	ck_assert_int_eq(dio_count(), 1);
	drive();
	ck_assert_int_eq(kc_calls(), 1);
	ck_assert_int_eq(KC.ret, 8 * K);
	ck_assert(pthread_equal(KC.thread, pthread_self())); /* the driver ran it */
	ck_assert_int_eq(iocb.ki_pos, 16 * K);
	ck_assert_int_eq(dio_count(), 0);
	drive();
	ck_assert_int_eq(kc_calls(), 1); /* exactly once */
	assert_dev_equals(ADDR_A + 8 * K, data, 8 * K, "async write");

	kio(&iocb, 8 * K, 0, true);
	ck_assert_int_eq(dio(&iocb, ITER_DEST, back, 8 * K, 0, NULL), -EIOCBQUEUED);
	ck_assert_int_eq(kc_calls(), 1);
	drive();
	ck_assert_int_eq(kc_calls(), 2);
	ck_assert_int_eq(KC.ret, 8 * K);
	ck_assert(memcmp(back, data, 8 * K) == 0);
	ck_assert_int_eq(dio_count(), 0);
	ck_assert_uint_eq(ev_count("iomap_dio_rw_queued"), 2);
	free(data);
	free(back);
}
END_TEST

/*
 * dio-1.5: concurrent mode: the async write completes on the dio workqueue's
 * thread and the async read inline on the device's completion thread,
 * never on the submitter; ki_complete exactly once each, with the byte
 * count.  The bios wait at a gate until the submitter has returned.
 */
START_TEST(dio_1_5_queued_concurrent)
{
	void *data, *back;
	struct kiocb iocb;

	if (!open_dev(_i, 512, OPT_CONCURRENT))
		return;
	tablefs_add(&E.t, 0, 64 * K, IOMAP_MAPPED, 0, ADDR_A);
	data = pattern(16 * K, 5);
	back = abuf(16 * K, 0xcc);

	rec_reset(0, 16 * K);
	R.gated = true;
	kio(&iocb, 0, 0, true);
	ck_assert_int_eq(dio(&iocb, ITER_SOURCE, data, 16 * K, 0, &rec_ops), -EIOCBQUEUED);
	msleep(20);
	ck_assert_int_eq(kc_calls(), 0); /* held at the gate */
	ck_assert_int_eq(dio_count(), 1);
	gate_set(true);
	ck_assert_msg(kc_wait(1, 5000), "async write never completed");
	ck_assert_int_eq(KC.ret, 16 * K);
	ck_assert(!pthread_equal(KC.thread, pthread_self()));
	ck_assert_msg(!pthread_equal(KC.thread, G.thread),
		      "a write completed on the bio completion thread, not the workqueue");
	ck_assert_int_eq(iocb.ki_pos, 16 * K);
	inode_dio_wait(&E.t.inode);
	assert_dev_equals(ADDR_A, data, 16 * K, "async write");

	gate_set(false);
	kio(&iocb, 0, 0, true);
	ck_assert_int_eq(dio(&iocb, ITER_DEST, back, 16 * K, 0, &rec_ops), -EIOCBQUEUED);
	msleep(20);
	ck_assert_int_eq(kc_calls(), 1);
	gate_set(true);
	ck_assert_msg(kc_wait(2, 5000), "async read never completed");
	ck_assert_int_eq(KC.ret, 16 * K);
	ck_assert(!pthread_equal(KC.thread, pthread_self()));
	ck_assert_msg(pthread_equal(KC.thread, G.thread),
		      "a read did not complete inline in bio completion");
	ck_assert(memcmp(back, data, 16 * K) == 0);
	msleep(20);
	ck_assert_int_eq(kc_calls(), 2); /* no second call for either */
	inode_dio_wait(&E.t.inode);
	ck_assert_int_eq(dio_count(), 0);
	ck_assert_int_eq(R.end_ios, 2);
	free(data);
	free(back);
}
END_TEST

/*
 * dio-1.6: a write whose page cache cannot be invalidated fails with
 * -ENOTBLK before any I/O (fall back to buffered), with the
 * iomap_dio_invalidate_fail event: a dirty folio that writeback leaves
 * dirty, and a clean folio someone holds locked.
 */
START_TEST(dio_1_6_enotblk)
{
	void *data;
	struct kiocb iocb;
	struct folio *folio;
	const struct trace_event *ev;

	if (!open_dev(_i, 512, 0))
		return;
	tablefs_add(&E.t, 0, 64 * K, IOMAP_MAPPED, 0, ADDR_A);
	data = pattern(8 * K, 6);
	dev_fill(ADDR_A, 64 * K, 0xaa);

	/* tablefs.writeback is off: writepages leaves the folio dirty. */
	cache_folio(1, 0x11, true);
	ck_assert_int_eq(dwrite(0, data, 8 * K), -ENOTBLK);
	ck_assert_uint_eq(E.t.writepages, 1); /* it tried to write it back first */
	ck_assert_uint_eq(begins(), 0);
	ck_assert_uint_eq(bios("WRITE"), 0);
	assert_dev_bytes(ADDR_A, 64 * K, 0xaa, "after -ENOTBLK");
	ck_assert_uint_eq(ev_count("iomap_dio_invalidate_fail"), 1);
	ev = ev_nth("iomap_dio_invalidate_fail", 0);
	ck_assert_uint_eq(ev_u(ev, "offset"), 0);
	ck_assert_uint_eq(ev_u(ev, "length"), 8 * K);
	ck_assert_int_eq(dio_count(), 0);
	/* The dirty folio outside the request does not matter. */
	ck_assert_int_eq(dwrite(8 * K, data, 8 * K), 8 * K);
	assert_dev_equals(ADDR_A + 8 * K, data, 8 * K, "write beside the dirty folio");
	/* Async requests fail the same way, synchronously. */
	kio(&iocb, 0, 0, true);
	ck_assert_int_eq(dio(&iocb, ITER_SOURCE, data, 8 * K, 0, NULL), -ENOTBLK);
	ck_assert_int_eq(kc_calls(), 0);

	/* A clean folio locked by someone else (i_rwsem first, as a writer would). */
	ck_assert_int_eq(__filemap_get_folio(E.t.inode.i_mapping, 4, FGP_CREAT, 0, &folio), 0);
	folio_mark_uptodate(folio);
	inode_lock(&E.t.inode);
	folio_lock(folio);
	kio(&iocb, 16 * K, 0, false);
	{
		struct kvec kv = { data, 8 * K };
		struct iov_iter it;

		iov_iter_kvec(&it, ITER_SOURCE, &kv, 1, 8 * K);
		ck_assert_int_eq(iomap_dio_rw(&iocb, &it, &tablefs_ops, NULL, 0, NULL, 0),
				 -ENOTBLK);
	}
	folio_unlock(folio);
	inode_unlock(&E.t.inode);
	folio_put(folio);
	ck_assert_uint_eq(ev_count("iomap_dio_invalidate_fail"), 3);
	ev = ev_nth("iomap_dio_invalidate_fail", 2);
	ck_assert_uint_eq(ev_u(ev, "offset"), 16 * K);
	assert_dev_bytes(ADDR_A + 16 * K, 8 * K, 0xaa, "after -ENOTBLK (locked folio)");
	free(data);
}
END_TEST

/*
 * dio-1.7: offset and length must be aligned to the device's logical
 * block size, memory to its DMA alignment (512 bytes, as Linux 6.18 reports
 * for loop devices of either block size: measured with O_DIRECT on XFS over
 * 512- and 4096-byte loop devices, memory at +512 works, +256 fails):
 * -EINVAL, nothing reaches the device.  512 and 4096 byte devices.
 */
START_TEST(dio_1_7_alignment)
{
	static const struct {
		unsigned lbs;
		loff_t pos;
		size_t len;
		size_t mem_off; /* buffer address misalignment */
		int ok;
	} cases[] = {
		{ 512, 512, 512, 0, 1 },
		{ 512, 4096, 1536, 0, 1 },
		{ 512, 256, 512, 0, 0 },     /* offset */
		{ 512, 0, 100, 0, 0 },       /* length */
		{ 512, 0, 1000, 0, 0 },
		{ 512, 0, 512, 1, 0 },       /* memory */
		{ 4096, 4096, 4096, 0, 1 },
		{ 4096, 0, 8192, 0, 1 },
		{ 4096, 512, 4096, 0, 0 },   /* offset: sector- but not block-aligned */
		{ 4096, 0, 512, 0, 0 },      /* length */
		{ 4096, 0, 6144, 0, 0 },
		{ 4096, 0, 4096, 512, 1 },   /* memory aligned to 512 only: DMA alignment is enough */
		{ 4096, 0, 4096, 256, 0 },   /* memory below the DMA alignment */
		{ 4096, 0, 4096, 1, 0 },
	};
	unsigned opened = 0;

	for (size_t c = 0; c < ARRAY_SIZE(cases); c++) {
		char *mem, *buf;

		if (cases[c].lbs != opened) {
			if (!(opened ? reopen_dev(_i, cases[c].lbs, 0) : open_dev(_i, cases[c].lbs, 0)))
				return;
			opened = cases[c].lbs;
			E.t.nr_ext = 0;
			tablefs_add(&E.t, 0, 64 * K, IOMAP_MAPPED, 0, ADDR_A);
		}
		mem = abuf(16 * K, 0);
		buf = mem + cases[c].mem_off;
		memset(buf, 0x77, cases[c].len);
		dev_fill(ADDR_A, 16 * K, 0xaa);
		clear_events();
		ck_assert_msg(dwrite(cases[c].pos, buf, cases[c].len) ==
				      (cases[c].ok ? (ssize_t)cases[c].len : -EINVAL),
			      "case %zu (lbs %u, pos %lld, len %zu, mem +%zu): write", c, cases[c].lbs,
			      (long long)cases[c].pos, cases[c].len, cases[c].mem_off);
		if (!cases[c].ok) {
			ck_assert_uint_eq(bios("WRITE"), 0);
			assert_dev_bytes(ADDR_A, 16 * K, 0xaa, "after a misaligned write");
		}
		ck_assert_msg(dread(cases[c].pos, buf, cases[c].len) ==
				      (cases[c].ok ? (ssize_t)cases[c].len : -EINVAL),
			      "case %zu (lbs %u, pos %lld, len %zu, mem +%zu): read", c, cases[c].lbs,
			      (long long)cases[c].pos, cases[c].len, cases[c].mem_off);
		if (!cases[c].ok)
			ck_assert_uint_eq(bios("READ"), 0);
		ck_assert_int_eq(dio_count(), 0);
		free(mem);
	}
}
END_TEST

/*
 * dio-1.8: -EIO: a bio that fails (the fault backend, on write and on
 * read), a write over a HOLE mapping, and DELALLOC for either direction
 * (the last two without any bio).
 */
START_TEST(dio_1_8_eio)
{
	void *data, *back;
	struct kiocb iocb;

	if (!open_dev(_i, 512, OPT_FAULT))
		return;
	tablefs_add(&E.t, 0, 16 * K, IOMAP_MAPPED, 0, ADDR_A);
	tablefs_add(&E.t, 16 * K, 16 * K, IOMAP_MAPPED, 0, ADDR_B);
	tablefs_add(&E.t, 48 * K, 8 * K, IOMAP_DELALLOC, 0, IOMAP_NULL_ADDR);
	/* [32k, 48k) and [56k, 64k) are holes */
	data = pattern(32 * K, 8);
	back = abuf(32 * K, 0xcc);

	fault_set_eio(E.be, BACKEND_WRITE, FAULT_ONCE, 0);
	ck_assert_int_eq(dwrite(0, data, 4 * K), -EIO);
	/* The second of two bios fails: the whole request fails (invariant (2)). */
	fault_set_eio(E.be, BACKEND_WRITE, FAULT_ONCE, 1);
	ck_assert_int_eq(dwrite(12 * K, data, 8 * K), -EIO);
	ck_assert_uint_eq(bios("WRITE"), 3);
	fault_set_eio(E.be, BACKEND_READ, FAULT_ONCE, 0);
	ck_assert_int_eq(dread(0, back, 4 * K), -EIO);
	/* Async: the error arrives through ki_complete. */
	fault_set_eio(E.be, BACKEND_WRITE, FAULT_ONCE, 0);
	kio(&iocb, 0, 0, true);
	ck_assert_int_eq(dio(&iocb, ITER_SOURCE, data, 4 * K, 0, NULL), -EIOCBQUEUED);
	drive();
	ck_assert_int_eq(kc_calls(), 1);
	ck_assert_int_eq(KC.ret, -EIO);
	ck_assert_int_eq(iocb.ki_pos, 0); /* no progress reported */
	/* Passing through again once the fault is spent. */
	ck_assert_int_eq(dwrite(0, data, 4 * K), 4 * K);

	/* (The iterator's contract check refuses a HOLE for a write as well.) */
	clear_events();
	ck_assert_int_eq(dwrite(32 * K, data, 4 * K), -EIO);     /* HOLE */
	ck_assert_int_eq(dwrite(48 * K, data, 4 * K), -EIO);     /* DELALLOC */
	ck_assert_int_eq(dread(48 * K, back, 4 * K), -EIO);      /* DELALLOC */
	ck_assert_uint_eq(bios("WRITE") + bios("READ"), 0);
	ck_assert_int_eq(dio_count(), 0);
	free(data);
	free(back);
}
END_TEST

/*
 * dio-1.9: -EFAULT when the caller's memory faults before anything moved
 * (fault_at = 0): mapped write and read, and a read of a hole; also with
 * IOMAP_DIO_PARTIAL, since there is no progress to report.
 */
START_TEST(dio_1_9_efault)
{
	static const struct {
		enum iter_dir dir;
		loff_t pos;
		unsigned dio_flags;
	} cases[] = {
		{ ITER_SOURCE, 0, 0 },
		{ ITER_DEST, 0, 0 },
		{ ITER_DEST, 32 * K, 0 }, /* hole */
		{ ITER_SOURCE, 0, IOMAP_DIO_PARTIAL },
		{ ITER_DEST, 32 * K, IOMAP_DIO_PARTIAL },
	};

	if (!open_dev(_i, 512, 0))
		return;
	tablefs_add(&E.t, 0, 16 * K, IOMAP_MAPPED, 0, ADDR_A);
	dev_fill(ADDR_A, 16 * K, 0xaa);
	for (size_t c = 0; c < ARRAY_SIZE(cases); c++) {
		void *buf = abuf(8 * K, 0xcc);
		struct kvec kv = { buf, 8 * K };
		struct iov_iter it;
		struct kiocb iocb;

		clear_events();
		kio(&iocb, cases[c].pos, 0, false);
		iov_iter_kvec(&it, cases[c].dir, &kv, 1, 8 * K);
		it.fault_at = 0;
		ck_assert_msg(dio_iter(&iocb, &it, cases[c].dio_flags, NULL, 0) == -EFAULT,
			      "case %zu", c);
		ck_assert_int_eq(iocb.ki_pos, cases[c].pos);
		ck_assert_uint_eq(bios("WRITE") + bios("READ"), 0);
		ck_assert_int_eq(first_not(buf, 8 * K, 0xcc), -1);
		ck_assert_int_eq(dio_count(), 0);
		free(buf);
	}
	assert_dev_bytes(ADDR_A, 16 * K, 0xaa, "after -EFAULT");
}
END_TEST

/*
 * dio-1.10: errors of ->iomap_begin: a plain error is the result; -ENOTBLK
 * after some progress is a short count (the caller falls back to buffered
 * I/O for the rest), and before any progress a count of 0.
 */
START_TEST(dio_1_10_begin_errors)
{
	void *data;

	if (!open_dev(_i, 512, 0))
		return;
	tablefs_add(&E.t, 0, 4 * K, IOMAP_MAPPED, 0, ADDR_A);
	tablefs_add(&E.t, 4 * K, 60 * K, IOMAP_MAPPED, 0, ADDR_B);
	data = pattern(8 * K, 10);
	dev_fill(ADDR_A, 4 * K, 0xaa);

	E.t.begin_error = -ENOSPC;
	ck_assert_int_eq(dwrite(0, data, 8 * K), -ENOSPC);
	assert_dev_bytes(ADDR_A, 4 * K, 0xaa, "after -ENOSPC");

	E.t.begin_error = -ENOTBLK;
	E.t.nr_begins = 0;
	E.t.begin_error_after = 1; /* the second mapping fails */
	ck_assert_int_eq(dwrite(0, data, 8 * K), 4 * K);
	assert_dev_equals(ADDR_A, data, 4 * K, "first mapping before -ENOTBLK");
	E.t.nr_begins = 0;
	E.t.begin_error_after = 0;
	ck_assert_int_eq(dwrite(0, data, 8 * K), 0);
	ck_assert_int_eq(dio_count(), 0);
	free(data);
}
END_TEST

/*
 * =====================================================================
 * dio-2: dio flags
 * =====================================================================
 */

/* dio-2.1: FORCE_WAIT: an async kiocb is waited for; bytes, no ki_complete. */
START_TEST(dio_2_1_force_wait)
{
	void *data, *back;
	struct kiocb iocb;

	if (!open_dev(_i, 512, 0))
		return;
	tablefs_add(&E.t, 0, 64 * K, IOMAP_MAPPED, 0, ADDR_A);
	data = pattern(8 * K, 11);
	back = abuf(8 * K, 0xcc);
	kio(&iocb, 0, 0, true);
	ck_assert_int_eq(dio(&iocb, ITER_SOURCE, data, 8 * K, IOMAP_DIO_FORCE_WAIT, NULL), 8 * K);
	ck_assert_int_eq(iocb.ki_pos, 8 * K);
	ck_assert_int_eq(dio_count(), 0);
	assert_dev_equals(ADDR_A, data, 8 * K, "FORCE_WAIT write");
	kio(&iocb, 0, 0, true);
	ck_assert_int_eq(dio(&iocb, ITER_DEST, back, 8 * K, IOMAP_DIO_FORCE_WAIT, NULL), 8 * K);
	ck_assert(memcmp(back, data, 8 * K) == 0);
	drive();
	ck_assert_int_eq(kc_calls(), 0);
	ck_assert_uint_eq(ev_count("iomap_dio_rw_queued"), 0);
	free(data);
	free(back);
}
END_TEST

/*
 * dio-2.2: OVERWRITE_ONLY: -EAGAIN (before any mapping) for a write at or
 * past EOF or extending the file; inside EOF ->iomap_begin sees
 * IOMAP_OVERWRITE_ONLY.
 */
START_TEST(dio_2_2_overwrite_only)
{
	void *data;

	if (!open_dev(_i, 512, 0))
		return;
	tablefs_add(&E.t, 0, 64 * K, IOMAP_MAPPED, 0, ADDR_A);
	i_size_write(&E.t.inode, 16 * K);
	data = pattern(8 * K, 12);
	dev_fill(ADDR_A, 64 * K, 0xaa);
	{
		struct kiocb iocb;

		kio(&iocb, 16 * K, 0, false); /* at EOF */
		ck_assert_int_eq(dio(&iocb, ITER_SOURCE, data, 4 * K, IOMAP_DIO_OVERWRITE_ONLY, NULL),
				 -EAGAIN);
		kio(&iocb, 20 * K, 0, false); /* past EOF */
		ck_assert_int_eq(dio(&iocb, ITER_SOURCE, data, 4 * K, IOMAP_DIO_OVERWRITE_ONLY, NULL),
				 -EAGAIN);
		kio(&iocb, 12 * K, 0, false); /* extending */
		ck_assert_int_eq(dio(&iocb, ITER_SOURCE, data, 8 * K, IOMAP_DIO_OVERWRITE_ONLY, NULL),
				 -EAGAIN);
		ck_assert_uint_eq(begins(), 0);
		assert_dev_bytes(ADDR_A, 64 * K, 0xaa, "after -EAGAIN");
		kio(&iocb, 8 * K, 0, false); /* ends exactly at EOF */
		ck_assert_int_eq(dio(&iocb, ITER_SOURCE, data, 8 * K, IOMAP_DIO_OVERWRITE_ONLY, NULL),
				 8 * K);
	}
	ck_assert_uint_ge(begins(), 1);
	ck_assert_uint_eq(E.t.calls[0].flags, IOMAP_DIRECT | IOMAP_WRITE | IOMAP_OVERWRITE_ONLY);
	assert_dev_equals(ADDR_A + 8 * K, data, 8 * K, "overwrite");
	free(data);
}
END_TEST

/*
 * dio-2.3: PARTIAL: memory that faults part way returns the bytes done
 * (data on the device, position advanced); the retry with done_before
 * returns the sum.  Without PARTIAL the same fault fails the request with
 * -EFAULT (the kernel records it as the dio's error).  An async kiocb with
 * PARTIAL and a partial result is waited for, not queued.
 */
START_TEST(dio_2_3_partial)
{
	static const enum iter_dir dirs[] = { ITER_SOURCE, ITER_DEST };
	void *data;

	if (!open_dev(_i, 512, 0))
		return;
	tablefs_add(&E.t, 0, 64 * K, IOMAP_MAPPED, 0, ADDR_A);
	data = pattern(16 * K, 13);
	for (size_t d = 0; d < ARRAY_SIZE(dirs); d++) {
		bool wr = dirs[d] == ITER_SOURCE;
		void *buf = wr ? data : abuf(16 * K, 0xcc);
		struct kvec kv = { buf, 16 * K };
		struct iov_iter it;
		struct kiocb iocb;

		if (wr)
			dev_fill(ADDR_A, 64 * K, 0xaa);
		/* Without PARTIAL */
		kio(&iocb, 0, 0, false);
		iov_iter_kvec(&it, dirs[d], &kv, 1, 16 * K);
		it.fault_at = 4 * K;
		ck_assert_int_eq(dio_iter(&iocb, &it, 0, NULL, 0), -EFAULT);
		ck_assert_int_eq(iocb.ki_pos, 0);
		/* With PARTIAL, then the retry */
		kio(&iocb, 0, 0, false);
		iov_iter_kvec(&it, dirs[d], &kv, 1, 16 * K);
		it.fault_at = 4 * K;
		ck_assert_int_eq(dio_iter(&iocb, &it, IOMAP_DIO_PARTIAL, NULL, 0), 4 * K);
		ck_assert_int_eq(iocb.ki_pos, 4 * K);
		ck_assert_uint_eq(iov_iter_count(&it), 12 * K);
		if (wr) {
			assert_dev_equals(ADDR_A, data, 4 * K, "partial write");
			assert_dev_bytes(ADDR_A + 4 * K, 12 * K, 0xaa, "beyond the fault");
		} else {
			ck_assert(memcmp(buf, data, 4 * K) == 0);
			ck_assert_int_eq(first_not((char *)buf + 4 * K, 12 * K, 0xcc), -1);
		}
		it.fault_at = SIZE_MAX; /* the caller faulted the rest in */
		ck_assert_int_eq(dio_iter(&iocb, &it, IOMAP_DIO_PARTIAL, NULL, 4 * K), 16 * K);
		ck_assert_int_eq(iocb.ki_pos, 16 * K);
		if (wr)
			assert_dev_equals(ADDR_A, data, 16 * K, "after the retry");
		else
			ck_assert(memcmp(buf, data, 16 * K) == 0);
		/* Async with PARTIAL: the partial result is returned, not queued. */
		kio(&iocb, 0, 0, true);
		iov_iter_kvec(&it, dirs[d], &kv, 1, 16 * K);
		it.fault_at = 8 * K;
		ck_assert_int_eq(dio_iter(&iocb, &it, IOMAP_DIO_PARTIAL, NULL, 0), 8 * K);
		drive();
		ck_assert_int_eq(kc_calls(), 0);
		ck_assert_int_eq(dio_count(), 0);
		if (!wr)
			free(buf);
	}
	free(data);
}
END_TEST

/*
 * =====================================================================
 * dio-3: kiocb flags
 * =====================================================================
 */

/* dio-3.1: IOCB_NOWAIT becomes IOMAP_NOWAIT in ->iomap_begin's flags. */
START_TEST(dio_3_1_nowait_flags)
{
	void *buf;
	struct kiocb iocb;

	if (!open_dev(_i, 512, 0))
		return;
	tablefs_add(&E.t, 0, 64 * K, IOMAP_MAPPED, 0, ADDR_A);
	buf = pattern(4 * K, 14);
	kio(&iocb, 0, IOCB_NOWAIT, false);
	ck_assert_int_eq(dio(&iocb, ITER_DEST, buf, 4 * K, 0, NULL), 4 * K);
	ck_assert_uint_eq(E.t.calls[0].flags, IOMAP_DIRECT | IOMAP_NOWAIT);
	E.t.nr_calls = 0;
	kio(&iocb, 0, IOCB_NOWAIT, false);
	ck_assert_int_eq(dio(&iocb, ITER_SOURCE, buf, 4 * K, 0, NULL), 4 * K);
	ck_assert_uint_eq(E.t.calls[0].flags, IOMAP_DIRECT | IOMAP_WRITE | IOMAP_NOWAIT);
	free(buf);
}
END_TEST

/*
 * dio-3.2: IOCB_NOWAIT: -EAGAIN when a read would have to write back dirty
 * cache, or a write would have to invalidate cached folios; nothing is
 * written back, mapped or submitted.  Without NOWAIT both go through.
 */
START_TEST(dio_3_2_nowait_eagain)
{
	void *buf;
	struct kiocb iocb;

	if (!open_dev(_i, 512, 0))
		return;
	tablefs_add(&E.t, 0, 64 * K, IOMAP_MAPPED, 0, ADDR_A);
	E.t.writeback = true;
	buf = abuf(4 * K, 0xcc);
	cache_folio(0, 0x21, true);
	kio(&iocb, 0, IOCB_NOWAIT, false);
	ck_assert_int_eq(dio(&iocb, ITER_DEST, buf, 4 * K, 0, NULL), -EAGAIN);
	ck_assert_uint_eq(E.t.writepages, 0);
	ck_assert_uint_eq(begins(), 0);
	ck_assert_int_eq(first_not(buf, 4 * K, 0xcc), -1);
	kio(&iocb, 0, 0, false);
	ck_assert_int_eq(dio(&iocb, ITER_DEST, buf, 4 * K, 0, NULL), 4 * K);
	ck_assert_uint_ge(E.t.writepages, 1);
	ck_assert_int_eq(first_not(buf, 4 * K, 0x21), -1); /* written back, then read */

	/* The folio is clean now but still cached: a NOWAIT write must not drop it. */
	ck_assert(cached(0));
	E.t.nr_calls = 0;
	clear_events();
	kio(&iocb, 0, IOCB_NOWAIT, false);
	memset(buf, 0x22, 4 * K);
	ck_assert_int_eq(dio(&iocb, ITER_SOURCE, buf, 4 * K, 0, NULL), -EAGAIN);
	ck_assert(cached(0));
	ck_assert_uint_eq(begins(), 0);
	ck_assert_uint_eq(bios("WRITE"), 0);
	kio(&iocb, 0, 0, false);
	ck_assert_int_eq(dio(&iocb, ITER_SOURCE, buf, 4 * K, 0, NULL), 4 * K);
	ck_assert(!cached(0));
	assert_dev_bytes(ADDR_A, 4 * K, 0x22, "write after the cache was dropped");
	free(buf);
}
END_TEST

/*
 * dio-3.3: O_DSYNC / O_SYNC: a pure overwrite of a MAPPED extent that is
 * neither DIRTY nor SHARED goes out as FUA and needs no fsync; IOCB_SYNC,
 * unwritten / new / dirty / shared space need f_op->fsync after the write.
 */
START_TEST(dio_3_3_dsync)
{
	static const struct {
		uint16_t type, flags;
		unsigned iocb_flags;
		bool fua;
		unsigned fsyncs;
		int datasync;
	} cases[] = {
		{ IOMAP_MAPPED, 0, IOCB_DSYNC, true, 0, -1 },
		{ IOMAP_MAPPED, 0, IOCB_DSYNC | IOCB_SYNC, false, 1, 0 },
		{ IOMAP_UNWRITTEN, 0, IOCB_DSYNC, false, 1, 1 },
		{ IOMAP_MAPPED, IOMAP_F_NEW, IOCB_DSYNC, false, 1, 1 },
		{ IOMAP_MAPPED, IOMAP_F_DIRTY, IOCB_DSYNC, false, 1, 1 },
		{ IOMAP_MAPPED, IOMAP_F_SHARED, IOCB_DSYNC, false, 1, 1 },
		{ IOMAP_MAPPED, 0, 0, false, 0, -1 },
	};
	void *data;

	if (!open_dev(_i, 512, 0))
		return;
	data = pattern(8 * K, 15);
	for (size_t c = 0; c < ARRAY_SIZE(cases); c++) {
		for (int async = 0; async < 2; async++) {
			struct kiocb iocb;
			ssize_t ret;

			E.t.nr_ext = 0;
			tablefs_add(&E.t, 0, 64 * K, cases[c].type, cases[c].flags, ADDR_A);
			E.t.fsyncs = 0;
			E.t.last_fsync_datasync = -1;
			clear_events();
			kio(&iocb, 8 * K, cases[c].iocb_flags, async);
			ret = dio(&iocb, ITER_SOURCE, data, 8 * K, 0, NULL);
			if (async) {
				ck_assert_int_eq(ret, -EIOCBQUEUED);
				drive();
				ck_assert_int_eq(KC.ret, 8 * K);
			} else {
				ck_assert_int_eq(ret, 8 * K);
			}
			ck_assert_msg(bios_with_flag("WRITE", "FUA") == (cases[c].fua ? bios("WRITE") : 0),
				      "case %zu%s: %u of %u bios FUA", c, async ? " (async)" : "",
				      bios_with_flag("WRITE", "FUA"), bios("WRITE"));
			ck_assert_msg(E.t.fsyncs == cases[c].fsyncs, "case %zu%s: %u fsyncs", c,
				      async ? " (async)" : "", E.t.fsyncs);
			if (cases[c].fsyncs)
				ck_assert_int_eq(E.t.last_fsync_datasync, cases[c].datasync);
			assert_dev_equals(ADDR_A + 8 * K, data, 8 * K, "O_DSYNC write");
		}
	}
	ck_assert_uint_ge(bios("WRITE"), 1);
	free(data);
}
END_TEST

/* A thread that polls the file until ki_complete has run. */
static struct poller {
	struct kiocb *iocb;
	pthread_t self;
	int polls;
} P;

static void *poll_thread(void *arg)
{
	(void)arg;
	P.self = pthread_self();
	for (int i = 0; i < 5000 && kc_calls() == 0; i++) {
		P.polls += E.t.file.f_op->iopoll(P.iocb); /* tablefs wires iocb_bio_iopoll */
		if (kc_calls() == 0)
			msleep(1);
	}
	return NULL;
}

/*
 * dio-3.4: IOCB_HIPRI: an async single-bio read is polled: its bio carries
 * HIPRI, and (concurrent mode) it completes only when someone polls, on
 * the polling thread; (deterministic mode) iocb_bio_iopoll() runs it.
 */
START_TEST(dio_3_4_hipri_polled)
{
	void *data, *back;
	struct kiocb iocb;
	pthread_t th;

	if (!open_dev(_i, 512, 0))
		return;
	tablefs_add(&E.t, 0, 64 * K, IOMAP_MAPPED, 0, ADDR_A);
	data = pattern(8 * K, 16);
	back = abuf(8 * K, 0xcc);
	ck_assert_int_eq(backend_rw_sync(E.be, BACKEND_WRITE, ADDR_A, data, 8 * K, 0), 0);

	/* Deterministic */
	kio(&iocb, 0, IOCB_HIPRI, true);
	ck_assert_int_eq(dio(&iocb, ITER_DEST, back, 8 * K, 0, NULL), -EIOCBQUEUED);
	ck_assert_uint_eq(bios_with_flag("READ", "HIPRI"), 1);
	ck_assert_int_eq(kc_calls(), 0);
	backend_drain(E.be);
	for (int i = 0; i < 1000 && kc_calls() == 0; i++)
		iocb_bio_iopoll(&iocb);
	ck_assert_int_eq(kc_calls(), 1);
	ck_assert_int_eq(KC.ret, 8 * K);
	ck_assert(memcmp(back, data, 8 * K) == 0);

	/* Concurrent (a new device: the data again) */
	ck_assert(reopen_dev(_i, 512, OPT_CONCURRENT));
	ck_assert_int_eq(backend_rw_sync(E.be, BACKEND_WRITE, ADDR_A, data, 8 * K, 0), 0);
	KC.calls = 0;
	clear_events();
	memset(back, 0xcc, 8 * K);
	kio(&iocb, 0, IOCB_HIPRI, true);
	ck_assert_int_eq(dio(&iocb, ITER_DEST, back, 8 * K, 0, NULL), -EIOCBQUEUED);
	ck_assert_uint_eq(bios_with_flag("READ", "HIPRI"), 1);
	msleep(50);
	ck_assert_msg(kc_calls() == 0, "a polled bio was completed without polling");
	P.iocb = &iocb;
	ck_assert_int_eq(pthread_create(&th, NULL, poll_thread, NULL), 0);
	pthread_join(th, NULL);
	ck_assert_int_eq(kc_calls(), 1);
	ck_assert_int_eq(KC.ret, 8 * K);
	ck_assert_msg(pthread_equal(KC.thread, P.self), "completion did not run on the poller");
	ck_assert(memcmp(back, data, 8 * K) == 0);
	inode_dio_wait(&E.t.inode);
	free(data);
	free(back);
}
END_TEST

/*
 * dio-3.5: IOCB_HIPRI is ignored where polling cannot work: a synchronous
 * request, an async write that completes on the workqueue, and an async
 * read of more than one bio; none has a HIPRI bio, and the async ones
 * complete without polling (concurrent mode).
 */
START_TEST(dio_3_5_hipri_not_polled)
{
	const size_t big = 1 * M + 4 * K; /* more than one bio (1 MiB each) */
	void *data, *back;
	struct kiocb iocb;

	if (!open_dev(_i, 512, OPT_CONCURRENT))
		return;
	tablefs_add(&E.t, 0, 64 * K, IOMAP_UNWRITTEN, 0, ADDR_A);
	tablefs_add(&E.t, 64 * K, 4 * M, IOMAP_MAPPED, 0, ADDR_B);
	i_size_write(&E.t.inode, 4 * M);
	data = pattern(big, 17);
	back = abuf(big, 0xcc);
	kio(&iocb, 0, IOCB_HIPRI, false);
	ck_assert_int_eq(dio(&iocb, ITER_SOURCE, data, 8 * K, 0, NULL), 8 * K);

	rec_reset(8 * K, 8 * K);
	R.gated = true;
	kio(&iocb, 8 * K, IOCB_HIPRI, true);
	ck_assert_int_eq(dio(&iocb, ITER_SOURCE, data, 8 * K, 0, &rec_ops), -EIOCBQUEUED);
	gate_set(true);
	ck_assert_msg(kc_wait(1, 5000), "unpolled async write never completed");
	ck_assert_int_eq(KC.ret, 8 * K);
	ck_assert_uint_eq(bios_with_flag("WRITE", "HIPRI"), 0);
	inode_dio_wait(&E.t.inode);

	ck_assert_int_eq(backend_rw_sync(E.be, BACKEND_WRITE, ADDR_B, data, big, 0), 0);
	clear_events();
	gate_set(false);
	kio(&iocb, 64 * K, IOCB_HIPRI, true);
	ck_assert_int_eq(dio(&iocb, ITER_DEST, back, big, 0, &rec_ops), -EIOCBQUEUED);
	ck_assert_uint_eq(bios("READ"), 2);
	ck_assert_uint_eq(bios_with_flag("READ", "HIPRI"), 0);
	gate_set(true);
	ck_assert_msg(kc_wait(2, 5000), "unpolled multi-bio read never completed");
	ck_assert_int_eq(KC.ret, (long)big);
	ck_assert(memcmp(back, data, big) == 0);
	inode_dio_wait(&E.t.inode);
	free(data);
	free(back);
}
END_TEST

/*
 * dio-3.6: IOCB_DIO_CALLER_COMP: an async pure overwrite ends with
 * ki_complete(iocb, 0) and iocb->dio_complete set; the request stays open
 * (i_dio_count) until the issuer calls dio_complete(private), which
 * returns the bytes.  Writes that need zeroing, conversion, extension or
 * a sync are completed normally (ki_complete with the bytes).
 */
START_TEST(dio_3_6_caller_comp)
{
	static const struct {
		uint16_t type, flags;
		loff_t pos;
		size_t len;
		unsigned iocb_flags;
		bool caller;
	} cases[] = {
		{ IOMAP_MAPPED, 0, 8 * K, 8 * K, 0, true },             /* pure overwrite */
		{ IOMAP_MAPPED, 0, 8 * K, 8 * K, IOCB_DSYNC, true },    /* FUA covers the sync */
		{ IOMAP_UNWRITTEN, 0, 8 * K, 8 * K, 0, false },         /* conversion */
		{ IOMAP_MAPPED, IOMAP_F_NEW, 8 * K, 8 * K, 0, false },  /* zeroing */
		{ IOMAP_MAPPED, 0, 64 * K, 4 * K, 0, false },           /* at EOF: extends */
		{ IOMAP_MAPPED, 0, 8 * K, 8 * K, IOCB_DSYNC | IOCB_SYNC, false }, /* fsync */
	};
	void *data;

	if (!open_dev(_i, 512, 0))
		return;
	data = pattern(8 * K, 18);
	for (size_t c = 0; c < ARRAY_SIZE(cases); c++) {
		struct kiocb iocb;

		E.t.nr_ext = 0;
		tablefs_add(&E.t, 0, 128 * K, cases[c].type, cases[c].flags, ADDR_A);
		KC.calls = 0;
		KC.dio_complete = NULL;
		kio(&iocb, cases[c].pos, IOCB_DIO_CALLER_COMP | cases[c].iocb_flags, true);
		ck_assert_int_eq(dio(&iocb, ITER_SOURCE, data, cases[c].len, 0, NULL), -EIOCBQUEUED);
		drive();
		ck_assert_msg(kc_calls() == 1, "case %zu: %d ki_complete calls", c, kc_calls());
		if (cases[c].caller) {
			ck_assert_msg(KC.ret == 0 && KC.dio_complete != NULL,
				      "case %zu: not completed by the caller (ret %ld)", c, KC.ret);
			ck_assert_int_eq(dio_count(), 1); /* still open */
			ck_assert_int_eq(KC.dio_complete(KC.private), (ssize_t)cases[c].len);
			ck_assert_int_eq(iocb.ki_pos, cases[c].pos + (loff_t)cases[c].len);
		} else {
			ck_assert_msg(KC.ret == (long)cases[c].len,
				      "case %zu: ki_complete(%ld), expected the byte count", c, KC.ret);
			ck_assert_msg(KC.dio_complete == NULL, "case %zu: dio_complete set", c);
		}
		ck_assert_int_eq(dio_count(), 0);
		ck_assert_int_eq(kc_calls(), 1);
		assert_dev_equals(ADDR_A + (uint64_t)cases[c].pos, data, cases[c].len,
				  "CALLER_COMP write");
	}
	free(data);
}
END_TEST

/*
 * =====================================================================
 * dio-4: iomap_dio_ops
 * =====================================================================
 */

/*
 * dio-4.1: ->submit_io is called once per bio (zeroing bios included),
 * with the file offset the bio starts at and the bio aimed at the mapped
 * sector; the bios reach the device.
 */
START_TEST(dio_4_1_submit_io)
{
	void *data;
	struct kiocb iocb;

	if (!open_dev(_i, 512, 0))
		return;
	tablefs_add(&E.t, 0, 4 * K, IOMAP_MAPPED, 0, ADDR_A);
	tablefs_add(&E.t, 4 * K, 8 * K, IOMAP_MAPPED, 0, ADDR_B);
	tablefs_add(&E.t, 12 * K, 4 * K, IOMAP_UNWRITTEN, 0, ADDR_C);
	data = pattern(12 * K, 19);
	rec_reset(0, 12 * K);
	kio(&iocb, 0, 0, false);
	ck_assert_int_eq(dio(&iocb, ITER_SOURCE, data, 12 * K, 0, &rec_ops), 12 * K);
	ck_assert_int_eq(R.submits, 2);
	ck_assert_int_eq(R.submits, (int)bios("WRITE"));
	ck_assert_int_eq(R.submit_off[0], 0);
	ck_assert_uint_eq(R.submit_sector[0], ADDR_A >> 9);
	ck_assert_uint_eq(R.submit_size[0], 4 * K);
	ck_assert_int_eq(R.submit_off[1], 4 * K);
	ck_assert_uint_eq(R.submit_sector[1], ADDR_B >> 9);
	ck_assert_uint_eq(R.submit_size[1], 8 * K);
	assert_dev_equals(ADDR_A, data, 4 * K, "first bio");
	assert_dev_equals(ADDR_B, (char *)data + 4 * K, 8 * K, "second bio");

	/* 512 bytes into an unwritten block: head zero, data, tail zero. */
	clear_events();
	rec_reset(13 * K, 512);
	kio(&iocb, 13 * K, 0, false);
	ck_assert_int_eq(dio(&iocb, ITER_SOURCE, data, 512, 0, &rec_ops), 512);
	ck_assert_int_eq(R.submits, 3);
	ck_assert_int_eq(R.submits, (int)bios("WRITE"));
	ck_assert_int_eq(R.submit_off[0], 12 * K);
	ck_assert_uint_eq(R.submit_sector[0], ADDR_C >> 9);
	ck_assert_uint_eq(R.submit_size[0], 1 * K);
	ck_assert_int_eq(R.submit_off[1], 13 * K);
	ck_assert_uint_eq(R.submit_sector[1], (ADDR_C + 1 * K) >> 9);
	ck_assert_uint_eq(R.submit_size[1], 512);
	ck_assert_int_eq(R.submit_off[2], 13 * K + 512);
	ck_assert_uint_eq(R.submit_sector[2], (ADDR_C + 1 * K + 512) >> 9);
	ck_assert_uint_eq(R.submit_size[2], 4 * K - 1 * K - 512);

	/* Reads go through it as well. */
	rec_reset(0, 12 * K);
	kio(&iocb, 0, 0, false);
	ck_assert_int_eq(dio(&iocb, ITER_DEST, data, 4 * K, 0, &rec_ops), 4 * K);
	ck_assert_int_eq(R.submits, 1);
	ck_assert_int_eq(R.submit_off[0], 0);
	free(data);
}
END_TEST

/*
 * dio-4.2: a bi_end_io set in ->submit_io runs for every bio and, by
 * calling iomap_dio_bio_end_io(), completes the request (sync and async);
 * the bios come from the dops' bio_set, with the front_pad in front.
 */
START_TEST(dio_4_2_custom_end_io_bio_set)
{
	void *data, *back;
	struct kiocb iocb;

	if (!open_dev(_i, 512, 0))
		return;
	tablefs_add(&E.t, 0, 4 * K, IOMAP_MAPPED, 0, ADDR_A);
	tablefs_add(&E.t, 4 * K, 60 * K, IOMAP_MAPPED, 0, ADDR_B);
	data = pattern(8 * K, 20);
	back = abuf(8 * K, 0xcc);
	rec_reset(0, 8 * K);
	R.custom_end = true;
	kio(&iocb, 0, 0, false);
	ck_assert_int_eq(dio(&iocb, ITER_SOURCE, data, 8 * K, 0, &rec_set_ops), 8 * K);
	ck_assert_int_eq(R.submits, 2);
	ck_assert_int_eq(R.bio_ends, 2);
	ck_assert_int_eq(R.bad_magic, 0);
	ck_assert(R.submit_from_set[0] && R.submit_from_set[1]);
	ck_assert_int_eq(R.end_ios, 1);

	rec_reset(0, 8 * K);
	R.custom_end = true;
	kio(&iocb, 0, 0, true);
	ck_assert_int_eq(dio(&iocb, ITER_DEST, back, 8 * K, 0, &rec_set_ops), -EIOCBQUEUED);
	ck_assert_int_eq(kc_calls(), 0);
	drive();
	ck_assert_int_eq(kc_calls(), 1);
	ck_assert_int_eq(KC.ret, 8 * K);
	ck_assert_int_eq(R.bio_ends, 2);
	ck_assert_int_eq(R.bad_magic, 0);
	ck_assert(memcmp(back, data, 8 * K) == 0);

	/* Without a bio_set the bios are plain. */
	rec_reset(0, 8 * K);
	kio(&iocb, 0, 0, false);
	ck_assert_int_eq(dio(&iocb, ITER_SOURCE, data, 8 * K, 0, &rec_ops), 8 * K);
	ck_assert(!R.submit_from_set[0]);
	free(data);
	free(back);
}
END_TEST

/*
 * dio-4.3: ->end_io runs once per request, before the position moves and
 * while the request still counts in i_dio_count, with the size, the error
 * and IOMAP_DIO_UNWRITTEN / IOMAP_DIO_COW as the mappings were; what it
 * returns becomes the result.
 */
START_TEST(dio_4_3_end_io)
{
	static const struct {
		uint16_t type, flags;
		enum iter_dir dir;
		unsigned want;
	} cases[] = {
		{ IOMAP_MAPPED, 0, ITER_SOURCE, 0 },
		{ IOMAP_UNWRITTEN, 0, ITER_SOURCE, IOMAP_DIO_UNWRITTEN },
		{ IOMAP_MAPPED, IOMAP_F_SHARED, ITER_SOURCE, IOMAP_DIO_COW },
		{ IOMAP_UNWRITTEN, IOMAP_F_SHARED, ITER_SOURCE, IOMAP_DIO_UNWRITTEN | IOMAP_DIO_COW },
		{ IOMAP_MAPPED, 0, ITER_DEST, 0 },
		{ IOMAP_UNWRITTEN, 0, ITER_DEST, 0 }, /* read as zeroes: nothing to convert */
	};
	void *data;
	struct kiocb iocb;

	if (!open_dev(_i, 512, OPT_FAULT))
		return;
	data = pattern(8 * K, 21);
	for (size_t c = 0; c < ARRAY_SIZE(cases); c++) {
		E.t.nr_ext = 0;
		tablefs_add(&E.t, 0, 64 * K, cases[c].type, cases[c].flags, ADDR_A);
		rec_reset(4 * K, 8 * K);
		kio(&iocb, 4 * K, 0, false);
		ck_assert_int_eq(dio(&iocb, cases[c].dir, data, 8 * K, 0, &rec_ops), 8 * K);
		ck_assert_int_eq(R.end_ios, 1);
		ck_assert_int_eq(R.end_size, 8 * K);
		ck_assert_int_eq(R.end_error, 0);
		ck_assert_msg(R.end_flags == cases[c].want, "case %zu: end_io flags 0x%x, expected 0x%x",
			      c, R.end_flags, cases[c].want);
		ck_assert_int_eq(R.end_ki_pos, 4 * K);  /* not yet advanced */
		ck_assert_int_eq(R.end_dio_count, 1);   /* still in flight */
	}

	/* A failed bio: end_io sees the error, once. */
	E.t.nr_ext = 0;
	tablefs_add(&E.t, 0, 64 * K, IOMAP_UNWRITTEN, 0, ADDR_A);
	fault_set_eio(E.be, BACKEND_WRITE, FAULT_ONCE, 0);
	rec_reset(0, 8 * K);
	kio(&iocb, 0, 0, false);
	ck_assert_int_eq(dio(&iocb, ITER_SOURCE, data, 8 * K, 0, &rec_ops), -EIO);
	ck_assert_int_eq(R.end_ios, 1);
	ck_assert_int_eq(R.end_error, -EIO);
	ck_assert_uint_eq(R.end_flags, IOMAP_DIO_UNWRITTEN);

	/* end_io's own error is the result; the position does not move. */
	rec_reset(0, 8 * K);
	R.end_ret = -ENOSPC;
	kio(&iocb, 0, 0, false);
	ck_assert_int_eq(dio(&iocb, ITER_SOURCE, data, 8 * K, 0, &rec_ops), -ENOSPC);
	ck_assert_int_eq(iocb.ki_pos, 0);
	ck_assert_int_eq(R.end_ios, 1);
	R.end_ret = 0;

	/* Async: once, on completion. */
	rec_reset(0, 8 * K);
	kio(&iocb, 0, 0, true);
	ck_assert_int_eq(dio(&iocb, ITER_SOURCE, data, 8 * K, 0, &rec_ops), -EIOCBQUEUED);
	ck_assert_int_eq(R.end_ios, 0);
	drive();
	ck_assert_int_eq(R.end_ios, 1);
	ck_assert_uint_eq(R.end_flags, IOMAP_DIO_UNWRITTEN);
	ck_assert_int_eq(dio_count(), 0);
	free(data);
}
END_TEST

/*
 * =====================================================================
 * dio-5: reads and writes around the page cache
 * =====================================================================
 */

/*
 * dio-5.1: a read writes dirty page cache over its range back first
 * (a_ops->writepages), so it returns what the cache held; the cached folio
 * stays (reads do not invalidate).
 */
START_TEST(dio_5_1_read_writes_back)
{
	void *buf;

	if (!open_dev(_i, 512, 0))
		return;
	tablefs_add(&E.t, 0, 64 * K, IOMAP_MAPPED, 0, ADDR_A);
	E.t.writeback = true;
	dev_fill(ADDR_A, 64 * K, 0xaa);
	buf = abuf(8 * K, 0xcc);
	cache_folio(1, 0x5a, true);
	ck_assert_int_eq(dread(0, buf, 8 * K), 8 * K);
	ck_assert_uint_eq(E.t.writepages, 1);
	ck_assert_int_eq(first_not(buf, 4 * K, 0xaa), -1);
	ck_assert_int_eq(first_not((char *)buf + 4 * K, 4 * K, 0x5a), -1);
	ck_assert(cached(1));
	/* Cache outside the range is left alone. */
	cache_folio(4, 0x5b, true);
	ck_assert_int_eq(dread(0, buf, 8 * K), 8 * K);
	assert_dev_bytes(ADDR_A + 16 * K, 4 * K, 0xaa, "dirty folio outside the read");
	free(buf);
}
END_TEST

/*
 * dio-5.2: holes and unwritten extents read as zeroes without a bio (the
 * device under the unwritten extent holds 0xAA); the mapped part is read.
 */
START_TEST(dio_5_2_holes_unwritten_zero)
{
	void *buf;

	if (!open_dev(_i, 512, 0))
		return;
	/* [0,4k) hole, [4k,8k) unwritten, [8k,12k) mapped, [12k,16k) hole */
	tablefs_add(&E.t, 4 * K, 4 * K, IOMAP_UNWRITTEN, 0, ADDR_A);
	tablefs_add(&E.t, 8 * K, 4 * K, IOMAP_MAPPED, 0, ADDR_B);
	dev_fill(ADDR_A, 4 * K, 0xaa);
	dev_fill(ADDR_B, 4 * K, 0xbb);
	buf = abuf(16 * K, 0xcc);
	clear_events();
	ck_assert_int_eq(dread(0, buf, 16 * K), 16 * K);
	ck_assert_int_eq(first_not(buf, 8 * K, 0), -1);
	ck_assert_int_eq(first_not((char *)buf + 8 * K, 4 * K, 0xbb), -1);
	ck_assert_int_eq(first_not((char *)buf + 12 * K, 4 * K, 0), -1);
	ck_assert_uint_eq(bios("READ"), 1);
	ck_assert_uint_eq(ev_u(ev_nth("bio_submit", 0), "sector"), ADDR_B >> 9);
	/* Only holes and unwritten: no bio at all. */
	clear_events();
	memset(buf, 0xcc, 16 * K);
	ck_assert_int_eq(dread(0, buf, 8 * K), 8 * K);
	ck_assert_int_eq(first_not(buf, 8 * K, 0), -1);
	ck_assert_uint_eq(bios("READ"), 0);
	free(buf);
}
END_TEST

/* dio-5.3: ->iomap_begin sees exactly IOMAP_DIRECT (reads) / IOMAP_DIRECT|IOMAP_WRITE. */
START_TEST(dio_5_3_begin_flags)
{
	void *buf;

	if (!open_dev(_i, 512, 0))
		return;
	tablefs_add(&E.t, 0, 8 * K, IOMAP_MAPPED, 0, ADDR_A);
	tablefs_add(&E.t, 8 * K, 8 * K, IOMAP_UNWRITTEN, 0, ADDR_B);
	buf = pattern(16 * K, 23);
	ck_assert_int_eq(dread(0, buf, 16 * K), 16 * K);
	ck_assert_uint_eq(begins(), 2);
	for (unsigned i = 0; i < E.t.nr_calls; i++)
		ck_assert_uint_eq(E.t.calls[i].flags, IOMAP_DIRECT);
	E.t.nr_calls = 0;
	ck_assert_int_eq(dwrite(0, buf, 16 * K), 16 * K);
	ck_assert_uint_eq(begins(), 2);
	for (unsigned i = 0; i < E.t.nr_calls; i++)
		ck_assert_uint_eq(E.t.calls[i].flags, IOMAP_DIRECT | IOMAP_WRITE);
	/* ->iomap_end is told what was written per mapping. */
	ck_assert(E.t.calls[1].end && E.t.calls[1].written == 8 * K);
	ck_assert(E.t.calls[3].end && E.t.calls[3].written == 8 * K);
	free(buf);
}
END_TEST

/*
 * dio-5.4: a write writes back and drops the page cache over its range
 * before the I/O (no folio there at submission), and drops it again after
 * (a folio a racing reader cached during the I/O is gone).
 */
START_TEST(dio_5_4_write_invalidates)
{
	void *data;
	struct kiocb iocb;

	if (!open_dev(_i, 512, 0))
		return;
	tablefs_add(&E.t, 0, 64 * K, IOMAP_MAPPED, 0, ADDR_A);
	E.t.writeback = true;
	dev_fill(ADDR_A, 64 * K, 0xaa);
	data = pattern(8 * K, 24);
	cache_folio(0, 0x11, false); /* clean, stale after the write */
	cache_folio(1, 0x12, true);  /* dirty: written back first */
	cache_folio(2, 0x13, false); /* outside the write */
	rec_reset(0, 8 * K);
	R.add_folio_at_submit = true;
	kio(&iocb, 0, 0, false);
	ck_assert_int_eq(dio(&iocb, ITER_SOURCE, data, 8 * K, 0, &rec_ops), 8 * K);
	ck_assert_uint_eq(E.t.writepages, 1);
	ck_assert(!R.cache_seen_at_submit);
	ck_assert_int_eq(R.submits, 1);
	ck_assert(!cached(0)); /* the racing reader's folio was dropped after the write */
	ck_assert(!cached(1));
	ck_assert(cached(2));
	assert_dev_equals(ADDR_A, data, 8 * K, "direct write over cached folios");
	assert_dev_bytes(ADDR_A + 8 * K, 4 * K, 0xaa, "folio outside the write not written");
	free(data);
}
END_TEST

/*
 * =====================================================================
 * dio-6: sub-block zeroing (4k filesystem blocks on a 512-byte device)
 * =====================================================================
 */
START_TEST(dio_6_1_sub_block_zeroing)
{
	static const struct {
		uint16_t type, flags;
		loff_t isize, pos;
		size_t len;
		int head, tail; /* byte the rest of the block holds before / after the data */
	} cases[] = {
		{ IOMAP_UNWRITTEN, 0, 64 * K, 1024, 512, 0, 0 },
		{ IOMAP_MAPPED, IOMAP_F_NEW, 64 * K, 1024, 512, 0, 0 },
		{ IOMAP_MAPPED, 0, 64 * K, 1024, 512, 0xaa, 0xaa },   /* overwrite: untouched */
		{ IOMAP_MAPPED, 0, 0, 1024, 512, 0xaa, 0 },           /* past EOF: tail only */
		{ IOMAP_MAPPED, 0, 1024, 1024, 512, 0xaa, 0 },        /* starts at EOF */
		{ IOMAP_MAPPED, 0, 0, 3584, 512, 0xaa, 0xaa },        /* ends on the block end */
		{ IOMAP_UNWRITTEN, 0, 64 * K, 0, 4096, 0, 0 },        /* whole block: no padding */
		{ IOMAP_UNWRITTEN, 0, 64 * K, 3584, 1024, 0, 0 },     /* across two blocks */
	};

	if (!open_dev(_i, 512, 0))
		return;
	for (size_t c = 0; c < ARRAY_SIZE(cases); c++) {
		loff_t pos = cases[c].pos, end = pos + (loff_t)cases[c].len;
		loff_t bstart = round_down(pos, 4 * K), bend = round_up(end, 4 * K);
		void *data = pattern(cases[c].len, (unsigned)c + 30);
		char what[64];

		E.t.nr_ext = 0;
		tablefs_add(&E.t, 0, 64 * K, cases[c].type, cases[c].flags, ADDR_A);
		i_size_write(&E.t.inode, cases[c].isize);
		dev_fill(ADDR_A, 16 * K, 0xaa);
		ck_assert_int_eq(dwrite(pos, data, cases[c].len), (ssize_t)cases[c].len);
		snprintf(what, sizeof(what), "case %zu head", c);
		if (pos > bstart)
			assert_dev_bytes(ADDR_A + (uint64_t)bstart, (size_t)(pos - bstart), cases[c].head,
					 what);
		snprintf(what, sizeof(what), "case %zu data", c);
		assert_dev_equals(ADDR_A + (uint64_t)pos, data, cases[c].len, what);
		snprintf(what, sizeof(what), "case %zu tail", c);
		if (bend > end)
			assert_dev_bytes(ADDR_A + (uint64_t)end, (size_t)(bend - end), cases[c].tail, what);
		snprintf(what, sizeof(what), "case %zu other blocks", c);
		if (bstart > 0)
			assert_dev_bytes(ADDR_A, (size_t)bstart, 0xaa, what);
		assert_dev_bytes(ADDR_A + (uint64_t)bend, (size_t)(16 * K - bend), 0xaa, what);
		free(data);
	}
}
END_TEST

/*
 * =====================================================================
 * dio-7: trace events
 * =====================================================================
 */

/* The tracefs text of @ev without "dev M:m ino 0xN " (the trace.norm shape). */
static const char *norm_text(const struct trace_event *ev, char *buf, size_t len)
{
	char head[64];
	int n = ftrace_format_event(ev, buf, len);

	ck_assert_msg(n > 0, "%s has no kernel format", ev->name);
	snprintf(head, sizeof(head), "dev %u:%u ino 0x%llx ", MAJOR(E.t.sb.s_dev),
		 MINOR(E.t.sb.s_dev), (unsigned long long)E.t.inode.i_ino);
	ck_assert_msg(strncmp(buf, head, strlen(head)) == 0, "'%s' does not start with '%s'", buf,
		      head);
	return buf + strlen(head);
}

/* dio-7.1: iomap_dio_rw_begin and iomap_dio_complete of sync requests. */
START_TEST(dio_7_1_sync_events)
{
	const struct trace_event *ev;
	char text[256];
	void *data;

	if (!open_dev(_i, 512, 0))
		return;
	tablefs_add(&E.t, 0, 64 * K, IOMAP_MAPPED, 0, ADDR_A);
	data = pattern(8 * K, 40);
	clear_events();
	ck_assert_int_eq(dwrite(4 * K, data, 8 * K), 8 * K);
	ck_assert_uint_eq(ev_count("iomap_dio_rw_begin"), 1);
	ck_assert_uint_eq(ev_count("iomap_dio_complete"), 1);
	ck_assert_uint_eq(ev_count("iomap_dio_rw_queued"), 0);
	ev = ev_nth("iomap_dio_rw_begin", 0);
	ck_assert_uint_eq(ev->dev, E.t.sb.s_dev);
	ck_assert_uint_eq(ev->ino, E.t.inode.i_ino);
	ck_assert_uint_eq(ev_u(ev, "size"), 64 * K);
	ck_assert_uint_eq(ev_u(ev, "offset"), 4 * K);
	ck_assert_uint_eq(ev_u(ev, "length"), 8 * K);
	ck_assert_uint_eq(ev_u(ev, "done_before"), 0);
	ck_assert_str_eq(ev_str(ev, "flags"), "DIRECT");
	ck_assert_str_eq(ev_str(ev, "dio_flags"), "");
	ck_assert_int_eq(ev_s(ev, "aio"), 0);
	ck_assert_str_eq(norm_text(ev, text, sizeof(text)),
			 "size 0x10000 offset 0x1000 length 0x2000 done_before 0x0 flags DIRECT "
			 "dio_flags  aio 0");
	ev = ev_nth("iomap_dio_complete", 0);
	ck_assert_uint_eq(ev_u(ev, "size"), 64 * K);
	ck_assert_uint_eq(ev_u(ev, "offset"), 12 * K); /* ki_pos after the write */
	ck_assert_str_eq(ev_str(ev, "flags"), "DIRECT");
	ck_assert_int_eq(ev_s(ev, "aio"), 0);
	ck_assert_int_eq(ev_s(ev, "error"), 0);
	ck_assert_int_eq(ev_s(ev, "ret"), 8 * K);
	ck_assert_str_eq(norm_text(ev, text, sizeof(text)),
			 "size 0x10000 offset 0x3000 flags DIRECT aio 0 error 0 ret 8192");
	/* The begin event comes first, the iterator runs in between. */
	for (size_t i = 0, seen_begin = 0; i < trace_memsink_count(E.sink); i++) {
		const char *name = trace_memsink_get(E.sink, i)->name;

		if (strcmp(name, "iomap_dio_rw_begin") == 0)
			seen_begin = 1;
		if (strcmp(name, "iomap_iter") == 0)
			ck_assert(seen_begin);
		if (strcmp(name, "iomap_dio_complete") == 0)
			ck_assert(seen_begin);
	}

	/* A short read with flags: DSYNC on the kiocb, PARTIAL and done_before. */
	clear_events();
	i_size_write(&E.t.inode, 6 * K);
	{
		struct kiocb iocb;
		struct kvec kv = { data, 8 * K };
		struct iov_iter it;

		kio(&iocb, 0, IOCB_DSYNC, false);
		iov_iter_kvec(&it, ITER_DEST, &kv, 1, 8 * K);
		ck_assert_int_eq(dio_iter(&iocb, &it, IOMAP_DIO_PARTIAL, NULL, 512), 6 * K + 512);
	}
	ck_assert_str_eq(norm_text(ev_nth("iomap_dio_rw_begin", 0), text, sizeof(text)),
			 "size 0x1800 offset 0x0 length 0x2000 done_before 0x200 flags DSYNC|DIRECT "
			 "dio_flags DIO_PARTIAL aio 0");
	ck_assert_str_eq(norm_text(ev_nth("iomap_dio_complete", 0), text, sizeof(text)),
			 "size 0x1800 offset 0x1800 flags DSYNC|DIRECT aio 0 error 0 ret 6656");

	/* Zero length: the begin event, nothing else. */
	clear_events();
	ck_assert_int_eq(dwrite(0, data, 0), 0);
	ck_assert_uint_eq(ev_count("iomap_dio_rw_begin"), 1);
	ck_assert_uint_eq(ev_count("iomap_dio_complete"), 0);
	free(data);
}
END_TEST

/* dio-7.2: async: aio 1, iomap_dio_rw_queued, and the completion's error. */
START_TEST(dio_7_2_async_events)
{
	const struct trace_event *ev;
	char text[256];
	void *data;
	struct kiocb iocb;

	if (!open_dev(_i, 512, OPT_FAULT))
		return;
	tablefs_add(&E.t, 0, 64 * K, IOMAP_MAPPED, 0, ADDR_A);
	data = pattern(8 * K, 41);
	clear_events();
	kio(&iocb, 8 * K, 0, true);
	ck_assert_int_eq(dio(&iocb, ITER_SOURCE, data, 8 * K, 0, NULL), -EIOCBQUEUED);
	ck_assert_uint_eq(ev_count("iomap_dio_rw_queued"), 1);
	ck_assert_uint_eq(ev_count("iomap_dio_complete"), 0);
	ev = ev_nth("iomap_dio_rw_queued", 0);
	/* The kernel reports the iterator after submission: at the end, nothing left. */
	ck_assert_str_eq(norm_text(ev, text, sizeof(text)), "size 0x10000 offset 0x4000 length 0x0");
	ck_assert_int_eq(ev_s(ev_nth("iomap_dio_rw_begin", 0), "aio"), 1);
	drive();
	ck_assert_str_eq(norm_text(ev_nth("iomap_dio_complete", 0), text, sizeof(text)),
			 "size 0x10000 offset 0x4000 flags DIRECT aio 1 error 0 ret 8192");

	/* FORCE_WAIT is an aio kiocb that is waited for: aio 1, not queued. */
	clear_events();
	kio(&iocb, 0, 0, true);
	ck_assert_int_eq(dio(&iocb, ITER_SOURCE, data, 4 * K, IOMAP_DIO_FORCE_WAIT, NULL), 4 * K);
	ck_assert_str_eq(norm_text(ev_nth("iomap_dio_rw_begin", 0), text, sizeof(text)),
			 "size 0x10000 offset 0x0 length 0x1000 done_before 0x0 flags DIRECT "
			 "dio_flags DIO_FORCE_WAIT aio 1");
	ck_assert_uint_eq(ev_count("iomap_dio_rw_queued"), 0);

	/* A failed async write. */
	clear_events();
	fault_set_eio(E.be, BACKEND_WRITE, FAULT_ONCE, 0);
	kio(&iocb, 0, 0, true);
	ck_assert_int_eq(dio(&iocb, ITER_SOURCE, data, 4 * K, 0, NULL), -EIOCBQUEUED);
	drive();
	ck_assert_str_eq(norm_text(ev_nth("iomap_dio_complete", 0), text, sizeof(text)),
			 "size 0x10000 offset 0x0 flags DIRECT aio 1 error -5 ret -5");
	free(data);
}
END_TEST

/*
 * dio-7.3: the kernel's own trace of an O_DIRECT write into new unwritten
 * space (tests/xcheck/scenarios/05-direct-io, captured on Linux 6.18):
 * the same request over tablefs prints the same normalised lines, from
 * iomap_dio_rw_begin to iomap_dio_complete.  ->end_io extends the size, as
 * the filesystem's completion does.
 */
static int extend_end_io(struct kiocb *iocb, ssize_t size, int error, unsigned flags)
{
	struct inode *inode = iocb->ki_filp->f_inode;

	(void)flags;
	if (!error && iocb->ki_pos + size > i_size_read(inode))
		i_size_write(inode, iocb->ki_pos + size);
	return error;
}

static const struct iomap_dio_ops extend_ops = { .end_io = extend_end_io };

/* Drop @word and the number after it ("dev 7:0 ", "ops 0x.. "), as normalize.sh does. */
static void drop_field(char *line, const char *word)
{
	char *p = strstr(line, word);
	char *q;

	if (!p)
		return;
	q = p + strlen(word);
	while (*q && *q != ' ')
		q++;
	if (*q == ' ')
		q++;
	memmove(p, q, strlen(q) + 1);
}

START_TEST(dio_7_3_kernel_trace)
{
	char path[512], line[512], want[16][512], got[16][512];
	unsigned nwant = 0, ngot = 0;
	void *data;
	FILE *f;

	if (!open_dev(_i, 512, 0))
		return;
	snprintf(path, sizeof(path), "%s/tests/xcheck/scenarios/05-direct-io/trace.norm",
		 SOURCE_ROOT);
	f = fopen(path, "r");
	ck_assert_msg(f != NULL, "%s", path);
	while (nwant < ARRAY_SIZE(want) && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		snprintf(want[nwant++], sizeof(want[0]), "%s", line);
		if (strncmp(line, "iomap_dio_complete:", 19) == 0)
			break;
	}
	fclose(f);
	ck_assert_uint_eq(nwant, 5);

	i_size_write(&E.t.inode, 0);
	tablefs_add(&E.t, 0, 64 * K, IOMAP_UNWRITTEN, IOMAP_F_NEW | IOMAP_F_DIRTY, 0x18000);
	data = pattern(64 * K, 42);
	clear_events();
	{
		struct kiocb iocb;

		kio(&iocb, 0, 0, false);
		ck_assert_int_eq(dio(&iocb, ITER_SOURCE, data, 64 * K, 0, &extend_ops), 64 * K);
	}
	for (size_t i = 0; i < trace_memsink_count(E.sink) && ngot < ARRAY_SIZE(got); i++) {
		const struct trace_event *ev = trace_memsink_get(E.sink, i);
		int n = snprintf(got[ngot], sizeof(got[0]), "%s: ", ev->name);

		if (ftrace_format_event(ev, got[ngot] + n, sizeof(got[0]) - (size_t)n) < 0)
			continue;
		drop_field(got[ngot], "dev ");
		drop_field(got[ngot], "ino ");
		drop_field(got[ngot], "bdev ");
		drop_field(got[ngot], "ops ");
		ngot++;
	}
	for (unsigned i = 0; i < nwant; i++) {
		ck_assert_msg(i < ngot, "trace ends before kernel line %u: %s", i + 1, want[i]);
		ck_assert_msg(strcmp(got[i], want[i]) == 0, "line %u:\n  kernel: %s\n  ref:    %s",
			      i + 1, want[i], got[i]);
	}
	ck_assert_uint_eq(ngot, nwant);
	assert_dev_equals(0x18000, data, 64 * K, "the scenario's write");
	free(data);
}
END_TEST

/*
 * =====================================================================
 * dio-8: invariant (3): i_dio_count covers SUBMITTING..freed exactly
 * =====================================================================
 */

/*
 * dio-8.1: raised during submission and until ->end_io has run, back to 0
 * after a sync request and after an async completion, also after errors.
 */
START_TEST(dio_8_1_dio_count)
{
	void *data;
	struct kiocb iocb;

	if (!open_dev(_i, 512, OPT_FAULT))
		return;
	tablefs_add(&E.t, 0, 64 * K, IOMAP_MAPPED, 0, ADDR_A);
	data = pattern(8 * K, 50);
	rec_reset(0, 8 * K);
	kio(&iocb, 0, 0, false);
	ck_assert_int_eq(dio(&iocb, ITER_SOURCE, data, 8 * K, 0, &rec_ops), 8 * K);
	ck_assert_int_eq(R.dio_count_at_submit, 1);
	ck_assert_int_eq(R.end_dio_count, 1);
	ck_assert_int_eq(dio_count(), 0);

	kio(&iocb, 0, 0, true);
	ck_assert_int_eq(dio(&iocb, ITER_DEST, data, 8 * K, 0, NULL), -EIOCBQUEUED);
	ck_assert_int_eq(dio_count(), 1);
	drive();
	ck_assert_int_eq(dio_count(), 0);

	fault_set_eio(E.be, BACKEND_WRITE, FAULT_ONCE, 0);
	ck_assert_int_eq(dwrite(0, data, 8 * K), -EIO);
	ck_assert_int_eq(dio_count(), 0);
	ck_assert_int_eq(dwrite(0, data, 100), -EINVAL);
	ck_assert_int_eq(dio_count(), 0);
	free(data);
}
END_TEST

/*
 * dio-8.2: inode_dio_wait() returns only once async requests have finished
 * (->end_io has run, the count is 0): deterministic mode, where it drives
 * the completions itself, and concurrent mode, where it sleeps.
 */
START_TEST(dio_8_2_inode_dio_wait)
{
	static const unsigned modes[] = { 0, OPT_CONCURRENT };
	void *data;

	data = pattern(64 * K, 51);
	for (size_t m = 0; m < ARRAY_SIZE(modes); m++) {
		struct kiocb w, r;
		void *back = abuf(16 * K, 0xcc);
		pthread_t opener;

		if (!(m ? reopen_dev(_i, 512, modes[m]) : open_dev(_i, 512, modes[m])))
			return;
		E.t.nr_ext = 0;
		tablefs_add(&E.t, 0, 64 * K, IOMAP_UNWRITTEN, 0, ADDR_A);
		tablefs_add(&E.t, 64 * K, 64 * K, IOMAP_MAPPED, 0, ADDR_B);
		i_size_write(&E.t.inode, 128 * K);
		rec_reset(0, 64 * K);
		KC.calls = 0;
		R.gated = modes[m] == OPT_CONCURRENT;
		gate_set(false);
		kio(&w, 0, 0, true);
		ck_assert_int_eq(dio(&w, ITER_SOURCE, data, 64 * K, 0, &rec_ops), -EIOCBQUEUED);
		kio(&r, 64 * K, 0, true);
		ck_assert_int_eq(dio(&r, ITER_DEST, back, 16 * K, 0, &rec_ops), -EIOCBQUEUED);
		ck_assert_int_eq(dio_count(), 2);
		if (R.gated) /* the I/O finishes only while inode_dio_wait sleeps */
			ck_assert_int_eq(pthread_create(&opener, NULL, gate_open_later,
							(void *)(intptr_t)30), 0);
		inode_dio_wait(&E.t.inode);
		if (R.gated)
			pthread_join(opener, NULL);
		ck_assert_int_eq(dio_count(), 0);
		ck_assert_int_eq(__atomic_load_n(&R.end_ios, __ATOMIC_SEQ_CST), 2);
		if (!modes[m])
			ck_assert_int_eq(kc_calls(), 2);
		else
			ck_assert(kc_wait(2, 5000));
		assert_dev_equals(ADDR_A, data, 64 * K, "async write before inode_dio_wait");
		free(back);
	}
	free(data);
}
END_TEST

/*
 * ---------------------------------------------------------------------
 * Suite
 * ---------------------------------------------------------------------
 */
static TCase *dio_case(const char *name)
{
	TCase *tc = tcase_create(name);

	tcase_add_checked_fixture(tc, setup, teardown);
	return tc;
}

#define ADD(tc, fn) tcase_add_loop_test(tc, fn, 0, NDEVS)

static Suite *dio_suite(void)
{
	Suite *s = suite_create("dio");
	TCase *tc;

	tc = dio_case("dio-1 return values");
	ADD(tc, dio_1_1_bytes);
	ADD(tc, dio_1_2_zero);
	ADD(tc, dio_1_3_short_read);
	ADD(tc, dio_1_4_queued_deterministic);
	ADD(tc, dio_1_5_queued_concurrent);
	ADD(tc, dio_1_6_enotblk);
	ADD(tc, dio_1_7_alignment);
	ADD(tc, dio_1_8_eio);
	ADD(tc, dio_1_9_efault);
	ADD(tc, dio_1_10_begin_errors);
	suite_add_tcase(s, tc);

	tc = dio_case("dio-2 dio flags");
	ADD(tc, dio_2_1_force_wait);
	ADD(tc, dio_2_2_overwrite_only);
	ADD(tc, dio_2_3_partial);
	suite_add_tcase(s, tc);

	tc = dio_case("dio-3 kiocb flags");
	ADD(tc, dio_3_1_nowait_flags);
	ADD(tc, dio_3_2_nowait_eagain);
	ADD(tc, dio_3_3_dsync);
	ADD(tc, dio_3_4_hipri_polled);
	ADD(tc, dio_3_5_hipri_not_polled);
	ADD(tc, dio_3_6_caller_comp);
	suite_add_tcase(s, tc);

	tc = dio_case("dio-4 dio ops");
	ADD(tc, dio_4_1_submit_io);
	ADD(tc, dio_4_2_custom_end_io_bio_set);
	ADD(tc, dio_4_3_end_io);
	suite_add_tcase(s, tc);

	tc = dio_case("dio-5 page cache and begin flags");
	ADD(tc, dio_5_1_read_writes_back);
	ADD(tc, dio_5_2_holes_unwritten_zero);
	ADD(tc, dio_5_3_begin_flags);
	ADD(tc, dio_5_4_write_invalidates);
	suite_add_tcase(s, tc);

	tc = dio_case("dio-6 sub-block zeroing");
	ADD(tc, dio_6_1_sub_block_zeroing);
	suite_add_tcase(s, tc);

	tc = dio_case("dio-7 trace events");
	ADD(tc, dio_7_1_sync_events);
	ADD(tc, dio_7_2_async_events);
	ADD(tc, dio_7_3_kernel_trace);
	suite_add_tcase(s, tc);

	tc = dio_case("dio-8 invariants");
	ADD(tc, dio_8_1_dio_count);
	ADD(tc, dio_8_2_inode_dio_wait);
	suite_add_tcase(s, tc);
	return s;
}

static void attach(struct loopdev *ld, unsigned lbs)
{
	if (loopdev_attach(ld, DEV_SIZE, lbs) < 0)
		printf("SKIP dio: loop lbs %u: %s\n", lbs, ld->reason);
	fflush(stdout);
}

int main(void)
{
	int ret;

	stats = mmap(NULL, sizeof(*stats), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1,
		     0);
	if (stats == MAP_FAILED) {
		perror("mmap");
		return EXIT_FAILURE;
	}
	attach(&loop512, 512);
	attach(&loop4096, 4096);
	ret = run_suite(dio_suite());
	loopdev_detach(&loop512);
	loopdev_detach(&loop4096);
	printf("dio loop tests: %d ran, %d skipped\n", stats->ran, stats->skipped);
	munmap(stats, sizeof(*stats));
	return ret;
}
