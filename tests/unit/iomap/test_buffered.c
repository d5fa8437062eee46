/*
 * test_buffered.c — the page cache side of iomap (operations.rst, "Buffered
 * I/O"): per-block folio state, reads, writes, zeroing, unsharing and the
 * a_ops helpers of core/iomap/buffered-io.c, over tablefs on a real RAM
 * block device (optionally behind the fault backend).
 *
 * Areas (test IDs):
 *   ifs-1.*    per-block uptodate/dirty bitmaps after writes at block-1,
 *              block, block+1 and folio edges, for 512 B, 1 KiB and 4 KiB
 *              blocks in 4 KiB and 64 KiB folios (exact bit strings), and
 *              the `folio_state` event that carries them
 *   ifs-2.*    iomap_dirty_folio, iomap_release_folio, iomap_invalidate_folio
 *   bread-1.*  iomap_read_folio / iomap_readahead: holes and unwritten space
 *              without bios, mapped blocks in as few bios as contiguity
 *              allows, uptodate blocks not read again, read errors leave
 *              the blocks !uptodate, iomap_is_partially_uptodate
 *   bwrite-1.* iomap_file_buffered_write: read-modify-write of exactly the
 *              partial edge blocks, i_size, one large folio per 64 KiB
 *              write, short copy at a fault, validity cookie (STALE ->
 *              re-map), IOCB_NOWAIT, delalloc punching after a short write
 *   zero-1.*   iomap_zero_range / iomap_truncate_page / iomap_file_unshare:
 *              the bytes on the device after writeback, and the kernel
 *              `iomap_zero_iter` event
 *
 * Writeback uses iomap_writepages (core/iomap/ioend.c) with a ->map_blocks
 * over the tablefs table; every test checks ifs_check() after each step.
 * Device regions a test checks are pre-filled with 0xAA.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <iomap/iomap.h>
#include <iomap/trace.h>

#include "../../../core/iomap/internal.h"
#include "../testutil.h"
#include "backends/backend.h"
#include "tablefs.h"

#define K 1024ll
#define M (1024ll * 1024ll)
#define DEV_SIZE (4 * M)
#define ADDR_A (1 * M)
#define ADDR_B (2 * M)

static struct env {
	struct tablefs t;
	struct backend *be;  /* the device (fault backend on top if asked) */
	struct trace_sink *sink;
	unsigned begins;     /* ->iomap_begin calls through test_ops */
	uint64_t seq;        /* the "extent map" sequence for the validity cookie */
	bool bump_in_get_folio; /* change the map once between begin and folio lock */
	unsigned punches;
	loff_t punch_off[8], punch_len[8];
	bool unshare_src;    /* give SHARED mappings a MAPPED srcmap at ADDR_A */
	unsigned ends;       /* ->iomap_end calls through test_ops */
	ssize_t end_written[8];
} E;

/* ---------------------------------------------------------------------- */
/* Filesystem side                                                         */
/* ---------------------------------------------------------------------- */

static bool test_iomap_valid(struct inode *inode, const struct iomap *iomap)
{
	(void)inode;
	return iomap->validity_cookie == E.seq;
}

static struct folio *test_get_folio(struct iomap_iter *iter, loff_t pos, unsigned len)
{
	struct folio *folio;
	int err;

	/* Someone changes the extent map after ->iomap_begin sampled it. */
	if (E.bump_in_get_folio) {
		E.bump_in_get_folio = false;
		E.seq++;
	}
	err = __filemap_get_folio(iter->inode->i_mapping, (pgoff_t)(pos >> PAGE_SHIFT),
				  FGP_LOCK | FGP_WRITE | FGP_CREAT, 0, &folio);
	(void)len;
	return err ? ERR_PTR(err) : folio;
}

static const struct iomap_folio_ops test_folio_ops = {
	.iomap_valid = test_iomap_valid,
};

static const struct iomap_folio_ops test_folio_ops_get = {
	.get_folio = test_get_folio,
	.iomap_valid = test_iomap_valid,
};

static const struct iomap_folio_ops *use_folio_ops;

static int test_begin(struct inode *inode, loff_t pos, loff_t length, unsigned flags,
		      struct iomap *iomap, struct iomap *srcmap)
{
	int ret = tablefs_ops.iomap_begin(inode, pos, length, flags, iomap, srcmap);

	E.begins++;
	iomap->folio_ops = use_folio_ops;
	iomap->validity_cookie = E.seq;
	if (!ret && E.unshare_src && (flags & IOMAP_UNSHARE) && (iomap->flags & IOMAP_F_SHARED)) {
		srcmap->offset = iomap->offset;
		srcmap->length = iomap->length;
		srcmap->type = IOMAP_MAPPED;
		srcmap->addr = ADDR_A + (uint64_t)iomap->offset;
		srcmap->bdev = iomap->bdev;
	}
	return ret;
}

static void test_punch(struct inode *inode, loff_t off, loff_t len, struct iomap *iomap)
{
	(void)inode;
	(void)iomap;
	if (E.punches < 8) {
		E.punch_off[E.punches] = off;
		E.punch_len[E.punches] = len;
	}
	E.punches++;
}

