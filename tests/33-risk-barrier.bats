#!/usr/bin/env bats
# The fill barrier: algo-risk --barrier reads the executor's fills back; daily loss and
# profit limits on the real book, marked to market on every bar; exposure following the
# executor (legs, square-off, rejects); determinism under random delays; kill -9.
load test_helper
setup() { common_setup; export TMPDIR=$TMP; }

# bar HH:MM O H L C [SYMBOL] [DATE]: a one-minute bar.
bar() {
	printf '{"type":"bar","ts":"%sT%s:00+05:30","symbol":"%s","tf":"1m","o":%s,"h":%s,"l":%s,"c":%s,"v":100000}\n' \
		"${7:-2024-03-01}" "$1" "${6:-NSE:A-EQ}" "$2" "$3" "$4" "$5"
}
# sig HH:MM ACTION SIDE QTY [EXTRA-JSON] [DATE]: a signal of strategy s on NSE:A-EQ.
sig() {
	printf '{"type":"signal","ts":"%sT%s:00+05:30","strategy":"s","symbol":"NSE:A-EQ","action":"%s","side":"%s","qty":%s,"reason":"r"%s}\n' \
		"${6:-2024-03-01}" "$1" "$2" "$3" "$4" "${5:+,$5}"
}
# run_pipe RISK-JSON "EXEC OPTIONS" < input: algo-risk --barrier | algo-exec-paper,
# output in $TMP/out.
run_pipe() {
	printf '%s\n' "$1" > "$TMP/risk.json"
	# shellcheck disable=SC2086
	algo-risk --barrier -c "$TMP/risk.json" | algo-exec-paper --charges none $2 > "$TMP/out"
}
kills() { grep '^{"type":"kill_switch"' "$TMP/out" || true; }
blocks() { grep '^{"type":"risk_block"' "$TMP/out" | sed 's/.*"ts":"[^T]*T\([0-9:]*\)[^"]*".*"rule":"\([a-z_]*\)".*"reason":"\([^"]*\)".*/\1 \2 \3/' || true; }
orders() { grep '^{"type":"order"' "$TMP/out" | sed 's/.*"ts":"[^T]*T\([0-9:]*\)[^"]*","id":"\([^"]*\)".*"side":"\([a-z]*\)","qty":\([0-9]*\).*/\1 \2 \3 \4/' || true; }

# Long 10 from 100 (filled at 09:16's open); closes 100, 97, 94, 92: day PnL 0, -30,
# -60, -80 at 09:16 … 09:19.
falling() {
	bar 09:15 100 100 100 100; sig 09:15 entry buy 10
	bar 09:16 100 101 99 100; bar 09:17 100 100 96 97; bar 09:18 97 97 93 94
	bar 09:19 94 95 91 92; bar 09:20 92 93 90 91
	sig 09:20 exit sell 10; sig 09:21 entry buy 10; bar 09:21 91 92 90 91
}

