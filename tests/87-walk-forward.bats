#!/usr/bin/env bats
# Walk-forward (algo-sweep --walk-forward IN:OUT, algo-variants windows and walk): the
# windows tile the data without overlap, each window's variant is the best of its
# in-sample sweep, the stitched out-of-sample result is the chosen variants' own
# backtests on their windows chained onto one capital, a re-run resumes, and bad
# specs and short data are clear errors.
load test_helper
bats_require_minimum_version 1.5.0

S=$ROOT/examples/strategies/ema-cross-params.json
DATA=$ROOT/examples/data/NSE_DEMO-EQ_1m.csv
GRID=(--grid 'fast=5,9' --grid 'slow=20,30')

setup() { common_setup; unset ALGO_STATE; }

next_day() { date -u -d "$1 + 1 day" +%F; }

# check_windows SESSIONS WINDOWS IN_SESSIONS OUT_SESSIONS: the out-of-sample windows
# follow each other with no gap and no overlap from the first session after the first
# in-sample window to the last session; each in-sample window ends where its
# out-of-sample one starts; the sessions add up (IN_/OUT_SESSIONS: the lengths in
# sessions for D specs, or - to skip that check).
check_windows() {
	local sessions=$1 windows=$2 in=$3 out=$4
	# (called in an || list, where set -e does not stop a function: each check returns)
	[ -s "$windows" ] || return 1
	awk -F'\t' -v in_n="$in" -v out_n="$out" '
		NR == FNR { day[++n] = $1; next }
		{
			k++
			if ($1 != k) { print "window " k ": numbered " $1; bad = 1 }
			if ($3 != $5) { print "window " k ": in-sample ends " $3 ", out-of-sample starts " $5; bad = 1 }
			if (!($2 < $3) || !($5 < $6)) { print "window " k ": empty range"; bad = 1 }
			if (k > 1 && $5 != prev_to) { print "window " k ": starts " $5 ", the previous ended " prev_to; bad = 1 }
			if (k == 1) first_oos = $5
			prev_to = $6; last_oos = $7; sum += $9
			if (in_n != "-" && $8 != in_n) { print "window " k ": " $8 " in-sample sessions"; bad = 1 }
			if (out_n != "-" && $9 > out_n) { print "window " k ": " $9 " out-of-sample sessions"; bad = 1 }
			# the parts hold only sessions of the data, counted right
			c1 = c2 = 0
			for (i = 1; i <= n; i++) { if (day[i] >= $2 && day[i] < $3) c1++; if (day[i] >= $5 && day[i] < $6) c2++ }
			if (c1 != $8 || c2 != $9) { print "window " k ": session counts " $8 "/" $9 " but the data has " c1 "/" c2; bad = 1 }
		}
		END {
			after = 0
			for (i = 1; i <= n; i++) if (day[i] >= first_oos) after++
			if (sum != after) { print "out-of-sample sessions " sum ", sessions after the first in-sample window " after; bad = 1 }
			if (last_oos != day[n]) { print "the last window ends " last_oos ", the data " day[n]; bad = 1 }
			if (in_n != "-" && first_oos != day[in_n + 1]) { print "the first out-of-sample day " first_oos; bad = 1 }
			exit bad
		}' "$sessions" "$windows" || return 1
	[ "$(tail -1 "$windows" | cut -f6)" = "$(next_day "$(tail -1 "$sessions")")" ]
}

@test "walk-forward: unit tests of specs, windows and stitching" { run_unit test_walkforward; }

@test "walk-forward: windows do not overlap and cover the range (sessions, weeks, months)" {
	cut -c1-10 "$DATA" | grep '^2' | sort -u > "$TMP/sessions"
	algo-feed csv --no-progress "$DATA" > "$TMP/events"
	for spec in 3D:1D:3:1 2D:3D:2:3 5D:2D:5:2 1D:1D:1:1 1W:1W:-:- 4D:1W:4:- 1W:2D:-:2; do
		IFS=: read -r in out in_n out_n <<<"$spec"
		algo-variants windows --walk-forward "$in:$out" < "$TMP/events" > "$TMP/w"
		check_windows "$TMP/sessions" "$TMP/w" "$in_n" "$out_n" || { echo "spec $in:$out"; cat "$TMP/w"; false; }
	done
	# 3D:1D over the 8 sessions: five windows of one session each
	algo-variants windows --walk-forward 3D:1D < "$TMP/events" > "$TMP/w"
	[ "$(cut -f5 "$TMP/w" | tr '\n' ' ')" = "2023-06-08 2023-06-09 2023-06-12 2023-06-13 2023-06-14 " ]
	# months over four months of generated bars (weekdays from 2023-01-02)
	"$ROOT/scripts/gen-bars" 31000 7 > "$TMP/bars.csv"
	cut -c1-10 "$TMP/bars.csv" | grep '^2' | sort -u > "$TMP/sessions"
	algo-feed csv --no-progress --symbol NSE:X-EQ "$TMP/bars.csv" > "$TMP/events"
	for spec in 2M:1M 1M:1W 1M:2D 6W:1M; do
		algo-variants windows --walk-forward "$spec" < "$TMP/events" > "$TMP/w"
		check_windows "$TMP/sessions" "$TMP/w" - - || { echo "spec $spec"; cat "$TMP/w"; false; }
	done
	algo-variants windows --walk-forward 2M:1M < "$TMP/events" > "$TMP/w"
	[ "$(cut -f2,5 "$TMP/w" | head -2)" = "$(printf '2023-01-02\t2023-03-02\n2023-02-02\t2023-04-02')" ]
}

