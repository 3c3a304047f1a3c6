#!/usr/bin/env bats
# algo-feed fyers quotes against the FYERS mock: ticks from polled quotes (at most 50
# symbols a call), bars built from a scripted quote sequence (lib/barbuild: minute
# edges, gaps, volume resets), --record played back by algo-feed replay, market hours
# from marketStatus and the calendar, and the staleness watchdog.
load test_helper
load fyers_helper

setup_file() { fyers_setup_file; }
setup() { common_setup; mock_start --scenario "$FYX/quotes-script.json"; fyers_login; }
teardown() { mock_stop; common_teardown; }

Q() { algo-feed fyers quotes "$@"; }

@test "fyers quotes: lib/barbuild from a scripted tick sequence" { run_unit test_barbuild; }

@test "fyers quotes: scripted quotes give ticks when they change, and 1m bars at the IST minute edges" {
	run --separate-stderr Q --symbols NSE:SBIN-EQ,NSE:INFY-EQ --every 100ms --bars 1m --until 2024-03-01T09:19:00
	[ "$status" -eq 0 ]
	diff <(echo "$output") "$FYX/quotes-golden.ndjson"
	[ -z "$stderr" ]
	# one request a poll for both symbols
	[ "$(mock_count GET /data/quotes)" -eq 6 ]
}

@test "fyers quotes: --record writes what algo-feed replay plays back" {
	Q --symbols NSE:SBIN-EQ,NSE:INFY-EQ --every 100ms --bars 1m --until 2024-03-01T09:19:00 \
		--record "$TMP/day.ndjson" > "$TMP/out"
	cmp "$TMP/out" "$TMP/day.ndjson"
	algo-feed replay --speed 0 "$TMP/day.ndjson" > "$TMP/back"
	cmp "$TMP/out" "$TMP/back"
}

@test "fyers quotes: 60 symbols are polled 50 and 10 a call" {
	syms=$(for i in $(seq 60); do printf 'NSE:S%02d-EQ,' "$i"; done)
	until=$(date -d '+2 sec' '+%Y-%m-%dT%H:%M:%S%:z')
	run --separate-stderr Q --symbols "${syms%,}" --every 500ms --until "$until"
	[ "$status" -eq 0 ]
	grep -c '"type":"tick"' <<<"$output" | grep -qv '^0$'
	mock_log | py -c '
import json, sys, urllib.parse
n = [len(dict(urllib.parse.parse_qsl(r["query"]))["symbols"].split(","))
     for r in json.load(sys.stdin)["requests"] if r["path"] == "/data/quotes"]
print(n)
assert len(n) >= 4 and n[:4] == [50, 10, 50, 10], n'
}

@test "fyers quotes: quotes that stop changing are warned about within --stale, then a reconnect" {
	Q --symbols NSE:SBIN-EQ,NSE:INFY-EQ --every 100ms --stale 1s > "$TMP/out" 2> "$TMP/err" 3>&- &
	pid=$!
	# the script's six steps take about a second; then the quotes repeat unchanged
	for _ in $(seq 60); do grep -q reconnecting "$TMP/err" && break; sleep 0.1; done
	sleep 0.5
	kill "$pid"; wait "$pid" || true
	cat "$TMP/err"
	[ "$(head -1 "$TMP/err")" = "algo-feed: no quote has changed for 1.0 s during market hours: the feed may be stalled; reconnecting" ]
	# the log's first stale warning comes after the last change plus --stale, not before
	mock_log | py -c '
import json, sys
rs = [r for r in json.load(sys.stdin)["requests"] if r["path"] == "/data/quotes"]
conns = [r["conn"] for r in rs]
print(conns)
assert len(set(conns)) >= 2, "no new connection after the warning"
assert conns.index(conns[-1]) >= 6, "reconnected before the quotes stalled"
# within --stale (1 s) of the last changed quote (the sixth reply), plus a poll or two
gap = rs[conns.index(conns[-1])]["t"] - rs[5]["t_reply"]
print("reconnect %.2f s after the last change" % gap)
assert 0.9 <= gap < 2.5, gap'
}

