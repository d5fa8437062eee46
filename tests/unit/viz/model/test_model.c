/**
 * @file test_model.c
 * @brief Check tests of the visualiser's model (viz/model): the states a
 *        student sees at named steps of real runs of the reference, the
 *        fold's determinism, kernel traces, and bad input.
 *
 * Areas:
 *   vizm-1.*  buffered I/O: folios and their blocks, the iterator's maps,
 *             ioends, bios and disk runs after fsync, locks during a write;
 *             the extent conversion of ioends and direct writes
 *   vizm-2.*  the model: stepping back to k == stepping forward to k for
 *             every k, step over, breakpoints, operation steps
 *   vizm-3.*  kernel traces: tracefs text parsed into the reference's
 *             fields, the iterator animated from 08-reflink-unshare, the
 *             first divergence between a kernel trace and a reference run,
 *             a kernel trace's operations (step over, operation steps)
 *   vizm-4.*  files: recording round trip, malformed recording / kernel
 *             text / missing file give the right -errno and name the line
 *
 * Every event stream is made in-process: an in-memory extentfs, xfs_io
 * commands run through iocmd in deterministic mode, and the store's sink
 * attached to the trace stream (as samples/iomap-io.c's run() does).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <iomap/lock.h>
#include <iomap/recording.h>
#include <iomap/trace.h>

#include "../../testutil.h"
#include "samples/iocmd/iocmd.h"
#include "viz-model.h"
#include "viz/scenarios/viz-scenario.h"
#include "../viz-testutil.h"

#define KIB 1024u

/* Run @cmds on a fresh extentfs (mkfs options @mkfs) into a new store; @record
 * (may be NULL) gets a recording of the same events. */
static struct viz_store *run_cmds(const char *mkfs, const char *const *cmds, size_t n,
				  FILE *record)
{
	struct trace_sink *rec = NULL;
	struct viz_store *st;

	if (record) {
		rec = recording_sink_new(record);
		ck_assert_ptr_nonnull(rec);
	}
	st = vt_run_cmds(mkfs, cmds, n, rec);
	if (rec) {
		/* Never attached to the stream: close it as trace_remove_sink() would. */
		if (rec->close)
			rec->close(rec);
		trace_sink_free(rec);
	}
	return st;
}

/* The step just after the first event named @name at or after step @from. */
static size_t step_after(struct viz_model *m, size_t from, const char *name)
{
	const char *names[] = { name };
	size_t s = viz_model_next_break(m, from, names, 1);

	ck_assert_msg(s < viz_model_nr_steps(m) || (s > 0 && strcmp(viz_store_name(
		viz_model_store(m), s - 1), name) == 0), "no %s after step %zu", name, from);
	return s;
}

static const struct viz_lock *find_lock(const struct viz_state *s, const char *cls)
{
	for (size_t i = 0; i < viz_state_nr_locks(s); i++)
		if (strcmp(viz_state_lock(s, i)->cls, cls) == 0)
			return viz_state_lock(s, i);
	return NULL;
}

/* ---- vizm-1: buffered I/O ---------------------------------------------------- */

static const char *const write_fsync[] = { "pwrite -S 0xab -b 64k 0 64k", "fsync" };

/* vizm-1.1: after the 64k write, one 64 KiB folio, 16 dirty uptodate blocks, DELALLOC NEW|DIRTY. */
START_TEST(vizm_1_1_write_folio_and_dstmap)
{
	struct viz_store *st = run_cmds(NULL, write_fsync, 2, NULL);
	struct viz_model *m = viz_model_new(st);
	const struct viz_state *s;
	const struct viz_folio *f;
	const struct viz_iter *it;
	size_t end;

	ck_assert_ptr_nonnull(m);
	end = viz_model_step_over(m, viz_model_op_step(m, 0));
	ck_assert_str_eq(viz_store_name(st, end - 1), "op_end");
	ck_assert_int_eq(viz_model_seek(m, end), 0);
	s = viz_model_state(m);
	ck_assert_str_eq(viz_state_op(s), "pwrite -S 0xab -b 64k 0 64k");
	ck_assert(!viz_state_op_active(s));
	ck_assert_int_eq(viz_state_op_ret(s), 0);
	ck_assert_uint_eq(viz_state_nr_folios(s), 1);
	f = viz_state_folio(s, 0);
	ck_assert_uint_eq(f->index, 0);
	ck_assert_uint_eq(f->order, 4);
	ck_assert_uint_eq(f->nr_blocks, 16);
	ck_assert(f->flags & VIZ_FOLIO_DIRTY);
	ck_assert(f->flags & VIZ_FOLIO_UPTODATE);
	ck_assert(!(f->flags & VIZ_FOLIO_WRITEBACK));
	ck_assert_str_eq(f->why, "write");
	for (unsigned b = 0; b < 16; b++) {
		ck_assert(viz_folio_block_uptodate(s, 0, b));
		ck_assert(viz_folio_block_dirty(s, 0, b));
	}
	ck_assert(!viz_folio_block_dirty(s, 0, 16)); /* out of range: false */
	ck_assert_int_eq(viz_state_find_folio(s, f->ino, 0), 0);
	ck_assert_int_eq(viz_state_find_folio(s, f->ino, 16), -1);
	it = viz_state_iter(s);
	ck_assert(it->has_dstmap);
	ck_assert_uint_eq(it->dstmap.type, 1);       /* IOMAP_DELALLOC */
	ck_assert_uint_eq(it->dstmap.flags, 0x3);    /* NEW|DIRTY */
	ck_assert_uint_eq(it->dstmap.addr, UINT64_MAX);
	ck_assert_uint_eq(it->dstmap.length, 64 * KIB);
	ck_assert_uint_eq(it->flags, 0x1);           /* IOMAP_WRITE */
	ck_assert_uint_eq(it->op_pos, 0);
	ck_assert_uint_eq(it->op_length, 64 * KIB);
	ck_assert_uint_eq(it->nr_begin, 1);
	ck_assert_str_eq(it->caller, "iomap_file_buffered_write");
	/* The call history: iter, begin, begin_done, dstmap, iter, end. */
	ck_assert_uint_ge(viz_state_nr_calls(s), 6);
	ck_assert_int_eq(viz_state_call(s, 0)->kind, VIZ_CALL_ITER);
	ck_assert_int_eq(viz_state_call(s, 1)->kind, VIZ_CALL_BEGIN);
	ck_assert_uint_eq(viz_state_call(s, 1)->length, 64 * KIB);
	ck_assert_ptr_null(viz_state_call(s, viz_state_nr_calls(s)));
	/* The extent map: one delalloc extent of 64 KiB. */
	ck_assert_uint_eq(viz_state_nr_mappings(s), 1);
	ck_assert_uint_eq(viz_state_mapping(s, 0)->type, 1);
	ck_assert_uint_eq(viz_state_lacks(s), VIZ_LACKS_NOTHING);
	ck_assert_uint_eq(viz_state_nr_anomalies(s), 0);
	viz_model_free(m);
	viz_store_free(st);
}
END_TEST

/* vizm-1.2: 1 KiB blocks, a 1 KiB write into a 4 KiB folio: block 0 dirty, 1-3 not uptodate. */
START_TEST(vizm_1_2_subblock_write)
{
	static const char *const cmds[] = { "pwrite -S 0xab 0 1k" };
	struct viz_store *st = run_cmds("-b size=1024", cmds, 1, NULL);
	struct viz_model *m = viz_model_new(st);
	const struct viz_state *s;
	struct trace_event ev;
	const char *up = NULL, *dirty = NULL;
	size_t last_state = 0;

	ck_assert_int_eq(viz_model_seek(m, viz_model_nr_steps(m)), 0);
	s = viz_model_state(m);
	ck_assert_uint_eq(viz_state_nr_folios(s), 1);
	ck_assert_uint_eq(viz_state_folio(s, 0)->order, 0);
	ck_assert_uint_eq(viz_state_folio(s, 0)->nr_blocks, 4);
	ck_assert(viz_folio_block_uptodate(s, 0, 0));
	ck_assert(viz_folio_block_dirty(s, 0, 0));
	for (unsigned b = 1; b < 4; b++) {
		ck_assert(!viz_folio_block_uptodate(s, 0, b));
		ck_assert(!viz_folio_block_dirty(s, 0, b));
	}
	/* ... exactly as the last folio_state event of the reference says. */
	for (size_t i = 0; i < viz_store_count(st); i++)
		if (strcmp(viz_store_name(st, i), "folio_state") == 0)
			last_state = i;
	ck_assert_int_eq(viz_store_get(st, last_state, &ev), 0);
	up = trace_field_get(&ev, "uptodate")->v.str;
	dirty = trace_field_get(&ev, "dirty")->v.str;
	ck_assert_str_eq(up, "1000");
	ck_assert_str_eq(dirty, "1000");
	ck_assert_uint_gt(viz_folio_block_changed(s, 0, 0), 0);
	ck_assert_uint_le(viz_folio_block_changed(s, 0, 0), last_state + 1);
	ck_assert(!(viz_state_folio(s, 0)->flags & VIZ_FOLIO_UPTODATE));
	viz_model_free(m);
	viz_store_free(st);
}
END_TEST

