/*
 * test_mkwrite.c — iomap_page_mkwrite() and the shared-mapping fault model
 * (core/kernel/mmap.c) over tablefs on a RAM device.
 *
 * Areas:
 *   mkwrite-1.*  iomap_page_mkwrite called directly: the iteration it asks
 *                ->iomap_begin for (IOMAP_WRITE | IOMAP_FAULT, the folio's
 *                range cut at EOF), the folio it returns (locked, dirty,
 *                every block dirty), and its refusals (folio truncated or
 *                past EOF: NOPAGE; ->iomap_begin failing: SIGBUS / OOM,
 *                folio unlocked and still clean)
 *   mkwrite-2.*  through vma_write(): one ->page_mkwrite per page until
 *                writeback write-protects the page again, stores that
 *                reach the device, faults past EOF
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <iomap/iomap.h>
#include <iomap/mm.h>
#include <iomap/trace.h>

#include "../../../core/iomap/internal.h"
#include "../testutil.h"
#include "backends/backend.h"
#include "tablefs.h"

#define K 1024ll
#define M (1024ll * 1024ll)
#define DEV_SIZE (4 * M)
#define ADDR_A (1 * M)

static struct env {
	struct tablefs t;
	struct backend *be;
	unsigned mkwrites; /* f_op->page_mkwrite calls */
} E;

/* ---------------------------------------------------------------------- */
/* Filesystem side: tablefs with page cache ops and a page_mkwrite         */

static int wb_map_blocks(struct iomap_writepage_ctx *wpc, struct inode *inode, loff_t offset,
			 unsigned len)
{
	struct iomap srcmap = { 0 };

	memset(&wpc->iomap, 0, sizeof(wpc->iomap));
	return tablefs_ops.iomap_begin(inode, offset, len, IOMAP_WRITE, &wpc->iomap, &srcmap);
}

static const struct iomap_writeback_ops wb_ops = {
	.map_blocks = wb_map_blocks,
};

static int test_writepages(struct address_space *mapping, struct writeback_control *wbc)
{
	struct iomap_writepage_ctx wpc;

	memset(&wpc, 0, sizeof(wpc));
	return iomap_writepages(mapping, wbc, &wpc, &wb_ops);
}

static int test_read_folio(struct file *file, struct folio *folio)
{
	(void)file;
	return iomap_read_folio(folio, &tablefs_ops_noend);
}

static void test_readahead(struct readahead_control *rac)
{
	iomap_readahead(rac, &tablefs_ops_noend);
}

static const struct address_space_operations test_aops = {
	.read_folio = test_read_folio,
	.readahead = test_readahead,
	.writepages = test_writepages,
	.is_partially_uptodate = iomap_is_partially_uptodate,
	.dirty_folio = iomap_dirty_folio,
	.release_folio = iomap_release_folio,
	.invalidate_folio = iomap_invalidate_folio,
};

/* What a file system's ->page_mkwrite looks like (extentfs, XFS). */
static vm_fault_t test_page_mkwrite(struct vm_fault *vmf)
{
	struct address_space *mapping = vmf->vma->file->f_inode->i_mapping;
	vm_fault_t ret;

	E.mkwrites++;
	filemap_invalidate_lock_shared(mapping);
	ret = iomap_page_mkwrite(vmf, &tablefs_ops);
	filemap_invalidate_unlock_shared(mapping);
	return ret;
}

static const struct file_operations test_fops = {
	.page_mkwrite = test_page_mkwrite,
};

static void setup(void)
{
	memset(&E, 0, sizeof(E));
	kernel_set_exec_mode(EXEC_DETERMINISTIC);
}

/* A file of @size bytes with @blkbits blocks, mapped at ADDR_A. */
static void open_file(unsigned blkbits, loff_t size)
{
	tablefs_init(&E.t, blkbits, size);
	E.t.inode.i_mapping->a_ops = &test_aops;
	E.t.file.f_op = &test_fops;
	E.t.file.f_flags = O_RDWR;
	file_ra_state_init(&E.t.file.f_ra, E.t.inode.i_mapping);
	E.be = backend_ram_new(DEV_SIZE, 512);
	ck_assert_ptr_nonnull(E.be);
	ck_assert_int_eq(tablefs_open_bdev(&E.t, E.be), 0);
	tablefs_add(&E.t, 0, 1 * M, IOMAP_MAPPED, 0, ADDR_A);
}

