# Helpers of the kill -9 tests of the paper pipeline (tests/76, tests/82).

# stage WHO PROGRAM ARGS...: becomes the program itself (not the test shim, whose tee
# would stand between the stages: every stage's output goes straight to the next, as
# in a real pipeline); when WHO is the stage to kill ($KILL), becomes
# tests/kill-tap.py, which runs it and kills it once $AT lines of its output have
# passed. (The events of these runs are of the kinds tests/81 validates.)
stage() {
	local who=$1
	shift
	[ "$who" = "$KILL" ] || exec "$BIN/$1" "${@:2}"
	exec python3 "$ROOT/tests/kill-tap.py" "$AT" "$BIN/$1" "${@:2}"
}

# book DB: the book a run leaves: every order's end, every fill, the round trips.
book() {
	sqlite3 "$1" 'SELECT id, status, filled, avg_price, reason FROM orders ORDER BY id' \
		'SELECT fill_id, order_id, side, qty, price, fees_total FROM fills ORDER BY fill_id'
	algo-ledger trades --state "$1" --format csv
}
