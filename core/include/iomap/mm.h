/**
 * @file mm.h
 * @brief Shared file mappings: mmap(2), page faults, msync(2), munmap(2)
 *        (mm/memory.c, mm/filemap.c filemap_fault, mm/msync.c), modelled
 *        without a real MMU.
 *
 * A `struct vm_area` stands for one MAP_SHARED mapping of a file range.
 * Instead of page tables it keeps one `struct vm_pte` per page: the folio
 * the page is mapped to (a reference held) and whether stores may go
 * straight to it.  Programs do not touch memory directly; they call
 * vma_read() and vma_write(), which behave like loads and stores through
 * the mapping: a page that is not mapped takes a read fault
 * (filemap_fault: readahead, ->read_folio), and a store to a page that is
 * not writable takes a write fault, which calls the file's
 * f_op->page_mkwrite (iomap_page_mkwrite for iomap file systems) before
 * the byte lands in the folio.
 *
 * The life of one page of a writable shared mapping (arrows name the
 * function that makes the transition):
 *
 *     unmapped --vma_fault_read (load)-----------------> mapped read-only
 *     unmapped --vma_fault_write (store)---------------> mapped writable
 *     mapped read-only --vma_fault_write (page_mkwrite)-> mapped writable
 *     mapped writable --folio_mkclean (writeback)------> mapped read-only
 *     any --folio removed from the cache (truncate, invalidation)-->
 *         unmapped (noticed at the next access: vma_pte_valid)
 *     any --vma_munmap---------------------------------> gone
 *
 * Writeback reaches "read-only" in two ways: folio_mkclean() clears the
 * writable bit of every pte of the folio (the kernel's rmap walk from
 * folio_clear_dirty_for_io), and a store checks that the folio is still
 * dirty (vma_pte_writable), which catches a cleaned folio even on a path
 * that did not call folio_mkclean().
 *
 * This is why the kernel calls ->page_mkwrite once per page after every
 * writeback: cleaning a folio for I/O write-protects every mapping of it,
 * so that the next store asks the file system again for space (delalloc
 * reservation, unsharing, block allocation) before the folio is dirtied.
 *
 * Invariants (checked by vma_check(), tests mmap-*):
 *   (1) a pte with a folio holds one reference to it;
 *   (2) a writable pte's folio was dirty when the pte became writable, and
 *       a store is only allowed while it still is (vma_pte_writable);
 *   (3) a pte never maps a page at or past the page holding EOF at the
 *       time of its fault (the kernel sends SIGBUS instead).
 *
 * Locking: the vma itself belongs to one thread (the one that mapped it:
 * iomap-io's command loop); faults take the locks the kernel takes
 * (invalidate_lock shared inside ->page_mkwrite, the folio lock).  A
 * global list of vmas, protected by its own mutex, lets folio_mkclean()
 * find every pte of a folio.
 */
#ifndef IOMAP_MM_H
#define IOMAP_MM_H

#include <errno.h>
#include <sys/mman.h>

#include "fs.h"
#include "pagecache.h"

/**
 * @name vm_fault_t bits (values of the kernel's enum vm_fault_reason)
 * @{
 */
#define VM_FAULT_OOM 0x000001u     /**< out of memory */
#define VM_FAULT_SIGBUS 0x000002u  /**< beyond EOF or an I/O error */
#define VM_FAULT_SIGSEGV 0x000040u /**< access the protection forbids */
#define VM_FAULT_NOPAGE 0x000100u  /**< nothing mapped; retry the access */
#define VM_FAULT_LOCKED 0x000200u  /**< the handler returns the folio locked */
#define VM_FAULT_RETRY 0x000400u   /**< the handler dropped locks; retry */
/** Bits that end the fault with an error (the kernel's VM_FAULT_ERROR). */
#define VM_FAULT_ERROR (VM_FAULT_OOM | VM_FAULT_SIGBUS | VM_FAULT_SIGSEGV)
/** @} */

/** One page of a mapping (a page table entry). */
struct vm_pte {
	struct folio *folio; /**< mapped folio (a reference held), NULL if none */
	bool writable;       /**< stores go straight to the folio */
};

/** One shared mapping of a file range (the kernel's vm_area_struct). */
struct vm_area {
	struct file *file;     /**< the mapped file (not owned) */
	loff_t offset;         /**< file offset of the first byte (page aligned) */
	size_t length;         /**< bytes mapped */
	int prot;              /**< PROT_READ | PROT_WRITE | PROT_EXEC */
	unsigned long nr_ptes; /**< pages: length rounded up */
	struct vm_pte *ptes;   /**< one per page */
	struct vm_area *next;  /**< global list (folio_mkclean) */
};

