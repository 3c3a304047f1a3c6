#!/usr/bin/env bats
# Two users' pipelines on one state database, run in turns (as two cron jobs would):
# each user's restart state is its own (algo-eval's indicators, algo-risk's book,
# the executor's orders), so each user's output equals that user's pipeline alone.
load test_helper

STRATEGY=$ROOT/examples/strategies/demo-intraday.json

setup() {
	common_setup
	# the same strategy and symbol for both users, different bars: alice trades the
	# bundled June 2023 bars, bob generated January 2023 ones
	cp "$ROOT/examples/data/NSE_DEMO-EQ_1m.csv" "$TMP/alice.csv"
	gen-bars 3000 5 > "$TMP/bob.csv"
}

# run_user USER CSV DB: the user's paper pipeline up to the executor on DB.
run_user() {
	algo-feed csv --no-progress --symbol NSE:DEMO-EQ "$2" |
		algo-eval --state "$3" --user "$1" -s "$STRATEGY" |
		TMPDIR=$TMP algo-risk --state "$3" --user "$1" --barrier |
		algo-exec-paper --state "$3" --user "$1" --slippage-bps 1 2>/dev/null
}

# piece CSV K N: the K-th of N pieces of CSV's bars, with the header.
piece() {
	local bars=$(($(wc -l < "$1") - 1))
	head -1 "$1"
	tail -n +2 "$1" | sed -n "$(($2 * bars / $3 + 1)),$((($2 + 1) * bars / $3))p"
}

@test "users: two users' pipelines in turns on one database each give that user's run alone" {
	run_user alice "$TMP/alice.csv" "$TMP/alice.db" > "$TMP/alice.alone"
	run_user bob "$TMP/bob.csv" "$TMP/bob.db" > "$TMP/bob.alone"
	[ "$(grep -c '"type":"fill"' "$TMP/alice.alone")" -gt 50 ]
	[ "$(grep -c '"type":"fill"' "$TMP/bob.alone")" -gt 50 ]
	: > "$TMP/alice.turns"
	: > "$TMP/bob.turns"
	for k in 0 1 2 3 4; do
		piece "$TMP/alice.csv" "$k" 5 > "$TMP/p.csv"
		run_user alice "$TMP/p.csv" "$TMP/shared.db" >> "$TMP/alice.turns"
		piece "$TMP/bob.csv" "$k" 5 > "$TMP/p.csv"
		run_user bob "$TMP/p.csv" "$TMP/shared.db" >> "$TMP/bob.turns"
	done
	for u in alice bob; do
		diff <(grep -v '"type":"stream"' "$TMP/$u.alone") <(grep -v '"type":"stream"' "$TMP/$u.turns")
	done
	# one row of indicator state per user
	[ "$(sqlite3 "$TMP/shared.db" "SELECT user FROM eval_state ORDER BY user" | tr '\n' ' ')" = "alice bob " ]
}

@test "users: algo-eval's state saved before there were users belongs to the user 'default'" {
	# a database as schema version 8 left it (eval_state without a user), after the
	# first 300 bundled bars; made by algo-eval --state of that version
	sqlite3 "$TMP/s.db" < "$FIX/eval/state-v8.sql"
	algo-feed csv --no-progress --symbol NSE:DEMO-EQ "$TMP/alice.csv" > "$TMP/all"
	algo-eval -s "$STRATEGY" < "$TMP/all" > "$TMP/one"
	# the same command again over the whole stream: the first 300 bars are recognised,
	# the rest goes on from the saved indicators, as one run over everything
	algo-eval --state "$TMP/s.db" -s "$STRATEGY" < "$TMP/all" > "$TMP/again" 2> "$TMP/err"
	[ ! -s "$TMP/err" ]
	cmp "$TMP/one" "$TMP/again"
	[ "$(sqlite3 "$TMP/s.db" "SELECT DISTINCT user FROM eval_state")" = default ]
	# another user starts fresh
	algo-eval --state "$TMP/s.db" --user carol -s "$STRATEGY" < "$TMP/all" > "$TMP/carol"
	cmp "$TMP/one" "$TMP/carol"
}

@test "users: two users' cron runs (examples/cron/paper-run) in turns on one database each trade as alone" {
	export PAPER_STRATEGY=$STRATEGY PAPER_ALERT= PAPER_CONF=$TMP/none.conf
	# two days of each user's bars, in files named as the symbol (NSE:DEMO-EQ)
	for u in alice bob; do
		mkdir -p "$TMP/$u-all" "$TMP/$u-part"
		head -751 "$TMP/$u.csv" > "$TMP/$u-all/NSE_DEMO-EQ_1m.csv"
		PAPER_USER=$u PAPER_DATA=$TMP/$u-all/NSE_DEMO-EQ_1m.csv ALGO_STATE=$TMP/$u.db examples_run
	done
	# the same days in three runs each, the users taking turns on one database
	for k in 250 500 750; do
		for u in alice bob; do
			head -n $((1 + k)) "$TMP/$u-all/NSE_DEMO-EQ_1m.csv" > "$TMP/$u-part/NSE_DEMO-EQ_1m.csv"
			PAPER_USER=$u PAPER_DATA=$TMP/$u-part/NSE_DEMO-EQ_1m.csv ALGO_STATE=$TMP/shared.db examples_run
		done
	done
	for u in alice bob; do
		algo-ledger trades --state "$TMP/$u.db" --user "$u" --format csv > "$TMP/$u.alone"
		algo-ledger trades --state "$TMP/shared.db" --user "$u" --format csv > "$TMP/$u.turns"
		[ "$(wc -l < "$TMP/$u.alone")" -gt 5 ]
		diff "$TMP/$u.alone" "$TMP/$u.turns"
	done
}

examples_run() {
	run "$ROOT/examples/cron/paper-run" --force
	[ "$status" -eq 0 ] || { echo "$output"; false; }
}
