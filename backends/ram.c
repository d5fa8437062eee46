/**
 * @file ram.c
 * @brief The RAM backend: a zero-filled array of bytes in memory.
 *
 * What it is for: the default medium of the embedded library and of most
 * tests.  It is as simple as a device can be, so that a reader following a
 * bio down to the media sees one memcpy().
 *
 * How to use it: backend_ram_new(size, lbs), then the generic calls of
 * backend.h; backend_destroy() frees the memory.
 *
 * Completion is inline: end_io runs on the submitting thread before
 * backend_submit() returns.  There is no volatile cache, so a flush has
 * nothing to do (wrap the backend in the fault backend to model one).
 *
 * Never: submit a request whose buffer overlaps the backend's own memory
 * (there is no way to get at it anyway).
 *
 * Locking: `ram->lock` protects `ram->data`, so that a read never sees half
 * of a concurrent write to the same blocks (a real device gives the same
 * per-request atomicity for a single block, and no more).
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "backends/backend.h"

/* Private state of a RAM backend. */
struct ram_backend {
	struct backend b;      /* embedded: b.priv points back here */
	pthread_mutex_t lock;  /* protects data */
	unsigned char *data;   /* b.size bytes */
};

static int ram_submit(struct backend *b, struct backend_req *req)
{
	struct ram_backend *ram = b->priv;

	pthread_mutex_lock(&ram->lock);
	if (req->op == BACKEND_READ)
		memcpy(req->buf, ram->data + req->off, req->len);
	else if (req->op == BACKEND_WRITE)
		memcpy(ram->data + req->off, req->buf, req->len);
	pthread_mutex_unlock(&ram->lock);
	/* Inline completion; no lock held (end_io may submit more). */
	backend_complete(b, req, 0);
	return 0;
}

static void ram_destroy(struct backend *b)
{
	struct ram_backend *ram = b->priv;

	pthread_mutex_destroy(&ram->lock);
	free(ram->data);
	free(ram);
}

static const struct backend_ops ram_ops = {
	.submit = ram_submit,
	.poll = NULL, /* nothing is ever left to reap */
	.destroy = ram_destroy,
};

struct backend *backend_ram_new(uint64_t size, uint32_t lbs)
{
	struct ram_backend *ram;

	if ((lbs != 512 && lbs != 4096) || size == 0 || size % lbs || size > SIZE_MAX) {
		errno = EINVAL;
		return NULL;
	}
	ram = calloc(1, sizeof(*ram));
	if (!ram) {
		errno = ENOMEM;
		return NULL;
	}
	ram->data = calloc(1, (size_t)size);
	if (!ram->data) {
		free(ram);
		errno = ENOMEM;
		return NULL;
	}
	pthread_mutex_init(&ram->lock, NULL);
	backend_init(&ram->b, &ram_ops, "ram", lbs, size,
		     /* FUA is trivially honoured: a completed write is already in "media". */
		     BACKEND_CAP_FUA, BACKEND_DEFAULT_MAJOR, 0, ram);
	return &ram->b;
}
