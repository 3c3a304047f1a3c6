# bash completion for the algo programs. Install as
#   $PREFIX/share/bash-completion/completions/algo  (make install does)
# or source it from ~/.bashrc.

_algo_opts() {
	case $1 in
	algo-feed) echo "--symbol --tf --from --to --date-format --columns --round --skip-bad --no-progress --speed --every --max-gap --help --version" ;;
	algo-eval) echo "--strategy --check --print --param --format --skip-bad --capital --state --user --help --version" ;;
	algo-risk) echo "--config --check --state --user --mode --product --barrier --barrier-timeout --skip-bad --strategy --all --reason --who --format --help --version kill resume status" ;;
	algo-exec-paper) echo "--fill --slippage-bps --slippage-ticks --tick-size --commission-bps --charges --latency-bars --max-participation --intrabar --square-off --capital --fno-margin-pct --state --user --skip-bad --help --version" ;;
	algo-ledger) echo "--state --capital --user --run --format --out --strategy --from --to --since --before --retention-days --email --name --plan --expiry --skip-bad --help --version" ;;
	algo-exec-fyers) echo "--live --user --state --max-order-age --drain-timeout --poll-interval --request-timeout --skip-bad --yes --code --timeout --offline --format --help --version" ;;
	algo-backtest) echo "--strategy --param --risk --exec --feed --state --format --trades --events --help --version" ;;
	algo-sweep) echo "--strategy --grid --grid-file --jobs --sshlogin --slf --transfer --dir --rank --format --risk --exec --feed --no-progress --help --version" ;;
	algo-variants) echo "--strategy --grid --grid-file --variants --results --joblog --rank --format --sharpe --trials --variance --days --skewness --kurtosis --help --version grid table dsr" ;;
	esac
}

_algo_subcommands() {
	case $1 in
	algo-feed) echo "csv replay" ;;
	algo-exec-fyers) echo "accept-risk login refresh logout status profile funds orders trades positions" ;;
	algo-ledger) echo "report trades orders fills positions pnl equity audit runs users" ;;
	algo-variants) echo "grid table dsr" ;;
	esac
}

_algo_complete() {
	local cur prev prog
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD-1]}
	prog=${COMP_WORDS[0]##*/}
	COMPREPLY=()
	case $prev in
	-s|--strategy|-c|--config|-r|--risk|--check|--trades|--events|--grid-file|--slf|--variants|--joblog)
		COMPREPLY=($(compgen -f -- "$cur")); return ;;
	--state) COMPREPLY=($(compgen -f -- "$cur")); return ;;
	--dir|--results) COMPREPLY=($(compgen -d -- "$cur")); return ;;
	--rank) COMPREPLY=($(compgen -W "trades net_pnl total_return_pct cagr_pct sharpe sortino calmar max_drawdown_pct win_rate_pct profit_factor expectancy sqn exposure_pct dsr" -- "$cur")); return ;;
	--fill) COMPREPLY=($(compgen -W "next-open close" -- "$cur")); return ;;
	--mode) COMPREPLY=($(compgen -W "paper live" -- "$cur")); return ;;
	--product) COMPREPLY=($(compgen -W "intraday delivery margin" -- "$cur")); return ;;
	--format)
		case $prog in
		algo-eval) COMPREPLY=($(compgen -W "csv" -- "$cur")) ;;
		algo-backtest) COMPREPLY=($(compgen -W "text json" -- "$cur")) ;;
		algo-exec-fyers) COMPREPLY=($(compgen -W "table ndjson" -- "$cur")) ;;
		algo-sweep|algo-variants) COMPREPLY=($(compgen -W "table csv ndjson" -- "$cur")) ;;
		*) COMPREPLY=($(compgen -W "text json csv ndjson" -- "$cur")) ;;
		esac
		return ;;
	--tf) COMPREPLY=($(compgen -W "1s 1m 3m 5m 10m 15m 30m 1h 1d" -- "$cur")); return ;;
	--code|--timeout) return ;;
	--symbol|--from|--to|--speed|--every|--max-gap|--print|--param|--user|--capital|--slippage-bps|--commission-bps|--exec|--feed|--grid|--jobs|--sshlogin|--sharpe|--trials|--variance|--days|--skewness|--kurtosis)
		return ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(_algo_opts "$prog")" -- "$cur"))
	elif [ "$COMP_CWORD" -eq 1 ] && [ -n "$(_algo_subcommands "$prog")" ]; then
		COMPREPLY=($(compgen -W "$(_algo_subcommands "$prog")" -- "$cur"))
	else
		COMPREPLY=($(compgen -f -- "$cur"))
	fi
}

complete -F _algo_complete algo-feed algo-eval algo-risk algo-exec-paper algo-exec-fyers algo-ledger algo-backtest algo-sweep algo-variants
