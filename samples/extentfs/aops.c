/**
 * @file aops.c
 * @brief extentfs's page cache operations and writeback (mirrors
 *        xfs_aops.c): the address_space_operations of every inode, the
 *        iomap_writeback_ops that allocate at writeback, and the completion
 *        work that converts, remaps and updates the size afterwards.
 *
 * A buffered write only reserves (iomap.c, delayed allocation).  Writeback
 * makes it real, and completion makes it visible after a crash:
 *
 *     DELALLOC --[efs_map_blocks: efs_bmap_convert_delalloc]--> UNWRITTEN
 *     UNWRITTEN --[bio written, efs_end_ioend: convert]--> NORM (written)
 *     COW DELALLOC --[efs_map_blocks: convert in the COW fork]--> COW staging
 *     shared NORM, no reservation --[efs_map_blocks: allocate_cow]--> COW staging
 *     COW staging --[efs_prepare_ioend: efs_reflink_convert_cow]--> written staging
 *     written staging --[efs_end_ioend: efs_reflink_end_cow]--> NORM in the data fork
 *
 * An ioend whose completion must change metadata (it wrote UNWRITTEN or
 * SHARED space, or data past the on-disk size) gets efs_end_bio as its
 * bi_end_io (efs_prepare_ioend).  That only queues the ioend on its inode
 * and the inode's work item on fs->conv_wq: the bio completion context must
 * not take the ilock or the commit lock.  The work (efs_end_io) sorts the
 * inode's completed ioends, merges neighbours (iomap_ioend_try_merge) and
 * runs ONE transaction per merged ioend before iomap_finish_ioends() ends
 * writeback on their folios — so a folio leaves writeback only once its
 * blocks read back as written, and fsync, which waits for writeback, finds
 * the metadata ready to commit.
 *
 * Crash safety: the blocks a delayed allocation turns into are UNWRITTEN
 * on disk until their data has been written, so a power cut at any point
 * leaves them reading as zeroes, never as what they held before; the size
 * a commit writes (disk_size) only moves past data that reached the device.
 *
 * Locking: ->map_blocks takes the ilock shared to look, a transaction to
 * allocate; it runs under whatever the writeback caller holds (i_rwsem,
 * invalidate_lock, a folio lock — all above the ilock).  `ioend_lock` is a
 * leaf lock held only to add or take the list.  Never: touch the inode in
 * efs_end_io after iomap_finish_ioends() (its folios may be truncated and
 * the inode freed as soon as writeback ends).
 *
 * Deterministic mode (trace.h): nothing runs by itself, so after a data
 * integrity pass (WB_SYNC_ALL: fsync, sync) efs_vm_writepages() delivers
 * the device's completions and runs the conversion work before returning,
 * at a defined point.  A pass that only starts writeback (background
 * writeback, sync_file_range -w) leaves its ioends in flight, as the real
 * kernel's do until the device answers: whoever waits next (a folio lock,
 * fsync) drives them, and ioends of several passes then complete in one
 * batch, where contiguous ones merge (scenario ioend-merge).  For
 * background writeback that waiter is the writer itself: the core's dirty
 * throttle (balance_dirty_pages_ratelimited) drives the completions after
 * the pass, as the kernel's writer waits in balance_dirty_pages(), which
 * keeps the ioends in flight bounded while a large write goes on.
 */
#include <iomap/trace.h>

#include "extentfs_priv.h"

/*
 * ------------------------------------------------------------ completion
 */

/*
 * Mirrors xfs_end_ioend: the metadata half of a completed (and possibly
 * merged) ioend, then the page cache half.
 */
