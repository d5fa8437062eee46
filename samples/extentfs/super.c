/**
 * @file super.c
 * @brief Mount, unmount, sync, and the superblock write (mirrors
 *        xfs_super.c / xfs_mount.c).
 *
 * How to use:
 *
 *     struct extentfs *fs;
 *     if (extentfs_mount(backend, MKDEV(7, 0), &fs) == 0) {
 *             ... extentfs_open / fallocate / fsync ...
 *             extentfs_unmount(fs);     // commits and frees
 *     }
 *
 * Mount reads the image through image.c (the same code the checker uses),
 * refuses anything inconsistent with -EUCLEAN and a message on stderr —
 * and writes nothing, even for a good image: inodes left orphaned by a
 * crash are freed in memory, and the next commit records that.
 *
 * Unmount writes back every file, commits (commit.c), closes the block
 * device and frees everything.  After a failed commit the filesystem is
 * shut down and unmount writes nothing at all.
 *
 * Never: unmount with files still open (their struct file would dangle;
 * unmount reports -EBUSY and frees anyway); use a backend for two mounts.
 *
 * Locking: mount and unmount own the filesystem exclusively; sync takes the
 * commit lock only to collect the inodes, then writes back without it.
 */
#include <stdlib.h>
#include <string.h>

#include "extentfs_priv.h"

_Noreturn void efs_bug(const char *file, int line, const char *what)
{
	fprintf(stderr, "extentfs: internal error at %s:%d: %s\n", file, line, what);
	abort();
}

void *efs_xrealloc(void *p, size_t n, size_t size)
{
	void *q;

	if (size && n > SIZE_MAX / size)
		efs_bug(__FILE__, __LINE__, "allocation size overflow");
	q = realloc(p, n && size ? n * size : 1);
	if (!q)
		efs_bug(__FILE__, __LINE__, "out of memory");
	return q;
}

void *efs_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		efs_bug(__FILE__, __LINE__, "out of memory");
	return p;
}

void *efs_io_alloc(size_t len)
{
	void *p = NULL;

	/* O_DIRECT devices want sector-aligned memory; a page covers 4Kn too. */
	if (posix_memalign(&p, PAGE_SIZE, len ? len : 1))
		efs_bug(__FILE__, __LINE__, "out of memory");
	memset(p, 0, len);
	return p;
}

struct extentfs *efs_fs_alloc(struct backend *b, unsigned block_log, uint64_t nblocks,
			      uint64_t data_start)
{
	struct extentfs *fs = efs_xcalloc(1, sizeof(*fs));

	fs->backend = b;
	fs->lbs = b->logical_block_size;
	fs->blkbits = block_log;
	fs->blocksize = 1u << block_log;
	fs->nblocks = nblocks;
	fs->data_start = data_start;
	fs->max_fblock = (1ull << 63) >> block_log;
	fs->sb.s_blocksize_bits = block_log;
	fs->sb.s_blocksize = fs->blocksize;
	fs->sb.s_maxbytes = MAX_LFS_FILESIZE;
	fs->sb.s_bdev = &fs->bdev;
	fs->sb.s_fs_info = fs;
	fs->next_ino = EFS_FIRST_INO;
	mutex_init_class(&fs->commit_lock, &efs_commit_class, "extentfs_commit");
	/* xfs_init_mount_workqueues: m_unwritten_workqueue, for ioend completion. */
	fs->conv_wq = alloc_workqueue("extentfs-conv");
	if (!fs->conv_wq)
		efs_bug(__FILE__, __LINE__, "out of memory");
	return fs;
}

void efs_fs_free(struct extentfs *fs)
{
	/* Completion work refers to inodes: it finishes before they go. */
	if (fs->conv_wq) {
		if (fs->bdev_open)
			efs_flush_ioends(fs);
		destroy_workqueue(fs->conv_wq);
		fs->conv_wq = NULL;
	}
	for (size_t i = 0; i < fs->ninodes; i++)
		efs_inode_free(fs->inodes[i]);
	free(fs->inodes);
	for (size_t i = 0; i < fs->ndir; i++)
		free(fs->dir[i].name);
	free(fs->dir);
	efs_extlist_free(&fs->free);
	efs_extlist_free(&fs->busy);
	efs_extlist_free(&fs->chain);
	efs_refcl_free(&fs->refc);
	if (fs->bdev_open)
		blkdev_close(&fs->bdev);
	mutex_destroy_class(&fs->commit_lock);
	free(fs);
}

int efs_write_sb(struct extentfs *fs, unsigned slot, const struct efs_dsb *sb)
{
	uint8_t *buf = efs_io_alloc(fs->lbs);
	int ret;

	efs_sb_encode(sb, buf);
	/*
	 * FUA: the superblock is durable when the write completes (every
	 * backend honours it; the block layer would emulate it with a flush).
	 * Nothing may follow that needs a flush, so a failing flush can never
	 * leave a durable new superblock behind an error (efs-7.3).
	 */
	ret = blkdev_rw(&fs->bdev, REQ_OP_WRITE | REQ_FUA, (uint64_t)slot << fs->blkbits, buf,
			fs->lbs);
	free(buf);
	return ret;
}

