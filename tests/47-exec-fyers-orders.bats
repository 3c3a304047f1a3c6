#!/usr/bin/env bats
# algo-exec-fyers --live against the FYERS mock: orders mapped and tagged, followed
# through the order book and the trade book (partial fills, rejections, cancellations,
# expiry, modify and cancel from upstream), and every fault the mock can script
# (latency, 5xx, 429 with Retry-After, a connection dropped after the broker accepted
# the order, code 201, a slow order book, an expired token). For each: exactly one
# order at the broker per client order id, every broker trade exactly once as a fill,
# and the ledger matches the trade book.
load test_helper
load fyers_helper
load fyers_live_helper

setup_file() { fyers_setup_file; }
setup() { live_setup; }
teardown() { live_teardown; }

# run_fx [fx options]: the stage over $TMP/in into $TMP/out, stderr in $TMP/err; the
# ledger records the output.
run_fx() {
	run --separate-stderr fx "$@" < "$TMP/in"
	printf '%s\n' "$output" > "$TMP/out"
	printf '%s\n' "$stderr" > "$TMP/err"
	echo "$stderr"
	algo-ledger < "$TMP/out" > /dev/null
}

# all_good: one order per id, trades once as fills, the ledger matches.
all_good() {
	check_once "$TMP/out"
	ledger_matches
}

@test "orders: a market order is placed once with its tag, accepted with broker_id and filled" {
	order o1 > "$TMP/in"
	run_fx
	[ "$status" -eq 0 ]
	[ "$(order_requests)" -eq 1 ]
	# the request as FYERS-API.md §3 gives it
	mock_log | py -c '
import json, sys
r = [r for r in json.load(sys.stdin)["requests"] if r["path"] == "/api/v3/orders/sync"][0]
b = r["body"]
assert b == {"symbol": "NSE:SBIN-EQ", "qty": 10, "type": 2, "side": 1, "productType": "INTRADAY",
    "limitPrice": 0, "stopPrice": 0, "validity": "DAY", "disclosedQty": 0, "offlineOrder": False,
    "stopLoss": 0, "takeProfit": 0, "orderTag": "o1"}, b
assert r["auth"] and r["agent"].startswith("algo/"), r'
	id=$(mock_book | py -c 'import json,sys; print(json.load(sys.stdin)["orders"][0]["id"])')
	grep -q "\"id\":\"o1\",\"status\":\"accepted\",\"broker_id\":\"$id\"" "$TMP/out"
	grep -q '"type":"fill",.*"id":"o1","fill_id":"2512030001000[0-9]",.*"qty":10,"price":500' "$TMP/out"
	grep -q "\"id\":\"o1\",\"status\":\"filled\",\"broker_id\":\"$id\",\"filled\":10" "$TMP/out"
	# input passes through byte for byte
	[ "$(head -1 "$TMP/out")" = "$(cat "$TMP/in")" ]
	all_good
}

@test "orders: --charges gives each broker fill the fees of the dated table" {
	order o1 > "$TMP/in"
	run_fx --charges india
	grep -q '"type":"fill",.*"fees":{"brokerage":[0-9.]*,"stt":[0-9.]*,"exchange":[0-9.]*,.*"total":[1-9]' "$TMP/out"
	all_good
	run fx --charges no-such-table < "$TMP/in"
	[ "$status" -eq 66 ]
	[[ "$output" == *"no charges table 'no-such-table'"* ]]
}

@test "orders: --charges adds the DP charge once per scrip and day on delivery sells" {
	# a delivery sell filled in two trades, a second delivery sell of the same scrip, an
	# intraday sell, a delivery sell of another scrip: the DP charge on the first trade
	# of each scrip's delivery sells only
	day=$(TZ=Asia/Kolkata date +%F)
	mock_behave '{"tag":"d2","fills":[{"qty":4,"price":510,"after_ms":0},{"qty":6,"price":511,"after_ms":300}]}'
	{
		order d1 product=delivery
		order d2 product=delivery side=sell
		order d3 product=delivery side=sell qty=2
		order d4 side=sell
		order d5 product=delivery side=sell symbol=NSE:TCS-EQ qty=1
	} > "$TMP/in"
	run_fx --charges india
	[ "$status" -eq 0 ]
	fills() { grep '"type":"fill"' "$TMP/out" | grep "\"id\":\"$1\""; }
	[ "$(fills d2 | grep -c '"dp":15.5')" -eq 1 ]
	fills d2 | grep '"qty":4,' | grep -q '"dp":15.5'
	! fills d1 | grep -q '"dp"'
	! fills d3 | grep -q '"dp"'
	! fills d4 | grep -q '"dp"'
	fills d5 | grep -q '"dp":15.5'
	all_good
	# the next run the same day: the scrip paid already, so no DP charge again
	order d6 product=delivery side=sell qty=1 > "$TMP/in"
	run_fx --charges india
	[ "$(TZ=Asia/Kolkata date +%F)" = "$day" ] || skip "ran across midnight IST"
	! fills d6 | grep -q '"dp"'
	fills d6 | grep -q '"fees":{"brokerage"'
}

