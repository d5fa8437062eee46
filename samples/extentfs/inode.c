/**
 * @file inode.c
 * @brief Inodes, their transactions, and the flat root directory (mirrors
 *        the parts of xfs_inode.c, xfs_trans.c and xfs_dir2.c that a flat
 *        directory needs).
 *
 * Life of an inode:
 *
 *     (none) --efs_create--> linked, i_count 1 --close/efs_iput--> linked, i_count 0
 *     linked --extentfs_unlink--> orphan (nlink 0) --last efs_iput--> freed with its blocks
 *     orphan at a commit --> written with nlink 0; freed by the next mount
 *
 * Every inode of the filesystem is in memory while it is mounted (the table
 * fs->inodes, sorted by number): a flat directory of a sample filesystem
 * does not need an inode cache.  Lookups by name go through fs->dir,
 * sorted by name; both are binary searches.
 *
 * A transaction on an inode (efs_trans_begin .. efs_trans_end) holds its
 * ilock EXCL and the commit lock; efs_trans_log_inode() marks what changed.
 *
 * Never: free an inode that has references or is in the table; take the
 * commit lock before an ilock.
 *
 * Locking: the commit lock protects fs->inodes, fs->dir, fs->next_ino and
 * each inode's nlink and i_count.
 */
#include <stdlib.h>
#include <string.h>

#include "extentfs_priv.h"

DEFINE_LOCK_CLASS(efs_ilock_class, "ilock", LOCK_LEVEL_LOWER);
DEFINE_LOCK_CLASS(efs_iflags_class, "i_flags_lock", LOCK_LEVEL_INTERNAL);

int efs_trans_begin(struct efs_inode *ei)
{
	struct extentfs *fs = EFS_FS(ei);

	down_write(&ei->ilock);
	mutex_lock(&fs->commit_lock);
	if (fs->shutdown) {
		mutex_unlock(&fs->commit_lock);
		up_write(&ei->ilock);
		return -EIO;
	}
	return 0;
}

void efs_trans_end(struct efs_inode *ei)
{
	mutex_unlock(&EFS_FS(ei)->commit_lock);
	up_write(&ei->ilock);
}

void efs_trans_log_inode(struct efs_inode *ei, bool mapping)
{
	if (mapping)
		ei->mapping_seq++;
	/* (8): the filesystem is dirty before any inode says so. */
	EFS_FS(ei)->dirty = true;
	__atomic_store_n(&ei->meta_dirty, 1, __ATOMIC_RELEASE);
}

struct efs_inode *efs_inode_alloc(struct extentfs *fs, uint64_t ino)
{
	struct efs_inode *ei = efs_xcalloc(1, sizeof(*ei));

	inode_init(&ei->vfs, &fs->sb, ino);
	ei->vfs.i_private = ei;
	ei->vfs.i_blkbits = fs->blkbits;
	/* xfs_setup_inode: iomap's page cache operations, large folios. */
	ei->vfs.i_mapping->a_ops = &extentfs_aops;
	mapping_set_large_folios(ei->vfs.i_mapping);
	efs_ioend_init(ei);
	init_rwsem(&ei->ilock, &efs_ilock_class, "ilock");
	mutex_init_class(&ei->i_flags_lock, &efs_iflags_class, "i_flags_lock");
	return ei;
}

void efs_inode_free(struct efs_inode *ei)
{
	inode_destroy(&ei->vfs);
	rwsem_destroy(&ei->ilock);
	mutex_destroy_class(&ei->i_flags_lock);
	pthread_mutex_destroy(&ei->ioend_lock);
	efs_iext_free(&ei->df);
	efs_iext_free(&ei->cf);
	efs_inline_free(ei);
	free(ei);
}

