/**
 * @file test_readahead.c
 * @brief Check suite for the kernel model's read path and dirty limits:
 *        core/kernel/readahead.c, filemap_read() in filemap.c, and
 *        core/kernel/page-writeback.c.
 *
 * The filesystem is a fake address_space_operations in this file: its
 * ->readahead and ->read_folio fill each folio with a pattern derived from
 * the file position (so a wrong copy offset shows as wrong bytes), mark it
 * uptodate and unlock it, and record every call; a page index can be made
 * to fail (the folio is unlocked !uptodate, as after a read error).
 *
 * Areas:
 *   ra-1.*     the readahead window: sizes over a sequential scan, the
 *              initial size table, random reads, the PG_readahead marker,
 *              large folios
 *   ra-2.*     filemap_read(): EOF, IOCB_NOWAIT, partially uptodate
 *              folios, read errors, a cached !uptodate folio
 *   dirty-1.*  dirty accounting and the background writeback trigger
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <iomap/fs.h>
#include <iomap/pagecache.h>
#include <iomap/trace.h>

#include "../testutil.h"

#define KiB 1024

static struct super_block sb;
static struct inode inode;
static struct address_space *mapping;
static struct file file;

/* ---------------------------------------------------------------------- */
/* The fake filesystem                                                     */
/* ---------------------------------------------------------------------- */

/* Byte @pos of the file's contents. */
static unsigned char pattern(loff_t pos)
{
	return (unsigned char)((pos * 7) ^ (pos >> 12));
}

#define MAX_CALLS 64
static struct { pgoff_t index; unsigned nr_pages; } ra_calls[MAX_CALLS];
static int nr_ra_calls;
static int nr_read_folio;
static pgoff_t fail_index = ULONG_MAX; /* this page's folio fails to read */

/* Fill @folio as a completed read would, or leave it !uptodate. */
static void fake_fill(struct folio *folio)
{
	loff_t pos = folio_pos(folio);

	if (fail_index >= folio->index && fail_index < folio->index + folio_nr_pages(folio)) {
		folio_unlock(folio); /* a read error: unlocked, !uptodate */
		return;
	}
	for (size_t i = 0; i < folio_size(folio); i++)
		((unsigned char *)folio->data)[i] = pattern(pos + (loff_t)i);
	folio_mark_uptodate(folio);
	folio_unlock(folio);
}

static void fake_readahead(struct readahead_control *rac)
{
	struct folio *folio;

	ck_assert_int_lt(nr_ra_calls, MAX_CALLS);
	ra_calls[nr_ra_calls].index = readahead_index(rac);
	ra_calls[nr_ra_calls].nr_pages = readahead_count(rac);
	nr_ra_calls++;
	while ((folio = readahead_folio(rac)) != NULL) {
		ck_assert(folio_test(folio, PG_locked));
		ck_assert(!folio_test(folio, PG_uptodate));
		fake_fill(folio);
	}
}

static int fake_read_folio(struct file *f, struct folio *folio)
{
	ck_assert(folio_test(folio, PG_locked));
	nr_read_folio++;
	fake_fill(folio);
	return 0;
}

/* Per-block state of the partially-uptodate tests: bytes [lo, hi) of
 * the folio at page 0 are uptodate. */
static size_t partial_lo, partial_hi;

static bool fake_is_partially_uptodate(struct folio *folio, size_t from, size_t count)
{
	return folio->index == 0 && from >= partial_lo && from + count <= partial_hi;
}

static const struct address_space_operations fake_aops = {
	.readahead = fake_readahead,
	.read_folio = fake_read_folio,
	.is_partially_uptodate = fake_is_partially_uptodate,
};

