#!/usr/bin/env bats
# algo-feed csv on the files people have: NSE historical data and bhavcopies, Kite,
# FYERS, Yahoo, TradingView, spreadsheets; --date-format, --columns, --round. The
# fixtures in tests/fixtures/feed/ follow each service's published column layout.
load test_helper

F=$BATS_TEST_DIRNAME/fixtures/feed

same() { diff -u <(printf '%s\n' "$2") <(printf '%s\n' "$1"); }
bar() {   # bar TS SYMBOL TF O H L C V -> the bar event algo-feed writes
	printf '{"type":"bar","ts":"%s","symbol":"%s","tf":"%s","o":%s,"h":%s,"l":%s,"c":%s,"v":%s}' "$@"
}

@test "import: NSE equity historical data (BOM, blanks in the header, grouped numbers, newest first)" {
	run --separate-stderr algo-feed csv -s NSE:SBIN-EQ "$F/nse_equity_historical.csv"
	[ "$status" -eq 0 ]
	same "$stderr" "algo-feed: $F/nse_equity_historical.csv: rows are newest first; reading them oldest first"
	[ "${#lines[@]}" -eq 6 ]
	same "${lines[1]}" "$(bar 2023-06-01T00:00:00+05:30 NSE:SBIN-EQ 1d 576.1 583.45 575 582 13304412)"
	# the close column, not ltp or PREV. CLOSE; VOLUME "1,20,45,678"
	same "${lines[3]}" "$(bar 2023-06-05T00:00:00+05:30 NSE:SBIN-EQ 1d 590 592.4 584.1 585.35 12045678)"
	same "${lines[5]}" "$(bar 2023-06-07T00:00:00+05:30 NSE:SBIN-EQ 1d 588 591.9 585.1 590.4 14523671)"
}

@test "import: NSE index historical data, 'Shares Traded' is the volume, with or without --columns" {
	run --separate-stderr algo-feed csv -s NSE:NIFTY50-INDEX "$F/nse_index_historical.csv"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 5 ]
	same "${lines[2]}" "$(bar 2023-06-05T00:00:00+05:30 NSE:NIFTY50-INDEX 1d 18612 18640.15 18582.8 18593.85 245678123)"
	auto=$output
	run --separate-stderr algo-feed csv -s NSE:NIFTY50-INDEX --columns 'Date=timestamp,Shares Traded=volume' \
		"$F/nse_index_historical.csv"
	[ "$status" -eq 0 ]
	[ "$output" = "$auto" ]
}

@test "import: NSE bhavcopies (CM, UDiFF, full): one file a day, symbols NSE:SYMBOL-SERIES" {
	run --separate-stderr algo-feed csv "$F/cm06JUN2023bhav.csv" "$F/cm05JUN2023bhav.csv"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "${#lines[@]}" -eq 9 ]
	same "${lines[1]}" "$(bar 2023-06-05T00:00:00+05:30 NSE:RELIANCE-EQ 1d 2480 2505.95 2471.1 2496.3 5123456)"
	same "${lines[4]}" "$(bar 2023-06-05T00:00:00+05:30 NSE:YESBANK-BE 1d 16.05 16.4 15.95 16.2 30456789)"
	same "${lines[6]}" "$(bar 2023-06-06T00:00:00+05:30 NSE:SBIN-EQ 1d 585.5 588.25 583 586.7 11098345)"
	run --separate-stderr algo-feed csv "$F/BhavCopy_NSE_CM_0_0_0_20240708_F_0000.csv"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 4 ]
	same "${lines[2]}" "$(bar 2024-07-08T00:00:00+05:30 NSE:SBIN-EQ 1d 850 855.5 845.1 852.3 9876543)"
	run --separate-stderr algo-feed csv "$F/sec_bhavdata_full_05062023.csv"
	[ "$status" -eq 0 ]
	same "${lines[2]}" "$(bar 2023-06-05T00:00:00+05:30 NSE:SBIN-EQ 1d 590 592.4 584.1 585.35 12045678)"
}

