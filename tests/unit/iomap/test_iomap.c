/*
 * test_iomap.c — the iomap core over tablefs (a filesystem whose extent map
 * each test writes directly).
 *
 * Areas:
 *   iter-1.*     the iterator protocol (design.rst "File Range Iterator")
 *   fiemap-2.*   FS_IOC_FIEMAP and fiemap_prep / fill (operations.rst)
 *   bmap-3.*     FIBMAP
 *   seek-4.*     SEEK_DATA / SEEK_HOLE, incl. the page-cache search
 *   swap-5.*     swap file activation rules
 *   zero-6.*     iomap_zero_range over holes and unwritten space
 * extentfs-level versions of these (with locking) are in tests/unit/extentfs.
 */
#include <string.h>
#include <unistd.h>

#include <iomap/iomap.h>
#include <iomap/trace.h>

#include "backends/backend.h"

#include "../testutil.h"
#include "tablefs.h"

#define K 1024ll
#define M (1024ll * 1024ll)

static struct tablefs T;

static void setup(void)
{
	tablefs_init(&T, 12, 1 * M);
}

static void teardown(void)
{
	tablefs_destroy(&T);
}

/* Body used by several iterator tests: advance over the whole mapping. */
static int walk(loff_t pos, uint64_t len, unsigned flags, const struct iomap_ops *ops,
		unsigned *nmaps)
{
	struct iomap_iter iter = { .inode = &T.inode, .pos = pos, .len = len, .flags = flags };
	int ret;

	*nmaps = 0;
	while ((ret = iomap_iter(&iter, ops)) > 0) {
		(*nmaps)++;
		iter.status = iomap_iter_advance_full(&iter);
	}
	return ret;
}

/* iter-1.1: one ->iomap_begin per mapping, ->iomap_end with what was advanced. */
START_TEST(iter_1_1_begin_end_protocol)
{
	unsigned n;

	tablefs_add(&T, 0, 64 * K, IOMAP_MAPPED, 0, 0x10000);
	tablefs_add(&T, 128 * K, 64 * K, IOMAP_UNWRITTEN, 0, 0x40000);
	ck_assert_int_eq(walk(16 * K, 160 * K, IOMAP_REPORT, &tablefs_ops, &n), 0);
	ck_assert_uint_eq(n, 3); /* mapped, hole, unwritten */
	ck_assert_uint_eq(T.nr_calls, 6);
	/* begin(16k, 160k) -> mapped [0,64k): end gets the trimmed 48k, all written */
	ck_assert(!T.calls[0].end && T.calls[0].pos == 16 * K && T.calls[0].length == 160 * K);
	ck_assert_uint_eq(T.calls[0].flags, IOMAP_REPORT);
	ck_assert(T.calls[1].end && T.calls[1].pos == 16 * K && T.calls[1].length == 48 * K);
	ck_assert_int_eq(T.calls[1].written, 48 * K);
	ck_assert(!T.calls[2].end && T.calls[2].pos == 64 * K && T.calls[2].length == 112 * K);
	ck_assert(T.calls[3].end && T.calls[3].length == 64 * K);
	/* the last mapping is trimmed to the end of the request: 176k - 128k */
	ck_assert(T.calls[5].end && T.calls[5].pos == 128 * K && T.calls[5].length == 48 * K);
}
END_TEST

/* iter-1.2: a body that does not advance ends the walk after one mapping. */
START_TEST(iter_1_2_no_progress_stops)
{
	struct iomap_iter iter = { .inode = &T.inode, .pos = 0, .len = M, .flags = IOMAP_REPORT };
	int ret, n = 0;

	while ((ret = iomap_iter(&iter, &tablefs_ops)) > 0)
		n++;
	ck_assert_int_eq(ret, 0);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(T.calls[1].written, 0); /* ->iomap_end saw nothing written */
}
END_TEST

/* iter-1.3: an error in status ends the walk with that error, after ->iomap_end. */
START_TEST(iter_1_3_status_error)
{
	struct iomap_iter iter = { .inode = &T.inode, .pos = 0, .len = M, .flags = IOMAP_REPORT };
	int ret;

	while ((ret = iomap_iter(&iter, &tablefs_ops)) > 0)
		iter.status = -EIO;
	ck_assert_int_eq(ret, -EIO);
	ck_assert_uint_eq(T.nr_calls, 2);
	ck_assert(T.calls[1].end);
}
END_TEST

