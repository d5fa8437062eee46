/**
 * @file iter.c
 * @brief The operation-and-iterator panel: what iomap_iter() is doing for
 *        the operation in progress.
 *
 * From top to bottom:
 *
 *    op: pwrite -S 0xab -b 64k 0 64k                 running
 *    iomap_file_buffered_write  WRITE  ino 0x83
 *    [#########=====----------------]   the operation's byte range:
 *     done   [pos, pos+length)  left     shaded part done, outlined part the
 *                                        current iteration
 *    [ MAPPED | DELALLOC NEW|DIRTY | HOLE ]   the file's extent map as the
 *          ^^^^^^^^ dstmap ^^^^^^^^            mappings seen so far show it,
 *                                              dstmap outlined, srcmap dashed
 *    ->iomap_begin(pos 0x0, len 0x10000, WRITE)     the calls of this
 *    dstmap DELALLOC NEW|DIRTY 0x0+0x10000 ...       operation, newest last;
 *    ! STALE: looked up again                        a red marker per stale row
 *
 * Types and flags are spelled as the kernel's trace prints them
 * (iomap_type_name(), iomap_f_flags_str(), iomap_flags_str() of
 * core/iomap/trace.c: one spelling table for the reference, its traces
 * and this panel).  When the store is a kernel trace, the ->iomap_begin /
 * ->iomap_end rows are inferred from the mappings and the panel says so.
 */
#include <stdio.h>
#include <string.h>

#include <iomap/iomap.h>

#include "render-internal.h"

/* Geometry of one frame. */
struct it_layout {
	double op_y;        /* baseline of the operation line */
	double info_y;      /* baseline of the iterator line */
	struct viz_rect bar;/* the operation's range */
	double bar_lbl_y;   /* baseline of the labels under it */
	double map_title_y; /* baseline of "extent map" */
	struct viz_rect map;/* the extent map */
	double map_lbl_y;   /* first baseline of the dstmap / srcmap lines */
	uint64_t op_lo, op_hi;   /* the operation's range (op_range()) */
	uint64_t cur_lo, cur_hi; /* this iteration's range (op_range()) */
	uint64_t lo, hi;    /* byte range the map bar shows */
	bool clamped;       /* hi was cut short: something runs on to ~2^63 */
	double calls_title_y; /* baseline of the calls header */
	double note_y;      /* top of the lack note, 0 if none */
	double calls_top;   /* top of the call rows ("N more calls above" first, if any) */
	double rows_top;    /* top of the first call drawn */
	size_t nr_calls;    /* calls in all */
	size_t first;       /* first call shown */
	size_t shown;       /* calls shown */
};

static enum viz_colour_id type_colour(unsigned type)
{
	switch (type) {
	case IOMAP_HOLE:
		return VIZ_C_HOLE;
	case IOMAP_DELALLOC:
		return VIZ_C_DELALLOC;
	case IOMAP_MAPPED:
		return VIZ_C_MAPPED;
	case IOMAP_UNWRITTEN:
		return VIZ_C_UNWRITTEN;
	case IOMAP_INLINE:
		return VIZ_C_INLINE;
	default:
		return VIZ_C_BLOCK_EMPTY;
	}
}

/*
 * The operation's range and this iteration's, as far as the events tell.
 * The first iomap_iter of an operation traces length 0 (no mapping yet),
 * so the range also takes in what ->iomap_begin was asked for (the whole
 * remaining length) and, before the iterator advances, the current
 * iteration is the dstmap clipped to the range.
 */
