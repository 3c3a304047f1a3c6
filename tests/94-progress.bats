#!/usr/bin/env bats
# A progress bar on stderr when it is a terminal (tests/pty-stderr.py gives the run a
# pseudo-terminal), for algo-backtest and algo-feed; never into a file or a pipe.
load test_helper

S=$ROOT/examples/strategies
PTY=$ROOT/tests/pty-stderr.py

@test "progress: lib/progress unit tests" { run_unit test_progress; }

@test "progress: algo-backtest draws the feed's bar on a terminal and erases it" {
	gen-bars 100000 > "$TMP/bars.csv"
	run "$PTY" "$TMP/report" algo-backtest -s "$S/ema-cross.json" "$TMP/bars.csv"
	[ "$status" -eq 0 ]
	[[ "$output" == $'\r'"algo-feed: ["*"%  "*"M bars/s  "*" left"$'\033[K'* ]]
	[[ "$output" == *$'\r\033[K' ]]
	# the report on stdout is whole and has none of it
	grep -q '^Final equity' "$TMP/report"
	! grep -q $'\r' "$TMP/report"
	# --no-progress: nothing on the terminal
	run "$PTY" "$TMP/report" algo-backtest --no-progress -s "$S/ema-cross.json" "$TMP/bars.csv"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "progress: nothing is drawn when stderr is not a terminal" {
	gen-bars 100000 > "$TMP/bars.csv"
	run --separate-stderr algo-backtest -s "$S/ema-cross.json" "$TMP/bars.csv"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	# from a pipe (size unknown) algo-feed counts bars instead; the pause makes sure
	# the bar is due while it waits for input
	run "$PTY" "$TMP/out" bash -c '{ head -50000 "$1"; sleep 0.3; tail -n +50001 "$1"; } |
		algo-feed csv -s NSE:X-EQ -' _ "$TMP/bars.csv"
	[ "$status" -eq 0 ]
	[[ "$output" == $'\r'"algo-feed: "[0-9]*" bars  "*"M bars/s"$'\033[K'* ]]
	[ "$(wc -l < "$TMP/out")" -eq 100001 ]
}
