/**
 * @file lockdep.c
 * @brief The lock-order validator: a small model of the kernel's lockdep
 *        (kernel/locking/lockdep.c).
 *
 * What it proves: if any thread ever took class A and then, still holding
 * it, class B, the order "A -> B" is recorded as an edge of a global graph
 * over lock *classes*.  A later acquisition that would add an edge closing
 * a cycle ("B -> ... -> A" already known, now "A -> B") means two threads
 * following the two orders can deadlock, whether or not they ever raced.
 * That acquisition is reported once, with both orders named.
 *
 * How the pieces fit (the kernel's names in brackets):
 *
 *     lockdep_acquire(B)                                  [lock_acquire]
 *       for each lock A this thread holds:                [check_prevs_add]
 *         same class?      -> "recursive" report unless both shared
 *                                                         [check_deadlock]
 *         edge A->B known? -> nothing to do
 *         B reaches A?     -> "circular" report; the edge is NOT added
 *                                                         [check_noncircular]
 *         else             -> add edge A->B               [add_lock_to_list]
 *       push B on this thread's held stack
 *     lockdep_release(B)   -> pop B (from anywhere in the stack)
 *
 * A trylock adds no edge into itself (it cannot wait, so it cannot close a
 * cycle), but once held it is a lock like any other: locks taken after it
 * get an edge from it.  Lock levels (UPPER/LOWER/OPERATION) are carried for
 * display only: the validator learns the order from what threads do, and
 * the kernel itself nests a filesystem's mapping lock inside the folio lock
 * in writeback, so a fixed level rule would report correct code.
 *
 * Data (numbered invariants, checked where noted):
 *   (1) class ids are 1..::LOCKDEP_MAX_CLASSES, handed out once per
 *       (class, subclass) in order of first use and never reused, not even
 *       by lockdep_reset();
 *   (2) `deps` is acyclic: an edge that would close a cycle is reported and
 *       left out, so every later report names a real, fresh inversion;
 *   (3) a pair (A, B) is reported at most once between resets (`reported`);
 *   (4) a thread's held stack lists exactly the validated locks it holds,
 *       oldest first; acquire pushes, release removes the newest match.
 *
 * Locking: `graph_lock`, a plain pthread mutex below every validated class
 * (it is never held while calling out), protects the class table, `deps`,
 * `reported` and the report list.  The held stack is thread-local and needs
 * no lock.  `in_lockdep` keeps the validator from validating itself if a
 * sink it emits to takes a validated lock (the kernel's lockdep_recursion).
 *
 * A caller must never: use a lock_class that is not in static storage (the
 * table keeps the pointer); release a lock on a thread that did not take it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <iomap/lock.h>
#include <iomap/trace.h>

/** Deepest held-lock stack per thread (the kernel's MAX_LOCK_DEPTH). */
#define MAX_LOCK_DEPTH 48
/** 64-bit words in one row of a class bitmap. */
#define CLASS_WORDS ((LOCKDEP_MAX_CLASSES + 63) / 64)

/** One lock the calling thread holds (the kernel's struct held_lock). */
struct held_lock {
	struct lock_class *cls; /**< the class as the lock knows it */
	int id;                 /**< validator class id (subclass-aware), 0 = untracked */
	enum lock_mode mode;    /**< how it is held */
	uint64_t instance;      /**< which lock of the class */
	bool trylock;           /**< taken by a trylock */
};

/** One validator class: a (lock_class, subclass) pair. */
struct class_slot {
	struct lock_class *key; /**< the lock_class */
	unsigned subclass;      /**< nesting subclass, 0 = plain */
	char name[64];          /**< "i_rwsem" or "i_rwsem/4" */
};

/* Per-thread state (no lock needed). */
static __thread struct held_lock held[MAX_LOCK_DEPTH];
static __thread int held_depth;
static __thread int held_lost; /* acquisitions not pushed: the stack was full */
static __thread int in_lockdep;

