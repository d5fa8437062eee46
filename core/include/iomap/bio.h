/**
 * @file bio.h
 * @brief Block I/O: `struct block_device` over a backend, and `struct bio`.
 *
 * A bio is one I/O to a contiguous device range, made of segments (bio_vec)
 * that point at memory.  bio_add_buf() merges a segment into the previous
 * one when the memory is contiguous (the kernel's "same page" merge), so a
 * large buffer becomes one segment.  submit_bio() turns the bio into one
 * backend request per segment, and calls `bi_end_io` once all of them have
 * completed, with `bi_status` the first error.
 *
 * Completion delivery depends on the execution mode (trace.h):
 *   - deterministic: backend completions are queued on the block device;
 *     bi_end_io runs, in submission order, on the thread that calls
 *     blkdev_run_completions() (submit_bio_wait() and blkdev_drain() do);
 *   - concurrent: a per-device completion thread runs bi_end_io as soon as
 *     the backend reports completion.
 *
 * Events (reference-only, `dev` = bd_dev): `bio_submit` with `id` (u64,
 * per device, from 0), `op` ("READ", "WRITE", "FLUSH"), `flags` (a
 * "|"-joined subset of "FUA", "PREFLUSH", "SYNC", "HIPRI" in that order, or
 * ""), `sector` (u64), `size` (u64 bytes) and `nr_segs` (u64, after
 * merging); `bio_complete` with `id` and `status` (s64: 0 or -errno),
 * emitted just before bi_end_io runs.
 *
 * Locking: `bd_lock` protects the completion queue and counters; callers
 * never hold it.
 */
#ifndef IOMAP_BIO_H
#define IOMAP_BIO_H

#include <pthread.h>

#include "types.h"

struct backend;
struct bio;

/** Bio operations and flags, packed in `bi_opf` as in the kernel. */
enum req_op {
	REQ_OP_READ = 0,  /**< read */
	REQ_OP_WRITE = 1, /**< write */
	REQ_OP_FLUSH = 2, /**< cache flush, no data */
};
/** Mask of the operation bits in `bi_opf`. */
#define REQ_OP_MASK 0xffu
#define REQ_FUA (1u << 8)      /**< write through to stable media */
#define REQ_PREFLUSH (1u << 9) /**< flush the cache before this write */
#define REQ_SYNC (1u << 10)    /**< a waiter is blocked on this bio */
#define REQ_HIPRI (1u << 11)   /**< completion will be polled (REQ_POLLED) */
#define REQ_POLLED REQ_HIPRI   /**< the kernel's name for a polled bio */

/** A block device: a backend plus the kernel-side state of one device. */
struct block_device {
	kdev_t bd_dev;               /**< device number shown in traces */
	struct backend *bd_backend;  /**< the media */
	unsigned bd_logical_block_size; /**< bytes */
	/** Memory alignment mask for direct I/O buffers (the queue's
	 *  dma_alignment: 511, as Linux reports for loop devices of any
	 *  logical block size). */
	unsigned bd_dma_alignment;
	uint64_t bd_nr_sectors;      /**< size in 512-byte sectors */
	pthread_mutex_t bd_lock;     /**< protects the fields below */
	pthread_cond_t bd_cond;      /**< signalled when a bio completes */
	/** Completion queue, linked through bi_next.  Deterministic mode: every
	 *  submitted bio whose bi_end_io has not run, in submission order (the
	 *  head runs once all its backend requests are done).  Concurrent mode:
	 *  finished bios waiting for the completion thread, in finishing order. */
	struct bio *bd_done_head;
	struct bio *bd_done_tail;    /**< tail of that queue */
	/** Concurrent mode: finished REQ_POLLED bios, left for blkdev_poll()
	 *  (or a waiter in blkdev_drain()) to end on its own thread. */
	struct bio *bd_poll_head;
	struct bio *bd_poll_tail;    /**< tail of that queue */
	uint64_t bd_next_bio_id;     /**< ids for bio events */
	uint64_t bd_inflight;        /**< bios submitted and not yet ended */
	uint64_t bd_stat_bios;       /**< bios submitted (statistics) */
	uint64_t bd_stat_segments;   /**< segments after merging (statistics) */
	uint64_t bd_stat_merges;     /**< segments merged into a previous one */
	int bd_mode;                 /**< enum kernel_exec_mode captured at open */
	pthread_t bd_completion_thread; /**< concurrent mode only */
	bool bd_stop;                /**< tells the completion thread to exit */
	unsigned bd_completing;      /**< deterministic: nesting depth of the thread running bi_end_io calls */
	pthread_t bd_completing_owner; /**< deterministic: that thread (valid while bd_completing > 0) */
};

/** One memory segment of a bio. */
struct bio_vec {
	void *bv_buf;     /**< memory */
	unsigned bv_len;  /**< bytes */
};

/** Completion callback type. */
typedef void (*bio_end_io_t)(struct bio *bio);

/** A block I/O request. */
struct bio {
	struct block_device *bi_bdev; /**< target device */
	unsigned bi_opf;              /**< REQ_OP_* | REQ_* flags */
	sector_t bi_sector;           /**< device start, 512-byte units */
	unsigned bi_size;             /**< bytes (sum of segments) */
	int bi_status;                /**< 0 or -errno, valid in bi_end_io */
	struct bio_vec *bi_io_vec;    /**< segments */
	unsigned bi_vcnt;             /**< segments used */
	unsigned bi_max_vecs;         /**< segments allocated */
	bio_end_io_t bi_end_io;       /**< completion callback */
	void *bi_private;             /**< for the submitter */
	uint64_t bi_id;               /**< id for events */
	/* internal */
	unsigned bi_pending;          /**< backend requests not yet completed */
	struct bio *bi_next;          /**< completion queue link */
	void *bi_reqs;                /**< backend requests (internal) */
	bool bi_done;                 /**< set once bi_end_io has run (submit_bio_wait) */
	struct bio_set *bi_pool;      /**< the bio_set it came from, or NULL */
};