static int test_end(struct inode *inode, loff_t pos, loff_t length, ssize_t written,
		    unsigned flags, struct iomap *iomap)
{
	if (E.ends < 8)
		E.end_written[E.ends] = written;
	E.ends++;
	if (flags & IOMAP_WRITE)
		iomap_file_buffered_write_punch_delalloc(inode, pos, length, written, flags, iomap,
							 test_punch);
	return 0;
}

static const struct iomap_ops test_ops = {
	.iomap_begin = test_begin,
	.iomap_end = test_end,
	.name = "test_ops",
};

static int wb_map_blocks(struct iomap_writepage_ctx *wpc, struct inode *inode, loff_t offset,
			 unsigned len)
{
	struct iomap srcmap = { 0 };

	memset(&wpc->iomap, 0, sizeof(wpc->iomap));
	return tablefs_ops.iomap_begin(inode, offset, len, IOMAP_WRITE, &wpc->iomap, &srcmap);
}

static const struct iomap_writeback_ops wb_ops = {
	.map_blocks = wb_map_blocks,
};

static int test_writepages(struct address_space *mapping, struct writeback_control *wbc)
{
	struct iomap_writepage_ctx wpc;

	memset(&wpc, 0, sizeof(wpc));
	return iomap_writepages(mapping, wbc, &wpc, &wb_ops);
}

static int test_read_folio(struct file *file, struct folio *folio)
{
	(void)file;
	return iomap_read_folio(folio, &test_ops);
}

static void test_readahead(struct readahead_control *rac)
{
	iomap_readahead(rac, &test_ops);
}

static const struct address_space_operations test_aops = {
	.read_folio = test_read_folio,
	.readahead = test_readahead,
	.writepages = test_writepages,
	.is_partially_uptodate = iomap_is_partially_uptodate,
	.dirty_folio = iomap_dirty_folio,
	.release_folio = iomap_release_folio,
	.invalidate_folio = iomap_invalidate_folio,
};

/* ---------------------------------------------------------------------- */
/* Fixture and helpers                                                     */
/* ---------------------------------------------------------------------- */

static void open_dev(bool fault, unsigned blkbits, loff_t size)
{
	struct backend *b;
	unsigned char *fill = malloc(2 * M);

	kernel_set_exec_mode(EXEC_DETERMINISTIC);
	tablefs_init(&E.t, blkbits, size);
	E.t.inode.i_mapping->a_ops = &test_aops;
	b = backend_ram_new(DEV_SIZE, 512);
	ck_assert_ptr_nonnull(b);
	memset(fill, 0xAA, 2 * M);
	ck_assert_int_eq(backend_rw_sync(b, BACKEND_WRITE, ADDR_A, fill, 2 * M, 0), 0);
	free(fill);
	if (fault) {
		b = backend_fault_new(b);
		ck_assert_ptr_nonnull(b);
	}
	E.be = b;
	ck_assert_int_eq(tablefs_open_bdev(&E.t, b), 0);
}

static void setup(void)
{
	memset(&E, 0, sizeof(E));
	use_folio_ops = NULL;
	trace_reset_clock();
	E.sink = trace_memsink_new();
	ck_assert_ptr_nonnull(E.sink);
	trace_add_sink(E.sink);
}

static void teardown(void)
{
	if (E.be) {
		blkdev_drain(&E.t.bdev);
		blkdev_run_completions(&E.t.bdev);
		tablefs_close_bdev(&E.t);
		tablefs_destroy(&E.t);
		backend_destroy(E.be);
	}
	trace_remove_sink(E.sink);
	trace_sink_free(E.sink);
}

static struct address_space *mapping(void)
{
	return E.t.inode.i_mapping;
}

static unsigned char pat(loff_t pos, unsigned seed)
{
	return (unsigned char)(((uint64_t)pos * 7 + seed * 31 + (uint64_t)pos / 512) | 1);
}

/* Buffered write of @len pattern bytes at @pos; fault after @fault_at bytes. */
static ssize_t bwrite(loff_t pos, size_t len, unsigned seed, size_t fault_at, unsigned iocb_flags)
{
	unsigned char *buf = malloc(len);
	struct kvec kv = { buf, len };
	struct iov_iter it;
	struct kiocb iocb = { .ki_filp = &E.t.file, .ki_pos = pos, .ki_flags = iocb_flags };
	ssize_t ret;

	for (size_t i = 0; i < len; i++)
		buf[i] = pat(pos + (loff_t)i, seed);
	iov_iter_kvec(&it, ITER_SOURCE, &kv, 1, len);
	it.fault_at = fault_at;
	ret = iomap_file_buffered_write(&iocb, &it, &test_ops);
	if (ret > 0)
		ck_assert_int_eq(iocb.ki_pos, pos + ret);
	free(buf);
	return ret;
}

/* The folio covering @pos (a reference the caller drops), or NULL. */
static struct folio *folio_at(loff_t pos)
{
	return filemap_get_folio(mapping(), (pgoff_t)(pos >> PAGE_SHIFT));
}

/* "0101..." strings of a folio's uptodate and dirty bits. */
static void bits(struct folio *folio, char *up, char *dirty)
{
	struct iomap_folio_state *ifs = folio_ifs(folio);
	unsigned n = i_blocks_per_folio(&E.t.inode, folio);

	for (unsigned b = 0; b < n; b++) {
		up[b] = (ifs ? ifs_block_is_uptodate(ifs, b) : folio_test(folio, PG_uptodate)) ? '1'
											: '0';
		dirty[b] = (ifs ? ifs_block_is_dirty(folio, ifs, b) : folio_test(folio, PG_dirty))
				   ? '1' : '0';
	}
	up[n] = dirty[n] = '\0';
}