static void efs_end_ioend(struct iomap_ioend *ioend)
{
	struct efs_inode *ei = EFS_I(ioend->io_inode);
	struct extentfs *fs = EFS_FS(ei);
	uint64_t mask = fs->blocksize - 1;
	loff_t offset = ioend->io_offset;
	uint64_t first = (uint64_t)offset >> fs->blkbits;
	uint64_t end = ((uint64_t)offset + ioend->io_size + mask) >> fs->blkbits;
	int error = ioend->io_error;

	if (!error && efs_is_shutdown(fs))
		error = -EIO;
	if (error) {
		/*
		 * Nothing is converted: unwritten blocks keep reading as
		 * zeroes.  Staged copy-on-write blocks hold data nobody will
		 * map; they go back (xfs_reflink_cancel_cow_range).
		 */
		if ((ioend->io_flags & IOMAP_IOEND_SHARED) && !efs_trans_begin(ei)) {
			efs_reflink_cancel_cow(ei, first, end - first);
			efs_trans_end(ei);
		}
		goto done;
	}
	if (efs_trans_begin(ei)) {
		error = -EIO;
		goto done;
	}
	/*
	 * xfs_end_ioend: a COW ioend wrote staging only (its mapping came
	 * from the COW fork, marked written by efs_prepare_ioend): remap it;
	 * else convert the data fork's unwritten blocks.
	 */
	if (ioend->io_flags & IOMAP_IOEND_SHARED)
		efs_reflink_end_cow(ei, first, end - first);
	else if (ioend->io_flags & IOMAP_IOEND_UNWRITTEN)
		efs_bmap_convert_unwritten(ei, first, end - first);
	/*
	 * xfs_setfilesize: the on-disk size follows the data, but never past
	 * the in-memory size (a truncate may have come in between).
	 */
	{
		loff_t io_end = offset + (loff_t)ioend->io_size;
		loff_t isize = i_size_read(&ei->vfs);

		if (io_end > isize)
			io_end = isize;
		if (io_end > ei->disk_size)
			efs_set_disk_size(ei, io_end);
	}
	efs_trans_end(ei);
done:
	iomap_finish_ioends(ioend, error);
}

/*
 * Mirrors xfs_end_io: the work item of one inode.  Takes every completed
 * ioend queued so far, sorts them by offset and merges neighbours, so a
 * file written back in many small bios completes in few transactions.
 */
static void efs_end_io(struct work_struct *work)
{
	struct efs_inode *ei = container_of(work, struct efs_inode, ioend_work);
	struct iomap_ioend *list, *ioend;

	pthread_mutex_lock(&ei->ioend_lock);
	list = ei->ioend_list;
	ei->ioend_list = NULL;
	pthread_mutex_unlock(&ei->ioend_lock);

	iomap_sort_ioends(&list);
	while ((ioend = list)) {
		list = ioend->io_next;
		ioend->io_next = NULL;
		iomap_ioend_try_merge(ioend, &list);
		efs_end_ioend(ioend);
	}
}

/*
 * Mirrors xfs_end_bio: bio completion context, so no sleeping locks of
 * the filesystem — queue the ioend and kick the inode's work item if it
 * is not queued already (the first ioend on an empty list queues it).
 */
static void efs_end_bio(struct bio *bio)
{
	struct iomap_ioend *ioend = bio->bi_private;
	struct efs_inode *ei = EFS_I(ioend->io_inode);
	bool was_empty;

	pthread_mutex_lock(&ei->ioend_lock);
	was_empty = ei->ioend_list == NULL;
	ioend->io_next = ei->ioend_list;
	ei->ioend_list = ioend;
	pthread_mutex_unlock(&ei->ioend_lock);
	if (was_empty)
		queue_work(EFS_FS(ei)->conv_wq, &ei->ioend_work);
}

void efs_ioend_init(struct efs_inode *ei)
{
	pthread_mutex_init(&ei->ioend_lock, NULL);
	INIT_WORK(&ei->ioend_work, efs_end_io, "xfs_end_io");
}

void efs_flush_ioends(struct extentfs *fs)
{
	if (!fs->conv_wq)
		return;
	if (fs->conv_wq->mode == EXEC_DETERMINISTIC)
		blkdev_drain(&fs->bdev);
	flush_workqueue(fs->conv_wq);
}

/*
 * ------------------------------------------------------------- writeback
 */

/*
 * Mirrors xfs_map_blocks.  The mapping cached in wpc->iomap is reused
 * while it covers @offset and the extent maps have not changed since it
 * was looked up (the validity cookie covers both forks).  Else:
 *
 *   - COW fork staging at @offset wins ("COW I/O always takes precedence"):
 *     a delayed allocation there is converted WHOLE into UNWRITTEN staging
 *     (trace 08: one 128 KiB cowextsize extent for a 4 KiB dirty block),
 *     real staging is used as it is; the mapping carries IOMAP_F_SHARED,
 *     so completion remaps it (efs_end_ioend);
 *   - a data fork delayed allocation is converted whole (trace 02: one
 *     64 KiB UNWRITTEN mapping for sixteen 4 KiB folios);
 *   - shared written blocks without staging (dirtied behind the buffered
 *     write path's back) get staging for exactly the dirty blocks, so that
 *     nothing is ever written into a block another file maps;
 *   - anything else is reported as found (holes as HOLE: nothing written).
 *
 * Data fork mappings stop at the next COW fork extent, whose blocks must
 * be looked up again.
 */
