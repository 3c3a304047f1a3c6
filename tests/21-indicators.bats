#!/usr/bin/env bats
# The indicator library through algo-eval --print: every TA-Lib column of the reference
# file, other spellings and defaults, and the session-based indicators (VWAP, PIVOT,
# ORB, Heikin-Ashi) end to end across two IST days. Hand-computed small cases of every
# indicator are in tests/unit/test_indicators.c (run by 20-algo-eval.bats).
load test_helper
bats_require_minimum_version 1.5.0

PAIRS=$FIX/indicators/talib-columns.txt

sample_bars() {
	[ -s "$BATS_FILE_TMPDIR/sample.ndjson" ] ||
		algo-feed csv --no-progress --symbol NSE:TEST-EQ "$FIX/sample_3k.csv" > "$BATS_FILE_TMPDIR/sample.ndjson"
	cat "$BATS_FILE_TMPDIR/sample.ndjson"
}

# print_args FILE: the --print arguments for the expressions of a pairs file
print_args() {
	ARGS=()
	while IFS= read -r line; do
		case $line in ''|'#'*) continue ;; esac
		ARGS+=(--print "${line%=*}")
	done < "$1"
}

# bars < lines "YYYY-MM-DD HH:MM O H L C V" -> bar events
bars() {
	awk '{ printf "{\"type\":\"bar\",\"ts\":\"%sT%s:00+05:30\",\"symbol\":\"NSE:A-EQ\",\"tf\":\"1m\",\"o\":%s,\"h\":%s,\"l\":%s,\"c\":%s,\"v\":%s}\n", $1, $2, $3, $4, $5, $6, $7 }'
}

@test "indicators: every TA-Lib column of sample_3k_talib.csv matches on every row, empty exactly where TA-Lib is" {
	print_args "$PAIRS"
	[ "${#ARGS[@]}" -eq 70 ]
	sample_bars | algo-eval "${ARGS[@]}" > "$TMP/ours.csv"
	[ "$(wc -l < "$TMP/ours.csv")" -eq 3001 ]
	run python3 "$ROOT/tests/compare-talib.py" --all "$TMP/ours.csv" "$FIX/sample_3k_talib.csv" "@$PAIRS"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "105000 values compared, 0 mismatches" ]
}

@test "indicators: aliases, lower case, default outputs and default parameters give the same values" {
	cat > "$TMP/pairs" <<-'EOF'
	HIGHEST(high, 20)=max_high_20
	lowest(low,20)=min_low_20
	STDDEV(close, 20)=stddev_20_1
	stddev(20)=stddev_20_1
	SAR()=sar_0.02_0.2
	SAR(0.02)=sar_0.02_0.2
	STOCH(14,3,3)=stoch_slowk_14_3_3
	AROON(14)=aroon_up_14
	Aroon(14).Down=aroon_down_14
	BBANDS(20,2)=bb_middle_20_2
	bbands(close,20,2).UPPER=bb_upper_20_2
	obv()=obv
	MAX(close,20) - MIN(close,20) + MAX(high, 20) - (MAX(close,20) - MIN(close,20))=max_high_20
	EOF
	print_args "$TMP/pairs"
	sample_bars | algo-eval "${ARGS[@]}" > "$TMP/ours.csv"
	run python3 "$ROOT/tests/compare-talib.py" "$TMP/ours.csv" "$FIX/sample_3k_talib.csv" "@$TMP/pairs"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "39000 values compared, 0 mismatches" ]
}

@test "indicators: the comparison script refuses unknown columns and, with --all, uncompared ones" {
	printf 'ts,x\n2023-06-05T09:15:00+05:30,1\n' > "$TMP/a.csv"
	printf 'timestamp,y,z\n2023-06-05T09:15:00+05:30,1,2\n' > "$TMP/b.csv"
	run python3 "$ROOT/tests/compare-talib.py" "$TMP/a.csv" "$TMP/b.csv" x=y
	[ "$status" -eq 0 ]
	run python3 "$ROOT/tests/compare-talib.py" --all "$TMP/a.csv" "$TMP/b.csv" x=y
	[ "$status" -eq 1 ]
	[ "$output" = "TA-Lib columns not compared: z" ]
	run python3 "$ROOT/tests/compare-talib.py" "$TMP/a.csv" "$TMP/b.csv" x=w
	[ "$status" -eq 1 ]
	[ "$output" = "no column 'w' in $TMP/b.csv" ]
	# MFI's -1e-14 where the truth is 0 is accepted; 1e-8 is not
	printf 'timestamp,y\n2023-06-05T09:15:00+05:30,-1.4210854715202004e-14\n' > "$TMP/b.csv"
	printf 'ts,x\n2023-06-05T09:15:00+05:30,0\n' > "$TMP/a.csv"
	run python3 "$ROOT/tests/compare-talib.py" "$TMP/a.csv" "$TMP/b.csv" x=y
	[ "$status" -eq 0 ]
	printf 'ts,x\n2023-06-05T09:15:00+05:30,1e-8\n' > "$TMP/a.csv"
	run python3 "$ROOT/tests/compare-talib.py" "$TMP/a.csv" "$TMP/b.csv" x=y
	[ "$status" -eq 1 ]
}

