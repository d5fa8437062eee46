/**
 * @file folio.c
 * @brief One folio: allocation, references, the folio lock, and the
 *        uptodate / dirty / writeback flags (mm/filemap.c, mm/swap.c,
 *        mm/page-writeback.c and include/linux/pagemap.h in the kernel).
 *
 * How to use: get folios from the page cache with __filemap_get_folio()
 * (core/kernel/filemap.c); lock them with folio_lock() before touching
 * `data`, `private` or the flags; drop your reference with folio_put().
 *
 * The state machine of pagecache.h, with the function behind each arrow:
 *
 *   absent --__filemap_get_folio(FGP_CREAT)--> !uptodate
 *                                                  |
 *                              folio_mark_uptodate |
 *                                                  v
 *   absent <--filemap_remove_folio-- uptodate, clean <-----------------+
 *                                          |                           |
 *                         folio_mark_dirty |       folio_end_writeback |
 *                                          v                           |
 *                                        dirty --------------------> writeback
 *                                    folio_clear_dirty_for_io +
 *                                    folio_start_writeback
 *
 * (Truncation also removes !uptodate and dirty folios: their contents are
 * being thrown away.  A folio under writeback may be redirtied.)
 *
 * folio_check() asserts the numbered invariants of pagecache.h:
 *   (1) dirty => uptodate or private per-block state;
 *   (2) writeback => not locked by the calling (writeback) thread;
 *   (3) index is a multiple of 1 << order;
 *   (4) refcount >= 1;
 *   (5) in a mapping <=> in its index.
 *
 * The folio lock is a bit (PG_locked) plus a wait queue, as in the kernel
 * (folio_lock() sleeps in folio_wait_bit_common()).  Here the wait queue is
 * `wait_lock` + `wait`: a sleeper re-tests the bit under `wait_lock`, and
 * the bit is cleared under `wait_lock` before the broadcast, so a wake-up
 * cannot fall between a sleeper's test and its wait.  PG_writeback uses the
 * same wait queue.  Every folio lock acquisition goes through the lock
 * validator as class "folio_lock" (level OPERATION).
 *
 * A caller must never: touch a folio after dropping its last reference;
 * unlock a folio it did not lock; sleep on a folio's lock while holding
 * the same folio's lock; change PG_writeback except through
 * folio_start_writeback() / folio_end_writeback().
 *
 * Locking: the folio lock protects `data`, `private` and the flags other
 * than PG_writeback; `wait_lock` protects sleeping and PG_writeback
 * changes; `refcount` and `flags` are atomics; `mapping`, `index` and
 * `tree_node` change only under `mapping->i_pages_lock`.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <iomap/bio.h>
#include <iomap/fs.h>
#include <iomap/mm.h>
#include <iomap/pagecache.h>
#include <iomap/trace.h>
#include <iomap/workqueue.h>

#include "mm-internal.h"

/* ---------------------------------------------------------------------- */
/* Events                                                                  */
/* ---------------------------------------------------------------------- */

/* `folio_flags`: the locked / uptodate / dirty / writeback bits changed. */
static void trace_folio_flags(const struct folio *folio)
{
	struct address_space *mapping = __atomic_load_n(&folio->mapping, __ATOMIC_ACQUIRE);
	struct inode *host = mapping ? mapping->host : NULL;
	struct trace_event ev;

	/* A folio not (or no longer) in a page cache has nothing to show. */
	if (!trace_enabled() || !mapping)
		return;
	trace_event_init(&ev, "folio_flags", host && host->i_sb ? host->i_sb->s_dev : 0,
			 host ? host->i_ino : 0);
	trace_u64(&ev, "index", folio->index);
	trace_s64(&ev, "order", folio->order);
	trace_u64(&ev, "flags", __atomic_load_n(&folio->flags, __ATOMIC_ACQUIRE));
	trace_emit(&ev);
}

/* ---------------------------------------------------------------------- */
/* Allocation and references                                               */
/* ---------------------------------------------------------------------- */

/*
 * Folio memory is recycled through a small pool per order.  Large folios
 * are big enough that the C library maps fresh pages for each one, and
 * faulting those in (zeroed by the host kernel) cost more than the whole
 * read path: cold buffered reads ran at ~600 MiB/s on the RAM backend.  A
 * recycled buffer is cleared with memset instead.  The pool holds at most
 * FOLIO_POOL_BYTES; under AddressSanitizer it is off, so that a use of a
 * freed folio's data is still caught.
 */
