#!/usr/bin/env bats
# algo-exec-paper --charges: Indian charges (NSE, FYERS brokerage) per fill, checked to
# the paisa against hand computations from the rates in share/costs/india.json (taken
# from COSTS-INDIA.md). Conventions, as in algo-exec-paper(1):
#  - every component is rounded once, to the paisa, half away from zero (STT per fill,
#    where a contract note rounds STT to the rupee per note);
#  - GST = 18 % of (brokerage as charged + exact exchange + exact SEBI + exact IPFT);
#  - total = the sum of the rounded components;
#  - brokerage is charged once per order: a fill pays the order's brokerage on its
#    cumulative turnover minus what earlier fills of the order paid.
load test_helper
# plain runs keep no state: no $ALGO_STATE here (restarts: 44-exec-restart.bats)
setup() { common_setup; unset ALGO_STATE; }

C=$ROOT/share/costs/india.json

# fees DATE SIDE QTY PRICE PRODUCT SYMBOL [exec options] -> the fees object of the one fill
fees() {
	local d=$1 side=$2 q=$3 p=$4 prod=$5 sym=$6
	shift 6
	{ echo '{"type":"bar","ts":"'"$d"'T09:15:00+05:30","symbol":"'"$sym"'","tf":"1m","o":'"$p"',"h":'"$p"',"l":'"$p"',"c":'"$p"',"v":1000000}'
	  echo '{"type":"order","ts":"'"$d"'T09:15:00+05:30","id":"t1","strategy":"s","symbol":"'"$sym"'","side":"'"$side"'","qty":'"$q"',"kind":"market","product":"'"$prod"'","validity":"day","mode":"paper","user":"default"}'
	} | algo-exec-paper --fill close --charges "$C" "$@" 2> "$TMP/err" | grep '^{"type":"fill"' | grep -o '"fees":{[^}]*}'
}

@test "charges: the worked example of COSTS-INDIA.md, equity intraday, in full" {
	# buy 100 @ 500.00: turnover 50,000
	#   brokerage min(20, 0.03% × 50,000 = 15.00) = 15.00; STT 0 on a buy
	#   exchange 0.00297% × 50,000 = 1.485 -> 1.49; SEBI 10/crore = 0.05; IPFT 0.05
	#   stamp 0.003% = 1.50; GST 18% × (15.00 + 1.485 + 0.05 + 0.05) = 2.9853 -> 2.99
	#   total 15 + 0 + 1.49 + 0.05 + 0.05 + 1.50 + 2.99 = 21.08
	[ "$(fees 2026-05-04 buy 100 500 intraday NSE:X-EQ)" = '"fees":{"brokerage":15,"stt":0,"exchange":1.49,"sebi":0.05,"ipft":0.05,"stamp":1.5,"gst":2.99,"total":21.08}' ]
	[ "$(cat "$TMP/err")" = "algo-exec-paper: charges table: india-nse-fyers-2026-04" ]
	# sell 100 @ 505.00: turnover 50,500
	#   brokerage min(20, 15.15) = 15.15; STT 0.025% = 12.625 -> 12.63
	#   exchange 1.49985 -> 1.50; SEBI 0.0505 -> 0.05; IPFT 0.05; no stamp on a sell
	#   GST 18% × (15.15 + 1.49985 + 0.0505 + 0.0505) = 3.015162 -> 3.02
	#   total 15.15 + 12.63 + 1.50 + 0.05 + 0.05 + 0 + 3.02 = 32.40
	[ "$(fees 2026-05-04 sell 100 505 intraday NSE:X-EQ)" = '"fees":{"brokerage":15.15,"stt":12.63,"exchange":1.5,"sebi":0.05,"ipft":0.05,"stamp":0,"gst":3.02,"total":32.4}' ]
	# the round trip through the ledger: gross 500.00, net 500 - 21.08 - 32.40 = 446.52
	{ echo '{"type":"bar","ts":"2026-05-04T09:15:00+05:30","symbol":"NSE:X-EQ","tf":"1m","o":500,"h":500,"l":500,"c":500,"v":1000}'
	  echo '{"type":"order","ts":"2026-05-04T09:15:00+05:30","id":"b1","strategy":"s","symbol":"NSE:X-EQ","side":"buy","qty":100,"kind":"market","product":"intraday","validity":"day","mode":"paper","user":"default"}'
	  echo '{"type":"bar","ts":"2026-05-04T09:16:00+05:30","symbol":"NSE:X-EQ","tf":"1m","o":505,"h":505,"l":505,"c":505,"v":1000}'
	  echo '{"type":"order","ts":"2026-05-04T09:16:00+05:30","id":"s1","strategy":"s","symbol":"NSE:X-EQ","side":"sell","qty":100,"kind":"market","product":"intraday","validity":"day","mode":"paper","user":"default"}'
	} | algo-exec-paper --fill close --charges "$C" 2>/dev/null | algo-ledger --state "$TMP/l.db" > /dev/null
	algo-ledger trades --state "$TMP/l.db" --format csv > "$TMP/t.csv"
	run python3 -c '
import csv, sys
r = list(csv.DictReader(open(sys.argv[1])))
assert len(r) == 1, r
print(r[0]["pnl"], r[0]["fees"], r[0]["net_pnl"])' "$TMP/t.csv"
	echo "$output"
	[ "$output" = "500 53.48 446.52" ] || [ "$output" = "500.00 53.48 446.52" ]
}

