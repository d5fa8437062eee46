/**
 * @file viz-model.h
 * @brief The visualiser's model: an event store and a pure fold over it.
 *        Plain C, no GTK, no cairo, no call into the iomap core.
 *
 * Three objects, in the order a program meets them:
 *
 *   - `struct viz_store` holds the events of one run: a reference recording
 *     (docs/RECORDING.md), the tracefs text of a real kernel (trace.raw,
 *     trace-cmd report text), or events appended live from a running
 *     scenario (viz_store_append(), or viz_store_sink_new()'s sink, which
 *     drops an event it has no memory for).  Events are kept compactly
 *     (interned strings, one field pool) so that a 1 000 000-event
 *     recording opens and indexes in well under two seconds.
 *   - `struct viz_model` folds the store's events into a `struct viz_state`.  *Step N*
 *     is the state after events 0..N-1 have been applied: step 0 is the
 *     empty state, step viz_store_count() the state after the last event.
 *     The state at step N is a function of events 0..N-1 only; stepping
 *     back restores the nearest checkpoint at or below the target and folds
 *     forward from there, so seeking to k gives the same state whichever
 *     way one arrives (tested).
 *   - `struct viz_state` is what the panels draw: the operation and its iterator
 *     calls, the mappings seen, the page cache (folios with per-block
 *     uptodate / dirty bits), ioends and their chains, bios, workqueue
 *     batches, locks held and waited for, lock-order reports, and the disk
 *     blocks each bio wrote.  It is read through the accessors below; a
 *     state is owned by its model and valid until the next seek.
 *
 * Kernel traces carry only the `iomap_*` tracepoints: the state then fills
 * the iterator and the parts those events imply, and viz_state_lacks()
 * names what the kernel trace cannot show, so a panel can say so.
 *
 * Threads: none of these objects locks; use each from one thread (the GTK
 * main loop).  viz_store_sink_new()'s sink is called under the trace stream
 * lock, from whichever thread emits, while the GUI is not reading the store.
 */
#ifndef VIZ_MODEL_H
#define VIZ_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <iomap/trace.h>

/* ------------------------------------------------------------------------ */
/** @name The event store
 * @{ */

/** Where a store's events came from. */
enum viz_source {
	VIZ_SRC_REFERENCE = 0, /**< the reference: a recording or a live run */
	VIZ_SRC_KERNEL = 1,    /**< tracefs / trace-cmd text of a real kernel */
};

struct viz_store;

/**
 * Create an empty store.
 * @param src where its events will come from
 * @return the store, or NULL on ENOMEM
 */
struct viz_store *viz_store_new(enum viz_source src);
/** Free a store (NULL is allowed). @param st the store */
void viz_store_free(struct viz_store *st);

/**
 * Open a file of events, deciding its kind from its first line: a
 * reference recording (RECORDING_MAGIC), or kernel tracefs text (lines
 * `TASK-PID [CPU] FLAGS TS: EVENT: ...`, with or without the `# tracer:`
 * header; events that are not `iomap_*` are skipped).
 * @param path   the file
 * @param out    the new store on success
 * @param err    on failure, a message naming the file, line and problem
 * @param errlen size of @p err
 * @return 0, -ENOENT / -EACCES / -EISDIR / -EIO (cannot read), -EINVAL (malformed:
 *         the first bad line is named, nothing is half-loaded), -ENOMEM
 */
int viz_store_load_file(const char *path, struct viz_store **out, char *err, size_t errlen);

/**
 * Append one event (strings are copied).
 * @param st the store
 * @param ev the event; its seq is kept as given
 * @return 0 or -ENOMEM
 */
int viz_store_append(struct viz_store *st, const struct trace_event *ev);

/**
 * A trace sink that appends every event it sees to @p st (for running a
 * scenario or a typed command live).  Detach it with trace_remove_sink(),
 * then free it with trace_sink_free().  An event the store has no memory
 * for is lost, since a sink cannot report an error: to see that, append
 * with viz_store_append() from your own sink (as viz/scenarios/run.c does).
 * @param st the store (must outlive the sink)
 * @return the sink, or NULL on ENOMEM
 */
struct trace_sink *viz_store_sink_new(struct viz_store *st);

/** @return the number of events @param st the store */
size_t viz_store_count(const struct viz_store *st);
/** @return where the events came from @param st the store */
enum viz_source viz_store_source(const struct viz_store *st);