#ifdef __SANITIZE_ADDRESS__
#define FOLIO_POOL_BYTES 0ul
#else
#define FOLIO_POOL_BYTES (64ul << 20)
#endif

struct folio_pool_entry {
	struct folio_pool_entry *next;
};
static pthread_mutex_t folio_pool_lock = PTHREAD_MUTEX_INITIALIZER;
static struct folio_pool_entry *folio_pool[MAX_PAGECACHE_ORDER + 1];
static unsigned long folio_pool_bytes;

static void *folio_data_alloc(unsigned order)
{
	size_t size = PAGE_SIZE << order;
	struct folio_pool_entry *e;

	pthread_mutex_lock(&folio_pool_lock);
	e = folio_pool[order];
	if (e) {
		folio_pool[order] = e->next;
		folio_pool_bytes -= size;
	}
	pthread_mutex_unlock(&folio_pool_lock);
	if (!e)
		return calloc(1, size);
	memset(e, 0, size);
	return e;
}

static void folio_data_free(void *data, unsigned order)
{
	size_t size = PAGE_SIZE << order;
	struct folio_pool_entry *e = data;

	pthread_mutex_lock(&folio_pool_lock);
	if (folio_pool_bytes + size <= FOLIO_POOL_BYTES) {
		e->next = folio_pool[order];
		folio_pool[order] = e;
		folio_pool_bytes += size;
		e = NULL;
	}
	pthread_mutex_unlock(&folio_pool_lock);
	free(e);
}

struct folio *filemap_alloc_folio(unsigned order)
{
	struct folio *folio;

	if (order > MAX_PAGECACHE_ORDER)
		return NULL;
	folio = calloc(1, sizeof(*folio));
	if (!folio)
		return NULL;
	/* Zero-filled, so a folio read from a hole needs no extra zeroing. */
	folio->data = folio_data_alloc(order);
	if (!folio->data) {
		free(folio);
		return NULL;
	}
	folio->order = order;
	folio->refcount = 1;
	folio->lock_instance = lockdep_new_instance();
	pthread_mutex_init(&folio->wait_lock, NULL);
	pthread_cond_init(&folio->wait, NULL);
	return folio;
}

void folio_get(struct folio *folio)
{
	__atomic_add_fetch(&folio->refcount, 1, __ATOMIC_RELAXED);
}