static void teardown(void)
{
	if (!E.be)
		return;
	blkdev_drain(&E.t.bdev);
	blkdev_run_completions(&E.t.bdev);
	tablefs_close_bdev(&E.t);
	tablefs_destroy(&E.t);
	backend_destroy(E.be);
}

/* The uptodate folio at @index, created as a fault would have read it. */
static struct folio *cached_folio(pgoff_t index)
{
	struct folio *folio;

	ck_assert_int_eq(__filemap_get_folio(E.t.inode.i_mapping, index, FGP_CREAT | FGP_LOCK, 0,
					     &folio),
			 0);
	folio_mark_uptodate(folio);
	folio_unlock(folio);
	return folio;
}

/* Calls to ->iomap_begin with IOMAP_FAULT so far. */
static unsigned fault_begins(void)
{
	unsigned n = 0;

	for (unsigned i = 0; i < E.t.nr_calls; i++)
		if (!E.t.calls[i].end && (E.t.calls[i].flags & IOMAP_FAULT))
			n++;
	return n;
}

/* ---------------------------------------------------------------------- */
/* mkwrite-1: iomap_page_mkwrite directly                                  */

/* mkwrite-1.1: one WRITE|FAULT iteration over the folio; every block dirty. */
START_TEST(mkwrite_1_1_dirties_folio)
{
	struct vm_area vma = { .file = &E.t.file };
	struct vm_fault vmf = { .vma = &vma, .pgoff = 1, .write = true };
	struct folio *folio;

	open_file(10, 64 * K); /* 1 KiB blocks: four per page */
	folio = cached_folio(1);
	vmf.folio = folio;
	ck_assert_uint_eq(iomap_page_mkwrite(&vmf, &tablefs_ops), VM_FAULT_LOCKED);
	ck_assert(folio_test(folio, PG_locked));
	ck_assert(folio_test(folio, PG_dirty));
	for (unsigned b = 0; b < 4; b++)
		ck_assert(ifs_block_is_dirty(folio, folio->private, b));
	ck_assert_uint_eq(E.t.nr_calls, 2); /* begin + end */
	ck_assert_uint_eq(E.t.calls[0].flags, IOMAP_WRITE | IOMAP_FAULT);
	ck_assert_int_eq(E.t.calls[0].pos, 4 * K);
	ck_assert_int_eq(E.t.calls[0].length, 4 * K);
	folio_unlock(folio);
	folio_put(folio);
}
END_TEST

/* mkwrite-1.2: EOF inside the folio: only the part below EOF is iterated. */
START_TEST(mkwrite_1_2_eof_cut)
{
	struct vm_area vma = { .file = &E.t.file };
	struct vm_fault vmf = { .vma = &vma, .pgoff = 1, .write = true };
	struct folio *folio;

	open_file(12, 4 * K + 1000);
	folio = cached_folio(1);
	vmf.folio = folio;
	ck_assert_uint_eq(iomap_page_mkwrite(&vmf, &tablefs_ops), VM_FAULT_LOCKED);
	ck_assert_int_eq(E.t.calls[0].pos, 4 * K);
	ck_assert_int_eq(E.t.calls[0].length, 1000);
	folio_unlock(folio);
	folio_put(folio);
}
END_TEST

/* mkwrite-1.3: a folio truncated away, or starting at EOF: NOPAGE, no iteration. */
START_TEST(mkwrite_1_3_truncated)
{
	struct vm_area vma = { .file = &E.t.file };
	struct vm_fault vmf = { .vma = &vma, .pgoff = 1, .write = true };
	struct folio *folio;

	open_file(12, 8 * K);
	folio = cached_folio(1);
	vmf.folio = folio;
	i_size_write(&E.t.inode, 4 * K); /* the folio now starts at EOF */
	ck_assert_uint_eq(iomap_page_mkwrite(&vmf, &tablefs_ops), VM_FAULT_NOPAGE);
	ck_assert(!folio_test(folio, PG_locked));
	i_size_write(&E.t.inode, 8 * K);
	truncate_pagecache_range(E.t.inode.i_mapping, 0, -1); /* removed from the mapping */
	ck_assert_uint_eq(iomap_page_mkwrite(&vmf, &tablefs_ops), VM_FAULT_NOPAGE);
	ck_assert_uint_eq(E.t.nr_calls, 0);
	ck_assert(!folio_test(folio, PG_dirty));
	folio_put(folio);
}
END_TEST

