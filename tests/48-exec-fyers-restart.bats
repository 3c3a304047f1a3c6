#!/usr/bin/env bats
# algo-exec-fyers --live across restarts: kill -9 at each point of an order's life (the
# ALGO_FYERS_CRASH_AT test hook: before the intent is committed, after the commit
# before the send, after the send before the answer, while following fills), then a
# restart: still exactly one order at the broker and every fill once. Reconciliation on
# start (what happened while down, external trades, a position mismatch tripping the
# strategy's kill switch), and two processes on one account under the rate limits.
load test_helper
load fyers_helper
load fyers_live_helper

setup_file() { fyers_setup_file; }
setup() { live_setup; }
teardown() { live_teardown; }

# crash_then_restart POINT: run 1 dies at POINT (SIGKILL), run 2 reads the same input.
crash_then_restart() {
	ALGO_FYERS_CRASH_AT=$1 fx < "$TMP/in" > "$TMP/out1" 2> "$TMP/err1" && st=0 || st=$?
	cat "$TMP/err1"
	[ "$st" -eq 137 ]
	fx < "$TMP/in" > "$TMP/out2" 2> "$TMP/err2"
	cat "$TMP/err2"
	cat "$TMP/out1" "$TMP/out2" | algo-ledger > /dev/null
	check_once "$TMP/out1" "$TMP/out2"
	ledger_matches
	[ "$(mock_book | py -c 'import json,sys; print(len(json.load(sys.stdin)["orders"]))')" -eq 1 ]
	grep -q '"id":"k1","status":"filled"' "$TMP/out2"
}

@test "restart: killed before the intent is committed: placed once by the next run" {
	order k1 > "$TMP/in"
	crash_then_restart before-commit
	[ "$(order_requests)" -eq 1 ]
	[ ! -s "$TMP/out1" ] || ! grep -q k1 "$TMP/out1" || ! grep -q status "$TMP/out1"
}

@test "restart: killed after the commit, before the send: looked up, not there, sent once" {
	order k1 > "$TMP/in"
	crash_then_restart after-commit
	[ "$(order_requests)" -eq 1 ]
	grep -q "reconciling 1 order of the last run" "$TMP/err2"
	grep -q "order k1: not in the order book: it never reached FYERS" "$TMP/err2"
}

@test "restart: killed after the send, before the answer: found by its tag, not sent again" {
	order k1 > "$TMP/in"
	crash_then_restart after-send
	[ "$(order_requests)" -eq 1 ]
	grep -q "order k1: found in the order book as [0-9]* (tag k1)" "$TMP/err2"
}

@test "restart: killed while following fills: the fills before and after, each once" {
	mock_behave '{"tag":"k1","fills":[{"qty":4,"price":500,"after_ms":0},{"qty":6,"price":501,"after_ms":1500}]}'
	order k1 > "$TMP/in"
	crash_then_restart following
	[ "$(order_requests)" -eq 1 ]
	[ "$(grep -c '"type":"fill"' "$TMP/out1")" -eq 1 ]
	[ "$(grep -c '"type":"fill"' "$TMP/out2")" -eq 1 ]
}

