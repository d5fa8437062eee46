/*
 * test_writeback.c — page cache writeback (iomap_writepages) and ioend
 * chains (operations.rst, "Pagecache Writeback" and "Pagecache Writeback
 * Completion"), over tablefs on a real RAM block device (optionally behind
 * the fault backend).  Folios are created and dirtied directly, so these
 * tests depend only on the page cache and on the ifs helpers of
 * core/iomap/internal.h.
 *
 * Areas (test IDs):
 *   wb-1.*    what reaches the device: data at the mapped addresses, one
 *             ioend (one bio) per contiguous run, ->map_blocks calls and the
 *             kernel trace lines, sub-block folios, EOF, holes
 *   wb-2.*    errors: ->map_blocks failure (discard_folio, clean folio,
 *             -EIO once), a bio that fails (PG_error, mapping error), a
 *             failing ->prepare_ioend (and the write_bytes_pending bias)
 *   wb-3.*    writeback_control: nr_to_write, background vs integrity
 *             passes over folios already under writeback
 *   ioend-1.* iomap_sort_ioends, iomap_ioend_try_merge (and what must not
 *             merge), deferred completion through ->prepare_ioend, a full
 *             bio, completion on the device's completion thread
 *
 * Device bytes are checked by reading the backend directly; regions a test
 * checks are pre-filled with 0xAA so that "zeroed" and "untouched" differ.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
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

/* One test's world: tablefs on a RAM block device, our a_ops and ops. */
static struct env {
	struct tablefs t;
	struct backend *be;
	struct trace_sink *sink;
	/* ->map_blocks */
	unsigned map_calls;  /* calls */
	unsigned lookups;    /* calls that looked the table up */
	loff_t fail_from;    /* fail for offsets in [fail_from, fail_to) */
	loff_t fail_to;
	int fail_error;
	/* ->discard_folio */
	unsigned discards;
	loff_t discard_pos;
	bool discard_saw_writeback; /* PG_writeback still set in ->discard_folio */
	/* ->prepare_ioend: defer completion to done_list */
	bool defer;
	int prepare_error;   /* returned by the first ->prepare_ioend */
	unsigned prepares;
	struct iomap_ioend *done_list;
	pthread_mutex_t done_lock;
} E;

/* ---------------------------------------------------------------------- */
/* The filesystem side: writeback ops over the tablefs table               */
/* ---------------------------------------------------------------------- */

/*
 * ->map_blocks as XFS's xfs_map_blocks does it: keep the cached mapping
 * while it covers @offset (the table never changes during a pass here),
 * else look it up.
 */
static int wb_map_blocks(struct iomap_writepage_ctx *wpc, struct inode *inode, loff_t offset,
			 unsigned len)
{
	struct iomap srcmap = { 0 };

	E.map_calls++;
	if (offset >= E.fail_from && offset < E.fail_to)
		return E.fail_error;
	if (wpc->iomap.length && offset >= wpc->iomap.offset &&
	    (uint64_t)(offset - wpc->iomap.offset) < wpc->iomap.length)
		return 0;
	E.lookups++;
	memset(&wpc->iomap, 0, sizeof(wpc->iomap));
	return tablefs_ops.iomap_begin(inode, offset, len, IOMAP_WRITE, &wpc->iomap, &srcmap);
}

static void wb_discard_folio(struct folio *folio, loff_t pos)
{
	E.discards++;
	E.discard_pos = pos;
	E.discard_saw_writeback = folio_test(folio, PG_writeback);
}

/* A filesystem's own completion: park the ioend for the "workqueue". */
static void wb_deferred_end_io(struct bio *bio)
{
	struct iomap_ioend *ioend = bio->bi_private;

	pthread_mutex_lock(&E.done_lock);
	ioend->io_next = E.done_list;
	E.done_list = ioend;
	pthread_mutex_unlock(&E.done_lock);
}

static int wb_prepare_ioend(struct iomap_ioend *ioend, int status)
{
	if (E.prepares++ == 0 && E.prepare_error)
		return E.prepare_error;
	if (E.defer)
		ioend->io_bio->bi_end_io = wb_deferred_end_io;
	return status;
}

static const struct iomap_writeback_ops wb_ops = {
	.map_blocks = wb_map_blocks,
	.prepare_ioend = wb_prepare_ioend,
	.discard_folio = wb_discard_folio,
};

static int wb_writepages(struct address_space *mapping, struct writeback_control *wbc)
{
	struct iomap_writepage_ctx wpc;

	memset(&wpc, 0, sizeof(wpc));
	return iomap_writepages(mapping, wbc, &wpc, &wb_ops);
}

static const struct address_space_operations wb_aops = {
	.writepages = wb_writepages,
	.invalidate_folio = iomap_invalidate_folio,
};

/* ---------------------------------------------------------------------- */
/* Fixture and helpers                                                     */
/* ---------------------------------------------------------------------- */

static void open_dev(bool fault, bool concurrent, unsigned blkbits, loff_t size)
{
	struct backend *b;

	kernel_set_exec_mode(concurrent ? EXEC_CONCURRENT : EXEC_DETERMINISTIC);
	tablefs_init(&E.t, blkbits, size);
	E.t.inode.i_mapping->a_ops = &wb_aops;
	b = backend_ram_new(DEV_SIZE, 512);
	ck_assert_ptr_nonnull(b);
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
	pthread_mutex_init(&E.done_lock, NULL);
	E.fail_from = E.fail_to = -1;
	trace_reset_clock();
	E.sink = trace_memsink_new();
	ck_assert_ptr_nonnull(E.sink);
	trace_add_sink(E.sink);
}

