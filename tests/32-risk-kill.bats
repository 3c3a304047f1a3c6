#!/usr/bin/env bats
# algo-risk states (active, reducing, halted) in the state database: kill/resume from
# the CLI, picked up by the next run and by a running one, kill_switch events,
# square-off, daily counters across restarts, reset_kill_daily, status, crash safety.
load test_helper

sig() {   # sig DATE HH:MM:SS STRATEGY SYMBOL ACTION SIDE QTY
	printf '{"type":"signal","ts":"%sT%s+05:30","strategy":"%s","symbol":"%s","action":"%s","side":"%s","qty":%s,"ref":10,"reason":"r"}\n' \
		"$1" "$2" "$3" "$4" "$5" "$6" "$7"
}
bar() {   # bar DATE HH:MM:SS SYMBOL
	printf '{"type":"bar","ts":"%sT%s+05:30","symbol":"%s","tf":"1s","o":10,"h":10,"l":10,"c":10,"v":1}\n' "$1" "$2" "$3"
}
D=2024-03-01
run_risk() {   # run_risk IN [ARGS...]: algo-risk on the test's $ALGO_STATE
	local in=$1
	shift
	status=0
	algo-risk "$@" < "$in" > "$TMP/out" 2> "$TMP/err" || status=$?
}

@test "kill/resume: recorded in risk_state and the audit log; the next run obeys" {
	algo-risk < /dev/null
	USER=ops algo-risk kill --strategy s --mode reducing --reason "drill one"
	[ "$(sqlite3 "$ALGO_STATE" "SELECT scope, key, state, reason, who FROM risk_state")" = "strategy|s|reducing|drill one|ops" ]
	[ "$(sqlite3 "$ALGO_STATE" "SELECT kind, strategy, reason FROM audit")" = "kill|s|drill one" ]
	run algo-ledger audit verify --state "$ALGO_STATE"
	# reducing: the entry is blocked, the exit of an open position passes.
	sqlite3 "$ALGO_STATE" "DELETE FROM risk_state"
	{ sig $D 09:15:00 s NSE:A-EQ entry buy 5; } > "$TMP/in1"
	run_risk "$TMP/in1"
	grep -q '"id":"s2403010001"' "$TMP/out"
	algo-risk kill --strategy s --mode reducing --reason "drill one" --who ops
	{ sig $D 09:16:00 s NSE:B-EQ entry buy 5; sig $D 09:17:00 s NSE:A-EQ exit sell 5; } > "$TMP/in2"
	run_risk "$TMP/in2"
	[ "$status" -eq 0 ]
	[ "$(sed -n 2p "$TMP/out")" = '{"type":"risk_block","ts":"2024-03-01T09:16:00+05:30","strategy":"s","symbol":"NSE:B-EQ","side":"buy","qty":5,"rule":"reducing","value":0,"reason":"strategy s reducing: drill one","user":"default"}' ]
	[ "$(sed -n 4p "$TMP/out")" = '{"type":"order","ts":"2024-03-01T09:17:00+05:30","id":"s2403010002","strategy":"s","symbol":"NSE:A-EQ","side":"sell","qty":5,"kind":"market","product":"intraday","validity":"day","mode":"paper","user":"default","reduce_only":true}' ]
	# halted (user scope wins over an active strategy): everything is blocked, exits too.
	algo-risk kill --user default --reason stop --who ops
	{ sig $D 09:18:00 s NSE:A-EQ entry buy 5; sig $D 09:18:00 t NSE:A-EQ exit sell 5; } > "$TMP/in3"
	run_risk "$TMP/in3"
	[ "$(sed -n 2p "$TMP/out")" = '{"type":"risk_block","ts":"2024-03-01T09:18:00+05:30","strategy":"s","symbol":"NSE:A-EQ","side":"buy","qty":5,"rule":"halted","value":0,"reason":"user default halted: stop","user":"default"}' ]
	sed -n 4p "$TMP/out" | grep -q '"strategy":"t",.*"rule":"halted",'
	# resume both: the next run trades again; the audit log has all four rows
	algo-risk resume --user default --reason ok --who ops
	algo-risk resume --strategy s --who ops
	{ sig $D 09:19:00 s NSE:B-EQ entry buy 5; } > "$TMP/in4"
	run_risk "$TMP/in4"
	grep -q '"id":"s2403010003"' "$TMP/out"
	[ "$(sqlite3 "$ALGO_STATE" "SELECT group_concat(x, ' ') FROM (SELECT kind || ':' || user AS x FROM audit ORDER BY seq)")" = "kill:ops kill:ops kill:default resume:default resume:ops" ]
	run algo-ledger audit verify --state "$ALGO_STATE"
	[ "$status" -eq 0 ]
}

