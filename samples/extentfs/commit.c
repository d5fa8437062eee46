/**
 * @file commit.c
 * @brief The crash-safe metadata commit: copy-on-write metadata and an
 *        atomic superblock switch (plays the part of XFS's CIL push and
 *        log force; docs/FORMAT.md, "Commit").
 *
 * A commit makes the in-memory metadata durable as a new *generation*:
 *
 *     1. serialise everything into one stream (efs_serialize);
 *     2. allocate a chain of blocks for it from the free list — never a
 *        block the committed state uses (busy and old-chain blocks are not
 *        on the free list, alloc.c);
 *     3. write the chain blocks (magic, CRC, generation, next pointer);
 *     4. flush the device cache                 <- the chain is durable
 *     5. write the superblock, generation + 1, into the slot that does NOT
 *        hold the current generation, with FUA  <- the switch is durable
 *        (the same PREFLUSH-then-FUA pattern as an XFS log write)
 *     6. only now: busy blocks and the old chain become free.
 *
 * A power cut before 5 completes leaves the old superblock the newest valid
 * one, and everything it points to untouched; a torn superblock write fails
 * its CRC and loses to the other slot; after 5 the new generation wins.
 * Mount never sees a mix.  The other slot's older generation may point at
 * blocks that were reused since; its chain blocks then carry a different
 * generation number, so it can never be taken for valid metadata.
 *
 *     state of the slots             committed generation   free-able blocks
 *     [G] [G-1]  --steps 1-4-->      G                      not the chain of G
 *     [G] [G+1]  --step 5 done-->    G+1                    chain of G, busy
 *
 * An I/O error in steps 3-5 shuts the filesystem down (as XFS does on a
 * metadata write error): we cannot know what reached the media, so no
 * further change is accepted and nothing more is written; the last durable
 * generation stays mountable.
 *
 * Never: commit without the commit lock; reuse a block between steps 2 and
 * 6 for anything else.
 *
 * Locking: the commit lock is held throughout, across the I/O: every
 * metadata change needs it (efs_trans_begin), so the stream is a set of
 * complete transactions.
 */
#include <stdlib.h>
#include <string.h>

#include "extentfs_priv.h"

DEFINE_LOCK_CLASS(efs_commit_class, "extentfs_commit", LOCK_LEVEL_INTERNAL);

static uint8_t *stream_grow(struct efs_stream *s, size_t n)
{
	uint8_t *p;

	if (s->len + n > s->cap) {
		while (s->len + n > s->cap)
			s->cap = s->cap ? 2 * s->cap : 4096;
		s->buf = efs_xrealloc(s->buf, s->cap, 1);
	}
	p = s->buf + s->len;
	memset(p, 0, n);
	s->len += n;
	return p;
}