static void teardown(void)
{
	if (E.be) {
		blkdev_drain(&E.t.bdev);
		tablefs_close_bdev(&E.t);
		backend_destroy(E.be);
		tablefs_destroy(&E.t);
	}
	kernel_set_exec_mode(EXEC_DETERMINISTIC);
	trace_remove_sink(E.sink);
	trace_sink_free(E.sink);
	pthread_mutex_destroy(&E.done_lock);
}

static struct address_space *mapping(void)
{
	return E.t.inode.i_mapping;
}

static unsigned char pat(loff_t pos, unsigned seed)
{
	return (unsigned char)(((uint64_t)pos * 7 + seed * 31 + (uint64_t)pos / 512) | 1);
}

/*
 * Put the folio of @order at page @index in the cache, uptodate, filled
 * with pat(file position, @seed), and mark bytes [off, off + len) of it
 * dirty the way a buffered write would.
 */
static struct folio *dirty_folio(pgoff_t index, unsigned order, size_t off, size_t len,
				 unsigned seed)
{
	struct folio *folio;
	unsigned char *d;

	ck_assert_int_eq(__filemap_get_folio(mapping(), index, FGP_LOCK | FGP_CREAT | FGP_WRITE,
					     order, &folio), 0);
	ck_assert_uint_eq(folio->order, order);
	d = folio->data;
	for (size_t i = 0; i < folio_size(folio); i++)
		d[i] = pat(folio_pos(folio) + (loff_t)i, seed);
	if (i_blocks_per_folio(&E.t.inode, folio) > 1)
		ifs_alloc(&E.t.inode, folio);
	iomap_set_range_uptodate(folio, 0, folio_size(folio));
	iomap_set_range_dirty(folio, off, len);
	folio_mark_dirty(folio);
	folio_unlock(folio);
	folio_put(folio);
	return folio; /* the page cache still holds it */
}

static int writeback(loff_t start, loff_t end, bool sync_all, long nr)
{
	struct writeback_control wbc = {
		.range_start = start, .range_end = end, .sync_all = sync_all, .nr_to_write = nr,
	};

	return wb_writepages(mapping(), &wbc);
}

static void dev_fill(uint64_t off, size_t len, int byte)
{
	void *p = malloc(len);

	memset(p, byte, len);
	ck_assert_int_eq(backend_rw_sync(E.be, BACKEND_WRITE, off, p, len, 0), 0);
	free(p);
}

/* Bytes [off, off + len) of the device (read in whole 512-byte sectors). */
static unsigned char *dev_read(uint64_t off, size_t len)
{
	uint64_t start = off & ~511ull, end = (off + len + 511) & ~511ull;
	unsigned char *p = malloc(end - start), *q = malloc(len ? len : 1);

	ck_assert_int_eq(backend_rw_sync(E.be, BACKEND_READ, start, p, end - start, 0), 0);
	memcpy(q, p + (off - start), len);
	free(p);
	return q;
}

/* The device holds pat(file pos, seed) for file range [pos, pos+len) at @addr. */
static void assert_dev_pat(uint64_t addr, loff_t pos, size_t len, unsigned seed)
{
	unsigned char *p = dev_read(addr, len), *want = malloc(len ? len : 1);

	for (size_t i = 0; i < len; i++)
		want[i] = pat(pos + (loff_t)i, seed);
	/* Check marks a point per assertion: assert only where bytes differ. */
	for (size_t i = 0; i < len; i++)
		if (p[i] != want[i])
			ck_assert_msg(p[i] == pat(pos + (loff_t)i, seed),
			      "device byte 0x%llx (file 0x%llx): 0x%02x, want 0x%02x",
			      (unsigned long long)(addr + i), (unsigned long long)(pos + (loff_t)i),
			      p[i], pat(pos + (loff_t)i, seed));
	free(want);
	free(p);
}

static void assert_dev_bytes(uint64_t addr, size_t len, int byte, const char *what)
{
	unsigned char *p = dev_read(addr, len);

	for (size_t i = 0; i < len; i++)
		if (p[i] != (unsigned char)byte)
			ck_assert_msg(p[i] == (unsigned char)byte, "%s: device byte 0x%llx is 0x%02x", what,
			      (unsigned long long)(addr + i), p[i]);
	free(p);
}

static struct folio *cached(pgoff_t index)
{
	struct folio *folio = filemap_get_folio(mapping(), index);

	ck_assert_ptr_nonnull(folio);
	folio_put(folio); /* the cache keeps it */
	return folio;
}

/* Clean, not under writeback, no dirty block, invariants hold. */
static void assert_clean(pgoff_t index)
{
	struct folio *folio = cached(index);
	struct iomap_folio_state *ifs = folio_ifs(folio);

	ck_assert_msg(!folio_test(folio, PG_dirty), "folio %lu still dirty", (unsigned long)index);
	ck_assert_msg(!folio_test(folio, PG_writeback), "folio %lu under writeback",
		      (unsigned long)index);
	if (ifs) {
		for (unsigned b = 0; b < ifs->nr_blocks; b++)
			ck_assert_msg(!ifs_block_is_dirty(folio, ifs, b), "folio %lu block %u dirty",
				      (unsigned long)index, b);
		ck_assert_uint_eq(ifs->write_bytes_pending, 0);
	}
	ck_assert_int_eq(folio_check(folio), 0);
}

static unsigned count_events(const char *name)
{
	unsigned n = 0;

	for (size_t i = 0; i < trace_memsink_count(E.sink); i++)
		if (strcmp(trace_memsink_get(E.sink, i)->name, name) == 0)
			n++;
	return n;
}

/* The @nth (from 0) event called @name, or NULL. */
static const struct trace_event *nth_event(const char *name, unsigned nth)
{
	for (size_t i = 0; i < trace_memsink_count(E.sink); i++) {
		const struct trace_event *ev = trace_memsink_get(E.sink, i);

		if (strcmp(ev->name, name) == 0 && nth-- == 0)
			return ev;
	}
	return NULL;
}

