#!/usr/bin/env bats
# algo-ledger --backtest (algo-backtest's fresh database): the equity curve at report
# resolution with the drawdown exact, one audit row for the run; a paper run keeps the
# full chain.
load test_helper

# events STRATEGY CSV OUT [FEED OPTIONS]: a pipeline's events.
events() {
	local strategy=$1 csv=$2 out=$3
	shift 3
	ALGO_STATE=$out.stages algo-feed csv --no-progress "$@" "$csv" |
		ALGO_STATE=$out.stages algo-eval -s "$ROOT/examples/strategies/$strategy" |
		ALGO_STATE=$out.stages algo-risk |
		ALGO_STATE=$out.stages algo-exec-paper --commission-bps 3 --square-off none > "$out"
}

@test "backtest: the curve's unit tests pass (drawdown and daily closes exact on random curves)" {
	run_unit test_eqcurve
}

@test "backtest: a batch is 50,000 lines, any other recording's 5,000; the ledger's connection has no lock of SQLite's (lib/ledger unit tests)" {
	run_unit test_ledger
}

@test "backtest: a 50,000-line batch of orders alone stays within a stage's 16 MB (past 2,048 held orders are written), every order in full" {
	[ -x /usr/bin/time ] || skip "no /usr/bin/time"
	python3 - > "$TMP/orders.ev" <<'EOF'
import datetime
t0 = datetime.datetime(2024, 1, 1, 9, 15)
for i in range(20000):
    t = (t0 + datetime.timedelta(seconds=i)).strftime('%Y-%m-%dT%H:%M:%S+05:30')
    side = 'buy' if i % 2 == 0 else 'sell'
    print('{"type":"order","ts":"%s","id":"o%d","strategy":"s","symbol":"NSE:T-EQ","side":"%s","qty":1,"kind":"market","product":"intraday","validity":"day","mode":"paper","user":"default"}' % (t, i, side))
    if i % 4 == 3:
        print('{"type":"order_update","ts":"%s","id":"o%d","status":"rejected","reason":"no margin for order %d"}' % (t, i, i))
        continue
    print('{"type":"fill","ts":"%s","id":"o%d","fill_id":"f%d","symbol":"NSE:T-EQ","side":"%s","strategy":"s","qty":1,"price":100,"fees":{"brokerage":0.5,"total":0.5},"remaining":0,"user":"default"}' % (t, i, i, side))
    print('{"type":"order_update","ts":"%s","id":"o%d","status":"filled","filled":1,"avg_price":100,"broker_id":"B%d"}' % (t, i, i))
EOF
	# as algo-backtest runs it: a throw-away database (its larger page cache)
	: > "$TMP/bt.db"
	ALGO_THROWAWAY_STATE="$TMP/bt.db" /usr/bin/time -f %M -o "$TMP/rss" \
		algo-ledger --backtest --state "$TMP/bt.db" < "$TMP/orders.ev" > /dev/null
	echo "peak RSS $(cat "$TMP/rss") KB"
	[ "$(cat "$TMP/rss")" -lt 16384 ]
	[ "$(sqlite3 "$TMP/bt.db" "SELECT count(*), sum(status = 'filled'), sum(status = 'rejected'), count(broker_id), count(reason), sum(filled), sum(avg_price) FROM orders")" = "20000|15000|5000|15000|5000|15000|15000000000" ]
	algo-ledger --state "$TMP/paper.db" < "$TMP/orders.ev" > /dev/null
	diff <(algo-ledger orders --state "$TMP/bt.db" --format ndjson) <(algo-ledger orders --state "$TMP/paper.db" --format ndjson)
	diff <(algo-ledger fills --state "$TMP/bt.db" --format ndjson) <(algo-ledger fills --state "$TMP/paper.db" --format ndjson)
}

