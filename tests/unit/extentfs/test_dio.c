/**
 * @file test_dio.c
 * @brief Check suite of extentfs direct I/O: extentfs_read_iter /
 *        extentfs_write_iter over iomap_dio_rw(), the direct iomap_ops and
 *        the ->end_io of samples/extentfs.
 *
 * Areas (test IDs):
 *   efs-dio-1.*  data round trips at boundary offsets (block - sector, block,
 *                block + sector, EOF) for block sizes 512, 1k, 4k over the
 *                ram and file backends; remount keeps data and size
 *   efs-dio-2.*  mappings: a write into a hole maps UNWRITTEN with NEW|DIRTY,
 *                reads MAPPED after completion; the placement and the EOF
 *                zeroing of the kernel's scenario 05
 *   efs-dio-3.*  zeroing: sub-block writes leave zeroes around the data on
 *                the device; a write past EOF zeroes the gap over garbage;
 *                the size changes only when ->end_io runs
 *   efs-dio-4.*  copy-on-write after reflink: the source keeps its data,
 *                reference counts drop, a failed write frees its staging,
 *                unaligned writes fall back to buffered I/O, a commit during a
 *                COW write leaves its staging free on disk
 *   efs-dio-5.*  faults: EIO on a data write, a power cut at every write of
 *                an O_DSYNC direct write (torn or not), remount and check
 *   efs-dio-6.*  concurrent mode: two threads writing disjoint ranges
 *   efs-dio-7.*  entry point checks: EBADF, ETXTBSY, EFBIG, O_APPEND,
 *                buffered calls work, EINVAL, IOCB_NOWAIT, O_DSYNC,
 *                truncate waits for direct I/O in flight
 *   efs-dio-8.*  a real loop device (root only; prints "SKIP loop: <reason>")
 *
 * Every test ends with efs_check_incore() == 0 on the mounted filesystem
 * and, where it unmounts, extentfs_check() == 0 on the image.  The device
 * is filled with 0xAA before mkfs, so stale data would show as 0xAA.
 */
#include <fcntl.h>
#include <linux/falloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include <iomap/trace.h>

#include "../testutil.h"
#include "../backends/loopdev.h"
#include "samples/extentfs/extentfs_priv.h"
#include "efs-test.h"

/* ------------------------------------------------------------- helpers */

static struct backend *make_backend(enum efs_test_bkind k, uint64_t size, uint32_t lbs)
{
	return efs_test_backend(k, size, lbs, "efs-dio");
}

static const char *const bkind_name[] = { "ram", "file" };

static struct file *creat_direct(struct extentfs *fs, const char *name)
{
	return efs_test_open(fs, name, O_CREAT | O_RDWR | O_DIRECT);
}

static void *abuf(size_t len)
{
	void *p = aligned_alloc(4096, (len + 4095) & ~(size_t)4095);

	ck_assert_ptr_nonnull(p);
	return p;
}

/* Files here are opened O_DIRECT: efs_test_rw() reads and writes directly. */
static ssize_t dio_pwrite(struct file *f, const void *buf, size_t len, loff_t off)
{
	return efs_test_rw(f, true, (void *)buf, len, off, 0, 0, SIZE_MAX);
}

static ssize_t dio_pread(struct file *f, void *buf, size_t len, loff_t off)
{
	return efs_test_rw(f, false, buf, len, off, 0, 0, SIZE_MAX);
}

/* The whole file, read directly, equals @model[0, size); a read at EOF returns 0. */
static void verify_file(struct file *f, const uint8_t *model, loff_t size)
{
	efs_test_verify_file(f, model, size, size % SECTOR == 0);
}

/* Device byte address of file offset @off (-1 for a hole), and whether it is unwritten. */
static int64_t addr_at(struct file *f, loff_t off, bool *unwritten)
{
	struct extentfs_bmap_rec *r;
	size_t n;
	int64_t a = -1;

	ck_assert_int_eq(extentfs_getbmap(f, &r, &n), 0);
	for (size_t i = 0; i < n; i++)
		if (off >= r[i].offset && (uint64_t)(off - r[i].offset) < r[i].length) {
			a = r[i].addr < 0 ? -1 : r[i].addr + (off - r[i].offset);
			if (unwritten)
				*unwritten = r[i].unwritten;
		}
	free(r);
	return a;
}

static size_t cow_blocks(struct file *f)
{
	struct efs_inode *ei = EFS_I(f->f_inode);
	size_t n = 0;

	down_read(&ei->ilock);
	for (size_t i = 0; i < ei->cf.nr; i++)
		n += ei->cf.v[i].len;
	up_read(&ei->ilock);
	return n;
}

static void dev_read(struct backend *b, int64_t addr, void *buf, size_t len)
{
	ck_assert_int_ge(addr, 0);
	ck_assert_int_eq(backend_rw_sync(b, BACKEND_READ, (uint64_t)addr, buf, len, 0), 0);
}

static const struct trace_field *tfield(const struct trace_event *ev, const char *k)
{
	const struct trace_field *fl = trace_field_get(ev, k);

	ck_assert_msg(fl != NULL, "event %s has no field %s", ev->name, k);
	return fl;
}

/* ------------------------------------------------------ efs-dio-1 round trips */

static const struct {
	enum efs_test_bkind kind;
	uint32_t bs;
} rt_table[] = {
	{ BK_RAM, 512 },  { BK_RAM, 1024 },  { BK_RAM, 4096 },
	{ BK_FILE, 512 }, { BK_FILE, 1024 }, { BK_FILE, 4096 },
};

#define EOF_OFF (-1) /* "at the current EOF" in the tables below */

/* The write sequence of efs-dio-1.1, in units of the block size @bs and SECTOR. */
static void rt_sequence(struct file *f, uint8_t *model, loff_t *size, uint32_t bs)
{
	const struct {
		loff_t off, len;
	} seq[] = {
		{ 0, bs },                          /* first block, aligned */
		{ (loff_t)bs - SECTOR, SECTOR },    /* block - 1 sector */
		{ bs, SECTOR },                     /* block boundary, extends */
		{ (loff_t)bs + SECTOR, SECTOR },    /* block + 1 sector */
		{ EOF_OFF, 2 * (loff_t)bs + SECTOR }, /* at EOF, crossing blocks */
		{ 3 * (loff_t)bs - SECTOR, (loff_t)bs + 2 * SECTOR }, /* straddles, inside + past EOF */
		{ 10 * (loff_t)bs + SECTOR, SECTOR }, /* past EOF: a gap to zero */
		{ EOF_OFF, bs },                    /* EOF not block aligned */
		{ 2 * (loff_t)bs, 4 * (loff_t)bs }, /* overwrite of written + hole + written */
	};

	for (size_t i = 0; i < ARRAY_SIZE(seq); i++) {
		loff_t off = seq[i].off == EOF_OFF ? *size : seq[i].off;
		size_t len = (size_t)seq[i].len;
		uint8_t *buf = abuf(len);

		efs_test_fill_pat(buf, len, (unsigned)i + 1, off);
		ck_assert_msg(dio_pwrite(f, buf, len, off) == (ssize_t)len, "write %zu at %lld", i,
			      (long long)off);
		memcpy(model + off, buf, len);
		if (off + (loff_t)len > *size)
			*size = off + (loff_t)len;
		verify_file(f, model, *size);
		free(buf);
	}
}