static uint64_t fu(const struct trace_event *ev, const char *key)
{
	const struct trace_field *f = trace_field_get(ev, key);

	ck_assert_msg(f != NULL, "%s has no field %s", ev->name, key);
	return f->kind == TF_S64 ? (uint64_t)f->v.s : f->v.u;
}

/* The tracefs text of event @ev without "dev .. ino .. [bdev ..] ". */
static const char *kernel_text(const struct trace_event *ev, char *buf, size_t len)
{
	const char *p;

	ck_assert_int_gt(ftrace_format_event(ev, buf, len), 0);
	p = strstr(buf, " bdev ");
	if (p)
		p = strchr(p + 6, ' ') + 1;
	else
		p = strchr(strstr(buf, " ino ") + 5, ' ') + 1;
	return p;
}

/* Sum of the `size` of WRITE bio_submit events, and their number. */
static unsigned write_bios(uint64_t *bytes)
{
	unsigned n = 0;

	*bytes = 0;
	for (size_t i = 0; i < trace_memsink_count(E.sink); i++) {
		const struct trace_event *ev = trace_memsink_get(E.sink, i);
		const struct trace_field *op = trace_field_get(ev, "op");

		if (strcmp(ev->name, "bio_submit") || !op || strcmp(op->v.str, "WRITE"))
			continue;
		n++;
		*bytes += fu(ev, "size");
	}
	return n;
}

/* ---------------------------------------------------------------------- */
/* wb-1: what reaches the device                                           */
/* ---------------------------------------------------------------------- */

/*
 * wb-1.1: sixteen dirty 4 KiB folios over one 64 KiB mapped extent reach
 * the device at the mapped address, in ONE ioend and one 64 KiB bio, and
 * end up clean.
 */
START_TEST(wb_1_1_data_one_ioend)
{
	uint64_t bytes;

	open_dev(false, false, 12, 64 * K);
	tablefs_add(&E.t, 0, 64 * K, IOMAP_MAPPED, 0, ADDR_A);
	dev_fill(ADDR_A, 64 * K, 0xaa);
	for (pgoff_t i = 0; i < 16; i++)
		dirty_folio(i, 0, 0, PAGE_SIZE, 1);
	ck_assert_int_eq(writeback(0, LLONG_MAX, true, LONG_MAX), 0);
	/* Submitted, not completed yet (deterministic mode). */
	ck_assert(folio_test(cached(0), PG_writeback));
	blkdev_drain(&E.t.bdev);
	assert_dev_pat(ADDR_A, 0, 64 * K, 1);
	for (pgoff_t i = 0; i < 16; i++)
		assert_clean(i);
	ck_assert_uint_eq(write_bios(&bytes), 1);
	ck_assert_uint_eq(bytes, 64 * K);
	ck_assert_uint_eq(count_events("ioend_new"), 1);
	ck_assert_uint_eq(count_events("ioend_finish"), 1);
	ck_assert_uint_eq(fu(nth_event("ioend_submit", 0), "size"), 64 * K);
	ck_assert_uint_eq(fu(nth_event("ioend_submit", 0), "nr_folios"), 16);
	ck_assert_uint_eq(fu(nth_event("ioend_submit", 0), "sector"), ADDR_A >> 9);
	ck_assert_uint_eq(E.prepares, 1);
}
END_TEST

/*
 * wb-1.2: one ioend per contiguous run: a clean gap, a disk discontinuity,
 * a MAPPED/UNWRITTEN change and a SHARED change each start a new one.
 */
START_TEST(wb_1_2_runs)
{
	uint64_t bytes;

	open_dev(false, false, 12, 128 * K);
	/* [0,32K) -> A; [32K,64K) -> B (disk jump); [64K,96K) unwritten right
	 * after B's end; [96K,128K) shared right after that. */
	tablefs_add(&E.t, 0, 32 * K, IOMAP_MAPPED, 0, ADDR_A);
	tablefs_add(&E.t, 32 * K, 32 * K, IOMAP_MAPPED, 0, ADDR_B);
	tablefs_add(&E.t, 64 * K, 32 * K, IOMAP_UNWRITTEN, 0, ADDR_B + 32 * K);
	tablefs_add(&E.t, 96 * K, 32 * K, IOMAP_MAPPED, IOMAP_F_SHARED, ADDR_B + 64 * K);
	dev_fill(ADDR_A, 32 * K, 0xaa);
	/* pages 0-1 and 4-7 (gap at 2-3), then everything from 8 to 31. */
	for (pgoff_t i = 0; i < 32; i++)
		if (i != 2 && i != 3)
			dirty_folio(i, 0, 0, PAGE_SIZE, 2);
	ck_assert_int_eq(writeback(0, LLONG_MAX, true, LONG_MAX), 0);
	blkdev_drain(&E.t.bdev);
	/* runs: [0,8K) [16K,32K) [32K,64K) [64K,96K) [96K,128K) */
	ck_assert_uint_eq(count_events("ioend_new"), 5);
	ck_assert_uint_eq(write_bios(&bytes), 5);
	ck_assert_uint_eq(bytes, 120 * K);
	assert_dev_pat(ADDR_A, 0, 8 * K, 2);
	assert_dev_bytes(ADDR_A + 8 * K, 8 * K, 0xaa, "clean gap");
	assert_dev_pat(ADDR_A + 16 * K, 16 * K, 16 * K, 2);
	assert_dev_pat(ADDR_B, 32 * K, 96 * K, 2);
	ck_assert_str_eq(trace_field_get(nth_event("ioend_new", 3), "flags")->v.str, "UNWRITTEN");
	ck_assert_str_eq(trace_field_get(nth_event("ioend_new", 4), "flags")->v.str, "SHARED");
	ck_assert_uint_eq(fu(nth_event("ioend_new", 1), "offset"), 16 * K);
	for (pgoff_t i = 0; i < 32; i++)
		if (i != 2 && i != 3)
			assert_clean(i);
}
END_TEST

