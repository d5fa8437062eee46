/**
 * @file direct-io.c
 * @brief Direct I/O: iomap_dio_rw() and its halves (mirrors fs/iomap/direct-io.c).
 *
 * A direct read or write moves the caller's memory straight to or from the
 * device, one bio per contiguous piece of a mapping, without the page
 * cache (operations.rst, "Direct I/O").  The request is a `struct
 * iomap_dio`; its life is drawn in iomap.h ("Direct I/O").  In short:
 *
 *   - __iomap_dio_rw() prepares the page cache (write back; for writes
 *     also drop it), then runs the iterator: each mapping becomes bios
 *     (iomap_dio_bio_iter), zeroes (holes and unwritten space on reads:
 *     iomap_dio_hole_iter) or a memcpy (inline data).
 *   - Every bio holds a reference on the dio; the submitter holds one
 *     more while it submits.  Whoever drops the last reference finishes the
 *     request (iomap_dio_done): it wakes a synchronous submitter, or for an
 *     asynchronous one completes it inline (reads), through the issuer
 *     (IOCB_DIO_CALLER_COMP) or on the superblock's dio workqueue.
 *   - iomap_dio_complete() calls ->end_io (the filesystem converts
 *     unwritten extents, remaps COW extents, moves EOF), drops the page
 *     cache again for writes, advances ki_pos and syncs O_DSYNC writes.
 *
 * Sub-block zeroing: a write that does not cover whole filesystem blocks of
 * newly allocated or unwritten space must also write zeroes over the rest
 * of those blocks, or the old contents of the device would become visible:
 *
 *     block:      |<------------- 4096 ------------->|
 *     write:              [=== 1024 data ===]
 *     bios:       [0 pad ][=== data bio ====][ 0 tail ]   (iomap_dio_zero)
 *
 * The same tail zeroing happens for a write that ends past EOF in any
 * mapping, so that the bytes after the new EOF read as zeroes.
 *
 * Reference-only events (docs/EVENTS.md): `dio_bio` before each bio is
 * submitted (dio, offset, sector, size, op, zero), `dio_bio_end` when it
 * completes (dio, bio, status), `dio_done` when the request finishes and
 * how ("sync", "inline", "caller", "workqueue"), `dio_end_io` around the
 * filesystem's ->end_io.  The kernel events `iomap_dio_rw_begin`,
 * `iomap_dio_rw_queued`, `iomap_dio_invalidate_fail` and
 * `iomap_dio_complete` are emitted where 6.18 emits them.
 *
 * A caller must never: touch a queued (-EIOCBQUEUED) request's iov_iter
 * memory before ki_complete ran; call iomap_dio_complete() twice.
 *
 * Locking: `ref` and `error` are atomics shared by the submitter and the
 * completion contexts; `done` is protected by dio_wait_lock; every other
 * field belongs to the submitter until the last reference drops, then to
 * whoever completes.  No filesystem lock is taken here.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <iomap/iomap.h>
#include <iomap/trace.h>
#include <iomap/workqueue.h>

/*
 * Private dio flags, above the public ones (the kernel uses the same bits).
 * IOMAP_DIO_UNWRITTEN and IOMAP_DIO_COW (bits 0 and 1) share the word and
 * are what ->end_io sees.
 */
#define IOMAP_DIO_NO_INVALIDATE (1u << 25) /* kept for parity; unused without ioend dio */
#define IOMAP_DIO_CALLER_COMP (1u << 26)   /* may complete through iocb->dio_complete */
#define IOMAP_DIO_INLINE_COMP (1u << 27)   /* may complete in the bio's context */
#define IOMAP_DIO_WRITE_THROUGH (1u << 28) /* every write was FUA so far */
#define IOMAP_DIO_NEED_SYNC (1u << 29)     /* O_DSYNC: sync at completion */
#define IOMAP_DIO_WRITE (1u << 30)         /* a write */
#define IOMAP_DIO_FSBLOCK (1u << 24)       /* IOMAP_DIO_FSBLOCK_ALIGNED was passed */

/* Largest zeroing a sub-block pad needs: the largest block size supported. */
#define IOMAP_ZERO_PAGE_SIZE (64u * 1024)
/* Largest bio: 256 pages, like BIO_MAX_VECS pages of a user buffer. */
#define IOMAP_DIO_MAX_BIO (256u * PAGE_SIZE)
/* Devices one dio may touch (a filesystem with a realtime device has two). */
#define IOMAP_DIO_MAX_BDEVS 4

/* Aligned so that an O_DIRECT backend accepts it as a write buffer. */
static const unsigned char iomap_zero_page[IOMAP_ZERO_PAGE_SIZE] __attribute__((aligned(4096)));

