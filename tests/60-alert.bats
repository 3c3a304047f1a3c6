#!/usr/bin/env bats
# algo-alert: configuration, `send`, `test`, and the stage's pass-through and wording,
# against a loopback mock of the Telegram Bot API (tests/mock/telegram.py).
load test_helper
load alert_helper

@test "alert: unit tests of the rules, templates, queue, folding and batching" { run_unit test_alert; }
@test "alert: unit tests of the sender: gap, per-minute cap, priorities, time-out" { run_unit test_sender; }
@test "alert: unit tests of the command's runs (lib/alertctl): arguments, send, flush, test, errors returned, nothing printed" { run_unit test_alertctl; }

setup_file() { tg_setup_file; }
setup() { common_setup; tg_start; }
teardown() { tg_stop; common_teardown; }

@test "alert: send delivers one message to the chat" {
	run algo-alert send "pipeline failed:" 65
	[ "$status" -eq 0 ]
	[ "$(tg_texts)" = "pipeline failed: 65" ]
	[ "$(tg_q 'log["messages"][0]["chat_id"]')" = 4242 ]
	[ "$(tg_q 'log["messages"][0]["parse_mode"]')" = None ]
}

@test "alert: only the first word is the command: 'send flush' and 'send test' send those words" {
	run algo-alert send flush
	[ "$status" -eq 0 ]
	run algo-alert send test now
	[ "$status" -eq 0 ]
	[ "$(tg_texts)" = "flush
test now" ]
}

@test "alert: test sends a test message; a wrong token is refused clearly with 78" {
	run algo-alert test
	[ "$status" -eq 0 ]
	[[ "$output" == *"test message delivered"* ]]
	[[ "$(tg_texts)" == "algo-alert test from "* ]]
	TELEGRAM_BOT_TOKEN=999:WRONG run algo-alert test
	[ "$status" -eq 78 ]
	[[ "$output" == *"Telegram refused the bot token (401 Unauthorized): check TELEGRAM_BOT_TOKEN"* ]]
	TELEGRAM_BOT_TOKEN=999:WRONG run algo-alert send --flush-timeout 2 "x"
	[ "$status" -eq 78 ]
	[[ "$output" == *"401 Unauthorized"* && "$output" == *"kept in the outbox"* ]]
}

@test "alert: test says exactly what is misconfigured" {
	TELEGRAM_BOT_TOKEN= run algo-alert test
	[ "$status" -eq 78 ]
	[[ "$output" == *"TELEGRAM_BOT_TOKEN is not set (in the environment or in"* ]]
	TELEGRAM_CHAT_ID= run algo-alert test
	[ "$status" -eq 78 ]
	[[ "$output" == *"TELEGRAM_CHAT_ID is not set"* ]]
	TELEGRAM_BOT_TOKEN=not-a-token run algo-alert test
	[ "$status" -eq 78 ]
	[[ "$output" == *"does not look like a bot token"* && "$output" != *not-a-token* ]]
	TELEGRAM_CHAT_ID="42 x" run algo-alert test
	[ "$status" -eq 78 ]
	[[ "$output" == *"is not a chat id"* ]]
	TELEGRAM_API_BASE=http://127.0.0.1:9 run algo-alert test
	[ "$status" -eq 69 ]
	[[ "$output" == *"cannot reach Telegram at http://127.0.0.1:9"* ]]
	tg_stop; tg_start --chats 777
	run algo-alert test
	[ "$status" -eq 78 ]
	[[ "$output" == *"cannot send to chat 4242 (400 Bad Request: chat not found)"* ]]
}

@test "alert: the config file must be private; the environment wins over it" {
	mkdir -p "$XDG_CONFIG_HOME/algo"
	conf=$XDG_CONFIG_HOME/algo/alert.conf
	printf '# bot\nTELEGRAM_BOT_TOKEN="%s"\nexport TELEGRAM_CHAT_ID=555\n' "$TG_TOKEN" > "$conf"
	chmod 644 "$conf"
	env -u TELEGRAM_BOT_TOKEN -u TELEGRAM_CHAT_ID algo-alert test && false
	run env -u TELEGRAM_BOT_TOKEN -u TELEGRAM_CHAT_ID algo-alert test
	[ "$status" -eq 78 ]
	[[ "$output" == *"$conf: mode 0644 lets others read or change it: refused (chmod 600"* ]]
	chmod 600 "$conf"
	run env -u TELEGRAM_BOT_TOKEN -u TELEGRAM_CHAT_ID algo-alert send from-file
	[ "$status" -eq 0 ]
	[ "$(tg_q 'log["messages"][-1]["chat_id"]')" = 555 ]
	run env -u TELEGRAM_BOT_TOKEN algo-alert send from-env
	[ "$status" -eq 0 ]
	[ "$(tg_q 'log["messages"][-1]["chat_id"]')" = 4242 ]
	printf 'no equals sign\n' > "$conf"
	run env -u TELEGRAM_BOT_TOKEN algo-alert test
	[ "$status" -eq 78 ]
	[[ "$output" == *"$conf:1: expected NAME=value"* ]]
}

@test "alert: the token never shows in output, logs or the database" {
	TELEGRAM_BOT_TOKEN=999:WRONG-TOKEN-XYZ run algo-alert test
	[[ "$output" != *WRONG-TOKEN-XYZ* ]]
	TELEGRAM_API_BASE=http://127.0.0.1:9 run algo-alert send --flush-timeout 1 hi
	[[ "$output" != *TEST-SECRET-TOKEN* ]]
	TELEGRAM_API_BASE=http://127.0.0.1:9 run algo-alert --state "$TMP/s.db" --flush-timeout 1 \
		< "$FIX/alert/events.ndjson"
	[ "$status" -eq 0 ]
	[[ "$output" != *TEST-SECRET-TOKEN* ]]
	run algo-alert --state "$TMP/s.db" < "$FIX/alert/events.ndjson"
	[[ "$output" != *TEST-SECRET-TOKEN* ]]
	! grep -r -a -q TEST-SECRET-TOKEN "$TMP"/s.db* "$ALGO_STATE"* "$XDG_STATE_HOME" 2>/dev/null
	[ -e "$TMP/s.db" ]
}

@test "alert: every line passes through byte for byte; the default alerts and their wording" {
	run --separate-stderr algo-alert < "$FIX/alert/events.ndjson"
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$FIX/alert/events.ndjson")" ]
	for _ in $(seq 50); do [ "$(tg_count)" -ge 4 ] && break; sleep 0.1; done
	diff <(tg_texts | sort) - <<-'EOF'
	fill: buy 10 NSE:SBIN-EQ @ 752.5 (demo)
	kill switch: halted (all): manual: "stop" <now>
	rejected: order A2: margin < required & more
	risk block: demo sell 5 NSE:INFY-EQ: 3 trades today, limit 3
	EOF
}

