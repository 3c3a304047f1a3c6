#!/usr/bin/env bats
# TLS trust of the https clients (lib/http, lib/tlstrust) against the FYERS mock behind
# TLS (tests/mock/fyers.py --tls) with a CA made at test time: a certificate the client
# does not trust is exit 78 with the URL, curl's words and the fix, after one
# connection whose handshake failed, no request and no retry; SSL_CERT_FILE and
# SSL_CERT_DIR (hashed with openssl rehash) make it trusted. The wss clients (lib/ws:
# algo-feed fyers stream's market-data socket, algo-exec-fyers --live's order socket)
# the same: a socket whose certificate is not trusted is exit 78 after one failed
# handshake, never connected again.
load test_helper
load fyers_helper
load tls_helper

setup_file() { fyers_setup_file; }

setup() {
	common_setup
	tls_setup
	mock_start --tls "$SERVER_CERT" "$SERVER_KEY"
	MOCK_URL=https://127.0.0.1:$MOCK_PORT
	export FYERS_API_BASE=$MOCK_URL/api/v3 FYERS_DATA_BASE=$MOCK_URL/data
	SSL_CERT_FILE=$CA fyers_login
	mock_reset_log
}
teardown() {
	wss_echo_stop
	mock_stop
	common_teardown
}

# seen: what the mock saw since the reset, "REQUESTS CONNECTIONS HANDSHAKE_FAILURES":
# requests that reached the API (control calls left out), accepted connections (this
# call's own included) and failed TLS handshakes.
seen() {
	mock_log | py -c '
import json, sys
log = json.load(sys.stdin)
n = sum(1 for r in log["requests"] if not r["path"].startswith("/_mock"))
print(n, log["tls"]["connections"], log["tls"]["handshake_failures"])'
}

@test "fyers-tls: an untrusted certificate is exit 78, one connection, no request, no retry" {
	run --separate-stderr algo-exec-fyers status
	[ "$status" -eq 78 ]
	[[ "$stderr" == "algo-exec-fyers: https://127.0.0.1:$MOCK_PORT/api/v3/profile: TLS certificate not trusted: "*" (set SSL_CERT_FILE to the CA bundle)" ]]
	[[ "$stderr" == *"certificate"*"certificate"* ]]   # curl's words, not only ours
	[ "$(grep -c . <<<"$stderr")" -eq 1 ]             # no "retry 2 of 4" notice
	# no request; two connections: the client's one, whose handshake failed, and seen's
	[ "$(seen)" = "0 2 1" ]
}

@test "fyers-tls: algo-feed fyers history with an untrusted certificate is exit 78 too" {
	run --separate-stderr algo-feed fyers history -s NSE:SBIN-EQ --tf 1D --from 2024-01-01 --to 2024-03-01
	[ "$status" -eq 78 ]
	[[ "$stderr" == "algo-feed: NSE:SBIN-EQ 1d "*": https://127.0.0.1:$MOCK_PORT/data/history"*": TLS certificate not trusted: "*"(set SSL_CERT_FILE to the CA bundle)"* ]]
	[ "$(seen)" = "0 2 1" ]
}

@test "fyers-tls: SSL_CERT_FILE names the CA, and the session is accepted" {
	SSL_CERT_FILE=$CA run --separate-stderr algo-exec-fyers status
	[ "$status" -eq 0 ]
	[[ "$output" == *"FYERS accepts the session"* ]]
	[ "$(seen)" = "1 2 0" ]
}

@test "fyers-tls: SSL_CERT_DIR, a hashed directory holding the CA, is trusted too" {
	make_ca_dir
	SSL_CERT_DIR=$CA_DIR run --separate-stderr algo-exec-fyers profile
	[ "$status" -eq 0 ]
	[ -n "$output" ]
	[ "$(seen)" = "1 2 0" ]
}

@test "fyers-tls: an SSL_CERT_FILE that cannot be read is exit 78 and names the file" {
	SSL_CERT_FILE=$BATS_TEST_TMPDIR/missing.pem run --separate-stderr algo-exec-fyers profile
	[ "$status" -eq 78 ]
	[[ "$stderr" == *"TLS certificate not trusted: "*"missing.pem"* ]]
	[ "$(seen)" = "0 2 1" ]   # one connection, given up in the handshake, not retried
}

