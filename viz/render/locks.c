/**
 * @file locks.c
 * @brief The locking-hierarchy panel: lock classes as levels, who holds
 *        or waits for which lock, and the validator's reports.
 *
 *    upper      [ i_rwsem          ] [ invalidate_lock ]
 *                 ■ 1 iomap-io exclusive #7
 *    lower      [ ilock            ]
 *                 ▨ 2 writer   waiting  #9          ■ held (solid)
 *    operation  [ folio_lock       ]                  ▨ waited for (hatched)
 *    ┌───────────────────────────────────────────────┐
 *    │ lockdep: circular  established i_rwsem -> ilock │  red: a validator
 *    │                    inverted    ilock -> i_rwsem │  report
 *    └───────────────────────────────────────────────┘
 *
 * Levels are lock.h's enum lock_level (upper: i_rwsem, invalidate_lock;
 * lower: the filesystem mapping lock; operation: folio lock; internal),
 * the order in which the seed's hierarchy says locks are taken, top to
 * bottom.  A class named in a report is framed in red too.  A lock's
 * rectangle (viz_lock_rect()) is its square marker: VIZ_C_LOCKED when
 * held, VIZ_C_WAITING stripes when waited for.
 */
#include <stdio.h>
#include <string.h>

#include "render-internal.h"

#define LABEL_W 74.0
#define CLASS_MIN_W 90.0
#define CLASS_HEAD 15.0
#define CHIP_ROW 13.0
#define MAX_LEVELS 8
#define REPORT_H 44.0
#define MAX_REPORTS 3

struct lk_layout {
	double note_y;                  /* top of the header / lack note */
	double bands_top;               /* top of the first level band */
	int nr_levels;                  /* bands: levels 0 .. nr_levels - 1 */
	double band_y[MAX_LEVELS];      /* top of each band */
	double band_h[MAX_LEVELS];      /* height of each band */
	unsigned rows_cap;              /* lock rows drawn per class */
	double reports_top;             /* top of the first report box */
	size_t rep_first, rep_shown;    /* reports drawn (the newest) */
	double class_w;                 /* width of one class box */
	size_t nr_classes;              /* classes in all */
};

static int clamp_level(int lvl)
{
	if (lvl < 0)
		return 0;
	return lvl >= MAX_LEVELS ? MAX_LEVELS - 1 : lvl;
}

static const char *level_name(int lvl)
{
	static const char *const names[] = { "upper", "lower", "operation", "internal" };

	return lvl >= 0 && lvl < 4 ? names[lvl] : "deeper";
}

/* Locks of class @p cls. */
static unsigned locks_of(const struct viz_state *s, const char *cls)
{
	size_t n = viz_state_nr_locks(s);
	unsigned k = 0;

	for (size_t i = 0; i < n; i++) {
		const struct viz_lock *l = viz_state_lock(s, i);

		if (l && strcmp(l->cls, cls) == 0)
			k++;
	}
	return k;
}

/* Position of class @p c among the classes of its level. */
static unsigned class_slot(const struct viz_state *s, size_t c)
{
	const struct viz_lock_class *lc = viz_state_lock_class(s, c);
	unsigned k = 0;

	for (size_t i = 0; i < c; i++) {
		const struct viz_lock_class *o = viz_state_lock_class(s, i);

		if (o && lc && clamp_level(o->level) == clamp_level(lc->level))
			k++;
	}
	return k;
}

