/**
 * @file test_extentfs.c
 * @brief Check suite of extentfs, the sample XFS-like filesystem.
 *
 * Areas (test IDs):
 *   efs-1.*  on-disk format: CRC32C, superblock codec, mkfs options
 *   efs-2.*  mkfs / mount / unmount / remount round trips, block sizes
 *            512, 1k, 4k, 64k; generations and superblock slots
 *   efs-3.*  in-memory structures: extent maps, reference counts, free lists
 *   efs-4.*  space operations seen through getbmap, FIEMAP and the iomap ops:
 *            fallocate, punch, zero range, truncate; the kernel trace 09
 *            replayed line by line; IOMAP_F_DIRTY; allocation goals
 *   efs-5.*  reflink: reference counts, IOMAP_F_SHARED, punching one side,
 *            unshare, FIBMAP on shared files
 *   efs-6.*  the checker and mount against injected corruption (nothing is
 *            ever written to a bad image)
 *   efs-7.*  crash safety: a power cut at every write of a commit (torn
 *            too), EIO on writes and flushes; ram and file backends
 *   efs-8.*  a real loop device (root only; prints "SKIP loop: <reason>")
 *   efs-9.*  bad input, open/unlink/orphans, swap files, seek, ENOSPC,
 *            the mapping sequence counter, lock order
 *
 * After every test that changes a mounted filesystem, efs_check_incore()
 * must find all numbered invariants of extentfs_priv.h intact.
 */
#include <fcntl.h>
#include <linux/falloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <iomap/trace.h>

#include "../testutil.h"
#include "../backends/loopdev.h"
#include "samples/extentfs/extentfs_priv.h"
#include "efs-test.h"
#include "trace09.h"

/* ------------------------------------------------------------- helpers */

static struct file *creat_rw(struct extentfs *fs, const char *name)
{
	return efs_test_open(fs, name, O_CREAT | O_RDWR);
}

/* getbmap as one line: "off+len@addr[U][S] ..." (addr -1 = hole). */
static char *bmap_str(struct file *f)
{
	struct extentfs_bmap_rec *r;
	size_t n, len;
	char *buf;
	FILE *m = open_memstream(&buf, &len);

	ck_assert_int_eq(extentfs_getbmap(f, &r, &n), 0);
	for (size_t i = 0; i < n; i++)
		fprintf(m, "%s%llx+%llx@%lld%s%s", i ? " " : "", (unsigned long long)r[i].offset,
			(unsigned long long)r[i].length, (long long)r[i].addr,
			r[i].unwritten ? "U" : "", r[i].shared ? "S" : "");
	fclose(m);
	free(r);
	return buf;
}

/* getbmap without addresses: "off+len" for extents (U/S marks), "h" for holes. */
static char *layout_str(struct file *f)
{
	struct extentfs_bmap_rec *r;
	size_t n, len;
	char *buf;
	FILE *m = open_memstream(&buf, &len);

	ck_assert_int_eq(extentfs_getbmap(f, &r, &n), 0);
	for (size_t i = 0; i < n; i++)
		fprintf(m, "%s%s%llx+%llx%s%s", i ? " " : "", r[i].addr < 0 ? "h" : "",
			(unsigned long long)r[i].offset, (unsigned long long)r[i].length,
			r[i].unwritten ? "U" : "", r[i].shared ? "S" : "");
	fclose(m);
	free(r);
	return buf;
}

#define ck_assert_layout(f, expect)                                                    \
	do {                                                                           \
		char *got_ = layout_str(f);                                            \
		ck_assert_str_eq(got_, expect);                                        \
		free(got_);                                                            \
	} while (0)

/* Device byte address of the extent covering file offset @off (-1 for a hole). */
static int64_t addr_at(struct file *f, loff_t off)
{
	struct extentfs_bmap_rec *r;
	size_t n;
	int64_t a = -1;

	ck_assert_int_eq(extentfs_getbmap(f, &r, &n), 0);
	for (size_t i = 0; i < n; i++)
		if (off >= r[i].offset && (uint64_t)(off - r[i].offset) < r[i].length)
			a = r[i].addr < 0 ? -1 : r[i].addr + (off - r[i].offset);
	free(r);
	return a;
}

/* Every file of the directory with its size and extent map: the state a crash test compares. */
static char *fs_state(struct extentfs *fs)
{
	char *buf;
	size_t len, n;
	FILE *m = open_memstream(&buf, &len);
	char **names;

	mutex_lock(&fs->commit_lock);
	n = fs->ndir;
	names = calloc(n + 1, sizeof(*names));
	for (size_t i = 0; i < n; i++)
		names[i] = strdup(fs->dir[i].name);
	mutex_unlock(&fs->commit_lock);
	for (size_t i = 0; i < n; i++) {
		struct file *f = efs_test_open(fs, names[i], O_RDONLY);
		char *b = bmap_str(f);

		fprintf(m, "%s size %lld: %s\n", names[i], (long long)i_size_read(f->f_inode), b);
		free(b);
		extentfs_close(f);
		free(names[i]);
	}
	free(names);
	fclose(m);
	return buf;
}

static uint8_t *image_copy(struct backend *b)
{
	uint8_t *p = malloc(b->size);

	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(backend_rw_sync(b, BACKEND_READ, 0, p, b->size, 0), 0);
	return p;
}

static void map_at(struct file *f, const struct iomap_ops *ops, unsigned flags, loff_t pos,
		   loff_t len, struct iomap *m)
{
	struct iomap src = { 0 };

	memset(m, 0, sizeof(*m));
	ck_assert_int_eq(ops->iomap_begin(f->f_inode, pos, len, flags, m, &src), 0);
	ck_assert_uint_eq(src.type, IOMAP_HOLE);
}

static void make_written(struct file *f)
{
	struct efs_inode *ei = EFS_I(f->f_inode);

	ck_assert_int_eq(efs_trans_begin(ei), 0);
	efs_bmap_convert_unwritten(ei, 0, EFS_FS(ei)->max_fblock);
	efs_trans_end(ei);
}

/* ----------------------------------------------------------- efs-1 format */

START_TEST(efs_1_1_crc32c)
{
	/* efs-1.1: the standard CRC32C check value, and chaining. */
	ck_assert_uint_eq(efs_crc32c("123456789", 9), 0xe3069283u);
	ck_assert_uint_eq(efs_crc32c_update(efs_crc32c("1234", 4), "56789", 5), 0xe3069283u);
	ck_assert_uint_eq(efs_crc32c("", 0), 0);
}
END_TEST

START_TEST(efs_1_2_sb_codec)
{
	/* efs-1.2: a superblock round-trips; any flipped bit makes it invalid. */
	static const unsigned bits[] = { 0, 7, 32, 100, 8 * 135 + 3, 8 * 300, 8 * 512 - 1 };
	struct efs_dsb sb = { .magic = EFS_SB_MAGIC, .version = EFS_VERSION, .block_log = 12,
			      .generation = 77, .nblocks = 2048, .data_start = 24,
			      .meta_head = 5, .meta_nblocks = 1, .meta_bytes = 100,
			      .next_ino = 9, .slot = 1 }, out;
	uint8_t buf[EFS_SB_SIZE];

	efs_sb_encode(&sb, buf);
	ck_assert(efs_sb_decode(buf, &out));
	ck_assert_uint_eq(out.generation, 77);
	ck_assert_uint_eq(out.nblocks, 2048);
	ck_assert_uint_eq(out.slot, 1);
	for (size_t i = 0; i < ARRAY_SIZE(bits); i++) {
		buf[bits[i] / 8] ^= (uint8_t)(1u << (bits[i] % 8));
		ck_assert_msg(!efs_sb_decode(buf, &out), "bit %u", bits[i]);
		buf[bits[i] / 8] ^= (uint8_t)(1u << (bits[i] % 8));
	}
	ck_assert(efs_sb_decode(buf, &out));
}
END_TEST

static const struct {
	const char *text;
	int ret;
	uint32_t bs;
	bool inl;
} mkfs_opts_table[] = {
	{ "", 0, 4096, false },
	{ NULL, 0, 4096, false },
	{ "-b size=1024", 0, 1024, false },
	{ "-bsize=512", 0, 512, false },
	{ "-b size=64k", 0, 65536, false },
	{ "-b log=12", 0, 4096, false },
	{ "-m reflink=1 -b size=2048", 0, 2048, false },
	{ "-f -m crc=1,reflink=0 -i inline=1", 0, 4096, true },
	{ "-b size=1000", -EINVAL, 0, false },
	{ "-b size=256", -EINVAL, 0, false },
	{ "-b size=131072", -EINVAL, 0, false },
	{ "-b", -EINVAL, 0, false },
	{ "-x", -EINVAL, 0, false },
	{ "-m foo=1", -EINVAL, 0, false },
	{ "-i inline=2", -EINVAL, 0, false },
	{ "bogus", -EINVAL, 0, false },
};

START_TEST(efs_1_3_mkfs_opts)
{
	/* efs-1.3: mkfs.xfs-style options, one table row per loop iteration. */
	struct extentfs_mkfs_opts o;
	char err[128];
	int ret = extentfs_parse_mkfs_opts(mkfs_opts_table[_i].text, &o, err, sizeof(err));

	ck_assert_msg(ret == mkfs_opts_table[_i].ret, "\"%s\": %d (%s)",
		      mkfs_opts_table[_i].text ? mkfs_opts_table[_i].text : "(null)", ret, err);
	if (ret == 0) {
		ck_assert_uint_eq(o.block_size, mkfs_opts_table[_i].bs);
		ck_assert(o.inline_data == mkfs_opts_table[_i].inl);
	} else {
		ck_assert(err[0] != '\0');
	}
}
END_TEST

/* ------------------------------------------------------- efs-2 round trips */

static const struct {
	uint32_t bs;
	uint32_t lbs;
} geometry_table[] = {
	{ 512, 512 }, { 1024, 512 }, { 4096, 512 }, { 4096, 4096 }, { 65536, 512 }, { 65536, 4096 },
};

START_TEST(efs_2_1_round_trip)
{
	/* efs-2.1: mkfs, files at block edges, unmount, check, remount: same state. */
	uint32_t bs = geometry_table[_i].bs;
	struct backend *b = backend_ram_new(IMG_SIZE, geometry_table[_i].lbs);
	struct extentfs *fs = efs_test_mkfs(b, bs);
	const loff_t offs[] = { bs - 1, bs, bs + 1, 5 * (loff_t)bs, 100 * (loff_t)bs - 1 };
	char *before, *after;
	struct file *f;

	ck_assert_uint_eq(extentfs_block_size(fs), bs);
	ck_assert_uint_eq(extentfs_generation(fs), 1);
	for (size_t i = 0; i < ARRAY_SIZE(offs); i++) {
		char name[16];

		snprintf(name, sizeof(name), "f%zu", i);
		f = creat_rw(fs, name);
		ck_assert_int_eq(extentfs_fallocate(f, 0, offs[i], 3 * bs), 0);
		ck_assert_int_eq(extentfs_fallocate(f, FALLOC_FL_KEEP_SIZE, offs[i] + 8 * bs, bs), 0);
		ck_assert_int_eq(i_size_read(f->f_inode), offs[i] + 3 * bs);
		extentfs_close(f);
	}
	efs_test_incore_ok(fs);
	before = fs_state(fs);
	ck_assert_int_eq(extentfs_unmount(fs), 0);
	ck_assert_int_eq(extentfs_check(b, NULL), 0);
	ck_assert_int_eq(extentfs_mount(b, DEV, &fs), 0);
	ck_assert_uint_eq(extentfs_generation(fs), 2);
	after = fs_state(fs);
	ck_assert_str_eq(before, after);
	efs_test_incore_ok(fs);
	/* A block straddled by offs[0] .. offs[0]+3bs is allocated whole: 4 blocks. */
	f = efs_test_open(fs, "f0", O_RDWR);
	ck_assert_int_ne(addr_at(f, 0), -1);
	ck_assert_int_ne(addr_at(f, 4 * (loff_t)bs - 1), -1);
	ck_assert_int_eq(addr_at(f, 4 * (loff_t)bs), -1);
	extentfs_close(f);
	ck_assert_int_eq(extentfs_unmount(fs), 0);
	free(before);
	free(after);
	backend_destroy(b);
}
END_TEST

START_TEST(efs_2_2_first_data_block)
{
	/* efs-2.2: the first file's first block sits at 0x18000 rounded up to a block (XFS: 0x18000). */
	static const uint32_t sizes[] = { 512, 1024, 4096, 65536 };
	static const int64_t expect[] = { 0x18000, 0x18000, 0x18000, 0x20000 };

	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		struct backend *b = backend_ram_new(IMG_SIZE, 512);
		struct extentfs *fs = efs_test_mkfs(b, sizes[i]);
		struct file *f = creat_rw(fs, "f");

		ck_assert_int_eq(extentfs_fallocate(f, 0, 0, 64 * KiB), 0);
		ck_assert_int_eq(addr_at(f, 0), expect[i]);
		extentfs_close(f);
		ck_assert_int_eq(extentfs_unmount(fs), 0);
		backend_destroy(b);
	}
}
END_TEST

