/**
 * @file layout.c
 * @brief VIZ_PANEL_ALL: the six panels in a grid, as the window shows
 *        them, plus a box with the scenario's title, its explanation
 *        (word-wrapped), the seed section it illustrates, where the
 *        timeline is, and the colour legend.
 *
 *    +-----------+-----------+-----------+---------+
 *    | iterator  | page cache| ioends    | title   |
 *    |           |           |           | explan- |
 *    +-----------+-----------+-----------+ ation   |
 *    | locks     | events    | disk      | seed    |
 *    |           |           |           | legend  |
 *    +-----------+-----------+-----------+---------+
 *
 * viz_panel_layout() is the one place that decides this geometry: the
 * drawing below, viz_hit_test(VIZ_PANEL_ALL, ...) and the app all use it.
 */
#include <stdio.h>
#include <string.h>

#include "render-internal.h"

#define GAP 4.0

void viz_panel_layout(double w, double h, struct viz_rect out[VIZ_NR_PANELS])
{
	static const int order[6] = { VIZ_PANEL_ITER,  VIZ_PANEL_PAGECACHE, VIZ_PANEL_IOEND,
				      VIZ_PANEL_LOCKS, VIZ_PANEL_EVENTS,    VIZ_PANEL_DISK };
	double side, gw, cw, rh;

	if (!out)
		return;
	if (!(w > 0))
		w = 0;
	if (!(h > 0))
		h = 0;
	side = w * 0.2;
	if (side < 180)
		side = w < 600 ? w * 0.3 : 180;
	if (side > 320)
		side = 320;
	gw = w - side - GAP;
	if (gw < 0)
		gw = 0;
	cw = gw > 2 * GAP ? (gw - 2 * GAP) / 3 : 0;
	rh = h > GAP ? (h - GAP) / 2 : 0;
	for (int k = 0; k < 6; k++)
		out[order[k]] = (struct viz_rect){ (k % 3) * (cw + GAP), (k / 3) * (rh + GAP), cw, rh };
	out[VIZ_PANEL_ALL] = (struct viz_rect){ w - side, 0, side, h };
}

/* Draw @p text word-wrapped into [x, x + w) from baseline y, at most
 * until ymax; returns the baseline after the last line. */
static double wrap(cairo_t *cr, const char *text, double x, double y, double w, double ymax,
		   double lh)
{
	char line[512];
	const char *p = text;

	while (*p && y <= ymax) {
		size_t n = 0, last_fit = 0;
		const char *q = p;

		while (*q == ' ')
			q++;
		p = q;
		/* grow the line word by word while it fits */
		for (;;) {
			const char *e = q;
			size_t wl;

			while (*e && *e != ' ' && *e != '\n')
				e++;
			wl = (size_t)(e - q);
			if (n + wl + 2 >= sizeof(line)) {
				if (n)
					break;
				wl = sizeof(line) - 2; /* one huge word: keep its start */
			}
			if (n)
				line[n++] = ' ';
			memcpy(line + n, q, wl);
			n += wl;
			line[n] = '\0';
			if (vr_text_width(cr, line) > w && last_fit)
				break;
			last_fit = n;
			q = e;
			while (*q == ' ')
				q++;
			if (!*q || *e == '\n' || *q == '\n')
				break;
		}
		if (!last_fit) /* nothing fitted: a lone long word, cut */
			last_fit = n;
		line[last_fit] = '\0';
		vr_text(cr, x, y, w, line);
		y += lh;
		p = q;
		if (*p == '\n')
			p++;
	}
	return y;
}

/* Every colour of the palette that means something, two per line. */
static void draw_legend(cairo_t *cr, double x, double y, double w)
{
	static const struct vr_legend_item items[] = {
		{ VIZ_C_BLOCK_EMPTY, false, "block empty" },
		{ VIZ_C_BLOCK_UPTODATE, false, "block uptodate" },
		{ VIZ_C_BLOCK_DIRTY, false, "block dirty" },
		{ VIZ_C_WRITEBACK, false, "writeback / in flight" },
		{ VIZ_C_LOCKED, false, "locked / held" },
		{ VIZ_C_WAITING, false, "waited for" },
		{ VIZ_C_INVERSION, false, "lock-order report" },
		{ VIZ_C_HOLE, false, "HOLE" },
		{ VIZ_C_DELALLOC, false, "DELALLOC" },
		{ VIZ_C_MAPPED, false, "MAPPED" },
		{ VIZ_C_UNWRITTEN, false, "UNWRITTEN" },
		{ VIZ_C_INLINE, false, "INLINE" },
		{ VIZ_C_DISK_WRITE, false, "disk written" },
		{ VIZ_C_DISK_READ, false, "disk read" },
	};
	const size_t n = sizeof(items) / sizeof(items[0]);
	double colw = w / 2;

	/* one legend of one item per grid cell, so that the columns line up */
	for (size_t i = 0; i < n; i++)
		vr_legend(cr, x + (i % 2) * colw, y + (i / 2) * 12, colw - 2, &items[i], 1);
}