static void op_range(const struct viz_state *s, uint64_t *lo, uint64_t *hi, uint64_t *cur_lo,
		     uint64_t *cur_hi)
{
	const struct viz_iter *it = viz_state_iter(s);
	size_t nc = viz_state_nr_calls(s);

	*lo = *hi = *cur_lo = *cur_hi = 0;
	if (!it || (!it->active && !it->op_length))
		return;
	*lo = it->op_pos;
	*hi = it->op_pos + it->op_length;
	if (it->pos + it->length > *hi)
		*hi = it->pos + it->length;
	for (size_t i = 0; i < nc; i++) {
		const struct viz_call *c = viz_state_call(s, i);

		/* an inferred begin (kernel trace) has the iterator's length, not the call's */
		if (c && c->kind == VIZ_CALL_BEGIN && !c->inferred && c->ino == it->ino &&
		    c->pos >= *lo && c->pos + c->length > *hi)
			*hi = c->pos + c->length;
	}
	if (!it->active)
		return;
	*cur_lo = it->pos;
	*cur_hi = it->pos + it->length;
	if (!it->length && it->has_dstmap) {
		uint64_t e = it->dstmap.offset + it->dstmap.length;

		if (it->dstmap.offset <= it->pos && e > it->pos)
			*cur_hi = e < *hi ? e : *hi;
	}
}

/* Ranges longer than this (1 TiB) are FIEMAP / SEEK asking "to the end". */
#define HUGE_RANGE (1ull << 40)

/*
 * FIEMAP and SEEK_DATA iterate up to LLONG_MAX, and the last mapping is a
 * hole to there: drawn to scale, everything else would be a sliver.  Show
 * [lo, twice the last interesting offset) instead, and mark the bar as
 * running on.
 */
static void clamp_range(const struct viz_state *s, struct it_layout *L)
{
	const struct viz_iter *it = viz_state_iter(s);
	size_t nm = viz_state_nr_mappings(s);
	uint64_t e = L->lo;

	for (size_t i = 0; i < nm; i++) {
		const struct viz_mapping *m = viz_state_mapping(s, i);

		if (!m)
			continue;
		if (m->offset > e && m->offset - L->lo <= HUGE_RANGE)
			e = m->offset;
		if (m->offset + m->length > e && m->offset + m->length - L->lo <= HUGE_RANGE)
			e = m->offset + m->length;
	}
	if (it && it->pos > e && it->pos - L->lo <= HUGE_RANGE)
		e = it->pos;
	L->hi = L->lo + (e - L->lo < 32768 ? 65536 : 2 * (e - L->lo));
	L->clamped = true;
}

static void layout(const struct viz_view *v, double w, double h, struct it_layout *L)
{
	const struct viz_state *s = v->state;
	size_t nm = viz_state_nr_mappings(s), fit;
	double y = VR_TITLE_H + 4;

	memset(L, 0, sizeof(*L));
	L->op_y = y + VR_LINE;
	L->info_y = L->op_y + VR_LINE + 1;
	L->bar = (struct viz_rect){ VR_PAD, L->info_y + 6, w - 2 * VR_PAD, 18 };
	L->bar_lbl_y = L->bar.y + L->bar.h + VR_LINE - 1;
	L->map_title_y = L->bar_lbl_y + VR_LINE + 8;
	L->map = (struct viz_rect){ VR_PAD, L->map_title_y + 13, w - 2 * VR_PAD, 20 };
	L->map_lbl_y = L->map.y + L->map.h + VR_LINE + 3;
	y = L->map_lbl_y + 2 * VR_LINE;

	L->lo = UINT64_MAX;
	L->hi = 0;
	op_range(s, &L->op_lo, &L->op_hi, &L->cur_lo, &L->cur_hi);
	if (L->op_hi > L->op_lo) {
		L->lo = L->op_lo;
		L->hi = L->op_hi;
	}
	if (nm) {
		const struct viz_mapping *a = viz_state_mapping(s, 0);
		const struct viz_mapping *b = viz_state_mapping(s, nm - 1);

		if (a && a->offset < L->lo)
			L->lo = a->offset;
		if (b && b->offset + b->length > L->hi)
			L->hi = b->offset + b->length;
	}
	if (L->lo >= L->hi)
		L->lo = L->hi = 0;
	if (L->hi - L->lo > HUGE_RANGE)
		clamp_range(s, L);

	L->calls_title_y = y + VR_LINE - 2;
	y += VR_LINE + 2;
	if (viz_state_lacks(s) & VIZ_LACKS_FS_CALLS) {
		L->note_y = y;
		y += VR_NOTE_ROOM;
	}
	L->calls_top = y;
	L->nr_calls = viz_state_nr_calls(s);
	fit = h - 4 > y ? (size_t)((h - 4 - y) / VR_LINE) : 0;
	L->shown = L->nr_calls < fit ? L->nr_calls : fit;
	/* the newest calls are the interesting ones: show the tail */
	L->first = L->nr_calls - L->shown;
	if (L->first > 0 && L->shown > 0) {
		/* the first row says how many are above */
		L->first++;
		L->shown--;
	}
	L->rows_top = L->calls_top + (L->first > 0 ? VR_LINE : 0);
}

