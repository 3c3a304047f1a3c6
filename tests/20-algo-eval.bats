#!/usr/bin/env bats
# algo-eval: strategies, expressions, indicators (against TA-Lib and backtrader), the
# stage rules (pass-through, bad input), --check and --print.
load test_helper
bats_require_minimum_version 1.5.0

EV=$FIX/eval

# These tests run algo-eval many times on the same input: no restart state unless a
# test asks for it with --state (tests/22-eval-restart.bats is about state).
setup() { common_setup; unset ALGO_STATE; }

# bars SYMBOL [TF] < lines "YYYY-MM-DD HH:MM CLOSE [HIGH LOW]" -> bar events (o = c)
bars() {
	awk -v sym="$1" -v tf="${2:-1m}" '{
		h = ($4 == "") ? $3 : $4; l = ($5 == "") ? $3 : $5
		printf "{\"type\":\"bar\",\"ts\":\"%sT%s:00+05:30\",\"symbol\":\"%s\",\"tf\":\"%s\",\"o\":%s,\"h\":%s,\"l\":%s,\"c\":%s,\"v\":100}\n", $1, $2, sym, tf, $3, h, l, $3
	}'
}

# The signals of a run, each reduced to "HH:MM action side qty ref [sl tp] | reason".
signals() {
	python3 -c '
import json, sys
for line in sys.stdin:
    e = json.loads(line)
    if e["type"] != "signal":
        continue
    extra = "".join(" %s=%s" % (k, e[k]) for k in ("sl", "tp") if k in e)
    print("%s %s %s %s %s %s%s | %s" % (e["ts"][11:16], e["symbol"], e["action"], e["side"],
                                       e["qty"], e["ref"], extra, e["reason"]))
'
}

sample_bars() {
	[ -s "$BATS_FILE_TMPDIR/sample.ndjson" ] ||
		algo-feed csv --no-progress --symbol NSE:TEST-EQ "$FIX/sample_3k.csv" > "$BATS_FILE_TMPDIR/sample.ndjson"
	cat "$BATS_FILE_TMPDIR/sample.ndjson"
}

@test "eval: unit tests of the expression parser and programs" { run_unit test_expr; }
@test "eval: unit tests of the indicators" { run_unit test_indicators; }
@test "eval: unit tests of the strategy parameters" { run_unit test_params; }

@test "eval: --print SMA/EMA/RSI matches TA-Lib on every row, empty exactly where TA-Lib is" {
	sample_bars | algo-eval --print "SMA(close,20)" --print "EMA(9)" --print "EMA(close,21)" \
		--print "RSI(14)" > "$TMP/ours.csv"
	[ "$(wc -l < "$TMP/ours.csv")" -eq 3001 ]
	run python3 "$ROOT/tests/compare-talib.py" "$TMP/ours.csv" "$FIX/sample_3k_talib.csv" \
		"SMA(close,20)=sma_20" "EMA(9)=ema_9" "EMA(close,21)=ema_21" "RSI(14)=rsi_14"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == "12000 values compared, 0 mismatches" ]]
}

@test "eval: --print ATR, TRANGE and MACD's three outputs match TA-Lib" {
	sample_bars | algo-eval --print "ATR(14)" --print TRANGE --print "MACD(12,26,9)" \
		--print "MACD(close,12,26,9).signal" --print "macd(12,26,9).HIST" > "$TMP/ours.csv"
	run python3 "$ROOT/tests/compare-talib.py" "$TMP/ours.csv" "$FIX/sample_3k_talib.csv" \
		"ATR(14)=atr_14" "TRANGE=trange" "MACD(12,26,9)=macd_12_26_9" \
		"MACD(close,12,26,9).signal=macd_signal_12_26_9" "macd(12,26,9).HIST=macd_hist_12_26_9"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "eval: the comparison script notices a wrong value and a wrong empty cell" {
	printf 'ts,x\n2023-06-05T09:15:00+05:30,1\n' > "$TMP/a.csv"
	printf 'timestamp,y\n2023-06-05T09:15:00+05:30,\n' > "$TMP/b.csv"
	run python3 "$ROOT/tests/compare-talib.py" "$TMP/a.csv" "$TMP/b.csv" x=y
	[ "$status" -eq 1 ]
	printf 'timestamp,y\n2023-06-05T09:15:00+05:30,1.000001\n' > "$TMP/b.csv"
	run python3 "$ROOT/tests/compare-talib.py" "$TMP/a.csv" "$TMP/b.csv" x=y
	[ "$status" -eq 1 ]
}

@test "eval: --print writes a quoted CSV header, empty cells, 1/0 for conditions, skips other events" {
	run --separate-stderr algo-eval --print "SMA(close, 2)" --print 'close > close[1]' --print 'close "x"' < "$EV/bars-small.ndjson"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"--print 'close \"x\"': col 7: unexpected character '\"'"* ]]
	run --separate-stderr algo-eval --print "SMA(close, 2)" --print 'close > close[1]' --print 'time' --format csv < "$EV/bars-small.ndjson"
	[ "$status" -eq 0 ]
	[ "$output" = 'ts,symbol,"SMA(close, 2)",close > close[1],time
2024-03-01T09:15:00+05:30,NSE:A-EQ,,,555
2024-03-01T09:16:00+05:30,NSE:A-EQ,100,1,556
2024-03-01T09:17:00+05:30,NSE:A-EQ,100,0,557' ]
	run algo-eval --print close --format json < /dev/null
	[ "$status" -eq 2 ]
}

@test "eval: EMA 9/21 crossover signals are one bar before every backtrader entry and exit" {
	sample_bars | algo-eval -s "$ROOT/examples/strategies/ema-cross.json" > "$TMP/out"
	run python3 "$ROOT/tests/eval-trades.py" "$TMP/out" "$FIX/sample_3k_ema_trades.csv"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == "74 trades from signals, 74 expected, 0 problems" ]]
	# every input line passes through unchanged and in order
	grep -v '"type":"signal"' "$TMP/out" | cmp - <(sample_bars)
	# the first signal, byte for byte
	[ "$(grep -m1 '"type":"signal"' "$TMP/out")" = '{"type":"signal","ts":"2023-06-05T10:26:00+05:30","strategy":"ema-cross","symbol":"NSE:TEST-EQ","action":"entry","side":"buy","qty":1,"ref":608.3,"reason":"EMA(close,9) crosses_above EMA(close,21)"}' ]
	# a signal comes right after its bar
	[ "$(grep -B1 -m1 '"type":"signal"' "$TMP/out" | head -1 | cut -c1-50)" = '{"type":"bar","ts":"2023-06-05T10:26:00+05:30","sy' ]
}

@test "eval: the crossover as two blueprint rules gives the same signals" {
	sample_bars | algo-eval -s "$ROOT/examples/strategies/ema-cross-rules.json" > "$TMP/rules"
	run python3 "$ROOT/tests/eval-trades.py" "$TMP/rules" "$FIX/sample_3k_ema_trades.csv"
	echo "$output"
	[ "$status" -eq 0 ]
	sample_bars | algo-eval -s "$ROOT/examples/strategies/ema-cross.json" > "$TMP/plain"
	diff <(grep signal "$TMP/plain" | sed 's/,"reason".*//') <(grep signal "$TMP/rules" | sed 's/,"reason".*//')
	[[ "$(grep -m1 signal "$TMP/rules")" == *'"reason":"EMA(9) CROSS_ABOVE EMA(21)"}' ]]
}

