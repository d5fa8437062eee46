/**
 * @file fault.c
 * @brief The fault backend: a wrapper over any backend that injects EIO and
 *        simulates power cuts against a volatile write cache.
 *
 * What it is for: every error path of the stack (read error, writeback
 * error, failed flush, crash in the middle of a commit) is tested by putting
 * this wrapper under the block device and arming it.
 *
 * How to use it:
 *
 *     struct backend *b = backend_fault_new(backend_ram_new(size, 4096));
 *     fault_set_eio(b, BACKEND_WRITE, FAULT_ONCE, 2);  // 3rd write fails
 *     fault_arm_power_cut(b, 5, 1024);                 // 6th write torn at 1 KiB
 *     ...
 *     fault_power_restore(b);                          // "reboot"; inspect media
 *
 * EIO injection, per operation (read, write, flush): the first @c after
 * matching requests pass, then the next one fails (FAULT_ONCE, after which
 * the mode is back to FAULT_NONE) or every later one fails (FAULT_ALWAYS).
 * A failed request does not reach the lower backend, so a failed write
 * leaves the media unchanged and a failed flush makes nothing durable.
 *
 * Durability model.  The lower backend holds the newest data (as a drive's
 * cache would), and this wrapper keeps, for every write that is not yet
 * durable, an *undo record*: the previous contents of the written range,
 * read from the lower backend just before the write is sent down.
 *
 *     submitted --lower completes--> completed --flush completes--> durable
 *         |                             |                          (record dropped)
 *         |                             +--FUA write completes--> durable
 *         +-----------power cut--------+--> rolled back (record applied)
 *
 *  - (F1) a flush makes durable exactly the writes that had completed when
 *         the flush was *submitted* (a write still in flight is not covered,
 *         as with a real cache flush);
 *  - (F2) a completed FUA write is durable at once.  Its bytes are also
 *         copied into the undo records of *older* writes that overlap it, so
 *         that rolling those back later restores the FUA data, not the data
 *         from before it;
 *  - (F3) a power cut applies every undo record, newest first, so each byte
 *         returns to the value it had after the last durable write to it;
 *  - (F4) after a cut every request fails with -EIO until
 *         fault_power_restore(); a request that was in flight at the cut
 *         also completes with -EIO.
 *
 * Torn writes.  fault_arm_power_cut(b, nth, torn_bytes) cuts the power
 * *during* the nth write: its first @c torn_bytes, rounded down to whole
 * logical blocks of the lower backend, reach the media (a device writes a
 * logical block atomically or not at all, so a 512-byte device tears at
 * 512-byte sectors and a 4Kn device at 4 KiB), the rest does not.  The torn
 * part counts as having reached stable media, like a FUA write (F2); then
 * the older non-durable writes are rolled back (F3), and the torn request
 * itself completes with -EIO.
 *
 * With an asynchronous lower backend (bdev), a cut that happens while lower
 * writes are in flight waits for them: the rollback runs when the last of
 * them completes, before that completion is reported, so a caller that has
 * seen every request end sees the media after the rollback.
 *
 * Never: hand the lower backend to anyone else (the wrapper owns it, and
 * writes that bypass the wrapper are invisible to the durability model);
 * call fault_power_restore() from an end_io (it drains the lower backend,
 * which would wait for the very request whose end_io is running);
 * rely on the ordering of two overlapping writes in flight at once (the
 * undo record of the second may capture either version, as real hardware
 * may store either).
 *
 * Locking: `fb->lock` protects every field of struct fault_backend below it
 * and every undo record.  It is never held across I/O to the lower backend
 * nor while an end_io runs.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/backend.h"

/* Previous contents of one not-yet-durable write. */
struct fault_undo {
	uint64_t off;             /* device range the write covers */
	size_t len;
	unsigned char *old;       /* len bytes: what was there before */
	bool completed;           /* the lower write has completed */
	uint64_t complete_seq;    /* order of completion, for (F1) */
	struct fault_undo *prev;  /* list, oldest first */
	struct fault_undo *next;
};

/* EIO injection state of one operation. */
struct fault_eio {
	enum fault_mode mode;
	unsigned after;           /* matching requests still let through */
};

