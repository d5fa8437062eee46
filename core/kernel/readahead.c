/**
 * @file readahead.c
 * @brief Readahead: deciding how much to read beyond what was asked, adding
 *        the folios for it, and handing them to the filesystem
 *        (mm/readahead.c).
 *
 * How to use: filemap_read() (filemap.c) calls page_cache_sync_ra() when a
 * page it needs is not cached, and page_cache_async_ra() when it reaches a
 * folio marked PG_readahead.  Both build a batch of locked, !uptodate
 * folios in the page cache and call a_ops->readahead with a
 * struct readahead_control describing it; the filesystem (iomap_readahead)
 * takes the folios one by one with readahead_folio() and unlocks each when
 * its read completes.  Nothing here waits for that.
 *
 * The window (struct file_ra_state) is the most recent readahead:
 *
 *                          |<------- async_size -------|
 *     |------------------------ size ----------------->|
 *     |====================#===========================|
 *     ^start               ^folio marked PG_readahead
 *
 * Transitions (arrows name the function):
 *
 *   no window --page_cache_sync_ra (miss at 0 or right after prev_pos)-->
 *       window(start = miss, size = get_init_ra_size(request))
 *   window --page_cache_async_ra (marker reached where expected)-->
 *       window(start += size, size = get_next_ra_size(size), async = size)
 *   any --page_cache_sync_ra (miss elsewhere, no cached run before it)-->
 *       unchanged; only the requested pages are read
 *
 * so a sequential scan in 4 KiB reads sees windows of 4, 8, 16, 32, 32...
 * pages with ra_pages = 32, and reads each window while the caller is
 * still copying the previous one (readahead pipelining).
 *
 * Folio sizes: a mapping with large folios gets, for each window, folios
 * of the largest order that fits the window, the alignment of their index
 * and EOF (page_cache_ra_order); others get one page per folio
 * (page_cache_ra_unbounded).  A page already cached ends the batch before
 * it: the batch is handed to the filesystem, and the walk resumes after
 * that page.  No folio is added past the page holding the last byte of the
 * file.
 *
 * A caller must never: call these with a folio lock or invalidate_lock held
 * (they take invalidate_lock shared, then lock new folios, the order of
 * design.rst's hierarchy); touch a folio of a readahead_control after
 * readahead_folio() handed it out and the filesystem unlocked it, without a
 * reference of its own.
 *
 * Locking: invalidate_lock is held shared from the first folio added until
 * the batch has been handed to a_ops, so truncation cannot remove folios
 * the filesystem has not seen yet.  The file_ra_state is updated without a
 * lock, as in the kernel: concurrent readers of one struct file may race on
 * it, which only costs readahead efficiency.
 */
#include <limits.h>
#include <stdlib.h>

#include <iomap/fs.h>
#include <iomap/pagecache.h>
#include <iomap/trace.h>

#include "mm-internal.h"

/* ---------------------------------------------------------------------- */
/* Events                                                                  */
/* ---------------------------------------------------------------------- */

/*
 * `page_cache_sync_ra` / `page_cache_async_ra` (the kernel's 6.17+
 * tracepoints of include/trace/events/readahead.h): the page that
 * triggered readahead, the request size, and the window decided.
 */
static void trace_ra(const char *name, struct readahead_control *rac, pgoff_t index,
		     unsigned long req_count)
{
	struct inode *host = rac->mapping->host;
	struct file_ra_state *ra = rac->ra;
	struct trace_event ev;

	if (!trace_enabled())
		return;
	trace_event_init(&ev, name, host && host->i_sb ? host->i_sb->s_dev : 0,
			 host ? host->i_ino : 0);
	trace_u64(&ev, "index", index);
	trace_u64(&ev, "req_count", req_count);
	trace_u64(&ev, "ra_start", ra ? ra->start : 0);
	trace_u64(&ev, "ra_size", ra ? ra->size : 0);
	trace_u64(&ev, "ra_async_size", ra ? ra->async_size : 0);
	trace_emit(&ev);
}

/* ---------------------------------------------------------------------- */
/* Small helpers                                                           */
/* ---------------------------------------------------------------------- */

static void folio_set_readahead(struct folio *folio)
{
	__atomic_or_fetch(&folio->flags, 1ul << PG_readahead, __ATOMIC_RELAXED);
}

static void folio_clear_readahead(struct folio *folio)
{
	__atomic_and_fetch(&folio->flags, ~(1ul << PG_readahead), __ATOMIC_RELAXED);
}

static unsigned long roundup_pow_of_two(unsigned long n)
{
	unsigned long p = 1;

	while (p < n)
		p <<= 1;
	return p;
}

static unsigned ilog2(unsigned long n)
{
	return n ? 63u - (unsigned)__builtin_clzll(n) : 0;
}

