/**
 * @file swapfile.c
 * @brief Swap file activation (mirrors fs/iomap/swapfile.c and the
 *        add_swap_extent() part of mm/swapfile.c; operations.rst, "Swap
 *        File Activation").
 *
 * The file is fsync'd, then walked with IOMAP_REPORT over
 * [0, round_down(i_size, PAGE_SIZE)).  Physically contiguous mappings are
 * accumulated into one run; each finished run is trimmed inwards to whole
 * device pages (a run shorter than a page after trimming is dropped) and
 * appended to the swap extent list, merging with the previous list entry
 * when the device pages continue it.
 *
 * Refused, with the kernel's message and -EINVAL:
 *
 *     HOLE / DELALLOC       "has unallocated extents"
 *     INLINE                "is inline"
 *     IOMAP_F_DIRTY         "is not committed"
 *     IOMAP_F_SHARED        "has shared extents"
 *     another block device  "outside main device"
 *     no whole page at all  "Cannot find a single usable page in file."
 *
 * Swap page 0 is the swap header; it is part of the first extent but not
 * counted in `pages`, and the page span starts after it.
 *
 * @pre callers hold i_rwsem exclusive (swapon does).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <iomap/iomap.h>
#include <iomap/trace.h>

struct iomap_swapfile_info {
	struct iomap iomap;       /* the run being accumulated */
	struct swap_info_struct *sis;
	uint64_t lowest_ppage;    /* lowest device page used (after the header) */
	uint64_t highest_ppage;   /* highest device page used */
	unsigned long nr_pages;   /* pages collected so far */
	int nr_extents;           /* entries added to sis->extents */
	struct inode *inode;
};

