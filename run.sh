#!/usr/bin/env bash
# iomap-ref: the one entry point.
#
#   ./run.sh            install what is missing, build, open the visualiser on
#                       its default scenario (with no display: say so and
#                       render that scenario to iomap-viz.png instead)
#   ./run.sh test       the same build, then the whole suite (unit tests,
#                       kernel cross-checks, the visualiser's window under
#                       Xvfb, ASan+UBSan unit tests, docs); ends with one
#                       line "N passed, N failed"
#   ./run.sh io ARGS    run the xfs_io-compatible shell (iomap-io ARGS)
#   ./run.sh viz ARGS   run the visualiser (iomap-viz ARGS; --help lists them)
#   ./run.sh build      install and build only
#   ./run.sh bench      build, then the direct and buffered I/O benchmarks
#                       (docs/BENCH.md); their disk image lives in
#                       build/tests/bench/
#
# Debian packages are installed with apt-get when running as root; otherwise
# the command to run is printed.
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$PWD
BUILD=$ROOT/build
ASAN=$ROOT/build-asan

# Debian 12 packages the build, the tests and the docs need.
PACKAGES=(gcc pkg-config meson ninja-build python3 check liburing-dev doxygen
          util-linux xfsprogs libgtk-4-dev xvfb xauth xdotool)

log() { printf '==> %s\n' "$*" >&2; }

ensure_packages() {
	local missing=() p
	for p in "${PACKAGES[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	((${#missing[@]})) || return 0
	if [[ $(id -u) -ne 0 ]]; then
		echo "missing Debian packages: ${missing[*]}" >&2
		echo "run: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
		exit 1
	fi
	log "installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq "${missing[@]}" >/dev/null
}

# setup DIR [meson options...]: configure once, reconfigure if options change.
setup() {
	local dir=$1; shift
	if [[ -f $dir/build.ninja ]]; then
		meson configure "$dir" "$@" >/dev/null
	else
		meson setup "$dir" "$@" >/dev/null
	fi
}

build() {
	ensure_packages
	setup "$BUILD" -Dwerror=true
	log "building"
	ninja -C "$BUILD" >/dev/null
}

run_tests() {
	local rc=0
	rm -f "$BUILD/meson-logs/testlog.json" "$ASAN/meson-logs/testlog.json"

	log "unit tests and kernel cross-checks"
	meson test -C "$BUILD" --suite unit --suite xcheck --suite kernel --suite viz \
		--print-errorlogs --num-processes 2 || rc=1

	log "unit tests under ASan + UBSan"
	setup "$ASAN" -Dwerror=true -Db_sanitize=address,undefined -Db_lundef=false \
		-Dbuildtype=debug -Ddocs=disabled
	ninja -C "$ASAN" >/dev/null
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		meson test -C "$ASAN" --suite unit --print-errorlogs --num-processes 2 || rc=1

	log "API documentation (Doxygen, warnings are errors)"
	local docs_ok=1
	ninja -C "$BUILD" docs >/dev/null || { docs_ok=0; rc=1; }

	python3 "$ROOT/tests/summary.py" --docs-ok "$docs_ok" \
		"$BUILD/meson-logs/testlog.json" "$ASAN/meson-logs/testlog.json" || rc=1
	return $rc
}

cmd=${1:-demo}
case $cmd in
demo)
	build
	# The window on the default scenario; with no display iomap-viz says
	# so and renders that scenario to iomap-viz.png instead.
	"$BUILD/viz/app/iomap-viz"
	;;
test)
	build
	"$BUILD/samples/iomap-io" --demo >/dev/null
	# The main job, headless, as ./run.sh runs it on a machine with no display.
	(cd "$BUILD" && env -u DISPLAY -u WAYLAND_DISPLAY "$BUILD/viz/app/iomap-viz" >/dev/null)
	run_tests
	;;
io)
	shift
	build
	exec "$BUILD/samples/iomap-io" "$@"
	;;
viz)
	shift
	build
	exec "$BUILD/viz/app/iomap-viz" "$@"
	;;
build)
	build
	;;
bench)
	build
	ninja -C "$BUILD" tests/bench/bench_dio tests/bench/bench_buf tests/bench/bench_viz >/dev/null
	"$BUILD/tests/bench/bench_dio" "$BUILD/tests/bench/bench-backing.img"
	echo
	"$BUILD/tests/bench/bench_buf" "$BUILD/tests/bench/bench-backing.img"
	echo
	"$BUILD/tests/bench/bench_viz"
	;;
*)
	echo "usage: ./run.sh [test | io ARGS... | viz ARGS... | build | bench]" >&2
	exit 2
	;;
esac
