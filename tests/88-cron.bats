#!/usr/bin/env bats
# examples/cron/paper-run: one cron run of a paper pipeline — market hours, the lock,
# alerts on failure and on resuming after an unfinished run.
load test_helper

setup() {
	common_setup
	RUN=$ROOT/examples/cron/paper-run
	export PAPER_DATA=$TMP/bars.csv PAPER_STRATEGY=$ROOT/examples/strategies/demo-intraday.json
	export PAPER_ALERT=$TMP/alert PAPER_CONF=$TMP/none.conf ALGO_STATE=$TMP/paper.db
	printf '#!/bin/sh\necho "$*" >> %s/alerts\n' "$TMP" > "$TMP/alert"
	chmod +x "$TMP/alert"
	head -61 "$ROOT/examples/data/NSE_DEMO-EQ_1m.csv" > "$PAPER_DATA"
}

@test "cron: --help describes the settings; a bad argument is a usage error" {
	run "$RUN" --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"PAPER_DATA"* && "$output" == *"--force"* ]]
	run "$RUN" --bogus
	[ "$status" -eq 2 ]
}

@test "cron: outside market hours nothing runs" {
	PAPER_NOW=2023-06-10T10:00 run "$RUN"           # a Saturday
	[ "$status" -eq 0 ] && [ ! -e "$ALGO_STATE" ]
	PAPER_NOW=2023-06-05T08:59 run "$RUN"
	[ "$status" -eq 0 ] && [ ! -e "$ALGO_STATE" ]
	echo 2023-06-05 > "$TMP/holidays"
	PAPER_HOLIDAYS=$TMP/holidays PAPER_NOW=2023-06-05T10:00 run "$RUN"
	[ "$status" -eq 0 ] && [ ! -e "$ALGO_STATE" ]
	PAPER_NOW=2023-06-05T10:16 run "$RUN"
	[ "$status" -eq 0 ] && [ -s "$ALGO_STATE" ]
	[ "$(cat "$ALGO_STATE.last")" = "2023-06-05T10:14:00+05:30" ]
}

@test "cron: a second run while one holds the lock exits 75 and runs nothing" {
	exec 8>>"$ALGO_STATE.lock"
	flock 8
	PAPER_NOW=2023-06-05T10:16 run "$RUN"
	exec 8>&-
	[ "$status" -eq 75 ]
	[[ "$output" == *"another run holds $ALGO_STATE.lock"* ]]
	[ ! -e "$ALGO_STATE.last" ]
}

@test "cron: a failing stage is alerted with its name and status, and its status is the run's" {
	echo 'timestamp,open,high,low,close,volume' > "$PAPER_DATA"
	echo '2023-06-05T09:15:00+05:30,1,0.5,1,1,10' >> "$PAPER_DATA"   # high below low
	PAPER_NOW=2023-06-05T10:16 run "$RUN"
	[ "$status" -eq 65 ]
	[[ "$(cat "$TMP/alerts")" == "paper-run: run at 2023-06-05T10:16 failed: algo-feed exited 65" ]]
	# and the next run says it resumes after the unfinished one
	head -61 "$ROOT/examples/data/NSE_DEMO-EQ_1m.csv" > "$PAPER_DATA"
	PAPER_NOW=2023-06-05T10:21 run "$RUN"
	[ "$status" -eq 0 ]
	[ "$(tail -n 1 "$TMP/alerts")" = "paper-run: resuming after a run that did not finish (started 2023-06-05T10:16)" ]
	[ ! -e "$ALGO_STATE.running" ]
}

@test "cron: missing settings are configuration errors" {
	PAPER_DATA= PAPER_NOW=2023-06-05T10:16 run "$RUN"
	[ "$status" -eq 78 ]
	PAPER_STRATEGY=$TMP/nope.json PAPER_NOW=2023-06-05T10:16 run "$RUN"
	[ "$status" -eq 66 ]
}

@test "cron: two trading days in 10-minute runs give the trades and report of one run" {
	src=$ROOT/examples/data/NSE_DEMO-EQ_1m.csv
	export PAPER_EXEC="--slippage-bps 1 --charges india"
	# one run over both days
	head -751 "$src" > "$PAPER_DATA"
	ALGO_STATE=$TMP/one.db run "$RUN" --force
	[ "$status" -eq 0 ]
	# the same days as a data source writes them, a run every 10 minutes
	for d in 0 1; do
		for k in $(seq 10 10 380); do
			[ "$k" -le 375 ] || k=375
			head -n $((1 + d * 375 + k)) "$src" > "$PAPER_DATA"
			now=$(sed -n "$((1 + d * 375 + k))p" "$src" | cut -c1-16)
			PAPER_NOW=$now ALGO_STATE=$TMP/chunks.db run "$RUN" --force
			[ "$status" -eq 0 ] || { echo "$output"; false; }
		done
	done
	[ ! -s "$TMP/alerts" ]
	algo-ledger trades --state "$TMP/one.db" --format csv > "$TMP/one.trades"
	algo-ledger trades --state "$TMP/chunks.db" --format csv > "$TMP/chunks.trades"
	[ "$(wc -l < "$TMP/one.trades")" -gt 2 ]
	diff "$TMP/one.trades" "$TMP/chunks.trades"
	diff <(algo-ledger report --state "$TMP/one.db" --format json | grep -v '"run"\|generated') \
		<(algo-ledger report --state "$TMP/chunks.db" --format json | grep -v '"run"\|generated')
}