/**
 * A bio_set: bios allocated from it carry @c front_pad bytes in front, for
 * the filesystem (container_of from its own structure, whose last member
 * is the bio).  The kernel's bio_set also keeps a mempool; allocation
 * cannot fail here, so only the padding remains.
 */
struct bio_set {
	size_t front_pad; /**< bytes before the bio */
};

/**
 * Allocate a bio from @p bs (the kernel's bio_alloc_bioset).
 * @param bdev target device; @param nr_vecs maximum segments
 * @param opf REQ_OP_* | flags; @param bs the set (NULL = bio_alloc())
 * @return the bio, @c bs->front_pad bytes after the start of its memory
 */
struct bio *bio_alloc_bioset(struct block_device *bdev, unsigned nr_vecs, unsigned opf,
			     struct bio_set *bs);
/**
 * Mark @p bio as polled (REQ_POLLED): in concurrent mode its completion is
 * not run by the device's completion thread but by whoever calls
 * blkdev_poll() (the kernel's bio_set_polled, io_uring's IOPOLL).
 * @param bio the bio
 */
static inline void bio_set_polled(struct bio *bio)
{
	bio->bi_opf |= REQ_POLLED;
}
/**
 * Run, on the calling thread, the completions of polled bios of @p bdev
 * that have finished (and, in deterministic mode, every finished bio).
 * @param bdev the device
 * @return number of bios completed
 */
int blkdev_poll(struct block_device *bdev);
/** @return whether @p bdev honours FUA natively @param bdev the device */
bool bdev_fua(const struct block_device *bdev);
/** @return whether @p bdev has a volatile write cache (every backend here
 *          does: writes are volatile until a flush) @param bdev the device */
bool bdev_write_cache(const struct block_device *bdev);

/**
 * Open a block device over @p backend (the device does not own it).
 * @param bdev     structure to initialise
 * @param backend  the media
 * @param dev      device number for traces
 * @return 0 or -errno
 */
int blkdev_open(struct block_device *bdev, struct backend *backend, kdev_t dev);
/**
 * Close a block device: waits for every bio, stops the completion thread.
 * @param bdev the device
 */
void blkdev_close(struct block_device *bdev);
/**
 * Deterministic mode: run bi_end_io for every finished bio, in order.
 * Concurrent mode: returns at once (the completion thread does it).
 * @param bdev the device
 * @return number of bios completed by this call
 */
int blkdev_run_completions(struct block_device *bdev);
/**
 * Wait until every submitted bio on @p bdev has run its bi_end_io.
 * @param bdev the device
 */
void blkdev_drain(struct block_device *bdev);
/**
 * Flush the device's volatile cache (blkdev_issue_flush).
 * @param bdev the device
 * @return 0 or -errno
 */
int blkdev_issue_flush(struct block_device *bdev);
/**
 * Synchronous helper for metadata I/O that bypasses bios (still emitted as
 * bio events).  Offsets and lengths must be multiples of the logical block size.
 * @param bdev  the device
 * @param op    REQ_OP_READ or REQ_OP_WRITE, optionally | REQ_FUA
 * @param pos   byte offset on the device
 * @param buf   memory
 * @param len   bytes
 * @return 0 or -errno
 */
int blkdev_rw(struct block_device *bdev, unsigned op, uint64_t pos, void *buf, size_t len);

/**
 * Allocate a bio.
 * @param bdev     target device
 * @param nr_vecs  maximum segments
 * @param opf      REQ_OP_* | flags
 * @return the bio (never NULL: allocation failure aborts, as bio_alloc with
 *         GFP_NOFS cannot fail in the kernel)
 */
struct bio *bio_alloc(struct block_device *bdev, unsigned nr_vecs, unsigned opf);
/**
 * Add a segment; merge with the previous one if @p buf directly follows it.
 * @param bio  the bio
 * @param buf  memory
 * @param len  bytes
 * @return @p len if added, 0 if the bio is full (caller submits and starts a new one)
 */
unsigned bio_add_buf(struct bio *bio, void *buf, unsigned len);
/**
 * Submit @p bio; bi_end_io runs when it completes (see file comment).
 * @param bio the bio
 */
void submit_bio(struct bio *bio);
/**
 * Submit @p bio and wait for it.
 * @param bio the bio (its bi_end_io is replaced)
 * @return bi_status: 0 or -errno
 */
int submit_bio_wait(struct bio *bio);
/** Free a bio. @param bio the bio */
void bio_put(struct bio *bio);
/**
 * End @p bio: emit `bio_complete` and call its bi_end_io (which may free
 * it).  The block layer calls this once per submitted bio, at the point the
 * execution mode defines (file comment); nobody else should.
 * @param bio a submitted bio whose backend requests have all completed
 */
void bio_endio(struct bio *bio);
/** @return the operation of @p bio @param bio the bio */
static inline enum req_op bio_op(const struct bio *bio)
{
	return (enum req_op)(bio->bi_opf & REQ_OP_MASK);
}

#endif /* IOMAP_BIO_H */
