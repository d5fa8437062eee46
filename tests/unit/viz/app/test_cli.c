/*
 * test_cli.c — the iomap-viz command line, headless (no display, no GTK).
 *
 * Each test runs the real iomap-viz binary (IOMAP_VIZ) in a scratch
 * directory with DISPLAY and WAYLAND_DISPLAY unset, and checks what a user
 * would see: the exit status, the messages, and the files written.
 *
 *   cli-1.1  --list-scenarios prints exactly the built-in names, in order,
 *            one per line, the default scenario among them
 *   cli-1.2  --scenario X --step N --export f.png writes a PNG whose IHDR
 *            has the requested size (table of sizes, default 1280x800)
 *   cli-1.3  .svg and .pdf exports carry their format's magic
 *   cli-1.4  the image follows the step: step 0 and the last step differ
 *   cli-1.5  --open of a real kernel trace (08-reflink-unshare) exports,
 *            for every panel
 *   cli-1.6  --export-steps writes one PDF page per step of [--from, --to]
 *   cli-1.7  --compare of two kernel traces names the first divergent
 *            event; a trace compared with itself does not diverge
 *   cli-2.1  bad command lines exit 2 with a message naming the problem
 *            (unknown option, scenario, panel; bad size, step, extension;
 *            --do or --screenshot with an export), and write no image
 *   cli-2.2  well-formed requests that cannot be met exit 1 with a message
 *            (missing file, step out of range, --from > --to, screenshot
 *            with no display, unwritable output)
 *   cli-3.1  with no display and no export option, the view is rendered to
 *            iomap-viz.png and the user is told so
 *   cli-3.2  --help exits 0 and shows the options
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../testutil.h"
#include "viz/render/viz-render.h"
#include "viz/scenarios/viz-scenario.h"

#define TRACE_08 SCENARIO_DIR "/08-reflink-unshare/trace.raw"
#define TRACE_09 SCENARIO_DIR "/09-falloc-punch-report/trace.raw"

static char tmpdir[] = "/tmp/viz-cli-XXXXXX";

/* What one run of iomap-viz left behind. */
struct run {
	int status; /* exit status, or 128 + signal */
	char *out;  /* stdout */
	char *err;  /* stderr */
};

static char *slurp(const char *path, size_t *lenp)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f)
		return NULL;
	do {
		if (len + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 8192;
			buf = realloc(buf, cap);
			ck_assert_ptr_nonnull(buf);
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
	} while (n > 0);
	fclose(f);
	buf[len] = '\0';
	if (lenp)
		*lenp = len;
	return buf;
}

static char *path_in(const char *name)
{
	static char buf[64][512]; /* a ring: results stay valid for 63 more calls */
	static int next;
	char *p = buf[next++ % 64];

	snprintf(p, sizeof(buf[0]), "%s/%s", tmpdir, name);
	return p;
}

/* Run iomap-viz with args (NULL-terminated) in tmpdir, no display. */
static struct run viz_run(const char *const *args)
{
	const char *argv[40];
	struct run r = { 0 };
	size_t n = 0;
	pid_t pid;
	int st;