START_TEST(efs_dio_1_1_round_trip)
{
	/* efs-dio-1.1: writes at block-1, block, block+1, EOF; read back; remount; read back. */
	uint32_t bs = rt_table[_i].bs;
	struct backend *b = make_backend(rt_table[_i].kind, IMG_SIZE, SECTOR);
	struct extentfs *fs = efs_test_mkfs(b, bs);
	struct file *f = creat_direct(fs, "f");
	uint8_t *model = calloc(64, bs);
	loff_t size = 0;

	printf("efs-dio-1.1: %s backend, block size %u\n", bkind_name[rt_table[_i].kind], bs);
	rt_sequence(f, model, &size, bs);
	efs_test_incore_ok(fs);
	ck_assert_int_eq(extentfs_fsync(f, 0), 0);
	extentfs_close(f);
	fs = efs_test_remount(fs, b);
	f = efs_test_open(fs, "f", O_RDONLY | O_DIRECT);
	verify_file(f, model, size);
	extentfs_close(f);
	ck_assert_int_eq(extentfs_unmount(fs), 0);
	ck_assert_int_eq(extentfs_check(b, NULL), 0);
	free(model);
	backend_destroy(b);
}
END_TEST

/* ------------------------------------------------------ efs-dio-2 mappings */

START_TEST(efs_dio_2_1_new_unwritten_then_mapped)
{
	/* efs-dio-2.1: a write into a hole maps UNWRITTEN NEW|DIRTY; after completion MAPPED. */
	struct backend *b = make_backend(BK_RAM, IMG_SIZE, SECTOR);
	struct extentfs *fs = efs_test_mkfs(b, 4096);
	struct file *f = creat_direct(fs, "f");
	struct trace_sink *m = trace_memsink_new();
	uint8_t *buf = abuf(16 * KiB);
	struct iomap map = { 0 }, src = { 0 };
	size_t seen = 0;
	bool unwritten = true;

	efs_test_fill_pat(buf, 16 * KiB, 1, 0);
	trace_add_sink(m);
	ck_assert_int_eq(dio_pwrite(f, buf, 16 * KiB, 0), 16 * KiB);
	trace_remove_sink(m);
	for (size_t i = 0; i < trace_memsink_count(m); i++) {
		const struct trace_event *ev = trace_memsink_get(m, i);

		if (strcmp(ev->name, "iomap_iter_dstmap"))
			continue;
		seen++;
		ck_assert_uint_eq(tfield(ev, "type")->v.u, IOMAP_UNWRITTEN);
		ck_assert_uint_eq(tfield(ev, "flags")->v.u, IOMAP_F_NEW | IOMAP_F_DIRTY);
		ck_assert_uint_eq(tfield(ev, "length")->v.u, 16 * KiB);
	}
	ck_assert_uint_eq(seen, 1);
	trace_sink_free(m);
	/* Converted by ->end_io: written now, and a read maps it MAPPED (still DIRTY). */
	ck_assert_int_ge(addr_at(f, 0, &unwritten), 0);
	ck_assert(!unwritten);
	ck_assert_int_eq(extentfs_direct_read_iomap_ops.iomap_begin(f->f_inode, 0, 16 * KiB,
								    IOMAP_DIRECT, &map, &src), 0);
	ck_assert_uint_eq(map.type, IOMAP_MAPPED);
	ck_assert_uint_eq(map.flags, IOMAP_F_DIRTY);
	ck_assert_int_eq(extentfs_fsync(f, 0), 0);
	ck_assert_int_eq(extentfs_direct_read_iomap_ops.iomap_begin(f->f_inode, 0, 16 * KiB,
								    IOMAP_DIRECT, &map, &src), 0);
	ck_assert_uint_eq(map.flags, 0);
	/* An overwrite allocates nothing: same address, no NEW. */
	ck_assert_int_eq(extentfs_direct_write_iomap_ops.iomap_begin(
				 f->f_inode, 4096, 4096, IOMAP_WRITE | IOMAP_DIRECT, &map, &src), 0);
	ck_assert_uint_eq(map.type, IOMAP_MAPPED);
	ck_assert_uint_eq(map.flags & IOMAP_F_NEW, 0);
	ck_assert_int_eq((int64_t)map.addr, addr_at(f, 4096, NULL));
	efs_test_incore_ok(fs);
	free(buf);
	extentfs_close(f);
	ck_assert_int_eq(extentfs_unmount(fs), 0);
	backend_destroy(b);
}
END_TEST

START_TEST(efs_dio_2_2_scenario05)
{
	/* efs-dio-2.2: the kernel's scenario 05: placement (adjacent rule), EOF zeroing
	 * before the second write, FIEMAP merging the two 8k writes. */
	struct backend *b = make_backend(BK_RAM, IMG_SIZE, SECTOR);
	struct extentfs *fs = efs_test_mkfs(b, 4096);
	struct file *f = creat_direct(fs, "f");
	struct trace_sink *m = trace_memsink_new();
	uint8_t *buf = abuf(64 * KiB);
	struct fiemap_extent fe[8];
	struct fiemap_extent_info fi = { .fi_extents_max = 8, .fi_extents_start = fe };
	int dio_begins = 0, zero_iters = 0;

	memset(buf, 0x55, 64 * KiB);
	ck_assert_int_eq(dio_pwrite(f, buf, 64 * KiB, 0), 64 * KiB);
	memset(buf, 0x66, 8 * KiB);
	trace_add_sink(m);
	ck_assert_int_eq(dio_pwrite(f, buf, 8 * KiB, 128 * KiB), 8 * KiB);
	trace_remove_sink(m);
	ck_assert_int_eq(dio_pwrite(f, buf, 8 * KiB, 136 * KiB), 8 * KiB);
	ck_assert_int_eq(addr_at(f, 0, NULL), 0x18000);
	ck_assert_int_eq(addr_at(f, 0x20000, NULL), 0x38000);
	ck_assert_int_eq(addr_at(f, 0x22000, NULL), 0x3a000);
	ck_assert_int_eq(i_size_read(f->f_inode), 0x24000);
	/* iomap_zero_range over [64k, 128k) runs before the write's dio begins. */
	for (size_t i = 0; i < trace_memsink_count(m); i++) {
		const struct trace_event *ev = trace_memsink_get(m, i);

		if (!strcmp(ev->name, "iomap_dio_rw_begin"))
			dio_begins++;
		if (!strcmp(ev->name, "iomap_iter") &&
		    !strcmp(tfield(ev, "caller")->v.str, "iomap_zero_range")) {
			ck_assert_int_eq(dio_begins, 0);
			if (zero_iters++ == 0) {
				ck_assert_uint_eq(tfield(ev, "pos")->v.u, 0x10000);
				ck_assert_uint_eq(tfield(ev, "length")->v.u, 0x10000);
				ck_assert_uint_eq(tfield(ev, "flags")->v.u, IOMAP_ZERO);
			}
		}
	}
	ck_assert_int_eq(dio_begins, 1);
	ck_assert_int_eq(zero_iters, 2);
	trace_sink_free(m);
	ck_assert_int_eq(extentfs_fiemap(f, &fi, 0, UINT64_MAX), 0);
	ck_assert_uint_eq(fi.fi_extents_mapped, 2);
	ck_assert_uint_eq(fe[1].fe_logical, 0x20000);
	ck_assert_uint_eq(fe[1].fe_physical, 0x38000);
	ck_assert_uint_eq(fe[1].fe_length, 0x4000);
	ck_assert_uint_eq(fe[1].fe_flags & FIEMAP_EXTENT_UNWRITTEN, 0);
	efs_test_incore_ok(fs);
	free(buf);
	extentfs_close(f);
	ck_assert_int_eq(extentfs_unmount(fs), 0);
	backend_destroy(b);
}
END_TEST

