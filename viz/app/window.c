/*
 * window.c — the iomap-viz window: panels, timeline, event list, controls,
 * explanation box, command entry, compare mode, exports.
 *
 *   +-------------------------------------------------------------------+
 *   | [scenario v] Open Compare Export | |< < > >> >| Play speed | Breaks |
 *   +-----------------------------------------------+-------------------+
 *   | pane 0 (and pane 1 in compare mode):          | explanation box:  |
 *   |   title, step                                 |   title           |
 *   |   timeline scrubber (GtkScale)                |   paragraph       |
 *   |   iter      | pagecache                       |   seed section    |
 *   |   ioend     | locks                           |                   |
 *   |   disk      | events (GtkListView, lazy)      |                   |
 *   +-----------------------------------------------+-------------------+
 *   | xfs_io> [command entry]          | output of the last commands     |
 *   | status line                                                       |
 *   +-------------------------------------------------------------------+
 *
 * A *pane* shows one document (viz_doc): its panels are GtkDrawingAreas
 * whose draw function is viz_render() of one panel, so the window and the
 * PNG/SVG/PDF exports draw the same pixels.  Compare mode adds a second
 * pane; the controls act on the *active* pane (the one last clicked, F6
 * switches), and Ctrl+D puts both panes on their first divergent event.
 *
 * One rule keeps the timeline, the scrubber and the event list in sync:
 * every change of step goes through pane_seek(), which moves the model,
 * then sets the scale and the list selection with `syncing` raised so that
 * their own change signals do not seek again.
 *
 * Flashing: pane_seek() records when the step changed; the panels draw with
 * view.flash = 1 - age / 300 ms, driven by a tick callback that removes
 * itself when every pane's flash has decayed.
 *
 * Compare mode marks the first divergent event in both documents
 * (viz_doc_mark_divergence()); mark_divergence() runs it again whenever a
 * pane's document changes and has the rows whose red changed bound again.
 *
 * Playing moves the active pane a few steps every PLAY_TICK_MS and stops
 * at a breakpoint (an event name).  Finding the next one scans the store,
 * so the answer is kept (struct break_cache) for as long as it holds.
 *
 * Ownership: the window owns its documents (freed when the window is
 * finalized); the list view owns its selection model, which owns the event
 * list.  With --panel other than events a pane has no event list at all
 * (list_view, sel and events are NULL).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "viz-app-gtk.h"

#define FLASH_US (300 * 1000)
#define PLAY_TICK_MS 30

/*
 * Most breakpoints at once.  viz_model_next_break() looks for at most 16
 * event names (the ids[16] of viz/model/model.c, which has no public
 * constant for it); a 17th name would be silently ignored there, so the
 * window refuses it and says why.
 */
#define MAX_BREAKS 16

/* Most pages the window's "Slides" writes at once. */
#define SLIDES_MAX 500

struct vwin;

/* One drawing area: which pane, which panel. */
struct area {
	struct pane *pane;
	enum viz_panel panel;
	GtkWidget *widget;
};

struct pane {
	struct vwin *w;
	int idx;
	struct viz_doc *doc;
	GtkWidget *root;
	GtkWidget *title;
	GtkWidget *scale;
	GtkWidget *list_view;    /* NULL when the events panel is not shown */
	GListModel *events;      /* owned by sel; NULL without list_view */
	GtkSingleSelection *sel; /* owned by list_view; NULL without it */
	struct area areas[VIZ_NR_PANELS];
	gint64 flash_t0;
	int syncing;
};

/*
 * play_tick's next breakpoint: from step @from of pane @pane, whose store
 * had @n events, viz_model_next_break() answered @at.  The answer holds for
 * every step in [from, at) while the pane, its size and the breakpoints
 * stay the same (see next_break_cached()).
 */
struct break_cache {
	bool valid;
	int pane;
	size_t from, at, n;
};

struct vwin {
	GtkWidget *window;
	struct viz_options opt;
	struct pane panes[2];
	int nr_panes;
	int active;
	GtkWidget *panes_box;
	GtkWidget *expl_title, *expl_text, *expl_seed;
	GtkWidget *dropdown;
	int dropdown_syncing;
	GtkWidget *play_button;
	GtkWidget *speed;
	GtkWidget *breaks_box;
	GtkWidget *breaks_note;  /* "3 of at most 16 set" in the breakpoints popover */
	GtkWidget *cmd_entry;
	GtkTextBuffer *cmd_out;
	GtkWidget *cmd_view;
	GtkWidget *status;
	char *breaks[MAX_BREAKS];
	size_t nr_breaks;
	struct break_cache brk;
	guint play_source;
	gint64 play_last;
	double play_accum;
	guint flash_tick;
};

static void pane_seek(struct pane *p, size_t step);
static void update_explanation(struct vwin *w);
static void update_status(struct vwin *w, const char *msg);

static struct pane *active_pane(struct vwin *w)
{
	return &w->panes[w->active < w->nr_panes ? w->active : 0];
}

/* ---- views and drawing ------------------------------------------------ */

static double pane_flash(const struct pane *p, gint64 now)
{
	gint64 age = now - p->flash_t0;

	if (!p->flash_t0 || age >= FLASH_US || age < 0)
		return 0;
	return 1.0 - (double)age / FLASH_US;
}

static void pane_view(const struct pane *p, struct viz_view *v)
{
	viz_doc_view(p->doc, v);
	v->flash = pane_flash(p, g_get_monotonic_time());
}

static void draw_area(GtkDrawingArea *da, cairo_t *cr, int width, int height, gpointer data)
{
	struct area *a = data;
	struct viz_view v;

	if (!a->pane->doc)
		return;
	pane_view(a->pane, &v);
	viz_render(a->panel, &v, cr, width, height);
}

static void pane_redraw(struct pane *p)
{
	for (int i = 0; i < VIZ_NR_PANELS; i++)
		if (p->areas[i].widget)
			gtk_widget_queue_draw(p->areas[i].widget);
}

static gboolean flash_tick(GtkWidget *widget, GdkFrameClock *clock, gpointer data)
{
	struct vwin *w = data;
	gint64 now = g_get_monotonic_time();
	bool any = false;

	for (int i = 0; i < w->nr_panes; i++) {
		struct pane *p = &w->panes[i];

		if (!p->flash_t0)
			continue;
		pane_redraw(p);
		if (pane_flash(p, now) > 0)
			any = true;
		else
			p->flash_t0 = 0; /* drawn once more with flash 0 */
	}
	if (any)
		return G_SOURCE_CONTINUE;
	w->flash_tick = 0;
	return G_SOURCE_REMOVE;
}

static gboolean query_tooltip(GtkWidget *widget, int x, int y, gboolean keyboard,
			      GtkTooltip *tooltip, gpointer data)
{
	struct area *a = data;
	struct viz_view v;
	struct viz_hit hit;
	char buf[1024];

	if (!a->pane->doc || keyboard)
		return FALSE;
	pane_view(a->pane, &v);
	if (!viz_hit_test(a->panel, &v, gtk_widget_get_width(widget),
			  gtk_widget_get_height(widget), x, y, &hit))
		return FALSE;
	if (viz_hit_describe(&v, &hit, buf, sizeof(buf)) <= 0)
		return FALSE;
	gtk_tooltip_set_text(tooltip, buf);
	return TRUE;
}

static void set_active(struct vwin *w, int idx)
{
	if (idx == w->active || idx >= w->nr_panes)
		return;
	w->active = idx;
	for (int i = 0; i < w->nr_panes; i++) {
		if (i == idx)
			gtk_widget_add_css_class(w->panes[i].root, "active-pane");
		else
			gtk_widget_remove_css_class(w->panes[i].root, "active-pane");
	}
	update_explanation(w);
	update_status(w, NULL);
}

/* A click makes the pane active; on an event, a call, a folio block, an ioend, a lock,
 * a disk run or a mapping, it jumps to the step that made it what it is. */
