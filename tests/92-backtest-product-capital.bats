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
