/**
 * @file export.c
 * @brief Export a panel to PNG, SVG or PDF, and a range of steps to a
 *        multi-page PDF (one page per step, for lecture slides).
 *
 * The file kind follows the extension, case-insensitively: .png (an
 * ARGB32 image surface of w x h pixels), .svg and .pdf (w x h points).
 * Anything else is -EINVAL before any file is touched.  We open the file
 * ourselves and hand Cairo a write callback, so that "cannot create" and
 * "cannot write" (full disk, closed pipe) both come back as -EIO with a
 * message naming the path and the reason; a file that failed half way is
 * removed.
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

int viz_export(enum viz_panel p, const struct viz_view *v, const char *path, int w, int h,
	       char *err, size_t errlen)
{
	enum export_kind kind;
	struct out_file o;
	cairo_surface_t *sf;
	cairo_status_t st;
	cairo_t *cr;
	int ret;

	ret = check_args(v, path, w, h, &kind, err, errlen);
	if (ret)
		return ret;
	if ((unsigned)p >= VIZ_NR_PANELS)
		return fail(err, errlen, -EINVAL, "%s: %s", path, "unknown panel");
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
	viz_render(p, v, cr, w, h);
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
	size_t n;
	int ret, pages = 0;

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
		if (viz_model_seek(m, step) < 0) {
			st = CAIRO_STATUS_NO_MEMORY;
			break;
		}
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
	if (st == CAIRO_STATUS_NO_MEMORY && !o.err) {
		fclose(o.f);
		unlink(path);
		return fail(err, errlen, -ENOMEM, "%s: %s", path, "out of memory while seeking");
	}
	ret = close_out(path, &o, st, err, errlen);
	return ret ? ret : pages;
}
