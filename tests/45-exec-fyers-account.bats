#!/usr/bin/env bats
# algo-exec-fyers account commands against the FYERS mock: login (redirect caught on
# the loopback listener, or the code pasted), a wrong secret (-371), refresh with the
# PIN, status with a valid, expired and revoked session, logout, the read-only views,
# the session file's permissions, secrets kept out of argv and output; and the unit
# drivers of lib/http (failure classes against the mock) and lib/fyers.
load test_helper
load fyers_helper

setup_file() { fyers_setup_file; }
setup() {
	common_setup
	mock_start
}
teardown() {
	mock_stop
	common_teardown
}

TOKEN() { echo "$XDG_CONFIG_HOME/algo/fyers-token.json"; }

@test "exec-fyers: lib/http failure classes against the mock" {
	MOCK_URL=$MOCK_URL run_unit test_http
}

@test "exec-fyers: lib/fyers classes, budget and retries" {
	fyers_login
	MOCK_URL=$MOCK_URL run_unit test_fyers
}

@test "exec-fyers: login catches the redirect on the loopback listener and saves the session" {
	port=$(free_port)
	export FYERS_REDIRECT_URI=http://127.0.0.1:$port/fyers/cb
	algo-exec-fyers login --timeout 20 > "$TMP/url" 2> "$TMP/err" 3>&- &
	pid=$!
	for _ in $(seq 100); do [ -s "$TMP/url" ] && break; sleep 0.05; done
	url=$(cat "$TMP/url")
	[[ "$url" == "$MOCK_URL/api/v3/generate-authcode?client_id=TESTAPP-100&redirect_uri=http%3A%2F%2F127.0.0.1%3A$port%2Ffyers%2Fcb&response_type=code&state="* ]]
	# The browser: FYERS redirects it to the listener with the code and the state.
	run curl -sf -L "$url"
	[[ "$output" == *"Logged in to FYERS"* ]]
	wait "$pid"
	cat "$TMP/err"
	grep -q "logged in as XA00001 (TESTAPP-100)" "$TMP/err"
	grep -q "access token valid until .*T06:00:00+05:30" "$TMP/err"
	[ "$(stat -c %a "$(TOKEN)")" = 600 ]
	[ "$(stat -c %a "$(dirname "$(TOKEN)")")" = 700 ]
	py - "$(TOKEN)" <<-'EOF'
	import json, sys
	t = json.load(open(sys.argv[1]))
	assert t["app_id"] == "TESTAPP-100" and t["access_token"].count(".") == 2, t
	assert t["access_expires"].endswith("T06:00:00+05:30") and t["refresh_expires"], t
	assert len(t["hsm_key"]) == 40, t
	EOF
	# validate-authcode got the hash of APP_ID:SECRET, never the secret
	mock_log | py -c '
import json, sys, hashlib
log = json.load(sys.stdin)["requests"]
v = [r for r in log if r["path"] == "/api/v3/validate-authcode"][0]
assert v["body"]["appIdHash"] == hashlib.sha256(b"TESTAPP-100:mock-secret").hexdigest(), v
assert v["body"]["grant_type"] == "authorization_code" and not v["auth"], v
assert "mock-secret" not in json.dumps(log)'
	run algo-exec-fyers status
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"FYERS accepts the session"* ]]
}

@test "exec-fyers: a stale browser tab (another state) is ignored; the right one logs in" {
	port=$(free_port)
	export FYERS_REDIRECT_URI=http://127.0.0.1:$port/cb
	algo-exec-fyers login --timeout 20 > "$TMP/url" 2> "$TMP/err" 3>&- &
	pid=$!
	for _ in $(seq 100); do [ -s "$TMP/url" ] && break; sleep 0.05; done
	run curl -s "http://127.0.0.1:$port/cb?s=ok&auth_code=x&state=someoneelse"
	[[ "$output" == *"another attempt"* ]]
	run curl -s "http://127.0.0.1:$port/favicon.ico"
	curl -sf -L "$(cat "$TMP/url")" >/dev/null
	wait "$pid"
	[ -f "$(TOKEN)" ]
}

