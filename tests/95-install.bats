#!/usr/bin/env bats
# make install / uninstall honour PREFIX and DESTDIR and install everything a user needs.
load test_helper

@test "install: programs, scripts, man pages, schemas and completions land under DESTDIR" {
	run make -s -C "$ROOT" BUILD="$BUILD" install DESTDIR="$TMP/dest" PREFIX=/opt/algo
	echo "$output"
	[ "$status" -eq 0 ]
	for p in algo-feed algo-eval algo-risk algo-exec-paper algo-exec-fyers algo-ledger algo-backtest algo-sweep algo-variants algo-alert; do
		[ -x "$TMP/dest/opt/algo/bin/$p" ] || { echo "missing bin/$p"; false; }
		[ -f "$TMP/dest/opt/algo/share/man/man1/$p.1" ] || { echo "missing man1/$p.1"; false; }
	done
	[ -f "$TMP/dest/opt/algo/share/man/man7/algo.7" ]
	[ -f "$TMP/dest/opt/algo/share/algo/schemas/bar.json" ]
	[ -f "$TMP/dest/opt/algo/share/bash-completion/completions/algo" ]
	[ -f "$TMP/dest/opt/algo/share/zsh/site-functions/_algo" ]
	[ -f "$TMP/dest/opt/algo/share/fish/vendor_completions.d/algo.fish" ]
	"$TMP/dest/opt/algo/bin/algo-eval" --version
	run make -s -C "$ROOT" BUILD="$BUILD" uninstall DESTDIR="$TMP/dest" PREFIX=/opt/algo
	[ "$status" -eq 0 ]
	[ -z "$(find "$TMP/dest" -type f)" ]
}
