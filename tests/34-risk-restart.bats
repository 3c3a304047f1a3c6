#!/usr/bin/env bats
# algo-risk across runs on one state database: a stream in chunks gives one run's
# output; the same input again, after a crash or from an earlier point, is answered as
# it was; kills from outside are saved before they show and do not change lines whose
# output had gone out; a damaged or missing snapshot; two users in one database.
load test_helper

# stream DAYS: bars of two symbols and signals of two strategies, a minute apart, over
# DAYS trading days (each signal a second after its bar, in time order).
stream() {
	local d day i t sym strat act side
	for d in $(seq 1 "$1"); do
		day=$(printf '2024-03-%02d' $((d + 3)))
		for i in $(seq 0 59); do
			t=$(printf '%02d:%02d' $((10 + i / 60)) $((i % 60)))
			for sym in A B; do
				printf '{"type":"bar","ts":"%sT%s:00+05:30","symbol":"NSE:%s-EQ","tf":"1m","o":100,"h":101,"l":99,"c":100,"v":1000}\n' "$day" "$t" "$sym"
			done
			strat=$([ $((i % 3)) -eq 0 ] && echo a || echo b)
			act=$([ $((i % 2)) -eq 0 ] && echo entry || echo exit)
			side=$([ "$act" = entry ] && echo buy || echo sell)
			sym=$([ $((i % 4)) -lt 2 ] && echo A || echo B)
			printf '{"type":"signal","ts":"%sT%s:01+05:30","strategy":"%s","symbol":"NSE:%s-EQ","action":"%s","side":"%s","qty":%d,"reason":"r"}\n' \
				"$day" "$t" "$strat" "$sym" "$act" "$side" $((1 + i % 5))
		done
	done
}

setup() {
	common_setup
	printf '%s\n' '{"max_trades_per_day":7,"strategies":{"b":{"max_position_qty":3}},"window":{"from":"10:05","to":"11:00"}}' > "$TMP/risk.json"
	stream 3 > "$TMP/in"
	ALGO_STATE=$TMP/ref.db algo-risk -c "$TMP/risk.json" < "$TMP/in" > "$TMP/ref"
	# the limits matter: some entries are blocked by each rule
	grep -q '"rule":"max_trades_per_day"' "$TMP/ref"
	grep -q '"rule":"max_position_qty"' "$TMP/ref"
	grep -q '"rule":"window"' "$TMP/ref"
}

@test "restart: unit tests of the snapshot, the fills channel's cursor, bounded memory, own state writes" {
	run_unit test_risk
}

# chunks FILE N...: runs algo-risk over FILE cut at the given line numbers, each piece
# a run on $ALGO_STATE, the outputs concatenated on stdout.
chunks() {
	local file=$1 from=1 to
	shift
	for to in "$@" $(($(wc -l < "$file") + 1)); do
		sed -n "${from},$((to - 1))p" "$file" | algo-risk -c "$TMP/risk.json"
		from=$to
	done
}

@test "restart: the stream in 7 and in 75 chunks, and 10 times cut at random, gives one run's output" {
	n=$(wc -l < "$TMP/in")
	chunks "$TMP/in" $(seq $((n / 7)) $((n / 7)) $((n - 1)) | head -6) > "$TMP/out"
	diff "$TMP/out" "$TMP/ref"
	rm -f "$ALGO_STATE"*
	chunks "$TMP/in" $(seq 5 5 374) > "$TMP/out"
	diff "$TMP/out" "$TMP/ref"
	for k in $(seq 1 10); do
		rm -f "$ALGO_STATE"*
		cuts=$(shuf -i 2-"$n" -n $((k * 3)) --random-source=<(yes "$k") | sort -n | uniq)
		# shellcheck disable=SC2086
		chunks "$TMP/in" $cuts > "$TMP/out"
		diff "$TMP/out" "$TMP/ref"
	done
	# the records agree with one run's
	diff <(sqlite3 "$ALGO_STATE" "SELECT * FROM risk_signals ORDER BY rowid") \
		<(sqlite3 "$TMP/ref.db" "SELECT * FROM risk_signals ORDER BY rowid")
}

