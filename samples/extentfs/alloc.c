/**
 * @file alloc.c
 * @brief Free space and busy extents (mirrors xfs_alloc.c and
 *        xfs_extent_busy.c), on sorted lists of block runs.
 *
 * Every block of [2, nblocks) belongs to exactly one owner (invariant 4):
 *
 *     free  ──efs_alloc_data / efs_alloc_meta──> allocated (extent or new chain)
 *     allocated ──efs_free_blocks──> busy
 *     busy  ──commit durable (commit.c)──> free
 *     old chain ──commit durable──> free
 *
 * Why "busy": the last *committed* state may still map a block that the
 * in-memory state has just freed.  Reusing it before the commit that frees
 * it is durable would let a power cut expose the old state pointing at
 * someone else's new data (or at new metadata).  XFS keeps such extents in
 * its busy tree for the same reason.  Conversely every free (non-busy)
 * block is free in the committed state too, so a commit may write its new
 * chain into any of them without touching the committed state.
 *
 * Policy (docs/FORMAT.md, "Allocation"):
 *   - data: first fit at or after the goal (efs_bmap_goal: the file keeps
 *     its relative layout), preferring a run long enough for the whole
 *     request; then first fit from the start of the data area; never below
 *     data_start.  efs_meta_reserve() blocks always stay free;
 *   - metadata chains: first fit in the metadata reserve [2, data_start),
 *     then top-down from the end of the device, away from data.
 *
 * Never: call these without the commit lock; free a block twice (the lists
 * refuse overlaps and that is a bug, EFS_BUG_ON).
 *
 * Locking: the commit lock protects fs->free, fs->busy, fs->chain.
 */
#include <stdlib.h>
#include <string.h>

#include "extentfs_priv.h"