/* A file of @size bytes, block size 2^@blkbits; @large: large folios. */
static void setup_file(loff_t size, unsigned blkbits, bool large)
{
	memset(&sb, 0, sizeof(sb));
	sb.s_blocksize_bits = blkbits;
	sb.s_blocksize = 1ul << blkbits;
	sb.s_maxbytes = MAX_LFS_FILESIZE;
	inode_init(&inode, &sb, 7);
	inode.i_blkbits = blkbits;
	mapping = inode.i_mapping;
	mapping->a_ops = &fake_aops;
	if (large)
		mapping_set_large_folios(mapping);
	i_size_write(&inode, size);
	memset(&file, 0, sizeof(file));
	file.f_inode = &inode;
	file.f_flags = O_RDONLY;
	file_ra_state_init(&file.f_ra, mapping);
	nr_ra_calls = 0;
	nr_read_folio = 0;
	fail_index = ULONG_MAX;
	partial_lo = partial_hi = 0;
}

static void teardown_file(void)
{
	ck_assert_int_ge(filemap_index_check(mapping), 0);
	inode_destroy(&inode);
	ck_assert_int_eq(lockdep_nr_reports(), 0);
}

/* pread(2) through filemap_read(); checks the bytes it returns. */
static ssize_t do_read(loff_t pos, size_t len, unsigned flags)
{
	unsigned char *buf = malloc(len ? len : 1);
	struct kvec vec = { buf, len };
	struct iov_iter iter;
	struct kiocb iocb;
	ssize_t ret;

	ck_assert_ptr_nonnull(buf);
	init_sync_kiocb(&iocb, &file);
	iocb.ki_pos = pos;
	iocb.ki_flags |= flags;
	iov_iter_kvec(&iter, ITER_DEST, &vec, 1, len);
	ret = filemap_read(&iocb, &iter, 0);
	if (ret > 0) {
		ck_assert_int_eq(iocb.ki_pos, pos + ret);
		for (ssize_t i = 0; i < ret; i++)
			if (buf[i] != pattern(pos + i))
				ck_abort_msg("byte %lld: %#x, expected %#x", (long long)(pos + i),
					     buf[i], pattern(pos + i));
	}
	free(buf);
	return ret;
}

static struct folio *cached(pgoff_t index)
{
	struct folio *folio = filemap_get_folio(mapping, index);

	if (folio)
		folio_put(folio); /* the page cache still holds it */
	return folio;
}

/* ---------------------------------------------------------------------- */
/* ra-1: the window                                                        */
/* ---------------------------------------------------------------------- */

/*
 * A sequential scan in 4 KiB reads of a 512 KiB file: a 4-page window at
 * the first miss, then each marker starts the next window, 8, 16, 32, 32
 * pages, until EOF cuts the last one.  Nothing is read twice and
 * ->read_folio is never needed.
 */
START_TEST(ra_1_1_sequential_scan_window_sizes)
{
	static const struct { pgoff_t index; unsigned nr; } want[] = {
		{ 0, 4 }, { 4, 8 }, { 12, 16 }, { 28, 32 }, { 60, 32 }, { 92, 32 }, { 124, 4 },
	};

	setup_file(512 * KiB, 12, false);
	for (loff_t pos = 0; pos < 512 * KiB; pos += 4 * KiB)
		ck_assert_int_eq(do_read(pos, 4 * KiB, 0), 4 * KiB);
	ck_assert_int_eq(nr_ra_calls, (int)ARRAY_SIZE(want));
	for (int i = 0; i < nr_ra_calls; i++) {
		ck_assert_uint_eq(ra_calls[i].index, want[i].index);
		ck_assert_uint_eq(ra_calls[i].nr_pages, want[i].nr);
	}
	ck_assert_int_eq(nr_read_folio, 0);
	ck_assert_int_eq(file.f_ra.prev_pos, 512 * KiB);
	ck_assert_uint_eq(mapping->nrpages, 128);
	/* Reading it all again is served from the cache. */
	for (loff_t pos = 0; pos < 512 * KiB; pos += 64 * KiB)
		ck_assert_int_eq(do_read(pos, 64 * KiB, 0), 64 * KiB);
	ck_assert_int_eq(nr_ra_calls, (int)ARRAY_SIZE(want));
	teardown_file();
}
END_TEST

/* The first window for a read of N pages at offset 0 (get_init_ra_size
 * with ra_pages 32), and the windows that one read goes through. */
