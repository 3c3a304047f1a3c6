#!/usr/bin/env bats
# algo-ledger report: METRICS.md checked against tests/metrics.py on real pipeline runs,
# filters, run comparison, the 80-column text with its sparkline, the self-contained
# HTML report (rendered headless in Chromium when installed), queries.
load test_helper

# backtest DB STRATEGY [algo-feed options...]: the real pipeline (no square-off: the
# strategies hold overnight), the ledger in DB, the
# other stages' state in DB.stages (fresh for every run), events kept in DB.events.
backtest() {
	local db=$1 strategy=$2
	shift 2
	ALGO_STATE=$db.stages algo-feed csv --no-progress --symbol NSE:TEST-EQ "$@" "$FIX/sample_3k.csv" |
		ALGO_STATE=$db.stages algo-eval -s "$ROOT/examples/strategies/$strategy" |
		ALGO_STATE=$db.stages algo-risk |
		ALGO_STATE=$db.stages algo-exec-paper --commission-bps 3 --square-off none |
		algo-ledger --state "$db" > "$db.events"
}

# check_metrics DB: recomputes every metric from the exported trades and equity curve.
check_metrics() {
	local db=$1
	algo-ledger trades --state "$db" --format csv > "$db.trades.csv"
	algo-ledger equity --state "$db" --format csv > "$db.equity.csv"
	algo-ledger report --state "$db" --format json > "$db.report.json"
	start=$(algo-ledger runs --state "$db" --format ndjson | python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["start_equity"])')
	run python3 "$ROOT/tests/metrics.py" "$db.trades.csv" "$db.equity.csv" "$db.events" "$db.report.json" "$start"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "report: metrics match an independent computation: a losing EMA run" {
	backtest "$TMP/a.db" ema-cross.json
	check_metrics "$TMP/a.db"
	[[ "$output" == *"74 trades, 8 days, net -41.74"* ]]
	python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["net_pnl"] < 0 and r["sharpe"] < 0, r' "$TMP/a.db.report.json"
	# the run selected by id gives the same report (computed from its fills and points)
	id=$(algo-ledger runs --state "$TMP/a.db" --format csv | tail -1 | cut -d, -f1)
	[[ "$id" == 20230605-* ]]
	diff <(algo-ledger report --state "$TMP/a.db") \
		<(algo-ledger report --state "$TMP/a.db" --run "$id" | sed "s/^Run $id,/Run all,/")
}

@test "report: metrics match an independent computation: long and short EMA" {
	backtest "$TMP/b.db" ema-cross-long-short.json
	check_metrics "$TMP/b.db"
	python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["shorts"] > 0 and r["longs"] > 0, r' "$TMP/b.db.report.json"
}

@test "report: metrics of a run with no trades (20 minutes of data)" {
	backtest "$TMP/c.db" ema-cross.json --from 2023-06-05T09:15:00+05:30 --to 2023-06-05T09:35:00+05:30
	check_metrics "$TMP/c.db"
	[[ "$output" == *"0 trades, 1 days, net 0.00"* ]]
	run algo-ledger report --state "$TMP/c.db" --format json
	[[ "$output" == *'"trades":0,'*'"total_return_pct":0,'*'"sharpe":null,'*'"profit_factor":null,'*'"bars":20,"bars_in_position":0,'* ]]
	run algo-ledger report --state "$TMP/c.db"
	[[ "$output" == *"Exposure          0.0000% of 20 bars in a position"* ]]
	[[ "$output" == *"Sharpe        -"* ]]
}

@test "report: text fits 80 columns, prints conventions, a sparkline and the daily table" {
	backtest "$TMP/a.db" ema-cross.json
	algo-ledger report --state "$TMP/a.db" > "$TMP/r.txt"
	python3 -c '
import sys
for i, l in enumerate(open(sys.argv[1], encoding="utf-8"), 1):
    assert len(l.rstrip("\n")) <= 80, (i, len(l), l)' "$TMP/r.txt"
	grep -q '^Conventions: daily returns of mark-to-market equity' "$TMP/r.txt"
	grep -q '^P = 252, risk-free 0' "$TMP/r.txt"
	grep -qE '^Equity            [▁▂▃▄▅▆▇█]{8}$' "$TMP/r.txt"
	grep -q '^Daily PnL' "$TMP/r.txt"
	[ "$(grep -cE '^  2023-06-[0-9]{2} ' "$TMP/r.txt")" -eq 8 ]
	# the daily PnL adds up to the net PnL
	algo-ledger pnl --state "$TMP/a.db" --format csv | python3 -c '
import csv, sys
from decimal import Decimal
print(sum(Decimal(r["pnl"]) for r in csv.DictReader(sys.stdin)))' > "$TMP/sum"
	[ "$(cat "$TMP/sum")" = "-41.74" ]
}

@test "report: an open position at the end is marked at the last price and flagged" {
	algo-ledger --capital 1000 < "$FIX/ledger/dd.ndjson" > /dev/null
	run algo-ledger report
	[[ "$output" == *"open positions marked at the last price (flagged OPEN)."* ]]
	[[ "$output" == *"OPEN dd NSE:DD-EQ long 10 @ 100, last 145, unrealised 450"* ]]
	run algo-ledger report --format html
	[[ "$output" == *'<p class="open">OPEN dd NSE:DD-EQ qty 10, marked at 145 (unrealised 450)</p>'* ]]
}

@test "report: --strategy, --from and --to select; an unknown run is an error" {
	backtest "$TMP/a.db" ema-cross.json
	run algo-ledger report --state "$TMP/a.db" --from 2023-06-06 --to 2023-06-07 --format json
	[ "$status" -eq 0 ]
	# two days: the equity at the end of 06-05 is the start
	[[ "$output" == *'"start_equity":99998.12,"end_equity":99991.23,"days":2,'* ]]
	run algo-ledger report --state "$TMP/a.db" --strategy ema-cross --format json
	[[ "$output" == *'"strategy":"ema-cross",'*'"end_equity":99958.26,'* ]]
	run algo-ledger report --state "$TMP/a.db" --strategy none --format json
	[[ "$output" == *'"trades":0,'*'"end_equity":100000,'* ]]
	run algo-ledger report --state "$TMP/a.db" --run nosuchrun
	[ "$status" -eq 1 ]
	[[ "$output" == *"no run 'nosuchrun' for user 'default'"* ]]
}

@test "report: two runs side by side; each column equals that run's own report" {
	ALGO_STATE=$TMP/s1.stages algo-feed csv --no-progress --symbol NSE:TEST-EQ --to 2023-06-09 "$FIX/sample_3k.csv" |
		ALGO_STATE=$TMP/s1.stages algo-eval -s "$ROOT/examples/strategies/ema-cross.json" |
		ALGO_STATE=$TMP/s1.stages algo-risk | ALGO_STATE=$TMP/s1.stages algo-exec-paper | algo-ledger --state "$TMP/s.db" --run first > /dev/null
	ALGO_STATE=$TMP/s2.stages algo-feed csv --no-progress --symbol NSE:TEST-EQ --from 2023-06-09 "$FIX/sample_3k.csv" |
		ALGO_STATE=$TMP/s2.stages algo-eval -s "$ROOT/examples/strategies/ema-cross.json" |
		ALGO_STATE=$TMP/s2.stages algo-risk | ALGO_STATE=$TMP/s2.stages algo-exec-paper | algo-ledger --state "$TMP/s.db" --run second > /dev/null
	[ "$(algo-ledger runs --state "$TMP/s.db" --format csv | cut -d, -f1 | tr '\n' ' ')" = "id first second " ]
	run algo-ledger report --state "$TMP/s.db" --run first --run second
	[ "$status" -eq 0 ]
	[[ "${lines[1]}" == "Run "*"first"*"second" ]]
	a=$(algo-ledger report --state "$TMP/s.db" --run first --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)["trades"])')
	b=$(algo-ledger report --state "$TMP/s.db" --run second --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)["trades"])')
	[ "$a" -gt 10 ] && [ "$b" -gt 10 ]
	algo-ledger report --state "$TMP/s.db" --run first --run second --format csv > "$TMP/cmp.csv"
	grep -q "^trades,$a,$b\$" "$TMP/cmp.csv"
	[ "$(head -1 "$TMP/cmp.csv")" = "metric,first,second" ]
	run algo-ledger report --state "$TMP/s.db" --run first --run second --format json
	python3 -c 'import json,sys; r=json.loads(sys.argv[1]); assert [x["run"] for x in r] == ["first","second"], r' "$output"
	# every column fits 80 columns
	[ "$(algo-ledger report --state "$TMP/s.db" --run first --run second | python3 -c 'import sys; print(max(len(l.rstrip()) for l in sys.stdin))')" -le 80 ]
}

