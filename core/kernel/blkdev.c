/**
 * @file blkdev.c
 * @brief The block device: submits bios to the backend and delivers their
 *        completions (the parts of the kernel's block/blk-core.c,
 *        blk-flush.c and the driver's interrupt handler that matter here).
 *
 * What it is for: everything between "a bio is ready" and "its bi_end_io
 * runs".  A bio becomes one backend request per segment, at consecutive
 * device offsets; when the last of them completes the bio is *finished*,
 * and it *ends* (bio_endio(), which runs bi_end_io) at a point that depends
 * on the execution mode captured by blkdev_open():
 *
 *   - deterministic: every submitted bio is queued on the device in
 *     submission order; blkdev_run_completions() ends bios from the head of
 *     that queue for as long as the head is finished.  So bi_end_io always
 *     runs in submission order, on the thread that asked, even when the
 *     backend (io_uring) completes requests in another order.
 *     submit_bio_wait() and blkdev_drain() call it, and poll the backend.
 *   - concurrent: a per-device completion thread, named "irq/blk" like an
 *     interrupt thread, polls an asynchronous backend and ends finished bios
 *     in the order they finished.  bi_end_io never runs on the submitter.
 *
 * Flags: REQ_PREFLUSH on a write sends a backend flush first and the data
 * only after the flush succeeded (if it fails, the bio ends with its error
 * and no data is written), as blk-flush sequences a preflush.  REQ_FUA
 * becomes BACKEND_REQ_FUA on every segment.  Flags on a read are ignored.
 *
 * A bio inside this file (arrows name the function that moves it):
 *
 *     submit_bio()
 *        |--blkdev_check_bio() fails------------------------------+
 *        |                                                        |
 *        |--REQ_PREFLUSH--> flushing --flush failed---------------+
 *        |                     |                                  |
 *        |        blkdev_preflush_end_io()                        |
 *        |                     v                                  |
 *        +--blkdev_submit_segments()--> in flight                 |
 *                                          |                      |
 *                 last request done: bio_dec_pending()            |
 *                                          v                      |
 *                                      finished <-----------------+
 *                                          |
 *     blkdev_run_completions() (deterministic) or the irq/blk
 *     thread (concurrent): blkdev_end_bio() -> bio_endio()
 *                                          v
 *                                        ended
 *
 * Invariants:
 *  - (K1) `bi_pending` counts the bio's backend requests not yet completed,
 *         plus one reference held by whoever is still submitting them (so a
 *         bio cannot finish while its requests are being issued); the bio is
 *         finished when it reaches 0.
 *  - (K2) `bi_status` is the first error reported by any of its requests.
 *  - (K3) `bd_inflight` counts submitted bios whose bio_endio has not
 *         returned; blkdev_drain() returns when it is 0.
 *
 * Never: hold `bd_lock` while calling into this file; call blkdev_drain()
 * or submit_bio_wait() from bi_end_io in concurrent mode on a *different*
 * device's completion thread while that device waits for yours.
 *
 * Locking: `bd_lock` protects the completion queue, the counters, `bi_done`
 * and `bd_stop`; `bd_cond` is broadcast whenever a bio finishes or ends.
 * Neither is held while a backend request is submitted or a bi_end_io runs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backends/backend.h"
#include "iomap/bio.h"
#include "iomap/lock.h"
#include "iomap/trace.h"

/* One backend request of a bio; bi_reqs is an array of these. */
struct bio_seg_req {
	struct backend_req req; /* what the backend sees */
	struct bio *bio;        /* owner */
};

