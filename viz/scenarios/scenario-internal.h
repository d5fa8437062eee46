/**
 * @file scenario-internal.h
 * @brief What run.c provides to scenario.c and session.c: the mounted
 *        filesystem of one run (`struct viz_run`), the sink that feeds a
 *        store, the framed run and two small helpers.
 *
 * A run is: a RAM backend (optionally wrapped in the fault backend), a
 * fresh extentfs on it, an iocmd context with file "f" open, and the xfs_io
 * output going to a memory stream.  viz_run_framed() makes one per
 * viz_scenario_run() (scenario.c) or viz_commands_run() (run.c) and throws
 * it away; session.c keeps one for the life of a session.
 *
 * The feeding sink (`struct viz_feed`) sits between the event stream and
 * the store (it appends with viz_store_append(), so that an ENOMEM of the
 * store is seen and reported).  It renumbers the ids that
 * the core hands out from process-wide counters — ioend ids, dio ids and
 * lock instances — in order of first appearance, so that the second run of
 * a scenario in one process gives the same events, byte for byte, as the
 * first (and as a fresh `iomap-io --record` run gives ioend and dio ids:
 * from 0).  Bio ids are per block device, hence per mount, and are kept.
 *
 * Private to viz/scenarios/: nothing outside includes this file.
 */
#ifndef VIZ_SCENARIO_INTERNAL_H
#define VIZ_SCENARIO_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <iomap/trace.h>

#include "samples/iocmd/iocmd.h"
#include "viz/model/viz-model.h"

/** RAM backend size of every run: small, so that mkfs and mount are quick. */
#define VIZ_RUN_DEV_SIZE (64ull << 20)
/** Logical block size of the backend (the kernel scenarios' loop device). */
#define VIZ_RUN_LBS 512u
/** Thread name shown in events, as iomap-io names its thread. */
#define VIZ_RUN_TASK "iomap-io"

/** An id renumbering table: raw id -> dense id, in order of first appearance. */
struct viz_idmap {
	uint64_t *keys;  /**< raw ids (open addressing; slot used iff used[] set) */
	uint64_t *vals;  /**< dense ids */
	bool *used;      /**< slot occupancy */
	size_t cap;      /**< slots (power of two, or 0) */
	size_t nr;       /**< ids mapped so far */
	uint64_t first;  /**< the dense id given to the first raw id (0 or 1) */
};

/** The sink that renumbers ids and appends the events to a store. */
struct viz_feed {
	struct trace_sink sink;    /**< attached to the stream */
	struct viz_store *st;      /**< the store events are appended to */
	struct viz_idmap ioends;   /**< `ioend`, `into` */
	struct viz_idmap dios;     /**< `dio` */
	struct viz_idmap locks;    /**< `instance` */
	struct trace_sink *also;   /**< gets the renumbered events too (or NULL) */
	bool failed;               /**< an id could not be mapped or an event
				        not stored (ENOMEM) */
};

/**
 * Create a feed into @p st (not attached yet).
 * @param st the store
 * @return the feed or NULL on ENOMEM
 */
struct viz_feed *viz_feed_new(struct viz_store *st);
/** Attach @p f to the event stream. @param f feed */
void viz_feed_attach(struct viz_feed *f);
/** Detach @p f from the event stream. @param f feed */
void viz_feed_detach(struct viz_feed *f);
/** Free a detached feed (NULL allowed). @param f feed */
void viz_feed_free(struct viz_feed *f);

/** One mounted filesystem with file "f" open, driven through iocmd. */
struct viz_run {
	struct backend *dev;     /**< RAM, or the fault backend over RAM */
	struct extentfs *fs;     /**< mounted */
	struct iocmd *ic;        /**< file table; "f" open */
	FILE *out;               /**< memory stream: xfs_io's stdout and stderr */
	char *outbuf;            /**< its buffer */
	size_t outlen;           /**< its length */
	size_t shown;            /**< bytes of @c outbuf already handed on */
};