/**
 * Materialise event @p i as a ::trace_event.  Its strings point into the
 * store and stay valid as long as the store.
 * @param st the store
 * @param i  index, < viz_store_count()
 * @param ev output
 * @return 0, or -ERANGE
 */
int viz_store_get(const struct viz_store *st, size_t i, struct trace_event *ev);
/** @return the name of event @p i ("" if out of range) @param st store @param i index */
const char *viz_store_name(const struct viz_store *st, size_t i);

/**
 * One line describing event @p i for the event list, e.g.
 * `#42 iomap_iter ino 0x83 pos=0x0 length=0x10000 flags=0x1 ...`.
 * @param st  the store
 * @param i   index
 * @param buf output
 * @param len size of @p buf
 * @return characters written (truncated to fit), or -ERANGE
 */
int viz_store_format(const struct viz_store *st, size_t i, char *buf, size_t len);

/**
 * The event in the kernel's tracefs spelling, normalised as
 * tests/xcheck/normalize.sh does (no task, cpu, timestamp; dev, ino,
 * ops pointer and caller offset removed; non-null addr masked).  For
 * reference events the kernel has no tracepoint for, returns -ENOENT.
 * Used to find where a reference run and a kernel trace diverge.
 * @param st  the store
 * @param i   index
 * @param buf output
 * @param len size of @p buf
 * @return characters written, -ENOENT, or -ERANGE
 */
int viz_store_kernel_text(const struct viz_store *st, size_t i, char *buf, size_t len);

/** Result of viz_store_diverge(). */
struct viz_divergence {
	bool diverged;   /**< false: the kernel-visible events are identical */
	size_t a_index;  /**< index in store a of the first differing event (or count(a)) */
	size_t b_index;  /**< index in store b of the first differing event (or count(b)) */
	size_t nr_same;  /**< kernel-visible events that matched before it */
	bool a_ended;    /**< store a ran out first: all of its events matched a prefix of b */
	bool b_ended;    /**< store b ran out first: all of its events matched a prefix of a */
};
/**
 * Compare the kernel-visible events of two stores (viz_store_kernel_text()
 * of each, in order, skipping events that have none) and find the first
 * that differs, as a reviewer comparing a kernel trace with a reference
 * run of the same scenario wants.
 * @param a   first store (e.g. the kernel trace)
 * @param b   second store (e.g. the reference run)
 * @param out result
 * @return 0 or -ENOMEM
 */
int viz_store_diverge(const struct viz_store *a, const struct viz_store *b,
		      struct viz_divergence *out);

/**
 * Kernel events a kernel trace says it lost: the sum of M over its
 * `CPU:N [LOST M EVENTS]` lines (the ring buffer overflowed there, so the
 * fold's picture around them may be incomplete).
 * @param st the store
 * @return the count, 0 for reference stores
 */
size_t viz_store_lost_events(const struct viz_store *st);
/**
 * A problem viz_store_load_file() worked around instead of failing, e.g.
 * "trace.raw:812: last line has no newline and does not parse: dropped
 * (...)".
 * @param st the store
 * @return the message, or NULL if there was none
 */
const char *viz_store_warning(const struct viz_store *st);
/** @} */

/* ------------------------------------------------------------------------ */
/** @name The state the panels draw
 * @{ */

/** Most blocks one folio may have (a 2 MiB folio of 512-byte blocks). */
#define VIZ_FOLIO_MAX_BLOCKS 4096

/** Folio flags, as `folio_state` / `folio_flags` spell them. */
enum viz_folio_flag {
	VIZ_FOLIO_UPTODATE = 1u << 0,  /**< "uptodate" */
	VIZ_FOLIO_DIRTY = 1u << 1,     /**< "dirty" */
	VIZ_FOLIO_LOCKED = 1u << 2,    /**< "locked" */
	VIZ_FOLIO_WRITEBACK = 1u << 3, /**< "writeback" */
};

/** One folio of the page cache (from folio_add / folio_state / folio_flags / folio_remove). */
struct viz_folio {
	uint64_t ino;          /**< host inode */
	uint64_t index;        /**< first page index (pos = index * 4096) */
	unsigned order;        /**< size = 4096 << order */
	unsigned nr_blocks;    /**< blocks known from folio_state (0 until one is seen) */
	unsigned flags;        /**< ::viz_folio_flag bits */
	size_t changed_step;   /**< step of the event that last changed it (for flashing) */
	char why[24];          /**< the last folio_state's why ("write", "read", ...) */
};

