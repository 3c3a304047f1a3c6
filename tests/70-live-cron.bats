#!/usr/bin/env bats
# examples/cron/live-run: one cron run of a live pipeline through FYERS (the mock): the
# private configuration, the session checked first, market hours, the lock, the log,
# a dry run that sends nothing, and a live run that places each order once.
load test_helper
load fyers_helper
load fyers_live_helper

setup_file() { fyers_setup_file; }
setup() {
	live_setup
	export TMPDIR=$TMP
	RUN=$ROOT/examples/cron/live-run
	# 09:15 to 10:50: an entry at 10:26 and its exit at 10:48
	DATA=$TMP/data/NSE_DEMO-EQ_1m.csv
	mkdir -p "$TMP/data"
	head -97 "$ROOT/examples/data/NSE_DEMO-EQ_1m.csv" > "$DATA"
	mock_scenario '{"prices":{"NSE:DEMO-EQ":612.05}}'
	printf '#!/bin/sh\necho "$*" >> %s/alerts\n' "$TMP" > "$TMP/alert"
	chmod +x "$TMP/alert"
	# the bars are of 2023: the orders are as old, which only a drill may send
	cat > "$TMP/live.conf" <<-EOF2
	LIVE_DATA=$DATA
	LIVE_STRATEGY=$ROOT/examples/strategies/demo-intraday.json
	LIVE_USER=alice
	LIVE_EXEC="--max-order-age 0 --poll-interval 0.1 --drain-timeout 5"
	LIVE_ALERT=$TMP/alert
	EOF2
	chmod 600 "$TMP/live.conf"
	export LIVE_CONF=$TMP/live.conf LIVE_NOW=2023-06-05T10:51
	LOG=$ALGO_STATE.alice.log
}
teardown() { live_teardown; }

orders_in() { grep -c '"type":"order",' "$1" || true; }

# orders_sent: the tags of the orders the mock's book holds, one a line, sorted.
orders_sent() { mock_book | py -c 'import json,sys; print("\n".join(sorted(o["orderTag"] for o in json.load(sys.stdin)["orders"])))'; }

@test "live-cron: --help describes the settings; a bad argument is a usage error" {
	run "$RUN" --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"LIVE_DATA"* && "$output" == *"--dry-run"* && "$output" == *"chmod 600"* ]]
	run "$RUN" --bogus
	[ "$status" -eq 2 ]
}

@test "live-cron: a dry run sends nothing and leaves the live state alone; the live run places each order once" {
	run "$RUN" --dry-run
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "live-run: dry run at 2023-06-05T10:51: 2 orders decided, nothing sent (the orders are in $LOG)" ]
	[ "$(order_requests)" -eq 0 ]
	grep -q "FYERS accepts the session" "$LOG"          # the status check went to the log
	[ ! -e "$ALGO_STATE.alice.last" ] && [ ! -e "$ALGO_STATE.alice.events" ]
	[ "$(sqlite3 "$ALGO_STATE" 'SELECT count(*) FROM orders')" -eq 0 ]
	run "$RUN"
	echo "$output"; cat "$LOG"
	[ "$status" -eq 0 ]
	[ -z "$output" ]                                    # a quiet run says nothing
	[ "$(order_requests)" -eq 2 ]
	[ "$(orders_in "$ALGO_STATE.alice.events")" -eq 2 ]
	[ "$(grep -c '"type":"fill",' "$ALGO_STATE.alice.events")" -eq 2 ]
	check_once "$ALGO_STATE.alice.events"
	[ "$(cat "$ALGO_STATE.alice.last")" = "2023-06-05T10:50:00+05:30" ]
	[ ! -e "$ALGO_STATE.alice.running" ]
	[ ! -e "$TMP/alerts" ]
	# the next run, with one bar more, sends nothing again
	sed -n 98p "$ROOT/examples/data/NSE_DEMO-EQ_1m.csv" >> "$DATA"
	LIVE_NOW=2023-06-05T10:56 run "$RUN"
	[ "$status" -eq 0 ]
	[ "$(order_requests)" -eq 2 ]
	[ "$(cat "$ALGO_STATE.alice.last")" = "2023-06-05T10:51:00+05:30" ]
	[ "$(grep -c -- '--- live-run ' "$LOG")" -eq 3 ]
}

