/**
 * @file bmap.c
 * @brief Allocate, unmap and convert ranges of a file (mirrors the parts of
 *        xfs_bmap.c and xfs_bmap_util.c that fallocate, truncate and I/O
 *        completion use).
 *
 * These are the *transactions* on one inode's data fork: each keeps the
 * fork, the free space and the reference counts consistent with each other
 * (invariants 1-6) when it returns, and logs the inode so that the next
 * commit writes it.
 *
 *     efs_bmap_alloc_range        holes -> new extents (UNWRITTEN for fallocate)
 *     efs_bmap_alloc_one          one hole -> ONE new extent (direct writes)
 *     efs_bunmapi                 extents -> holes; device blocks lose a reference,
 *                                 and the ones nobody maps go to the busy list
 *     efs_bmap_convert_unwritten  UNWRITTEN -> NORM after data reached the disk
 *     efs_bmap_reserve_delalloc   hole -> DELALLOC (buffered write; in memory only;
 *                                 the reserve/convert/punch trio also serves the
 *                                 COW fork, whose staging is never logged)
 *     efs_bmap_convert_delalloc   DELALLOC -> UNWRITTEN (writeback allocates)
 *     efs_bmap_punch_delalloc     DELALLOC -> hole (failed write, failed writeback)
 *
 * A delayed allocation (XFS "delalloc") is a promise of blocks, not blocks:
 *
 *     hole --[efs_bmap_reserve_delalloc]--> DELALLOC --[efs_bmap_convert_delalloc,
 *       ^                                      |        writeback]--> UNWRITTEN
 *       +-----[efs_bmap_punch_delalloc, -------+          --[I/O completion]--> NORM
 *              efs_bunmapi]
 *
 * fs->delalloc_blocks counts the promises (invariant 9); efs_alloc_data()
 * keeps that many blocks free for them, so writeback never meets ENOSPC
 * for data that write(2) already accepted.
 *
 * Allocation that finds no space while busy extents exist forces a commit
 * and tries again (mirrors xfs_extent_busy_flush): once the commit that
 * freed them is durable, busy blocks are free.
 *
 * Never: call without efs_trans_begin() on the inode (ilock EXCL + commit
 * lock); pass a range beyond max_fblock.
 *
 * Locking: as above; efs_bmapi_read() and efs_bmap_goal() only read and
 * need the ilock (shared) or the commit lock.
 */
#include "extentfs_priv.h"

uint64_t efs_bmap_goal(struct efs_inode *ei, uint64_t fblock)
{
	struct extentfs *fs = EFS_FS(ei);
	const struct efs_iext *m = &ei->df;
	const struct efs_irec *prev = NULL, *next = NULL;
	uint64_t goal = fs->data_start;
	size_t i;

	if (efs_iext_lookup(m, fblock, &i))
		prev = &m->v[i];
	else {
		if (i > 0)
			prev = &m->v[i - 1];
		if (i < m->nr)
			next = &m->v[i];
	}
	if (prev && efs_irec_is_real(prev))
		goal = prev->dblock + (fblock - prev->fblock);
	else if (next && efs_irec_is_real(next) && next->dblock >= next->fblock - fblock)
		goal = next->dblock - (next->fblock - fblock);
	if (goal < fs->data_start || goal >= fs->nblocks)
		goal = fs->data_start;
	return goal;
}

void efs_bmapi_read(struct efs_inode *ei, uint64_t fblock, uint64_t end, struct efs_irec *rec)
{
	efs_ifork_read(&ei->df, fblock, end, rec);
}

void efs_ifork_read(const struct efs_iext *m, uint64_t fblock, uint64_t end, struct efs_irec *rec)
{
	size_t i;

	if (efs_iext_lookup(m, fblock, &i)) {
		const struct efs_irec *e = &m->v[i];
		uint64_t e_end = e->fblock + e->len;

		*rec = *e;
		rec->fblock = fblock;
		rec->len = (e_end < end ? e_end : end) - fblock;
		if (efs_irec_is_real(e))
			rec->dblock = e->dblock + (fblock - e->fblock);
		return;
	}
	rec->fblock = fblock;
	rec->dblock = EFS_HOLESTARTBLOCK;
	rec->state = EFS_EXT_NORM;
	rec->len = (i < m->nr && m->v[i].fblock < end ? m->v[i].fblock : end) - fblock;
}

