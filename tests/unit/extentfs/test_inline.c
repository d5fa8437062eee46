/**
 * @file test_inline.c
 * @brief Check suite of inline data: extentfs images made with
 *        `-i inline=1` keep small files inside their inode record, and the
 *        iomap core serves them through IOMAP_INLINE mappings
 *        (samples/extentfs/inline.c; docs/FORMAT.md, "Inline data").
 *
 * Areas (test IDs):
 *   inline-1.*  the format: mkfs option parsing; 100 bytes written to a new
 *               file on an inline image are one FIEMAP extent
 *               DATA_INLINE|NOT_ALIGNED|LAST, read back identical before and
 *               after a remount, the superblock says version 2 and the
 *               checker accepts; 512 B, 1 KiB, 4 KiB blocks on the ram and
 *               file backends; default images stay version 1 with no inline
 *               inode
 *   inline-2.*  the page cache: reading an inline file submits no bio (a
 *               default image's file does); writes and truncates within the
 *               capacity keep the file inline, with zeroes in every gap
 *   inline-3.*  conversion to blocks ("unstuffing"): a write past the
 *               capacity (buffered or direct), truncate past it, fallocate,
 *               punch, reflink and an mmap write fault all leave an ordinary
 *               file with the data intact, before and after a remount
 *   inline-4.*  direct I/O: reads and writes inside the capacity copy to and
 *               from the inode (iomap_dio_inline_iter), the file stays inline
 *   inline-5.*  SEEK_DATA / SEEK_HOLE, FIBMAP 0, swapon refused
 *   inline-6.*  crash safety and the checker: a power cut at every write of
 *               the commit of an inline overwrite leaves the old or the new
 *               data and an image the checker accepts; the checker rejects
 *               an inline inode without the feature, and the feature in a
 *               version 1 superblock
 *
 * Every test ends with efs_check_incore() == 0 where it has a mounted
 * filesystem, and extentfs_check() == 0 on every image it unmounts.
 */
#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/fiemap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <iomap/mm.h>
#include <iomap/trace.h>

#include "../testutil.h"
#include "samples/extentfs/extentfs_priv.h"
#include "efs-test.h"

/* ------------------------------------------------------------- helpers */

static struct backend *make_backend(enum efs_test_bkind k, uint64_t size)
{
	return efs_test_backend(k, size, SECTOR, "efs-inline");
}

/* One read or write through the file's entry points; @direct adds IOCB_DIRECT. */
static ssize_t rw(struct file *f, bool write, bool direct, void *buf, size_t len, loff_t off)
{
	return efs_test_rw(f, write, buf, len, off, direct ? IOCB_DIRECT : 0, 0, SIZE_MAX);
}

/* The whole file read through the page cache equals @model[0, size). */
static void verify_file(struct file *f, const uint8_t *model, loff_t size)
{
	efs_test_verify_file(f, model, size, false);
}

/* mkfs with mkfs.xfs-style @opts text, then mount. */
static struct extentfs *mkfs_mount_opts(struct backend *b, const char *opts)
{
	struct extentfs_mkfs_opts o;
	struct extentfs *fs = NULL;
	char err[128];

	ck_assert_int_eq(extentfs_parse_mkfs_opts(opts, &o, err, sizeof(err)), 0);
	ck_assert_int_eq(extentfs_mkfs(b, &o), 0);
	ck_assert_int_eq(extentfs_mount(b, DEV, &fs), 0);
	return fs;
}

/* An inline image with @bs-byte blocks. */
static struct extentfs *mkfs_inline(struct backend *b, uint32_t bs)
{
	char opts[64];

	snprintf(opts, sizeof(opts), "-b size=%u -i inline=1", bs);
	return mkfs_mount_opts(b, opts);
}

/* FIEMAP of the whole file into @ext (at most 8); @return extents mapped. */
static unsigned fiemap(struct file *f, struct fiemap_extent *ext)
{
	struct fiemap_extent_info fi = { .fi_extents_max = 8, .fi_extents_start = ext };

	memset(ext, 0, 8 * sizeof(*ext));
	ck_assert_int_eq(extentfs_fiemap(f, &fi, 0, UINT64_MAX), 0);
	return fi.fi_extents_mapped;
}