@test "charges: equity intraday brokerage capped at 20, GST half a paisa rounds up" {
	# buy 1000 @ 2500: turnover 25,00,000; 0.03% = 750 -> capped at 20
	#   exchange 74.25; SEBI 2.50; IPFT 2.50; stamp 0.003% = 75.00
	#   GST 18% × (20 + 74.25 + 2.5 + 2.5) = 17.865 -> 17.87; total 192.12
	[ "$(fees 2026-05-04 buy 1000 2500 intraday NSE:X-EQ)" = '"fees":{"brokerage":20,"stt":0,"exchange":74.25,"sebi":2.5,"ipft":2.5,"stamp":75,"gst":17.87,"total":192.12}' ]
	# intraday STT is 0.025% on sells before 2024-10-01 too: 100 × 505 -> 12.63
	[[ "$(fees 2024-09-30 sell 100 505 intraday NSE:X-EQ)" == *'"stt":12.63,'* ]]
}

@test "charges: equity delivery before and after 2024-10-01 (FYERS delivery brokerage)" {
	# buy 10 @ 1000 on 2024-09-30: turnover 10,000; brokerage 0 (zero before 2024-10-01)
	#   STT 0.1% = 10.00; exchange 0.297 -> 0.30; SEBI 0.01; IPFT 0.01; stamp 0.015% = 1.50
	#   GST 18% × (0 + 0.297 + 0.01 + 0.01) = 0.05706 -> 0.06; total 11.88
	[ "$(fees 2024-09-30 buy 10 1000 delivery NSE:X-EQ)" = '"fees":{"brokerage":0,"stt":10,"exchange":0.3,"sebi":0.01,"ipft":0.01,"stamp":1.5,"gst":0.06,"total":11.88}' ]
	# the same on 2024-10-01: brokerage min(20, 0.3% = 30) = 20
	#   GST 18% × (20 + 0.317) = 3.65706 -> 3.66; total 20 + 10 + 0.30 + 0.01 + 0.01 + 1.50 + 3.66 = 35.48
	[ "$(fees 2024-10-01 buy 10 1000 delivery NSE:X-EQ)" = '"fees":{"brokerage":20,"stt":10,"exchange":0.3,"sebi":0.01,"ipft":0.01,"stamp":1.5,"gst":3.66,"total":35.48}' ]
	# small: buy 1 @ 100: brokerage 0.3% = 0.30; STT 0.10; exchange 0.00297 -> 0
	#   SEBI/IPFT 0.0001 -> 0; stamp 0.015 -> 0.02 (half away from zero)
	#   GST 18% × (0.30 + 0.00297 + 0.0001 + 0.0001) = 0.0545706 -> 0.05; total 0.47
	[ "$(fees 2024-10-01 buy 1 100 delivery NSE:X-EQ)" = '"fees":{"brokerage":0.3,"stt":0.1,"exchange":0,"sebi":0,"ipft":0,"stamp":0.02,"gst":0.05,"total":0.47}' ]
}

