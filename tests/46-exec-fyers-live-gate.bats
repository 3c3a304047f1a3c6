#!/usr/bin/env bats
# algo-exec-fyers as a pipeline stage, before any live order: the dry run (what would be
# sent, nothing sent), accept-risk (an audit row), each live precondition missing
# (exit 77 naming it, zero requests at the mock), and the mock's order endpoints as
# FYERS-API.md documents them.
load test_helper
load fyers_helper
load fyers_live_helper

setup_file() { fyers_setup_file; }
setup() {
	common_setup
	mock_start
}
teardown() {
	mock_stop
	common_teardown
}

@test "live gate: a dry run writes what it would send and sends nothing" {
	live_account
	mock_reset_log
	order o1 > "$TMP/in"
	order o2 kind=limit limit=751.25 side=sell qty=5 >> "$TMP/in"
	run --separate-stderr algo-exec-fyers --user alice < "$TMP/in"
	[ "$status" -eq 0 ]
	echo "$stderr"
	[[ "$stderr" == *'dry run (no --live): would POST /orders/sync {"symbol":"NSE:SBIN-EQ","qty":10,"type":2,"side":1,"productType":"INTRADAY","limitPrice":0,"stopPrice":0,"validity":"DAY","disclosedQty":0,"offlineOrder":false,"stopLoss":0,"takeProfit":0,"orderTag":"o1"}'* ]]
	[[ "$stderr" == *'"qty":5,"type":1,"side":-1,"productType":"INTRADAY","limitPrice":751.25,"stopPrice":0'*'"orderTag":"o2"}'* ]]
	# input passes through byte for byte; each order is answered rejected "dry run: not sent"
	[ "$(sed -n 1p <<<"$output")" = "$(sed -n 1p "$TMP/in")" ]
	[ "$(grep -c '"status":"rejected","reason":"dry run: not sent"' <<<"$output")" -eq 2 ]
	[ "$(order_requests)" -eq 0 ]
	[ "$(all_requests)" -eq 0 ]
}

@test "live gate: a dry run without a state or a session still works and says what --live would need" {
	algo-ledger < /dev/null
	algo-ledger users add alice --email alice@example.com --name Alice --plan FREE
	order o1 > "$TMP/in"
	algo-exec-fyers --user alice < "$TMP/in" > "$TMP/out" 2> "$TMP/err"
	grep -q "a --live run would refuse: plan: alice's plan FREE does not allow live trading" "$TMP/err"
	grep -q "risk acceptance: alice has not accepted" "$TMP/err"
	ALGO_STATE= algo-exec-fyers --user alice < "$TMP/in" > "$TMP/out2"
	grep -q '"reason":"dry run: not sent"' "$TMP/out2"
	[ "$(all_requests)" -eq 0 ]
}

@test "live gate: accept-risk records the acceptance once in the audit log" {
	algo-ledger < /dev/null
	algo-ledger users add alice --email alice@example.com --name Alice --plan PRO
	run algo-exec-fyers accept-risk --yes --user alice
	[ "$status" -eq 0 ]
	[[ "$output" == *"alice: risk disclosure risk-disclosure-1 accepted and recorded in the audit log"* ]]
	run algo-exec-fyers accept-risk --yes --user alice
	[[ "$output" == *"was already accepted"* ]]
	[ "$(sqlite3 "$ALGO_STATE" "SELECT count(*) FROM audit WHERE user='alice' AND kind='risk-accept' AND ref='risk-disclosure-1'")" -eq 1 ]
	algo-ledger audit verify
	# no account: refused; no --user: usage; no terminal and no --yes: usage
	run algo-exec-fyers accept-risk --yes --user nobody
	[ "$status" -eq 77 ]
	[[ "$output" == *"no account 'nobody'"* ]]
	run algo-exec-fyers accept-risk --yes
	[ "$status" -eq 2 ]
	run setsid algo-exec-fyers accept-risk --user alice < /dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == *"give --yes"* ]]
	run algo-exec-fyers accept-risk --yes --user alice --live
	[ "$status" -eq 2 ]
}

# refused WHAT: --live exits 77 naming WHAT and sends nothing at all.
refused() {
	mock_reset_log
	order o1 > "$TMP/in"
	run --separate-stderr fx < "$TMP/in"
	echo "$stderr"
	[ "$status" -eq 77 ]
	[[ "$stderr" == *"--live refused"*"$1"* ]]
	[[ "$stderr" == *"nothing was sent"* ]]
	[ -z "$output" ]
	[ "$(order_requests)" -eq 0 ]
	[ "$(all_requests)" -eq 0 ]
}

@test "live gate: a plan without live trading (FREE) refuses --live" {
	live_account FREE
	refused "plan: alice's plan FREE does not allow live trading"
}

@test "live gate: no account refuses --live" {
	live_account
	mock_reset_log
	order o1 user=bob > "$TMP/in"
	algo-exec-fyers --live --user bob < "$TMP/in" 2> "$TMP/err" && false
	grep -q "plan: no account 'bob'" "$TMP/err"
	[ "$(all_requests)" -eq 0 ]
}

