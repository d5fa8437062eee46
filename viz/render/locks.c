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
 * bottom.  A class named in the latest report is framed in red too (the
 * older reports shown below it frame nothing).  A lock's
 * rectangle (viz_lock_rect()) is its square marker: VIZ_C_LOCKED when
 * held, VIZ_C_WAITING stripes when waited for.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
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
	int nr_levels;                  /* bands: levels 0 .. nr_levels - 1 */
	double band_y[MAX_LEVELS];      /* top of each band */
	double band_h[MAX_LEVELS];      /* height of each band */
	unsigned rows_cap;              /* lock rows drawn per class */
	double reports_top;             /* top of the first report box */
	size_t rep_first, rep_shown;    /* reports drawn (the newest) */
	double class_w;                 /* width of one class box */
	size_t nr_classes;              /* classes in all (0 if out of memory) */
	size_t nr_locks;                /* locks in all (0 if out of memory) */
	/* Computed once per layout, so that drawing and hit-testing are linear: */
	unsigned *class_slot;           /* per class: its place among its level's classes */
	size_t *class_first;            /* per class: first class of the same name */
	size_t *lock_class;             /* per lock: its class (the first of that name), or NO_CLASS */
	unsigned *lock_row;             /* per lock: its place among its class's locks */
	size_t *class_start;            /* nr_classes + 1 offsets into by_class */
	size_t *by_class;               /* lock indices grouped by class, each group in index order */
};

#define NO_CLASS SIZE_MAX

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

/* A class by name, for looking a lock's class up. */
struct name_pos {
	const char *name;
	size_t index;
};

static int name_pos_cmp(const void *pa, const void *pb)
{
	const struct name_pos *x = pa, *y = pb;
	int d = strcmp(x->name, y->name);

	if (d)
		return d;
	return x->index < y->index ? -1 : x->index > y->index;
}

