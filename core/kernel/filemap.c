/**
 * @file filemap.c
 * @brief The page cache of one inode: the folio index, lookup and creation,
 *        writeback and wait, error reporting, seek, truncation and
 *        invalidation (mm/filemap.c, mm/truncate.c, mm/page-writeback.c).
 *
 * How to use: __filemap_get_folio() finds or creates the folio covering a
 * page index and returns it with a reference (and locked with FGP_LOCK);
 * filemap_write_and_wait_range() is fsync's data half; its two halves,
 * filemap_fdatawrite_range() and its _kick variant (start writeback, do
 * not wait) and filemap_fdatawait_range() / file_fdatawait_range() (wait,
 * report), are what sync_file_range(2) calls separately; truncate and
 * invalidation remove folios under invalidate_lock held exclusive.
 *
 * The index.  The kernel keeps folios in an XArray; here they sit in an AVL
 * tree keyed by the folio's first page index.  A folio of order k covers
 * pages [index, index + 2^k), so the folio covering page p is the one with
 * the greatest key <= p, if that folio reaches p.  Example, a mapping with
 * folios of 1, 4, 1 and 2 pages:
 *
 *      page:  0   1   2   3   4   5   6   7   8   9  10  11  12
 *            [a] [--------b------]         [c]         [--d---]
 *
 *                          (4) b            keys = first page index;
 *                         /     \           each node is balanced:
 *                    (0) a      (8) c       |height(left) - height(right)| <= 1
 *                                  \        so lookup, insert and remove
 *                                  (11) d   are O(log n)
 *
 *   lookup(6): greatest key <= 6 is b (4), and 6 < 4 + 4: b covers it.
 *   lookup(9): greatest key <= 9 is c (8), and 9 >= 8 + 1: a hole.
 *
 * Folio orders when creating (__filemap_get_folio, as the kernel does it):
 * a large order is asked for, then reduced until the folio starts exactly
 * at `index` (index % 2^order == 0, i.e. natural alignment) and overlaps no
 * folio already present; order 0 always fits because `index` itself was
 * found uncovered.  Only a mapping with AS_LARGE_FOLIO_SUPPORT gets
 * order > 0.
 *
 * Invariants of the index (checked by filemap_index_check()):
 *   (I1) keys in order, folios do not overlap;
 *   (I2) AVL balance and correct heights;
 *   (I3) `nrpages` is the sum of the indexed folios' pages;
 *   (I4) every indexed folio has `mapping` == this mapping and `tree_node`
 *        == its node, and holds one reference owned by the cache.
 *
 * A caller must never: insert folios (create with FGP_CREAT) without
 * invalidate_lock held at least shared while another thread may truncate;
 * remove folios below EOF without invalidate_lock held exclusive
 * (design.rst); call these with i_pages_lock held.
 *
 * Locking: `mapping->i_pages_lock` protects the tree, `nrpages` and each
 * folio's `mapping`/`index`/`tree_node`; it is a leaf lock (nothing is
 * taken inside it except a brand-new folio's lock and the event stream's
 * lock).  Folio contents are protected by the folio lock (folio.c).
 * `mapping->flags` and `wb_err` are atomics.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <iomap/bio.h>
#include <iomap/fs.h>
#include <iomap/pagecache.h>
#include <iomap/trace.h>

#include "mm-internal.h"

/** One node of the index: a folio and its two subtrees. */
struct pc_node {
	struct folio *folio;   /**< the folio; its index is the key */
	struct pc_node *left;  /**< folios below */
	struct pc_node *right; /**< folios above */
	int height;            /**< 1 for a leaf */
};

/* ---------------------------------------------------------------------- */
/* Events                                                                  */
/* ---------------------------------------------------------------------- */

static void trace_mapping_folio(const char *name, struct address_space *mapping,
				pgoff_t index, unsigned order)
{
	struct inode *host = mapping->host;
	struct trace_event ev;

	if (!trace_enabled())
		return;
	trace_event_init(&ev, name, host && host->i_sb ? host->i_sb->s_dev : 0,
			 host ? host->i_ino : 0);
	trace_u64(&ev, "index", index);
	trace_s64(&ev, "order", order);
	trace_emit(&ev);
}

/* ---------------------------------------------------------------------- */
/* The AVL index                                                           */
/* ---------------------------------------------------------------------- */

static pgoff_t node_key(const struct pc_node *n)
{
	return n->folio->index;
}

/* Last page index covered by a folio. */
static pgoff_t folio_last_index(const struct folio *folio)
{
	return folio->index + folio_nr_pages(folio) - 1;
}

static int node_height(const struct pc_node *n)
{
	return n ? n->height : 0;
}

static void node_update(struct pc_node *n)
{
	int l = node_height(n->left), r = node_height(n->right);

	n->height = (l > r ? l : r) + 1;
}

/*
 *       n              l
 *      / \            / \
 *     l   c   -->    a   n
 *    / \                / \
 *   a   b              b   c
 */
static struct pc_node *rotate_right(struct pc_node *n)
{
	struct pc_node *l = n->left;

	n->left = l->right;
	l->right = n;
	node_update(n);
	node_update(l);
	return l;
}

/* The mirror image of rotate_right(). */
static struct pc_node *rotate_left(struct pc_node *n)
{
	struct pc_node *r = n->right;

	n->right = r->left;
	r->left = n;
	node_update(n);
	node_update(r);
	return r;
}

/* Restore (I2) at @n after one of its subtrees changed height by one. */
static struct pc_node *node_balance(struct pc_node *n)
{
	int bf;

	node_update(n);
	bf = node_height(n->left) - node_height(n->right);
	if (bf > 1) {
		if (node_height(n->left->left) < node_height(n->left->right))
			n->left = rotate_left(n->left); /* left-right case */
		return rotate_right(n);
	}
	if (bf < -1) {
		if (node_height(n->right->right) < node_height(n->right->left))
			n->right = rotate_right(n->right); /* right-left case */
		return rotate_left(n);
	}
	return n;
}