static const struct {
	unsigned req_pages;
	unsigned nr_calls;
	unsigned first, second;
} init_tab[] = {
	{ 1, 1, 4, 0 },  { 2, 1, 4, 0 },  { 3, 1, 8, 0 },  { 4, 1, 8, 0 },
	{ 8, 1, 16, 0 }, { 9, 1, 32, 0 }, { 16, 1, 32, 0 },
	/* larger than a window: async_size = size, the marker is on page 0,
	 * so the next window starts at once, and the one after at page 32 */
	{ 64, 3, 32, 32 },
};

START_TEST(ra_1_2_initial_window_table)
{
	setup_file(1024 * KiB, 12, false);
	ck_assert_int_eq(do_read(0, init_tab[_i].req_pages * 4 * KiB, 0),
			 init_tab[_i].req_pages * 4 * KiB);
	ck_assert_int_eq(nr_ra_calls, init_tab[_i].nr_calls);
	ck_assert_uint_eq(ra_calls[0].index, 0);
	ck_assert_uint_eq(ra_calls[0].nr_pages, init_tab[_i].first);
	if (init_tab[_i].nr_calls > 1) {
		ck_assert_uint_eq(ra_calls[1].index, init_tab[_i].first);
		ck_assert_uint_eq(ra_calls[1].nr_pages, init_tab[_i].second);
	}
	ck_assert_int_eq(nr_read_folio, 0);
	teardown_file();
}
END_TEST

/*
 * A random read reads only what it asked for and leaves the window alone;
 * the read right after it starts a new stream with a fresh 4-page window.
 */
START_TEST(ra_1_3_random_read_resets_window)
{
	struct file_ra_state before;

	setup_file(4096 * KiB, 12, false);
	for (loff_t pos = 0; pos < 8 * 4 * KiB; pos += 4 * KiB)
		ck_assert_int_eq(do_read(pos, 4 * KiB, 0), 4 * KiB);
	ck_assert_int_eq(nr_ra_calls, 3); /* 4, 8, 16 pages */
	before = file.f_ra;
	ck_assert_uint_eq(before.size, 16);

	ck_assert_int_eq(do_read(500 * 4 * KiB, 4 * KiB, 0), 4 * KiB);
	ck_assert_int_eq(nr_ra_calls, 4);
	ck_assert_uint_eq(ra_calls[3].index, 500);
	ck_assert_uint_eq(ra_calls[3].nr_pages, 1);
	ck_assert_uint_eq(file.f_ra.start, before.start);
	ck_assert_uint_eq(file.f_ra.size, before.size);
	ck_assert_ptr_null(cached(501));

	ck_assert_int_eq(do_read(501 * 4 * KiB, 4 * KiB, 0), 4 * KiB);
	ck_assert_int_eq(nr_ra_calls, 5);
	ck_assert_uint_eq(ra_calls[4].index, 501);
	ck_assert_uint_eq(ra_calls[4].nr_pages, 4);
	ck_assert_uint_eq(file.f_ra.start, 501);
	ck_assert_uint_eq(file.f_ra.size, 4);
	teardown_file();
}
END_TEST

/*
 * The marker: after the first read only page 1 (start + size - async_size)
 * carries PG_readahead.  Reading page 1 (a cache hit) starts the next
 * window asynchronously and moves the marker to its first page; reading
 * an unmarked cached page starts nothing.
 */