/* Global state, under graph_lock. */
static pthread_mutex_t graph_lock = PTHREAD_MUTEX_INITIALIZER;
static struct class_slot classes[LOCKDEP_MAX_CLASSES]; /* slot id-1 */
static int nr_classes;
static bool classes_exhausted;
static uint64_t deps[LOCKDEP_MAX_CLASSES][CLASS_WORDS];     /* bit b of row a: a -> b */
static uint64_t reported[LOCKDEP_MAX_CLASSES][CLASS_WORDS]; /* pair a -> b reported */
static struct lockdep_report *reports;
static int nr_reports, reports_cap;

static bool quiet; /* atomic */

/* Bitmap rows are read without graph_lock on the fast path of
 * lockdep_acquire_nested(), so every access is atomic; bits are only ever
 * set, except by lockdep_reset(). */
static bool bit_test(const uint64_t *row, int id)
{
	return (__atomic_load_n(&row[(id - 1) / 64], __ATOMIC_ACQUIRE) >> ((id - 1) % 64)) & 1;
}

static void bit_set(uint64_t *row, int id)
{
	__atomic_or_fetch(&row[(id - 1) / 64], 1ull << ((id - 1) % 64), __ATOMIC_RELEASE);
}

static const char *class_name(int id)
{
	return classes[id - 1].name;
}

static const char *mode_name(enum lock_mode mode)
{
	return mode == LOCK_SHARED ? "shared" : "exclusive";
}

/* ---------------------------------------------------------------------- */
/* Class table                                                             */
/* ---------------------------------------------------------------------- */

/* Find or register the validator class of (cls, subclass).  Returns 0 when
 * the table is full: validation is then off for that class, as the kernel
 * turns lockdep off when it runs out of keys.  Caller holds graph_lock. */
static int register_class_locked(struct lock_class *cls, unsigned subclass)
{
	struct class_slot *slot;
	int id;

	if (subclass == 0 && cls->id)
		return cls->id;
	for (id = 1; id <= nr_classes; id++)
		if (classes[id - 1].key == cls && classes[id - 1].subclass == subclass)
			return id;
	if (nr_classes == LOCKDEP_MAX_CLASSES) {
		if (!classes_exhausted && !__atomic_load_n(&quiet, __ATOMIC_RELAXED))
			fprintf(stderr, "BUG: lockdep: more than %d lock classes; "
					"validation is off for \"%s\"\n",
				LOCKDEP_MAX_CLASSES, cls->name);
		classes_exhausted = true;
		return 0;
	}
	id = ++nr_classes;
	slot = &classes[id - 1];
	slot->key = cls;
	slot->subclass = subclass;
	if (subclass)
		snprintf(slot->name, sizeof(slot->name), "%s/%u", cls->name, subclass);
	else
		snprintf(slot->name, sizeof(slot->name), "%s", cls->name);
	if (subclass == 0)
		__atomic_store_n(&cls->id, id, __ATOMIC_RELEASE);
	return id;
}

static int class_id(struct lock_class *cls, unsigned subclass)
{
	int id;

	/* Fast path: a plain class that already has its id (invariant 1 says
	 * it never changes once set). */
	if (subclass == 0) {
		id = __atomic_load_n(&cls->id, __ATOMIC_ACQUIRE);
		if (id)
			return id;
	}
	pthread_mutex_lock(&graph_lock);
	id = register_class_locked(cls, subclass);
	pthread_mutex_unlock(&graph_lock);
	return id;
}

/* ---------------------------------------------------------------------- */
/* Graph search                                                            */
/* ---------------------------------------------------------------------- */

/*
 * Breadth-first search for a path from @from to @to over `deps` (the
 * kernel's check_noncircular() does the same walk over its dependency
 * lists).  On success writes the path, from first, into @path and returns
 * its number of classes; returns 0 if @to is unreachable.
 * Caller holds graph_lock.
 */