/* ------------------------------------------------------ efs-dio-3 zeroing */

START_TEST(efs_dio_3_1_subblock_zeroes_on_device)
{
	/* efs-dio-3.1: a sector written into new space and into unwritten space: the
	 * rest of its block is zero on the device, not the 0xAA that was there. */
	struct backend *b = make_backend(BK_RAM, IMG_SIZE, SECTOR);
	struct extentfs *fs = efs_test_mkfs(b, 4096);
	struct file *f = creat_direct(fs, "f");
	uint8_t *buf = abuf(4096), *dev = abuf(4096);

	/* block 1 is a hole, block 3 unwritten preallocation */
	ck_assert_int_eq(extentfs_fallocate(f, FALLOC_FL_KEEP_SIZE, 3 * 4096, 4096), 0);
	ck_assert_int_eq(extentfs_setattr_size(f, 16 * 4096), 0);
	efs_test_fill_pat(buf, SECTOR, 7, 0);
	for (int blk = 1; blk <= 3; blk += 2) {
		loff_t off = blk * 4096 + 1024;

		ck_assert_int_eq(dio_pwrite(f, buf, SECTOR, off), SECTOR);
		dev_read(b, addr_at(f, blk * 4096, NULL), dev, 4096);
		for (int k = 0; k < 4096; k++) {
			uint8_t want = k >= 1024 && k < 1024 + SECTOR ? buf[k - 1024] : 0;

			ck_assert_msg(dev[k] == want, "block %d byte %d: 0x%02x", blk, k, dev[k]);
		}
	}
	ck_assert_int_eq(i_size_read(f->f_inode), 16 * 4096);
	efs_test_incore_ok(fs);
	free(buf);
	free(dev);
	extentfs_close(f);
	ck_assert_int_eq(extentfs_unmount(fs), 0);
	backend_destroy(b);
}
END_TEST

START_TEST(efs_dio_3_2_past_eof_zeroes_gap)
{
	/* efs-dio-3.2: a write past EOF; the gap reads as zeroes, though the device
	 * holds 0xAA under the preallocated blocks there and past the old EOF. */
	struct backend *b = make_backend(BK_RAM, IMG_SIZE, SECTOR);
	struct extentfs *fs = efs_test_mkfs(b, 4096);
	struct file *f = creat_direct(fs, "f");
	uint8_t *buf = abuf(4096), *model = calloc(1, 80 * KiB), *dev = abuf(4096);
	bool unwritten = false;

	ck_assert_int_eq(extentfs_fallocate(f, FALLOC_FL_KEEP_SIZE, 0, 128 * KiB), 0);
	efs_test_fill_pat(buf, 4096, 3, 0);
	/* EOF at 512: inside block 0, which the write converts */
	ck_assert_int_eq(dio_pwrite(f, buf, SECTOR, 0), SECTOR);
	memcpy(model, buf, SECTOR);
	ck_assert_int_eq(i_size_read(f->f_inode), SECTOR);
	efs_test_fill_pat(buf, 4096, 4, 64 * KiB);
	ck_assert_int_eq(dio_pwrite(f, buf, 4096, 64 * KiB), 4096);
	memcpy(model + 64 * KiB, buf, 4096);
	verify_file(f, model, 68 * KiB);
	/* The old EOF block's tail is zero on the device; the gap is still unwritten. */
	dev_read(b, addr_at(f, 0, NULL), dev, 4096);
	for (int k = SECTOR; k < 4096; k++)
		ck_assert_msg(dev[k] == 0, "byte %d past the old EOF: 0x%02x", k, dev[k]);
	ck_assert_int_ge(addr_at(f, 8 * KiB, &unwritten), 0);
	ck_assert(unwritten);
	efs_test_incore_ok(fs);
	ck_assert_int_eq(extentfs_fsync(f, 0), 0);
	extentfs_close(f);
	fs = efs_test_remount(fs, b);
	f = efs_test_open(fs, "f", O_RDONLY | O_DIRECT);
	verify_file(f, model, 68 * KiB);
	extentfs_close(f);
	ck_assert_int_eq(extentfs_unmount(fs), 0);
	free(buf);
	free(model);
	free(dev);
	backend_destroy(b);
}
END_TEST

static long async_ret = 1;
static int async_calls;

static void async_done(struct kiocb *iocb, long ret)
{
	(void)iocb;
	async_ret = ret;
	async_calls++;
}

START_TEST(efs_dio_3_3_size_at_completion)
{
	/* efs-dio-3.3: an extending asynchronous write changes the size (and converts
	 * its extent) only when ->end_io runs, not when it is submitted. */
	struct backend *b = make_backend(BK_RAM, IMG_SIZE, SECTOR);
	struct extentfs *fs = efs_test_mkfs(b, 4096);
	struct file *f = creat_direct(fs, "f");
	uint8_t *buf = abuf(32 * KiB), *model = calloc(1, 64 * KiB);
	struct kvec kv = { .iov_base = buf, .iov_len = 32 * KiB };
	struct iov_iter it;
	struct kiocb iocb;
	bool unwritten = false;
	ssize_t ret;

	efs_test_fill_pat(buf, 32 * KiB, 1, 0);
	ck_assert_int_eq(dio_pwrite(f, buf, 16 * KiB, 0), 16 * KiB);
	memcpy(model, buf, 16 * KiB);
	efs_test_fill_pat(buf, 32 * KiB, 2, 16 * KiB);
	memcpy(model + 16 * KiB, buf, 32 * KiB);
	init_sync_kiocb(&iocb, f);
	iocb.ki_pos = 16 * KiB;
	iocb.ki_complete = async_done;
	async_calls = 0;
	iov_iter_kvec(&it, ITER_SOURCE, &kv, 1, 32 * KiB);
	ret = extentfs_write_iter(&iocb, &it);
	if (ret == -EIOCBQUEUED) {
		/* Queued: nothing completed yet in deterministic mode. */
		ck_assert_int_eq(async_calls, 0);
		ck_assert_int_eq(i_size_read(f->f_inode), 16 * KiB);
		ck_assert_int_ge(addr_at(f, 16 * KiB, &unwritten), 0);
		ck_assert(unwritten);
		inode_dio_wait(f->f_inode);
		ck_assert_int_eq(async_calls, 1);
		ck_assert_int_eq(async_ret, 32 * KiB);
	} else {
		/* The core may complete a request inline; then it must be done. */
		ck_assert_int_eq(ret, 32 * KiB);
	}
	ck_assert_int_eq(i_size_read(f->f_inode), 48 * KiB);
	ck_assert_int_ge(addr_at(f, 16 * KiB, &unwritten), 0);
	ck_assert(!unwritten);
	verify_file(f, model, 48 * KiB);
	efs_test_incore_ok(fs);
	free(buf);
	free(model);
	extentfs_close(f);
	ck_assert_int_eq(extentfs_unmount(fs), 0);
	backend_destroy(b);
}
END_TEST

