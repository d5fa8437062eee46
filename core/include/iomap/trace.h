/**
 * @file trace.h
 * @brief The event stream: every step of interest becomes one event, handed
 *        to every attached sink.
 *
 * An event is a name plus a short list of typed fields (key, value).  Event
 * names that the kernel also has (`iomap_iter`, `iomap_iter_dstmap`,
 * `iomap_iter_srcmap`, `iomap_zero_iter`, ...) carry the same fields as the
 * kernel's `fs/iomap/trace.h`, so the kernel-format sink can print them in
 * tracefs text.  Other events (`fs_iomap_begin`, `lock_acquire`,
 * `bio_submit`, `op_begin`, ...) exist only in the reference; the recording
 * sink keeps all of them for the visualiser.  docs/EVENTS.md lists every
 * event and its fields.
 *
 * Cost when nobody listens: callers test trace_enabled() (one load and one
 * predictable branch) before they build an event.
 *
 * Ordering: each event gets a sequence number from one global counter, taken
 * under the stream lock, and sinks are called under that lock, so every sink
 * sees the same total order.  In deterministic mode the timestamp is derived
 * from the sequence number (1 µs per event), which makes traces reproducible
 * byte for byte; in concurrent mode it is CLOCK_MONOTONIC.
 */
#ifndef IOMAP_TRACE_H
#define IOMAP_TRACE_H

#include <stdio.h>

#include "types.h"

/** Kind of value a ::trace_field carries. */
enum trace_field_kind {
	TF_U64 = 0, /**< unsigned, printed in hex by default */
	TF_S64 = 1, /**< signed decimal */
	TF_STR = 2, /**< string (copied by sinks that keep it) */
};

/** One (key, value) pair of an event. */
struct trace_field {
	const char *key;            /**< field name, static storage */
	enum trace_field_kind kind; /**< which member of the union is valid */
	union {
		uint64_t u;          /**< TF_U64 */
		int64_t s;           /**< TF_S64 */
		const char *str;     /**< TF_STR */
	} v;                        /**< the value */
};

/** Most fields one event may carry. */
#define TRACE_MAX_FIELDS 16

/** One event. Built on the stack by the emitter; sinks copy what they keep. */
struct trace_event {
	uint64_t seq;          /**< global sequence number, from 0 */
	uint64_t ts_ns;        /**< timestamp in nanoseconds */
	int tid;               /**< ref_thread_id() of the emitter */
	const char *task;      /**< ref_thread_name() of the emitter */
	const char *name;      /**< event name, static storage */
	kdev_t dev;            /**< superblock device, 0 if none */
	uint64_t ino;          /**< inode number, 0 if none */
	unsigned nfields;      /**< number of valid entries in @c f */
	struct trace_field f[TRACE_MAX_FIELDS]; /**< the fields */
};

/** A consumer of events. */
struct trace_sink {
	/** Called for each event, under the stream lock. */
	void (*emit)(struct trace_sink *sink, const struct trace_event *ev);
	/** Called by trace_remove_sink(); may be NULL. */
	void (*close)(struct trace_sink *sink);
	void *priv;              /**< sink-private state */
	struct trace_sink *next; /**< list link, owned by the stream */
};

/** Number of sinks attached; read by trace_enabled(). */
extern int trace_nr_sinks;

/**
 * Whether any sink listens.  Emitters call this before building an event.
 * @return true if at least one sink is attached
 */
static inline bool trace_enabled(void)
{
	return unlikely(__atomic_load_n(&trace_nr_sinks, __ATOMIC_RELAXED) != 0);
}

/**
 * Attach @p sink; it sees every event emitted from now on.
 * @param sink the sink (caller-owned, must stay valid until removed)
 */
void trace_add_sink(struct trace_sink *sink);
/**
 * Detach @p sink and call its close hook.
 * @param sink a sink previously attached
 */
void trace_remove_sink(struct trace_sink *sink);

/**
 * Start an event: fill name, thread, sequence fields are filled by
 * trace_emit().  Use with trace_u64() / trace_s64() / trace_str().
 * @param ev    event to initialise
 * @param name  event name (static storage)
 * @param dev   superblock device or 0
 * @param ino   inode number or 0
 */
