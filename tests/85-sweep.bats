#!/usr/bin/env bats
# algo-sweep and algo-variants: grids, one backtest per variant through GNU parallel,
# the ranked table, resuming a killed sweep, local "remote" execution, the deflated
# Sharpe ratio against a hand-worked example, and clear errors for bad grids.
load test_helper
bats_require_minimum_version 1.5.0

S=$ROOT/examples/strategies/ema-cross-params.json
DATA=$ROOT/examples/data/NSE_DEMO-EQ_1m.csv
GRID=(--grid 'fast=5..9:2' --grid 'slow=20,26,30')

setup() { common_setup; unset ALGO_STATE; }

@test "sweep: unit tests of grids and the sweep statistics" { run_unit test_sweep; }

@test "sweep: a 3x3 grid on the bundled data equals nine separate algo-backtest runs" {
	run --separate-stderr algo-sweep -s "$S" "${GRID[@]}" -j 2 --dir "$TMP/sw" "$DATA"
	echo "$stderr"
	[ "$status" -eq 0 ]
	echo "$output" > "$TMP/sweep.table"
	[ "$(wc -l < "$TMP/sw/variants.tsv")" -eq 9 ]
	[ "$(sed -n 4p "$TMP/sw/variants.tsv")" = "$(printf 'fast=7\tslow=20')" ]
	mkdir "$TMP/sep"
	i=0
	while IFS=$'\t' read -r f s; do
		i=$((i + 1))
		algo-backtest -s "$S" --param "$f" --param "$s" --format json "$DATA" > "$TMP/sep/$i"
		cmp "$TMP/sep/$i" "$TMP/sw/results/$i"
	done < "$TMP/sw/variants.tsv"
	[ "$i" -eq 9 ]
	# nine different results (the parameters reached the strategy)
	[ "$(cat "$TMP"/sep/* | jq -r .net_pnl | sort -u | wc -l)" -ge 7 ]
	# the table of the nine separate runs is the sweep's table
	run algo-variants table --variants "$TMP/sw/variants.tsv" --results "$TMP/sep"
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$TMP/sweep.table")" ]
	# rows sorted by Sharpe, best first; the rank-1 row is the best separate run
	best=$(for k in $(seq 9); do printf '%s %s\n' "$(jq .sharpe "$TMP/sep/$k")" "$k"; done | sort -g -r | head -1 | cut -d' ' -f2)
	want=$(sed -n "${best}p" "$TMP/sw/variants.tsv" | tr '\t' ' ')
	row1=$(sed -n 2p "$TMP/sweep.table" | awk '{ print "fast=" $2 " slow=" $3 }')
	[ "$row1" = "$want" ]
	grep -q "^9 variants tried (grid: fast x slow); ranked by sharpe (higher is better)\.$" "$TMP/sweep.table"
	grep -q "^Best raw Sharpe: .* annualised (.* per day over 8 daily returns), $want\.$" "$TMP/sweep.table"
	grep -q "^Deflated Sharpe ratio: 0\.[0-9]*, the probability that its true Sharpe beats" "$TMP/sweep.table"
}

