#!/usr/bin/env bats
# algo-exec-paper: orders in, order_updates and fills out, everything passed through.
load test_helper
# plain runs keep no state: no $ALGO_STATE here (restarts: 44-exec-restart.bats)
setup() { common_setup; unset ALGO_STATE; }

@test "lib/paperexec: defaults, options together, errors as code and message, notes to the callback, nothing else printed" {
	run_unit test_paperexec
}

E=$FIX/exec
ORD_TAIL='"product":"intraday","validity":"day","mode":"paper","user":"default"}'

# exec_paper IN [ARGS...]: runs algo-exec-paper with IN on stdin; sets $status, leaves
# stdout in $TMP/out and stderr in $TMP/err.
exec_paper() {
	local in=$1
	shift
	status=0
	algo-exec-paper "$@" < "$in" > "$TMP/out" 2> "$TMP/err" || status=$?
}
bar() {   # bar HH:MM SYMBOL O C
	echo '{"type":"bar","ts":"2024-03-01T'"$1"':00+05:30","symbol":"'"$2"'","tf":"1m","o":'"$3"',"h":'"$3"',"l":'"$4"',"c":'"$4"',"v":100}'
}
order() {   # order HH:MM ID SYMBOL SIDE QTY [KIND]
	echo '{"type":"order","ts":"2024-03-01T'"$1"':00+05:30","id":"'"$2"'","strategy":"s","symbol":"'"$3"'","side":"'"$4"'","qty":'"$5"',"kind":"'"${6:-market}"'",'"$ORD_TAIL"
}
# fill_line ARGS... -> the fill event of a one-order run: bar at 09:15 with close C,
# order at 09:15, --fill close.
close_fill() {   # close_fill SIDE QTY CLOSE [exec options]
	local side=$1 qty=$2 c=$3
	shift 3
	{ bar 09:15 NSE:X-EQ "$c" "$c"; order 09:15 x1 NSE:X-EQ "$side" "$qty"; } > "$TMP/in"
	exec_paper "$TMP/in" --fill close "$@"
	[ "$status" -eq 0 ]
	grep '^{"type":"fill"' "$TMP/out"
}

@test "algo-exec-paper: next-open fills at the next bar's open, at its time (golden)" {
	exec_paper "$E/nextopen.ndjson"
	[ "$status" -eq 0 ]
	diff -u "$E/nextopen.out" "$TMP/out"
	# the market order of 09:17 and the buy limit at 740 (never reached) are still working
	[ "$(cat "$TMP/err")" = "algo-exec-paper: 2 orders still working at end of input" ]
	# the filling bar comes first, then the fill, then the filled update
	grep -A2 -Fx '{"type":"bar","ts":"2024-03-01T09:16:00+05:30","symbol":"NSE:SBIN-EQ","tf":"1m","o":753.25,"h":753.4,"l":752.2,"c":753.1,"v":98120}' "$TMP/out" > "$TMP/seq"
	[ "$(sed -n 2p "$TMP/seq")" = '{"type":"fill","ts":"2024-03-01T09:16:00+05:30","id":"emacross2403010001","fill_id":"emacross2403010001-1","strategy":"ema-cross","symbol":"NSE:SBIN-EQ","side":"buy","qty":10,"price":753.25,"fees":{"brokerage":0,"total":0},"remaining":0,"user":"default"}' ]
	[ "$(sed -n 3p "$TMP/seq")" = '{"type":"order_update","ts":"2024-03-01T09:16:00+05:30","id":"emacross2403010001","status":"filled","filled":10,"avg_price":753.25}' ]
}

@test "algo-exec-paper: every input line passes through byte for byte, in order" {
	exec_paper "$E/nextopen.ndjson"
	grep -v -e '^{"type":"order_update",' -e '^{"type":"fill",' "$TMP/out" | cmp - "$E/nextopen.ndjson"
	grep -Fxq '{"type":"foo","ts":"2024-03-01T09:17:00+05:30","x":[1,{"y":2}]}' "$TMP/out"
	printf '%s\n' '{"type":"foo","ts":"…","x":[1,{"y":2}]}' '{ "type" : "note" , "ts":"x" ,"n":1.50000}' > "$TMP/in"
	exec_paper "$TMP/in"
	[ "$status" -eq 0 ]
	cmp "$TMP/in" "$TMP/out"
}

