/**
 * @file store.c
 * @brief The event store: the events of one run, kept compactly, with an
 *        index of the operations; loading recordings and kernel traces.
 *
 * How to use it: viz_store_load_file() for a file, or viz_store_new() and
 * viz_store_sink_new() for a live run; then read events by index with
 * viz_store_get() / viz_store_format() / viz_store_kernel_text().
 *
 * Layout (model-internal.h draws it): every string (event names, tasks,
 * keys, string values) is interned once in chunks that never move, events
 * are fixed-size records (48 bytes), and their fields sit in one pool (16
 * bytes each).  A recording of 1 004 742 events (64 MB of text) loads and
 * indexes in about 0.4 s, without one malloc per event.
 *
 * A caller must never: use a string returned by viz_store_get() after
 * viz_store_free(); append from two threads at once (the sink runs under
 * the trace stream lock, which serialises the emitters).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <iomap/recording.h>
#include <iomap/types.h>

#include "model-internal.h"

/* A chunk of string storage; chunks are never reallocated. */
struct vs_chunk {
	struct vs_chunk *next;
	size_t used, cap;
	char data[];
};

#define VS_CHUNK_SIZE (256u * 1024u)

/* The event kinds the fold knows, by name. */
static const struct {
	const char *name;
	enum vs_kind kind;
} vs_kinds[] = {
	{ "op_begin", VK_OP_BEGIN }, { "op_end", VK_OP_END },
	{ "iomap_iter", VK_ITER }, { "iomap_iter_dstmap", VK_DSTMAP },
	{ "iomap_iter_srcmap", VK_SRCMAP }, { "fs_iomap_begin", VK_FS_BEGIN },
	{ "fs_iomap_begin_done", VK_FS_BEGIN_DONE }, { "fs_iomap_end", VK_FS_END },
	{ "iomap_add_to_ioend", VK_ADD_TO_IOEND },
	{ "iomap_writeback_folio", VK_WRITEBACK_FOLIO },
	{ "iomap_release_folio", VK_RELEASE_FOLIO },
	{ "iomap_invalidate_folio", VK_INVALIDATE_FOLIO },
	{ "folio_add", VK_FOLIO_ADD }, { "folio_remove", VK_FOLIO_REMOVE },
	{ "folio_flags", VK_FOLIO_FLAGS }, { "folio_state", VK_FOLIO_STATE },
	{ "ioend_new", VK_IOEND_NEW }, { "ioend_grow", VK_IOEND_GROW },
	{ "ioend_submit", VK_IOEND_SUBMIT }, { "ioend_complete", VK_IOEND_COMPLETE },
	{ "ioend_merge", VK_IOEND_MERGE }, { "ioend_finish", VK_IOEND_FINISH },
	{ "bio_submit", VK_BIO_SUBMIT }, { "bio_complete", VK_BIO_COMPLETE },
	{ "dio_bio", VK_DIO_BIO }, { "dio_end_io", VK_DIO_END_IO },
	{ "work_queue", VK_WORK_QUEUE }, { "work_start", VK_WORK_START },
	{ "work_end", VK_WORK_END },
	{ "lock_acquire", VK_LOCK_ACQUIRE }, { "lock_contended", VK_LOCK_CONTENDED },
	{ "lock_acquired", VK_LOCK_ACQUIRED }, { "lock_release", VK_LOCK_RELEASE },
	{ "lockdep_inversion", VK_LOCKDEP_INVERSION },
};

static enum vs_kind kind_of_name(const char *s)
{
	for (size_t i = 0; i < ARRAY_SIZE(vs_kinds); i++)
		if (strcmp(vs_kinds[i].name, s) == 0)
			return vs_kinds[i].kind;
	return VK_OTHER;
}

