/*
 * tablefs.c — see tablefs.h.
 *
 * ->iomap_begin returns the table entry that covers pos, or a hole up to the
 * next entry (or to pos + length when there is none), as a filesystem with
 * a static extent map would.
 */
#include <string.h>

#include "backends/backend.h"
#include "tablefs.h"

static struct tablefs *tablefs_of(struct inode *inode)
{
	return (struct tablefs *)inode->i_private;
}

static void record(struct tablefs *t, bool end, loff_t pos, loff_t length, ssize_t written,
		   unsigned flags)
{
	if (t->nr_calls < TABLEFS_MAX_CALLS)
		t->calls[t->nr_calls++] = (struct tablefs_call){ end, pos, length, written, flags };
}

static int tablefs_begin(struct inode *inode, loff_t pos, loff_t length, unsigned flags,
			 struct iomap *iomap, struct iomap *srcmap)
{
	struct tablefs *t = tablefs_of(inode);
	loff_t next = pos + length;

	(void)srcmap;
	record(t, false, pos, length, 0, flags);
	if (t->begin_needs_rwsem)
		t->rwsem_was_held = lockdep_is_held(&i_rwsem_class);
	if (t->begin_error && t->nr_begins >= t->begin_error_after)
		return t->begin_error;
	t->nr_begins++;
	for (unsigned i = 0; i < t->nr_ext; i++) {
		const struct tablefs_ext *e = &t->ext[i];

		if (pos >= e->offset && (uint64_t)(pos - e->offset) < e->length) {
			iomap->offset = e->offset;
			iomap->length = e->length;
			iomap->type = e->type;
			iomap->flags = e->flags;
			iomap->addr = e->addr;
			iomap->bdev = e->bdev ? e->bdev : &t->bdev;
			if (t->bad_mapping)
				iomap->length = 0;
			return 0;
		}
		if (e->offset > pos && e->offset < next)
			next = e->offset;
	}
	iomap->offset = pos;
	iomap->length = (uint64_t)(next - pos);
	iomap->type = IOMAP_HOLE;
	iomap->addr = IOMAP_NULL_ADDR;
	iomap->bdev = &t->bdev;
	if (t->bad_mapping)
		iomap->length = 0;
	return 0;
}

static int tablefs_end(struct inode *inode, loff_t pos, loff_t length, ssize_t written,
		       unsigned flags, struct iomap *iomap)
{
	struct tablefs *t = tablefs_of(inode);

	(void)iomap;
	record(t, true, pos, length, written, flags);
	return t->end_error;
}

const struct iomap_ops tablefs_ops = {
	.iomap_begin = tablefs_begin,
	.iomap_end = tablefs_end,
	.name = "tablefs_ops",
};

const struct iomap_ops tablefs_ops_noend = {
	.iomap_begin = tablefs_begin,
	.name = "tablefs_ops_noend",
};

/*
 * Counted atomically: an asynchronous O_DSYNC direct write calls fsync
 * from the dio workqueue, not from the test's thread.
 */
static int tablefs_fsync(struct file *file, int datasync)
{
	struct tablefs *t = tablefs_of(file->f_inode);

	__atomic_store_n(&t->last_fsync_datasync, datasync, __ATOMIC_RELEASE);
	__atomic_add_fetch(&t->fsyncs, 1, __ATOMIC_ACQ_REL);
	return 0;
}

static const struct file_operations tablefs_fops = {
	.fsync = tablefs_fsync,
	.iopoll = iocb_bio_iopoll, /* polled direct I/O completes on the poller */
};

/* The MAPPED or UNWRITTEN entry holding file byte @pos, or NULL. */
static const struct tablefs_ext *tablefs_lookup_written(const struct tablefs *t, loff_t pos)
{
	for (unsigned i = 0; i < t->nr_ext; i++) {
		const struct tablefs_ext *e = &t->ext[i];

		if (pos >= e->offset && (uint64_t)(pos - e->offset) < e->length &&
		    (e->type == IOMAP_MAPPED || e->type == IOMAP_UNWRITTEN))
			return e;
	}
	return NULL;
}