/* mm/swapfile.c add_swap_extent(): returns 1 if a new entry was added, 0 if merged. */
static int add_swap_extent(struct swap_info_struct *sis, pgoff_t start_page, pgoff_t nr_pages,
			   sector_t start_block)
{
	struct swap_extent *last = sis->nr_extents ? &sis->extents[sis->nr_extents - 1] : NULL;

	if (last && last->start_block + last->nr_pages == start_block) {
		last->nr_pages += nr_pages;
		return 0;
	}
	if (sis->nr_extents == sis->cap_extents) {
		unsigned ncap = sis->cap_extents ? sis->cap_extents * 2 : 16;
		struct swap_extent *n = realloc(sis->extents, ncap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		sis->extents = n;
		sis->cap_extents = ncap;
	}
	sis->extents[sis->nr_extents++] = (struct swap_extent){
		.start_page = start_page,
		.nr_pages = nr_pages,
		.start_block = start_block,
	};
	if (trace_enabled()) {
		struct trace_event ev;

		trace_event_init(&ev, "swap_extent", 0, 0);
		trace_u64(&ev, "start_page", start_page);
		trace_u64(&ev, "nr_pages", nr_pages);
		trace_u64(&ev, "start_block", start_block);
		trace_emit(&ev);
	}
	return 1;
}

/* Mirrors iomap_swapfile_add_extent(). */
static int iomap_swapfile_add_extent(struct iomap_swapfile_info *isi)
{
	const struct iomap *iomap = &isi->iomap;
	uint64_t first_ppage, first_ppage_reported, next_ppage;
	unsigned long nr_pages, max_pages;
	int ret;

	if (isi->nr_pages >= isi->sis->max)
		return 0;
	max_pages = isi->sis->max - isi->nr_pages;

	/* Trim inwards so that the run covers whole device pages only. */
	first_ppage = round_up(iomap->addr, (uint64_t)PAGE_SIZE) >> PAGE_SHIFT;
	next_ppage = round_down(iomap->addr + iomap->length, (uint64_t)PAGE_SIZE) >> PAGE_SHIFT;
	if (first_ppage >= next_ppage)
		return 0;
	nr_pages = (unsigned long)(next_ppage - first_ppage);
	if (nr_pages > max_pages)
		nr_pages = max_pages;

	/* The header page is mapped but not usable swap space. */
	first_ppage_reported = first_ppage;
	if (iomap->offset == 0)
		first_ppage_reported++;
	if (isi->lowest_ppage > first_ppage_reported)
		isi->lowest_ppage = first_ppage_reported;
	if (isi->highest_ppage < next_ppage - 1)
		isi->highest_ppage = next_ppage - 1;

	ret = add_swap_extent(isi->sis, isi->nr_pages, nr_pages, first_ppage);
	if (ret < 0)
		return ret;
	isi->nr_extents += ret;
	isi->nr_pages += nr_pages;
	return 0;
}

static int iomap_swapfile_fail(struct iomap_swapfile_info *isi, const char *why)
{
	snprintf(isi->sis->errmsg, sizeof(isi->sis->errmsg), "swapon: file ino 0x%llx %s",
		 (unsigned long long)isi->inode->i_ino, why);
	if (trace_enabled()) {
		struct trace_event ev;

		trace_event_init(&ev, "swapfile_fail", isi->inode->i_sb->s_dev, isi->inode->i_ino);
		trace_str(&ev, "why", why);
		trace_emit(&ev);
	}
	return -EINVAL;
}

/* Mirrors iomap_swapfile_iter(). */
static int iomap_swapfile_iter(struct iomap_iter *iter, struct iomap_swapfile_info *isi)
{
	const struct iomap *iomap = &iter->iomap;
	int ret;

	switch (iomap->type) {
	case IOMAP_MAPPED:
	case IOMAP_UNWRITTEN:
		break;
	case IOMAP_INLINE:
		return iomap_swapfile_fail(isi, "is inline");
	default:
		return iomap_swapfile_fail(isi, "has unallocated extents");
	}
	if (iomap->flags & IOMAP_F_DIRTY)
		return iomap_swapfile_fail(isi, "is not committed");
	if (iomap->flags & IOMAP_F_SHARED)
		return iomap_swapfile_fail(isi, "has shared extents");
	if (iomap->bdev != isi->sis->bdev)
		return iomap_swapfile_fail(isi, "outside main device");

	if (isi->iomap.length == 0) {
		isi->iomap = *iomap;
	} else if (isi->iomap.addr + isi->iomap.length == iomap->addr) {
		/* Physically contiguous with the run so far: extend it. */
		isi->iomap.length += iomap->length;
	} else {
		ret = iomap_swapfile_add_extent(isi);
		if (ret)
			return ret;
		isi->iomap = *iomap;
	}
	return iomap_iter_advance_full(iter);
}

int iomap_swapfile_activate(struct swap_info_struct *sis, struct file *file, sector_t *pagespan,
			    const struct iomap_ops *ops)
{
	struct inode *inode = file->f_inode;
	struct iomap_iter iter = {
		.inode = inode,
		.pos = 0,
		.len = (uint64_t)round_down(i_size_read(inode), (loff_t)PAGE_SIZE),
		.flags = IOMAP_REPORT,
	};
	struct iomap_swapfile_info isi = {
		.sis = sis,
		.lowest_ppage = UINT64_MAX,
		.inode = inode,
	};
	int ret;

	sis->errmsg[0] = '\0';
	if (!sis->bdev)
		sis->bdev = inode->i_sb->s_bdev;
	if (sis->max == 0) /* the caller set no limit from a swap header */
		sis->max = ~0ul;

	/* Commit the mapping metadata first, so that no mapping is DIRTY. */
	ret = vfs_fsync(file, 1);
	if (ret)
		return ret;

	if (iter.len == 0)
		ret = 0;
	else
		while ((ret = iomap_iter(&iter, ops)) > 0)
			iter.status = iomap_swapfile_iter(&iter, &isi);
	if (ret < 0)
		return ret;

	if (isi.iomap.length) {
		ret = iomap_swapfile_add_extent(&isi);
		if (ret)
			return ret;
	}
	if (isi.nr_pages == 0) {
		snprintf(sis->errmsg, sizeof(sis->errmsg),
			 "swapon: Cannot find a single usable page in file.");
		return -EINVAL;
	}

	*pagespan = 1 + isi.highest_ppage - isi.lowest_ppage;
	sis->max = isi.nr_pages;
	sis->pages = isi.nr_pages - 1;
	return isi.nr_extents;
}

void swap_info_release(struct swap_info_struct *sis)
{
	free(sis->extents);
	sis->extents = NULL;
	sis->nr_extents = 0;
	sis->cap_extents = 0;
}
