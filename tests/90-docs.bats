#!/usr/bin/env bats
# Every program: --help on stdout with exit 0, --version, usage errors exit 2, and the
# options --help lists are the ones its man page knows (completions: tests/89-options.bats).
load test_helper

# Every program with an option table (tests/89-options.bats: every installed program has one).
PROGRAMS=$(cd "$ROOT/completions/options" && ls *.opts | sed 's/\.opts$//')

# Long options that --help lists as options (lines "  -x, --opt" or "      --opt").
help_opts() {
	"$1" --help | grep -oE '^ {2,}(-[A-Za-z0-9], )?--[a-z][a-z0-9-]*' | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u
}
# Long options a man page documents: the tag lines after .TP in its OPTIONS section
# (examples and prose may mention other programs' options), roff escapes removed.
man_opts() {
	awk '/^\.SH/ { in_opts = ($2 == "OPTIONS") } in_opts && tag { print; tag = 0 } in_opts && /^\.TP/ { tag = 1 }' \
		"$ROOT/man/$1.1" | sed -e 's/\\f[BIRP]//g' -e 's/\\-/-/g' | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u
}

@test "docs: --help prints usage on stdout and exits 0" {
	for p in $PROGRAMS; do
		run "$p" --help
		[ "$status" -eq 0 ] || { echo "$p --help: exit $status"; false; }
		[[ "$output" == Usage:* ]] || { echo "$p --help does not start with Usage:"; false; }
		run "$p" -h
		[ "$status" -eq 0 ]
	done
}

@test "docs: --version prints the name and version" {
	for p in $PROGRAMS; do
		run "$p" --version
		[ "$status" -eq 0 ]
		[ "$output" = "$p 0.1.0" ] || { echo "$p: '$output'"; false; }
	done
}

@test "docs: an unknown option is a usage error (exit 2, hint on stderr, nothing on stdout)" {
	for p in $PROGRAMS; do
		run --separate-stderr "$p" --no-such-option
		[ "$status" -eq 2 ] || { echo "$p: exit $status"; false; }
		[ -z "$output" ]
		[[ "$stderr" == *"--help"* ]] || { echo "$p: stderr '$stderr'"; false; }
	done
}

@test "docs: every option in --help is in the man page, and the other way round" {
	for p in $PROGRAMS; do
		[ -f "$ROOT/man/$p.1" ] || { echo "no man/$p.1"; false; }
		h=$(help_opts "$p")
		m=$(man_opts "$p")
		missing=$(comm -23 <(echo "$h") <(echo "$m"))
		[ -z "$missing" ] || { echo "$p: in --help, not in man: $missing"; false; }
		extra=$(comm -13 <(echo "$h") <(echo "$m"))
		[ -z "$extra" ] || { echo "$p: in man, not in --help: $extra"; false; }
	done
}

@test "docs: man pages render without warnings" {
	command -v groff >/dev/null || skip "groff not installed"
	for m in "$ROOT"/man/*.[17]; do
		run groff -man -Tutf8 -ww -z "$m"
		[ -z "$output" ] || { echo "$m: $output"; false; }
	done
}

@test "docs: bash completion script loads and completes options" {
	run bash -c "source '$ROOT/completions/algo.bash'; COMP_WORDS=(algo-eval --ch); COMP_CWORD=1; _algo_complete; printf '%s\n' \"\${COMPREPLY[@]}\""
	[ "$status" -eq 0 ]
	[[ "$output" == *--check* ]]
}