static double xof(const struct it_layout *L, const struct viz_rect *r, uint64_t off)
{
	if (L->hi <= L->lo)
		return r->x;
	if (off <= L->lo)
		return r->x;
	if (off >= L->hi)
		return r->x + r->w;
	return r->x + r->w * ((double)(off - L->lo) / (double)(L->hi - L->lo));
}

static void mapping_rect(const struct it_layout *L, const struct viz_mapping *m,
			 struct viz_rect *out)
{
	double a = xof(L, &L->map, m->offset), b = xof(L, &L->map, m->offset + m->length);

	if (b - a < 1)
		b = a + 1;
	*out = (struct viz_rect){ a, L->map.y, b - a, L->map.h };
}

static void draw_range(const struct viz_view *v, cairo_t *cr, const struct it_layout *L)
{
	const struct viz_iter *it = viz_state_iter(v->state);
	const struct viz_rect *r = &L->bar;
	uint64_t lo = L->op_lo, hi = L->op_hi, cur_lo = L->cur_lo, cur_hi = L->cur_hi;
	uint64_t hi_scale, done;
	double span, xd, xc;
	char a[32], b[32];

	cairo_set_source_rgb(cr, 0.90, 0.90, 0.90);
	cairo_rectangle(cr, r->x, r->y, r->w, r->h);
	cairo_fill(cr);
	if (!it || hi <= lo) {
		vr_colour(cr, VIZ_C_TEXT);
		vr_font(cr, false, false, 10);
		vr_text(cr, r->x + 4, r->y + 13, r->w - 8,
			it && it->active ? "iomap_iter: no range known yet" : "no iomap_iter in this operation");
		return;
	}
	if (hi - lo > HUGE_RANGE && L->clamped && L->lo == lo)
		hi_scale = L->hi;
	else
		hi_scale = hi;
	span = (double)(hi_scale - lo);
	done = it->pos > lo ? it->pos - lo : 0;
	if (done > hi_scale - lo)
		done = hi_scale - lo;
	xd = r->x + r->w * ((double)done / span);
	/* done: [op_pos, pos) */
	cairo_set_source_rgb(cr, 0.55, 0.64, 0.80);
	cairo_rectangle(cr, r->x, r->y, xd - r->x, r->h);
	cairo_fill(cr);
	/* this iteration: [pos, pos + length) */
	if (cur_hi > cur_lo) {
		xc = r->x + r->w * ((double)((cur_hi < hi_scale ? cur_hi : hi_scale) - lo) / span);
		if (xc > r->x + r->w)
			xc = r->x + r->w;
		vr_colour(cr, VIZ_C_CURRENT);
		cairo_rectangle(cr, xd, r->y, xc - xd, r->h);
		cairo_fill(cr);
		vr_colour(cr, VIZ_C_TEXT);
		cairo_set_line_width(cr, 2);
		cairo_rectangle(cr, xd, r->y + 1, xc - xd, r->h - 2);
		cairo_stroke(cr);
	}
	cairo_set_source_rgb(cr, 0.4, 0.4, 0.4);
	cairo_set_line_width(cr, 1);
	cairo_rectangle(cr, r->x + 0.5, r->y + 0.5, r->w - 1, r->h - 1);
	cairo_stroke(cr);
	vr_colour(cr, VIZ_C_TEXT);
	vr_font(cr, true, false, VR_FONT - 0.5);
	if (hi_scale != hi && it->pos >= hi_scale)
		vr_text(cr, r->x + 4, r->y + 13, r->w - 8, "done: up to the end of the file space");
	else if (hi_scale != hi)
		vr_textf(cr, r->x + 4, r->y + 13, r->w - 8, "%s done, up to the end of the file space",
			 vr_size(done, a, sizeof(a)));
	else
		vr_textf(cr, r->x + 4, r->y + 13, r->w - 8, "%s of %s done",
			 vr_size(done, a, sizeof(a)), vr_size(hi - lo, b, sizeof(b)));
	vr_textf(cr, r->x, L->bar_lbl_y, r->w, "pos=0x%llx length=0x%llx   range 0x%llx-0x%llx",
		 (unsigned long long)it->pos, (unsigned long long)it->length,
		 (unsigned long long)lo, (unsigned long long)hi);
}

