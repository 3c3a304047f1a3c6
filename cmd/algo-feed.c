/* algo-feed — market data into the pipeline: CSV files, a paced replay of recorded
 * events, bars from recorded ticks, FYERS history, live quotes and the market-data
 * socket; each a run of lib/feedcmd. Options and wiring only. */
#include "algo-feed-opts.h"
#include "feedcmd.h"
#include <string.h>
#include <unistd.h>

enum source { CSV, REPLAY, BARS, HISTORY, QUOTES, STREAM };
/* The options each source takes, besides --help and --version. */
static const int takes[][12] = {
	[CSV] = { OPT_SYMBOL, OPT_TF, OPT_FROM, OPT_TO, OPT_SKIP_BAD, OPT_NO_PROGRESS, OPT_DATE_FORMAT, OPT_COLUMNS, OPT_ROUND },
	[REPLAY] = { OPT_SPEED, OPT_EVERY, OPT_MAX_GAP, OPT_SKIP_BAD },
	[BARS] = { OPT_TF },
	[HISTORY] = { OPT_SYMBOL, OPT_TF, OPT_FROM, OPT_TO, OPT_CONT, OPT_FORMAT, OPT_NO_CACHE },
	[QUOTES] = { OPT_SYMBOL, OPT_SYMBOLS, OPT_EVERY, OPT_BARS, OPT_RECORD, OPT_STALE, OPT_OUTSIDE, OPT_UNTIL, OPT_CALENDAR, OPT_RECHECK },
	[STREAM] = { OPT_SYMBOL, OPT_SYMBOLS, OPT_BARS, OPT_LITE, OPT_PING, OPT_RECORD, OPT_STALE, OPT_OUTSIDE, OPT_UNTIL, OPT_CALENDAR, OPT_RECHECK },
};
static enum source src;
static struct algo_feedcmd fc;
static struct algo_csvmerge cm;
static struct algo_pacer pacer;
static struct algo_histmerge hm;   /* fyers: the symbols */
static struct algo_feedcmd_hist hist = { .q = { .from = INT64_MIN, .to = INT64_MIN }, .cache = 1 };
static struct algo_livecfg live;
static int64_t bars_tf;

static int64_t opt_tf(const char *name, char *s, enum algo_feedcmd_tf_kind kind)
{
	int64_t tf = algo_feedcmd_tf(s, kind);
	if (tf <= 0) algo_usage_error("%s: '%s' is not a %s", name, s, algo_feedcmd_tf_what(kind));
	return tf;
}
static void add_symbols(char *list) { char e[200]; if (algo_histmerge_add(&hm, list, e, sizeof e) < 0) algo_usage_error("%s", e); }
static const char *csv_symbol(const char *s) { if (!*s || strlen(s) > 63) algo_usage_error("--symbol: must be 1 to 63 bytes"); return s; }
static const char *const formats[] = { "ndjson", "csv", NULL }, *const outside[] = { "wait", "exit", NULL };
static const enum algo_feedcmd_tf_kind tf_kind[] = { [CSV] = ALGO_FEEDCMD_TF, [BARS] = ALGO_FEEDCMD_TF_BARS, [HISTORY] = ALGO_FEEDCMD_TF_FYERS };

