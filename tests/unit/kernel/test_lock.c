/**
 * @file test_lock.c
 * @brief Check suite for core/kernel/lock.c and lockdep.c.
 *
 * Areas:
 *   lockdep-1.*  order inversions: two classes, three classes, across real
 *                threads, recursion, trylock, subclasses, dedup, reset
 *   lockdep-2.*  reports as a user sees them: stderr text, quiet mode, the
 *                `lockdep_inversion` event, report lookup
 *   lock-3.*     the lock primitives: events and their fields, contention
 *                between two threads, held-lock bookkeeping, thread ids,
 *                a multi-thread stress run that must stay report-free
 *
 * Check runs each test in its own forked process, so the validator's graph
 * starts empty in every test.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <iomap/fs.h>
#include <iomap/lock.h>
#include <iomap/trace.h>

#include "../testutil.h"

DEFINE_LOCK_CLASS(class_a, "A", LOCK_LEVEL_LOWER);
DEFINE_LOCK_CLASS(class_b, "B", LOCK_LEVEL_LOWER);
DEFINE_LOCK_CLASS(class_c, "C", LOCK_LEVEL_LOWER);
DEFINE_LOCK_CLASS(class_x, "X", LOCK_LEVEL_OPERATION);

static struct mutex ma, mb, mc;

static void setup_mutexes(void)
{
	lockdep_set_quiet(true);
	mutex_init_class(&ma, &class_a, "a");
	mutex_init_class(&mb, &class_b, "b");
	mutex_init_class(&mc, &class_c, "c");
}

/* Take @first then @second, release both. */
static void lock_pair(struct mutex *first, struct mutex *second)
{
	mutex_lock(first);
	mutex_lock(second);
	mutex_unlock(second);
	mutex_unlock(first);
}

static struct lockdep_report report(int i)
{
	struct lockdep_report r;

	ck_assert_int_eq(lockdep_get_report(i, &r), 0);
	return r;
}

/* ---------------------------------------------------------------------- */
/* lockdep-1: inversions                                                   */
/* ---------------------------------------------------------------------- */

START_TEST(lockdep_1_1_inode_locks_inverted)
{
	struct inode inode;
	struct lockdep_report r;

	lockdep_set_quiet(true);
	inode_init(&inode, NULL, 1);
	/* The documented order first: i_rwsem, then invalidate_lock. */
	inode_lock(&inode);
	filemap_invalidate_lock(inode.i_mapping);
	filemap_invalidate_unlock(inode.i_mapping);
	inode_unlock(&inode);
	ck_assert_int_eq(lockdep_nr_reports(), 0);

	/* Now the inverted one, on the same thread, later in time. */
	filemap_invalidate_lock(inode.i_mapping);
	inode_lock(&inode);
	inode_unlock(&inode);
	filemap_invalidate_unlock(inode.i_mapping);
	ck_assert_int_eq(lockdep_nr_reports(), 1);
	r = report(0);
	ck_assert_str_eq(r.established, "i_rwsem -> invalidate_lock");
	ck_assert_str_eq(r.inverted, "invalidate_lock -> i_rwsem");
	ck_assert_str_eq(r.kind, "circular");
	ck_assert_int_eq(r.tid, ref_thread_id());

	/* The same inversion again is the same bug: no second report. */
	for (int i = 0; i < 3; i++) {
		filemap_invalidate_lock_shared(inode.i_mapping);
		inode_lock_shared(&inode);
		inode_unlock_shared(&inode);
		filemap_invalidate_unlock_shared(inode.i_mapping);
	}
	ck_assert_int_eq(lockdep_nr_reports(), 1);
	ck_assert_int_eq(lockdep_depth(), 0);
	inode_destroy(&inode);
}
END_TEST

