/**
 * @file disk.c
 * @brief The disk panel: the sectors touched so far, which bio last wrote
 *        or read each run of them, and whether that bio has completed.
 *
 *    sectors 0x0 .. 0x10880
 *    [b3|≈|   b5 written   |b6 read|≈| b9 ▨▨▨▨ ]   one strip, runs in sector
 *                                                 order, gaps between them
 *                                                 squeezed to a "≈" mark
 *    sectors 0x800-0x87f (64 KiB) written by bio 5, done
 *    ...
 *
 * A disk is mostly untouched and the runs of one scenario are far apart
 * (the commit block near 0, data blocks megabytes away), so the strip
 * scales the runs' lengths to the width and replaces every gap between
 * them by a fixed-width break: each run stays visible however far apart.
 * Colour: VIZ_C_DISK_WRITE / VIZ_C_DISK_READ, solid when the bio is done,
 * striped while it is in flight.  Below, the runs as text, in a window
 * around the one touched last.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render-internal.h"

#define STRIP_H 28.0
#define GAP_W 9.0
#define MIN_RUN_W 3.0

struct dk_layout {
	double note_y;          /* top of the header / lack note */
	struct viz_rect strip;  /* the strip */
	double axis_y;          /* baseline of the sector labels */
	double legend_y;        /* baseline of the legend */
	double list_top;        /* top of the first run row */
	size_t n;               /* runs */
	double scale;           /* pixels per sector beyond the minimum */
	double min_w;           /* minimum width of a run */
	size_t first, shown;    /* window of run rows */
};

/* Two small waves, "≈", in grey inside the GAP_W-wide slot at @x. */
static void gap_mark(cairo_t *cr, double x, double y, double h)
{
	cairo_save(cr);
	cairo_set_source_rgb(cr, 0.45, 0.45, 0.45);
	cairo_set_line_width(cr, 1.2);
	for (int k = 0; k < 2; k++) {
		double yy = y + h / 2 - 2 + 4 * k;

		cairo_move_to(cr, x + 1, yy);
		cairo_curve_to(cr, x + 3, yy - 2.5, x + 4.5, yy - 2.5, x + 4.5, yy);
		cairo_curve_to(cr, x + 4.5, yy + 2.5, x + 6, yy + 2.5, x + GAP_W - 1, yy);
	}
	cairo_stroke(cr);
	cairo_restore(cr);
}


static void layout(const struct viz_view *v, double w, double h, struct dk_layout *L)
{
	const struct viz_state *s = v->state;
	uint64_t total = 0;
	size_t gaps = 0, focus = 0, best = 0, fit;
	double avail;

	memset(L, 0, sizeof(*L));
	L->note_y = VR_TITLE_H + 4;
	L->n = viz_state_nr_disk_runs(s);
	L->strip = (struct viz_rect){ VR_PAD, L->note_y + VR_LINE + 10, w - 2 * VR_PAD, STRIP_H };
	L->axis_y = L->strip.y + L->strip.h + VR_LINE - 1;
	L->legend_y = L->axis_y + VR_LINE + 1;
	L->list_top = L->legend_y + 6;
	for (size_t i = 0; i < L->n; i++) {
		const struct viz_disk_run *r = viz_state_disk_run(s, i);
		const struct viz_disk_run *p = i ? viz_state_disk_run(s, i - 1) : NULL;

		if (!r)
			continue;
		total += r->nr_sectors;
		if (p && r->sector > p->sector + p->nr_sectors)
			gaps++;
		if (r->changed_step >= best) {
			best = r->changed_step;
			focus = i;
		}
	}
	avail = L->strip.w - (double)gaps * GAP_W;
	L->min_w = MIN_RUN_W;
	if (avail <= (double)L->n * MIN_RUN_W)
		L->min_w = 0; /* too many runs for a minimum: plain proportions */
	L->scale = total ? (avail - (double)L->n * L->min_w) / (double)total : 0;
	if (L->scale < 0)
		L->scale = 0;
	fit = h - 3 > L->list_top ? (size_t)((h - 3 - L->list_top) / VR_LINE) : 0;
	L->shown = fit < L->n ? fit : L->n;
	L->first = vr_window(L->n, L->shown, focus);
}

