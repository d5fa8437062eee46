/**
 * @file test_scenarios.c
 * @brief Check suite of viz/scenarios: the built-in scenarios, their
 *        determinism, what the model's fold of each shows at named steps,
 *        and live sessions.
 *
 *   vizs-1.*  the table (names, texts, lookups) and every scenario running:
 *             events in the store, one op_begin per command, each event
 *             inside an op_begin / op_end frame, each op's expected status
 *   vizs-2.*  determinism: two runs in one process give identical events
 *             (every field, sequence numbers and timestamps included)
 *   vizs-3.*  the acceptance: the model folded over a scenario
 *             reaches the expected folio / ioend / bio / lock states at
 *             named steps (viz_model_op_step / viz_model_step_over);
 *             3.11 ioend-merge (an ioend MERGED into its neighbour), 3.12
 *             stale-mapping (->iomap_valid says stale: two ->iomap_begin
 *             for one write, the second at the same position)
 *   vizs-4.*  sessions: typed commands, their text, growing events, errors
 *
 * Named steps: "after op N" is viz_model_step_over(m, viz_model_op_step(m, N)),
 * the step just after op N's op_end.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <iomap/iomap.h>

#include "../../testutil.h"

#include "viz/model/viz-model.h"
#include "viz/scenarios/viz-scenario.h"
#include "../viz-testutil.h"

/* ---------------------------------------------------------------------- */
/* Helpers                                                                 */
/* ---------------------------------------------------------------------- */

static size_t count_named(const struct viz_store *st, const char *name)
{
	size_t n = 0;

	for (size_t i = 0; i < viz_store_count(st); i++)
		n += strcmp(viz_store_name(st, i), name) == 0;
	return n;
}

static int64_t field_s(const struct trace_event *ev, const char *key)
{
	const struct trace_field *f = trace_field_get(ev, key);

	ck_assert_msg(f != NULL, "%s has no field %s", ev->name, key);
	return f->kind == TF_S64 ? f->v.s : (int64_t)f->v.u;
}

/* op_end ret of each operation, in order; returns how many. */
static size_t op_rets(const struct viz_store *st, int64_t *rets, size_t max)
{
	struct trace_event ev;
	size_t n = 0;

	for (size_t i = 0; i < viz_store_count(st); i++) {
		if (strcmp(viz_store_name(st, i), "op_end") != 0)
			continue;
		ck_assert_int_eq(viz_store_get(st, i, &ev), 0);
		if (n < max)
			rets[n] = field_s(&ev, "ret");
		n++;
	}
	return n;
}

/* The step just after operation @op's op_end. */
static size_t after_op(struct viz_model *m, size_t op)
{
	size_t begin = viz_model_op_step(m, op);

	ck_assert_uint_lt(begin, viz_model_nr_steps(m));
	return viz_model_step_over(m, begin);
}

static const struct viz_state *seek(struct viz_model *m, size_t step)
{
	ck_assert_int_eq(viz_model_seek(m, step), 0);
	ck_assert_uint_eq(viz_model_step(m), step);
	return viz_model_state(m);
}

static unsigned dirty_blocks(const struct viz_state *s, size_t fi)
{
	const struct viz_folio *f = viz_state_folio(s, fi);
	unsigned n = 0;

	for (unsigned b = 0; b < f->nr_blocks; b++)
		n += viz_folio_block_dirty(s, fi, b);
	return n;
}

static unsigned all_dirty_blocks(const struct viz_state *s)
{
	unsigned n = 0;

	for (size_t i = 0; i < viz_state_nr_folios(s); i++)
		n += dirty_blocks(s, i);
	return n;
}

/* Expected op count and op_end rets of each scenario (0 unless listed). */
struct expect {
	const char *name;
	size_t nr_ops;
	int64_t rets[8]; /* first entries; the rest 0 */
};

static const struct expect expects[] = {
	{ "buffered-write-fsync", 2, { 0 } },
	{ "subblock-writes", 5, { 0 } },
	{ "small-writes", 3, { 0 } },
	{ "readahead", 7, { 0 } },
	{ "mkwrite", 6, { 0 } },
	{ "zero-range", 5, { 0 } },
	{ "truncate-page", 4, { 0 } },
	{ "unshare", 7, { 0 } },
	{ "short-write-punch", 3, { 5000, 0, 0 } },
	{ "writeback-error", 5, { 0, 0, 0, -EIO, 0 } },
	{ "dio-sync", 4, { 0 } },
	{ "dio-async", 3, { 0 } },
	{ "dio-cow", 5, { 0 } },
	{ "seek", 6, { 0 } },
	{ "fiemap", 4, { 0 } },
	{ "swapfile", 3, { 0 } },
	{ "lock-inversion", 3, { 0 } },
	{ "ioend-merge", 5, { 0 } },
	{ "stale-mapping", 4, { 0, 4096, 0, 0 } },
};

#define NR_EXPECTS (sizeof(expects) / sizeof(expects[0]))

/* ---------------------------------------------------------------------- */
/* vizs-1: the table, and every scenario runs                              */
/* ---------------------------------------------------------------------- */

