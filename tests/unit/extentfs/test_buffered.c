/**
 * @file test_buffered.c
 * @brief Check suite of extentfs buffered I/O: the page cache entry points
 *        of file.c, delayed allocation and the buffered iomap_ops of
 *        iomap.c, the writeback ops and completion work of aops.c.
 *
 * Areas (test IDs):
 *   efs-buf-1.*  round trips at boundaries (block - 1, block, block + 1,
 *                folio edges, EOF) for 512 B, 1 KiB and 4 KiB blocks over
 *                the ram and file backends, read through the page cache,
 *                then again after a remount (from the device)
 *   efs-buf-2.*  delayed allocation: DELALLOC after the write (nothing
 *                allocated, counted in delalloc_blocks), one contiguous
 *                written extent at 0x18000 after fsync; EOF gap zeroing with
 *                1 KiB blocks (scenario 03)
 *   efs-buf-3.*  durability: fsync then a power cut keeps the data; a power
 *                cut at every write of a buffered scenario leaves an image
 *                the checker accepts with all data of the last fsync
 *   efs-buf-4.*  ENOSPC is reported by write(2), never by writeback
 *   efs-buf-5.*  EIO on a writeback bio: fsync says -EIO once, then 0; the
 *                blocks stay UNWRITTEN (read as zeroes), other data intact
 *   efs-buf-6.*  short write (the caller's memory faults): the delayed
 *                allocation past the written bytes is punched
 *   efs-buf-7.*  validity cookie: a map change between ->iomap_begin and the
 *                folio lock makes iomap look the mapping up again
 *   efs-buf-8.*  truncate: the tail of the EOF block reads as zeroes;
 *                truncate and unlink drop reservations
 *   efs-buf-9.*  copy-on-write of shared blocks (reflink): a cowextsize COW
 *                fork reservation at write time, remap at completion, data
 *                and refcounts of source and clone after fsync and remount,
 *                staging free on disk and freed by truncate; unshare of a
 *                range with and without dirty data
 *   efs-buf-10.* truncate and punch of large folios
 *   efs-buf-11.* direct writes over COW staging: a direct write that is
 *                part copy-on-write, part in place over the unwritten
 *                cowextsize padding of a buffered copy-on-write, keeps the
 *                in-place blocks (only written staging is remapped)
 *
 * Every test ends with efs_check_incore() == 0 and, where it unmounts,
 * extentfs_check() == 0 on the image.  The device is filled with 0xAA
 * before mkfs, so stale data would show as 0xAA.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../testutil.h"
#include "samples/extentfs/extentfs_priv.h"
#include "efs-test.h"

/* ------------------------------------------------------------- helpers */

static struct backend *make_backend(enum efs_test_bkind k, uint64_t size)
{
	return efs_test_backend(k, size, SECTOR, "efs-buf");
}

/* The whole file read through the page cache equals @model[0, size); EOF reads 0. */
static void verify_file(struct file *f, const uint8_t *model, loff_t size)
{
	efs_test_verify_file(f, model, size, true);
}

static struct extentfs_bmap_rec *bmap_at(struct file *f, loff_t off, struct extentfs_bmap_rec *out)
{
	struct extentfs_bmap_rec *r;
	size_t n;
	bool found = false;

	ck_assert_int_eq(extentfs_getbmap(f, &r, &n), 0);
	for (size_t i = 0; i < n; i++)
		if (off >= r[i].offset && (uint64_t)(off - r[i].offset) < r[i].length) {
			*out = r[i];
			found = true;
		}
	free(r);
	return found ? out : NULL;
}

static bool any_delalloc_from(struct file *f, loff_t from)
{
	struct extentfs_bmap_rec *r;
	size_t n;
	bool found = false;

	ck_assert_int_eq(extentfs_getbmap(f, &r, &n), 0);
	for (size_t i = 0; i < n; i++)
		if (r[i].delalloc && r[i].offset + (loff_t)r[i].length > from)
			found = true;
	free(r);
	return found;
}

/* ------------------------------------------------------------ efs-buf-1 */

static const struct {
	uint32_t bs;
	enum efs_test_bkind k;
} rt_table[] = {
	{ 512, BK_RAM }, { 1024, BK_RAM }, { 4096, BK_RAM },
	{ 512, BK_FILE }, { 1024, BK_FILE }, { 4096, BK_FILE },
};

START_TEST(efs_buf_1_1_round_trip)
{
	/* efs-buf-1.1: writes at block - 1, block, block + 1, folio edges and
	 * EOF, overlapping each other, read back through the page cache, then
	 * after fsync, then after a remount. */
	uint32_t bs = rt_table[_i].bs;
	struct backend *b = make_backend(rt_table[_i].k, IMG_SIZE);
	struct extentfs *fs = efs_test_mkfs(b, bs);
	struct file *f = efs_test_open(fs, "f", O_CREAT | O_RDWR);
	const loff_t L = 256 * KiB;
	uint8_t *model = calloc(1, (size_t)L), *buf = malloc((size_t)L);
	loff_t size = 0;
	const struct {
		loff_t off;
		size_t len;
	} w[] = {
		{ (loff_t)bs - 1, 3 },     { (loff_t)bs, 1 },        { (loff_t)bs + 1, bs },
		{ 4096 - 1, 2 },           { 16 * KiB - 7, 30 },      { 64 * KiB - 1, 4097 },
		{ 100 * KiB + 3, 70000 },  { 0, 5 },                  { 170 * KiB, 1 },
		{ 8 * KiB, 64 * KiB },     { 169 * KiB + 1023, 1024 },
	};

	for (unsigned i = 0; i < ARRAY_SIZE(w); i++) {
		efs_test_fill_pat(buf, w[i].len, i + 1, w[i].off);
		ck_assert_int_eq(efs_test_bwrite(f, buf, w[i].len, w[i].off), (ssize_t)w[i].len);
		memcpy(model + w[i].off, buf, w[i].len);
		if (w[i].off + (loff_t)w[i].len > size)
			size = w[i].off + (loff_t)w[i].len;
		ck_assert_int_eq(i_size_read(f->f_inode), size);
	}
	verify_file(f, model, size);
	efs_test_incore_ok(fs);
	ck_assert_int_eq(extentfs_fsync(f, 0), 0);
	ck_assert_uint_eq(fs->delalloc_blocks, 0);
	verify_file(f, model, size);
	extentfs_close(f);
	fs = efs_test_remount(fs, b);
	f = efs_test_open(fs, "f", O_RDWR);
	verify_file(f, model, size);
	extentfs_close(f);
	ck_assert_int_eq(extentfs_unmount(fs), 0);
	efs_test_image_ok(b);
	free(model);
	free(buf);
	backend_destroy(b);
}
END_TEST

