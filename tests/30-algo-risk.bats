#!/usr/bin/env bats
# algo-risk: signals in, orders or risk_blocks out, everything passed through.
load test_helper
# plain pipelines keep state in memory only: no $ALGO_STATE here (see 32-risk-kill.bats)
setup() { common_setup; unset ALGO_STATE; }

R=$FIX/risk
TS='"ts":"2024-03-01T09:15:00+05:30"'
SIG='{"type":"signal","ts":"2024-03-01T09:15:00+05:30","strategy":"ema-cross","symbol":"NSE:SBIN-EQ","action":"entry","side":"buy","qty":10,"ref":752.85,"reason":"r"}'

# risk IN [ARGS...]: runs algo-risk with IN on stdin; sets $status, leaves stdout in
# $TMP/out and stderr in $TMP/err.
risk() {
	local in=$1
	shift
	status=0
	algo-risk "$@" < "$in" > "$TMP/out" 2> "$TMP/err" || status=$?
}
# bad_signal JSON MESSAGE: a good signal, then JSON as line 2 -> exit 65, MESSAGE on
# stderr, and the first signal's output already flushed.
bad_line() {
	printf '%s\n%s\n%s\n' "$SIG" "$1" "$SIG" > "$TMP/in"
	risk "$TMP/in"
	[ "$status" -eq 65 ] || { echo "exit $status for: $1"; cat "$TMP/err"; return 1; }
	[ "$(cat "$TMP/err")" = "algo-risk: stdin:2: $2" ] || { echo "stderr: $(cat "$TMP/err")"; echo "want:   algo-risk: stdin:2: $2"; return 1; }
	[ "$(wc -l < "$TMP/out")" -eq 2 ] || { cat "$TMP/out"; return 1; }
	head -1 "$TMP/out" | cmp - <(echo "$SIG")
	sed -n 2p "$TMP/out" | grep -q '"type":"order"'
}
# bad_config JSON MESSAGE: algo-risk -c with JSON as the file -> exit 78 and MESSAGE.
bad_config() {
	printf '%s\n' "$1" > "$TMP/risk.json"
	echo "$SIG" > "$TMP/in"
	risk "$TMP/in" -c "$TMP/risk.json"
	[ "$status" -eq 78 ] || { echo "exit $status for: $1"; cat "$TMP/err"; return 1; }
	[ "$(cat "$TMP/err")" = "algo-risk: $TMP/risk.json: $2" ] || { echo "stderr: $(cat "$TMP/err")"; echo "want:   algo-risk: $TMP/risk.json: $2"; return 1; }
	[ ! -s "$TMP/out" ]
}

@test "lib: book (positions, average price, realised PnL, flips), risk and fillsim helpers" {
	run_unit test_book
}

@test "algo-risk: entries, exits, position blocks and pass-through match the golden output" {
	risk "$R/basic.ndjson"
	[ "$status" -eq 0 ]
	[ ! -s "$TMP/err" ]
	diff -u "$R/basic.out" "$TMP/out"
}

@test "algo-risk: every input line passes through byte for byte, in order" {
	risk "$R/basic.ndjson"
	grep -v -e '^{"type":"order",' -e '^{"type":"risk_block",' "$TMP/out" | cmp - "$R/basic.ndjson"
	grep -Fxq '{"type":"foo","ts":"2024-03-01T09:19:00+05:30","x":[1,{"y":2}]}' "$TMP/out"
	printf '%s\n' '{"type":"foo","ts":"…","x":[1,{"y":2}]}' '{ "type" : "zzz" , "ts":"x" ,"n":1.50000}' > "$TMP/in"
	risk "$TMP/in"
	[ "$status" -eq 0 ]
	cmp "$TMP/in" "$TMP/out"
}

@test "algo-risk: each order or risk_block comes right after its signal, with the signal's ts" {
	risk "$R/basic.ndjson"
	run awk '/^{"type":"(order|risk_block)"/ { if (prev !~ /^{"type":"signal"/) bad = bad NR " "
		split($0, a, "\"ts\":\""); split(prev, b, "\"ts\":\""); if (substr(a[2], 1, 25) != substr(b[2], 1, 25)) bad = bad "ts" NR " " }
		{ prev = $0 } END { print bad; print n }' "$TMP/out"
	[ -z "${lines[0]}" ]
	[ "$(grep -c '^{"type":"order"' "$TMP/out")" -eq 5 ]
	[ "$(grep -c '^{"type":"risk_block"' "$TMP/out")" -eq 4 ]
}