/*
 * wb-1.3: scenario 02's writeback: sixteen 4 KiB folios over one 64 KiB
 * unwritten mapping give the kernel's 32 lines exactly (one
 * iomap_writeback_folio + one iomap_add_to_ioend per folio, the same
 * mapping each time).  The kernel calls ->map_blocks once per dirty run —
 * 16 times — and the filesystem reuses its cached mapping: 1 lookup.
 */
START_TEST(wb_1_3_map_blocks_reuse_trace)
{
	char buf[512], want[256];
	unsigned n = 0;

	open_dev(false, false, 12, 64 * K);
	tablefs_add(&E.t, 0, 64 * K, IOMAP_UNWRITTEN, IOMAP_F_DIRTY, 0x18000);
	for (pgoff_t i = 0; i < 16; i++)
		dirty_folio(i, 0, 0, PAGE_SIZE, 3);
	ck_assert_int_eq(writeback(0, LLONG_MAX, true, LONG_MAX), 0);
	blkdev_drain(&E.t.bdev);
	ck_assert_uint_eq(E.map_calls, 16);
	ck_assert_uint_eq(E.lookups, 1);
	ck_assert_uint_eq(count_events("ioend_new"), 1);
	for (size_t i = 0; i < trace_memsink_count(E.sink); i++) {
		const struct trace_event *ev = trace_memsink_get(E.sink, i);
		unsigned long long off = (n / 2) * 0x1000ull;

		if (strcmp(ev->name, "iomap_writeback_folio") && strcmp(ev->name, "iomap_add_to_ioend"))
			continue;
		if (n % 2 == 0)
			snprintf(want, sizeof(want),
				 "iomap_writeback_folio: size 0x10000 offset 0x%llx length 0x1000", off);
		else
			snprintf(want, sizeof(want),
				 "iomap_add_to_ioend: pos 0x%llx dirty len 0x1000 addr 0x18000 offset "
				 "0x0 length 0x10000 type UNWRITTEN (0x3) flags DIRTY (0x2)", off);
		ck_assert_str_eq(strchr(want, ':') + 2, kernel_text(ev, buf, sizeof(buf)));
		ck_assert_str_eq(ev->name, n % 2 == 0 ? "iomap_writeback_folio" : "iomap_add_to_ioend");
		n++;
	}
	ck_assert_uint_eq(n, 32);
}
END_TEST

/*
 * wb-1.4: blocks smaller than the folio (scenario 03): 1 KiB blocks in a
 * 4 KiB folio, EOF at 2 KiB.  Only the dirty blocks go out, each run
 * separately; a dirty block past EOF is cleaned, not written.
 */
START_TEST(wb_1_4_subblock)
{
	struct folio *folio;
	char buf[512];

	open_dev(false, false, 10, 0x800);
	tablefs_add(&E.t, 0, 4 * K, IOMAP_MAPPED, 0, ADDR_A);
	dev_fill(ADDR_A, 4 * K, 0xaa);
	/* scenario 03: block 1 only */
	folio = dirty_folio(0, 0, 0x400, 0x400, 4);
	ck_assert_ptr_nonnull(folio_ifs(folio));
	ck_assert_int_eq(writeback(0, LLONG_MAX, true, LONG_MAX), 0);
	blkdev_drain(&E.t.bdev);
	ck_assert_str_eq(kernel_text(nth_event("iomap_writeback_folio", 0), buf, sizeof(buf)),
			 "size 0x800 offset 0x0 length 0x1000");
	ck_assert_str_eq(kernel_text(nth_event("iomap_add_to_ioend", 0), buf, sizeof(buf)),
			 "pos 0x400 dirty len 0x400 addr 0x100000 offset 0x0 length 0x1000 "
			 "type MAPPED (0x2) flags  (0x0)");
	assert_dev_bytes(ADDR_A, 0x400, 0xaa, "clean block 0");
	assert_dev_pat(ADDR_A + 0x400, 0x400, 0x400, 4);
	assert_dev_bytes(ADDR_A + 0x800, 0x800, 0xaa, "past EOF");
	assert_clean(0);

	/* blocks 0 and 2..3 dirty, EOF at 0xc00: runs [0,1K) and [2K,3K);
	 * block 3 lies past EOF. */
	i_size_write(&E.t.inode, 0xc00);
	dev_fill(ADDR_A, 4 * K, 0xaa);
	folio = dirty_folio(0, 0, 0, 0x400, 5);
	iomap_set_range_dirty(folio, 0x800, 0x800);
	ck_assert_int_eq(writeback(0, LLONG_MAX, true, LONG_MAX), 0);
	blkdev_drain(&E.t.bdev);
	ck_assert_uint_eq(count_events("iomap_add_to_ioend"), 3);
	ck_assert_uint_eq(fu(nth_event("iomap_add_to_ioend", 1), "pos"), 0);
	ck_assert_uint_eq(fu(nth_event("iomap_add_to_ioend", 2), "pos"), 0x800);
	ck_assert_uint_eq(fu(nth_event("iomap_add_to_ioend", 2), "dirty_len"), 0x400);
	assert_dev_pat(ADDR_A, 0, 0x400, 5);
	assert_dev_bytes(ADDR_A + 0x400, 0x400, 0xaa, "clean block 1");
	assert_dev_pat(ADDR_A + 0x800, 0x800, 0x400, 5);
	assert_dev_bytes(ADDR_A + 0xc00, 0x400, 0xaa, "block past EOF");
	assert_clean(0);
}
END_TEST