@test "eval: a blueprint rule alone, and a bare array of rules, load unchanged" {
	cat > "$TMP/one.json" <<-'EOF'
	{"name": "one-rule", "conditions": ["close > 100", {"left": "close", "op": ">", "right": 100.5}], "operator": "OR", "action": "BUY"}
	EOF
	printf '2024-03-01 09:15 99\n2024-03-01 09:16 101\n' | bars NSE:A-EQ > "$TMP/in"
	run --separate-stderr algo-eval -s "$TMP/one.json" < "$TMP/in"
	[ "$status" -eq 0 ]
	[ "$(signals <<<"$output")" = "09:16 NSE:A-EQ entry buy 1 101 | close > 100" ]
	[[ "$output" == *'"strategy":"one-rule"'* ]]
	cat > "$TMP/my-rules.json" <<-'EOF'
	[{"name": "b", "conditions": ["close > 100"], "operator": "and", "action": "buy"},
	 {"name": "s", "conditions": ["close < 100"], "action": "Sell"}]
	EOF
	printf '2024-03-01 09:15 99\n2024-03-01 09:16 101\n2024-03-01 09:17 99\n' | bars NSE:A-EQ > "$TMP/in"
	run --separate-stderr algo-eval -s "$TMP/my-rules.json" < "$TMP/in"
	[ "$status" -eq 0 ]
	[ "$(signals <<<"$output")" = "09:16 NSE:A-EQ entry buy 1 101 | close > 100
09:17 NSE:A-EQ exit sell 1 99 | close < 100" ]
	[[ "$output" == *'"strategy":"my-rules"'* ]]
}

@test "eval: SELL enters short only with allow_short; BUY then closes the short" {
	cat > "$TMP/s.json" <<-'EOF'
	{"name": "ls", "qty": 3, "allow_short": true, "exit": {"stop_loss": {"pct": 5}},
	 "rules": [{"conditions": ["close crosses_above 100"], "action": "BUY"},
	           {"conditions": ["close crosses_below 100"], "action": "SELL"}]}
	EOF
	printf '2024-03-01 09:15 101\n2024-03-01 09:16 99\n2024-03-01 09:17 101\n2024-03-01 09:18 102\n2024-03-01 09:19 99\n' |
		bars NSE:A-EQ > "$TMP/in"
	run --separate-stderr algo-eval -s "$TMP/s.json" < "$TMP/in"
	[ "$status" -eq 0 ]
	[ "$(signals <<<"$output")" = "09:16 NSE:A-EQ entry sell 3 99 sl=103.95 | close crosses_below 100
09:17 NSE:A-EQ exit buy 3 101 | close crosses_above 100
09:19 NSE:A-EQ entry sell 3 99 sl=103.95 | close crosses_below 100" ]
	sed 's/"allow_short": true, //' "$TMP/s.json" > "$TMP/l.json"
	run --separate-stderr algo-eval -s "$TMP/l.json" < "$TMP/in"
	[ "$(signals <<<"$output")" = "09:17 NSE:A-EQ entry buy 3 101 sl=95.95 | close crosses_above 100
09:19 NSE:A-EQ exit sell 3 99 | close crosses_below 100" ]
}

@test "eval: short entries and exits with entry/exit conditions" {
	cat > "$TMP/s.json" <<-'EOF'
	{"name": "shorty", "qty": 2, "entry": {"short": "close < 100"}, "exit": {"short": "close > 100", "target": {"points": 2.5}}}
	EOF
	printf '2024-03-01 09:15 99\n2024-03-01 09:16 99\n2024-03-01 09:17 101\n' | bars NSE:A-EQ > "$TMP/in"
	run --separate-stderr algo-eval -s "$TMP/s.json" < "$TMP/in"
	[ "$status" -eq 0 ]
	[ "$(signals <<<"$output")" = "09:15 NSE:A-EQ entry sell 2 99 tp=96.5 | close < 100
09:17 NSE:A-EQ exit buy 2 101 | close > 100" ]
}

@test "eval: window limits entries (from inclusive, to exclusive), not exits" {
	cat > "$TMP/s.json" <<-'EOF'
	{"name": "win", "qty": 5, "entry": {"long": "close > 100"}, "exit": {"long": "close < 100"},
	 "window": {"from": "09:20", "to": "09:30"}}
	EOF
	printf '2024-03-01 %s\n' '09:18 101' '09:20 101' '09:21 99' '09:29 101' '09:31 99' '09:32 99' '09:33 101' |
		bars NSE:A-EQ > "$TMP/in"
	printf '2024-03-01 09:30 101\n' | bars NSE:B-EQ >> "$TMP/in"
	run --separate-stderr algo-eval -s "$TMP/s.json" < "$TMP/in"
	[ "$status" -eq 0 ]
	[ "$(signals <<<"$output")" = "09:20 NSE:A-EQ entry buy 5 101 | close > 100
09:21 NSE:A-EQ exit sell 5 99 | close < 100
09:29 NSE:A-EQ entry buy 5 101 | close > 100
09:31 NSE:A-EQ exit sell 5 99 | close < 100" ]
}

@test "eval: exit.at squares off on the first bar at or after it, also on a later day, and stops entries" {
	cat > "$TMP/s.json" <<-'EOF'
	{"name": "sq", "entry": {"long": "close > 100"}, "exit": {"at": "09:25"}}
	EOF
	printf '%s\n' '2024-03-01 09:20 101' '2024-03-01 09:24 101' '2024-03-04 09:15 101' '2024-03-04 09:16 101' \
		'2024-03-04 09:27 101' '2024-03-04 09:28 101' | bars NSE:A-EQ > "$TMP/in"
	run --separate-stderr algo-eval -s "$TMP/s.json" < "$TMP/in"
	[ "$status" -eq 0 ]
	[ "$(signals <<<"$output")" = "09:20 NSE:A-EQ entry buy 1 101 | close > 100
09:15 NSE:A-EQ exit sell 1 101 | exit.at 09:25
09:16 NSE:A-EQ entry buy 1 101 | close > 100
09:27 NSE:A-EQ exit sell 1 101 | exit.at 09:25" ]
}

@test "eval: max_entries_per_day counts entries per symbol and IST day" {
	cat > "$TMP/s.json" <<-'EOF'
	{"name": "cap", "entry": {"long": "close > 100"}, "exit": {"long": "close < 100"}, "max_entries_per_day": 2}
	EOF
	printf '%s\n' '2024-03-01 09:20 101' '2024-03-01 09:21 99' '2024-03-01 09:22 101' '2024-03-01 09:23 99' \
		'2024-03-01 09:24 101' '2024-03-04 09:15 101' | bars NSE:A-EQ > "$TMP/in"
	run --separate-stderr algo-eval -s "$TMP/s.json" < "$TMP/in"
	[ "$status" -eq 0 ]
	[ "$(signals <<<"$output" | grep -c entry)" -eq 3 ]
	[ "$(signals <<<"$output" | tail -1)" = "09:15 NSE:A-EQ entry buy 1 101 | close > 100" ]
}

@test "eval: stop_loss/target attach absolute sl/tp; a touch on a later bar makes the strategy flat" {
	cat > "$TMP/s.json" <<-'EOF'
	{"name": "st", "qty": 10, "entry": {"long": "close > 100"}, "exit": {"stop_loss": {"pct": 1.0}, "target": {"points": 2.5}}}
	EOF
	# entry bar's own low is below the stop (it does not count); 09:17 touches the stop
	printf '%s\n' '2024-03-01 09:15 752.85 753 700' '2024-03-01 09:16 753 753 753' '2024-03-01 09:17 750 750 745' |
		bars NSE:A-EQ > "$TMP/in"
	run --separate-stderr algo-eval -s "$TMP/s.json" < "$TMP/in"
	[ "$status" -eq 0 ]
	[ "$(signals <<<"$output")" = "09:15 NSE:A-EQ entry buy 10 752.85 sl=745.3215 tp=755.35 | close > 100
09:17 NSE:A-EQ entry buy 10 750 sl=742.5 tp=752.5 | close > 100" ]
	[[ "$output" == *'"reason":"close > 100","sl":745.3215,"tp":755.35}'* ]]
}

@test "eval: stops given as expressions, and a trailing stop that exits" {
	cat > "$TMP/s.json" <<-'EOF'
	{"name": "tr", "entry": {"long": "close > 100"}, "max_entries_per_day": 1,
	 "exit": {"stop_loss": "TRANGE * 2", "trailing_stop": {"pct": 1}}}
	EOF
	# TRANGE at 09:16 = 1.5 -> sl 100.5 - 3; the high of 110 at 09:17 puts the trailing stop at 108.9
	printf '%s\n' '2024-03-01 09:15 99.5 101 99' '2024-03-01 09:16 100.5 101 100.5' '2024-03-01 09:17 109 110 108.95' \
		'2024-03-01 09:18 108.95 109 108.95' '2024-03-01 09:19 108.85 109 108.85' | bars NSE:A-EQ > "$TMP/in"
	run --separate-stderr algo-eval -s "$TMP/s.json" < "$TMP/in"
	[ "$status" -eq 0 ]
	[ "$(signals <<<"$output")" = "09:16 NSE:A-EQ entry buy 1 100.5 sl=97.5 | close > 100
09:19 NSE:A-EQ exit sell 1 108.85 | trailing_stop 1%" ]
}

@test "eval: each symbol has its own state; a symbols list limits what is evaluated" {
	cat > "$TMP/all.json" <<-'EOF'
	{"name": "x", "entry": {"long": "close crosses_above 100"}}
	EOF
	printf '%s\n' '2024-03-01 09:15 99' '2024-03-01 09:16 101' | bars NSE:A-EQ > "$TMP/a"
	printf '%s\n' '2024-03-01 09:15 101' '2024-03-01 09:16 99' '2024-03-01 09:17 102' | bars NSE:B-EQ > "$TMP/b"
	sort -t'"' -k8,8 -s "$TMP/a" "$TMP/b" > "$TMP/in"
	run --separate-stderr algo-eval -s "$TMP/all.json" < "$TMP/in"
	[ "$status" -eq 0 ]
	[ "$(signals <<<"$output")" = "09:16 NSE:A-EQ entry buy 1 101 | close crosses_above 100
09:17 NSE:B-EQ entry buy 1 102 | close crosses_above 100" ]
	sed 's/"name": "x",/"name": "x", "symbols": ["NSE:B-EQ"],/' "$TMP/all.json" > "$TMP/b.json"
	run --separate-stderr algo-eval -s "$TMP/b.json" < "$TMP/in"
	[ "$(signals <<<"$output")" = "09:17 NSE:B-EQ entry buy 1 102 | close crosses_above 100" ]
	[ "$(grep -c '"type":"bar"' <<<"$output")" -eq 5 ]
}

@test "eval: a symbol takes one input timeframe; bars of another are ignored with one note" {
	cat > "$TMP/s.json" <<-'EOF'
	{"name": "five", "timeframe": "5m", "entry": {"long": "close > 100"}}
	EOF
	printf '%s\n' '2024-03-01 09:15 101' | bars NSE:A-EQ 5m > "$TMP/in"
	printf '%s\n' '2024-03-01 09:20 101' '2024-03-01 09:21 101' | bars NSE:A-EQ 1m >> "$TMP/in"
	run --separate-stderr algo-eval -s "$TMP/s.json" < "$TMP/in"
	[ "$status" -eq 0 ]
	[ "$stderr" = "algo-eval: five: ignoring 1m bars of NSE:A-EQ: the strategy's timeframe is 5m and it takes only one input timeframe per symbol" ]
	[ "$(signals <<<"$output")" = "09:15 NSE:A-EQ entry buy 1 101 | close > 100" ]
	[ "$(grep -c '"type":"bar"' <<<"$output")" -eq 3 ]
}

@test "eval: groups all/any/not nest; the reason names what fired" {
	cat > "$TMP/s.json" <<-'EOF'
	{"name": "g", "entry": {"long": {"all": ["close > 100", {"any": ["close > 200", {"not": "close > 150"}]}]}},
	 "exit": {"long": {"any": ["close > 300", {"left": "close", "op": "<", "right": "SMA(close, 2)"}]}}}
	EOF
	printf '%s\n' '2024-03-01 09:15 160' '2024-03-01 09:16 120' '2024-03-01 09:17 110' | bars NSE:A-EQ > "$TMP/in"
	run --separate-stderr algo-eval -s "$TMP/s.json" < "$TMP/in"
	[ "$status" -eq 0 ]
	[ "$(signals <<<"$output")" = "09:16 NSE:A-EQ entry buy 1 120 | close > 100 and (close > 200 or not (close > 150))
09:17 NSE:A-EQ exit sell 1 110 | close < SMA(close, 2)" ]
}

@test "eval: no signal while an operand is warming up, even under not" {
	cat > "$TMP/s.json" <<-'EOF'
	{"name": "w", "entry": {"long": {"not": "close > SMA(close, 3)"}}}
	EOF
	printf '%s\n' '2024-03-01 09:15 90' '2024-03-01 09:16 80' '2024-03-01 09:17 70' | bars NSE:A-EQ > "$TMP/in"
	run --separate-stderr algo-eval -s "$TMP/s.json" < "$TMP/in"
	[ "$(signals <<<"$output")" = "09:17 NSE:A-EQ entry buy 1 70 | not (close > SMA(close, 3))" ]
}

@test "eval: every example strategy passes --check and the strategy schema" {
	run algo-eval --check "$ROOT"/examples/strategies/*.json
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ "$(ls "$ROOT"/examples/strategies/*.json | wc -l)" -ge 3 ]
	run python3 -c '
import json, sys, jsonschema
v = jsonschema.Draft202012Validator(json.load(open(sys.argv[1])))
bad = 0
for f in sys.argv[2:]:
    d = json.load(open(f))
    c = d.get("_comment") if isinstance(d, dict) else d[0].get("_comment")
    if not isinstance(c, str) or not c:
        print(f, "has no _comment"); bad += 1
    for e in v.iter_errors(d):
        print(f, e.message); bad += 1
sys.exit(1 if bad else 0)' "$ROOT/schemas/strategy.json" "$ROOT"/examples/strategies/*.json
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "eval: --check reports every problem with its JSON path and exits 78" {
	cd "$EV"
	run --separate-stderr algo-eval --check bad-many.json
	[ "$status" -eq 78 ]
	[ -z "$output" ]
	for want in \
		"algo-eval: bad-many.json: \$: unknown key 'symbol' (did you mean 'symbols'?)" \
		"algo-eval: bad-many.json: \$.name: must be 1 to 48 letters, digits, '_', '.' or '-'" \
		"algo-eval: bad-many.json: \$.timeframe: must be a timeframe such as \"1m\", \"5m\", \"1h\" or \"1d\"" \
		"algo-eval: bad-many.json: \$.qty: must be a positive integer" \
		"algo-eval: bad-many.json: \$.max_entries_per_day: must be a positive integer" \
		"algo-eval: bad-many.json: \$.window: 'from' must be before 'to': the window can never open" \
		"algo-eval: bad-many.json: \$.exit.at: must be a time \"HH:MM\" (00:00 to 23:59)" \
		"algo-eval: bad-many.json: \$.exit.stop_loss.pct: must be a positive number" \
		"algo-eval: bad-many.json: \$.entry.long.all[1]: col 1: unknown indicator 'EMAA' (did you mean 'EMA'?)" \
		"algo-eval: bad-many.json: \$.entry.short: col 13: EMA: period must be an integer from 1 to 100000, got 0" \
		"algo-eval: bad-many.json: \$.exit.long: a condition must compare or cross values (e.g. 'RSI(14) < 30'), not just compute a number"
	do
		grep -qxF -- "$want" <<<"$stderr" || { echo "missing: $want"; echo "$stderr"; false; }
	done
	[ "$(wc -l <<<"$stderr")" -eq 11 ]
}

@test "eval: --check on blueprint rules: operator, op, action, keys, outputs, empty groups" {
	cd "$EV"
	run --separate-stderr algo-eval --check bad-rules.json
	[ "$status" -eq 78 ]
	[ "$stderr" = "algo-eval: bad-rules.json: \$.rules[0].operator: must be \"AND\" or \"OR\"
algo-eval: bad-rules.json: \$.rules[0].conditions[0].op: must be one of == != < > <= >= CROSS_ABOVE CROSS_BELOW
algo-eval: bad-rules.json: \$.rules[1].action: must be \"BUY\" or \"SELL\"
algo-eval: bad-rules.json: \$.rules[1].conditions: must be a non-empty array of conditions
algo-eval: bad-rules.json: \$.rules[2]: unknown key 'condition' (did you mean 'conditions'?)
algo-eval: bad-rules.json: \$.rules[2]: missing 'conditions'
algo-eval: bad-rules.json: \$.rules[3].conditions[0].left: col 15: unknown output 'signl' of MACD (did you mean 'signal'?)
algo-eval: bad-rules.json: \$.rules[3].conditions[1].all: must be a non-empty array of conditions" ]
}

@test "eval: --check: invalid JSON, missing file, several files, structural mistakes" {
	cd "$EV"
	run --separate-stderr algo-eval --check bad-json.json
	[ "$status" -eq 78 ]
	[ "$stderr" = "algo-eval: bad-json.json:3: col 12: invalid JSON: string or '}' expected near ','" ]
	run --separate-stderr algo-eval --check no-such.json
	[ "$status" -eq 66 ]
	[ "$stderr" = "algo-eval: no-such.json: No such file or directory" ]
	run --separate-stderr algo-eval --check "$ROOT/examples/strategies/ema-cross.json" bad-json.json bad-rules.json
	[ "$status" -eq 78 ]
	[ "$(grep -c bad-json.json <<<"$stderr")" -eq 1 ]
	[ "$(grep -c bad-rules.json <<<"$stderr")" -eq 8 ]
	check() {   # check JSON EXPECTED-STDERR-LINE
		printf '%s\n' "$1" > "$TMP/t.json"
		run --separate-stderr algo-eval --check "$TMP/t.json"
		[ "$status" -eq 78 ] || { echo "exit $status for $1"; false; }
		[ "$stderr" = "algo-eval: $TMP/t.json: $2" ] || { echo "got: $stderr"; echo "want: $2"; false; }
	}
	check '{"name": "x"}' "\$: missing 'entry' (or blueprint 'rules')"
	check '{"entry": {"long": "close > 1"}, "entyr": 1}' "\$: unknown key 'entyr' (did you mean 'entry'?)"
	check '{"entry": {"long": "close > 1", "shrot": "close < 1"}}' "\$.entry: unknown key 'shrot' (did you mean 'short'?)"
	check '{"entry": {"long": 5}}' "\$.entry.long: a condition is an expression string, {\"left\", \"op\", \"right\"}, or a group {\"all\"|\"any\"|\"not\": …}"
	check '{"entry": {"long": {"all": ["close > 1"], "any": ["close > 1"]}}}' "\$.entry.long: a group has exactly one of 'all', 'any', 'not'"
	check '{"entry": {"long": {"left": "close", "op": ">"}}}' "\$.entry.long: a condition object needs 'left', 'op' and 'right' (or is a group: 'all', 'any', 'not')"
	check '{"entry": {"long": {"left": "close > 1", "op": "crosses_above", "right": 2}}}' "\$.entry.long: col 1: 'crosses_above' needs a number on both sides, not a condition"
	check '{"entry": {"long": "close > 1"}, "sizing": {"capital_pct": 10}}' "\$.sizing: capital_pct and risk_pct need a capital: add \"capital\": AMOUNT to the file or give --capital AMOUNT"
	check '{"entry": {"long": "close > 1"}, "capital": 1000, "sizing": {"risk_pct": 1}}' "\$.sizing: risk_pct needs a stop distance: \"stop\" here, or exit.stop_loss"
	check '{"entry": {"long": "close > 1"}, "capital": 1000, "sizing": {"capital_pct": 0}}' "\$.sizing.capital_pct: must be a number above 0 and at most 100"
	check '{"entry": {"long": "close > 1"}, "capital": 1000, "sizing": {"capital_pct": 5, "risk_pct": 1}}' "\$.sizing: give exactly one of 'qty', 'capital_pct' and 'risk_pct'"
	check '{"entry": {"long": "close > 1"}, "capital": 1000, "sizing": {"capital_pct": 5, "stop": 3}}' "\$.sizing.stop: goes only with 'risk_pct'"
	check '{"entry": {"long": "close > 1"}, "capital": 1000, "sizing": {"risk_pct": 1, "stop": "ATRR(14)"}}' "\$.sizing.stop: col 1: unknown indicator 'ATRR' (did you mean 'ATR'?)"
	check '{"entry": {"long": "close > 1"}, "qty": 2, "sizing": {"qty": 3}}' "\$.sizing: give either \"qty\" or \"sizing\", not both"
	check '{"entry": {"long": "close > 1"}, "capital": -5}' "\$.capital: must be a positive amount of rupees"
	check '{"entry": {"long": "close > 1"}, "window": {"from": "16:00", "to": "17:00"}}' "\$.window: the window can never open: it is outside the session 09:15-15:30"
	check '{"entry": {"long": "close > 1"}, "window": {"from": "08:00", "to": "09:15"}}' "\$.window: the window can never open: it is outside the session 09:15-15:30"
	check '{"entry": {"long": "close > 1"}, "window": {"from": "10:00", "to": "12:00"}, "exit": {"at": "09:30"}}' "\$.exit.at: 09:30 is not after window.from 10:00: the window can never open"
	check '{"entry": {"long": "close > 1"}, "exit": {"at": "09:00"}}' "\$.exit.at: 09:00 is not after the session open 09:15: no entry could ever be made"
	check '{"entry": {"long": "MACD(12,26,9).signl > 0"}}' "\$.entry.long: col 15: unknown output 'signl' of MACD (did you mean 'signal'?)"
	check '{"entry": {"long": "MACD(12,26,9).up > 0"}}' "\$.entry.long: col 15: unknown output 'up' of MACD (outputs: macd, signal, hist)"
	check '{"entry": {"long": "EMA(close, -3) > 0"}}' "\$.entry.long: col 12: EMA: period must be an integer from 1 to 100000, got -3"
	check '{"entry": {"long": "RSI(close, 14, 3) > 0"}}' "\$.entry.long: col 1: RSI takes 1 parameter: RSI([source], period), got 3 arguments"
	check '{"entry": {"long": "positon > 0"}}' "\$.entry.long: col 1: unknown name 'positon' (did you mean 'position'?)"
	check '{"entry": {"long": "close > 1"}, "qty": "10"}' "\$.qty: must be a positive integer"
	check '{"entry": {"long": "close > 1"}, "product": "cnc"}' "\$.product: must be \"intraday\", \"delivery\" or \"margin\""
	check '{"entry": {"long": "close > 1"}, "symbols": ["NSE:A-EQ", "NSE:A-EQ"]}' "\$.symbols[1]: duplicate symbol 'NSE:A-EQ'"
	check '{"entry": {"long": "close > 1"}, "exit": {"target": {"pct": 1, "points": 2}}}' "\$.exit.target: give exactly one of 'pct' and 'points'"
	check '{"entry": {"long": "close > 1"}, "exit": {"trailing_stop": "close > 1"}}' "\$.exit.trailing_stop: must compute a distance, not a condition"
	check '{"entry": {"long": "close > 1"}, "rules": [{"conditions": ["close > 1"], "action": "BUY"}]}' "\$.entry: use either entry/exit conditions or blueprint rules, not both"
	check '{"entry": {"long": "close > 1"}, "_comment": 3}' "\$: '_comment' must be a string"
	check '[{"conditions": ["close > 1"], "action": "SELL"}]' "\$: no rule can open a position (add a BUY rule)"
	printf '{"a": 1, "a": 2}\n' > "$TMP/t.json"
	run --separate-stderr algo-eval --check "$TMP/t.json"
	[ "$status" -eq 78 ]
	[ "$stderr" = "algo-eval: $TMP/t.json:1: col 12: invalid JSON: duplicate object key near '\"a\"'" ]
	printf '"close > 1"\n' > "$TMP/t.json"
	run --separate-stderr algo-eval --check "$TMP/t.json"
	[ "$status" -eq 78 ]
	[[ "$stderr" == "algo-eval: $TMP/t.json:1: col "*"invalid JSON: '[' or '{' expected"* ]]
}

@test "eval: a bad strategy with -s exits 78 (66 when missing) before reading any input" {
	run --separate-stderr algo-eval -s "$EV/bad-rules.json" < "$EV/bars-small.ndjson"
	[ "$status" -eq 78 ]
	[ -z "$output" ]
	[ "$(wc -l <<<"$stderr")" -eq 8 ]
	run --separate-stderr algo-eval -s "$TMP/none.json" < "$EV/bars-small.ndjson"
	[ "$status" -eq 66 ]
	[ -z "$output" ]
}

@test "eval: usage errors exit 2" {
	run algo-eval
	[ "$status" -eq 2 ]
	run algo-eval --check
	[ "$status" -eq 2 ]
	run algo-eval -s "$ROOT/examples/strategies/ema-cross.json" extra.ndjson
	[ "$status" -eq 2 ]
	run algo-eval -s "$ROOT/examples/strategies/ema-cross.json" --print close
	[ "$status" -eq 2 ]
	run --separate-stderr algo-eval --print 'EMAA(9)'
	[ "$status" -eq 2 ]
	[ "$stderr" = "algo-eval: --print 'EMAA(9)': col 1: unknown indicator 'EMAA' (did you mean 'EMA'?)" ]
}

@test "eval: other events pass through byte for byte; a last line without newline is read" {
	run --separate-stderr algo-eval -s "$ROOT/examples/strategies/ema-cross.json" < "$EV/bars-small.ndjson"
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$EV/bars-small.ndjson")" ]
	printf '%s' "$(head -2 "$EV/bars-small.ndjson")" > "$TMP/in"
	run --separate-stderr algo-eval -s "$ROOT/examples/strategies/ema-cross.json" < "$TMP/in"
	[ "$status" -eq 0 ]
	[ "$(wc -l <<<"$output")" -eq 2 ]
}

@test "eval: bad input stops with exit 65 naming stdin:line, after flushing what came before" {
	bad() {   # bad LINE EXPECTED-MESSAGE-PART
		{ head -2 "$EV/bars-small.ndjson"; printf '%s\n' "$1"; tail -1 "$EV/bars-small.ndjson"; } > "$TMP/in"
		run --separate-stderr algo-eval -s "$ROOT/examples/strategies/ema-cross.json" < "$TMP/in"
		[ "$status" -eq 65 ] || { echo "exit $status for $1"; false; }
		[[ "$stderr" == "algo-eval: stdin:3: "*"$2"* ]] || { echo "stderr: $stderr"; false; }
		[ "$output" = "$(head -2 "$EV/bars-small.ndjson")" ]
	}
	bad '{"type":"bar","ts":"2024-03-01T09:16:00+05:30",' "JSON"
	bad 'not json' "JSON"
	bad '{"type":"bar","ts":"2024-03-01T09:16:00+05:30","symbol":"NSE:A-EQ","tf":"1m","o":1,"h":1,"l":1,"v":1}' "'c'"
	bad '{"type":"bar","ts":"2024-03-01T09:16:00+05:30","symbol":"NSE:A-EQ","tf":"1m","o":1,"h":1,"l":1,"c":"NaN","v":1}' "'c'"
	bad '{"type":"bar","ts":"2024-03-01T09:16:00+05:30","symbol":"NSE:A-EQ","tf":"1m","o":1,"h":1,"l":1,"c":1e300,"v":1}' "'c'"
	bad '{"type":"bar","ts":"2024-03-01T09:16:00+05:30","symbol":"NSE:A-EQ","tf":"1m","o":1,"h":1,"l":1,"c":1,"v":-5}' "'v'"
	bad '{"type":"bar","ts":"2024-03-01T09:16:00+05:30","symbol":"NSE:A-EQ","tf":"1m","o":1,"h":1,"l":2,"c":1,"v":1}' "'l'"
	bad '{"type":"bar","ts":"yesterday","symbol":"NSE:A-EQ","tf":"1m","o":1,"h":1,"l":1,"c":1,"v":1}' "'ts'"
	bad '{"type":"bar","ts":"2024-03-01T09:14:00+05:30","symbol":"NSE:A-EQ","tf":"1m","o":1,"h":1,"l":1,"c":1,"v":1}' \
		"field 'ts': 2024-03-01T09:14:00+05:30 is not after the previous bar of NSE:A-EQ (2024-03-01T09:15:00+05:30)"
	bad '{"type":"bar","ts":"2024-03-01T09:15:00+05:30","symbol":"NSE:A-EQ","tf":"1m","o":1,"h":1,"l":1,"c":1,"v":1}' \
		"is not after the previous bar"
}

@test "eval: --skip-bad warns, skips and counts bad lines, and goes on" {
	{ head -2 "$EV/bars-small.ndjson"; echo 'garbage'
	  echo '{"type":"bar","ts":"2024-03-01T09:10:00+05:30","symbol":"NSE:A-EQ","tf":"1m","o":1,"h":1,"l":1,"c":1,"v":1}'
	  tail -3 "$EV/bars-small.ndjson"; } > "$TMP/in"
	run --separate-stderr algo-eval --skip-bad -s "$ROOT/examples/strategies/ema-cross.json" < "$TMP/in"
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$EV/bars-small.ndjson")" ]
	[[ "$stderr" == *"stdin:3: "* ]]
	[[ "$stderr" == *"stdin:4: field 'ts'"* ]]
	[ "$(tail -1 <<<"$stderr")" = "algo-eval: skipped 2 bad lines" ]
}

@test "eval: a 1 MB line is bad input (exit 65, or skipped with --skip-bad)" {
	{ head -2 "$EV/bars-small.ndjson"
	  python3 -c 'print("{\"type\":\"x\",\"ts\":\"2024-03-01T09:15:00+05:30\",\"pad\":\"" + "a" * 1048576 + "\"}")'
	  tail -1 "$EV/bars-small.ndjson"; } > "$TMP/in"
	run --separate-stderr algo-eval -s "$ROOT/examples/strategies/ema-cross.json" < "$TMP/in"
	[ "$status" -eq 65 ]
	[ "$stderr" = "algo-eval: stdin:3: line longer than 65536 bytes" ]
	run --separate-stderr algo-eval --skip-bad -s "$ROOT/examples/strategies/ema-cross.json" < "$TMP/in"
	[ "$status" -eq 0 ]
	[ "$(wc -l <<<"$output")" -eq 3 ]
	[[ "$stderr" == *"skipped 1 bad line" ]]
}

@test "eval: a truncated last line is malformed JSON (exit 65)" {
	{ head -2 "$EV/bars-small.ndjson"; printf '{"type":"bar","ts":"2024-03-01T09:16:00+05:30","sym'; } > "$TMP/in"
	run --separate-stderr algo-eval -s "$ROOT/examples/strategies/ema-cross.json" < "$TMP/in"
	[ "$status" -eq 65 ]
	[[ "$stderr" == "algo-eval: stdin:3: "* ]]
}

@test "eval: --print has the same bad-input rules" {
	printf '%s\n' 'nope' | run --separate-stderr algo-eval --print close
	run --separate-stderr bash -c "printf 'nope\n' | algo-eval --print close"
	[ "$status" -eq 65 ]
	[[ "$stderr" == "algo-eval: stdin:1: "* ]]
	[ "$output" = "ts,symbol,close" ]
}

# ---- resampling ---------------------------------------------------------------------

# minutes FROM TO CLOSE0 -> "2024-03-01 HH:MM CLOSE" lines, one a minute, close +1 each
minutes() {
	python3 -c '
import sys
day, a, b, c = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
h, m = map(int, a.split(":")); eh, em = map(int, b.split(":"))
t, e = h * 60 + m, eh * 60 + em
while t <= e:
    print("%s %02d:%02d %g" % (day, t // 60, t % 60, c)); t += 1; c += 1
' "$@"
}

@test "eval: 1m bars resample to 15m aligned to 09:15; the 09:29 bar completes the 09:15 bar" {
	cat > "$TMP/s.json" <<-'EOF'
	{"name": "r15", "timeframe": "15m",
	 "entry": {"long": "open == 100 and high == 114 and low == 100 and volume == 1500 and time == 09:15"},
	 "exit": {"long": "open == 115 and close == 129"}}
	EOF
	minutes 2024-03-01 09:15 09:44 100 | bars NSE:A-EQ 1m > "$TMP/in"
	run --separate-stderr algo-eval -s "$TMP/s.json" < "$TMP/in"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(signals <<<"$output")" = "09:15 NSE:A-EQ entry buy 1 114 | open == 100 and high == 114 and low == 100 and volume == 1500 and time == 09:15
09:30 NSE:A-EQ exit sell 1 129 | open == 115 and close == 129" ]
	# each signal comes right after the 1m bar that completed its 15m bar
	[[ "$(sed -n 15p <<<"$output")" == *'"ts":"2024-03-01T09:29:00+05:30"'* ]]
	[[ "$(sed -n 16p <<<"$output")" == *'"type":"signal","ts":"2024-03-01T09:15:00+05:30"'* ]]
	[[ "$(sed -n 31p <<<"$output")" == *'"ts":"2024-03-01T09:44:00+05:30"'* ]]
	[[ "$(sed -n 32p <<<"$output")" == *'"type":"signal","ts":"2024-03-01T09:30:00+05:30"'* ]]
	[ "$(wc -l <<<"$output")" -eq 32 ]
}

@test "eval: a resampled bar also completes when a bar of a later bucket or a new day arrives" {
	cat > "$TMP/s.json" <<-'EOF'
	{"name": "r15", "timeframe": "15m", "entry": {"long": "close > 0"}, "exit": {"long": "close > 0"}}
	EOF
	{ minutes 2024-03-01 09:15 09:20 100; minutes 2024-03-01 09:31 09:31 200
	  minutes 2024-03-01 15:15 15:20 300; minutes 2024-03-04 09:15 09:15 400; } | bars NSE:A-EQ 1m > "$TMP/in"
	run --separate-stderr algo-eval -s "$TMP/s.json" < "$TMP/in"
	[ "$status" -eq 0 ]
	[ "$(signals <<<"$output")" = "09:15 NSE:A-EQ entry buy 1 105 | close > 0
09:30 NSE:A-EQ exit sell 1 200 | close > 0
15:15 NSE:A-EQ entry buy 1 305 | close > 0" ]
	# 09:15 completes when the 09:31 bar arrives, 09:30 when 15:15 arrives, 15:15 on the new day
	[[ "$(sed -n 8p <<<"$output")" == *'"type":"signal","ts":"2024-03-01T09:15:00+05:30"'* ]]
	[[ "$(sed -n 7p <<<"$output")" == *'"ts":"2024-03-01T09:31:00+05:30"'* ]]
	[[ "$(tail -1 <<<"$output")" == *'"type":"signal","ts":"2024-03-01T15:15:00+05:30"'* ]]
}

@test "eval: 1h bars align to 09:15; the last bucket of the day is short and the 15:29 bar completes it" {
	cat > "$TMP/s.json" <<-'EOF'
	{"name": "r1h", "timeframe": "1h", "entry": {"long": "time == 15:15 and open == 100 and close == 114"}}
	EOF
	minutes 2024-03-01 15:15 15:29 100 | bars NSE:A-EQ 1m > "$TMP/in"
	run --separate-stderr algo-eval -s "$TMP/s.json" < "$TMP/in"
	[ "$status" -eq 0 ]
	[ "$(signals <<<"$output")" = "15:15 NSE:A-EQ entry buy 1 114 | time == 15:15 and open == 100 and close == 114" ]
	[[ "$(tail -1 <<<"$output")" == *'"type":"signal"'* ]]
	# 5m input into 15m: three bars make one
	cat > "$TMP/f.json" <<-'EOF'
	{"name": "r15", "timeframe": "15m", "entry": {"long": "volume == 300 and close == 102"}}
	EOF
	printf '%s\n' '2024-03-01 09:15 100' '2024-03-01 09:20 101' '2024-03-01 09:25 102' | bars NSE:A-EQ 5m > "$TMP/in5"
	run --separate-stderr algo-eval -s "$TMP/f.json" < "$TMP/in5"
	[ "$(signals <<<"$output")" = "09:15 NSE:A-EQ entry buy 1 102 | volume == 300 and close == 102" ]
}

@test "eval: a strategy timeframe smaller than the input's, or not a multiple of it, is a config error (78)" {
	cat > "$TMP/s.json" <<-'EOF'
	{"name": "one", "timeframe": "1m", "entry": {"long": "close > 0"}}
	EOF
	printf '%s\n' '2024-03-01 09:15 100' | bars NSE:A-EQ 5m > "$TMP/in"
	run --separate-stderr algo-eval -s "$TMP/s.json" < "$TMP/in"
	[ "$status" -eq 78 ]
	[ "$stderr" = "algo-eval: stdin:1: one: input bars of NSE:A-EQ are 5m, larger than the strategy's timeframe 1m (bars can be combined into larger ones, not split)" ]
	[ -z "$output" ]
	cat > "$TMP/s.json" <<-'EOF'
	{"name": "seven", "timeframe": "7m", "entry": {"long": "close > 0"}}
	EOF
	run --separate-stderr algo-eval -s "$TMP/s.json" < "$TMP/in"
	[ "$status" -eq 78 ]
	[[ "$stderr" == *"seven: cannot resample 5m bars of NSE:A-EQ to 7m"* ]]
}

# ---- sizing -----------------------------------------------------------------------------

@test "eval: sizing by capital_pct and risk_pct; --capital overrides the file's capital" {
	printf '%s\n' '2024-03-01 09:15 250' '2024-03-01 09:16 251' | bars NSE:A-EQ > "$TMP/in"
	cat > "$TMP/c.json" <<-'EOF'
	{"name": "c", "capital": 100000, "sizing": {"capital_pct": 10}, "entry": {"long": "close == 250"}}
	EOF
	run --separate-stderr algo-eval -s "$TMP/c.json" < "$TMP/in"
	[ "$(signals <<<"$output")" = "09:15 NSE:A-EQ entry buy 40 250 | close == 250" ]
	run --separate-stderr algo-eval --capital 50000 -s "$TMP/c.json" < "$TMP/in"
	[ "$(signals <<<"$output")" = "09:15 NSE:A-EQ entry buy 20 250 | close == 250" ]
	cat > "$TMP/r.json" <<-'EOF'
	{"name": "r", "sizing": {"risk_pct": 1, "stop": "close / 100"}, "entry": {"long": "close == 250"}}
	EOF
	run --separate-stderr algo-eval -s "$TMP/r.json" < "$TMP/in"
	[ "$status" -eq 78 ]
	[[ "$stderr" == *'$.sizing: capital_pct and risk_pct need a capital'* ]]
	run --separate-stderr algo-eval --check "$TMP/r.json"
	[ "$status" -eq 78 ]
	run --separate-stderr algo-eval --check --capital 100000 "$TMP/r.json"
	[ "$status" -eq 0 ]
	run --separate-stderr algo-eval --capital 100000 -s "$TMP/r.json" < "$TMP/in"
	[ "$status" -eq 0 ]
	[ "$(signals <<<"$output")" = "09:15 NSE:A-EQ entry buy 400 250 | close == 250" ]
	cat > "$TMP/s.json" <<-'EOF'
	{"name": "s", "capital": 100000, "sizing": {"risk_pct": 2}, "exit": {"stop_loss": {"points": 3}},
	 "entry": {"long": "close == 250"}}
	EOF
	run --separate-stderr algo-eval -s "$TMP/s.json" < "$TMP/in"
	[ "$(signals <<<"$output")" = "09:15 NSE:A-EQ entry buy 666 250 sl=247 | close == 250" ]
	run --separate-stderr algo-eval --capital abc -s "$TMP/s.json" < "$TMP/in"
	[ "$status" -eq 2 ]
}

@test "eval: an entry sized to 0 shares makes no signal and one note on stderr" {
	printf '%s\n' '2024-03-01 09:15 250' '2024-03-01 09:16 250' '2024-03-01 09:17 250' | bars NSE:A-EQ > "$TMP/in"
	cat > "$TMP/c.json" <<-'EOF'
	{"name": "tiny", "capital": 1000, "sizing": {"capital_pct": 10}, "entry": {"long": "close == 250"}}
	EOF
	run --separate-stderr algo-eval -s "$TMP/c.json" < "$TMP/in"
	[ "$status" -eq 0 ]
	[ -z "$(signals <<<"$output")" ]
	[ "$stderr" = "algo-eval: tiny: NSE:A-EQ: entry at 2024-03-01T09:15:00+05:30 skipped: capital_pct sizes it to 0 shares (capital 1000, too little for one share); further such entries are skipped silently" ]
}

# ---- state keywords ------------------------------------------------------------------------

@test "eval: state keywords position, entry_price, bars_since_entry, entries_today" {
	cat > "$TMP/s.json" <<-'EOF'
	{"name": "kw", "qty": 3,
	 "entry": {"long": {"all": ["position == 0", "entries_today < 2", "close > 0"]}},
	 "exit": {"long": {"any": ["bars_since_entry >= 2", "close < entry_price - 5"]}}}
	EOF
	{ printf '%s\n' '2024-03-01 09:15 100' '2024-03-01 09:16 101' '2024-03-01 09:17 102' '2024-03-01 09:18 103' \
	    '2024-03-01 09:19 90' '2024-03-01 09:20 104' '2024-03-01 09:21 105' '2024-03-04 09:15 106'; } | bars NSE:A-EQ > "$TMP/in"
	run --separate-stderr algo-eval -s "$TMP/s.json" < "$TMP/in"
	[ "$status" -eq 0 ]
	[ "$(signals <<<"$output")" = "09:15 NSE:A-EQ entry buy 3 100 | position == 0 and entries_today < 2 and close > 0
09:17 NSE:A-EQ exit sell 3 102 | bars_since_entry >= 2
09:18 NSE:A-EQ entry buy 3 103 | position == 0 and entries_today < 2 and close > 0
09:19 NSE:A-EQ exit sell 3 90 | close < entry_price - 5
09:15 NSE:A-EQ entry buy 3 106 | position == 0 and entries_today < 2 and close > 0" ]
	# position is signed: a short holds -qty
	cat > "$TMP/p.json" <<-'EOF'
	{"name": "pos", "qty": 4, "allow_short": true, "entry": {"short": "close > 0"},
	 "exit": {"short": "position == -4 and bars_since_entry == 1 and entry_price == 100"}}
	EOF
	run --separate-stderr algo-eval -s "$TMP/p.json" < "$TMP/in"
	[ "$(signals <<<"$output" | head -2)" = "09:15 NSE:A-EQ entry sell 4 100 | close > 0
09:16 NSE:A-EQ exit buy 4 101 | position == -4 and bars_since_entry == 1 and entry_price == 100" ]
	# --print: never in a position
	run --separate-stderr algo-eval --print "position" --print "entry_price" < "$TMP/in"
	[ "$status" -eq 0 ]
	[ "$(sed -n 2p <<<"$output")" = "2024-03-01T09:15:00+05:30,NSE:A-EQ,0," ]
}

# ---- several strategies ----------------------------------------------------------------------

@test "eval: several strategies: signals in file order, then symbol" {
	cat > "$TMP/b.json" <<-'EOF'
	{"name": "bbb", "entry": {"long": "close > 0"}}
	EOF
	cat > "$TMP/a.json" <<-'EOF'
	{"name": "aaa", "entry": {"long": "close > 0"}}
	EOF
	cat > "$TMP/r.json" <<-'EOF'
	{"name": "r15", "timeframe": "15m", "entry": {"long": "close > 0"}}
	EOF
	{ printf '%s\n' '2024-03-01 09:15 100' | bars NSE:Z-EQ; printf '%s\n' '2024-03-01 09:15 100' | bars NSE:Y-EQ
	  printf '%s\n' '2024-03-04 09:15 100' | bars NSE:X-EQ; } > "$TMP/in"
	run --separate-stderr algo-eval -s "$TMP/b.json" -s "$TMP/a.json" -s "$TMP/r.json" < "$TMP/in"
	[ "$status" -eq 0 ]
	[ "$(python3 -c '
import json, sys
for l in sys.stdin:
    e = json.loads(l)
    print(e["type"], e.get("strategy", "-"), e["symbol"])' <<<"$output")" = "bar - NSE:Z-EQ
signal bbb NSE:Z-EQ
signal aaa NSE:Z-EQ
bar - NSE:Y-EQ
signal bbb NSE:Y-EQ
signal aaa NSE:Y-EQ
bar - NSE:X-EQ
signal bbb NSE:X-EQ
signal aaa NSE:X-EQ
signal r15 NSE:Y-EQ
signal r15 NSE:Z-EQ" ]
	run --separate-stderr algo-eval -s "$TMP/a.json" -s "$TMP/a.json" < "$TMP/in"
	[ "$status" -eq 78 ]
	[[ "$stderr" == *"two strategies are named 'aaa'"* ]]
}

# ---- examples --------------------------------------------------------------------------------

@test "eval: every example strategy passes --check and signals on sample_3k" {
	n=0
	for f in "$ROOT"/examples/strategies/*.json; do
		n=$((n + 1))
		run --separate-stderr algo-eval --check "$f"
		[ "$status" -eq 0 ] || { echo "$f: $stderr"; false; }
		python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d=d[0] if isinstance(d,list) else d; assert isinstance(d.get("_comment"), str) and "\n" not in d["_comment"]' "$f"
		sym=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); s=d.get("symbols") if isinstance(d,dict) else None; print((s if isinstance(s,str) else s[0]) if s else "NSE:TEST-EQ")' "$f")
		algo-feed csv --no-progress --symbol "$sym" "$FIX/sample_3k.csv" | algo-eval -s "$f" > "$TMP/out"
		k=$(grep -c '"type":"signal"' "$TMP/out" || true)
		echo "$(basename "$f"): $k signals"
		[ "$k" -ge 1 ]
	done
	[ "$n" -ge 8 ]
}

# ---- parameters ("params", --param) ---------------------------------------------------------

# The signals of a run without the strategy name, parameter names replaced by values.
plain_signals() { grep '"type":"signal"' | sed -e 's/"strategy":"[^"]*",//' "$@"; }

@test "eval: params: the defaults give the literal strategy's signals, --param another variant's" {
	sample_bars > "$TMP/in"
	algo-eval -s "$ROOT/examples/strategies/ema-cross.json" < "$TMP/in" | plain_signals > "$TMP/lit"
	algo-eval -s "$ROOT/examples/strategies/ema-cross-params.json" < "$TMP/in" |
		plain_signals -e 's/,fast)/,9)/g' -e 's/,slow)/,21)/g' > "$TMP/par"
	[ "$(wc -l < "$TMP/lit")" -ge 20 ]
	cmp "$TMP/lit" "$TMP/par"
	sed -e 's/,9)/,5)/g' -e 's/,21)/,13)/g' "$ROOT/examples/strategies/ema-cross.json" > "$TMP/lit513.json"
	algo-eval -s "$TMP/lit513.json" < "$TMP/in" | plain_signals > "$TMP/lit"
	algo-eval -s "$ROOT/examples/strategies/ema-cross-params.json" --param fast=5 -P SLOW=13 < "$TMP/in" |
		plain_signals -e 's/,fast)/,5)/g' -e 's/,slow)/,13)/g' > "$TMP/par"
	! cmp -s "$TMP/lit" <(algo-eval -s "$ROOT/examples/strategies/ema-cross.json" < "$TMP/in" | plain_signals)
	cmp "$TMP/lit" "$TMP/par"
}

@test "eval: params stand for numbers in qty, stops, look-backs, arithmetic and blueprint rules" {
	cat > "$TMP/p.json" <<'JSON'
{"name": "p", "params": {"n": 2, "lots": 3, "sl": 2, "tp": 4, "lag": 1, "k": 1},
 "qty": "lots", "max_entries_per_day": "k",
 "entry": {"long": "SMA(close, n * 1) crosses_above SMA(close, n + 1) and close > close[lag]"},
 "exit": {"stop_loss": {"points": "sl"}, "target": {"pct": "tp / 2"}}}
JSON
	cat > "$TMP/l.json" <<'JSON'
{"name": "p", "qty": 3, "max_entries_per_day": 1,
 "entry": {"long": "SMA(close, 2) crosses_above SMA(close, 3) and close > close[1]"},
 "exit": {"stop_loss": {"points": 2}, "target": {"pct": 2}}}
JSON
	sample_bars > "$TMP/in"
	algo-eval -s "$TMP/l.json" < "$TMP/in" | plain_signals -e 's/"reason":"[^"]*"//' > "$TMP/lit"
	algo-eval -s "$TMP/p.json" < "$TMP/in" | plain_signals -e 's/"reason":"[^"]*"//' > "$TMP/par"
	[ "$(wc -l < "$TMP/lit")" -ge 3 ]
	cmp "$TMP/lit" "$TMP/par"
	grep -q '"qty":3' "$TMP/par"
	# a constant stop is reported with its value
	algo-eval -s "$TMP/p.json" --param sl=1.5 < "$TMP/in" | grep -q '"reason":"SMA(close, n \* 1)'
	# the blueprint rule form: left/right strings take parameters
	cat > "$TMP/r.json" <<'JSON'
{"name": "r", "params": {"f": 9, "s": 21},
 "rules": [{"conditions": [{"left": "EMA(f)", "op": "CROSS_ABOVE", "right": "EMA(s)"}], "action": "BUY"},
           {"conditions": [{"left": "EMA(f)", "op": "CROSS_BELOW", "right": "EMA(s)"}], "action": "SELL"}]}
JSON
	algo-eval -s "$ROOT/examples/strategies/ema-cross-rules.json" < "$TMP/in" | plain_signals -e 's/"reason":"[^"]*"//' > "$TMP/lit"
	algo-eval -s "$TMP/r.json" < "$TMP/in" | plain_signals -e 's/"reason":"[^"]*"//' > "$TMP/par"
	[ "$(wc -l < "$TMP/lit")" -ge 20 ]
	cmp "$TMP/lit" "$TMP/par"
}

@test "eval: --check validates params and --param values with the JSON path" {
	f=$ROOT/examples/strategies/ema-cross-params.json
	chk() {   # chk EXPECTED-STDERR ARGS...
		local want=$1; shift
		run --separate-stderr algo-eval --check "$@"
		[ "$status" -eq 78 ] || { echo "status $status: $stderr"; false; }
		grep -qxF -- "$want" <<<"$stderr" || { echo "want: $want"; echo "got:  $stderr"; false; }
	}
	run algo-eval --check --param fast=12 --param slow=30 "$f"
	[ "$status" -eq 0 ] && [ -z "$output" ]
	chk "algo-eval: $f: \$.params: --param fsat=12: no parameter 'fsat' (did you mean 'fast'?)" --param fsat=12 "$f"
	chk "algo-eval: $f: \$.params: --param depth=3: no parameter 'depth' (it has: fast, slow)" --param depth=3 "$f"
	chk "algo-eval: $f: \$.params.fast: --param fast=twelve: 'twelve' is not a number" --param fast=twelve "$f"
	chk "algo-eval: $f: \$.params.fast: --param fast=0x10: '0x10' is not a number" --param fast=0x10 "$f"
	chk "algo-eval: $f: \$.params.slow: --param slow=nan: 'nan' is not a number" --param slow=nan "$f"
	chk "algo-eval: $f: \$.entry.long: col 11: EMA: period must be an integer from 1 to 100000, got 0 (from parameter fast = 0)" --param fast=0 "$f"
	chk "algo-eval: $f: \$.exit.long: col 41: EMA: period must be an integer from 1 to 100000, got 2.5 (from parameter slow = 2.5)" --param slow=2.5 "$f"
	chk "algo-eval: $ROOT/examples/strategies/ema-cross.json: \$.params: --param fast=3: no parameter 'fast' (it declares no \"params\")" --param fast=3 "$ROOT/examples/strategies/ema-cross.json"
	run --separate-stderr algo-eval --check --param fast "$f"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"--param: 'fast' is not NAME=VALUE"* ]]
	in_file() {   # in_file JSON EXPECTED-MESSAGE [ARGS...]
		local json=$1 want=$2; shift 2
		printf '%s\n' "$json" > "$TMP/t.json"
		chk "algo-eval: $TMP/t.json: $want" "$@" "$TMP/t.json"
	}
	in_file '{"params": {"close": 3}, "entry": {"long": "close > 1"}}' "\$.params.close: 'close' is a series name; call the parameter something else"
	in_file '{"params": {"rsi": 3}, "entry": {"long": "close > 1"}}' "\$.params.rsi: 'rsi' is an indicator name; call the parameter something else"
	in_file '{"params": {"position": 3}, "entry": {"long": "close > 1"}}' "\$.params.position: 'position' is a state keyword name; call the parameter something else"
	in_file '{"params": {"and": 3}, "entry": {"long": "close > 1"}}' "\$.params.and: 'and' is an operator name; call the parameter something else"
	in_file '{"params": {"n": "9"}, "entry": {"long": "close > n"}}' "\$.params.n: must be a number (the parameter's default)"
	in_file '{"params": {"n": 9, "N": 3}, "entry": {"long": "close > n"}}' "\$.params.N: 'N' is declared twice (names are case-insensitive)"
	in_file '{"params": {"9n": 9}, "entry": {"long": "close > 1"}}' "\$.params.9n: a parameter name is a letter or '_' then letters, digits or '_' (at most 32)"
	in_file '{"params": [9], "entry": {"long": "close > 1"}}' "\$.params: must be an object of names and numbers, e.g. {\"fast\": 9}"
	in_file '{"params": {"n": 9, "m": 2}, "entry": {"long": "close > n"}}' "\$.params.m: declared but never used in an expression or field"
	in_file '{"params": {"lots": 9}, "qty": "lotz", "entry": {"long": "close > 1"}}' "\$.qty: col 1: unknown name 'lotz' (did you mean 'lots'?)"
	in_file '{"params": {"lots": 9}, "qty": "lots", "entry": {"long": "close > 1"}}' "\$.qty: must be a positive integer, got lots = 1.5" --param lots=1.5
	in_file '{"params": {"lots": 9}, "qty": "close", "entry": {"long": "close > lots"}}' "\$.qty: must be a positive integer"
	in_file '{"params": {"sl": 1}, "entry": {"long": "close > 1"}, "exit": {"stop_loss": {"pct": "sl"}}}' "\$.exit.stop_loss.pct: must be a positive number, got sl = -1" --param sl=-1
	in_file '{"params": {"lag": 1}, "entry": {"long": "close > close[lag]"}}' "\$.entry.long: col 15: look-back must be a whole number of bars from 0 to 10000, got 1.5 (from parameter lag = 1.5)" --param lag=1.5
	in_file '{"params": {"p": 10}, "capital": 1000, "sizing": {"capital_pct": "p"}, "entry": {"long": "close > 1"}}' "\$.sizing.capital_pct: must be a number above 0 and at most 100" --param p=101
}

@test "eval: --param with several strategies goes to those that declare it; none is an error" {
	sample_bars > "$TMP/in"
	sed 's/"ema-cross-params"/"other"/' "$ROOT/examples/strategies/ema-cross-params.json" > "$TMP/o.json"
	run --separate-stderr algo-eval -s "$ROOT/examples/strategies/ema-cross-params.json" \
		-s "$ROOT/examples/strategies/ema-cross.json" --param fast=5 < "$TMP/in"
	[ "$status" -eq 0 ]
	run --separate-stderr algo-eval -s "$ROOT/examples/strategies/ema-cross-params.json" \
		-s "$ROOT/examples/strategies/ema-cross.json" --param fats=5 < "$TMP/in"
	[ "$status" -eq 78 ]
	[ "$stderr" = "algo-eval: --param fats=5: no strategy declares this parameter in its \"params\"" ]
	[ -z "$output" ]
}

@test "eval: --print takes --param definitions" {
	run --separate-stderr algo-eval --print "EMA(close, n)" --print "close[lag]" --param n=2 --param lag=1 < "$EV/bars-small.ndjson"
	[ "$status" -eq 0 ]
	run --separate-stderr algo-eval --print "EMA(close, 2)" --print "close[1]" < "$EV/bars-small.ndjson"
	want=$(tail -n +2 <<<"$output")
	run --separate-stderr algo-eval --print "EMA(close, n)" --print "close[lag]" --param n=2 --param lag=1 < "$EV/bars-small.ndjson"
	[ "$(tail -n +2 <<<"$output")" = "$want" ]
	run --separate-stderr algo-eval --print "EMA(close, n)" --param n=x < "$EV/bars-small.ndjson"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"--param 'n=x': 'x' is not a number"* ]]
}

@test "eval: restart state is keyed by the --param values too: variants never share it" {
	sample_bars > "$TMP/in"
	f=$ROOT/examples/strategies/ema-cross-params.json
	head -1000 "$TMP/in" > "$TMP/a"
	tail -n +1001 "$TMP/in" > "$TMP/b"
	algo-eval -s "$f" --state "$TMP/st.db" < "$TMP/a" > /dev/null
	# the same values as the defaults: the same variant, it resumes
	run --separate-stderr algo-eval -s "$f" --param fast=9 --state "$TMP/st.db" < "$TMP/b"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	# another value: a fresh start (and the saved state is the new variant's afterwards)
	algo-eval -s "$f" --state "$TMP/st2.db" < "$TMP/a" > /dev/null
	run --separate-stderr algo-eval -s "$f" --param fast=5 --state "$TMP/st2.db" < "$TMP/b"
	[ "$status" -eq 0 ]
	[ "$stderr" = "algo-eval: ema-cross-params: the strategy file or its --param values changed since its state was saved in $TMP/st2.db: starting fresh" ]
	fresh=$(algo-eval -s "$f" --param fast=5 < "$TMP/b" | plain_signals)
	[ "$(plain_signals <<<"$output")" = "$fresh" ]
	h1=$(sqlite3 "$TMP/st.db" 'SELECT hash FROM eval_state')
	h2=$(sqlite3 "$TMP/st2.db" 'SELECT hash FROM eval_state')
	[ "$h1" = "$(sha256sum < "$f" | cut -d' ' -f1)" ]
	[ "$h2" = "$( { cat "$f"; printf '\n--param fast=5'; } | sha256sum | cut -d' ' -f1)" ]
}
