#!/usr/bin/env bats
# algo-backtest as a newcomer meets it: charges by name, a failed run that can be run
# again, capital, warnings about runs that cannot trade, a progress bar on a terminal.
load test_helper

S=$ROOT/examples/strategies
DATA=$ROOT/examples/data/NSE_DEMO-EQ_1m.csv

@test "backtest: --charges india works from the build tree" {
	run --separate-stderr "$BIN/algo-exec-paper" --charges india < /dev/null
	[ "$status" -eq 0 ]
	[ "$stderr" = "algo-exec-paper: charges table: india-nse-fyers-2026-04" ]
	run --separate-stderr algo-backtest -s "$S/demo-intraday.json" --exec "--charges india" "$DATA"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Charges "* ]]
	! [[ "$output" == *"Charges           0"$'\n'* ]]
}

@test "backtest: --charges india works once installed, and a missing name says where it looked" {
	make -s -C "$ROOT" BUILD="$BUILD" install DESTDIR="$TMP/dest" PREFIX=/opt/algo > /dev/null
	run --separate-stderr "$TMP/dest/opt/algo/bin/algo-exec-paper" --charges india < /dev/null
	[ "$status" -eq 0 ]
	[ "$stderr" = "algo-exec-paper: charges table: india-nse-fyers-2026-04" ]
	run "$TMP/dest/opt/algo/bin/algo-exec-paper" --charges nowhere < /dev/null
	[ "$status" -eq 66 ]
	[[ "$output" == *"no charges table 'nowhere'"*"/opt/algo/bin/../share/algo/costs/nowhere.json (installed)"* ]]
	run "$BIN/algo-exec-paper" --charges 'in dia' < /dev/null
	[ "$status" -eq 78 ]
	[[ "$output" == *"'in dia' is not a charges table name"* ]]
}

@test "backtest: a failed run removes the state file it created, so the rerun works" {
	{ head -3 "$FIX/sample_3k.csv"; echo "2023-06-05T09:18:00+05:30,612.10,611.00,611.65,612.05,198214"; } > "$TMP/bad.csv"
	run algo-backtest -s "$S/ema-cross.json" --state "$TMP/run.db" "$TMP/bad.csv"
	[ "$status" -eq 65 ]
	[ ! -e "$TMP/run.db" ] && [ ! -e "$TMP/run.db-wal" ] && [ ! -e "$TMP/run.db-shm" ]
	run algo-backtest -s "$S/ema-cross.json" --state "$TMP/run.db" "$FIX/sample_3k.csv"
	[ "$status" -eq 0 ]
	[ -s "$TMP/run.db" ]
	# a state file that was there before is never removed
	run algo-backtest -s "$S/ema-cross.json" --state "$TMP/run.db" "$TMP/bad.csv"
	[ "$status" -eq 73 ]
	[ -s "$TMP/run.db" ]
}
