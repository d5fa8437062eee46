/**
 * @file check.c
 * @brief The consistency checker: for an unmounted image (xfs_repair -n)
 *        and for a mounted filesystem's memory (the invariants of
 *        extentfs_priv.h, for tests).
 *
 * extentfs_check() reads the image exactly as mount does (image.c) and
 * prints every finding, one per line:
 *
 *     note: superblock slot 1 holds generation 4 (the previous commit)
 *     problem: blocks [40, 48) are claimed 2 times (free 1, busy 0, metadata 0, file data yes)
 *     extentfs_check: 1 problem (generation 5, 3 inodes, 12 extents, 2 shared runs)
 *
 * It never writes.  efs_check_incore() serialises the live metadata into a
 * stream, parses it back and runs the same verifier over it — with the busy
 * list as one more owner — so the in-memory and on-disk invariants cannot
 * drift apart; then it checks what exists only in memory.
 *
 * Never: run extentfs_check() on a mounted filesystem's backend (it would
 * read a state the mount may be changing).
 *
 * Locking: efs_check_incore() holds the commit lock, which freezes every
 * extent map, the free space and the reference counts.
 */
#include <stdlib.h>
#include <string.h>

#include "extentfs_priv.h"

int extentfs_check(struct backend *b, FILE *report)
{
	struct efs_report rep = { .out = report };
	struct block_device bdev;
	struct efs_image img;
	int ret;

	if (!b)
		return -EINVAL;
	ret = blkdev_open(&bdev, b, MKDEV(b->dev_major, b->dev_minor));
	if (ret)
		return ret;
	ret = efs_image_read(&bdev, &img, &rep);
	if (ret == 0)
		efs_image_verify(&img, NULL, &rep);
	if (report) {
		if (ret && ret != -EUCLEAN && !rep.problems)
			fprintf(report, "extentfs_check: error %d reading the image\n", ret);
		else if (ret == 0 && rep.problems == 0)
			fprintf(report,
				"extentfs_check: clean (generation %llu, block size %u, %zu inodes, "
				"%zu extents, %zu shared runs, %llu free blocks)\n",
				(unsigned long long)img.sb.generation, 1u << img.sb.block_log,
				img.ninodes, img.next, img.nrefc,
				(unsigned long long)img.sb.free_blocks);
		else
			fprintf(report, "extentfs_check: %u problem%s\n", rep.problems,
				rep.problems == 1 ? "" : "s");
	}
	efs_image_free(&img);
	blkdev_close(&bdev);
	if (ret && ret != -EUCLEAN)
		return ret;
	return rep.problems ? -EUCLEAN : 0;
}