START_TEST(ra_1_4_marker_triggers_async_readahead)
{
	setup_file(1024 * KiB, 12, false);
	ck_assert_int_eq(do_read(0, 4 * KiB, 0), 4 * KiB);
	ck_assert_int_eq(nr_ra_calls, 1);
	for (pgoff_t i = 0; i < 4; i++)
		ck_assert_int_eq(folio_test(cached(i), PG_readahead), i == 1);
	ck_assert_uint_eq(file.f_ra.async_size, 3);

	ck_assert_int_eq(do_read(2 * 4 * KiB, 100, 0), 100); /* unmarked hit */
	ck_assert_int_eq(nr_ra_calls, 1);

	ck_assert_int_eq(do_read(1 * 4 * KiB, 4 * KiB, 0), 4 * KiB);
	ck_assert_int_eq(nr_ra_calls, 2);
	ck_assert_uint_eq(ra_calls[1].index, 4);
	ck_assert_uint_eq(ra_calls[1].nr_pages, 8);
	ck_assert(!folio_test(cached(1), PG_readahead));
	ck_assert(folio_test(cached(4), PG_readahead)); /* async_size = size */
	ck_assert_uint_eq(file.f_ra.start, 4);
	ck_assert_uint_eq(file.f_ra.size, 8);
	ck_assert_uint_eq(file.f_ra.async_size, 8);
	teardown_file();
}
END_TEST

/*
 * Large folios: a 64 KiB read of a 64 KiB file is one readahead of 16
 * pages in one 64 KiB folio (kernel trace 07: `iomap_readahead: nr_pages
 * 16`), with no marker since the window reaches EOF.  In a larger file
 * the folios follow the window and their alignment.
 */
START_TEST(ra_1_5_large_folios)
{
	struct folio *folio;

	setup_file(64 * KiB, 12, true);
	ck_assert_int_eq(do_read(0, 64 * KiB, 0), 64 * KiB);
	ck_assert_int_eq(nr_ra_calls, 1);
	ck_assert_uint_eq(ra_calls[0].nr_pages, 16);
	folio = cached(0);
	ck_assert_uint_eq(folio->order, 4);
	ck_assert(!folio_test(folio, PG_readahead));
	teardown_file();

	/* 1 MiB file, 4 KiB reads: window 4 = one order-2 folio whose marker
	 * (page 1) rounds down to the folio itself, so the next window
	 * [4, 12) follows at once, as order-2 folios (index 4 is only
	 * 4-page aligned, and [8, 16) would pass the window's end). */
	setup_file(1024 * KiB, 12, true);
	ck_assert_int_eq(do_read(0, 4 * KiB, 0), 4 * KiB);
	ck_assert_int_eq(nr_ra_calls, 2);
	ck_assert_uint_eq(cached(0)->order, 2);
	ck_assert_uint_eq(ra_calls[1].index, 4);
	ck_assert_uint_eq(ra_calls[1].nr_pages, 8);
	ck_assert_uint_eq(cached(4)->order, 2);
	ck_assert_uint_eq(cached(8)->order, 2);
	ck_assert_ptr_null(cached(12));
	for (loff_t pos = 4 * KiB; pos < 1024 * KiB; pos += 4 * KiB)
		ck_assert_int_eq(do_read(pos, 4 * KiB, 0), 4 * KiB);
	ck_assert_uint_eq(mapping->nrpages, 256);
	ck_assert_int_eq(nr_read_folio, 0);
	teardown_file();
}
END_TEST

/* ---------------------------------------------------------------------- */
/* ra-2: filemap_read                                                      */
/* ---------------------------------------------------------------------- */

/* EOF: a read across it is short, one at or past it returns 0 and reads
 * nothing; a zero-length read returns 0. */
START_TEST(ra_2_1_eof)
{
	setup_file(10000, 12, false);
	ck_assert_int_eq(do_read(4096, 8192, 0), 10000 - 4096);
	ck_assert_int_eq(do_read(9999, 10, 0), 1);
	ck_assert_int_eq(nr_ra_calls, 1); /* a random read: pages 1 and 2 only */
	ck_assert_int_eq(do_read(0, 20000, 0), 10000);
	ck_assert_int_eq(nr_ra_calls, 2); /* page 0; its window stops at EOF */
	ck_assert_int_eq(do_read(10000, 4096, 0), 0);
	ck_assert_int_eq(do_read(1 << 20, 4096, 0), 0);
	ck_assert_int_eq(do_read(0, 0, 0), 0);
	ck_assert_int_eq(nr_ra_calls, 2);
	/* No folio past the page holding the last byte. */
	ck_assert_uint_eq(mapping->nrpages, 3);
	teardown_file();

	setup_file(0, 12, false);
	ck_assert_int_eq(do_read(0, 4096, 0), 0);
	ck_assert_int_eq(nr_ra_calls, 0);
	ck_assert_uint_eq(mapping->nrpages, 0);
	teardown_file();
}
END_TEST

