/**
 * @file scenario.c
 * @brief The built-in scenarios: one per operation of the seed, each a
 *        short run of the reference that the visualiser steps through.
 *
 * How a scenario runs (viz_scenario_run()):
 *
 *   1. name the thread "iomap-io" (the task column of events), choose
 *      deterministic execution, forget the lock validator's history
 *      (lockdep_reset(), so an inversion is reported on every run, not only
 *      the first);
 *   2. a fresh extentfs on 64 MiB of RAM (in the fault backend for
 *      writeback-error), mounted as 7:0, with "f" open as `xfs_io -f f`
 *      (`-d` for the direct I/O scenarios: viz_scenario::open);
 *   3. reset the event clock (events number from 0, after the mount and
 *      open), then attach the feed (run.c: ids renumbered, events into the
 *      store);
 *   4. run the commands one by one as typed at the xfs_io prompt
 *      (iocmd_run: on the current file), each framed by op_begin / op_end
 *      as iocmd frames it (a scenario's `before` hook may change the
 *      device between commands: writeback-error arms its fault there); a
 *      C-driven scenario runs its drive function instead, which frames
 *      whatever it does outside iocmd with trace_op() itself;
 *   5. **detach the feed before closing the files and unmounting** — as
 *      `iomap-io --ftrace` stops before umount: what the close and the
 *      unmount emit belongs to no operation of the scenario.  So every
 *      event of the store lies between an op_begin and its op_end;
 *   6. unmount, destroy the backend, restore the thread name.
 *
 * viz_run_framed() (run.c) does all but step 4, which is
 * run_scenario_body() here.
 *
 * The prompt (iocmd_run) and not a `-c` line (iocmd_run_cmdline): with one
 * file open the two are the same, and the readahead scenario opens a
 * second, O_DIRECT descriptor for a moment (`open -d f` ... `close`) which
 * only the prompt's "current file" semantics handle as a student would
 * expect.  It is also what the session's command entry does.
 *
 * Determinism: deterministic mode runs completions and work items on the
 * calling thread at fixed points; the clock is reset; the feed renumbers
 * the process-wide ids.  Two runs give byte-identical streams (vizs-2.*).
 *
 * Never: run two scenarios at once, or a scenario while a session command
 * runs (the stream, its clock and the validator are process-wide).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <iomap/fs.h>
#include <iomap/lock.h>

#include "viz/scenarios/scenario-internal.h"
#include "viz/scenarios/viz-scenario.h"

/* A scenario and how to run it. */
struct scenario_def {
	struct viz_scenario pub;
	/* Wrap the RAM backend in the fault backend. */
	bool fault;
	/* Called before command @i of pub.commands runs (may be NULL). */
	void (*before)(struct viz_run *r, size_t i);
	/* C-driven: run this instead of pub.commands (which is then NULL). */
	int (*drive)(struct viz_run *r);
};

/* ---------------------------------------------------------------------- */
/* What xfs_io commands cannot do: fault hooks and C-driven scenarios     */
/* ---------------------------------------------------------------------- */

/*
 * writeback-error: before the second fsync (command 3) the device is
 * told to fail the next write; before the third it is healed.  Arming the
 * fault is not an operation (nothing of the reference runs), so it has no
 * frame; the explanation tells the student where it happens.
 */
static void before_writeback_error(struct viz_run *r, size_t i)
{
	if (i == 3)
		fault_set_eio(r->dev, BACKEND_WRITE, FAULT_ONCE, 0);
	else if (i == 4)
		fault_set_eio(r->dev, BACKEND_WRITE, FAULT_NONE, 0);
}

/* The short write's user buffer: mapped for this many bytes only. */
#define SHORT_WRITE_LEN (32u << 10)
#define SHORT_WRITE_FAULT_AT 5000u
#define SHORT_WRITE_OP "write(f, buf, 32 KiB) at 0, buf faults after 5000 bytes"