START_TEST(efs_2_3_mkfs_refuses)
{
	/* efs-2.3: block size below the sector, a device too small, a bad size. */
	struct extentfs_mkfs_opts o = { .block_size = 512 };
	struct backend *b4k = backend_ram_new(IMG_SIZE, 4096);
	struct backend *tiny = backend_ram_new(64 * KiB, 512);

	ck_assert_int_eq(extentfs_mkfs(b4k, &o), -EINVAL);
	o.block_size = 4096;
	ck_assert_int_eq(extentfs_mkfs(tiny, &o), -EINVAL);
	o.block_size = 3000;
	ck_assert_int_eq(extentfs_mkfs(b4k, &o), -EINVAL);
	o.block_size = 1u << 17;
	ck_assert_int_eq(extentfs_mkfs(b4k, &o), -EINVAL);
	backend_destroy(b4k);
	backend_destroy(tiny);
}
END_TEST

START_TEST(efs_2_4_mount_blank)
{
	/* efs-2.4: a blank device is not a filesystem: -EUCLEAN, nothing written. */
	struct backend *b = backend_ram_new(IMG_SIZE, 512);
	uint8_t *before = image_copy(b), *after;
	struct extentfs *fs = (struct extentfs *)1;

	ck_assert_int_eq(extentfs_mount(b, DEV, &fs), -EUCLEAN);
	ck_assert_ptr_null(fs);
	after = image_copy(b);
	ck_assert_int_eq(memcmp(before, after, b->size), 0);
	ck_assert_int_eq(extentfs_check(b, NULL), -EUCLEAN);
	free(before);
	free(after);
	backend_destroy(b);
}
END_TEST

START_TEST(efs_2_5_generations)
{
	/* efs-2.5: each commit is one generation, alternating slots; clean fsync commits nothing. */
	struct backend *b = backend_ram_new(IMG_SIZE, 512);
	struct extentfs *fs = efs_test_mkfs(b, 4096);
	struct file *f = creat_rw(fs, "f");
	char *rep;
	size_t len;
	FILE *m;

	for (int i = 0; i < 5; i++) {
		ck_assert_int_eq(extentfs_fallocate(f, 0, i * 8 * KiB, 4 * KiB), 0);
		ck_assert_int_eq(extentfs_fsync(f, 0), 0);
		ck_assert_uint_eq(extentfs_generation(fs), 2 + (uint64_t)i);
		ck_assert_uint_eq(fs->active_slot, (unsigned)(1 + i) % 2);
	}
	ck_assert_int_eq(extentfs_fsync(f, 0), 0);
	ck_assert_int_eq(extentfs_fsync(f, 1), 0);
	ck_assert_int_eq(extentfs_sync(fs), 0);
	ck_assert_uint_eq(extentfs_generation(fs), 6);
	extentfs_close(f);
	ck_assert_int_eq(extentfs_unmount(fs), 0);
	m = open_memstream(&rep, &len);
	ck_assert_int_eq(extentfs_check(b, m), 0);
	fclose(m);
	ck_assert_ptr_nonnull(strstr(rep, "holds generation 5 (the previous commit)"));
	ck_assert_ptr_nonnull(strstr(rep, "clean (generation 6"));
	free(rep);
	backend_destroy(b);
}
END_TEST

/* ------------------------------------------------------ efs-3 structures */

START_TEST(efs_3_1_extent_map)
{
	/* efs-3.1: insert merges only what continues on the device; remove splits; convert merges back. */
	struct efs_iext m = { 0 };
	struct efs_irec r;
	size_t i;

	efs_iext_insert(&m, &(struct efs_irec){ 0, 100, 4, EFS_EXT_UNWRITTEN });
	efs_iext_insert(&m, &(struct efs_irec){ 4, 104, 4, EFS_EXT_UNWRITTEN }); /* merges */
	efs_iext_insert(&m, &(struct efs_irec){ 8, 200, 4, EFS_EXT_UNWRITTEN }); /* device gap */
	efs_iext_insert(&m, &(struct efs_irec){ 12, 204, 4, EFS_EXT_NORM });     /* state differs */
	ck_assert_uint_eq(m.nr, 3);
	ck_assert_uint_eq(m.v[0].len, 8);
	/* lookup boundary table */
	ck_assert(efs_iext_lookup(&m, 0, &i) && i == 0);
	ck_assert(efs_iext_lookup(&m, 7, &i) && i == 0);
	ck_assert(efs_iext_lookup(&m, 8, &i) && i == 1);
	ck_assert(efs_iext_lookup(&m, 15, &i) && i == 2);
	ck_assert(!efs_iext_lookup(&m, 16, &i) && i == 3);
	/* remove from the middle: two pieces, the right one's device block moves */
	ck_assert_uint_eq(efs_iext_remove(&m, 2, 3, NULL, NULL), 3);
	ck_assert_uint_eq(m.nr, 4);
	ck_assert(m.v[0].fblock == 0 && m.v[0].len == 2 && m.v[0].dblock == 100);
	ck_assert(m.v[1].fblock == 5 && m.v[1].len == 3 && m.v[1].dblock == 105);
	ck_assert_int_eq(efs_iext_verify(&m, 1u << 20, 0, 0), 0);
	/* convert [9, 10) to written, then the rest: [8,16) merges into one NORM extent */
	ck_assert_uint_eq(efs_iext_convert(&m, 9, 1, EFS_EXT_UNWRITTEN, EFS_EXT_NORM), 1);
	ck_assert_uint_eq(m.nr, 6);
	ck_assert_uint_eq(efs_iext_convert(&m, 8, 4, EFS_EXT_UNWRITTEN, EFS_EXT_NORM), 3);
	ck_assert_uint_eq(m.nr, 3);
	ck_assert(m.v[2].fblock == 8 && m.v[2].len == 8 && m.v[2].state == EFS_EXT_NORM);
	/* a hole read stops at the next extent */
	efs_iext_remove(&m, 0, 100, NULL, NULL);
	ck_assert_uint_eq(m.nr, 0);
	r = (struct efs_irec){ 10, 50, 1, EFS_EXT_NORM };
	efs_iext_insert(&m, &r);
	ck_assert_int_eq(efs_iext_verify(&m, 1u << 20, 60, 100), 2); /* below data_start */
	efs_iext_free(&m);
}
END_TEST

static uint64_t freed_blocks;
static void count_freed(void *arg, uint64_t start, uint64_t len)
{
	(void)arg;
	(void)start;
	freed_blocks += len;
}

START_TEST(efs_3_2_refcount)
{
	/* efs-3.2: counts over overlapping ranges; decrease frees only last references. */
	struct efs_refcl rl = { 0 };
	uint64_t run, fs0, fl;

	efs_refcount_increase(&rl, 10, 10);  /* [10,20) x2 */
	efs_refcount_increase(&rl, 15, 10);  /* [15,20) x3, [20,25) x2 */
	ck_assert_uint_eq(efs_refcount_get(&rl, 9, &run), 1);
	ck_assert_uint_eq(run, 1);
	ck_assert_uint_eq(efs_refcount_get(&rl, 10, &run), 2);
	ck_assert_uint_eq(run, 5);
	ck_assert_uint_eq(efs_refcount_get(&rl, 19, NULL), 3);
	ck_assert_uint_eq(efs_refcount_get(&rl, 24, NULL), 2);
	ck_assert_uint_eq(efs_refcount_get(&rl, 25, NULL), 1);
	ck_assert(efs_refcount_find_shared(&rl, 0, 100, &fs0, &fl));
	ck_assert(fs0 == 10 && fl == 15);
	ck_assert(!efs_refcount_find_shared(&rl, 25, 5, &fs0, &fl));
	ck_assert(efs_refcount_find_shared(&rl, 22, 10, &fs0, &fl) && fs0 == 22 && fl == 3);
	/* one reference fewer on [5, 30): [5,10) and [25,30) had one: freed */
	freed_blocks = 0;
	efs_refcount_decrease(&rl, 5, 25, count_freed, NULL);
	ck_assert_uint_eq(freed_blocks, 10);
	ck_assert_uint_eq(efs_refcount_get(&rl, 12, NULL), 1);
	ck_assert_uint_eq(efs_refcount_get(&rl, 17, NULL), 2);
	ck_assert_uint_eq(rl.nr, 1);
	efs_refcl_free(&rl);
}
END_TEST

START_TEST(efs_3_3_extlist)
{
	/* efs-3.3: free lists coalesce, split, and refuse overlaps. */
	struct efs_extlist l = { 0 };

	ck_assert_int_eq(efs_extlist_insert(&l, 10, 5), 0);
	ck_assert_int_eq(efs_extlist_insert(&l, 20, 5), 0);
	ck_assert_int_eq(efs_extlist_insert(&l, 15, 5), 0); /* bridges both */
	ck_assert_uint_eq(l.nr, 1);
	ck_assert_uint_eq(l.total, 15);
	ck_assert_int_eq(efs_extlist_insert(&l, 24, 2), -EEXIST);
	ck_assert_int_eq(efs_extlist_remove(&l, 12, 3), 0);
	ck_assert_uint_eq(l.nr, 2);
	ck_assert_int_eq(efs_extlist_remove(&l, 11, 2), -ENOENT);
	ck_assert(efs_extlist_overlaps(&l, 14, 2));
	ck_assert(!efs_extlist_overlaps(&l, 12, 3));
	ck_assert_uint_eq(l.total, 12);
	efs_extlist_free(&l);
}
END_TEST

/* ----------------------------------------------------- efs-4 space ops */

/* Drop "dev X:Y ", "ino N ", "bdev X:Y ", "ops P " as tests/xcheck does. */
static void normalise(char *s)
{
	static const char *const keys[] = { "bdev ", "dev ", "ino ", "ops " };

	for (size_t k = 0; k < ARRAY_SIZE(keys); k++) {
		char *p = s;

		while ((p = strstr(p, keys[k]))) {
			char *v;

			if (p != s && p[-1] != ' ') {
				p++;
				continue;
			}
			v = strchr(p + strlen(keys[k]), ' ');
			if (!v)
				break;
			memmove(p, v + 1, strlen(v + 1) + 1);
		}
	}
}

START_TEST(efs_4_1_trace09)
{
	/* efs-4.1: scenario 09 through extentfs gives the kernel's trace, line for line. */
	struct backend *b = backend_ram_new(IMG_SIZE, 512);
	struct extentfs *fs = efs_test_mkfs(b, 4096);
	struct file *f = creat_rw(fs, "f");
	struct trace_sink *sink = trace_memsink_new();
	struct fiemap_extent ext[16];
	struct fiemap_extent_info fi = { .fi_extents_max = 16, .fi_extents_start = ext };
	size_t n = 0;

	trace_add_sink(sink);
	ck_assert_int_eq(extentfs_fallocate(f, 0, 0, 1 * MiB), 0);
	ck_assert_int_eq(extentfs_fallocate(f, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
					    256 * KiB, 128 * KiB), 0);
	ck_assert_int_eq(extentfs_fallocate(f, FALLOC_FL_KEEP_SIZE, 2 * MiB, 64 * KiB), 0);
	ck_assert_int_eq(extentfs_fiemap(f, &fi, 0, UINT64_MAX), 0);
	ck_assert_uint_eq(fi.fi_extents_mapped, 3);
	ck_assert_uint_eq(ext[2].fe_logical, 2 * MiB);
	ck_assert(ext[2].fe_flags & FIEMAP_EXTENT_LAST);
	ck_assert(ext[0].fe_flags & FIEMAP_EXTENT_UNWRITTEN);
	ck_assert_int_eq(extentfs_llseek(f, 0, SEEK_HOLE), 0);
	ck_assert_int_eq(extentfs_llseek(f, 0, SEEK_DATA), -ENXIO);
	ck_assert_int_eq(extentfs_setattr_size(f, 3 * MiB), 0);
	fi.fi_extents_mapped = 0;
	ck_assert_int_eq(extentfs_fiemap(f, &fi, 0, UINT64_MAX), 0);
	ck_assert_int_eq(extentfs_llseek(f, 0, SEEK_DATA), -ENXIO);
	/* xfs_io "seek -h 0": SEEK_HOLE, then SEEK_DATA from the same start */
	ck_assert_int_eq(extentfs_llseek(f, 0, SEEK_HOLE), 0);
	ck_assert_int_eq(extentfs_llseek(f, 0, SEEK_DATA), -ENXIO);
	trace_remove_sink(sink);

	for (size_t i = 0; i < trace_memsink_count(sink); i++) {
		const struct trace_event *ev = trace_memsink_get(sink, i);
		char line[512];
		int k;

		if (strcmp(ev->name, "iomap_iter") && strcmp(ev->name, "iomap_iter_dstmap"))
			continue;
		k = snprintf(line, sizeof(line), "%s: ", ev->name);
		ck_assert_int_gt(ftrace_format_event(ev, line + k, sizeof(line) - (size_t)k), 0);
		normalise(line);
		ck_assert_uint_lt(n, ARRAY_SIZE(trace09_expected));
		ck_assert_msg(strcmp(line, trace09_expected[n]) == 0, "line %zu:\n got  %s\n want %s",
			      n, line, trace09_expected[n]);
		n++;
	}
	ck_assert_uint_eq(n, ARRAY_SIZE(trace09_expected));
	trace_sink_free(sink);
	ck_assert_layout(f, "0+40000U h40000+20000 60000+a0000U h100000+100000 200000+10000U "
			    "h210000+f0000");
	efs_test_incore_ok(fs);
	extentfs_close(f);
	ck_assert_int_eq(extentfs_unmount(fs), 0);
	backend_destroy(b);
}
END_TEST