START_TEST(vizs_1_1_table)
{
	/* vizs-1.1: every scenario the issue names is there, once, with every
	 * text filled in; lookups by index and name agree; bad lookups give
	 * NULL. */
	size_t n = viz_scenario_count();

	ck_assert_uint_eq(n, NR_EXPECTS);
	for (size_t i = 0; i < n; i++) {
		const struct viz_scenario *sc = viz_scenario_get(i);

		ck_assert_ptr_nonnull(sc);
		ck_assert_ptr_eq(viz_scenario_find(sc->name), sc);
		ck_assert_uint_gt(strlen(sc->title), 5);
		ck_assert_uint_gt(strlen(sc->explanation), 200);
		ck_assert_uint_gt(strlen(sc->seed_section), 3);
		ck_assert_msg(strncmp(sc->seed_doc, "iomap/", 6) == 0, "%s", sc->seed_doc);
		ck_assert_ptr_nonnull(sc->mkfs);
		ck_assert_ptr_nonnull(sc->open);
		for (size_t j = 0; j < i; j++)
			ck_assert_str_ne(viz_scenario_get(j)->name, sc->name);
	}
	for (size_t i = 0; i < NR_EXPECTS; i++)
		ck_assert_msg(viz_scenario_find(expects[i].name) != NULL, "%s missing",
			      expects[i].name);
	ck_assert_ptr_nonnull(viz_scenario_find(VIZ_DEFAULT_SCENARIO));
	ck_assert_ptr_null(viz_scenario_get(n));
	ck_assert_ptr_null(viz_scenario_find("no-such-scenario"));
	ck_assert_ptr_null(viz_scenario_find(NULL));
}
END_TEST

START_TEST(vizs_1_2_every_scenario_runs)
{
	/* vizs-1.2 (one case per scenario): it runs; op_begin and op_end
	 * alternate, one pair per command for command scenarios; the first
	 * event opens an op and the last closes one, so every event belongs
	 * to an operation; each op ends with its expected status. */
	const struct expect *e = &expects[_i];
	const struct viz_scenario *sc = viz_scenario_find(e->name);
	struct viz_store *st = vt_run_named(e->name);
	int64_t rets[32];
	size_t nr_cmds = 0, n, depth = 0;

	for (const char *const *c = sc->commands; c && *c; c++)
		nr_cmds++;
	if (sc->commands)
		ck_assert_uint_eq(count_named(st, "op_begin"), nr_cmds);
	ck_assert_uint_eq(count_named(st, "op_begin"), e->nr_ops);
	ck_assert_str_eq(viz_store_name(st, 0), "op_begin");
	ck_assert_str_eq(viz_store_name(st, viz_store_count(st) - 1), "op_end");
	for (size_t i = 0; i < viz_store_count(st); i++) {
		const char *name = viz_store_name(st, i);

		if (strcmp(name, "op_begin") == 0)
			ck_assert_uint_eq(depth++, 0);
		else if (strcmp(name, "op_end") == 0)
			ck_assert_uint_eq(depth--, 1);
		else
			ck_assert_msg(depth == 1, "%s: event %zu (%s) outside an op", e->name, i,
				      name);
	}
	n = op_rets(st, rets, 32);
	ck_assert_uint_eq(n, e->nr_ops);
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(rets[i] == (i < 8 ? e->rets[i] : 0), "%s: op %zu ret %lld",
			      e->name, i, (long long)rets[i]);
	viz_store_free(st);
}
END_TEST