/*
 * What the reader should not take on trust, in red: events the tracer
 * lost, a last line dropped, events that broke an ioend or lock life
 * cycle (the picture around them may be wrong).
 */
static double draw_warnings(const struct viz_view *v, cairo_t *cr, double y, double w,
			    double legend_top)
{
	size_t lost = v->store ? viz_store_lost_events(v->store) : 0;
	size_t bad = viz_state_nr_anomalies(v->state);
	const char *warn = v->store ? viz_store_warning(v->store) : NULL;
	char buf[320];

	vr_font(cr, false, false, 10);
	cairo_set_source_rgb(cr, 0.75, 0.1, 0.1);
	if (lost && y < legend_top - VR_LINE) {
		y += 4;
		snprintf(buf, sizeof(buf), "the tracer lost %zu events: the picture may miss steps",
			 lost);
		y = wrap(cr, buf, VR_PAD, y, w - 2 * VR_PAD, legend_top - VR_LINE, VR_LINE);
	}
	if (warn && y < legend_top - VR_LINE) {
		y += 4;
		y = wrap(cr, warn, VR_PAD, y, w - 2 * VR_PAD, legend_top - VR_LINE, VR_LINE);
	}
	if (bad && y < legend_top - VR_LINE) {
		y += 4;
		snprintf(buf, sizeof(buf),
			 "%zu events so far broke the ioend or lock life cycle: the panels "
			 "around them may be wrong", bad);
		y = wrap(cr, buf, VR_PAD, y, w - 2 * VR_PAD, legend_top - VR_LINE, VR_LINE);
	}
	return y;
}

static void draw_explanation(const struct viz_view *v, cairo_t *cr, double w, double h)
{
	const struct viz_state *s = v->state;
	double y, legend_top = h - 7 * 12 - 8;
	const char *op = viz_state_op(s);

	vr_frame(cr, v->title && *v->title ? v->title : "iomap visualiser", w, h);
	y = VR_TITLE_H + 4 + VR_LINE;
	vr_colour(cr, VIZ_C_TEXT);
	vr_font(cr, false, false, 10);
	vr_textf(cr, VR_PAD, y, w - 2 * VR_PAD, "step %zu of %zu", viz_state_step(s),
		 v->store ? viz_store_count(v->store) : viz_state_step(s));
	y += VR_LINE;
	vr_textf(cr, VR_PAD, y, w - 2 * VR_PAD, "operation %zu: %s", viz_state_nr_ops(s),
		 op && *op ? op : "-");
	y += VR_LINE + 6;
	if (v->explanation && *v->explanation) {
		vr_font(cr, false, false, 10.5);
		y = wrap(cr, v->explanation, VR_PAD, y, w - 2 * VR_PAD, legend_top - 2 * VR_LINE, 14);
		y += 4;
	}
	if (v->seed_ref && *v->seed_ref && y < legend_top - VR_LINE) {
		vr_font(cr, false, true, 10);
		vr_text(cr, VR_PAD, y, 0, "Seed:");
		vr_font(cr, false, false, 10);
		y = wrap(cr, v->seed_ref, VR_PAD + 36, y, w - 2 * VR_PAD - 36, legend_top - VR_LINE,
			 VR_LINE);
	}
	y = draw_warnings(v, cr, y, w, legend_top);
	if (legend_top > y)
		draw_legend(cr, VR_PAD, legend_top + 12, w - 2 * VR_PAD);
}

void vr_draw_all(const struct viz_view *v, cairo_t *cr, double w, double h)
{
	struct viz_rect r[VIZ_NR_PANELS];

	viz_panel_layout(w, h, r);
	cairo_set_source_rgb(cr, 0.80, 0.81, 0.84);
	cairo_paint(cr);
	for (int i = 0; i < VIZ_NR_PANELS; i++) {
		if (!(r[i].w > 0) || !(r[i].h > 0))
			continue;
		cairo_save(cr);
		cairo_translate(cr, r[i].x, r[i].y);
		cairo_rectangle(cr, 0, 0, r[i].w, r[i].h);
		cairo_clip(cr);
		if (i == VIZ_PANEL_ALL)
			draw_explanation(v, cr, r[i].w, r[i].h);
		else
			viz_render((enum viz_panel)i, v, cr, r[i].w, r[i].h);
		cairo_restore(cr);
	}
}