/* The file is inline: one extent [0, size) DATA_INLINE|NOT_ALIGNED|LAST, no blocks. */
static void assert_inline(struct file *f, loff_t size)
{
	struct fiemap_extent ext[8];

	ck_assert(efs_inode_is_inline(EFS_I(f->f_inode)));
	ck_assert_uint_eq(EFS_I(f->f_inode)->df.nr, 0);
	/* The buffer iomap copies from never crosses a page boundary. */
	ck_assert_uint_le(((uintptr_t)EFS_I(f->f_inode)->idata & (PAGE_SIZE - 1)) +
				  efs_fs_inline_capacity(EFS_FS(EFS_I(f->f_inode))),
			  PAGE_SIZE);
	if (size == 0) {
		ck_assert_uint_eq(fiemap(f, ext), 0);
		return;
	}
	ck_assert_uint_eq(fiemap(f, ext), 1);
	ck_assert_uint_eq(ext[0].fe_logical, 0);
	ck_assert_uint_eq(ext[0].fe_length, (uint64_t)size);
	ck_assert_uint_eq(ext[0].fe_physical, 0);
	ck_assert_uint_eq(ext[0].fe_flags, FIEMAP_EXTENT_DATA_INLINE | FIEMAP_EXTENT_NOT_ALIGNED |
						   FIEMAP_EXTENT_LAST);
}

/* The file is ordinary: no DATA_INLINE extent, block 0 mapped to a real block. */
static void assert_not_inline(struct file *f)
{
	struct fiemap_extent ext[8];
	unsigned n;

	ck_assert(!efs_inode_is_inline(EFS_I(f->f_inode)));
	n = fiemap(f, ext);
	for (unsigned i = 0; i < n; i++)
		ck_assert(!(ext[i].fe_flags & FIEMAP_EXTENT_DATA_INLINE));
}

/* The superblock version of slot @slot as stored. */
static uint32_t sb_version(struct backend *b)
{
	uint8_t *buf = aligned_alloc(4096, 4096);
	struct efs_dsb sb;

	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(backend_rw_sync(b, BACKEND_READ, 0, buf, 4096, 0), 0);
	ck_assert(efs_sb_decode(buf, &sb));
	free(buf);
	return sb.version;
}

/* Events named @name in @m. */
static size_t count_events(struct trace_sink *m, const char *name)
{
	size_t n = 0;

	for (size_t i = 0; i < trace_memsink_count(m); i++)
		n += strcmp(trace_memsink_get(m, i)->name, name) == 0;
	return n;
}

/* ------------------------------------------------------------ inline-1 */

START_TEST(inline_1_1_mkfs_options)
{
	/* inline-1.1: "-i inline=1" turns the feature on, default off, bad values refused. */
	struct extentfs_mkfs_opts o;
	char err[128];

	ck_assert_int_eq(extentfs_parse_mkfs_opts(NULL, &o, err, sizeof(err)), 0);
	ck_assert(!o.inline_data);
	ck_assert_int_eq(extentfs_parse_mkfs_opts("-b size=1024 -i inline=1", &o, err, sizeof(err)),
			 0);
	ck_assert(o.inline_data);
	ck_assert_uint_eq(o.block_size, 1024);
	ck_assert_int_eq(extentfs_parse_mkfs_opts("-iinline=0", &o, err, sizeof(err)), 0);
	ck_assert(!o.inline_data);
	ck_assert_int_eq(extentfs_parse_mkfs_opts("-i inline=2", &o, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "inline"));
	ck_assert_int_eq(extentfs_parse_mkfs_opts("-i inline", &o, err, sizeof(err)), -EINVAL);
}
END_TEST

/* inline-1.2 table: block sizes by backends. */
static const struct {
	uint32_t bs;
	enum efs_test_bkind bk;
} rt_table[] = {
	{ 512, BK_RAM }, { 1024, BK_RAM }, { 4096, BK_RAM },
	{ 512, BK_FILE }, { 1024, BK_FILE }, { 4096, BK_FILE },
};