static void check_all_folios(void)
{
	pgoff_t index = 0;
	struct folio *folio;

	while ((folio = filemap_find_next_folio(mapping(), index, ULONG_MAX))) {
		ck_assert_msg(ifs_check(folio) == 0, "ifs invariant (%d) broken at index %lu",
			      ifs_check(folio), (unsigned long)folio->index);
		ck_assert_int_eq(folio_check(folio), 0);
		index = folio->index + folio_nr_pages(folio);
		folio_put(folio);
	}
}

/*
 * Write everything back and wait.  The device's completions are run here
 * before waiting: in deterministic mode nothing else would run them while
 * filemap_write_and_wait_range() sleeps on PG_writeback.
 */
static int flush(void)
{
	struct writeback_control wbc = {
		.range_start = 0,
		.range_end = LLONG_MAX,
		.sync_all = true,
		.nr_to_write = LONG_MAX,
	};
	int ret = test_writepages(mapping(), &wbc), ret2;

	blkdev_drain(&E.t.bdev);
	blkdev_run_completions(&E.t.bdev);
	ret2 = filemap_write_and_wait_range(mapping(), 0, LLONG_MAX);
	check_all_folios();
	return ret ? ret : ret2;
}

static void dev_read(uint64_t addr, void *buf, size_t len)
{
	ck_assert_int_eq(backend_rw_sync(E.be, BACKEND_READ, addr, buf, len, 0), 0);
}

static uint64_t bios(void)
{
	return E.t.bdev.bd_stat_bios;
}

static size_t count_events(const char *name)
{
	size_t n = 0;

	for (size_t i = 0; i < trace_memsink_count(E.sink); i++)
		n += strcmp(trace_memsink_get(E.sink, i)->name, name) == 0;
	return n;
}

static const struct trace_event *last_event(const char *name)
{
	const struct trace_event *found = NULL;

	for (size_t i = 0; i < trace_memsink_count(E.sink); i++)
		if (strcmp(trace_memsink_get(E.sink, i)->name, name) == 0)
			found = trace_memsink_get(E.sink, i);
	return found;
}

/* Read folio @index (order @order, created here) through iomap_read_folio. */
static struct folio *read_folio_at(pgoff_t index, unsigned order)
{
	struct folio *folio;

	ck_assert_int_eq(__filemap_get_folio(mapping(), index, FGP_LOCK | FGP_CREAT, order, &folio),
			 0);
	ck_assert_int_eq(iomap_read_folio(folio, &test_ops), 0);
	blkdev_drain(&E.t.bdev);
	blkdev_run_completions(&E.t.bdev);
	ck_assert(!folio_test(folio, PG_locked));
	ck_assert_int_eq(ifs_check(folio), 0);
	return folio;
}

/* ---------------------------------------------------------------------- */
/* ifs-1: bitmaps after writes                                             */
/* ---------------------------------------------------------------------- */

/*
 * ifs-1.1: table-driven.  For each block size and folio size, a write of
 * one block's length at block-1, block, block+1 and at the folio's last
 * byte, into delalloc space (partial blocks are zeroed, not read), leaves
 * exactly the touched blocks uptodate and dirty.
 */
START_TEST(ifs_1_1_write_bitmaps)
{
	static const unsigned blkbits[] = { 9, 10, 12 };
	static const unsigned orders[] = { 0, 4 };

	for (size_t bi = 0; bi < ARRAY_SIZE(blkbits); bi++) {
		for (size_t oi = 0; oi < ARRAY_SIZE(orders); oi++) {
			size_t bs = (size_t)1 << blkbits[bi];
			size_t fsz = PAGE_SIZE << orders[oi];
			unsigned n = (unsigned)(fsz / bs);
			loff_t offs[] = { (loff_t)bs - 1, (loff_t)bs, (loff_t)bs + 1,
					  (loff_t)fsz - 1 };

			for (size_t k = 0; k < ARRAY_SIZE(offs); k++) {
				loff_t pos = offs[k];
				size_t len = (k == 3) ? 1 : bs;
				char up[256], dirty[256], want[256];
				struct folio *folio;
				unsigned first, last;

				/* one-block folios: only writes inside folio 0 */
				if ((size_t)pos + len > fsz)
					continue;

				setup();
				open_dev(false, blkbits[bi], 0);
				tablefs_add(&E.t, 0, 1 * M, IOMAP_DELALLOC, IOMAP_F_NEW,
					    IOMAP_NULL_ADDR);
				/* The folio exists (empty) before the write. */
				ck_assert_int_eq(__filemap_get_folio(mapping(), 0, FGP_CREAT,
								     orders[oi], &folio), 0);
				ck_assert_uint_eq(folio->order, orders[oi]);
				folio_put(folio);
				ck_assert_int_eq(bwrite(pos, len, 1, SIZE_MAX, 0), (ssize_t)len);
				folio = folio_at(0);
				ck_assert_ptr_nonnull(folio);
				bits(folio, up, dirty);
				first = (unsigned)(pos / (loff_t)bs);
				last = (unsigned)((pos + (loff_t)len - 1) / (loff_t)bs);
				for (unsigned b = 0; b < n; b++)
					want[b] = (b >= first && b <= last) ? '1' : '0';
				want[n] = '\0';
				if (n == 1) /* a one-block folio: its flags are the state */
					ck_assert_ptr_null(folio_ifs(folio));
				ck_assert_msg(strcmp(up, want) == 0,
					      "bs %zu folio %zu pos %lld: uptodate %s want %s", bs,
					      fsz, (long long)pos, up, want);
				ck_assert_msg(strcmp(dirty, want) == 0,
					      "bs %zu folio %zu pos %lld: dirty %s want %s", bs, fsz,
					      (long long)pos, dirty, want);
				ck_assert_int_eq(ifs_check(folio), 0);
				ck_assert_msg(folio_test(folio, PG_dirty), "bs %zu folio %zu pos %lld: clean",
					      bs, fsz, (long long)pos);
				ck_assert_int_eq(folio_test(folio, PG_uptodate),
						 n == 1 || strchr(want, '0') == NULL);
				/* zeroed, not garbage, around the write in touched blocks */
				for (loff_t b = (loff_t)first * (loff_t)bs;
				     b < (loff_t)(last + 1) * (loff_t)bs && (size_t)b < fsz; b++) {
					unsigned char c = ((unsigned char *)folio->data)[b];
					bool in = b >= pos && b < pos + (loff_t)len;

					ck_assert_int_eq(c, in ? pat(b, 1) : 0);
				}
				ck_assert_int_eq(i_size_read(&E.t.inode), pos + (loff_t)len);
				folio_put(folio);
				teardown();
			}
		}
	}
}
END_TEST

