#!/usr/bin/env bats
# algo-feed csv: formats, symbols, timeframes, merging, filters, validation, progress.
load test_helper
bats_require_minimum_version 1.5.0

F=$BATS_TEST_DIRNAME/fixtures/feed
HDR=timestamp,open,high,low,close,volume

# Compares two texts line by line, showing a diff on failure.
same() { diff -u <(printf '%s\n' "$2") <(printf '%s\n' "$1"); }

@test "feed: lib/csv unit tests" {
	run_unit test_csv
}

@test "feed: lib/feedcmd unit tests of the command line's side: sources named, --symbol and --tf, errors returned" {
	run_unit test_feedcmd
}

@test "feed: golden sample_3k.csv gives a stream header and 3000 bars" {
	run --separate-stderr algo-feed csv --symbol NSE:TEST-EQ "$FIX/sample_3k.csv"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "${#lines[@]}" -eq 3001 ]
	same "${lines[0]}" '{"type":"stream","ts":"2023-06-05T09:15:00+05:30","ver":1,"source":"algo-feed"}'
	# first CSV row: 2023-06-05T09:15:00+05:30,612.40,612.80,611.45,612.05,328011
	same "${lines[1]}" '{"type":"bar","ts":"2023-06-05T09:15:00+05:30","symbol":"NSE:TEST-EQ","tf":"1m","o":612.4,"h":612.8,"l":611.45,"c":612.05,"v":328011}'
	same "${lines[3000]}" '{"type":"bar","ts":"2023-06-14T15:29:00+05:30","symbol":"NSE:TEST-EQ","tf":"1m","o":590.75,"h":591.45,"l":590.1,"c":590.45,"v":69425}'
}