static void set_option(int c, char *v)
{
	int i = 0;
	while (takes[src][i] && takes[src][i] != c) i++;
	if (!takes[src][i]) algo_cli_unknown(&algo_opts, c);
	switch (c) {
	case OPT_SYMBOL: if (src == CSV) cm.symbol = csv_symbol(v); else add_symbols(v); break;
	case OPT_SYMBOLS: add_symbols(v); break;
	case OPT_TF: *(src == CSV ? &cm.tf : src == BARS ? &bars_tf : &hist.q.tf) = opt_tf("--tf", v, tf_kind[src]); break;
	case OPT_FROM: *(src == CSV ? &cm.from : &hist.q.from) = algo_cli_time("--from", v); break;
	case OPT_TO: *(src == CSV ? &cm.to : &hist.q.to) = algo_cli_time("--to", v); break;
	case OPT_SKIP_BAD: cm.skip_bad = pacer.skip_bad = 1; break;
	case OPT_NO_PROGRESS: fc.progress = NULL; break;
	case OPT_DATE_FORMAT: if (algo_csv_import_date_format(&cm.imp, v, fc.err, ALGO_ERR_MAX) < 0) algo_usage_error("--date-format: %s", fc.err); break;
	case OPT_COLUMNS: if (algo_csv_import_columns(&cm.imp, v, fc.err, ALGO_ERR_MAX) < 0) algo_usage_error("--columns: %s", fc.err); break;
	case OPT_ROUND: cm.imp.round = 1; break;
	case OPT_SPEED: pacer.speed = algo_cli_double("--speed", v, 0, 1e9); break;
	case OPT_EVERY: if (src == REPLAY) pacer.every = algo_cli_int("--every", v, 0, 3600000);
		else if ((live.every = algo_cli_duration_ms("--every", v, 0)) < 100) algo_usage_error("--every: at least 100ms");
		break;
	case OPT_MAX_GAP: pacer.maxgap = algo_cli_double("--max-gap", v, 0, 86400); break;
	case OPT_CONT: hist.q.cont = 1; break;
	case OPT_FORMAT: hist.csv = algo_cli_pick("--format", v, formats)[0] == 'c'; break;
	case OPT_NO_CACHE: hist.cache = 0; break;
	case OPT_BARS: live.bars_tf = opt_tf("--bars", v, ALGO_FEEDCMD_TF_BARS); break;
	case OPT_LITE: live.lite = 1; break;
	case OPT_PING: if ((live.ping_ms = algo_cli_duration_ms("--ping", v, 1)) <= 0) algo_usage_error("--ping: more than 0"); break;
	case OPT_RECORD: live.record = v; break;
	case OPT_STALE: live.stale = algo_cli_duration_ms("--stale", v, 1); break;
	case OPT_OUTSIDE: live.outside_exit = algo_cli_pick("--outside", v, outside)[0] == 'e'; break;
	case OPT_UNTIL: live.until = algo_cli_time("--until", v); break;
	case OPT_CALENDAR: live.calendar = v; break;
	case OPT_RECHECK: live.recheck = algo_cli_duration_ms("--recheck", v, 1); break;
	}
}

/* Source s with the options and files of argv (argv[0] its name); the exit code. */
static int run(enum source s, int argc, char **argv)
{
	const char *name = argv[0];
	int c, code, n;
	src = s;
	while ((c = algo_cli_getopt(argc, argv, &algo_opts)) != -1)
		set_option(c, optarg);
	argv += optind, n = argc - optind;
	if (s >= HISTORY && n > 0)
		algo_usage_error("fyers %s: unexpected argument '%s'", name, argv[0]);
	code = s == CSV ? algo_feedcmd_csv(&fc, &cm, argv, n) : s == REPLAY ? algo_feedcmd_replay(&fc, &pacer, argv, n)
		: s == BARS ? algo_feedcmd_bars(&fc, bars_tf, argv, n) : s == HISTORY ? algo_feedcmd_history(&fc, &hm, &hist)
		: algo_feedcmd_live(&fc, s == STREAM, &live, &hm);
	if (code == ALGO_EX_USAGE)
		algo_usage_error("%s", fc.err);
	if (code && *fc.err)
		algo_writer_flush(&algo_stdout), algo_warn("%s", fc.err);
	return algo_out_finish(code);
}

static int fyers(int argc, char **argv)
{
	if (argc < 2)
		algo_usage_error("fyers: missing subcommand (history, quotes, stream)");
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)
		algo_cli_help(&algo_opts);
	for (enum source s = HISTORY; s <= STREAM; s++)
		if (strcmp(argv[1], (const char *[]){ "history", "quotes", "stream" }[s - HISTORY]) == 0)
			return run(s, argc - 1, argv + 1);
	algo_usage_error("fyers: unknown subcommand '%s' (known: history, quotes, stream)", argv[1]);
}

int main(int argc, char **argv)
{
	algo_cli_init(argv[0]);
	algo_feedcmd_init(&fc, algo_progname, &algo_stdout, algo_cli_warn_note, NULL);
	fc.progress = isatty(2) ? stderr : NULL;
	algo_csvmerge_init(&cm);
	algo_pacer_init(&pacer);
	algo_livecfg_init(&live);
	if (argc < 2)
		algo_usage_error("missing subcommand (csv)");
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)
		algo_cli_help(&algo_opts);
	if (strcmp(argv[1], "--version") == 0)
		algo_print_version();
	if (strcmp(argv[1], "fyers") == 0)
		return fyers(argc - 1, argv + 1);
	for (enum source s = CSV; s <= BARS; s++)
		if (strcmp(argv[1], (const char *[]){ "csv", "replay", "bars" }[s]) == 0)
			return run(s, argc - 1, argv + 1);
	if (argv[1][0] == '-')
		algo_usage_error("missing subcommand before '%s' (algo-feed csv [OPTION]... FILE...)", argv[1]);
	algo_usage_error("unknown subcommand '%s' (known: csv, replay, bars, fyers)", argv[1]);
}
