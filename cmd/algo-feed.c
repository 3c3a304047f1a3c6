/* algo-feed — market data into the pipeline: CSV files (lib/csvmerge), a paced replay
 * of recorded events (lib/pacer), bars from recorded ticks (lib/tickbars), FYERS
 * history (lib/histmerge), live quotes (lib/livequotes) and the market-data socket
 * (lib/livestream). Options and wiring only. */
#include "algo-feed-opts.h"
#include "csvmerge.h"
#include "histmerge.h"
#include "livecfg.h"
#include "livequotes.h"
#include "livestream.h"
#include "pacer.h"
#include "progress.h"
#include "tickbars.h"
#include "timeutil.h"
#include <errno.h>
#include <string.h>
#include <unistd.h>

static struct algo_progress prog;   /* csv: over the bytes of all inputs */
static int prog_on, nwarn;
static struct algo_csvmerge cm;
static struct algo_histmerge hm;
static struct algo_fyers fy;

static void erase(void) { const char *e = algo_progress_erase(&prog); if (*e) fputs(e, stderr), fflush(stderr); }
static void warn(void *arg, const char *msg) { algo_writer_flush(&algo_stdout); erase(); algo_warn("%s", msg); }
static void warn10(void *arg, const char *msg) { if (++nwarn <= 10) erase(), algo_warn("%s", msg); }
static void fail(int code, const char *msg) __attribute__((noreturn));
static void fail(int code, const char *msg) { warn(NULL, msg); exit(algo_out_finish(code)); }
static void tick(void *arg)
{
	char line[ALGO_PROGRESS_LINE_MAX];
	size_t n;
	if (prog_on && (n = algo_progress_line(&prog, algo_csvmerge_done(&cm), cm.nrows, line, sizeof line)) && fwrite(line, 1, n, stderr) > 0)
		fflush(stderr);
}
static int64_t opt_tf(const char *name, char *s, const char *what)
{
	int64_t tf = algo_tf_parse(s, strlen(s));
	struct algo_barbuild bb;
	if (tf <= 0 || (what[0] == 'b' && algo_barbuild_init(&bb, 1, tf) < 0))
		algo_usage_error("%s: '%s' is not a %s", name, s, what);
	if (what[0] == 'b')
		algo_barbuild_free(&bb);
	return tf;
}
static void add_symbols(char *list) { char e[200]; if (algo_histmerge_add(&hm, list, e, sizeof e) < 0) algo_usage_error("%s", e); }
static void need_files(int argc, const char *what) { if (optind >= argc) algo_usage_error("%s (use '-' for stdin)", what); }
static void no_args(int argc, char **argv, const char *cmd) { if (optind < argc) algo_usage_error("fyers %s: unexpected argument '%s'", cmd, argv[optind]); }
static void open_fyers(void)
{
	char err[ALGO_ERR_MAX];
	int cls = algo_fyers_open(&fy, ALGO_FYERS_NEED_TOKEN, err, sizeof err);
	fy.notice = warn;
	if (cls != ALGO_FYERS_OK)
		fail(algo_fyers_exit_code(cls), err);
}

static int cmd_csv(int argc, char **argv)
{
	int c, nstdin = 0, progress = 1;
	char err[ALGO_ERR_MAX];
	algo_csvmerge_init(&cm);
	while ((c = algo_cli_getopt(argc, argv, &algo_opts)) != -1)
		switch (c) {
		case OPT_SYMBOL: if (!*optarg || strlen(optarg) > 63) algo_usage_error("--symbol: must be 1 to 63 bytes"); cm.symbol = optarg; break;
		case OPT_TF: cm.tf = opt_tf("--tf", optarg, "timeframe (like 1m, 5m, 1h, 1d)"); break;
		case OPT_FROM: cm.from = algo_cli_time("--from", optarg); break;
		case OPT_TO: cm.to = algo_cli_time("--to", optarg); break;
		case OPT_SKIP_BAD: cm.skip_bad = 1; break;
		case OPT_NO_PROGRESS: progress = 0; break;
		case OPT_DATE_FORMAT: if (algo_csv_import_date_format(&cm.imp, optarg, err, sizeof err) < 0) algo_usage_error("--date-format: %s", err); break;
		case OPT_COLUMNS: if (algo_csv_import_columns(&cm.imp, optarg, err, sizeof err) < 0) algo_usage_error("--columns: %s", err); break;
		case OPT_ROUND: cm.imp.round = 1; break;
		default: algo_cli_unknown(&algo_opts, c);
		}
	need_files(argc, "no input FILE");
	if (cm.from >= cm.to)
		algo_usage_error("--from must be before --to");
	for (int i = optind; i < argc; i++)
		if (strcmp(argv[i], "-") == 0 && ++nstdin > 1)
			algo_usage_error("stdin ('-') can be read only once");
	cm.on_skip = warn10, cm.on_notice = warn, cm.on_tick = tick;
	if (algo_csvmerge_open(&cm, argv + optind, argc - optind, &algo_stdout) < 0 && cm.code == ALGO_EX_USAGE)
		algo_usage_error("%s", cm.err);
	prog_on = progress && isatty(2);
	algo_progress_start(&prog, algo_progname, "bars", algo_csvmerge_size(&cm));
	if (cm.code || algo_csvmerge_run(&cm) < 0)
		fail(cm.code, cm.err);
	erase();
	algo_csvmerge_free(&cm);
	return algo_out_finish(ALGO_EX_OK);
}

