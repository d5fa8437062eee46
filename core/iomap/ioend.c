/**
 * @file ioend.c
 * @brief Page cache writeback: iomap_writepages() and the ioends it builds,
 *        submits and finishes (mirrors the writeback half of
 *        fs/iomap/buffered-io.c and all of fs/iomap/ioend.c, 6.10-6.12).
 *
 * The kernel keeps iomap_writepages() and its helpers (iomap_writepage_map,
 * iomap_add_to_ioend, iomap_submit_ioend ...) in buffered-io.c and the
 * completion helpers (iomap_finish_ioends, iomap_ioend_try_merge,
 * iomap_sort_ioends) in ioend.c.  Here both halves live in this file so
 * that the whole writeback path reads from top to bottom in one place:
 * folio -> dirty runs -> ->map_blocks -> ioend -> bio -> completion.
 *
 * How a writeback pass goes (operations.rst, "Pagecache Writeback"):
 *
 *   iomap_writepages
 *     for each dirty folio of the range, in index order, locked:
 *       folio_clear_dirty_for_io, `iomap_writeback_folio` event
 *       EOF: a folio wholly past i_size is only cleaned; one straddling it
 *            has its tail zeroed and only the blocks below EOF written
 *       bias write_bytes_pending, folio_start_writeback
 *       for each run of dirty blocks (iomap_find_dirty_range):
 *         ->map_blocks (every run: the filesystem decides whether its
 *                       cached wpc->iomap is still good, as XFS does)
 *         `iomap_add_to_ioend` event, then for the part the mapping covers:
 *           HOLE: nothing to write; MAPPED / UNWRITTEN: iomap_add_to_ioend
 *       clear every dirty bit of the folio, unlock, drop the bias
 *     submit the last ioend
 *
 * An ioend is one contiguous file range going to one contiguous device
 * range, with exactly one bio.  When the bio is full (bio_add_buf() says
 * 0) the ioend is submitted and a new one started, as 6.12 does; bios are
 * never chained.  A new ioend also starts when the next block is not file
 * and disk contiguous, has another UNWRITTEN / SHARED state, starts a
 * BOUNDARY mapping, or the ioend already holds IOEND_BATCH_SIZE folios.
 *
 * ioend life (iomap.h, "Writeback"; test ioend-*):
 *
 *     built --[iomap_submit_ioend: ->prepare_ioend, submit_bio]--> submitted
 *     submitted --[bio completion: ioend_end_bio -> bi_end_io]--> completed
 *     completed --[iomap_ioend_try_merge, by the filesystem]--> merged
 *     completed|merged --[iomap_finish_ioends]--> finished (freed)
 *
 * Every ioend this file makes is the public `struct iomap_ioend` embedded
 * first in a private `struct ioend_priv`, which also records the folio
 * ranges the bio carries (a bio here holds plain memory segments, and two
 * folios' memory may even be merged into one segment, so the bio cannot
 * tell which folios to finish) and the filesystem's bi_end_io.  The bio's
 * bi_end_io is always ioend_end_bio(): it stores the bio's status in
 * io_error and emits `ioend_complete`, then calls the end_io the
 * filesystem chose (iomap_writepage_end_bio unless ->prepare_ioend
 * installed its own).
 *
 * write_bytes_pending bias: while a folio with per-block state is being
 * added, write_bytes_pending holds one extra byte, so that a bio of this
 * folio that completes early (concurrent mode) cannot end the folio's
 * writeback before its last block was queued; iomap_writepage_map() drops
 * the byte at the end and ends writeback itself if the I/O is done.
 *
 * Events (docs/EVENTS.md): kernel `iomap_writeback_folio` and
 * `iomap_add_to_ioend`; reference-only `ioend_new`, `ioend_grow`,
 * `ioend_submit`, `ioend_complete`, `ioend_merge`, `ioend_finish`.
 *
 * A caller must never: pass iomap_finish_ioends() an ioend that
 * iomap_writepages() did not make (hand-made ioends may be sorted and
 * merged, not finished); change a submitted ioend's bio->bi_private (use
 * io_private); touch an ioend after iomap_finish_ioends().
 *
 * Locking: the folio lock is held from folio_clear_dirty_for_io until the
 * folio's blocks are queued; ifs->write_bytes_pending is an atomic shared
 * with completion contexts.  An ioend belongs to the writeback thread until
 * it is submitted, then to the block layer, then to whoever completes it;
 * its fields need no lock.  Nothing here takes a filesystem lock.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <iomap/iomap.h>
#include <iomap/trace.h>

#include "internal.h"

/* Folios one ioend may hold before it is cut (the kernel's IOEND_BATCH_SIZE):
 * bounds both completion latency and the loop that ends their writeback. */
