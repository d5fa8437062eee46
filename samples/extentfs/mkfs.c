/**
 * @file mkfs.c
 * @brief Make an empty extentfs (mkfs.xfs's job), and parse mkfs.xfs-style
 *        options.
 *
 * mkfs builds an empty in-memory filesystem — every block of [2, nblocks)
 * free, no inodes — and writes it with the ordinary commit (commit.c) as
 * generation 1 into slot 0.  Before that it erases slot 0 and every place
 * where a slot 1 of *any* block size could be, so that no superblock of an
 * older filesystem on the device can outrank the new one.  Those erasures
 * become durable with the commit's first flush, before the new superblock
 * is written.
 *
 * Options (mkfs.xfs spelling):
 *
 *     -b size=N | log=N      block size 512 .. 65536 (default 4096), "4k" allowed
 *     -m reflink=0|1, crc=, finobt=, rmapbt=, bigtime=, inobtcount=, sparse=
 *                            accepted and ignored: extentfs always has
 *                            reflink and checksums
 *     -i inline=0|1          keep small files inside their inode (inline.c;
 *                            EFS_FEAT_INLINE_DATA, a version 2 image); off by
 *                            default, so default images and traces match XFS
 *     -i size=N              accepted and ignored
 *     -f, -q, -K             accepted and ignored
 *
 * Never: run mkfs on a device that is mounted.
 *
 * Locking: mkfs owns the device for its whole run.
 */
#include <stdlib.h>
#include <string.h>

#include "extentfs_priv.h"

static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!*s)
		return -EINVAL;
	v = strtoull(s, &end, 0);
	if (*end == 'k' || *end == 'K') {
		v *= 1024;
		end++;
	}
	if (*end || v > (1ull << 32))
		return -EINVAL;
	*out = v;
	return 0;
}

static bool is_bool(const char *v)
{
	return strcmp(v, "0") == 0 || strcmp(v, "1") == 0;
}

/* One "key=value[,key=value]" list of option @opt. */
static int parse_subopts(char opt, char *list, struct extentfs_mkfs_opts *o, char *err,
			 size_t errlen)
{
	static const char *const ignored_m[] = { "reflink", "crc", "finobt", "rmapbt",
						 "bigtime", "inobtcount", "sparse" };

	for (char *save = NULL, *kv = strtok_r(list, ",", &save); kv;
	     kv = strtok_r(NULL, ",", &save)) {
		char *val = strchr(kv, '=');
		uint64_t n;
		bool known = false;

		if (!val) {
			snprintf(err, errlen, "-%c %s: expected key=value", opt, kv);
			return -EINVAL;
		}
		*val++ = '\0';
		if (opt == 'b' && strcmp(kv, "size") == 0) {
			if (parse_size(val, &n)) {
				snprintf(err, errlen, "-b size=%s: not a size", val);
				return -EINVAL;
			}
			o->block_size = (uint32_t)n;
			known = true;
		} else if (opt == 'b' && strcmp(kv, "log") == 0) {
			if (parse_size(val, &n) || n < EFS_MIN_BLOCK_LOG || n > EFS_MAX_BLOCK_LOG) {
				snprintf(err, errlen, "-b log=%s: expected %d..%d", val,
					 EFS_MIN_BLOCK_LOG, EFS_MAX_BLOCK_LOG);
				return -EINVAL;
			}
			o->block_size = 1u << n;
			known = true;
		} else if (opt == 'i' && strcmp(kv, "inline") == 0 && is_bool(val)) {
			o->inline_data = val[0] == '1';
			known = true;
		} else if (opt == 'i' && strcmp(kv, "size") == 0) {
			known = true;
		} else if (opt == 'm') {
			for (size_t i = 0; i < ARRAY_SIZE(ignored_m); i++)
				known |= strcmp(kv, ignored_m[i]) == 0 && is_bool(val);
		}
		if (!known) {
			snprintf(err, errlen, "-%c %s=%s: unknown or invalid option", opt, kv, val);
			return -EINVAL;
		}
	}
	return 0;
}

