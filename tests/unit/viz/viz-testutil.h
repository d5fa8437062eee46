/**
 * @file viz-testutil.h
 * @brief Static helpers shared by the visualiser's Check suites
 *        (tests/unit/viz/): make a store from a built-in scenario or from a
 *        list of xfs_io commands, failing the calling test if it cannot.
 *
 * Each helper returns a new store that the test frees with
 * viz_store_free().  They run the reference in-process (viz_scenario_run(),
 * viz_commands_run()), so the usual rule holds: never from two threads at
 * once.  Include after <check.h>.
 */
#ifndef VIZ_TESTUTIL_H
#define VIZ_TESTUTIL_H

#include <check.h>
#include <stddef.h>

#include <iomap/trace.h>

#include "viz/model/viz-model.h"
#include "viz/scenarios/viz-scenario.h"

/**
 * Run built-in scenario @p sc into a new store; the test fails if it does
 * not run or gives no event.  Its xfs_io output is discarded.
 * @param sc the scenario
 * @return the store
 */
static inline struct viz_store *vt_run_scenario(const struct viz_scenario *sc)
{
	struct viz_store *st = viz_store_new(VIZ_SRC_REFERENCE);
	char err[256] = "";
	int ret;

	ck_assert_ptr_nonnull(sc);
	ck_assert_ptr_nonnull(st);
	ret = viz_scenario_run(sc, st, NULL, err, sizeof(err));
	ck_assert_msg(ret == 0, "%s: %d %s", sc->name, ret, err);
	ck_assert_uint_gt(viz_store_count(st), 0);
	return st;
}

/**
 * vt_run_scenario() of the scenario called @p name.
 * @param name a built-in scenario's name (the test fails if there is none)
 * @return the store
 */
static inline struct viz_store *vt_run_named(const char *name)
{
	const struct viz_scenario *sc = viz_scenario_find(name);

	ck_assert_msg(sc != NULL, "no scenario %s", name);
	return vt_run_scenario(sc);
}

/**
 * Run @p cmds on a fresh extentfs into a new store (viz_commands_run());
 * the test fails if they cannot run.
 * @param mkfs mkfs options (NULL: defaults)
 * @param cmds the xfs_io commands
 * @param n    how many
 * @param also gets the same events (may be NULL)
 * @return the store
 */
static inline struct viz_store *vt_run_cmds(const char *mkfs, const char *const *cmds, size_t n,
					    struct trace_sink *also)
{
	struct viz_store *st = viz_store_new(VIZ_SRC_REFERENCE);
	char err[256] = "";
	int ret;

	ck_assert_ptr_nonnull(st);
	ret = viz_commands_run(mkfs, NULL, cmds, n, st, also, NULL, err, sizeof(err));
	ck_assert_msg(ret == 0, "viz_commands_run: %d %s", ret, err);
	return st;
}

#endif /* VIZ_TESTUTIL_H */