@test "report: --out writes a file; the HTML is self-contained with SVG charts" {
	backtest "$TMP/a.db" ema-cross.json
	algo-ledger report --state "$TMP/a.db" --format html --out "$TMP/r.html"
	grep -q '<svg id="equity-chart"' "$TMP/r.html"
	grep -q '<svg id="drawdown-chart"' "$TMP/r.html"
	grep -q '<svg id="daily-pnl-chart"' "$TMP/r.html"
	[ "$(grep -o 'class="en trade-marker"' "$TMP/r.html" | wc -l)" -eq 74 ]
	# no external resource of any kind
	! grep -qiE 'https?:|//|src=|<link|<script|url\(' "$TMP/r.html"
	python3 -c '
import html.parser, sys
class P(html.parser.HTMLParser):
    pass
P().feed(open(sys.argv[1]).read())' "$TMP/r.html"
}

@test "report: the HTML renders headless in Chromium with its charts" {
	# make check installs chromium (scripts/install-deps --test); without it this fails
	[ -x /usr/bin/chromium ] || { echo "no /usr/bin/chromium: run scripts/install-deps --test"; false; }
	backtest "$TMP/a.db" ema-cross.json
	algo-ledger report --state "$TMP/a.db" --format html --out "$TMP/r.html"
	run timeout 120 /usr/bin/chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync --user-data-dir="$TMP/chromium" \
		--dump-dom "file://$TMP/r.html"
	[ "$status" -eq 0 ]
	[[ "$output" == *'<svg id="equity-chart"'*'<polyline class="eq"'* ]]
	[[ "$output" == *'<svg id="drawdown-chart"'*'<polygon class="dd"'* ]]
	[[ "$output" == *'<svg id="daily-pnl-chart"'*'<rect class="'* ]]
	[[ "$output" == *'trade-marker'* ]]
}