START_TEST(vizs_1_3_output_and_bad_input)
{
	/* vizs-1.3: xfs_io's output reaches the stream given; a scenario that
	 * is not from the table and a NULL store are refused with a message
	 * (or without one, if no buffer is given) and add no event. */
	struct viz_store *st = viz_store_new(VIZ_SRC_REFERENCE);
	struct viz_scenario fake = *viz_scenario_find(VIZ_DEFAULT_SCENARIO);
	char *text = NULL;
	size_t len = 0;
	char err[128];
	FILE *out = open_memstream(&text, &len);
	size_t count_before;

	ck_assert_int_eq(viz_scenario_run(viz_scenario_find(VIZ_DEFAULT_SCENARIO), st, out, err,
					  sizeof(err)),
			 0);
	fclose(out);
	ck_assert_ptr_nonnull(strstr(text, "wrote 65536/65536 bytes at offset 0"));
	free(text);
	count_before = viz_store_count(st);
	err[0] = '\0';
	ck_assert_int_eq(viz_scenario_run(&fake, st, NULL, err, sizeof(err)), -EINVAL);
	ck_assert_uint_gt(strlen(err), 0);
	ck_assert_int_eq(viz_scenario_run(viz_scenario_get(0), NULL, NULL, err, sizeof(err)),
			 -EINVAL);
	ck_assert_int_eq(viz_scenario_run(NULL, st, NULL, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(viz_scenario_run(NULL, st, NULL, NULL, 0), -EINVAL);
	ck_assert_uint_eq(viz_store_count(st), count_before);
	viz_store_free(st);
}
END_TEST

/* ---------------------------------------------------------------------- */
/* vizs-2: determinism                                                     */
/* ---------------------------------------------------------------------- */

static void assert_same_event(const struct trace_event *a, const struct trace_event *b,
			      const char *sc, size_t i)
{
	ck_assert_msg(a->seq == b->seq && a->ts_ns == b->ts_ns && a->tid == b->tid &&
			      a->dev == b->dev && a->ino == b->ino && a->nfields == b->nfields,
		      "%s: event %zu differs", sc, i);
	ck_assert_str_eq(a->name, b->name);
	ck_assert_str_eq(a->task, b->task);
	for (unsigned k = 0; k < a->nfields; k++) {
		ck_assert_str_eq(a->f[k].key, b->f[k].key);
		ck_assert_int_eq(a->f[k].kind, b->f[k].kind);
		if (a->f[k].kind == TF_STR)
			ck_assert_str_eq(a->f[k].v.str, b->f[k].v.str);
		else
			ck_assert_msg(a->f[k].v.u == b->f[k].v.u, "%s: event %zu (%s) field %s",
				      sc, i, a->name, a->f[k].key);
	}
}

START_TEST(vizs_2_1_two_runs_identical)
{
	/* vizs-2.1 (one case per scenario): the second run in the same
	 * process gives the same events as the first, field for field —
	 * although the core's ioend, dio and lock instance counters have moved
	 * on — and both number events from 0. */
	const char *name = expects[_i].name;
	struct viz_store *a = vt_run_named(name), *b = vt_run_named(name);
	struct trace_event ea, eb;
	char la[512], lb[512];

	ck_assert_uint_eq(viz_store_count(a), viz_store_count(b));
	for (size_t i = 0; i < viz_store_count(a); i++) {
		ck_assert_int_eq(viz_store_get(a, i, &ea), 0);
		ck_assert_int_eq(viz_store_get(b, i, &eb), 0);
		ck_assert_uint_eq(ea.seq, i);
		assert_same_event(&ea, &eb, name, i);
		ck_assert_int_ge(viz_store_format(a, i, la, sizeof(la)), 0);
		ck_assert_int_ge(viz_store_format(b, i, lb, sizeof(lb)), 0);
		ck_assert_str_eq(la, lb);
	}
	viz_store_free(a);
	viz_store_free(b);
}
END_TEST

START_TEST(vizs_2_2_ids_dense_from_zero)
{
	/* vizs-2.2: ioend and dio ids seen by the store start at 0 and lock
	 * instances at 1, whatever ran in the process before (here: another
	 * scenario first). */
	struct viz_store *warm = vt_run_named("dio-sync"), *st = vt_run_named("buffered-write-fsync");
	struct trace_event ev;
	bool seen_ioend = false, seen_lock = false;

	for (size_t i = 0; i < viz_store_count(st); i++) {
		ck_assert_int_eq(viz_store_get(st, i, &ev), 0);
		if (!seen_ioend && strcmp(ev.name, "ioend_new") == 0) {
			ck_assert_int_eq(field_s(&ev, "ioend"), 0);
			seen_ioend = true;
		}
		if (!seen_lock && strcmp(ev.name, "lock_acquire") == 0) {
			ck_assert_int_eq(field_s(&ev, "instance"), 1);
			seen_lock = true;
		}
	}
	ck_assert(seen_ioend && seen_lock);
	viz_store_free(warm);
	viz_store_free(st);
}
END_TEST

/* ---------------------------------------------------------------------- */
/* vizs-3: the model's fold at named steps                                 */
/* ---------------------------------------------------------------------- */

START_TEST(vizs_3_1_buffered_write_fsync)
{
	/* vizs-3.1: after the pwrite (op 0): one order-4 folio at index 0, all
	 * 16 blocks uptodate and dirty, not under writeback, nothing written
	 * to the disk yet.  After the fsync (op 1): 0 dirty blocks, folio
	 * neither dirty nor under writeback, every ioend finished, and the
	 * disk shows one run of 64 KiB written by a completed bio. */
	struct viz_store *st = vt_run_named("buffered-write-fsync");
	struct viz_model *m = viz_model_new(st);
	const struct viz_state *s;
	const struct viz_folio *f;
	size_t data_runs = 0;

	ck_assert_ptr_nonnull(m);
	s = seek(m, after_op(m, 0));
	ck_assert_str_eq(viz_state_op(s), "pwrite -S 0xab -b 64k 0 64k");
	ck_assert(!viz_state_op_active(s));
	ck_assert_uint_eq(viz_state_nr_folios(s), 1);
	f = viz_state_folio(s, 0);
	ck_assert_uint_eq(f->index, 0);
	ck_assert_uint_eq(f->order, 4);
	ck_assert_uint_eq(f->nr_blocks, 16);
	ck_assert_uint_eq(dirty_blocks(s, 0), 16);
	for (unsigned b = 0; b < 16; b++)
		ck_assert(viz_folio_block_uptodate(s, 0, b));
	ck_assert(f->flags & VIZ_FOLIO_DIRTY);
	ck_assert(!(f->flags & VIZ_FOLIO_WRITEBACK));
	ck_assert_uint_eq(viz_state_nr_ioends(s), 0);
	ck_assert_uint_eq(viz_state_nr_disk_runs(s), 0);

	s = seek(m, after_op(m, 1));
	ck_assert_str_eq(viz_state_op(s), "fsync");
	ck_assert_int_eq(viz_state_op_ret(s), 0);
	ck_assert_uint_eq(viz_state_nr_folios(s), 1);
	f = viz_state_folio(s, 0);
	ck_assert_uint_eq(all_dirty_blocks(s), 0);
	ck_assert(!(f->flags & (VIZ_FOLIO_DIRTY | VIZ_FOLIO_WRITEBACK)));
	ck_assert_uint_ge(viz_state_nr_ioends(s), 1);
	for (size_t i = 0; i < viz_state_nr_ioends(s); i++)
		ck_assert_int_eq(viz_state_ioend(s, i)->stage, VIZ_IOEND_FINISHED);
	/* The data bio wrote one run of 64 KiB; the metadata commit writes
	 * a few sectors elsewhere. */
	for (size_t i = 0; i < viz_state_nr_disk_runs(s); i++) {
		const struct viz_disk_run *d = viz_state_disk_run(s, i);

		ck_assert(d->done);
		if (d->write && d->nr_sectors * 512 == 64 * 1024)
			data_runs++;
	}
	ck_assert_uint_eq(data_runs, 1);
	viz_model_free(m);
	viz_store_free(st);
}
END_TEST

START_TEST(vizs_3_2_writeback_error)
{
	/* vizs-3.2: the fsync after the injected fault (op 3) ends with
	 * -EIO, the next (op 4) with 0; after op 3 the folios are clean (not
	 * left dirty by the failed writeback) and an ioend carries the error. */
	struct viz_store *st = vt_run_named("writeback-error");
	struct viz_model *m = viz_model_new(st);
	const struct viz_state *s;
	bool ioend_error = false;

	s = seek(m, after_op(m, 3));
	ck_assert_str_eq(viz_state_op(s), "fsync");
	ck_assert_int_eq(viz_state_op_ret(s), -EIO);
	ck_assert_uint_eq(all_dirty_blocks(s), 0);
	for (size_t i = 0; i < viz_state_nr_folios(s); i++)
		ck_assert(!(viz_state_folio(s, i)->flags &
			    (VIZ_FOLIO_DIRTY | VIZ_FOLIO_WRITEBACK)));
	for (size_t i = 0; i < viz_state_nr_ioends(s); i++)
		ioend_error |= viz_state_ioend(s, i)->error == -EIO;
	ck_assert(ioend_error);
	s = seek(m, after_op(m, 4));
	ck_assert_int_eq(viz_state_op_ret(s), 0);
	ck_assert_uint_eq(viz_state_nr_ops(s), 5);
	viz_model_free(m);
	viz_store_free(st);
}
END_TEST

START_TEST(vizs_3_3_lock_inversion)
{
	/* vizs-3.3: no report after the truncate (op 1); exactly one after
	 * the inverted op (op 2), naming the two orders; no lock held at the
	 * end. */
	struct viz_store *st = vt_run_named("lock-inversion");
	struct viz_model *m = viz_model_new(st);
	const struct viz_state *s;
	const struct viz_inversion *inv;

	s = seek(m, after_op(m, 1));
	ck_assert_uint_eq(viz_state_nr_inversions(s), 0);
	s = seek(m, after_op(m, 2));
	ck_assert_uint_eq(viz_state_nr_inversions(s), 1);
	inv = viz_state_inversion(s, 0);
	ck_assert_str_eq(inv->kind, "circular");
	ck_assert_str_eq(inv->established, "i_rwsem -> invalidate_lock");
	ck_assert_str_eq(inv->inverted, "invalidate_lock -> i_rwsem");
	ck_assert_uint_eq(viz_state_nr_locks(s), 0);
	ck_assert_uint_eq(count_named(st, "lockdep_inversion"), 1);
	viz_model_free(m);
	viz_store_free(st);
}
END_TEST

START_TEST(vizs_3_4_dio_async)
{
	/* vizs-3.4: in aio_pwrite (op 1), just after the first
	 * iomap_dio_rw_queued the write's bio is submitted but not complete;
	 * at the end of the op every bio has completed. */
	struct viz_store *st = vt_run_named("dio-async");
	struct viz_model *m = viz_model_new(st);
	const char *queued[] = { "iomap_dio_rw_queued" };
	const struct viz_state *s;
	size_t step, nr_pending = 0;

	step = viz_model_next_break(m, viz_model_op_step(m, 1), queued, 1);
	ck_assert_uint_lt(step, after_op(m, 1));
	s = seek(m, step);
	ck_assert(viz_state_op_active(s));
	ck_assert_uint_ge(viz_state_nr_bios(s), 1);
	for (size_t i = 0; i < viz_state_nr_bios(s); i++)
		nr_pending += !viz_state_bio(s, i)->done;
	ck_assert_uint_ge(nr_pending, 1);
	s = seek(m, after_op(m, 1));
	ck_assert_uint_eq(viz_state_nr_bios(s), 4);
	for (size_t i = 0; i < viz_state_nr_bios(s); i++) {
		ck_assert(viz_state_bio(s, i)->done);
		ck_assert_str_eq(viz_state_bio(s, i)->op, "WRITE");
	}
	ck_assert_uint_eq(count_named(st, "iomap_dio_rw_queued"), 4 + 4);
	viz_model_free(m);
	viz_store_free(st);
}
END_TEST

START_TEST(vizs_3_5_swapfile)
{
	/* vizs-3.5: swapon (op 1) emits swap_extent events covering the
	 * 256 KiB file (64 pages) and no swapfile_fail. */
	struct viz_store *st = vt_run_named("swapfile");
	struct viz_model *m = viz_model_new(st);
	size_t from = viz_model_op_step(m, 1), to = after_op(m, 1), nr_ext = 0;
	struct trace_event ev;

	for (size_t i = from; i < to; i++)
		nr_ext += strcmp(viz_store_name(st, i), "swap_extent") == 0;
	ck_assert_uint_ge(nr_ext, 1);
	ck_assert_uint_eq(count_named(st, "swapfile_fail"), 0);
	for (size_t i = from; i < to; i++) {
		if (strcmp(viz_store_name(st, i), "swap_extent") != 0)
			continue;
		ck_assert_int_eq(viz_store_get(st, i, &ev), 0);
		ck_assert_int_eq(field_s(&ev, "nr_pages"), 64);
	}
	viz_model_free(m);
	viz_store_free(st);
}
END_TEST

START_TEST(vizs_3_6_readahead_window_grows)
{
	/* vizs-3.6: the page cache is empty when the reads start (after op 2,
	 * the O_DIRECT write and the close); the readahead windows grow (each
	 * ra_size larger than the one before, at least 4 -> 8 -> 16 -> 32
	 * pages) and an async readahead happens; after the last read the
	 * 256 KiB is cached and clean. */
	struct viz_store *st = vt_run_named("readahead");
	struct viz_model *m = viz_model_new(st);
	const struct viz_state *s;
	struct trace_event ev;
	int64_t last = 0;
	size_t nr_grow = 0, nr_async = 0;
	uint64_t cached = 0;

	s = seek(m, after_op(m, 2));
	ck_assert_uint_eq(viz_state_nr_folios(s), 0);
	for (size_t i = 0; i < viz_store_count(st); i++) {
		const char *name = viz_store_name(st, i);
		int64_t size;

		if (strcmp(name, "page_cache_sync_ra") && strcmp(name, "page_cache_async_ra"))
			continue;
		ck_assert_int_eq(viz_store_get(st, i, &ev), 0);
		size = field_s(&ev, "ra_size");
		nr_async += strcmp(name, "page_cache_async_ra") == 0;
		ck_assert_int_ge(size, last);
		nr_grow += size > last;
		last = size;
	}
	ck_assert_uint_ge(nr_grow, 4);
	ck_assert_int_eq(last, 32);
	ck_assert_uint_ge(nr_async, 3);
	s = seek(m, viz_model_nr_steps(m));
	for (size_t i = 0; i < viz_state_nr_folios(s); i++)
		cached += 4096ull << viz_state_folio(s, i)->order;
	ck_assert_uint_eq(cached, 256 * 1024);
	ck_assert_uint_eq(all_dirty_blocks(s), 0);
	viz_model_free(m);
	viz_store_free(st);
}
END_TEST

START_TEST(vizs_3_7_subblock)
{
	/* vizs-3.7: 1 KiB blocks: after the first write (op 0) the folio at
	 * index 0 has 4 blocks and only block 1 is dirty and uptodate; after
	 * the second (op 1), which first writes back the EOF block, block 3 is
	 * dirty and blocks 1 and 3 uptodate; after fsync (op 2) none is dirty. */
	struct viz_store *st = vt_run_named("subblock-writes");
	struct viz_model *m = viz_model_new(st);
	const struct viz_state *s;
	long fi;

	s = seek(m, after_op(m, 0));
	fi = viz_state_find_folio(s, 2, 0); /* "f" is extentfs's inode 2 */
	ck_assert_int_ge(fi, 0);
	ck_assert_uint_eq(viz_state_nr_folios(s), 1);
	ck_assert_uint_eq(viz_state_folio(s, (size_t)fi)->nr_blocks, 4);
	for (unsigned b = 0; b < 4; b++) {
		ck_assert_int_eq(viz_folio_block_dirty(s, (size_t)fi, b), (b == 1));
		ck_assert_int_eq(viz_folio_block_uptodate(s, (size_t)fi, b), (b == 1));
	}
	s = seek(m, after_op(m, 1));
	for (unsigned b = 0; b < 4; b++) {
		ck_assert_int_eq(viz_folio_block_dirty(s, 0, b), (b == 3));
		ck_assert_int_eq(viz_folio_block_uptodate(s, 0, b), (b == 1 || b == 3));
	}
	s = seek(m, after_op(m, 2));
	ck_assert_uint_eq(all_dirty_blocks(s), 0);
	viz_model_free(m);
	viz_store_free(st);
}
END_TEST

START_TEST(vizs_3_8_short_write_and_mkwrite)
{
	/* vizs-3.8: the short write (op 0) returns 5000 and leaves exactly
	 * two dirty 4 KiB blocks (the punched tail left nothing behind);
	 * mkwrite's mwrite of 4096..12287 (op 2) dirties pages 1 and 2 only. */
	struct viz_store *st = vt_run_named("short-write-punch");
	struct viz_model *m = viz_model_new(st);
	const struct viz_state *s;

	s = seek(m, after_op(m, 0));
	ck_assert_int_eq(viz_state_op_ret(s), 5000);
	ck_assert_uint_eq(all_dirty_blocks(s), 2);
	viz_model_free(m);
	viz_store_free(st);

	st = vt_run_named("mkwrite");
	m = viz_model_new(st);
	s = seek(m, after_op(m, 2));
	ck_assert_str_eq(viz_state_op(s), "mwrite -S 0x88 4096 8192");
	for (size_t i = 0; i < viz_state_nr_folios(s); i++) {
		const struct viz_folio *f = viz_state_folio(s, i);
		bool want = f->index == 1 || f->index == 2;

		ck_assert_msg(!!(f->flags & VIZ_FOLIO_DIRTY) == want, "folio %llu",
			      (unsigned long long)f->index);
	}
	s = seek(m, after_op(m, 5));
	ck_assert_uint_eq(all_dirty_blocks(s), 0);
	viz_model_free(m);
	viz_store_free(st);
}
END_TEST

START_TEST(vizs_3_9_iterator_flags)
{
	/* vizs-3.9: the operation flags each scenario is about reach the
	 * iterator: unshare's funshare (op 4) iterates with
	 * IOMAP_WRITE|IOMAP_UNSHARE and has a srcmap; zero-range's fzero
	 * (op 2) with IOMAP_ZERO; dio-cow's write (op 3) with DIRECT|WRITE and
	 * a srcmap. */
	static const struct {
		const char *sc;
		size_t op;
		unsigned flags;
		bool srcmap;
	} cases[] = {
		{ "unshare", 4, IOMAP_WRITE | IOMAP_UNSHARE, true },
		{ "zero-range", 2, IOMAP_ZERO, false },
		{ "dio-cow", 3, IOMAP_DIRECT | IOMAP_WRITE, true },
	};

	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct viz_store *st = vt_run_named(cases[c].sc);
		struct viz_model *m = viz_model_new(st);
		size_t from = viz_model_op_step(m, cases[c].op), to = after_op(m, cases[c].op);
		bool flags_seen = false, src_seen = false;

		for (size_t step = from; step < to; step++) {
			const struct viz_state *s = seek(m, step);
			const struct viz_iter *it = viz_state_iter(s);

			if (it->active && (it->flags & cases[c].flags) == cases[c].flags)
				flags_seen = true;
			if (it->active && it->has_srcmap)
				src_seen = true;
		}
		ck_assert_msg(flags_seen, "%s: flags 0x%x never seen", cases[c].sc,
			      cases[c].flags);
		ck_assert_msg(src_seen == cases[c].srcmap, "%s: srcmap", cases[c].sc);
		viz_model_free(m);
		viz_store_free(st);
	}
}
END_TEST

START_TEST(vizs_3_10_partial_blocks)
{
	/* vizs-3.10: zeroing and truncation dirty only the partial blocks:
	 * fzero 1k 10k (zero-range op 2) leaves 2 dirty blocks (blocks 0 and
	 * 2), truncate 10000 (truncate-page op 2) leaves 1 (block 2); direct
	 * I/O (dio-sync) leaves no folio in the page cache at all. */
	static const struct {
		const char *sc;
		size_t op;
		unsigned dirty;
	} cases[] = {
		{ "zero-range", 2, 2 },
		{ "truncate-page", 2, 1 },
	};
	struct viz_store *st;
	struct viz_model *m;
	const struct viz_state *s;

	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		st = vt_run_named(cases[c].sc);
		m = viz_model_new(st);
		s = seek(m, after_op(m, cases[c].op));
		ck_assert_msg(all_dirty_blocks(s) == cases[c].dirty, "%s: %u dirty", cases[c].sc,
			      all_dirty_blocks(s));
		s = seek(m, after_op(m, cases[c].op + 1));
		ck_assert_uint_eq(all_dirty_blocks(s), 0);
		viz_model_free(m);
		viz_store_free(st);
	}
	st = vt_run_named("dio-sync");
	m = viz_model_new(st);
	s = seek(m, viz_model_nr_steps(m));
	ck_assert_uint_eq(viz_state_nr_folios(s), 0);
	ck_assert_uint_ge(count_named(st, "iomap_dio_rw_begin"), 1 + 2 + 1);
	viz_model_free(m);
	viz_store_free(st);
}
END_TEST