int efs_bmap_alloc_blocks(struct extentfs *fs, uint64_t goal, uint64_t want,
			  struct efs_bext *got)
{
	int ret = efs_alloc_data(fs, goal, want, got);

	if (ret == -ENOSPC && fs->busy.total) {
		ret = efs_commit_locked(fs);
		if (ret)
			return ret;
		ret = efs_alloc_data(fs, goal, want, got);
	}
	return ret;
}

int efs_bmap_alloc_range(struct efs_inode *ei, uint64_t fblock, uint64_t len, uint32_t state)
{
	struct extentfs *fs = EFS_FS(ei);
	uint64_t cur = fblock, end = fblock + len;
	int ret = 0;

	EFS_BUG_ON(end > fs->max_fblock || end < fblock);
	while (cur < end) {
		struct efs_irec r;
		struct efs_bext got;

		efs_bmapi_read(ei, cur, end, &r);
		if (r.dblock != EFS_HOLESTARTBLOCK) {
			cur += r.len;
			continue;
		}
		ret = efs_bmap_alloc_blocks(fs, efs_bmap_goal(ei, cur), r.len, &got);
		if (ret)
			break;
		r.dblock = got.start;
		r.len = got.len;
		r.state = state;
		efs_iext_insert(&ei->df, &r);
		efs_trans_log_inode(ei, true);
		cur += got.len;
	}
	return ret;
}

int efs_bmap_alloc_one(struct efs_inode *ei, uint64_t fblock, uint64_t len, uint32_t state,
		       struct efs_irec *out)
{
	struct extentfs *fs = EFS_FS(ei);
	struct efs_bext got;
	int ret;

	EFS_BUG_ON(len == 0 || fblock + len > fs->max_fblock || fblock + len < fblock);
	ret = efs_bmap_alloc_blocks(fs, efs_bmap_goal(ei, fblock), len, &got);
	if (ret)
		return ret;
	*out = (struct efs_irec){
		.fblock = fblock, .dblock = got.start, .len = got.len, .state = state,
	};
	/* The map may merge it with a neighbour; the caller gets the new part only. */
	efs_iext_insert(&ei->df, out);
	efs_trans_log_inode(ei, true);
	return 0;
}

static void free_unmapped(void *arg, uint64_t start, uint64_t len)
{
	efs_free_blocks(arg, start, len);
}

/* Each unmapped piece drops one reference to its device blocks; a delayed
 * allocation only gives its promise back. */
static void bunmapi_piece(void *arg, const struct efs_irec *piece)
{
	struct extentfs *fs = arg;

	if (efs_irec_is_real(piece))
		efs_refcount_decrease(&fs->refc, piece->dblock, piece->len, free_unmapped, fs);
	else if (piece->dblock == EFS_DELAYSTARTBLOCK)
		fs->delalloc_blocks -= piece->len;
}

void efs_bunmapi(struct efs_inode *ei, uint64_t fblock, uint64_t len)
{
	struct extentfs *fs = EFS_FS(ei);

	if (fblock >= fs->max_fblock)
		return;
	if (len > fs->max_fblock - fblock)
		len = fs->max_fblock - fblock;
	if (efs_iext_remove(&ei->df, fblock, len, bunmapi_piece, fs))
		efs_trans_log_inode(ei, true);
}

uint64_t efs_bmap_convert_unwritten(struct efs_inode *ei, uint64_t fblock, uint64_t len)
{
	uint64_t n = efs_iext_convert(&ei->df, fblock, len, EFS_EXT_UNWRITTEN, EFS_EXT_NORM);

	if (n)
		efs_trans_log_inode(ei, true);
	return n;
}

