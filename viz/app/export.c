/*
 * export.c — the app's exports: one view through viz_export(), or two views
 * side by side (compare mode) drawn into a surface chosen by the extension.
 *
 * Cairo only, no GTK: main.c calls this with no display.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <cairo.h>

#include "viz-app.h"

enum out_kind { OUT_PNG, OUT_SVG, OUT_PDF, OUT_BAD };

static enum out_kind kind_of(const char *path)
{
	const char *dot = strrchr(path, '.');

	if (!dot)
		return OUT_BAD;
	if (!strcasecmp(dot, ".png"))
		return OUT_PNG;
	if (!strcasecmp(dot, ".svg"))
		return OUT_SVG;
	if (!strcasecmp(dot, ".pdf"))
		return OUT_PDF;
	return OUT_BAD;
}

/* Draw a | b into cr: each view gets half the width, a thin rule between. */
static void draw_pair(enum viz_panel p, const struct viz_view *a, const struct viz_view *b,
		      cairo_t *cr, double w, double h)
{
	double half = w / 2;
	struct viz_rgb fg = viz_colour(VIZ_C_TEXT);

	cairo_save(cr);
	cairo_rectangle(cr, 0, 0, half, h);
	cairo_clip(cr);
	viz_render(p, a, cr, half, h);
	cairo_restore(cr);

	cairo_save(cr);
	cairo_translate(cr, half, 0);
	cairo_rectangle(cr, 0, 0, w - half, h);
	cairo_clip(cr);
	viz_render(p, b, cr, w - half, h);
	cairo_restore(cr);

	cairo_save(cr);
	cairo_set_source_rgb(cr, fg.r, fg.g, fg.b);
	cairo_set_line_width(cr, 2);
	cairo_move_to(cr, half, 0);
	cairo_line_to(cr, half, h);
	cairo_stroke(cr);
	cairo_restore(cr);
}

int viz_app_export(enum viz_panel p, const struct viz_view *a, const struct viz_view *b,
		   const char *path, int w, int h, char *err, size_t errlen)
{
	enum out_kind k = kind_of(path);
	cairo_surface_t *s;
	cairo_status_t st;
	cairo_t *cr;

	if (!b)
		return viz_export(p, a, path, w, h, err, errlen);
	if (k == OUT_BAD) {
		snprintf(err, errlen, "%s: unknown extension (use .png, .svg or .pdf)", path);
		return -EINVAL;
	}
	/* Side by side, each view gets the whole w x h: the image is 2w wide,
	 * so that both stay as readable as one view alone. */
	if (k == OUT_PNG)
		s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 2 * w, h);
	else if (k == OUT_SVG)
		s = cairo_svg_surface_create(path, 2 * w, h);
	else
		s = cairo_pdf_surface_create(path, 2 * w, h);
	cr = cairo_create(s);
	draw_pair(p, a, b, cr, 2 * w, h);
	cairo_destroy(cr);
	if (k == OUT_PNG)
		st = cairo_surface_write_to_png(s, path);
	else {
		cairo_surface_finish(s);
		st = cairo_surface_status(s);
	}
	cairo_surface_destroy(s);
	if (st != CAIRO_STATUS_SUCCESS) {
		snprintf(err, errlen, "%s: %s", path, cairo_status_to_string(st));
		return -EIO;
	}
	return 0;
}
