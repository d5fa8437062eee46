/**
 * @file ioend.c
 * @brief The ioend panel: writeback's I/O as ioends, their bios and the
 *        completion batches.
 *
 * Each ioend is a box with its file range, disk sector range, flags and
 * stage; its stage chooses the colour of the stripe on its left:
 *
 *    building --ioend_submit--> submitted --bio end--> completed
 *        (ioend_new/_grow)                                 |
 *                             merged <--ioend_merge--------+
 *                               |                          |
 *                               +----ioend_finish-----> finished
 *
 * An ioend merged by iomap_ioend_try_merge() is drawn indented under the
 * head of its chain (`into`), joined to it by a line, so that the chain the
 * completion handler walks is visible.  Below the boxes: the bios of the
 * operation (in flight or done) and the workqueue items that complete
 * them (the filesystem's completion batch).  Too many ioends: a window
 * around the one changed last, with counts of those left out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render-internal.h"

#define BOX_H 30.0
#define BOX_GAP 4.0
#define INDENT 22.0
#define MAX_BIO_ROWS 4
#define MAX_WORK_ROWS 3

struct io_layout {
	size_t n;           /* ioends */
	size_t *order;      /* drawing order: position -> ioend index (NULL: identity) */
	bool *indented;     /* per position: a merged member under its head */
	size_t first, shown;/* window over positions */
	double note_y;      /* header line top */
	double boxes_top;   /* top of the first box */
	double more_above_y, more_below_y; /* baselines of the elision lines */
	double bios_y;      /* baseline of the bios header */
	size_t bio_first, bio_shown;
	double works_y;     /* baseline of the works header */
	size_t work_first, work_shown;
	double legend_y;    /* baseline of the stage legend (0: none) */
};

static enum viz_colour_id stage_colour(enum viz_ioend_stage st)
{
	switch (st) {
	case VIZ_IOEND_BUILDING:
		return VIZ_C_BLOCK_DIRTY;
	case VIZ_IOEND_SUBMITTED:
		return VIZ_C_WRITEBACK;
	case VIZ_IOEND_COMPLETED:
		return VIZ_C_UNWRITTEN;
	case VIZ_IOEND_MERGED:
		return VIZ_C_BLOCK_EMPTY;
	case VIZ_IOEND_FINISHED:
	default:
		return VIZ_C_BLOCK_UPTODATE;
	}
}

/* One swatch per stage, in life-cycle order, along the bottom of the panel. */
static void stage_legend(cairo_t *cr, double y, double w)
{
	struct vr_legend_item items[VIZ_IOEND_FINISHED + 1];

	for (int st = VIZ_IOEND_BUILDING; st <= VIZ_IOEND_FINISHED; st++)
		items[st] = (struct vr_legend_item){
			.colour = stage_colour((enum viz_ioend_stage)st),
			.label = vr_ioend_stage_name((enum viz_ioend_stage)st),
		};
	vr_legend(cr, VR_PAD, y, w - VR_PAD, items, VIZ_IOEND_FINISHED + 1);
}

/* An ioend by the id it is known by (a head's id, a member's into). */
struct id_pos {
	int64_t key;
	size_t index;
};