@test "sweep: --format csv and ndjson, --rank with lower-is-better metrics" {
	algo-sweep -s "$S" "${GRID[@]}" --dir "$TMP/sw" --format csv "$DATA" > "$TMP/out.csv"
	head -1 "$TMP/out.csv" | grep -qx 'rank,fast,slow,trades,net_pnl,total_return_pct,cagr_pct,sharpe,sortino,calmar,max_drawdown_pct,win_rate_pct,profit_factor,expectancy,sqn,exposure_pct,dsr,days,trials'
	[ "$(wc -l < "$TMP/out.csv")" -eq 10 ]
	[ "$(tail -n +2 "$TMP/out.csv" | cut -d, -f19 | sort -u)" = 9 ]
	# sorted by sharpe, descending
	tail -n +2 "$TMP/out.csv" | cut -d, -f8 > "$TMP/s"
	sort -g -r "$TMP/s" | cmp - "$TMP/s"
	# the same sweep again resumes: nothing runs, and --rank re-sorts
	algo-sweep -s "$S" "${GRID[@]}" --dir "$TMP/sw" --format ndjson --rank max_drawdown_pct "$DATA" > "$TMP/out.nd"
	[ "$(wc -l < "$TMP/sw/joblog")" -eq 10 ]
	[ "$(grep -c '"type":"sweep_variant"' "$TMP/out.nd")" -eq 9 ]
	jq -r 'select(.type == "sweep_variant") | .max_drawdown_pct' "$TMP/out.nd" > "$TMP/dd"
	sort -g "$TMP/dd" | cmp - "$TMP/dd"
	tail -1 "$TMP/out.nd" | jq -e '.type == "sweep_summary" and .variants == 9 and .trials == 9 and .ranked_by == "max_drawdown_pct"
		and (.deflated_sharpe | type) == "number" and .best_params.fast >= 5'
	# the best raw Sharpe of the summary is the highest sharpe of the rows
	[ "$(jq -r 'select(.type == "sweep_variant") | .sharpe' "$TMP/out.nd" | sort -g -r | head -1)" = \
	  "$(tail -1 "$TMP/out.nd" | jq -r .best_sharpe)" ]
	run --separate-stderr algo-sweep -s "$S" "${GRID[@]}" --rank sharp "$DATA"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"--rank: 'sharp' is not a metric (trades, net_pnl,"* ]]
}

# A wrapper in front of algo-backtest that logs each call and, when $HANG_ON is part
# of its arguments, marks the moment and hangs (the sweep is killed meanwhile).
wrap_backtest() {
	mkdir -p "$TMP/wrap"
	cat > "$TMP/wrap/algo-backtest" <<EOF
#!/usr/bin/env bash
echo "\$*" | grep -o 'fast=[0-9]* --param slow=[0-9]*' >> "\$CALLS"
if [ -n "\${HANG_ON:-}" ] && [[ "\$*" == *"\$HANG_ON"* ]]; then echo \$\$ > "$TMP/hung"; exec sleep 1000; fi
exec "$BUILD/shim/algo-backtest" "\$@"
EOF
	chmod +x "$TMP/wrap/algo-backtest"
}

@test "sweep: after a kill -9 of the whole sweep, a re-run runs only the missing variants" {
	wrap_backtest
	CALLS=$TMP/calls1 HANG_ON='fast=7 --param slow=20' PATH="$TMP/wrap:$PATH" \
		setsid algo-sweep -s "$S" "${GRID[@]}" -j 1 --dir "$TMP/sw" --no-progress "$DATA" > /dev/null 2>&1 &
	pid=$!
	for _ in $(seq 300); do [ -e "$TMP/hung" ] && break; sleep 0.1; done
	[ -s "$TMP/hung" ]
	# everything dies at once, as in a crash: the sweep and the job (which GNU parallel
	# runs in a process group of its own)
	kill -9 -- -"$pid" "$(cat "$TMP/hung")"
	wait "$pid" || true
	# three variants were done; the fourth was running
	[ "$(cat "$TMP/calls1")" = "$(printf 'fast=5 --param slow=20\nfast=5 --param slow=26\nfast=5 --param slow=30\nfast=7 --param slow=20')" ]
	[ "$(tail -n +2 "$TMP/sw/joblog" | wc -l)" -eq 3 ]
	CALLS=$TMP/calls2 PATH="$TMP/wrap:$PATH" run --separate-stderr algo-sweep -s "$S" "${GRID[@]}" -j 2 --dir "$TMP/sw" "$DATA"
	echo "$stderr"
	[ "$status" -eq 0 ]
	sort "$TMP/calls2" > "$TMP/calls2.sorted"
	[ "$(cat "$TMP/calls2.sorted")" = "$(printf 'fast=7 --param slow=20\nfast=7 --param slow=26\nfast=7 --param slow=30\nfast=9 --param slow=20\nfast=9 --param slow=26\nfast=9 --param slow=30')" ]
	# and the table is that of a sweep never interrupted
	[ "$output" = "$(algo-sweep -s "$S" "${GRID[@]}" "$DATA")" ]
	# a third run has nothing left to do
	CALLS=$TMP/calls3 PATH="$TMP/wrap:$PATH" algo-sweep -s "$S" "${GRID[@]}" --dir "$TMP/sw" "$DATA" > /dev/null
	[ ! -s "$TMP/calls3" ]
}

