/*
 * main.c — the iomap-viz command line.
 *
 *   iomap-viz                               the window, default scenario
 *   iomap-viz --list-scenarios              one built-in scenario per line
 *   iomap-viz --scenario NAME [--step N] [--panel P] [--size WxH]
 *             --export FILE.png|svg|pdf     render and exit, no display needed
 *   iomap-viz --open TRACE [--compare TRACE2] --export FILE
 *   iomap-viz --scenario NAME --export-steps FILE.pdf [--from A] [--to B]
 *   iomap-viz ... --screenshot FILE.png --quit-after MS   (needs a display)
 *
 * Contract: the headless paths (--list-scenarios, --export, --export-steps,
 * and the fallback when there is no display) never initialise GTK.  A bad
 * command line exits with status 2 (VIZ_EXIT_USAGE) and a message on stderr;
 * a command line that is well formed but cannot be carried out (unknown
 * file, step out of range, unwritable output) exits with status 1.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cairo.h>
#include <fontconfig/fontconfig.h>

#include "viz-app.h"

static const char usage_text[] =
	"Usage: iomap-viz [OPTION]...\n"
	"Step through the iomap stack: iterator, page cache, ioends, locks, disk.\n"
	"\n"
	"What to show (default: the scenario " VIZ_DEFAULT_SCENARIO "):\n"
	"  --list-scenarios       print the built-in scenario names, one per line\n"
	"  --scenario NAME        run built-in scenario NAME\n"
	"  --open FILE            open a reference recording or kernel tracefs text\n"
	"  --compare FILE         show FILE beside it, first divergent event marked\n"
	"  --step N               stand at step N (0 .. number of events; default last)\n"
	"  --panel NAME           iter, pagecache, ioend, locks, events, disk or all\n"
	"  --size WxH             image or window size (default 1280x800); with\n"
	"                         --compare each view is WxH, side by side\n"
	"\n"
	"Headless (no display needed):\n"
	"  --export FILE          render to FILE.png, FILE.svg or FILE.pdf and exit\n"
	"  --export-steps FILE    multi-page PDF, one page per step, and exit\n"
	"  --from A, --to B       first and last step of --export-steps\n"
	"\n"
	"Window:\n"
	"  --screenshot FILE      save the real window to FILE (PNG), then quit\n"
	"  --quit-after MS        quit after MS milliseconds (with --screenshot:\n"
	"                         take it then; default 1500)\n"
	"  --do A[,B...]          then carry out window actions in order and print\n"
	"                         the step after each: step, step-back, step-over,\n"
	"                         start, end, play, continue, toggle-break,\n"
	"                         divergence, switch-pane, close-compare,\n"
	"                         run-scenario:NAME, open-file:PATH,\n"
	"                         compare-with:PATH, export-to:PATH,\n"
	"                         export-steps-to:PATH;\n"
	"                         --do 'type:LINE' runs LINE in the command entry\n"
	"  --help                 this text\n"
	"\n"
	"With no display and no export option, the view is rendered to iomap-viz.png.\n";

enum {
	OPT_LIST = 256,
	OPT_SCENARIO,
	OPT_OPEN,
	OPT_COMPARE,
	OPT_STEP,
	OPT_PANEL,
	OPT_SIZE,
	OPT_EXPORT,
	OPT_EXPORT_STEPS,
	OPT_FROM,
	OPT_TO,
	OPT_SCREENSHOT,
	OPT_QUIT_AFTER,
	OPT_DO,
	OPT_HELP,
};

static const struct option long_opts[] = {
	{ "list-scenarios", no_argument, NULL, OPT_LIST },
	{ "scenario", required_argument, NULL, OPT_SCENARIO },
	{ "open", required_argument, NULL, OPT_OPEN },
	{ "compare", required_argument, NULL, OPT_COMPARE },
	{ "step", required_argument, NULL, OPT_STEP },
	{ "panel", required_argument, NULL, OPT_PANEL },
	{ "size", required_argument, NULL, OPT_SIZE },
	{ "export", required_argument, NULL, OPT_EXPORT },
	{ "export-steps", required_argument, NULL, OPT_EXPORT_STEPS },
	{ "from", required_argument, NULL, OPT_FROM },
	{ "to", required_argument, NULL, OPT_TO },
	{ "screenshot", required_argument, NULL, OPT_SCREENSHOT },
	{ "quit-after", required_argument, NULL, OPT_QUIT_AFTER },
	{ "do", required_argument, NULL, OPT_DO },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Say what is wrong with the command line; returns VIZ_EXIT_USAGE. */
