/**
 * @file mm-internal.h
 * @brief What the files of the kernel model's memory management
 *        (folio.c, filemap.c, readahead.c, page-writeback.c) share and
 *        nobody else calls (the kernel's mm/internal.h).
 *
 * Dirty accounting: every PG_dirty transition of a folio goes through
 * folio.c, which reports it here, so that page-writeback.c's counter of
 * dirty bytes equals, at any moment, the summed folio_size() of every
 * live folio with PG_dirty set (invariant (D1) of page-writeback.c).
 */
#ifndef IOMAP_KERNEL_MM_INTERNAL_H
#define IOMAP_KERNEL_MM_INTERNAL_H

#include <iomap/pagecache.h>

/**
 * @p folio just became dirty (the kernel's folio_account_dirtied).
 * @param folio the folio whose PG_dirty this caller set
 */
void folio_account_dirtied(const struct folio *folio);
/**
 * @p folio just stopped being dirty: cleaned for writeback, cancelled by
 * truncation, or freed while dirty (the kernel's folio_account_cleaned).
 * @param folio the folio whose PG_dirty this caller cleared
 */
void folio_account_cleaned(const struct folio *folio);

/**
 * In deterministic mode nothing completes by itself: run the completions
 * of the device under @p mapping's inode (if any) so that a waiter can
 * see the folio it waits for unlocked.  Does nothing in concurrent mode.
 * @param mapping the page cache whose device to drive
 */
void mapping_run_device_completions(struct address_space *mapping);

#endif /* IOMAP_KERNEL_MM_INTERNAL_H */
