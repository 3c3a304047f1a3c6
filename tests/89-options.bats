#!/usr/bin/env bats
# One option table per program (completions/options/PROG.opts): --help, the man page's
# OPTIONS and the bash, zsh and fish completions agree with it, and the completions
# complete what the table says (commands, sub-commands, option values, names from the
# state database, files only where a program takes files).
load test_helper

TABLES=$ROOT/completions/options

# Long options of a table, of --help, of a man page's OPTIONS.
table_opts() { awk '$1 == "option" { print $2 }' "$TABLES/$1.opts" | sort -u; }
table_shorts() { awk '$1 == "option" && $3 != "-" { print $3 " " $2 }' "$TABLES/$1.opts" | sort -u; }
table_cmds() { awk '$1 == "command" { sub(/:.*/, "", $2); print $2 }' "$TABLES/$1.opts"; }
help_opts() {
	"$1" --help | grep -oE '^ {2,}(-[A-Za-z0-9], )?--[a-z][a-z0-9-]*' | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u
}
help_shorts() {
	"$1" --help | grep -oE '^ {2,}-[A-Za-z0-9], --[a-z][a-z0-9-]*' | sed -E 's/^ +//; s/,//' | sort -u
}
man_opts() {
	awk '/^\.SH/ { in_opts = ($2 == "OPTIONS") } in_opts && tag { print; tag = 0 } in_opts && /^\.TP/ { tag = 1 }' \
		"$ROOT/man/$1.1" | sed -e 's/\\f[BIRP]//g' -e 's/\\-/-/g' | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u
}
fix_table() { echo "edit completions/options/$1.opts (its format: completions/options/README), then run 'make completions'"; }