@test "algo-risk: exit quantity is clipped to the position; entry while long and exit while flat are blocked" {
	risk "$R/basic.ndjson"
	grep -Fxq '{"type":"order","ts":"2024-03-01T09:17:00+05:30","id":"emacross2403010002","strategy":"ema-cross","symbol":"NSE:SBIN-EQ","side":"sell","qty":10,"kind":"market","product":"intraday","validity":"day","mode":"paper","user":"default","reduce_only":true}' "$TMP/out"
	grep -Fxq '{"type":"risk_block","ts":"2024-03-01T09:16:00+05:30","strategy":"ema-cross","symbol":"NSE:SBIN-EQ","side":"buy","qty":10,"rule":"position","value":10,"reason":"entry while long 10","user":"default"}' "$TMP/out"
	grep -Fxq '{"type":"risk_block","ts":"2024-03-01T09:17:00+05:30","strategy":"ema-cross","symbol":"NSE:SBIN-EQ","side":"sell","qty":5,"rule":"position","value":0,"reason":"exit while flat","user":"default"}' "$TMP/out"
}

@test "algo-risk: order ids: sequence, day rollover, IST date, 30-char limit, names with symbols, users" {
	risk "$R/ids.ndjson"
	[ "$status" -eq 0 ]
	diff -u "$R/ids.out" "$TMP/out"
	ids=$(grep -o '"id":"[^"]*"' "$TMP/out" | cut -d'"' -f4)
	[ "$(echo "$ids" | grep -cvE '^[A-Za-z0-9]{1,30}$')" -eq 0 ]
	echo "$ids" | grep -qx 'averylongstrategynam2403010001'
	[ "${#ids}" -gt 0 ]
	[ "$(echo "$ids" | awk '{ print length }' | sort -n | tail -1)" -eq 30 ]
}

@test "algo-risk: --user names signals without a user; a signal's own user wins" {
	risk "$R/ids.ndjson" --user bob
	[ "$status" -eq 0 ]
	[ "$(grep -c '^{"type":"order".*"user":"bob"\(,"reduce_only":true\)\?}$' "$TMP/out")" -eq 9 ]
	grep -q '^{"type":"order".*"id":"emacross2403010001".*"user":"alice"}$' "$TMP/out"
}

@test "algo-risk: --mode and --product are written into orders" {
	echo "$SIG" > "$TMP/in"
	risk "$TMP/in" --mode live --product delivery
	[ "$status" -eq 0 ]
	[ "$(sed -n 2p "$TMP/out")" = '{"type":"order","ts":"2024-03-01T09:15:00+05:30","id":"emacross2403010001","strategy":"ema-cross","symbol":"NSE:SBIN-EQ","side":"buy","qty":10,"kind":"market","product":"delivery","validity":"day","mode":"live","user":"default"}' ]
}

@test "algo-risk: ref, sl, tp are optional; sl and tp are copied into the order" {
	printf '%s\n' '{"type":"signal",'"$TS"',"strategy":"a","symbol":"NSE:X-EQ","action":"entry","side":"sell","qty":3,"reason":"no ref"}' \
		'{"type":"signal",'"$TS"',"strategy":"b","symbol":"NSE:X-EQ","action":"entry","side":"buy","qty":3,"ref":100,"reason":"r","sl":98.5,"tp":104.2500}' > "$TMP/in"
	risk "$TMP/in"
	[ "$status" -eq 0 ]
	[ "$(sed -n 2p "$TMP/out")" = '{"type":"order","ts":"2024-03-01T09:15:00+05:30","id":"a2403010001","strategy":"a","symbol":"NSE:X-EQ","side":"sell","qty":3,"kind":"market","product":"intraday","validity":"day","mode":"paper","user":"default"}' ]
	[ "$(sed -n 4p "$TMP/out")" = '{"type":"order","ts":"2024-03-01T09:15:00+05:30","id":"b2403010001","strategy":"b","symbol":"NSE:X-EQ","side":"buy","qty":3,"kind":"market","product":"intraday","validity":"day","mode":"paper","user":"default","sl":98.5,"tp":104.25}' ]
}

