/*
 * tablefs.c — see tablefs.h.
 *
 * ->iomap_begin returns the table entry that covers pos, or a hole up to the
 * next entry (or to pos + length when there is none), as a filesystem with
 * a static extent map would.
 */
#include <string.h>

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
	if (t->begin_error)
		return t->begin_error;
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

static int tablefs_fsync(struct file *file, int datasync)
{
	(void)datasync;
	tablefs_of(file->f_inode)->fsyncs++;
	return 0;
}

static const struct file_operations tablefs_fops = { .fsync = tablefs_fsync };

static int tablefs_writepages(struct address_space *mapping, struct writeback_control *wbc)
{
	(void)wbc;
	tablefs_of(mapping->host)->writepages++;
	return 0;
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

void tablefs_destroy(struct tablefs *t)
{
	inode_destroy(&t->inode);
}

void tablefs_add(struct tablefs *t, loff_t off, uint64_t len, uint16_t type, uint16_t flags,
		 uint64_t addr)
{
	t->ext[t->nr_ext++] = (struct tablefs_ext){ off, len, type, flags, addr, NULL };
}