/*
 * wb-1.5: a 16 KiB folio straddling EOF (6 KiB + 100): its bytes past EOF
 * are zeroed in memory and on the device up to the block end, the blocks
 * wholly past EOF are not written, the ioend's size stops at EOF.  A folio
 * wholly past EOF is only cleaned.
 */
START_TEST(wb_1_5_eof)
{
	struct folio *folio;
	const loff_t eof = 6 * K + 100;

	open_dev(false, false, 12, eof);
	tablefs_add(&E.t, 0, 64 * K, IOMAP_MAPPED, 0, ADDR_A);
	dev_fill(ADDR_A, 64 * K, 0xaa);
	folio = dirty_folio(0, 2, 0, 16 * K, 6);
	dirty_folio(4, 2, 0, 16 * K, 6); /* [16K, 32K): wholly past EOF */
	ck_assert_int_eq(writeback(0, LLONG_MAX, true, LONG_MAX), 0);
	blkdev_drain(&E.t.bdev);
	assert_dev_pat(ADDR_A, 0, (size_t)eof, 6);
	assert_dev_bytes(ADDR_A + (uint64_t)eof, (size_t)(8 * K - eof), 0, "EOF to block end");
	assert_dev_bytes(ADDR_A + 8 * K, 56 * K, 0xaa, "blocks past EOF");
	for (size_t i = (size_t)eof; i < folio_size(folio); i++)
		if (((unsigned char *)folio->data)[i])
			ck_assert_msg(0, "folio byte 0x%zx past EOF not zeroed", i);
	ck_assert_uint_eq(count_events("iomap_writeback_folio"), 2);
	ck_assert_uint_eq(count_events("ioend_new"), 1);
	ck_assert_uint_eq(fu(nth_event("ioend_submit", 0), "size"), (uint64_t)eof);
	assert_clean(0);
	assert_clean(4);
}
END_TEST

/* wb-1.6: a HOLE from ->map_blocks means nothing to write: no bio, clean. */
START_TEST(wb_1_6_hole)
{
	uint64_t bytes;

	open_dev(false, false, 12, 64 * K);
	tablefs_add(&E.t, 8 * K, 8 * K, IOMAP_MAPPED, 0, ADDR_A);
	dirty_folio(0, 2, 0, 16 * K, 7); /* [0,8K) hole, [8K,16K) mapped */
	dirty_folio(8, 0, 0, PAGE_SIZE, 7); /* all hole */
	ck_assert_int_eq(writeback(0, LLONG_MAX, true, LONG_MAX), 0);
	blkdev_drain(&E.t.bdev);
	ck_assert_uint_eq(write_bios(&bytes), 1);
	ck_assert_uint_eq(bytes, 8 * K);
	assert_dev_pat(ADDR_A, 8 * K, 8 * K, 7);
	assert_clean(0);
	assert_clean(8);
}
END_TEST

/* ---------------------------------------------------------------------- */
/* wb-2: errors                                                            */
/* ---------------------------------------------------------------------- */

/*
 * wb-2.1: ->map_blocks fails for one folio of four: ->discard_folio runs
 * for it, it ends clean and not under writeback, the others are written;
 * the pass and the next filemap_write_and_wait_range report -EIO once,
 * the one after 0; an fsync sample sees -EIO exactly once.
 */
START_TEST(wb_2_1_map_blocks_error)
{
	errseq_t since;

	open_dev(false, false, 12, 16 * K);
	tablefs_add(&E.t, 0, 16 * K, IOMAP_MAPPED, 0, ADDR_A);
	dev_fill(ADDR_A, 16 * K, 0xaa);
	since = errseq_sample(&mapping()->wb_err);
	for (pgoff_t i = 0; i < 4; i++)
		dirty_folio(i, 0, 0, PAGE_SIZE, 8);
	E.fail_from = 8 * K;
	E.fail_to = 12 * K;
	E.fail_error = -EIO;
	ck_assert_int_eq(filemap_write_and_wait_range(mapping(), 0, LLONG_MAX), -EIO);
	blkdev_drain(&E.t.bdev); /* it did not wait after -EIO */
	ck_assert_uint_eq(E.discards, 1);
	ck_assert_int_eq(E.discard_pos, 8 * K);
	for (pgoff_t i = 0; i < 4; i++)
		assert_clean(i);
	assert_dev_pat(ADDR_A, 0, 8 * K, 8);
	assert_dev_bytes(ADDR_A + 8 * K, 4 * K, 0xaa, "failed folio");
	assert_dev_pat(ADDR_A + 12 * K, 12 * K, 4 * K, 8);
	/* folios 0-1 and 3 are not contiguous: two ioends, both succeed */
	ck_assert_uint_eq(count_events("ioend_new"), 2);
	ck_assert_int_eq((int)fu(nth_event("ioend_finish", 0), "error"), 0);
	ck_assert_int_eq(filemap_write_and_wait_range(mapping(), 0, LLONG_MAX), 0);
	ck_assert_int_eq(errseq_check_and_advance(&mapping()->wb_err, &since), -EIO);
	ck_assert_int_eq(errseq_check_and_advance(&mapping()->wb_err, &since), 0);
}
END_TEST

/*
 * wb-2.2: the device fails the write bio: every folio of the ioend gets
 * PG_error and loses PG_writeback, the mapping records -EIO, the folios
 * are clean (the data is not retried), ioend_finish says error -5.
 */
