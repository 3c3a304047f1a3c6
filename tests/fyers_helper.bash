# Helpers for the FYERS tests (12-14, 45): a mock of the API on a random loopback port
# (tests/mock/fyers.py), the environment that points the programs at it, a logged-in
# session, fault rules and the mock's request log.
MOCK=$ROOT/tests/mock/fyers.py
FYX=$ROOT/tests/fixtures/fyers
# The interpreter behind python3 (a pyenv shim costs a quarter second a start); test
# files set it once in setup_file with fyers_setup_file.
fyers_setup_file() { export FY_PY=${FY_PY:-$(python3 -c 'import sys; print(sys.executable)')}; }
py() { "${FY_PY:-python3}" "$@"; }

# mock_start [mock options...]: starts the mock, waits for its port, exports the
# FYERS_* variables and a secret file of mode 0600.
mock_start() {
	rm -f "$TMP/mock.port"
	# the interpreter itself in the background (not the py function): $! is the mock's
	# pid, so mock_stop stops it
	"${FY_PY:-python3}" "$MOCK" --port-file "$TMP/mock.port" "$@" 3>&- >"$TMP/mock.out" 2>&1 &
	MOCK_PID=$!
	for _ in $(seq 200); do [ -s "$TMP/mock.port" ] && break; sleep 0.05; done
	[ -s "$TMP/mock.port" ] || { cat "$TMP/mock.out"; return 1; }
	MOCK_PORT=$(cat "$TMP/mock.port")
	MOCK_URL=http://127.0.0.1:$MOCK_PORT
	export FYERS_APP_ID=TESTAPP-100
	export FYERS_API_BASE=$MOCK_URL/api/v3 FYERS_DATA_BASE=$MOCK_URL/data
	# the order-update socket listens on a port of its own (fyers_orders.py)
	export FYERS_ORDER_WS_URL=ws://127.0.0.1:$(cat "$TMP/mock.port.order-ws")/trade/v3
	export FYERS_DATA_WS_URL=ws://127.0.0.1:$MOCK_PORT/hsm/v1-5/prod
	export XDG_RUNTIME_DIR=$TMP/run XDG_CACHE_HOME=$TMP/cache
	mkdir -p "$XDG_RUNTIME_DIR"
	printf 'mock-secret\n' > "$TMP/secret"
	chmod 600 "$TMP/secret"
	export FYERS_SECRET_FILE=$TMP/secret
	unset FYERS_SECRET FYERS_PIN FYERS_TOKEN_FILE FYERS_REDIRECT_URI FYERS_RATE_PER_SEC FYERS_RATE_PER_MIN
}

mock_stop() {
	[ -n "${MOCK_PID:-}" ] && kill "$MOCK_PID" 2>/dev/null && wait "$MOCK_PID" 2>/dev/null
	MOCK_PID=
	return 0
}

# mock_post PATH JSON: a control call (/_mock/...).
mock_post() { curl -sf -X POST -H 'Content-Type: application/json' --data "$2" "$MOCK_URL$1" >/dev/null; }
mock_fault() { mock_post /_mock/fault "$1"; }
# mock_ws JSON: the order socket's faults (fyers_orders.py); mock_ws_stat KEY: a counter.
mock_ws() { mock_post /_mock/orders/ws "$1"; }
mock_ws_stat() { curl -sf "$MOCK_URL/_mock/orders/ws" | py -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
mock_scenario() { mock_post /_mock/scenario "$1"; }
mock_reset_log() { mock_post /_mock/reset '{}'; }

# mock_count METHOD PATH: how many such requests the mock has seen (since the last reset).
mock_count() {
	curl -sf "$MOCK_URL/_mock/log" | py -c '
import json, sys
log = json.load(sys.stdin)["requests"]
print(sum(1 for r in log if r["method"] == sys.argv[1] and r["path"] == sys.argv[2]))' "$1" "$2"
}
# mock_log: the request log as JSON.
mock_log() { curl -sf "$MOCK_URL/_mock/log"; }

# fyers_login: a session through the --code path (the mock hands out an auth code).
fyers_login() {
	local code
	code=$(curl -sf "$MOCK_URL/_mock/authcode" | py -c 'import json,sys; print(json.load(sys.stdin)["auth_code"])')
	FYERS_REDIRECT_URI=http://127.0.0.1:9/cb algo-exec-fyers login --code "$code" 2>/dev/null
}

# A free loopback port (for the login redirect listener).
free_port() {
	py -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