/* Build the in-memory filesystem from a verified image. */
static void load_image(struct extentfs *fs, const struct efs_image *img)
{
	for (size_t i = 0; i < img->nfree; i++)
		EFS_BUG_ON(efs_extlist_insert(&fs->free, img->free[i].start, img->free[i].len));
	for (size_t i = 0; i < img->nmeta; i++)
		EFS_BUG_ON(efs_extlist_insert(&fs->chain, img->meta[i].start, img->meta[i].len));
	/* Verified sorted, disjoint, count >= 2: the records are taken as they are. */
	fs->refc.v = efs_xcalloc(img->nrefc, sizeof(*fs->refc.v));
	if (img->nrefc)
		memcpy(fs->refc.v, img->refc, img->nrefc * sizeof(*fs->refc.v));
	fs->refc.nr = fs->refc.cap = img->nrefc;
	for (size_t i = 0; i < img->ninodes; i++) {
		const struct efs_image_inode *in = &img->inodes[i];
		struct efs_inode *ei = efs_inode_alloc(fs, in->ino);

		ei->vfs.i_size = (loff_t)in->size;
		ei->disk_size = (loff_t)in->size;
		ei->nlink = in->nlink;
		ei->diflags = in->flags;
		for (uint64_t k = 0; k < in->nextents; k++)
			efs_iext_insert(&ei->df, &img->ext[in->first_ext + k]);
		if (in->flags & EFS_DIFLAG_INLINE) {
			/* Verified: size <= capacity, no extents (10). */
			efs_inline_init(ei);
			if (in->size) {
				memcpy(ei->idata, in->idata, (size_t)in->size);
				memcpy(ei->idata_disk, in->idata, (size_t)in->size);
			}
		}
		efs_inode_table_add(fs, ei);
	}
	for (size_t i = 0; i < img->ndir; i++)
		efs_dir_add(fs, img->dir[i].name, img->dir[i].ino);
	fs->generation = img->sb.generation;
	fs->active_slot = img->slot;
	fs->next_ino = img->sb.next_ino;
	fs->features = img->sb.features;
}

/* Free the inodes a crash left unlinked (xlog_recover_process_iunlinks), in memory. */
static void free_orphans(struct extentfs *fs)
{
	for (size_t i = 0; i < fs->ninodes;) {
		struct efs_inode *ei = fs->inodes[i];

		if (ei->nlink) {
			i++;
			continue;
		}
		down_write(&ei->ilock);
		mutex_lock(&fs->commit_lock);
		efs_inode_inactivate(ei);
		mutex_unlock(&fs->commit_lock);
		up_write(&ei->ilock);
		efs_inode_free(ei);
	}
}

int extentfs_mount(struct backend *b, kdev_t dev, struct extentfs **out)
{
	struct efs_report rep = { 0 };
	struct efs_image img;
	struct extentfs *fs;
	int ret;

	*out = NULL;
	if (!b)
		return -EINVAL;
	fs = efs_fs_alloc(b, EFS_MIN_BLOCK_LOG, 0, 0);
	fs->sb.s_dev = dev;
	ret = blkdev_open(&fs->bdev, b, dev);
	if (ret) {
		efs_fs_free(fs);
		return ret;
	}
	fs->bdev_open = true;

	ret = efs_image_read(&fs->bdev, &img, &rep);
	if (!ret && efs_image_verify(&img, NULL, &rep))
		ret = -EUCLEAN;
	if (ret) {
		if (rep.problems)
			fprintf(stderr, "extentfs: mount: %s%s\n", rep.first,
				rep.problems > 1 ? " (and more; run the checker)" : "");
		efs_image_free(&img);
		efs_fs_free(fs);
		return ret;
	}

	fs->blkbits = img.sb.block_log;
	fs->blocksize = 1u << fs->blkbits;
	fs->nblocks = img.sb.nblocks;
	fs->data_start = img.sb.data_start;
	fs->max_fblock = (1ull << 63) >> fs->blkbits;
	fs->sb.s_blocksize_bits = fs->blkbits;
	fs->sb.s_blocksize = fs->blocksize;
	load_image(fs, &img);
	efs_image_free(&img);
	free_orphans(fs);
	*out = fs;
	return 0;
}

/* Write back every file's page cache (the first half of sync(2)). */
static void writeback_all(struct extentfs *fs)
{
	struct efs_inode **list;
	size_t n;

	mutex_lock(&fs->commit_lock);
	n = fs->ninodes;
	list = efs_xcalloc(n, sizeof(*list));
	for (size_t i = 0; i < n; i++) {
		list[i] = fs->inodes[i];
		list[i]->i_count++;
	}
	mutex_unlock(&fs->commit_lock);
	for (size_t i = 0; i < n; i++) {
		filemap_write_and_wait_range(list[i]->vfs.i_mapping, 0, INT64_MAX);
		efs_iput(list[i]);
	}
	free(list);
}

int extentfs_sync(struct extentfs *fs)
{
	writeback_all(fs);
	return efs_commit(fs);
}

int extentfs_unmount(struct extentfs *fs)
{
	int ret = 0, err;

	if (!fs)
		return -EINVAL;
	if (fs->open_files)
		ret = -EBUSY;
	/*
	 * Direct I/O still in flight (asynchronous requests whose file was
	 * closed) must finish before the inodes go: their ->end_io changes
	 * extents and sizes.  Then the completion workqueue can go.
	 */
	for (size_t i = 0; i < fs->ninodes; i++)
		inode_dio_wait(&fs->inodes[i]->vfs);
	sb_destroy_dio_done_wq(&fs->sb);
	if (!efs_is_shutdown(fs))
		writeback_all(fs);
	err = efs_commit(fs);
	if (!ret)
		ret = err;
	efs_fs_free(fs);
	return ret;
}

uint32_t extentfs_block_size(const struct extentfs *fs)
{
	return fs->blocksize;
}

struct super_block *extentfs_sb(struct extentfs *fs)
{
	return &fs->sb;
}

uint64_t extentfs_generation(const struct extentfs *fs)
{
	struct extentfs *mfs = (struct extentfs *)fs;
	uint64_t gen;

	mutex_lock(&mfs->commit_lock);
	gen = mfs->generation;
	mutex_unlock(&mfs->commit_lock);
	return gen;
}