START_TEST(lockdep_1_2_consistent_order_is_silent)
{
	struct inode in1, in2;

	lockdep_set_quiet(true);
	inode_init(&in1, NULL, 1);
	inode_init(&in2, NULL, 2);
	setup_mutexes();
	/* Same order every time, in every mode, on two inodes (one at a
	 * time), with a lower lock underneath: never a report. */
	for (int i = 0; i < 100; i++) {
		struct inode *in = (i & 1) ? &in1 : &in2;

		if (i % 3)
			inode_lock(in);
		else
			inode_lock_shared(in);
		filemap_invalidate_lock_shared(in->i_mapping);
		mutex_lock(&ma);
		mutex_unlock(&ma);
		filemap_invalidate_unlock_shared(in->i_mapping);
		if (i % 3)
			inode_unlock(in);
		else
			inode_unlock_shared(in);
		/* A lock taken alone adds no order at all. */
		filemap_invalidate_lock(in->i_mapping);
		filemap_invalidate_unlock(in->i_mapping);
	}
	ck_assert_int_eq(lockdep_nr_reports(), 0);
	inode_destroy(&in1);
	inode_destroy(&in2);
}
END_TEST

START_TEST(lockdep_1_3_three_class_cycle)
{
	struct lockdep_report r;

	setup_mutexes();
	lock_pair(&ma, &mb); /* A -> B */
	lock_pair(&mb, &mc); /* B -> C */
	ck_assert_int_eq(lockdep_nr_reports(), 0);
	lock_pair(&mc, &ma); /* C -> A closes A -> B -> C -> A */
	ck_assert_int_eq(lockdep_nr_reports(), 1);
	r = report(0);
	ck_assert_str_eq(r.established, "A -> B -> C");
	ck_assert_str_eq(r.inverted, "C -> A");
	ck_assert_str_eq(r.kind, "circular");
}
END_TEST

START_TEST(lockdep_1_4_trylock_adds_no_edge)
{
	setup_mutexes();
	/* A held, B by trylock: no A -> B edge ... */
	mutex_lock(&ma);
	ck_assert_int_eq(mutex_trylock(&mb), 1);
	mutex_unlock(&mb);
	mutex_unlock(&ma);
	/* ... so B then A is not an inversion. */
	lock_pair(&mb, &ma);
	ck_assert_int_eq(lockdep_nr_reports(), 0);

	/* Control: had the second been a blocking lock, it would be. */
	lockdep_reset();
	lock_pair(&ma, &mb);
	lock_pair(&mb, &ma);
	ck_assert_int_eq(lockdep_nr_reports(), 1);
}
END_TEST

START_TEST(lockdep_1_5_trylock_held_lock_orders_later_locks)
{
	struct rw_semaphore sa;
	struct lockdep_report r;

	setup_mutexes();
	init_rwsem(&sa, &class_a, "sa");
	/* A taken by trylock, then B blocking: records A -> B. */
	ck_assert_int_eq(down_write_trylock(&sa), 1);
	mutex_lock(&mb);
	mutex_unlock(&mb);
	up_write(&sa);
	lock_pair(&mb, &ma);
	ck_assert_int_eq(lockdep_nr_reports(), 1);
	r = report(0);
	ck_assert_str_eq(r.inverted, "B -> A");
	rwsem_destroy(&sa);
}
END_TEST

struct order_arg {
	struct mutex *first, *second;
	int tid;
};

static void *take_in_order(void *p)
{
	struct order_arg *arg = p;

	arg->tid = ref_thread_id();
	lock_pair(arg->first, arg->second);
	return NULL;
}

START_TEST(lockdep_1_6_two_threads_opposite_orders)
{
	struct order_arg t1 = { &ma, &mb, 0 }, t2 = { &mb, &ma, 0 };
	pthread_t th;
	struct lockdep_report r;

	setup_mutexes();
	/* The threads never overlap in time, so no real deadlock can happen;
	 * the validator must still see that it could. */
	pthread_create(&th, NULL, take_in_order, &t1);
	pthread_join(th, NULL);
	ck_assert_int_eq(lockdep_nr_reports(), 0);
	pthread_create(&th, NULL, take_in_order, &t2);
	pthread_join(th, NULL);
	ck_assert_int_eq(lockdep_nr_reports(), 1);
	r = report(0);
	ck_assert_str_eq(r.established, "A -> B");
	ck_assert_str_eq(r.inverted, "B -> A");
	ck_assert_int_eq(r.tid, t2.tid);
	ck_assert_int_ne(t1.tid, t2.tid);
}
END_TEST

