/**
 * @file pending.c
 * @brief `pwrite` and `pread`: known, and not available yet.
 *
 * Writing and reading data needs the buffered I/O path (issue 4) and the
 * direct I/O path (issue 3) of the reference.  Until they land, these two
 * commands keep their xfs_io names, synopses and help texts, and say
 * plainly that they did nothing, instead of pretending to write or failing
 * as an unknown command.  The exit code is set, so that a script that
 * depended on the data notices.
 */
#include "iocmd-internal.h"

int iocmd_pending_f(struct iocmd *ic, int argc, char **argv)
{
	fprintf(ic->err,
		"%s: not available yet: buffered and direct I/O arrive with issues 3 and 4; "
		"nothing was changed\n",
		ic->cmd->name);
	iocmd_note(ic, -EOPNOTSUPP);
	ic->exitcode = 1;
	return 0;
}
