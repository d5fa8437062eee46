/**
 * @file export.c
 * @brief Export a panel to PNG, SVG or PDF, two views of it side by side
 *        (compare mode), and a range of steps to a multi-page PDF (one
 *        page per step, for lecture slides).
 *
 * The file kind follows the extension, case-insensitively: .png (an
 * ARGB32 image surface of w x h pixels), .svg and .pdf (w x h points).
 * Anything else is -EINVAL before any file is touched.  We open the file
 * ourselves and hand Cairo a write callback, so that "cannot create" and
 * "cannot write" (full disk, closed pipe) both come back as -EIO with a
 * message naming the path and the reason; a file that failed half way is
 * removed.  viz_export() and viz_export_pair() share one path,
 * export_surface(), which takes what to draw as an export_job.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cairo-pdf.h>
#include <cairo-svg.h>

#include "render-internal.h"

/* Largest image we agree to allocate: 16k x 16k pixels. */
#define MAX_DIM 16384

enum export_kind { EXPORT_NONE, EXPORT_PNG, EXPORT_SVG, EXPORT_PDF };

/* Where Cairo's bytes go, and the first write error. */
struct out_file {
	FILE *f;
	int err; /* errno of the first failed write, 0 if none */
};

static cairo_status_t write_cb(void *closure, const unsigned char *data, unsigned int length)
{
	struct out_file *o = closure;

	if (o->err)
		return CAIRO_STATUS_WRITE_ERROR;
	if (length && fwrite(data, 1, length, o->f) != length) {
		o->err = errno ? errno : EIO;
		return CAIRO_STATUS_WRITE_ERROR;
	}
	return CAIRO_STATUS_SUCCESS;
}

static enum export_kind kind_of(const char *path)
{
	const char *dot = path ? strrchr(path, '.') : NULL;

	if (!dot || strchr(dot, '/'))
		return EXPORT_NONE;
	if (strcasecmp(dot, ".png") == 0)
		return EXPORT_PNG;
	if (strcasecmp(dot, ".svg") == 0)
		return EXPORT_SVG;
	if (strcasecmp(dot, ".pdf") == 0)
		return EXPORT_PDF;
	return EXPORT_NONE;
}

static int fail(char *err, size_t errlen, int ret, const char *fmt, const char *path,
		const char *why)
{
	if (err && errlen)
		snprintf(err, errlen, fmt, path ? path : "(null)", why);
	return ret;
}

static int open_out(const char *path, struct out_file *o, char *err, size_t errlen)
{
	o->err = 0;
	errno = 0;
	o->f = fopen(path, "wb");
	if (!o->f)
		return fail(err, errlen, -EIO, "%s: cannot create: %s", path, strerror(errno));
	return 0;
}

/* Close, and turn any failure (ours or Cairo's) into -EIO; a failed file is removed. */
static int close_out(const char *path, struct out_file *o, cairo_status_t st, char *err,
		     size_t errlen)
{
	int ret = 0;

	if (fclose(o->f) != 0 && !o->err)
		o->err = errno ? errno : EIO;
	if (o->err)
		ret = fail(err, errlen, -EIO, "%s: cannot write: %s", path, strerror(o->err));
	else if (st != CAIRO_STATUS_SUCCESS)
		ret = fail(err, errlen, -EIO, "%s: cannot write: %s", path,
			   cairo_status_to_string(st));
	if (ret)
		unlink(path);
	return ret;
}

static int check_args(const struct viz_view *v, const char *path, int w, int h,
		      enum export_kind *kind, char *err, size_t errlen)
{
	if (err && errlen)
		err[0] = '\0';
	if (!path || !*path)
		return fail(err, errlen, -EINVAL, "%s%s", "no output file given", "");
	*kind = kind_of(path);
	if (*kind == EXPORT_NONE)
		return fail(err, errlen, -EINVAL, "%s: %s", path,
			    "unknown file type: the name must end in .png, .svg or .pdf");
	if (w <= 0 || h <= 0 || w > MAX_DIM || h > MAX_DIM)
		return fail(err, errlen, -EINVAL, "%s: %s", path,
			    "width and height must be between 1 and 16384");
	if (!v || !v->state)
		return fail(err, errlen, -EINVAL, "%s: %s", path, "nothing to export: no state");
	return 0;
}

