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
 * iomap_file_unshare skips them in the same way.  Unshare goes through the
 * page cache (iomap_file_unshare) and the COW fork, like a buffered write.
 *
 * A buffered write into shared written blocks reserves a delayed
 * allocation in the COW fork, widened to EFS_COWEXTSZ alignment
 * (efs_reflink_reserve_cow); writeback turns it into UNWRITTEN staging
 * (efs_bmap_convert_delalloc on EFS_COW_FORK) and completion remaps the
 * written blocks (efs_reflink_end_cow); the rest stays staged for later
 * writes until truncate, inactivation, an unshare that leaves nothing
 * shared, or unmount.
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
 * Locking: remap and the end of unshare run as transactions (ilock
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

/*
 * Mirrors xfs_reflink_unshare.  iomap_file_unshare asks the buffered write
 * ops for each mapping (IOMAP_WRITE | IOMAP_UNSHARE): shared written
 * blocks come back as a COW fork extent with the old blocks as srcmap, and
 * iomap copies their data into dirty folios; writeback then writes them to
 * the COW staging, and completion remaps it (aops.c).  Unwritten extents
 * and holes have nothing to copy and are skipped, as on XFS.
 */
int efs_reflink_unshare(struct efs_inode *ei, loff_t off, loff_t len)
{
	struct extentfs *fs = EFS_FS(ei);
	struct inode *inode = &ei->vfs;
	int ret;

	if (!(ei->diflags & EFS_DIFLAG_REFLINK))
		return 0;
	inode_dio_wait(inode);
	ret = iomap_file_unshare(inode, off, len, &extentfs_buffered_write_iomap_ops);
	if (ret)
		return ret;
	ret = filemap_write_and_wait_range(inode->i_mapping, off, off + len - 1);
	if (ret)
		return ret;
	ret = efs_trans_begin(ei);
	if (ret)
		return ret;
	/*
	 * xfs_reflink_try_clear_inode_flag: nothing shared any more, so no
	 * write will need copy-on-write; what the COW fork still holds (the
	 * cowextsize padding of earlier reservations) is given back now.
	 */
	if (!efs_inode_has_shared(ei)) {
		efs_reflink_cancel_cow(ei, 0, fs->max_fblock);
		ei->diflags &= ~EFS_DIFLAG_REFLINK;
		efs_trans_log_inode(ei, true);
	}
	efs_trans_end(ei);
	return 0;
}

/*
 * ------------------------------------------------------------- COW fork
 */

int efs_reflink_reserve_cow(struct efs_inode *ei, uint64_t fblock, uint64_t len,
			    struct efs_irec *out)
{
	struct extentfs *fs = EFS_FS(ei);
	uint64_t start = fblock - fblock % EFS_COWEXTSZ;
	uint64_t end = fblock + len;
	size_t i;
	int ret;

	EFS_BUG_ON(efs_iext_lookup(&ei->cf, fblock, &i));
	/*
	 * xfs_bmap_extsize_align, simplified: round out to the hint, then
	 * give back what would overlap the neighbouring COW fork extents.
	 */
	if (end % EFS_COWEXTSZ)
		end += EFS_COWEXTSZ - end % EFS_COWEXTSZ;
	if (end > fs->max_fblock)
		end = fs->max_fblock;
	if (i > 0 && ei->cf.v[i - 1].fblock + ei->cf.v[i - 1].len > start)
		start = ei->cf.v[i - 1].fblock + ei->cf.v[i - 1].len;
	if (i < ei->cf.nr && ei->cf.v[i].fblock < end)
		end = ei->cf.v[i].fblock;
	ret = efs_bmap_reserve_delalloc(ei, EFS_COW_FORK, start, end - start);
	if (ret == -ENOSPC && (start < fblock || end > fblock + len)) {
		/* The padding is a nicety: try the shared run alone. */
		start = fblock;
		end = fblock + len;
		ret = efs_bmap_reserve_delalloc(ei, EFS_COW_FORK, start, end - start);
	}
	if (ret)
		return ret;
	/* What xfs_bmap_add_extent_hole_delay returns: the merged extent. */
	EFS_BUG_ON(!efs_iext_lookup(&ei->cf, fblock, &i));
	*out = ei->cf.v[i];
	return 0;
}

int efs_reflink_allocate_cow(struct efs_inode *ei, uint64_t fblock, uint64_t len,
			     struct efs_irec *out)
{
	struct extentfs *fs = EFS_FS(ei);
	struct efs_bext got;
	size_t i;
	int ret;

	if (efs_iext_lookup(&ei->cf, fblock, &i)) {
		/*
		 * Something is already staged here (a write in flight over the
		 * same range, or a buffered write's reservation): use it, as
		 * XFS reuses a COW fork extent, rather than stage twice.  A
		 * delayed allocation is allocated now, and the part this
		 * direct write fills is written state at once (convert_now).
		 */
		struct efs_irec c = ei->cf.v[i];
		uint64_t end;

		if (c.dblock == EFS_DELAYSTARTBLOCK) {
			ret = efs_bmap_convert_delalloc(ei, EFS_COW_FORK, fblock, &c);
			if (ret)
				return ret;
		}
		end = c.fblock + c.len;
		*out = c;
		out->fblock = fblock;
		out->dblock = c.dblock + (fblock - c.fblock);
		out->len = (end - fblock) < len ? end - fblock : len;
		out->state = EFS_EXT_NORM;
		if (c.state != EFS_EXT_NORM &&
		    efs_iext_convert(&ei->cf, fblock, out->len, EFS_EXT_UNWRITTEN, EFS_EXT_NORM))
			ei->mapping_seq++;
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
		if (piece.dblock == EFS_DELAYSTARTBLOCK || piece.state != EFS_EXT_NORM) {
			/*
			 * A reservation, or allocated staging nothing was written
			 * through: it stays.  Only written staging holds data
			 * (xfs_reflink_end_cow_extent skips the rest too).  An
			 * unwritten piece is the cowextsize padding that writeback
			 * allocated along with the blocks it wrote; remapping it
			 * would replace the data fork's block -- which a direct
			 * write may just have overwritten in place -- with
			 * whatever the staging block held.  Writeback and direct
			 * writes mark what they write through as written before
			 * the I/O (efs_reflink_convert_cow, convert_now).
			 */
			cur = piece.fblock + piece.len;
			continue;
		}
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

uint64_t efs_reflink_convert_cow(struct efs_inode *ei, uint64_t fblock, uint64_t len)
{
	uint64_t n = efs_iext_convert(&ei->cf, fblock, len, EFS_EXT_UNWRITTEN, EFS_EXT_NORM);

	/* Not logged (the COW fork is not on disk); the mapping did change. */
	if (n)
		ei->mapping_seq++;
	return n;
}

/*
 * Staged blocks were never owned on disk: straight back to the free list.
 * A delayed allocation only gives its promise back.
 */
static void cancel_piece(void *arg, const struct efs_irec *piece)
{
	struct extentfs *fs = arg;

	if (piece->dblock == EFS_DELAYSTARTBLOCK)
		fs->delalloc_blocks -= piece->len;
	else
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
