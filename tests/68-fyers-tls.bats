#!/usr/bin/env bats
# TLS trust of the https clients (lib/http, lib/tlstrust) against the FYERS mock behind
# TLS (tests/mock/fyers.py --tls) with a CA made at test time: a certificate the client
# does not trust is exit 78 with the URL, curl's words and the fix, after one
# connection whose handshake failed, no request and no retry; SSL_CERT_FILE and
# SSL_CERT_DIR (hashed with openssl rehash) make it trusted.
load test_helper
load fyers_helper

setup_file() { fyers_setup_file; }

# A CA and a certificate for 127.0.0.1 signed by it, in $BATS_TEST_TMPDIR.
make_certs() {
	local d=$BATS_TEST_TMPDIR
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
		-subj "/CN=algo test CA" -keyout "$d/ca.key" -out "$d/ca.pem" 2>/dev/null
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=127.0.0.1" \
		-keyout "$d/server.key" -out "$d/server.csr" 2>/dev/null
	printf 'subjectAltName=IP:127.0.0.1\n' > "$d/san.ext"
	openssl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial \
		-days 2 -extfile "$d/san.ext" -out "$d/server.pem" 2>/dev/null
	CA=$d/ca.pem
}

# The control calls of fyers_helper (mock_log, fyers_login's auth code) trust the CA;
# the programs under test see only what each test exports.
curl() { command curl --cacert "$CA" "$@"; }

setup() {
	command -v openssl >/dev/null || skip "no openssl"
	common_setup
	make_certs
	unset SSL_CERT_FILE SSL_CERT_DIR
	mock_start --tls "$BATS_TEST_TMPDIR/server.pem" "$BATS_TEST_TMPDIR/server.key"
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
	mkdir "$BATS_TEST_TMPDIR/cadir"
	cp "$CA" "$BATS_TEST_TMPDIR/cadir/test-ca.pem"
	openssl rehash "$BATS_TEST_TMPDIR/cadir" 2>/dev/null || c_rehash "$BATS_TEST_TMPDIR/cadir" >/dev/null
	SSL_CERT_DIR=$BATS_TEST_TMPDIR/cadir run --separate-stderr algo-exec-fyers profile
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