/* ifs-1.2: the folio_state event carries the same bit strings. */
START_TEST(ifs_1_2_folio_state_event)
{
	const struct trace_event *ev;

	open_dev(false, 10, 0);
	tablefs_add(&E.t, 0, 1 * M, IOMAP_DELALLOC, IOMAP_F_NEW, IOMAP_NULL_ADDR);
	ck_assert_int_eq(bwrite(1024, 1024, 1, SIZE_MAX, 0), 1024);
	ev = last_event("folio_state");
	ck_assert_ptr_nonnull(ev);
	ck_assert_str_eq(trace_field_get(ev, "uptodate")->v.str, "0100");
	ck_assert_str_eq(trace_field_get(ev, "dirty")->v.str, "0100");
	ck_assert_str_eq(trace_field_get(ev, "why")->v.str, "write");
	ck_assert(strstr(trace_field_get(ev, "flags")->v.str, "dirty") != NULL);
	ck_assert(strstr(trace_field_get(ev, "flags")->v.str, "locked") != NULL);
}
END_TEST

/* ifs-1.3: a 64 KiB write on a large-folio mapping becomes one 64 KiB folio
 * without per-block state (all of it is written). */
START_TEST(ifs_1_3_large_write_one_folio)
{
	struct folio *folio;

	open_dev(false, 12, 0);
	tablefs_add(&E.t, 0, 1 * M, IOMAP_DELALLOC, IOMAP_F_NEW, IOMAP_NULL_ADDR);
	ck_assert_int_eq(bwrite(0, 64 * K, 1, SIZE_MAX, 0), 64 * K);
	folio = folio_at(0);
	ck_assert_uint_eq(folio->order, 4);
	ck_assert_ptr_null(folio_ifs(folio));
	ck_assert(folio_test(folio, PG_uptodate) && folio_test(folio, PG_dirty));
	ck_assert_uint_eq(E.begins, 1);
	folio_put(folio);
}
END_TEST

/* ---------------------------------------------------------------------- */
/* ifs-2: a_ops helpers                                                    */
/* ---------------------------------------------------------------------- */

/* ifs-2.1: dirty_folio dirties every block; release refuses a dirty folio,
 * frees the state of a clean one; invalidate of the whole folio frees it,
 * of a part keeps it. */
START_TEST(ifs_2_1_dirty_release_invalidate)
{
	struct folio *folio;
	char up[64], dirty[64];
	const struct trace_event *ev;

	open_dev(false, 10, 16 * K);
	tablefs_add(&E.t, 0, 16 * K, IOMAP_MAPPED, 0, ADDR_A);
	folio = read_folio_at(0, 0);
	ck_assert(folio_test(folio, PG_uptodate));
	ck_assert_ptr_nonnull(folio_ifs(folio));
	folio_lock(folio);
	ck_assert(iomap_dirty_folio(mapping(), folio));
	bits(folio, up, dirty);
	ck_assert_str_eq(dirty, "1111");
	ck_assert_int_eq(ifs_check(folio), 0);
	ck_assert(!iomap_release_folio(folio));
	ck_assert_ptr_nonnull(folio_ifs(folio));
	ev = last_event("iomap_release_folio");
	ck_assert_ptr_nonnull(ev);
	ck_assert_uint_eq(trace_field_get(ev, "length")->v.u, 4096);
	folio_unlock(folio);
	ck_assert_int_eq(flush(), 0);
	folio_lock(folio);
	ck_assert(!folio_test(folio, PG_dirty));
	iomap_invalidate_folio(folio, 1024, 1024); /* part: state stays */
	ck_assert_ptr_nonnull(folio_ifs(folio));
	ev = last_event("iomap_invalidate_folio");
	ck_assert_uint_eq(trace_field_get(ev, "offset")->v.u, 1024);
	ck_assert(iomap_release_folio(folio));
	ck_assert_ptr_null(folio_ifs(folio));
	ck_assert(iomap_dirty_folio(mapping(), folio)); /* state comes back, all dirty */
	bits(folio, up, dirty);
	ck_assert_str_eq(up, "1111");
	ck_assert_str_eq(dirty, "1111");
	iomap_invalidate_folio(folio, 0, folio_size(folio));
	ck_assert_ptr_null(folio_ifs(folio));
	ck_assert(!folio_test(folio, PG_dirty));
	folio_unlock(folio);
	folio_put(folio);
}
END_TEST

