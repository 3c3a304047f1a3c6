bats_require_minimum_version 1.5.0
# Common set-up for every bats file: programs come from build/shim (recording events),
# each test gets its own state directory and never touches the user's.
ROOT=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
: "${ALGO_BUILD:=build}"
case $ALGO_BUILD in /*) BUILD=$ALGO_BUILD ;; *) BUILD=$ROOT/$ALGO_BUILD ;; esac
BIN=$BUILD/bin
UNIT=$BUILD/unit
FIX=$ROOT/tests/fixtures
PATH="$BUILD/shim:$ROOT/scripts:$PATH"
export ALGO_BUILD

common_setup() {
	TMP=$(mktemp -d "${BATS_TMPDIR:-/tmp}/algo-test.XXXXXX")
	export ALGO_STATE=$TMP/state.db
	export XDG_STATE_HOME=$TMP/xdg-state
	export XDG_CONFIG_HOME=$TMP/xdg-config
	export HOME=$TMP/home
	mkdir -p "$HOME"
}
common_teardown() { rm -rf "$TMP"; }
setup() { common_setup; }
teardown() { common_teardown; }

# Runs a TAP unit driver and fails the test with its output when any case fails.
run_unit() {
	run "$UNIT/$1"
	echo "$output"
	[ "$status" -eq 0 ]
	! grep -q '^not ok' <<<"$output"
}