@test "import: Kite's historical candles, FYERS's history candles and a TradingView export" {
	run --separate-stderr algo-feed csv -s NSE:SBIN-EQ "$F/kite_historical.csv"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "${#lines[@]}" -eq 7 ]
	same "${lines[2]}" "$(bar 2023-06-05T09:16:00+05:30 NSE:SBIN-EQ 1m 612.05 613.1 612 612.9 223134)"
	run --separate-stderr algo-feed csv -s NSE:SBIN-EQ "$F/fyers_history.csv"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 5 ]
	same "${lines[1]}" "$(bar 2023-06-05T09:15:00+05:30 NSE:SBIN-EQ 5m 612.4 613.1 611.45 612.9 1250311)"
	run --separate-stderr algo-feed csv -s NSE:SBIN-EQ "$F/tradingview.csv"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 6 ]
	same "${lines[5]}" "$(bar 2023-06-05T09:35:00+05:30 NSE:SBIN-EQ 5m 612.3 612.95 611.9 612.85 154321)"
}

@test "import: Yahoo needs --round for its float noise and skips its null rows, saying so" {
	run --separate-stderr algo-feed csv -s NSE:SBIN-EQ "$F/yahoo_SBIN.NS.csv"
	[ "$status" -eq 65 ]
	same "$stderr" "algo-feed: $F/yahoo_SBIN.NS.csv:2: field 'high': 584.950012 has more than 4 decimals; --round rounds prices to 4 decimals"
	[ -z "$output" ]
	run --separate-stderr algo-feed csv -s NSE:SBIN-EQ --round "$F/yahoo_SBIN.NS.csv"
	[ "$status" -eq 0 ]
	same "$stderr" "algo-feed: $F/yahoo_SBIN.NS.csv: skipped 1 row without prices (\"null\": no trading that day)"
	[ "${#lines[@]}" -eq 5 ]
	same "${lines[2]}" "$(bar 2023-06-27T00:00:00+05:30 NSE:SBIN-EQ 1d 584 589.9 583.1 589.35 13456789)"
	same "${lines[4]}" "$(bar 2023-06-30T00:00:00+05:30 NSE:SBIN-EQ 1d 593.5 597 591.25 595.65 12345678)"
}

@test "import: a European spreadsheet: ';', DD.MM.YYYY, 0915 times, decimal commas, '.' grouping" {
	run --separate-stderr algo-feed csv -s NSE:SBIN-EQ "$F/spreadsheet_eu.csv"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "${#lines[@]}" -eq 4 ]
	same "${lines[1]}" "$(bar 2023-06-05T09:15:00+05:30 NSE:SBIN-EQ 1m 612.4 612.8 611.45 612.05 328011)"
}

@test "import: DD-MM-YYYY, 05-Jun-2023, 0915, decimal commas, 1e3, 612.40006124 and Shares Traded" {
	cat > "$TMP/a.csv" <<'EOF'
Date,Time,Open,High,Low,Close,Shares Traded
05-06-2023,0915,"612,40",612.8,611.45,612.05,1e3
05-Jun-2023,0916,612.05,613.10,612,612.40006124,"2,23,134"
EOF
	run --separate-stderr algo-feed csv -s X "$TMP/a.csv"
	[ "$status" -eq 65 ]
	same "$stderr" "algo-feed: $TMP/a.csv:3: field 'close': 612.40006124 has more than 4 decimals; --round rounds prices to 4 decimals"
	run --separate-stderr algo-feed csv -s X --round "$TMP/a.csv"
	[ "$status" -eq 0 ]
	same "$output" "{\"type\":\"stream\",\"ts\":\"2023-06-05T09:15:00+05:30\",\"ver\":1,\"source\":\"algo-feed\"}
$(bar 2023-06-05T09:15:00+05:30 X 1m 612.4 612.8 611.45 612.05 1000)
$(bar 2023-06-05T09:16:00+05:30 X 1m 612.05 613.1 612 612.4001 223134)"
}

