#!/usr/bin/env bats
# algo-ledger on the stage loop: a kill -9 of the ledger inside a real pipeline, then
# the same command again (the upstream stages re-emit what the ledger may already
# have; it recognises orders, updates, fills and equity by id), and a full disk (exit
# 74, one message, nothing committed lost).
load test_helper

# pipeline DB [THROTTLE]: the real pipeline over sample_3k.csv, every stage with its
# state in DB.stages, the ledger in DB; a pause of THROTTLE seconds every 100 lines
# between the executor and the ledger (which commits in each pause) so that a kill
# lands mid-stream.
pipeline() {
	local db=$1 delay=${2:-0}
	algo-feed csv --no-progress --symbol NSE:TEST-EQ "$FIX/sample_3k.csv" |
		ALGO_STATE=$db.stages algo-eval -s "$ROOT/examples/strategies/ema-cross.json" |
		ALGO_STATE=$db.stages algo-risk |
		ALGO_STATE=$db.stages algo-exec-paper --commission-bps 3 --square-off none |
		python3 -c 'import sys, time
d = float(sys.argv[1])
for i, line in enumerate(sys.stdin):
    sys.stdout.write(line)
    if d and i % 100 == 99: sys.stdout.flush(); time.sleep(d)' "$delay" |
		sh -c 'echo $$ > "$1.pid"; exec "$2" --state "$1"' sh "$db" "$BIN/algo-ledger"
}

# What a run leaves: orders, fills, trades, equity and the report (run ids aside).
book() {
	local db=$1
	sqlite3 "$db" 'SELECT user, id, strategy, symbol, side, qty, status, filled, avg_price FROM orders ORDER BY id'
	sqlite3 "$db" 'SELECT fill_id, order_id, qty, price, fees_total FROM fills ORDER BY fill_id'
	sqlite3 "$db" 'SELECT ts_ms, equity FROM equity ORDER BY ts_ms'
	algo-ledger trades --state "$db" --format csv
	algo-ledger report --state "$db" --format json | sed 's/"run":"[^"]*"//'
}

@test "ledger stage: kill -9 of the ledger mid-pipeline, the same command again: nothing lost or counted twice" {
	pipeline "$TMP/clean.db" > /dev/null
	book "$TMP/clean.db" > "$TMP/clean.book"
	total=$(sqlite3 "$TMP/clean.db" 'SELECT count(*) FROM fills')
	[ "$total" -ge 20 ]
	for at in 3 11 30; do
		db=$TMP/killed-$at.db
		pipeline "$db" 0.1 > /dev/null 2>&1 &
		for _ in $(seq 400); do
			n=$(sqlite3 "$db" 'SELECT count(*) FROM fills' 2>/dev/null || echo 0)
			[ "${n:-0}" -ge "$at" ] && break
			sleep 0.02
		done
		kill -9 "$(cat "$db.pid")"
		wait || true
		n=$(sqlite3 "$db" 'SELECT count(*) FROM fills')
		[ "$n" -ge "$at" ] && [ "$n" -lt "$total" ] || { echo "kill at $at: $n of $total fills"; return 1; }
		pipeline "$db" > /dev/null
		[ "$(sqlite3 "$db" 'PRAGMA integrity_check')" = ok ]
		algo-ledger audit verify --state "$db"
		book "$db" > "$TMP/killed.book"
		diff "$TMP/clean.book" "$TMP/killed.book"
		[ "$(sqlite3 "$db" 'SELECT count(*) - count(DISTINCT fill_id) FROM fills')" -eq 0 ]
	done
}

@test "ledger stage: a full disk mid-batch exits 74 with one message; what was committed stays" {
	pipeline "$TMP/ref.db" > "$TMP/events"
	head -300 "$TMP/events" | algo-ledger --state "$TMP/full.db" > /dev/null
	before=$(sqlite3 "$TMP/full.db" 'SELECT count(*) FROM fills')
	[ "$before" -gt 0 ]
	pages=$(sqlite3 "$TMP/full.db" 'PRAGMA page_count')
	# ALGO_TEST_MAX_PAGES caps the file (SQLite's max_page_count): a write past it fails
	# exactly as on a full disk (SQLITE_FULL).
	run --separate-stderr env ALGO_TEST_MAX_PAGES=$((pages + 2)) "$BIN/algo-ledger" --state "$TMP/full.db" < "$TMP/events"
	[ "$status" -eq 74 ]
	echo "$stderr"
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
	[[ "$stderr" == "algo-ledger: stdin:"*": cannot record: "*"database or disk is full"* ]]
	[[ "$stderr" != *"no transaction"* ]]
	[ "$(sqlite3 "$TMP/full.db" 'PRAGMA integrity_check')" = ok ]
	[ "$(sqlite3 "$TMP/full.db" 'SELECT count(*) FROM fills')" -ge "$before" ]
	algo-ledger audit verify --state "$TMP/full.db"
	# With room again the same input completes the book as one clean run would.
	algo-ledger --state "$TMP/full.db" < "$TMP/events" > /dev/null
	diff <(book "$TMP/ref.db") <(book "$TMP/full.db")
}

@test "ledger stage: a full disk at the commit exits 74 with one message" {
	pipeline "$TMP/ref.db" > "$TMP/events"
	grep '"type":"bar"' "$TMP/events" | head -3 | algo-ledger --state "$TMP/b.db" > /dev/null
	# Bars of many new symbols: nothing is written until the commit writes their marks.
	for i in $(seq 300); do
		grep '"type":"bar"' "$TMP/events" | sed -n '10,11p' | sed "s/NSE:TEST-EQ/NSE:T$i-EQ/"
	done > "$TMP/many"
	run --separate-stderr env ALGO_TEST_MAX_PAGES="$(sqlite3 "$TMP/b.db" 'PRAGMA page_count')" \
		"$BIN/algo-ledger" --state "$TMP/b.db" < "$TMP/many"
	[ "$status" -eq 74 ]
	[ "$stderr" = "algo-ledger: cannot save state: $TMP/b.db: database or disk is full" ]
	[ "$(sqlite3 "$TMP/b.db" 'PRAGMA integrity_check')" = ok ]
	[ "$(sqlite3 "$TMP/b.db" 'SELECT count(*) FROM marks')" -eq 1 ]
}