@test "algo-exec-paper: a bar of another symbol, or one not after the order, does not fill it" {
	exec_paper "$E/nextopen.ndjson"
	# order at 09:15; INFY 09:16 and the SBIN 5m bar opening at 09:15 pass without a fill
	[ "$(grep -n '' "$TMP/out" | grep '"type":"fill"' | head -1 | cut -d: -f1)" -eq 9 ]
	# order at 09:17 is not filled by the bar opening at 09:17, but by the 09:18 one
	grep -q '^{"type":"fill","ts":"2024-03-01T09:18:00+05:30","id":"emacross2403010002",.*"price":752.5,' "$TMP/out"
}

@test "algo-exec-paper: slippage and commission exact to the paisa (next-open)" {
	exec_paper "$E/nextopen.ndjson" --slippage-bps 2.5 --commission-bps 3
	[ "$status" -eq 0 ]
	diff -u "$E/nextopen-costs.out" "$TMP/out"
	# buy: 753.25 × 1.00025 = 753.4383125 -> 753.4383; 7534.383 × 0.0003 = 2.2603149 -> 2.26
	grep -Fxq '{"type":"fill","ts":"2024-03-01T09:16:00+05:30","id":"emacross2403010001","fill_id":"emacross2403010001-1","strategy":"ema-cross","symbol":"NSE:SBIN-EQ","side":"buy","qty":10,"price":753.4383,"fees":{"brokerage":2.26,"total":2.26},"remaining":0,"user":"default"}' "$TMP/out"
	# sell: 752.5 × 0.99975 = 752.311875 -> 752.3119 (half away from zero)
	grep -Fxq '{"type":"order_update","ts":"2024-03-01T09:18:00+05:30","id":"emacross2403010002","status":"filled","filled":10,"avg_price":752.3119}' "$TMP/out"
}

@test "algo-exec-paper: --fill close fills at the last close at the order's time; no bar yet is rejected" {
	exec_paper "$E/close.ndjson" --fill close
	[ "$status" -eq 0 ]
	# the sell stop at 750 is accepted (stops are supported since issue 5) and never triggers
	[ "$(cat "$TMP/err")" = "algo-exec-paper: 1 order still working at end of input" ]
	diff -u "$E/close.out" "$TMP/out"
	grep -Fxq '{"type":"order_update","ts":"2024-03-01T09:15:00+05:30","id":"emacross2403010001","status":"rejected","reason":"no price for NSE:SBIN-EQ"}' "$TMP/out"
	exec_paper "$E/close.ndjson" --fill close --slippage-bps 2.5 --commission-bps 3
	diff -u "$E/close-costs.out" "$TMP/out"
}

@test "algo-exec-paper: hand-computed prices and brokerage" {
	# 2450.35 × 37 = 90662.95 turnover; × 2.5 bps = 22.6657375 -> 22.67
	run close_fill buy 37 2450.35 --commission-bps 2.5
	[ "$output" = '{"type":"fill","ts":"2024-03-01T09:15:00+05:30","id":"x1","fill_id":"x1-1","strategy":"s","symbol":"NSE:X-EQ","side":"buy","qty":37,"price":2450.35,"fees":{"brokerage":22.67,"total":22.67},"remaining":0,"user":"default"}' ]
	# exactly half a paisa rounds away from zero: 100 × 0.5 bps = 0.005 -> 0.01
	run close_fill sell 10 10 --commission-bps 0.5
	[[ "$output" == *'"price":10,"fees":{"brokerage":0.01,"total":0.01}'* ]]
	# rounded once: 9.9 × 5 bps = 0.00495 -> 0 (not 0.0050 -> 0.01)
	run close_fill buy 1 9.9 --commission-bps 5
	[[ "$output" == *'"price":9.9,"fees":{"brokerage":0,"total":0}'* ]]
	# sell slippage rounds the result half away from zero: 1.0001 × 0.5 = 0.50005 -> 0.5001
	run close_fill sell 1 1.0001 --slippage-bps 5000
	[[ "$output" == *'"price":0.5001,'* ]]
	run close_fill buy 1 1.0001 --slippage-bps 5000
	[[ "$output" == *'"price":1.5002,'* ]]
	# never below 0.0001
	run close_fill sell 1 0.0001 --slippage-bps 10000
	[[ "$output" == *'"price":0.0001,'* ]]
	# slippage then brokerage on the slipped price: 752.85 × 1.0001 = 752.925285 -> 752.9253;
	# 100 × 752.9253 × 20 bps = 150.58506 -> 150.59
	run close_fill buy 100 752.85 --slippage-bps 1 --commission-bps 20
	[[ "$output" == *'"price":752.9253,"fees":{"brokerage":150.59,"total":150.59}'* ]]
}

