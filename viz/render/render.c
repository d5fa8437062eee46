/**
 * @file render.c
 * @brief The entry points of viz-render.h that are not one panel's: the
 *        palette, panel names, viz_render() and viz_hit_test() dispatch,
 *        and the drawing helpers of render-internal.h.
 *
 * viz_render() saves the caller's Cairo state, clips to (0, 0, w, h),
 * calls the panel's vr_draw_*() and restores; a view without a state draws
 * a background and says so instead of crashing.  Nothing is cached between
 * calls, so a frame depends on (view, w, h) only.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <iomap/iomap.h>

#include "render-internal.h"

const char *const viz_panel_names[VIZ_NR_PANELS] = {
	[VIZ_PANEL_ITER] = "iter",     [VIZ_PANEL_PAGECACHE] = "pagecache",
	[VIZ_PANEL_IOEND] = "ioend",   [VIZ_PANEL_LOCKS] = "locks",
	[VIZ_PANEL_EVENTS] = "events", [VIZ_PANEL_DISK] = "disk",
	[VIZ_PANEL_ALL] = "all",
};

int viz_panel_from_name(const char *name)
{
	if (!name)
		return -1;
	for (int i = 0; i < VIZ_NR_PANELS; i++)
		if (strcmp(name, viz_panel_names[i]) == 0)
			return i;
	return -1;
}

/*
 * The palette.  Block colours are far apart in hue so that a student can
 * tell dirty from uptodate at a glance, and so that tests can tell them
 * apart pixel by pixel (every pair differs by more than 0.1 in some
 * component).
 */
static const struct viz_rgb palette[VIZ_NR_COLOURS] = {
	[VIZ_C_BACKGROUND] = { 0.98, 0.98, 0.96 },
	[VIZ_C_BLOCK_EMPTY] = { 0.84, 0.84, 0.84 },
	[VIZ_C_BLOCK_UPTODATE] = { 0.45, 0.78, 0.45 },
	[VIZ_C_BLOCK_DIRTY] = { 0.96, 0.60, 0.16 },
	[VIZ_C_WRITEBACK] = { 0.30, 0.50, 0.95 },
	[VIZ_C_LOCKED] = { 0.58, 0.26, 0.74 },
	[VIZ_C_WAITING] = { 0.92, 0.80, 0.20 },
	[VIZ_C_INVERSION] = { 0.88, 0.08, 0.08 },
	[VIZ_C_HOLE] = { 0.93, 0.93, 0.88 },
	[VIZ_C_DELALLOC] = { 0.99, 0.82, 0.56 },
	[VIZ_C_MAPPED] = { 0.48, 0.68, 0.90 },
	[VIZ_C_UNWRITTEN] = { 0.74, 0.88, 0.98 },
	[VIZ_C_INLINE] = { 0.80, 0.68, 0.90 },
	[VIZ_C_DISK_WRITE] = { 0.84, 0.40, 0.32 },
	[VIZ_C_DISK_READ] = { 0.36, 0.68, 0.58 },
	[VIZ_C_TEXT] = { 0.10, 0.10, 0.12 },
	[VIZ_C_CURRENT] = { 1.00, 0.93, 0.55 },
	[VIZ_C_DIVERGENT] = { 1.00, 0.55, 0.55 },
};

struct viz_rgb viz_colour(enum viz_colour_id id)
{
	if ((unsigned)id >= VIZ_NR_COLOURS)
		return palette[VIZ_C_TEXT];
	return palette[id];
}

void vr_colour(cairo_t *cr, enum viz_colour_id id)
{
	struct viz_rgb c = viz_colour(id);

	cairo_set_source_rgb(cr, c.r, c.g, c.b);
}

void vr_colour_a(cairo_t *cr, enum viz_colour_id id, double a)
{
	struct viz_rgb c = viz_colour(id);

	cairo_set_source_rgba(cr, c.r, c.g, c.b, a);
}