struct iomap_dio {
	struct kiocb *iocb;
	const struct iomap_dio_ops *dops;
	loff_t i_size;          /* size when the request started */
	loff_t size;            /* bytes issued (or zeroed for holes) so far */
	int ref;                /* atomic: submitter + one per bio in flight */
	unsigned flags;         /* IOMAP_DIO_* public end_io bits + private bits */
	int error;              /* atomic: first error */
	size_t done_before;     /* IOMAP_DIO_PARTIAL: bytes done by earlier calls */
	bool wait_for_completion;
	bool done;              /* synchronous: the last reference dropped */
	uint64_t id;            /* for reference events */
	struct iov_iter *iter;  /* the caller's memory (during submission) */
	/* Devices with bios of this dio, for a deterministic-mode wait. */
	struct block_device *bdevs[IOMAP_DIO_MAX_BDEVS];
	unsigned nr_bdevs;
	struct work_struct work; /* asynchronous completion on s_dio_done_wq */
};

/*
 * Synchronous submitters sleep here until their dio's last bio completes.
 * One lock for all requests: a dio is freed by its submitter right after it
 * wakes, so a lock inside the dio could be destroyed while the waker still
 * holds it.
 */
static pthread_mutex_t dio_wait_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t dio_wait_cond = PTHREAD_COND_INITIALIZER;
static uint64_t dio_next_id;

/* Record @err unless an error is already there (the kernel's cmpxchg). */
static void iomap_dio_set_error(struct iomap_dio *dio, int err)
{
	int expected = 0;

	__atomic_compare_exchange_n(&dio->error, &expected, err, false, __ATOMIC_ACQ_REL,
				    __ATOMIC_ACQUIRE);
}

static int iomap_dio_error(struct iomap_dio *dio)
{
	return __atomic_load_n(&dio->error, __ATOMIC_ACQUIRE);
}

static struct inode *dio_inode(const struct iomap_dio *dio)
{
	return dio->iocb->ki_filp->f_inode;
}

static void trace_dio_event(const struct iomap_dio *dio, const char *name, const char *how)
{
	struct trace_event ev;
	struct inode *inode = dio_inode(dio);

	if (!trace_enabled())
		return;
	trace_event_init(&ev, name, inode->i_sb->s_dev, inode->i_ino);
	trace_u64(&ev, "dio", dio->id);
	if (how)
		trace_str(&ev, "how", how);
	trace_emit(&ev);
}

/* trace_iomap_dio_rw_begin: the request as the caller made it. */
static void trace_iomap_dio_rw_begin(struct kiocb *iocb, struct iov_iter *iter,
				     unsigned dio_flags, size_t done_before)
{
	struct inode *inode = iocb->ki_filp->f_inode;
	struct trace_event ev;
	char flags[160], dflags[96];

	if (!trace_enabled())
		return;
	trace_event_init(&ev, "iomap_dio_rw_begin", inode->i_sb->s_dev, inode->i_ino);
	trace_u64(&ev, "size", (uint64_t)i_size_read(inode));
	trace_u64(&ev, "offset", (uint64_t)iocb->ki_pos);
	trace_u64(&ev, "length", iov_iter_count(iter));
	trace_u64(&ev, "done_before", done_before);
	trace_str(&ev, "flags", iocb_flags_str(iocb->ki_flags, flags, sizeof(flags)));
	trace_str(&ev, "dio_flags", iomap_dio_flags_str(dio_flags, dflags, sizeof(dflags)));
	trace_s64(&ev, "aio", !is_sync_kiocb(iocb));
	trace_emit(&ev);
}

/* trace_iomap_dio_complete: the result as the caller will see it. */
static void trace_iomap_dio_complete(struct kiocb *iocb, int error, ssize_t ret)
{
	struct inode *inode = iocb->ki_filp->f_inode;
	struct trace_event ev;
	char flags[160];

	if (!trace_enabled())
		return;
	trace_event_init(&ev, "iomap_dio_complete", inode->i_sb->s_dev, inode->i_ino);
	trace_u64(&ev, "size", (uint64_t)i_size_read(inode));
	trace_u64(&ev, "offset", (uint64_t)iocb->ki_pos);
	trace_str(&ev, "flags", iocb_flags_str(iocb->ki_flags, flags, sizeof(flags)));
	trace_s64(&ev, "aio", !is_sync_kiocb(iocb));
	trace_s64(&ev, "error", error);
	trace_s64(&ev, "ret", ret);
	trace_emit(&ev);
}

