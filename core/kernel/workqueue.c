/**
 * @file workqueue.c
 * @brief Deferred work (kernel/workqueue.c), in the two execution modes of
 *        trace.h: deterministic (a FIFO run by flush_workqueue() on the
 *        caller's thread) and concurrent (one worker thread per queue).
 *
 * How to use: embed a work_struct in your object, INIT_WORK() it once,
 * queue_work() it (from any thread, including I/O completion), and
 * flush_workqueue() when the work must be done (fsync, unmount).
 * destroy_workqueue() flushes, stops the worker and frees the queue.
 *
 * A work item's life (the arrows name the function that moves it):
 *
 *     idle --queue_work--> pending --(worker or flush picks it)--> running
 *       ^                                                            |
 *       +------------------------ func returns ----------------------+
 *
 * The pending bit is cleared just *before* the function runs, as in the
 * kernel, so an item may requeue itself (or be requeued by another thread)
 * while it runs; queue_work() on a pending item returns false and queues
 * nothing.
 *
 * Invariants:
 *   (1) an item is on at most one queue, at most once, exactly while
 *       `pending` is true;
 *   (2) items run in the order they were queued (one worker, or one
 *       flushing thread, per queue), so in deterministic mode the order
 *       of work and of its events is reproducible;
 *   (3) flush_workqueue() returns only when the queue is empty and nothing
 *       is running, so work queued by work is flushed too.
 *
 * A caller must never: touch a work item after its function may have
 * freed it (this file reads nothing from the item after calling it);
 * flush a concurrent queue from its own worker (it would wait for itself;
 * reported and refused; in deterministic mode a flush from inside an item
 * runs what is queued and returns); queue to a queue being destroyed.
 *
 * Locking: `wq->lock` protects the FIFO, each queued item's `pending` and
 * `next`, `running` and `stop`; `wq->cond` is broadcast on every change.
 * Work functions run with no workqueue lock held; they must return holding
 * no lock they did not hold on entry (checked through the validator).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <iomap/lock.h>
#include <iomap/trace.h>
#include <iomap/workqueue.h>

/* The queue whose item the calling thread is running, if any (the kernel's
 * current_work()); lets a flush from inside work avoid waiting for itself. */
static __thread struct workqueue_struct *current_wq;

static void trace_work(const char *event, const struct workqueue_struct *wq, const char *func)
{
	struct trace_event ev;

	if (!trace_enabled())
		return;
	trace_event_init(&ev, event, 0, 0);
	trace_str(&ev, "wq", wq->name);
	trace_str(&ev, "func", func);
	trace_emit(&ev);
}

void INIT_WORK(struct work_struct *work, work_func_t func, const char *name)
{
	work->func = func;
	work->name = name ? name : "work";
	work->pending = false;
	work->next = NULL;
}

/* Take the oldest item off the FIFO.  Caller holds wq->lock. */
static struct work_struct *dequeue_locked(struct workqueue_struct *wq)
{
	struct work_struct *work = wq->head;

	if (!work)
		return NULL;
	wq->head = work->next;
	if (!wq->head)
		wq->tail = NULL;
	work->next = NULL;
	work->pending = false; /* may be requeued from here on (invariant 1) */
	wq->running++;
	return work;
}

/*
 * Run one dequeued item with no lock held (the kernel's process_one_work()).
 * The item may free itself, so its name and function are read first.
 */
static void run_one(struct workqueue_struct *wq, struct work_struct *work)
{
	work_func_t func = work->func;
	const char *name = work->name;
	struct workqueue_struct *outer = current_wq;
	int depth = lockdep_depth();

	trace_work("work_start", wq, name);
	current_wq = wq;
	func(work);
	current_wq = outer;
	trace_work("work_end", wq, name);
	if (lockdep_depth() != depth)
		fprintf(stderr, "BUG: workqueue leaked lock or preempt count: %s/%s "
				"returned holding %d lock(s) more than it started with\n",
			wq->name, name, lockdep_depth() - depth);
	pthread_mutex_lock(&wq->lock);
	wq->running--;
	pthread_cond_broadcast(&wq->cond);
	pthread_mutex_unlock(&wq->lock);
}

/* The worker thread of a concurrent-mode queue (the kernel's worker_thread()). */
static void *worker_thread(void *arg)
{
	struct workqueue_struct *wq = arg;
	char name[sizeof("kworker/") + sizeof(wq->name)];

	/* ref_thread_set_name() keeps 15 characters, like the kernel's comm. */
	snprintf(name, sizeof(name), "kworker/%s", wq->name);
	ref_thread_set_name(name);
	pthread_mutex_lock(&wq->lock);
	for (;;) {
		struct work_struct *work = dequeue_locked(wq);

		if (!work) {
			if (wq->stop)
				break;
			pthread_cond_wait(&wq->cond, &wq->lock);
			continue;
		}
		pthread_mutex_unlock(&wq->lock);
		run_one(wq, work);
		pthread_mutex_lock(&wq->lock);
	}
	pthread_mutex_unlock(&wq->lock);
	return NULL;
}

/*
 * Every deterministic-mode workqueue, so that a thread about to sleep on
 * something only a work item can finish (folio writeback ending in a
 * filesystem's completion work) can run them first: nothing else would.
 */
