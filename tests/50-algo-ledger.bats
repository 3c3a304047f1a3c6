#!/usr/bin/env bats
# algo-ledger: pass-through, exact positions/PnL/equity, round trips, reports,
# idempotent replays (also after kill -9), state path resolution, bad input.
load test_helper
bats_require_minimum_version 1.5.0

BASIC=$FIX/ledger/basic.ndjson

# The numbers of basic.ndjson, worked out by hand (capital 100000, money in rupees):
#  line  event                              position s1 AAA (qty, cost)   equity
#   5  P-1 buy 10 @100.5, fee 1            +10, 1005, marked 100.5   100000-1          = 99999     @09:16
#   7  bar 09:17 c 99                      unreal 990-1005 = -15      99999-15          = 99984     @09:17
#   9  bar 09:18 c 99.8                    unreal -7                  99992                         @09:18
#  10  P-2 sell 4 @99.5, fee .5            closes 4 of 10: cost 1005*4/10 = 402, realised 398-402 = -4;
#                                          +6, cost 603, marked 99.5: unreal 597-603 = -6
#                                                                     100000-4-1.5-6    = 99988.5   @09:18
#  12  P-3 sell 6 @99.6, fee .5            closes 6: realised 597.6-603 = -5.4 (total -9.4), flat
#                                                                     100000-9.4-2      = 99988.6   @09:18 (replaces)
#      trip 1: long 10, entry 100.5, exit (4*99.5+6*99.6)/10 = 99.56, pnl 995.6-1005 = -9.4, fees 2, net -11.4
#  19  P-4 sell 5 @99, fee .25            -5, cost -495: equity 100000-9.4-2.25 = 99988.35 @09:20
#  20  bar 09:21 c 98                      unreal -490+495 = 5        99993.35                      @09:21
#  23  P-5 buy 8 @98.2, fee .8             closes 5: realised 495-491 = 4 (total -5.4); opens +3, cost 294.6
#                                                                     100000-5.4-3.05   = 99991.55  @09:22
#      trip 2: short 5, entry 99, exit 98.2, pnl 4, fees .25 + .8*5/8 = .75, net 3.25
#  24  bar 09:23 c 99                      unreal 297-294.6 = 2.4     99993.95                      @09:23
#  25  P-5 again: a duplicate, ignored
#  27  bar 09:24 c 99.1                    unreal 2.7                 99994.25                      @09:24
#  30  P-6 sell 3 @99.3, fee .3            realised 297.9-294.6 = 3.3 (total -2.1), flat, fees 3.35
#                                                                     100000-2.1-3.35   = 99994.55  @09:25
#      trip 3: long 3, entry 98.2, exit 99.3, pnl 3.3, fees .3*3/8 rounded... see below
#  33  P-7 s2 BBB buy 2 @50, fee .1        +2, cost 100               99994.55-.1       = 99994.45  @09:26
#  34  bar BBB 09:27 c 49.75               unreal 99.5-100 = -.5      99993.95                      @09:27
# Trip 3's fees: the flip's fee .8 splits 5/8 = .5 to trip 2 and .3 to trip 3, plus P-6's .3 = .6;
# net 3.3-.6 = 2.7. Charges: brokerage .8+.5+.5+.25+.6+.3+.05 = 3, stt .2, gst .2, exchange .05.

@test "ledger: the store unit tests pass" {
	run_unit test_store
}

@test "ledger: lib/ledgercmd answers in messages and on the stream it is given, printing nothing itself" {
	run_unit test_ledgercmd
}

@test "ledger: every line passes through byte for byte, unknown types and CRLF included" {
	{ cat "$BASIC"; printf '{"type":"whatever","ts":"2024-03-01T09:30:00+05:30","x":{"y":[1,"\\u00e9"]}}\r\n'; } > "$TMP/in"
	algo-ledger < "$TMP/in" > "$TMP/out"
	cmp "$TMP/in" "$TMP/out"
	[ "$(sqlite3 "$ALGO_STATE" 'SELECT count(*) FROM orders')" -eq 7 ]
	[ "$(sqlite3 "$ALGO_STATE" 'SELECT count(*) FROM fills')" -eq 7 ]
}