START_TEST(efs_4_2_falloc)
{
	/* efs-4.2: mode 0 grows the size, KEEP_SIZE does not; existing extents stay put. */
	struct backend *b = backend_ram_new(IMG_SIZE, 512);
	struct extentfs *fs = efs_test_mkfs(b, 4096);
	struct file *f = creat_rw(fs, "f");
	int64_t a0;

	ck_assert_int_eq(extentfs_fallocate(f, FALLOC_FL_KEEP_SIZE, 0, 4 * KiB), 0);
	ck_assert_int_eq(i_size_read(f->f_inode), 0);
	a0 = addr_at(f, 0);
	ck_assert_int_eq(a0, 0x18000);
	ck_assert_int_eq(extentfs_fallocate(f, FALLOC_FL_KEEP_SIZE, 64 * KiB, 8 * KiB), 0);
	ck_assert_int_eq(addr_at(f, 64 * KiB), a0 + 64 * KiB); /* the file keeps its layout */
	ck_assert_int_eq(extentfs_fallocate(f, 0, 1, 20 * KiB), 0); /* unaligned start and end */
	ck_assert_int_eq(i_size_read(f->f_inode), 20 * KiB + 1);
	ck_assert_int_eq(addr_at(f, 0), a0); /* existing extents stay put */
	/* blocks 1..5 continue block 0 on the device: one extent */
	ck_assert_int_eq(addr_at(f, 20 * KiB), a0 + 20 * KiB);
	ck_assert_layout(f, "0+6000U h6000+a000 10000+2000U");
	/* falloc inside the size changes nothing */
	ck_assert_int_eq(extentfs_fallocate(f, 0, 0, 4 * KiB), 0);
	ck_assert_int_eq(i_size_read(f->f_inode), 20 * KiB + 1);
	efs_test_incore_ok(fs);
	extentfs_close(f);
	ck_assert_int_eq(extentfs_unmount(fs), 0);
	backend_destroy(b);
}
END_TEST

static const struct {
	uint32_t bs;
	loff_t off, len;
	const char *layout; /* after falloc 0 64k, then this punch */
} punch_table[] = {
	/* sub-block punch frees nothing */
	{ 4096, 4096 + 1, 100, "0+10000U" },
	{ 4096, 4095, 2, "0+10000U" },
	/* aligned: exactly those blocks */
	{ 4096, 4096, 4096, "0+1000U h1000+1000 2000+e000U" },
	/* unaligned edges: only the whole blocks inside */
	{ 4096, 4095, 8194, "0+1000U h1000+2000 3000+d000U" },
	{ 512, 511, 1026, "0+200U h200+400 600+fa00U" },
	/* to EOF and beyond (KEEP_SIZE): size stays, blocks past it go too */
	{ 4096, 32768, 1 * MiB, "0+8000U h8000+8000" },
	{ 512, 0, 64 * KiB, "h0+10000" },
};

START_TEST(efs_4_3_punch)
{
	/* efs-4.3: punch boundary table. */
	struct backend *b = backend_ram_new(IMG_SIZE, 512);
	struct extentfs *fs = efs_test_mkfs(b, punch_table[_i].bs);
	struct file *f = creat_rw(fs, "f");
	uint64_t free0;

	ck_assert_int_eq(extentfs_fallocate(f, 0, 0, 64 * KiB), 0);
	free0 = efs_test_free_blocks(fs);
	ck_assert_int_eq(extentfs_fallocate(f, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
					    punch_table[_i].off, punch_table[_i].len), 0);
	ck_assert_int_eq(i_size_read(f->f_inode), 64 * KiB);
	ck_assert_layout(f, punch_table[_i].layout);
	ck_assert_uint_ge(efs_test_free_blocks(fs), free0);
	efs_test_incore_ok(fs);
	extentfs_close(f);
	ck_assert_int_eq(extentfs_unmount(fs), 0);
	ck_assert_int_eq(extentfs_check(b, NULL), 0);
	backend_destroy(b);
}
END_TEST

START_TEST(efs_4_4_truncate)
{
	/* efs-4.4: shrinking drops blocks past the EOF block; the same size drops
	 * post-EOF blocks; growing keeps everything. */
	struct backend *b = backend_ram_new(IMG_SIZE, 512);
	struct extentfs *fs = efs_test_mkfs(b, 4096);
	struct file *f = creat_rw(fs, "f");

	ck_assert_int_eq(extentfs_fallocate(f, 0, 0, 64 * KiB), 0);
	ck_assert_int_eq(extentfs_fallocate(f, FALLOC_FL_KEEP_SIZE, 128 * KiB, 8 * KiB), 0);
	ck_assert_int_eq(extentfs_setattr_size(f, 1 * MiB), 0); /* grow: nothing freed */
	ck_assert_layout(f, "0+10000U h10000+10000 20000+2000U h22000+de000");
	ck_assert_int_eq(extentfs_setattr_size(f, 10 * KiB + 1), 0); /* inside block 2 */
	ck_assert_layout(f, "0+3000U");
	ck_assert_int_eq(i_size_read(f->f_inode), 10 * KiB + 1);
	ck_assert_int_eq(extentfs_fallocate(f, FALLOC_FL_KEEP_SIZE, 0, 32 * KiB), 0);
	ck_assert_int_eq(extentfs_setattr_size(f, 10 * KiB + 1), 0); /* same size */
	ck_assert_layout(f, "0+3000U");
	ck_assert_int_eq(extentfs_setattr_size(f, 0), 0);
	ck_assert_layout(f, "");
	efs_test_incore_ok(fs);
	extentfs_close(f);
	ck_assert_int_eq(extentfs_unmount(fs), 0);
	backend_destroy(b);
}
END_TEST

START_TEST(efs_4_5_zero_range)
{
	/* efs-4.5: ZERO_RANGE gives the whole blocks fresh unwritten space; partial edges keep theirs. */
	struct backend *b = backend_ram_new(IMG_SIZE, 512);
	struct extentfs *fs = efs_test_mkfs(b, 4096);
	struct file *f = creat_rw(fs, "f");
	int64_t edge_lo, mid, edge_hi;

	ck_assert_int_eq(extentfs_fallocate(f, 0, 0, 32 * KiB), 0);
	edge_lo = addr_at(f, 4 * KiB);
	mid = addr_at(f, 8 * KiB);
	edge_hi = addr_at(f, 12 * KiB);
	ck_assert_int_eq(extentfs_fallocate(f, FALLOC_FL_ZERO_RANGE, 4 * KiB + 1, 8 * KiB), 0);
	ck_assert_int_eq(addr_at(f, 4 * KiB), edge_lo);   /* partial block: kept */
	ck_assert_int_eq(addr_at(f, 12 * KiB), edge_hi);  /* partial block: kept */
	ck_assert_int_ne(addr_at(f, 8 * KiB), mid);       /* whole block: fresh (old one busy) */
	ck_assert_layout(f, "0+2000U 2000+1000U 3000+5000U");
	ck_assert_int_eq(i_size_read(f->f_inode), 32 * KiB);
	/* without KEEP_SIZE it grows the file */
	ck_assert_int_eq(extentfs_fallocate(f, FALLOC_FL_ZERO_RANGE, 40 * KiB, 4 * KiB), 0);
	ck_assert_int_eq(i_size_read(f->f_inode), 44 * KiB);
	efs_test_incore_ok(fs);
	extentfs_close(f);
	ck_assert_int_eq(extentfs_unmount(fs), 0);
	backend_destroy(b);
}
END_TEST

START_TEST(efs_4_6_dirty_flag)
{
	/* efs-4.6: IOMAP_F_DIRTY while metadata is uncommitted, on extents and report holes. */
	struct backend *b = backend_ram_new(IMG_SIZE, 512);
	struct extentfs *fs = efs_test_mkfs(b, 4096);
	struct file *f = creat_rw(fs, "f");
	struct iomap m;

	map_at(f, &extentfs_report_iomap_ops, IOMAP_REPORT, 0, 4096, &m);
	ck_assert_uint_eq(m.type, IOMAP_HOLE);
	ck_assert_uint_eq(m.flags, IOMAP_F_DIRTY); /* the create is not committed */
	ck_assert_int_eq(extentfs_fsync(f, 0), 0);
	map_at(f, &extentfs_report_iomap_ops, IOMAP_REPORT, 0, 4096, &m);
	ck_assert_uint_eq(m.flags, 0);
	ck_assert_int_eq(extentfs_fallocate(f, 0, 0, 8 * KiB), 0);
	map_at(f, &extentfs_report_iomap_ops, IOMAP_REPORT, 0, 4096, &m);
	ck_assert_uint_eq(m.type, IOMAP_UNWRITTEN);
	ck_assert_uint_eq(m.flags, IOMAP_F_DIRTY);
	ck_assert_int_eq(extentfs_fsync(f, 1), 0); /* fdatasync commits mapping changes too */
	map_at(f, &extentfs_report_iomap_ops, IOMAP_REPORT, 0, 4096, &m);
	ck_assert_uint_eq(m.flags, 0);
	ck_assert_int_eq(extentfs_setattr_size(f, 4 * KiB), 0);
	map_at(f, &extentfs_seek_iomap_ops, IOMAP_REPORT, 0, 4096, &m);
	ck_assert_uint_eq(m.flags, IOMAP_F_DIRTY);
	ck_assert_int_eq(extentfs_sync(fs), 0);
	map_at(f, &extentfs_seek_iomap_ops, IOMAP_REPORT, 0, 4096, &m);
	ck_assert_uint_eq(m.flags, 0);
	extentfs_close(f);
	ck_assert_int_eq(extentfs_unmount(fs), 0);
	backend_destroy(b);
}
END_TEST

START_TEST(efs_4_7_map_shapes)
{
	/* efs-4.7: what each ops set returns around extents and holes (xfs_iomap.c shapes). */
	struct backend *b = backend_ram_new(IMG_SIZE, 512);
	struct extentfs *fs = efs_test_mkfs(b, 4096);
	struct file *f = creat_rw(fs, "f");
	struct iomap m;

	ck_assert_int_eq(extentfs_fallocate(f, FALLOC_FL_KEEP_SIZE, 64 * KiB, 64 * KiB), 0);
	/* zero: a hole runs to the next extent even past the request, flags 0 */
	map_at(f, &extentfs_zero_iomap_ops, IOMAP_ZERO, 4096, 4096, &m);
	ck_assert_uint_eq(m.type, IOMAP_HOLE);
	ck_assert_uint_eq(m.offset, 4096);
	ck_assert_uint_eq(m.length, 60 * KiB);
	ck_assert_uint_eq(m.flags, 0);
	ck_assert_uint_eq(m.addr, IOMAP_NULL_ADDR);
	ck_assert_ptr_eq(m.bdev, extentfs_sb(fs)->s_bdev);
	/* zero: an extent comes back as found, starting before pos */
	map_at(f, &extentfs_zero_iomap_ops, IOMAP_ZERO, 80 * KiB + 5, 10, &m);
	ck_assert_uint_eq(m.type, IOMAP_UNWRITTEN);
	ck_assert_uint_eq(m.offset, 64 * KiB);
	ck_assert_uint_eq(m.length, 64 * KiB);
	ck_assert_uint_eq(m.flags, IOMAP_F_DIRTY);
	/* zero past the last extent: to the request end, rounded up */
	map_at(f, &extentfs_zero_iomap_ops, IOMAP_ZERO, 200 * KiB, 10, &m);
	ck_assert_uint_eq(m.length, 4096);
	/* report: an extent trimmed to the request, rounded up to blocks */
	map_at(f, &extentfs_report_iomap_ops, IOMAP_REPORT, 80 * KiB + 5, 10, &m);
	ck_assert_uint_eq(m.offset, 80 * KiB);
	ck_assert_uint_eq(m.length, 4096);
	ck_assert_uint_eq(m.addr, (uint64_t)addr_at(f, 80 * KiB));
	/* report: a hole clipped at the next extent; beyond all extents to s_maxbytes */
	map_at(f, &extentfs_report_iomap_ops, IOMAP_REPORT, 0, INT64_MAX, &m);
	ck_assert_uint_eq(m.length, 64 * KiB);
	map_at(f, &extentfs_report_iomap_ops, IOMAP_REPORT, 128 * KiB, INT64_MAX - 128 * KiB, &m);
	ck_assert_uint_eq(m.offset + m.length, 1ull << 63);
	/* the validity cookie is the mapping sequence */
	ck_assert_uint_eq(m.validity_cookie, EFS_I(f->f_inode)->mapping_seq);
	extentfs_close(f);
	ck_assert_int_eq(extentfs_unmount(fs), 0);
	backend_destroy(b);
}
END_TEST