int efs_bmap_reserve_delalloc(struct efs_inode *ei, int whichfork, uint64_t fblock, uint64_t len)
{
	struct extentfs *fs = EFS_FS(ei);
	struct efs_iext *m = efs_ifork(ei, whichfork);
	uint64_t have = efs_data_blocks_available(fs, true);
	struct efs_irec r = {
		.fblock = fblock, .dblock = EFS_DELAYSTARTBLOCK, .len = len, .state = EFS_EXT_NORM,
	};

	EFS_BUG_ON(len == 0 || fblock + len > fs->max_fblock || fblock + len < fblock);
	/*
	 * xfs_bmapi_reserve_delalloc takes the blocks off the free counter
	 * now (xfs_dec_fdblocks), so that ENOSPC is reported to write(2).
	 * Busy blocks count: the conversion commits to free them if needed.
	 */
	if (len > have)
		return -ENOSPC;
	efs_iext_insert(m, &r);
	fs->delalloc_blocks += len;
	/* A map change (the validity cookie moves), but nothing to commit. */
	ei->mapping_seq++;
	return 0;
}

uint64_t efs_bmap_punch_delalloc(struct efs_inode *ei, int whichfork, uint64_t fblock,
				 uint64_t len)
{
	struct extentfs *fs = EFS_FS(ei);
	struct efs_iext *m = efs_ifork(ei, whichfork);
	uint64_t cur = fblock, end, done = 0;

	if (fblock >= fs->max_fblock)
		return 0;
	end = len > fs->max_fblock - fblock ? fs->max_fblock : fblock + len;
	while (cur < end) {
		struct efs_irec r;
		size_t i;

		/* Jump over holes quickly: the next extent, if any. */
		if (!efs_iext_lookup(m, cur, &i)) {
			if (i >= m->nr || m->v[i].fblock >= end)
				break;
			cur = m->v[i].fblock;
		}
		efs_ifork_read(m, cur, end, &r);
		if (r.dblock == EFS_DELAYSTARTBLOCK) {
			efs_iext_remove(m, r.fblock, r.len, NULL, NULL);
			fs->delalloc_blocks -= r.len;
			done += r.len;
		}
		cur += r.len;
	}
	if (done)
		ei->mapping_seq++;
	return done;
}

int efs_bmap_convert_delalloc(struct efs_inode *ei, int whichfork, uint64_t fblock,
			      struct efs_irec *out)
{
	struct extentfs *fs = EFS_FS(ei);
	struct efs_iext *m = efs_ifork(ei, whichfork);
	size_t i;

	for (;;) {
		struct efs_irec da, r;
		struct efs_bext got;
		int ret;

		if (!efs_iext_lookup(m, fblock, &i)) {
			/* Punched meanwhile: a hole, nothing to write. */
			efs_ifork_read(m, fblock, fs->max_fblock, out);
			return 0;
		}
		da = m->v[i];
		if (da.dblock != EFS_DELAYSTARTBLOCK) {
			*out = da;
			return 0;
		}
		/*
		 * The promise becomes the allocation: give it back first, so
		 * that efs_alloc_data() may use the blocks it kept for it.
		 */
		fs->delalloc_blocks -= da.len;
		ret = efs_bmap_alloc_blocks(fs, efs_bmap_goal(ei, da.fblock), da.len, &got);
		if (ret) {
			fs->delalloc_blocks += da.len;
			return ret;
		}
		/* Whatever free space could not give in one run stays promised. */
		fs->delalloc_blocks += da.len - got.len;
		efs_iext_remove(m, da.fblock, got.len, NULL, NULL);
		r = (struct efs_irec){
			.fblock = da.fblock, .dblock = got.start, .len = got.len,
			.state = EFS_EXT_UNWRITTEN,
		};
		efs_iext_insert(m, &r);
		/*
		 * COW staging is not on disk (a commit records it free): only
		 * the validity cookie moves.  The data fork is metadata.
		 */
		if (whichfork == EFS_COW_FORK)
			ei->mapping_seq++;
		else
			efs_trans_log_inode(ei, true);
		if (fblock < da.fblock + got.len) {
			/* The new run itself, as xfs_bmapi_convert_delalloc maps it. */
			*out = r;
			return 0;
		}
	}
}