/* vizm-1.3: after fsync no dirty block, ioends finished, bios done, disk runs written. */
START_TEST(vizm_1_3_after_fsync)
{
	struct viz_store *st = run_cmds(NULL, write_fsync, 2, NULL);
	struct viz_model *m = viz_model_new(st);
	const struct viz_state *s;
	const struct viz_ioend *io;
	bool covered = false;
	size_t end = viz_model_step_over(m, viz_model_op_step(m, 1));

	ck_assert_int_eq(viz_model_seek(m, end), 0);
	s = viz_model_state(m);
	ck_assert_str_eq(viz_state_op(s), "fsync");
	ck_assert_uint_eq(viz_state_nr_folios(s), 1);
	ck_assert(!(viz_state_folio(s, 0)->flags & (VIZ_FOLIO_DIRTY | VIZ_FOLIO_WRITEBACK)));
	for (unsigned b = 0; b < 16; b++) {
		ck_assert(!viz_folio_block_dirty(s, 0, b));
		ck_assert(viz_folio_block_uptodate(s, 0, b));
	}
	ck_assert_uint_ge(viz_state_nr_ioends(s), 1);
	for (size_t i = 0; i < viz_state_nr_ioends(s); i++)
		ck_assert_int_eq(viz_state_ioend(s, i)->stage, VIZ_IOEND_FINISHED);
	io = viz_state_ioend(s, 0);
	ck_assert_uint_eq(io->size, 64 * KIB);
	ck_assert_uint_eq(io->nr_folios, 1);
	ck_assert_int_ge(io->bio, 0);
	ck_assert_str_eq(io->flags, "UNWRITTEN");
	ck_assert_uint_ge(viz_state_nr_bios(s), 1);
	for (size_t i = 0; i < viz_state_nr_bios(s); i++)
		ck_assert(viz_state_bio(s, i)->done);
	/* The ioend's sectors were written by its bio, and the run is done. */
	for (size_t i = 0; i < viz_state_nr_disk_runs(s); i++) {
		const struct viz_disk_run *r = viz_state_disk_run(s, i);

		if (i > 0)
			ck_assert_uint_le(viz_state_disk_run(s, i - 1)->sector +
					  viz_state_disk_run(s, i - 1)->nr_sectors, r->sector);
		if (r->sector <= io->sector && r->sector + r->nr_sectors >= io->sector + 128) {
			ck_assert(r->write);
			ck_assert(r->done);
			ck_assert_uint_eq(r->bio, (uint64_t)io->bio);
			covered = true;
		}
	}
	ck_assert(covered);
	/* The completion ran in the filesystem's workqueue. */
	ck_assert_uint_ge(viz_state_nr_works(s), 1);
	ck_assert_int_eq(viz_state_work(s, 0)->stage, 2);
	/* Writeback's ->map_blocks answer is a row of fsync's call history:
	 * the dirty 64 KiB, mapped UNWRITTEN (allocated at writeback). */
	{
		const struct viz_call *mb = NULL;

		for (size_t i = 0; i < viz_state_nr_calls(s); i++)
			if (viz_state_call(s, i)->kind == VIZ_CALL_MAP_BLOCKS)
				mb = viz_state_call(s, i);
		ck_assert_ptr_nonnull(mb);
		ck_assert_uint_eq(mb->pos, 0);
		ck_assert_uint_eq(mb->length, 64 * KIB);
		ck_assert_uint_eq(mb->map.type, 3); /* IOMAP_UNWRITTEN */
		ck_assert_uint_eq(mb->map.addr, io->sector * 512);
	}
	/* Mid-fsync, just after ioend_submit: the ioend is submitted, the folio in writeback. */
	ck_assert_int_eq(viz_model_seek(m, step_after(m, viz_model_op_step(m, 1), "ioend_submit")), 0);
	s = viz_model_state(m);
	ck_assert_int_eq(viz_state_ioend(s, 0)->stage, VIZ_IOEND_SUBMITTED);
	ck_assert(viz_state_folio(s, 0)->flags & VIZ_FOLIO_WRITEBACK);
	ck_assert(!viz_folio_block_dirty(s, 0, 0));
	ck_assert_uint_eq(viz_state_nr_anomalies(s), 0);
	viz_model_free(m);
	viz_store_free(st);
}
END_TEST

/* vizm-1.4: during the write i_rwsem is held at level 0; afterwards nothing is held. */
START_TEST(vizm_1_4_locks)
{
	struct viz_store *st = run_cmds(NULL, write_fsync, 2, NULL);
	struct viz_model *m = viz_model_new(st);
	const struct viz_state *s;
	const struct viz_lock *l;
	bool saw_rwsem_class = false;

	ck_assert_int_eq(viz_model_seek(m, step_after(m, viz_model_op_step(m, 0), "folio_state")),
			 0);
	s = viz_model_state(m);
	ck_assert(viz_state_op_active(s));
	l = find_lock(s, "i_rwsem");
	ck_assert_ptr_nonnull(l);
	ck_assert_int_eq(l->stage, VIZ_LOCK_HELD);
	ck_assert_int_eq(l->level, 0);
	ck_assert_str_eq(l->mode, "exclusive");
	ck_assert_str_eq(l->task, "iomap-io");
	/* The folio lock is held too, one level below. */
	l = find_lock(s, "folio_lock");
	ck_assert_ptr_nonnull(l);
	ck_assert_int_gt(l->level, 0);
	/* Classes are sorted by level. */
	for (size_t i = 0; i < viz_state_nr_lock_classes(s); i++) {
		if (i > 0)
			ck_assert_int_le(viz_state_lock_class(s, i - 1)->level,
					 viz_state_lock_class(s, i)->level);
		if (strcmp(viz_state_lock_class(s, i)->name, "i_rwsem") == 0) {
			ck_assert_int_eq(viz_state_lock_class(s, i)->level, 0);
			saw_rwsem_class = true;
		}
	}
	ck_assert(saw_rwsem_class);
	ck_assert_int_eq(viz_model_seek(m, viz_model_step_over(m, viz_model_op_step(m, 0))), 0);
	ck_assert_uint_eq(viz_state_nr_locks(viz_model_state(m)), 0);
	ck_assert_uint_eq(viz_state_nr_inversions(viz_model_state(m)), 0);
	viz_model_free(m);
	viz_store_free(st);
}
END_TEST

/*
 * Append a synthetic event (the cases a real run rarely shows): @name with
 * unsigned fields @keys = @vals and, if @skey is not NULL, one string field
 * @skey = @sval, from thread @tid.
 */
static void add_ev_str(struct viz_store *st, const char *name, uint64_t ino, int tid,
		       const char *const *keys, const uint64_t *vals, size_t n, const char *skey,
		       const char *sval)
{
	struct trace_event ev;

	trace_event_init(&ev, name, MKDEV(7, 0), ino);
	ev.tid = tid;
	for (size_t i = 0; i < n; i++)
		trace_u64(&ev, keys[i], vals[i]);
	if (skey)
		trace_str(&ev, skey, sval);
	ck_assert_int_eq(viz_store_append(st, &ev), 0);
}

static const char *const iter_keys[] = { "pos", "length", "flags" };
static const char *const map_keys[] = { "addr", "offset", "length", "type", "flags" };

/*
 * vizm-1.5: STALE re-lookups (a STALE flag; back at the same pos with
 * nothing done and a new mapping), not one for a new call after an
 * iomap_iter of length 0; the extent map's latest-wins overlap; disk runs
 * split on overlap.
 */
START_TEST(vizm_1_5_stale_overlap_split)
{
	struct viz_store *st = viz_store_new(VIZ_SRC_REFERENCE);
	struct viz_model *m;
	const struct viz_state *s;
	const struct viz_mapping *mp;
	struct trace_event ev;
	static const uint64_t it0[] = { 0, 0, 0x1 }, it64[] = { 0, 0x10000, 0x1 }, map64[] = { 0x100000, 0, 0x10000, 2, 0 },
			      stale[] = { 0x100000, 0, 0x10000, 2, 1u << 15 },
			      map_mid[] = { 0x200000, 0x4000, 0x4000, 3, 0 };
	static const uint64_t bio0[] = { 0, 0, 0x1000 }, bio1[] = { 1, 2, 0x400 };

	add_ev_str(st, "iomap_iter", 5, 0, iter_keys, it0, 3, NULL, NULL);
	add_ev_str(st, "iomap_iter_dstmap", 5, 0, map_keys, stale, 5, NULL, NULL);
	add_ev_str(st, "iomap_iter", 5, 0, iter_keys, it0, 3, NULL, NULL); /* re-lookup after STALE */
	add_ev_str(st, "iomap_iter_dstmap", 5, 0, map_keys, map64, 5, NULL, NULL);
	add_ev_str(st, "iomap_iter", 5, 0, iter_keys, it0, 3, NULL, NULL); /* the call ended: length 0 */
	add_ev_str(st, "iomap_iter", 5, 0, iter_keys, it64, 3, NULL, NULL); /* a new call at pos 0 */
	/* back at pos 0, nothing done, no flag */
	add_ev_str(st, "iomap_iter", 5, 0, iter_keys, it64, 3, NULL, NULL);
	add_ev_str(st, "iomap_iter_dstmap", 5, 0, map_keys, map_mid, 5, NULL, NULL);
	/* bio_submit needs a string op */
	trace_event_init(&ev, "bio_submit", MKDEV(7, 0), 0);
	trace_u64(&ev, "id", bio0[0]);
	trace_str(&ev, "op", "WRITE");
	trace_u64(&ev, "sector", bio0[1]);
	trace_u64(&ev, "size", bio0[2]);
	ck_assert_int_eq(viz_store_append(st, &ev), 0);
	trace_event_init(&ev, "bio_submit", MKDEV(7, 0), 0);
	trace_u64(&ev, "id", bio1[0]);
	trace_str(&ev, "op", "READ");
	trace_u64(&ev, "sector", bio1[1]);
	trace_u64(&ev, "size", bio1[2]);
	ck_assert_int_eq(viz_store_append(st, &ev), 0);

	m = viz_model_new(st);
	ck_assert_int_eq(viz_model_seek(m, 2), 0);
	s = viz_model_state(m);
	ck_assert_uint_eq(viz_state_iter(s)->nr_stale, 1);
	ck_assert_int_eq(viz_state_call(s, viz_state_nr_calls(s) - 1)->kind, VIZ_CALL_STALE);
	/* An iomap_iter at the same pos after one of length 0 is no re-lookup. */
	ck_assert_int_eq(viz_model_seek(m, 6), 0);
	ck_assert_uint_eq(viz_state_iter(viz_model_state(m))->nr_stale, 1);
	ck_assert_int_eq(viz_model_seek(m, 8), 0);
	s = viz_model_state(m);
	ck_assert_uint_eq(viz_state_iter(s)->nr_stale, 2);
	ck_assert_int_eq(viz_state_call(s, viz_state_nr_calls(s) - 2)->kind, VIZ_CALL_STALE);
	/* Extent map: [0,16k) and [32k,64k) of the old mapping, [16k,32k) of the new. */
	ck_assert_int_eq(viz_model_seek(m, 8), 0);
	s = viz_model_state(m);
	ck_assert_uint_eq(viz_state_nr_mappings(s), 3);
	mp = viz_state_mapping(s, 0);
	ck_assert_uint_eq(mp->offset, 0);
	ck_assert_uint_eq(mp->length, 0x4000);
	ck_assert_uint_eq(mp->addr, 0x100000);
	mp = viz_state_mapping(s, 1);
	ck_assert_uint_eq(mp->offset, 0x4000);
	ck_assert_uint_eq(mp->type, 3);
	ck_assert_uint_eq(mp->addr, 0x200000);
	mp = viz_state_mapping(s, 2);
	ck_assert_uint_eq(mp->offset, 0x8000);
	ck_assert_uint_eq(mp->length, 0x8000);
	ck_assert_uint_eq(mp->addr, 0x108000);
	ck_assert_ptr_null(viz_state_mapping(s, 3));
	/* Disk: bio 1 splits bio 0's run of 8 sectors into 2 + 2 + 4. */
	ck_assert_int_eq(viz_model_seek(m, 10), 0);
	s = viz_model_state(m);
	ck_assert_uint_eq(viz_state_nr_disk_runs(s), 3);
	ck_assert_uint_eq(viz_state_disk_run(s, 0)->bio, 0);
	ck_assert_uint_eq(viz_state_disk_run(s, 0)->nr_sectors, 2);
	ck_assert_uint_eq(viz_state_disk_run(s, 1)->bio, 1);
	ck_assert(!viz_state_disk_run(s, 1)->write);
	ck_assert_uint_eq(viz_state_disk_run(s, 2)->sector, 4);
	ck_assert_uint_eq(viz_state_disk_run(s, 2)->nr_sectors, 4);
	ck_assert(viz_state_disk_run(s, 2)->write);
	viz_model_free(m);
	viz_store_free(st);
}
END_TEST