@test "alert: --on picks the event types, --template words them, --html escapes the fields" {
	run algo-alert --on kill_switch,rejected --html --template '<b>{type}</b> {reason} {{x}}' \
		< "$FIX/alert/events.ndjson"
	[ "$status" -eq 0 ]
	diff <(tg_texts | sort) - <<-'EOF'
	<b>kill_switch</b> manual: &quot;stop&quot; &lt;now&gt; {x}
	<b>order_update</b> margin &lt; required &amp; more {x}
	EOF
	[ "$(tg_q 'set(m["parse_mode"] for m in log["messages"])')" = "{'HTML'}" ]
	# the mock parses HTML as Telegram does: the same text unescaped would be refused
	run algo-alert send --html 'a < b'
	[ "$status" -eq 78 ]
	[[ "$output" == *"can't parse entities"* ]]
}

@test "alert: usage errors exit 2; bad input stops the stage with 65" {
	run algo-alert send
	[ "$status" -eq 2 ]
	run algo-alert --on 'Fill!'
	[ "$status" -eq 2 ]
	[[ "$output" == *"--on: 'Fill!' is not an event type"* ]]
	run algo-alert --template 'a {b'
	[ "$status" -eq 2 ]
	[[ "$output" == *"--template: '{' at column 3"* ]]
	run algo-alert --flush-timeout soon
	[ "$status" -eq 2 ]
	run algo-alert flush extra
	[ "$status" -eq 2 ]
	run --separate-stderr algo-alert <<< '{"type":"fill",'
	[ "$status" -eq 65 ]
	[[ "$stderr" == *"stdin:1: malformed JSON"* ]]
}