/* ------------------------------------------------------------ efs-dio-4 COW */

START_TEST(efs_dio_4_1_cow)
{
	/* efs-dio-4.1: after reflink a->b, a direct write to b goes copy-on-write: a
	 * keeps its data, b has the new, the replaced blocks' reference count drops. */
	uint32_t bs = _i ? 4096 : 1024;
	struct backend *b = make_backend(BK_RAM, IMG_SIZE, SECTOR);
	struct extentfs *fs = efs_test_mkfs(b, bs);
	struct file *fa = creat_direct(fs, "a"), *fb = creat_direct(fs, "b");
	uint8_t *buf = abuf(64 * KiB), *ma = abuf(64 * KiB), *mb = abuf(64 * KiB);
	int64_t shared_addr, new_addr;
	uint64_t before;

	efs_test_fill_pat(ma, 64 * KiB, 1, 0);
	ck_assert_int_eq(dio_pwrite(fa, ma, 64 * KiB, 0), 64 * KiB);
	ck_assert_int_eq(extentfs_remap_range(fa, 0, fb, 0, 0), 0);
	memcpy(mb, ma, 64 * KiB);
	shared_addr = addr_at(fb, 16 * KiB, NULL);
	ck_assert_int_eq(shared_addr, addr_at(fa, 16 * KiB, NULL));
	ck_assert_uint_eq(efs_test_refcount(fs, shared_addr), 2);
	before = efs_test_free_blocks(fs);

	efs_test_fill_pat(buf, 16 * KiB, 2, 16 * KiB);
	ck_assert_int_eq(dio_pwrite(fb, buf, 16 * KiB, 16 * KiB), 16 * KiB);
	memcpy(mb + 16 * KiB, buf, 16 * KiB);
	verify_file(fa, ma, 64 * KiB);
	verify_file(fb, mb, 64 * KiB);
	new_addr = addr_at(fb, 16 * KiB, NULL);
	ck_assert_int_ne(new_addr, shared_addr);
	ck_assert_int_eq(addr_at(fa, 16 * KiB, NULL), shared_addr);
	ck_assert_uint_eq(efs_test_refcount(fs, shared_addr), 1);
	ck_assert_uint_eq(efs_test_refcount(fs, addr_at(fb, 0, NULL)), 2);
	ck_assert_uint_eq(efs_test_refcount(fs, new_addr), 1);
	ck_assert_uint_eq(efs_test_free_blocks(fs), before - (16 * KiB) / bs);
	ck_assert_uint_eq(cow_blocks(fb), 0);
	efs_test_incore_ok(fs);
	/* A second write over the now private blocks overwrites in place. */
	efs_test_fill_pat(buf, 16 * KiB, 3, 16 * KiB);
	ck_assert_int_eq(dio_pwrite(fb, buf, 16 * KiB, 16 * KiB), 16 * KiB);
	memcpy(mb + 16 * KiB, buf, 16 * KiB);
	ck_assert_int_eq(addr_at(fb, 16 * KiB, NULL), new_addr);
	/* Writing the source copies too: b keeps the old data. */
	efs_test_fill_pat(buf, 8 * KiB, 4, 0);
	ck_assert_int_eq(dio_pwrite(fa, buf, 8 * KiB, 0), 8 * KiB);
	memcpy(ma, buf, 8 * KiB);
	verify_file(fa, ma, 64 * KiB);
	verify_file(fb, mb, 64 * KiB);
	efs_test_incore_ok(fs);
	ck_assert_int_eq(extentfs_fsync(fa, 0), 0);
	extentfs_close(fa);
	extentfs_close(fb);
	fs = efs_test_remount(fs, b);
	fa = efs_test_open(fs, "a", O_RDONLY | O_DIRECT);
	fb = efs_test_open(fs, "b", O_RDONLY | O_DIRECT);
	verify_file(fa, ma, 64 * KiB);
	verify_file(fb, mb, 64 * KiB);
	extentfs_close(fa);
	extentfs_close(fb);
	ck_assert_int_eq(extentfs_unmount(fs), 0);
	free(buf);
	free(ma);
	free(mb);
	backend_destroy(b);
}
END_TEST

START_TEST(efs_dio_4_2_cow_eio_frees_staging)
{
	/* efs-dio-4.2: EIO on the COW data write: -EIO, b unchanged and still
	 * shared, the staged blocks back in the free list, consistent. */
	struct backend *b = backend_fault_new(make_backend(BK_RAM, IMG_SIZE, SECTOR));
	struct extentfs *fs = efs_test_mkfs(b, 4096);
	struct file *fa = creat_direct(fs, "a"), *fb = creat_direct(fs, "b");
	uint8_t *buf = abuf(32 * KiB), *m = abuf(32 * KiB);
	int64_t shared_addr;
	uint64_t before;

	efs_test_fill_pat(m, 32 * KiB, 1, 0);
	ck_assert_int_eq(dio_pwrite(fa, m, 32 * KiB, 0), 32 * KiB);
	ck_assert_int_eq(extentfs_remap_range(fa, 0, fb, 0, 0), 0);
	ck_assert_int_eq(extentfs_fsync(fb, 0), 0);
	shared_addr = addr_at(fb, 0, NULL);
	before = efs_test_free_blocks(fs);
	efs_test_fill_pat(buf, 32 * KiB, 2, 0);
	fault_set_eio(b, BACKEND_WRITE, FAULT_ONCE, 0);
	ck_assert_int_eq(dio_pwrite(fb, buf, 32 * KiB, 0), -EIO);
	fault_set_eio(b, BACKEND_WRITE, FAULT_NONE, 0);
	ck_assert_uint_eq(cow_blocks(fb), 0);
	ck_assert_uint_eq(efs_test_free_blocks(fs), before);
	ck_assert_int_eq(addr_at(fb, 0, NULL), shared_addr);
	ck_assert_uint_eq(efs_test_refcount(fs, shared_addr), 2);
	verify_file(fb, m, 32 * KiB);
	efs_test_incore_ok(fs);
	extentfs_close(fa);
	extentfs_close(fb);
	fs = efs_test_remount(fs, b);
	ck_assert_int_eq(extentfs_unmount(fs), 0);
	free(buf);
	free(m);
	backend_destroy(b);
}
END_TEST