#define IOEND_BATCH_SIZE 4096
/* Segments of an ioend's bio (the kernel's BIO_MAX_VECS). */
#define IOEND_BIO_VECS 256
/* Flags that must be equal for two ranges to share or merge ioends
 * (the kernel's IOMAP_IOEND_NOMERGE_FLAGS). */
#define IOEND_NOMERGE_FLAGS (IOMAP_IOEND_SHARED | IOMAP_IOEND_UNWRITTEN | IOMAP_IOEND_DONTCACHE)

/* One piece of a folio the ioend's bio carries. */
struct ioend_folio {
	struct folio *folio;
	unsigned len; /* bytes of this folio in the bio */
};

/* An ioend as this file allocates it; the public part comes first. */
struct ioend_priv {
	struct iomap_ioend ioend;
	bio_end_io_t fs_end_io;      /* run after ioend_end_bio */
	struct ioend_folio *folios;  /* in the order they were added */
	unsigned nr_folios;
	unsigned max_folios;
};

static struct ioend_priv *ioend_priv(struct iomap_ioend *ioend)
{
	return container_of(ioend, struct ioend_priv, ioend);
}

/* ioend ids for events: from 0, in allocation order. */
static uint64_t ioend_next_id;

/* ---------------------------------------------------------------------- */
/* Events                                                                  */
/* ---------------------------------------------------------------------- */

/* 6.18's IOMAP_IOEND_STRINGS, in its order. */
static const char *ioend_flags_str(unsigned flags, char *buf, size_t len)
{
	static const struct {
		unsigned bit;
		const char *name;
	} names[] = {
		{ IOMAP_IOEND_SHARED, "SHARED" },
		{ IOMAP_IOEND_UNWRITTEN, "UNWRITTEN" },
		{ IOMAP_IOEND_BOUNDARY, "BOUNDARY" },
		{ IOMAP_IOEND_DONTCACHE, "DONTCACHE" },
	};
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (flags & names[i].bit)
			n += (size_t)snprintf(buf + n, n < len ? len - n : 0, "%s%s", n ? "|" : "",
					      names[i].name);
	return buf;
}

/* Room for the longest ioend flag string. */
#define IOEND_FLAGS_BUF 64

/*
 * The fields every ioend_* event carries, so that the visualiser can draw
 * an ioend from any one of them: id, file range, sector, flags, error.
 * @fl holds the flag string until the event is emitted.
 */
static void trace_ioend_init(struct trace_event *ev, const char *name,
			     const struct iomap_ioend *ioend, char fl[IOEND_FLAGS_BUF])
{
	const struct inode *inode = ioend->io_inode;

	trace_event_init(ev, name, inode->i_sb ? inode->i_sb->s_dev : 0, inode->i_ino);
	trace_u64(ev, "ioend", ioend->io_id);
	trace_u64(ev, "offset", (uint64_t)ioend->io_offset);
	trace_u64(ev, "size", ioend->io_size);
	trace_u64(ev, "sector", ioend->io_sector);
	trace_str(ev, "flags", ioend_flags_str(ioend->io_flags, fl, IOEND_FLAGS_BUF));
	trace_s64(ev, "error", ioend->io_error);
}

static void trace_ioend(const char *name, const struct iomap_ioend *ioend)
{
	char fl[IOEND_FLAGS_BUF];
	struct trace_event ev;

	if (!trace_enabled())
		return;
	trace_ioend_init(&ev, name, ioend, fl);
	trace_emit(&ev);
}

/* The kernel's trace_iomap_add_to_ioend (6.18; trace_iomap_writepage_map in
 * 6.12): the dirty run as asked, and the mapping ->map_blocks gave for it. */