static bool page_cached(struct address_space *mapping, pgoff_t index)
{
	struct folio *folio = filemap_find_next_folio(mapping, index, index);

	if (!folio)
		return false;
	folio_put(folio);
	return true;
}

/* Largest folio order this mapping may hold (mapping_max_folio_order). */
static unsigned mapping_max_folio_order(const struct address_space *mapping)
{
	if (__atomic_load_n(&mapping->flags, __ATOMIC_RELAXED) & AS_LARGE_FOLIO_SUPPORT)
		return MAX_PAGECACHE_ORDER;
	return 0;
}

void file_ra_state_init(struct file_ra_state *ra, struct address_space *mapping)
{
	(void)mapping; /* the kernel reads the device's ra_pages through it */
	ra->start = 0;
	ra->size = 0;
	ra->async_size = 0;
	ra->ra_pages = VM_READAHEAD_PAGES;
	ra->prev_pos = -1;
}

/* ---------------------------------------------------------------------- */
/* Handing folios to the filesystem                                        */
/* ---------------------------------------------------------------------- */

struct folio *readahead_folio(struct readahead_control *rac)
{
	struct folio *folio;

	/* Step past the folio handed out last time. */
	rac->_nr_pages -= rac->_batch_count;
	rac->_index += rac->_batch_count;
	if (!rac->_nr_pages) {
		rac->_batch_count = 0;
		return NULL;
	}
	folio = filemap_get_folio(rac->mapping, rac->_index);
	/* We added it locked under invalidate_lock: it cannot have gone. */
	if (!folio || folio->index != rac->_index || !folio_test(folio, PG_locked))
		abort();
	rac->_batch_count = (unsigned)folio_nr_pages(folio);
	folio_put(folio); /* the lookup's reference */
	folio_put(folio); /* the request's reference; the page cache keeps one */
	return folio;
}

/*
 * Mirrors read_pages(): give the batch [_index, _index + _nr_pages) to the
 * filesystem.  Afterwards _index is past the batch and _nr_pages is 0.
 */
static void read_pages(struct readahead_control *rac)
{
	const struct address_space_operations *aops = rac->mapping->a_ops;
	struct folio *folio;

	if (!readahead_count(rac))
		return;
	if (aops && aops->readahead) {
		aops->readahead(rac);
		/*
		 * Folios the filesystem did not take (it may stop early, e.g.
		 * on ENOMEM) are unlocked !uptodate; those in the async part
		 * of the window are dropped, and the window shrinks, so that
		 * the next readahead is sized on what really happened.
		 */
		while ((folio = readahead_folio(rac)) != NULL) {
			unsigned long nr = folio_nr_pages(folio);

			folio_get(folio);
			if (rac->ra && rac->ra->size >= nr) {
				rac->ra->size -= (unsigned)nr;
				if (rac->ra->async_size >= nr) {
					rac->ra->async_size -= (unsigned)nr;
					filemap_remove_folio(folio);
				}
			}
			folio_unlock(folio);
			folio_put(folio);
		}
	} else {
		/* No ->readahead: one ->read_folio per folio, as the kernel does. */
		while ((folio = readahead_folio(rac)) != NULL) {
			if (aops && aops->read_folio)
				aops->read_folio(rac->file, folio);
			else
				folio_unlock(folio); /* nobody can fill it: stays !uptodate */
		}
	}
}

/*
 * Mirrors page_cache_ra_unbounded(): add one-page folios for
 * [_index, _index + nr_to_read) and read them; the page at
 * nr_to_read - lookahead_size gets PG_readahead.  Cached pages split the
 * request into several batches.
 */
static void page_cache_ra_unbounded(struct readahead_control *rac, unsigned long nr_to_read,
				    unsigned long lookahead_size)
{
	struct address_space *mapping = rac->mapping;
	pgoff_t index = readahead_index(rac);
	unsigned long mark = lookahead_size <= nr_to_read ? nr_to_read - lookahead_size : ULONG_MAX;
	unsigned long i;

	filemap_invalidate_lock_shared(mapping);
	for (i = 0; i < nr_to_read; i++) {
		struct folio *folio;
		int err;

		if (!page_cached(mapping, index + i)) {
			folio = filemap_alloc_folio(0);
			if (!folio)
				break;
			if (i == mark)
				folio_set_readahead(folio);
			err = filemap_add_folio(mapping, folio, index + i);
			if (!err) {
				/* Our reference becomes the request's. */
				rac->_nr_pages++;
				continue;
			}
			folio_put(folio);
			if (err == -ENOMEM)
				break;
		}
		/* Cached (or raced in): read what we have, skip the page. */
		read_pages(rac);
		rac->_index++;
		i = rac->_index + rac->_nr_pages - index - 1;
	}
	read_pages(rac);
	filemap_invalidate_unlock_shared(mapping);
}

