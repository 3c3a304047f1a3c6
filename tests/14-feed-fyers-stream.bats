#!/usr/bin/env bats
# algo-feed fyers stream: the FYERS binary market-data socket (HSM). lib/fyers_hsm
# encodes and decodes its messages as tests/fixtures/fyers/HSM-LAYOUT.md writes them
# down from FYERS's SDKs; the mock (tests/mock/fyers_hsm.py) builds its frames from the
# same page. A scripted day (stream-script.json) gives ticks and 1m bars: minute
# edges, a gap with no ticks, the day volume's reset at the next day's start; a silent
# socket, a dropped one, a refused session and an unknown symbol; market hours as
# fyers quotes has them (marketStatus, else the calendar).
load test_helper
load fyers_helper

setup_file() { fyers_setup_file; }
setup() { common_setup; mock_start --scenario "$FYX/stream-script.json"; fyers_login; }
teardown() { mock_stop; common_teardown; }

S() { algo-feed fyers stream "$@"; }
UNTIL=2024-03-04T09:17:00
SYMS=NSE:SBIN-EQ,NSE:INFY-EQ

# sym_token SYM: the exchange token in the mock's fytoken of SYM.
sym_token() { py -c 'import sys; sys.path.insert(0, sys.argv[1]); import fyers; print(fyers.fytoken(sys.argv[2])[10:])' "$ROOT/tests/mock" "$1"; }

# ws_events EVENT: the mock's data-socket log entries of that event, one JSON a line.
ws_events() {
	mock_log | py -c '
import json, sys
for e in json.load(sys.stdin)["ws"]:
    if e["path"] == "/hsm/v1-5/prod" and e["event"] == sys.argv[1]:
        print(json.dumps({k: v for k, v in e.items() if k != "t"}, sort_keys=True))' "$1"
}

@test "fyers stream: lib/fyers_hsm messages, records and scaling, byte for byte" { run_unit test_fyers_hsm; }

@test "fyers stream: the scripted day gives ticks when quotes change, and 1m bars at the IST minute edges" {
	run --separate-stderr S --symbols "$SYMS" --bars 1m --until "$UNTIL"
	echo "$stderr"
	[ "$status" -eq 0 ]
	diff <(echo "$output") "$FYX/stream-golden.ndjson"
	[ -z "$stderr" ]
	# one connection: auth with the session's hsm_key, full mode, one subscription of
	# both topics on channel 11
	[ "$(ws_events auth)" = '{"conn": 1, "event": "auth", "ok": true, "path": "/hsm/v1-5/prod", "source": "algo-feed"}' ]
	[ "$(ws_events mode)" = '{"conn": 1, "event": "mode", "lite": false, "path": "/hsm/v1-5/prod"}' ]
	[ "$(ws_events sub)" = '{"channel": 11, "conn": 1, "event": "sub", "path": "/hsm/v1-5/prod", "topics": ["sf|nse_cm|'"$(sym_token NSE:SBIN-EQ)"'", "sf|nse_cm|'"$(sym_token NSE:INFY-EQ)"'"]}' ]
	[ "$(mock_count POST /data/symbol-token)" -eq 1 ]
}