/* The largest nr_stale any step of @st shows. */
static unsigned max_stale(const struct viz_store *st)
{
	struct viz_model *m = viz_model_new(st);
	unsigned most = 0;

	ck_assert_ptr_nonnull(m);
	for (size_t k = 0; k <= viz_model_nr_steps(m); k++) {
		ck_assert_int_eq(viz_model_seek(m, k), 0);
		if (viz_state_iter(viz_model_state(m))->nr_stale > most)
			most = viz_state_iter(viz_model_state(m))->nr_stale;
	}
	viz_model_free(m);
	return most;
}

/*
 * vizm-1.6: no false STALE rows.  Sequential 4 KiB calls over one MAPPED
 * 64 KiB extent (each a new iomap_iter at the pos the last call ended at,
 * the old mapping still covering it) are no re-lookups; nor is the
 * reviewer's `pwrite 0 64k; fsync; pwrite -S 0x11 0 64k`.  The real ones
 * stay: stale-mapping's ->iomap_valid failure (fs_iomap_end written 0,
 * then ->iomap_begin at the same pos) and subblock-writes' zeroing of a
 * hole over a dirty folio (iomap_zero_iter_flush_and_stale: no
 * ->iomap_end for the zero ops, the same pos mapped again).
 */
START_TEST(vizm_1_6_no_false_stale)
{
	static const char *const two_writes[] = { "pwrite -S 0xab 0 64k", "fsync",
						  "pwrite -S 0x11 -b 4k 0 8k" };
	static const char *const reviewer[] = { "pwrite 0 64k", "fsync", "pwrite -S 0x11 0 64k" };
	struct viz_store *st = run_cmds(NULL, two_writes, 3, NULL);
	struct viz_model *m = viz_model_new(st);
	const struct viz_iter *it;

	ck_assert_int_eq(viz_model_seek(m, viz_model_step_over(m, viz_model_op_step(m, 2))), 0);
	it = viz_state_iter(viz_model_state(m));
	ck_assert_uint_eq(it->nr_begin, 2);            /* two calls ... */
	ck_assert_uint_eq(it->dstmap.type, 2);         /* ... over one MAPPED extent */
	ck_assert_uint_eq(it->dstmap.length, 64 * KIB);
	ck_assert_uint_eq(it->nr_stale, 0);
	viz_model_free(m);
	viz_store_free(st);
	st = run_cmds(NULL, reviewer, 3, NULL);
	ck_assert_uint_eq(max_stale(st), 0);
	viz_store_free(st);
	st = vt_run_named("stale-mapping");
	ck_assert_uint_eq(max_stale(st), 1);
	viz_store_free(st);
	st = vt_run_named("subblock-writes");
	ck_assert_uint_eq(max_stale(st), 1);
	viz_store_free(st);
}
END_TEST

static void add_s64(struct viz_store *st, const char *name, const char *key, int64_t v)
{
	struct trace_event ev;

	trace_event_init(&ev, name, MKDEV(7, 0), 0);
	trace_u64(&ev, "id", 1);
	trace_s64(&ev, key, v);
	ck_assert_int_eq(viz_store_append(st, &ev), 0);
}

static const char *const bio_keys[] = { "id", "sector", "size" };
static const char *const ioend_keys[] = { "ioend", "offset", "size", "sector" };

/* vizm-1.7: a failed bio's disk run carries its status; a good one 0. */
START_TEST(vizm_1_7_failed_bio_run)
{
	struct viz_store *st = viz_store_new(VIZ_SRC_REFERENCE);
	static const uint64_t b1[] = { 1, 0, 0x1000 }, b2[] = { 2, 16, 0x1000 };
	struct viz_model *m;
	const struct viz_state *s;
	struct trace_event ev;

	add_ev_str(st, "bio_submit", 0, 1, bio_keys, b1, 3, "op", "WRITE");
	add_ev_str(st, "bio_submit", 0, 1, bio_keys, b2, 3, "op", "WRITE");
	add_s64(st, "bio_complete", "status", -5);
	trace_event_init(&ev, "bio_complete", MKDEV(7, 0), 0);
	trace_u64(&ev, "id", 2);
	trace_s64(&ev, "status", 0);
	ck_assert_int_eq(viz_store_append(st, &ev), 0);
	m = viz_model_new(st);
	ck_assert_int_eq(viz_model_seek(m, 4), 0);
	s = viz_model_state(m);
	ck_assert_uint_eq(viz_state_nr_disk_runs(s), 2);
	ck_assert(viz_state_disk_run(s, 0)->done);
	ck_assert_int_eq(viz_state_disk_run(s, 0)->status, -5);
	ck_assert(viz_state_disk_run(s, 1)->done);
	ck_assert_int_eq(viz_state_disk_run(s, 1)->status, 0);
	ck_assert_int_eq(viz_state_bio(s, 0)->status, -5);
	viz_model_free(m);
	viz_store_free(st);
}
END_TEST

/*
 * vizm-1.8: an UNWRITTEN ioend finishing without error converts what it
 * covers of the extent map to MAPPED (NEW cleared, addresses kept in
 * step); a failed one converts nothing; so does a run's fsync of a
 * preallocated range; and unshare's COW ioend makes its blocks the
 * file's own (MAPPED, not SHARED, at the ioend's sector).
 */