static void draw_map(const struct viz_view *v, cairo_t *cr, const struct it_layout *L)
{
	const struct viz_state *s = v->state;
	const struct viz_iter *it = viz_state_iter(s);
	size_t nm = viz_state_nr_mappings(s);
	struct viz_rect mr;
	char buf[160];

	vr_colour(cr, VIZ_C_TEXT);
	vr_font(cr, false, true, 10);
	if (it && it->ino)
		vr_textf(cr, L->map.x, L->map_title_y, L->map.w,
			 "extent map of ino 0x%llx (mappings seen)", (unsigned long long)it->ino);
	else
		vr_text(cr, L->map.x, L->map_title_y, L->map.w, "extent map (mappings seen)");
	cairo_set_source_rgb(cr, 0.95, 0.95, 0.95);
	cairo_rectangle(cr, L->map.x, L->map.y, L->map.w, L->map.h);
	cairo_fill(cr);
	vr_font(cr, true, false, 9);
	for (size_t i = 0; i < nm; i++) {
		const struct viz_mapping *m = viz_state_mapping(s, i);

		if (!m)
			continue;
		mapping_rect(L, m, &mr);
		vr_colour(cr, type_colour(m->type));
		cairo_rectangle(cr, mr.x, mr.y, mr.w, mr.h);
		cairo_fill(cr);
		cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
		cairo_set_line_width(cr, 1);
		cairo_move_to(cr, mr.x + 0.5, mr.y);
		cairo_line_to(cr, mr.x + 0.5, mr.y + mr.h);
		cairo_stroke(cr);
		if (mr.w > 30) {
			vr_colour(cr, VIZ_C_TEXT);
			vr_text(cr, mr.x + 3, mr.y + 14, mr.w - 5,
				vr_map_str(m, false, buf, sizeof(buf)));
		}
	}
	if (!nm) {
		vr_colour(cr, VIZ_C_TEXT);
		vr_font(cr, false, false, 10);
		vr_text(cr, L->map.x + 4, L->map.y + 14, L->map.w - 8, "no mapping returned yet");
	}
	/* the operation's range, bracketed under the bar */
	if (L->op_hi > L->op_lo) {
		double a = xof(L, &L->map, L->op_lo), b = xof(L, &L->map, L->op_hi);

		cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
		cairo_set_line_width(cr, 1);
		cairo_move_to(cr, a + 0.5, L->map.y + L->map.h + 1);
		cairo_line_to(cr, a + 0.5, L->map.y + L->map.h + 4);
		cairo_line_to(cr, b - 0.5, L->map.y + L->map.h + 4);
		cairo_line_to(cr, b - 0.5, L->map.y + L->map.h + 1);
		cairo_stroke(cr);
	}
	if (L->clamped) {
		/* the bar runs on: a torn right edge */
		double x1 = L->map.x + L->map.w;

		vr_colour(cr, VIZ_C_BACKGROUND);
		cairo_move_to(cr, x1, L->map.y - 1);
		for (int k = 0; k <= 4; k++)
			cairo_line_to(cr, x1 - (k % 2 ? 6 : 2), L->map.y + k * L->map.h / 4);
		cairo_line_to(cr, x1, L->map.y + L->map.h + 1);
		cairo_close_path(cr);
		cairo_fill(cr);
	}
	if (it && it->has_dstmap) {
		mapping_rect(L, &it->dstmap, &mr);
		vr_colour(cr, VIZ_C_TEXT);
		cairo_set_line_width(cr, 2.5);
		cairo_rectangle(cr, mr.x + 1, mr.y - 1, mr.w - 2, mr.h + 2);
		cairo_stroke(cr);
	}
	if (it && it->has_srcmap) {
		static const double dash[] = { 3, 2 };

		mapping_rect(L, &it->srcmap, &mr);
		vr_colour(cr, VIZ_C_WRITEBACK);
		cairo_set_line_width(cr, 2);
		cairo_set_dash(cr, dash, 2, 0);
		cairo_rectangle(cr, mr.x + 2, mr.y + 2, mr.w - 4, mr.h - 4);
		cairo_stroke(cr);
		cairo_set_dash(cr, NULL, 0, 0);
	}
	vr_colour(cr, VIZ_C_TEXT);
	vr_font(cr, true, false, VR_FONT - 0.5);
	if (it && it->has_dstmap) {
		vr_textf(cr, L->map.x, L->map_lbl_y, L->map.w, "dstmap %s",
			 vr_map_str(&it->dstmap, true, buf, sizeof(buf)));
	} else {
		vr_text(cr, L->map.x, L->map_lbl_y, L->map.w, "dstmap: none");
	}
	if (it && it->has_srcmap) {
		vr_textf(cr, L->map.x, L->map_lbl_y + VR_LINE, L->map.w, "srcmap %s",
			 vr_map_str(&it->srcmap, true, buf, sizeof(buf)));
	}
}