/* iter-1.4: a STALE mapping is looked up again at the same position. */
START_TEST(iter_1_4_stale_relookup)
{
	struct iomap_iter iter = { .inode = &T.inode, .pos = 4 * K, .len = 8 * K,
				   .flags = IOMAP_WRITE };
	int ret, n = 0;

	tablefs_add(&T, 0, 64 * K, IOMAP_MAPPED, 0, 0x10000);
	while ((ret = iomap_iter(&iter, &tablefs_ops)) > 0) {
		if (n++ == 0)
			iter.iomap.flags |= IOMAP_F_STALE; /* as ->iomap_valid failing would */
		else
			iter.status = iomap_iter_advance_full(&iter);
	}
	ck_assert_int_eq(ret, 0);
	ck_assert_int_eq(n, 2);
	ck_assert(!T.calls[2].end && T.calls[2].pos == 4 * K); /* same position again */
	ck_assert_int_eq(iter.pos, 12 * K);
}
END_TEST

/* iter-1.5: errors from the filesystem come back unchanged. */
START_TEST(iter_1_5_fs_errors)
{
	unsigned n;

	T.begin_error = -ENOSPC;
	ck_assert_int_eq(walk(0, M, IOMAP_REPORT, &tablefs_ops, &n), -ENOSPC);
	ck_assert_uint_eq(n, 0);
	T.begin_error = 0;
	T.nr_calls = 0;
	/* an ->iomap_end error after progress is ignored, as in the kernel */
	T.end_error = -EIO;
	ck_assert_int_eq(walk(0, M, IOMAP_REPORT, &tablefs_ops, &n), 0);
	ck_assert_uint_eq(n, 1);
}
END_TEST

/* iter-1.6: a mapping that breaks the contract fails with -EIO and an event. */
START_TEST(iter_1_6_bad_mapping)
{
	struct trace_sink *m = trace_memsink_new();
	unsigned n;
	bool seen = false;

	trace_add_sink(m);
	T.bad_mapping = true;
	ck_assert_int_eq(walk(0, M, IOMAP_REPORT, &tablefs_ops, &n), -EIO);
	T.bad_mapping = false;
	/* a hole for a plain write is refused too */
	ck_assert_int_eq(walk(0, 4 * K, IOMAP_WRITE, &tablefs_ops, &n), -EIO);
	trace_remove_sink(m);
	for (size_t i = 0; i < trace_memsink_count(m); i++)
		if (strcmp(trace_memsink_get(m, i)->name, "iomap_bad_mapping") == 0)
			seen = true;
	ck_assert(seen);
	trace_sink_free(m);
}
END_TEST

/* iter-1.7: the trace shows the kernel's lengths: 0 at pos 0, len when pos > 0. */
START_TEST(iter_1_7_trace_lengths)
{
	struct trace_sink *m = trace_memsink_new();
	unsigned n;

	tablefs_add(&T, 0, 1 * M, IOMAP_UNWRITTEN, IOMAP_F_DIRTY, 0x18000);
	trace_add_sink(m);
	walk(0, 1 * M, IOMAP_ZERO, &tablefs_ops_noend, &n);
	walk(0x40000, 0x20000, IOMAP_ZERO, &tablefs_ops_noend, &n);
	trace_remove_sink(m);

	const char *want[] = {
		"pos 0x0 length 0x0", "UNWRITTEN", "pos 0x100000 length 0x0",
		"pos 0x40000 length 0x20000", "UNWRITTEN", "pos 0x60000 length 0x0",
	};
	size_t k = 0;

	for (size_t i = 0; i < trace_memsink_count(m) && k < ARRAY_SIZE(want); i++) {
		char buf[512];

		if (ftrace_format_event(trace_memsink_get(m, i), buf, sizeof(buf)) < 0)
			continue;
		ck_assert_msg(strstr(buf, want[k]), "line %zu: '%s' lacks '%s'", k, buf, want[k]);
		k++;
	}
	ck_assert_uint_eq(k, ARRAY_SIZE(want));
	trace_sink_free(m);
}
END_TEST

