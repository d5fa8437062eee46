/**
 * @file page-writeback.c
 * @brief Dirty page cache accounting and background writeback
 *        (mm/page-writeback.c, the flusher's trigger in fs/fs-writeback.c).
 *
 * How to use: a buffered writer calls balance_dirty_pages_ratelimited()
 * after dirtying folios of a mapping (iomap_write_iter does, once per
 * folio).  When the dirty bytes of all mappings exceed the background
 * limit (vm_dirty_background_bytes_set(), 64 MiB by default) the mapping
 * is written back before the call returns, so a large write never holds
 * the whole file dirty in memory.
 *
 * The kernel splits this between two parties: the writer only counts and,
 * past the background threshold, wakes a per-device flusher thread that
 * runs ->writepages with WB_SYNC_NONE; the writer itself sleeps only when
 * it passes the higher "dirty" limit.  This model has no flusher thread,
 * so the writer does the flusher's job itself, on its own mapping only
 * (the one it just dirtied, which is also the one the flusher would most
 * likely pick) and without waiting for the I/O to finish: PG_dirty is
 * cleared when writeback *starts*, so the counter drops at once, and the
 * folios finish writeback whenever their bios complete.  In deterministic
 * mode (trace.h) bios complete only when driven, so the writer then stands
 * in for the kernel's balance_dirty_pages() wait: after the pass it ends
 * the device's finished bios and runs the deferred completion work, which
 * bounds the writeback in flight as the kernel's throttle does.
 *
 * Invariant (checked by the tests through global_dirty_bytes()):
 *   (D1) the counter equals the sum of folio_size() over every live folio
 *        with PG_dirty set.  folio.c keeps it by reporting each PG_dirty
 *        0->1 (folio_account_dirtied) and 1->0 transition, and freeing a
 *        dirty folio (folio_account_cleaned).
 *
 * A caller must never: call balance_dirty_pages_ratelimited() with a folio
 * lock held (writeback locks folios) or inside ->writepages.
 *
 * Locking: the counter and the limit are atomics; there is no lock here.
 */
#include <limits.h>

#include <iomap/bio.h>
#include <iomap/fs.h>
#include <iomap/pagecache.h>
#include <iomap/trace.h>
#include <iomap/workqueue.h>

#include "mm-internal.h"

/* The kernel's vm_dirty_background_bytes; 0 there means "use the ratio",
 * here it is just a byte count (64 MiB, a typical desktop's background
 * threshold: 10% of 640 MiB of dirtyable memory). */
static uint64_t dirty_background_bytes = 64ull << 20;

/* NR_FILE_DIRTY of all nodes, in bytes: (D1). */
static uint64_t nr_dirty_bytes;

void folio_account_dirtied(const struct folio *folio)
{
	__atomic_add_fetch(&nr_dirty_bytes, (uint64_t)folio_size(folio), __ATOMIC_RELAXED);
}

void folio_account_cleaned(const struct folio *folio)
{
	__atomic_sub_fetch(&nr_dirty_bytes, (uint64_t)folio_size(folio), __ATOMIC_RELAXED);
}

uint64_t global_dirty_bytes(void)
{
	return __atomic_load_n(&nr_dirty_bytes, __ATOMIC_RELAXED);
}

uint64_t vm_dirty_background_bytes_set(uint64_t bytes)
{
	return __atomic_exchange_n(&dirty_background_bytes, bytes, __ATOMIC_RELAXED);
}

/* Does @mapping's device run in deterministic mode (nothing completes by itself)? */
static bool mapping_deterministic(const struct address_space *mapping)
{
	const struct inode *host = mapping->host;

	return host && host->i_sb && host->i_sb->s_bdev &&
	       host->i_sb->s_bdev->bd_mode == EXEC_DETERMINISTIC;
}

void balance_dirty_pages_ratelimited(struct address_space *mapping)
{
	const struct address_space_operations *ops = mapping->a_ops;
	struct writeback_control wbc = {
		.range_start = 0,
		.range_end = LLONG_MAX,
		.sync_all = false, /* WB_SYNC_NONE: skip folios already under writeback */
		.nr_to_write = LONG_MAX,
	};

	/*
	 * The kernel rate-limits this check (every 32 dirtied pages per task)
	 * because reading the global counters costs; here it is one atomic
	 * load, so every call checks.
	 */
	if (global_dirty_bytes() <= __atomic_load_n(&dirty_background_bytes, __ATOMIC_RELAXED))
		return;
	if (!ops || !ops->writepages)
		return; /* nobody can write these folios: they stay dirty */
	/*
	 * What wb_workfn() -> wb_writeback() -> do_writepages() would do for
	 * this inode.  An error is recorded in the mapping by the writeback
	 * path (mapping_set_error) for fsync to report; the writer is not
	 * told, as it would not be by the flusher.
	 */
	(void)ops->writepages(mapping, &wbc);
	/*
	 * The kernel's writer does not leave it there: past the dirty limit
	 * it sleeps in balance_dirty_pages() until the flusher's I/O has
	 * drained enough, so the amount of data under writeback stays
	 * bounded.  In deterministic mode nothing completes unless someone
	 * drives it, so the writer does that here: it ends the device's bios
	 * and runs the deferred completion work (unwritten conversion, COW
	 * remapping) the way folio_wait_writeback() does.  Without this the
	 * ioends of every background pass stay in flight until the next
	 * waiter, and a long write's later passes each walk an ever longer
	 * list of them (the buffered benchmark's scalability check).
	 */
	if (mapping_deterministic(mapping)) {
		mapping_run_device_completions(mapping);
		flush_deterministic_workqueues();
	}
}