@test "charges: a delivery sell pays STT and the DP charge once per scrip per day" {
	# buy 20, then sell 10 and 10 @ 1000 on 2024-10-01, each turnover 10,000:
	#   sell: brokerage 20, STT 0.1% = 10.00, exchange 0.30, SEBI 0.01, IPFT 0.01, no stamp,
	#   GST 3.66, DP 15.50 on the first sell only (not in the GST base):
	#   total 20 + 10 + 0.30 + 0.01 + 0.01 + 3.66 + 15.50 = 49.48, then 33.98
	B='{"type":"bar","ts":"2024-10-01T09:15:00+05:30","symbol":"NSE:X-EQ","tf":"1m","o":1000,"h":1000,"l":1000,"c":1000,"v":1000}'
	O='"strategy":"s","symbol":"NSE:X-EQ","kind":"market","product":"delivery","validity":"day","mode":"paper","user":"default"}'
	printf '%s\n' "$B" '{"type":"order","ts":"2024-10-01T09:15:00+05:30","id":"b1","side":"buy","qty":20,'"$O" \
		'{"type":"order","ts":"2024-10-01T09:15:00+05:30","id":"s1","side":"sell","qty":10,'"$O" \
		'{"type":"order","ts":"2024-10-01T09:15:00+05:30","id":"s2","side":"sell","qty":10,'"$O" > "$TMP/in"
	algo-exec-paper --fill close --charges "$C" < "$TMP/in" 2>/dev/null > "$TMP/out"
	grep '"id":"s1"' "$TMP/out" | grep -Fq '"fees":{"brokerage":20,"stt":10,"exchange":0.3,"sebi":0.01,"ipft":0.01,"stamp":0,"gst":3.66,"dp":15.5,"total":49.48}'
	grep '"id":"s2"' "$TMP/out" | grep -Fq '"fees":{"brokerage":20,"stt":10,"exchange":0.3,"sebi":0.01,"ipft":0.01,"stamp":0,"gst":3.66,"total":33.98}'
}

@test "charges: futures STT before and after 2024-10-01 and 2026-04-01" {
	# sell 75 NIFTY futures @ 22000: turnover 16,50,000
	#   brokerage min(20, 0.03% = 495) = 20; exchange 0.00173% = 28.545 -> 28.55
	#   SEBI 1.65; IPFT 1.65; GST 18% × (20 + 28.545 + 1.65 + 1.65) = 9.3321 -> 9.33
	#   STT on the sell: 0.0125% = 206.25 until 2024-09-30 -> total 267.43
	F='"brokerage":20,"stt":%s,"exchange":28.55,"sebi":1.65,"ipft":1.65,"stamp":0,"gst":9.33,"total":%s'
	[ "$(fees 2024-09-30 sell 75 22000 intraday NSE:NIFTY24MARFUT)" = "\"fees\":{$(printf "$F" 206.25 267.43)}" ]
	#   0.02% = 330.00 from 2024-10-01 to 2026-03-31 -> total 391.18
	[ "$(fees 2024-10-01 sell 75 22000 intraday NSE:NIFTY24MARFUT)" = "\"fees\":{$(printf "$F" 330 391.18)}" ]
	[ "$(fees 2026-03-31 sell 75 22000 intraday NSE:NIFTY24MARFUT)" = "\"fees\":{$(printf "$F" 330 391.18)}" ]
	#   0.05% = 825.00 from 2026-04-01 -> total 886.18
	[ "$(fees 2026-04-01 sell 75 22000 intraday NSE:NIFTY24MARFUT)" = "\"fees\":{$(printf "$F" 825 886.18)}" ]
	# a buy pays no STT but stamp 0.002% = 33.00: total 20 + 28.55 + 1.65 + 1.65 + 33 + 9.33 = 94.18
	[ "$(fees 2026-04-01 buy 75 22000 intraday NSE:NIFTY24MARFUT)" = '"fees":{"brokerage":20,"stt":0,"exchange":28.55,"sebi":1.65,"ipft":1.65,"stamp":33,"gst":9.33,"total":94.18}' ]
}