static void trace_iomap_add_to_ioend(struct inode *inode, uint64_t pos, uint64_t dirty_len,
				     const struct iomap *map)
{
	struct trace_event ev;

	if (!trace_enabled())
		return;
	trace_event_init(&ev, "iomap_add_to_ioend", inode->i_sb->s_dev, inode->i_ino);
	trace_u64(&ev, "bdev", map->bdev ? map->bdev->bd_dev : 0);
	trace_u64(&ev, "pos", pos);
	trace_u64(&ev, "dirty_len", dirty_len);
	trace_u64(&ev, "addr", map->addr);
	trace_u64(&ev, "offset", (uint64_t)map->offset);
	trace_u64(&ev, "length", map->length);
	trace_u64(&ev, "type", map->type);
	trace_u64(&ev, "flags", map->flags);
	trace_emit(&ev);
}

/* ---------------------------------------------------------------------- */
/* Completion (fs/iomap/ioend.c)                                           */
/* ---------------------------------------------------------------------- */

/*
 * @len bytes of @folio finished writeback (iomap_finish_folio_write).  A
 * folio with per-block state ends writeback when its pending byte count
 * reaches zero; a single-block folio had exactly one range in flight.
 */
static void iomap_finish_folio_write(struct folio *folio, size_t len)
{
	struct iomap_folio_state *ifs = folio_ifs(folio);

	if (!ifs || __atomic_sub_fetch(&ifs->write_bytes_pending, (unsigned)len,
				       __ATOMIC_ACQ_REL) == 0)
		folio_end_writeback(folio);
}

/* Finish one ioend: its folios, then free it and its bio (iomap_finish_ioend). */
static uint32_t iomap_finish_ioend(struct iomap_ioend *ioend, int error)
{
	struct ioend_priv *priv = ioend_priv(ioend);
	struct inode *inode = ioend->io_inode;
	uint32_t folios = 0;

	if (error && !ioend->io_error)
		ioend->io_error = error;
	trace_ioend("ioend_finish", ioend);
	if (error)
		mapping_set_error(inode->i_mapping, error);
	for (unsigned i = 0; i < priv->nr_folios; i++) {
		struct folio *folio = priv->folios[i].folio;

		/* PG_error before the writeback bit drops, so that a waiter
		 * woken by folio_end_writeback already sees it. */
		if (error)
			__atomic_or_fetch(&folio->flags, 1ul << PG_error, __ATOMIC_RELEASE);
		iomap_finish_folio_write(folio, priv->folios[i].len);
		folios++;
	}
	if (ioend->io_bio)
		bio_put(ioend->io_bio);
	free(priv->folios);
	free(priv);
	return folios;
}

uint32_t iomap_finish_ioends(struct iomap_ioend *ioend, int error)
{
	struct iomap_ioend *next = ioend->io_merged;
	uint32_t folios;

	/* The merged chain first leaves the head: finishing frees the head. */
	ioend->io_merged = NULL;
	folios = iomap_finish_ioend(ioend, error);
	while (next) {
		struct iomap_ioend *cur = next;

		next = cur->io_next;
		cur->io_next = NULL;
		folios += iomap_finish_ioend(cur, error);
	}
	return folios;
}

void iomap_writepage_end_bio(struct bio *bio)
{
	struct iomap_ioend *ioend = bio->bi_private;

	iomap_finish_ioends(ioend, bio->bi_status);
}

/*
 * bi_end_io of every ioend bio: remember the outcome in the ioend (the
 * merge rules compare it), emit `ioend_complete`, then run the end_io the
 * filesystem chose.
 */
static void ioend_end_bio(struct bio *bio)
{
	struct iomap_ioend *ioend = bio->bi_private;
	struct ioend_priv *priv = ioend_priv(ioend);

	if (bio->bi_status && !ioend->io_error)
		ioend->io_error = bio->bi_status;
	if (trace_enabled()) {
		char fl[IOEND_FLAGS_BUF];
		struct trace_event ev;

		trace_ioend_init(&ev, "ioend_complete", ioend, fl);
		trace_u64(&ev, "bio", bio->bi_id);
		trace_emit(&ev);
	}
	priv->fs_end_io(bio);
}

/*
 * Whether @next may be merged into @ioend (iomap_ioend_can_merge): the
 * same outcome (both succeeded or both failed), not a BOUNDARY, the same
 * SHARED / UNWRITTEN state, and contiguous both in the file and on disk
 * (merging disk-discontiguous ioends would make the filesystem's completion
 * work cover blocks that were never written).
 */