/* ---------------------------------------------------------------------- */
/* bread-1: reads                                                          */
/* ---------------------------------------------------------------------- */

/* bread-1.1: holes and unwritten blocks read as zeroes without a bio. */
START_TEST(bread_1_1_holes_unwritten_no_io)
{
	struct folio *folio;
	uint64_t before;

	open_dev(false, 10, 64 * K);
	tablefs_add(&E.t, 1 * K, 1 * K, IOMAP_UNWRITTEN, 0, ADDR_A);
	before = bios();
	folio = read_folio_at(0, 0);
	ck_assert_uint_eq(bios(), before);
	ck_assert(folio_test(folio, PG_uptodate));
	for (size_t i = 0; i < 4096; i++)
		ck_assert_int_eq(((unsigned char *)folio->data)[i], 0);
	ck_assert_uint_eq(count_events("iomap_readpage"), 1);
	ck_assert_int_eq(trace_field_get(last_event("iomap_readpage"), "nr_pages")->v.s, 1);
	folio_put(folio);
}
END_TEST

/* bread-1.2: mapped blocks come from the device; contiguous blocks of a
 * mapping in one bio, a discontiguity starts another; holes between are
 * zeroed; blocks past EOF are zeroed. */
START_TEST(bread_1_2_mapped_bios)
{
	struct folio *folio;
	uint64_t before;
	unsigned char *dev = malloc(4096);

	open_dev(false, 10, 3 * K + 512); /* EOF inside block 3 */
	tablefs_add(&E.t, 0, 2 * K, IOMAP_MAPPED, 0, ADDR_A);          /* blocks 0-1 */
	tablefs_add(&E.t, 3 * K, 1 * K, IOMAP_MAPPED, 0, ADDR_A + 64 * K); /* block 3 */
	dev_read(ADDR_A, dev, 2048);
	before = bios();
	folio = read_folio_at(0, 0);
	ck_assert_uint_eq(bios() - before, 2);
	ck_assert(folio_test(folio, PG_uptodate));
	ck_assert_int_eq(memcmp(folio->data, dev, 2048), 0);
	for (size_t i = 2048; i < 3072; i++)
		ck_assert_int_eq(((unsigned char *)folio->data)[i], 0);
	ck_assert_int_eq(((unsigned char *)folio->data)[3072], 0xAA);
	folio_put(folio);
	free(dev);
}
END_TEST

/* bread-1.3: a read error leaves the failed blocks !uptodate (the folio
 * too), zeroed holes uptodate, and the folio unlocked. */
START_TEST(bread_1_3_read_error)
{
	struct folio *folio;
	char up[64], dirty[64];

	open_dev(true, 10, 64 * K);
	tablefs_add(&E.t, 2 * K, 2 * K, IOMAP_MAPPED, 0, ADDR_A);
	fault_set_eio(E.be, BACKEND_READ, FAULT_ONCE, 0);
	folio = read_folio_at(0, 0);
	ck_assert(!folio_test(folio, PG_uptodate));
	bits(folio, up, dirty);
	ck_assert_str_eq(up, "1100");
	ck_assert_str_eq(dirty, "0000");
	/* A second read fetches only the missing blocks and succeeds. */
	folio_lock(folio);
	ck_assert_int_eq(iomap_read_folio(folio, &test_ops), 0);
	blkdev_drain(&E.t.bdev);
	blkdev_run_completions(&E.t.bdev);
	ck_assert(folio_test(folio, PG_uptodate));
	ck_assert_int_eq(((unsigned char *)folio->data)[2048], 0xAA);
	ck_assert_int_eq(ifs_check(folio), 0);
	folio_put(folio);
}
END_TEST

/* bread-1.4: uptodate blocks are not read again; is_partially_uptodate
 * answers per block. */
START_TEST(bread_1_4_partial_uptodate)
{
	struct folio *folio;
	uint64_t before;

	open_dev(false, 10, 64 * K);
	tablefs_add(&E.t, 0, 64 * K, IOMAP_MAPPED, 0, ADDR_A);
	ck_assert_int_eq(bwrite(1024, 1024, 3, SIZE_MAX, 0), 1024); /* block 1 only, no read */
	folio = folio_at(0);
	ck_assert(iomap_is_partially_uptodate(folio, 1024, 1024));
	ck_assert(iomap_is_partially_uptodate(folio, 1100, 10));
	ck_assert(!iomap_is_partially_uptodate(folio, 1000, 100));
	ck_assert(!iomap_is_partially_uptodate(folio, 0, 4096));
	folio_lock(folio);
	before = bios();
	ck_assert_int_eq(iomap_read_folio(folio, &test_ops), 0);
	blkdev_drain(&E.t.bdev);
	blkdev_run_completions(&E.t.bdev);
	/* blocks 0 and 2-3: two bios (block 1 is skipped, not re-read) */
	ck_assert_uint_eq(bios() - before, 2);
	ck_assert(folio_test(folio, PG_uptodate));
	ck_assert_int_eq(((unsigned char *)folio->data)[1024], pat(1024, 3));
	ck_assert_int_eq(((unsigned char *)folio->data)[0], 0xAA);
	ck_assert_int_eq(ifs_check(folio), 0);
	folio_put(folio);
}
END_TEST

