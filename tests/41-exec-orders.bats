#!/usr/bin/env bats
# algo-exec-paper order kinds and fill rules: each scenario is a small hand-built
# stream with the expected fills worked out in the comments. The rules are written
# down in algo-exec-paper(1), section FILL RULES.
load test_helper
# plain runs keep no state: no $ALGO_STATE here (restarts: 44-exec-restart.bats)
setup() { common_setup; unset ALGO_STATE; }

D=2024-03-01
T='"product":"intraday","validity":"day","mode":"paper","user":"default"}'
b() {   # b HH:MM O H L C [V] [SYMBOL] [DATE]
	echo '{"type":"bar","ts":"'"${8:-$D}"'T'"$1"':00+05:30","symbol":"'"${7:-NSE:X-EQ}"'","tf":"1m","o":'"$2"',"h":'"$3"',"l":'"$4"',"c":'"$5"',"v":'"${6:-1000}"'}'
}
o() {   # o HH:MM ID SIDE QTY KIND [EXTRA MEMBERS] [DATE] -> an intraday DAY order
	echo '{"type":"order","ts":"'"${7:-$D}"'T'"$1"':00+05:30","id":"'"$2"'","strategy":"s","symbol":"NSE:X-EQ","side":"'"$3"'","qty":'"$4"',"kind":"'"$5"'"'"${6:+,$6}"','"$T"
}
# ex [OPTIONS]: runs algo-exec-paper on $TMP/in; $TMP/out holds what it wrote besides the
# input (fills and order updates), $TMP/err its stderr.
ex() {
	status=0
	algo-exec-paper "$@" < "$TMP/in" > "$TMP/all" 2> "$TMP/err" || status=$?
	grep -e '^{"type":"fill"' -e '^{"type":"order_update"' "$TMP/all" > "$TMP/out" || true
}
fills() {   # the fills as "id qty@price" lines
	grep '^{"type":"fill"' "$TMP/out" | python3 -c '
import json, sys
for l in sys.stdin:
    e = json.loads(l)
    w = [e["ts"][11:16], e["id"], "%s@%s" % (e["qty"], e["price"]), e.get("reason", ""), "ambiguous" if e.get("ambiguous") else ""]
    print(" ".join(x for x in w if x))'
}
updates() {   # the order updates as "HH:MM id status [reason]" lines
	grep '^{"type":"order_update"' "$TMP/out" | python3 -c '
import json, sys
for l in sys.stdin:
    e = json.loads(l)
    print(e["ts"][11:16], e["id"], e["status"], e.get("reason", ""))' | sed 's/ *$//'
}