/*
 * short-write-punch: write(2) of 32 KiB whose buffer is mapped for 5000
 * bytes only.  xfs_io cannot make such a buffer, so the write goes to
 * extentfs's write_iter directly, the way the write(2) system call would,
 * with an iov_iter that faults part way (iov_iter::fault_at).
 */
static int drive_short_write(struct viz_run *r)
{
	struct file *f = iocmd_current_file(r->ic);
	struct kvec kv;
	struct iov_iter it;
	struct kiocb iocb;
	uint8_t *buf;
	ssize_t ret;

	buf = malloc(SHORT_WRITE_LEN);
	if (!buf || !f) {
		free(buf);
		return -ENOMEM;
	}
	memset(buf, 0x5c, SHORT_WRITE_LEN);
	kv.iov_base = buf;
	kv.iov_len = SHORT_WRITE_LEN;
	trace_op(true, SHORT_WRITE_OP, 0);
	init_sync_kiocb(&iocb, f);
	iocb.ki_pos = 0;
	iov_iter_kvec(&it, ITER_SOURCE, &kv, 1, SHORT_WRITE_LEN);
	it.fault_at = SHORT_WRITE_FAULT_AT;
	ret = extentfs_write_iter(&iocb, &it);
	/* op_end's ret is the syscall's: bytes written (short), or -errno. */
	trace_op(false, SHORT_WRITE_OP, ret);
	free(buf);
	viz_run_line(r, "fsync");
	viz_run_line(r, "fiemap -v");
	return 0;
}

#define INVERSION_OP "invalidate_lock, then i_rwsem (the wrong order)"

/*
 * lock-inversion: `truncate` takes i_rwsem then invalidate_lock, the
 * documented order; then this takes the same two locks of the same inode
 * the other way round.  One thread, so nothing deadlocks — but the
 * validator sees that two threads doing the two orders could, and reports
 * it (`lockdep_inversion`), as the kernel's lockdep would.
 */
static int drive_lock_inversion(struct viz_run *r)
{
	struct file *f = iocmd_current_file(r->ic);
	struct inode *inode;

	if (!f)
		return -ENOENT;
	inode = f->f_inode;
	viz_run_line(r, "pwrite -S 0x61 -b 16k 0 16k");
	viz_run_line(r, "truncate 10000");
	lockdep_set_quiet(true);
	trace_op(true, INVERSION_OP, 0);
	filemap_invalidate_lock(inode->i_mapping);
	inode_lock(inode);
	inode_unlock(inode);
	filemap_invalidate_unlock(inode->i_mapping);
	trace_op(false, INVERSION_OP, 0);
	/* Reports print to stderr by default; the visualiser draws them. */
	lockdep_set_quiet(false);
	return 0;
}

/* The stale write: 4 KiB at 4 KiB, with the extent map changed once. */
#define STALE_WRITE_LEN 4096u
#define STALE_WRITE_POS 4096
#define STALE_WRITE_OP "write(f, buf, 4 KiB) at 4 KiB; the extent map changes after ->iomap_begin"

/* The file whose map the hook changes, and whether it still has to. */
static struct file *stale_file;
static bool stale_pending;

/*
 * extentfs_test_write_begin_hook for stale-mapping: called at the end of
 * each buffered-write ->iomap_begin, i.e. after extentfs sampled its
 * mapping sequence into iomap->validity_cookie and before iomap locks the
 * folio.  The first time, it changes the extent map (bumps the sequence,
 * as a concurrent writeback conversion or truncate would), so the cookie
 * no longer matches; the second ->iomap_begin is left alone, or the write
 * would never finish.
 */
static void stale_mapping_hook(struct inode *inode, const struct iomap *iomap)
{
	(void)inode;
	(void)iomap;
	if (stale_pending && stale_file) {
		stale_pending = false;
		extentfs_bump_mapping_seq(stale_file);
	}
}

/*
 * stale-mapping: a normal 4 KiB write first (one ->iomap_begin), then the
 * same kind of write with the hook armed — a C program, since xfs_io
 * cannot reach into the filesystem between ->iomap_begin and the folio
 * lock.  The write goes to extentfs's write_iter the way write(2) would,
 * framed with trace_op; the hook is disarmed before anything else runs.
 */
