/**
 * @file bmap.c
 * @brief `bmap [-acelpv] [-n nx]` (xfsprogs io/bmap.c): the XFS_IOC_GETBMAPX
 *        listing, fed by extentfs_getbmap().
 *
 * Unlike fiemap, getbmap comes from the filesystem's own extent tree, not
 * from iomap, and includes the holes.  This file turns extentfs's records
 * into what XFS's xfs_getbmap() would return for the same layout, then
 * prints them as xfs_io does:
 *
 *   - units are 512-byte blocks; a hole is block -1;
 *   - a file with no extent at all reports nothing ("f: no extents"), even
 *     if its size is not zero; a trailing hole is reported only when there
 *     is an extent before it;
 *   - unwritten extents look like written ones unless -p asks
 *     (BMV_OF_PREALLOC, flag 010000 in the -v table); shared extents
 *     always carry BMV_OF_SHARED (100000);
 *   - delayed allocations are written back first unless -e asks to see
 *     them ("delalloc", block -2), as xfs_getbmap() does;
 *   - -a (attribute fork): extentfs has none, so "no extents"; -c (CoW
 *     fork): XFS answers EINVAL unless it is a debug kernel, and so do we;
 *   - -n N: the kernel is asked for N + 1 records (fewer than 2 is EINVAL)
 *     and N are printed.
 *
 * -v adds the allocation-group columns.  extentfs has no allocation
 * groups; the table shows the whole device as AG 0, so AG-OFFSET equals
 * the block range (both physical columns differ from XFS anyway).
 */
#include <stdlib.h>
#include <string.h>

#include "iocmd-internal.h"

/* XFS_IOC_GETBMAPX input flags (BMV_IF_*) and output flags (BMV_OF_*). */
#define BMV_IF_ATTRFORK 0x1
#define BMV_IF_PREALLOC 0x4
#define BMV_IF_DELALLOC 0x8
#define BMV_IF_COWFORK 0x20
#define BMV_OF_PREALLOC 0x1
#define BMV_OF_DELALLOC 0x2
#define BMV_OF_SHARED 0x8

/* Flags of the -v FLAGS column (octal, as xfs_io prints them). */
#define FLG_NULL 0000000
#define FLG_SHARED 0100000
#define FLG_PRE 0010000
#define NFLG 6

/* One record as XFS_IOC_GETBMAPX returns it (struct getbmapx). */
struct bmx {
	long long offset; /* file offset, 512-byte units */
	long long block;  /* device block, -1 hole, -2 delalloc */
	long long length; /* 512-byte units */
	unsigned oflags;  /* BMV_OF_* */
};

/*
 * xfs_getbmap() for the data fork: extentfs's records in XFS's shape.
 * Returns the number of records in *out (malloc'd), or -errno.
 */
static int getbmapx(struct iocmd *ic, struct iocmd_file *f, unsigned iflags, struct bmx **out)
{
	struct extentfs_bmap_rec *recs = NULL;
	size_t nr = 0, n = 0;
	bool any_extent = false, any_delalloc = false;
	struct bmx *m;
	int ret;

	ret = ic->ops->getbmap(f->file, &recs, &nr);
	if (ret < 0)
		return ret;
	for (size_t i = 0; i < nr; i++)
		any_delalloc |= recs[i].delalloc;
	if (any_delalloc && !(iflags & BMV_IF_DELALLOC)) {
		/* xfs_getbmap(): "take the flush completion as a point-in-time
		 * snapshot where there are no delalloc extents". */
		struct inode *inode = f->file->f_inode;

		free(recs);
		inode_lock_shared(inode);
		ret = filemap_write_and_wait_range(inode->i_mapping, 0, INT64_MAX);
		inode_unlock_shared(inode);
		if (ret < 0)
			return ret;
		ret = ic->ops->getbmap(f->file, &recs, &nr);
		if (ret < 0)
			return ret;
	}

	m = calloc(nr ? nr : 1, sizeof(*m));
	if (!m) {
		free(recs);
		return -ENOMEM;
	}
	for (size_t i = 0; i < nr; i++) {
		const struct extentfs_bmap_rec *r = &recs[i];
		struct bmx *b = &m[n];

		if (r->delalloc && !(iflags & BMV_IF_DELALLOC))
			continue; /* raced in after the flush: not reported */
		b->offset = (long long)(r->offset >> SECTOR_SHIFT);
		b->length = (long long)(r->length >> SECTOR_SHIFT);
		if (r->delalloc) {
			b->block = -2;
			b->oflags |= BMV_OF_DELALLOC;
		} else if (r->addr < 0) {
			b->block = -1;
		} else {
			b->block = (long long)((uint64_t)r->addr >> SECTOR_SHIFT);
			any_extent = true;
		}
		if (r->unwritten && (iflags & BMV_IF_PREALLOC) && b->block >= 0)
			b->oflags |= BMV_OF_PREALLOC;
		if (r->shared && b->block >= 0)
			b->oflags |= BMV_OF_SHARED;
		any_extent |= r->delalloc && (iflags & BMV_IF_DELALLOC);
		n++;
	}
	free(recs);
	/* No extent at all: XFS reports nothing, not even the hole. */
	if (!any_extent)
		n = 0;
	*out = m;
	return (int)n;
}