@test "algo-risk: max_trades_per_day, max_position_qty, per-strategy overrides and day reset" {
	risk "$R/limits.ndjson" -c "$R/limits.json"
	[ "$status" -eq 0 ]
	[ ! -s "$TMP/err" ]
	diff -u "$R/limits.out" "$TMP/out"
	grep -Fxq '{"type":"risk_block","ts":"2024-03-01T09:20:00+05:30","strategy":"ema-cross","symbol":"NSE:SBIN-EQ","side":"buy","qty":10,"rule":"max_trades_per_day","limit":2,"value":2,"reason":"2 trades today, limit 2","user":"default"}' "$TMP/out"
	grep -Fxq '{"type":"risk_block","ts":"2024-03-01T09:17:00+05:30","strategy":"ema-cross","symbol":"NSE:SBIN-EQ","side":"sell","qty":150,"rule":"max_position_qty","limit":100,"value":150,"reason":"position of 150 would exceed limit 100","user":"default"}' "$TMP/out"
	grep -q '^{"type":"risk_block","ts":"2024-03-01T09:27:00+05:30","strategy":"scalper",.*"limit":3,"value":3,' "$TMP/out"
	grep -q '^{"type":"order","ts":"2024-03-01T09:28:00+05:30","id":"big2403010001",.*"qty":400,' "$TMP/out"
	grep -q '^{"type":"order","ts":"2024-03-04T09:15:00+05:30","id":"emacross2403040001",' "$TMP/out"
}

@test "algo-risk: without -c there are no limits, positions are still checked" {
	risk "$R/limits.ndjson"
	[ "$status" -eq 0 ]
	! grep -q '"rule":"max_' "$TMP/out"
	[ "$(grep -c '^{"type":"order"' "$TMP/out")" -eq 12 ]
	grep -q '^{"type":"order","ts":"2024-03-01T09:17:00+05:30",.*"qty":150,' "$TMP/out"
	grep -q '"reason":"entry while short 150"' "$TMP/out"
}

@test "algo-risk: max_trades_per_day 0 blocks every entry; a limit of 1 says '1 trade'" {
	echo '{"max_trades_per_day":0}' > "$TMP/r0.json"
	echo "$SIG" > "$TMP/in"
	risk "$TMP/in" -c "$TMP/r0.json"
	[ "$(sed -n 2p "$TMP/out")" = '{"type":"risk_block","ts":"2024-03-01T09:15:00+05:30","strategy":"ema-cross","symbol":"NSE:SBIN-EQ","side":"buy","qty":10,"rule":"max_trades_per_day","limit":0,"value":0,"reason":"0 trades today, limit 0","user":"default"}' ]
	echo '{"max_trades_per_day":1}' > "$TMP/r1.json"
	printf '%s\n' "$SIG" '{"type":"signal",'"$TS"',"strategy":"ema-cross","symbol":"NSE:SBIN-EQ","action":"exit","side":"sell","qty":10,"ref":1,"reason":"r"}' "$SIG" > "$TMP/in"
	risk "$TMP/in" -c "$TMP/r1.json"
	[ "$(sed -n 6p "$TMP/out")" = '{"type":"risk_block","ts":"2024-03-01T09:15:00+05:30","strategy":"ema-cross","symbol":"NSE:SBIN-EQ","side":"buy","qty":10,"rule":"max_trades_per_day","limit":1,"value":1,"reason":"1 trade today, limit 1","user":"default"}' ]
}

@test "algo-risk: the order id sequence of a day ends at 9999, then order_id blocks" {
	# one signal a second from 09:00:00 (below the default 8 orders per second)
	awk 'BEGIN { for (i = 1; i <= 10001; i++)
		printf "{\"type\":\"signal\",\"ts\":\"2024-03-01T%02d:%02d:%02d+05:30\",\"strategy\":\"t\",\"symbol\":\"NSE:X-EQ\",\"action\":\"%s\",\"side\":\"%s\",\"qty\":1,\"ref\":10,\"reason\":\"r\"}\n",
			9 + int((i - 1) / 3600), int((i - 1) % 3600 / 60), (i - 1) % 60,
			i % 2 ? "entry" : "exit", i % 2 ? "buy" : "sell" }' > "$TMP/in"
	risk "$TMP/in"
	[ "$status" -eq 0 ]
	[ "$(grep -c '^{"type":"order"' "$TMP/out")" -eq 9999 ]
	grep -q '"id":"t2403019999"' "$TMP/out"
	[ "$(grep '^{"type":"risk_block"' "$TMP/out" | head -1)" = '{"type":"risk_block","ts":"2024-03-01T11:46:39+05:30","strategy":"t","symbol":"NSE:X-EQ","side":"sell","qty":1,"rule":"order_id","limit":9999,"value":10000,"reason":"order id sequence for '"'t'"' on 240301 exhausted","user":"default"}' ]
	# the next day starts again at 0001
	echo '{"type":"signal","ts":"2024-03-02T10:00:00+05:30","strategy":"t","symbol":"NSE:X-EQ","action":"exit","side":"sell","qty":1,"ref":10,"reason":"r"}' >> "$TMP/in"
	risk "$TMP/in"
	tail -1 "$TMP/out" | grep -q '"id":"t2403020001"'
}