/* iter-1.8: iomap_length_trim honours the srcmap's end. */
START_TEST(iter_1_8_length_trim_srcmap)
{
	struct iomap_iter iter = { .inode = &T.inode, .pos = 8 * K, .len = 100 * K };

	iter.iomap = (struct iomap){ .offset = 0, .length = 64 * K, .type = IOMAP_MAPPED };
	ck_assert_uint_eq(iomap_length(&iter), 56 * K);
	iter.srcmap = (struct iomap){ .offset = 4 * K, .length = 20 * K, .type = IOMAP_MAPPED };
	ck_assert_uint_eq(iomap_length(&iter), 16 * K);
	ck_assert_ptr_eq(iomap_iter_srcmap(&iter), &iter.srcmap);
	ck_assert_int_eq(iomap_iter_advance(&iter, 101 * K), -EIO);
}
END_TEST

static unsigned do_fiemap(struct fiemap_extent *fe, unsigned max, uint64_t start, uint64_t len,
			  unsigned flags, int *ret)
{
	struct fiemap_extent_info fi = { .fi_flags = flags, .fi_extents_max = max,
					 .fi_extents_start = fe };

	*ret = iomap_fiemap(&T.inode, &fi, start, len, &tablefs_ops);
	return fi.fi_extents_mapped;
}

/* fiemap-2.1: types map to FIEMAP flags; holes are skipped; the last is LAST. */
START_TEST(fiemap_2_1_types_and_flags)
{
	struct fiemap_extent fe[8];
	int ret;

	tablefs_add(&T, 0, 64 * K, IOMAP_MAPPED, 0, 0x10000);
	tablefs_add(&T, 128 * K, 64 * K, IOMAP_UNWRITTEN, 0, 0x40000);
	tablefs_add(&T, 192 * K, 64 * K, IOMAP_DELALLOC, 0, IOMAP_NULL_ADDR);
	tablefs_add(&T, 256 * K, 4 * K, IOMAP_MAPPED, IOMAP_F_SHARED | IOMAP_F_MERGED, 0x80000);
	tablefs_add(&T, 320 * K, 4 * K, IOMAP_INLINE, 0, IOMAP_NULL_ADDR);
	ck_assert_uint_eq(do_fiemap(fe, 8, 0, UINT64_MAX, 0, &ret), 5);
	ck_assert_int_eq(ret, 0);
	ck_assert_uint_eq(fe[0].fe_flags, 0);
	ck_assert_uint_eq(fe[0].fe_physical, 0x10000);
	ck_assert_uint_eq(fe[1].fe_logical, 128 * K);
	ck_assert_uint_eq(fe[1].fe_flags, FIEMAP_EXTENT_UNWRITTEN);
	ck_assert_uint_eq(fe[2].fe_flags, FIEMAP_EXTENT_DELALLOC | FIEMAP_EXTENT_UNKNOWN);
	ck_assert_uint_eq(fe[2].fe_physical, 0);
	ck_assert_uint_eq(fe[3].fe_flags, FIEMAP_EXTENT_SHARED | FIEMAP_EXTENT_MERGED);
	ck_assert_uint_eq(fe[4].fe_flags, FIEMAP_EXTENT_DATA_INLINE |
				      FIEMAP_EXTENT_NOT_ALIGNED | FIEMAP_EXTENT_LAST);
	/* every ->iomap_begin saw IOMAP_REPORT */
	for (unsigned i = 0; i < T.nr_calls; i++)
		ck_assert_uint_eq(T.calls[i].flags, IOMAP_REPORT);
}
END_TEST

/* fiemap-2.2: a full array stops the walk; max 0 only counts. */
START_TEST(fiemap_2_2_array_limits)
{
	struct fiemap_extent fe[2];
	int ret;

	for (int i = 0; i < 5; i++)
		tablefs_add(&T, i * 64 * K, 32 * K, IOMAP_MAPPED, 0, (uint64_t)(1 + i) * M);
	ck_assert_uint_eq(do_fiemap(fe, 2, 0, UINT64_MAX, 0, &ret), 2);
	ck_assert_int_eq(ret, 0);
	ck_assert_uint_eq(fe[1].fe_logical, 64 * K);
	ck_assert_uint_eq(fe[1].fe_flags & FIEMAP_EXTENT_LAST, 0);
	ck_assert_uint_eq(do_fiemap(NULL, 0, 0, UINT64_MAX, 0, &ret), 5);
	/* a range in the middle reports only what it covers */
	ck_assert_uint_eq(do_fiemap(fe, 2, 100 * K, 50 * K, 0, &ret), 1);
	ck_assert_uint_eq(fe[0].fe_logical, 128 * K);
	ck_assert(fe[0].fe_flags & FIEMAP_EXTENT_LAST);
}
END_TEST

