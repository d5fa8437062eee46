/**
 * @file backend.h
 * @brief Storage backends: the real media under a ::block_device.
 *
 * A backend is a flat array of bytes with a logical block size.  It knows
 * nothing of folios, inodes or iomap: it reads, writes and flushes.
 *
 *     ram    memory (the embedded default, also the "volatile cache" model)
 *     file   a regular file, pread/pwrite + fdatasync
 *     bdev   a real block device opened O_DIRECT, I/O through io_uring
 *     fault  a wrapper over any backend that injects EIO and power cuts
 *
 * Submission is asynchronous: backend_submit() starts a request and returns;
 * the backend later calls `req->end_io(req)` exactly once with `req->error`
 * set (0 or -errno).  Backends may complete inline (ram, file) or from
 * backend_poll() (bdev reaps io_uring completions there).  backend_drain()
 * waits until every submitted request has completed.  Callers that want
 * synchronous I/O use backend_rw_sync().
 *
 * Alignment: offsets and lengths must be multiples of the logical block
 * size (`-EINVAL` otherwise), and the whole range must lie inside the
 * device (`-EIO`, as a real device fails an access past its end).  The
 * bdev backend also needs buffers aligned to the logical block size; the
 * other backends accept any buffer.
 *
 * Durability: a completed write is *volatile* until a completed flush, or
 * unless it was submitted with ::BACKEND_REQ_FUA.  The fault backend models
 * exactly this: at a power cut, writes not yet made durable are lost (or
 * torn at a chosen point).
 *
 * Threads: backend_submit() and backend_poll() may be called from any
 * thread; a backend serialises internally.  end_io may run on the
 * submitting thread (inline completion) or inside backend_poll().
 */
#ifndef IOMAP_BACKEND_H
#define IOMAP_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Operation of a ::backend_req. */
enum backend_op {
	BACKEND_READ = 0,  /**< read @c len bytes at @c off into @c buf */
	BACKEND_WRITE = 1, /**< write @c len bytes from @c buf at @c off */
	BACKEND_FLUSH = 2, /**< make every completed write durable */
};

/** Request flags. */
#define BACKEND_REQ_FUA (1u << 0) /**< this write is durable when it completes */

/** Capabilities a backend reports. */
#define BACKEND_CAP_FUA (1u << 0)      /**< honours BACKEND_REQ_FUA natively */
#define BACKEND_CAP_ASYNC (1u << 1)    /**< completes from backend_poll(), not inline */
#define BACKEND_CAP_REAL_DEV (1u << 2) /**< a real block device (has a dev_t) */
#define BACKEND_CAP_DAX (1u << 3)      /**< byte-addressable (pmem) */

struct backend;

/** One I/O request. Owned by the submitter until end_io has run. */
struct backend_req {
	enum backend_op op;   /**< what to do */
	unsigned flags;       /**< BACKEND_REQ_* */
	uint64_t off;         /**< byte offset on the device */
	void *buf;            /**< data buffer (NULL for flush) */
	size_t len;           /**< bytes (0 for flush) */
	int error;            /**< set by the backend before end_io: 0 or -errno */
	/** Completion callback; runs exactly once. */
	void (*end_io)(struct backend_req *req);
	void *private;        /**< for the submitter */
	struct backend_req *next; /**< free for the backend's use while in flight */
};

/** Operations every backend implements. */
struct backend_ops {
	/** Start @p req; complete it (inline or later) via req->end_io. */
	int (*submit)(struct backend *b, struct backend_req *req);
	/** Reap finished requests, running their end_io; return how many. */
	int (*poll)(struct backend *b, bool wait);
	/** Free the backend (all requests must have completed). */
	void (*destroy)(struct backend *b);
};

/** A storage backend. */
struct backend {
	const struct backend_ops *ops; /**< implementation */
	const char *kind;              /**< "ram", "file", "bdev", "fault" */
	uint32_t logical_block_size;   /**< smallest I/O unit, bytes (512 or 4096) */
	uint64_t size;                 /**< bytes */
	unsigned caps;                 /**< BACKEND_CAP_* */
	uint32_t dev_major;            /**< device number (real devices; else 7) */
	uint32_t dev_minor;            /**< device number (real devices; else 0) */
	int inflight;                  /**< requests submitted, end_io not yet run */
	void *priv;                    /**< implementation state */
};

/**
 * Create a RAM backend of @p size bytes, zero-filled.
 * @param size  bytes (multiple of @p lbs)
 * @param lbs   logical block size: 512 or 4096
 * @return the backend, or NULL (errno set: EINVAL, ENOMEM)
 */
struct backend *backend_ram_new(uint64_t size, uint32_t lbs);
/**
 * Open (or create and size) a regular file as a backend.
 * @param path    file path
 * @param size    if non-zero and the file is smaller, extend it to this size;
 *                if zero, use the file's current size
 * @param lbs     logical block size: 512 or 4096
 * @return the backend, or NULL (errno set)
 */
