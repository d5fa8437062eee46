/**
 * @file test_render.c
 * @brief Check tests of the visualiser's renderers (viz/render): the
 *        pixels of headless renders say what the folded state says.
 *
 * Areas:
 *   vizr-1.*  page cache: at the centre of viz_pagecache_block_rect() the
 *             pixel has the colour of the block's state (dirty after the
 *             write, uptodate after fsync), for every drawn block of every
 *             folio, at several panel sizes and block sizes, alone and
 *             inside VIZ_PANEL_ALL; flashing shows what changed; too many
 *             folios: the newest drawn, the rest elided
 *   vizr-2.*  locks: a held lock's rectangle is VIZ_C_LOCKED; a validator
 *             report paints VIZ_C_INVERSION, and nothing is red before it
 *   vizr-3.*  export: PNG (magic bytes, IHDR size), SVG ("<?xml"), PDF
 *             ("%PDF-"), one PDF page per step; unknown extension -EINVAL,
 *             unwritable path -EIO naming the path
 *   vizr-4.*  robustness: every panel at many steps and sizes (under ASan
 *             in ./run.sh test), hit testing and tooltips, bad arguments,
 *             a kernel trace (what it lacks is said), the divergent event,
 *             a merged ioend drawn under the head of its chain, a STALE
 *             re-lookup's red marker, a failed bio crossed out on the disk
 *
 * Every event stream is made in-process by viz_commands_run(): an
 * in-memory extentfs, xfs_io commands through iocmd in deterministic mode,
 * framed and renumbered as the built-in scenarios are.
 *
 * LeakSanitizer: fontconfig and cairo keep process-lifetime caches; each
 * test calls render_teardown() (cairo_debug_reset_static_data() and
 * FcFini()) so that no suppression is needed.
 */
#include <errno.h>
#include <fontconfig/fontconfig.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <iomap/lock.h>
#include <iomap/trace.h>

#include "../../testutil.h"
#include "samples/iocmd/iocmd.h"
#include "viz/render/viz-render.h"
#include "viz/scenarios/viz-scenario.h"
#include "../viz-testutil.h"

static void render_teardown(void)
{
	cairo_debug_reset_static_data();
	FcFini();
}

static struct viz_view view_of(const struct viz_model *m)
{
	struct viz_view v = { 0 };

	v.state = viz_model_state(m);
	v.store = viz_model_store(m);
	v.title = "test";
	v.explanation = "A buffered write makes blocks dirty; fsync writes them back.";
	v.seed_ref = "Buffered I/O > Writes";
	v.hover_event = -1;
	v.divergence = SIZE_MAX;
	return v;
}

/* Render panel @p of @v into a new w x h image (caller destroys). */
static cairo_surface_t *render(enum viz_panel p, const struct viz_view *v, int w, int h)
{
	cairo_surface_t *sf = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, w, h);
	cairo_t *cr = cairo_create(sf);

	viz_render(p, v, cr, w, h);
	ck_assert_int_eq(cairo_status(cr), CAIRO_STATUS_SUCCESS);
	cairo_destroy(cr);
	cairo_surface_flush(sf);
	return sf;
}

/* Whether the pixel at (x, y) is colour @c (within 2 of 255 per channel). */
static bool pixel_is(cairo_surface_t *sf, double x, double y, enum viz_colour_id c)
{
	const unsigned char *d = cairo_image_surface_get_data(sf);
	int stride = cairo_image_surface_get_stride(sf);
	int xi = (int)floor(x), yi = (int)floor(y);
	struct viz_rgb want = viz_colour(c);
	uint32_t px;

	ck_assert(xi >= 0 && yi >= 0 && xi < cairo_image_surface_get_width(sf) &&
		  yi < cairo_image_surface_get_height(sf));
	memcpy(&px, d + (size_t)yi * (size_t)stride + (size_t)xi * 4, 4);
	return abs((int)((px >> 16) & 0xff) - (int)lround(want.r * 255)) <= 2 &&
	       abs((int)((px >> 8) & 0xff) - (int)lround(want.g * 255)) <= 2 &&
	       abs((int)(px & 0xff) - (int)lround(want.b * 255)) <= 2 && (px >> 24) == 0xff;
}

/* Pixels of colour @c in the rectangle (x, y, w, h) of @sf. */
static size_t count_colour(cairo_surface_t *sf, int x0, int y0, int w, int h,
			   enum viz_colour_id c)
{
	size_t n = 0;

	for (int y = y0; y < y0 + h; y++)
		for (int x = x0; x < x0 + w; x++)
			n += pixel_is(sf, x + 0.5, y + 0.5, c);
	return n;
}

static enum viz_colour_id expected_block_colour(const struct viz_state *s, size_t f, unsigned b)
{
	if (viz_folio_block_dirty(s, f, b))
		return VIZ_C_BLOCK_DIRTY;
	return viz_folio_block_uptodate(s, f, b) ? VIZ_C_BLOCK_UPTODATE : VIZ_C_BLOCK_EMPTY;
}

/*
 * Check every drawn block of every folio: the pixel at its rectangle's
 * centre has its state's colour.  (ox, oy) is where the panel sits in the
 * image.  Returns the number of blocks checked and counts dirty ones.
 */
static size_t check_blocks(cairo_surface_t *sf, const struct viz_view *v, double ox, double oy,
			   double w, double h, size_t *nr_dirty)
{
	const struct viz_state *s = v->state;
	size_t checked = 0;

	for (size_t f = 0; f < viz_state_nr_folios(s); f++) {
		const struct viz_folio *fo = viz_state_folio(s, f);

		for (unsigned b = 0; b < fo->nr_blocks; b++) {
			enum viz_colour_id want = expected_block_colour(s, f, b);
			struct viz_rect r;

			if (!viz_pagecache_block_rect(v, w, h, f, b, &r))
				continue;
			ck_assert(r.w >= 1 && r.h >= 1);
			ck_assert_msg(pixel_is(sf, ox + r.x + r.w / 2, oy + r.y + r.h / 2, want),
				      "folio %zu block %u at (%.1f, %.1f) is not colour %d", f, b,
				      ox + r.x + r.w / 2, oy + r.y + r.h / 2, (int)want);
			checked++;
			if (nr_dirty && want == VIZ_C_BLOCK_DIRTY)
				(*nr_dirty)++;
		}
	}
	return checked;
}

static const char *const write_fsync[] = { "pwrite -S 0xab -b 64k 0 64k", "fsync" };

/* ---- vizr-1: the page cache ----------------------------------------------------- */