/* Put a dirty, uptodate folio at page @index. */
static void dirty_folio(pgoff_t index)
{
	struct folio *folio;

	ck_assert_int_eq(__filemap_get_folio(T.inode.i_mapping, index, FGP_CREAT | FGP_LOCK, 0,
					     &folio),
			 0);
	folio_mark_uptodate(folio);
	folio_mark_dirty(folio);
	folio_unlock(folio);
	folio_put(folio);
}

/* fiemap-2.3: fiemap_prep validates and clamps like fs/ioctl.c. */
START_TEST(fiemap_2_3_prep)
{
	struct fiemap_extent_info fi = { 0 };
	uint64_t len;

	len = 0;
	ck_assert_int_eq(fiemap_prep(&T.inode, &fi, 0, &len, 0), -EINVAL);
	len = 1;
	ck_assert_int_eq(fiemap_prep(&T.inode, &fi, (uint64_t)MAX_LFS_FILESIZE, &len, 0), -EFBIG);
	len = UINT64_MAX;
	ck_assert_int_eq(fiemap_prep(&T.inode, &fi, 0x210000, &len, 0), 0);
	ck_assert_uint_eq(len, (uint64_t)MAX_LFS_FILESIZE - 0x210000);
	fi.fi_flags = FIEMAP_FLAG_XATTR | 0x100;
	len = 4096;
	ck_assert_int_eq(fiemap_prep(&T.inode, &fi, 0, &len, 0), -EBADR);
	ck_assert_uint_eq(fi.fi_flags, FIEMAP_FLAG_XATTR | 0x100); /* handed back */
	fi.fi_flags = 0;
	ck_assert_int_eq(fiemap_prep(&T.inode, &fi, 0, &len, 0), 0);
	dirty_folio(1);
	ck_assert_uint_eq(T.writepages, 0); /* without SYNC nothing is written back */
	fi.fi_flags = FIEMAP_FLAG_SYNC;
	ck_assert_int_eq(fiemap_prep(&T.inode, &fi, 0, &len, 0), 0);
	ck_assert_uint_eq(T.writepages, 1); /* SYNC wrote the dirty file back first */
}
END_TEST

/* fiemap-2.4: the walk to "infinity" ends at MAX_LFS_FILESIZE, like trace 09. */
START_TEST(fiemap_2_4_walk_to_max)
{
	struct fiemap_extent fe[4];
	int ret;

	tablefs_add(&T, 0x200000, 0x10000, IOMAP_UNWRITTEN, IOMAP_F_DIRTY, 0x218000);
	ck_assert_uint_eq(do_fiemap(fe, 4, 0, UINT64_MAX, 0, &ret), 1);
	/* hole [0,2M), extent, hole to the end: three begins */
	ck_assert_uint_eq(T.nr_calls, 6);
	ck_assert_int_eq(T.calls[4].pos, 0x210000);
	ck_assert_int_eq(T.calls[4].length, MAX_LFS_FILESIZE - 0x210000);
}
END_TEST

/* bmap-3.1: FIBMAP returns the block of MAPPED space and 0 otherwise. */
START_TEST(bmap_3_1_table)
{
	tablefs_add(&T, 0, 64 * K, IOMAP_MAPPED, 0, 0x100000);
	tablefs_add(&T, 64 * K, 64 * K, IOMAP_UNWRITTEN, 0, 0x200000);
	ck_assert_uint_eq(iomap_bmap(T.inode.i_mapping, 0, &tablefs_ops), 0x100);
	ck_assert_uint_eq(iomap_bmap(T.inode.i_mapping, 15, &tablefs_ops), 0x10f);
	ck_assert_uint_eq(iomap_bmap(T.inode.i_mapping, 16, &tablefs_ops), 0);   /* unwritten */
	ck_assert_uint_eq(iomap_bmap(T.inode.i_mapping, 100, &tablefs_ops), 0);  /* hole */
	/* same calling convention as FIEMAP: IOMAP_REPORT, one block asked for */
	for (unsigned i = 0; i < T.nr_calls; i++) {
		ck_assert_uint_eq(T.calls[i].flags, IOMAP_REPORT);
		if (!T.calls[i].end)
			ck_assert_int_eq(T.calls[i].length, 4096);
	}
	T.begin_error = -EIO;
	ck_assert_uint_eq(iomap_bmap(T.inode.i_mapping, 0, &tablefs_ops), 0);    /* error */
}
END_TEST

