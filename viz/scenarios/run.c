/**
 * @file run.c
 * @brief One mounted filesystem driven through iocmd, the sink that feeds
 *        its events to a store with stable ids, and the framing that
 *        viz_scenario_run(), viz_commands_run() and sessions share
 *        (scenario-internal.h).
 *
 * The mount sequence is iomap-io's (samples/iomap-io.c run()): a RAM
 * backend with 512-byte sectors, mkfs with mkfs.xfs-style options, mount
 * as device 7:0 (loop0, the device of the kernel captures), open "f" with
 * O_CREAT as `xfs_io -f f` does.  Only the backend is smaller (64 MiB):
 * the scenarios write a few hundred KiB at most.
 *
 * Why the feed renumbers ids: the core hands out ioend ids, dio ids and
 * lock instance numbers from process-wide counters (core/iomap/ioend.c,
 * direct-io.c, core/kernel/lock.c) that nothing resets, so a second run in
 * the same process would see ioend 7 where the first saw ioend 0.  The
 * feed maps each raw id to the next dense number the first time it
 * appears, which makes runs reproducible byte for byte and keeps every
 * relation (an `into` names the same ioend as the earlier `ioend`).
 *
 * How a run is framed (viz_run_framed()): the thread is named like
 * iomap-io's, the kernel runs in deterministic mode, lockdep forgets the
 * previous run, the filesystem is mounted and "f" opened, and only then is
 * the clock reset and the feed attached, so a store holds the commands'
 * events from time 0 and no mount or open events (iomap-io --ftrace starts
 * its trace at the same point).  The feed is detached before close and
 * umount, as the trace of iomap-io ends there.
 *
 * Threads: the feed's emit runs under the trace stream lock, on whichever
 * thread emits (only the caller's thread in deterministic mode).  A run is
 * used by one thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include <iomap/fs.h>
#include <iomap/lock.h>

#include "viz/scenarios/scenario-internal.h"
#include "viz/scenarios/viz-scenario.h"

/* ---------------------------------------------------------------------- */
/* Id renumbering                                                          */
/* ---------------------------------------------------------------------- */

static size_t idmap_slot(const struct viz_idmap *m, uint64_t key)
{
	/* Fibonacci hashing: ids are small consecutive numbers. */
	return (size_t)((key * 0x9e3779b97f4a7c15ull) >> 20) & (m->cap - 1);
}

static int idmap_grow(struct viz_idmap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 256, oldcap = m->cap;
	uint64_t *keys = calloc(cap, sizeof(*keys)), *vals = calloc(cap, sizeof(*vals));
	bool *used = calloc(cap, sizeof(*used));
	uint64_t *okeys = m->keys, *ovals = m->vals;
	bool *oused = m->used;

	if (!keys || !vals || !used) {
		free(keys);
		free(vals);
		free(used);
		return -ENOMEM;
	}
	m->keys = keys;
	m->vals = vals;
	m->used = used;
	m->cap = cap;
	for (size_t i = 0; i < oldcap; i++) {
		size_t s;

		if (!oused[i])
			continue;
		for (s = idmap_slot(m, okeys[i]); m->used[s]; s = (s + 1) & (cap - 1))
			;
		m->used[s] = true;
		m->keys[s] = okeys[i];
		m->vals[s] = ovals[i];
	}
	free(okeys);
	free(ovals);
	free(oused);
	return 0;
}

/* The dense id of @key, given the next one if it is new; false on ENOMEM. */
static bool idmap_get(struct viz_idmap *m, uint64_t key, uint64_t *out)
{
	size_t s;

	if (m->nr * 2 >= m->cap && idmap_grow(m) < 0)
		return false;
	for (s = idmap_slot(m, key); m->used[s]; s = (s + 1) & (m->cap - 1)) {
		if (m->keys[s] == key) {
			*out = m->vals[s];
			return true;
		}
	}
	m->used[s] = true;
	m->keys[s] = key;
	m->vals[s] = m->first + m->nr++;
	*out = m->vals[s];
	return true;
}

static void idmap_free(struct viz_idmap *m)
{
	free(m->keys);
	free(m->vals);
	free(m->used);
	memset(m, 0, sizeof(*m));
}

static struct viz_idmap *feed_map_for(struct viz_feed *f, const char *key)
{
	if (strcmp(key, "ioend") == 0 || strcmp(key, "into") == 0)
		return &f->ioends;
	if (strcmp(key, "dio") == 0)
		return &f->dios;
	if (strcmp(key, "instance") == 0)
		return &f->locks;
	return NULL;
}