START_TEST(lockdep_1_7_recursive_same_class)
{
	struct mutex x1, x2;
	struct rw_semaphore s1, s2;
	struct lockdep_report r;

	lockdep_set_quiet(true);
	mutex_init_class(&x1, &class_x, "x1");
	mutex_init_class(&x2, &class_x, "x2");
	init_rwsem(&s1, &class_a, "s1");
	init_rwsem(&s2, &class_a, "s2");

	/* shared + shared of one class: read recursion, allowed */
	down_read(&s1);
	down_read(&s2);
	up_read(&s2);
	up_read(&s1);
	/* a trylock cannot wait, so it cannot deadlock */
	mutex_lock(&x1);
	ck_assert_int_eq(mutex_trylock(&x2), 1);
	mutex_unlock(&x2);
	mutex_unlock(&x1);
	/* annotated nesting is its own class */
	down_write(&s1);
	down_write_nested(&s2, 1);
	up_write(&s2);
	up_write(&s1);
	ck_assert_int_eq(lockdep_nr_reports(), 0);

	/* two exclusive locks of one class, no annotation: reported */
	mutex_lock(&x1);
	mutex_lock(&x2);
	mutex_unlock(&x2);
	mutex_unlock(&x1);
	ck_assert_int_eq(lockdep_nr_reports(), 1);
	r = report(0);
	ck_assert_str_eq(r.kind, "recursive");
	ck_assert_str_eq(r.inverted, "X -> X");

	/* shared then exclusive is reported too (different pair: class A) */
	down_read(&s1);
	down_write(&s2);
	up_write(&s2);
	up_read(&s1);
	ck_assert_int_eq(lockdep_nr_reports(), 2);
	ck_assert_str_eq(report(1).inverted, "A -> A");
	mutex_destroy_class(&x1);
	mutex_destroy_class(&x2);
	rwsem_destroy(&s1);
	rwsem_destroy(&s2);
}
END_TEST

START_TEST(lockdep_1_8_nested_subclass_orders)
{
	struct inode in1, in2;
	struct lockdep_report r;

	lockdep_set_quiet(true);
	inode_init(&in1, NULL, 1);
	inode_init(&in2, NULL, 2);
	/* lock_two_nondirectories(): plain, then I_MUTEX_NONDIR2 */
	inode_lock(&in1);
	inode_lock_nested(&in2, I_MUTEX_NONDIR2);
	inode_unlock(&in2);
	inode_unlock(&in1);
	ck_assert_int_eq(lockdep_nr_reports(), 0);
	/* the subclasses in the other order are an inversion, named as such */
	inode_lock_nested(&in2, I_MUTEX_NONDIR2);
	inode_lock(&in1);
	inode_unlock(&in1);
	inode_unlock(&in2);
	ck_assert_int_eq(lockdep_nr_reports(), 1);
	r = report(0);
	ck_assert_str_eq(r.established, "i_rwsem -> i_rwsem/4");
	ck_assert_str_eq(r.inverted, "i_rwsem/4 -> i_rwsem");
	inode_destroy(&in1);
	inode_destroy(&in2);
}
END_TEST

START_TEST(lockdep_1_9_reset_forgets_orders)
{
	setup_mutexes();
	lock_pair(&ma, &mb);
	lock_pair(&mb, &ma);
	ck_assert_int_eq(lockdep_nr_reports(), 1);
	lockdep_reset();
	ck_assert_int_eq(lockdep_nr_reports(), 0);
	/* After the reset only B -> A is known: A -> B would be reported,
	 * and B -> A again would not. */
	lock_pair(&mb, &ma);
	ck_assert_int_eq(lockdep_nr_reports(), 0);
	lock_pair(&ma, &mb);
	ck_assert_int_eq(lockdep_nr_reports(), 1);
	ck_assert_str_eq(report(0).established, "B -> A");
	/* Class ids survive the reset. */
	ck_assert_int_gt(class_a.id, 0);
	ck_assert_int_ne(class_a.id, class_b.id);
}
END_TEST