@test "sweep: --sshlogin : (local remote execution) and --transfer give the table of -j 2" {
	run --separate-stderr algo-sweep -s "$S" "${GRID[@]}" -j 2 "$DATA"
	[ "$status" -eq 0 ]
	want=$output
	run --separate-stderr algo-sweep -s "$S" "${GRID[@]}" --sshlogin : --dir "$TMP/ssh" "$DATA"
	echo "$stderr"
	[ "$status" -eq 0 ]
	[ "$output" = "$want" ]
	[ "$(tail -n +2 "$TMP/ssh/joblog" | cut -f2 | sort -u)" = ":" ]
	printf ':\n' > "$TMP/hosts"
	run --separate-stderr algo-sweep -s "$S" "${GRID[@]}" --slf "$TMP/hosts" --transfer -j 1 --dir "$TMP/tr" "$DATA"
	echo "$stderr"
	[ "$status" -eq 0 ]
	[ "$output" = "$want" ]
	# the jobs used the staged copies, by relative paths
	grep -q ' data/1-NSE_DEMO-EQ_1m.csv$' "$TMP/tr/joblog"
	cmp "$TMP/tr/stage/strategy.json" "$S"
}

@test "sweep: the deflated Sharpe ratio matches a hand-worked example" {
	# tests/fixtures/sweep/dsr-example/README works the example by hand: three variants
	# of five daily returns, V = 0.4, SR0 = 0.5393609213, DSR = 0.5714221121.
	ex=$ROOT/tests/fixtures/sweep/dsr-example
	want() { awk -v k="$1" '$1 == k { print $2 }' "$ex/expected"; }
	run algo-variants table --variants "$ex/variants.tsv" --results "$ex" --format ndjson
	echo "$output"
	[ "$status" -eq 0 ]
	summary=$(tail -1 <<<"$output")
	near() { awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d < 1e-9) }'; }
	for k in sharpe_variance expected_max_sharpe best_sharpe_per_day deflated_sharpe; do
		near "$(jq ".$k" <<<"$summary")" "$(want $k)" || { echo "$k: $(jq ".$k" <<<"$summary") != $(want $k)"; false; }
	done
	[ "$(jq -c .best_params <<<"$summary")" = '{"k":1}' ]
	row1=$(head -1 <<<"$output")
	near "$(jq .kurtosis <<<"$row1")" "$(want kurtosis)"
	near "$(jq .skewness <<<"$row1")" "$(want skewness)"
	# the same numbers through the calculator, and in the text statement
	run algo-variants dsr --sharpe 0.6324555320336759 --trials 3 --variance 0.4 --days 5 --kurtosis 1.7
	[ "$status" -eq 0 ]
	near "$(awk '$1 == "expected_max_sharpe" { print $2 }' <<<"$output")" "$(want expected_max_sharpe)"
	near "$(awk '$1 == "deflated_sharpe" { print $2 }' <<<"$output")" "$(want deflated_sharpe)"
	run algo-variants table --variants "$ex/variants.tsv" --results "$ex"
	[[ "$output" == *"Deflated Sharpe ratio: 0.5714, the probability that its true Sharpe beats 0.539361 per day,"* ]]
	[[ "$output" == *"what the best of N = 3 trials of no skill"* ]]
	[[ "$output" == *"Below 0.95: not significant at the 5% level"* ]]
	# an independent check of the normal quantiles and the whole chain (Python's statistics)
	/usr/bin/python3 - <<'PY'