/* Record @err as the bio's status unless an earlier error is there (K2). */
static void bio_set_error(struct bio *bio, int err)
{
	int expected = 0;

	if (err)
		__atomic_compare_exchange_n(&bio->bi_status, &expected, err, false,
					    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

/* Append @bio to the completion queue.  Called with bd_lock held. */
static void blkdev_queue_bio(struct block_device *bdev, struct bio *bio)
{
	bio->bi_next = NULL;
	if (bdev->bd_done_tail)
		bdev->bd_done_tail->bi_next = bio;
	else
		bdev->bd_done_head = bio;
	bdev->bd_done_tail = bio;
}

/* Take the head of the completion queue.  Called with bd_lock held. */
static struct bio *blkdev_dequeue_bio(struct block_device *bdev)
{
	struct bio *bio = bdev->bd_done_head;

	bdev->bd_done_head = bio->bi_next;
	if (!bdev->bd_done_head)
		bdev->bd_done_tail = NULL;
	bio->bi_next = NULL;
	return bio;
}

/* Every backend request of @bio has completed (K1 reached 0). */
static void blkdev_bio_finished(struct bio *bio)
{
	struct block_device *bdev = bio->bi_bdev;

	pthread_mutex_lock(&bdev->bd_lock);
	/* Deterministic: the bio is already queued, in submission order.
	 * Concurrent: a polled bio waits for its poller, not the irq thread. */
	if (bdev->bd_mode == EXEC_CONCURRENT && (bio->bi_opf & REQ_POLLED)) {
		bio->bi_next = NULL;
		if (bdev->bd_poll_tail)
			bdev->bd_poll_tail->bi_next = bio;
		else
			bdev->bd_poll_head = bio;
		bdev->bd_poll_tail = bio;
	} else if (bdev->bd_mode == EXEC_CONCURRENT) {
		blkdev_queue_bio(bdev, bio);
	}
	pthread_cond_broadcast(&bdev->bd_cond);
	pthread_mutex_unlock(&bdev->bd_lock);
}

/* Drop one reference of (K1); the last one finishes the bio. */
static void bio_dec_pending(struct bio *bio)
{
	if (__atomic_sub_fetch(&bio->bi_pending, 1, __ATOMIC_ACQ_REL) == 0)
		blkdev_bio_finished(bio);
}

/* End @bio and account for it (K3).  Called without bd_lock. */
static void blkdev_end_bio(struct block_device *bdev, struct bio *bio)
{
	bio_endio(bio); /* may free bio */
	pthread_mutex_lock(&bdev->bd_lock);
	bdev->bd_inflight--;
	pthread_cond_broadcast(&bdev->bd_cond);
	pthread_mutex_unlock(&bdev->bd_lock);
}

static void blkdev_seg_end_io(struct backend_req *req)
{
	struct bio_seg_req *seg = (struct bio_seg_req *)req;

	bio_set_error(seg->bio, req->error);
	bio_dec_pending(seg->bio);
}

/*
 * Issue one backend request per segment, at consecutive device offsets.
 * The caller holds one (K1) reference and this function drops it.
 */
static void blkdev_submit_segments(struct bio *bio)
{
	struct backend *be = bio->bi_bdev->bd_backend;
	struct bio_seg_req *segs = bio->bi_reqs;
	uint64_t off = bio->bi_sector << SECTOR_SHIFT;
	enum backend_op op = bio_op(bio) == REQ_OP_WRITE ? BACKEND_WRITE : BACKEND_READ;
	unsigned flags = op == BACKEND_WRITE && (bio->bi_opf & REQ_FUA) ? BACKEND_REQ_FUA : 0;
	unsigned n = bio->bi_vcnt;

	__atomic_add_fetch(&bio->bi_pending, n, __ATOMIC_ACQ_REL);
	for (unsigned i = 0; i < n; i++) {
		struct bio_seg_req *seg = &segs[i + 1]; /* [0] is the flush slot */
		int ret;

		seg->bio = bio;
		seg->req = (struct backend_req){
			.op = op,
			.flags = flags,
			.off = off,
			.buf = bio->bi_io_vec[i].bv_buf,
			.len = bio->bi_io_vec[i].bv_len,
			.end_io = blkdev_seg_end_io,
		};
		off += bio->bi_io_vec[i].bv_len;
		ret = backend_submit(be, &seg->req);
		if (ret) {
			bio_set_error(bio, ret);
			bio_dec_pending(bio);
		}
	}
	bio_dec_pending(bio);
}

/* The preflush of a REQ_PREFLUSH write completed: now send the data. */
static void blkdev_preflush_end_io(struct backend_req *req)
{
	struct bio_seg_req *seg = (struct bio_seg_req *)req;

	if (req->error) {
		bio_set_error(seg->bio, req->error);
		bio_dec_pending(seg->bio);
		return;
	}
	/* The flush's reference becomes the submission reference. */
	blkdev_submit_segments(seg->bio);
}

/* Check a bio before anything is sent, so that it fails as a whole. */
static int blkdev_check_bio(const struct bio *bio)
{
	const struct block_device *bdev = bio->bi_bdev;
	uint64_t lbs = bdev->bd_logical_block_size;
	uint64_t start, nr_bytes;

	switch (bio_op(bio)) {
	case REQ_OP_FLUSH:
		return 0;
	case REQ_OP_READ:
	case REQ_OP_WRITE:
		break;
	default:
		return -EINVAL;
	}
	if (bio->bi_vcnt == 0 || bio->bi_size == 0)
		return -EINVAL;
	for (unsigned i = 0; i < bio->bi_vcnt; i++)
		if (bio->bi_io_vec[i].bv_len % lbs)
			return -EINVAL;
	if (bio->bi_sector > bdev->bd_nr_sectors)
		return -EIO;
	start = bio->bi_sector << SECTOR_SHIFT;
	if (start % lbs)
		return -EINVAL;
	nr_bytes = bdev->bd_nr_sectors << SECTOR_SHIFT;
	if (bio->bi_size > nr_bytes - start)
		return -EIO;
	return 0;
}

/* "FUA|PREFLUSH|SYNC|HIPRI" subset for the bio_submit event. */
static const char *blkdev_flag_string(unsigned opf, char *buf, size_t len)
{
	static const struct {
		unsigned bit;
		const char *name;
	} names[] = {
		{ REQ_FUA, "FUA" },
		{ REQ_PREFLUSH, "PREFLUSH" },
		{ REQ_SYNC, "SYNC" },
		{ REQ_HIPRI, "HIPRI" },
	};
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		if (!(opf & names[i].bit))
			continue;
		used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? "|" : "",
					 names[i].name);
		if (used >= len)
			break;
	}
	return buf;
}

