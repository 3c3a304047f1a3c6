#!/usr/bin/env bats
# algo-feed replay: events unchanged, paced by market time, flushed one by one.
load test_helper

mk() {
	algo-feed csv --symbol NSE:TEST-EQ "$FIX/sample_3k.csv" | head -"$1" > "$TMP/in.ndjson"
}

@test "replay: writes every event unchanged" {
	mk 50
	run algo-feed replay --speed 0 "$TMP/in.ndjson"
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$TMP/in.ndjson")" ]
	printf '%s\n' '{"type":"note","ts":"2024-03-01T09:15:00+05:30","x":[1,{"y":"\u00e9"}]}' > "$TMP/other"
	run algo-feed replay --speed 0 "$TMP/other"
	[ "$output" = "$(cat "$TMP/other")" ]
}

@test "replay: paces by market time divided by --speed (lower bound only)" {
	mk 5   # header + 4 bars one minute apart: 3 gaps of 60 s
	start=$(date +%s%N)
	algo-feed replay --speed 300 "$TMP/in.ndjson" > "$TMP/out"   # 3 x 0.2 s
	end=$(date +%s%N)
	cmp "$TMP/in.ndjson" "$TMP/out"
	[ $(( (end - start) / 1000000 )) -ge 550 ]
}

@test "replay: --max-gap caps a long gap, --every sets a fixed interval" {
	mk 4   # header and first bar share a ts, then two 60 s gaps
	start=$(date +%s%N)
	algo-feed replay --speed 1 --max-gap 0.2 "$TMP/in.ndjson" > /dev/null   # 2 x 0.2 s
	end=$(date +%s%N)
	[ $(( (end - start) / 1000000 )) -ge 350 ]
	[ $(( (end - start) / 1000000 )) -lt 30000 ]
	start=$(date +%s%N)
	algo-feed replay --every 250 "$TMP/in.ndjson" > /dev/null            # 3 x 0.25 s
	end=$(date +%s%N)
	[ $(( (end - start) / 1000000 )) -ge 700 ]
}

@test "replay: each event is flushed as it is replayed (a live feed)" {
	mk 3
	"$BIN/algo-feed" replay --every 5000 "$TMP/in.ndjson" > "$TMP/out" &
	pid=$!
	for _ in $(seq 40); do [ -s "$TMP/out" ] && break; sleep 0.1; done
	lines=$(wc -l < "$TMP/out")
	kill "$pid"; wait "$pid" || true
	[ "$lines" -eq 1 ]
}

@test "replay: bad input stops with file:line (65); --skip-bad skips it" {
	mk 3
	{ cat "$TMP/in.ndjson"; echo '{"type":"bar","ts":'; echo '{"type":"x"}'; } > "$TMP/bad"
	run --separate-stderr algo-feed replay --speed 0 "$TMP/bad"
	[ "$status" -eq 65 ]
	[[ "$stderr" == *"bad:4: malformed JSON"* ]]
	[ "${#lines[@]}" -eq 3 ]
	run --separate-stderr algo-feed replay --speed 0 --skip-bad "$TMP/bad"
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"bad:5: missing field 'ts' (skipped)"* ]]
	[[ "$stderr" == *"skipped 2 bad lines"* ]]
}

@test "replay: usage errors and a missing file" {
	run algo-feed replay
	[ "$status" -eq 2 ]
	run algo-feed replay --speed -1 x
	[ "$status" -eq 2 ]
	run algo-feed replay --speed 0 "$TMP/none"
	[ "$status" -eq 66 ]
}
