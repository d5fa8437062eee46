/**
 * @file model-internal.h
 * @brief Private glue between the four files of viz/model: the store's
 *        compact layout (store.c), the kernel-text parser (ktrace.c), the
 *        fold (fold.c) and the checkpointing model (model.c).
 *
 * Nothing outside viz/model includes this file; the public contract is
 * viz-model.h.  The layout is exposed here only so that the fold can read
 * events without materialising a ::trace_event for each.
 *
 * Storage (one store):
 *
 *     strs[id]  ----> "iomap_iter"      interned, in never-moving chunks,
 *                     "pos", "WRITE"... so pointers stay valid while the
 *                                       store grows (live runs)
 *     ev[i]  = { seq ts ino dev tid task name kind field0 nfields }
 *     fields[ev[i].field0 .. + nfields] = { key-id, kind, value-or-str-id }
 *     raw[i] (kernel stores only): the tracefs text "EVENT: body"
 *
 * Not thread safe; see viz-model.h.
 */
#ifndef VIZ_MODEL_INTERNAL_H
#define VIZ_MODEL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "viz-model.h"

/** The events the fold knows, decided once per interned name (store.c). */
enum vs_kind {
	VK_OTHER = 0,          /**< an event the fold ignores */
	VK_OP_BEGIN,           /**< op_begin */
	VK_OP_END,             /**< op_end */
	VK_ITER,               /**< iomap_iter */
	VK_DSTMAP,             /**< iomap_iter_dstmap */
	VK_SRCMAP,             /**< iomap_iter_srcmap */
	VK_FS_BEGIN,           /**< fs_iomap_begin */
	VK_FS_BEGIN_DONE,      /**< fs_iomap_begin_done */
	VK_FS_END,             /**< fs_iomap_end */
	VK_ADD_TO_IOEND,       /**< iomap_add_to_ioend */
	VK_WRITEBACK_FOLIO,    /**< iomap_writeback_folio */
	VK_RELEASE_FOLIO,      /**< iomap_release_folio */
	VK_INVALIDATE_FOLIO,   /**< iomap_invalidate_folio */
	VK_FOLIO_ADD,          /**< folio_add */
	VK_FOLIO_REMOVE,       /**< folio_remove */
	VK_FOLIO_FLAGS,        /**< folio_flags */
	VK_FOLIO_STATE,        /**< folio_state */
	VK_IOEND_NEW,          /**< ioend_new */
	VK_IOEND_GROW,         /**< ioend_grow */
	VK_IOEND_SUBMIT,       /**< ioend_submit */
	VK_IOEND_COMPLETE,     /**< ioend_complete */
	VK_IOEND_MERGE,        /**< ioend_merge */
	VK_IOEND_FINISH,       /**< ioend_finish */
	VK_BIO_SUBMIT,         /**< bio_submit */
	VK_BIO_COMPLETE,       /**< bio_complete */
	VK_DIO_BIO,            /**< dio_bio */
	VK_DIO_END_IO,         /**< dio_end_io */
	VK_WORK_QUEUE,         /**< work_queue */
	VK_WORK_START,         /**< work_start */
	VK_WORK_END,           /**< work_end */
	VK_LOCK_ACQUIRE,       /**< lock_acquire */
	VK_LOCK_CONTENDED,     /**< lock_contended */
	VK_LOCK_ACQUIRED,      /**< lock_acquired */
	VK_LOCK_RELEASE,       /**< lock_release */
	VK_LOCKDEP_INVERSION,  /**< lockdep_inversion */
};

/** One field in the store's pool. */
struct vs_field {
	uint64_t v;    /**< TF_U64 / TF_S64 bits, or the string id for TF_STR */
	uint32_t key;  /**< string id of the key */
	uint32_t kind; /**< enum trace_field_kind */
};

/** One event in the store. */
struct vs_event {
	uint64_t seq;     /**< sequence number as given */
	uint64_t ts_ns;   /**< timestamp */
	uint64_t ino;     /**< inode, 0 if none */
	uint32_t dev;     /**< kdev_t of the superblock */
	int32_t tid;      /**< thread id (the pid in a kernel trace) */
	uint32_t task;    /**< string id of the thread name */
	uint32_t name;    /**< string id of the event name */
	uint32_t field0;  /**< its first field in viz_store::fields */
	uint16_t nfields; /**< number of fields */
	uint16_t kind;    /**< ::vs_kind of the name */
};

struct vs_chunk;

/**
 * Kernel stores: the last iomap_iter appended, for vs_iter_starts_op().
 * Updated only when an event is committed.
 */
struct vs_kiter {
	bool seen;      /**< an iomap_iter was appended */
	bool ended;     /**< it had length 0 and no iomap_iter_dstmap followed */
	uint64_t ino;   /**< its inode */
	uint64_t pos;   /**< its pos */
	uint64_t flags; /**< its flags */
	const char *caller; /**< its caller (vs_str(): lives as long as the store) */
};