@test "fyers stream: --lite asks for lite mode and writes ltp-only ticks as they come; bars have no volume" {
	# a lite record carries no time: ticks are stamped when they come, in market time
	# (the broker's clock: the mock's says 09:15:05), so the run is cut short by --until
	run --separate-stderr S --symbols "$SYMS" --bars 1s --lite --until 2024-03-01T09:15:07
	[ "$status" -eq 0 ]
	[ "$(ws_events mode)" = '{"conn": 1, "event": "mode", "lite": true, "path": "/hsm/v1-5/prod"}' ]
	# a tick when the ltp changes, and only the ltp (the snapshot's first)
	diff <(grep '"type":"tick"' <<<"$output" | py -c '
import json, sys
for l in sys.stdin:
    e = json.loads(l); print(e["symbol"], e["ltp"], sorted(e), "2024-03-01T09:15:05" <= e["ts"] < "2024-03-01T09:15:08")') - <<'EOF'
NSE:SBIN-EQ 100 ['ltp', 'symbol', 'ts', 'type'] True
NSE:INFY-EQ 1500 ['ltp', 'symbol', 'ts', 'type'] True
NSE:SBIN-EQ 101 ['ltp', 'symbol', 'ts', 'type'] True
NSE:INFY-EQ 1501.5 ['ltp', 'symbol', 'ts', 'type'] True
NSE:SBIN-EQ 99 ['ltp', 'symbol', 'ts', 'type'] True
NSE:SBIN-EQ 98 ['ltp', 'symbol', 'ts', 'type'] True
NSE:SBIN-EQ 98.5 ['ltp', 'symbol', 'ts', 'type'] True
NSE:INFY-EQ 1502 ['ltp', 'symbol', 'ts', 'type'] True
NSE:SBIN-EQ 97 ['ltp', 'symbol', 'ts', 'type'] True
NSE:SBIN-EQ 97.5 ['ltp', 'symbol', 'ts', 'type'] True
NSE:SBIN-EQ 98 ['ltp', 'symbol', 'ts', 'type'] True
EOF
	grep -q '"type":"bar"' <<<"$output"
	[ "$(grep '"type":"bar"' <<<"$output" | grep -vc '"v":0}')" -eq 0 ]
}

@test "fyers stream: a socket that goes silent is warned about within --stale, then reconnected and subscribed again" {
	mock_scenario '{"ws_data_conns":[{"silent_after":3}]}'
	run --separate-stderr S --symbols "$SYMS" --bars 1m --stale 1s --until "$UNTIL"
	echo "$stderr"
	[ "$status" -eq 0 ]
	[ "$stderr" = "algo-feed: no data on the market-data socket for 1.0 s: the feed may be stalled; reconnecting" ]
	# the day is the same: nothing lost, nothing twice
	diff <(echo "$output") "$FYX/stream-golden.ndjson"
	[ "$(ws_events silent | wc -l)" -eq 1 ]
	[ "$(ws_events auth | grep -c '"ok": true')" -eq 2 ]
	ws_events sub | py -c '
import json, sys
subs = [json.loads(l) for l in sys.stdin]
assert [s["conn"] for s in subs] == [1, 2], subs
assert subs[0]["topics"] == subs[1]["topics"], subs'
	# the reconnect comes within --stale (1 s) of the socket's last message, not before
	mock_log | py -c '
import json, sys
ws = [e for e in json.load(sys.stdin)["ws"] if e["path"] == "/hsm/v1-5/prod"]
last = max(e["t"] for e in ws if e["conn"] == 1 and e["event"] == "feed")
again = min(e["t"] for e in ws if e["conn"] == 2 and e["event"] == "auth")
print("reconnect %.2f s after the last message" % (again - last))
assert 0.95 <= again - last < 2.5, again - last'
}

@test "fyers stream: a dropped connection is reconnected and subscribed again" {
	mock_scenario '{"ws_data_conns":[{"drop_after":2},{"drop_after":4}]}'
	run --separate-stderr S --symbols "$SYMS" --bars 1m --until "$UNTIL"
	echo "$stderr"
	[ "$status" -eq 0 ]
	diff <(echo "$output") "$FYX/stream-golden.ndjson"
	[ "$(grep -c '^algo-feed: the market-data socket closed (.*); reconnecting$' <<<"$stderr")" -eq 2 ]
	[ "$(ws_events sub | wc -l)" -eq 3 ]
}

@test "fyers stream: it pings the socket, and acks every ack_count-th feed by its number" {
	mock_scenario '{"ws_data_ack_count":3}'
	S --symbols "$SYMS" --ping 50ms --until "$UNTIL" > /dev/null
	[ "$(ws_events ping | wc -l)" -ge 2 ]
	# feeds 1 (the snapshots), 2, 3...: every third is acknowledged by its number
	nums=$(ws_events ack | py -c 'import json, sys; print(" ".join(str(json.loads(l)["num"]) for l in sys.stdin))')
	[[ "$nums" == "3 6 9"* ]]
}

@test "fyers stream: --record writes what algo-feed replay plays back, and algo-feed bars builds the same bars" {
	S --symbols "$SYMS" --bars 1m --until "$UNTIL" --record "$TMP/day.ndjson" > "$TMP/out"
	cmp "$TMP/out" "$TMP/day.ndjson"
	algo-feed replay --speed 0 "$TMP/day.ndjson" > "$TMP/back"
	cmp "$TMP/out" "$TMP/back"
	algo-feed bars --tf 1m "$TMP/day.ndjson" > "$TMP/bars"
	# the same bars (in tick order: live, the clock closed some first), and the one
	# still open at the recording's end, which algo-feed bars closes
	diff <(grep '"type":"bar"' "$TMP/out" | sort) <(grep '"type":"bar"' "$TMP/bars" | grep -v '"ts":"2024-03-04T09:17' | sort)
	[ "$(grep -c '"ts":"2024-03-04T09:17:00+05:30","symbol":"NSE:SBIN-EQ","tf":"1m"' "$TMP/bars")" -eq 1 ]
}

@test "fyers stream: outside market hours it says so and exits, or waits holding no connection, as quotes does" {
	mock_scenario '{"market_status":[{"exchange":10,"segment":10,"market_type":"NORMAL","status":"CLOSED"}]}'
	run --separate-stderr S --symbols "$SYMS" --outside exit --until "$UNTIL"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[[ "$stderr" == "algo-feed: the market is closed (exchange 10 segment 10 CLOSED); the next session opens "*"T09:15:00+05:30" ]]
	[ -z "$(ws_events auth)" ]
	S --symbols "$SYMS" --bars 1m --recheck 200ms --until "$UNTIL" > "$TMP/out" 2> "$TMP/err" &
	pid=$!
	sleep 1
	[ -z "$(ws_events auth)" ]
	grep -q 'waiting for the next session' "$TMP/err"
	mock_scenario '{"market_status":[{"exchange":10,"segment":10,"market_type":"NORMAL","status":"OPEN"}]}'
	wait "$pid"
	grep -q 'algo-feed: the market is open' "$TMP/err"
	diff "$TMP/out" "$FYX/stream-golden.ndjson"
	[ "$(ws_events auth | wc -l)" -eq 1 ]
}

@test "fyers stream: a market that closes during the run ends it with --outside exit; without marketStatus the calendar decides" {
	S --symbols "$SYMS" --recheck 300ms --outside exit --until 2024-03-04T10:00 > "$TMP/out" 2> "$TMP/err" &
	pid=$!
	# the market closes once every tick of the session is out (not after a fixed second:
	# under valgrind or on a loaded machine they took longer)
	wait_for 30 ticks_out "$(grep -c '"type":"tick"' "$FYX/stream-golden.ndjson")" || { cat "$TMP/err"; false; }
	mock_scenario '{"market_status":[{"exchange":10,"segment":10,"market_type":"NORMAL","status":"CLOSED"}]}'
	wait "$pid"
	grep -q '^algo-feed: the market is closed (exchange 10 segment 10 CLOSED); the next session opens ' "$TMP/err"
	diff <(grep '"type":"tick"' "$TMP/out") <(grep '"type":"tick"' "$FYX/stream-golden.ndjson")
	mock_scenario '{"market_status":[{"exchange":10,"segment":10,"market_type":"NORMAL","status":"OPEN"}]}'
	mock_fault '{"path":"/data/marketStatus","times":-1,"status":400,"code":-50,"message":"Invalid params"}'
	printf 'session 09:15 15:30\nholiday %s today\n' "$(TZ=Asia/Kolkata date +%F)" > "$TMP/cal"
	run --separate-stderr S --symbols "$SYMS" --outside exit --calendar "$TMP/cal"
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"GET /marketStatus: FYERS -50 Invalid params: invalid parameters; the calendar decides"* ]]
	[[ "$stderr" == *"the market is closed (the calendar: a holiday); the next session opens "* ]]
}