static struct pc_node *tree_insert(struct pc_node *n, struct pc_node *new)
{
	if (!n)
		return new;
	if (node_key(new) < node_key(n))
		n->left = tree_insert(n->left, new);
	else
		n->right = tree_insert(n->right, new);
	return node_balance(n);
}

/* Unlink the smallest node of @n into *@min; returns the new subtree. */
static struct pc_node *tree_unlink_min(struct pc_node *n, struct pc_node **min)
{
	if (!n->left) {
		*min = n;
		return n->right;
	}
	n->left = tree_unlink_min(n->left, min);
	return node_balance(n);
}

/*
 * Unlink the node keyed @key (it exists).  A node with two children is
 * replaced by its successor *node* (relinked, not copied), so that every
 * folio's `tree_node` stays valid.
 */
static struct pc_node *tree_remove(struct pc_node *n, pgoff_t key)
{
	struct pc_node *l, *r, *succ;

	if (key < node_key(n)) {
		n->left = tree_remove(n->left, key);
		return node_balance(n);
	}
	if (key > node_key(n)) {
		n->right = tree_remove(n->right, key);
		return node_balance(n);
	}
	l = n->left;
	r = n->right;
	if (!r)
		return l;
	r = tree_unlink_min(r, &succ);
	succ->left = l;
	succ->right = r;
	return node_balance(succ);
}

/* Node with the greatest key <= @index, or NULL. */
static struct pc_node *tree_floor(struct pc_node *n, pgoff_t index)
{
	struct pc_node *best = NULL;

	while (n) {
		if (node_key(n) <= index) {
			best = n;
			n = n->right;
		} else {
			n = n->left;
		}
	}
	return best;
}

/* Node with the smallest key >= @index, or NULL. */
static struct pc_node *tree_ceil(struct pc_node *n, pgoff_t index)
{
	struct pc_node *best = NULL;

	while (n) {
		if (node_key(n) >= index) {
			best = n;
			n = n->left;
		} else {
			n = n->right;
		}
	}
	return best;
}

/* First folio covering a page in [@start, @last].  Caller holds i_pages_lock. */
static struct folio *index_find_range(struct address_space *mapping, pgoff_t start,
				      pgoff_t last)
{
	struct pc_node *root = mapping->i_pages;
	struct pc_node *n = tree_floor(root, start);

	if (start > last)
		return NULL;
	if (n && folio_last_index(n->folio) >= start)
		return n->folio;
	n = tree_ceil(root, start);
	if (n && node_key(n) <= last)
		return n->folio;
	return NULL;
}

/* Put @folio into the index.  Caller holds i_pages_lock; @folio's range is free. */
static int index_insert(struct address_space *mapping, struct folio *folio)
{
	struct pc_node *node = calloc(1, sizeof(*node));

	if (!node)
		return -ENOMEM;
	node->folio = folio;
	node->height = 1;
	mapping->i_pages = tree_insert(mapping->i_pages, node);
	folio->tree_node = node;
	__atomic_store_n(&folio->mapping, mapping, __ATOMIC_RELEASE);
	mapping->nrpages += folio_nr_pages(folio);
	return 0;
}

/* Take @folio out of the index.  Caller holds i_pages_lock. */
static void index_remove(struct address_space *mapping, struct folio *folio)
{
	struct pc_node *node = folio->tree_node;

	mapping->i_pages = tree_remove(mapping->i_pages, folio->index);
	free(node);
	folio->tree_node = NULL;
	__atomic_store_n(&folio->mapping, NULL, __ATOMIC_RELEASE);
	mapping->nrpages -= folio_nr_pages(folio);
}

/* Recursive worker of filemap_index_check(); returns the height or -1.
 * *@prev_last is the last page of the previous folio in order (or -1). */
static int check_subtree(struct address_space *mapping, const struct pc_node *n,
			 int64_t *prev_last, unsigned long *pages)
{
	int hl, hr;

	if (!n)
		return 0;
	hl = check_subtree(mapping, n->left, prev_last, pages);
	if (hl < 0)
		return -1;
	if ((int64_t)node_key(n) <= *prev_last)                      /* (I1) */
		return -1;
	if (n->folio->mapping != mapping || n->folio->tree_node != n) /* (I4) */
		return -1;
	if (n->folio->index & (folio_nr_pages(n->folio) - 1))
		return -1;
	*prev_last = (int64_t)folio_last_index(n->folio);
	*pages += folio_nr_pages(n->folio);
	hr = check_subtree(mapping, n->right, prev_last, pages);
	if (hr < 0)
		return -1;
	if (hl - hr > 1 || hr - hl > 1 || n->height != (hl > hr ? hl : hr) + 1) /* (I2) */
		return -1;
	return n->height;
}

int filemap_index_check(struct address_space *mapping)
{
	int64_t prev_last = -1;
	unsigned long pages = 0;
	int h;

	pthread_mutex_lock(&mapping->i_pages_lock);
	h = check_subtree(mapping, mapping->i_pages, &prev_last, &pages);
	if (h >= 0 && pages != mapping->nrpages) /* (I3) */
		h = -1;
	pthread_mutex_unlock(&mapping->i_pages_lock);
	return h < 0 ? -EUCLEAN : h;
}

/* ---------------------------------------------------------------------- */
/* The address_space                                                       */
/* ---------------------------------------------------------------------- */

void address_space_init(struct address_space *mapping, struct inode *host)
{
	mapping->host = host;
	init_rwsem(&mapping->invalidate_lock, &invalidate_lock_class, "invalidate_lock");
	pthread_mutex_init(&mapping->i_pages_lock, NULL);
	mapping->i_pages = NULL;
	mapping->nrpages = 0;
	mapping->wb_err = 0;
	mapping->flags = 0;
	mapping->a_ops = NULL;
}

void mapping_set_large_folios(struct address_space *mapping)
{
	__atomic_or_fetch(&mapping->flags, AS_LARGE_FOLIO_SUPPORT, __ATOMIC_RELAXED);
}

/* Remove @folio if still in @mapping, dropping the cache's reference.
 * Mirrors __filemap_remove_folio() + filemap_free_folio(). */