static pthread_mutex_t det_wq_lock = PTHREAD_MUTEX_INITIALIZER;
static struct workqueue_struct *det_wqs[64];
static unsigned nr_det_wqs;

static void det_wq_register(struct workqueue_struct *wq, bool add)
{
	pthread_mutex_lock(&det_wq_lock);
	if (add) {
		if (nr_det_wqs < ARRAY_SIZE(det_wqs))
			det_wqs[nr_det_wqs++] = wq;
	} else {
		for (unsigned i = 0; i < nr_det_wqs; i++)
			if (det_wqs[i] == wq) {
				det_wqs[i] = det_wqs[--nr_det_wqs];
				break;
			}
	}
	pthread_mutex_unlock(&det_wq_lock);
}

int flush_deterministic_workqueues(void)
{
	struct workqueue_struct *wqs[ARRAY_SIZE(det_wqs)];
	unsigned n;
	int ran = 0;

	pthread_mutex_lock(&det_wq_lock);
	n = nr_det_wqs;
	memcpy(wqs, det_wqs, n * sizeof(wqs[0]));
	pthread_mutex_unlock(&det_wq_lock);
	for (unsigned i = 0; i < n; i++) {
		bool had;

		pthread_mutex_lock(&wqs[i]->lock);
		had = wqs[i]->head != NULL;
		pthread_mutex_unlock(&wqs[i]->lock);
		if (had) {
			flush_workqueue(wqs[i]);
			ran++;
		}
	}
	return ran;
}

struct workqueue_struct *alloc_workqueue(const char *name)
{
	struct workqueue_struct *wq = calloc(1, sizeof(*wq));

	if (!wq)
		return NULL;
	snprintf(wq->name, sizeof(wq->name), "%s", name ? name : "wq");
	wq->mode = kernel_exec_mode();
	pthread_mutex_init(&wq->lock, NULL);
	pthread_cond_init(&wq->cond, NULL);
	if (wq->mode == EXEC_CONCURRENT &&
	    pthread_create(&wq->worker, NULL, worker_thread, wq) != 0) {
		pthread_cond_destroy(&wq->cond);
		pthread_mutex_destroy(&wq->lock);
		free(wq);
		return NULL;
	}
	if (wq->mode != EXEC_CONCURRENT)
		det_wq_register(wq, true);
	return wq;
}

bool queue_work(struct workqueue_struct *wq, struct work_struct *work)
{
	pthread_mutex_lock(&wq->lock);
	if (work->pending) {
		pthread_mutex_unlock(&wq->lock);
		return false;
	}
	work->pending = true;
	work->next = NULL;
	if (wq->tail)
		wq->tail->next = work;
	else
		wq->head = work;
	wq->tail = work;
	/* Emitted under the queue lock so that work_queue always precedes
	 * the item's work_start in the stream, even in concurrent mode. */
	trace_work("work_queue", wq, work->name);
	pthread_cond_broadcast(&wq->cond);
	pthread_mutex_unlock(&wq->lock);
	return true;
}

void flush_workqueue(struct workqueue_struct *wq)
{
	if (wq->mode == EXEC_CONCURRENT) {
		if (current_wq == wq) {
			fprintf(stderr, "WARNING: flush_workqueue(%s) from its own worker "
					"would wait for itself; ignored\n", wq->name);
			return;
		}
		pthread_mutex_lock(&wq->lock);
		while (wq->head || wq->running) /* invariant (3) */
			pthread_cond_wait(&wq->cond, &wq->lock);
		pthread_mutex_unlock(&wq->lock);
		return;
	}
	/* Deterministic: run everything here, including what the items queue.
	 * (Another thread's queue_work() during this flush joins the same
	 * FIFO and runs here too; the kernel would flush only up to the
	 * items queued before the call, a difference no caller can rely on.) */
	for (;;) {
		struct work_struct *work;

		pthread_mutex_lock(&wq->lock);
		work = dequeue_locked(wq);
		pthread_mutex_unlock(&wq->lock);
		if (!work)
			break;
		run_one(wq, work);
	}
	/* Called from one of this queue's items: that item (and any outer
	 * flush) is still running on this very thread, so do not wait. */
	if (current_wq == wq)
		return;
	/* Another thread flushing the same queue may still be running an
	 * item it took: wait for it too (invariant 3). */
	pthread_mutex_lock(&wq->lock);
	while (wq->head || wq->running)
		pthread_cond_wait(&wq->cond, &wq->lock);
	pthread_mutex_unlock(&wq->lock);
}

void drain_workqueue(struct workqueue_struct *wq)
{
	/* Invariant (3) makes one flush enough: it returns only when the
	 * queue is empty and idle, chained work included. */
	flush_workqueue(wq);
}

void destroy_workqueue(struct workqueue_struct *wq)
{
	if (!wq)
		return;
	flush_workqueue(wq);
	if (wq->mode != EXEC_CONCURRENT)
		det_wq_register(wq, false);
	if (wq->mode == EXEC_CONCURRENT) {
		pthread_mutex_lock(&wq->lock);
		wq->stop = true;
		pthread_cond_broadcast(&wq->cond);
		pthread_mutex_unlock(&wq->lock);
		pthread_join(wq->worker, NULL);
	}
	pthread_cond_destroy(&wq->cond);
	pthread_mutex_destroy(&wq->lock);
	free(wq);
}
