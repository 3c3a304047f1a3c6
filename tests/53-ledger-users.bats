#!/usr/bin/env bats
# algo-ledger users: accounts and plans, every change audited; and user isolation:
# two users in one database never see each other's rows in any query or report.
load test_helper

@test "users: add, list, set-plan, disable; every change is audited" {
	algo-ledger < /dev/null                               # an empty database
	algo-ledger users add alice --email alice@example.com --name "Alice A" --plan BASIC --expiry 2027-03-31
	algo-ledger users add bob --email bob@example.com --name Bob --plan FREE
	run algo-ledger users list --format csv
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "user,email,name,plan,expiry,disabled,created_ts,updated_ts" ]
	[[ "${lines[1]}" == "alice,alice@example.com,Alice A,BASIC,2027-03-31,0,"* ]]
	[[ "${lines[2]}" == "bob,bob@example.com,Bob,FREE,,0,"* ]]
	algo-ledger users set-plan bob PRO --expiry 2026-12-31
	algo-ledger users disable alice
	[ "$(sqlite3 "$ALGO_STATE" "SELECT user, plan, expiry, disabled FROM accounts ORDER BY user" | tr '\n' ' ')" = "alice|BASIC|2027-03-31|1 bob|PRO|2026-12-31|0 " ]
	# --user shows one account
	run algo-ledger users list --user bob --format csv
	[ "${#lines[@]}" -eq 2 ]
	# the audit log has each change, under the account's user
	run algo-ledger audit --user bob --format ndjson
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[0]}" == *'"kind":"account",'*'"reason":"account added: plan FREE, expiry none, email bob@example.com"}' ]]
	[[ "${lines[1]}" == *'"kind":"account",'*'"reason":"plan changed to PRO, expiry 2026-12-31"}' ]]
	[[ "$(algo-ledger audit --user alice --format ndjson | tail -1)" == *'"reason":"account disabled"}' ]]
	algo-ledger audit verify
	# plans
	[ "$(sqlite3 "$ALGO_STATE" 'SELECT group_concat(plan || ":" || live) FROM plans')" = "FREE:0,BASIC:1,PRO:1" ]
}

@test "users: bad requests are refused and change nothing" {
	algo-ledger < /dev/null
	algo-ledger users add alice --email a@x.in --name A --plan PRO
	n=$(sqlite3 "$ALGO_STATE" 'SELECT count(*) FROM audit')
	run algo-ledger users add alice --email a@x.in --name A --plan PRO
	[ "$status" -eq 2 ]
	[[ "$output" == *"user 'alice' exists already"* ]]
	run algo-ledger users add carol --email nope --name C --plan PRO
	[ "$status" -eq 2 ]
	run algo-ledger users add carol --email c@x.in --name C --plan GOLD
	[ "$status" -eq 2 ]
	[[ "$output" == *"plan 'GOLD': must be FREE, BASIC or PRO"* ]]
	run algo-ledger users add carol --email c@x.in --name C --plan PRO --expiry soon
	[ "$status" -eq 2 ]
	run algo-ledger users set-plan nobody PRO
	[ "$status" -eq 2 ]
	[[ "$output" == *"no user 'nobody'"* ]]
	run algo-ledger users disable
	[ "$status" -eq 2 ]
	run algo-ledger users frobnicate x
	[ "$status" -eq 2 ]
	run algo-ledger orders --plan PRO
	[ "$status" -eq 2 ]
	[ "$(sqlite3 "$ALGO_STATE" 'SELECT count(*) FROM audit')" -eq "$n" ]
	[ "$(sqlite3 "$ALGO_STATE" 'SELECT count(*) FROM accounts')" -eq 1 ]
}

@test "users: two users in one database never see each other's rows" {
	algo-ledger < "$FIX/ledger/basic.ndjson" > /dev/null
	"$BIN/algo-ledger" --user alice < "$FIX/ledger/variants.ndjson" > /dev/null
	drun=$(algo-ledger runs --format csv | tail -1 | cut -d, -f1)
	arun=$(algo-ledger runs --user alice --format csv | tail -1 | cut -d, -f1)
	[ -n "$drun" ] && [ -n "$arun" ] && [ "$drun" != "$arun" ]
	for q in orders fills trades positions pnl equity audit runs; do
		# alice's own view has rows, none of default's
		algo-ledger "$q" --user alice --format csv > "$TMP/$q"
		[ "$(wc -l < "$TMP/$q")" -ge 2 ] || { echo "$q: alice sees nothing"; false; }
		! grep -qE "s1o|s2o|P-[0-9]|$drun|NSE:AAA|NSE:BBB" "$TMP/$q" || { echo "$q: alice sees default's rows"; cat "$TMP/$q"; false; }
		# default's ids, asked for as alice: nothing
		for sel in "--run $drun" "--strategy s1" "--strategy s2"; do
			# shellcheck disable=SC2086
			n=$(algo-ledger "$q" --user alice $sel --format csv | wc -l)
			[ "$q" = pnl ] || [ "$n" -le 1 ] || { echo "$q $sel: alice sees $n lines"; false; }
		done
		# and the other way round
		algo-ledger "$q" --format csv > "$TMP/d-$q"
		! grep -qE "v1|var|NSE:VAR|$arun" "$TMP/d-$q" || { echo "$q: default sees alice's rows"; false; }
		n=$(algo-ledger "$q" --run "$arun" --format csv | wc -l)
		[ "$q" = pnl ] || [ "$n" -le 1 ] || { echo "$q --run $arun: default sees $n lines"; false; }
	done
	# pnl of another user's run: the run does not exist for this user
	run algo-ledger pnl --user alice --run "$drun"
	[ "$status" -eq 1 ]
	[[ "$output" == *"no run '$drun' for user 'alice'"* ]]
	# reports
	run algo-ledger report --user alice --run "$drun"
	[ "$status" -eq 1 ]
	run algo-ledger report --user alice --strategy s1 --format json
	[[ "$output" == *'"trades":0,'*'"charges":0,'* ]]
	run algo-ledger report --user alice --format json
	[[ "$output" == *'"trades":1,'* ]]
	! grep -q 'NSE:AAA\|NSE:BBB' <<<"$output"
	run algo-ledger report --format json
	[[ "$output" == *'"trades":3,'* ]]
	! grep -q 'NSE:VAR' <<<"$output"
	run algo-ledger report --format html
	! grep -q 'NSE:VAR\|var' <<<"$output"
}
