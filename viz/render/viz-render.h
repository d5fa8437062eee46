/**
 * @file viz-render.h
 * @brief The visualiser's renderers: Cairo only.  Each panel is a function
 *        of (view, `cairo_t *`, width, height), so the same code draws into
 *        the GTK window, a PNG, an SVG or a PDF, and tests render without a
 *        display.
 *
 * A ::viz_view bundles what a panel may read: the folded state, the store
 * (for the event list), and the scenario text.  Renderers never change the
 * view and keep no state between calls, so a frame is a pure function of
 * its inputs.
 *
 * Geometry is public (viz_panel_layout(), viz_hit_test(),
 * viz_pagecache_block_rect(), ...) so that the app can answer "what is under
 * the pointer" and tests can check that the pixels of a dirty block have
 * the dirty colour (viz_colour()).
 */
#ifndef VIZ_RENDER_H
#define VIZ_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cairo.h>

#include "../model/viz-model.h"

/** The panels. */
enum viz_panel {
	VIZ_PANEL_ITER = 0,      /**< operation and iterator */
	VIZ_PANEL_PAGECACHE = 1, /**< folios as rows of blocks */
	VIZ_PANEL_IOEND = 2,     /**< ioend chains, bios, completion batches */
	VIZ_PANEL_LOCKS = 3,     /**< lock hierarchy, holders, waiters, reports */
	VIZ_PANEL_EVENTS = 4,    /**< the event list around the current step */
	VIZ_PANEL_DISK = 5,      /**< disk blocks and the bio that last touched them */
	VIZ_PANEL_ALL = 6,       /**< every panel plus the explanation, as the window shows them */
	VIZ_NR_PANELS = 7,       /**< number of values */
};

/** Panel names for the command line and file names: "iter", "pagecache", ... "all". */
extern const char *const viz_panel_names[VIZ_NR_PANELS];
/**
 * Look a panel up by name.
 * @param name one of ::viz_panel_names
 * @return the panel, or -1
 */
int viz_panel_from_name(const char *name);

/** What the renderers read. */
struct viz_view {
	const struct viz_state *state; /**< the folded state (required) */
	const struct viz_store *store; /**< the events (required for the event list) */
	const char *title;             /**< scenario or file name, may be NULL */
	const char *explanation;       /**< one paragraph shown beside the panels, may be NULL */
	const char *seed_ref;          /**< seed section it illustrates, may be NULL */
	long hover_event;              /**< event under the pointer in the list, -1 for none */
	size_t divergence;             /**< index of the first divergent event to mark, or SIZE_MAX */
	double flash;                  /**< 0..1: how strongly to flash what changed at this step */
};

/** A rectangle in panel coordinates. */
struct viz_rect {
	double x; /**< left */
	double y; /**< top */
	double w; /**< width */
	double h; /**< height */
};

/** Colours the panels use, public so that tests can check pixels. */
enum viz_colour_id {
	VIZ_C_BACKGROUND = 0,  /**< panel background */
	VIZ_C_BLOCK_EMPTY = 1, /**< block neither uptodate nor dirty */
	VIZ_C_BLOCK_UPTODATE = 2, /**< uptodate, clean */
	VIZ_C_BLOCK_DIRTY = 3, /**< dirty (and uptodate) */
	VIZ_C_WRITEBACK = 4,   /**< folio / ioend / bio in flight */
	VIZ_C_LOCKED = 5,      /**< folio locked / lock held */
	VIZ_C_WAITING = 6,     /**< lock waited for */
	VIZ_C_INVERSION = 7,   /**< validator report (red) */
	VIZ_C_HOLE = 8,        /**< IOMAP_HOLE */
	VIZ_C_DELALLOC = 9,    /**< IOMAP_DELALLOC */
	VIZ_C_MAPPED = 10,     /**< IOMAP_MAPPED */
	VIZ_C_UNWRITTEN = 11,  /**< IOMAP_UNWRITTEN */
	VIZ_C_INLINE = 12,     /**< IOMAP_INLINE */
	VIZ_C_DISK_WRITE = 13, /**< disk run written */
	VIZ_C_DISK_READ = 14,  /**< disk run read */
	VIZ_C_TEXT = 15,       /**< text */
	VIZ_C_CURRENT = 16,    /**< the current event / cursor */
	VIZ_C_DIVERGENT = 17,  /**< the first divergent event */
	VIZ_NR_COLOURS = 18,   /**< number of values */
};

/** An RGB colour, components 0..1. */
struct viz_rgb {
	double r; /**< red */
	double g; /**< green */
	double b; /**< blue */
};
/**
 * A colour of the palette.
 * @param id a ::viz_colour_id
 * @return the colour
 */
struct viz_rgb viz_colour(enum viz_colour_id id);

/**
 * Draw one panel (or VIZ_PANEL_ALL) into @p cr, filling (0, 0, w, h).
 * @param p    panel
 * @param v    view
 * @param cr   cairo context (its state is saved and restored)
 * @param w    width in user units
 * @param h    height in user units
 */
void viz_render(enum viz_panel p, const struct viz_view *v, cairo_t *cr, double w, double h);

/**
 * Where each panel goes inside VIZ_PANEL_ALL at size (w, h).
 * @param w   width
 * @param h   height
 * @param out one rectangle per panel (out[VIZ_PANEL_ALL] is the explanation box)
 */
void viz_panel_layout(double w, double h, struct viz_rect out[VIZ_NR_PANELS]);