/** The store; see the picture at the top of this file. */
struct viz_store {
	enum viz_source src;      /**< where the events came from */
	struct vs_chunk *chunks;  /**< string storage, never moved */
	const char **strs;        /**< interned strings by id */
	uint16_t *str_kind;       /**< ::vs_kind of each string used as an event name */
	size_t nr_strs;           /**< strings interned */
	size_t cap_strs;          /**< room in strs[] */
	uint32_t *hash;           /**< open addressing table: id + 1, 0 = empty */
	size_t hash_cap;          /**< slots in hash[], a power of two */
	struct vs_event *ev;      /**< the events */
	size_t nr_ev;             /**< number of events */
	size_t cap_ev;            /**< room in ev[] */
	struct vs_field *fields;  /**< the field pool */
	size_t nr_fields;         /**< fields used */
	size_t cap_fields;        /**< room in fields[] */
	const char **raw;         /**< kernel stores: "EVENT: body" of each event */
	size_t cap_raw;           /**< room in raw[] */
	size_t *op_begin;         /**< indexes of the op_begin events; in kernel
				       stores (no op_begin) of the iomap_iter
				       events that start an iteration, which is
				       an operation there (vs_append_raw()) */
	size_t *op_end;           /**< indexes of the op_end events */
	size_t nr_op_begin;       /**< entries in op_begin[] */
	size_t cap_op_begin;      /**< room in op_begin[] */
	size_t nr_op_end;         /**< entries in op_end[] */
	size_t cap_op_end;        /**< room in op_end[] */
	struct vs_kiter kiter;    /**< kernel stores: the last iomap_iter */
	size_t nr_lost;           /**< kernel stores: sum of `[LOST M EVENTS]` */
	char warning[640];        /**< viz_store_warning(), "" if none */
};

/**
 * Intern a string.
 * @param st  store
 * @param s   the string (need not be NUL-terminated; NULL means "")
 * @param len its length
 * @return its id, or UINT32_MAX on ENOMEM
 */
uint32_t vs_intern(struct viz_store *st, const char *s, size_t len);
/**
 * Look a string up without interning it.
 * @param st store
 * @param s  the string
 * @return its id, or UINT32_MAX if the store never saw it
 */
uint32_t vs_lookup(const struct viz_store *st, const char *s);
/**
 * Copy bytes into the store's string chunks, NUL-terminated.
 * @param st  store
 * @param s   bytes
 * @param len how many
 * @return the copy (valid as long as the store), or NULL on ENOMEM
 */
const char *vs_copy(struct viz_store *st, const char *s, size_t len);
/**
 * Whether event @p i starts an operation: it is in the op_begin index (an
 * op_begin, or in a kernel store an iomap_iter that starts an iteration).
 * @param st store
 * @param i  event index
 * @return true if it does
 */
bool vs_starts_op(const struct viz_store *st, size_t i);
/**
 * The first event after @p i that starts an operation (vs_starts_op()).
 * @param st store
 * @param i  event index
 * @return its index, or viz_store_count() if there is none
 */
size_t vs_next_op_start(const struct viz_store *st, size_t i);

/**
 * viz_store_append() that also keeps the event's kernel text.
 * @param st  store
 * @param ev  event
 * @param raw "EVENT: body" for kernel stores, or NULL
 * @return 0 or -ENOMEM (the store is then unchanged)
 */
int vs_append_raw(struct viz_store *st, const struct trace_event *ev, const char *raw);

/**
 * An unsigned field of a stored event.
 * @param st store @param e event @param key field name
 * @return its value, 0 if absent or a string
 */
uint64_t vs_u64(const struct viz_store *st, const struct vs_event *e, const char *key);
/**
 * A signed field of a stored event.
 * @param st store @param e event @param key field name
 * @return its value, 0 if absent or a string
 */
int64_t vs_s64(const struct viz_store *st, const struct vs_event *e, const char *key);
/**
 * A string field of a stored event.
 * @param st store @param e event @param key field name
 * @return its value, "" if absent or a number
 */
const char *vs_str(const struct viz_store *st, const struct vs_event *e, const char *key);

/**
 * Parse one line of kernel trace text (ktrace.c) and append its event.
 * @param st     a kernel store
 * @param line   the line, without its newline
 * @param err    the problem, for -EINVAL
 * @param errlen size of @p err
 * @return 1 appended, 0 skipped (comment, report header, non-iomap
 *         event), -EINVAL, or -ENOMEM
 */
int vk_parse_line(struct viz_store *st, const char *line, char *err, size_t errlen);
/**
 * Normalise "EVENT: body" as tests/xcheck/normalize.sh -m does (ktrace.c).
 * @param text the event's tracefs text without the task/cpu/time prefix
 * @param buf  output
 * @param len  size of @p buf
 * @return characters written
 */
int vk_normalise(const char *text, char *buf, size_t len);

/**
 * A new state at step 0 (fold.c).
 * @param src the store's source (sets viz_state_lacks())
 * @return the state, or NULL on ENOMEM
 */
struct viz_state *vf_state_new(enum viz_source src);
/** Free a state (NULL is allowed). @param s state */
void vf_state_free(struct viz_state *s);
/**
 * Make @p dst an exact copy of @p src (a checkpoint, or a restore).
 * @param dst destination (its arrays are reused)
 * @param src source
 * @return 0, or -ENOMEM (then @p dst is back at step 0)
 */
int vf_state_copy(struct viz_state *dst, const struct viz_state *src);
/** Back to step 0, keeping the allocations. @param s state */
void vf_state_reset(struct viz_state *s);
/**
 * Apply one event.
 * @param s  a state at step @p i
 * @param st the store
 * @param i  the event, < viz_store_count()
 * @return 0, or -ENOMEM (the state may then be half-changed: reset it)
 */
int vf_apply(struct viz_state *s, const struct viz_store *st, size_t i);

#endif /* VIZ_MODEL_INTERNAL_H */
