#!/usr/bin/env bats
# The small things a newcomer trips over: gen-bars --help, make without the
# libraries, the charges table's sources, docs without leftover notes.
load test_helper

@test "gen-bars: --help prints usage, bad arguments are usage errors" {
	run --separate-stderr gen-bars --help
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "Usage: gen-bars N [SEED]" ]]
	! [[ "$output" == *timestamp,open* ]]
	for a in "" x "3 -1" "1 2 3"; do
		# shellcheck disable=SC2086
		run --separate-stderr gen-bars $a
		[ "$status" -eq 2 ]
		[[ "$stderr" == gen-bars:*"Try 'gen-bars --help' for more information." ]]
		[ -z "$output" ]
	done
	run gen-bars 2 7
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 3 ] && [ "${lines[0]}" = timestamp,open,high,low,close,volume ]
}

@test "make: without jansson it says to run 'make deps', before any compiler runs" {
	mkdir -p "$TMP/fake"
	cat > "$TMP/fake/pkg-config" <<-'EOF'
	#!/bin/sh
	# a pkg-config that finds everything but jansson
	for a in "$@"; do [ "$a" = jansson ] && [ "$1" = --exists ] && exit 1; done
	exec /usr/bin/pkg-config "$@"
	EOF
	chmod +x "$TMP/fake/pkg-config"
	PATH=$TMP/fake:$PATH run make -C "$ROOT" BUILD="$TMP/b"
	[ "$status" -eq 2 ]
	[[ "$output" == *"missing: jansson"*"run \`make deps\` to install them"* ]]
	[ ! -e "$TMP/b" ]
	# goals that need no library still work
	PATH=$TMP/fake:$PATH run make -C "$ROOT" -n deps
	[ "$status" -eq 0 ]
	[[ "$output" == *scripts/install-deps* ]]
	# and with every library there, nothing is said
	run make -C "$ROOT" -n BUILD="$TMP/b"
	[ "$status" -eq 0 ]
	! [[ "$output" == *"make deps"* ]]
}

@test "charges: share/costs/india.json cites public sources and when they were read" {
	run python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(d["source"]); print(d["_comment"])' \
		"$ROOT/share/costs/india.json"
	[ "$status" -eq 0 ]
	! [[ "$output" == */work/* ]] && ! [[ "$output" == *COSTS-INDIA* ]]
	[[ "$output" == *"NSE's circulars"*nseindia.com* ]]
	[[ "$output" == *"Union Budget 2024"*"Union Budget 2026"* ]]
	[[ "$output" == *"FYERS's charges page (fyers.in)"* ]]
	[[ "$output" == *"read in 2026"* ]]
	! grep -rn 'COSTS-INDIA\|/work/shared' "$ROOT/share" "$ROOT/man" "$ROOT/docs" "$ROOT/README.md"
}

@test "docs: no leftover notes to the writer; TradingView's supertrend sign is said properly" {
	! grep -n "say in the docs" "$ROOT/docs/STRATEGY.md"
	grep -q "TradingView's \`ta.supertrend\` direction has the opposite sign" "$ROOT/docs/STRATEGY.md"
}