@test "orders: kinds, sides, products and prices map to FYERS's fields" {
	mock_behave '{"tag":"a1","rest":true}'
	order a1 kind=limit limit=749.5 qty=3 product=delivery > "$TMP/in"
	order a2 kind=stop stop=760 side=sell product=margin symbol=NSE:NIFTY24MARFUT >> "$TMP/in"
	order a3 kind=stop_limit stop=755 limit=756.05 validity=ioc >> "$TMP/in"
	run_fx --drain-timeout 0.5
	mock_log | py -c '
import json, sys
bodies = {r["body"]["orderTag"]: r["body"] for r in json.load(sys.stdin)["requests"] if r["path"] == "/api/v3/orders/sync"}
a1, a2, a3 = bodies["a1"], bodies["a2"], bodies["a3"]
assert (a1["type"], a1["productType"], a1["limitPrice"], a1["stopPrice"], a1["qty"]) == (1, "CNC", 749.5, 0, 3), a1
assert (a2["type"], a2["side"], a2["productType"], a2["stopPrice"], a2["limitPrice"]) == (3, -1, "MARGIN", 760, 0), a2
assert (a3["type"], a3["validity"], a3["stopPrice"], a3["limitPrice"]) == (4, "IOC", 755, 756.05), a3'
	grep -q "1 order still working at FYERS after the drain time-out" "$TMP/err"
	all_good
}

@test "orders: partial fills over time, one fill per broker trade" {
	mock_behave '{"tag":"p1","fills":[{"qty":4,"price":501.5,"after_ms":0},{"qty":6,"price":502,"after_ms":800}]}'
	order p1 > "$TMP/in"
	run_fx
	[ "$status" -eq 0 ]
	grep -q '"id":"p1","status":"partial",.*"filled":4,"avg_price":501.5,"remaining":6' "$TMP/out"
	grep -q '"id":"p1","status":"filled",.*"filled":10,"avg_price":501.8' "$TMP/out"
	[ "$(grep -c '"type":"fill"' "$TMP/out")" -eq 2 ]
	all_good
}

@test "orders: rejections carry the broker's message" {
	mock_behave '[{"tag":"r1","reject_place":"RED:Margin Shortfall:INR 5,000.00"},{"tag":"r2","reject":"RMS:Blocked for trading"},{"tag":"r3","reject":"RMS:Price out of band","reject_after_ms":600}]'
	order r1 > "$TMP/in"
	order r2 >> "$TMP/in"
	order r3 >> "$TMP/in"
	run_fx
	[ "$status" -eq 0 ]
	grep -q '"id":"r1","status":"rejected","reason":"RED:Margin Shortfall:INR 5,000.00"' "$TMP/out"
	grep -q '"id":"r2","status":"rejected","broker_id":"[0-9]*","reason":"RMS:Blocked for trading"' "$TMP/out"
	# rejected after the order book showed it pending: it was accepted, so it ends cancelled
	grep -q '"id":"r3","status":"accepted","broker_id":"[0-9]*"' "$TMP/out"
	grep -q '"id":"r3","status":"cancelled","broker_id":"[0-9]*","reason":"rejected by FYERS: RMS:Price out of band"' "$TMP/out"
	[ "$(order_requests)" -eq 3 ]
	all_good
}

