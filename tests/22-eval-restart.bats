#!/usr/bin/env bats
# algo-eval restart: state saved in the state database (table eval_state) and resumed,
# so a cron job feeding a few bars at a time gives the signals of one long run.
load test_helper
bats_require_minimum_version 1.5.0

setup() {
	common_setup
	unset ALGO_STATE
	algo-feed csv --no-progress --symbol NSE:TEST-EQ "$FIX/sample_3k.csv" > "$TMP/all"
	S1=$ROOT/examples/strategies/orb-15m-trail.json
	S2=$ROOT/examples/strategies/ema-cross-long-short.json
	S3=$ROOT/examples/strategies/state-keywords.json
}

# split SEED DIR: writes DIR/piece.N (each with the stream header), 2-10 pieces cut at
# random bars; prints the number of pieces.
split_input() {
	python3 - "$1" "$2" "$TMP/all" <<-'EOF'
	import os, random, sys
	seed, out, path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
	lines = open(path).read().splitlines(True)
	head, bars = lines[0], lines[1:]
	rnd = random.Random(seed)
	k = rnd.randint(2, 10)
	cuts = sorted(rnd.sample(range(1, len(bars)), k - 1))
	os.makedirs(out, exist_ok=True)
	for i, (a, b) in enumerate(zip([0] + cuts, cuts + [len(bars)])):
	    with open("%s/piece.%d" % (out, i), "w") as f:
	        f.write(head + "".join(bars[a:b]))
	print(k)
	EOF
}

@test "restart: one run and N runs split at random points give byte-identical signals" {
	algo-eval --state "$TMP/one.db" -s "$S1" -s "$S2" -s "$S3" < "$TMP/all" | grep '"type":"signal"' > "$TMP/one.sig"
	[ "$(grep -c '"strategy":"ema-15m-trail"' "$TMP/one.sig")" -ge 2 ]
	grep -q '"reason":"trailing_stop 0.3%"' "$TMP/one.sig"
	[ "$(grep -c '"strategy":"ema-cross-ls"' "$TMP/one.sig")" -ge 10 ]
	for seed in 1 2 3 4 5; do
		k=$(split_input "$seed" "$TMP/s$seed")
		for ((i = 0; i < k; i++)); do
			algo-eval --state "$TMP/s$seed.db" -s "$S1" -s "$S2" -s "$S3" < "$TMP/s$seed/piece.$i"
		done | grep '"type":"signal"' > "$TMP/s$seed.sig"
		cmp "$TMP/one.sig" "$TMP/s$seed.sig" || { echo "seed $seed ($k pieces) differs"; diff "$TMP/one.sig" "$TMP/s$seed.sig" | head; false; }
	done
}

@test "restart: \$ALGO_STATE is used when set; without it or --state no state is kept" {
	head -200 "$TMP/all" > "$TMP/a"
	algo-eval -s "$S2" < "$TMP/a" > /dev/null
	[ ! -e "$TMP/state.db" ]
	[ ! -e "$XDG_STATE_HOME/algo/state.db" ]
	ALGO_STATE=$TMP/env.db algo-eval -s "$S2" < "$TMP/a" > /dev/null
	[ "$(sqlite3 "$TMP/env.db" "SELECT strategy, symbol, length(hash), last_ts_ms FROM eval_state")" = \
		"ema-cross-ls|NSE:TEST-EQ|64|$(python3 -c 'import json,sys,datetime; print(int(datetime.datetime.fromisoformat(json.loads(sys.argv[1])["ts"]).timestamp()*1000))' "$(tail -1 "$TMP/a")")" ]
}

@test "restart: input processed before is written again, signals included, and not evaluated twice" {
	head -1500 "$TMP/all" > "$TMP/a"
	run --separate-stderr algo-eval --state "$TMP/st.db" -s "$S2" < "$TMP/a"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	first=$output
	n=$(grep -c '"type":"signal"' <<<"$output")
	[ "$n" -ge 1 ]
	saved=$(sqlite3 "$TMP/st.db" "SELECT hex(state), last_ts_ms FROM eval_state")
	run --separate-stderr algo-eval --state "$TMP/st.db" -s "$S2" < "$TMP/a"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$output" = "$first" ]
	[ "$(sqlite3 "$TMP/st.db" "SELECT hex(state), last_ts_ms FROM eval_state")" = "$saved" ]
	# from an earlier point of the same stream: the same lines again
	run --separate-stderr algo-eval --state "$TMP/st.db" -s "$S2" < <(sed -n '700,1500p' "$TMP/all")
	[ "$output" = "$(sed -n '/"ts":"'"$(sed -n 700p "$TMP/all" | cut -d'"' -f8)"'"/,$p' <<<"$first")" ]
}

