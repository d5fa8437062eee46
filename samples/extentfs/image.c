/**
 * @file image.c
 * @brief Read an extentfs image and verify it (the superblock verifiers of
 *        xfs_sb.c and the cross-checks of xfs_repair, in one place).
 *
 * Mount, the checker and the in-core checker all go through here, so they
 * agree on what "consistent" means:
 *
 *     efs_image_read     slots -> current superblock -> metadata chain -> stream
 *                        -> efs_image_parse
 *     efs_image_verify   every [D] invariant of extentfs_priv.h, by one sweep
 *                        over all block owners (below)
 *
 * Choosing the superblock.  A slot is valid when its magic and CRC are
 * right.  Slot 1 lives at block 1, whose byte offset depends on the block
 * size; when slot 0 is unreadable every possible block size is probed and
 * only a superblock that names that same block size is accepted.  The
 * valid slot with the highest generation is current; an invalid slot is
 * normal (a torn superblock write, or mkfs) and is only a note.
 *
 * The sweep.  Every run of blocks with an owner — free record, busy run
 * (in-core only), metadata chain block, extent, reference count record —
 * becomes two events (+1 at its start, -1 at its end).  Walking the sorted
 * events gives, for every segment of the device, how many owners of each
 * kind it has, from which invariants 4 and 5 read directly:
 *
 *     blocks      [2 ......................................... nblocks)
 *     free         ####                       ######
 *     chain            ##
 *     extents            #########   ####
 *     extents                 #####
 *     refcount                #####  (count 2 = two extents: consistent)
 *     owners      1111111111111111111100000111111111
 *                                    ^^^^^ leaked: nobody owns these
 *
 * Never: trust a count from the image before checking it against the bytes
 * that are actually there (allocation sizes are bounded by the stream).
 *
 * Locking: none; the callers own their images.
 */
#include <stdlib.h>
#include <string.h>

#include "extentfs_priv.h"

/* Lines printed per report before the rest is only counted. */
#define EFS_REPORT_MAX_LINES 200

static void report_line(struct efs_report *r, const char *kind, const char *fmt, va_list ap,
			bool problem)
{
	char msg[256];
	unsigned n = r->problems + r->notes;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (problem && r->problems == 0)
		snprintf(r->first, sizeof(r->first), "%s", msg);
	if (r->out && n < EFS_REPORT_MAX_LINES)
		fprintf(r->out, "%s: %s\n", kind, msg);
	else if (r->out && n == EFS_REPORT_MAX_LINES)
		fprintf(r->out, "... (further findings only counted)\n");
}

void efs_problem(struct efs_report *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report_line(r, "problem", fmt, ap, true);
	va_end(ap);
	r->problems++;
}

void efs_note(struct efs_report *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report_line(r, "note", fmt, ap, false);
	va_end(ap);
	r->notes++;
}

void efs_image_free(struct efs_image *img)
{
	free(img->meta);
	for (size_t i = 0; i < img->ninodes; i++)
		free(img->inodes[i].idata);
	free(img->inodes);
	free(img->ext);
	free(img->dir);
	free(img->refc);
	free(img->free);
	memset(img, 0, sizeof(*img));
}

/* ---------------------------------------------------------------- slots */

static int read_slot(struct block_device *bdev, uint64_t off, uint8_t *buf, struct efs_dsb *sb,
		     bool *valid)
{
	unsigned lbs = bdev->bd_logical_block_size;
	uint64_t devsize = bdev->bd_nr_sectors << SECTOR_SHIFT;
	int ret;

	*valid = false;
	if (off % lbs || off + lbs > devsize)
		return 0;
	ret = blkdev_rw(bdev, REQ_OP_READ, off, buf, lbs);
	if (ret)
		return ret;
	*valid = efs_sb_decode(buf, sb);
	return 0;
}

/* Geometry of the current superblock; every finding is a problem. */
static void check_geometry(const struct efs_dsb *sb, unsigned slot, uint64_t devsize,
			   struct efs_report *r)
{
	uint64_t bs;