START_TEST(inline_1_2_write_100_bytes)
{
	/* inline-1.2: 100 bytes to a new file: one inline extent, identical
	 * after fsync and after a remount, version 2 image, checker accepts. */
	struct backend *b = make_backend(rt_table[_i].bk, IMG_SIZE);
	struct extentfs *fs = mkfs_inline(b, rt_table[_i].bs);
	struct file *f = efs_test_open(fs, "small", O_CREAT | O_RDWR);
	uint8_t data[100];

	efs_test_fill_pat(data, sizeof(data), 1, 0);
	assert_inline(f, 0);
	ck_assert_int_eq(efs_test_bwrite(f, data, sizeof(data), 0), 100);
	assert_inline(f, 100);
	verify_file(f, data, 100);
	/* Nothing of the data area is used: the data lives in the metadata. */
	ck_assert_int_eq(extentfs_fsync(f, 0), 0);
	assert_inline(f, 100);
	efs_test_incore_ok(fs);
	extentfs_close(f);
	fs = efs_test_remount(fs, b);
	ck_assert_uint_eq(sb_version(b), EFS_VERSION);
	f = efs_test_open(fs, "small", O_RDWR);
	assert_inline(f, 100);
	verify_file(f, data, 100);
	extentfs_close(f);
	ck_assert_int_eq(extentfs_unmount(fs), 0);
	efs_test_image_ok(b);
	backend_destroy(b);
}
END_TEST

START_TEST(inline_1_3_default_image_unchanged)
{
	/* inline-1.3: without the option, a 100-byte file is an ordinary one
	 * (one block after fsync) and the image stays version 1. */
	struct backend *b = make_backend(BK_RAM, IMG_SIZE);
	struct extentfs *fs = mkfs_mount_opts(b, "-b size=4096");
	struct file *f = efs_test_open(fs, "small", O_CREAT | O_RDWR);
	struct fiemap_extent ext[8];
	uint8_t data[100];

	efs_test_fill_pat(data, sizeof(data), 2, 0);
	ck_assert_int_eq(efs_test_bwrite(f, data, sizeof(data), 0), 100);
	ck_assert_int_eq(extentfs_fsync(f, 0), 0);
	ck_assert(!efs_inode_is_inline(EFS_I(f->f_inode)));
	ck_assert_uint_eq(fiemap(f, ext), 1);
	ck_assert_uint_eq(ext[0].fe_flags, FIEMAP_EXTENT_LAST);
	ck_assert_uint_eq(ext[0].fe_physical, 0x18000);
	extentfs_close(f);
	fs = efs_test_remount(fs, b);
	ck_assert_uint_eq(sb_version(b), EFS_VERSION_MIN);
	ck_assert_int_eq(extentfs_unmount(fs), 0);
	backend_destroy(b);
}
END_TEST

/* ------------------------------------------------------------ inline-2 */

/* bio_submit events of a cold buffered read of "f" (@len bytes) on @b. */
static size_t cold_read_bios(struct backend *b, const uint8_t *model, size_t len)
{
	struct extentfs *fs = NULL;
	struct trace_sink *m = trace_memsink_new();
	uint8_t buf[256];
	struct file *f;
	size_t n;

	ck_assert_int_eq(extentfs_mount(b, DEV, &fs), 0);
	f = efs_test_open(fs, "f", O_RDWR);
	trace_add_sink(m);
	ck_assert_int_eq(efs_test_bread(f, buf, sizeof(buf), 0), (ssize_t)len);
	trace_remove_sink(m);
	ck_assert_mem_eq(buf, model, len);
	n = count_events(m, "bio_submit");
	trace_sink_free(m);
	extentfs_close(f);
	ck_assert_int_eq(extentfs_unmount(fs), 0);
	return n;
}