@test "walk-forward: the stitched out-of-sample result is the chosen variants run on their windows" {
	run --separate-stderr algo-sweep -s "$S" "${GRID[@]}" --walk-forward 3D:1D -j 2 --dir "$TMP/wf" --format ndjson "$DATA"
	echo "$stderr"
	[ "$status" -eq 0 ]
	echo "$output" > "$TMP/out.nd"
	[ "$(grep -c '"type":"walk_window"' "$TMP/out.nd")" -eq 5 ]
	capital=$(tail -1 "$TMP/out.nd" | jq -r .capital)
	eq=$capital
	for k in 1 2 3 4 5; do
		w=$(jq -c "select(.type == \"walk_window\" and .window == $k)" "$TMP/out.nd")
		from=$(jq -r .oos_from <<<"$w") to=$(jq -r .oos_to <<<"$w")
		params=$(jq -r '.params | to_entries | map("--param \(.key)=\(.value)") | join(" ")' <<<"$w")
		# shellcheck disable=SC2086
		algo-backtest -s "$S" $params --feed "--from $from --to $to" --format json "$DATA" > "$TMP/oos-$k.json"
		cmp "$TMP/oos-$k.json" "$TMP/wf/oos-$k.json"
		[ "$(jq .net_pnl "$TMP/oos-$k.json")" = "$(jq .oos.net_pnl <<<"$w")" ]
		# the window's stitched days are its own run's days, chained onto the capital
		jq -r '.daily[] | "\(.day) \(.pnl)"' "$TMP/oos-$k.json" > "$TMP/own"
		jq -r "select(.type == \"walk_day\" and .window == $k) | \"\(.day) \(.pnl)\"" "$TMP/out.nd" > "$TMP/stitched"
		diff "$TMP/own" "$TMP/stitched"
		eq=$(awk -v e="$eq" '{ e += $2 } END { printf "%.4f", e }' "$TMP/own")
		[ "$(jq -r "select(.type == \"walk_day\" and .window == $k) | .equity" "$TMP/out.nd" | tail -1 | awk '{ printf "%.4f", $1 }')" = "$eq" ]
		awk -v a="$(jq .oos_equity <<<"$w")" -v b="$eq" 'BEGIN { exit !(a - b < 1e-6 && b - a < 1e-6) }'
	done
	summary=$(tail -1 "$TMP/out.nd")
	jq -e '.type == "walk_summary" and .walk_forward == "3D:1D" and .windows == 5 and .ranked_by == "sharpe"
		and .oos_sessions == 5 and .is_returns == 15' <<<"$summary"
	awk -v a="$(jq .oos_net_pnl <<<"$summary")" -v b="$eq" -v c="$capital" 'BEGIN { d = a - (b - c); exit !(d < 1e-6 && d > -1e-6) }'
	# window 2's variant is the rank-1 of a sweep of its in-sample window alone
	w=$(jq -c 'select(.type == "walk_window" and .window == 2)' "$TMP/out.nd")
	algo-sweep -s "$S" "${GRID[@]}" --feed "--from $(jq -r .is_from <<<"$w") --to $(jq -r .is_to <<<"$w")" \
		--format csv "$DATA" > "$TMP/is2.csv"
	[ "$(awk -F, 'NR == 2 { print "{\"fast\":" $2 ",\"slow\":" $3 "}" }' "$TMP/is2.csv")" = "$(jq -c .params <<<"$w")" ]
	[ "$(jq .variants <<<"$w")" -eq 4 ]
}

@test "walk-forward: the table, csv, and a re-run that resumes without running anything" {
	run --separate-stderr algo-sweep -s "$S" "${GRID[@]}" --walk-forward 2D:3D --dir "$TMP/wf" "$DATA"
	echo "$stderr"
	[ "$status" -eq 0 ]
	echo "$output" > "$TMP/table"
	head -1 "$TMP/table" | grep -Eq '^window +in-sample +out-of-sample +fast +slow +is_sharpe +oos_sharpe +is_net_pnl +oos_net_pnl +oos_equity$'
	grep -Eq '^ +1  2023-06-05\.\.2023-06-06  2023-06-07\.\.2023-06-09 ' "$TMP/table"
	grep -Eq '^ +2  2023-06-08\.\.2023-06-09  2023-06-12\.\.2023-06-14 ' "$TMP/table"
	grep -q '^Walk-forward 2D:3D: 2 windows; on each in-sample window the best of 4 variants by sharpe$' "$TMP/table"
	grep -q '^Out of sample, stitched: 2023-06-07 to 2023-06-14, 6 sessions: net pnl ' "$TMP/table"
	grep -q '^In sample, the chosen variants on their own windows (4 daily returns pooled):$' "$TMP/table"
	grep -q '^Walk-forward efficiency' "$TMP/table"
	# csv: one row per window; the chosen parameters
	run --separate-stderr algo-sweep -s "$S" "${GRID[@]}" --walk-forward 2D:3D --dir "$TMP/wf" --format csv "$DATA"
	[ "$status" -eq 0 ]
	[ "$(head -1 <<<"$output")" = "window,is_from,is_to,oos_from,oos_to,is_sessions,oos_sessions,fast,slow,variants,is_rank_value,oos_rank_value,is_net_pnl,oos_net_pnl,is_sharpe,oos_sharpe,oos_equity" ]
	[ "$(tail -n +2 <<<"$output" | cut -d, -f1-7)" = "$(printf '1,2023-06-05,2023-06-07,2023-06-07,2023-06-12,2,3\n2,2023-06-08,2023-06-12,2023-06-12,2023-06-15,2,3')" ]
	# a re-run with the same directory runs no backtest and prints the same table
	mkdir -p "$TMP/wrap"
	printf '#!/bin/sh\necho "$*" >> "%s"\nexec "%s" "$@"\n' "$TMP/calls" "$BUILD/shim/algo-backtest" > "$TMP/wrap/algo-backtest"
	chmod +x "$TMP/wrap/algo-backtest"
	PATH="$TMP/wrap:$PATH" run --separate-stderr algo-sweep -s "$S" "${GRID[@]}" --walk-forward 2D:3D --dir "$TMP/wf" "$DATA"
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$TMP/table")" ]
	[ ! -e "$TMP/calls" ]
	# an out-of-sample report lost is run again, alone
	rm "$TMP/wf/oos-2.json"
	PATH="$TMP/wrap:$PATH" run --separate-stderr algo-sweep -s "$S" "${GRID[@]}" --walk-forward 2D:3D --dir "$TMP/wf" "$DATA"
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$TMP/table")" ]
	[ "$(wc -l < "$TMP/calls")" -eq 1 ]
	grep -q -- '--from 2023-06-12 --to 2023-06-15' "$TMP/calls"
}

