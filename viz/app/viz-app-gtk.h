/**
 * @file viz-app-gtk.h
 * @brief The GTK half of iomap-viz: the lazy event-list model and the
 *        application window.  Private to viz/app/.
 *
 * The event list is a GListModel whose items are created only when the
 * GtkListView asks for them (the rows on screen), so a 1 000 000-event
 * recording is never formatted up front: an item is just an event index,
 * and the row's text comes from viz_store_format() when it is bound.
 *
 * Threads: GTK's main thread only.
 */
#ifndef VIZ_APP_GTK_H
#define VIZ_APP_GTK_H

#include <gtk/gtk.h>

#include "viz-app.h"

/**
 * A list model of the events of @p st: item i is an event-row object for
 * event i (see viz_event_row_index()).
 * @param st the store (must outlive the model)
 * @return a new GListModel (unref it when done)
 */
GListModel *viz_event_list_new(const struct viz_store *st);

/**
 * Tell the list that its store grew (a live command appended events):
 * emits items-changed for the new events only, so the rows on screen and
 * the selection stay.  A different store needs a new list.
 * @param list a list from viz_event_list_new()
 */
void viz_event_list_grew(GListModel *list);

/**
 * Have the row of event @p index bound again if it is on screen (its
 * highlighting changed, e.g. it became the divergent event): emits
 * items-changed(@p index, 1, 1).  A selection on that row is lost; the
 * caller selects it again.
 * @param list  a list from viz_event_list_new()
 * @param index the event (nothing happens past the end of the list)
 */
void viz_event_list_rebind(GListModel *list, size_t index);

/**
 * The event index an item of a viz_event_list_new() list stands for.
 * @param item an item of that list
 * @return its event index
 */
size_t viz_event_row_index(gpointer item);

/**
 * Build the main window of @p app showing document @p a (and @p b beside it
 * in compare mode).  The window owns the documents and frees them when it
 * is destroyed.
 * @param app the application
 * @param opt the command line; the window reads --panel and --size (app.c
 *            reads --screenshot, --quit-after and --do; main.c has already
 *            put the documents at --step)
 * @param a   the document
 * @param b   the document to compare with, or NULL
 * @return the window (already presented)
 */
GtkWidget *viz_window_new(GtkApplication *app, const struct viz_options *opt,
			  struct viz_doc *a, struct viz_doc *b);

/**
 * Save the window as it is drawn now to a PNG (a real widget tree snapshot
 * rendered by the window's own renderer).
 * @param win    the window
 * @param path   output .png
 * @param err    message on failure
 * @param errlen size of @p err
 * @return 0, or -EIO
 */
int viz_window_save_png(GtkWidget *win, const char *path, char *err, size_t errlen);

/**
 * Carry out one scripted step in the window, as --do does: a window action
 * ("step", "step-back", "step-over", "start", "end", "play", "continue",
 * "toggle-break", "divergence", "switch-pane", "close-compare",
 * "run-scenario:NAME", "open-file:PATH", "compare-with:PATH",
 * "export-to:PATH", "export-steps-to:PATH", ...), or "type:LINE" to run
 * LINE through the command entry.
 * @param win  the window
 * @param item the step
 * @param msg  on success the status line after it ("step 3 / 72 —
 *             iomap_iter — ..."); on failure what was wrong
 * @param len  size of @p msg
 * @return 0, or -EINVAL (unknown action, missing or extra argument)
 */
int viz_window_script(GtkWidget *win, const char *item, char *msg, size_t len);

/**
 * The window's status line: the active pane's step, its event, the
 * breakpoints and the last message ("step 3 / 72 — lock_acquired").
 * @param win the window
 * @return the text (owned by the window; valid until the next change)
 */
const char *viz_window_status(GtkWidget *win);

#endif /* VIZ_APP_GTK_H */