static int cmd_replay(int argc, char **argv)
{
	struct algo_pacer p;
	int c, code = ALGO_EX_OK;
	char err[ALGO_ERR_MAX + 300];
	algo_pacer_init(&p);
	while ((c = algo_cli_getopt(argc, argv, &algo_opts)) != -1)
		switch (c) {
		case OPT_SPEED: p.speed = algo_cli_double("--speed", optarg, 0, 1e9); break;
		case OPT_EVERY: p.every = algo_cli_int("--every", optarg, 0, 3600000); break;
		case OPT_MAX_GAP: p.maxgap = algo_cli_double("--max-gap", optarg, 0, 86400); break;
		case OPT_SKIP_BAD: p.skip_bad = 1; break;
		default: algo_cli_unknown(&algo_opts, c);
		}
	need_files(argc, "replay: no input file");
	p.on_skip = warn10;
	for (int i = optind; i < argc && code == ALGO_EX_OK; i++) {
		struct algo_reader r;
		if (algo_reader_open(&r, argv[i], err, sizeof err))
			fail(errno == ENOENT ? ALGO_EX_NOINPUT : ALGO_EX_IOERR, err);
		if ((code = algo_pacer_replay(&p, &r, &algo_stdout, err, sizeof err)) != 0)
			warn(NULL, err);
		algo_reader_close(&r);
	}
	if (p.bad)
		algo_warn("skipped %ld bad line%s", p.bad, p.bad == 1 ? "" : "s");
	return algo_out_finish(code);
}

static int cmd_bars(int argc, char **argv)
{
	struct algo_tickbars t;
	int c, tf = 0, code = 0;
	char err[ALGO_ERR_MAX + 300];
	while ((c = algo_cli_getopt(argc, argv, &algo_opts)) != -1)
		switch (c) {
		case OPT_TF:
			if (algo_tickbars_init(&t, opt_tf("--tf", optarg, "bar timeframe (1m, 5m, 15m, 1h, ...)"), &algo_stdout) < 0)
				fail(ALGO_EX_FAIL, "out of memory");
			tf = 1;
			break;
		default: algo_cli_unknown(&algo_opts, c);
		}
	if (!tf)
		algo_usage_error("bars needs --tf");
	need_files(argc, "bars: no input file");
	for (int i = optind; i < argc; i++)
		if ((code = algo_tickbars_file(&t, argv[i], err, sizeof err)) != 0)
			fail(code, err);
	algo_tickbars_finish(&t);
	return algo_out_finish(ALGO_EX_OK);
}

static int fy_history(int argc, char **argv)
{
	int64_t tf = 0, from = INT64_MIN, to = INT64_MIN;
	int c, cont = 0, cache = 1, rc;
	char err[ALGO_ERR_MAX + 600], dir[4096], tfs[16];
	struct algo_barout out;
	algo_barout_init(&out, &algo_stdout);
	while ((c = algo_cli_getopt(argc, argv, &algo_opts)) != -1)
		switch (c) {
		case OPT_SYMBOL: add_symbols(optarg); break;
		case OPT_TF:
			for (char *p = optarg; *p; p++)
				*p = *p == 'D' ? 'd' : *p == 'S' ? 's' : *p;
			if ((tf = algo_tf_parse(optarg, strlen(optarg))) <= 0 || algo_fyers_resolution(tf, dir) < 0)
				algo_usage_error("--tf: '%s' is not a FYERS resolution (%s)", optarg, algo_fyers_resolutions());
			break;
		case OPT_FROM: from = algo_cli_time("--from", optarg); break;
		case OPT_TO: to = algo_cli_time("--to", optarg); break;
		case OPT_CONT: cont = 1; break;
		case OPT_FORMAT: out.csv = algo_cli_pick("--format", optarg, (const char *const[]){ "ndjson", "csv", NULL })[0] == 'c'; break;
		case OPT_NO_CACHE: cache = 0; break;
		default: algo_cli_unknown(&algo_opts, c);
		}
	no_args(argc, argv, "history");
	if (hm.n == 0 || tf == 0 || from == INT64_MIN)
		algo_usage_error("fyers history needs --symbol, --tf and --from");
	if (to == INT64_MIN)
		to = algo_clock_ms();
	if (from >= to)
		algo_usage_error("--from must be before --to");
	algo_tf_fmt(tf, tfs, sizeof tfs);
	if (cache && algo_histcache_dir(dir, sizeof dir, err, sizeof err) < 0)
		fail(ALGO_EX_CONFIG, err);
	open_fyers();
	for (int i = 0; i < hm.n; i++) {
		char sym[64];
		snprintf(sym, sizeof sym, "%s", hm.h[i].symbol);
		if (algo_fyers_hist_init(&hm.h[i], &fy, sym, tf, cont, from, to, cache ? dir : NULL, err, sizeof err) < 0)
			algo_usage_error("%s: %s", sym, err);
	}
	if ((rc = algo_histmerge_run(&hm, &out, tfs, err, sizeof err)) != 0)
		fail(rc, err);
	algo_histmerge_finish(&hm, &fy, tfs);
	algo_fyers_close(&fy);
	return algo_out_finish(out.bars ? ALGO_EX_OK : ALGO_EX_NOINPUT);
}