@test "orders: cancellation by upstream and at the broker, expiry, modify" {
	mock_behave '[{"tag":"c1","rest":true},{"tag":"c2","cancel_after_ms":300},{"tag":"e1","expire_after_ms":300},{"tag":"m1","rest":true}]'
	{
		order c1 kind=limit limit=700
		order c2 kind=limit limit=700
		order e1 kind=limit limit=700
		order m1 kind=limit limit=700
		sleep 0.5
		cancel_of c1
		printf '{"type":"modify","ts":"%s","id":"m1","limit":701.5,"qty":12,"user":"alice"}\n' "$(date -u +%Y-%m-%dT%H:%M:%S.000Z)"
	} > "$TMP/in"
	run_fx --drain-timeout 3
	grep -q '"id":"c1","status":"cancelled","broker_id":"[0-9]*"' "$TMP/out"
	grep -q '"id":"c2","status":"cancelled","broker_id":"[0-9]*","reason":"CANCELLED BY BROKER"' "$TMP/out"
	grep -q '"id":"e1","status":"expired","broker_id":"[0-9]*"' "$TMP/out"
	grep -q '"id":"m1","status":"accepted","broker_id":"[0-9]*","reason":"modified"' "$TMP/out"
	mock_book | py -c '
import json, sys
o = {x["orderTag"]: x for x in json.load(sys.stdin)["orders"]}
assert o["1:c1"]["status"] == 1 and o["1:m1"]["limitPrice"] == 701.5 and o["1:m1"]["qty"] == 12, o["1:m1"]'
	[ "$(mock_count DELETE /api/v3/orders/sync)" -eq 1 ]
	[ "$(mock_count PATCH /api/v3/orders/sync)" -eq 1 ]
	all_good
}

@test "orders: a strategy's kill switch refuses its new orders at the executor itself; exits pass" {
	order k1 > "$TMP/in"
	run_fx
	grep -q '"id":"k1","status":"filled"' "$TMP/out"
	cp "$TMP/out" "$TMP/out1"
	# algo-risk upstream blocks these first; algo-exec-fyers refuses them too
	algo-risk kill --strategy s1 --reason "drill" --who ops
	mock_reset_log
	{
		order k2
		order k3 side=sell reduce_only=true
		order k4 strategy=s2
	} | sed 's/"reduce_only": "true"/"reduce_only": true/' > "$TMP/in"
	run_fx
	[ "$status" -eq 0 ]
	grep -q '"id":"k2","status":"rejected","reason":"kill switch: strategy s1 is halted (drill)"' "$TMP/out"
	grep -q "order k2 not sent: kill switch: strategy s1 is halted (drill)" "$TMP/err"
	grep -q '"id":"k3","status":"filled"' "$TMP/out"
	grep -q '"id":"k4","status":"filled"' "$TMP/out"
	[ "$(order_requests)" -eq 2 ]
	mock_log | py -c '
import json, sys
tags = [r["body"]["orderTag"] for r in json.load(sys.stdin)["requests"] if r["path"] == "/api/v3/orders/sync"]
assert sorted(tags) == ["k3", "k4"], tags'
	check_once "$TMP/out1" "$TMP/out"
	ledger_matches
}

@test "orders: a kill switch set during the run refuses the orders after it" {
	order u1 > "$TMP/in1"
	order u2 strategy=s2 > "$TMP/in2"
	{
		cat "$TMP/in1"
		sleep 1
		algo-risk kill --user alice --reason "enough" --who ops
		cat "$TMP/in2"
	} | fx > "$TMP/out" 2> "$TMP/err" && status=0 || status=$?
	cat "$TMP/err"
	[ "$status" -eq 0 ]
	grep -q '"id":"u1","status":"filled"' "$TMP/out"
	grep -q '"id":"u2","status":"rejected","reason":"kill switch: user alice is halted (enough)"' "$TMP/out"
	[ "$(order_requests)" -eq 1 ]
	algo-ledger < "$TMP/out" > /dev/null
	all_good
}

@test "orders: a stale order is not sent; --max-order-age 0 turns the check off" {
	order s1 ts=2024-03-01T09:15:00+05:30 > "$TMP/in"
	run_fx
	grep -q '"id":"s1","status":"rejected","reason":"stale"' "$TMP/out"
	[ "$(order_requests)" -eq 0 ]
	order s2 ts=2024-03-01T09:15:00+05:30 > "$TMP/in"
	run_fx --max-order-age 0
	[ "$(order_requests)" -eq 1 ]
	all_good
}