START_TEST(vizs_3_11_ioend_merge)
{
	/* vizs-3.11: during the fsync (the scenario's only one) the two
	 * ioends complete in one batch; just after the ioend_merge event one
	 * of them is MERGED with `into` = the other's id, and that other one
	 * is contiguous with it in the file, ahead of it, with the same
	 * UNWRITTEN state and no error.  After the fsync every ioend is
	 * FINISHED, no block is dirty, and no folio is under writeback. */
	static const char *const merge_ev[] = { "ioend_merge" };
	struct viz_store *st = vt_run_named("ioend-merge");
	struct viz_model *m = viz_model_new(st);
	const struct viz_state *s;
	size_t begin, end, at, fsync_op = SIZE_MAX;
	bool merged = false;

	ck_assert_ptr_nonnull(m);
	for (size_t op = 0; viz_model_op_step(m, op) < viz_model_nr_steps(m); op++)
		if (strcmp(viz_state_op(seek(m, viz_model_op_step(m, op))), "fsync") == 0)
			fsync_op = op;
	ck_assert_msg(fsync_op != SIZE_MAX, "no fsync in ioend-merge");
	begin = viz_model_op_step(m, fsync_op);
	end = after_op(m, fsync_op);
	at = viz_model_next_break(m, begin, merge_ev, 1);
	ck_assert_msg(at <= end, "no ioend_merge during the fsync");
	s = seek(m, at);
	ck_assert_str_eq(viz_state_op(s), "fsync");
	ck_assert_uint_ge(viz_state_nr_ioends(s), 2);
	for (size_t i = 0; i < viz_state_nr_ioends(s); i++) {
		const struct viz_ioend *io = viz_state_ioend(s, i);

		if (io->stage != VIZ_IOEND_MERGED)
			continue;
		for (size_t j = 0; j < viz_state_nr_ioends(s); j++) {
			const struct viz_ioend *head = viz_state_ioend(s, j);

			if (j == i || (int64_t)head->id != io->into)
				continue;
			ck_assert_uint_lt(head->offset, io->offset);
			ck_assert_uint_eq(head->offset + head->size, io->offset);
			ck_assert_str_eq(head->flags, io->flags);
			ck_assert_str_eq(io->flags, "UNWRITTEN");
			ck_assert_int_eq(head->error, 0);
			ck_assert_int_eq(io->error, 0);
			ck_assert_int_ne(head->stage, VIZ_IOEND_MERGED);
			merged = true;
		}
	}
	ck_assert_msg(merged, "no ioend in stage MERGED with into = another ioend's id");

	s = seek(m, end);
	ck_assert_int_eq(viz_state_op_ret(s), 0);
	ck_assert_uint_ge(viz_state_nr_ioends(s), 2);
	for (size_t i = 0; i < viz_state_nr_ioends(s); i++)
		ck_assert_int_eq(viz_state_ioend(s, i)->stage, VIZ_IOEND_FINISHED);
	ck_assert_uint_eq(all_dirty_blocks(s), 0);
	for (size_t i = 0; i < viz_state_nr_folios(s); i++)
		ck_assert(!(viz_state_folio(s, i)->flags & VIZ_FOLIO_WRITEBACK));
	viz_model_free(m);
	viz_store_free(st);
}
END_TEST

