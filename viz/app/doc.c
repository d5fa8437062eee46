/*
 * doc.c — documents: a store of events, the model over it, and the words the
 * explanation box shows.  Shared by the headless exports and the window.
 *
 * How to use: open one with viz_doc_open_scenario(), viz_doc_open_file() or
 * viz_doc_open_session(); read its current step through viz_doc_view(); move
 * it with viz_model_seek(d->model, ...); in compare mode mark the first
 * divergent event of two with viz_doc_mark_divergence(); free it with
 * viz_doc_free().
 *
 * Never free d->store while d->model or d->session exists: both point into
 * it (viz_doc_free() frees them in the right order).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "viz-app.h"

/*
 * A document around @st, which it now owns (on failure @st is freed too,
 * so the caller never has to).
 */
static struct viz_doc *doc_alloc(struct viz_store *st)
{
	struct viz_doc *d;

	if (!st)
		return NULL;
	d = calloc(1, sizeof(*d));
	if (!d) {
		viz_store_free(st);
		return NULL;
	}
	d->divergence = SIZE_MAX;
	d->store = st;
	return d;
}

/*
 * Build the model once the store is filled and stand at the last step, then
 * hand @d to the caller through @out.  On failure (no memory for the model
 * or for the title the opener set) free @d, say so in @err, -ENOMEM.
 */
static int doc_finish(struct viz_doc *d, struct viz_doc **out, char *err, size_t errlen)
{
	d->model = viz_model_new(d->store);
	if (!d->model || viz_model_seek(d->model, viz_model_nr_steps(d->model)) < 0 ||
	    !d->title) {
		snprintf(err, errlen, "out of memory");
		viz_doc_free(d);
		return -ENOMEM;
	}
	*out = d;
	return 0;
}

int viz_doc_open_scenario(const char *name, struct viz_doc **out, char *err, size_t errlen)
{
	const struct viz_scenario *sc = viz_scenario_find(name);
	struct viz_doc *d;
	int ret;

	*out = NULL;
	if (!sc) {
		snprintf(err, errlen, "unknown scenario '%s' (see --list-scenarios)", name);
		return -ENOENT;
	}
	d = doc_alloc(viz_store_new(VIZ_SRC_REFERENCE));
	if (!d) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	d->scenario = sc;
	ret = viz_scenario_run(sc, d->store, NULL, err, errlen);
	if (ret < 0)
		goto fail;
	d->title = strdup(sc->title ? sc->title : sc->name);
	if (sc->explanation)
		d->explanation = strdup(sc->explanation);
	if (sc->seed_section) {
		size_t n = strlen(sc->seed_section) + (sc->seed_doc ? strlen(sc->seed_doc) : 0) + 8;

		d->seed_ref = malloc(n);
		if (d->seed_ref)
			snprintf(d->seed_ref, n, "%s%s%s%s", sc->seed_doc ? sc->seed_doc : "",
				 sc->seed_doc ? " (" : "", sc->seed_section, sc->seed_doc ? ")" : "");
	}
	return doc_finish(d, out, err, errlen);
fail:
	viz_doc_free(d);
	return ret;
}

int viz_doc_open_file(const char *path, struct viz_doc **out, char *err, size_t errlen)
{
	struct viz_store *st = NULL;
	struct viz_doc *d;
	const char *base;
	int ret;

	*out = NULL;
	ret = viz_store_load_file(path, &st, err, errlen);
	if (ret < 0)
		return ret;
	d = doc_alloc(st);
	if (!d) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	/* Title: the last two path components, e.g. 08-reflink-unshare/trace.raw. */
	base = path + strlen(path);
	for (int slashes = 0; base > path; base--)
		if (base[-1] == '/' && ++slashes == 2)
			break;
	{
		size_t n = strlen(base) + 32;

		d->title = malloc(n);
		if (d->title)
			snprintf(d->title, n, "%s (%s)", base,
				 viz_store_source(d->store) == VIZ_SRC_KERNEL ? "kernel trace"
									     : "reference recording");
	}
	if (viz_store_source(d->store) == VIZ_SRC_KERNEL)
		d->explanation = strdup(
			"A real kernel's tracefs text: only the iomap_* tracepoints exist there, so the "
			"iterator panel is driven by the kernel's own events while the page cache, "
			"ioend, lock and disk panels say what the trace cannot show.");
	else
		d->explanation = strdup(
			"A reference recording: every event of the reference, so every panel can "
			"be driven from it.");
	return doc_finish(d, out, err, errlen);
}

int viz_doc_open_session(struct viz_doc **out, char *err, size_t errlen)
{
	struct viz_doc *d = doc_alloc(viz_store_new(VIZ_SRC_REFERENCE));

	*out = NULL;
	if (!d) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	d->session = viz_session_new(d->store, NULL, err, errlen);
	if (!d->session) {
		viz_doc_free(d);
		return -EIO;
	}
	d->title = strdup("Live session");
	d->explanation = strdup(
		"A fresh extentfs with file \"f\" open.  Type xfs_io commands (pwrite 0 8k, "
		"fsync, pread 0 4k, fiemap -v, seek -d 0, truncate 2k ...) and watch them run.");
	return doc_finish(d, out, err, errlen);
}

int viz_doc_run_command(struct viz_doc *d, const char *line, char **out)
{
	if (out)
		*out = NULL;
	if (!d->session)
		return -EINVAL;
	/*
	 * No seek here: the model reads the grown store at its next seek, and
	 * the caller knows where it wants to stand (the window: just after
	 * the command's op_begin, to play it).
	 */
	return viz_session_run(d->session, line, out);
}

int viz_doc_mark_divergence(struct viz_doc *a, struct viz_doc *b, struct viz_divergence *dv)
{
	struct viz_divergence none = { 0 };
	int ret;

	a->divergence = SIZE_MAX;
	if (b)
		b->divergence = SIZE_MAX;
	if (!dv)
		dv = &none;
	memset(dv, 0, sizeof(*dv));
	if (!b)
		return 0;
	ret = viz_store_diverge(a->store, b->store, dv);
	if (ret < 0 || !dv->diverged)
		return ret;
	/*
	 * One run is a prefix of the other: the one that ran out has no
	 * divergent event (its a_index / b_index is its count, past its last
	 * event); mark only where the longer one goes on.
	 */
	a->divergence = dv->a_ended ? SIZE_MAX : dv->a_index;
	b->divergence = dv->b_ended ? SIZE_MAX : dv->b_index;
	return 0;
}

void viz_doc_view(const struct viz_doc *d, struct viz_view *v)
{
	memset(v, 0, sizeof(*v));
	v->state = viz_model_state(d->model);
	v->store = d->store;
	v->title = d->title;
	v->explanation = d->explanation;
	v->seed_ref = d->seed_ref;
	v->hover_event = -1;
	v->divergence = d->divergence;
	v->flash = 0;
}

void viz_doc_free(struct viz_doc *d)
{
	if (!d)
		return;
	viz_session_free(d->session);
	viz_model_free(d->model);
	viz_store_free(d->store);
	free(d->title);
	free(d->explanation);
	free(d->seed_ref);
	free(d);
}