@test "ledger: positions, realised PnL, fees and orders are exact" {
	algo-ledger < "$BASIC" > /dev/null
	# qty, avg_price, cost, realized, fees, last_price in 1/10,000 rupee
	run sqlite3 "$ALGO_STATE" 'SELECT user, strategy, symbol, qty, avg_price, cost, realized, fees, last_price, updated_ts FROM positions ORDER BY strategy'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "default|s1|NSE:AAA-EQ|0|0|0|-21000|33500|993000|2024-03-01T09:25:00+05:30" ]
	[ "${lines[1]}" = "default|s2|NSE:BBB-EQ|2|500000|1000000|0|1000|497500|2024-03-01T09:27:00+05:30" ]
	[ "${#lines[@]}" -eq 2 ]
	# the human views show rupees
	[ "$(sqlite3 "$ALGO_STATE" "SELECT qty, avg_price, unrealized, fees FROM v_positions WHERE strategy = 's2'")" = "2|50.0|-0.5|0.1" ]
	run sqlite3 "$ALGO_STATE" 'SELECT id, status, filled, avg_price, coalesce(reason, "-") FROM orders ORDER BY ts_ms, id'
	[ "${lines[0]}" = "s1o1|filled|10|1005000|-" ]
	[ "${lines[1]}" = "s1o2|filled|10|995600|-" ]
	[ "${lines[2]}" = "s1o3|new|5|990000|-" ]
	[ "${lines[3]}" = "s1o9|rejected|0||insufficient margin" ]
	[ "${lines[4]}" = "s1o4|new|8|982000|-" ]
	# fees: total when given, the object kept as given
	[ "$(sqlite3 "$ALGO_STATE" "SELECT fees_total, fees_json FROM fills WHERE fill_id = 'P-1'")" = '10000|{"brokerage":0.8,"stt":0.2,"total":1}' ]
}

@test "ledger: equity is recorded when it changes, at the fill's or bar's time" {
	algo-ledger < "$BASIC" > /dev/null
	run sqlite3 "$ALGO_STATE" "SELECT substr(ts, 12, 5), equity FROM v_equity WHERE user = 'default' ORDER BY ts"
	[ "$status" -eq 0 ]
	expected='09:16|99999.0
09:17|99984.0
09:18|99988.6
09:20|99988.35
09:21|99993.35
09:22|99991.55
09:23|99993.95
09:24|99994.25
09:25|99994.55
09:26|99994.45
09:27|99993.95'
	[ "$output" = "$expected" ]
}

@test "ledger: bars alone (flat) write no equity rows" {
	for i in 0 1 2 3 4 5 6 7 8 9; do
		printf '{"type":"bar","ts":"2024-03-01T09:1%d:00+05:30","symbol":"NSE:X-EQ","tf":"1m","o":10,"h":11,"l":9,"c":10.5,"v":5}\n' "$i"
	done > "$TMP/bars"
	algo-ledger < "$TMP/bars" > /dev/null
	[ "$(sqlite3 "$ALGO_STATE" 'SELECT count(*) FROM equity')" -eq 0 ]
	[ "$(sqlite3 "$ALGO_STATE" 'SELECT symbol, tf, ts_ms, price FROM marks')" = "NSE:X-EQ|1m|1709264940000|105000" ]
}

@test "ledger: trades CSV has long and short trips, partial fills and a flip, exact" {
	algo-ledger < "$BASIC" > /dev/null
	algo-ledger trades > "$TMP/trades.csv"
	cat > "$TMP/expected" <<'EOF'
strategy,symbol,side,qty,entry_ts,entry_price,exit_ts,exit_price,pnl,fees,net_pnl
s1,NSE:AAA-EQ,long,10,2024-03-01T09:16:00+05:30,100.5,2024-03-01T09:18:00+05:30,99.56,-9.4,2,-11.4
s1,NSE:AAA-EQ,short,5,2024-03-01T09:20:00+05:30,99,2024-03-01T09:22:00+05:30,98.2,4,0.75,3.25
s1,NSE:AAA-EQ,long,3,2024-03-01T09:22:00+05:30,98.2,2024-03-01T09:25:00+05:30,99.3,3.3,0.6,2.7
EOF
	diff "$TMP/expected" "$TMP/trades.csv"
}

@test "ledger: trades as NDJSON" {
	algo-ledger < "$BASIC" > /dev/null
	run algo-ledger trades --format ndjson
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 3 ]
	[ "${lines[1]}" = '{"strategy":"s1","symbol":"NSE:AAA-EQ","side":"short","qty":5,"entry_ts":"2024-03-01T09:20:00+05:30","entry_price":99,"exit_ts":"2024-03-01T09:22:00+05:30","exit_price":98.2,"pnl":4,"fees":0.75,"net_pnl":3.25}' ]
}