@test "algo-exec-paper: orders still working at end of input are reported, not filled" {
	{ bar 09:15 NSE:X-EQ 10 10; order 09:15 a1 NSE:X-EQ buy 1; order 09:15 a2 NSE:Y-EQ sell 2; } > "$TMP/in"
	exec_paper "$TMP/in"
	[ "$status" -eq 0 ]
	[ "$(cat "$TMP/err")" = "algo-exec-paper: 2 orders still working at end of input" ]
	! grep -q '"type":"fill"' "$TMP/out"
	[ "$(grep -c '"status":"accepted"' "$TMP/out")" -eq 2 ]
}

@test "algo-exec-paper: limit and stop_limit orders are accepted; duplicate ids are rejected with a reason" {
	# (until issue 5 non-market kinds were rejected as "not supported yet")
	{ order 09:15 l1 NSE:X-EQ buy 1 limit | sed 's/"kind":"limit"/&,"limit":9.5/'
	  order 09:15 s1 NSE:X-EQ buy 1 stop_limit | sed 's/"kind":"stop_limit"/&,"limit":9.5,"stop":9.6/'
	  order 09:15 m1 NSE:X-EQ buy 1; order 09:15 m1 NSE:X-EQ buy 1; bar 09:16 NSE:X-EQ 11 11; } > "$TMP/in"
	exec_paper "$TMP/in"
	[ "$status" -eq 0 ]
	[ "$(sed -n 2p "$TMP/out")" = '{"type":"order_update","ts":"2024-03-01T09:15:00+05:30","id":"l1","status":"accepted"}' ]
	[ "$(sed -n 4p "$TMP/out")" = '{"type":"order_update","ts":"2024-03-01T09:15:00+05:30","id":"s1","status":"accepted"}' ]
	[ "$(sed -n 8p "$TMP/out")" = '{"type":"order_update","ts":"2024-03-01T09:15:00+05:30","id":"m1","status":"rejected","reason":"duplicate order id"}' ]
	[ "$(grep -c '"type":"fill"' "$TMP/out")" -eq 1 ]
	# a limit order without its price is bad input
	order 09:15 l2 NSE:X-EQ buy 1 limit > "$TMP/in"
	exec_paper "$TMP/in"
	[ "$status" -eq 65 ]
	[ "$(cat "$TMP/err")" = "algo-exec-paper: stdin:1: missing field 'limit'" ]
}