@test "import: --date-format reads month-first dates; a mismatch names the format, file and line" {
	printf 'Date,Open,High,Low,Close,Volume\n06/02/2023 3:29 PM,1,2,1,1,5\n06/05/2023 3:29 PM,1,2,1,1,5\n06/25/2023 3:29 PM,1,2,1,1,5\n' > "$TMP/us.csv"
	run --separate-stderr algo-feed csv -s X "$TMP/us.csv"
	[ "$status" -eq 65 ]
	# day first, 06/02 and 06/05 are February and May: the third row cannot be day first
	same "$stderr" "algo-feed: $TMP/us.csv:4: field 'date': cannot parse '06/25/2023 3:29 PM' as a time: read day first, its month is over 12; --date-format gives the format, e.g. '%m/%d/%Y %H:%M'"
	run --separate-stderr algo-feed csv -s X --date-format '%m/%d/%Y %I:%M %p' "$TMP/us.csv"
	[ "$status" -eq 0 ]
	[[ "${lines[1]}" == '{"type":"bar","ts":"2023-06-02T15:29:00+05:30",'* ]]
	[[ "${lines[3]}" == '{"type":"bar","ts":"2023-06-25T15:29:00+05:30",'*'"tf":"1d"'* ]]
	printf 'Date,Open,High,Low,Close,Volume\n06/02/2023 3:29 PM,1,2,1,1,5\n2023-06-05,1,2,1,1,5\n' > "$TMP/mixed.csv"
	run --separate-stderr algo-feed csv -s X --tf 1d --date-format '%m/%d/%Y %I:%M %p' "$TMP/mixed.csv"
	[ "$status" -eq 65 ]
	same "$stderr" "algo-feed: $TMP/mixed.csv:3: field 'date': '2023-06-05' does not match --date-format '%m/%d/%Y %I:%M %p'"
}

@test "import: bad --date-format and --columns are usage errors; a mapped column the file lacks is named" {
	run --separate-stderr algo-feed csv --date-format '%d-%q-%Y' "$F/daily.csv"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"--date-format: '%d-%q-%Y': unknown directive '%q'"* ]]
	run --separate-stderr algo-feed csv --date-format '%H:%M' "$F/daily.csv"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"needs a year"* ]]
	run --separate-stderr algo-feed csv --columns 'Date' "$F/daily.csv"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"--columns: 'Date' is not NAME=ROLE"* ]]
	run --separate-stderr algo-feed csv --columns 'Date=when' "$F/daily.csv"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"unknown role 'when'"* ]]
	run --separate-stderr algo-feed csv -s X --columns 'Shares Traded=volume' "$F/daily.csv"
	[ "$status" -eq 65 ]
	same "$stderr" "algo-feed: $F/daily.csv:1: no column 'Shares Traded' (mapped to volume by --columns) in the header"
	[ -z "$output" ]
}

@test "import: errors in an export name the file, the line and the export's column" {
	sed '3s/12045678/12O45678/' "$F/cm05JUN2023bhav.csv" > "$TMP/cm05JUN2023bhav.csv"
	run --separate-stderr algo-feed csv "$TMP/cm05JUN2023bhav.csv"
	[ "$status" -eq 65 ]
	same "$stderr" "algo-feed: $TMP/cm05JUN2023bhav.csv:3: field 'volume' (column 'TOTTRDQTY'): '12O45678' is not a non-negative integer"
	sed '4s/"585.35"/"585,35,"/' "$F/nse_equity_historical.csv" > "$TMP/nse.csv"
	run --separate-stderr algo-feed csv -s X "$TMP/nse.csv"
	[ "$status" -eq 65 ]
	# the bad row is reported, not the order of the rows before it
	same "$stderr" "algo-feed: $TMP/nse.csv:4: field 'close': '585,35,' is not a number"
	[ -z "$output" ]
}

@test "import: a bhavcopy backtests through algo-backtest like any file" {
	run --separate-stderr algo-backtest -s "$ROOT/examples/strategies/ema-cross.json" \
		--feed "--tf 1d" "$F/cm05JUN2023bhav.csv" "$F/cm06JUN2023bhav.csv"
	echo "$stderr"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Ledger report"* ]]
}