static int efs_map_blocks(struct iomap_writepage_ctx *wpc, struct inode *inode, loff_t offset,
			  unsigned len)
{
	struct efs_inode *ei = EFS_I(inode);
	struct extentfs *fs = EFS_FS(ei);
	uint64_t mask = fs->blocksize - 1;
	uint64_t off_fsb = (uint64_t)offset >> fs->blkbits;
	uint64_t end_fsb = ((uint64_t)offset + len + mask) >> fs->blkbits;
	uint64_t cow_fsb = UINT64_MAX;
	struct efs_irec rec;
	bool shared = false;
	uint16_t flags = 0;
	uint64_t seq;
	size_t i;
	int ret;

	if (efs_is_shutdown(fs))
		return -EIO;
	/*
	 * operations.rst: never an IOMAP_INLINE mapping here.  Inline folios
	 * are never dirtied (writes copy into the inode, faults unstuff), so
	 * a dirty one is a bug in extentfs: fail the folio, keep the data.
	 */
	if (efs_inode_is_inline(ei))
		return -EIO;
	if (offset >= wpc->iomap.offset &&
	    (uint64_t)offset < (uint64_t)wpc->iomap.offset + wpc->iomap.length &&
	    wpc->iomap.validity_cookie == __atomic_load_n(&ei->mapping_seq, __ATOMIC_ACQUIRE))
		return 0;

	down_read(&ei->ilock);
	if (ei->cf.nr) {
		bool found = efs_iext_lookup(&ei->cf, off_fsb, &i);

		if (i < ei->cf.nr)
			cow_fsb = found ? off_fsb : ei->cf.v[i].fblock;
	}
	if (cow_fsb == off_fsb) {
		rec = ei->cf.v[i];
		seq = ei->mapping_seq;
		up_read(&ei->ilock);
		if (rec.dblock == EFS_DELAYSTARTBLOCK) {
			ret = efs_trans_begin(ei);
			if (ret)
				return ret;
			ret = efs_bmap_convert_delalloc(ei, EFS_COW_FORK, off_fsb, &rec);
			seq = ei->mapping_seq;
			efs_trans_end(ei);
			if (ret)
				return ret;
		}
		efs_bmbt_to_iomap(ei, &wpc->iomap, &rec, IOMAP_F_SHARED, seq);
		return 0;
	}
	if (efs_iext_lookup(&ei->df, off_fsb, &i)) {
		rec = ei->df.v[i];
		if ((ei->diflags & EFS_DIFLAG_REFLINK) && efs_irec_is_written(&rec)) {
			efs_bmapi_read(ei, off_fsb, end_fsb, &rec);
			efs_reflink_trim_around_shared(ei, &rec, &shared);
		}
	} else {
		efs_bmapi_read(ei, off_fsb, fs->max_fblock, &rec);
	}
	seq = ei->mapping_seq;
	up_read(&ei->ilock);

	if (rec.dblock == EFS_DELAYSTARTBLOCK || shared) {
		ret = efs_trans_begin(ei);
		if (ret)
			return ret;
		if (shared) {
			struct efs_irec cmap;

			uint64_t fbno, flen;

			/* Looked again under the lock: still shared? */
			efs_bmapi_read(ei, off_fsb, end_fsb, &rec);
			shared = efs_irec_is_written(&rec) &&
				 efs_refcount_find_shared(&fs->refc, rec.dblock, rec.len, &fbno,
							  &flen) &&
				 fbno == rec.dblock;
			if (shared) {
				rec.len = flen;
				ret = efs_reflink_allocate_cow(ei, off_fsb, rec.len, &cmap);
			}
			if (shared && !ret) {
				if (cmap.fblock + cmap.len > end_fsb)
					cmap.len = end_fsb - cmap.fblock;
				rec = cmap;
				flags = IOMAP_F_SHARED;
			}
		} else {
			ret = efs_bmap_convert_delalloc(ei, EFS_DATA_FORK, off_fsb, &rec);
		}
		seq = ei->mapping_seq;
		efs_trans_end(ei);
		if (ret)
			return ret;
	}
	/* Not over COW staging further on: that part is mapped by its own lookup. */
	if (!flags && cow_fsb > rec.fblock && cow_fsb < rec.fblock + rec.len)
		rec.len = cow_fsb - rec.fblock;
	efs_bmbt_to_iomap(ei, &wpc->iomap, &rec, flags, seq);
	return 0;
}

