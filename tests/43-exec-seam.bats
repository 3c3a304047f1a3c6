#!/usr/bin/env bats
# The executor seam (lib/executor.h): the same order life, client ids, legs and events
# whether the venue answers at once (paper) or later (a broker that is polled).
load test_helper

@test "exec seam: a venue that answers later (unit test with a broker-like venue)" {
	run_unit test_executor
}

@test "exec seam: an order id is a duplicate however long ago it was seen (ids leave memory)" {
	# 5,000 day limit orders that never fill, each cancelled at once: more than the
	# registry keeps in memory (4,096) before it moves ids to a temporary database
	awk 'BEGIN {
		for (i = 1; i <= 5000; i++) {
			printf "{\"type\":\"order\",\"ts\":\"2024-03-01T09:15:00+05:30\",\"id\":\"o%d\",\"strategy\":\"s\",\"symbol\":\"NSE:X-EQ\",\"side\":\"buy\",\"qty\":1,\"kind\":\"limit\",\"limit\":1,\"product\":\"intraday\",\"validity\":\"day\",\"mode\":\"paper\",\"user\":\"default\"}\n", i
			printf "{\"type\":\"cancel\",\"ts\":\"2024-03-01T09:15:00+05:30\",\"id\":\"o%d\"}\n", i
		}
		print "{\"type\":\"order\",\"ts\":\"2024-03-01T09:16:00+05:30\",\"id\":\"o1\",\"strategy\":\"s\",\"symbol\":\"NSE:X-EQ\",\"side\":\"buy\",\"qty\":1,\"kind\":\"market\",\"product\":\"intraday\",\"validity\":\"day\",\"mode\":\"paper\",\"user\":\"default\"}"
		print "{\"type\":\"order\",\"ts\":\"2024-03-01T09:16:00+05:30\",\"id\":\"o5000\",\"strategy\":\"s\",\"symbol\":\"NSE:X-EQ\",\"side\":\"buy\",\"qty\":1,\"kind\":\"market\",\"product\":\"intraday\",\"validity\":\"day\",\"mode\":\"paper\",\"user\":\"default\"}"
		print "{\"type\":\"order\",\"ts\":\"2024-03-01T09:16:00+05:30\",\"id\":\"o5001\",\"strategy\":\"s\",\"symbol\":\"NSE:X-EQ\",\"side\":\"buy\",\"qty\":1,\"kind\":\"market\",\"product\":\"intraday\",\"validity\":\"day\",\"mode\":\"paper\",\"user\":\"default\"}"
	}' > "$TMP/in"
	ALGO_STATE= run --separate-stderr algo-exec-paper < "$TMP/in"
	[ "$status" -eq 0 ]
	[ "$(grep -c '"status":"cancelled"' <<<"$output")" -eq 5000 ]
	[ "$(grep -c '"status":"rejected","reason":"duplicate order id"' <<<"$output")" -eq 2 ]
	grep -q '"id":"o5001","status":"accepted"' <<<"$output"
}

@test "exec seam: final orders leave memory and the saved state; their ids stay in the database" {
	awk 'BEGIN {
		for (i = 1; i <= 3000; i++) {
			printf "{\"type\":\"order\",\"ts\":\"2024-03-01T09:15:00+05:30\",\"id\":\"o%d\",\"strategy\":\"s\",\"symbol\":\"NSE:X-EQ\",\"side\":\"buy\",\"qty\":1,\"kind\":\"limit\",\"limit\":1,\"product\":\"intraday\",\"validity\":\"day\",\"mode\":\"paper\",\"user\":\"default\"}\n", i
			printf "{\"type\":\"cancel\",\"ts\":\"2024-03-01T09:15:00+05:30\",\"id\":\"o%d\"}\n", i
		}
	}' > "$TMP/in"
	algo-exec-paper --state "$TMP/s.db" < "$TMP/in" > /dev/null
	[ "$(sqlite3 "$TMP/s.db" 'SELECT count(*) FROM exec_ids')" -eq 3000 ]
	# nothing of the 3,000 cancelled orders is in the state: a few hundred bytes
	[ "$(sqlite3 "$TMP/s.db" 'SELECT length(state) FROM exec_state')" -lt 600 ]
}