/* The row text of one call, with its arguments as the trace gives them. */
static void call_text(const struct viz_call *c, char *buf, size_t len)
{
	char fl[96], mt[160];

	switch (c->kind) {
	case VIZ_CALL_ITER:
		iomap_flags_str(c->flags, fl, sizeof(fl));
		snprintf(buf, len, "iomap_iter pos 0x%llx length 0x%llx status %lld%s%s %s",
			 (unsigned long long)c->pos, (unsigned long long)c->length,
			 (long long)c->ret, *fl ? " " : "", fl, c->caller);
		break;
	case VIZ_CALL_BEGIN:
		iomap_flags_str(c->flags, fl, sizeof(fl));
		if (c->inferred)
			snprintf(buf, len, "->iomap_begin(pos 0x%llx%s%s) [inferred from the dstmap]",
				 (unsigned long long)c->pos, *fl ? ", " : "", fl);
		else
			snprintf(buf, len, "->iomap_begin(pos 0x%llx, length 0x%llx%s%s) %s",
				 (unsigned long long)c->pos, (unsigned long long)c->length,
				 *fl ? ", " : "", fl, c->ops);
		break;
	case VIZ_CALL_BEGIN_DONE:
		snprintf(buf, len, "  ->iomap_begin returned %lld", (long long)c->ret);
		break;
	case VIZ_CALL_END:
		iomap_flags_str(c->flags, fl, sizeof(fl));
		if (c->ret >= 0)
			snprintf(buf, len, "->iomap_end(pos 0x%llx, length 0x%llx, written 0x%llx%s%s)",
				 (unsigned long long)c->pos, (unsigned long long)c->length,
				 (unsigned long long)c->ret, *fl ? ", " : "", fl);
		else
			snprintf(buf, len, "->iomap_end(pos 0x%llx, length 0x%llx%s%s) ret %lld",
				 (unsigned long long)c->pos, (unsigned long long)c->length,
				 *fl ? ", " : "", fl, (long long)c->ret);
		break;
	case VIZ_CALL_DSTMAP:
	case VIZ_CALL_SRCMAP:
		vr_map_str(&c->map, true, mt, sizeof(mt));
		snprintf(buf, len, "  %s %s", vr_call_name(c->kind), mt);
		break;
	case VIZ_CALL_STALE:
		snprintf(buf, len, "STALE: mapping 0x%llx+0x%llx went stale, looked up again",
			 (unsigned long long)c->pos, (unsigned long long)c->length);
		break;
	case VIZ_CALL_MAP_BLOCKS:
		vr_map_str(&c->map, true, mt, sizeof(mt));
		snprintf(buf, len, "->map_blocks(pos 0x%llx, dirty 0x%llx): %s",
			 (unsigned long long)c->pos, (unsigned long long)c->length, mt);
		break;
	default:
		snprintf(buf, len, "?");
		break;
	}
}