struct backend *backend_file_new(const char *path, uint64_t size, uint32_t lbs);
/**
 * Open a real block device with O_DIRECT; I/O goes through io_uring.
 * The logical block size and size are read from the device (BLKSSZGET,
 * BLKGETSIZE64), the device number from stat().
 * @param path  e.g. "/dev/loop0"
 * @return the backend, or NULL (errno set: ENOTBLK if @p path is not a block
 *         device, EACCES/EPERM, ...)
 */
struct backend *backend_bdev_new(const char *path);

/** What the fault backend injects. */
enum fault_mode {
	FAULT_NONE = 0,   /**< pass through */
	FAULT_ONCE = 1,   /**< fail the next matching request, then pass */
	FAULT_ALWAYS = 2, /**< fail every matching request */
};

/**
 * Wrap @p lower in a fault-injecting backend.  The wrapper keeps its own
 * record of writes not yet durable so that it can simulate a power cut.
 * It owns @p lower and destroys it with itself.
 * @param lower the real backend
 * @return the wrapper, or NULL (errno set)
 */
struct backend *backend_fault_new(struct backend *lower);
/**
 * Arm EIO injection on a fault backend.
 * @param b      a backend from backend_fault_new()
 * @param op     which operation to fail (read, write or flush)
 * @param mode   none, once or always
 * @param after  let this many matching requests succeed first
 */
void fault_set_eio(struct backend *b, enum backend_op op, enum fault_mode mode, unsigned after);
/**
 * Arm a power cut: the write request numbered @p nth (0 = the next write
 * submitted from now) is torn after @p torn_bytes bytes (0 = not written at
 * all) and every write not yet durable is then discarded from the lower
 * backend; every later request fails with -EIO until fault_power_restore().
 * @param b           fault backend
 * @param nth         which write (counting from now) is the cut point
 * @param torn_bytes  bytes of that write that reach the media
 */
void fault_arm_power_cut(struct backend *b, unsigned nth, size_t torn_bytes);
/**
 * Cut the power now: discard every write not yet durable.
 * @param b fault backend
 */
void fault_power_cut_now(struct backend *b);
/**
 * Restore power: requests succeed again; the media holds what survived.
 * @param b fault backend
 */
void fault_power_restore(struct backend *b);
/** @return whether the power is currently cut @param b fault backend */
bool fault_power_is_cut(struct backend *b);
/** @return number of write requests seen so far @param b fault backend */
unsigned fault_writes_seen(struct backend *b);

/**
 * Submit @p req (see the file comment for the rules).
 * @param b    backend
 * @param req  request; its @c error and @c end_io are used on completion
 * @return 0 if submitted (completion follows), or -errno if refused at once
 *         (then end_io is not called)
 */
int backend_submit(struct backend *b, struct backend_req *req);
/**
 * Reap completions.
 * @param b     backend
 * @param wait  if true, block until at least one completes (when any is in flight)
 * @return number of requests completed by this call
 */
int backend_poll(struct backend *b, bool wait);
/**
 * Wait until nothing is in flight.
 * @param b backend
 */
void backend_drain(struct backend *b);
/**
 * Synchronous read, write or flush.
 * @param b    backend
 * @param op   operation
 * @param off  byte offset
 * @param buf  buffer (NULL for flush)
 * @param len  bytes
 * @param flags BACKEND_REQ_*
 * @return 0 or -errno
 */
int backend_rw_sync(struct backend *b, enum backend_op op, uint64_t off, void *buf, size_t len,
		    unsigned flags);
/**
 * Destroy a backend (drains first).
 * @param b backend, may be NULL
 */
void backend_destroy(struct backend *b);

/**
 * @name For backend implementations
 * Helpers that the backends in this folder (and test backends) use; callers
 * of backends never need them.
 * @{
 */
/**
 * Finish @p req: store @p error in `req->error`, run `req->end_io`, then
 * drop @p b's in-flight count and wake backend_drain() / backend_rw_sync()
 * waiters.  Every backend completes every accepted request through this
 * function, exactly once.  The count drops *after* end_io has returned, so
 * that backend_drain() never returns while a callback is still running.
 * @param b      backend the request was submitted to
 * @param req    the request (not touched after end_io returns)
 * @param error  0 or -errno
 * @pre no backend-internal lock is held (end_io may submit new requests)
 */
void backend_complete(struct backend *b, struct backend_req *req, int error);

/** Device number that backends without a real device report (a loop device's major). */
#define BACKEND_DEFAULT_MAJOR 7

/**
 * Fill the fields every backend has (for implementations, at creation).
 * @param b      the backend being created
 * @param ops    its operations
 * @param kind   "ram", "file", "bdev", "fault"
 * @param lbs    logical block size in bytes
 * @param size   size in bytes
 * @param caps   BACKEND_CAP_*
 * @param major  device major number shown in traces
 * @param minor  device minor number shown in traces
 * @param priv   implementation state
 */
void backend_init(struct backend *b, const struct backend_ops *ops, const char *kind, uint32_t lbs,
		  uint64_t size, unsigned caps, uint32_t major, uint32_t minor, void *priv);
/** @} */

#endif /* IOMAP_BACKEND_H */