@test "ledger: average prices are exact sums divided once and rounded to 4 decimals" {
	# buy 1 @100.0001 and 2 @100.0002: cost 300.0005, average 100.000166.. -> 100.0002;
	# sell 3 @100.0003: pnl 300.0009 - 300.0005 = 0.0004 exactly; fees .01 + 0 + .03.
	head -3 "$FIX/ledger/variants.ndjson" | "$BIN/algo-ledger" > /dev/null
	[ "$(sqlite3 "$ALGO_STATE" 'SELECT qty, avg_price, cost FROM positions')" = "3|1000002|3000005" ]
	"$BIN/algo-ledger" < "$FIX/ledger/variants.ndjson" > /dev/null
	run algo-ledger trades
	[ "${lines[1]}" = "var,NSE:VAR-EQ,long,3,2024-03-04T09:16:00+05:30,100.0002,2024-03-04T09:18:00+05:30,100.0003,0.0004,0.04,-0.0396" ]
	# the fills had no strategy (taken from the order) and a bare-number or missing fee
	[ "$(sqlite3 "$ALGO_STATE" 'SELECT group_concat(strategy || ":" || fees_total) FROM fills')" = "var:100,var:0,var:300" ]
	[ "$(sqlite3 "$ALGO_STATE" "SELECT filled, avg_price FROM orders WHERE id = 'v1'")" = "3|1000002" ]
}

@test "ledger: report text is exact" {
	algo-ledger < "$BASIC" > /dev/null
	algo-ledger report > "$TMP/report"
	# Trades: nets -11.4, 3.25, 2.7 -> 2 won, 1 lost, 66.67%. Realised -9.4+4+3.3 = -2.1;
	# s2 open 2 @50 marked 49.75: unrealised -.5; gross -2.6; charges 3.45; net -6.05;
	# final 100000-6.05 = 99993.95 (= the last equity point). The peak stays at the
	# capital, the lowest point is 99984: drawdown 16 = 0.016%.
	cat > "$TMP/expected" <<'EOF'
Ledger report for user "default" (money in rupees)
Period            2024-03-01T09:16:00+05:30 to 2024-03-01T09:27:00+05:30
Starting capital  100000
Trades            3 closed: 2 won, 1 lost (win rate 66.67%)
Realised PnL      -2.1
Unrealised PnL    -0.5
Gross PnL         -2.6
Charges           3.45
  brokerage       3
  stt             0.2
  gst             0.2
  exchange        0.05
Net PnL           -6.05
Max drawdown      16 (0.016% of peak equity)
Final equity      99993.95
Open at end       1 position, marked at the last price (in the PnL above):
  OPEN s2 NSE:BBB-EQ long 2 @ 50, last 49.75, unrealised -0.5
EOF
	head -n "$(wc -l < "$TMP/expected")" "$TMP/report" | diff "$TMP/expected" -
	# the metrics section follows (tests/51-ledger-report.bats checks its numbers)
	grep -q '^Sharpe\|^Annual volatility' "$TMP/report"
	[ "$(LC_ALL=C.UTF-8 awk 'length > 80' "$TMP/report" | wc -l)" -eq 0 ]
}

@test "ledger: report json is exact, one object, fixed key order" {
	algo-ledger < "$BASIC" > /dev/null
	run algo-ledger report --format json
	[ "$status" -eq 0 ]
	# the keys of the first version, unchanged and first; the metrics follow
	[[ "$output" == '{"user":"default","capital":100000,"first_ts":"2024-03-01T09:16:00+05:30","last_ts":"2024-03-01T09:27:00+05:30","trades":3,"wins":2,"losses":1,"win_rate_pct":66.67,"realized_pnl":-2.1,"unrealized_pnl":-0.5,"gross_pnl":-2.6,"charges":3.45,"charges_by_component":{"brokerage":3,"stt":0.2,"gst":0.2,"exchange":0.05},"net_pnl":-6.05,"max_drawdown":16,"max_drawdown_pct":0.016,"max_drawdown_peak_ts":null,"max_drawdown_trough_ts":"2024-03-01T09:17:00+05:30","final_equity":99993.95,"open_positions":[{"strategy":"s2","symbol":"NSE:BBB-EQ","side":"long","qty":2,"avg_price":50,"last_price":49.75,"unrealized_pnl":-0.5}],"run":null,'* ]]
	[ "${#lines[@]}" -eq 1 ]
	python3 -c 'import json,sys; json.loads(sys.argv[1])' "$output"
}

