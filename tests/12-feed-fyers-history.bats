#!/usr/bin/env bats
# algo-feed fyers history against the FYERS mock (tests/mock/fyers.py): chunking with
# the requests counted at the mock, no duplicate at chunk edges, the cache and resume,
# --format csv read back by algo-feed csv, several symbols, --cont, empty ranges and
# the broker's errors with their exit codes.
load test_helper
load fyers_helper

setup_file() { fyers_setup_file; }
setup() { common_setup; mock_start; fyers_login; }
teardown() { mock_stop; common_teardown; }

H() { algo-feed fyers history "$@"; }

# The history requests' ranges as "from to resolution [cont]" lines (epoch seconds).
ranges() {
	mock_log | py -c '
import json, sys, urllib.parse
for r in json.load(sys.stdin)["requests"]:
    if r["path"] == "/data/history":
        q = dict(urllib.parse.parse_qsl(r["query"]))
        print(q["range_from"], q["range_to"], q["resolution"], q.get("cont_flag", ""), q["date_format"])'
}

# Checks that the bars of stdin are in time order per symbol with no duplicate, and
# prints how many there are.
check_order() {
	py -c '
import json, sys
last, n = {}, 0
for line in sys.stdin:
    e = json.loads(line)
    if e["type"] != "bar":
        continue
    assert e["ts"] > last.get(e["symbol"], ""), ("out of order or duplicate", line)
    last[e["symbol"]] = e["ts"]
    n += 1
print(n)'
}

@test "fyers history: a 1m range of 244 days is 3 requests of at most 100 days, in IST, in order" {
	run --separate-stderr H -s NSE:SBIN-EQ --tf 1m --from 2024-01-01 --to 2024-09-01
	[ "$status" -eq 0 ]
	[ "$(mock_count GET /data/history)" -eq 3 ]
	ranges > "$TMP/r"
	cat "$TMP/r"
	# 2024-01-01 00:00 IST = 1704047400; each chunk ends 1 s before the next one starts
	[ "$(sed -n 1p "$TMP/r")" = "1704047400 1712687399 1  0" ]
	[ "$(sed -n 2p "$TMP/r")" = "1712687400 1721327399 1  0" ]
	[ "$(sed -n 3p "$TMP/r")" = "1721327400 1725128999 1  0" ]
	[ "$(sed -n 2p <<<"$output" | cut -c1-60)" = '{"type":"bar","ts":"2024-01-01T09:15:00+05:30","symbol":"NSE' ]
	[[ "$(tail -1 <<<"$output")" == '{"type":"bar","ts":"2024-08-30T15:29:00+05:30",'* ]]
	# 175 weekdays of 375 one-minute bars each, none twice
	[ "$(check_order <<<"$output")" -eq $((175 * 375)) ]
}

@test "fyers history: daily chunks are a year, seconds chunks 30 weekdays" {
	run --separate-stderr H -s NSE:SBIN-EQ --tf 1D --from 2020-01-01 --to 2024-03-01
	[ "$status" -eq 0 ]
	[ "$(mock_count GET /data/history)" -eq 5 ]
	[[ "$(sed -n 2p <<<"$output")" == '{"type":"bar","ts":"2020-01-01T00:00:00+05:30","symbol":"NSE:SBIN-EQ","tf":"1d",'* ]]
	check_order <<<"$output"
	mock_reset_log
	run --separate-stderr H -s NSE:SBIN-EQ --tf 5s --from 2024-01-01 --to 2024-03-01
	[ "$status" -eq 0 ]
	ranges > "$TMP/r"
	cat "$TMP/r"
	# 30 weekdays from Mon 1 Jan end on Fri 9 Feb
	[ "$(sed -n 1p "$TMP/r")" = "1704047400 1707503399 5S  0" ]
	[ "$(wc -l < "$TMP/r")" -eq 2 ]
	[ "$(check_order <<<"$output")" -eq $((44 * 4500)) ]
	[[ "$(sed -n 2p <<<"$output")" == *'"tf":"5s"'* ]]
}

@test "fyers history: a chunk that repeats or disorders candles gives each bar once, in order" {
	# 1704080700 = 2024-01-01 09:15 IST
	mock_fault '{"path":"/data/history","times":1,"status":200,"body":{"s":"ok","code":200,"message":"",
		"candles":[[1704080760,10,11,9,10.5,7],[1704080700,10,11,9,10,5],[1704080760,10,11,9,10.5,7],
		[1704000000,10,11,9,10,1],[1704080820,0,11,9,10,1]]}}'
	run --separate-stderr H -s NSE:SBIN-EQ --tf 1m --from 2024-01-01 --to 2024-01-02
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 3 ]
	[ "${lines[1]}" = '{"type":"bar","ts":"2024-01-01T09:15:00+05:30","symbol":"NSE:SBIN-EQ","tf":"1m","o":10,"h":11,"l":9,"c":10,"v":5}' ]
	[ "${lines[2]}" = '{"type":"bar","ts":"2024-01-01T09:16:00+05:30","symbol":"NSE:SBIN-EQ","tf":"1m","o":10,"h":11,"l":9,"c":10.5,"v":7}' ]
	[ "$stderr" = "algo-feed: dropped 1 candle with impossible prices" ]
}

