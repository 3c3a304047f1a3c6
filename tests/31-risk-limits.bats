#!/usr/bin/env bats
# algo-risk limits: each rule's block (exact risk_block lines), layering, multiplier,
# window, symbols, throttle, --check, the barrier without an executor, plan caps.
load test_helper
# memory-only runs unless a test sets ALGO_STATE itself (plans need the database)
setup() { common_setup; unset ALGO_STATE; }

# sig HH:MM:SS[.mmm] STRATEGY SYMBOL ACTION SIDE QTY REF [USER]: one signal line.
sig() {
	local u=""
	[ -z "${8:-}" ] || u=',"user":"'$8'"'
	printf '{"type":"signal","ts":"2024-03-01T%s+05:30","strategy":"%s","symbol":"%s","action":"%s","side":"%s","qty":%s,"ref":%s,"reason":"r"%s}\n' \
		"$1" "$2" "$3" "$4" "$5" "$6" "$7" "$u"
}
# bar HH:MM SYMBOL PRICE: a flat one-minute bar.
bar() {
	printf '{"type":"bar","ts":"2024-03-01T%s:00+05:30","symbol":"%s","tf":"1m","o":%s,"h":%s,"l":%s,"c":%s,"v":1000}\n' \
		"$1" "$2" "$3" "$3" "$3" "$3"
}
# risk CONFIG-JSON [ARGS...] < stdin: runs algo-risk with the config, stdout in $TMP/out.
risk() {
	local conf=$1
	shift
	printf '%s\n' "$conf" > "$TMP/risk.json"
	status=0
	algo-risk -c "$TMP/risk.json" "$@" > "$TMP/out" 2> "$TMP/err" || status=$?
}
blocks() { grep '^{"type":"risk_block"' "$TMP/out" || true; }
orders() { grep '^{"type":"order"' "$TMP/out" || true; }

@test "risk limits: global, user and strategy layers override key by key" {
	# global 5 trades a day, alice 2, strategy s2 1 (s2 wins over alice for s2).
	{ for t in 09:15 09:16 09:17; do
		sig "$t:00" s1 NSE:A-EQ entry buy 1 10 alice; sig "$t:30" s1 NSE:A-EQ exit sell 1 10 alice
		sig "$t:00" s1 NSE:B-EQ entry buy 1 10 bob; sig "$t:30" s1 NSE:B-EQ exit sell 1 10 bob
	done
	sig 09:20:00 s2 NSE:A-EQ entry buy 1 10 alice; sig 09:20:30 s2 NSE:A-EQ exit sell 1 10 alice
	sig 09:21:00 s2 NSE:A-EQ entry buy 1 10 alice; } > "$TMP/in"
	risk '{"limits":{"max_trades_per_day":5},"users":{"alice":{"max_trades_per_day":2}},"strategies":{"s2":{"max_trades_per_day":1}}}' < "$TMP/in"
	[ "$status" -eq 0 ]
	# alice's third s1 entry (09:17) is blocked at 2; her exit then is "exit while flat";
	# bob's three pass (global 5); alice's second s2 entry is blocked at 1.
	[ "$(blocks | grep -c max_trades_per_day)" -eq 2 ]
	blocks | grep -Fxq '{"type":"risk_block","ts":"2024-03-01T09:17:00+05:30","strategy":"s1","symbol":"NSE:A-EQ","side":"buy","qty":1,"rule":"max_trades_per_day","limit":2,"value":2,"reason":"2 trades today, limit 2","user":"alice"}'
	blocks | grep -Fxq '{"type":"risk_block","ts":"2024-03-01T09:21:00+05:30","strategy":"s2","symbol":"NSE:A-EQ","side":"buy","qty":1,"rule":"max_trades_per_day","limit":1,"value":1,"reason":"1 trade today, limit 1","user":"alice"}'
	[ "$(orders | grep -c '"user":"bob"')" -eq 6 ]
}

@test "risk limits: max_open_positions counts the strategy's open symbols" {
	{ sig 09:15:00 s NSE:A-EQ entry buy 1 10; sig 09:15:10 s NSE:B-EQ entry buy 1 10
	  sig 09:15:20 s NSE:C-EQ entry buy 1 10; sig 09:15:30 s NSE:A-EQ exit sell 1 10
	  sig 09:15:40 s NSE:C-EQ entry buy 1 10; } > "$TMP/in"
	risk '{"max_open_positions":2}' < "$TMP/in"
	# A and B open -> C blocked (2 open, limit 2); A closed -> C passes.
	[ "$(blocks)" = '{"type":"risk_block","ts":"2024-03-01T09:15:20+05:30","strategy":"s","symbol":"NSE:C-EQ","side":"buy","qty":1,"rule":"max_open_positions","limit":2,"value":2,"reason":"2 open positions, limit 2","user":"default"}' ]
	orders | tail -1 | grep -q '"symbol":"NSE:C-EQ","side":"buy"'
}

