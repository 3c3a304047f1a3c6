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
	    if key in ("run", "strategy") or key.startswith("input_") or key in ("strategy_name",
	            "strategy_file", "strategy_sha256", "parameters", "parameters_given"):
	        continue  # names: the run record's rows
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

@test "report html: date axis, monthly returns, trades; a long run is downsampled; full width" {
	gen-bars 40000 > "$TMP/long.csv"
	algo-backtest -s "$S/ema-cross.json" --state "$TMP/long.db" "$TMP/long.csv" > /dev/null
	algo-ledger report --state "$TMP/long.db" --format html --out "$TMP/long.html"
	grep -q 'svg{[^}]*width:100%' "$TMP/long.html"
	# six dates under the equity and the drawdown chart
	[ "$(grep -o '<text x="[0-9.]*" y="174" text-anchor="[a-z]*">20[0-9-]*</text>' "$TMP/long.html" | wc -l)" -eq 12 ]
	grep -q '>2023-01-02</text>' "$TMP/long.html" && grep -q '>2023-05-30</text>' "$TMP/long.html"
	# one row a year, a cell a month
	grep -q '<table id="monthly-returns" class="hm">' "$TMP/long.html"
	grep -q '<tr><td>2023</td><td class="neg">-0.0027%</td><td class="pos">0.1793%</td>' "$TMP/long.html"
	# 916 trips: the last 200 listed, no markers smearing the line
	grep -q '<p>916 round trips, the last 200 shown' "$TMP/long.html"
	[ "$(grep -c '^<tr><td>ema-cross</td>' "$TMP/long.html")" -eq 200 ]
	! grep -q 'trade-marker' "$TMP/long.html"
	# the curve is downsampled: at most 1,500 points a chart (40,000 bars)
	python3 - "$TMP/long.html" <<-'EOF'
	import re, sys
	html = open(sys.argv[1]).read()
	for cls in ("eq", "dd"):
	    pts = re.search(r'class="%s" points="([^"]*)"' % cls, html).group(1).split()
	    assert 100 < len(pts) <= 1502, (cls, len(pts))  # a backtest keeps daily and drawdown points only
	EOF
	[ "$(stat -c %s "$TMP/long.html")" -lt 150000 ]
	# no day table on a long run, one on a short run
	! grep -q '<h2>Days</h2>' "$TMP/long.html"
	algo-backtest -s "$S/ema-cross.json" --state "$TMP/short.db" "$ROOT/examples/data/NSE_DEMO-EQ_1m.csv" > /dev/null
	algo-ledger report --state "$TMP/short.db" --format html --out "$TMP/short.html"
	grep -q '<h2>Days</h2>' "$TMP/short.html"
	[ "$(grep -o 'class="en trade-marker"' "$TMP/short.html" | wc -l)" -eq 72 ]
}

@test "report html: renders in headless Chromium" {
	command -v chromium > /dev/null || skip "chromium is not installed (scripts/install-deps --test)"
	algo-backtest -s "$S/ema-cross.json" --state "$TMP/a.db" "$DATA" > /dev/null
	algo-ledger report --state "$TMP/a.db" --format html --out "$TMP/r.html"
	timeout 120 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1280,2000 \
		--disable-quic --no-first-run --disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$TMP/chromium" --screenshot="$TMP/r.png" "file://$TMP/r.html" > /dev/null 2>&1
	[ "$(head -c 8 "$TMP/r.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]
	[ "$(stat -c %s "$TMP/r.png")" -gt 20000 ]
}

@test "report html: the trades' PnL distribution and the charges by component add up to the report's figures" {
	algo-backtest -s "$S/ema-cross.json" --exec "--charges india" --state "$TMP/c.db" "$DATA" > /dev/null
	algo-ledger report --state "$TMP/c.db" --format html --out "$TMP/c.html"
	algo-ledger report --state "$TMP/c.db" --format json > "$TMP/c.json"
	python3 - "$TMP/c.html" "$TMP/c.json" <<-'EOF2'
	import json, re, sys
	from decimal import Decimal
	html, rep = open(sys.argv[1]).read(), json.load(open(sys.argv[2]))
	hist = re.search(r'<svg id="trade-pnl-histogram".*?</svg>', html, re.S).group(0)
	counts = [int(n) for n in re.findall(r': (\d+) trades?</title>', hist)]
	assert sum(counts) == rep["trades"] > 0, (counts, rep["trades"])
	assert 5 <= len(counts) <= 24, len(counts)
	# every trade's net PnL falls in its bin: the first bin starts at the worst trade
	edges = re.findall(r'<title>(-?[\d.]+) to (-?[\d.]+):', hist)
	assert all(Decimal(a) < Decimal(b) for a, b in edges), edges
	assert all(edges[i][1] == edges[i + 1][0] for i in range(len(edges) - 1)), edges
	rows = re.findall(r'<tr><td>([a-z_]+)</td><td>(-?[\d.]+)</td><td>[\d.]+%</td></tr>',
	                  re.search(r'<table id="charges">.*?</table>', html, re.S).group(0))
	by = {k: Decimal(v) for k, v in rows}
	want = {k: Decimal(str(v)) for k, v in rep["charges_by_component"].items()}
	assert by == want, (by, want)
	total = re.search(r'<tr><td>total</td><td>(-?[\d.]+)</td>', html).group(1)
	assert Decimal(total) == Decimal(str(rep["charges"])) == sum(by.values()), total
	assert '<svg id="charges-chart"' in html
	EOF2
}

@test "report html: a run with no charges has no charges section" {
	algo-backtest -s "$S/ema-cross.json" --state "$TMP/n.db" "$DATA" > /dev/null
	algo-ledger report --state "$TMP/n.db" --format json | grep -q '"charges":0,'
	algo-ledger report --state "$TMP/n.db" --format html --out "$TMP/n.html"
	grep -q '<svg id="trade-pnl-histogram"' "$TMP/n.html"
	! grep -q 'id="charges' "$TMP/n.html"
}
