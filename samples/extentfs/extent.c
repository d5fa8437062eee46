/**
 * @file extent.c
 * @brief The in-core extent list of a fork (mirrors xfs_iext_tree.c and the
 *        record-splitting parts of xfs_bmap.c).
 *
 * A fork is a sorted array of struct efs_irec, looked up by binary search
 * (O(log n)) and changed in place.  Three operations change it, and each
 * keeps invariant 1 (sorted, disjoint, non-empty):
 *
 *     efs_iext_insert   map a hole; merge with a neighbour that continues
 *                       it in the file and on the device in the same state
 *     efs_iext_remove   unmap a range; an extent cut in the middle splits:
 *
 *                       before   [AAAAAAAAAAAAAAAA]
 *                       remove         [xxxx]
 *                       after    [AAAAAA]    [AAAAAA]   (right part's device
 *                                                        block moves with it)
 *
 *     efs_iext_convert  change the state of a range (unwritten -> written at
 *                       I/O completion); the extent splits into up to three
 *                       and then merges with whatever now continues it.
 *
 * Merging is what XFS does when it adds a record next to a contiguous one,
 * so two fallocates that land back to back show up as one extent in FIEMAP,
 * as on XFS.  Extents that are not contiguous on the device never merge
 * (the two halves of a reflinked file stay two mappings).
 *
 * Never: call the changing functions without the fork's writer locks (see
 * struct efs_inode); keep a pointer into `v` across a change (it moves).
 *
 * Locking: by the caller, as described for struct efs_inode.
 */
#include <stdlib.h>
#include <string.h>

#include "extentfs_priv.h"

static uint64_t irec_end(const struct efs_irec *r)
{
	return r->fblock + r->len;
}

