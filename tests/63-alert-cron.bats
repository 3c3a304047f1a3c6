#!/usr/bin/env bats
# The cron wrapper (examples/cron/paper-run) with the real algo-alert against the
# Telegram mock: runs on a short schedule, a failing run, a run killed mid-way, and
# Telegram down when the failure happens.
load test_helper
load alert_helper

setup_file() { tg_setup_file; }
setup() {
	common_setup
	tg_start
	RUN=$ROOT/examples/cron/paper-run
	SRC=$ROOT/examples/data/NSE_DEMO-EQ_1m.csv
	export PAPER_DATA=$TMP/bars.csv PAPER_STRATEGY=$ROOT/examples/strategies/demo-intraday.json
	export PAPER_CONF=$TMP/none.conf ALGO_STATE=$TMP/paper.db
	unset PAPER_ALERT                 # the default: algo-alert send, found on PATH
}
teardown() { tg_stop; common_teardown; }

# run_at HH:MM LINES: the data source has written LINES lines; a cron run at HH:MM.
run_at() {
	head -n "$2" "$SRC" > "$PAPER_DATA"
	PAPER_NOW=2023-06-05T$1 run "$RUN"
}

@test "cron alerts: quiet runs send nothing; a failing run and the resume after it alert" {
	run_at 09:20 6
	[ "$status" -eq 0 ]
	run_at 09:25 11
	[ "$status" -eq 0 ]
	[ "$(tg_count)" -eq 0 ]
	head -n 11 "$SRC" > "$PAPER_DATA"
	echo '2023-06-05T09:26:00+05:30,1,0.5,1,1,10' >> "$PAPER_DATA"    # high below low
	PAPER_NOW=2023-06-05T09:30 run "$RUN"
	[ "$status" -eq 65 ]
	[ "$(tg_texts)" = "paper-run: run at 2023-06-05T09:30 failed: algo-feed exited 65" ]
	run_at 09:35 21
	[ "$status" -eq 0 ]
	[ "$(tg_texts | tail -n 1)" = "paper-run: resuming after a run that did not finish (started 2023-06-05T09:30)" ]
	run_at 09:40 26
	[ "$status" -eq 0 ]
	[ "$(tg_count)" -eq 2 ]
}

@test "cron alerts: a run killed mid-way is reported by the next run" {
	mkfifo "$TMP/feed.csv"
	PAPER_DATA=$TMP/feed.csv PAPER_NOW=2023-06-05T09:20 setsid "$RUN" > "$TMP/killed.out" 2>&1 &
	pid=$!
	exec 7> "$TMP/feed.csv"           # the data source is writing, slowly
	head -n 3 "$SRC" >&7
	for _ in $(seq 100); do [ -e "$ALGO_STATE.running" ] && break; sleep 0.05; done
	[ -e "$ALGO_STATE.running" ]
	kill -9 -- -"$pid"
	wait "$pid" || true
	exec 7>&-
	run_at 09:25 11
	[ "$status" -eq 0 ]
	[ "$(tg_texts)" = "paper-run: resuming after a run that did not finish (started 2023-06-05T09:20)" ]
}

@test "cron alerts: Telegram down when a run fails; the alert waits in the outbox" {
	port=$TG_PORT
	tg_stop
	echo 'timestamp,open,high,low,close,volume' > "$PAPER_DATA"
	echo '2023-06-05T09:15:00+05:30,1,0.5,1,1,10' >> "$PAPER_DATA"
	start=$(date +%s)
	PAPER_NOW=2023-06-05T09:20 run "$RUN"
	[ "$status" -eq 65 ]
	[ $(( $(date +%s) - start )) -le 13 ]
	[[ "$output" == *"kept in the outbox of $ALGO_STATE"* ]]
	TG_PORT=$port tg_start
	run algo-alert flush
	[ "$status" -eq 0 ]
	[ "$(tg_texts)" = "paper-run: run at 2023-06-05T09:20 failed: algo-feed exited 65" ]
}