@test "reconcile: what happened while down is emitted on start; trades by hand are external fills" {
	mock_behave '{"tag":"w1","rest":true}'
	order w1 kind=limit limit=499 > "$TMP/in"
	fx --drain-timeout 0.3 < "$TMP/in" > "$TMP/out1" 2> "$TMP/err1"
	grep -q "1 order still working at FYERS" "$TMP/err1"
	id=$(mock_book | py -c 'import json,sys; print(json.load(sys.stdin)["orders"][0]["id"])')
	# while the stage is down: the order fills, and a trade is made by hand in the app
	mock_post /_mock/orders/fill "{\"id\":\"$id\",\"qty\":10,\"price\":499}"
	mock_post /_mock/orders/trade '{"symbol":"NSE:SBIN-EQ","side":"sell","qty":10,"price":505,"productType":"INTRADAY"}'
	fx < /dev/null > "$TMP/out2" 2> "$TMP/err2"
	cat "$TMP/err2"
	grep -q "reconciling 1 order of the last run with FYERS" "$TMP/err2"
	grep -q '"id":"w1","status":"filled"' "$TMP/out2"
	grep -q '"type":"fill",.*"id":"X[0-9]*",.*"strategy":"s1",.*"side":"sell","qty":10,"price":505,.*"external":true' "$TMP/out2"
	grep -q "was not placed by algo-exec-fyers: reported as an external fill of strategy s1" "$TMP/err2"
	! grep -q "WARNING: position mismatch" "$TMP/err2"
	cat "$TMP/out1" "$TMP/out2" | algo-ledger > /dev/null
	check_once "$TMP/out1" "$TMP/out2"
	ledger_matches
	# a third run has nothing new to say
	fx < /dev/null > "$TMP/out3" 2>/dev/null
	[ ! -s "$TMP/out3" ]
}

@test "reconcile: a position mismatch warns loudly and trips that strategy's kill switch" {
	order q1 > "$TMP/in"
	fx < "$TMP/in" > "$TMP/out1" 2>/dev/null
	# the broker says 15 where our ledger of trades says 10 (a trade we never saw)
	mock_scenario '{"positions":[{"id":"NSE:SBIN-EQ-INTRADAY","symbol":"NSE:SBIN-EQ","productType":"INTRADAY","netQty":5,"side":1,"qty":5}]}'
	fx < /dev/null > "$TMP/out2" 2> "$TMP/err2"
	cat "$TMP/err2"
	grep -q "WARNING: position mismatch with FYERS: NSE:SBIN-EQ INTRADAY ours 10, FYERS" "$TMP/err2"
	grep -q "kill switch: strategy s1 halted" "$TMP/err2"
	[ "$(sqlite3 "$ALGO_STATE" "SELECT state || ' ' || who FROM risk_state WHERE scope='strategy' AND key='s1'")" = "halted algo-exec-fyers" ]
	run algo-risk status
	[[ "$output" == *"s1"*"halted"* ]]
}

@test "limits: two processes on one account stay under 10 a second and 200 a minute" {
	mock_behave '[{"tag":"a1","rest":true},{"tag":"a2","rest":true},{"tag":"b1","rest":true},{"tag":"b2","rest":true}]'
	algo-ledger users add bob --email bob@example.com --name Bob --plan PRO
	algo-exec-fyers accept-risk --yes --user bob 2>/dev/null
	{ order a1 kind=limit limit=400; order a2 kind=limit limit=400; } > "$TMP/ina"
	{ order b1 kind=limit limit=400 user=bob; order b2 kind=limit limit=400 user=bob; } > "$TMP/inb"
	fx --poll-interval 0.02 --drain-timeout 4 < "$TMP/ina" > "$TMP/outa" 2>/dev/null &
	pa=$!
	algo-exec-fyers --live --user bob --poll-interval 0.02 --drain-timeout 4 < "$TMP/inb" > "$TMP/outb" 2>/dev/null &
	pb=$!
	wait "$pa" "$pb"
	mock_log | py -c '
import json, sys
log = [r for r in json.load(sys.stdin)["requests"] if r["path"].startswith("/api/")]
t = sorted(r["t"] for r in log)
assert len(t) > 20, len(t)
per_sec = max(sum(1 for u in t if s <= u < s + 1) for s in t)
per_min = max(sum(1 for u in t if s <= u < s + 60) for s in t)
assert per_sec <= 10 and per_min <= 200, (per_sec, per_min)
assert not [r for r in log if r["status"] == 429], "rate limited"
print("requests", len(t), "max per second", per_sec, "max per minute", per_min)'
	[ "$(order_requests)" -eq 4 ]
}