@test "restart: input from an earlier point is answered as before, the rest is new" {
	head -n 200 "$TMP/in" | algo-risk -c "$TMP/risk.json" > "$TMP/out1"
	# again from line 150: lines 150..200 come out as they did the first time
	tail -n +150 "$TMP/in" | algo-risk -c "$TMP/risk.json" > "$TMP/out2"
	head -n 149 "$TMP/in" | ALGO_STATE=$TMP/part.db algo-risk -c "$TMP/risk.json" > "$TMP/part"
	diff "$TMP/out2" <(tail -n +$(($(wc -l < "$TMP/part") + 1)) "$TMP/ref")
	[ "$(sqlite3 "$ALGO_STATE" "SELECT count(*) FROM risk_signals")" -eq "$(sqlite3 "$TMP/ref.db" "SELECT count(*) FROM risk_signals")" ]
	# the whole stream once more: all of it answered, nothing decided twice
	algo-risk -c "$TMP/risk.json" < "$TMP/in" > "$TMP/out3"
	diff "$TMP/out3" "$TMP/ref"
	diff <(sqlite3 "$ALGO_STATE" "SELECT * FROM risk_signals ORDER BY rowid") \
		<(sqlite3 "$TMP/ref.db" "SELECT * FROM risk_signals ORDER BY rowid")
}

# slow_run OUT [RISK-OPTIONS...]: algo-risk (the binary itself, for kill -9) on the
# stream replayed every 10 ms; sets $pid and $feed.
slow_run() {
	local out=$1
	shift
	rm -f "$TMP/fifo"
	mkfifo "$TMP/fifo"
	algo-feed replay --every 10 "$TMP/in" > "$TMP/fifo" &
	feed=$!
	"$BIN/algo-risk" -c "$TMP/risk.json" "$@" < "$TMP/fifo" > "$out" 2>/dev/null &
	pid=$!
}
wait_for() {   # wait_for PATTERN FILE MIN
	for _ in $(seq 200); do
		[ "$(grep -c "$1" "$2" 2>/dev/null)" -ge "$3" ] && return 0
		sleep 0.05
	done
	return 1
}
stop_run() {
	kill -9 "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	kill "$feed" 2>/dev/null || true
	wait "$feed" 2>/dev/null || true
}

@test "restart: a kill from outside after a crash does not change lines whose output had gone out" {
	slow_run "$TMP/out1"
	wait_for '"type":"order"' "$TMP/out1" 12
	stop_run
	n1=$(wc -l < "$TMP/out1")
	diff "$TMP/out1" <(head -n "$n1" "$TMP/ref")
	# while nothing runs, strategy a is killed
	algo-risk kill --strategy a --reason "after the crash" --who ops 2>/dev/null
	algo-risk -c "$TMP/risk.json" < "$TMP/in" > "$TMP/out2"
	# what had gone out comes out the same, orders and blocks alike
	diff <(head -n "$n1" "$TMP/out2") "$TMP/out1"
	# after it the kill holds, taken over silently (it was set while nothing ran)
	tail -n +$((n1 + 1)) "$TMP/out2" > "$TMP/rest"
	! grep -q '"type":"kill_switch"' "$TMP/out2"
	! grep -q '"type":"order".*"strategy":"a"' "$TMP/rest"
	grep -q '"type":"risk_block".*"strategy":"a".*"rule":"halted"' "$TMP/rest"
	grep -q '"type":"order".*"strategy":"b"' "$TMP/rest"
	# no order id stands for two different orders
	cat "$TMP/out1" "$TMP/out2" | grep '^{"type":"order"' | sort -u | grep -o '"id":"[^"]*"' |
		sort | uniq -d > "$TMP/dups"
	[ ! -s "$TMP/dups" ]
}

@test "restart: a kill seen by a running stage is saved before its kill_switch; after kill -9 it comes out again in place" {
	algo-risk < /dev/null
	slow_run "$TMP/out1"
	wait_for '"type":"order"' "$TMP/out1" 8
	algo-risk kill --all --reason drill --who ops 2>/dev/null
	wait_for '"type":"kill_switch"' "$TMP/out1" 1
	stop_run
	n1=$(wc -l < "$TMP/out1")
	k1=$(grep -n '"type":"kill_switch"' "$TMP/out1" | cut -d: -f1)
	algo-risk -c "$TMP/risk.json" < "$TMP/in" > "$TMP/out2"
	diff <(head -n "$n1" "$TMP/out2") "$TMP/out1"
	[ "$(grep -n '"type":"kill_switch"' "$TMP/out2" | cut -d: -f1)" = "$k1" ]
	# nothing approved after it
	! tail -n +"$k1" "$TMP/out2" | grep -q '"type":"order"'
	[ "$(grep -c '"type":"signal"' "$TMP/out2")" -eq "$(grep -c '"type":"signal"' "$TMP/in")" ]
}