static bool iomap_ioend_can_merge(const struct iomap_ioend *ioend,
				  const struct iomap_ioend *next)
{
	if (!ioend->io_error != !next->io_error)
		return false;
	if (next->io_flags & IOMAP_IOEND_BOUNDARY)
		return false;
	if ((ioend->io_flags & IOEND_NOMERGE_FLAGS) != (next->io_flags & IOEND_NOMERGE_FLAGS))
		return false;
	if (ioend->io_type != next->io_type)
		return false;
	if (ioend->io_offset + (loff_t)ioend->io_size != next->io_offset)
		return false;
	if (ioend->io_sector + (ioend->io_size >> SECTOR_SHIFT) != next->io_sector)
		return false;
	return true;
}

void iomap_ioend_try_merge(struct iomap_ioend *ioend, struct iomap_ioend **more)
{
	struct iomap_ioend **tail = &ioend->io_merged;
	struct iomap_ioend *next;

	while (*tail)
		tail = &(*tail)->io_next;
	while ((next = *more) && iomap_ioend_can_merge(ioend, next)) {
		*more = next->io_next;
		next->io_next = NULL;
		*tail = next;
		tail = &next->io_next;
		/* The head grows to cover the chain, so that the next
		 * candidate is compared with the end of everything merged,
		 * and the filesystem's completion sees one range. */
		ioend->io_size += next->io_size;
		if (trace_enabled()) {
			char fl[IOEND_FLAGS_BUF];
			struct trace_event ev;

			trace_ioend_init(&ev, "ioend_merge", next, fl);
			trace_u64(&ev, "into", ioend->io_id);
			trace_u64(&ev, "into_size", ioend->io_size);
			trace_emit(&ev);
		}
	}
}

/* Merge two sorted lists; on equal offsets @a's entry goes first (stable). */
static struct iomap_ioend *ioend_list_merge(struct iomap_ioend *a, struct iomap_ioend *b)
{
	struct iomap_ioend *head = NULL, **tail = &head;

	while (a && b) {
		struct iomap_ioend **from = b->io_offset < a->io_offset ? &b : &a;

		*tail = *from;
		tail = &(*from)->io_next;
		*from = (*from)->io_next;
	}
	*tail = a ? a : b;
	return head;
}

/*
 * Sort by io_offset (iomap_sort_ioends; the kernel uses list_sort): a
 * bottom-up merge sort, O(n log n) and stable, with an array of sorted runs
 * of 2^i entries as in lib/list_sort.c's idea, so no recursion.
 */
void iomap_sort_ioends(struct iomap_ioend **head)
{
	struct iomap_ioend *runs[64] = { NULL };
	struct iomap_ioend *cur = *head, *res = NULL;
	unsigned max = 0;

	while (cur) {
		struct iomap_ioend *one = cur;
		unsigned i;

		cur = cur->io_next;
		one->io_next = NULL;
		/* runs[i] holds 2^i entries that came before @one: merge it
		 * in as the later list, which keeps the sort stable. */
		for (i = 0; i < ARRAY_SIZE(runs) - 1 && runs[i]; i++) {
			one = ioend_list_merge(runs[i], one);
			runs[i] = NULL;
		}
		runs[i] = i == ARRAY_SIZE(runs) - 1 && runs[i] ? ioend_list_merge(runs[i], one) : one;
		if (i + 1 > max)
			max = i + 1;
	}
	/* Higher runs hold earlier entries: merge them in front. */
	for (unsigned i = 0; i < max; i++)
		if (runs[i])
			res = res ? ioend_list_merge(runs[i], res) : runs[i];
	*head = res;
}

/* ---------------------------------------------------------------------- */
/* Building and submitting ioends (fs/iomap/buffered-io.c)                 */
/* ---------------------------------------------------------------------- */

/*
 * Hand the ioend under construction to the block layer
 * (iomap_submit_ioend).  ->prepare_ioend runs even when @error is set, so
 * that the filesystem's completion can clean up; a failed ioend is then
 * completed at once instead of being submitted.
 */