/* vizr-1.1: after the write, block 0's pixel is dirty; after fsync the same block is uptodate. */
START_TEST(vizr_1_1_dirty_then_uptodate)
{
	struct viz_store *st = vt_run_cmds(NULL, write_fsync, 2, NULL);
	struct viz_model *m = viz_model_new(st);
	static const int sizes[][2] = { { 420, 380 }, { 300, 160 }, { 1280, 800 }, { 200, 120 } };
	size_t after_write, nd;

	ck_assert_ptr_nonnull(m);
	after_write = viz_model_step_over(m, viz_model_op_step(m, 0));
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		int w = sizes[k][0], h = sizes[k][1];
		struct viz_view v;
		struct viz_rect r;
		cairo_surface_t *sf;

		ck_assert_int_eq(viz_model_seek(m, after_write), 0);
		v = view_of(m);
		ck_assert_uint_eq(viz_state_nr_folios(v.state), 1);
		ck_assert(viz_folio_block_dirty(v.state, 0, 0));
		ck_assert(viz_pagecache_block_rect(&v, w, h, 0, 0, &r));
		sf = render(VIZ_PANEL_PAGECACHE, &v, w, h);
		ck_assert_msg(pixel_is(sf, r.x + r.w / 2, r.y + r.h / 2, VIZ_C_BLOCK_DIRTY),
			      "%dx%d: block 0 not dirty-coloured", w, h);
		nd = 0;
		ck_assert_uint_eq(check_blocks(sf, &v, 0, 0, w, h, &nd), 16);
		ck_assert_uint_eq(nd, 16);
		cairo_surface_destroy(sf);

		ck_assert_int_eq(viz_model_seek(m, viz_model_nr_steps(m)), 0);
		v = view_of(m);
		ck_assert(!viz_folio_block_dirty(v.state, 0, 0));
		ck_assert(viz_folio_block_uptodate(v.state, 0, 0));
		ck_assert(viz_pagecache_block_rect(&v, w, h, 0, 0, &r));
		sf = render(VIZ_PANEL_PAGECACHE, &v, w, h);
		ck_assert_msg(pixel_is(sf, r.x + r.w / 2, r.y + r.h / 2, VIZ_C_BLOCK_UPTODATE),
			      "%dx%d: block 0 not uptodate-coloured after fsync", w, h);
		ck_assert(!pixel_is(sf, r.x + r.w / 2, r.y + r.h / 2, VIZ_C_BLOCK_DIRTY));
		nd = 0;
		ck_assert_uint_eq(check_blocks(sf, &v, 0, 0, w, h, &nd), 16);
		ck_assert_uint_eq(nd, 0);
		cairo_surface_destroy(sf);
	}
	viz_model_free(m);
	viz_store_free(st);
	render_teardown();
}
END_TEST

/* vizr-1.2: every block at every step of sub-block writes (1k blocks) has its state's colour. */
START_TEST(vizr_1_2_every_block_every_step)
{
	static const char *const cmds[] = { "pwrite -S 0x11 1k 1k", "pwrite -S 0x22 5k 2k",
					    "pwrite -S 0x33 70k 3k", "fsync",
					    "pwrite -S 0x44 0 512" };
	static const char *const mkfs[] = { "-b size=1024", "-b size=512", "" };

	for (size_t k = 0; k < sizeof(mkfs) / sizeof(mkfs[0]); k++) {
		struct viz_store *st = vt_run_cmds(mkfs[k], cmds, sizeof(cmds) / sizeof(cmds[0]), NULL);
		struct viz_model *m = viz_model_new(st);
		size_t n = viz_model_nr_steps(m), checked = 0, dirty = 0;

		for (size_t step = 0; step <= n; step += 3) {
			struct viz_view v;
			cairo_surface_t *sf;

			ck_assert_int_eq(viz_model_seek(m, step), 0);
			v = view_of(m);
			sf = render(VIZ_PANEL_PAGECACHE, &v, 420, 380);
			checked += check_blocks(sf, &v, 0, 0, 420, 380, &dirty);
			cairo_surface_destroy(sf);
		}
		/* the table's runs must have shown both kinds of block */
		ck_assert_msg(checked > 50, "mkfs '%s': only %zu blocks checked", mkfs[k], checked);
		ck_assert_uint_gt(dirty, 0);
		ck_assert_uint_lt(dirty, checked);
		viz_model_free(m);
		viz_store_free(st);
	}
	render_teardown();
}
END_TEST

/* vizr-1.3: inside VIZ_PANEL_ALL at 1280x800 the page-cache panel's blocks have the same colours. */
START_TEST(vizr_1_3_all_panels_layout)
{
	struct viz_store *st = vt_run_cmds(NULL, write_fsync, 2, NULL);
	struct viz_model *m = viz_model_new(st);
	struct viz_rect r[VIZ_NR_PANELS];
	struct viz_view v;
	cairo_surface_t *sf;
	size_t nd = 0;

	ck_assert_int_eq(viz_model_seek(m, viz_model_step_over(m, viz_model_op_step(m, 0))), 0);
	v = view_of(m);
	viz_panel_layout(1280, 800, r);
	for (int i = 0; i < VIZ_NR_PANELS; i++) {
		/* inside the window, not overlapping the next one, readable */
		ck_assert(r[i].x >= 0 && r[i].y >= 0 && r[i].x + r[i].w <= 1280 + 1e-9 &&
			  r[i].y + r[i].h <= 800 + 1e-9);
		ck_assert(r[i].w >= 180 && r[i].h >= 300);
		for (int j = 0; j < i; j++)
			ck_assert(r[i].x >= r[j].x + r[j].w || r[j].x >= r[i].x + r[i].w ||
				  r[i].y >= r[j].y + r[j].h || r[j].y >= r[i].y + r[i].h);
	}
	sf = render(VIZ_PANEL_ALL, &v, 1280, 800);
	ck_assert_uint_eq(check_blocks(sf, &v, r[VIZ_PANEL_PAGECACHE].x, r[VIZ_PANEL_PAGECACHE].y,
				       r[VIZ_PANEL_PAGECACHE].w, r[VIZ_PANEL_PAGECACHE].h, &nd),
			  16);
	ck_assert_uint_eq(nd, 16);
	cairo_surface_destroy(sf);
	viz_model_free(m);
	viz_store_free(st);
	render_teardown();
}
END_TEST

