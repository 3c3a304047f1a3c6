#!/usr/bin/env bats
# The report a newcomer reads: CSV cells are numbers (units in the metric names), and
# the text report of a long run is summarised by month.
load test_helper

S=$ROOT/examples/strategies
DATA=$ROOT/examples/data/NSE_DEMO-EQ_1m.csv

@test "report csv: numeric cells, no '%' in any value, undefined metrics empty" {
	algo-backtest -s "$S/ema-cross.json" --state "$TMP/a.db" "$DATA" > /dev/null
	algo-ledger report --state "$TMP/a.db" --format csv > "$TMP/r.csv"
	grep -qx 'total_return_pct,-0.0136' "$TMP/r.csv"
	grep -qx 'win_rate_pct,23.6111' "$TMP/r.csv"
	! grep -q '%' "$TMP/r.csv"
	python3 - "$TMP/r.csv" <<-'EOF'
	import csv, sys
	rows = list(csv.reader(open(sys.argv[1])))
	assert rows[0] == ["metric", "value"], rows[0]
	for key, val in rows[1:]:
	    if key in ("run", "strategy"):
	        continue
	    assert val == "" or float(val) == float(val), (key, val)
	EOF
	# side by side too
	algo-ledger report --state "$TMP/a.db" --run "$(algo-ledger runs --state "$TMP/a.db" --format csv | tail -1 | cut -d, -f1)" \
		--run "$(algo-ledger runs --state "$TMP/a.db" --format csv | tail -1 | cut -d, -f1)" --format csv > "$TMP/cmp.csv"
	! grep -q '%' "$TMP/cmp.csv"
}

@test "report text: a long run is summarised by month, a short one by day" {
	gen-bars 40000 > "$TMP/long.csv"
	run --separate-stderr algo-backtest -s "$S/ema-cross.json" "$TMP/long.csv"
	[ "$status" -eq 0 ]
	[[ "$output" == *$'\nMonthly PnL (107 days; \'algo-ledger pnl\' lists each day)\n  month               equity           pnl     return\n  2023-01 '* ]]
	! [[ "$output" == *"Daily PnL"* ]]
	# five months whose PnL adds up to the run's
	python3 - "$output" <<-'EOF'
	import sys
	from decimal import Decimal
	text = sys.argv[1]
	rows = [l.split() for l in text.split("Monthly PnL")[1].splitlines()[2:] if l.strip()]
	assert [r[0] for r in rows] == ["2023-01", "2023-02", "2023-03", "2023-04", "2023-05"], rows
	start = Decimal(text.split("Equity start/end  ")[1].split()[0])
	assert start + sum(Decimal(r[2]) for r in rows) == Decimal(rows[-1][1]), rows
	EOF
	run --separate-stderr algo-backtest -s "$S/ema-cross.json" "$DATA"
	[[ "$output" == *$'\nDaily PnL\n'* ]]
	! [[ "$output" == *"Monthly PnL"* ]]
}
