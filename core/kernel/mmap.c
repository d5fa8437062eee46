/**
 * @file mmap.c
 * @brief Shared file mappings without an MMU: mmap, loads and stores
 *        through per-page ptes, read and write faults, msync, munmap
 *        (mm/mmap.c, mm/memory.c do_shared_fault / wp_page_shared,
 *        mm/filemap.c filemap_fault, mm/msync.c).
 *
 * How to use: vma_mmap() a file range, then vma_read() / vma_write() to
 * load and store (they fault as the kernel would), vma_msync() to write
 * back, vma_munmap() to drop the mapping.  See core/include/iomap/mm.h for
 * the page state diagram and the invariants.
 *
 * What happens on a store to a page never touched (the kernel's
 * do_shared_fault): filemap_fault reads the page (mmap read-around: a
 * window of ra_pages one-page folios centred on it, cut at EOF), then
 * do_page_mkwrite calls f_op->page_mkwrite with the folio, which returns
 * it locked and dirty; the pte becomes writable and the folio is unlocked
 * before the store lands (as in the kernel, the store itself holds no
 * lock: stable pages are the file system's business).
 *
 * A caller must never: use a vma from two threads at once; hold a folio
 * lock, invalidate_lock or i_rwsem while calling in here (faults take
 * invalidate_lock shared and folio locks, in design.rst's order).
 *
 * Locking: `vma_list_lock` protects the global list of vmas and every
 * pte's `writable` bit against folio_mkclean(); the folio references in
 * ptes belong to the vma's thread.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <iomap/fs.h>
#include <iomap/mm.h>
#include <iomap/pagecache.h>

#include "mm-internal.h"

static pthread_mutex_t vma_list_lock = PTHREAD_MUTEX_INITIALIZER;
static struct vm_area *vma_list;

static struct address_space *vma_mapping(const struct vm_area *vma)
{
	return vma->file->f_inode->i_mapping;
}

/* The pte of the page holding file offset @pos. */
static struct vm_pte *vma_pte(struct vm_area *vma, loff_t pos)
{
	return &vma->ptes[(pos - vma->offset) >> PAGE_SHIFT];
}

/* ---------------------------------------------------------------------- */
/* Mapping and unmapping                                                   */
/* ---------------------------------------------------------------------- */

int vma_mmap(struct file *file, loff_t offset, size_t length, int prot, struct vm_area **out)
{
	struct address_space *mapping = file->f_inode->i_mapping;
	unsigned accmode = file->f_flags & O_ACCMODE;
	struct vm_area *vma;

	if (offset < 0 || (offset & (PAGE_SIZE - 1)) || length == 0)
		return -EINVAL;
	/* do_mmap(): a shared mapping needs read access, and write access
	 * to be mapped writable. */
	if (accmode == O_WRONLY)
		return -EACCES;
	if ((prot & PROT_WRITE) && accmode != O_RDWR)
		return -EACCES;
	/* generic_file_mmap() needs ->read_folio to fill pages. */
	if (!mapping->a_ops || !mapping->a_ops->read_folio)
		return -ENODEV;
	vma = calloc(1, sizeof(*vma));
	if (!vma)
		return -ENOMEM;
	vma->file = file;
	vma->offset = offset;
	vma->length = length;
	vma->prot = prot;
	vma->nr_ptes = (unsigned long)((length + PAGE_SIZE - 1) >> PAGE_SHIFT);
	vma->ptes = calloc(vma->nr_ptes, sizeof(*vma->ptes));
	if (!vma->ptes) {
		free(vma);
		return -ENOMEM;
	}
	pthread_mutex_lock(&vma_list_lock);
	vma->next = vma_list;
	vma_list = vma;
	pthread_mutex_unlock(&vma_list_lock);
	*out = vma;
	return 0;
}

/* zap_pte_range() for one pte. */
static void pte_clear(struct vm_pte *pte)
{
	struct folio *folio;

	pthread_mutex_lock(&vma_list_lock);
	folio = pte->folio;
	pte->folio = NULL;
	pte->writable = false;
	pthread_mutex_unlock(&vma_list_lock);
	if (folio)
		folio_put(folio);
}