static int id_pos_cmp(const void *pa, const void *pb)
{
	const struct id_pos *x = pa, *y = pb;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

/* The first entry of sorted @a (n entries) whose key is @key, or n. */
static size_t id_pos_lower(const struct id_pos *a, size_t n, int64_t key)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (a[mid].key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Heads in creation order, each followed by the ioends merged into it.
 *
 * A head is an ioend with into < 0; a member (into >= 0) goes under every
 * head with that id, and stays at the top level if there is none (its
 * head was merged itself, or the trace lacks it).  Heads and members are
 * sorted by id once, so the whole order costs O(n log n).  The order
 * never grows past n entries: a trace that reuses an id could otherwise
 * place a member under two heads.
 */
static void chain_order(const struct viz_state *s, struct io_layout *L)
{
	struct id_pos *heads, *members;
	size_t k = 0, cap = L->n, nh = 0, nm = 0;

	L->order = malloc(L->n * sizeof(*L->order));
	L->indented = calloc(L->n, sizeof(*L->indented));
	heads = malloc(L->n * sizeof(*heads));
	members = malloc(L->n * sizeof(*members));
	if (!L->order || !L->indented || !heads || !members) {
		free(L->order);
		free(L->indented);
		L->order = NULL;
		L->indented = NULL;
		goto out;
	}
	for (size_t i = 0; i < L->n; i++) {
		const struct viz_ioend *e = viz_state_ioend(s, i);

		if (!e)
			continue;
		if (e->into < 0)
			heads[nh++] = (struct id_pos){ (int64_t)e->id, i };
		else
			members[nm++] = (struct id_pos){ e->into, i };
	}
	qsort(heads, nh, sizeof(*heads), id_pos_cmp);
	qsort(members, nm, sizeof(*members), id_pos_cmp);
	for (size_t i = 0; i < L->n && k < cap; i++) {
		const struct viz_ioend *e = viz_state_ioend(s, i);
		size_t j;

		if (!e)
			continue;
		if (e->into >= 0) {
			j = id_pos_lower(heads, nh, e->into);
			if (j == nh || heads[j].key != e->into)
				L->order[k++] = i; /* no head to go under */
			continue;          /* else placed under its head */
		}
		L->order[k++] = i;
		for (j = id_pos_lower(members, nm, (int64_t)e->id);
		     j < nm && members[j].key == (int64_t)e->id && k < cap; j++) {
			L->indented[k] = true;
			L->order[k++] = members[j].index;
		}
	}
	L->n = k; /* (equal unless an accessor returned NULL) */
out:
	free(heads);
	free(members);
}

static size_t pos_to_index(const struct io_layout *L, size_t p)
{
	return L->order ? L->order[p] : p;
}

static void layout_free(struct io_layout *L)
{
	free(L->order);
	free(L->indented);
	L->order = NULL;
	L->indented = NULL;
}

static void layout(const struct viz_view *v, double w, double h, struct io_layout *L)
{
	const struct viz_state *s = v->state;
	size_t nb = viz_state_nr_bios(s), nw = viz_state_nr_works(s);
	size_t focus = 0, best = 0, fit;
	double y = VR_TITLE_H + 4, bottom;

	memset(L, 0, sizeof(*L));
	L->n = viz_state_nr_ioends(s);
	if (L->n)
		chain_order(s, L);
	L->note_y = y;
	y += viz_state_lacks(s) & VIZ_LACKS_IOEND_CHAIN ? VR_NOTE_ROOM : VR_LINE + 8;
	/* bottom up: works, then bios */
	L->work_shown = nw < MAX_WORK_ROWS ? nw : MAX_WORK_ROWS;
	L->work_first = nw - L->work_shown;
	L->bio_shown = nb < MAX_BIO_ROWS ? nb : MAX_BIO_ROWS;
	L->bio_first = nb - L->bio_shown;
	bottom = h - 4;
	if (L->n && h > VR_TITLE_H + 6 * VR_LINE) {
		/* the stage colours, so that a box's stripe can be read */
		L->legend_y = h - 6;
		bottom -= VR_LINE;
	}
	if (nw) {
		bottom -= (L->work_shown + 1) * VR_LINE + 2;
		L->works_y = bottom + VR_LINE;
	}
	if (nb) {
		bottom -= (L->bio_shown + 1) * VR_LINE + 2;
		L->bios_y = bottom + VR_LINE;
	}
	for (size_t p = 0; p < L->n; p++) {
		const struct viz_ioend *e = viz_state_ioend(s, pos_to_index(L, p));

		if (e && e->changed_step >= best) {
			best = e->changed_step;
			focus = p;
		}
	}
	fit = bottom > y ? (size_t)((bottom - y) / (BOX_H + BOX_GAP)) : 0;
	if (fit < L->n) {
		fit = bottom - y > 2 * VR_LINE ?
			      (size_t)((bottom - y - 2 * VR_LINE) / (BOX_H + BOX_GAP)) :
			      0;
		L->first = vr_window(L->n, fit, focus);
		L->more_above_y = y + VR_LINE - 3;
		y += VR_LINE;
	}
	L->shown = fit < L->n ? fit : L->n;
	L->boxes_top = y;
	L->more_below_y = y + L->shown * (BOX_H + BOX_GAP) + VR_LINE - 3;
}

static void box_rect(const struct io_layout *L, double w, size_t r, struct viz_rect *out)
{
	double ind = L->indented && L->indented[L->first + r] ? INDENT : 0;

	out->x = VR_PAD + ind;
	out->y = L->boxes_top + r * (BOX_H + BOX_GAP);
	out->w = w - 2 * VR_PAD - ind;
	out->h = BOX_H;
}

static void draw_box(const struct viz_view *v, cairo_t *cr, const struct viz_ioend *e,
		     const struct viz_rect *b)
{
	enum viz_colour_id c = stage_colour(e->stage);
	char sz[32];

	vr_colour_a(cr, c, 0.22);
	cairo_rectangle(cr, b->x, b->y, b->w, b->h);
	cairo_fill(cr);
	vr_colour(cr, c);
	cairo_rectangle(cr, b->x, b->y, 5, b->h);
	cairo_fill(cr);
	if (e->error)
		vr_colour(cr, VIZ_C_INVERSION);
	else
		cairo_set_source_rgb(cr, 0.45, 0.45, 0.5);
	cairo_set_line_width(cr, e->error ? 2 : 1);
	cairo_rectangle(cr, b->x + 0.5, b->y + 0.5, b->w - 1, b->h - 1);
	cairo_stroke(cr);
	vr_colour(cr, VIZ_C_TEXT);
	vr_font(cr, true, true, VR_FONT - 0.5);
	vr_textf(cr, b->x + 9, b->y + 12, b->w - 12, "ioend %llu %s%s%s", (unsigned long long)e->id,
		 vr_ioend_stage_name(e->stage), *e->flags ? " " : "", e->flags);
	vr_font(cr, true, false, VR_FONT - 1);
	vr_textf(cr, b->x + 9, b->y + 25, b->w - 12, "file 0x%llx-0x%llx (%s) sectors 0x%llx-0x%llx",
		 (unsigned long long)e->offset, (unsigned long long)(e->offset + e->size),
		 vr_size(e->size, sz, sizeof(sz)), (unsigned long long)e->sector,
		 (unsigned long long)(e->sector + (e->size + 511) / 512));
	if (e->bio >= 0 || e->into >= 0 || e->error || e->nr_folios) {
		/* the right-hand tags: bio, chain head, folios, error */
		char tags[96];
		double tw;
		int n = 0;

		tags[0] = '\0';
		if (e->bio >= 0)
			n += snprintf(tags + n, sizeof(tags) - (size_t)n, "bio %lld ", (long long)e->bio);
		if (e->nr_folios && n < (int)sizeof(tags))
			n += snprintf(tags + n, sizeof(tags) - (size_t)n, "%u folio%s ", e->nr_folios,
				      e->nr_folios == 1 ? "" : "s");
		if (e->into >= 0 && n < (int)sizeof(tags))
			n += snprintf(tags + n, sizeof(tags) - (size_t)n, "into %lld ",
				      (long long)e->into);
		if (e->error && n < (int)sizeof(tags))
			snprintf(tags + n, sizeof(tags) - (size_t)n, "error %lld", (long long)e->error);
		vr_font(cr, true, false, VR_FONT - 1.5);
		tw = vr_text_width(cr, tags);
		if (tw < b->w * 0.5) {
			vr_colour(cr, e->error ? VIZ_C_INVERSION : VIZ_C_TEXT);
			vr_text(cr, b->x + b->w - tw - 4, b->y + 12, 0, tags);
		}
	}
	if (v->flash > 0 && vr_changed_now(v->state, e->changed_step))
		vr_flash(cr, v, b->x, b->y, b->w, b->h);
}

static void draw_bios(const struct viz_view *v, cairo_t *cr, const struct io_layout *L, double w)
{
	const struct viz_state *s = v->state;
	size_t nb = viz_state_nr_bios(s);
	char sz[32];

	vr_colour(cr, VIZ_C_TEXT);
	vr_font(cr, false, true, 10);
	vr_textf(cr, VR_PAD, L->bios_y, w - 2 * VR_PAD, "bios: %zu%s", nb,
		 L->bio_first ? " (the last shown)" : "");
	vr_font(cr, true, false, VR_FONT - 1);
	for (size_t k = 0; k < L->bio_shown; k++) {
		const struct viz_bio *b = viz_state_bio(s, L->bio_first + k);
		double y = L->bios_y + (k + 1) * VR_LINE;

		if (!b)
			continue;
		if (b->done) {
			vr_colour(cr, b->status ? VIZ_C_INVERSION : VIZ_C_BLOCK_UPTODATE);
			cairo_rectangle(cr, VR_PAD, y - 8, 8, 8);
			cairo_fill(cr);
		} else {
			vr_hatch(cr, VR_PAD, y - 8, 8, 8, VIZ_C_WRITEBACK);
		}
		vr_colour(cr, VIZ_C_TEXT);
		if (b->done)
			vr_textf(cr, VR_PAD + 12, y, w - 2 * VR_PAD - 12,
				 "bio %llu %s sector 0x%llx %s done, status %lld%s",
				 (unsigned long long)b->id, b->op, (unsigned long long)b->sector,
				 vr_size(b->size, sz, sizeof(sz)), (long long)b->status,
				 b->dio >= 0 ? " (dio)" : "");
		else
			vr_textf(cr, VR_PAD + 12, y, w - 2 * VR_PAD - 12,
				 "bio %llu %s sector 0x%llx %s in flight%s", (unsigned long long)b->id,
				 b->op, (unsigned long long)b->sector, vr_size(b->size, sz, sizeof(sz)),
				 b->dio >= 0 ? " (dio)" : "");
		if (v->flash > 0 && vr_changed_now(s, b->changed_step))
			vr_flash(cr, v, VR_PAD, y - 10, w - 2 * VR_PAD, VR_LINE);
	}
}

static void draw_works(const struct viz_view *v, cairo_t *cr, const struct io_layout *L,
		       double w)
{
	static const char *const st[] = { "queued", "running", "done" };
	const struct viz_state *s = v->state;

	vr_colour(cr, VIZ_C_TEXT);
	vr_font(cr, false, true, 10);
	vr_textf(cr, VR_PAD, L->works_y, w - 2 * VR_PAD, "completion work: %zu item%s",
		 viz_state_nr_works(s), viz_state_nr_works(s) == 1 ? "" : "s");
	vr_font(cr, true, false, VR_FONT - 1);
	for (size_t k = 0; k < L->work_shown; k++) {
		const struct viz_work *wk = viz_state_work(s, L->work_first + k);
		double y = L->works_y + (k + 1) * VR_LINE;

		if (!wk)
			continue;
		vr_colour(cr, wk->stage == 2 ? VIZ_C_BLOCK_UPTODATE :
			      wk->stage == 1 ? VIZ_C_WRITEBACK : VIZ_C_WAITING);
		cairo_rectangle(cr, VR_PAD, y - 8, 8, 8);
		cairo_fill(cr);
		vr_colour(cr, VIZ_C_TEXT);
		vr_textf(cr, VR_PAD + 12, y, w - 2 * VR_PAD - 12, "%s: %s %s", wk->wq, wk->func,
			 wk->stage >= 0 && wk->stage <= 2 ? st[wk->stage] : "?");
		if (v->flash > 0 && vr_changed_now(s, wk->changed_step))
			vr_flash(cr, v, VR_PAD, y - 10, w - 2 * VR_PAD, VR_LINE);
	}
}

void vr_draw_ioend(const struct viz_view *v, cairo_t *cr, double w, double h)
{
	const struct viz_state *s = v->state;
	struct io_layout L;

	vr_frame(cr, "ioend chains, bios and completion", w, h);
	layout(v, w, h, &L);
	if (viz_state_lacks(s) & VIZ_LACKS_IOEND_CHAIN)
		vr_note(cr, VR_PAD, L.note_y, w - 2 * VR_PAD,
			"the kernel trace has no ioend_* events: ioend chains, merges and completions unknown");
	else if (!L.n)
		vr_note(cr, VR_PAD, L.note_y, w - 2 * VR_PAD, "no ioend in this operation (writeback builds them)");
	else {
		vr_colour(cr, VIZ_C_TEXT);
		vr_font(cr, false, false, 10);
		vr_textf(cr, VR_PAD, L.note_y + VR_LINE, w - 2 * VR_PAD, "%zu ioend%s", L.n,
			 L.n == 1 ? "" : "s");
	}
	vr_elision(cr, VR_PAD, w - 2 * VR_PAD, L.more_above_y, L.more_below_y, L.first, L.shown,
		   L.n, NULL);
	for (size_t r = 0; r < L.shown; r++) {
		const struct viz_ioend *e = viz_state_ioend(s, pos_to_index(&L, L.first + r));
		struct viz_rect b;

		if (!e)
			continue;
		box_rect(&L, w, r, &b);
		if (L.indented && L.indented[L.first + r]) {
			/* the chain link, up to the box above (the head or a sibling) */
			vr_colour(cr, VIZ_C_TEXT);
			cairo_set_line_width(cr, 1.5);
			cairo_move_to(cr, VR_PAD + INDENT / 2, b.y - BOX_GAP - (r ? BOX_H / 2 : 0));
			cairo_line_to(cr, VR_PAD + INDENT / 2, b.y + BOX_H / 2);
			cairo_line_to(cr, b.x, b.y + BOX_H / 2);
			cairo_stroke(cr);
		}
		draw_box(v, cr, e, &b);
	}
	if (viz_state_nr_bios(s))
		draw_bios(v, cr, &L, w);
	if (viz_state_nr_works(s))
		draw_works(v, cr, &L, w);
	if (L.legend_y > 0)
		stage_legend(cr, L.legend_y, w);
	layout_free(&L);
}

bool viz_ioend_rect(const struct viz_view *v, double w, double h, size_t i, struct viz_rect *out)
{
	struct io_layout L;
	bool found = false;

	if (!v || !v->state || !out || !(w > 0) || !(h > 0) || i >= viz_state_nr_ioends(v->state))
		return false;
	layout(v, w, h, &L);
	for (size_t r = 0; r < L.shown && !found; r++)
		if (pos_to_index(&L, L.first + r) == i) {
			box_rect(&L, w, r, out);
			found = true;
		}
	layout_free(&L);
	return found;
}

bool vr_hit_ioend(const struct viz_view *v, double w, double h, double x, double y,
		  struct viz_hit *out)
{
	struct io_layout L;
	bool found = false;

	layout(v, w, h, &L);
	for (size_t r = 0; r < L.shown && !found; r++) {
		struct viz_rect b;

		box_rect(&L, w, r, &b);
		if (vr_in(&b, x, y)) {
			out->kind = VIZ_HIT_IOEND;
			out->index = pos_to_index(&L, L.first + r);
			found = true;
		}
	}
	layout_free(&L);
	return found;
}