static void blkdev_trace_submit(const struct bio *bio)
{
	static const char *const op_names[] = { "READ", "WRITE", "FLUSH" };
	struct trace_event ev;
	char flags[64];
	unsigned op = bio_op(bio);

	trace_event_init(&ev, "bio_submit", bio->bi_bdev->bd_dev, 0);
	trace_u64(&ev, "id", bio->bi_id);
	trace_str(&ev, "op", op < ARRAY_SIZE(op_names) ? op_names[op] : "UNKNOWN");
	trace_str(&ev, "flags", blkdev_flag_string(bio->bi_opf, flags, sizeof(flags)));
	trace_u64(&ev, "sector", bio->bi_sector);
	trace_u64(&ev, "size", bio->bi_size);
	trace_u64(&ev, "nr_segs", bio->bi_vcnt);
	trace_emit(&ev);
}

void submit_bio(struct bio *bio)
{
	struct block_device *bdev = bio->bi_bdev;
	struct bio_seg_req *flush;
	int err;

	bio->bi_status = 0;
	bio->bi_done = false;
	__atomic_store_n(&bio->bi_pending, 1, __ATOMIC_RELEASE); /* (K1) submission ref */

	pthread_mutex_lock(&bdev->bd_lock);
	bio->bi_id = bdev->bd_next_bio_id++;
	bdev->bd_inflight++;
	bdev->bd_stat_bios++;
	bdev->bd_stat_segments += bio->bi_vcnt;
	if (bdev->bd_mode != EXEC_CONCURRENT)
		blkdev_queue_bio(bdev, bio); /* fixes its place in the end order */
	pthread_mutex_unlock(&bdev->bd_lock);

	if (trace_enabled())
		blkdev_trace_submit(bio);

	err = blkdev_check_bio(bio);
	if (!err) {
		bio->bi_reqs = calloc(bio->bi_vcnt + 1, sizeof(struct bio_seg_req));
		if (!bio->bi_reqs)
			err = -ENOMEM;
	}
	if (err) {
		bio_set_error(bio, err);
		bio_dec_pending(bio);
		return;
	}

	flush = &((struct bio_seg_req *)bio->bi_reqs)[0];
	flush->bio = bio;
	flush->req = (struct backend_req){ .op = BACKEND_FLUSH, .end_io = blkdev_seg_end_io };
	if (bio_op(bio) == REQ_OP_FLUSH) {
		__atomic_add_fetch(&bio->bi_pending, 1, __ATOMIC_ACQ_REL);
		err = backend_submit(bdev->bd_backend, &flush->req);
		if (err) {
			bio_set_error(bio, err);
			bio_dec_pending(bio);
		}
		bio_dec_pending(bio);
	} else if (bio_op(bio) == REQ_OP_WRITE && (bio->bi_opf & REQ_PREFLUSH)) {
		/* The submission reference passes to the flush request. */
		flush->req.end_io = blkdev_preflush_end_io;
		err = backend_submit(bdev->bd_backend, &flush->req);
		if (err) {
			bio_set_error(bio, err);
			bio_dec_pending(bio);
		}
	} else {
		blkdev_submit_segments(bio);
	}
	/* bio may be gone by now.  Wake the completion thread to poll. */
	if (bdev->bd_mode == EXEC_CONCURRENT) {
		pthread_mutex_lock(&bdev->bd_lock);
		pthread_cond_broadcast(&bdev->bd_cond);
		pthread_mutex_unlock(&bdev->bd_lock);
	}
}

