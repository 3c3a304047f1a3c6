/* Unit tests for lib/feedcmd.c's command-line side: which source the words name (and
 * the message when none), --symbol and --tf for each source, and a fyers source given
 * files; errors come back as messages and usage exit codes, nothing is printed. */
#include "cli.h"
#include "feedcmd.h"
#include "tap.h"
#include <string.h>

static char err[ALGO_FEEDCMD_ERR_MAX];

/* The source the words (NULL-terminated) name. */
static int source_of(char **words)
{
	int n = 0;
	while (words[n])
		n++;
	err[0] = 0;
	return algo_feedcmd_source_of(n, words, err, sizeof err);
}

static void test_sources(void)
{
	is_int(source_of((char *[]){ "csv", "x.csv", NULL }), ALGO_FEEDCMD_CSV, "csv");
	is_int(source_of((char *[]){ "bars", NULL }), ALGO_FEEDCMD_BARS, "bars");
	is_int(source_of((char *[]){ "fyers", "stream", NULL }), ALGO_FEEDCMD_STREAM, "fyers stream");
	is_int(source_of((char *[]){ NULL }), -1, "nothing");
	is_str(err, "missing subcommand (csv)", "says so");
	is_int(source_of((char *[]){ "fyers", NULL }), -1, "fyers alone");
	is_str(err, "fyers: missing subcommand (history, quotes, stream)", "says so");
	is_int(source_of((char *[]){ "fyers", "csv", NULL }), -1, "fyers csv");
	is_str(err, "fyers: unknown subcommand 'csv' (known: history, quotes, stream)", "says so");
	is_int(source_of((char *[]){ "history", NULL }), -1, "history without fyers");
	is_str(err, "unknown subcommand 'history' (known: csv, replay, bars, fyers)", "says so");
	is_int(source_of((char *[]){ "-s", "X", NULL }), -1, "an option first");
	is_str(err, "missing subcommand before '-s' (algo-feed csv [OPTION]... FILE...)", "says so");
}

static void test_options(void)
{
	static struct algo_feedcmd_src s;
	char tf[] = "1D", odd[] = "7m", bad[] = "45s", sym[] = "NSE:SBIN-EQ", list[] = "NSE:A,NSE:B", empty[] = "";
	algo_feedcmd_src_init(&s, ALGO_FEEDCMD_CSV);
	is_int(algo_feedcmd_set_symbol(&s, sym, err, sizeof err), 0, "csv --symbol");
	is_str(s.cm.symbol, "NSE:SBIN-EQ", "is the symbol of every bar");
	is_int(algo_feedcmd_set_symbol(&s, empty, err, sizeof err), -1, "csv --symbol ''");
	is_str(err, "--symbol: must be 1 to 63 bytes", "says so");
	is_int(algo_feedcmd_set_tf(&s, 0, odd, err, sizeof err), 0, "csv --tf 7m");
	is_int(s.cm.tf, 420, "any timeframe");
	algo_feedcmd_src_init(&s, ALGO_FEEDCMD_BARS);
	is_int(algo_feedcmd_set_tf(&s, 0, bad, err, sizeof err), -1, "bars --tf 45s");
	is_str(err, "--tf: '45s' is not a bar timeframe (1m, 5m, 15m, 1h, ...)", "says so");
	algo_feedcmd_src_init(&s, ALGO_FEEDCMD_HISTORY);
	is_int(algo_feedcmd_set_tf(&s, 0, tf, err, sizeof err), 0, "fyers history --tf 1D");
	is_int(s.hist.q.tf, 86400, "a FYERS resolution");
	is_int(s.hist.q.from, INT64_MIN, "--from not given");
	is_int(s.hist.cache, 1, "the cache on by default");
	algo_feedcmd_src_init(&s, ALGO_FEEDCMD_QUOTES);
	is_int(algo_feedcmd_set_symbol(&s, list, err, sizeof err), 0, "quotes --symbols A,B");
	is_int(s.hm.n, 2, "two symbols");
	is_int(algo_feedcmd_set_tf(&s, 1, bad, err, sizeof err), -1, "quotes --bars 45s");
	is_str(err, "--bars: '45s' is not a bar timeframe (1m, 5m, 15m, 1h, ...)", "says so");
}

static void test_run(void *arg, int fd)
{
	static struct algo_feedcmd f;
	static struct algo_feedcmd_src s;
	char *files[] = { "x.ndjson", NULL };
	(void)arg, (void)fd;
	algo_feedcmd_init(&f, "algo-feed", &algo_stdout, NULL, NULL);
	algo_feedcmd_src_init(&s, ALGO_FEEDCMD_HISTORY);
	is_int(algo_feedcmd_run(&f, &s, "history", files, 1), ALGO_EX_USAGE, "fyers history with a file");
	is_str(f.err, "fyers history: unexpected argument 'x.ndjson'", "says so");
	algo_feedcmd_src_init(&s, ALGO_FEEDCMD_BARS);
	is_int(algo_feedcmd_run(&f, &s, "bars", files, 1), ALGO_EX_USAGE, "bars without --tf");
	is_str(f.err, "bars needs --tf", "says so");
}

int main(void)
{
	test_sources();
	test_options();
	tap_quiet("/tmp/algo-feedcmd-test.log", test_run, NULL, "the module");
	return tap_done();
}
