/*
 * tablefs.h — a tiny filesystem for the iomap core tests.
 *
 * Its extent map is a table the test writes directly, so that each test can
 * build exactly the layout it needs (unaligned device addresses, a second
 * device, inline data, a mapping that breaks the ->iomap_begin contract)
 * and watch what the library does with it.  It implements the real
 * iomap_ops contract — it is a filesystem, not a stand-in for one — and
 * records every call so that tests can assert the protocol.
 *
 * By default its block device is never opened: only its device number
 * appears in mappings and events.  Tests that move data (direct I/O) call
 * tablefs_open_bdev() to put a real block device over a backend under the
 * superblock, and set `writeback` so that a_ops->writepages really writes
 * dirty folios to the device at the addresses the table maps.
 *
 * Never: change the table while an I/O is in flight; call
 * tablefs_destroy() before tablefs_close_bdev().
 *
 * Locking: none of its own; one test thread owns it.  The counters that a
 * completion thread may bump (fsyncs) are updated atomically.
 */
#ifndef TABLEFS_H
#define TABLEFS_H

#include <iomap/iomap.h>

#define TABLEFS_MAX 16
#define TABLEFS_MAX_CALLS 64

struct tablefs_ext {
	loff_t offset;
	uint64_t length;
	uint16_t type;
	uint16_t flags;
	uint64_t addr;
	struct block_device *bdev; /* NULL = the superblock's */
};

struct tablefs_call {
	bool end;          /* ->iomap_end (else ->iomap_begin) */
	loff_t pos;
	loff_t length;
	ssize_t written;
	unsigned flags;
};

struct tablefs {
	struct super_block sb;
	struct block_device bdev;   /* never opened: only its dev number is used */
	struct inode inode;
	struct file file;
	struct tablefs_ext ext[TABLEFS_MAX];
	unsigned nr_ext;
	struct tablefs_call calls[TABLEFS_MAX_CALLS];
	unsigned nr_calls;
	int begin_error;            /* returned by ->iomap_begin when nonzero */
	unsigned begin_error_after; /* ... but only once this many begins succeeded */
	unsigned nr_begins;         /* ->iomap_begin calls that returned a mapping */
	int end_error;              /* returned by ->iomap_end when nonzero */
	bool bad_mapping;           /* return a zero-length mapping */
	unsigned fsyncs;            /* f_op->fsync calls */
	unsigned writepages;        /* a_ops->writepages calls */
	bool begin_needs_rwsem;     /* assert i_rwsem is held in ->iomap_begin */
	bool rwsem_was_held;
	int last_fsync_datasync;    /* datasync argument of the last f_op->fsync */
	bool writeback;             /* writepages writes dirty folios to the device */
	bool bdev_open;             /* tablefs_open_bdev() succeeded */
};

void tablefs_init(struct tablefs *t, unsigned blkbits, loff_t size);
void tablefs_destroy(struct tablefs *t);
void tablefs_add(struct tablefs *t, loff_t off, uint64_t len, uint16_t type, uint16_t flags,
		 uint64_t addr);
/**
 * Put a real block device over @p be under the superblock (and in every
 * mapping): bios built from tablefs mappings then reach @p be.  The
 * superblock's device number becomes the backend's, as a mount would show.
 * @param t the filesystem; @param be the media (not owned)
 * @return 0 or -errno from blkdev_open()
 */
int tablefs_open_bdev(struct tablefs *t, struct backend *be);
/**
 * Finish what is still queued on the superblock's dio workqueue, destroy
 * it, and close the block device (waits for every bio).
 * @param t the filesystem
 */
void tablefs_close_bdev(struct tablefs *t);
extern const struct iomap_ops tablefs_ops;
extern const struct iomap_ops tablefs_ops_noend;

#endif