static void layout(const struct viz_view *v, double w, double h, struct lk_layout *L)
{
	const struct viz_state *s = v->state;
	unsigned maxrows[MAX_LEVELS] = { 0 }, per_level[MAX_LEVELS] = { 0 }, widest = 1;
	size_t nrep = viz_state_nr_inversions(s);
	double y = VR_TITLE_H + 4, bottom, need, squeeze;

	memset(L, 0, sizeof(*L));
	L->note_y = y;
	y += viz_state_lacks(s) & VIZ_LACKS_LOCKS ? VR_NOTE_ROOM : VR_LINE + 8;
	L->bands_top = y;
	L->nr_classes = viz_state_nr_lock_classes(s);
	for (size_t c = 0; c < L->nr_classes; c++) {
		const struct viz_lock_class *lc = viz_state_lock_class(s, c);
		unsigned k;
		int lvl;

		if (!lc)
			continue;
		lvl = clamp_level(lc->level);
		if (lvl + 1 > L->nr_levels)
			L->nr_levels = lvl + 1;
		k = locks_of(s, lc->name);
		if (k > maxrows[lvl])
			maxrows[lvl] = k;
		if (++per_level[lvl] > widest)
			widest = per_level[lvl];
	}
	L->rep_shown = nrep < MAX_REPORTS ? nrep : MAX_REPORTS;
	L->rep_first = nrep - L->rep_shown;
	bottom = h - 4 - L->rep_shown * (REPORT_H + 4);
	L->reports_top = bottom + 4;
	L->class_w = (w - LABEL_W - VR_PAD) / widest;
	/* as many lock rows per class as fit in every band */
	L->rows_cap = 64;
	for (;;) {
		need = 0;
		for (int l = 0; l < L->nr_levels; l++) {
			unsigned r = maxrows[l] < L->rows_cap ? maxrows[l] : L->rows_cap;

			need += CLASS_HEAD + (r ? r : 1) * CHIP_ROW + 8;
		}
		if (y + need <= bottom || L->rows_cap <= 1)
			break;
		L->rows_cap--;
	}
	/*
	 * Still too tall with one lock row per class (a short panel in the
	 * window): squeeze every band to its share of the height, down to a
	 * class name and one row of chips, so that all levels stay in view.
	 */
	squeeze = 0;
	if (y + need > bottom && L->nr_levels) {
		squeeze = (bottom - y) / L->nr_levels - 2;
		if (squeeze < CLASS_HEAD + 5)
			squeeze = CLASS_HEAD + 5;
	}
	for (int l = 0; l < L->nr_levels; l++) {
		unsigned r = maxrows[l] < L->rows_cap ? maxrows[l] : L->rows_cap;

		L->band_y[l] = y;
		L->band_h[l] = CLASS_HEAD + (r ? r : 1) * CHIP_ROW + 6;
		if (squeeze > 0 && L->band_h[l] > squeeze)
			L->band_h[l] = squeeze;
		y += L->band_h[l] + 2;
	}
}

static void class_rect(const struct lk_layout *L, const struct viz_state *s, size_t c,
		       struct viz_rect *out)
{
	const struct viz_lock_class *lc = viz_state_lock_class(s, c);
	int lvl = lc ? clamp_level(lc->level) : 0;
	unsigned slot = class_slot(s, c);

	out->x = LABEL_W + slot * L->class_w;
	out->y = L->band_y[lvl];
	out->w = L->class_w - 4;
	out->h = L->band_h[lvl];
}

/* The chip square of lock @p i, if drawn; row is its place in its class. */
static bool chip_rect(const struct lk_layout *L, const struct viz_state *s, size_t i,
		      struct viz_rect *out)
{
	const struct viz_lock *l = viz_state_lock(s, i);
	unsigned row = 0;

	if (!l)
		return false;
	for (size_t j = 0; j < i; j++) {
		const struct viz_lock *o = viz_state_lock(s, j);

		if (o && strcmp(o->cls, l->cls) == 0)
			row++;
	}
	if (row >= L->rows_cap)
		return false;
	for (size_t c = 0; c < L->nr_classes; c++) {
		const struct viz_lock_class *lc = viz_state_lock_class(s, c);
		struct viz_rect cr;

		if (!lc || strcmp(lc->name, l->cls) != 0)
			continue;
		class_rect(L, s, c, &cr);
		*out = (struct viz_rect){ cr.x + 4, cr.y + CLASS_HEAD + row * CHIP_ROW + 1, 10, 10 };
		return out->y + out->h <= L->reports_top;
	}
	return false;
}

/* Whether the class called @p name appears in report @p r's orders. */
static bool class_in_report(const char *name, const struct viz_inversion *r)
{
	size_t n = strlen(name);

	for (int k = 0; k < 2; k++) {
		const char *t = k ? r->inverted : r->established;

		for (const char *p = strstr(t, name); p; p = strstr(p + 1, name)) {
			bool start = p == t || p[-1] == ' ' || p[-1] == '>';
			bool end = p[n] == '\0' || p[n] == ' ' || p[n] == '/' || p[n] == '-';

			if (start && end)
				return true;
		}
	}
	return false;
}

