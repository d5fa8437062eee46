/*
 * event-list.c — a GListModel over a viz_store that formats nothing up front.
 *
 * GtkListView asks its model only for the items it shows (plus a few
 * around them).  Here an item is a tiny VizEventRow holding an event index;
 * the window's list factory formats the row with viz_store_format() when it
 * binds it.  So opening a 1 000 000-event recording costs no formatting at
 * all, and scrolling costs one viz_store_format() per row that comes into
 * view.
 *
 * The list remembers how many events it last announced (n): when a live
 * command appends events, viz_event_list_grew() emits
 * items-changed(n, 0, new - n) so the view keeps its place.  A list shows
 * one store for its whole life: a new document gets a new list.
 *
 * A row's text never changes, but its highlighting does (the divergent
 * event of compare mode): viz_event_list_rebind() replaces one item with
 * a fresh one, so a row already on screen is bound again.
 */
#include "viz-app-gtk.h"

/* ---- the row object: an event index --------------------------------- */

#define VIZ_TYPE_EVENT_ROW (viz_event_row_get_type())
G_DECLARE_FINAL_TYPE(VizEventRow, viz_event_row, VIZ, EVENT_ROW, GObject)

struct _VizEventRow {
	GObject parent_instance;
	size_t index;
};

G_DEFINE_TYPE(VizEventRow, viz_event_row, G_TYPE_OBJECT)

static void viz_event_row_class_init(VizEventRowClass *klass)
{
}

static void viz_event_row_init(VizEventRow *self)
{
}

size_t viz_event_row_index(gpointer item)
{
	return VIZ_EVENT_ROW(item)->index;
}

/* ---- the list -------------------------------------------------------- */

#define VIZ_TYPE_EVENT_LIST (viz_event_list_get_type())
G_DECLARE_FINAL_TYPE(VizEventList, viz_event_list, VIZ, EVENT_LIST, GObject)

struct _VizEventList {
	GObject parent_instance;
	const struct viz_store *store;
	guint n; /* items announced so far */
};

static GType viz_event_list_get_item_type(GListModel *list)
{
	return VIZ_TYPE_EVENT_ROW;
}

static guint viz_event_list_get_n_items(GListModel *list)
{
	return VIZ_EVENT_LIST(list)->n;
}

static gpointer viz_event_list_get_item(GListModel *list, guint position)
{
	VizEventList *self = VIZ_EVENT_LIST(list);
	VizEventRow *row;

	if (position >= self->n)
		return NULL;
	row = g_object_new(VIZ_TYPE_EVENT_ROW, NULL);
	row->index = position;
	return row;
}

static void viz_event_list_model_init(GListModelInterface *iface)
{
	iface->get_item_type = viz_event_list_get_item_type;
	iface->get_n_items = viz_event_list_get_n_items;
	iface->get_item = viz_event_list_get_item;
}

G_DEFINE_TYPE_WITH_CODE(VizEventList, viz_event_list, G_TYPE_OBJECT,
			G_IMPLEMENT_INTERFACE(G_TYPE_LIST_MODEL, viz_event_list_model_init))

static void viz_event_list_class_init(VizEventListClass *klass)
{
}

static void viz_event_list_init(VizEventList *self)
{
}

/* A GListModel counts in guint; a store larger than that shows its head. */
static guint clamp_count(const struct viz_store *st)
{
	size_t n = st ? viz_store_count(st) : 0;

	return n > G_MAXUINT ? G_MAXUINT : (guint)n;
}

GListModel *viz_event_list_new(const struct viz_store *st)
{
	VizEventList *self = g_object_new(VIZ_TYPE_EVENT_LIST, NULL);

	self->store = st;
	self->n = clamp_count(st);
	return G_LIST_MODEL(self);
}

void viz_event_list_grew(GListModel *list)
{
	VizEventList *self = VIZ_EVENT_LIST(list);
	guint old = self->n, now = clamp_count(self->store);

	/* A store only grows (events are appended, never taken back). */
	if (now > old) {
		self->n = now;
		g_list_model_items_changed(list, old, 0, now - old);
	}
}

void viz_event_list_rebind(GListModel *list, size_t index)
{
	VizEventList *self = VIZ_EVENT_LIST(list);

	if (index < self->n)
		g_list_model_items_changed(list, (guint)index, 1, 1);
}
