/*
 * test_mmap.c — mmap, mread, mwrite, msync, munmap (samples/iocmd/mmap.c
 * over core/kernel/mmap.c) on extentfs.
 *
 * Areas:
 *   mmap-1.*  the commands as xfs_io 6.1 prints them: the mapping table,
 *             selecting, removing, range checks, argument errors, exit codes
 *   mmap-2.*  what a program writing through a shared mapping notices:
 *             stores reach the file, survive fsync and a remount, are
 *             counted dirty again after writeback (write-protection and
 *             ->page_mkwrite per page), SIGBUS past EOF and after
 *             truncation, SIGSEGV against the protection
 *
 * Where the expected strings come from: "xfs_io 6.1" marks text printed by
 * the real xfs_io 6.1.0 on XFS (Linux 6.18) for the same commands on a file
 * named "f"; its addresses were random, so ours are put in by hand: iocmd
 * hands out addresses downwards from 0x7f0000000000 (first 64 KiB mapping
 * 0x7effffff0000, then an 8 KiB one at 0x7efffffee000).
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include <iomap/pagecache.h>

#include "../testutil.h"
#include "samples/iocmd/iocmd-internal.h"

#define FS_SIZE (16ull << 20)

static struct backend *B;
static struct extentfs *FS;
static struct iocmd *IC;
static char *OUT, *ERR;

static void new_context(void)
{
	IC = iocmd_new(FS, stdout, stderr);
	ck_assert_ptr_nonnull(IC);
	iocmd_set_trace_ops(IC, false);
}

static void fs_setup(void)
{
	B = backend_ram_new(FS_SIZE, 512);
	ck_assert_ptr_nonnull(B);
	ck_assert_int_eq(extentfs_mkfs(B, NULL), 0);
	ck_assert_int_eq(extentfs_mount(B, MKDEV(7, 0), &FS), 0);
	new_context();
}

static void fs_teardown(void)
{
	iocmd_free(IC);
	ck_assert_int_eq(extentfs_unmount(FS), 0);
	backend_destroy(B);
	free(OUT);
	free(ERR);
	OUT = ERR = NULL;
}

static enum iocmd_next run(const char *line)
{
	size_t n1, n2;
	FILE *o, *e;
	enum iocmd_next next;

	free(OUT);
	free(ERR);
	o = open_memstream(&OUT, &n1);
	e = open_memstream(&ERR, &n2);
	IC->out = o;
	IC->err = e;
	next = iocmd_run_cmdline(IC, line);
	fclose(o);
	fclose(e);
	IC->out = stdout;
	IC->err = stderr;
	return next;
}

static void run_ok(const char *line)
{
	run(line);
	ck_assert_msg(strcmp(ERR, "") == 0, "%s: unexpected stderr: %s", line, ERR);
}

/* ---------------------------------------------------------------------- */
/* mmap-1: the commands                                                    */

#define MAP0 "0x7effffff0000 - 0x7f0000000000 -w-               f (0 : 65536)\n"
#define MAP1 "0x7efffffee000 - 0x7effffff0000 r--               f (4096 : 8192)\n"

/* mmap-1.1: the table, the current entry, selecting (xfs_io 6.1). */
START_TEST(mmap_1_1_table)
{
	ck_assert_int_eq(iocmd_open(IC, "f", IOCMD_IO_CREAT), 0);
	run_ok("truncate 64k");
	run_ok("mmap -w 0 64k");
	ck_assert_str_eq(OUT, "");
	run_ok("mmap -r 4k 8k");
	run_ok("mmap");
	ck_assert_str_eq(OUT, " 000  " MAP0 "[001] " MAP1);
	run_ok("mmap 0");
	ck_assert_str_eq(OUT, "[000] " MAP0 " 001  " MAP1);
	run_ok("mmap 5");
	ck_assert_str_eq(OUT, "value 5 is out of range (0-2)\n");
	ck_assert_int_eq(iocmd_exit_code(IC), 1);
	/* munmap removes the current entry and lists what is left. */
	run_ok("mmap 1");
	run_ok("munmap");
	ck_assert_str_eq(OUT, "[000] " MAP0);
	run_ok("munmap");
	ck_assert_str_eq(OUT, "");
	run("munmap");
	ck_assert_str_eq(ERR, "no mapped regions, try 'help mmap'\n");
}
END_TEST