static void draw_class(const struct viz_view *v, cairo_t *cr, const struct lk_layout *L,
		       size_t c)
{
	const struct viz_state *s = v->state;
	const struct viz_lock_class *lc = viz_state_lock_class(s, c);
	size_t nl = viz_state_nr_locks(s), nrep = viz_state_nr_inversions(s);
	const struct viz_inversion *last = nrep ? viz_state_inversion(s, nrep - 1) : NULL;
	unsigned drawn = 0, total;
	struct viz_rect r;

	if (!lc)
		return;
	class_rect(L, s, c, &r);
	if (r.y + r.h > L->reports_top)
		return;
	cairo_set_source_rgb(cr, 0.94, 0.94, 0.97);
	cairo_rectangle(cr, r.x, r.y, r.w, r.h);
	cairo_fill(cr);
	if (last && class_in_report(lc->name, last)) {
		vr_colour(cr, VIZ_C_INVERSION);
		cairo_set_line_width(cr, 2);
	} else {
		cairo_set_source_rgb(cr, 0.6, 0.6, 0.65);
		cairo_set_line_width(cr, 1);
	}
	cairo_rectangle(cr, r.x + 0.5, r.y + 0.5, r.w - 1, r.h - 1);
	cairo_stroke(cr);
	vr_colour(cr, VIZ_C_TEXT);
	vr_font(cr, false, true, 9.5);
	vr_text(cr, r.x + 4, r.y + 11, r.w - 8, lc->name);
	total = locks_of(s, lc->name);
	vr_font(cr, true, false, VR_FONT - 2);
	for (size_t i = 0; i < nl; i++) {
		const struct viz_lock *l = viz_state_lock(s, i);
		struct viz_rect q;

		if (!l || strcmp(l->cls, lc->name) != 0 || !chip_rect(L, s, i, &q))
			continue;
		drawn++;
		if (l->stage == VIZ_LOCK_HELD) {
			vr_colour(cr, VIZ_C_LOCKED);
			cairo_rectangle(cr, q.x, q.y, q.w, q.h);
			cairo_fill(cr);
		} else {
			vr_hatch(cr, q.x, q.y, q.w, q.h, VIZ_C_WAITING);
			vr_colour(cr, VIZ_C_TEXT);
			cairo_set_line_width(cr, 1);
			cairo_rectangle(cr, q.x + 0.5, q.y + 0.5, q.w - 1, q.h - 1);
			cairo_stroke(cr);
		}
		if (v->flash > 0 && vr_changed_now(s, l->changed_step))
			vr_flash(cr, v, q.x, q.y, r.w - 8, q.h);
		vr_colour(cr, VIZ_C_TEXT);
		vr_textf(cr, q.x + 14, q.y + 9, r.w - 22, "%d %s %s%s #%llu", l->tid, l->task,
			 l->stage == VIZ_LOCK_HELD ? l->mode : "waits ",
			 l->stage == VIZ_LOCK_HELD ? (l->contended ? " (waited)" : "") : l->mode,
			 (unsigned long long)l->instance);
	}
	if (drawn < total) {
		cairo_set_source_rgb(cr, 0.35, 0.35, 0.4);
		vr_textf(cr, r.x + r.w - 40, r.y + 11, 38, "+%u", total - drawn);
	}
}

static void draw_report(cairo_t *cr, const struct viz_inversion *rep, double x, double y,
			double w)
{
	vr_colour_a(cr, VIZ_C_INVERSION, 0.12);
	cairo_rectangle(cr, x, y, w, REPORT_H);
	cairo_fill(cr);
	vr_colour(cr, VIZ_C_INVERSION);
	cairo_set_line_width(cr, 2);
	cairo_rectangle(cr, x + 1, y + 1, w - 2, REPORT_H - 2);
	cairo_stroke(cr);
	vr_font(cr, false, true, 9.5);
	vr_textf(cr, x + 5, y + 13, w - 10, "lockdep: %s lock order (step %zu)", rep->kind,
		 rep->step);
	vr_font(cr, true, false, VR_FONT - 1.5);
	vr_textf(cr, x + 5, y + 26, w - 10, "established  %s", rep->established);
	vr_textf(cr, x + 5, y + 38, w - 10, "inverted     %s", rep->inverted);
}