static int find_path_locked(int from, int to, int path[LOCKDEP_MAX_CLASSES])
{
	int queue[LOCKDEP_MAX_CLASSES], parent[LOCKDEP_MAX_CLASSES + 1];
	uint64_t seen[CLASS_WORDS] = { 0 };
	int head = 0, tail = 0, n = 0;

	queue[tail++] = from;
	bit_set(seen, from);
	parent[from] = 0;
	while (head < tail) {
		int a = queue[head++];

		if (a == to)
			break;
		for (int b = 1; b <= nr_classes; b++) {
			if (!bit_test(deps[a - 1], b) || bit_test(seen, b))
				continue;
			bit_set(seen, b);
			parent[b] = a;
			queue[tail++] = b;
		}
	}
	if (!bit_test(seen, to))
		return 0;
	/* Walk back from @to, then reverse into @path. */
	for (int c = to; c; c = parent[c])
		path[n++] = c;
	for (int i = 0; i < n / 2; i++) {
		int t = path[i];

		path[i] = path[n - 1 - i];
		path[n - 1 - i] = t;
	}
	return n;
}

static void format_path(char *buf, size_t len, const int *path, int n)
{
	size_t off = 0;

	buf[0] = '\0';
	for (int i = 0; i < n && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? " -> " : "",
					class_name(path[i]));
}

/* ---------------------------------------------------------------------- */
/* Reports                                                                 */
/* ---------------------------------------------------------------------- */

/** A report found under graph_lock, printed and emitted after dropping it. */
struct pending_report {
	struct lockdep_report r;
	char *text; /* the stderr message, malloc'ed */
};

static void print_held_locks(FILE *f)
{
	for (int i = 0; i < held_depth; i++) {
		const struct held_lock *h = &held[i];

		fprintf(f, "  #%d: \"%s\" (%s%s, instance %llu)\n", i,
			h->id ? class_name(h->id) : h->cls->name, mode_name(h->mode),
			h->trylock ? ", trylock" : "", (unsigned long long)h->instance);
	}
}

/* Compose the message for a report.  Caller holds graph_lock (for names). */
static char *compose_report(const struct lockdep_report *r, int new_id, enum lock_mode mode,
			    uint64_t instance, int held_id, int path_len)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	const char *newc = class_name(new_id), *heldc = class_name(held_id);

	if (!f)
		return NULL;
	if (strcmp(r->kind, "recursive") == 0) {
		fprintf(f, "\n============================================\n"
			   "WARNING: possible recursive locking detected\n"
			   "--------------------------------------------\n");
		fprintf(f, "thread %s/%d wants \"%s\" (%s, instance %llu)\n"
			   "but already holds a lock of the same class:\n",
			ref_thread_name(), r->tid, newc, mode_name(mode),
			(unsigned long long)instance);
		print_held_locks(f);
		fprintf(f, "\nTaking a class twice deadlocks if it is the same lock, and may\n"
			   "deadlock against another thread if two locks of the class are\n"
			   "taken in no fixed order.  If the nesting is intended and ordered,\n"
			   "say so with a subclass (down_write_nested(), inode_lock_nested()).\n"
			   "  order: %s\n\n", r->inverted);
	} else {
		fprintf(f, "\n======================================================\n"
			   "WARNING: possible circular locking dependency detected\n"
			   "------------------------------------------------------\n");
		fprintf(f, "thread %s/%d wants \"%s\" (%s, instance %llu)\n"
			   "while it holds:\n",
			ref_thread_name(), r->tid, newc, mode_name(mode),
			(unsigned long long)instance);
		print_held_locks(f);
		fprintf(f, "\nbut \"%s\" was already seen taken before \"%s\":\n"
			   "  established order: %s\n"
			   "  inverted order:    %s\n",
			newc, heldc, r->established, r->inverted);
		fprintf(f, "\nOne way two threads can deadlock on these orders:\n\n"
			   "       thread X                  thread Y\n"
			   "       --------                  --------\n"
			   "  lock(%s);\n"
			   "                                 lock(%s);\n"
			   "                                 lock(%s);\n"
			   "  lock(%s);%s\n\n"
			   " *** DEADLOCK ***\n\n",
			newc, heldc, newc, heldc,
			path_len > 2 ? "   (through the chain above)" : "");
	}
	fclose(f);
	return text;
}

