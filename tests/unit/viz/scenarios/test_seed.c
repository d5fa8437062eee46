/*
 * test_seed.c -- the links from built-in scenarios to their seed sections.
 *
 *   vizs-5.1  viz_scenario_seed_url(): the address of a known section,
 *             anchors as Sphinx makes them, errors for bad arguments
 *   vizs-5.2  every scenario names a seed document and a section, and the
 *             section's last heading is a real heading of that document
 *             (checked against the seed documents when ../shared/reference
 *             is next to the source tree; otherwise said and skipped)
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "viz/scenarios/viz-scenario.h"

START_TEST(vizs_5_1_url)
{
	const struct viz_scenario *sc = viz_scenario_find(VIZ_DEFAULT_SCENARIO);
	struct viz_scenario fake = { .name = "x", .seed_doc = "iomap/design.rst",
				     .seed_section = "Locking Hierarchy > ->iomap_begin (and I/O)" };
	char buf[256];

	ck_assert_ptr_nonnull(sc);
	ck_assert_int_gt(viz_scenario_seed_url(sc, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf,
			 "https://docs.kernel.org/filesystems/iomap/operations.html#buffered-writes");
	/* Runs of punctuation become one '-', none leads or trails. */
	ck_assert_int_gt(viz_scenario_seed_url(&fake, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "https://docs.kernel.org/filesystems/iomap/design.html#iomap-begin-and-i-o");
	/* No section: the page itself. */
	fake.seed_section = NULL;
	ck_assert_int_gt(viz_scenario_seed_url(&fake, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "https://docs.kernel.org/filesystems/iomap/design.html");
	/* Errors. */
	ck_assert_int_eq(viz_scenario_seed_url(sc, buf, 20), -ENOSPC);
	ck_assert_int_eq(viz_scenario_seed_url(NULL, buf, sizeof(buf)), -EINVAL);
	fake.seed_doc = "iomap/design.txt";
	ck_assert_int_eq(viz_scenario_seed_url(&fake, buf, sizeof(buf)), -EINVAL);
}
END_TEST

/* Whether @p heading is a heading line of @p path (next line underlined). */
static int has_heading(const char *path, const char *heading)
{
	FILE *f = fopen(path, "r");
	char prev[512] = "", line[512];
	int found = 0;

	if (!f)
		return -1;
	while (!found && fgets(line, sizeof(line), f)) {
		size_t n = strcspn(line, "\n");

		line[n] = '\0';
		if (n >= 3 && strspn(line, "-=~^\"*+#") == n && strcmp(prev, heading) == 0)
			found = 1;
		memcpy(prev, line, sizeof(prev));
	}
	fclose(f);
	return found;
}

START_TEST(vizs_5_2_sections_exist)
{
	char path[1024], buf[256];
	unsigned checked = 0;

	for (size_t i = 0; i < viz_scenario_count(); i++) {
		const struct viz_scenario *sc = viz_scenario_get(i);
		const char *last, *doc;
		int r;

		ck_assert_msg(sc->seed_doc && sc->seed_section, "%s: no seed section", sc->name);
		ck_assert_msg(viz_scenario_seed_url(sc, buf, sizeof(buf)) > 0, "%s", sc->name);
		last = strrchr(sc->seed_section, '>');
		last = last ? last + 2 : sc->seed_section;
		doc = strrchr(sc->seed_doc, '/');
		doc = doc ? doc + 1 : sc->seed_doc;
		snprintf(path, sizeof(path), "%s/../shared/reference/%s", SOURCE_ROOT, doc);
		r = has_heading(path, last);
		if (r < 0)
			continue;
		ck_assert_msg(r == 1, "%s: \"%s\" is not a heading of %s", sc->name, last, path);
		checked++;
	}
	if (!checked)
		printf("vizs-5.2: the seed documents are not next to the source tree "
		       "(../shared/reference): headings not checked\n");
	else
		printf("vizs-5.2: %u scenario headings found in the seed documents\n", checked);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("viz-seed");
	TCase *tc = tcase_create("seed");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, vizs_5_1_url);
	tcase_add_test(tc, vizs_5_2_sections_exist);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