@test "fyers stream: a market that closes during the run drops the socket and waits; when it opens, a new one is subscribed" {
	# the first connection goes quiet after three steps (no watchdog) while the market closes
	mock_scenario '{"ws_data_conns":[{"silent_after":3}]}'
	timeout 30 algo-feed fyers stream --symbols "$SYMS" --bars 1m --stale 0 --recheck 300ms --until "$UNTIL" > "$TMP/out" 2> "$TMP/err" 3>&- &
	pid=$!
	sleep 1
	mock_scenario '{"market_status":[{"exchange":10,"segment":10,"market_type":"NORMAL","status":"CLOSED"}]}'
	for _ in $(seq 30); do grep -q 'waiting for the next session' "$TMP/err" && break; sleep 0.1; done
	sleep 0.3
	[ "$(ws_events close | wc -l)" -eq 1 ]
	[ "$(ws_events auth | wc -l)" -eq 1 ]
	mock_scenario '{"market_status":[{"exchange":10,"segment":10,"market_type":"NORMAL","status":"OPEN"}]}'
	wait "$pid"
	cat "$TMP/err"
	grep -q 'algo-feed: the market is open' "$TMP/err"
	[ "$(ws_events sub | wc -l)" -eq 2 ]
	! grep -q 'socket closed' "$TMP/err"
	diff <(grep '"type":"tick"' "$TMP/out") <(grep '"type":"tick"' "$FYX/stream-golden.ndjson")
}

