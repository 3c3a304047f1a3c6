#!/usr/bin/env bats
# algo-risk status, kill and resume over every scope, and a state database that cannot
# be written (a full disk): one message, exit 74, nothing committed before is lost.
load test_helper

@test "lib/riskctl and lib/riskstage: options as messages, output to the stream and note given, errors as code and message, nothing printed" {
	run_unit test_riskctl
}

# json EXPR < JSON: EXPR over the document d, printed as Python prints it.
json() { python3 -c 'import json, sys; d = json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }

sig() {   # sig HH:MM:SS STRATEGY ACTION SIDE [USER]
	printf '{"type":"signal","ts":"2024-03-01T%s+05:30","strategy":"%s","symbol":"NSE:A-EQ","action":"%s","side":"%s","qty":1,"ref":10,"reason":"r"%s}\n' \
		"$1" "$2" "$3" "$4" "${5:+,\"user\":\"$5\"}"
}

@test "status: every kill is listed, global, user and strategy, with or without history" {
	sig 09:15:00 s entry buy | algo-risk > /dev/null
	algo-risk kill --all --reason drill --who ops 2>/dev/null
	algo-risk kill --user alice --who ops 2>/dev/null
	algo-risk kill --strategy nosuch --reason typo --who ops 2>/dev/null
	algo-risk kill --strategy s --mode reducing --who ops 2>/dev/null
	run --separate-stderr algo-risk status
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "all trading: halted — drill (by ops, "*"+05:30)" ]]
	[[ "${lines[1]}" == "user alice: halted (by ops, "*")" ]]
	[[ "${lines[2]}" == "strategy nosuch: halted — typo (by ops, "*")" ]]
	[[ "${lines[3]}" == "strategy s: reducing (by ops, "*")" ]]
	[ "${lines[4]}" = "default/s: halted — all trading halted: drill" ]
	[ "${lines[5]}" = "  trades on 2024-03-01: 1, left: unlimited" ]
	run --separate-stderr algo-risk status --format json
	[ "$(json '[[k["scope"], k.get("user", k.get("strategy", "")), k["state"], k["reason"], k["who"]] for k in d["kill_switch"]]' <<<"$output")" = \
		"[['all', '', 'halted', 'drill', 'ops'], ['user', 'alice', 'halted', '', 'ops'], ['strategy', 'nosuch', 'halted', 'typo', 'ops'], ['strategy', 's', 'reducing', '', 'ops']]" ]
	[ "$(json '[[s["user"], s["strategy"], s["state"]] for s in d["strategies"]]' <<<"$output")" = "[['default', 's', 'halted']]" ]
	# nothing at all: said so
	rm -f "$ALGO_STATE"*
	run algo-risk status
	[ "$output" = "no kills and no strategies in $ALGO_STATE" ]
	run algo-risk status --format json
	[ "$output" = '{"kill_switch":[],"strategies":[]}' ]
}