	if (sb->version < EFS_VERSION_MIN || sb->version > EFS_VERSION)
		efs_problem(r, "superblock (slot %u): unknown version %u", slot, sb->version);
	else if (sb->version < efs_version_for(sb->features))
		efs_problem(r, "superblock (slot %u): features 0x%x need version %u, not %u", slot,
			    sb->features, efs_version_for(sb->features), sb->version);
	if (sb->block_log < EFS_MIN_BLOCK_LOG || sb->block_log > EFS_MAX_BLOCK_LOG) {
		efs_problem(r, "superblock (slot %u): block size 2^%u out of range", slot,
			    sb->block_log);
		return;
	}
	bs = 1ull << sb->block_log;
	if (sb->slot != slot)
		efs_problem(r, "superblock in slot %u says it was written to slot %u", slot,
			    sb->slot);
	if (sb->data_start < EFS_SB_SLOTS || sb->data_start >= sb->nblocks)
		efs_problem(r, "superblock: data area start %llu outside [2, %llu)",
			    (unsigned long long)sb->data_start, (unsigned long long)sb->nblocks);
	if (sb->nblocks > devsize / bs)
		efs_problem(r, "superblock: %llu blocks of %llu bytes do not fit the %llu-byte device",
			    (unsigned long long)sb->nblocks, (unsigned long long)bs,
			    (unsigned long long)devsize);
	if (sb->features & ~EFS_FEAT_ALL)
		efs_problem(r, "superblock: unknown features 0x%x", sb->features & ~EFS_FEAT_ALL);
	if (sb->meta_nblocks == 0 || sb->meta_nblocks > sb->nblocks)
		efs_problem(r, "superblock: metadata chain of %llu blocks",
			    (unsigned long long)sb->meta_nblocks);
	else if (sb->meta_bytes > sb->meta_nblocks * (bs - EFS_META_HDR_SIZE))
		efs_problem(r, "superblock: %llu metadata bytes cannot fit %llu chain blocks",
			    (unsigned long long)sb->meta_bytes,
			    (unsigned long long)sb->meta_nblocks);
	if (sb->meta_head < EFS_SB_SLOTS || sb->meta_head >= sb->nblocks)
		efs_problem(r, "superblock: metadata chain starts at block %llu, outside the device",
			    (unsigned long long)sb->meta_head);
	if (sb->next_ino < EFS_FIRST_INO)
		efs_problem(r, "superblock: next inode number %llu", (unsigned long long)sb->next_ino);
}

/* Pick the current superblock (see the file comment). */
static int pick_superblock(struct block_device *bdev, struct efs_image *img,
			   struct efs_report *r)
{
	unsigned lbs = bdev->bd_logical_block_size;
	uint8_t *buf = efs_io_alloc(lbs);
	struct efs_dsb sbs[2], probe;
	bool valid[2] = { false, false }, ok;
	int ret;