/** What is under a point. */
struct viz_hit {
	enum viz_panel panel; /**< the panel hit */
	enum {
		VIZ_HIT_NONE = 0,  /**< empty space */
		VIZ_HIT_FOLIO = 1, /**< a folio block: index = folio, sub = block */
		VIZ_HIT_IOEND = 2, /**< an ioend: index = ioend */
		VIZ_HIT_LOCK = 3,  /**< a lock: index = lock */
		VIZ_HIT_EVENT = 4, /**< an event row: index = event */
		VIZ_HIT_CALL = 5,  /**< an iterator call: index = call */
		VIZ_HIT_DISK = 6,  /**< a disk run: index = run */
		VIZ_HIT_MAPPING = 7, /**< an extent-map mapping: index = mapping */
	} kind;               /**< what */
	size_t index;         /**< which */
	unsigned sub;         /**< block within a folio */
};
/**
 * Hit-test a point of panel @p p drawn at size (w, h).
 * @param p   panel (VIZ_PANEL_ALL descends into the sub-panels)
 * @param v   view
 * @param w   width
 * @param h   height
 * @param x   point
 * @param y   point
 * @param out result
 * @return true if something is under the point
 */
bool viz_hit_test(enum viz_panel p, const struct viz_view *v, double w, double h, double x,
		  double y, struct viz_hit *out);
/**
 * Describe a hit for a tooltip (the folio's fields, the ioend's ranges, ...).
 * @param v   view
 * @param hit a hit from viz_hit_test()
 * @param buf output
 * @param len size of @p buf
 * @return characters written
 */
int viz_hit_describe(const struct viz_view *v, const struct viz_hit *hit, char *buf, size_t len);

/**
 * The rectangle block @p blk of folio @p folio occupies in the page-cache
 * panel drawn at (w, h), in that panel's coordinates.
 * @param v     view
 * @param w     panel width
 * @param h     panel height
 * @param folio folio position (viz_state_folio())
 * @param blk   block
 * @param out   rectangle
 * @return false if that block is not drawn (scrolled out, too many folios)
 */
bool viz_pagecache_block_rect(const struct viz_view *v, double w, double h, size_t folio,
			      unsigned blk, struct viz_rect *out);
/**
 * The rectangle of ioend @p i in the ioend panel drawn at (w, h).
 * @param v   view
 * @param w   panel width
 * @param h   panel height
 * @param i   ioend position (viz_state_ioend())
 * @param out rectangle
 * @return false if not drawn
 */
bool viz_ioend_rect(const struct viz_view *v, double w, double h, size_t i, struct viz_rect *out);
/**
 * The rectangle of lock @p i in the locks panel drawn at (w, h).
 * @param v   view
 * @param w   panel width
 * @param h   panel height
 * @param i   lock position (viz_state_lock())
 * @param out rectangle
 * @return false if not drawn
 */
bool viz_lock_rect(const struct viz_view *v, double w, double h, size_t i, struct viz_rect *out);

/**
 * Export one panel (or VIZ_PANEL_ALL) to a file whose kind follows the
 * extension: .png, .svg or .pdf.
 * @param p      panel
 * @param v      view
 * @param path   output file
 * @param w      width (pixels for PNG, points otherwise)
 * @param h      height
 * @param err    message on failure
 * @param errlen size of @p err
 * @return 0, -EINVAL (unknown extension), or -EIO (cairo could not write)
 */
int viz_export(enum viz_panel p, const struct viz_view *v, const char *path, int w, int h,
	       char *err, size_t errlen);

/**
 * Export two views of one panel side by side (compare mode), or one view
 * when @p b is NULL (then exactly viz_export()).  Each view is drawn
 * @p w x @p h, @p a on the left, @p b on the right, with a rule between:
 * the image is 2 @p w wide.  Same file kinds, checks and failure handling
 * as viz_export(); a file that failed half way is removed.
 * @param p      panel
 * @param a      left view (the only one when @p b is NULL)
 * @param b      right view, or NULL
 * @param path   output file (.png, .svg or .pdf)
 * @param w      width of each view (pixels for PNG, points otherwise);
 *               at most 8192 when @p b is given
 * @param h      height
 * @param err    message on failure
 * @param errlen size of @p err
 * @return 0, -EINVAL (bad extension, size, panel or view), or -EIO
 */
int viz_export_pair(enum viz_panel p, const struct viz_view *a, const struct viz_view *b,
		    const char *path, int w, int h, char *err, size_t errlen);

/**
 * The kind of file an export to @p path makes, from its extension
 * (case-insensitive), so that callers can reject a name before drawing.
 * @param path file name, may be NULL
 * @return 0 for .png, 1 for .svg, 2 for .pdf, -1 for anything else
 */
int viz_export_kind(const char *path);

/**
 * Export steps [@p from, @p to] of a model as a multi-page PDF, one page
 * per step (lecture slides).  The model is left at @p to.
 * @param m      model (seeked page by page)
 * @param p      panel (usually VIZ_PANEL_ALL)
 * @param tmpl   view template: title, explanation, seed_ref are used
 * @param path   output .pdf
 * @param from   first step
 * @param to     last step (clamped to nr_steps)
 * @param w      page width in points
 * @param h      page height in points
 * @param err    message on failure
 * @param errlen size of @p err
 * @return number of pages, or -errno (-EINVAL for bad arguments, -EIO if
 *         the file cannot be written, the model's error if a step cannot
 *         be reached; no file is left behind on failure)
 */
int viz_export_pdf_steps(struct viz_model *m, enum viz_panel p, const struct viz_view *tmpl,
			 const char *path, size_t from, size_t to, int w, int h, char *err,
			 size_t errlen);

#endif /* VIZ_RENDER_H */