static void area_pressed(GtkGestureClick *g, int n_press, double x, double y, gpointer data)
{
	struct area *a = data;
	GtkWidget *widget = gtk_event_controller_get_widget(GTK_EVENT_CONTROLLER(g));
	struct viz_view v;
	struct viz_hit hit;

	set_active(a->pane->w, a->pane->idx);
	gtk_widget_grab_focus(widget);
	if (!a->pane->doc)
		return;
	pane_view(a->pane, &v);
	if (!viz_hit_test(a->panel, &v, gtk_widget_get_width(widget),
			  gtk_widget_get_height(widget), x, y, &hit))
		return;
	if (hit.kind == VIZ_HIT_EVENT) {
		pane_seek(a->pane, hit.index + 1);
		return;
	}
	/*
	 * The panels are linked through the timeline: a click on anything
	 * else goes to the step that last changed it, and every panel (the
	 * event list too) follows.
	 */
	{
		size_t to = SIZE_MAX;

		switch (hit.kind) {
		case VIZ_HIT_CALL: {
			const struct viz_call *c = viz_state_call(v.state, hit.index);

			if (c)
				to = c->step;
			break;
		}
		case VIZ_HIT_FOLIO:
			if (viz_state_folio(v.state, hit.index))
				to = viz_folio_block_changed(v.state, hit.index, hit.sub);
			break;
		case VIZ_HIT_IOEND: {
			const struct viz_ioend *io = viz_state_ioend(v.state, hit.index);

			if (io)
				to = io->changed_step;
			break;
		}
		case VIZ_HIT_LOCK: {
			const struct viz_lock *l = viz_state_lock(v.state, hit.index);

			if (l)
				to = l->changed_step;
			break;
		}
		case VIZ_HIT_DISK: {
			const struct viz_disk_run *r = viz_state_disk_run(v.state, hit.index);

			if (r)
				to = r->changed_step;
			break;
		}
		case VIZ_HIT_MAPPING: {
			const struct viz_mapping *m = viz_state_mapping(v.state, hit.index);

			if (m)
				to = m->step;
			break;
		}
		default:
			break;
		}
		if (to != SIZE_MAX && to != viz_model_step(a->pane->doc->model))
			pane_seek(a->pane, to);
	}
}

/* ---- status line and explanation box ---------------------------------- */

static void update_status(struct vwin *w, const char *msg)
{
	struct pane *p = active_pane(w);
	size_t step, n;
	GString *s;

	if (!p->doc)
		return;
	step = viz_model_step(p->doc->model);
	n = viz_model_nr_steps(p->doc->model);
	s = g_string_new(NULL);
	if (w->nr_panes > 1)
		g_string_append_printf(s, "[%s pane] ", w->active ? "right" : "left");
	g_string_append_printf(s, "step %zu / %zu", step, n);
	if (step > 0)
		g_string_append_printf(s, " — %s", viz_store_name(p->doc->store, step - 1));
	if (w->nr_breaks) {
		g_string_append(s, " — breakpoints:");
		for (size_t i = 0; i < w->nr_breaks; i++)
			g_string_append_printf(s, " %s", w->breaks[i]);
	}
	if (msg)
		g_string_append_printf(s, " — %s", msg);
	gtk_label_set_text(GTK_LABEL(w->status), s->str);
	g_string_free(s, TRUE);
}

static void update_explanation(struct vwin *w)
{
	struct pane *p = active_pane(w);
	char *seed;

	if (!p->doc)
		return;
	gtk_label_set_text(GTK_LABEL(w->expl_title), p->doc->title ? p->doc->title : "");
	gtk_label_set_text(GTK_LABEL(w->expl_text),
			   p->doc->explanation ? p->doc->explanation : "");
	{
		/* A link to the section on docs.kernel.org when there is one. */
		char url[512];

		if (p->doc->scenario && p->doc->seed_ref &&
		    viz_scenario_seed_url(p->doc->scenario, url, sizeof(url)) > 0)
			seed = g_markup_printf_escaped("Seed section: <a href=\"%s\">%s</a>", url,
						       p->doc->seed_ref);
		else
			seed = g_markup_printf_escaped("Seed section: %s",
						       p->doc->seed_ref ? p->doc->seed_ref : "—");
		gtk_label_set_markup(GTK_LABEL(w->expl_seed), seed);
		g_free(seed);
	}
	{
		char *t = g_strdup_printf("iomap-viz — %s", p->doc->title ? p->doc->title : "");

		gtk_window_set_title(GTK_WINDOW(w->window), t);
		g_free(t);
	}
	/* The picker shows the active pane's scenario, or nothing. */
	w->dropdown_syncing++;
	if (p->doc->scenario) {
		for (size_t i = 0; i < viz_scenario_count(); i++)
			if (viz_scenario_get(i) == p->doc->scenario)
				gtk_drop_down_set_selected(GTK_DROP_DOWN(w->dropdown), (guint)i);
	} else if (p->doc->session) {
		gtk_drop_down_set_selected(GTK_DROP_DOWN(w->dropdown),
					   (guint)viz_scenario_count());
	} else {
		gtk_drop_down_set_selected(GTK_DROP_DOWN(w->dropdown), GTK_INVALID_LIST_POSITION);
	}
	w->dropdown_syncing--;
}

/* ---- the one way to change step --------------------------------------- */

static void pane_sync_widgets(struct pane *p)
{
	size_t step = viz_model_step(p->doc->model), n = viz_model_nr_steps(p->doc->model);
	GtkAdjustment *adj = gtk_range_get_adjustment(GTK_RANGE(p->scale));
	char *t;

	p->syncing++;
	gtk_adjustment_configure(adj, (double)step, 0, (double)n, 1, 10, 0);
	/* A pane shown with --panel other than events has no list (p->sel NULL). */
	if (p->sel && step == 0) {
		gtk_single_selection_set_selected(p->sel, GTK_INVALID_LIST_POSITION);
	} else if (p->sel && step - 1 < g_list_model_get_n_items(p->events)) {
		gtk_single_selection_set_selected(p->sel, (guint)(step - 1));
		gtk_widget_activate_action(p->list_view, "list.scroll-to-item", "u",
					   (guint)(step - 1));
	}
	p->syncing--;
	t = g_strdup_printf("%s — step %zu / %zu", p->doc->title ? p->doc->title : "", step, n);
	gtk_label_set_text(GTK_LABEL(p->title), t);
	g_free(t);
}

static void pane_seek(struct pane *p, size_t step)
{
	struct vwin *w = p->w;
	size_t old = viz_model_step(p->doc->model);

	if (viz_model_seek(p->doc->model, step) < 0) {
		update_status(w, "out of memory while seeking");
		return;
	}
	if (viz_model_step(p->doc->model) != old) {
		p->flash_t0 = g_get_monotonic_time();
		if (!w->flash_tick)
			w->flash_tick = gtk_widget_add_tick_callback(w->window, flash_tick, w, NULL);
	}
	pane_sync_widgets(p);
	pane_redraw(p);
	if (p == active_pane(w))
		update_status(w, NULL);
}

static void scale_changed(GtkRange *range, gpointer data)
{
	struct pane *p = data;
	double v = gtk_range_get_value(range);

	if (p->syncing || !p->doc)
		return;
	set_active(p->w, p->idx);
	pane_seek(p, v <= 0 ? 0 : (size_t)llround(v));
}

static void selection_changed(GtkSelectionModel *model, guint position, guint n_items,
			      gpointer data)
{
	struct pane *p = data;
	guint sel = gtk_single_selection_get_selected(p->sel);

	if (p->syncing || !p->doc || sel == GTK_INVALID_LIST_POSITION)
		return;
	set_active(p->w, p->idx);
	pane_seek(p, (size_t)sel + 1);
}

/* ---- the event list's rows -------------------------------------------- */

static void row_setup(GtkSignalListItemFactory *f, GtkListItem *li, gpointer data)
{
	GtkWidget *label = gtk_label_new(NULL);

	gtk_label_set_xalign(GTK_LABEL(label), 0);
	gtk_label_set_ellipsize(GTK_LABEL(label), PANGO_ELLIPSIZE_END);
	gtk_widget_add_css_class(label, "monospace");
	gtk_list_item_set_child(li, label);
}

static void row_bind(GtkSignalListItemFactory *f, GtkListItem *li, gpointer data)
{
	struct pane *p = data;
	GtkWidget *label = gtk_list_item_get_child(li);
	size_t i = viz_event_row_index(gtk_list_item_get_item(li));
	char buf[512];

	if (!p->doc || viz_store_format(p->doc->store, i, buf, sizeof(buf)) < 0)
		buf[0] = '\0';
	gtk_label_set_text(GTK_LABEL(label), buf);
	if (p->doc && i == p->doc->divergence)
		gtk_widget_add_css_class(label, "divergent");
	else
		gtk_widget_remove_css_class(label, "divergent");
}

/* ---- building a pane -------------------------------------------------- */

static GtkWidget *frame_with(const char *title, GtkWidget *child)
{
	GtkWidget *frame = gtk_frame_new(title);

	gtk_frame_set_child(GTK_FRAME(frame), child);
	return frame;
}