@test "fyers history: the second download of a range is free; --no-cache asks again" {
	H -s NSE:SBIN-EQ --tf 5m --from 2023-01-01 --to 2023-09-01 > "$TMP/a"
	[ "$(mock_count GET /data/history)" -eq 3 ]
	ls "$XDG_CACHE_HOME/algo/fyers-history/NSE_SBIN-EQ/5/" | grep -c csv | grep -qx 3
	mock_reset_log
	H -s NSE:SBIN-EQ --tf 5m --from 2023-01-01 --to 2023-09-01 > "$TMP/b"
	[ "$(mock_count GET /data/history)" -eq 0 ]
	cmp "$TMP/a" "$TMP/b"
	H -s NSE:SBIN-EQ --tf 5m --from 2023-01-01 --to 2023-09-01 --no-cache > "$TMP/c"
	[ "$(mock_count GET /data/history)" -eq 3 ]
	cmp "$TMP/a" "$TMP/c"
}

@test "fyers history: today's chunk is never cached" {
	from=$(date -d '-3 days' +%F)
	H -s NSE:SBIN-EQ --tf 1m --from "$from" > /dev/null || [ $? -eq 66 ]
	mock_reset_log
	H -s NSE:SBIN-EQ --tf 1m --from "$from" > /dev/null || [ $? -eq 66 ]
	[ "$(mock_count GET /data/history)" -eq 1 ]
}

@test "fyers history: an interrupted download resumes at the chunk it did not finish" {
	mock_fault '{"path":"/data/history","after":2,"times":1,"status":400,"code":-50,"message":"Invalid params"}'
	run --separate-stderr H -s NSE:SBIN-EQ --tf 1m --from 2024-01-01 --to 2024-09-01
	[ "$status" -eq 65 ]
	[[ "$stderr" == "algo-feed: NSE:SBIN-EQ 1m 2024-07-19..2024-08-31: GET /history: FYERS -50 Invalid params: invalid parameters"* ]]
	first=$output
	[ "$(mock_count GET /data/history)" -eq 3 ]
	mock_reset_log
	run --separate-stderr H -s NSE:SBIN-EQ --tf 1m --from 2024-01-01 --to 2024-09-01
	[ "$status" -eq 0 ]
	[ "$(mock_count GET /data/history)" -eq 1 ]
	# what the failed run wrote is the start of the whole
	[ "${output:0:${#first}}" = "$first" ]
	[ "$(check_order <<<"$output")" -eq $((175 * 375)) ]
}

@test "fyers history: --format csv is what algo-feed csv reads back" {
	H -s NSE:SBIN-EQ,NSE:INFY-EQ --tf 15m --from 2024-03-01 --to 2024-03-15 > "$TMP/nd"
	H -s NSE:SBIN-EQ,NSE:INFY-EQ --tf 15m --from 2024-03-01 --to 2024-03-15 --format csv > "$TMP/csv"
	[ "$(head -1 "$TMP/csv")" = "timestamp,symbol,open,high,low,close,volume" ]
	[[ "$(sed -n 2p "$TMP/csv")" == 2024-03-01T09:15:00+05:30,NSE:SBIN-EQ,* ]]
	algo-feed csv --tf 15m "$TMP/csv" > "$TMP/back"
	diff "$TMP/nd" "$TMP/back"
}

@test "fyers history: several symbols merge in time order; --cont asks for continuous data" {
	run --separate-stderr H -s NSE:SBIN-EQ -s NSE:INFY-EQ,NSE:TCS-EQ --tf 1h --from 2024-03-01 --to 2024-03-02
	[ "$status" -eq 0 ]
	# 7 hourly bars (09:15 … 15:15) of each symbol, symbols in command-line order at one time
	[ "${#lines[@]}" -eq 22 ]
	[[ "${lines[1]}" == *'"ts":"2024-03-01T09:15:00+05:30","symbol":"NSE:SBIN-EQ","tf":"1h"'* ]]
	[[ "${lines[2]}" == *'"ts":"2024-03-01T09:15:00+05:30","symbol":"NSE:INFY-EQ"'* ]]
	[[ "${lines[3]}" == *'"ts":"2024-03-01T09:15:00+05:30","symbol":"NSE:TCS-EQ"'* ]]
	[[ "${lines[4]}" == *'"ts":"2024-03-01T10:15:00+05:30","symbol":"NSE:SBIN-EQ"'* ]]
	plain=$(H -s NSE:NIFTY24MARFUT --tf 1m --from 2024-03-01 --to 2024-03-02)
	mock_reset_log
	cont=$(H -s NSE:NIFTY24MARFUT --tf 1m --from 2024-03-01 --to 2024-03-02 --cont)
	[ "$(mock_count GET /data/history)" -eq 1 ]
	[ "$(ranges)" = "1709231400 1709317799 1 1 0" ]
	[ "$plain" != "$cont" ]
	[ -d "$XDG_CACHE_HOME/algo/fyers-history/NSE_NIFTY24MARFUT/1-cont" ]
}