/* ------------------------------------------------------------ efs-buf-2 */

START_TEST(efs_buf_2_1_delalloc_then_written)
{
	/* efs-buf-2.1: sixteen 4 KiB writes are one delayed allocation of 16
	 * blocks (nothing taken from free space); fsync converts it whole into
	 * ONE written extent at 0x18000 (scenarios 01/02), nothing promised
	 * any more, and the inode is clean. */
	struct backend *b = make_backend(BK_RAM, IMG_SIZE);
	struct extentfs *fs = efs_test_mkfs(b, 4096);
	struct file *f = efs_test_open(fs, "f", O_CREAT | O_RDWR);
	uint8_t *buf = malloc(64 * KiB);
	struct extentfs_bmap_rec r;
	uint64_t free_before = fs->free.total;

	efs_test_fill_pat(buf, 64 * KiB, 1, 0);
	for (int i = 0; i < 16; i++)
		ck_assert_int_eq(efs_test_bwrite(f, buf + i * 4096, 4096, i * 4096), 4096);
	ck_assert_ptr_nonnull(bmap_at(f, 0, &r));
	ck_assert(r.delalloc);
	ck_assert_int_eq(r.length, 64 * KiB);
	ck_assert_int_eq(r.addr, -1);
	ck_assert_uint_eq(fs->delalloc_blocks, 16);
	ck_assert_uint_eq(fs->free.total, free_before);
	efs_test_incore_ok(fs);

	ck_assert_int_eq(extentfs_fsync(f, 0), 0);
	ck_assert_ptr_nonnull(bmap_at(f, 0, &r));
	ck_assert(!r.delalloc);
	ck_assert(!r.unwritten);
	ck_assert_int_eq(r.addr, 0x18000);
	ck_assert_int_eq(r.length, 64 * KiB);
	ck_assert_uint_eq(fs->delalloc_blocks, 0);
	ck_assert(!efs_inode_meta_dirty(EFS_I(f->f_inode)));
	ck_assert_int_eq(EFS_I(f->f_inode)->disk_size, 64 * KiB);
	efs_test_incore_ok(fs);
	extentfs_close(f);
	fs = efs_test_remount(fs, b);
	f = efs_test_open(fs, "f", O_RDWR);
	verify_file(f, buf, 64 * KiB);
	extentfs_close(f);
	ck_assert_int_eq(extentfs_unmount(fs), 0);
	free(buf);
	backend_destroy(b);
}
END_TEST

START_TEST(efs_buf_2_2_subblock_gap_zeroing)
{
	/* efs-buf-2.2: scenario 03 with 1 KiB blocks over garbage: writes at
	 * 1024 and 3072 leave [0,1024) and [2048,3072) reading as zeroes, in
	 * the page cache and from the device after a remount. */
	struct backend *b = make_backend(BK_FILE, IMG_SIZE);
	struct extentfs *fs = efs_test_mkfs(b, 1024);
	struct file *f = efs_test_open(fs, "f", O_CREAT | O_RDWR);
	uint8_t model[3584] = { 0 };

	memset(model + 1024, 0x22, 1024);
	memset(model + 3072, 0x33, 512);
	ck_assert_int_eq(efs_test_bwrite(f, model + 1024, 1024, 1024), 1024);
	ck_assert_int_eq(efs_test_bwrite(f, model + 3072, 512, 3072), 512);
	verify_file(f, model, sizeof(model));
	ck_assert_int_eq(extentfs_fsync(f, 0), 0);
	verify_file(f, model, sizeof(model));
	extentfs_close(f);
	fs = efs_test_remount(fs, b);
	f = efs_test_open(fs, "f", O_RDWR);
	verify_file(f, model, sizeof(model));
	extentfs_close(f);
	ck_assert_int_eq(extentfs_unmount(fs), 0);
	backend_destroy(b);
}
END_TEST

/* ------------------------------------------------------------ efs-buf-3 */