@test "ledger: max drawdown in rupees and percent, from different falls" {
	# capital 1000; long 10 @100 without fees (equity unchanged, no row), then closes
	# 110 99 150 138 145 -> equity 1100 990 1500 1380 1450.
	# Falls: 1100->990 = 110 (10% of 1100), 1500->1380 = 120 (8% of 1500).
	# Max drawdown 120 rupees, 10% (peak 09:16, trough 09:17). Open at the end: +450.
	algo-ledger --capital 1000 < "$FIX/ledger/dd.ndjson" > /dev/null
	[ "$(sqlite3 "$ALGO_STATE" 'SELECT group_concat(equity, " ") FROM v_equity')" = "1100.0 990.0 1500.0 1380.0 1450.0" ]
	run algo-ledger report --format json
	[[ "$output" == *'"max_drawdown":120,"max_drawdown_pct":10,"max_drawdown_peak_ts":"2024-03-01T09:16:00+05:30","max_drawdown_trough_ts":"2024-03-01T09:17:00+05:30","final_equity":1450,'* ]]
	[[ "$output" == *'"trades":0,'* ]]
	[[ "$output" == *'"open_positions":[{"strategy":"dd","symbol":"NSE:DD-EQ","side":"long","qty":10,"avg_price":100,"last_price":145,"unrealized_pnl":450}],'* ]]
	run algo-ledger report
	[[ "$output" == *"Max drawdown      120 (10% of peak equity)"* ]]
	[[ "$output" == *"OPEN dd NSE:DD-EQ long 10 @ 100, last 145, unrealised 450"* ]]
}

@test "ledger: replaying the same input changes nothing (dump, report, stdout)" {
	algo-ledger < "$BASIC" > "$TMP/out1"
	sqlite3 "$ALGO_STATE" .dump > "$TMP/dump1"
	algo-ledger report > "$TMP/rep1"
	algo-ledger < "$BASIC" > "$TMP/out2"
	sqlite3 "$ALGO_STATE" .dump > "$TMP/dump2"
	algo-ledger report > "$TMP/rep2"
	diff "$TMP/dump1" "$TMP/dump2"
	diff "$TMP/rep1" "$TMP/rep2"
	cmp "$TMP/out1" "$TMP/out2"
}

@test "ledger: a fill replayed inside a new input is not applied twice" {
	algo-ledger < "$BASIC" > /dev/null
	# P-7 again and the old 09:27 bar (both already applied), then a new bar: s2 is
	# still 2 @50 with fee .1; the new mark 51 gives unrealised 2 and equity
	# 100000 - 2.1 - 3.45 + 2 = 99996.45 at 09:28.
	{
		grep '"P-7"' "$BASIC"
		tail -1 "$BASIC"
		echo '{"type":"bar","ts":"2024-03-01T09:28:00+05:30","symbol":"NSE:BBB-EQ","tf":"1m","o":49.75,"h":51,"l":49.7,"c":51,"v":500}'
	} > "$TMP/more"
	algo-ledger < "$TMP/more" > /dev/null
	[ "$(sqlite3 "$ALGO_STATE" 'SELECT count(*) FROM fills')" -eq 7 ]
	[ "$(sqlite3 "$ALGO_STATE" "SELECT qty, cost, fees, last_price FROM positions WHERE strategy = 's2'")" = "2|1000000|1000|510000" ]
	[ "$(sqlite3 "$ALGO_STATE" "SELECT filled FROM orders WHERE id = 's2o1'")" -eq 2 ]
	[ "$(sqlite3 "$ALGO_STATE" 'SELECT count(*) FROM equity')" -eq 12 ]
	[ "$(sqlite3 "$ALGO_STATE" 'SELECT equity FROM v_equity ORDER BY ts DESC LIMIT 1')" = "99996.45" ]
}