static int iomap_submit_ioend(struct iomap_writepage_ctx *wpc, int error)
{
	struct iomap_ioend *ioend = wpc->ioend;
	struct ioend_priv *priv;
	struct bio *bio;

	if (!ioend)
		return error;
	wpc->ioend = NULL;
	priv = ioend_priv(ioend);
	bio = ioend->io_bio;
	if (wpc->ops->prepare_ioend)
		error = wpc->ops->prepare_ioend(ioend, error);
	/* Whatever end_io the filesystem chose runs behind ioend_end_bio. */
	priv->fs_end_io = bio->bi_end_io ? bio->bi_end_io : iomap_writepage_end_bio;
	bio->bi_end_io = ioend_end_bio;
	bio->bi_private = ioend;
	if (trace_enabled()) {
		char fl[IOEND_FLAGS_BUF];
		struct trace_event ev;

		trace_ioend_init(&ev, "ioend_submit", ioend, fl);
		trace_u64(&ev, "nr_folios", priv->nr_folios);
		trace_s64(&ev, "status", error);
		trace_emit(&ev);
	}
	if (error) {
		bio->bi_status = error;
		ioend_end_bio(bio);
	} else {
		submit_bio(bio);
	}
	return error;
}

/* Start an ioend (and its bio) at file position @pos of wpc->iomap
 * (iomap_alloc_ioend). */
static struct iomap_ioend *iomap_alloc_ioend(struct iomap_writepage_ctx *wpc,
					     struct writeback_control *wbc, struct inode *inode,
					     loff_t pos, unsigned ioend_flags)
{
	struct block_device *bdev = wpc->iomap.bdev ? wpc->iomap.bdev : inode->i_sb->s_bdev;
	struct ioend_priv *priv = calloc(1, sizeof(*priv));
	struct iomap_ioend *ioend;
	struct bio *bio;

	if (!priv)
		abort(); /* the kernel's bioset allocation cannot fail either */
	ioend = &priv->ioend;
	/* A writer waiting for this data (fsync) makes the bio REQ_SYNC, as
	 * wbc_to_write_flags() does for WB_SYNC_ALL. */
	bio = bio_alloc(bdev, IOEND_BIO_VECS, REQ_OP_WRITE | (wbc->sync_all ? REQ_SYNC : 0));
	bio->bi_sector = iomap_sector(&wpc->iomap, pos);
	bio->bi_end_io = iomap_writepage_end_bio;
	bio->bi_private = ioend;

	ioend->io_type = wpc->iomap.type;
	ioend->io_flags = (uint16_t)ioend_flags;
	ioend->io_inode = inode;
	ioend->io_offset = pos;
	ioend->io_sector = bio->bi_sector;
	ioend->io_id = __atomic_fetch_add(&ioend_next_id, 1, __ATOMIC_RELAXED);
	ioend->io_bio = bio;
	wpc->nr_folios = 0;
	trace_ioend("ioend_new", ioend);
	return ioend;
}

/*
 * Whether the block at @pos, mapped by wpc->iomap with @ioend_flags, can
 * go on the end of the current ioend (iomap_can_add_to_ioend).
 */
static bool iomap_can_add_to_ioend(struct iomap_writepage_ctx *wpc, loff_t pos,
				   unsigned ioend_flags)
{
	struct iomap_ioend *ioend = wpc->ioend;
	struct bio *bio = ioend->io_bio;

	if (ioend_flags & IOMAP_IOEND_BOUNDARY)
		return false;
	if ((ioend_flags & IOEND_NOMERGE_FLAGS) != (ioend->io_flags & IOEND_NOMERGE_FLAGS))
		return false;
	if (wpc->iomap.type != ioend->io_type)
		return false;
	if ((wpc->iomap.bdev ? wpc->iomap.bdev : ioend->io_inode->i_sb->s_bdev) != bio->bi_bdev)
		return false;
	if (pos != ioend->io_offset + (loff_t)ioend->io_size)
		return false;
	if (iomap_sector(&wpc->iomap, pos) != bio->bi_sector + (bio->bi_size >> SECTOR_SHIFT))
		return false;
	/* Bound the folios one completion must walk. */
	if (wpc->nr_folios >= IOEND_BATCH_SIZE)
		return false;
	return true;
}

