#!/usr/bin/env bats
# lib/ws, the WebSocket client, against the standard-library RFC 6455 server of
# tests/mock/wslib.py run as an echo server on a random loopback port.
load test_helper

setup() {
	common_setup
	rm -f "$TMP/ws.port"
	python3 "$ROOT/tests/mock/wslib.py" --port-file "$TMP/ws.port" 3>&- >"$TMP/ws.out" 2>&1 &
	WS_PID=$!
	for _ in $(seq 200); do [ -s "$TMP/ws.port" ] && break; sleep 0.05; done
	export WS_URL=ws://127.0.0.1:$(cat "$TMP/ws.port")
}
teardown() {
	kill "$WS_PID" 2>/dev/null; wait "$WS_PID" 2>/dev/null
	common_teardown
}

@test "lib: ws (echo, 16/64-bit lengths, fragments, ping, close, drop, refusal, reconnect)" {
	run_unit test_ws
}

@test "lib: ws prints nothing of its own (libwebsockets' log is off)" {
	run --separate-stderr "$UNIT/test_ws"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
}

# The echo server behind TLS (wslib.py --tls) with a CA made for this test: lib/ws
# trusts what lib/tlstrust names, and an untrusted certificate is one failed handshake
# per attempt, reported as such (test_ws's test_tls).
@test "lib: wss: an untrusted certificate is a close of its own; SSL_CERT_FILE and SSL_CERT_DIR trust the CA" {
	load tls_helper
	tls_setup
	make_ca_dir
	wss_echo_start "$SERVER_CERT" "$SERVER_KEY"
	WSS_URL=wss://127.0.0.1:$WSS_PORT WSS_CA=$CA WSS_CA_DIR=$CA_DIR run "$UNIT/test_ws"
	wss_echo_stop
	echo "$output"
	[ "$status" -eq 0 ]
	! grep -q '^not ok' <<<"$output"
	[[ "$output" == *"untrusted: closed as such"* ]]
	# four attempts, one connection each; the two untrusted ones failed their handshake
	[ "$(wss_seen)" = "4 2" ]
}