@test "fyers stream: a refused hsm_key is exit 77, an unknown symbol 65, a clear-text URL 78, usage errors 2" {
	tok=$XDG_CONFIG_HOME/algo/fyers-token.json
	cp "$tok" "$TMP/tok"
	py -c '
import json, sys
t = json.load(open(sys.argv[1])); t["hsm_key"] = "0" * 40
json.dump(t, open(sys.argv[1], "w"))' "$tok"
	run --separate-stderr S --symbols "$SYMS" --until "$UNTIL"
	[ "$status" -eq 77 ]
	[ "$stderr" = "algo-feed: the market-data socket refused the session's hsm_key ('invalid hsm_key'); log in again (algo-exec-fyers login)" ]
	[ -z "$output" ]
	cp "$TMP/tok" "$tok"
	run --separate-stderr S --symbols NSE:SBIN-EQ,NSE:BAD-EQ --until "$UNTIL"
	[ "$status" -eq 65 ]
	[ "$stderr" = "algo-feed: NSE:BAD-EQ: FYERS does not know this symbol (POST /symbol-token lists it invalid)" ]
	FYERS_DATA_WS_URL=ws://example.com/hsm/v1-5/prod run --separate-stderr S --symbols "$SYMS"
	[ "$status" -eq 78 ]
	[ "$stderr" = "algo-feed: FYERS_DATA_WS_URL: 'ws://example.com/hsm/v1-5/prod' must be a wss:// URL (plain http only to 127.0.0.1 or localhost)" ]
	run --separate-stderr S
	[ "$status" -eq 2 ]
	run --separate-stderr S --symbols "$SYMS" --bars 7s
	[ "$status" -eq 2 ]
	run --separate-stderr S --symbols "$SYMS" --stale soon
	[ "$status" -eq 2 ]
	run --separate-stderr S --symbols "$SYMS" --ping 0
	[ "$status" -eq 2 ]
	run --separate-stderr S --symbols "$SYMS" --every 1s
	[ "$status" -eq 2 ]
	run --separate-stderr algo-feed fyers quotes --symbols "$SYMS" --lite
	[ "$status" -eq 2 ]
	rm -f "$tok"
	run --separate-stderr S --symbols "$SYMS"
	[ "$status" -eq 77 ]
}

# wait_for N CMD...: runs CMD every 50 ms until it succeeds, at most N seconds.
wait_for() {
	local n=$(($1 * 20)); shift
	for ((; n > 0; n--)); do "$@" && return 0; sleep 0.05; done
	return 1
}
ticks_out() { [ "$(grep -c '"type":"tick"' "$TMP/out")" -ge "$1" ]; }

@test "fyers stream: each tick is on stdout while the socket holds its next message, not when more data, a full buffer or the end comes" {
	# the mock plays one step at a time and then holds, the socket open and quiet, until
	# the test has seen that step's tick in algo-feed's stdout (a file: what is written
	# is there at once). A feed that waited for more input, a fuller buffer, an idle
	# period after a burst or its exit before writing would leave the file short here.
	# (How soon: make bench, scripts/bench-feed; a test does not time it.)
	mock_scenario '{"ws_data":{"every_ms":20,"ticks":{"NSE:SBIN-EQ":[
		{"t":1709264705,"ltp":100.0,"vol":1000},{"t":1709264715,"ltp":100.5,"vol":1100},
		{"t":1709264725,"ltp":101.0,"vol":1200},{"t":1709264735,"ltp":100.0,"vol":1300},
		{"t":1709264745,"ltp":99.5,"vol":1400}]}},"ws_data_upto":1}'
	timeout 60 algo-feed fyers stream --symbols NSE:SBIN-EQ --bars 1m --stale 0 --until 2024-03-01T15:00 \
		> "$TMP/out" 2> "$TMP/err" 3>&- &
	pid=$!
	for k in 1 2 3 4 5; do
		wait_for 20 ticks_out "$k" || { cat "$TMP/out" "$TMP/err"; kill "$pid"; false; }
		kill -0 "$pid"
		# the mock had sent k data feeds (the snapshot, then k-1 steps) and nothing since
		[ "$(ws_events feed | wc -l)" -eq "$k" ]
		[ "$(grep -c '"type":"tick"' "$TMP/out")" -eq "$k" ]
		mock_scenario "{\"ws_data_upto\":$((k + 1))}"
	done
	kill "$pid"
	wait "$pid" || true
	[ "$(grep '"type":"tick"' "$TMP/out" | py -c 'import json, sys; print(" ".join(str(json.loads(l)["ltp"]) for l in sys.stdin))')" = "100 100.5 101 100 99.5" ]
	[ ! -s "$TMP/err" ]
}
