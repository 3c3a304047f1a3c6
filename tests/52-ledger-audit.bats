#!/usr/bin/env bats
# algo-ledger audit: the append-only log of every order intent, execution answer, risk
# block, kill and resume, configuration and account change; its SHA-256 hash chain
# (audit verify) and retention (audit prune).
load test_helper

BASIC=$FIX/ledger/basic.ndjson

record() {
	{
		cat "$BASIC"
		echo '{"type":"risk_block","ts":"2024-03-01T09:28:00+05:30","strategy":"s1","symbol":"NSE:AAA-EQ","side":"buy","qty":10,"rule":"max_trades_per_day","limit":3,"value":3,"reason":"3 trades today, limit 3","user":"default"}'
		echo '{"type":"kill_switch","ts":"2024-03-01T09:29:00+05:30","scope":"strategy","strategy":"s1","state":"on","reason":"daily loss 12 exceeds 10"}'
		echo '{"type":"kill_switch","ts":"2024-03-01T09:40:00+05:30","scope":"strategy","strategy":"s1","state":"off","reason":"resumed by operator"}'
	} > "$TMP/in"
	algo-ledger < "$TMP/in" > /dev/null
}

@test "audit: every intent, answer, block, kill, resume and config change is logged" {
	record
	run algo-ledger audit --format csv
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "seq,ts,kind,run,strategy,ref,reason" ]
	[[ "${lines[1]}" == "1,2024-03-01T09:15:00+05:30,config,20240301-"*",,capital,starting capital set to 100000" ]]
	[[ "${lines[2]}" == "2,2024-03-01T09:15:00+05:30,order,20240301-"*",s1,s1o1,buy 10 NSE:AAA-EQ market" ]]
	[ "$(sqlite3 "$ALGO_STATE" 'SELECT kind, count(*) FROM audit GROUP BY kind ORDER BY kind' | tr '\n' ' ')" = "config|1 fill|7 kill_switch|2 order|7 order_update|4 risk_block|1 " ]
	[ "$(sqlite3 "$ALGO_STATE" "SELECT reason FROM audit WHERE kind = 'order_update' AND ref LIKE 's1o9:%'")" = "rejected: insufficient margin" ]
	[ "$(sqlite3 "$ALGO_STATE" "SELECT strategy || '|' || reason FROM audit WHERE kind = 'kill_switch' ORDER BY seq" | tr '\n' ' ')" = "s1|strategy on: daily loss 12 exceeds 10 s1|strategy off: resumed by operator " ]
	[ "$(sqlite3 "$ALGO_STATE" "SELECT reason FROM audit WHERE kind = 'risk_block'")" = "max_trades_per_day: 3 trades today, limit 3" ]
	# the source event is kept whole
	[ "$(sqlite3 "$ALGO_STATE" "SELECT detail FROM audit WHERE kind = 'fill' AND ref = 'P-1'")" = "$(grep '"P-1"' "$BASIC")" ]
	run algo-ledger audit verify
	[ "$status" -eq 0 ]
	[ "$output" = "audit log intact: 22 rows" ]
}

@test "audit: a replay adds no rows and the chain stays intact" {
	record
	sqlite3 "$ALGO_STATE" 'SELECT * FROM audit' > "$TMP/a1"
	algo-ledger < "$TMP/in" > /dev/null
	sqlite3 "$ALGO_STATE" 'SELECT * FROM audit' > "$TMP/a2"
	diff "$TMP/a1" "$TMP/a2"
	algo-ledger audit verify
}

@test "audit: the log is append-only: UPDATE is refused by the database" {
	record
	run sqlite3 "$ALGO_STATE" "UPDATE audit SET reason = 'x' WHERE seq = 3"
	[ "$status" -ne 0 ]
	[[ "$output" == *"append-only"* ]]
}

@test "audit: editing a row by hand makes verify fail and name it" {
	record
	sqlite3 "$ALGO_STATE" "DROP TRIGGER audit_append_only; UPDATE audit SET reason = 'sell 10 NSE:AAA-EQ market' WHERE seq = 5"
	run --separate-stderr algo-ledger audit verify
	[ "$status" -eq 1 ]
	[ "$stderr" = "algo-ledger: audit verify: FAILED at row 5: row 5: contents do not match its hash (edited)" ]
	[ -z "$output" ]
}

