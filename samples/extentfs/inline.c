/**
 * @file inline.c
 * @brief Inline data: small files kept inside their inode record, as gfs2
 *        "stuffs" them and erofs packs them (IOMAP_INLINE mappings;
 *        docs/FORMAT.md, "Inline data").
 *
 * Only on an image made with `-i inline=1` (EFS_FEAT_INLINE_DATA): every
 * file starts inline there (efs_create), with an empty buffer.  While it
 * is inline the iomap_ops of iomap.c answer with one IOMAP_INLINE mapping
 * whose `inline_data` points at the inode's buffer `idata`, and the iomap
 * core copies bytes instead of building bios:
 *
 *     operation           what happens                          where
 *     page cache read     copy idata, zero the rest of the      iomap_read_inline_data
 *                         folio (no bio)
 *     buffered write      folio filled from idata, the new      iomap_write_begin_inline,
 *                         bytes copied back into idata; the     iomap_write_end_inline,
 *                         folio stays clean                     efs_inline_end_write
 *     direct read/write   memcpy to / from idata                iomap_dio_inline_iter
 *     FIEMAP              one extent, DATA_INLINE|NOT_ALIGNED   iomap_to_fiemap
 *     SEEK_DATA/HOLE      data in [0, size), a hole after       iomap_seek_*
 *     swapon, FIBMAP      refused / 0                           swapfile.c, fiemap.c
 *
 * The life of an inline file (arrows name the function):
 *
 *       efs_create                         efs_inline_unstuff
 *     ─────────────> INLINE (size <= cap) ──────────────────> EXTENTS
 *                     │  ^                 write past cap, fallocate, punch,
 *                     └──┘                 reflink, truncate past cap,
 *       write / truncate within cap        mmap write fault
 *       (efs_inline_end_write,
 *        efs_inline_setsize)
 *
 * A file never goes back to inline.  Two copies of the data keep a commit
 * consistent: `idata` is what iomap reads and writes (i_rwsem), and
 * `idata_disk` what the next commit serialises (ilock + commit lock); the
 * transaction ending each inline write copies one into the other and
 * moves disk_size, exactly as I/O completion moves disk_size for block
 * data.  Invariant (10) of extentfs_priv.h: no blocks mapped, size <= cap,
 * bytes past the size zero.
 *
 * Never: hand out `idata` for a range past the capacity (the mapping
 * would lie); free the buffers before the inode (a page fault may be
 * copying from them when a write unstuffs the file).
 *
 * Locking: see struct efs_inode (idata: i_rwsem; idata_disk, diflags:
 * ilock EXCL + commit lock).
 */
#include <stdlib.h>
#include <string.h>

#include <iomap/mm.h>

#include "extentfs_priv.h"

void efs_inline_init(struct efs_inode *ei)
{
	size_t cap = efs_fs_inline_capacity(EFS_FS(ei));

	/* Aligned to its own (power-of-two) size: never crosses a page.  Only
	 * a new inode becomes inline, so there are no buffers yet. */
	EFS_BUG_ON(ei->idata || ei->idata_disk);
	ei->idata = aligned_alloc(cap, cap);
	ei->idata_disk = aligned_alloc(cap, cap);
	EFS_BUG_ON(!ei->idata || !ei->idata_disk);
	memset(ei->idata, 0, cap);
	memset(ei->idata_disk, 0, cap);
	__atomic_or_fetch(&ei->diflags, EFS_DIFLAG_INLINE, __ATOMIC_RELEASE);
}

void efs_inline_free(struct efs_inode *ei)
{
	free(ei->idata);
	free(ei->idata_disk);
	ei->idata = NULL;
	ei->idata_disk = NULL;
}

void efs_inline_to_iomap(struct efs_inode *ei, loff_t pos, uint64_t end, bool write,
			 struct iomap *iomap)
{
	struct extentfs *fs = EFS_FS(ei);
	loff_t size = i_size_read(&ei->vfs);

