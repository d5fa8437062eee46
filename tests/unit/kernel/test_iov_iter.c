/**
 * @file test_iov_iter.c
 * @brief Check suite for core/kernel/iov_iter.c.
 *
 * Areas (invariant numbers refer to iov_iter.c):
 *   iov-1.*  copies across segments, both directions, data checked byte
 *            by byte
 *   iov-2.*  the simulated fault: fault_at at 0, inside a segment, on a
 *            segment boundary, at the end, past the end, reached across
 *            several copies (invariant 3)
 *   iov-3.*  advance, revert (across segments, back to the start) and
 *            truncate, with invariants 1 and 2
 */
#include <string.h>

#include <iomap/fs.h>

#include "../testutil.h"

/* Segments of 10, 0, 20 and 5 bytes: 35 in all, with an empty one. */
static unsigned char seg0[10], seg2[20], seg3[5];
static struct kvec vecs[4];
static unsigned char src[64];

static void setup_vecs(void)
{
	memset(seg0, 0xee, sizeof(seg0));
	memset(seg2, 0xee, sizeof(seg2));
	memset(seg3, 0xee, sizeof(seg3));
	vecs[0] = (struct kvec){ seg0, sizeof(seg0) };
	vecs[1] = (struct kvec){ NULL, 0 };
	vecs[2] = (struct kvec){ seg2, sizeof(seg2) };
	vecs[3] = (struct kvec){ seg3, sizeof(seg3) };
	for (size_t i = 0; i < sizeof(src); i++)
		src[i] = (unsigned char)(i + 1);
}

/* Byte @pos of the logical buffer the kvecs describe. */
static unsigned char *logical(size_t pos)
{
	if (pos < 10)
		return &seg0[pos];
	if (pos < 30)
		return &seg2[pos - 10];
	return &seg3[pos - 30];
}

/* Invariants (1) and (2) after any operation. */
static void check_position(const struct iov_iter *i, size_t total)
{
	ck_assert_uint_eq(i->consumed + i->count, total);
	if (i->count > 0) {
		ck_assert_uint_lt(i->iov_offset, i->kvec->iov_len);
		ck_assert_ptr_eq((unsigned char *)i->kvec->iov_base + i->iov_offset,
				 logical(i->consumed));
	}
}

START_TEST(iov_1_1_copy_across_segments)
{
	struct iov_iter it;
	unsigned char back[35];

	setup_vecs();
	iov_iter_kvec(&it, ITER_DEST, vecs, 4, 35);
	ck_assert_uint_eq(copy_to_iter(src, 7, &it), 7);
	check_position(&it, 35);
	ck_assert_uint_eq(copy_to_iter(src + 7, 100, &it), 28); /* bounded by count */
	check_position(&it, 35);
	ck_assert_uint_eq(iov_iter_count(&it), 0);
	for (size_t p = 0; p < 35; p++)
		ck_assert_uint_eq(*logical(p), src[p]);
	/* the wrong direction copies nothing */
	iov_iter_kvec(&it, ITER_DEST, vecs, 4, 35);
	ck_assert_uint_eq(copy_from_iter(back, 35, &it), 0);
	/* and back out again */
	iov_iter_kvec(&it, ITER_SOURCE, vecs, 4, 35);
	ck_assert_uint_eq(copy_to_iter(src, 5, &it), 0);
	memset(back, 0, sizeof(back));
	ck_assert_uint_eq(copy_from_iter(back, 35, &it), 35);
	ck_assert_mem_eq(back, src, 35);
	ck_assert_uint_eq(it.consumed, 35);
}
END_TEST

static const struct {
	size_t fault_at, first, want_first, second, want_second;
} fault_tab[] = {
	/* fault_at, first copy, copied, second copy, copied */
	{ 0, 35, 0, 35, 0 },          /* faults at once */
	{ 5, 35, 5, 35, 0 },          /* inside segment 0 */
	{ 10, 35, 10, 35, 0 },        /* on the 0|2 boundary (past the empty one) */
	{ 12, 35, 12, 35, 0 },        /* just across the boundary */
	{ 12, 8, 8, 35, 4 },          /* reached by the second copy, across segments */
	{ 30, 10, 10, 35, 20 },       /* boundary 2|3, second copy spans segment 2 */
	{ 34, 35, 34, 1, 0 },         /* the last byte */
	{ 35, 35, 35, 1, 0 },         /* exactly the end: no short copy */
	{ 100, 20, 20, 35, 15 },      /* beyond the end */
	{ SIZE_MAX, 35, 35, 0, 0 },   /* never */
};

