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
	const struct efs_iext *m = &ei->df;
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

/* Each unmapped piece drops one reference to its device blocks. */
static void bunmapi_piece(void *arg, const struct efs_irec *piece)
{
	struct extentfs *fs = arg;

	if (efs_irec_is_real(piece))
		efs_refcount_decrease(&fs->refc, piece->dblock, piece->len, free_unmapped, fs);
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