START_TEST(inline_2_1_read_does_no_bio)
{
	/* inline-2.1: a cold page cache read of an inline file copies from the
	 * inode (no bio_submit); the same file on a default image needs one. */
	uint8_t data[100];

	efs_test_fill_pat(data, sizeof(data), 3, 0);
	for (int inl = 0; inl <= 1; inl++) {
		struct backend *b = make_backend(BK_RAM, IMG_SIZE);
		struct extentfs *fs = mkfs_mount_opts(b, inl ? "-i inline=1" : "-i inline=0");
		struct file *f = efs_test_open(fs, "f", O_CREAT | O_RDWR);

		ck_assert_int_eq(efs_test_bwrite(f, data, sizeof(data), 0), 100);
		extentfs_close(f);
		ck_assert_int_eq(extentfs_unmount(fs), 0);
		if (inl)
			ck_assert_uint_eq(cold_read_bios(b, data, 100), 0);
		else
			ck_assert_uint_ge(cold_read_bios(b, data, 100), 1);
		efs_test_image_ok(b);
		backend_destroy(b);
	}
}
END_TEST

START_TEST(inline_2_2_writes_and_truncates_within_capacity)
{
	/* inline-2.2: a write past EOF, truncate down and up, O_TRUNC: the file
	 * stays inline, gaps and truncated tails read as zeroes, also after a
	 * remount. */
	struct backend *b = make_backend(BK_FILE, IMG_SIZE);
	struct extentfs *fs = mkfs_inline(b, 4096);
	struct file *f = efs_test_open(fs, "f", O_CREAT | O_RDWR);
	uint8_t model[1024] = { 0 }, tail[50];

	efs_test_fill_pat(model, 100, 4, 0);
	efs_test_fill_pat(tail, sizeof(tail), 5, 500);
	ck_assert_int_eq(efs_test_bwrite(f, model, 100, 0), 100);
	ck_assert_int_eq(efs_test_bwrite(f, tail, sizeof(tail), 500), 50);
	memcpy(model + 500, tail, sizeof(tail));
	assert_inline(f, 550);
	verify_file(f, model, 550);
	/* truncate down into the first write, then up again: zeroes between */
	ck_assert_int_eq(extentfs_setattr_size(f, 60), 0);
	memset(model + 60, 0, sizeof(model) - 60);
	assert_inline(f, 60);
	verify_file(f, model, 60);
	ck_assert_int_eq(extentfs_setattr_size(f, 700), 0);
	assert_inline(f, 700);
	verify_file(f, model, 700);
	/* up to exactly the capacity is still inline */
	ck_assert_int_eq(efs_test_bwrite(f, tail, 24, 1000), 24);
	memcpy(model + 1000, tail, 24);
	assert_inline(f, 1024);
	verify_file(f, model, 1024);
	extentfs_close(f);
	fs = efs_test_remount(fs, b);
	f = efs_test_open(fs, "f", O_RDWR);
	assert_inline(f, 1024);
	verify_file(f, model, 1024);
	extentfs_close(f);
	f = efs_test_open(fs, "f", O_RDWR | O_TRUNC);
	assert_inline(f, 0);
	extentfs_close(f);
	fs = efs_test_remount(fs, b);
	f = efs_test_open(fs, "f", O_RDWR);
	assert_inline(f, 0);
	/* unlinked while open, freed at the last close with its buffers */
	ck_assert_int_eq(efs_test_bwrite(f, tail, 10, 0), 10);
	ck_assert_int_eq(extentfs_unlink(fs, "f"), 0);
	verify_file(f, tail, 10);
	extentfs_close(f);
	fs = efs_test_remount(fs, b);
	ck_assert_int_eq(extentfs_open(fs, "f", O_RDWR, &f), -ENOENT);
	ck_assert_int_eq(extentfs_unmount(fs), 0);
	backend_destroy(b);
}
END_TEST

/* ------------------------------------------------------------ inline-3 */

/* How inline-3.1 grows the file past the capacity. */
enum grow { GROW_BUFFERED, GROW_BUFFERED_FSYNCED, GROW_DIRECT, GROW_TRUNCATE };