void vr_font(cairo_t *cr, bool mono, bool bold, double size)
{
	cairo_select_font_face(cr, mono ? "DejaVu Sans Mono" : "Sans", CAIRO_FONT_SLANT_NORMAL,
			       bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(cr, size);
}

double vr_text_width(cairo_t *cr, const char *s)
{
	cairo_text_extents_t te;

	cairo_text_extents(cr, s, &te);
	return te.x_advance;
}

/* Longest prefix of buf (ending at a UTF-8 character boundary) that,
 * followed by an ellipsis, fits in maxw: a binary search over the
 * character boundaries. */
static size_t fit_prefix(cairo_t *cr, char *buf, size_t n, double maxw)
{
	size_t bound[512], nb = 0, lo = 0, hi;
	double ell = vr_text_width(cr, "\u2026");

	for (size_t i = 0; i <= n && nb < 512; i++)
		if (i == n || ((unsigned char)buf[i] & 0xC0) != 0x80)
			bound[nb++] = i; /* prefix of bound[k] bytes = k characters */
	hi = nb - 1;
	while (lo < hi) {
		size_t mid = (lo + hi + 1) / 2;
		char save = buf[bound[mid]];
		bool fits;

		buf[bound[mid]] = '\0';
		fits = vr_text_width(cr, buf) + ell <= maxw;
		buf[bound[mid]] = save;
		if (fits)
			lo = mid;
		else
			hi = mid - 1;
	}
	return bound[lo];
}

double vr_text(cairo_t *cr, double x, double y, double maxw, const char *s)
{
	char buf[512];
	size_t n;
	double wd;

	if (!s || !*s)
		return 0;
	n = strlen(s);
	if (n >= sizeof(buf))
		n = sizeof(buf) - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	for (size_t i = 0; i < n; i++) /* control characters draw as boxes: show a space */
		if ((unsigned char)buf[i] < 0x20)
			buf[i] = ' ';
	wd = vr_text_width(cr, buf);
	if (maxw > 0 && wd > maxw) {
		size_t k = fit_prefix(cr, buf, n, maxw);

		if (k + 4 > sizeof(buf))
			k = sizeof(buf) - 4;
		memcpy(buf + k, "\u2026", 4); /* 3 bytes of UTF-8 and the NUL */
		wd = vr_text_width(cr, buf);
		if (wd > maxw && k == 0)
			return 0; /* not even the ellipsis fits */
	}
	cairo_move_to(cr, x, y);
	cairo_show_text(cr, buf);
	cairo_new_path(cr);
	return wd;
}

double vr_textf(cairo_t *cr, double x, double y, double maxw, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return vr_text(cr, x, y, maxw, buf);
}

double vr_frame(cairo_t *cr, const char *title, double w, double h)
{
	vr_colour(cr, VIZ_C_BACKGROUND);
	cairo_rectangle(cr, 0, 0, w, h);
	cairo_fill(cr);
	cairo_set_source_rgb(cr, 0.88, 0.89, 0.92);
	cairo_rectangle(cr, 0, 0, w, VR_TITLE_H);
	cairo_fill(cr);
	cairo_set_source_rgb(cr, 0.62, 0.63, 0.66);
	cairo_set_line_width(cr, 1);
	cairo_rectangle(cr, 0.5, 0.5, w - 1, h - 1);
	cairo_stroke(cr);
	vr_colour(cr, VIZ_C_TEXT);
	vr_font(cr, false, true, 11.5);
	vr_text(cr, VR_PAD, VR_TITLE_H - 5, w - 2 * VR_PAD, title);
	return VR_TITLE_H + 4;
}

double vr_note(cairo_t *cr, double x, double y, double w, const char *s)
{
	char first[256];
	const char *rest = NULL;
	size_t n = strlen(s), cut = 0;
	double lines = 1;

	vr_font(cr, false, false, 10);
	if (vr_text_width(cr, s) > w - 6 && n < sizeof(first)) {
		/* two lines: break at the last space that lets the first fit */
		memcpy(first, s, n + 1);
		for (size_t i = 1; i < n; i++) {
			if (s[i] != ' ')
				continue;
			first[i] = '\0';
			if (vr_text_width(cr, first) <= w - 6)
				cut = i;
			first[i] = ' ';
		}
		if (cut) {
			first[cut] = '\0';
			rest = s + cut + 1;
			lines = 2;
		}
	}
	cairo_set_source_rgb(cr, 1.0, 0.97, 0.85);
	cairo_rectangle(cr, x, y, w, lines * VR_LINE + 4);
	cairo_fill(cr);
	cairo_set_source_rgb(cr, 0.45, 0.35, 0.10);
	vr_text(cr, x + 3, y + VR_LINE, w - 6, rest ? first : s);
	if (rest)
		vr_text(cr, x + 3, y + 2 * VR_LINE, w - 6, rest);
	return y + lines * VR_LINE + 8;
}

void vr_hatch(cairo_t *cr, double x, double y, double w, double h, enum viz_colour_id id)
{
	cairo_save(cr);
	cairo_rectangle(cr, x, y, w, h);
	cairo_clip(cr);
	vr_colour(cr, VIZ_C_BACKGROUND);
	cairo_paint(cr);
	vr_colour(cr, id);
	cairo_set_line_width(cr, 2);
	for (double d = -h; d < w; d += 6) {
		cairo_move_to(cr, x + d, y + h);
		cairo_line_to(cr, x + d + h, y);
	}
	cairo_stroke(cr);
	cairo_restore(cr);
}

bool vr_changed_now(const struct viz_state *s, size_t changed_step)
{
	/* Step N is the state after events 0..N-1: what the last applied
	 * event (number N-1) changed is stamped with step N. */
	return changed_step == viz_state_step(s);
}

void vr_flash(cairo_t *cr, const struct viz_view *v, double x, double y, double w, double h)
{
	if (!(v->flash > 0))
		return;
	cairo_set_source_rgba(cr, 1.0, 0.85, 0.0, v->flash > 1 ? 1 : v->flash);
	cairo_set_line_width(cr, 2.5);
	cairo_rectangle(cr, x - 1.5, y - 1.5, w + 3, h + 3);
	cairo_stroke(cr);
}

const char *vr_size(uint64_t bytes, char *buf, size_t len)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	unsigned u = 0;
	double v = (double)bytes;

	while (v >= 1024 && u + 1 < sizeof(unit) / sizeof(unit[0])) {
		v /= 1024;
		u++;
	}
	if (v == (double)(uint64_t)v)
		snprintf(buf, len, "%llu %s", (unsigned long long)v, unit[u]);
	else
		snprintf(buf, len, "%.1f %s", v, unit[u]);
	return buf;
}

