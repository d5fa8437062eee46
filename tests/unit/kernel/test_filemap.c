/**
 * @file test_filemap.c
 * @brief Check suite for core/kernel/filemap.c and folio.c.
 *
 * Areas:
 *   filemap-1.*  the index: 10k random folios against a reference array,
 *                random large folios, the order clamping table, lookups
 *   filemap-2.*  mapping_seek_hole_data() table
 *   filemap-3.*  folio lock and writeback across threads, lookups racing
 *                with removal, a folio locked by read I/O that nobody waits
 *                for (deterministic mode)
 *   filemap-4.*  writeback, errors (AS_* flags vs errseq), range queries,
 *                the two halves sync_file_range() uses separately (start
 *                writeback without waiting; wait and report)
 *   filemap-5.*  truncate_pagecache_range() and
 *                invalidate_inode_pages2_range()
 *   folio-6.*    folio_check() invariants, references, events
 */
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <iomap/bio.h>
#include <iomap/fs.h>
#include <iomap/pagecache.h>
#include <iomap/trace.h>

#include "../testutil.h"
#include "backends/backend.h"

static struct super_block sb;
static struct inode inode;
static struct address_space *mapping;

/* An inode with block size 2^@blkbits; @large enables large folios. */
static void setup_inode(unsigned blkbits, bool large,
			const struct address_space_operations *ops)
{
	lockdep_set_quiet(true);
	memset(&sb, 0, sizeof(sb));
	sb.s_blocksize_bits = blkbits;
	sb.s_blocksize = 1ul << blkbits;
	sb.s_maxbytes = MAX_LFS_FILESIZE;
	inode_init(&inode, &sb, 42);
	mapping = inode.i_mapping;
	mapping->a_ops = ops;
	if (large)
		mapping_set_large_folios(mapping);
}

static void teardown_inode(void)
{
	ck_assert_int_ge(filemap_index_check(mapping), 0);
	inode_destroy(&inode);
	ck_assert_int_eq(lockdep_nr_reports(), 0);
}

/* Create (or find) the folio at @index, unlocked, and drop our reference. */
static struct folio *add_folio(pgoff_t index, unsigned order)
{
	struct folio *folio;

	ck_assert_int_eq(__filemap_get_folio(mapping, index, FGP_CREAT, order, &folio), 0);
	folio_put(folio); /* the page cache keeps its own reference */
	return folio;
}

static bool has_folio(pgoff_t index)
{
	struct folio *folio = filemap_get_folio(mapping, index);

	if (folio)
		folio_put(folio);
	return folio != NULL;
}

/* ---------------------------------------------------------------------- */
/* filemap-1: the index                                                    */
/* ---------------------------------------------------------------------- */

#define RANGE 50000
#define NFOLIOS 10000

START_TEST(filemap_1_1_random_index_matches_reference)
{
	static bool present[RANGE];
	unsigned long count = 0;
	unsigned seed = 1;
	int height;

	setup_inode(12, false, NULL);
	memset(present, 0, sizeof(present));
	for (int i = 0; i < NFOLIOS; i++) {
		pgoff_t idx = (pgoff_t)(rand_r(&seed) % RANGE);
		struct folio *folio;

		ck_assert_int_eq(__filemap_get_folio(mapping, idx, FGP_CREAT, 0, &folio), 0);
		ck_assert_uint_eq(folio->index, idx);
		if (!present[idx]) {
			/* a new folio arrives zero-filled */
			ck_assert_uint_eq(((uint64_t *)folio->data)[0], 0);
			((uint64_t *)folio->data)[0] = idx + 1;
			present[idx] = true;
			count++;
		}
		folio_put(folio);
	}
	ck_assert_uint_eq(mapping->nrpages, count);
	/* every index: present exactly when the reference says so, and the
	 * folio found is the one created for it */
	for (pgoff_t idx = 0; idx < RANGE; idx++) {
		struct folio *folio = filemap_get_folio(mapping, idx);

		ck_assert_msg((folio != NULL) == present[idx], "index %lu", (unsigned long)idx);
		if (folio) {
			ck_assert_uint_eq(((uint64_t *)folio->data)[0], idx + 1);
			folio_put(folio);
		}
	}
	/* AVL height bound: < 1.45 log2(n + 2) */
	height = filemap_index_check(mapping);
	ck_assert_int_ge(height, 1);
	ck_assert_int_le(height, 20); /* 1.45 * log2(10002) = 19.3 */

	/* remove about half, in random order */
	for (int i = 0; i < NFOLIOS; i++) {
		pgoff_t idx = (pgoff_t)(rand_r(&seed) % RANGE);
		struct folio *folio = filemap_get_folio(mapping, idx);

		ck_assert((folio != NULL) == present[idx]);
		if (!folio)
			continue;
		filemap_remove_folio(folio);
		ck_assert_ptr_null(folio->mapping);
		folio_put(folio);
		present[idx] = false;
		count--;
	}
	ck_assert_uint_eq(mapping->nrpages, count);
	ck_assert_int_ge(filemap_index_check(mapping), 0);
	for (pgoff_t idx = 0; idx < RANGE; idx++)
		ck_assert_msg(has_folio(idx) == present[idx], "index %lu", (unsigned long)idx);
	teardown_inode();
}
END_TEST

START_TEST(filemap_1_2_random_large_folios)
{
	enum { PAGES = 8192 };
	static int64_t owner[PAGES]; /* first page of the covering folio, or -1 */
	unsigned seed = 7;

	setup_inode(12, true, NULL);
	for (int i = 0; i < PAGES; i++)
		owner[i] = -1;
	for (int i = 0; i < 3000; i++) {
		pgoff_t idx = (pgoff_t)(rand_r(&seed) % PAGES);
		unsigned order = (unsigned)(rand_r(&seed) % 7);
		struct folio *folio;
		pgoff_t n;

		ck_assert_int_eq(__filemap_get_folio(mapping, idx, FGP_CREAT, order, &folio), 0);
		n = folio_nr_pages(folio);
		ck_assert_uint_le(folio->index, idx);
		ck_assert_uint_gt(folio->index + n, idx);
		ck_assert_int_eq(folio_check(folio), 0);
		if (owner[idx] >= 0) {
			ck_assert_int_eq((int64_t)folio->index, owner[idx]);
		} else {
			/* new: starts at idx, never bigger than asked, and did
			 * not overlap anything */
			ck_assert_uint_eq(folio->index, idx);
			ck_assert_uint_le(folio->order, order);
			ck_assert_uint_le(idx + n, PAGES + 64);
			for (pgoff_t p = idx; p < idx + n && p < PAGES; p++) {
				ck_assert_int_eq(owner[p], -1);
				owner[p] = (int64_t)idx;
			}
		}
		folio_put(folio);
	}
	ck_assert_int_ge(filemap_index_check(mapping), 0);
	for (pgoff_t p = 0; p < PAGES; p++) {
		struct folio *folio = filemap_get_folio(mapping, p);

		ck_assert((folio != NULL) == (owner[p] >= 0));
		if (folio) {
			ck_assert_int_eq((int64_t)folio->index, owner[p]);
			folio_put(folio);
		}
	}
	teardown_inode();
}
END_TEST