@test "charges: options on premium, STT before and after 2024-10-01 and 2026-04-01" {
	# sell 75 NIFTY 22000 CE @ 120: premium turnover 9,000
	#   brokerage 20 flat; exchange 0.03503% = 3.1527 -> 3.15; SEBI 10/crore = 0.009 -> 0.01
	#   IPFT 50/crore = 0.045 -> 0.05; GST 18% × (20 + 3.1527 + 0.009 + 0.045) = 4.177206 -> 4.18
	#   STT 0.0625% = 5.625 -> 5.63 until 2024-09-30: total 33.02
	F='"brokerage":20,"stt":%s,"exchange":3.15,"sebi":0.01,"ipft":0.05,"stamp":0,"gst":4.18,"total":%s'
	[ "$(fees 2024-09-30 sell 75 120 intraday NSE:NIFTY24MAR22000CE)" = "\"fees\":{$(printf "$F" 5.63 33.02)}" ]
	#   0.1% = 9.00 from 2024-10-01: total 36.39
	[ "$(fees 2024-10-01 sell 75 120 intraday NSE:NIFTY24MAR22000CE)" = "\"fees\":{$(printf "$F" 9 36.39)}" ]
	[ "$(fees 2026-03-31 sell 75 120 intraday NSE:NIFTY24MAR22000PE)" = "\"fees\":{$(printf "$F" 9 36.39)}" ]
	#   0.15% = 13.50 from 2026-04-01: total 40.89
	[ "$(fees 2026-04-01 sell 75 120 intraday NSE:NIFTY24MAR22000CE)" = "\"fees\":{$(printf "$F" 13.5 40.89)}" ]
	# buy: no STT, stamp 0.003% = 0.27: total 20 + 3.15 + 0.01 + 0.05 + 0.27 + 4.18 = 27.66
	[ "$(fees 2026-04-01 buy 75 120 intraday NSE:NIFTY24MAR22000CE)" = '"fees":{"brokerage":20,"stt":0,"exchange":3.15,"sebi":0.01,"ipft":0.05,"stamp":0.27,"gst":4.18,"total":27.66}' ]
}

@test "charges: derivative quantities must be whole lots of the table's lot size" {
	printf '%s\n' '{"type":"bar","ts":"2026-04-01T09:15:00+05:30","symbol":"NSE:NIFTY24MAR22000CE","tf":"1m","o":120,"h":120,"l":120,"c":120,"v":1000}' \
		'{"type":"order","ts":"2026-04-01T09:15:00+05:30","id":"o1","strategy":"s","symbol":"NSE:NIFTY24MAR22000CE","side":"buy","qty":50,"kind":"market","product":"intraday","validity":"day","mode":"paper","user":"default"}' > "$TMP/in"
	algo-exec-paper --fill close --charges "$C" < "$TMP/in" 2>/dev/null > "$TMP/out"
	grep -Fxq '{"type":"order_update","ts":"2026-04-01T09:15:00+05:30","id":"o1","status":"rejected","reason":"qty 50 is not a multiple of the lot size 75"}' "$TMP/out"
}