@test "fyers history: an empty range says so and exits 66" {
	run --separate-stderr H -s NSE:SBIN-EQ --tf 1m --from 2024-01-06 --to 2024-01-08
	[ "$status" -eq 66 ]
	[ -z "$output" ]
	[ "$stderr" = "algo-feed: NSE:SBIN-EQ: no 1m bars in the range (a holiday, a weekend, or before the listing)" ]
	# the broker's no_data reply is an empty range too
	mock_fault '{"path":"/data/history","times":1,"status":200,"body":{"s":"no_data","code":200,"message":"","candles":[]}}'
	run --separate-stderr H -s NSE:SBIN-EQ --tf 1m --from 2024-01-02 --to 2024-01-03 --no-cache
	[ "$status" -eq 66 ]
	[[ "$stderr" == *"no 1m bars in the range"* ]]
}

# The documented codes of -339…-356 and 429 (FYERS-API.md §2 and §4, copied into
# tests/mock/fyers.py's DATA_ERRORS, whose words the mock answers): code, HTTP status,
# exit code, the message's tail after "GET /history: FYERS CODE ". -340 is not
# documented: the broker's words alone, and the exit of a refused request.
hist_errors() {
	cat <<'EOF'
-339 400 65 The range cannot be more than 1 year for day resolution: the range is over one year for daily bars
-340 400 65 Something else
-341 400 65 The range cannot be more than 100 days for 1 min resolution: the range is over 100 days for minute bars
-342 400 65 The range cannot be more than 100 days for minute resolution: the range is over 100 days for minute bars
-343 400 65 The range cannot be more than 100 days for 2 min resolution: the range is over 100 days for minute bars
-344 400 65 The range cannot be more than 100 days for 3 min resolution: the range is over 100 days for minute bars
-345 400 65 The range cannot be more than 100 days for 5 min resolution: the range is over 100 days for minute bars
-346 400 65 The range cannot be more than 100 days for 10 min resolution: the range is over 100 days for minute bars
-347 400 65 The range cannot be more than 100 days for 15 min resolution: the range is over 100 days for minute bars
-348 400 65 The range cannot be more than 100 days for 20 min resolution: the range is over 100 days for minute bars
-349 400 65 The range cannot be more than 100 days for 30 min resolution: the range is over 100 days for minute bars
-350 400 65 The range cannot be more than 100 days for 60 min resolution: the range is over 100 days for minute bars
-351 400 65 Please provide less than 50 symbols: more than 50 symbols in one call
-352 400 77 Invalid app id: the app id (FYERS_APP_ID) is not valid; run 'algo-exec-fyers login' (or 'refresh')
-353 429 75 API Limit exceeded (perDay): the API request limit is exceeded (per second, minute or day); the account's request budget is spent; try again later
-354 400 65 The range cannot be more than 100 days for 120 min resolution: the range is over 100 days for minute bars
-355 400 65 The range cannot be more than 100 days for 240 min resolution: the range is over 100 days for minute bars
-356 400 65 The range_from value cannot be greater than range_to value: the range starts after it ends
-429 429 75 request limit reached: rate limited; the account's request budget is spent; try again later
-300 400 65 Invalid symbol provided: no such symbol (write it as NSE:SBIN-EQ; '&' as in M&M is escaped for you)
EOF
}