@test "live gate: no risk acceptance refuses --live" {
	algo-ledger < /dev/null
	algo-ledger users add alice --email alice@example.com --name Alice --plan BASIC
	fyers_login
	refused "risk acceptance: alice has not accepted the risk disclosure (run 'algo-exec-fyers accept-risk --user alice')"
}

@test "live gate: no valid session refuses --live (never logged in, expired)" {
	algo-ledger < /dev/null
	algo-ledger users add alice --email alice@example.com --name Alice --plan BASIC
	algo-exec-fyers accept-risk --yes --user alice 2>/dev/null
	refused "session: "
	[[ "$stderr" == *"login"* ]]
	fyers_login
	py - "$XDG_CONFIG_HOME/algo/fyers-token.json" <<-'EOF'
	import json, sys
	p = sys.argv[1]; t = json.load(open(p))
	t["access_expires"] = "2020-01-01T06:00:00+05:30"
	json.dump(t, open(p, "w"))
	EOF
	refused "session: "
}

@test "live gate: a kill switch on refuses --live" {
	live_account
	algo-risk kill --all --reason "drill" --who ops
	refused "kill switch: everything is halted (drill)"
	algo-risk resume --all --who ops
	algo-risk kill --user alice --reason "enough" --who ops
	refused "kill switch: user alice is halted (enough)"
}

@test "live gate: --live needs the state database" {
	live_account
	mock_reset_log
	order o1 > "$TMP/in"
	ALGO_STATE= algo-exec-fyers --live --user alice < "$TMP/in" 2> "$TMP/err" && false
	grep -q "needs the state database" "$TMP/err"
	[ "$(all_requests)" -eq 0 ]
}

@test "live gate: every missing precondition is named at once" {
	algo-ledger < /dev/null
	algo-ledger users add alice --email alice@example.com --name Alice --plan FREE
	algo-risk kill --all --reason "drill" --who ops
	refused "4 preconditions missing"
	[[ "$stderr" == *"plan: "*"risk acceptance: "*"kill switch: "*"session: "* ]]
}

@test "live gate: stage options are checked" {
	run algo-exec-fyers --max-order-age x
	[ "$status" -eq 2 ]
	run algo-exec-fyers status --live
	[ "$status" -eq 2 ]
	run algo-exec-fyers --live extra
	[ "$status" -eq 2 ]
	run algo-exec-fyers --request-timeout 0
	[ "$status" -eq 2 ]
	run algo-exec-fyers --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"--max-order-age S"* && "$output" == *"accept-risk"* ]]
}

@test "live gate: the mock's order endpoints follow FYERS-API.md" {
	mock_scenario '{"rate":{"per_sec":100,"per_min":1000}}'
	fyers_login
	auth="Authorization: $FYERS_APP_ID:$(py -c 'import json,sys; print(json.load(open(sys.argv[1]))["access_token"])' "$XDG_CONFIG_HOME/algo/fyers-token.json")"
	post() { curl -s -X "$1" -H "$auth" -H 'Content-Type: application/json' --data "$2" "$MOCK_URL/api/v3/orders/sync"; }
	base='"symbol":"NSE:SBIN-EQ","qty":1,"side":1,"validity":"DAY","limitPrice":0,"stopPrice":0,"offlineOrder":false'
	run post POST "{$base,\"type\":2,\"productType\":\"BO\"}"
	[[ "$output" == *'"code": -1800'* ]]
	run post POST "{$base,\"type\":2,\"productType\":\"INTRADAY\",\"orderTag\":\"bad-tag\"}"
	[[ "$output" == *'"code": -50'* ]]
	run post POST "{$base,\"type\":1,\"productType\":\"INTRADAY\",\"orderTag\":\"t1\"}"
	[[ "$output" == *'"code": -308'* ]]
	run post POST "{${base/\"limitPrice\":0/\"limitPrice\":700},\"type\":1,\"productType\":\"CNC\",\"orderTag\":\"t1\"}"
	[[ "$output" == *'"code": 1101'*'Your Order Ref. No.'* ]]
	id=$(py -c 'import json,sys; print(json.loads(sys.argv[1])["id"])' "$output")
	book=$(curl -s -H "$auth" "$MOCK_URL/api/v3/orders?order_tag=t1")
	[[ "$book" == *'"orderTag": "1:t1"'*'"status": 6'* ]]
	run post PATCH "{\"id\":\"$id\",\"type\":1,\"limitPrice\":701}"
	[[ "$output" == *'"code": 1102'* ]]
	run post DELETE "{\"id\":\"$id\"}"
	[[ "$output" == *'"code": 1103'* ]]
	run post DELETE "{\"id\":\"$id\"}"
	[[ "$output" == *'"code": -161'* ]]
	run post DELETE '{"id":"1"}'
	[[ "$output" == *'"code": -51'* ]]
	# a market order trades at once; the trade book carries the tag with its prefix
	run post POST "{$base,\"type\":2,\"productType\":\"INTRADAY\",\"orderTag\":\"t2\"}"
	trades=$(curl -s -H "$auth" "$MOCK_URL/api/v3/tradebook")
	echo "$trades"
	[[ "$trades" == *'"tradedQty": 1,'*'"orderTag": "1:t2"'* ]]
	pos=$(curl -s -H "$auth" "$MOCK_URL/api/v3/positions")
	[[ "$pos" == *'"netQty": 1'* ]]
}