@test "ledger: killed with SIGKILL mid-stream, a replay of the whole input equals one clean run" {
	"$BIN/algo-ledger" --state "$TMP/clean.db" < "$BASIC" > /dev/null
	# A slow producer; the ledger commits whenever it waits for input.
	( while IFS= read -r line; do printf '%s\n' "$line"; sleep 0.05; done < "$BASIC" ) |
		"$BIN/algo-ledger" --state "$TMP/killed.db" > /dev/null &
	pid=$!
	for _ in $(seq 100); do
		n=$(sqlite3 "$TMP/killed.db" 'SELECT count(*) FROM fills' 2>/dev/null || echo 0)
		[ "${n:-0}" -ge 2 ] && break
		sleep 0.05
	done
	kill -9 "$pid"
	wait "$pid" || true
	n=$(sqlite3 "$TMP/killed.db" 'SELECT count(*) FROM fills')
	[ "$n" -ge 2 ] && [ "$n" -lt 7 ]          # really mid-stream
	"$BIN/algo-ledger" --state "$TMP/killed.db" < "$BASIC" > /dev/null
	diff <(sqlite3 "$TMP/clean.db" .dump) <(sqlite3 "$TMP/killed.db" .dump)
	diff <(algo-ledger report --state "$TMP/clean.db") <(algo-ledger report --state "$TMP/killed.db")
}

@test "ledger: SIGTERM commits what was read and exits 143" {
	( head -5 "$BASIC"; sleep 5 ) | "$BIN/algo-ledger" > "$TMP/out" 2> "$TMP/err" &
	pid=$!
	for _ in $(seq 100); do
		[ "$(sqlite3 "$ALGO_STATE" 'SELECT count(*) FROM fills' 2>/dev/null)" = 1 ] && break
		sleep 0.05
	done
	kill -TERM "$pid"
	status=0
	wait "$pid" || status=$?
	[ "$status" -eq 143 ]
	grep -q interrupted "$TMP/err"
	cmp "$TMP/out" <(head -5 "$BASIC")
	[ "$(sqlite3 "$ALGO_STATE" 'SELECT count(*) FROM orders')" -eq 1 ]
}

@test "ledger: state path from --state, else \$ALGO_STATE, else \$XDG_STATE_HOME" {
	algo-ledger --state "$TMP/a/b/opt.db" < "$BASIC" > /dev/null
	[ -f "$TMP/a/b/opt.db" ]
	[ ! -e "$ALGO_STATE" ]
	[ "$(stat -c %a "$TMP/a/b")" = 700 ]
	[ "$(stat -c %a "$TMP/a/b/opt.db")" = 600 ]
	algo-ledger < "$FIX/ledger/dd.ndjson" > /dev/null
	[ -f "$ALGO_STATE" ]
	[ "$(algo-ledger trades --state "$TMP/a/b/opt.db" | wc -l)" -eq 4 ]
	run algo-ledger report --format json
	[[ "$output" == *'"unrealized_pnl":450,'* ]]
	unset ALGO_STATE
	algo-ledger < "$BASIC" > /dev/null
	[ -f "$XDG_STATE_HOME/algo/state.db" ]
	[ "$(algo-ledger trades | wc -l)" -eq 4 ]
}

@test "ledger: report and trades on a missing database exit 66 and create nothing" {
	run algo-ledger report --state "$TMP/none/x.db"
	[ "$status" -eq 66 ]
	[[ "$output" == *"$TMP/none/x.db: no state database"* ]]
	[ ! -e "$TMP/none" ]
	run algo-ledger trades
	[ "$status" -eq 66 ]
	[ ! -e "$ALGO_STATE" ]
}

@test "ledger: --capital is stored on first use; a different one warns and the stored wins" {
	algo-ledger --capital 50000.5 < /dev/null
	[ "$(sqlite3 "$ALGO_STATE" "SELECT value FROM meta WHERE key = 'capital'")" = "50000.5" ]
	run --separate-stderr algo-ledger --capital 70000 < "$FIX/ledger/dd.ndjson"
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"--capital 70000 ignored"*"capital 50000.5"* ]]
	[ "$(sqlite3 "$ALGO_STATE" "SELECT value FROM meta WHERE key = 'capital'")" = "50000.5" ]
	run algo-ledger report
	[[ "$output" == *"Starting capital  50000.5"* ]]
	[[ "$output" == *"Final equity      50450.5"* ]]
	run --separate-stderr algo-ledger --capital 50000.5 < /dev/null
	[ -z "$stderr" ]
}

