/**
 * @file render-internal.h
 * @brief Private helpers shared by the panels of viz/render/: the palette,
 *        text drawing with the toy Cairo API, the panel frame, and each
 *        panel's draw and hit-test entry points.
 *
 * render.c implements the shared helpers below (colours, text, frame,
 * legend, elision lines, and the names the panels and the tooltips share,
 * so that a stage or call is spelled the same everywhere).  Each panel file
 * exports its `vr_draw_PANEL()` and `vr_hit_PANEL()` here (and some a
 * public rectangle function of viz-render.h), all computing their geometry
 * with the same static layout function of that file, so what is drawn and
 * what is hit can never disagree.  Nothing here keeps state between calls: a frame is
 * a function of (view, width, height) only.
 *
 * Coordinates: every panel draws in its own space, (0, 0) at its top left,
 * (w, h) at its bottom right; viz_render() translates and clips for it.
 * The first VR_TITLE_H units are the panel's title bar.
 */
#ifndef VIZ_RENDER_INTERNAL_H
#define VIZ_RENDER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cairo.h>

#include "viz-render.h"

/** Height of a panel's title bar. */
#define VR_TITLE_H 18.0
/** Inner margin of a panel. */
#define VR_PAD 6.0
/** Size of ordinary monospaced text. */
#define VR_FONT 10.5
/** Line height of ordinary monospaced text. */
#define VR_LINE 13.0
/** Room a layout keeps for a note that may need two lines (vr_note()). */
#define VR_NOTE_ROOM (2 * VR_LINE + 8)

/**
 * Set the source colour to palette entry @p id.
 * @param cr context
 * @param id colour
 */
void vr_colour(cairo_t *cr, enum viz_colour_id id);
/**
 * Set the source colour to palette entry @p id with opacity @p a.
 * @param cr context
 * @param id colour
 * @param a  alpha, 0..1
 */
void vr_colour_a(cairo_t *cr, enum viz_colour_id id, double a);
/**
 * Choose the font for the following text.
 * @param cr   context
 * @param mono DejaVu Sans Mono (true) or Sans (false)
 * @param bold bold weight
 * @param size size in user units
 */
void vr_font(cairo_t *cr, bool mono, bool bold, double size);
/**
 * Draw @p s with its baseline at (x, y), cut with an ellipsis to fit in
 * @p maxw (no limit if @p maxw <= 0), in the current font and source.
 * @param cr   context
 * @param x    left
 * @param y    baseline
 * @param maxw widest the text may be
 * @param s    UTF-8 text (NULL draws nothing)
 * @return the width drawn
 */
double vr_text(cairo_t *cr, double x, double y, double maxw, const char *s);
/**
 * printf-style vr_text().
 * @param cr   context
 * @param x    left
 * @param y    baseline
 * @param maxw widest the text may be
 * @param fmt  format
 * @return the width drawn
 */