/* Mirrors do_page_cache_ra(): page_cache_ra_unbounded, but not past EOF. */
static void do_page_cache_ra(struct readahead_control *rac, unsigned long nr_to_read,
			     unsigned long lookahead_size)
{
	loff_t isize = i_size_read(rac->mapping->host);
	pgoff_t index = readahead_index(rac);
	pgoff_t end_index;

	if (isize == 0)
		return;
	end_index = (pgoff_t)(isize - 1) >> PAGE_SHIFT;
	if (index > end_index)
		return;
	if (nr_to_read > end_index - index)
		nr_to_read = end_index - index + 1;
	page_cache_ra_unbounded(rac, nr_to_read, lookahead_size);
}

/*
 * Mirrors force_page_cache_ra() for the "readahead off" case: read exactly
 * the pages asked for, in chunks of at most 2 MiB.
 */
static void force_page_cache_ra(struct readahead_control *rac, unsigned long nr_to_read)
{
	while (nr_to_read) {
		unsigned long chunk = (2ul << 20) / PAGE_SIZE;
		pgoff_t next;

		if (chunk > nr_to_read)
			chunk = nr_to_read;
		next = readahead_index(rac) + chunk;
		do_page_cache_ra(rac, chunk, 0);
		rac->_index = next;
		nr_to_read -= chunk;
	}
}

/*
 * Mirrors page_cache_ra_order(): read the window of @ra with folios as
 * large as the window, their alignment and EOF allow.  The marker goes on
 * the folio holding page start + size - async_size, unless the window
 * reaches EOF (nothing would follow it).  If a page is cached already the
 * rest of the window falls back to one-page folios, which step around it.
 */
static void page_cache_ra_order(struct readahead_control *rac, struct file_ra_state *ra)
{
	struct address_space *mapping = rac->mapping;
	loff_t isize = i_size_read(mapping->host);
	pgoff_t start = readahead_index(rac);
	pgoff_t index = start;
	pgoff_t limit, mark;
	unsigned new_order;
	int err = 0;

	if (!mapping_max_folio_order(mapping) || isize == 0)
		goto fallback;
	limit = (pgoff_t)(isize - 1) >> PAGE_SHIFT;
	if (limit > index + ra->size - 1) {
		limit = index + ra->size - 1;
		mark = index + ra->size - ra->async_size;
	} else {
		mark = ULONG_MAX; /* the window reaches EOF: no next window */
	}
	new_order = ilog2(ra->size);
	if (new_order > mapping_max_folio_order(mapping))
		new_order = mapping_max_folio_order(mapping);

	filemap_invalidate_lock_shared(mapping);
	while (index <= limit) {
		unsigned order = new_order;
		struct folio *folio;

		/* Naturally aligned: a folio of order k starts at a multiple of 2^k. */
		if (index & ((1ul << order) - 1))
			order = (unsigned)__builtin_ctzll(index);
		/* Not past EOF (or the window's end). */
		while (order > 0 && index + (1ul << order) - 1 > limit)
			order--;
		folio = filemap_alloc_folio(order);
		if (!folio) {
			err = -ENOMEM;
			break;
		}
		/* The marker rounds down to the folio that holds its page. */
		if (mark != ULONG_MAX && index == (mark & ~((1ul << order) - 1)))
			folio_set_readahead(folio);
		err = filemap_add_folio(mapping, folio, index);
		if (err) {
			folio_put(folio);
			break;
		}
		rac->_nr_pages += 1u << order;
		index += 1ul << order;
	}
	read_pages(rac);
	filemap_invalidate_unlock_shared(mapping);
	if (!err)
		return;
	/* read_pages() left _index at @index: the first page not added. */
fallback:
	if (ra->size > index - start)
		do_page_cache_ra(rac, ra->size - (index - start), ra->async_size);
}

/* ---------------------------------------------------------------------- */
/* Window sizing                                                           */
/* ---------------------------------------------------------------------- */

/*
 * get_init_ra_size(): the first window of a stream.  Rounded up to a power
 * of two; tiny requests (<= max/32) x4, small ones (<= max/4) x2, others
 * the maximum.  With max = 32: 1 page -> 4, 2 -> 4, 4 -> 8, 8 -> 16,
 * more -> 32.
 */
static unsigned long get_init_ra_size(unsigned long size, unsigned long max)
{
	unsigned long newsize = roundup_pow_of_two(size);

	if (newsize <= max / 32)
		newsize *= 4;
	else if (newsize <= max / 4)
		newsize *= 2;
	else
		newsize = max;
	return newsize;
}

/*
 * get_next_ra_size(): ramp up fast while the window is small (x4 below
 * max/16), then x2, then stay at the maximum.
 */
