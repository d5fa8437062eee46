#!/bin/sh
# capture-kernel.sh SCENARIO_DIR OUTDIR -- run a scenario on the real kernel
# and write its facts (scenario.xio, xfs_io.out, trace.raw, trace.norm) to
# OUTDIR.  This is how the files in scenarios/ were made:
#
#   a 512 MiB image on /dev/shm, `mkfs.xfs -f -m reflink=1` plus the
#   scenario's "#! mkfs:" options, loop-mounted; the iomap trace events on;
#   `xfs_io -f [#! open: flags] -c CMD ... f` in the mount; `sync`; then only
#   the events of that loop device are kept ("dev MAJ:MIN"), and normalised
#   by normalize.sh.  Timing lines are removed from xfs_io's output.
#
# The events are collected in a private tracefs instance
# (instances/iomap-ref-capture-PID), so the global trace buffer and other
# tracers are left alone; tracefs is mounted on /sys/kernel/tracing if it
# is not there yet.  Everything made (instance, mount, loop device, image)
# is undone on exit, also on failure.
#
# Needs root, loop devices, XFS and the iomap tracepoints; exits 77 (the
# test-suite "skip" status) with the reason when one is missing.  POSIX sh.
set -eu

if [ $# -ne 2 ]; then
	echo "usage: capture-kernel.sh SCENARIO_DIR OUTDIR" >&2
	exit 2
fi
scen=$1
out=$2
here=$(cd "$(dirname "$0")" && pwd)
skip() {
	echo "SKIP: $*"
	exit 77
}

[ "$(id -u)" -eq 0 ] || skip "needs root (loop device, mount, tracefs)"
for tool in xfs_io mkfs.xfs losetup mount umount truncate; do
	command -v "$tool" > /dev/null 2>&1 || skip "$tool is not installed (apt-get install xfsprogs)"
done
[ -r "$scen/scenario.xio" ] || { echo "capture-kernel.sh: no $scen/scenario.xio" >&2; exit 2; }
grep -qw xfs /proc/filesystems || modprobe xfs > /dev/null 2>&1 || true
grep -qw xfs /proc/filesystems || skip "this kernel has no XFS"
[ -e /dev/loop-control ] || modprobe loop > /dev/null 2>&1 || true
[ -e /dev/loop-control ] || skip "no loop devices"

tracing=/sys/kernel/tracing
if [ ! -d "$tracing/events" ]; then
	mount -t tracefs nodev "$tracing" > /dev/null 2>&1 || skip "cannot mount tracefs"
fi
[ -d "$tracing/events/iomap" ] || skip "this kernel has no iomap trace events"

# The scenario: commands as -c arguments, plus its mkfs and open options.
scenario_file=$scen/scenario.xio
# shellcheck source=parse-scenario.sh
. "$here/parse-scenario.sh"

work=
loop=
mounted=
inst=
cleanup() {
	set +e
	cd /
	if [ -n "$inst" ]; then
		echo 0 > "$inst/events/iomap/enable"
		rmdir "$inst"
	fi
	[ -z "$mounted" ] || umount "$work/mnt"
	[ -z "$loop" ] || losetup -d "$loop"
	[ -z "$work" ] || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

work=$(mktemp -d /dev/shm/iomap-ref-capture.XXXXXX)
truncate -s 512M "$work/img"
# The mkfs options are separate words on purpose.
# shellcheck disable=SC2086
mkfs.xfs -q -f -m reflink=1 $mkfs_opts "$work/img"
loop=$(losetup -f --show "$work/img")
mkdir "$work/mnt"
mount "$loop" "$work/mnt"
mounted=1
majmin=$(printf '%d:%d' "0x$(stat -c %t "$loop")" "0x$(stat -c %T "$loop")")

inst=$tracing/instances/iomap-ref-capture-$$
mkdir "$inst"
echo 4096 > "$inst/buffer_size_kb"
echo 1 > "$inst/events/iomap/enable"
: > "$inst/trace"

# shellcheck disable=SC2086
(cd "$work/mnt" && xfs_io -f $open_flags "$@" f) > "$work/xfs_io.full" 2>&1 || true
sync
echo 0 > "$inst/events/iomap/enable"
cat "$inst/trace" > "$work/trace.all"

mkdir -p "$out"
cp "$scen/scenario.xio" "$out/scenario.xio"
# Timing lines ("64 KiB, 1 ops; 0.0000 sec (...)", and the -C form) vary
# from run to run; they are not part of the facts.
awk '!/ ops; .* ops\/sec\)$/ && !/^[0-9]+,[0-9]+,[0-9:.]+,[0-9.]+,[0-9.]+$/' \
	"$work/xfs_io.full" > "$out/xfs_io.out"
awk -v dev=": dev $majmin " '!/^#/ && index($0, dev) > 0' "$work/trace.all" > "$out/trace.raw"
"$here/normalize.sh" "$out/trace.raw" > "$out/trace.norm"
echo "captured $(basename "$scen") on $(uname -r) (loop $loop = dev $majmin): $(wc -l < "$out/trace.norm" | tr -d ' ') events"