/* Remember that @len bytes of @folio ride in @ioend's bio. */
static void ioend_record_folio(struct iomap_ioend *ioend, struct folio *folio, unsigned len)
{
	struct ioend_priv *priv = ioend_priv(ioend);

	if (priv->nr_folios && priv->folios[priv->nr_folios - 1].folio == folio) {
		priv->folios[priv->nr_folios - 1].len += len;
		return;
	}
	if (priv->nr_folios == priv->max_folios) {
		unsigned max = priv->max_folios ? 2 * priv->max_folios : 16;
		struct ioend_folio *f = realloc(priv->folios, max * sizeof(*f));

		if (!f)
			abort();
		priv->folios = f;
		priv->max_folios = max;
	}
	priv->folios[priv->nr_folios++] = (struct ioend_folio){ folio, len };
}

/*
 * Queue @len bytes of @folio at file position @pos for writing to
 * wpc->iomap (iomap_add_to_ioend): on the end of the current ioend if it
 * can take them, else in a new one (the current one is submitted first).
 * @end_pos is EOF (or the folio's end): io_size never reaches past it, so
 * that a size update at completion is byte exact.
 */
static int iomap_add_to_ioend(struct iomap_writepage_ctx *wpc, struct writeback_control *wbc,
			      struct folio *folio, struct inode *inode, loff_t pos,
			      loff_t end_pos, unsigned len)
{
	struct iomap_folio_state *ifs = folio_ifs(folio);
	size_t poff = (size_t)(pos - folio_pos(folio));
	unsigned ioend_flags = 0;
	bool fresh = false;
	int error;

	if (wpc->iomap.type == IOMAP_UNWRITTEN)
		ioend_flags |= IOMAP_IOEND_UNWRITTEN;
	if (wpc->iomap.flags & IOMAP_F_SHARED)
		ioend_flags |= IOMAP_IOEND_SHARED;
	if (pos == wpc->iomap.offset && (wpc->iomap.flags & IOMAP_F_BOUNDARY))
		ioend_flags |= IOMAP_IOEND_BOUNDARY;

	if (!wpc->ioend || !iomap_can_add_to_ioend(wpc, pos, ioend_flags)) {
new_ioend:
		error = iomap_submit_ioend(wpc, 0);
		if (error)
			return error;
		wpc->ioend = iomap_alloc_ioend(wpc, wbc, inode, pos, ioend_flags);
		fresh = true;
	}
	if (bio_add_buf(wpc->ioend->io_bio, (char *)folio->data + poff, len) != len) {
		/* A full bio ends this ioend; an empty one that refuses is a bug. */
		if (fresh)
			return -EIO;
		goto new_ioend;
	}
	if (ifs)
		__atomic_add_fetch(&ifs->write_bytes_pending, len, __ATOMIC_ACQ_REL);
	ioend_record_folio(wpc->ioend, folio, len);

	wpc->ioend->io_size += len;
	if (wpc->ioend->io_offset + (loff_t)wpc->ioend->io_size > end_pos)
		wpc->ioend->io_size = (size_t)(end_pos - wpc->ioend->io_offset);
	if (trace_enabled()) {
		char fl[IOEND_FLAGS_BUF];
		struct trace_event ev;

		trace_ioend_init(&ev, "ioend_grow", wpc->ioend, fl);
		trace_u64(&ev, "index", folio->index);
		trace_u64(&ev, "pos", (uint64_t)pos);
		trace_u64(&ev, "len", len);
		trace_emit(&ev);
	}
	return 0;
}

/*
 * Map and queue the dirty run [@pos, @pos + @dirty_len) of @folio
 * (iomap_writepage_map_blocks).  ->map_blocks is asked for every run; a
 * mapping shorter than the run is used for its part and asked again for
 * the rest.  On failure ->discard_folio learns from which position the
 * folio could not be written.  *@count counts the ranges queued.
 */
