/*
 * test_locking.c — the seed's locking rules, checked from the event stream.
 *
 * For each operation, the events between op_begin and op_end are replayed to
 * know which locks the thread held when the filesystem's ->iomap_begin was
 * called (`fs_iomap_begin`), and that is compared with what operations.rst
 * says callers hold:
 *
 *   lock-1.1  FIEMAP:        i_rwsem shared                 ("FS_IOC_FIEMAP")
 *   lock-1.2  SEEK_DATA/HOLE: i_rwsem shared                ("Seeking Files")
 *   lock-1.3  swapon:        i_rwsem exclusive              ("Swap File Activation")
 *   lock-1.4  zeroing:       i_rwsem and invalidate_lock exclusive ("Zeroing")
 *   lock-1.5  everywhere: the filesystem mapping lock (ilock) is never held
 *             across iomap calls — it is free when ->iomap_begin is entered
 *             (design.rst, "Locking Hierarchy": lower level taken inside)
 *   lock-1.6  the IOMAP_REPORT / IOMAP_ZERO flags reach ->iomap_begin
 *   lock-1.7  the whole run leaves no lock-order report
 *   lock-1.8  direct read:  i_rwsem shared                 ("Direct Reads")
 *   lock-1.9  direct write: i_rwsem shared when block aligned, exclusive
 *             when not (xfs_file_dio_write_unaligned)    ("Direct Writes")
 */
#include <fcntl.h>
#include <linux/falloc.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <iomap/lock.h>
#include <iomap/trace.h>

#include "../testutil.h"
#include "samples/extentfs/extentfs.h"
#include "efs-test.h"

struct held {
	char cls[32];
	char mode[16];
	uint64_t instance;
};

/* What one ->iomap_begin call saw. */
struct begin_seen {
	unsigned flags;
	struct held held[8];
	int nheld;
};

static const char *fstr(const struct trace_event *ev, const char *k)
{
	const struct trace_field *f = trace_field_get(ev, k);

	return f && f->kind == TF_STR ? f->v.str : "";
}

static uint64_t fu(const struct trace_event *ev, const char *k)
{
	const struct trace_field *f = trace_field_get(ev, k);

	return f ? f->v.u : 0;
}

/*
 * Replay the events of the operation named @op (between its op_begin and
 * op_end) and collect the locks held at each fs_iomap_begin.
 */
static int collect(struct trace_sink *m, const char *op, struct begin_seen *out, int max)
{
	struct held held[16];
	int nheld = 0, n = 0;
	bool inside = false;

	for (size_t i = 0; i < trace_memsink_count(m); i++) {
		const struct trace_event *ev = trace_memsink_get(m, i);

		if (!strcmp(ev->name, "op_begin") && !strcmp(fstr(ev, "op"), op)) {
			inside = true;
			nheld = 0;
			continue;
		}
		if (!inside)
			continue;
		if (!strcmp(ev->name, "op_end"))
			break;
		if (!strcmp(ev->name, "lock_acquired") && nheld < 16) {
			snprintf(held[nheld].cls, sizeof(held[nheld].cls), "%s", fstr(ev, "class"));
			snprintf(held[nheld].mode, sizeof(held[nheld].mode), "%s", fstr(ev, "mode"));
			held[nheld++].instance = fu(ev, "instance");
		} else if (!strcmp(ev->name, "lock_release")) {
			for (int k = nheld - 1; k >= 0; k--) {
				if (held[k].instance == fu(ev, "instance")) {
					held[k] = held[--nheld];
					break;
				}
			}
		} else if (!strcmp(ev->name, "fs_iomap_begin") && n < max) {
			out[n].flags = (unsigned)fu(ev, "flags");
			memcpy(out[n].held, held, sizeof(out[n].held));
			out[n].nheld = nheld < 8 ? nheld : 8;
			n++;
		}
	}
	return n;
}

static const char *mode_of(const struct begin_seen *b, const char *cls)
{
	for (int i = 0; i < b->nheld; i++)
		if (!strcmp(b->held[i].cls, cls))
			return b->held[i].mode;
	return NULL;
}