/* ->iomap_begin calls of operation @op, just before its op_end. */
static unsigned iter_begins(struct viz_model *m, size_t op)
{
	const struct viz_state *s = seek(m, after_op(m, op) - 1);

	return viz_state_iter(s)->nr_begin;
}

/*
 * In events [@from, @to): a ->iomap_end that wrote nothing, directly
 * followed (among the fs_iomap_* events) by a ->iomap_begin of the same
 * position — what a stale mapping looks like in the stream.
 */
static bool has_relookup(const struct viz_store *st, size_t from, size_t to)
{
	struct trace_event ev;
	bool end_unwritten = false;
	uint64_t end_pos = 0;

	for (size_t i = from; i < to; i++) {
		const char *name = viz_store_name(st, i);

		if (strcmp(name, "fs_iomap_end") == 0) {
			ck_assert_int_eq(viz_store_get(st, i, &ev), 0);
			end_unwritten = field_s(&ev, "written") == 0;
			end_pos = (uint64_t)field_s(&ev, "pos");
		} else if (strcmp(name, "fs_iomap_begin") == 0) {
			ck_assert_int_eq(viz_store_get(st, i, &ev), 0);
			if (end_unwritten && (uint64_t)field_s(&ev, "pos") == end_pos)
				return true;
			end_unwritten = false;
		}
	}
	return false;
}

