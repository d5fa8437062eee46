/*
 * test_window.c — the real iomap-viz window under Xvfb: it opens, draws,
 * saves itself with --screenshot, and quits on its own (--quit-after).
 *
 * Registered in suite 'viz', not 'unit': GTK is not run under ASan.  If
 * xvfb-run is not installed the program prints SKIP and exits 77 (meson's
 * "skipped").  The X server is private (xvfb-run -a) and GTK is pinned to
 * the x11 backend and the cairo renderer (shared/TOOLCHAIN-NOTES.md).
 *
 *   win-1.1  the default scenario's window saved to PNG has the window's
 *            size (--size) and is not one colour (many distinct colours)
 *   win-1.2  --panel NAME shows that panel alone, same checks
 *   win-1.3  compare mode (two kernel traces side by side) opens and draws
 *   win-1.4  --quit-after alone quits with status 0 and writes nothing
 *   win-2.1  the controls move the timeline as they claim (--do runs the
 *            window's own actions): start is step 0, step is +1, end is
 *            the last step, step-back is -1, step-over lands on an op_end
 *   win-2.2  a breakpoint on an event type stops continue at that type
 *   win-2.3  a command typed in the entry runs live: the store grows and the
 *            view stands just after its op_begin, to play it; export-to
 *            writes an SVG
 *   win-2.4  a bad --do action exits 2 and names it
 *   win-3.1  real key presses (xdotool, skipped if it is not installed):
 *            Home, Right x3, Left land on step 2; Ctrl+L focuses the command
 *            entry, where "n" and space type instead of stepping
 */
#include <cairo.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../testutil.h"

#define TRACE_08 SCENARIO_DIR "/08-reflink-unshare/trace.raw"
#define TRACE_09 SCENARIO_DIR "/09-falloc-punch-report/trace.raw"

static char shot[64], outfile[64];

