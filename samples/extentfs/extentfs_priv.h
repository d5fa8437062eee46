/**
 * @file extentfs_priv.h
 * @brief extentfs internals: the in-memory filesystem, its inodes, the
 *        extent maps, free space, reference counts, and the functions the
 *        .c files share.  Tests include it to look inside.
 *
 * Which file mirrors which part of XFS:
 *
 *     extent.c    in-core extent list of a fork      xfs_iext_tree.c
 *     alloc.c     free space, busy extents           xfs_alloc.c, xfs_extent_busy.c
 *     refcount.c  reference counts of shared blocks  xfs_refcount.c
 *     bmap.c      allocate / unmap / convert ranges  xfs_bmap.c, xfs_bmap_util.c
 *     reflink.c   remap (clone), unshare             xfs_reflink.c
 *     inode.c     inodes, the flat root directory    xfs_inode.c, xfs_dir2.c
 *     inline.c    small files inside the inode       gfs2's stuffed inodes (bmap.c),
 *                 (IOMAP_INLINE), unstuffing         xfs_inode_fork.c local format
 *     iomap.c     the iomap_ops, one set per op      xfs_iomap.c
 *     file.c      VFS entry points, i_rwsem          xfs_file.c, xfs_iops.c
 *     commit.c    crash-safe metadata commit         xfs_log_cil.c (the push)
 *     image.c     read + verify an on-disk image     xfs_sb.c verifiers, xfs_repair
 *     super.c     mount, unmount, sync               xfs_super.c, xfs_mount.c
 *     mkfs.c      make a filesystem                  mkfs.xfs
 *     check.c     the consistency checker            xfs_repair -n, scrub
 *
 * Locks (design.rst, "Locking Hierarchy"), outermost first:
 *
 *     i_rwsem          (VFS, UPPER)   file.c entry points
 *     invalidate_lock  (VFS, UPPER)   when extents go away or the size changes
 *     ilock            (LOWER)        per inode: its extent maps, flags, mapping_seq;
 *                                     taken inside ->iomap_begin and by metadata
 *                                     changes, never held across iomap calls
 *     extentfs_commit  (INTERNAL)     per filesystem: everything in struct extentfs
 *                                     below it, and every metadata change
 *
 * A metadata change is a *transaction* in the XFS sense: efs_trans_begin()
 * takes ilock EXCL and then the commit lock, the change is made, the inode
 * is logged (efs_trans_log_inode()), efs_trans_end() drops both.  A commit
 * (commit.c) takes only the commit lock, so it always sees a set of
 * complete transactions.
 *
 * Invariants (numbered; efs_check_incore() in check.c checks all of them,
 * the on-disk checker the subset marked [D]):
 *   (1) [D] an extent map is sorted by file block, its extents do not
 *       overlap, each has len > 0 and ends at or below max_fblock;
 *   (2) [D] every allocated extent maps into [data_start, nblocks);
 *   (3) [D] the free, busy and chain lists are sorted, coalesced and lie in
 *       [2, nblocks);
 *   (4) [D] every block of [2, nblocks) has exactly one owner: the free
 *       list, the busy list, the committed metadata chain, or one or more
 *       extents (a block mapped by several extents is shared); in memory
 *       the COW fork staging of an inode is one more kind of owner (on disk
 *       those blocks are free records);
 *   (5) [D] a reference count record exists exactly for the blocks mapped by
 *       two or more extents, and its count is their number; records are
 *       sorted, disjoint, count >= 2;
 *   (6) [D] `free.total`, `busy.total`, `chain.total` equal the sums of
 *       their lists (and on disk, free_blocks equals the free records);
 *   (7) [D] directory names are unique and valid; each entry names an
 *       existing inode whose nlink is 1; an inode with nlink 0 has no entry
 *       (an orphan: open, or freed at the next mount);
 *   (8) an inode is marked meta_dirty only while the filesystem is dirty;
 *   (9) `delalloc_blocks` equals the blocks of all delayed allocations
 *       (EFS_DELAYSTARTBLOCK extents) in all data and COW forks, and they
 *       are never written to disk (a commit leaves them out; the blocks
 *       they promise are free on disk and counted as taken by
 *       efs_alloc_data());
 *  (10) [D] an inline inode (EFS_DIFLAG_INLINE, only with the inline
 *       feature) maps no blocks in either fork, its size is at most the
 *       inline capacity, and its inline bytes past the size are zero, in
 *       memory (idata, idata_disk) and on disk (the stream's padding).
 *
 * Memory allocation failures abort (efs_xrealloc): a half-applied
 * transaction would be worse, and the kernel's equivalents (GFP_NOFS |
 * __GFP_NOFAIL) do not fail either.
 */
#ifndef EXTENTFS_PRIV_H
#define EXTENTFS_PRIV_H

#include <stdarg.h>
#include <stdio.h>

#include <iomap/iomap.h>
#include <iomap/lock.h>
#include <iomap/workqueue.h>

#include "extentfs.h"
#include "format.h"