@test "walk-forward: bad specs, short data and a directory of another run are clear errors" {
	for bad in 6M 6M: :1M 0D:1D 3d:1d 3Y:1M 3D:1D:1D 1.5M:1M; do
		run --separate-stderr algo-sweep -s "$S" "${GRID[@]}" --walk-forward "$bad" "$DATA"
		[ "$status" -eq 2 ] || { echo "$bad: $status $stderr"; false; }
		[[ "$stderr" == *"--walk-forward: '$bad' is not IN:OUT, two lengths such as 6M:1M or 3D:1D (D sessions, W weeks, M months"* ]]
		[ -z "$output" ]
	done
	run --separate-stderr algo-sweep -s "$S" "${GRID[@]}" --walk-forward 8D:1D --dir "$TMP/w1" "$DATA"
	[ "$status" -eq 65 ]
	[[ "$stderr" == *"--walk-forward: the data has 8 sessions, none left after the first in-sample window; give more data or a shorter in-sample length"* ]]
	[ ! -e "$TMP/w1/is-1" ]
	run --separate-stderr algo-sweep -s "$S" "${GRID[@]}" --walk-forward 3D:1D --heatmap "$TMP/h.html" "$DATA"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"--heatmap and --walk-forward do not go together"* ]]
	run --separate-stderr algo-sweep -s "$S" --grid fats=5 --walk-forward 3D:1D --dir "$TMP/w2" "$DATA"
	[ "$status" -eq 78 ]
	[[ "$stderr" == *"no parameter 'fats' (did you mean 'fast'?)"* ]]
	algo-sweep -s "$S" --grid fast=5 --grid slow=20 --walk-forward 6D:1D --dir "$TMP/w3" "$DATA" > /dev/null
	run --separate-stderr algo-sweep -s "$S" --grid fast=5 --grid slow=20 --walk-forward 5D:1D --dir "$TMP/w3" "$DATA"
	[ "$status" -eq 73 ]
	[[ "$stderr" == *"$TMP/w3 holds another walk-forward"* ]]
	run --separate-stderr algo-variants walk --dir "$TMP/w3"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"walk needs --walk-forward IN:OUT and --dir DIR"* ]]
	printf '{"type":"bar","ts":"yesterday"}\n' > "$TMP/bad.ndjson"
	run --separate-stderr algo-variants windows --walk-forward 1D:1D < "$TMP/bad.ndjson"
	[ "$status" -eq 65 ]
	[[ "$stderr" == *"stdin:1: 'ts' is not an RFC 3339 time"* ]]
}