double vr_textf(cairo_t *cr, double x, double y, double maxw, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/**
 * Width of @p s in the current font.
 * @param cr context
 * @param s  text
 * @return width in user units
 */
double vr_text_width(cairo_t *cr, const char *s);
/**
 * Fill the panel background, draw its border and title bar.
 * @param cr    context
 * @param title the panel's title
 * @param w     panel width
 * @param h     panel height
 * @return the y where the panel's content starts
 */
double vr_frame(cairo_t *cr, const char *title, double w, double h);
/**
 * Draw a note on a pale band (what the kernel trace lacks, "nothing yet"),
 * on two lines if it does not fit on one.
 * @param cr context
 * @param x  left
 * @param y  top
 * @param w  width
 * @param s  the note
 * @return the y below the note
 */
double vr_note(cairo_t *cr, double x, double y, double w, const char *s);
/**
 * Fill a rectangle with diagonal stripes of colour @p id over the panel
 * background: the "waiting / in flight / unknown" look.
 * @param cr context
 * @param x  left
 * @param y  top
 * @param w  width
 * @param h  height
 * @param id stripe colour
 */
void vr_hatch(cairo_t *cr, double x, double y, double w, double h, enum viz_colour_id id);
/**
 * Whether something whose last change happened at @p changed_step changed
 * at the state's current step (it is drawn flashing).
 * @param s            state
 * @param changed_step the object's changed_step
 * @return true if it changed with the last applied event
 */
bool vr_changed_now(const struct viz_state *s, size_t changed_step);
/**
 * Outline a rectangle in the flash colour, as strongly as view->flash says.
 * @param cr context
 * @param v  view
 * @param x  left
 * @param y  top
 * @param w  width
 * @param h  height
 */
void vr_flash(cairo_t *cr, const struct viz_view *v, double x, double y, double w, double h);
/**
 * "64 KiB", "1.5 MiB", "100 B": a byte count for people.
 * @param bytes count
 * @param buf   output
 * @param len   size of @p buf
 * @return @p buf
 */
const char *vr_size(uint64_t bytes, char *buf, size_t len);
/**
 * Whether (x, y) is inside @p r.
 * @param r rectangle
 * @param x point
 * @param y point
 * @return true if inside
 */
bool vr_in(const struct viz_rect *r, double x, double y);
/**
 * First index of a window of @p fit rows out of @p n that keeps row
 * @p focus visible, near the middle when possible.
 * @param n     rows in all
 * @param fit   rows that fit
 * @param focus the row to show
 * @return the first row to draw
 */
size_t vr_window(size_t n, size_t fit, size_t focus);
/**
 * Say what a scrolled list leaves out: "↑ N more above" at @p above_y when
 * rows before @p first are hidden, "↓ N more below" at @p below_y when rows
 * after the window are, in the grey 9.5-point face of the panels' notes.
 * @param cr      context
 * @param x       left edge of the text
 * @param maxw    width the text may take
 * @param above_y baseline of the "above" line
 * @param below_y baseline of the "below" line
 * @param first   first row shown
 * @param shown   rows shown
 * @param n       rows in all
 * @param noun    what a row is ("folio": "3 more folios above"), or NULL
 *                for "3 more above"
 */
void vr_elision(cairo_t *cr, double x, double maxw, double above_y, double below_y,
		size_t first, size_t shown, size_t n, const char *noun);

/** One entry of a legend drawn by vr_legend(). */
struct vr_legend_item {
	enum viz_colour_id colour; /**< swatch colour */
	bool hatched;              /**< stripes of @c colour (vr_hatch()) instead of a solid swatch */
	const char *label;         /**< text after the swatch */
};
/**
 * Draw a one-line legend: a 9 x 9 swatch (solid ones thinly outlined)
 * then its label, item after item, in the 9-point sans face; items that
 * would start past @p x + @p w - 20 are left out.
 * @param cr    context
 * @param x     left
 * @param y     baseline of the labels (swatches sit on it)
 * @param w     width the legend may take
 * @param items entries
 * @param n     number of @p items
 * @return the x after the last item drawn
 */
double vr_legend(cairo_t *cr, double x, double y, double w, const struct vr_legend_item *items,
		 size_t n);

/**
 * An ioend's stage as the panel and the tooltips spell it: "building",
 * "submitted", "completed", "merged", "finished".
 * @param st stage
 * @return the name, "?" if out of range
 */
const char *vr_ioend_stage_name(enum viz_ioend_stage st);
/**
 * A call kind as the panel and the tooltips spell it: "iomap_iter",
 * "->iomap_begin", "->iomap_begin returned", "->iomap_end", "dstmap",
 * "srcmap", "STALE re-lookup", "->map_blocks".
 * @param k kind
 * @return the name, "?" if out of range
 */
const char *vr_call_name(enum viz_call_kind k);
/**
 * A mapping as the trace spells it: its type, then its IOMAP_F_* flags if
 * any ("DELALLOC NEW|DIRTY"); with @p with_range, then " 0xOFF+0xLEN" and
 * " addr 0xADDR" unless the address is IOMAP_NULL_ADDR.
 * @param m          mapping
 * @param with_range add offset, length and address
 * @param buf        output
 * @param len        size of @p buf
 * @return @p buf
 */
const char *vr_map_str(const struct viz_mapping *m, bool with_range, char *buf, size_t len);

/** @name Panels (one file each)
 * Draw functions fill (0, 0, w, h); hit functions answer for a point in
 * the same coordinates and fill out->kind, index and sub (not panel).
 * @{ */
/** Operation and iterator (iter.c). @param v view @param cr context @param w width @param h height */
void vr_draw_iter(const struct viz_view *v, cairo_t *cr, double w, double h);
/** Hit test of iter.c. @param v view @param w width @param h height @param x point @param y point @param out result @return hit */
bool vr_hit_iter(const struct viz_view *v, double w, double h, double x, double y,
		 struct viz_hit *out);
/** Page cache (pagecache.c). @param v view @param cr context @param w width @param h height */
void vr_draw_pagecache(const struct viz_view *v, cairo_t *cr, double w, double h);
/** Hit test of pagecache.c. @param v view @param w width @param h height @param x point @param y point @param out result @return hit */
bool vr_hit_pagecache(const struct viz_view *v, double w, double h, double x, double y,
		      struct viz_hit *out);
/** ioend chains (ioend.c). @param v view @param cr context @param w width @param h height */
void vr_draw_ioend(const struct viz_view *v, cairo_t *cr, double w, double h);
/** Hit test of ioend.c. @param v view @param w width @param h height @param x point @param y point @param out result @return hit */
bool vr_hit_ioend(const struct viz_view *v, double w, double h, double x, double y,
		  struct viz_hit *out);
/** Locking hierarchy (locks.c). @param v view @param cr context @param w width @param h height */
void vr_draw_locks(const struct viz_view *v, cairo_t *cr, double w, double h);
/** Hit test of locks.c. @param v view @param w width @param h height @param x point @param y point @param out result @return hit */
bool vr_hit_locks(const struct viz_view *v, double w, double h, double x, double y,
		  struct viz_hit *out);
/** Event list (events.c). @param v view @param cr context @param w width @param h height */
void vr_draw_events(const struct viz_view *v, cairo_t *cr, double w, double h);
/** Hit test of events.c. @param v view @param w width @param h height @param x point @param y point @param out result @return hit */
bool vr_hit_events(const struct viz_view *v, double w, double h, double x, double y,
		   struct viz_hit *out);
/** Disk (disk.c). @param v view @param cr context @param w width @param h height */
void vr_draw_disk(const struct viz_view *v, cairo_t *cr, double w, double h);
/** Hit test of disk.c. @param v view @param w width @param h height @param x point @param y point @param out result @return hit */
bool vr_hit_disk(const struct viz_view *v, double w, double h, double x, double y,
		 struct viz_hit *out);
/** Everything plus the explanation box (layout.c). @param v view @param cr context @param w width @param h height */
void vr_draw_all(const struct viz_view *v, cairo_t *cr, double w, double h);
/** @} */

#endif /* VIZ_RENDER_INTERNAL_H */