bool vr_in(const struct viz_rect *r, double x, double y)
{
	return x >= r->x && x < r->x + r->w && y >= r->y && y < r->y + r->h;
}

size_t vr_window(size_t n, size_t fit, size_t focus)
{
	size_t first;

	if (fit >= n)
		return 0;
	first = focus > fit / 2 ? focus - fit / 2 : 0;
	if (first + fit > n)
		first = n - fit;
	return first;
}

void vr_elision(cairo_t *cr, double x, double maxw, double above_y, double below_y,
		size_t first, size_t shown, size_t n, const char *noun)
{
	size_t below = first + shown < n ? n - first - shown : 0;

	cairo_set_source_rgb(cr, 0.35, 0.35, 0.4);
	vr_font(cr, false, false, 9.5);
	if (first && noun)
		vr_textf(cr, x, above_y, maxw, "\u2191 %zu more %s%s above", first, noun,
			 first == 1 ? "" : "s");
	else if (first)
		vr_textf(cr, x, above_y, maxw, "\u2191 %zu more above", first);
	if (below && noun)
		vr_textf(cr, x, below_y, maxw, "\u2193 %zu more %s%s below", below, noun,
			 below == 1 ? "" : "s");
	else if (below)
		vr_textf(cr, x, below_y, maxw, "\u2193 %zu more below", below);
}

double vr_legend(cairo_t *cr, double x, double y, double w, const struct vr_legend_item *items,
		 size_t n)
{
	double right = x + w;

	vr_font(cr, false, false, 9);
	for (size_t i = 0; i < n && x < right - 20; i++) {
		if (items[i].hatched) {
			vr_hatch(cr, x, y - 8, 9, 9, items[i].colour);
		} else {
			vr_colour(cr, items[i].colour);
			cairo_rectangle(cr, x, y - 8, 9, 9);
			cairo_fill(cr);
			/* a thin outline, so that pale swatches (HOLE) show */
			cairo_set_source_rgb(cr, 0.4, 0.4, 0.4);
			cairo_set_line_width(cr, 0.5);
			cairo_rectangle(cr, x, y - 8, 9, 9);
			cairo_stroke(cr);
		}
		vr_colour(cr, VIZ_C_TEXT);
		x += 12 + vr_text(cr, x + 12, y, right - x - 12, items[i].label) + 10;
	}
	return x;
}

const char *vr_ioend_stage_name(enum viz_ioend_stage st)
{
	switch (st) {
	case VIZ_IOEND_BUILDING:
		return "building";
	case VIZ_IOEND_SUBMITTED:
		return "submitted";
	case VIZ_IOEND_COMPLETED:
		return "completed";
	case VIZ_IOEND_MERGED:
		return "merged";
	case VIZ_IOEND_FINISHED:
		return "finished";
	}
	return "?";
}

const char *vr_call_name(enum viz_call_kind k)
{
	switch (k) {
	case VIZ_CALL_ITER:
		return "iomap_iter";
	case VIZ_CALL_BEGIN:
		return "->iomap_begin";
	case VIZ_CALL_BEGIN_DONE:
		return "->iomap_begin returned";
	case VIZ_CALL_END:
		return "->iomap_end";
	case VIZ_CALL_DSTMAP:
		return "dstmap";
	case VIZ_CALL_SRCMAP:
		return "srcmap";
	case VIZ_CALL_STALE:
		return "STALE re-lookup";
	case VIZ_CALL_MAP_BLOCKS:
		return "->map_blocks";
	}
	return "?";
}