START_TEST(efs_buf_3_1_fsync_survives_power_cut)
{
	/* efs-buf-3.1: data fsync'ed survives a power cut; data written after
	 * the fsync may be lost, but never shows garbage, and the image is
	 * consistent. */
	struct backend *b = backend_fault_new(make_backend(BK_RAM, IMG_SIZE));
	struct extentfs *fs = efs_test_mkfs(b, 4096);
	struct file *f = efs_test_open(fs, "f", O_CREAT | O_RDWR);
	uint8_t *a = malloc(96 * KiB), *rd = malloc(200 * KiB);
	loff_t size;

	efs_test_fill_pat(a, 96 * KiB, 5, 0);
	ck_assert_int_eq(efs_test_bwrite(f, a, 40 * KiB, 0), 40 * KiB);
	ck_assert_int_eq(extentfs_fsync(f, 0), 0);
	ck_assert_int_eq(efs_test_bwrite(f, a + 40 * KiB, 56 * KiB, 40 * KiB), 56 * KiB);
	extentfs_close(f);
	/* With the power cut, unmount's writes fail: the mounted state is lost. */
	fault_power_cut_now(b);
	extentfs_unmount(fs);
	fault_power_restore(b);
	efs_test_image_ok(b);
	ck_assert_int_eq(extentfs_mount(b, DEV, &fs), 0);
	efs_test_incore_ok(fs);
	f = efs_test_open(fs, "f", O_RDWR);
	size = i_size_read(f->f_inode);
	ck_assert_int_ge(size, 40 * KiB);
	ck_assert_int_eq(efs_test_bread(f, rd, 200 * KiB, 0), size);
	ck_assert_mem_eq(rd, a, 40 * KiB);
	for (loff_t k = 40 * KiB; k < size; k++)
		ck_assert(rd[k] == a[k] || rd[k] == 0);
	extentfs_close(f);
	ck_assert_int_eq(extentfs_unmount(fs), 0);
	free(a);
	free(rd);
	backend_destroy(b);
}
END_TEST

START_TEST(efs_buf_3_2_power_cut_every_write)
{
	/* efs-buf-3.2: a scenario (write A, fsync, overwrite part of A and
	 * append B, fsync) with the power cut at write request n, for every n
	 * until the scenario completes: the image is accepted, A is there
	 * (old or new bytes where overwritten, nothing else), and if the
	 * second fsync returned 0, everything is there. */
	uint8_t *a = malloc(64 * KiB), *a2 = malloc(64 * KiB), *rd = malloc(256 * KiB);

	efs_test_fill_pat(a, 64 * KiB, 1, 0);
	efs_test_fill_pat(a2, 64 * KiB, 2, 0);
	for (unsigned n = 0;; n++) {
		struct backend *b = backend_fault_new(make_backend(BK_RAM, 2 * MiB));
		struct extentfs *fs = efs_test_mkfs(b, 4096);
		struct file *f = efs_test_open(fs, "f", O_CREAT | O_RDWR);
		bool cut, second_ok;
		loff_t size;

		ck_assert_int_eq(efs_test_bwrite(f, a, 48 * KiB, 0), 48 * KiB);
		ck_assert_int_eq(extentfs_fsync(f, 0), 0);
		fault_arm_power_cut(b, n, 0);
		efs_test_bwrite(f, a2 + 8 * KiB, 8 * KiB, 8 * KiB);
		efs_test_bwrite(f, a2 + 48 * KiB, 16 * KiB, 48 * KiB);
		second_ok = extentfs_fsync(f, 0) == 0;
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
		size = i_size_read(f->f_inode);
		ck_assert_int_ge(size, 48 * KiB);
		ck_assert_int_eq(efs_test_bread(f, rd, 256 * KiB, 0), size);
		for (loff_t k = 0; k < size; k++) {
			bool over = k >= 8 * KiB && k < 16 * KiB;
			uint8_t want = k < 48 * KiB ? a[k] : a2[k];

			if (second_ok && !cut)
				ck_assert_uint_eq(rd[k], (over || k >= 48 * KiB) ? a2[k] : a[k]);
			else if (k < 48 * KiB)
				ck_assert(rd[k] == want || (over && rd[k] == a2[k]));
			else
				ck_assert(rd[k] == want || rd[k] == 0);
		}
		if (second_ok && !cut)
			ck_assert_int_eq(size, 64 * KiB);
		extentfs_close(f);
		ck_assert_int_eq(extentfs_unmount(fs), 0);
		backend_destroy(b);
		if (!cut)
			break; /* n passed the last write: every point was tried */
		ck_assert_uint_lt(n, 200);
	}
	free(a);
	free(a2);
	free(rd);
}
END_TEST

/* ------------------------------------------------------------ efs-buf-4 */

START_TEST(efs_buf_4_1_enospc_at_write_time)
{
	/* efs-buf-4.1: on a small filesystem, buffered writes fail with
	 * -ENOSPC (or come back short) once the promises cover the free space;
	 * writeback of everything accepted then succeeds, and it is all there
	 * after a remount. */
	struct backend *b = make_backend(BK_RAM, 1 * MiB);
	struct extentfs *fs = efs_test_mkfs(b, 4096);
	struct file *f = efs_test_open(fs, "f", O_CREAT | O_RDWR);
	uint8_t *buf = malloc(2 * MiB);
	loff_t pos = 0;
	ssize_t ret;

	efs_test_fill_pat(buf, 2 * MiB, 9, 0);
	for (;;) {
		ret = efs_test_bwrite(f, buf + pos, 16 * KiB, pos);
		if (ret <= 0)
			break;
		pos += ret;
		ck_assert_int_lt(pos, 1 * MiB);
	}
	ck_assert_int_eq(ret, -ENOSPC);
	ck_assert_int_gt(pos, 0);
	efs_test_incore_ok(fs);
	ck_assert_int_eq(extentfs_fsync(f, 0), 0);
	ck_assert_uint_eq(fs->delalloc_blocks, 0);
	verify_file(f, buf, pos);
	extentfs_close(f);
	fs = efs_test_remount(fs, b);
	f = efs_test_open(fs, "f", O_RDWR);
	verify_file(f, buf, pos);
	extentfs_close(f);
	ck_assert_int_eq(extentfs_unmount(fs), 0);
	free(buf);
	backend_destroy(b);
}
END_TEST

/* ------------------------------------------------------------ efs-buf-5 */