@test "feed: every bar equals its CSV row exactly and validates against the schemas" {
	algo-feed csv -s NSE:TEST-EQ "$FIX/sample_3k.csv" > "$TMP/out"
	run python3 - "$FIX/sample_3k.csv" "$TMP/out" "$ROOT/schemas" <<'EOF'
import csv, json, sys, datetime
from decimal import Decimal
from jsonschema import Draft202012Validator
rows = list(csv.DictReader(open(sys.argv[1])))
out = [json.loads(l, parse_float=Decimal) for l in open(sys.argv[2])]
val = {t: Draft202012Validator(json.load(open(f"{sys.argv[3]}/{t}.json"))) for t in ("bar", "stream")}
for ev in out:
    Draft202012Validator.check_schema(val[ev["type"]].schema)
    errs = list(val[ev["type"]].iter_errors(json.loads(json.dumps(ev, default=float))))
    assert not errs, errs
assert len(out) == len(rows) + 1
for r, b in zip(rows, out[1:]):
    assert b["ts"] == r["timestamp"], (r, b)
    for k, n in (("o", "open"), ("h", "high"), ("l", "low"), ("c", "close")):
        assert Decimal(str(b[k])) == Decimal(r[n]), (k, r, b)
    assert b["v"] == int(r["volume"])
print("ok", len(out))
EOF
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "feed: every timestamp format gives the same bar" {
	want='{"type":"bar","ts":"2023-06-05T09:15:00+05:30","symbol":"X","tf":"1m","o":612.4,"h":612.8,"l":611.45,"c":612.05,"v":328011}'
	for ts in 2023-06-05T09:15:00+05:30 2023-06-05T03:45:00Z 2023-06-05T09:15:00 \
		"2023-06-05 09:15:00" "2023-06-05 09:15" "2023-06-05 09:15:00+0530" \
		2023-06-05T09:15:00.000+05:30 1685936700 1685936700000; do
		printf '%s\n%s,612.40,612.80,611.45,612.05,328011\n' "$HDR" "$ts" > "$TMP/t.csv"
		run --separate-stderr algo-feed csv -s X --tf 1m "$TMP/t.csv"
		[ "$status" -eq 0 ] || { echo "$ts: exit $status $stderr"; false; }
		same "${lines[1]}" "$want" || { echo "format: $ts"; false; }
	done
}

@test "feed: epoch seconds in a 'time' column, epoch ms under short names" {
	run --separate-stderr algo-feed csv "$F/epoch_s.csv"
	[ "$status" -eq 0 ]
	same "$output" '{"type":"stream","ts":"2023-06-05T09:15:00+05:30","ver":1,"source":"algo-feed"}
{"type":"bar","ts":"2023-06-05T09:15:00+05:30","symbol":"epoch_s","tf":"1m","o":612.4,"h":612.8,"l":611.45,"c":612.05,"v":328011}
{"type":"bar","ts":"2023-06-05T09:16:00+05:30","symbol":"epoch_s","tf":"1m","o":612.05,"h":613.1,"l":612,"c":612.05,"v":223134}'
	run --separate-stderr algo-feed csv "$F/epoch_ms.csv"
	[ "$status" -eq 0 ]
	same "${lines[2]}" '{"type":"bar","ts":"2023-06-05T09:16:00+05:30","symbol":"epoch_ms","tf":"1m","o":612.05,"h":613.1,"l":612,"c":612.05,"v":223134}'
}

@test "feed: date and time columns, ';' delimiter, quoted fields, upper-case headers" {
	run --separate-stderr algo-feed csv -s NSE:SBIN-EQ "$F/upper_semicolon.csv"
	[ "$status" -eq 0 ]
	same "$output" '{"type":"stream","ts":"2023-06-05T09:15:00+05:30","ver":1,"source":"algo-feed"}
{"type":"bar","ts":"2023-06-05T09:15:00+05:30","symbol":"NSE:SBIN-EQ","tf":"1m","o":612.4,"h":612.8,"l":611.45,"c":612.05,"v":328011}
{"type":"bar","ts":"2023-06-05T09:16:00+05:30","symbol":"NSE:SBIN-EQ","tf":"1m","o":612.05,"h":613.1,"l":612,"c":612.05,"v":223134}'
}

@test "feed: CRLF line ends and a UTF-8 BOM" {
	printf '\xef\xbb\xbfTimestamp,Open,High,Low,Close,Volume\r\n2023-06-05 09:15,1.5,2,1,1.75,10\r\n2023-06-05 09:16,1.75,2,1.5,2,0\r\n' > "$TMP/NSE_X-EQ.csv"
	run --separate-stderr algo-feed csv "$TMP/NSE_X-EQ.csv"
	[ "$status" -eq 0 ]
	same "$output" '{"type":"stream","ts":"2023-06-05T09:15:00+05:30","ver":1,"source":"algo-feed"}
{"type":"bar","ts":"2023-06-05T09:15:00+05:30","symbol":"NSE:X-EQ","tf":"1m","o":1.5,"h":2,"l":1,"c":1.75,"v":10}
{"type":"bar","ts":"2023-06-05T09:16:00+05:30","symbol":"NSE:X-EQ","tf":"1m","o":1.75,"h":2,"l":1.5,"c":2,"v":0}'
}

@test "feed: quoted fields with \"\" escapes and delimiters inside" {
	printf 'symbol,timestamp,open,high,low,close,volume\n"NSE:""Q"",X",2023-06-05 09:15,"1","2","1","1","5"\n' > "$TMP/q.csv"
	run --separate-stderr algo-feed csv --tf 1m "$TMP/q.csv"
	[ "$status" -eq 0 ]
	same "${lines[1]}" '{"type":"bar","ts":"2023-06-05T09:15:00+05:30","symbol":"NSE:\"Q\",X","tf":"1m","o":1,"h":2,"l":1,"c":1,"v":5}'
}

@test "feed: symbol column with several symbols and an optional oi" {
	run --separate-stderr algo-feed csv "$F/multi.csv"
	[ "$status" -eq 0 ]
	same "$output" '{"type":"stream","ts":"2023-06-05T09:15:00+05:30","ver":1,"source":"algo-feed"}
{"type":"bar","ts":"2023-06-05T09:15:00+05:30","symbol":"NSE:NIFTY23JUNFUT","tf":"1m","o":18650,"h":18662.5,"l":18640.05,"c":18655,"v":125000,"oi":11200000}
{"type":"bar","ts":"2023-06-05T09:15:00+05:30","symbol":"NSE:BANKNIFTY23JUNFUT","tf":"1m","o":44300,"h":44350,"l":44280,"c":44320.25,"v":45000,"oi":2300000}
{"type":"bar","ts":"2023-06-05T09:16:00+05:30","symbol":"NSE:NIFTY23JUNFUT","tf":"1m","o":18655,"h":18670,"l":18650,"c":18668.4,"v":98000,"oi":11210000}
{"type":"bar","ts":"2023-06-05T09:16:00+05:30","symbol":"NSE:BANKNIFTY23JUNFUT","tf":"1m","o":44320.25,"h":44330,"l":44300,"c":44310,"v":30000}
{"type":"bar","ts":"2023-06-05T09:17:00+05:30","symbol":"NSE:NIFTY23JUNFUT","tf":"1m","o":18668.4,"h":18669,"l":18660,"c":18661.1,"v":87000,"oi":11190000}'
}

@test "feed: --symbol overrides the symbol column" {
	run --separate-stderr algo-feed csv --symbol NSE:ONE "$F/multi.csv"
	[ "$status" -eq 65 ]   # both symbols' 09:15 bars now collide
	same "$stderr" "algo-feed: $F/multi.csv:3: field 'timestamp': 2023-06-05T09:15:00+05:30 is not after the previous bar of NSE:ONE (2023-06-05T09:15:00+05:30)"
	run --separate-stderr algo-feed csv -s NSE:SBIN "$F/NSE_SBIN-EQ_5m.csv"
	[ "$status" -eq 0 ]
	[[ "${lines[1]}" == *'"symbol":"NSE:SBIN",'* ]]
}

@test "feed: symbol from the file name" {
	cp "$F/epoch_s.csv" "$TMP/MCX_GOLD.csv"
	cp "$F/epoch_s.csv" "$TMP/NFO_NIFTY23JUNFUT_15m.txt"
	cp "$F/epoch_s.csv" "$TMP/my_data.csv"
	cp "$F/epoch_s.csv" "$TMP/CDS_USDINR_1h"
	cd "$TMP"
	for pair in "NSE_SBIN-EQ_5m.csv=NSE:SBIN-EQ" "MCX_GOLD.csv=MCX:GOLD" \
		"NFO_NIFTY23JUNFUT_15m.txt=NFO:NIFTY23JUNFUT" "my_data.csv=my_data" "CDS_USDINR_1h=CDS:USDINR"; do
		f=${pair%%=*} want=${pair#*=}
		[ -e "$f" ] || f=$F/$f
		run --separate-stderr algo-feed csv "$f"
		[ "$status" -eq 0 ]
		[[ "${lines[1]}" == *"\"symbol\":\"$want\","* ]] || { echo "$f: ${lines[1]}"; false; }
	done
}

@test "feed: timeframe inferred: 5m (overnight and missing bars ignored), 1m, 1d" {
	run --separate-stderr algo-feed csv "$F/NSE_SBIN-EQ_5m.csv"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 8 ]
	same "${lines[7]}" '{"type":"bar","ts":"2023-06-06T09:20:00+05:30","symbol":"NSE:SBIN-EQ","tf":"5m","o":613.5,"h":613.95,"l":613,"c":613.2,"v":120000}'
	[ "$(grep -c '"tf":"5m"' <<<"$output")" -eq 7 ]
	run --separate-stderr algo-feed csv -s X "$FIX/sample_3k.csv"
	[ "$(grep -c '"tf":"1m"' <<<"$output")" -eq 3000 ]
	run --separate-stderr algo-feed csv -s NSE:SBIN-EQ "$F/daily.csv"
	[ "$status" -eq 0 ]
	same "$output" '{"type":"stream","ts":"2023-06-02T00:00:00+05:30","ver":1,"source":"algo-feed"}
{"type":"bar","ts":"2023-06-02T00:00:00+05:30","symbol":"NSE:SBIN-EQ","tf":"1d","o":600,"h":605.5,"l":598.1,"c":604,"v":12000000}
{"type":"bar","ts":"2023-06-05T00:00:00+05:30","symbol":"NSE:SBIN-EQ","tf":"1d","o":604,"h":613.1,"l":603,"c":612.05,"v":15500000}
{"type":"bar","ts":"2023-06-06T00:00:00+05:30","symbol":"NSE:SBIN-EQ","tf":"1d","o":612.05,"h":614,"l":609.75,"c":610.1,"v":9800000}
{"type":"bar","ts":"2023-06-07T00:00:00+05:30","symbol":"NSE:SBIN-EQ","tf":"1d","o":610.1,"h":611,"l":601.25,"c":602.9,"v":11000000}'
}

@test "feed: daily bars stamped with a market time still give 1d" {
	printf '%s\n2023-06-05 15:30,1,2,1,1,0\n2023-06-06 15:30,1,2,1,1,0\n' "$HDR" > "$TMP/d.csv"
	run --separate-stderr algo-feed csv -s X "$TMP/d.csv"
	[ "$status" -eq 0 ]
	[[ "${lines[1]}" == *'"tf":"1d"'* ]]
}

@test "feed: --tf overrides the inferred timeframe and is written in canonical form" {
	run --separate-stderr algo-feed csv --tf 15m "$F/NSE_SBIN-EQ_5m.csv"
	[ "$status" -eq 0 ]
	[ "$(grep -c '"tf":"15m"' <<<"$output")" -eq 7 ]
	run --separate-stderr algo-feed csv -t 60m "$F/NSE_SBIN-EQ_5m.csv"
	[ "$(grep -c '"tf":"1h"' <<<"$output")" -eq 7 ]
	run --separate-stderr algo-feed csv --tf 5x "$F/NSE_SBIN-EQ_5m.csv"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"--tf: '5x' is not a timeframe"* ]]
	[ -z "$output" ]
}

