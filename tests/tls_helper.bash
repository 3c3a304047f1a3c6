# TLS for the mocks (tests/mock/tlsmock.py): a CA made by openssl for each test and a
# certificate for 127.0.0.1 signed by it, both in $BATS_TEST_TMPDIR. Used by tests/68
# (FYERS https), 69 (alerts) and the wss tests.

# make_certs: sets CA (the CA's PEM), SERVER_CERT and SERVER_KEY.
make_certs() {
	local d=$BATS_TEST_TMPDIR
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
		-subj "/CN=algo test CA" -keyout "$d/ca.key" -out "$d/ca.pem" 2>/dev/null
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
