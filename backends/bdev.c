/**
 * @file bdev.c
 * @brief The bdev backend: a real block device, opened O_DIRECT, driven by
 *        io_uring.
 *
 * What it is for: running the reference against real hardware (or a loop
 * device), so that what the model claims about a device -- alignment,
 * asynchronous completion, flush and FUA -- is checked against the kernel's
 * block layer.
 *
 * How to use it: backend_bdev_new("/dev/loop3"); then the generic calls of
 * backend.h.  Requests complete *asynchronously*: end_io runs inside
 * backend_poll() (or inside backend_submit() when the ring is full and the
 * submitter has to reap to make room).  backend_destroy() drains, tears the
 * ring down and closes the device.
 *
 * Mapping of operations onto io_uring:
 *
 *     BACKEND_READ            IORING_OP_READ
 *     BACKEND_WRITE           IORING_OP_WRITE
 *     BACKEND_WRITE | FUA     IORING_OP_WRITE with rw_flags = RWF_DSYNC
 *                             (the block layer turns it into REQ_FUA, or
 *                             into write + flush on a device without FUA)
 *     BACKEND_FLUSH           IORING_OP_FSYNC (a cache flush on a bdev)
 *
 * O_DIRECT wants the memory aligned too.  A buffer whose address is not a
 * multiple of the logical block size is *bounced*: the data goes through an
 * aligned copy (copied in before a write, out after a read).  Offsets and
 * lengths are not bounced: a misaligned one is refused with -EINVAL by
 * backend_submit(), as the kernel would.  One request moves at most
 * BDEV_MAX_IO bytes (-EINVAL above that), the kernel's per-call limit.
 *
 * A request's life:
 *
 *     backend_submit --bdev_submit()--> in ring --bdev_poll() reaps CQE--> reaped
 *         --bdev_finish_io() (copy bounce out, free)--> backend_complete()
 *
 * Invariants:
 *  - (D1) `in_ring` counts SQEs prepared and not yet reaped; it never
 *         exceeds `depth`, so completions can never overflow the CQ ring.
 *  - (D2) no lock of this file is held while an end_io runs.
 *
 * Never: call backend_poll() on this backend from a signal handler; close
 * the device behind the backend's back.
 *
 * Locking: `sq_lock` protects the submission queue (get_sqe, prep, submit);
 * `cq_lock` protects the completion queue (wait, iterate, advance).  The two
 * sides of an io_uring may be used by different threads at once, so a
 * submitter never waits for a poller and vice versa, except when the ring is
 * full (then the submitter becomes a poller).  Order: cq_lock before sq_lock
 * (bdev_poll() pushes pending SQEs while holding cq_lock).  `in_ring` is
 * atomic.
 */
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "backends/backend.h"

/** Queue depth of the ring: SQEs in flight at most (D1). */
#define BDEV_QUEUE_DEPTH 64u
/** Largest transfer the kernel does in one read/write (MAX_RW_COUNT). */
#define BDEV_MAX_IO 0x7ffff000u

/* One request as the ring sees it; sqe user_data points here. */
struct bdev_io {
	struct backend_req *req; /* the caller's request */
	void *bounce;            /* aligned copy of req->buf, or NULL */
	int res;                 /* cqe->res, filled when reaped */
	struct bdev_io *next;    /* reaped list, private to one bdev_poll() */
};

/* Private state of a bdev backend. */
struct bdev_backend {
	struct backend b;        /* embedded: b.priv points back here */
	int fd;                  /* device, O_RDWR | O_DIRECT; constant */
	struct io_uring ring;    /* SQ side under sq_lock, CQ side under cq_lock */
	pthread_mutex_t sq_lock; /* protects the SQ ring */
	pthread_mutex_t cq_lock; /* protects the CQ ring */
	unsigned in_ring;        /* atomic: see (D1) */
};

/*
 * Hand every prepared SQE to the kernel.  Called with sq_lock held.  A
 * failed io_uring_enter leaves the SQEs queued in the SQ ring (the tail has
 * already moved), so they are not lost: the next call retries them.
 */