@test "kill: a strategy or user the database never saw is killed, with a warning; a known one is not warned about" {
	sig 09:15:00 ema-cross entry buy | algo-risk > /dev/null
	run --separate-stderr algo-risk kill --strategy emacross --who ops
	[ "$status" -eq 0 ]
	[ "$stderr" = "algo-risk: warning: no strategy 'emacross' in $ALGO_STATE yet (no decisions, state or ledger rows): check the name; the kill is recorded and applies once it trades
algo-risk: strategy emacross halted" ]
	run --separate-stderr algo-risk kill --user bob --who ops
	[ "$status" -eq 0 ]
	[[ "$stderr" == "algo-risk: warning: no user 'bob' in "* ]]
	run --separate-stderr algo-risk kill --strategy ema-cross --who ops
	[ "$stderr" = "algo-risk: strategy ema-cross halted" ]
	# known through the ledger's accounts too
	algo-ledger users add carol --email c@x.in --name Carol --plan PRO
	run --separate-stderr algo-risk kill --user carol --who ops
	[ "$stderr" = "algo-risk: user carol halted" ]
	[ "$(sqlite3 "$ALGO_STATE" "SELECT scope || ' ' || key FROM risk_state ORDER BY scope, key" | tr '\n' ,)" = \
		"strategy ema-cross,strategy emacross,user bob,user carol," ]
}

@test "resume --all clears every halt status lists, with an audit row each; the next run trades" {
	sig 09:15:00 s entry buy | algo-risk > /dev/null
	algo-risk kill --all --who ops 2>/dev/null
	algo-risk kill --user default --who ops 2>/dev/null
	algo-risk kill --strategy s --mode reducing --who ops 2>/dev/null
	run --separate-stderr algo-risk resume --all --reason "all clear" --who ops
	[ "$status" -eq 0 ]
	[ "$stderr" = "algo-risk: all active (3 kills cleared)" ]
	run algo-risk status --format json
	[ "$(json 'd["kill_switch"]' <<<"$output")" = '[]' ]
	[ "$(json 'd["strategies"][0]["state"]' <<<"$output")" = active ]
	[ "$(sqlite3 "$ALGO_STATE" "SELECT kind, reason FROM audit WHERE kind = 'resume'" | sort | uniq -c | tr -s ' ')" = " 3 resume|all clear" ]
	run algo-ledger audit verify --state "$ALGO_STATE"
	[ "$status" -eq 0 ]
	sig 09:16:00 s exit sell | algo-risk > "$TMP/out"
	grep -q '"type":"order".*"id":"s2403010002"' "$TMP/out"
	# resume without a scope is resume --all; with nothing halted it says so
	run --separate-stderr algo-risk resume --who ops
	[ "$stderr" = "algo-risk: all active (0 kills cleared)" ]
}

# A state database on a "disk" that is full: the file size limit (ulimit -f, no root
# needed) makes SQLite's writes fail. SIGXFSZ is ignored so the writes fail instead.
full_disk() {   # full_disk KB CMD... (stdout through cat, outside the limit)
	local kb=$1
	shift
	( trap '' XFSZ; ulimit -f "$kb"; "$@" ) | cat
}

@test "a full disk: exit 74 with one message; what was committed stays and the next run goes on" {
	for i in $(seq 0 1999); do
		printf -v t '%02d:%02d:%02d' $((9 + i / 3600)) $((i / 60 % 60)) $((i % 60))
		sig "$t" "s$((i % 50))" entry buy
	done > "$TMP/in1"
	for i in $(seq 2000 9999); do
		printf -v t '%02d:%02d:%02d' $((9 + i / 3600)) $((i / 60 % 60)) $((i % 60))
		sig "$t" "s$((i % 50))" exit sell
	done > "$TMP/in2"
	cat "$TMP/in1" "$TMP/in2" | ALGO_STATE=$TMP/ref.db algo-risk > "$TMP/ref"
	algo-risk < "$TMP/in1" > /dev/null
	size=$(( $(stat -c %s "$ALGO_STATE") / 1024 + 64 ))
	# the real binary: the shim's tee would hit the limit itself
	run --separate-stderr full_disk "$size" "$BIN/algo-risk" < "$TMP/in2"
	[ "$stderr" = "algo-risk: cannot save state: $ALGO_STATE: disk I/O error" ]
	[ "$(wc -l <<<"$output")" -lt 16000 ]
	# the pipe hides the exit status: once more, for it
	( trap '' XFSZ; ulimit -f "$size"; "$BIN/algo-risk" < "$TMP/in2" > /dev/null 2>&1 ) || rc=$?
	[ "${rc:-0}" -eq 74 ]
	[ "$(sqlite3 "$ALGO_STATE" "PRAGMA integrity_check")" = ok ]
	[ "$(sqlite3 "$ALGO_STATE" "SELECT count(*) FROM risk_signals")" -eq 2000 ]
	# with room again: the rest of the uninterrupted run, exactly
	algo-risk < "$TMP/in2" > "$TMP/out"
	diff "$TMP/out" <(tail -n 16000 "$TMP/ref")
}

@test "a full disk: kill and resume exit 74 with one message and change nothing" {
	sig 09:15:00 s entry buy | algo-risk > /dev/null
	# a reader holding an old snapshot keeps the write-ahead log from starting over, so a
	# writer appends to it: a log larger than the limit makes the next commit fail
	mkfifo "$TMP/ctl"
	sqlite3 "$ALGO_STATE" < "$TMP/ctl" > /dev/null &
	reader=$!
	exec 7> "$TMP/ctl"
	echo "BEGIN; SELECT count(*) FROM risk_state;" >&7
	sqlite3 "$ALGO_STATE" "CREATE TABLE pad (x); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL
		SELECT i + 1 FROM n WHERE i < 2000) INSERT INTO pad SELECT randomblob(200) FROM n"
	size=$(( $(stat -c %s "$ALGO_STATE-wal") / 1024 - 64 ))
	for cmd in kill resume; do
		run --separate-stderr full_disk "$size" "$BIN/algo-risk" $cmd --strategy s --who ops
		[ "$stderr" = "algo-risk: cannot record the $cmd: $ALGO_STATE: SQL error: disk I/O error" ]
		rc=0
		( trap '' XFSZ; ulimit -f "$size"; "$BIN/algo-risk" $cmd --strategy s --who ops 2>/dev/null ) || rc=$?
		[ "$rc" -eq 74 ]
	done
	echo "COMMIT;" >&7
	exec 7>&-
	wait "$reader"
	[ "$(sqlite3 "$ALGO_STATE" "SELECT count(*) FROM risk_state; SELECT count(*) FROM audit; PRAGMA integrity_check" | tr '\n' ' ')" = "0 0 ok " ]
}
