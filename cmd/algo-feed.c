/* algo-feed — market data into the pipeline: CSV files, a paced replay of recorded
 * events, bars from recorded ticks, FYERS history, live quotes and the market-data
 * socket; each a run of lib/feedcmd. Options and wiring only. */
#include "algo-feed-opts.h"
#include "feedcmd.h"
#include <string.h>
#include <unistd.h>

/* The options each source takes, besides --help and --version. */
static const int takes[][12] = {
	[ALGO_FEEDCMD_CSV] = { OPT_SYMBOL, OPT_TF, OPT_FROM, OPT_TO, OPT_SKIP_BAD, OPT_NO_PROGRESS, OPT_DATE_FORMAT,
		OPT_COLUMNS, OPT_ROUND },
	[ALGO_FEEDCMD_REPLAY] = { OPT_SPEED, OPT_EVERY, OPT_MAX_GAP, OPT_SKIP_BAD },
	[ALGO_FEEDCMD_BARS] = { OPT_TF },
	[ALGO_FEEDCMD_HISTORY] = { OPT_SYMBOL, OPT_TF, OPT_FROM, OPT_TO, OPT_CONT, OPT_FORMAT, OPT_NO_CACHE },
	[ALGO_FEEDCMD_QUOTES] = { OPT_SYMBOL, OPT_SYMBOLS, OPT_EVERY, OPT_BARS, OPT_RECORD, OPT_STALE, OPT_OUTSIDE,
		OPT_UNTIL, OPT_CALENDAR, OPT_RECHECK },
	[ALGO_FEEDCMD_STREAM] = { OPT_SYMBOL, OPT_SYMBOLS, OPT_BARS, OPT_LITE, OPT_PING, OPT_RECORD, OPT_STALE,
		OPT_OUTSIDE, OPT_UNTIL, OPT_CALENDAR, OPT_RECHECK },
};
static struct algo_feedcmd fc;
static struct algo_feedcmd_src s;  /* the source and its settings */

static void set_option(int c, char *v)
{
	static const char *const formats[] = { "ndjson", "csv", NULL }, *const outside[] = { "wait", "exit", NULL };
	int csv = s.src == ALGO_FEEDCMD_CSV, i = 0;
	while (takes[s.src][i] && takes[s.src][i] != c)
		i++;
	if (!takes[s.src][i])
		algo_cli_unknown(&algo_opts, c);
	switch (c) {
	case OPT_SYMBOL: case OPT_SYMBOLS:
		if (algo_feedcmd_set_symbol(&s, v, fc.err, sizeof fc.err) < 0)
			algo_usage_error("%s", fc.err);
		break;
	case OPT_TF: case OPT_BARS:
		if (algo_feedcmd_set_tf(&s, c == OPT_BARS, v, fc.err, sizeof fc.err) < 0)
			algo_usage_error("%s", fc.err);
		break;
	case OPT_FROM: *(csv ? &s.cm.from : &s.hist.q.from) = algo_cli_time("--from", v); break;
	case OPT_TO: *(csv ? &s.cm.to : &s.hist.q.to) = algo_cli_time("--to", v); break;
	case OPT_SKIP_BAD: s.cm.skip_bad = s.pacer.skip_bad = 1; break;
	case OPT_NO_PROGRESS: fc.progress = NULL; break;
	case OPT_DATE_FORMAT:
		if (algo_csv_import_date_format(&s.cm.imp, v, fc.err, ALGO_ERR_MAX) < 0)
			algo_usage_error("--date-format: %s", fc.err);
		break;
	case OPT_COLUMNS:
		if (algo_csv_import_columns(&s.cm.imp, v, fc.err, ALGO_ERR_MAX) < 0)
			algo_usage_error("--columns: %s", fc.err);
		break;
	case OPT_ROUND: s.cm.imp.round = 1; break;
	case OPT_SPEED: s.pacer.speed = algo_cli_double("--speed", v, 0, 1e9); break;
	case OPT_EVERY:
		if (s.src == ALGO_FEEDCMD_REPLAY)
			s.pacer.every = algo_cli_int("--every", v, 0, 3600000);
		else if ((s.live.every = algo_cli_duration_ms("--every", v, 0)) < 100)
			algo_usage_error("--every: at least 100ms");
		break;
	case OPT_MAX_GAP: s.pacer.maxgap = algo_cli_double("--max-gap", v, 0, 86400); break;
	case OPT_CONT: s.hist.q.cont = 1; break;
	case OPT_FORMAT: s.hist.csv = algo_cli_pick("--format", v, formats)[0] == 'c'; break;
	case OPT_NO_CACHE: s.hist.cache = 0; break;
	case OPT_LITE: s.live.lite = 1; break;
	case OPT_PING:
		if ((s.live.ping_ms = algo_cli_duration_ms("--ping", v, 1)) <= 0)
			algo_usage_error("--ping: more than 0");
		break;
	case OPT_RECORD: s.live.record = v; break;
	case OPT_STALE: s.live.stale = algo_cli_duration_ms("--stale", v, 1); break;
	case OPT_OUTSIDE: s.live.outside_exit = algo_cli_pick("--outside", v, outside)[0] == 'e'; break;
	case OPT_UNTIL: s.live.until = algo_cli_time("--until", v); break;
	case OPT_CALENDAR: s.live.calendar = v; break;
	case OPT_RECHECK: s.live.recheck = algo_cli_duration_ms("--recheck", v, 1); break;
	}
}

/* Source src with the options and files of argv (argv[0] its name); the exit code. */
static int run(enum algo_feedcmd_source src, int argc, char **argv)
{
	int c, code;
	algo_feedcmd_src_init(&s, src);
	while ((c = algo_cli_getopt(argc, argv, &algo_opts)) != -1)
		set_option(c, optarg);
	code = algo_feedcmd_run(&fc, &s, argv[0], argv + optind, argc - optind);
	if (code == ALGO_EX_USAGE)
		algo_usage_error("%s", fc.err);
	if (code && *fc.err) {
		algo_writer_flush(&algo_stdout);
		algo_warn("%s", fc.err);
	}
	return algo_out_finish(code);
}

int main(int argc, char **argv)
{
	int fy = argc > 1 && strcmp(argv[1], "fyers") == 0, src;
	algo_cli_init(argv[0]);
	algo_feedcmd_init(&fc, algo_progname, &algo_stdout, algo_cli_warn_note, NULL);
	fc.progress = isatty(2) ? stderr : NULL;
	if (argc > 1 + fy && (strcmp(argv[1 + fy], "-h") == 0 || strcmp(argv[1 + fy], "--help") == 0))
		algo_cli_help(&algo_opts);
	if (!fy && argc > 1 && strcmp(argv[1], "--version") == 0)
		algo_print_version();
	if ((src = algo_feedcmd_source_of(argc - 1, argv + 1, fc.err, sizeof fc.err)) < 0)
		algo_usage_error("%s", fc.err);
	return run(src, argc - 1 - fy, argv + 1 + fy);
}
