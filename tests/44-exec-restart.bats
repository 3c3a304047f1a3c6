#!/usr/bin/env bats
# algo-exec-paper across runs (--state / $ALGO_STATE): consecutive chunks of a stream
# give what one run gives; a kill -9 and the same command again give the uninterrupted
# result; client ids, legs, positions and the fill channel's records survive; an
# intraday position left open across a gap is squared off late, and says so.
load test_helper

EXEC_OPTS=(--slippage-bps 1 --charges "$ROOT/share/costs/india.json")

# What algo-risk --barrier hands the executor in the demo backtest (make demo), without
# the barrier's syncs: 3,000 bars and 134 orders.
demo_orders() {
	local f=$BATS_FILE_TMPDIR/demo-orders.ndjson
	if [ ! -s "$f" ]; then
		env -u ALGO_STATE "$BIN/algo-feed" csv --no-progress "$ROOT/examples/data/NSE_DEMO-EQ_1m.csv" |
			env -u ALGO_STATE "$BIN/algo-eval" -s "$ROOT/examples/strategies/demo-intraday.json" |
			TMPDIR=$BATS_FILE_TMPDIR env -u ALGO_STATE "$BIN/algo-risk" --barrier |
			tee "$f.raw" | env -u ALGO_STATE "$BIN/algo-exec-paper" "${EXEC_OPTS[@]}" > /dev/null 2>&1
		grep -v '"type":"sync"' "$f.raw" > "$f"
		env -u ALGO_STATE "$BIN/algo-exec-paper" "${EXEC_OPTS[@]}" < "$f" > "$BATS_FILE_TMPDIR/demo-one.ndjson" 2>/dev/null
	fi
	echo "$f"
}

# chunked N FILE DB: runs the executor over FILE cut into N pieces at line boundaries,
# one run per piece on state DB; the outputs one after the other on stdout.
chunked() {
	local n=$1 in=$2 db=$3 i
	rm -rf "$TMP/chunks" && mkdir "$TMP/chunks"
	split -n "l/$n" -d -a 3 "$in" "$TMP/chunks/c"
	for i in "$TMP"/chunks/c*; do
		"$BIN/algo-exec-paper" "${EXEC_OPTS[@]}" --state "$db" < "$i" 2>/dev/null || return 1
	done
}

@test "exec restart: the demo's orders in 1, 7 and 75 chunks on one state give one run's output" {
	in=$(demo_orders)
	one=$BATS_FILE_TMPDIR/demo-one.ndjson
	[ "$(grep -c '"type":"fill"' "$one")" -ge 100 ]
	for n in 1 7 75; do
		chunked "$n" "$in" "$TMP/s$n.db" > "$TMP/out$n"
		cmp "$one" "$TMP/out$n"
		[ "$(sqlite3 "$TMP/s$n.db" 'PRAGMA integrity_check')" = ok ]
	done
	# the executor's part of the issue's cron bug: 7 chunks left 200 shares long overnight
	# and cancelled an exit as "position already closed"
	! grep -q 'position already closed' "$TMP/out7"
}

@test "exec restart: 20 runs with random chunk boundaries give one run's output" {
	in=$(demo_orders)
	total=$(wc -l < "$in")
	for r in $(seq 1 20); do
		RANDOM=$((r * 7919))
		rm -f "$TMP/r.db"*
		start=1
		: > "$TMP/outr"
		while [ "$start" -le "$total" ]; do
			len=$((RANDOM % 400 + 1))
			sed -n "${start},$((start + len - 1))p" "$in" |
				"$BIN/algo-exec-paper" "${EXEC_OPTS[@]}" --state "$TMP/r.db" >> "$TMP/outr" 2>/dev/null
			start=$((start + len))
		done
		cmp "$BATS_FILE_TMPDIR/demo-one.ndjson" "$TMP/outr"
	done
}