/* FNV-1a: short strings, good enough spread for a power-of-two table. */
static uint64_t str_hash(const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

const char *vs_copy(struct viz_store *st, const char *s, size_t len)
{
	struct vs_chunk *c = st->chunks;
	char *p;

	if (!c || c->cap - c->used < len + 1) {
		size_t cap = len + 1 > VS_CHUNK_SIZE ? len + 1 : VS_CHUNK_SIZE;

		c = malloc(sizeof(*c) + cap);
		if (!c)
			return NULL;
		c->used = 0;
		c->cap = cap;
		/* A big string gets its own chunk, behind the current one. */
		if (st->chunks && cap > VS_CHUNK_SIZE) {
			c->next = st->chunks->next;
			st->chunks->next = c;
		} else {
			c->next = st->chunks;
			st->chunks = c;
		}
	}
	p = c->data + c->used;
	memcpy(p, s, len);
	p[len] = '\0';
	c->used += len + 1;
	return p;
}

static int hash_grow(struct viz_store *st)
{
	size_t cap = st->hash_cap ? st->hash_cap * 2 : 1024;
	uint32_t *h = calloc(cap, sizeof(*h));

	if (!h)
		return -ENOMEM;
	for (size_t id = 0; id < st->nr_strs; id++) {
		size_t i = str_hash(st->strs[id], strlen(st->strs[id])) & (cap - 1);

		while (h[i])
			i = (i + 1) & (cap - 1);
		h[i] = (uint32_t)id + 1;
	}
	free(st->hash);
	st->hash = h;
	st->hash_cap = cap;
	return 0;
}

uint32_t vs_intern(struct viz_store *st, const char *s, size_t len)
{
	size_t i;
	const char *copy;

	if (!s) {
		s = "";
		len = 0;
	}
	if ((st->nr_strs + 1) * 2 > st->hash_cap && hash_grow(st) < 0)
		return UINT32_MAX;
	i = str_hash(s, len) & (st->hash_cap - 1);
	while (st->hash[i]) {
		const char *t = st->strs[st->hash[i] - 1];

		if (strncmp(t, s, len) == 0 && t[len] == '\0')
			return st->hash[i] - 1;
		i = (i + 1) & (st->hash_cap - 1);
	}
	if (st->nr_strs == st->cap_strs) {
		size_t cap = st->cap_strs ? st->cap_strs * 2 : 256;
		const char **n = realloc(st->strs, cap * sizeof(*n));
		uint16_t *k;

		if (!n)
			return UINT32_MAX;
		st->strs = n;
		k = realloc(st->str_kind, cap * sizeof(*k));
		if (!k)
			return UINT32_MAX;
		st->str_kind = k;
		st->cap_strs = cap;
	}
	copy = vs_copy(st, s, len);
	if (!copy)
		return UINT32_MAX;
	st->strs[st->nr_strs] = copy;
	st->str_kind[st->nr_strs] = (uint16_t)kind_of_name(copy);
	st->hash[i] = (uint32_t)st->nr_strs + 1;
	return (uint32_t)st->nr_strs++;
}

uint32_t vs_lookup(const struct viz_store *st, const char *s)
{
	size_t len = strlen(s), i;

	if (!st->hash_cap)
		return UINT32_MAX;
	i = str_hash(s, len) & (st->hash_cap - 1);
	while (st->hash[i]) {
		if (strcmp(st->strs[st->hash[i] - 1], s) == 0)
			return st->hash[i] - 1;
		i = (i + 1) & (st->hash_cap - 1);
	}
	return UINT32_MAX;
}

struct viz_store *viz_store_new(enum viz_source src)
{
	struct viz_store *st = calloc(1, sizeof(*st));

	if (!st)
		return NULL;
	st->src = src;
	return st;
}

void viz_store_free(struct viz_store *st)
{
	if (!st)
		return;
	while (st->chunks) {
		struct vs_chunk *c = st->chunks;

		st->chunks = c->next;
		free(c);
	}
	free(st->strs);
	free(st->str_kind);
	free(st->hash);
	free(st->ev);
	free(st->fields);
	free(st->raw);
	free(st->op_begin);
	free(st->op_end);
	free(st);
}

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t ncap;
	void *n;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap : 64;
	while (ncap < need)
		ncap *= 2;
	n = realloc(*p, ncap * size);
	if (!n)
		return -ENOMEM;
	*p = n;
	*cap = ncap;
	return 0;
}

