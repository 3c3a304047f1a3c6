# Helpers for the restart tests of the whole paper pipeline (81, 83): one run of
# feed | eval | risk --barrier | exec-paper | ledger on one --state, and the result a
# run leaves, to compare runs by.
PAPER_STRATEGY=$ROOT/examples/strategies/demo-intraday.json

# paper_run CSV DB: one paper run over CSV (symbol NSE:DEMO-EQ) on state DB; its events
# on stdout. Fails when any stage fails.
paper_run() {
	local csv=$1 db=$2
	algo-feed csv --no-progress --tf 1m --symbol NSE:DEMO-EQ "$csv" |
		algo-eval --state "$db" -s "$PAPER_STRATEGY" |
		TMPDIR=$TMP algo-risk --state "$db" --barrier |
		algo-exec-paper --state "$db" --slippage-bps 1 --charges "$ROOT/share/costs/india.json" 2>/dev/null |
		algo-ledger --state "$db"
	local codes=("${PIPESTATUS[@]}")
	[ "${codes[*]}" = "0 0 0 0 0" ] || { echo "pipeline exited ${codes[*]}" >&2; return 1; }
}

# paper_result EVENTS DB: what a run leaves, as one text: orders, order updates and
# fills in the order they were written, the trades, and the report (without the run's
# id and clock).
paper_result() {
	grep -E '"type":"(order|order_update|fill)"' "$1"
	algo-ledger trades --state "$2" --format csv
	algo-ledger report --state "$2" --format json | python3 -c '
import json, sys
r = json.load(sys.stdin)
for k in ("run", "generated"):
    r.pop(k, None)
print(json.dumps(r, indent=1, sort_keys=True))'
}