START_TEST(wb_2_2_bio_eio)
{
	errseq_t since;

	open_dev(true, false, 12, 16 * K);
	tablefs_add(&E.t, 0, 16 * K, IOMAP_MAPPED, 0, ADDR_A);
	since = errseq_sample(&mapping()->wb_err);
	dirty_folio(0, 1, 0, 8 * K, 9);
	dirty_folio(2, 1, 0, 8 * K, 9);
	fault_set_eio(E.be, BACKEND_WRITE, FAULT_ONCE, 0);
	ck_assert_int_eq(writeback(0, LLONG_MAX, true, LONG_MAX), 0);
	blkdev_drain(&E.t.bdev);
	for (pgoff_t i = 0; i < 4; i += 2) {
		ck_assert(folio_test(cached(i), PG_error));
		assert_clean(i);
	}
	ck_assert_int_eq((int)fu(nth_event("ioend_complete", 0), "error"), -EIO);
	ck_assert_int_eq((int)fu(nth_event("ioend_finish", 0), "error"), -EIO);
	ck_assert_int_eq(errseq_check_and_advance(&mapping()->wb_err, &since), -EIO);
	ck_assert_int_eq(errseq_check_and_advance(&mapping()->wb_err, &since), 0);
	ck_assert_int_eq(filemap_write_and_wait_range(mapping(), 0, LLONG_MAX), -EIO);
	ck_assert_int_eq(filemap_write_and_wait_range(mapping(), 0, LLONG_MAX), 0);
}
END_TEST

/*
 * wb-2.3: ->prepare_ioend fails an ioend: it completes at once with the
 * error, before the rest of its folio is queued.  The write_bytes_pending
 * bias keeps that folio under writeback until iomap_writepage_map() is done
 * with it (->discard_folio still sees PG_writeback); the run that could
 * not be queued fails the folio (-EIO returned, discard_folio), the folio
 * ends clean with PG_error, nothing of it reaches the device.
 */
START_TEST(wb_2_3_prepare_error_bias)
{
	struct folio *folio;

	open_dev(false, false, 12, 16 * K);
	tablefs_add(&E.t, 0, 16 * K, IOMAP_MAPPED, 0, ADDR_A);
	dev_fill(ADDR_A, 16 * K, 0xaa);
	folio = dirty_folio(0, 2, 0, 4 * K, 15);     /* run 1: block 0 */
	iomap_set_range_dirty(folio, 8 * K, 4 * K);  /* run 2: block 2 */
	E.prepare_error = -EIO;
	ck_assert_int_eq(writeback(0, LLONG_MAX, true, LONG_MAX), -EIO);
	blkdev_drain(&E.t.bdev);
	ck_assert_uint_eq(E.discards, 1);
	ck_assert_int_eq(E.discard_pos, 8 * K);
	ck_assert_msg(E.discard_saw_writeback, "writeback ended before the folio was done");
	ck_assert(folio_test(folio, PG_error));
	assert_clean(0);
	assert_dev_bytes(ADDR_A, 16 * K, 0xaa, "failed folio");
	ck_assert_int_eq((int)fu(nth_event("ioend_submit", 0), "status"), -EIO);
	ck_assert_int_eq(filemap_write_and_wait_range(mapping(), 0, LLONG_MAX), -EIO);
}
END_TEST

/* ---------------------------------------------------------------------- */
/* wb-3: writeback_control                                                 */
/* ---------------------------------------------------------------------- */

/*
 * wb-3.1: background writeback stops after nr_to_write pages and skips
 * folios already under writeback; an integrity pass waits for them
 * (delivering the device's completions in deterministic mode) and writes
 * the new data.
 */
START_TEST(wb_3_1_wbc)
{
	open_dev(false, false, 12, 32 * K);
	tablefs_add(&E.t, 0, 32 * K, IOMAP_MAPPED, 0, ADDR_A);
	for (pgoff_t i = 0; i < 8; i++)
		dirty_folio(i, 0, 0, PAGE_SIZE, 10);
	ck_assert_int_eq(writeback(0, LLONG_MAX, false, 3), 0);
	ck_assert(folio_test(cached(2), PG_writeback));
	ck_assert(folio_test(cached(3), PG_dirty));
	ck_assert(!folio_test(cached(3), PG_writeback));
	/* folio 0 dirtied again while its first write is in flight */
	dirty_folio(0, 0, 0, PAGE_SIZE, 11);
	ck_assert(folio_test(cached(0), PG_writeback));
	E.lookups = 0;
	ck_assert_int_eq(writeback(0, LLONG_MAX, false, LONG_MAX), 0);
	ck_assert(folio_test(cached(0), PG_dirty)); /* skipped: under writeback */
	ck_assert_int_eq(writeback(0, LLONG_MAX, true, LONG_MAX), 0);
	blkdev_drain(&E.t.bdev);
	for (pgoff_t i = 0; i < 8; i++)
		assert_clean(i);
	assert_dev_pat(ADDR_A, 0, 4 * K, 11);
	assert_dev_pat(ADDR_A + 4 * K, 4 * K, 28 * K, 10);
}
END_TEST

/* ---------------------------------------------------------------------- */
/* ioend-1: sorting, merging, completion                                   */
/* ---------------------------------------------------------------------- */

static struct inode dummy_inode;

static struct iomap_ioend *mk(struct iomap_ioend *a, uint64_t id, loff_t off, size_t size,
			      sector_t sector, uint16_t type, uint16_t flags, int error)
{
	memset(a, 0, sizeof(*a));
	a->io_id = id;
	a->io_offset = off;
	a->io_size = size;
	a->io_sector = sector;
	a->io_type = type;
	a->io_flags = flags;
	a->io_error = error;
	a->io_inode = &dummy_inode;
	return a;
}

static struct iomap_ioend *list_of(struct iomap_ioend *a, unsigned n)
{
	for (unsigned i = 0; i + 1 < n; i++)
		a[i].io_next = &a[i + 1];
	a[n - 1].io_next = NULL;
	return &a[0];
}