int blkdev_run_completions(struct block_device *bdev)
{
	pthread_t self = pthread_self();
	int n = 0;

	if (bdev->bd_mode == EXEC_CONCURRENT)
		return 0;
	pthread_mutex_lock(&bdev->bd_lock);
	/*
	 * One thread at a time ends bios, so that their bi_end_io calls start
	 * in submission order; the same thread may nest (a bi_end_io that
	 * waits for another bio).  Another thread's bios are ended by the
	 * owner; that thread just waits for them.
	 */
	if (bdev->bd_completing && !pthread_equal(bdev->bd_completing_owner, self)) {
		pthread_mutex_unlock(&bdev->bd_lock);
		return 0;
	}
	bdev->bd_completing++;
	bdev->bd_completing_owner = self;
	while (bdev->bd_done_head &&
	       __atomic_load_n(&bdev->bd_done_head->bi_pending, __ATOMIC_ACQUIRE) == 0) {
		struct bio *bio = blkdev_dequeue_bio(bdev);

		pthread_mutex_unlock(&bdev->bd_lock);
		blkdev_end_bio(bdev, bio);
		n++;
		pthread_mutex_lock(&bdev->bd_lock);
	}
	bdev->bd_completing--;
	pthread_mutex_unlock(&bdev->bd_lock);
	return n;
}

/* Concurrent mode: end every finished bio queued so far. */
static int blkdev_end_finished(struct block_device *bdev)
{
	int n = 0;

	pthread_mutex_lock(&bdev->bd_lock);
	while (bdev->bd_done_head) {
		struct bio *bio = blkdev_dequeue_bio(bdev);

		pthread_mutex_unlock(&bdev->bd_lock);
		blkdev_end_bio(bdev, bio);
		n++;
		pthread_mutex_lock(&bdev->bd_lock);
	}
	pthread_mutex_unlock(&bdev->bd_lock);
	return n;
}

/* Concurrent mode: end every finished polled bio, on the calling thread. */
static int blkdev_end_polled(struct block_device *bdev)
{
	int n = 0;

	pthread_mutex_lock(&bdev->bd_lock);
	while (bdev->bd_poll_head) {
		struct bio *bio = bdev->bd_poll_head;

		bdev->bd_poll_head = bio->bi_next;
		if (!bdev->bd_poll_head)
			bdev->bd_poll_tail = NULL;
		bio->bi_next = NULL;
		pthread_mutex_unlock(&bdev->bd_lock);
		blkdev_end_bio(bdev, bio);
		n++;
		pthread_mutex_lock(&bdev->bd_lock);
	}
	pthread_mutex_unlock(&bdev->bd_lock);
	return n;
}

int blkdev_poll(struct block_device *bdev)
{
	struct backend *be = bdev->bd_backend;

	/*
	 * Reap the backend first (an io_uring backend completes only when
	 * polled), then end what finished.  In concurrent mode the irq
	 * thread may reap too; polled bios still come to us.
	 */
	if (be->caps & BACKEND_CAP_ASYNC)
		backend_poll(be, false);
	if (bdev->bd_mode != EXEC_CONCURRENT)
		return blkdev_run_completions(bdev);
	return blkdev_end_polled(bdev);
}

