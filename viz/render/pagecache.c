/**
 * @file pagecache.c
 * @brief The page-cache panel: every folio as a row of its blocks, each
 *        block coloured by its iomap_folio_state bits, each folio showing
 *        its position, order, and whether it is locked or under writeback.
 *
 * One folio row, as drawn:
 *
 *    0x83:16 pos 0x10000 order 2, last: write      [LOCKED] [WRITEBACK]
 *    +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 *    |  |  |  |  |  |  |  |  |  |  |  |  |  |  |  |  |   one cell per block:
 *    +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+   empty / uptodate / dirty
 *
 * Every block cell has the same width in every row, so a folio of order 2
 * is four times as wide as one of order 0 with the same block size; when
 * the largest folio has more blocks than fit in a line, its blocks wrap
 * onto several lines.  The label is ino:index (the index in decimal, as
 * the kernel's folio traces print it), the byte position, the order, and
 * what last changed the folio's blocks.  A locked folio gets a VIZ_C_LOCKED frame and badge,
 * one under writeback a VIZ_C_WRITEBACK frame and badge; frames sit
 * outside the cells so that a cell's centre always shows its state
 * colour (the tests read those pixels, viz_pagecache_block_rect()).
 *
 * Too many folios to fit: the rows shown are a window around the folio
 * changed last, with "N more above / below" counts.  A kernel trace has no
 * folio_state events; the panel then says that per-block state is unknown.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <iomap/types.h>

#include "render-internal.h"

/* Narrowest and widest a block cell may be. */
#define MIN_CELL 3.0
#define MAX_CELL 26.0

/* Gap between two folio tiles on one line (the frames need 4 each side). */
#define TILE_GAP 12.0

/* The geometry of one frame of the panel (pure function of state, w, h). */
struct pc_layout {
	double x0;          /* left of the cells */
	double label_h;     /* the label line above a folio's cells */
	double row_h;       /* a line of folios, gap included */
	double cell_w;      /* width of one block cell */
	double line_h;      /* height of one line of cells */
	unsigned per_line;  /* cells per line */
	bool flow;          /* several folios per line (too many for one each) */
	size_t n;           /* folios */
	size_t first;       /* first folio shown */
	size_t shown;       /* folios shown */
	double *tx, *ty;    /* top left of each shown folio's tile (label line) */
	double note_y;      /* where the header / lack note goes */
	double more_above_y;/* baseline of "N more above", if first > 0 */
	double more_below_y;/* baseline of "N more below" */
	double legend_y;    /* baseline of the legend */
};

static unsigned folio_blocks(const struct viz_folio *f)
{
	unsigned nb = f->nr_blocks ? f->nr_blocks : 1;

	return nb > VIZ_FOLIO_MAX_BLOCKS ? VIZ_FOLIO_MAX_BLOCKS : nb;
}

static double tile_w(const struct pc_layout *L, unsigned nb)
{
	double tw = (nb < L->per_line ? nb : L->per_line) * L->cell_w;

	return L->flow && tw < 24 ? 24 : tw;
}

/*
 * Place folios first, first + 1, ... from (x0, top) while they fit above
 * bottom: one per line, or flowing left to right in flow mode.  Fills
 * tx / ty when given; returns how many fit.
 */
static size_t place(const struct viz_state *s, const struct pc_layout *L, size_t first,
		    double top, double bottom, double w, double *tx, double *ty)
{
	double x = L->x0, y = top;
	size_t k = 0;

	for (size_t i = first; i < L->n; i++, k++) {
		const struct viz_folio *f = viz_state_folio(s, i);
		double tw = tile_w(L, f ? folio_blocks(f) : 1);

		if (k && (!L->flow || x + tw > w - L->x0)) {
			x = L->x0;
			y += L->row_h;
		}
		if (y + L->row_h > bottom + 1e-9)
			break;
		if (tx) {
			tx[k] = x;
			ty[k] = y;
		}
		x += tw + TILE_GAP;
	}
	return k;
}

static void layout_free(struct pc_layout *L)
{
	free(L->tx);
	free(L->ty);
	L->tx = L->ty = NULL;
}