@test "kill/resume: usage errors" {
	run algo-risk kill --strategy s --user u
	[ "$status" -eq 2 ]
	run algo-risk kill --mode paused
	[ "$status" -eq 2 ]
	[[ "$output" == *"--mode: must be halted or reducing"* ]]
	run algo-risk resume --mode halted
	[ "$status" -eq 2 ]
	run algo-risk --reason x < /dev/null
	[ "$status" -eq 2 ]
	run algo-risk --format json < /dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == *"--format belongs to status"* ]]
}

@test "kill: a running pipeline (algo-feed replay) sees algo-risk kill --all within one event" {
	algo-risk < /dev/null
	# 120 round trips, one signal a second; replayed every 50 ms.
	for i in $(seq 0 119); do
		t=$(printf '09:%02d:%02d' $((15 + i * 2 / 60)) $((i * 2 % 60)))
		sig $D "$t" s NSE:A-EQ entry buy 1
		t=$(printf '09:%02d:%02d' $((15 + (i * 2 + 1) / 60)) $(((i * 2 + 1) % 60)))
		sig $D "$t" s NSE:A-EQ exit sell 1
	done > "$TMP/in"
	algo-feed replay --every 50 "$TMP/in" | algo-risk > "$TMP/out" 2> "$TMP/err" &
	pid=$!
	for _ in $(seq 100); do
		[ "$(grep -c '"type":"order"' "$TMP/out" 2>/dev/null)" -ge 10 ] && break
		sleep 0.1
	done
	algo-risk kill --all --reason "drill" --who test
	wait "$pid"
	[ "$(grep -c '^{"type":"kill_switch"' "$TMP/out")" -eq 1 ]
	grep '^{"type":"kill_switch"' "$TMP/out" | grep -Eq '^\{"type":"kill_switch","ts":"2024-03-01T09:[0-9:]+\+05:30","scope":"all","state":"halted","reason":"drill"\}$'
	# nothing approved after the kill_switch line; everything after it is blocked
	after=$(sed -n '/"type":"kill_switch"/,$p' "$TMP/out")
	! grep -q '^{"type":"order"' <<<"$after"
	grep -q '"rule":"halted"' <<<"$after"
	[ "$(grep -c '^{"type":"signal"' "$TMP/out")" -eq 240 ]
}

@test "kill: on_kill square_off closes the covered positions right after the kill_switch" {
	algo-risk < /dev/null
	echo '{"on_kill":"square_off"}' > "$TMP/r.json"
	{ sig $D 09:15:00 s NSE:A-EQ entry buy 3; sig $D 09:15:00 s NSE:B-EQ entry sell 2
	  sig $D 09:15:00 other NSE:A-EQ entry buy 1
	  for i in $(seq 1 59); do bar $D "$(printf '09:16:%02d' "$i")" NSE:A-EQ; done; } > "$TMP/in"
	algo-feed replay --every 50 "$TMP/in" | algo-risk -c "$TMP/r.json" > "$TMP/out" 2> "$TMP/err" &
	pid=$!
	for _ in $(seq 100); do
		[ "$(grep -c '"type":"bar"' "$TMP/out" 2>/dev/null)" -ge 3 ] && break
		sleep 0.1
	done
	algo-risk kill --strategy s --mode reducing --reason "flatten" --who test
	wait "$pid"
	# strategy s is long 3 NSE:A-EQ and short 2 NSE:B-EQ: two closing orders with the next
	# ids of the day follow the kill_switch; strategy other is not covered.
	run grep -A2 '^{"type":"kill_switch"' "$TMP/out"
	[[ "${lines[0]}" == '{"type":"kill_switch","ts":"2024-03-01T09:16:'*'+05:30","scope":"strategy","strategy":"s","state":"reducing","reason":"flatten"}' ]]
	[[ "${lines[1]}" == '{"type":"order","ts":"2024-03-01T09:16:'*'","id":"s2403010003","strategy":"s","symbol":"NSE:A-EQ","side":"sell","qty":3,"kind":"market","product":"intraday","validity":"day","mode":"paper","user":"default","reduce_only":true}' ]]
	[[ "${lines[2]}" == '{"type":"order","ts":"2024-03-01T09:16:'*'","id":"s2403010004","strategy":"s","symbol":"NSE:B-EQ","side":"buy","qty":2,"kind":"market","product":"intraday","validity":"day","mode":"paper","user":"default","reduce_only":true}' ]]
	[ "$(grep -c '^{"type":"order"' "$TMP/out")" -eq 5 ]
	# the square-off is recorded: status shows s flat, other still long
	run algo-risk status --format json
	[ "$status" -eq 0 ]
	[[ "$output" == '{"kill_switch":[{'*'}],"strategies":[{"user":"default","strategy":"s","state":"reducing","reason":"strategy s reducing: flatten","day":"2024-03-01","trades_today":2,"trades_left":null,"plan":null,"positions":{},"day_pnl":0.0,"max_daily_loss":null,"loss_left":null},{"user":"default","strategy":"other","state":"active","reason":"","day":"2024-03-01","trades_today":1,"trades_left":null,"plan":null,"positions":{"NSE:A-EQ":1},"day_pnl":0.0,"max_daily_loss":null,"loss_left":null}]}' ]]
}