@test "live-cron: a second run while one is going on is refused by the lock and sends nothing" {
	rm -f "$DATA"
	mkfifo "$DATA"                   # the first run waits for its bars
	"$RUN" > "$TMP/first.out" 2>&1 3>&- &
	first=$!
	for _ in $(seq 100); do grep -q -- '--- live-run' "$LOG" 2>/dev/null && break; sleep 0.1; done
	run "$RUN"
	[ "$status" -eq 75 ]
	[ "$output" = "live-run: another run holds $ALGO_STATE.alice.lock; not starting a second one" ]
	head -97 "$ROOT/examples/data/NSE_DEMO-EQ_1m.csv" > "$DATA"
	wait "$first"
	cat "$TMP/first.out"
	[ "$(order_requests)" -eq 2 ]
	orders_sent
	[ "$(orders_sent | sort -u | wc -l)" -eq 2 ]
}

@test "live-cron: without a valid session it trades nothing: exit 77 and an alert" {
	rm -f "$XDG_CONFIG_HOME/algo/fyers-token.json"
	run "$RUN"
	[ "$status" -eq 77 ]
	[ "$output" = "live-run: run at 2023-06-05T10:51: no valid FYERS session, nothing traded; log in again (algo-exec-fyers login)" ]
	[ "$(cat "$TMP/alerts")" = "live-run: run at 2023-06-05T10:51: no valid FYERS session, nothing traded; log in again (algo-exec-fyers login)" ]
	[ "$(order_requests)" -eq 0 ]
	[ ! -e "$ALGO_STATE.alice.running" ] && [ ! -e "$ALGO_STATE.alice.events" ]
	# a session FYERS no longer accepts (expired, revoked) is the same
	fyers_login
	mock_post /_mock/expire '{}'
	run "$RUN"
	[ "$status" -eq 77 ]
	[ "$(order_requests)" -eq 0 ]
}

@test "live-cron: outside market hours it says so and does nothing; --force runs" {
	LIVE_NOW=2023-06-10T10:00 run "$RUN"            # a Saturday
	[ "$status" -eq 0 ]
	[[ "$output" == *"outside market hours"*"--force runs anyway"* ]]
	LIVE_NOW=2023-06-05T08:59 run "$RUN"
	[ "$status" -eq 0 ]
	echo 2023-06-05 > "$TMP/holidays"
	LIVE_HOLIDAYS=$TMP/holidays run "$RUN"
	[ "$status" -eq 0 ]
	[[ "$output" == *"2023-06-05 is an exchange holiday"* ]]
	[ ! -e "$LOG" ] && [ "$(all_requests)" -eq 0 ]
	LIVE_NOW=2023-06-05T08:59 run "$RUN" --force
	[ "$status" -eq 0 ]
	[ "$(order_requests)" -eq 2 ]
}

@test "live-cron: the configuration must be private and complete; a failing stage's status is the run's" {
	chmod 644 "$LIVE_CONF"
	run "$RUN"
	[ "$status" -eq 78 ]
	[[ "$output" == "live-run: $LIVE_CONF: mode 644 (owner uid $(id -u)) lets others read or change it: refused (chmod 600 $LIVE_CONF)" ]]
	chmod 600 "$LIVE_CONF"
	LIVE_CONF=$TMP/missing.conf run "$RUN"
	[ "$status" -eq 78 ]
	sed -i '/^LIVE_USER=/d' "$LIVE_CONF"
	run "$RUN"
	[ "$status" -eq 78 ]
	[[ "$output" == *"LIVE_USER is not set"* ]]
	echo 'LIVE_USER=alice' >> "$LIVE_CONF"
	# a bad bar fails the feed: its status, named, alerted; the next run resumes
	echo '2023-06-05T10:51:00+05:30,1,0.5,1,1,10' >> "$DATA"     # high below low
	run "$RUN"
	[ "$status" -eq 65 ]
	[ "$output" = "live-run: run at 2023-06-05T10:51 failed: algo-feed exited 65 (see $LOG)" ]
	[ "$(cat "$TMP/alerts")" = "$output" ]
	[ -e "$ALGO_STATE.alice.running" ]
}

@test "live-cron: with the kill switch on the live stage refuses to start: its 77 is the run's, alerted, nothing sent" {
	algo-risk kill --all --reason "stop now" 2>/dev/null
	run "$RUN"
	echo "$output"; cat "$LOG"
	[ "$status" -eq 77 ]
	[[ "$output" == "live-run: run at 2023-06-05T10:51 failed: "*"algo-exec-fyers exited 77"*" (see $LOG)" ]]
	[ "$(cat "$TMP/alerts")" = "$output" ]
	grep -q "kill switch" "$LOG"
	[ "$(order_requests)" -eq 0 ]
}