static void remove_folio(struct address_space *mapping, struct folio *folio)
{
	pgoff_t index;
	unsigned order;

	pthread_mutex_lock(&mapping->i_pages_lock);
	if (folio->mapping != mapping) { /* someone else removed it first */
		pthread_mutex_unlock(&mapping->i_pages_lock);
		return;
	}
	index = folio->index;
	order = folio->order;
	index_remove(mapping, folio);
	pthread_mutex_unlock(&mapping->i_pages_lock);
	/* Removed data is discarded, so it is no longer dirty (the kernel's
	 * folio_cancel_dirty()). */
	folio_clear_dirty_for_io(folio);
	trace_mapping_folio("folio_remove", mapping, index, order);
	folio_put(folio); /* the page cache's reference, (I4) */
}

void filemap_remove_folio(struct folio *folio)
{
	struct address_space *mapping = __atomic_load_n(&folio->mapping, __ATOMIC_ACQUIRE);

	if (mapping)
		remove_folio(mapping, folio);
}

/* Mirrors truncate_inode_pages_final(): every folio goes, after writeback. */
void address_space_destroy(struct address_space *mapping)
{
	for (;;) {
		struct folio *folio;

		pthread_mutex_lock(&mapping->i_pages_lock);
		folio = mapping->i_pages ? ((struct pc_node *)mapping->i_pages)->folio : NULL;
		if (folio)
			folio_get(folio);
		pthread_mutex_unlock(&mapping->i_pages_lock);
		if (!folio)
			break;
		folio_wait_writeback(folio);
		if (folio->private && mapping->a_ops && mapping->a_ops->invalidate_folio)
			mapping->a_ops->invalidate_folio(folio, 0, folio_size(folio));
		remove_folio(mapping, folio);
		folio_put(folio);
	}
	pthread_mutex_destroy(&mapping->i_pages_lock);
	rwsem_destroy(&mapping->invalidate_lock);
}

/* ---------------------------------------------------------------------- */
/* Lookup and creation                                                     */
/* ---------------------------------------------------------------------- */

/*
 * The order of a folio to create at @index: the kernel's clamping in
 * __filemap_get_folio() (reduce to the mapping's limit, then to the
 * alignment of @index) plus its retry of smaller orders when
 * filemap_add_folio() finds the range occupied (-EEXIST).
 * Caller holds i_pages_lock; page @index is not covered.
 */
static unsigned clamp_order(struct address_space *mapping, pgoff_t index, unsigned order)
{
	if (!(__atomic_load_n(&mapping->flags, __ATOMIC_RELAXED) & AS_LARGE_FOLIO_SUPPORT))
		return 0;
	if (order > MAX_PAGECACHE_ORDER)
		order = MAX_PAGECACHE_ORDER;
	if (index & ((1ul << order) - 1))
		order = (unsigned)__builtin_ctzll(index); /* index != 0 here */
	while (order > 0 && index_find_range(mapping, index, index + (1ul << order) - 1))
		order--;
	return order;
}

int __filemap_get_folio(struct address_space *mapping, pgoff_t index, unsigned fgp,
			unsigned order, struct folio **out)
{
	struct folio *folio;
	int err;

	/* FGP_WRITE needs nothing here: the kernel uses it to wait for stable
	 * pages and to account dirtying, neither of which this model has. */
	*out = NULL;
repeat:
	pthread_mutex_lock(&mapping->i_pages_lock);
	folio = index_find_range(mapping, index, index);
	if (folio) {
		folio_get(folio);
		pthread_mutex_unlock(&mapping->i_pages_lock);
		if (fgp & FGP_LOCK) {
			if (fgp & FGP_NOWAIT) {
				if (!folio_trylock(folio)) {
					folio_put(folio);
					return -EAGAIN;
				}
			} else {
				folio_lock(folio);
			}
			/* Truncated while we slept on the lock: look again. */
			if (__atomic_load_n(&folio->mapping, __ATOMIC_ACQUIRE) != mapping) {
				folio_unlock(folio);
				folio_put(folio);
				goto repeat;
			}
		}
		*out = folio;
		return 0;
	}
	if (!(fgp & FGP_CREAT)) {
		pthread_mutex_unlock(&mapping->i_pages_lock);
		return -ENOENT;
	}
	order = clamp_order(mapping, index, order);
	folio = filemap_alloc_folio(order); /* its one reference is the caller's */
	if (!folio) {
		pthread_mutex_unlock(&mapping->i_pages_lock);
		return -ENOMEM;
	}
	folio->index = index;
	/* Lock before anyone can see it, as the kernel adds folios locked; a
	 * trylock of a private folio cannot fail or wait. */
	if (fgp & FGP_LOCK)
		folio_trylock(folio);
	err = index_insert(mapping, folio);
	if (err) {
		pthread_mutex_unlock(&mapping->i_pages_lock);
		if (fgp & FGP_LOCK)
			folio_unlock(folio);
		folio_put(folio);
		return err;
	}
	folio_get(folio); /* the page cache's reference, (I4) */
	pthread_mutex_unlock(&mapping->i_pages_lock);
	trace_mapping_folio("folio_add", mapping, folio->index, folio->order);
	*out = folio;
	return 0;
}

int filemap_add_folio(struct address_space *mapping, struct folio *folio, pgoff_t index)
{
	pgoff_t last = index + folio_nr_pages(folio) - 1;
	int err;

	pthread_mutex_lock(&mapping->i_pages_lock);
	if (index_find_range(mapping, index, last)) {
		pthread_mutex_unlock(&mapping->i_pages_lock);
		return -EEXIST;
	}
	folio->index = index;
	/*
	 * Locked before anyone can see it (the kernel's __folio_set_locked).
	 * This lock is not validated: it cannot be contended yet, and the
	 * readahead that adds folios hands them to I/O that unlocks them,
	 * possibly on a completion thread (lock_owner 0, see folio_unlock()).
	 */
	__atomic_or_fetch(&folio->flags, 1ul << PG_locked, __ATOMIC_ACQUIRE);
	__atomic_store_n(&folio->lock_owner, 0, __ATOMIC_RELAXED);
	err = index_insert(mapping, folio);
	if (err) {
		__atomic_and_fetch(&folio->flags, ~(1ul << PG_locked), __ATOMIC_RELEASE);
		pthread_mutex_unlock(&mapping->i_pages_lock);
		return err;
	}
	folio_get(folio); /* the page cache's reference, (I4) */
	pthread_mutex_unlock(&mapping->i_pages_lock);
	trace_mapping_folio("folio_add", mapping, folio->index, folio->order);
	return 0;
}

