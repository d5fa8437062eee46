/**
 * @file bio.c
 * @brief The bio object: allocate, add memory, end, free (the kernel's
 *        block/bio.c).
 *
 * What it is for: a bio describes one I/O to a contiguous range of a block
 * device, with the memory scattered over segments.  This file builds and
 * ends bios; blkdev.c submits them to the backend and decides when and on
 * which thread they end.
 *
 * How to use it:
 *
 *     struct bio *bio = bio_alloc(bdev, nr_vecs, REQ_OP_WRITE | REQ_FUA);
 *     bio->bi_sector = pos >> SECTOR_SHIFT;
 *     while (bio_add_buf(bio, p, len) == len) ...   // 0 = full, submit it
 *     bio->bi_end_io = my_end_io;
 *     submit_bio(bio);                              // my_end_io calls bio_put()
 *
 * Segment merging: bio_add_buf() appends to the previous segment when the
 * new memory starts exactly where that segment ends (the kernel merges
 * physically contiguous pages the same way), so a large buffer added page
 * by page still travels as one segment, and one backend request.  Each
 * merge is counted in `bd_stat_merges`.
 *
 * A bio's life, and who moves it:
 *
 *     bio_alloc --bio_add_buf()--> built --submit_bio()--> in flight
 *       --last backend request completes--> finished --bio_endio()--> ended
 *       --bio_put()--> freed
 *
 * Never: add memory to a bio after submitting it; touch a bio after its
 * bi_end_io returned unless bi_end_io left it alive for you (submit_bio_wait
 * does); call bio_endio() yourself.
 *
 * Locking: a bio belongs to one owner at a time (the builder, then the block
 * layer, then bi_end_io), so its fields need no lock, except `bi_pending`
 * and `bi_status` (atomics, written by backend completions in any thread)
 * and `bi_done` (under `bd_lock`).  `bd_lock` protects the merge counter.
 */
#include <stdio.h>
#include <stdlib.h>

#include "iomap/bio.h"
#include "iomap/trace.h"

struct bio *bio_alloc(struct block_device *bdev, unsigned nr_vecs, unsigned opf)
{
	return bio_alloc_bioset(bdev, nr_vecs, opf, NULL);
}

/*
 * A bio from a bio_set lives at the end of a block of front_pad + sizeof(bio)
 * bytes, so that the owner's structure (whose last member is the bio) can
 * be found with container_of; bio_put() frees the whole block.
 */
struct bio *bio_alloc_bioset(struct block_device *bdev, unsigned nr_vecs, unsigned opf,
			     struct bio_set *bs)
{
	size_t pad = bs ? bs->front_pad : 0;
	char *mem = calloc(1, pad + sizeof(struct bio));
	struct bio *bio;

	if (!mem)
		goto oom;
	bio = (struct bio *)(void *)(mem + pad);
	bio->bi_pool = bs;
	if (nr_vecs) {
		bio->bi_io_vec = calloc(nr_vecs, sizeof(*bio->bi_io_vec));
		if (!bio->bi_io_vec)
			goto oom;
	}
	bio->bi_bdev = bdev;
	bio->bi_opf = opf;
	bio->bi_max_vecs = nr_vecs;
	return bio;

oom:
	/* Like bio_alloc(GFP_NOFS) in the kernel, this cannot fail. */
	fprintf(stderr, "bio_alloc: out of memory\n");
	abort();
}

unsigned bio_add_buf(struct bio *bio, void *buf, unsigned len)
{
	struct bio_vec *last;

	if (len == 0 || bio->bi_size + len < bio->bi_size)
		return 0; /* nothing to add, or bi_size would wrap */
	last = bio->bi_vcnt ? &bio->bi_io_vec[bio->bi_vcnt - 1] : NULL;
	if (last && (char *)last->bv_buf + last->bv_len == (char *)buf) {
		last->bv_len += len;
		bio->bi_size += len;
		pthread_mutex_lock(&bio->bi_bdev->bd_lock);
		bio->bi_bdev->bd_stat_merges++;
		pthread_mutex_unlock(&bio->bi_bdev->bd_lock);
		return len;
	}
	if (bio->bi_vcnt == bio->bi_max_vecs)
		return 0;
	bio->bi_io_vec[bio->bi_vcnt].bv_buf = buf;
	bio->bi_io_vec[bio->bi_vcnt].bv_len = len;
	bio->bi_vcnt++;
	bio->bi_size += len;
	return len;
}

void bio_endio(struct bio *bio)
{
	if (trace_enabled()) {
		struct trace_event ev;

		trace_event_init(&ev, "bio_complete", bio->bi_bdev->bd_dev, 0);
		trace_u64(&ev, "id", bio->bi_id);
		trace_s64(&ev, "status", bio->bi_status);
		trace_emit(&ev);
	}
	/* The backend requests are done; free them before bi_end_io may free bio. */
	free(bio->bi_reqs);
	bio->bi_reqs = NULL;
	if (bio->bi_end_io)
		bio->bi_end_io(bio);
}

void bio_put(struct bio *bio)
{
	if (!bio)
		return;
	free(bio->bi_reqs);
	free(bio->bi_io_vec);
	free((char *)bio - (bio->bi_pool ? bio->bi_pool->front_pad : 0));
}