@test "fyers quotes: outside market hours it says so, and exits or waits as asked" {
	mock_scenario '{"market_status":[{"exchange":10,"segment":10,"market_type":"NORMAL","status":"CLOSED"}]}'
	run --separate-stderr Q --symbols NSE:SBIN-EQ --outside exit
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[[ "$stderr" == "algo-feed: the market is closed (exchange 10 segment 10 CLOSED); the next session opens "*"T09:15:00+05:30" ]]
	[ "$(mock_count GET /data/quotes)" -eq 0 ]
	Q --symbols NSE:SBIN-EQ --recheck 200ms --every 100ms --until 2024-03-01T09:15:10 > "$TMP/out" 2> "$TMP/err" &
	pid=$!
	sleep 1
	[ "$(mock_count GET /data/quotes)" -eq 0 ]
	grep -q 'waiting for the next session' "$TMP/err"
	mock_scenario '{"market_status":[{"exchange":10,"segment":10,"market_type":"NORMAL","status":"OPEN"}]}'
	wait "$pid"
	grep -q 'algo-feed: the market is open' "$TMP/err"
	grep -q '"type":"tick","ts":"2024-03-01T09:15:10+05:30","symbol":"NSE:SBIN-EQ"' "$TMP/out"
}

@test "fyers quotes: without marketStatus the calendar decides; a bad calendar is exit 65" {
	mock_fault '{"path":"/data/marketStatus","times":-1,"status":400,"code":-50,"message":"Invalid params"}'
	printf 'session 09:15 15:30\nholiday %s today\n' "$(TZ=Asia/Kolkata date +%F)" > "$TMP/cal"
	run --separate-stderr Q --symbols NSE:SBIN-EQ --outside exit --calendar "$TMP/cal"
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"GET /marketStatus: FYERS -50 Invalid params: invalid parameters; the calendar decides"* ]]
	[[ "$stderr" == *"the market is closed (the calendar: a holiday); the next session opens "* ]]
	printf 'session 09:15 15:30\nholiday 2024-13-01 bad\n' > "$TMP/cal"
	run --separate-stderr Q --symbols NSE:SBIN-EQ --calendar "$TMP/cal"
	[ "$status" -eq 65 ]
	[ "$stderr" = "algo-feed: --calendar: $TMP/cal:2: holiday: want 'holiday YYYY-MM-DD TEXT'" ]
	# the shipped table loads; --until ends the run when the wall clock is in a session
	# (the table's verdict depends on when the suite runs), --outside exit when it is not
	run --separate-stderr Q --symbols NSE:SBIN-EQ --outside exit --every 100ms \
		--until 2024-03-01T09:15:10 --calendar "$ROOT/share/calendar/nse.txt"
	[ "$status" -eq 0 ]
	[[ "$stderr" != *"--calendar"* ]]
}

@test "fyers quotes: an unknown symbol is exit 65, no session 77, usage errors 2" {
	run --separate-stderr Q --symbols FOO:BAR --every 100ms
	[ "$status" -eq 65 ]
	[[ "$stderr" == "algo-feed: GET /quotes: FYERS -300 Please provide a valid symbol: no such symbol"* ]]
	run --separate-stderr Q --symbols NSE:SBIN-EQ --every 50ms
	[ "$status" -eq 2 ]
	run --separate-stderr Q --symbols NSE:SBIN-EQ --bars 7s
	[ "$status" -eq 2 ]
	run --separate-stderr Q --symbols NSE:SBIN-EQ --outside never
	[ "$status" -eq 2 ]
	run --separate-stderr Q
	[ "$status" -eq 2 ]
	rm -f "$XDG_CONFIG_HOME/algo/fyers-token.json"
	run --separate-stderr Q --symbols NSE:SBIN-EQ
	[ "$status" -eq 77 ]
}

@test "fyers quotes: algo-feed bars builds the same bars from a recorded day, and the open ones at its end" {
	Q --symbols NSE:SBIN-EQ,NSE:INFY-EQ --every 100ms --until 2024-03-01T09:19:00 --record "$TMP/day.ndjson" > /dev/null
	run --separate-stderr algo-feed bars --tf 1m "$TMP/day.ndjson"
	[ "$status" -eq 0 ]
	diff <(grep '"type":"bar"' "$FYX/quotes-golden.ndjson" | sort) <(grep '"type":"bar"' <<<"$output" | grep -v T09:19 | sort)
	[ "$(grep -c T09:19 <<<"$output")" -eq 2 ]
	run --separate-stderr algo-feed bars --tf 1m <(echo '{"type":"tick","ts":"2024-03-01T09:15:00+05:30","symbol":"X","ltp":-1}')
	[ "$status" -eq 65 ]
	[[ "$stderr" == "algo-feed: /dev/fd/"*":1: field 'ltp'"* ]]
	run --separate-stderr algo-feed bars "$TMP/day.ndjson"
	[ "$status" -eq 2 ]
}