static GtkWidget *make_area(struct pane *p, enum viz_panel panel)
{
	struct area *a = &p->areas[panel];
	GtkWidget *da = gtk_drawing_area_new();
	GtkGesture *click = gtk_gesture_click_new();

	a->pane = p;
	a->panel = panel;
	a->widget = da;
	gtk_drawing_area_set_content_width(GTK_DRAWING_AREA(da), 120);
	/*
	 * The top row (iterator, page cache) is what students watch most and
	 * has the most to show (call history, folio rows): it asks for more
	 * height, so the grid's rows are not homogeneous.
	 */
	gtk_drawing_area_set_content_height(GTK_DRAWING_AREA(da),
					    panel == VIZ_PANEL_ITER || panel == VIZ_PANEL_PAGECACHE ?
						    250 : 80);
	gtk_drawing_area_set_draw_func(GTK_DRAWING_AREA(da), draw_area, a, NULL);
	gtk_widget_set_hexpand(da, TRUE);
	gtk_widget_set_vexpand(da, TRUE);
	gtk_widget_set_focusable(da, TRUE);
	gtk_widget_set_has_tooltip(da, TRUE);
	g_signal_connect(da, "query-tooltip", G_CALLBACK(query_tooltip), a);
	g_signal_connect(click, "pressed", G_CALLBACK(area_pressed), a);
	gtk_widget_add_controller(da, GTK_EVENT_CONTROLLER(click));
	return da;
}

/* A fresh lazy list and selection for the pane's document. */
static GtkSelectionModel *pane_list_model(struct pane *p)
{
	p->events = viz_event_list_new(p->doc->store);
	p->sel = gtk_single_selection_new(p->events);
	gtk_single_selection_set_autoselect(p->sel, FALSE);
	gtk_single_selection_set_can_unselect(p->sel, TRUE);
	g_signal_connect(p->sel, "selection-changed", G_CALLBACK(selection_changed), p);
	return GTK_SELECTION_MODEL(p->sel);
}

static GtkWidget *make_event_list(struct pane *p)
{
	GtkListItemFactory *f = gtk_signal_list_item_factory_new();
	GtkWidget *sw = gtk_scrolled_window_new();

	g_signal_connect(f, "setup", G_CALLBACK(row_setup), p);
	g_signal_connect(f, "bind", G_CALLBACK(row_bind), p);
	p->list_view = gtk_list_view_new(pane_list_model(p), f);
	gtk_scrolled_window_set_child(GTK_SCROLLED_WINDOW(sw), p->list_view);
	gtk_scrolled_window_set_policy(GTK_SCROLLED_WINDOW(sw), GTK_POLICY_AUTOMATIC,
				       GTK_POLICY_AUTOMATIC);
	gtk_widget_set_hexpand(sw, TRUE);
	gtk_widget_set_vexpand(sw, TRUE);
	return sw;
}

/* Where each panel sits in the pane's 2 x 3 grid. */
static const struct {
	enum viz_panel panel;
	int col, row;
} grid_pos[] = {
	{ VIZ_PANEL_ITER, 0, 0 },  { VIZ_PANEL_PAGECACHE, 1, 0 }, { VIZ_PANEL_IOEND, 0, 1 },
	{ VIZ_PANEL_LOCKS, 1, 1 }, { VIZ_PANEL_DISK, 0, 2 },      { VIZ_PANEL_EVENTS, 1, 2 },
};

static GtkWidget *panel_widget(struct pane *p, enum viz_panel panel)
{
	/* The events panel is the interactive list; the others draw with viz_render(). */
	if (panel == VIZ_PANEL_EVENTS)
		return frame_with("Events", make_event_list(p));
	return make_area(p, panel);
}

static void pane_build(struct vwin *w, int idx, struct viz_doc *doc)
{
	struct pane *p = &w->panes[idx];
	GtkWidget *grid;

	memset(p, 0, sizeof(*p));
	p->w = w;
	p->idx = idx;
	p->doc = doc;
	p->root = gtk_box_new(GTK_ORIENTATION_VERTICAL, 2);
	gtk_widget_add_css_class(p->root, "pane");
	p->title = gtk_label_new(NULL);
	gtk_label_set_xalign(GTK_LABEL(p->title), 0);
	gtk_label_set_ellipsize(GTK_LABEL(p->title), PANGO_ELLIPSIZE_MIDDLE);
	gtk_box_append(GTK_BOX(p->root), p->title);

	p->scale = gtk_scale_new_with_range(GTK_ORIENTATION_HORIZONTAL, 0, 1, 1);
	gtk_scale_set_draw_value(GTK_SCALE(p->scale), FALSE);
	gtk_range_set_round_digits(GTK_RANGE(p->scale), 0);
	gtk_widget_set_tooltip_text(p->scale, "Timeline: drag to any step");
	g_signal_connect(p->scale, "value-changed", G_CALLBACK(scale_changed), p);
	gtk_box_append(GTK_BOX(p->root), p->scale);

	grid = gtk_grid_new();
	gtk_grid_set_row_homogeneous(GTK_GRID(grid), FALSE);
	gtk_grid_set_column_homogeneous(GTK_GRID(grid), TRUE);
	gtk_grid_set_row_spacing(GTK_GRID(grid), 3);
	gtk_grid_set_column_spacing(GTK_GRID(grid), 3);
	gtk_widget_set_vexpand(grid, TRUE);
	if (w->opt.panel == VIZ_PANEL_ALL) {
		for (size_t i = 0; i < G_N_ELEMENTS(grid_pos); i++)
			gtk_grid_attach(GTK_GRID(grid), panel_widget(p, grid_pos[i].panel),
					grid_pos[i].col, grid_pos[i].row, 1, 1);
	} else {
		/* --panel NAME: that panel alone, as large as the pane. */
		gtk_grid_attach(GTK_GRID(grid), panel_widget(p, w->opt.panel), 0, 0, 1, 1);
	}
	gtk_box_append(GTK_BOX(p->root), grid);
	pane_sync_widgets(p);
}

/*
 * Replace a pane's document.  The list view gets a new model rather than
 * one items-changed that replaces everything (GTK 4.8 could leave stale
 * rows then); the old document is freed once nothing points into it.
 */
static void pane_set_doc(struct pane *p, struct viz_doc *doc, size_t step)
{
	struct viz_doc *old = p->doc;
	GtkSelectionModel *model;

	p->doc = doc;
	p->w->brk.valid = false;
	if (p->list_view) {
		p->syncing++;
		g_signal_handlers_disconnect_by_func(p->sel, selection_changed, p);
		model = pane_list_model(p);
		gtk_list_view_set_model(GTK_LIST_VIEW(p->list_view), model);
		g_object_unref(model);
		p->syncing--;
	}
	viz_doc_free(old);
	pane_seek(p, step);
	if (p == active_pane(p->w))
		update_explanation(p->w);
}

/* ---- stepping, playing, breakpoints ----------------------------------- */

static size_t cur_step(struct pane *p)
{
	return viz_model_step(p->doc->model);
}

static size_t nr_steps(struct pane *p)
{
	return viz_model_nr_steps(p->doc->model);
}

static void set_playing(struct vwin *w, bool on);

static void act_step(GSimpleAction *a, GVariant *v, gpointer data)
{
	struct pane *p = active_pane(data);

	pane_seek(p, cur_step(p) + 1);
}

static void act_step_back(GSimpleAction *a, GVariant *v, gpointer data)
{
	struct pane *p = active_pane(data);

	if (cur_step(p) > 0)
		pane_seek(p, cur_step(p) - 1);
}

static void act_step_over(GSimpleAction *a, GVariant *v, gpointer data)
{
	struct pane *p = active_pane(data);

	pane_seek(p, viz_model_step_over(p->doc->model, cur_step(p)));
}

static void act_start(GSimpleAction *a, GVariant *v, gpointer data)
{
	pane_seek(active_pane(data), 0);
}

static void act_end(GSimpleAction *a, GVariant *v, gpointer data)
{
	struct pane *p = active_pane(data);

	pane_seek(p, nr_steps(p));
}

/* The next breakpoint after the current step, or nr_steps (scans the store). */
static size_t next_break(struct vwin *w, struct pane *p)
{
	return viz_model_next_break(p->doc->model, cur_step(p), (const char *const *)w->breaks,
				    w->nr_breaks);
}

/*
 * next_break() for play_tick, which asks every PLAY_TICK_MS: from step S
 * the next breakpoint is B for every step in [S, B), so ask the model
 * again only when the pane leaves that range (it passed B, or was moved
 * back before S), another pane plays, or the store grew.  Changing the
 * breakpoints, the pane's document, or starting to play drops the answer.
 */