@test "exec-fyers: login with the code pasted, as a bare code or the redirected URL" {
	code=$(curl -sf "$MOCK_URL/_mock/authcode" | py -c 'import json,sys; print(json.load(sys.stdin)["auth_code"])')
	FYERS_REDIRECT_URI=https://example.com/cb run algo-exec-fyers login --code "$code"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"logged in as XA00001"* ]]
	rm "$(TOKEN)"
	code=$(curl -sf "$MOCK_URL/_mock/authcode" | py -c 'import json,sys; print(json.load(sys.stdin)["auth_code"])')
	echo "https://example.com/cb?s=ok&code=200&auth_code=$code&state=abc" |
		FYERS_REDIRECT_URI=https://example.com/cb algo-exec-fyers login --code -
	[ -f "$(TOKEN)" ]
	# a used code is refused with the broker's message
	FYERS_REDIRECT_URI=https://example.com/cb run --separate-stderr algo-exec-fyers login --code "$code"
	[ "$status" -eq 77 ]
	[[ "$stderr" == *"FYERS -437 invalid auth code"* ]]
}

@test "exec-fyers: a wrong secret (-371) exits 77 with the broker's message" {
	printf 'not-the-secret\n' > "$TMP/secret"
	run --separate-stderr fyers_login_verbose
	echo "$stderr"
	[ "$status" -eq 77 ]
	[[ "$stderr" == *"FYERS -371 invalid app id hash"* ]]
	[[ "$stderr" == *"SHA-256 of APP_ID:SECRET"* ]]
	[[ "$stderr$output" != *not-the-secret* ]]
	[ ! -f "$(TOKEN)" ]
}
fyers_login_verbose() {
	code=$(curl -sf "$MOCK_URL/_mock/authcode" | py -c 'import json,sys; print(json.load(sys.stdin)["auth_code"])')
	FYERS_REDIRECT_URI=http://127.0.0.1:9/cb algo-exec-fyers login --code "$code"
}

@test "exec-fyers: the secret comes from a 0600 file or the environment, never argv" {
	chmod 644 "$TMP/secret"
	run --separate-stderr fyers_login_verbose
	[ "$status" -eq 78 ]
	[[ "$stderr" == *"FYERS_SECRET_FILE"*"mode 0644"*"chmod 600"* ]]
	unset FYERS_SECRET_FILE
	run --separate-stderr fyers_login_verbose
	[ "$status" -eq 78 ]
	[[ "$stderr" == *"no app secret"* ]]
	FYERS_SECRET=mock-secret run fyers_login_verbose
	[ "$status" -eq 0 ]
	run algo-exec-fyers login --secret x
	[ "$status" -eq 2 ]
}

@test "exec-fyers: missing configuration exits 78 naming the variable" {
	unset FYERS_APP_ID
	run --separate-stderr algo-exec-fyers status
	[ "$status" -eq 78 ]
	[[ "$stderr" == *FYERS_APP_ID* ]]
	export FYERS_APP_ID=TESTAPP-100
	run --separate-stderr algo-exec-fyers login --code x
	[ "$status" -eq 78 ]
	[[ "$stderr" == *FYERS_REDIRECT_URI* ]]
	FYERS_API_BASE=http://api.example.com run --separate-stderr algo-exec-fyers status
	[ "$status" -eq 78 ]
	[[ "$stderr" == *"must be a https:// URL"* ]]
}

@test "exec-fyers: status exits 77 when not logged in, expired, or revoked at FYERS" {
	run algo-exec-fyers status
	[ "$status" -eq 77 ]
	[[ "$output" == *"not logged in"* ]]
	fyers_login
	run algo-exec-fyers status --offline
	[ "$status" -eq 0 ]
	[[ "$output" == *"access token valid until"*"(in "* ]]
	# revoked at the broker: the local file looks fine, FYERS says -16
	mock_post /_mock/expire '{}'
	run --separate-stderr algo-exec-fyers status
	echo "$stderr"
	[ "$status" -eq 77 ]
	[[ "$stderr" == *"FYERS -16 Could not authenticate the user"*"algo-exec-fyers login"* ]]
	# expired locally: no request at all
	py - "$(TOKEN)" <<-'EOF'
	import json, sys
	t = json.load(open(sys.argv[1])); t["access_expires"] = "2024-03-01T06:00:00+05:30"
	json.dump(t, open(sys.argv[1], "w"))
	EOF
	mock_reset_log
	run algo-exec-fyers status
	[ "$status" -eq 77 ]
	[[ "$output" == *"expired at 2024-03-01T06:00:00+05:30"* ]]
	run --separate-stderr algo-exec-fyers funds
	[ "$status" -eq 77 ]
	[[ "$stderr" == *"expired at 2024-03-01T06:00:00+05:30"*"refresh"* ]]
	[ "$(mock_count GET /api/v3/funds)" -eq 0 ]
}