static int drive_stale_mapping(struct viz_run *r)
{
	struct file *f = iocmd_current_file(r->ic);
	uint8_t buf[STALE_WRITE_LEN];
	struct kvec kv = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct iov_iter it;
	struct kiocb iocb;
	ssize_t ret;

	if (!f)
		return -ENOENT;
	viz_run_line(r, "pwrite -S 0x61 -b 4k 0 4k");
	memset(buf, 0x62, sizeof(buf));
	stale_file = f;
	stale_pending = true;
	extentfs_test_write_begin_hook = stale_mapping_hook;
	trace_op(true, STALE_WRITE_OP, 0);
	init_sync_kiocb(&iocb, f);
	iocb.ki_pos = STALE_WRITE_POS;
	iov_iter_kvec(&it, ITER_SOURCE, &kv, 1, sizeof(buf));
	ret = extentfs_write_iter(&iocb, &it);
	trace_op(false, STALE_WRITE_OP, ret);
	extentfs_test_write_begin_hook = NULL;
	stale_file = NULL;
	stale_pending = false;
	viz_run_line(r, "fsync");
	viz_run_line(r, "pread -v 4095 2");
	return ret < 0 ? (int)ret : 0;
}

/* ---------------------------------------------------------------------- */
/* The table                                                               */
/* ---------------------------------------------------------------------- */

#define OPS "iomap/operations.rst"
#define DESIGN "iomap/design.rst"

static const char *const cmds_buffered_write_fsync[] = {
	"pwrite -S 0xab -b 64k 0 64k", "fsync", NULL,
};
static const char *const cmds_small_writes[] = {
	"pwrite -S 0x11 -b 4096 0 64k", "fsync", "seek -a -r 0", NULL,
};
static const char *const cmds_subblock[] = {
	"pwrite -S 0x22 1024 1024", "pwrite -S 0x33 3072 512", "fsync", "pread -v 0 4096",
	"fiemap -v", NULL,
};
static const char *const cmds_readahead[] = {
	"open -d f",
	"pwrite -S 0x5a -b 256k 0 256k",
	"close",
	"pread -b 4k 0 4k",
	"pread -b 4k 4k 12k",
	"pread -b 16k 16k 48k",
	"pread -b 64k 64k 192k",
	NULL,
};
static const char *const cmds_mkwrite[] = {
	"truncate 64k", "mmap -w 0 64k", "mwrite -S 0x88 4096 8192", "msync", "munmap", "fsync",
	NULL,
};
static const char *const cmds_zero_range[] = {
	"pwrite -S 0xcd -b 64k 0 64k", "fsync", "fzero 1k 10k", "fsync", "pread -v 0 32",
	NULL,
};
static const char *const cmds_truncate_page[] = {
	"pwrite -S 0xee -b 64k 0 64k", "fsync", "truncate 10000", "fsync", NULL,
};
static const char *const cmds_unshare[] = {
	"pwrite -S 0x99 -b 64k 0 64k", "fsync", "reflink f 0 64k 64k", "fiemap -v",
	"funshare 64k 64k", "fsync", "fiemap -v", NULL,
};
static const char *const cmds_writeback_error[] = {
	"pwrite -S 0x41 -b 64k 0 64k", "fsync", "pwrite -S 0x42 -b 16k 64k 16k", "fsync",
	"fsync", NULL,
};
static const char *const cmds_dio_sync[] = {
	"pwrite -S 0x55 -b 64k 0 64k", "pwrite -S 0x66 -b 8k 128k 16k", "pread -b 64k 0 64k",
	"fiemap -v", NULL,
};
static const char *const cmds_dio_async[] = {
	"falloc 0 64k", "aio_pwrite -b 16k -n 4 -S 0x5a 0 64k", "aio_pread -b 16k -n 2 0 64k",
	NULL,
};
static const char *const cmds_dio_cow[] = {
	"pwrite -S 0x99 -b 64k 0 64k", "fsync", "reflink f 0 64k 64k",
	"pwrite -S 0xaa -b 4k 68k 4k", "fiemap -v", NULL,
};
static const char *const cmds_seek[] = {
	"falloc -k 0 256k", "pwrite -S 0x77 -b 16k 64k 16k", "pwrite -S 0x78 -b 4k 300k 4k",
	"seek -d 0", "seek -h 64k", "seek -a -r 0", NULL,
};
static const char *const cmds_fiemap[] = {
	"falloc 0 1m", "fpunch 256k 128k", "pwrite -S 0x31 -b 64k 512k 64k", "fiemap -v", NULL,
};
static const char *const cmds_ioend_merge[] = {
	"pwrite -S 0x5a -b 4k 0 32k", "sync_range -w 0 16k", "sync_range -w 16k 16k", "fsync",
	"fiemap -v", NULL,
};
static const char *const cmds_swapfile[] = {
	"pwrite -S 0x00 -b 256k 0 256k", "swapon", "swapoff", NULL,
};

