/**
 * @file test_workqueue.c
 * @brief Check suite for core/kernel/workqueue.c.
 *
 * Areas (invariant numbers refer to workqueue.c):
 *   wq-1.*  deterministic mode: nothing runs before a flush, 100 items in
 *           queue order (2), pending dedup and requeue (1), work that
 *           queues work and flushes from inside (3), events
 *   wq-2.*  concurrent mode: every item runs on the queue's own named
 *           worker, flush waits for all of them (3), several producers,
 *           destroy drains
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <iomap/lock.h>
#include <iomap/trace.h>
#include <iomap/workqueue.h>

#include "../testutil.h"

struct item {
	struct work_struct work;
	int id;
};

static int order_log[2000];
static int nr_log;
static int runs;
static int worker_tid;
static char worker_name[16];

static void record(struct work_struct *w)
{
	struct item *it = container_of(w, struct item, work);

	order_log[nr_log++] = it->id;
}

START_TEST(wq_1_1_deterministic_order)
{
	static struct item items[100];
	struct workqueue_struct *wq;

	kernel_set_exec_mode(EXEC_DETERMINISTIC);
	wq = alloc_workqueue("det");
	ck_assert_ptr_nonnull(wq);
	for (int i = 0; i < 100; i++) {
		items[i].id = i;
		INIT_WORK(&items[i].work, record, "record");
		ck_assert(queue_work(wq, &items[i].work));
	}
	/* nothing runs until somebody flushes */
	usleep(10000);
	ck_assert_int_eq(nr_log, 0);
	flush_workqueue(wq);
	ck_assert_int_eq(nr_log, 100);
	for (int i = 0; i < 100; i++)
		ck_assert_int_eq(order_log[i], i);
	for (int i = 0; i < 100; i++)
		ck_assert(!items[i].work.pending);
	destroy_workqueue(wq);
}
END_TEST

static void count_run(struct work_struct *w)
{
	runs++;
}

START_TEST(wq_1_2_pending_dedup)
{
	struct work_struct w;
	struct workqueue_struct *wq;

	kernel_set_exec_mode(EXEC_DETERMINISTIC);
	wq = alloc_workqueue("dedup");
	INIT_WORK(&w, count_run, "count_run");
	ck_assert(queue_work(wq, &w));
	ck_assert(!queue_work(wq, &w)); /* already pending */
	ck_assert(!queue_work(wq, &w));
	flush_workqueue(wq);
	ck_assert_int_eq(runs, 1);
	/* once run it may be queued again */
	ck_assert(queue_work(wq, &w));
	drain_workqueue(wq);
	ck_assert_int_eq(runs, 2);
	flush_workqueue(wq); /* empty flush: nothing */
	ck_assert_int_eq(runs, 2);
	destroy_workqueue(wq);
}
END_TEST

static struct workqueue_struct *chain_wq;
static struct item chain[5];

/* Each item queues the next, and the third also flushes from inside. */
static void chain_fn(struct work_struct *w)
{
	struct item *it = container_of(w, struct item, work);

	order_log[nr_log++] = it->id;
	if (it->id + 1 < 5)
		ck_assert(queue_work(chain_wq, &chain[it->id + 1].work));
	/* requeue itself while running: allowed, pending was cleared */
	if (it->id == 0 && runs++ == 0)
		ck_assert(queue_work(chain_wq, w));
	if (it->id == 2)
		flush_workqueue(chain_wq); /* must not wait for itself */
}

START_TEST(wq_1_3_work_queues_work)
{
	/*   queue after each run:  [1,0] [0,2] [2,1] [1,3]+flush: [3,2] [2,4]
	 *   [4,3]+flush: [3] [4] []  */
	static const int want[] = { 0, 1, 0, 2, 1, 3, 2, 4, 3, 4 };

	kernel_set_exec_mode(EXEC_DETERMINISTIC);
	chain_wq = alloc_workqueue("chain");
	for (int i = 0; i < 5; i++) {
		chain[i].id = i;
		INIT_WORK(&chain[i].work, chain_fn, "chain_fn");
	}
	queue_work(chain_wq, &chain[0].work);
	flush_workqueue(chain_wq);
	/* One flush ran everything, including work queued by work, in FIFO
	 * order; the nested flushes inside item 2 ran the queue from there
	 * and returned without waiting for the item that called them. */
	ck_assert_int_eq(nr_log, (int)ARRAY_SIZE(want));
	for (int i = 0; i < nr_log; i++)
		ck_assert_msg(order_log[i] == want[i], "step %d: ran %d, want %d", i,
			      order_log[i], want[i]);
	for (int i = 0; i < 5; i++)
		ck_assert(!chain[i].work.pending);
	destroy_workqueue(chain_wq);
}
END_TEST

static void free_self(struct work_struct *w)
{
	free(container_of(w, struct item, work));
	runs++;
}

