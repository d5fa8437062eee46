/**
 * @file ftrace.c
 * @brief The kernel-format sink: prints the events the kernel also has in
 *        the text format of tracefs `trace` on Linux 6.18.
 *
 * Each line has the shape of a tracefs line:
 *
 *     "%16s-%-7d [%03d] ..... %5llu.%06llu: EVENT: FIELDS"
 *     "        iomap-io-1001    [000] .....     1.000003: iomap_iter: dev 7:0 ino 0x83 ..."
 *
 * and FIELDS is printed with the same text as the TP_printk() of that event
 * in the kernel's fs/iomap/trace.h, so that `tests/xcheck/normalize.sh`
 * turns a reference trace and a kernel trace into comparable text.
 *
 * Two fields cannot mean the same thing as in the kernel:
 *   - `ops %ps` prints an address in the kernel.  The reference prints a
 *     stable fake address per ops table (0xffffffff82469a90 + 0x10 * n, in
 *     order of first appearance), so traces are reproducible.
 *   - `caller %pS` prints "function+offset/size" in the kernel.  The
 *     reference prints the name of the reference function that mirrors the
 *     kernel's (no offset: there is no meaningful one).
 * The normaliser removes both differences.
 *
 * Events the kernel has no tracepoint for are skipped here; the recording
 * sink keeps them.
 */
#include <stdlib.h>
#include <string.h>

#include <iomap/iomap.h>
#include <iomap/trace.h>

/** Most distinct ops tables one trace names. */
#define FTRACE_MAX_OPS 32

struct ftrace_sink {
	struct trace_sink sink; /* first: trace_sink_free() frees priv */
	FILE *out;
	const char *ops_names[FTRACE_MAX_OPS];
	unsigned nr_ops;
};

static uint64_t fu(const struct trace_event *ev, const char *key)
{
	const struct trace_field *f = trace_field_get(ev, key);

	if (!f)
		return 0;
	return f->kind == TF_S64 ? (uint64_t)f->v.s : f->v.u;
}

static int64_t fs(const struct trace_event *ev, const char *key)
{
	const struct trace_field *f = trace_field_get(ev, key);

	if (!f)
		return 0;
	return f->kind == TF_U64 ? (int64_t)f->v.u : f->v.s;
}

static const char *fstr(const struct trace_event *ev, const char *key)
{
	const struct trace_field *f = trace_field_get(ev, key);

	return f && f->kind == TF_STR ? f->v.str : "";
}

/* "dev %d:%d ino 0x%llx" — the head every iomap event starts with. */
static int fmt_head(const struct trace_event *ev, char *buf, size_t len)
{
	return snprintf(buf, len, "dev %u:%u ino 0x%llx", MAJOR(ev->dev), MINOR(ev->dev),
			(unsigned long long)ev->ino);
}

static int fmt_map(const struct trace_event *ev, char *buf, size_t len, bool with_pos)
{
	char fl[128];
	kdev_t bdev = (kdev_t)fu(ev, "bdev");
	unsigned type = (unsigned)fu(ev, "type");
	unsigned flags = (unsigned)fu(ev, "flags");
	int n = fmt_head(ev, buf, len);

	n += snprintf(buf + n, len > (size_t)n ? len - n : 0, " bdev %u:%u", MAJOR(bdev),
		      MINOR(bdev));
	if (with_pos)
		n += snprintf(buf + n, len > (size_t)n ? len - n : 0, " pos 0x%llx dirty len 0x%llx",
			      (unsigned long long)fu(ev, "pos"),
			      (unsigned long long)fu(ev, "dirty_len"));
	n += snprintf(buf + n, len > (size_t)n ? len - n : 0,
		      " addr 0x%llx offset 0x%llx length 0x%llx type %s (0x%x) flags %s (0x%x)",
		      (unsigned long long)fu(ev, "addr"), (unsigned long long)fu(ev, "offset"),
		      (unsigned long long)fu(ev, "length"), iomap_type_name(type), type,
		      iomap_f_flags_str(flags, fl, sizeof(fl)), flags);
	return n;
}

static int fmt_iter(const struct trace_event *ev, char *buf, size_t len, uint64_t ops_addr)
{
	char fl[128];
	unsigned flags = (unsigned)fu(ev, "flags");
	int n = fmt_head(ev, buf, len);

	n += snprintf(buf + n, len > (size_t)n ? len - n : 0,
		      " pos 0x%llx length 0x%llx status %d flags %s (0x%x) ops 0x%llx caller %s",
		      (unsigned long long)fu(ev, "pos"), (unsigned long long)fu(ev, "length"),
		      (int)fs(ev, "status"), iomap_flags_str(flags, fl, sizeof(fl)), flags,
		      (unsigned long long)ops_addr, fstr(ev, "caller"));
	return n;
}

static int fmt_range(const struct trace_event *ev, char *buf, size_t len)
{
	int n = fmt_head(ev, buf, len);

	n += snprintf(buf + n, len > (size_t)n ? len - n : 0,
		      " size 0x%llx offset 0x%llx length 0x%llx",
		      (unsigned long long)fu(ev, "size"), (unsigned long long)fu(ev, "offset"),
		      (unsigned long long)fu(ev, "length"));
	return n;
}

/* The kernel events of fs/iomap/trace.h in 6.18, by print class. */
enum ftrace_class { FC_NONE, FC_ITER, FC_MAP, FC_IOEND, FC_RANGE, FC_READPAGE, FC_DIO_BEGIN,
		    FC_DIO_COMPLETE };