/* Record @r in the global list.  Caller holds graph_lock. */
static void store_report_locked(const struct lockdep_report *r)
{
	if (nr_reports == reports_cap) {
		int ncap = reports_cap ? reports_cap * 2 : 8;
		struct lockdep_report *n = realloc(reports, (size_t)ncap * sizeof(*n));

		if (!n)
			return; /* the report is still printed and emitted */
		reports = n;
		reports_cap = ncap;
	}
	reports[nr_reports++] = *r;
}

static void publish_report(struct pending_report *p)
{
	if (p->text && !__atomic_load_n(&quiet, __ATOMIC_RELAXED))
		fputs(p->text, stderr);
	if (trace_enabled()) {
		struct trace_event ev;

		trace_event_init(&ev, "lockdep_inversion", 0, 0);
		trace_str(&ev, "kind", p->r.kind);
		trace_str(&ev, "established", p->r.established);
		trace_str(&ev, "inverted", p->r.inverted);
		trace_emit(&ev);
	}
	free(p->text);
}

/*
 * Fast path: whether taking class @id in @mode needs no new edge and can
 * raise no report, decided without graph_lock.  This is the common case
 * once a workload has run for a moment (the kernel's lock chain cache
 * serves the same purpose).
 */
static bool all_edges_known(int id, enum lock_mode mode)
{
	for (int i = 0; i < held_depth; i++) {
		const struct held_lock *h = &held[i];

		if (!h->id)
			continue;
		if (h->id == id) {
			if (h->mode == LOCK_SHARED && mode == LOCK_SHARED)
				continue;
			return false;
		}
		if (!bit_test(deps[h->id - 1], id))
			return false;
	}
	return true;
}

/* Room for one more pending report in *@out (grown by doubling). */
static struct pending_report *pending_slot(struct pending_report **out, int n)
{
	if ((n & (n - 1)) == 0) { /* n is 0 or a power of two: grow */
		struct pending_report *g = realloc(*out, (size_t)(n ? 2 * n : 1) * sizeof(**out));

		if (!g)
			return NULL;
		*out = g;
	}
	return &(*out)[n];
}

/*
 * Validate taking class @id in @mode against every lock the thread holds,
 * and record the new edges.  Reports found are returned in *@out, a
 * malloc'ed array the caller frees.  Returns the number of reports.
 */
static int check_and_add(int id, enum lock_mode mode, uint64_t instance,
			 struct pending_report **out)
{
	int path[LOCKDEP_MAX_CLASSES];
	int n = 0;

