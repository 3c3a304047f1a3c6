#!/usr/bin/env bats
# The restart contract, crash, where the run again may start. A stage killed between
# two saves has processed lines it did not save, and the stages before it have moved
# past them; the bars among them are in no saved state (the feed keeps nothing), so
# input that starts after the first of them cannot complete the run. Before the run
# record (lib/replay.h, table stage_run) such a run went on and lost them silently
# (about 1 run again in 15 in tests/82 when it started inside the killed run's input);
# now the first stage (algo-eval) refuses it before any stage has done anything: exit
# 65, one message naming the killed stage and the time to feed from, the record
# untouched, so the run from that time completes the run exactly.
load test_helper
load crash_helper

STRATEGY=$ROOT/examples/strategies/demo-intraday.json
BARS=6000

# pipeline DB [FEED-OPTION...]: one paper run over the bars on state DB; events on
# stdout, every stage's messages (but the executor's note of its charges table) in
# $TMP/err, the exit codes in $TMP/codes.
pipeline() {
	local db=$1
	shift
	{
		"$BIN/algo-feed" csv --no-progress --symbol NSE:GEN-EQ "$@" "$BATS_FILE_TMPDIR/bars.csv" |
			stage eval algo-eval --state "$db" -s "$STRATEGY" |
			TMPDIR=$TMP stage risk algo-risk --state "$db" --barrier |
			stage exec algo-exec-paper --state "$db" --slippage-bps 1 --charges "$ROOT/share/costs/india.json" |
			stage ledger algo-ledger --state "$db"
		echo "${PIPESTATUS[*]}" > "$TMP/codes"
	} 2>&1 >&3 | grep -v '^algo-exec-paper: charges table:' > "$TMP/err" || true
} 3>&1

reference() {
	local d=$BATS_FILE_TMPDIR
	if [ ! -s "$d/ref.book" ]; then
		gen-bars "$BARS" 11 > "$d/bars.csv"
		KILL=none pipeline "$d/ref.db" > /dev/null
		book "$d/ref.db" > "$d/ref.book"
	fi
}

# late_start STAGE WHO: kill STAGE at 2,000 lines, run again over the last 100 bars
# only: refused by algo-eval, the first stage, before anything is done (exit 65, the
# others 0, one message naming WHO), twice alike and with the record untouched; then
# the run from the time the message names ends with the uninterrupted book.
late_start() {
	local who=$1 names=$2 db=$TMP/state.db late
	reference
	late=$(sed -n "$((BARS - 99))p" "$BATS_FILE_TMPDIR/bars.csv" | cut -d, -f1)
	KILL=$who AT=2000 pipeline "$db" > /dev/null
	[[ $(cat "$TMP/codes") == *137* ]]
	sqlite3 "$db" 'SELECT * FROM stage_run' > "$TMP/run.before"
	grep -q "^algo-$who" "$TMP/run.before"
	KILL=none pipeline "$db" --from "$late" > "$TMP/refused"
	cat "$TMP/err"
	[ "$(cat "$TMP/codes")" = "0 65 0 0 0" ]
	[ "$(grep -c . "$TMP/err")" -eq 1 ]
	grep -Eq "^algo-eval: stdin:1: input starts after lines ($names) processed but did not save \(it was killed\): they would be lost; run again over input from 20[0-9T:+-]* or earlier$" "$TMP/err"
	cp "$TMP/err" "$TMP/err.first"
	sqlite3 "$db" 'SELECT * FROM stage_run' | cmp "$TMP/run.before" -
	KILL=none pipeline "$db" --from "$late" > /dev/null
	cmp "$TMP/err.first" "$TMP/err"
	local from
	from=$(sed -n 's/.*input from \(.*\) or earlier$/\1/p' "$TMP/err")
	KILL=none pipeline "$db" --from "$from" > /dev/null
	[ "$(cat "$TMP/codes")" = "0 0 0 0 0" ] || { echo "from $from: $(cat "$TMP/codes")"; cat "$TMP/err"; return 1; }
	[ ! -s "$TMP/err" ]
	book "$db" | diff "$BATS_FILE_TMPDIR/ref.book" -
	[ -z "$(sqlite3 "$db" 'SELECT * FROM stage_run')" ]
	[ "$(sqlite3 "$db" 'PRAGMA integrity_check')" = ok ]
	algo-ledger audit verify --state "$db" > /dev/null
}

@test "late start: killed algo-eval refuses a run again that would lose bars, then completes from the time it names" {
	late_start eval "the run before"
}

@test "late start: killed algo-risk: algo-eval refuses a run again that would lose bars, then completes from the time it names" {
	late_start risk algo-risk/default
}

@test "late start: killed algo-exec-paper: algo-eval refuses a run again that would lose bars, then completes from the time it names" {
	late_start exec algo-exec-paper/default
}

@test "late start: killed algo-ledger: algo-eval refuses a run again that would lose bars, then completes from the time it names" {
	late_start ledger algo-ledger/default
}

@test "late start: after runs that ended well, input may start anywhere (a gap is not a loss)" {
	reference
	local db=$TMP/state.db half=$((BARS / 2))
	KILL=none pipeline "$db" --to "$(sed -n "$((half + 1))p" "$BATS_FILE_TMPDIR/bars.csv" | cut -d, -f1)" > /dev/null
	[ "$(cat "$TMP/codes")" = "0 0 0 0 0" ]
	[ -z "$(sqlite3 "$db" 'SELECT * FROM stage_run')" ]
	KILL=none pipeline "$db" --from "$(sed -n "$((half + 500))p" "$BATS_FILE_TMPDIR/bars.csv" | cut -d, -f1)" > /dev/null
	[ "$(cat "$TMP/codes")" = "0 0 0 0 0" ]
	[ ! -s "$TMP/err" ]
}