/* IOCB_NOWAIT: -EAGAIN and no I/O when the data is not cached; served
 * from the cache once it is. */
START_TEST(ra_2_2_nowait)
{
	setup_file(64 * KiB, 12, false);
	ck_assert_int_eq(do_read(0, 4096, IOCB_NOWAIT), -EAGAIN);
	ck_assert_int_eq(nr_ra_calls, 0);
	ck_assert_int_eq(nr_read_folio, 0);
	ck_assert_uint_eq(mapping->nrpages, 0);
	ck_assert_int_eq(do_read(0, 4096, 0), 4096); /* window of 4 pages */
	ck_assert_int_eq(do_read(0, 16 * KiB, IOCB_NOWAIT), 16 * KiB);
	/* Part cached, part not: the cached part, short. */
	ck_assert_int_eq(do_read(8 * KiB, 16 * KiB, IOCB_NOWAIT), 8 * KiB);
	ck_assert_int_eq(nr_ra_calls, 1);
	teardown_file();
}
END_TEST

/*
 * A cached folio that is not uptodate (a buffered write filled part of it;
 * 1 KiB blocks): a read of uptodate blocks copies without any I/O; a read
 * that needs other blocks calls ->read_folio once (scenario 03's
 * `iomap_readpage` before `pread -v 0 4096`).
 */
START_TEST(ra_2_3_partially_uptodate_folio)
{
	struct folio *folio;

	setup_file(4096, 10, false);
	ck_assert_int_eq(__filemap_get_folio(mapping, 0, FGP_CREAT | FGP_LOCK, 0, &folio), 0);
	for (size_t i = 1024; i < 2048; i++)
		((unsigned char *)folio->data)[i] = pattern((loff_t)i);
	folio_unlock(folio);
	folio_put(folio);
	partial_lo = 1024;
	partial_hi = 2048;

	ck_assert_int_eq(do_read(1024, 1024, 0), 1024);
	ck_assert_int_eq(do_read(1500, 300, 0), 300);
	ck_assert_int_eq(nr_read_folio, 0);
	ck_assert_int_eq(nr_ra_calls, 0);
	ck_assert(!folio_test(folio, PG_uptodate));

	/* Another block: not uptodate there, so the whole folio is read. */
	ck_assert_int_eq(do_read(1024, 2048, 0), 2048);
	ck_assert_int_eq(nr_read_folio, 1);
	ck_assert(folio_test(folio, PG_uptodate));
	ck_assert_int_eq(do_read(0, 4096, 0), 4096);
	ck_assert_int_eq(nr_read_folio, 1);
	ck_assert_int_eq(nr_ra_calls, 0);
	teardown_file();

	/* A read of the whole folio never trusts per-block state. */
	setup_file(4096, 10, false);
	ck_assert_int_eq(__filemap_get_folio(mapping, 0, FGP_CREAT, 0, &folio), 0);
	folio_put(folio);
	partial_lo = 0;
	partial_hi = 4096;
	ck_assert_int_eq(do_read(0, 4096, 0), 4096);
	ck_assert_int_eq(nr_read_folio, 1);
	/* With IOCB_NOWAIT a needed read is -EAGAIN instead. */
	teardown_file();
	setup_file(4096, 10, false);
	ck_assert_int_eq(__filemap_get_folio(mapping, 0, FGP_CREAT, 0, &folio), 0);
	folio_put(folio);
	ck_assert_int_eq(do_read(0, 4096, IOCB_NOWAIT), -EAGAIN);
	ck_assert_int_eq(nr_read_folio, 0);
	teardown_file();
}
END_TEST

/*
 * A read error: readahead leaves the folio !uptodate, the retry through
 * ->read_folio fails too, and the read returns -EIO, or the bytes before
 * the bad folio.  The window shrinks (ra_pages / 4).  Once the device
 * recovers, the same read succeeds.
 */