/* bread-1.5: readahead over two folios of one contiguous mapping uses one
 * bio and unlocks both folios uptodate. */
START_TEST(bread_1_5_readahead)
{
	struct folio *f[2];
	struct readahead_control rac = { 0 };
	uint64_t before;

	open_dev(false, 12, 64 * K);
	tablefs_add(&E.t, 0, 64 * K, IOMAP_MAPPED, 0, ADDR_A);
	for (int i = 0; i < 2; i++) {
		f[i] = filemap_alloc_folio(0);
		ck_assert_int_eq(filemap_add_folio(mapping(), f[i], (pgoff_t)i), 0);
	}
	rac.mapping = mapping();
	rac._index = 0;
	rac._nr_pages = 2;
	before = bios();
	iomap_readahead(&rac, &test_ops);
	blkdev_drain(&E.t.bdev);
	blkdev_run_completions(&E.t.bdev);
	ck_assert_uint_eq(bios() - before, 1);
	ck_assert_int_eq(trace_field_get(last_event("iomap_readahead"), "nr_pages")->v.s, 2);
	for (int i = 0; i < 2; i++) {
		ck_assert(folio_test(f[i], PG_uptodate));
		ck_assert(!folio_test(f[i], PG_locked));
		ck_assert_int_eq(((unsigned char *)f[i]->data)[100], 0xAA);
		/* our reference went to the request (readahead_folio drops it) */
	}
}
END_TEST

/* ---------------------------------------------------------------------- */
/* bwrite-1: writes                                                        */
/* ---------------------------------------------------------------------- */

/* bwrite-1.1: a write into written data reads its partial edge blocks
 * first: [1124, 3172) over 1 KiB blocks reads blocks 1..3 (the kernel reads
 * the not-uptodate run that starts at the first partial block in one bio),
 * a write with only a partial tail reads just that block, and writeback
 * puts old + new bytes on the device. */
START_TEST(bwrite_1_1_rmw_edges)
{
	unsigned char *dev = malloc(16 * K);
	uint64_t before;

	open_dev(false, 10, 16 * K);
	tablefs_add(&E.t, 0, 16 * K, IOMAP_MAPPED, 0, ADDR_A);
	before = bios();
	ck_assert_int_eq(bwrite(1024 + 100, 2048, 5, SIZE_MAX, 0), 2048); /* blocks 1..3 */
	ck_assert_uint_eq(bios() - before, 1);
	ck_assert_uint_eq(trace_field_get(last_event("bio_submit"), "size")->v.u, 3072);
	ck_assert_uint_eq(trace_field_get(last_event("bio_submit"), "sector")->v.u,
			  (ADDR_A + 1024) >> 9);
	/* a write ending inside a block reads that block; a write starting
	 * on a block boundary reads from its start when the run is !uptodate
	 * (the same rule, from the kernel's __iomap_write_begin) */
	before = bios();
	ck_assert_int_eq(bwrite(8 * K + 1024, 1034, 5, SIZE_MAX, 0), 1034);
	ck_assert_uint_eq(bios() - before, 1);
	ck_assert_uint_eq(trace_field_get(last_event("bio_submit"), "size")->v.u, 2048);
	ck_assert_uint_eq(trace_field_get(last_event("bio_submit"), "sector")->v.u,
			  (ADDR_A + 9 * K) >> 9);
	/* a write that covers whole blocks only reads nothing */
	before = bios();
	ck_assert_int_eq(bwrite(13 * K, 2048, 6, SIZE_MAX, 0), 2048);
	ck_assert_uint_eq(bios(), before);
	check_all_folios();
	ck_assert_int_eq(flush(), 0);
	dev_read(ADDR_A, dev, 16 * K);
	for (loff_t i = 0; i < 16 * K; i++) {
		bool in = (i >= 1124 && i < 1124 + 2048) || (i >= 9 * K && i < 9 * K + 1034) ||
			  (i >= 13 * K && i < 15 * K);
		unsigned seed = i >= 13 * K ? 6 : 5;

		ck_assert_msg(dev[i] == (in ? pat(i, seed) : 0xAA), "byte %lld", (long long)i);
	}
	free(dev);
}
END_TEST

/* bwrite-1.2: a copy that faults part way writes what was copied, dirties
 * only those blocks, returns the short count; ->iomap_end punches the rest
 * of the fresh delalloc reservation. */
