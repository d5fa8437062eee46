/**
 * @file refcount.c
 * @brief Reference counts of shared blocks (mirrors xfs_refcount.c, whose
 *        btree also records only blocks mapped more than once).
 *
 * A block mapped by one extent has no record (count 1); a block mapped by
 * n >= 2 extents is covered by exactly one record with count n
 * (invariant 5).  The records are a sorted array of disjoint runs:
 *
 *     device blocks   40        48        56        64
 *                     |---------|---------|---------|
 *     records         [40,48) x2 [48,56) x3          (56.. unshared: no record)
 *
 * Changing a range first splits the records at the range's edges, then
 * walks it: a record inside gets count +-1, a gap (count 1) becomes a new
 * record of count 2 on increase, or is handed to the free callback on
 * decrease (its last mapping went away).  A record that drops to 1 is
 * deleted.  Finally neighbours with equal counts that touch are merged,
 * so the representation of a given set of counts is unique.
 *
 * Never: call without the commit lock (they are filesystem-wide).
 *
 * Locking: the commit lock protects fs->refc.
 */
#include <stdlib.h>
#include <string.h>

#include "extentfs_priv.h"

static uint64_t refc_end(const struct efs_refc *r)
{
	return r->start + r->len;
}

/* First record that ends after @block. */
static size_t refc_find(const struct efs_refcl *rl, uint64_t block)
{
	size_t lo = 0, hi = rl->nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (refc_end(&rl->v[mid]) <= block)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void refc_make_room(struct efs_refcl *rl, size_t at)
{
	if (rl->nr == rl->cap) {
		rl->cap = rl->cap ? 2 * rl->cap : 8;
		rl->v = efs_xrealloc(rl->v, rl->cap, sizeof(*rl->v));
	}
	memmove(&rl->v[at + 1], &rl->v[at], (rl->nr - at) * sizeof(*rl->v));
	rl->nr++;
}

static void refc_delete(struct efs_refcl *rl, size_t at)
{
	memmove(&rl->v[at], &rl->v[at + 1], (rl->nr - at - 1) * sizeof(*rl->v));
	rl->nr--;
}

/* Make @block a record boundary (split the record that straddles it). */
static void refc_split_at(struct efs_refcl *rl, uint64_t block)
{
	size_t i = refc_find(rl, block);
	struct efs_refc r;

	if (i >= rl->nr || rl->v[i].start >= block)
		return;
	r = rl->v[i];
	rl->v[i].len = block - r.start;
	refc_make_room(rl, i + 1);
	rl->v[i + 1] = (struct efs_refc){ block, refc_end(&r) - block, r.count };
}

static void refc_merge_all(struct efs_refcl *rl)
{
	size_t out = 0;

	for (size_t i = 0; i < rl->nr; i++) {
		if (out > 0 && refc_end(&rl->v[out - 1]) == rl->v[i].start &&
		    rl->v[out - 1].count == rl->v[i].count)
			rl->v[out - 1].len += rl->v[i].len;
		else
			rl->v[out++] = rl->v[i];
	}
	rl->nr = out;
}

uint64_t efs_refcount_get(const struct efs_refcl *rl, uint64_t block, uint64_t *run)
{
	size_t i = refc_find(rl, block);

	if (i < rl->nr && rl->v[i].start <= block) {
		if (run)
			*run = refc_end(&rl->v[i]) - block;
		return rl->v[i].count;
	}
	if (run)
		*run = (i < rl->nr ? rl->v[i].start : UINT64_MAX) - block;
	return 1;
}

bool efs_refcount_find_shared(const struct efs_refcl *rl, uint64_t start, uint64_t len,
			      uint64_t *fstart, uint64_t *flen)
{
	uint64_t end = start + len, fend;
	size_t i = refc_find(rl, start);

	if (len == 0 || i >= rl->nr || rl->v[i].start >= end)
		return false;
	*fstart = rl->v[i].start > start ? rl->v[i].start : start;
	fend = refc_end(&rl->v[i]) < end ? refc_end(&rl->v[i]) : end;
	/* Records that touch continue the shared run (counts may differ). */
	while (fend < end && i + 1 < rl->nr && rl->v[i + 1].start == refc_end(&rl->v[i])) {
		i++;
		fend = refc_end(&rl->v[i]) < end ? refc_end(&rl->v[i]) : end;
	}
	*flen = fend - *fstart;
	return true;
}

void efs_refcount_increase(struct efs_refcl *rl, uint64_t start, uint64_t len)
{
	uint64_t end = start + len, cur = start;
	size_t i;

	if (len == 0)
		return;
	refc_split_at(rl, start);
	refc_split_at(rl, end);
	i = refc_find(rl, start);
	while (cur < end) {
		if (i < rl->nr && rl->v[i].start <= cur) {
			rl->v[i].count++;
			cur = refc_end(&rl->v[i]);
			i++;
		} else {
			uint64_t gap_end = (i < rl->nr && rl->v[i].start < end) ? rl->v[i].start : end;

			refc_make_room(rl, i);
			rl->v[i] = (struct efs_refc){ cur, gap_end - cur, 2 };
			i++;
			cur = gap_end;
		}
	}
	refc_merge_all(rl);
}

void efs_refcount_decrease(struct efs_refcl *rl, uint64_t start, uint64_t len, efs_free_fn fn,
			   void *arg)
{
	uint64_t end = start + len, cur = start;
	size_t i;

	if (len == 0)
		return;
	refc_split_at(rl, start);
	refc_split_at(rl, end);
	i = refc_find(rl, start);
	while (cur < end) {
		if (i < rl->nr && rl->v[i].start <= cur) {
			cur = refc_end(&rl->v[i]);
			if (--rl->v[i].count < 2)
				refc_delete(rl, i);
			else
				i++;
		} else {
			uint64_t gap_end = (i < rl->nr && rl->v[i].start < end) ? rl->v[i].start : end;

			if (fn)
				fn(arg, cur, gap_end - cur);
			cur = gap_end;
		}
	}
	refc_merge_all(rl);
}

void efs_refcl_free(struct efs_refcl *rl)
{
	free(rl->v);
	memset(rl, 0, sizeof(*rl));
}
