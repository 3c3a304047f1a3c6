#!/usr/bin/env bats
# The state database as the stages of one pipeline see it.
load test_helper

@test "store: the stages of a pipeline opening one new database at once all succeed" {
	# Regression: the switch to WAL mode was not covered by the busy timeout, and
	# about 1 open in 100 failed with "database is locked" when five raced.
	for i in $(seq 30); do
		db=$TMP/race-$i.db
		pids=()
		for k in 1 2 3 4 5; do
			"$BIN/algo-ledger" --state "$db" < /dev/null > /dev/null 2>> "$TMP/err" & pids+=($!)
		done
		for p in "${pids[@]}"; do
			wait "$p" || { cat "$TMP/err"; false; }
		done
	done
	[ "$(sqlite3 "$TMP/race-30.db" 'PRAGMA journal_mode')" = wal ]
}
