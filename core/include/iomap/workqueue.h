/**
 * @file workqueue.h
 * @brief Deferred work (the kernel's workqueue), used for I/O completion work
 *        that needs process context, such as unwritten extent conversion.
 *
 * In deterministic mode queue_work() appends to a FIFO and nothing runs
 * until flush_workqueue() (or drain_workqueue()) runs the items in order on
 * the calling thread; in concurrent mode one worker thread per workqueue
 * runs items as they arrive.  A work item queued while already pending is
 * not queued twice (queue_work returns false), as in the kernel.
 *
 * Events: `work_queue`, `work_start`, `work_end` with the workqueue and
 * function names.
 */
#ifndef IOMAP_WORKQUEUE_H
#define IOMAP_WORKQUEUE_H

#include <pthread.h>

#include "types.h"

struct work_struct;
/** Work function type. */
typedef void (*work_func_t)(struct work_struct *work);

/** One unit of deferred work; embed it in your own structure. */
struct work_struct {
	work_func_t func;          /**< what to run */
	const char *name;          /**< for events (e.g. "xfs_end_io") */
	bool pending;              /**< queued, not yet started */
	struct work_struct *next;  /**< queue link */
};

/** A workqueue. */
struct workqueue_struct {
	char name[32];             /**< e.g. "extentfs-conv" */
	int mode;                  /**< enum kernel_exec_mode captured at creation */
	pthread_mutex_t lock;      /**< protects the queue */
	pthread_cond_t cond;       /**< signals new work / idle */
	struct work_struct *head;  /**< FIFO head */
	struct work_struct *tail;  /**< FIFO tail */
	int running;               /**< items being run */
	bool stop;                 /**< worker exit request */
	pthread_t worker;          /**< concurrent mode only */
};

/**
 * Deterministic mode: run what is queued on every deterministic workqueue,
 * on the calling thread (a waiter that nothing else would wake calls it).
 * @return number of workqueues that had work
 */
int flush_deterministic_workqueues(void);
/**
 * Initialise a work item.
 * @param work item; @param func function; @param name name for events
 */
void INIT_WORK(struct work_struct *work, work_func_t func, const char *name);
/**
 * Create a workqueue.
 * @param name name for events
 * @return the workqueue, or NULL on ENOMEM
 */
struct workqueue_struct *alloc_workqueue(const char *name);
/**
 * Queue @p work.
 * @param wq workqueue; @param work item
 * @return true if queued, false if it was already pending
 */
bool queue_work(struct workqueue_struct *wq, struct work_struct *work);
/**
 * Run (deterministic) or wait for (concurrent) every item queued so far,
 * including items they queue in turn.
 * @param wq workqueue
 */
void flush_workqueue(struct workqueue_struct *wq);
/**
 * Flush until the queue stays empty (the kernel's drain_workqueue(), used
 * before tearing down what the work items touch).  Here this is
 * flush_workqueue(), which already runs work queued by work.
 * @param wq workqueue
 */
void drain_workqueue(struct workqueue_struct *wq);
/**
 * Flush, stop the worker and free @p wq.
 * @param wq workqueue (may be NULL)
 */
void destroy_workqueue(struct workqueue_struct *wq);

#endif /* IOMAP_WORKQUEUE_H */