START_TEST(efs_buf_5_1_writeback_eio)
{
	/* efs-buf-5.1: EIO on the writeback bio of appended data: fsync returns
	 * -EIO once, then 0; the folio is clean; the blocks stay UNWRITTEN so
	 * they read as zeroes after the page cache is gone; the data fsync'ed
	 * before is intact; the checker is happy. */
	struct backend *b = backend_fault_new(make_backend(BK_RAM, IMG_SIZE));
	struct extentfs *fs = efs_test_mkfs(b, 4096);
	struct file *f = efs_test_open(fs, "f", O_CREAT | O_RDWR);
	uint8_t *a = malloc(80 * KiB), *rd = malloc(80 * KiB);
	struct extentfs_bmap_rec r;

	efs_test_fill_pat(a, 80 * KiB, 3, 0);
	ck_assert_int_eq(efs_test_bwrite(f, a, 64 * KiB, 0), 64 * KiB);
	ck_assert_int_eq(extentfs_fsync(f, 0), 0);
	ck_assert_int_eq(efs_test_bwrite(f, a + 64 * KiB, 16 * KiB, 64 * KiB), 16 * KiB);
	fault_set_eio(b, BACKEND_WRITE, FAULT_ONCE, 0);
	ck_assert_int_eq(extentfs_fsync(f, 0), -EIO);
	fault_set_eio(b, BACKEND_WRITE, FAULT_NONE, 0);
	ck_assert_int_eq(extentfs_fsync(f, 0), 0);
	ck_assert(!filemap_range_needs_writeback(f->f_inode->i_mapping, 0, INT64_MAX));
	ck_assert_ptr_nonnull(bmap_at(f, 64 * KiB, &r));
	ck_assert(r.unwritten);
	ck_assert_uint_eq(fs->delalloc_blocks, 0);
	efs_test_incore_ok(fs);
	extentfs_close(f);
	fs = efs_test_remount(fs, b);
	f = efs_test_open(fs, "f", O_RDWR);
	ck_assert_int_ge(i_size_read(f->f_inode), 64 * KiB);
	ck_assert_int_eq(efs_test_bread(f, rd, 64 * KiB, 0), 64 * KiB);
	ck_assert_mem_eq(rd, a, 64 * KiB);
	extentfs_close(f);
	ck_assert_int_eq(extentfs_unmount(fs), 0);
	free(a);
	free(rd);
	backend_destroy(b);
}
END_TEST

/* ------------------------------------------------------------ efs-buf-6 */

START_TEST(efs_buf_6_1_short_write_punches)
{
	/* efs-buf-6.1: a 32 KiB write whose memory faults after 5000 bytes is
	 * short; no delayed allocation remains past the bytes written, and
	 * the promises match the blocks that hold data. */
	struct backend *b = make_backend(BK_RAM, IMG_SIZE);
	struct extentfs *fs = efs_test_mkfs(b, 4096);
	struct file *f = efs_test_open(fs, "f", O_CREAT | O_RDWR);
	uint8_t *buf = malloc(32 * KiB);
	ssize_t ret;

	efs_test_fill_pat(buf, 32 * KiB, 4, 0);
	ret = efs_test_rw(f, true, buf, 32 * KiB, 0, 0, 0, 5000);
	ck_assert_int_gt(ret, 0);
	ck_assert_int_le(ret, 5000);
	ck_assert_int_eq(i_size_read(f->f_inode), ret);
	ck_assert(!any_delalloc_from(f, (ret + 4095) & ~4095ll));
	ck_assert_uint_eq(fs->delalloc_blocks, (uint64_t)(ret + 4095) / 4096);
	efs_test_incore_ok(fs);
	verify_file(f, buf, ret);
	ck_assert_int_eq(extentfs_fsync(f, 0), 0);
	ck_assert_uint_eq(fs->delalloc_blocks, 0);
	extentfs_close(f);
	fs = efs_test_remount(fs, b);
	f = efs_test_open(fs, "f", O_RDWR);
	verify_file(f, buf, ret);
	extentfs_close(f);
	ck_assert_int_eq(extentfs_unmount(fs), 0);
	free(buf);
	backend_destroy(b);
}
END_TEST

/* ------------------------------------------------------------ efs-buf-7 */

static int hook_calls, hook_bumps_left;

static void bump_once_hook(struct inode *inode, const struct iomap *iomap)
{
	struct efs_inode *ei = EFS_I(inode);

	(void)iomap;
	hook_calls++;
	if (hook_bumps_left > 0) {
		hook_bumps_left--;
		down_write(&ei->ilock);
		ei->mapping_seq++;
		up_write(&ei->ilock);
	}
}

START_TEST(efs_buf_7_1_stale_mapping_relookup)
{
	/* efs-buf-7.1: one 4 KiB write normally maps once; when the map changes
	 * between ->iomap_begin and the folio lock, ->iomap_valid says stale
	 * and iomap maps again — two ->iomap_begin calls — and the data is
	 * right either way. */
	struct backend *b = make_backend(BK_RAM, IMG_SIZE);
	struct extentfs *fs = efs_test_mkfs(b, 4096);
	struct file *f = efs_test_open(fs, "f", O_CREAT | O_RDWR);
	uint8_t buf[8192];

	efs_test_fill_pat(buf, sizeof(buf), 6, 0);
	extentfs_test_write_begin_hook = bump_once_hook;
	hook_calls = 0;
	hook_bumps_left = 0;
	ck_assert_int_eq(efs_test_bwrite(f, buf, 4096, 0), 4096);
	ck_assert_int_eq(hook_calls, 1);
	hook_calls = 0;
	hook_bumps_left = 1;
	ck_assert_int_eq(efs_test_bwrite(f, buf + 4096, 4096, 4096), 4096);
	extentfs_test_write_begin_hook = NULL;
	ck_assert_int_eq(hook_calls, 2);
	verify_file(f, buf, 8192);
	efs_test_incore_ok(fs);
	ck_assert_int_eq(extentfs_fsync(f, 0), 0);
	extentfs_close(f);
	fs = efs_test_remount(fs, b);
	f = efs_test_open(fs, "f", O_RDWR);
	verify_file(f, buf, 8192);
	extentfs_close(f);
	ck_assert_int_eq(extentfs_unmount(fs), 0);
	backend_destroy(b);
}
END_TEST

