/*
 * app.c — the GtkApplication: accelerators, the one window, and the timers
 * that let tests take a screenshot and quit on their own.
 *
 * How it is used: main.c has already parsed the command line and opened the
 * documents; viz_app_run() hands them to the window and runs the main loop.
 * The application is NON_UNIQUE (no D-Bus name to own, so it starts the
 * same way under Xvfb as on a desktop) and never parses argv itself.
 *
 * Keys.  Keys with a modifier (Ctrl+O, Ctrl+E, Ctrl+Q, ...) and function
 * keys are application accelerators, so they work wherever the focus is.
 * Plain keys (Right, Left, Down, space, Home, End, n, b, o, c, [, ]) are
 * caught by the window's own key controller (window.c), which lets them
 * through while a text field has the focus, so that typing "pwrite 0 4k"
 * in the command entry still types a space.
 *
 * --do: after the window is built, each item runs through
 * viz_window_script() and "do ITEM -> STATUS" is printed; when a timer
 * quits the window, "quit at: STATUS" is printed.  Tests read these lines.
 */
#include <errno.h>
#include <stdio.h>

#include "viz-app-gtk.h"

struct app_ctx {
	const struct viz_options *opt;
	struct viz_doc *a, *b; /* until the window takes them */
	GtkWidget *win;
	int status;
};

/* Accelerators with a modifier or on a function key (see the file top). */
static const struct {
	const char *action;
	const char *accels[3];
} app_accels[] = {
	{ "app.quit", { "<Control>q", NULL } },
	{ "win.open", { "<Control>o", NULL } },
	{ "win.compare", { "<Control><Shift>o", NULL } },
	{ "win.close-compare", { "<Control>w", NULL } },
	{ "win.divergence", { "<Control>d", NULL } },
	{ "win.export", { "<Control>e", NULL } },
	{ "win.export-steps", { "<Control><Shift>e", NULL } },
	{ "win.continue", { "F8", NULL } },
	{ "win.toggle-break", { "F9", NULL } },
	{ "win.switch-pane", { "F6", NULL } },
	{ "win.focus-command", { "<Control>l", NULL } },
	{ "win.faster", { "<Control>plus", "<Control>equal", NULL } },
	{ "win.slower", { "<Control>minus", NULL } },
	{ "win.step", { "<Control>Right", NULL } },
	{ "win.step-back", { "<Control>Left", NULL } },
	{ "win.step-over", { "<Control>Down", NULL } },
	{ "win.play", { "<Control>space", NULL } },
	{ "win.start", { "<Control>Home", NULL } },
	{ "win.end", { "<Control>End", NULL } },
};

static void quit_activated(GSimpleAction *action, GVariant *param, gpointer data)
{
	g_application_quit(G_APPLICATION(data));
}

/*
 * The --quit-after / --screenshot timer: say where the window stood (for
 * scripts and tests), save the screenshot if one was asked for, and quit.
 */
static gboolean timer_quit(gpointer data)
{
	struct app_ctx *ctx = data;
	char err[512];

	printf("quit at: %s\n", viz_window_status(ctx->win));
	fflush(stdout);
	if (ctx->opt->screenshot) {
		if (viz_window_save_png(ctx->win, ctx->opt->screenshot, err, sizeof(err)) < 0) {
			fprintf(stderr, "iomap-viz: %s\n", err);
			ctx->status = 1;
		} else {
			printf("saved the window to %s\n", ctx->opt->screenshot);
			fflush(stdout);
		}
	}
	g_application_quit(G_APPLICATION(gtk_window_get_application(GTK_WINDOW(ctx->win))));
	return G_SOURCE_REMOVE;
}

static void on_startup(GApplication *app, gpointer data)
{
	static const GActionEntry entries[] = {
		{ .name = "quit", .activate = quit_activated },
	};

	g_action_map_add_action_entries(G_ACTION_MAP(app), entries, G_N_ELEMENTS(entries), app);
	for (size_t i = 0; i < G_N_ELEMENTS(app_accels); i++)
		gtk_application_set_accels_for_action(GTK_APPLICATION(app), app_accels[i].action,
						      app_accels[i].accels);
}

static void on_activate(GApplication *app, gpointer data)
{
	struct app_ctx *ctx = data;
	long ms;

	if (ctx->win) {
		gtk_window_present(GTK_WINDOW(ctx->win));
		return;
	}
	ctx->win = viz_window_new(GTK_APPLICATION(app), ctx->opt, ctx->a, ctx->b);
	ctx->a = ctx->b = NULL;
	/* --do: scripted steps, each reported on stdout so tests can check them. */
	for (size_t i = 0; i < ctx->opt->nr_script; i++) {
		char msg[512];

		if (viz_window_script(ctx->win, ctx->opt->script[i], msg, sizeof(msg)) < 0) {
			fprintf(stderr, "iomap-viz: --do %s: %s\n", ctx->opt->script[i], msg);
			ctx->status = VIZ_EXIT_USAGE;
			g_application_quit(app);
			return;
		}
		printf("do %s -> %s\n", ctx->opt->script[i], msg);
	}
	fflush(stdout);
	/* A screenshot waits 1500 ms for the window to draw unless told otherwise. */
	ms = ctx->opt->quit_after_ms;
	if (ctx->opt->screenshot || ms >= 0)
		g_timeout_add(ms >= 0 ? (guint)ms : 1500, timer_quit, ctx);
}

int viz_app_run(const struct viz_options *opt, struct viz_doc *a, struct viz_doc *b)
{
	struct app_ctx ctx = { .opt = opt, .a = a, .b = b };
	char *argv0[] = { (char *)"iomap-viz", NULL };
	GtkApplication *app;
	int rc;

	app = gtk_application_new(VIZ_APP_ID, G_APPLICATION_NON_UNIQUE);
	g_set_application_name("iomap-viz");
	g_signal_connect(app, "startup", G_CALLBACK(on_startup), &ctx);
	g_signal_connect(app, "activate", G_CALLBACK(on_activate), &ctx);
	rc = g_application_run(G_APPLICATION(app), 1, argv0);
	g_object_unref(app);
	/* Documents the window never took (activation failed). */
	viz_doc_free(ctx.a);
	viz_doc_free(ctx.b);
	return rc ? rc : ctx.status;
}