START_TEST(efs_4_8_goal)
{
	/* efs-4.8: a file keeps its relative layout; another file goes elsewhere. */
	struct backend *b = backend_ram_new(IMG_SIZE, 512);
	struct extentfs *fs = efs_test_mkfs(b, 4096);
	struct file *f = creat_rw(fs, "f"), *g = creat_rw(fs, "g");
	int64_t a;

	ck_assert_int_eq(extentfs_fallocate(f, 0, 0, 64 * KiB), 0);
	a = addr_at(f, 0);
	ck_assert_int_eq(extentfs_fallocate(g, 0, 0, 64 * KiB), 0);
	ck_assert_int_eq(addr_at(g, 0), a + 64 * KiB);
	ck_assert_int_eq(extentfs_fallocate(f, FALLOC_FL_KEEP_SIZE, 2 * MiB, 64 * KiB), 0);
	ck_assert_int_eq(addr_at(f, 2 * MiB), a + 2 * MiB);
	/* g keeps its own layout, right after f's far extent */
	ck_assert_int_eq(extentfs_fallocate(g, FALLOC_FL_KEEP_SIZE, 2 * MiB, 4 * KiB), 0);
	ck_assert_int_eq(addr_at(g, 2 * MiB), a + 2 * MiB + 64 * KiB);
	efs_test_incore_ok(fs);
	extentfs_close(f);
	extentfs_close(g);
	ck_assert_int_eq(extentfs_unmount(fs), 0);
	backend_destroy(b);
}
END_TEST

START_TEST(efs_4_9_fiemap_flags)
{
	/* efs-4.9: FIEMAP flags: XATTR maps nothing, an unknown flag is -EBADR. */
	struct backend *b = backend_ram_new(IMG_SIZE, 512);
	struct extentfs *fs = efs_test_mkfs(b, 4096);
	struct file *f = creat_rw(fs, "f");
	struct fiemap_extent ext[4];
	struct fiemap_extent_info fi = { .fi_extents_max = 4, .fi_extents_start = ext };

	ck_assert_int_eq(extentfs_fallocate(f, 0, 0, 64 * KiB), 0);
	fi.fi_flags = FIEMAP_FLAG_XATTR;
	ck_assert_int_eq(extentfs_fiemap(f, &fi, 0, UINT64_MAX), 0);
	ck_assert_uint_eq(fi.fi_extents_mapped, 0);
	fi.fi_flags = FIEMAP_FLAG_SYNC;
	ck_assert_int_eq(extentfs_fiemap(f, &fi, 0, UINT64_MAX), 0);
	ck_assert_uint_eq(fi.fi_extents_mapped, 1);
	ck_assert_uint_eq(ext[0].fe_physical, 0x18000);
	ck_assert_uint_eq(ext[0].fe_length, 64 * KiB);
	fi.fi_flags = 0x100;
	ck_assert_int_eq(extentfs_fiemap(f, &fi, 0, UINT64_MAX), -EBADR);
	extentfs_close(f);
	ck_assert_int_eq(extentfs_unmount(fs), 0);
	backend_destroy(b);
}
END_TEST

/* ------------------------------------------------------------ efs-5 reflink */

START_TEST(efs_5_1_remap_refcounts)
{
	/* efs-5.1: after a reflink both files map the same blocks, counted twice. */
	struct backend *b = backend_ram_new(IMG_SIZE, 512);
	struct extentfs *fs = efs_test_mkfs(b, 4096);
	struct file *src = creat_rw(fs, "src"), *dst = creat_rw(fs, "dst");
	uint64_t free0;

	ck_assert_int_eq(extentfs_fallocate(src, 0, 0, 64 * KiB), 0);
	make_written(src); /* only written blocks are shared */
	free0 = efs_test_free_blocks(fs);
	ck_assert_int_eq(extentfs_remap_range(src, 0, dst, 0, 0), 0);
	ck_assert_int_eq(i_size_read(dst->f_inode), 64 * KiB);
	ck_assert_int_eq(addr_at(dst, 0), addr_at(src, 0));
	ck_assert_int_eq(addr_at(dst, 60 * KiB), addr_at(src, 60 * KiB));
	ck_assert_uint_eq(efs_test_refcount(fs, addr_at(src, 0)), 2);
	ck_assert_uint_eq(efs_test_refcount(fs, addr_at(src, 60 * KiB)), 2);
	ck_assert_uint_eq(efs_test_free_blocks(fs), free0); /* nothing allocated */
	ck_assert(EFS_I(src->f_inode)->diflags & EFS_DIFLAG_REFLINK);
	ck_assert(EFS_I(dst->f_inode)->diflags & EFS_DIFLAG_REFLINK);
	efs_test_incore_ok(fs);
	extentfs_close(src);
	extentfs_close(dst);
	ck_assert_int_eq(extentfs_unmount(fs), 0);
	ck_assert_int_eq(extentfs_check(b, NULL), 0);
	ck_assert_int_eq(extentfs_mount(b, DEV, &fs), 0);
	src = efs_test_open(fs, "src", O_RDWR);
	ck_assert_uint_eq(efs_test_refcount(fs, addr_at(src, 0)), 2);
	extentfs_close(src);
	ck_assert_int_eq(extentfs_unmount(fs), 0);
	backend_destroy(b);
}
END_TEST

START_TEST(efs_5_2_shared_flag)
{
	/* efs-5.2: written shared extents are reported SHARED (trace 08); unwritten ones are not (XFS). */
	struct backend *b = backend_ram_new(IMG_SIZE, 512);
	struct extentfs *fs = efs_test_mkfs(b, 4096);
	struct file *f = creat_rw(fs, "f"), *u = creat_rw(fs, "u");
	struct iomap m;

	ck_assert_int_eq(extentfs_fallocate(f, 0, 0, 64 * KiB), 0);
	make_written(f);
	ck_assert_int_eq(extentfs_fsync(f, 0), 0);
	/* trace 08: reflink f 0 64k 64k */
	ck_assert_int_eq(extentfs_remap_range(f, 0, f, 64 * KiB, 64 * KiB), 0);
	map_at(f, &extentfs_report_iomap_ops, IOMAP_REPORT, 0, INT64_MAX, &m);
	ck_assert_uint_eq(m.type, IOMAP_MAPPED);
	ck_assert_uint_eq(m.addr, 0x18000);
	ck_assert_uint_eq(m.length, 64 * KiB);
	ck_assert_uint_eq(m.flags, IOMAP_F_DIRTY | IOMAP_F_SHARED);
	map_at(f, &extentfs_report_iomap_ops, IOMAP_REPORT, 64 * KiB, INT64_MAX - 64 * KiB, &m);
	ck_assert_uint_eq(m.addr, 0x18000);
	ck_assert_uint_eq(m.offset, 64 * KiB);
	ck_assert_uint_eq(m.flags, IOMAP_F_DIRTY | IOMAP_F_SHARED);
	map_at(f, &extentfs_seek_iomap_ops, IOMAP_REPORT, 0, INT64_MAX, &m);
	ck_assert_uint_eq(m.flags, IOMAP_F_DIRTY); /* seek never says SHARED */
	ck_assert_int_eq(extentfs_fsync(f, 0), 0);
	map_at(f, &extentfs_report_iomap_ops, IOMAP_REPORT, 0, INT64_MAX, &m);
	ck_assert_uint_eq(m.flags, IOMAP_F_SHARED);
	ck_assert_layout(f, "0+10000S 10000+10000S");
	/*
	 * Unwritten source space is not shared at all: the destination gets
	 * a hole (xfs_reflink_remap_extent since Linux 5.9).  Sharing it
	 * would let a direct write through one file show in the other.
	 */
	ck_assert_int_eq(extentfs_fallocate(u, 0, 0, 16 * KiB), 0);
	ck_assert_int_eq(extentfs_remap_range(u, 0, u, 16 * KiB, 16 * KiB), 0);
	ck_assert_uint_eq(efs_test_refcount(fs, addr_at(u, 0)), 1);
	ck_assert_int_eq(addr_at(u, 16 * KiB), -1);
	map_at(u, &extentfs_report_iomap_ops, IOMAP_REPORT, 0, INT64_MAX, &m);
	ck_assert_uint_eq(m.type, IOMAP_UNWRITTEN);
	ck_assert_uint_eq(m.flags, IOMAP_F_DIRTY);
	efs_test_incore_ok(fs);
	extentfs_close(f);
	extentfs_close(u);
	ck_assert_int_eq(extentfs_unmount(fs), 0);
	backend_destroy(b);
}
END_TEST

START_TEST(efs_5_3_punch_one_side)
{
	/* efs-5.3: punching one side drops a reference; punching both frees the blocks. */
	struct backend *b = backend_ram_new(IMG_SIZE, 512);
	struct extentfs *fs = efs_test_mkfs(b, 4096);
	struct file *a = creat_rw(fs, "a"), *c = creat_rw(fs, "c");
	const int pk = FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE;
	uint64_t free_before;
	int64_t blk;

	free_before = efs_test_free_blocks(fs);
	ck_assert_int_eq(extentfs_fallocate(a, 0, 0, 64 * KiB), 0);
	make_written(a);
	ck_assert_int_eq(extentfs_remap_range(a, 0, c, 0, 64 * KiB), 0);
	blk = addr_at(a, 16 * KiB);
	ck_assert_int_eq(extentfs_fallocate(a, pk, 16 * KiB, 16 * KiB), 0);
	ck_assert_uint_eq(efs_test_refcount(fs, blk), 1);
	ck_assert_uint_eq(efs_test_refcount(fs, addr_at(a, 0)), 2);
	ck_assert_int_eq(addr_at(c, 16 * KiB), blk); /* c still maps it */
	ck_assert_uint_eq(efs_test_free_blocks(fs), free_before - 16); /* nothing freed yet */
	ck_assert_int_eq(extentfs_fallocate(c, pk, 0, 64 * KiB), 0);
	ck_assert_uint_eq(efs_test_refcount(fs, addr_at(a, 0)), 1);
	ck_assert_uint_eq(efs_test_free_blocks(fs), free_before - 12); /* c's private 4 blocks went */
	ck_assert_int_eq(extentfs_fallocate(a, pk, 0, 64 * KiB), 0);
	ck_assert_uint_eq(efs_test_free_blocks(fs), free_before);
	ck_assert_uint_eq(fs->refc.nr, 0);
	efs_test_incore_ok(fs);
	extentfs_close(a);
	extentfs_close(c);
	ck_assert_int_eq(extentfs_unmount(fs), 0);
	ck_assert_int_eq(extentfs_check(b, NULL), 0);
	backend_destroy(b);
}
END_TEST

START_TEST(efs_5_4_remap_replaces)
{
	/* efs-5.4: remap replaces what dst mapped; a hole in src punches dst. */
	struct backend *b = backend_ram_new(IMG_SIZE, 512);
	struct extentfs *fs = efs_test_mkfs(b, 4096);
	struct file *s = creat_rw(fs, "s"), *d = creat_rw(fs, "d");
	uint64_t free0;

	ck_assert_int_eq(extentfs_fallocate(s, 0, 0, 8 * KiB), 0);
	make_written(s);
	ck_assert_int_eq(extentfs_setattr_size(s, 16 * KiB), 0); /* [8k,16k) a hole */
	ck_assert_int_eq(extentfs_fallocate(d, 0, 0, 32 * KiB), 0);
	free0 = efs_test_free_blocks(fs);
	ck_assert_int_eq(extentfs_remap_range(s, 0, d, 0, 16 * KiB), 0);
	ck_assert_int_eq(addr_at(d, 0), addr_at(s, 0));
	ck_assert_int_eq(addr_at(d, 8 * KiB), -1);
	ck_assert_int_ne(addr_at(d, 16 * KiB), -1);
	ck_assert_uint_eq(efs_test_free_blocks(fs), free0 + 4); /* d's 4 old blocks freed */
	ck_assert_int_eq(i_size_read(d->f_inode), 32 * KiB);
	efs_test_incore_ok(fs);
	extentfs_close(s);
	extentfs_close(d);
	ck_assert_int_eq(extentfs_unmount(fs), 0);
	backend_destroy(b);
}
END_TEST