struct folio *filemap_get_folio(struct address_space *mapping, pgoff_t index)
{
	struct folio *folio;

	return __filemap_get_folio(mapping, index, 0, 0, &folio) ? NULL : folio;
}

struct folio *filemap_find_next_folio(struct address_space *mapping, pgoff_t start,
				      pgoff_t end)
{
	struct folio *folio;

	pthread_mutex_lock(&mapping->i_pages_lock);
	folio = index_find_range(mapping, start, end);
	if (folio)
		folio_get(folio);
	pthread_mutex_unlock(&mapping->i_pages_lock);
	return folio;
}

/*
 * Step a range walk past @folio: set *@next to the page after it.
 * Returns false if that would pass @last (or wrap).
 */
static bool walk_next(const struct folio *folio, pgoff_t last, pgoff_t *next)
{
	pgoff_t after = folio_last_index(folio);

	if (after >= last)
		return false;
	*next = after + 1;
	return true;
}

/* ---------------------------------------------------------------------- */
/* Errors and writeback                                                    */
/* ---------------------------------------------------------------------- */

void mapping_set_error(struct address_space *mapping, int err)
{
	struct inode *host = mapping->host;

	if (!err)
		return;
	/* For fsync: each file description sees it once. */
	errseq_set(&mapping->wb_err, err);
	/* Legacy flags for callers that do not sample errseq. */
	__atomic_or_fetch(&mapping->flags, err == -ENOSPC ? AS_ENOSPC : AS_EIO,
			  __ATOMIC_RELEASE);
	if (trace_enabled()) {
		struct trace_event ev;

		trace_event_init(&ev, "filemap_set_wb_err",
				 host && host->i_sb ? host->i_sb->s_dev : 0, host ? host->i_ino : 0);
		trace_s64(&ev, "err", err);
		trace_u64(&ev, "errseq", __atomic_load_n(&mapping->wb_err, __ATOMIC_RELAXED));
		trace_emit(&ev);
	}
}

/* Mirrors filemap_check_errors(): report and clear the AS_* flags.  -EIO
 * wins if both are set, as in the kernel. */
static int filemap_check_errors(struct address_space *mapping)
{
	unsigned old = __atomic_fetch_and(&mapping->flags, ~(AS_EIO | AS_ENOSPC),
					  __ATOMIC_ACQ_REL);

	if (old & AS_EIO)
		return -EIO;
	if (old & AS_ENOSPC)
		return -ENOSPC;
	return 0;
}

/* Byte range [@start, @end] (inclusive, @end < 0 = to the end) to pages. */
static bool byte_range_to_pages(loff_t start, loff_t end, pgoff_t *first, pgoff_t *last)
{
	if (end < 0)
		end = LLONG_MAX;
	if (start < 0)
		start = 0;
	if (end < start)
		return false;
	*first = (pgoff_t)start >> PAGE_SHIFT;
	*last = (pgoff_t)end >> PAGE_SHIFT;
	return true;
}

/* Mirrors __filemap_fdatawait_range(). */
static void fdatawait_range(struct address_space *mapping, loff_t start, loff_t end)
{
	pgoff_t index, last;
	struct folio *folio;

	if (!byte_range_to_pages(start, end, &index, &last))
		return;
	while ((folio = filemap_find_next_folio(mapping, index, last))) {
		bool more = walk_next(folio, last, &index);

		folio_wait_writeback(folio);
		folio_put(folio);
		if (!more)
			break;
	}
}

/*
 * The kernel's __filemap_fdatawrite_range: one ->writepages pass over
 * [start, end] (inclusive).  It asks for every dirty folio of the range
 * (nr_to_write = LONG_MAX) in both modes; they differ only for a folio
 * already under writeback: WB_SYNC_ALL (sync_all) waits for it and writes
 * it again, WB_SYNC_NONE skips it.
 */
static int __filemap_fdatawrite_range(struct address_space *mapping, loff_t start, loff_t end,
				      bool sync_all)
{
	struct writeback_control wbc = {
		.range_start = start,
		.range_end = end,
		.sync_all = sync_all,
		/* Every dirty folio of the range, even for WB_SYNC_NONE: the
		 * kernel's __filemap_fdatawrite_range() asks for LONG_MAX. */
		.nr_to_write = LONG_MAX,
	};

	if (end < start)
		return 0;
	/*
	 * filemap_fdatawrite_wbc() returns early when nothing is tagged
	 * dirty; an empty cache is the cheap test here.  Without a
	 * ->writepages there is nobody to write the folios: they stay dirty
	 * (the kernel would fall back to ->writepage).
	 */
	if (!__atomic_load_n(&mapping->nrpages, __ATOMIC_RELAXED))
		return 0;
	if (!mapping->a_ops || !mapping->a_ops->writepages)
		return 0;
	return mapping->a_ops->writepages(mapping, &wbc);
}

int filemap_fdatawrite_range(struct address_space *mapping, loff_t start, loff_t end)
{
	return __filemap_fdatawrite_range(mapping, start, end, true);
}

int filemap_fdatawrite_range_kick(struct address_space *mapping, loff_t start, loff_t end)
{
	return __filemap_fdatawrite_range(mapping, start, end, false);
}

int filemap_fdatawait_range(struct address_space *mapping, loff_t start, loff_t end)
{
	fdatawait_range(mapping, start, end);
	return filemap_check_errors(mapping);
}

