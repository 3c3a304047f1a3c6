/* algo-eval — strategies over market events.
 *
 * `algo-eval -s STRATEGY.json` passes every input line through and, after each bar a
 * strategy covers, writes the strategy's `signal` events. `--check FILE...` validates
 * strategy files and prints every problem; `--print EXPR...` writes the values of
 * expressions for every bar as CSV (the tool to compare indicators with TA-Lib). */
#include "cli.h"
#include "event.h"
#include "expr.h"
#include "strategy.h"
#include "timeutil.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
	"Usage: algo-eval -s STRATEGY.json [--skip-bad] < EVENTS\n"
	"       algo-eval --check FILE...\n"
	"       algo-eval --print EXPR [--print EXPR]... [--format csv] < EVENTS\n"
	"Evaluates strategies on the bars read from stdin, passing every event through and\n"
	"writing signal events right after the bar that caused them.\n"
	"  -s, --strategy FILE   strategy file (repeatable)\n"
	"  -c, --check           validate the strategy files given as arguments (and -s):\n"
	"                        print every problem, exit 78 if there is any\n"
	"  -p, --print EXPR      print EXPR for every bar as CSV (repeatable)\n"
	"      --format FMT      format of --print output: csv (the default and only one)\n"
	"      --skip-bad        warn about and skip bad input lines instead of stopping (exit 65)\n"
	"  -h, --help            print this help and exit\n"
	"      --version         print the version and exit\n";

enum { OPT_FORMAT = 256, OPT_SKIP_BAD, OPT_VERSION };

static const struct option options[] = {
	{ "strategy", required_argument, NULL, 's' },
	{ "check", no_argument, NULL, 'c' },
	{ "print", required_argument, NULL, 'p' },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "skip-bad", no_argument, NULL, OPT_SKIP_BAD },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

static void flush_cb(void *arg)
{
	(void)arg;
	algo_writer_flush(&algo_stdout);
}

/* Prints the messages of errs; returns the exit code they call for. */
static int report(struct algo_errlist *errs, int code)
{
	for (size_t i = 0; i < errs->n; i++) algo_warn("%s", errs->msg[i]);
	if (errs->dropped) algo_warn("… and %d more problems", errs->dropped);
	return errs->missing && errs->n == 1 ? ALGO_EX_NOINPUT : code;
}

/* --check: every file, every problem. */
static int check_files(char **files, int n)
{
	int code = ALGO_EX_OK;
	for (int i = 0; i < n; i++) {
		struct algo_errlist errs;
		struct algo_strategy *s;
		algo_errlist_init(&errs);
		if ((s = algo_strategy_load(files[i], &errs))) algo_strategy_free(s);
		else {
			int c = report(&errs, ALGO_EX_CONFIG);
			if (code != ALGO_EX_CONFIG) code = c;
		}
		algo_errlist_free(&errs);
	}
	return code;
}

/* ---- --print: CSV rows ------------------------------------------------------------------------ */

struct row { char *s; size_t len, cap; };

static void row_add(struct row *r, const char *p, size_t n)
{
	if (r->len + n + 1 > r->cap) {
		size_t cap = (r->cap ? r->cap * 2 : 256) + n;
		char *t = realloc(r->s, cap);
		if (!t) algo_die(ALGO_EX_FAIL, "out of memory");
		r->s = t;
		r->cap = cap;
	}
	memcpy(r->s + r->len, p, n);
	r->len += n;
}

/* Appends a CSV field, quoted when it holds a comma, quote or line break. */
static void row_field(struct row *r, const char *p, int first)
{
	if (!first) row_add(r, ",", 1);
	if (!strpbrk(p, ",\"\r\n")) { row_add(r, p, strlen(p)); return; }
	row_add(r, "\"", 1);
	for (; *p; p++) {
		if (*p == '"') row_add(r, "\"\"", 2);
		else row_add(r, p, 1);
	}
	row_add(r, "\"", 1);
}