/* Private state of a fault backend. */
struct fault_backend {
	struct backend b;         /* embedded: b.priv points back here */
	struct backend *lower;    /* owned; constant */
	pthread_mutex_t lock;     /* protects everything below */
	struct fault_eio eio[3];  /* indexed by enum backend_op */
	unsigned writes_seen;     /* write requests submitted to the wrapper */
	bool cut_armed;           /* a power cut waits for write number cut_at */
	unsigned cut_at;
	size_t torn_bytes;
	bool power_cut;           /* (F4) */
	bool rollback_pending;    /* cut happened with lower I/O in flight */
	unsigned lower_inflight;  /* requests sent to lower, end_io not run */
	uint64_t complete_seq;    /* last write completion number handed out */
	struct fault_undo *undo_head; /* oldest */
	struct fault_undo *undo_tail; /* newest */
};

/* One request passed down to the lower backend. */
struct fault_io {
	struct backend_req lower_req; /* what the lower backend sees */
	struct backend_req *upper;    /* the caller's request */
	struct fault_backend *fb;
	struct fault_undo *undo;      /* writes: its undo record */
	uint64_t flush_upto;          /* flushes: completions covered (F1) */
};

static const struct backend_ops fault_ops;

/* The fault_* controls take any struct backend; misuse is a programming error. */
static struct fault_backend *to_fault(struct backend *b)
{
	if (!b || b->ops != &fault_ops) {
		fprintf(stderr, "fault backend control called on a %s backend\n",
			b ? b->kind : "NULL");
		abort();
	}
	return b->priv;
}

static void undo_unlink(struct fault_backend *fb, struct fault_undo *u)
{
	if (u->prev)
		u->prev->next = u->next;
	else
		fb->undo_head = u->next;
	if (u->next)
		u->next->prev = u->prev;
	else
		fb->undo_tail = u->prev;
	u->prev = u->next = NULL;
}

static void undo_free(struct fault_undo *u)
{
	free(u->old);
	free(u);
}

/*
 * (F2): bytes [off, off + len) with contents @data are now on stable media.
 * Copy them into the undo records before @stop (older writes) so that a
 * rollback of those restores these bytes.  Called with fb->lock held.
 */
static void undo_patch_durable(struct fault_backend *fb, struct fault_undo *stop, uint64_t off,
			       size_t len, const unsigned char *data)
{
	for (struct fault_undo *u = fb->undo_head; u && u != stop; u = u->next) {
		uint64_t start = off > u->off ? off : u->off;
		uint64_t end_a = off + len, end_b = u->off + u->len;
		uint64_t end = end_a < end_b ? end_a : end_b;

		if (start < end)
			memcpy(u->old + (start - u->off), data + (start - off), (size_t)(end - start));
	}
}

/* (F1): drop the records of writes completed at or before @upto. */
static void undo_drop_durable(struct fault_backend *fb, uint64_t upto)
{
	struct fault_undo *u = fb->undo_head;

	while (u) {
		struct fault_undo *next = u->next;

		if (u->completed && u->complete_seq <= upto) {
			undo_unlink(fb, u);
			undo_free(u);
		}
		u = next;
	}
}

/*
 * (F3): write every record back, newest first, and free them.  @list is the
 * newest record of a list detached from fb under the lock; no lock is held
 * here (the writes go straight to the lower backend).
 */
static void fault_rollback(struct fault_backend *fb, struct fault_undo *newest)
{
	while (newest) {
		struct fault_undo *prev = newest->prev;

		/* Nothing sensible to do if the lower device fails here. */
		(void)backend_rw_sync(fb->lower, BACKEND_WRITE, newest->off, newest->old,
				      newest->len, 0);
		undo_free(newest);
		newest = prev;
	}
}

/*
 * Decide, with fb->lock held, whether the rollback of a cut can run now (no
 * lower I/O in flight); if so detach the list and return its newest record.
 */
static struct fault_undo *fault_take_rollback(struct fault_backend *fb)
{
	struct fault_undo *newest;

	if (!fb->power_cut || fb->lower_inflight > 0) {
		if (fb->power_cut)
			fb->rollback_pending = true;
		return NULL;
	}
	fb->rollback_pending = false;
	newest = fb->undo_tail;
	fb->undo_head = fb->undo_tail = NULL;
	return newest;
}

/* Should this request fail with an injected EIO?  Called with fb->lock held. */
static bool fault_eio_fires(struct fault_backend *fb, enum backend_op op)
{
	struct fault_eio *e = &fb->eio[op];

	if (e->mode == FAULT_NONE)
		return false;
	if (e->after > 0) {
		e->after--;
		return false;
	}
	if (e->mode == FAULT_ONCE)
		e->mode = FAULT_NONE;
	return true;
}