/* Remember @bdev so that a deterministic-mode waiter knows what to drive. */
static void iomap_dio_note_bdev(struct iomap_dio *dio, struct block_device *bdev)
{
	for (unsigned i = 0; i < dio->nr_bdevs; i++)
		if (dio->bdevs[i] == bdev)
			return;
	if (dio->nr_bdevs < IOMAP_DIO_MAX_BDEVS)
		dio->bdevs[dio->nr_bdevs++] = bdev;
}

/* Mirrors iomap_dio_alloc_bio(): from the filesystem's bio_set if it has one. */
static struct bio *iomap_dio_alloc_bio(const struct iomap_iter *iter, struct iomap_dio *dio,
				       unsigned nr_vecs, unsigned opf)
{
	struct bio_set *bs = dio->dops ? dio->dops->bio_set : NULL;

	return bio_alloc_bioset(iter->iomap.bdev, nr_vecs, opf, bs);
}

/* Mirrors iomap_dio_submit_bio(). */
static void iomap_dio_submit_bio(const struct iomap_iter *iter, struct iomap_dio *dio,
				 struct bio *bio, loff_t pos, bool zero)
{
	struct kiocb *iocb = dio->iocb;

	__atomic_add_fetch(&dio->ref, 1, __ATOMIC_ACQ_REL);
	iomap_dio_note_bdev(dio, bio->bi_bdev);

	/*
	 * Only an asynchronous request can be polled: a synchronous submitter
	 * sleeps, and nobody would poll for it.
	 */
	if ((iocb->ki_flags & IOCB_HIPRI) && !is_sync_kiocb(iocb)) {
		bio_set_polled(bio);
		iocb->private = bio;
	}
	if (trace_enabled()) {
		struct inode *inode = dio_inode(dio);
		struct trace_event ev;

		trace_event_init(&ev, "dio_bio", inode->i_sb->s_dev, inode->i_ino);
		trace_u64(&ev, "dio", dio->id);
		trace_u64(&ev, "offset", (uint64_t)pos);
		trace_u64(&ev, "sector", bio->bi_sector);
		trace_u64(&ev, "size", bio->bi_size);
		trace_str(&ev, "op", bio_op(bio) == REQ_OP_WRITE ? "WRITE" : "READ");
		trace_u64(&ev, "zero", zero);
		trace_emit(&ev);
	}
	if (dio->dops && dio->dops->submit_io)
		dio->dops->submit_io(iter, bio, pos);
	else
		submit_bio(bio);
}

ssize_t iomap_dio_complete(struct iomap_dio *dio)
{
	const struct iomap_dio_ops *dops = dio->dops;
	struct kiocb *iocb = dio->iocb;
	loff_t offset = iocb->ki_pos;
	int error = iomap_dio_error(dio);
	ssize_t ret = error;

	if (dops && dops->end_io) {
		ret = dops->end_io(iocb, dio->size, error, dio->flags & (IOMAP_DIO_UNWRITTEN |
									 IOMAP_DIO_COW));
		if (trace_enabled()) {
			struct inode *inode = dio_inode(dio);
			struct trace_event ev;
			char f[32];

			snprintf(f, sizeof(f), "%s%s%s",
				 (dio->flags & IOMAP_DIO_UNWRITTEN) ? "UNWRITTEN" : "",
				 (dio->flags & IOMAP_DIO_UNWRITTEN) && (dio->flags & IOMAP_DIO_COW)
					 ? "|" : "",
				 (dio->flags & IOMAP_DIO_COW) ? "COW" : "");
			trace_event_init(&ev, "dio_end_io", inode->i_sb->s_dev, inode->i_ino);
			trace_u64(&ev, "dio", dio->id);
			trace_u64(&ev, "size", (uint64_t)dio->size);
			trace_s64(&ev, "error", error);
			trace_str(&ev, "flags", f);
			trace_s64(&ev, "ret", ret);
			trace_emit(&ev);
		}
	}

	if (likely(!ret)) {
		ret = dio->size;
		/* A read that crossed EOF returns only what lies before it. */
		if (offset + ret > dio->i_size && !(dio->flags & IOMAP_DIO_WRITE))
			ret = dio->i_size - offset;
	}

	/*
	 * Drop the page cache over the written range once more: a buffered
	 * read may have cached the old contents while the write was in flight.
	 * This must come after ->end_io, or such a read could cache the zeroes
	 * of a not yet converted unwritten extent.  Failure is ignored: the
	 * write itself succeeded.
	 */
	if (!error && dio->size && (dio->flags & IOMAP_DIO_WRITE) &&
	    !(dio->flags & IOMAP_DIO_NO_INVALIDATE))
		kiocb_invalidate_post_direct_write(iocb, (size_t)dio->size);

	inode_dio_end(dio_inode(dio));

	if (ret > 0) {
		iocb->ki_pos += ret;
		/* O_DSYNC that could not be satisfied with FUA writes alone. */
		if (dio->flags & IOMAP_DIO_NEED_SYNC)
			ret = generic_write_sync(iocb, ret);
		if (ret > 0)
			ret += (ssize_t)dio->done_before;
	}
	trace_iomap_dio_complete(iocb, error, ret);
	free(dio);
	return ret;
}