@test "ledger: usage errors exit 2" {
	run algo-ledger frobnicate
	[ "$status" -eq 2 ]
	[[ "$output" == *"unknown subcommand 'frobnicate'"* ]]
	run algo-ledger report --format xml
	[ "$status" -eq 2 ]
	run algo-ledger orders --format html
	[ "$status" -eq 2 ]
	run algo-ledger report --run 'a b'
	[ "$status" -eq 2 ]
	run algo-ledger --run a --run b
	[ "$status" -eq 2 ]
	run algo-ledger report --from yesterday
	[ "$status" -eq 2 ]
	run algo-ledger orders --before 2024-01-01
	[ "$status" -eq 2 ]
	run algo-ledger trades --format text
	[ "$status" -eq 2 ]
	run algo-ledger --format json
	[ "$status" -eq 2 ]
	run algo-ledger report --skip-bad
	[ "$status" -eq 2 ]
	run algo-ledger --capital -5
	[ "$status" -eq 2 ]
	run algo-ledger --capital 1.00001
	[ "$status" -eq 2 ]
	run algo-ledger report extra
	[ "$status" -eq 2 ]
	run algo-ledger --user ''
	[ "$status" -eq 2 ]
}

# bad_case NAME LINE MESSAGE: two good lines, then LINE; expects exit 65 naming
# stdin:3 and MESSAGE, the good lines on stdout and in the database.
bad_case() {
	local good1='{"type":"order","ts":"2024-03-01T09:15:00+05:30","id":"b1","strategy":"s","symbol":"NSE:B-EQ","side":"buy","qty":1,"kind":"market","product":"intraday","validity":"day","mode":"paper","user":"default"}'
	local good2='{"type":"bar","ts":"2024-03-01T09:15:00+05:30","symbol":"NSE:B-EQ","tf":"1m","o":10,"h":11,"l":9,"c":10,"v":5}'
	rm -f "$ALGO_STATE"*
	printf '%s\n%s\n%s\n' "$good1" "$good2" "$2" > "$TMP/bad"
	run --separate-stderr "$BIN/algo-ledger" < "$TMP/bad"
	[ "$status" -eq 65 ] || { echo "$1: exit $status, stderr $stderr"; return 1; }
	[[ "$stderr" == "algo-ledger: stdin:3: "*"$3"* ]] || { echo "$1: stderr '$stderr'"; return 1; }
	[ "$output" = "$good1"$'\n'"$good2" ] || { echo "$1: stdout '$output'"; return 1; }
	[ "$(sqlite3 "$ALGO_STATE" 'SELECT count(*) FROM orders')" -eq 1 ] || { echo "$1: order not committed"; return 1; }
}

