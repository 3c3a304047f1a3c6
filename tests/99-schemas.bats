#!/usr/bin/env bats
# Runs last: every event that any earlier test made a program emit (recorded by the
# shim in $ALGO_EVENT_LOG) must validate against schemas/, and every event type with
# a schema must have been emitted by some test.
load test_helper

@test "schemas: every emitted event validates, every event type is exercised" {
	[ -n "${ALGO_EVENT_LOG:-}" ] || skip "run through scripts/run-tests"
	[ -n "$(ls -A "$ALGO_EVENT_LOG")" ]
	run /usr/bin/env python3 "$ROOT/scripts/validate-events" "$ROOT/schemas" "$ALGO_EVENT_LOG" --require-all
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "schemas: a bad event is caught by the validator" {
	printf '%s\n' '{"type":"bar","ts":"2024-03-01T09:15:00+05:30","symbol":"X","tf":"1m","o":-1,"h":1,"l":1,"c":1,"v":1}' > "$TMP/bad.ndjson"
	run /usr/bin/env python3 "$ROOT/scripts/validate-events" "$ROOT/schemas" "$TMP/bad.ndjson"
	echo "$output"
	[ "$status" -eq 1 ]
}