from statistics import NormalDist
import math
n = NormalDist(); g = 0.5772156649015329
assert abs(n.inv_cdf(1 - 1/3) - 0.4307272993) < 1e-9
assert abs(n.inv_cdf(1 - 1/(3*math.e)) - 1.1619569289) < 1e-9
sr0 = math.sqrt(0.4) * ((1 - g) * n.inv_cdf(1 - 1/3) + g * n.inv_cdf(1 - 1/(3*math.e)))
assert abs(sr0 - 0.5393609213) < 1e-9
z = (math.sqrt(0.4) - sr0) * 2 / math.sqrt(1.07)
assert abs(n.cdf(z) - 0.5714221121) < 1e-9
PY
}

@test "sweep: bad grids and parameters are clear errors before anything runs" {
	err() {   # err STATUS EXPECTED-STDERR-SUBSTRING ARGS...
		local want_status=$1 want=$2
		shift 2
		run --separate-stderr algo-sweep "$@"
		[ "$status" -eq "$want_status" ] || { echo "status $status: $stderr"; false; }
		[[ "$stderr" == *"$want"* ]] || { echo "want: $want"; echo "got:  $stderr"; false; }
		[ -z "$output" ]
	}
	err 2 "a grid is required" -s "$S" "$DATA"
	err 2 "a strategy is required" --grid fast=5 "$DATA"
	err 2 "no CSV file given" -s "$S" --grid fast=5
	err 2 "--grid 'fast=9..5': '9..5': the range's end is below its start" -s "$S" --grid fast=9..5 "$DATA"
	err 2 "--grid 'fast=5..9:0': '5..9:0': the step must be above 0" -s "$S" --grid fast=5..9:0 "$DATA"
	err 2 "--grid 'fast=5,x': 'x' is not a number (or a range A..B[:STEP])" -s "$S" --grid fast=5,x "$DATA"
	err 2 "--grid 'fast=5,5': the value 5 is given twice" -s "$S" --grid fast=5,5 "$DATA"
	err 2 "--grid 'fast=': no values after '='" -s "$S" --grid fast= "$DATA"
	err 2 "--grid 'slow=1': 'slow' has two grids" -s "$S" --grid slow=2 --grid slow=1 "$DATA"
	err 2 "--grid '9x=1': '9x' is not a parameter name" -s "$S" --grid 9x=1 "$DATA"
	err 2 "--jobs: 'many' is not a number" -s "$S" --grid fast=5 -j many "$DATA"
	err 2 "--format must be table, csv or ndjson" -s "$S" --grid fast=5 --format xml "$DATA"
	err 78 "--grid fats: $S: no parameter 'fats' (did you mean 'fast'?)" -s "$S" --grid fats=5 "$DATA"
	err 78 "variant 1 (fast=0 slow=21): $S: \$.entry.long: col 11: EMA: period must be an integer from 1 to 100000, got 0 (from parameter fast = 0)" \
		-s "$S" --grid fast=0,1.5,3 --grid slow=21 "$DATA"
	[[ "$stderr" == *"variant 2 (fast=1.5 slow=21): $S: \$.entry.long: col 11: EMA: period must be an integer from 1 to 100000, got 1.5 (from parameter fast = 1.5)"* ]]
	[[ "$stderr" == *"2 of 3 variants cannot run; nothing was started"* ]]
	err 66 "$TMP/none.json: cannot read strategy file" -s "$TMP/none.json" --grid fast=5 "$DATA"
	err 66 "$TMP/none.csv: cannot read CSV file" -s "$S" --grid fast=5 "$TMP/none.csv"
	printf '# periods\nfast=5,7\n\nslow=20..x\n' > "$TMP/grid.txt"
	err 78 "$TMP/grid.txt:4: '20..x' is not a range A..B[:STEP] of numbers" -s "$S" --grid-file "$TMP/grid.txt" "$DATA"
	err 66 "$TMP/nogrid.txt: No such file or directory" -s "$S" --grid-file "$TMP/nogrid.txt" "$DATA"
	printf 'fast=5,7\nslow=20\n' > "$TMP/grid.txt"
	run algo-sweep -s "$S" --grid-file "$TMP/grid.txt" "$DATA"
	[ "$status" -eq 0 ]
	[ "$(grep -c '^ *[12]  ' <<<"$output")" -eq 2 ]
	# a directory holding another sweep, or something else
	algo-sweep -s "$S" --grid fast=5 --dir "$TMP/d1" "$DATA" > /dev/null
	err 73 "$TMP/d1 holds another sweep (another strategy, grid, data or options); use another --dir or remove it" \
		-s "$S" --grid fast=6 --dir "$TMP/d1" "$DATA"
	mkdir "$TMP/d2" && touch "$TMP/d2/x"
	err 73 "$TMP/d2 is not empty and holds no sweep" -s "$S" --grid fast=5 --dir "$TMP/d2" "$DATA"
}

