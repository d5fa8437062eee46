/**
 * @file backend.c
 * @brief The generic half of every backend: argument checks, in-flight
 *        accounting, synchronous I/O and draining.
 *
 * What it is for: backend.h's entry points (backend_submit(),
 * backend_poll(), backend_drain(), backend_rw_sync(), backend_destroy())
 * are thin wrappers around `b->ops`.  Keeping the rules here (alignment,
 * range, in-flight counting) means each backend file contains only what is
 * special about its medium.
 *
 * How to use it: callers use the wrappers, never `b->ops` directly.
 * Backends call backend_complete() once per accepted request.
 *
 * Life of a request, and who moves it:
 *
 *     caller-owned --backend_submit()--> in flight --backend_complete()--> caller-owned
 *          |                                (inflight + 1)     (end_io runs, then inflight - 1)
 *          +--backend_submit() refuses (-EINVAL, -EIO, ...)--> caller-owned, end_io not run
 *
 * Invariants (numbered so that tests can name them):
 *  - (B1) end_io runs exactly once for every request that backend_submit()
 *         accepted, and never for one it refused.
 *  - (B2) `b->inflight` counts accepted requests whose end_io has not
 *         returned yet; it is 0 when backend_drain() returns.
 *  - (B3) a read or write reaching `ops->submit` is aligned to the logical
 *         block size and lies inside the device.
 *
 * Never: call backend_drain() from inside an end_io of the same backend (the
 * request being completed is itself still counted by (B2), so the drain
 * would wait for itself); free a request before its end_io has run.
 *
 * Locking: `b->inflight` is changed with atomic operations.  One global
 * mutex/condition pair (`backend_wait_lock`, `backend_wait_cond`) only
 * serves to sleep until "some request somewhere completed"; it protects no
 * data, and is never held while an end_io runs.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "backends/backend.h"

/* Sleepers in backend_drain()/backend_rw_sync() wait here for any completion. */
static pthread_mutex_t backend_wait_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t backend_wait_cond = PTHREAD_COND_INITIALIZER;

/*
 * Sleep until `*watch == stop_value` (@equal true) or `*watch != stop_value`
 * (@equal false), or until a short while passes.  The timeout is a safety
 * net only: every completion broadcasts under the lock, and the condition is
 * re-checked under it, so no wakeup is lost.
 */
static void backend_wait_for_completion(const int *watch, int stop_value, bool equal)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += 10 * 1000 * 1000;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&backend_wait_lock);
	for (;;) {
		int v = __atomic_load_n(watch, __ATOMIC_ACQUIRE);

		if ((v == stop_value) == equal)
			break;
		if (pthread_cond_timedwait(&backend_wait_cond, &backend_wait_lock, &ts) == ETIMEDOUT)
			break;
	}
	pthread_mutex_unlock(&backend_wait_lock);
}

void backend_complete(struct backend *b, struct backend_req *req, int error)
{
	req->error = error;
	req->end_io(req);
	/* (B2): the count drops only after end_io returned; req may be gone. */
	pthread_mutex_lock(&backend_wait_lock);
	__atomic_sub_fetch(&b->inflight, 1, __ATOMIC_ACQ_REL);
	pthread_cond_broadcast(&backend_wait_cond);
	pthread_mutex_unlock(&backend_wait_lock);
}

/* (B3): the checks every backend relies on. */
static int backend_check_req(const struct backend *b, const struct backend_req *req)
{
	if (!req->end_io)
		return -EINVAL;
	switch (req->op) {
	case BACKEND_FLUSH:
		return 0;
	case BACKEND_READ:
	case BACKEND_WRITE:
		break;
	default:
		return -EINVAL;
	}
	if (!req->buf || req->len == 0)
		return -EINVAL;
	if (req->off % b->logical_block_size || req->len % b->logical_block_size)
		return -EINVAL;
	/* Written so that it cannot overflow for offsets near UINT64_MAX. */
	if (req->off > b->size || req->len > b->size - req->off)
		return -EIO;
	return 0;
}

void backend_init(struct backend *b, const struct backend_ops *ops, const char *kind, uint32_t lbs,
		  uint64_t size, unsigned caps, uint32_t major, uint32_t minor, void *priv)
{
	b->ops = ops;
	b->kind = kind;
	b->logical_block_size = lbs;
	b->size = size;
	b->caps = caps;
	b->dev_major = major;
	b->dev_minor = minor;
	b->inflight = 0;
	b->priv = priv;
}

int backend_submit(struct backend *b, struct backend_req *req)
{
	int ret = backend_check_req(b, req);

	if (ret)
		return ret;
	req->error = 0;
	__atomic_add_fetch(&b->inflight, 1, __ATOMIC_ACQ_REL);
	ret = b->ops->submit(b, req);
	if (ret) {
		/* Refused: (B1) says end_io must not run, so just uncount it. */
		pthread_mutex_lock(&backend_wait_lock);
		__atomic_sub_fetch(&b->inflight, 1, __ATOMIC_ACQ_REL);
		pthread_cond_broadcast(&backend_wait_cond);
		pthread_mutex_unlock(&backend_wait_lock);
	}
	return ret;
}

int backend_poll(struct backend *b, bool wait)
{
	if (!b->ops->poll)
		return 0;
	return b->ops->poll(b, wait);
}

void backend_drain(struct backend *b)
{
	while (__atomic_load_n(&b->inflight, __ATOMIC_ACQUIRE) > 0) {
		/*
		 * Reap what we can ourselves; if nothing was reaped, another
		 * thread holds the completions we wait for (it reaped them and
		 * is running their end_io), so sleep until it is done.
		 */
		if (backend_poll(b, true) > 0)
			continue;
		backend_wait_for_completion(&b->inflight, 0, true);
	}
}

/* State of one backend_rw_sync() call, on the caller's stack. */
struct backend_sync_wait {
	int done; /* set (atomically) by backend_sync_end_io */
};

static void backend_sync_end_io(struct backend_req *req)
{
	struct backend_sync_wait *w = req->private;

	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
}

int backend_rw_sync(struct backend *b, enum backend_op op, uint64_t off, void *buf, size_t len,
		    unsigned flags)
{
	struct backend_sync_wait w = { .done = 0 };
	struct backend_req req = {
		.op = op,
		.flags = flags,
		.off = off,
		.buf = buf,
		.len = len,
		.end_io = backend_sync_end_io,
		.private = &w,
	};
	int ret;

	ret = backend_submit(b, &req);
	if (ret)
		return ret;
	while (!__atomic_load_n(&w.done, __ATOMIC_ACQUIRE)) {
		if (backend_poll(b, true) > 0)
			continue;
		backend_wait_for_completion(&w.done, 0, false);
	}
	/*
	 * end_io has run, but backend_complete() may still be about to touch
	 * b (never req), so returning now and letting req go out of scope is
	 * safe.
	 */
	return req.error;
}

void backend_destroy(struct backend *b)
{
	if (!b)
		return;
	backend_drain(b);
	b->ops->destroy(b);
}
