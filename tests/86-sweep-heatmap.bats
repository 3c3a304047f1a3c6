#!/usr/bin/env bats
# The HTML heatmap of a two-parameter sweep (algo-sweep --heatmap, algo-variants
# heatmap): a golden page from fixed reports, the cells of a real sweep against its
# table, the direction of lower-is-better metrics, offline self-containment, and the
# errors for grids that do not have two varying parameters.
load test_helper
bats_require_minimum_version 1.5.0

S=$ROOT/examples/strategies/ema-cross-params.json
DATA=$ROOT/examples/data/NSE_DEMO-EQ_1m.csv
FX=$ROOT/tests/fixtures/sweep/heatmap

setup() { common_setup; unset ALGO_STATE; }

# cells FILE -> one line per cell, rows top to bottom: "value best?" ("-" undefined)
cells() { grep -o '<td class="c[^"]*"[^>]*>[^<]*</td>' "$1" | sed -E 's/.*class="c( best)?( na)?".*>([^<]*)<\/td>/\3\1/'; }

@test "heatmap: the page of fixed reports is the golden one" {
	run --separate-stderr algo-variants heatmap --variants "$FX/variants.tsv" --results "$FX"
	[ "$status" -eq 0 ]
	diff -u "$FX/expected.html" <(printf '%s\n' "$output")
	# a across, b down: row b=10 holds a=1 (the best, outlined) and a=2; the a=2 b=20
	# variant has no Sharpe and is grey
	printf '%s\n' "$output" > "$TMP/h.html"
	[ "$(cells "$TMP/h.html")" = "$(printf '10.0399 best\n-10.0399\n0.0000\n-')" ]
	grep -q '<td class="c na" title="rank 4: a=2 b=20' "$TMP/h.html"
	grep -q '<tr><th class="ax">b \\ a</th><th>1</th><th>2</th></tr>' "$TMP/h.html"
	grep -q '^<p class="st">4 variants tried (grid: a x b); ranked by sharpe (higher is better)\.$' "$TMP/h.html"
}

@test "heatmap: algo-sweep --heatmap shows every variant's ranked metric where the table has it" {
	run --separate-stderr algo-sweep -s "$S" --grid 'fast=5..9:2' --grid 'slow=20,26,30' \
		--rank net_pnl --heatmap "$TMP/heat.html" --format csv "$DATA"
	echo "$stderr"
	[ "$status" -eq 0 ]
	echo "$output" > "$TMP/t.csv"
	# the cell of (fast, slow) is row slow, column fast; its value the table's net_pnl
	want=$(for slow in 20 26 30; do for fast in 5 7 9; do
		awk -F, -v f=$fast -v s=$slow 'NR > 1 && $2 == f && $3 == s { printf "%.2f%s\n", $5, $1 == 1 ? " best" : "" }' "$TMP/t.csv"
	done; done)
	[ "$(cells "$TMP/heat.html")" = "$want" ]
	[ "$(grep -c ' best"' "$TMP/heat.html")" -eq 1 ]
	grep -q '<h1>Sweep: net_pnl by fast and slow</h1>' "$TMP/heat.html"
	grep -q '^<p class="st">9 variants tried (grid: fast x slow); ranked by net_pnl' "$TMP/heat.html"
	# offline: nothing fetched from elsewhere, no scripts
	! grep -Eiq 'https?:|<script|<link|src=|@import|url\(' "$TMP/heat.html"
	# the best and worst colours are the two ends of the scale
	best=$(awk -F, 'NR == 2 { printf "%.2f", $5 }' "$TMP/t.csv")
	grep -q "background:#3a9a3a;color:#fff\" title=\"rank 1: [^\"]*\">$best</td>" "$TMP/heat.html"
	grep -q 'background:#c03a3a;color:#fff" title="rank 9: ' "$TMP/heat.html"
}

@test "heatmap: a lower-is-better metric is greenest at its lowest value" {
	algo-sweep -s "$S" --grid 'fast=5,9' --grid 'slow=20,30' --dir "$TMP/sw" "$DATA" > /dev/null
	run algo-variants heatmap --variants "$TMP/sw/variants.tsv" --results "$TMP/sw/results" --rank max_drawdown_pct
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" > "$TMP/h.html"
	low=$(cells "$TMP/h.html" | awk '{ print $1 }' | sort -g | head -1)
	[ "$(cells "$TMP/h.html" | grep ' best$' | cut -d' ' -f1)" = "$low" ]
	grep -q "background:#3a9a3a;color:#fff\" title=\"rank 1: [^\"]*\">$low</td>" "$TMP/h.html"
	grep -q '(lower is better)' "$TMP/h.html"
}

@test "heatmap: a third parameter with one value is named; other grids are refused before anything runs" {
	cat > "$TMP/s.json" <<'EOF'
{"name": "three", "params": {"fast": 9, "slow": 21, "q": 1}, "qty": "q",
 "entry": {"long": "EMA(close,fast) crosses_above EMA(close,slow)"},
 "exit": {"long": "EMA(close,fast) crosses_below EMA(close,slow)"}}
EOF
	run --separate-stderr algo-sweep -s "$TMP/s.json" --grid fast=5,9 --grid q=1 --grid slow=20,30 \
		--heatmap "$TMP/h3.html" "$DATA"
	echo "$stderr"
	[ "$status" -eq 0 ]
	grep -q 'Fixed: q = 1\.' "$TMP/h3.html"
	grep -q '<th class="ax">slow \\ fast</th>' "$TMP/h3.html"
	[ "$(cells "$TMP/h3.html" | wc -l)" -eq 4 ]
	run --separate-stderr algo-sweep -s "$S" --grid fast=5,7 --heatmap "$TMP/h.html" --dir "$TMP/d1" "$DATA"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"--heatmap needs a grid in which exactly two parameters vary (1 do here)"* ]]
	[ ! -e "$TMP/h.html" ] && [ ! -e "$TMP/d1/joblog" ]
	run --separate-stderr algo-sweep -s "$S" --grid fast=5,7 --grid slow=20,26 --heatmap "$TMP/no/h.html" "$DATA"
	[ "$status" -eq 73 ]
	[[ "$stderr" == *"$TMP/no/h.html: cannot write the heatmap there"* ]]
	# algo-variants on a one-parameter sweep
	run --separate-stderr algo-variants heatmap --variants "$ROOT/tests/fixtures/sweep/dsr-example/variants.tsv" \
		--results "$ROOT/tests/fixtures/sweep/dsr-example"
	[ "$status" -eq 65 ]
	[ -z "$output" ]
	[[ "$stderr" == *"a heatmap needs a grid in which exactly two parameters vary (1 does)"* ]]
	run --separate-stderr algo-variants heatmap --results "$FX"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"heatmap needs --variants FILE and --results DIR"* ]]
}