/** Abort with a message if @p cond holds: an internal bug, never bad input. */
#define EFS_BUG_ON(cond)                                                          \
	do {                                                                      \
		if (unlikely(cond))                                               \
			efs_bug(__FILE__, __LINE__, #cond);                       \
	} while (0)
/**
 * Report an internal bug and abort.
 * @param file source file; @param line line; @param what the condition
 */
_Noreturn void efs_bug(const char *file, int line, const char *what);
/**
 * realloc that aborts on failure.
 * @param p old pointer or NULL; @param n elements; @param size element size
 * @return the new pointer (never NULL when n*size > 0)
 */
void *efs_xrealloc(void *p, size_t n, size_t size);
/**
 * calloc that aborts on failure.
 * @param n elements; @param size element size
 * @return zeroed memory
 */
void *efs_xcalloc(size_t n, size_t size);
/**
 * Buffer for block I/O, aligned for O_DIRECT devices, zeroed.
 * @param len bytes
 * @return the buffer (free with free())
 */
void *efs_io_alloc(size_t len);

/*
 * ---------------------------------------------------------------------
 * Runs of device blocks (alloc.c): free space, busy extents, the chain
 * ---------------------------------------------------------------------
 */

/** A run of device blocks [start, start + len). */
struct efs_bext {
	uint64_t start; /**< first block */
	uint64_t len;   /**< blocks, > 0 */
};

/** A sorted, coalesced list of block runs (invariant 3). */
struct efs_extlist {
	struct efs_bext *v; /**< runs, by start */
	size_t nr;          /**< runs used */
	size_t cap;         /**< runs allocated */
	uint64_t total;     /**< sum of len (invariant 6) */
};

/**
 * Add [start, start+len), merging with neighbours.
 * @param l list; @param start first block; @param len blocks
 * @return 0, or -EEXIST if the run overlaps one already listed
 */
int efs_extlist_insert(struct efs_extlist *l, uint64_t start, uint64_t len);
/**
 * Remove [start, start+len), which must lie inside one listed run.
 * @param l list; @param start first block; @param len blocks
 * @return 0, or -ENOENT if it is not wholly listed
 */
int efs_extlist_remove(struct efs_extlist *l, uint64_t start, uint64_t len);
/**
 * Index of the first run that ends after @p block (binary search).
 * @param l list; @param block device block
 * @return index, l->nr if none
 */
size_t efs_extlist_find(const struct efs_extlist *l, uint64_t block);
/**
 * Whether any block of [start, start+len) is listed.
 * @param l list; @param start first block; @param len blocks
 * @return true if they overlap
 */
bool efs_extlist_overlaps(const struct efs_extlist *l, uint64_t start, uint64_t len);
/** Free the runs. @param l list */
void efs_extlist_free(struct efs_extlist *l);

/*
 * ---------------------------------------------------------------------
 * Extent maps (extent.c)
 * ---------------------------------------------------------------------
 */

/** dblock of a hole in an efs_irec returned by a lookup (XFS HOLESTARTBLOCK). */
#define EFS_HOLESTARTBLOCK UINT64_MAX
/** dblock of a delayed allocation (XFS DELAYSTARTBLOCK; in memory only). */
#define EFS_DELAYSTARTBLOCK (UINT64_MAX - 1)

/** One mapping of file blocks to device blocks (mirrors xfs_bmbt_irec). */
struct efs_irec {
	uint64_t fblock; /**< first file block */
	uint64_t dblock; /**< first device block, or EFS_HOLESTARTBLOCK / EFS_DELAYSTARTBLOCK */
	uint64_t len;    /**< blocks */
	uint32_t state;  /**< EFS_EXT_NORM or EFS_EXT_UNWRITTEN */
};

/** @return whether @p r maps real device blocks @param r the record */
static inline bool efs_irec_is_real(const struct efs_irec *r)
{
	return r->dblock != EFS_HOLESTARTBLOCK && r->dblock != EFS_DELAYSTARTBLOCK;
}
/** @return whether @p r is written (xfs_bmap_is_written_extent) @param r the record */
static inline bool efs_irec_is_written(const struct efs_irec *r)
{
	return efs_irec_is_real(r) && r->state == EFS_EXT_NORM;
}

/**
 * The in-core extent list of one fork: a sorted array, binary-searched
 * (O(log n) lookup), split and merged in place on change (invariant 1).
 *
 *     v[0]            v[1]                 v[2]
 *     [fb 0, len 4)   [fb 6, len 2)        [fb 8, len 10)      file blocks
 *      -> db 24        -> db 40 UNWRITTEN   -> db 42 UNWRITTEN  device blocks
 *
 * v[1] and v[2] are file- and device-contiguous with the same state, so an
 * insert would have merged them: this picture shows a map right after a
 * state change of v[1], before efs_iext_convert() merged it.
 */
struct efs_iext {
	struct efs_irec *v; /**< extents by fblock */
	size_t nr;          /**< used */
	size_t cap;         /**< allocated */
};

/** Called for each piece an efs_iext_remove() takes out. */
typedef void (*efs_unmap_fn)(void *arg, const struct efs_irec *piece);

/**
 * Find the extent containing @p fblock (mirrors xfs_iext_lookup_extent).
 * @param m map; @param fblock file block
 * @param idx out: index of that extent, or of the next one (m->nr if none)
 * @return true if v[*idx] contains @p fblock
 */
bool efs_iext_lookup(const struct efs_iext *m, uint64_t fblock, size_t *idx);
/**
 * Map a hole: insert @p r, merging with contiguous neighbours of the same
 * state.  [r->fblock, +len) must be unmapped.
 * @param m map; @param r the new extent
 */
void efs_iext_insert(struct efs_iext *m, const struct efs_irec *r);
/**
 * Unmap [fblock, fblock+len), splitting extents at the edges; @p fn sees
 * each removed piece (device blocks adjusted to the piece).
 * @param m map; @param fblock first block; @param len blocks
 * @param fn callback (may be NULL); @param arg its argument
 * @return blocks unmapped
 */
uint64_t efs_iext_remove(struct efs_iext *m, uint64_t fblock, uint64_t len, efs_unmap_fn fn,
			 void *arg);
/**
 * Change the state of the mapped blocks of [fblock, fblock+len) from
 * @p from to @p to, splitting and merging as needed (the core of
 * xfs_bmapi_convert_unwritten).
 * @param m map; @param fblock first block; @param len blocks
 * @param from old state; @param to new state
 * @return blocks converted
 */
uint64_t efs_iext_convert(struct efs_iext *m, uint64_t fblock, uint64_t len, uint32_t from,
			  uint32_t to);
/**
 * Check invariant 1 (and 2 when @p nblocks is non-zero).
 * @param m map; @param max_fblock largest end; @param data_start first data block
 * @param nblocks filesystem blocks (0 = do not check device ranges)
 * @return 0, or the number of the invariant broken
 */
int efs_iext_verify(const struct efs_iext *m, uint64_t max_fblock, uint64_t data_start,
		    uint64_t nblocks);
/** Free the array. @param m map */
void efs_iext_free(struct efs_iext *m);

/*
 * ---------------------------------------------------------------------
 * Reference counts (refcount.c)
 * ---------------------------------------------------------------------
 */

/** Blocks [start, start+len) are mapped `count` (>= 2) times. */
struct efs_refc {
	uint64_t start; /**< first device block */
	uint64_t len;   /**< blocks */
	uint64_t count; /**< references, >= 2 */
};

/** Reference count records, sorted, disjoint (invariant 5). */
struct efs_refcl {
	struct efs_refc *v; /**< records by start */
	size_t nr;          /**< used */
	size_t cap;         /**< allocated */
};

/** Called by efs_refcount_decrease() for blocks whose last reference went. */
typedef void (*efs_free_fn)(void *arg, uint64_t start, uint64_t len);

/**
 * Reference count of one block (1 when no record covers it: mapped once).
 * @param rl records; @param block device block
 * @param run out (may be NULL): blocks from @p block with the same count
 *        before the next record boundary (UINT64_MAX - block if none)
 * @return the count
 */
uint64_t efs_refcount_get(const struct efs_refcl *rl, uint64_t block, uint64_t *run);
/**
 * First shared run in [start, start+len) (mirrors xfs_refcount_find_shared
 * with find_end_of_shared).
 * @param rl records; @param start first block; @param len blocks
 * @param fstart out: first shared block; @param flen out: shared blocks from there
 * @return true if any block of the range is shared
 */
bool efs_refcount_find_shared(const struct efs_refcl *rl, uint64_t start, uint64_t len,
			      uint64_t *fstart, uint64_t *flen);
/**
 * One more mapping of [start, start+len) (xfs_refcount_increase_extent).
 * @param rl records; @param start first block; @param len blocks
 */
void efs_refcount_increase(struct efs_refcl *rl, uint64_t start, uint64_t len);
/**
 * One mapping fewer of [start, start+len) (xfs_refcount_decrease_extent);
 * blocks that lose their last mapping go to @p fn.
 * @param rl records; @param start first block; @param len blocks
 * @param fn free callback; @param arg its argument
 */
void efs_refcount_decrease(struct efs_refcl *rl, uint64_t start, uint64_t len, efs_free_fn fn,
			   void *arg);
/** Free the records. @param rl records */
void efs_refcl_free(struct efs_refcl *rl);

/*
 * ---------------------------------------------------------------------
 * Inodes, the directory, the filesystem
 * ---------------------------------------------------------------------
 */

/**
 * An in-memory extentfs inode (xfs_inode).  The VFS inode is embedded;
 * `vfs.i_private` points back here.
 *
 * The COW fork `cf` holds the copy-on-write staging of shared blocks
 * (reflink.c): delayed allocations a buffered write reserved (cowextsize
 * aligned, like XFS), and real blocks writeback or a direct write
 * allocated there — in memory only, owned by no extent on disk, recorded
 * as free by every commit, so a crash simply frees them.  I/O completion
 * moves written ones into `df` (efs_reflink_end_cow); the rest is freed by
 * efs_reflink_cancel_cow (write error, truncate, inactivation, or when
 * unshare leaves nothing shared) or vanishes at unmount.
 *
 * Locking: `ilock` protects `df`, `cf`, `diflags` and `mapping_seq` —
 * readers hold it shared; writers hold it EXCL *and* the commit lock, so a
 * holder of the commit lock alone may also read them (commit.c does).
 * `nlink` and `i_count` are protected by the commit lock.  `meta_dirty` is
 * atomic: set by efs_trans_log_inode() under both locks, cleared by a
 * commit under the commit lock, read anywhere.
 */
struct efs_inode {
	struct inode vfs;           /**< the VFS inode (i_rwsem, page cache, size) */
	struct rw_semaphore ilock;  /**< class "ilock", LOWER */
	struct efs_iext df;         /**< data fork */
	struct efs_iext cf;         /**< COW fork: blocks staged for a copy-on-write direct
	                                 write, NOT on disk (a commit records them free) */
	uint64_t mapping_seq;       /**< bumped on every df/cf change (validity cookie) */
	uint32_t diflags;           /**< EFS_DIFLAG_* */
	int meta_dirty;             /**< uncommitted metadata: IOMAP_F_DIRTY */
	uint32_t nlink;             /**< 1 while in the directory, 0 when unlinked */
	uint32_t i_count;           /**< open files + temporary references */
	/** The size a commit writes (XFS's i_disk_size): moved forward by the
	 *  transactions that make data below it durable (I/O completion,
	 *  truncate, remap), never by a buffered write, which changes only
	 *  the in-memory i_size.  ilock EXCL + commit lock to change. */
	loff_t disk_size;
	/** Completed writeback ioends waiting for their transaction (aops.c,
	 *  xfs_end_bio / xfs_end_io); protected by ioend_lock. */
	struct iomap_ioend *ioend_list;
	pthread_mutex_t ioend_lock;   /**< protects ioend_list (a leaf lock) */
	struct work_struct ioend_work; /**< runs efs_end_io on fs->conv_wq */
	/** The compare-and-extend of i_size in direct write completion and the
	 *  EOF check before a write (XFS's i_flags_lock); class "i_flags_lock". */
	struct mutex i_flags_lock;
	/**
	 * Inline data as the page cache sees it (inline.c): the buffer an
	 * IOMAP_INLINE mapping points at, efs_inline_capacity() bytes, aligned
	 * to its size so that it never crosses a page; NULL unless
	 * EFS_DIFLAG_INLINE.  Bytes past i_size are zero (10).  Written by
	 * iomap under i_rwsem EXCL (every writer of an inline file holds it),
	 * read under i_rwsem shared.
	 */
	uint8_t *idata;
	/**
	 * Inline data as the next commit writes it: idata copied by the
	 * transaction that ends an inline write (->iomap_end) or truncates,
	 * valid for [0, disk_size), zero beyond.  ilock EXCL + commit lock to
	 * change, so a commit never sees a write half done.
	 */
	uint8_t *idata_disk;
};

/** One name in the flat root directory. */
struct efs_dirent {
	char *name;   /**< NUL-terminated, 1..255 bytes */
	uint64_t ino; /**< the inode */
};

/**
 * A mounted filesystem (xfs_mount).
 *
 * The geometry is set at mount and never changes.  `commit_lock` protects
 * every field declared after it (see the file comment for the lock order).
 */
struct extentfs {
	struct super_block sb;     /**< VFS superblock; s_fs_info = this */
	struct block_device bdev;  /**< metadata and data I/O go through it */
	struct backend *backend;   /**< the media (not owned) */
	bool bdev_open;            /**< bdev needs blkdev_close() */

	uint32_t blocksize;        /**< bytes per block */
	uint32_t blkbits;          /**< log2(blocksize) */
	uint32_t lbs;              /**< device logical block size */
	uint64_t nblocks;          /**< filesystem size, blocks */
	uint64_t data_start;       /**< first data block */
	uint64_t max_fblock;       /**< file blocks end here (2^63 bytes) */
	uint32_t features;         /**< EFS_FEAT_* */

	struct mutex commit_lock;  /**< class "extentfs_commit", INTERNAL */
	uint64_t generation;       /**< last durable commit */
	unsigned active_slot;      /**< slot holding it */
	bool dirty;                /**< metadata changed since then */
	bool shutdown;             /**< a commit failed: refuse changes (xfs_force_shutdown) */
	uint64_t next_ino;         /**< next inode number */
	struct efs_inode **inodes; /**< every inode in memory, by ino */
	size_t ninodes;            /**< used */
	size_t inodes_cap;         /**< allocated */
	struct efs_dirent *dir;    /**< the root directory, by name */
	size_t ndir;               /**< used */
	size_t dir_cap;            /**< allocated */
	struct efs_extlist free;   /**< free blocks */
	struct efs_extlist busy;   /**< freed since the last commit (xfs_extent_busy) */
	struct efs_extlist chain;  /**< blocks of the committed metadata chain */
	struct efs_refcl refc;     /**< shared blocks */
	unsigned open_files;       /**< struct file objects alive */
	uint64_t delalloc_blocks;  /**< blocks promised to delayed allocations (9) */
	struct workqueue_struct *conv_wq; /**< ioend completion work (xfs's m_unwritten_workqueue) */
	uint64_t commits;          /**< commits done by this mount (statistics) */
};

/** Which fork of an inode (XFS_DATA_FORK / XFS_COW_FORK). */
enum { EFS_DATA_FORK = 0, EFS_COW_FORK = 1 };

/**
 * Default copy-on-write extent size hint, in blocks: a COW reservation is
 * aligned to it (XFS_DEFAULT_COWEXTSZ_HINT, 32 blocks), so that repeated
 * small writes into shared data land in few, larger new extents.
 */
#define EFS_COWEXTSZ 32

/** @return the extentfs inode of a VFS inode @param inode VFS inode */
static inline struct efs_inode *EFS_I(struct inode *inode)
{
	return container_of(inode, struct efs_inode, vfs);
}
/** @return the filesystem of an inode @param ei inode */
static inline struct extentfs *EFS_FS(const struct efs_inode *ei)
{
	return (struct extentfs *)ei->vfs.i_sb->s_fs_info;
}
/**
 * The extent list of one fork.
 * @param ei inode; @param whichfork EFS_DATA_FORK or EFS_COW_FORK
 * @return the fork
 */
static inline struct efs_iext *efs_ifork(struct efs_inode *ei, int whichfork)
{
	return whichfork == EFS_COW_FORK ? &ei->cf : &ei->df;
}
/** @return whether the inode has uncommitted metadata @param ei inode */
static inline bool efs_inode_meta_dirty(const struct efs_inode *ei)
{
	return __atomic_load_n(&ei->meta_dirty, __ATOMIC_ACQUIRE) != 0;
}
/** @return whether the filesystem is shut down @param fs filesystem */
static inline bool efs_is_shutdown(const struct extentfs *fs)
{
	return __atomic_load_n(&fs->shutdown, __ATOMIC_ACQUIRE);
}

/** Lock class of every inode's ilock ("ilock", LOWER). */
extern struct lock_class efs_ilock_class;
/** Lock class of the filesystem's commit lock ("extentfs_commit", INTERNAL). */
extern struct lock_class efs_commit_class;

/**
 * Start a metadata change of @p ei: ilock EXCL, then the commit lock
 * (mirrors xfs_trans_alloc_inode).
 * @param ei inode
 * @return 0, or -EIO (nothing held) if the filesystem is shut down
 */
int efs_trans_begin(struct efs_inode *ei);
/** Finish a metadata change. @param ei inode */
void efs_trans_end(struct efs_inode *ei);
/**
 * Record that @p ei changed (xfs_trans_log_inode): it and the filesystem
 * are dirty until the next commit; @p mapping bumps mapping_seq.
 * @pre ilock EXCL and commit lock held.
 * @param ei inode; @param mapping true if the extent maps changed
 */
void efs_trans_log_inode(struct efs_inode *ei, bool mapping);

/**
 * Set the size a commit will write, and the in-memory size if it is
 * smaller (a transaction that makes data durable up to @p size).
 * @pre ilock EXCL and commit lock held.
 * @param ei inode; @param size bytes
 */
static inline void efs_set_disk_size(struct efs_inode *ei, loff_t size)
{
	ei->disk_size = size;
	efs_trans_log_inode(ei, false);
}

/* inode.c */
/**
 * Create an in-memory inode (not yet in the table).
 * @param fs filesystem; @param ino number
 * @return the inode
 */
struct efs_inode *efs_inode_alloc(struct extentfs *fs, uint64_t ino);
/** Free an inode that is in no table. @param ei inode */
void efs_inode_free(struct efs_inode *ei);
/**
 * Add @p ei to the inode table. @pre commit lock held.
 * @param fs filesystem; @param ei inode
 */
void efs_inode_table_add(struct extentfs *fs, struct efs_inode *ei);
/**
 * Remove @p ei from the inode table. @pre commit lock held.
 * @param fs filesystem; @param ei inode
 */
void efs_inode_table_remove(struct extentfs *fs, struct efs_inode *ei);
/**
 * Look an inode number up. @pre commit lock held.
 * @param fs filesystem; @param ino number
 * @return the inode or NULL
 */
struct efs_inode *efs_inode_lookup(struct extentfs *fs, uint64_t ino);
/**
 * Whether @p name is a valid file name (1..255 bytes, no '/', not "." or "..").
 * @param name the name
 * @return true if valid
 */
bool efs_name_valid(const char *name);
/**
 * Find @p name. @pre commit lock held.
 * @param fs filesystem; @param name the name
 * @return index in fs->dir, or -1
 */
ssize_t efs_dir_lookup(struct extentfs *fs, const char *name);
/**
 * Add an entry (the name must not exist). @pre commit lock held.
 * @param fs filesystem; @param name the name; @param ino its inode
 */
void efs_dir_add(struct extentfs *fs, const char *name, uint64_t ino);
/**
 * Remove entry @p idx. @pre commit lock held.
 * @param fs filesystem; @param idx index from efs_dir_lookup()
 */
void efs_dir_remove(struct extentfs *fs, size_t idx);
/**
 * Create a file named @p name with one reference (xfs_create).
 * @pre commit lock held, the name does not exist, not shut down.
 * @param fs filesystem; @param name the name
 * @return the new inode
 */
struct efs_inode *efs_create(struct extentfs *fs, const char *name);
/**
 * Drop a reference; an unlinked inode with none left is freed with its
 * blocks (xfs_inactive).
 * @pre no lock of @p ei or the filesystem held.
 * @param ei inode
 */
void efs_iput(struct efs_inode *ei);
/**
 * Free every block of @p ei and remove it from the table (the end of
 * xfs_inactive).  @pre ilock EXCL and commit lock held.
 * @param ei inode
 */
void efs_inode_inactivate(struct efs_inode *ei);

/* inline.c */
/** @return whether @p ei keeps its data inline @param ei inode (ilock or i_rwsem held) */
static inline bool efs_inode_is_inline(const struct efs_inode *ei)
{
	return (__atomic_load_n(&ei->diflags, __ATOMIC_ACQUIRE) & EFS_DIFLAG_INLINE) != 0;
}
/** @return the inline capacity of @p fs in bytes @param fs filesystem */
static inline uint32_t efs_fs_inline_capacity(const struct extentfs *fs)
{
	return efs_inline_capacity(fs->blkbits);
}
/**
 * Make @p ei an inline inode: allocate its two buffers (zeroed) and set
 * EFS_DIFLAG_INLINE (efs_create on an inline image, and mount).
 * @pre ilock EXCL and commit lock held, or @p ei not yet visible.
 * @param ei inode (maps no blocks)
 */
void efs_inline_init(struct efs_inode *ei);
/** Free the inline buffers of @p ei (efs_inode_free). @param ei inode */
void efs_inline_free(struct efs_inode *ei);
/**
 * The IOMAP_INLINE mapping of an inline inode at @p pos (mirrors
 * gfs2_stuffed_iomap / erofs_iomap_begin): for a write, [0, capacity)
 * (the write may grow the file up to there); otherwise [0, i_size) if
 * @p pos lies below EOF, else a hole from @p pos to @p end.
 * @pre ilock held; efs_inode_is_inline(@p ei).
 * @param ei inode; @param pos first byte; @param end byte after the request
 *        (a block boundary, up to 2^63: unsigned); @param write true for the
 *        buffered and direct write ->iomap_begin only, whose ->iomap_end /
 *        completion persists the buffer (efs_inline_end_write); zeroing and
 *        every other lookup pass false
 * @param iomap output; its validity cookie is @p ei's mapping_seq
 */
void efs_inline_to_iomap(struct efs_inode *ei, loff_t pos, uint64_t end, bool write,
			 struct iomap *iomap);
/**
 * The ->iomap_end part of an inline write (design.rst: "->iomap_end
 * presumably handles persisting the data"): one transaction copies idata
 * into idata_disk and sets disk_size to i_size, so the next commit (fsync)
 * writes both.
 * @pre i_rwsem EXCL.
 * @param ei inode
 * @return 0 or -EIO (shut down)
 */
int efs_inline_end_write(struct efs_inode *ei);
/**
 * Change the size of an inline inode within its capacity: zero the bytes
 * past a smaller size, drop the (clean) page cache, set both sizes.
 * @pre i_rwsem and invalidate_lock EXCL; no direct I/O in flight;
 *      @p newsize <= capacity.
 * @param ei inode; @param newsize bytes
 * @return 0 or -EIO
 */
int efs_inline_setsize(struct efs_inode *ei, loff_t newsize);
/**
 * Convert an inline inode to an ordinary one (gfs2_unstuff_dinode): copy
 * its data into a newly allocated block, written before the commit that
 * maps it, as a written extent at file block 0; clear EFS_DIFLAG_INLINE.
 * An empty file just loses the flag.  Afterwards every mapping is a normal
 * one (the mapping_seq bump makes cached inline mappings stale).  No-op
 * for an ordinary inode.
 * @pre i_rwsem EXCL, no direct I/O in flight, no ilock or commit lock held.
 * @param ei inode
 * @return 0, -ENOSPC, -EIO
 */
int efs_inline_unstuff(struct efs_inode *ei);

/* alloc.c */
/**
 * Allocate up to @p want data blocks near @p goal (first fit at or after
 * the goal, then from the start of the data area; mirrors the spirit of
 * xfs_alloc_vextent_near_bno).  Keeps efs_meta_reserve() blocks free so
 * that the next commit can always be written.
 * @pre commit lock held.
 * @param fs filesystem; @param goal preferred first block; @param want blocks
 * @param got out: the run allocated (1 .. @p want blocks)
 * @return 0 or -ENOSPC
 */
int efs_alloc_data(struct extentfs *fs, uint64_t goal, uint64_t want, struct efs_bext *got);
/**
 * Data blocks a new allocation or delayed-allocation promise may still
 * take: free blocks at or above data_start, minus the part of the metadata
 * reserve the low area cannot hold, minus the promises already made (9).
 * @pre commit lock held.
 * @param fs filesystem; @param with_busy count busy blocks too (a commit
 *        would free them)
 * @return blocks
 */
uint64_t efs_data_blocks_available(struct extentfs *fs, bool with_busy);
/**
 * Allocate @p n blocks for a metadata chain, all or nothing: first fit in
 * the metadata reserve, then top-down from the end of the device.
 * @pre commit lock held.
 * @param fs filesystem; @param n blocks; @param out runs allocated (appended)
 * @return 0 or -ENOSPC
 */
int efs_alloc_meta(struct extentfs *fs, uint64_t n, struct efs_extlist *out);
/**
 * Free blocks: they become busy until the next commit is durable
 * (xfs_free_extent + xfs_extent_busy_insert).
 * @pre commit lock held.
 * @param fs filesystem; @param start first block; @param len blocks
 */
void efs_free_blocks(struct extentfs *fs, uint64_t start, uint64_t len);
/**
 * Blocks kept free for the next commit's metadata chain: an upper bound of
 * the stream size now, plus slack for the records an operation may add.
 * @pre commit lock held.
 * @param fs filesystem
 * @return blocks
 */
uint64_t efs_meta_reserve(struct extentfs *fs);
/**
 * Chain blocks needed for a stream of @p bytes.
 * @param fs filesystem; @param bytes stream length
 * @return blocks (at least 1)
 */
uint64_t efs_chain_blocks_for(const struct extentfs *fs, uint64_t bytes);

/* bmap.c */
/**
 * Allocate every unmapped block of [fblock, fblock+len) as new extents in
 * state @p state (the core of xfs_alloc_file_space / xfs_bmapi_write).
 * @pre transaction open on @p ei.
 * @param ei inode; @param fblock first block; @param len blocks
 * @param state EFS_EXT_UNWRITTEN or EFS_EXT_NORM
 * @return 0, -ENOSPC (what was allocated stays), -EIO
 */
int efs_bmap_alloc_range(struct efs_inode *ei, uint64_t fblock, uint64_t len, uint32_t state);
/**
 * Unmap [fblock, fblock+len) and drop one reference of each device block;
 * blocks nobody maps any more are freed (xfs_bunmapi + xfs_refcount).
 * @pre transaction open on @p ei.
 * @param ei inode; @param fblock first block; @param len blocks
 */
void efs_bunmapi(struct efs_inode *ei, uint64_t fblock, uint64_t len);
/**
 * Allocate ONE extent for the hole at @p fblock: up to @p len blocks (fewer
 * if free space is fragmented) at efs_bmap_goal(), in state @p state
 * (xfs_bmapi_write with one map, as xfs_iomap_write_direct calls it).
 * @pre transaction open on @p ei; [fblock, fblock+len) is a hole.
 * @param ei inode; @param fblock first block; @param len most blocks
 * @param state EFS_EXT_UNWRITTEN or EFS_EXT_NORM
 * @param out the extent allocated (not merged with its neighbours)
 * @return 0, -ENOSPC, -EIO
 */
int efs_bmap_alloc_one(struct efs_inode *ei, uint64_t fblock, uint64_t len, uint32_t state,
		       struct efs_irec *out);
/**
 * efs_alloc_data(), first forcing a commit when only busy blocks stand in
 * the way (xfs_extent_busy_flush).
 * @pre commit lock held.
 * @param fs filesystem; @param goal preferred block; @param want blocks
 * @param got out: the run allocated
 * @return 0, -ENOSPC, -EIO
 */
int efs_bmap_alloc_blocks(struct extentfs *fs, uint64_t goal, uint64_t want,
			  struct efs_bext *got);
/**
 * Convert unwritten extents in [fblock, fblock+len) to written — what I/O
 * completion does after writing into unwritten space
 * (xfs_iomap_write_unwritten); used by the direct and buffered write issues
 * and by tests today.
 * @pre transaction open on @p ei.
 * @param ei inode; @param fblock first block; @param len blocks
 * @return blocks converted
 */
uint64_t efs_bmap_convert_unwritten(struct efs_inode *ei, uint64_t fblock, uint64_t len);
/**
 * Allocation goal for file block @p fblock: keep the file's relative layout
 * (the previous extent's device block plus the file distance, else the
 * next extent's, else the start of the data area); mirrors xfs_bmap_adjacent.
 * @pre ilock held.
 * @param ei inode; @param fblock file block
 * @return device block
 */
uint64_t efs_bmap_goal(struct efs_inode *ei, uint64_t fblock);
/**
 * Read the mapping at @p fblock trimmed to [fblock, end) — an extent, or a
 * hole up to the next extent (mirrors xfs_bmapi_read for one record).
 * @pre ilock held (or commit lock).
 * @param ei inode; @param fblock first block; @param end block after the range
 * @param rec out
 */
void efs_bmapi_read(struct efs_inode *ei, uint64_t fblock, uint64_t end, struct efs_irec *rec);
/**
 * efs_bmapi_read() on any fork's extent list.
 * @pre ilock held (or commit lock).
 * @param m the fork; @param fblock first block; @param end block after the range
 * @param rec out
 */
void efs_ifork_read(const struct efs_iext *m, uint64_t fblock, uint64_t end, struct efs_irec *rec);

/**
 * Reserve a delayed allocation for the hole [fblock, fblock+len) of a
 * fork: an EFS_DELAYSTARTBLOCK extent, counted in fs->delalloc_blocks
 * (mirrors xfs_bmapi_reserve_delalloc).  Not metadata: the inode is not
 * logged, only mapping_seq moves.
 * @pre transaction open on @p ei; the range is a hole of that fork.
 * @param ei inode; @param whichfork EFS_DATA_FORK or EFS_COW_FORK
 * @param fblock first block; @param len blocks
 * @return 0, or -ENOSPC when free (and busy) blocks cannot cover it
 */
int efs_bmap_reserve_delalloc(struct efs_inode *ei, int whichfork, uint64_t fblock, uint64_t len);
/**
 * Drop the delayed allocations in [fblock, fblock+len) of a fork, leaving
 * real extents alone (mirrors xfs_bmap_punch_delalloc_range).
 * @pre transaction open on @p ei.
 * @param ei inode; @param whichfork EFS_DATA_FORK or EFS_COW_FORK
 * @param fblock first block; @param len blocks
 * @return blocks released
 */
uint64_t efs_bmap_punch_delalloc(struct efs_inode *ei, int whichfork, uint64_t fblock,
				 uint64_t len);
/**
 * Turn the delayed allocation covering @p fblock into real UNWRITTEN
 * extents, the WHOLE reservation (from its first block) so that it lands
 * contiguously, as far as free space allows (mirrors
 * xfs_bmapi_convert_delalloc).  Converts until the block at @p fblock is
 * real.  In the data fork the inode is logged; COW fork blocks are staging,
 * not on disk, so only mapping_seq moves.
 * @pre transaction open on @p ei.
 * @param ei inode; @param whichfork EFS_DATA_FORK or EFS_COW_FORK
 * @param fblock a block of a delayed allocation
 * @param out the fork's extent now covering @p fblock (whole), or the
 *        hole there if the reservation was punched meanwhile
 * @return 0, -ENOSPC, -EIO
 */
int efs_bmap_convert_delalloc(struct efs_inode *ei, int whichfork, uint64_t fblock,
			      struct efs_irec *out);

/* reflink.c */
/**
 * Trim a written extent of a reflinked inode to a wholly shared or wholly
 * unshared run (mirrors xfs_reflink_trim_around_shared); takes the commit
 * lock briefly for the reference counts.
 * @pre ilock held (shared is enough).
 * @param ei inode; @param rec the mapping (trimmed in place); @param shared out
 */
void efs_reflink_trim_around_shared(struct efs_inode *ei, struct efs_irec *rec, bool *shared);
/**
 * Share the written blocks of [sfb, sfb+len) of @p src at @p dfb of @p dst,
 * replacing what dst mapped there (holes and unwritten source blocks leave
 * holes), and set dst's reflink flag (mirrors xfs_reflink_remap_blocks).
 * @pre transaction open on @p dst (the commit lock keeps src's map stable);
 *      src already carries EFS_DIFLAG_REFLINK, set in a transaction of its
 *      own (file.c, as xfs_reflink_set_inode_flag) so that no two ilocks
 *      are ever held at once.
 * @param src source; @param sfb source block; @param dst destination
 * @param dfb destination block; @param len blocks
 */
void efs_reflink_remap_blocks(struct efs_inode *src, uint64_t sfb, struct efs_inode *dst,
			      uint64_t dfb, uint64_t len);
/**
 * Give [off, off+len) private copies of its shared written blocks
 * (xfs_reflink_unshare): iomap_file_unshare dirties the shared data in the
 * page cache through COW fork reservations, writeback copies it out, and
 * the reflink flag goes (with any COW staging left) when nothing of the
 * file is shared any more.
 * @pre i_rwsem and invalidate_lock held exclusive.
 * @param ei inode; @param off first byte; @param len bytes
 * @return 0, -ENOSPC, -EIO
 */
int efs_reflink_unshare(struct efs_inode *ei, loff_t off, loff_t len);
/**
 * Stage blocks for a copy-on-write of the shared written run at @p fblock
 * (xfs_reflink_allocate_cow with convert_now): reuse what the COW fork
 * already holds there, else allocate new blocks for up to @p len blocks
 * (not past the next staged extent).  The staged extent is written state:
 * the direct write fills it completely (only block-aligned writes COW).
 * @pre transaction open on @p ei.
 * @param ei inode; @param fblock first block; @param len most blocks
 * @param out the staged extent covering @p fblock
 * @return 0, -ENOSPC, -EIO
 */
int efs_reflink_allocate_cow(struct efs_inode *ei, uint64_t fblock, uint64_t len,
			     struct efs_irec *out);
/**
 * Reserve copy-on-write space for a buffered write into the shared run
 * [fblock, fblock+len): a delayed allocation in the COW fork, widened to
 * EFS_COWEXTSZ alignment but not over neighbouring COW fork extents
 * (xfs_reflink_allocate_cow's buffered sibling: xfs_bmapi_reserve_delalloc
 * on XFS_COW_FORK with the cowextsize hint).
 * @pre transaction open on @p ei; the COW fork has no extent at @p fblock.
 * @param ei inode; @param fblock first block; @param len blocks
 * @param out the COW fork extent now covering @p fblock (merged, whole)
 * @return 0 or -ENOSPC
 */
int efs_reflink_reserve_cow(struct efs_inode *ei, uint64_t fblock, uint64_t len,
			    struct efs_irec *out);
/**
 * Mark the allocated staging of [fblock, fblock+len) written, just before
 * writeback sends data there (xfs_reflink_convert_cow): from then on
 * efs_reflink_end_cow remaps it, while the unwritten padding around it
 * stays staged.  Delayed allocations are left alone.
 * @pre transaction open on @p ei.
 * @param ei inode; @param fblock first block; @param len blocks
 * @return blocks converted
 */
uint64_t efs_reflink_convert_cow(struct efs_inode *ei, uint64_t fblock, uint64_t len);
/**
 * Move the written staged blocks of [fblock, fblock+len) from the COW fork
 * into the data fork, dropping one reference of the blocks they replace
 * (xfs_reflink_end_cow).  Delayed allocations and unwritten staging there
 * stay (nothing was written through them: efs_reflink_convert_cow marks
 * what writeback writes through).
 * @pre transaction open on @p ei.
 * @param ei inode; @param fblock first block; @param len blocks
 * @return blocks remapped
 */
uint64_t efs_reflink_end_cow(struct efs_inode *ei, uint64_t fblock, uint64_t len);
/**
 * Drop the staging of [fblock, fblock+len) from the COW fork; real blocks
 * go straight back to the free list, since no committed state ever owned
 * them, and delayed allocations give their promise back
 * (xfs_reflink_cancel_cow_range).
 * @pre transaction open on @p ei (or ilock EXCL and commit lock held).
 * @param ei inode; @param fblock first block; @param len blocks
 * @return blocks freed
 */
uint64_t efs_reflink_cancel_cow(struct efs_inode *ei, uint64_t fblock, uint64_t len);
/**
 * Whether any written extent of @p ei maps shared blocks.
 * @pre commit lock held.
 * @param ei inode
 * @return true if shared
 */
bool efs_inode_has_shared(struct efs_inode *ei);

/* commit.c */
/** A growable byte buffer for the metadata stream. */
struct efs_stream {
	uint8_t *buf; /**< bytes */
	size_t len;   /**< used */
	size_t cap;   /**< allocated */
};
/** Record counts of a serialised stream (they go into the superblock). */
struct efs_counts {
	uint64_t ninodes;     /**< inode records */
	uint64_t nextents;    /**< extent records */
	uint64_t ndirents;    /**< directory entries */
	uint64_t nrefcount;   /**< refcount records */
	uint64_t nfree;       /**< free records */
	uint64_t free_blocks; /**< blocks in them */
};
/**
 * Serialise the metadata into @p s.  For a commit (@p for_commit) the free
 * records are free ∪ busy ∪ the old chain ∪ COW fork staging — everything
 * the new state does not use; otherwise (the in-core checker) just the free list.
 * @pre commit lock held.
 * @param fs filesystem; @param for_commit see above; @param s output (reset)
 * @param c output counts
 */
void efs_serialize(struct extentfs *fs, bool for_commit, struct efs_stream *s,
		   struct efs_counts *c);
/**
 * Fill the superblock that describes the serialised stream @p s (its
 * length and checksum, the counts @p c) and the filesystem's geometry.
 * efs_commit_locked() writes it; the in-core checker parses the stream
 * against it without a chain.
 * @param fs filesystem; @param sb output (cleared first)
 * @param s the stream; @param c its counts (efs_serialize)
 * @param chain the metadata chain holding @p s, or NULL for none (head
 *        and block count 0)
 * @param gen generation; @param slot superblock slot (0 or 1)
 */
void efs_fill_sb(const struct extentfs *fs, struct efs_dsb *sb, const struct efs_stream *s,
		 const struct efs_counts *c, const struct efs_extlist *chain, uint64_t gen,
		 unsigned slot);
/**
 * Commit all metadata, crash-safely (see commit.c).  Nothing to commit:
 * only a cache flush.  An I/O error shuts the filesystem down.
 * @pre commit lock held.
 * @param fs filesystem
 * @return 0, -ENOSPC (nothing written), -EIO
 */
int efs_commit_locked(struct extentfs *fs);
/**
 * Take the commit lock and commit.
 * @param fs filesystem
 * @return as efs_commit_locked()
 */
int efs_commit(struct extentfs *fs);

/* image.c */
/** Where problems found in an image go. */
struct efs_report {
	FILE *out;          /**< print each problem here (NULL: keep only the first) */
	unsigned problems;  /**< inconsistencies found */
	unsigned notes;     /**< remarks that are not problems */
	char first[256];    /**< the first problem, for mount's message */
};
/**
 * Record a problem.
 * @param r report; @param fmt printf format
 */
void efs_problem(struct efs_report *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/**
 * Record a remark that is not an inconsistency.
 * @param r report; @param fmt printf format
 */
void efs_note(struct efs_report *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** An inode record as read from the stream. */
struct efs_image_inode {
	uint64_t ino;       /**< number */
	uint64_t size;      /**< bytes */
	uint64_t nextents;  /**< extents, in img->ext from first_ext */
	uint64_t first_ext; /**< index of its first extent */
	uint32_t nlink;     /**< 0 or 1 */
	uint32_t flags;     /**< EFS_DIFLAG_* */
	uint8_t *idata;     /**< EFS_DIFLAG_INLINE: the inline bytes, `size` of them
	                         (malloc'd, freed by efs_image_free()); else NULL */
};
/** A directory entry as read from the stream. */
struct efs_image_dirent {
	uint64_t ino;                  /**< inode */
	char name[EFS_NAME_MAX + 1];   /**< NUL-terminated */
};
/** A parsed image (or a snapshot of a mounted filesystem). */
struct efs_image {
	struct efs_dsb sb;               /**< the superblock in use */
	unsigned slot;                   /**< its slot */
	uint64_t devsize;                /**< device bytes */
	struct efs_bext *meta;           /**< metadata chain blocks, one run per block */
	size_t nmeta;                    /**< runs */
	struct efs_image_inode *inodes;  /**< inode records */
	size_t ninodes;                  /**< count */
	struct efs_irec *ext;            /**< all extent records */
	size_t next;                     /**< count */
	struct efs_image_dirent *dir;    /**< directory entries */
	size_t ndir;                     /**< count */
	struct efs_refc *refc;           /**< reference count records */
	size_t nrefc;                    /**< count */
	struct efs_bext *free;           /**< free records */
	size_t nfree;                    /**< count */
};
/**
 * Read the superblock slots, pick the current one, read its metadata chain
 * and parse the stream (no cross-checks: efs_image_verify()).
 * @param bdev device; @param img output (free with efs_image_free())
 * @param r report
 * @return 0, -EUCLEAN (problems in @p r), -EINVAL (block size below the
 *         device's sector), -EIO
 */
int efs_image_read(struct block_device *bdev, struct efs_image *img, struct efs_report *r);
/**
 * Parse a metadata stream into @p img (whose sb holds the counts).
 * @param img image; @param buf stream; @param len bytes; @param r report
 * @return 0 or -EUCLEAN
 */
int efs_image_parse(struct efs_image *img, const uint8_t *buf, size_t len, struct efs_report *r);
/**
 * Check every [D] invariant of the image; @p busy adds the in-memory busy
 * list as a fourth kind of owner (NULL for on-disk images).
 * @param img image; @param busy busy runs or NULL; @param r report
 * @return number of problems found
 */
unsigned efs_image_verify(const struct efs_image *img, const struct efs_extlist *busy,
			  struct efs_report *r);
/** Free what efs_image_read()/parse allocated. @param img image */
void efs_image_free(struct efs_image *img);

/* super.c */
/**
 * Allocate a filesystem structure with its locks and geometry (used by
 * mount and mkfs); sb.s_bdev points at fs->bdev, which the caller opens.
 * @param b backend; @param block_log log2(block size); @param nblocks size
 * @param data_start first data block
 * @return the filesystem
 */
struct extentfs *efs_fs_alloc(struct backend *b, unsigned block_log, uint64_t nblocks,
			      uint64_t data_start);
/** Free a filesystem structure and everything in it. @param fs filesystem */
void efs_fs_free(struct extentfs *fs);
/**
 * Write a superblock into @p slot with FUA (durable when it returns 0).
 * @pre commit lock held.
 * @param fs filesystem; @param slot 0 or 1; @param sb the superblock
 * @return 0 or -errno
 */
int efs_write_sb(struct extentfs *fs, unsigned slot, const struct efs_dsb *sb);

/* check.c */
/**
 * Check every numbered invariant of a mounted filesystem (serialises the
 * state and runs the on-disk checker over it, plus the in-memory ones).
 * @param fs filesystem; @param out where to print problems (may be NULL)
 * @return number of problems (0 = consistent)
 */
unsigned efs_check_incore(struct extentfs *fs, FILE *out);

/* file.c */
/** The file operations extentfs sets in every struct file (fsync). */
extern const struct file_operations extentfs_file_operations;
/** Lock class of every inode's i_flags_lock ("i_flags_lock", INTERNAL). */
extern struct lock_class efs_iflags_class;
/** The iomap_ops for FIEMAP_FLAG_XATTR: there is no attribute fork (-ENOENT). */
extern const struct iomap_ops extentfs_xattr_iomap_ops;

/* iomap.c */
/**
 * Fill @p iomap from an extent record (mirrors xfs_bmbt_to_iomap): HOLE,
 * DELALLOC, UNWRITTEN or MAPPED; IOMAP_F_DIRTY while the inode has
 * uncommitted metadata.
 * @param ei inode; @param iomap output; @param rec the record
 * @param mapping_flags IOMAP_F_* to set; @param seq validity cookie
 */
void efs_bmbt_to_iomap(struct efs_inode *ei, struct iomap *iomap, const struct efs_irec *rec,
		       uint16_t mapping_flags, uint64_t seq);

/* aops.c */
/** The address space operations of every extentfs inode (xfs_address_space_operations). */
extern const struct address_space_operations extentfs_aops;
/** Writeback callbacks (xfs_writeback_ops). */
extern const struct iomap_writeback_ops extentfs_writeback_ops;
/**
 * Prepare an inode's ioend completion state (list, lock, work item).
 * @param ei inode
 */
void efs_ioend_init(struct efs_inode *ei);
/**
 * Run every ioend completion of the filesystem queued so far (xfs_end_io
 * work): used before an inode is freed and by unmount.
 * @param fs filesystem
 */
void efs_flush_ioends(struct extentfs *fs);

#endif /* EXTENTFS_PRIV_H */
