#!/usr/bin/env bats
# algo-alert delivery against the Telegram mock: rate limits and batching, 429, 5xx, a
# slow server, a dropped connection, folding when the queue is full, and the outbox
# when Telegram is down the whole run.
load test_helper
load alert_helper

setup_file() { tg_setup_file; }
setup() { common_setup; tg_start; }
teardown() { tg_stop; common_teardown; }

# gaps: the seconds between consecutive accepted messages, smallest first.
min_gap() { tg_q 'min([b["t"] - a["t"] for a, b in zip(log["messages"], log["messages"][1:])] or [99])'; }

@test "delivery: a burst of 500 fills to a group arrives as a handful of messages within the limits" {
	fills 500 > "$TMP/fills.ndjson"
	TELEGRAM_CHAT_ID=-100777 run --separate-stderr algo-alert < "$TMP/fills.ndjson"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	n=$(tg_count)
	[ "$n" -ge 2 ] && [ "$n" -le 10 ]
	# every fill is in some message, counted in the headers
	[ "$(tg_q 'sum(int(m["text"].split()[0]) if m["text"][0].isdigit() else 1 for m in log["messages"])')" -eq 500 ]
	[ "$(tg_q 'len([r for r in log["requests"] if r["status"] == 429])')" -eq 0 ]
	[ "$(tg_q 'max(len(m["text"]) for m in log["messages"]) <= 4096')" = True ]
	python3 -c "import sys; sys.exit(0 if float('$(min_gap)') >= 0.95 else 1)"
	[[ "$(tg_texts | tail -n 1)" =~ ^[0-9]+\ fills:\ \|\ buy\ 10\ NSE:SBIN-EQ ]]
}

@test "delivery: a 429 is waited out for its retry_after, then the message goes" {
	tg_fault '{"status":429,"retry_after":2,"times":1}'
	run algo-alert send "after the flood"
	[ "$status" -eq 0 ]
	[[ "$output" == *"429 Too Many Requests: retry after 2: trying again in 2.0 s"* ]]
	[ "$(tg_texts)" = "after the flood" ]
	[ "$(tg_q 'round(log["requests"][1]["t"] - log["requests"][0]["t"])')" -eq 2 ]
}

@test "delivery: 5xx and a dropped connection are retried with backoff" {
	tg_fault '{"status":502,"times":2}'
	run algo-alert send "through 502s"
	[ "$status" -eq 0 ]
	[[ "$output" == *"HTTP 502"* ]]
	[ "$(tg_q 'len(log["requests"])')" -eq 3 ]
	[ "$(tg_texts)" = "through 502s" ]
	# the waits grow: 0.5 s, then 1 s
	[ "$(tg_q 'round(log["requests"][2]["t"] - log["requests"][1]["t"], 0)')" = 1.0 ]
	tg_fault '{"drop":true,"times":1}'
	run algo-alert send "through a drop"
	[ "$status" -eq 0 ]
	[ "$(tg_q 'log["messages"][-1]["text"]')" = "through a drop" ]
	[ "$(tg_q 'len([r for r in log["requests"] if r["status"] == 0])')" -eq 1 ]
}

@test "delivery: a slow server holds up neither the events nor the next stage" {
	tg_fault '{"delay_ms":2000,"times":-1}'
	algo-feed csv --no-progress "$ROOT/examples/data/NSE_DEMO-EQ_1m.csv" | head -n 1990 > "$TMP/in.ndjson"
	fills 10 >> "$TMP/in.ndjson"
	[ "$(wc -l < "$TMP/in.ndjson")" -eq 2000 ]
	start=$(date +%s%N)
	# the program itself: the test shim's shell would hold the pipe open until it exits
	"$BIN/algo-alert" --flush-timeout 8 < "$TMP/in.ndjson" 2>"$TMP/err" | { cat > "$TMP/out.ndjson"; date +%s%N > "$TMP/t"; }
	cmp "$TMP/in.ndjson" "$TMP/out.ndjson"
	# the next stage had all the events well before the first reply came
	[ $(( ($(cat "$TMP/t") - start) / 1000000 )) -lt 1500 ]
	[ "$(tg_count)" -ge 1 ]
	[ "$(tg_q 'sum(int(m["text"].split()[0]) if m["text"][0].isdigit() else 1 for m in log["messages"])')" -eq 10 ]
}

@test "delivery: a full queue folds the oldest fills into a count, never a kill switch" {
	tg_fault '{"delay_ms":1500,"times":1}'
	# the first fill is on its way (the server holds its answer) before the 30 come
	{ fills 1 NSE:INFY-EQ; fills 30; grep kill_switch "$FIX/alert/events.ndjson"; } > "$TMP/in.ndjson"
	{ fills 1 NSE:INFY-EQ; tg_wait_seen 1; fills 30; grep kill_switch "$FIX/alert/events.ndjson"; } |
		algo-alert --queue 5 > "$TMP/out.ndjson"
	cmp "$TMP/in.ndjson" "$TMP/out.ndjson"
	texts=$(tg_texts)
	echo "$texts"
	[[ "$texts" == *"kill switch: halted (all)"* ]]
	[[ "$texts" == *"5 fills: | "*" | 25 more fills"* ]]
	[ "$(tg_count)" -eq 3 ]
}