@test "exec-fyers: a session file others can read is refused" {
	fyers_login
	chmod 640 "$(TOKEN)"
	run --separate-stderr algo-exec-fyers funds
	[ "$status" -eq 77 ]
	[[ "$stderr" == *"mode 0640"*"refused"* ]]
	[[ "$stderr" != *eyJ* ]]
}

@test "exec-fyers: refresh with the PIN from FYERS_PIN; a wrong PIN or refresh token exits 77" {
	fyers_login
	old=$(py -c 'import json,sys; print(json.load(open(sys.argv[1]))["access_token"])' "$(TOKEN)")
	mock_post /_mock/expire '{}'
	FYERS_PIN=1234 run --separate-stderr algo-exec-fyers refresh
	echo "$stderr"
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"session refreshed"* ]]
	new=$(py -c 'import json,sys; print(json.load(open(sys.argv[1]))["access_token"])' "$(TOKEN)")
	[ "$old" != "$new" ]
	run algo-exec-fyers status
	[ "$status" -eq 0 ]
	FYERS_PIN=9999 run --separate-stderr algo-exec-fyers refresh
	[ "$status" -eq 77 ]
	[[ "$stderr" == *"-501"* ]]
	[[ "$stderr" != *9999* ]]
	# no PIN and no terminal to ask on
	run --separate-stderr setsid -w algo-exec-fyers refresh < /dev/null
	[ "$status" -eq 78 ]
	[[ "$stderr" == *FYERS_PIN* ]]
	mock_log | py -c '
import json, sys
r = [r for r in json.load(sys.stdin)["requests"] if r["path"] == "/api/v3/validate-refresh-token"][0]
assert r["body"]["grant_type"] == "refresh_token" and r["body"]["pin"] == "1234" and r["body"]["refresh_token"], r'
}

@test "exec-fyers: logout ends the session at FYERS and removes the file" {
	fyers_login
	run --separate-stderr algo-exec-fyers logout
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"logged out at FYERS"* ]]
	[ ! -e "$(TOKEN)" ]
	[ "$(mock_count POST /api/v3/logout)" -eq 1 ]
	run --separate-stderr algo-exec-fyers logout
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"not logged in"* ]]
	# already revoked at FYERS: still removed locally
	fyers_login
	mock_post /_mock/expire '{}'
	run --separate-stderr algo-exec-fyers logout
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"already invalid"* ]]
	[ ! -e "$(TOKEN)" ]
}

@test "exec-fyers: profile, funds, orders, trades, positions as a table and as NDJSON" {
	fyers_login
	mock_scenario '{"orders":[{"id":"240301000012345","symbol":"NSE:SBIN-EQ","side":1,"qty":10,"filledQty":4,"remainingQuantity":6,"type":1,"productType":"INTRADAY","limitPrice":752.85,"stopPrice":0,"tradedPrice":752.8,"status":6,"orderTag":"emacross1","orderDateTime":"01-Mar-2024 09:16:02","message":""}],
	  "trades":[{"orderDateTime":"01-Mar-2024 09:16:03","tradeNumber":"T1","orderNumber":"240301000012345","symbol":"NSE:SBIN-EQ","side":1,"tradedQty":4,"tradePrice":752.8,"tradeValue":3011.2,"productType":"INTRADAY","orderTag":"emacross1"}],
	  "positions":[{"symbol":"NSE:SBIN-EQ","productType":"INTRADAY","netQty":4,"netAvg":752.8,"buyQty":4,"buyAvg":752.8,"sellQty":0,"sellAvg":0,"ltp":753.1,"realized_profit":0,"unrealized_profit":1.2,"pl":1.2}]}'
	run algo-exec-fyers profile
	[ "$status" -eq 0 ]
	[[ "$output" == *"fy_id          XA00001"* ]]
	run algo-exec-fyers funds
	[[ "${lines[2]}" == "10  Available Balance  95000.25  0" ]]
	run algo-exec-fyers orders
	echo "$output"
	[[ "${lines[0]}" == time*id*symbol*side*qty*filled*status* ]]
	[[ "${lines[1]}" == *"240301000012345  NSE:SBIN-EQ  buy   10   4 "*"752.85"*"partial"*"emacross1"* ]]
	run algo-exec-fyers trades --format ndjson
	[ "${#lines[@]}" -eq 1 ]
	echo "${lines[0]}" | py -c 'import json,sys; t=json.loads(sys.stdin.read()); assert t["tradePrice"] == 752.8 and t["tradeNumber"] == "T1"'
	[[ "${lines[0]}" == *'"tradeValue":3011.2'* ]]
	run algo-exec-fyers positions
	[[ "$output" == *"NSE:SBIN-EQ  INTRADAY  4 "*"752.8"* ]]
	run algo-exec-fyers orders --format csv
	[ "$status" -eq 2 ]
}