unsigned efs_check_incore(struct extentfs *fs, FILE *out)
{
	struct efs_report rep = { .out = out };
	struct efs_stream s = { 0 };
	struct efs_counts c;
	struct efs_image img = { 0 };
	const struct efs_extlist *lists[3] = { &fs->free, &fs->busy, &fs->chain };
	struct efs_extlist owners = { 0 };

	mutex_lock(&fs->commit_lock);
	/*
	 * (4) in memory: blocks staged in a COW fork belong to that fork.  The
	 * on-disk verifier knows one extra kind of owner besides the stream
	 * (the busy list); the staging joins it, and a block both busy and
	 * staged is claimed twice.
	 */
	for (size_t i = 0; i < fs->busy.nr; i++)
		EFS_BUG_ON(efs_extlist_insert(&owners, fs->busy.v[i].start, fs->busy.v[i].len));
	for (size_t i = 0; i < fs->ninodes; i++) {
		const struct efs_iext *cf = &fs->inodes[i]->cf;

		for (size_t j = 0; j < cf->nr; j++)
			if (efs_irec_is_real(&cf->v[j]) &&
			    efs_extlist_insert(&owners, cf->v[j].dblock, cf->v[j].len))
				efs_problem(&rep, "inode %llu: COW staging [%llu, +%llu) overlaps "
					    "busy or other staging blocks (4)",
					    (unsigned long long)fs->inodes[i]->vfs.i_ino,
					    (unsigned long long)cf->v[j].dblock,
					    (unsigned long long)cf->v[j].len);
	}
	efs_serialize(fs, false, &s, &c);
	/* The superblock a commit of this state would write, minus its chain. */
	efs_fill_sb(fs, &img.sb, &s, &c, NULL, fs->generation, fs->active_slot);
	if (efs_image_parse(&img, s.buf, s.len, &rep) == 0) {
		img.meta = efs_xcalloc(fs->chain.nr, sizeof(*img.meta));
		if (fs->chain.nr)
			memcpy(img.meta, fs->chain.v, fs->chain.nr * sizeof(*img.meta));
		img.nmeta = fs->chain.nr;
		efs_image_verify(&img, &owners, &rep);
	}

	/* (1) also for delayed allocations, which the stream leaves out. */
	for (size_t i = 0; i < fs->ninodes; i++) {
		const struct efs_inode *ei = fs->inodes[i];
		int inv = efs_iext_verify(&ei->df, fs->max_fblock, fs->data_start, fs->nblocks);

		if (inv)
			efs_problem(&rep, "inode %llu: data fork breaks invariant (%d)",
				    (unsigned long long)ei->vfs.i_ino, inv);
		inv = efs_iext_verify(&ei->cf, fs->max_fblock, fs->data_start, fs->nblocks);
		if (inv)
			efs_problem(&rep, "inode %llu: COW fork breaks invariant (%d)",
				    (unsigned long long)ei->vfs.i_ino, inv);
		if (ei->diflags & EFS_DIFLAG_INLINE) {
			/* (10) in memory: both copies zero past their sizes, no blocks. */
			uint32_t cap = efs_fs_inline_capacity(fs);
			loff_t isz = i_size_read(&ei->vfs);

			if (ei->df.nr || ei->cf.nr || isz > (loff_t)cap || ei->disk_size > (loff_t)cap)
				efs_problem(&rep, "inode %llu: inline with blocks or past the "
					    "capacity (10)", (unsigned long long)ei->vfs.i_ino);
			else if (!ei->idata || !ei->idata_disk)
				efs_problem(&rep, "inode %llu: inline without buffers (10)",
					    (unsigned long long)ei->vfs.i_ino);
			else
				for (uint32_t k = 0; k < cap; k++)
					if ((k >= isz && ei->idata[k]) ||
					    (k >= ei->disk_size && ei->idata_disk[k])) {
						efs_problem(&rep, "inode %llu: inline byte %u past "
							    "EOF is not zero (10)",
							    (unsigned long long)ei->vfs.i_ino, k);
						break;
					}
		}
		if (efs_inode_meta_dirty(ei) && !fs->dirty)
			efs_problem(&rep, "inode %llu: metadata dirty in a clean filesystem (8)",
				    (unsigned long long)ei->vfs.i_ino);
	}
	/* (9): the promises of delayed allocations add up. */
	{
		uint64_t da = 0;

		for (size_t i = 0; i < fs->ninodes; i++) {
			const struct efs_inode *ei = fs->inodes[i];

			for (size_t j = 0; j < ei->df.nr; j++)
				if (ei->df.v[j].dblock == EFS_DELAYSTARTBLOCK)
					da += ei->df.v[j].len;
			for (size_t j = 0; j < ei->cf.nr; j++)
				if (ei->cf.v[j].dblock == EFS_DELAYSTARTBLOCK)
					da += ei->cf.v[j].len;
		}
		if (da != fs->delalloc_blocks)
			efs_problem(&rep, "delayed allocations hold %llu blocks, counted %llu (9)",
				    (unsigned long long)da,
				    (unsigned long long)fs->delalloc_blocks);
	}
	/* (3), (6): sorted, coalesced, totals right. */
	for (size_t l = 0; l < ARRAY_SIZE(lists); l++) {
		uint64_t sum = 0;

		for (size_t i = 0; i < lists[l]->nr; i++) {
			const struct efs_bext *e = &lists[l]->v[i];

			sum += e->len;
			if (e->len == 0 || (i > 0 && lists[l]->v[i - 1].start +
							     lists[l]->v[i - 1].len >= e->start))
				efs_problem(&rep, "block list %zu: run %zu not sorted and coalesced (3)",
					    l, i);
		}
		if (sum != lists[l]->total)
			efs_problem(&rep, "block list %zu: total %llu, runs hold %llu (6)", l,
				    (unsigned long long)lists[l]->total, (unsigned long long)sum);
	}
	mutex_unlock(&fs->commit_lock);
	efs_extlist_free(&owners);
	free(s.buf);
	efs_image_free(&img);
	return rep.problems;
}