static struct backend *B;
static struct extentfs *FS;
static struct file *F;
static struct trace_sink *M;

static void setup(void)
{
	B = backend_ram_new(64 * MiB, 512);
	ck_assert_ptr_nonnull(B);
	ck_assert_int_eq(extentfs_mkfs(B, NULL), 0);
	ck_assert_int_eq(extentfs_mount(B, MKDEV(7, 0), &FS), 0);
	ck_assert_int_eq(extentfs_open(FS, "f", O_CREAT | O_RDWR, &F), 0);
	lockdep_reset();
	M = trace_memsink_new();
	trace_add_sink(M);
}

static void teardown(void)
{
	trace_remove_sink(M);
	trace_sink_free(M);
	extentfs_close(F);
	extentfs_unmount(FS);
	backend_destroy(B);
}

/* Run @call as the operation @op. */
#define AS_OP(op, call)                   \
	do {                              \
		trace_op(true, (op), 0);  \
		int64_t r_ = (call);      \
		trace_op(false, (op), r_); \
	} while (0)

static void assert_rule(struct begin_seen *b, int n, unsigned flags, const char *rwsem_mode,
			const char *inval_mode)
{
	ck_assert_int_gt(n, 0);
	for (int i = 0; i < n; i++) {
		const char *inval = mode_of(&b[i], "invalidate_lock");

		ck_assert_uint_eq(b[i].flags, flags);                            /* lock-1.6 */
		ck_assert_ptr_nonnull(mode_of(&b[i], "i_rwsem"));
		ck_assert_str_eq(mode_of(&b[i], "i_rwsem"), rwsem_mode);
		if (inval_mode) {
			ck_assert_ptr_nonnull(inval);
			ck_assert_str_eq(inval, inval_mode);
		}
		ck_assert_ptr_null(mode_of(&b[i], "ilock"));                     /* lock-1.5 */
	}
}

START_TEST(lock_1_1_fiemap_shared)
{
	struct fiemap_extent fe[8];
	struct fiemap_extent_info fi = { .fi_extents_max = 8, .fi_extents_start = fe };
	struct begin_seen b[16];

	ck_assert_int_eq(extentfs_fallocate(F, 0, 0, 1 * MiB), 0);
	ck_assert_int_eq(extentfs_fallocate(F, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
					    256 * KiB, 128 * KiB), 0);
	AS_OP("fiemap", extentfs_fiemap(F, &fi, 0, UINT64_MAX));
	ck_assert_uint_eq(fi.fi_extents_mapped, 2);
	assert_rule(b, collect(M, "fiemap", b, 16), IOMAP_REPORT, "shared", NULL);
}
END_TEST

START_TEST(lock_1_2_seek_shared)
{
	struct begin_seen b[16];

	ck_assert_int_eq(extentfs_fallocate(F, 0, 64 * KiB, 64 * KiB), 0);
	AS_OP("seek_data", extentfs_llseek(F, 0, SEEK_DATA));
	assert_rule(b, collect(M, "seek_data", b, 16), IOMAP_REPORT, "shared", NULL);
	AS_OP("seek_hole", extentfs_llseek(F, 0, SEEK_HOLE));
	assert_rule(b, collect(M, "seek_hole", b, 16), IOMAP_REPORT, "shared", NULL);
}
END_TEST

START_TEST(lock_1_3_swapon_exclusive)
{
	struct swap_info_struct sis = { 0 };
	struct begin_seen b[16];
	sector_t span = 0;

	ck_assert_int_eq(extentfs_fallocate(F, 0, 0, 256 * KiB), 0);
	AS_OP("swapon", extentfs_swapon(F, &sis, &span));
	ck_assert_int_ge((int)sis.nr_extents, 1);
	assert_rule(b, collect(M, "swapon", b, 16), IOMAP_REPORT, "exclusive", NULL);
	swap_info_release(&sis);
	ck_assert_int_eq(extentfs_swapoff(F), 0);
}
END_TEST