/** Where an ioend is in its life (ASCII diagram in viz/model/fold.c). */
enum viz_ioend_stage {
	VIZ_IOEND_BUILDING = 0,  /**< ioend_new / ioend_grow */
	VIZ_IOEND_SUBMITTED = 1, /**< ioend_submit */
	VIZ_IOEND_COMPLETED = 2, /**< ioend_complete: its bio ended */
	VIZ_IOEND_MERGED = 3,    /**< ioend_merge: joined another's chain */
	VIZ_IOEND_FINISHED = 4,  /**< ioend_finish: writeback ended, freed */
};

/** One ioend (from the ioend_* events). */
struct viz_ioend {
	uint64_t id;              /**< the `ioend` field */
	uint64_t ino;             /**< inode */
	uint64_t offset;          /**< file offset */
	uint64_t size;            /**< bytes */
	uint64_t sector;          /**< first disk sector */
	char flags[48];           /**< "SHARED|UNWRITTEN" subset, "" for none */
	int64_t error;            /**< 0 or -errno */
	enum viz_ioend_stage stage; /**< where it is */
	int64_t into;             /**< id of the chain head it merged into, -1 if none */
	unsigned nr_folios;       /**< from ioend_submit */
	int64_t bio;              /**< bio_submit id of its bio, -1 until known */
	size_t changed_step;      /**< step of its last change */
};

/** One bio (from bio_submit / bio_complete; dio_bio marks direct ones). */
struct viz_bio {
	uint64_t id;          /**< the `bio_submit` id */
	char op[16];          /**< "READ", "WRITE", "FLUSH", ... */
	uint64_t sector;      /**< first sector */
	uint64_t size;        /**< bytes */
	bool done;            /**< bio_complete seen */
	int64_t status;       /**< completion status */
	int64_t dio;          /**< owning dio id, or -1 */
	size_t changed_step;  /**< step of its last change */
};

/** A contiguous run of disk sectors last written or read by one bio. */
struct viz_disk_run {
	uint64_t sector;      /**< first sector */
	uint64_t nr_sectors;  /**< length in 512-byte sectors */
	uint64_t bio;         /**< the bio */
	bool write;           /**< written (true) or read (false) */
	bool done;            /**< the bio completed */
	int64_t status;       /**< 0, or the bio's error (-errno) once it completed with one */
	size_t changed_step;  /**< step it happened */
};

/** A mapping returned to the iterator (iomap_iter_dstmap / _srcmap). */
struct viz_mapping {
	uint64_t ino;      /**< inode */
	uint64_t offset;   /**< file offset */
	uint64_t length;   /**< bytes */
	uint64_t addr;     /**< disk address in bytes, or UINT64_MAX (IOMAP_NULL_ADDR) */
	unsigned type;     /**< IOMAP_HOLE (0) ... IOMAP_INLINE (4) */
	unsigned flags;    /**< IOMAP_F_* */
	size_t step;       /**< step it was returned */
};

/** One call from the iterator into the filesystem, or one iterator step. */
enum viz_call_kind {
	VIZ_CALL_ITER = 0,        /**< iomap_iter: pos / length / status */
	VIZ_CALL_BEGIN = 1,       /**< fs_iomap_begin (or, in a kernel trace, implied by a dstmap) */
	VIZ_CALL_BEGIN_DONE = 2,  /**< fs_iomap_begin_done */
	VIZ_CALL_END = 3,         /**< fs_iomap_end */
	VIZ_CALL_DSTMAP = 4,      /**< a dstmap came back */
	VIZ_CALL_SRCMAP = 5,      /**< a srcmap came back */
	VIZ_CALL_STALE = 6,       /**< the mapping went stale and was looked up again */
	VIZ_CALL_MAP_BLOCKS = 7,  /**< writeback's ->map_blocks answered (iomap_add_to_ioend):
				   *   pos / length are the dirty run, map the mapping */
};

/** One row of the iterator panel's history. */
struct viz_call {
	enum viz_call_kind kind;  /**< what happened */
	uint64_t ino;             /**< inode */
	uint64_t pos;             /**< pos (or mapping offset) */
	uint64_t length;          /**< length (or mapping length) */
	unsigned flags;           /**< IOMAP_WRITE ... (or IOMAP_F_* for maps) */
	int64_t ret;              /**< status / ret / written */
	char ops[48];             /**< the ops table name, or "" */
	char caller[32];          /**< iomap_iter caller, or "" */
	struct viz_mapping map;   /**< for DSTMAP / SRCMAP */
	size_t step;              /**< step of the event */
	bool inferred;            /**< not traced but implied (a kernel trace's BEGIN, from its
				   *   dstmap): pos / length are the iterator's, not the call's */
};