/* ioend-1.1: sorting by offset is complete and stable (small and 1000). */
START_TEST(ioend_1_1_sort)
{
	static struct iomap_ioend a[1000];
	static const loff_t offs[] = { 5, 1, 3, 1, 0 };
	struct iomap_ioend *head, *p;
	unsigned n = 0;

	for (unsigned i = 0; i < 5; i++)
		mk(&a[i], i, offs[i], 1, 0, IOMAP_MAPPED, 0, 0);
	head = list_of(a, 5);
	iomap_sort_ioends(&head);
	{
		static const uint64_t want[] = { 4, 1, 3, 2, 0 };

		for (p = head; p; p = p->io_next, n++)
			ck_assert_uint_eq(p->io_id, want[n]);
		ck_assert_uint_eq(n, 5);
	}
	srand(42);
	for (unsigned i = 0; i < 1000; i++)
		mk(&a[i], i, rand() % 50, 1, 0, IOMAP_MAPPED, 0, 0);
	head = list_of(a, 1000);
	iomap_sort_ioends(&head);
	n = 1;
	for (p = head; p->io_next; p = p->io_next, n++) {
		ck_assert_int_le(p->io_offset, p->io_next->io_offset);
		if (p->io_offset == p->io_next->io_offset)
			ck_assert_uint_lt(p->io_id, p->io_next->io_id);
	}
	ck_assert_uint_eq(n, 1000);
	head = NULL;
	iomap_sort_ioends(&head);
	ck_assert_ptr_null(head);
}
END_TEST

/*
 * ioend-1.2: contiguous ioends (file and disk, same state, both ok or
 * both failed) merge into the head, which grows; each single difference
 * stops the merge and leaves the list untouched.
 */
START_TEST(ioend_1_2_merge_rules)
{
	struct iomap_ioend a[4], head, *more;
	const uint16_t U = IOMAP_UNWRITTEN, MP = IOMAP_MAPPED;

	dummy_inode.i_sb = NULL;
	mk(&head, 100, 0, 4096, 8, U, IOMAP_IOEND_UNWRITTEN, 0);
	mk(&a[0], 0, 4096, 4096, 16, U, IOMAP_IOEND_UNWRITTEN, 0);
	mk(&a[1], 1, 8192, 8192, 24, U, IOMAP_IOEND_UNWRITTEN, 0);
	mk(&a[2], 2, 16384, 4096, 40, U, IOMAP_IOEND_UNWRITTEN, 0);
	mk(&a[3], 3, 1 << 20, 4096, 4096, U, IOMAP_IOEND_UNWRITTEN, 0);
	more = list_of(a, 4);
	iomap_ioend_try_merge(&head, &more);
	ck_assert_ptr_eq(more, &a[3]);
	ck_assert_uint_eq(head.io_size, 20480);
	ck_assert_ptr_eq(head.io_merged, &a[0]);
	ck_assert_ptr_eq(a[0].io_next, &a[1]);
	ck_assert_ptr_eq(a[2].io_next, NULL);
	/* both failed: merge */
	mk(&head, 100, 0, 4096, 8, MP, 0, -EIO);
	mk(&a[0], 0, 4096, 4096, 16, MP, 0, -EIO);
	more = list_of(a, 1);
	iomap_ioend_try_merge(&head, &more);
	ck_assert_ptr_null(more);

	struct {
		const char *why;
		loff_t off;
		sector_t sector;
		uint16_t type, flags;
		int error;
	} no[] = {
		{ "file gap", 8192, 16, MP, 0, 0 },
		{ "disk gap", 4096, 24, MP, 0, 0 },
		{ "unwritten", 4096, 16, U, IOMAP_IOEND_UNWRITTEN, 0 },
		{ "shared", 4096, 16, MP, IOMAP_IOEND_SHARED, 0 },
		{ "boundary", 4096, 16, MP, IOMAP_IOEND_BOUNDARY, 0 },
		{ "failed", 4096, 16, MP, 0, -EIO },
	};
	for (unsigned i = 0; i < ARRAY_SIZE(no); i++) {
		mk(&head, 100, 0, 4096, 8, MP, 0, 0);
		mk(&a[0], 0, no[i].off, 4096, no[i].sector, no[i].type, no[i].flags, no[i].error);
		more = list_of(a, 1);
		iomap_ioend_try_merge(&head, &more);
		ck_assert_msg(more == &a[0] && head.io_merged == NULL && head.io_size == 4096,
			      "merged across %s", no[i].why);
	}
}
END_TEST

/*
 * ioend-1.3: deferred completion as XFS does it: ->prepare_ioend installs
 * its own bi_end_io, which parks the ioend; three passes make three
 * contiguous unwritten ioends; sort + try_merge joins them; one
 * iomap_finish_ioends ends writeback on all three folios.
 */