/* iocb->dio_complete for IOCB_DIO_CALLER_COMP (iomap_dio_deferred_complete). */
static ssize_t iomap_dio_deferred_complete(void *data)
{
	return iomap_dio_complete(data);
}

/* Mirrors iomap_dio_complete_work(): finish and tell the issuer. */
static void iomap_dio_complete_work(struct work_struct *work)
{
	struct iomap_dio *dio = container_of(work, struct iomap_dio, work);
	struct kiocb *iocb = dio->iocb;

	iocb->ki_complete(iocb, (long)iomap_dio_complete(dio));
}

/* Mirrors iomap_dio_done(): the last reference dropped in a bio completion. */
static void iomap_dio_done(struct iomap_dio *dio)
{
	struct kiocb *iocb = dio->iocb;

	if (dio->wait_for_completion) {
		trace_dio_event(dio, "dio_done", "sync");
		pthread_mutex_lock(&dio_wait_lock);
		dio->done = true;
		pthread_cond_broadcast(&dio_wait_cond);
		pthread_mutex_unlock(&dio_wait_lock);
		/* The submitter owns @dio again (and frees it). */
	} else if (dio->flags & IOMAP_DIO_INLINE_COMP) {
		trace_dio_event(dio, "dio_done", "inline");
		iocb->private = NULL;
		iomap_dio_complete_work(&dio->work);
	} else if (dio->flags & IOMAP_DIO_CALLER_COMP) {
		/*
		 * The issuer finishes it from its own context: ki_complete
		 * sees dio_complete set and calls dio_complete(private) later.
		 * The result passed here is not the request's result.
		 */
		trace_dio_event(dio, "dio_done", "caller");
		iocb->private = dio;
		iocb->dio_complete = iomap_dio_deferred_complete;
		iocb->ki_complete(iocb, 0);
	} else {
		/*
		 * Completion work that may convert extents or sync must not
		 * run in the bio's completion context: punt to a workqueue.
		 */
		struct super_block *sb = dio_inode(dio)->i_sb;

		trace_dio_event(dio, "dio_done", "workqueue");
		INIT_WORK(&dio->work, iomap_dio_complete_work, "iomap_dio_complete_work");
		queue_work(sb->s_dio_done_wq, &dio->work);
	}
}

void iomap_dio_bio_end_io(struct bio *bio)
{
	struct iomap_dio *dio = bio->bi_private;

	if (bio->bi_status)
		iomap_dio_set_error(dio, bio->bi_status);
	if (trace_enabled()) {
		struct inode *inode = dio_inode(dio);
		struct trace_event ev;

		trace_event_init(&ev, "dio_bio_end", inode->i_sb->s_dev, inode->i_ino);
		trace_u64(&ev, "dio", dio->id);
		trace_u64(&ev, "bio", bio->bi_id);
		trace_s64(&ev, "status", bio->bi_status);
		trace_emit(&ev);
	}
	if (__atomic_sub_fetch(&dio->ref, 1, __ATOMIC_ACQ_REL) == 0)
		iomap_dio_done(dio); /* may free dio; the bio is still ours */
	bio_put(bio);
}

/* Mirrors iomap_dio_zero(): write @len zero bytes at file position @pos. */
static int iomap_dio_zero(const struct iomap_iter *iter, struct iomap_dio *dio, loff_t pos,
			  unsigned len)
{
	struct bio *bio;

	if (!len)
		return 0;
	if (len > IOMAP_ZERO_PAGE_SIZE)
		return -EINVAL; /* blocks larger than 64 KiB are not supported */
	bio = iomap_dio_alloc_bio(iter, dio, 1, REQ_OP_WRITE | REQ_SYNC);
	bio->bi_sector = iomap_sector(&iter->iomap, pos);
	bio->bi_private = dio;
	bio->bi_end_io = iomap_dio_bio_end_io;
	/* The zero page is only ever read from: the device writes it out. */
	bio_add_buf(bio, (void *)iomap_zero_page, len);
	iomap_dio_submit_bio(iter, dio, bio, pos, true);
	return 0;
}

