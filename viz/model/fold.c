/**
 * @file fold.c
 * @brief The fold: how each event of the stream changes the state the
 *        panels draw (docs/EVENTS.md lists the events and their fields).
 *
 * vf_apply() applies event i to a state at step i and leaves it at step
 * i + 1.  It reads nothing but the event and the state, so the state at
 * step N is a function of events 0..N-1 and a copy of the state
 * (vf_state_copy(), a few memcpy) is a complete checkpoint.
 *
 * What each family of events does:
 *   - op_begin / op_end: the operation; op_begin also clears what belongs
 *     to one operation (call history, completed bios, finished work items
 *     and ioends; what is still in flight stays).  The first event after
 *     an op_end that is not an op_begin belongs to no operation: the op
 *     text goes and the same parts are cleared (op_reset_parts()).
 *   - iomap_iter, fs_iomap_begin / _begin_done / _end, iomap_iter_dstmap /
 *     _srcmap: the iterator and its call history (at most VF_MAX_CALLS
 *     rows, oldest dropped first); dstmaps and iomap_add_to_ioend's
 *     mapping also go into the extent map (latest mapping wins per byte).
 *     A re-lookup is STALE when the dstmap carries IOMAP_F_STALE, or when
 *     iomap_iter comes back to the pos of the last one, whose length was
 *     not 0, with the mapping still covering it, and a new ->iomap_begin
 *     (or dstmap) follows with no progress reported by fs_iomap_end in
 *     between.  An iomap_iter after one of length 0 that no mapping
 *     followed is a new call (the last one ended), never a re-lookup:
 *     `pwrite -b 4k 0 64k` makes 16 calls at the positions their
 *     predecessors ended at.  In a kernel trace that new call is also a
 *     new operation.
 *   - iomap_add_to_ioend's mapping, and ioend_finish of an UNWRITTEN
 *     ioend without error (its blocks converted: MAPPED, not NEW), change
 *     the extent map.
 *   - folio_add / _remove / _flags / _state: the page cache.  Per-block
 *     bits live in one pool (blks[]) that each folio indexes, so copying a
 *     state copies two arrays, not one allocation per folio.
 *   - ioend_*: the ioend life cycle below.
 *   - bio_submit / bio_complete (+ dio_bio, which marks the same thread's
 *     next bio as a dio's): bios, and the disk runs each bio last touched
 *     (with the bio's status once it completed).
 *   - work_queue / _start / _end, lock_*, lockdep_inversion.
 *
 * The ioend life cycle, each arrow labelled with the event that makes it
 * (ioend_may_move() checks exactly these arrows; an event that breaks
 * them is applied anyway, since the trace is the truth, and counted in
 * viz_state_nr_anomalies()):
 *
 *        ioend_new        ioend_grow (stays BUILDING, size grows)
 *   (none) -----> BUILDING <---+
 *                    |  ioend_submit
 *                    v
 *                SUBMITTED ---------------------------+
 *                    |  ioend_complete (its bio ended) | ioend_finish
 *                    v                                 | (failed without
 *                COMPLETED ----------------------+     |  I/O: status != 0)
 *                    |  ioend_merge              |     |
 *                    v  (joined a chain's head)  |     |
 *                 MERGED                         |     |
 *                    |  ioend_finish             | ioend_finish
 *                    v                           v     v
 *                FINISHED <----------------------+-----+
 *
 * Numbered invariants, checked by the tests (tests/unit/viz/model):
 *   (1) folios are sorted by (ino, index), disk runs by sector, the extent
 *       map by (ino, offset); runs and mappings never overlap;
 *   (2) a folio's blocks are [blk, blk + nr_blocks) of blks[], and no two
 *       folios share a block;
 *   (3) every element is zeroed before it is filled, so two states that
 *       hold the same things hold the same bytes (viz_state_hash()).
 *
 * Kernel stores carry only iomap_* events: the fold then infers a begin
 * call from each dstmap, keeps add_to_ioend as a mapping, marks folios
 * from iomap_writeback_folio and drops them at a whole-folio release or
 * invalidate, and viz_state_lacks() names the rest.  iomap_readpage and
 * iomap_readahead carry only a page count, no position, so they place no
 * folio.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/*
 * The core's headers give the constants events carry (IOMAP_* types and
 * flags, PG_* bits, PAGE_SIZE, SECTOR_SHIFT); the fold calls no function
 * of the core.
 */
#include <iomap/iomap.h>
#include <iomap/pagecache.h>
#include <iomap/types.h>

#include "model-internal.h"

#define VF_MAX_CALLS 512        /* call history rows kept per operation */
#define VF_DROP_CALLS 128       /* rows dropped at once when it is full */
#define VF_MAX_PENDING_DIO 8    /* threads with a dio_bio waiting for its bio_submit */
#define VF_MAX_DIO_RANGES 16    /* dios whose file range is remembered for dio_end_io */

/* A growable array of one element type. */
struct vf_vec {
	void *p;
	size_t n, cap;
};

/* A folio and where its blocks sit in blks[] (invariant 2). */
struct vf_folio {
	struct viz_folio pub;
	uint32_t blk;     /* first block in blks[] */
	uint32_t blk_cap; /* blocks reserved there */
};

/* One block of a folio. */
struct vf_blk {
	size_t changed;
	uint8_t uptodate;
	uint8_t dirty;
};

/* Everything but the arrays; hashed byte for byte (minus step). */
struct vf_scalars {
	size_t step;
	enum viz_source src;
	unsigned lacks;
	char op[256];
	bool op_active;
	int64_t op_ret;
	size_t nr_ops;
	size_t nr_anomalies;
	/* dio_bio marks the next bio_submit *of the same thread* as the dio's. */
	struct {
		bool used;
		int32_t tid;
		int64_t dio;
	} pending_dio[VF_MAX_PENDING_DIO];
	/* The file range each recent dio's bios covered (dio_bio offset/size),
	 * for the extent conversion its dio_end_io reports; oldest reused. */
	struct {
		bool used;
		int64_t dio;
		uint64_t ino, lo, hi;
		size_t seen;
	} dio_range[VF_MAX_DIO_RANGES];
	size_t blk_garbage;
	struct viz_iter iter;
	/* An iomap_iter came back to the same pos, nothing done, with a
	 * mapping left: stale if a new mapping of that pos follows. */
	bool relookup;
	/* The last iomap_iter had length 0 and no mapping followed it: that
	 * iteration is over, and the next iomap_iter starts a new one. */
	bool iter_ended;
	/* An op_end was the last operation event: the next event that is not
	 * an op_begin belongs to no operation. */
	bool op_ended;
};

/* The arrays, with their element types, in one list for copy / hash / free. */
#define VF_VECS(X)                          \
	X(calls, struct viz_call)           \
	X(maps, struct viz_mapping)         \
	X(folios, struct vf_folio)          \
	X(blks, struct vf_blk)              \
	X(ioends, struct viz_ioend)         \
	X(bios, struct viz_bio)             \
	X(runs, struct viz_disk_run)        \
	X(works, struct viz_work)           \
	X(locks, struct viz_lock)           \
	X(classes, struct viz_lock_class)   \
	X(invs, struct viz_inversion)

struct viz_state {
	struct vf_scalars sc;
#define X(name, type) struct vf_vec name;
	VF_VECS(X)
#undef X
};

#define VEC_AT(v, type, i) (&((type *)(v).p)[i])

/* Make room for one more element at @at (shifting the tail), zeroed. */
static void *vec_insert(struct vf_vec *v, size_t size, size_t at)
{
	char *base;

	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 16;
		void *n = realloc(v->p, cap * size);

		if (!n)
			return NULL;
		v->p = n;
		v->cap = cap;
	}
	base = v->p;
	memmove(base + (at + 1) * size, base + at * size, (v->n - at) * size);
	memset(base + at * size, 0, size);
	v->n++;
	return base + at * size;
}

static void *vec_push(struct vf_vec *v, size_t size)
{
	return vec_insert(v, size, v->n);
}