static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("iomap-viz: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'iomap-viz --help'.\n", stderr);
	return VIZ_EXIT_USAGE;
}

/* A non-negative decimal that fits; no sign, no trailing garbage. */
static bool parse_count(const char *s, size_t *out)
{
	unsigned long long v;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > SIZE_MAX)
		return false;
	*out = (size_t)v;
	return true;
}

/* "WxH", each 16 .. 16384. */
static bool parse_size(const char *s, int *w, int *h)
{
	size_t a, b;
	char buf[64], *x;

	if (strlen(s) >= sizeof(buf))
		return false;
	strcpy(buf, s);
	x = strchr(buf, 'x');
	if (!x)
		x = strchr(buf, 'X');
	if (!x)
		return false;
	*x = '\0';
	if (!parse_count(buf, &a) || !parse_count(x + 1, &b))
		return false;
	if (a < 16 || b < 16 || a > 16384 || b > 16384)
		return false;
	*w = (int)a;
	*h = (int)b;
	return true;
}

/* What viz_export_kind() returns for each kind of file. */
enum { KIND_PNG = 0, KIND_SVG = 1, KIND_PDF = 2 };

static bool have_display(void)
{
	const char *x = getenv("DISPLAY"), *wl = getenv("WAYLAND_DISPLAY");

	return (x && *x) || (wl && *wl);
}