@test "feed: one intraday bar cannot give a timeframe without --tf" {
	printf '%s\n2023-06-05 09:15,1,2,1,1,0\n' "$HDR" > "$TMP/one.csv"
	run --separate-stderr algo-feed csv -s X "$TMP/one.csv"
	[ "$status" -eq 65 ]
	same "$stderr" "algo-feed: $TMP/one.csv: cannot infer the timeframe from 1 bar; use --tf"
	[ -z "$output" ]
	run --separate-stderr algo-feed csv -s X --tf 1m "$TMP/one.csv"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
}

@test "feed: two files are merged by time, ties in command-line order" {
	cd "$F"
	run --separate-stderr algo-feed csv NSE_INFY-EQ_1m.csv BSE_TCS-EQ_1m.csv
	[ "$status" -eq 0 ]
	same "$output" '{"type":"stream","ts":"2023-06-05T09:15:00+05:30","ver":1,"source":"algo-feed"}
{"type":"bar","ts":"2023-06-05T09:15:00+05:30","symbol":"NSE:INFY-EQ","tf":"1m","o":1300,"h":1302,"l":1299,"c":1301,"v":1000}
{"type":"bar","ts":"2023-06-05T09:16:00+05:30","symbol":"NSE:INFY-EQ","tf":"1m","o":1301,"h":1303,"l":1300.5,"c":1302.5,"v":1100}
{"type":"bar","ts":"2023-06-05T09:16:00+05:30","symbol":"BSE:TCS-EQ","tf":"1m","o":3300,"h":3305,"l":3298,"c":3304,"v":500}
{"type":"bar","ts":"2023-06-05T09:17:00+05:30","symbol":"BSE:TCS-EQ","tf":"1m","o":3304,"h":3306,"l":3301,"c":3302,"v":450}
{"type":"bar","ts":"2023-06-05T09:18:00+05:30","symbol":"NSE:INFY-EQ","tf":"1m","o":1302.5,"h":1302.5,"l":1301,"c":1301.5,"v":900}
{"type":"bar","ts":"2023-06-05T09:19:00+05:30","symbol":"BSE:TCS-EQ","tf":"1m","o":3302,"h":3303,"l":3300,"c":3300.5,"v":400}'
	run --separate-stderr algo-feed csv BSE_TCS-EQ_1m.csv NSE_INFY-EQ_1m.csv
	[ "$status" -eq 0 ]
	[[ "${lines[2]}" == *'"symbol":"BSE:TCS-EQ"'* ]]
	[[ "${lines[3]}" == *'"symbol":"NSE:INFY-EQ"'* ]]
}