START_TEST(vizm_1_8_unwritten_converted)
{
	struct viz_store *st = viz_store_new(VIZ_SRC_REFERENCE);
	static const uint64_t it0[] = { 0, 0, 0x1 },
			      unw[] = { 0x100000, 0, 0x10000, 3, 0x1 }, /* UNWRITTEN, NEW */
			      io1[] = { 1, 0x4000, 0x4000, 0x880 }, io2[] = { 2, 0xc000, 0x1000, 0x8e0 };
	static const char *const prealloc[] = { "falloc 0 64k", "pwrite -S 0x5 16k 16k", "fsync" };
	struct viz_model *m;
	const struct viz_state *s;
	const struct viz_mapping *mp;
	struct trace_event ev;

	add_ev_str(st, "iomap_iter", 5, 0, iter_keys, it0, 3, NULL, NULL);
	add_ev_str(st, "iomap_iter_dstmap", 5, 0, map_keys, unw, 5, NULL, NULL);
	add_ev_str(st, "ioend_finish", 5, 1, ioend_keys, io1, 4, "flags", "UNWRITTEN");
	trace_event_init(&ev, "ioend_finish", MKDEV(7, 0), 5);
	for (size_t i = 0; i < 4; i++)
		trace_u64(&ev, ioend_keys[i], io2[i]);
	trace_str(&ev, "flags", "UNWRITTEN");
	trace_s64(&ev, "error", -5);
	ck_assert_int_eq(viz_store_append(st, &ev), 0);
	m = viz_model_new(st);
	ck_assert_int_eq(viz_model_seek(m, 4), 0);
	s = viz_model_state(m);
	ck_assert_uint_eq(viz_state_nr_mappings(s), 3);
	mp = viz_state_mapping(s, 0);
	ck_assert_uint_eq(mp->length, 0x4000);
	ck_assert_uint_eq(mp->type, 3);
	mp = viz_state_mapping(s, 1);
	ck_assert_uint_eq(mp->offset, 0x4000);
	ck_assert_uint_eq(mp->length, 0x4000);
	ck_assert_uint_eq(mp->type, 2);
	ck_assert_uint_eq(mp->flags & 0x1, 0);
	ck_assert_uint_eq(mp->addr, 0x104000);
	mp = viz_state_mapping(s, 2);
	ck_assert_uint_eq(mp->offset, 0x8000);
	ck_assert_uint_eq(mp->type, 3);     /* the failed ioend at 0xc000 converted nothing */
	ck_assert_uint_eq(mp->addr, 0x108000);
	ck_assert_uint_eq(mp->flags & 0x1, 0x1);
	viz_model_free(m);
	viz_store_free(st);
	/* A real run: after the fsync, [16k, 32k) of the preallocated file is MAPPED. */
	st = run_cmds(NULL, prealloc, 3, NULL);
	m = viz_model_new(st);
	ck_assert_int_eq(viz_model_seek(m, viz_model_step_over(m, viz_model_op_step(m, 2))), 0);
	s = viz_model_state(m);
	{
		bool mapped = false;

		for (size_t i = 0; i < viz_state_nr_mappings(s); i++) {
			mp = viz_state_mapping(s, i);
			if (mp->offset <= 16 * KIB && mp->offset + mp->length >= 32 * KIB)
				mapped = mp->type == 2;
		}
		ck_assert_msg(mapped, "no MAPPED extent over [16k, 32k) after fsync");
	}
	viz_model_free(m);
	viz_store_free(st);
	/*
	 * unshare's COW ioend (SHARED|UNWRITTEN, sector 0x1c0) over [64k, 128k):
	 * the COW fork's blocks, now the file's own, MAPPED and not SHARED.
	 */
	st = vt_run_named("unshare");
	m = viz_model_new(st);
	for (size_t k = step_after(m, 0, "ioend_finish"); k < viz_model_nr_steps(m); k++) {
		if (strcmp(viz_store_name(st, k - 1), "ioend_finish") != 0)
			continue;
		ck_assert_int_eq(viz_model_seek(m, k), 0);
		s = viz_model_state(m);
		if (viz_state_ioend(s, viz_state_nr_ioends(s) - 1)->flags[0] == 'S')
			break;
	}
	s = viz_model_state(m);
	ck_assert_str_eq(viz_state_ioend(s, viz_state_nr_ioends(s) - 1)->flags, "SHARED|UNWRITTEN");
	{
		bool cow_done = false;

		for (size_t i = 0; i < viz_state_nr_mappings(s); i++) {
			mp = viz_state_mapping(s, i);
			if (mp->offset == 64 * KIB && mp->length == 64 * KIB)
				cow_done = mp->type == 2 && !(mp->flags & 0x4) &&
					   mp->addr == 0x1c0 * 512;
		}
		ck_assert_msg(cow_done, "unshare: [64k, 128k) not MAPPED at the COW blocks");
	}
	viz_model_free(m);
	viz_store_free(st);
}
END_TEST

/*
 * vizm-1.9: op_begin keeps what is in flight (a bio not completed, a work
 * item not done) and drops what is over; the first event after an op_end
 * belongs to no operation.
 */
START_TEST(vizm_1_9_in_flight_across_ops)
{
	struct viz_store *st = viz_store_new(VIZ_SRC_REFERENCE);
	static const uint64_t b1[] = { 1, 0, 0x1000 }, b2[] = { 2, 8, 0x1000 }, it0[] = { 0, 0, 1 };
	struct viz_model *m;
	const struct viz_state *s;
	struct trace_event ev;

	add_ev_str(st, "op_begin", 0, 1, NULL, NULL, 0, "op", "sync_range");     /* 0 */
	add_ev_str(st, "iomap_iter", 5, 0, iter_keys, it0, 3, NULL, NULL);                          /* 1 */
	add_ev_str(st, "bio_submit", 0, 1, bio_keys, b1, 3, "op", "WRITE");      /* 2 */
	add_ev_str(st, "bio_submit", 0, 1, bio_keys, b2, 3, "op", "WRITE");      /* 3 */
	trace_event_init(&ev, "bio_complete", MKDEV(7, 0), 0);                    /* 4 */
	trace_u64(&ev, "id", 2);
	trace_s64(&ev, "status", 0);
	ck_assert_int_eq(viz_store_append(st, &ev), 0);
	trace_event_init(&ev, "work_queue", MKDEV(7, 0), 0);                      /* 5 */
	trace_str(&ev, "wq", "extentfs-conv");
	trace_str(&ev, "func", "xfs_end_io");
	ck_assert_int_eq(viz_store_append(st, &ev), 0);
	add_ev_str(st, "op_end", 0, 1, NULL, NULL, 0, "op", "sync_range");       /* 6 */
	add_ev_str(st, "op_begin", 0, 1, NULL, NULL, 0, "op", "pwrite 8k 4k");   /* 7 */
	add_ev_str(st, "op_end", 0, 1, NULL, NULL, 0, "op", "pwrite 8k 4k");     /* 8 */
	trace_event_init(&ev, "bio_complete", MKDEV(7, 0), 0);                    /* 9 */
	trace_u64(&ev, "id", 1);
	trace_s64(&ev, "status", 0);
	ck_assert_int_eq(viz_store_append(st, &ev), 0);
	m = viz_model_new(st);
	ck_assert_int_eq(viz_model_seek(m, 8), 0);
	s = viz_model_state(m);
	ck_assert_str_eq(viz_state_op(s), "pwrite 8k 4k");
	ck_assert_uint_eq(viz_state_nr_bios(s), 1);     /* bio 1 still in flight, bio 2 gone */
	ck_assert_uint_eq(viz_state_bio(s, 0)->id, 1);
	ck_assert(!viz_state_bio(s, 0)->done);
	ck_assert_uint_eq(viz_state_nr_works(s), 1);    /* the queued end_io work stays */
	ck_assert_int_eq(viz_state_work(s, 0)->stage, VIZ_WORK_QUEUED);
	/* Just after op_end the finished operation is still shown ... */
	ck_assert_int_eq(viz_model_seek(m, 9), 0);
	s = viz_model_state(m);
	ck_assert_str_eq(viz_state_op(s), "pwrite 8k 4k");
	ck_assert(!viz_state_op_active(s));
	/* ... the completion that follows belongs to no operation. */
	ck_assert_int_eq(viz_model_seek(m, 10), 0);
	s = viz_model_state(m);
	ck_assert_str_eq(viz_state_op(s), "");
	ck_assert(!viz_state_op_active(s));
	ck_assert_uint_eq(viz_state_nr_calls(s), 0);
	ck_assert_uint_eq(viz_state_nr_bios(s), 1);     /* the completion itself is shown */
	ck_assert(viz_state_bio(s, 0)->done);
	ck_assert_uint_eq(viz_state_nr_ops(s), 2);
	viz_model_free(m);
	viz_store_free(st);
}
END_TEST

static void add_lock(struct viz_store *st, const char *name, const char *cls, uint64_t inst,
		     int64_t level)
{
	struct trace_event ev;

	trace_event_init(&ev, name, MKDEV(7, 0), 0);
	trace_str(&ev, "class", cls);
	trace_str(&ev, "mode", "exclusive");
	trace_u64(&ev, "instance", inst);
	trace_s64(&ev, "level", level);
	ck_assert_int_eq(viz_store_append(st, &ev), 0);
}

/*
 * vizm-1.10: the state machines' checkers.  Lock classes within a level
 * in order of first acquisition; SUBMITTED -> FINISHED only with an
 * error; a work item started without being queued; lock_acquired without
 * lock_acquire.
 */
START_TEST(vizm_1_10_state_machines)
{
	struct viz_store *st = viz_store_new(VIZ_SRC_REFERENCE);
	static const uint64_t io1[] = { 1, 0, 0x1000, 0 }, io2[] = { 2, 0x1000, 0x1000, 8 };
	struct viz_model *m;
	const struct viz_state *s;
	struct trace_event ev;
	size_t n;

	add_lock(st, "lock_acquire", "zz_first", 1, 0);
	add_lock(st, "lock_acquire", "aa_second", 2, 0);
	add_lock(st, "lock_acquire", "inner", 3, 1);
	n = viz_store_count(st);
	/* ioend 1: submitted, finished without error and without completing. */
	add_ev_str(st, "ioend_new", 5, 1, ioend_keys, io1, 4, "flags", "");
	add_ev_str(st, "ioend_submit", 5, 1, ioend_keys, io1, 4, "flags", "");
	add_ev_str(st, "ioend_finish", 5, 1, ioend_keys, io1, 4, "flags", "");
	/* ioend 2: the same, but failed at submission: an arrow of the diagram. */
	add_ev_str(st, "ioend_new", 5, 1, ioend_keys, io2, 4, "flags", "");
	add_ev_str(st, "ioend_submit", 5, 1, ioend_keys, io2, 4, "flags", "");
	trace_event_init(&ev, "ioend_finish", MKDEV(7, 0), 5);
	for (size_t i = 0; i < 4; i++)
		trace_u64(&ev, ioend_keys[i], io2[i]);
	trace_str(&ev, "flags", "");
	trace_s64(&ev, "error", -5);
	ck_assert_int_eq(viz_store_append(st, &ev), 0);
	trace_event_init(&ev, "work_start", MKDEV(7, 0), 0);
	trace_str(&ev, "wq", "wq");
	trace_str(&ev, "func", "f");
	ck_assert_int_eq(viz_store_append(st, &ev), 0);
	m = viz_model_new(st);
	ck_assert_int_eq(viz_model_seek(m, n), 0);
	s = viz_model_state(m);
	ck_assert_uint_eq(viz_state_nr_lock_classes(s), 3);
	ck_assert_str_eq(viz_state_lock_class(s, 0)->name, "zz_first");
	ck_assert_str_eq(viz_state_lock_class(s, 1)->name, "aa_second");
	ck_assert_str_eq(viz_state_lock_class(s, 2)->name, "inner");
	ck_assert_uint_eq(viz_state_nr_anomalies(s), 0);
	ck_assert_int_eq(viz_model_seek(m, n + 3), 0);
	ck_assert_uint_eq(viz_state_nr_anomalies(viz_model_state(m)), 1);
	ck_assert_int_eq(viz_model_seek(m, n + 6), 0);
	ck_assert_uint_eq(viz_state_nr_anomalies(viz_model_state(m)), 1);
	ck_assert_int_eq(viz_model_seek(m, n + 7), 0);
	s = viz_model_state(m);
	ck_assert_uint_eq(viz_state_nr_anomalies(s), 2);
	ck_assert_int_eq(viz_state_work(s, 0)->stage, VIZ_WORK_RUNNING);
	ck_assert_int_eq(VIZ_WORK_DONE, 2);
	viz_model_free(m);
	viz_store_free(st);
}
END_TEST