	ret = read_slot(bdev, 0, buf, &sbs[0], &valid[0]);
	if (ret)
		goto out;
	if (valid[0] && sbs[0].block_log >= EFS_MIN_BLOCK_LOG &&
	    sbs[0].block_log <= EFS_MAX_BLOCK_LOG) {
		ret = read_slot(bdev, 1ull << sbs[0].block_log, buf, &sbs[1], &valid[1]);
		if (ret)
			goto out;
		if (valid[1] && sbs[1].block_log != sbs[0].block_log) {
			efs_problem(r, "superblock slots disagree on the block size (2^%u, 2^%u)",
				    sbs[0].block_log, sbs[1].block_log);
			valid[1] = false;
		}
	} else {
		/* Slot 0 is gone: find slot 1 by trying every block size. */
		for (unsigned log = EFS_MIN_BLOCK_LOG; log <= EFS_MAX_BLOCK_LOG; log++) {
			ret = read_slot(bdev, 1ull << log, buf, &probe, &ok);
			if (ret)
				goto out;
			if (ok && probe.block_log == log &&
			    (!valid[1] || probe.generation > sbs[1].generation)) {
				sbs[1] = probe;
				valid[1] = true;
			}
		}
	}
	for (unsigned s = 0; s < 2; s++)
		if (!valid[s])
			efs_note(r, "superblock slot %u holds no valid superblock "
				    "(normal after mkfs or a torn superblock write)", s);
	if (!valid[0] && !valid[1]) {
		efs_problem(r, "no valid superblock: bad magic or checksum in both slots");
		ret = -EUCLEAN;
		goto out;
	}
	if (valid[0] && valid[1] && sbs[0].generation == sbs[1].generation) {
		efs_problem(r, "both superblock slots hold generation %llu",
			    (unsigned long long)sbs[0].generation);
		ret = -EUCLEAN;
		goto out;
	}
	img->slot = (valid[1] && (!valid[0] || sbs[1].generation > sbs[0].generation)) ? 1 : 0;
	img->sb = sbs[img->slot];
	if (valid[0] && valid[1] &&
	    (sbs[0].nblocks != sbs[1].nblocks || sbs[0].data_start != sbs[1].data_start))
		efs_problem(r, "superblock slots disagree on the geometry");
	if (valid[1 - img->slot])
		efs_note(r, "superblock slot %u holds generation %llu (the previous commit)",
			 1 - img->slot, (unsigned long long)sbs[1 - img->slot].generation);
	if ((1ull << img->sb.block_log) < lbs && img->sb.block_log >= EFS_MIN_BLOCK_LOG) {
		efs_problem(r, "block size %llu is smaller than the device's %u-byte sectors",
			    1ull << img->sb.block_log, lbs);
		ret = -EINVAL;
		goto out;
	}
	ret = 0;
out:
	free(buf);
	return ret;
}

/* ---------------------------------------------------------------- chain */

static int read_chain(struct block_device *bdev, struct efs_image *img, uint8_t **stream,
		      struct efs_report *r)
{
	const struct efs_dsb *sb = &img->sb;
	uint32_t bs = 1u << sb->block_log;
	uint8_t *blk = efs_io_alloc(bs);
	uint8_t *out = efs_xcalloc(sb->meta_bytes ? sb->meta_bytes : 1, 1);
	uint64_t cur = sb->meta_head, off = 0;
	unsigned before = r->problems;
	int ret = 0;

	img->meta = efs_xcalloc(sb->meta_nblocks, sizeof(*img->meta));
	for (uint64_t i = 0; i < sb->meta_nblocks; i++) {
		struct efs_mhdr h;

		if (cur < EFS_SB_SLOTS || cur >= sb->nblocks) {
			efs_problem(r, "metadata chain: block %llu (index %llu) outside the device",
				    (unsigned long long)cur, (unsigned long long)i);
			break;
		}
		ret = blkdev_rw(bdev, REQ_OP_READ, cur << sb->block_log, blk, bs);
		if (ret)
			goto out;
		if (!efs_mhdr_decode(blk, bs, &h)) {
			efs_problem(r, "metadata block %llu (chain index %llu): bad magic or checksum",
				    (unsigned long long)cur, (unsigned long long)i);
			break;
		}
		if (h.generation != sb->generation || h.index != i) {
			efs_problem(r, "metadata block %llu: generation %llu index %u, expected "
				       "generation %llu index %llu (stale or misdirected block)",
				    (unsigned long long)cur, (unsigned long long)h.generation, h.index,
				    (unsigned long long)sb->generation, (unsigned long long)i);
			break;
		}
		if (h.payload > bs - EFS_META_HDR_SIZE || h.payload > sb->meta_bytes - off) {
			efs_problem(r, "metadata block %llu: payload of %u bytes overruns the stream",
				    (unsigned long long)cur, h.payload);
			break;
		}
		memcpy(out + off, blk + EFS_META_HDR_SIZE, h.payload);
		off += h.payload;
		img->meta[img->nmeta++] = (struct efs_bext){ cur, 1 };
		if (i + 1 < sb->meta_nblocks && h.next == 0) {
			efs_problem(r, "metadata chain ends after %llu of %llu blocks",
				    (unsigned long long)i + 1, (unsigned long long)sb->meta_nblocks);
			break;
		}
		if (i + 1 == sb->meta_nblocks && h.next != 0) {
			efs_problem(r, "metadata chain continues past its %llu blocks",
				    (unsigned long long)sb->meta_nblocks);
			break;
		}
		cur = h.next;
	}
	if (r->problems == before && off != sb->meta_bytes)
		efs_problem(r, "metadata chain holds %llu bytes, superblock says %llu",
			    (unsigned long long)off, (unsigned long long)sb->meta_bytes);
	if (r->problems == before && efs_crc32c(out, off) != sb->meta_crc)
		efs_problem(r, "metadata stream checksum mismatch");
	ret = r->problems == before ? 0 : -EUCLEAN;
out:
	free(blk);
	if (ret) {
		free(out);
		out = NULL;
	}
	*stream = out;
	return ret;
}