@test "backtest: every report equals the one over every equity change (a per-bar recomputation)" {
	events ema-cross.json "$FIX/sample_3k.csv" "$TMP/a.ev" --symbol NSE:TEST-EQ
	events ema-cross-long-short.json "$FIX/sample_3k.csv" "$TMP/b.ev" --symbol NSE:TEST-EQ
	events demo-intraday.json "$ROOT/examples/data/NSE_DEMO-EQ_1m.csv" "$TMP/c.ev"
	for e in a b c; do
		algo-ledger --state "$TMP/$e-full.db" < "$TMP/$e.ev" > /dev/null
		algo-ledger --backtest --state "$TMP/$e-bt.db" < "$TMP/$e.ev" > "$TMP/$e.out"
		cmp "$TMP/$e.ev" "$TMP/$e.out"
		for f in json text csv; do
			diff <(algo-ledger report --state "$TMP/$e-full.db" --format $f) \
				<(algo-ledger report --state "$TMP/$e-bt.db" --format $f)
		done
		diff <(algo-ledger trades --state "$TMP/$e-full.db") <(algo-ledger trades --state "$TMP/$e-bt.db")
		# orders written once in their final form, fills as they come: the same rows
		for t in orders fills positions daily_pnl run_days; do
			diff <(sqlite3 "$TMP/$e-full.db" "SELECT * FROM $t ORDER BY rowid") \
				<(sqlite3 "$TMP/$e-bt.db" "SELECT * FROM $t ORDER BY rowid")
		done
		full=$(sqlite3 "$TMP/$e-full.db" 'SELECT count(*) FROM equity')
		kept=$(sqlite3 "$TMP/$e-bt.db" 'SELECT count(*) FROM equity')
		echo "$e: $kept of $full equity points"
		[ "$full" -gt 100 ] && [ $((kept * 10)) -lt "$full" ]
		# the drawdown really is a fall in these runs
		algo-ledger report --state "$TMP/$e-bt.db" --format json | grep -q '"max_drawdown":[1-9]'
	done
}

@test "backtest: one audit row records the run (strategy hash, input hash, options, result)" {
	export PATH="$BIN:$PATH"          # algo-backtest's stages, not the recording shims
	algo-backtest -s "$ROOT/examples/strategies/ema-cross.json" --state "$TMP/bt.db" "$FIX/sample_3k.csv" > /dev/null
	[ "$(sqlite3 "$TMP/bt.db" "SELECT group_concat(DISTINCT kind) FROM (SELECT kind FROM audit ORDER BY seq)")" = "config,risk_block,backtest" ]
	[ "$(sqlite3 "$TMP/bt.db" "SELECT count(*) FROM audit WHERE kind = 'backtest'")" -eq 1 ]
	row=$(sqlite3 "$TMP/bt.db" "SELECT strategy, ref, reason, detail FROM audit WHERE kind = 'backtest'")
	hash=$(sha256sum < "$ROOT/examples/strategies/ema-cross.json" | cut -d' ' -f1)
	run_id=$(algo-ledger runs --state "$TMP/bt.db" --format csv | tail -1 | cut -d, -f1)
	[[ "$row" == "ema-cross|$run_id|backtest: strategy ema-cross $hash; input sha256 "* ]] || { echo "$row"; false; }
	[[ "$row" == *'"options":"user=default capital=100000"'*'"orders":'*'"final_equity":'* ]]
	orders=$(sqlite3 "$TMP/bt.db" 'SELECT count(*) FROM orders')
	[[ "$row" == *"; $orders orders, "* ]]
	algo-ledger audit verify --state "$TMP/bt.db"
	# and the result is the report's
	final=$(algo-ledger report --state "$TMP/bt.db" --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)["final_equity"])')
	[[ "$row" == *"final equity $final|"* ]]
}

@test "backtest: a paper run keeps a row per order step, and verify catches an edited or deleted one" {
	events ema-cross.json "$FIX/sample_3k.csv" "$TMP/a.ev" --symbol NSE:TEST-EQ
	algo-ledger --state "$TMP/p.db" < "$TMP/a.ev" > /dev/null
	[ "$(sqlite3 "$TMP/p.db" "SELECT count(*) FROM audit WHERE kind = 'order'")" -eq \
	  "$(sqlite3 "$TMP/p.db" 'SELECT count(*) FROM orders')" ]
	algo-ledger audit verify --state "$TMP/p.db"
	cp "$TMP/p.db" "$TMP/edit.db"
	sqlite3 "$TMP/edit.db" "DROP TRIGGER audit_append_only; UPDATE audit SET reason = 'sell 1' WHERE seq = 40"
	run algo-ledger audit verify --state "$TMP/edit.db"
	[ "$status" -eq 1 ]
	[[ "$output" == *"FAILED at row 40"* ]]
	cp "$TMP/p.db" "$TMP/del.db"
	sqlite3 "$TMP/del.db" "DELETE FROM audit WHERE seq = 41"
	run algo-ledger audit verify --state "$TMP/del.db"
	[ "$status" -eq 1 ]
	[[ "$output" == *"FAILED at row"* ]]
}