START_TEST(inline_3_1_grow_past_capacity)
{
	/* inline-3.1: 100 inline bytes, then a write (buffered, after an fsync
	 * or not; direct) or a truncate past the capacity: the file has blocks,
	 * the first 100 bytes are intact, after fsync and remount too; with
	 * 4 KiB blocks (capacity 1 KiB) and 512-byte blocks (capacity one block). */
	enum grow how = (enum grow)(_i % 4);
	uint32_t bs = _i < 4 ? 4096 : 512;
	struct backend *b = make_backend(how == GROW_DIRECT ? BK_FILE : BK_RAM, IMG_SIZE);
	struct extentfs *fs = mkfs_inline(b, bs);
	struct file *f = efs_test_open(fs, "f", O_CREAT | O_RDWR);
	uint8_t *model = calloc(1, 16 * KiB), *more = aligned_alloc(4096, 8 * KiB);
	loff_t size;

	efs_test_fill_pat(model, 100, 6, 0);
	ck_assert_int_eq(efs_test_bwrite(f, model, 100, 0), 100);
	if (how == GROW_BUFFERED_FSYNCED)
		ck_assert_int_eq(extentfs_fsync(f, 0), 0);
	switch (how) {
	case GROW_BUFFERED:
	case GROW_BUFFERED_FSYNCED:
		efs_test_fill_pat(more, 5000, 7, 100);
		ck_assert_int_eq(efs_test_bwrite(f, more, 5000, 100), 5000);
		memcpy(model + 100, more, 5000);
		size = 5100;
		break;
	case GROW_DIRECT:
		/* sector aligned, past the capacity: converted, then a direct write */
		efs_test_fill_pat(more, 8 * KiB, 8, 4096);
		ck_assert_int_eq(rw(f, true, true, more, 8 * KiB, 4096), 8 * KiB);
		memcpy(model + 4096, more, 8 * KiB);
		size = 12 * KiB;
		break;
	default:
		ck_assert_int_eq(extentfs_setattr_size(f, 10000), 0);
		size = 10000;
		break;
	}
	assert_not_inline(f);
	verify_file(f, model, size);
	efs_test_incore_ok(fs);
	ck_assert_int_eq(extentfs_fsync(f, 0), 0);
	extentfs_close(f);
	fs = efs_test_remount(fs, b);
	f = efs_test_open(fs, "f", O_RDWR);
	assert_not_inline(f);
	ck_assert_uint_ge(EFS_I(f->f_inode)->df.nr, 1);
	verify_file(f, model, size);
	extentfs_close(f);
	ck_assert_int_eq(extentfs_unmount(fs), 0);
	efs_test_image_ok(b);
	free(model);
	free(more);
	backend_destroy(b);
}
END_TEST

/* How inline-3.2 converts. */
enum conv { CONV_FALLOC, CONV_PUNCH, CONV_REFLINK, CONV_MMAP };

START_TEST(inline_3_2_space_ops_convert)
{
	/* inline-3.2: fallocate, a hole punch, a reflink (both files) and a
	 * write fault through a shared mapping convert an inline file first;
	 * the data is intact (and changed as asked) after a remount. */
	enum conv how = (enum conv)_i;
	struct backend *b = make_backend(BK_RAM, IMG_SIZE);
	struct extentfs *fs = mkfs_inline(b, 4096);
	struct file *f = efs_test_open(fs, "f", O_CREAT | O_RDWR), *g = NULL;
	uint8_t model[8192] = { 0 };
	loff_t size = 300;

	efs_test_fill_pat(model, 300, 9, 0);
	ck_assert_int_eq(efs_test_bwrite(f, model, 300, 0), 300);
	switch (how) {
	case CONV_FALLOC:
		ck_assert_int_eq(extentfs_fallocate(f, 0, 0, 8192), 0);
		size = 8192;
		break;
	case CONV_PUNCH:
		ck_assert_int_eq(extentfs_fallocate(f, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
						    10, 20), 0);
		memset(model + 10, 0, 20);
		break;
	case CONV_REFLINK:
		g = efs_test_open(fs, "g", O_CREAT | O_RDWR);
		ck_assert_int_eq(extentfs_remap_range(f, 0, g, 0, 0), 0);
		break;
	default: {
		struct vm_area *vma;

		ck_assert_int_eq(vma_mmap(f, 0, 4096, PROT_READ | PROT_WRITE, &vma), 0);
		ck_assert_uint_eq(vma_write(vma, 40, "mapped", 6), 0);
		memcpy(model + 40, "mapped", 6);
		ck_assert_int_eq(vma_msync(vma, 0, 4096, MS_SYNC), 0);
		vma_munmap(vma);
		break;
	}
	}
	assert_not_inline(f);
	verify_file(f, model, size);
	if (g) {
		assert_not_inline(g);
		verify_file(g, model, size);
		ck_assert(EFS_I(g->f_inode)->diflags & EFS_DIFLAG_REFLINK);
	}
	ck_assert_int_eq(extentfs_fsync(f, 0), 0);
	extentfs_close(f);
	if (g)
		extentfs_close(g);
	fs = efs_test_remount(fs, b);
	f = efs_test_open(fs, "f", O_RDWR);
	assert_not_inline(f);
	verify_file(f, model, size);
	extentfs_close(f);
	if (how == CONV_REFLINK) {
		g = efs_test_open(fs, "g", O_RDWR);
		verify_file(g, model, size);
		extentfs_close(g);
	}
	ck_assert_int_eq(extentfs_unmount(fs), 0);
	efs_test_image_ok(b);
	backend_destroy(b);
}
END_TEST