static int bext_cmp(const void *a, const void *b)
{
	const struct efs_bext *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/*
 * free ∪ busy ∪ chain ∪ COW staging, sorted and coalesced (they are
 * disjoint: invariant 4).  Blocks staged in a COW fork are written by a
 * direct write or writeback in flight, or left over from a copy-on-write
 * reservation; until I/O completion moves them into the data fork (a
 * later commit) the committed state must not own them, so that a crash
 * leaves them free instead of leaked.
 */
static struct efs_bext *merged_free(struct extentfs *fs, size_t *nr)
{
	size_t n = fs->free.nr + fs->busy.nr + fs->chain.nr, out = 0, k;
	struct efs_bext *v;

	/* Real staging only: a COW delayed allocation has no blocks yet. */
	for (size_t i = 0; i < fs->ninodes; i++)
		for (size_t j = 0; j < fs->inodes[i]->cf.nr; j++)
			n += efs_irec_is_real(&fs->inodes[i]->cf.v[j]);
	v = efs_xcalloc(n ? n : 1, sizeof(*v));
	k = fs->free.nr + fs->busy.nr + fs->chain.nr;
	for (size_t i = 0; i < fs->ninodes; i++) {
		const struct efs_iext *cf = &fs->inodes[i]->cf;

		for (size_t j = 0; j < cf->nr; j++)
			if (efs_irec_is_real(&cf->v[j]))
				v[k++] = (struct efs_bext){ cf->v[j].dblock, cf->v[j].len };
	}

	/* (memcpy from an empty list's NULL array is undefined even for 0 bytes) */
	if (fs->free.nr)
		memcpy(v, fs->free.v, fs->free.nr * sizeof(*v));
	if (fs->busy.nr)
		memcpy(v + fs->free.nr, fs->busy.v, fs->busy.nr * sizeof(*v));
	if (fs->chain.nr)
		memcpy(v + fs->free.nr + fs->busy.nr, fs->chain.v, fs->chain.nr * sizeof(*v));
	qsort(v, n, sizeof(*v), bext_cmp);
	for (size_t i = 0; i < n; i++) {
		if (out > 0 && v[out - 1].start + v[out - 1].len == v[i].start) {
			v[out - 1].len += v[i].len;
			continue;
		}
		EFS_BUG_ON(out > 0 && v[out - 1].start + v[out - 1].len > v[i].start);
		v[out++] = v[i];
	}
	*nr = out;
	return v;
}

void efs_serialize(struct extentfs *fs, bool for_commit, struct efs_stream *s,
		   struct efs_counts *c)
{
	struct efs_bext *fv;
	size_t nf;

	s->len = 0;
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < fs->ninodes; i++) {
		const struct efs_inode *ei = fs->inodes[i];
		uint64_t n = 0;
		uint8_t *p;

		/* Delayed allocations are promises, not metadata: not written. */
		for (size_t k = 0; k < ei->df.nr; k++)
			n += efs_irec_is_real(&ei->df.v[k]);
		p = stream_grow(s, EFS_DINODE_SIZE);
		efs_put_le64(p + 0, ei->vfs.i_ino);
		/* The on-disk size: data a buffered write has not yet written
		 * back lies beyond it (aops.c moves it at I/O completion). */
		efs_put_le64(p + 8, (uint64_t)ei->disk_size);
		efs_put_le64(p + 16, n);
		efs_put_le32(p + 24, ei->nlink);
		efs_put_le32(p + 28, ei->diflags);
		for (size_t k = 0; k < ei->df.nr; k++) {
			const struct efs_irec *e = &ei->df.v[k];

			if (!efs_irec_is_real(e))
				continue;
			p = stream_grow(s, EFS_DEXT_SIZE);
			efs_put_le64(p + 0, e->fblock);
			efs_put_le64(p + 8, e->dblock);
			efs_put_le64(p + 16, e->len);
			efs_put_le32(p + 24, e->state);
		}
		if (ei->diflags & EFS_DIFLAG_INLINE) {
			/*
			 * (10) An inline inode maps nothing, so its data follows
			 * the record directly: the copy the last transaction left
			 * (idata_disk), whose bytes past disk_size are zero.
			 */
			size_t dlen = efs_dinline_size((uint64_t)ei->disk_size);

			p = stream_grow(s, dlen);
			if (ei->disk_size)
				memcpy(p, ei->idata_disk, (size_t)ei->disk_size);
		}
		c->ninodes++;
		c->nextents += n;
	}
	for (size_t i = 0; i < fs->ndir; i++) {
		size_t len = strlen(fs->dir[i].name);
		uint8_t *p = stream_grow(s, efs_dirent_size(len));

		efs_put_le64(p, fs->dir[i].ino);
		efs_put_le16(p + 8, (uint16_t)len);
		memcpy(p + EFS_DIRENT_HDR, fs->dir[i].name, len);
		c->ndirents++;
	}
	for (size_t i = 0; i < fs->refc.nr; i++) {
		uint8_t *p = stream_grow(s, EFS_DREFC_SIZE);

		efs_put_le64(p, fs->refc.v[i].start);
		efs_put_le64(p + 8, fs->refc.v[i].len);
		efs_put_le64(p + 16, fs->refc.v[i].count);
		c->nrefcount++;
	}
	if (for_commit) {
		fv = merged_free(fs, &nf);
	} else {
		fv = fs->free.v;
		nf = fs->free.nr;
	}
	for (size_t i = 0; i < nf; i++) {
		uint8_t *p = stream_grow(s, EFS_DFREE_SIZE);

		efs_put_le64(p, fv[i].start);
		efs_put_le64(p + 8, fv[i].len);
		c->nfree++;
		c->free_blocks += fv[i].len;
	}
	if (for_commit)
		free(fv);
}

/* Step 3: the chain blocks, one write per run of contiguous blocks. */
static int write_chain(struct extentfs *fs, const struct efs_extlist *chain,
		       const struct efs_stream *s, uint64_t gen)
{
	uint32_t bs = fs->blocksize, per = bs - EFS_META_HDR_SIZE;
	uint64_t *blocks = efs_xcalloc(chain->total, sizeof(*blocks));
	size_t nb = 0, done = 0, idx = 0;
	int ret = 0;

	for (size_t r = 0; r < chain->nr; r++)
		for (uint64_t k = 0; k < chain->v[r].len; k++)
			blocks[nb++] = chain->v[r].start + k;

	for (size_t r = 0; r < chain->nr && !ret; r++) {
		const struct efs_bext *run = &chain->v[r];
		uint8_t *buf = efs_io_alloc((size_t)run->len * bs);

		for (uint64_t k = 0; k < run->len; k++, idx++) {
			uint8_t *blk = buf + k * bs;
			size_t n = s->len - done < per ? s->len - done : per;
			struct efs_mhdr h = {
				.magic = EFS_META_MAGIC,
				.generation = gen,
				.next = idx + 1 < nb ? blocks[idx + 1] : 0,
				.index = (uint32_t)idx,
				.payload = (uint32_t)n,
			};

			if (n)
				memcpy(blk + EFS_META_HDR_SIZE, s->buf + done, n);
			done += n;
			efs_mhdr_encode(&h, blk, bs);
		}
		ret = blkdev_rw(&fs->bdev, REQ_OP_WRITE, run->start << fs->blkbits, buf,
				(size_t)run->len * bs);
		free(buf);
	}
	free(blocks);
	return ret;
}