static int index_push(size_t **arr, size_t *nr, size_t *cap, size_t v)
{
	if (grow((void **)arr, cap, *nr + 1, sizeof(**arr)) < 0)
		return -ENOMEM;
	(*arr)[(*nr)++] = v;
	return 0;
}

/*
 * Whether iomap_iter @e of a kernel store starts a new iteration, given
 * the last one: the first, one after an iteration that ended (length 0
 * and no mapping since), or one for another inode, other flags, another
 * caller (compared as far as viz_iter::caller holds it) or a position
 * behind the last one.  A kernel trace has no op_begin, so each such
 * iteration is an operation: step over, operation steps and the fold
 * (fold_iter()) all take this one rule from the op_begin index.
 */
static bool kiter_starts(const struct viz_store *st, const struct vs_event *e)
{
	const struct vs_kiter *k = &st->kiter;
	const size_t caller_len = sizeof(((struct viz_iter *)NULL)->caller) - 1;

	return !k->seen || k->ended || k->ino != e->ino || k->flags != vs_u64(st, e, "flags") ||
	       strncmp(k->caller, vs_str(st, e, "caller"), caller_len) != 0 ||
	       vs_u64(st, e, "pos") < k->pos;
}

/* Remember kernel iomap_iter / dstmap @e, now committed, for kiter_starts(). */
static void kiter_note(struct viz_store *st, const struct vs_event *e)
{
	struct vs_kiter *k = &st->kiter;

	if (e->kind == VK_DSTMAP) {
		k->ended = false;
		return;
	}
	k->seen = true;
	k->ended = vs_u64(st, e, "length") == 0;
	k->ino = e->ino;
	k->pos = vs_u64(st, e, "pos");
	k->flags = vs_u64(st, e, "flags");
	k->caller = vs_str(st, e, "caller");
}

int vs_append_raw(struct viz_store *st, const struct trace_event *ev, const char *raw)
{
	bool starts_op;
	struct vs_event *e;

	if (grow((void **)&st->ev, &st->cap_ev, st->nr_ev + 1, sizeof(*st->ev)) < 0)
		return -ENOMEM;
	/* raw[] has its own capacity: a failed grow leaves both arrays valid. */
	if (st->src == VIZ_SRC_KERNEL &&
	    grow((void **)&st->raw, &st->cap_raw, st->nr_ev + 1, sizeof(*st->raw)) < 0)
		return -ENOMEM;
	if (grow((void **)&st->fields, &st->cap_fields, st->nr_fields + ev->nfields,
		 sizeof(*st->fields)) < 0)
		return -ENOMEM;
	e = &st->ev[st->nr_ev];
	memset(e, 0, sizeof(*e));
	e->seq = ev->seq;
	e->ts_ns = ev->ts_ns;
	e->ino = ev->ino;
	e->dev = ev->dev;
	e->tid = ev->tid;
	e->task = vs_intern(st, ev->task, ev->task ? strlen(ev->task) : 0);
	e->name = vs_intern(st, ev->name, ev->name ? strlen(ev->name) : 0);
	if (e->task == UINT32_MAX || e->name == UINT32_MAX)
		return -ENOMEM;
	e->kind = st->str_kind[e->name];
	e->field0 = (uint32_t)st->nr_fields;
	for (unsigned i = 0; i < ev->nfields && i < TRACE_MAX_FIELDS; i++) {
		const struct trace_field *f = &ev->f[i];
		struct vs_field *vf = &st->fields[st->nr_fields + i];

		vf->key = vs_intern(st, f->key, f->key ? strlen(f->key) : 0);
		vf->kind = f->kind;
		if (f->kind == TF_STR) {
			uint32_t id = vs_intern(st, f->v.str, f->v.str ? strlen(f->v.str) : 0);

			if (id == UINT32_MAX)
				return -ENOMEM;
			vf->v = id;
		} else {
			vf->v = f->v.u;
		}
		if (vf->key == UINT32_MAX)
			return -ENOMEM;
		e->nfields++;
	}
	if (st->src == VIZ_SRC_KERNEL) {
		st->raw[st->nr_ev] = raw ? vs_copy(st, raw, strlen(raw)) : NULL;
		if (raw && !st->raw[st->nr_ev])
			return -ENOMEM;
	}
	starts_op = e->kind == VK_OP_BEGIN ||
		    (st->src == VIZ_SRC_KERNEL && e->kind == VK_ITER && kiter_starts(st, e));
	if (starts_op &&
	    index_push(&st->op_begin, &st->nr_op_begin, &st->cap_op_begin, st->nr_ev) < 0)
		return -ENOMEM;
	if (e->kind == VK_OP_END &&
	    index_push(&st->op_end, &st->nr_op_end, &st->cap_op_end, st->nr_ev) < 0)
		return -ENOMEM;
	/* Commit only now: a failure above leaves the store as it was. */
	st->nr_fields += e->nfields;
	st->nr_ev++;
	if (st->src == VIZ_SRC_KERNEL && (e->kind == VK_ITER || e->kind == VK_DSTMAP))
		kiter_note(st, e);
	return 0;
}