/* bmap-3.2: with 1 KiB blocks the answer is in 1 KiB units. */
START_TEST(bmap_3_2_small_blocks)
{
	tablefs_destroy(&T);
	tablefs_init(&T, 10, M);
	tablefs_add(&T, 0, 8 * K, IOMAP_MAPPED, 0, 0x100000);
	ck_assert_uint_eq(iomap_bmap(T.inode.i_mapping, 3, &tablefs_ops), 0x403);
}
END_TEST

/* Put one uptodate (or not) folio of @order at page @index. */
static void cache_folio(pgoff_t index, unsigned order, bool uptodate)
{
	struct folio *folio;

	ck_assert_int_eq(__filemap_get_folio(T.inode.i_mapping, index, FGP_CREAT | FGP_LOCK, order,
					     &folio),
			 0);
	if (uptodate)
		folio_mark_uptodate(folio);
	folio_unlock(folio);
	folio_put(folio);
}

/* seek-4.1: the kernel's answers over mapped / hole / unwritten, empty cache. */
START_TEST(seek_4_1_layout_table)
{
	/* [0,64k) mapped, [64k,128k) hole, [128k,192k) unwritten, [192k,256k) mapped */
	tablefs_add(&T, 0, 64 * K, IOMAP_MAPPED, 0, 0x100000);
	tablefs_add(&T, 128 * K, 64 * K, IOMAP_UNWRITTEN, 0, 0x200000);
	tablefs_add(&T, 192 * K, 64 * K, IOMAP_MAPPED, 0, 0x300000);
	i_size_write(&T.inode, 256 * K);
	static const struct {
		loff_t pos;
		loff_t data, hole;
	} table[] = {
		{ 0, 0, 64 * K },
		{ 4095, 4095, 64 * K },
		{ 64 * K - 1, 64 * K - 1, 64 * K },
		{ 64 * K, 192 * K, 64 * K },
		{ 64 * K + 1, 192 * K, 64 * K + 1 },
		{ 128 * K, 192 * K, 128 * K }, /* unwritten without cache is a hole */
		{ 192 * K, 192 * K, 256 * K }, /* EOF is a hole */
		{ 256 * K - 1, 256 * K - 1, 256 * K },
		{ 256 * K, -ENXIO, -ENXIO },
		{ -1, -ENXIO, -ENXIO },
	};

	for (size_t i = 0; i < ARRAY_SIZE(table); i++) {
		ck_assert_msg(iomap_seek_data(&T.inode, table[i].pos, &tablefs_ops) == table[i].data,
			      "data case %zu", i);
		ck_assert_msg(iomap_seek_hole(&T.inode, table[i].pos, &tablefs_ops) == table[i].hole,
			      "hole case %zu", i);
	}
	for (unsigned i = 0; i < T.nr_calls; i++)
		ck_assert_uint_eq(T.calls[i].flags, IOMAP_REPORT);
}
END_TEST

/* seek-4.2: over unwritten space, uptodate cached folios are data. */
START_TEST(seek_4_2_unwritten_page_cache)
{
	tablefs_add(&T, 0, 256 * K, IOMAP_UNWRITTEN, 0, 0x100000);
	i_size_write(&T.inode, 256 * K);
	cache_folio(8, 0, true);   /* [32k, 36k) uptodate */
	cache_folio(16, 2, true);  /* [64k, 80k) uptodate, 16 KiB folio */
	cache_folio(24, 0, false); /* [96k, 100k) present but not uptodate: a hole */
	ck_assert_int_eq(iomap_seek_data(&T.inode, 0, &tablefs_ops), 32 * K);
	ck_assert_int_eq(iomap_seek_hole(&T.inode, 32 * K, &tablefs_ops), 36 * K);
	ck_assert_int_eq(iomap_seek_data(&T.inode, 36 * K, &tablefs_ops), 64 * K);
	ck_assert_int_eq(iomap_seek_hole(&T.inode, 64 * K, &tablefs_ops), 80 * K);
	ck_assert_int_eq(iomap_seek_data(&T.inode, 80 * K, &tablefs_ops), -ENXIO);
	ck_assert_int_eq(iomap_seek_hole(&T.inode, 0, &tablefs_ops), 0);
}
END_TEST