@test "sweep: a failing backtest names the variant and its error, and its exit status" {
	printf 'timestamp,open,high,low,close,volume\n2024-01-01 09:15,1,1,1,x,1\n' > "$TMP/bad.csv"
	run --separate-stderr algo-sweep -s "$S" --grid fast=5,7 --dir "$TMP/sw" "$TMP/bad.csv"
	[ "$status" -eq 65 ]
	[ -z "$output" ]
	[[ "$stderr" == *"algo-sweep: variant 1 (fast=5) failed (exit 65): algo-feed: $TMP/bad.csv:2:"* ]]
	[[ "$stderr" == *"algo-sweep: 2 of 2 variants failed; fix the cause and run again with --dir to resume"* ]]
	# the table refuses to rank a partial sweep (N would be wrong)
	run --separate-stderr algo-variants table --variants "$TMP/sw/variants.tsv" --results "$TMP/sw/results" --joblog "$TMP/sw/joblog"
	[ "$status" -eq 1 ]
	[ "$stderr" = "algo-variants: 2 of 2 variants have no result: 1 (exit 65), 2 (exit 65)" ]
}

@test "sweep: without GNU parallel the error says so (exit 69)" {
	mkdir "$TMP/bin"
	for f in /usr/bin/* /bin/*; do
		b=${f##*/}
		[ "$b" = parallel ] || [ -e "$TMP/bin/$b" ] || ln -s "$f" "$TMP/bin/$b"
	done
	PATH="$BUILD/shim:$ROOT/scripts:$TMP/bin" run --separate-stderr algo-sweep -s "$S" --grid fast=5 "$DATA"
	[ "$status" -eq 69 ]
	[ "$stderr" = "algo-sweep: GNU parallel is not installed; it runs the backtests (Debian/Ubuntu: apt-get install parallel)" ]
	printf '#!/bin/sh\necho "parallel from moreutils"\n' > "$TMP/bin/parallel"
	chmod +x "$TMP/bin/parallel"
	PATH="$BUILD/shim:$ROOT/scripts:$TMP/bin" run --separate-stderr algo-sweep -s "$S" --grid fast=5 "$DATA"
	[ "$status" -eq 69 ]
	[[ "$stderr" == *"is not GNU parallel"* ]]
}

@test "sweep: algo-variants grid lists the cartesian product, first axis slowest" {
	run algo-variants grid --grid 'a=1..2' --grid 'b=0.1..0.3:0.1' --grid 'c=-1'
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'a=1\tb=0.1\tc=-1\na=1\tb=0.2\tc=-1\na=1\tb=0.3\tc=-1\na=2\tb=0.1\tc=-1\na=2\tb=0.2\tc=-1\na=2\tb=0.3\tc=-1')" ]
	run --separate-stderr algo-variants grid
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"no grid: give --grid NAME=VALUES or --grid-file FILE"* ]]
	run --separate-stderr algo-variants frobnicate
	[ "$status" -eq 2 ]
	run --separate-stderr algo-variants table --variants "$TMP/none"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"table needs --variants FILE and --results DIR"* ]]
	printf 'a=1\nb=2\n' > "$TMP/v.tsv"
	run --separate-stderr algo-variants table --variants "$TMP/v.tsv" --results "$TMP"
	[ "$status" -eq 65 ]
	[ "$stderr" = "algo-variants: $TMP/v.tsv:2: the parameters differ from the first line's" ]
}