int viz_export_kind(const char *path)
{
	switch (kind_of(path)) {
	case EXPORT_PNG:
		return 0;
	case EXPORT_SVG:
		return 1;
	case EXPORT_PDF:
		return 2;
	default:
		return -1;
	}
}

/* What one export draws: a single view, or two side by side. */
struct export_job {
	enum viz_panel panel;
	const struct viz_view *a; /* the view (the left one of a pair) */
	const struct viz_view *b; /* the right one, or NULL */
};

/* Draw a | b into cr, w x h in all: each view gets half the width, with a
 * thin rule in the text colour between them. */
static void draw_pair(const struct export_job *job, cairo_t *cr, double w, double h)
{
	double half = w / 2;
	struct viz_rgb fg = viz_colour(VIZ_C_TEXT);

	cairo_save(cr);
	cairo_rectangle(cr, 0, 0, half, h);
	cairo_clip(cr);
	viz_render(job->panel, job->a, cr, half, h);
	cairo_restore(cr);

	cairo_save(cr);
	cairo_translate(cr, half, 0);
	cairo_rectangle(cr, 0, 0, w - half, h);
	cairo_clip(cr);
	viz_render(job->panel, job->b, cr, w - half, h);
	cairo_restore(cr);

	cairo_save(cr);
	cairo_set_source_rgb(cr, fg.r, fg.g, fg.b);
	cairo_set_line_width(cr, 2);
	cairo_move_to(cr, half, 0);
	cairo_line_to(cr, half, h);
	cairo_stroke(cr);
	cairo_restore(cr);
}

static void draw_job(const struct export_job *job, cairo_t *cr, double w, double h)
{
	if (job->b)
		draw_pair(job, cr, w, h);
	else
		viz_render(job->panel, job->a, cr, w, h);
}

/*
 * The one path every single-page export takes: open the file, make a
 * surface of the kind the extension names (ARGB32 for PNG), draw, write,
 * and remove the file if anything failed.  The caller has checked the
 * arguments; @w x @h is the whole image.
 */
static int export_surface(enum export_kind kind, const struct export_job *job, const char *path,
			  int w, int h, char *err, size_t errlen)
{
	struct out_file o;
	cairo_surface_t *sf;
	cairo_status_t st;
	cairo_t *cr;
	int ret;

	ret = open_out(path, &o, err, errlen);
	if (ret)
		return ret;
	if (kind == EXPORT_PNG)
		sf = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, w, h);
	else if (kind == EXPORT_SVG)
		sf = cairo_svg_surface_create_for_stream(write_cb, &o, w, h);
	else
		sf = cairo_pdf_surface_create_for_stream(write_cb, &o, w, h);
	cr = cairo_create(sf);
	draw_job(job, cr, w, h);
	st = cairo_status(cr);
	cairo_destroy(cr);
	if (st == CAIRO_STATUS_SUCCESS && kind == EXPORT_PNG)
		st = cairo_surface_write_to_png_stream(sf, write_cb, &o);
	cairo_surface_finish(sf); /* SVG and PDF write their trailer here */
	if (st == CAIRO_STATUS_SUCCESS)
		st = cairo_surface_status(sf);
	cairo_surface_destroy(sf);
	return close_out(path, &o, st, err, errlen);
}

int viz_export(enum viz_panel p, const struct viz_view *v, const char *path, int w, int h,
	       char *err, size_t errlen)
{
	return viz_export_pair(p, v, NULL, path, w, h, err, errlen);
}