# fault_case ID RULE...: the order ID under the fault RULE(s) is placed exactly once.
fault_case() {
	local id=$1
	shift
	for r in "$@"; do mock_post "${r%%=*}" "${r#*=}"; done
	order "$id" > "$TMP/in"
	run_fx --request-timeout 1
	[ "$status" -eq 0 ]
	grep -q "\"id\":\"$id\",\"status\":\"filled\"" "$TMP/out"
	all_good
}

@test "faults: a 5xx on the place request: looked up, not there, sent again once" {
	fault_case f1 '/_mock/fault={"method":"POST","path":"/api/v3/orders/sync","status":503,"code":-50,"message":"Service Unavailable"}'
	[ "$(order_requests)" -eq 2 ]
	grep -q "not in the order book after 3 lookups: it never reached FYERS" "$TMP/err"
}

@test "faults: the connection dropped after the broker accepted: found by its tag, not sent again" {
	fault_case f2 '/_mock/orders/behave={"tag":"f2","drop_after_accept":true}'
	[ "$(order_requests)" -eq 1 ]
	grep -q "order f2: found in the order book as [0-9]* (tag f2)" "$TMP/err"
}

@test "faults: the connection dropped before the broker saw it: sent again once" {
	fault_case f3 '/_mock/fault={"method":"POST","path":"/api/v3/orders/sync","drop":true}'
	[ "$(order_requests)" -eq 2 ]
}

@test "faults: a slow answer (time-out) after the broker accepted: found, not sent again" {
	fault_case f4 '/_mock/orders/behave={"tag":"f4","slow_ms":2500}'
	sleep 2     # the mock logs the slow request once it gave up answering it
	[ "$(order_requests)" -eq 1 ]
	grep -q "order f4: found in the order book" "$TMP/err"
}

@test "faults: code 201 (request made, no acknowledgement): resolved through the order book" {
	fault_case f5 '/_mock/orders/behave={"tag":"f5","ambiguous":true}'
	[ "$(order_requests)" -eq 1 ]
}

@test "faults: HTTP 429 with Retry-After: nothing placed, sent again after the wait" {
	start=$(date +%s%N)
	fault_case f6 '/_mock/fault={"method":"POST","path":"/api/v3/orders/sync","status":429,"code":-429,"message":"request limit reached","retry_after":2}'
	[ "$(order_requests)" -eq 2 ]
	[ $(( ($(date +%s%N) - start) / 1000000 )) -ge 2000 ]
	mock_log | py -c '
import json, sys
t = [r["t"] for r in json.load(sys.stdin)["requests"] if r["path"] == "/api/v3/orders/sync"]
assert t[1] - t[0] >= 2.0, t'
}

@test "faults: a slow and failing order book, orders in transit" {
	fault_case f7 '/_mock/fault={"method":"GET","path":"/api/v3/orders","delay_ms":600,"times":3}' \
		'/_mock/fault={"method":"GET","path":"/api/v3/tradebook","status":502,"code":-50,"times":2}' \
		'/_mock/orders/behave={"tag":"f7","transit_ms":500}'
	[ "$(order_requests)" -eq 1 ]
}

@test "orders: a fill at the broker while the input is quiet comes out without further input" {
	# the fill comes 1 s after the order; the input stays open and silent (a fifo held
	# by this test) until the fill is out: the stage polls while no line arrives
	mock_behave '{"tag":"q1","fills":[{"qty":10,"price":503,"after_ms":1000}]}'
	mkfifo "$TMP/fifo"
	fx < "$TMP/fifo" > "$TMP/out" 2> "$TMP/err" &
	pid=$!
	exec 5> "$TMP/fifo"
	order q1 >&5
	for _ in $(seq 200); do
		grep -q '"type":"fill"' "$TMP/out" && break
		sleep 0.1
	done
	grep -q '"type":"fill",.*"id":"q1",.*"qty":10,"price":503' "$TMP/out" || { exec 5>&-; wait $pid; cat "$TMP/err"; false; }
	grep -q '"id":"q1","status":"filled"' "$TMP/out"
	exec 5>&-
	wait $pid
	algo-ledger < "$TMP/out" > /dev/null
	all_good
}