@test "report: ambiguous intrabar fills are stored and counted" {
	cat > "$TMP/amb" <<'EOF2'
{"type":"order","ts":"2024-03-01T09:15:00+05:30","id":"a1","strategy":"s","symbol":"NSE:A-EQ","side":"buy","qty":1,"kind":"market","product":"intraday","validity":"day","mode":"paper","user":"default"}
{"type":"fill","ts":"2024-03-01T09:16:00+05:30","id":"a1","fill_id":"F1","strategy":"s","symbol":"NSE:A-EQ","side":"buy","qty":1,"price":10,"fees":{"brokerage":0,"total":0},"remaining":0,"user":"default","ambiguous":true}
{"type":"fill","ts":"2024-03-01T09:17:00+05:30","id":"a1","fill_id":"F2","strategy":"s","symbol":"NSE:A-EQ","side":"sell","qty":1,"price":11,"fees":{"brokerage":0,"total":0},"remaining":0,"user":"default"}
EOF2
	algo-ledger < "$TMP/amb" > /dev/null
	[ "$(sqlite3 "$ALGO_STATE" 'SELECT group_concat(ambiguous) FROM fills')" = "1,0" ]
	run algo-ledger report
	[[ "$output" == *"Ambiguous fills   1"* ]]
	run algo-ledger fills --format csv
	[[ "${lines[1]}" == *",1" ]]
	echo '{"type":"fill","ts":"2024-03-01T09:18:00+05:30","id":"a1","fill_id":"F3","symbol":"NSE:A-EQ","side":"sell","qty":1,"price":11,"ambiguous":"yes"}' > "$TMP/bad"
	run algo-ledger < "$TMP/bad"
	[ "$status" -eq 65 ]
	[[ "$output" == *"field 'ambiguous': must be true or false"* ]]
}