static size_t next_break_cached(struct vwin *w, struct pane *p)
{
	struct break_cache *c = &w->brk;
	size_t at = cur_step(p), n = nr_steps(p);

	if (!c->valid || c->pane != p->idx || c->n != n || at < c->from || at >= c->at) {
		c->at = next_break(w, p);
		c->from = at;
		c->n = n;
		c->pane = p->idx;
		c->valid = true;
	}
	return c->at;
}

static void act_continue(GSimpleAction *a, GVariant *v, gpointer data)
{
	struct vwin *w = data;
	struct pane *p = active_pane(w);
	size_t to;

	if (!w->nr_breaks) {
		update_status(w, "no breakpoints: F9 sets one on the current event's type");
		return;
	}
	to = next_break(w, p);
	pane_seek(p, to);
	update_status(w, to < nr_steps(p) ? "stopped at a breakpoint" : "no more breakpoints");
}

static gboolean play_tick(gpointer data)
{
	struct vwin *w = data;
	struct pane *p = active_pane(w);
	gint64 now = g_get_monotonic_time();
	double speed = gtk_spin_button_get_value(GTK_SPIN_BUTTON(w->speed));
	size_t k, target, n = nr_steps(p);
	bool hit = false;

	w->play_accum += speed * (double)(now - w->play_last) / 1e6;
	w->play_last = now;
	if (w->play_accum < 1)
		return G_SOURCE_CONTINUE;
	k = (size_t)w->play_accum;
	w->play_accum -= (double)k;
	target = cur_step(p) + k > n ? n : cur_step(p) + k;
	if (w->nr_breaks) {
		size_t b = next_break_cached(w, p);

		if (b <= target && b < n) {
			target = b;
			hit = true;
		}
	}
	pane_seek(p, target);
	if (hit || target >= n) {
		w->play_source = 0;
		set_playing(w, false);
		update_status(w, hit ? "stopped at a breakpoint" : "end of the events");
		return G_SOURCE_REMOVE;
	}
	return G_SOURCE_CONTINUE;
}

static void set_playing(struct vwin *w, bool on)
{
	if (on && !w->play_source) {
		struct pane *p = active_pane(w);

		if (cur_step(p) >= nr_steps(p))
			pane_seek(p, 0); /* play from the start again */
		w->brk.valid = false;
		w->play_last = g_get_monotonic_time();
		w->play_accum = 1; /* first step at once */
		w->play_source = g_timeout_add(PLAY_TICK_MS, play_tick, w);
	} else if (!on && w->play_source) {
		g_source_remove(w->play_source);
		w->play_source = 0;
	}
	gtk_button_set_label(GTK_BUTTON(w->play_button), on ? "Pause" : "Play");
}

static void act_play(GSimpleAction *a, GVariant *v, gpointer data)
{
	struct vwin *w = data;

	set_playing(w, !w->play_source);
}

static void act_faster(GSimpleAction *a, GVariant *v, gpointer data)
{
	struct vwin *w = data;
	GtkSpinButton *s = GTK_SPIN_BUTTON(w->speed);

	gtk_spin_button_set_value(s, gtk_spin_button_get_value(s) * 2);
}

static void act_slower(GSimpleAction *a, GVariant *v, gpointer data)
{
	struct vwin *w = data;
	GtkSpinButton *s = GTK_SPIN_BUTTON(w->speed);

	gtk_spin_button_set_value(s, gtk_spin_button_get_value(s) / 2);
}

static bool has_break(struct vwin *w, const char *name, size_t *at)
{
	for (size_t i = 0; i < w->nr_breaks; i++)
		if (!strcmp(w->breaks[i], name)) {
			if (at)
				*at = i;
			return true;
		}
	return false;
}

/* The popover's line under its title: how many breakpoints, and whether it is full. */
static void update_breaks_note(struct vwin *w)
{
	char *t;

	if (w->nr_breaks < MAX_BREAKS)
		t = g_strdup_printf("%zu of at most %d set", w->nr_breaks, MAX_BREAKS);
	else
		t = g_strdup_printf("all %d set: clear one to add another", MAX_BREAKS);
	gtk_label_set_text(GTK_LABEL(w->breaks_note), t);
	g_free(t);
}

/*
 * Set or clear the breakpoint on event name @name.  Returns false, and
 * says so in the status line, when it cannot be set: MAX_BREAKS are set.
 */
static bool set_break(struct vwin *w, const char *name, bool on)
{
	size_t at;

	if (!name || !*name)
		return true;
	if (on && !has_break(w, name, NULL)) {
		if (w->nr_breaks == MAX_BREAKS) {
			char *msg = g_strdup_printf("no breakpoint on %s: at most %d can be set; "
						    "clear one first",
						    name, MAX_BREAKS);

			update_status(w, msg);
			g_free(msg);
			return false;
		}
		w->breaks[w->nr_breaks++] = g_strdup(name);
	} else if (!on && has_break(w, name, &at)) {
		g_free(w->breaks[at]);
		w->breaks[at] = w->breaks[--w->nr_breaks];
	}
	w->brk.valid = false;
	update_breaks_note(w);
	update_status(w, NULL);
	return true;
}

static void act_toggle_break(GSimpleAction *a, GVariant *v, gpointer data)
{
	struct vwin *w = data;
	struct pane *p = active_pane(w);
	const char *name;
	char *msg;

	if (cur_step(p) == 0) {
		update_status(w, "step to an event first: F9 toggles a breakpoint on its type");
		return;
	}
	name = viz_store_name(p->doc->store, cur_step(p) - 1);
	if (!set_break(w, name, !has_break(w, name, NULL)))
		return; /* full: the status line says so */
	msg = g_strdup_printf("breakpoint on %s %s", name, has_break(w, name, NULL) ? "set" : "cleared");
	update_status(w, msg);
	g_free(msg);
}

static void break_toggled(GtkCheckButton *b, gpointer data)
{
	if (set_break(data, gtk_check_button_get_label(b), gtk_check_button_get_active(b)))
		return;
	/* Full: untick it again, without coming back here. */
	g_signal_handlers_block_by_func(b, break_toggled, data);
	gtk_check_button_set_active(b, FALSE);
	g_signal_handlers_unblock_by_func(b, break_toggled, data);
}

/* Fill the popover with one check button per event type in the store. */
static void breaks_popover_show(GtkWidget *popover, gpointer data)
{
	struct vwin *w = data;
	struct pane *p = active_pane(w);
	GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
	GList *names, *l;
	GtkWidget *child;
	size_t n = viz_store_count(p->doc->store);

	while ((child = gtk_widget_get_first_child(w->breaks_box)))
		gtk_box_remove(GTK_BOX(w->breaks_box), child);
	for (size_t i = 0; i < n; i++)
		g_hash_table_add(seen, (gpointer)viz_store_name(p->doc->store, i));
	for (size_t i = 0; i < w->nr_breaks; i++)
		g_hash_table_add(seen, w->breaks[i]);
	names = g_list_sort(g_hash_table_get_keys(seen), (GCompareFunc)strcmp);
	for (l = names; l; l = l->next) {
		GtkWidget *cb = gtk_check_button_new_with_label(l->data);

		gtk_check_button_set_active(GTK_CHECK_BUTTON(cb), has_break(w, l->data, NULL));
		g_signal_connect(cb, "toggled", G_CALLBACK(break_toggled), w);
		gtk_box_append(GTK_BOX(w->breaks_box), cb);
	}
	g_list_free(names);
	g_hash_table_unref(seen);
	update_breaks_note(w);
}

static void breaks_entry_activate(GtkEntry *e, gpointer data)
{
	struct vwin *w = data;
	char **names = g_strsplit_set(gtk_editable_get_text(GTK_EDITABLE(e)), " ,", -1);

	for (char **n = names; *n; n++)
		if (!set_break(w, *n, true))
			break; /* full: the status line says so */
	g_strfreev(names);
	gtk_editable_set_text(GTK_EDITABLE(e), "");
	breaks_popover_show(NULL, w);
}

static void act_switch_pane(GSimpleAction *a, GVariant *v, gpointer data)
{
	struct vwin *w = data;

	set_active(w, (w->active + 1) % w->nr_panes);
}

/* ---- scenarios, sessions, files ----------------------------------------- */

static void show_error(struct vwin *w, const char *what, const char *err)
{
	char *msg = g_strdup_printf("%s: %s", what, err);

	update_status(w, msg);
	g_free(msg);
}

/*
 * Mark the first divergent event of the two panes (nothing, with one pane)
 * and have the rows whose red changed bound again: the row that was
 * divergent and the row that is now.  Rebinding drops the list's
 * selection, so each such pane's widgets are synced again.
 */