void efs_fill_sb(const struct extentfs *fs, struct efs_dsb *sb, const struct efs_stream *s,
		 const struct efs_counts *c, const struct efs_extlist *chain, uint64_t gen,
		 unsigned slot)
{
	memset(sb, 0, sizeof(*sb));
	sb->magic = EFS_SB_MAGIC;
	sb->version = efs_version_for(fs->features);
	sb->block_log = fs->blkbits;
	sb->generation = gen;
	sb->nblocks = fs->nblocks;
	sb->data_start = fs->data_start;
	sb->meta_head = chain && chain->nr ? chain->v[0].start : 0;
	sb->meta_nblocks = chain ? chain->total : 0;
	sb->meta_bytes = s->len;
	sb->meta_crc = efs_crc32c(s->buf, s->len);
	sb->features = fs->features;
	sb->next_ino = fs->next_ino;
	sb->ninodes = c->ninodes;
	sb->nextents = c->nextents;
	sb->ndirents = c->ndirents;
	sb->nrefcount = c->nrefcount;
	sb->nfree = c->nfree;
	sb->free_blocks = c->free_blocks;
	sb->lbs = fs->lbs;
	sb->slot = slot;
}

int efs_commit_locked(struct extentfs *fs)
{
	struct efs_extlist newchain = { 0 };
	struct efs_stream s = { 0 };
	struct efs_counts c;
	struct efs_dsb sb;
	unsigned slot = 1 - fs->active_slot;
	uint64_t k, per = fs->blocksize - EFS_META_HDR_SIZE;
	int ret;

	if (fs->shutdown)
		return -EIO;
	if (!fs->dirty)
		return blkdev_issue_flush(&fs->bdev);

	/*
	 * Size the chain.  Taking k blocks out of the free list splits at most
	 * one free run per run taken, so the stream grows by at most k free
	 * records; iterate to the fixed point.
	 */
	efs_serialize(fs, true, &s, &c);
	k = efs_chain_blocks_for(fs, s.len);
	for (;;) {
		uint64_t k2 = efs_chain_blocks_for(fs, s.len + k * EFS_DFREE_SIZE);

		if (k2 <= k)
			break;
		k = k2;
	}
	ret = efs_alloc_meta(fs, k, &newchain);
	if (ret) {
		free(s.buf);
		return ret;
	}
	efs_serialize(fs, true, &s, &c);
	EFS_BUG_ON(s.len > k * per);

	ret = write_chain(fs, &newchain, &s, fs->generation + 1);
	if (!ret)
		ret = blkdev_issue_flush(&fs->bdev);
	if (!ret) {
		efs_fill_sb(fs, &sb, &s, &c, &newchain, fs->generation + 1, slot);
		ret = efs_write_sb(fs, slot, &sb);
	}
	free(s.buf);
	if (ret) {
		/* The new chain's blocks stay out of the free list: with the
		 * filesystem shut down nothing will be written again. */
		__atomic_store_n(&fs->shutdown, true, __ATOMIC_RELEASE);
		fprintf(stderr, "extentfs: metadata commit failed (%d): filesystem shut down\n",
			ret);
		efs_extlist_free(&newchain);
		return ret;
	}

	/* Step 6: the new generation is durable. */
	for (size_t i = 0; i < fs->busy.nr; i++)
		EFS_BUG_ON(efs_extlist_insert(&fs->free, fs->busy.v[i].start, fs->busy.v[i].len));
	for (size_t i = 0; i < fs->chain.nr; i++)
		EFS_BUG_ON(efs_extlist_insert(&fs->free, fs->chain.v[i].start, fs->chain.v[i].len));
	efs_extlist_free(&fs->busy);
	efs_extlist_free(&fs->chain);
	fs->chain = newchain;
	fs->generation++;
	fs->active_slot = slot;
	fs->dirty = false;
	fs->commits++;
	for (size_t i = 0; i < fs->ninodes; i++)
		__atomic_store_n(&fs->inodes[i]->meta_dirty, 0, __ATOMIC_RELEASE);
	return 0;
}

int efs_commit(struct extentfs *fs)
{
	int ret;

	mutex_lock(&fs->commit_lock);
	ret = efs_commit_locked(fs);
	mutex_unlock(&fs->commit_lock);
	return ret;
}
