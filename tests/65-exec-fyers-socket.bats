#!/usr/bin/env bats
# algo-exec-fyers --live with FYERS's order-update socket (FYERS-API.md §6), served by
# the mock on a port of its own: a fill comes through the socket while the input is
# quiet, before any poll of the books; the books stay the truth when the socket is
# silent, refused or drops; duplicated, unknown and malformed messages change nothing;
# every broker trade is one fill, across a kill -9 too; the token is never printed.
load test_helper
load fyers_helper
load fyers_live_helper

setup_file() { fyers_setup_file; }
setup() { live_setup; }
teardown() {
	[ -n "${FX_PID:-}" ] && kill "$FX_PID" 2>/dev/null
	exec 7>&- 2>/dev/null || true
	live_teardown
}

# fx_bg [options]: the live stage reading the FIFO $TMP/in (fed through fd 7; bats owns fd 3), output in
# $TMP/out, stderr in $TMP/err; FX_PID is the program itself (for kill -9).
fx_bg() {
	rm -f "$TMP/in"
	mkfifo "$TMP/in"
	"$BIN/algo-exec-fyers" --live --user alice --drain-timeout 5 "$@" < "$TMP/in" > "$TMP/out" 2> "$TMP/err" 3>&- &
	FX_PID=$!
	exec 7> "$TMP/in"
}
# fx_end: closes the input and waits for the stage; its exit status in FX_STATUS.
fx_end() {
	exec 7>&-
	FX_STATUS=0
	wait "$FX_PID" || FX_STATUS=$?
	FX_PID=
	cat "$TMP/err"
}
# until_true CMD...: runs CMD every 0.1 s until it succeeds (10 s at most).
until_true() {
	for _ in $(seq 100); do "$@" && return 0; sleep 0.1; done
	echo "timed out waiting for: $*"
	return 1
}
has_fill() { grep -q '"type":"fill"' "$TMP/out"; }
subscribed() { [ "$(mock_ws_stat subscribes)" -ge "$1" ]; }
fills_of() { grep -c "\"type\":\"fill\",.*\"id\":\"$1\"" "$TMP/out" || true; }
# no_token FILE...: the session's access token appears in none of them.
no_token() {
	local tok
	tok=$(py -c 'import json,sys; print(json.load(open(sys.argv[1]))["access_token"])' "$(fyers_token_file)")
	[ -n "$tok" ]
	! grep -qF "$tok" "$@"
}
fyers_token_file() { echo "${FYERS_TOKEN_FILE:-$XDG_CONFIG_HOME/algo/fyers-token.json}"; }

@test "socket: a fill comes through the order socket while input is quiet, once, before any book poll" {
	mock_behave '{"tag":"w1","fills":[{"qty":10,"after_ms":300}]}'
	fx_bg --poll-interval 60
	until_true subscribed 1
	order w1 >&7
	# the input stays open: the fill must come from the socket, not from a poll
	until_true has_fill
	[ "$(mock_count GET /api/v3/tradebook)" -eq 1 ]    # the start's reconciliation only
	[ "$(mock_count GET /api/v3/orders)" -eq 1 ]
	fx_end
	[ "$FX_STATUS" -eq 0 ]
	[ "$(fills_of w1)" -eq 1 ]
	grep -q '"id":"w1","status":"filled"' "$TMP/out"
	grep -q "order socket: 1 fill through it first, 1 connect" "$TMP/err"
	[ "$(mock_ws_stat subscribes)" -eq 1 ]
	check_once "$TMP/out"
	no_token "$TMP/out" "$TMP/err"
}