/* Index of the first op_begin[] entry > @i. */
static size_t op_begin_upper(const struct viz_store *st, size_t i)
{
	size_t lo = 0, hi = st->nr_op_begin;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (st->op_begin[mid] <= i)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

bool vs_starts_op(const struct viz_store *st, size_t i)
{
	size_t at = op_begin_upper(st, i);

	return at > 0 && st->op_begin[at - 1] == i;
}

size_t vs_next_op_start(const struct viz_store *st, size_t i)
{
	size_t at = op_begin_upper(st, i);

	return at < st->nr_op_begin ? st->op_begin[at] : st->nr_ev;
}

int viz_store_append(struct viz_store *st, const struct trace_event *ev)
{
	return vs_append_raw(st, ev, NULL);
}

/*
 * trace_sink_free() frees sink->priv, so priv cannot point at the store:
 * it points at this wrapper, which holds the sink and the store.
 */
struct store_sink {
	struct trace_sink sink;
	struct viz_store *st;
};

static void sink_emit(struct trace_sink *sink, const struct trace_event *ev)
{
	struct store_sink *ss = sink->priv;

	/* On ENOMEM the event is lost; the stream cannot be stopped from here. */
	(void)viz_store_append(ss->st, ev);
}

struct trace_sink *viz_store_sink_new(struct viz_store *st)
{
	struct store_sink *ss = calloc(1, sizeof(*ss));

	if (!ss)
		return NULL;
	ss->st = st;
	ss->sink.emit = sink_emit;
	ss->sink.priv = ss;
	return &ss->sink;
}

size_t viz_store_lost_events(const struct viz_store *st)
{
	return st ? st->nr_lost : 0;
}

const char *viz_store_warning(const struct viz_store *st)
{
	return st && st->warning[0] ? st->warning : NULL;
}

size_t viz_store_count(const struct viz_store *st)
{
	return st ? st->nr_ev : 0;
}

enum viz_source viz_store_source(const struct viz_store *st)
{
	return st->src;
}

int viz_store_get(const struct viz_store *st, size_t i, struct trace_event *ev)
{
	const struct vs_event *e;

	if (!st || i >= st->nr_ev)
		return -ERANGE;
	e = &st->ev[i];
	memset(ev, 0, sizeof(*ev));
	ev->seq = e->seq;
	ev->ts_ns = e->ts_ns;
	ev->tid = e->tid;
	ev->task = st->strs[e->task];
	ev->name = st->strs[e->name];
	ev->dev = e->dev;
	ev->ino = e->ino;
	ev->nfields = e->nfields;
	for (unsigned k = 0; k < e->nfields; k++) {
		const struct vs_field *vf = &st->fields[e->field0 + k];

		ev->f[k].key = st->strs[vf->key];
		ev->f[k].kind = (enum trace_field_kind)vf->kind;
		if (vf->kind == TF_STR)
			ev->f[k].v.str = st->strs[vf->v];
		else
			ev->f[k].v.u = vf->v;
	}
	return 0;
}

const char *viz_store_name(const struct viz_store *st, size_t i)
{
	if (!st || i >= st->nr_ev)
		return "";
	return st->strs[st->ev[i].name];
}

static const struct vs_field *vs_field(const struct viz_store *st, const struct vs_event *e,
				       const char *key)
{
	for (unsigned k = 0; k < e->nfields; k++) {
		const struct vs_field *vf = &st->fields[e->field0 + k];

		const char *kt = st->strs[vf->key];

		/* The first byte settles most misses without a call. */
		if (kt[0] == key[0] && strcmp(kt, key) == 0)
			return vf;
	}
	return NULL;
}

uint64_t vs_u64(const struct viz_store *st, const struct vs_event *e, const char *key)
{
	const struct vs_field *vf = vs_field(st, e, key);

	return vf && vf->kind != TF_STR ? vf->v : 0;
}

int64_t vs_s64(const struct viz_store *st, const struct vs_event *e, const char *key)
{
	return (int64_t)vs_u64(st, e, key);
}

const char *vs_str(const struct viz_store *st, const struct vs_event *e, const char *key)
{
	const struct vs_field *vf = vs_field(st, e, key);

	return vf && vf->kind == TF_STR ? st->strs[vf->v] : "";
}

int viz_store_format(const struct viz_store *st, size_t i, char *buf, size_t len)
{
	const struct vs_event *e;
	size_t n;
	int r;

	if (!st || i >= st->nr_ev)
		return -ERANGE;
	if (!len)
		return 0;
	e = &st->ev[i];
	r = snprintf(buf, len, "#%zu %s", i, st->strs[e->name]);
	n = r < 0 ? 0 : (size_t)r;
	if (e->ino && n < len) {
		r = snprintf(buf + n, len - n, " ino 0x%llx", (unsigned long long)e->ino);
		n += r < 0 ? 0 : (size_t)r;
	}
	for (unsigned k = 0; k < e->nfields && n < len; k++) {
		const struct vs_field *vf = &st->fields[e->field0 + k];
		const char *key = st->strs[vf->key];

		if (vf->kind == TF_STR)
			r = snprintf(buf + n, len - n, " %s=\"%s\"", key, st->strs[vf->v]);
		else if (vf->kind == TF_S64)
			r = snprintf(buf + n, len - n, " %s=%lld", key, (long long)(int64_t)vf->v);
		else
			r = snprintf(buf + n, len - n, " %s=0x%llx", key, (unsigned long long)vf->v);
		n += r < 0 ? 0 : (size_t)r;
	}
	return (int)(n < len ? n : len - 1);
}

int viz_store_kernel_text(const struct viz_store *st, size_t i, char *buf, size_t len)
{
	char text[1024];
	struct trace_event ev;
	int n;

	if (!st || i >= st->nr_ev)
		return -ERANGE;
	if (st->src == VIZ_SRC_KERNEL) {
		if (!st->raw[i])
			return -ENOENT;
		return vk_normalise(st->raw[i], buf, len);
	}
	viz_store_get(st, i, &ev);
	n = snprintf(text, sizeof(text), "%s: ", ev.name);
	if (ftrace_format_event(&ev, text + n, sizeof(text) - (size_t)n) < 0)
		return -ENOENT;
	return vk_normalise(text, buf, len);
}

/* The next kernel-visible event at or after *i; false at the end. */
static bool next_visible(const struct viz_store *st, size_t *i, char *buf, size_t len)
{
	for (; *i < st->nr_ev; (*i)++)
		if (viz_store_kernel_text(st, *i, buf, len) >= 0)
			return true;
	return false;
}

int viz_store_diverge(const struct viz_store *a, const struct viz_store *b,
		      struct viz_divergence *out)
{
	char ta[1024], tb[1024];
	size_t ia = 0, ib = 0;

	memset(out, 0, sizeof(*out));
	for (;;) {
		bool ha = next_visible(a, &ia, ta, sizeof(ta));
		bool hb = next_visible(b, &ib, tb, sizeof(tb));

		if (!ha && !hb)
			break;
		if (!ha || !hb || strcmp(ta, tb) != 0) {
			/* One side ending first is a divergence too, but say which. */
			out->diverged = true;
			out->a_ended = !ha;
			out->b_ended = !hb;
			break;
		}
		out->nr_same++;
		ia++;
		ib++;
	}
	out->a_index = ia;
	out->b_index = ib;
	return 0;
}

/* ---- loading files ------------------------------------------------------ */

static int load_error(char *err, size_t errlen, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int load_error(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

static void chomp(char *line, ssize_t *n)
{
	while (*n > 0 && (line[*n - 1] == '\n' || line[*n - 1] == '\r'))
		line[--*n] = '\0';
}

int viz_store_load_file(const char *path, struct viz_store **out, char *err, size_t errlen)
{
	struct recording_arena *arena = NULL;
	struct viz_store *st = NULL;
	char msg[256];
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	bool recording = false;
	ssize_t n;
	FILE *f;
	int ret = 0;

	*out = NULL;
	if (err && errlen)
		err[0] = '\0';
	f = fopen(path, "r");
	if (!f) {
		ret = errno == ENOENT ? -ENOENT : errno == EACCES ? -EACCES : -EIO;
		return load_error(err, errlen, ret, "%s: %s", path, strerror(-ret));
	}
	while ((n = getline(&line, &cap, f)) >= 0) {
		/* getline() returns a last line without its '\n' only at EOF. */
		bool unterminated = n == 0 || line[n - 1] != '\n';

		lineno++;
		chomp(line, &n);
		if (lineno == 1)
			recording = strncmp(line, RECORDING_MAGIC, strlen(RECORDING_MAGIC)) == 0;
		if (recording && unterminated) {
			/* The recording sink ends every line: this one was cut short. */
			ret = load_error(err, errlen, -EINVAL,
					 "%s:%zu: truncated line (no newline at end of file)", path,
					 lineno);
			goto out;
		}
		if (lineno == 1) {
			st = viz_store_new(recording ? VIZ_SRC_REFERENCE : VIZ_SRC_KERNEL);
			arena = malloc(sizeof(*arena));
			if (!st || !arena) {
				ret = load_error(err, errlen, -ENOMEM, "%s: out of memory", path);
				goto out;
			}
			if (recording) {
				if (recording_check_header(line, msg, sizeof(msg)) < 0) {
					ret = load_error(err, errlen, -EINVAL, "%s:%zu: %s", path,
							 lineno, msg);
					goto out;
				}
				continue;
			}
		}
		if (recording) {
			struct trace_event ev;

			if (line[0] == '#')
				continue;
			if (recording_parse_line(line, &ev, arena, msg, sizeof(msg)) < 0) {
				ret = load_error(err, errlen, -EINVAL, "%s:%zu: %s", path, lineno,
						 msg);
				goto out;
			}
			if (viz_store_append(st, &ev) < 0) {
				ret = load_error(err, errlen, -ENOMEM, "%s:%zu: out of memory", path,
						 lineno);
				goto out;
			}
		} else {
			int r = vk_parse_line(st, line, msg, sizeof(msg));

			if (r == -EINVAL && unterminated && lineno > 1) {
				/* A capture stopped mid-line: keep what came before. */
				snprintf(st->warning, sizeof(st->warning),
					 "%.256s:%zu: last line has no newline and does not parse: "
					 "dropped (%s)", path, lineno, msg);
				break;
			}
			if (r < 0) {
				ret = load_error(err, errlen, r, "%s:%zu: %s", path, lineno,
						 r == -ENOMEM ? "out of memory" : msg);
				goto out;
			}
		}
	}
	if (ferror(f)) {
		int e = errno ? errno : EIO;

		/* fopen() of a directory succeeds; reading it says EISDIR */
		ret = load_error(err, errlen, e == EISDIR ? -EISDIR : -EIO, "%s: %s", path,
				 strerror(e));
		goto out;
	}
	if (lineno == 0) {
		ret = load_error(err, errlen, -EINVAL,
				 "%s:1: empty file (not a recording or a kernel trace)", path);
		goto out;
	}
out:
	free(line);
	free(arena);
	fclose(f);
	if (ret < 0) {
		viz_store_free(st);
		return ret;
	}
	*out = st;
	return 0;
}
