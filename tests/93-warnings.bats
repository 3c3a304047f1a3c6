#!/usr/bin/env bats
# Runs that cannot trade say why on stderr, and still succeed: an empty input, symbols
# not in the data, an intraday window on daily bars, zero trades.
load test_helper

S=$ROOT/examples/strategies
DATA=$ROOT/examples/data/NSE_DEMO-EQ_1m.csv

# The bundled data as daily bars (one per day).
daily_csv() {
	awk -F, 'NR == 1 { print "date,open,high,low,close,volume"; next }
		{ d = substr($1, 1, 10) }
		d != day { if (day != "") print day "," o "," h "," l "," c "," v; day = d; o = $2; h = $3; l = $4; v = 0 }
		{ if ($3 + 0 > h + 0) h = $3; if ($4 + 0 < l + 0) l = $4; c = $5; v += $6 }
		END { print day "," o "," h "," l "," c "," v }' "$DATA" > "$1"
}

@test "warnings: a header-only CSV" {
	head -1 "$DATA" > "$TMP/empty.csv"
	run --separate-stderr algo-backtest -s "$S/ema-cross.json" "$TMP/empty.csv"
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"algo-feed: warning: $TMP/empty.csv: no bars: the file has no rows after its header"* ]]
	[[ "$stderr" == *"algo-backtest: warning: no trades: the strategy made no signal on this data"* ]]
	# rows that all fall outside --from/--to are said apart
	run --separate-stderr algo-feed csv --from 2030-01-01 "$DATA"
	[ "$status" -eq 0 ]
	[ "$stderr" = "algo-feed: warning: $DATA: no bars: none of its rows gave a bar in range" ]
}

@test "warnings: a strategy whose symbols are not in the data" {
	run --separate-stderr algo-backtest -s "$S/rsi-reversion.json" "$DATA"
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"algo-eval: warning: rsi-reversion: no bars of NSE:SBIN-EQ in the input (it has NSE:DEMO-EQ): that symbol was never traded"* ]]
	[[ "$stderr" == *"algo-backtest: warning: no trades:"* ]]
	# several missing, several present
	printf '{"name":"two","symbols":["NSE:A-EQ","NSE:DEMO-EQ","NSE:B-EQ"],"qty":1,"entry":{"long":"close > 0"}}' > "$TMP/two.json"
	algo-feed csv "$DATA" | sed 's/NSE:DEMO-EQ/NSE:C-EQ/' > "$TMP/c"
	run --separate-stderr bash -c 'cat "$1" <(algo-feed csv "$2") | algo-eval -s "$3" > /dev/null' _ "$TMP/c" "$DATA" "$TMP/two.json"
	[ "$status" -eq 0 ]
	[ "$stderr" = "algo-eval: warning: two: no bars of NSE:A-EQ, NSE:B-EQ in the input (it has NSE:C-EQ, NSE:DEMO-EQ): those symbols were never traded" ]
}

@test "warnings: an intraday window on daily bars can never trade" {
	daily_csv "$TMP/daily.csv"
	run --separate-stderr algo-backtest -s "$S/demo-intraday.json" --feed "--symbol NSE:DEMO-EQ" "$TMP/daily.csv"
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"algo-eval: warning: demo-intraday: none of its 8 bars of 1d falls in its window 09:20-15:00, so it can never enter (a 1d bar's time is 00:00; an intraday window needs intraday bars)"* ]]
	# the same strategy on minute bars: no such warning
	run --separate-stderr algo-backtest -s "$S/demo-intraday.json" "$DATA"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
}

@test "warnings: zero trades, with the reason the pipeline stopped at" {
	sed 's/"qty": 1,/"qty": 500,/' "$S/ema-cross.json" > "$TMP/big.json"
	run --separate-stderr algo-backtest -s "$TMP/big.json" "$DATA"
	[ "$status" -eq 0 ]
	[ "$stderr" = "algo-backtest: warning: no trades: none of the 74 orders filled (the first: insufficient capital: needs 304150, available 100000)" ]
	printf '{"limits":{"max_trades_per_day":0}}' > "$TMP/risk.json"
	run --separate-stderr algo-backtest -r "$TMP/risk.json" -s "$S/ema-cross.json" "$DATA"
	[ "$status" -eq 0 ]
	[[ "$stderr" == "algo-backtest: warning: no trades: algo-risk blocked every signal, 1"*" in all (the first: max_trades_per_day: "* ]]
	# a run that trades says nothing
	run --separate-stderr algo-backtest -s "$S/ema-cross.json" "$DATA"
	[ -z "$stderr" ]
}