/* vizm-1.11: dio_bio marks the next bio of its own thread, and op_begin forgets it. */
START_TEST(vizm_1_11_pending_dio_per_thread)
{
	struct viz_store *st = viz_store_new(VIZ_SRC_REFERENCE);
	static const char *const dio_keys[] = { "dio" };
	static const uint64_t dio7[] = { 7 }, b1[] = { 1, 0, 0x1000 }, b2[] = { 2, 8, 0x1000 },
			      b3[] = { 3, 16, 0x1000 };
	struct viz_model *m;
	const struct viz_state *s;

	add_ev_str(st, "dio_bio", 0, 1, dio_keys, dio7, 1, NULL, NULL);
	add_ev_str(st, "bio_submit", 0, 2, bio_keys, b1, 3, "op", "WRITE"); /* writeback thread */
	add_ev_str(st, "bio_submit", 0, 1, bio_keys, b2, 3, "op", "WRITE"); /* the dio's */
	add_ev_str(st, "dio_bio", 0, 1, dio_keys, dio7, 1, NULL, NULL);
	add_ev_str(st, "op_begin", 0, 1, NULL, NULL, 0, "op", "next");
	add_ev_str(st, "bio_submit", 0, 1, bio_keys, b3, 3, "op", "WRITE");
	m = viz_model_new(st);
	ck_assert_int_eq(viz_model_seek(m, 3), 0);
	s = viz_model_state(m);
	ck_assert_int_eq(viz_state_bio(s, 0)->dio, -1);
	ck_assert_int_eq(viz_state_bio(s, 1)->dio, 7);
	ck_assert_int_eq(viz_model_seek(m, 6), 0);
	s = viz_model_state(m);
	ck_assert_uint_eq(viz_state_bio(s, viz_state_nr_bios(s) - 1)->id, 3);
	ck_assert_int_eq(viz_state_bio(s, viz_state_nr_bios(s) - 1)->dio, -1);
	viz_model_free(m);
	viz_store_free(st);
}
END_TEST

/* vizm-1.12: a direct write into new space maps UNWRITTEN NEW; once the
 * filesystem's ->end_io converted it (dio_end_io UNWRITTEN), the extent
 * map shows those bytes MAPPED and no longer NEW. */
START_TEST(vizm_1_12_dio_conversion)
{
	static const char *const cmds[] = { "pwrite -S 0x11 -b 64k 0 64k" };
	struct viz_store *st = viz_store_new(VIZ_SRC_REFERENCE);
	struct viz_model *m;
	const struct viz_state *s;
	const char *names[] = { "dio_end_io" };
	size_t end_io;
	char err[256];

	ck_assert_ptr_nonnull(st);
	ck_assert_int_eq(viz_commands_run(NULL, "-d", cmds, 1, st, NULL, NULL, err, sizeof(err)), 0);
	m = viz_model_new(st);
	end_io = viz_model_next_break(m, 0, names, 1);
	ck_assert_uint_lt(end_io, viz_model_nr_steps(m) + 1);
	ck_assert_str_eq(viz_store_name(st, end_io - 1), "dio_end_io");
	/* Before ->end_io's event: the write's mapping, UNWRITTEN NEW. */
	ck_assert_int_eq(viz_model_seek(m, end_io - 1), 0);
	s = viz_model_state(m);
	ck_assert_uint_ge(viz_state_nr_mappings(s), 1);
	ck_assert_uint_eq(viz_state_mapping(s, 0)->offset, 0);
	ck_assert_uint_eq(viz_state_mapping(s, 0)->type, 3);           /* IOMAP_UNWRITTEN */
	ck_assert(viz_state_mapping(s, 0)->flags & 1u);                 /* IOMAP_F_NEW */
	/* After it: every mapped byte of [0, 64 KiB) is MAPPED, none NEW. */
	ck_assert_int_eq(viz_model_seek(m, end_io), 0);
	s = viz_model_state(m);
	for (size_t i = 0; i < viz_state_nr_mappings(s); i++) {
		const struct viz_mapping *mp = viz_state_mapping(s, i);

		if (mp->offset >= 64 * KIB)
			continue;
		ck_assert_uint_eq(mp->type, 2);                         /* IOMAP_MAPPED */
		ck_assert(!(mp->flags & 1u));
	}
	viz_model_free(m);
	viz_store_free(st);
}
END_TEST

/* ---- vizm-2: the model -------------------------------------------------------- */

static const char *const long_run[] = {
	"pwrite -S 0xab -b 4k 0 512k", "fsync", "fiemap -v", "fpunch 64k 64k",
	"pwrite -S 0xcd -b 1k 130k 3k", "fsync", "pread -b 4k 0 512k", "truncate 100k",
};

/* vizm-2.1: stepping back to k gives the same state as stepping forward to k, for every k. */
START_TEST(vizm_2_1_back_equals_forward)
{
	struct viz_store *st = run_cmds(NULL, long_run, sizeof(long_run) / sizeof(long_run[0]),
					NULL);
	struct viz_model *fwd = viz_model_new(st), *back = viz_model_new(st);
	size_t n = viz_model_nr_steps(fwd);
	uint64_t *h = calloc(n + 1, sizeof(*h));

	ck_assert_ptr_nonnull(h);
	/* Long enough to cross several checkpoints (every 512 steps). */
	ck_assert_uint_gt(n, 3 * 512);
	for (size_t k = 0; k <= n; k++) {
		ck_assert_int_eq(viz_model_seek(fwd, k), 0);
		ck_assert_uint_eq(viz_model_step(fwd), k);
		h[k] = viz_state_hash(viz_model_state(fwd));
	}
	ck_assert(h[0] != h[n]);
	ck_assert(h[1] != h[0]);
	ck_assert_int_eq(viz_model_seek(back, n), 0);
	for (size_t k = n + 1; k-- > 0;) {
		ck_assert_int_eq(viz_model_seek(back, k), 0);
		ck_assert_msg(viz_state_hash(viz_model_state(back)) == h[k],
			      "step %zu differs when reached backwards", k);
	}
	/* Jumps in both directions, across checkpoints. */
	srand(5);
	for (int j = 0; j < 300; j++) {
		size_t k = (size_t)rand() % (n + 1);

		ck_assert_int_eq(viz_model_seek(back, k), 0);
		ck_assert_msg(viz_state_hash(viz_model_state(back)) == h[k], "jump to %zu", k);
	}
	/* Clamped beyond the end. */
	ck_assert_int_eq(viz_model_seek(back, n + 100), 0);
	ck_assert_uint_eq(viz_model_step(back), n);
	free(h);
	viz_model_free(fwd);
	viz_model_free(back);
	viz_store_free(st);
}
END_TEST

/* vizm-2.2: operation steps, step over, breakpoints. */
START_TEST(vizm_2_2_navigation)
{
	struct viz_store *st = run_cmds(NULL, long_run, 3, NULL);
	struct viz_model *m = viz_model_new(st);
	size_t n = viz_model_nr_steps(m), s0 = viz_model_op_step(m, 0), s1 = viz_model_op_step(m, 1);
	static const char *const bp[] = { "no_such_event", "ioend_submit" };
	static const char *const none[] = { "no_such_event" };
	size_t b;

	ck_assert_ptr_eq(viz_model_store(m), st);
	ck_assert_str_eq(viz_store_name(st, s0 - 1), "op_begin");
	ck_assert_str_eq(viz_store_name(st, s1 - 1), "op_begin");
	ck_assert_uint_gt(s1, s0);
	ck_assert_uint_eq(viz_model_op_step(m, 3), n);
	/* Step over from anywhere inside op 0 lands just after its op_end. */
	ck_assert_uint_eq(viz_model_step_over(m, s0), viz_model_step_over(m, s0 + 3));
	ck_assert_str_eq(viz_store_name(st, viz_model_step_over(m, s0) - 1), "op_end");
	ck_assert_uint_lt(viz_model_step_over(m, s0), s1);
	/* A breakpoint: the first ioend_submit is in op 1 (fsync). */
	b = viz_model_next_break(m, 0, bp, 2);
	ck_assert_str_eq(viz_store_name(st, b - 1), "ioend_submit");
	ck_assert_uint_gt(b, s1);
	ck_assert_uint_gt(viz_model_next_break(m, b, bp, 2), b);
	ck_assert_uint_eq(viz_model_next_break(m, 0, none, 1), n);
	ck_assert_uint_eq(viz_model_next_break(m, n, bp, 2), n);
	/* Out-of-range reads are refused, not crashes. */
	ck_assert_str_eq(viz_store_name(st, n), "");
	{
		struct trace_event ev;
		char buf[64];

		ck_assert_int_eq(viz_store_get(st, n, &ev), -ERANGE);
		ck_assert_int_eq(viz_store_format(st, n, buf, sizeof(buf)), -ERANGE);
		ck_assert_int_eq(viz_store_kernel_text(st, n, buf, sizeof(buf)), -ERANGE);
		ck_assert_int_gt(viz_store_format(st, s0 - 1, buf, sizeof(buf)), 0);
		ck_assert_msg(strncmp(buf, "#", 1) == 0 && strstr(buf, "op_begin"), "%s", buf);
		/* lock events have no kernel tracepoint */
		ck_assert_int_eq(viz_store_kernel_text(st, s0, buf, sizeof(buf)), -ENOENT);
	}
	viz_model_free(m);
	viz_store_free(st);
}
END_TEST