@test "algo-risk: a bad risk file exits 78 naming the JSON path" {
	bad_config '{"max_trade_per_day":5}' "\$.max_trade_per_day: unknown key (did you mean 'max_trades_per_day'?)"
	bad_config '{"strategies":{"ema-cross":{"max_trades":5}}}' "\$.strategies[\"ema-cross\"].max_trades: unknown key (did you mean 'max_trades_per_day'?)"
	bad_config '{"strategies":{"ema":{"strategies":{}}}}' "\$.strategies.ema.strategies: unknown key"
	bad_config '{"colour":"red"}' "\$.colour: unknown key"
	bad_config '{"max_position_qty":"100"}' "\$.max_position_qty: must be a whole number from 0 to 1000000000000"
	bad_config '{"max_position_qty":-1}' "\$.max_position_qty: must be a whole number from 0 to 1000000000000"
	bad_config '{"max_position_qty":1.5}' "\$.max_position_qty: must be a whole number from 0 to 1000000000000"
	bad_config '{"strategies":{"ema":{"max_position_qty":null}}}' "\$.strategies.ema.max_position_qty: must be a whole number from 0 to 1000000000000"
	bad_config '{"strategies":[]}' "\$.strategies: must be an object"
	bad_config '{"strategies":{"ema":5}}' "\$.strategies.ema: must be an object"
	bad_config '[1]' "\$: must be an object"
}

@test "algo-risk: a risk file that is not JSON exits 78 naming line and column" {
	echo "$SIG" > "$TMP/in"
	printf '{"max_position_qty":1,"max_position_qty":2}\n' > "$TMP/dup.json"
	risk "$TMP/in" -c "$TMP/dup.json"
	[ "$status" -eq 78 ]
	[ "$(cat "$TMP/err")" = "algo-risk: $TMP/dup.json:1:40: duplicate object key near '\"max_position_qty\"'" ]
	printf '{"max_position_qty":\n' > "$TMP/cut.json"
	risk "$TMP/in" -c "$TMP/cut.json"
	[ "$status" -eq 78 ]
	[ "$(cat "$TMP/err")" = "algo-risk: $TMP/cut.json:2:0: unexpected token near end of file" ]
	[ ! -s "$TMP/out" ]
}

@test "algo-risk: a risk file that cannot be opened exits 66" {
	echo "$SIG" > "$TMP/in"
	risk "$TMP/in" -c "$TMP/missing.json"
	[ "$status" -eq 66 ]
	[ "$(cat "$TMP/err")" = "algo-risk: $TMP/missing.json: No such file or directory" ]
	[ ! -s "$TMP/out" ]
}