int file_check_and_advance_wb_err(struct file *file)
{
	struct address_space *mapping = file->f_inode->i_mapping;
	int err = errseq_check_and_advance(&mapping->wb_err, &file->f_wb_err);

	/* The legacy AS_* flags are consumed too; errseq's answer wins. */
	(void)filemap_check_errors(mapping);
	return err;
}

int file_fdatawait_range(struct file *file, loff_t start, loff_t end)
{
	fdatawait_range(file->f_inode->i_mapping, start, end);
	return file_check_and_advance_wb_err(file);
}

int filemap_write_and_wait_range(struct address_space *mapping, loff_t start, loff_t end)
{
	int err = 0, err2;

	if (end < start)
		return 0;
	if (__atomic_load_n(&mapping->nrpages, __ATOMIC_RELAXED)) {
		/* Data integrity: WB_SYNC_ALL, which also waits for folios
		 * already under writeback before writing them again. */
		err = filemap_fdatawrite_range(mapping, start, end);
		/* After -EIO the kernel does not wait: the I/O did not start. */
		if (err != -EIO)
			fdatawait_range(mapping, start, end);
	}
	/* Consumes the AS_* flags, never the errseq: fsync reports through
	 * file_check_and_advance_wb_err() separately. */
	err2 = filemap_check_errors(mapping);
	return err ? err : err2;
}

bool filemap_range_needs_writeback(struct address_space *mapping, loff_t start, loff_t end)
{
	pgoff_t index, last;
	struct folio *folio;
	bool needs = false;

	if (!byte_range_to_pages(start, end, &index, &last))
		return false;
	while (!needs && (folio = filemap_find_next_folio(mapping, index, last))) {
		bool more = walk_next(folio, last, &index);

		needs = folio_test(folio, PG_dirty) || folio_test(folio, PG_writeback);
		folio_put(folio);
		if (!more)
			break;
	}
	return needs;
}

/* ---------------------------------------------------------------------- */
/* Seek                                                                    */
/* ---------------------------------------------------------------------- */

/*
 * Mirrors folio_seek_hole_data(): within @folio, starting at @start (inside
 * it) and up to @fend (its end), find data (@seek_data) or a hole.  Returns
 * the position found, or @fend if the folio has none.
 */
static loff_t folio_seek_hole_data(struct address_space *mapping, struct folio *folio,
				   loff_t start, loff_t fend, bool seek_data)
{
	const struct address_space_operations *ops = mapping->a_ops;
	size_t bsz = mapping->host ? i_blocksize(mapping->host) : PAGE_SIZE;
	size_t offset;

	if (folio_test(folio, PG_uptodate))
		return seek_data ? start : fend;
	if (!ops || !ops->is_partially_uptodate)
		return seek_data ? fend : start;

	/* Per-block state lives under the folio lock. */
	folio_lock(folio);
	if (__atomic_load_n(&folio->mapping, __ATOMIC_ACQUIRE) != mapping) {
		folio_unlock(folio); /* truncated meanwhile: now a hole */
		return seek_data ? fend : start;
	}
	offset = (size_t)(start - folio_pos(folio)) & ~(bsz - 1);
	do {
		if (ops->is_partially_uptodate(folio, offset, bsz) == seek_data)
			break;
		start = (start + (loff_t)bsz) & ~((loff_t)bsz - 1);
		offset += bsz;
	} while (offset < folio_size(folio));
	folio_unlock(folio);
	return start;
}

loff_t mapping_seek_hole_data(struct address_space *mapping, loff_t start, loff_t end,
			      int whence)
{
	bool seek_data = whence == SEEK_DATA;
	pgoff_t index, last;
	struct folio *folio;

	if (start < 0)
		start = 0;
	if (end <= start)
		return end;
	index = (pgoff_t)start >> PAGE_SHIFT;
	last = (pgoff_t)(end - 1) >> PAGE_SHIFT;
	while ((folio = filemap_find_next_folio(mapping, index, last))) {
		loff_t pos = folio_pos(folio), fend = pos + (loff_t)folio_size(folio);
		bool more = walk_next(folio, last, &index);

		/* Pages before this folio hold nothing: a hole. */
		if (start < pos) {
			if (!seek_data) {
				folio_put(folio);
				goto found;
			}
			start = pos;
		}
		start = folio_seek_hole_data(mapping, folio, start, fend, seek_data);
		folio_put(folio);
		if (start < fend)
			goto found;
		if (!more)
			break;
	}
	/* Out of folios: the rest is a hole; no data was found. */
	if (seek_data)
		return end;
found:
	return start < end ? start : end;
}

/* ---------------------------------------------------------------------- */
/* Truncation and invalidation                                             */
/* ---------------------------------------------------------------------- */

/* Tell the owner of per-block state that part of a folio goes away. */
static void folio_invalidate(struct address_space *mapping, struct folio *folio, size_t offset,
			     size_t len)
{
	if (folio->private && mapping->a_ops && mapping->a_ops->invalidate_folio)
		mapping->a_ops->invalidate_folio(folio, offset, len);
}

/*
 * Mirrors truncate_inode_pages_range() (called by truncate_pagecache_range()
 * after unmap_mapping_range(), which has nothing to do here: no mmap).
 * Whole folios inside the range go; the covered part of a folio that
 * straddles an edge is zeroed (truncate_inode_partial_folio(); the kernel
 * may also split it, which this model does not).
 */