/* ------------------------------------------------------------ efs-buf-8 */

START_TEST(efs_buf_8_1_truncate_zeroes_tail)
{
	/* efs-buf-8.1: truncate to mid-block then extend: the bytes between
	 * read as zeroes, both from the cache and after a remount; truncate
	 * of dirty, never written data drops its promises; unlink of a file
	 * with dirty data leaves nothing promised. */
	struct backend *b = make_backend(BK_FILE, IMG_SIZE);
	struct extentfs *fs = efs_test_mkfs(b, 1024);
	struct file *f = efs_test_open(fs, "f", O_CREAT | O_RDWR), *g;
	uint8_t model[16384];

	efs_test_fill_pat(model, sizeof(model), 8, 0);
	ck_assert_int_eq(efs_test_bwrite(f, model, 8192, 0), 8192);
	ck_assert_int_eq(extentfs_fsync(f, 0), 0);
	ck_assert_int_eq(extentfs_setattr_size(f, 5000), 0);
	ck_assert_int_eq(extentfs_setattr_size(f, 8192), 0);
	memset(model + 5000, 0, 8192 - 5000);
	verify_file(f, model, 8192);
	/* Dirty delalloc beyond the new EOF is given back. */
	ck_assert_int_eq(efs_test_bwrite(f, model + 8192, 8192, 8192), 8192);
	ck_assert_uint_eq(fs->delalloc_blocks, 8);
	ck_assert_int_eq(extentfs_setattr_size(f, 8192), 0);
	ck_assert_uint_eq(fs->delalloc_blocks, 0);
	efs_test_incore_ok(fs);
	g = efs_test_open(fs, "g", O_CREAT | O_RDWR);
	ck_assert_int_eq(efs_test_bwrite(g, model, 4096, 0), 4096);
	ck_assert_uint_eq(fs->delalloc_blocks, 4);
	ck_assert_int_eq(extentfs_unlink(fs, "g"), 0);
	extentfs_close(g);
	ck_assert_uint_eq(fs->delalloc_blocks, 0);
	efs_test_incore_ok(fs);
	extentfs_close(f);
	fs = efs_test_remount(fs, b);
	f = efs_test_open(fs, "f", O_RDWR);
	verify_file(f, model, 8192);
	extentfs_close(f);
	ck_assert_int_eq(extentfs_unmount(fs), 0);
	backend_destroy(b);
}
END_TEST

/* ------------------------------------------------------------ efs-buf-9 */

static int64_t addr_of(struct file *f, loff_t off)
{
	struct extentfs_bmap_rec r;

	ck_assert_ptr_nonnull(bmap_at(f, off, &r));
	return r.addr < 0 ? -1 : r.addr + (off - r.offset);
}

/* COW fork blocks of @f: staged (real) and reserved (delayed allocation). */
static void cow_of(struct file *f, uint64_t *real, uint64_t *delay)
{
	struct efs_inode *ei = EFS_I(f->f_inode);

	*real = *delay = 0;
	down_read(&ei->ilock);
	for (size_t i = 0; i < ei->cf.nr; i++) {
		if (ei->cf.v[i].dblock == EFS_DELAYSTARTBLOCK)
			*delay += ei->cf.v[i].len;
		else
			*real += ei->cf.v[i].len;
	}
	up_read(&ei->ilock);
}

/* a = 64 KiB of pattern 1 (written, fsync'ed), b = a clone of it. */
static void make_clone(struct extentfs *fs, struct file **fa, struct file **fb, uint8_t *model)
{
	efs_test_fill_pat(model, 64 * KiB, 1, 0);
	*fa = efs_test_open(fs, "a", O_CREAT | O_RDWR);
	*fb = efs_test_open(fs, "b", O_CREAT | O_RDWR);
	ck_assert_int_eq(efs_test_bwrite(*fa, model, 64 * KiB, 0), 64 * KiB);
	ck_assert_int_eq(extentfs_fsync(*fa, 0), 0);
	ck_assert_int_eq(extentfs_remap_range(*fa, 0, *fb, 0, 0), 0);
	for (loff_t o = 0; o < 64 * KiB; o += 4 * KiB)
		ck_assert_int_eq(addr_of(*fb, o), addr_of(*fa, o));
}