/* Fill xs[i] / ws[i] for every run (caller frees); false on ENOMEM. */
static bool run_geometry(const struct viz_state *s, const struct dk_layout *L, double **xs,
			 double **ws)
{
	double x = L->strip.x;

	*xs = malloc((L->n ? L->n : 1) * sizeof(double));
	*ws = malloc((L->n ? L->n : 1) * sizeof(double));
	if (!*xs || !*ws) {
		free(*xs);
		free(*ws);
		return false;
	}
	for (size_t i = 0; i < L->n; i++) {
		const struct viz_disk_run *r = viz_state_disk_run(s, i);
		const struct viz_disk_run *p = i ? viz_state_disk_run(s, i - 1) : NULL;

		if (r && p && r->sector > p->sector + p->nr_sectors)
			x += GAP_W;
		(*xs)[i] = x;
		(*ws)[i] = r ? L->min_w + (double)r->nr_sectors * L->scale : 0;
		x += (*ws)[i];
	}
	return true;
}

static void draw_strip(const struct viz_view *v, cairo_t *cr, const struct dk_layout *L)
{
	const struct viz_state *s = v->state;
	double *xs, *ws;

	cairo_set_source_rgb(cr, 0.92, 0.92, 0.92);
	cairo_rectangle(cr, L->strip.x, L->strip.y, L->strip.w, L->strip.h);
	cairo_fill(cr);
	if (!L->n || !run_geometry(s, L, &xs, &ws))
		return;
	vr_font(cr, true, false, 8.5);
	for (size_t i = 0; i < L->n; i++) {
		const struct viz_disk_run *r = viz_state_disk_run(s, i);
		const struct viz_disk_run *p = i ? viz_state_disk_run(s, i - 1) : NULL;
		enum viz_colour_id c;
		char id[24];

		if (!r)
			continue;
		c = r->write ? VIZ_C_DISK_WRITE : VIZ_C_DISK_READ;
		if (r->done) {
			vr_colour(cr, c);
			cairo_rectangle(cr, xs[i], L->strip.y, ws[i], L->strip.h);
			cairo_fill(cr);
		} else {
			vr_hatch(cr, xs[i], L->strip.y, ws[i], L->strip.h, c);
		}
		if (p && r->sector > p->sector + p->nr_sectors) {
			/* the squeezed gap: a grey "≈", unlike the stripes of a bio in flight */
			gap_mark(cr, xs[i] - GAP_W, L->strip.y, L->strip.h);
		}
		if (r->done && r->status) {
			/* the bio failed: what it meant to write may not be there */
			vr_colour(cr, VIZ_C_INVERSION);
			cairo_set_line_width(cr, 2);
			cairo_rectangle(cr, xs[i] + 1, L->strip.y + 1, ws[i] - 2, L->strip.h - 2);
			cairo_move_to(cr, xs[i] + 1, L->strip.y + 1);
			cairo_line_to(cr, xs[i] + ws[i] - 1, L->strip.y + L->strip.h - 1);
			cairo_stroke(cr);
		}
		snprintf(id, sizeof(id), "b%llu", (unsigned long long)r->bio);
		if (ws[i] > vr_text_width(cr, id) + 4) {
			cairo_set_source_rgb(cr, 1, 1, 1);
			vr_text(cr, xs[i] + 2, L->strip.y + L->strip.h / 2 + 3, 0, id);
		}
		if (v->flash > 0 && vr_changed_now(s, r->changed_step))
			vr_flash(cr, v, xs[i], L->strip.y, ws[i], L->strip.h);
	}
	free(xs);
	free(ws);
}