/* seek-4.3: a filesystem error is returned. */
START_TEST(seek_4_3_error)
{
	T.begin_error = -EIO;
	ck_assert_int_eq(iomap_seek_data(&T.inode, 0, &tablefs_ops), -EIO);
	ck_assert_int_eq(iomap_seek_hole(&T.inode, 0, &tablefs_ops), -EIO);
}
END_TEST

static int swapon(struct swap_info_struct *sis, sector_t *span)
{
	memset(sis, 0, sizeof(*sis));
	return iomap_swapfile_activate(sis, &T.file, span, &tablefs_ops);
}

/* swap-5.1: page-aligned runs, contiguous merge, header page, page span. */
START_TEST(swap_5_1_extents)
{
	struct swap_info_struct sis;
	sector_t span = 0;

	i_size_write(&T.inode, 64 * K + 100); /* the tail below a page is not used */
	/* [0,16k)@1M and [16k,32k)@1M+16k are contiguous: one run */
	tablefs_add(&T, 0, 16 * K, IOMAP_MAPPED, 0, 1 * M);
	tablefs_add(&T, 16 * K, 16 * K, IOMAP_UNWRITTEN, 0, 1 * M + 16 * K);
	/* [32k,64k) at an unaligned address: trimmed to 7 whole pages */
	tablefs_add(&T, 32 * K, 32 * K, IOMAP_MAPPED, 0, 4 * M + 512);
	ck_assert_int_eq(swapon(&sis, &span), 2);
	ck_assert_uint_eq(T.fsyncs, 1); /* fsync'd before activation */
	ck_assert_uint_eq(sis.nr_extents, 2);
	ck_assert_uint_eq(sis.extents[0].start_page, 0);
	ck_assert_uint_eq(sis.extents[0].nr_pages, 8);
	ck_assert_uint_eq(sis.extents[0].start_block, 256);
	ck_assert_uint_eq(sis.extents[1].start_page, 8);
	ck_assert_uint_eq(sis.extents[1].nr_pages, 7);
	ck_assert_uint_eq(sis.extents[1].start_block, 1025);
	ck_assert_uint_eq(sis.max, 15);
	ck_assert_uint_eq(sis.pages, 14);       /* the header page does not count */
	ck_assert_uint_eq(span, 1 + 1031 - 257); /* from after the header to the top */
	for (unsigned i = 0; i < T.nr_calls; i++)
		ck_assert_uint_eq(T.calls[i].flags, IOMAP_REPORT);
	swap_info_release(&sis);
}
END_TEST