bool bdev_fua(const struct block_device *bdev)
{
	return (bdev->bd_backend->caps & BACKEND_CAP_FUA) != 0;
}

bool bdev_write_cache(const struct block_device *bdev)
{
	(void)bdev;
	return true; /* backend.h: every completed write is volatile until a flush */
}

/* Sleep on bd_cond for at most @ms milliseconds.  Called with bd_lock held. */
static void blkdev_timed_wait(struct block_device *bdev, long ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += ms * 1000000L;
	ts.tv_sec += ts.tv_nsec / 1000000000L;
	ts.tv_nsec %= 1000000000L;
	pthread_cond_timedwait(&bdev->bd_cond, &bdev->bd_lock, &ts);
}

static bool blkdev_on_completion_thread(const struct block_device *bdev)
{
	return bdev->bd_mode == EXEC_CONCURRENT &&
	       pthread_equal(bdev->bd_completion_thread, pthread_self());
}

/* Predicates for blkdev_wait(), evaluated with bd_lock held. */
static bool blkdev_bio_is_done(struct block_device *bdev, void *arg)
{
	return ((struct bio *)arg)->bi_done;
}

static bool blkdev_is_idle(struct block_device *bdev, void *arg)
{
	return bdev->bd_inflight == 0;
}

/*
 * Wait until @pred holds.  Deterministic mode (and a nested wait on the
 * completion thread itself): do the work here -- end finished bios, poll the
 * backend.  Concurrent mode: the completion thread does it; just sleep.  The
 * timed sleep is a safety net; every state change broadcasts bd_cond.
 */
static void blkdev_wait(struct block_device *bdev, bool (*pred)(struct block_device *, void *),
			void *arg)
{
	bool do_work = bdev->bd_mode != EXEC_CONCURRENT || blkdev_on_completion_thread(bdev);
	bool done;

	for (;;) {
		if (bdev->bd_mode != EXEC_CONCURRENT)
			blkdev_run_completions(bdev);
		else if (do_work)
			blkdev_end_finished(bdev);
		/* A waiter is a poller too: nobody else ends polled bios. */
		if (bdev->bd_mode == EXEC_CONCURRENT)
			blkdev_end_polled(bdev);
		pthread_mutex_lock(&bdev->bd_lock);
		done = pred(bdev, arg);
		pthread_mutex_unlock(&bdev->bd_lock);
		if (done)
			return;
		if (do_work && backend_poll(bdev->bd_backend, true) > 0)
			continue;
		pthread_mutex_lock(&bdev->bd_lock);
		if (!pred(bdev, arg) && !(do_work && bdev->bd_done_head) && !bdev->bd_poll_head)
			blkdev_timed_wait(bdev, 10);
		pthread_mutex_unlock(&bdev->bd_lock);
	}
}

static void submit_bio_wait_end_io(struct bio *bio)
{
	struct block_device *bdev = bio->bi_bdev;

	pthread_mutex_lock(&bdev->bd_lock);
	bio->bi_done = true;
	pthread_cond_broadcast(&bdev->bd_cond);
	pthread_mutex_unlock(&bdev->bd_lock);
}

int submit_bio_wait(struct bio *bio)
{
	bio->bi_end_io = submit_bio_wait_end_io;
	submit_bio(bio);
	blkdev_wait(bio->bi_bdev, blkdev_bio_is_done, bio);
	return bio->bi_status;
}

void blkdev_drain(struct block_device *bdev)
{
	blkdev_wait(bdev, blkdev_is_idle, NULL);
}

/*
 * Concurrent mode's completion thread: the "interrupt handler".  It ends
 * finished bios and, for an asynchronous backend with requests in flight,
 * blocks in backend_poll() to reap them.
 */