/*
 * FUA is enough for O_DSYNC when the write needs no metadata change at all
 * (not shared, nothing uncommitted) and every write so far was FUA too
 * (iomap_dio_can_use_fua).
 */
static bool iomap_dio_can_use_fua(const struct iomap *iomap, const struct iomap_dio *dio)
{
	if (iomap->flags & (IOMAP_F_SHARED | IOMAP_F_DIRTY))
		return false;
	if (!(dio->flags & IOMAP_DIO_WRITE_THROUGH))
		return false;
	return !bdev_write_cache(iomap->bdev) || bdev_fua(iomap->bdev);
}

/*
 * Fill @bio from the caller's memory, at most IOMAP_DIO_MAX_BIO bytes, then
 * trim it to a multiple of @align (a fault can stop the memory anywhere).
 * Mirrors bio_iov_iter_get_pages().  Returns 0, or -EFAULT if nothing could
 * be added.
 */
static int iomap_dio_fill_bio(struct bio *bio, struct iov_iter *iter, unsigned align)
{
	size_t excess;

	while (bio->bi_size < IOMAP_DIO_MAX_BIO && iov_iter_count(iter)) {
		void *buf;
		size_t n = iov_iter_get_buf(iter, IOMAP_DIO_MAX_BIO - bio->bi_size, &buf);

		if (n == 0)
			break; /* the memory faulted here */
		if (bio_add_buf(bio, buf, (unsigned)n) != n) {
			iov_iter_revert(iter, n); /* the bio is full of segments */
			break;
		}
	}
	excess = bio->bi_size % align;
	if (excess) {
		/* Give the unaligned tail back; the next bio (or the caller) sees it. */
		iov_iter_revert(iter, excess);
		bio->bi_size -= (unsigned)excess;
		while (excess) {
			struct bio_vec *bv = &bio->bi_io_vec[bio->bi_vcnt - 1];
			unsigned cut = excess < bv->bv_len ? (unsigned)excess : bv->bv_len;

			bv->bv_len -= cut;
			excess -= cut;
			if (bv->bv_len == 0)
				bio->bi_vcnt--;
		}
	}
	return bio->bi_size ? 0 : -EFAULT;
}