static unsigned long get_next_ra_size(const struct file_ra_state *ra, unsigned long max)
{
	unsigned long cur = ra->size;

	if (cur < max / 16)
		return 4 * cur;
	if (cur <= max / 2)
		return 2 * cur;
	return max;
}

/*
 * page_cache_prev_miss(): the last uncached page at or before @index,
 * looking at no more than @max_scan pages; ULONG_MAX if every page down to
 * 0 is cached, @index - @max_scan if all scanned pages are.
 */
static pgoff_t page_cache_prev_miss(struct address_space *mapping, pgoff_t index,
				    unsigned long max_scan)
{
	while (max_scan--) {
		if (!page_cached(mapping, index))
			return index;
		if (index == 0)
			return ULONG_MAX;
		index--;
	}
	return index;
}

/* page_cache_next_miss(): the first uncached page at or after @index. */
static pgoff_t page_cache_next_miss(struct address_space *mapping, pgoff_t index,
				    unsigned long max_scan)
{
	while (max_scan--) {
		if (!page_cached(mapping, index))
			return index;
		if (index == ULONG_MAX)
			return 0;
		index++;
	}
	return index;
}

void page_cache_sync_ra(struct readahead_control *rac, unsigned long req_count)
{
	struct file_ra_state *ra = rac->ra;
	pgoff_t index = readahead_index(rac);
	unsigned long max_pages, contig_count;
	pgoff_t prev_index, miss;

	if (!ra || !ra->ra_pages) {
		/* Readahead off: read exactly the pages asked for. */
		trace_ra("page_cache_sync_ra", rac, index, req_count);
		force_page_cache_ra(rac, req_count);
		return;
	}
	max_pages = ra->ra_pages;
	prev_index = (pgoff_t)((unsigned long long)ra->prev_pos >> PAGE_SHIFT);
	/*
	 * Start of file, a request larger than any window, or a miss right
	 * after the previous read (index - prev_index is 1, or 0 when reads
	 * are not page aligned): a sequential stream starts.
	 */
	if (!index || req_count > max_pages || index - prev_index <= 1) {
		ra->start = index;
		ra->size = (unsigned)get_init_ra_size(req_count, max_pages);
		ra->async_size = ra->size > req_count ? ra->size - (unsigned)req_count : ra->size;
		goto readit;
	}
	/*
	 * Otherwise look at what is cached just before: a long cached run
	 * means a stream this file's ra state lost track of (interleaved
	 * readers); nothing cached means a random read.
	 */
	miss = page_cache_prev_miss(rac->mapping, index - 1, max_pages);
	contig_count = index - miss - 1;
	if (contig_count <= req_count) {
		/* A small random read: read it as asked, keep the window. */
		trace_ra("page_cache_sync_ra", rac, index, req_count);
		do_page_cache_ra(rac, req_count, 0);
		return;
	}
	if (miss == ULONG_MAX)
		contig_count *= 2; /* cached from page 0: likely a whole-file read */
	ra->start = index;
	ra->size = (unsigned)(contig_count + req_count < max_pages ? contig_count + req_count
								    : max_pages);
	ra->async_size = 1;
readit:
	trace_ra("page_cache_sync_ra", rac, index, req_count);
	rac->_index = ra->start;
	page_cache_ra_order(rac, ra);
}

void page_cache_async_ra(struct readahead_control *rac, struct folio *folio,
			 unsigned long req_count)
{
	struct file_ra_state *ra = rac->ra;
	pgoff_t index = readahead_index(rac);
	unsigned long max_pages;
	pgoff_t expected, start;

	if (!ra || !ra->ra_pages)
		return;
	/* The kernel shares this bit with PG_reclaim, meaningful under writeback. */
	if (folio_test(folio, PG_writeback))
		return;
	folio_clear_readahead(folio);
	max_pages = ra->ra_pages;
	/*
	 * The marker of the current window, rounded down to its folio: the
	 * stream is where we expected, so push the window forward and grow it.
	 */
	expected = (ra->start + ra->size - ra->async_size) & ~(folio_nr_pages(folio) - 1);
	if (index == expected) {
		ra->start += ra->size;
		ra->size = (unsigned)get_next_ra_size(ra, max_pages);
		ra->async_size = ra->size;
		goto readit;
	}
	/*
	 * A marker of some other window (another reader's, or an old one):
	 * the cached run after it stands for the old async part; ramp that up.
	 */
	start = page_cache_next_miss(rac->mapping, index + 1, max_pages);
	if (!start || start - index > max_pages)
		return;
	ra->start = start;
	ra->size = (unsigned)(start - index + req_count);
	ra->size = (unsigned)get_next_ra_size(ra, max_pages);
	ra->async_size = ra->size;
readit:
	trace_ra("page_cache_async_ra", rac, index, req_count);
	rac->_index = ra->start;
	page_cache_ra_order(rac, ra);
}
