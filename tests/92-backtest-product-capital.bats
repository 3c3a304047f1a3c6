#!/usr/bin/env bats
# A strategy's product reaches its orders (a delivery strategy is held overnight) and
# algo-backtest runs with capital: orders it cannot cover are rejected with a reason.
load test_helper

S=$ROOT/examples/strategies
DATA=$ROOT/examples/data/NSE_DEMO-EQ_1m.csv
SWING=$FIX/newcomer/swing-delivery.json

@test "product: a delivery strategy is held overnight through algo-backtest" {
	run --separate-stderr algo-backtest -s "$SWING" --trades "$TMP/trades.csv" --events "$TMP/ev" "$DATA"
	[ "$status" -eq 0 ]
	# every order says delivery, and no fill is an intraday square-off
	grep '"type":"order"' "$TMP/ev" > "$TMP/orders"
	[ -s "$TMP/orders" ]
	! grep -v '"product":"delivery"' "$TMP/orders"
	! grep -q '"reason":"square-off' "$TMP/ev"
	# the first trade enters on 06-05 and exits 400 bars later, on the next day
	run sed -n 2p "$TMP/trades.csv"
	[[ "$output" == swing,NSE:DEMO-EQ,long,10,2023-06-05T10:01:00+05:30,607.5,2023-06-06T10:26:00+05:30,620.75,* ]]
}

@test "product: the same strategy as intraday is squared off at 15:20 every day" {
	sed 's/"delivery"/"intraday"/' "$SWING" > "$TMP/intraday.json"
	run --separate-stderr algo-backtest -s "$TMP/intraday.json" --trades "$TMP/trades.csv" --events "$TMP/ev" "$DATA"
	[ "$status" -eq 0 ]
	run sed -n 2p "$TMP/trades.csv"
	[[ "$output" == swing,NSE:DEMO-EQ,long,10,2023-06-05T10:01:00+05:30,607.5,2023-06-05T15:20:00+05:30,* ]]
	grep -q '"reason":"square-off"' "$TMP/ev"
}

@test "product: algo-eval writes the file's product on its signals, algo-risk puts it on the order" {
	algo-feed csv "$DATA" | algo-eval -s "$SWING" | algo-risk > "$TMP/out"
	grep -q '"type":"signal".*"product":"delivery"' "$TMP/out"
	! grep '"type":"order"' "$TMP/out" | grep -v '"product":"delivery"'
	# a signal without one gets --product (default intraday); memory-only runs, as
	# the pipeline above has recorded its stream position in the state database
	sig='{"type":"signal","ts":"2023-06-05T10:00:00+05:30","strategy":"s","symbol":"NSE:X-EQ","action":"entry","side":"buy","qty":1,"ref":10}'
	ALGO_STATE= run --separate-stderr algo-risk --product margin <<<"$sig"
	[ "$status" -eq 0 ]
	[[ "$output" == *'"type":"order"'*'"product":"margin"'* ]]
	ALGO_STATE= run --separate-stderr algo-risk --product margin <<<"${sig%\}},\"product\":\"delivery\"}"
	[[ "$output" == *'"type":"order"'*'"product":"delivery"'* ]]
	ALGO_STATE= run --separate-stderr algo-risk <<<"${sig%\}},\"product\":\"cnc\"}"
	[ "$status" -eq 65 ]
	[[ "$stderr" == *"field 'product': must be intraday, delivery or margin"* ]]
}

big_strategy() {
	sed 's/"qty": 1,/"qty": 500,/; s/"name": "ema-cross"/"name": "big"/' "$S/ema-cross.json" > "$TMP/big.json"
}

@test "capital: 100000 by default; an order it cannot cover is rejected with a reason and the report says so" {
	big_strategy
	run --separate-stderr algo-backtest -s "$TMP/big.json" --events "$TMP/ev" "$DATA"
	[ "$status" -eq 0 ]
	[[ "$output" == *$'Starting capital  100000\n'* ]]
	grep -q '"status":"rejected","reason":"insufficient capital: needs 30' "$TMP/ev"
	! grep -q '"type":"fill"' "$TMP/ev"
	[[ "$output" == *$'\nCapital exhausted 72 orders rejected for insufficient capital, the first at 2023-06-05T10:26:00+05:30\n'* ]]
	run --separate-stderr algo-backtest -s "$TMP/big.json" --format json "$DATA"
	[[ "$output" == *'"capital":100000,'* ]]
	[[ "$output" == *'"capital_rejected_orders":72,"capital_exhausted_ts":"2023-06-05T10:26:00+05:30",'* ]]
}

@test "capital: --capital changes it for the executor and the report" {
	big_strategy
	run --separate-stderr algo-backtest -s "$TMP/big.json" --capital 1000000 --events "$TMP/ev" "$DATA"
	[ "$status" -eq 0 ]
	[[ "$output" == *$'Starting capital  1000000\n'* ]]
	! [[ "$output" == *"Capital exhausted"* ]]
	! grep -q '"status":"rejected"' "$TMP/ev"
	run --separate-stderr algo-backtest -s "$TMP/big.json" --capital 1000000 --format json "$DATA"
	[[ "$output" == *'"capital_rejected_orders":0,"capital_exhausted_ts":null,'* ]]
	# a run that never trades its capital away: nothing said
	run --separate-stderr algo-backtest -s "$S/ema-cross.json" "$DATA"
	! [[ "$output" == *"Capital exhausted"* ]]
}

@test "capital: a bad --capital is a usage error" {
	for bad in 0 -5 abc 1.23456 ''; do
		run --separate-stderr algo-backtest -s "$S/ema-cross.json" --capital "$bad" "$DATA"
		[ "$status" -eq 2 ]
		[[ "$stderr" == *"--capital: '$bad' is not a positive amount of rupees"* ]]
	done
}
