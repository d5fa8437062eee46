#!/bin/sh
# normalize.sh [-m] [FILE...] -- turn tracefs text into the comparable form
# of the kernel scenarios' trace.norm (stdout; stdin when no FILE).
#
# From each event line it removes what differs between two runs or two
# machines and says nothing about iomap's logic:
#   - the tracefs prefix up to the event name ("  xfs_io-13915   [001]
#     .....  1219.851183: "): task, pid, cpu, flags, timestamp;
#   - "dev M:m " and "bdev M:m " (device numbers), "ino 0x.. " (inode number),
#     "ops 0x... " (a kernel address), and the "+0x1cc/0x280" offset after
#     the caller's name.
# Comment lines of a raw tracefs file ("# tracer: nop") are dropped.
#
# -m also masks physical addresses, which depend on the allocator:
# "addr 0x18000" becomes "addr ADDR"; the null address of holes and
# delayed allocations, "addr 0xffffffffffffffff", is kept, since it is
# meaningful.
#
# The output of this script is a fixed point: normalising trace.norm again
# changes nothing, so expected and actual traces can go through the same
# command.  POSIX sh and sed only.
set -eu

mask=
if [ "${1:-}" = "-m" ]; then
	mask=1
	shift
fi

strip() {
	sed -e '/^#/d' \
	    -e 's/^.*\[[0-9][0-9]*\] [^ ]*  *[0-9][0-9]*\.[0-9][0-9]*: //' \
	    -e 's/\([: ]\)dev [0-9][0-9]*:[0-9][0-9]* /\1/' \
	    -e 's/ ino 0x[0-9a-f][0-9a-f]* / /' \
	    -e 's/ bdev [0-9][0-9]*:[0-9][0-9]* / /' \
	    -e 's/ ops 0x[0-9a-f][0-9a-f]* / /' \
	    -e 's/\(caller [^ +]*\)+0x[0-9a-f][0-9a-f]*\/0x[0-9a-f][0-9a-f]*/\1/' \
	    "$@"
}

if [ -n "$mask" ]; then
	strip "$@" | sed -e 's/addr 0xffffffffffffffff/addr @NULL@/g' \
			 -e 's/addr 0x[0-9a-f][0-9a-f]*/addr ADDR/g' \
			 -e 's/addr @NULL@/addr 0xffffffffffffffff/g'
else
	strip "$@"
fi