int viz_export_pair(enum viz_panel p, const struct viz_view *a, const struct viz_view *b,
		    const char *path, int w, int h, char *err, size_t errlen)
{
	struct export_job job = { .panel = p, .a = a, .b = b };
	enum export_kind kind;
	int ret;

	ret = check_args(a, path, w, h, &kind, err, errlen);
	if (ret)
		return ret;
	if ((unsigned)p >= VIZ_NR_PANELS)
		return fail(err, errlen, -EINVAL, "%s: %s", path, "unknown panel");
	if (!b)
		return export_surface(kind, &job, path, w, h, err, errlen);
	if (!b->state)
		return fail(err, errlen, -EINVAL, "%s: %s", path,
			    "nothing to export: no state for the second view");
	/* Side by side, each view gets the whole w x h, so that both stay as
	 * readable as one view alone: the image is 2w wide. */
	if (w > MAX_DIM / 2)
		return fail(err, errlen, -EINVAL, "%s: %s", path,
			    "side by side, the width must be between 1 and 8192");
	return export_surface(kind, &job, path, 2 * w, h, err, errlen);
}

int viz_export_pdf_steps(struct viz_model *m, enum viz_panel p, const struct viz_view *tmpl,
			 const char *path, size_t from, size_t to, int w, int h, char *err,
			 size_t errlen)
{
	struct viz_view v = { 0 };
	enum export_kind kind;
	struct out_file o;
	cairo_surface_t *sf;
	cairo_status_t st = CAIRO_STATUS_SUCCESS;
	cairo_t *cr;
	char seek_why[128];
	size_t n;
	int ret, seek_ret = 0, pages = 0;

	if (err && errlen)
		err[0] = '\0';
	if (!m)
		return fail(err, errlen, -EINVAL, "%s: %s", path, "no model");
	if (tmpl) {
		v = *tmpl;
	} else {
		v.hover_event = -1;
		v.divergence = SIZE_MAX;
	}
	v.state = viz_model_state(m);
	v.store = viz_model_store(m);
	ret = check_args(&v, path, w, h, &kind, err, errlen);
	if (ret)
		return ret;
	if (kind != EXPORT_PDF)
		return fail(err, errlen, -EINVAL, "%s: %s", path,
			    "a multi-page export must be a .pdf file");
	if ((unsigned)p >= VIZ_NR_PANELS)
		return fail(err, errlen, -EINVAL, "%s: %s", path, "unknown panel");
	n = viz_model_nr_steps(m);
	if (to > n)
		to = n;
	if (from > to)
		return fail(err, errlen, -EINVAL, "%s: %s", path,
			    "the first step is after the last one");
	ret = open_out(path, &o, err, errlen);
	if (ret)
		return ret;
	sf = cairo_pdf_surface_create_for_stream(write_cb, &o, w, h);
	cr = cairo_create(sf);
	for (size_t step = from; step <= to; step++) {
		seek_ret = viz_model_seek(m, step);
		if (seek_ret < 0)
			break;
		v.state = viz_model_state(m);
		viz_render(p, &v, cr, w, h);
		cairo_show_page(cr);
		pages++;
		st = cairo_status(cr);
		if (st != CAIRO_STATUS_SUCCESS || o.err)
			break;
		if (step == SIZE_MAX)
			break;
	}
	cairo_destroy(cr);
	cairo_surface_finish(sf);
	if (st == CAIRO_STATUS_SUCCESS)
		st = cairo_surface_status(sf);
	cairo_surface_destroy(sf);
	ret = close_out(path, &o, st, err, errlen);
	if (!ret && seek_ret < 0) {
		/* The pages so far were written, but the slides are incomplete:
		 * do not leave a file that looks finished. */
		unlink(path);
		snprintf(seek_why, sizeof(seek_why), "cannot reach step %zu: %s", pages + from,
			 strerror(-seek_ret));
		return fail(err, errlen, seek_ret, "%s: %s", path, seek_why);
	}
	return ret ? ret : pages;
}
