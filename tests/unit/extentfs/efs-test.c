/**
 * @file efs-test.c
 * @brief Scaffolding shared by the extentfs Check suites; see efs-test.h
 *        for the contract (every helper asserts, so call them from inside
 *        a Check test only).
 */
#include "efs-test.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void efs_test_fill_device(struct backend *b, uint8_t byte)
{
	size_t chunk = 1 << 20;
	uint8_t *buf = aligned_alloc(4096, chunk);

	ck_assert_ptr_nonnull(buf);
	memset(buf, byte, chunk);
	for (uint64_t off = 0; off < b->size; off += chunk) {
		size_t n = b->size - off < chunk ? (size_t)(b->size - off) : chunk;

		ck_assert_int_eq(backend_rw_sync(b, BACKEND_WRITE, off, buf, n, 0), 0);
	}
	free(buf);
}

struct backend *efs_test_backend(enum efs_test_bkind k, uint64_t size, uint32_t lbs,
				 const char *tag)
{
	struct backend *b;

	if (k == BK_RAM) {
		b = backend_ram_new(size, lbs);
	} else {
		char path[256];
		int fd;

		snprintf(path, sizeof(path), "/tmp/%s-XXXXXX", tag);
		fd = mkstemp(path);
		ck_assert_int_ge(fd, 0);
		close(fd);
		b = backend_file_new(path, size, lbs);
		/* The open backend keeps the file; nothing is left behind. */
		unlink(path);
	}
	ck_assert_ptr_nonnull(b);
	efs_test_fill_device(b, GARBAGE);
	return b;
}

struct extentfs *efs_test_mkfs(struct backend *b, uint32_t bs)
{
	struct extentfs_mkfs_opts o = { .block_size = bs };
	struct extentfs *fs = NULL;

	ck_assert_int_eq(extentfs_mkfs(b, &o), 0);
	ck_assert_int_eq(extentfs_mount(b, DEV, &fs), 0);
	return fs;
}

struct file *efs_test_open(struct extentfs *fs, const char *name, int flags)
{
	struct file *f = NULL;

	ck_assert_int_eq(extentfs_open(fs, name, flags, &f), 0);
	return f;
}

void efs_test_incore_ok(struct extentfs *fs)
{
	ck_assert_uint_eq(efs_check_incore(fs, stderr), 0);
}

void efs_test_image_ok(struct backend *b)
{
	if (extentfs_check(b, NULL) != 0) {
		extentfs_check(b, stderr);
		ck_abort_msg("the checker rejects the image");
	}
}

struct extentfs *efs_test_remount(struct extentfs *fs, struct backend *b)
{
	efs_test_incore_ok(fs);
	ck_assert_int_eq(extentfs_unmount(fs), 0);
	efs_test_image_ok(b);
	ck_assert_int_eq(extentfs_mount(b, DEV, &fs), 0);
	efs_test_incore_ok(fs);
	return fs;
}

uint64_t efs_test_refcount(struct extentfs *fs, int64_t byte_addr)
{
	uint64_t c;

	mutex_lock(&fs->commit_lock);
	c = efs_refcount_get(&fs->refc, (uint64_t)byte_addr >> fs->blkbits, NULL);
	mutex_unlock(&fs->commit_lock);
	return c;
}

uint64_t efs_test_free_blocks(struct extentfs *fs)
{
	uint64_t n;

	mutex_lock(&fs->commit_lock);
	n = fs->free.total + fs->busy.total;
	mutex_unlock(&fs->commit_lock);
	return n;
}

ssize_t efs_test_rw(struct file *f, bool write, void *buf, size_t len, loff_t off,
		    unsigned iocb_flags, int rwf, size_t fault_at)
{
	struct kiocb iocb;
	struct kvec kv = { .iov_base = buf, .iov_len = len };
	struct iov_iter it;

	init_sync_kiocb(&iocb, f);
	iocb.ki_pos = off;
	iocb.ki_flags |= iocb_flags;
	if (rwf)
		ck_assert_int_eq(kiocb_set_rw_flags(&iocb, rwf), 0);
	iov_iter_kvec(&it, write ? ITER_SOURCE : ITER_DEST, &kv, 1, len);
	it.fault_at = fault_at;
	return write ? extentfs_write_iter(&iocb, &it) : extentfs_read_iter(&iocb, &it);
}

ssize_t efs_test_bwrite(struct file *f, const void *buf, size_t len, loff_t off)
{
	/* The iterator only reads a source buffer; the cast drops const for kvec. */
	return efs_test_rw(f, true, (void *)buf, len, off, 0, 0, SIZE_MAX);
}

ssize_t efs_test_bread(struct file *f, void *buf, size_t len, loff_t off)
{
	return efs_test_rw(f, false, buf, len, off, 0, 0, SIZE_MAX);
}

uint8_t efs_test_pat(unsigned tag, loff_t pos)
{
	uint8_t v = (uint8_t)(tag * 37 + (unsigned)pos * 7 + (unsigned)(pos >> 9) * 11 + 1);

	return v == 0 || v == GARBAGE ? (uint8_t)(v + 3) : v;
}

void efs_test_fill_pat(uint8_t *buf, size_t len, unsigned tag, loff_t off)
{
	for (size_t k = 0; k < len; k++)
		buf[k] = efs_test_pat(tag, off + (loff_t)k);
}

void efs_test_verify_file(struct file *f, const uint8_t *model, loff_t size, bool eof_read_zero)
{
	/* A sector more than the file holds: the read must stop at EOF. */
	size_t len = (size_t)((size + SECTOR - 1) / SECTOR * SECTOR) + SECTOR;
	uint8_t *buf = aligned_alloc(4096, (len + 4095) & ~(size_t)4095);

	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(i_size_read(f->f_inode), size);
	memset(buf, 0x5c, len);
	ck_assert_int_eq(efs_test_bread(f, buf, len, 0), size);
	for (loff_t k = 0; k < size; k++)
		if (buf[k] != model[k])
			ck_abort_msg("byte %lld: read 0x%02x, expected 0x%02x", (long long)k, buf[k],
				     model[k]);
	if (eof_read_zero)
		ck_assert_int_eq(efs_test_bread(f, buf, SECTOR, size), 0);
	free(buf);
}