@test "audit: editing a row and its hash breaks the link from the next row" {
	record
	h=$(sqlite3 "$ALGO_STATE" "SELECT hash FROM audit WHERE seq = 9")
	sqlite3 "$ALGO_STATE" "DROP TRIGGER audit_append_only; UPDATE audit SET ts_ms = ts_ms + 1, hash = '$(printf '%064d' 7)' WHERE seq = 9"
	run algo-ledger audit verify
	[ "$status" -eq 1 ]
	[[ "$output" == *"FAILED at row 9: row 9: contents do not match its hash"* ]]
}

@test "audit: deleting a row, or the newest rows, makes verify fail and name the first missing" {
	record
	cp "$ALGO_STATE" "$TMP/copy.db"
	sqlite3 "$ALGO_STATE" "DELETE FROM audit WHERE seq = 7"
	run algo-ledger audit verify
	[ "$status" -eq 1 ]
	[[ "$output" == *"FAILED at row 7: row 7: missing (the next row is 8): rows were deleted"* ]]
	sqlite3 "$TMP/copy.db" "DELETE FROM audit WHERE seq >= 21"
	run algo-ledger audit verify --state "$TMP/copy.db"
	[ "$status" -eq 1 ]
	[[ "$output" == *"FAILED at row 21: row 21: missing (the log ends at row 20 but its head is row 22)"* ]]
}

@test "audit: prune refuses rows younger than the retention, re-anchors the chain, logs itself" {
	record
	run algo-ledger audit prune --before "$(date -u +%Y-%m-%d)"
	[ "$status" -eq 77 ]
	[[ "$output" == *"refusing to remove rows younger than the retention of 365 days"* ]]
	run algo-ledger audit prune
	[ "$status" -eq 2 ]
	# the events are from 2024: the rows before 09:20 on that day go
	run algo-ledger audit prune --before 2024-03-01T09:20:00+05:30
	[ "$status" -eq 0 ]
	[ "$output" = "audit prune: removed 12 rows" ]
	[ "$(sqlite3 "$ALGO_STATE" 'SELECT min(seq), max(seq), count(*) FROM audit')" = "13|23|11" ]
	[[ "$(sqlite3 "$ALGO_STATE" "SELECT kind, reason FROM audit WHERE seq = 23")" == "prune|removed 12 rows (seq 1 to 12 of the chain) before 2024-03-01; retention 365 days" ]]
	run algo-ledger audit verify
	[ "$status" -eq 0 ]
	[ "$output" = "audit log intact: 11 rows" ]
	# recording goes on after a prune; tampering is still caught
	echo '{"type":"kill_switch","ts":"2024-03-01T09:50:00+05:30","scope":"user","state":"on","reason":"manual"}' | algo-ledger > /dev/null
	algo-ledger audit verify
	sqlite3 "$ALGO_STATE" "DELETE FROM audit WHERE seq = 13"
	run algo-ledger audit verify
	[ "$status" -eq 1 ]
	[[ "$output" == *"FAILED at row 13"* ]]
	# a broken chain is not pruned
	run algo-ledger audit prune --before 2024-03-02 --retention-days 30
	[ "$status" -eq 77 ]
	[[ "$output" == *"the audit chain is broken, not pruning: row 13: missing"* ]]
}

@test "audit: --retention-days shortens the retention; usage errors" {
	record
	run algo-ledger audit prune --before 2024-03-02 --retention-days -1
	[ "$status" -eq 2 ]
	run algo-ledger audit frobnicate
	[ "$status" -eq 2 ]
	run algo-ledger audit verify extra
	[ "$status" -eq 2 ]
	run algo-ledger audit prune --before 2099-01-01 --retention-days 0
	[ "$status" -eq 77 ]
	run algo-ledger audit prune --before 2024-03-02 --retention-days 30
	[ "$status" -eq 0 ]
	[ "$output" = "audit prune: removed 22 rows" ]
	algo-ledger audit verify
}

@test "audit: the hash chain is deterministic: two recordings give the same log" {
	record
	"$BIN/algo-ledger" --state "$TMP/other.db" < "$TMP/in" > /dev/null
	diff <(sqlite3 "$ALGO_STATE" 'SELECT * FROM audit') <(sqlite3 "$TMP/other.db" 'SELECT * FROM audit')
}