@test "feed: merging many files streams and keeps time order" {
	for i in 1 2 3 4 5 6; do
		awk -F, -v k="$i" 'NR == 1 || (NR - 2) % 6 == k - 1' "$FIX/sample_3k.csv" > "$TMP/part$i.csv"
	done
	algo-feed csv -s NSE:TEST-EQ --tf 1m "$TMP"/part6.csv "$TMP"/part[1-5].csv > "$TMP/merged"
	algo-feed csv -s NSE:TEST-EQ "$FIX/sample_3k.csv" > "$TMP/whole"
	cmp "$TMP/merged" "$TMP/whole"
}

@test "feed: time must increase per symbol across files" {
	printf '%s\n2023-06-05 09:17,1,2,1,1,0\n2023-06-05 09:18,1,2,1,1,0\n' "$HDR" > "$TMP/a.csv"
	printf '%s\n2023-06-05 09:16,1,2,1,1,0\n2023-06-05 09:17,1,2,1,1,0\n' "$HDR" > "$TMP/b.csv"
	cd "$TMP"
	run --separate-stderr algo-feed csv -s X a.csv b.csv
	[ "$status" -eq 65 ]
	same "$stderr" "algo-feed: b.csv:3: field 'timestamp': 2023-06-05T09:17:00+05:30 is not after the previous bar of X (2023-06-05T09:17:00+05:30)"
	[ "${#lines[@]}" -eq 3 ]   # stream, b.csv 09:16, a.csv 09:17 (first on the tie), flushed
	[[ "${lines[1]}" == *'"ts":"2023-06-05T09:16:00+05:30"'* ]]
	[[ "${lines[2]}" == *'"ts":"2023-06-05T09:17:00+05:30"'* ]]
}