static void print_header(char **exprs, int n, struct row *r)
{
	r->len = 0;
	row_field(r, "ts", 1);
	row_field(r, "symbol", 0);
	for (int i = 0; i < n; i++) row_field(r, exprs[i], 0);
	algo_out_line(&algo_stdout, r->s, r->len);
}

static void print_row(const struct algo_strategy *s, const struct algo_bar *bar, int n, struct row *r)
{
	char buf[64];
	r->len = 0;
	algo_time_fmt(bar->ts, ALGO_IST_OFFSET_MIN, buf);
	row_field(r, buf, 1);
	row_field(r, bar->symbol, 0);
	for (int i = 0; i < n; i++) {
		double v = algo_strategy_expr_value(s, i);
		buf[0] = '\0';
		if (!isnan(v)) algo_expr_fmt_num(v, buf, sizeof buf);
		row_field(r, buf, 0);
	}
	algo_out_line(&algo_stdout, r->s, r->len);
}

/* ---- main ----------------------------------------------------------------------------------- */

int main(int argc, char **argv)
{
	char **files = calloc((size_t)argc + 1, sizeof *files), **exprs = calloc((size_t)argc + 1, sizeof *exprs);
	struct algo_strategy **strats = NULL, *printer = NULL;
	int nfiles = 0, nexprs = 0, nstrats = 0, check = 0, skip_bad = 0, code = ALGO_EX_OK, c;
	char *warned = NULL;
	struct algo_reader r;
	struct row row = { 0 };
	char err[ALGO_ERR_MAX];
	long nbad = 0;

	algo_cli_init(argv[0]);
	if (!files || !exprs) algo_die(ALGO_EX_FAIL, "out of memory");
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":s:cp:h", options, NULL)) != -1) {
		switch (c) {
		case 's': files[nfiles++] = optarg; break;
		case 'c': check = 1; break;
		case 'p': exprs[nexprs++] = optarg; break;
		case OPT_FORMAT:
			if (strcmp(optarg, "csv") != 0) algo_usage_error("--format: '%s' is not a format (csv)", optarg);
			break;
		case OPT_SKIP_BAD: skip_bad = 1; break;
		case 'h':
			free(files);
			free(exprs);
			fputs(usage_text, stdout);
			return fflush(stdout) ? ALGO_EX_IOERR : ALGO_EX_OK;
		case OPT_VERSION: algo_print_version();
		case ':': algo_usage_error("option '%s' needs a value", argv[optind - 1]);
		default:
			if (optopt) algo_usage_error("unknown option '-%c'", optopt);
			algo_usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (check) {
		while (optind < argc) files[nfiles++] = argv[optind++];
		if (!nfiles) algo_usage_error("--check needs strategy files");
		if (nexprs) algo_usage_error("--check and --print do not go together");
		code = check_files(files, nfiles);
		free(files);
		free(exprs);
		return code;
	}
	if (optind < argc)
		algo_usage_error("unexpected argument '%s' (events are read from stdin)", argv[optind]);
	if (nexprs && nfiles) algo_usage_error("--print and --strategy do not go together");
	if (!nexprs && !nfiles) algo_usage_error("give a strategy (-s FILE), --check FILE or --print EXPR");

	if (nexprs) {
		struct algo_errlist errs;
		algo_errlist_init(&errs);
		if (!(printer = algo_strategy_exprs((const char *const *)exprs, nexprs, &errs)))
			code = report(&errs, ALGO_EX_USAGE);
		algo_errlist_free(&errs);
		if (code != ALGO_EX_OK) goto out;
		print_header(exprs, nexprs, &row);
	} else {
		strats = calloc((size_t)nfiles, sizeof *strats);
		warned = calloc((size_t)nfiles, 1);
		if (!strats || !warned) algo_die(ALGO_EX_FAIL, "out of memory");
		for (int i = 0; i < nfiles; i++) {
			struct algo_errlist errs;
			algo_errlist_init(&errs);
			if ((strats[nstrats] = algo_strategy_load(files[i], &errs))) nstrats++;
			else if ((c = report(&errs, ALGO_EX_CONFIG)) == ALGO_EX_CONFIG || code == ALGO_EX_OK) code = c;
			algo_errlist_free(&errs);
		}
		if (code != ALGO_EX_OK) goto out;
	}

	if (algo_reader_fdopen(&r, 0, "stdin", err, sizeof err)) algo_die(ALGO_EX_FAIL, "%s", err);
	r.before_read = flush_cb;
	for (;;) {
		const char *line;
		size_t len;
		struct algo_event ev;
		struct algo_bar bar;
		int rc = algo_reader_next(&r, &line, &len, err, sizeof err), bad = 0;
		if (rc == 0) break;
		if (rc == -2) {
			algo_warn("%s", err);
			code = ALGO_EX_IOERR;
			break;
		}
		if (rc == -1) {
			snprintf(err, sizeof err, "line longer than %d bytes", ALGO_LINE_MAX);
			bad = 1;
		} else if (algo_event_parse(&ev, line, len, err, sizeof err) < 0) {
			bad = 1;
		} else if (ev.type == ALGO_EV_BAR) {
			if (algo_bar_decode(&ev, &bar, err, sizeof err) < 0) bad = 1;
			for (int i = 0; !bad && i < nstrats; i++)
				bad = algo_strategy_check_bar(strats[i], &bar, err, sizeof err) == ALGO_STRAT_ERROR;
			if (!bad && printer) bad = algo_strategy_check_bar(printer, &bar, err, sizeof err) == ALGO_STRAT_ERROR;
		}
		if (bad) {
			algo_warn("%s:%ld: %s", r.name, r.lineno, err);
			if (!skip_bad) {
				code = ALGO_EX_DATAERR;
				break;
			}
			nbad++;
			continue;
		}
		if (printer) {
			if (ev.type != ALGO_EV_BAR) continue;
			if (algo_strategy_on_bar(printer, &bar, NULL, err, sizeof err) == ALGO_STRAT_ERROR)
				algo_die(ALGO_EX_FAIL, "%s", err);
			print_row(printer, &bar, nexprs, &row);
			continue;
		}
		algo_out_line(&algo_stdout, line, len);
		if (ev.type != ALGO_EV_BAR) continue;
		for (int i = 0; i < nstrats; i++) {
			struct algo_signal sig;
			rc = algo_strategy_on_bar(strats[i], &bar, &sig, err, sizeof err);
			if (rc == ALGO_STRAT_SIGNAL) algo_signal_write(&algo_stdout, &sig);
			else if (rc == ALGO_STRAT_ERROR) algo_die(ALGO_EX_FAIL, "%s", err);
			else if (rc == ALGO_STRAT_OTHER_TF && !warned[i]) {
				const char *tf = algo_strategy_timeframe(strats[i]);
				warned[i] = 1;
				if (tf[0])
					algo_warn("%s: ignoring %s bars of %s: the strategy's timeframe is %s "
						"(resampling is not supported yet)", algo_strategy_name(strats[i]),
						bar.tf[0] ? bar.tf : "untimed", bar.symbol, tf);
				else
					algo_warn("%s: ignoring %s bars of %s: already evaluating another timeframe "
						"of it (set \"timeframe\" to choose)", algo_strategy_name(strats[i]),
						bar.tf[0] ? bar.tf : "untimed", bar.symbol);
			}
		}
	}
	if (nbad) algo_warn("skipped %ld bad line%s", nbad, nbad == 1 ? "" : "s");
	algo_reader_close(&r);
out:
	for (int i = 0; i < nstrats; i++) algo_strategy_free(strats[i]);
	algo_strategy_free(printer);
	free(strats);
	free(warned);
	free(files);
	free(exprs);
	free(row.s);
	return algo_out_finish(code);
}
