/**
 * @file test_errseq.c
 * @brief Check suite for core/kernel/errseq.c.
 *
 * Areas (rule numbers refer to errseq.c):
 *   errseq-1.*  one error, several samplers: reported once to each (rules 1, 2)
 *   errseq-2.*  a new error after being seen is news again; an unseen
 *               repeat is not a new error
 *   errseq-3.*  sampling after an error: unseen errors still reach new
 *               openers, seen ones do not (rule 3)
 *   errseq-4.*  bad input and concurrent setters
 */
#include <pthread.h>

#include <iomap/pagecache.h>

#include "../testutil.h"

START_TEST(errseq_1_1_one_error_two_samplers)
{
	errseq_t wb = 0;
	errseq_t a = errseq_sample(&wb), b = errseq_sample(&wb);

	ck_assert_int_eq(errseq_check_and_advance(&wb, &a), 0);
	errseq_set(&wb, -EIO);
	/* each file description hears about it exactly once */
	ck_assert_int_eq(errseq_check_and_advance(&wb, &a), -EIO);
	ck_assert_int_eq(errseq_check_and_advance(&wb, &a), 0);
	ck_assert_int_eq(errseq_check_and_advance(&wb, &b), -EIO);
	ck_assert_int_eq(errseq_check_and_advance(&wb, &b), 0);
	ck_assert_int_eq(errseq_check_and_advance(&wb, &a), 0);
}
END_TEST

START_TEST(errseq_2_1_new_error_after_seen)
{
	errseq_t wb = 0;
	errseq_t a = errseq_sample(&wb), b = errseq_sample(&wb);
	errseq_t before;

	errseq_set(&wb, -EIO);
	ck_assert_int_eq(errseq_check_and_advance(&wb, &a), -EIO);
	/* same errno again, after a has seen it: the counter moves, so both
	 * b (who did not see the first) and a (who did) are told, even when
	 * b marks the new error seen before a looks -- without the counter
	 * a's sample would equal the new value and a would miss it */
	before = wb;
	errseq_set(&wb, -EIO);
	ck_assert_uint_ne(wb, before);
	ck_assert_int_eq(errseq_check_and_advance(&wb, &b), -EIO);
	ck_assert_int_eq(errseq_check_and_advance(&wb, &a), -EIO);
	/* a different error: reported with its own errno */
	errseq_set(&wb, -ENOSPC);
	ck_assert_int_eq(errseq_check_and_advance(&wb, &b), -ENOSPC);
	ck_assert_int_eq(errseq_check_and_advance(&wb, &a), -ENOSPC);
}
END_TEST

START_TEST(errseq_2_2_unseen_repeat_is_one_error)
{
	errseq_t wb = 0;
	errseq_t a = errseq_sample(&wb);
	errseq_t once;

	once = errseq_set(&wb, -EIO);
	ck_assert_uint_eq(errseq_set(&wb, -EIO), once); /* nothing new */
	ck_assert_int_eq(errseq_check_and_advance(&wb, &a), -EIO);
	ck_assert_int_eq(errseq_check_and_advance(&wb, &a), 0);
}
END_TEST

START_TEST(errseq_3_1_sample_after_error)
{
	errseq_t wb = 0;
	errseq_t early, late, later;

	errseq_set(&wb, -EIO);
	/* nobody has seen it: a new opener still gets it */
	early = errseq_sample(&wb);
	ck_assert_uint_eq(early, 0);
	ck_assert_int_eq(errseq_check_and_advance(&wb, &early), -EIO);
	/* now it has been seen: an opener from here on does not */
	late = errseq_sample(&wb);
	ck_assert_int_eq(errseq_check_and_advance(&wb, &late), 0);
	/* until the next error, which an opener before anyone saw it gets
	 * too, and one after that does not */
	errseq_set(&wb, -EROFS);
	later = errseq_sample(&wb);
	ck_assert_int_eq(errseq_check_and_advance(&wb, &late), -EROFS);
	ck_assert_int_eq(errseq_check_and_advance(&wb, &later), -EROFS);
	later = errseq_sample(&wb);
	ck_assert_int_eq(errseq_check_and_advance(&wb, &later), 0);
}
END_TEST

START_TEST(errseq_4_1_bad_input_table)
{
	/* errors errseq_set must ignore: 0, positive, beyond MAX_ERRNO */
	static const int bad[] = { 0, EIO, -4096, -100000 };
	errseq_t wb = 0, a = 0;

	fprintf(stderr, "errseq-4.1: three warnings about bad errors are expected:\n");
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		errseq_set(&wb, bad[i]);
		ck_assert_uint_eq(wb, 0);
	}
	/* the largest valid errno round-trips */
	errseq_set(&wb, -4095);
	ck_assert_int_eq(errseq_check_and_advance(&wb, &a), -4095);
}
END_TEST

static errseq_t shared_wb;

static void *set_many(void *p)
{
	(void)p;
	for (int i = 0; i < 10000; i++)
		errseq_set(&shared_wb, -EIO);
	return NULL;
}

START_TEST(errseq_4_2_concurrent_set_and_check)
{
	pthread_t th;
	errseq_t a = errseq_sample(&shared_wb);
	int reported = 0;

	pthread_create(&th, NULL, set_many, NULL);
	for (int i = 0; i < 10000; i++) {
		int err = errseq_check_and_advance(&shared_wb, &a);

		ck_assert(err == 0 || err == -EIO);
		reported += err != 0;
	}
	pthread_join(th, NULL);
	/* whatever the interleaving, the last error is not lost */
	if (errseq_check_and_advance(&shared_wb, &a) == -EIO)
		reported++;
	ck_assert_int_ge(reported, 1);
	ck_assert_int_eq(errseq_check_and_advance(&shared_wb, &a), 0);
}
END_TEST

static Suite *errseq_suite(void)
{
	Suite *s = suite_create("kernel-errseq");
	TCase *tc = tcase_create("errseq");

	tcase_add_test(tc, errseq_1_1_one_error_two_samplers);
	tcase_add_test(tc, errseq_2_1_new_error_after_seen);
	tcase_add_test(tc, errseq_2_2_unseen_repeat_is_one_error);
	tcase_add_test(tc, errseq_3_1_sample_after_error);
	tcase_add_test(tc, errseq_4_1_bad_input_table);
	tcase_add_test(tc, errseq_4_2_concurrent_set_and_check);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(errseq_suite());
}