static const struct scenario_def scenarios[] = {
	{ .pub = {
		.name = "buffered-write-fsync",
		.title = "Buffered write and fsync",
		.explanation =
			"One 64 KiB write through the page cache, then fsync (kernel scenario 01). "
			"Watch the pwrite: iomap_iter asks extentfs for a mapping (->iomap_begin "
			"returns a DELALLOC reservation, no disk block yet), one order-4 folio of "
			"16 blocks is added, and the copy marks every block uptodate and dirty. "
			"Nothing reaches the disk. Then fsync: writeback takes the folio, clears "
			"its dirty bits and sets writeback, ->map_blocks allocates real blocks, the "
			"blocks join one ioend whose bio is submitted; when the bio completes the "
			"ioend finishes, the unwritten extent is converted and the folio is clean. "
			"The disk panel shows the 64 KiB written by that one bio.",
		.seed_section = "Buffered I/O > Buffered Writes",
		.seed_doc = OPS,
		.mkfs = "",
		.commands = cmds_buffered_write_fsync,
		.open = "",
	} },
	{ .pub = {
		.name = "subblock-writes",
		.title = "Sub-block writes with 1 KiB blocks",
		.explanation =
			"A filesystem with 1 KiB blocks, so one 4 KiB folio holds four blocks "
			"(kernel scenario 03). The first write covers block 1 exactly: only that "
			"block becomes uptodate and dirty, the others stay as they were — this is "
			"the per-folio state (iomap_folio_state) at work, two bits per block. The "
			"second write starts past EOF, so the gap from the old EOF is zeroed first "
			"(iomap_zero_range; here the dirty EOF block is written back before that); "
			"then it covers half of block 3, a freshly reserved block, whose other half "
			"iomap zeroes instead of reading so that the whole block is uptodate. fsync "
			"writes back only the dirty blocks; the read then fills the blocks that "
			"were never written.",
		.seed_section = "Buffered I/O > Internal per-Folio State",
		.seed_doc = OPS,
		.mkfs = "-b size=1024",
		.commands = cmds_subblock,
		.open = "",
	} },
	{ .pub = {
		.name = "small-writes",
		.title = "Sixteen small buffered writes",
		.explanation =
			"The same 64 KiB as buffered-write-fsync, but written 4 KiB at a time "
			"(kernel scenario 02): sixteen write calls, each with its own iomap_iter "
			"and ->iomap_begin, each adding or extending folios in the page cache. "
			"Compare the folio sizes with the single 64 KiB write. At fsync, "
			"writeback gathers all the dirty blocks into as few ioends as the "
			"contiguous disk space allows; seek then reports one data region.",
		.seed_section = "Buffered I/O > Buffered Writes",
		.seed_doc = OPS,
		.mkfs = "",
		.commands = cmds_small_writes,
		.open = "",
	} },
	{ .pub = {
		.name = "readahead",
		.title = "Readahead: a growing window",
		.explanation =
			"First the file gets 256 KiB of data through an O_DIRECT descriptor "
			"(open -d f ... close), so the page cache stays empty and every later "
			"read must go to the disk. Then sequential buffered reads of growing "
			"size. The first read misses: page_cache_sync_ra starts a small window "
			"and iomap_readahead reads it in one go, marking one folio PG_readahead. "
			"When a later read reaches that marked folio, page_cache_async_ra reads "
			"the next window ahead of time — each time larger, up to the maximum. "
			"Watch the ra_size of the readahead events grow and the folios appear "
			"before the reads that need them.",
		.seed_section = "Buffered I/O > Buffered Readahead and Reads",
		.seed_doc = OPS,
		.mkfs = "",
		.commands = cmds_readahead,
		.open = "",
	} },
	{ .pub = {
		.name = "mkwrite",
		.title = "mmap write faults (page_mkwrite)",
		.explanation =
			"The file is mapped shared and written through memory (kernel scenario "
			"07). The first touch of each page faults it in read-only (the fault reads "
			"around it); the first store to a read-only page calls page_mkwrite, which "
			"extentfs implements with iomap_page_mkwrite under the invalidate_lock: an "
			"iomap_iter with WRITE|FAULT reserves delalloc space and dirties the folio. "
			"msync without -s writes nothing; fsync writes the dirty folios back and "
			"write-protects the pages again.",
		.seed_section = "Buffered I/O > Buffered Writes > mmap Write Faults",
		.seed_doc = OPS,
		.mkfs = "",
		.commands = cmds_mkwrite,
		.open = "",
	} },
	{ .pub = {
		.name = "zero-range",
		.title = "Zeroing a range (fzero)",
		.explanation =
			"64 KiB of data is written and synced, then fallocate(ZERO_RANGE) zeroes "
			"1 KiB..11 KiB. First the cached folio over the range is dropped. The range "
			"does not start or end on a block boundary: the whole block inside it "
			"(4..8 KiB) simply becomes a hole, but the partial blocks at its edges must "
			"be zeroed in the page cache. iomap_zero_range (IOMAP_ZERO) reads each of "
			"them back from the disk into a new folio, zeroes the part inside the range "
			"(iomap_zero_iter) and dirties it. fsync writes the two blocks; the read "
			"shows zeroes from 1 KiB on.",
		.seed_section = "Buffered I/O > Buffered Writes > Zeroing for File Operations",
		.seed_doc = OPS,
		.mkfs = "",
		.commands = cmds_zero_range,
		.open = "",
	} },
	{ .pub = {
		.name = "truncate-page",
		.title = "Truncate to an unaligned size",
		.explanation =
			"A synced 64 KiB file is truncated to 10000 bytes, which is inside block 2. "
			"Before the page cache beyond EOF is dropped, the tail of the EOF block "
			"(10000..12287) must be zeroed so that a later extension reads zeroes, "
			"not old data: iomap_truncate_page does this through iomap_zero_range with "
			"IOMAP_ZERO. Watch block 2 of the large folio become its only dirty block, "
			"then iomap_invalidate_folio drop the part of the folio beyond EOF; the "
			"following fsync writes just that block.",
		.seed_section = "Buffered I/O > Truncation",
		.seed_doc = OPS,
		.mkfs = "",
		.commands = cmds_truncate_page,
		.open = "",
	} },
	{ .pub = {
		.name = "unshare",
		.title = "Reflink, then unshare",
		.explanation =
			"The first 64 KiB is reflinked to offset 64 KiB of the same file, so both "
			"ranges share the same disk blocks (fiemap shows the shared flag; kernel "
			"scenario 08). funshare then asks iomap_file_unshare to give the second "
			"range its own copy: with IOMAP_WRITE|IOMAP_UNSHARE the filesystem returns "
			"the shared blocks as srcmap and new space as dstmap, iomap reads the data "
			"into the page cache and dirties it, and fsync writes it to the new "
			"blocks. The last fiemap shows the two ranges no longer shared.",
		.seed_section = "Buffered I/O > Buffered Writes > Unsharing Reflinked File Data",
		.seed_doc = OPS,
		.mkfs = "",
		.commands = cmds_unshare,
		.open = "",
	} },
	{ .pub = {
		.name = "short-write-punch",
		.title = "Short write: the delalloc tail is punched",
		.explanation =
			"A 32 KiB write(2) whose user buffer is only mapped for its first 5000 "
			"bytes (a C program does what xfs_io cannot: the buffer faults part way). "
			"->iomap_begin reserves delalloc space for all 32 KiB, but the copy stops "
			"after 5000 bytes, so the write is short. ->iomap_end then calls "
			"iomap_file_buffered_write_punch_delalloc: every clean block of the fresh "
			"reservation past the bytes written is punched, because writeback would "
			"never consume it: only the two blocks holding the 5000 bytes keep their "
			"reservation. fsync writes those two blocks, and fiemap shows 8 KiB of "
			"data, not 32.",
		.seed_section = "Buffered I/O > Buffered Writes > Buffered Write Failures",
		.seed_doc = OPS,
		.mkfs = "",
		.commands = NULL,
		.open = "",
	}, .drive = drive_short_write },
	{ .pub = {
		.name = "writeback-error",
		.title = "A writeback error reported by fsync",
		.explanation =
			"64 KiB is written and synced, then 16 KiB more is written. Before the "
			"second fsync the device is told to fail the next write with EIO (the "
			"fault backend; no event marks it). Writeback submits the ioend, its bio "
			"fails, the ioend finishes with the error: the folios are not left dirty "
			"(that would clog the cache) but the error is recorded in the mapping "
			"(filemap_set_wb_err), and that fsync returns EIO. The next fsync returns "
			"0: the error is reported once per open file.",
		.seed_section = "Buffered I/O > Pagecache Writeback",
		.seed_doc = OPS,
		.mkfs = "",
		.commands = cmds_writeback_error,
		.open = "",
	}, .fault = true, .before = before_writeback_error },
	{ .pub = {
		.name = "ioend-merge",
		.title = "Writeback completion merges ioends",
		.explanation =
			"32 KiB written 4 KiB at a time: eight single-page folios, all dirty, in "
			"one delayed allocation. sync_range -w 0 16k starts writeback of the "
			"first half without waiting: ->map_blocks allocates the whole delalloc "
			"extent as UNWRITTEN, the four folios join ioend 0 and its bio is "
			"submitted. sync_range -w 16k 16k does the same for the second half: "
			"ioend 1, right behind ioend 0 in the file and on disk. Neither bio has "
			"completed yet; fsync waits for them, and both complete into extentfs's "
			"->prepare_ioend end_io, which only queues them for the completion work. "
			"That work takes the whole batch, sorts it by offset (iomap_sort_ioends) "
			"and calls iomap_ioend_try_merge: ioends merge only if they are "
			"contiguous in the file and on disk, have the same unwritten and shared "
			"state, and had the same outcome (both succeeded, or both failed). These "
			"two pass every rule, so ioend 1 is merged into ioend 0 (ioend_merge, "
			"stage merged) and ONE transaction converts all 32 KiB before "
			"iomap_finish_ioends ends writeback on both. A different UNWRITTEN/SHARED "
			"state, a gap, or one failed bio would have kept them apart: two "
			"conversions. fiemap shows one written extent.",
		.seed_section = "Buffered I/O > Pagecache Writeback > Pagecache Writeback Completion",
		.seed_doc = OPS,
		.mkfs = "",
		.commands = cmds_ioend_merge,
		.open = "",
	} },
	{ .pub = {
		.name = "stale-mapping",
		.title = "A stale mapping is looked up again",
		.explanation =
			"iomap holds no filesystem lock between ->iomap_begin and the moment it "
			"locks the folio, so the extent map may change in between (writeback "
			"converting extents, a concurrent write, a truncate). extentfs puts its "
			"mapping sequence number into iomap->validity_cookie and answers "
			"->iomap_valid by comparing it with the current one. The first pwrite is "
			"the normal case: one ->iomap_begin, the folio is locked, the cookie still "
			"matches, the data is copied. The second write is a C program that "
			"changes the extent map right after ->iomap_begin returned (a test hook "
			"bumps the sequence number). With the folio locked, ->iomap_valid now "
			"says no: iomap marks the mapping IOMAP_F_STALE, copies nothing, unlocks "
			"the folio, and iomap_iter asks ->iomap_begin again for the same "
			"position — two ->iomap_begin calls for one write. The second mapping is "
			"valid and the write completes; fsync and the read show the data.",
		.seed_section = "Buffered I/O > ``struct iomap_folio_ops``",
		.seed_doc = OPS,
		.mkfs = "",
		.commands = NULL,
		.open = "",
	}, .drive = drive_stale_mapping },
	{ .pub = {
		.name = "dio-sync",
		.title = "Direct I/O, synchronous",
		.explanation =
			"The file is open O_DIRECT (kernel scenario 05). Each pwrite block is one "
			"iomap_dio_rw: ->iomap_begin allocates unwritten extents, the data goes "
			"straight from the caller's buffer to the disk in bios (no folio appears), "
			"and at completion extentfs's ->end_io converts the extents to written. "
			"The second pwrite, two 8 KiB calls, shows two iomap_dio_rw_begin events. "
			"The read bypasses the page cache in the same way.",
		.seed_section = "Direct I/O > Direct Writes",
		.seed_doc = OPS,
		.mkfs = "",
		.commands = cmds_dio_sync,
		.open = "-d",
	} },
	{ .pub = {
		.name = "dio-async",
		.title = "Direct I/O, asynchronous",
		.explanation =
			"64 KiB is preallocated (so the writes land inside EOF and need not wait "
			"for each other), then aio_pwrite submits four 16 KiB direct writes with up "
			"to four in flight. "
			"Each iomap_dio_rw submits its bio and returns -EIOCBQUEUED at once "
			"(iomap_dio_rw_queued) without waiting; the bios complete afterwards, "
			"and each write finishes on the dio workqueue, where the unwritten "
			"extents are converted and ki_complete is called. aio_pread does the same "
			"for reads, two at a time, which complete inline in the bio completion.",
		.seed_section = "Direct I/O > Return Values",
		.seed_doc = OPS,
		.mkfs = "",
		.commands = cmds_dio_async,
		.open = "-d",
	} },
	{ .pub = {
		.name = "dio-cow",
		.title = "Direct write into shared blocks (copy on write)",
		.explanation =
			"64 KiB is written and reflinked to offset 64 KiB, sharing its blocks "
			"(kernel scenario 22). A direct write of 4 KiB at 68 KiB cannot overwrite "
			"a shared block: ->iomap_begin returns the old, shared extent as srcmap "
			"and newly allocated space as dstmap (flags SHARED), the bio writes the "
			"new block, and ->end_io remaps it into the file. fiemap shows the new "
			"block in the middle of the shared range.",
		.seed_section = "Direct I/O > Direct Writes",
		.seed_doc = OPS,
		.mkfs = "",
		.commands = cmds_dio_cow,
		.open = "-d",
	} },
	{ .pub = {
		.name = "seek",
		.title = "SEEK_DATA and SEEK_HOLE",
		.explanation =
			"256 KiB is preallocated (unwritten, the size unchanged), then 16 KiB is "
			"written at 64 KiB and 4 KiB at 300 KiB, both still only in the page "
			"cache. seek -d asks iomap_seek_data: unwritten extents are holes unless "
			"the page cache has uptodate data there, so the first data is at 64 KiB. "
			"seek -h from 64 KiB finds where that cached data ends. seek -a -r lists "
			"every data and hole region; watch the IOMAP_REPORT iterations.",
		.seed_section = "Seeking Files > SEEK_DATA",
		.seed_doc = OPS,
		.mkfs = "",
		.commands = cmds_seek,
		.open = "",
	} },
	{ .pub = {
		.name = "fiemap",
		.title = "FIEMAP: reporting the extent map",
		.explanation =
			"1 MiB is preallocated, 128 KiB punched out of it and 64 KiB written "
			"(buffered) into the middle. fiemap -v asks for FIEMAP_FLAG_SYNC, so the "
			"dirty data is written back first; then iomap_fiemap iterates with "
			"IOMAP_REPORT and turns each mapping into one extent: unwritten ones get "
			"the 0x800 flag, the hole is a gap, the written 64 KiB is plain data.",
		.seed_section = "File Space Mapping Reporting > FS_IOC_FIEMAP",
		.seed_doc = OPS,
		.mkfs = "",
		.commands = cmds_fiemap,
		.open = "",
	} },
	{ .pub = {
		.name = "swapfile",
		.title = "Swap file activation",
		.explanation =
			"256 KiB of data is written, then swapon activates the file as swap: "
			"the file is synced first, then iomap_swapfile_activate iterates with "
			"IOMAP_REPORT and turns every page-aligned mapped run into a swap extent "
			"(swap_extent events); a hole, a delalloc or a shared range would be "
			"refused. While active, truncate and fallocate fail; swapoff ends it.",
		.seed_section = "Swap File Activation",
		.seed_doc = OPS,
		.mkfs = "",
		.commands = cmds_swapfile,
		.open = "",
	} },
	{ .pub = {
		.name = "lock-inversion",
		.title = "A lock-order inversion caught by the validator",
		.explanation =
			"The locking hierarchy puts i_rwsem (upper) before invalidate_lock. The "
			"truncate takes them in that order (i_rwsem, then invalidate_lock to keep "
			"page faults out while the page cache shrinks), and the validator records "
			"it. Then a C program takes invalidate_lock first and i_rwsem "
			"second. Only one thread runs, so nothing hangs — but two threads doing "
			"the two orders at once could deadlock, and the validator says so: a "
			"lockdep_inversion event naming the established and the inverted order, "
			"drawn in red on the locking panel.",
		.seed_section = "Locking Hierarchy",
		.seed_doc = DESIGN,
		.mkfs = "",
		.commands = NULL,
		.open = "",
	}, .drive = drive_lock_inversion },
};