void truncate_pagecache_range(struct address_space *mapping, loff_t start, loff_t end)
{
	pgoff_t index, last;
	struct folio *folio;

	if (end < 0)
		end = LLONG_MAX;
	if (!byte_range_to_pages(start, end, &index, &last))
		return;
	while ((folio = filemap_find_next_folio(mapping, index, last))) {
		bool more = walk_next(folio, last, &index);

		folio_lock(folio);
		folio_wait_writeback(folio);
		if (__atomic_load_n(&folio->mapping, __ATOMIC_ACQUIRE) == mapping) {
			loff_t fpos = folio_pos(folio);
			loff_t flast = fpos + (loff_t)folio_size(folio) - 1;

			if (fpos >= start && flast <= end) {
				folio_invalidate(mapping, folio, 0, folio_size(folio));
				remove_folio(mapping, folio);
			} else {
				loff_t zs = start > fpos ? start : fpos;
				loff_t ze = end < flast ? end : flast;

				memset((char *)folio->data + (zs - fpos), 0, (size_t)(ze - zs + 1));
				folio_invalidate(mapping, folio, (size_t)(zs - fpos),
						 (size_t)(ze - zs + 1));
				/*
				 * truncate_inode_partial_folio(): a large folio
				 * is split, or, if that fails, dropped whole when
				 * clean.  Nothing splits folios here, so a clean
				 * one goes: otherwise its zeroed bytes outside the
				 * caller's real range (XFS rounds a punch out to
				 * whole blocks/pages) would stay cached as data.
				 */
				if (folio_size(folio) > PAGE_SIZE && !folio_test(folio, PG_dirty)) {
					folio_invalidate(mapping, folio, 0, folio_size(folio));
					remove_folio(mapping, folio);
				}
			}
		}
		folio_unlock(folio);
		folio_put(folio);
		if (!more)
			break;
	}
}

/*
 * Mirrors invalidate_inode_pages2_range(), except that a folio under
 * writeback or locked by someone else is reported busy instead of waited
 * for: the callers (direct I/O) fall back to buffered I/O on -EBUSY.
 */
int invalidate_inode_pages2_range(struct address_space *mapping, pgoff_t start, pgoff_t end)
{
	const struct address_space_operations *ops = mapping->a_ops;
	pgoff_t index = start;
	struct folio *folio;
	int ret = 0;

	while ((folio = filemap_find_next_folio(mapping, index, end))) {
		bool more = walk_next(folio, end, &index);

		if (!folio_trylock(folio)) {
			ret = -EBUSY;
			goto next;
		}
		if (__atomic_load_n(&folio->mapping, __ATOMIC_ACQUIRE) != mapping)
			goto unlock;
		if (folio_test(folio, PG_dirty) || folio_test(folio, PG_writeback)) {
			ret = -EBUSY;
			goto unlock;
		}
		if (folio->private && ops) {
			if (ops->release_folio) {
				/* filemap_release_folio(): the owner may refuse. */
				if (!ops->release_folio(folio)) {
					ret = -EBUSY;
					goto unlock;
				}
			} else if (ops->invalidate_folio) {
				ops->invalidate_folio(folio, 0, folio_size(folio));
			}
		}
		remove_folio(mapping, folio);
unlock:
		folio_unlock(folio);
next:
		folio_put(folio);
		if (!more)
			break;
	}
	return ret;
}

/*
 * ---------------------------------------------------------------------
 * The page cache around direct I/O (mm/filemap.c kiocb_* helpers)
 * ---------------------------------------------------------------------
 */

static struct address_space *kiocb_mapping(const struct kiocb *iocb)
{
	return iocb->ki_filp->f_inode->i_mapping;
}

/* Whether any folio caches a byte of [start, end] (filemap_range_has_page). */
static bool filemap_range_has_page(struct address_space *mapping, loff_t start, loff_t end)
{
	struct folio *folio = filemap_find_next_folio(mapping, (pgoff_t)(start >> PAGE_SHIFT),
						      (pgoff_t)(end >> PAGE_SHIFT));

	if (!folio)
		return false;
	folio_put(folio);
	return true;
}

int kiocb_write_and_wait(struct kiocb *iocb, size_t count)
{
	struct address_space *mapping = kiocb_mapping(iocb);
	loff_t pos = iocb->ki_pos;
	loff_t end = pos + (loff_t)count - 1;

	if (count == 0)
		return 0;
	if (iocb->ki_flags & IOCB_NOWAIT) {
		/* Writing back would block: let the caller retry without NOWAIT. */
		if (filemap_range_needs_writeback(mapping, pos, end))
			return -EAGAIN;
		return 0;
	}
	return filemap_write_and_wait_range(mapping, pos, end);
}

int kiocb_invalidate_pages(struct kiocb *iocb, size_t count)
{
	struct address_space *mapping = kiocb_mapping(iocb);
	loff_t pos = iocb->ki_pos;
	loff_t end = pos + (loff_t)count - 1;
	int ret;

	if (count == 0)
		return 0;
	if (iocb->ki_flags & IOCB_NOWAIT) {
		/* Invalidating means taking folio locks and maybe writeback. */
		if (filemap_range_has_page(mapping, pos, end))
			return -EAGAIN;
	} else {
		ret = filemap_write_and_wait_range(mapping, pos, end);
		if (ret)
			return ret;
	}
	/*
	 * After the write-back, a folio can only still be there dirty if
	 * someone redirtied it (a shared mmap): then the caller falls back to
	 * buffered I/O rather than let the two copies disagree.
	 */
	return invalidate_inode_pages2_range(mapping, (pgoff_t)(pos >> PAGE_SHIFT),
					     (pgoff_t)(end >> PAGE_SHIFT));
}

void kiocb_invalidate_post_direct_write(struct kiocb *iocb, size_t count)
{
	struct address_space *mapping = kiocb_mapping(iocb);
	loff_t pos = iocb->ki_pos;
	loff_t end = pos + (loff_t)count - 1;

	/* Failure is not an error: the data is on the device already. */
	if (count == 0)
		return;
	(void)invalidate_inode_pages2_range(mapping, (pgoff_t)(pos >> PAGE_SHIFT),
					    (pgoff_t)(end >> PAGE_SHIFT));
}

int iocb_bio_iopoll(struct kiocb *iocb)
{
	struct super_block *sb = iocb->ki_filp->f_inode->i_sb;

	if (!sb || !sb->s_bdev)
		return 0;
	return blkdev_poll(sb->s_bdev);
}

