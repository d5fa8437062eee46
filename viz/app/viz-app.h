/**
 * @file viz-app.h
 * @brief The iomap-viz program: documents, the command line's options, the
 *        headless exports and the GTK4 application.  Private to viz/app/.
 *
 * The program is two programs sharing one model:
 *
 *   - **Headless** (main.c, doc.c): `--list-scenarios`,
 *     `--export`, `--export-steps`, and the "no display" fallback.  These
 *     paths never call into GTK, so they work with no DISPLAY, over ssh, in
 *     CI, and under AddressSanitizer.
 *   - **The window** (app.c, window.c, event-list.c): a GtkApplication whose
 *     one window shows the panels of one document, or of two side by side
 *     in compare mode.
 *
 * A ::viz_doc is one thing being looked at: an event store (a scenario's
 * run, a recording, a kernel trace, or a live session's commands), the
 * model folded over it, and the text the explanation box shows.  Both
 * halves build their ::viz_view from a document with viz_doc_view().
 *
 * Threads: everything here runs on the main thread.  A scenario or a
 * session command runs synchronously inside the call that starts it.
 */
#ifndef VIZ_APP_H
#define VIZ_APP_H

#include <stdbool.h>
#include <stddef.h>

#include "../model/viz-model.h"
#include "../render/viz-render.h"
#include "../scenarios/viz-scenario.h"

/** The application id (D-Bus name, .desktop file name). */
#define VIZ_APP_ID "org.iomapref.Viz"

/* ------------------------------------------------------------------------ */
/** @name Documents
 * @{ */

/** One thing being looked at: events, their fold, and the words around them. */
struct viz_doc {
	struct viz_store *store;       /**< the events (owned) */
	struct viz_model *model;       /**< the fold over @c store (owned) */
	const struct viz_scenario *scenario; /**< the built-in scenario, or NULL */
	struct viz_session *session;   /**< live session writing into @c store, or NULL */
	char *title;                   /**< window / page title (owned) */
	char *explanation;             /**< paragraph for the explanation box (owned, may be NULL) */
	char *seed_ref;                /**< seed section it illustrates (owned, may be NULL) */
	size_t divergence;             /**< first divergent event in compare mode, or SIZE_MAX */
};

/**
 * Run built-in scenario @p name into a new document, at its last step.
 * @param name   a name from viz_scenario_get()
 * @param out    the document on success
 * @param err    message on failure (unknown name, the run failed)
 * @param errlen size of @p err
 * @return 0, -ENOENT (no such scenario), or the run's -errno
 */
int viz_doc_open_scenario(const char *name, struct viz_doc **out, char *err, size_t errlen);

/**
 * Open a reference recording or kernel tracefs text (viz_store_load_file())
 * into a new document, at its last step.
 * @param path   the file
 * @param out    the document on success
 * @param err    message on failure, naming the file and line
 * @param errlen size of @p err
 * @return 0 or -errno
 */
int viz_doc_open_file(const char *path, struct viz_doc **out, char *err, size_t errlen);

/**
 * Start an empty live session (a fresh in-memory extentfs with file "f"
 * open) whose commands viz_doc_run_command() appends to the document.
 * @param out    the document on success
 * @param err    message on failure
 * @param errlen size of @p err
 * @return 0 or -errno
 */
int viz_doc_open_session(struct viz_doc **out, char *err, size_t errlen);

/**
 * Run one xfs_io command line in the document's live session, appending
 * its events to the store.  The model does not move: it still stands where
 * it stood, and viz_model_nr_steps() already counts the new events, so the
 * caller seeks to wherever it wants to show them from.
 * @pre @p d was made by viz_doc_open_session()
 * @param d    the document
 * @param line the command, e.g. "pwrite 0 8k"
 * @param out  what xfs_io printed (malloc'ed, caller frees; may be NULL)
 * @return the command's status (0 or -errno), -EINVAL if @p d has no session
 */
int viz_doc_run_command(struct viz_doc *d, const char *line, char **out);

/**
 * Find the first divergent event of two documents (viz_store_diverge())
 * and mark it in both: @c divergence is the index of that event in each.
 * When one run is a prefix of the other, the one that ran out has no
 * divergent event (SIZE_MAX) and the other is marked where it goes on.
 * With no divergence, or with @p b NULL (compare mode closed), both are
 * SIZE_MAX.
 * @param a  the first document (left pane)
 * @param b  the second document (right pane), or NULL
 * @param dv the comparison, for a caller that reports it (may be NULL;
 *           all zero when @p b is NULL)
 * @return 0, or -ENOMEM (then neither document is marked)
 */
int viz_doc_mark_divergence(struct viz_doc *a, struct viz_doc *b, struct viz_divergence *dv);

/**
 * Fill a view of the document's current step for the renderers.
 * @param d     the document
 * @param v     output; hover_event -1, flash 0, divergence from @p d
 */
void viz_doc_view(const struct viz_doc *d, struct viz_view *v);

/** Free a document (NULL is allowed). @param d the document */
void viz_doc_free(struct viz_doc *d);
/** @} */

/* ------------------------------------------------------------------------ */
/** @name Options
 * @{ */

/** Exit status for a bad command line (as getopt-based tools use). */
#define VIZ_EXIT_USAGE 2

/** Most --do items one command line may give. */
#define VIZ_MAX_SCRIPT 64

/** The command line, parsed by main.c. */
struct viz_options {
	const char *scenario;      /**< --scenario NAME, or NULL */
	const char *open;          /**< --open FILE, or NULL */
	const char *compare;       /**< --compare FILE, or NULL */
	bool has_step;             /**< --step given */
	size_t step;               /**< --step N */
	enum viz_panel panel;      /**< --panel NAME (default VIZ_PANEL_ALL) */
	int width;                 /**< --size W (default 1280) */
	int height;                /**< --size H (default 800) */
	const char *export_path;   /**< --export FILE, or NULL */
	const char *export_steps;  /**< --export-steps FILE.pdf, or NULL */
	bool has_from;             /**< --from given */
	size_t from;               /**< --from A */
	bool has_to;               /**< --to given */
	size_t to;                 /**< --to B */
	const char *screenshot;    /**< --screenshot FILE, or NULL */
	long quit_after_ms;        /**< --quit-after MS, or -1 */
	const char *script[VIZ_MAX_SCRIPT]; /**< --do items, in order (window actions or "type:LINE") */
	size_t nr_script;          /**< number of --do items */
};
/** @} */

/* ------------------------------------------------------------------------ */
/** @name The window
 * @{ */

/**
 * Run the GTK application with documents already opened by the command
 * line (the window takes ownership of them).  They already stand at
 * --step, and in compare mode their divergence is already marked
 * (viz_doc_mark_divergence()).
 * @param opt the options the window and the application read: --panel,
 *            --size, --screenshot, --quit-after and --do
 * @param a   the document to show (owned by the window from now on)
 * @param b   the document to compare it with, or NULL (owned likewise)
 * @return the process exit status
 */
int viz_app_run(const struct viz_options *opt, struct viz_doc *a, struct viz_doc *b);
/** @} */

#endif /* VIZ_APP_H */