START_TEST(efs_buf_9_1_cow_write_fsync_remount)
{
	/* efs-buf-9.1: a buffered write into shared blocks reserves a
	 * cowextsize (32 blocks) delayed allocation in the COW fork and leaves
	 * the shared blocks alone; fsync copies on write: only the written
	 * blocks move, the source keeps its data and loses one reference;
	 * staging past EOF is freed by truncate; after a remount both
	 * files read right and the image is consistent. */
	struct backend *b = make_backend(BK_RAM, IMG_SIZE);
	struct extentfs *fs = efs_test_mkfs(b, 4096);
	uint8_t *ma = malloc(64 * KiB), *mb = malloc(64 * KiB), *w = malloc(8 * KiB);
	struct file *fa, *fb;
	int64_t old1, old3;
	uint64_t real, delay, before;

	make_clone(fs, &fa, &fb, ma);
	memcpy(mb, ma, 64 * KiB);
	old1 = addr_of(fb, 4 * KiB);
	old3 = addr_of(fb, 12 * KiB);
	/* Partial blocks: iomap must read the rest from the shared source. */
	efs_test_fill_pat(w, 8 * KiB, 2, 0);
	ck_assert_int_eq(efs_test_bwrite(fb, w, 1000, 5000), 1000);
	ck_assert_int_eq(efs_test_bwrite(fb, w + 1000, 3000, 13000), 3000);
	memcpy(mb + 5000, w, 1000);
	memcpy(mb + 13000, w + 1000, 3000);
	cow_of(fb, &real, &delay);
	ck_assert_uint_eq(real, 0);
	ck_assert_uint_eq(delay, 32);
	ck_assert_uint_eq(fs->delalloc_blocks, 32);
	ck_assert_int_eq(addr_of(fb, 4 * KiB), old1);
	efs_test_incore_ok(fs);
	verify_file(fb, mb, 64 * KiB);

	ck_assert_int_eq(extentfs_fsync(fb, 0), 0);
	ck_assert_int_ne(addr_of(fb, 4 * KiB), old1);
	ck_assert_int_ne(addr_of(fb, 12 * KiB), old3);
	ck_assert_int_eq(addr_of(fb, 8 * KiB), addr_of(fa, 8 * KiB));
	ck_assert_int_eq(addr_of(fb, 0), addr_of(fa, 0));
	ck_assert_uint_eq(efs_test_refcount(fs, old1), 1);
	ck_assert_uint_eq(efs_test_refcount(fs, old3), 1);
	ck_assert_uint_eq(efs_test_refcount(fs, addr_of(fa, 8 * KiB)), 2);
	ck_assert_uint_eq(efs_test_refcount(fs, addr_of(fb, 4 * KiB)), 1);
	cow_of(fb, &real, &delay);
	ck_assert_uint_eq(delay, 0);
	ck_assert_uint_eq(real, 30);
	ck_assert_uint_eq(fs->delalloc_blocks, 0);
	verify_file(fa, ma, 64 * KiB);
	verify_file(fb, mb, 64 * KiB);
	efs_test_incore_ok(fs);

	/* Truncate gives the staging past the new EOF back (the 16 blocks of
	 * the 128 KiB reservation beyond the 64 KiB file). */
	before = efs_test_free_blocks(fs);
	ck_assert_int_eq(extentfs_setattr_size(fb, 64 * KiB + 1), 0);
	ck_assert_int_eq(extentfs_setattr_size(fb, 64 * KiB), 0);
	cow_of(fb, &real, &delay);
	ck_assert_uint_eq(real, 14);
	ck_assert_uint_eq(delay, 0);
	ck_assert_uint_eq(efs_test_free_blocks(fs), before + 16);
	extentfs_close(fa);
	extentfs_close(fb);

	fs = efs_test_remount(fs, b);
	fa = efs_test_open(fs, "a", O_RDWR);
	fb = efs_test_open(fs, "b", O_RDWR);
	verify_file(fa, ma, 64 * KiB);
	verify_file(fb, mb, 64 * KiB);
	ck_assert_uint_eq(efs_test_refcount(fs, addr_of(fa, 4 * KiB)), 1);
	ck_assert_uint_eq(efs_test_refcount(fs, addr_of(fa, 8 * KiB)), 2);
	extentfs_close(fa);
	extentfs_close(fb);
	ck_assert_int_eq(extentfs_unmount(fs), 0);
	efs_test_image_ok(b);
	free(ma);
	free(mb);
	free(w);
	backend_destroy(b);
}
END_TEST

START_TEST(efs_buf_9_2_staging_free_on_disk)
{
	/* efs-buf-9.2: COW staging left after writeback is never committed as
	 * used: a power cut (or unmount) leaves it free, the image checks,
	 * and the fsync'ed copy-on-write data is there. */
	struct backend *b = backend_fault_new(make_backend(BK_RAM, IMG_SIZE));
	struct extentfs *fs = efs_test_mkfs(b, 4096);
	uint8_t *ma = malloc(64 * KiB), *mb = malloc(64 * KiB);
	struct file *fa, *fb;
	uint64_t real, delay, free_before;

	make_clone(fs, &fa, &fb, ma);
	memcpy(mb, ma, 64 * KiB);
	memset(mb + 40 * KiB, 0x77, 4 * KiB);
	ck_assert_int_eq(efs_test_bwrite(fb, mb + 40 * KiB, 4 * KiB, 40 * KiB), 4 * KiB);
	ck_assert_int_eq(extentfs_fsync(fb, 0), 0);
	cow_of(fb, &real, &delay);
	ck_assert_uint_eq(real, 31);
	efs_test_incore_ok(fs);
	free_before = efs_test_free_blocks(fs);
	extentfs_close(fa);
	extentfs_close(fb);
	fault_power_cut_now(b);
	extentfs_unmount(fs);
	fault_power_restore(b);
	efs_test_image_ok(b);
	ck_assert_int_eq(extentfs_mount(b, DEV, &fs), 0);
	efs_test_incore_ok(fs);
	/* Nothing leaked: the 31 staged blocks are free again. */
	ck_assert_uint_eq(efs_test_free_blocks(fs), free_before + 31);
	fa = efs_test_open(fs, "a", O_RDWR);
	fb = efs_test_open(fs, "b", O_RDWR);
	verify_file(fa, ma, 64 * KiB);
	verify_file(fb, mb, 64 * KiB);
	extentfs_close(fa);
	extentfs_close(fb);
	ck_assert_int_eq(extentfs_unmount(fs), 0);
	free(ma);
	free(mb);
	backend_destroy(b);
}
END_TEST