static void mark_divergence(struct vwin *w)
{
	struct viz_doc *b = w->nr_panes > 1 ? w->panes[1].doc : NULL;
	size_t old[2];

	for (int i = 0; i < w->nr_panes; i++)
		old[i] = w->panes[i].doc->divergence;
	if (viz_doc_mark_divergence(w->panes[0].doc, b, NULL) < 0)
		update_status(w, "out of memory while comparing the two runs");
	for (int i = 0; i < w->nr_panes; i++) {
		struct pane *p = &w->panes[i];

		if (!p->events || p->doc->divergence == old[i])
			continue;
		p->syncing++;
		viz_event_list_rebind(p->events, old[i]);
		viz_event_list_rebind(p->events, p->doc->divergence);
		p->syncing--;
		pane_sync_widgets(p);
	}
}

/* Run scenario @sc (NULL: start a live session) in the active pane. */
static void run_picked(struct vwin *w, const struct viz_scenario *sc)
{
	struct viz_doc *d = NULL;
	char err[512] = "";
	int ret;

	set_playing(w, false);
	if (sc)
		ret = viz_doc_open_scenario(sc->name, &d, err, sizeof(err));
	else
		ret = viz_doc_open_session(&d, err, sizeof(err));
	if (ret < 0) {
		show_error(w, "could not run the scenario", err);
		update_explanation(w); /* the picker goes back to what is shown */
		return;
	}
	/* A scenario starts at step 0, ready to be stepped or played. */
	pane_set_doc(active_pane(w), d, 0);
	mark_divergence(w);
	update_status(w, d->session ? "type xfs_io commands below"
				    : "step with Right / Down, play with space");
}

static void dropdown_changed(GObject *dd, GParamSpec *pspec, gpointer data)
{
	struct vwin *w = data;
	guint sel = gtk_drop_down_get_selected(GTK_DROP_DOWN(dd));

	if (w->dropdown_syncing || sel == GTK_INVALID_LIST_POSITION)
		return;
	/* The picker lists the scenarios, then "live session". */
	run_picked(w, sel < viz_scenario_count() ? viz_scenario_get(sel) : NULL);
}

static void act_run_scenario(GSimpleAction *a, GVariant *v, gpointer data)
{
	struct vwin *w = data;
	const char *name = g_variant_get_string(v, NULL);
	const struct viz_scenario *sc;
	char *msg;

	if (!strcmp(name, "live-session")) {
		run_picked(w, NULL);
		return;
	}
	sc = viz_scenario_find(name);
	if (sc) {
		run_picked(w, sc);
		return;
	}
	msg = g_strdup_printf("no scenario called '%s'", name);
	update_status(w, msg);
	g_free(msg);
}

static void cmd_append(struct vwin *w, const char *text)
{
	GtkTextIter end;

	gtk_text_buffer_get_end_iter(w->cmd_out, &end);
	gtk_text_buffer_insert(w->cmd_out, &end, text, -1);
	gtk_text_buffer_get_end_iter(w->cmd_out, &end);
	gtk_text_view_scroll_to_iter(GTK_TEXT_VIEW(w->cmd_view), &end, 0, FALSE, 0, 1);
}

static void cmd_activate(GtkEntry *e, gpointer data)
{
	struct vwin *w = data;
	struct pane *p = active_pane(w);
	char *line = g_strdup(gtk_editable_get_text(GTK_EDITABLE(e)));
	char *out = NULL, *echo, err[512] = "";
	size_t before;
	int ret;

	g_strstrip(line);
	if (!*line)
		goto done;
	if (!p->doc->session) {
		struct viz_doc *d;

		set_playing(w, false);
		if (viz_doc_open_session(&d, err, sizeof(err)) < 0) {
			show_error(w, "could not start a session", err);
			goto done;
		}
		pane_set_doc(p, d, 0);
		cmd_append(w, "(new session: a fresh extentfs, file \"f\" open)\n");
	}
	echo = g_strdup_printf("xfs_io> %s\n", line);
	cmd_append(w, echo);
	g_free(echo);
	before = nr_steps(p);
	ret = viz_doc_run_command(p->doc, line, &out);
	if (out)
		cmd_append(w, out);
	if (ret < 0) {
		char *msg = g_strdup_printf("[status %d: %s]\n", ret, g_strerror(-ret));

		cmd_append(w, msg);
		g_free(msg);
	}
	free(out);
	/*
	 * The store grew.  The command has already run, but the student came
	 * to watch it: stand just after its op_begin and play it from there.
	 */
	if (p->events)
		viz_event_list_grew(p->events);
	if (nr_steps(p) > before) {
		pane_seek(p, before + 1);
		set_playing(w, true);
	} else {
		pane_seek(p, nr_steps(p));
	}
	gtk_editable_set_text(GTK_EDITABLE(e), "");
done:
	g_free(line);
}

static void act_focus_command(GSimpleAction *a, GVariant *v, gpointer data)
{
	struct vwin *w = data;

	gtk_widget_grab_focus(w->cmd_entry);
}

static void open_into(struct vwin *w, int idx, const char *path)
{
	struct viz_doc *d;
	char err[512] = "";

	if (viz_doc_open_file(path, &d, err, sizeof(err)) < 0) {
		show_error(w, "could not open", err);
		return;
	}
	set_playing(w, false);
	if (idx >= w->nr_panes) {
		pane_build(w, 1, d);
		w->nr_panes = 2;
		gtk_box_append(GTK_BOX(w->panes_box), w->panes[1].root);
		pane_seek(&w->panes[1], nr_steps(&w->panes[1]));
		set_active(w, 1);
	} else {
		pane_set_doc(&w->panes[idx], d, viz_model_nr_steps(d->model));
	}
	mark_divergence(w);
	for (int i = 0; i < w->nr_panes; i++)
		pane_redraw(&w->panes[i]);
	update_explanation(w);
	update_status(w, w->nr_panes > 1 && (w->panes[0].doc->divergence != SIZE_MAX ||
					     w->panes[1].doc->divergence != SIZE_MAX)
				 ? "Ctrl+D jumps to the first divergent event"
				 : NULL);
}

struct chooser_ctx {
	struct vwin *w;
	int what; /* 0 open, 1 compare, 2 export view, 3 export steps */
};

static void export_to(struct vwin *w, const char *path, enum viz_panel panel, bool steps);

static void chooser_response(GtkNativeDialog *dlg, int response, gpointer data)
{
	struct chooser_ctx *c = data;
	GFile *file = NULL;
	char *path = NULL;

	if (response == GTK_RESPONSE_ACCEPT)
		file = gtk_file_chooser_get_file(GTK_FILE_CHOOSER(dlg));
	if (file)
		path = g_file_get_path(file);
	if (path) {
		if (c->what == 0)
			open_into(c->w, c->w->active, path);
		else if (c->what == 1)
			open_into(c->w, 1, path);
		else {
			const char *pc = gtk_file_chooser_get_choice(GTK_FILE_CHOOSER(dlg), "panel");
			int panel = pc ? viz_panel_from_name(pc) : VIZ_PANEL_ALL;

			export_to(c->w, path, panel < 0 ? VIZ_PANEL_ALL : (enum viz_panel)panel,
				  c->what == 3);
		}
	}
	g_free(path);
	if (file)
		g_object_unref(file);
	g_object_unref(dlg);
	g_free(c);
}

static void run_chooser(struct vwin *w, int what)
{
	static const char *const titles[] = { "Open a recording or kernel trace",
					      "Compare with a recording or kernel trace",
					      "Export the view (.png, .svg or .pdf)",
					      "Export every step as a multi-page PDF" };
	bool save = what >= 2;
	GtkFileChooserNative *dlg = gtk_file_chooser_native_new(
		titles[what], GTK_WINDOW(w->window),
		save ? GTK_FILE_CHOOSER_ACTION_SAVE : GTK_FILE_CHOOSER_ACTION_OPEN,
		save ? "_Export" : "_Open", "_Cancel");
	struct chooser_ctx *c = g_new0(struct chooser_ctx, 1);

	c->w = w;
	c->what = what;
	if (save) {
		static const char *ids[] = { "all", "iter", "pagecache", "ioend",
						   "locks", "events", "disk", NULL };
		static const char *labels[] = { "Every panel", "Iterator", "Page cache",
						      "ioends", "Locks", "Events", "Disk", NULL };

		gtk_file_chooser_add_choice(GTK_FILE_CHOOSER(dlg), "panel", "Panel", ids, labels);
		gtk_file_chooser_set_choice(GTK_FILE_CHOOSER(dlg), "panel", "all");
		gtk_file_chooser_set_current_name(GTK_FILE_CHOOSER(dlg),
						  what == 3 ? "iomap-viz-steps.pdf" : "iomap-viz.png");
	}
	gtk_native_dialog_set_modal(GTK_NATIVE_DIALOG(dlg), TRUE);
	g_signal_connect(dlg, "response", G_CALLBACK(chooser_response), c);
	gtk_native_dialog_show(GTK_NATIVE_DIALOG(dlg));
}

