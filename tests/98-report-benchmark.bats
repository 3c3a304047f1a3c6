#!/usr/bin/env bats
# The report's buy-and-hold benchmark (lib/reportbench.h): the starting equity split
# equally over the traded symbols, whole shares at each one's first bar close, held to
# its last bar. Every figure is recomputed here from the CSVs' closes with Decimal.
load test_helper

S=$ROOT/examples/strategies
DATA=$ROOT/examples/data/NSE_DEMO-EQ_1m.csv

# bench_check REPORT.json SYMBOL=CSV... [--from TS]: the benchmark of the JSON report
# equals the one recomputed from the CSV closes, to the paisa (exactly, in fact).
bench_check() {
	python3 - "$@" <<-'EOF'
	import csv, json, sys
	from datetime import datetime
	from decimal import Decimal
	rep = json.load(open(sys.argv[1]), parse_float=Decimal)
	args = sys.argv[2:]
	since = None
	if "--from" in args:
	    i = args.index("--from"); since = datetime.fromisoformat(args[i + 1]); del args[i:i + 2]
	closes = {}
	for a in args:
	    sym, path = a.split("=", 1)
	    rows = [r for r in csv.DictReader(open(path))
	            if since is None or datetime.fromisoformat(r["timestamp"]) >= since]
	    closes[sym] = [Decimal(r["close"]) for r in rows]
	b = rep["benchmark"]
	start = Decimal(rep["start_equity"])
	syms = sorted(closes)
	assert b["method"] == "buy_and_hold" and b["shares"] == "whole", b
	assert b["symbols"] == syms, (b["symbols"], syms)
	assert b["start_equity"] == start, b
	unit = Decimal("0.0001")
	share = (start / len(syms)).quantize(unit, rounding="ROUND_DOWN")
	end = start - share * len(syms)
	assert b["cash"] == end, (b["cash"], end)
	for sym, h in zip(syms, b["holdings"]):
	    c = closes[sym]
	    qty = int(share // c[0])
	    assert h["symbol"] == sym and h["qty"] == qty, (h, qty)
	    assert h["buy_price"] == c[0] and h["last_price"] == c[-1], h
	    assert h["cash"] == share - qty * c[0], h
	    end += share - qty * c[0] + qty * c[-1]
	assert b["end_equity"] == end, (b["end_equity"], end)
	assert abs(Decimal(str(b["return_pct"])) - (end / start - 1) * 100) < Decimal("1e-6"), b
	print("benchmark", syms, start, "->", end)
	EOF
}

# schema_check REPORT.json: its "benchmark" validates against schemas/report-benchmark.json.
schema_check() {
	python3 - "$1" "$ROOT/schemas/report-benchmark.json" <<-'EOF'
	import json, sys, jsonschema
	b = json.load(open(sys.argv[1]))["benchmark"]
	jsonschema.validate(b, json.load(open(sys.argv[2])), cls=jsonschema.Draft202012Validator)
	EOF
}

@test "benchmark: one symbol, every format; the end value recomputed from the bar closes" {
	algo-backtest -s "$S/demo-intraday.json" --state "$TMP/d.db" "$DATA" > "$TMP/r.txt"
	# the run's closes are recorded, one row a day: 8 days of NSE:DEMO-EQ
	[ "$(sqlite3 "$TMP/d.db" "SELECT count(*) FROM bar_closes WHERE symbol = 'NSE:DEMO-EQ'")" -eq 8 ]
	algo-ledger report --state "$TMP/d.db" --format json > "$TMP/r.json"
	run bench_check "$TMP/r.json" "NSE:DEMO-EQ=$DATA"
	echo "$output"
	[ "$status" -eq 0 ]
	run schema_check "$TMP/r.json"
	echo "$output"
	[ "$status" -eq 0 ]
	# 163 shares at 612.05 (99764.15) and 235.85 cash; 163 x 590.45 at the end
	grep -qx 'Buy and hold      100000 -> 96479.2 (-3.5208%) of NSE:DEMO-EQ' "$TMP/r.txt"
	[ "$(grep -c '^Buy and hold ' "$TMP/r.txt")" -eq 1 ]
	algo-ledger report --state "$TMP/d.db" --format html --out "$TMP/r.html"
	python3 - "$TMP/r.html" <<-'EOF'
	import re, sys
	html = open(sys.argv[1]).read()
	legend = re.search(r'<p class="legend" id="equity-legend">(.*?)</p>', html).group(1)
	assert 'key-eq' in legend and 'key-bh' in legend and 'Buy and hold NSE:DEMO-EQ' in legend, legend
	assert '96479.2' in legend, legend
	chart = re.search(r'<svg id="equity-chart".*?</svg>', html, re.S).group(0)
	eq = re.search(r'<polyline class="eq" points="([^"]*)"', chart).group(1).split()
	bh = re.search(r'<path class="bh" id="benchmark-line" d="M([^"]*)"', chart).group(1).split(" L")
	assert len(bh) == len(eq) > 2, (len(bh), len(eq))
	# the start is shared, and every point is inside the plot (the y range holds both lines)
	assert bh[0] == eq[0], (bh[0], eq[0])
	for x, y in (p.split(",") for p in bh + eq):
	    assert 84 <= float(x) <= 750 and 10 <= float(y) <= 160, (x, y)
	# the y labels sit in the left margin, right-aligned before the plot's left edge
	for svg in re.findall(r'<svg id="(?:equity-chart|drawdown-chart|daily-pnl-chart|trade-pnl-histogram)".*?</svg>', html, re.S):
	    labels = re.findall(r'<text class="yl" x="([0-9.]+)" y="[0-9.]+" text-anchor="end">', svg)
	    assert len(labels) == 2 and all(float(x) < 84 for x in labels), labels
	    assert not re.search(r'<text x="2"', svg), "a label at the left edge"
	EOF
}

@test "benchmark: several symbols split the capital equally, each bought at its own first close" {
	cp "$DATA" "$TMP/NSE_AAA-EQ_1m.csv"
	# BBB starts a day later, at other prices
	python3 - "$DATA" "$TMP/NSE_BBB-EQ_1m.csv" <<-'EOF'
	import csv, sys
	rows = list(csv.reader(open(sys.argv[1])))
	with open(sys.argv[2], "w", newline="") as f:
	    w = csv.writer(f)
	    w.writerow(rows[0])
	    for r in rows[1 + 375:]:
	        w.writerow([r[0]] + ["%.2f" % (float(x) * 0.37 + 3) for x in r[1:5]] + [r[5]])
	EOF
	algo-backtest -s "$S/ema-cross.json" --capital 100000.0003 --state "$TMP/m.db" \
		"$TMP/NSE_AAA-EQ_1m.csv" "$TMP/NSE_BBB-EQ_1m.csv" > "$TMP/r.txt"
	algo-ledger report --state "$TMP/m.db" --format json > "$TMP/r.json"
	run bench_check "$TMP/r.json" "NSE:AAA-EQ=$TMP/NSE_AAA-EQ_1m.csv" "NSE:BBB-EQ=$TMP/NSE_BBB-EQ_1m.csv"
	echo "$output"
	[ "$status" -eq 0 ]
	run schema_check "$TMP/r.json"
	[ "$status" -eq 0 ]
	# the 0.0001 the split cannot share is cash; BBB's share is cash until its first bar
	python3 -c 'import json,sys; b = json.load(open(sys.argv[1]))["benchmark"]; assert b["cash"] == 0.0001, b; assert b["holdings"][1]["buy_ts"] == "2023-06-06T09:15:00+05:30", b' "$TMP/r.json"
	grep -qx 'Buy and hold      100000.0003 -> 96129.2803 (-3.8707[0-9]*%) of NSE:AAA-EQ, NSE:BBB-EQ' "$TMP/r.txt"
	algo-ledger report --state "$TMP/m.db" --format html --out "$TMP/r.html"
	grep -q 'Buy and hold NSE:AAA-EQ, NSE:BBB-EQ' "$TMP/r.html"
	grep -q '<path class="bh" id="benchmark-line"' "$TMP/r.html"
}

@test "benchmark: many symbols: the text line names those that fit 80 columns, then how many more" {
	for k in 1 2 3 4 5 6 7; do
		head -301 "$DATA" > "$TMP/NSE_LONGNAME$k-EQ_1m.csv"
	done
	algo-backtest -s "$S/ema-cross.json" --state "$TMP/m.db" "$TMP"/NSE_LONGNAME*-EQ_1m.csv > "$TMP/r.txt"
	line=$(grep '^Buy and hold ' "$TMP/r.txt")
	echo "$line"
	[ "${#line}" -le 80 ]
	[[ "$line" == *") of NSE:LONGNAME1-EQ +6 more" ]]
	algo-ledger report --state "$TMP/m.db" --format json > "$TMP/r.json"
	python3 -c 'import json,sys; b = json.load(open(sys.argv[1]))["benchmark"]; assert len(b["symbols"]) == 7, b' "$TMP/r.json"
}

@test "benchmark: only the strategy's traded symbols; a time range buys at its first bar" {
	cp "$DATA" "$TMP/NSE_AAA-EQ_1m.csv"
	cp "$DATA" "$TMP/NSE_BBB-EQ_1m.csv"
	cat > "$TMP/only-a.json" <<-'EOF'
	{ "name": "only-a", "symbols": ["NSE:AAA-EQ"], "qty": 1,
	  "entry": { "long": "EMA(close,9) crosses_above EMA(close,21)" },
	  "exit": { "long": "EMA(close,9) crosses_below EMA(close,21)" } }
	EOF
	algo-backtest -s "$TMP/only-a.json" --state "$TMP/a.db" "$TMP/NSE_AAA-EQ_1m.csv" "$TMP/NSE_BBB-EQ_1m.csv" > /dev/null
	algo-ledger report --state "$TMP/a.db" --format json > "$TMP/r.json"
	run bench_check "$TMP/r.json" "NSE:AAA-EQ=$DATA"
	echo "$output"
	[ "$status" -eq 0 ]
	algo-ledger report --state "$TMP/a.db" --from 2023-06-08 --format json > "$TMP/f.json"
	run bench_check "$TMP/f.json" "NSE:AAA-EQ=$DATA" --from 2023-06-08T00:00:00+05:30
	echo "$output"
	[ "$status" -eq 0 ]
	python3 -c 'import json,sys; b = json.load(open(sys.argv[1]))["benchmark"]; assert b["holdings"][0]["buy_ts"] == "2023-06-08T09:15:00+05:30", b' "$TMP/f.json"
}

@test "benchmark: a database without recorded bars says so, in every format" {
	algo-backtest -s "$S/ema-cross.json" --state "$TMP/n.db" "$DATA" > /dev/null
	sqlite3 "$TMP/n.db" "DELETE FROM bar_closes"    # as a file recorded before schema 14
	algo-ledger report --state "$TMP/n.db" --format json > "$TMP/r.json"
	python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["benchmark"] is None' "$TMP/r.json"
	run algo-ledger report --state "$TMP/n.db"
	[ "$status" -eq 0 ]
	[[ "$output" == *$'\nBuy and hold      - (no bars recorded for the traded symbols)\n'* ]]
	algo-ledger report --state "$TMP/n.db" --format html --out "$TMP/r.html"
	grep -q 'id="equity-legend"' "$TMP/r.html"
	! grep -q 'benchmark-line' "$TMP/r.html"
}

@test "benchmark: a ledger stopped and fed again from the start records the same closes" {
	algo-backtest -s "$S/ema-cross.json" --state "$TMP/one.db" --events "$TMP/ev" "$DATA" > /dev/null
	n=$(wc -l < "$TMP/ev")
	head -n $((n / 2)) "$TMP/ev" | algo-ledger --state "$TMP/two.db" > /dev/null
	algo-ledger --state "$TMP/two.db" < "$TMP/ev" > /dev/null
	algo-ledger --state "$TMP/three.db" < "$TMP/ev" > /dev/null
	q="SELECT symbol, tf, day, first_ms, first_close, last_ms, last_close FROM bar_closes ORDER BY 1, 2, 3"
	[ "$(sqlite3 "$TMP/two.db" "$q")" = "$(sqlite3 "$TMP/three.db" "$q")" ]
	[ "$(sqlite3 "$TMP/three.db" "SELECT count(*) FROM bar_closes")" -eq 8 ]
	# and the closes are the CSV's: each day's first and last
	python3 - "$DATA" "$(sqlite3 -csv "$TMP/three.db" "$q")" <<-'EOF'
	import csv, sys
	from decimal import Decimal
	days = {}
	for r in csv.DictReader(open(sys.argv[1])):
	    days.setdefault(r["timestamp"][:10], []).append(Decimal(r["close"]))
	got = [l.split(",") for l in sys.argv[2].splitlines()]
	assert [g[2] for g in got] == sorted(days), got
	for g in got:
	    c = days[g[2]]
	    assert Decimal(g[4]) / 10000 == c[0] and Decimal(g[6]) / 10000 == c[-1], g
	EOF
}
