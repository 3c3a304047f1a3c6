# TLS for the mocks (tests/mock/tlsmock.py): a CA made by openssl for each test and a
# certificate for 127.0.0.1 signed by it, both in $BATS_TEST_TMPDIR. Used by tests/68
# (FYERS https), 69 (alerts) and the wss tests.

# make_certs [DIR]: a CA of its own in DIR (default $BATS_TEST_TMPDIR); sets CA (the
# CA's PEM), SERVER_CERT and SERVER_KEY.
make_certs() {
	local d=${1:-$BATS_TEST_TMPDIR}
	mkdir -p "$d"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
		-subj "/CN=algo test CA ${d##*/}" -keyout "$d/ca.key" -out "$d/ca.pem" 2>/dev/null
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=127.0.0.1" \
		-keyout "$d/server.key" -out "$d/server.csr" 2>/dev/null
	printf 'subjectAltName=IP:127.0.0.1\n' > "$d/san.ext"
	openssl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial \
		-days 2 -extfile "$d/san.ext" -out "$d/server.pem" 2>/dev/null
	CA=$d/ca.pem SERVER_CERT=$d/server.pem SERVER_KEY=$d/server.key
}

# make_ca_dir: a directory holding the CA, hashed as SSL_CERT_DIR needs it; sets CA_DIR.
make_ca_dir() {
	CA_DIR=$BATS_TEST_TMPDIR/cadir
	mkdir -p "$CA_DIR"
	cp "$CA" "$CA_DIR/test-ca.pem"
	openssl rehash "$CA_DIR" 2>/dev/null || c_rehash "$CA_DIR" >/dev/null
}

# tls_setup: skips without openssl, makes the certificates, and leaves the programs
# under test trusting only the system's CAs until a test says otherwise.
tls_setup() {
	command -v openssl >/dev/null || skip "no openssl"
	make_certs
	unset SSL_CERT_FILE SSL_CERT_DIR
}

# The control calls of the helpers (a mock's log, reset, faults) trust the CA; the
# programs under test see only what each test exports.
curl() { command curl --cacert "$CA" "$@"; }

# wss_echo_start CERT KEY: the echo server of tests/mock/wslib.py behind TLS; sets
# WSS_PORT and WSS_PID; its connections and failed handshakes are lines of $TMP/wss.log.
wss_echo_start() {
	rm -f "$TMP/wss.port" "$TMP/wss.log"
	python3 "$ROOT/tests/mock/wslib.py" --port-file "$TMP/wss.port" --tls "$1" "$2" "$TMP/wss.log" 3>&- \
		>"$TMP/wss.out" 2>&1 &
	WSS_PID=$!
	for _ in $(seq 200); do [ -s "$TMP/wss.port" ] && break; sleep 0.05; done
	WSS_PORT=$(cat "$TMP/wss.port")
	touch "$TMP/wss.log"
}
wss_echo_stop() { [ -z "${WSS_PID:-}" ] || { kill "$WSS_PID" 2>/dev/null; wait "$WSS_PID" 2>/dev/null || true; WSS_PID=; }; return 0; }
# wss_seen: "CONNECTIONS HANDSHAKE_FAILURES" of the echo server.
wss_seen() { echo "$(grep -c '^connection$' "$TMP/wss.log") $(grep -c '^handshake failed' "$TMP/wss.log")"; }