/** The iterator of the current operation. */
struct viz_iter {
	bool active;        /**< between the first iomap_iter and the one returning <= 0 */
	uint64_t ino;       /**< inode */
	uint64_t op_pos;    /**< start of the operation's range (first iomap_iter pos) */
	uint64_t op_length; /**< length of the operation's range */
	uint64_t pos;       /**< iter->pos now */
	uint64_t length;    /**< iter->len now */
	unsigned flags;     /**< IOMAP_* operation flags */
	char caller[32];    /**< kernel caller name */
	bool has_dstmap;    /**< a dstmap is current */
	struct viz_mapping dstmap; /**< the current mapping */
	bool has_srcmap;    /**< a srcmap is current (COW / unshare) */
	struct viz_mapping srcmap; /**< the current source mapping */
	unsigned nr_begin;  /**< ->iomap_begin calls in this operation */
	unsigned nr_stale;  /**< stale re-lookups in this operation */
};

/**
 * Lock states, each arrow named by the event that makes it (a
 * lock_acquired that finds no WAITING lock of that thread and instance is
 * counted in viz_state_nr_anomalies()):
 *
 *             lock_acquire               lock_acquired
 *   (none) --------------> WAITING ---------------------> HELD
 *                           |   ^                           |
 *            lock_contended |   | (stays WAITING,           | lock_release
 *                           +---+  contended = true)        v
 *                                                        (none)
 */
enum viz_lock_stage {
	VIZ_LOCK_WAITING = 0, /**< lock_acquire (or lock_contended) without lock_acquired yet */
	VIZ_LOCK_HELD = 1,    /**< lock_acquired */
};

/** One lock a thread holds or waits for. */
struct viz_lock {
	int tid;                  /**< thread */
	char task[16];            /**< thread name */
	char cls[32];             /**< lock class ("i_rwsem", "ilock", "folio_lock", ...) */
	char mode[12];            /**< "exclusive" / "shared" */
	uint64_t instance;        /**< lock instance id */
	int level;                /**< hierarchy level (0 = outermost) */
	enum viz_lock_stage stage;/**< held or waiting */
	bool contended;           /**< had to wait */
	size_t changed_step;      /**< step of its last change */
};

/** A lock class seen so far, with its level in the hierarchy. */
struct viz_lock_class {
	char name[32]; /**< class name */
	int level;     /**< level (lower = taken first) */
};

/** A lock-order report of the validator (lockdep_inversion). */
struct viz_inversion {
	char kind[16];         /**< "circular" / "recursive" */
	char established[64];  /**< the order seen first */
	char inverted[64];     /**< the order that broke it */
	size_t step;           /**< step of the report */
};

/**
 * Where a work item is (viz_work::stage).  The arrows name the event that
 * makes them; a work_start / work_end with no item in the stage before it
 * is counted in viz_state_nr_anomalies():
 *
 *            work_queue          work_start          work_end
 *   (none) -----------> QUEUED -----------> RUNNING ---------> DONE
 */
enum viz_work_stage {
	VIZ_WORK_QUEUED = 0,  /**< work_queue seen */
	VIZ_WORK_RUNNING = 1, /**< work_start seen */
	VIZ_WORK_DONE = 2,    /**< work_end seen */
};

/** A workqueue item (work_queue / work_start / work_end). */
struct viz_work {
	char wq[32];         /**< workqueue name */
	char func[48];       /**< work function */
	int stage;           /**< one ::viz_work_stage: 0 queued, 1 running, 2 done */
	size_t changed_step; /**< step of its last change */
};

/** What a kernel trace cannot show (viz_state_lacks()). */
enum viz_lack {
	VIZ_LACKS_NOTHING = 0,
	VIZ_LACKS_FOLIO_BITS = 1u << 0,  /**< per-block uptodate / dirty (no folio_state) */
	VIZ_LACKS_IOEND_CHAIN = 1u << 1, /**< ioend ids, merges, completion */
	VIZ_LACKS_LOCKS = 1u << 2,       /**< lock_* events */
	VIZ_LACKS_BIOS = 1u << 3,        /**< bio_* events, hence the disk panel */
	VIZ_LACKS_FS_CALLS = 1u << 4,    /**< fs_iomap_begin / _end (calls inferred from maps) */
};