START_TEST(ioend_1_3_deferred_merge_finish)
{
	struct iomap_ioend *list, *ioend;

	open_dev(false, false, 12, 12 * K);
	tablefs_add(&E.t, 0, 12 * K, IOMAP_UNWRITTEN, 0, ADDR_A);
	E.defer = true;
	for (pgoff_t i = 0; i < 3; i++)
		dirty_folio(i, 0, 0, PAGE_SIZE, 12);
	/* in the order 2, 0, 1 so that the completions need sorting */
	ck_assert_int_eq(writeback(8 * K, 12 * K - 1, true, LONG_MAX), 0);
	ck_assert_int_eq(writeback(0, 4 * K - 1, true, LONG_MAX), 0);
	ck_assert_int_eq(writeback(4 * K, 8 * K - 1, true, LONG_MAX), 0);
	blkdev_drain(&E.t.bdev);
	ck_assert_uint_eq(count_events("ioend_complete"), 3);
	for (pgoff_t i = 0; i < 3; i++)
		ck_assert(folio_test(cached(i), PG_writeback)); /* completion deferred */
	list = E.done_list;
	E.done_list = NULL;
	iomap_sort_ioends(&list);
	ck_assert_int_eq(list->io_offset, 0);
	ioend = list;
	list = list->io_next;
	ioend->io_next = NULL;
	iomap_ioend_try_merge(ioend, &list);
	ck_assert_ptr_null(list);
	ck_assert_uint_eq(ioend->io_size, 12 * K);
	ck_assert_uint_eq(count_events("ioend_merge"), 2);
	ck_assert_uint_eq(iomap_finish_ioends(ioend, 0), 3);
	ck_assert_uint_eq(count_events("ioend_finish"), 3);
	for (pgoff_t i = 0; i < 3; i++)
		assert_clean(i);
	assert_dev_pat(ADDR_A, 0, 12 * K, 12);
}
END_TEST

/*
 * ioend-1.4: a full bio ends its ioend: 260 separate 4 KiB folios over one
 * extent need more than the 256 segments of one bio, so two ioends are
 * built, both complete and all data arrives.
 */
START_TEST(ioend_1_4_full_bio)
{
	uint64_t bytes;
	unsigned bios;

	open_dev(false, false, 12, 260 * 4 * K);
	tablefs_add(&E.t, 0, 260 * 4 * K, IOMAP_MAPPED, 0, ADDR_A);
	for (pgoff_t i = 0; i < 260; i++)
		dirty_folio(i, 0, 0, PAGE_SIZE, 13);
	ck_assert_int_eq(writeback(0, LLONG_MAX, true, LONG_MAX), 0);
	blkdev_drain(&E.t.bdev);
	bios = write_bios(&bytes);
	ck_assert_uint_eq(bytes, 260 * 4 * K);
	ck_assert_uint_eq(bios, count_events("ioend_new"));
	ck_assert_uint_ge(bios, 2);
	ck_assert_uint_eq(fu(nth_event("ioend_new", 1), "offset"),
			  fu(nth_event("ioend_submit", 0), "size"));
	assert_dev_pat(ADDR_A, 0, 260 * 4 * K, 13);
	for (pgoff_t i = 0; i < 260; i++)
		assert_clean(i);
}
END_TEST

/*
 * ioend-1.5: concurrent mode: completions run on the device's completion
 * thread, not the writer's, and folio_wait_writeback returns for every
 * folio (including 16 KiB folios of 1 KiB blocks, whose bias must not let
 * an early completion end writeback twice).
 */
START_TEST(ioend_1_5_concurrent)
{
	const struct trace_event *first, *fin;

	open_dev(false, true, 10, 256 * K);
	tablefs_add(&E.t, 0, 128 * K, IOMAP_MAPPED, 0, ADDR_A);
	tablefs_add(&E.t, 128 * K, 128 * K, IOMAP_MAPPED, 0, ADDR_B);
	for (pgoff_t i = 0; i < 64; i += 4)
		dirty_folio(i, 2, 0, 16 * K, 14);
	ck_assert_int_eq(writeback(0, LLONG_MAX, true, LONG_MAX), 0);
	for (pgoff_t i = 0; i < 64; i += 4)
		folio_wait_writeback(cached(i));
	blkdev_drain(&E.t.bdev);
	for (pgoff_t i = 0; i < 64; i += 4)
		assert_clean(i);
	assert_dev_pat(ADDR_A, 0, 128 * K, 14);
	assert_dev_pat(ADDR_B, 128 * K, 128 * K, 14);
	first = nth_event("ioend_new", 0);
	fin = nth_event("ioend_finish", 0);
	ck_assert_ptr_nonnull(fin);
	ck_assert_int_ne(first->tid, fin->tid);
	ck_assert_uint_eq(count_events("ioend_finish"), count_events("ioend_new"));
}
END_TEST

/* ---------------------------------------------------------------------- */
/* Suite                                                                   */
/* ---------------------------------------------------------------------- */

static TCase *wb_case(const char *name)
{
	TCase *tc = tcase_create(name);

	tcase_add_checked_fixture(tc, setup, teardown);
	return tc;
}

static Suite *wb_suite(void)
{
	Suite *s = suite_create("writeback");
	TCase *tc;

	tc = wb_case("wb-1 data and ioends");
	tcase_add_test(tc, wb_1_1_data_one_ioend);
	tcase_add_test(tc, wb_1_2_runs);
	tcase_add_test(tc, wb_1_3_map_blocks_reuse_trace);
	tcase_add_test(tc, wb_1_4_subblock);
	tcase_add_test(tc, wb_1_5_eof);
	tcase_add_test(tc, wb_1_6_hole);
	suite_add_tcase(s, tc);

	tc = wb_case("wb-2 errors");
	tcase_add_test(tc, wb_2_1_map_blocks_error);
	tcase_add_test(tc, wb_2_2_bio_eio);
	tcase_add_test(tc, wb_2_3_prepare_error_bias);
	suite_add_tcase(s, tc);

	tc = wb_case("wb-3 writeback control");
	tcase_add_test(tc, wb_3_1_wbc);
	suite_add_tcase(s, tc);

	tc = wb_case("ioend-1 sort merge complete");
	tcase_add_test(tc, ioend_1_1_sort);
	tcase_add_test(tc, ioend_1_2_merge_rules);
	tcase_add_test(tc, ioend_1_3_deferred_merge_finish);
	tcase_add_test(tc, ioend_1_4_full_bio);
	tcase_add_test(tc, ioend_1_5_concurrent);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(wb_suite());
}