int efs_image_read(struct block_device *bdev, struct efs_image *img, struct efs_report *r)
{
	uint8_t *stream = NULL;
	unsigned before;
	int ret;

	memset(img, 0, sizeof(*img));
	img->devsize = bdev->bd_nr_sectors << SECTOR_SHIFT;
	ret = pick_superblock(bdev, img, r);
	if (ret)
		return ret;
	before = r->problems;
	check_geometry(&img->sb, img->slot, img->devsize, r);
	if (r->problems != before)
		return -EUCLEAN;
	ret = read_chain(bdev, img, &stream, r);
	if (ret)
		return ret;
	ret = efs_image_parse(img, stream, img->sb.meta_bytes, r);
	free(stream);
	return ret;
}

/* ---------------------------------------------------------------- parse */

struct cursor {
	const uint8_t *p;
	size_t left;
};

static const uint8_t *take(struct cursor *c, size_t n)
{
	const uint8_t *p = c->p;

	if (c->left < n)
		return NULL;
	c->p += n;
	c->left -= n;
	return p;
}

/* n records of at least @size bytes each must fit into @left bytes. */
static bool count_fits(uint64_t n, size_t size, size_t left)
{
	return n <= left / size;
}

/*
 * The inline data after an EFS_DIFLAG_INLINE inode record (10): size bytes
 * and zero padding to 8.  The size bounds what is taken, so it is checked
 * here, before the stream can be misread; whether the image may have
 * inline inodes at all is efs_image_verify's question.
 */
static bool parse_inline(struct cursor *c, struct efs_image_inode *in, const struct efs_dsb *sb,
			 struct efs_report *r)
{
	unsigned long long ino = in->ino;
	const uint8_t *p;
	size_t dlen;

	if (sb->block_log < EFS_MIN_BLOCK_LOG || sb->block_log > EFS_MAX_BLOCK_LOG ||
	    in->size > efs_inline_capacity(sb->block_log)) {
		efs_problem(r, "inode %llu: inline size %llu beyond the inline capacity (10)", ino,
			    (unsigned long long)in->size);
		return false;
	}
	dlen = efs_dinline_size(in->size);
	if (!(p = take(c, dlen))) {
		efs_problem(r, "inode %llu: inline data runs past the metadata stream", ino);
		return false;
	}
	for (size_t k = (size_t)in->size; k < dlen; k++)
		if (p[k]) {
			efs_problem(r, "inode %llu: inline padding byte %zu is not zero (10)", ino, k);
			break;
		}
	in->idata = efs_xcalloc(dlen ? dlen : 1, 1);
	memcpy(in->idata, p, dlen);
	return true;
}