START_TEST(efs_dio_4_3_cow_unaligned_bounces)
{
	/* efs-dio-4.3: an unaligned direct write to a reflinked file bounces
	 * with -ENOTBLK inside and falls back to a buffered write (as XFS):
	 * it succeeds, the blocks stay shared until writeback, then b's block
	 * is copied on write and a keeps its data. */
	struct backend *b = make_backend(BK_RAM, IMG_SIZE, SECTOR);
	struct extentfs *fs = efs_test_mkfs(b, 4096);
	struct file *fa = creat_direct(fs, "a"), *fb = creat_direct(fs, "b");
	uint8_t *buf = abuf(8 * KiB);

	efs_test_fill_pat(buf, 8 * KiB, 1, 0);
	ck_assert_int_eq(dio_pwrite(fa, buf, 8 * KiB, 0), 8 * KiB);
	ck_assert_int_eq(extentfs_remap_range(fa, 0, fb, 0, 0), 0);
	{
		uint8_t *one = abuf(SECTOR), *back = abuf(8 * KiB);

		memset(one, 0x3c, SECTOR);
		ck_assert_int_eq(dio_pwrite(fb, one, SECTOR, 1024), SECTOR);
		ck_assert_int_eq(addr_at(fb, 0, NULL), addr_at(fa, 0, NULL));
		ck_assert_int_eq(extentfs_fsync(fb, 0), 0);
		ck_assert_int_ne(addr_at(fb, 0, NULL), addr_at(fa, 0, NULL));
		/* The rest of the 32-block COW reservation stays staged, as on XFS. */
		ck_assert_uint_eq(cow_blocks(fb), EFS_COWEXTSZ - 1);
		ck_assert_int_eq(dio_pread(fb, back, 8 * KiB, 0), 8 * KiB);
		ck_assert_mem_eq(back, buf, 1024);
		ck_assert_mem_eq(back + 1024, one, SECTOR);
		ck_assert_mem_eq(back + 1024 + SECTOR, buf + 1024 + SECTOR, 8 * KiB - 1024 - SECTOR);
		ck_assert_int_eq(dio_pread(fa, back, 8 * KiB, 0), 8 * KiB);
		ck_assert_mem_eq(back, buf, 8 * KiB);
		free(one);
		free(back);
	}
	efs_test_incore_ok(fs);
	extentfs_close(fa);
	extentfs_close(fb);
	ck_assert_int_eq(extentfs_unmount(fs), 0);
	free(buf);
	backend_destroy(b);
}
END_TEST

START_TEST(efs_dio_4_4_commit_with_staging)
{
	/* efs-dio-4.4: a commit while a COW write is in flight records the staged
	 * blocks as free: the checker accepts the image after a power cut, and
	 * the clone still holds the old shared data. */
	struct backend *b = backend_fault_new(make_backend(BK_RAM, IMG_SIZE, SECTOR));
	struct extentfs *fs = efs_test_mkfs(b, 4096);
	struct file *fa = creat_direct(fs, "a"), *fb = creat_direct(fs, "b");
	uint8_t *buf = abuf(32 * KiB), *m = abuf(32 * KiB);
	struct kvec kv = { .iov_base = buf, .iov_len = 16 * KiB };
	struct iov_iter it;
	struct kiocb iocb;
	ssize_t ret;

	efs_test_fill_pat(m, 32 * KiB, 1, 0);
	ck_assert_int_eq(dio_pwrite(fa, m, 32 * KiB, 0), 32 * KiB);
	ck_assert_int_eq(extentfs_remap_range(fa, 0, fb, 0, 0), 0);
	efs_test_fill_pat(buf, 16 * KiB, 2, 0);
	init_sync_kiocb(&iocb, fb);
	iocb.ki_pos = 0;
	iocb.ki_complete = async_done;
	async_calls = 0;
	iov_iter_kvec(&it, ITER_SOURCE, &kv, 1, 16 * KiB);
	ret = extentfs_write_iter(&iocb, &it);
	if (ret != -EIOCBQUEUED) {
		printf("efs-dio-4.4: the write completed inline (%zd); nothing staged to test\n",
		       ret);
	} else {
		ck_assert_uint_eq(cow_blocks(fb), 16 * KiB / 4096);
		efs_test_incore_ok(fs); /* (4): the COW fork owns the staged blocks */
	}
	ck_assert_int_eq(extentfs_sync(fs), 0);
	fault_power_cut_now(b);
	extentfs_close(fa);
	extentfs_close(fb);
	extentfs_unmount(fs);
	fault_power_restore(b);
	if (extentfs_check(b, NULL) != 0) {
		extentfs_check(b, stderr);
		ck_abort_msg("staged blocks are not free in the committed image");
	}
	ck_assert_int_eq(extentfs_mount(b, DEV, &fs), 0);
	efs_test_incore_ok(fs);
	fb = efs_test_open(fs, "b", O_RDONLY | O_DIRECT);
	fa = efs_test_open(fs, "a", O_RDONLY | O_DIRECT);
	verify_file(fb, m, 32 * KiB);
	ck_assert_int_eq(addr_at(fb, 0, NULL), addr_at(fa, 0, NULL));
	extentfs_close(fa);
	extentfs_close(fb);
	ck_assert_int_eq(extentfs_unmount(fs), 0);
	free(buf);
	free(m);
	backend_destroy(b);
}
END_TEST

/* ------------------------------------------------------- efs-dio-5 faults */

START_TEST(efs_dio_5_1_eio_stays_unwritten)
{
	/* efs-dio-5.1: EIO on the data write into new space: the write fails with
	 * -EIO, the extent stays UNWRITTEN (reads zeroes), the size does not move. */
	struct backend *b = backend_fault_new(make_backend(BK_RAM, IMG_SIZE, SECTOR));
	struct extentfs *fs = efs_test_mkfs(b, 4096);
	struct file *f = creat_direct(fs, "f");
	uint8_t *buf = abuf(16 * KiB), *model = calloc(1, 32 * KiB);
	bool unwritten = false;

	efs_test_fill_pat(buf, 16 * KiB, 1, 0);
	ck_assert_int_eq(dio_pwrite(f, buf, 16 * KiB, 0), 16 * KiB);
	memcpy(model, buf, 16 * KiB);
	ck_assert_int_eq(extentfs_setattr_size(f, 32 * KiB), 0);
	fault_set_eio(b, BACKEND_WRITE, FAULT_ONCE, 0);
	efs_test_fill_pat(buf, 16 * KiB, 2, 16 * KiB);
	ck_assert_int_eq(dio_pwrite(f, buf, 16 * KiB, 16 * KiB), -EIO);
	fault_set_eio(b, BACKEND_WRITE, FAULT_NONE, 0);
	ck_assert_int_ge(addr_at(f, 16 * KiB, &unwritten), 0);
	ck_assert(unwritten);
	verify_file(f, model, 32 * KiB);
	/* past EOF: the size stays */
	fault_set_eio(b, BACKEND_WRITE, FAULT_ONCE, 0);
	ck_assert_int_eq(dio_pwrite(f, buf, 16 * KiB, 32 * KiB), -EIO);
	fault_set_eio(b, BACKEND_WRITE, FAULT_NONE, 0);
	ck_assert_int_eq(i_size_read(f->f_inode), 32 * KiB);
	efs_test_incore_ok(fs);
	/* the filesystem still works */
	ck_assert_int_eq(dio_pwrite(f, buf, 16 * KiB, 16 * KiB), 16 * KiB);
	memcpy(model + 16 * KiB, buf, 16 * KiB);
	verify_file(f, model, 32 * KiB);
	extentfs_close(f);
	fs = efs_test_remount(fs, b);
	f = efs_test_open(fs, "f", O_RDONLY | O_DIRECT);
	verify_file(f, model, 32 * KiB);
	extentfs_close(f);
	ck_assert_int_eq(extentfs_unmount(fs), 0);
	free(buf);
	free(model);
	backend_destroy(b);
}
END_TEST

