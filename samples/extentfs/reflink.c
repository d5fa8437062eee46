/**
 * @file reflink.c
 * @brief Shared extents: remap (FICLONERANGE), unshare, and the shared-run
 *        trimming FIEMAP needs (mirrors xfs_reflink.c).
 *
 * Remap makes the destination map the source's device blocks and counts
 * one more reference on them; whatever the destination mapped there before
 * is unmapped first (dropping its references, freeing what nobody else
 * maps).  Holes in the source become holes in the destination.  Both
 * inodes get the reflink flag (XFS_DIFLAG2_REFLINK; the source's in its own
 * transaction before, see extentfs_remap_range):
 *
 *     src  [ A A A A ]            refcount(A) = 1
 *     dst  [ B B ][ hole ]
 *                 --remap src 0..4 -> dst 0..4-->
 *     src  [ A A A A ]            refcount(A) = 2, B freed (busy)
 *     dst  [ A A A A ]
 *
 * As in XFS, only *written* extents of a reflinked inode are reported
 * shared (xfs_reflink_trim_around_shared: "holes, unwritten, and delalloc
 * extents cannot be shared"), and unshare copies only written shared
 * blocks — unwritten ones read as zeroes, there is nothing to copy, and
 * iomap_file_unshare skips them in the same way.  This issue copies the
 * blocks through the block device (blkdev_rw) under the transaction; the
 * buffered-I/O issue switches unshare to iomap_file_unshare and the COW
 * fork.
 *
 * A direct write into shared written blocks goes copy-on-write through the
 * COW fork (ei->cf), as XFS's direct path does with convert_now:
 *
 *     ->iomap_begin  efs_reflink_allocate_cow   new blocks N staged in cf,
 *                                               iomap = N (MAPPED|SHARED),
 *                                               srcmap = old blocks A
 *     bios           write the data into N
 *     ->end_io ok    efs_reflink_end_cow        df: A -> N, A loses a reference
 *     ->end_io error efs_reflink_cancel_cow     N back to the free list
 *
 *     df   [ A A A A ]   cf  [ . N N . ]       (during the write)
 *     df   [ A N N A ]   cf  [ . . . . ]       (after ->end_io)
 *
 * Staged blocks are owned by nothing on disk: a commit records them as
 * free (commit.c), so a crash at any moment leaves them simply free and
 * the data fork still pointing at A.  In memory they are a kind of owner
 * of their own (invariant 4, check.c).  Only block-aligned writes get
 * here: an unaligned direct write to a reflinked file is bounced with
 * -ENOTBLK (file.c), as XFS does, because a partial block cannot be
 * unshared without reading the rest of it.
 *
 * Never: remap overlapping ranges of one file (file.c refuses it); write
 * into a shared block in place.
 *
 * Locking: remap and unshare run as transactions on the destination (ilock
 * EXCL + commit lock); the commit lock also keeps the source map stable,
 * since every writer of an extent map holds it.
 */
#include <stdlib.h>
#include <string.h>

#include "extentfs_priv.h"

void efs_reflink_trim_around_shared(struct efs_inode *ei, struct efs_irec *rec, bool *shared)
{
	struct extentfs *fs = EFS_FS(ei);
	uint64_t fbno, flen;
	bool found;

	*shared = false;
	if (!(ei->diflags & EFS_DIFLAG_REFLINK) || !efs_irec_is_written(rec))
		return;
	mutex_lock(&fs->commit_lock);
	found = efs_refcount_find_shared(&fs->refc, rec->dblock, rec->len, &fbno, &flen);
	mutex_unlock(&fs->commit_lock);
	if (!found)
		return;
	if (fbno == rec->dblock) {
		/* The start is shared: trim to the end of the shared run. */
		*shared = true;
		rec->len = flen;
	} else {
		/* Shared further in: trim to where sharing starts. */
		rec->len = fbno - rec->dblock;
	}
}

bool efs_inode_has_shared(struct efs_inode *ei)
{
	struct extentfs *fs = EFS_FS(ei);
	uint64_t fbno, flen;

	for (size_t i = 0; i < ei->df.nr; i++) {
		const struct efs_irec *e = &ei->df.v[i];

		if (efs_irec_is_real(e) &&
		    efs_refcount_find_shared(&fs->refc, e->dblock, e->len, &fbno, &flen))
			return true;
	}
	return false;
}