START_TEST(lockdep_1_10_distinct_inversions_each_reported)
{
	setup_mutexes();
	lock_pair(&ma, &mb);
	lock_pair(&ma, &mc);
	/* B -> A and C -> A are two different bugs. */
	lock_pair(&mb, &ma);
	lock_pair(&mc, &ma);
	lock_pair(&mb, &ma);
	ck_assert_int_eq(lockdep_nr_reports(), 2);
	ck_assert_str_eq(report(0).inverted, "B -> A");
	ck_assert_str_eq(report(1).inverted, "C -> A");
}
END_TEST

/* ---------------------------------------------------------------------- */
/* lockdep-2: what a user sees                                             */
/* ---------------------------------------------------------------------- */

/* Run the i_rwsem/invalidate_lock inversion with stderr captured. */
static char *capture_inversion_stderr(bool quiet)
{
	static char buf[8192];
	struct inode inode;
	FILE *tmp = tmpfile();
	int saved = dup(STDERR_FILENO);
	size_t n;

	ck_assert_ptr_nonnull(tmp);
	fflush(stderr);
	dup2(fileno(tmp), STDERR_FILENO);
	lockdep_set_quiet(quiet);
	inode_init(&inode, NULL, 1);
	inode_lock(&inode);
	filemap_invalidate_lock(inode.i_mapping);
	filemap_invalidate_unlock(inode.i_mapping);
	inode_unlock(&inode);
	filemap_invalidate_lock(inode.i_mapping);
	inode_lock(&inode);
	inode_unlock(&inode);
	filemap_invalidate_unlock(inode.i_mapping);
	inode_destroy(&inode);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	rewind(tmp);
	n = fread(buf, 1, sizeof(buf) - 1, tmp);
	buf[n] = '\0';
	fclose(tmp);
	return buf;
}

START_TEST(lockdep_2_1_report_printed_to_stderr)
{
	char *text = capture_inversion_stderr(false);

	ck_assert_ptr_nonnull(strstr(text, "WARNING: possible circular locking dependency detected"));
	ck_assert_ptr_nonnull(strstr(text, "established order: i_rwsem -> invalidate_lock"));
	ck_assert_ptr_nonnull(strstr(text, "inverted order:    invalidate_lock -> i_rwsem"));
	ck_assert_ptr_nonnull(strstr(text, "\"invalidate_lock\" (exclusive"));
	ck_assert_int_eq(lockdep_nr_reports(), 1);
}
END_TEST

START_TEST(lockdep_2_2_quiet_records_but_prints_nothing)
{
	char *text = capture_inversion_stderr(true);

	ck_assert_str_eq(text, "");
	ck_assert_int_eq(lockdep_nr_reports(), 1);
}
END_TEST

static size_t count_events(struct trace_sink *sink, const char *name)
{
	size_t n = 0;

	for (size_t i = 0; i < trace_memsink_count(sink); i++)
		if (strcmp(trace_memsink_get(sink, i)->name, name) == 0)
			n++;
	return n;
}

static const struct trace_event *find_event(struct trace_sink *sink, const char *name,
					    size_t nth)
{
	for (size_t i = 0; i < trace_memsink_count(sink); i++) {
		const struct trace_event *ev = trace_memsink_get(sink, i);

		if (strcmp(ev->name, name) == 0 && nth-- == 0)
			return ev;
	}
	return NULL;
}

static const char *field_str(const struct trace_event *ev, const char *key)
{
	const struct trace_field *f = trace_field_get(ev, key);

	ck_assert_msg(f && f->kind == TF_STR, "event %s has no string field %s", ev->name, key);
	return f->v.str;
}

static int64_t field_s64(const struct trace_event *ev, const char *key)
{
	const struct trace_field *f = trace_field_get(ev, key);

	ck_assert_msg(f && f->kind == TF_S64, "event %s has no s64 field %s", ev->name, key);
	return f->v.s;
}

static uint64_t field_u64(const struct trace_event *ev, const char *key)
{
	const struct trace_field *f = trace_field_get(ev, key);

	ck_assert_msg(f && f->kind == TF_U64, "event %s has no u64 field %s", ev->name, key);
	return f->v.u;
}