#define PC_OLD (32 * KiB)  /* committed file size before the write */
#define PC_OFF (16 * KiB)  /* the write: half overwrite, half new space */
#define PC_LEN (32 * KiB)

/*
 * Cut the power at write @nth of an O_DSYNC direct write (its data bios and
 * the commit), torn after @torn bytes; remount.  Every sector of the file
 * holds its old or its new data (old = zeroes past the old EOF), never the
 * device's 0xAA; the size is old or new.  Returns false once the write
 * completed without reaching the cut.
 */
static bool dio_crash_once(unsigned nth, size_t torn, unsigned *saw_new)
{
	struct backend *b = backend_fault_new(make_backend(BK_RAM, IMG_SIZE, SECTOR));
	struct extentfs *fs = efs_test_mkfs(b, 4096);
	struct file *f = creat_direct(fs, "f");
	uint8_t *oldd = abuf(PC_OLD), *newd = abuf(PC_LEN), *got = abuf(PC_OFF + PC_LEN);
	loff_t size;
	ssize_t ret;
	bool cut;

	efs_test_fill_pat(oldd, PC_OLD, 1, 0);
	ck_assert_int_eq(dio_pwrite(f, oldd, PC_OLD, 0), PC_OLD);
	ck_assert_int_eq(extentfs_fsync(f, 0), 0);
	efs_test_fill_pat(newd, PC_LEN, 2, PC_OFF);
	fault_arm_power_cut(b, nth, torn);
	ret = efs_test_rw(f, true, newd, PC_LEN, PC_OFF, 0, RWF_DSYNC, SIZE_MAX);
	cut = fault_power_is_cut(b);
	ck_assert_msg(cut ? ret < 0 : ret == PC_LEN, "write returned %zd, cut %d", ret, cut);
	extentfs_close(f);
	ck_assert_int_eq(extentfs_unmount(fs), cut ? -EIO : 0);
	fault_power_restore(b);
	fault_arm_power_cut(b, 1u << 30, 0);
	if (extentfs_check(b, NULL) != 0) {
		extentfs_check(b, stderr);
		ck_abort_msg("write %u torn at %zu: the checker rejects the image", nth, torn);
	}
	ck_assert_int_eq(extentfs_mount(b, DEV, &fs), 0);
	efs_test_incore_ok(fs);
	f = efs_test_open(fs, "f", O_RDONLY | O_DIRECT);
	size = i_size_read(f->f_inode);
	ck_assert_msg(size == PC_OLD || size == PC_OFF + PC_LEN, "size %lld", (long long)size);
	if (size != PC_OLD)
		(*saw_new)++;
	ck_assert_int_eq(dio_pread(f, got, PC_OFF + PC_LEN, 0), size);
	for (loff_t s = 0; s < size; s += SECTOR) {
		const uint8_t *o = s < PC_OLD ? oldd + s : NULL;
		const uint8_t *n = s >= PC_OFF ? newd + (s - PC_OFF) : NULL;
		bool is_old = o ? !memcmp(got + s, o, SECTOR) : true;
		bool is_new = n && !memcmp(got + s, n, SECTOR);

		if (!o) { /* new space: "old" is zeroes */
			is_old = true;
			for (int k = 0; k < SECTOR && is_old; k++)
				is_old = got[s + k] == 0;
		}
		ck_assert_msg(is_old || is_new, "write %u torn at %zu: sector at %lld is garbage "
			      "(0x%02x)", nth, torn, (long long)s, got[s]);
	}
	extentfs_close(f);
	ck_assert_int_eq(extentfs_unmount(fs), 0);
	free(oldd);
	free(newd);
	free(got);
	backend_destroy(b);
	return cut;
}

START_TEST(efs_dio_5_2_power_cut)
{
	/* efs-dio-5.2: a power cut at every write of an O_DSYNC direct write. */
	const size_t torn[] = { 0, SECTOR, SIZE_MAX / 2 };

	for (size_t t = 0; t < ARRAY_SIZE(torn); t++) {
		unsigned nth = 0, saw_new = 0;

		while (dio_crash_once(nth, torn[t], &saw_new))
			nth++;
		printf("efs-dio-5.2: torn at %zd: %u cut points, new size seen %u times\n",
		       torn[t] > (size_t)INT64_MAX ? (ssize_t)-1 : (ssize_t)torn[t], nth, saw_new);
		/* data bio(s), chain, superblock: at least 3 points */
		ck_assert_uint_ge(nth, 3);
	}
}
END_TEST

/* --------------------------------------------------- efs-dio-6 concurrent */

struct writer_arg {
	struct file *f;
	loff_t base;
	unsigned tag;
	int errors;
};

#define CW_CHUNK (4 * KiB)
#define CW_COUNT 32

static void *writer(void *p)
{
	struct writer_arg *a = p;
	uint8_t *buf = abuf(CW_CHUNK);

	for (int i = 0; i < CW_COUNT; i++) {
		loff_t off = a->base + (loff_t)i * CW_CHUNK;

		efs_test_fill_pat(buf, CW_CHUNK, a->tag, off);
		if (dio_pwrite(a->f, buf, CW_CHUNK, off) != CW_CHUNK)
			a->errors++;
	}
	free(buf);
	return NULL;
}

START_TEST(efs_dio_6_1_two_writers)
{
	/* efs-dio-6.1: concurrent mode, two threads writing disjoint ranges of one
	 * file: the data is right, the size is the larger end, no lock-order report. */
	struct backend *b;
	struct extentfs *fs;
	struct file *f;
	struct writer_arg args[2];
	pthread_t t[2];
	loff_t total = 2 * CW_COUNT * CW_CHUNK;
	uint8_t *model = malloc((size_t)total);

	kernel_set_exec_mode(EXEC_CONCURRENT);
	lockdep_reset();
	lockdep_set_quiet(true);
	b = make_backend(BK_RAM, IMG_SIZE, SECTOR);
	fs = efs_test_mkfs(b, 4096);
	f = creat_direct(fs, "f");
	for (int i = 0; i < 2; i++) {
		args[i] = (struct writer_arg){ f, i * (total / 2), (unsigned)i + 5, 0 };
		efs_test_fill_pat(model + i * (total / 2), (size_t)total / 2, args[i].tag, i * (total / 2));
		ck_assert_int_eq(pthread_create(&t[i], NULL, writer, &args[i]), 0);
	}
	for (int i = 0; i < 2; i++) {
		pthread_join(t[i], NULL);
		ck_assert_int_eq(args[i].errors, 0);
	}
	verify_file(f, model, total);
	efs_test_incore_ok(fs);
	ck_assert_int_eq(lockdep_nr_reports(), 0);
	extentfs_close(f);
	fs = efs_test_remount(fs, b);
	f = efs_test_open(fs, "f", O_RDONLY | O_DIRECT);
	verify_file(f, model, total);
	extentfs_close(f);
	ck_assert_int_eq(extentfs_unmount(fs), 0);
	free(model);
	backend_destroy(b);
}
END_TEST