/* vizm-2.3: a store that grows under a model (a live run): the next seek sees the new events. */
START_TEST(vizm_2_3_growing_store)
{
	struct viz_store *a = run_cmds(NULL, long_run, 2, NULL);
	struct viz_store *more = run_cmds(NULL, long_run + 2, 2, NULL);
	struct viz_model *m = viz_model_new(a), *fresh;
	size_t n0 = viz_store_count(a);

	ck_assert_int_eq(viz_model_seek(m, n0), 0);
	for (size_t i = 0; i < viz_store_count(more); i++) {
		struct trace_event ev;

		ck_assert_int_eq(viz_store_get(more, i, &ev), 0);
		ck_assert_int_eq(viz_store_append(a, &ev), 0);
	}
	ck_assert_uint_eq(viz_model_nr_steps(m), n0 + viz_store_count(more));
	ck_assert_int_eq(viz_model_seek(m, viz_model_nr_steps(m)), 0);
	ck_assert_uint_eq(viz_state_nr_ops(viz_model_state(m)), 4);
	fresh = viz_model_new(a);
	ck_assert_int_eq(viz_model_seek(fresh, viz_model_nr_steps(fresh)), 0);
	ck_assert(viz_state_hash(viz_model_state(m)) == viz_state_hash(viz_model_state(fresh)));
	viz_model_free(fresh);
	viz_model_free(m);
	viz_store_free(more);
	viz_store_free(a);
}
END_TEST

/* ---- vizm-3: kernel traces ---------------------------------------------------- */

static struct viz_store *load_ok(const char *path)
{
	struct viz_store *st = NULL;
	char err[256];
	int ret = viz_store_load_file(path, &st, err, sizeof(err));

	ck_assert_msg(ret == 0, "%s: %d %s", path, ret, err);
	return st;
}

/* vizm-3.1: 08-reflink-unshare/trace.raw animates the iterator from the kernel's own events. */
START_TEST(vizm_3_1_kernel_reflink_unshare)
{
	struct viz_store *st = load_ok(SCENARIO_DIR "/08-reflink-unshare/trace.raw");
	struct viz_model *m = viz_model_new(st);
	struct trace_event ev;
	size_t both = 0;
	bool saw_begin = false;

	ck_assert_int_eq(viz_store_source(st), VIZ_SRC_KERNEL);
	ck_assert_uint_eq(viz_store_count(st), 57);
	/* Line 1 in the reference's field names and kinds. */
	ck_assert_int_eq(viz_store_get(st, 0, &ev), 0);
	ck_assert_str_eq(ev.name, "iomap_iter");
	ck_assert_str_eq(ev.task, "xfs_io");
	ck_assert_int_eq(ev.tid, 10147);
	ck_assert_uint_eq(ev.ts_ns, 326728899000ull);
	ck_assert_uint_eq(ev.dev, (7u << 20));
	ck_assert_uint_eq(ev.ino, 0x83);
	ck_assert_uint_eq(trace_field_get(&ev, "flags")->v.u, 0x1);
	ck_assert_int_eq(trace_field_get(&ev, "status")->kind, TF_S64);
	ck_assert_str_eq(trace_field_get(&ev, "caller")->v.str, "iomap_file_buffered_write");
	/* iomap_add_to_ioend: "dirty len" -> dirty_len, "type UNWRITTEN (0x3)" -> 3. */
	ck_assert_int_eq(viz_store_get(st, 4, &ev), 0);
	ck_assert_str_eq(ev.name, "iomap_add_to_ioend");
	ck_assert_uint_eq(trace_field_get(&ev, "dirty_len")->v.u, 0x10000);
	ck_assert_uint_eq(trace_field_get(&ev, "type")->v.u, 3);
	ck_assert_uint_eq(trace_field_get(&ev, "addr")->v.u, 0x18000);
	ck_assert_uint_eq(trace_field_get(&ev, "bdev")->v.u, 7u << 20);

	for (size_t k = 1; k <= viz_model_nr_steps(m); k++) {
		const struct viz_state *s;
		const struct viz_iter *it;

		ck_assert_int_eq(viz_model_seek(m, k), 0);
		s = viz_model_state(m);
		it = viz_state_iter(s);
		for (size_t c = 0; c < viz_state_nr_calls(s); c++)
			if (viz_state_call(s, c)->kind == VIZ_CALL_BEGIN)
				saw_begin = true;
		if (it->has_dstmap && it->has_srcmap && !both) {
			both = k;
			ck_assert(it->active);
			ck_assert_uint_eq(it->flags, 0x1);          /* WRITE */
			ck_assert_uint_eq(it->dstmap.type, 1);      /* DELALLOC */
			ck_assert_uint_eq(it->dstmap.flags, 0x7);   /* NEW|DIRTY|SHARED */
			ck_assert_uint_eq(it->srcmap.type, 2);      /* MAPPED */
			ck_assert_uint_eq(it->srcmap.addr, 0x19000);
			ck_assert_uint_eq(it->pos, 0x11000);
		}
		ck_assert_uint_eq(viz_state_lacks(s) & VIZ_LACKS_FOLIO_BITS, VIZ_LACKS_FOLIO_BITS);
		ck_assert(viz_state_lacks(s) & VIZ_LACKS_LOCKS);
	}
	ck_assert_uint_gt(both, 0);
	ck_assert(saw_begin); /* begin calls inferred from the dstmaps */
	viz_model_free(m);
	viz_store_free(st);
}
END_TEST

/* vizm-3.2: the reference run of 01-buffered-write-fsync matches its kernel trace; one altered event diverges there. */
START_TEST(vizm_3_2_diverge)
{
	static const char *const cmds[] = { "pwrite -S 0xab -b 65536 0 64k", "fsync",
					    "fiemap -v", "seek -a -r 0", "sync" };
	struct viz_store *k = load_ok(SCENARIO_DIR "/01-buffered-write-fsync/trace.raw");
	struct viz_store *ref = run_cmds(NULL, cmds, 5, NULL);
	struct viz_store *alt = viz_store_new(VIZ_SRC_REFERENCE);
	struct viz_divergence d;
	size_t altered = 0, nr_iter = 0;
	char a[512], b[512];

	ck_assert_int_eq(viz_store_diverge(k, ref, &d), 0);
	if (d.diverged) {
		viz_store_kernel_text(k, d.a_index, a, sizeof(a));
		viz_store_kernel_text(ref, d.b_index, b, sizeof(b));
		ck_abort_msg("diverged at %zu/%zu:\n  kernel: %s\n  ref:    %s", d.a_index,
			     d.b_index, a, b);
	}
	ck_assert_uint_eq(d.nr_same, 19);
	ck_assert_uint_eq(d.a_index, viz_store_count(k));
	/* The normalised text of the first event, from both sides. */
	ck_assert_int_gt(viz_store_kernel_text(k, 1, a, sizeof(a)), 0);
	ck_assert_str_eq(a, "iomap_iter_dstmap: addr 0xffffffffffffffff offset 0x0 length 0x10000 "
			    "type DELALLOC (0x1) flags NEW|DIRTY (0x3)");
	ck_assert_int_gt(viz_store_kernel_text(k, 4, a, sizeof(a)), 0);
	ck_assert_msg(strstr(a, "addr ADDR offset") != NULL, "%s", a);
	/* Alter the third iomap_iter of the reference run. */
	for (size_t i = 0; i < viz_store_count(ref); i++) {
		struct trace_event ev;

		ck_assert_int_eq(viz_store_get(ref, i, &ev), 0);
		if (strcmp(ev.name, "iomap_iter") == 0 && ++nr_iter == 3) {
			for (unsigned f = 0; f < ev.nfields; f++)
				if (strcmp(ev.f[f].key, "pos") == 0)
					ev.f[f].v.u += 0x1000;
			altered = i;
		}
		ck_assert_int_eq(viz_store_append(alt, &ev), 0);
	}
	ck_assert_uint_gt(altered, 0);
	ck_assert_int_eq(viz_store_diverge(k, alt, &d), 0);
	ck_assert(d.diverged);
	ck_assert_uint_eq(d.b_index, altered);
	ck_assert_str_eq(viz_store_name(k, d.a_index), "iomap_iter");
	ck_assert_uint_lt(d.nr_same, 19);
	viz_store_free(alt);
	viz_store_free(ref);
	viz_store_free(k);
}
END_TEST