static void feed_emit(struct trace_sink *sink, const struct trace_event *ev)
{
	struct viz_feed *f = (struct viz_feed *)sink->priv;
	struct trace_event copy = *ev;

	for (unsigned i = 0; i < copy.nfields; i++) {
		struct trace_field *fl = &copy.f[i];
		struct viz_idmap *m = feed_map_for(f, fl->key);
		uint64_t dense;

		if (!m)
			continue;
		/* A negative signed id means "none" (-1) and is kept. */
		if (fl->kind == TF_U64) {
			if (idmap_get(m, fl->v.u, &dense))
				fl->v.u = dense;
			else
				f->failed = true;
		} else if (fl->kind == TF_S64 && fl->v.s >= 0) {
			if (idmap_get(m, (uint64_t)fl->v.s, &dense))
				fl->v.s = (int64_t)dense;
			else
				f->failed = true;
		}
	}
	/* Not viz_store_sink_new(): its emit cannot report the store's ENOMEM. */
	if (viz_store_append(f->st, &copy) < 0)
		f->failed = true;
	if (f->also)
		f->also->emit(f->also, &copy);
}

struct viz_feed *viz_feed_new(struct viz_store *st)
{
	struct viz_feed *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->st = st;
	f->sink.emit = feed_emit;
	f->sink.priv = f;
	/* Lock instances count from 1 in the core (0 is "none"); keep that. */
	f->locks.first = 1;
	return f;
}

void viz_feed_attach(struct viz_feed *f)
{
	trace_add_sink(&f->sink);
}

void viz_feed_detach(struct viz_feed *f)
{
	trace_remove_sink(&f->sink);
}

void viz_feed_free(struct viz_feed *f)
{
	if (!f)
		return;
	idmap_free(&f->ioends);
	idmap_free(&f->dios);
	idmap_free(&f->locks);
	free(f);
}

/* ---------------------------------------------------------------------- */
/* The mounted filesystem                                                  */
/* ---------------------------------------------------------------------- */

/* xfs_io's open options for "f": only -d changes anything here. */
static int parse_open_opts(const char *open, unsigned *flags, char *err, size_t errlen)
{
	char buf[64];
	char *save = NULL;

	*flags = IOCMD_IO_CREAT;
	if (!open || !*open)
		return 0;
	if (strlen(open) >= sizeof(buf)) {
		snprintf(err, errlen, "open options too long: \"%s\"", open);
		return -EINVAL;
	}
	strcpy(buf, open);
	for (char *w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		if (strcmp(w, "-d") == 0)
			*flags |= IOCMD_IO_DIRECT;
		else if (strcmp(w, "-f") != 0) {
			snprintf(err, errlen, "open option \"%s\" is not supported here", w);
			return -EINVAL;
		}
	}
	return 0;
}

int viz_run_setup(struct viz_run *r, const char *mkfs, const char *open, bool fault, char *err,
		  size_t errlen)
{
	struct extentfs_mkfs_opts mo;
	char msg[256] = "";
	unsigned ioflags;
	int ret;

	memset(r, 0, sizeof(*r));
	if (err && errlen)
		err[0] = '\0';
	ret = parse_open_opts(open, &ioflags, err, errlen);
	if (ret < 0)
		return ret;
	if (extentfs_parse_mkfs_opts(mkfs ? mkfs : "", &mo, msg, sizeof(msg)) < 0) {
		snprintf(err, errlen, "mkfs \"%s\": %s", mkfs ? mkfs : "", msg);
		return -EINVAL;
	}
	r->dev = backend_ram_new(VIZ_RUN_DEV_SIZE, VIZ_RUN_LBS);
	if (r->dev && fault) {
		struct backend *w = backend_fault_new(r->dev);

		if (!w)
			backend_destroy(r->dev);
		r->dev = w;
	}
	if (!r->dev) {
		snprintf(err, errlen, "backend: %s", strerror(ENOMEM));
		return -ENOMEM;
	}
	ret = extentfs_mkfs(r->dev, &mo);
	if (ret < 0) {
		snprintf(err, errlen, "mkfs: %s", strerror(-ret));
		goto fail;
	}
	ret = extentfs_mount(r->dev, MKDEV(BACKEND_DEFAULT_MAJOR, 0), &r->fs);
	if (ret < 0) {
		snprintf(err, errlen, "mount: %s", strerror(-ret));
		r->fs = NULL;
		goto fail;
	}
	r->out = open_memstream(&r->outbuf, &r->outlen);
	r->ic = r->out ? iocmd_new(r->fs, r->out, r->out) : NULL;
	if (!r->ic) {
		ret = -ENOMEM;
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		goto fail;
	}
	ret = iocmd_open(r->ic, "f", ioflags);
	if (ret < 0) {
		snprintf(err, errlen, "open f: %s", strerror(-ret));
		goto fail;
	}
	return 0;
fail:
	viz_run_teardown(r);
	return ret;
}