START_TEST(efs_5_5_remap_checks)
{
	/* efs-5.5: the generic_remap_checks rules. */
	struct backend *b = backend_ram_new(IMG_SIZE, 512);
	struct extentfs *fs = efs_test_mkfs(b, 4096);
	struct file *s = creat_rw(fs, "s"), *d = creat_rw(fs, "d"), *ro;

	ck_assert_int_eq(extentfs_fallocate(s, 0, 0, 10 * KiB + 5), 0);
	make_written(s);
	ck_assert_int_eq(extentfs_remap_range(s, 1, d, 0, 4096), -EINVAL);      /* unaligned src */
	ck_assert_int_eq(extentfs_remap_range(s, 0, d, 512, 4096), -EINVAL);    /* unaligned dst */
	ck_assert_int_eq(extentfs_remap_range(s, 0, d, 0, 4000), -EINVAL);      /* unaligned len */
	ck_assert_int_eq(extentfs_remap_range(s, 12 * KiB, d, 0, 4096), -EINVAL); /* past EOF */
	/* Ends past src's EOF: FICLONERANGE cannot shorten, so -EINVAL. */
	ck_assert_int_eq(extentfs_remap_range(s, 8 * KiB, d, 0, 8 * KiB), -EINVAL);
	ck_assert_int_eq(extentfs_remap_range(s, 0, s, 4096, 8192), -EINVAL);   /* overlap */
	ck_assert_int_eq(extentfs_remap_range(s, -4096, d, 0, 4096), -EINVAL);
	/* to EOF: an unaligned tail is allowed and sets dst's size exactly */
	ck_assert_int_eq(extentfs_remap_range(s, 8 * KiB, d, 0, 0), 0);
	ck_assert_int_eq(i_size_read(d->f_inode), 2 * KiB + 5);
	ck_assert_int_eq(addr_at(d, 0), addr_at(s, 8 * KiB));
	ro = efs_test_open(fs, "d", O_RDONLY);
	ck_assert_int_eq(extentfs_remap_range(s, 0, ro, 0, 4096), -EBADF);
	extentfs_close(ro);
	efs_test_incore_ok(fs);
	extentfs_close(s);
	extentfs_close(d);
	ck_assert_int_eq(extentfs_unmount(fs), 0);
	backend_destroy(b);
}
END_TEST

START_TEST(efs_5_6_unshare)
{
	/* efs-5.6: unshare copies written shared blocks, keeps the data, drops the flag. */
	struct backend *b = backend_ram_new(IMG_SIZE, 512);
	struct extentfs *fs = efs_test_mkfs(b, 4096);
	struct file *a = creat_rw(fs, "a"), *c = creat_rw(fs, "c");
	uint8_t pat[16 * 1024], got[16 * 1024];
	int64_t old;

	for (size_t i = 0; i < sizeof(pat); i++)
		pat[i] = (uint8_t)(i * 7 + 3);
	ck_assert_int_eq(extentfs_fallocate(a, 0, 0, 16 * KiB), 0);
	make_written(a);
	old = addr_at(a, 0);
	ck_assert_int_eq(backend_rw_sync(b, BACKEND_WRITE, (uint64_t)old, pat, sizeof(pat), 0), 0);
	ck_assert_int_eq(extentfs_remap_range(a, 0, c, 0, 16 * KiB), 0);
	ck_assert_int_eq(extentfs_fallocate(c, FALLOC_FL_UNSHARE_RANGE, 0, 16 * KiB), 0);
	ck_assert_int_ne(addr_at(c, 0), old);
	ck_assert_int_eq(addr_at(a, 0), old);
	ck_assert_uint_eq(efs_test_refcount(fs, old), 1);
	ck_assert_int_eq(backend_rw_sync(b, BACKEND_READ, (uint64_t)addr_at(c, 0), got,
					 sizeof(got), 0), 0);
	ck_assert_int_eq(memcmp(pat, got, sizeof(pat)), 0);
	ck_assert(!(EFS_I(c->f_inode)->diflags & EFS_DIFLAG_REFLINK));
	ck_assert_layout(c, "0+4000");
	/* unwritten source space is never shared: c gets a hole (Linux >= 5.9) */
	ck_assert_int_eq(extentfs_fallocate(a, FALLOC_FL_KEEP_SIZE, 64 * KiB, 8 * KiB), 0);
	ck_assert_int_eq(extentfs_remap_range(a, 64 * KiB, c, 64 * KiB, 8 * KiB), -EINVAL);
	ck_assert_int_eq(extentfs_setattr_size(a, 72 * KiB), 0);
	ck_assert_int_eq(extentfs_remap_range(a, 64 * KiB, c, 64 * KiB, 8 * KiB), 0);
	ck_assert_int_eq(addr_at(c, 64 * KiB), -1);
	ck_assert_uint_eq(efs_test_refcount(fs, addr_at(a, 64 * KiB)), 1);
	ck_assert(EFS_I(c->f_inode)->diflags & EFS_DIFLAG_REFLINK);
	efs_test_incore_ok(fs);
	extentfs_close(a);
	extentfs_close(c);
	ck_assert_int_eq(extentfs_unmount(fs), 0);
	ck_assert_int_eq(extentfs_check(b, NULL), 0);
	backend_destroy(b);
}
END_TEST

START_TEST(efs_5_7_fibmap)
{
	/* efs-5.7: FIBMAP answers for written blocks only, and never for reflinked files. */
	struct backend *b = backend_ram_new(IMG_SIZE, 512);
	struct extentfs *fs = efs_test_mkfs(b, 4096);
	struct file *f = creat_rw(fs, "f"), *g = creat_rw(fs, "g");

	ck_assert_int_eq(extentfs_fallocate(f, 0, 0, 16 * KiB), 0);
	ck_assert_uint_eq(extentfs_fibmap(f, 1), 0); /* unwritten */
	make_written(f);
	ck_assert_uint_eq(extentfs_fibmap(f, 1), 0x18000 / 4096 + 1);
	ck_assert_uint_eq(extentfs_fibmap(f, 100), 0); /* hole */
	ck_assert_int_eq(extentfs_remap_range(f, 0, g, 0, 16 * KiB), 0);
	ck_assert_uint_eq(extentfs_fibmap(f, 1), 0);
	extentfs_close(f);
	extentfs_close(g);
	ck_assert_int_eq(extentfs_unmount(fs), 0);
	backend_destroy(b);
}
END_TEST

/* ------------------------------------------------------ efs-6 corruption */

/* The raw on-disk metadata of the current generation, for surgery. */
struct raw_image {
	struct efs_dsb sb;
	unsigned slot;
	uint32_t bs;
	uint64_t chain[64];
	uint32_t payload[64];
	size_t nchain;
	uint8_t *stream;
};

static void raw_load(struct backend *b, struct raw_image *ri)
{
	uint8_t buf[512];
	struct efs_dsb s0, s1;
	bool v0, v1;
	uint8_t *blk;
	size_t off = 0;
	uint64_t cur;

	memset(ri, 0, sizeof(*ri));
	ck_assert_int_eq(backend_rw_sync(b, BACKEND_READ, 0, buf, 512, 0), 0);
	v0 = efs_sb_decode(buf, &s0);
	ck_assert(v0);
	ri->bs = 1u << s0.block_log;
	ck_assert_int_eq(backend_rw_sync(b, BACKEND_READ, ri->bs, buf, 512, 0), 0);
	v1 = efs_sb_decode(buf, &s1);
	ri->slot = v1 && s1.generation > s0.generation;
	ri->sb = ri->slot ? s1 : s0;
	ri->stream = malloc(ri->sb.meta_bytes + 1);
	blk = malloc(ri->bs);
	for (cur = ri->sb.meta_head; cur; ri->nchain++) {
		struct efs_mhdr h;

		ck_assert_uint_lt(ri->nchain, 64);
		ck_assert_int_eq(backend_rw_sync(b, BACKEND_READ, cur * ri->bs, blk, ri->bs, 0), 0);
		ck_assert(efs_mhdr_decode(blk, ri->bs, &h));
		memcpy(ri->stream + off, blk + EFS_META_HDR_SIZE, h.payload);
		off += h.payload;
		ri->chain[ri->nchain] = cur;
		ri->payload[ri->nchain] = h.payload;
		cur = h.next;
	}
	free(blk);
}

/* Write the (changed) stream back with valid CRCs everywhere: only the
 * checker's logic can object. */
static void raw_store(struct backend *b, struct raw_image *ri)
{
	uint8_t *blk = calloc(1, ri->bs), buf[512];
	size_t off = 0;

	for (size_t i = 0; i < ri->nchain; i++) {
		struct efs_mhdr h = { .magic = EFS_META_MAGIC, .generation = ri->sb.generation,
				      .next = i + 1 < ri->nchain ? ri->chain[i + 1] : 0,
				      .index = (uint32_t)i, .payload = ri->payload[i] };

		memset(blk, 0, ri->bs);
		memcpy(blk + EFS_META_HDR_SIZE, ri->stream + off, ri->payload[i]);
		off += ri->payload[i];
		efs_mhdr_encode(&h, blk, ri->bs);
		ck_assert_int_eq(backend_rw_sync(b, BACKEND_WRITE, ri->chain[i] * ri->bs, blk,
						 ri->bs, 0), 0);
	}
	ri->sb.meta_crc = efs_crc32c(ri->stream, ri->sb.meta_bytes);
	efs_sb_encode(&ri->sb, buf);
	ck_assert_int_eq(backend_rw_sync(b, BACKEND_WRITE, (uint64_t)ri->slot * ri->bs, buf, 512, 0),
			 0);
	free(blk);
}

/* Byte offsets of records in the stream. */
static size_t raw_inode_off(const struct raw_image *ri, size_t n)
{
	size_t off = 0;

	for (size_t i = 0; i < n; i++)
		off += EFS_DINODE_SIZE + efs_get_le64(ri->stream + off + 16) * EFS_DEXT_SIZE;
	return off;
}

static size_t raw_ext_off(const struct raw_image *ri, size_t inode, size_t k)
{
	return raw_inode_off(ri, inode) + EFS_DINODE_SIZE + k * EFS_DEXT_SIZE;
}

static size_t raw_dirent_off(const struct raw_image *ri, size_t n)
{
	size_t off = raw_inode_off(ri, ri->sb.ninodes);

	for (size_t i = 0; i < n; i++)
		off += efs_dirent_size(efs_get_le16(ri->stream + off + 8));
	return off;
}

static size_t raw_refc_off(const struct raw_image *ri, size_t n)
{
	return raw_dirent_off(ri, ri->sb.ndirents) + n * EFS_DREFC_SIZE;
}

static size_t raw_free_off(const struct raw_image *ri, size_t n)
{
	return raw_refc_off(ri, ri->sb.nrefcount) + n * EFS_DFREE_SIZE;
}

/*
 * The base image: a (two extents), b (one), c (reflink of a's first extent);
 * three commits, so both slots hold a superblock.
 */
static struct backend *base_image(void)
{
	struct backend *b = backend_ram_new(IMG_SIZE, 512);
	struct extentfs *fs = efs_test_mkfs(b, 4096);
	struct file *a = creat_rw(fs, "a"), *bf = creat_rw(fs, "b"), *c = creat_rw(fs, "c");

	ck_assert_int_eq(extentfs_fallocate(a, 0, 0, 64 * KiB), 0);
	ck_assert_int_eq(extentfs_fallocate(bf, 0, 0, 32 * KiB), 0);
	ck_assert_int_eq(extentfs_fallocate(a, 0, 128 * KiB, 64 * KiB), 0);
	make_written(a); /* only written blocks are shared by the reflink below */
	ck_assert_int_eq(extentfs_sync(fs), 0);
	ck_assert_int_eq(extentfs_remap_range(a, 0, c, 0, 64 * KiB), 0);
	extentfs_close(a);
	extentfs_close(bf);
	extentfs_close(c);
	ck_assert_int_eq(extentfs_unmount(fs), 0);
	return b;
}

enum corruption {
	C_MAGIC_BOTH, C_CRC_BOTH, C_CHAIN_PAYLOAD, C_EXTENT_RANGE, C_EXTENT_OVERLAP,
	C_CROSSLINK, C_REFCOUNT, C_FREE_OVERLAP, C_DIRENT, C_STREAM_CRC, C_CHAIN_STALE,
};

static const struct {
	enum corruption what;
	const char *expect; /* in the checker's report */
} corruption_table[] = {
	{ C_MAGIC_BOTH, "no valid superblock" },
	{ C_CRC_BOTH, "no valid superblock" },
	{ C_CHAIN_PAYLOAD, "bad magic or checksum" },
	{ C_EXTENT_RANGE, "outside the data area" },
	{ C_EXTENT_OVERLAP, "overlaps or precedes" },
	{ C_CROSSLINK, "have no reference count record" },
	{ C_REFCOUNT, "reference count 3, but 2 extents" },
	{ C_FREE_OVERLAP, "claimed 2 times" },
	{ C_DIRENT, "which does not exist" },
	{ C_STREAM_CRC, "checksum mismatch" },
	{ C_CHAIN_STALE, "stale or misdirected" },
};