@test "exec restart: the same input again answers with the same bytes and changes nothing" {
	in=$(demo_orders)
	algo-exec-paper "${EXEC_OPTS[@]}" --state "$TMP/s.db" < "$in" > "$TMP/a" 2>/dev/null
	sqlite3 "$TMP/s.db" 'SELECT * FROM exec_state; SELECT * FROM exec_ids ORDER BY id' > "$TMP/before"
	algo-exec-paper "${EXEC_OPTS[@]}" --state "$TMP/s.db" < "$in" > "$TMP/b" 2>/dev/null
	cmp "$TMP/a" "$TMP/b"
	cmp "$BATS_FILE_TMPDIR/demo-one.ndjson" "$TMP/b"
	sqlite3 "$TMP/s.db" 'SELECT * FROM exec_state; SELECT * FROM exec_ids ORDER BY id' > "$TMP/after"
	cmp "$TMP/before" "$TMP/after"
	# and from an earlier point of the stream: everything is recognised, and answered
	# with what the one run wrote from there on
	tail -n +1500 "$in" | algo-exec-paper "${EXEC_OPTS[@]}" --state "$TMP/s.db" > "$TMP/c" 2>/dev/null
	from=$(grep -nFx -- "$(sed -n 1500p "$in")" "$TMP/a" | cut -d: -f1)
	tail -n +"$from" "$TMP/a" | cmp - "$TMP/c"
}