START_TEST(ra_2_4_read_error_is_eio)
{
	setup_file(64 * KiB, 12, false);
	fail_index = 0;
	ck_assert_int_eq(do_read(0, 4096, 0), -EIO);
	ck_assert_int_eq(nr_ra_calls, 1);
	ck_assert_int_eq(nr_read_folio, 1);
	ck_assert_uint_eq(file.f_ra.ra_pages, VM_READAHEAD_PAGES / 4);
	ck_assert(!folio_test(cached(0), PG_uptodate));
	ck_assert(!folio_test(cached(0), PG_locked));

	fail_index = ULONG_MAX;
	ck_assert_int_eq(do_read(0, 4096, 0), 4096);
	ck_assert_int_eq(nr_read_folio, 2);
	teardown_file();

	setup_file(64 * KiB, 12, false);
	fail_index = 2;
	ck_assert_int_eq(do_read(0, 16 * KiB, 0), 8 * KiB); /* pages 0 and 1 */
	ck_assert_int_eq(nr_read_folio, 1);
	fail_index = ULONG_MAX;
	ck_assert_int_eq(do_read(0, 16 * KiB, 0), 16 * KiB);
	ck_assert_int_eq(nr_read_folio, 2);
	teardown_file();
}
END_TEST

/* Readahead off (a zeroed file_ra_state): each miss reads just the pages
 * the request covers. */
START_TEST(ra_2_5_readahead_off)
{
	setup_file(64 * KiB, 12, false);
	memset(&file.f_ra, 0, sizeof(file.f_ra));
	ck_assert_int_eq(do_read(0, 4096, 0), 4096);
	ck_assert_int_eq(do_read(4096, 8192, 0), 8192);
	ck_assert_int_eq(nr_ra_calls, 2);
	ck_assert_uint_eq(ra_calls[0].nr_pages, 1);
	ck_assert_uint_eq(ra_calls[1].nr_pages, 2);
	ck_assert_uint_eq(mapping->nrpages, 3);
	teardown_file();
}
END_TEST

/* ---------------------------------------------------------------------- */
/* dirty-1: dirty accounting and background writeback                      */
/* ---------------------------------------------------------------------- */

static struct folio *new_folio(pgoff_t index, unsigned order)
{
	struct folio *folio;

	ck_assert_int_eq(__filemap_get_folio(mapping, index, FGP_CREAT, order, &folio), 0);
	folio_mark_uptodate(folio);
	folio_put(folio);
	return folio;
}

/* The counter follows every PG_dirty transition, once per transition,
 * by the folio's size; removing or freeing a dirty folio takes it off. */
START_TEST(dirty_1_1_accounting)
{
	uint64_t base = global_dirty_bytes();
	struct folio *a, *b, *c;

	setup_file(1 << 20, 12, true);
	a = new_folio(0, 0);
	b = new_folio(4, 2);
	ck_assert(folio_mark_dirty(a));
	ck_assert_uint_eq(global_dirty_bytes(), base + 4096);
	ck_assert(!folio_mark_dirty(a)); /* already dirty: counted once */
	ck_assert_uint_eq(global_dirty_bytes(), base + 4096);
	ck_assert(folio_mark_dirty(b));
	ck_assert_uint_eq(global_dirty_bytes(), base + 4096 + 16384);
	ck_assert(folio_clear_dirty_for_io(a));
	ck_assert(!folio_clear_dirty_for_io(a));
	ck_assert_uint_eq(global_dirty_bytes(), base + 16384);
	/* Truncation throws the dirty data away. */
	truncate_pagecache_range(mapping, 0, -1);
	ck_assert_uint_eq(global_dirty_bytes(), base);
	/* A dirty folio freed outside any mapping. */
	c = filemap_alloc_folio(1);
	folio_mark_uptodate(c);
	ck_assert(folio_mark_dirty(c));
	ck_assert_uint_eq(global_dirty_bytes(), base + 8192);
	folio_put(c);
	ck_assert_uint_eq(global_dirty_bytes(), base);
	teardown_file();
}
END_TEST