START_TEST(vizs_3_12_stale_mapping)
{
	/* vizs-3.12: the plain pwrite (op 0) maps once and is not looked up
	 * again; the C-driven write (op 1), whose extent map changes after
	 * ->iomap_begin, makes exactly two ->iomap_begin calls, the first
	 * mapping ending with nothing written and the second asked for the
	 * same position, and it still writes its 4096 bytes; after fsync
	 * (op 2) nothing is dirty and the read (op 3) succeeds. */
	struct viz_store *st = vt_run_named("stale-mapping");
	struct viz_model *m = viz_model_new(st);
	const struct viz_state *s;

	ck_assert_ptr_nonnull(m);
	ck_assert_uint_eq(iter_begins(m, 0), 1);
	ck_assert(!has_relookup(st, viz_model_op_step(m, 0), after_op(m, 0)));
	ck_assert_uint_eq(iter_begins(m, 1), 2);
	ck_assert(has_relookup(st, viz_model_op_step(m, 1), after_op(m, 1)));
	/* The model counts the re-lookup the panel shows, and only that one. */
	ck_assert_uint_ge(viz_state_iter(seek(m, after_op(m, 1) - 1))->nr_stale, 1);
	ck_assert_uint_eq(viz_state_iter(seek(m, after_op(m, 0) - 1))->nr_stale, 0);
	s = seek(m, after_op(m, 1));
	ck_assert_str_eq(viz_state_op(s),
			 "write(f, buf, 4 KiB) at 4 KiB; the extent map changes after ->iomap_begin");
	ck_assert_int_eq(viz_state_op_ret(s), 4096);
	s = seek(m, after_op(m, 2));
	ck_assert_str_eq(viz_state_op(s), "fsync");
	ck_assert_uint_eq(all_dirty_blocks(s), 0);
	viz_model_free(m);
	viz_store_free(st);
}
END_TEST

