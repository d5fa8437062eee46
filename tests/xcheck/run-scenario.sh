#!/bin/sh
# run-scenario.sh SCENARIO_DIR IOMAP_IO -- replay a kernel scenario on
# iomap-io and compare with what the kernel did.
#
# SCENARIO_DIR holds the facts captured on Linux (capture-kernel.sh):
#   scenario.xio  the xfs_io commands, one per line; "# ..." is a comment,
#                 "#! open: FLAGS" adds xfs_io open flags (e.g. -d),
#                 "#! mkfs: OPTIONS" adds mkfs.xfs options (e.g. -b size=1024)
#   xfs_io.out    what xfs_io printed (stdout and stderr, timing lines removed)
#   trace.norm    the iomap events of the loop device, normalised
#
# The kernel ran, on a fresh 512 MiB XFS:
#     xfs_io -f [open flags] -c CMD1 -c CMD2 ... f ; sync
# and this script runs, on a fresh 512 MiB in-memory extentfs:
#     iomap-io [--mkfs OPTIONS] --ftrace T -f [open flags] -c CMD1 ... -c sync f
# The separate `sync` program becomes xfs_io's own `sync` command, which
# makes the same sync(2) call as the last thing before exit; the only
# difference is that the file is still open, which changes nothing about
# what is written back or committed.
#
# Output is compared with compare-output.sh (ignores timing lines, physical
# block ranges and column spacing), the trace with normalize.sh -m on both
# sides (physical addresses masked).  On a difference the first one is
# printed with both line numbers; the exit status is 1.  The work files are
# kept (and named) on failure, or always with KEEP=1.  POSIX sh.
set -eu

if [ $# -ne 2 ]; then
	echo "usage: run-scenario.sh SCENARIO_DIR IOMAP_IO" >&2
	exit 2
fi
dir=$1
iomap_io=$2
here=$(cd "$(dirname "$0")" && pwd)
name=$(basename "$dir")
for f in scenario.xio xfs_io.out trace.norm; do
	[ -r "$dir/$f" ] || { echo "$name: missing $dir/$f" >&2; exit 2; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/xcheck-$name.XXXXXX")
keep=${KEEP:-}
cleanup() {
	if [ -z "$keep" ]; then rm -rf "$work"; else echo "$name: work files in $work"; fi
}
trap cleanup EXIT

# Parse scenario.xio into the positional parameters (-c CMD ...).
scenario_file=$dir/scenario.xio
# shellcheck source=parse-scenario.sh
. "$here/parse-scenario.sh"

# The open flags are separate words on purpose (e.g. "-d -s").
# shellcheck disable=SC2086
set +e
if [ -n "$mkfs_opts" ]; then
	"$iomap_io" --mkfs "$mkfs_opts" --ftrace "$work/trace.raw" -f $open_flags "$@" \
		-c sync f > "$work/xfs_io.out" 2>&1
else
	"$iomap_io" --ftrace "$work/trace.raw" -f $open_flags "$@" \
		-c sync f > "$work/xfs_io.out" 2>&1
fi
rc=$?
set -e

status=0
if [ $rc -gt 1 ]; then
	echo "$name: iomap-io exited with status $rc"
	sed 's/^/    /' "$work/xfs_io.out" | tail -20
	status=1
fi

if ! "$here/compare-output.sh" "$dir/xfs_io.out" "$work/xfs_io.out" > "$work/output.diff"; then
	echo "$name: xfs_io output differs from the kernel's"
	sed 's/^/    /' "$work/output.diff"
	status=1
fi

"$here/normalize.sh" -m "$dir/trace.norm" > "$work/expected.norm"
"$here/normalize.sh" -m "$work/trace.raw" > "$work/actual.norm"
if ! awk -v A="$work/expected.norm" -v B="$work/actual.norm" '
BEGIN {
	for (n = 1; ; n++) {
		ga = (getline a < A) > 0
		gb = (getline b < B) > 0
		if (!ga && !gb)
			exit 0
		if (ga && gb && a == b)
			continue
		printf "  first difference at event %d (line %d of both files):\n", n, n
		printf "    kernel:   %s\n", ga ? a : "<no more events>"
		printf "    iomap-io: %s\n", gb ? b : "<no more events>"
		exit 1
	}
}' > "$work/trace.diff"; then
	echo "$name: iomap trace differs from the kernel's (addresses masked)"
	cat "$work/trace.diff"
	status=1
fi

if [ $status -eq 0 ]; then
	echo "$name: PASS (output and $(wc -l < "$work/expected.norm" | tr -d ' ') events match)"
else
	keep=1
fi
exit $status