static int nr_writepages;
static struct writeback_control last_wbc;

/* Writes every dirty folio "instantly": clean, writeback, done. */
static int fake_writepages(struct address_space *m, struct writeback_control *wbc)
{
	pgoff_t index = 0;
	struct folio *folio;

	nr_writepages++;
	last_wbc = *wbc;
	while ((folio = filemap_find_next_folio(m, index, ULONG_MAX)) != NULL) {
		index = folio->index + folio_nr_pages(folio);
		folio_lock(folio);
		if (folio_clear_dirty_for_io(folio)) {
			folio_start_writeback(folio);
			folio_unlock(folio);
			folio_end_writeback(folio);
		} else {
			folio_unlock(folio);
		}
		folio_put(folio);
	}
	return 0;
}

static const struct address_space_operations wb_aops = {
	.writepages = fake_writepages,
};

/*
 * Over the background limit (exclusive), balance_dirty_pages_ratelimited()
 * writes the mapping back (WB_SYNC_NONE, whole file) before returning; at
 * or under it, it does nothing.
 */
START_TEST(dirty_1_2_background_writeback_trigger)
{
	uint64_t base = global_dirty_bytes();
	uint64_t old;

	setup_file(1 << 20, 12, false);
	mapping->a_ops = &wb_aops;
	nr_writepages = 0;
	old = vm_dirty_background_bytes_set(base + 16 * KiB);
	ck_assert_uint_eq(old, 64ull << 20); /* the default */

	for (pgoff_t i = 0; i < 4; i++) {
		folio_mark_dirty(new_folio(i, 0));
		balance_dirty_pages_ratelimited(mapping);
	}
	ck_assert_int_eq(nr_writepages, 0);
	ck_assert_uint_eq(global_dirty_bytes(), base + 16 * KiB);

	folio_mark_dirty(new_folio(4, 0));
	balance_dirty_pages_ratelimited(mapping);
	ck_assert_int_eq(nr_writepages, 1);
	ck_assert(!last_wbc.sync_all);
	ck_assert_int_eq(last_wbc.range_start, 0);
	ck_assert_int_eq(last_wbc.range_end, LLONG_MAX);
	ck_assert_uint_eq(global_dirty_bytes(), base);
	for (pgoff_t i = 0; i < 5; i++)
		ck_assert(!folio_test(cached(i), PG_dirty));

	/* Under the limit again: nothing more. */
	balance_dirty_pages_ratelimited(mapping);
	ck_assert_int_eq(nr_writepages, 1);
	vm_dirty_background_bytes_set(old);
	teardown_file();
}
END_TEST

static Suite *readahead_suite(void)
{
	Suite *s = suite_create("kernel-readahead");
	TCase *ra = tcase_create("ra");
	TCase *dirty = tcase_create("dirty");

	lockdep_set_quiet(true);
	tcase_add_test(ra, ra_1_1_sequential_scan_window_sizes);
	tcase_add_loop_test(ra, ra_1_2_initial_window_table, 0, (int)ARRAY_SIZE(init_tab));
	tcase_add_test(ra, ra_1_3_random_read_resets_window);
	tcase_add_test(ra, ra_1_4_marker_triggers_async_readahead);
	tcase_add_test(ra, ra_1_5_large_folios);
	tcase_add_test(ra, ra_2_1_eof);
	tcase_add_test(ra, ra_2_2_nowait);
	tcase_add_test(ra, ra_2_3_partially_uptodate_folio);
	tcase_add_test(ra, ra_2_4_read_error_is_eio);
	tcase_add_test(ra, ra_2_5_readahead_off);
	suite_add_tcase(s, ra);
	tcase_add_test(dirty, dirty_1_1_accounting);
	tcase_add_test(dirty, dirty_1_2_background_writeback_trigger);
	suite_add_tcase(s, dirty);
	return s;
}

int main(void)
{
	return run_suite(readahead_suite());
}