static void fault_lower_end_io(struct backend_req *lreq)
{
	struct fault_io *io = lreq->private;
	struct fault_backend *fb = io->fb;
	struct backend_req *upper = io->upper;
	struct fault_undo *rollback = NULL;
	int err = lreq->error;

	pthread_mutex_lock(&fb->lock);
	fb->lower_inflight--;
	if (fb->power_cut) {
		err = -EIO; /* (F4): the device died before acknowledging */
	} else if (upper->op == BACKEND_WRITE) {
		struct fault_undo *u = io->undo;

		u->completed = true;
		u->complete_seq = ++fb->complete_seq;
		if (!err && (upper->flags & BACKEND_REQ_FUA)) {
			/* (F2) */
			undo_patch_durable(fb, u, upper->off, upper->len, upper->buf);
			undo_unlink(fb, u);
			undo_free(u);
		}
	} else if (upper->op == BACKEND_FLUSH && !err) {
		undo_drop_durable(fb, io->flush_upto);
	}
	if (fb->rollback_pending)
		rollback = fault_take_rollback(fb);
	pthread_mutex_unlock(&fb->lock);

	fault_rollback(fb, rollback);
	free(io);
	backend_complete(&fb->b, upper, err);
}

/*
 * The power goes off during @req (a write), after @torn bytes of it reached
 * the media.  Called with fb->lock held and power_cut already set; returns
 * with it released.
 */
static void fault_cut_during(struct fault_backend *fb, struct backend_req *req, size_t torn)
{
	struct fault_undo *rollback;

	pthread_mutex_unlock(&fb->lock);
	if (torn > 0 &&
	    backend_rw_sync(fb->lower, BACKEND_WRITE, req->off, req->buf, torn, 0) == 0) {
		pthread_mutex_lock(&fb->lock);
		undo_patch_durable(fb, NULL, req->off, torn, req->buf);
		pthread_mutex_unlock(&fb->lock);
	}
	pthread_mutex_lock(&fb->lock);
	rollback = fault_take_rollback(fb);
	pthread_mutex_unlock(&fb->lock);
	fault_rollback(fb, rollback);
}

static int fault_submit(struct backend *b, struct backend_req *req)
{
	struct fault_backend *fb = to_fault(b);
	struct fault_undo *u = NULL;
	struct fault_io *io;
	unsigned index = 0;
	int ret;

	pthread_mutex_lock(&fb->lock);
	if (req->op == BACKEND_WRITE)
		index = fb->writes_seen++;
	if (fb->power_cut) {
		pthread_mutex_unlock(&fb->lock);
		backend_complete(b, req, -EIO); /* (F4) */
		return 0;
	}
	if (req->op == BACKEND_WRITE && fb->cut_armed && index == fb->cut_at) {
		uint32_t lbs = fb->lower->logical_block_size;
		size_t torn = fb->torn_bytes < req->len ? fb->torn_bytes : req->len;

		fb->cut_armed = false;
		fb->power_cut = true;
		fault_cut_during(fb, req, torn - torn % lbs);
		backend_complete(b, req, -EIO);
		return 0;
	}
	if (fault_eio_fires(fb, req->op)) {
		pthread_mutex_unlock(&fb->lock);
		backend_complete(b, req, -EIO);
		return 0;
	}
	pthread_mutex_unlock(&fb->lock);

	io = calloc(1, sizeof(*io));
	if (!io)
		return -ENOMEM;
	io->upper = req;
	io->fb = fb;
	io->lower_req = (struct backend_req){
		.op = req->op,
		.flags = req->flags,
		.off = req->off,
		.buf = req->buf,
		.len = req->len,
		.end_io = fault_lower_end_io,
		.private = io,
	};

	if (req->op == BACKEND_WRITE) {
		/* Remember what the write is about to overwrite. */
		u = calloc(1, sizeof(*u));
		if (u)
			u->old = aligned_alloc(fb->lower->logical_block_size, req->len);
		if (!u || !u->old) {
			if (u)
				free(u);
			free(io);
			return -ENOMEM;
		}
		u->off = req->off;
		u->len = req->len;
		ret = backend_rw_sync(fb->lower, BACKEND_READ, req->off, u->old, req->len, 0);
		if (ret) {
			undo_free(u);
			free(io);
			return ret;
		}
		io->undo = u;
	}

	pthread_mutex_lock(&fb->lock);
	if (fb->power_cut) {
		/* The power went while we read the old contents. */
		pthread_mutex_unlock(&fb->lock);
		if (u)
			undo_free(u);
		free(io);
		backend_complete(b, req, -EIO);
		return 0;
	}
	if (u) {
		u->prev = fb->undo_tail;
		if (fb->undo_tail)
			fb->undo_tail->next = u;
		else
			fb->undo_head = u;
		fb->undo_tail = u;
	}
	if (req->op == BACKEND_FLUSH)
		io->flush_upto = fb->complete_seq;
	fb->lower_inflight++;
	pthread_mutex_unlock(&fb->lock);

	ret = backend_submit(fb->lower, &io->lower_req);
	if (ret) {
		struct fault_undo *rollback = NULL;

		pthread_mutex_lock(&fb->lock);
		fb->lower_inflight--;
		if (u) {
			undo_unlink(fb, u);
			undo_free(u);
		}
		if (fb->rollback_pending)
			rollback = fault_take_rollback(fb);
		pthread_mutex_unlock(&fb->lock);
		fault_rollback(fb, rollback);
		free(io);
		return ret;
	}
	return 0;
}