# bash: the words bash offers for a command line (the last word is being completed).
bash_complete() {
	bash -c 'source "$1/completions/algo.bash"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _algo_complete
		[ ${#COMPREPLY[@]} -eq 0 ] || printf "%s\n" "${COMPREPLY[@]}"' _ "$ROOT" "$@" | sort
}
fish_complete() { fish -c "source '$ROOT/completions/algo.fish'; complete -C'$1'" | cut -f1 | sort; }
# zsh: runs a real zsh line editor in a pseudo-terminal, types the line and a TAB
# bound to list-choices, and prints the words listed.
zsh_complete() {
	cat >"$TMP/capture.zsh" <<-'EOF'
	zmodload zsh/zpty
	zpty z 'zsh -f -i'
	zpty -w z "PS1='%% '; fpath=($1 \$fpath); autoload -Uz compinit; compinit -u -D; bindkey '^I' list-choices; LISTMAX=100000; zstyle ':completion:*' list-separator ''"
	zpty -w z "print -r -- RE''ADY"
	zpty -r z out '*READY*'
	zpty -n -w z "$2"$'\t'
	sleep 1
	local all= chunk
	while zpty -rt z chunk; do all+=$chunk; done
	print -r -- "$all"
	zpty -d z
	EOF
	timeout 20 zsh -f "$TMP/capture.zsh" "$ROOT/completions" "$1" | tr -d '\r' | sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g'
}
demo_db() {
	algo-backtest -s "$ROOT/examples/strategies/ema-cross.json" --state "$TMP/demo.db" \
		"$ROOT/examples/data/NSE_DEMO-EQ_1m.csv" >/dev/null
}

@test "options: every program the Makefile installs has an option table" {
	for p in $(make -s -C "$ROOT" list-programs); do
		[ -f "$TABLES/$p.opts" ] || { echo "$p has no option table: write completions/options/$p.opts"; false; }
	done
	for t in "$TABLES"/*.opts; do
		p=$(basename "$t" .opts)
		make -s -C "$ROOT" list-programs | tr ' ' '\n' | grep -qx "$p" || { echo "$t: no program $p"; false; }
	done
}

@test "options: --help lists exactly the table's options, with the same short names" {
	for t in "$TABLES"/*.opts; do
		p=$(basename "$t" .opts)
		d=$(diff <(table_opts "$p") <(help_opts "$p")) || { echo "$p: table (<) vs --help (>):"; echo "$d"; fix_table "$p"; false; }
		d=$(diff <(table_shorts "$p") <(help_shorts "$p")) || { echo "$p: short options, table (<) vs --help (>):"; echo "$d"; fix_table "$p"; false; }
		for c in $(table_cmds "$p"); do
			"$p" --help | grep -qw -- "$c" || { echo "$p: command '$c' is not in --help"; false; }
		done
	done
}

@test "options: the man page's OPTIONS are the table's options" {
	for t in "$TABLES"/*.opts; do
		p=$(basename "$t" .opts)
		d=$(diff <(table_opts "$p") <(man_opts "$p")) || { echo "$p: table (<) vs man/$p.1 OPTIONS (>):"; echo "$d"; false; }
	done
}

@test "options: the completion files are what the tables generate" {
	mkdir "$TMP/gen"
	run "$ROOT/scripts/gen-completions" "$TMP/gen"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	for f in algo.bash _algo algo.fish; do
		diff -u "$ROOT/completions/$f" "$TMP/gen/$f" ||
			{ echo "completions/$f is out of date: run 'make completions' (never edit it by hand)"; false; }
	done
}

@test "options: a malformed table is refused with file:line" {
	mkdir -p "$TMP/tree/completions/options" "$TMP/tree/scripts" "$TMP/out"
	cp "$ROOT/scripts/gen-completions" "$TMP/tree/scripts/"
	printf 'option --ok - - - fine\noption nodash - - - bad\n' >"$TMP/tree/completions/options/x.opts"
	run "$TMP/tree/scripts/gen-completions" "$TMP/out"
	[ "$status" -eq 65 ]
	[[ "$output" == *"completions/options/x.opts:2: 'nodash' is not a long option"* ]]
	printf 'frobnicate x\n' >"$TMP/tree/completions/options/x.opts"
	run "$TMP/tree/scripts/gen-completions" "$TMP/out"
	[ "$status" -eq 65 ]
	[[ "$output" == *"x.opts:1: unknown line kind 'frobnicate'"* ]]
	run "$ROOT/scripts/gen-completions" --bogus
	[ "$status" -eq 2 ]
}

@test "options: helpwrap keeps a long option's description on its line in --help" {
	# a left part of 28 columns: past helpcol + 3 it wraps, within helpwrap it stays
	printf 'option --run-param - NAME=VALUE - a parameter\n' > "$TMP/a.opts"
	{ echo 'helpwrap 28'; cat "$TMP/a.opts"; } > "$TMP/b.opts"
	"$ROOT/scripts/gen-help" "$TMP/a.opts" | grep -qxF '	"      --run-param NAME=VALUE\n"'
	"$ROOT/scripts/gen-help" "$TMP/b.opts" | grep -qxF '	"      --run-param NAME=VALUE  a parameter\n"'
	# algo-ledger's --help is its table's text (the usage lines and the long descriptions)
	"$BIN/algo-ledger" --help | grep -qxF '      --run-param NAME=VALUE  backtest: a --param the strategy ran with (repeatable)'
	"$BIN/algo-ledger" --help | grep -qxF 'Usage: algo-ledger [OPTION]... < EVENTS > EVENTS'
}

@test "options: bash completes values by command, commands, sub-commands and no stray files" {
	cd "$ROOT"
	[ "$(bash_complete algo-ledger report --format '' | tr '\n' ' ')" = "csv html json text " ]
	[ "$(bash_complete algo-ledger trades --format '' | tr '\n' ' ')" = "csv ndjson table " ]
	[ "$(bash_complete algo-ledger orders --format '' | tr '\n' ' ')" = "csv ndjson table " ]
	[ "$(bash_complete algo-risk '' | tr '\n' ' ')" = "kill resume status " ]
	[ "$(bash_complete algo-risk status '' | tr '\n' ' ')" = "" ]
	[ "$(bash_complete algo-risk kill --mode '' | tr '\n' ' ')" = "halted reducing " ]
	[ "$(bash_complete algo-risk --mode '' | tr '\n' ' ')" = "live paper " ]
	[ "$(bash_complete algo-ledger users '' | tr '\n' ' ')" = "add disable list set-plan " ]
	[ "$(bash_complete algo-ledger audit '' | tr '\n' ' ')" = "prune verify " ]
	[ "$(bash_complete algo-ledger users add --plan '' | tr '\n' ' ')" = "BASIC FREE PRO " ]
	[ "$(bash_complete algo-exec-paper --fill '' | tr '\n' ' ')" = "close next-open " ]
	[ "$(bash_complete algo-exec-paper '' | tr '\n' ' ')" = "" ]
	bash_complete algo-backtest -s examples/strategies/ema-cross.json examples/data/NSE | grep -qx examples/data/NSE_DEMO-EQ_1m.csv
	bash_complete algo-feed csv examples/data/NSE | grep -qx examples/data/NSE_DEMO-EQ_1m.csv
	bash_complete algo-eval --ch | grep -qx -- --check
	bash_complete algo-sweep --rank '' | grep -qx dsr
}

@test "options: strategy, user and run names come from the state database" {
	demo_db
	[ "$(bash_complete algo-risk --state "$TMP/demo.db" --strategy '' | tr '\n' ' ')" = "ema-cross " ]
	[ "$(bash_complete algo-ledger --state "$TMP/demo.db" report --strategy ema | tr '\n' ' ')" = "ema-cross " ]
	bash_complete algo-ledger --state "$TMP/demo.db" report --run 2023 | grep -qE '^20230605-'
	export ALGO_STATE=$TMP/demo.db
	[ "$(bash_complete algo-risk kill --strategy '' | tr '\n' ' ')" = "ema-cross " ]
	[ "$(bash_complete algo-risk kill --user '' | tr '\n' ' ')" = "default " ]
	export ALGO_STATE=$TMP/none.db
	[ "$(bash_complete algo-risk kill --strategy '' | tr '\n' ' ')" = "" ]
	[ ! -e "$TMP/none.db" ]
}

@test "options: fish completes the same" {
	command -v fish >/dev/null || skip "fish not installed"
	cd "$ROOT"
	[ "$(fish_complete 'algo-ledger report --format ' | tr '\n' ' ')" = "csv html json text " ]
	[ "$(fish_complete 'algo-ledger trades --format ' | tr '\n' ' ')" = "csv ndjson table " ]
	[ "$(fish_complete 'algo-risk ' | tr '\n' ' ')" = "kill resume status " ]
	[ "$(fish_complete 'algo-ledger users ' | tr '\n' ' ')" = "add disable list set-plan " ]
	[ "$(fish_complete 'algo-exec-paper ' | tr '\n' ' ')" = "" ]
	fish_complete 'algo-feed csv examples/data/NSE' | grep -qx examples/data/NSE_DEMO-EQ_1m.csv
	fish_complete 'algo-eval --ch' | grep -qx -- --check
	demo_db
	[ "$(fish_complete "algo-risk --state $TMP/demo.db --strategy " | tr '\n' ' ')" = "ema-cross " ]
}

@test "options: zsh completes the same" {
	command -v zsh >/dev/null || skip "zsh not installed"
	cd "$ROOT"
	run zsh_complete 'algo-ledger report --format '
	[[ "$output" == *csv*html*json*text* ]] || { echo "$output"; false; }
	run zsh_complete 'algo-ledger trades --format '
	[[ "$output" == *csv*ndjson*table* && "$output" != *html* ]] || { echo "$output"; false; }
	run zsh_complete 'algo-risk kill --mode '
	[[ "$output" == *halted*reducing* ]] || { echo "$output"; false; }
	run zsh_complete 'algo-ledger users '
	[[ "$output" == *add*disable*list*set-plan* ]] || { echo "$output"; false; }
	run zsh_complete 'algo-risk '
	[[ "$output" == *kill*resume*status* ]] || { echo "$output"; false; }
	run zsh_complete 'algo-feed csv examples/data/NSE'
	[[ "$output" == *NSE_DEMO-EQ_1m.csv* ]] || { echo "$output"; false; }
	demo_db
	run zsh_complete "algo-risk --state $TMP/demo.db --strategy "
	[[ "$output" == *ema-cross* ]] || { echo "$output"; false; }
}