/* ------------------------------------------------------------ inline-4 */

START_TEST(inline_4_1_direct_io)
{
	/* inline-4.1: O_DIRECT reads of an inline file return its bytes up to
	 * EOF; an O_DIRECT write inside the capacity lands in the inode (the
	 * file stays inline), visible to buffered and direct reads, after
	 * fsync and a remount. */
	struct backend *b = make_backend(BK_RAM, IMG_SIZE);
	struct extentfs *fs = mkfs_inline(b, 4096);
	struct file *f = efs_test_open(fs, "f", O_CREAT | O_RDWR);
	uint8_t *buf = aligned_alloc(4096, 4096), model[1024] = { 0 };

	efs_test_fill_pat(model, 100, 10, 0);
	ck_assert_int_eq(efs_test_bwrite(f, model, 100, 0), 100);
	memset(buf, 0x5c, 4096);
	ck_assert_int_eq(rw(f, false, true, buf, 512, 0), 100);
	ck_assert_mem_eq(buf, model, 100);
	/* a direct write of sectors 1 and 0 (in that order): inline still */
	efs_test_fill_pat(buf, 512, 11, 512);
	ck_assert_int_eq(rw(f, true, true, buf, 512, 512), 512);
	memcpy(model + 512, buf, 512);
	efs_test_fill_pat(buf, 512, 12, 0);
	ck_assert_int_eq(rw(f, true, true, buf, 512, 0), 512);
	memcpy(model, buf, 512);
	assert_inline(f, 1024);
	verify_file(f, model, 1024);
	memset(buf, 0x5c, 4096);
	ck_assert_int_eq(rw(f, false, true, buf, 1024, 0), 1024);
	ck_assert_mem_eq(buf, model, 1024);
	ck_assert_int_eq(extentfs_fsync(f, 0), 0);
	extentfs_close(f);
	fs = efs_test_remount(fs, b);
	f = efs_test_open(fs, "f", O_RDWR);
	assert_inline(f, 1024);
	memset(buf, 0x5c, 4096);
	ck_assert_int_eq(rw(f, false, true, buf, 4096, 0), 1024);
	ck_assert_mem_eq(buf, model, 1024);
	extentfs_close(f);
	ck_assert_int_eq(extentfs_unmount(fs), 0);
	efs_test_image_ok(b);
	free(buf);
	backend_destroy(b);
}
END_TEST

/* ------------------------------------------------------------ inline-5 */