int efs_image_parse(struct efs_image *img, const uint8_t *buf, size_t len, struct efs_report *r)
{
	const struct efs_dsb *sb = &img->sb;
	struct cursor c = { buf, len };
	const uint8_t *p;
	unsigned before = r->problems;

	if (!count_fits(sb->ninodes, EFS_DINODE_SIZE, len) ||
	    !count_fits(sb->nextents, EFS_DEXT_SIZE, len) ||
	    !count_fits(sb->ndirents, efs_dirent_size(1), len) ||
	    !count_fits(sb->nrefcount, EFS_DREFC_SIZE, len) ||
	    !count_fits(sb->nfree, EFS_DFREE_SIZE, len)) {
		efs_problem(r, "superblock record counts do not fit a %zu-byte metadata stream", len);
		return -EUCLEAN;
	}
	img->inodes = efs_xcalloc(sb->ninodes + 1, sizeof(*img->inodes));
	img->ext = efs_xcalloc(sb->nextents + 1, sizeof(*img->ext));
	img->dir = efs_xcalloc(sb->ndirents + 1, sizeof(*img->dir));
	img->refc = efs_xcalloc(sb->nrefcount + 1, sizeof(*img->refc));
	img->free = efs_xcalloc(sb->nfree + 1, sizeof(*img->free));

	for (uint64_t i = 0; i < sb->ninodes; i++) {
		struct efs_image_inode *in = &img->inodes[i];

		if (!(p = take(&c, EFS_DINODE_SIZE)))
			goto truncated;
		in->ino = efs_get_le64(p);
		in->size = efs_get_le64(p + 8);
		in->nextents = efs_get_le64(p + 16);
		in->nlink = efs_get_le32(p + 24);
		in->flags = efs_get_le32(p + 28);
		in->first_ext = img->next;
		if (in->nextents > sb->nextents - img->next) {
			efs_problem(r, "inode %llu claims %llu extents, more than the superblock counts",
				    (unsigned long long)in->ino, (unsigned long long)in->nextents);
			return -EUCLEAN;
		}
		for (uint64_t k = 0; k < in->nextents; k++) {
			struct efs_irec *e = &img->ext[img->next];

			if (!(p = take(&c, EFS_DEXT_SIZE)))
				goto truncated;
			e->fblock = efs_get_le64(p);
			e->dblock = efs_get_le64(p + 8);
			e->len = efs_get_le64(p + 16);
			e->state = efs_get_le32(p + 24);
			img->next++;
		}
		img->ninodes++;
		if ((in->flags & EFS_DIFLAG_INLINE) && !parse_inline(&c, in, sb, r))
			return -EUCLEAN;
	}
	if (img->next != sb->nextents)
		efs_problem(r, "inodes hold %zu extents, superblock says %llu", img->next,
			    (unsigned long long)sb->nextents);
	for (uint64_t i = 0; i < sb->ndirents; i++) {
		struct efs_image_dirent *d = &img->dir[i];
		uint16_t nl;

		if (!(p = take(&c, EFS_DIRENT_HDR)))
			goto truncated;
		d->ino = efs_get_le64(p);
		nl = efs_get_le16(p + 8);
		if (nl == 0 || nl > EFS_NAME_MAX) {
			efs_problem(r, "directory entry %llu: name length %u",
				    (unsigned long long)i, nl);
			return -EUCLEAN;
		}
		if (!(p = take(&c, efs_dirent_size(nl) - EFS_DIRENT_HDR)))
			goto truncated;
		memcpy(d->name, p, nl);
		d->name[nl] = '\0';
		if (strlen(d->name) != nl || !efs_name_valid(d->name))
			efs_problem(r, "directory entry %llu: invalid name", (unsigned long long)i);
		img->ndir++;
	}
	for (uint64_t i = 0; i < sb->nrefcount; i++) {
		if (!(p = take(&c, EFS_DREFC_SIZE)))
			goto truncated;
		img->refc[i] = (struct efs_refc){ efs_get_le64(p), efs_get_le64(p + 8),
						  efs_get_le64(p + 16) };
		img->nrefc++;
	}
	for (uint64_t i = 0; i < sb->nfree; i++) {
		if (!(p = take(&c, EFS_DFREE_SIZE)))
			goto truncated;
		img->free[i] = (struct efs_bext){ efs_get_le64(p), efs_get_le64(p + 8) };
		img->nfree++;
	}
	if (c.left)
		efs_problem(r, "%zu bytes after the last record of the metadata stream", c.left);
	return r->problems == before ? 0 : -EUCLEAN;
truncated:
	efs_problem(r, "metadata stream ends in the middle of a record");
	return -EUCLEAN;
}

