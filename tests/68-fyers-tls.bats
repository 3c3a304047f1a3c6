#!/usr/bin/env bats
# TLS trust of the https clients (lib/http, lib/tlstrust) against the FYERS mock behind
# TLS (tests/mock/fyers.py --tls) with a CA made at test time: a certificate the client
# does not trust is exit 78 with the URL, curl's words and the fix, after one
# connection whose handshake failed, no request and no retry; SSL_CERT_FILE and
# SSL_CERT_DIR (hashed with openssl rehash) make it trusted.
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