/* Pixels of colour (r, g, b) (0..255, within 2 per channel) in an image. */
static size_t count_rgb(cairo_surface_t *sf, int r, int g, int b)
{
	const unsigned char *d = cairo_image_surface_get_data(sf);
	int stride = cairo_image_surface_get_stride(sf);
	size_t n = 0;

	for (int y = 0; y < cairo_image_surface_get_height(sf); y++)
		for (int x = 0; x < cairo_image_surface_get_width(sf); x++) {
			uint32_t px;

			memcpy(&px, d + (size_t)y * (size_t)stride + (size_t)x * 4, 4);
			n += abs((int)((px >> 16) & 0xff) - r) <= 2 &&
			     abs((int)((px >> 8) & 0xff) - g) <= 2 && abs((int)(px & 0xff) - b) <= 2;
		}
	return n;
}

/* Pixels of the flash colour (1.0, 0.85, 0.0). */
static size_t count_flash(cairo_surface_t *sf)
{
	return count_rgb(sf, 255, 217, 0);
}

/* vizr-1.4: at the step of a folio_state the changed folio flashes (flash 1), not with flash 0. */
START_TEST(vizr_1_4_flash_what_changed)
{
	struct viz_store *st = vt_run_cmds(NULL, write_fsync, 2, NULL);
	struct viz_model *m = viz_model_new(st);
	const char *names[] = { "folio_state" };
	size_t step = viz_model_next_break(m, viz_model_op_step(m, 0), names, 1);
	struct viz_view v;
	cairo_surface_t *sf;

	ck_assert_uint_lt(step, viz_model_nr_steps(m));
	ck_assert_int_eq(viz_model_seek(m, step), 0);
	v = view_of(m);
	v.flash = 1;
	sf = render(VIZ_PANEL_PAGECACHE, &v, 420, 380);
	ck_assert_uint_gt(count_flash(sf), 20);
	cairo_surface_destroy(sf);
	v.flash = 0;
	sf = render(VIZ_PANEL_PAGECACHE, &v, 420, 380);
	ck_assert_uint_eq(count_flash(sf), 0);
	cairo_surface_destroy(sf);
	/* one step later nothing of the folio changed: no flash even at 1 */
	ck_assert_int_eq(viz_model_seek(m, step + 1), 0);
	v = view_of(m);
	if (viz_state_folio(v.state, 0)->changed_step != step + 1) {
		v.flash = 1;
		sf = render(VIZ_PANEL_PAGECACHE, &v, 420, 380);
		ck_assert_uint_eq(count_flash(sf), 0);
		cairo_surface_destroy(sf);
	}
	viz_model_free(m);
	viz_store_free(st);
	render_teardown();
}
END_TEST

/* vizr-1.5: too many folios to show: the one changed last is drawn, the oldest are elided. */
START_TEST(vizr_1_5_many_folios_elided)
{
	static const char *const cmds[] = { "pwrite -b 4k 0 1m" };
	struct viz_store *st = vt_run_cmds(NULL, cmds, 1, NULL);
	struct viz_model *m = viz_model_new(st);
	size_t n, drawn = 0, nd = 0;
	struct viz_view v;
	struct viz_rect r;
	cairo_surface_t *sf;

	ck_assert_int_eq(viz_model_seek(m, viz_model_step_over(m, viz_model_op_step(m, 0))), 0);
	v = view_of(m);
	n = viz_state_nr_folios(v.state);
	ck_assert_uint_eq(n, 256);
	for (size_t f = 0; f < n; f++)
		drawn += viz_pagecache_block_rect(&v, 420, 380, f, 0, &r);
	ck_assert_uint_gt(drawn, 20);
	ck_assert_uint_lt(drawn, n);
	ck_assert(!viz_pagecache_block_rect(&v, 420, 380, 0, 0, &r));
	ck_assert(viz_pagecache_block_rect(&v, 420, 380, n - 1, 0, &r));
	sf = render(VIZ_PANEL_PAGECACHE, &v, 420, 380);
	ck_assert_uint_eq(check_blocks(sf, &v, 0, 0, 420, 380, &nd), drawn);
	ck_assert_uint_eq(nd, drawn);
	cairo_surface_destroy(sf);
	/* a tall panel shows them all */
	for (size_t f = 0; f < n; f++)
		ck_assert(viz_pagecache_block_rect(&v, 1200, 2000, f, 0, &r));
	viz_model_free(m);
	viz_store_free(st);
	render_teardown();
}
END_TEST

/* ---- vizr-2: locks ----------------------------------------------------------------- */

/* vizr-2.1: during the write the held locks' rectangles are VIZ_C_LOCKED. */
START_TEST(vizr_2_1_held_lock_colour)
{
	struct viz_store *st = vt_run_cmds(NULL, write_fsync, 2, NULL);
	struct viz_model *m = viz_model_new(st);
	size_t n = viz_model_nr_steps(m), checked = 0, waited = 0;

	for (size_t step = 0; step <= n; step++) {
		struct viz_view v;
		cairo_surface_t *sf;
		size_t nl;

		ck_assert_int_eq(viz_model_seek(m, step), 0);
		v = view_of(m);
		nl = viz_state_nr_locks(v.state);
		if (!nl || step % 2)
			continue;
		sf = render(VIZ_PANEL_LOCKS, &v, 420, 380);
		for (size_t i = 0; i < nl; i++) {
			const struct viz_lock *l = viz_state_lock(v.state, i);
			struct viz_rect r;

			if (!viz_lock_rect(&v, 420, 380, i, &r))
				continue;
			if (l->stage == VIZ_LOCK_HELD) {
				ck_assert_msg(pixel_is(sf, r.x + r.w / 2, r.y + r.h / 2, VIZ_C_LOCKED),
					      "step %zu: held %s not drawn locked", step, l->cls);
				checked++;
			} else {
				ck_assert(!pixel_is(sf, r.x + r.w / 2, r.y + r.h / 2, VIZ_C_LOCKED));
				waited++;
			}
		}
		cairo_surface_destroy(sf);
	}
	ck_assert_msg(checked >= 10, "only %zu held locks checked", checked);
	(void)waited;
	viz_model_free(m);
	viz_store_free(st);
	render_teardown();
}
END_TEST

static DEFINE_LOCK_CLASS(test_outer_class, "test_outer", LOCK_LEVEL_UPPER);
static DEFINE_LOCK_CLASS(test_inner_class, "test_inner", LOCK_LEVEL_LOWER);