	pthread_mutex_lock(&graph_lock);
	for (int i = 0; i < held_depth; i++) {
		const struct held_lock *h = &held[i];
		struct pending_report *p;
		struct lockdep_report *r;
		int len;

		if (!h->id)
			continue;
		if (h->id == id) {
			/* Shared after shared is allowed (rwsem read recursion). */
			if (h->mode == LOCK_SHARED && mode == LOCK_SHARED)
				continue;
			if (bit_test(reported[id - 1], id))
				continue; /* invariant (3) */
			bit_set(reported[id - 1], id);
			p = pending_slot(out, n);
			if (!p)
				continue;
			r = &p->r;
			memset(r, 0, sizeof(*r));
			snprintf(r->kind, sizeof(r->kind), "recursive");
			snprintf(r->established, sizeof(r->established), "%s", class_name(id));
			snprintf(r->inverted, sizeof(r->inverted), "%s -> %s", class_name(id),
				 class_name(id));
			r->tid = ref_thread_id();
			store_report_locked(r);
			p->text = compose_report(r, id, mode, instance, id, 1);
			n++;
			continue;
		}
		if (bit_test(deps[h->id - 1], id))
			continue;
		len = find_path_locked(id, h->id, path);
		if (len) {
			/* Invariant (2): leave the edge out so the graph stays
			 * acyclic; invariant (3): say it once. */
			if (bit_test(reported[h->id - 1], id))
				continue;
			bit_set(reported[h->id - 1], id);
			p = pending_slot(out, n);
			if (!p)
				continue;
			r = &p->r;
			memset(r, 0, sizeof(*r));
			snprintf(r->kind, sizeof(r->kind), "circular");
			format_path(r->established, sizeof(r->established), path, len);
			snprintf(r->inverted, sizeof(r->inverted), "%s -> %s", class_name(h->id),
				 class_name(id));
			r->tid = ref_thread_id();
			store_report_locked(r);
			p->text = compose_report(r, id, mode, instance, h->id, len);
			n++;
			continue;
		}
		bit_set(deps[h->id - 1], id);
	}
	pthread_mutex_unlock(&graph_lock);
	return n;
}

/* ---------------------------------------------------------------------- */
/* Events                                                                  */
/* ---------------------------------------------------------------------- */

static void emit_lock_event(const char *name, const struct lock_class *cls, unsigned subclass,
			    const char *mode, uint64_t instance, int trylock, int aborted)
{
	struct trace_event ev;

	trace_event_init(&ev, name, 0, 0);
	trace_str(&ev, "class", cls->name);
	if (mode)
		trace_str(&ev, "mode", mode);
	trace_u64(&ev, "instance", instance);
	if (trylock >= 0) {
		trace_s64(&ev, "level", cls->level);
		trace_s64(&ev, "trylock", trylock);
	}
	if (subclass)
		trace_s64(&ev, "subclass", subclass);
	if (aborted)
		trace_s64(&ev, "aborted", 1);
	trace_emit(&ev);
}

/* ---------------------------------------------------------------------- */
/* Hooks                                                                   */
/* ---------------------------------------------------------------------- */

void lockdep_acquire_nested(struct lock_class *cls, unsigned subclass, enum lock_mode mode,
			    uint64_t instance, bool trylock)
{
	struct pending_report *found = NULL;
	int id, nfound = 0;

	if (in_lockdep)
		return;
	in_lockdep++;
	if (subclass >= LOCKDEP_MAX_SUBCLASSES)
		subclass = LOCKDEP_MAX_SUBCLASSES - 1;
	id = class_id(cls, subclass);
	if (id && !trylock && !all_edges_known(id, mode))
		nfound = check_and_add(id, mode, instance, &found);
	if (held_depth < MAX_LOCK_DEPTH) {
		held[held_depth++] = (struct held_lock){
			.cls = cls, .id = id, .mode = mode, .instance = instance,
			.trylock = trylock,
		};
	} else {
		if (held_lost++ == 0 && !__atomic_load_n(&quiet, __ATOMIC_RELAXED))
			fprintf(stderr, "BUG: lockdep: thread %s/%d holds more than %d locks\n",
				ref_thread_name(), ref_thread_id(), MAX_LOCK_DEPTH);
	}
	/* Print and emit outside graph_lock: the sinks may take their own
	 * locks, and the stream orders events by itself. */
	for (int i = 0; i < nfound; i++)
		publish_report(&found[i]);
	free(found);
	if (trace_enabled())
		emit_lock_event("lock_acquire", cls, subclass, mode_name(mode), instance,
				trylock, 0);
	in_lockdep--;
}

void lockdep_acquire(struct lock_class *cls, enum lock_mode mode, uint64_t instance,
		     bool trylock)
{
	lockdep_acquire_nested(cls, 0, mode, instance, trylock);
}