@test "exec orders: a stop fills at the stop, or at the open when the bar gaps through it" {
	# sell stop 95: the 09:16 bar opens at 92, below the stop: fills at the open, 92
	# buy stop 105: the same bar's high 106 reaches it without a gap: fills at 105
	{ b 09:15 100 101 99 100; o 09:15 s1 sell 10 stop '"stop":95'; o 09:15 s2 buy 10 stop '"stop":105'
	  b 09:16 92 106 90 93; } > "$TMP/in"
	ex
	[ "$status" -eq 0 ]
	[ "$(fills)" = "09:16 s1 10@92
09:16 s2 10@105" ]
	# with --slippage-ticks 2 (tick 0.05): 92 - 0.10 = 91.9 and 105 + 0.10 = 105.1
	ex --slippage-ticks 2
	[ "$(fills)" = "09:16 s1 10@91.9
09:16 s2 10@105.1" ]
	# --tick-size 0.5: 92 - 1 = 91, 105 + 1 = 106; bps then ticks: 92 × (1 - 0.001) = 91.908 - 0.1 = 91.808
	ex --slippage-ticks 2 --tick-size 0.5
	[ "$(fills)" = "09:16 s1 10@91
09:16 s2 10@106" ]
	ex --slippage-ticks 2 --slippage-bps 10
	[ "$(fills | head -1)" = "09:16 s1 10@91.808" ]
}

@test "exec orders: a limit fills at the open when the open is better, else when the bar trades through it" {
	# l1 buy limit 100: 09:16 opens at 99, already better -> 99
	# l2 buy limit 98.5: 09:16 low 98 trades through -> 98.5
	# l3 buy limit 98: the low only touches 98 -> no fill; 09:17 low 97.9 -> 98
	# l4 sell limit 101: 09:16 high 101.5 trades through -> 101
	{ b 09:15 100 101 99 100; o 09:15 l1 buy 1 limit '"limit":100'; o 09:15 l2 buy 1 limit '"limit":98.5'
	  o 09:15 l3 buy 1 limit '"limit":98'; o 09:15 l4 sell 1 limit '"limit":101'
	  b 09:16 99 101.5 98 99; b 09:17 99 99 97.9 98; } > "$TMP/in"
	ex --slippage-bps 50
	[ "$status" -eq 0 ]
	# limit fills take no slippage: the limit price is the guarantee
	[ "$(fills)" = "09:16 l1 1@99
09:16 l2 1@98.5
09:16 l4 1@101
09:17 l3 1@98" ]
}

@test "exec orders: a stop-limit triggers, then behaves as a limit" {
	# sl1 buy stop 101 limit 101.5: 09:16 high 102 triggers at 101, within the limit -> 101
	# sl2 buy stop 101 limit 100.5: triggered at 101, above the limit: rests as a limit;
	#     09:17 opens at 100.8 (no), low 100.2 trades through 100.5 -> 100.5
	# sl3 sell stop 99 limit 98.8: 09:16 never goes below 99 -> nothing
	{ b 09:15 100 100 100 100; o 09:15 sl1 buy 1 stop_limit '"stop":101,"limit":101.5'
	  o 09:15 sl2 buy 1 stop_limit '"stop":101,"limit":100.5'; o 09:15 sl3 sell 1 stop_limit '"stop":99,"limit":98.8'
	  b 09:16 100 102 99.5 101; b 09:17 100.8 101 100.2 100.6; } > "$TMP/in"
	ex
	[ "$(fills)" = "09:16 sl1 1@101
09:17 sl2 1@100.5" ]
	[ "$(cat "$TMP/err")" = "algo-exec-paper: 1 order still working at end of input" ]
}

@test "exec orders: both legs inside one bar: the stop-loss first, or the target with --intrabar optimistic" {
	# entry buy 10 with sl 95, tp 105 fills at the 09:16 open, 100; both legs work from then
	# on; 09:16 (99.5..100.5) touches neither; 09:17 (94..106) contains both
	{ b 09:15 100 101 99 100; o 09:15 e1 buy 10 market '"sl":95,"tp":105'
	  b 09:16 100 100.5 99.5 100; b 09:17 100 106 94 100; } > "$TMP/in"
	ex
	[ "$(fills)" = "09:16 e1 10@100
09:17 e1SL 10@95 ambiguous" ]
	[ "$(updates | tail -4)" = "09:16 e1SL accepted stop-loss leg of e1
09:16 e1TP accepted target leg of e1
09:17 e1SL filled
09:17 e1TP cancelled one cancels other: e1SL filled" ]
	[ "$(cat "$TMP/err")" = "algo-exec-paper: 1 ambiguous bar: both legs inside one bar's range, the stop-loss leg assumed first" ]
	grep -q '"id":"e1SL","fill_id":"e1SL-1","strategy":"s",.*"user":"default","ambiguous":true}$' "$TMP/out"
	ex --intrabar optimistic
	[ "$(fills)" = "09:16 e1 10@100
09:17 e1TP 10@105 ambiguous" ]
	[ "$(cat "$TMP/err")" = "algo-exec-paper: 1 ambiguous bar: both legs inside one bar's range, the target leg assumed first" ]
}

@test "exec orders: a leg hit at the open is not ambiguous; legs of a short; the same bar as the entry" {
	# 09:17 opens at 94, through the stop-loss: fills at 94, no ambiguity
	{ b 09:15 100 101 99 100; o 09:15 e1 buy 10 market '"sl":95,"tp":105'
	  b 09:16 100 100.5 99.5 100; b 09:17 94 106 93 100; } > "$TMP/in"
	ex
	[ "$(fills | tail -1)" = "09:17 e1SL 10@94" ]
	[ ! -s "$TMP/err" ]
	# a short entry at the 09:16 open 100 with sl 103, tp 97: the same bar's low 96.5
	# reaches the target (the bar's range came after its open) -> buy 5 @ 97
	{ b 09:15 100 101 99 100; o 09:15 e2 sell 5 market '"sl":103,"tp":97'; b 09:16 100 101 96.5 98; } > "$TMP/in"
	ex
	[ "$(fills)" = "09:16 e2 5@100
09:16 e2TP 5@97" ]
}

@test "exec orders: a trailing stop follows the high of a long" {
	# entry buy at the 09:16 open 100 with trail 2: stop 98. 09:16 high 101 -> stop 99
	# (after the bar is checked); 09:17 high 104 -> stop 102 (its low 100 is above 99);
	# 09:18 low 101.5 goes through 102 -> sell at 102
	{ b 09:15 100 100 100 100; o 09:15 t1 buy 3 market '"trail":2'
	  b 09:16 100 101 99.5 100.5; b 09:17 100.5 104 100 103; b 09:18 103 103.5 101.5 102; } > "$TMP/in"
	ex
	[ "$(fills)" = "09:16 t1 3@100
09:18 t1SL 3@102" ]
	# with sl 99.5 and trail 2 the stop starts at the higher of the two, 99.5
	{ b 09:15 100 100 100 100; o 09:15 t2 buy 3 market '"sl":99.5,"trail":2'; b 09:16 100 100 99.4 99.8; } > "$TMP/in"
	ex
	[ "$(fills)" = "09:16 t2 3@100
09:16 t2SL 3@99.5" ]
}

@test "exec orders: leg ids that would pass 30 characters are shortened deterministically" {
	id=abcdefghijklmnopqrstuvwxyz0123      # 30 characters
	{ b 09:15 100 101 99 100; o 09:15 $id buy 1 market '"sl":90'; b 09:16 100 100 85 90; } > "$TMP/in"
	ex
	# first 20 characters, 8 hex digits of FNV-1a-32 of the whole id, then SL
	want=$(python3 -c '
import sys
h = 2166136261
for c in sys.argv[1].encode():
    h = ((h ^ c) * 16777619) & 0xffffffff
print(sys.argv[1][:20] + "%08x" % h + "SL")' "$id")
	[ "${#want}" -eq 30 ]
	[ "$(fills | tail -1)" = "09:16 $want 1@90" ]
}

@test "exec orders: partial fills by volume participation, across bars" {
	# --max-participation 0.1: 10% of each bar's volume. qty 60; volumes 250, 5, 400:
	# 09:16 fills 25 (of 250), 09:17 floor(0.5) = 0 -> at least 1, 09:18 the remaining 34
	{ b 09:15 100 100 100 100; o 09:15 p1 buy 60 market
	  b 09:16 101 101 101 101 250; b 09:17 102 102 102 102 5; b 09:18 103 103 103 103 400; } > "$TMP/in"
	ex --max-participation 0.1
	[ "$(fills)" = "09:16 p1 25@101
09:17 p1 1@102
09:18 p1 34@103" ]
	# avg after two fills: (25 × 101 + 1 × 102) / 26 = 101.0384615 -> 101.0385
	[ "$(sed -n 3p "$TMP/out")" = '{"type":"order_update","ts":"2024-03-01T09:16:00+05:30","id":"p1","status":"partial","filled":25,"avg_price":101,"remaining":35}' ]
	[ "$(sed -n 5p "$TMP/out")" = '{"type":"order_update","ts":"2024-03-01T09:17:00+05:30","id":"p1","status":"partial","filled":26,"avg_price":101.0385,"remaining":34}' ]
	grep -q '"fill_id":"p1-3",.*"qty":34,"price":103,.*"remaining":0' "$TMP/out"
	# a bar of volume 0 fills nothing; two orders share one bar's allowance in arrival order
	{ b 09:15 100 100 100 100; o 09:15 p2 buy 30 market; o 09:15 p3 sell 30 market
	  b 09:16 101 101 101 101 0; b 09:17 102 102 102 102 400; } > "$TMP/in"
	ex --max-participation 0.1
	[ "$(fills)" = "09:17 p2 30@102
09:17 p3 10@102" ]
}

@test "exec orders: DAY orders expire at the session end; market orders fill at the next session's open" {
	# l1 (15:00, buy limit 90) never fills; the next day's first bar expires it.
	# m1 (market, 15:29) fills at the next day's 09:15 open, as backtrader does.
	# (--square-off none: the default 15:20 square-off would reject orders after it)
	{ b 15:00 100 100 100 100; o 15:00 l1 buy 1 limit '"limit":90'; b 15:29 100 100 99 99; o 15:29 m1 buy 1 market
	  b 09:15 98 98 97 97 1000 NSE:X-EQ 2024-03-04; } > "$TMP/in"
	ex --square-off none
	[ "$(updates)" = "15:00 l1 accepted
15:29 m1 accepted
09:15 l1 expired day order expired at the session end
09:15 m1 filled" ]
	[ "$(fills)" = "09:15 m1 1@98" ]
	# a bar at or after 15:30 the same day ends the session too
	{ b 15:00 100 100 100 100; o 15:00 l2 buy 1 limit '"limit":90'; b 15:30 100 100 99 99; } > "$TMP/in"
	ex --square-off none
	[ "$(updates | tail -1)" = "15:30 l2 expired day order expired at the session end" ]
	# the unfilled part of a partially filled market order expires
	{ b 15:28 100 100 100 100; o 15:28 m2 buy 20 market; b 15:29 100 100 100 100 100
	  b 09:15 98 98 97 97 1000 NSE:X-EQ 2024-03-04; } > "$TMP/in"
	ex --max-participation 0.1 --square-off none
	[ "$(updates | tail -2)" = "15:29 m2 partial
09:15 m2 expired day order expired at the session end" ]
}

@test "exec orders: square-off (default 15:20) closes intraday positions at the first bar at or after the time" {
	# e1 intraday buy 10 fills at 15:11's open 100; s1 delivery buy 5 too; there is no
	# 15:20 bar, the first at or after 15:20 is 15:21: e1's position is sold at its open 101.5
	# (id SQ + YYMMDD + sequence, reason square-off); the delivery position stays; the
	# working limit l1 is cancelled; an intraday order after 15:20 is rejected
	{ b 15:10 100 100 100 100; o 15:10 e1 buy 10 market; o 15:10 l1 buy 10 limit '"limit":80'
	  o 15:10 s1 buy 5 market | sed 's/"intraday"/"delivery"/'
	  b 15:11 100 100 100 100; b 15:19 101 101 101 101; b 15:21 101.5 102 101 101.5
	  o 15:21 e2 buy 1 market; b 15:22 101 101 101 101; } > "$TMP/in"
	ex --square-off 15:20 --slippage-bps 10
	[ "$status" -eq 0 ]
	# slippage applies to the square-off market fill: 101.5 × 0.999 = 101.3985
	[ "$(fills)" = "15:11 e1 10@100.1
15:11 s1 5@100.1
15:21 SQ2403010001 10@101.3985 square-off" ]
	[ "$(updates | sed -n '6,$p')" = "15:21 l1 cancelled intraday square-off at 15:20
15:21 SQ2403010001 accepted intraday square-off at 15:20
15:21 SQ2403010001 filled
15:21 e2 rejected intraday order after the square-off time 15:20" ]
	grep -q '"id":"SQ2403010001",.*"strategy":"s","symbol":"NSE:X-EQ","side":"sell","qty":10,' "$TMP/out"
	# the default is 15:20; with none nothing happens at 15:20
	cp "$TMP/out" "$TMP/out.1520"
	ex --slippage-bps 10
	cmp "$TMP/out" "$TMP/out.1520"
	ex --square-off none
	[ "$(fills | grep -c SQ)" -eq 0 ]
}

@test "exec orders: --latency-bars counts bars of the order's own symbol" {
	# latency 2: the order of 09:15 skips X's bars of 09:16 and 09:17 (Y's bars do not
	# count) and fills at the open of 09:18, 103
	{ b 09:15 100 100 100 100; o 09:15 m1 buy 1 market; b 09:16 101 101 101 101; b 09:16 50 50 50 50 10 NSE:Y-EQ
	  b 09:17 102 102 102 102; b 09:17 50 50 50 50 10 NSE:Y-EQ; b 09:18 103 103 103 103; } > "$TMP/in"
	ex --latency-bars 2
	[ "$(fills)" = "09:18 m1 1@103" ]
	# with --fill close, latency 1 fills at the close of the next bar (101), latency 0 at once (100)
	ex --latency-bars 1 --fill close
	[ "$(fills)" = "09:16 m1 1@101" ]
	ex --fill close
	[ "$(fills)" = "09:15 m1 1@100" ]
}

@test "exec orders: IOC orders fill on their first eligible bar or are cancelled" {
	{ b 09:15 100 100 100 100; o 09:15 i1 buy 1 limit '"limit":95' | sed 's/"day"/"ioc"/'
	  o 09:15 i2 buy 30 market | sed 's/"day"/"ioc"/'; b 09:16 99 99 98 98 100; b 09:17 94 94 94 94; } > "$TMP/in"
	ex --max-participation 0.1
	# i1: 09:16 never trades below 95 -> cancelled (09:17 would have filled it)
	# i2: 10 of 30 at the 09:16 open (10% of 100), the rest cancelled
	[ "$(fills)" = "09:16 i2 10@99" ]
	[ "$(updates | tail -3)" = "09:16 i1 cancelled ioc: not fillable on the first eligible bar
09:16 i2 partial
09:16 i2 cancelled ioc: unfilled remainder cancelled" ]
}

@test "exec orders: cancel and modify events from upstream" {
	# l1 buy limit 90 is modified to 99 and fills at 99 on the 09:16 bar (low 98.5);
	# l2 is cancelled; cancelling a filled order or an unknown id only warns
	{ b 09:15 100 100 100 100; o 09:15 l1 buy 2 limit '"limit":90'; o 09:15 l2 buy 1 limit '"limit":90'
	  echo '{"type":"modify","ts":"2024-03-01T09:15:30+05:30","id":"l1","limit":99,"qty":3}'
	  echo '{"type":"cancel","ts":"2024-03-01T09:15:30+05:30","id":"l2"}'
	  b 09:16 99.5 100 98.5 99
	  echo '{"type":"cancel","ts":"2024-03-01T09:16:30+05:30","id":"l1"}'
	  echo '{"type":"modify","ts":"2024-03-01T09:16:30+05:30","id":"zz","stop":5}'; } > "$TMP/in"
	ex
	[ "$status" -eq 0 ]
	[ "$(fills)" = "09:16 l1 3@99" ]
	[ "$(updates)" = "09:15 l1 accepted
09:15 l2 accepted
09:15 l1 accepted modified
09:15 l2 cancelled cancelled by request
09:16 l1 filled" ]
	[ "$(cat "$TMP/err")" = "algo-exec-paper: cancel l1: no working order with that id
algo-exec-paper: modify zz: no working order with that id" ]
	# the cancel and modify events themselves pass through
	[ "$(grep -c '"type":"\(cancel\|modify\)"' "$TMP/all")" -eq 4 ]
	# an invalid change is refused with a warning and leaves the order as it was
	{ b 09:15 100 100 100 100; o 09:15 m1 buy 2 market
	  echo '{"type":"modify","ts":"2024-03-01T09:15:30+05:30","id":"m1","limit":99}'; } > "$TMP/in"
	ex
	[ "$(head -1 "$TMP/err")" = "algo-exec-paper: modify m1: order m1 has no limit price; order unchanged" ]
	# bad cancel/modify events are bad input
	printf '%s\n' '{"type":"cancel","ts":"2024-03-01T09:15:30+05:30"}' > "$TMP/in"
	ex
	[ "$status" -eq 65 ]
	[ "$(cat "$TMP/err")" = "algo-exec-paper: stdin:1: missing field 'id'" ]
	printf '%s\n' '{"type":"modify","ts":"2024-03-01T09:15:30+05:30","id":"a1"}' > "$TMP/in"
	ex
	[ "$status" -eq 65 ]
	[ "$(cat "$TMP/err")" = "algo-exec-paper: stdin:1: modify: needs one of 'qty', 'limit', 'stop'" ]
	printf '%s\n' '{"type":"modify","ts":"2024-03-01T09:15:30+05:30","id":"a1","qty":-1}' > "$TMP/in"
	ex
	[ "$status" -eq 65 ]
	[ "$(cat "$TMP/err")" = "algo-exec-paper: stdin:1: field 'qty': must be a positive integer" ]
}

@test "exec orders: a delivery sell beyond the holding is rejected; intraday may go short" {
	{ b 09:15 100 100 100 100; o 09:15 d1 buy 5 market | sed 's/"intraday"/"delivery"/'
	  b 09:16 100 100 100 100; o 09:16 d2 sell 8 market | sed 's/"intraday"/"delivery"/'
	  o 09:16 d3 sell 5 market | sed 's/"intraday"/"delivery"/'; o 09:16 x1 sell 8 market
	  b 09:17 101 101 101 101; } > "$TMP/in"
	ex
	[ "$(updates | grep d2)" = "09:16 d2 rejected delivery sell of 8 exceeds the holding of 5 (short selling is intraday only)" ]
	[ "$(fills)" = "09:16 d1 5@100
09:17 d3 5@101
09:17 x1 8@101" ]
}

@test "exec orders: --capital rejects orders the remaining capital cannot cover" {
	# capital 10,000: b1 buys 100 @ ~100 (needs 100 × 100 = 10,000: exactly covered);
	# b2 then needs 100 more with nothing left; a short sell of 50 needs the same margin;
	# a sell that only reduces the long needs nothing
	{ b 09:15 100 100 100 100; o 09:15 b1 buy 100 market; b 09:16 100 100 100 100
	  o 09:16 b2 buy 1 market; o 09:16 x1 sell 150 market; o 09:16 x2 sell 50 market
	  o 09:16 l1 buy 10 limit '"limit":50'; b 09:17 100 100 100 100; } > "$TMP/in"
	ex --capital 10000
	[ "$(updates | grep rejected)" = "09:16 b2 rejected insufficient capital: needs 100, available 0
09:16 x1 rejected insufficient capital: needs 5000, available 0
09:16 l1 rejected insufficient capital: needs 500, available 0" ]
	[ "$(fills)" = "09:16 b1 100@100
09:17 x2 50@100" ]
	# F&O uses --fno-margin-pct of the notional: 75 × 200 × 15% = 2,250 <= 2,500 but 20% = 3,000 is not
	printf '%s\n' '{"type":"bar","ts":"2024-03-01T09:15:00+05:30","symbol":"NSE:NIFTY24MARFUT","tf":"1m","o":200,"h":200,"l":200,"c":200,"v":1000}' \
		'{"type":"order","ts":"2024-03-01T09:15:00+05:30","id":"f1","strategy":"s","symbol":"NSE:NIFTY24MARFUT","side":"sell","qty":75,"kind":"market",'"$T" > "$TMP/in"
	ex --capital 2500
	[ "$(updates)" = "09:15 f1 accepted" ]
	ex --capital 2500 --fno-margin-pct 20
	[ "$(updates)" = "09:15 f1 rejected insufficient capital: needs 3000, available 2500" ]
}

@test "exec orders: ticks fill against ask (buys) and bid (sells), or ltp" {
	{ b 09:15 100 100 100 100; o 09:15 m1 buy 1 market; o 09:15 m2 sell 1 market; o 09:15 l1 sell 1 limit '"limit":100.3'
	  echo '{"type":"tick","ts":"2024-03-01T09:15:01+05:30","symbol":"NSE:X-EQ","ltp":100.2,"bid":100.15,"ask":100.25,"v":5000}'
	  echo '{"type":"tick","ts":"2024-03-01T09:15:02+05:30","symbol":"NSE:X-EQ","ltp":100.4}'; } > "$TMP/in"
	ex
	[ "$status" -eq 0 ]
	# the half spread is the cost: buy at the ask 100.25, sell at the bid 100.15; the sell
	# limit 100.3 waits for a bid (or ltp) at or above it: ltp 100.4 on the next tick
	[ "$(fills | sed 's/^\(.....\)/\1/')" = "09:15 m1 1@100.25
09:15 m2 1@100.15
09:15 l1 1@100.4" ]
	printf '%s\n' '{"type":"tick","ts":"2024-03-01T09:15:01+05:30","symbol":"NSE:X-EQ","ltp":100.2,"bid":100.35,"ask":100.25}' > "$TMP/in"
	ex
	[ "$status" -eq 65 ]
	[ "$(cat "$TMP/err")" = "algo-exec-paper: stdin:1: field 'bid': above 'ask'" ]
	printf '%s\n' '{"type":"tick","ts":"2024-03-01T09:15:01+05:30","symbol":"NSE:X-EQ","ltp":100.2}' '{"type":"tick","ts":"2024-03-01T09:15:00+05:30","symbol":"NSE:X-EQ","ltp":100.2}' > "$TMP/in"
	ex
	[ "$status" -eq 65 ]
	[ "$(cat "$TMP/err")" = "algo-exec-paper: stdin:2: field 'ts': 2024-03-01T09:15:00+05:30 goes back before 2024-03-01T09:15:01+05:30 for NSE:X-EQ tick" ]
}

@test "exec orders: bad order fields and option values" {
	{ o 09:15 a1 buy 1 market '"sl":105,"tp":95'; } > "$TMP/in"
	ex
	[ "$status" -eq 65 ]
	[ "$(cat "$TMP/err")" = "algo-exec-paper: stdin:1: field 'sl': must be below 'tp' for a buy" ]
	o 09:15 a1 buy 1 stop '"stop":-1' > "$TMP/in"
	ex
	[ "$status" -eq 65 ]
	[[ "$(cat "$TMP/err")" == "algo-exec-paper: stdin:1: field 'stop': "* ]]
	o 09:15 a1 buy 1 market | sed 's/"day"/"gtc"/' > "$TMP/in"
	ex
	[ "$status" -eq 65 ]
	[ "$(cat "$TMP/err")" = "algo-exec-paper: stdin:1: field 'validity': must be day or ioc" ]
	for args in "--intrabar maybe" "--square-off 25:00" "--max-participation 0" "--max-participation 1.5" \
		"--latency-bars -1" "--slippage-ticks x" "--tick-size 0" "--capital -5" "--fno-margin-pct 0" \
		"--charges"; do
		run algo-exec-paper $args < /dev/null
		[ "$status" -eq 2 ] || { echo "$args: exit $status"; false; }
	done
}