/* vizr-2.2: an inversion caught by the validator paints VIZ_C_INVERSION; before it, nothing red. */
START_TEST(vizr_2_2_inversion_is_red)
{
	struct viz_store *st = viz_store_new(VIZ_SRC_REFERENCE);
	struct trace_sink *sink = viz_store_sink_new(st);
	struct mutex a, b;
	struct viz_model *m;
	struct viz_view v;
	cairo_surface_t *sf;
	const char *names[] = { "lockdep_inversion" };
	size_t rep;

	ck_assert_ptr_nonnull(sink);
	lockdep_reset();
	lockdep_set_quiet(true);
	mutex_init_class(&a, &test_outer_class, "outer");
	mutex_init_class(&b, &test_inner_class, "inner");
	trace_reset_clock();
	trace_add_sink(sink);
	mutex_lock(&a); /* outer -> inner: the established order */
	mutex_lock(&b);
	mutex_unlock(&b);
	mutex_unlock(&a);
	mutex_lock(&b); /* inner -> outer: inverted */
	mutex_lock(&a);
	mutex_unlock(&a);
	mutex_unlock(&b);
	trace_remove_sink(sink);
	trace_sink_free(sink);
	mutex_destroy_class(&a);
	mutex_destroy_class(&b);
	ck_assert_int_eq(lockdep_nr_reports(), 1);
	lockdep_reset();

	m = viz_model_new(st);
	rep = viz_model_next_break(m, 0, names, 1);
	ck_assert_uint_le(rep, viz_model_nr_steps(m));
	ck_assert_str_eq(viz_store_name(st, rep - 1), "lockdep_inversion");
	ck_assert_int_eq(viz_model_seek(m, rep - 1), 0);
	v = view_of(m);
	ck_assert_uint_eq(viz_state_nr_inversions(v.state), 0);
	sf = render(VIZ_PANEL_LOCKS, &v, 420, 380);
	ck_assert_uint_eq(count_colour(sf, 0, 0, 420, 380, VIZ_C_INVERSION), 0);
	cairo_surface_destroy(sf);
	ck_assert_int_eq(viz_model_seek(m, rep), 0);
	v = view_of(m);
	ck_assert_uint_eq(viz_state_nr_inversions(v.state), 1);
	sf = render(VIZ_PANEL_LOCKS, &v, 420, 380);
	ck_assert_uint_gt(count_colour(sf, 0, 0, 420, 380, VIZ_C_INVERSION), 200);
	cairo_surface_destroy(sf);
	viz_model_free(m);
	viz_store_free(st);
	render_teardown();
}
END_TEST