static void act_open(GSimpleAction *a, GVariant *v, gpointer data)
{
	run_chooser(data, 0);
}

static void act_compare(GSimpleAction *a, GVariant *v, gpointer data)
{
	run_chooser(data, 1);
}

static void act_export(GSimpleAction *a, GVariant *v, gpointer data)
{
	run_chooser(data, 2);
}

static void act_export_steps(GSimpleAction *a, GVariant *v, gpointer data)
{
	run_chooser(data, 3);
}

static void export_to(struct vwin *w, const char *path, enum viz_panel panel, bool steps)
{
	struct pane *p = active_pane(w);
	char err[512] = "", *msg;
	int ret;

	if (steps) {
		size_t at = cur_step(p), from, to, nops;
		struct viz_view tmpl;

		pane_view(p, &tmpl);
		tmpl.flash = 0;
		/*
		 * A built-in scenario: all of it, one page per step (they are
		 * a few hundred steps).  A recording can have millions of
		 * steps: slides of the operation being shown, or without
		 * operations (a kernel trace) from here on, at most SLIDES_MAX
		 * pages.  A name that is not .pdf is viz_export_pdf_steps()'s
		 * to refuse.
		 */
		nops = viz_state_nr_ops(viz_model_state(p->doc->model));
		if (p->doc->scenario) {
			from = 0;
			to = nr_steps(p);
		} else if (nops) {
			from = viz_model_op_step(p->doc->model, nops - 1) - 1;
			to = viz_model_step_over(p->doc->model, from + 1);
		} else {
			from = at;
			to = nr_steps(p);
		}
		if (!p->doc->scenario && to - from + 1 > SLIDES_MAX)
			to = from + SLIDES_MAX - 1;
		ret = viz_export_pdf_steps(p->doc->model, panel, &tmpl, path, from, to,
					   w->opt.width, w->opt.height, err, sizeof(err));
		pane_seek(p, at);
		if (ret >= 0)
			msg = g_strdup_printf("wrote %d pages (steps %zu-%zu) to %s", ret, from, to,
					      path);
		else
			msg = g_strdup_printf("export failed: %s", err);
	} else {
		struct viz_view va, vb;

		pane_view(&w->panes[0], &va);
		va.flash = 0;
		if (w->nr_panes > 1) {
			pane_view(&w->panes[1], &vb);
			vb.flash = 0;
		}
		ret = viz_export_pair(panel, &va, w->nr_panes > 1 ? &vb : NULL, path, w->opt.width,
				      w->opt.height, err, sizeof(err));
		if (ret >= 0)
			msg = g_strdup_printf("exported %s to %s", viz_panel_names[panel], path);
		else
			msg = g_strdup_printf("export failed: %s", err);
	}
	update_status(w, msg);
	g_free(msg);
}

/*
 * Ctrl+D: stand just after each pane's divergent event, so that it is the
 * current one.  When one run is a prefix of the other, only the longer one
 * has such an event; the other pane stays where it is.
 */
static void act_divergence(GSimpleAction *a, GVariant *v, gpointer data)
{
	struct vwin *w = data;
	int marked = 0;

	if (w->nr_panes < 2) {
		update_status(w, "no comparison: Ctrl+Shift+O opens a second file");
		return;
	}
	for (int i = 0; i < 2; i++) {
		size_t dv = w->panes[i].doc->divergence;

		if (dv == SIZE_MAX)
			continue;
		pane_seek(&w->panes[i], dv + 1);
		marked++;
	}
	update_status(w, marked == 2 ? "at the first divergent event (red in both event lists)"
			 : marked	 ? "one run is a prefix of the other: the longer one "
					   "stands where it goes on (red)"
					 : "the two runs do not diverge");
}

static void act_close_compare(GSimpleAction *a, GVariant *v, gpointer data)
{
	struct vwin *w = data;
	struct pane *p = &w->panes[1];

	if (w->nr_panes < 2)
		return;
	set_active(w, 0);
	gtk_box_remove(GTK_BOX(w->panes_box), p->root);
	w->nr_panes = 1;
	viz_doc_free(p->doc);
	p->doc = NULL;
	mark_divergence(w);
	pane_redraw(&w->panes[0]);
	update_status(w, "compare mode closed");
}

/* The same without a dialog, for --do and keyboard-free use: PATH in the parameter. */
static void act_open_file(GSimpleAction *a, GVariant *v, gpointer data)
{
	struct vwin *w = data;

	open_into(w, w->active, g_variant_get_string(v, NULL));
}

static void act_compare_with(GSimpleAction *a, GVariant *v, gpointer data)
{
	open_into(data, 1, g_variant_get_string(v, NULL));
}

static void act_export_to(GSimpleAction *a, GVariant *v, gpointer data)
{
	export_to(data, g_variant_get_string(v, NULL), ((struct vwin *)data)->opt.panel, false);
}

static void act_export_steps_to(GSimpleAction *a, GVariant *v, gpointer data)
{
	export_to(data, g_variant_get_string(v, NULL), ((struct vwin *)data)->opt.panel, true);
}

/* ---- building the window ---------------------------------------------- */

static const GActionEntry win_actions[] = {
	{ .name = "step", .activate = act_step },
	{ .name = "step-back", .activate = act_step_back },
	{ .name = "step-over", .activate = act_step_over },
	{ .name = "start", .activate = act_start },
	{ .name = "end", .activate = act_end },
	{ .name = "play", .activate = act_play },
	{ .name = "continue", .activate = act_continue },
	{ .name = "faster", .activate = act_faster },
	{ .name = "slower", .activate = act_slower },
	{ .name = "toggle-break", .activate = act_toggle_break },
	{ .name = "switch-pane", .activate = act_switch_pane },
	{ .name = "open", .activate = act_open },
	{ .name = "compare", .activate = act_compare },
	{ .name = "close-compare", .activate = act_close_compare },
	{ .name = "divergence", .activate = act_divergence },
	{ .name = "export", .activate = act_export },
	{ .name = "export-steps", .activate = act_export_steps },
	{ .name = "focus-command", .activate = act_focus_command },
	{ .name = "run-scenario", .activate = act_run_scenario, .parameter_type = "s" },
	{ .name = "open-file", .activate = act_open_file, .parameter_type = "s" },
	{ .name = "compare-with", .activate = act_compare_with, .parameter_type = "s" },
	{ .name = "export-to", .activate = act_export_to, .parameter_type = "s" },
	{ .name = "export-steps-to", .activate = act_export_steps_to, .parameter_type = "s" },
};

/*
 * Plain keys.  They are caught in the capture phase, before GtkWindow's own
 * arrow-key focus movement, except while a text field has the focus (the
 * command entry, the speed box), where they must type.
 */
static const struct {
	guint key;
	const char *action;
} plain_keys[] = {
	{ GDK_KEY_Right, "win.step" },	    { GDK_KEY_n, "win.step" },
	{ GDK_KEY_Left, "win.step-back" },  { GDK_KEY_b, "win.step-back" },
	{ GDK_KEY_Down, "win.step-over" },  { GDK_KEY_o, "win.step-over" },
	{ GDK_KEY_space, "win.play" },	    { GDK_KEY_Home, "win.start" },
	{ GDK_KEY_End, "win.end" },	    { GDK_KEY_c, "win.continue" },
	{ GDK_KEY_bracketright, "win.faster" }, { GDK_KEY_bracketleft, "win.slower" },
};

static gboolean plain_key_pressed(GtkEventControllerKey *c, guint keyval, guint keycode,
				  GdkModifierType state, gpointer data)
{
	struct vwin *w = data;
	GtkWidget *focus = gtk_root_get_focus(GTK_ROOT(w->window));
	GdkEvent *ev = gtk_event_controller_get_current_event(GTK_EVENT_CONTROLLER(c));

	if (state & (GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SUPER_MASK))
		return FALSE;
	/* Keys typed in a popover (the scenario list, the breakpoints) stay there. */
	if (ev && gdk_event_get_surface(ev) != gtk_native_get_surface(GTK_NATIVE(w->window)))
		return FALSE;
	if (focus && (GTK_IS_TEXT(focus) || GTK_IS_EDITABLE(focus) || GTK_IS_TEXT_VIEW(focus)))
		return FALSE;
	for (size_t i = 0; i < G_N_ELEMENTS(plain_keys); i++)
		if (plain_keys[i].key == keyval) {
			gtk_widget_activate_action(w->window, plain_keys[i].action, NULL);
			return TRUE;
		}
	return FALSE;
}