START_TEST(inline_5_1_seek_fibmap_swapon)
{
	/* inline-5.1: SEEK_DATA / SEEK_HOLE see data in [0, 100) and a hole
	 * after; FIBMAP says 0; swapon is refused and the file stays inline. */
	struct backend *b = make_backend(BK_RAM, IMG_SIZE);
	struct extentfs *fs = mkfs_inline(b, 4096);
	struct file *f = efs_test_open(fs, "f", O_CREAT | O_RDWR);
	struct swap_info_struct sis = { 0 };
	uint8_t data[100];
	sector_t span;

	efs_test_fill_pat(data, sizeof(data), 13, 0);
	ck_assert_int_eq(efs_test_bwrite(f, data, sizeof(data), 0), 100);
	ck_assert_int_eq(extentfs_llseek(f, 0, SEEK_DATA), 0);
	ck_assert_int_eq(extentfs_llseek(f, 50, SEEK_DATA), 50);
	ck_assert_int_eq(extentfs_llseek(f, 0, SEEK_HOLE), 100);
	ck_assert_int_eq(extentfs_llseek(f, 99, SEEK_HOLE), 100);
	ck_assert_int_eq(extentfs_llseek(f, 100, SEEK_DATA), -ENXIO);
	ck_assert_int_eq(extentfs_fibmap(f, 0), 0);
	ck_assert_int_eq(extentfs_swapon(f, &sis, &span), -EINVAL);
	ck_assert(!(f->f_inode->i_flags & S_SWAPFILE));
	swap_info_release(&sis);
	assert_inline(f, 100);
	verify_file(f, data, 100);
	efs_test_incore_ok(fs);
	extentfs_close(f);
	ck_assert_int_eq(extentfs_unmount(fs), 0);
	efs_test_image_ok(b);
	backend_destroy(b);
}
END_TEST

/* ------------------------------------------------------------ inline-6 */

START_TEST(inline_6_1_power_cut_during_commit)
{
	/* inline-6.1: A (100 bytes) is durable; B (200 bytes) overwrites it and
	 * fsync commits, with the power cut at write n of that commit, for
	 * every n: the checker accepts the image, the file holds exactly A or
	 * exactly B, and B if the fsync returned 0 before any cut. */
	uint8_t a[100], bb[200], rd[512];

	efs_test_fill_pat(a, sizeof(a), 14, 0);
	efs_test_fill_pat(bb, sizeof(bb), 15, 0);
	for (unsigned n = 0;; n++) {
		struct backend *b = backend_fault_new(make_backend(BK_RAM, 2 * MiB));
		struct extentfs *fs = mkfs_inline(b, 4096);
		struct file *f = efs_test_open(fs, "f", O_CREAT | O_RDWR);
		bool cut, ok;
		loff_t size;

		ck_assert_int_eq(efs_test_bwrite(f, a, sizeof(a), 0), 100);
		ck_assert_int_eq(extentfs_fsync(f, 0), 0);
		fault_arm_power_cut(b, n, 0);
		ck_assert_int_eq(efs_test_bwrite(f, bb, sizeof(bb), 0), 200);
		ok = extentfs_fsync(f, 0) == 0;
		cut = fault_power_is_cut(b);
		extentfs_close(f);
		if (!cut)
			fault_power_cut_now(b);
		extentfs_unmount(fs);
		fault_power_restore(b);
		efs_test_image_ok(b);
		ck_assert_int_eq(extentfs_mount(b, DEV, &fs), 0);
		efs_test_incore_ok(fs);
		f = efs_test_open(fs, "f", O_RDWR);
		ck_assert(efs_inode_is_inline(EFS_I(f->f_inode)));
		size = i_size_read(f->f_inode);
		ck_assert_int_eq(efs_test_bread(f, rd, sizeof(rd), 0), size);
		if (size == 100)
			ck_assert_mem_eq(rd, a, 100);
		else if (size == 200)
			ck_assert_mem_eq(rd, bb, 200);
		else
			ck_abort_msg("size %lld after the cut at write %u", (long long)size, n);
		if (ok && !cut)
			ck_assert_int_eq(size, 200);
		extentfs_close(f);
		ck_assert_int_eq(extentfs_unmount(fs), 0);
		backend_destroy(b);
		if (!cut)
			break;
		ck_assert_uint_lt(n, 64);
	}
}
END_TEST