/* swap-5.2: each forbidden mapping fails with -EINVAL and the kernel's words. */
START_TEST(swap_5_2_refusals)
{
	static struct block_device other = { .bd_dev = MKDEV(8, 0) };
	static const struct {
		uint16_t type, flags;
		bool other_dev;
		const char *msg;
	} table[] = {
		{ IOMAP_HOLE, 0, false, "has unallocated extents" },
		{ IOMAP_DELALLOC, 0, false, "has unallocated extents" },
		{ IOMAP_INLINE, 0, false, "is inline" },
		{ IOMAP_MAPPED, IOMAP_F_DIRTY, false, "is not committed" },
		{ IOMAP_UNWRITTEN, IOMAP_F_SHARED, false, "has shared extents" },
		{ IOMAP_MAPPED, 0, true, "outside main device" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(table); i++) {
		struct swap_info_struct sis;
		sector_t span;
		uint64_t addr = (table[i].type == IOMAP_MAPPED || table[i].type == IOMAP_UNWRITTEN)
					? 1 * M
					: IOMAP_NULL_ADDR;

		T.nr_ext = 0;
		tablefs_add(&T, 0, 64 * K, IOMAP_MAPPED, 0, 8 * M);
		tablefs_add(&T, 64 * K, 64 * K, table[i].type, table[i].flags, addr);
		if (table[i].other_dev)
			T.ext[1].bdev = &other;
		i_size_write(&T.inode, 128 * K);
		ck_assert_int_eq(swapon(&sis, &span), -EINVAL);
		ck_assert_msg(strstr(sis.errmsg, table[i].msg), "case %zu: '%s'", i, sis.errmsg);
		swap_info_release(&sis);
	}
}
END_TEST

/* swap-5.3: a file with no whole device page is refused. */
START_TEST(swap_5_3_no_usable_page)
{
	struct swap_info_struct sis;
	sector_t span;

	tablefs_destroy(&T);
	tablefs_init(&T, 9, 8 * K);
	/* 512-byte blocks scattered so that no run covers a whole device page */
	for (int i = 0; i < 16; i++)
		tablefs_add(&T, i * 512, 512, IOMAP_MAPPED, 0, (uint64_t)i * 8192 + 512);
	ck_assert_int_eq(swapon(&sis, &span), -EINVAL);
	ck_assert(strstr(sis.errmsg, "single usable page"));
	swap_info_release(&sis);
}
END_TEST

/* zero-6.1: holes and unwritten space are skipped without I/O. */
START_TEST(zero_6_1_skip_holes_unwritten)
{
	bool did_zero = false;

	tablefs_add(&T, 0, 64 * K, IOMAP_UNWRITTEN, 0, 1 * M);
	ck_assert_int_eq(iomap_zero_range(&T.inode, 0, 128 * K, &did_zero, &tablefs_ops), 0);
	ck_assert_uint_eq(T.writepages, 0);
	/* nothing was brought into the page cache to be zeroed */
	ck_assert_ptr_null(filemap_find_next_folio(T.inode.i_mapping, 0, 31));
	ck_assert_uint_eq(T.nr_calls, 4); /* unwritten, then the hole up to 128k */
	ck_assert_uint_eq(T.calls[0].flags, IOMAP_ZERO);
	ck_assert_int_eq(T.calls[2].pos, 64 * K);
	ck_assert_int_eq(T.calls[2].length, 64 * K);
	ck_assert_int_eq(iomap_zero_range(&T.inode, 0, 0, NULL, &tablefs_ops), 0);
	ck_assert_int_eq(iomap_zero_range(&T.inode, -1, 10, NULL, &tablefs_ops), -EINVAL);
}
END_TEST

/* zero-6.2: dirty cache over unwritten space is written back and re-mapped. */
START_TEST(zero_6_2_dirty_cache_flush_and_stale)
{
	tablefs_add(&T, 0, 64 * K, IOMAP_UNWRITTEN, 0, 1 * M);
	dirty_folio(2);
	ck_assert_int_eq(iomap_zero_range(&T.inode, 0, 64 * K, NULL, &tablefs_ops), 0);
	ck_assert_uint_eq(T.writepages, 1);
	/* the same position was mapped twice: once before, once after writeback */
	ck_assert(!T.calls[0].end && T.calls[0].pos == 0);
	ck_assert(!T.calls[2].end && T.calls[2].pos == 0);
}
END_TEST

/*
 * zero-6.4: a dirty, unaligned head over unwritten space is zeroed in its
 * folio, without writing anything back (the kernel's "partial EOF
 * zeroing" special case, 6.12 and later); the clean rest over unwritten
 * space is skipped.
 */
START_TEST(zero_6_4_dirty_unaligned_head)
{
	struct folio *folio;
	unsigned char *d;

	tablefs_add(&T, 0, 64 * K, IOMAP_UNWRITTEN, 0, 1 * M);
	dirty_folio(1); /* [4k, 8k) */
	folio = filemap_get_folio(T.inode.i_mapping, 1);
	ck_assert_ptr_nonnull(folio);
	memset(folio->data, 0x5a, folio_size(folio));
	ck_assert_int_eq(iomap_zero_range(&T.inode, 4 * K + 100, 20 * K, NULL, &tablefs_ops), 0);
	ck_assert_uint_eq(T.writepages, 0);
	d = folio->data;
	for (unsigned i = 0; i < 4 * K; i++)
		ck_assert_msg(d[i] == (i < 100 ? 0x5a : 0), "byte %u is 0x%x", i, d[i]);
	ck_assert(folio_test(folio, PG_dirty));
	folio_put(folio);
}
END_TEST

/* zero-6.5: a range running past the largest offset is clipped, not overflowed. */
START_TEST(zero_6_5_clip_at_max)
{
	tablefs_add(&T, MAX_LFS_FILESIZE - 64 * K, 64 * K, IOMAP_UNWRITTEN, 0, 1 * M);
	ck_assert_int_eq(iomap_zero_range(&T.inode, MAX_LFS_FILESIZE - 2, 4096, NULL,
					  &tablefs_ops),
			 0);
	ck_assert_uint_eq(T.nr_calls, 2);
	ck_assert_int_eq(T.calls[0].length, 2); /* only the two bytes that exist */
}
END_TEST

/*
 * zero-6.3: written data is zeroed in the page cache (folios read first,
 * edges kept) and reaches the device at writeback: exactly the range.
 */
START_TEST(zero_6_3_mapped_zeroed_on_device)
{
	struct backend *be = backend_ram_new(4 * M, 512);
	unsigned char *buf = malloc(64 * K);
	bool did_zero = false;

	ck_assert_ptr_nonnull(be);
	memset(buf, 0xAA, 64 * K);
	ck_assert_int_eq(backend_rw_sync(be, BACKEND_WRITE, 1 * M, buf, 64 * K, 0), 0);
	ck_assert_int_eq(tablefs_open_bdev(&T, be), 0);
	T.writeback = true;
	tablefs_add(&T, 0, 64 * K, IOMAP_MAPPED, 0, 1 * M);
	/* Bytes [1000, 9000): neither end on a sector boundary. */
	ck_assert_int_eq(iomap_zero_range(&T.inode, 1000, 8000, &did_zero, &tablefs_ops), 0);
	ck_assert(did_zero);
	ck_assert_int_eq(filemap_write_and_wait_range(T.inode.i_mapping, 0, INT64_MAX), 0);
	ck_assert_int_eq(backend_rw_sync(be, BACKEND_READ, 1 * M, buf, 64 * K, 0), 0);
	for (unsigned i = 0; i < 64 * K; i++)
		ck_assert_msg(buf[i] == ((i >= 1000 && i < 9000) ? 0 : 0xAA), "byte %u is 0x%x", i,
			      buf[i]);
	tablefs_close_bdev(&T);
	backend_destroy(be);
	free(buf);
}
END_TEST

static Suite *iomap_suite(void)
{
	Suite *s = suite_create("iomap");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, iter_1_1_begin_end_protocol);
	tcase_add_test(tc, iter_1_2_no_progress_stops);
	tcase_add_test(tc, iter_1_3_status_error);
	tcase_add_test(tc, iter_1_4_stale_relookup);
	tcase_add_test(tc, iter_1_5_fs_errors);
	tcase_add_test(tc, iter_1_6_bad_mapping);
	tcase_add_test(tc, iter_1_7_trace_lengths);
	tcase_add_test(tc, iter_1_8_length_trim_srcmap);
	tcase_add_test(tc, fiemap_2_1_types_and_flags);
	tcase_add_test(tc, fiemap_2_2_array_limits);
	tcase_add_test(tc, fiemap_2_3_prep);
	tcase_add_test(tc, fiemap_2_4_walk_to_max);
	tcase_add_test(tc, bmap_3_1_table);
	tcase_add_test(tc, bmap_3_2_small_blocks);
	tcase_add_test(tc, seek_4_1_layout_table);
	tcase_add_test(tc, seek_4_2_unwritten_page_cache);
	tcase_add_test(tc, seek_4_3_error);
	tcase_add_test(tc, swap_5_1_extents);
	tcase_add_test(tc, swap_5_2_refusals);
	tcase_add_test(tc, swap_5_3_no_usable_page);
	tcase_add_test(tc, zero_6_1_skip_holes_unwritten);
	tcase_add_test(tc, zero_6_2_dirty_cache_flush_and_stale);
	tcase_add_test(tc, zero_6_3_mapped_zeroed_on_device);
	tcase_add_test(tc, zero_6_4_dirty_unaligned_head);
	tcase_add_test(tc, zero_6_5_clip_at_max);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(iomap_suite());
}