START_TEST(iov_2_1_fault_at_table)
{
	size_t fa = fault_tab[_i].fault_at;

	for (int dir = 0; dir < 2; dir++) {
		unsigned char back[64];
		struct iov_iter it;
		size_t got1, got2;

		setup_vecs();
		if (dir == 0) {
			iov_iter_kvec(&it, ITER_DEST, vecs, 4, 35);
			it.fault_at = fa;
			got1 = copy_to_iter(src, fault_tab[_i].first, &it);
			got2 = copy_to_iter(src + got1, fault_tab[_i].second, &it);
		} else {
			for (size_t p = 0; p < 35; p++)
				*logical(p) = src[p];
			iov_iter_kvec(&it, ITER_SOURCE, vecs, 4, 35);
			it.fault_at = fa;
			memset(back, 0, sizeof(back));
			got1 = copy_from_iter(back, fault_tab[_i].first, &it);
			got2 = copy_from_iter(back + got1, fault_tab[_i].second, &it);
		}
		ck_assert_msg(got1 == fault_tab[_i].want_first && got2 == fault_tab[_i].want_second,
			      "fault_at %zu dir %d: copied %zu+%zu, want %zu+%zu", fa, dir, got1,
			      got2, fault_tab[_i].want_first, fault_tab[_i].want_second);
		ck_assert_uint_eq(it.consumed, got1 + got2);
		check_position(&it, 35);
		/* bytes below the fault moved, bytes at or above it did not */
		for (size_t p = 0; p < 35; p++) {
			bool moved = p < got1 + got2;

			if (dir == 0)
				ck_assert_uint_eq(*logical(p), moved ? src[p] : 0xee);
			else
				ck_assert_uint_eq(back[p], moved ? src[p] : 0);
		}
	}
}
END_TEST

START_TEST(iov_3_1_advance_revert_truncate)
{
	struct iov_iter it;
	/* advance to each position, check, revert to each earlier one */
	static const size_t stops[] = { 0, 1, 9, 10, 11, 29, 30, 34, 35 };

	setup_vecs();
	for (size_t a = 0; a < ARRAY_SIZE(stops); a++) {
		for (size_t b = 0; b <= a; b++) {
			iov_iter_kvec(&it, ITER_DEST, vecs, 4, 35);
			iov_iter_advance(&it, stops[a]);
			ck_assert_uint_eq(it.consumed, stops[a]);
			check_position(&it, 35);
			iov_iter_revert(&it, stops[a] - stops[b]);
			ck_assert_uint_eq(it.consumed, stops[b]);
			check_position(&it, 35);
			/* a copy from here lands at the right byte */
			if (it.count) {
				unsigned char v = 0x42;

				ck_assert_uint_eq(copy_to_iter(&v, 1, &it), 1);
				ck_assert_uint_eq(*logical(stops[b]), 0x42);
				*logical(stops[b]) = 0xee;
			}
		}
	}
	/* advance and revert are clamped */
	iov_iter_kvec(&it, ITER_DEST, vecs, 4, 35);
	iov_iter_advance(&it, 1000);
	ck_assert_uint_eq(it.count, 0);
	iov_iter_revert(&it, 1000);
	ck_assert_uint_eq(it.consumed, 0);
	check_position(&it, 35);
	/* truncate only shrinks; copies stop at the new count */
	iov_iter_truncate(&it, 12);
	ck_assert_uint_eq(iov_iter_count(&it), 12);
	iov_iter_truncate(&it, 20);
	ck_assert_uint_eq(iov_iter_count(&it), 12);
	ck_assert_uint_eq(copy_to_iter(src, 35, &it), 12);
	ck_assert_uint_eq(*logical(11), src[11]);
	ck_assert_uint_eq(*logical(12), 0xee);
	/* revert after truncation goes back over what was copied */
	iov_iter_revert(&it, 12);
	ck_assert_uint_eq(it.consumed, 0);
	ck_assert_uint_eq(iov_iter_count(&it), 12);
	/* reverting through a fault: the fault position is absolute */
	it.fault_at = 4;
	ck_assert_uint_eq(copy_to_iter(src, 12, &it), 4);
	iov_iter_revert(&it, 2);
	ck_assert_uint_eq(copy_to_iter(src, 12, &it), 2);
}
END_TEST

static Suite *iov_suite(void)
{
	Suite *s = suite_create("kernel-iov-iter");
	TCase *tc = tcase_create("iov_iter");

	tcase_add_test(tc, iov_1_1_copy_across_segments);
	tcase_add_loop_test(tc, iov_2_1_fault_at_table, 0, (int)ARRAY_SIZE(fault_tab));
	tcase_add_test(tc, iov_3_1_advance_revert_truncate);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(iov_suite());
}