/* fyers quotes and stream: the same options, but --every (quotes), --lite, --ping (stream). */
static int fy_live(int argc, char **argv)
{
	struct algo_livecfg lc;
	int stream = strcmp(argv[0], "stream") == 0, c, code;
	char *names[ALGO_HISTMERGE_MAX], err[ALGO_ERR_MAX + 600];
	algo_livecfg_init(&lc);
	while ((c = algo_cli_getopt(argc, argv, &algo_opts)) != -1) {
		if (stream ? c == OPT_EVERY : c == OPT_LITE || c == OPT_PING)
			algo_cli_unknown(&algo_opts, c);
		switch (c) {
		case OPT_SYMBOL: case OPT_SYMBOLS: add_symbols(optarg); break;
		case OPT_EVERY: if ((lc.every = algo_cli_duration_ms("--every", optarg, 0)) < 100) algo_usage_error("--every: at least 100ms"); break;
		case OPT_BARS: lc.bars_tf = opt_tf("--bars", optarg, "bar timeframe (1m, 5m, 15m, 1h, ...)"); break;
		case OPT_LITE: lc.lite = 1; break;
		case OPT_PING: if ((lc.ping_ms = algo_cli_duration_ms("--ping", optarg, 1)) <= 0) algo_usage_error("--ping: more than 0"); break;
		case OPT_RECORD: lc.record = optarg; break;
		case OPT_STALE: lc.stale = algo_cli_duration_ms("--stale", optarg, 1); break;
		case OPT_OUTSIDE: lc.outside_exit = algo_cli_pick("--outside", optarg, (const char *const[]){ "wait", "exit", NULL })[0] == 'e'; break;
		case OPT_UNTIL: lc.until = algo_cli_time("--until", optarg); break;
		case OPT_CALENDAR: lc.calendar = optarg; break;
		case OPT_RECHECK: lc.recheck = algo_cli_duration_ms("--recheck", optarg, 1); break;
		default: algo_cli_unknown(&algo_opts, c);
		}
	}
	no_args(argc, argv, argv[0]);
	if (hm.n == 0)
		algo_usage_error("fyers %s needs --symbols", argv[0]);
	for (int i = 0; i < hm.n; i++)
		names[i] = hm.h[i].symbol;
	lc.on_notice = warn;
	open_fyers();
	code = (stream ? algo_livestream_feed : algo_livequotes_feed)(&lc, &fy, names, hm.n, &algo_stdout, err, sizeof err);
	if (code)
		code == ALGO_EX_USAGE ? algo_usage_error("%s", err) : fail(code, err);
	algo_fyers_close(&fy);
	return algo_out_finish(ALGO_EX_OK);
}

static int cmd_fyers(int argc, char **argv)
{
	if (argc < 2)
		algo_usage_error("fyers: missing subcommand (history, quotes, stream)");
	if (strcmp(argv[1], "history") == 0)
		return fy_history(argc - 1, argv + 1);
	if (strcmp(argv[1], "quotes") == 0 || strcmp(argv[1], "stream") == 0)
		return fy_live(argc - 1, argv + 1);
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)
		algo_cli_help(&algo_opts);
	algo_usage_error("fyers: unknown subcommand '%s' (known: history, quotes, stream)", argv[1]);
}

int main(int argc, char **argv)
{
	static const struct { const char *name; int (*run)(int, char **); } cmds[] = {
		{ "csv", cmd_csv }, { "replay", cmd_replay }, { "fyers", cmd_fyers }, { "bars", cmd_bars },
	};
	algo_cli_init(argv[0]);
	if (argc < 2)
		algo_usage_error("missing subcommand (csv)");
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)
		algo_cli_help(&algo_opts);
	if (strcmp(argv[1], "--version") == 0)
		algo_print_version();
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
		if (strcmp(argv[1], cmds[i].name) == 0)
			return cmds[i].run(argc - 1, argv + 1);
	if (argv[1][0] == '-')
		algo_usage_error("missing subcommand before '%s' (algo-feed csv [OPTION]... FILE...)", argv[1]);
	algo_usage_error("unknown subcommand '%s' (known: csv, replay, bars, fyers)", argv[1]);
}
