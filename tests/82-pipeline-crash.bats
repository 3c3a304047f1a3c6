#!/usr/bin/env bats
# The restart contract, crash: kill -9 any stage of the paper pipeline (eval, risk
# --barrier, exec-paper, ledger on one --state) at some moment, run the same command
# again (over the same input, or over input that starts at an earlier point), and the
# run ends with exactly the orders, fills and trades of an uninterrupted run: no id
# twice, none lost, the database intact and its audit chain too; the other stages end
# quietly, so the killed one is the run's failure; a run again that starts too late is
# refused, and the one from the time it names completes the run. The suite kills each
# stage at 3 moments of a 20k-bar run; ALGO_SOAK=1 (make soak) at 20 moments of a
# 200k-bar run. The moment is deterministic: tests/kill-tap.py, right after the stage,
# kills it once the next stage could have read N of its lines.
load test_helper
load crash_helper

STRATEGY=$ROOT/examples/strategies/demo-intraday.json
BARS=20000
KILLS=3
if [ -n "${ALGO_SOAK:-}" ]; then BARS=200000 KILLS=20; fi

# pipeline CSV DB: one paper run on state DB; events on stdout, the stages' exit codes
# in $TMP/codes.
pipeline() {
	local csv=$1 db=$2
	{   # (a killed ledger fails the pipeline: the codes say so)
		"$BIN/algo-feed" csv --no-progress --symbol NSE:GEN-EQ "$csv" |
			stage eval algo-eval --state "$db" -s "$STRATEGY" |
			TMPDIR=$TMP stage risk algo-risk --state "$db" --barrier |
			stage exec algo-exec-paper --state "$db" --slippage-bps 1 --charges "$ROOT/share/costs/india.json" 2>/dev/null |
			stage ledger algo-ledger --state "$db"
		echo "${PIPESTATUS[*]}" > "$TMP/codes"
	} || true
}

# The uninterrupted run, once per file.
reference() {
	local d=$BATS_FILE_TMPDIR
	if [ ! -s "$d/ref.book" ]; then
		gen-bars "$BARS" 11 > "$d/bars.csv"
		KILL=none pipeline "$d/bars.csv" "$d/ref.db" > "$d/ref.events"
		book "$d/ref.db" > "$d/ref.book"
	fi
}

# bars_from CSV FIRST [LAST]: the bars FIRST..LAST (1 is the first; default: to the
# end) of CSV, with its header.
bars_from() {
	head -1 "$1"
	tail -n +$(($2 + 1)) "$1" | head -n $((${3:-1000000000} - $2 + 1))
}

