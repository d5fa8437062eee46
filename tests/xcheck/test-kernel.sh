#!/bin/sh
# test-kernel.sh SCENARIO_DIR -- check that the committed facts of a
# scenario still hold on this machine's kernel: regenerate them with
# capture-kernel.sh and compare with the files in SCENARIO_DIR.
#
# xfs_io.out is compared with compare-output.sh (physical block ranges may
# differ between kernels), trace.norm after normalize.sh -m on both sides
# (physical addresses masked).  Also says whether the regenerated files are
# byte-identical, which they are on the 6.18 kernel the scenarios came
# from.  Exits 77 (skip) when capture-kernel.sh cannot run here (not root,
# no loop devices, no XFS, no iomap tracepoints).  POSIX sh.
set -eu

if [ $# -ne 1 ]; then
	echo "usage: test-kernel.sh SCENARIO_DIR" >&2
	exit 2
fi
dir=$1
here=$(cd "$(dirname "$0")" && pwd)
name=$(basename "$dir")
work=$(mktemp -d "${TMPDIR:-/tmp}/kernel-$name.XXXXXX")
trap 'rm -rf "$work"' EXIT

set +e
"$here/capture-kernel.sh" "$dir" "$work/new"
rc=$?
set -e
[ $rc -ne 77 ] || exit 77
if [ $rc -ne 0 ]; then
	echo "$name: capture-kernel.sh failed with status $rc"
	exit 1
fi

status=0
if ! "$here/compare-output.sh" "$dir/xfs_io.out" "$work/new/xfs_io.out"; then
	echo "$name: this kernel's xfs_io output differs from the committed one"
	status=1
fi
"$here/normalize.sh" -m "$dir/trace.norm" > "$work/expected"
"$here/normalize.sh" -m "$work/new/trace.norm" > "$work/actual"
if ! cmp -s "$work/expected" "$work/actual"; then
	echo "$name: this kernel's iomap trace differs from the committed one (addresses masked):"
	diff "$work/expected" "$work/actual" | head -20
	status=1
fi
if [ $status -eq 0 ]; then
	if cmp -s "$dir/xfs_io.out" "$work/new/xfs_io.out" &&
	   cmp -s "$dir/trace.norm" "$work/new/trace.norm"; then
		echo "$name: reproduced byte for byte on $(uname -r)"
	else
		echo "$name: reproduced on $(uname -r) (physical addresses differ)"
	fi
fi
exit $status