/* mkwrite-1.4: ->iomap_begin fails: SIGBUS (ENOSPC) or OOM, folio unlocked and clean. */
START_TEST(mkwrite_1_4_begin_error)
{
	struct vm_area vma = { .file = &E.t.file };
	struct vm_fault vmf = { .vma = &vma, .pgoff = 0, .write = true };
	struct folio *folio;

	open_file(12, 8 * K);
	folio = cached_folio(0);
	vmf.folio = folio;
	E.t.begin_error = -ENOSPC;
	ck_assert_uint_eq(iomap_page_mkwrite(&vmf, &tablefs_ops), VM_FAULT_SIGBUS);
	ck_assert(!folio_test(folio, PG_locked));
	ck_assert(!folio_test(folio, PG_dirty));
	E.t.begin_error = -ENOMEM;
	ck_assert_uint_eq(iomap_page_mkwrite(&vmf, &tablefs_ops), VM_FAULT_OOM);
	folio_put(folio);
}
END_TEST

/* ---------------------------------------------------------------------- */
/* mkwrite-2: through a mapping                                            */

/*
 * mkwrite-2.1: the first store to each page calls ->page_mkwrite once;
 * writeback write-protects the pages, so the next store calls it again,
 * and both generations of data reach the device.
 */
START_TEST(mkwrite_2_1_once_per_page_per_writeback)
{
	struct address_space *mapping;
	struct vm_area *vma;
	char buf[3000], got[4096];

	open_file(12, 64 * K);
	mapping = E.t.inode.i_mapping;
	ck_assert_int_eq(vma_mmap(&E.t.file, 0, 64 * K, PROT_READ | PROT_WRITE, &vma), 0);
	memset(buf, 0x5a, sizeof(buf));
	ck_assert_uint_eq(vma_write(vma, 3000, buf, sizeof(buf)), 0); /* pages 0 and 1 */
	ck_assert_uint_eq(vma_write(vma, 100, buf, 10), 0);           /* page 0 again */
	ck_assert_uint_eq(E.mkwrites, 2);
	ck_assert_uint_eq(fault_begins(), 2);
	ck_assert_int_eq(vma_check(vma), 0);
	ck_assert_int_eq(vma_msync(vma, 0, 64 * K, MS_SYNC), 0);
	ck_assert(!filemap_range_needs_writeback(mapping, 0, 64 * K - 1));
	memset(buf, 0x6b, sizeof(buf));
	ck_assert_uint_eq(vma_write(vma, 3000, buf, 10), 0);
	ck_assert_uint_eq(E.mkwrites, 3);
	ck_assert(filemap_range_needs_writeback(mapping, 0, 4 * K - 1));
	ck_assert_int_eq(vma_msync(vma, 0, 64 * K, MS_SYNC), 0);
	vma_munmap(vma);
	/* On the device: the second store over the first. */
	blkdev_drain(&E.t.bdev);
	ck_assert_int_eq(backend_rw_sync(E.be, BACKEND_READ, ADDR_A + 2560, got, 4096, 0), 0);
	for (int i = 0; i < 4096; i++) {
		unsigned char want = i < 440 ? 0 : i < 450 ? 0x6b : i < 3440 ? 0x5a : 0;

		ck_assert_uint_eq((unsigned char)got[i], want);
	}
}
END_TEST

/* mkwrite-2.2: loads and stores past the page holding EOF are SIGBUS; no mkwrite. */
START_TEST(mkwrite_2_2_sigbus)
{
	struct vm_area *vma;
	char c = 1;

	open_file(12, 5000);
	ck_assert_int_eq(vma_mmap(&E.t.file, 0, 16 * K, PROT_READ | PROT_WRITE, &vma), 0);
	ck_assert_uint_eq(vma_read(vma, 8191, &c, 1), 0); /* in the EOF page */
	ck_assert_int_eq(c, 0);
	ck_assert_uint_eq(vma_read(vma, 8192, &c, 1), VM_FAULT_SIGBUS);
	ck_assert_uint_eq(vma_write(vma, 12 * K, &c, 1), VM_FAULT_SIGBUS);
	ck_assert_uint_eq(E.mkwrites, 0);
	ck_assert_uint_eq(vma_write(vma, 16 * K, &c, 1), VM_FAULT_SIGSEGV); /* outside */
	vma_munmap(vma);
}
END_TEST