/* ---- vizr-3: export ---------------------------------------------------------------- */

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	ck_assert_int_gt(n, 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static unsigned be32(const unsigned char *p)
{
	return (unsigned)p[0] << 24 | (unsigned)p[1] << 16 | (unsigned)p[2] << 8 | p[3];
}

/* vizr-3.1: PNG, SVG and PDF by extension, with valid headers; bad names and paths fail cleanly. */
START_TEST(vizr_3_1_export_kinds)
{
	struct viz_store *st = vt_run_cmds(NULL, write_fsync, 2, NULL);
	struct viz_model *m = viz_model_new(st);
	char dir[] = "/tmp/vizr-XXXXXX", path[256], err[512];
	struct viz_view v;
	size_t len;
	char *buf;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(viz_model_seek(m, viz_model_nr_steps(m) / 2), 0);
	v = view_of(m);

	snprintf(path, sizeof(path), "%s/all.png", dir);
	ck_assert_int_eq(viz_export(VIZ_PANEL_ALL, &v, path, 1280, 800, err, sizeof(err)), 0);
	buf = slurp(path, &len);
	ck_assert_uint_gt(len, 24);
	ck_assert_mem_eq(buf, "\x89PNG\r\n\x1a\n", 8);
	ck_assert_mem_eq(buf + 12, "IHDR", 4);
	ck_assert_uint_eq(be32((unsigned char *)buf + 16), 1280);
	ck_assert_uint_eq(be32((unsigned char *)buf + 20), 800);
	free(buf);
	unlink(path);

	snprintf(path, sizeof(path), "%s/pc.SVG", dir);
	ck_assert_int_eq(viz_export(VIZ_PANEL_PAGECACHE, &v, path, 400, 300, err, sizeof(err)), 0);
	buf = slurp(path, &len);
	ck_assert(strncmp(buf, "<?xml", 5) == 0);
	ck_assert_ptr_nonnull(strstr(buf, "</svg>"));
	free(buf);
	unlink(path);

	snprintf(path, sizeof(path), "%s/iter.pdf", dir);
	ck_assert_int_eq(viz_export(VIZ_PANEL_ITER, &v, path, 400, 300, err, sizeof(err)), 0);
	buf = slurp(path, &len);
	ck_assert(strncmp(buf, "%PDF-", 5) == 0);
	ck_assert_ptr_nonnull(memmem(buf, len, "%%EOF", 5));
	free(buf);
	unlink(path);

	snprintf(path, sizeof(path), "%s/x.jpg", dir);
	ck_assert_int_eq(viz_export(VIZ_PANEL_ALL, &v, path, 100, 100, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, ".png"));
	ck_assert_int_ne(access(path, F_OK), 0);
	ck_assert_int_eq(viz_export(VIZ_PANEL_ALL, &v, "noext", 100, 100, err, sizeof(err)),
			 -EINVAL);
	snprintf(path, sizeof(path), "%s/x.png", dir);
	ck_assert_int_eq(viz_export(VIZ_PANEL_ALL, &v, path, 0, 100, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(viz_export(VIZ_PANEL_ALL, &v, path, 100, -1, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(viz_export(VIZ_NR_PANELS, &v, path, 100, 100, err, sizeof(err)), -EINVAL);

	for (int k = 0; k < 3; k++) {
		static const char *const ext[] = { "png", "svg", "pdf" };

		snprintf(path, sizeof(path), "%s/no/such/dir/x.%s", dir, ext[k]);
		ck_assert_int_eq(viz_export(VIZ_PANEL_ALL, &v, path, 100, 100, err, sizeof(err)),
				 -EIO);
		ck_assert_msg(strstr(err, path) != NULL, "message '%s' does not name the path", err);
	}
	/* Side by side: each view keeps its size, the image is twice as wide;
	 * the pair goes through the same checks (size, extension, a state). */
	snprintf(path, sizeof(path), "%s/pair.png", dir);
	ck_assert_int_eq(viz_export_pair(VIZ_PANEL_ALL, &v, &v, path, 640, 400, err, sizeof(err)),
			 0);
	buf = slurp(path, &len);
	ck_assert_uint_gt(len, 24);
	ck_assert_uint_eq(be32((unsigned char *)buf + 16), 1280);
	ck_assert_uint_eq(be32((unsigned char *)buf + 20), 400);
	free(buf);
	unlink(path);
	ck_assert_int_eq(viz_export_pair(VIZ_PANEL_ALL, &v, &v, path, 9000, 400, err, sizeof(err)),
			 -EINVAL);
	ck_assert_int_ne(access(path, F_OK), 0);
	ck_assert_int_eq(viz_export_kind("a/b.pdf"), 2);
	ck_assert_int_eq(viz_export_kind("x.png/y"), -1);

	ck_assert_int_eq(rmdir(dir), 0);
	viz_model_free(m);
	viz_store_free(st);
	render_teardown();
}
END_TEST

/* Pages of a PDF written by cairo: its "/Type /Page" objects (not "/Pages"). */
static size_t pdf_pages(const char *buf, size_t len)
{
	size_t n = 0;

	for (const char *p = buf; p && p < buf + len; p++) {
		p = memmem(p, (size_t)(buf + len - p), "/Type /Page", 11);
		if (!p)
			break;
		if (p[11] != 's')
			n++;
	}
	return n;
}

/* vizr-3.2: a multi-page PDF has one page per step and leaves the model at the last step. */
START_TEST(vizr_3_2_pdf_one_page_per_step)
{
	struct viz_store *st = vt_run_cmds(NULL, write_fsync, 2, NULL);
	struct viz_model *m = viz_model_new(st);
	char path[] = "/tmp/vizr-steps-XXXXXX.pdf", err[512];
	struct viz_view tmpl = view_of(m);
	size_t n = viz_model_nr_steps(m), len, from = 5, to = 5 + 40;
	char *buf;
	int fd = mkstemps(path, 4), pages;

	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_uint_gt(n, to);
	pages = viz_export_pdf_steps(m, VIZ_PANEL_ALL, &tmpl, path, from, to, 842, 595, err,
				     sizeof(err));
	ck_assert_msg(pages == (int)(to - from + 1), "pages %d: %s", pages, err);
	ck_assert_uint_eq(viz_model_step(m), to);
	buf = slurp(path, &len);
	ck_assert(strncmp(buf, "%PDF-", 5) == 0);
	ck_assert_uint_eq(pdf_pages(buf, len), to - from + 1);
	free(buf);
	/* to beyond the end is clamped; from after to is an error */
	pages = viz_export_pdf_steps(m, VIZ_PANEL_EVENTS, &tmpl, path, n - 2, n + 100, 400, 300,
				     err, sizeof(err));
	ck_assert_int_eq(pages, 3);
	ck_assert_int_eq(viz_export_pdf_steps(m, VIZ_PANEL_ALL, &tmpl, path, 9, 3, 400, 300, err,
					      sizeof(err)),
			 -EINVAL);
	path[strlen(path) - 4] = '\0';
	ck_assert_int_eq(viz_export_pdf_steps(m, VIZ_PANEL_ALL, &tmpl, path, 0, 3, 400, 300, err,
					      sizeof(err)),
			 -EINVAL);
	strcat(path, ".pdf");
	unlink(path);
	viz_model_free(m);
	viz_store_free(st);
	render_teardown();
}
END_TEST

/* ---- vizr-4: robustness, hits, kernel traces ---------------------------------------- */

/* vizr-4.1: every panel at many steps and sizes (tiny ones too) draws without error. */
START_TEST(vizr_4_1_every_panel_every_size)
{
	static const char *const cmds[] = { "pwrite -S 0xab -b 64k 0 64k", "pwrite 200k 8k",
					    "fsync", "pread 0 256k", "falloc 1m 64k",
					    "fpunch 4k 4k", "truncate 100k", "fiemap -v" };
	static const int sizes[][2] = { { 1280, 800 }, { 420, 380 }, { 120, 60 }, { 1, 1 },
					{ 3000, 90 }, { 60, 2000 } };
	struct viz_store *st = vt_run_cmds(NULL, cmds, sizeof(cmds) / sizeof(cmds[0]), NULL);
	struct viz_model *m = viz_model_new(st);
	size_t n = viz_model_nr_steps(m);

	ck_assert_uint_gt(n, 100);
	for (size_t step = 0; step <= n; step += n / 12 ? n / 12 : 1)
		for (int p = 0; p < VIZ_NR_PANELS; p++)
			for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
				struct viz_view v;
				cairo_surface_t *sf;

				ck_assert_int_eq(viz_model_seek(m, step), 0);
				v = view_of(m);
				v.flash = 0.5;
				v.hover_event = (long)step;
				v.divergence = step / 2;
				sf = render((enum viz_panel)p, &v, sizes[k][0], sizes[k][1]);
				cairo_surface_destroy(sf);
			}
	viz_model_free(m);
	viz_store_free(st);
	render_teardown();
}
END_TEST

/* vizr-4.2: the point at a block's centre hits that folio block; ioends and events hit too. */
START_TEST(vizr_4_2_hit_test_and_describe)
{
	struct viz_store *st = vt_run_cmds(NULL, write_fsync, 2, NULL);
	struct viz_model *m = viz_model_new(st);
	const char *names[] = { "ioend_submit" };
	struct viz_rect r, all[VIZ_NR_PANELS];
	struct viz_view v;
	struct viz_hit hit;
	char buf[512];

	ck_assert_int_eq(viz_model_seek(m, viz_model_step_over(m, viz_model_op_step(m, 0))), 0);
	v = view_of(m);
	for (unsigned b = 0; b < 16; b += 5) {
		ck_assert(viz_pagecache_block_rect(&v, 420, 380, 0, b, &r));
		ck_assert(viz_hit_test(VIZ_PANEL_PAGECACHE, &v, 420, 380, r.x + r.w / 2,
				       r.y + r.h / 2, &hit));
		ck_assert_int_eq(hit.kind, VIZ_HIT_FOLIO);
		ck_assert_uint_eq(hit.index, 0);
		ck_assert_uint_eq(hit.sub, b);
	}
	ck_assert_int_gt(viz_hit_describe(&v, &hit, buf, sizeof(buf)), 0);
	ck_assert_ptr_nonnull(strstr(buf, "order 4"));
	ck_assert_ptr_nonnull(strstr(buf, "uptodate, dirty"));
	/* the same block through VIZ_PANEL_ALL */
	viz_panel_layout(1280, 800, all);
	ck_assert(viz_pagecache_block_rect(&v, all[1].w, all[1].h, 0, 3, &r));
	ck_assert(viz_hit_test(VIZ_PANEL_ALL, &v, 1280, 800, all[1].x + r.x + r.w / 2,
			       all[1].y + r.y + r.h / 2, &hit));
	ck_assert_int_eq(hit.panel, VIZ_PANEL_PAGECACHE);
	ck_assert_int_eq(hit.kind, VIZ_HIT_FOLIO);
	ck_assert_uint_eq(hit.sub, 3);
	/* outside everything */
	ck_assert(!viz_hit_test(VIZ_PANEL_PAGECACHE, &v, 420, 380, -5, 10, &hit));
	ck_assert(!viz_hit_test(VIZ_PANEL_PAGECACHE, &v, 420, 380, 10, 5000, &hit));
	ck_assert_int_eq(hit.kind, VIZ_HIT_NONE);
	ck_assert(!viz_pagecache_block_rect(&v, 420, 380, 1, 0, &r));
	ck_assert(!viz_pagecache_block_rect(&v, 420, 380, 0, 16, &r));

	/* an ioend after its submission */
	ck_assert_int_eq(viz_model_seek(m, viz_model_next_break(m, viz_model_op_step(m, 1), names, 1)),
			 0);
	v = view_of(m);
	ck_assert_uint_ge(viz_state_nr_ioends(v.state), 1);
	ck_assert(viz_ioend_rect(&v, 420, 380, 0, &r));
	ck_assert(viz_hit_test(VIZ_PANEL_IOEND, &v, 420, 380, r.x + r.w / 2, r.y + r.h / 2, &hit));
	ck_assert_int_eq(hit.kind, VIZ_HIT_IOEND);
	ck_assert_uint_eq(hit.index, 0);
	ck_assert_int_gt(viz_hit_describe(&v, &hit, buf, sizeof(buf)), 0);
	ck_assert_ptr_nonnull(strstr(buf, "submitted"));
	ck_assert_ptr_nonnull(strstr(buf, "file 0x0-0x10000"));
	ck_assert(!viz_ioend_rect(&v, 420, 380, 99, &r));

	/* the event list: the row of the current event is highlighted and hits it */
	{
		cairo_surface_t *sf = render(VIZ_PANEL_EVENTS, &v, 420, 380);
		size_t cur = viz_state_step(v.state) - 1;
		bool found = false;

		for (double y = 0; y < 380 && !found; y += 2)
			if (viz_hit_test(VIZ_PANEL_EVENTS, &v, 420, 380, 100, y, &hit) &&
			    hit.index == cur) {
				found = true;
				ck_assert(pixel_is(sf, 410, y, VIZ_C_CURRENT));
			}
		ck_assert(found);
		ck_assert_int_gt(viz_hit_describe(&v, &hit, buf, sizeof(buf)), 0);
		ck_assert_ptr_nonnull(strstr(buf, "ioend_submit"));
		cairo_surface_destroy(sf);
	}
	/* a truncated tooltip stays terminated */
	ck_assert_int_eq(viz_hit_describe(&v, &hit, buf, 8), 7);
	ck_assert_uint_eq(strlen(buf), 7);
	viz_model_free(m);
	viz_store_free(st);
	render_teardown();
}
END_TEST

/* vizr-4.3: bad arguments give nothing, never a crash. */
START_TEST(vizr_4_3_bad_arguments)
{
	cairo_surface_t *sf = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 50, 50);
	cairo_t *cr = cairo_create(sf);
	struct viz_view empty = { 0 };
	struct viz_hit hit;
	struct viz_rect r;
	char buf[16] = "x";

	viz_render(VIZ_PANEL_ALL, NULL, cr, 50, 50);
	viz_render(VIZ_PANEL_ALL, &empty, cr, 50, 50);
	viz_render(VIZ_PANEL_ALL, &empty, cr, -1, NAN);
	viz_render((enum viz_panel)42, &empty, cr, 50, 50);
	viz_render(VIZ_PANEL_ALL, &empty, NULL, 50, 50);
	ck_assert_int_eq(cairo_status(cr), CAIRO_STATUS_SUCCESS);
	ck_assert(!viz_hit_test(VIZ_PANEL_ALL, &empty, 50, 50, 1, 1, &hit));
	ck_assert(!viz_hit_test(VIZ_PANEL_ALL, NULL, 50, 50, 1, 1, NULL));
	ck_assert(!viz_pagecache_block_rect(NULL, 50, 50, 0, 0, &r));
	ck_assert(!viz_lock_rect(&empty, 50, 50, 0, &r));
	ck_assert(!viz_ioend_rect(&empty, 50, 50, 0, &r));
	ck_assert_int_eq(viz_hit_describe(NULL, &hit, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "");
	ck_assert_int_eq(viz_panel_from_name("bogus"), -1);
	ck_assert_int_eq(viz_panel_from_name(NULL), -1);
	for (int i = 0; i < VIZ_NR_PANELS; i++)
		ck_assert_int_eq(viz_panel_from_name(viz_panel_names[i]), i);
	ck_assert_int_eq(viz_export(VIZ_PANEL_ALL, &empty, "/tmp/x.png", 10, 10, buf, sizeof(buf)),
			 -EINVAL);
	ck_assert_int_eq(viz_export_pdf_steps(NULL, VIZ_PANEL_ALL, NULL, "/tmp/x.pdf", 0, 1, 10,
					      10, NULL, 0),
			 -EINVAL);
	cairo_destroy(cr);
	cairo_surface_destroy(sf);
	render_teardown();
}
END_TEST

/* Pixels of the "what the kernel trace lacks" note band (1.0, 0.97, 0.85). */
static size_t count_note(cairo_surface_t *sf)
{
	return count_rgb(sf, 255, 247, 217);
}

/* vizr-4.4: a kernel trace animates the iterator; panels it cannot drive say so. */
START_TEST(vizr_4_4_kernel_trace)
{
	char err[512];
	struct viz_store *st = NULL;
	struct viz_model *m;
	struct viz_view v;
	cairo_surface_t *sf, *sf0;
	size_t n, diff = 0;

	ck_assert_int_eq(viz_store_load_file(SCENARIO_DIR "/08-reflink-unshare/trace.raw", &st, err,
					     sizeof(err)),
			 0);
	m = viz_model_new(st);
	n = viz_model_nr_steps(m);
	ck_assert_uint_gt(n, 4);
	ck_assert_int_eq(viz_model_seek(m, n), 0);
	v = view_of(m);
	ck_assert(viz_state_lacks(v.state) & VIZ_LACKS_FOLIO_BITS);
	for (int p = VIZ_PANEL_PAGECACHE; p <= VIZ_PANEL_LOCKS; p++) {
		/* page cache, ioends and locks each carry the note */
		if (p == VIZ_PANEL_IOEND && !(viz_state_lacks(v.state) & VIZ_LACKS_IOEND_CHAIN))
			continue;
		sf = render((enum viz_panel)p, &v, 420, 380);
		ck_assert_msg(count_note(sf) > 500, "panel %d has no lack note", p);
		cairo_surface_destroy(sf);
	}
	/* the iterator panel changes between the first and the last step */
	sf = render(VIZ_PANEL_ITER, &v, 420, 380);
	ck_assert_int_eq(viz_model_seek(m, 0), 0);
	v = view_of(m);
	sf0 = render(VIZ_PANEL_ITER, &v, 420, 380);
	for (int y = 0; y < 380; y++)
		diff += memcmp(cairo_image_surface_get_data(sf) + y * cairo_image_surface_get_stride(sf),
			       cairo_image_surface_get_data(sf0) + y * cairo_image_surface_get_stride(sf0),
			       420 * 4) != 0;
	ck_assert_uint_gt(diff, 50);
	cairo_surface_destroy(sf);
	cairo_surface_destroy(sf0);
	viz_model_free(m);
	viz_store_free(st);
	render_teardown();
}
END_TEST

/* vizr-4.5: the divergent event's row is VIZ_C_DIVERGENT; with no divergence nothing is. */
START_TEST(vizr_4_5_divergent_row)
{
	struct viz_store *st = vt_run_cmds(NULL, write_fsync, 2, NULL);
	struct viz_model *m = viz_model_new(st);
	struct viz_view v;
	cairo_surface_t *sf;

	ck_assert_int_eq(viz_model_seek(m, 40), 0);
	v = view_of(m);
	sf = render(VIZ_PANEL_EVENTS, &v, 420, 380);
	ck_assert_uint_eq(count_colour(sf, 0, 0, 420, 380, VIZ_C_DIVERGENT), 0);
	cairo_surface_destroy(sf);
	v.divergence = 43;
	sf = render(VIZ_PANEL_EVENTS, &v, 420, 380);
	ck_assert_uint_gt(count_colour(sf, 0, 0, 420, 380, VIZ_C_DIVERGENT), 1000);
	cairo_surface_destroy(sf);
	viz_model_free(m);
	viz_store_free(st);
	render_teardown();
}
END_TEST

/* Append one ioend_* event with the six common fields (and @into for a merge). */
static void append_ioend(struct viz_store *st, uint64_t seq, const char *name, uint64_t id,
			 uint64_t off, uint64_t sector, int64_t into)
{
	struct trace_event ev;

	trace_event_init(&ev, name, MKDEV(7, 0), 0x83);
	trace_u64(&ev, "ioend", id);
	trace_u64(&ev, "offset", off);
	trace_u64(&ev, "size", 0x10000);
	trace_u64(&ev, "sector", sector);
	trace_str(&ev, "flags", "");
	trace_s64(&ev, "error", 0);
	if (into >= 0) {
		trace_u64(&ev, "into", (uint64_t)into);
		trace_u64(&ev, "into_size", 0x20000);
	}
	ev.seq = seq;
	ck_assert_int_eq(viz_store_append(st, &ev), 0);
}

/*
 * vizr-4.6: an ioend merged into another is drawn under its head, indented
 * (iomap_ioend_try_merge() does not happen in the reference's scenarios
 * yet, so this stream of ioend events is written by hand, in the order
 * ioend.c emits them).
 */
START_TEST(vizr_4_6_merged_ioend_under_its_head)
{
	struct viz_store *st = viz_store_new(VIZ_SRC_REFERENCE);
	struct viz_model *m;
	struct viz_rect h0, h2, m1;
	struct viz_view v;
	struct viz_hit hit;
	char buf[512];
	uint64_t seq = 0;

	/* ioends 0 and 2 are heads, 1 merges into 0 */
	append_ioend(st, seq++, "ioend_new", 0, 0, 0xc0, -1);
	append_ioend(st, seq++, "ioend_new", 2, 0x100000, 0x9000, -1);
	append_ioend(st, seq++, "ioend_new", 1, 0x10000, 0x140, -1);
	append_ioend(st, seq++, "ioend_submit", 0, 0, 0xc0, -1);
	append_ioend(st, seq++, "ioend_submit", 2, 0x100000, 0x9000, -1);
	append_ioend(st, seq++, "ioend_submit", 1, 0x10000, 0x140, -1);
	append_ioend(st, seq++, "ioend_complete", 0, 0, 0xc0, -1);
	append_ioend(st, seq++, "ioend_complete", 1, 0x10000, 0x140, -1);
	append_ioend(st, seq++, "ioend_merge", 1, 0x10000, 0x140, 0);
	m = viz_model_new(st);
	ck_assert_int_eq(viz_model_seek(m, viz_model_nr_steps(m)), 0);
	v = view_of(m);
	ck_assert_uint_eq(viz_state_nr_ioends(v.state), 3);
	ck_assert_int_eq(viz_state_ioend(v.state, 2)->into, 0);
	ck_assert(viz_ioend_rect(&v, 420, 380, 0, &h0));
	ck_assert(viz_ioend_rect(&v, 420, 380, 1, &h2));
	ck_assert(viz_ioend_rect(&v, 420, 380, 2, &m1));
	/* head 0, its member right below it and indented, then head 2 */
	ck_assert(m1.x > h0.x + 10);
	ck_assert(m1.y > h0.y && m1.y < h2.y);
	ck_assert(h2.x == h0.x);
	ck_assert(viz_hit_test(VIZ_PANEL_IOEND, &v, 420, 380, m1.x + 20, m1.y + m1.h / 2, &hit));
	ck_assert_uint_eq(hit.index, 2);
	ck_assert_int_gt(viz_hit_describe(&v, &hit, buf, sizeof(buf)), 0);
	ck_assert_ptr_nonnull(strstr(buf, "merged into ioend 0"));
	/* nothing hits the indentation left of the member */
	ck_assert(!viz_hit_test(VIZ_PANEL_IOEND, &v, 420, 380, h0.x + 2, m1.y + m1.h / 2, &hit));
	viz_model_free(m);
	viz_store_free(st);
	render_teardown();
}
END_TEST

/* Append an iomap_iter / iomap_iter_dstmap with unsigned fields @keys = @vals. */
static void append_u64s(struct viz_store *st, const char *name, const char *const *keys,
			const uint64_t *vals, size_t n)
{
	struct trace_event ev;

	trace_event_init(&ev, name, MKDEV(7, 0), 5);
	for (size_t i = 0; i < n; i++)
		trace_u64(&ev, keys[i], vals[i]);
	ck_assert_int_eq(viz_store_append(st, &ev), 0);
}

/* vizr-4.7: a STALE re-lookup gets a red marker in the call history, and hits as that call. */
START_TEST(vizr_4_7_stale_marker)
{
	static const char *const iter_keys[] = { "pos", "length", "flags" };
	static const char *const map_keys[] = { "addr", "offset", "length", "type", "flags" };
	static const uint64_t it0[] = { 0, 0, 0x1 },
			      stale[] = { 0x100000, 0, 0x10000, 2, 1u << 15 },
			      fresh[] = { 0x100000, 0, 0x10000, 2, 0 };
	struct viz_store *st = viz_store_new(VIZ_SRC_REFERENCE);
	struct viz_model *m;
	struct viz_view v;
	struct viz_hit hit;
	cairo_surface_t *sf;
	char buf[256];
	bool found = false;

	/* the mapping comes back STALE, the iterator looks it up again */
	append_u64s(st, "iomap_iter", iter_keys, it0, 3);
	append_u64s(st, "iomap_iter_dstmap", map_keys, stale, 5);
	append_u64s(st, "iomap_iter", iter_keys, it0, 3);
	append_u64s(st, "iomap_iter_dstmap", map_keys, fresh, 5);
	m = viz_model_new(st);
	ck_assert_int_eq(viz_model_seek(m, 1), 0);
	v = view_of(m);
	ck_assert_uint_eq(viz_state_iter(v.state)->nr_stale, 0);
	sf = render(VIZ_PANEL_ITER, &v, 420, 380);
	ck_assert_uint_eq(count_colour(sf, 0, 0, 420, 380, VIZ_C_INVERSION), 0);
	cairo_surface_destroy(sf);
	ck_assert_int_eq(viz_model_seek(m, 4), 0);
	v = view_of(m);
	ck_assert_uint_ge(viz_state_iter(v.state)->nr_stale, 1);
	sf = render(VIZ_PANEL_ITER, &v, 420, 380);
	ck_assert_uint_gt(count_colour(sf, 0, 0, 20, 380, VIZ_C_INVERSION), 10);
	/* the red marker's row is the STALE call */
	for (int y = 0; y < 380 && !found; y++)
		if (pixel_is(sf, 8.5, y + 0.5, VIZ_C_INVERSION)) {
			ck_assert(viz_hit_test(VIZ_PANEL_ITER, &v, 420, 380, 100, y + 0.5, &hit));
			ck_assert_int_eq(hit.kind, VIZ_HIT_CALL);
			ck_assert_int_eq(viz_state_call(v.state, hit.index)->kind, VIZ_CALL_STALE);
			ck_assert_int_gt(viz_hit_describe(&v, &hit, buf, sizeof(buf)), 0);
			ck_assert_ptr_nonnull(strstr(buf, "STALE"));
			found = true;
		}
	ck_assert(found);
	cairo_surface_destroy(sf);
	viz_model_free(m);
	viz_store_free(st);
	render_teardown();
}
END_TEST

/* vizr-4.8: a bio that failed is crossed out in red on the disk panel (the
 * writeback-error scenario's write of the second fsync); before it fails,
 * the disk panel has no red at all. */
START_TEST(vizr_4_8_failed_bio_crossed_out)
{
	const struct viz_scenario *sc = viz_scenario_find("writeback-error");
	struct viz_store *st = viz_store_new(VIZ_SRC_REFERENCE);
	struct viz_model *m;
	struct viz_view v;
	cairo_surface_t *sf;
	size_t failed_at = 0;
	char err[256];

	ck_assert_ptr_nonnull(sc);
	ck_assert_int_eq(viz_scenario_run(sc, st, NULL, err, sizeof(err)), 0);
	m = viz_model_new(st);
	ck_assert_ptr_nonnull(m);
	/* the step of the failing bio_complete */
	for (size_t i = 0; i < viz_store_count(st) && !failed_at; i++) {
		struct trace_event ev;
		const struct trace_field *f;

		ck_assert_int_eq(viz_store_get(st, i, &ev), 0);
		f = trace_field_get(&ev, "status");
		if (!strcmp(ev.name, "bio_complete") && f && f->v.s != 0)
			failed_at = i + 1;
	}
	ck_assert_uint_gt(failed_at, 0);
	ck_assert_int_eq(viz_model_seek(m, failed_at - 1), 0);
	v = view_of(m);
	sf = render(VIZ_PANEL_DISK, &v, 520, 300);
	ck_assert_uint_eq(count_colour(sf, 0, 0, 520, 300, VIZ_C_INVERSION), 0);
	cairo_surface_destroy(sf);
	ck_assert_int_eq(viz_model_seek(m, failed_at), 0);
	v = view_of(m);
	sf = render(VIZ_PANEL_DISK, &v, 520, 300);
	ck_assert_uint_gt(count_colour(sf, 0, 0, 520, 300, VIZ_C_INVERSION), 40);
	cairo_surface_destroy(sf);
	viz_model_free(m);
	viz_store_free(st);
	render_teardown();
}
END_TEST

static Suite *render_suite(void)
{
	Suite *s = suite_create("viz-render");
	TCase *t;

	t = tcase_create("pagecache");
	tcase_add_test(t, vizr_1_1_dirty_then_uptodate);
	tcase_add_test(t, vizr_1_2_every_block_every_step);
	tcase_add_test(t, vizr_1_3_all_panels_layout);
	tcase_add_test(t, vizr_1_4_flash_what_changed);
	tcase_add_test(t, vizr_1_5_many_folios_elided);
	suite_add_tcase(s, t);
	t = tcase_create("locks");
	tcase_add_test(t, vizr_2_1_held_lock_colour);
	tcase_add_test(t, vizr_2_2_inversion_is_red);
	suite_add_tcase(s, t);
	t = tcase_create("export");
	tcase_add_test(t, vizr_3_1_export_kinds);
	tcase_add_test(t, vizr_3_2_pdf_one_page_per_step);
	suite_add_tcase(s, t);
	t = tcase_create("robust");
	tcase_add_test(t, vizr_4_1_every_panel_every_size);
	tcase_add_test(t, vizr_4_2_hit_test_and_describe);
	tcase_add_test(t, vizr_4_3_bad_arguments);
	tcase_add_test(t, vizr_4_4_kernel_trace);
	tcase_add_test(t, vizr_4_5_divergent_row);
	tcase_add_test(t, vizr_4_6_merged_ioend_under_its_head);
	tcase_add_test(t, vizr_4_7_stale_marker);
	tcase_add_test(t, vizr_4_8_failed_bio_crossed_out);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return run_suite(render_suite());
}