# Two IST days. Day 1: typical prices (h+l+c)/3 = 102, 104, 102 with volumes 100, 300,
# 100; high 108, low 96, close 105. Day 2: typical prices 106, 110, volumes 50, 150.
two_days() {
	bars <<-'EOF'
	2024-03-01 09:15 100 105 99 102 100
	2024-03-01 09:16 102 108 100 104 300
	2024-03-01 15:29 104 105 96 105 100
	2024-03-04 09:15 105 110 100 108 50
	2024-03-04 09:16 108 112 107 111 150
	EOF
}

@test "indicators: VWAP restarts every IST day (hlc3 x volume)" {
	# day 1: 102; (10200 + 31200) / 400 = 103.5; (41400 + 10200) / 500 = 103.2
	# day 2: 106; (5300 + 16500) / 200 = 109
	run --separate-stderr algo-eval --print VWAP --print 'vwap()' < <(two_days)
	[ "$status" -eq 0 ]
	[ "$output" = 'ts,symbol,VWAP,vwap()
2024-03-01T09:15:00+05:30,NSE:A-EQ,102,102
2024-03-01T09:16:00+05:30,NSE:A-EQ,103.5,103.5
2024-03-01T15:29:00+05:30,NSE:A-EQ,103.2,103.2
2024-03-04T09:15:00+05:30,NSE:A-EQ,106,106
2024-03-04T09:16:00+05:30,NSE:A-EQ,109,109' ]
}

@test "indicators: PIVOT uses the previous IST day's high, low and close" {
	# day 1: H 108, L 96, C 105: P = 103, R1 = 2P-L = 110, R2 = P+(H-L) = 115,
	# R3 = H+2(P-L) = 122, S1 = 2P-H = 98, S2 = P-(H-L) = 91, S3 = L-2(H-P) = 86,
	# BC = (H+L)/2 = 102, TC = 2P-BC = 104; no value on day 1
	run --separate-stderr algo-eval --print PIVOT --print 'PIVOT().r1' --print PIVOT.r2 --print PIVOT.r3 \
		--print PIVOT.s1 --print PIVOT.s2 --print PIVOT.s3 --print PIVOT.tc --print PIVOT.bc < <(two_days)
	[ "$status" -eq 0 ]
	[ "$output" = 'ts,symbol,PIVOT,PIVOT().r1,PIVOT.r2,PIVOT.r3,PIVOT.s1,PIVOT.s2,PIVOT.s3,PIVOT.tc,PIVOT.bc
2024-03-01T09:15:00+05:30,NSE:A-EQ,,,,,,,,,
2024-03-01T09:16:00+05:30,NSE:A-EQ,,,,,,,,,
2024-03-01T15:29:00+05:30,NSE:A-EQ,,,,,,,,,
2024-03-04T09:15:00+05:30,NSE:A-EQ,103,110,115,122,98,91,86,104,102
2024-03-04T09:16:00+05:30,NSE:A-EQ,103,110,115,122,98,91,86,104,102' ]
}

@test "indicators: ORB_HIGH/ORB_LOW have a value once the opening range is complete, per day" {
	# ORB(1) is the 09:15 bar alone (high 105, low 99), with a value from the 09:16 bar on.
	# ORB(2) is 09:15 and 09:16 (high 108, low 99); the first bar opening at or after 09:17
	# is 15:29. Day 2 starts over: ORB(1) = 110/100 from 09:16, ORB(2) not complete yet.
	run --separate-stderr algo-eval --print 'ORB_HIGH(1)' --print 'ORB_LOW(1)' --print 'ORB_HIGH(2)' \
		--print 'ORB_LOW(2)' < <(two_days)
	[ "$status" -eq 0 ]
	[ "$output" = 'ts,symbol,ORB_HIGH(1),ORB_LOW(1),ORB_HIGH(2),ORB_LOW(2)
2024-03-01T09:15:00+05:30,NSE:A-EQ,,,,
2024-03-01T09:16:00+05:30,NSE:A-EQ,105,99,,
2024-03-01T15:29:00+05:30,NSE:A-EQ,105,99,108,99
2024-03-04T09:15:00+05:30,NSE:A-EQ,,,,
2024-03-04T09:16:00+05:30,NSE:A-EQ,110,100,,' ]
}

@test "indicators: Heikin-Ashi series work anywhere a series does" {
	# ha_close = (o+h+l+c)/4: 101.5, 103.5, 102.5, 105.75, 109.5
	# ha_open: (100+102)/2 = 101, then the mean of the previous HA open and close:
	#          101.25, 102.375, 102.4375, 104.09375
	# ha_high = max(h, ha_open, ha_close), ha_low = min(l, ha_open, ha_close)
	# SMA(ha_close, 2): 102.5, 103, 104.125, 107.625
	run --separate-stderr algo-eval --print ha_close --print ha_open --print HA_HIGH --print ha_low \
		--print 'SMA(ha_close, 2)' --print 'ha_close > ha_open' --print 'ha_close[1]' < <(two_days)
	[ "$status" -eq 0 ]
	[ "$output" = 'ts,symbol,ha_close,ha_open,HA_HIGH,ha_low,"SMA(ha_close, 2)",ha_close > ha_open,ha_close[1]
2024-03-01T09:15:00+05:30,NSE:A-EQ,101.5,101,105,99,,1,
2024-03-01T09:16:00+05:30,NSE:A-EQ,103.5,101.25,108,100,102.5,1,101.5
2024-03-01T15:29:00+05:30,NSE:A-EQ,102.5,102.375,105,96,103,1,103.5
2024-03-04T09:15:00+05:30,NSE:A-EQ,105.75,102.4375,110,100,104.125,1,102.5
2024-03-04T09:16:00+05:30,NSE:A-EQ,109.5,104.09375,112,104.09375,107.625,1,105.75' ]
}

@test "indicators: wrong parameters are refused with the range, before any input is read" {
	bad() {   # bad EXPR EXPECTED-STDERR
		run --separate-stderr algo-eval --print "$1" < /dev/null
		[ "$status" -eq 2 ] || { echo "exit $status for $1"; false; }
		[ "$stderr" = "algo-eval: --print '$1': $2" ] || { echo "got: $stderr"; false; }
	}
	bad 'ORB_HIGH(0)' 'col 10: ORB_HIGH: minutes must be an integer from 1 to 1440, got 0'
	bad 'STDDEV(close, 20, 1, 2)' 'col 1: STDDEV takes 2 parameters: STDDEV([source], period, k), got 4 arguments'
	bad 'PIVOT(1)' 'col 1: PIVOT takes 0 parameters: PIVOT(), got 1 argument'
	bad 'SUPERTREND(10)' 'col 1: SUPERTREND takes 2 parameters: SUPERTREND(period, factor), got 1 argument'
	bad 'BBANDS(20,2).pct' "col 14: unknown output 'pct' of BBANDS (did you mean 'pctb'?)"
	bad 'HMA(1)' 'col 5: HMA: period must be an integer from 2 to 100000, got 1'
	bad 'KELTNER(20, -1)' 'col 13: KELTNER: k must be a number from 0 to 1000, got -1'
	bad 'ha_close(close)' 'col 1: HA_CLOSE takes 0 parameters: HA_CLOSE(), got 1 argument'
}

@test "indicators: a strategy can use the new indicators (SUPERTREND, Heikin-Ashi, VWAP, PIVOT, ORB)" {
	cat > "$TMP/s.json" <<-'EOF'
	{"name": "mix", "entry": {"long": {"all": ["SUPERTREND(10,3).dir > 0", "ha_close > ha_open",
	  "close > VWAP", "close > PIVOT.p", "close > ORB_HIGH(15)", "STOCHRSI(14,14,3).d < 80",
	  "HMA(close, 9) > KELTNER(20, 2).lower", "DONCHIAN(20).upper >= high"]}},
	 "exit": {"long": "close < SUPERTREND(10, 3)"}}
	EOF
	run --separate-stderr algo-eval --check "$TMP/s.json"
	echo "$stderr"
	[ "$status" -eq 0 ]
	sample_bars | algo-eval -s "$TMP/s.json" > "$TMP/out"
	[ "$(grep -c '"type":"signal"' "$TMP/out")" -gt 0 ]
	grep -v '"type":"signal"' "$TMP/out" | cmp - <(sample_bars)
}

@test "indicators: every entry of the indicator table is documented in algo-eval(1) INDICATORS" {
	names=$(sed -n '/^static const struct algo_ind_def defs\[\]/,/^};/p' "$ROOT/lib/indicators.c" |
		grep -oE '^	\{ "[A-Z_]+", ("[A-Z_]+"|NULL)' | grep -oE '"[A-Z_]+"' | tr -d '"')
	[ "$(wc -l <<<"$names")" -ge 44 ]
	section=$(sed -n '/^\.SH INDICATORS/,/^\.SH /p' "$ROOT/man/algo-eval.1" | sed -e 's/\\f[BIRP]//g')
	for n in $names; do
		grep -qiE "(^|[^A-Za-z_])$n([^A-Za-z_]|$)" <<<"$section" || { echo "not documented: $n"; false; }
	done
}