size_t efs_extlist_find(const struct efs_extlist *l, uint64_t block)
{
	size_t lo = 0, hi = l->nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (l->v[mid].start + l->v[mid].len <= block)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

bool efs_extlist_overlaps(const struct efs_extlist *l, uint64_t start, uint64_t len)
{
	size_t i = efs_extlist_find(l, start);

	return i < l->nr && l->v[i].start < start + len;
}

static void extlist_make_room(struct efs_extlist *l, size_t at)
{
	if (l->nr == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		l->v = efs_xrealloc(l->v, l->cap, sizeof(*l->v));
	}
	memmove(&l->v[at + 1], &l->v[at], (l->nr - at) * sizeof(*l->v));
	l->nr++;
}

static void extlist_delete(struct efs_extlist *l, size_t at)
{
	memmove(&l->v[at], &l->v[at + 1], (l->nr - at - 1) * sizeof(*l->v));
	l->nr--;
}

int efs_extlist_insert(struct efs_extlist *l, uint64_t start, uint64_t len)
{
	size_t i;
	bool left, right;

	if (len == 0)
		return 0;
	i = efs_extlist_find(l, start);
	if (i < l->nr && l->v[i].start < start + len)
		return -EEXIST;
	left = i > 0 && l->v[i - 1].start + l->v[i - 1].len == start;
	right = i < l->nr && l->v[i].start == start + len;
	if (left && right) {
		l->v[i - 1].len += len + l->v[i].len;
		extlist_delete(l, i);
	} else if (left) {
		l->v[i - 1].len += len;
	} else if (right) {
		l->v[i].start = start;
		l->v[i].len += len;
	} else {
		extlist_make_room(l, i);
		l->v[i] = (struct efs_bext){ start, len };
	}
	l->total += len;
	return 0;
}

int efs_extlist_remove(struct efs_extlist *l, uint64_t start, uint64_t len)
{
	size_t i = efs_extlist_find(l, start);
	struct efs_bext *e;
	uint64_t end = start + len;

	if (len == 0)
		return 0;
	if (i >= l->nr)
		return -ENOENT;
	e = &l->v[i];
	if (e->start > start || e->start + e->len < end)
		return -ENOENT;
	if (e->start == start && e->len == len) {
		extlist_delete(l, i);
	} else if (e->start == start) {
		e->start = end;
		e->len -= len;
	} else if (e->start + e->len == end) {
		e->len -= len;
	} else {
		uint64_t tail = e->start + e->len - end;

		e->len = start - e->start;
		extlist_make_room(l, i + 1);
		l->v[i + 1] = (struct efs_bext){ end, tail };
	}
	l->total -= len;
	return 0;
}

void efs_extlist_free(struct efs_extlist *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

uint64_t efs_chain_blocks_for(const struct extentfs *fs, uint64_t bytes)
{
	uint64_t per = fs->blocksize - EFS_META_HDR_SIZE;
	uint64_t n = (bytes + per - 1) / per;

	return n ? n : 1;
}

/*
 * An upper bound of the next stream: every record that exists now, plus
 * room for the free records the chain allocation itself may split off and
 * for the handful of records one more operation adds before it checks again.
 */
uint64_t efs_meta_reserve(struct extentfs *fs)
{
	uint64_t bytes = 0, runs;

	for (size_t i = 0; i < fs->ninodes; i++) {
		bytes += EFS_DINODE_SIZE + (uint64_t)fs->inodes[i]->df.nr * EFS_DEXT_SIZE;
		/* An inline inode's data may grow up to the capacity before a commit. */
		if (fs->inodes[i]->diflags & EFS_DIFLAG_INLINE)
			bytes += efs_inline_capacity(fs->blkbits);
	}
	for (size_t i = 0; i < fs->ndir; i++)
		bytes += efs_dirent_size(strlen(fs->dir[i].name));
	bytes += (uint64_t)fs->refc.nr * EFS_DREFC_SIZE;
	runs = fs->free.nr + fs->busy.nr + fs->chain.nr + 16;
	bytes += runs * EFS_DFREE_SIZE + 64 * EFS_DEXT_SIZE;
	/* The chain may split one free run per block it takes. */
	return 2 * efs_chain_blocks_for(fs, bytes) + 2;
}

/* Take [start, start+len) from the free list (it must be free). */
static void take_free(struct extentfs *fs, uint64_t start, uint64_t len)
{
	EFS_BUG_ON(efs_extlist_remove(&fs->free, start, len) != 0);
}

/*
 * First run at index >= i whose part at or above max(from, data_start) has
 * at least @minlen blocks; returns its usable start in *at.
 */
static bool find_fit(const struct extentfs *fs, size_t i, uint64_t from, uint64_t minlen,
		     uint64_t *at, uint64_t *avail)
{
	uint64_t lo = from > fs->data_start ? from : fs->data_start;

	for (; i < fs->free.nr; i++) {
		const struct efs_bext *e = &fs->free.v[i];
		uint64_t s = e->start > lo ? e->start : lo;
		uint64_t end = e->start + e->len;

		if (s >= end || end - s < minlen)
			continue;
		*at = s;
		*avail = end - s;
		return true;
	}
	return false;
}

/* Blocks of @l below @limit. */
static uint64_t extlist_count_below(const struct efs_extlist *l, uint64_t limit)
{
	uint64_t n = 0;

	for (size_t i = 0; i < l->nr && l->v[i].start < limit; i++) {
		uint64_t end = l->v[i].start + l->v[i].len;

		n += (end < limit ? end : limit) - l->v[i].start;
	}
	return n;
}

uint64_t efs_data_blocks_available(struct extentfs *fs, bool with_busy)
{
	/*
	 * Data may only go at or above data_start; metadata chains may use
	 * the blocks below it first.  So the metadata reserve takes from the
	 * data area only what the low area cannot hold, and the delayed
	 * allocation promises (9) come off what is left.
	 */
	uint64_t lo = extlist_count_below(&fs->free, fs->data_start);
	uint64_t hi = fs->free.total - lo;
	uint64_t meta = efs_meta_reserve(fs);
	uint64_t need = (meta > lo ? meta - lo : 0) + fs->delalloc_blocks;

	if (with_busy)
		hi += fs->busy.total - extlist_count_below(&fs->busy, fs->data_start);
	return hi > need ? hi - need : 0;
}

int efs_alloc_data(struct extentfs *fs, uint64_t goal, uint64_t want, struct efs_bext *got)
{
	/* Blocks promised to delayed allocations are not ours to give (9). */
	uint64_t free_for_data = efs_data_blocks_available(fs, false);
	uint64_t at, avail;
	size_t i;

	if (want == 0 || free_for_data == 0)
		return -ENOSPC;
	if (want > free_for_data)
		want = free_for_data;
	if (goal < fs->data_start || goal >= fs->nblocks)
		goal = fs->data_start;

	i = efs_extlist_find(&fs->free, goal);
	/* 1. The goal itself is free: extend the file's layout exactly. */
	if (i < fs->free.nr && fs->free.v[i].start <= goal) {
		at = goal;
		avail = fs->free.v[i].start + fs->free.v[i].len - goal;
		goto found;
	}
	/* 2. A run big enough for everything, after the goal, then anywhere. */
	if (find_fit(fs, i, goal, want, &at, &avail) ||
	    find_fit(fs, 0, fs->data_start, want, &at, &avail))
		goto found;
	/* 3. Whatever is left, nearest after the goal first. */
	if (find_fit(fs, i, goal, 1, &at, &avail) ||
	    find_fit(fs, 0, fs->data_start, 1, &at, &avail))
		goto found;
	return -ENOSPC;
found:
	got->start = at;
	got->len = avail < want ? avail : want;
	take_free(fs, got->start, got->len);
	return 0;
}

int efs_alloc_meta(struct extentfs *fs, uint64_t n, struct efs_extlist *out)
{
	struct efs_bext pick[256];
	size_t npick = 0;
	uint64_t need = n;

	if (fs->free.total < n)
		return -ENOSPC;
	/* Choose first, then take: taking splits runs and moves indexes. */
	for (size_t i = 0; i < fs->free.nr && need && fs->free.v[i].start < fs->data_start; i++) {
		const struct efs_bext *e = &fs->free.v[i];
		uint64_t end = e->start + e->len;
		uint64_t len;

		if (end > fs->data_start)
			end = fs->data_start;
		len = end - e->start < need ? end - e->start : need;
		if (npick == ARRAY_SIZE(pick))
			return -ENOSPC;
		pick[npick++] = (struct efs_bext){ e->start, len };
		need -= len;
	}
	for (size_t i = fs->free.nr; i-- > 0 && need;) {
		const struct efs_bext *e = &fs->free.v[i];
		uint64_t s = e->start > fs->data_start ? e->start : fs->data_start;
		uint64_t end = e->start + e->len;
		uint64_t len;

		if (s >= end)
			continue;
		len = end - s < need ? end - s : need;
		if (npick == ARRAY_SIZE(pick))
			return -ENOSPC;
		pick[npick++] = (struct efs_bext){ end - len, len };
		need -= len;
	}
	if (need)
		return -ENOSPC;
	for (size_t k = 0; k < npick; k++) {
		take_free(fs, pick[k].start, pick[k].len);
		EFS_BUG_ON(efs_extlist_insert(out, pick[k].start, pick[k].len) != 0);
	}
	return 0;
}

void efs_free_blocks(struct extentfs *fs, uint64_t start, uint64_t len)
{
	EFS_BUG_ON(start < EFS_SB_SLOTS || start + len > fs->nblocks);
	EFS_BUG_ON(efs_extlist_overlaps(&fs->free, start, len));
	EFS_BUG_ON(efs_extlist_insert(&fs->busy, start, len) != 0);
}