/*
 * ---------------------------------------------------------------------
 * Buffered reads (mm/filemap.c filemap_read and its helpers)
 * ---------------------------------------------------------------------
 *
 * One step of filemap_read() per folio:
 *
 *   filemap_get_read_folio()
 *     cached?  no --> page_cache_sync_ra() --> cached now?  no -->
 *                     filemap_create_folio() (one folio + ->read_folio)
 *     PG_readahead? --> page_cache_async_ra() (next window, not waited for)
 *     !uptodate?    --> filemap_update_page():
 *                         locked by readahead I/O: wait, look up again;
 *                         the bytes wanted uptodate (is_partially_uptodate)?
 *                             use it as it is;
 *                         else ->read_folio and wait: still !uptodate = -EIO
 *   copy min(folio end, EOF, request end) - ki_pos bytes, without the lock
 *   (an uptodate folio's contents only change under writers, as in the
 *   kernel, where read(2) racing write(2) may see either)
 *
 * filemap_read() runs with i_rwsem held shared by the filesystem (XFS:
 * xfs_file_buffered_read); the folio and invalidate locks are taken here.
 */

/* The kernel's AOP_TRUNCATED_PAGE: "look the folio up again". */
#define AOP_TRUNCATED_PAGE 0x80001

void mapping_run_device_completions(struct address_space *mapping)
{
	struct inode *host = mapping->host;
	struct block_device *bdev = host && host->i_sb ? host->i_sb->s_bdev : NULL;

	if (!bdev || bdev->bd_mode != EXEC_DETERMINISTIC)
		return;
	blkdev_drain(bdev);
	blkdev_run_completions(bdev);
}

/*
 * Mirrors folio_wait_locked(): sleep until PG_locked is clear.  In
 * deterministic mode the completion that unlocks it runs here first.
 */
static void folio_wait_locked(struct address_space *mapping, struct folio *folio)
{
	if (!folio_test(folio, PG_locked))
		return;
	mapping_run_device_completions(mapping);
	pthread_mutex_lock(&folio->wait_lock);
	while (folio_test(folio, PG_locked))
		pthread_cond_wait(&folio->wait, &folio->wait_lock);
	pthread_mutex_unlock(&folio->wait_lock);
}

/*
 * The calling thread gives the folio lock it holds to the read it is
 * about to start: the I/O completion unlocks it, perhaps on another
 * thread, so the validator stops counting it as held here.
 */
static void folio_lock_handoff(struct folio *folio)
{
	if (!__atomic_load_n(&folio->lock_owner, __ATOMIC_RELAXED))
		return;
	lockdep_release(&folio_lock_class, folio->lock_instance);
	__atomic_store_n(&folio->lock_owner, 0, __ATOMIC_RELAXED);
}

/*
 * Mirrors filemap_read_folio(): ->read_folio on a locked folio, wait for
 * the read to unlock it, and check the outcome.  A failed read shrinks the
 * file's readahead window (shrink_readahead_size_eio), since reading ahead
 * of a failing device only multiplies the failures.
 */
static int filemap_read_folio(struct file *file, struct address_space *mapping,
			      struct folio *folio)
{
	int err;

	folio_lock_handoff(folio);
	err = mapping->a_ops->read_folio(file, folio);
	if (err)
		return err;
	folio_wait_locked(mapping, folio);
	if (folio_test(folio, PG_uptodate))
		return 0;
	if (file)
		file->f_ra.ra_pages /= 4;
	return -EIO;
}

/*
 * Mirrors filemap_range_uptodate(): may the caller copy [pos, pos+count)
 * from this !uptodate folio?  Only through the filesystem's per-block
 * state, and only when the read does not cover the whole folio (then it
 * must be read anyway).  @count is what the caller still wants, not cut at
 * EOF, as in the kernel.
 */
static bool filemap_range_uptodate(struct address_space *mapping, loff_t pos, size_t count,
				   struct folio *folio)
{
	size_t from;

	if (folio_test(folio, PG_uptodate))
		return true;
	if (!mapping->a_ops->is_partially_uptodate)
		return false;
	if (mapping->host && PAGE_SHIFT + folio->order <= mapping->host->i_blkbits)
		return false; /* one block per folio: PG_uptodate says it all */
	if (folio_pos(folio) > pos) {
		count -= (size_t)(folio_pos(folio) - pos);
		from = 0;
	} else {
		from = (size_t)(pos - folio_pos(folio));
	}
	if (from == 0 && count >= folio_size(folio))
		return false;
	if (count > folio_size(folio) - from)
		count = folio_size(folio) - from;
	return mapping->a_ops->is_partially_uptodate(folio, from, count);
}

/*
 * Mirrors filemap_update_page(): make a cached, !uptodate folio usable.
 * Returns 0 (usable; the caller keeps its reference), AOP_TRUNCATED_PAGE
 * (reference dropped: look up again) or -errno (reference kept).
 */
static int filemap_update_page(struct kiocb *iocb, struct address_space *mapping, size_t count,
			       struct folio *folio)
{
	bool nowait = iocb->ki_flags & (IOCB_NOWAIT | IOCB_NOIO);
	int err;

	/* Taken before the folio lock: design.rst's order, and truncation
	 * (which holds it exclusive) cannot remove the folio meanwhile. */
	if (!down_read_trylock(&mapping->invalidate_lock)) {
		if (nowait)
			return -EAGAIN;
		filemap_invalidate_lock_shared(mapping);
	}
	if (!folio_trylock(folio)) {
		filemap_invalidate_unlock_shared(mapping);
		if (nowait)
			return -EAGAIN;
		/* Usually a readahead still reading it: wait, then retry. */
		folio_wait_locked(mapping, folio);
		folio_put(folio);
		return AOP_TRUNCATED_PAGE;
	}
	if (__atomic_load_n(&folio->mapping, __ATOMIC_ACQUIRE) != mapping) {
		/* Truncated while we waited. */
		folio_unlock(folio);
		filemap_invalidate_unlock_shared(mapping);
		folio_put(folio);
		return AOP_TRUNCATED_PAGE;
	}
	if (filemap_range_uptodate(mapping, iocb->ki_pos, count, folio)) {
		folio_unlock(folio);
		filemap_invalidate_unlock_shared(mapping);
		return 0;
	}
	if (nowait) {
		folio_unlock(folio);
		filemap_invalidate_unlock_shared(mapping);
		return -EAGAIN;
	}
	/* read_folio unlocks the folio (it may already have when it returns). */
	err = filemap_read_folio(iocb->ki_filp, mapping, folio);
	filemap_invalidate_unlock_shared(mapping);
	return err;
}