static void bdev_push_sq(struct bdev_backend *bd)
{
	while (io_uring_sq_ready(&bd->ring) > 0) {
		/* -EAGAIN / -EBUSY: the kernel is short of resources; retry later. */
		if (io_uring_submit(&bd->ring) != -EINTR)
			break;
	}
}

/* Finish one reaped request: copy a bounced read out, free, complete. */
static void bdev_finish_io(struct bdev_backend *bd, struct bdev_io *io)
{
	struct backend_req *req = io->req;
	int err = 0;

	if (io->res < 0)
		err = io->res;
	else if (req->op != BACKEND_FLUSH && (size_t)io->res != req->len)
		err = -EIO; /* a short transfer inside the device: treat as a media error */
	else if (req->op == BACKEND_READ && io->bounce)
		memcpy(req->buf, io->bounce, req->len);
	free(io->bounce);
	free(io);
	backend_complete(&bd->b, req, err);
}

static int bdev_poll(struct backend *b, bool wait)
{
	struct bdev_backend *bd = b->priv;
	struct bdev_io *head = NULL, **tail = &head;
	struct io_uring_cqe *cqe;
	unsigned cq_head;
	int n = 0;

	if (wait)
		pthread_mutex_lock(&bd->cq_lock);
	else if (pthread_mutex_trylock(&bd->cq_lock))
		return 0; /* another thread is reaping right now */

	pthread_mutex_lock(&bd->sq_lock);
	bdev_push_sq(bd);
	pthread_mutex_unlock(&bd->sq_lock);

	if (__atomic_load_n(&bd->in_ring, __ATOMIC_ACQUIRE) == 0) {
		pthread_mutex_unlock(&bd->cq_lock);
		return 0; /* nothing to wait for: never block on an empty ring */
	}
	if (wait) {
		int ret;

		do
			ret = io_uring_wait_cqe(&bd->ring, &cqe);
		while (ret == -EINTR);
		(void)ret; /* on other errors, fall through and reap what is there */
	}
	io_uring_for_each_cqe(&bd->ring, cq_head, cqe) {
		struct bdev_io *io = io_uring_cqe_get_data(cqe);

		/* Pairs with the release in bdev_submit(); see there. */
		(void)__atomic_load_n(&io->res, __ATOMIC_ACQUIRE);
		io->res = cqe->res;
		io->next = NULL;
		*tail = io;
		tail = &io->next;
		n++;
	}
	io_uring_cq_advance(&bd->ring, (unsigned)n);
	__atomic_sub_fetch(&bd->in_ring, (unsigned)n, __ATOMIC_ACQ_REL);
	pthread_mutex_unlock(&bd->cq_lock);

	/* (D2): end_io callbacks run with no lock held, in CQE order. */
	while (head) {
		struct bdev_io *io = head;

		head = io->next;
		bdev_finish_io(bd, io);
	}
	return n;
}