START_TEST(lockdep_2_3_inversion_event)
{
	struct trace_sink *sink = trace_memsink_new();
	const struct trace_event *ev;

	setup_mutexes();
	trace_add_sink(sink);
	lock_pair(&ma, &mb);
	lock_pair(&mb, &ma);
	lock_pair(&mb, &ma);
	trace_remove_sink(sink);
	ck_assert_uint_eq(count_events(sink, "lockdep_inversion"), 1);
	ev = find_event(sink, "lockdep_inversion", 0);
	ck_assert_str_eq(field_str(ev, "established"), "A -> B");
	ck_assert_str_eq(field_str(ev, "inverted"), "B -> A");
	ck_assert_str_eq(field_str(ev, "kind"), "circular");
	ck_assert_int_eq(ev->tid, ref_thread_id());
	trace_sink_free(sink);
}
END_TEST

START_TEST(lockdep_2_4_report_lookup_bounds)
{
	struct lockdep_report r;
	/* index table: -1, 0 (none yet), then 0 valid and 1 past the end */
	ck_assert_int_eq(lockdep_get_report(-1, &r), -ENOENT);
	ck_assert_int_eq(lockdep_get_report(0, &r), -ENOENT);
	setup_mutexes();
	lock_pair(&ma, &mb);
	lock_pair(&mb, &ma);
	ck_assert_int_eq(lockdep_get_report(0, &r), 0);
	ck_assert_int_eq(lockdep_get_report(1, &r), -ENOENT);
}
END_TEST

/* ---------------------------------------------------------------------- */
/* lock-3: primitives                                                      */
/* ---------------------------------------------------------------------- */

START_TEST(lock_3_1_acquire_event_fields)
{
	struct trace_sink *sink = trace_memsink_new();
	struct rw_semaphore sem;
	const struct trace_event *ev;
	/* acquisition table: how taken -> mode, trylock */
	static const struct {
		int how; /* 0 down_read, 1 down_write, 2 down_read_trylock, 3 down_write_trylock */
		const char *mode;
		int trylock;
	} tab[] = {
		{ 0, "shared", 0 },
		{ 1, "exclusive", 0 },
		{ 2, "shared", 1 },
		{ 3, "exclusive", 1 },
	};

	lockdep_set_quiet(true);
	init_rwsem(&sem, &class_c, "sem");
	trace_add_sink(sink);
	for (size_t i = 0; i < ARRAY_SIZE(tab); i++) {
		switch (tab[i].how) {
		case 0: down_read(&sem); up_read(&sem); break;
		case 1: down_write(&sem); up_write(&sem); break;
		case 2: ck_assert_int_eq(down_read_trylock(&sem), 1); up_read(&sem); break;
		default: ck_assert_int_eq(down_write_trylock(&sem), 1); up_write(&sem); break;
		}
	}
	trace_remove_sink(sink);
	ck_assert_uint_eq(count_events(sink, "lock_acquire"), ARRAY_SIZE(tab));
	ck_assert_uint_eq(count_events(sink, "lock_acquired"), ARRAY_SIZE(tab));
	ck_assert_uint_eq(count_events(sink, "lock_release"), ARRAY_SIZE(tab));
	ck_assert_uint_eq(count_events(sink, "lock_contended"), 0);
	for (size_t i = 0; i < ARRAY_SIZE(tab); i++) {
		ev = find_event(sink, "lock_acquire", i);
		ck_assert_str_eq(field_str(ev, "class"), "C");
		ck_assert_str_eq(field_str(ev, "mode"), tab[i].mode);
		ck_assert_uint_eq(field_u64(ev, "instance"), sem.instance);
		ck_assert_int_eq(field_s64(ev, "level"), LOCK_LEVEL_LOWER);
		ck_assert_int_eq(field_s64(ev, "trylock"), tab[i].trylock);
		ev = find_event(sink, "lock_release", i);
		ck_assert_str_eq(field_str(ev, "class"), "C");
	}
	/* A failed trylock leaves no trace. */
	trace_add_sink(sink);
	down_write(&sem);
	ck_assert_int_eq(down_read_trylock(&sem), 0);
	ck_assert_int_eq(lockdep_depth(), 1);
	up_write(&sem);
	trace_remove_sink(sink);
	ck_assert_uint_eq(count_events(sink, "lock_acquire"), ARRAY_SIZE(tab) + 1);
	trace_sink_free(sink);
	rwsem_destroy(&sem);
}
END_TEST