@test "delivery: with Telegram down the whole run, kill switch alerts wait in the outbox; flush sends them once" {
	port=$TG_PORT
	tg_stop
	run --separate-stderr algo-alert --state "$TMP/s.db" --flush-timeout 1 < "$FIX/alert/events.ndjson"
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$FIX/alert/events.ndjson")" ]
	[[ "$stderr" == *"cannot reach Telegram"* ]]
	[[ "$stderr" == *"warning: 4 alerts not delivered in time; kept in the outbox of $TMP/s.db"* ]]
	[ "$(sqlite3 "$TMP/s.db" "SELECT count(*) FROM alert_outbox WHERE prio = 1 AND text LIKE 'kill switch: halted%'")" -eq 1 ]
	TG_PORT=$port tg_start
	run algo-alert flush --state "$TMP/s.db"
	[ "$status" -eq 0 ]
	[[ "$output" == *"delivered 4 alerts from the outbox"* ]]
	tg_texts | grep -c '^kill switch: halted (all): manual: "stop" <now>$'
	[ "$(tg_texts | grep -c 'kill switch')" -eq 1 ]
	[ "$(sqlite3 "$TMP/s.db" 'SELECT count(*) FROM alert_outbox')" -eq 0 ]
	run algo-alert flush --state "$TMP/s.db"
	[ "$status" -eq 0 ]
	[[ "$output" == *"outbox of $TMP/s.db is empty"* ]]
	# the same events again (a re-run after a crash) alert nothing new
	run algo-alert --state "$TMP/s.db" < "$FIX/alert/events.ndjson"
	[ "$status" -eq 0 ]
	[ "$(tg_texts | grep -c 'kill switch')" -eq 1 ]
}

@test "delivery: the next run sends what an earlier one kept, before its own" {
	TELEGRAM_API_BASE=http://127.0.0.1:9 run algo-alert send --state "$TMP/s.db" --flush-timeout 0.5 "first"
	[ "$status" -eq 75 ]
	fills 1 | algo-alert --state "$TMP/s.db" > /dev/null
	[ "$(tg_texts)" = "$(printf 'first\nfill: buy 10 NSE:SBIN-EQ @ 752.5 (demo)')" ]
	[ "$(sqlite3 "$TMP/s.db" 'SELECT count(*) FROM alert_outbox')" -eq 0 ]
}

@test "delivery: webhooks get Slack's or Discord's shape; --exec gets the text on stdin" {
	run algo-alert send --webhook "$TG_URL/hook/slack" "to slack"
	[ "$status" -eq 0 ]
	[ "$(tg_q 'log["hooks"][-1]["body"]')" = "{'text': 'to slack'}" ]
	[ "$(tg_q 'len(log["messages"])')" -eq 0 ]
	[ "$(tg_py -c 'import sys; sys.path.insert(0, "'"$ROOT"'/tests/mock"); print(1)')" = 1 ]
	run algo-alert send --exec "cat >> $TMP/exec.out" "to a command"
	[ "$status" -eq 0 ]
	[ "$(cat "$TMP/exec.out")" = "to a command" ]
	run algo-alert send --exec "exit 3" --flush-timeout 1 "fails"
	[ "$status" -eq 75 ]
	[[ "$output" == *"--exec: the command exited 3"* ]]
	run algo-alert --exec "cat >> $TMP/exec2.out" --telegram < "$FIX/alert/events.ndjson"
	[ "$status" -eq 0 ]
	[ "$(wc -l < "$TMP/exec2.out")" -eq 4 ]
	[ "$(tg_count)" -eq 4 ]
}

@test "delivery: alerts of events the stage saved survive a kill -9 before delivery, once" {
	port=$TG_PORT
	tg_stop
	mkfifo "$TMP/in"
	"$BIN/algo-alert" --state "$TMP/s.db" < "$TMP/in" > "$TMP/out" 2> "$TMP/err" &
	pid=$!
	exec 7> "$TMP/in"
	cat "$FIX/alert/events.ndjson" >&7
	for _ in $(seq 100); do
		[ "$(sqlite3 "$TMP/s.db" 'SELECT count(*) FROM alert_outbox' 2>/dev/null)" = 4 ] && break
		sleep 0.05
	done
	kill -9 "$pid"
	wait "$pid" || true
	exec 7>&-
	cmp "$TMP/out" "$FIX/alert/events.ndjson"
	[ "$(sqlite3 "$TMP/s.db" 'SELECT count(*) FROM alert_outbox')" -eq 4 ]
	TG_PORT=$port tg_start
	run algo-alert flush --state "$TMP/s.db"
	[ "$status" -eq 0 ]
	[[ "$output" == *"delivered 4 alerts from the outbox"* ]]
	[ "$(tg_texts | grep -c 'kill switch: halted')" -eq 1 ]
	[ "$(tg_texts | grep -c 'fill: buy 10 NSE:SBIN-EQ')" -eq 1 ]
	# the pipeline run again over the same events (the cron resume) alerts nothing new
	n=$(tg_count)
	run algo-alert --state "$TMP/s.db" < "$FIX/alert/events.ndjson"
	[ "$status" -eq 0 ]
	[ "$(tg_count)" -eq "$n" ]
	[ "$(sqlite3 "$TMP/s.db" 'SELECT count(*) FROM alert_outbox')" -eq 0 ]
}