@test "algo-exec-paper: fill ids are the order id and -1; several orders fill on one bar in order" {
	{ order 09:15 b1 NSE:X-EQ buy 1; order 09:15 b2 NSE:X-EQ sell 2; bar 09:16 NSE:X-EQ 11 11; } > "$TMP/in"
	exec_paper "$TMP/in"
	[ "$(grep '"type":"fill"' "$TMP/out" | grep -o '"fill_id":"[^"]*"' | tr '\n' ' ')" = '"fill_id":"b1-1" "fill_id":"b2-1" ' ]
}

@test "algo-exec-paper: bad orders exit 65 naming line and field, after flushing earlier output" {
	good=$(order 09:15 g1 NSE:X-EQ buy 1)
	O='"type":"order","ts":"2024-03-01T09:15:00+05:30","strategy":"s","symbol":"NSE:X-EQ","product":"intraday","validity":"day","mode":"paper"'
	check() {
		printf '%s\n%s\n%s\n' "$good" "$1" "$good" > "$TMP/in"
		exec_paper "$TMP/in"
		[ "$status" -eq 65 ] || { echo "exit $status for $1"; return 1; }
		[ "$(cat "$TMP/err")" = "algo-exec-paper: stdin:2: $2" ] || { echo "stderr: $(cat "$TMP/err")"; echo "want:   $2"; return 1; }
		[ "$(wc -l < "$TMP/out")" -eq 2 ]
	}
	check '{'"$O"',"side":"buy","qty":1,"kind":"market"}' "missing field 'id'"
	check '{'"$O"',"id":"a-b","side":"buy","qty":1,"kind":"market"}' "field 'id': must be 1 to 30 letters or digits"
	check '{'"$O"',"id":"a1234567890123456789012345678901","side":"buy","qty":1,"kind":"market"}' "field 'id': must be 1 to 30 letters or digits"
	check '{'"$O"',"id":5,"side":"buy","qty":1,"kind":"market"}' "field 'id': must be a string"
	check '{'"$O"',"id":"a1","side":"buy","qty":0,"kind":"market"}' "field 'qty': must be a positive integer"
	check '{'"$O"',"id":"a1","side":"buy","qty":-5,"kind":"market"}' "field 'qty': must be a positive integer"
	check '{'"$O"',"id":"a1","side":"buy","qty":"5","kind":"market"}' "field 'qty': must be a number, not a string (\"5\")"
	check '{'"$O"',"id":"a1","side":"buy","qty":5}' "missing field 'kind'"
	check '{'"$O"',"id":"a1","side":"buy","qty":5,"kind":"iceberg"}' "field 'kind': must be market, limit, stop or stop_limit"
	check '{'"$O"',"id":"a1","side":"hold","qty":5,"kind":"market"}' "field 'side': must be \"buy\" or \"sell\""
	check '{'"$O"',"id":"a1","side":"buy","qty":NaN,"kind":"market"}' "malformed JSON at col 167: unexpected character"
	check '{"type":"order","ts":"2024-03-01T09:15:00+05:30","id":"a1","symbol":"X","side":"buy","qty":1,"kind":"market"}' "missing field 'strategy'"
	check '{"type":"order","ts":"2024-03-01T09:15:00+05:30","id":"a1","strategy":"s","side":"buy","qty":1,"kind":"market"}' "missing field 'symbol'"
	check '{"type":"order","ts":"2024-03-01","id":"a1","strategy":"s","symbol":"X","side":"buy","qty":1,"kind":"market"}' "field 'ts': not an RFC 3339 time with offset"
	check '{"type":"bar","ts":"2024-03-01T09:15:00+05:30","symbol":"X","tf":"1m","o":1,"h":2,"l":1.5,"c":1,"v":1}' "field 'l': above min(o, c)"
	check '{"type":"order",' "malformed JSON at col 17: expected a member name"
}

@test "algo-exec-paper: time going back is bad input (bars per symbol and timeframe, orders per symbol)" {
	{ bar 09:16 NSE:X-EQ 10 10; bar 09:15 NSE:Y-EQ 10 10; bar 09:15 NSE:X-EQ 10 10; } > "$TMP/in"
	exec_paper "$TMP/in"
	[ "$status" -eq 65 ]
	[ "$(cat "$TMP/err")" = "algo-exec-paper: stdin:3: field 'ts': 2024-03-01T09:15:00+05:30 is not after the previous bar 2024-03-01T09:16:00+05:30 for NSE:X-EQ 1m" ]
	[ "$(wc -l < "$TMP/out")" -eq 2 ]
	{ order 09:16 a1 NSE:X-EQ buy 1; order 09:15 a2 NSE:X-EQ buy 1; } > "$TMP/in"
	exec_paper "$TMP/in"
	[ "$status" -eq 65 ]
	[ "$(cat "$TMP/err")" = "algo-exec-paper: stdin:2: field 'ts': 2024-03-01T09:15:00+05:30 goes back before 2024-03-01T09:16:00+05:30 for NSE:X-EQ" ]
	[ "$(wc -l < "$TMP/out")" -eq 2 ]
}

@test "algo-exec-paper: a 1 MB line and a truncated last line are bad input; --skip-bad goes on" {
	pad=$(head -c 1048576 /dev/zero | tr '\0' x)
	{ order 09:15 a1 NSE:X-EQ buy 1; printf '{"type":"foo","ts":"x","pad":"%s"}\n' "$pad"; bar 09:16 NSE:X-EQ 10 10; } > "$TMP/in"
	exec_paper "$TMP/in"
	[ "$status" -eq 65 ]
	[ "$(cat "$TMP/err")" = "algo-exec-paper: stdin:2: line longer than 65536 bytes" ]
	[ "$(wc -l < "$TMP/out")" -eq 2 ]
	exec_paper "$TMP/in" --skip-bad
	[ "$status" -eq 0 ]
	[ "$(cat "$TMP/err")" = "algo-exec-paper: stdin:2: line longer than 65536 bytes (skipped)
algo-exec-paper: skipped 1 bad line" ]
	grep -q '"type":"fill"' "$TMP/out"
	{ order 09:15 a1 NSE:X-EQ buy 1; printf '{"type":"bar","ts":"2024-03-01T09:16:00+05:30","symbol":"NSE:X-EQ","tf":"1m","o":1'; } > "$TMP/in"
	exec_paper "$TMP/in"
	[ "$status" -eq 65 ]
	[ "$(cat "$TMP/err")" = "algo-exec-paper: stdin:2: malformed JSON at col 83: expected ',' or '}'" ]
	[ "$(wc -l < "$TMP/out")" -eq 2 ]
}

@test "algo-exec-paper: --skip-bad skips bad orders without updates and counts them" {
	{ order 09:15 a1 NSE:X-EQ buy 1; order 09:15 a-2 NSE:X-EQ buy 1; echo '{"type":"order"'; bar 09:16 NSE:X-EQ 10 10; } > "$TMP/in"
	exec_paper "$TMP/in" --skip-bad
	[ "$status" -eq 0 ]
	[ "$(cat "$TMP/err")" = "algo-exec-paper: stdin:2: field 'id': must be 1 to 30 letters or digits (skipped)
algo-exec-paper: stdin:3: malformed JSON at col 16: expected ',' or '}' (skipped)
algo-exec-paper: skipped 2 bad lines" ]
	[ "$(wc -l < "$TMP/out")" -eq 5 ]
	! grep -q 'a-2' "$TMP/out"
}

@test "algo-exec-paper: algo-risk | algo-exec-paper round trip" {
	run bash -c "algo-risk < '$FIX/risk/basic.ndjson' | algo-exec-paper --commission-bps 3 > '$TMP/out'"
	[ "$status" -eq 0 ]
	# five orders, and the stop-loss and target legs (sl 745.3, tp 767.9) of the entry
	[ "$(grep -c '^{"type":"order_update".*"accepted"' "$TMP/out")" -eq 7 ]
	grep -Fxq '{"type":"order_update","ts":"2024-03-01T09:16:00+05:30","id":"emacross2403010001SL","status":"accepted","reason":"stop-loss leg of emacross2403010001"}' "$TMP/out"
	# entry at 09:15 fills at the 09:16 bar's open; the rest have no later bar
	grep -Fxq '{"type":"fill","ts":"2024-03-01T09:16:00+05:30","id":"emacross2403010001","fill_id":"emacross2403010001-1","strategy":"ema-cross","symbol":"NSE:SBIN-EQ","side":"buy","qty":10,"price":752.9,"fees":{"brokerage":2.26,"total":2.26},"remaining":0,"user":"default"}' "$TMP/out"
	[[ "$output" == *"6 orders still working at end of input"* ]]
}

@test "algo-exec-paper: --help, --version and usage errors" {
	run algo-exec-paper --help
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "Usage: algo-exec-paper "* ]]
	run algo-exec-paper --version
	[ "$output" = "algo-exec-paper 0.1.0" ]
	for args in "--bogus" "-x" "--fill open" "--fill" "--slippage-bps -1" "--slippage-bps abc" \
		"--slippage-bps 10001" "--commission-bps 1.23456" "--commission-bps 2e" "--slippage-bps +2" "extra"; do
		run algo-exec-paper $args < /dev/null
		[ "$status" -eq 2 ] || { echo "$args: exit $status"; false; }
		[[ "$output" == *"Try 'algo-exec-paper --help'"* ]] || { echo "$args: $output"; false; }
	done
	run algo-exec-paper --slippage-bps 10000 --commission-bps 0.0001 < /dev/null
	[ "$status" -eq 0 ]
}