static void layout(const struct viz_view *v, double w, double h, struct pc_layout *L)
{
	const struct viz_state *s = v->state;
	unsigned max_blocks = 1, lines;
	size_t focus = 0, best = 0;
	double top, bottom, avail;

	memset(L, 0, sizeof(*L));
	L->n = viz_state_nr_folios(s);
	for (size_t i = 0; i < L->n; i++) {
		const struct viz_folio *f = viz_state_folio(s, i);

		if (!f)
			continue;
		if (folio_blocks(f) > max_blocks)
			max_blocks = folio_blocks(f);
		if (f->changed_step > best) {
			best = f->changed_step;
			focus = i;
		}
	}
	L->x0 = VR_PAD + 4;
	avail = w - 2 * L->x0;
	if (avail < MIN_CELL)
		avail = MIN_CELL;
	L->per_line = (unsigned)(avail / MIN_CELL);
	if (L->per_line < 1)
		L->per_line = 1;
	if (L->per_line > max_blocks)
		L->per_line = max_blocks;
	L->cell_w = avail / L->per_line;
	if (L->cell_w > MAX_CELL)
		L->cell_w = MAX_CELL;
	lines = (max_blocks + L->per_line - 1) / L->per_line;
	L->line_h = lines == 1 ? 16 : lines <= 4 ? 10 : 5;
	L->label_h = VR_LINE + 6; /* room for the frames around the cells */
	L->row_h = L->label_h + lines * L->line_h + 6;

	top = VR_TITLE_H + 4;
	L->note_y = top;
	/* the header, or the lack note */
	top += viz_state_lacks(s) & VIZ_LACKS_FOLIO_BITS ? VR_NOTE_ROOM : VR_LINE + 8;
	bottom = h - VR_LINE - 4; /* the legend */
	L->legend_y = h - 6;
	L->shown = place(s, L, 0, top, bottom, w, NULL, NULL);
	if (L->shown < L->n) {
		/* too many for one per line: flow them, and if even that is
		 * too many, show a window around the folio changed last */
		L->flow = true;
		L->shown = place(s, L, 0, top, bottom, w, NULL, NULL);
	}
	if (L->shown < L->n) {
		top += VR_LINE; /* "N more above" */
		bottom -= VR_LINE; /* "N more below" */
		L->shown = place(s, L, 0, top, bottom, w, NULL, NULL);
		if (focus >= L->shown) {
			L->first = focus - L->shown / 2;
			L->shown = place(s, L, L->first, top, bottom, w, NULL, NULL);
			if (L->first + L->shown <= focus) {
				L->first = focus;
				L->shown = place(s, L, L->first, top, bottom, w, NULL, NULL);
			}
			/* at the end: pull the window back so that it is full */
			while (L->first > 0 && L->first + L->shown >= L->n &&
			       place(s, L, L->first - 1, top, bottom, w, NULL, NULL) >=
				       L->n - (L->first - 1)) {
				L->first--;
				L->shown = L->n - L->first;
			}
		}
		L->more_above_y = top - 3;
	}
	if (L->shown) {
		L->tx = malloc(L->shown * sizeof(double));
		L->ty = malloc(L->shown * sizeof(double));
		if (!L->tx || !L->ty) {
			layout_free(L);
			L->shown = 0;
		} else {
			place(s, L, L->first, top, bottom, w, L->tx, L->ty);
		}
	}
	L->more_below_y = (L->shown ? L->ty[L->shown - 1] + L->row_h : top) + VR_LINE - 3;
}

/* Rectangle of cell blk of the k-th folio shown. */
static void cell_rect(const struct pc_layout *L, size_t k, unsigned blk, struct viz_rect *out)
{
	double gap = L->cell_w >= 6 ? 1 : 0;
	double ytop = L->ty[k] + L->label_h;

	out->x = L->tx[k] + (blk % L->per_line) * L->cell_w + gap / 2;
	out->y = ytop + (blk / L->per_line) * L->line_h + (L->line_h >= 10 ? 0.5 : 0);
	out->w = L->cell_w - gap;
	out->h = L->line_h - (L->line_h >= 10 ? 1 : 0);
}

/* The box around all the cells of the k-th folio shown. */
static void cells_box(const struct pc_layout *L, size_t k, unsigned nb, struct viz_rect *out)
{
	unsigned lines = (nb + L->per_line - 1) / L->per_line;

	out->x = L->tx[k];
	out->y = L->ty[k] + L->label_h;
	out->w = (nb < L->per_line ? nb : L->per_line) * L->cell_w;
	out->h = lines * L->line_h;
}

static enum viz_colour_id block_colour(const struct viz_state *s, size_t i,
				       const struct viz_folio *f, unsigned blk, bool bits)
{
	if (!bits || !f->nr_blocks) {
		/* per-block state unknown: the folio's own flags stand for all */
		if (f->flags & VIZ_FOLIO_DIRTY)
			return VIZ_C_BLOCK_DIRTY;
		return f->flags & VIZ_FOLIO_UPTODATE ? VIZ_C_BLOCK_UPTODATE : VIZ_C_BLOCK_EMPTY;
	}
	if (viz_folio_block_dirty(s, i, blk))
		return VIZ_C_BLOCK_DIRTY;
	return viz_folio_block_uptodate(s, i, blk) ? VIZ_C_BLOCK_UPTODATE : VIZ_C_BLOCK_EMPTY;
}