/* Mirrors iomap_dio_bio_iter(): MAPPED (and UNWRITTEN for writes) to bios. */
static int iomap_dio_bio_iter(struct iomap_iter *iter, struct iomap_dio *dio)
{
	const struct iomap *iomap = &iter->iomap;
	struct inode *inode = iter->inode;
	unsigned fs_block_size = i_blocksize(inode), pad;
	const uint64_t length = iomap_length(iter);
	loff_t pos = iter->pos;
	unsigned bio_opf = REQ_SYNC;
	unsigned alignment;
	bool need_zeroout = false;
	int ret = 0;
	uint64_t copied = 0;
	size_t orig_count;
	struct bio *bio;

	/*
	 * A filesystem that always writes out of place needs whole blocks per
	 * bio; everyone else needs the device's logical block size.
	 */
	if (dio->flags & IOMAP_DIO_FSBLOCK)
		alignment = fs_block_size;
	else
		alignment = iomap->bdev->bd_logical_block_size;
	if (((uint64_t)pos | length) & (alignment - 1))
		return -EINVAL;

	if (dio->flags & IOMAP_DIO_WRITE) {
		bio_opf |= REQ_OP_WRITE;
		if (iomap->type == IOMAP_UNWRITTEN) {
			dio->flags |= IOMAP_DIO_UNWRITTEN;
			need_zeroout = true;
		}
		if (iomap->flags & IOMAP_F_SHARED)
			dio->flags |= IOMAP_DIO_COW;
		if (iomap->flags & IOMAP_F_NEW)
			need_zeroout = true;
		else if (iomap->type == IOMAP_MAPPED && iomap_dio_can_use_fua(iomap, dio))
			bio_opf |= REQ_FUA;
		/* One write that is not FUA means a cache flush at the end. */
		if (!(bio_opf & REQ_FUA))
			dio->flags &= ~IOMAP_DIO_WRITE_THROUGH;
		/*
		 * The issuer may only complete a pure overwrite itself: no
		 * zeroing, no conversion, no size change, no flush.
		 */
		if (need_zeroout || pos >= i_size_read(inode) ||
		    ((dio->flags & IOMAP_DIO_NEED_SYNC) && !(bio_opf & REQ_FUA)))
			dio->flags &= ~IOMAP_DIO_CALLER_COMP;
	} else {
		bio_opf |= REQ_OP_READ;
	}

	/* Work on the part of the caller's memory that this mapping covers. */
	orig_count = iov_iter_count(dio->iter);
	iov_iter_truncate(dio->iter, length);
	if (!iov_iter_count(dio->iter))
		goto out;
	/*
	 * The memory must suit the device: addresses aligned to its DMA
	 * alignment, segment lengths to the I/O alignment (the kernel's
	 * bdev_iter_is_aligned / bio_iov_iter_get_pages checks).
	 */
	if (!iov_iter_is_aligned(dio->iter, iomap->bdev->bd_dma_alignment, alignment - 1)) {
		ret = -EINVAL;
		goto out;
	}

	/* Polling needs a completion that can run where the poller is. */
	if (!(dio->flags & (IOMAP_DIO_INLINE_COMP | IOMAP_DIO_CALLER_COMP)))
		dio->iocb->ki_flags &= ~IOCB_HIPRI;

	if (need_zeroout) {
		/* Zero from the start of the block to the write. */
		pad = (unsigned)(pos & (fs_block_size - 1));
		ret = iomap_dio_zero(iter, dio, pos - pad, pad);
		if (ret)
			goto out;
	}

	do {
		size_t n;

		if (iomap_dio_error(dio)) {
			/* An earlier bio failed: stop, and report nothing done here. */
			iov_iter_revert(dio->iter, copied);
			copied = 0;
			ret = 0;
			goto out;
		}
		bio = iomap_dio_alloc_bio(iter, dio, IOMAP_DIO_MAX_BIO / PAGE_SIZE, bio_opf);
		bio->bi_sector = iomap_sector(iomap, pos);
		bio->bi_private = dio;
		bio->bi_end_io = iomap_dio_bio_end_io;
		ret = iomap_dio_fill_bio(bio, dio->iter, alignment);
		if (unlikely(ret)) {
			/*
			 * The memory faulted part way.  Still zero the tail of
			 * the block written last, or its old contents would
			 * show through after the short write.
			 */
			bio_put(bio);
			goto zero_tail;
		}
		n = bio->bi_size;
		dio->size += (loff_t)n;
		copied += n;
		/* Only a request of exactly one bio may be polled. */
		if (iov_iter_count(dio->iter))
			dio->iocb->ki_flags &= ~IOCB_HIPRI;
		iomap_dio_submit_bio(iter, dio, bio, pos, false);
		pos += (loff_t)n;
	} while (iov_iter_count(dio->iter));

zero_tail:
	/*
	 * Zero from the end of the write to the end of its block when the
	 * block was new or unwritten, or when the write ends past EOF (else
	 * the bytes between the new EOF and the block end would be stale).
	 */
	if (need_zeroout || ((dio->flags & IOMAP_DIO_WRITE) && pos >= i_size_read(inode))) {
		pad = (unsigned)(pos & (fs_block_size - 1));
		if (pad) {
			int zret = iomap_dio_zero(iter, dio, pos, fs_block_size - pad);

			if (zret)
				ret = zret;
		}
	}
out:
	/* Give back the memory beyond this mapping. */
	iov_iter_reexpand(dio->iter, orig_count - copied);
	if (copied)
		return iomap_iter_advance(iter, copied);
	return ret;
}

/* Mirrors iomap_dio_hole_iter(): holes (and unwritten space) read as zeroes. */
static int iomap_dio_hole_iter(struct iomap_iter *iter, struct iomap_dio *dio)
{
	size_t length = iov_iter_zero(iomap_length(iter), dio->iter);

	dio->size += (loff_t)length;
	if (!length)
		return -EFAULT;
	return iomap_iter_advance(iter, length);
}

/* Mirrors iomap_dio_inline_iter(): copy to or from the inode's inline data. */
static int iomap_dio_inline_iter(struct iomap_iter *iomi, struct iomap_dio *dio)
{
	const struct iomap *iomap = &iomi->iomap;
	struct iov_iter *iter = dio->iter;
	uint64_t length = iomap_length(iomi);
	loff_t pos = iomi->pos;
	char *inline_data;
	size_t copied;

	if (!iomap_inline_data_valid(iomap) || pos < iomap->offset)
		return -EIO; /* the filesystem broke the inline contract */
	inline_data = (char *)iomap->inline_data + (pos - iomap->offset);
	if (dio->flags & IOMAP_DIO_WRITE) {
		loff_t size = i_size_read(iomi->inode);

		/* A write past EOF leaves zeroes between the old EOF and it. */
		if (pos > size && size >= iomap->offset)
			memset((char *)iomap->inline_data + (size - iomap->offset), 0,
			       (size_t)(pos - size));
		copied = copy_from_iter(inline_data, length, iter);
		if (copied && pos + (loff_t)copied > size)
			i_size_write(iomi->inode, pos + (loff_t)copied);
	} else {
		copied = copy_to_iter(inline_data, length, iter);
	}
	dio->size += (loff_t)copied;
	if (!copied)
		return -EFAULT;
	return iomap_iter_advance(iomi, copied);
}