@test "feed: --from is inclusive, --to exclusive, dates mean 00:00 IST" {
	run --separate-stderr algo-feed csv -s X --from 2023-06-06 --to "2023-06-06T09:20:00+05:30" "$FIX/sample_3k.csv"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 6 ]
	same "${lines[0]}" '{"type":"stream","ts":"2023-06-06T09:15:00+05:30","ver":1,"source":"algo-feed"}'
	[[ "${lines[1]}" == *'"ts":"2023-06-06T09:15:00+05:30"'* ]]
	[[ "${lines[5]}" == *'"ts":"2023-06-06T09:19:00+05:30"'* ]]
	run --separate-stderr algo-feed csv -s X --from "2023-06-14 15:28" "$FIX/sample_3k.csv"
	[ "${#lines[@]}" -eq 3 ]
	[[ "${lines[2]}" == *'"tf":"1m"'* ]]   # inferred from rows before --from too
	run --separate-stderr algo-feed csv -s X --to 2023-06-05 "$FIX/sample_3k.csv"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "feed: bad --from/--to are usage errors" {
	run --separate-stderr algo-feed csv -s X --from yesterday "$FIX/sample_3k.csv"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"--from: cannot parse 'yesterday' as a time"* ]]
	run --separate-stderr algo-feed csv -s X --from 2023-06-07 --to 2023-06-06 "$FIX/sample_3k.csv"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"--from must be before --to"* ]]
}

@test "feed: '-' reads stdin, only once, and needs a symbol" {
	run --separate-stderr bash -c "algo-feed csv -s NSE:TEST-EQ - < '$FIX/sample_3k.csv'"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 3001 ]
	algo-feed csv -s NSE:TEST-EQ "$FIX/sample_3k.csv" > "$TMP/file.out"
	cat "$FIX/sample_3k.csv" | algo-feed csv -s NSE:TEST-EQ - > "$TMP/pipe.out"
	cmp "$TMP/file.out" "$TMP/pipe.out"
	run --separate-stderr algo-feed csv -s X - - < "$FIX/sample_3k.csv"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"stdin ('-') can be read only once"* ]]
	run --separate-stderr algo-feed csv - < "$FIX/sample_3k.csv"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"stdin has no symbol column: give --symbol"* ]]
}

