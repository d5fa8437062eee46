#!/bin/sh
# Run Doxygen and show its warnings; fail if there were any.
# usage: run-doxygen.sh DOXYGEN DOXYFILE WARNLOG
doxygen=$1 doxyfile=$2 warnlog=$3
rm -f "$warnlog"
"$doxygen" "$doxyfile"
rc=$?
if [ -s "$warnlog" ]; then
	cat "$warnlog" >&2
	echo "docs: $(wc -l < "$warnlog") Doxygen warning line(s); warnings are errors" >&2
	exit 1
fi
exit $rc