@test "risk limits: max_position_value and max_order_value at the signal's ref, exact decimals" {
	# 14 × 752.85 = 10539.90 > 10000 (blocked); 13 × 752.85 = 9787.05 passes.
	{ sig 09:15:00 s NSE:SBIN-EQ entry buy 14 752.85; sig 09:15:10 s NSE:SBIN-EQ entry buy 13 752.85; } > "$TMP/in"
	risk '{"max_position_value":10000}' < "$TMP/in"
	[ "$(blocks)" = '{"type":"risk_block","ts":"2024-03-01T09:15:00+05:30","strategy":"s","symbol":"NSE:SBIN-EQ","side":"buy","qty":14,"rule":"max_position_value","limit":10000,"value":10539.9,"reason":"position value 10539.9 would exceed limit 10000","user":"default"}' ]
	[ "$(orders | grep -c '"qty":13')" -eq 1 ]
	# order value: 3 × 0.1 = 0.3 is not above 0.3 (no float drift); 4 × 0.1 is.
	{ sig 09:15:00 s NSE:P-EQ entry buy 3 0.1; sig 09:15:10 s NSE:Q-EQ entry buy 4 0.1; } > "$TMP/in"
	risk '{"max_order_value":0.3}' < "$TMP/in"
	[ "$(blocks)" = '{"type":"risk_block","ts":"2024-03-01T09:15:10+05:30","strategy":"s","symbol":"NSE:Q-EQ","side":"buy","qty":4,"rule":"max_order_value","limit":0.3,"value":0.4,"reason":"order value 0.4 exceeds limit 0.3","user":"default"}' ]
	[ "$(orders | wc -l)" -eq 1 ]
}

@test "risk limits: multiplier scales order quantities, quantity and money limits" {
	# multiplier 3: qty 10 -> order 30; max_position_qty 50 -> 150: qty 60 -> 180 blocked;
	# max_order_value 10000 -> 30000: 30 × 752.85 = 22585.5 passes; exit 10 -> 30.
	{ sig 09:15:00 s NSE:SBIN-EQ entry buy 10 752.85; sig 09:16:00 s NSE:SBIN-EQ exit sell 10 752.85
	  sig 09:17:00 s NSE:SBIN-EQ entry buy 60 752.85; } > "$TMP/in"
	risk '{"multiplier":3,"max_position_qty":50,"max_order_value":10000}' < "$TMP/in"
	[ "$status" -eq 0 ]
	orders | head -1 | grep -q '"side":"buy","qty":30,'
	orders | sed -n 2p | grep -q '"side":"sell","qty":30,'
	[ "$(blocks)" = '{"type":"risk_block","ts":"2024-03-01T09:17:00+05:30","strategy":"s","symbol":"NSE:SBIN-EQ","side":"buy","qty":60,"rule":"max_position_qty","limit":150,"value":180,"reason":"position of 180 would exceed limit 150","user":"default"}' ]
}

@test "risk limits: window allows entries in [from, to) IST; exits always pass" {
	{ sig 09:15:00 s NSE:A-EQ entry buy 1 10; sig 09:30:00 s NSE:A-EQ entry buy 1 10
	  sig 15:10:00 s NSE:A-EQ exit sell 1 10; sig 15:00:00 s NSE:B-EQ entry buy 1 10; } > "$TMP/in"
	risk '{"window":{"from":"09:30","to":"15:00"}}' < "$TMP/in"
	blocks | head -1 | grep -Fxq '{"type":"risk_block","ts":"2024-03-01T09:15:00+05:30","strategy":"s","symbol":"NSE:A-EQ","side":"buy","qty":1,"rule":"window","value":915,"reason":"09:15 IST is outside 09:30-15:00","user":"default"}'
	blocks | sed -n 2p | grep -q '"symbol":"NSE:B-EQ".*"rule":"window","value":1500,'
	[ "$(orders | wc -l)" -eq 2 ]
}

@test "risk limits: symbols allows entries only in the listed symbols" {
	{ sig 09:15:00 s NSE:INFY-EQ entry buy 1 10; sig 09:15:01 s NSE:SBIN-EQ entry buy 1 10; } > "$TMP/in"
	risk '{"strategies":{"s":{"symbols":["NSE:SBIN-EQ"]}}}' < "$TMP/in"
	[ "$(blocks)" = '{"type":"risk_block","ts":"2024-03-01T09:15:00+05:30","strategy":"s","symbol":"NSE:INFY-EQ","side":"buy","qty":1,"rule":"symbols","value":0,"reason":"NSE:INFY-EQ is not in the allowed symbols","user":"default"}' ]
	[ "$(orders | wc -l)" -eq 1 ]
}

