/**
 * @file events.c
 * @brief The event-list panel: viz_store_format() lines around the
 *        current step.
 *
 * Step N is the state after events 0..N-1, so the *current* event, the
 * one just applied, is number N-1: its row is drawn on VIZ_C_CURRENT.
 * Events after it (not yet applied) are drawn in grey.  The first
 * divergent event of a side-by-side comparison (view->divergence) is on
 * VIZ_C_DIVERGENT, the event under the pointer (view->hover_event) is
 * framed.  The rows shown are a window that keeps the current event near
 * the middle; a row's hit (VIZ_HIT_EVENT) is the event's index, so that
 * the app can jump there.
 */
#include <stdio.h>
#include <string.h>

#include "render-internal.h"

struct ev_layout {
	double head_y;   /* baseline of the header */
	double rows_top; /* top of the first row */
	size_t n;        /* events in the store */
	size_t first;    /* first event shown */
	size_t shown;    /* rows shown */
};

static void layout(const struct viz_view *v, double w, double h, struct ev_layout *L)
{
	size_t step = viz_state_step(v->state), fit;

	memset(L, 0, sizeof(*L));
	L->head_y = VR_TITLE_H + 4 + VR_LINE - 2;
	L->rows_top = VR_TITLE_H + 4 + VR_LINE + 4;
	L->n = v->store ? viz_store_count(v->store) : 0;
	fit = h - 3 > L->rows_top ? (size_t)((h - 3 - L->rows_top) / VR_LINE) : 0;
	L->shown = fit < L->n ? fit : L->n;
	L->first = vr_window(L->n, L->shown, step ? step - 1 : 0);
}

void vr_draw_events(const struct viz_view *v, cairo_t *cr, double w, double h)
{
	size_t step = viz_state_step(v->state);
	struct ev_layout L;
	char buf[512];

	vr_frame(cr, "Events", w, h);
	layout(v, w, h, &L);
	if (!v->store) {
		vr_note(cr, VR_PAD, VR_TITLE_H + 4, w - 2 * VR_PAD, "no event store");
		return;
	}
	vr_colour(cr, VIZ_C_TEXT);
	vr_font(cr, false, false, 10);
	if (v->divergence != SIZE_MAX)
		vr_textf(cr, VR_PAD, L.head_y, w - 2 * VR_PAD,
			 "step %zu of %zu; first divergent event #%zu", step, L.n, v->divergence);
	else
		vr_textf(cr, VR_PAD, L.head_y, w - 2 * VR_PAD, "step %zu of %zu%s", step, L.n,
			 viz_store_source(v->store) == VIZ_SRC_KERNEL ? " (kernel trace)" : "");
	vr_font(cr, true, false, VR_FONT - 1);
	for (size_t k = 0; k < L.shown; k++) {
		size_t i = L.first + k;
		double y = L.rows_top + k * VR_LINE;
		bool current = step && i == step - 1;

		if (v->divergence != SIZE_MAX && i == v->divergence) {
			vr_colour(cr, VIZ_C_DIVERGENT);
			cairo_rectangle(cr, 1, y, w - 2, VR_LINE);
			cairo_fill(cr);
		}
		if (current) {
			vr_colour(cr, VIZ_C_CURRENT);
			cairo_rectangle(cr, 1, y, w - 2, VR_LINE);
			cairo_fill(cr);
			if (v->divergence == i) {
				/* both: the divergent colour stays visible as a left bar */
				vr_colour(cr, VIZ_C_DIVERGENT);
				cairo_rectangle(cr, 1, y, 5, VR_LINE);
				cairo_fill(cr);
			}
		}
		if (v->hover_event >= 0 && (size_t)v->hover_event == i) {
			vr_colour(cr, VIZ_C_TEXT);
			cairo_set_line_width(cr, 1);
			cairo_rectangle(cr, 1.5, y + 0.5, w - 3, VR_LINE - 1);
			cairo_stroke(cr);
		}
		if (viz_store_format(v->store, i, buf, sizeof(buf)) < 0)
			snprintf(buf, sizeof(buf), "#%zu (unreadable)", i);
		if (i >= step)
			cairo_set_source_rgb(cr, 0.55, 0.55, 0.58);
		else
			vr_colour(cr, VIZ_C_TEXT);
		vr_text(cr, VR_PAD + 2, y + VR_LINE - 3, w - 2 * VR_PAD - 2, buf);
	}
}

bool vr_hit_events(const struct viz_view *v, double w, double h, double x, double y,
		   struct viz_hit *out)
{
	struct ev_layout L;
	size_t k;

	layout(v, w, h, &L);
	if (!v->store || y < L.rows_top)
		return false;
	k = (size_t)((y - L.rows_top) / VR_LINE);
	if (k >= L.shown)
		return false;
	out->kind = VIZ_HIT_EVENT;
	out->index = L.first + k;
	return true;
}