static GtkWidget *button(const char *label, const char *action, const char *tip)
{
	GtkWidget *b = gtk_button_new_with_label(label);

	gtk_actionable_set_action_name(GTK_ACTIONABLE(b), action);
	gtk_widget_set_tooltip_text(b, tip);
	gtk_widget_set_focus_on_click(b, FALSE);
	return b;
}

static GtkWidget *build_toolbar(struct vwin *w)
{
	GtkWidget *bar = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 4);
	GtkStringList *names = gtk_string_list_new(NULL);
	GtkWidget *menu, *pop, *pbox, *sw, *entry;

	for (size_t i = 0; i < viz_scenario_count(); i++) {
		gtk_string_list_append(names, viz_scenario_get(i)->name);
	}
	gtk_string_list_append(names, "live session");
	w->dropdown = gtk_drop_down_new(G_LIST_MODEL(names), NULL);
	gtk_widget_set_tooltip_text(w->dropdown, "Run a built-in scenario");
	g_signal_connect(w->dropdown, "notify::selected", G_CALLBACK(dropdown_changed), w);
	gtk_box_append(GTK_BOX(bar), w->dropdown);

	gtk_box_append(GTK_BOX(bar), button("Open", "win.open", "Open a recording or kernel trace (Ctrl+O)"));
	gtk_box_append(GTK_BOX(bar), button("Compare", "win.compare",
					    "Open a second file beside this one (Ctrl+Shift+O)"));
	gtk_box_append(GTK_BOX(bar), button("Export", "win.export",
					    "Export the view or one panel as PNG, SVG or PDF (Ctrl+E)"));
	gtk_box_append(GTK_BOX(bar), button("Slides", "win.export-steps",
					    "Every step as a page of a PDF (Ctrl+Shift+E)"));
	gtk_box_append(GTK_BOX(bar), gtk_separator_new(GTK_ORIENTATION_VERTICAL));
	gtk_box_append(GTK_BOX(bar), button("|◀", "win.start", "Jump to the start (Home)"));
	gtk_box_append(GTK_BOX(bar), button("◀", "win.step-back", "Step back (Left, b)"));
	gtk_box_append(GTK_BOX(bar), button("▶", "win.step", "Step one event (Right, n)"));
	gtk_box_append(GTK_BOX(bar), button("▶▶", "win.step-over",
					    "Step over: to the end of this operation (Down, o)"));
	gtk_box_append(GTK_BOX(bar), button("▶|", "win.end", "Jump to the end (End)"));
	w->play_button = button("Play", "win.play", "Play / pause (space)");
	gtk_box_append(GTK_BOX(bar), w->play_button);
	w->speed = gtk_spin_button_new_with_range(1, 100000, 1);
	gtk_spin_button_set_value(GTK_SPIN_BUTTON(w->speed), 20);
	gtk_widget_set_tooltip_text(w->speed, "Play speed, events per second ([ and ])");
	gtk_box_append(GTK_BOX(bar), w->speed);
	gtk_box_append(GTK_BOX(bar), gtk_label_new("ev/s"));

	/* Breakpoints: a popover listing the event types of the store. */
	pbox = gtk_box_new(GTK_ORIENTATION_VERTICAL, 4);
	gtk_box_append(GTK_BOX(pbox), gtk_label_new("Stop playing (and F8 / c) at:"));
	w->breaks_note = gtk_label_new(NULL);
	gtk_widget_add_css_class(w->breaks_note, "dim-label");
	gtk_box_append(GTK_BOX(pbox), w->breaks_note);
	update_breaks_note(w);
	entry = gtk_entry_new();
	gtk_entry_set_placeholder_text(GTK_ENTRY(entry), "event names, e.g. iomap_add_to_ioend");
	g_signal_connect(entry, "activate", G_CALLBACK(breaks_entry_activate), w);
	gtk_box_append(GTK_BOX(pbox), entry);
	w->breaks_box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 0);
	sw = gtk_scrolled_window_new();
	gtk_scrolled_window_set_child(GTK_SCROLLED_WINDOW(sw), w->breaks_box);
	gtk_scrolled_window_set_min_content_height(GTK_SCROLLED_WINDOW(sw), 300);
	gtk_scrolled_window_set_propagate_natural_width(GTK_SCROLLED_WINDOW(sw), TRUE);
	gtk_box_append(GTK_BOX(pbox), sw);
	pop = gtk_popover_new();
	gtk_popover_set_child(GTK_POPOVER(pop), pbox);
	g_signal_connect(pop, "show", G_CALLBACK(breaks_popover_show), w);
	menu = gtk_menu_button_new();
	gtk_menu_button_set_label(GTK_MENU_BUTTON(menu), "Breakpoints");
	gtk_menu_button_set_popover(GTK_MENU_BUTTON(menu), pop);
	gtk_widget_set_tooltip_text(menu, "Break on event types (F9: the current event's type)");
	gtk_box_append(GTK_BOX(bar), menu);
	return bar;
}

static GtkWidget *build_side(struct vwin *w)
{
	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 6);
	GtkWidget *sw = gtk_scrolled_window_new();

	w->expl_title = gtk_label_new(NULL);
	gtk_widget_add_css_class(w->expl_title, "title-3");
	gtk_label_set_wrap(GTK_LABEL(w->expl_title), TRUE);
	gtk_label_set_xalign(GTK_LABEL(w->expl_title), 0);
	w->expl_text = gtk_label_new(NULL);
	gtk_label_set_wrap(GTK_LABEL(w->expl_text), TRUE);
	gtk_label_set_xalign(GTK_LABEL(w->expl_text), 0);
	gtk_label_set_selectable(GTK_LABEL(w->expl_text), TRUE);
	w->expl_seed = gtk_label_new(NULL);
	gtk_label_set_wrap(GTK_LABEL(w->expl_seed), TRUE);
	gtk_label_set_xalign(GTK_LABEL(w->expl_seed), 0);
	gtk_widget_add_css_class(w->expl_seed, "dim-label");
	gtk_box_append(GTK_BOX(box), w->expl_title);
	gtk_box_append(GTK_BOX(box), w->expl_text);
	gtk_box_append(GTK_BOX(box), w->expl_seed);
	gtk_widget_set_margin_start(box, 8);
	gtk_widget_set_margin_end(box, 8);
	gtk_scrolled_window_set_child(GTK_SCROLLED_WINDOW(sw), box);
	gtk_scrolled_window_set_policy(GTK_SCROLLED_WINDOW(sw), GTK_POLICY_NEVER,
				       GTK_POLICY_AUTOMATIC);
	gtk_widget_set_size_request(sw, 240, -1);
	return frame_with("Explanation", sw);
}

static GtkWidget *build_command_bar(struct vwin *w)
{
	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 4);
	GtkWidget *sw = gtk_scrolled_window_new();

	gtk_box_append(GTK_BOX(box), gtk_label_new("xfs_io>"));
	w->cmd_entry = gtk_entry_new();
	gtk_entry_set_placeholder_text(GTK_ENTRY(w->cmd_entry),
				       "pwrite 0 8k, fsync, fiemap -v ... (Enter runs it live)");
	gtk_widget_set_size_request(w->cmd_entry, 380, -1);
	g_signal_connect(w->cmd_entry, "activate", G_CALLBACK(cmd_activate), w);
	gtk_box_append(GTK_BOX(box), w->cmd_entry);
	w->cmd_view = gtk_text_view_new();
	w->cmd_out = gtk_text_view_get_buffer(GTK_TEXT_VIEW(w->cmd_view));
	gtk_text_view_set_editable(GTK_TEXT_VIEW(w->cmd_view), FALSE);
	gtk_text_view_set_monospace(GTK_TEXT_VIEW(w->cmd_view), TRUE);
	gtk_text_view_set_cursor_visible(GTK_TEXT_VIEW(w->cmd_view), FALSE);
	gtk_scrolled_window_set_child(GTK_SCROLLED_WINDOW(sw), w->cmd_view);
	gtk_scrolled_window_set_min_content_height(GTK_SCROLLED_WINDOW(sw), 56);
	gtk_widget_set_hexpand(sw, TRUE);
	gtk_box_append(GTK_BOX(box), sw);
	return box;
}

/*
 * Stop playing before the widgets go: "destroy" comes first (dispose), so
 * play_tick never sees a half-destroyed window.  The documents go later,
 * with the window's data (window_destroyed()).
 */
static void window_destroy_signal(GtkWidget *win, gpointer data)
{
	struct vwin *w = data;

	if (w->play_source)
		g_source_remove(w->play_source);
	w->play_source = 0;
}