struct viz_state;

/** @return the step this state is at @param s state */
size_t viz_state_step(const struct viz_state *s);
/** @return bits of ::viz_lack for the store's source @param s state */
unsigned viz_state_lacks(const struct viz_state *s);

/**
 * The operation the state is in.  After an op_end the text stays until
 * the next event; the events after an op_end that are not an op_begin
 * (writeback at unmount, ...) belong to no operation, so from the first of
 * them this is "" again and the per-operation parts (call history,
 * finished bios, works and ioends) start afresh.
 * @param s state
 * @return the text of the operation in progress or just finished ("" if none)
 */
const char *viz_state_op(const struct viz_state *s);
/** @return whether the operation is still running (op_begin without op_end) @param s state */
bool viz_state_op_active(const struct viz_state *s);
/** @return the op_end ret of the last finished operation @param s state */
int64_t viz_state_op_ret(const struct viz_state *s);
/** @return the number of op_begin events folded so far @param s state */
size_t viz_state_nr_ops(const struct viz_state *s);

/** @return the iterator of the current operation @param s state */
const struct viz_iter *viz_state_iter(const struct viz_state *s);
/** @return calls in the current operation's history @param s state */
size_t viz_state_nr_calls(const struct viz_state *s);
/** @return call @p i (oldest first), NULL if out of range @param s state @param i index */
const struct viz_call *viz_state_call(const struct viz_state *s, size_t i);

/**
 * The file's extent map as the mappings seen so far show it: for the
 * inode of the current iterator, the latest mapping returned for each
 * byte, sorted by offset, non-overlapping.  An ioend_finish without error
 * of an UNWRITTEN ioend converts what it covers to MAPPED (IOMAP_F_NEW
 * cleared), as the filesystem's end_io does on disk.
 * @param s state
 * @return number of mappings
 */
size_t viz_state_nr_mappings(const struct viz_state *s);
/** @return mapping @p i, NULL if out of range @param s state @param i index */
const struct viz_mapping *viz_state_mapping(const struct viz_state *s, size_t i);

/** @return folios in the page cache, sorted by (ino, index) @param s state */
size_t viz_state_nr_folios(const struct viz_state *s);
/** @return folio @p i, NULL if out of range @param s state @param i index */
const struct viz_folio *viz_state_folio(const struct viz_state *s, size_t i);
/**
 * Find a folio.
 * @param s     state
 * @param ino   inode
 * @param index page index of its first page
 * @return its position for viz_state_folio(), or -1
 */
long viz_state_find_folio(const struct viz_state *s, uint64_t ino, uint64_t index);
/** @return whether block @p blk of folio @p i is uptodate @param s state @param i folio @param blk block */
bool viz_folio_block_uptodate(const struct viz_state *s, size_t i, unsigned blk);
/** @return whether block @p blk of folio @p i is dirty @param s state @param i folio @param blk block */
bool viz_folio_block_dirty(const struct viz_state *s, size_t i, unsigned blk);
/** @return the step block @p blk of folio @p i last changed @param s state @param i folio @param blk block */
size_t viz_folio_block_changed(const struct viz_state *s, size_t i, unsigned blk);

/** @return ioends known (all stages; finished ones stay until the next operation) @param s state */
size_t viz_state_nr_ioends(const struct viz_state *s);
/** @return ioend @p i, in creation order, NULL if out of range @param s state @param i index */
const struct viz_ioend *viz_state_ioend(const struct viz_state *s, size_t i);

/** @return bios of the current operation, and bios still in flight from earlier ones @param s state */
size_t viz_state_nr_bios(const struct viz_state *s);
/** @return bio @p i, in submission order, NULL if out of range @param s state @param i index */
const struct viz_bio *viz_state_bio(const struct viz_state *s, size_t i);

/** @return disk runs touched so far, sorted by sector, non-overlapping @param s state */
size_t viz_state_nr_disk_runs(const struct viz_state *s);
/** @return disk run @p i, NULL if out of range @param s state @param i index */
const struct viz_disk_run *viz_state_disk_run(const struct viz_state *s, size_t i);

/** @return work items of the current operation, and unfinished ones from earlier ones @param s state */
size_t viz_state_nr_works(const struct viz_state *s);
/** @return work item @p i, NULL if out of range @param s state @param i index */
const struct viz_work *viz_state_work(const struct viz_state *s, size_t i);