@test "charges: brokerage is charged once per order across partial fills" {
	# buy 1000 @ 2500 with --max-participation 0.5 on bars of volume 1000: two fills of 500
	# (turnover 12,50,000 each). The order's brokerage is min(20, 0.03% × 25,00,000) = 20:
	# the first fill pays min(20, 375) = 20, the second 20 - 20 = 0.
	# (exchange 37.125 -> 37.13; SEBI 1.25; IPFT 1.25; stamp 37.50;
	#  GST 18% × (20 + 37.125 + 1.25 + 1.25) = 10.7325 -> 10.73, then 18% × 39.625 = 7.1325 -> 7.13)
	B='"symbol":"NSE:X-EQ","tf":"1m","o":2500,"h":2500,"l":2500,"c":2500,"v":1000}'
	printf '%s\n' '{"type":"order","ts":"2026-05-04T09:14:00+05:30","id":"b1","strategy":"s","symbol":"NSE:X-EQ","side":"buy","qty":1000,"kind":"market","product":"intraday","validity":"day","mode":"paper","user":"default"}' \
		'{"type":"bar","ts":"2026-05-04T09:15:00+05:30",'"$B" '{"type":"bar","ts":"2026-05-04T09:16:00+05:30",'"$B" > "$TMP/in"
	algo-exec-paper --max-participation 0.5 --charges "$C" < "$TMP/in" 2>/dev/null > "$TMP/out"
	grep -Fq '"fill_id":"b1-1","strategy":"s","symbol":"NSE:X-EQ","side":"buy","qty":500,"price":2500,"fees":{"brokerage":20,"stt":0,"exchange":37.13,"sebi":1.25,"ipft":1.25,"stamp":37.5,"gst":10.73,"total":107.86},"remaining":500' "$TMP/out"
	grep -Fq '"fill_id":"b1-2","strategy":"s","symbol":"NSE:X-EQ","side":"buy","qty":500,"price":2500,"fees":{"brokerage":0,"stt":0,"exchange":37.13,"sebi":1.25,"ipft":1.25,"stamp":37.5,"gst":7.13,"total":84.26},"remaining":0' "$TMP/out"
	# two small fills of 50 @ 500: order brokerage min(20, 0.03% × 50,000) = 15.00: 7.50 + 7.50
	B='"symbol":"NSE:X-EQ","tf":"1m","o":500,"h":500,"l":500,"c":500,"v":100}'
	printf '%s\n' '{"type":"order","ts":"2026-05-04T09:14:00+05:30","id":"b2","strategy":"s","symbol":"NSE:X-EQ","side":"buy","qty":100,"kind":"market","product":"intraday","validity":"day","mode":"paper","user":"default"}' \
		'{"type":"bar","ts":"2026-05-04T09:15:00+05:30",'"$B" '{"type":"bar","ts":"2026-05-04T09:16:00+05:30",'"$B" > "$TMP/in"
	algo-exec-paper --max-participation 0.5 --charges "$C" < "$TMP/in" 2>/dev/null > "$TMP/out"
	[ "$(grep -o '"brokerage":[0-9.]*' "$TMP/out" | tr '\n' ' ')" = '"brokerage":7.5 "brokerage":7.5 ' ]
}

