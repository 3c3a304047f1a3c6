# Helpers for the live-trading tests of algo-exec-fyers (46-49, 75-79), on top of
# fyers_helper.bash: an account that may trade live, orders stamped now, the mock's
# order book, and counts of order requests.

# The setup and teardown of the live tests: a mock, alice's account, an empty log.
live_setup() {
	common_setup
	mock_start
	live_account
	mock_reset_log
}
live_teardown() {
	mock_stop
	common_teardown
}

# live_account [PLAN]: a state database with user alice on PLAN (BASIC), her risk
# acceptance and a session.
live_account() {
	algo-ledger < /dev/null
	algo-ledger users add alice --email alice@example.com --name Alice --plan "${1:-BASIC}"
	algo-exec-fyers accept-risk --yes --user alice 2>/dev/null
	fyers_login
}

# order ID [key=value...]: one order event of alice stamped now (market buy of 10 SBIN
# intraday unless the pairs say otherwise: side= qty= kind= limit= stop= sl= tp=
# symbol= strategy= ts=).
order() {
	py - "$@" <<-'EOF2'
	import datetime, json, sys
	o = {"type": "order", "ts": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
	     "id": sys.argv[1], "strategy": "s1", "symbol": "NSE:SBIN-EQ", "side": "buy", "qty": 10,
	     "kind": "market", "product": "intraday", "validity": "day", "mode": "live", "user": "alice"}
	for kv in sys.argv[2:]:
	    k, v = kv.split("=", 1)
	    o[k] = float(v) if k in ("limit", "stop", "sl", "tp") else int(v) if k == "qty" else v
	print(json.dumps(o))
	EOF2
}

# A cancel of ID by alice, now.
cancel_of() {
	printf '{"type":"cancel","ts":"%s","id":"%s","user":"alice"}\n' "$(date -u +%Y-%m-%dT%H:%M:%S.000Z)" "$1"
}

# fx ARGS...: the live stage of alice, polling fast.
fx() { algo-exec-fyers --live --user alice --poll-interval 0.1 --drain-timeout 5 "$@"; }

# The mock's order book and trade book; behaviour rules.
mock_book() { curl -sf "$MOCK_URL/_mock/orders"; }
mock_behave() { mock_post /_mock/orders/behave "$1"; }

# order_requests: POST /orders/sync requests the mock saw (a dropped one too).
order_requests() { mock_count POST /api/v3/orders/sync; }
# all_requests: every API request the mock saw.
all_requests() { curl -sf "$MOCK_URL/_mock/log" | py -c 'import json,sys; print(len(json.load(sys.stdin)["requests"]))'; }

# check_once FILE...: the outputs (concatenated) against the mock's books: exactly one
# broker order per client id (tag), every broker trade exactly once as a fill with its
# trade number as fill_id, nothing else filled.
check_once() {
	mock_book > "$TMP/book.json"
	cat "$@" | py -c '
import collections, json, sys
book = json.load(open(sys.argv[1]))
tags = collections.Counter(o["orderTag"].split(":", 1)[-1] for o in book["orders"] if o["orderTag"])
dup = {t: n for t, n in tags.items() if n != 1}
assert not dup, "orders placed more than once: %r" % dup
fills = collections.Counter()
for line in sys.stdin:
    e = json.loads(line)
    if e.get("type") == "fill":
        fills[e["fill_id"]] += 1
trades = {t["tradeNumber"] for t in book["trades"]}
assert set(fills) == trades, "fills %r, trades %r" % (sorted(fills), sorted(trades))
assert all(n == 1 for n in fills.values()), "fills twice: %r" % fills
' "$TMP/book.json"
}

# ledger_matches: the ledger (fed with the outputs) holds exactly the trade book.
ledger_matches() {
	mock_book > "$TMP/book.json"
	sqlite3 "$ALGO_STATE" "SELECT fill_id, qty, price FROM fills ORDER BY fill_id" > "$TMP/ledger.txt"
	py -c '
import json, sys
b = json.load(open(sys.argv[1]))
want = sorted("%s|%d|%d" % (t["tradeNumber"], t["tradedQty"], round(t["tradePrice"] * 10000)) for t in b["trades"])
got = [l.strip() for l in open(sys.argv[2]) if l.strip()]
assert got == want, "ledger %r, trade book %r" % (got, want)
' "$TMP/book.json" "$TMP/ledger.txt"
}