@test "exec-fyers: a bare 403 from the edge, a 5xx storm and rate limits give the documented codes" {
	fyers_login
	mock_fault '{"path":"/api/v3/funds","status":403,"raw":"Forbidden","times":1}'
	run --separate-stderr algo-exec-fyers funds
	[ "$status" -eq 77 ]
	[[ "$stderr" == *"HTTP 403"* ]]
	mock_fault '{"path":"/api/v3/funds","status":502,"raw":"<html>bad gateway</html>","times":-1}'
	run --separate-stderr algo-exec-fyers funds
	[ "$status" -eq 69 ]
	[[ "$stderr" == *"retry 2 of 4"* ]]
	[[ "$stderr" == *"HTTP 502"*"FYERS is not answering"* ]]
	mock_post /_mock/clear '{}'
	mock_fault '{"path":"/api/v3/funds","status":429,"code":-429,"message":"request limit reached","retry_after":300,"times":1}'
	run --separate-stderr algo-exec-fyers funds
	echo "$stderr"
	[ "$status" -eq 75 ]
	[[ "$stderr" == *"FYERS -429 request limit reached"* ]]
	[[ "$stderr" == *"rate limited by FYERS (1 today"* ]]
	# the hold is shared: another process waits for it instead of breaching again
	run --separate-stderr algo-exec-fyers profile
	[ "$status" -eq 75 ]
	[[ "$stderr" == *"request budget needs a wait"* ]]
	run algo-exec-fyers status --offline
	[[ "$output" == *"rate-limit hits today: 1"* ]]
}

@test "exec-fyers: usage errors; without a command it is the pipeline stage" {
	run --separate-stderr algo-exec-fyers < /dev/null
	[ "$status" -eq 0 ]
	run --separate-stderr algo-exec-fyers place
	[ "$status" -eq 2 ]
	run --separate-stderr algo-exec-fyers status --format ndjson
	[ "$status" -eq 2 ]
	run algo-exec-fyers --help
	[ "$status" -eq 0 ]
	[[ "$output" == *--live* ]]
}

@test "exec-fyers: --help names every variable of the man page's ENVIRONMENT, SSL_CERT_FILE too" {
	vars=$(awk '/^\.SH/ { in_env = ($2 == "ENVIRONMENT") } in_env && tag { print; tag = 0 } in_env && /^\.TP/ { tag = 1 }' \
		"$ROOT/man/algo-exec-fyers.1" | grep -oE '[A-Z][A-Z0-9_]{2,}' | sort -u)
	[ "$(echo "$vars" | wc -l)" -ge 14 ]
	run algo-exec-fyers --help
	[ "$status" -eq 0 ]
	env_part=$(sed -n '/^Environment/,/^Exit status/p' <<<"$output")
	for v in $vars; do
		grep -qw -- "$v" <<<"$env_part" || { echo "--help's Environment does not name $v"; false; }
	done
	grep -qw SSL_CERT_FILE <<<"$env_part"
	grep -qw SSL_CERT_DIR <<<"$env_part"
	# and names no variable the man page does not document
	for v in $(grep -oE '^  [A-Z][A-Z0-9_]+(, [A-Z][A-Z0-9_]+)*' <<<"$env_part" | grep -oE '[A-Z][A-Z0-9_]+'); do
		grep -qx -- "$v" <<<"$vars" || { echo "--help names $v, the man page's ENVIRONMENT does not"; false; }
	done
}