static double badge(cairo_t *cr, double xr, double y, const char *text, enum viz_colour_id c)
{
	double tw, x;

	vr_font(cr, false, true, 8.5);
	tw = vr_text_width(cr, text);
	x = xr - tw - 6;
	vr_colour(cr, c);
	cairo_rectangle(cr, x, y - 9, tw + 6, 11);
	cairo_fill(cr);
	cairo_set_source_rgb(cr, 1, 1, 1);
	vr_text(cr, x + 3, y, 0, text);
	return x - 4;
}

static void draw_folio(const struct viz_view *v, cairo_t *cr, const struct pc_layout *L,
		       double w, size_t i, size_t r)
{
	const struct viz_state *s = v->state;
	const struct viz_folio *f = viz_state_folio(s, i);
	bool bits = !(viz_state_lacks(s) & VIZ_LACKS_FOLIO_BITS);
	size_t step = viz_state_step(s);
	double ylab = L->ty[r] + VR_LINE - 3;
	double xr = w - VR_PAD;
	struct viz_rect box, c;
	unsigned nb;

	if (!f)
		return;
	nb = folio_blocks(f);
	if (L->flow) {
		/* a tile: its index only; the frames say locked / writeback */
		vr_colour(cr, VIZ_C_TEXT);
		vr_font(cr, true, false, VR_FONT - 2);
		vr_textf(cr, L->tx[r], ylab, tile_w(L, nb) + TILE_GAP - 2, "%llu",
			 (unsigned long long)f->index);
	} else {
		if (f->flags & VIZ_FOLIO_WRITEBACK)
			xr = badge(cr, xr, ylab, "WRITEBACK", VIZ_C_WRITEBACK);
		if (f->flags & VIZ_FOLIO_LOCKED)
			xr = badge(cr, xr, ylab, "LOCKED", VIZ_C_LOCKED);
		vr_colour(cr, VIZ_C_TEXT);
		vr_font(cr, true, false, VR_FONT - 0.5);
		/* "why" is what last changed its blocks (folio_state), not a flag. */
		vr_textf(cr, L->x0, ylab, xr - L->x0, "0x%llx:%llu pos 0x%llx order %u%s%s",
			 (unsigned long long)f->ino, (unsigned long long)f->index,
			 (unsigned long long)f->index << PAGE_SHIFT, f->order, *f->why ? ", last: " : "",
			 f->why);
	}

	/* one fill per run of equally coloured cells: a 2 MiB folio of 512-byte
	 * blocks is 4096 cells */
	for (unsigned b = 0; b < nb;) {
		enum viz_colour_id col = block_colour(s, i, f, b, bits);

		vr_colour(cr, col);
		do {
			cell_rect(L, r, b, &c);
			cairo_rectangle(cr, c.x, c.y, c.w, c.h);
		} while (++b < nb && block_colour(s, i, f, b, bits) == col);
		cairo_fill(cr);
	}
	cells_box(L, r, nb, &box);
	if (!bits || !f->nr_blocks) {
		/* unknown per-block state: a light hatch across the folio */
		cairo_set_source_rgba(cr, 0.3, 0.3, 0.3, 0.35);
		cairo_set_line_width(cr, 1);
		for (double d = 0; d < box.w; d += 7) {
			cairo_move_to(cr, box.x + d, box.y + box.h);
			cairo_line_to(cr, box.x + d + 4 > box.x + box.w ? box.x + box.w : box.x + d + 4,
				      box.y);
		}
		cairo_stroke(cr);
	}
	if (f->flags & VIZ_FOLIO_LOCKED) {
		vr_colour(cr, VIZ_C_LOCKED);
		cairo_set_line_width(cr, 2);
		cairo_rectangle(cr, box.x - 2, box.y - 2, box.w + 4, box.h + 4);
		cairo_stroke(cr);
	}
	if (f->flags & VIZ_FOLIO_WRITEBACK) {
		static const double dash[] = { 4, 2 };

		vr_colour(cr, VIZ_C_WRITEBACK);
		cairo_set_line_width(cr, 2);
		cairo_set_dash(cr, dash, 2, 0);
		cairo_rectangle(cr, box.x - 4, box.y - 4, box.w + 8, box.h + 8);
		cairo_stroke(cr);
		cairo_set_dash(cr, NULL, 0, 0);
	}
	if (v->flash > 0 && vr_changed_now(s, f->changed_step)) {
		vr_flash(cr, v, box.x - 5, box.y - 5, box.w + 10, box.h + 10);
		if (bits && L->cell_w >= 6 && L->line_h >= 10)
			for (unsigned b = 0; b < nb && b < f->nr_blocks; b++) {
				if (viz_folio_block_changed(s, i, b) != step)
					continue;
				cell_rect(L, r, b, &c);
				cairo_set_source_rgba(cr, 1, 1, 1, v->flash > 1 ? 1 : v->flash);
				cairo_set_line_width(cr, 1.5);
				cairo_rectangle(cr, c.x + 1, c.y + 1, c.w - 2, c.h - 2);
				cairo_stroke(cr);
			}
	}
}