@test "algo-risk: bad signals exit 65 naming line and field, after flushing earlier output" {
	S='"type":"signal","ts":"2024-03-01T09:15:00+05:30","strategy":"ema-cross","symbol":"NSE:SBIN-EQ"'
	bad_line '{"type":"signal",' "malformed JSON at col 18: expected a member name"
	bad_line '{'"$S"',"action":"entry","side":"buy","reason":"r"}' "missing field 'qty'"
	bad_line '{'"$S"',"action":"entry","side":"buy","qty":"10"}' "field 'qty': must be a number, not a string (\"10\")"
	bad_line '{'"$S"',"action":"entry","side":"buy","qty":-10}' "field 'qty': must be a positive integer"
	bad_line '{'"$S"',"action":"entry","side":"buy","qty":0}' "field 'qty': must be a positive integer"
	bad_line '{'"$S"',"action":"entry","side":"buy","qty":2.5}' "field 'qty': must be a positive integer"
	bad_line '{'"$S"',"action":"entry","side":"buy","qty":1e400}' "field 'qty': must be a positive integer"
	bad_line '{'"$S"',"action":"entry","side":"buy","qty":10,"ref":NaN}' "malformed JSON at col 142: unexpected character"
	bad_line '{'"$S"',"action":"entry","side":"buy","qty":10,"ref":"NaN"}' "field 'ref': must be a number, not a string (\"NaN\")"
	bad_line '{'"$S"',"action":"entry","side":"buy","qty":10,"ref":-752.85}' "field 'ref': must be a positive price"
	bad_line '{'"$S"',"action":"entry","side":"buy","qty":10,"sl":1.00001}' "field 'sl': 1.00001 is out of range or has more than 4 decimals"
	bad_line '{'"$S"',"action":"hold","side":"buy","qty":10}' "field 'action': must be \"entry\" or \"exit\""
	bad_line '{'"$S"',"action":"entry","side":"long","qty":10}' "field 'side': must be \"buy\" or \"sell\""
	bad_line '{'"$S"',"action":"entry","side":1,"qty":10}' "field 'side': must be a string"
	bad_line '{'"$S"',"side":"buy","qty":10}' "missing field 'action'"
	bad_line '{'"$S"',"action":"entry","side":"buy","qty":10,"user":""}' "field 'user': must not be empty"
	bad_line '{"type":"signal","ts":"2024-03-01T09:15:00+05:30","symbol":"X","action":"entry","side":"buy","qty":1}' "missing field 'strategy'"
	bad_line '{"type":"signal","ts":"2024-03-01T09:15:00+05:30","strategy":"a","symbol":"","action":"entry","side":"buy","qty":1}' "field 'symbol': must not be empty"
	bad_line '{"type":"signal","ts":"2024-03-01T09:15:00+05:30","strategy":"a\u0001b","symbol":"y","action":"entry","side":"buy","qty":1}' "field 'strategy': must not contain control characters"
	bad_line '{"type":"signal","ts":"yesterday","strategy":"a","symbol":"y","action":"entry","side":"buy","qty":1}' "field 'ts': not an RFC 3339 time with offset"
	bad_line '{"type":"bar","ts":"2024-03-01T09:15:00+05:30","symbol":"X","tf":"1m","o":1,"h":0.5,"l":0.4,"c":1,"v":1}' "field 'h': below max(o, c)"
	bad_line '[1]' "malformed JSON at col 1: expected '{'"
	bad_line '{"ts":"2024-03-01T09:15:00+05:30"}' "missing field 'type'"
	bad_line '' "malformed JSON at col 1: empty line"
}

@test "algo-risk: time going back for a symbol is bad input (bars per timeframe, signals)" {
	bar() { echo '{"type":"bar","ts":"2024-03-01T'"$1"':00+05:30","symbol":"NSE:X-EQ","tf":"'"$2"'","o":10,"h":10,"l":10,"c":10,"v":1}'; }
	{ bar 09:16 1m; bar 09:15 5m; bar 09:15 1m; } > "$TMP/in"
	risk "$TMP/in"
	[ "$status" -eq 65 ]
	[ "$(cat "$TMP/err")" = "algo-risk: stdin:3: field 'ts': 2024-03-01T09:15:00+05:30 is not after the previous bar 2024-03-01T09:16:00+05:30 for NSE:X-EQ 1m" ]
	[ "$(wc -l < "$TMP/out")" -eq 2 ]
	{ bar 09:16 1m; bar 09:16 1m; } > "$TMP/in"
	risk "$TMP/in"
	[ "$status" -eq 65 ]
	grep -q 'stdin:2: .*is not after the previous bar' "$TMP/err"
	printf '%s\n' '{"type":"signal","ts":"2024-03-01T09:16:00+05:30","strategy":"a","symbol":"NSE:X-EQ","action":"entry","side":"buy","qty":1,"ref":1,"reason":"r"}' \
		'{"type":"signal","ts":"2024-03-01T09:16:00+05:30","strategy":"b","symbol":"NSE:X-EQ","action":"entry","side":"buy","qty":1,"ref":1,"reason":"same time is fine"}' \
		'{"type":"signal","ts":"2024-03-01T09:15:59+05:30","strategy":"c","symbol":"NSE:X-EQ","action":"entry","side":"buy","qty":1,"ref":1,"reason":"r"}' > "$TMP/in"
	risk "$TMP/in"
	[ "$status" -eq 65 ]
	[ "$(cat "$TMP/err")" = "algo-risk: stdin:3: field 'ts': 2024-03-01T09:15:59+05:30 goes back before 2024-03-01T09:16:00+05:30 for NSE:X-EQ" ]
	[ "$(wc -l < "$TMP/out")" -eq 4 ]
}