	memset(iomap, 0, sizeof(*iomap));
	iomap->addr = IOMAP_NULL_ADDR;
	iomap->bdev = fs->sb.s_bdev;
	iomap->validity_cookie = ei->mapping_seq;
	if (write || pos < size) {
		/*
		 * gfs2 maps [0, i_size) for reads and [0, max stuffed size)
		 * for writes; the core copies at most i_size bytes either way
		 * and zeroes the rest of the folio.
		 */
		iomap->offset = 0;
		iomap->length = write ? efs_fs_inline_capacity(fs) : (uint64_t)size;
		iomap->type = IOMAP_INLINE;
		iomap->inline_data = ei->idata;
		if (efs_inode_meta_dirty(ei))
			iomap->flags |= IOMAP_F_DIRTY;
		return;
	}
	/* Past EOF of an inline file there is nothing: a hole to the end. */
	iomap->offset = pos;
	iomap->length = end - (uint64_t)pos;
	iomap->type = IOMAP_HOLE;
}

int efs_inline_end_write(struct efs_inode *ei)
{
	int ret = efs_trans_begin(ei);

	if (ret)
		return ret;
	if (ei->diflags & EFS_DIFLAG_INLINE) {
		memcpy(ei->idata_disk, ei->idata, efs_fs_inline_capacity(EFS_FS(ei)));
		efs_set_disk_size(ei, i_size_read(&ei->vfs));
	}
	efs_trans_end(ei);
	return 0;
}

int efs_inline_setsize(struct efs_inode *ei, loff_t newsize)
{
	struct inode *inode = &ei->vfs;
	loff_t oldsize = i_size_read(inode);
	int ret;

	EFS_BUG_ON(newsize < 0 || (uint64_t)newsize > efs_fs_inline_capacity(EFS_FS(ei)));
	/* (10): what lies past the new EOF reads as zeroes if the file grows again. */
	if (newsize < oldsize)
		memset(ei->idata + newsize, 0, (size_t)(oldsize - newsize));
	/* Inline folios are never dirty: dropping them loses nothing. */
	truncate_pagecache_range(inode->i_mapping, 0, INT64_MAX);
	ret = efs_trans_begin(ei);
	if (ret)
		return ret;
	i_size_write(inode, newsize);
	memcpy(ei->idata_disk, ei->idata, efs_fs_inline_capacity(EFS_FS(ei)));
	efs_set_disk_size(ei, newsize);
	efs_trans_end(ei);
	return 0;
}

int efs_inline_unstuff(struct efs_inode *ei)
{
	struct extentfs *fs = EFS_FS(ei);
	struct efs_irec rec;
	loff_t size;
	int ret;

	if (!efs_inode_is_inline(ei))
		return 0;
	ret = efs_trans_begin(ei);
	if (ret)
		return ret;
	if (!(ei->diflags & EFS_DIFLAG_INLINE))
		goto out;
	size = i_size_read(&ei->vfs);
	if (size > 0) {
		uint8_t *blk;

		/*
		 * One written block at file block 0.  Its data goes to the
		 * device now; the commit that maps it flushes the cache before
		 * its superblock, so the block is durable first (a crash
		 * before leaves the file inline, as the last commit wrote it).
		 */
		ret = efs_bmap_alloc_one(ei, 0, 1, EFS_EXT_NORM, &rec);
		if (ret)
			goto out;
		blk = efs_io_alloc(fs->blocksize);
		memcpy(blk, ei->idata, (size_t)size);
		ret = blkdev_rw(&fs->bdev, REQ_OP_WRITE, rec.dblock << fs->blkbits, blk,
				fs->blocksize);
		free(blk);
		if (ret) {
			efs_bunmapi(ei, 0, 1);
			goto out;
		}
	}
	__atomic_and_fetch(&ei->diflags, ~EFS_DIFLAG_INLINE, __ATOMIC_RELEASE);
	/* The data of [0, size) is in the block now (or there is none). */
	ei->disk_size = size;
	/* A mapping change: cached IOMAP_INLINE mappings become stale. */
	efs_trans_log_inode(ei, true);
out:
	efs_trans_end(ei);
	return ret;
}