void vma_munmap(struct vm_area *vma)
{
	struct vm_area **p;

	if (!vma)
		return;
	pthread_mutex_lock(&vma_list_lock);
	for (p = &vma_list; *p; p = &(*p)->next) {
		if (*p == vma) {
			*p = vma->next;
			break;
		}
	}
	pthread_mutex_unlock(&vma_list_lock);
	for (unsigned long i = 0; i < vma->nr_ptes; i++)
		pte_clear(&vma->ptes[i]);
	free(vma->ptes);
	free(vma);
}

int folio_mkclean(struct folio *folio)
{
	int cleaned = 0;

	pthread_mutex_lock(&vma_list_lock);
	for (struct vm_area *vma = vma_list; vma; vma = vma->next) {
		for (unsigned long i = 0; i < vma->nr_ptes; i++) {
			if (vma->ptes[i].folio == folio && vma->ptes[i].writable) {
				vma->ptes[i].writable = false;
				cleaned++;
			}
		}
	}
	pthread_mutex_unlock(&vma_list_lock);
	return cleaned;
}

/*
 * Does the pte still map the page?  The kernel unmaps a folio before
 * truncation or invalidation removes it (unmap_mapping_range); here the
 * pte keeps its reference and notices the removal at the next access,
 * which has the same effect for the program: the next access faults.
 */
static bool vma_pte_valid(struct vm_area *vma, struct vm_pte *pte)
{
	struct folio *folio = pte->folio;

	if (!folio)
		return false;
	if (__atomic_load_n(&folio->mapping, __ATOMIC_ACQUIRE) != vma_mapping(vma)) {
		pte_clear(pte);
		return false;
	}
	return true;
}

/*
 * Invariant (2): a store may go straight to the folio only while the pte
 * is writable and the folio still dirty.  The PG_dirty test catches
 * writeback paths that clean a folio without calling folio_mkclean(), so
 * that the next store always reaches ->page_mkwrite again.
 */
static bool vma_pte_writable(struct vm_area *vma, struct vm_pte *pte)
{
	if (!vma_pte_valid(vma, pte) || !pte->writable)
		return false;
	return folio_test(pte->folio, PG_dirty);
}