static gboolean sync_after_layout(gpointer data)
{
	GtkWidget *win = data;
	struct vwin *w = g_object_get_data(G_OBJECT(win), "viz-window");

	if (w && gtk_widget_get_realized(win))
		for (int i = 0; i < w->nr_panes; i++)
			pane_sync_widgets(&w->panes[i]);
	g_object_unref(win);
	return G_SOURCE_REMOVE;
}

/* Free what the window owns, when its data goes (after window_destroy_signal()). */
static void window_destroyed(gpointer data)
{
	struct vwin *w = data;

	for (int i = 0; i < 2; i++)
		viz_doc_free(w->panes[i].doc);
	for (size_t i = 0; i < w->nr_breaks; i++)
		g_free(w->breaks[i]);
	g_free(w);
}

static void install_css(void)
{
	static const char css[] =
		".divergent { background-color: #f3b0b0; color: #600000; }\n"
		".pane { border-top: 3px solid transparent; }\n"
		".pane.active-pane { border-top: 3px solid #3584e4; }\n";
	GtkCssProvider *prov = gtk_css_provider_new();

	gtk_css_provider_load_from_data(prov, css, -1);
	gtk_style_context_add_provider_for_display(gdk_display_get_default(),
						   GTK_STYLE_PROVIDER(prov),
						   GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
	g_object_unref(prov);
}

GtkWidget *viz_window_new(GtkApplication *app, const struct viz_options *opt,
			  struct viz_doc *a, struct viz_doc *b)
{
	struct vwin *w = g_new0(struct vwin, 1);
	GtkWidget *vbox, *paned;
	GtkEventController *keys;

	w->opt = *opt;
	w->window = gtk_application_window_new(app);
	g_object_set_data_full(G_OBJECT(w->window), "viz-window", w, window_destroyed);
	gtk_window_set_default_size(GTK_WINDOW(w->window), opt->width, opt->height);
	g_action_map_add_action_entries(G_ACTION_MAP(w->window), win_actions,
					G_N_ELEMENTS(win_actions), w);
	install_css();

	vbox = gtk_box_new(GTK_ORIENTATION_VERTICAL, 4);
	gtk_window_set_child(GTK_WINDOW(w->window), vbox);
	{
		/* The toolbar may be wider than a small --size: let it scroll. */
		GtkWidget *tsw = gtk_scrolled_window_new();

		gtk_scrolled_window_set_policy(GTK_SCROLLED_WINDOW(tsw), GTK_POLICY_EXTERNAL,
					       GTK_POLICY_NEVER);
		gtk_scrolled_window_set_propagate_natural_height(GTK_SCROLLED_WINDOW(tsw), TRUE);
		gtk_scrolled_window_set_child(GTK_SCROLLED_WINDOW(tsw), build_toolbar(w));
		gtk_box_append(GTK_BOX(vbox), tsw);
	}

	paned = gtk_paned_new(GTK_ORIENTATION_HORIZONTAL);
	gtk_widget_set_vexpand(paned, TRUE);
	w->panes_box = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 6);
	gtk_box_set_homogeneous(GTK_BOX(w->panes_box), TRUE);
	gtk_paned_set_start_child(GTK_PANED(paned), w->panes_box);
	gtk_paned_set_resize_start_child(GTK_PANED(paned), TRUE);
	gtk_paned_set_shrink_start_child(GTK_PANED(paned), FALSE);
	gtk_paned_set_end_child(GTK_PANED(paned), build_side(w));
	gtk_paned_set_resize_end_child(GTK_PANED(paned), FALSE);
	gtk_paned_set_shrink_end_child(GTK_PANED(paned), FALSE);
	gtk_box_append(GTK_BOX(vbox), paned);

	pane_build(w, 0, a);
	gtk_box_append(GTK_BOX(w->panes_box), w->panes[0].root);
	w->nr_panes = 1;
	if (b) {
		pane_build(w, 1, b);
		gtk_box_append(GTK_BOX(w->panes_box), w->panes[1].root);
		w->nr_panes = 2;
		/* main.c has marked the divergence (viz_app_run()'s contract). */
	}
	gtk_widget_add_css_class(w->panes[0].root, "active-pane");

	gtk_box_append(GTK_BOX(vbox), build_command_bar(w));
	w->status = gtk_label_new(NULL);
	gtk_label_set_xalign(GTK_LABEL(w->status), 0);
	gtk_label_set_ellipsize(GTK_LABEL(w->status), PANGO_ELLIPSIZE_END);
	gtk_widget_set_margin_start(w->status, 4);
	gtk_box_append(GTK_BOX(vbox), w->status);

	keys = gtk_event_controller_key_new();
	gtk_event_controller_set_propagation_phase(keys, GTK_PHASE_CAPTURE);
	g_signal_connect(keys, "key-pressed", G_CALLBACK(plain_key_pressed), w);
	gtk_widget_add_controller(w->window, keys);
	g_signal_connect(w->window, "destroy", G_CALLBACK(window_destroy_signal), w);

	update_explanation(w);
	update_status(w, "Right step, Left back, Down step over, space play, F9 breakpoint, "
			 "Ctrl+O open, Ctrl+E export");
	gtk_window_present(GTK_WINDOW(w->window));
	/* The list can scroll to the current event only once it has a size. */
	g_timeout_add(150, sync_after_layout, g_object_ref(w->window));
	if (w->panes[0].areas[VIZ_PANEL_ITER].widget)
		gtk_widget_grab_focus(w->panes[0].areas[VIZ_PANEL_ITER].widget);
	return w->window;
}

int viz_window_save_png(GtkWidget *win, const char *path, char *err, size_t errlen)
{
	int wd = gtk_widget_get_width(win), ht = gtk_widget_get_height(win);
	GdkPaintable *paintable;
	GtkSnapshot *snap;
	GskRenderNode *node;
	GskRenderer *renderer;
	GdkTexture *tex;
	graphene_rect_t viewport;
	gboolean ok;

	if (wd <= 0 || ht <= 0) {
		snprintf(err, errlen, "%s: the window is not on screen yet (size %dx%d)", path, wd, ht);
		return -EIO;
	}
	renderer = gtk_native_get_renderer(GTK_NATIVE(win));
	paintable = gtk_widget_paintable_new(win);
	snap = gtk_snapshot_new();
	gdk_paintable_snapshot(paintable, snap, wd, ht);
	node = gtk_snapshot_free_to_node(snap);
	g_object_unref(paintable);
	if (!node || !renderer) {
		if (node)
			gsk_render_node_unref(node);
		snprintf(err, errlen, "%s: the window has drawn nothing yet", path);
		return -EIO;
	}
	graphene_rect_init(&viewport, 0, 0, (float)wd, (float)ht);
	tex = gsk_renderer_render_texture(renderer, node, &viewport);
	gsk_render_node_unref(node);
	ok = tex && gdk_texture_save_to_png(tex, path);
	if (tex)
		g_object_unref(tex);
	if (!ok) {
		snprintf(err, errlen, "%s: could not write the PNG", path);
		return -EIO;
	}
	return 0;
}

int viz_window_script(GtkWidget *win, const char *item, char *msg, size_t len)
{
	struct vwin *w = g_object_get_data(G_OBJECT(win), "viz-window");
	const GVariantType *ptype;
	char *name = g_strdup(item), *arg = strchr(name, ':');
	int ret = 0;

	if (arg)
		*arg++ = '\0';
	if (!strcmp(name, "type")) {
		gtk_editable_set_text(GTK_EDITABLE(w->cmd_entry), arg ? arg : "");
		cmd_activate(GTK_ENTRY(w->cmd_entry), w);
	} else if (!g_action_group_query_action(G_ACTION_GROUP(win), name, NULL, &ptype, NULL,
						NULL, NULL)) {
		snprintf(msg, len, "unknown action '%s'", name);
		ret = -EINVAL;
	} else if (!ptype != !arg) {
		snprintf(msg, len, "action '%s' %s", name,
			 ptype ? "needs an argument (NAME:ARG)" : "takes no argument");
		ret = -EINVAL;
	} else {
		g_action_group_activate_action(G_ACTION_GROUP(win), name,
					       arg ? g_variant_new_string(arg) : NULL);
	}
	g_free(name);
	if (ret < 0)
		return ret;
	snprintf(msg, len, "%s", gtk_label_get_text(GTK_LABEL(w->status)));
	return 0;
}

const char *viz_window_status(GtkWidget *win)
{
	struct vwin *w = g_object_get_data(G_OBJECT(win), "viz-window");

	return w ? gtk_label_get_text(GTK_LABEL(w->status)) : "";
}