@test "feed: stdin with a bad row is named 'stdin'" {
	printf '%s\n2023-06-05 09:15,1,0.5,1,1,0\n' "$HDR" > "$TMP/in.csv"
	run --separate-stderr algo-feed csv -s X --tf 1m - < "$TMP/in.csv"
	[ "$status" -eq 65 ]
	same "$stderr" "algo-feed: stdin:2: field 'high': 0.5 is below max(open, close) 1"
}

# Writes a header, a good row and ROW to x.csv, expects exit 65, MESSAGE for line 3,
# and the good bar flushed to stdout before the error.
bad_case() {
	local good="2023-06-05 09:15,612.40,612.80,611.45,612.05,328011${3:+,}"
	cd "$TMP"
	printf '%s\n%s\n%s\n' "${3:-$HDR}" "$good" "$1" > x.csv
	run --separate-stderr algo-feed csv -s X --tf 1m x.csv
	[ "$status" -eq 65 ] || { echo "row $1: exit $status"; return 1; }
	same "$stderr" "algo-feed: x.csv:3: $2" || return 1
	[ "${#lines[@]}" -eq 2 ] || { echo "row $1: ${#lines[@]} lines"; return 1; }
	same "${lines[1]}" '{"type":"bar","ts":"2023-06-05T09:15:00+05:30","symbol":"X","tf":"1m","o":612.4,"h":612.8,"l":611.45,"c":612.05,"v":328011}'
}

@test "feed: high below max(open, close)" {
	bad_case "2023-06-05 09:16,612.40,611.00,611.00,612.05,1" "field 'high': 611.00 is below max(open, close) 612.4"
}

@test "feed: low above min(open, close)" {
	bad_case "2023-06-05 09:16,612.40,613.00,612.10,612.05,1" "field 'low': 612.10 is above min(open, close) 612.05"
}

@test "feed: zero and negative prices" {
	bad_case "2023-06-05 09:16,0,613.00,612.10,612.05,1" "field 'open': 0 is not a positive price"
	bad_case "2023-06-05 09:16,612,613.00,612,-612.05,1" "field 'close': -612.05 is not a positive price"
}

@test "feed: more than 4 decimals, NaN, text and empty prices" {
	bad_case "2023-06-05 09:16,612.40,612.80001,611.45,612.05,1" "field 'high': 612.80001 has more than 4 decimals; --round rounds prices to 4 decimals"
	bad_case "2023-06-05 09:16,612.40,NaN,611.45,612.05,1" "field 'high': 'NaN' is not a number"
	bad_case "2023-06-05 09:16,612.40,612.80,abc,612.05,1" "field 'low': 'abc' is not a number"
	bad_case "2023-06-05 09:16,,612.80,611.45,612.05,1" "field 'open': empty"
}

@test "feed: negative and fractional volume" {
	bad_case "2023-06-05 09:16,612.40,612.80,611.45,612.05,-1" "field 'volume': -1 is negative"
	bad_case "2023-06-05 09:16,612.40,612.80,611.45,612.05,1.5" "field 'volume': '1.5' is not a non-negative integer"
	bad_case "2023-06-05 09:16,612.40,612.80,611.45,612.05,1,x" "field 'oi': 'x' is not a non-negative integer" "$HDR,oi"
}

@test "feed: bad timestamps, time going back, duplicate time" {
	bad_case "2023-06-31 09:16,612.40,612.80,611.45,612.05,1" "field 'timestamp': cannot parse '2023-06-31 09:16' as a time"
	bad_case "2023-06-05 09:14,612.40,612.80,611.45,612.05,1" "field 'timestamp': 2023-06-05T09:14:00+05:30 is not after the previous bar of X (2023-06-05T09:15:00+05:30)"
	bad_case "2023-06-05T09:15:00+05:30,612.40,612.80,611.45,612.05,1" "field 'timestamp': 2023-06-05T09:15:00+05:30 is not after the previous bar of X (2023-06-05T09:15:00+05:30)"
}

