# parse-scenario.sh — sourced (". parse-scenario.sh") by run-scenario.sh and
# capture-kernel.sh, so that the kernel capture and the reference replay read
# a scenario the same way.
#
# In:  $scenario_file, a scenario.xio
# Out: the positional parameters become "-c CMD" pairs, one per command line;
#      $open_flags holds the "#! open:" flags, $mkfs_opts the "#! mkfs:"
#      options (trimmed).  Lines starting with '#' and blank lines are skipped.
open_flags=
mkfs_opts=
set --
while IFS= read -r line || [ -n "$line" ]; do
	case $line in
	'#! open:'*) open_flags=${line#'#! open:'} ;;
	'#! mkfs:'*) mkfs_opts=${line#'#! mkfs:'} ;;
	'#'* | '') ;;
	*) set -- "$@" -c "$line" ;;
	esac
done < "$scenario_file"
mkfs_opts=$(printf '%s' "$mkfs_opts" | sed 's/^ *//; s/ *$//')
