/**
 * @file reference.c
 * @brief Reference-only commands, not in xfs_io: `fibmap BLOCK`, `swapon`,
 *        `swapoff`.  They exist so that the reference can show the two
 *        remaining iomap reporting paths, FIBMAP (iomap_bmap) and swap file
 *        activation (iomap_swapfile_activate), from the same shell.
 *
 * Their output is ours (xfs_io has nothing to compare with), modelled on
 * what the kernel and util-linux print:
 *
 *     fibmap 3      f: file block 3 -> device block 4551
 *     swapon        Adding 1020k swap on f.  Priority:-2 extents:1 across:1024k
 *                    EXT: SWAP-PAGES         DEVICE-PAGES              PAGES
 *                      0: [0..255]           [6..261]                    256
 *     refused       swapon: file ino 0x2 has unallocated extents (the kernel's log line)
 *                   swapon: f: swapon failed: Invalid argument   (swapon(8))
 *
 * sys_swapon() opens the file itself, so `swapon` opens its own read-write
 * handle of the current file's name and keeps it until `swapoff` (or the
 * end of the context); closing the xfs_io file does not deactivate swap,
 * as on Linux.  Priorities count down from -2 as the kernel assigns them.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "iocmd-internal.h"

int iocmd_fibmap_f(struct iocmd *ic, int argc, char **argv)
{
	struct iocmd_file *f = iocmd_cur(ic);
	char *end;
	long long block = strtoll(argv[1], &end, 0);
	sector_t dev;

	if (end == argv[1] || *end != '\0' || block > INT_MAX || block < INT_MIN)
		return iocmd_usage(ic); /* FIBMAP passes a C int */
	if (block < 0) {
		/* ioctl_fibmap(): a negative block number */
		iocmd_perror(ic, "fibmap", -EINVAL);
		ic->exitcode = 1;
		return 0;
	}
	dev = extentfs_fibmap(f->file, (sector_t)block);
	if (dev > INT_MAX) {
		/* ioctl_fibmap() refuses to truncate the answer into an int */
		iocmd_perror(ic, "fibmap", -ERANGE);
		ic->exitcode = 1;
		return 0;
	}
	fprintf(ic->out, "%s: file block %lld -> device block %llu\n", f->name, block,
		(unsigned long long)dev);
	return 0;
}

static struct iocmd_swap *find_swap(struct iocmd *ic, const char *name)
{
	for (struct iocmd_swap *s = ic->swaps; s; s = s->next)
		if (strcmp(s->name, name) == 0)
			return s;
	return NULL;
}

static int count_swaps(const struct iocmd *ic)
{
	int n = 0;

	for (const struct iocmd_swap *s = ic->swaps; s; s = s->next)
		n++;
	return n;
}

int iocmd_swapon_f(struct iocmd *ic, int argc, char **argv)
{
	struct iocmd_file *f = iocmd_cur(ic);
	struct iocmd_swap *s;
	sector_t span = 0;
	int ret;

	if (find_swap(ic, f->name)) {
		ret = -EBUSY; /* the inode is already an active swap file */
		goto failed;
	}
	s = calloc(1, sizeof(*s));
	if (!s || !(s->name = strdup(f->name))) {
		free(s);
		ret = -ENOMEM;
		goto failed;
	}
	ret = extentfs_open(ic->fs, f->name, O_RDWR, &s->file);
	if (ret == 0) {
		ret = extentfs_swapon(s->file, &s->sis, &span);
		if (ret < 0) {
			if (s->sis.errmsg[0])
				fprintf(ic->err, "%s\n", s->sis.errmsg);
			swap_info_release(&s->sis);
			extentfs_close(s->file);
		}
	}
	if (ret < 0) {
		free(s->name);
		free(s);
		goto failed;
	}

	/* mm/swapfile.c's log line, then the extent list it built. */
	fprintf(ic->out, "Adding %luk swap on %s.  Priority:%d extents:%u across:%lluk \n",
		s->sis.pages << (PAGE_SHIFT - 10), f->name, -2 - count_swaps(ic),
		s->sis.nr_extents, (unsigned long long)span << (PAGE_SHIFT - 10));
	fprintf(ic->out, "%4s: %-20s %-20s %8s\n", "EXT", "SWAP-PAGES", "DEVICE-PAGES", "PAGES");
	for (unsigned i = 0; i < s->sis.nr_extents; i++) {
		const struct swap_extent *se = &s->sis.extents[i];
		char pbuf[48], dbuf[48];

		snprintf(pbuf, sizeof(pbuf), "[%llu..%llu]", (unsigned long long)se->start_page,
			 (unsigned long long)(se->start_page + se->nr_pages - 1));
		snprintf(dbuf, sizeof(dbuf), "[%llu..%llu]", (unsigned long long)se->start_block,
			 (unsigned long long)(se->start_block + se->nr_pages - 1));
		fprintf(ic->out, "%4u: %-20s %-20s %8llu\n", i, pbuf, dbuf,
			(unsigned long long)se->nr_pages);
	}
	s->next = ic->swaps;
	ic->swaps = s;
	return 0;

failed:
	fprintf(ic->err, "swapon: %s: swapon failed: %s\n", f->name, strerror(-ret));
	iocmd_note(ic, ret);
	ic->exitcode = 1;
	return 0;
}

static int swap_off(struct iocmd *ic, struct iocmd_swap *s)
{
	struct iocmd_swap **pp = &ic->swaps;
	int ret = extentfs_swapoff(s->file);

	while (*pp != s)
		pp = &(*pp)->next;
	*pp = s->next;
	swap_info_release(&s->sis);
	extentfs_close(s->file);
	free(s->name);
	free(s);
	return ret;
}

int iocmd_swapoff_f(struct iocmd *ic, int argc, char **argv)
{
	struct iocmd_file *f = iocmd_cur(ic);
	struct iocmd_swap *s = find_swap(ic, f->name);
	int ret = s ? swap_off(ic, s) : -EINVAL; /* not a swap file: EINVAL */

	if (ret < 0) {
		fprintf(ic->err, "swapoff: %s: swapoff failed: %s\n", f->name, strerror(-ret));
		iocmd_note(ic, ret);
		ic->exitcode = 1;
	}
	return 0;
}

void iocmd_swapoff_all(struct iocmd *ic)
{
	while (ic->swaps)
		swap_off(ic, ic->swaps);
}