@test "faults: the token expires mid-run: later orders rejected 'token expired', exit 77 at the end" {
	# t1 fills during the quiet second: the stage polls while no line arrives (lib/stage's
	# idle interval), so its fill is taken before the session expires; t0 rests and is
	# still working when the session ends
	mock_behave '{"tag":"t0","rest":true}'
	order t0 kind=limit limit=495 > "$TMP/in1"
	order t1 >> "$TMP/in1"
	order t2 > "$TMP/in2"
	{
		cat "$TMP/in1"
		# the session ends once t0 is accepted and t1 filled (within a second; longer
		# under valgrind)
		for _ in $(seq 300); do
			grep -q '"id":"t0","status":"accepted"' "$TMP/out" &&
				grep -q '"id":"t1","status":"filled"' "$TMP/out" && break
			sleep 0.1
		done
		curl -sf -X POST "$MOCK_URL/_mock/expire" > /dev/null
		sleep 0.2
		cat "$TMP/in2"
	} | fx > "$TMP/out" 2> "$TMP/err" && status=0 || status=$?
	cat "$TMP/err"
	[ "$status" -eq 77 ]
	grep -q '"id":"t0","status":"accepted"' "$TMP/out"
	grep -q '"id":"t1","status":"filled"' "$TMP/out"
	grep -q '"id":"t2","status":"rejected","reason":"token expired"' "$TMP/out"
	grep -q "the FYERS session is no longer valid" "$TMP/err"
	grep -q "the FYERS session expired during the run" "$TMP/err"
	# t2 was not placed: the poll of t0 saw the session end first (t2 not sent), or t2's
	# request was refused with 401 (-16)
	n=$(order_requests)
	[ "$n" -ge 2 ] && [ "$n" -le 3 ]
	[ "$(mock_book | py -c 'import json,sys; print(len(json.load(sys.stdin)["orders"]))')" -eq 2 ]
	algo-ledger < "$TMP/out" > /dev/null
	# t0 fills while no session is valid; after login the next run reconciles: its fill
	# comes out once, nothing is lost
	id=$(mock_book | py -c 'import json,sys; print([o["id"] for o in json.load(sys.stdin)["orders"] if o["orderTag"] == "1:t0"][0])')
	mock_post /_mock/orders/fill "{\"id\":\"$id\",\"price\":495}"
	fyers_login
	fx < /dev/null > "$TMP/out2" 2> "$TMP/err2"
	grep -q '"type":"fill",.*"id":"t0",.*"qty":10,"price":495' "$TMP/out2"
	grep -q '"id":"t0","status":"filled"' "$TMP/out2"
	[ "$(order_requests)" -eq "$n" ]
	algo-ledger < "$TMP/out2" > /dev/null
	check_once "$TMP/out" "$TMP/out2"
	ledger_matches
}

@test "orders: bracket legs go to FYERS as orders of their own, one cancels the other" {
	mock_behave '{"tag":"b1SL","fills":[{"qty":10,"price":490,"after_ms":600}]}'
	order b1 sl=490 tp=520 > "$TMP/in"
	run_fx
	[ "$status" -eq 0 ]
	mock_log | py -c '
import json, sys
b = {r["body"]["orderTag"]: r["body"] for r in json.load(sys.stdin)["requests"] if r["path"] == "/api/v3/orders/sync" and r["method"] == "POST"}
assert sorted(b) == ["b1", "b1SL", "b1TP"], sorted(b)
assert b["b1"]["stopLoss"] == 0 and b["b1"]["takeProfit"] == 0, b["b1"]
assert (b["b1SL"]["type"], b["b1SL"]["side"], b["b1SL"]["stopPrice"], b["b1SL"]["qty"]) == (3, -1, 490, 10), b["b1SL"]
assert (b["b1TP"]["type"], b["b1TP"]["side"], b["b1TP"]["limitPrice"], b["b1TP"]["validity"]) == (1, -1, 520, "DAY"), b["b1TP"]'
	grep -q '"id":"b1SL","status":"accepted",.*"reason":"stop-loss leg of b1"' "$TMP/out"
	grep -q '"id":"b1SL","status":"filled"' "$TMP/out"
	grep -q '"id":"b1TP","status":"cancelled",.*"reason":"one cancels other: b1SL filled"' "$TMP/out"
	[ "$(mock_count DELETE /api/v3/orders/sync)" -eq 1 ]
	all_good
}