/* mmap-1.2: no mapping, bad arguments, refused mappings (xfs_io 6.1). */
START_TEST(mmap_1_2_errors)
{
	run("mmap");
	ck_assert_str_eq(ERR, "no files are open, try 'help open'\n");
	ck_assert_int_eq(iocmd_exit_code(IC), 1);
	iocmd_free(IC);
	new_context();
	ck_assert_int_eq(iocmd_open(IC, "f", IOCMD_IO_CREAT), 0);
	run("mread 0 4");
	ck_assert_str_eq(ERR, "no mapped regions, try 'help mmap'\n");
	ck_assert_int_eq(iocmd_exit_code(IC), 0);
	run("mmap");
	ck_assert_str_eq(ERR, "no mapped regions, try 'help mmap'\n");
	ck_assert_int_eq(iocmd_exit_code(IC), 1);
	run("mmap 0 x");
	ck_assert_str_eq(OUT, "non-numeric length argument -- x\n");
	run("mmap x 4");
	ck_assert_str_eq(OUT, "non-numeric offset argument -- x\n");
	run("mmap 0 4k 5");
	ck_assert_str_eq(OUT, "mmap [N] | [-rwxS] [-s size] [off len] -- mmap a range in the "
			      "current file, show mappings\n");
	run("mmap -S 0 4k");
	ck_assert_str_eq(ERR, "mmap: Operation not supported\n");
	run("mmap -q 0 4k");
	ck_assert_str_eq(ERR, "mmap: invalid option -- 'q'\n");
	run_ok("mmap 0 4k");
	run("mwrite -S q 0 1");
	ck_assert_str_eq(OUT, "non-numeric seed -- q\n");
	run("msync 0");
	ck_assert_str_eq(OUT, "msync [-ais] [off len] -- flush a region in the current memory "
			      "mapping\n");
	/* A file open read-only cannot be mapped writable. */
	run_ok("open -r f");
	run("mmap -w 0 4k");
	ck_assert_str_eq(ERR, "mmap: Permission denied\n");
}
END_TEST

/* mmap-1.3: range checks, quirks included (xfs_io 6.1). */
START_TEST(mmap_1_3_ranges)
{
	ck_assert_int_eq(iocmd_open(IC, "f", IOCMD_IO_CREAT), 0);
	run_ok("truncate 64k");
	run_ok("mmap -w 0 64k");
	run_ok("mmap -r 4k 8k");
	run_ok("mmap 0");
	run_ok("mread 5k");
	ck_assert_str_eq(OUT, "mread [-r] [off len] -- reads data from a region in the current "
			      "memory mapping\n");
	ck_assert_int_eq(iocmd_exit_code(IC), 0); /* xfs_io 6.1: mread's usage does not */
	run_ok("mwrite 0");
	ck_assert_int_eq(iocmd_exit_code(IC), 1); /* ... mwrite's does */
	run_ok("msync 1 4k");
	ck_assert_str_eq(OUT, "offset address (0x7effffff0001) is not page aligned\n");
	run_ok("mwrite 0 70k");
	ck_assert_str_eq(OUT, "range (0:0) is beyond mapping (0:65536)\n");
	run_ok("mwrite 70k 4");
	ck_assert_str_eq(OUT, "offset (71680) is beyond end of mapping (0)\n");
	run_ok("mmap 1");
	run_ok("mread 0 1");
	ck_assert_str_eq(OUT, "offset (0) is before start of mapping (4096)\n");
	ck_assert_int_eq(iocmd_exit_code(IC), 1);
}
END_TEST

/* mmap-1.4: mread -v / -f / -r dumps (xfs_io 6.1). */
START_TEST(mmap_1_4_dump)
{
	ck_assert_int_eq(iocmd_open(IC, "f", IOCMD_IO_CREAT), 0);
	run_ok("truncate 64k");
	run_ok("mmap -w 0 64k");
	run_ok("mwrite -S 0x88 4096 8192");
	run_ok("mread -v 4090 8");
	ck_assert_str_eq(OUT, "00000ffa:  00 00 00 00 00 00 88 88  ........\n");
	run_ok("mread -f -r 4094 4");
	ck_assert_str_eq(OUT, "00000ffe:  88 88 00 00  ....\n");
	/* The stores are in the page cache: pread sees them. */
	run_ok("pread -v 12286 4");
	ck_assert_ptr_nonnull(strstr(OUT, "00002ffe:  88 88 00 00  ....\n"));
}
END_TEST

/* ---------------------------------------------------------------------- */
/* mmap-2: what a program notices                                          */

/* mmap-2.1: stores survive msync -s, fsync and a remount. */
START_TEST(mmap_2_1_persist)
{
	ck_assert_int_eq(iocmd_open(IC, "f", IOCMD_IO_CREAT), 0);
	run_ok("truncate 64k");
	run_ok("mmap 0 64k");
	run_ok("mwrite -S 0x41 100 5000");
	run_ok("msync -s");
	run_ok("munmap");
	run_ok("fsync");
	iocmd_free(IC);
	ck_assert_int_eq(extentfs_unmount(FS), 0);
	ck_assert_int_eq(extentfs_mount(B, MKDEV(7, 0), &FS), 0);
	new_context();
	ck_assert_int_eq(iocmd_open(IC, "f", 0), 0);
	run_ok("pread -v 5096 8");
	ck_assert_ptr_nonnull(strstr(OUT, "000013e8:  41 41 41 41 00 00 00 00  AAAA....\n"));
	run_ok("pread -v 96 8");
	ck_assert_ptr_nonnull(strstr(OUT, "00000060:  00 00 00 00 41 41 41 41  ....AAAA\n"));
}
END_TEST