@test "risk limits: throttle: the 9th order within one second is blocked (default 8/s per user)" {
	# 9 entries at 09:15:00.100 … .900 on 9 symbols: 8 pass, the 9th names the rule.
	# At 09:15:01.100 the order at .100 has left the window (ts - 1000, ts]: 7 -> passes.
	{ for i in 1 2 3 4 5 6 7 8 9; do sig "09:15:00.${i}00" s "NSE:S$i-EQ" entry buy 1 10; done
	  sig 09:15:01.100 s NSE:T-EQ entry buy 1 10; } > "$TMP/in"
	risk '{}' < "$TMP/in"
	[ "$(orders | wc -l)" -eq 9 ]
	[ "$(blocks)" = '{"type":"risk_block","ts":"2024-03-01T09:15:00.900+05:30","strategy":"s","symbol":"NSE:S9-EQ","side":"buy","qty":1,"rule":"max_orders_per_second","limit":8,"value":8,"reason":"8 orders in the last second, limit 8","user":"default"}' ]
	# per user: another user's orders do not count; a lower limit from the file
	{ sig 09:15:00.100 s NSE:A-EQ entry buy 1 10 u1; sig 09:15:00.200 s NSE:A-EQ entry buy 1 10 u2
	  sig 09:15:00.300 s NSE:B-EQ entry buy 1 10 u1; } > "$TMP/in"
	risk '{"max_orders_per_second":1}' < "$TMP/in"
	[ "$(orders | wc -l)" -eq 2 ]
	blocks | grep -q '"symbol":"NSE:B-EQ".*"rule":"max_orders_per_second","limit":1,"value":1,.*"user":"u1"'
}

@test "risk limits: --check validates the risk file (0 valid, 78 with path and did-you-mean)" {
	printf '%s\n' '{"limits":{"max_trades_per_day":5},"users":{"alice":{"multiplier":2}},"strategies":{"s":{"window":{"from":"09:20","to":"15:00"},"symbols":["NSE:A-EQ"]}},"on_kill":"square_off","reset_kill_daily":true}' > "$TMP/ok.json"
	run algo-risk --check -c "$TMP/ok.json"
	[ "$status" -eq 0 ]
	printf '%s\n' '{"users":{"alice":{"max_order_valu":5}}}' > "$TMP/bad.json"
	run algo-risk --check -c "$TMP/bad.json"
	[ "$status" -eq 78 ]
	[ "$output" = "algo-risk: $TMP/bad.json: \$.users.alice.max_order_valu: unknown key (did you mean 'max_order_value'?)" ]
	for bad in '{"window":{"from":"15:00","to":"09:00"}}|$.window: needs "from" before "to"' \
		'{"window":{"from":"9:15","to":"15:00"}}|$.window.from: must be a time "HH:MM" (IST)' \
		'{"symbols":"NSE:A-EQ"}|$.symbols: must be an array of symbols' \
		'{"multiplier":0}|$.multiplier: must be a whole number from 1 to 1000' \
		'{"max_orders_per_second":0}|$.max_orders_per_second: must be a whole number from 1 to 100' \
		'{"max_order_value":-1}|$.max_order_value: must be an amount in rupees from 0 to 1000000000000 with at most 4 decimals' \
		'{"on_kill":"sell"}|$.on_kill: must be "square_off" or "none"' \
		'{"limits":{"strategies":{}}}|$.limits.strategies: unknown key' \
		'{"user":{}}|$.user: unknown key (did you mean '"'users'"'?)'; do
		printf '%s\n' "${bad%%|*}" > "$TMP/bad.json"
		run algo-risk --check -c "$TMP/bad.json"
		[ "$status" -eq 78 ] || { echo "$bad: $status"; return 1; }
		[ "$output" = "algo-risk: $TMP/bad.json: ${bad#*|}" ] || { echo "got: $output"; return 1; }
	done
	run algo-risk --check
	[ "$status" -eq 2 ]
}