/**
 * Make a backend, mkfs, mount, create iocmd and open "f".
 * @param r      run to fill (zeroed first)
 * @param mkfs   mkfs options ("" or NULL: defaults)
 * @param open   xfs_io open options for "f" ("-d" is the only one honoured
 *               besides the implied -f), "" or NULL for none
 * @param fault  wrap the RAM backend in the fault backend
 * @param err    message on failure
 * @param errlen size of @p err
 * @return 0 or -errno (everything undone)
 */
int viz_run_setup(struct viz_run *r, const char *mkfs, const char *open, bool fault, char *err,
		  size_t errlen);
/**
 * Close the files, unmount, destroy the backend.  No event is emitted into
 * a store: callers detach their feed first.
 * @param r run (may be half set up or zeroed)
 * @return 0 or the unmount's -errno
 */
int viz_run_teardown(struct viz_run *r);
/**
 * Run one line as typed at the xfs_io prompt (iocmd_run: current file).
 * @param r    run
 * @param line the command
 * @return iocmd_last_status(): 0 or -errno (as op_end's ret)
 */
int viz_run_line(struct viz_run *r, const char *line);
/**
 * Take the output written since the last call.
 * @param r run
 * @return malloc'ed text ("" if none), or NULL on ENOMEM
 */
char *viz_run_take_output(struct viz_run *r);

/**
 * One framed run (see run.c, "How a run is framed"): name the thread,
 * deterministic mode, reset lockdep, set up a run, reset the clock, feed
 * @p st while @p body runs, copy the output to @p out, tear down.
 * viz_scenario_run() and viz_commands_run() differ only in @p body.
 * @param name   prefixes a failure of @p body in @p err
 * @param mkfs   mkfs options ("" or NULL: defaults)
 * @param open   xfs_io open options for "f" ("" or NULL: none)
 * @param fault  wrap the RAM backend in the fault backend
 * @param body   what runs while the feed is attached: 0 or -errno
 * @param arg    passed to @p body
 * @param st     store the events go to
 * @param also   gets the same renumbered events as @p st (may be NULL)
 * @param out    where xfs_io's output goes (may be NULL: discarded)
 * @param err    message on failure (must be usable: the public callers
 *               substitute a scratch buffer for NULL)
 * @param errlen size of @p err (> 0)
 * @return 0 or -errno (setup, ENOMEM of the feed, or @p body's error)
 */
int viz_run_framed(const char *name, const char *mkfs, const char *open, bool fault,
		   int (*body)(struct viz_run *r, void *arg), void *arg, struct viz_store *st,
		   struct trace_sink *also, FILE *out, char *err, size_t errlen);

/** Room for a saved thread name (ref_thread_set_name() keeps 15 characters). */
#define VIZ_TASK_NAME_LEN 16

/**
 * Name the calling thread VIZ_RUN_TASK for the events it emits, saving its
 * current name; undo with viz_task_leave().
 * @param saved where the current name is saved
 */
void viz_task_enter(char saved[VIZ_TASK_NAME_LEN]);
/**
 * Give the calling thread back the name viz_task_enter() saved.
 * @param saved the saved name
 */
void viz_task_leave(const char saved[VIZ_TASK_NAME_LEN]);
/**
 * The error buffer a public entry point writes to: @p err, or @p scratch
 * when the caller passed NULL or a zero size (it does not want the
 * message).  The buffer returned is emptied.
 * @param err        the caller's buffer (may be NULL)
 * @param errlen     in: its size; out: the size of the buffer returned
 * @param scratch    a local buffer of the caller
 * @param scratchlen its size (> 0)
 * @return @p err or @p scratch
 */
char *viz_err_buf(char *err, size_t *errlen, char *scratch, size_t scratchlen);

#endif /* VIZ_SCENARIO_INTERNAL_H */