void folio_put(struct folio *folio)
{
	/* Release on the way down, acquire by the last one, so that every
	 * write made under any reference is visible to the freeing thread. */
	if (__atomic_sub_fetch(&folio->refcount, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	/* Invariant (4)/(5): the page cache holds a reference while the folio
	 * is indexed, so the last put finds it out of every mapping. */
	if (folio_test(folio, PG_dirty))
		folio_account_cleaned(folio); /* dirty data dropped with it: (D1) */
	pthread_cond_destroy(&folio->wait);
	pthread_mutex_destroy(&folio->wait_lock);
	folio_data_free(folio->data, folio->order);
	free(folio);
}

/* ---------------------------------------------------------------------- */
/* The folio lock                                                          */
/* ---------------------------------------------------------------------- */

/* Set PG_locked if clear; true if this call set it. */
static bool folio_try_set_locked(struct folio *folio)
{
	unsigned long old = __atomic_fetch_or(&folio->flags, 1ul << PG_locked, __ATOMIC_ACQUIRE);

	return !(old & (1ul << PG_locked));
}

static bool folio_deterministic(const struct folio *folio);

/*
 * The contended half of folio_lock() in deterministic mode.  The holder may
 * be read I/O nobody waits for -- the async part of a readahead window
 * (page_cache_async_ra) outlives the read(2) that started it, and the
 * kernel's folio_lock() simply sleeps until the bio completion unlocks it.
 * Here that completion runs only when a thread drives the device, so a
 * sleeper that did not would wait forever (a later writeback or truncate
 * meeting such a folio did).  Drive it before each short sleep, as
 * folio_wait_writeback() does.
 */
static void folio_lock_deterministic(struct folio *folio)
{
	while (!folio_try_set_locked(folio)) {
		struct address_space *mapping = __atomic_load_n(&folio->mapping, __ATOMIC_ACQUIRE);
		struct timespec ts;

		if (mapping)
			mapping_run_device_completions(mapping);
		if (folio_try_set_locked(folio))
			return;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 2000000L;
		ts.tv_sec += ts.tv_nsec / 1000000000L;
		ts.tv_nsec %= 1000000000L;
		pthread_mutex_lock(&folio->wait_lock);
		if (folio_test(folio, PG_locked))
			pthread_cond_timedwait(&folio->wait, &folio->wait_lock, &ts);
		pthread_mutex_unlock(&folio->wait_lock);
	}
}

void folio_lock(struct folio *folio)
{
	lockdep_acquire(&folio_lock_class, LOCK_EXCLUSIVE, folio->lock_instance, false);
	if (!folio_try_set_locked(folio)) {
		lockdep_contended(&folio_lock_class, folio->lock_instance);
		if (folio_deterministic(folio)) {
			folio_lock_deterministic(folio);
		} else {
			pthread_mutex_lock(&folio->wait_lock);
			while (!folio_try_set_locked(folio))
				pthread_cond_wait(&folio->wait, &folio->wait_lock);
			pthread_mutex_unlock(&folio->wait_lock);
		}
	}
	__atomic_store_n(&folio->lock_owner, ref_thread_id(), __ATOMIC_RELAXED);
	lockdep_acquired(&folio_lock_class, LOCK_EXCLUSIVE, folio->lock_instance);
	trace_folio_flags(folio);
}

int folio_trylock(struct folio *folio)
{
	if (!folio_try_set_locked(folio))
		return 0;
	__atomic_store_n(&folio->lock_owner, ref_thread_id(), __ATOMIC_RELAXED);
	lockdep_acquire(&folio_lock_class, LOCK_EXCLUSIVE, folio->lock_instance, true);
	lockdep_acquired(&folio_lock_class, LOCK_EXCLUSIVE, folio->lock_instance);
	trace_folio_flags(folio);
	return 1;
}

void folio_unlock(struct folio *folio)
{
	/*
	 * lock_owner 0: the lock is not one the validator tracks, because it
	 * was set on a brand-new folio by filemap_add_folio() or handed over
	 * to the I/O that will unlock it (filemap.c folio_lock_handoff()),
	 * possibly on another thread (a bio completion).
	 */
	if (__atomic_load_n(&folio->lock_owner, __ATOMIC_RELAXED))
		lockdep_release(&folio_lock_class, folio->lock_instance);
	__atomic_store_n(&folio->lock_owner, 0, __ATOMIC_RELAXED);
	pthread_mutex_lock(&folio->wait_lock);
	__atomic_and_fetch(&folio->flags, ~(1ul << PG_locked), __ATOMIC_RELEASE);
	pthread_cond_broadcast(&folio->wait);
	pthread_mutex_unlock(&folio->wait_lock);
	/* The visualiser learns from this event that the folio is unlocked. */
	trace_folio_flags(folio);
}

/* ---------------------------------------------------------------------- */
/* Flags                                                                   */
/* ---------------------------------------------------------------------- */

/* Set @bit; true if it was clear.  Emits folio_flags on a change. */
static bool folio_test_set_flag(struct folio *folio, int bit)
{
	unsigned long old = __atomic_fetch_or(&folio->flags, 1ul << bit, __ATOMIC_ACQ_REL);

	if (old & (1ul << bit))
		return false;
	trace_folio_flags(folio);
	return true;
}

/* Clear @bit; true if it was set.  Emits folio_flags on a change. */
static bool folio_test_clear_flag(struct folio *folio, int bit)
{
	unsigned long old = __atomic_fetch_and(&folio->flags, ~(1ul << bit), __ATOMIC_ACQ_REL);

	if (!(old & (1ul << bit)))
		return false;
	trace_folio_flags(folio);
	return true;
}

void folio_mark_uptodate(struct folio *folio)
{
	/* The release ordering of the atomic makes the contents written
	 * before this call visible to whoever sees the bit (the kernel's
	 * smp_wmb() in folio_mark_uptodate()). */
	folio_test_set_flag(folio, PG_uptodate);
}

/*
 * The two PG_dirty transitions report to the dirty counter of
 * page-writeback.c (its invariant (D1)); only the caller that actually
 * flipped the bit reports, so racing callers count once.
 */
bool folio_mark_dirty(struct folio *folio)
{
	if (!folio_test_set_flag(folio, PG_dirty))
		return false;
	folio_account_dirtied(folio);
	return true;
}

bool folio_clear_dirty_for_io(struct folio *folio)
{
	if (!folio_test_clear_flag(folio, PG_dirty))
		return false;
	folio_account_cleaned(folio);
	/*
	 * Write-protect the folio's mappings, so that the next store through
	 * an mmap faults (->page_mkwrite) and dirties its blocks again: the
	 * kernel's folio_clear_dirty_for_io calls folio_mkclean for this.
	 */
	folio_mkclean(folio);
	return true;
}

void folio_start_writeback(struct folio *folio)
{
	pthread_mutex_lock(&folio->wait_lock);
	__atomic_or_fetch(&folio->flags, 1ul << PG_writeback, __ATOMIC_ACQ_REL);
	pthread_mutex_unlock(&folio->wait_lock);
	trace_folio_flags(folio);
}

void folio_end_writeback(struct folio *folio)
{
	/*
	 * As in the kernel: hold a reference across the wake-up, because a
	 * woken waiter (truncate) may remove the folio and drop the page
	 * cache's reference before this function returns.
	 */
	folio_get(folio);
	pthread_mutex_lock(&folio->wait_lock);
	__atomic_and_fetch(&folio->flags, ~(1ul << PG_writeback), __ATOMIC_ACQ_REL);
	pthread_cond_broadcast(&folio->wait);
	pthread_mutex_unlock(&folio->wait_lock);
	trace_folio_flags(folio);
	folio_put(folio);
}

/*
 * In deterministic mode the bio completion, and the filesystem's completion
 * work that ends writeback, run only when someone drives them: the waiter
 * does, before it sleeps (and again after a short sleep, in case another
 * thread held the device's completion role).
 */
static bool folio_deterministic(const struct folio *folio)
{
	struct address_space *mapping = __atomic_load_n(&folio->mapping, __ATOMIC_ACQUIRE);
	struct inode *host = mapping ? mapping->host : NULL;

	return host && host->i_sb && host->i_sb->s_bdev &&
	       host->i_sb->s_bdev->bd_mode == EXEC_DETERMINISTIC;
}

void folio_wait_writeback(struct folio *folio)
{
	if (!folio_test(folio, PG_writeback))
		return;
	if (folio_deterministic(folio)) {
		struct address_space *mapping = folio->mapping;

		while (folio_test(folio, PG_writeback)) {
			struct timespec ts;

			mapping_run_device_completions(mapping);
			flush_deterministic_workqueues();
			if (!folio_test(folio, PG_writeback))
				break;
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += 2000000L;
			ts.tv_sec += ts.tv_nsec / 1000000000L;
			ts.tv_nsec %= 1000000000L;
			pthread_mutex_lock(&folio->wait_lock);
			if (folio_test(folio, PG_writeback))
				pthread_cond_timedwait(&folio->wait, &folio->wait_lock, &ts);
			pthread_mutex_unlock(&folio->wait_lock);
		}
		return;
	}
	pthread_mutex_lock(&folio->wait_lock);
	while (folio_test(folio, PG_writeback))
		pthread_cond_wait(&folio->wait, &folio->wait_lock);
	pthread_mutex_unlock(&folio->wait_lock);
}

/* ---------------------------------------------------------------------- */
/* Invariants                                                              */
/* ---------------------------------------------------------------------- */

int folio_check(const struct folio *folio)
{
	bool in_mapping = __atomic_load_n(&folio->mapping, __ATOMIC_ACQUIRE) != NULL;

	/* (1) dirty => uptodate, or per-block state that says which blocks are */
	if (folio_test(folio, PG_dirty) && !folio_test(folio, PG_uptodate) && !folio->private)
		return 1;
	/* (2) writeback => not still locked by the thread that started it */
	if (folio_test(folio, PG_writeback) && folio_test(folio, PG_locked) &&
	    __atomic_load_n(&folio->lock_owner, __ATOMIC_RELAXED) == ref_thread_id())
		return 2;
	/* (3) naturally aligned */
	if (folio->index & (folio_nr_pages(folio) - 1))
		return 3;
	/* (4) reachable => referenced */
	if (__atomic_load_n(&folio->refcount, __ATOMIC_RELAXED) < 1)
		return 4;
	/* (5) in a mapping <=> in its index */
	if (in_mapping != (folio->tree_node != NULL))
		return 5;
	return 0;
}