static int bdev_submit(struct backend *b, struct backend_req *req)
{
	struct bdev_backend *bd = b->priv;
	struct io_uring_sqe *sqe;
	struct bdev_io *io;
	void *buf = req->buf;

	if (req->len > BDEV_MAX_IO)
		return -EINVAL; /* the kernel would transfer less; split it above */
	io = calloc(1, sizeof(*io));
	if (!io)
		return -ENOMEM;
	io->req = req;
	if (req->op != BACKEND_FLUSH && (uintptr_t)req->buf % b->logical_block_size) {
		/* O_DIRECT needs aligned memory: go through an aligned copy. */
		io->bounce = aligned_alloc(b->logical_block_size, req->len);
		if (!io->bounce) {
			free(io);
			return -ENOMEM;
		}
		if (req->op == BACKEND_WRITE)
			memcpy(io->bounce, req->buf, req->len);
		buf = io->bounce;
	}

	for (;;) {
		pthread_mutex_lock(&bd->sq_lock);
		if (__atomic_load_n(&bd->in_ring, __ATOMIC_ACQUIRE) < BDEV_QUEUE_DEPTH) {
			sqe = io_uring_get_sqe(&bd->ring);
			if (sqe)
				break; /* keep sq_lock */
			bdev_push_sq(bd);
		}
		pthread_mutex_unlock(&bd->sq_lock);
		/* (D1): the ring is full; reap (running end_io here) to make room. */
		bdev_poll(b, true);
	}

	switch (req->op) {
	case BACKEND_READ:
		io_uring_prep_read(sqe, bd->fd, buf, (unsigned)req->len, req->off);
		break;
	case BACKEND_WRITE:
		io_uring_prep_write(sqe, bd->fd, buf, (unsigned)req->len, req->off);
		if (req->flags & BACKEND_REQ_FUA)
			sqe->rw_flags = RWF_DSYNC;
		break;
	case BACKEND_FLUSH:
		io_uring_prep_fsync(sqe, bd->fd, 0);
		break;
	}
	/*
	 * The kernel hands io from this thread to the reaping one; its
	 * syscalls order memory, but a race detector cannot see that, so say
	 * it in C11 terms too (paired with the acquire in bdev_poll()).
	 */
	__atomic_store_n(&io->res, 0, __ATOMIC_RELEASE);
	io_uring_sqe_set_data(sqe, io);
	__atomic_add_fetch(&bd->in_ring, 1, __ATOMIC_ACQ_REL);
	bdev_push_sq(bd);
	pthread_mutex_unlock(&bd->sq_lock);
	return 0;
}

static void bdev_destroy(struct backend *b)
{
	struct bdev_backend *bd = b->priv;

	io_uring_queue_exit(&bd->ring);
	close(bd->fd);
	pthread_mutex_destroy(&bd->sq_lock);
	pthread_mutex_destroy(&bd->cq_lock);
	free(bd);
}

static const struct backend_ops bdev_ops = {
	.submit = bdev_submit,
	.poll = bdev_poll,
	.destroy = bdev_destroy,
};

struct backend *backend_bdev_new(const char *path)
{
	struct bdev_backend *bd;
	struct stat st;
	uint64_t bytes = 0;
	int lbs = 0, fd, ret, saved;

	if (!path) {
		errno = EINVAL;
		return NULL;
	}
	/* Check the type before opening: opening a FIFO or a tty has effects. */
	if (stat(path, &st) < 0)
		return NULL;
	if (!S_ISBLK(st.st_mode)) {
		errno = ENOTBLK;
		return NULL;
	}
	fd = open(path, O_RDWR | O_DIRECT | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	/* Re-check on the open file: the path may have changed meanwhile. */
	if (fstat(fd, &st) < 0)
		goto fail;
	if (!S_ISBLK(st.st_mode)) {
		errno = ENOTBLK;
		goto fail;
	}
	if (ioctl(fd, BLKSSZGET, &lbs) < 0 || ioctl(fd, BLKGETSIZE64, &bytes) < 0)
		goto fail;
	if (lbs < 512 || (lbs & (lbs - 1)) || bytes < (uint64_t)lbs) {
		errno = EINVAL;
		goto fail;
	}
	bd = calloc(1, sizeof(*bd));
	if (!bd) {
		errno = ENOMEM;
		goto fail;
	}
	ret = io_uring_queue_init(BDEV_QUEUE_DEPTH, &bd->ring, 0);
	if (ret < 0) {
		free(bd);
		errno = -ret;
		goto fail;
	}
	pthread_mutex_init(&bd->sq_lock, NULL);
	pthread_mutex_init(&bd->cq_lock, NULL);
	bd->fd = fd;
	backend_init(&bd->b, &bdev_ops, "bdev", (uint32_t)lbs, bytes - bytes % (uint64_t)lbs,
		     BACKEND_CAP_FUA | BACKEND_CAP_ASYNC | BACKEND_CAP_REAL_DEV, major(st.st_rdev),
		     minor(st.st_rdev), bd);
	return &bd->b;

fail:
	saved = errno;
	close(fd);
	errno = saved;
	return NULL;
}