@test "ledger: bad input exits 65 with file:line and the field, after committing" {
	F='{"type":"fill","ts":"2024-03-01T09:16:00+05:30","id":"b1","fill_id":"F1","strategy":"s","symbol":"NSE:B-EQ","side":"buy"'
	bad_case malformed '{"type":"fill","ts":"2024-03-01T09:16:00+05:30",' "malformed JSON"
	bad_case not-object '[1,2]' "expected '{'"
	bad_case no-ts '{"type":"fill"}' "missing field 'ts'"
	bad_case missing "$F"',"qty":1,"fees":{"brokerage":0,"total":0}}' "missing field 'price'"
	bad_case wrong-type "$F"',"qty":"1","price":10}' "field 'qty': must be a number"
	bad_case negative-qty "$F"',"qty":-5,"price":10}' "field 'qty': must be a positive integer"
	bad_case fraction-qty "$F"',"qty":1.5,"price":10}' "field 'qty': must be a positive integer"
	bad_case zero-price "$F"',"qty":1,"price":0}' "field 'price': must be a positive price"
	bad_case nan "$F"',"qty":1,"price":NaN}' "malformed JSON"
	bad_case huge "$F"',"qty":1,"price":1e999}' "field 'price'"
	bad_case five-decimals "$F"',"qty":1,"price":10.00001}' "more than 4 decimals"
	bad_case neg-fee "$F"',"qty":1,"price":10,"fees":{"brokerage":-1}}' "field 'fees.brokerage': must not be negative"
	bad_case str-fee "$F"',"qty":1,"price":10,"fees":{"brokerage":"1"}}' "field 'fees.brokerage': must be a number"
	bad_case arr-fee "$F"',"qty":1,"price":10,"fees":[1]}' "field 'fees': must be an object"
	bad_case side '{"type":"order","ts":"2024-03-01T09:15:00+05:30","id":"b2","strategy":"s","symbol":"NSE:B-EQ","side":"long","qty":1,"kind":"market"}' "field 'side': must be \"buy\" or \"sell\""
	bad_case order-id '{"type":"order","ts":"2024-03-01T09:15:00+05:30","id":"b-2","strategy":"s","symbol":"NSE:B-EQ","side":"buy","qty":1,"kind":"market"}' "field 'id': must be 1 to 30 letters or digits"
	bad_case kind '{"type":"order","ts":"2024-03-01T09:15:00+05:30","id":"b2","strategy":"s","symbol":"NSE:B-EQ","side":"buy","qty":1,"kind":"iceberg"}' "field 'kind': must be one of market|limit|stop|stop_limit"
	bad_case status '{"type":"order_update","ts":"2024-03-01T09:15:00+05:30","id":"b1","status":"done"}' "field 'status': must be one of"
	bad_case bad-ts '{"type":"order_update","ts":"yesterday","id":"b1","status":"filled"}' "field 'ts': not an RFC 3339 time"
	bad_case time-back '{"type":"bar","ts":"2024-03-01T09:14:00+05:30","symbol":"NSE:B-EQ","tf":"1m","o":10,"h":11,"l":9,"c":10,"v":5}' "field 'ts': 2024-03-01T09:14:00+05:30 is not after the previous NSE:B-EQ 1m bar"
	bad_case same-time '{"type":"bar","ts":"2024-03-01T09:15:00+05:30","symbol":"NSE:B-EQ","tf":"1m","o":10,"h":11,"l":9,"c":10,"v":5}' "is not after the previous"
	bad_case h-below-l '{"type":"bar","ts":"2024-03-01T09:16:00+05:30","symbol":"NSE:B-EQ","tf":"1m","o":10,"h":9,"l":11,"c":10,"v":5}' "field 'h'"
}

@test "ledger: a 1 MB line is bad input naming its line" {
	{ head -3 "$BASIC"; printf '{"type":"note","ts":"2024-03-01T09:15:00+05:30","pad":"'; head -c 1048576 /dev/zero | tr '\0' x; printf '"}\n'; sed -n 4,5p "$BASIC"; } > "$TMP/big"
	run --separate-stderr algo-ledger < "$TMP/big"
	[ "$status" -eq 65 ]
	[ "$stderr" = "algo-ledger: stdin:4: line longer than 65536 bytes" ]
	[ "$output" = "$(head -3 "$BASIC")" ]
	run --separate-stderr algo-ledger --skip-bad < "$TMP/big"
	[ "$status" -eq 0 ]
	[ "$output" = "$(head -3 "$BASIC"; sed -n 4,5p "$BASIC")" ]
	[ "$(sqlite3 "$ALGO_STATE" 'SELECT count(*) FROM fills')" -eq 1 ]
}

@test "ledger: a truncated last line is bad input; a complete one without newline is fine" {
	{ head -5 "$BASIC"; printf '{"type":"bar","ts":"2024-03-01T09:17:00+05:30","sym'; } > "$TMP/trunc"
	run --separate-stderr algo-ledger < "$TMP/trunc"
	[ "$status" -eq 65 ]
	[[ "$stderr" == "algo-ledger: stdin:6: malformed JSON"* ]]
	[ "$(sqlite3 "$ALGO_STATE" 'SELECT count(*) FROM fills')" -eq 1 ]
	rm -f "$ALGO_STATE"*
	{ head -5 "$BASIC"; sed -n 6p "$BASIC" | tr -d '\n'; } > "$TMP/nonl"
	run algo-ledger < "$TMP/nonl"
	[ "$status" -eq 0 ]
	[ "$output" = "$(head -6 "$BASIC")" ]
	[ "$(sqlite3 "$ALGO_STATE" "SELECT status FROM orders")" = filled ]
}

@test "ledger: --skip-bad warns, skips and counts, and records the rest" {
	{ sed -n 1,4p "$BASIC"; echo '{"type":"fill",'; sed -n 5,9p "$BASIC"; echo '{"type":"order","ts":"2024-03-01T09:18:00+05:30","id":"x","qty":-1}'; sed -n '10,$p' "$BASIC"; } > "$TMP/in"
	run --separate-stderr algo-ledger --skip-bad < "$TMP/in"
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$BASIC")" ]
	[[ "$stderr" == *"stdin:5: malformed JSON"*"(skipped)"* ]]
	[[ "$stderr" == *"stdin:11: "*"(skipped)"* ]]
	[[ "$stderr" == *"algo-ledger: skipped 2 bad lines" ]]
	# the same ledger as from the clean input
	algo-ledger report > "$TMP/r1"
	rm -f "$ALGO_STATE"*
	algo-ledger < "$BASIC" > /dev/null
	algo-ledger report | diff "$TMP/r1" -
}