void lockdep_contended(struct lock_class *cls, uint64_t instance)
{
	if (in_lockdep || !trace_enabled())
		return;
	in_lockdep++;
	emit_lock_event("lock_contended", cls, 0, NULL, instance, -1, 0);
	in_lockdep--;
}

void lockdep_acquired(struct lock_class *cls, enum lock_mode mode, uint64_t instance)
{
	if (in_lockdep || !trace_enabled())
		return;
	in_lockdep++;
	emit_lock_event("lock_acquired", cls, 0, mode_name(mode), instance, -1, 0);
	in_lockdep--;
}

/* Remove the newest held entry for (cls, instance); invariant (4). */
static bool pop_held(const struct lock_class *cls, uint64_t instance)
{
	for (int i = held_depth - 1; i >= 0; i--) {
		if (held[i].cls != cls || held[i].instance != instance)
			continue;
		memmove(&held[i], &held[i + 1], (size_t)(held_depth - i - 1) * sizeof(held[0]));
		held_depth--;
		return true;
	}
	return false;
}

static void release_common(struct lock_class *cls, uint64_t instance, bool aborted)
{
	if (in_lockdep)
		return;
	in_lockdep++;
	if (!pop_held(cls, instance)) {
		if (held_lost > 0)
			held_lost--; /* it was one of the unrecorded ones */
		else if (!__atomic_load_n(&quiet, __ATOMIC_RELAXED))
			fprintf(stderr, "WARNING: bad unlock balance: thread %s/%d releases "
					"\"%s\" (instance %llu) which it does not hold\n",
				ref_thread_name(), ref_thread_id(), cls->name,
				(unsigned long long)instance);
	}
	if (trace_enabled())
		emit_lock_event("lock_release", cls, 0, NULL, instance, -1, aborted);
	in_lockdep--;
}

void lockdep_release(struct lock_class *cls, uint64_t instance)
{
	release_common(cls, instance, false);
}

void lockdep_abort(struct lock_class *cls, uint64_t instance)
{
	/* Emitted as a release marked "aborted" so that a fold over events
	 * that pairs acquire with release stays balanced. */
	release_common(cls, instance, true);
}

/* ---------------------------------------------------------------------- */
/* Queries                                                                 */
/* ---------------------------------------------------------------------- */

int lockdep_nr_reports(void)
{
	int n;

	pthread_mutex_lock(&graph_lock);
	n = nr_reports;
	pthread_mutex_unlock(&graph_lock);
	return n;
}

int lockdep_get_report(int i, struct lockdep_report *out)
{
	int ret = -ENOENT;

	pthread_mutex_lock(&graph_lock);
	if (i >= 0 && i < nr_reports) {
		*out = reports[i];
		ret = 0;
	}
	pthread_mutex_unlock(&graph_lock);
	return ret;
}

void lockdep_reset(void)
{
	pthread_mutex_lock(&graph_lock);
	/* Atomic stores: the fast path reads these rows without the lock. */
	for (int a = 0; a < LOCKDEP_MAX_CLASSES; a++) {
		for (int w = 0; w < CLASS_WORDS; w++) {
			__atomic_store_n(&deps[a][w], 0, __ATOMIC_RELEASE);
			__atomic_store_n(&reported[a][w], 0, __ATOMIC_RELEASE);
		}
	}
	free(reports);
	reports = NULL;
	nr_reports = reports_cap = 0;
	pthread_mutex_unlock(&graph_lock);
}

void lockdep_set_quiet(bool q)
{
	__atomic_store_n(&quiet, q, __ATOMIC_RELAXED);
}

int lockdep_depth(void)
{
	return held_depth + held_lost;
}

bool lockdep_is_held(const struct lock_class *cls)
{
	for (int i = 0; i < held_depth; i++)
		if (held[i].cls == cls)
			return true;
	return false;
}