@test "socket: the handshake carries authorization APP_ID:TOKEN; the mock refuses a bare token" {
	local port tok
	port=${FYERS_ORDER_WS_URL#ws://127.0.0.1:}
	port=${port%%/*}
	tok=$(py -c 'import json,sys; print(json.load(open(sys.argv[1]))["access_token"])' "$(fyers_token_file)")
	handshake() {
		py - "$port" "$1" <<-'EOF'
		import socket, sys
		s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
		s.sendall(("GET /trade/v3 HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
		           "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
		           "authorization: %s\r\n\r\n" % sys.argv[2]).encode())
		print(s.recv(4096).decode().split("\r\n")[0])
		EOF
	}
	[[ "$(handshake "$tok")" == "HTTP/1.1 401"* ]]
	[[ "$(handshake "$FYERS_APP_ID:$tok")" == "HTTP/1.1 101"* ]]
	[ "$(mock_ws_stat refused)" -eq 1 ]
	# and our stage's handshake is accepted
	fx_bg --poll-interval 60
	until_true subscribed 1
	fx_end
	[ "$(mock_ws_stat refused)" -eq 1 ]
}

@test "socket: a silent socket changes nothing: the fill comes from the books, once" {
	mock_ws '{"silent":true}'
	mock_behave '{"tag":"s1","fills":[{"qty":10,"after_ms":200}]}'
	order s1 > "$TMP/in.txt"
	run --separate-stderr fx --poll-interval 0.3 < "$TMP/in.txt"
	printf '%s\n' "$output" > "$TMP/out"
	echo "$stderr"
	[ "$status" -eq 0 ]
	[ "$(fills_of s1)" -eq 1 ]
	[[ "$stderr" == *"order socket: 0 fills through it first"* ]]
	[ "$(mock_count GET /api/v3/tradebook)" -ge 2 ]
	check_once "$TMP/out"
}

@test "socket: refused (HTTP 401) it is said once, without the token; the books bring the fill" {
	mock_ws '{"refuse":true}'
	mock_behave '{"tag":"r1","fills":[{"qty":10,"after_ms":200}]}'
	order r1 > "$TMP/in.txt"
	run --separate-stderr fx --poll-interval 0.3 < "$TMP/in.txt"
	printf '%s\n' "$output" > "$TMP/out"
	printf '%s\n' "$stderr" > "$TMP/err"
	echo "$stderr"
	[ "$status" -eq 0 ]
	[ "$(fills_of r1)" -eq 1 ]
	[ "$(grep -c 'order socket: the server refused the connection (HTTP 401)' "$TMP/err")" -eq 1 ]
	no_token "$TMP/out" "$TMP/err"
	check_once "$TMP/out"
}

@test "socket: dropped after subscribing, it connects again and subscribes again; the next fill comes through it" {
	mock_ws '{"drop_next_subscribe":1}'
	mock_behave '{"tag":"d1","fills":[{"qty":10,"after_ms":200}]}'
	fx_bg --poll-interval 60
	until_true subscribed 2
	order d1 >&7
	until_true has_fill
	[ "$(mock_count GET /api/v3/tradebook)" -eq 1 ]
	fx_end
	[ "$FX_STATUS" -eq 0 ]
	grep -q "order socket: connection lost; connecting again in" "$TMP/err"
	grep -q "order socket connected again" "$TMP/err"
	grep -q "order socket: 1 fill through it first, 2 connects, 1 drop" "$TMP/err"
	[ "$(fills_of d1)" -eq 1 ]
	check_once "$TMP/out"
}

@test "socket: every message twice, partial fills: one fill per trade" {
	mock_ws '{"duplicate":true}'
	mock_behave '{"tag":"p1","fills":[{"qty":4,"after_ms":200},{"qty":6,"after_ms":500}]}'
	fx_bg --poll-interval 60
	until_true subscribed 1
	order p1 >&7
	until_true grep -q '"id":"p1","status":"filled"' "$TMP/out"
	fx_end
	[ "$FX_STATUS" -eq 0 ]
	[ "$(fills_of p1)" -eq 2 ]
	grep -q "order socket: 2 fills through it first" "$TMP/err"
	check_once "$TMP/out"
}

@test "socket: malformed JSON and a trade of an unknown order are skipped; the stage goes on" {
	mock_behave '{"tag":"u1","fills":[{"qty":10,"after_ms":200}]}'
	fx_bg --poll-interval 60
	until_true subscribed 1
	mock_ws '{"push":"{\"s\":\"ok\",\"trades\":{\"id_fill\":"}'
	mock_ws '{"push":"{\"s\":\"ok\",\"trades\":{\"id_fill\":\"99999\",\"id\":\"123\",\"qty_traded\":5,\"price_traded\":100.5}}"}'
	mock_ws '{"push":"{\"s\":\"ok\",\"orders\":{\"id\":\"123\",\"org_ord_status\":1}}"}'
	mock_ws '{"push":"[1,2]"}'
	order u1 >&7
	until_true has_fill
	fx_end
	[ "$FX_STATUS" -eq 0 ]
	[ "$(grep -c 'order socket: a malformed message skipped' "$TMP/err")" -eq 2 ]
	grep -q "order socket: 1 fill through it first, 1 connect, 0 drops, 2 malformed messages" "$TMP/err"
	! grep -q '99999' "$TMP/out"
	[ "$(fills_of u1)" -eq 1 ]
	check_once "$TMP/out"
}

@test "socket: killed with -9 after a fill came through the socket, the restart emits no second fill" {
	mock_behave '{"tag":"k1","fills":[{"qty":4,"after_ms":200},{"qty":6,"after_ms":1500}]}'
	fx_bg --poll-interval 60
	until_true subscribed 1
	order k1 >&7
	until_true has_fill
	sleep 0.3
	kill -9 "$FX_PID"
	wait "$FX_PID" || true
	FX_PID=
	exec 7>&-
	cp "$TMP/out" "$TMP/out1"
	[ "$(fills_of k1)" -eq 1 ]
	sleep 1.5                     # the second trade happens while nothing runs
	: > "$TMP/empty"
	run --separate-stderr fx --poll-interval 0.2 < "$TMP/empty"
	printf '%s\n' "$output" > "$TMP/out2"
	echo "$stderr"
	[ "$status" -eq 0 ]
	check_once "$TMP/out1" "$TMP/out2"
	[ "$(cat "$TMP/out1" "$TMP/out2" | grep -c '"type":"fill",.*"id":"k1"')" -eq 2 ]
}

@test "socket: a fill repeated across a kill -9 (emitted, not yet saved) is recorded once by the ledger" {
	mock_behave '{"tag":"r1","fills":[{"qty":4,"after_ms":200},{"qty":6,"after_ms":1200}]}'
	fx_bg --poll-interval 60
	until_true subscribed 1
	order r1 >&7
	until_true has_fill
	kill -9 "$FX_PID"
	wait "$FX_PID" || true
	FX_PID=
	exec 7>&-
	cp "$TMP/out" "$TMP/out1"
	sleep 1.3
	: > "$TMP/empty"
	run --separate-stderr fx --poll-interval 0.2 < "$TMP/empty"
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" > "$TMP/out2"
	# the worst case of a kill between emitting and saving: the first fill comes again
	grep '"type":"fill"' "$TMP/out1" | head -1 > "$TMP/again"
	[ -s "$TMP/again" ]
	cat "$TMP/out1" "$TMP/again" "$TMP/out2" | algo-ledger > /dev/null
	ledger_matches
	[ "$(sqlite3 "$ALGO_STATE" 'SELECT count(*) FROM fills')" -eq 2 ]
}

@test "socket: --no-order-socket polls the books only and never connects" {
	mock_behave '{"tag":"n1","fills":[{"qty":10,"after_ms":100}]}'
	order n1 > "$TMP/in.txt"
	run --separate-stderr fx --no-order-socket --poll-interval 0.2 < "$TMP/in.txt"
	printf '%s\n' "$output" > "$TMP/out"
	[ "$status" -eq 0 ]
	[ "$(fills_of n1)" -eq 1 ]
	[ "$(mock_ws_stat connections)" -eq 0 ]
	[[ "$stderr" != *"order socket"* ]]
	run algo-exec-fyers status --no-order-socket
	[ "$status" -eq 2 ]
}
