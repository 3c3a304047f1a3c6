#!/usr/bin/env bats
# Several users' pipelines in one state database: marks, bar counts and equity are
# kept per user and stream, so each user's report equals that user's run alone,
# whether the users' chunks are interleaved or their ledgers run at the same time.
# And 'users add' on a fresh setup creates the database.
load test_helper

# events USER STRATEGY OUT: one user's pipeline over sample_3k.csv (the same symbol
# for every user, so that their bars meet in the database).
events() {
	ALGO_STATE=$3.stages algo-feed csv --no-progress --symbol NSE:TEST-EQ "$FIX/sample_3k.csv" |
		ALGO_STATE=$3.stages algo-eval --user "$1" -s "$ROOT/examples/strategies/$2" |
		ALGO_STATE=$3.stages algo-risk --user "$1" |
		ALGO_STATE=$3.stages algo-exec-paper --user "$1" --commission-bps 3 --square-off none > "$3"
}

# view DB USER: everything a user sees of their book.
view() {
	for q in orders fills trades positions equity runs; do
		algo-ledger "$q" --state "$1" --user "$2" --format csv
	done
	algo-ledger report --state "$1" --user "$2" --format json
	algo-ledger report --state "$1" --user "$2" --format text
}

setup() {
	common_setup
	events a ema-cross.json "$TMP/a.ev"
	events b ema-cross-long-short.json "$TMP/b.ev"
	grep -q '"user":"b"' "$TMP/b.ev"
	# each user's stream in two chunks at the same line
	half=$(( $(wc -l < "$TMP/a.ev") / 2 ))
	head -n "$half" "$TMP/a.ev" > "$TMP/a1"; tail -n +"$((half + 1))" "$TMP/a.ev" > "$TMP/a2"
	head -n "$half" "$TMP/b.ev" > "$TMP/b1"; tail -n +"$((half + 1))" "$TMP/b.ev" > "$TMP/b2"
	for u in a b; do
		algo-ledger --state "$TMP/$u.db" --user "$u" < "$TMP/${u}1" > /dev/null
		algo-ledger --state "$TMP/$u.db" --user "$u" < "$TMP/${u}2" > /dev/null
	done
}

@test "users shared: two users' chunks interleaved in one database; each report equals the user's run alone" {
	for c in a1 b1 a2 b2; do
		algo-ledger --state "$TMP/shared.db" --user "${c%?}" < "$TMP/$c" > /dev/null
	done
	for u in a b; do
		view "$TMP/$u.db" "$u" > "$TMP/$u.alone"
		view "$TMP/shared.db" "$u" > "$TMP/$u.shared"
		diff "$TMP/$u.alone" "$TMP/$u.shared"
		# the second user got its marks: equity rows and bars like the first
		[ "$(sqlite3 "$TMP/shared.db" "SELECT sum(bars) FROM runs WHERE user = '$u'")" -gt 1000 ]
	done
	[ "$(sqlite3 "$TMP/shared.db" "SELECT count(*) FROM equity WHERE user = 'b'")" -eq \
	  "$(sqlite3 "$TMP/b.db" "SELECT count(*) FROM equity")" ]
	algo-ledger audit verify --state "$TMP/shared.db"
}

# at_once CHUNK CHUNK: two users' ledgers recording into conc.db at the same time.
at_once() {
	algo-ledger --state "$TMP/conc.db" --user "${1%?}" < "$TMP/$1" > /dev/null &
	local p1=$!
	algo-ledger --state "$TMP/conc.db" --user "${2%?}" < "$TMP/$2" > /dev/null &
	local p2=$!
	wait "$p1"
	wait "$p2"
}

@test "users shared: two users' ledgers at the same time on one database" {
	at_once a1 b1
	at_once b2 a2
	for u in a b; do
		diff <(view "$TMP/$u.db" "$u") <(view "$TMP/conc.db" "$u")
	done
	[ "$(sqlite3 "$TMP/conc.db" 'PRAGMA integrity_check')" = ok ]
	algo-ledger audit verify --state "$TMP/conc.db"
}

@test "users shared: marks from before schema 9 (user '') count for the user, so nothing is marked twice" {
	algo-ledger --state "$TMP/old.db" --user a < "$TMP/a1" > /dev/null
	# as migration 9 leaves a schema 8 file: one set of marks for everybody, user ''
	sqlite3 "$TMP/old.db" "UPDATE marks SET user = ''"
	# the same first chunk again is a replay, the second goes on
	algo-ledger --state "$TMP/old.db" --user a < "$TMP/a1" > /dev/null
	algo-ledger --state "$TMP/old.db" --user a < "$TMP/a2" > /dev/null
	diff <(view "$TMP/a.db" a) <(view "$TMP/old.db" a)
}

@test "users shared: 'users add' on a fresh setup creates the state database" {
	[ ! -e "$TMP/new/state.db" ]
	algo-ledger users add alice --state "$TMP/new/state.db" --email a@example.com --name Alice --plan PRO
	[ -f "$TMP/new/state.db" ]
	[ "$(stat -c %a "$TMP/new/state.db")" = 600 ]
	algo-ledger users list --state "$TMP/new/state.db" --format csv | grep -q '^alice,'
	# other sub-commands still never create one
	run algo-ledger users list --state "$TMP/none.db"
	[ "$status" -eq 66 ]
	[ ! -e "$TMP/none.db" ]
}
