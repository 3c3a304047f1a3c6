#!/usr/bin/env bats
# The restart contract, the gap: the paper pipeline was not running at 15:20 while an
# intraday position was open, and the next run starts the next morning. The executor
# closes the position at the first price it sees after the square-off time (the next
# morning's open) and says it was late; the strategy's own exit that follows is
# blocked as an exit while flat (no short); one run over the same bars agrees.
load test_helper
load paper_helper

SRC=$ROOT/examples/data/NSE_DEMO-EQ_1m.csv

setup() {
	common_setup
	# the demo holds 100 shares from 14:16 to 14:41 on 2023-06-07: the first run's
	# bars stop at 14:29 that day, the second run's start at 09:15 the next morning
	local a b
	a=$(grep -n '^2023-06-07T14:30' "$SRC" | cut -d: -f1)
	b=$(grep -n '^2023-06-08T09:15' "$SRC" | cut -d: -f1)
	head -n $((a - 1)) "$SRC" > "$TMP/day1.csv"
	{ head -1 "$SRC"; tail -n +"$b" "$SRC"; } > "$TMP/day2.csv"
	{ cat "$TMP/day1.csv"; tail -n +"$b" "$SRC"; } > "$TMP/both.csv"
}

@test "gap: a position open when the run stopped before 15:20 is closed late at the next morning's open" {
	paper_run "$TMP/day1.csv" "$TMP/s.db" > "$TMP/e1"
	# the first run ends holding the position
	[ "$(sqlite3 "$TMP/s.db" "SELECT qty FROM positions WHERE symbol = 'NSE:DEMO-EQ'")" = 100 ]
	paper_run "$TMP/day2.csv" "$TMP/s.db" > "$TMP/e2"
	late='intraday square-off at 15:20 on 2023-06-07, late: at the first price after it'
	# at the new day's first bar, before anything else is decided: the square-off at
	# the bar's open (615.15 less 1 bp of slippage), then the strategy's exit, blocked
	grep -v '"type":"stream"' "$TMP/e2" | head -6 > "$TMP/first"
	sed -n 1p "$TMP/first" | grep -q '^{"type":"bar","ts":"2023-06-08T09:15:00+05:30"'
	sed -n 2p "$TMP/first" | grep -Fxq '{"type":"order_update","ts":"2023-06-08T09:15:00+05:30","id":"SQ2306080001","status":"accepted","reason":"'"$late"'"}'
	sed -n 3p "$TMP/first" | grep -q '^{"type":"fill","ts":"2023-06-08T09:15:00+05:30","id":"SQ2306080001",.*"side":"sell","qty":100,"price":615.0885,.*"reason":"square-off, late: first price after 15:20 on 2023-06-07"}$'
	sed -n 4p "$TMP/first" | grep -q '"status":"filled"'
	sed -n 5p "$TMP/first" | grep -q '^{"type":"signal",.*"action":"exit"'
	sed -n 6p "$TMP/first" | grep -q '^{"type":"risk_block","ts":"2023-06-08T09:15:00+05:30",.*"rule":"position",.*"reason":"exit while flat"'
	# the round trip ends at the late square-off; the book ends flat, never short
	algo-ledger trades --state "$TMP/s.db" --format csv |
		grep -q '^demo-intraday,NSE:DEMO-EQ,long,100,2023-06-07T14:16:00+05:30,.*,2023-06-08T09:15:00+05:30,615.0885,'
	[ "$(sqlite3 "$TMP/s.db" "SELECT count(*) FROM positions WHERE qty != 0")" -eq 0 ]
	run ! grep -q 'position already closed' "$TMP/e2"
}

@test "gap: one run over the same bars gives the two runs' orders, fills, trades and report" {
	paper_run "$TMP/day1.csv" "$TMP/s.db" > "$TMP/chunks"
	paper_run "$TMP/day2.csv" "$TMP/s.db" >> "$TMP/chunks"
	paper_run "$TMP/both.csv" "$TMP/one.db" > "$TMP/one"
	grep -q '"reason":"square-off, late' "$TMP/one"
	diff <(paper_result "$TMP/one" "$TMP/one.db") <(paper_result "$TMP/chunks" "$TMP/s.db")
}