/** What a fault handler is told (the kernel's struct vm_fault). */
struct vm_fault {
	struct vm_area *vma;  /**< the mapping */
	pgoff_t pgoff;        /**< file page index of the faulting address */
	struct folio *folio;  /**< the folio mapped there (a reference held) */
	bool write;           /**< FAULT_FLAG_WRITE */
};

/**
 * Map @p length bytes of @p file at @p offset, shared (mmap(2) with
 * MAP_SHARED).  Nothing is read until the first access.
 * @param file the file; @param offset file offset, page aligned
 * @param length bytes (> 0); @param prot PROT_* bits
 * @param out the new mapping
 * @return 0, -EINVAL (offset not page aligned, length 0), -EACCES
 *         (PROT_WRITE on a file not open for writing, or no read access),
 *         -ENODEV (the file cannot be mapped: no page cache ops), -ENOMEM
 */
int vma_mmap(struct file *file, loff_t offset, size_t length, int prot, struct vm_area **out);
/**
 * Remove a mapping (munmap(2)): drop the folio references.  Dirty data
 * stays in the page cache for writeback, as in the kernel.
 * @param vma the mapping (freed)
 */
void vma_munmap(struct vm_area *vma);
/**
 * A load from file offset @p pos found its page unmapped: map it
 * read-only, reading it first (the kernel's filemap_fault: mmap
 * read-around of up to ra_pages pages centred on the page, then
 * ->read_folio if it is still !uptodate).
 * @param vma the mapping; @param pos file offset inside the mapping
 * @return 0 or VM_FAULT_* error bits (SIGBUS past EOF or on a read error)
 */
vm_fault_t vma_fault_read(struct vm_area *vma, loff_t pos);
/**
 * A store to file offset @p pos found its page unmapped or read-only
 * (the kernel's do_shared_fault / wp_page_shared): fault it in, then let
 * f_op->page_mkwrite prepare the folio, and map it writable.
 * @param vma the mapping; @param pos file offset inside the mapping
 * @return 0 or VM_FAULT_* error bits
 */
vm_fault_t vma_fault_write(struct vm_area *vma, loff_t pos);
/**
 * Loads: copy @p len bytes at file offset @p pos out of the mapping,
 * faulting pages in as needed.
 * @param vma the mapping; @param pos file offset; @param buf destination
 * @param len bytes; [pos, pos + len) must lie inside the mapping
 * @return 0 or the VM_FAULT_* bits of the fault that failed (bytes before
 *         the failing page were copied)
 */
vm_fault_t vma_read(struct vm_area *vma, loff_t pos, void *buf, size_t len);
/**
 * Stores: copy @p len bytes from @p buf into the mapping at file offset
 * @p pos, taking a write fault on each page that is not writable.
 * @param vma the mapping; @param pos file offset; @param buf source
 * @param len bytes; [pos, pos + len) must lie inside the mapping
 * @return 0 or the VM_FAULT_* bits of the fault that failed
 */
vm_fault_t vma_write(struct vm_area *vma, loff_t pos, const void *buf, size_t len);
/**
 * msync(2) of [@p pos, @p pos + @p len): with MS_SYNC, write back the
 * dirty page cache of the range and wait (filemap_write_and_wait_range,
 * as vfs_fsync_range does before the file system commits), then report a
 * writeback error not yet seen by this file; MS_ASYNC does nothing (as
 * since Linux 2.6.19); MS_INVALIDATE alone does nothing either.
 * @param vma the mapping; @param pos file offset; @param len bytes
 * @param flags MS_ASYNC, MS_SYNC, MS_INVALIDATE
 * @return 0, -EINVAL (MS_ASYNC with MS_SYNC, unknown flags), or a
 *         writeback error
 */
int vma_msync(struct vm_area *vma, loff_t pos, size_t len, int flags);
/**
 * Write-protect every pte that maps @p folio (the kernel's folio_mkclean,
 * called when a folio is cleaned for writeback).
 * @param folio the folio
 * @return number of ptes write-protected
 */
int folio_mkclean(struct folio *folio);
/**
 * Check the invariants above for every pte of @p vma.
 * @param vma the mapping
 * @return 0, or the number of the first invariant broken
 */
int vma_check(const struct vm_area *vma);
/**
 * Turn a file system error into fault bits (the kernel's vmf_fs_error).
 * @param err 0 or -errno
 * @return VM_FAULT_LOCKED for 0, NOPAGE for -EAGAIN / -EFAULT, OOM for
 *         -ENOMEM, SIGBUS otherwise
 */
static inline vm_fault_t vmf_fs_error(int err)
{
	if (err == 0)
		return VM_FAULT_LOCKED;
	if (err == -EFAULT || err == -EAGAIN)
		return VM_FAULT_NOPAGE;
	if (err == -ENOMEM)
		return VM_FAULT_OOM;
	return VM_FAULT_SIGBUS;
}

#endif /* IOMAP_MM_H */