/** @return locks held or waited for now @param s state */
size_t viz_state_nr_locks(const struct viz_state *s);
/** @return lock @p i, in acquisition order, NULL if out of range @param s state @param i index */
const struct viz_lock *viz_state_lock(const struct viz_state *s, size_t i);
/** @return lock classes seen so far, sorted by level, then by first acquisition @param s state */
size_t viz_state_nr_lock_classes(const struct viz_state *s);
/** @return class @p i, NULL if out of range @param s state @param i index */
const struct viz_lock_class *viz_state_lock_class(const struct viz_state *s, size_t i);
/** @return validator reports so far @param s state */
size_t viz_state_nr_inversions(const struct viz_state *s);
/** @return report @p i, NULL if out of range @param s state @param i index */
const struct viz_inversion *viz_state_inversion(const struct viz_state *s, size_t i);

/**
 * A digest of everything @p s holds except its step number: two states
 * reached by different paths (stepping forward to k, or back to k from a
 * later step) have the same hash exactly when they hold the same things.
 * For tests.
 * @param s state
 * @return a 64-bit FNV-1a digest
 */
uint64_t viz_state_hash(const struct viz_state *s);
/**
 * Events folded so far that broke the life cycles the fold knows (an
 * ioend moving against the diagram in viz/model/fold.c, an ioend never
 * created, lock_acquired without lock_acquire (::viz_lock_stage), a work
 * item started or ended without being queued or started
 * (::viz_work_stage)).  0 for a well-formed
 * stream; the events are applied anyway.
 * @param s state
 * @return the count
 */
size_t viz_state_nr_anomalies(const struct viz_state *s);
/** @} */

/* ------------------------------------------------------------------------ */
/** @name The model: a fold with checkpoints
 * @{ */

struct viz_model;

/**
 * Create a model over @p st at step 0.  The store may grow afterwards
 * (live runs); the model sees the new events at the next seek.
 * @param st the store (not owned; must outlive the model)
 * @return the model, or NULL on ENOMEM
 */
struct viz_model *viz_model_new(const struct viz_store *st);
/** Free a model (NULL is allowed). @param m the model */
void viz_model_free(struct viz_model *m);
/** @return the store @param m model */
const struct viz_store *viz_model_store(const struct viz_model *m);
/** @return the number of steps (= viz_store_count()) @param m model */
size_t viz_model_nr_steps(const struct viz_model *m);
/** @return the current step @param m model */
size_t viz_model_step(const struct viz_model *m);
/**
 * Move to @p step (clamped to [0, nr_steps]): fold forward from the
 * current state, or restore the nearest checkpoint and fold forward.
 * @param m    model
 * @param step target
 * @return 0 or -ENOMEM
 */
int viz_model_seek(struct viz_model *m, size_t step);
/** @return the state at the current step @param m model */
const struct viz_state *viz_model_state(const struct viz_model *m);

/**
 * The step at which the operation containing @p step ends (after its
 * op_end), for "step over"; nr_steps if it never ends.  Kernel traces have
 * no op_end: there it is the step just before the next iomap_iter that
 * starts a new iteration (a new inode, flags or caller, a position
 * behind the last one, or one after an iomap_iter of length 0 that no
 * mapping followed).
 * @param m    model
 * @param step a step
 * @return a step > @p step, or nr_steps
 */
size_t viz_model_step_over(const struct viz_model *m, size_t step);
/**
 * The first step > @p step whose last applied event is named one of
 * @p names (a breakpoint on event types), or nr_steps if none.
 * @param m       model
 * @param step    where to start
 * @param names   event names
 * @param nr      number of names
 * @return the step just after the matching event, or nr_steps
 */
size_t viz_model_next_break(const struct viz_model *m, size_t step, const char *const *names,
			    size_t nr);
/**
 * The step of the op_begin of operation number @p op (0-based), for named
 * steps in tests and for jumping to an operation.  In a kernel trace (no
 * op_begin) an operation is an iteration, begun by the iomap_iter that
 * viz_model_step_over() stops before.
 * @param m  model
 * @param op operation number
 * @return the step just after that op_begin (kernel: that iomap_iter), or
 *         nr_steps if there is none
 */
size_t viz_model_op_step(const struct viz_model *m, size_t op);
/** @} */

#endif /* VIZ_MODEL_H */
