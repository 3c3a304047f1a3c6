#!/usr/bin/env bash
# Test shim: runs the real program from $ALGO_BUILD/bin (or scripts/) and appends
# every line it writes on stdout to a file of its own in the directory $ALGO_EVENT_LOG
# (one file per run: concurrent stages of a pipeline must not interleave their
# lines), so that tests/99-schemas.bats can validate every event any test emitted.
# Exit status is the program's. VALGRIND=1 (make valgrind) runs it under valgrind: an error or a
# definite leak is exit 99, and only those are reported (a thread still running when a
# test kills the process leaves "possibly lost" blocks that are no leak).
name=${0##*/}
here=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
build=${ALGO_BUILD:-build}
case $build in /*) ;; *) build=$here/$build ;; esac
if [ -x "$build/bin/$name" ]; then real=$build/bin/$name; else real=$here/scripts/$name; fi
pre=()
if [ -n "${VALGRIND:-}" ] && [ "$real" = "$build/bin/$name" ]; then
	pre=(valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite \
		--errors-for-leak-kinds=definite)
fi
if [ -z "${ALGO_EVENT_LOG:-}" ]; then exec "${pre[@]}" "$real" "$@"; fi
"${pre[@]}" "$real" "$@" | tee "$ALGO_EVENT_LOG/$name.$$.$RANDOM.ndjson"
exit "${PIPESTATUS[0]}"