/*
 * Write one dirty folio to the device through the usual folio states
 * (dirty -> writeback -> clean), one page at a time so that a folio may
 * straddle extents.  Pages over holes are simply cleaned: the tests that
 * use writeback only dirty folios over allocated space.
 */
static int tablefs_write_folio(struct tablefs *t, struct folio *folio)
{
	int ret = 0;

	folio_lock(folio);
	if (!folio_clear_dirty_for_io(folio)) {
		folio_unlock(folio);
		return 0;
	}
	folio_start_writeback(folio);
	folio_unlock(folio);
	for (unsigned long p = 0; p < folio_nr_pages(folio) && !ret; p++) {
		loff_t pos = folio_pos(folio) + (loff_t)(p << PAGE_SHIFT);
		const struct tablefs_ext *e = tablefs_lookup_written(t, pos);
		struct block_device *bdev;

		if (!e)
			continue;
		bdev = e->bdev ? e->bdev : &t->bdev;
		ret = blkdev_rw(bdev, REQ_OP_WRITE, e->addr + (uint64_t)(pos - e->offset),
				(char *)folio->data + (p << PAGE_SHIFT), PAGE_SIZE);
	}
	folio_end_writeback(folio);
	if (ret)
		mapping_set_error(t->inode.i_mapping, ret);
	return ret;
}

static int tablefs_writepages(struct address_space *mapping, struct writeback_control *wbc)
{
	struct tablefs *t = tablefs_of(mapping->host);
	pgoff_t index = (pgoff_t)(wbc->range_start >> PAGE_SHIFT);
	pgoff_t end = (pgoff_t)(wbc->range_end >> PAGE_SHIFT);
	struct folio *folio;
	int ret = 0;

	t->writepages++;
	if (!t->writeback || !t->bdev_open)
		return 0;
	while (!ret && index <= end && (folio = filemap_find_next_folio(mapping, index, end))) {
		index = folio->index + folio_nr_pages(folio);
		if (folio_test(folio, PG_dirty))
			ret = tablefs_write_folio(t, folio);
		folio_put(folio);
	}
	return ret;
}

static const struct address_space_operations tablefs_aops = {
	.writepages = tablefs_writepages,
};

void tablefs_init(struct tablefs *t, unsigned blkbits, loff_t size)
{
	memset(t, 0, sizeof(*t));
	t->bdev.bd_dev = MKDEV(7, 0);
	t->sb.s_dev = MKDEV(7, 0);
	t->sb.s_blocksize_bits = blkbits;
	t->sb.s_blocksize = 1ul << blkbits;
	t->sb.s_maxbytes = MAX_LFS_FILESIZE;
	t->sb.s_bdev = &t->bdev;
	inode_init(&t->inode, &t->sb, 0x83);
	t->inode.i_blkbits = blkbits;
	t->inode.i_private = t;
	t->inode.i_mapping->a_ops = &tablefs_aops;
	mapping_set_large_folios(t->inode.i_mapping);
	i_size_write(&t->inode, size);
	t->file.f_inode = &t->inode;
	t->file.f_op = &tablefs_fops;
}

int tablefs_open_bdev(struct tablefs *t, struct backend *be)
{
	kdev_t dev = MKDEV(be->dev_major, be->dev_minor);
	int ret = blkdev_open(&t->bdev, be, dev);

	if (ret)
		return ret;
	t->sb.s_dev = dev;
	t->bdev_open = true;
	return 0;
}

void tablefs_close_bdev(struct tablefs *t)
{
	/* Completion work may still reference the inode and the device. */
	sb_destroy_dio_done_wq(&t->sb);
	if (t->bdev_open)
		blkdev_close(&t->bdev);
	t->bdev_open = false;
}

void tablefs_destroy(struct tablefs *t)
{
	inode_destroy(&t->inode);
}

void tablefs_add(struct tablefs *t, loff_t off, uint64_t len, uint16_t type, uint16_t flags,
		 uint64_t addr)
{
	t->ext[t->nr_ext++] = (struct tablefs_ext){ off, len, type, flags, addr, NULL };
}