static void corrupt(struct backend *b, enum corruption what)
{
	struct raw_image ri;
	uint8_t buf[512];
	size_t off;

	raw_load(b, &ri);
	switch (what) {
	case C_MAGIC_BOTH:
	case C_CRC_BOTH:
		for (unsigned s = 0; s < 2; s++) {
			off = (uint64_t)s * ri.bs;
			ck_assert_int_eq(backend_rw_sync(b, BACKEND_READ, off, buf, 512, 0), 0);
			buf[what == C_MAGIC_BOTH ? 0 : 300] ^= 0x40;
			ck_assert_int_eq(backend_rw_sync(b, BACKEND_WRITE, off, buf, 512, 0), 0);
		}
		break;
	case C_CHAIN_PAYLOAD:
		ck_assert_int_eq(backend_rw_sync(b, BACKEND_READ, ri.chain[0] * ri.bs, buf, 512, 0), 0);
		buf[EFS_META_HDR_SIZE + 9] ^= 1;
		ck_assert_int_eq(backend_rw_sync(b, BACKEND_WRITE, ri.chain[0] * ri.bs, buf, 512, 0), 0);
		break;
	case C_EXTENT_RANGE: /* a's first extent pushed off the end of the device */
		efs_put_le64(ri.stream + raw_ext_off(&ri, 0, 0) + 8, ri.sb.nblocks - 2);
		raw_store(b, &ri);
		break;
	case C_EXTENT_OVERLAP: /* a's second extent starts inside the first */
		efs_put_le64(ri.stream + raw_ext_off(&ri, 0, 1), 3);
		raw_store(b, &ri);
		break;
	case C_CROSSLINK: /* b maps a's second extent */
		efs_put_le64(ri.stream + raw_ext_off(&ri, 1, 0) + 8,
			     efs_get_le64(ri.stream + raw_ext_off(&ri, 0, 1) + 8));
		raw_store(b, &ri);
		break;
	case C_REFCOUNT:
		ck_assert_uint_eq(ri.sb.nrefcount, 1);
		efs_put_le64(ri.stream + raw_refc_off(&ri, 0) + 16, 3);
		raw_store(b, &ri);
		break;
	case C_FREE_OVERLAP: /* the last free run moved over b's blocks */
		off = raw_free_off(&ri, ri.sb.nfree - 1);
		ri.sb.free_blocks -= efs_get_le64(ri.stream + off + 8) - 1;
		efs_put_le64(ri.stream + off, efs_get_le64(ri.stream + raw_ext_off(&ri, 1, 0) + 8));
		efs_put_le64(ri.stream + off + 8, 1);
		raw_store(b, &ri);
		break;
	case C_DIRENT:
		efs_put_le64(ri.stream + raw_dirent_off(&ri, 0), 999);
		raw_store(b, &ri);
		break;
	case C_STREAM_CRC:
		ri.sb.meta_crc ^= 1;
		efs_sb_encode(&ri.sb, buf);
		ck_assert_int_eq(backend_rw_sync(b, BACKEND_WRITE, (uint64_t)ri.slot * ri.bs, buf, 512,
						 0), 0);
		break;
	case C_CHAIN_STALE: /* a chain block of another generation, valid CRC */
		ri.sb.generation += 2;
		efs_sb_encode(&ri.sb, buf);
		ck_assert_int_eq(backend_rw_sync(b, BACKEND_WRITE, (uint64_t)ri.slot * ri.bs, buf, 512,
						 0), 0);
		break;
	}
	free(ri.stream);
}

START_TEST(efs_6_1_corruption)
{
	/* efs-6.1: each injected corruption: mount says -EUCLEAN and writes
	 * nothing; the checker names it. */
	struct backend *b = base_image();
	struct extentfs *fs = NULL;
	uint8_t *before, *after;
	char *rep;
	size_t len;
	FILE *m;

	ck_assert_int_eq(extentfs_check(b, NULL), 0);
	corrupt(b, corruption_table[_i].what);
	before = image_copy(b);
	ck_assert_int_eq(extentfs_mount(b, DEV, &fs), -EUCLEAN);
	ck_assert_ptr_null(fs);
	after = image_copy(b);
	ck_assert_msg(memcmp(before, after, b->size) == 0, "mount wrote to a corrupt image");
	m = open_memstream(&rep, &len);
	ck_assert_int_eq(extentfs_check(b, m), -EUCLEAN);
	fclose(m);
	ck_assert_msg(strstr(rep, corruption_table[_i].expect), "report lacks \"%s\":\n%s",
		      corruption_table[_i].expect, rep);
	free(after);
	after = image_copy(b);
	ck_assert_msg(memcmp(before, after, b->size) == 0, "the checker wrote");
	free(rep);
	free(before);
	free(after);
	backend_destroy(b);
}
END_TEST

START_TEST(efs_6_2_torn_newest_slot)
{
	/* efs-6.2: a torn newest superblock loses to the previous generation, which still mounts. */
	struct backend *b = backend_ram_new(IMG_SIZE, 512);
	struct extentfs *fs = efs_test_mkfs(b, 4096);
	struct file *f = creat_rw(fs, "f");
	struct raw_image ri;
	uint8_t buf[512];
	char *st1;

	ck_assert_int_eq(extentfs_fallocate(f, 0, 0, 16 * KiB), 0);
	extentfs_close(f);
	ck_assert_int_eq(extentfs_sync(fs), 0);        /* generation 2 */
	st1 = fs_state(fs);
	f = efs_test_open(fs, "f", O_RDWR);
	ck_assert_int_eq(extentfs_fallocate(f, 0, 64 * KiB, 16 * KiB), 0);
	extentfs_close(f);
	ck_assert_int_eq(extentfs_unmount(fs), 0);     /* generation 3 */
	raw_load(b, &ri);
	ck_assert_uint_eq(ri.sb.generation, 3);
	ck_assert_int_eq(backend_rw_sync(b, BACKEND_READ, (uint64_t)ri.slot * ri.bs, buf, 512, 0), 0);
	memset(buf + 256, 0xa5, 256); /* the second half of the sector never arrived */
	ck_assert_int_eq(backend_rw_sync(b, BACKEND_WRITE, (uint64_t)ri.slot * ri.bs, buf, 512, 0), 0);
	free(ri.stream);
	ck_assert_int_eq(extentfs_check(b, NULL), 0);
	ck_assert_int_eq(extentfs_mount(b, DEV, &fs), 0);
	ck_assert_uint_eq(extentfs_generation(fs), 2);
	{
		char *st = fs_state(fs);

		ck_assert_str_eq(st, st1);
		free(st);
	}
	ck_assert_int_eq(extentfs_unmount(fs), 0);
	free(st1);
	backend_destroy(b);
}
END_TEST

/* --------------------------------------------------------- efs-7 crashes */

/* State A: committed.  Then changes of every kind, not committed: state B. */
static void workload_a(struct extentfs *fs, uint32_t bs)
{
	struct file *a = creat_rw(fs, "a"), *bb = creat_rw(fs, "b");

	for (int i = 0; i < 24; i++) /* many small extents: a chain of several blocks */
		ck_assert_int_eq(extentfs_fallocate(a, FALLOC_FL_KEEP_SIZE, i * 2 * (loff_t)bs, bs), 0);
	ck_assert_int_eq(extentfs_fallocate(bb, 0, 0, 16 * (loff_t)bs), 0);
	ck_assert_int_eq(extentfs_fsync(a, 0), 0);
	extentfs_close(a);
	extentfs_close(bb);
}

static void workload_b(struct extentfs *fs, uint32_t bs)
{
	struct file *a = efs_test_open(fs, "a", O_RDWR), *bb = efs_test_open(fs, "b", O_RDWR);
	struct file *c = creat_rw(fs, "c");

	ck_assert_int_eq(extentfs_fallocate(bb, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, bs,
					    4 * (loff_t)bs), 0);
	ck_assert_int_eq(extentfs_remap_range(bb, 8 * (loff_t)bs, c, 0, 8 * (loff_t)bs), 0);
	ck_assert_int_eq(extentfs_setattr_size(a, 5 * (loff_t)bs + 7), 0);
	ck_assert_int_eq(extentfs_fallocate(c, 0, 64 * (loff_t)bs, 3 * (loff_t)bs), 0);
	/* A stream bigger than the last one: the new chain takes the freed old
	 * chain's blocks and more, in two runs, so the commit writes 3 times. */
	for (int i = 0; i < 40; i++)
		ck_assert_int_eq(extentfs_fallocate(c, FALLOC_FL_KEEP_SIZE,
						    (100 + 2 * i) * (loff_t)bs, bs), 0);
	extentfs_close(a);
	extentfs_close(bb);
	extentfs_close(c);
	ck_assert_int_eq(extentfs_unlink(fs, "a"), 0);
}

struct crash_result {
	unsigned runs, saw_before, saw_after;
};

/*
 * Cut the power at write @nth of the commit that follows workload_b, torn
 * after @torn bytes; reboot; the image must be consistent and hold state A
 * or state B.  Returns false once the commit completed without reaching
 * the cut (no more writes to try).
 */
static bool crash_once(struct backend *(*make)(void *), void *arg, uint32_t bs, unsigned nth,
		       size_t torn, struct crash_result *res)
{
	struct backend *fb = backend_fault_new(make(arg));
	struct extentfs *fs = efs_test_mkfs(fb, bs);
	char *sa, *sb_, *got;
	bool cut;
	int ret;

	workload_a(fs, bs);
	sa = fs_state(fs);
	workload_b(fs, bs);
	sb_ = fs_state(fs);
	efs_test_incore_ok(fs);
	fault_arm_power_cut(fb, nth, torn);
	ret = extentfs_sync(fs);
	cut = fault_power_is_cut(fb);
	ck_assert_msg(cut ? ret < 0 : ret == 0, "sync returned %d, cut %d", ret, cut);
	ret = extentfs_unmount(fs);
	ck_assert_int_eq(ret, cut ? -EIO : 0);
	fault_power_restore(fb);
	fault_arm_power_cut(fb, 1u << 30, 0); /* disarm, if the cut was not reached */
	if (extentfs_check(fb, NULL) != 0) {
		extentfs_check(fb, stderr);
		ck_abort_msg("write %u torn at %zu: the checker rejects the image", nth, torn);
	}
	ck_assert_int_eq(extentfs_mount(fb, DEV, &fs), 0);
	got = fs_state(fs);
	if (strcmp(got, sa) == 0) {
		res->saw_before++;
		ck_assert_msg(cut, "completed commit shows the old state");
	} else {
		ck_assert_msg(strcmp(got, sb_) == 0,
			      "write %u torn at %zu: state is neither before nor after:\n%s\n"
			      "before:\n%s\nafter:\n%s", nth, torn, got, sa, sb_);
		res->saw_after++;
	}
	efs_test_incore_ok(fs);
	ck_assert_int_eq(extentfs_unmount(fs), 0);
	res->runs++;
	free(sa);
	free(sb_);
	free(got);
	backend_destroy(fb);
	return cut;
}

static void crash_loop(struct backend *(*make)(void *), void *arg, uint32_t bs, uint32_t lbs)
{
	const size_t torn[] = { 0, lbs, bs, SIZE_MAX / 2 };

	for (size_t t = 0; t < ARRAY_SIZE(torn); t++) {
		struct crash_result res = { 0 };
		unsigned nth = 0;

		if (t > 0 && torn[t] == torn[t - 1])
			continue;
		while (crash_once(make, arg, bs, nth, torn[t], &res))
			nth++;
		printf("power cut: block size %u, torn at %zd: %u cut points, %u before, %u after\n",
		       bs, torn[t] > (size_t)INT64_MAX ? (ssize_t)-1 : (ssize_t)torn[t], res.runs,
		       res.saw_before, res.saw_after);
		/* The commit wrote at least the chain and the superblock; both outcomes seen. */
		ck_assert_uint_ge(res.runs, 3);
		ck_assert_uint_ge(res.saw_before, 1);
		ck_assert_uint_ge(res.saw_after, 1);
	}
}

static struct backend *make_ram(void *arg)
{
	return backend_ram_new(IMG_SIZE, *(uint32_t *)arg);
}

static const struct {
	uint32_t bs, lbs;
} crash_table[] = { { 512, 512 }, { 4096, 512 }, { 4096, 4096 }, { 65536, 4096 } };

START_TEST(efs_7_1_power_cut_ram)
{
	/* efs-7.1: a power cut at every write of a commit, torn or not: before or after, never a mix. */
	uint32_t lbs = crash_table[_i].lbs;

	crash_loop(make_ram, &lbs, crash_table[_i].bs, lbs);
}
END_TEST

struct file_arg {
	char path[64];
};

static struct backend *make_file(void *arg)
{
	struct file_arg *fa = arg;
	struct backend *b;

	unlink(fa->path);
	b = backend_file_new(fa->path, IMG_SIZE, 512);
	ck_assert_ptr_nonnull(b);
	/* The open backend keeps the file; nothing is left in /tmp even if a check fails. */
	unlink(fa->path);
	return b;
}