static int fault_poll(struct backend *b, bool wait)
{
	return backend_poll(to_fault(b)->lower, wait);
}

static void fault_destroy(struct backend *b)
{
	struct fault_backend *fb = to_fault(b);
	struct fault_undo *u = fb->undo_head;

	/* The power stays on: non-durable writes simply stay where they are. */
	while (u) {
		struct fault_undo *next = u->next;

		undo_free(u);
		u = next;
	}
	backend_destroy(fb->lower);
	pthread_mutex_destroy(&fb->lock);
	free(fb);
}

static const struct backend_ops fault_ops = {
	.submit = fault_submit,
	.poll = fault_poll,
	.destroy = fault_destroy,
};

struct backend *backend_fault_new(struct backend *lower)
{
	struct fault_backend *fb;

	if (!lower) {
		errno = EINVAL;
		return NULL;
	}
	fb = calloc(1, sizeof(*fb));
	if (!fb) {
		errno = ENOMEM;
		return NULL;
	}
	pthread_mutex_init(&fb->lock, NULL);
	fb->lower = lower;
	backend_init(&fb->b, &fault_ops, "fault", lower->logical_block_size, lower->size,
		     lower->caps, lower->dev_major, lower->dev_minor, fb);
	return &fb->b;
}

void fault_set_eio(struct backend *b, enum backend_op op, enum fault_mode mode, unsigned after)
{
	struct fault_backend *fb = to_fault(b);

	if ((unsigned)op > BACKEND_FLUSH)
		return;
	pthread_mutex_lock(&fb->lock);
	fb->eio[op].mode = mode;
	fb->eio[op].after = after;
	pthread_mutex_unlock(&fb->lock);
}

void fault_arm_power_cut(struct backend *b, unsigned nth, size_t torn_bytes)
{
	struct fault_backend *fb = to_fault(b);

	pthread_mutex_lock(&fb->lock);
	fb->cut_armed = true;
	fb->cut_at = fb->writes_seen + nth;
	fb->torn_bytes = torn_bytes;
	pthread_mutex_unlock(&fb->lock);
}

void fault_power_cut_now(struct backend *b)
{
	struct fault_backend *fb = to_fault(b);
	struct fault_undo *rollback;

	pthread_mutex_lock(&fb->lock);
	fb->cut_armed = false;
	fb->power_cut = true;
	rollback = fault_take_rollback(fb);
	pthread_mutex_unlock(&fb->lock);
	fault_rollback(fb, rollback);
}

void fault_power_restore(struct backend *b)
{
	struct fault_backend *fb = to_fault(b);

	/* A deferred rollback runs when the last lower request completes. */
	backend_drain(fb->lower);
	pthread_mutex_lock(&fb->lock);
	fb->power_cut = false;
	fb->rollback_pending = false;
	pthread_mutex_unlock(&fb->lock);
}

bool fault_power_is_cut(struct backend *b)
{
	struct fault_backend *fb = to_fault(b);
	bool cut;

	pthread_mutex_lock(&fb->lock);
	cut = fb->power_cut;
	pthread_mutex_unlock(&fb->lock);
	return cut;
}

unsigned fault_writes_seen(struct backend *b)
{
	struct fault_backend *fb = to_fault(b);
	unsigned n;

	pthread_mutex_lock(&fb->lock);
	n = fb->writes_seen;
	pthread_mutex_unlock(&fb->lock);
	return n;
}
