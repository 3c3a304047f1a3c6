#!/usr/bin/env bats
# Whole-pipeline tests: feed | eval | risk | exec-paper | ledger.
load test_helper

backtest() {   # backtest STRATEGY STATE [exec options...] -> events on stdout
	local strategy=$1
	# every stage of one run shares one fresh state database; algo-risk reads the
	# fills back and both it and the executor keep their state in memory, as
	# algo-backtest does
	export ALGO_STATE=$2
	shift 2
	algo-feed csv --symbol NSE:TEST-EQ "$FIX/sample_3k.csv" |
		algo-eval -s "$strategy" |
		ALGO_STATE= algo-risk --barrier |
		ALGO_STATE= algo-exec-paper "$@" |
		algo-ledger
}

@test "pipeline: EMA 9/21 crossover reproduces backtrader's 74 trades exactly" {
	backtest "$ROOT/examples/strategies/ema-cross.json" "$TMP/a.db" --square-off none > "$TMP/events"
	algo-ledger trades --state "$TMP/a.db" --format csv > "$TMP/trades.csv"
	run python3 "$ROOT/tests/compare-trades.py" "$TMP/trades.csv" "$FIX/sample_3k_ema_trades.csv"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"74 trades, total pnl -14.85"* ]]
}

@test "pipeline: the same crossover written as two blueprint rules gives the same trades" {
	backtest "$ROOT/examples/strategies/ema-cross-rules.json" "$TMP/b.db" --square-off none > /dev/null
	algo-ledger trades --state "$TMP/b.db" --format csv > "$TMP/trades.csv"
	run python3 "$ROOT/tests/compare-trades.py" "$TMP/trades.csv" "$FIX/sample_3k_ema_trades.csv"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "pipeline: two runs give byte-identical events and identical ledgers" {
	backtest "$ROOT/examples/strategies/ema-cross.json" "$TMP/1.db" > "$TMP/e1"
	backtest "$ROOT/examples/strategies/ema-cross.json" "$TMP/2.db" > "$TMP/e2"
	cmp "$TMP/e1" "$TMP/e2"
	sqlite3 "$TMP/1.db" .dump > "$TMP/d1"
	sqlite3 "$TMP/2.db" .dump > "$TMP/d2"
	diff "$TMP/d1" "$TMP/d2"
	# 74 round trips less the exits that found the 15:20 square-off had closed the position
	[ "$(grep -c '"type":"fill"' "$TMP/e1")" -eq 144 ]
}

@test "pipeline: replaying the same events into the ledger adds nothing" {
	backtest "$ROOT/examples/strategies/ema-cross.json" "$TMP/r.db" > "$TMP/events"
	sqlite3 "$TMP/r.db" .dump > "$TMP/before"
	algo-ledger --state "$TMP/r.db" < "$TMP/events" > /dev/null
	sqlite3 "$TMP/r.db" .dump > "$TMP/after"
	diff "$TMP/before" "$TMP/after"
}

@test "pipeline: golden events, trades and report of what make demo runs" {
	cd "$ROOT"
	run --separate-stderr algo-backtest -s examples/strategies/demo-intraday.json \
		--exec "--slippage-bps 1 --charges share/costs/india.json" \
		--events "$TMP/events" --trades "$TMP/trades.csv" examples/data/NSE_DEMO-EQ_1m.csv
	[ "$status" -eq 0 ]
	echo "$output" > "$TMP/report.txt"
	diff "$FIX/pipeline/demo-report.txt" "$TMP/report.txt"
	diff "$FIX/pipeline/demo-trades.csv" "$TMP/trades.csv"
	[ "$(sha256sum < "$TMP/events")" = "$(cat "$FIX/pipeline/demo-events.sha256")" ]
	grep -q '"fees":{"brokerage":' "$TMP/events"
}

@test "pipeline: next-open fills with costs lower net PnL by exactly the fees" {
	backtest "$ROOT/examples/strategies/ema-cross.json" "$TMP/c.db" --square-off none --commission-bps 3 > /dev/null
	algo-ledger trades --state "$TMP/c.db" --format csv > "$TMP/t.csv"
	run python3 -c '
import csv, sys
from decimal import Decimal
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) == 74, len(rows)
for r in rows:
    assert Decimal(r["net_pnl"]) == Decimal(r["pnl"]) - Decimal(r["fees"]), r
    assert Decimal(r["fees"]) > 0, r
print("ok", sum(Decimal(r["fees"]) for r in rows))
' "$TMP/t.csv"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "pipeline: a stage failing on bad input stops the pipeline with its exit code" {
	{ head -3 "$FIX/sample_3k.csv"; echo "2023-06-05T09:18:00+05:30,612.10,611.00,611.65,612.05,198214"; } > "$TMP/bad.csv"
	run algo-backtest -s "$ROOT/examples/strategies/ema-cross.json" "$TMP/bad.csv"
	[ "$status" -eq 65 ]
	[[ "$output" == *"bad.csv:4"* ]]   # header, two rows, then the bad one
}

@test "pipeline: algo-backtest usage errors" {
	run algo-backtest "$FIX/sample_3k.csv"
	[ "$status" -eq 2 ]
	run algo-backtest -s "$TMP/none.json" "$FIX/sample_3k.csv"
	[ "$status" -eq 66 ]
	touch "$TMP/exists.db"
	run algo-backtest -s "$ROOT/examples/strategies/ema-cross.json" --state "$TMP/exists.db" "$FIX/sample_3k.csv"
	[ "$status" -eq 73 ]
}

@test "pipeline: a closed pipe downstream ends every stage quietly" {
	run bash -c "set -o pipefail; '$BIN/algo-feed' csv --symbol NSE:TEST-EQ '$FIX/sample_3k.csv' | '$BIN/algo-eval' -s '$ROOT/examples/strategies/ema-cross.json' | '$BIN/algo-risk' | '$BIN/algo-exec-paper' | head -2"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
}