/*
 * mkwrite-2.3: folio_mkclean() write-protects every pte of a folio, in
 * every mapping of it, even while the folio stays dirty (a write(2) may
 * have re-dirtied it): the next store asks ->page_mkwrite again.
 */
START_TEST(mkwrite_2_3_mkclean)
{
	struct vm_area *v1, *v2;
	struct folio *folio;
	char c = 7;

	open_file(12, 16 * K);
	ck_assert_int_eq(vma_mmap(&E.t.file, 0, 16 * K, PROT_READ | PROT_WRITE, &v1), 0);
	ck_assert_int_eq(vma_mmap(&E.t.file, 4 * K, 4 * K, PROT_READ | PROT_WRITE, &v2), 0);
	ck_assert_uint_eq(vma_write(v1, 4 * K, &c, 1), 0);
	ck_assert_uint_eq(vma_write(v2, 4 * K + 1, &c, 1), 0);
	ck_assert_uint_eq(E.mkwrites, 2);
	folio = filemap_get_folio(E.t.inode.i_mapping, 1);
	ck_assert_ptr_nonnull(folio);
	ck_assert_int_eq(folio_mkclean(folio), 2);
	ck_assert(folio_test(folio, PG_dirty));
	ck_assert_uint_eq(vma_write(v1, 4 * K + 2, &c, 1), 0);
	ck_assert_uint_eq(E.mkwrites, 3);
	folio_put(folio);
	vma_munmap(v2);
	vma_munmap(v1);
}
END_TEST

/*
 * mkwrite-2.4: with readahead off a fault reads just its page
 * (->read_folio), and the load sees the device's data.
 */
START_TEST(mkwrite_2_4_fault_read_folio)
{
	unsigned char pat[512], c = 0;
	struct vm_area *vma;

	open_file(12, 16 * K);
	memset(pat, 0xc3, sizeof(pat));
	ck_assert_int_eq(backend_rw_sync(E.be, BACKEND_WRITE, ADDR_A + 8 * K, pat, 512, 0), 0);
	E.t.file.f_ra.ra_pages = 0;
	ck_assert_int_eq(vma_mmap(&E.t.file, 0, 16 * K, PROT_READ, &vma), 0);
	ck_assert_uint_eq(vma_read(vma, 8 * K + 5, &c, 1), 0);
	ck_assert_uint_eq(c, 0xc3);
	ck_assert_uint_eq(E.t.inode.i_mapping->nrpages, 1);
	ck_assert_uint_eq(vma_write(vma, 8 * K, &c, 1), VM_FAULT_SIGSEGV); /* read-only */
	vma_munmap(vma);
}
END_TEST

static Suite *mkwrite_suite(void)
{
	Suite *s = suite_create("mkwrite");
	TCase *t1 = tcase_create("mkwrite-1 iomap_page_mkwrite");
	TCase *t2 = tcase_create("mkwrite-2 faults");

	tcase_add_checked_fixture(t1, setup, teardown);
	tcase_add_test(t1, mkwrite_1_1_dirties_folio);
	tcase_add_test(t1, mkwrite_1_2_eof_cut);
	tcase_add_test(t1, mkwrite_1_3_truncated);
	tcase_add_test(t1, mkwrite_1_4_begin_error);
	suite_add_tcase(s, t1);
	tcase_add_checked_fixture(t2, setup, teardown);
	tcase_add_test(t2, mkwrite_2_1_once_per_page_per_writeback);
	tcase_add_test(t2, mkwrite_2_2_sigbus);
	tcase_add_test(t2, mkwrite_2_3_mkclean);
	tcase_add_test(t2, mkwrite_2_4_fault_read_folio);
	suite_add_tcase(s, t2);
	return s;
}

int main(void)
{
	return run_suite(mkwrite_suite());
}