static enum ftrace_class ftrace_class_of(const char *name)
{
	static const struct {
		const char *name;
		enum ftrace_class cls;
	} table[] = {
		{ "iomap_iter", FC_ITER },
		{ "iomap_iter_dstmap", FC_MAP },
		{ "iomap_iter_srcmap", FC_MAP },
		{ "iomap_add_to_ioend", FC_IOEND },
		{ "iomap_writeback_folio", FC_RANGE },
		{ "iomap_release_folio", FC_RANGE },
		{ "iomap_invalidate_folio", FC_RANGE },
		{ "iomap_dio_invalidate_fail", FC_RANGE },
		{ "iomap_dio_rw_queued", FC_RANGE },
		{ "iomap_zero_iter", FC_RANGE },
		{ "iomap_readpage", FC_READPAGE },
		{ "iomap_readahead", FC_READPAGE },
		{ "iomap_dio_rw_begin", FC_DIO_BEGIN },
		{ "iomap_dio_complete", FC_DIO_COMPLETE },
	};

	for (size_t i = 0; i < ARRAY_SIZE(table); i++)
		if (strcmp(table[i].name, name) == 0)
			return table[i].cls;
	return FC_NONE;
}

static int format_with_ops(const struct trace_event *ev, char *buf, size_t len,
			   uint64_t ops_addr)
{
	int n;

	switch (ftrace_class_of(ev->name)) {
	case FC_ITER:
		return fmt_iter(ev, buf, len, ops_addr);
	case FC_MAP:
		return fmt_map(ev, buf, len, false);
	case FC_IOEND:
		return fmt_map(ev, buf, len, true);
	case FC_RANGE:
		return fmt_range(ev, buf, len);
	case FC_READPAGE:
		n = fmt_head(ev, buf, len);
		return n + snprintf(buf + n, len > (size_t)n ? len - n : 0, " nr_pages %d",
				    (int)fs(ev, "nr_pages"));
	case FC_DIO_BEGIN:
		return snprintf(buf, len,
				"dev %u:%u ino 0x%llx size 0x%llx offset 0x%llx length 0x%llx "
				"done_before 0x%llx flags %s dio_flags %s aio %d",
				MAJOR(ev->dev), MINOR(ev->dev), (unsigned long long)ev->ino,
				(unsigned long long)fu(ev, "size"),
				(unsigned long long)fu(ev, "offset"),
				(unsigned long long)fu(ev, "length"),
				(unsigned long long)fu(ev, "done_before"), fstr(ev, "flags"),
				fstr(ev, "dio_flags"), (int)fs(ev, "aio"));
	case FC_DIO_COMPLETE:
		return snprintf(buf, len,
				"dev %u:%u ino 0x%llx size 0x%llx offset 0x%llx flags %s aio %d "
				"error %d ret %lld",
				MAJOR(ev->dev), MINOR(ev->dev), (unsigned long long)ev->ino,
				(unsigned long long)fu(ev, "size"),
				(unsigned long long)fu(ev, "offset"), fstr(ev, "flags"),
				(int)fs(ev, "aio"), (int)fs(ev, "error"),
				(long long)fs(ev, "ret"));
	case FC_NONE:
	default:
		return -1;
	}
}

int ftrace_format_event(const struct trace_event *ev, char *buf, size_t len)
{
	/* Without a sink there is no ops registry: number the ops table 0. */
	return format_with_ops(ev, buf, len, 0xffffffff82469a90ull);
}

static uint64_t ftrace_ops_addr(struct ftrace_sink *fsink, const char *name)
{
	unsigned i;

	for (i = 0; i < fsink->nr_ops; i++)
		if (strcmp(fsink->ops_names[i], name) == 0)
			break;
	if (i == fsink->nr_ops && fsink->nr_ops < FTRACE_MAX_OPS)
		fsink->ops_names[fsink->nr_ops++] = name; /* ops names are static storage */
	return 0xffffffff82469a90ull + 0x10ull * i;
}

static void ftrace_emit(struct trace_sink *sink, const struct trace_event *ev)
{
	struct ftrace_sink *fsink = (struct ftrace_sink *)sink->priv;
	char body[512];
	uint64_t ops_addr = 0;

	if (ftrace_class_of(ev->name) == FC_NONE)
		return;
	if (ftrace_class_of(ev->name) == FC_ITER)
		ops_addr = ftrace_ops_addr(fsink, fstr(ev, "ops"));
	if (format_with_ops(ev, body, sizeof(body), ops_addr) < 0)
		return;
	fprintf(fsink->out, "%16s-%-7d [%03d] ..... %5llu.%06llu: %s: %s\n",
		ev->task ? ev->task : "iomap-ref", 1000 + ev->tid, 0,
		(unsigned long long)(ev->ts_ns / 1000000000ull),
		(unsigned long long)((ev->ts_ns / 1000ull) % 1000000ull), ev->name, body);
}

static void ftrace_close(struct trace_sink *sink)
{
	fflush(((struct ftrace_sink *)sink->priv)->out);
}

struct trace_sink *ftrace_sink_new(FILE *out)
{
	struct ftrace_sink *fsink = calloc(1, sizeof(*fsink));

	if (!fsink)
		return NULL;
	fsink->out = out;
	fsink->sink.emit = ftrace_emit;
	fsink->sink.close = ftrace_close;
	fsink->sink.priv = fsink;
	return &fsink->sink;
}
