#!/usr/bin/env bats
# The run record (issue #15, #14): a backtest's one audit row and its report name the
# strategy, the SHA-256 of its file, the parameters in force and the -P given, and
# each input with its SHA-256, in text, JSON, CSV and HTML.
load test_helper

S=$ROOT/examples/strategies
DATA=$ROOT/examples/data/NSE_DEMO-EQ_1m.csv

sha() { sha256sum "$1" | cut -d' ' -f1; }

@test "run record: the backtest's audit row holds strategy, file hash, params and inputs" {
	algo-backtest -s "$S/ema-cross-params.json" -P fast=5 --state "$TMP/a.db" "$DATA" > /dev/null
	rows=$(sqlite3 "$TMP/a.db" "SELECT count(*) FROM audit WHERE kind = 'backtest'")
	[ "$rows" -eq 1 ]
	sqlite3 "$TMP/a.db" "SELECT detail FROM audit WHERE kind = 'backtest'" > "$TMP/d.json"
	python3 - "$TMP/d.json" "$(sha "$S/ema-cross-params.json")" "$(sha "$DATA")" "$DATA" <<-'EOF'
	import json, sys
	d = json.load(open(sys.argv[1]))
	r = d["run_record"]
	assert r["strategy"] == "ema-cross-params", r
	assert r["strategy_sha256"] == sys.argv[2], r
	assert r["params"] == {"fast": 5, "slow": 21}, r["params"]
	assert r["overrides"] == ["fast=5"], r
	assert r["inputs"] == [{"file": sys.argv[4], "sha256": sys.argv[3]}], r["inputs"]
	assert d["fills"] > 0 and "final_equity" in d, d
	EOF
	# the audit chain still verifies with the record in it
	algo-ledger audit verify --state "$TMP/a.db"
}

@test "run record: every report format prints it" {
	algo-backtest -s "$S/ema-cross-params.json" -P slow=30 --state "$TMP/a.db" "$DATA" > "$TMP/r.txt"
	h=$(sha "$S/ema-cross-params.json")
	grep -qx "Strategy name     ema-cross-params" "$TMP/r.txt"
	grep -qx "Strategy SHA-256  $h" "$TMP/r.txt"
	grep -qx "Parameters        fast=9 slow=30" "$TMP/r.txt"
	grep -qx "Overrides (-P)    slow=30" "$TMP/r.txt"
	grep -qx "Input             $DATA sha256 $(sha "$DATA")" "$TMP/r.txt"
	algo-ledger report --state "$TMP/a.db" --format json |
		python3 -c 'import json,sys; r=json.load(sys.stdin)["run_record"]; assert r["params"]["slow"]==30, r'
	algo-ledger report --state "$TMP/a.db" --format csv > "$TMP/r.csv"
	grep -qx "strategy_sha256,$h" "$TMP/r.csv"
	grep -qx 'parameters,fast=9 slow=30' "$TMP/r.csv"
	algo-ledger report --state "$TMP/a.db" --format html > "$TMP/r.html"
	grep -q '<table id="run-record">' "$TMP/r.html"
	grep -q "<code>$h</code>" "$TMP/r.html"
}

@test "run record: a strategy without params, and a run recorded without one" {
	algo-backtest -s "$S/ema-cross.json" --format json "$DATA" |
		python3 -c 'import json,sys; r=json.load(sys.stdin)["run_record"]; assert r["params"]=={} and r["overrides"]==[], r'
	# algo-ledger alone records no run record: null, and no rows in the text
	algo-feed csv --no-progress "$DATA" | algo-eval -s "$S/ema-cross.json" | algo-exec-paper |
		algo-ledger --backtest --state "$TMP/b.db" > /dev/null
	algo-ledger report --state "$TMP/b.db" --format json |
		python3 -c 'import json,sys; assert json.load(sys.stdin)["run_record"] is None'
	! algo-ledger report --state "$TMP/b.db" | grep -q 'Strategy SHA-256'
}

@test "run record: an input that is a pipe has no hash; bad record options are refused" {
	algo-feed csv --no-progress "$DATA" | algo-eval -s "$S/ema-cross.json" | algo-exec-paper |
		algo-ledger --backtest --state "$TMP/c.db" --run-strategy "$S/ema-cross.json" --run-input - > /dev/null
	algo-ledger report --state "$TMP/c.db" --format json |
		python3 -c 'import json,sys; r=json.load(sys.stdin)["run_record"]; assert r["inputs"]==[{"file":"-","sha256":None}], r'
	run algo-ledger --run-strategy "$S/ema-cross.json" --state "$TMP/d.db" < /dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == *"apply to --backtest recording only"* ]]
	run algo-ledger --backtest --run-param fast=1 --state "$TMP/d.db" < /dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == *"--run-param needs --run-strategy"* ]]
	run algo-ledger --backtest --run-strategy "$S/ema-cross.json" --run-param fast=1 --state "$TMP/e.db" < /dev/null
	[ "$status" -eq 78 ]
	[[ "$output" == *"no parameter 'fast'"* ]]
	run algo-backtest -s "$S/ema-cross-params.json" -P nosuch=1 "$DATA"
	[ "$status" -ne 0 ]
}