START_TEST(filemap_1_3_order_clamping_table)
{
	static const struct {
		bool large;
		int have_index, have_order; /* an existing folio, or -1 */
		pgoff_t index;
		unsigned order;
		pgoff_t want_index;
		unsigned want_order;
	} tab[] = {
		{ false, -1, 0, 0, 3, 0, 0 },   /* no large folio support */
		{ true, -1, 0, 0, 2, 0, 2 },    /* aligned, free */
		{ true, -1, 0, 2, 2, 2, 1 },    /* index 2 allows order 1 */
		{ true, -1, 0, 3, 4, 3, 0 },    /* odd index: order 0 */
		{ true, -1, 0, 6, 1, 6, 1 },
		{ true, -1, 0, 8, 3, 8, 3 },
		{ true, 12, 0, 8, 3, 8, 2 },    /* neighbour at 12: 8..11 */
		{ true, 9, 0, 8, 3, 8, 0 },     /* neighbour at 9: only 8 */
		{ true, 7, 0, 6, 1, 6, 0 },
		{ true, 16, 4, 8, 4, 8, 3 },    /* alignment first, then fits */
		{ true, -1, 0, 1024, 12, 1024, MAX_PAGECACHE_ORDER },
		{ true, 0, 2, 3, 0, 0, 2 },     /* covered: the existing folio */
		{ true, 0, 9, 511, 0, 0, 9 },   /* covered by the last page */
		{ true, 4, 2, 8, 3, 8, 3 },     /* neighbour just below */
	};

	for (size_t i = 0; i < ARRAY_SIZE(tab); i++) {
		struct folio *folio;

		setup_inode(12, tab[i].large, NULL);
		if (tab[i].have_index >= 0) {
			folio = add_folio((pgoff_t)tab[i].have_index, (unsigned)tab[i].have_order);
			ck_assert_uint_eq(folio->order, (unsigned)tab[i].have_order);
		}
		ck_assert_int_eq(__filemap_get_folio(mapping, tab[i].index, FGP_CREAT,
						     tab[i].order, &folio), 0);
		ck_assert_msg(folio->index == tab[i].want_index && folio->order == tab[i].want_order,
			      "row %zu: got folio %lu order %u, want %lu order %u", i,
			      (unsigned long)folio->index, folio->order,
			      (unsigned long)tab[i].want_index, tab[i].want_order);
		ck_assert_int_eq(folio_check(folio), 0);
		folio_put(folio);
		teardown_inode();
	}
}
END_TEST