/* Returns -1 to go on, or an exit status. */
static int parse_args(int argc, char **argv, struct viz_options *o, bool *list)
{
	size_t n;
	int c;

	memset(o, 0, sizeof(*o));
	o->panel = VIZ_PANEL_ALL;
	o->width = 1280;
	o->height = 800;
	o->quit_after_ms = -1;
	*list = false;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", long_opts, NULL)) != -1) {
		switch (c) {
		case OPT_LIST:
			*list = true;
			break;
		case OPT_SCENARIO:
			o->scenario = optarg;
			break;
		case OPT_OPEN:
			o->open = optarg;
			break;
		case OPT_COMPARE:
			o->compare = optarg;
			break;
		case OPT_STEP:
			if (!parse_count(optarg, &o->step))
				return usage_error("--step wants a step number >= 0, not '%s'", optarg);
			o->has_step = true;
			break;
		case OPT_PANEL: {
			int p = viz_panel_from_name(optarg);

			if (p < 0)
				return usage_error("unknown panel '%s' (iter, pagecache, ioend, "
						   "locks, events, disk, all)",
						   optarg);
			o->panel = (enum viz_panel)p;
			break;
		}
		case OPT_SIZE:
			if (!parse_size(optarg, &o->width, &o->height))
				return usage_error("--size wants WxH, each 16 .. 16384, not '%s'",
						   optarg);
			break;
		case OPT_EXPORT:
			o->export_path = optarg;
			break;
		case OPT_EXPORT_STEPS:
			o->export_steps = optarg;
			break;
		case OPT_FROM:
			if (!parse_count(optarg, &o->from))
				return usage_error("--from wants a step number >= 0, not '%s'", optarg);
			o->has_from = true;
			break;
		case OPT_TO:
			if (!parse_count(optarg, &o->to))
				return usage_error("--to wants a step number >= 0, not '%s'", optarg);
			o->has_to = true;
			break;
		case OPT_SCREENSHOT:
			o->screenshot = optarg;
			break;
		case OPT_QUIT_AFTER:
			if (!parse_count(optarg, &n) || n > INT_MAX)
				return usage_error("--quit-after wants milliseconds, not '%s'", optarg);
			o->quit_after_ms = (long)n;
			break;
		case OPT_DO: {
			/* "type:LINE" is one item; anything else is a comma list. */
			char *item = optarg, *comma;

			do {
				comma = strncmp(item, "type:", 5) ? strchr(item, ',') : NULL;
				if (comma)
					*comma = '\0';
				if (o->nr_script == VIZ_MAX_SCRIPT)
					return usage_error("too many --do items (at most %d)",
							   VIZ_MAX_SCRIPT);
				if (*item)
					o->script[o->nr_script++] = item;
				item = comma ? comma + 1 : NULL;
			} while (item);
			break;
		}
		case OPT_HELP:
			fputs(usage_text, stdout);
			return 0;
		case ':':
			return usage_error("option '%s' needs an argument", argv[optind - 1]);
		default:
			return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (o->scenario && o->open)
		return usage_error("--scenario and --open exclude each other");
	if (o->export_path && o->export_steps)
		return usage_error("--export and --export-steps exclude each other");
	if (o->export_steps && viz_export_kind(o->export_steps) != KIND_PDF)
		return usage_error("--export-steps writes a PDF: '%s' does not end in .pdf",
				   o->export_steps);
	if (o->export_path && viz_export_kind(o->export_path) < 0)
		return usage_error("--export: '%s' does not end in .png, .svg or .pdf",
				   o->export_path);
	if ((o->has_from || o->has_to) && !o->export_steps)
		return usage_error("--from and --to go with --export-steps");
	if (o->export_steps && o->compare)
		return usage_error("--export-steps exports one document, not --compare");
	if (o->screenshot && viz_export_kind(o->screenshot) != KIND_PNG)
		return usage_error("--screenshot saves a PNG: '%s' does not end in .png",
				   o->screenshot);
	if (o->nr_script && (o->export_path || o->export_steps))
		return usage_error("--do drives the window; --export does not open it");
	if ((o->screenshot || o->quit_after_ms >= 0) && (o->export_path || o->export_steps))
		return usage_error("--screenshot / --quit-after open the window; "
				   "--export does not");
	return -1;
}

static int list_scenarios(void)
{
	for (size_t i = 0; i < viz_scenario_count(); i++) {
		const struct viz_scenario *sc = viz_scenario_get(i);

		if (sc)
			printf("%s\n", sc->name);
	}
	return fflush(stdout) == 0 ? 0 : 1;
}

/* Seek @d to @step; a step past the end is an error the user must see. */
static int seek_checked(struct viz_doc *d, size_t step, const char *what)
{
	size_t n = viz_model_nr_steps(d->model);

	if (step > n) {
		fprintf(stderr, "iomap-viz: step %zu is out of range for %s: it has steps 0 .. %zu\n",
			step, what, n);
		return 1;
	}
	if (viz_model_seek(d->model, step) < 0) {
		fprintf(stderr, "iomap-viz: out of memory\n");
		return 1;
	}
	return 0;
}

static int open_doc(const char *file, const char *scenario, struct viz_doc **out)
{
	char err[512] = "";
	int ret;

	if (file)
		ret = viz_doc_open_file(file, out, err, sizeof(err));
	else
		ret = viz_doc_open_scenario(scenario, out, err, sizeof(err));
	if (ret < 0) {
		fprintf(stderr, "iomap-viz: %s\n", err[0] ? err : strerror(-ret));
		/* An unknown scenario name is a bad command line. */
		return ret == -ENOENT && !file ? VIZ_EXIT_USAGE : 1;
	}
	return 0;
}

/* Mark the first divergent event in both documents and say where it is. */
static int mark_divergence(struct viz_doc *a, struct viz_doc *b, bool say)
{
	struct viz_divergence dv;

	if (viz_doc_mark_divergence(a, b, &dv) < 0) {
		fprintf(stderr, "iomap-viz: out of memory\n");
		return 1;
	}
	if (!say)
		return 0;
	if (dv.diverged && (dv.a_ended || dv.b_ended)) {
		const struct viz_doc *longer = dv.a_ended ? b : a;

		printf("the %s ends after %zu matching kernel-visible events; the %s goes "
		       "on with #%zu %s\n",
		       dv.a_ended ? "first" : "second", dv.nr_same, dv.a_ended ? "second" : "first",
		       longer->divergence, viz_store_name(longer->store, longer->divergence));
	} else if (dv.diverged) {
		printf("first divergent event: #%zu of the first, #%zu of the second "
		       "(after %zu matching kernel-visible events)\n",
		       dv.a_index, dv.b_index, dv.nr_same);
	} else {
		printf("no divergence: %zu kernel-visible events match\n", dv.nr_same);
	}
	return 0;
}

static int export_headless(const struct viz_options *o, struct viz_doc *a, struct viz_doc *b)
{
	struct viz_view va, vb;
	char err[512] = "";
	int ret;

	viz_doc_view(a, &va);
	if (o->export_steps) {
		size_t n = viz_model_nr_steps(a->model);
		size_t from = o->has_from ? o->from : 0, to = o->has_to ? o->to : n;

		if (from > n || to > n || from > to) {
			fprintf(stderr,
				"iomap-viz: --from %zu --to %zu: need 0 <= from <= to <= %zu "
				"(the number of events)\n",
				from, to, n);
			return 1;
		}
		ret = viz_export_pdf_steps(a->model, o->panel, &va, o->export_steps, from, to,
					   o->width, o->height, err, sizeof(err));
		if (ret < 0) {
			fprintf(stderr, "iomap-viz: %s\n", err[0] ? err : strerror(-ret));
			return 1;
		}
		printf("wrote %d pages (steps %zu .. %zu) to %s\n", ret, from, to, o->export_steps);
		return 0;
	}
	if (b)
		viz_doc_view(b, &vb);
	ret = viz_export_pair(o->panel, &va, b ? &vb : NULL, o->export_path, o->width, o->height,
			      err, sizeof(err));
	if (ret < 0) {
		fprintf(stderr, "iomap-viz: %s\n", err[0] ? err : strerror(-ret));
		return 1;
	}
	return 0;
}

/**
 * The program's entry point: parse, open the documents, then either
 * export headlessly or run the window.
 * @param argc argument count
 * @param argv arguments
 * @return 0, 1 (could not do it) or 2 (bad command line)
 */
int main(int argc, char **argv)
{
	struct viz_doc *a = NULL, *b = NULL;
	struct viz_options o;
	bool list, headless;
	int rc;

	rc = parse_args(argc, argv, &o, &list);
	if (rc >= 0)
		return rc;
	if (list)
		return list_scenarios();

	headless = o.export_path || o.export_steps;
	if (!headless && !have_display()) {
		if (o.screenshot || o.quit_after_ms >= 0 || o.nr_script) {
			fprintf(stderr, "iomap-viz: --screenshot / --quit-after / --do need a display "
					"(DISPLAY and WAYLAND_DISPLAY are unset); try xvfb-run\n");
			return 1;
		}
		o.export_path = "iomap-viz.png";
		fprintf(stderr, "iomap-viz: no display (DISPLAY and WAYLAND_DISPLAY are unset): "
				"rendering the view to %s instead\n",
			o.export_path);
		headless = true;
	}

	rc = open_doc(o.open, o.scenario ? o.scenario : VIZ_DEFAULT_SCENARIO, &a);
	if (rc)
		goto out;
	if (o.compare) {
		rc = open_doc(o.compare, NULL, &b);
		if (rc)
			goto out;
		rc = mark_divergence(a, b, headless);
		if (rc)
			goto out;
	}
	if (o.has_step) {
		rc = seek_checked(a, o.step, a->title);
		if (rc)
			goto out;
		/* The second document follows as far as it goes. */
		if (b && viz_model_seek(b->model, o.step) < 0) {
			rc = 1;
			goto out;
		}
	}

	if (headless) {
		rc = export_headless(&o, a, b);
	} else {
		rc = viz_app_run(&o, a, b);
		a = b = NULL; /* the window owned and freed them */
	}
out:
	viz_doc_free(b);
	viz_doc_free(a);
	if (headless) {
		/*
		 * Give back cairo's and fontconfig's caches so that LeakSanitizer
		 * sees a clean exit (the GTK path leaves them to GTK).
		 */
		cairo_debug_reset_static_data();
		FcFini();
	}
	return rc;
}