void efs_reflink_remap_blocks(struct efs_inode *src, uint64_t sfb, struct efs_inode *dst,
			      uint64_t dfb, uint64_t len)
{
	struct extentfs *fs = EFS_FS(dst);
	uint64_t done = 0;

	while (done < len) {
		struct efs_irec piece;

		/* Copy the source piece before dst changes: src may be dst. */
		efs_bmapi_read(src, sfb + done, sfb + len, &piece);
		efs_bunmapi(dst, dfb + done, piece.len);
		/*
		 * Only written blocks are shared (xfs_reflink_remap_extent
		 * since Linux 5.9): unwritten source blocks become a hole in
		 * dst.  Sharing them would let a direct write through one file
		 * land, without copy-on-write, in a block the other file maps.
		 */
		if (efs_irec_is_written(&piece)) {
			efs_refcount_increase(&fs->refc, piece.dblock, piece.len);
			piece.fblock = dfb + done;
			efs_iext_insert(&dst->df, &piece);
		}
		done += piece.len;
	}
	dst->diflags |= EFS_DIFLAG_REFLINK;
	efs_trans_log_inode(dst, true);
}

/* Copy @len blocks from @from to @to through the block device. */
static int copy_blocks(struct extentfs *fs, uint64_t from, uint64_t to, uint64_t len)
{
	size_t chunk_blocks = (1u << 20) >> fs->blkbits;
	uint8_t *buf;
	int ret = 0;

	if (chunk_blocks == 0)
		chunk_blocks = 1;
	buf = efs_io_alloc(chunk_blocks << fs->blkbits);
	for (uint64_t done = 0; done < len && !ret;) {
		uint64_t n = len - done < chunk_blocks ? len - done : chunk_blocks;
		size_t bytes = (size_t)(n << fs->blkbits);

		ret = blkdev_rw(&fs->bdev, REQ_OP_READ, (from + done) << fs->blkbits, buf, bytes);
		if (!ret)
			ret = blkdev_rw(&fs->bdev, REQ_OP_WRITE, (to + done) << fs->blkbits, buf,
					bytes);
		done += n;
	}
	free(buf);
	return ret;
}

/* Replace the shared blocks [dblock, +len) mapped at @fblock by private copies. */
static int unshare_run(struct efs_inode *ei, uint64_t fblock, uint64_t dblock, uint64_t len)
{
	struct extentfs *fs = EFS_FS(ei);

	for (uint64_t done = 0; done < len;) {
		struct efs_irec r = { .fblock = fblock + done, .state = EFS_EXT_NORM };
		struct efs_bext got;
		int ret = efs_alloc_data(fs, efs_bmap_goal(ei, fblock + done), len - done, &got);

		if (ret)
			return ret;
		ret = copy_blocks(fs, dblock + done, got.start, got.len);
		if (ret) {
			efs_free_blocks(fs, got.start, got.len);
			return ret;
		}
		/* Drop our reference to the shared copy (it stays mapped elsewhere). */
		efs_bunmapi(ei, fblock + done, got.len);
		r.dblock = got.start;
		r.len = got.len;
		efs_iext_insert(&ei->df, &r);
		efs_trans_log_inode(ei, true);
		done += got.len;
	}
	return 0;
}

int efs_reflink_unshare(struct efs_inode *ei, loff_t off, loff_t len)
{
	struct extentfs *fs = EFS_FS(ei);
	uint64_t mask = fs->blocksize - 1;
	uint64_t cur = (uint64_t)off >> fs->blkbits;
	uint64_t end = ((uint64_t)off + (uint64_t)len + mask) >> fs->blkbits;
	int ret;

	if (!(ei->diflags & EFS_DIFLAG_REFLINK))
		return 0;
	ret = filemap_write_and_wait_range(ei->vfs.i_mapping, off, off + len - 1);
	if (ret)
		return ret;
	ret = efs_trans_begin(ei);
	if (ret)
		return ret;
	if (end > fs->max_fblock)
		end = fs->max_fblock;
	while (cur < end && !ret) {
		struct efs_irec rec;
		uint64_t fbno, flen;

		efs_bmapi_read(ei, cur, end, &rec);
		if (!efs_irec_is_written(&rec) ||
		    !efs_refcount_find_shared(&fs->refc, rec.dblock, rec.len, &fbno, &flen)) {
			cur += rec.len;
			continue;
		}
		cur += fbno - rec.dblock;
		ret = unshare_run(ei, cur, fbno, flen);
		cur += flen;
	}
	/* xfs_reflink_try_clear_inode_flag */
	if (!ret && !efs_inode_has_shared(ei)) {
		ei->diflags &= ~EFS_DIFLAG_REFLINK;
		efs_trans_log_inode(ei, true);
	}
	efs_trans_end(ei);
	return ret;
}