/* xvfb-run ... PROG ARGS, once, stdout to outfile; returns the exit status. */
static int run_under_xvfb_once(const char *prog, const char *const *args)
{
	const char *argv[32];
	size_t n = 0;
	pid_t pid;
	int st;

	argv[n++] = "xvfb-run";
	argv[n++] = "-a";
	argv[n++] = "-s";
	argv[n++] = "-screen 0 1280x800x24";
	argv[n++] = prog;
	for (; *args && n < 30; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		FILE *f = freopen(outfile, "w", stdout);

		if (!f)
			_exit(126);
		setenv("GDK_BACKEND", "x11", 1);
		setenv("GTK_A11Y", "none", 1);
		setenv("GSK_RENDERER", "cairo", 1);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/*
 * Status 5 is xvfb-run's own "problem while cleaning up temporary
 * directory" (seen when another xvfb-run races for the same display
 * number); it says nothing about iomap-viz, so run once more.
 */
static int run_under_xvfb_prog(const char *prog, const char *const *args)
{
	int st = run_under_xvfb_once(prog, args);

	return st == 5 ? run_under_xvfb_once(prog, args) : st;
}

/* xvfb-run ... iomap-viz ARGS (retried once on xvfb-run's status 5). */
static int run_under_xvfb(const char *const *args)
{
	return run_under_xvfb_prog(IOMAP_VIZ, args);
}

/* The screenshot exists, is w x h, and has more than a handful of colours. */
static void check_png(const char *path, int w, int h)
{
	cairo_surface_t *s = cairo_image_surface_create_from_png(path);
	unsigned colours[64];
	size_t nr = 0;

	ck_assert_msg(cairo_surface_status(s) == CAIRO_STATUS_SUCCESS, "%s: %s", path,
		      cairo_status_to_string(cairo_surface_status(s)));
	ck_assert_int_eq(cairo_image_surface_get_width(s), w);
	ck_assert_int_eq(cairo_image_surface_get_height(s), h);
	{
		unsigned char *data = cairo_image_surface_get_data(s);
		int stride = cairo_image_surface_get_stride(s);

		for (int y = 0; y < h && nr < 64; y += 3)
			for (int x = 0; x < w && nr < 64; x += 3) {
				unsigned px;
				size_t i;

				memcpy(&px, data + (size_t)y * stride + (size_t)x * 4, 4);
				px &= 0xffffff;
				for (i = 0; i < nr && colours[i] != px; i++)
					;
				if (i == nr)
					colours[nr++] = px;
			}
	}
	cairo_surface_destroy(s);
	ck_assert_msg(nr >= 16, "%s has only %zu colours: the window drew nothing", path, nr);
	unlink(path);
}

static void setup(void)
{
	snprintf(shot, sizeof(shot), "/tmp/viz-win-%d.png", (int)getpid());
	snprintf(outfile, sizeof(outfile), "/tmp/viz-win-%d.out", (int)getpid());
	unlink(shot);
}

static void teardown(void)
{
	unlink(outfile);
	unlink(shot);
}

/* The stdout line "do ITEM -> STATUS" of a --do item; NULL if missing. */
static char *do_line(const char *item, char *buf, size_t len)
{
	FILE *f = fopen(outfile, "r");
	char want[256];
	char *found = NULL;

	snprintf(want, sizeof(want), "do %s -> ", item);
	while (f && fgets(buf, (int)len, f))
		if (!strncmp(buf, want, strlen(want))) {
			found = buf + strlen(want);
			break;
		}
	if (f)
		fclose(f);
	return found;
}

/* "step S / N ..." of a do line. */
static void do_step(const char *item, size_t *step, size_t *n, char *rest, size_t restlen)
{
	char buf[1024], *line = do_line(item, buf, sizeof(buf));
	int used = 0;

	ck_assert_msg(line != NULL, "no output for --do %s", item);
	ck_assert_msg(sscanf(line, "step %zu / %zu%n", step, n, &used) == 2, "do %s: '%s'", item,
		      line);
	if (rest) {
		snprintf(rest, restlen, "%s", line + used);
	}
}

/* win-1.1 */
START_TEST(default_window)
{
	const char *args[] = { "--size", "1024x700", "--screenshot", shot, "--quit-after", "3000",
			       NULL };

	ck_assert_int_eq(run_under_xvfb(args), 0);
	check_png(shot, 1024, 700);
}
END_TEST

/* win-1.2 */
START_TEST(one_panel)
{
	const char *args[] = { "--scenario", "buffered-write-fsync", "--panel", "pagecache",
			       "--size", "900x600", "--screenshot", shot, "--quit-after", "3000",
			       NULL };

	ck_assert_int_eq(run_under_xvfb(args), 0);
	check_png(shot, 900, 600);
}
END_TEST

/* win-1.3 */
START_TEST(compare_window)
{
	const char *args[] = { "--open", TRACE_08, "--compare", TRACE_09, "--screenshot", shot,
			       "--quit-after", "3000", NULL };

	ck_assert_int_eq(run_under_xvfb(args), 0);
	check_png(shot, 1280, 800);
}
END_TEST

/* win-1.4 */
START_TEST(quit_after_alone)
{
	const char *args[] = { "--quit-after", "1000", NULL };

	ck_assert_int_eq(run_under_xvfb(args), 0);
	ck_assert_int_ne(access(shot, F_OK), 0);
}
END_TEST

/* win-2.1 */
START_TEST(controls_move_timeline)
{
	const char *args[] = { "--scenario", "buffered-write-fsync", "--do",
			       "start,step,step-over,end,step-back", "--quit-after", "500", NULL };
	size_t s, n, n0;
	char rest[512];

	ck_assert_int_eq(run_under_xvfb(args), 0);
	do_step("start", &s, &n0, NULL, 0);
	ck_assert_uint_eq(s, 0);
	ck_assert_uint_gt(n0, 2);
	do_step("step", &s, &n, rest, sizeof(rest));
	ck_assert_uint_eq(s, 1);
	ck_assert_msg(strstr(rest, "op_begin"), "step 1 is '%s'", rest);
	do_step("step-over", &s, &n, rest, sizeof(rest));
	ck_assert_uint_gt(s, 1);
	ck_assert_msg(strstr(rest, "op_end"), "step-over stopped at '%s'", rest);
	do_step("end", &s, &n, NULL, 0);
	ck_assert_uint_eq(s, n0);
	do_step("step-back", &s, &n, NULL, 0);
	ck_assert_uint_eq(s, n0 - 1);
}
END_TEST

/* win-2.2: break on fs_iomap_begin, then continue twice. */
START_TEST(breakpoint_stops)
{
	const char *args[] = { "--scenario", "buffered-write-fsync", "--do",
			       "start,step,step,step,step,step", "--do", "toggle-break",
			       "--do", "start", "--do", "continue", "--quit-after", "500", NULL };
	size_t s, n, s_step5;
	char rest[512], name[128] = "";

	ck_assert_int_eq(run_under_xvfb(args), 0);
	/* The fifth step's event becomes the breakpoint. */
	do_step("toggle-break", &s_step5, &n, rest, sizeof(rest));
	ck_assert_uint_eq(s_step5, 5);
	ck_assert_int_eq(sscanf(rest, " — %127s", name), 1);
	ck_assert_msg(strstr(rest, "breakpoint on"), "toggle-break said '%s'", rest);
	do_step("continue", &s, &n, rest, sizeof(rest));
	ck_assert_uint_ge(s, 1);
	ck_assert_uint_le(s, s_step5);
	ck_assert_msg(!strncmp(rest, " — ", strlen(" — ")) &&
		      !strncmp(rest + strlen(" — "), name, strlen(name)),
		      "continue stopped at '%s', not at %s", rest, name);
}
END_TEST

/* win-2.3 */
START_TEST(typed_command_runs)
{
	char svg[80], buf[1024], *line;
	const char *args[] = { "--do", "type:pwrite 0 8k", "--do", svg, "--quit-after", "500",
			       NULL };
	size_t s, n;
	char rest[512];
	FILE *f;

	snprintf(svg, sizeof(svg), "export-to:/tmp/viz-win-%d.svg", (int)getpid());
	ck_assert_int_eq(run_under_xvfb(args), 0);
	/* The command ran; the window stands just after its op_begin, to play it. */
	do_step("type:pwrite 0 8k", &s, &n, rest, sizeof(rest));
	ck_assert_uint_gt(n, 0);
	ck_assert_uint_eq(s, 1);
	ck_assert_msg(strstr(rest, "op_begin"), "after the command: '%s'", rest);
	line = do_line(svg, buf, sizeof(buf));
	ck_assert_msg(line && strstr(line, "exported"), "export-to said '%s'", line ? line : "");
	f = fopen(svg + strlen("export-to:"), "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(buf, sizeof(buf), f));
	ck_assert_msg(!strncmp(buf, "<?xml", 5), "not an SVG: %s", buf);
	fclose(f);
	unlink(svg + strlen("export-to:"));
}
END_TEST

/* win-2.4 */
START_TEST(bad_action)
{
	const char *args[] = { "--do", "step,frobnicate", "--quit-after", "500", NULL };

	ck_assert_int_eq(run_under_xvfb(args), 2);
}
END_TEST

static bool in_path(const char *prog);

/* win-3.1 */
START_TEST(real_keys)
{
	char script[2048], buf[1024], *line;
	const char *args[] = { "-c", script, NULL };
	FILE *f;

	if (!in_path("xdotool")) {
		printf("SKIP win-3.1: xdotool is not installed\n");
		return;
	}
	/* The app in the background; keys go through XTEST once it has the focus. */
	snprintf(script, sizeof(script),
		 "'%s' --scenario buffered-write-fsync --quit-after 5000 & "
		 "sleep 2; wid=$(xdotool search --name iomap-viz | head -1); "
		 "xdotool windowfocus --sync \"$wid\"; "
		 "xdotool key Home Right Right Right Left; sleep 0.3; "
		 "xdotool key ctrl+l; sleep 0.3; xdotool type 'n n'; wait",
		 IOMAP_VIZ);
	ck_assert_int_eq(run_under_xvfb_prog("sh", args), 0);
	f = fopen(outfile, "r");
	ck_assert_ptr_nonnull(f);
	line = NULL;
	while (fgets(buf, sizeof(buf), f))
		if (!strncmp(buf, "quit at: ", 9))
			line = buf + 9;
	fclose(f);
	ck_assert_msg(line != NULL, "the app did not say where it quit");
	ck_assert_msg(!strncmp(line, "step 2 / ", 9), "keys left the window at '%s'", line);
}
END_TEST

static bool in_path(const char *prog)
{
	const char *path = getenv("PATH");
	char *copy, *dir, *save = NULL;
	bool found = false;

	if (!path)
		return false;
	copy = strdup(path);
	for (dir = strtok_r(copy, ":", &save); dir && !found; dir = strtok_r(NULL, ":", &save)) {
		char buf[4096];

		snprintf(buf, sizeof(buf), "%s/%s", dir, prog);
		found = access(buf, X_OK) == 0;
	}
	free(copy);
	return found;
}

int main(void)
{
	Suite *s;
	TCase *tc;

	if (!in_path("xvfb-run")) {
		printf("SKIP: xvfb-run is not installed (apt-get install xvfb xauth); "
		       "the window test needs it\n");
		return 77;
	}
	s = suite_create("iomap-viz window");
	tc = tcase_create("xvfb");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, default_window);
	tcase_add_test(tc, one_panel);
	tcase_add_test(tc, compare_window);
	tcase_add_test(tc, quit_after_alone);
	tcase_add_test(tc, controls_move_timeline);
	tcase_add_test(tc, breakpoint_stops);
	tcase_add_test(tc, typed_command_runs);
	tcase_add_test(tc, bad_action);
	tcase_add_test(tc, real_keys);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