/* Sets a flag when it sees a lock_contended event, so that the test knows
 * the second thread is really waiting before it lets go. */
static int saw_contended;

static void contended_emit(struct trace_sink *sink, const struct trace_event *ev)
{
	if (strcmp(ev->name, "lock_contended") == 0)
		__atomic_store_n(&saw_contended, 1, __ATOMIC_RELEASE);
}

static void *lock_a_once(void *p)
{
	int *tid = p;

	*tid = ref_thread_id();
	mutex_lock(&ma);
	mutex_unlock(&ma);
	return NULL;
}

START_TEST(lock_3_2_contention_events)
{
	struct trace_sink *mem = trace_memsink_new();
	struct trace_sink flag = { .emit = contended_emit };
	const struct trace_event *ev;
	size_t i_contended = 0, i_release = 0, i_acquired = 0, n;
	pthread_t th;
	int tid = 0;

	setup_mutexes();
	trace_add_sink(mem);
	trace_add_sink(&flag);
	mutex_lock(&ma);
	pthread_create(&th, NULL, lock_a_once, &tid);
	while (!__atomic_load_n(&saw_contended, __ATOMIC_ACQUIRE))
		usleep(1000);
	mutex_unlock(&ma);
	pthread_join(th, NULL);
	trace_remove_sink(&flag);
	trace_remove_sink(mem);

	/* The waiter's contended comes before the holder's release, which
	 * comes before the waiter's acquired. */
	n = trace_memsink_count(mem);
	for (size_t i = 0; i < n; i++) {
		ev = trace_memsink_get(mem, i);
		if (strcmp(ev->name, "lock_contended") == 0) {
			ck_assert_int_eq(ev->tid, tid);
			ck_assert_str_eq(field_str(ev, "class"), "A");
			ck_assert_uint_eq(field_u64(ev, "instance"), ma.instance);
			i_contended = i;
		} else if (strcmp(ev->name, "lock_release") == 0 && ev->tid != tid) {
			i_release = i;
		} else if (strcmp(ev->name, "lock_acquired") == 0 && ev->tid == tid) {
			i_acquired = i;
		}
	}
	ck_assert_uint_eq(count_events(mem, "lock_contended"), 1);
	ck_assert_uint_lt(i_contended, i_release);
	ck_assert_uint_lt(i_release, i_acquired);
	ck_assert_int_eq(lockdep_nr_reports(), 0);
	trace_sink_free(mem);
}
END_TEST

START_TEST(lock_3_3_held_bookkeeping)
{
	setup_mutexes();
	ck_assert_int_eq(lockdep_depth(), 0);
	ck_assert(!lockdep_is_held(&class_a));
	mutex_lock(&ma);
	mutex_lock(&mb);
	mutex_lock(&mc);
	ck_assert_int_eq(lockdep_depth(), 3);
	ck_assert(lockdep_is_held(&class_b));
	/* release out of order: the middle one first */
	mutex_unlock(&mb);
	ck_assert_int_eq(lockdep_depth(), 2);
	ck_assert(!lockdep_is_held(&class_b));
	ck_assert(lockdep_is_held(&class_a));
	ck_assert(lockdep_is_held(&class_c));
	mutex_unlock(&ma);
	mutex_unlock(&mc);
	ck_assert_int_eq(lockdep_depth(), 0);
	/* out-of-order release is not an inversion */
	ck_assert_int_eq(lockdep_nr_reports(), 0);
}
END_TEST

static void *thread_identity(void *p)
{
	int *out = p;

	out[0] = ref_thread_id();
	out[1] = ref_thread_id(); /* stable */
	out[2] = strcmp(ref_thread_name(), "iomap-ref") == 0;
	ref_thread_set_name("a-very-long-thread-name");
	out[3] = (int)strlen(ref_thread_name());
	return NULL;
}