int viz_run_teardown(struct viz_run *r)
{
	int ret = 0;

	iocmd_free(r->ic);
	if (r->fs)
		ret = extentfs_unmount(r->fs);
	backend_destroy(r->dev);
	if (r->out)
		fclose(r->out);
	free(r->outbuf);
	memset(r, 0, sizeof(*r));
	return ret;
}

int viz_run_line(struct viz_run *r, const char *line)
{
	iocmd_run(r->ic, line);
	return iocmd_last_status(r->ic);
}

char *viz_run_take_output(struct viz_run *r)
{
	char *text;
	size_t n;

	fflush(r->out);
	n = r->outlen - r->shown;
	text = malloc(n + 1);
	if (!text)
		return NULL;
	if (n)
		memcpy(text, r->outbuf + r->shown, n);
	text[n] = '\0';
	r->shown = r->outlen;
	return text;
}

/* ---------------------------------------------------------------------- */
/* A framed run                                                            */
/* ---------------------------------------------------------------------- */

void viz_task_enter(char saved[VIZ_TASK_NAME_LEN])
{
	snprintf(saved, VIZ_TASK_NAME_LEN, "%s", ref_thread_name());
	ref_thread_set_name(VIZ_RUN_TASK);
}

void viz_task_leave(const char saved[VIZ_TASK_NAME_LEN])
{
	ref_thread_set_name(saved);
}

char *viz_err_buf(char *err, size_t *errlen, char *scratch, size_t scratchlen)
{
	if (!err || !*errlen) {
		/* The caller does not want the message. */
		err = scratch;
		*errlen = scratchlen;
	}
	err[0] = '\0';
	return err;
}

int viz_run_framed(const char *name, const char *mkfs, const char *open, bool fault,
		   int (*body)(struct viz_run *r, void *arg), void *arg, struct viz_store *st,
		   struct trace_sink *also, FILE *out, char *err, size_t errlen)
{
	char saved_task[VIZ_TASK_NAME_LEN];
	struct viz_feed *feed;
	struct viz_run r;
	int ret;

	feed = viz_feed_new(st);
	if (!feed) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return -ENOMEM;
	}
	feed->also = also;
	viz_task_enter(saved_task);
	kernel_set_exec_mode(EXEC_DETERMINISTIC);
	lockdep_reset();
	ret = viz_run_setup(&r, mkfs, open, fault, err, errlen);
	if (ret < 0)
		goto out;
	trace_reset_clock();
	viz_feed_attach(feed);
	ret = body(&r, arg);
	viz_feed_detach(feed);
	if (ret < 0)
		snprintf(err, errlen, "%s: %s", name, strerror(-ret));
	else if (feed->failed) {
		ret = -ENOMEM;
		snprintf(err, errlen, "%s: %s", name, strerror(ENOMEM));
	}
	if (out) {
		char *text = viz_run_take_output(&r);

		if (text)
			fputs(text, out);
		free(text);
	}
	viz_run_teardown(&r);
out:
	viz_feed_free(feed);
	viz_task_leave(saved_task);
	return ret;
}

/* The command list of viz_commands_run(). */
struct cmd_list {
	const char *const *cmds;
	size_t n;
};

static int run_cmd_list(struct viz_run *r, void *arg)
{
	const struct cmd_list *l = arg;

	for (size_t i = 0; i < l->n; i++)
		viz_run_line(r, l->cmds[i]);
	return 0;
}

int viz_commands_run(const char *mkfs, const char *open_opts, const char *const *cmds, size_t n,
		     struct viz_store *st, struct trace_sink *also, FILE *out, char *err,
		     size_t errlen)
{
	struct cmd_list l = { .cmds = cmds, .n = n };
	char scratch[8];

	err = viz_err_buf(err, &errlen, scratch, sizeof(scratch));
	if (!st || (n && !cmds)) {
		snprintf(err, errlen, "no store or no commands");
		return -EINVAL;
	}
	for (size_t i = 0; i < n; i++) {
		if (!cmds[i]) {
			snprintf(err, errlen, "command %zu is NULL", i);
			return -EINVAL;
		}
	}
	return viz_run_framed("commands", mkfs, open_opts, false, run_cmd_list, &l, st, also, out,
			      err, errlen);
}