static int iomap_writepage_map_blocks(struct iomap_writepage_ctx *wpc,
				      struct writeback_control *wbc, struct folio *folio,
				      struct inode *inode, uint64_t pos, loff_t end_pos,
				      unsigned dirty_len, unsigned *count)
{
	int error;

	do {
		uint64_t map_end;
		unsigned map_len;

		error = wpc->ops->map_blocks(wpc, inode, (loff_t)pos, dirty_len);
		if (error)
			break;
		trace_iomap_add_to_ioend(inode, pos, dirty_len, &wpc->iomap);

		map_end = (uint64_t)wpc->iomap.offset + wpc->iomap.length;
		if ((uint64_t)wpc->iomap.offset > pos || map_end <= pos) {
			/* A mapping that does not cover pos breaks the
			 * ->map_blocks contract; writing anything would put
			 * data at the wrong address. */
			error = -EIO;
			break;
		}
		map_len = (unsigned)min_u64(dirty_len, map_end - pos);

		switch (wpc->iomap.type) {
		case IOMAP_HOLE:
			/* Nothing allocated: nothing to write (the kernel
			 * writes nothing either, e.g. for a punched range). */
			break;
		case IOMAP_MAPPED:
		case IOMAP_UNWRITTEN:
			error = iomap_add_to_ioend(wpc, wbc, folio, inode, (loff_t)pos, end_pos,
						   map_len);
			if (!error)
				(*count)++;
			break;
		default:
			/* DELALLOC and INLINE are not allowed from ->map_blocks. */
			error = -EIO;
			break;
		}
		/* 6.12 advances pos past a range that failed to queue, so that
		 * ->discard_folio would spare it; here pos stays at its start. */
		if (error)
			break;
		dirty_len -= map_len;
		pos += map_len;
	} while (dirty_len);

	/* The ioends already built must still complete (other folios are
	 * under writeback in them): only tell the filesystem which part of
	 * this folio failed. */
	if (error && wpc->ops->discard_folio)
		wpc->ops->discard_folio(folio, (loff_t)pos);
	return error;
}

/*
 * How the folio relates to EOF (iomap_writepage_handle_eof): false if it
 * lies wholly at or past EOF (truncate will remove it); if it straddles
 * EOF, zero its part past EOF — mmap may have written there, and those
 * bytes must never reach the disk — and pull *@end_pos back to EOF.
 */
static bool iomap_writepage_handle_eof(struct folio *folio, struct inode *inode,
				       uint64_t *end_pos)
{
	uint64_t isize = (uint64_t)i_size_read(inode);

	if (*end_pos > isize) {
		uint64_t fpos = (uint64_t)folio_pos(folio);

		if (fpos >= isize)
			return false;
		memset((char *)folio->data + (isize - fpos), 0, (size_t)(*end_pos - isize));
		*end_pos = isize;
	}
	return true;
}

/*
 * Write back one locked folio whose PG_dirty was just cleared
 * (iomap_writepage_map).  Unlocks it.
 */
static int iomap_writepage_map(struct iomap_writepage_ctx *wpc, struct writeback_control *wbc,
			       struct folio *folio)
{
	struct iomap_folio_state *ifs = folio_ifs(folio);
	struct inode *inode = folio->mapping->host;
	uint64_t pos = (uint64_t)folio_pos(folio);
	uint64_t end_pos = pos + folio_size(folio);
	uint64_t end_aligned;
	unsigned count = 0, rlen;
	int error = 0;

	trace_iomap_range("iomap_writeback_folio", inode, (loff_t)pos, folio_size(folio));

	if (!iomap_writepage_handle_eof(folio, inode, &end_pos)) {
		/* Nothing below EOF: the folio is simply clean now. */
		iomap_clear_range_dirty(folio, 0, folio_size(folio));
		trace_folio_state(folio, "writeback_beyond_eof");
		folio_unlock(folio);
		return 0;
	}

	if (i_blocks_per_folio(inode, folio) > 1) {
		if (!ifs) {
			/* Dirtied without per-block state (a whole-folio
			 * write): every block below EOF is dirty. */
			ifs = ifs_alloc(inode, folio);
			iomap_set_range_dirty(folio, 0, (size_t)(end_pos - pos));
		}
		/* The bias (file comment): hold writeback until all queued. */
		__atomic_add_fetch(&ifs->write_bytes_pending, 1, __ATOMIC_ACQ_REL);
	}

	/* Before any bio: a single-block folio's bio may complete as soon as
	 * it is submitted, and its completion ends writeback. */
	folio_start_writeback(folio);

	end_aligned = round_up(end_pos, (uint64_t)i_blocksize(inode));
	while ((rlen = iomap_find_dirty_range(folio, &pos, end_aligned))) {
		error = iomap_writepage_map_blocks(wpc, wbc, folio, inode, pos, (loff_t)end_pos,
						   rlen, &count);
		if (error)
			break;
		pos += rlen;
	}
	if (count)
		wpc->nr_folios++;