/* The plain listing. */
static void print_plain(struct iocmd *ic, const struct bmx *m, int egcnt, bool lflag)
{
	for (int i = 0; i < egcnt; i++) {
		fprintf(ic->out, "\t%d: [%lld..%lld]: ", i, m[i].offset,
			m[i].offset + m[i].length - 1);
		if (m[i].block == -1)
			fprintf(ic->out, "hole");
		else if (m[i].block == -2)
			fprintf(ic->out, "delalloc");
		else
			fprintf(ic->out, "%lld..%lld", m[i].block, m[i].block + m[i].length - 1);
		if (lflag)
			fprintf(ic->out, " %lld blocks\n", m[i].length);
		else
			fprintf(ic->out, "\n");
	}
}

/*
 * xfs_io formats these columns into 32-byte buffers, so a range wider than
 * 31 characters is cut short, in the widths and in the table alike.  We
 * format into a larger buffer and cut at the same place.
 */
#define XFS_IO_BUF 32

static void cut(char *buf)
{
	buf[XFS_IO_BUF - 1] = '\0';
}

static int max_int(int a, int b)
{
	return a > b ? a : b;
}

/* The -v table with its AG columns (one AG: the whole device). */
static void print_verbose(struct iocmd *ic, struct bmx *m, int egcnt, bool pflag, int vflag)
{
	const long long bbperag = (long long)extentfs_sb(ic->fs)->s_bdev->bd_nr_sectors;
	const int agcount = 1;
	int foff_w = 16, boff_w = 16, aoff_w = 16, tot_w = 5, agno_w, flg = pflag;
	char rbuf[96], bbuf[96], abuf[96];

	for (int i = 0; i < egcnt; i++) {
		snprintf(rbuf, sizeof(rbuf), "[%lld..%lld]:", m[i].offset,
			 m[i].offset + m[i].length - 1);
			cut(rbuf);
		if (m[i].oflags & BMV_OF_PREALLOC)
			flg = 1;
		if (m[i].block == -1) {
			foff_w = max_int(foff_w, (int)strlen(rbuf));
			tot_w = max_int(tot_w, (int)iocmd_numlen((uint64_t)m[i].length, 10));
		} else {
			long long agno = m[i].block / bbperag, agoff = m[i].block - agno * bbperag;

			snprintf(bbuf, sizeof(bbuf), "%lld..%lld", m[i].block,
				 m[i].block + m[i].length - 1);
			cut(bbuf);
			boff_w = max_int(boff_w, (int)strlen(bbuf));
			snprintf(abuf, sizeof(abuf), "(%lld..%lld)", agoff, agoff + m[i].length - 1);
			cut(abuf);
			aoff_w = max_int(aoff_w, (int)strlen(abuf));
			foff_w = max_int(foff_w, (int)strlen(rbuf));
			tot_w = max_int(tot_w, (int)iocmd_numlen((uint64_t)m[i].length, 10));
		}
	}
	agno_w = max_int(2, (int)iocmd_numlen(agcount, 10));
	fprintf(ic->out, "%4s: %-*s %-*s %*s %-*s %*s%s\n", "EXT", foff_w, "FILE-OFFSET", boff_w,
		"BLOCK-RANGE", agno_w, "AG", aoff_w, "AG-OFFSET", tot_w, "TOTAL",
		flg ? " FLAGS" : "");
	for (int i = 0; i < egcnt; i++) {
		flg = FLG_NULL;
		if (m[i].oflags & BMV_OF_PREALLOC)
			flg |= FLG_PRE;
		if (m[i].oflags & BMV_OF_SHARED)
			flg |= FLG_SHARED;
		if (m[i].oflags & BMV_OF_DELALLOC)
			m[i].block = -2;
		snprintf(rbuf, sizeof(rbuf), "[%lld..%lld]:", m[i].offset,
			 m[i].offset + m[i].length - 1);
			cut(rbuf);
		if (m[i].block < 0) {
			fprintf(ic->out, "%4d: %-*s %-*s %*s %-*s %*lld\n", i, foff_w, rbuf, boff_w,
				m[i].block == -1 ? "hole" : "delalloc", agno_w, "", aoff_w, "", tot_w,
				m[i].length);
		} else {
			long long agno = m[i].block / bbperag, agoff = m[i].block - agno * bbperag;

			snprintf(bbuf, sizeof(bbuf), "%lld..%lld", m[i].block,
				 m[i].block + m[i].length - 1);
			cut(bbuf);
			snprintf(abuf, sizeof(abuf), "(%lld..%lld)", agoff, agoff + m[i].length - 1);
			cut(abuf);
			fprintf(ic->out, "%4d: %-*s %-*s %*lld %-*s %*lld", i, foff_w, rbuf, boff_w,
				bbuf, agno_w, agno, aoff_w, abuf, tot_w, m[i].length);
			if (flg == FLG_NULL && !pflag)
				fprintf(ic->out, "\n");
			else
				fprintf(ic->out, " %-*.*o\n", NFLG, NFLG, (unsigned)flg);
		}
	}
	/* xfs_io tests the flags of the *last* record here, as its loop left them. */
	if ((flg || pflag) && vflag > 1) {
		fprintf(ic->out, " FLAG Values:\n");
		fprintf(ic->out, "    %*.*o Shared extent\n", NFLG + 1, NFLG + 1, FLG_SHARED);
		fprintf(ic->out, "    %*.*o Unwritten preallocated extent\n", NFLG + 1, NFLG + 1,
			FLG_PRE);
		fprintf(ic->out, "    %*.*o Doesn't begin on stripe unit\n", NFLG + 1, NFLG + 1,
			0001000);
		fprintf(ic->out, "    %*.*o Doesn't end   on stripe unit\n", NFLG + 1, NFLG + 1,
			0000100);
		fprintf(ic->out, "    %*.*o Doesn't begin on stripe width\n", NFLG + 1, NFLG + 1,
			0000010);
		fprintf(ic->out, "    %*.*o Doesn't end   on stripe width\n", NFLG + 1, NFLG + 1,
			0000001);
	}
}

