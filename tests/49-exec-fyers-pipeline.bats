#!/usr/bin/env bats
# The pipeline that paper-trades, with algo-exec-paper swapped for algo-exec-fyers
# --live: algo-risk's fill barrier works unchanged over broker fills, the ledger gets
# the broker's trades, and the report is the round trip the trade book says.
load test_helper
load fyers_helper
load fyers_live_helper

setup_file() { fyers_setup_file; }
setup() { live_setup; export TMPDIR=$TMP; }
teardown() { live_teardown; }

# events: bars and signals of strategy s1 on NSE:SBIN-EQ over the last minute (the
# orders must not be stale): an entry, bars, an exit.
events() {
	py - <<-'EOF'
	import datetime, json
	now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
	def t(s): return (now - datetime.timedelta(seconds=s)).strftime("%Y-%m-%dT%H:%M:%SZ")
	def bar(s, c): print(json.dumps({"type": "bar", "ts": t(s), "symbol": "NSE:SBIN-EQ", "tf": "1s",
	    "o": c, "h": c, "l": c, "c": c, "v": 1000}))
	def sig(s, action, side): print(json.dumps({"type": "signal", "ts": t(s), "strategy": "s1",
	    "symbol": "NSE:SBIN-EQ", "action": action, "side": side, "qty": 10, "reason": "r", "user": "alice"}))
	bar(40, 500); sig(40, "entry", "buy"); bar(30, 501); bar(20, 502)
	sig(20, "exit", "sell"); bar(10, 503); bar(5, 503)
	EOF
}

@test "pipeline: algo-risk --barrier | algo-exec-fyers --live | algo-ledger trades the round trip once" {
	events > "$TMP/in"
	mock_scenario '{"prices":{"NSE:SBIN-EQ":501.5}}'
	printf '{"max_daily_loss":5000}\n' > "$TMP/risk.json"
	algo-risk --barrier -c "$TMP/risk.json" < "$TMP/in" | fx | algo-ledger > "$TMP/out" 2> "$TMP/err" \
		|| { cat "$TMP/err"; false; }
	cat "$TMP/err"
	[ "$(grep -c '"type":"order",' "$TMP/out")" -eq 2 ]
	[ "$(grep -c '"type":"fill",' "$TMP/out")" -eq 2 ]
	[ "$(order_requests)" -eq 2 ]
	check_once "$TMP/out"
	ledger_matches
	# the sync of the barrier is answered, never passed on
	! grep -q '"type":"sync"' "$TMP/out"
	run algo-ledger trades --user alice --format ndjson
	echo "$output"
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *'"qty":10'* ]]
}