START_TEST(filemap_1_4_lookup_flags_and_ranges)
{
	struct folio *folio = (struct folio *)1;

	setup_inode(12, true, NULL);
	/* absent without FGP_CREAT: -ENOENT and nothing created */
	ck_assert_int_eq(__filemap_get_folio(mapping, 5, FGP_LOCK, 0, &folio), -ENOENT);
	ck_assert_ptr_null(folio);
	ck_assert_ptr_null(filemap_get_folio(mapping, 5));
	ck_assert_uint_eq(mapping->nrpages, 0);

	add_folio(4, 2);  /* pages 4..7 */
	add_folio(12, 0);
	/* find_next table: [start, end] -> first covering folio or none */
	static const struct { pgoff_t start, end; long want; } tab[] = {
		{ 0, 3, -1 }, { 0, 4, 4 }, { 6, 6, 4 }, { 7, 100, 4 },
		{ 8, 11, -1 }, { 8, 12, 12 }, { 13, 1000, -1 }, { 5, 2, -1 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(tab); i++) {
		folio = filemap_find_next_folio(mapping, tab[i].start, tab[i].end);
		ck_assert_msg((folio ? (long)folio->index : -1) == tab[i].want, "row %zu", i);
		if (folio)
			folio_put(folio);
	}
	/* FGP_LOCK returns it locked, by us */
	ck_assert_int_eq(__filemap_get_folio(mapping, 6, FGP_LOCK, 0, &folio), 0);
	ck_assert_uint_eq(folio->index, 4);
	ck_assert(folio_test(folio, PG_locked));
	ck_assert(lockdep_is_held(&folio_lock_class));
	folio_unlock(folio);
	folio_put(folio);
	/* a new folio with FGP_LOCK is created locked */
	ck_assert_int_eq(__filemap_get_folio(mapping, 20, FGP_CREAT | FGP_LOCK, 0, &folio), 0);
	ck_assert(folio_test(folio, PG_locked));
	ck_assert(!folio_test(folio, PG_uptodate));
	folio_unlock(folio);
	folio_put(folio);
	ck_assert_uint_eq(mapping->nrpages, 6);
	teardown_inode();
}
END_TEST

/* ---------------------------------------------------------------------- */
/* filemap-2: seek                                                         */
/* ---------------------------------------------------------------------- */

/* Per-block uptodate bits kept in `private` as a plain bitmap. */
static bool fake_is_partially_uptodate(struct folio *folio, size_t from, size_t count)
{
	unsigned long bits = *(unsigned long *)folio->private;
	size_t bsz = i_blocksize(folio->mapping->host);

	for (size_t b = from / bsz; b < (from + count + bsz - 1) / bsz; b++)
		if (!(bits >> b & 1))
			return false;
	return true;
}

static const struct address_space_operations partial_ops = {
	.is_partially_uptodate = fake_is_partially_uptodate,
};

struct seek_folio {
	pgoff_t index;
	unsigned order;
	bool uptodate;
	long blocks; /* per-block bitmap in private, or -1 for none */
};

struct seek_case {
	const char *what;
	bool partial_ops;
	struct seek_folio folios[3];
	int nfolios;
	loff_t start, end;
	int whence;
	loff_t want;
};

#define K 1024
#define P 4096
#define END (16 * P)

static const struct seek_case seek_tab[] = {
	{ "empty data", false, {{0}}, 0, 0, END, SEEK_DATA, END },
	{ "empty hole", false, {{0}}, 0, 0, END, SEEK_HOLE, 0 },
	{ "empty hole mid", false, {{0}}, 0, 5000, END, SEEK_HOLE, 5000 },
	{ "empty range", false, {{0}}, 0, 100, 100, SEEK_DATA, 100 },

	{ "uptodate: data from 0", false, {{1, 0, true, -1}}, 1, 0, END, SEEK_DATA, P },
	{ "uptodate: hole from 0", false, {{1, 0, true, -1}}, 1, 0, END, SEEK_HOLE, 0 },
	{ "uptodate: hole from folio", false, {{1, 0, true, -1}}, 1, P, END, SEEK_HOLE, 2 * P },
	{ "uptodate: data inside", false, {{1, 0, true, -1}}, 1, 5000, END, SEEK_DATA, 5000 },
	{ "uptodate: data after", false, {{1, 0, true, -1}}, 1, 2 * P, END, SEEK_DATA, END },
	{ "uptodate: last byte", false, {{1, 0, true, -1}}, 1, 2 * P - 1, END, SEEK_DATA,
	  2 * P - 1 },
	{ "uptodate: end inside", false, {{1, 0, true, -1}}, 1, P, 6000, SEEK_HOLE, 6000 },
	{ "uptodate: end before", false, {{1, 0, true, -1}}, 1, 0, P, SEEK_DATA, P },

	{ "!uptodate no hook: data", false, {{1, 0, false, -1}}, 1, 0, END, SEEK_DATA, END },
	{ "!uptodate no hook: hole", false, {{1, 0, false, -1}}, 1, P, END, SEEK_HOLE, P },

	{ "partial 0b1100: data", true, {{1, 0, false, 0xc}}, 1, 0, END, SEEK_DATA, P + 2 * K },
	{ "partial 0b1100: data in blk", true, {{1, 0, false, 0xc}}, 1, 7000, END, SEEK_DATA,
	  7000 },
	{ "partial 0b1100: hole", true, {{1, 0, false, 0xc}}, 1, P + 2 * K, END, SEEK_HOLE,
	  2 * P },
	{ "partial 0b1100: hole first", true, {{1, 0, false, 0xc}}, 1, P, END, SEEK_HOLE, P },
	{ "partial 0b0110: hole mid", true, {{1, 0, false, 0x6}}, 1, P + K + 1, END, SEEK_HOLE,
	  P + 3 * K },
	{ "partial 0b0000: data", true, {{1, 0, false, 0x0}}, 1, 0, END, SEEK_DATA, END },
	{ "partial no private bits, uptodate wins", true, {{1, 0, true, 0x0}}, 1, P, END,
	  SEEK_DATA, P },

	{ "edges: hole", false, {{0, 0, true, -1}, {15, 0, true, -1}}, 2, 0, END, SEEK_HOLE, P },
	{ "edges: data", false, {{0, 0, true, -1}, {15, 0, true, -1}}, 2, P, END, SEEK_DATA,
	  15 * P },
	{ "edges: hole at end", false, {{0, 0, true, -1}, {15, 0, true, -1}}, 2, 15 * P, END,
	  SEEK_HOLE, END },
	{ "edges: data last byte", false, {{0, 0, true, -1}, {15, 0, true, -1}}, 2, END - 1,
	  END, SEEK_DATA, END - 1 },
	{ "folio past end", false, {{16, 0, true, -1}}, 1, 0, END, SEEK_DATA, END },

	{ "large: data", false, {{4, 2, true, -1}}, 1, 0, END, SEEK_DATA, 4 * P },
	{ "large: hole", false, {{4, 2, true, -1}}, 1, 20000, END, SEEK_HOLE, 8 * P },
	{ "large: data inside", false, {{4, 2, true, -1}}, 1, 20000, END, SEEK_DATA, 20000 },
	{ "adjacent: hole", false, {{1, 0, true, -1}, {2, 0, true, -1}}, 2, P, END, SEEK_HOLE,
	  3 * P },
	{ "gap: hole between", false, {{1, 0, true, -1}, {3, 0, true, -1}}, 2, P, END,
	  SEEK_HOLE, 2 * P },
	{ "gap: data after hole", false, {{1, 0, true, -1}, {3, 0, false, -1}}, 2, 2 * P, END,
	  SEEK_DATA, END },
};

START_TEST(filemap_2_1_seek_hole_data_table)
{
	const struct seek_case *c = &seek_tab[_i];
	unsigned long bits[3];
	loff_t got;

	setup_inode(10, true, c->partial_ops ? &partial_ops : NULL);
	for (int f = 0; f < c->nfolios; f++) {
		struct folio *folio = add_folio(c->folios[f].index, c->folios[f].order);

		ck_assert_uint_eq(folio->order, c->folios[f].order);
		if (c->folios[f].uptodate)
			folio_mark_uptodate(folio);
		if (c->folios[f].blocks >= 0) {
			bits[f] = (unsigned long)c->folios[f].blocks;
			folio->private = &bits[f];
		}
	}
	got = mapping_seek_hole_data(mapping, c->start, c->end, c->whence);
	ck_assert_msg(got == c->want, "%s: got %lld, want %lld", c->what, (long long)got,
		      (long long)c->want);
	/* the folio lock taken to ask the hook was released */
	ck_assert_int_eq(lockdep_depth(), 0);
	teardown_inode();
}
END_TEST

/* ---------------------------------------------------------------------- */
/* filemap-3: threads                                                      */
/* ---------------------------------------------------------------------- */

static int saw_contended;

static void contended_emit(struct trace_sink *sink, const struct trace_event *ev)
{
	if (strcmp(ev->name, "lock_contended") == 0)
		__atomic_store_n(&saw_contended, 1, __ATOMIC_RELEASE);
}

static struct trace_sink contended_sink = { .emit = contended_emit };

static void wait_for_contention(void)
{
	while (!__atomic_load_n(&saw_contended, __ATOMIC_ACQUIRE))
		usleep(1000);
}

struct lock_waiter {
	pgoff_t index;
	struct folio *got;
	uint32_t seen;
};

static void *get_locked_folio(void *p)
{
	struct lock_waiter *w = p;

	ck_assert_int_eq(__filemap_get_folio(mapping, w->index, FGP_LOCK | FGP_CREAT, 0, &w->got),
			 0);
	w->seen = *(uint32_t *)w->got->data;
	folio_unlock(w->got);
	return NULL;
}

START_TEST(filemap_3_1_folio_lock_excludes_and_wakes)
{
	struct lock_waiter w = { .index = 3 };
	struct folio *folio, *busy;
	pthread_t th;

	setup_inode(12, false, NULL);
	trace_add_sink(&contended_sink);
	ck_assert_int_eq(__filemap_get_folio(mapping, 3, FGP_CREAT | FGP_LOCK, 0, &folio), 0);
	/* FGP_NOWAIT on a locked folio: -EAGAIN, no sleep */
	ck_assert_int_eq(__filemap_get_folio(mapping, 3, FGP_LOCK | FGP_NOWAIT, 0, &busy),
			 -EAGAIN);
	ck_assert_int_eq(folio_trylock(folio), 0);
	pthread_create(&th, NULL, get_locked_folio, &w);
	wait_for_contention();
	/* the waiter is asleep: what we write under the lock, it must see */
	*(uint32_t *)folio->data = 0xfeedu;
	folio_unlock(folio);
	pthread_join(th, NULL);
	trace_remove_sink(&contended_sink);
	ck_assert_ptr_eq(w.got, folio);
	ck_assert_uint_eq(w.seen, 0xfeedu);
	ck_assert(!folio_test(folio, PG_locked));
	folio_put(w.got);
	folio_put(folio);
	teardown_inode();
}
END_TEST

START_TEST(filemap_3_2_waiter_retries_after_removal)
{
	struct lock_waiter w = { .index = 3 };
	struct folio *folio;
	pthread_t th;

	setup_inode(12, false, NULL);
	trace_add_sink(&contended_sink);
	ck_assert_int_eq(__filemap_get_folio(mapping, 3, FGP_CREAT | FGP_LOCK, 0, &folio), 0);
	pthread_create(&th, NULL, get_locked_folio, &w);
	wait_for_contention();
	/* truncate it while the waiter sleeps on its lock */
	filemap_remove_folio(folio);
	folio_unlock(folio);
	pthread_join(th, NULL);
	trace_remove_sink(&contended_sink);
	/* the waiter must not get the removed folio: it looks up again */
	ck_assert_ptr_ne(w.got, folio);
	ck_assert_ptr_eq(w.got->mapping, mapping);
	ck_assert_uint_eq(w.seen, 0);
	ck_assert_ptr_null(folio->mapping);
	folio_put(folio);
	folio_put(w.got);
	ck_assert_uint_eq(mapping->nrpages, 1);
	teardown_inode();
}
END_TEST

static void *end_writeback_later(void *p)
{
	struct folio *folio = p;

	usleep(20000);
	folio_end_writeback(folio);
	return NULL;
}

START_TEST(filemap_3_3_writeback_wait)
{
	struct folio *folio;
	pthread_t th;

	setup_inode(12, false, NULL);
	ck_assert_int_eq(__filemap_get_folio(mapping, 0, FGP_CREAT | FGP_LOCK, 0, &folio), 0);
	folio_mark_uptodate(folio);
	ck_assert(folio_mark_dirty(folio));
	ck_assert(!folio_mark_dirty(folio)); /* already dirty */
	ck_assert(folio_clear_dirty_for_io(folio));
	ck_assert(!folio_clear_dirty_for_io(folio));
	folio_start_writeback(folio);
	folio_unlock(folio);
	ck_assert_int_eq(folio_check(folio), 0);
	pthread_create(&th, NULL, end_writeback_later, folio);
	folio_wait_writeback(folio);
	/* returns only after the other thread cleared it */
	ck_assert(!folio_test(folio, PG_writeback));
	pthread_join(th, NULL);
	folio_put(folio);
	teardown_inode();
}
END_TEST

/* The read bio of filemap-3.4 ended: what iomap_read_end_io does. */
static void read_end_io(struct bio *bio)
{
	struct folio *folio = bio->bi_private;

	if (!bio->bi_status)
		folio_mark_uptodate(folio);
	folio_unlock(folio);
	bio_put(bio);
}

struct det_locker {
	struct folio *folio;
	bool uptodate; /* what the locker saw once it held the lock */
	int done;      /* atomic: folio_lock() returned */
};

static void *lock_then_unlock(void *p)
{
	struct det_locker *l = p;

	folio_lock(l->folio);
	l->uptodate = folio_test(l->folio, PG_uptodate);
	folio_unlock(l->folio);
	__atomic_store_n(&l->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * filemap-3.4: deterministic mode, a folio still locked by the read bio of
 * an async readahead window (nobody waits for it: the read(2) that started
 * it has returned).  A later folio_lock() -- writeback, truncate or a write
 * meeting that folio -- must deliver the device's completions rather than
 * sleep for an unlock that only those completions make.  It used to sleep
 * forever (the random test hung in iomap_writepages).
 */
START_TEST(filemap_3_4_lock_drives_deterministic_read)
{
	struct block_device bdev;
	struct backend *ram;
	struct det_locker l = { 0 };
	struct folio *folio;
	struct bio *bio;
	unsigned char *buf = malloc(PAGE_SIZE);
	pthread_t th;

	ck_assert_ptr_nonnull(buf);
	setup_inode(12, false, NULL);
	ck_assert_int_eq(kernel_exec_mode(), EXEC_DETERMINISTIC);
	ram = backend_ram_new(1u << 20, 512);
	ck_assert_ptr_nonnull(ram);
	ck_assert_int_eq(blkdev_open(&bdev, ram, MKDEV(7, 43)), 0);
	sb.s_bdev = &bdev;
	memset(buf, 0x5a, PAGE_SIZE);
	ck_assert_int_eq(blkdev_rw(&bdev, REQ_OP_WRITE, 0, buf, PAGE_SIZE), 0);

	/* As page_cache_ra_unbounded + iomap_readahead: a new folio, added
	 * locked, handed to a read bio that will unlock it. */
	folio = filemap_alloc_folio(0);
	ck_assert_ptr_nonnull(folio);
	ck_assert_int_eq(filemap_add_folio(mapping, folio, 0), 0);
	bio = bio_alloc(&bdev, 1, REQ_OP_READ);
	bio->bi_sector = 0;
	ck_assert_uint_eq(bio_add_buf(bio, folio->data, PAGE_SIZE), PAGE_SIZE);
	bio->bi_end_io = read_end_io;
	bio->bi_private = folio;
	submit_bio(bio);
	/* Deterministic: nothing has run the completion yet. */
	ck_assert(folio_test(folio, PG_locked));
	ck_assert(!folio_test(folio, PG_uptodate));

	/* On another thread, so that a regression fails here, not by timeout. */
	l.folio = folio;
	pthread_create(&th, NULL, lock_then_unlock, &l);
	for (int ms = 0; ms < 5000 && !__atomic_load_n(&l.done, __ATOMIC_ACQUIRE); ms++)
		usleep(1000);
	ck_assert_msg(__atomic_load_n(&l.done, __ATOMIC_ACQUIRE),
		      "folio_lock() still asleep on a folio locked by pending read I/O");
	pthread_join(th, NULL);
	/* It got the lock from the completion, so it saw the data read. */
	ck_assert(l.uptodate);
	ck_assert_int_eq(memcmp(folio->data, buf, PAGE_SIZE), 0);
	ck_assert(!folio_test(folio, PG_locked));

	folio_put(folio);
	sb.s_bdev = NULL;
	teardown_inode();
	blkdev_close(&bdev);
	backend_destroy(ram);
	free(buf);
}
END_TEST

/* ---------------------------------------------------------------------- */
/* filemap-4: writeback and errors                                         */
/* ---------------------------------------------------------------------- */

static struct writeback_control seen_wbc;
static int writepages_calls, writepages_ret;
static pthread_t wb_threads[16];
static int nr_wb_threads;

/* Start writeback on every dirty folio in range; end it from other threads
 * a little later, as bio completions would. */
static int fake_writepages(struct address_space *m, struct writeback_control *wbc)
{
	pgoff_t index = (pgoff_t)wbc->range_start >> PAGE_SHIFT;
	pgoff_t last = (pgoff_t)wbc->range_end >> PAGE_SHIFT;
	struct folio *folio;

	seen_wbc = *wbc;
	writepages_calls++;
	while ((folio = filemap_find_next_folio(m, index, last))) {
		index = folio->index + folio_nr_pages(folio);
		folio_lock(folio);
		if (folio_clear_dirty_for_io(folio)) {
			folio_start_writeback(folio);
			ck_assert_int_lt(nr_wb_threads, 16);
			pthread_create(&wb_threads[nr_wb_threads++], NULL, end_writeback_later, folio);
		}
		folio_unlock(folio);
		folio_put(folio);
		if (index > last)
			break;
	}
	return writepages_ret;
}

static const struct address_space_operations wb_ops = {
	.writepages = fake_writepages,
};

static void join_wb_threads(void)
{
	for (int i = 0; i < nr_wb_threads; i++)
		pthread_join(wb_threads[i], NULL);
	nr_wb_threads = 0;
}

START_TEST(filemap_4_1_write_and_wait_range)
{
	struct folio *f[4];

	setup_inode(12, false, &wb_ops);
	for (int i = 0; i < 4; i++) {
		f[i] = add_folio((pgoff_t)i, 0);
		folio_mark_uptodate(f[i]);
		folio_mark_dirty(f[i]);
	}
	ck_assert_int_eq(filemap_write_and_wait_range(mapping, P, 3 * P - 1), 0);
	ck_assert_int_eq(writepages_calls, 1);
	ck_assert_int_eq(seen_wbc.range_start, P);
	ck_assert_int_eq(seen_wbc.range_end, 3 * P - 1);
	ck_assert(seen_wbc.sync_all);
	/* in range: written and no longer under writeback on return */
	for (int i = 1; i <= 2; i++) {
		ck_assert(!folio_test(f[i], PG_dirty));
		ck_assert(!folio_test(f[i], PG_writeback));
	}
	/* out of range: untouched */
	ck_assert(folio_test(f[0], PG_dirty));
	ck_assert(folio_test(f[3], PG_dirty));
	join_wb_threads();
	/* an empty range does nothing */
	ck_assert_int_eq(filemap_write_and_wait_range(mapping, 10, 9), 0);
	ck_assert_int_eq(writepages_calls, 1);
	/* a ->writepages error is returned */
	writepages_ret = -ENOSPC;
	ck_assert_int_eq(filemap_write_and_wait_range(mapping, 0, LLONG_MAX), -ENOSPC);
	join_wb_threads();
	ck_assert(!filemap_range_needs_writeback(mapping, 0, LLONG_MAX));
	teardown_inode();
}
END_TEST

START_TEST(filemap_4_2_errors_flags_vs_errseq)
{
	errseq_t since;
	/* table: errors recorded -> first call, second call */
	static const struct { int e1, e2, want; } tab[] = {
		{ -EIO, 0, -EIO },
		{ -ENOSPC, 0, -ENOSPC },
		{ -ENOSPC, -EIO, -EIO }, /* -EIO wins, as in the kernel */
		{ -EIO, -ENOSPC, -EIO },
		{ 0, 0, 0 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(tab); i++) {
		setup_inode(12, false, NULL);
		add_folio(0, 0); /* so that there is something to write */
		since = errseq_sample(&mapping->wb_err);
		mapping_set_error(mapping, tab[i].e1);
		mapping_set_error(mapping, tab[i].e2);
		ck_assert_int_eq(filemap_write_and_wait_range(mapping, 0, LLONG_MAX), tab[i].want);
		/* the flags are consumed ... */
		ck_assert_int_eq(filemap_write_and_wait_range(mapping, 0, LLONG_MAX), 0);
		/* ... the errseq is not: a file that sampled before still
		 * gets the last error, once */
		ck_assert_int_eq(errseq_check_and_advance(&mapping->wb_err, &since),
				 tab[i].e2 ? tab[i].e2 : tab[i].e1);
		ck_assert_int_eq(errseq_check_and_advance(&mapping->wb_err, &since), 0);
		teardown_inode();
	}
}
END_TEST

START_TEST(filemap_4_3_range_needs_writeback_table)
{
	struct folio *dirty, *wb, *clean;
	static const struct { loff_t start, end; bool want; } tab[] = {
		{ 0, P - 1, false },          /* clean folio 0 only */
		{ 0, P, true },               /* reaches dirty folio 1 */
		{ P - 1, P - 1, false },
		{ 2 * P, 2 * P, true },       /* writeback folio 2 */
		{ 3 * P, LLONG_MAX, false },  /* nothing after */
		{ 2 * P, P, false },          /* empty range */
		{ 0, LLONG_MAX, true },
	};

	setup_inode(12, false, NULL);
	clean = add_folio(0, 0);
	dirty = add_folio(1, 0);
	wb = add_folio(2, 0);
	folio_mark_uptodate(clean);
	folio_mark_uptodate(dirty);
	folio_mark_dirty(dirty);
	folio_mark_uptodate(wb);
	folio_start_writeback(wb);
	for (size_t i = 0; i < ARRAY_SIZE(tab); i++)
		ck_assert_msg(filemap_range_needs_writeback(mapping, tab[i].start, tab[i].end) ==
				      tab[i].want, "row %zu", i);
	folio_end_writeback(wb);
	folio_clear_dirty_for_io(dirty);
	ck_assert(!filemap_range_needs_writeback(mapping, 0, LLONG_MAX));
	teardown_inode();
}
END_TEST

/* Start writeback on every dirty folio of the range and leave it in
 * flight (no completion yet): what a submitted, not yet finished bio does. */
static struct folio *held[8];
static int nr_held;

static int holding_writepages(struct address_space *m, struct writeback_control *wbc)
{
	pgoff_t index = (pgoff_t)wbc->range_start >> PAGE_SHIFT;
	pgoff_t last = (pgoff_t)wbc->range_end >> PAGE_SHIFT;
	struct folio *folio;

	seen_wbc = *wbc;
	writepages_calls++;
	while ((folio = filemap_find_next_folio(m, index, last))) {
		index = folio->index + folio_nr_pages(folio);
		folio_lock(folio);
		if (folio_clear_dirty_for_io(folio)) {
			folio_start_writeback(folio);
			ck_assert_int_lt(nr_held, 8);
			held[nr_held++] = folio;
		}
		folio_unlock(folio);
		folio_put(folio);
		if (index > last)
			break;
	}
	return writepages_ret;
}

static const struct address_space_operations holding_ops = {
	.writepages = holding_writepages,
};

/* End writeback of every held folio from other threads, a little later. */
static void complete_held_later(void)
{
	for (int i = 0; i < nr_held; i++) {
		ck_assert_int_lt(nr_wb_threads, 16);
		pthread_create(&wb_threads[nr_wb_threads++], NULL, end_writeback_later, held[i]);
	}
	nr_held = 0;
}

START_TEST(filemap_4_4_fdatawrite_does_not_wait)
{
	/* filemap-4.4: filemap_fdatawrite_range_kick() (sync_file_range's
	 * WRITE) and filemap_fdatawrite_range() hand ->writepages the byte
	 * range, WB_SYNC_NONE (_kick) or WB_SYNC_ALL,
	 * nr_to_write LONG_MAX (every dirty folio, not a background share),
	 * and returns while the folios are still under writeback;
	 * filemap_fdatawait_range() then waits for exactly those.  Nothing is
	 * called for an empty range, an empty cache or a mapping without
	 * ->writepages; a ->writepages error comes back. */
	struct folio *f[4];

	setup_inode(12, false, &holding_ops);
	writepages_calls = 0;
	writepages_ret = 0;
	for (int i = 0; i < 4; i++) {
		f[i] = add_folio((pgoff_t)i, 0);
		folio_mark_uptodate(f[i]);
		folio_mark_dirty(f[i]);
	}
	ck_assert_int_eq(filemap_fdatawrite_range_kick(mapping, P, 3 * P - 1), 0);
	ck_assert_int_eq(writepages_calls, 1);
	ck_assert_int_eq(seen_wbc.range_start, P);
	ck_assert_int_eq(seen_wbc.range_end, 3 * P - 1);
	ck_assert(!seen_wbc.sync_all);
	ck_assert_int_eq(seen_wbc.nr_to_write, LONG_MAX);
	/* returned without waiting: folios 1 and 2 are still in flight */
	for (int i = 1; i <= 2; i++) {
		ck_assert(!folio_test(f[i], PG_dirty));
		ck_assert(folio_test(f[i], PG_writeback));
	}
	ck_assert(folio_test(f[0], PG_dirty) && folio_test(f[3], PG_dirty));
	ck_assert(!folio_test(f[0], PG_writeback) && !folio_test(f[3], PG_writeback));
	/* the wait half waits for them */
	complete_held_later();
	ck_assert_int_eq(filemap_fdatawait_range(mapping, P, 3 * P - 1), 0);
	for (int i = 1; i <= 2; i++)
		ck_assert(!folio_test(f[i], PG_writeback));
	join_wb_threads();

	/* the two wrappers pick the sync mode */
	ck_assert_int_eq(filemap_fdatawrite_range(mapping, 0, P - 1), 0);
	ck_assert(seen_wbc.sync_all);
	ck_assert(folio_test(f[0], PG_writeback));
	ck_assert_int_eq(filemap_fdatawrite_range_kick(mapping, 3 * P, LLONG_MAX), 0);
	ck_assert(!seen_wbc.sync_all);
	ck_assert_int_eq(seen_wbc.range_end, LLONG_MAX);
	ck_assert(folio_test(f[3], PG_writeback));
	ck_assert_int_eq(writepages_calls, 3);
	complete_held_later();
	ck_assert_int_eq(filemap_fdatawait_range(mapping, 0, LLONG_MAX), 0);
	join_wb_threads();
	ck_assert(!filemap_range_needs_writeback(mapping, 0, LLONG_MAX));

	/* an empty range calls nothing; an error is returned */
	ck_assert_int_eq(filemap_fdatawrite_range_kick(mapping, 10, 9), 0);
	ck_assert_int_eq(writepages_calls, 3);
	folio_mark_dirty(f[2]);
	writepages_ret = -ENOSPC;
	ck_assert_int_eq(filemap_fdatawrite_range_kick(mapping, 0, LLONG_MAX), -ENOSPC);
	writepages_ret = 0;
	complete_held_later();
	join_wb_threads();
	teardown_inode();

	/* no ->writepages: the folios stay dirty, 0 is returned */
	setup_inode(12, false, NULL);
	f[0] = add_folio(0, 0);
	folio_mark_uptodate(f[0]);
	folio_mark_dirty(f[0]);
	ck_assert_int_eq(filemap_fdatawrite_range(mapping, 0, LLONG_MAX), 0);
	ck_assert(folio_test(f[0], PG_dirty));
	folio_clear_dirty_for_io(f[0]);
	teardown_inode();

	/* an empty cache: ->writepages is not even asked */
	setup_inode(12, false, &holding_ops);
	writepages_calls = 0;
	ck_assert_int_eq(filemap_fdatawrite_range(mapping, 0, LLONG_MAX), 0);
	ck_assert_int_eq(writepages_calls, 0);
	teardown_inode();
}
END_TEST

START_TEST(filemap_4_5_fdatawait_errors)
{
	/* filemap-4.5: filemap_fdatawait_range() reports and clears the AS_*
	 * flags (once); file_fdatawait_range() reports an error recorded
	 * since the file sampled the errseq, once per file, and clears the
	 * flags too — a second file that sampled before still gets it. */
	struct file a = { 0 }, b = { 0 };

	setup_inode(12, false, NULL);
	add_folio(0, 0);
	mapping_set_error(mapping, -ENOSPC);
	ck_assert_int_eq(filemap_fdatawait_range(mapping, 0, LLONG_MAX), -ENOSPC);
	ck_assert_int_eq(filemap_fdatawait_range(mapping, 0, LLONG_MAX), 0);

	a.f_inode = b.f_inode = &inode;
	a.f_wb_err = b.f_wb_err = errseq_sample(&mapping->wb_err);
	mapping_set_error(mapping, -EIO);
	ck_assert_int_eq(file_fdatawait_range(&a, 0, LLONG_MAX), -EIO);
	ck_assert_int_eq(file_fdatawait_range(&a, 0, LLONG_MAX), 0);
	/* the legacy flags went with the first report */
	ck_assert_int_eq(filemap_fdatawait_range(mapping, 0, LLONG_MAX), 0);
	ck_assert_int_eq(file_check_and_advance_wb_err(&b), -EIO);
	ck_assert_int_eq(file_check_and_advance_wb_err(&b), 0);
	teardown_inode();
}
END_TEST

/* ---------------------------------------------------------------------- */
/* filemap-5: truncate and invalidate                                      */
/* ---------------------------------------------------------------------- */

static struct { size_t offset, len; pgoff_t index; } inval_calls[8];
static int nr_inval;
static int nr_release;
static bool release_ok[8];

static void fake_invalidate_folio(struct folio *folio, size_t offset, size_t len)
{
	ck_assert_int_lt(nr_inval, 8);
	inval_calls[nr_inval].offset = offset;
	inval_calls[nr_inval].len = len;
	inval_calls[nr_inval].index = folio->index;
	nr_inval++;
	if (offset == 0 && len == folio_size(folio))
		folio->private = NULL;
}

static bool fake_release_folio(struct folio *folio)
{
	nr_release++;
	if (!release_ok[folio->index])
		return false;
	folio->private = NULL;
	return true;
}

static const struct address_space_operations inval_ops = {
	.invalidate_folio = fake_invalidate_folio,
};

static const struct address_space_operations release_ops = {
	.release_folio = fake_release_folio,
};

static bool all_bytes(const struct folio *folio, size_t from, size_t to, unsigned char v)
{
	for (size_t i = from; i < to; i++)
		if (((unsigned char *)folio->data)[i] != v)
			return false;
	return true;
}

START_TEST(filemap_5_1_truncate_range)
{
	static int priv;
	struct folio *f[4];

	setup_inode(12, false, &inval_ops);
	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(__filemap_get_folio(mapping, (pgoff_t)i, FGP_CREAT, 0, &f[i]), 0);
		memset(f[i]->data, 0xaa, P);
		folio_mark_uptodate(f[i]);
	}
	f[0]->private = &priv;
	f[2]->private = &priv;
	folio_mark_dirty(f[1]); /* truncation discards dirty data too */

	truncate_pagecache_range(mapping, 1000, 2 * P + 99);
	/* folio 0: kept, zeroed from 1000 */
	ck_assert_ptr_eq(f[0]->mapping, mapping);
	ck_assert(all_bytes(f[0], 0, 1000, 0xaa));
	ck_assert(all_bytes(f[0], 1000, P, 0));
	/* folio 1: inside the range, gone and clean */
	ck_assert_ptr_null(f[1]->mapping);
	ck_assert(!folio_test(f[1], PG_dirty));
	ck_assert(!has_folio(1));
	/* folio 2: kept, zeroed up to byte 99 */
	ck_assert(all_bytes(f[2], 0, 100, 0));
	ck_assert(all_bytes(f[2], 100, P, 0xaa));
	/* folio 3: untouched */
	ck_assert(all_bytes(f[3], 0, P, 0xaa));
	ck_assert_uint_eq(mapping->nrpages, 3);
	/* the hook heard about the partial folios that have private state */
	ck_assert_int_eq(nr_inval, 2);
	ck_assert_uint_eq(inval_calls[0].index, 0);
	ck_assert_uint_eq(inval_calls[0].offset, 1000);
	ck_assert_uint_eq(inval_calls[0].len, P - 1000);
	ck_assert_uint_eq(inval_calls[1].index, 2);
	ck_assert_uint_eq(inval_calls[1].offset, 0);
	ck_assert_uint_eq(inval_calls[1].len, 100);

	/* to the end (lend = -1) from a folio boundary: whole folios go */
	truncate_pagecache_range(mapping, 2 * P, -1);
	ck_assert(!has_folio(2));
	ck_assert(!has_folio(3));
	ck_assert(has_folio(0));
	ck_assert_int_eq(nr_inval, 3); /* folio 2, whole */
	ck_assert_uint_eq(inval_calls[2].len, P);
	ck_assert_ptr_null(f[2]->private);
	for (int i = 0; i < 4; i++)
		folio_put(f[i]);
	teardown_inode();
}
END_TEST

START_TEST(filemap_5_2_invalidate2_busy_table)
{
	static int priv;
	struct folio *f[6];

	setup_inode(12, false, &release_ops);
	for (int i = 0; i < 6; i++) {
		ck_assert_int_eq(__filemap_get_folio(mapping, (pgoff_t)i, FGP_CREAT, 0, &f[i]), 0);
		folio_mark_uptodate(f[i]);
	}
	/* 0 clean; 1 dirty; 2 locked; 3 writeback; 4 release refuses; 5 release agrees */
	folio_mark_dirty(f[1]);
	folio_lock(f[2]);
	folio_start_writeback(f[3]);
	f[4]->private = &priv;
	f[5]->private = &priv;
	release_ok[5] = true;

	ck_assert_int_eq(invalidate_inode_pages2_range(mapping, 0, 5), -EBUSY);
	ck_assert(!has_folio(0));
	ck_assert(has_folio(1));
	ck_assert(has_folio(2));
	ck_assert(has_folio(3));
	ck_assert(has_folio(4));
	ck_assert(!has_folio(5));
	ck_assert_int_eq(nr_release, 2);

	/* once nothing is busy, all of it goes */
	folio_clear_dirty_for_io(f[1]);
	folio_unlock(f[2]);
	folio_end_writeback(f[3]);
	release_ok[4] = true;
	ck_assert_int_eq(invalidate_inode_pages2_range(mapping, 0, ULONG_MAX), 0);
	ck_assert_uint_eq(mapping->nrpages, 0);
	for (int i = 0; i < 6; i++)
		folio_put(f[i]);
	teardown_inode();
}
END_TEST

/* ---------------------------------------------------------------------- */
/* folio-6: invariants, references, events                                 */
/* ---------------------------------------------------------------------- */

START_TEST(folio_6_1_check_invariants_table)
{
	static int priv;
	struct folio *folio;

	/* each row builds a state and names the invariant it breaks (0 = none) */
	folio = filemap_alloc_folio(0);
	ck_assert_int_eq(folio_check(folio), 0);
	folio_mark_dirty(folio);                           /* dirty, !uptodate */
	ck_assert_int_eq(folio_check(folio), 1);
	folio->private = &priv;                            /* ... with block state */
	ck_assert_int_eq(folio_check(folio), 0);
	folio->private = NULL;
	folio_mark_uptodate(folio);
	ck_assert_int_eq(folio_check(folio), 0);
	folio_lock(folio);
	folio_clear_dirty_for_io(folio);
	folio_start_writeback(folio);                      /* still locked by us */
	ck_assert_int_eq(folio_check(folio), 2);
	folio_unlock(folio);
	ck_assert_int_eq(folio_check(folio), 0);
	folio_end_writeback(folio);
	folio->index = 1;
	ck_assert_int_eq(folio_check(folio), 0);          /* order 0: any index */
	folio->refcount = 0;
	ck_assert_int_eq(folio_check(folio), 4);
	folio->refcount = 1;
	folio->mapping = (struct address_space *)&priv;    /* mapped, not indexed */
	ck_assert_int_eq(folio_check(folio), 5);
	folio->mapping = NULL;
	folio_put(folio);

	folio = filemap_alloc_folio(2);
	folio->index = 2;                                  /* order 2 at index 2 */
	ck_assert_int_eq(folio_check(folio), 3);
	folio->index = 4;
	ck_assert_int_eq(folio_check(folio), 0);
	ck_assert_uint_eq(folio_size(folio), 4 * P);
	folio_put(folio);
	ck_assert_ptr_null(filemap_alloc_folio(MAX_PAGECACHE_ORDER + 1));
}
END_TEST

START_TEST(folio_6_2_references_outlive_removal)
{
	struct folio *folio;

	setup_inode(12, false, NULL);
	ck_assert_int_eq(__filemap_get_folio(mapping, 9, FGP_CREAT, 0, &folio), 0);
	ck_assert_int_eq(folio->refcount, 2); /* ours and the cache's */
	memset(folio->data, 0x5a, P);
	/* the inode goes away while we still hold a reference */
	inode_destroy(&inode);
	ck_assert_ptr_null(folio->mapping);
	ck_assert_int_eq(folio->refcount, 1);
	ck_assert(all_bytes(folio, 0, P, 0x5a)); /* still ours to read */
	ck_assert_int_eq(folio_check(folio), 0);
	folio_put(folio); /* freed here; ASan would catch a use after */
}
END_TEST

static const struct trace_event *nth_event(struct trace_sink *s, const char *name, int nth)
{
	for (size_t i = 0; i < trace_memsink_count(s); i++) {
		const struct trace_event *ev = trace_memsink_get(s, i);

		if (strcmp(ev->name, name) == 0 && nth-- == 0)
			return ev;
	}
	return NULL;
}

START_TEST(folio_6_3_events)
{
	struct trace_sink *s = trace_memsink_new();
	const struct trace_event *ev;
	struct folio *folio;
	uint64_t instance;

	setup_inode(12, true, NULL);
	inode.i_sb->s_dev = MKDEV(7, 3);
	trace_add_sink(s);
	ck_assert_int_eq(__filemap_get_folio(mapping, 8, FGP_CREAT | FGP_LOCK, 3, &folio), 0);
	instance = folio->lock_instance;
	folio_mark_uptodate(folio);
	folio_mark_uptodate(folio); /* no change: no event */
	folio_mark_dirty(folio);
	folio_unlock(folio);
	folio_clear_dirty_for_io(folio);
	filemap_remove_folio(folio);
	folio_put(folio);
	trace_remove_sink(s);

	ev = nth_event(s, "folio_add", 0);
	ck_assert_ptr_nonnull(ev);
	ck_assert_uint_eq(ev->ino, 42);
	ck_assert_uint_eq(ev->dev, MKDEV(7, 3));
	ck_assert_uint_eq(trace_field_get(ev, "index")->v.u, 8);
	ck_assert_int_eq(trace_field_get(ev, "order")->v.s, 3);
	ev = nth_event(s, "folio_flags", 0);
	ck_assert_uint_eq(trace_field_get(ev, "flags")->v.u & (1u << PG_uptodate),
			  1u << PG_uptodate);
	ev = nth_event(s, "folio_flags", 1);
	ck_assert_uint_eq(trace_field_get(ev, "flags")->v.u & (1u << PG_dirty), 1u << PG_dirty);
	/* folio_unlock: locked clear, still dirty (the visualiser needs it). */
	ev = nth_event(s, "folio_flags", 2);
	ck_assert_uint_eq(trace_field_get(ev, "flags")->v.u & (1u << PG_locked), 0);
	ck_assert_uint_eq(trace_field_get(ev, "flags")->v.u & (1u << PG_dirty), 1u << PG_dirty);
	ev = nth_event(s, "folio_flags", 3);
	ck_assert_uint_eq(trace_field_get(ev, "flags")->v.u & (1u << PG_dirty), 0);
	ck_assert_ptr_null(nth_event(s, "folio_flags", 4));
	ev = nth_event(s, "folio_remove", 0);
	ck_assert_uint_eq(trace_field_get(ev, "index")->v.u, 8);
	/* the folio lock appears as class folio_lock */
	ev = nth_event(s, "lock_acquire", 0);
	ck_assert_str_eq(trace_field_get(ev, "class")->v.str, "folio_lock");
	ck_assert_uint_eq(trace_field_get(ev, "instance")->v.u, instance);
	ck_assert_ptr_nonnull(nth_event(s, "lock_release", 0));
	trace_sink_free(s);
	teardown_inode();
}
END_TEST

START_TEST(folio_6_4_hierarchy_orders_are_clean)
{
	struct folio *folio;

	/* i_rwsem -> invalidate_lock -> folio_lock, as buffered I/O takes
	 * them, then truncate's order: no report */
	setup_inode(12, false, NULL);
	inode_lock(&inode);
	filemap_invalidate_lock_shared(mapping);
	ck_assert_int_eq(__filemap_get_folio(mapping, 0, FGP_CREAT | FGP_LOCK, 0, &folio), 0);
	folio_unlock(folio);
	folio_put(folio);
	filemap_invalidate_unlock_shared(mapping);
	filemap_invalidate_lock(mapping);
	truncate_pagecache_range(mapping, 0, -1);
	filemap_invalidate_unlock(mapping);
	inode_unlock(&inode);
	ck_assert_int_eq(lockdep_nr_reports(), 0);
	/* a lookup that locks a folio and then takes i_rwsem is inverted */
	ck_assert_int_eq(__filemap_get_folio(mapping, 0, FGP_CREAT | FGP_LOCK, 0, &folio), 0);
	folio_unlock(folio);
	folio_lock(folio);
	inode_lock(&inode);
	inode_unlock(&inode);
	folio_unlock(folio);
	folio_put(folio);
	ck_assert_int_eq(lockdep_nr_reports(), 1);
	lockdep_reset();
	teardown_inode();
}
END_TEST

static Suite *filemap_suite(void)
{
	Suite *s = suite_create("kernel-filemap");
	TCase *tc = tcase_create("filemap");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, filemap_1_1_random_index_matches_reference);
	tcase_add_test(tc, filemap_1_2_random_large_folios);
	tcase_add_test(tc, filemap_1_3_order_clamping_table);
	tcase_add_test(tc, filemap_1_4_lookup_flags_and_ranges);
	tcase_add_loop_test(tc, filemap_2_1_seek_hole_data_table, 0, (int)ARRAY_SIZE(seek_tab));
	tcase_add_test(tc, filemap_3_1_folio_lock_excludes_and_wakes);
	tcase_add_test(tc, filemap_3_2_waiter_retries_after_removal);
	tcase_add_test(tc, filemap_3_3_writeback_wait);
	tcase_add_test(tc, filemap_3_4_lock_drives_deterministic_read);
	tcase_add_test(tc, filemap_4_1_write_and_wait_range);
	tcase_add_test(tc, filemap_4_2_errors_flags_vs_errseq);
	tcase_add_test(tc, filemap_4_3_range_needs_writeback_table);
	tcase_add_test(tc, filemap_4_4_fdatawrite_does_not_wait);
	tcase_add_test(tc, filemap_4_5_fdatawait_errors);
	tcase_add_test(tc, filemap_5_1_truncate_range);
	tcase_add_test(tc, filemap_5_2_invalidate2_busy_table);
	tcase_add_test(tc, folio_6_1_check_invariants_table);
	tcase_add_test(tc, folio_6_2_references_outlive_removal);
	tcase_add_test(tc, folio_6_3_events);
	tcase_add_test(tc, folio_6_4_hierarchy_orders_are_clean);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(filemap_suite());
}
