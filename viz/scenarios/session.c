/**
 * @file session.c
 * @brief Live sessions: the command entry of the window, one mounted
 *        extentfs that stays up while a student types xfs_io commands.
 *
 * Using it:
 *
 *     struct viz_session *s = viz_session_new(store, "", err, sizeof(err));
 *     char *text;
 *     viz_session_run(s, "pwrite 0 4k", &text);   // events appended to store
 *     ...show text, re-seek the model to viz_store_count(store)...
 *     free(text);
 *     viz_session_free(s);                        // unmount
 *
 * The filesystem, the file table and the id renumbering (run.c) live as
 * long as the session, so the events of successive commands read as one
 * run: sequence numbers continue, an ioend started by one command and
 * finished by a later one keeps its id.  The event clock is reset when the
 * session is created; the feed is attached only while a command runs, so
 * nothing else that happens in the process between commands lands in the
 * store.  Closing and unmounting (viz_session_free) emit nothing into it.
 *
 * Each line runs as typed at the xfs_io prompt (iocmd_run: the current
 * file), framed by op_begin / op_end.  What xfs_io would print on stdout
 * and stderr goes to one memory stream (open_memstream), in the order it
 * is printed; viz_session_run hands back the part the command wrote.
 *
 * Never: use a session from two threads, or run a scenario while a
 * session command runs (the event stream and its clock are process-wide).
 * Between commands, scenarios may run: the next command continues the
 * session's own numbering of ids, but its sequence numbers follow the
 * stream's clock, which the scenario reset.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <iomap/lock.h>

#include "viz/scenarios/scenario-internal.h"
#include "viz/scenarios/viz-scenario.h"

/** A live session (opaque to callers). */
struct viz_session {
	struct viz_run run;      /* mounted fs, iocmd, output stream */
	struct viz_feed *feed;   /* into the caller's store */
};

struct viz_session *viz_session_new(struct viz_store *st, const char *mkfs, char *err,
				    size_t errlen)
{
	struct viz_session *s;
	char saved_task[VIZ_TASK_NAME_LEN], scratch[8];
	int ret;

	err = viz_err_buf(err, &errlen, scratch, sizeof(scratch));
	if (!st) {
		snprintf(err, errlen, "no store");
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (s)
		s->feed = viz_feed_new(st);
	if (!s || !s->feed) {
		free(s);
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return NULL;
	}
	viz_task_enter(saved_task);
	kernel_set_exec_mode(EXEC_DETERMINISTIC);
	/* As viz_run_framed(): no lock order of an earlier run is remembered. */
	lockdep_reset();
	ret = viz_run_setup(&s->run, mkfs, "", false, err, errlen);
	viz_task_leave(saved_task);
	if (ret < 0) {
		viz_feed_free(s->feed);
		free(s);
		return NULL;
	}
	trace_reset_clock();
	return s;
}

int viz_session_run(struct viz_session *s, const char *line, char **out)
{
	char saved_task[VIZ_TASK_NAME_LEN];
	int ret;

	if (out)
		*out = NULL;
	if (!s || !line)
		return -EINVAL;
	viz_task_enter(saved_task);
	viz_feed_attach(s->feed);
	ret = viz_run_line(&s->run, line);
	viz_feed_detach(s->feed);
	viz_task_leave(saved_task);
	if (s->feed->failed && ret == 0)
		ret = -ENOMEM;
	if (out) {
		*out = viz_run_take_output(&s->run);
		if (!*out && ret == 0)
			ret = -ENOMEM;
	} else {
		free(viz_run_take_output(&s->run));
	}
	return ret;
}

void viz_session_free(struct viz_session *s)
{
	char saved_task[VIZ_TASK_NAME_LEN];

	if (!s)
		return;
	viz_task_enter(saved_task);
	viz_run_teardown(&s->run);
	viz_task_leave(saved_task);
	viz_feed_free(s->feed);
	free(s);
}