@test "charges: --charges none writes every component as zero; default and --commission-bps unchanged" {
	[ "$(fees 2026-05-04 buy 100 500 intraday NSE:X-EQ --charges none)" = '"fees":{"brokerage":0,"stt":0,"exchange":0,"sebi":0,"ipft":0,"stamp":0,"gst":0,"total":0}' ]
	[ ! -s "$TMP/err" ]
	printf '%s\n' '{"type":"bar","ts":"2026-05-04T09:15:00+05:30","symbol":"NSE:X-EQ","tf":"1m","o":500,"h":500,"l":500,"c":500,"v":1}' \
		'{"type":"order","ts":"2026-05-04T09:15:00+05:30","id":"t1","strategy":"s","symbol":"NSE:X-EQ","side":"buy","qty":100,"kind":"market","product":"intraday","validity":"day","mode":"paper","user":"default"}' > "$TMP/in"
	[ "$(algo-exec-paper --fill close < "$TMP/in" | grep -o '"fees":{[^}]*}')" = '"fees":{"brokerage":0,"total":0}' ]
	[ "$(algo-exec-paper --fill close --commission-bps 3 < "$TMP/in" | grep -o '"fees":{[^}]*}')" = '"fees":{"brokerage":15,"total":15}' ]
	# $ALGO_CHARGES selects a table when no option does; --commission-bps wins over it
	[ "$(ALGO_CHARGES=$C algo-exec-paper --fill close < "$TMP/in" 2>/dev/null | grep -o '"total":[0-9.]*')" = '"total":21.08' ]
	[ "$(ALGO_CHARGES=$C algo-exec-paper --fill close --commission-bps 3 < "$TMP/in" | grep -o '"total":[0-9.]*')" = '"total":15' ]
}

@test "charges: option errors, a missing or bad table, a date the table does not cover" {
	run algo-exec-paper --charges "$C" --commission-bps 3 < /dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == *"--charges and --commission-bps are mutually exclusive"* ]]
	run algo-exec-paper --charges "$TMP/none.json" < /dev/null
	[ "$status" -eq 66 ]
	[ "$output" = "algo-exec-paper: $TMP/none.json: No such file or directory" ]
	echo '{"name":"x","periods":[]}' > "$TMP/bad.json"
	run algo-exec-paper --charges "$TMP/bad.json" < /dev/null
	[ "$status" -eq 78 ]
	[ "$output" = "algo-exec-paper: $TMP/bad.json: \$.periods: must be a non-empty array" ]
	python3 - "$C" "$TMP/t.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["periods"] = d["periods"][2:]
json.dump(d, open(sys.argv[2], "w"))
bad = json.loads(json.dumps(d)); bad["periods"][0]["segments"]["futures"]["stt_sell_pct"] = -1
json.dump(bad, open(sys.argv[2] + ".neg", "w"))
bad = json.loads(json.dumps(d)); bad["periods"][0]["segments"]["options"]["brokerage_pct"] = 1
json.dump(bad, open(sys.argv[2] + ".both", "w"))
PY
	run algo-exec-paper --charges "$TMP/t.json.neg" < /dev/null
	[ "$status" -eq 78 ]
	[[ "$output" == *'$.periods[0].segments.futures.stt_sell_pct: must be a number >= 0 with at most 7 decimals' ]]
	run algo-exec-paper --charges "$TMP/t.json.both" < /dev/null
	[ "$status" -eq 78 ]
	[[ "$output" == *'$.periods[0].segments.options: give either brokerage_flat or brokerage_pct with brokerage_max' ]]
	# the table from 2026-04-01 only: a fill on 2024-10-01 has no rates
	printf '%s\n' '{"type":"bar","ts":"2024-10-01T09:15:00+05:30","symbol":"NSE:X-EQ","tf":"1m","o":500,"h":500,"l":500,"c":500,"v":1}' \
		'{"type":"order","ts":"2024-10-01T09:15:00+05:30","id":"t1","strategy":"s","symbol":"NSE:X-EQ","side":"buy","qty":1,"kind":"market","product":"intraday","validity":"day","mode":"paper","user":"default"}' > "$TMP/in"
	run algo-exec-paper --fill close --charges "$TMP/t.json" < "$TMP/in"
	[ "$status" -eq 78 ]
	[[ "$output" == *"algo-exec-paper: stdin:2: charges table india-nse-fyers-2026-04 has no rates for 2024-10-01"* ]]
}