@test "ledger: --user names the user of events without one; reports are per user" {
	"$BIN/algo-ledger" --user alice < "$FIX/ledger/variants.ndjson" > /dev/null
	algo-ledger < "$BASIC" > /dev/null
	[ "$(sqlite3 "$ALGO_STATE" 'SELECT user, count(*) FROM fills GROUP BY user ORDER BY user' | tr '\n' ' ')" = "alice|3 default|7 " ]
	[ "$(algo-ledger trades --user alice | wc -l)" -eq 2 ]
	[ "$(algo-ledger trades | wc -l)" -eq 4 ]
	run algo-ledger report --user alice --format json
	[[ "$output" == '{"user":"alice","capital":100000,'*'"trades":1,'*'"charges_by_component":{"brokerage":0.02,"stt":0.01,"other":0.01},"net_pnl":-0.0396,'* ]]
}

@test "ledger: a schema v1 database (as the first build wrote it) migrates with every row intact" {
	sqlite3 "$TMP/v1.db" < "$FIX/ledger/v1-state.sql"
	[ "$(sqlite3 "$TMP/v1.db" 'PRAGMA user_version')" -eq 1 ]
	for t in orders fills positions marks; do
		sqlite3 "$TMP/v1.db" "SELECT * FROM $t ORDER BY rowid" > "$TMP/before-$t"
	done
	sqlite3 "$TMP/v1.db" 'SELECT user, ts_ms, equity FROM equity ORDER BY user, ts_ms' > "$TMP/before-equity"
	# a read-only command opens (and migrates) it
	algo-ledger report --state "$TMP/v1.db" > "$TMP/report-v1"
	[ "$(sqlite3 "$TMP/v1.db" 'PRAGMA user_version')" -ge 2 ]
	for t in orders fills positions marks; do
		# the old columns keep their values; new columns come last
		n=$(head -1 "$TMP/before-$t" | tr '|' '\n' | wc -l)
		sqlite3 "$TMP/v1.db" "SELECT * FROM $t ORDER BY rowid" | cut -d'|' -f1-"$n" | diff "$TMP/before-$t" - || { echo "$t changed"; false; }
	done
	sqlite3 "$TMP/v1.db" 'SELECT user, ts_ms, equity FROM equity ORDER BY user, ts_ms' | diff "$TMP/before-equity" -
	[ "$(sqlite3 "$TMP/v1.db" "SELECT count(*) FROM equity WHERE run = ''")" -eq 13 ]
	# the report equals that of the same events recorded by this build
	"$BIN/algo-ledger" --state "$TMP/new.db" < "$BASIC" > /dev/null
	algo-ledger report --state "$TMP/new.db" | head -17 > "$TMP/report-new"
	head -17 "$TMP/report-v1" | diff "$TMP/report-new" -
	run algo-ledger report --state "$TMP/v1.db" --user alice --format json
	[[ "$output" == '{"user":"alice","capital":100000,'*'"trades":1,'* ]]
	# recording goes on: the old events again change nothing, a new bar marks s2
	"$BIN/algo-ledger" --state "$TMP/v1.db" < "$BASIC" > /dev/null
	sqlite3 "$TMP/v1.db" 'SELECT user, fill_id, qty, price FROM fills ORDER BY rowid' > "$TMP/f2"
	[ "$(wc -l < "$TMP/f2")" -eq 10 ]
	echo '{"type":"bar","ts":"2024-03-01T09:28:00+05:30","symbol":"NSE:BBB-EQ","tf":"1m","o":49.75,"h":51,"l":49.7,"c":51,"v":500}' |
		"$BIN/algo-ledger" --state "$TMP/v1.db" > /dev/null
	[ "$(sqlite3 "$TMP/v1.db" "SELECT last_price FROM positions WHERE strategy = 's2'")" -eq 510000 ]
	"$BIN/algo-ledger" audit verify --state "$TMP/v1.db"
}