@test "fyers history: each documented error of -339 to -356, and 429, has the broker's words, a hint and its exit code" {
	n=0
	while read -r code http want tail; do
		msg=; [ "$code" = -340 ] && msg=',"message":"Something else"'
		mock_post /_mock/clear '{}'
		rm -rf "$XDG_RUNTIME_DIR"/*           # a rate limit's hold is shared by later runs
		# the mock answers the documented words of a code given without a message
		mock_fault "{\"path\":\"/data/history\",\"times\":-1,\"status\":$http,\"code\":$code,\"retry_after\":300$msg}"
		run --separate-stderr H -s NSE:SBIN-EQ --tf 1m --from 2024-01-02 --to 2024-01-03 --no-cache
		echo "$code: $status $stderr"
		[ "$status" -eq "$want" ]
		[ -z "$output" ]
		[ "$(tail -n 1 <<<"$stderr")" = "algo-feed: NSE:SBIN-EQ 1m 2024-01-02..2024-01-02: GET /history: FYERS $code $tail" ]
		n=$((n + 1))
	done < <(hist_errors)
	[ "$n" -eq 20 ]
}

@test "fyers history: the mock gives the documented range codes by resolution, and -353 only as the day's API limit" {
	# straight at the mock: what it answers is the reference's, not our client's
	tok=$(py -c 'import json, sys; print(json.load(open(sys.argv[1]))["access_token"])' "$XDG_CONFIG_HOME/algo/fyers-token.json")
	get() { curl -s -H "Authorization: TESTAPP-100:$tok" "$MOCK_URL/data/history?symbol=NSE:SBIN-EQ&resolution=$1&date_format=1&range_from=$2&range_to=$3&cont_flag=1" |
		py -c 'import json, sys; r = json.load(sys.stdin); print(r["code"], r["message"])'; }
	[ "$(get D 2023-01-01 2024-03-01)" = "-339 The range cannot be more than 1 year for day resolution" ]
	[ "$(get 60 2023-01-01 2024-03-01)" = "-350 The range cannot be more than 100 days for 60 min resolution" ]
	[ "$(get 1 2023-01-01 2024-03-01)" = "-341 The range cannot be more than 100 days for 1 min resolution" ]
	[ "$(get 240 2023-01-01 2024-03-01)" = "-355 The range cannot be more than 100 days for 240 min resolution" ]
	[ "$(get 5 2024-03-02 2024-03-01)" = "-356 The range_from value cannot be greater than range_to value" ]
	for r in 1 2 3 5 10 15 20 30 60 120 240; do
		[ "$(get "$r" 2023-01-01 2024-03-01 | cut -d' ' -f1)" != -353 ]
	done
	# over the day's limit: HTTP 429, -353, and the client stops at once (exit 75)
	mock_scenario '{"rate":{"per_sec":10,"per_min":200,"per_day":12}}'
	run --separate-stderr H -s NSE:SBIN-EQ --tf 1m --from 2024-01-02 --to 2024-01-03 --no-cache
	echo "$stderr"
	[ "$status" -eq 75 ]
	[[ "$stderr" == *"GET /history: FYERS -353 API Limit exceeded (perDay): the API request limit is exceeded"* ]]
	[ "$(mock_log | py -c 'import json, sys; print(sum(1 for r in json.load(sys.stdin)["requests"] if r["code"] == -353 and r["status"] == 429))')" -eq 1 ]
}

@test "fyers history: rate limits (429, -353) beyond the wait allowed are exit 75; no session is 77" {
	mock_fault '{"path":"/data/history","times":-1,"status":429,"code":-429,"message":"request limit reached","retry_after":300}'
	run --separate-stderr H -s NSE:SBIN-EQ --tf 1m --from 2024-01-02 --to 2024-01-03
	[ "$status" -eq 75 ]
	[[ "$stderr" == *"GET /history: FYERS -429 request limit reached: rate limited; the account's request budget is spent; try again later"* ]]
	mock_post /_mock/clear '{}'
	rm -rf "$XDG_RUNTIME_DIR"/*
	mock_fault '{"path":"/data/history","times":-1,"status":429,"code":-353,"message":"API Limit exceeded (perDay)","retry_after":300}'
	run --separate-stderr H -s NSE:SBIN-EQ --tf 1m --from 2024-01-02 --to 2024-01-03
	[ "$status" -eq 75 ]
	[[ "$stderr" == *"FYERS -353 API Limit exceeded (perDay)"* ]]
	rm -f "$XDG_CONFIG_HOME/algo/fyers-token.json"
	run --separate-stderr H -s NSE:SBIN-EQ --tf 1m --from 2024-01-02 --to 2024-01-03
	[ "$status" -eq 77 ]
}

@test "fyers history: usage errors exit 2" {
	run --separate-stderr H -s NSE:SBIN-EQ --tf 7m --from 2024-01-02
	[ "$status" -eq 2 ]
	[[ "$stderr" == "algo-feed: --tf: '7m' is not a FYERS resolution (5s 10s"* ]]
	run --separate-stderr H -s NSE:SBIN-EQ --tf 1m
	[ "$status" -eq 2 ]
	run --separate-stderr H -s NSE:SBIN-EQ --tf 1m --from 2024-01-03 --to 2024-01-02
	[ "$status" -eq 2 ]
	run --separate-stderr algo-feed fyers nothing
	[ "$status" -eq 2 ]
	[ "$(mock_count GET /data/history)" -eq 0 ]
}