	/* All of it, even past EOF (page_mkwrite may dirty blocks there) and
	 * after a failure (the folio is clean; -EIO is recorded below). */
	iomap_clear_range_dirty(folio, 0, folio_size(folio));
	trace_folio_state(folio, "writeback");
	folio_unlock(folio);

	/* Nothing queued, or everything already completed: end writeback
	 * here, since no completion will. */
	if (ifs) {
		if (__atomic_sub_fetch(&ifs->write_bytes_pending, 1, __ATOMIC_ACQ_REL) == 0)
			folio_end_writeback(folio);
	} else if (!count) {
		folio_end_writeback(folio);
	}
	mapping_set_error(inode->i_mapping, error);
	return error;
}

/*
 * Deterministic mode runs completions only when someone asks: a data
 * integrity pass waiting for a folio that an earlier pass put under
 * writeback delivers the device's completions first, or it would sleep
 * forever.  (A filesystem that defers completion to its own workqueue
 * must flush it before such a pass.)
 */
static void writeback_wait_folio(struct folio *folio, struct inode *inode)
{
	struct block_device *bdev = inode->i_sb ? inode->i_sb->s_bdev : NULL;

	if (folio_test(folio, PG_writeback) && bdev && bdev->bd_mode == EXEC_DETERMINISTIC)
		blkdev_drain(bdev);
	folio_wait_writeback(folio);
}

/*
 * Lock the next folio of the pass and make it ours to write (the kernel's
 * writeback_get_folio + folio_prepare_writeback): skipped if truncated,
 * clean, or (background writeback) already under writeback.
 */
static bool writeback_prepare_folio(struct address_space *mapping,
				    struct writeback_control *wbc, struct folio *folio)
{
	/*
	 * The kernel's writeback_iter() only ever sees folios tagged dirty
	 * (or towrite, which fsync sets from the dirty tag): a clean folio is
	 * not even locked.  An unlocked peek at PG_dirty plays that tag; the
	 * check is repeated under the lock below.
	 */
	if (!folio_test(folio, PG_dirty))
		return false;
	folio_lock(folio);
	if (folio->mapping != mapping || !folio_test(folio, PG_dirty))
		goto skip;
	if (folio_test(folio, PG_writeback)) {
		if (!wbc->sync_all)
			goto skip;
		writeback_wait_folio(folio, mapping->host);
	}
	if (!folio_clear_dirty_for_io(folio))
		goto skip;
	return true;
skip:
	folio_unlock(folio);
	return false;
}

int iomap_writepages(struct address_space *mapping, struct writeback_control *wbc,
		     struct iomap_writepage_ctx *wpc, const struct iomap_writeback_ops *ops)
{
	pgoff_t index, end;
	struct folio *folio;
	int error = 0, ret_submit;

	wpc->ops = ops;
	if (wbc->range_end < wbc->range_start)
		return 0;
	index = (pgoff_t)(wbc->range_start < 0 ? 0 : wbc->range_start) >> PAGE_SHIFT;
	end = (pgoff_t)(wbc->range_end < 0 ? LLONG_MAX : wbc->range_end) >> PAGE_SHIFT;

	while (index <= end && (folio = filemap_find_next_folio(mapping, index, end))) {
		int ret;

		index = folio->index + folio_nr_pages(folio);
		if (!writeback_prepare_folio(mapping, wbc, folio)) {
			folio_put(folio);
			if (index == 0) /* wrapped past the last index */
				break;
			continue;
		}
		ret = iomap_writepage_map(wpc, wbc, folio);
		wbc->nr_to_write -= (long)folio_nr_pages(folio);
		folio_put(folio);
		/*
		 * As writeback_iter(): a data integrity pass (fsync) goes on
		 * after an error, so that every folio is written or cleaned,
		 * and returns the first error; background writeback stops at
		 * the first error or once it wrote its share.
		 */
		if (ret && !error)
			error = ret;
		if (!wbc->sync_all && (ret || wbc->nr_to_write <= 0))
			break;
		if (index == 0)
			break;
	}
	/*
	 * Deliberately not iomap_submit_ioend(wpc, error) as 6.12 does: the
	 * ioend still open holds only folios that were mapped and queued
	 * without error (a failed folio never enters an ioend), so failing it
	 * would throw away good data of other folios.  It is submitted as
	 * usual and the first error is returned beside it.
	 */
	ret_submit = iomap_submit_ioend(wpc, 0);
	return error ? error : ret_submit;
}