START_TEST(wq_1_4_events_and_self_freeing_work)
{
	struct trace_sink *s = trace_memsink_new();
	struct workqueue_struct *wq;
	const char *want[] = { "work_queue", "work_queue", "work_start", "work_end",
			       "work_start", "work_end" };
	size_t n = 0;

	kernel_set_exec_mode(EXEC_DETERMINISTIC);
	wq = alloc_workqueue("ev");
	trace_add_sink(s);
	for (int i = 0; i < 2; i++) {
		struct item *it = calloc(1, sizeof(*it));

		INIT_WORK(&it->work, free_self, "free_self");
		queue_work(wq, &it->work);
	}
	flush_workqueue(wq); /* ASan: nothing may touch an item after it ran */
	trace_remove_sink(s);
	ck_assert_int_eq(runs, 2);
	for (size_t i = 0; i < trace_memsink_count(s); i++) {
		const struct trace_event *ev = trace_memsink_get(s, i);

		if (strncmp(ev->name, "work_", 5) != 0)
			continue;
		ck_assert_uint_lt(n, ARRAY_SIZE(want));
		ck_assert_str_eq(ev->name, want[n++]);
		ck_assert_str_eq(trace_field_get(ev, "wq")->v.str, "ev");
		ck_assert_str_eq(trace_field_get(ev, "func")->v.str, "free_self");
	}
	ck_assert_uint_eq(n, ARRAY_SIZE(want));
	trace_sink_free(s);
	destroy_workqueue(wq);
}
END_TEST

/* ---------------------------------------------------------------------- */
/* concurrent mode                                                         */
/* ---------------------------------------------------------------------- */

static int conc_runs;
static int wrong_thread;

static void conc_fn(struct work_struct *w)
{
	struct item *it = container_of(w, struct item, work);

	if (ref_thread_id() != worker_tid)
		wrong_thread++;
	/* one worker: items of one producer run in queue order */
	order_log[conc_runs] = it->id;
	__atomic_add_fetch(&conc_runs, 1, __ATOMIC_SEQ_CST);
}

static void who_am_i(struct work_struct *w)
{
	worker_tid = ref_thread_id();
	snprintf(worker_name, sizeof(worker_name), "%s", ref_thread_name());
}

START_TEST(wq_2_1_concurrent_all_run_on_worker)
{
	static struct item items[1000];
	struct work_struct probe;
	struct workqueue_struct *wq;

	kernel_set_exec_mode(EXEC_CONCURRENT);
	wq = alloc_workqueue("conc");
	INIT_WORK(&probe, who_am_i, "who_am_i");
	queue_work(wq, &probe);
	flush_workqueue(wq);
	ck_assert_int_ne(worker_tid, 0);
	ck_assert_int_ne(worker_tid, ref_thread_id());
	ck_assert_str_eq(worker_name, "kworker/conc");
	for (int i = 0; i < 1000; i++) {
		items[i].id = i;
		INIT_WORK(&items[i].work, conc_fn, "conc_fn");
		ck_assert(queue_work(wq, &items[i].work));
	}
	flush_workqueue(wq);
	/* flush returned only after every item ran */
	ck_assert_int_eq(__atomic_load_n(&conc_runs, __ATOMIC_SEQ_CST), 1000);
	ck_assert_int_eq(wrong_thread, 0);
	for (int i = 0; i < 1000; i++)
		ck_assert_int_eq(order_log[i], i);
	destroy_workqueue(wq);
	kernel_set_exec_mode(EXEC_DETERMINISTIC);
}
END_TEST

static struct workqueue_struct *shared_wq;
static int total_runs;

static void add_one(struct work_struct *w)
{
	__atomic_add_fetch(&total_runs, 1, __ATOMIC_SEQ_CST);
	free(container_of(w, struct item, work));
}

static void *producer(void *p)
{
	for (int i = 0; i < 500; i++) {
		struct item *it = calloc(1, sizeof(*it));

		INIT_WORK(&it->work, add_one, "add_one");
		queue_work(shared_wq, &it->work);
	}
	return NULL;
}

START_TEST(wq_2_2_producers_and_destroy)
{
	pthread_t th[3];

	kernel_set_exec_mode(EXEC_CONCURRENT);
	shared_wq = alloc_workqueue("prod");
	for (int i = 0; i < 3; i++)
		pthread_create(&th[i], NULL, producer, NULL);
	for (int i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	/* destroy flushes first: nothing queued is lost or leaked */
	destroy_workqueue(shared_wq);
	ck_assert_int_eq(total_runs, 1500);
	destroy_workqueue(NULL); /* allowed */
	kernel_set_exec_mode(EXEC_DETERMINISTIC);
}
END_TEST

static Suite *wq_suite(void)
{
	Suite *s = suite_create("kernel-workqueue");
	TCase *tc = tcase_create("workqueue");

	tcase_add_test(tc, wq_1_1_deterministic_order);
	tcase_add_test(tc, wq_1_2_pending_dedup);
	tcase_add_test(tc, wq_1_3_work_queues_work);
	tcase_add_test(tc, wq_1_4_events_and_self_freeing_work);
	tcase_add_test(tc, wq_2_1_concurrent_all_run_on_worker);
	tcase_add_test(tc, wq_2_2_producers_and_destroy);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(wq_suite());
}