/* vizm-3.4: viz_store_kernel_text() of every kernel trace is exactly normalize.sh -m's output. */
START_TEST(vizm_3_4_normalise_like_the_script)
{
	static const char *const names[] = { "01-buffered-write-fsync", "08-reflink-unshare",
					     "09-falloc-punch-report", "20-dio-unaligned",
					     "21-dio-dsync-overwrite", "22-dio-reflink-cow",
					     "23-dio-1k-blocks" };

	for (size_t t = 0; t < sizeof(names) / sizeof(names[0]); t++) {
		char path[512], cmd[1200], line[1024], mine[1024];
		struct viz_store *st;
		size_t i = 0;
		FILE *p;

		snprintf(path, sizeof(path), SCENARIO_DIR "/%s/trace.raw", names[t]);
		st = load_ok(path);
		snprintf(cmd, sizeof(cmd), "sh " SCENARIO_DIR "/../normalize.sh -m %s", path);
		p = popen(cmd, "r");
		ck_assert_ptr_nonnull(p);
		while (fgets(line, sizeof(line), p)) {
			line[strcspn(line, "\n")] = '\0';
			ck_assert_msg(i < viz_store_count(st), "%s: more lines than events", path);
			ck_assert_int_gt(viz_store_kernel_text(st, i, mine, sizeof(mine)), 0);
			ck_assert_msg(strcmp(mine, line) == 0, "%s:%zu:\n  mine:   %s\n  script: %s",
				      path, i, mine, line);
			i++;
		}
		ck_assert_int_eq(pclose(p), 0);
		ck_assert_uint_eq(i, viz_store_count(st));
		ck_assert_uint_gt(i, 0);
		viz_store_free(st);
	}
}
END_TEST