void trace_event_init(struct trace_event *ev, const char *name, kdev_t dev, uint64_t ino);
/** Append an unsigned field. @param ev event @param key name @param v value */
void trace_u64(struct trace_event *ev, const char *key, uint64_t v);
/** Append a signed field. @param ev event @param key name @param v value */
void trace_s64(struct trace_event *ev, const char *key, int64_t v);
/** Append a string field. @param ev event @param key name @param v value (NULL = "") */
void trace_str(struct trace_event *ev, const char *key, const char *v);
/**
 * Look a field up by key.
 * @param ev  event
 * @param key field name
 * @return the field, or NULL if absent
 */
const struct trace_field *trace_field_get(const struct trace_event *ev, const char *key);
/**
 * Stamp @p ev with sequence number, time and thread, and hand it to every sink.
 * @param ev a filled event
 */
void trace_emit(struct trace_event *ev);

/**
 * Emit an operation boundary (`op_begin` / `op_end`): what a user asked for,
 * e.g. "falloc 0 1m", so that the visualiser can group events.
 * @param begin  true for op_begin, false for op_end
 * @param text   the operation as typed
 * @param ret    result for op_end (ignored for op_begin)
 */
void trace_op(bool begin, const char *text, int64_t ret);

/**
 * Reset the sequence counter and the deterministic clock to zero (tests and
 * the shell call this at start so that each run numbers events from 0).
 */
void trace_reset_clock(void);

/**
 * @name Built-in sinks
 * @{
 */
/**
 * Create a sink that writes the kernel's tracefs text for the events the
 * kernel has (other events are skipped).  Lines look like
 * `          iomap-io-1000    [000] .....     1.000001: iomap_iter: dev 7:0 ...`.
 * @param out  stream to write to (not closed by the sink)
 * @return a new sink (free with trace_sink_free()), or NULL on ENOMEM
 */
struct trace_sink *ftrace_sink_new(FILE *out);
/**
 * Create a sink that writes the versioned recording format (docs/RECORDING.md)
 * with every event.
 * @param out  stream to write to (not closed by the sink)
 * @return a new sink, or NULL on ENOMEM
 */
struct trace_sink *recording_sink_new(FILE *out);
/**
 * Create a sink that keeps events in memory (for tests and the visualiser).
 * Strings are copied.  Read with trace_memsink_count() / trace_memsink_get().
 * @return a new sink, or NULL on ENOMEM
 */
struct trace_sink *trace_memsink_new(void);
/** @return number of events kept by a memory sink @param sink the sink */
size_t trace_memsink_count(struct trace_sink *sink);
/**
 * Event @p i kept by a memory sink.
 * @param sink a sink from trace_memsink_new()
 * @param i    index, < trace_memsink_count()
 * @return the event (owned by the sink), or NULL if out of range
 */
const struct trace_event *trace_memsink_get(struct trace_sink *sink, size_t i);
/** Free a sink created by one of the constructors above (detach it first). @param sink the sink */
void trace_sink_free(struct trace_sink *sink);
/**
 * Format one event the way the kernel-format sink does, without the
 * `TASK-PID [CPU] FLAGS TIMESTAMP: ` prefix.
 * @param ev   event
 * @param buf  output buffer
 * @param len  size of @p buf
 * @return number of characters written, or -1 if the kernel has no such event
 */
int ftrace_format_event(const struct trace_event *ev, char *buf, size_t len);
/** @} */

/**
 * @name Execution mode
 * @{
 */
/** How completions and deferred work run. */
enum kernel_exec_mode {
	/** Completions and work items run in a defined order on the calling
	 *  thread at defined points; traces are reproducible byte for byte. */
	EXEC_DETERMINISTIC = 0,
	/** Completions and work items run on their own real threads. */
	EXEC_CONCURRENT = 1,
};
/** @return the current execution mode */
enum kernel_exec_mode kernel_exec_mode(void);
/**
 * Choose the execution mode.  Call before creating block devices and
 * workqueues; they capture it at creation.
 * @param mode the mode
 */
void kernel_set_exec_mode(enum kernel_exec_mode mode);
/** @} */

#endif /* IOMAP_TRACE_H */