/* --------------------------------------------------------------- verify */

enum owner { OWN_FREE, OWN_BUSY, OWN_META, OWN_DATA, OWN_REFC, OWN_KINDS };

struct sweep_ev {
	uint64_t pos;
	int kind;
	int delta;
	uint64_t count; /* refcount records: their count */
};

struct sweep {
	struct sweep_ev *ev;
	size_t nr, cap;
};

static void sweep_add(struct sweep *sw, uint64_t start, uint64_t len, int kind, uint64_t count)
{
	if (len == 0)
		return;
	if (sw->nr + 2 > sw->cap) {
		sw->cap = sw->cap ? 2 * sw->cap : 256;
		sw->ev = efs_xrealloc(sw->ev, sw->cap, sizeof(*sw->ev));
	}
	sw->ev[sw->nr++] = (struct sweep_ev){ start, kind, +1, count };
	sw->ev[sw->nr++] = (struct sweep_ev){ start + len, kind, -1, count };
}

static int ev_cmp(const void *a, const void *b)
{
	const struct sweep_ev *x = a, *y = b;

	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* Invariants 4 and 5 for the segment [a, b), given its owner counts. */
static void check_segment(uint64_t a, uint64_t b, const long cnt[OWN_KINDS], uint64_t refsum,
			  struct efs_report *r)
{
	long owners = cnt[OWN_FREE] + cnt[OWN_BUSY] + cnt[OWN_META] + (cnt[OWN_DATA] > 0);
	unsigned long long sa = a, sb = b;

	if (owners == 0)
		efs_problem(r, "blocks [%llu, %llu) are neither free nor in use (leaked)", sa, sb);
	else if (owners > 1)
		efs_problem(r, "blocks [%llu, %llu) are claimed %ld times (free %ld, busy %ld, "
			       "metadata %ld, file data %s)",
			    sa, sb, owners, cnt[OWN_FREE], cnt[OWN_BUSY], cnt[OWN_META],
			    cnt[OWN_DATA] ? "yes" : "no");
	if (cnt[OWN_REFC] > 1)
		efs_problem(r, "blocks [%llu, %llu) are covered by %ld reference count records", sa,
			    sb, cnt[OWN_REFC]);
	else if (cnt[OWN_REFC] == 1 && (uint64_t)cnt[OWN_DATA] != refsum)
		efs_problem(r, "blocks [%llu, %llu): reference count %llu, but %ld extents map them",
			    sa, sb, (unsigned long long)refsum, cnt[OWN_DATA]);
	else if (cnt[OWN_REFC] == 0 && cnt[OWN_DATA] >= 2)
		efs_problem(r, "blocks [%llu, %llu) are mapped by %ld extents but have no reference "
			       "count record", sa, sb, cnt[OWN_DATA]);
}

static void sweep_run(struct sweep *sw, uint64_t nblocks, struct efs_report *r)
{
	long cnt[OWN_KINDS] = { 0 };
	uint64_t refsum = 0, prev = EFS_SB_SLOTS;
	size_t i = 0;

	qsort(sw->ev, sw->nr, sizeof(*sw->ev), ev_cmp);
	while (i < sw->nr) {
		uint64_t pos = sw->ev[i].pos;

		if (pos > prev && prev < nblocks)
			check_segment(prev, pos < nblocks ? pos : nblocks, cnt, refsum, r);
		for (; i < sw->nr && sw->ev[i].pos == pos; i++) {
			cnt[sw->ev[i].kind] += sw->ev[i].delta;
			if (sw->ev[i].kind == OWN_REFC)
				refsum += (uint64_t)sw->ev[i].delta * sw->ev[i].count;
		}
		if (pos > prev)
			prev = pos;
	}
	if (prev < nblocks)
		check_segment(prev, nblocks, cnt, refsum, r);
}

/* A run [start, start+len) inside [lo, hi)? */
static bool run_inside(uint64_t start, uint64_t len, uint64_t lo, uint64_t hi)
{
	return len > 0 && start >= lo && start < hi && len <= hi - start;
}

static const struct efs_image_inode *find_inode(const struct efs_image *img, uint64_t ino)
{
	size_t lo = 0, hi = img->ninodes;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (img->inodes[mid].ino < ino)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < img->ninodes && img->inodes[lo].ino == ino ? &img->inodes[lo] : NULL;
}

unsigned efs_image_verify(const struct efs_image *img, const struct efs_extlist *busy,
			  struct efs_report *r)
{
	const struct efs_dsb *sb = &img->sb;
	uint64_t nblocks = sb->nblocks, max_fblock = (1ull << 63) >> sb->block_log;
	uint64_t free_sum = 0;
	unsigned before = r->problems;
	bool inodes_sorted = true, refc_sorted = true;
	uint32_t *links = efs_xcalloc(img->ninodes + 1, sizeof(*links));
	struct sweep sw = { 0 };

	/* (1), (2): inodes and their extents. */
	for (size_t i = 0; i < img->ninodes; i++) {
		const struct efs_image_inode *in = &img->inodes[i];
		unsigned long long ino = in->ino;

		if (i > 0 && in->ino <= img->inodes[i - 1].ino) {
			efs_problem(r, "inode %llu: inode numbers not strictly increasing", ino);
			inodes_sorted = false;
		}
		if (in->ino < EFS_FIRST_INO || in->ino >= sb->next_ino)
			efs_problem(r, "inode %llu: number outside [%u, next inode %llu)", ino,
				    EFS_FIRST_INO, (unsigned long long)sb->next_ino);
		if (in->nlink > 1)
			efs_problem(r, "inode %llu: link count %u (the flat directory allows 1)", ino,
				    in->nlink);
		if (in->flags & ~EFS_DIFLAG_ALL)
			efs_problem(r, "inode %llu: unknown flags 0x%x", ino, in->flags);
		if (in->flags & EFS_DIFLAG_INLINE) {
			/* (10); the size against the capacity was checked by the parser. */
			if (!(sb->features & EFS_FEAT_INLINE_DATA))
				efs_problem(r, "inode %llu: inline, but the image has no inline "
					       "feature (10)", ino);
			if (in->nextents)
				efs_problem(r, "inode %llu: inline, but maps %llu extents (10)", ino,
					    (unsigned long long)in->nextents);
			if (in->flags & EFS_DIFLAG_REFLINK)
				efs_problem(r, "inode %llu: inline and reflinked (10)", ino);
		}
		if (in->size > (uint64_t)MAX_LFS_FILESIZE)
			efs_problem(r, "inode %llu: size %llu beyond the largest file", ino,
				    (unsigned long long)in->size);
		for (uint64_t k = 0; k < in->nextents; k++) {
			const struct efs_irec *e = &img->ext[in->first_ext + k];
			unsigned long long fb = e->fblock, db = e->dblock, len = e->len;

			if (e->len == 0 || e->fblock >= max_fblock || e->len > max_fblock - e->fblock) {
				efs_problem(r, "inode %llu: extent %llu [%llu, +%llu) is empty or beyond "
					       "the largest file", ino, (unsigned long long)k, fb, len);
				continue;
			}
			if (k > 0) {
				const struct efs_irec *p = e - 1;

				if (p->fblock + p->len > e->fblock)
					efs_problem(r, "inode %llu: extent at file block %llu overlaps or "
						       "precedes the previous one", ino, fb);
			}
			if (e->state != EFS_EXT_NORM && e->state != EFS_EXT_UNWRITTEN)
				efs_problem(r, "inode %llu: extent at file block %llu has state %u",
					    ino, fb, e->state);
			if (!run_inside(e->dblock, e->len, sb->data_start, nblocks)) {
				efs_problem(r, "inode %llu: extent at file block %llu maps device blocks "
					       "[%llu, +%llu) outside the data area [%llu, %llu)",
					    ino, fb, db, len, (unsigned long long)sb->data_start,
					    (unsigned long long)nblocks);
				continue;
			}
			sweep_add(&sw, e->dblock, e->len, OWN_DATA, 0);
		}
	}

	/* (7): the directory. */
	for (size_t i = 0; i < img->ndir; i++) {
		const struct efs_image_dirent *d = &img->dir[i];
		const struct efs_image_inode *in;

		if (i > 0 && strcmp(img->dir[i - 1].name, d->name) >= 0)
			efs_problem(r, "directory: \"%s\" is out of order or a duplicate", d->name);
		in = inodes_sorted ? find_inode(img, d->ino) : NULL;
		if (!in) {
			efs_problem(r, "directory: \"%s\" names inode %llu, which does not exist",
				    d->name, (unsigned long long)d->ino);
			continue;
		}
		links[in - img->inodes]++;
	}
	for (size_t i = 0; i < img->ninodes && inodes_sorted; i++) {
		const struct efs_image_inode *in = &img->inodes[i];

		if (links[i] != in->nlink)
			efs_problem(r, "inode %llu: link count %u but %u directory entries",
				    (unsigned long long)in->ino, in->nlink, links[i]);
		else if (in->nlink == 0)
			efs_note(r, "inode %llu is an orphan (unlinked while open); mount frees it",
				 (unsigned long long)in->ino);
	}

	/* (5): reference count records. */
	for (size_t i = 0; i < img->nrefc; i++) {
		const struct efs_refc *c = &img->refc[i];

		if (c->count < 2 || !run_inside(c->start, c->len, sb->data_start, nblocks)) {
			efs_problem(r, "reference count record [%llu, +%llu) x%llu is invalid",
				    (unsigned long long)c->start, (unsigned long long)c->len,
				    (unsigned long long)c->count);
			refc_sorted = false;
			continue;
		}
		if (i > 0 && img->refc[i - 1].start + img->refc[i - 1].len > c->start)
			refc_sorted = false;
		sweep_add(&sw, c->start, c->len, OWN_REFC, c->count);
	}
	/* A shared extent in an inode without the reflink flag would be written in place. */
	if (refc_sorted && inodes_sorted) {
		const struct efs_refcl view = { img->refc, img->nrefc, img->nrefc };

		for (size_t i = 0; i < img->ninodes; i++) {
			const struct efs_image_inode *in = &img->inodes[i];

			if (in->flags & EFS_DIFLAG_REFLINK)
				continue;
			for (uint64_t k = 0; k < in->nextents; k++) {
				const struct efs_irec *e = &img->ext[in->first_ext + k];
				uint64_t fs0, fl;

				if (efs_refcount_find_shared(&view, e->dblock, e->len, &fs0, &fl)) {
					efs_problem(r, "inode %llu maps shared blocks but has no reflink "
						       "flag", (unsigned long long)in->ino);
					break;
				}
			}
		}
	}

	/* (3), (6): free records, busy runs, the chain. */
	for (size_t i = 0; i < img->nfree; i++) {
		const struct efs_bext *f = &img->free[i];

		if (!run_inside(f->start, f->len, EFS_SB_SLOTS, nblocks)) {
			efs_problem(r, "free record [%llu, +%llu) outside [2, %llu)",
				    (unsigned long long)f->start, (unsigned long long)f->len,
				    (unsigned long long)nblocks);
			continue;
		}
		free_sum += f->len;
		sweep_add(&sw, f->start, f->len, OWN_FREE, 0);
	}
	if (free_sum != sb->free_blocks)
		efs_problem(r, "free records hold %llu blocks, superblock says %llu",
			    (unsigned long long)free_sum, (unsigned long long)sb->free_blocks);
	for (size_t i = 0; busy && i < busy->nr; i++)
		sweep_add(&sw, busy->v[i].start, busy->v[i].len, OWN_BUSY, 0);
	for (size_t i = 0; i < img->nmeta; i++)
		sweep_add(&sw, img->meta[i].start, img->meta[i].len, OWN_META, 0);

	/* (4), (5): one owner per block, counts match references. */
	sweep_run(&sw, nblocks, r);
	free(sw.ev);
	free(links);
	return r->problems - before;
}