/* Mirrors iomap_dio_iter(): one mapping. */
static int iomap_dio_iter(struct iomap_iter *iter, struct iomap_dio *dio)
{
	switch (iter->iomap.type) {
	case IOMAP_HOLE:
		/* ->iomap_begin must allocate for writes. */
		if (dio->flags & IOMAP_DIO_WRITE)
			return -EIO;
		return iomap_dio_hole_iter(iter, dio);
	case IOMAP_UNWRITTEN:
		if (!(dio->flags & IOMAP_DIO_WRITE))
			return iomap_dio_hole_iter(iter, dio);
		return iomap_dio_bio_iter(iter, dio);
	case IOMAP_MAPPED:
		return iomap_dio_bio_iter(iter, dio);
	case IOMAP_INLINE:
		return iomap_dio_inline_iter(iter, dio);
	case IOMAP_DELALLOC:
		/*
		 * A page fault dirtied the range between the flush and this
		 * lookup: direct I/O cannot write through a reservation.
		 * The kernel warns "Direct I/O collision with buffered writes".
		 */
		return -EIO;
	default:
		return -EIO;
	}
}

/*
 * Sleep until the last bio of a synchronous dio completed.  In
 * deterministic mode nothing completes by itself: this thread runs the
 * completions of the devices the dio used.
 */
static void iomap_dio_wait(struct iomap_dio *dio)
{
	bool deterministic = false;

	for (unsigned i = 0; i < dio->nr_bdevs; i++)
		if (dio->bdevs[i]->bd_mode != EXEC_CONCURRENT)
			deterministic = true;
	for (;;) {
		bool done;

		pthread_mutex_lock(&dio_wait_lock);
		if (!deterministic)
			while (!dio->done)
				pthread_cond_wait(&dio_wait_cond, &dio_wait_lock);
		done = dio->done;
		pthread_mutex_unlock(&dio_wait_lock);
		if (done)
			return;
		for (unsigned i = 0; i < dio->nr_bdevs; i++)
			blkdev_drain(dio->bdevs[i]);
	}
}