START_TEST(efs_buf_9_3_unshare_clean_and_dirty)
{
	/* efs-buf-9.3: FALLOC_FL_UNSHARE_RANGE gives the range private copies
	 * (data kept, source refcounts drop to 1), including blocks with dirty
	 * data not yet written back; when nothing is shared any more the
	 * reflink flag and all COW staging go. */
	struct backend *b = make_backend(BK_RAM, IMG_SIZE);
	struct extentfs *fs = efs_test_mkfs(b, 4096);
	uint8_t *ma = malloc(64 * KiB), *mb = malloc(64 * KiB);
	struct file *fa, *fb;
	uint64_t real, delay;

	make_clone(fs, &fa, &fb, ma);
	memcpy(mb, ma, 64 * KiB);
	/* Without dirty data: [16K, 48K). */
	ck_assert_int_eq(extentfs_fallocate(fb, FALLOC_FL_KEEP_SIZE | FALLOC_FL_UNSHARE_RANGE,
					    16 * KiB, 32 * KiB), 0);
	for (loff_t o = 0; o < 64 * KiB; o += 4 * KiB) {
		bool in = o >= 16 * KiB && o < 48 * KiB;

		ck_assert_uint_eq(efs_test_refcount(fs, addr_of(fa, o)), in ? 1 : 2);
		if (in)
			ck_assert_int_ne(addr_of(fb, o), addr_of(fa, o));
	}
	ck_assert(EFS_I(fb->f_inode)->diflags & EFS_DIFLAG_REFLINK);
	verify_file(fa, ma, 64 * KiB);
	verify_file(fb, mb, 64 * KiB);
	efs_test_incore_ok(fs);

	/* With dirty data in a shared block, then everything. */
	memset(mb + 2 * KiB, 0x42, 3000);
	ck_assert_int_eq(efs_test_bwrite(fb, mb + 2 * KiB, 3000, 2 * KiB), 3000);
	ck_assert_int_eq(extentfs_fallocate(fb, FALLOC_FL_KEEP_SIZE | FALLOC_FL_UNSHARE_RANGE,
					    0, 64 * KiB), 0);
	for (loff_t o = 0; o < 64 * KiB; o += 4 * KiB) {
		ck_assert_uint_eq(efs_test_refcount(fs, addr_of(fa, o)), 1);
		ck_assert_uint_eq(efs_test_refcount(fs, addr_of(fb, o)), 1);
		ck_assert_int_ne(addr_of(fb, o), addr_of(fa, o));
	}
	ck_assert(!(EFS_I(fb->f_inode)->diflags & EFS_DIFLAG_REFLINK));
	cow_of(fb, &real, &delay);
	ck_assert_uint_eq(real + delay, 0);
	ck_assert_uint_eq(fs->delalloc_blocks, 0);
	verify_file(fa, ma, 64 * KiB);
	verify_file(fb, mb, 64 * KiB);
	extentfs_close(fa);
	extentfs_close(fb);
	fs = efs_test_remount(fs, b);
	fa = efs_test_open(fs, "a", O_RDWR);
	fb = efs_test_open(fs, "b", O_RDWR);
	verify_file(fa, ma, 64 * KiB);
	verify_file(fb, mb, 64 * KiB);
	extentfs_close(fa);
	extentfs_close(fb);
	ck_assert_int_eq(extentfs_unmount(fs), 0);
	efs_test_image_ok(b);
	free(ma);
	free(mb);
	backend_destroy(b);
}
END_TEST

/* ------------------------------------------------------------ efs-buf-10 */

START_TEST(efs_buf_10_1_punch_in_large_folio)
{
	/*
	 * efs-buf-10.1: punching the second half of a block that sits in a
	 * clean large folio keeps the first half.  XFS rounds the page cache
	 * invalidation out to whole blocks; the kernel drops a clean large
	 * folio it cannot split instead of keeping it with that whole block
	 * zeroed (found by the random test: the zeroed half came back).
	 */
	struct backend *b = make_backend(BK_RAM, IMG_SIZE);
	struct extentfs *fs = efs_test_mkfs(b, 4096);
	struct file *f = efs_test_open(fs, "f", O_CREAT | O_RDWR);
	uint8_t *model = malloc(0x14000);

	memset(model, 0, 0x14000);
	memset(model + 0x10200, 0x12, 0x3000);
	ck_assert_int_eq(efs_test_bwrite(f, model + 0x10200, 0x3000, 0x10200), 0x3000);
	ck_assert_int_eq(extentfs_fsync(f, 0), 0);
	ck_assert_int_eq(extentfs_fallocate(f, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0x11800,
					    0x800), 0);
	memset(model + 0x11800, 0, 0x800);
	verify_file(f, model, 0x13200);
	ck_assert_int_eq(extentfs_fsync(f, 0), 0);
	extentfs_close(f);
	fs = efs_test_remount(fs, b);
	f = efs_test_open(fs, "f", O_RDWR);
	verify_file(f, model, 0x13200);
	extentfs_close(f);
	ck_assert_int_eq(extentfs_unmount(fs), 0);
	free(model);
	backend_destroy(b);
}
END_TEST

/* ------------------------------------------------------------ efs-buf-11 */