static void vec_remove(struct vf_vec *v, size_t size, size_t at, size_t count)
{
	char *base = v->p;

	memmove(base + at * size, base + (at + count) * size, (v->n - at - count) * size);
	v->n -= count;
}

/* Copy and pad with NULs, which keeps invariant (3) for fixed buffers. */
static void set_str(char *dst, size_t size, const char *src)
{
	size_t n = src ? strnlen(src, size - 1) : 0;

	if (n)
		memcpy(dst, src, n);
	memset(dst + n, 0, size - n);
}

/* ---- life of a state ------------------------------------------------------ */

struct viz_state *vf_state_new(enum viz_source src)
{
	struct viz_state *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->sc.src = src;
	vf_state_reset(s);
	return s;
}

void vf_state_reset(struct viz_state *s)
{
	enum viz_source src = s->sc.src;

	memset(&s->sc, 0, sizeof(s->sc));
	s->sc.src = src;
	if (src == VIZ_SRC_KERNEL)
		s->sc.lacks = VIZ_LACKS_FOLIO_BITS | VIZ_LACKS_IOEND_CHAIN | VIZ_LACKS_LOCKS |
			      VIZ_LACKS_BIOS | VIZ_LACKS_FS_CALLS;
#define X(name, type) s->name.n = 0;
	VF_VECS(X)
#undef X
}

void vf_state_free(struct viz_state *s)
{
	if (!s)
		return;
#define X(name, type) free(s->name.p);
	VF_VECS(X)
#undef X
	free(s);
}

static int vec_copy(struct vf_vec *dst, const struct vf_vec *src, size_t size)
{
	if (dst->cap < src->n) {
		void *n = realloc(dst->p, src->n * size);

		if (!n)
			return -ENOMEM;
		dst->p = n;
		dst->cap = src->n;
	}
	if (src->n)
		memcpy(dst->p, src->p, src->n * size);
	dst->n = src->n;
	return 0;
}