int iocmd_bmap_f(struct iocmd *ic, int argc, char **argv)
{
	struct iocmd_getopt g = IOCMD_GETOPT_INIT;
	struct iocmd_file *f = iocmd_cur(ic);
	bool aflag = false, cflag = false, lflag = false, pflag = false;
	int nflag = 0, vflag = 0, egcnt, entries, c;
	unsigned iflags = 0;
	struct bmx *m = NULL;

	while ((c = iocmd_getopt(&g, argc, argv, "acelpn:v", ic->err)) != -1) {
		switch (c) {
		case 'a':
			iflags |= BMV_IF_ATTRFORK;
			aflag = true;
			break;
		case 'c':
			iflags |= BMV_IF_COWFORK | BMV_IF_DELALLOC;
			cflag = true;
			break;
		case 'e':
			iflags |= BMV_IF_DELALLOC;
			break;
		case 'l':
			lflag = true;
			break;
		case 'n':
			nflag = atoi(g.optarg);
			break;
		case 'p':
			pflag = true;
			iflags |= BMV_IF_PREALLOC;
			break;
		case 'v':
			vflag++;
			break;
		default:
			return iocmd_usage(ic); /* bmap does not set the exit code */
		}
	}
	if (aflag || cflag)
		iflags &= ~BMV_IF_PREALLOC;

	/* xfs_ioc_getbmap(): bmv_count is nflag + 2 (or 32), at least 2. */
	if ((nflag ? (long long)nflag + 2 : 32) < 2 || cflag) {
		fprintf(ic->err, "%s: xfsctl(XFS_IOC_GETBMAPX) iflags=0x%x [\"%s\"]: %s\n",
			ic->progname, iflags, f->name, strerror(EINVAL));
		iocmd_note(ic, -EINVAL);
		ic->exitcode = 1;
		return 0;
	}
	if (aflag) {
		entries = 0; /* extentfs keeps no extended attributes */
	} else {
		entries = getbmapx(ic, f, iflags, &m);
		if (entries < 0) {
			fprintf(ic->err, "%s: xfsctl(XFS_IOC_GETBMAPX) iflags=0x%x [\"%s\"]: %s\n",
				ic->progname, iflags, f->name, strerror(-entries));
			iocmd_note(ic, entries);
			ic->exitcode = 1;
			return 0;
		}
		if (nflag && entries > nflag + 1)
			entries = nflag + 1; /* bmv_count - 1 records fit */
	}
	if (!nflag && entries <= 0) {
		fprintf(ic->out, "%s: no extents\n", f->name);
		free(m);
		return 0;
	}
	egcnt = nflag ? (nflag < entries ? nflag : entries) : entries;
	fprintf(ic->out, "%s:\n", f->name);
	if (!vflag)
		print_plain(ic, m, egcnt, lflag);
	else
		print_verbose(ic, m, egcnt, pflag, vflag);
	free(m);
	return 0;
}