int extentfs_parse_mkfs_opts(const char *text, struct extentfs_mkfs_opts *opts, char *err,
			     size_t errlen)
{
	char *copy, *save = NULL;
	int ret = 0;

	opts->block_size = 4096;
	opts->inline_data = false;
	if (errlen)
		err[0] = '\0';
	if (!text)
		return 0;
	copy = strdup(text);
	if (!copy)
		return -ENOMEM;
	for (char *tok = strtok_r(copy, " \t", &save); tok && !ret;
	     tok = strtok_r(NULL, " \t", &save)) {
		char *arg;

		if (tok[0] != '-' || !tok[1]) {
			snprintf(err, errlen, "%s: not an option", tok);
			ret = -EINVAL;
		} else if (strchr("fqK", tok[1]) && !tok[2]) {
			continue;
		} else if (strchr("bmi", tok[1])) {
			/* "-b size=1024" and "-bsize=1024" both work, as with getopt. */
			arg = tok[2] ? tok + 2 : strtok_r(NULL, " \t", &save);
			if (!arg) {
				snprintf(err, errlen, "-%c needs an argument", tok[1]);
				ret = -EINVAL;
			} else {
				ret = parse_subopts(tok[1], arg, opts, err, errlen);
			}
		} else {
			snprintf(err, errlen, "%s: unknown option", tok);
			ret = -EINVAL;
		}
	}
	free(copy);
	if (!ret && (opts->block_size < (1u << EFS_MIN_BLOCK_LOG) ||
		     opts->block_size > (1u << EFS_MAX_BLOCK_LOG) ||
		     (opts->block_size & (opts->block_size - 1)))) {
		snprintf(err, errlen, "block size %u: must be a power of two from 512 to 65536",
			 opts->block_size);
		ret = -EINVAL;
	}
	return ret;
}

int extentfs_mkfs(struct backend *b, const struct extentfs_mkfs_opts *opts)
{
	struct extentfs_mkfs_opts defaults = { .block_size = 4096 };
	struct extentfs *fs;
	unsigned log;
	uint64_t nblocks, data_start;
	uint8_t *zero;
	int ret;

	if (!b)
		return -EINVAL;
	if (!opts)
		opts = &defaults;
	if (opts->block_size < (1u << EFS_MIN_BLOCK_LOG) ||
	    opts->block_size > (1u << EFS_MAX_BLOCK_LOG) ||
	    (opts->block_size & (opts->block_size - 1)) ||
	    opts->block_size < b->logical_block_size)
		return -EINVAL;
	log = (unsigned)__builtin_ctz(opts->block_size);
	nblocks = b->size >> log;
	data_start = efs_data_start_for(log);
	if (nblocks < data_start + EFS_MIN_DATA_BLOCKS)
		return -EINVAL;

	fs = efs_fs_alloc(b, log, nblocks, data_start);
	fs->sb.s_dev = MKDEV(b->dev_major, b->dev_minor);
	ret = blkdev_open(&fs->bdev, b, fs->sb.s_dev);
	if (ret) {
		efs_fs_free(fs);
		return ret;
	}
	fs->bdev_open = true;
	fs->features = opts->inline_data ? EFS_FEAT_INLINE_DATA : 0;
	EFS_BUG_ON(efs_extlist_insert(&fs->free, EFS_SB_SLOTS, nblocks - EFS_SB_SLOTS));
	fs->active_slot = 1; /* so that generation 1 goes to slot 0 */
	fs->generation = 0;
	fs->dirty = true;

	/* Erase slot 0 and every possible slot 1 of an older filesystem. */
	zero = efs_io_alloc(fs->lbs);
	ret = blkdev_rw(&fs->bdev, REQ_OP_WRITE, 0, zero, fs->lbs);
	for (unsigned l = EFS_MIN_BLOCK_LOG; l <= EFS_MAX_BLOCK_LOG && !ret; l++) {
		uint64_t off = 1ull << l;

		if (off % fs->lbs == 0 && off + fs->lbs <= b->size)
			ret = blkdev_rw(&fs->bdev, REQ_OP_WRITE, off, zero, fs->lbs);
	}
	free(zero);
	if (!ret)
		ret = efs_commit(fs);
	efs_fs_free(fs);
	return ret;
}