@test "risk limits: a daily PnL limit turns the barrier on; no executor answering: exit 69" {
	printf '%s\n' '{"strategies":{"s":{"max_daily_loss":5000}}}' > "$TMP/loss.json"
	run algo-risk --check -c "$TMP/loss.json"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	# a run waits for the executor before the first line it processes (its answer is the
	# executor's state), and nobody reads the syncs
	{ bar 09:15 NSE:A-EQ 10; sig 09:15:00 s NSE:A-EQ entry buy 1 10; bar 09:16 NSE:A-EQ 10
	  sig 09:16:00 s NSE:A-EQ exit sell 1 10; } > "$TMP/in"
	run --separate-stderr algo-risk -c "$TMP/loss.json" --barrier-timeout 1 < "$TMP/in"
	[ "$status" -eq 69 ]
	[ "$stderr" = "algo-risk: no execution stage answered sync 1 within 1 s; --barrier needs algo-exec-paper (or another executor) reading this output" ]
	# the syncs name a FIFO that is gone once algo-risk has exited
	fifo=$(printf '%s\n' "$output" | grep -m1 '"type":"sync"' | sed 's/.*"fifo":"\([^"]*\)".*/\1/')
	[ -n "$fifo" ] && [ ! -e "$fifo" ]
	! printf '%s\n' "$output" | grep -q '^{"type":"order"'
	[ "$(printf '%s\n' "$output" | grep -c .)" -eq 1 ]
}

@test "risk plans: FREE caps trades at 20 a day over the file's 50, 1 strategy, no live; no account: no caps" {
	export ALGO_STATE=$TMP/state.db
	algo-risk < /dev/null     # creates the database
	algo-ledger users add alice --email a@x.in --name Alice --plan FREE
	# 21 round trips a minute apart for alice and bob (no account): alice's 21st entry
	# is blocked by the plan (20 trades, limit 20), bob's passes (the file says 50).
	# FREE also caps the daily loss, so the run needs the barrier and an executor.
	{ for i in $(seq 0 20); do
		t=$(printf '%02d:%02d' $((10 + i / 60)) $((i % 60)))
		bar "$t" NSE:A-EQ 10; bar "$t" NSE:B-EQ 10
		sig "$t:00" s NSE:A-EQ entry buy 1 10 alice; sig "$t:30" s NSE:A-EQ exit sell 1 10 alice
		sig "$t:00" s NSE:B-EQ entry buy 1 10 bob; sig "$t:30" s NSE:B-EQ exit sell 1 10 bob
	  done
	  # a second strategy for alice: FREE allows 1
	  bar 11:00 NSE:C-EQ 10; sig 11:00:00 s2 NSE:C-EQ entry buy 1 10 alice; } > "$TMP/in"
	printf '%s\n' '{"max_trades_per_day":50}' > "$TMP/risk.json"
	algo-risk -c "$TMP/risk.json" --barrier < "$TMP/in" | algo-exec-paper --fill close > "$TMP/out"
	blocks | grep -Fxq '{"type":"risk_block","ts":"2024-03-01T10:20:00+05:30","strategy":"s","symbol":"NSE:A-EQ","side":"buy","qty":1,"rule":"plan","limit":20,"value":20,"reason":"plan FREE allows 20 trades per day","user":"alice"}'
	blocks | grep -Fxq '{"type":"risk_block","ts":"2024-03-01T11:00:00+05:30","strategy":"s2","symbol":"NSE:C-EQ","side":"buy","qty":1,"rule":"plan","limit":1,"value":1,"reason":"plan FREE allows 1 strategy","user":"alice"}'
	[ "$(orders | grep -c '"user":"bob"')" -eq 42 ]
	[ "$(orders | grep -c '"user":"alice"')" -eq 40 ]
	# live orders on FREE are blocked naming the plan; bob (no account) may go live
	rm -f "$TMP/state.db"*
	algo-risk < /dev/null
	algo-ledger users add alice --email a@x.in --name Alice --plan FREE
	{ sig 09:15:00 s NSE:A-EQ entry buy 1 10 alice; sig 09:15:00 s NSE:A-EQ entry buy 1 10 bob; } > "$TMP/in"
	risk '{}' --mode live < "$TMP/in"
	[ "$(blocks)" = '{"type":"risk_block","ts":"2024-03-01T09:15:00+05:30","strategy":"s","symbol":"NSE:A-EQ","side":"buy","qty":1,"rule":"plan","value":0,"reason":"plan FREE is paper only","user":"alice"}' ]
	orders | grep -q '"mode":"live","user":"bob"'
	# without the barrier a FREE account cannot trade: its loss cap could not be checked
	{ sig 09:16:00 s NSE:A-EQ entry buy 1 10 alice; } > "$TMP/in"
	risk '{}' < "$TMP/in"
	[ "$(blocks)" = '{"type":"risk_block","ts":"2024-03-01T09:16:00+05:30","strategy":"s","symbol":"NSE:A-EQ","side":"buy","qty":1,"rule":"plan","value":0,"reason":"plan FREE caps the daily loss, which needs algo-risk --barrier to see the fills","user":"alice"}' ]
}