START_TEST(lock_3_4_thread_ids_and_names)
{
	int main_id = ref_thread_id();
	int a[4], b[4];
	pthread_t th;

	ck_assert_int_ge(main_id, 1);
	pthread_create(&th, NULL, thread_identity, a);
	pthread_join(th, NULL);
	pthread_create(&th, NULL, thread_identity, b);
	pthread_join(th, NULL);
	/* handed out in order of first use: main, then a, then b */
	ck_assert_int_eq(a[0], main_id + 1);
	ck_assert_int_eq(b[0], main_id + 2);
	ck_assert_int_eq(a[1], a[0]);
	ck_assert_int_eq(a[2], 1);
	ck_assert_int_eq(a[3], 15);
	/* names are per thread */
	ck_assert_str_eq(ref_thread_name(), "iomap-ref");
	ck_assert_int_eq(ref_thread_id(), main_id);
}
END_TEST

START_TEST(lock_3_5_instances_are_distinct)
{
	struct mutex m1, m2;
	struct rw_semaphore s1;

	mutex_init_class(&m1, &class_a, NULL);
	mutex_init_class(&m2, &class_a, NULL);
	init_rwsem(&s1, &class_b, NULL);
	ck_assert_uint_ne(m1.instance, 0);
	ck_assert_uint_lt(m1.instance, m2.instance);
	ck_assert_uint_lt(m2.instance, s1.instance);
	ck_assert_str_eq(m1.name, "A"); /* NULL name: the class name */
	mutex_destroy_class(&m1);
	mutex_destroy_class(&m2);
	rwsem_destroy(&s1);
}
END_TEST

static struct rw_semaphore stress_sem;
static long stress_counter;

static void *stress_worker(void *p)
{
	long id = (long)p;

	for (int i = 0; i < 20000; i++) {
		if ((i + id) % 4 == 0) {
			down_write(&stress_sem);
			mutex_lock(&ma);
			stress_counter++;
			mutex_unlock(&ma);
			up_write(&stress_sem);
		} else {
			down_read(&stress_sem);
			mutex_lock(&ma);
			stress_counter++;
			mutex_unlock(&ma);
			up_read(&stress_sem);
		}
	}
	return NULL;
}

START_TEST(lock_3_6_stress_consistent_order)
{
	pthread_t th[4];

	setup_mutexes();
	init_rwsem(&stress_sem, &class_b, "stress");
	for (long i = 0; i < 4; i++)
		pthread_create(&th[i], NULL, stress_worker, (void *)i);
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	/* mutual exclusion held (no lost increments) and no false report */
	ck_assert_int_eq(stress_counter, 4 * 20000);
	ck_assert_int_eq(lockdep_nr_reports(), 0);
	rwsem_destroy(&stress_sem);
}
END_TEST

static Suite *lock_suite(void)
{
	Suite *s = suite_create("kernel-lock");
	TCase *tc = tcase_create("lockdep");

	tcase_add_test(tc, lockdep_1_1_inode_locks_inverted);
	tcase_add_test(tc, lockdep_1_2_consistent_order_is_silent);
	tcase_add_test(tc, lockdep_1_3_three_class_cycle);
	tcase_add_test(tc, lockdep_1_4_trylock_adds_no_edge);
	tcase_add_test(tc, lockdep_1_5_trylock_held_lock_orders_later_locks);
	tcase_add_test(tc, lockdep_1_6_two_threads_opposite_orders);
	tcase_add_test(tc, lockdep_1_7_recursive_same_class);
	tcase_add_test(tc, lockdep_1_8_nested_subclass_orders);
	tcase_add_test(tc, lockdep_1_9_reset_forgets_orders);
	tcase_add_test(tc, lockdep_1_10_distinct_inversions_each_reported);
	tcase_add_test(tc, lockdep_2_1_report_printed_to_stderr);
	tcase_add_test(tc, lockdep_2_2_quiet_records_but_prints_nothing);
	tcase_add_test(tc, lockdep_2_3_inversion_event);
	tcase_add_test(tc, lockdep_2_4_report_lookup_bounds);
	tcase_add_test(tc, lock_3_1_acquire_event_fields);
	tcase_add_test(tc, lock_3_2_contention_events);
	tcase_add_test(tc, lock_3_3_held_bookkeeping);
	tcase_add_test(tc, lock_3_4_thread_ids_and_names);
	tcase_add_test(tc, lock_3_5_instances_are_distinct);
	tcase_add_test(tc, lock_3_6_stress_consistent_order);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(lock_suite());
}
