#!/usr/bin/env bats
# What keeps the pipeline fast and its memory bounded (speed itself is measured by
# `make bench`, never here): the barrier lets an executor forget what algo-risk holds.
load test_helper
setup() { common_setup; export TMPDIR=$TMP; }
teardown() { common_teardown; }

DEMO=$ROOT/examples/data/NSE_DEMO-EQ_1m.csv
EMA=$ROOT/examples/strategies/ema-cross.json

# the syncs algo-risk --barrier wrote in a run of the demo (RISK-ENV set for algo-risk)
syncs() {
	algo-feed csv --no-progress "$DEMO" | algo-eval -s "$EMA" |
		env "$@" algo-risk --barrier | tee "$TMP/risk.out" | algo-exec-paper > /dev/null
	grep '^{"type":"sync"' "$TMP/risk.out"
}

@test "barrier without state: every sync lets the executor forget the records applied" {
	# nothing is ever saved, so nothing needs keeping: saved follows from (with the
	# first ack's seq kept as saved the executor held and scanned every record of
	# the run at each ack, quadratic in its length)
	syncs ALGO_STATE= > "$TMP/syncs"
	last=$(tail -1 "$TMP/syncs")
	[[ "$last" =~ \"from\":([0-9]+),\"saved\":([0-9]+) ]]
	[ "${BASH_REMATCH[1]}" -gt 100 ]
	[ "${BASH_REMATCH[2]}" = "${BASH_REMATCH[1]}" ]
	! grep -v '"saved":' "$TMP/syncs" | grep -q '"epoch"'
	while read -r l; do
		[[ "$l" =~ \"from\":([0-9]+),\"saved\":([0-9]+) ]] || continue
		[ "${BASH_REMATCH[2]}" = "${BASH_REMATCH[1]}" ]
	done < "$TMP/syncs"
}

@test "barrier with state: saved stays at the last commit, never past what was applied" {
	syncs ALGO_STATE="$TMP/state.db" > "$TMP/syncs"
	while read -r l; do
		[[ "$l" =~ \"from\":([0-9]+),\"saved\":([0-9]+) ]] || continue
		[ "${BASH_REMATCH[2]}" -le "${BASH_REMATCH[1]}" ]
	done < "$TMP/syncs"
	# the demo is shorter than one batch (5,000 lines): saved stays at the first ack
	[[ "$(tail -1 "$TMP/syncs")" =~ \"saved\":0\} ]]
}

@test "algo-backtest: its own fresh database is the throw-away one, and only it" {
	# a stand-in for algo-ledger notes what it was given, then runs the real one
	mkdir -p "$TMP/wrap"
	real=$(command -v algo-ledger)
	printf '#!/bin/sh\n[ "$1" = --state ] && printf "%%s %%s\\n" "$2" "${ALGO_THROWAWAY_STATE-unset}" >> "%s/seen"\nexec "%s" "$@"\n' \
		"$TMP" "$real" > "$TMP/wrap/algo-ledger"
	chmod +x "$TMP/wrap/algo-ledger"
	PATH="$TMP/wrap:$PATH" algo-backtest -s "$EMA" --state "$TMP/bt.db" "$DEMO" > "$TMP/report"
	# the run's stages got the variable naming their database (report: unset)
	[ "$(head -1 "$TMP/seen")" = "$TMP/bt.db $TMP/bt.db" ]
	# a plain run of a stage on a state database does not
	unset ALGO_THROWAWAY_STATE
	PATH="$TMP/wrap:$PATH" algo-ledger --state "$TMP/paper.db" < /dev/null > /dev/null
	[ "$(tail -1 "$TMP/seen")" = "$TMP/paper.db unset" ]
	# the report is the one a durable database gives, but for the run record that only
	# algo-backtest passes (strategy, parameters, input)
	algo-feed csv --no-progress "$DEMO" | algo-eval -s "$EMA" | ALGO_STATE= algo-risk --barrier |
		ALGO_STATE= algo-exec-paper | algo-ledger --state "$TMP/plain.db" > /dev/null
	grep -q '^Strategy SHA-256 ' "$TMP/report"
	diff <(algo-ledger report --state "$TMP/plain.db") \
		<(grep -vE '^(Strategy (name|file|SHA-256)|Parameters|Overrides \(-P\)|Input) ' "$TMP/report")
}

@test "algo-eval on the throw-away database saves once, at the end; on another, while it runs" {
	# each save waits for the database's writer (the ledger's batch in a backtest): on
	# 1M bars algo-eval's saves cost about a third of the pipeline's wall time
	algo-feed csv --no-progress "$DEMO" | head -n 200 > "$TMP/bars"
	states() { sqlite3 "$1" "SELECT count(*) FROM eval_state" 2>/dev/null || echo 0; }
	for kind in throwaway durable; do
		db=$TMP/$kind.db
		mkfifo "$TMP/in.$kind"
		tw=$db
		[ "$kind" = throwaway ] || tw=
		ALGO_STATE=$db ALGO_THROWAWAY_STATE=$tw algo-eval -s "$EMA" < "$TMP/in.$kind" > "$TMP/out.$kind" &
		pid=$!
		exec 5>"$TMP/in.$kind"
		cat "$TMP/bars" >&5
		# a pause: a durable database is saved after 50 ms without input (the
		# throw-away one is given a second, as long as a loaded machine may need)
		n=100
		[ "$kind" = durable ] || n=20
		for _ in $(seq "$n"); do [ "$(states "$db")" -ge 1 ] && break; sleep 0.05; done
		echo "$kind: $(states "$db") during the pause" >> "$TMP/seen"
		exec 5>&-
		wait "$pid"
		echo "$kind: $(states "$db") at the end" >> "$TMP/seen"
	done
	cat "$TMP/seen"
	[ "$(cat "$TMP/seen")" = "throwaway: 0 during the pause
throwaway: 1 at the end
durable: 1 during the pause
durable: 1 at the end" ]
	cmp "$TMP/out.throwaway" "$TMP/out.durable"
}
