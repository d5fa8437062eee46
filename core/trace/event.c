/**
 * @file event.c
 * @brief The event stream: sink registry, event construction, sequencing,
 *        the clock, and the execution mode.
 *
 * How to use: an emitter checks trace_enabled(), fills a stack
 * `struct trace_event` with trace_event_init() and trace_u64() / trace_s64()
 * / trace_str(), then calls trace_emit().  Sinks attach with
 * trace_add_sink().
 *
 * Never: keep a pointer to an event after a sink's emit returns (it lives on
 * the emitter's stack; string fields point at the emitter's memory); emit
 * from inside a sink (the stream lock is not recursive).
 *
 * Locking: `stream_lock` (a plain pthread mutex, below every validated lock
 * class, so it is not itself validated) protects the sink list, the sequence
 * counter and the clock; sinks run under it.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <iomap/lock.h>
#include <iomap/trace.h>

int trace_nr_sinks;

static pthread_mutex_t stream_lock = PTHREAD_MUTEX_INITIALIZER;
static struct trace_sink *sinks;
static uint64_t next_seq;
static uint64_t clock_base_ns;
static bool clock_base_set;
static enum kernel_exec_mode exec_mode = EXEC_DETERMINISTIC;

/* Deterministic time starts at 1 s so that printed timestamps look like a
 * machine that has been up for a moment rather than "0.000000". */
#define DETERMINISTIC_T0_NS 1000000000ull
#define DETERMINISTIC_STEP_NS 1000ull

enum kernel_exec_mode kernel_exec_mode(void)
{
	return __atomic_load_n(&exec_mode, __ATOMIC_RELAXED);
}

void kernel_set_exec_mode(enum kernel_exec_mode mode)
{
	__atomic_store_n(&exec_mode, mode, __ATOMIC_RELAXED);
}

void trace_add_sink(struct trace_sink *sink)
{
	pthread_mutex_lock(&stream_lock);
	sink->next = sinks;
	sinks = sink;
	__atomic_add_fetch(&trace_nr_sinks, 1, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&stream_lock);
}

void trace_remove_sink(struct trace_sink *sink)
{
	struct trace_sink **pp;
	bool found = false;

	pthread_mutex_lock(&stream_lock);
	for (pp = &sinks; *pp; pp = &(*pp)->next) {
		if (*pp == sink) {
			*pp = sink->next;
			found = true;
			break;
		}
	}
	if (found)
		__atomic_sub_fetch(&trace_nr_sinks, 1, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&stream_lock);
	if (found && sink->close)
		sink->close(sink);
}

void trace_reset_clock(void)
{
	pthread_mutex_lock(&stream_lock);
	next_seq = 0;
	clock_base_set = false;
	pthread_mutex_unlock(&stream_lock);
}

void trace_event_init(struct trace_event *ev, const char *name, kdev_t dev, uint64_t ino)
{
	ev->seq = 0;
	ev->ts_ns = 0;
	ev->tid = 0;
	ev->task = NULL;
	ev->name = name;
	ev->dev = dev;
	ev->ino = ino;
	ev->nfields = 0;
}

static struct trace_field *next_field(struct trace_event *ev, const char *key)
{
	struct trace_field *f;

	/* An event with too many fields is a programming error in the emitter;
	 * dropping the extra field keeps the stream usable. */
	if (ev->nfields >= TRACE_MAX_FIELDS)
		return NULL;
	f = &ev->f[ev->nfields++];
	f->key = key;
	return f;
}

void trace_u64(struct trace_event *ev, const char *key, uint64_t v)
{
	struct trace_field *f = next_field(ev, key);

	if (f) {
		f->kind = TF_U64;
		f->v.u = v;
	}
}

void trace_s64(struct trace_event *ev, const char *key, int64_t v)
{
	struct trace_field *f = next_field(ev, key);

	if (f) {
		f->kind = TF_S64;
		f->v.s = v;
	}
}

void trace_str(struct trace_event *ev, const char *key, const char *v)
{
	struct trace_field *f = next_field(ev, key);

	if (f) {
		f->kind = TF_STR;
		f->v.str = v ? v : "";
	}
}

const struct trace_field *trace_field_get(const struct trace_event *ev, const char *key)
{
	for (unsigned i = 0; i < ev->nfields; i++)
		if (strcmp(ev->f[i].key, key) == 0)
			return &ev->f[i];
	return NULL;
}

static uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void trace_emit(struct trace_event *ev)
{
	ev->tid = ref_thread_id();
	ev->task = ref_thread_name();

	pthread_mutex_lock(&stream_lock);
	ev->seq = next_seq++;
	if (kernel_exec_mode() == EXEC_DETERMINISTIC) {
		ev->ts_ns = DETERMINISTIC_T0_NS + ev->seq * DETERMINISTIC_STEP_NS;
	} else {
		uint64_t now = monotonic_ns();

		if (!clock_base_set) {
			clock_base_ns = now;
			clock_base_set = true;
		}
		ev->ts_ns = DETERMINISTIC_T0_NS + (now - clock_base_ns);
	}
	for (struct trace_sink *s = sinks; s; s = s->next)
		s->emit(s, ev);
	pthread_mutex_unlock(&stream_lock);
}

void trace_op(bool begin, const char *text, int64_t ret)
{
	struct trace_event ev;

	if (!trace_enabled())
		return;
	trace_event_init(&ev, begin ? "op_begin" : "op_end", 0, 0);
	trace_str(&ev, "op", text);
	if (!begin)
		trace_s64(&ev, "ret", ret);
	trace_emit(&ev);
}

/*
 * The memory sink: a growable array of deep-copied events.  Strings are
 * interned per event into one allocation so that an event is freed at once.
 */
struct memsink {
	struct trace_sink sink;
	struct trace_event *ev;
	char **strs; /* one block of copied strings per event */
	size_t nr, cap;
};

static char *memsink_copy_strings(struct trace_event *dst)
{
	size_t total = strlen(dst->name) + 1 + strlen(dst->task ? dst->task : "") + 1;
	char *block, *p;

	for (unsigned i = 0; i < dst->nfields; i++) {
		total += strlen(dst->f[i].key) + 1;
		if (dst->f[i].kind == TF_STR)
			total += strlen(dst->f[i].v.str) + 1;
	}
	block = malloc(total);
	if (!block)
		return NULL;
	p = block;
#define COPY_STR(field)                          \
	do {                                     \
		size_t l_ = strlen(field) + 1;   \
		memcpy(p, (field), l_);          \
		(field) = p;                     \
		p += l_;                         \
	} while (0)
	COPY_STR(dst->name);
	if (!dst->task)
		dst->task = "";
	COPY_STR(dst->task);
	for (unsigned i = 0; i < dst->nfields; i++) {
		COPY_STR(dst->f[i].key);
		if (dst->f[i].kind == TF_STR)
			COPY_STR(dst->f[i].v.str);
	}
#undef COPY_STR
	return block;
}

static void memsink_emit(struct trace_sink *sink, const struct trace_event *ev)
{
	struct memsink *m = (struct memsink *)sink->priv;
	char *block;

	if (m->nr == m->cap) {
		size_t ncap = m->cap ? m->cap * 2 : 256;
		struct trace_event *nev = realloc(m->ev, ncap * sizeof(*nev));
		char **nstrs;

		if (!nev)
			return;
		m->ev = nev;
		nstrs = realloc(m->strs, ncap * sizeof(*nstrs));
		if (!nstrs)
			return;
		m->strs = nstrs;
		m->cap = ncap;
	}
	m->ev[m->nr] = *ev;
	block = memsink_copy_strings(&m->ev[m->nr]);
	if (!block)
		return;
	m->strs[m->nr++] = block;
}

struct trace_sink *trace_memsink_new(void)
{
	struct memsink *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->sink.emit = memsink_emit;
	m->sink.priv = m;
	return &m->sink;
}

size_t trace_memsink_count(struct trace_sink *sink)
{
	return ((struct memsink *)sink->priv)->nr;
}

const struct trace_event *trace_memsink_get(struct trace_sink *sink, size_t i)
{
	struct memsink *m = (struct memsink *)sink->priv;

	return i < m->nr ? &m->ev[i] : NULL;
}

/* Sinks made by ftrace.c / recording.c register their own free hook here
 * through the close callback; the memory sink is freed directly. */
void trace_sink_free(struct trace_sink *sink)
{
	if (!sink)
		return;
	if (sink->emit == memsink_emit) {
		struct memsink *m = (struct memsink *)sink->priv;

		for (size_t i = 0; i < m->nr; i++)
			free(m->strs[i]);
		free(m->strs);
		free(m->ev);
		free(m);
		return;
	}
	/* Text sinks keep their state in priv and the sink itself inside it. */
	free(sink->priv);
}