/* The first class called @p name in sorted @p a (n entries), or NO_CLASS. */
static size_t find_class(const struct name_pos *a, size_t n, const char *name)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(a[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && strcmp(a[lo].name, name) == 0 ? a[lo].index : NO_CLASS;
}

static void layout_free(struct lk_layout *L)
{
	free(L->class_slot);
	free(L->class_first);
	free(L->lock_class);
	free(L->lock_row);
	free(L->class_start);
	free(L->by_class);
	L->class_slot = NULL;
	L->class_first = NULL;
	L->lock_class = NULL;
	L->lock_row = NULL;
	L->class_start = NULL;
	L->by_class = NULL;
}

/*
 * Which class each lock belongs to (by name, the first class of that name
 * if a trace repeats one), its row in that class, each class's slot in its
 * level, and the locks grouped by class: O((classes + locks) log classes).
 * On allocation failure, nothing is drawn (nr_classes = nr_locks = 0).
 */
static void index_locks(const struct viz_state *s, struct lk_layout *L)
{
	size_t nc = viz_state_nr_lock_classes(s), nl = viz_state_nr_locks(s), nn = 0;
	unsigned per_level[MAX_LEVELS] = { 0 };
	struct name_pos *names;
	size_t *fill;

	names = malloc((nc ? nc : 1) * sizeof(*names));
	fill = calloc(nc + 1, sizeof(*fill));
	L->class_slot = calloc(nc ? nc : 1, sizeof(*L->class_slot));
	L->class_first = malloc((nc ? nc : 1) * sizeof(*L->class_first));
	L->lock_class = malloc((nl ? nl : 1) * sizeof(*L->lock_class));
	L->lock_row = calloc(nl ? nl : 1, sizeof(*L->lock_row));
	L->class_start = calloc(nc + 1, sizeof(*L->class_start));
	L->by_class = malloc((nl ? nl : 1) * sizeof(*L->by_class));
	if (!names || !fill || !L->class_slot || !L->class_first || !L->lock_class ||
	    !L->lock_row || !L->class_start || !L->by_class) {
		layout_free(L);
		goto out;
	}
	for (size_t c = 0; c < nc; c++) {
		const struct viz_lock_class *lc = viz_state_lock_class(s, c);

		L->class_first[c] = c;
		if (!lc)
			continue;
		L->class_slot[c] = per_level[clamp_level(lc->level)]++;
		names[nn++] = (struct name_pos){ lc->name, c };
	}
	qsort(names, nn, sizeof(*names), name_pos_cmp);
	for (size_t c = 0; c < nc; c++) {
		const struct viz_lock_class *lc = viz_state_lock_class(s, c);

		if (lc)
			L->class_first[c] = find_class(names, nn, lc->name);
	}
	/* rows, and a count per class, then the groups (a counting sort) */
	for (size_t i = 0; i < nl; i++) {
		const struct viz_lock *l = viz_state_lock(s, i);
		size_t c = l ? find_class(names, nn, l->cls) : NO_CLASS;

		L->lock_class[i] = c;
		if (c != NO_CLASS)
			L->lock_row[i] = (unsigned)L->class_start[c + 1]++;
	}
	for (size_t c = 0; c < nc; c++)
		L->class_start[c + 1] += L->class_start[c];
	for (size_t i = 0; i < nl; i++) {
		size_t c = L->lock_class[i];

		if (c != NO_CLASS)
			L->by_class[L->class_start[c] + fill[c]++] = i;
	}
	L->nr_classes = nc;
	L->nr_locks = nl;
out:
	free(names);
	free(fill);
}

/* Locks of class @p c (all the locks of its name). */
static unsigned locks_of(const struct lk_layout *L, size_t c)
{
	size_t f = L->class_first[c];

	return f == NO_CLASS ? 0 : (unsigned)(L->class_start[f + 1] - L->class_start[f]);
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
	index_locks(s, L);
	for (size_t c = 0; c < L->nr_classes; c++) {
		const struct viz_lock_class *lc = viz_state_lock_class(s, c);
		unsigned k;
		int lvl;

		if (!lc)
			continue;
		lvl = clamp_level(lc->level);
		if (lvl + 1 > L->nr_levels)
			L->nr_levels = lvl + 1;
		k = locks_of(L, c);
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

	out->x = LABEL_W + L->class_slot[c] * L->class_w;
	out->y = L->band_y[lvl];
	out->w = L->class_w - 4;
	out->h = L->band_h[lvl];
}

/* The chip square of lock @p i, if drawn: row lock_row[i] of its class's box. */
static bool chip_rect(const struct lk_layout *L, const struct viz_state *s, size_t i,
		      struct viz_rect *out)
{
	struct viz_rect cr;

	if (i >= L->nr_locks || L->lock_class[i] == NO_CLASS || L->lock_row[i] >= L->rows_cap)
		return false;
	class_rect(L, s, L->lock_class[i], &cr);
	*out = (struct viz_rect){ cr.x + 4, cr.y + CLASS_HEAD + L->lock_row[i] * CHIP_ROW + 1, 10,
				  10 };
	return out->y + out->h <= L->reports_top;
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
	size_t nrep = viz_state_nr_inversions(s), first, end;
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
	total = locks_of(L, c);
	vr_font(cr, true, false, VR_FONT - 2);
	/* the locks of this name (if a trace repeats a class name, they all
	 * belong to, and are drawn in, the first class of that name) */
	first = L->class_first[c] == NO_CLASS ? 0 : L->class_start[L->class_first[c]];
	end = L->class_first[c] == NO_CLASS ? 0 : L->class_start[L->class_first[c] + 1];
	for (size_t k = first; k < end; k++) {
		size_t i = L->by_class[k];
		const struct viz_lock *l = viz_state_lock(s, i);
		struct viz_rect q;

		if (!l || !chip_rect(L, s, i, &q))
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
	layout_free(&L);
}

bool viz_lock_rect(const struct viz_view *v, double w, double h, size_t i, struct viz_rect *out)
{
	struct lk_layout L;
	bool drawn;

	if (!v || !v->state || !out || !(w > 0) || !(h > 0) || i >= viz_state_nr_locks(v->state))
		return false;
	layout(v, w, h, &L);
	drawn = chip_rect(&L, v->state, i, out);
	layout_free(&L);
	return drawn;
}

bool vr_hit_locks(const struct viz_view *v, double w, double h, double x, double y,
		  struct viz_hit *out)
{
	const struct viz_state *s = v->state;
	struct lk_layout L;
	bool found = false;

	layout(v, w, h, &L);
	for (size_t i = 0; i < L.nr_locks && !found; i++) {
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
			found = true;
		}
	}
	layout_free(&L);
	return found;
}
