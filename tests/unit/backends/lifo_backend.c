/**
 * @file lifo_backend.c
 * @brief Test helper: the reverse-order backend (see lifo_backend.h).
 *
 * Locking: `lb->lock` protects `stack`, `data` and the counters.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lifo_backend.h"

struct lifo_backend {
	struct backend b;          /* embedded: b.priv points back here */
	pthread_mutex_t lock;      /* protects everything below */
	struct backend_req *stack; /* submitted, not completed; newest first */
	unsigned char *data;       /* b.size bytes */
	unsigned reordered;        /* completions that overtook an older request */
};

static int lifo_submit(struct backend *b, struct backend_req *req)
{
	struct lifo_backend *lb = b->priv;

	pthread_mutex_lock(&lb->lock);
	req->next = lb->stack;
	lb->stack = req;
	pthread_mutex_unlock(&lb->lock);
	return 0;
}

static int lifo_poll(struct backend *b, bool wait)
{
	struct lifo_backend *lb = b->priv;
	struct backend_req *list;
	int n = 0;

	pthread_mutex_lock(&lb->lock);
	list = lb->stack;
	lb->stack = NULL;
	/* Newest first: its data lands first, an older write lands over it. */
	for (struct backend_req *r = list; r; r = r->next) {
		if (r->op == BACKEND_READ)
			memcpy(r->buf, lb->data + r->off, r->len);
		else if (r->op == BACKEND_WRITE)
			memcpy(lb->data + r->off, r->buf, r->len);
		if (r->next)
			lb->reordered++;
	}
	pthread_mutex_unlock(&lb->lock);
	while (list) {
		struct backend_req *r = list;

		list = r->next; /* read before end_io: r may be freed by it */
		backend_complete(b, r, 0);
		n++;
	}
	return n;
}

static void lifo_destroy(struct backend *b)
{
	struct lifo_backend *lb = b->priv;

	pthread_mutex_destroy(&lb->lock);
	free(lb->data);
	free(lb);
}

static const struct backend_ops lifo_ops = {
	.submit = lifo_submit,
	.poll = lifo_poll,
	.destroy = lifo_destroy,
};

struct backend *lifo_backend_new(uint64_t size)
{
	struct lifo_backend *lb = calloc(1, sizeof(*lb));

	if (!lb || !(lb->data = calloc(1, (size_t)size))) {
		fprintf(stderr, "lifo_backend_new: out of memory\n");
		abort();
	}
	pthread_mutex_init(&lb->lock, NULL);
	backend_init(&lb->b, &lifo_ops, "lifo", 512, size, BACKEND_CAP_ASYNC,
		     BACKEND_DEFAULT_MAJOR, 0, lb);
	return &lb->b;
}

unsigned lifo_backend_reordered(struct backend *b)
{
	struct lifo_backend *lb = b->priv;
	unsigned n;

	pthread_mutex_lock(&lb->lock);
	n = lb->reordered;
	pthread_mutex_unlock(&lb->lock);
	return n;
}