@test "feed: truncated last row, extra columns, unterminated quote" {
	cd "$TMP"
	printf '%s\n2023-06-05 09:15,612.40,612.80,611.45,612.05,328011\n2023-06-05 09:16,612.40,612.8' "$HDR" > x.csv
	run --separate-stderr algo-feed csv -s X --tf 1m x.csv
	[ "$status" -eq 65 ]
	same "$stderr" "algo-feed: x.csv:3: field 'low': missing (row has 3 columns, header has 6)"
	[ "${#lines[@]}" -eq 2 ]
	bad_case "2023-06-05 09:16,612.40,612.80,611.45,612.05,1,7" "row has 7 columns, header has 6"
	bad_case '2023-06-05 09:16,"612.40,612.80,611.45,612.05,1' "unterminated quoted field"
}

@test "feed: a 1 MB line is refused, with --skip-bad it is skipped" {
	cd "$TMP"
	{ printf '%s\n2023-06-05 09:15,1,2,1,1,0\n' "$HDR"; head -c 1048576 /dev/zero | tr '\0' 7; printf '\n2023-06-05 09:16,1,2,1,1,0\n'; } > big.csv
	run --separate-stderr algo-feed csv -s X --tf 1m big.csv
	[ "$status" -eq 65 ]
	same "$stderr" "algo-feed: big.csv:3: record longer than 65536 bytes"
	[ "${#lines[@]}" -eq 2 ]
	run --separate-stderr algo-feed csv -s X --tf 1m --skip-bad big.csv
	[ "$status" -eq 0 ]
	same "$stderr" "algo-feed: big.csv:3: record longer than 65536 bytes (skipped)
algo-feed: skipped 1 bad line"
	[ "${#lines[@]}" -eq 3 ]
	[[ "${lines[2]}" == *'"ts":"2023-06-05T09:16:00+05:30"'* ]]
}

@test "feed: --skip-bad warns per bad row, counts, and keeps the good ones" {
	cd "$F"
	run --separate-stderr algo-feed csv -s X --skip-bad bad_rows.csv
	[ "$status" -eq 0 ]
	same "$stderr" "algo-feed: bad_rows.csv:3: field 'high': 611.00 is below max(open, close) 612.4 (skipped)
algo-feed: bad_rows.csv:5: field 'open': 0 is not a positive price (skipped)
algo-feed: bad_rows.csv:6: field 'volume': -5 is negative (skipped)
algo-feed: skipped 3 bad lines"
	[ "${#lines[@]}" -eq 4 ]
	[[ "${lines[3]}" == *'"ts":"2023-06-05T09:20:00+05:30"'* ]]
	run --separate-stderr algo-feed csv -s X bad_rows.csv
	[ "$status" -eq 65 ]
	same "$stderr" "algo-feed: bad_rows.csv:3: field 'high': 611.00 is below max(open, close) 612.4"
}

@test "feed: --skip-bad shows at most 10 warnings, then the summary" {
	{ printf '%s\n' "$HDR"; for i in $(seq 10 24); do printf '2023-06-05 09:%s,1,0.5,1,1,0\n' "$i"; done
	  printf '2023-06-05 09:30,1,2,1,1,0\n2023-06-05 09:31,1,2,1,1,0\n'; } > "$TMP/many.csv"
	run --separate-stderr algo-feed csv -s X --skip-bad "$TMP/many.csv"
	[ "$status" -eq 0 ]
	[ "$(grep -c '(skipped)' <<<"$stderr")" -eq 10 ]
	[[ "$stderr" == *"algo-feed: skipped 15 bad lines" ]]
	[ "${#lines[@]}" -eq 3 ]
	[[ "${lines[1]}" == *'"tf":"1m"'* ]]
}

@test "feed: a missing file exits 66 before any output" {
	cd "$F"
	run --separate-stderr algo-feed csv NSE_INFY-EQ_1m.csv nope.csv
	[ "$status" -eq 66 ]
	same "$stderr" "algo-feed: nope.csv: No such file or directory"
	[ -z "$output" ]
}

@test "feed: empty file and header-only file give no output, and a warning each" {
	: > "$TMP/empty.csv"
	printf '%s\r\n' "$HDR" > "$TMP/hdr.csv"
	run --separate-stderr algo-feed csv -s X "$TMP/empty.csv" "$TMP/hdr.csv"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ "$stderr" = "algo-feed: warning: $TMP/empty.csv: no bars: the file is empty
algo-feed: warning: $TMP/hdr.csv: no bars: the file has no rows after its header" ]
	run --separate-stderr algo-feed csv "$TMP/empty.csv" "$F/epoch_s.csv"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 3 ]
}