@test "daily counters survive a restart and reset on the next IST day" {
	echo '{"max_trades_per_day":1}' > "$TMP/r.json"
	{ sig $D 09:15:00 s NSE:A-EQ entry buy 1; sig $D 09:16:00 s NSE:A-EQ exit sell 1; } > "$TMP/in1"
	run_risk "$TMP/in1" -c "$TMP/r.json"
	[ "$(grep -c '^{"type":"order"' "$TMP/out")" -eq 2 ]
	# restart: the trade of the day is remembered (1 trade, limit 1); the next day resets
	{ sig $D 09:17:00 s NSE:A-EQ entry buy 1; sig 2024-03-04 09:15:00 s NSE:A-EQ entry buy 1; } > "$TMP/in2"
	run_risk "$TMP/in2" -c "$TMP/r.json"
	[ "$(sed -n 2p "$TMP/out")" = '{"type":"risk_block","ts":"2024-03-01T09:17:00+05:30","strategy":"s","symbol":"NSE:A-EQ","side":"buy","qty":1,"rule":"max_trades_per_day","limit":1,"value":1,"reason":"1 trade today, limit 1","user":"default"}' ]
	sed -n 4p "$TMP/out" | grep -q '"id":"s2403040001"'
	[ "$(sqlite3 "$ALGO_STATE" "SELECT day, trades, orders, blocks FROM risk_day ORDER BY day" | tr '\n' ' ')" = "19783|1|2|1 19786|1|1|0 " ]
}

@test "kill does not reset by itself on a new day; reset_kill_daily does, with a kill_switch event" {
	algo-risk < /dev/null
	algo-risk kill --all --reason "eod" --who test
	{ sig $D 15:00:00 s NSE:A-EQ entry buy 1; sig 2024-03-04 09:15:00 s NSE:A-EQ entry buy 1; } > "$TMP/in"
	run_risk "$TMP/in"
	[ "$(grep -c '"rule":"halted"' "$TMP/out")" -eq 2 ]
	! grep -q kill_switch "$TMP/out"
	echo '{"reset_kill_daily":true}' > "$TMP/r.json"
	{ sig 2024-03-04 15:00:00 s NSE:A-EQ entry buy 1; sig 2024-03-05 09:15:00 s NSE:A-EQ entry buy 1; } > "$TMP/in"
	run_risk "$TMP/in" -c "$TMP/r.json"
	[ "$status" -eq 0 ]
	sed -n 2p "$TMP/out" | grep -q '"rule":"halted"'
	[ "$(sed -n 4p "$TMP/out")" = '{"type":"kill_switch","ts":"2024-03-05T09:15:00+05:30","scope":"all","state":"active","reason":"daily reset"}' ]
	sed -n 5p "$TMP/out" | grep -q '"type":"order","ts":"2024-03-05T09:15:00+05:30","id":"s2403050001"'
	[ "$(sqlite3 "$ALGO_STATE" "SELECT state FROM risk_state")" = active ]
}

