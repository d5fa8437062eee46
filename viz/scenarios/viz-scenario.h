/**
 * @file viz-scenario.h
 * @brief Built-in scenarios and live sessions: the visualiser's way of
 *        running real operations of the reference.
 *
 * This is the one part of viz/ that drives the reference: it mounts a
 * fresh extentfs on a RAM backend (wrapped in the fault backend where a
 * scenario needs errors), runs xfs_io commands through iocmd exactly as
 * iomap-io does, in deterministic mode, and collects every event into a
 * `struct viz_store` (viz_store_append(), ids renumbered so that runs
 * repeat exactly).  The model and the renderers then see only those
 * events.  A few scenarios need more than xfs_io
 * commands (a short copy that faults part way, a lock-order inversion);
 * they call the same VFS-shaped entry points a program would.
 *
 * A session (`struct viz_session`) is the command entry of the window: one
 * mounted filesystem that stays up while the student types commands; each
 * line's events are appended to the session's store.
 *
 * Global state: the event stream and its clock are process-wide.  Running
 * a scenario resets the clock (events number from 0), attaches its sink
 * for the duration of the run and detaches it; do not run two at once.
 */
#ifndef VIZ_SCENARIO_H
#define VIZ_SCENARIO_H

#include <stddef.h>
#include <stdio.h>

#include "../model/viz-model.h"

struct trace_sink;

/** One built-in scenario. */
struct viz_scenario {
	const char *name;        /**< short name for --scenario, e.g. "buffered-write-fsync" */
	const char *title;       /**< one line, e.g. "Buffered write and fsync" */
	const char *explanation; /**< one paragraph shown beside the panels */
	const char *seed_section;/**< seed section it illustrates, e.g. "Buffered I/O > Writes" */
	const char *seed_doc;    /**< which seed document: "iomap/operations.rst" ... */
	const char *mkfs;        /**< mkfs options ("-b size=1024"), "" for the default */
	const char *const *commands; /**< xfs_io commands, NULL-terminated (may be NULL for C-driven ones) */
	const char *open;        /**< xfs_io open options of file "f" besides -f: "-d" (O_DIRECT) or "" */
};

/** The scenario `./run.sh` opens when none is named. */
#define VIZ_DEFAULT_SCENARIO "buffered-write-fsync"

/** @return the number of built-in scenarios */
size_t viz_scenario_count(void);
/** @return scenario @p i, NULL if out of range @param i index */
const struct viz_scenario *viz_scenario_get(size_t i);
/** @return the scenario called @p name, or NULL @param name a scenario name */
const struct viz_scenario *viz_scenario_find(const char *name);

/**
 * Run a scenario from scratch and append its events to @p st.
 * @param sc     the scenario
 * @param st     store (usually new and empty; VIZ_SRC_REFERENCE)
 * @param out    where xfs_io's output goes (may be NULL: discarded)
 * @param err    on failure, what went wrong (may be NULL)
 * @param errlen size of @p err
 * @return 0, or -errno if the scenario could not run (-EINVAL for a
 *         scenario not from the table or a NULL store; mkfs, mount, ENOMEM);
 *         a command that fails as the scenario intends is not an error
 */
int viz_scenario_run(const struct viz_scenario *sc, struct viz_store *st, FILE *out, char *err,
		     size_t errlen);

/**
 * Run xfs_io commands on a fresh in-memory extentfs, framed exactly as a
 * built-in scenario is (viz_scenario_run()): deterministic mode, the clock
 * reset after mount and open, ioend, dio and lock ids renumbered densely
 * from their first appearance (so two runs in one process give the same
 * events), and the events of the commands appended to @p st.  Each command
 * runs as at xfs_io's prompt, on file "f".  A sink that must see exactly
 * the store's events (a recording of the run) is passed as @p also; a sink
 * the caller attaches to the stream itself sees the mount too, with the
 * core's raw ids.
 * @param mkfs      mkfs.xfs-style options ("-b size=1024"), "" or NULL for
 *                  the default
 * @param open_opts xfs_io open options of "f" besides -f: "-d" or ""/NULL
 * @param cmds      the commands
 * @param n         how many
 * @param st        store the events go to
 * @param also      a sink that gets each event as the store does (same
 *                  ids, same order), e.g. recording_sink_new(); may be NULL.
 *                  Not attached to the stream, not closed nor freed
 * @param out       where xfs_io's output goes (may be NULL: discarded)
 * @param err       on failure, what went wrong (may be NULL)
 * @param errlen    size of @p err
 * @return 0, or -errno if the commands could not run (-EINVAL: no store, a
 *         NULL command, bad mkfs or open options; mkfs, mount, ENOMEM); a
 *         command that fails is not an error (its op_end says so)
 */
int viz_commands_run(const char *mkfs, const char *open_opts, const char *const *cmds, size_t n,
		     struct viz_store *st, struct trace_sink *also, FILE *out, char *err,
		     size_t errlen);

/**
 * The address of the scenario's seed section on docs.kernel.org, e.g.
 * `https://docs.kernel.org/filesystems/iomap/operations.html#buffered-writes`
 * (the anchor Sphinx makes of the last heading of ::viz_scenario::seed_section).
 * @param sc  the scenario
 * @param buf output
 * @param len size of @p buf
 * @return the length written, -EINVAL (no seed document, or not a .rst),
 *         or -ENOSPC (@p buf too small)
 */
int viz_scenario_seed_url(const struct viz_scenario *sc, char *buf, size_t len);

struct viz_session;

/**
 * Mount a fresh in-memory extentfs and open file "f" (created), ready for
 * commands.  Nothing is appended to @p st until a command runs.
 * @param st     store the events go to
 * @param mkfs   mkfs options, "" or NULL for the default
 * @param err    message on failure (may be NULL)
 * @param errlen size of @p err
 * @return the session, or NULL (bad mkfs options, no store, ENOMEM)
 */
struct viz_session *viz_session_new(struct viz_store *st, const char *mkfs, char *err,
				    size_t errlen);
/**
 * Run one xfs_io command line in the session (like typing at `xfs_io>`),
 * appending its events to the store.
 * @param s    session
 * @param line the command
 * @param out  what xfs_io would print (stdout and stderr), malloc'ed; the
 *             caller frees it (may be NULL)
 * @return the command's status: 0 or -errno (as op_end's ret)
 */
int viz_session_run(struct viz_session *s, const char *line, char **out);
/** Unmount and free (NULL is allowed). @param s session */
void viz_session_free(struct viz_session *s);

#endif /* VIZ_SCENARIO_H */