/* ---------------------------------------------------------------------- */
/* vizs-4: sessions                                                        */
/* ---------------------------------------------------------------------- */

START_TEST(vizs_4_1_session_commands)
{
	/* vizs-4.1: a session appends each command's events, framed, to the
	 * store and hands back xfs_io's text; the store is empty before the
	 * first command; fsync writes the 4 KiB back. */
	struct viz_store *st = viz_store_new(VIZ_SRC_REFERENCE);
	char err[128];
	struct viz_session *s = viz_session_new(st, "", err, sizeof(err));
	char *text = NULL;
	size_t after_write;

	ck_assert_msg(s != NULL, "%s", err);
	ck_assert_uint_eq(viz_store_count(st), 0);
	ck_assert_int_eq(viz_session_run(s, "pwrite 0 4k", &text), 0);
	ck_assert_ptr_nonnull(strstr(text, "wrote 4096/4096 bytes at offset 0\n"));
	free(text);
	after_write = viz_store_count(st);
	ck_assert_uint_gt(after_write, 2);
	ck_assert_str_eq(viz_store_name(st, 0), "op_begin");
	ck_assert_str_eq(viz_store_name(st, after_write - 1), "op_end");
	ck_assert_uint_eq(count_named(st, "folio_add"), 1);

	ck_assert_int_eq(viz_session_run(s, "fsync", &text), 0);
	ck_assert_str_eq(text, "");
	free(text);
	ck_assert_uint_gt(viz_store_count(st), after_write);
	ck_assert_uint_eq(count_named(st, "op_begin"), 2);
	ck_assert_uint_ge(count_named(st, "bio_submit"), 1);
	ck_assert_uint_ge(count_named(st, "ioend_finish"), 1);

	/* The sequence numbers continue across commands. */
	for (size_t i = 0; i < viz_store_count(st); i++) {
		struct trace_event ev;

		ck_assert_int_eq(viz_store_get(st, i, &ev), 0);
		ck_assert_uint_eq(ev.seq, i);
	}
	viz_session_free(s);
	viz_store_free(st);
}
END_TEST

