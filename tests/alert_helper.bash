# Helpers for the algo-alert tests (60-63): the Telegram mock (tests/mock/telegram.py)
# on a random loopback port, the environment that points algo-alert at it, events to
# alert on, and questions to the mock's log.
TG_MOCK=$ROOT/tests/mock/telegram.py
TG_TOKEN=123456:TEST-SECRET-TOKEN
tg_py() { "${TG_PY:-python3}" "$@"; }
tg_setup_file() { export TG_PY=${TG_PY:-$(python3 -c 'import sys; print(sys.executable)')}; }

# tg_start [mock options...]: starts the mock (on TG_PORT when set) and exports the
# TELEGRAM_* variables.
tg_start() {
	local port=()
	[ -z "${TG_PORT:-}" ] || port=(--port "$TG_PORT")
	rm -f "$TMP/tg.port"
	"${TG_PY:-python3}" "$TG_MOCK" --port-file "$TMP/tg.port" --token "$TG_TOKEN" "${port[@]}" "$@" 3>&- \
		>"$TMP/tg.out" 2>&1 &
	TG_PID=$!
	for _ in $(seq 200); do [ -s "$TMP/tg.port" ] && break; sleep 0.05; done
	[ -s "$TMP/tg.port" ] || { cat "$TMP/tg.out"; return 1; }
	TG_PORT=$(cat "$TMP/tg.port")
	TG_URL=http://127.0.0.1:$TG_PORT
	export TELEGRAM_API_BASE=$TG_URL TELEGRAM_BOT_TOKEN=$TG_TOKEN TELEGRAM_CHAT_ID=${TG_CHAT:-4242}
}

tg_stop() {
	if [ -n "${TG_PID:-}" ]; then kill "$TG_PID" 2>/dev/null; wait "$TG_PID" 2>/dev/null || true; fi
	TG_PID=
	return 0
}

# tg_fault JSON: a fault rule (see the mock's doc string).
tg_fault() { curl -sf -X POST --data "$1" "$TG_URL/_mock/fault" >/dev/null; }
tg_log() { curl -sf "$TG_URL/_mock/log"; }
# tg_q PYTHON: evaluates an expression over the log (`log`), printing the result.
tg_q() { tg_log | tg_py -c "import json, sys; log = json.load(sys.stdin); print($1)"; }
# tg_texts: the delivered messages, one a line (newlines inside shown as " | ").
tg_texts() { tg_q '"\n".join(m["text"].replace("\n", " | ") for m in log["messages"])'; }
tg_count() { tg_q 'len(log["messages"])'; }
# tg_wait_seen N: until the mock has received N requests (answered or not, as a
# delayed one is not yet); fails after 20 s.
tg_wait_seen() {
	local i
	for i in $(seq 200); do [ "$(tg_q 'log["seen"]')" -ge "$1" ] && return 0; sleep 0.1; done
	echo "the mock saw fewer than $1 requests in 20 s" >&2
	return 1
}

# fills N [SYMBOL]: N valid fill events, one a minute from 09:15.
fills() {
	local sym=${2:-NSE:SBIN-EQ}
	for i in $(seq "$1"); do
		printf '{"type":"fill","ts":"2024-03-01T%02d:%02d:00+05:30","id":"A%d","fill_id":"A%d-1","strategy":"demo","symbol":"%s","side":"buy","qty":10,"price":752.5,"fees":{"brokerage":0,"total":0},"remaining":0,"user":"default"}\n' \
			$((9 + (15 + i) / 60)) $(((15 + i) % 60)) "$i" "$i" "$sym"
	done
}
