#!/usr/bin/env bats
# The README's commands work as written, in order, from a fresh clone (jq's "manual
# examples are tests"). How blocks are read, how to skip one (with a reason) and how
# to give expected output: the comment at the top of tests/readme.py.
load test_helper

# A user's environment: none of the suite's variables, and PATH without the suite's
# shims and scripts (the README must say how the programs get on PATH).
user_env() {
	local p= d
	local IFS=:
	for d in $PATH; do
		case $d in "$ROOT"|"$ROOT"/*|"$BUILD"|"$BUILD"/*) ;; *) p=${p:+$p:}$d ;; esac
	done
	env -u ALGO_STATE -u ALGO_CHARGES -u ALGO_EVENT_LOG -u ALGO_BUILD -u MAKEFLAGS -u MFLAGS \
		-u MAKELEVEL -u CFLAGS -u LDFLAGS PATH="$p" "$@"
}

@test "readme: every command block runs as written from a fresh clone, in order" {
	python3 "$ROOT/tests/readme.py" clone "$ROOT" "$TMP/clone"
	[ ! -e "$TMP/clone/build" ]
	run python3 "$ROOT/tests/readme.py" script "$TMP/clone/README.md" "$TMP/readme"
	echo "$output"
	[ "$status" -eq 0 ]
	cd "$TMP/clone"
	# one make job per core keeps the cold build short on a busy machine
	run user_env MAKEFLAGS=-j2 timeout 600 bash "$TMP/readme/run.sh" < /dev/null
	echo "$output" | tail -60
	echo "stopped at: $(cat "$TMP/readme/where")"
	[ "$status" -eq 0 ]
	[ "$(cat "$TMP/readme/where")" = done ]
}

@test "readme: the block reader runs sh and console blocks, checks output, honours markers" {
	cat > "$TMP/R.md" <<'EOF'
Text.

```sh
echo one > a.txt
cd sub
```

<!-- readme-test: skip not runnable here -->
```sh
false
```

<!-- readme-test: file cfg.json -->

```json
{"x": 1}
```

```console
$ cat cfg.json
{"x": 1}
$ printf 'a\nb\nc\nd\n'
a
...
d
$ echo "total 12 trades" \
  && true
total ... trades
```

```json
{"not": "run"}
```
EOF
	mkdir -p "$TMP/c/sub"
	run python3 "$ROOT/tests/readme.py" script "$TMP/R.md" "$TMP/o"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"R.md:9: skipped: not runnable here"* ]]
	[[ "$output" == *"4 commands to run, 1 blocks skipped"* ]]
	cd "$TMP/c"
	run bash "$TMP/o/run.sh"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(cat a.txt)" = one ]
	[ "$(cat "$TMP/o/where")" = done ]

	# a wrong expectation fails and names the command's README line
	sed -i 's/^d$/e/' "$TMP/R.md"
	python3 "$ROOT/tests/readme.py" script "$TMP/R.md" "$TMP/o2"
	cd "$TMP/c"
	run bash "$TMP/o2/run.sh"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"output differs from the README"* ]]
	[ "$(cat "$TMP/o2/where")" = "R.md:22: output" ]

	# a failing command stops the run at its block
	printf '```sh\ntrue\n```\n\n```sh\nfalse\necho never\n```\n' > "$TMP/F.md"
	python3 "$ROOT/tests/readme.py" script "$TMP/F.md" "$TMP/o3"
	run bash "$TMP/o3/run.sh"
	[ "$status" -eq 1 ]
	[[ "$output" != *never* ]]
	[ "$(cat "$TMP/o3/where")" = "F.md:5" ]
}

@test "readme: a block without a language or a skip without a reason is refused" {
	printf 'x\n\n```\nls\n```\n' > "$TMP/N.md"
	run python3 "$ROOT/tests/readme.py" script "$TMP/N.md" "$TMP/o"
	[ "$status" -ne 0 ]
	[[ "$output" == *"N.md:3: the code block names no language"* ]]
	printf '<!-- readme-test: skip -->\n```sh\nls\n```\n' > "$TMP/S.md"
	run python3 "$ROOT/tests/readme.py" script "$TMP/S.md" "$TMP/o"
	[ "$status" -ne 0 ]
	[[ "$output" == *"needs a reason"* ]]
	printf '<!-- readme-test: run-twice -->\n```sh\nls\n```\n' > "$TMP/U.md"
	run python3 "$ROOT/tests/readme.py" script "$TMP/U.md" "$TMP/o"
	[ "$status" -ne 0 ]
	[[ "$output" == *"unknown marker"* ]]
}