@test "algo-risk: a signal on an earlier trading day than its strategy has seen is bad input" {
	printf '%s\n' '{"type":"signal","ts":"2024-03-04T09:15:00+05:30","strategy":"a","symbol":"NSE:X-EQ","action":"entry","side":"buy","qty":1,"ref":1,"reason":"r"}' \
		'{"type":"signal","ts":"2024-03-01T09:15:00+05:30","strategy":"a","symbol":"NSE:Y-EQ","action":"entry","side":"buy","qty":1,"ref":1,"reason":"r"}' > "$TMP/in"
	risk "$TMP/in"
	[ "$status" -eq 65 ]
	[ "$(cat "$TMP/err")" = "algo-risk: stdin:2: field 'ts': trading day goes back for strategy 'a'" ]
}

@test "algo-risk: a 1 MB line is bad input; --skip-bad goes on after it" {
	pad=$(head -c 1048576 /dev/zero | tr '\0' x)
	printf '%s\n{"type":"foo","ts":"x","pad":"%s"}\n%s\n' "$SIG" "$pad" "$SIG" > "$TMP/in"
	risk "$TMP/in"
	[ "$status" -eq 65 ]
	[ "$(cat "$TMP/err")" = "algo-risk: stdin:2: line longer than 65536 bytes" ]
	[ "$(wc -l < "$TMP/out")" -eq 2 ]
	risk "$TMP/in" --skip-bad
	[ "$status" -eq 0 ]
	[ "$(cat "$TMP/err")" = "algo-risk: stdin:2: line longer than 65536 bytes (skipped)
algo-risk: skipped 1 bad line" ]
	[ "$(wc -l < "$TMP/out")" -eq 4 ]
	sed -n 4p "$TMP/out" | grep -q '"rule":"position"'
}

@test "algo-risk: a truncated last line is bad input; a complete one without newline is not" {
	printf '%s\n%s' "$SIG" '{"type":"signal","ts":"2024-03-01T09:' > "$TMP/in"
	risk "$TMP/in"
	[ "$status" -eq 65 ]
	[ "$(cat "$TMP/err")" = "algo-risk: stdin:2: malformed JSON at col 38: unterminated string" ]
	[ "$(wc -l < "$TMP/out")" -eq 2 ]
	printf '%s' "$SIG" > "$TMP/in"
	risk "$TMP/in"
	[ "$status" -eq 0 ]
	[ "$(wc -l < "$TMP/out")" -eq 2 ]
	[ "$(tail -c 1 "$TMP/out" | od -An -c | tr -d ' ')" = '\n' ]
}

@test "algo-risk: --skip-bad warns, skips, counts and exits 0" {
	printf '%s\n' "$SIG" 'not json' '{"type":"signal","ts":"2024-03-01T09:15:00+05:30","strategy":"a","symbol":"y","action":"entry","side":"buy","qty":-1}' \
		'{"type":"foo","ts":"x"}' '{"type":"signal","ts":"2024-03-01T09:16:00+05:30","strategy":"ema-cross","symbol":"NSE:SBIN-EQ","action":"exit","side":"sell","qty":10,"ref":753,"reason":"r"}' > "$TMP/in"
	risk "$TMP/in" --skip-bad
	[ "$status" -eq 0 ]
	[ "$(cat "$TMP/err")" = "algo-risk: stdin:2: malformed JSON at col 1: expected '{' (skipped)
algo-risk: stdin:3: field 'qty': must be a positive integer (skipped)
algo-risk: skipped 2 bad lines" ]
	[ "$(wc -l < "$TMP/out")" -eq 5 ]
	tail -1 "$TMP/out" | grep -q '"id":"emacross2403010002"'
}

@test "algo-risk: empty input gives empty output" {
	: > "$TMP/in"
	risk "$TMP/in"
	[ "$status" -eq 0 ]
	[ ! -s "$TMP/out" ]
	[ ! -s "$TMP/err" ]
}

@test "algo-risk: --help, --version and usage errors" {
	run algo-risk --help
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "Usage: algo-risk "* ]]
	[[ "$output" == *"  -c, --config FILE"* ]]
	run algo-risk -h
	[ "$status" -eq 0 ]
	run algo-risk --version
	[ "$status" -eq 0 ]
	[ "$output" = "algo-risk 0.1.0" ]
	for args in "--bogus" "-x" "--mode paper2" "--product futures" "--user" "extra" "-c"; do
		run algo-risk $args < /dev/null
		[ "$status" -eq 2 ] || { echo "$args: exit $status"; false; }
		[[ "$output" == *"Try 'algo-risk --help'"* ]] || { echo "$args: $output"; false; }
	done
	run algo-risk --user "" < /dev/null
	[ "$status" -eq 2 ]
}