static void legend(cairo_t *cr, double y, double w)
{
	static const struct vr_legend_item items[] = {
		{ VIZ_C_BLOCK_EMPTY, false, "empty" },  { VIZ_C_BLOCK_UPTODATE, false, "uptodate" },
		{ VIZ_C_BLOCK_DIRTY, false, "dirty" },  { VIZ_C_LOCKED, false, "locked" },
		{ VIZ_C_WRITEBACK, false, "writeback" },
	};

	vr_legend(cr, VR_PAD, y, w - VR_PAD, items, sizeof(items) / sizeof(items[0]));
}

void vr_draw_pagecache(const struct viz_view *v, cairo_t *cr, double w, double h)
{
	const struct viz_state *s = v->state;
	struct pc_layout L;
	char buf[128];

	vr_frame(cr, "Page cache: folios and their blocks", w, h);
	layout(v, w, h, &L);
	if (viz_state_lacks(s) & VIZ_LACKS_FOLIO_BITS) {
		vr_note(cr, VR_PAD, L.note_y, w - 2 * VR_PAD,
			"the kernel trace has no folio_state events: per-block state unknown");
	} else {
		snprintf(buf, sizeof(buf), "%zu folio%s in the page cache", L.n, L.n == 1 ? "" : "s");
		if (L.n == 0)
			vr_note(cr, VR_PAD, L.note_y, w - 2 * VR_PAD, "the page cache is empty");
		else {
			vr_colour(cr, VIZ_C_TEXT);
			vr_font(cr, false, false, 10);
			vr_text(cr, VR_PAD, L.note_y + VR_LINE, w - 2 * VR_PAD, buf);
		}
	}
	vr_elision(cr, L.x0, w - 2 * L.x0, L.more_above_y, L.more_below_y, L.first, L.shown, L.n,
		   "folio");
	for (size_t r = 0; r < L.shown; r++)
		draw_folio(v, cr, &L, w, L.first + r, r);
	legend(cr, L.legend_y, w);
	layout_free(&L);
}

bool viz_pagecache_block_rect(const struct viz_view *v, double w, double h, size_t folio,
			      unsigned blk, struct viz_rect *out)
{
	const struct viz_folio *f;
	struct pc_layout L;

	if (!v || !v->state || !out || !(w > 0) || !(h > 0))
		return false;
	f = viz_state_folio(v->state, folio);
	if (!f || blk >= folio_blocks(f))
		return false;
	layout(v, w, h, &L);
	if (folio < L.first || folio >= L.first + L.shown) {
		layout_free(&L);
		return false;
	}
	cell_rect(&L, folio - L.first, blk, out);
	layout_free(&L);
	return true;
}

bool vr_hit_pagecache(const struct viz_view *v, double w, double h, double x, double y,
		      struct viz_hit *out)
{
	struct pc_layout L;
	bool found = false;

	layout(v, w, h, &L);
	for (size_t r = 0; r < L.shown && !found; r++) {
		const struct viz_folio *f = viz_state_folio(v->state, L.first + r);
		struct viz_rect box;
		unsigned nb, line, col;

		if (!f)
			continue;
		nb = folio_blocks(f);
		cells_box(&L, r, nb, &box);
		/* the label line above the cells belongs to the folio too */
		if (y >= box.y - L.label_h && y < box.y && x >= box.x &&
		    x < (L.flow ? box.x + box.w : w - VR_PAD)) {
			out->kind = VIZ_HIT_FOLIO;
			out->index = L.first + r;
			out->sub = 0;
			found = true;
			break;
		}
		if (!vr_in(&box, x, y))
			continue;
		line = (unsigned)((y - box.y) / L.line_h);
		col = (unsigned)((x - box.x) / L.cell_w);
		if (col >= L.per_line || (size_t)line * L.per_line + col >= nb)
			break;
		out->kind = VIZ_HIT_FOLIO;
		out->index = L.first + r;
		out->sub = line * L.per_line + col;
		found = true;
	}
	layout_free(&L);
	return found;
}