#define NR_SCENARIOS (sizeof(scenarios) / sizeof(scenarios[0]))

size_t viz_scenario_count(void)
{
	return NR_SCENARIOS;
}

const struct viz_scenario *viz_scenario_get(size_t i)
{
	return i < NR_SCENARIOS ? &scenarios[i].pub : NULL;
}

const struct viz_scenario *viz_scenario_find(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < NR_SCENARIOS; i++)
		if (strcmp(scenarios[i].pub.name, name) == 0)
			return &scenarios[i].pub;
	return NULL;
}

/* The definition behind @sc, or NULL if it is not one of ours. */
static const struct scenario_def *def_of(const struct viz_scenario *sc)
{
	for (size_t i = 0; i < NR_SCENARIOS; i++)
		if (&scenarios[i].pub == sc)
			return &scenarios[i];
	return NULL;
}

/* What viz_run_framed() runs for a scenario; @arg is its scenario_def. */
static int run_scenario_body(struct viz_run *r, void *arg)
{
	const struct scenario_def *def = arg;
	const char *const *cmds = def->pub.commands;

	if (def->drive)
		return def->drive(r);
	for (size_t i = 0; cmds && cmds[i]; i++) {
		if (def->before)
			def->before(r, i);
		viz_run_line(r, cmds[i]);
	}
	return 0;
}

int viz_scenario_run(const struct viz_scenario *sc, struct viz_store *st, FILE *out, char *err,
		     size_t errlen)
{
	const struct scenario_def *def = def_of(sc);
	char scratch[8];

	err = viz_err_buf(err, &errlen, scratch, sizeof(scratch));
	if (!def || !st) {
		snprintf(err, errlen, "not a built-in scenario");
		return -EINVAL;
	}
	return viz_run_framed(sc->name, sc->mkfs, sc->open, def->fault, run_scenario_body, (void *)def, st,
			      NULL, out, err, errlen);
}