/* ------------------------------------------------------- efs-dio-7 checks */

START_TEST(efs_dio_7_1_entry_checks)
{
	/* efs-dio-7.1: what the entry points refuse, and O_APPEND. */
	struct backend *b = make_backend(BK_RAM, IMG_SIZE, SECTOR);
	struct extentfs *fs = efs_test_mkfs(b, 4096);
	struct file *f = creat_direct(fs, "f"), *ro, *wo, *buffered;
	uint8_t *buf = abuf(8 * KiB);
	struct swap_info_struct sis = { 0 };
	sector_t span;
	loff_t max = fs->sb.s_maxbytes;

	efs_test_fill_pat(buf, 8 * KiB, 1, 0);
	ro = efs_test_open(fs, "f", O_RDONLY | O_DIRECT);
	wo = efs_test_open(fs, "f", O_WRONLY | O_DIRECT);
	buffered = efs_test_open(fs, "f", O_RDWR);
	ck_assert_int_eq(dio_pwrite(ro, buf, 4096, 0), -EBADF);
	ck_assert_int_eq(dio_pread(wo, buf, 4096, 0), -EBADF);
	/* Without O_DIRECT the same calls go through the page cache (test_buffered.c). */
	ck_assert_int_eq(dio_pwrite(buffered, buf, 4096, 0), 4096);
	ck_assert_int_eq(dio_pread(buffered, buf, 4096, 0), 4096);
	ck_assert_int_eq(extentfs_setattr_size(buffered, 0), 0);
	ck_assert_int_eq(dio_pwrite(f, buf, 100, 0), -EINVAL);     /* not sector aligned */
	ck_assert_int_eq(dio_pwrite(f, buf, SECTOR, 100), -EINVAL);
	ck_assert_int_eq(dio_pwrite(f, buf, 0, 0), 0);
	/* s_maxbytes (lowered to 1 MiB here): at it -EFBIG, across it short */
	fs->sb.s_maxbytes = 1 * MiB;
	ck_assert_int_eq(dio_pwrite(f, buf, 4096, 1 * MiB), -EFBIG);
	ck_assert_int_eq(dio_pwrite(f, buf, 8192, 1 * MiB - 4096), 4096);
	ck_assert_int_eq(i_size_read(f->f_inode), 1 * MiB);
	fs->sb.s_maxbytes = max;
	ck_assert_int_eq(extentfs_setattr_size(f, 0), 0);
	/* O_APPEND writes at EOF whatever the position says */
	ck_assert_int_eq(dio_pwrite(f, buf, 4096, 0), 4096);
	ck_assert_int_eq(efs_test_rw(f, true, buf + 4096, 4096, 0, 0, RWF_APPEND, SIZE_MAX), 4096);
	ck_assert_int_eq(i_size_read(f->f_inode), 8192);
	ck_assert_int_eq(dio_pread(f, buf, 8192, 0), 8192);
	for (int k = 0; k < 8192; k++)
		ck_assert_uint_eq(buf[k], efs_test_pat(1, k));
	/* an active swap file takes no writes */
	ck_assert_int_eq(extentfs_fsync(f, 0), 0);
	ck_assert_int_gt(extentfs_swapon(f, &sis, &span), 0);
	ck_assert_int_eq(dio_pwrite(f, buf, 4096, 0), -ETXTBSY);
	swap_info_release(&sis);
	ck_assert_int_eq(extentfs_swapoff(f), 0);
	efs_test_incore_ok(fs);
	extentfs_close(ro);
	extentfs_close(wo);
	extentfs_close(buffered);
	extentfs_close(f);
	ck_assert_int_eq(extentfs_unmount(fs), 0);
	free(buf);
	backend_destroy(b);
}
END_TEST

START_TEST(efs_dio_7_2_nowait)
{
	/* efs-dio-7.2: IOCB_NOWAIT: -EAGAIN wherever the write would allocate or wait;
	 * pure overwrites go through. */
	struct backend *b = make_backend(BK_RAM, IMG_SIZE, SECTOR);
	struct extentfs *fs = efs_test_mkfs(b, 4096);
	struct file *f = creat_direct(fs, "f");
	uint8_t *buf = abuf(16 * KiB);

	efs_test_fill_pat(buf, 16 * KiB, 1, 0);
	ck_assert_int_eq(efs_test_rw(f, true, buf, 4096, 0, 0, RWF_NOWAIT, SIZE_MAX), -EAGAIN); /* hole */
	ck_assert_int_eq(dio_pwrite(f, buf, 8 * KiB, 0), 8 * KiB);
	ck_assert_int_eq(extentfs_setattr_size(f, 16 * KiB), 0);
	ck_assert_int_eq(efs_test_rw(f, true, buf, 4096, 4096, 0, RWF_NOWAIT, SIZE_MAX), 4096);      /* overwrite */
	ck_assert_int_eq(efs_test_rw(f, true, buf, SECTOR, 1024, 0, RWF_NOWAIT, SIZE_MAX), SECTOR); /* unaligned overwrite */
	ck_assert_int_eq(efs_test_rw(f, true, buf, SECTOR, 9 * KiB, 0, RWF_NOWAIT, SIZE_MAX), -EAGAIN); /* unaligned, hole */
	ck_assert_int_eq(efs_test_rw(f, true, buf, 4096, 8 * KiB, 0, RWF_NOWAIT, SIZE_MAX), -EAGAIN);   /* aligned, hole */
	ck_assert_int_eq(efs_test_rw(f, true, buf, 4096, 32 * KiB, 0, RWF_NOWAIT, SIZE_MAX), -EAGAIN);  /* past EOF */
	ck_assert_int_eq(efs_test_rw(f, false, buf, 8 * KiB, 0, 0, RWF_NOWAIT, SIZE_MAX), 8 * KiB);
	ck_assert_int_eq(i_size_read(f->f_inode), 16 * KiB);
	ck_assert_int_eq(addr_at(f, 8 * KiB, NULL), -1);
	efs_test_incore_ok(fs);
	extentfs_close(f);
	ck_assert_int_eq(extentfs_unmount(fs), 0);
	free(buf);
	backend_destroy(b);
}
END_TEST