static enum viz_colour_id call_colour(const struct viz_call *c)
{
	switch (c->kind) {
	case VIZ_CALL_BEGIN:
	case VIZ_CALL_BEGIN_DONE:
		return VIZ_C_LOCKED;
	case VIZ_CALL_END:
		return VIZ_C_BLOCK_UPTODATE;
	case VIZ_CALL_DSTMAP:
	case VIZ_CALL_SRCMAP:
	case VIZ_CALL_MAP_BLOCKS:
		return type_colour(c->map.type);
	case VIZ_CALL_STALE:
		return VIZ_C_INVERSION;
	default:
		return VIZ_C_BLOCK_EMPTY;
	}
}

static void draw_calls(const struct viz_view *v, cairo_t *cr, const struct it_layout *L,
		       double w)
{
	const struct viz_state *s = v->state;
	const struct viz_iter *it = viz_state_iter(s);
	char buf[256];
	double y;

	vr_colour(cr, VIZ_C_TEXT);
	vr_font(cr, false, true, 10);
	vr_textf(cr, VR_PAD, L->calls_title_y, w - 2 * VR_PAD,
		 "calls: %u ->iomap_begin, %u stale re-lookup%s", it ? it->nr_begin : 0,
		 it ? it->nr_stale : 0, it && it->nr_stale == 1 ? "" : "s");
	if (L->note_y > 0)
		vr_note(cr, VR_PAD, L->note_y, w - 2 * VR_PAD,
			"the kernel trace has no fs_iomap_begin/_end events: calls inferred from the mappings");
	y = L->rows_top;
	/* the newest calls are shown: only "above" can be left out */
	vr_elision(cr, VR_PAD, w - 2 * VR_PAD, L->calls_top + VR_LINE - 3, 0, L->first, L->shown,
		   L->nr_calls, "call");
	vr_font(cr, true, false, VR_FONT - 0.5);
	for (size_t k = 0; k < L->shown; k++) {
		const struct viz_call *c = viz_state_call(s, L->first + k);
		double ry = y + (double)k * VR_LINE;

		if (!c)
			continue;
		if (c->kind == VIZ_CALL_STALE) {
			/* the stale marker: a red band and a red triangle */
			vr_colour_a(cr, VIZ_C_INVERSION, 0.15);
			cairo_rectangle(cr, VR_PAD, ry + 1, w - 2 * VR_PAD, VR_LINE - 1);
			cairo_fill(cr);
			vr_colour(cr, VIZ_C_INVERSION);
			cairo_move_to(cr, VR_PAD, ry + 2);
			cairo_line_to(cr, VR_PAD + 8, ry + VR_LINE / 2 + 0.5);
			cairo_line_to(cr, VR_PAD, ry + VR_LINE - 1);
			cairo_close_path(cr);
			cairo_fill(cr);
		} else {
			vr_colour(cr, call_colour(c));
			cairo_rectangle(cr, VR_PAD, ry + 3, 7, 7);
			cairo_fill(cr);
		}
		if (v->flash > 0 && vr_changed_now(s, c->step))
			vr_flash(cr, v, VR_PAD, ry + 1, w - 2 * VR_PAD, VR_LINE - 2);
		call_text(c, buf, sizeof(buf));
		if (c->kind == VIZ_CALL_STALE)
			vr_colour(cr, VIZ_C_INVERSION);
		else
			vr_colour(cr, VIZ_C_TEXT);
		vr_text(cr, VR_PAD + 11, ry + VR_LINE - 3, w - 2 * VR_PAD - 11, buf);
	}
}