/* Index of the first inode with number >= ino. */
static size_t inode_table_find(const struct extentfs *fs, uint64_t ino)
{
	size_t lo = 0, hi = fs->ninodes;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (fs->inodes[mid]->vfs.i_ino < ino)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void efs_inode_table_add(struct extentfs *fs, struct efs_inode *ei)
{
	size_t i = inode_table_find(fs, ei->vfs.i_ino);

	EFS_BUG_ON(i < fs->ninodes && fs->inodes[i]->vfs.i_ino == ei->vfs.i_ino);
	if (fs->ninodes == fs->inodes_cap) {
		fs->inodes_cap = fs->inodes_cap ? 2 * fs->inodes_cap : 16;
		fs->inodes = efs_xrealloc(fs->inodes, fs->inodes_cap, sizeof(*fs->inodes));
	}
	memmove(&fs->inodes[i + 1], &fs->inodes[i], (fs->ninodes - i) * sizeof(*fs->inodes));
	fs->inodes[i] = ei;
	fs->ninodes++;
}

void efs_inode_table_remove(struct extentfs *fs, struct efs_inode *ei)
{
	size_t i = inode_table_find(fs, ei->vfs.i_ino);

	EFS_BUG_ON(i >= fs->ninodes || fs->inodes[i] != ei);
	memmove(&fs->inodes[i], &fs->inodes[i + 1], (fs->ninodes - i - 1) * sizeof(*fs->inodes));
	fs->ninodes--;
}

struct efs_inode *efs_inode_lookup(struct extentfs *fs, uint64_t ino)
{
	size_t i = inode_table_find(fs, ino);

	return i < fs->ninodes && fs->inodes[i]->vfs.i_ino == ino ? fs->inodes[i] : NULL;
}

bool efs_name_valid(const char *name)
{
	size_t len;

	if (!name)
		return false;
	len = strnlen(name, EFS_NAME_MAX + 1);
	if (len == 0 || len > EFS_NAME_MAX || strchr(name, '/'))
		return false;
	return strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

/* Index of the first entry whose name is >= name. */
static size_t dir_find(const struct extentfs *fs, const char *name)
{
	size_t lo = 0, hi = fs->ndir;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(fs->dir[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

ssize_t efs_dir_lookup(struct extentfs *fs, const char *name)
{
	size_t i = dir_find(fs, name);

	return i < fs->ndir && strcmp(fs->dir[i].name, name) == 0 ? (ssize_t)i : -1;
}

void efs_dir_add(struct extentfs *fs, const char *name, uint64_t ino)
{
	size_t i = dir_find(fs, name);

	EFS_BUG_ON(i < fs->ndir && strcmp(fs->dir[i].name, name) == 0);
	if (fs->ndir == fs->dir_cap) {
		fs->dir_cap = fs->dir_cap ? 2 * fs->dir_cap : 16;
		fs->dir = efs_xrealloc(fs->dir, fs->dir_cap, sizeof(*fs->dir));
	}
	memmove(&fs->dir[i + 1], &fs->dir[i], (fs->ndir - i) * sizeof(*fs->dir));
	fs->dir[i].name = strdup(name);
	EFS_BUG_ON(!fs->dir[i].name);
	fs->dir[i].ino = ino;
	fs->ndir++;
}

void efs_dir_remove(struct extentfs *fs, size_t idx)
{
	EFS_BUG_ON(idx >= fs->ndir);
	free(fs->dir[idx].name);
	memmove(&fs->dir[idx], &fs->dir[idx + 1], (fs->ndir - idx - 1) * sizeof(*fs->dir));
	fs->ndir--;
}

struct efs_inode *efs_create(struct extentfs *fs, const char *name)
{
	struct efs_inode *ei = efs_inode_alloc(fs, fs->next_ino++);

	/* Nobody else can see the new inode yet: its ilock is not needed. */
	ei->nlink = 1;
	ei->i_count = 1;
	/* On an inline image every file starts inline (inline.c), empty. */
	if (fs->features & EFS_FEAT_INLINE_DATA)
		efs_inline_init(ei);
	efs_inode_table_add(fs, ei);
	efs_dir_add(fs, name, ei->vfs.i_ino);
	fs->dirty = true;
	__atomic_store_n(&ei->meta_dirty, 1, __ATOMIC_RELEASE);
	return ei;
}

void efs_inode_inactivate(struct efs_inode *ei)
{
	struct extentfs *fs = EFS_FS(ei);

	efs_bunmapi(ei, 0, fs->max_fblock);
	/* Staging left by a failed copy-on-write goes back to the free list. */
	efs_reflink_cancel_cow(ei, 0, fs->max_fblock);
	efs_iext_free(&ei->cf);
	efs_inode_table_remove(fs, ei);
	fs->dirty = true;
}

void efs_iput(struct efs_inode *ei)
{
	struct extentfs *fs = EFS_FS(ei);
	bool evict;

	mutex_lock(&fs->commit_lock);
	EFS_BUG_ON(ei->i_count == 0);
	evict = --ei->i_count == 0 && ei->nlink == 0;
	mutex_unlock(&fs->commit_lock);
	if (!evict)
		return;

	/*
	 * No direct I/O may complete into blocks being freed (XFS waits in
	 * xfs_inactive's truncate path); extentfs_close() already waited for
	 * the file's own requests, this covers every other path here.
	 */
	inode_dio_wait(&ei->vfs);
	/*
	 * The data of a file nobody can open again is dropped, not written
	 * (evict's truncate_inode_pages_final); writeback already in flight
	 * ends first, and its completion work must have run before the inode
	 * (which embeds the work item) goes.
	 */
	truncate_pagecache_range(ei->vfs.i_mapping, 0, INT64_MAX);
	efs_flush_ioends(fs);
	/* ilock before the commit lock; then check nobody took a reference. */
	down_write(&ei->ilock);
	mutex_lock(&fs->commit_lock);
	evict = ei->i_count == 0;
	if (evict)
		efs_inode_inactivate(ei);
	mutex_unlock(&fs->commit_lock);
	up_write(&ei->ilock);
	if (evict)
		efs_inode_free(ei);
}