int vma_check(const struct vm_area *vma)
{
	for (unsigned long i = 0; i < vma->nr_ptes; i++) {
		const struct vm_pte *pte = &vma->ptes[i];

		if (!pte->folio) {
			if (pte->writable)
				return 2;
			continue;
		}
		if (__atomic_load_n(&pte->folio->refcount, __ATOMIC_ACQUIRE) < 1)
			return 1;
	}
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Read faults (filemap_fault)                                             */
/* ---------------------------------------------------------------------- */

/* Sleep until a read in flight unlocks @folio (folio_wait_locked). */
static void wait_folio_unlocked(struct address_space *mapping, struct folio *folio)
{
	if (!folio_test(folio, PG_locked))
		return;
	mapping_run_device_completions(mapping);
	pthread_mutex_lock(&folio->wait_lock);
	while (folio_test(folio, PG_locked))
		pthread_cond_wait(&folio->wait, &folio->wait_lock);
	pthread_mutex_unlock(&folio->wait_lock);
}

/*
 * The folio lock we hold goes to the read we start: its completion
 * unlocks the folio, perhaps on another thread, so the validator stops
 * counting it as ours (as filemap.c's folio_lock_handoff()).
 */
static void folio_lock_handoff(struct folio *folio)
{
	if (!__atomic_load_n(&folio->lock_owner, __ATOMIC_RELAXED))
		return;
	lockdep_release(&folio_lock_class, folio->lock_instance);
	__atomic_store_n(&folio->lock_owner, 0, __ATOMIC_RELAXED);
}

/* Hand the batch [_index, _index + _nr_pages) to the file system. */
static void mmap_read_pages(struct readahead_control *rac)
{
	const struct address_space_operations *aops = rac->mapping->a_ops;
	struct folio *folio;

	if (!readahead_count(rac))
		return;
	if (aops->readahead)
		aops->readahead(rac);
	/* What the file system did not take stays !uptodate, unlocked. */
	while ((folio = readahead_folio(rac)) != NULL) {
		if (aops->readahead)
			folio_unlock(folio);
		else
			aops->read_folio(rac->file, folio);
	}
}

/*
 * Mirrors do_sync_mmap_readahead()'s read-around: a window of ra_pages
 * pages starting ra_pages / 2 before the faulting page, its last quarter
 * asynchronous.  The kernel asks page_cache_ra_order() for order-0 folios
 * here (ra->order = 0), which is why a write fault later sees one page
 * per folio even on a mapping that allows large folios.  Pages already
 * cached split the window into batches; nothing is added past EOF.
 */
static void mmap_read_around(struct vm_area *vma, pgoff_t index)
{
	struct file *file = vma->file;
	struct address_space *mapping = vma_mapping(vma);
	struct file_ra_state *ra = &file->f_ra;
	struct readahead_control rac = { .file = file, .mapping = mapping, .ra = ra };
	loff_t isize = i_size_read(mapping->host);
	pgoff_t start, last, mark;

	if (!ra->ra_pages || isize == 0)
		return; /* readahead off: filemap_fault reads just the page */
	start = index > ra->ra_pages / 2 ? index - ra->ra_pages / 2 : 0;
	ra->start = start;
	ra->size = ra->ra_pages;
	ra->async_size = ra->ra_pages / 4;
	last = start + ra->size - 1;
	if (last > (pgoff_t)((isize - 1) >> PAGE_SHIFT))
		last = (pgoff_t)((isize - 1) >> PAGE_SHIFT);
	mark = start + ra->size - ra->async_size;
	rac._index = start;

	filemap_invalidate_lock_shared(mapping);
	for (pgoff_t i = start; i <= last; i++) {
		struct folio *folio = filemap_get_folio(mapping, i);

		if (folio) {
			/* Cached: read what we have, step over this folio. */
			mmap_read_pages(&rac);
			i = folio->index + folio_nr_pages(folio) - 1;
			rac._index = i + 1;
			folio_put(folio);
			continue;
		}
		folio = filemap_alloc_folio(0);
		if (!folio)
			break;
		if (i == mark)
			__atomic_or_fetch(&folio->flags, 1ul << PG_readahead, __ATOMIC_RELEASE);
		if (filemap_add_folio(mapping, folio, i)) {
			folio_put(folio);
			break;
		}
		/* Our reference becomes the request's. */
		rac._nr_pages++;
	}
	mmap_read_pages(&rac);
	filemap_invalidate_unlock_shared(mapping);
}

/*
 * Mirrors filemap_fault(): find (reading it if needed) the uptodate folio
 * holding file page @index, return it locked with a reference.  SIGBUS at
 * or past the page holding EOF, or when the read fails.
 */
static vm_fault_t filemap_fault(struct vm_area *vma, pgoff_t index, struct folio **out)
{
	struct address_space *mapping = vma_mapping(vma);
	struct folio *folio;
	int err;

retry:
	/* max_idx = DIV_ROUND_UP(i_size, PAGE_SIZE) */
	if ((loff_t)index >= (i_size_read(mapping->host) + (loff_t)PAGE_SIZE - 1) >> PAGE_SHIFT)
		return VM_FAULT_SIGBUS;
	folio = filemap_get_folio(mapping, index);
	if (!folio)
		mmap_read_around(vma, index);
	/*
	 * invalidate_lock shared before the folio lock (design.rst's order):
	 * truncation cannot remove the folio while we create or read it.
	 */
	filemap_invalidate_lock_shared(mapping);
	if (!folio) {
		err = __filemap_get_folio(mapping, index, FGP_CREAT, 0, &folio);
		if (err) {
			filemap_invalidate_unlock_shared(mapping);
			return vmf_fs_error(err);
		}
	}
	wait_folio_unlocked(mapping, folio);
	folio_lock(folio);
	if (__atomic_load_n(&folio->mapping, __ATOMIC_ACQUIRE) != mapping) {
		/* Truncated meanwhile: look again. */
		folio_unlock(folio);
		filemap_invalidate_unlock_shared(mapping);
		folio_put(folio);
		goto retry;
	}
	if (!folio_test(folio, PG_uptodate)) {
		/* page_not_uptodate: ->read_folio unlocks it when done. */
		folio_lock_handoff(folio);
		err = mapping->a_ops->read_folio(vma->file, folio);
		if (!err)
			wait_folio_unlocked(mapping, folio);
		filemap_invalidate_unlock_shared(mapping);
		if (err || !folio_test(folio, PG_uptodate)) {
			folio_put(folio);
			return VM_FAULT_SIGBUS;
		}
		/* Read: lock it again and recheck everything. */
		folio_put(folio);
		goto retry;
	}
	filemap_invalidate_unlock_shared(mapping);
	/* EOF may have moved while we slept. */
	if ((loff_t)index >= (i_size_read(mapping->host) + (loff_t)PAGE_SIZE - 1) >> PAGE_SHIFT) {
		folio_unlock(folio);
		folio_put(folio);
		return VM_FAULT_SIGBUS;
	}
	*out = folio;
	return VM_FAULT_LOCKED;
}

/* Install @folio (reference passed) in @pte. */
static void pte_set(struct vm_pte *pte, struct folio *folio, bool writable)
{
	struct folio *old;

	pthread_mutex_lock(&vma_list_lock);
	old = pte->folio;
	pte->folio = folio;
	pte->writable = writable;
	pthread_mutex_unlock(&vma_list_lock);
	if (old)
		folio_put(old);
}

vm_fault_t vma_fault_read(struct vm_area *vma, loff_t pos)
{
	struct folio *folio;
	vm_fault_t ret;

	if (!(vma->prot & (PROT_READ | PROT_WRITE | PROT_EXEC)))
		return VM_FAULT_SIGSEGV;
	ret = filemap_fault(vma, (pgoff_t)(pos >> PAGE_SHIFT), &folio);
	if (ret & VM_FAULT_ERROR)
		return ret;
	/* finish_fault(): a shared page is mapped read-only until written. */
	pte_set(vma_pte(vma, pos), folio, false);
	folio_unlock(folio);
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Write faults (do_shared_fault, wp_page_shared)                          */
/* ---------------------------------------------------------------------- */

/*
 * Mirrors do_page_mkwrite(): let the file system prepare @folio for
 * stores.  Returns VM_FAULT_LOCKED with the folio locked, or error bits
 * (VM_FAULT_NOPAGE: the folio went away, retry the access).
 */
static vm_fault_t do_page_mkwrite(struct vm_area *vma, pgoff_t index, struct folio *folio)
{
	const struct file_operations *fop = vma->file->f_op;
	struct vm_fault vmf = { .vma = vma, .pgoff = index, .folio = folio, .write = true };
	vm_fault_t ret;

	if (!fop || !fop->page_mkwrite) {
		folio_lock(folio);
		return VM_FAULT_LOCKED;
	}
	ret = fop->page_mkwrite(&vmf);
	if (ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE))
		return ret;
	if (!(ret & VM_FAULT_LOCKED)) {
		folio_lock(folio);
		if (__atomic_load_n(&folio->mapping, __ATOMIC_ACQUIRE) != vma_mapping(vma)) {
			folio_unlock(folio);
			return VM_FAULT_NOPAGE;
		}
	}
	return VM_FAULT_LOCKED;
}

/*
 * Mirrors fault_dirty_shared_page(): the folio is dirty (page_mkwrite did
 * it, or we do it for a file system without one), unlock it, and let the
 * dirty limits throttle us as a write(2) would be.
 */
static void fault_dirty_shared_page(struct vm_area *vma, struct folio *folio)
{
	struct address_space *mapping = vma_mapping(vma);

	if (!folio_test(folio, PG_dirty)) {
		if (mapping->a_ops->dirty_folio)
			mapping->a_ops->dirty_folio(mapping, folio);
		else
			folio_mark_dirty(folio);
	}
	folio_unlock(folio);
	balance_dirty_pages_ratelimited(mapping);
}

vm_fault_t vma_fault_write(struct vm_area *vma, loff_t pos)
{
	pgoff_t index = (pgoff_t)(pos >> PAGE_SHIFT);
	struct vm_pte *pte = vma_pte(vma, pos);
	int tries = 0;

	if (!(vma->prot & PROT_WRITE))
		return VM_FAULT_SIGSEGV;
	for (;;) {
		struct folio *folio;
		vm_fault_t ret;

		if (!vma_pte_valid(vma, pte)) {
			/* do_shared_fault(): read the page in first. */
			ret = filemap_fault(vma, index, &folio);
			if (ret & VM_FAULT_ERROR)
				return ret;
			/* ->page_mkwrite is called with the folio unlocked. */
			folio_unlock(folio);
		} else {
			/* wp_page_shared(): mapped read-only; our own reference. */
			folio = pte->folio;
			folio_get(folio);
		}
		ret = do_page_mkwrite(vma, index, folio);
		if (ret & VM_FAULT_ERROR) {
			folio_put(folio);
			return ret;
		}
		if (ret & VM_FAULT_NOPAGE) {
			/* The folio was truncated or invalidated: try again. */
			folio_put(folio);
			pte_clear(pte);
			if (++tries > 16)
				return VM_FAULT_SIGBUS;
			continue;
		}
		/* The pte takes over our reference (and drops an older one). */
		pte_set(pte, folio, true);
		fault_dirty_shared_page(vma, folio);
		return 0;
	}
}

/* ---------------------------------------------------------------------- */
/* Loads, stores, msync                                                    */
/* ---------------------------------------------------------------------- */

/* An access outside the vma hits no mapping at all: SIGSEGV. */
static bool vma_contains(const struct vm_area *vma, loff_t pos)
{
	return pos >= vma->offset &&
	       pos < vma->offset + (loff_t)(vma->nr_ptes << PAGE_SHIFT);
}

/* Where file offset @pos lives in its pte's folio. */
static char *pte_addr(struct vm_pte *pte, loff_t pos)
{
	return (char *)pte->folio->data + (size_t)(pos - folio_pos(pte->folio));
}

vm_fault_t vma_read(struct vm_area *vma, loff_t pos, void *buf, size_t len)
{
	char *dst = buf;

	while (len) {
		struct vm_pte *pte;
		size_t chunk = PAGE_SIZE - (size_t)(pos & (PAGE_SIZE - 1));

		if (chunk > len)
			chunk = len;
		if (!vma_contains(vma, pos))
			return VM_FAULT_SIGSEGV;
		pte = vma_pte(vma, pos);
		if (!vma_pte_valid(vma, pte)) {
			vm_fault_t ret = vma_fault_read(vma, pos);

			if (ret)
				return ret;
		}
		memcpy(dst, pte_addr(pte, pos), chunk);
		dst += chunk;
		pos += (loff_t)chunk;
		len -= chunk;
	}
	return 0;
}

vm_fault_t vma_write(struct vm_area *vma, loff_t pos, const void *buf, size_t len)
{
	const char *src = buf;

	while (len) {
		struct vm_pte *pte;
		size_t chunk = PAGE_SIZE - (size_t)(pos & (PAGE_SIZE - 1));

		if (chunk > len)
			chunk = len;
		if (!vma_contains(vma, pos))
			return VM_FAULT_SIGSEGV;
		pte = vma_pte(vma, pos);
		if (!vma_pte_writable(vma, pte)) {
			vm_fault_t ret = vma_fault_write(vma, pos);

			if (ret)
				return ret;
		}
		memcpy(pte_addr(pte, pos), src, chunk);
		src += chunk;
		pos += (loff_t)chunk;
		len -= chunk;
	}
	return 0;
}

int vma_msync(struct vm_area *vma, loff_t pos, size_t len, int flags)
{
	struct address_space *mapping = vma_mapping(vma);
	int err;

	if (flags & ~(MS_ASYNC | MS_SYNC | MS_INVALIDATE))
		return -EINVAL;
	if ((flags & MS_ASYNC) && (flags & MS_SYNC))
		return -EINVAL;
	if (!(flags & MS_SYNC) || len == 0)
		return 0;
	/*
	 * The kernel calls vfs_fsync_range(file, start, end, 1); the file
	 * system writes the range back and commits what the data needs.
	 * Our f_op->fsync has no range, so msync writes back the range only
	 * and leaves the metadata commit to fsync.
	 */
	err = filemap_write_and_wait_range(mapping, pos, pos + (loff_t)len - 1);
	if (!err)
		err = file_check_and_advance_wb_err(vma->file);
	return err;
}