struct iomap_dio *__iomap_dio_rw(struct kiocb *iocb, struct iov_iter *iter,
				 const struct iomap_ops *ops, const struct iomap_dio_ops *dops,
				 unsigned dio_flags, void *private, size_t done_before)
{
	struct inode *inode = iocb->ki_filp->f_inode;
	struct iomap_iter iomi = {
		.inode = inode,
		.pos = iocb->ki_pos,
		.len = iov_iter_count(iter),
		.flags = IOMAP_DIRECT,
		.private = private,
	};
	bool wait_for_completion = is_sync_kiocb(iocb) || (dio_flags & IOMAP_DIO_FORCE_WAIT);
	struct iomap_dio *dio;
	int ret = 0;

	trace_iomap_dio_rw_begin(iocb, iter, dio_flags, done_before);

	if (!iomi.len)
		return NULL;

	dio = calloc(1, sizeof(*dio));
	if (!dio)
		return ERR_PTR(-ENOMEM);
	dio->iocb = iocb;
	dio->ref = 1; /* the submitter's reference */
	dio->i_size = i_size_read(inode);
	dio->dops = dops;
	dio->done_before = done_before;
	dio->iter = iter;
	dio->id = __atomic_fetch_add(&dio_next_id, 1, __ATOMIC_RELAXED);

	if (iocb->ki_flags & IOCB_NOWAIT)
		iomi.flags |= IOMAP_NOWAIT;
	if (dio_flags & IOMAP_DIO_FSBLOCK_ALIGNED)
		dio->flags |= IOMAP_DIO_FSBLOCK;

	if (iter->dir == ITER_DEST) {
		/* Reads never need process context to complete. */
		dio->flags |= IOMAP_DIO_INLINE_COMP;
		if (iomi.pos >= dio->i_size)
			goto out_free_dio;
		ret = kiocb_write_and_wait(iocb, iomi.len);
		if (ret)
			goto out_free_dio;
	} else {
		iomi.flags |= IOMAP_WRITE;
		dio->flags |= IOMAP_DIO_WRITE;

		/* The issuer can finish pure overwrites itself; cleared later if not. */
		if (iocb->ki_flags & IOCB_DIO_CALLER_COMP)
			dio->flags |= IOMAP_DIO_CALLER_COMP;

		if (dio_flags & IOMAP_DIO_OVERWRITE_ONLY) {
			/* Past or across EOF is never a pure overwrite. */
			ret = -EAGAIN;
			if (iomi.pos >= dio->i_size || iomi.pos + (loff_t)iomi.len > dio->i_size)
				goto out_free_dio;
			ret = 0;
			iomi.flags |= IOMAP_OVERWRITE_ONLY;
		}
		if (iocb->ki_flags & IOCB_ATOMIC)
			iomi.flags |= IOMAP_ATOMIC;

		if (iocb_is_dsync(iocb)) {
			dio->flags |= IOMAP_DIO_NEED_SYNC;
			/*
			 * O_DSYNC alone may be satisfied by FUA writes; any
			 * write that cannot be FUA clears WRITE_THROUGH and the
			 * completion then flushes.  O_SYNC always syncs (the
			 * inode's timestamps must reach the disk too).
			 */
			if (!(iocb->ki_flags & IOCB_SYNC))
				dio->flags |= IOMAP_DIO_WRITE_THROUGH;
		}

		/*
		 * Drop the page cache over the range; if that fails the caller
		 * must fall back to buffered I/O, or the cache and the device
		 * would disagree.
		 */
		ret = kiocb_invalidate_pages(iocb, iomi.len);
		if (ret) {
			if (ret != -EAGAIN) {
				trace_iomap_range("iomap_dio_invalidate_fail", inode, iomi.pos,
						  iomi.len);
				ret = (iocb->ki_flags & IOCB_ATOMIC) ? -EAGAIN : -ENOTBLK;
			}
			goto out_free_dio;
		}
		if (!wait_for_completion && !inode->i_sb->s_dio_done_wq) {
			ret = sb_init_dio_done_wq(inode->i_sb);
			if (ret < 0)
				goto out_free_dio;
		}
	}

	inode_dio_begin(inode);

	while ((ret = iomap_iter(&iomi, ops)) > 0) {
		iomi.status = iomap_dio_iter(&iomi, dio);
		/* Only a request of exactly one bio may be polled. */
		iocb->ki_flags &= ~IOCB_HIPRI;
	}

	/* Report a read only up to the size it started with. */
	if (iter->dir == ITER_DEST && iomi.pos >= dio->i_size)
		iov_iter_revert(iter, (size_t)(iomi.pos - dio->i_size));

	if (ret == -EFAULT && dio->size && (dio_flags & IOMAP_DIO_PARTIAL)) {
		/* Return the progress; the caller faults the memory in and resumes. */
		if (!(iocb->ki_flags & IOCB_NOWAIT))
			wait_for_completion = true;
		ret = 0;
	}
	/* ->iomap_begin asked for buffered I/O part way: finish what was issued. */
	if (ret == -ENOTBLK) {
		wait_for_completion = true;
		ret = 0;
	}
	if (ret < 0)
		iomap_dio_set_error(dio, ret);

	/* Every write went out FUA: no flush needed at completion. */
	if (dio->flags & IOMAP_DIO_WRITE_THROUGH)
		dio->flags &= ~IOMAP_DIO_NEED_SYNC;

	/*
	 * Drop the submitter's reference.  If it was the last, we complete
	 * (the caller does, through iomap_dio_complete).  If not: an
	 * asynchronous request now belongs to the completion side and must not
	 * be touched; a synchronous one is handed back to us by
	 * iomap_dio_done() and we wait for that.
	 */
	dio->wait_for_completion = wait_for_completion;
	if (__atomic_sub_fetch(&dio->ref, 1, __ATOMIC_ACQ_REL) != 0) {
		if (!wait_for_completion) {
			trace_iomap_range("iomap_dio_rw_queued", inode, iomi.pos, iomi.len);
			return ERR_PTR(-EIOCBQUEUED);
		}
		iomap_dio_wait(dio);
	}
	return dio;

out_free_dio:
	free(dio);
	if (ret)
		return ERR_PTR(ret);
	return NULL;
}

ssize_t iomap_dio_rw(struct kiocb *iocb, struct iov_iter *iter, const struct iomap_ops *ops,
		     const struct iomap_dio_ops *dops, unsigned dio_flags, void *private,
		     size_t done_before)
{
	struct iomap_dio *dio = __iomap_dio_rw(iocb, iter, ops, dops, dio_flags, private,
					       done_before);

	if (IS_ERR_OR_NULL(dio))
		return PTR_ERR_OR_ZERO(dio);
	return iomap_dio_complete(dio);
}