bool efs_iext_lookup(const struct efs_iext *m, uint64_t fblock, size_t *idx)
{
	size_t lo = 0, hi = m->nr;

	/* First extent that ends after fblock. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (irec_end(&m->v[mid]) <= fblock)
			lo = mid + 1;
		else
			hi = mid;
	}
	*idx = lo;
	return lo < m->nr && m->v[lo].fblock <= fblock;
}

/* Whether b continues a in the file, on the device, and in state. */
static bool can_merge(const struct efs_irec *a, const struct efs_irec *b)
{
	if (irec_end(a) != b->fblock || a->state != b->state)
		return false;
	if (a->dblock == EFS_DELAYSTARTBLOCK || b->dblock == EFS_DELAYSTARTBLOCK)
		return a->dblock == b->dblock;
	return a->dblock + a->len == b->dblock;
}

static void iext_make_room(struct efs_iext *m, size_t at, size_t n)
{
	if (m->nr + n > m->cap) {
		while (m->nr + n > m->cap)
			m->cap = m->cap ? 2 * m->cap : 8;
		m->v = efs_xrealloc(m->v, m->cap, sizeof(*m->v));
	}
	memmove(&m->v[at + n], &m->v[at], (m->nr - at) * sizeof(*m->v));
	m->nr += n;
}

static void iext_delete(struct efs_iext *m, size_t at)
{
	memmove(&m->v[at], &m->v[at + 1], (m->nr - at - 1) * sizeof(*m->v));
	m->nr--;
}

void efs_iext_insert(struct efs_iext *m, const struct efs_irec *r)
{
	size_t i;
	bool left, right;

	EFS_BUG_ON(r->len == 0 || r->dblock == EFS_HOLESTARTBLOCK);
	EFS_BUG_ON(efs_iext_lookup(m, r->fblock, &i));
	EFS_BUG_ON(i < m->nr && m->v[i].fblock < irec_end(r));

	left = i > 0 && can_merge(&m->v[i - 1], r);
	right = i < m->nr && can_merge(r, &m->v[i]);
	if (left && right) {
		m->v[i - 1].len += r->len + m->v[i].len;
		iext_delete(m, i);
	} else if (left) {
		m->v[i - 1].len += r->len;
	} else if (right) {
		m->v[i].fblock = r->fblock;
		m->v[i].dblock = r->dblock;
		m->v[i].len += r->len;
	} else {
		iext_make_room(m, i, 1);
		m->v[i] = *r;
	}
}

/* The part [s, t) of extent e, with its device block moved along. */
static struct efs_irec irec_slice(const struct efs_irec *e, uint64_t s, uint64_t t)
{
	struct efs_irec p = *e;

	p.fblock = s;
	p.len = t - s;
	if (efs_irec_is_real(e))
		p.dblock = e->dblock + (s - e->fblock);
	return p;
}

uint64_t efs_iext_remove(struct efs_iext *m, uint64_t fblock, uint64_t len, efs_unmap_fn fn,
			 void *arg)
{
	uint64_t end = fblock + len, removed = 0;
	size_t i;

	if (len == 0)
		return 0;
	efs_iext_lookup(m, fblock, &i);
	while (i < m->nr && m->v[i].fblock < end) {
		struct efs_irec e = m->v[i];
		uint64_t s = e.fblock > fblock ? e.fblock : fblock;
		uint64_t t = irec_end(&e) < end ? irec_end(&e) : end;
		struct efs_irec piece = irec_slice(&e, s, t);

		removed += piece.len;
		if (e.fblock < s && irec_end(&e) > t) {
			/* Cut out of the middle: keep both sides. */
			m->v[i] = irec_slice(&e, e.fblock, s);
			iext_make_room(m, i + 1, 1);
			m->v[i + 1] = irec_slice(&e, t, irec_end(&e));
			i += 2;
		} else if (e.fblock < s) {
			m->v[i] = irec_slice(&e, e.fblock, s);
			i++;
		} else if (irec_end(&e) > t) {
			m->v[i] = irec_slice(&e, t, irec_end(&e));
			i++;
		} else {
			iext_delete(m, i);
		}
		if (fn)
			fn(arg, &piece);
	}
	return removed;
}

/*
 * Merge the neighbours that can_merge() among v[lo .. hi] (and with
 * v[lo - 1] and v[hi + 1]): only records a change touched can have become
 * mergeable, so the rest of the map is not walked (the kernel's
 * xfs_bmap_add_extent_unwritten_real looks at the two neighbours only).
 * The tail after hi moves once, by memmove.
 */
static void iext_merge_range(struct efs_iext *m, size_t lo, size_t hi)
{
	size_t out, end;

	if (m->nr == 0)
		return;
	if (lo > 0)
		lo--;
	end = hi + 2 < m->nr ? hi + 2 : m->nr; /* one past v[hi + 1] */
	out = lo + 1;
	for (size_t i = lo + 1; i < end; i++) {
		if (can_merge(&m->v[out - 1], &m->v[i]))
			m->v[out - 1].len += m->v[i].len;
		else
			m->v[out++] = m->v[i];
	}
	if (out < end) {
		memmove(&m->v[out], &m->v[end], (m->nr - end) * sizeof(*m->v));
		m->nr -= end - out;
	}
}

uint64_t efs_iext_convert(struct efs_iext *m, uint64_t fblock, uint64_t len, uint32_t from,
			  uint32_t to)
{
	uint64_t end = fblock + len, converted = 0;
	size_t i, first;

	if (len == 0 || from == to)
		return 0;
	efs_iext_lookup(m, fblock, &i);
	first = i;
	while (i < m->nr && m->v[i].fblock < end) {
		struct efs_irec e = m->v[i];
		uint64_t s = e.fblock > fblock ? e.fblock : fblock;
		uint64_t t = irec_end(&e) < end ? irec_end(&e) : end;
		struct efs_irec pieces[3];
		size_t n = 0;

		if (e.state != from || !efs_irec_is_real(&e)) {
			i++;
			continue;
		}
		if (e.fblock < s)
			pieces[n++] = irec_slice(&e, e.fblock, s);
		pieces[n] = irec_slice(&e, s, t);
		pieces[n++].state = to;
		if (irec_end(&e) > t)
			pieces[n++] = irec_slice(&e, t, irec_end(&e));
		iext_make_room(m, i + 1, n - 1);
		memcpy(&m->v[i], pieces, n * sizeof(pieces[0]));
		converted += t - s;
		i += n;
	}
	if (converted && i > first)
		iext_merge_range(m, first, i - 1);
	return converted;
}

int efs_iext_verify(const struct efs_iext *m, uint64_t max_fblock, uint64_t data_start,
		    uint64_t nblocks)
{
	for (size_t i = 0; i < m->nr; i++) {
		const struct efs_irec *e = &m->v[i];

		if (e->len == 0 || e->fblock > max_fblock || e->len > max_fblock - e->fblock)
			return 1;
		if (e->state != EFS_EXT_NORM && e->state != EFS_EXT_UNWRITTEN)
			return 1;
		if (i > 0 && irec_end(&m->v[i - 1]) > e->fblock)
			return 1;
		if (e->dblock == EFS_HOLESTARTBLOCK)
			return 1;
		if (nblocks && efs_irec_is_real(e) &&
		    (e->dblock < data_start || e->dblock >= nblocks || e->len > nblocks - e->dblock))
			return 2;
	}
	return 0;
}

void efs_iext_free(struct efs_iext *m)
{
	free(m->v);
	memset(m, 0, sizeof(*m));
}