@test "report: queries print tables by default, CSV and NDJSON on request" {
	algo-ledger < "$FIX/ledger/basic.ndjson" > /dev/null
	run algo-ledger orders
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "ts  "*"id  "*"status"* ]]
	[ "${#lines[@]}" -eq 8 ]
	[ "$(algo-ledger fills --format csv | head -1)" = "ts,fill_id,order_id,run,strategy,symbol,side,qty,price,fees,ambiguous" ]
	[ "$(algo-ledger positions --format ndjson | head -1)" = '{"strategy":"s1","symbol":"NSE:AAA-EQ","qty":0,"avg_price":0,"realized":-2.1,"fees":3.35,"last_price":99.3,"unrealized":0,"updated_ts":"2024-03-01T09:25:00+05:30"}' ]
	[ "$(algo-ledger fills --strategy s2 --format csv | wc -l)" -eq 2 ]
	[ "$(algo-ledger fills --since 2024-03-01T09:22:00+05:30 --format csv | wc -l)" -eq 4 ]
	[ "$(algo-ledger trades --format table | wc -l)" -eq 4 ]
	[ "$(algo-ledger equity --format csv | tail -1)" = "2024-03-01T09:27:00+05:30,20240301-$(algo-ledger runs --format csv | tail -1 | cut -d- -f2 | cut -d, -f1),99993.95" ]
	run algo-ledger pnl --format ndjson
	[ "$output" = '{"day":"2024-03-01","equity":99993.95,"pnl":-6.05,"return_pct":-0.006050}' ]
	# the run: its id from the first event's date and the options, bars counted
	run algo-ledger runs --format ndjson
	[[ "$output" == '{"id":"20240301-'*'","version":"0.1.0","start_ts":"2024-03-01T09:15:00+05:30","end_ts":"2024-03-01T09:27:00+05:30","start_equity":100000,"bars":13,"bars_in_position":8,"options":"user=default capital=100000","input_sha256":"'* ]]
	sqlite3 "$ALGO_STATE" 'SELECT name, first_ms < last_ms FROM strategies ORDER BY name' > "$TMP/s"
	[ "$(tr "\n" " " < "$TMP/s")" = "s1|1 s2|1 " ]
	[ "$(sqlite3 "$ALGO_STATE" "SELECT count(*) FROM strategies WHERE hash IS NOT NULL")" -eq 0 ]
	[ "$(sqlite3 "$ALGO_STATE" "SELECT day, pnl FROM v_daily_pnl WHERE strategy = 's1'")" = "2024-03-01|-5.45" ]
}

@test "report: replaying a pipeline's events twice leaves every table identical" {
	backtest "$TMP/a.db" ema-cross.json
	sqlite3 "$TMP/a.db" .dump > "$TMP/d1"
	algo-ledger --state "$TMP/a.db" < "$TMP/a.db.events" > /dev/null
	algo-ledger --state "$TMP/a.db" < "$TMP/a.db.events" > /dev/null
	sqlite3 "$TMP/a.db" .dump > "$TMP/d2"
	diff "$TMP/d1" "$TMP/d2"
	grep -q 'INSERT INTO runs' "$TMP/d2"
	grep -q 'INSERT INTO run_days' "$TMP/d2"
	grep -q 'INSERT INTO daily_pnl' "$TMP/d2"
	grep -q 'INSERT INTO audit' "$TMP/d2"
}

@test "report: the report unit tests pass" {
	run_unit test_report
}