@test "exec restart: kill -9 at random moments, then the same command: the uninterrupted output, no fill twice" {
	in=$(demo_orders)
	one=$BATS_FILE_TMPDIR/demo-one.ndjson
	# the input arrives in bursts with a longer pause now and then, so the kills land
	# while lines are being processed, before the first save or between saves
	slow() {
		perl -e '$|=1; while (<STDIN>) { print; select(undef,undef,undef,0.002) if $. % 40 == 0;
			select(undef,undef,undef,0.06) if $. % 500 == 0 }' < "$in"
	}
	for k in $(seq 1 "${EXEC_KILLS:-8}"); do
		rm -f "$TMP/k.db"*
		"$BIN/algo-exec-paper" "${EXEC_OPTS[@]}" --state "$TMP/k.db" < <(slow) > "$TMP/k1" 2>/dev/null &
		pid=$!
		sleep "$(printf '0.%03d' $((RANDOM % 600)))"
		kill -9 "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		# what the killed run wrote is a prefix of the uninterrupted output
		cmp -n "$(stat -c %s "$TMP/k1")" "$TMP/k1" "$one"
		"$BIN/algo-exec-paper" "${EXEC_OPTS[@]}" --state "$TMP/k.db" < "$in" > "$TMP/k2" 2>/dev/null
		cmp "$one" "$TMP/k2"
		[ -z "$(grep -o '"fill_id":"[^"]*"' "$TMP/k2" | sort | uniq -d)" ]
		[ "$(sqlite3 "$TMP/k.db" 'PRAGMA integrity_check')" = ok ]
	done
}

T='"product":"intraday","validity":"day","mode":"paper","user":"default"}'
b() {   # b HH:MM O H L C [DATE]
	echo '{"type":"bar","ts":"'"${6:-2024-03-01}"'T'"$1"':00+05:30","symbol":"NSE:X-EQ","tf":"1m","o":'"$2"',"h":'"$3"',"l":'"$4"',"c":'"$5"',"v":1000}'
}
o() {   # o HH:MM ID SIDE QTY KIND [EXTRA MEMBERS] [DATE]
	echo '{"type":"order","ts":"'"${7:-2024-03-01}"'T'"$1"':00+05:30","id":"'"$2"'","strategy":"s","symbol":"NSE:X-EQ","side":"'"$3"'","qty":'"$4"',"kind":"'"$5"'"'"${6:+,$6}"','"$T"
}
# two IFS: runs the executor on $TMP/c1 then $TMP/c2 with one state, and once on both
# without state; the two outputs must be the same, left in $TMP/out.
two_runs() {
	algo-exec-paper "$@" --state "$TMP/two.db" < "$TMP/c1" > "$TMP/o1" 2>/dev/null
	algo-exec-paper "$@" --state "$TMP/two.db" < "$TMP/c2" > "$TMP/o2" 2>/dev/null
	cat "$TMP/c1" "$TMP/c2" | ALGO_STATE= algo-exec-paper "$@" > "$TMP/out" 2>/dev/null
	cat "$TMP/o1" "$TMP/o2" | cmp - "$TMP/out"
}

@test "exec restart: an intraday position left open at the end of a day's run is squared off late next morning" {
	# the run of 2024-03-01 ends at 15:10; the next starts on Monday 2024-03-04 at 09:15
	{ b 15:00 100 100 100 100; o 15:00 e1 buy 10 market '"sl":90'; o 15:00 l1 buy 5 limit '"limit":80'
	  o 15:00 d1 buy 3 market | sed 's/"intraday"/"delivery"/'; b 15:01 100 101 99 100; b 15:10 101 101 101 101; } > "$TMP/c1"
	{ b 09:15 95 96 94 95 2024-03-04; b 09:16 95 95 95 95 2024-03-04; } > "$TMP/c2"
	two_runs --slippage-bps 10
	late='intraday square-off at 15:20 on 2024-03-01, late: at the first price after it'
	# the working intraday orders of the day (the limit and the entry's stop-loss leg) are
	# cancelled, and the position is sold at the first price seen, 09:15's open (slippage
	# applied: 95 x 0.999), the fill's reason says it was late; the delivery buy stays
	grep -Fxq '{"type":"order_update","ts":"2024-03-04T09:15:00+05:30","id":"l1","status":"cancelled","reason":"'"$late"'"}' "$TMP/o2"
	grep -Fxq '{"type":"order_update","ts":"2024-03-04T09:15:00+05:30","id":"e1SL","status":"cancelled","reason":"'"$late"'"}' "$TMP/o2"
	grep -Fxq '{"type":"order_update","ts":"2024-03-04T09:15:00+05:30","id":"SQ2403040001","status":"accepted","reason":"'"$late"'"}' "$TMP/o2"
	grep -q '^{"type":"fill","ts":"2024-03-04T09:15:00+05:30","id":"SQ2403040001",.*"side":"sell","qty":10,"price":94.905,.*"reason":"square-off, late: first price after 15:20 on 2024-03-01"}$' "$TMP/o2"
	[ "$(grep -c '"type":"fill"' "$TMP/o2")" -eq 1 ]
	# a position that saw 15:20 is squared off then, as before: nothing late the next day
	{ b 15:00 100 100 100 100; o 15:00 e1 buy 10 market; b 15:01 100 101 99 100; b 15:25 101 101 101 101; } > "$TMP/c1"
	{ b 09:15 95 96 94 95 2024-03-04; } > "$TMP/c2"
	rm -f "$TMP/two.db"*
	two_runs
	grep -q '"id":"SQ2403010001",.*"reason":"square-off"}$' "$TMP/o1"
	[ "$(grep -c '"type":"fill"' "$TMP/o2")" -eq 0 ]
	# --square-off none carries it, as asked
	rm -f "$TMP/two.db"*
	two_runs --square-off none
	! grep -q SQ "$TMP/o1" "$TMP/o2"
}

@test "exec restart: bracket legs working at the end of a run fill in the next; OCO and the trailing stop go on" {
	# long 10 at 100 with a trailing stop 3 below the high and a target at 110; the high
	# reaches 104 in the first run (stop 101), the second run's bar falls through it
	{ b 09:15 100 100 100 100; o 09:15 e1 buy 10 market '"trail":3,"tp":110'; b 09:16 100 102 100 101; b 09:17 101 104 101 103; } > "$TMP/c1"
	{ b 09:18 103 103 100.5 101; b 09:19 101 111 101 110; } > "$TMP/c2"
	two_runs
	grep -q '^{"type":"fill","ts":"2024-03-01T09:18:00+05:30","id":"e1SL",.*"side":"sell","qty":10,"price":101,' "$TMP/o2"
	grep -Fxq '{"type":"order_update","ts":"2024-03-01T09:18:00+05:30","id":"e1TP","status":"cancelled","reason":"one cancels other: e1SL filled"}' "$TMP/o2"
	[ "$(grep -c '"type":"fill"' "$TMP/o2")" -eq 1 ]
	# a partially filled order goes on filling in the next run, fills numbered on
	{ b 09:15 100 100 100 100; o 09:15 p1 buy 30 market; b 09:16 100 100 100 100; } > "$TMP/c1"
	{ b 09:17 101 101 101 101; b 09:18 102 102 102 102; } > "$TMP/c2"
	rm -f "$TMP/two.db"*
	two_runs --max-participation 0.01
	[ "$(grep -o '"fill_id":"[^"]*"' "$TMP/o2" | tr '\n' ' ')" = '"fill_id":"p1-2" "fill_id":"p1-3" ' ]
}

@test "exec restart: an order id seen in an earlier run is a duplicate; users keep apart" {
	{ b 09:15 100 100 100 100; o 09:15 a1 buy 1 market; b 09:16 100 100 100 100; } > "$TMP/c1"
	{ o 09:20 a1 buy 1 market; o 09:20 a2 buy 1 market; b 09:21 100 100 100 100; } > "$TMP/c2"
	algo-exec-paper --state "$TMP/u.db" < "$TMP/c1" > /dev/null
	algo-exec-paper --state "$TMP/u.db" < "$TMP/c2" > "$TMP/o2"
	grep -Fxq '{"type":"order_update","ts":"2024-03-01T09:20:00+05:30","id":"a1","status":"rejected","reason":"duplicate order id"}' "$TMP/o2"
	[ "$(grep -c '"type":"fill"' "$TMP/o2")" -eq 1 ]
	# another user's executor in the same database has its own ids, orders and record
	algo-exec-paper --state "$TMP/u.db" --user bob < "$TMP/c2" > "$TMP/ob"
	[ "$(grep -c '"type":"fill"' "$TMP/ob")" -eq 2 ]
	[ "$(sqlite3 "$TMP/u.db" 'SELECT stage FROM exec_state ORDER BY stage' | tr '\n' ' ')" = "algo-exec-paper/bob algo-exec-paper/default " ]
	# $ALGO_STATE is used when set (the test helper sets it), --state wins over it
	ALGO_STATE=$TMP/env.db algo-exec-paper < "$TMP/c1" > /dev/null
	[ "$(sqlite3 "$TMP/env.db" 'SELECT count(*) FROM exec_ids')" -eq 1 ]
	ALGO_STATE=$TMP/env.db algo-exec-paper --state "$TMP/opt.db" < "$TMP/c1" > /dev/null
	[ "$(sqlite3 "$TMP/opt.db" 'SELECT count(*) FROM exec_ids')" -eq 1 ]
	# without either, nothing is kept
	rm -f "$TMP"/*.db*
	env -u ALGO_STATE algo-exec-paper < "$TMP/c1" > /dev/null
	[ -z "$(ls "$TMP"/*.db 2>/dev/null)" ]
	run algo-exec-paper --user 'a/b' < /dev/null
	[ "$status" -eq 2 ]
}

@test "exec restart: fill-channel records are kept until algo-risk's cursor says they are saved" {
	mkfifo "$TMP/fifo"
	exec 8<>"$TMP/fifo"
	# sync ID [CURSOR MEMBERS]: one sync line as its own run's input on the state
	sync() {
		echo '{"type":"sync","ts":"2024-03-01T09:17:00+05:30","id":'"$1"',"fifo":"'"$TMP/fifo"'"'"${2:+,$2}"'}' |
			algo-exec-paper --state "$TMP/f.db" > /dev/null
		got=$(while IFS= read -r -t 1 line <&8; do echo "$line"; done | sed 's/,"working".*//')
	}
	recs() { grep -v '"type":"ack"' <<<"$got" | sed 's/.*"type":"\([a-z]*\)","seq":\([0-9]*\),.*/\1 \2/' | tr '\n' ' '; }
	# the first run answers sync 1, then fills a1 (records 1 and 2) and ends before another
	{ echo '{"type":"sync","ts":"2024-03-01T09:15:00+05:30","id":1,"fifo":"'"$TMP/fifo"'"}'
	  b 09:15 100 100 100 100; o 09:15 a1 buy 1 market; b 09:16 100 100 100 100; } |
		algo-exec-paper --state "$TMP/f.db" > /dev/null
	got=$(while IFS= read -r -t 1 line <&8; do echo "$line"; done)
	[[ $got == '{"type":"ack","id":1,'*'"epoch":"'*'","seq":0,"working":[],"positions":[]}' ]]
	epoch=$(sed 's/.*"epoch":"\([0-9a-f]*\)".*/\1/' <<<"$got")
	[ "${#epoch}" -eq 16 ]
	# the next run (a new process on the same state) still has them and the epoch
	sync 2 '"epoch":"'"$epoch"'","from":0,"saved":0'
	[ "$(recs)" = "fill 1 final 2 " ]
	grep -q '^{"type":"fill","seq":1,"ts":"2024-03-01T09:16:00+05:30","id":"a1","n":1,"user":"default",' <<<"$got"
	grep -q '"epoch":"'"$epoch"'","seq":2' <<<"$got"
	# applied up to 2, saved up to 1: nothing to send, record 2 is kept
	sync 3 '"epoch":"'"$epoch"'","from":2,"saved":1'
	[ "$(recs)" = "" ]
	sync 4 '"epoch":"'"$epoch"'","from":1'
	[ "$(recs)" = "final 2 " ]
	# another epoch (an algo-risk of another executor state) or no cursor (before
	# cursors): everything held, then forgotten
	sync 5 '"epoch":"0123456789abcdef","from":9'
	[ "$(recs)" = "final 2 " ]
	sync 6
	[ "$(recs)" = "" ]
	exec 8<&-
	# a cursor is checked like any input
	for bad in '"epoch":"'"$epoch"'"' '"epoch":"'"$epoch"'","from":"1"' '"epoch":5,"from":1'; do
		echo '{"type":"sync","ts":"2024-03-01T09:17:00+05:30","id":7,"fifo":"'"$TMP/fifo"'",'"$bad"'}' > "$TMP/bad"
		run --separate-stderr algo-exec-paper --state "$TMP/f.db" < "$TMP/bad"
		[ "$status" -eq 65 ]
		[[ $stderr == "algo-exec-paper: stdin:1: field '"* || $stderr == "algo-exec-paper: stdin:1: missing field 'from'" ]]
	done
}

@test "exec restart: a damaged or foreign state is refused with 65; a save that cannot be written exits 74" {
	{ b 09:15 100 100 100 100; o 09:15 a1 buy 1 limit '"limit":90'; } > "$TMP/c1"
	algo-exec-paper --state "$TMP/d.db" < "$TMP/c1" > /dev/null 2>&1
	sqlite3 "$TMP/d.db" "UPDATE exec_state SET state = substr(state, 1, 40)"
	run --separate-stderr algo-exec-paper --state "$TMP/d.db" < /dev/null
	[ "$status" -eq 65 ]
	[ "$stderr" = "algo-exec-paper: $TMP/d.db: the saved state of algo-exec-paper/default is damaged (or out of memory): move the file aside or use another --state" ]
	sqlite3 "$TMP/d.db" "UPDATE exec_state SET venue = 'fyers'"
	run --separate-stderr algo-exec-paper --state "$TMP/d.db" < /dev/null
	[ "$status" -eq 65 ]
	[ "$stderr" = "algo-exec-paper: $TMP/d.db: the state of algo-exec-paper/default is a fyers executor's, not paper" ]
	# a full disk: the file may not grow (SIGXFSZ ignored, so writes fail with EFBIG)
	rm -f "$TMP/d.db"*
	algo-exec-paper --state "$TMP/d.db" < /dev/null
	awk 'BEGIN { for (i = 1; i <= 3000; i++) printf "{\"type\":\"order\",\"ts\":\"2024-03-01T09:15:00+05:30\",\"id\":\"o%d\",\"strategy\":\"s\",\"symbol\":\"NSE:X-EQ\",\"side\":\"buy\",\"qty\":1,\"kind\":\"limit\",\"limit\":1,\"product\":\"intraday\",\"validity\":\"day\",\"mode\":\"paper\",\"user\":\"default\"}\n", i }' > "$TMP/big"
	run --separate-stderr bash -c 'trap "" XFSZ; ulimit -f 200; "$1" --state "$2" < "$3" > /dev/null' _ "$BIN/algo-exec-paper" "$TMP/d.db" "$TMP/big"
	[ "$status" -eq 74 ]
	[[ $stderr == "algo-exec-paper: cannot save state: "* ]]
	[ "$(sqlite3 "$TMP/d.db" 'PRAGMA integrity_check')" = ok ]
}