/* Write @text to a temporary file; its path in @path. */
static void write_tmp(char *path, size_t len, const char *text)
{
	int fd;
	FILE *f;

	snprintf(path, len, "/tmp/vizm-XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

/* Load @text; expect @want and, if it fails, a message containing @needle. */
static void load_expect(const char *text, int want, const char *needle)
{
	struct viz_store *st = (struct viz_store *)1;
	char path[64], err[256] = "";
	int ret;

	write_tmp(path, sizeof(path), text);
	ret = viz_store_load_file(path, &st, err, sizeof(err));
	unlink(path);
	ck_assert_msg(ret == want, "got %d (%s), want %d", ret, err, want);
	if (want == 0) {
		ck_assert_ptr_nonnull(st);
		viz_store_free(st);
		return;
	}
	ck_assert_ptr_null(st);
	ck_assert_msg(strstr(err, path) && strstr(err, needle), "message '%s' lacks '%s'", err,
		      needle);
}

/* vizm-3.3: trace-cmd report lines, comments and non-iomap events. */
START_TEST(vizm_3_3_kernel_text_variants)
{
	load_expect("# tracer: nop\n#\n"
		    "          xfs_io-9851    [000] .....   325.838062: iomap_iter: dev 7:0 ino 0x83 "
		    "pos 0x0 length 0x0 status 0 flags WRITE (0x1) ops 0xffffffff82469ab0 caller "
		    "iomap_file_buffered_write+0xcf/0x470\n"
		    "          xfs_io-9851    [000] .....   325.838070: sched_switch: prev=a\n",
		    0, "");
	/* trace-cmd report: no flags column, a cpus= header. */
	load_expect("cpus=2\n"
		    "          xfs_io-9851  [000]   325.838068: iomap_iter_dstmap:    dev 7:0 ino 0x83 "
		    "bdev 7:0 addr 0xffffffffffffffff offset 0x0 length 0x10000 type DELALLOC (0x1) "
		    "flags NEW|DIRTY (0x3)\n",
		    0, "");
	load_expect("          kworker/u8:1-77 [000] .....   1.000000: iomap_dio_rw_begin: dev 7:1 "
		    "ino 0x83 size 0x0 offset 0x0 length 0x4000 done_before 0x0 flags DIRECT "
		    "dio_flags  aio 0\n",
		    0, "");
}
END_TEST

#define KL(us) "  xfs_io-1 [000] ..... 1.00000" #us ": "
#define K_ITER(us, pos, len) KL(us) "iomap_iter: dev 7:0 ino 0x83 pos " pos " length " len \
	" status 0 flags WRITE (0x1) ops 0xffffffff82469ab0 caller iomap_file_buffered_write+0xcf/0x470\n"
#define K_MAP(us, off, len) KL(us) "iomap_iter_dstmap: dev 7:0 ino 0x83 bdev 7:0 addr 0x100000 " \
	"offset " off " length " len " type MAPPED (0x2) flags  (0x0)\n"

/* Load kernel text @text into a store; *ret gets the result, @err its message. */
static struct viz_store *load_text(const char *text, char *err, size_t errlen, int *ret)
{
	struct viz_store *st = NULL;
	char path[64];

	write_tmp(path, sizeof(path), text);
	*ret = viz_store_load_file(path, &st, err, errlen);
	unlink(path);
	return st;
}

/*
 * vizm-3.5: a kernel trace's operations: step over stops just before the
 * next iomap_iter that starts a new iteration (one after an iomap_iter of
 * length 0 that no mapping followed), which is no STALE re-lookup; the
 * inferred ->iomap_begin shows the iterator's length, not the mapping's,
 * and says it is inferred.
 */
START_TEST(vizm_3_5_kernel_operations)
{
	static const char text[] =
		K_ITER(1, "0x0", "0x0")             /* 0: call 1 starts at 0 */
		K_MAP(2, "0x0", "0x100000")         /* 1: a 1 MiB extent */
		K_ITER(3, "0x1000", "0x0")          /* 2: call 1 ends */
		K_ITER(4, "0x1000", "0x1000")       /* 3: call 2, same pos */
		K_MAP(5, "0x0", "0x100000")         /* 4 */
		K_ITER(6, "0x2000", "0x0");         /* 5: call 2 ends */
	char err[256];
	int ret;
	struct viz_store *st = load_text(text, err, sizeof(err), &ret);
	struct viz_model *m;
	const struct viz_state *s;
	const struct viz_call *c;

	ck_assert_msg(ret == 0, "%s", err);
	ck_assert_uint_eq(viz_store_count(st), 6);
	m = viz_model_new(st);
	ck_assert_uint_eq(viz_model_step_over(m, 0), 3);
	ck_assert_uint_eq(viz_model_step_over(m, 2), 3);
	ck_assert_uint_eq(viz_model_step_over(m, 3), 6);
	ck_assert_uint_eq(viz_model_step_over(m, 6), 6);
	ck_assert_int_eq(viz_model_seek(m, 5), 0);
	s = viz_model_state(m);
	ck_assert_uint_eq(viz_state_iter(s)->nr_stale, 0);
	ck_assert_uint_eq(viz_state_iter(s)->op_pos, 0x1000);   /* a new operation */
	ck_assert_uint_eq(viz_state_iter(s)->nr_begin, 1);
	c = viz_state_call(s, 1);
	ck_assert_int_eq(c->kind, VIZ_CALL_BEGIN);
	ck_assert(c->inferred);
	ck_assert_uint_eq(c->pos, 0x1000);
	ck_assert_uint_eq(c->length, 0x1000);                   /* not 1 MiB */
	ck_assert(!viz_state_call(s, 0)->inferred);
	viz_model_free(m);
	viz_store_free(st);
}
END_TEST

/*
 * vizm-3.6: kernel text a real capture has: `CPU:N [LOST M EVENTS]` lines
 * (counted), an older kernel's iomap_iter without `status` and a newer
 * one's extra key (matched by name), a last line cut short (dropped with
 * a warning); a clean file has no warning.
 */
START_TEST(vizm_3_6_kernel_text_tolerance)
{
	static const char text[] =
		KL(1) "iomap_iter: dev 7:0 ino 0x83 pos 0x0 length 0x0 flags WRITE (0x1) "
		"ops 0xffffffff82469ab0 caller iomap_file_buffered_write+0xcf/0x470\n"
		"CPU:1 [LOST 1234 EVENTS]\n"
		KL(2) "iomap_iter_dstmap: dev 7:0 ino 0x83 bdev 7:0 addr 0x100000 offset 0x0 "
		"length 0x1000 type MAPPED (0x2) flags  (0x0) seq 0x5 gen 7\n"
		"CPU:0 [LOST 6 EVENTS]\n"
		KL(3) "iomap_iter: dev 7:0 ino 0x83 pos 0x1000 len";
	char err[256];
	int ret;
	struct viz_store *st = load_text(text, err, sizeof(err), &ret);
	struct trace_event ev;
	bool has_status = false;

	ck_assert_msg(ret == 0, "%s", err);
	ck_assert_uint_eq(viz_store_count(st), 2);
	ck_assert_uint_eq(viz_store_lost_events(st), 1240);
	ck_assert_ptr_nonnull(viz_store_warning(st));
	ck_assert_msg(strstr(viz_store_warning(st), ":5:") &&
		      strstr(viz_store_warning(st), "no newline"), "%s", viz_store_warning(st));
	ck_assert_int_eq(viz_store_get(st, 0, &ev), 0);
	for (unsigned f = 0; f < ev.nfields; f++)
		has_status |= strcmp(ev.f[f].key, "status") == 0;
	ck_assert(!has_status);
	ck_assert_int_eq(viz_store_get(st, 1, &ev), 0);
	ck_assert_uint_eq(ev.nfields, 6);  /* bdev addr offset length type flags; seq, gen skipped */
	viz_store_free(st);
	st = load_text(KL(4) "iomap_iter: dev 7:0 ino 0x83 pos 0x0 length 0x0 status 0 flags WRITE "
		       "(0x1) ops 0xffffffff82469ab0 caller f+0x1/0x2\n", err, sizeof(err), &ret);
	ck_assert_int_eq(ret, 0);
	ck_assert_ptr_null(viz_store_warning(st));
	ck_assert_uint_eq(viz_store_lost_events(st), 0);
	viz_store_free(st);
	/* A cut-short line that is not the last one is still an error. */
	load_expect(KL(5) "iomap_iter: dev 7:0 ino 0x83 pos 0x1000 len\n" K_MAP(2, "0x0", "0x1000"),
		    -EINVAL, ":1:");
}
END_TEST

/* vizm-3.7: one trace a prefix of the other: diverged, and the side that ran out says so. */
START_TEST(vizm_3_7_diverge_prefix)
{
	char err[256];
	int ret;
	struct viz_store *a = load_text(K_ITER(1, "0x0", "0x0") K_MAP(2, "0x0", "0x1000"), err,
					sizeof(err), &ret);
	struct viz_store *b = load_text(K_ITER(1, "0x0", "0x0"), err, sizeof(err), &ret);
	struct viz_divergence d;

	ck_assert_int_eq(viz_store_diverge(a, b, &d), 0);
	ck_assert(d.diverged);
	ck_assert(!d.a_ended);
	ck_assert(d.b_ended);
	ck_assert_uint_eq(d.a_index, 1);
	ck_assert_uint_eq(d.b_index, 1);
	ck_assert_uint_eq(d.nr_same, 1);
	ck_assert_int_eq(viz_store_diverge(b, a, &d), 0);
	ck_assert(d.a_ended && !d.b_ended);
	ck_assert_int_eq(viz_store_diverge(a, a, &d), 0);
	ck_assert(!d.diverged && !d.a_ended && !d.b_ended);
	viz_store_free(a);
	viz_store_free(b);
}
END_TEST

/* ---- vizm-4: files -------------------------------------------------------------- */

/*
 * vizm-3.8: a kernel trace's operations are found when the events are
 * appended: viz_model_op_step() lands just after the iomap_iter that
 * starts each iteration (the same ones step over stops before), and a
 * call of another caller starts one even at a later pos.
 */
START_TEST(vizm_3_8_kernel_op_steps)
{
	static const char text[] =
		K_ITER(1, "0x0", "0x0")             /* 0: operation 0 */
		K_MAP(2, "0x0", "0x100000")         /* 1 */
		K_ITER(3, "0x1000", "0x0")          /* 2: it ends */
		K_ITER(4, "0x1000", "0x1000")       /* 3: operation 1 */
		K_MAP(5, "0x0", "0x100000")         /* 4 */
		KL(6) "iomap_iter: dev 7:0 ino 0x83 pos 0x3000 length 0x1000 status 0 flags WRITE (0x1) "
		"ops 0xffffffff82469ab0 caller iomap_zero_range+0x10/0x20\n"; /* 5: operation 2 */
	char err[256];
	int ret;
	struct viz_store *st = load_text(text, err, sizeof(err), &ret);
	struct viz_model *m;

	ck_assert_msg(ret == 0, "%s", err);
	ck_assert_uint_eq(viz_store_count(st), 6);
	m = viz_model_new(st);
	ck_assert_uint_eq(viz_model_op_step(m, 0), 1);
	ck_assert_uint_eq(viz_model_op_step(m, 1), 4);
	ck_assert_uint_eq(viz_model_op_step(m, 2), 6);
	ck_assert_uint_eq(viz_model_op_step(m, 3), 6);          /* none: nr_steps */
	ck_assert_uint_eq(viz_model_step_over(m, 3), 5);
	ck_assert_uint_eq(viz_model_step_over(m, 5), 6);
	/* The fold agrees: step 6 shows operation 2's iterator alone. */
	ck_assert_int_eq(viz_model_seek(m, 6), 0);
	ck_assert_uint_eq(viz_state_iter(viz_model_state(m))->op_pos, 0x3000);
	ck_assert_str_eq(viz_state_iter(viz_model_state(m))->caller, "iomap_zero_range");
	viz_model_free(m);
	viz_store_free(st);
}
END_TEST

/* vizm-4.1: a recording written by the recording sink loads back to the same events and states. */
START_TEST(vizm_4_1_recording_round_trip)
{
	char path[64];
	FILE *f;
	struct viz_store *live, *loaded;
	struct viz_model *ml, *mr;
	char a[512], b[512];
	int fd;

	snprintf(path, sizeof(path), "/tmp/vizm-rec-XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	live = run_cmds(NULL, long_run, 3, f);
	fclose(f);
	loaded = load_ok(path);
	unlink(path);
	ck_assert_int_eq(viz_store_source(loaded), VIZ_SRC_REFERENCE);
	ck_assert_uint_eq(viz_store_count(loaded), viz_store_count(live));
	for (size_t i = 0; i < viz_store_count(live); i++) {
		viz_store_format(live, i, a, sizeof(a));
		viz_store_format(loaded, i, b, sizeof(b));
		ck_assert_str_eq(a, b);
	}
	ml = viz_model_new(live);
	mr = viz_model_new(loaded);
	ck_assert_int_eq(viz_model_seek(ml, viz_model_nr_steps(ml)), 0);
	ck_assert_int_eq(viz_model_seek(mr, viz_model_nr_steps(mr)), 0);
	ck_assert(viz_state_hash(viz_model_state(ml)) == viz_state_hash(viz_model_state(mr)));
	viz_model_free(ml);
	viz_model_free(mr);
	viz_store_free(live);
	viz_store_free(loaded);
}
END_TEST

/* vizm-4.2: malformed recording / kernel text / missing file: the right -errno, the line named;
 * vizm-4.3: a recording whose last line has no newline is refused. */
START_TEST(vizm_4_2_bad_files)
{
	struct viz_store *st = (struct viz_store *)1;
	char err[256];

	ck_assert_int_eq(viz_store_load_file("/nonexistent/vizm.rec", &st, err, sizeof(err)),
			 -ENOENT);
	ck_assert_ptr_null(st);
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent/vizm.rec"));
	/* a directory opens but cannot be read: said as such */
	ck_assert_int_eq(viz_store_load_file("/", &st, err, sizeof(err)), -EISDIR);
	ck_assert_ptr_null(st);
	ck_assert_ptr_nonnull(strstr(err, "Is a directory"));
	/* recordings */
	load_expect(RECORDING_HEADER "\n"
		    "E 0 1000000000 1 iomap-io 0:0 0x0 op_begin op=\"x\"\n"
		    "E 1 1000001000 1 iomap-io 0:0 0x0 op_end op=\"x\" ret=zz\n",
		    -EINVAL, ":3:");
	load_expect("# iomap-ref recording v9\n", -EINVAL, ":1:");
	load_expect(RECORDING_HEADER "\nE 0 1000000000 1 iomap-io 0:0 0x0 op_begin op=\"x\n",
		    -EINVAL, ":2:");
	load_expect("", -EINVAL, ":1:");
	/* vizm-4.3: a recording cut mid-line (the writer always ends lines) */
	load_expect(RECORDING_HEADER "\nE 0 1000000000 1 iomap-io 0:0 0x0 op_begin op=\"x\"\n"
		    "E 1 1000001000 1 iomap-io 0:0 0x0 op_end op=\"x\" ret=0",
		    -EINVAL, ":3: truncated line (no newline at end of file)");
	load_expect(RECORDING_HEADER, -EINVAL, ":1: truncated line");
	/* kernel text */
	load_expect("hello world\n", -EINVAL, ":1: not a kernel trace line");
	load_expect("# tracer: nop\n"
		    "  xfs_io-1 [000] ..... 1.000000: iomap_iter: dev 7:0 ino 0x83 pos 0x0 "
		    "length 0x0 status 0 flags WRITE ops 0xffffffff82469ab0 caller f+0x1/0x2\n",
		    -EINVAL, ":2: iomap_iter: flags");
	load_expect("  xfs_io-1 [000] ..... 1.000000: iomap_iter_dstmap: dev 7:0 ino 0x83 bdev 7:0 "
		    "addr 0xzz offset 0x0 length 0x1000 type HOLE (0x0) flags  (0x0)\n",
		    -EINVAL, ":1: iomap_iter_dstmap: addr");
	load_expect("  xfs_io-1 [000] ..... 1.000000: iomap_readpage: dev 7:0 ino 0x83 nr_pages 1 "
		    "extra\n",
		    -EINVAL, "unexpected");
	load_expect("  xfs_io-1 [000] ..... nonsense: iomap_readpage: dev 7:0 ino 0x83 nr_pages 1\n",
		    -EINVAL, "SECONDS");
}
END_TEST

static Suite *model_suite(void)
{
	Suite *s = suite_create("viz-model");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, vizm_1_1_write_folio_and_dstmap);
	tcase_add_test(tc, vizm_1_2_subblock_write);
	tcase_add_test(tc, vizm_1_3_after_fsync);
	tcase_add_test(tc, vizm_1_4_locks);
	tcase_add_test(tc, vizm_1_5_stale_overlap_split);
	tcase_add_test(tc, vizm_1_6_no_false_stale);
	tcase_add_test(tc, vizm_1_7_failed_bio_run);
	tcase_add_test(tc, vizm_1_8_unwritten_converted);
	tcase_add_test(tc, vizm_1_9_in_flight_across_ops);
	tcase_add_test(tc, vizm_1_10_state_machines);
	tcase_add_test(tc, vizm_1_11_pending_dio_per_thread);
	tcase_add_test(tc, vizm_1_12_dio_conversion);
	tcase_add_test(tc, vizm_2_1_back_equals_forward);
	tcase_add_test(tc, vizm_2_2_navigation);
	tcase_add_test(tc, vizm_2_3_growing_store);
	tcase_add_test(tc, vizm_3_1_kernel_reflink_unshare);
	tcase_add_test(tc, vizm_3_2_diverge);
	tcase_add_test(tc, vizm_3_3_kernel_text_variants);
	tcase_add_test(tc, vizm_3_4_normalise_like_the_script);
	tcase_add_test(tc, vizm_3_5_kernel_operations);
	tcase_add_test(tc, vizm_3_6_kernel_text_tolerance);
	tcase_add_test(tc, vizm_3_7_diverge_prefix);
	tcase_add_test(tc, vizm_3_8_kernel_op_steps);
	tcase_add_test(tc, vizm_4_1_recording_round_trip);
	tcase_add_test(tc, vizm_4_2_bad_files);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(model_suite());
}
