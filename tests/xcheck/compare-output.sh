#!/bin/sh
# compare-output.sh EXPECTED ACTUAL -- compare two xfs_io outputs, ignoring
# what legitimately differs between the kernel on XFS and iomap-io on
# extentfs:
#
#   - timing lines: "64 KiB, 16 ops; 0.0001 sec (...)" and the -C form
#     "65536,1,0:00:00.00,...": both tools print them, with their own
#     wall-clock times;
#   - the physical BLOCK-RANGE of fiemap and bmap extent lines ("192..703"
#     in "   0: [0..511]:        192..703   512 0x800"), and bmap -v's AG and
#     AG-OFFSET columns: where blocks land is the allocator's business;
#   - column spacing: runs of spaces count as one (the column widths follow
#     the widest block range), and trailing spaces are ignored.
#
# Everything else must match: file offsets, lengths, flags, holes, seek
# results, messages.  On a difference, prints the first one with the line
# numbers of both files and exits 1; exits 0 when equal.  POSIX sh + awk.
set -eu

if [ $# -ne 2 ]; then
	echo "usage: compare-output.sh EXPECTED ACTUAL" >&2
	exit 2
fi
for f in "$1" "$2"; do
	[ -r "$f" ] || { echo "compare-output.sh: cannot read $f" >&2; exit 2; }
done
# awk reads a file named twice through one stream: compare it with itself here.
[ "$1" != "$2" ] || exit 0

awk -v A="$1" -v B="$2" '
function is_timing(s) {
	# (the rates are "inf" or "-nan" when no time was measured)
	return s ~ / ops; .* ops\/sec\)$/ ||
	       s ~ /^[0-9]+,[0-9]+,[0-9:.]+,(-?nan|inf|[0-9.]+),(-?nan|inf|[0-9.]+)$/
}
function norm(s,   head, rest) {
	# An extent line: "N: [a..b]: c..d ..." (fiemap, bmap, verbose or not).
	if (match(s, /^[ \t]*[0-9]+: \[[0-9]+\.\.[0-9]+\]: +[0-9]+\.\.[0-9]+/)) {
		head = substr(s, 1, RLENGTH)
		rest = substr(s, RLENGTH + 1)
		sub(/[0-9]+\.\.[0-9]+$/, "BLOCKS", head)
		sub(/^ +[0-9]+ \([0-9]+\.\.[0-9]+\)/, " AG (AGBLOCKS)", rest)
		s = head rest
	}
	gsub(/ +/, " ", s)
	sub(/ +$/, "", s)
	return s
}
# Next line of file f that is not a timing line; 0 at the end.
function next_line(f, r,   line) {
	while ((getline line < f) > 0) {
		lno[f]++
		if (is_timing(line))
			continue
		r["orig"] = line
		r["norm"] = norm(line)
		r["n"] = lno[f]
		return 1
	}
	return 0
}
BEGIN {
	for (;;) {
		ga = next_line(A, a)
		gb = next_line(B, b)
		if (!ga && !gb)
			exit 0
		if (ga && gb && a["norm"] == b["norm"])
			continue
		print "output differs:"
		if (ga)
			printf "  expected (%s line %d): %s\n", A, a["n"], a["orig"]
		else
			printf "  expected (%s): <end of file>\n", A
		if (gb)
			printf "  actual   (%s line %d): %s\n", B, b["n"], b["orig"]
		else
			printf "  actual   (%s): <end of file>\n", B
		exit 1
	}
}'