START_TEST(lock_1_4_zero_exclusive)
{
	struct begin_seen b[16];

	ck_assert_int_eq(extentfs_fallocate(F, FALLOC_FL_KEEP_SIZE, 0, 1 * MiB), 0);
	/* growing the size zeroes from the old EOF: iomap_zero_range */
	AS_OP("truncate", extentfs_setattr_size(F, 2 * MiB));
	assert_rule(b, collect(M, "truncate", b, 16), IOMAP_ZERO, "exclusive", "exclusive");
}
END_TEST

START_TEST(lock_1_7_no_reports)
{
	struct fiemap_extent_info fi = { 0 };

	ck_assert_int_eq(extentfs_fallocate(F, 0, 0, 1 * MiB), 0);
	ck_assert_int_eq(extentfs_fiemap(F, &fi, 0, UINT64_MAX), 0);
	/* unwritten space with nothing cached reads as a hole */
	ck_assert_int_eq((int)extentfs_llseek(F, 0, SEEK_HOLE), 0);
	ck_assert_int_eq(extentfs_setattr_size(F, 3 * MiB), 0);
	ck_assert_int_eq(extentfs_fsync(F, 0), 0);
	ck_assert_int_eq(lockdep_nr_reports(), 0);
}
END_TEST

/* One direct read or write at @off through the file's entry points. */
static ssize_t dio(bool write, void *buf, size_t len, loff_t off)
{
	return efs_test_rw(F, write, buf, len, off, IOCB_DIRECT, 0, SIZE_MAX);
}

START_TEST(lock_1_8_dio_read_shared)
{
	struct begin_seen b[16];
	void *buf = aligned_alloc(4096, 64 * KiB);

	memset(buf, 0x42, 64 * KiB);
	ck_assert_int_eq(dio(true, buf, 64 * KiB, 0), 64 * KiB);
	AS_OP("dio_read", dio(false, buf, 64 * KiB, 0));
	assert_rule(b, collect(M, "dio_read", b, 16), IOMAP_DIRECT, "shared", NULL);
	free(buf);
}
END_TEST

START_TEST(lock_1_9_dio_write_modes)
{
	struct begin_seen b[16];
	void *buf = aligned_alloc(4096, 64 * KiB);

	memset(buf, 0x42, 64 * KiB);
	ck_assert_int_eq(dio(true, buf, 64 * KiB, 0), 64 * KiB);
	/* aligned, inside EOF: shared */
	AS_OP("dio_write_aligned", dio(true, buf, 16 * KiB, 16 * KiB));
	assert_rule(b, collect(M, "dio_write_aligned", b, 16), IOMAP_DIRECT | IOMAP_WRITE,
		    "shared", NULL);
	/*
	 * A sector in the middle of a written block inside EOF: XFS first
	 * tries a pure overwrite under the shared lock (kernel trace
	 * 20-dio-unaligned: dio_flags DIO_OVERWRITE_ONLY, iter flags 0x51).
	 */
	AS_OP("dio_write_unaligned", dio(true, buf, 512, 4096 + 1024));
	assert_rule(b, collect(M, "dio_write_unaligned", b, 16),
		    IOMAP_DIRECT | IOMAP_WRITE | IOMAP_OVERWRITE_ONLY, "shared", NULL);
	/* An unaligned write that extends the file: exclusive at once. */
	AS_OP("dio_write_unaligned_extend", dio(true, buf, 512, 64 * KiB));
	assert_rule(b, collect(M, "dio_write_unaligned_extend", b, 16),
		    IOMAP_DIRECT | IOMAP_WRITE, "exclusive", NULL);
	ck_assert_int_eq(lockdep_nr_reports(), 0);
	free(buf);
}
END_TEST

static Suite *locking_suite(void)
{
	Suite *s = suite_create("extentfs-locking");
	TCase *tc = tcase_create("hierarchy");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, lock_1_1_fiemap_shared);
	tcase_add_test(tc, lock_1_2_seek_shared);
	tcase_add_test(tc, lock_1_3_swapon_exclusive);
	tcase_add_test(tc, lock_1_4_zero_exclusive);
	tcase_add_test(tc, lock_1_7_no_reports);
	tcase_add_test(tc, lock_1_8_dio_read_shared);
	tcase_add_test(tc, lock_1_9_dio_write_modes);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(locking_suite());
}