/*
 * ----------------------------------------------------- COW fork (direct I/O)
 */

int efs_reflink_allocate_cow(struct efs_inode *ei, uint64_t fblock, uint64_t len,
			     struct efs_irec *out)
{
	struct extentfs *fs = EFS_FS(ei);
	struct efs_bext got;
	size_t i;
	int ret;

	if (efs_iext_lookup(&ei->cf, fblock, &i)) {
		/*
		 * Blocks are already staged here (a write in flight over the
		 * same range, which the caller raced with): use them, as XFS
		 * reuses a COW fork extent, rather than stage twice.
		 */
		const struct efs_irec *c = &ei->cf.v[i];
		uint64_t end = c->fblock + c->len;

		*out = *c;
		out->fblock = fblock;
		out->dblock = c->dblock + (fblock - c->fblock);
		out->len = (end - fblock) < len ? end - fblock : len;
		return 0;
	}
	if (i < ei->cf.nr && ei->cf.v[i].fblock < fblock + len)
		len = ei->cf.v[i].fblock - fblock;
	/* Near the blocks being replaced: the file keeps its layout. */
	ret = efs_bmap_alloc_blocks(fs, efs_bmap_goal(ei, fblock), len, &got);
	if (ret)
		return ret;
	*out = (struct efs_irec){
		.fblock = fblock, .dblock = got.start, .len = got.len, .state = EFS_EXT_NORM,
	};
	efs_iext_insert(&ei->cf, out);
	/* Not logged: the COW fork is not on disk.  Mappings did change. */
	ei->mapping_seq++;
	return 0;
}

uint64_t efs_reflink_end_cow(struct efs_inode *ei, uint64_t fblock, uint64_t len)
{
	uint64_t cur = fblock, end = fblock + len, done = 0;

	while (cur < end) {
		struct efs_irec piece;
		size_t i;

		if (!efs_iext_lookup(&ei->cf, cur, &i)) {
			/* Not staged here (an in-place part of the same write). */
			if (i >= ei->cf.nr || ei->cf.v[i].fblock >= end)
				break;
			cur = ei->cf.v[i].fblock;
			continue;
		}
		piece = ei->cf.v[i];
		piece.dblock += cur - piece.fblock;
		piece.len -= cur - piece.fblock;
		piece.fblock = cur;
		if (piece.len > end - cur)
			piece.len = end - cur;
		piece.state = EFS_EXT_NORM;
		/* Old blocks lose this file's reference (the other file keeps them). */
		efs_bunmapi(ei, piece.fblock, piece.len);
		efs_iext_remove(&ei->cf, piece.fblock, piece.len, NULL, NULL);
		efs_iext_insert(&ei->df, &piece);
		cur += piece.len;
		done += piece.len;
	}
	if (done)
		efs_trans_log_inode(ei, true);
	return done;
}

/* Staged blocks were never owned on disk: straight back to the free list. */
static void cancel_piece(void *arg, const struct efs_irec *piece)
{
	struct extentfs *fs = arg;

	EFS_BUG_ON(efs_extlist_insert(&fs->free, piece->dblock, piece->len));
}

uint64_t efs_reflink_cancel_cow(struct efs_inode *ei, uint64_t fblock, uint64_t len)
{
	struct extentfs *fs = EFS_FS(ei);
	uint64_t n;

	if (!ei->cf.nr || fblock >= fs->max_fblock)
		return 0;
	if (len > fs->max_fblock - fblock)
		len = fs->max_fblock - fblock;
	n = efs_iext_remove(&ei->cf, fblock, len, cancel_piece, fs);
	if (n)
		ei->mapping_seq++;
	return n;
}