@test "status: text and json, states, trades left and positions" {
	algo-risk < /dev/null
	echo '{"max_trades_per_day":3}' > "$TMP/r.json"
	{ sig $D 09:15:00 s NSE:A-EQ entry buy 4; } > "$TMP/in"
	run_risk "$TMP/in" -c "$TMP/r.json"
	algo-risk kill --strategy s --reason "manual" --who test
	run algo-risk status -c "$TMP/r.json"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "strategy s: halted — manual (by test, "*"+05:30)" ]]
	[ "${lines[1]}" = "default/s: halted — strategy s halted: manual" ]
	[ "${lines[2]}" = "  trades on 2024-03-01: 1, left: 2" ]
	[ "${lines[3]}" = "  day PnL (realised, net of charges): 0.00" ]
	[ "${lines[4]}" = "  position NSE:A-EQ 4" ]
	run algo-risk status -c "$TMP/r.json" --format json
	[[ "$output" == '{"kill_switch":[{'*'}],"strategies":[{"user":"default","strategy":"s","state":"halted","reason":"strategy s halted: manual","day":"2024-03-01","trades_today":1,"trades_left":2,"plan":null,"positions":{"NSE:A-EQ":4},"day_pnl":0.0,"max_daily_loss":null,"loss_left":null}]}' ]]
	run algo-risk status --format yaml
	[ "$status" -eq 2 ]
}

@test "crash: kill -9 mid-run, the same input again: exactly the uninterrupted output, no id twice" {
	for i in $(seq 0 59); do
		t=$(printf '09:%02d:%02d' $((15 + i * 2 / 60)) $((i * 2 % 60)))
		sig $D "$t" s NSE:A-EQ entry buy 1
		t=$(printf '09:%02d:%02d' $((15 + (i * 2 + 1) / 60)) $(((i * 2 + 1) % 60)))
		sig $D "$t" s NSE:A-EQ exit sell 1
	done > "$TMP/in"
	# reference: one uninterrupted run on a fresh database
	ALGO_STATE=$TMP/ref.db algo-risk < "$TMP/in" > "$TMP/ref"
	[ "$(grep -c '^{"type":"order"' "$TMP/ref")" -eq 120 ]
	# a slow feed into algo-risk, killed with SIGKILL after some orders
	mkfifo "$TMP/fifo"
	algo-feed replay --every 20 "$TMP/in" > "$TMP/fifo" &
	feed=$!
	# the real binary, not the test shim: kill -9 must hit algo-risk itself
	"$BIN/algo-risk" < "$TMP/fifo" > "$TMP/out1" 2>/dev/null &
	pid=$!
	for _ in $(seq 100); do
		[ "$(grep -c '"type":"order"' "$TMP/out1" 2>/dev/null)" -ge 20 ] && break
		sleep 0.05
	done
	kill -9 "$pid"
	wait "$pid" || true
	kill "$feed" 2>/dev/null || true
	wait "$feed" || true
	n1=$(grep -c '^{"type":"order"' "$TMP/out1")
	[ "$n1" -ge 20 ] && [ "$n1" -lt 120 ]
	# what got out before the kill is the start of the uninterrupted output
	diff "$TMP/out1" <(head -n "$(wc -l < "$TMP/out1")" "$TMP/ref")
	# the same input again: what was processed is answered as it was (re-emitted, not
	# skipped: downstream may have lost it), the rest decided on the restored state
	algo-risk < "$TMP/in" > "$TMP/out2"
	diff "$TMP/out2" "$TMP/ref"
	[ "$(sqlite3 "$ALGO_STATE" "SELECT trades, orders FROM risk_day")" = "60|120" ]
	# a third time: the same again, and nothing decided twice
	algo-risk < "$TMP/in" > "$TMP/out3"
	diff "$TMP/out3" "$TMP/ref"
	[ "$(sqlite3 "$ALGO_STATE" "SELECT count(*) FROM risk_signals")" -eq 120 ]
	# no order id stands for two different orders anywhere
	cat "$TMP/out1" "$TMP/out2" "$TMP/out3" | grep '^{"type":"order"' | sort -u |
		grep -o '"id":"[^"]*"' | sort | uniq -d > "$TMP/dups"
	[ ! -s "$TMP/dups" ]
}