START_TEST(efs_buf_11_1_dio_cow_keeps_inplace_blocks)
{
	/*
	 * efs-buf-11.1: a direct write over a shared block and, in the same
	 * request, blocks written in place (here: holes past EOF) that the
	 * unwritten cowextsize padding of an earlier buffered copy-on-write
	 * still covers in the COW fork.  Completion remaps only staging that
	 * was written through; remapping the padding too replaced the blocks
	 * just written with stale ones (found by the random test with
	 * IOMAP_RANDOM_KNOWN=1: a sub-block direct write falls back to a
	 * buffered copy-on-write).  Also: buffered writeback marks exactly
	 * the staging it writes, so the padding outlives the fsync.
	 */
	struct backend *b = make_backend(BK_RAM, IMG_SIZE);
	struct extentfs *fs = efs_test_mkfs(b, 4096);
	uint8_t *ma = malloc(64 * KiB), *mb = malloc(72 * KiB);
	uint8_t *w = aligned_alloc(4096, 12 * KiB);
	struct file *fa, *fb, *fd;
	struct kiocb iocb;
	struct kvec kv = { .iov_base = w, .iov_len = 12 * KiB };
	struct iov_iter it;
	uint64_t real, delay;
	int64_t old15;

	ck_assert_ptr_nonnull(w);
	make_clone(fs, &fa, &fb, ma);
	memcpy(mb, ma, 64 * KiB);
	/* Buffered copy-on-write of block 1: 32 blocks staged, 31 left over. */
	efs_test_fill_pat(mb + 5000, 1000, 2, 5000);
	ck_assert_int_eq(efs_test_bwrite(fb, mb + 5000, 1000, 5000), 1000);
	ck_assert_int_eq(extentfs_fsync(fb, 0), 0);
	cow_of(fb, &real, &delay);
	ck_assert_uint_eq(real, 31);
	ck_assert_uint_eq(delay, 0);
	ck_assert_int_ne(addr_of(fb, 4 * KiB), addr_of(fa, 4 * KiB));
	verify_file(fb, mb, 64 * KiB);

	/* Direct write of [60K, 72K): block 15 shared, blocks 16-17 holes. */
	old15 = addr_of(fb, 60 * KiB);
	efs_test_fill_pat(w, 12 * KiB, 3, 60 * KiB);
	memcpy(mb + 60 * KiB, w, 12 * KiB);
	fd = efs_test_open(fs, "b", O_RDWR | O_DIRECT);
	init_sync_kiocb(&iocb, fd);
	iocb.ki_pos = 60 * KiB;
	iov_iter_kvec(&it, ITER_SOURCE, &kv, 1, 12 * KiB);
	ck_assert_int_eq(extentfs_write_iter(&iocb, &it), 12 * KiB);
	extentfs_close(fd);
	ck_assert_int_ne(addr_of(fb, 60 * KiB), old15);
	ck_assert_uint_eq(efs_test_refcount(fs, old15), 1);
	verify_file(fb, mb, 72 * KiB);
	verify_file(fa, ma, 64 * KiB);
	efs_test_incore_ok(fs);
	extentfs_close(fa);
	extentfs_close(fb);
	fs = efs_test_remount(fs, b);
	fa = efs_test_open(fs, "a", O_RDWR);
	fb = efs_test_open(fs, "b", O_RDWR);
	verify_file(fa, ma, 64 * KiB);
	verify_file(fb, mb, 72 * KiB);
	extentfs_close(fa);
	extentfs_close(fb);
	ck_assert_int_eq(extentfs_unmount(fs), 0);
	efs_test_image_ok(b);
	free(ma);
	free(mb);
	free(w);
	backend_destroy(b);
}
END_TEST

static Suite *buffered_suite(void)
{
	Suite *s = suite_create("extentfs-buffered");
	TCase *tc;

	tc = tcase_create("efs-buf-1 round trip");
	tcase_add_loop_test(tc, efs_buf_1_1_round_trip, 0, ARRAY_SIZE(rt_table));
	suite_add_tcase(s, tc);
	tc = tcase_create("efs-buf-2 delalloc");
	tcase_add_test(tc, efs_buf_2_1_delalloc_then_written);
	tcase_add_test(tc, efs_buf_2_2_subblock_gap_zeroing);
	suite_add_tcase(s, tc);
	tc = tcase_create("efs-buf-3 durability");
	tcase_add_test(tc, efs_buf_3_1_fsync_survives_power_cut);
	tcase_add_test(tc, efs_buf_3_2_power_cut_every_write);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	tc = tcase_create("efs-buf-4 enospc");
	tcase_add_test(tc, efs_buf_4_1_enospc_at_write_time);
	suite_add_tcase(s, tc);
	tc = tcase_create("efs-buf-5 eio");
	tcase_add_test(tc, efs_buf_5_1_writeback_eio);
	suite_add_tcase(s, tc);
	tc = tcase_create("efs-buf-6 short write");
	tcase_add_test(tc, efs_buf_6_1_short_write_punches);
	suite_add_tcase(s, tc);
	tc = tcase_create("efs-buf-7 validity cookie");
	tcase_add_test(tc, efs_buf_7_1_stale_mapping_relookup);
	suite_add_tcase(s, tc);
	tc = tcase_create("efs-buf-8 truncate");
	tcase_add_test(tc, efs_buf_8_1_truncate_zeroes_tail);
	suite_add_tcase(s, tc);
	tc = tcase_create("efs-buf-9 copy-on-write");
	tcase_add_test(tc, efs_buf_9_1_cow_write_fsync_remount);
	tcase_add_test(tc, efs_buf_9_2_staging_free_on_disk);
	tcase_add_test(tc, efs_buf_9_3_unshare_clean_and_dirty);
	suite_add_tcase(s, tc);
	tc = tcase_create("efs-buf-10 truncate of large folios");
	tcase_add_test(tc, efs_buf_10_1_punch_in_large_folio);
	suite_add_tcase(s, tc);
	tc = tcase_create("efs-buf-11 direct writes over COW staging");
	tcase_add_test(tc, efs_buf_11_1_dio_cow_keeps_inplace_blocks);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(buffered_suite());
}
