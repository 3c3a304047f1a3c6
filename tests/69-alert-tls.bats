#!/usr/bin/env bats
# TLS trust of algo-alert's deliveries (lib/telegram, lib/webhook over lib/http and
# lib/tlstrust) against the Telegram and webhook mock behind TLS (tests/mock/telegram.py
# --tls) with a CA made at test time. A certificate the client does not trust is a
# configuration error, as a refused token: one connection whose handshake failed,
# never tried again, the alert kept in the outbox, exit 78 for send, flush and test
# (the stage passes everything through and exits 0 with the warning, as it does for a
# refused token); SSL_CERT_FILE or SSL_CERT_DIR make it trusted and deliver.
load test_helper
load alert_helper
load tls_helper

setup_file() { tg_setup_file; }
setup() {
	common_setup
	tls_setup
	tg_start --tls "$SERVER_CERT" "$SERVER_KEY"
	TG_URL=https://127.0.0.1:$TG_PORT
	export TELEGRAM_API_BASE=$TG_URL
}
teardown() { tg_stop; common_teardown; }

# seen: "MESSAGES HOOKS CONNECTIONS HANDSHAKE_FAILURES" since the start: messages and
# webhook posts delivered, TCP connections accepted (this call's own included) and
# failed TLS handshakes.
seen() { tg_q '" ".join(map(str, (len(log["messages"]), len(log["hooks"]), log["tls"]["connections"], log["tls"]["handshake_failures"])))'; }

untrusted() { echo "https://127.0.0.1:$TG_PORT: TLS certificate not trusted: "; }

@test "alert-tls: send with an untrusted certificate is exit 78 at once, one handshake, kept in the outbox" {
	SECONDS=0
	run --separate-stderr algo-alert send --state "$TMP/s.db" --flush-timeout 5 "pipeline failed: 69"
	[ "$status" -eq 78 ]
	[ "$SECONDS" -lt 4 ]                  # not retried until the flush time-out
	[[ "$stderr" == "algo-alert: telegram:4242: $(untrusted)"*" (set SSL_CERT_FILE to the CA bundle)"$'\n'* ]]
	[[ "$stderr" == *"certificate"*"certificate"* ]]   # curl's words, not only ours
	[[ "$stderr" != *"trying again"* && "$stderr" != *"$TG_TOKEN"* ]]
	[[ "$stderr" == *"warning: 1 alert not delivered; kept in the outbox of $TMP/s.db"* ]]
	[ "$(grep -c . <<<"$stderr")" -eq 2 ]
	[ "$(seen)" = "0 0 2 1" ]
	[ "$(sqlite3 "$TMP/s.db" 'SELECT count(*) FROM alert_outbox')" -eq 1 ]
	# with the CA named, flush delivers what was kept, once
	SSL_CERT_FILE=$CA run algo-alert flush --state "$TMP/s.db"
	[ "$status" -eq 0 ]
	[[ "$output" == *"delivered 1 alert from the outbox"* ]]
	[ "$(tg_texts)" = "pipeline failed: 69" ]
	[ "$(sqlite3 "$TMP/s.db" 'SELECT count(*) FROM alert_outbox')" -eq 0 ]
}

@test "alert-tls: flush and test with an untrusted certificate are exit 78, the outbox kept" {
	SSL_CERT_FILE=$BATS_TEST_TMPDIR/missing.pem run --separate-stderr algo-alert send --state "$TMP/s.db" "x"
	[ "$status" -eq 78 ]
	[[ "$stderr" == *"$(untrusted)"*"missing.pem"* ]]   # the file named that cannot be read
	run --separate-stderr algo-alert flush --state "$TMP/s.db"
	[ "$status" -eq 78 ]
	[[ "$stderr" == *"$(untrusted)"*"(set SSL_CERT_FILE to the CA bundle)"* ]]
	[ "$(sqlite3 "$TMP/s.db" 'SELECT count(*) FROM alert_outbox')" -eq 1 ]
	run --separate-stderr algo-alert test
	[ "$status" -eq 78 ]
	[ "$stderr" = "algo-alert: telegram:4242: $(untrusted)${stderr#*not trusted: }" ]
	[[ "$stderr" == *"(set SSL_CERT_FILE to the CA bundle)" ]]
	SSL_CERT_FILE=$CA run algo-alert test
	[ "$status" -eq 0 ]
	[[ "$output" == *"test message delivered"* ]]
	[ "$(tg_count)" -eq 1 ]
}

@test "alert-tls: the stage passes every line through, exits 0 and tries an untrusted server once" {
	run --separate-stderr algo-alert --state "$TMP/s.db" --flush-timeout 3 < "$FIX/alert/events.ndjson"
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$FIX/alert/events.ndjson")" ]
	[ "$(grep -c 'TLS certificate not trusted' <<<"$stderr")" -eq 1 ]
	[[ "$stderr" == *"warning: 4 alerts not delivered; kept in the outbox"* ]]
	[[ "$stderr" != *"trying again"* ]]
	[ "$(seen)" = "0 0 2 1" ]
	SSL_CERT_FILE=$CA run algo-alert flush --state "$TMP/s.db"
	[ "$status" -eq 0 ]
	[ "$(tg_count)" -ge 1 ]
	[ "$(sqlite3 "$TMP/s.db" 'SELECT count(*) FROM alert_outbox')" -eq 0 ]
}

@test "alert-tls: a webhook's untrusted certificate names its host only; SSL_CERT_DIR trusts it" {
	run --separate-stderr algo-alert send --webhook "$TG_URL/hook/slack-secret" "to slack"
	[ "$status" -eq 78 ]
	[[ "$stderr" == "algo-alert: webhook:"*": webhook https://127.0.0.1:$TG_PORT/…: TLS certificate not trusted: "*" (set SSL_CERT_FILE to the CA bundle)"$'\n'* ]]
	[[ "$stderr" != *slack-secret* ]]
	[ "$(seen)" = "0 0 2 1" ]
	make_ca_dir
	SSL_CERT_DIR=$CA_DIR run algo-alert send --webhook "$TG_URL/hook/slack-secret" "to slack"
	[ "$status" -eq 0 ]
	[ "$(tg_q 'log["hooks"][-1]["body"]')" = "{'text': 'to slack'}" ]
}