@test "restart: SIGTERM saves; the same input again gives the uninterrupted output" {
	slow_run "$TMP/out1"
	wait_for '"type":"order"' "$TMP/out1" 10
	kill -TERM "$pid"
	rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 143 ]
	kill "$feed" 2>/dev/null || true
	wait "$feed" 2>/dev/null || true
	diff "$TMP/out1" <(head -n "$(wc -l < "$TMP/out1")" "$TMP/ref")
	# the state is saved: a chunk from where it stopped continues it
	from=$(($(grep -c '"type":"signal"\|"type":"bar"' "$TMP/out1") + 1))
	tail -n +"$from" "$TMP/in" | algo-risk -c "$TMP/risk.json" > "$TMP/out2"
	diff <(cat "$TMP/out1" "$TMP/out2") "$TMP/ref"
}

@test "restart: a damaged snapshot is set aside with a note and the state rebuilt from the records" {
	head -n 150 "$TMP/in" | algo-risk -c "$TMP/risk.json" > /dev/null
	sqlite3 "$ALGO_STATE" "UPDATE risk_snapshot SET state = x'0102030405'"
	run --separate-stderr algo-risk -c "$TMP/risk.json" < <(tail -n +151 "$TMP/in")
	[ "$status" -eq 0 ]
	[ "$stderr" = "algo-risk: the state saved in $ALGO_STATE was written by another build or is damaged: rebuilt from the decisions recorded" ]
	# the counters and positions came back from the records: the rest as one run
	diff <(printf '%s\n' "$output") <(tail -n +$(($(head -n 150 "$TMP/in" | ALGO_STATE=$TMP/p.db algo-risk -c "$TMP/risk.json" | wc -l) + 1)) "$TMP/ref")
	# and it was saved again: no note the next time
	run --separate-stderr algo-risk -c "$TMP/risk.json" < /dev/null
	[ -z "$stderr" ]
}

@test "restart: a database of an older build (records, no snapshot) is rebuilt; signals in its records stay decided" {
	head -n 150 "$TMP/in" | algo-risk -c "$TMP/risk.json" > "$TMP/out1"
	sqlite3 "$ALGO_STATE" "DELETE FROM risk_snapshot; DELETE FROM stage_mark; DELETE FROM stage_journal"
	# as the older build did, the decided signals pass through without a new order
	algo-risk -c "$TMP/risk.json" < "$TMP/in" > "$TMP/out2"
	[ "$(grep -c '"type":"signal"' "$TMP/out2")" -eq "$(grep -c '"type":"signal"' "$TMP/in")" ]
	diff <(grep '"type":"order"\|"type":"risk_block"' "$TMP/out1"; tail -n +$(($(wc -l < "$TMP/out1") + 1)) "$TMP/ref" | grep '"type":"order"\|"type":"risk_block"') \
		<(grep '"type":"order"\|"type":"risk_block"' "$TMP/out1"; grep '"type":"order"\|"type":"risk_block"' "$TMP/out2")
}

@test "restart: two users in one database, interleaved in chunks: each gets its run alone" {
	sed 's/"reason":"r"/"reason":"r","user":"alice"/' "$TMP/in" > "$TMP/alice"
	sed 's/"reason":"r"/"reason":"r","user":"bob"/' "$TMP/in" | tail -n +31 > "$TMP/bob"
	ALGO_STATE=$TMP/a.db algo-risk --user alice -c "$TMP/risk.json" < "$TMP/alice" > "$TMP/ref-alice"
	ALGO_STATE=$TMP/b.db algo-risk --user bob -c "$TMP/risk.json" < "$TMP/bob" > "$TMP/ref-bob"
	: > "$TMP/out-alice"
	: > "$TMP/out-bob"
	for k in 0 1 2 3 4; do
		sed -n "$((k * 110 + 1)),$((k * 110 + 110))p" "$TMP/alice" | algo-risk --user alice -c "$TMP/risk.json" >> "$TMP/out-alice"
		sed -n "$((k * 103 + 1)),$((k * 103 + 103))p" "$TMP/bob" | algo-risk --user bob -c "$TMP/risk.json" >> "$TMP/out-bob"
	done
	diff "$TMP/out-alice" "$TMP/ref-alice"
	diff "$TMP/out-bob" "$TMP/ref-bob"
	[ "$(sqlite3 "$ALGO_STATE" "SELECT stage FROM risk_snapshot ORDER BY stage" | tr '\n' ' ')" = "algo-risk/alice algo-risk/bob " ]
}