/*
 * mmap-2.2: after writeback a page is write-protected again, so the next
 * store faults, ->page_mkwrite dirties the folio again and the new data
 * reaches the disk.  Without it the store would land in a clean folio and
 * be lost at the next remount.
 */
START_TEST(mmap_2_2_refault_after_writeback)
{
	uint64_t before;

	ck_assert_int_eq(iocmd_open(IC, "f", IOCMD_IO_CREAT), 0);
	run_ok("truncate 16k");
	run_ok("mmap 0 16k");
	run_ok("mwrite -S 0x11 4096 4096");
	run_ok("msync -s");
	before = global_dirty_bytes();
	run_ok("mwrite -S 0x22 4096 10");
	ck_assert_uint_eq(global_dirty_bytes(), before + 4096);
	run_ok("mwrite -S 0x33 4106 10"); /* same page, writable now: no new dirt */
	ck_assert_uint_eq(global_dirty_bytes(), before + 4096);
	run_ok("munmap");
	run_ok("fsync");
	iocmd_free(IC);
	ck_assert_int_eq(extentfs_unmount(FS), 0);
	ck_assert_int_eq(extentfs_mount(B, MKDEV(7, 0), &FS), 0);
	new_context();
	ck_assert_int_eq(iocmd_open(IC, "f", 0), 0);
	run_ok("pread -v 4104 4");
	ck_assert_ptr_nonnull(strstr(OUT, "00001008:  22 22 33 33  ..33\n"));
}
END_TEST

/* mmap-2.3: a page past EOF is SIGBUS; the command loop stops with 135. */
START_TEST(mmap_2_3_sigbus)
{
	ck_assert_int_eq(iocmd_open(IC, "f", IOCMD_IO_CREAT), 0);
	run_ok("truncate 5000");
	run_ok("mmap 0 16k");
	/* The page holding EOF is mapped whole: its tail reads as zeroes. */
	run_ok("mread -v 8188 4");
	ck_assert_str_eq(OUT, "00001ffc:  00 00 00 00  ....\n");
	ck_assert_int_eq(run("mread 8192 1"), IOCMD_STOP);
	ck_assert_str_eq(ERR, "Bus error\n");
	ck_assert_int_eq(iocmd_exit_code(IC), 135);
}
END_TEST

/* mmap-2.4: truncation unmaps: a later store past the new EOF is SIGBUS. */
START_TEST(mmap_2_4_truncate_unmaps)
{
	ck_assert_int_eq(iocmd_open(IC, "f", IOCMD_IO_CREAT), 0);
	run_ok("truncate 16k");
	run_ok("mmap 0 16k");
	run_ok("mwrite 8192 4");
	run_ok("truncate 4k");
	ck_assert_int_eq(run("mwrite 8192 4"), IOCMD_STOP);
	ck_assert_str_eq(ERR, "Bus error\n");
}
END_TEST

/* mmap-2.5: a store to a read-only mapping is SIGSEGV (139). */
START_TEST(mmap_2_5_sigsegv)
{
	ck_assert_int_eq(iocmd_open(IC, "f", IOCMD_IO_CREAT), 0);
	run_ok("truncate 4k");
	run_ok("mmap -r 0 4k");
	ck_assert_int_eq(run("mwrite 0 1"), IOCMD_STOP);
	ck_assert_str_eq(ERR, "Segmentation fault\n");
	ck_assert_int_eq(iocmd_exit_code(IC), 139);
}
END_TEST

static Suite *mmap_suite(void)
{
	Suite *s = suite_create("mmap");
	TCase *t1 = tcase_create("mmap-1 commands"), *t2 = tcase_create("mmap-2 faults");

	tcase_add_checked_fixture(t1, fs_setup, fs_teardown);
	tcase_add_test(t1, mmap_1_1_table);
	tcase_add_test(t1, mmap_1_2_errors);
	tcase_add_test(t1, mmap_1_3_ranges);
	tcase_add_test(t1, mmap_1_4_dump);
	suite_add_tcase(s, t1);
	tcase_add_checked_fixture(t2, fs_setup, fs_teardown);
	tcase_add_test(t2, mmap_2_1_persist);
	tcase_add_test(t2, mmap_2_2_refault_after_writeback);
	tcase_add_test(t2, mmap_2_3_sigbus);
	tcase_add_test(t2, mmap_2_4_truncate_unmaps);
	tcase_add_test(t2, mmap_2_5_sigsegv);
	suite_add_tcase(s, t2);
	return s;
}

int main(void)
{
	return run_suite(mmap_suite());
}