@test "barrier: max_daily_loss trips on the bar where the marked PnL reaches it, between signals" {
	falling > "$TMP/in"
	run_pipe '{"max_daily_loss":75,"on_kill":"square_off"}' "" < "$TMP/in"
	# -60 at 09:18 is above -75; -80 at 09:19 reaches it: no signal at that bar
	[ "$(kills)" = '{"type":"kill_switch","ts":"2024-03-01T09:19:00+05:30","scope":"strategy","strategy":"s","state":"reducing","reason":"max_daily_loss: day PnL -80 reached -75"}' ]
	# the square-off order follows the kill_switch at once; it fills at 09:20's open 92
	[ "$(orders)" = "09:15:00 s2403010001 buy 10
09:19:00 s2403010002 sell 10" ]
	grep -A1 '"type":"kill_switch"' "$TMP/out" | tail -1 | grep -q '^{"type":"order","ts":"2024-03-01T09:19:00+05:30","id":"s2403010002",'

	grep -q '"type":"fill","ts":"2024-03-01T09:20:00+05:30","id":"s2403010002",.*"price":92,' "$TMP/out"
	# afterwards: the exit finds the position closed, the entry is refused (reducing)
	[ "$(blocks)" = "09:20:00 position exit while flat
09:21:00 reducing strategy s reducing: max_daily_loss: day PnL -80 reached -75" ]
	# recorded in the state database and the audit log, at market time
	[ "$(sqlite3 "$ALGO_STATE" "SELECT scope, key, state, who, ts_ms FROM risk_state")" = "strategy|s|reducing|algo-risk|1709264940000" ]
	[ "$(sqlite3 "$ALGO_STATE" "SELECT kind, strategy, reason FROM audit WHERE kind = 'kill'")" = "kill|s|max_daily_loss: day PnL -80 reached -75" ]
	# status: the day's realised PnL, net of charges, and what is left of the limit
	run algo-risk status -c "$TMP/risk.json"
	[[ "${lines[0]}" == "strategy s: reducing — max_daily_loss: day PnL -80 reached -75 (by algo-risk, 2024-03-01T09:19:00+05:30)" ]]
	[ "${lines[3]}" = "  day PnL (realised, net of charges): -80.00; loss limit 75.00, left 0.00" ]
	run algo-risk status -c "$TMP/risk.json" --format json
	[[ "$output" == *'"day_pnl":-80.0,"max_daily_loss":75.0,"loss_left":0.0}]}' ]]
}

@test "barrier: the day PnL is net of charges; a limit of exactly the loss trips" {
	falling > "$TMP/in"
	# no charges: -60 at 09:18 does not reach 61, -80 at 09:19 does
	run_pipe '{"max_daily_loss":61}' "" < "$TMP/in"
	kills | grep -q '"ts":"2024-03-01T09:19:00+05:30".*day PnL -80 reached -61'
	# brokerage 10 bps of 10 × 100 = 1.00 on the entry: -61 at 09:18 reaches -61
	rm -f "$ALGO_STATE"*
	printf '%s\n' '{"max_daily_loss":61}' > "$TMP/risk.json"
	algo-risk -c "$TMP/risk.json" < "$TMP/in" | algo-exec-paper --commission-bps 10 > "$TMP/out"
	[ "$(kills)" = '{"type":"kill_switch","ts":"2024-03-01T09:18:00+05:30","scope":"strategy","strategy":"s","state":"reducing","reason":"max_daily_loss: day PnL -61 reached -61"}' ]
	# no on_kill: the position stays open and the exit (reducing) passes
	[ "$(orders)" = "09:15:00 s2403010001 buy 10
09:20:00 s2403010002 sell 10" ]
	[ "$(blocks)" = "09:21:00 reducing strategy s reducing: max_daily_loss: day PnL -61 reached -61" ]
}

@test "barrier: max_daily_profit locks in: new entries stop, exits pass; the multiplier scales it" {
	{ bar 09:15 100 100 100 100; sig 09:15 entry buy 10
	  bar 09:16 100 101 99 100; bar 09:17 100 104 100 104; bar 09:18 104 106 104 105
	  sig 09:18 exit sell 10; bar 09:19 105 105 105 105; sig 09:19 entry buy 10; } > "$TMP/in"
	run_pipe '{"max_daily_profit":45}' "" < "$TMP/in"
	[ "$(kills)" = '{"type":"kill_switch","ts":"2024-03-01T09:18:00+05:30","scope":"strategy","strategy":"s","state":"reducing","reason":"max_daily_profit: day PnL 50 reached 45"}' ]
	[ "$(orders)" = "09:15:00 s2403010001 buy 10
09:18:00 s2403010002 sell 10" ]
	[ "$(blocks)" = "09:19:00 reducing strategy s reducing: max_daily_profit: day PnL 50 reached 45" ]
	# multiplier 2: 20 shares, the limit is 90: +40 at 09:17 and +100 at 09:18 -> 09:18
	rm -f "$ALGO_STATE"*
	run_pipe '{"max_daily_profit":45,"multiplier":2}' "" < "$TMP/in"
	kills | grep -q '"ts":"2024-03-01T09:18:00+05:30".*day PnL 100 reached 90'
	# 44.9999 never trips on +40 but does on +50; a limit above the best PnL never does
	rm -f "$ALGO_STATE"*
	run_pipe '{"max_daily_profit":50.0001}' "" < "$TMP/in"
	[ -z "$(kills)" ]
}

@test "barrier: a plan's daily loss cap wins over a larger file limit and names the plan" {
	algo-risk < /dev/null
	algo-ledger users add alice --email a@x.in --name Alice --plan FREE
	# 100 shares from 100: closes 85 (-1500) and 80 (-2000, FREE's cap; the file says 5000)
	{ bar 09:15 100 100 100 100; sig 09:15 entry buy 100 '"user":"alice"'
	  bar 09:16 100 100 99 100; bar 09:17 100 100 85 85; bar 09:18 85 85 80 80
	  sig 09:19 entry buy 1 '"user":"alice"'; bar 09:19 80 80 80 80; } > "$TMP/in"
	run_pipe '{"max_daily_loss":5000}' "" < "$TMP/in"
	[ "$(kills)" = '{"type":"kill_switch","ts":"2024-03-01T09:18:00+05:30","scope":"strategy","strategy":"s","state":"reducing","reason":"plan FREE caps the daily loss: day PnL -2000 reached -2000"}' ]
	[ "$(blocks)" = "09:19:00 reducing strategy s reducing: plan FREE caps the daily loss: day PnL -2000 reached -2000" ]
}

@test "barrier: resume lets entries through; a new day keeps the kill unless reset_kill_daily" {
	falling > "$TMP/in"
	run_pipe '{"max_daily_loss":75}' "" < "$TMP/in"
	[ "$(kills | wc -l)" -eq 1 ]
	# the next day: still reducing (a kill does not reset by itself)
	{ bar 09:15 100 100 100 100 NSE:A-EQ 2024-03-04; sig 09:15 entry buy 10 "" 2024-03-04
	  bar 09:16 100 100 100 100 NSE:A-EQ 2024-03-04; } > "$TMP/day2"
	run_pipe '{"max_daily_loss":75}' "" < "$TMP/day2"
	[ "$(blocks)" = "09:15:00 reducing strategy s reducing: max_daily_loss: day PnL -80 reached -75" ]
	# resume, and the same signal of a later minute passes
	algo-risk resume --strategy s --reason "reviewed" --who test 2>/dev/null
	sed 's/09:15/09:17/; s/09:16/09:18/' "$TMP/day2" > "$TMP/day2b"
	run_pipe '{"max_daily_loss":75}' "" < "$TMP/day2b"
	[ -z "$(blocks)" ]
	[ "$(orders)" = "09:17:00 s2403040001 buy 10" ]
	# with reset_kill_daily the first event of a new day resets, and the new day's PnL
	# starts from 0: a 70 loss on day 3 does not reach 75 although day 1 lost 80
	rm -f "$ALGO_STATE"*
	run_pipe '{"max_daily_loss":75,"reset_kill_daily":true}' "" < "$TMP/in"
	{ bar 09:15 100 100 100 100 NSE:A-EQ 2024-03-05; sig 09:15 entry buy 10 "" 2024-03-05
	  bar 09:16 100 100 100 100 NSE:A-EQ 2024-03-05; bar 09:17 100 100 93 93 NSE:A-EQ 2024-03-05; } > "$TMP/day3"
	run_pipe '{"max_daily_loss":75,"reset_kill_daily":true}' "" < "$TMP/day3"
	[ "$(kills)" = '{"type":"kill_switch","ts":"2024-03-05T09:15:00+05:30","scope":"strategy","strategy":"s","state":"active","reason":"daily reset"}' ]
	[ "$(orders)" = "09:15:00 s2403050001 buy 10" ]
}

@test "barrier: a bracket leg closing the position is seen: the later exit is blocked, a new entry passes" {
	# entry with sl 95: filled at 09:16's open 100, the stop leg fills at 95 on 09:17
	{ bar 09:15 100 100 100 100; sig 09:15 entry buy 10 '"sl":95'
	  bar 09:16 100 101 99 100; bar 09:17 99 99 94 96; bar 09:18 96 97 95 96
	  sig 09:18 exit sell 10; sig 09:18 entry buy 5; bar 09:19 96 96 96 96; } > "$TMP/in"
	run_pipe '{}' "" < "$TMP/in"
	grep -q '"type":"fill","ts":"2024-03-01T09:17:00+05:30","id":"s2403010001SL",.*"price":95,' "$TMP/out"
	[ "$(blocks)" = "09:18:00 position exit while flat" ]
	[ "$(orders)" = "09:15:00 s2403010001 buy 10
09:18:00 s2403010002 buy 5" ]
	# without the barrier risk believes the position open: the exit would sell short
	rm -f "$ALGO_STATE"*
	algo-risk < "$TMP/in" | algo-exec-paper > "$TMP/out"
	[ "$(orders | sed -n 2p)" = "09:18:00 s2403010002 sell 10" ]
}

@test "barrier: a target and a time exit on one bar close once; the exit is cancelled, not a short" {
	# entry with tp 101 fills at 09:16's open 100; the exit signal of 09:16 and the
	# target both fill on 09:17 (high 102): the target first (it was working first),
	# then the reduce-only exit finds the position closed
	{ bar 09:15 100 100 100 100; sig 09:15 entry buy 10 '"tp":101'
	  bar 09:16 100 100 100 100; sig 09:16 exit sell 10; bar 09:17 100.5 102 100 101
	  sig 09:18 entry buy 10; bar 09:18 101 101 101 101; bar 09:19 101 101 101 101; } > "$TMP/in"
	run_pipe '{}' "" < "$TMP/in"
	grep -q '"type":"order","ts":"2024-03-01T09:16:00+05:30","id":"s2403010002",.*"reduce_only":true' "$TMP/out"
	grep -q '"type":"fill","ts":"2024-03-01T09:17:00+05:30","id":"s2403010001TP",.*"qty":10,"price":101,' "$TMP/out"
	grep -q '"type":"order_update","ts":"2024-03-01T09:17:00+05:30","id":"s2403010002","status":"cancelled","reason":"position already closed"' "$TMP/out"
	[ "$(grep -c '"type":"fill"' "$TMP/out")" -eq 3 ]
	# the book is flat, so the next entry passes and fills
	[ -z "$(blocks)" ]
	grep -q '"type":"fill","ts":"2024-03-01T09:19:00+05:30","id":"s2403010003",' "$TMP/out"
}

@test "barrier: the 15:20 square-off is seen; a rejected order gives its exposure back" {
	{ bar 15:10 100 100 100 100; sig 15:10 entry buy 10; bar 15:11 100 100 100 100
	  bar 15:21 101 101 101 101; sig 15:25 exit sell 10; bar 15:25 101 101 101 101; } > "$TMP/in"
	run_pipe '{}' "" < "$TMP/in"
	grep -q '"type":"fill","ts":"2024-03-01T15:21:00+05:30","id":"SQ2403010001",.*"reason":"square-off"' "$TMP/out"
	[ "$(blocks)" = "15:25:00 position exit while flat" ]
	# --capital 500 rejects 10 × 100; the next entry of 4 is not "entry while long"
	rm -f "$ALGO_STATE"*
	{ bar 09:15 100 100 100 100; sig 09:15 entry buy 10; bar 09:16 100 100 100 100
	  sig 09:16 entry buy 4; bar 09:17 100 100 100 100; } > "$TMP/in"
	run_pipe '{}' "--capital 500" < "$TMP/in"
	grep -q '"type":"order_update","ts":"2024-03-01T09:15:00+05:30","id":"s2403010001","status":"rejected"' "$TMP/out"
	[ -z "$(blocks)" ]
	[ "$(orders)" = "09:15:00 s2403010001 buy 10
09:16:00 s2403010002 buy 4" ]
	# what the executor reported is in the database for a restart
	[ "$(sqlite3 "$ALGO_STATE" "SELECT kind, order_id, qty FROM risk_fills ORDER BY seq")" = "final|s2403010001|0
fill|s2403010002|4
final|s2403010002|4" ]
}

@test "barrier: 20 runs of a backtest with a loss limit and random delays between stages are identical" {
	cd "$ROOT"
	printf '%s\n' '{"max_daily_loss":400,"on_kill":"square_off","reset_kill_daily":true}' > "$TMP/risk.json"
	# a filter that sleeps up to 3 ms after a random 3% of the lines
	delay() { perl -e '$|=1; srand($ARGV[0]); while (<STDIN>) { print; select(undef,undef,undef,rand(0.003)) if rand() < 0.03 }' "$1"; }
	for i in $(seq 1 20); do
		s=$((i * 7919))
		ALGO_STATE=$TMP/r$i.db
		export ALGO_STATE
		algo-feed csv --no-progress examples/data/NSE_DEMO-EQ_1m.csv | delay $s |
			algo-eval -s examples/strategies/demo-intraday.json | delay $((s + 1)) |
			algo-risk --barrier -c "$TMP/risk.json" | delay $((s + 2)) |
			algo-exec-paper --slippage-bps 1 --charges share/costs/india.json 2>/dev/null | delay $((s + 3)) |
			algo-ledger --state "$ALGO_STATE" > "$TMP/ev$i"
		sqlite3 "$ALGO_STATE" "SELECT * FROM risk_signals ORDER BY rowid; SELECT * FROM risk_state;
			SELECT user, order_id, kind, qty, price, fee FROM risk_fills ORDER BY seq" > "$TMP/db$i"
	done
	# the limit trips on several days, so the barrier matters
	[ "$(grep -c '"type":"kill_switch".*"state":"reducing"' "$TMP/ev1")" -ge 3 ]
	for i in $(seq 2 20); do
		cmp "$TMP/ev1" "$TMP/ev$i"
		cmp "$TMP/db1" "$TMP/db$i"
	done
	# the executor does not pass syncs on
	! grep -q '"type":"sync"' "$TMP/ev1"
}

@test "barrier: kill -9 of algo-risk mid-run and a restart: the uninterrupted run's output, no id twice" {
	# 60 round trips on bars a minute apart, replayed every 20 ms
	for i in $(seq 0 59); do
		t=$(printf '%02d:%02d' $((9 + (15 + i * 2) / 60)) $(((15 + i * 2) % 60)))
		t2=$(printf '%02d:%02d' $((9 + (16 + i * 2) / 60)) $(((16 + i * 2) % 60)))
		bar "$t" 100 100 100 100; sig "$t" entry buy 1; bar "$t2" 100 100 100 100; sig "$t2" exit sell 1
	done > "$TMP/in"
	ALGO_STATE=$TMP/ref.db algo-risk --barrier < "$TMP/in" | ALGO_STATE=$TMP/ref.db algo-exec-paper > "$TMP/ref" 2>/dev/null
	[ "$(grep -c '^{"type":"fill"' "$TMP/ref")" -eq 119 ]
	mkfifo "$TMP/feed"
	algo-feed replay --every 20 "$TMP/in" > "$TMP/feed" &
	feed=$!
	# the real binaries, not the test shims: kill -9 must hit algo-risk itself
	"$BIN/algo-risk" --barrier < "$TMP/feed" 2>/dev/null | "$BIN/algo-exec-paper" > "$TMP/out1" 2>/dev/null &
	for _ in $(seq 100); do
		[ "$(grep -c '"type":"fill"' "$TMP/out1" 2>/dev/null)" -ge 20 ] && break
		sleep 0.05
	done
	pkill -9 -f "^$BIN/algo-risk --barrier" || true
	wait || true
	kill "$feed" 2>/dev/null || true
	n1=$(grep -c '^{"type":"order"' "$TMP/out1")
	[ "$n1" -ge 20 ] && [ "$n1" -lt 120 ]
	# the whole pipeline again, on the same state and the same input from the start:
	# algo-risk answers what it had processed as it did, and decides the rest on its
	# restored book; downstream sees exactly the uninterrupted run
	algo-risk --barrier < "$TMP/in" | algo-exec-paper > "$TMP/out2" 2>/dev/null
	diff "$TMP/out2" "$TMP/ref"
	[ "$(sqlite3 "$ALGO_STATE" "SELECT trades, orders FROM risk_day")" = "60|120" ]
	[ "$(sqlite3 "$ALGO_STATE" "SELECT count(*) FROM risk_signals")" -eq 120 ]
	# no order id stands for two different orders
	cat "$TMP/out1" "$TMP/out2" | grep '^{"type":"order"' | sort -u | grep -o '"id":"[^"]*"' |
		sort | uniq -d > "$TMP/dups"
	[ ! -s "$TMP/dups" ]
}

@test "barrier: algo-risk kill during a replay: no entry approved after the next event" {
	algo-risk < /dev/null
	for i in $(seq 0 59); do
		t=$(printf '%02d:%02d' $((9 + (15 + i * 2) / 60)) $(((15 + i * 2) % 60)))
		t2=$(printf '%02d:%02d' $((9 + (16 + i * 2) / 60)) $(((16 + i * 2) % 60)))
		bar "$t" 100 100 100 100; sig "$t" entry buy 1; bar "$t2" 100 100 100 100; sig "$t2" exit sell 1
	done > "$TMP/in"
	algo-feed replay --every 30 "$TMP/in" | algo-risk --barrier | algo-exec-paper > "$TMP/out" 2>/dev/null &
	pid=$!
	for _ in $(seq 100); do
		[ "$(grep -c '"type":"fill"' "$TMP/out" 2>/dev/null)" -ge 10 ] && break
		sleep 0.1
	done
	algo-risk kill --all --reason "drill" --who test 2>/dev/null
	wait "$pid"
	[ "$(grep -c '^{"type":"kill_switch"' "$TMP/out")" -eq 1 ]
	after=$(sed -n '/"type":"kill_switch"/,$p' "$TMP/out")
	! grep -q '^{"type":"order"' <<<"$after"
	grep -q '"rule":"halted"' <<<"$after"
	# the executor filled everything approved before the kill
	[ "$(grep -c '^{"type":"order"' "$TMP/out")" -eq "$(grep -c '^{"type":"fill"' "$TMP/out")" ]
}

@test "barrier: a fill record sent twice (an answer repeated after a crash) counts once" {
	# A stand-in executor answers every sync; at sync 2 (the one before the second
	# signal) it reports the entry's fill and a stop-leg fill twice with the same number.
	fake() {
		local line id fifo recs
		while IFS= read -r line; do
			case $line in *'"type":"sync"'*) ;; *) continue ;; esac
			id=$(sed 's/.*"id":\([0-9]*\).*/\1/' <<<"$line")
			fifo=$(sed 's/.*"fifo":"\([^"]*\)".*/\1/' <<<"$line")
			[ -n "${open:-}" ] || { exec 9>"$fifo"; open=1; }
			recs=
			if [ "$id" -eq 2 ]; then
				f='{"type":"fill","ts":"2024-03-01T09:16:00+05:30","id":"%s","n":1,"user":"default","strategy":"s","symbol":"NSE:A-EQ","side":"%s","qty":10,"price":%s,"fee":0}\n'
				# shellcheck disable=SC2059
				recs=$(printf "$f$f$f" s2403010001 buy 100 s2403010001SL sell 95 s2403010001SL sell 95)
				recs+=$'\n''{"type":"final","ts":"2024-03-01T09:16:00+05:30","id":"s2403010001","user":"default","status":"filled","filled":10}'$'\n'
			fi
			printf '%s{"type":"ack","id":%s,"ts":"2024-03-01T09:16:00+05:30","square_off":-1,"open":0,"slip_bps":0,"slip_abs":0,"fee_bps":100,"working":[],"positions":[]}\n' \
				"$recs" "$id" >&9
		done
	}
	{ bar 09:15 100 100 100 100; sig 09:15 entry buy 10 '"sl":95'; bar 09:16 100 100 94 96
	  sig 09:16 entry buy 5; } > "$TMP/in"
	"$BIN/algo-risk" --barrier < "$TMP/in" | tee "$TMP/out" | fake
	# once: long 10, then the leg closed it -> flat, so the second entry passes
	grep -q '"type":"order","ts":"2024-03-01T09:16:00+05:30","id":"s2403010002",.*"side":"buy","qty":5,' "$TMP/out"
	[ "$(sqlite3 "$ALGO_STATE" "SELECT order_id, qty FROM risk_fills WHERE kind = 'fill' ORDER BY seq")" = "s2403010001|10
s2403010001SL|10" ]
}

@test "barrier: the executor refuses a bad sync; algo-risk ends when its reader goes away" {
	printf '%s\n' '{"type":"sync","ts":"2024-03-01T09:15:00+05:30","id":1,"fifo":"/nonexistent/fills"}' > "$TMP/in"
	run --separate-stderr algo-exec-paper < "$TMP/in"
	[ "$status" -eq 1 ]
	[ "$stderr" = "algo-exec-paper: stdin:1: sync: /nonexistent/fills: No such file or directory" ]
	printf '%s\n' '{"type":"sync","ts":"2024-03-01T09:15:00+05:30","id":1}' > "$TMP/in"
	run --separate-stderr algo-exec-paper < "$TMP/in"
	[ "$status" -eq 65 ]
	[ "$stderr" = "algo-exec-paper: stdin:1: missing field 'fifo'" ]
	# a reader that goes away while algo-risk waits for an answer: it ends at once
	# (quietly, as with any closed pipe) instead of waiting out the time-out. The real
	# binary: the test shim's tee in between would hide the closed pipe.
	falling > "$TMP/in"
	run --separate-stderr timeout 20 bash -c '"$1" --barrier < "$2" | head -n 1 > /dev/null' _ "$BIN/algo-risk" "$TMP/in"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	# and its FIFO directory is gone
	[ -z "$(ls -d "$TMP"/algo-risk.* 2>/dev/null)" ]
}