void vr_draw_iter(const struct viz_view *v, cairo_t *cr, double w, double h)
{
	const struct viz_state *s = v->state;
	const struct viz_iter *it = viz_state_iter(s);
	struct it_layout L;
	const char *op = viz_state_op(s);
	char fl[96], st[48];

	vr_frame(cr, "Operation and iterator", w, h);
	layout(v, w, h, &L);
	if (viz_state_op_active(s))
		snprintf(st, sizeof(st), "running");
	else if (op && *op)
		snprintf(st, sizeof(st), "returned %lld", (long long)viz_state_op_ret(s));
	else
		st[0] = '\0';
	vr_font(cr, false, false, 10);
	cairo_set_source_rgb(cr, 0.35, 0.35, 0.4);
	double stw = *st ? vr_text_width(cr, st) : 0;
	vr_text(cr, w - VR_PAD - stw, L.op_y, 0, st);
	vr_colour(cr, VIZ_C_TEXT);
	vr_font(cr, false, true, 11);
	if (op && *op)
		vr_textf(cr, VR_PAD, L.op_y, w - 3 * VR_PAD - stw, "op: %s", op);
	else if (v->store && viz_store_source(v->store) == VIZ_SRC_KERNEL)
		vr_text(cr, VR_PAD, L.op_y, w - 3 * VR_PAD - stw,
			"op: (a kernel trace marks no operations)");
	else
		vr_text(cr, VR_PAD, L.op_y, w - 3 * VR_PAD - stw, "op: (none yet)");
	vr_font(cr, true, false, VR_FONT - 0.5);
	if (it && (it->active || it->op_length)) {
		iomap_flags_str(it->flags, fl, sizeof(fl));
		vr_textf(cr, VR_PAD, L.info_y, w - 2 * VR_PAD, "%s %s ino 0x%llx%s",
			 *it->caller ? it->caller : "iomap_iter", fl, (unsigned long long)it->ino,
			 it->active ? "" : " (done)");
	}
	draw_range(v, cr, &L);
	draw_map(v, cr, &L);
	draw_calls(v, cr, &L, w);
}

bool vr_hit_iter(const struct viz_view *v, double w, double h, double x, double y,
		 struct viz_hit *out)
{
	const struct viz_state *s = v->state;
	struct it_layout L;

	layout(v, w, h, &L);
	if (vr_in(&L.map, x, y)) {
		size_t nm = viz_state_nr_mappings(s);

		for (size_t i = 0; i < nm; i++) {
			const struct viz_mapping *m = viz_state_mapping(s, i);
			struct viz_rect mr;

			if (!m)
				continue;
			mapping_rect(&L, m, &mr);
			if (vr_in(&mr, x, y)) {
				out->kind = VIZ_HIT_MAPPING;
				out->index = i;
				return true;
			}
		}
		return false;
	}
	if (y >= L.rows_top && x >= VR_PAD && x < w - VR_PAD) {
		size_t k = (size_t)((y - L.rows_top) / VR_LINE);

		if (k < L.shown) {
			out->kind = VIZ_HIT_CALL;
			out->index = L.first + k;
			return true;
		}
	}
	return false;
}