void vr_draw_locks(const struct viz_view *v, cairo_t *cr, double w, double h)
{
	const struct viz_state *s = v->state;
	struct lk_layout L;

	vr_frame(cr, "Locking hierarchy", w, h);
	layout(v, w, h, &L);
	if (viz_state_lacks(s) & VIZ_LACKS_LOCKS)
		vr_note(cr, VR_PAD, L.note_y, w - 2 * VR_PAD,
			"the kernel trace has no lock_* events: lock holders and waiters unknown");
	else if (!L.nr_classes)
		vr_note(cr, VR_PAD, L.note_y, w - 2 * VR_PAD, "no lock taken yet");
	else {
		size_t nl = viz_state_nr_locks(s), held = 0;

		for (size_t i = 0; i < nl; i++) {
			const struct viz_lock *l = viz_state_lock(s, i);

			held += l && l->stage == VIZ_LOCK_HELD;
		}
		vr_colour(cr, VIZ_C_TEXT);
		vr_font(cr, false, false, 10);
		vr_textf(cr, VR_PAD, L.note_y + VR_LINE, w - 2 * VR_PAD,
			 "%zu held, %zu waited for; taken top to bottom", held, nl - held);
	}
	for (int l = 0; l < L.nr_levels; l++) {
		if (L.band_y[l] + L.band_h[l] > L.reports_top)
			break;
		cairo_set_source_rgb(cr, 0.35, 0.35, 0.4);
		vr_font(cr, false, true, 9);
		vr_textf(cr, VR_PAD, L.band_y[l] + 11, LABEL_W - VR_PAD - 2, "%d %s", l,
			 level_name(l));
		if (l + 1 < L.nr_levels) {
			/* the arrow of the hierarchy: taken before the next level */
			cairo_set_line_width(cr, 1);
			cairo_move_to(cr, VR_PAD + 6, L.band_y[l] + 15);
			cairo_line_to(cr, VR_PAD + 6, L.band_y[l] + L.band_h[l] - 1);
			cairo_stroke(cr);
			cairo_move_to(cr, VR_PAD + 3, L.band_y[l] + L.band_h[l] - 5);
			cairo_line_to(cr, VR_PAD + 6, L.band_y[l] + L.band_h[l]);
			cairo_line_to(cr, VR_PAD + 9, L.band_y[l] + L.band_h[l] - 5);
			cairo_stroke(cr);
		}
	}
	for (size_t c = 0; c < L.nr_classes; c++)
		draw_class(v, cr, &L, c);
	for (size_t k = 0; k < L.rep_shown; k++) {
		const struct viz_inversion *rep = viz_state_inversion(s, L.rep_first + k);

		if (rep)
			draw_report(cr, rep, VR_PAD, L.reports_top + k * (REPORT_H + 4),
				    w - 2 * VR_PAD);
	}
}

bool viz_lock_rect(const struct viz_view *v, double w, double h, size_t i, struct viz_rect *out)
{
	struct lk_layout L;

	if (!v || !v->state || !out || !(w > 0) || !(h > 0) || i >= viz_state_nr_locks(v->state))
		return false;
	layout(v, w, h, &L);
	return chip_rect(&L, v->state, i, out);
}

bool vr_hit_locks(const struct viz_view *v, double w, double h, double x, double y,
		  struct viz_hit *out)
{
	const struct viz_state *s = v->state;
	size_t nl = viz_state_nr_locks(s);
	struct lk_layout L;

	layout(v, w, h, &L);
	for (size_t i = 0; i < nl; i++) {
		struct viz_rect q;

		if (!chip_rect(&L, s, i, &q))
			continue;
		/* the chip and its label, to the class box's right edge */
		q.w = L.class_w - 8;
		q.y -= 1;
		q.h = CHIP_ROW;
		if (vr_in(&q, x, y)) {
			out->kind = VIZ_HIT_LOCK;
			out->index = i;
			return true;
		}
	}
	return false;
}