/*
 * Mirrors filemap_create_folio(): readahead added nothing (it ran out of
 * memory, or truncation raced it), so add the one folio at ki_pos and
 * read it.  Returns 0 with the folio in *@out, AOP_TRUNCATED_PAGE if
 * someone else added it first, or -errno.
 */
static int filemap_create_folio(struct kiocb *iocb, struct address_space *mapping,
				struct folio **out)
{
	struct folio *folio = filemap_alloc_folio(0);
	int err;

	if (!folio)
		return -ENOMEM;
	/* Same reason as in readahead: truncation must not see it half-read. */
	filemap_invalidate_lock_shared(mapping);
	err = filemap_add_folio(mapping, folio, (pgoff_t)(iocb->ki_pos >> PAGE_SHIFT));
	if (err == -EEXIST)
		err = AOP_TRUNCATED_PAGE;
	if (!err)
		err = filemap_read_folio(iocb->ki_filp, mapping, folio);
	filemap_invalidate_unlock_shared(mapping);
	if (err) {
		folio_put(folio);
		return err;
	}
	*out = folio;
	return 0;
}

/*
 * Mirrors filemap_get_pages() for one folio: the folio holding ki_pos,
 * uptodate (or uptodate where the caller reads), with a reference.
 * @count is what the caller still wants to read.
 */
static int filemap_get_read_folio(struct kiocb *iocb, size_t count, struct folio **out)
{
	struct file *filp = iocb->ki_filp;
	struct address_space *mapping = filp->f_inode->i_mapping;
	pgoff_t index = (pgoff_t)(iocb->ki_pos >> PAGE_SHIFT);
	/* the page after the last one the read touches */
	pgoff_t last_index = (pgoff_t)((iocb->ki_pos + (loff_t)count + PAGE_SIZE - 1) >> PAGE_SHIFT);
	/* Our simplification of IOCB_NOWAIT: start no I/O at all (the kernel
	 * starts readahead, then returns -EAGAIN on the locked folio). */
	bool noio = iocb->ki_flags & (IOCB_NOWAIT | IOCB_NOIO);
	struct folio *folio;
	int err;

retry:
	folio = filemap_get_folio(mapping, index);
	if (!folio) {
		struct readahead_control rac = {
			.file = filp, .mapping = mapping, .ra = &filp->f_ra, ._index = index,
		};

		if (noio)
			return -EAGAIN;
		page_cache_sync_ra(&rac, last_index - index);
		folio = filemap_get_folio(mapping, index);
		if (!folio) {
			err = filemap_create_folio(iocb, mapping, &folio);
			if (err == AOP_TRUNCATED_PAGE)
				goto retry;
			if (err)
				return err;
			*out = folio;
			return 0;
		}
	}
	if (folio_test(folio, PG_readahead) && !noio) {
		struct readahead_control rac = {
			.file = filp, .mapping = mapping, .ra = &filp->f_ra, ._index = folio->index,
		};

		page_cache_async_ra(&rac, folio, last_index - folio->index);
	}
	if (!folio_test(folio, PG_uptodate)) {
		err = filemap_update_page(iocb, mapping, count, folio);
		if (err == AOP_TRUNCATED_PAGE)
			goto retry;
		if (err) {
			folio_put(folio);
			return err;
		}
	}
	*out = folio;
	return 0;
}

ssize_t filemap_read(struct kiocb *iocb, struct iov_iter *iter, ssize_t already_read)
{
	struct file *filp = iocb->ki_filp;
	struct file_ra_state *ra = &filp->f_ra;
	struct inode *inode = filp->f_inode;
	loff_t maxbytes = inode->i_sb ? inode->i_sb->s_maxbytes : LLONG_MAX;
	loff_t last_pos = ra->prev_pos;
	loff_t isize = 0;
	int error = 0;

	if (iocb->ki_pos < 0)
		return -EINVAL;
	if (iocb->ki_pos >= maxbytes)
		return 0;
	if (!iov_iter_count(iter))
		return 0;
	if ((loff_t)iov_iter_count(iter) > maxbytes - iocb->ki_pos)
		iov_iter_truncate(iter, (size_t)(maxbytes - iocb->ki_pos));

	do {
		struct folio *folio = NULL;
		loff_t end_offset;
		size_t offset, bytes, copied;

		if (iocb->ki_pos >= i_size_read(inode))
			break;
		error = filemap_get_read_folio(iocb, iov_iter_count(iter), &folio);
		if (error < 0)
			break;
		/*
		 * i_size only after the folio is uptodate: a racing extending
		 * write updates i_size after the data, so this order never
		 * copies bytes beyond what was written.
		 */
		isize = i_size_read(inode);
		if (iocb->ki_pos >= isize) {
			folio_put(folio);
			break;
		}
		end_offset = iocb->ki_pos + (loff_t)iov_iter_count(iter);
		if (end_offset > isize)
			end_offset = isize; /* a read across EOF is short */
		offset = (size_t)(iocb->ki_pos - folio_pos(folio));
		bytes = folio_size(folio) - offset;
		if ((loff_t)bytes > end_offset - iocb->ki_pos)
			bytes = (size_t)(end_offset - iocb->ki_pos);
		copied = copy_to_iter((char *)folio->data + offset, bytes, iter);
		folio_put(folio);
		already_read += (ssize_t)copied;
		iocb->ki_pos += (loff_t)copied;
		last_pos = iocb->ki_pos;
		if (copied < bytes) {
			error = -EFAULT; /* the caller's buffer faulted */
			break;
		}
	} while (iov_iter_count(iter) && iocb->ki_pos < isize);

	/* For the next read's sequential test (page_cache_sync_ra). */
	ra->prev_pos = last_pos;
	return already_read ? already_read : error;
}