/* Rewrite the current superblock (slot 0 after one commit) with @fn applied. */
static void patch_sb(struct backend *b, void (*fn)(struct efs_dsb *sb))
{
	uint8_t *buf = aligned_alloc(4096, 4096);
	struct efs_dsb sb;

	ck_assert_ptr_nonnull(buf);
	for (unsigned slot = 0; slot < 2; slot++) {
		ck_assert_int_eq(backend_rw_sync(b, BACKEND_READ, slot * 4096, buf, 4096, 0), 0);
		if (!efs_sb_decode(buf, &sb))
			continue;
		fn(&sb);
		efs_sb_encode(&sb, buf);
		ck_assert_int_eq(backend_rw_sync(b, BACKEND_WRITE, slot * 4096, buf, 4096, 0), 0);
	}
	free(buf);
}

static void drop_feature(struct efs_dsb *sb)
{
	sb->features &= ~EFS_FEAT_INLINE_DATA;
	sb->version = EFS_VERSION_MIN;
}

static void old_version(struct efs_dsb *sb)
{
	sb->version = EFS_VERSION_MIN;
}

static void future_version(struct efs_dsb *sb)
{
	sb->version = EFS_VERSION + 1;
}

START_TEST(inline_6_2_checker_rejects)
{
	/* inline-6.2: an inline inode on an image without the feature, the
	 * feature in a version 1 superblock, and an unknown version are each
	 * refused by the checker and by mount. */
	void (*const patches[])(struct efs_dsb *) = { drop_feature, old_version, future_version };
	static const char *const why[] = { "no inline feature", "need version 2",
					   "unknown version" };

	for (size_t i = 0; i < ARRAY_SIZE(patches); i++) {
		struct backend *b = make_backend(BK_RAM, IMG_SIZE);
		struct extentfs *fs = mkfs_inline(b, 4096);
		struct file *f = efs_test_open(fs, "f", O_CREAT | O_RDWR);
		char *text = NULL;
		size_t tlen = 0;
		FILE *out;

		ck_assert_int_eq(efs_test_bwrite(f, "inline", 6, 0), 6);
		extentfs_close(f);
		ck_assert_int_eq(extentfs_unmount(fs), 0);
		efs_test_image_ok(b);
		patch_sb(b, patches[i]);
		out = open_memstream(&text, &tlen);
		ck_assert_int_eq(extentfs_check(b, out), -EUCLEAN);
		fclose(out);
		if (!strstr(text, why[i]))
			ck_abort_msg("patch %zu: checker said \"%s\"", i, text);
		free(text);
		fs = NULL;
		ck_assert_int_eq(extentfs_mount(b, DEV, &fs), -EUCLEAN);
		backend_destroy(b);
	}
}
END_TEST

static Suite *inline_suite(void)
{
	Suite *s = suite_create("extentfs-inline");
	TCase *tc;

	tc = tcase_create("inline-1 format");
	tcase_add_test(tc, inline_1_1_mkfs_options);
	tcase_add_loop_test(tc, inline_1_2_write_100_bytes, 0, ARRAY_SIZE(rt_table));
	tcase_add_test(tc, inline_1_3_default_image_unchanged);
	suite_add_tcase(s, tc);
	tc = tcase_create("inline-2 page cache");
	tcase_add_test(tc, inline_2_1_read_does_no_bio);
	tcase_add_test(tc, inline_2_2_writes_and_truncates_within_capacity);
	suite_add_tcase(s, tc);
	tc = tcase_create("inline-3 conversion");
	tcase_add_loop_test(tc, inline_3_1_grow_past_capacity, 0, 8);
	tcase_add_loop_test(tc, inline_3_2_space_ops_convert, CONV_FALLOC, CONV_MMAP + 1);
	suite_add_tcase(s, tc);
	tc = tcase_create("inline-4 direct I/O");
	tcase_add_test(tc, inline_4_1_direct_io);
	suite_add_tcase(s, tc);
	tc = tcase_create("inline-5 seek, fibmap, swapon");
	tcase_add_test(tc, inline_5_1_seek_fibmap_swapon);
	suite_add_tcase(s, tc);
	tc = tcase_create("inline-6 crash safety and the checker");
	tcase_add_test(tc, inline_6_1_power_cut_during_commit);
	tcase_add_test(tc, inline_6_2_checker_rejects);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(inline_suite());
}