void vr_draw_disk(const struct viz_view *v, cairo_t *cr, double w, double h)
{
	const struct viz_state *s = v->state;
	const struct viz_disk_run *a, *b;
	struct dk_layout L;
	char sz[32];

	vr_frame(cr, "Disk: sectors and the bios that touched them", w, h);
	layout(v, w, h, &L);
	if (viz_state_lacks(s) & VIZ_LACKS_BIOS) {
		vr_note(cr, VR_PAD, L.note_y, w - 2 * VR_PAD,
			"the kernel trace has no bio_* events: disk writes unknown");
		return;
	}
	if (!L.n) {
		vr_note(cr, VR_PAD, L.note_y, w - 2 * VR_PAD, "no sector touched yet");
		return;
	}
	a = viz_state_disk_run(s, 0);
	b = viz_state_disk_run(s, L.n - 1);
	vr_colour(cr, VIZ_C_TEXT);
	vr_font(cr, false, false, 10);
	vr_textf(cr, VR_PAD, L.note_y + VR_LINE, w - 2 * VR_PAD, "%zu run%s of sectors touched", L.n,
		 L.n == 1 ? "" : "s");
	draw_strip(v, cr, &L);
	vr_colour(cr, VIZ_C_TEXT);
	vr_font(cr, true, false, VR_FONT - 1.5);
	if (a && b) {
		char hi[40];
		double tw;

		vr_textf(cr, L.strip.x, L.axis_y, L.strip.w / 2, "0x%llx", (unsigned long long)a->sector);
		snprintf(hi, sizeof(hi), "0x%llx", (unsigned long long)(b->sector + b->nr_sectors));
		tw = vr_text_width(cr, hi);
		vr_text(cr, L.strip.x + L.strip.w - tw, L.axis_y, 0, hi);
	}
	/* legend, then the mark of a gap left out of the strip if there is room */
	{
		static const struct vr_legend_item items[] = {
			{ VIZ_C_DISK_WRITE, false, "written" },
			{ VIZ_C_DISK_READ, false, "read" },
			{ VIZ_C_DISK_WRITE, true, "in flight" },
		};
		double x = vr_legend(cr, VR_PAD, L.legend_y, w - 2 * VR_PAD, items, 3);

		if (x + 120 < w - VR_PAD) {
			gap_mark(cr, x, L.legend_y - 11, 12);
			vr_colour(cr, VIZ_C_TEXT);
			vr_font(cr, false, false, 9);
			vr_text(cr, x + 12, L.legend_y, w - VR_PAD - x - 12, "gap, not to scale");
		}
	}

	vr_font(cr, true, false, VR_FONT - 1.5);
	for (size_t k = 0; k < L.shown; k++) {
		const struct viz_disk_run *r = viz_state_disk_run(s, L.first + k);
		double y = L.list_top + (k + 1) * VR_LINE - 3;

		if (!r)
			continue;
		if (r->done && r->status) {
			vr_colour(cr, VIZ_C_INVERSION);
			vr_textf(cr, VR_PAD, y, w - 2 * VR_PAD,
				 "sectors 0x%llx-0x%llx (%s): bio %llu FAILED %lld (%s)",
				 (unsigned long long)r->sector,
				 (unsigned long long)(r->sector + r->nr_sectors -
						      (r->nr_sectors ? 1 : 0)),
				 vr_size(r->nr_sectors * 512, sz, sizeof(sz)),
				 (unsigned long long)r->bio, (long long)r->status,
				 strerror((int)-r->status));
			continue;
		}
		vr_colour(cr, VIZ_C_TEXT);
		vr_textf(cr, VR_PAD, y, w - 2 * VR_PAD,
			 "sectors 0x%llx-0x%llx (%s) %s by bio %llu, %s",
			 (unsigned long long)r->sector,
			 (unsigned long long)(r->sector + r->nr_sectors - (r->nr_sectors ? 1 : 0)),
			 vr_size(r->nr_sectors * 512, sz, sizeof(sz)), r->write ? "written" : "read",
			 (unsigned long long)r->bio, r->done ? "done" : "in flight");
	}
}

bool vr_hit_disk(const struct viz_view *v, double w, double h, double x, double y,
		 struct viz_hit *out)
{
	struct dk_layout L;
	double *xs, *ws;
	bool found = false;

	layout(v, w, h, &L);
	if (viz_state_lacks(v->state) & VIZ_LACKS_BIOS)
		return false;
	if (vr_in(&L.strip, x, y)) {
		if (!L.n || !run_geometry(v->state, &L, &xs, &ws))
			return false;
		for (size_t i = 0; i < L.n && !found; i++)
			if (x >= xs[i] && x < xs[i] + ws[i]) {
				out->kind = VIZ_HIT_DISK;
				out->index = i;
				found = true;
			}
		free(xs);
		free(ws);
		return found;
	}
	if (y >= L.list_top) {
		size_t k = (size_t)((y - L.list_top) / VR_LINE);

		if (k < L.shown) {
			out->kind = VIZ_HIT_DISK;
			out->index = L.first + k;
			return true;
		}
	}
	return false;
}