START_TEST(bwrite_1_2_short_write_fault)
{
	struct folio *folio;
	char up[64], dirty[64];

	open_dev(false, 10, 0);
	tablefs_add(&E.t, 0, 16 * K, IOMAP_DELALLOC, IOMAP_F_NEW, IOMAP_NULL_ADDR);
	ck_assert_int_eq(bwrite(0, 16 * K, 2, 5000, 0), 5000);
	ck_assert_int_eq(i_size_read(&E.t.inode), 5000);
	folio = folio_at(4096);
	ck_assert_ptr_nonnull(folio);
	bits(folio, up, dirty);
	ck_assert_msg(strcmp(dirty, "1000") == 0 || strcmp(dirty, "1") == 0, "dirty %s", dirty);
	ck_assert_int_eq(((unsigned char *)folio->data)[5000 - 4096 - 1], pat(4999, 2));
	ck_assert_int_eq(((unsigned char *)folio->data)[5000 - 4096], 0);
	folio_put(folio);
	check_all_folios();
	/* the unused reservation: from the block after the data to the end */
	ck_assert_uint_ge(E.punches, 1);
	ck_assert_int_eq(E.punch_off[0], 5 * K);
	ck_assert_int_eq(E.punch_off[0] + E.punch_len[0], 16 * K);
	/* Nothing readable at all: -EFAULT, nothing changes. */
	ck_assert_int_eq(bwrite(5000, 100, 2, 0, 0), -EFAULT);
	ck_assert_int_eq(i_size_read(&E.t.inode), 5000);
}
END_TEST

/* bwrite-1.3: the mapping changes between ->iomap_begin and the folio
 * lock: IOMAP_F_STALE, a second ->iomap_begin, and the write completes. */
START_TEST(bwrite_1_3_validity_cookie)
{
	open_dev(false, 12, 0);
	tablefs_add(&E.t, 0, 64 * K, IOMAP_DELALLOC, IOMAP_F_NEW, IOMAP_NULL_ADDR);
	use_folio_ops = &test_folio_ops_get;
	E.bump_in_get_folio = true;
	ck_assert_int_eq(bwrite(0, 4096, 1, SIZE_MAX, 0), 4096);
	ck_assert_uint_eq(E.begins, 2);
	ck_assert_uint_eq(E.ends, 2); /* end(0) of the stale mapping, end(4096) */
	ck_assert_int_eq(E.end_written[0], 0);
	ck_assert_int_eq(E.end_written[1], 4096);
	use_folio_ops = &test_folio_ops;
	ck_assert_int_eq(bwrite(4096, 4096, 1, SIZE_MAX, 0), 4096);
	ck_assert_uint_eq(E.begins, 3);
	check_all_folios();
}
END_TEST

/* bwrite-1.4: IOCB_NOWAIT: a locked folio or a needed read gives -EAGAIN
 * and changes nothing. */
START_TEST(bwrite_1_4_nowait)
{
	struct folio *folio;

	open_dev(false, 10, 16 * K);
	tablefs_add(&E.t, 0, 16 * K, IOMAP_MAPPED, 0, ADDR_A);
	/* the partial block 0 would have to be read */
	ck_assert_int_eq(bwrite(100, 100, 1, SIZE_MAX, IOCB_NOWAIT), -EAGAIN);
	/* a folio someone holds locked */
	ck_assert_int_eq(__filemap_get_folio(mapping(), 1, FGP_LOCK | FGP_CREAT, 0, &folio), 0);
	ck_assert_int_eq(bwrite(4096, 4096, 1, SIZE_MAX, IOCB_NOWAIT), -EAGAIN);
	folio_unlock(folio);
	folio_put(folio);
	ck_assert_int_eq(bwrite(4096, 4096, 1, SIZE_MAX, IOCB_NOWAIT), 4096);
	ck_assert_int_eq(i_size_read(&E.t.inode), 16 * K);
	check_all_folios();
}
END_TEST

/* ---------------------------------------------------------------------- */
/* zero-1: zeroing, truncate_page, unshare                                 */
/* ---------------------------------------------------------------------- */

/* zero-1.1: zeroing written data goes through folios (edge blocks read)
 * and reaches the device at writeback; the kernel event per folio chunk. */
START_TEST(zero_1_1_mapped_through_folios)
{
	unsigned char *dev = malloc(64 * K);
	bool did_zero = false;
	const struct trace_event *ev;

	open_dev(false, 10, 64 * K);
	tablefs_add(&E.t, 0, 64 * K, IOMAP_MAPPED, 0, ADDR_A);
	ck_assert_int_eq(iomap_zero_range(&E.t.inode, 1000, 8000, &did_zero, &test_ops), 0);
	ck_assert(did_zero);
	ck_assert_uint_eq(count_events("iomap_zero_iter"), 3); /* folios 0, 1, 2 */
	ev = last_event("iomap_zero_iter");
	ck_assert_uint_eq(trace_field_get(ev, "offset")->v.u, 8192);
	ck_assert_uint_eq(trace_field_get(ev, "length")->v.u, 9000 - 8192);
	check_all_folios();
	/* nothing on the device yet */
	dev_read(ADDR_A, dev, 64 * K);
	ck_assert_int_eq(dev[2000], 0xAA);
	ck_assert_int_eq(flush(), 0);
	dev_read(ADDR_A, dev, 64 * K);
	for (unsigned i = 0; i < 64 * K; i++)
		ck_assert_msg(dev[i] == ((i >= 1000 && i < 9000) ? 0 : 0xAA), "byte %u is 0x%x", i,
			      dev[i]);
	free(dev);
}
END_TEST