const char *vr_map_str(const struct viz_mapping *m, bool with_range, char *buf, size_t len)
{
	char fl[96];
	int n;

	if (!len)
		return buf;
	iomap_f_flags_str(m->flags, fl, sizeof(fl));
	n = snprintf(buf, len, "%s%s%s", iomap_type_name(m->type), *fl ? " " : "", fl);
	if (!with_range || n < 0 || (size_t)n >= len)
		return buf;
	if (m->addr == UINT64_MAX)
		snprintf(buf + n, len - (size_t)n, " 0x%llx+0x%llx", (unsigned long long)m->offset,
			 (unsigned long long)m->length);
	else
		snprintf(buf + n, len - (size_t)n, " 0x%llx+0x%llx addr 0x%llx",
			 (unsigned long long)m->offset, (unsigned long long)m->length,
			 (unsigned long long)m->addr);
	return buf;
}

/* A view that cannot be drawn: say why rather than crash. */
static void draw_empty(cairo_t *cr, double w, double h, const char *why)
{
	double y = vr_frame(cr, "iomap visualiser", w, h);

	vr_note(cr, VR_PAD, y, w - 2 * VR_PAD, why);
}

void viz_render(enum viz_panel p, const struct viz_view *v, cairo_t *cr, double w, double h)
{
	if (!cr || !(w > 0) || !(h > 0) || !isfinite(w) || !isfinite(h))
		return;
	cairo_save(cr);
	cairo_rectangle(cr, 0, 0, w, h);
	cairo_clip(cr);
	cairo_new_path(cr);
	if (!v || !v->state) {
		draw_empty(cr, w, h, "nothing to show: no state");
	} else {
		switch (p) {
		case VIZ_PANEL_ITER:
			vr_draw_iter(v, cr, w, h);
			break;
		case VIZ_PANEL_PAGECACHE:
			vr_draw_pagecache(v, cr, w, h);
			break;
		case VIZ_PANEL_IOEND:
			vr_draw_ioend(v, cr, w, h);
			break;
		case VIZ_PANEL_LOCKS:
			vr_draw_locks(v, cr, w, h);
			break;
		case VIZ_PANEL_EVENTS:
			vr_draw_events(v, cr, w, h);
			break;
		case VIZ_PANEL_DISK:
			vr_draw_disk(v, cr, w, h);
			break;
		case VIZ_PANEL_ALL:
			vr_draw_all(v, cr, w, h);
			break;
		default:
			draw_empty(cr, w, h, "unknown panel");
			break;
		}
	}
	cairo_restore(cr);
}

bool viz_hit_test(enum viz_panel p, const struct viz_view *v, double w, double h, double x,
		  double y, struct viz_hit *out)
{
	struct viz_hit tmp;
	bool hit = false;

	if (!out)
		out = &tmp;
	memset(out, 0, sizeof(*out));
	out->panel = p;
	out->kind = VIZ_HIT_NONE;
	if (!v || !v->state || !(w > 0) || !(h > 0) || !(x >= 0 && x < w && y >= 0 && y < h))
		return false;
	switch (p) {
	case VIZ_PANEL_ITER:
		hit = vr_hit_iter(v, w, h, x, y, out);
		break;
	case VIZ_PANEL_PAGECACHE:
		hit = vr_hit_pagecache(v, w, h, x, y, out);
		break;
	case VIZ_PANEL_IOEND:
		hit = vr_hit_ioend(v, w, h, x, y, out);
		break;
	case VIZ_PANEL_LOCKS:
		hit = vr_hit_locks(v, w, h, x, y, out);
		break;
	case VIZ_PANEL_EVENTS:
		hit = vr_hit_events(v, w, h, x, y, out);
		break;
	case VIZ_PANEL_DISK:
		hit = vr_hit_disk(v, w, h, x, y, out);
		break;
	case VIZ_PANEL_ALL: {
		struct viz_rect r[VIZ_NR_PANELS];

		viz_panel_layout(w, h, r);
		for (int i = 0; i < VIZ_PANEL_ALL; i++)
			if (vr_in(&r[i], x, y))
				return viz_hit_test((enum viz_panel)i, v, r[i].w, r[i].h,
						    x - r[i].x, y - r[i].y, out);
		return false;
	}
	default:
		return false;
	}
	if (!hit)
		out->kind = VIZ_HIT_NONE;
	return hit;
}