@test "feed: a file without a recognisable header names the missing column" {
	cd "$TMP"
	tail -n +2 "$FIX/sample_3k.csv" > nohdr.csv
	run --separate-stderr algo-feed csv -s X nohdr.csv
	[ "$status" -eq 65 ]
	same "$stderr" "algo-feed: nohdr.csv:1: missing column 'timestamp'"
	printf 'timestamp,open,high,low,close\n2023-06-05 09:15,1,2,1,1\n' > novol.csv
	run --separate-stderr algo-feed csv -s X novol.csv
	[ "$status" -eq 65 ]
	same "$stderr" "algo-feed: novol.csv:1: missing column 'volume'"
	[ -z "$output" ]
}

@test "feed: the subcommand is required; usage errors exit 2" {
	run --separate-stderr algo-feed
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"missing subcommand"* ]]
	run --separate-stderr algo-feed "$FIX/sample_3k.csv"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"unknown subcommand"* ]]
	run --separate-stderr algo-feed --symbol X csv "$FIX/sample_3k.csv"
	[ "$status" -eq 2 ]
	run --separate-stderr algo-feed csv
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"no input FILE"* ]]
	run --separate-stderr algo-feed csv --bogus x.csv
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"unknown option '--bogus'"* ]]
	[[ "$stderr" == *"Try 'algo-feed --help'"* ]]
	run --separate-stderr algo-feed csv --symbol
	[ "$status" -eq 2 ]
	[ -z "$output" ]
}

@test "feed: --help and csv --help print the usage, --version the version" {
	run --separate-stderr algo-feed --help
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "Usage: algo-feed csv [OPTION]... FILE..." ]]
	help=$output
	run --separate-stderr algo-feed csv --help
	[ "$status" -eq 0 ]
	[ "$output" = "$help" ]
	run --separate-stderr algo-feed csv -h
	[ "$output" = "$help" ]
	run --separate-stderr algo-feed --version
	[ "$status" -eq 0 ]
	[ "$output" = "algo-feed 0.1.0" ]
	run --separate-stderr algo-feed csv --version
	[ "$output" = "algo-feed 0.1.0" ]
}

@test "feed: every option in --help is in the man page" {
	man=$(sed -e 's/\\f[BIRP]//g' -e 's/\\-/-/g' "$ROOT/man/algo-feed.1")
	for o in $(algo-feed --help | grep -oE -- '--[a-z][a-z-]*' | sort -u); do
		grep -qE -- "(^|[^a-z-])$o([^a-z-]|\$)" <<<"$man" || { echo "man lacks $o"; false; }
	done
	grep -q 'NSE_' "$ROOT/man/algo-feed.1"
}

@test "feed: no progress bar when stderr is not a terminal" {
	run --separate-stderr algo-feed csv -s X "$FIX/sample_3k.csv"
	[ -z "$stderr" ]
	{ head -n 1500 "$FIX/sample_3k.csv"; sleep 0.4; tail -n +1501 "$FIX/sample_3k.csv"; } |
		algo-feed csv -s X - 2> "$TMP/err" > /dev/null
	[ ! -s "$TMP/err" ]
}

@test "feed: progress bar on a terminal, erased at the end; never with --no-progress" {
	command -v script >/dev/null || skip "script(1) not installed"
	cat > "$TMP/run.sh" <<EOF
{ head -n 1500 '$FIX/sample_3k.csv'; sleep 0.4; tail -n +1501 '$FIX/sample_3k.csv'; } | algo-feed csv -s X \$1 - > '$TMP/out'
EOF
	script -qec "bash $TMP/run.sh" /dev/null > "$TMP/tty" < /dev/null
	grep -q 'bars/s' "$TMP/tty"
	grep -q $'\r\e\[K' "$TMP/tty"
	[ "$(wc -l < "$TMP/out")" -eq 3001 ]
	script -qec "bash $TMP/run.sh --no-progress" /dev/null > "$TMP/tty2" < /dev/null
	! grep -q 'bars/s' "$TMP/tty2"
	[ "$(wc -l < "$TMP/out")" -eq 3001 ]
}