/*
 * Mirrors xfs_prepare_ioend: completions that change metadata go through
 * the workqueue; pure overwrites inside the on-disk size complete in the
 * bio context (the default iomap_writepage_end_bio).
 */
static int efs_prepare_ioend(struct iomap_ioend *ioend, int status)
{
	struct efs_inode *ei = EFS_I(ioend->io_inode);

	if (!status && (ioend->io_flags & IOMAP_IOEND_SHARED)) {
		/*
		 * xfs_reflink_convert_cow: the staging this ioend writes becomes
		 * written now, before the data goes out, so that completion
		 * remaps exactly it (efs_reflink_end_cow takes only written
		 * staging).  The unwritten rest of the cowextsize-aligned
		 * allocation stays staged; remapping it would replace data
		 * fork blocks with stale ones.
		 */
		struct extentfs *fs = EFS_FS(ei);
		uint64_t mask = fs->blocksize - 1;
		uint64_t first = (uint64_t)ioend->io_offset >> fs->blkbits;
		uint64_t end = ((uint64_t)ioend->io_offset + ioend->io_size + mask) >> fs->blkbits;

		status = efs_trans_begin(ei);
		if (!status) {
			efs_reflink_convert_cow(ei, first, end - first);
			efs_trans_end(ei);
		}
	}
	if (ioend->io_type == IOMAP_UNWRITTEN ||
	    (ioend->io_flags & (IOMAP_IOEND_SHARED | IOMAP_IOEND_UNWRITTEN)) ||
	    ioend->io_offset + (loff_t)ioend->io_size >
		    __atomic_load_n(&ei->disk_size, __ATOMIC_RELAXED))
		ioend->io_bio->bi_end_io = efs_end_bio;
	return status;
}

/*
 * Mirrors xfs_discard_folio: ->map_blocks failed for this folio, whose
 * dirty data is being dropped: its delayed allocations from @pos on would
 * otherwise stay promised forever.
 */
static void efs_discard_folio(struct folio *folio, loff_t pos)
{
	struct efs_inode *ei = EFS_I(folio->mapping->host);
	struct extentfs *fs = EFS_FS(ei);
	uint64_t first = (uint64_t)pos >> fs->blkbits;
	uint64_t end = ((uint64_t)folio_pos(folio) + folio_size(folio)) >> fs->blkbits;

	if (end <= first || efs_trans_begin(ei))
		return;
	efs_bmap_punch_delalloc(ei, EFS_DATA_FORK, first, end - first);
	efs_trans_end(ei);
}

const struct iomap_writeback_ops extentfs_writeback_ops = {
	.map_blocks = efs_map_blocks,
	.prepare_ioend = efs_prepare_ioend,
	.discard_folio = efs_discard_folio,
};

/*
 * ------------------------------------------------------- address space ops
 */

/* Mirrors xfs_vm_writepages. */
static int efs_vm_writepages(struct address_space *mapping, struct writeback_control *wbc)
{
	struct efs_inode *ei = EFS_I(mapping->host);
	struct iomap_writepage_ctx wpc = { 0 };
	int ret;

	ret = iomap_writepages(mapping, wbc, &wpc, &extentfs_writeback_ops);
	if (wbc->sync_all && EFS_FS(ei)->conv_wq &&
	    EFS_FS(ei)->conv_wq->mode == EXEC_DETERMINISTIC)
		efs_flush_ioends(EFS_FS(ei));
	return ret;
}

/* Mirrors xfs_vm_read_folio. */
static int efs_vm_read_folio(struct file *file, struct folio *folio)
{
	(void)file;
	return iomap_read_folio(folio, &extentfs_buffered_read_iomap_ops);
}

/* Mirrors xfs_vm_readahead. */
static void efs_vm_readahead(struct readahead_control *rac)
{
	iomap_readahead(rac, &extentfs_buffered_read_iomap_ops);
}

const struct address_space_operations extentfs_aops = {
	.read_folio = efs_vm_read_folio,
	.readahead = efs_vm_readahead,
	.writepages = efs_vm_writepages,
	.is_partially_uptodate = iomap_is_partially_uptodate,
	.dirty_folio = iomap_dirty_folio,
	.release_folio = iomap_release_folio,
	.invalidate_folio = iomap_invalidate_folio,
};