static void *blkdev_completion_thread(void *arg)
{
	struct block_device *bdev = arg;
	struct backend *be = bdev->bd_backend;
	bool async = be->caps & BACKEND_CAP_ASYNC;

	ref_thread_set_name("irq/blk");
	pthread_mutex_lock(&bdev->bd_lock);
	for (;;) {
		if (bdev->bd_done_head) {
			pthread_mutex_unlock(&bdev->bd_lock);
			blkdev_end_finished(bdev);
			pthread_mutex_lock(&bdev->bd_lock);
			continue;
		}
		if (bdev->bd_stop)
			break;
		/*
		 * No wakeup is lost: submit_bio() raises be->inflight (in
		 * backend_submit) before it broadcasts bd_cond under bd_lock,
		 * and we test it under bd_lock before sleeping.
		 */
		if (async && __atomic_load_n(&be->inflight, __ATOMIC_ACQUIRE) > 0) {
			int n;

			pthread_mutex_unlock(&bdev->bd_lock);
			n = backend_poll(be, true);
			pthread_mutex_lock(&bdev->bd_lock);
			if (n == 0 && !bdev->bd_done_head)
				blkdev_timed_wait(bdev, 1);
			continue;
		}
		blkdev_timed_wait(bdev, 100);
	}
	pthread_mutex_unlock(&bdev->bd_lock);
	return NULL;
}

int blkdev_open(struct block_device *bdev, struct backend *backend, kdev_t dev)
{
	int ret;

	if (!bdev || !backend)
		return -EINVAL;
	memset(bdev, 0, sizeof(*bdev));
	bdev->bd_dev = dev;
	bdev->bd_backend = backend;
	bdev->bd_logical_block_size = backend->logical_block_size;
	bdev->bd_dma_alignment = SECTOR_SIZE - 1;
	bdev->bd_nr_sectors = backend->size >> SECTOR_SHIFT;
	bdev->bd_mode = kernel_exec_mode();
	pthread_mutex_init(&bdev->bd_lock, NULL);
	pthread_cond_init(&bdev->bd_cond, NULL);
	if (bdev->bd_mode == EXEC_CONCURRENT) {
		ret = pthread_create(&bdev->bd_completion_thread, NULL, blkdev_completion_thread,
				     bdev);
		if (ret) {
			pthread_cond_destroy(&bdev->bd_cond);
			pthread_mutex_destroy(&bdev->bd_lock);
			return -ret;
		}
	}
	return 0;
}

void blkdev_close(struct block_device *bdev)
{
	blkdev_drain(bdev);
	if (bdev->bd_mode == EXEC_CONCURRENT) {
		pthread_mutex_lock(&bdev->bd_lock);
		bdev->bd_stop = true;
		pthread_cond_broadcast(&bdev->bd_cond);
		pthread_mutex_unlock(&bdev->bd_lock);
		pthread_join(bdev->bd_completion_thread, NULL);
	}
	pthread_cond_destroy(&bdev->bd_cond);
	pthread_mutex_destroy(&bdev->bd_lock);
}

int blkdev_issue_flush(struct block_device *bdev)
{
	struct bio *bio = bio_alloc(bdev, 0, REQ_OP_FLUSH);
	int ret = submit_bio_wait(bio);

	bio_put(bio);
	return ret;
}

/* Largest piece blkdev_rw() puts in one bio (bi_size is 32 bits). */
#define BLKDEV_RW_CHUNK (1u << 30)

int blkdev_rw(struct block_device *bdev, unsigned op, uint64_t pos, void *buf, size_t len)
{
	unsigned lbs = bdev->bd_logical_block_size;
	unsigned char *p = buf;

	if (((op & REQ_OP_MASK) != REQ_OP_READ && (op & REQ_OP_MASK) != REQ_OP_WRITE) ||
	    len == 0 || pos % lbs || len % lbs)
		return -EINVAL;
	while (len) {
		unsigned chunk = len > BLKDEV_RW_CHUNK ? BLKDEV_RW_CHUNK : (unsigned)len;
		struct bio *bio = bio_alloc(bdev, 1, op);
		int ret;

		bio->bi_sector = pos >> SECTOR_SHIFT;
		bio_add_buf(bio, p, chunk);
		ret = submit_bio_wait(bio);
		bio_put(bio);
		if (ret)
			return ret;
		pos += chunk;
		p += chunk;
		len -= chunk;
	}
	return 0;
}