@test "charges: a backtest with the table reports the same trades, net PnL lower by exactly the charges" {
	bt() {
		algo-feed csv --symbol NSE:TEST-EQ "$FIX/sample_3k.csv" | algo-eval -s "$ROOT/examples/strategies/ema-cross.json" |
			algo-risk | algo-exec-paper --square-off none "$@" 2>/dev/null   # backtrader holds overnight
	}
	ALGO_STATE=$TMP/a.db bt > "$TMP/plain"
	ALGO_STATE=$TMP/b.db bt --charges "$C" > "$TMP/costs"
	algo-ledger --state "$TMP/pa.db" < "$TMP/plain" > /dev/null
	algo-ledger --state "$TMP/pb.db" < "$TMP/costs" > /dev/null
	algo-ledger trades --state "$TMP/pa.db" --format csv > "$TMP/a.csv"
	algo-ledger trades --state "$TMP/pb.db" --format csv > "$TMP/b.csv"
	run python3 - "$TMP/a.csv" "$TMP/b.csv" "$TMP/costs" <<'PY'
import csv, json, sys
from decimal import Decimal as D
a = list(csv.DictReader(open(sys.argv[1])))
b = list(csv.DictReader(open(sys.argv[2])))
assert len(a) == len(b) == 74, (len(a), len(b))
for x, y in zip(a, b):
    for k in ("entry_ts", "exit_ts", "entry_price", "exit_price", "qty", "pnl"):
        assert x[k] == y[k], (k, x, y)
    assert D(y["net_pnl"]) == D(y["pnl"]) - D(y["fees"]), y
charges = D(0)
for line in open(sys.argv[3]):
    e = json.loads(line, parse_float=D)
    if e["type"] == "fill":
        f = e["fees"]
        parts = sum(v for k, v in f.items() if k != "total")
        assert parts == f["total"], f
        charges += f["total"]
net_a = sum(D(r["net_pnl"]) for r in a)
net_b = sum(D(r["net_pnl"]) for r in b)
assert charges > 0
assert net_a - net_b == charges, (net_a, net_b, charges)
print("ok", net_a, net_b, charges)
PY
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "charges: --charges NAME finds the table in ../share/algo/costs/ next to the program" {
	mkdir -p "$TMP/p/bin" "$TMP/p/share/algo/costs"
	cp "$BIN/algo-exec-paper" "$TMP/p/bin/"
	cp "$C" "$TMP/p/share/algo/costs/india.json"
	printf '%s\n' '{"type":"bar","ts":"2026-05-04T09:15:00+05:30","symbol":"NSE:X-EQ","tf":"1m","o":500,"h":500,"l":500,"c":500,"v":1}' \
		'{"type":"order","ts":"2026-05-04T09:15:00+05:30","id":"t1","strategy":"s","symbol":"NSE:X-EQ","side":"buy","qty":100,"kind":"market","product":"intraday","validity":"day","mode":"paper","user":"default"}' > "$TMP/in"
	run "$TMP/p/bin/algo-exec-paper" --fill close --charges india < "$TMP/in"
	[ "$status" -eq 0 ]
	[[ "$output" == *'"total":21.08}'* ]]
	run "$TMP/p/bin/algo-exec-paper" --charges nosuch < "$TMP/in"
	[ "$status" -eq 66 ]
	[[ "$output" == *"no charges table 'nosuch': neither $TMP/p/bin/../share/algo/costs/nosuch.json (installed)"* ]]
}

@test "charges: the bundled table validates against schemas/charges.json; unit tests" {
	run python3 -c '
import json, sys, jsonschema
s = json.load(open(sys.argv[1])); d = json.load(open(sys.argv[2]))
jsonschema.Draft202012Validator.check_schema(s)
jsonschema.validate(d, s, cls=jsonschema.Draft202012Validator)' "$ROOT/schemas/charges.json" "$C"
	echo "$output"
	[ "$status" -eq 0 ]
	ALGO_ROOT=$ROOT run_unit test_costs
}