# other_server: the echo server of wslib.py behind TLS with a certificate of another
# CA (the https side stays trusted with SSL_CERT_FILE=$CA); BOTH is a bundle of both CAs.
other_server() {
	local ca=$CA
	make_certs "$BATS_TEST_TMPDIR/other"
	OTHER_CA=$CA CA=$ca
	wss_echo_start "$SERVER_CERT" "$SERVER_KEY"
	cat "$CA" "$OTHER_CA" > "$BATS_TEST_TMPDIR/both.pem"
	BOTH=$BATS_TEST_TMPDIR/both.pem
}

# stream_mock: the mock again, behind TLS, with the scripted trading day of tests/14.
stream_mock() {
	mock_stop || true
	mock_start --tls "$SERVER_CERT" "$SERVER_KEY" --scenario "$FYX/stream-script.json"
	MOCK_URL=https://127.0.0.1:$MOCK_PORT
	export FYERS_API_BASE=$MOCK_URL/api/v3 FYERS_DATA_BASE=$MOCK_URL/data
	export FYERS_DATA_WS_URL=wss://127.0.0.1:$MOCK_PORT/hsm/v1-5/prod
	SSL_CERT_FILE=$CA fyers_login
}

@test "fyers-tls: fyers stream: an untrusted market-data socket is exit 78 after one handshake, never reconnected" {
	stream_mock
	other_server
	SECONDS=0
	SSL_CERT_FILE=$CA FYERS_DATA_WS_URL=wss://127.0.0.1:$WSS_PORT/hsm/v1-5/prod run --separate-stderr \
		timeout 30 algo-feed fyers stream --symbols NSE:SBIN-EQ --until 2024-03-04T09:17:00
	[ "$status" -eq 78 ]
	[ "$stderr" = "algo-feed: wss://127.0.0.1:$WSS_PORT/hsm/v1-5/prod: TLS certificate not trusted: certificate verify failed: unable to get local issuer certificate (set SSL_CERT_FILE to the CA bundle)" ]
	[ "$SECONDS" -lt 5 ]     # no "reconnecting in" loop
	[ "$(wss_seen)" = "1 1" ]
	[ -z "$output" ]
}

@test "fyers-tls: fyers stream over wss: SSL_CERT_FILE or SSL_CERT_DIR names the CA, and the day streams" {
	stream_mock
	SSL_CERT_FILE=$CA run --separate-stderr algo-feed fyers stream --symbols NSE:SBIN-EQ,NSE:INFY-EQ --bars 1m --until 2024-03-04T09:17:00
	echo "$stderr"
	[ "$status" -eq 0 ]
	diff <(echo "$output") "$FYX/stream-golden.ndjson"
	make_ca_dir
	SSL_CERT_DIR=$CA_DIR run --separate-stderr algo-feed fyers stream --symbols NSE:SBIN-EQ,NSE:INFY-EQ --bars 1m --until 2024-03-04T09:17:00
	[ "$status" -eq 0 ]
	grep -q '"type":"tick"' <<<"$output"    # the mock's day has gone on: the rest of it
}

# live_alice: alice may trade live (the session is fyers_login's of setup).
live_alice() {
	algo-ledger < /dev/null
	algo-ledger users add alice --email alice@example.com --name Alice --plan BASIC
	algo-exec-fyers accept-risk --yes --user alice 2>/dev/null
}

@test "fyers-tls: algo-exec-fyers --live: an untrusted order socket is exit 78 after one handshake, never reconnected" {
	live_alice
	other_server
	SECONDS=0
	(sleep 4) | SSL_CERT_FILE=$CA FYERS_ORDER_WS_URL=wss://127.0.0.1:$WSS_PORT/trade/v3 \
		timeout 30 algo-exec-fyers --live --user alice --drain-timeout 1 > "$TMP/out" 2> "$TMP/err" || status=$?
	cat "$TMP/err"
	[ "${status:-0}" -eq 78 ]
	grep -qx "algo-exec-fyers: order socket: wss://127.0.0.1:$WSS_PORT/trade/v3: TLS certificate not trusted: certificate verify failed: unable to get local issuer certificate (set SSL_CERT_FILE to the CA bundle)" "$TMP/err"
	! grep -q "connecting again" "$TMP/err"
	[ "$(wss_seen)" = "1 1" ]
	# with both CAs trusted it connects (the echo server answers the subscription with itself)
	(sleep 2) | SSL_CERT_FILE=$BOTH FYERS_ORDER_WS_URL=wss://127.0.0.1:$WSS_PORT/trade/v3 \
		timeout 30 algo-exec-fyers --live --user alice --drain-timeout 1 > "$TMP/out" 2> "$TMP/err"
	cat "$TMP/err"
	grep -q "order socket: 0 fills through it first, 1 connect, 0 drops" "$TMP/err"
	[ "$(wss_seen)" = "2 1" ]
}