/* zero-1.2: truncate_page zeroes from pos to the end of its block only;
 * on a block boundary it does nothing. */
START_TEST(zero_1_2_truncate_page)
{
	unsigned char *dev = malloc(8 * K);
	bool did_zero = false;

	open_dev(false, 10, 8 * K);
	tablefs_add(&E.t, 0, 8 * K, IOMAP_MAPPED, 0, ADDR_A);
	ck_assert_int_eq(iomap_truncate_page(&E.t.inode, 2048, &did_zero, &test_ops), 0);
	ck_assert(!did_zero);
	ck_assert_uint_eq(E.begins, 0);
	ck_assert_int_eq(iomap_truncate_page(&E.t.inode, 2048 + 300, &did_zero, &test_ops), 0);
	ck_assert(did_zero);
	ck_assert_int_eq(flush(), 0);
	dev_read(ADDR_A, dev, 8 * K);
	for (unsigned i = 0; i < 8 * K; i++)
		ck_assert_msg(dev[i] == ((i >= 2348 && i < 3072) ? 0 : 0xAA), "byte %u", i);
	free(dev);
}
END_TEST

/* zero-1.3: holes and unwritten space under a clean cache: no folio. */
START_TEST(zero_1_3_skip_clean)
{
	open_dev(false, 12, 64 * K);
	tablefs_add(&E.t, 0, 32 * K, IOMAP_UNWRITTEN, 0, ADDR_A);
	ck_assert_int_eq(iomap_zero_range(&E.t.inode, 100, 60 * K, NULL, &test_ops), 0);
	ck_assert_ptr_null(filemap_find_next_folio(mapping(), 0, 31));
	ck_assert_uint_eq(count_events("iomap_zero_iter"), 0);
}
END_TEST

/* zero-1.4: unshare copies shared blocks from the source into the new
 * space (read from srcmap, dirtied, written back); unshared ranges are
 * skipped. */
START_TEST(zero_1_4_unshare)
{
	unsigned char *src = malloc(16 * K), *dst = malloc(16 * K);

	open_dev(false, 12, 32 * K);
	/* [0,16k) shared: data at ADDR_A (srcmap), new space at ADDR_B */
	tablefs_add(&E.t, 0, 16 * K, IOMAP_MAPPED, IOMAP_F_SHARED, ADDR_B);
	tablefs_add(&E.t, 16 * K, 16 * K, IOMAP_MAPPED, 0, ADDR_B + 16 * K);
	E.unshare_src = true;
	for (unsigned i = 0; i < 16 * K; i++)
		src[i] = pat(i, 9);
	ck_assert_int_eq(backend_rw_sync(E.be, BACKEND_WRITE, ADDR_A, src, 16 * K, 0), 0);
	ck_assert_int_eq(iomap_file_unshare(&E.t.inode, 0, 64 * K, &test_ops), 0);
	ck_assert_ptr_null(filemap_find_next_folio(mapping(), 4, 7)); /* unshared part skipped */
	check_all_folios();
	ck_assert_int_eq(flush(), 0);
	dev_read(ADDR_B, dst, 16 * K);
	ck_assert_int_eq(memcmp(src, dst, 16 * K), 0);
	/* the iterator saw WRITE|UNSHARE */
	ck_assert_uint_eq(E.t.calls[0].flags, IOMAP_WRITE | IOMAP_UNSHARE);
	free(src);
	free(dst);
}
END_TEST

static Suite *buffered_suite(void)
{
	Suite *s = suite_create("buffered");
	TCase *tc;

#define ADD(name, fn)                                                                              \
	do {                                                                                       \
		tc = tcase_create(name);                                                           \
		tcase_add_checked_fixture(tc, setup, teardown);                                    \
		tcase_add_test(tc, fn);                                                            \
		suite_add_tcase(s, tc);                                                            \
	} while (0)
	tc = tcase_create("ifs-1.1");
	tcase_add_test(tc, ifs_1_1_write_bitmaps); /* runs its own fixture per case */
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	ADD("ifs-1.2", ifs_1_2_folio_state_event);
	ADD("ifs-1.3", ifs_1_3_large_write_one_folio);
	ADD("ifs-2.1", ifs_2_1_dirty_release_invalidate);
	ADD("bread-1.1", bread_1_1_holes_unwritten_no_io);
	ADD("bread-1.2", bread_1_2_mapped_bios);
	ADD("bread-1.3", bread_1_3_read_error);
	ADD("bread-1.4", bread_1_4_partial_uptodate);
	ADD("bread-1.5", bread_1_5_readahead);
	ADD("bwrite-1.1", bwrite_1_1_rmw_edges);
	ADD("bwrite-1.2", bwrite_1_2_short_write_fault);
	ADD("bwrite-1.3", bwrite_1_3_validity_cookie);
	ADD("bwrite-1.4", bwrite_1_4_nowait);
	ADD("zero-1.1", zero_1_1_mapped_through_folios);
	ADD("zero-1.2", zero_1_2_truncate_page);
	ADD("zero-1.3", zero_1_3_skip_clean);
	ADD("zero-1.4", zero_1_4_unshare);
#undef ADD
	return s;
}

int main(void)
{
	return run_suite(buffered_suite());
}