	argv[n++] = IOMAP_VIZ;
	for (; *args && n < 38; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int o = open(path_in("stdout"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int e = open(path_in("stderr"), O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (o < 0 || e < 0 || chdir(tmpdir) < 0)
			_exit(126);
		dup2(o, 1);
		dup2(e, 2);
		unsetenv("DISPLAY");
		unsetenv("WAYLAND_DISPLAY");
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	r.out = slurp(path_in("stdout"), NULL);
	r.err = slurp(path_in("stderr"), NULL);
	ck_assert_ptr_nonnull(r.out);
	ck_assert_ptr_nonnull(r.err);
	return r;
}

static void run_free(struct run *r)
{
	free(r->out);
	free(r->err);
}

/* Read a PNG's IHDR; fails the test if it is not a PNG. */
static void png_size(const char *path, unsigned *w, unsigned *h)
{
	static const unsigned char sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
	size_t len = 0;
	unsigned char *b = (unsigned char *)slurp(path, &len);

	ck_assert_msg(b != NULL, "%s was not written", path);
	ck_assert_uint_ge(len, 24);
	ck_assert_msg(!memcmp(b, sig, 8), "%s has no PNG signature", path);
	ck_assert_msg(!memcmp(b + 12, "IHDR", 4), "%s: first chunk is not IHDR", path);
	*w = (unsigned)b[16] << 24 | (unsigned)b[17] << 16 | (unsigned)b[18] << 8 | b[19];
	*h = (unsigned)b[20] << 24 | (unsigned)b[21] << 16 | (unsigned)b[22] << 8 | b[23];
	free(b);
}

static void setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void teardown(void)
{
	DIR *d = opendir(tmpdir);
	struct dirent *de;

	if (d) {
		while ((de = readdir(d)))
			if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
				unlink(path_in(de->d_name));
		closedir(d);
	}
	rmdir(tmpdir);
	strcpy(tmpdir, "/tmp/viz-cli-XXXXXX");
}

/* cli-1.1 */
START_TEST(list_scenarios)
{
	const char *args[] = { "--list-scenarios", NULL };
	struct run r = viz_run(args);
	char *line, *save = NULL;
	size_t i = 0;
	bool saw_default = false;

	ck_assert_int_eq(r.status, 0);
	ck_assert_uint_gt(viz_scenario_count(), 0);
	for (line = strtok_r(r.out, "\n", &save); line; line = strtok_r(NULL, "\n", &save), i++) {
		ck_assert_msg(i < viz_scenario_count(), "extra line '%s'", line);
		ck_assert_str_eq(line, viz_scenario_get(i)->name);
		if (!strcmp(line, VIZ_DEFAULT_SCENARIO))
			saw_default = true;
	}
	ck_assert_uint_eq(i, viz_scenario_count());
	ck_assert(saw_default);
	ck_assert_str_eq(r.err, "");
	run_free(&r);
}
END_TEST

/* cli-1.2: requested sizes, including odd ones and the default. */
static const struct {
	const char *size;
	unsigned w, h;
} sizes[] = {
	{ NULL, 1280, 800 }, { "640x400", 640, 400 }, { "333x217", 333, 217 }, { "16x16", 16, 16 },
	{ "1920x1080", 1920, 1080 },
};

START_TEST(png_of_requested_size)
{
	const char *out = path_in("f.png");
	const char *args[] = { "--scenario", VIZ_DEFAULT_SCENARIO, "--step", "5", "--export", out,
			       sizes[_i].size ? "--size" : NULL, sizes[_i].size, NULL };
	struct run r = viz_run(args);
	unsigned w, h;

	ck_assert_msg(r.status == 0, "status %d, stderr: %s", r.status, r.err);
	png_size(out, &w, &h);
	ck_assert_uint_eq(w, sizes[_i].w);
	ck_assert_uint_eq(h, sizes[_i].h);
	run_free(&r);
}
END_TEST

/* cli-1.3 */
START_TEST(svg_and_pdf_magic)
{
	const char *svg = path_in("f.svg"), *pdf = path_in("f.pdf");
	const char *a1[] = { "--scenario", VIZ_DEFAULT_SCENARIO, "--export", svg, NULL };
	const char *a2[] = { "--scenario", VIZ_DEFAULT_SCENARIO, "--panel", "pagecache",
			     "--export", pdf, NULL };
	struct run r1 = viz_run(a1), r2 = viz_run(a2);
	char *s, *p;

	ck_assert_msg(r1.status == 0, "svg: %s", r1.err);
	ck_assert_msg(r2.status == 0, "pdf: %s", r2.err);
	s = slurp(svg, NULL);
	p = slurp(pdf, NULL);
	ck_assert_ptr_nonnull(s);
	ck_assert_ptr_nonnull(p);
	ck_assert_msg(!strncmp(s, "<?xml", 5) && strstr(s, "<svg"), "not an SVG");
	ck_assert_msg(!strncmp(p, "%PDF-", 5), "not a PDF");
	free(s);
	free(p);
	run_free(&r1);
	run_free(&r2);
}
END_TEST

/* cli-1.4 */
START_TEST(image_follows_step)
{
	const char *p0 = path_in("s0.png"), *pn = path_in("sn.png");
	const char *a0[] = { "--scenario", VIZ_DEFAULT_SCENARIO, "--step", "0", "--export", p0, NULL };
	const char *an[] = { "--scenario", VIZ_DEFAULT_SCENARIO, "--export", pn, NULL };
	struct run r0 = viz_run(a0), rn = viz_run(an);
	size_t l0 = 0, ln = 0;
	char *b0, *bn;

	ck_assert_int_eq(r0.status, 0);
	ck_assert_int_eq(rn.status, 0);
	b0 = slurp(p0, &l0);
	bn = slurp(pn, &ln);
	ck_assert_ptr_nonnull(b0);
	ck_assert_ptr_nonnull(bn);
	ck_assert_msg(l0 != ln || memcmp(b0, bn, l0), "step 0 and the last step look the same");
	free(b0);
	free(bn);
	run_free(&r0);
	run_free(&rn);
}
END_TEST

/* cli-1.5: a real kernel trace drives the export, panel by panel. */
START_TEST(open_kernel_trace)
{
	const char *out = path_in("k.png");
	const char *panel = viz_panel_names[_i];
	const char *args[] = { "--open", TRACE_08, "--panel", panel, "--size", "800x500",
			       "--export", out, NULL };
	struct run r = viz_run(args);
	unsigned w, h;

	ck_assert_msg(r.status == 0, "panel %s: status %d, stderr: %s", panel, r.status, r.err);
	png_size(out, &w, &h);
	ck_assert_uint_eq(w, 800);
	ck_assert_uint_eq(h, 500);
	run_free(&r);
}
END_TEST

/* Count the pages of a cairo PDF: "/Type /Page" not followed by "s". */
static int pdf_pages(const char *path)
{
	size_t len = 0;
	char *b = slurp(path, &len), *p;
	int n = 0;

	ck_assert_ptr_nonnull(b);
	for (p = b; (p = memmem(p, len - (size_t)(p - b), "/Type /Page", 11)); p += 11)
		if (p[11] != 's')
			n++;
	free(b);
	return n;
}

/* cli-1.6 */
START_TEST(export_steps_pages)
{
	const char *out = path_in("slides.pdf");
	const char *args[] = { "--scenario", VIZ_DEFAULT_SCENARIO, "--export-steps", out,
			       "--from", "2", "--to", "6", "--size", "640x400", NULL };
	struct run r = viz_run(args);

	ck_assert_msg(r.status == 0, "status %d, stderr: %s", r.status, r.err);
	ck_assert_msg(strstr(r.out, "wrote 5 pages"), "stdout: %s", r.out);
	ck_assert_int_eq(pdf_pages(out), 5);
	run_free(&r);
}
END_TEST

/* cli-1.7 */
START_TEST(compare_diverges)
{
	const char *out = path_in("cmp.png");
	const char *a1[] = { "--open", TRACE_08, "--compare", TRACE_09, "--export", out, NULL };
	const char *a2[] = { "--open", TRACE_08, "--compare", TRACE_08, "--export", out, NULL };
	struct run r1 = viz_run(a1), r2 = viz_run(a2);
	unsigned w, h;

	ck_assert_msg(r1.status == 0, "stderr: %s", r1.err);
	ck_assert_msg(strstr(r1.out, "first divergent event: #"), "stdout: %s", r1.out);
	ck_assert_msg(r2.status == 0, "stderr: %s", r2.err);
	ck_assert_msg(strstr(r2.out, "no divergence"), "stdout: %s", r2.out);
	/* Side by side, each view at the default 1280x800. */
	png_size(out, &w, &h);
	ck_assert_uint_eq(w, 2 * 1280);
	ck_assert_uint_eq(h, 800);
	run_free(&r1);
	run_free(&r2);
}
END_TEST

/*
 * cli-2.1 and cli-2.2: requests iomap-viz cannot carry out, with the exit
 * status each must give (2: the command line is bad, 1: it is well formed
 * but cannot be met) and what the message must name.
 */
static const struct {
	int status;
	const char *args[12];
	const char *says;
} bad_requests[] = {
	/* cli-2.1: bad command lines */
	{ 2, { "--bogus", NULL }, "--bogus" },
	{ 2, { "--scenario", "no-such-scenario", "--export", "x.png", NULL }, "no-such-scenario" },
	{ 2, { "--panel", "nopanel", "--export", "x.png", NULL }, "nopanel" },
	{ 2, { "--size", "12x9000", "--export", "x.png", NULL }, "12x9000" },
	{ 2, { "--size", "wide", "--export", "x.png", NULL }, "wide" },
	{ 2, { "--step", "-1", "--export", "x.png", NULL }, "-1" },
	{ 2, { "--step", "3x", "--export", "x.png", NULL }, "3x" },
	{ 2, { "--export", "x.bmp", NULL }, "x.bmp" },
	{ 2, { "--export-steps", "x.png", NULL }, "x.png" },
	{ 2, { "--from", "1", "--export", "x.png", NULL }, "--export-steps" },
	{ 2, { "--scenario", VIZ_DEFAULT_SCENARIO, "--open", TRACE_08, "--export", "x.png", NULL },
	  "exclude" },
	{ 2, { "--export", NULL }, "--export" },
	{ 2, { "stray", NULL }, "stray" },
	{ 2, { "--do", "step", "--export", "x.png", NULL }, "--do" },
	{ 2, { "--screenshot", "x.jpg", NULL }, "x.jpg" },
	{ 2, { "--screenshot", "shot.png", "--export", "x.png", NULL }, "--screenshot" },
	/* cli-2.2: well formed, cannot be done */
	{ 1, { "--open", "/nonexistent/trace.raw", "--export", "x.png", NULL },
	  "/nonexistent/trace.raw" },
	{ 1, { "--scenario", VIZ_DEFAULT_SCENARIO, "--step", "99999999", "--export", "x.png", NULL },
	  "out of range" },
	{ 1, { "--open", TRACE_08, "--step", "4000000000", "--export", "x.png", NULL },
	  "out of range" },
	{ 1, { "--scenario", VIZ_DEFAULT_SCENARIO, "--export-steps", "x.pdf", "--from", "5", "--to",
	       "2", NULL },
	  "--from 5 --to 2" },
	{ 1, { "--screenshot", "x.png", "--quit-after", "100", NULL }, "display" },
	{ 1, { "--do", "step", NULL }, "display" },
	{ 1, { "--scenario", VIZ_DEFAULT_SCENARIO, "--export", "/nonexistent/dir/x.png", NULL },
	  "/nonexistent/dir/x.png" },
};

START_TEST(bad_request_exit_status)
{
	struct run r = viz_run(bad_requests[_i].args);

	ck_assert_msg(r.status == bad_requests[_i].status, "case %d: status %d, not %d; stderr %s",
		      _i, r.status, bad_requests[_i].status, r.err);
	ck_assert_msg(strstr(r.err, bad_requests[_i].says), "case %d: stderr '%s' lacks '%s'", _i,
		      r.err, bad_requests[_i].says);
	/* A bad command line is refused before anything is drawn. */
	if (bad_requests[_i].status == 2)
		ck_assert_msg(access(path_in("x.png"), F_OK) != 0, "case %d wrote an image", _i);
	run_free(&r);
}
END_TEST

/* cli-3.1 */
START_TEST(no_display_fallback)
{
	const char *args[] = { NULL };
	struct run r = viz_run(args);
	unsigned w, h;

	ck_assert_msg(r.status == 0, "status %d, stderr: %s", r.status, r.err);
	ck_assert_msg(strstr(r.err, "no display") && strstr(r.err, "iomap-viz.png"), "stderr: %s",
		      r.err);
	png_size(path_in("iomap-viz.png"), &w, &h);
	ck_assert_uint_eq(w, 1280);
	ck_assert_uint_eq(h, 800);
	run_free(&r);
}
END_TEST

/* cli-3.2 */
START_TEST(help)
{
	const char *args[] = { "--help", NULL };
	struct run r = viz_run(args);

	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "Usage: iomap-viz"));
	ck_assert_ptr_nonnull(strstr(r.out, "--export-steps"));
	ck_assert_ptr_nonnull(strstr(r.out, "--screenshot"));
	ck_assert_ptr_nonnull(strstr(r.out, "--do"));
	run_free(&r);
}
END_TEST

static Suite *cli_suite(void)
{
	Suite *s = suite_create("iomap-viz command line");
	TCase *tc = tcase_create("headless");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, list_scenarios);
	tcase_add_loop_test(tc, png_of_requested_size, 0, (int)(sizeof(sizes) / sizeof(sizes[0])));
	tcase_add_test(tc, svg_and_pdf_magic);
	tcase_add_test(tc, image_follows_step);
	tcase_add_loop_test(tc, open_kernel_trace, 0, VIZ_NR_PANELS);
	tcase_add_test(tc, export_steps_pages);
	tcase_add_test(tc, compare_diverges);
	tcase_add_loop_test(tc, bad_request_exit_status, 0,
			    (int)(sizeof(bad_requests) / sizeof(bad_requests[0])));
	tcase_add_test(tc, no_display_fallback);
	tcase_add_test(tc, help);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(cli_suite());
}