# killed_run STAGE AT [FROM [inside]]: a run with STAGE killed at AT lines of its
# output, then the same command again; checks the result. With FROM, as a cron job: a
# first run over the bars up to 2 x FROM finishes, the run that is killed starts after
# it, and the run again starts earlier, at bar FROM. With "inside", the killed run is
# over all bars and the run again starts inside its input, at bar FROM: when the
# killed stage had not saved that far, the run is refused (tests/76) and the one
# from the time it names completes it.
killed_run() {
	local who=$1 db=$TMP/$1-$2.db d=$BATS_FILE_TMPDIR
	local input=$d/bars.csv again=$d/bars.csv
	if [ "${4:-}" = inside ]; then
		again=$TMP/later.csv
		bars_from "$d/bars.csv" "$3" > "$again"
	elif [ -n "${3:-}" ]; then
		bars_from "$d/bars.csv" 1 $((2 * $3)) > "$TMP/first.csv"
		KILL=none pipeline "$TMP/first.csv" "$db" > "$TMP/first"
		[ "$(cat "$TMP/codes")" = "0 0 0 0 0" ] || { echo "first: $(cat "$TMP/codes")"; return 1; }
		input=$TMP/rest.csv again=$TMP/later.csv
		bars_from "$d/bars.csv" $((2 * $3 + 1)) > "$input"
		bars_from "$d/bars.csv" "$3" > "$again"
	fi
	KILL=$who AT=$2 pipeline "$input" "$db" > "$TMP/crashed" 2> "$TMP/crashed.err"
	# the stage died of the kill; the ones before it ended quietly (the reader of their
	# output gone), so a cron wrapper, which names the first stage that failed, names
	# the one that died; the ones after it end at the end of their input (or with 65
	# when it died in the middle of writing a line)
	local codes want
	codes=$(cat "$TMP/codes")
	want=$(printf '%s\n' feed eval risk exec ledger | awk -v w="$who" '
		$0 == w { s = "137"; after = 1 } $0 != w { s = after ? "(0|65)" : "0" }
		{ printf "%s%s", (NR > 1 ? " " : ""), s }')
	[[ $codes =~ ^$want$ ]] || { echo "$who killed at $2: $codes"; cat "$TMP/crashed.err"; return 1; }
	KILL=none pipeline "$again" "$db" > "$TMP/again" 2> "$TMP/again.err"
	if [ "${4:-}" = inside ] && [ "$(cat "$TMP/codes")" = "0 65 0 0 0" ]; then
		local from
		from=$(sed -n 's/^algo-eval: stdin:1: input starts after lines .* run again over input from \(.*\) or earlier$/\1/p' "$TMP/again.err")
		[ -n "$from" ] || { cat "$TMP/again.err"; return 1; }
		awk -F, -v f="$from" 'NR == 1 || $1 >= f' "$d/bars.csv" > "$again"
		KILL=none pipeline "$again" "$db" >> "$TMP/again"
		refused=$((refused + 1))
	fi
	[ "$(cat "$TMP/codes")" = "0 0 0 0 0" ] || { echo "again: $(cat "$TMP/codes")"; return 1; }
	book "$db" | diff "$d/ref.book" - || { echo "$who killed at line $2 ${3:+(again from bar $3)}"; return 1; }
	# over the same input the run again writes what the uninterrupted run wrote
	[ -n "${3:-}" ] || cmp "$d/ref.events" "$TMP/again"
	[ "$(sqlite3 "$db" 'PRAGMA integrity_check')" = ok ]
	algo-ledger audit verify --state "$db" > /dev/null
	# an id written twice is the same event again (re-emitted), never another one
	local t
	for t in order fill; do
		grep -h "\"type\":\"$t\"" "$TMP/crashed" "$TMP/again" | sort -u |
			sed -n 's/.*"\(id\|fill_id\)":"\([^"]*\)".*/\2/p' | sort | uniq -d > "$TMP/dups"
		[ ! -s "$TMP/dups" ] || { echo "$t ids twice: $(head -3 "$TMP/dups")"; return 1; }
	done
	rm -f "$db"*
}

# kills STAGE: $KILLS kill moments over the run (fixed seeds): the same command again;
# a run after a first one, followed by a run over input that starts at an earlier
# point; a run followed by one that starts inside its input. ($refused counts the runs
# again refused.)
kills() {
	reference
	local k at
	refused=0
	RANDOM=$(cksum <<<"$1" | cut -d' ' -f1)
	for k in $(seq 1 "$KILLS"); do
		at=$(((RANDOM * 32768 + RANDOM) % (BARS - 100) + 50))
		case $((k % 3)) in
			1) killed_run "$1" "$at" ;;
			2) killed_run "$1" $((at / 2)) $((at / 4)) ;;
			0) killed_run "$1" "$at" $((at / 2)) inside ;;
		esac
	done
	echo "# $1: $KILLS kills, $refused runs again refused as too late" >&3
}

@test "crash: the uninterrupted run trades, and its book is the same run after run" {
	reference
	d=$BATS_FILE_TMPDIR
	[ "$(grep -c '"type":"fill"' "$d/ref.events")" -ge 500 ]
	KILL=none pipeline "$d/bars.csv" "$TMP/two.db" > "$TMP/two.events"
	cmp "$d/ref.events" "$TMP/two.events"
}

@test "crash: kill -9 of algo-eval, then the same command: the uninterrupted result" {
	kills eval
}

@test "crash: kill -9 of algo-risk, then the same command: the uninterrupted result" {
	kills risk
}

@test "crash: kill -9 of algo-exec-paper, then the same command: the uninterrupted result" {
	kills exec
}

@test "crash: kill -9 of algo-ledger, then the same command: the uninterrupted result" {
	kills ledger
}
