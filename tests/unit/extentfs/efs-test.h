/**
 * @file efs-test.h
 * @brief Scaffolding shared by the extentfs Check suites (test_extentfs.c,
 *        test_dio.c, test_buffered.c, test_inline.c): a device filled with
 *        garbage, mkfs + mount, open, the in-core and on-disk checkers, a
 *        checked remount, buffered I/O through the file's entry points and
 *        the byte pattern the buffered suites write.
 *
 * Use: make a device with efs_test_backend(), format and mount it with
 * efs_test_mkfs(), open files with efs_test_open(); efs_test_remount()
 * unmounts, runs the image checker and mounts again.  Every helper asserts
 * with Check's ck_assert_*, so it may only be called from inside a Check
 * test (a failed assert ends that test, never the runner).  A helper that
 * returns an object hands it to the caller: the caller unmounts the file
 * system (extentfs_unmount()), closes the files and frees the backend.
 *
 * The device is filled with #GARBAGE before mkfs, so data the file system
 * never wrote shows up as GARBAGE bytes, never as zeroes by luck.  No
 * locks: each test runs single-threaded in its own forked process.
 */
#ifndef IOMAP_TESTS_EFS_TEST_H
#define IOMAP_TESTS_EFS_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "samples/extentfs/extentfs_priv.h"

/** One kibibyte, as a signed 64-bit count (loff_t arithmetic). */
#define KiB (1ll << 10)
/** One mebibyte, as a signed 64-bit count. */
#define MiB (1ll << 20)
/** The device number every test mounts with. */
#define DEV MKDEV(7, 0)
/** The default device size of the suites. */
#define IMG_SIZE (8 * MiB)
/** The logical block size of the devices unless a test says otherwise. */
#define SECTOR 512
/** What the device holds before mkfs: a byte no pattern ever writes. */
#define GARBAGE 0xAA

/** Where a test device keeps its bytes. */
enum efs_test_bkind {
	BK_RAM,  /**< backend_ram_new(): memory */
	BK_FILE, /**< backend_file_new(): an unlinked file under /tmp */
};

/**
 * Write @p byte to every byte of @p b (synchronously, 1 MiB at a time).
 * @param b the device
 * @param byte the fill value
 */
void efs_test_fill_device(struct backend *b, uint8_t byte);

/**
 * A new device of @p size bytes filled with #GARBAGE.
 * @param k memory or file
 * @param size bytes
 * @param lbs the logical block size (#SECTOR unless a test needs another)
 * @param tag for #BK_FILE: the file is made by mkstemp("/tmp/<tag>-XXXXXX")
 *        and unlinked at once (the open backend keeps it; nothing is left
 *        behind); the tag says which suite made a stray file
 * @return the backend (never NULL: a failure fails the test)
 */
struct backend *efs_test_backend(enum efs_test_bkind k, uint64_t size, uint32_t lbs,
				 const char *tag);

/**
 * extentfs_mkfs() with @p bs-byte blocks and default options, then mount.
 * @param b the device
 * @param bs block size in bytes
 * @return the mounted file system
 */
struct extentfs *efs_test_mkfs(struct backend *b, uint32_t bs);

/**
 * extentfs_open(), asserting success.
 * @param fs the file system
 * @param name the file name
 * @param flags O_* flags
 * @return the open file
 */
struct file *efs_test_open(struct extentfs *fs, const char *name, int flags);

/**
 * Assert that efs_check_incore() finds nothing wrong (it prints what it
 * finds to stderr).
 * @param fs the mounted file system
 */
void efs_test_incore_ok(struct extentfs *fs);

/**
 * Assert that extentfs_check() accepts the image on @p b; on failure run it
 * again printing to stderr, then fail the test.
 * @param b the (unmounted) device
 */
void efs_test_image_ok(struct backend *b);

/**
 * Check @p fs in core, unmount it (must succeed), check the image, mount it
 * again and check it in core.  Files of @p fs must be closed first.
 * @param fs the mounted file system (gone on return)
 * @param b its device
 * @return the file system mounted again
 */
struct extentfs *efs_test_remount(struct extentfs *fs, struct backend *b);

/**
 * The reference count of the block at device byte @p byte_addr, read under
 * the file system's commit_lock (the lock that protects the refcount tree).
 * @param fs the mounted file system
 * @param byte_addr a device address in bytes (block aligned)
 * @return the count (0: not shared, not in the tree)
 */
uint64_t efs_test_refcount(struct extentfs *fs, int64_t byte_addr);

/**
 * Blocks not in use: free plus busy (freed in the running transaction, not
 * reusable until it commits), read under commit_lock.
 * @param fs the mounted file system
 * @return blocks
 */
uint64_t efs_test_free_blocks(struct extentfs *fs);

/**
 * One read or write of @p len bytes at @p off through extentfs_read_iter()
 * / extentfs_write_iter(), as read(2) and write(2) would call them.
 * @param f the file
 * @param write write (true) or read
 * @param buf the user buffer
 * @param len bytes
 * @param off file position
 * @param iocb_flags IOCB_* flags added to the file's (IOCB_DIRECT for a
 *        direct request on a file opened without O_DIRECT), or 0
 * @param rwf RWF_* flags of pwritev2(2) / preadv2(2), applied through
 *        kiocb_set_rw_flags() (which must accept them), or 0
 * @param fault_at bytes of @p buf that copy before a "page fault"
 *        (SIZE_MAX: none; see struct iov_iter)
 * @return bytes done or -errno
 */
ssize_t efs_test_rw(struct file *f, bool write, void *buf, size_t len, loff_t off,
		    unsigned iocb_flags, int rwf, size_t fault_at);

/**
 * A buffered write of @p len bytes at @p off.
 * @param f the file
 * @param buf the data
 * @param len bytes
 * @param off file position
 * @return bytes written or -errno
 */
ssize_t efs_test_bwrite(struct file *f, const void *buf, size_t len, loff_t off);

/**
 * A buffered read of @p len bytes at @p off.
 * @param f the file
 * @param buf where to put the data
 * @param len bytes
 * @param off file position
 * @return bytes read or -errno
 */
ssize_t efs_test_bread(struct file *f, void *buf, size_t len, loff_t off);

/**
 * The byte write number @p tag puts at file position @p pos: it changes
 * from byte to byte and from 512-byte sector to sector, and is never 0 nor
 * #GARBAGE, so a zero or stale byte can never pass for data.
 * @param tag which write
 * @param pos file position
 * @return the byte
 */
uint8_t efs_test_pat(unsigned tag, loff_t pos);

/**
 * Fill @p buf with efs_test_pat(@p tag, @p off + k) for k in [0, @p len).
 * @param buf the buffer
 * @param len bytes
 * @param tag which write
 * @param off the file position of buf[0]
 */
void efs_test_fill_pat(uint8_t *buf, size_t len, unsigned tag, loff_t off);

/**
 * Read the whole file in one request, through the page cache or directly
 * as @p f was opened, and assert that it equals @p model[0, @p size) and
 * that i_size is @p size.  The buffer is page aligned and a whole number
 * of sectors, a sector more than the file holds, so the read must stop at
 * EOF by itself.
 * @param f the file
 * @param model the expected bytes
 * @param size the expected file size
 * @param eof_read_zero also assert that a read of a sector at @p size
 *        returns 0 (a direct read needs @p size sector aligned for that)
 */
void efs_test_verify_file(struct file *f, const uint8_t *model, loff_t size, bool eof_read_zero);

#endif /* IOMAP_TESTS_EFS_TEST_H */