START_TEST(efs_7_2_power_cut_file)
{
	/* efs-7.2: the same on the file backend. */
	struct file_arg fa;
	int fd;

	snprintf(fa.path, sizeof(fa.path), "/tmp/efs-crash-XXXXXX");
	fd = mkstemp(fa.path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	crash_loop(make_file, &fa, 4096, 512);
	unlink(fa.path);
}
END_TEST

START_TEST(efs_7_3_eio)
{
	/* efs-7.3: EIO on a metadata write or flush: fsync fails, the fs shuts
	 * down, the old state mounts. */
	enum backend_op op = _i ? BACKEND_FLUSH : BACKEND_WRITE;

	for (unsigned after = 0;; after++) {
		struct backend *fb = backend_fault_new(backend_ram_new(IMG_SIZE, 512));
		struct extentfs *fs = efs_test_mkfs(fb, 4096);
		struct file *f;
		char *sa, *got;
		int ret;

		workload_a(fs, 4096);
		sa = fs_state(fs);
		f = efs_test_open(fs, "b", O_RDWR);
		ck_assert_int_eq(extentfs_fallocate(f, 0, 1 * MiB, 4096), 0);
		fault_set_eio(fb, op, FAULT_ONCE, after);
		ret = extentfs_fsync(f, 0);
		if (ret == 0) {
			/* fewer requests than @after: every failure point was tried */
			ck_assert_uint_ge(after, 1);
			fault_set_eio(fb, op, FAULT_NONE, 0);
			extentfs_close(f);
			ck_assert_int_eq(extentfs_unmount(fs), 0);
			free(sa);
			backend_destroy(fb);
			break;
		}
		ck_assert_int_eq(ret, -EIO);
		/* shut down: no more changes, no more writes */
		ck_assert_int_eq(extentfs_fallocate(f, 0, 0, 4096), -EIO);
		ck_assert_int_eq(extentfs_fsync(f, 0), -EIO);
		extentfs_close(f);
		ck_assert_int_eq(extentfs_open(fs, "new", O_CREAT | O_RDWR, &f), -EIO);
		ck_assert_int_eq(extentfs_unmount(fs), -EIO);
		fault_set_eio(fb, op, FAULT_NONE, 0);
		ck_assert_int_eq(extentfs_check(fb, NULL), 0);
		ck_assert_int_eq(extentfs_mount(fb, DEV, &fs), 0);
		got = fs_state(fs);
		ck_assert_str_eq(got, sa);
		ck_assert_int_eq(extentfs_unmount(fs), 0);
		free(got);
		free(sa);
		backend_destroy(fb);
	}
}
END_TEST

/* ------------------------------------------------------ efs-8 loop device */

static struct loopdev loop;
static bool loop_ok;

static void loop_setup(void)
{
	loop_ok = loopdev_attach(&loop, 64 * MiB, 512) == 0;
	if (!loop_ok)
		printf("SKIP loop: %s\n", loop.reason);
	else
		printf("loop: extentfs on %s\n", loop.path);
}

static void loop_teardown(void)
{
	loopdev_detach(&loop);
}

static struct backend *make_bdev(void *arg)
{
	struct backend *b = backend_bdev_new(arg);

	ck_assert_ptr_nonnull(b);
	return b;
}

START_TEST(efs_8_1_loop_round_trip)
{
	/* efs-8.1: a real block device (O_DIRECT, io_uring): round trip and checker. */
	struct backend *b;
	struct extentfs *fs;
	char *st1, *st2;

	if (!loop_ok)
		return;
	b = backend_bdev_new(loop.path);
	ck_assert_ptr_nonnull(b);
	fs = efs_test_mkfs(b, 4096);
	workload_a(fs, 4096);
	workload_b(fs, 4096);
	st1 = fs_state(fs);
	efs_test_incore_ok(fs);
	ck_assert_int_eq(extentfs_unmount(fs), 0);
	ck_assert_int_eq(extentfs_check(b, NULL), 0);
	ck_assert_int_eq(extentfs_mount(b, DEV, &fs), 0);
	st2 = fs_state(fs);
	ck_assert_str_eq(st1, st2);
	ck_assert_int_eq(extentfs_unmount(fs), 0);
	free(st1);
	free(st2);
	backend_destroy(b);
}
END_TEST

START_TEST(efs_8_2_loop_power_cut)
{
	/* efs-8.2: power cuts at every commit write over the loop device. */
	struct crash_result res = { 0 };
	unsigned nth = 0;

	if (!loop_ok)
		return;
	while (crash_once(make_bdev, loop.path, 4096, nth, 0, &res))
		nth++;
	ck_assert_uint_ge(res.saw_before, 1);
	ck_assert_uint_ge(res.saw_after, 1);
}
END_TEST

/* ------------------------------------------------------------ efs-9 misc */

static const struct {
	int mode;
	loff_t off, len;
	int ret;
} falloc_table[] = {
	{ 0, -1, 4096, -EINVAL },
	{ 0, 0, 0, -EINVAL },
	{ 0, 0, -1, -EINVAL },
	{ 0, INT64_MAX - 10, 100, -EFBIG },
	{ FALLOC_FL_PUNCH_HOLE, 0, 4096, -EOPNOTSUPP },
	{ FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, 0, 4096, -EOPNOTSUPP },
	{ FALLOC_FL_COLLAPSE_RANGE, 0, 4096, -EOPNOTSUPP },
	{ FALLOC_FL_INSERT_RANGE, 0, 4096, -EOPNOTSUPP },
	{ FALLOC_FL_UNSHARE_RANGE | FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 4096, -EOPNOTSUPP },
	{ FALLOC_FL_COLLAPSE_RANGE | FALLOC_FL_KEEP_SIZE, 0, 4096, -EOPNOTSUPP },
	{ FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, 0, 4096, 0 },
	{ FALLOC_FL_UNSHARE_RANGE, 0, 4096, 0 },
	{ 0x80, 0, 4096, -EOPNOTSUPP },
	{ FALLOC_FL_KEEP_SIZE, 0, 4096, 0 },
};

START_TEST(efs_9_1_falloc_args)
{
	/* efs-9.1: fallocate argument table (vfs_fallocate's checks). */
	struct backend *b = backend_ram_new(IMG_SIZE, 512);
	struct extentfs *fs = efs_test_mkfs(b, 4096);
	struct file *f = creat_rw(fs, "f"), *ro = efs_test_open(fs, "f", O_RDONLY);

	ck_assert_int_eq(extentfs_fallocate(f, falloc_table[_i].mode, falloc_table[_i].off,
					    falloc_table[_i].len), falloc_table[_i].ret);
	ck_assert_int_eq(extentfs_fallocate(ro, 0, 0, 4096), -EBADF);
	ck_assert_int_eq(extentfs_setattr_size(ro, 0), -EINVAL);
	ck_assert_int_eq(extentfs_setattr_size(f, -1), -EINVAL);
	efs_test_incore_ok(fs);
	extentfs_close(ro);
	extentfs_close(f);
	ck_assert_int_eq(extentfs_unmount(fs), 0);
	backend_destroy(b);
}
END_TEST

START_TEST(efs_9_2_open_unlink)
{
	/* efs-9.2: names, O_EXCL, O_TRUNC, unlink of an open file, orphans at mount. */
	struct backend *b = backend_ram_new(IMG_SIZE, 512);
	struct extentfs *fs = efs_test_mkfs(b, 4096);
	char longname[300];
	struct file *f, *g;
	struct backend *copy;
	uint64_t free0;
	uint8_t *img;
	char *rep;
	size_t len;
	FILE *m;

	memset(longname, 'x', sizeof(longname));
	longname[256] = '\0';
	ck_assert_int_eq(extentfs_open(fs, "", O_CREAT | O_RDWR, &f), -EINVAL);
	ck_assert_int_eq(extentfs_open(fs, "a/b", O_CREAT | O_RDWR, &f), -EINVAL);
	ck_assert_int_eq(extentfs_open(fs, "..", O_CREAT | O_RDWR, &f), -EINVAL);
	ck_assert_int_eq(extentfs_open(fs, longname, O_CREAT | O_RDWR, &f), -EINVAL);
	longname[255] = '\0';
	f = creat_rw(fs, longname);
	extentfs_close(f);
	ck_assert_int_eq(extentfs_open(fs, "missing", O_RDWR, &f), -ENOENT);
	ck_assert_int_eq(extentfs_open(fs, longname, O_CREAT | O_EXCL | O_RDWR, &f), -EEXIST);
	ck_assert_int_eq(extentfs_unlink(fs, "missing"), -ENOENT);

	free0 = efs_test_free_blocks(fs);
	f = creat_rw(fs, "t");
	ck_assert_int_eq(extentfs_fallocate(f, 0, 0, 64 * KiB), 0);
	extentfs_close(f);
	f = efs_test_open(fs, "t", O_RDWR | O_TRUNC);
	ck_assert_int_eq(i_size_read(f->f_inode), 0);
	ck_assert_uint_eq(efs_test_free_blocks(fs), free0);
	ck_assert_int_eq(extentfs_fallocate(f, 0, 0, 64 * KiB), 0);
	/* unlink while open: still usable, blocks freed at the last close */
	ck_assert_int_eq(extentfs_unlink(fs, "t"), 0);
	ck_assert_int_eq(extentfs_open(fs, "t", O_RDWR, &g), -ENOENT);
	ck_assert_int_eq(extentfs_fallocate(f, 0, 64 * KiB, 4 * KiB), 0);
	ck_assert_uint_eq(efs_test_free_blocks(fs), free0 - 17);
	/* commit the orphan, then "crash" with it open: the copy is the crashed disk */
	ck_assert_int_eq(extentfs_sync(fs), 0);
	efs_test_incore_ok(fs);
	img = image_copy(b);
	copy = backend_ram_new(IMG_SIZE, 512);
	ck_assert_int_eq(backend_rw_sync(copy, BACKEND_WRITE, 0, img, IMG_SIZE, 0), 0);
	free(img);
	extentfs_close(f);
	ck_assert_uint_eq(efs_test_free_blocks(fs), free0);
	efs_test_incore_ok(fs);
	ck_assert_int_eq(extentfs_unmount(fs), 0);

	m = open_memstream(&rep, &len);
	ck_assert_int_eq(extentfs_check(copy, m), 0);
	fclose(m);
	ck_assert_ptr_nonnull(strstr(rep, "orphan"));
	free(rep);
	ck_assert_int_eq(extentfs_mount(copy, DEV, &fs), 0);
	ck_assert_uint_eq(efs_test_free_blocks(fs), free0);
	ck_assert_uint_eq(fs->ninodes, 1);
	efs_test_incore_ok(fs);
	ck_assert_int_eq(extentfs_unmount(fs), 0);
	ck_assert_int_eq(extentfs_check(copy, NULL), 0);
	backend_destroy(copy);
	backend_destroy(b);
}
END_TEST

START_TEST(efs_9_3_swapfile)
{
	/* efs-9.3: swapon over unwritten space; an active swap file refuses changes. */
	struct backend *b = backend_ram_new(IMG_SIZE, 512);
	struct extentfs *fs = efs_test_mkfs(b, 4096);
	struct file *f = creat_rw(fs, "swap"), *g = creat_rw(fs, "g"), *h = creat_rw(fs, "holey");
	struct swap_info_struct sis = { 0 }, sis2 = { 0 };
	sector_t span;

	ck_assert_int_eq(extentfs_fallocate(f, 0, 0, 256 * KiB), 0);
	ck_assert_int_gt(extentfs_swapon(f, &sis, &span), 0);
	ck_assert(f->f_inode->i_flags & S_SWAPFILE);
	ck_assert_uint_eq(sis.pages, 63);
	ck_assert_int_eq(extentfs_swapon(f, &sis2, &span), -EBUSY);
	ck_assert_int_eq(extentfs_fallocate(f, 0, 0, 512 * KiB), -ETXTBSY);
	ck_assert_int_eq(extentfs_fallocate(f, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 4096),
			 -ETXTBSY);
	ck_assert_int_eq(extentfs_setattr_size(f, 0), -ETXTBSY);
	ck_assert_int_eq(extentfs_remap_range(f, 0, g, 0, 4096), -ETXTBSY);
	ck_assert_int_eq(extentfs_swapoff(f), 0);
	ck_assert_int_eq(extentfs_swapoff(f), -EINVAL);
	ck_assert_int_eq(extentfs_setattr_size(f, 0), 0);
	swap_info_release(&sis);
	/* a hole is refused */
	ck_assert_int_eq(extentfs_fallocate(h, 0, 0, 16 * KiB), 0);
	ck_assert_int_eq(extentfs_setattr_size(h, 64 * KiB), 0);
	ck_assert_int_eq(extentfs_swapon(h, &sis2, &span), -EINVAL);
	ck_assert_ptr_nonnull(strstr(sis2.errmsg, "unallocated"));
	swap_info_release(&sis2);
	extentfs_close(f);
	extentfs_close(g);
	extentfs_close(h);
	ck_assert_int_eq(extentfs_unmount(fs), 0);
	backend_destroy(b);
}
END_TEST

START_TEST(efs_9_4_llseek)
{
	/* efs-9.4: lseek whence table. */
	struct backend *b = backend_ram_new(IMG_SIZE, 512);
	struct extentfs *fs = efs_test_mkfs(b, 4096);
	struct file *f = creat_rw(fs, "f");

	ck_assert_int_eq(extentfs_fallocate(f, 0, 0, 10000), 0);
	ck_assert_int_eq(extentfs_llseek(f, 100, SEEK_SET), 100);
	ck_assert_int_eq(extentfs_llseek(f, 50, SEEK_CUR), 150);
	ck_assert_int_eq(extentfs_llseek(f, -1, SEEK_END), 9999);
	ck_assert_int_eq(extentfs_llseek(f, -1, SEEK_SET), -EINVAL);
	ck_assert_int_eq(extentfs_llseek(f, 0, 42), -EINVAL);
	ck_assert_int_eq(extentfs_llseek(f, 0, SEEK_DATA), -ENXIO);   /* unwritten, no cache */
	ck_assert_int_eq(extentfs_llseek(f, 0, SEEK_HOLE), 0);
	ck_assert_int_eq(extentfs_llseek(f, 10000, SEEK_HOLE), -ENXIO); /* at EOF */
	make_written(f);
	ck_assert_int_eq(extentfs_llseek(f, 0, SEEK_DATA), 0);
	ck_assert_int_eq(extentfs_llseek(f, 5, SEEK_HOLE), 10000);
	ck_assert_int_eq(f->f_pos, 10000);
	extentfs_close(f);
	ck_assert_int_eq(extentfs_unmount(fs), 0);
	backend_destroy(b);
}
END_TEST

START_TEST(efs_9_5_enospc)
{
	/* efs-9.5: ENOSPC keeps what was allocated and a commit still fits; busy space comes back. */
	struct backend *b = backend_ram_new(4 * MiB, 512);
	struct extentfs *fs = efs_test_mkfs(b, 4096);
	struct file *f = creat_rw(fs, "f");
	uint64_t gen;

	ck_assert_int_eq(extentfs_fallocate(f, 0, 0, 8 * MiB), -ENOSPC);
	ck_assert_int_eq(i_size_read(f->f_inode), 0);
	ck_assert_int_ne(addr_at(f, 0), -1);
	ck_assert_int_eq(extentfs_fsync(f, 0), 0);
	efs_test_incore_ok(fs);
	/* free everything, then allocate again before any commit: busy blocks are flushed */
	ck_assert_int_eq(extentfs_setattr_size(f, 0), 0);
	gen = extentfs_generation(fs);
	ck_assert_int_eq(extentfs_fallocate(f, 0, 0, 3 * MiB), 0);
	ck_assert_uint_gt(extentfs_generation(fs), gen);
	efs_test_incore_ok(fs);
	extentfs_close(f);
	ck_assert_int_eq(extentfs_unmount(fs), 0);
	ck_assert_int_eq(extentfs_check(b, NULL), 0);
	backend_destroy(b);
}
END_TEST

START_TEST(efs_9_6_mapping_seq)
{
	/* efs-9.6: the validity cookie changes with every mapping change and on request. */
	struct backend *b = backend_ram_new(IMG_SIZE, 512);
	struct extentfs *fs = efs_test_mkfs(b, 4096);
	struct file *f = creat_rw(fs, "f");
	struct iomap m1, m2;
	uint64_t s;

	map_at(f, &extentfs_report_iomap_ops, IOMAP_REPORT, 0, 4096, &m1);
	ck_assert_int_eq(extentfs_fallocate(f, 0, 0, 4096), 0);
	map_at(f, &extentfs_report_iomap_ops, IOMAP_REPORT, 0, 4096, &m2);
	ck_assert_uint_ne(m1.validity_cookie, m2.validity_cookie);
	s = extentfs_bump_mapping_seq(f);
	ck_assert_uint_eq(s, m2.validity_cookie + 1);
	map_at(f, &extentfs_zero_iomap_ops, IOMAP_ZERO, 0, 4096, &m1);
	ck_assert_uint_eq(m1.validity_cookie, s);
	ck_assert_int_eq(extentfs_fsync(f, 0), 0); /* a commit is no mapping change */
	map_at(f, &extentfs_report_iomap_ops, IOMAP_REPORT, 0, 4096, &m2);
	ck_assert_uint_eq(m2.validity_cookie, s);
	extentfs_close(f);
	ck_assert_int_eq(extentfs_unmount(fs), 0);
	backend_destroy(b);
}
END_TEST

START_TEST(efs_9_7_lock_order)
{
	/* efs-9.7: a workload over every entry point leaves no lock-order report. */
	struct backend *b = backend_ram_new(IMG_SIZE, 512);
	struct extentfs *fs;
	struct file *x, *y;
	struct fiemap_extent ext[8];
	struct fiemap_extent_info fi = { .fi_extents_max = 8, .fi_extents_start = ext };

	lockdep_reset();
	lockdep_set_quiet(true);
	fs = efs_test_mkfs(b, 4096);
	x = creat_rw(fs, "x");
	y = creat_rw(fs, "y");
	ck_assert_int_eq(extentfs_fallocate(x, 0, 0, 64 * KiB), 0);
	ck_assert_int_eq(extentfs_fallocate(y, 0, 0, 64 * KiB), 0);
	make_written(x);
	ck_assert_int_eq(extentfs_remap_range(x, 0, y, 0, 32 * KiB), 0);
	ck_assert_int_eq(extentfs_remap_range(y, 0, x, 32 * KiB, 32 * KiB), 0);
	ck_assert_int_eq(extentfs_fiemap(x, &fi, 0, UINT64_MAX), 0);
	ck_assert_int_eq(extentfs_llseek(y, 0, SEEK_HOLE), 32 * KiB); /* x's written blocks */
	ck_assert_int_eq(extentfs_fallocate(y, FALLOC_FL_UNSHARE_RANGE, 0, 64 * KiB), 0);
	/* aligned: zeroing written data needs the buffered-I/O issue */
	ck_assert_int_eq(extentfs_fallocate(x, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 4096,
					    8192), 0);
	ck_assert_int_eq(extentfs_setattr_size(x, 4096), 0);
	ck_assert_int_eq(extentfs_fsync(x, 0), 0);
	ck_assert_uint_ne(extentfs_fibmap(y, 0), 0); /* unshared: no longer reflinked */
	extentfs_close(x);
	ck_assert_int_eq(extentfs_unlink(fs, "x"), 0);
	extentfs_close(y);
	ck_assert_int_eq(extentfs_unmount(fs), 0);
	ck_assert_int_eq(lockdep_nr_reports(), 0);
	backend_destroy(b);
}
END_TEST

struct stress_arg {
	struct extentfs *fs;
	const char *name, *other;
	unsigned seed;
	int role;
};

static void *stress_thread(void *p)
{
	struct stress_arg *a = p;
	struct file *f = efs_test_open(a->fs, a->name, O_RDWR), *o = efs_test_open(a->fs, a->other, O_RDWR);
	struct fiemap_extent ext[32];

	for (int i = 0; i < 300; i++) {
		loff_t off = (loff_t)(rand_r(&a->seed) % 256) * 4096 + rand_r(&a->seed) % 3;
		loff_t len = (loff_t)(rand_r(&a->seed) % 32 + 1) * 4096;
		struct fiemap_extent_info fi = { .fi_extents_max = 32, .fi_extents_start = ext };
		struct extentfs_bmap_rec *r;
		size_t n;
		int ret = 0;

		switch (a->role == 2 ? 6 + rand_r(&a->seed) % 4 : rand_r(&a->seed) % 6) {
		case 0:
			ret = extentfs_fallocate(f, FALLOC_FL_KEEP_SIZE, off, len);
			break;
		case 1:
			ret = extentfs_fallocate(f, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off, len);
			break;
		case 2:
			ret = extentfs_setattr_size(f, off + len);
			break;
		case 3:
			ret = extentfs_remap_range(o, 0, f, (off / 4096) * 4096, 0);
			ret = ret == -EINVAL ? 0 : ret; /* o may be empty */
			break;
		case 4:
			ret = extentfs_fallocate(f, FALLOC_FL_ZERO_RANGE, off, len);
			break;
		case 5:
			ret = extentfs_fsync(f, rand_r(&a->seed) & 1);
			break;
		case 6:
			ret = extentfs_fiemap(f, &fi, 0, UINT64_MAX);
			break;
		case 7:
			ret = extentfs_getbmap(o, &r, &n);
			free(r);
			break;
		case 8:
			ret = extentfs_llseek(f, off, SEEK_HOLE);
			ret = ret == -ENXIO || ret >= 0 ? 0 : ret;
			break;
		case 9:
			ret = extentfs_sync(a->fs);
			break;
		}
		ck_assert_msg(ret == 0 || ret == -ENOSPC, "role %d op %d: %d", a->role, i, ret);
	}
	extentfs_close(f);
	extentfs_close(o);
	return NULL;
}

START_TEST(efs_9_8_concurrent)
{
	/* efs-9.8: three threads (space changes, remaps both ways, reports and syncs) in
	 * concurrent mode: no deadlock, no lock-order report, every invariant holds. */
	struct backend *b;
	struct extentfs *fs;
	struct stress_arg args[3];
	pthread_t t[3];

	kernel_set_exec_mode(EXEC_CONCURRENT);
	lockdep_reset();
	lockdep_set_quiet(true);
	b = backend_ram_new(16 * MiB, 512);
	fs = efs_test_mkfs(b, 4096);
	extentfs_close(creat_rw(fs, "a"));
	extentfs_close(creat_rw(fs, "b"));
	args[0] = (struct stress_arg){ fs, "a", "b", 1, 0 };
	args[1] = (struct stress_arg){ fs, "b", "a", 2, 1 };
	args[2] = (struct stress_arg){ fs, "a", "b", 3, 2 };
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, stress_thread, &args[i]), 0);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	efs_test_incore_ok(fs);
	ck_assert_int_eq(lockdep_nr_reports(), 0);
	ck_assert_int_eq(extentfs_unmount(fs), 0);
	ck_assert_int_eq(extentfs_check(b, NULL), 0);
	backend_destroy(b);
}
END_TEST