START_TEST(vizs_4_2_session_errors)
{
	/* vizs-4.2: an unknown command gives xfs_io's message and -ENOENT; a
	 * failing command its perror text and -errno; stderr text is captured
	 * too; bad mkfs options make no session but a message; NULLs are
	 * refused. */
	struct viz_store *st = viz_store_new(VIZ_SRC_REFERENCE);
	char err[128] = "";
	struct viz_session *s;
	char *text = NULL;

	ck_assert_ptr_null(viz_session_new(st, "-b size=3000", err, sizeof(err)));
	ck_assert_uint_gt(strlen(err), 0);
	ck_assert_ptr_null(viz_session_new(NULL, "", err, sizeof(err)));

	s = viz_session_new(st, "-b size=1024", err, sizeof(err));
	ck_assert_msg(s != NULL, "%s", err);
	ck_assert_int_eq(viz_session_run(s, "nosuch 1 2", &text), -ENOENT);
	ck_assert_ptr_nonnull(strstr(text, "command \"nosuch\" not found"));
	free(text);
	ck_assert_int_eq(viz_session_run(s, "falloc 0 0", &text), -EINVAL);
	ck_assert_ptr_nonnull(strstr(text, "Invalid argument"));
	free(text);
	ck_assert_int_eq(viz_session_run(s, "pwrite 0 1k", NULL), 0);
	ck_assert_uint_eq(count_named(st, "op_begin"), 3);
	ck_assert_int_eq(viz_session_run(NULL, "fsync", &text), -EINVAL);
	ck_assert_ptr_null(text);
	ck_assert_int_eq(viz_session_run(s, NULL, &text), -EINVAL);
	viz_session_free(s);
	viz_session_free(NULL);
	viz_store_free(st);
}
END_TEST

static Suite *scenario_suite(void)
{
	Suite *s = suite_create("viz-scenarios");
	TCase *tc;

	tc = tcase_create("vizs-1 table and runs");
	tcase_add_test(tc, vizs_1_1_table);
	tcase_add_loop_test(tc, vizs_1_2_every_scenario_runs, 0, (int)NR_EXPECTS);
	tcase_add_test(tc, vizs_1_3_output_and_bad_input);
	suite_add_tcase(s, tc);

	tc = tcase_create("vizs-2 determinism");
	tcase_add_loop_test(tc, vizs_2_1_two_runs_identical, 0, (int)NR_EXPECTS);
	tcase_add_test(tc, vizs_2_2_ids_dense_from_zero);
	suite_add_tcase(s, tc);

	tc = tcase_create("vizs-3 model at named steps");
	tcase_add_test(tc, vizs_3_1_buffered_write_fsync);
	tcase_add_test(tc, vizs_3_2_writeback_error);
	tcase_add_test(tc, vizs_3_3_lock_inversion);
	tcase_add_test(tc, vizs_3_4_dio_async);
	tcase_add_test(tc, vizs_3_5_swapfile);
	tcase_add_test(tc, vizs_3_6_readahead_window_grows);
	tcase_add_test(tc, vizs_3_7_subblock);
	tcase_add_test(tc, vizs_3_8_short_write_and_mkwrite);
	tcase_add_test(tc, vizs_3_9_iterator_flags);
	tcase_add_test(tc, vizs_3_10_partial_blocks);
	tcase_add_test(tc, vizs_3_11_ioend_merge);
	tcase_add_test(tc, vizs_3_12_stale_mapping);
	suite_add_tcase(s, tc);

	tc = tcase_create("vizs-4 sessions");
	tcase_add_test(tc, vizs_4_1_session_commands);
	tcase_add_test(tc, vizs_4_2_session_errors);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(scenario_suite());
}