@test "restart: a changed strategy file starts fresh and says so" {
	head -400 "$TMP/all" > "$TMP/a"
	cp "$S2" "$TMP/s.json"
	algo-eval --state "$TMP/st.db" -s "$TMP/s.json" < "$TMP/a" > "$TMP/o1"
	sed 's/"qty": 10/"qty": 11/' "$S2" > "$TMP/s.json"
	run --separate-stderr algo-eval --state "$TMP/st.db" -s "$TMP/s.json" < "$TMP/a"
	[ "$status" -eq 0 ]
	[ "$stderr" = "algo-eval: ema-cross-ls: the strategy file or its --param values changed since its state was saved in $TMP/st.db: starting fresh" ]
	[ "$(grep -c '"type":"signal"' <<<"$output")" -eq "$(grep -c '"type":"signal"' "$TMP/o1")" ]
	[ "$(sqlite3 "$TMP/st.db" "SELECT hash FROM eval_state")" = "$(sha256sum < "$TMP/s.json" | cut -d' ' -f1)" ]
}

@test "restart: state is saved before exit 65, and the rest of the input resumes from it" {
	head -1000 "$TMP/all" > "$TMP/a"
	{ head -600 "$TMP/all"; echo 'not json'; sed -n '601,1000p' "$TMP/all"; } > "$TMP/bad"
	algo-eval --state "$TMP/one.db" -s "$S1" -s "$S2" < "$TMP/a" | grep '"type":"signal"' > "$TMP/one.sig"
	run --separate-stderr algo-eval --state "$TMP/two.db" -s "$S1" -s "$S2" < "$TMP/bad"
	[ "$status" -eq 65 ]
	[ "$stderr" = "algo-eval: stdin:601: JSON: expected a value at col 1" ] || [[ "$stderr" == "algo-eval: stdin:601: "* ]]
	grep '"type":"signal"' <<<"$output" > "$TMP/two.sig" || true
	{ head -1 "$TMP/all"; sed -n '601,1000p' "$TMP/all"; } |
		algo-eval --state "$TMP/two.db" -s "$S1" -s "$S2" | grep '"type":"signal"' >> "$TMP/two.sig"
	cmp "$TMP/one.sig" "$TMP/two.sig"
}

@test "restart: SIGTERM finishes the current line, saves the state and exits 143" {
	mkfifo "$TMP/fifo"
	# the real program, not the test shim (a wrapper shell would take the signal)
	"$BIN/algo-eval" --state "$TMP/st.db" -s "$S2" < "$TMP/fifo" > "$TMP/out" 2> "$TMP/err" &
	pid=$!
	exec 7> "$TMP/fifo"
	head -300 "$TMP/all" >&7
	for _ in $(seq 100); do [ "$(wc -l < "$TMP/out")" -ge 300 ] && break; sleep 0.05; done
	kill -TERM "$pid"
	rc=0; wait "$pid" || rc=$?
	exec 7>&-
	[ "$rc" -eq 143 ]
	[ ! -s "$TMP/err" ]
	[ "$(grep -c '"type":"bar"' "$TMP/out")" -eq 299 ]
	[ "$(sqlite3 "$TMP/st.db" "SELECT count(*) FROM eval_state")" -eq 1 ]
	{ head -1 "$TMP/all"; sed -n '301,$p' "$TMP/all"; } | algo-eval --state "$TMP/st.db" -s "$S2" >> "$TMP/out"
	algo-eval -s "$S2" < "$TMP/all" | grep '"type":"signal"' > "$TMP/one.sig"
	grep '"type":"signal"' "$TMP/out" | cmp - "$TMP/one.sig"
}

@test "restart: a damaged saved state starts fresh with a note; an unusable state path exits 73" {
	head -400 "$TMP/all" > "$TMP/a"
	algo-eval --state "$TMP/st.db" -s "$S2" < "$TMP/a" > "$TMP/o1"
	sqlite3 "$TMP/st.db" "UPDATE eval_state SET state = x'00'"
	run --separate-stderr algo-eval --state "$TMP/st.db" -s "$S2" < "$TMP/a"
	[ "$status" -eq 0 ]
	[ "$stderr" = "algo-eval: ema-cross-ls: the state saved in $TMP/st.db was written by another build or is damaged: starting fresh" ]
	[ "$output" = "$(cat "$TMP/o1")" ]
	: > "$TMP/file"
	run --separate-stderr algo-eval --state "$TMP/file/st.db" -s "$S2" < "$TMP/a"
	[ "$status" -eq 73 ]
	[[ "$stderr" == "algo-eval: $TMP/file/st.db"* ]]
	[ -z "$output" ]
}