static Suite *extentfs_suite(void)
{
	Suite *s = suite_create("extentfs");
	TCase *tc;

	tc = tcase_create("format");
	tcase_add_test(tc, efs_1_1_crc32c);
	tcase_add_test(tc, efs_1_2_sb_codec);
	tcase_add_loop_test(tc, efs_1_3_mkfs_opts, 0, ARRAY_SIZE(mkfs_opts_table));
	suite_add_tcase(s, tc);

	tc = tcase_create("mount");
	tcase_add_loop_test(tc, efs_2_1_round_trip, 0, ARRAY_SIZE(geometry_table));
	tcase_add_test(tc, efs_2_2_first_data_block);
	tcase_add_test(tc, efs_2_3_mkfs_refuses);
	tcase_add_test(tc, efs_2_4_mount_blank);
	tcase_add_test(tc, efs_2_5_generations);
	suite_add_tcase(s, tc);

	tc = tcase_create("structures");
	tcase_add_test(tc, efs_3_1_extent_map);
	tcase_add_test(tc, efs_3_2_refcount);
	tcase_add_test(tc, efs_3_3_extlist);
	suite_add_tcase(s, tc);

	tc = tcase_create("space");
	tcase_add_test(tc, efs_4_1_trace09);
	tcase_add_test(tc, efs_4_2_falloc);
	tcase_add_loop_test(tc, efs_4_3_punch, 0, ARRAY_SIZE(punch_table));
	tcase_add_test(tc, efs_4_4_truncate);
	tcase_add_test(tc, efs_4_5_zero_range);
	tcase_add_test(tc, efs_4_6_dirty_flag);
	tcase_add_test(tc, efs_4_7_map_shapes);
	tcase_add_test(tc, efs_4_8_goal);
	tcase_add_test(tc, efs_4_9_fiemap_flags);
	suite_add_tcase(s, tc);

	tc = tcase_create("reflink");
	tcase_add_test(tc, efs_5_1_remap_refcounts);
	tcase_add_test(tc, efs_5_2_shared_flag);
	tcase_add_test(tc, efs_5_3_punch_one_side);
	tcase_add_test(tc, efs_5_4_remap_replaces);
	tcase_add_test(tc, efs_5_5_remap_checks);
	tcase_add_test(tc, efs_5_6_unshare);
	tcase_add_test(tc, efs_5_7_fibmap);
	suite_add_tcase(s, tc);

	tc = tcase_create("corruption");
	tcase_add_loop_test(tc, efs_6_1_corruption, 0, ARRAY_SIZE(corruption_table));
	tcase_add_test(tc, efs_6_2_torn_newest_slot);
	suite_add_tcase(s, tc);

	tc = tcase_create("crash");
	tcase_add_loop_test(tc, efs_7_1_power_cut_ram, 0, ARRAY_SIZE(crash_table));
	tcase_add_test(tc, efs_7_2_power_cut_file);
	tcase_add_loop_test(tc, efs_7_3_eio, 0, 2);
	suite_add_tcase(s, tc);

	tc = tcase_create("loop");
	tcase_add_unchecked_fixture(tc, loop_setup, loop_teardown);
	tcase_add_test(tc, efs_8_1_loop_round_trip);
	tcase_add_test(tc, efs_8_2_loop_power_cut);
	suite_add_tcase(s, tc);

	tc = tcase_create("misc");
	tcase_add_loop_test(tc, efs_9_1_falloc_args, 0, ARRAY_SIZE(falloc_table));
	tcase_add_test(tc, efs_9_2_open_unlink);
	tcase_add_test(tc, efs_9_3_swapfile);
	tcase_add_test(tc, efs_9_4_llseek);
	tcase_add_test(tc, efs_9_5_enospc);
	tcase_add_test(tc, efs_9_6_mapping_seq);
	tcase_add_test(tc, efs_9_7_lock_order);
	tcase_add_test(tc, efs_9_8_concurrent);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(extentfs_suite());
}