int vf_state_copy(struct viz_state *dst, const struct viz_state *src)
{
	memcpy(&dst->sc, &src->sc, sizeof(dst->sc));
#define X(name, type)                                                   \
	if (vec_copy(&dst->name, &src->name, sizeof(type)) < 0) {       \
		vf_state_reset(dst);                                    \
		return -ENOMEM;                                         \
	}
	VF_VECS(X)
#undef X
	return 0;
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;

	for (size_t i = 0; i < n; i++) {
		h ^= c[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

uint64_t viz_state_hash(const struct viz_state *s)
{
	struct vf_scalars sc;
	uint64_t h = 0xcbf29ce484222325ull;

	memcpy(&sc, &s->sc, sizeof(sc));
	sc.step = 0;
	h = fnv(h, &sc, sizeof(sc));
#define X(name, type)                                             \
	h = fnv(h, &s->name.n, sizeof(s->name.n));                \
	if (s->name.n)                                            \
		h = fnv(h, s->name.p, s->name.n * sizeof(type));
	VF_VECS(X)
#undef X
	return h;
}

/* ---- the extent map and the disk runs --------------------------------------- */

static uint64_t end_of(uint64_t off, uint64_t len)
{
	return off + len < off ? UINT64_MAX : off + len;
}

/* (ino, offset) order of the extent map. */
static bool map_before(const struct viz_mapping *m, uint64_t ino, uint64_t off)
{
	return m->ino < ino || (m->ino == ino && end_of(m->offset, m->length) <= off);
}

/*
 * The first mapping not before (@ino, @off): a binary search, since the
 * map is sorted and its mappings do not overlap (invariant 1), so
 * map_before() holds for a prefix of it.
 */
static size_t map_lower(const struct viz_state *s, uint64_t ino, uint64_t off)
{
	size_t lo = 0, hi = s->maps.n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (map_before(VEC_AT(s->maps, struct viz_mapping, mid), ino, off))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Put @nm into the extent map; what it covers of older mappings goes. */
static int map_insert(struct viz_state *s, const struct viz_mapping *nm)
{
	struct viz_mapping left, right;
	uint64_t nend = end_of(nm->offset, nm->length);
	bool has_left = false, has_right = false;
	size_t j0, j1, n = s->maps.n;
	struct viz_mapping *m;

	if (!nm->length)
		return 0;
	j0 = map_lower(s, nm->ino, nm->offset);
	j1 = j0;
	while (j1 < n) {
		m = VEC_AT(s->maps, struct viz_mapping, j1);
		if (m->ino != nm->ino || m->offset >= nend)
			break;
		j1++;
	}
	if (j1 > j0) {
		const struct viz_mapping *first = VEC_AT(s->maps, struct viz_mapping, j0);
		const struct viz_mapping *last = VEC_AT(s->maps, struct viz_mapping, j1 - 1);
		uint64_t lend = end_of(last->offset, last->length);

		if (first->offset < nm->offset) {
			memcpy(&left, first, sizeof(left));
			left.length = nm->offset - first->offset;
			has_left = true;
		}
		if (lend > nend) {
			memcpy(&right, last, sizeof(right));
			right.offset = nend;
			right.length = lend - nend;
			if (right.addr != IOMAP_NULL_ADDR)
				right.addr += nend - last->offset;
			has_right = true;
		}
		vec_remove(&s->maps, sizeof(struct viz_mapping), j0, j1 - j0);
	}
	if (has_left) {
		m = vec_insert(&s->maps, sizeof(*m), j0++);
		if (!m)
			return -ENOMEM;
		memcpy(m, &left, sizeof(*m));
	}
	m = vec_insert(&s->maps, sizeof(*m), j0++);
	if (!m)
		return -ENOMEM;
	memcpy(m, nm, sizeof(*m));
	if (has_right) {
		m = vec_insert(&s->maps, sizeof(*m), j0);
		if (!m)
			return -ENOMEM;
		memcpy(m, &right, sizeof(*m));
	}
	return 0;
}

static bool run_same(const struct viz_disk_run *a, const struct viz_disk_run *b)
{
	return a->bio == b->bio && a->write == b->write && a->done == b->done &&
	       a->status == b->status && a->sector + a->nr_sectors == b->sector;
}

/*
 * The first disk run that ends after @sector: a binary search, since runs
 * are sorted by sector and do not overlap (invariant 1).
 */
static size_t run_lower(const struct viz_state *s, uint64_t sector)
{
	size_t lo = 0, hi = s->runs.n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct viz_disk_run *r = VEC_AT(s->runs, struct viz_disk_run, mid);

		if (end_of(r->sector, r->nr_sectors) <= sector)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Sectors a bio of @size bytes covers. */
static uint64_t bio_sectors(uint64_t size)
{
	return (size + SECTOR_SIZE - 1) >> SECTOR_SHIFT;
}

/* The bio @nr now owns its sectors; older runs are split or dropped. */
static int run_insert(struct viz_state *s, const struct viz_disk_run *nr)
{
	struct viz_disk_run left, right, *r;
	uint64_t nend = end_of(nr->sector, nr->nr_sectors);
	bool has_left = false, has_right = false;
	size_t j0 = run_lower(s, nr->sector), j1, n = s->runs.n;

	for (j1 = j0; j1 < n; j1++)
		if (VEC_AT(s->runs, struct viz_disk_run, j1)->sector >= nend)
			break;
	if (j1 > j0) {
		const struct viz_disk_run *first = VEC_AT(s->runs, struct viz_disk_run, j0);
		const struct viz_disk_run *last = VEC_AT(s->runs, struct viz_disk_run, j1 - 1);
		uint64_t lend = end_of(last->sector, last->nr_sectors);

		if (first->sector < nr->sector) {
			memcpy(&left, first, sizeof(left));
			left.nr_sectors = nr->sector - first->sector;
			has_left = true;
		}
		if (lend > nend) {
			memcpy(&right, last, sizeof(right));
			right.sector = nend;
			right.nr_sectors = lend - nend;
			has_right = true;
		}
		vec_remove(&s->runs, sizeof(struct viz_disk_run), j0, j1 - j0);
	}
	if (has_left) {
		r = vec_insert(&s->runs, sizeof(*r), j0++);
		if (!r)
			return -ENOMEM;
		memcpy(r, &left, sizeof(*r));
	}
	/* Merge with an adjacent run of the same bio, else insert. */
	if (j0 > 0 && run_same(VEC_AT(s->runs, struct viz_disk_run, j0 - 1), nr)) {
		VEC_AT(s->runs, struct viz_disk_run, j0 - 1)->nr_sectors += nr->nr_sectors;
	} else {
		r = vec_insert(&s->runs, sizeof(*r), j0++);
		if (!r)
			return -ENOMEM;
		memcpy(r, nr, sizeof(*r));
	}
	if (has_right) {
		r = vec_insert(&s->runs, sizeof(*r), j0);
		if (!r)
			return -ENOMEM;
		memcpy(r, &right, sizeof(*r));
	}
	return 0;
}

/* ---- folios ----------------------------------------------------------------- */

static long vf_folio_pos(const struct viz_state *s, uint64_t ino, uint64_t index, bool *found)
{
	size_t lo = 0, hi = s->folios.n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const struct viz_folio *f = &VEC_AT(s->folios, struct vf_folio, mid)->pub;

		if (f->ino < ino || (f->ino == ino && f->index < index))
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < s->folios.n && VEC_AT(s->folios, struct vf_folio, lo)->pub.ino == ino &&
		 VEC_AT(s->folios, struct vf_folio, lo)->pub.index == index;
	return (long)lo;
}

static struct vf_folio *vf_folio_get(struct viz_state *s, uint64_t ino, uint64_t index,
				  unsigned order, bool create, int *err)
{
	bool found;
	long at = vf_folio_pos(s, ino, index, &found);
	struct vf_folio *f;

	*err = 0;
	if (found)
		return VEC_AT(s->folios, struct vf_folio, at);
	if (!create)
		return NULL;
	f = vec_insert(&s->folios, sizeof(*f), (size_t)at);
	if (!f) {
		*err = -ENOMEM;
		return NULL;
	}
	f->pub.ino = ino;
	f->pub.index = index;
	f->pub.order = order;
	return f;
}

/* Rebuild blks[] without the regions no folio uses any more. */
static int blk_compact(struct viz_state *s)
{
	struct vf_vec nv = { 0 };

	for (size_t i = 0; i < s->folios.n; i++) {
		struct vf_folio *f = VEC_AT(s->folios, struct vf_folio, i);
		uint32_t at = (uint32_t)nv.n;

		for (uint32_t b = 0; b < f->blk_cap; b++) {
			struct vf_blk *nb = vec_push(&nv, sizeof(*nb));

			if (!nb) {
				free(nv.p);
				return -ENOMEM;
			}
			memcpy(nb, VEC_AT(s->blks, struct vf_blk, f->blk + b), sizeof(*nb));
		}
		f->blk = at;
	}
	free(s->blks.p);
	s->blks = nv;
	s->sc.blk_garbage = 0;
	return 0;
}

/* Give @f room for @nr blocks in blks[] (all clear if it moves). */
static int folio_reserve(struct viz_state *s, struct vf_folio *f, unsigned nr)
{
	uint32_t at;

	if (nr <= f->blk_cap) {
		f->pub.nr_blocks = nr;
		return 0;
	}
	s->sc.blk_garbage += f->blk_cap;
	at = (uint32_t)s->blks.n;
	for (unsigned b = 0; b < nr; b++)
		if (!vec_push(&s->blks, sizeof(struct vf_blk)))
			return -ENOMEM;
	f->blk = at;
	f->blk_cap = nr;
	f->pub.nr_blocks = nr;
	return 0;
}

static int folio_remove(struct viz_state *s, uint64_t ino, uint64_t index)
{
	bool found;
	long at = vf_folio_pos(s, ino, index, &found);

	if (!found)
		return 0;
	s->sc.blk_garbage += VEC_AT(s->folios, struct vf_folio, at)->blk_cap;
	vec_remove(&s->folios, sizeof(struct vf_folio), (size_t)at, 1);
	if (s->sc.blk_garbage > 4096 && s->sc.blk_garbage * 2 > s->blks.n)
		return blk_compact(s);
	return 0;
}

/* Whether the "A|B|C" list @list holds @flag. */
static bool flag_in(const char *list, const char *flag)
{
	size_t n = strlen(flag);

	while (*list) {
		size_t len = strcspn(list, "|");

		if (len == n && strncmp(list, flag, n) == 0)
			return true;
		list += len;
		if (*list == '|')
			list++;
	}
	return false;
}

static unsigned folio_flags_from_str(const char *str)
{
	static const struct {
		const char *name;
		unsigned bit;
	} names[] = {
		{ "uptodate", VIZ_FOLIO_UPTODATE }, { "dirty", VIZ_FOLIO_DIRTY },
		{ "locked", VIZ_FOLIO_LOCKED }, { "writeback", VIZ_FOLIO_WRITEBACK },
	};
	unsigned flags = 0;

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (flag_in(str, names[i].name))
			flags |= names[i].bit;
	return flags;
}

static unsigned folio_flags_from_pg(uint64_t pg)
{
	return (pg & (1u << PG_uptodate) ? VIZ_FOLIO_UPTODATE : 0) |
	       (pg & (1u << PG_dirty) ? VIZ_FOLIO_DIRTY : 0) |
	       (pg & (1u << PG_locked) ? VIZ_FOLIO_LOCKED : 0) |
	       (pg & (1u << PG_writeback) ? VIZ_FOLIO_WRITEBACK : 0);
}

static unsigned order_of_len(uint64_t len)
{
	unsigned order = 0;

	while (order < 20 && ((uint64_t)PAGE_SIZE << order) < len)
		order++;
	return order;
}

static int fold_folio_state(struct viz_state *s, const struct viz_store *st,
			    const struct vs_event *e, size_t now)
{
	const char *up = vs_str(st, e, "uptodate"), *dirty = vs_str(st, e, "dirty");
	int64_t order = vs_s64(st, e, "order");
	size_t nr = strlen(up), nd = strlen(dirty);
	struct vf_folio *f;
	int err;

	if (nr > VIZ_FOLIO_MAX_BLOCKS)
		nr = VIZ_FOLIO_MAX_BLOCKS;
	f = vf_folio_get(s, e->ino, vs_u64(st, e, "index"),
		      order < 0 || order > 20 ? 0 : (unsigned)order, true, &err);
	if (!f)
		return err;
	if (f->pub.nr_blocks != nr) {
		err = folio_reserve(s, f, (unsigned)nr);
		if (err)
			return err;
	}
	for (size_t b = 0; b < nr; b++) {
		struct vf_blk *blk = VEC_AT(s->blks, struct vf_blk, f->blk + b);
		uint8_t u = up[b] == '1', d = b < nd && dirty[b] == '1';

		if (blk->uptodate != u || blk->dirty != d || !blk->changed) {
			blk->uptodate = u;
			blk->dirty = d;
			blk->changed = now;
		}
	}
	f->pub.flags = folio_flags_from_str(vs_str(st, e, "flags"));
	f->pub.changed_step = now;
	set_str(f->pub.why, sizeof(f->pub.why), vs_str(st, e, "why"));
	return 0;
}

/* ---- the iterator ------------------------------------------------------------- */

static struct viz_call *call_push(struct viz_state *s, enum viz_call_kind kind,
				  const struct vs_event *e, size_t now)
{
	struct viz_call *c;

	if (s->calls.n >= VF_MAX_CALLS)
		vec_remove(&s->calls, sizeof(struct viz_call), 0, VF_DROP_CALLS);
	c = vec_push(&s->calls, sizeof(*c));
	if (!c)
		return NULL;
	c->kind = kind;
	c->ino = e->ino;
	c->step = now;
	return c;
}

static void map_from_event(struct viz_mapping *m, const struct viz_store *st,
			   const struct vs_event *e, size_t now)
{
	memset(m, 0, sizeof(*m));
	m->ino = e->ino;
	m->offset = vs_u64(st, e, "offset");
	m->length = vs_u64(st, e, "length");
	m->addr = vs_u64(st, e, "addr");
	m->type = (unsigned)vs_u64(st, e, "type");
	m->flags = (unsigned)vs_u64(st, e, "flags");
	m->step = now;
}

static void iter_reset_history(struct viz_state *s)
{
	s->calls.n = 0;
	s->sc.iter.nr_begin = 0;
	s->sc.iter.nr_stale = 0;
}

static int fold_iter(struct viz_state *s, const struct viz_store *st, const struct vs_event *e,
		     size_t now)
{
	struct viz_iter *it = &s->sc.iter;
	uint64_t pos = vs_u64(st, e, "pos"), length = vs_u64(st, e, "length");
	unsigned flags = (unsigned)vs_u64(st, e, "flags");
	int64_t status = vs_s64(st, e, "status");
	const char *caller = vs_str(st, e, "caller");
	/* The last iteration ended: this is a new call (sequential writes). */
	bool ended = it->active && s->sc.iter_ended;
	bool fresh = !it->active || it->ino != e->ino || it->flags != flags ||
		     strncmp(it->caller, caller, sizeof(it->caller) - 1) != 0 || pos < it->pos;
	struct viz_call *c;

	s->sc.relookup = false;
	/*
	 * In a kernel trace each iteration is an operation, and the store
	 * recorded which iomap_iter starts one (store.c, kiter_starts(): the
	 * rule above, plus one after an iteration that ended).  In a reference
	 * run the op_begin / op_end pair is the operation, and the calls it
	 * makes (one per 4 KiB of `pwrite -b 4k`) share its iterator.
	 */
	if (s->sc.src == VIZ_SRC_KERNEL)
		fresh = vs_starts_op(st, (size_t)(e - st->ev));
	s->sc.iter_ended = length == 0;
	if (fresh) {
		unsigned nr_begin = it->nr_begin, nr_stale = it->nr_stale;

		/* A kernel trace has no op_begin: each iteration is an operation. */
		if (s->sc.src == VIZ_SRC_KERNEL) {
			iter_reset_history(s);
			nr_begin = nr_stale = 0;
		}
		memset(it, 0, sizeof(*it));
		it->active = true;
		it->ino = e->ino;
		it->op_pos = pos;
		it->flags = flags;
		set_str(it->caller, sizeof(it->caller), caller);
		it->nr_begin = nr_begin;
		it->nr_stale = nr_stale;
	} else if (!ended && pos == it->pos && it->length != 0 && status == 0 && it->has_dstmap &&
		   !(it->dstmap.flags & IOMAP_F_STALE) && pos >= it->dstmap.offset &&
		   pos - it->dstmap.offset < it->dstmap.length) {
		/*
		 * Back at the same pos with the old mapping still covering it
		 * (->iomap_valid said no, or zeroing flushed a dirty hole, and
		 * the core set IOMAP_F_STALE, which it does not trace).  Only a
		 * new ->iomap_begin or mapping of this pos makes it a re-lookup:
		 * an operation that simply stopped here (seek found its answer)
		 * has none, and an fs_iomap_end that reports progress cancels
		 * it.  A new call of the same operation is no re-lookup: it
		 * follows an iomap_iter of length 0 (the last call's end), which
		 * `ended` and it->length != 0 rule out.
		 */
		s->sc.relookup = true;
	}
	if (end_of(pos, length) - it->op_pos > it->op_length)
		it->op_length = end_of(pos, length) - it->op_pos;
	it->pos = pos;
	it->length = length;
	c = call_push(s, VIZ_CALL_ITER, e, now);
	if (!c)
		return -ENOMEM;
	c->pos = pos;
	c->length = length;
	c->flags = flags;
	c->ret = status;
	set_str(c->ops, sizeof(c->ops), vs_str(st, e, "ops"));
	set_str(c->caller, sizeof(c->caller), caller);
	return 0;
}

/* A new mapping after a relookup-pending iomap_iter: count the stale. */
static int note_relookup(struct viz_state *s, const struct vs_event *e, size_t now)
{
	struct viz_iter *it = &s->sc.iter;
	struct viz_call *c;

	if (!s->sc.relookup)
		return 0;
	s->sc.relookup = false;
	c = call_push(s, VIZ_CALL_STALE, e, now);
	if (!c)
		return -ENOMEM;
	c->pos = it->pos;
	it->nr_stale++;
	return 0;
}

static int fold_map(struct viz_state *s, const struct viz_store *st, const struct vs_event *e,
		    size_t now, bool src)
{
	struct viz_iter *it = &s->sc.iter;
	struct viz_mapping m;
	struct viz_call *c;

	map_from_event(&m, st, e, now);
	if (!src)
		s->sc.iter_ended = false; /* the iteration goes on: a mapping came */
	if (!src && note_relookup(s, e, now) < 0)
		return -ENOMEM;
	if (!src && s->sc.src == VIZ_SRC_KERNEL) {
		/*
		 * The kernel does not trace ->iomap_begin: a dstmap implies one.
		 * It was asked for the iterator's range, not the mapping's (which
		 * may reach far past it), so show that, or 0 if the trace gave
		 * none, and mark the row inferred.
		 */
		c = call_push(s, VIZ_CALL_BEGIN, e, now);
		if (!c)
			return -ENOMEM;
		c->pos = it->pos;
		c->length = it->length;
		c->flags = it->flags;
		c->inferred = true;
		it->nr_begin++;
	}
	c = call_push(s, src ? VIZ_CALL_SRCMAP : VIZ_CALL_DSTMAP, e, now);
	if (!c)
		return -ENOMEM;
	c->pos = m.offset;
	c->length = m.length;
	c->flags = m.flags;
	memcpy(&c->map, &m, sizeof(m));
	if (src) {
		memcpy(&it->srcmap, &m, sizeof(m));
		it->has_srcmap = true;
		return 0;
	}
	memcpy(&it->dstmap, &m, sizeof(m));
	it->has_dstmap = true;
	it->has_srcmap = false;
	memset(&it->srcmap, 0, sizeof(it->srcmap));
	if (m.flags & IOMAP_F_STALE) {
		c = call_push(s, VIZ_CALL_STALE, e, now);
		if (!c)
			return -ENOMEM;
		c->pos = m.offset;
		c->length = m.length;
		c->flags = m.flags;
		it->nr_stale++;
	}
	return map_insert(s, &m);
}

static int fold_fs_call(struct viz_state *s, const struct viz_store *st,
			const struct vs_event *e, size_t now, enum viz_call_kind kind)
{
	struct viz_call *c;
	int64_t ret = vs_s64(st, e, "ret");

	/* Before this call joins the history: a re-lookup is noted first. */
	if (kind == VIZ_CALL_BEGIN && note_relookup(s, e, now) < 0)
		return -ENOMEM;
	/* ->iomap_end reporting progress: the iterator moved on, no re-lookup. */
	if (kind == VIZ_CALL_END && vs_s64(st, e, "written") > 0)
		s->sc.relookup = false;
	c = call_push(s, kind, e, now);
	if (!c)
		return -ENOMEM;
	c->pos = vs_u64(st, e, "pos");
	c->length = vs_u64(st, e, "length");
	c->flags = (unsigned)vs_u64(st, e, "flags");
	c->ret = kind == VIZ_CALL_END && ret == 0 ? vs_s64(st, e, "written") : ret;
	set_str(c->ops, sizeof(c->ops), vs_str(st, e, "ops"));
	if (kind == VIZ_CALL_BEGIN) {
		struct viz_iter *it = &s->sc.iter;

		it->nr_begin++;
		/*
		 * The first iomap_iter of an operation traces length 0 (nothing
		 * is mapped yet); ->iomap_begin is asked for the whole rest of
		 * the range, so that is where the operation's length shows.
		 */
		if (it->active && it->ino == e->ino && c->pos >= it->op_pos &&
		    end_of(c->pos, c->length) - it->op_pos > it->op_length)
			it->op_length = end_of(c->pos, c->length) - it->op_pos;
	}
	return 0;
}

/* ---- ioends, bios, works, locks ------------------------------------------------ */

/*
 * The arrows of the diagram at the top of this file; @error is the
 * ioend's status once the event is applied (SUBMITTED -> FINISHED is an
 * arrow only for an ioend that failed before its bio could run).
 */
static bool ioend_may_move(enum viz_ioend_stage from, enum viz_ioend_stage to, int64_t error)
{
	switch (to) {
	case VIZ_IOEND_BUILDING:
		return from == VIZ_IOEND_BUILDING;
	case VIZ_IOEND_SUBMITTED:
		return from == VIZ_IOEND_BUILDING;
	case VIZ_IOEND_COMPLETED:
		return from == VIZ_IOEND_SUBMITTED;
	case VIZ_IOEND_MERGED:
		return from == VIZ_IOEND_COMPLETED;
	case VIZ_IOEND_FINISHED:
		return (from == VIZ_IOEND_SUBMITTED && error != 0) ||
		       from == VIZ_IOEND_COMPLETED || from == VIZ_IOEND_MERGED;
	}
	return false;
}

/*
 * An UNWRITTEN ioend finished: the filesystem's end_io converted its
 * blocks, so what the extent map holds of [@off, @off + @len) of @ino as
 * UNWRITTEN becomes MAPPED and no longer NEW.  Each converted piece goes
 * in through map_insert(), which splits the old extent around it and
 * moves the address of the right-hand part as it does for any overlap.
 *
 * A COW ioend (@cow: SHARED|UNWRITTEN) is converted too, and its blocks
 * stop being SHARED (end_io moved them from the COW fork into the data
 * fork), but only where the extent map already holds the COW fork's
 * mapping for them, i.e. its address there is the ioend's (@sector).
 * Elsewhere the map shows something the stream does not tie to these
 * blocks, and it is left as it is.
 */
static int map_convert_written(struct viz_state *s, uint64_t ino, uint64_t off, uint64_t len,
			       bool cow, uint64_t sector, size_t now)
{
	uint64_t end = end_of(off, len), at = off;

	while (at < end) {
		struct viz_mapping piece;
		bool found = false;

		for (size_t i = 0; i < s->maps.n; i++) {
			const struct viz_mapping *m = VEC_AT(s->maps, struct viz_mapping, i);
			uint64_t mend = end_of(m->offset, m->length);

			if (m->ino != ino || mend <= at || m->offset >= end ||
			    m->type != IOMAP_UNWRITTEN)
				continue;
			memcpy(&piece, m, sizeof(piece));
			piece.offset = m->offset > at ? m->offset : at;
			piece.length = (mend < end ? mend : end) - piece.offset;
			if (piece.addr != IOMAP_NULL_ADDR)
				piece.addr += piece.offset - m->offset;
			if (cow && piece.addr != (sector << SECTOR_SHIFT) + (piece.offset - off)) {
				at = end_of(piece.offset, piece.length); /* not these blocks */
				continue;
			}
			found = true;
			break;
		}
		if (!found)
			return 0;
		piece.type = IOMAP_MAPPED;
		piece.flags &= ~(IOMAP_F_NEW | (cow ? IOMAP_F_SHARED : 0));
		piece.step = now;
		if (map_insert(s, &piece) < 0)
			return -ENOMEM;
		at = end_of(piece.offset, piece.length);
	}
	return 0;
}

/* Remember that dio @dio of @ino touched [@off, @off + @len) of the file. */
static void dio_range_grow(struct viz_state *s, int64_t dio, uint64_t ino, uint64_t off,
			   uint64_t len, size_t now)
{
	size_t k, oldest = 0;

	for (k = 0; k < VF_MAX_DIO_RANGES; k++)
		if (s->sc.dio_range[k].used && s->sc.dio_range[k].dio == dio &&
		    s->sc.dio_range[k].ino == ino)
			break;
	if (k == VF_MAX_DIO_RANGES) {
		for (k = 0; k < VF_MAX_DIO_RANGES; k++) {
			if (!s->sc.dio_range[k].used)
				break;
			if (s->sc.dio_range[k].seen < s->sc.dio_range[oldest].seen)
				oldest = k;
		}
		if (k == VF_MAX_DIO_RANGES)
			k = oldest;
		memset(&s->sc.dio_range[k], 0, sizeof(s->sc.dio_range[k]));
		s->sc.dio_range[k].used = true;
		s->sc.dio_range[k].dio = dio;
		s->sc.dio_range[k].ino = ino;
		s->sc.dio_range[k].lo = off;
		s->sc.dio_range[k].hi = end_of(off, len);
	}
	if (off < s->sc.dio_range[k].lo)
		s->sc.dio_range[k].lo = off;
	if (end_of(off, len) > s->sc.dio_range[k].hi)
		s->sc.dio_range[k].hi = end_of(off, len);
	s->sc.dio_range[k].seen = now;
}

/*
 * dio_end_io: the filesystem's ->end_io ran for a dio.  With IOMAP_DIO_UNWRITTEN
 * and no error it converted the unwritten blocks the dio wrote, so the
 * extent map shows them MAPPED from here on (as map_convert_written() does
 * for buffered ioends).  The range is the one the dio's bios covered.
 */
static int fold_dio_end_io(struct viz_state *s, const struct viz_store *st,
			   const struct vs_event *e, size_t now)
{
	int64_t dio = (int64_t)vs_u64(st, e, "dio");
	if (vs_s64(st, e, "error") != 0 || vs_s64(st, e, "ret") < 0 ||
	    !flag_in(vs_str(st, e, "flags"), "UNWRITTEN"))
		return 0;
	for (size_t k = 0; k < VF_MAX_DIO_RANGES; k++)
		if (s->sc.dio_range[k].used && s->sc.dio_range[k].dio == dio) {
			s->sc.dio_range[k].used = false;
			return map_convert_written(s, s->sc.dio_range[k].ino, s->sc.dio_range[k].lo,
						   s->sc.dio_range[k].hi - s->sc.dio_range[k].lo,
						   false, 0, now);
		}
	return 0;
}

static struct viz_ioend *ioend_find(struct viz_state *s, uint64_t id)
{
	for (size_t i = s->ioends.n; i-- > 0;) {
		struct viz_ioend *io = VEC_AT(s->ioends, struct viz_ioend, i);

		if (io->id == id)
			return io;
	}
	return NULL;
}

static int fold_ioend(struct viz_state *s, const struct viz_store *st, const struct vs_event *e,
		      size_t now, enum vs_kind kind)
{
	uint64_t id = vs_u64(st, e, "ioend");
	struct viz_ioend *io = kind == VK_IOEND_NEW ? NULL : ioend_find(s, id);
	enum viz_ioend_stage to = VIZ_IOEND_BUILDING;

	if (!io) {
		if (kind != VK_IOEND_NEW)
			s->sc.nr_anomalies++; /* an ioend the stream never created */
		io = vec_push(&s->ioends, sizeof(*io));
		if (!io)
			return -ENOMEM;
		io->id = id;
		io->into = -1;
		io->bio = -1;
		io->stage = VIZ_IOEND_BUILDING;
	}
	io->ino = e->ino;
	io->offset = vs_u64(st, e, "offset");
	io->size = vs_u64(st, e, "size");
	io->sector = vs_u64(st, e, "sector");
	set_str(io->flags, sizeof(io->flags), vs_str(st, e, "flags"));
	io->error = vs_s64(st, e, "error");
	io->changed_step = now;
	switch (kind) {
	case VK_IOEND_SUBMIT:
		to = VIZ_IOEND_SUBMITTED;
		io->nr_folios = (unsigned)vs_u64(st, e, "nr_folios");
		if (vs_s64(st, e, "status"))
			io->error = vs_s64(st, e, "status");
		break;
	case VK_IOEND_COMPLETE:
		to = VIZ_IOEND_COMPLETED;
		io->bio = (int64_t)vs_u64(st, e, "bio");
		break;
	case VK_IOEND_MERGE:
		to = VIZ_IOEND_MERGED;
		io->into = (int64_t)vs_u64(st, e, "into");
		break;
	case VK_IOEND_FINISH:
		to = VIZ_IOEND_FINISHED;
		break;
	default:
		to = VIZ_IOEND_BUILDING;
		break;
	}
	if (kind != VK_IOEND_NEW && !ioend_may_move(io->stage, to, io->error))
		s->sc.nr_anomalies++;
	io->stage = to;
	if (kind == VK_IOEND_FINISH && io->error == 0 && flag_in(io->flags, "UNWRITTEN"))
		return map_convert_written(s, io->ino, io->offset, io->size,
					   flag_in(io->flags, "SHARED"), io->sector, now);
	return 0;
}

/* dio_bio of thread @tid: its next bio_submit belongs to @dio. */
static void pending_dio_set(struct viz_state *s, int32_t tid, int64_t dio)
{
	size_t free_at = VF_MAX_PENDING_DIO;

	for (size_t i = 0; i < VF_MAX_PENDING_DIO; i++) {
		if (s->sc.pending_dio[i].used && s->sc.pending_dio[i].tid == tid) {
			s->sc.pending_dio[i].dio = dio;
			return;
		}
		if (!s->sc.pending_dio[i].used && free_at == VF_MAX_PENDING_DIO)
			free_at = i;
	}
	if (free_at == VF_MAX_PENDING_DIO)
		free_at = 0; /* more threads than slots: forget the oldest slot */
	s->sc.pending_dio[free_at].used = true;
	s->sc.pending_dio[free_at].tid = tid;
	s->sc.pending_dio[free_at].dio = dio;
}

/* The dio thread @tid's bio_submit belongs to (consumed), or -1. */
static int64_t pending_dio_take(struct viz_state *s, int32_t tid)
{
	for (size_t i = 0; i < VF_MAX_PENDING_DIO; i++) {
		if (s->sc.pending_dio[i].used && s->sc.pending_dio[i].tid == tid) {
			int64_t dio = s->sc.pending_dio[i].dio;

			s->sc.pending_dio[i].used = false;
			s->sc.pending_dio[i].tid = 0;
			s->sc.pending_dio[i].dio = 0;
			return dio;
		}
	}
	return -1;
}

static int fold_bio(struct viz_state *s, const struct viz_store *st, const struct vs_event *e,
		    size_t now, bool submit)
{
	uint64_t id = vs_u64(st, e, "id");
	struct viz_bio *b = NULL;
	size_t from = 0;

	if (submit) {
		const char *op = vs_str(st, e, "op");
		uint64_t size = vs_u64(st, e, "size");

		b = vec_push(&s->bios, sizeof(*b));
		if (!b)
			return -ENOMEM;
		b->id = id;
		set_str(b->op, sizeof(b->op), op);
		b->sector = vs_u64(st, e, "sector");
		b->size = size;
		b->dio = pending_dio_take(s, e->tid);
		b->changed_step = now;
		if (size && (strcmp(op, "WRITE") == 0 || strcmp(op, "READ") == 0)) {
			struct viz_disk_run r;

			memset(&r, 0, sizeof(r));
			r.sector = b->sector;
			r.nr_sectors = bio_sectors(size);
			r.bio = id;
			r.write = op[0] == 'W';
			r.changed_step = now;
			return run_insert(s, &r);
		}
		return 0;
	}
	for (size_t i = s->bios.n; i-- > 0;) {
		if (VEC_AT(s->bios, struct viz_bio, i)->id == id) {
			b = VEC_AT(s->bios, struct viz_bio, i);
			break;
		}
	}
	/*
	 * The bio's runs lie within the sectors it was submitted for (later
	 * bios only cut them), so only those runs are looked at; a completion
	 * whose submission was not seen looks at every run.
	 */
	if (b) {
		b->done = true;
		b->status = vs_s64(st, e, "status");
		b->changed_step = now;
		from = run_lower(s, b->sector);
	}
	for (size_t i = from; i < s->runs.n; i++) {
		struct viz_disk_run *r = VEC_AT(s->runs, struct viz_disk_run, i);

		if (b && r->sector >= end_of(b->sector, bio_sectors(b->size)))
			break;
		if (r->bio == id && !r->done) {
			r->done = true;
			r->status = vs_s64(st, e, "status"); /* a failed bio wrote nothing sure */
			r->changed_step = now;
		}
	}
	return 0;
}

static int fold_work(struct viz_state *s, const struct viz_store *st, const struct vs_event *e,
		     size_t now, enum viz_work_stage stage)
{
	const char *wq = vs_str(st, e, "wq"), *func = vs_str(st, e, "func");
	struct viz_work *w = NULL;

	if (stage > 0) {
		for (size_t i = 0; i < s->works.n; i++) {
			struct viz_work *c = VEC_AT(s->works, struct viz_work, i);

			if (c->stage == (int)stage - 1 && strncmp(c->wq, wq, sizeof(c->wq) - 1) == 0 &&
			    strncmp(c->func, func, sizeof(c->func) - 1) == 0) {
				w = c;
				break;
			}
		}
	}
	if (!w) {
		if (stage > VIZ_WORK_QUEUED)
			s->sc.nr_anomalies++; /* started / ended but never queued / started */
		w = vec_push(&s->works, sizeof(*w));
		if (!w)
			return -ENOMEM;
		set_str(w->wq, sizeof(w->wq), wq);
		set_str(w->func, sizeof(w->func), func);
	}
	w->stage = (int)stage;
	w->changed_step = now;
	return 0;
}

static struct viz_lock *lock_find(struct viz_state *s, int tid, uint64_t instance, size_t *at)
{
	for (size_t i = s->locks.n; i-- > 0;) {
		struct viz_lock *l = VEC_AT(s->locks, struct viz_lock, i);

		if (l->tid == tid && l->instance == instance) {
			if (at)
				*at = i;
			return l;
		}
	}
	return NULL;
}

static int lock_class_add(struct viz_state *s, const char *name, int level)
{
	size_t at = 0;
	struct viz_lock_class *c;

	for (size_t i = 0; i < s->classes.n; i++) {
		c = VEC_AT(s->classes, struct viz_lock_class, i);
		if (strncmp(c->name, name, sizeof(c->name) - 1) == 0)
			return 0;
	}
	/* After every class of a level <= @level: within a level, in order of first acquisition. */
	while (at < s->classes.n) {
		c = VEC_AT(s->classes, struct viz_lock_class, at);
		if (c->level > level)
			break;
		at++;
	}
	c = vec_insert(&s->classes, sizeof(*c), at);
	if (!c)
		return -ENOMEM;
	set_str(c->name, sizeof(c->name), name);
	c->level = level;
	return 0;
}

static int fold_lock(struct viz_state *s, const struct viz_store *st, const struct vs_event *e,
		     size_t now, enum vs_kind kind)
{
	uint64_t instance = vs_u64(st, e, "instance");
	struct viz_lock *l;
	size_t at;

	switch (kind) {
	case VK_LOCK_ACQUIRE:
		l = vec_push(&s->locks, sizeof(*l));
		if (!l)
			return -ENOMEM;
		l->tid = e->tid;
		set_str(l->task, sizeof(l->task), st->strs[e->task]);
		set_str(l->cls, sizeof(l->cls), vs_str(st, e, "class"));
		set_str(l->mode, sizeof(l->mode), vs_str(st, e, "mode"));
		l->instance = instance;
		l->level = (int)vs_s64(st, e, "level");
		l->stage = VIZ_LOCK_WAITING;
		l->changed_step = now;
		return lock_class_add(s, l->cls, l->level);
	case VK_LOCK_CONTENDED:
		l = lock_find(s, e->tid, instance, NULL);
		if (l) {
			l->contended = true;
			l->changed_step = now;
		}
		return 0;
	case VK_LOCK_ACQUIRED:
		l = lock_find(s, e->tid, instance, NULL);
		if (!l || l->stage != VIZ_LOCK_WAITING) {
			s->sc.nr_anomalies++; /* acquired without acquire */
			return 0;
		}
		l->stage = VIZ_LOCK_HELD;
		l->changed_step = now;
		return 0;
	case VK_LOCK_RELEASE:
		if (lock_find(s, e->tid, instance, &at))
			vec_remove(&s->locks, sizeof(struct viz_lock), at, 1);
		return 0;
	default:
		return 0;
	}
}

static int fold_inversion(struct viz_state *s, const struct viz_store *st,
			  const struct vs_event *e, size_t now)
{
	struct viz_inversion *inv = vec_push(&s->invs, sizeof(*inv));

	if (!inv)
		return -ENOMEM;
	set_str(inv->kind, sizeof(inv->kind), vs_str(st, e, "kind"));
	set_str(inv->established, sizeof(inv->established), vs_str(st, e, "established"));
	set_str(inv->inverted, sizeof(inv->inverted), vs_str(st, e, "inverted"));
	inv->step = now;
	return 0;
}

/* ---- operations and the dispatcher ---------------------------------------------- */

/*
 * Start afresh what belongs to one operation (at op_begin, and at the
 * first event after an op_end): the call history and the iterator go;
 * finished ioends, completed bios and finished works go, but what is still
 * in flight (an async writeback's bios and its end_io work, an ioend not
 * yet finished) stays, since a later event will complete it.
 */
static void op_reset_parts(struct viz_state *s)
{
	size_t keep = 0;
	uint64_t ino;

	/* Keep the inode, so the extent map stays on screen until the next iterator. */
	ino = s->sc.iter.ino;
	memset(&s->sc.iter, 0, sizeof(s->sc.iter));
	s->sc.iter.ino = ino;
	s->sc.relookup = false;
	s->sc.iter_ended = false;
	memset(s->sc.pending_dio, 0, sizeof(s->sc.pending_dio));
	s->calls.n = 0;
	for (size_t i = 0; i < s->bios.n; i++) {
		struct viz_bio *b = VEC_AT(s->bios, struct viz_bio, i);

		if (!b->done)
			memmove(VEC_AT(s->bios, struct viz_bio, keep++), b, sizeof(*b));
	}
	s->bios.n = keep;
	keep = 0;
	for (size_t i = 0; i < s->works.n; i++) {
		struct viz_work *w = VEC_AT(s->works, struct viz_work, i);

		if (w->stage < VIZ_WORK_DONE)
			memmove(VEC_AT(s->works, struct viz_work, keep++), w, sizeof(*w));
	}
	s->works.n = keep;
	keep = 0;
	for (size_t i = 0; i < s->ioends.n; i++) {
		struct viz_ioend *io = VEC_AT(s->ioends, struct viz_ioend, i);

		if (io->stage != VIZ_IOEND_FINISHED)
			memmove(VEC_AT(s->ioends, struct viz_ioend, keep++), io, sizeof(*io));
	}
	s->ioends.n = keep;
}

static void fold_op_begin(struct viz_state *s, const struct viz_store *st,
			  const struct vs_event *e)
{
	set_str(s->sc.op, sizeof(s->sc.op), vs_str(st, e, "op"));
	s->sc.op_active = true;
	s->sc.op_ended = false;
	s->sc.nr_ops++;
	op_reset_parts(s);
}

/* Kernel stores: what iomap_writeback_folio / _release / _invalidate imply. */
static int fold_kernel_folio(struct viz_state *s, const struct viz_store *st,
			     const struct vs_event *e, size_t now, enum vs_kind kind)
{
	uint64_t off = vs_u64(st, e, "offset"), len = vs_u64(st, e, "length");
	struct vf_folio *f;
	int err;

	if (off % PAGE_SIZE)
		return 0;
	if (kind != VK_WRITEBACK_FOLIO) {
		f = vf_folio_get(s, e->ino, off / PAGE_SIZE, 0, false, &err);
		/* Only a whole-folio release or invalidate drops it. */
		if (f && len >= ((uint64_t)PAGE_SIZE << f->pub.order))
			return folio_remove(s, e->ino, off / PAGE_SIZE);
		return 0;
	}
	f = vf_folio_get(s, e->ino, off / PAGE_SIZE, order_of_len(len), true, &err);
	if (!f)
		return err;
	f->pub.flags = VIZ_FOLIO_UPTODATE;
	f->pub.changed_step = now;
	set_str(f->pub.why, sizeof(f->pub.why), "writeback");
	return 0;
}

int vf_apply(struct viz_state *s, const struct viz_store *st, size_t i)
{
	const struct vs_event *e = &st->ev[i];
	size_t now = i + 1;
	struct vf_folio *f;
	int ret = 0;

	/*
	 * The first event after an op_end that starts no new operation (the
	 * writeback of an unmount, say) belongs to none: the finished
	 * operation's text and parts leave the screen before it is applied.
	 */
	if (s->sc.op_ended && e->kind != VK_OP_BEGIN) {
		s->sc.op_ended = false;
		set_str(s->sc.op, sizeof(s->sc.op), "");
		op_reset_parts(s);
	}
	switch ((enum vs_kind)e->kind) {
	case VK_OP_BEGIN:
		fold_op_begin(s, st, e);
		break;
	case VK_OP_END:
		s->sc.op_active = false;
		s->sc.op_ret = vs_s64(st, e, "ret");
		s->sc.iter.active = false;
		s->sc.op_ended = true;
		break;
	case VK_ITER:
		ret = fold_iter(s, st, e, now);
		break;
	case VK_DSTMAP:
	case VK_SRCMAP:
		ret = fold_map(s, st, e, now, e->kind == VK_SRCMAP);
		break;
	case VK_FS_BEGIN:
		ret = fold_fs_call(s, st, e, now, VIZ_CALL_BEGIN);
		break;
	case VK_FS_BEGIN_DONE:
		ret = fold_fs_call(s, st, e, now, VIZ_CALL_BEGIN_DONE);
		break;
	case VK_FS_END:
		ret = fold_fs_call(s, st, e, now, VIZ_CALL_END);
		break;
	case VK_ADD_TO_IOEND: {
		/*
		 * Writeback asks for mappings too, through ->map_blocks rather
		 * than the iterator: show the answer as a call row of the
		 * operation (the fsync) and in the extent map.
		 */
		struct viz_mapping m;
		struct viz_call *c;

		map_from_event(&m, st, e, now);
		c = call_push(s, VIZ_CALL_MAP_BLOCKS, e, now);
		if (!c) {
			ret = -ENOMEM;
			break;
		}
		c->pos = vs_u64(st, e, "pos");
		c->length = vs_u64(st, e, "dirty_len");
		c->flags = m.flags;
		memcpy(&c->map, &m, sizeof(m));
		ret = map_insert(s, &m);
		break;
	}
	case VK_WRITEBACK_FOLIO:
	case VK_RELEASE_FOLIO:
	case VK_INVALIDATE_FOLIO:
		if (s->sc.src == VIZ_SRC_KERNEL)
			ret = fold_kernel_folio(s, st, e, now, (enum vs_kind)e->kind);
		break;
	case VK_FOLIO_ADD:
		f = vf_folio_get(s, e->ino, vs_u64(st, e, "index"),
			      (unsigned)(vs_u64(st, e, "order") & 31), true, &ret);
		if (f)
			f->pub.changed_step = now;
		break;
	case VK_FOLIO_REMOVE:
		ret = folio_remove(s, e->ino, vs_u64(st, e, "index"));
		break;
	case VK_FOLIO_FLAGS:
		f = vf_folio_get(s, e->ino, vs_u64(st, e, "index"), 0, false, &ret);
		if (f) {
			f->pub.flags = folio_flags_from_pg(vs_u64(st, e, "flags"));
			f->pub.changed_step = now;
		}
		break;
	case VK_FOLIO_STATE:
		ret = fold_folio_state(s, st, e, now);
		break;
	case VK_IOEND_NEW:
	case VK_IOEND_GROW:
	case VK_IOEND_SUBMIT:
	case VK_IOEND_COMPLETE:
	case VK_IOEND_MERGE:
	case VK_IOEND_FINISH:
		ret = fold_ioend(s, st, e, now, (enum vs_kind)e->kind);
		break;
	case VK_BIO_SUBMIT:
	case VK_BIO_COMPLETE:
		ret = fold_bio(s, st, e, now, e->kind == VK_BIO_SUBMIT);
		break;
	case VK_DIO_BIO:
		pending_dio_set(s, e->tid, (int64_t)vs_u64(st, e, "dio"));
		dio_range_grow(s, (int64_t)vs_u64(st, e, "dio"), e->ino, vs_u64(st, e, "offset"),
			       vs_u64(st, e, "size"), now);
		break;
	case VK_DIO_END_IO:
		ret = fold_dio_end_io(s, st, e, now);
		break;
	case VK_WORK_QUEUE:
		ret = fold_work(s, st, e, now, VIZ_WORK_QUEUED);
		break;
	case VK_WORK_START:
		ret = fold_work(s, st, e, now, VIZ_WORK_RUNNING);
		break;
	case VK_WORK_END:
		ret = fold_work(s, st, e, now, VIZ_WORK_DONE);
		break;
	case VK_LOCK_ACQUIRE:
	case VK_LOCK_CONTENDED:
	case VK_LOCK_ACQUIRED:
	case VK_LOCK_RELEASE:
		ret = fold_lock(s, st, e, now, (enum vs_kind)e->kind);
		break;
	case VK_LOCKDEP_INVERSION:
		ret = fold_inversion(s, st, e, now);
		break;
	case VK_OTHER:
	default:
		break;
	}
	s->sc.step = now;
	return ret;
}

/* ---- accessors -------------------------------------------------------------------- */

size_t viz_state_step(const struct viz_state *s)
{
	return s->sc.step;
}

unsigned viz_state_lacks(const struct viz_state *s)
{
	return s->sc.lacks;
}

const char *viz_state_op(const struct viz_state *s)
{
	return s->sc.op;
}

bool viz_state_op_active(const struct viz_state *s)
{
	return s->sc.op_active;
}

int64_t viz_state_op_ret(const struct viz_state *s)
{
	return s->sc.op_ret;
}

size_t viz_state_nr_ops(const struct viz_state *s)
{
	return s->sc.nr_ops;
}

size_t viz_state_nr_anomalies(const struct viz_state *s)
{
	return s->sc.nr_anomalies;
}

const struct viz_iter *viz_state_iter(const struct viz_state *s)
{
	return &s->sc.iter;
}

size_t viz_state_nr_calls(const struct viz_state *s)
{
	return s->calls.n;
}

const struct viz_call *viz_state_call(const struct viz_state *s, size_t i)
{
	return i < s->calls.n ? VEC_AT(s->calls, struct viz_call, i) : NULL;
}

/* The mappings of the current iterator's inode: [*first, *first + return). */
static size_t maps_of_ino(const struct viz_state *s, size_t *first)
{
	uint64_t ino = s->sc.iter.ino;
	size_t lo = 0, hi = s->maps.n, end;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (VEC_AT(s->maps, struct viz_mapping, mid)->ino < ino)
			lo = mid + 1;
		else
			hi = mid;
	}
	*first = lo;
	for (end = lo, hi = s->maps.n; end < hi;) {
		size_t mid = (end + hi) / 2;

		if (VEC_AT(s->maps, struct viz_mapping, mid)->ino <= ino)
			end = mid + 1;
		else
			hi = mid;
	}
	return end - lo;
}

size_t viz_state_nr_mappings(const struct viz_state *s)
{
	size_t first;

	return maps_of_ino(s, &first);
}

const struct viz_mapping *viz_state_mapping(const struct viz_state *s, size_t i)
{
	size_t first, n = maps_of_ino(s, &first);

	return i < n ? VEC_AT(s->maps, struct viz_mapping, first + i) : NULL;
}

size_t viz_state_nr_folios(const struct viz_state *s)
{
	return s->folios.n;
}

const struct viz_folio *viz_state_folio(const struct viz_state *s, size_t i)
{
	return i < s->folios.n ? &VEC_AT(s->folios, struct vf_folio, i)->pub : NULL;
}

long viz_state_find_folio(const struct viz_state *s, uint64_t ino, uint64_t index)
{
	bool found;
	long at = vf_folio_pos(s, ino, index, &found);

	return found ? at : -1;
}

static const struct vf_blk *folio_blk(const struct viz_state *s, size_t i, unsigned blk)
{
	const struct vf_folio *f;

	if (i >= s->folios.n)
		return NULL;
	f = VEC_AT(s->folios, struct vf_folio, i);
	return blk < f->pub.nr_blocks ? VEC_AT(s->blks, struct vf_blk, f->blk + blk) : NULL;
}

bool viz_folio_block_uptodate(const struct viz_state *s, size_t i, unsigned blk)
{
	const struct vf_blk *b = folio_blk(s, i, blk);

	return b && b->uptodate;
}

bool viz_folio_block_dirty(const struct viz_state *s, size_t i, unsigned blk)
{
	const struct vf_blk *b = folio_blk(s, i, blk);

	return b && b->dirty;
}

size_t viz_folio_block_changed(const struct viz_state *s, size_t i, unsigned blk)
{
	const struct vf_blk *b = folio_blk(s, i, blk);

	return b ? b->changed : 0;
}

size_t viz_state_nr_ioends(const struct viz_state *s)
{
	return s->ioends.n;
}

const struct viz_ioend *viz_state_ioend(const struct viz_state *s, size_t i)
{
	return i < s->ioends.n ? VEC_AT(s->ioends, struct viz_ioend, i) : NULL;
}

size_t viz_state_nr_bios(const struct viz_state *s)
{
	return s->bios.n;
}

const struct viz_bio *viz_state_bio(const struct viz_state *s, size_t i)
{
	return i < s->bios.n ? VEC_AT(s->bios, struct viz_bio, i) : NULL;
}

size_t viz_state_nr_disk_runs(const struct viz_state *s)
{
	return s->runs.n;
}

const struct viz_disk_run *viz_state_disk_run(const struct viz_state *s, size_t i)
{
	return i < s->runs.n ? VEC_AT(s->runs, struct viz_disk_run, i) : NULL;
}

size_t viz_state_nr_works(const struct viz_state *s)
{
	return s->works.n;
}

const struct viz_work *viz_state_work(const struct viz_state *s, size_t i)
{
	return i < s->works.n ? VEC_AT(s->works, struct viz_work, i) : NULL;
}

size_t viz_state_nr_locks(const struct viz_state *s)
{
	return s->locks.n;
}

const struct viz_lock *viz_state_lock(const struct viz_state *s, size_t i)
{
	return i < s->locks.n ? VEC_AT(s->locks, struct viz_lock, i) : NULL;
}

size_t viz_state_nr_lock_classes(const struct viz_state *s)
{
	return s->classes.n;
}

const struct viz_lock_class *viz_state_lock_class(const struct viz_state *s, size_t i)
{
	return i < s->classes.n ? VEC_AT(s->classes, struct viz_lock_class, i) : NULL;
}

size_t viz_state_nr_inversions(const struct viz_state *s)
{
	return s->invs.n;
}

const struct viz_inversion *viz_state_inversion(const struct viz_state *s, size_t i)
{
	return i < s->invs.n ? VEC_AT(s->invs, struct viz_inversion, i) : NULL;
}