START_TEST(efs_dio_7_3_dsync_commits)
{
	/* efs-dio-7.3: O_DSYNC (RWF_DSYNC) commits the allocation before returning:
	 * a power cut right after the write keeps it. */
	struct backend *b = backend_fault_new(make_backend(BK_RAM, IMG_SIZE, SECTOR));
	struct extentfs *fs = efs_test_mkfs(b, 4096);
	struct file *f = creat_direct(fs, "f");
	uint8_t *buf = abuf(16 * KiB);
	uint64_t gen = extentfs_generation(fs);

	efs_test_fill_pat(buf, 16 * KiB, 1, 0);
	ck_assert_int_eq(efs_test_rw(f, true, buf, 16 * KiB, 0, 0, RWF_DSYNC, SIZE_MAX), 16 * KiB);
	ck_assert_uint_gt(extentfs_generation(fs), gen);
	ck_assert(!efs_inode_meta_dirty(EFS_I(f->f_inode)));
	fault_power_cut_now(b);
	extentfs_close(f);
	extentfs_unmount(fs);
	fault_power_restore(b);
	ck_assert_int_eq(extentfs_check(b, NULL), 0);
	ck_assert_int_eq(extentfs_mount(b, DEV, &fs), 0);
	f = efs_test_open(fs, "f", O_RDONLY | O_DIRECT);
	verify_file(f, buf, 16 * KiB);
	extentfs_close(f);
	ck_assert_int_eq(extentfs_unmount(fs), 0);
	free(buf);
	backend_destroy(b);
}
END_TEST

START_TEST(efs_dio_7_4_truncate_waits)
{
	/* efs-dio-7.4: truncate waits for an asynchronous extending write in flight:
	 * its completion cannot grow the file back after the truncate. */
	struct backend *b = make_backend(BK_RAM, IMG_SIZE, SECTOR);
	struct extentfs *fs = efs_test_mkfs(b, 4096);
	struct file *f = creat_direct(fs, "f");
	uint8_t *buf = abuf(64 * KiB);
	struct kvec kv = { .iov_base = buf, .iov_len = 64 * KiB };
	struct iov_iter it;
	struct kiocb iocb;
	ssize_t ret;

	efs_test_fill_pat(buf, 64 * KiB, 1, 0);
	init_sync_kiocb(&iocb, f);
	iocb.ki_pos = 0;
	iocb.ki_complete = async_done;
	async_calls = 0;
	iov_iter_kvec(&it, ITER_SOURCE, &kv, 1, 64 * KiB);
	ret = extentfs_write_iter(&iocb, &it);
	ck_assert(ret == -EIOCBQUEUED || ret == 64 * KiB);
	ck_assert_int_eq(extentfs_setattr_size(f, 16 * KiB), 0);
	ck_assert_int_eq(async_calls, ret == -EIOCBQUEUED ? 1 : 0);
	ck_assert_int_eq(i_size_read(f->f_inode), 16 * KiB);
	verify_file(f, buf, 16 * KiB);
	ck_assert_int_eq(addr_at(f, 32 * KiB, NULL), -1);
	efs_test_incore_ok(fs);
	extentfs_close(f);
	ck_assert_int_eq(extentfs_unmount(fs), 0);
	free(buf);
	backend_destroy(b);
}
END_TEST

/* --------------------------------------------------------- efs-dio-8 loop */

static struct loopdev loop;
static bool loop_ok;

static void loop_setup(void)
{
	loop_ok = loopdev_attach(&loop, 16 * MiB, SECTOR) == 0;
	if (!loop_ok)
		printf("SKIP loop: %s\n", loop.reason);
	else
		printf("loop: extentfs direct I/O on %s\n", loop.path);
}

static void loop_teardown(void)
{
	loopdev_detach(&loop);
}

START_TEST(efs_dio_8_1_loop_round_trip)
{
	/* efs-dio-8.1: the round trip of efs-dio-1.1 on a real block device. */
	uint32_t bs = _i ? 4096 : 1024;
	struct backend *b;
	struct extentfs *fs;
	struct file *f;
	uint8_t *model;
	loff_t size = 0;

	if (!loop_ok)
		return;
	b = backend_bdev_new(loop.path);
	ck_assert_ptr_nonnull(b);
	efs_test_fill_device(b, GARBAGE);
	fs = efs_test_mkfs(b, bs);
	f = creat_direct(fs, "f");
	model = calloc(64, bs);
	rt_sequence(f, model, &size, bs);
	efs_test_incore_ok(fs);
	ck_assert_int_eq(extentfs_fsync(f, 0), 0);
	extentfs_close(f);
	fs = efs_test_remount(fs, b);
	f = efs_test_open(fs, "f", O_RDONLY | O_DIRECT);
	verify_file(f, model, size);
	extentfs_close(f);
	ck_assert_int_eq(extentfs_unmount(fs), 0);
	free(model);
	backend_destroy(b);
}
END_TEST

static Suite *dio_suite(void)
{
	Suite *s = suite_create("extentfs-dio");
	TCase *tc;

	tc = tcase_create("efs-dio-1 round trip");
	tcase_add_loop_test(tc, efs_dio_1_1_round_trip, 0, ARRAY_SIZE(rt_table));
	suite_add_tcase(s, tc);

	tc = tcase_create("efs-dio-2 mappings");
	tcase_add_test(tc, efs_dio_2_1_new_unwritten_then_mapped);
	tcase_add_test(tc, efs_dio_2_2_scenario05);
	suite_add_tcase(s, tc);

	tc = tcase_create("efs-dio-3 zeroing");
	tcase_add_test(tc, efs_dio_3_1_subblock_zeroes_on_device);
	tcase_add_test(tc, efs_dio_3_2_past_eof_zeroes_gap);
	tcase_add_test(tc, efs_dio_3_3_size_at_completion);
	suite_add_tcase(s, tc);

	tc = tcase_create("efs-dio-4 cow");
	tcase_add_loop_test(tc, efs_dio_4_1_cow, 0, 2);
	tcase_add_test(tc, efs_dio_4_2_cow_eio_frees_staging);
	tcase_add_test(tc, efs_dio_4_3_cow_unaligned_bounces);
	tcase_add_test(tc, efs_dio_4_4_commit_with_staging);
	suite_add_tcase(s, tc);

	tc = tcase_create("efs-dio-5 faults");
	tcase_add_test(tc, efs_dio_5_1_eio_stays_unwritten);
	tcase_add_test(tc, efs_dio_5_2_power_cut);
	suite_add_tcase(s, tc);

	tc = tcase_create("efs-dio-6 concurrent");
	tcase_add_test(tc, efs_dio_6_1_two_writers);
	suite_add_tcase(s, tc);

	tc = tcase_create("efs-dio-7 checks");
	tcase_add_test(tc, efs_dio_7_1_entry_checks);
	tcase_add_test(tc, efs_dio_7_2_nowait);
	tcase_add_test(tc, efs_dio_7_3_dsync_commits);
	tcase_add_test(tc, efs_dio_7_4_truncate_waits);
	suite_add_tcase(s, tc);

	tc = tcase_create("efs-dio-8 loop");
	tcase_add_unchecked_fixture(tc, loop_setup, loop_teardown);
	tcase_add_loop_test(tc, efs_dio_8_1_loop_round_trip, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(dio_suite());
}
