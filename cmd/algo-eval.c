/* algo-eval — strategies over market events.
 *
 * `algo-eval -s STRATEGY.json` passes every input line through and, after each bar a
 * strategy covers, writes the strategy's `signal` events. `--check FILE...` validates
 * strategy files and prints every problem; `--print EXPR...` writes the values of
 * expressions for every bar as CSV (the tool to compare indicators with TA-Lib). */
#include "cli.h"
#include "decimal.h"
#include "event.h"
#include "evaluator.h"
#include "expr.h"
#include "stage.h"
#include "store.h"
#include "strategy.h"
#include "timeutil.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
	"Usage: algo-eval -s STRATEGY.json [-s STRATEGY.json]... [--param NAME=VALUE]...\n"
	"                 [--state PATH] [--capital AMOUNT] [--skip-bad] < EVENTS\n"
	"       algo-eval --check [--param NAME=VALUE]... FILE...\n"
	"       algo-eval --print EXPR [--print EXPR]... [--param NAME=VALUE]... [--format csv] < EVENTS\n"
	"Evaluates strategies on the bars read from stdin, passing every event through and\n"
	"writing signal events right after the bar that caused them.\n"
	"  -s, --strategy FILE   strategy file (repeatable; signals in file order, then symbol)\n"
	"  -P, --param NAME=VALUE  set the strategy parameter NAME (declared in the file's\n"
	"                        \"params\") to VALUE (repeatable); with --print, define it\n"
	"      --capital AMOUNT  capital in rupees for capital_pct / risk_pct sizing\n"
	"                        (overrides the files' \"capital\")\n"
	"      --state PATH      save and resume each strategy's state in this database\n"
	"                        (else $ALGO_STATE when set; without either, no state)\n"
	"      --user NAME       whose pipeline this is: keeps its state apart from other\n"
	"                        users' in a shared database (default \"default\")\n"
	"  -c, --check           validate the strategy files given as arguments (and -s):\n"
	"                        print every problem, exit 78 if there is any\n"
	"  -p, --print EXPR      print EXPR for every bar as CSV (repeatable)\n"
	"      --format FMT      format of --print output: csv (the default and only one)\n"
	"      --skip-bad        warn about and skip bad input lines instead of stopping (exit 65)\n"
	"  -h, --help            print this help and exit\n"
	"      --version         print the version and exit\n";

enum { OPT_FORMAT = 256, OPT_SKIP_BAD, OPT_VERSION, OPT_CAPITAL, OPT_STATE, OPT_USER };

/* --param values, shared by every strategy file (see load). */
static struct algo_param_overrides overrides;

static const struct option options[] = {
	{ "strategy", required_argument, NULL, 's' },
	{ "check", no_argument, NULL, 'c' },
	{ "print", required_argument, NULL, 'p' },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "skip-bad", no_argument, NULL, OPT_SKIP_BAD },
	{ "capital", required_argument, NULL, OPT_CAPITAL },
	{ "state", required_argument, NULL, OPT_STATE },
	{ "user", required_argument, NULL, OPT_USER },
	{ "param", required_argument, NULL, 'P' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

/* Prints the messages of errs; returns the exit code they call for. */
static int report(struct algo_errlist *errs, int code)
{
	for (size_t i = 0; i < errs->n; i++) algo_warn("%s", errs->msg[i]);
	if (errs->dropped) algo_warn("… and %d more problems", errs->dropped);
	return errs->missing && errs->n == 1 ? ALGO_EX_NOINPUT : code;
}

/* Loads a strategy file; a sizing that needs a capital nobody gave is a problem too. */
static struct algo_strategy *load(const char *file, int64_t capital, struct algo_errlist *errs)
{
	struct algo_strategy *s = algo_strategy_load_with(file, &overrides, errs);
	if (s && capital > 0) algo_strategy_set_capital(s, capital);
	if (s && algo_strategy_needs_capital(s)) {
		algo_errlist_add(errs, "%s: $.sizing: capital_pct and risk_pct need a capital: add \"capital\": "
			"AMOUNT to the file or give --capital AMOUNT", file);
		algo_strategy_free(s);
		s = NULL;
	}
	return s;
}

/* With several files, a --param applies to those that declare it; one that none
 * declares is a configuration error. Returns code, or 78. */
static int unmatched_params(int code)
{
	for (int i = 0; overrides.lenient && i < overrides.n; i++)
		if (!overrides.matched[i]) {
			algo_warn("--param %s: no strategy declares this parameter in its \"params\"", overrides.assign[i]);
			code = ALGO_EX_CONFIG;
		}
	return code;
}

/* Takes the --param values (syntax checked) for nfiles strategy files. */
static void set_overrides(char **params, int nparams, int nfiles)
{
	overrides.assign = (const char *const *)params;
	overrides.n = nparams;
	overrides.lenient = nfiles > 1;
	if (!(overrides.matched = calloc((size_t)nparams + 1, sizeof *overrides.matched)))
		algo_die(ALGO_EX_FAIL, "out of memory");
}

/* --check: every file, every problem. */
static int check_files(char **files, int n, int64_t capital)
{
	int code = ALGO_EX_OK;
	for (int i = 0; i < n; i++) {
		struct algo_errlist errs;
		struct algo_strategy *s;
		algo_errlist_init(&errs);
		if ((s = load(files[i], capital, &errs))) algo_strategy_free(s);
		else {
			int c = report(&errs, ALGO_EX_CONFIG);
			if (code != ALGO_EX_CONFIG) code = c;
		}
		algo_errlist_free(&errs);
	}
	return unmatched_params(code);
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

/* ---- the stage -------------------------------------------------------------------------------- */

/* --print: the watched expressions' values after every bar, as CSV. */
struct printer {
	struct algo_strategy *s;
	int n;
	struct row row;
};

static int print_event(void *arg, const struct algo_event *ev, char *err, size_t errlen)
{
	struct printer *p = arg;
	struct algo_bar bar;
	if (ev->type != ALGO_EV_BAR)
		return 0;
	if (algo_bar_decode(ev, &bar, err, errlen) < 0 ||
	    algo_strategy_check_bar(p->s, &bar, err, errlen) == ALGO_STRAT_ERROR)
		return -1;
	if (algo_strategy_on_bar(p->s, &bar, NULL, NULL, err, errlen) == ALGO_STRAT_ERROR)
		return ALGO_EX_FAIL;
	print_row(p->s, &bar, p->n, &p->row);
	return 0;
}

static void warn_line(const char *msg)
{
	algo_warn("%s", msg);
}

static void warn_note(void *arg, const char *msg)
{
	(void)arg;
	algo_warn("%s", msg);
}

static int run_printer(char **exprs, int n, char **params, int nparams, int skip_bad)
{
	static const struct algo_stage_ops ops = { .event = print_event };
	struct printer p = { 0 };
	struct algo_errlist errs;
	struct algo_stage st;
	int code;
	algo_errlist_init(&errs);
	p.s = algo_strategy_exprs_with((const char *const *)exprs, n, (const char *const *)params, nparams, &errs);
	code = p.s ? ALGO_EX_OK : report(&errs, ALGO_EX_USAGE);
	algo_errlist_free(&errs);
	if (!p.s)
		return code;
	p.n = n;
	print_header(exprs, n, &p.row);
	algo_stage_init(&st, &ops, &p);
	st.skip_bad = skip_bad;
	st.warn = warn_line;
	code = algo_stage_run(&st);
	algo_strategy_free(p.s);
	free(p.row.s);
	return code;
}

/* Loads every strategy file; two strategies may not share a name. */
static int load_all(char **files, int n, int64_t capital, struct algo_strategy **strats, int *nstrats)
{
	int code = ALGO_EX_OK, c;
	*nstrats = 0;
	for (int i = 0; i < n; i++) {
		struct algo_errlist errs;
		algo_errlist_init(&errs);
		if ((strats[*nstrats] = load(files[i], capital, &errs)))
			(*nstrats)++;
		else if ((c = report(&errs, ALGO_EX_CONFIG)) == ALGO_EX_CONFIG || code == ALGO_EX_OK)
			code = c;
		algo_errlist_free(&errs);
	}
	if (code == ALGO_EX_OK) code = unmatched_params(code);
	for (int i = 0; code == ALGO_EX_OK && i < *nstrats; i++)
		for (int k = 0; k < i; k++)
			if (strcmp(algo_strategy_name(strats[i]), algo_strategy_name(strats[k])) == 0) {
				algo_warn("%s: two strategies are named '%s' (give one a different \"name\")",
					files[i], algo_strategy_name(strats[i]));
				code = ALGO_EX_CONFIG;
			}
	return code;
}

/* The evaluation stage, with restart state when a database is named. */
static int run_strategies(struct algo_strategy **strats, int n, const char *state_opt,
	const char *user, int skip_bad)
{
	static const struct algo_stage_ops ops = { .event = algo_evaluator_event, .save = algo_evaluator_save };
	const char *env = getenv("ALGO_STATE");
	struct algo_evaluator e;
	struct algo_store store;
	struct algo_stage st;
	char err[ALGO_ERR_MAX], key[ALGO_REPLAY_KEY_MAX];
	int code, have_store = state_opt || (env && *env);
	if (algo_evaluator_init(&e, strats, n, warn_note, NULL))
		algo_die(ALGO_EX_FAIL, "out of memory");
	e.user = user;
	algo_stage_init(&st, &ops, &e);
	st.skip_bad = skip_bad;
	st.warn = warn_line;
	if (have_store) {
		char path[4096];
		if (algo_cli_state_path(state_opt, path, sizeof path))
			algo_usage_error("cannot work out the state path: set --state or $ALGO_STATE");
		if (algo_store_open(&store, path, err, sizeof err) < 0)
			algo_die(ALGO_EX_CANTCREAT, "%s", err);
		if (algo_evaluator_load(&e, &store, err, sizeof err))
			algo_die(ALGO_EX_FAIL, "%s", err);
		algo_evaluator_replay_key(&e, user, key, sizeof key);
		st.store = &store;
		st.replay_key = key;
	}
	code = algo_stage_run(&st);
	algo_evaluator_finish(&e, code == ALGO_EX_OK);
	algo_evaluator_free(&e);
	if (have_store)
		algo_store_close(&store);
	return code;
}

/* ---- main ----------------------------------------------------------------------------------- */

int main(int argc, char **argv)
{
	char **files = calloc((size_t)argc + 1, sizeof *files), **exprs = calloc((size_t)argc + 1, sizeof *exprs);
	char **params = calloc((size_t)argc + 1, sizeof *params);
	struct algo_strategy **strats = NULL;
	int nfiles = 0, nexprs = 0, nstrats = 0, nparams = 0, check = 0, skip_bad = 0, code, c;
	const char *state_opt = NULL, *user = "default";
	int64_t capital = 0;

	algo_cli_init(argv[0]);
	if (!files || !exprs || !params) algo_die(ALGO_EX_FAIL, "out of memory");
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":s:cp:P:h", options, NULL)) != -1) {
		switch (c) {
		case 's': files[nfiles++] = optarg; break;
		case 'P': {
			const char *name, *value;
			size_t nl;
			if (algo_param_split(optarg, &name, &nl, &value) < 0)
				algo_usage_error("--param: '%s' is not NAME=VALUE", optarg);
			params[nparams++] = optarg;
			break;
		}
		case 'c': check = 1; break;
		case 'p': exprs[nexprs++] = optarg; break;
		case OPT_FORMAT:
			if (strcmp(optarg, "csv") != 0) algo_usage_error("--format: '%s' is not a format (csv)", optarg);
			break;
		case OPT_SKIP_BAD: skip_bad = 1; break;
		case OPT_CAPITAL:
			if (algo_dec_parse(optarg, strlen(optarg), &capital) || capital <= 0)
				algo_usage_error("--capital: '%s' is not a positive amount of rupees", optarg);
			break;
		case OPT_STATE: state_opt = optarg; break;
		case OPT_USER:
			if (!*optarg || strlen(optarg) >= ALGO_NAME_MAX || strchr(optarg, '/'))
				algo_usage_error("--user: '%s' is not a user name", optarg);
			user = optarg;
			break;
		case 'h':
			free(files);
			free(exprs);
			free(params);
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
		set_overrides(params, nparams, nfiles);
		code = check_files(files, nfiles, capital);
	} else {
		if (optind < argc)
			algo_usage_error("unexpected argument '%s' (events are read from stdin)", argv[optind]);
		if (nexprs && nfiles) algo_usage_error("--print and --strategy do not go together");
		if (!nexprs && !nfiles) algo_usage_error("give a strategy (-s FILE), --check FILE or --print EXPR");
		if (nexprs && state_opt) algo_usage_error("--print keeps no state; --state does not go with it");
		set_overrides(params, nparams, nfiles);
		if (nexprs)
			code = run_printer(exprs, nexprs, params, nparams, skip_bad);
		else if (!(strats = calloc((size_t)nfiles, sizeof *strats)))
			algo_die(ALGO_EX_FAIL, "out of memory");
		else if ((code = load_all(files, nfiles, capital, strats, &nstrats)) == ALGO_EX_OK)
			code = run_strategies(strats, nstrats, state_opt, user, skip_bad);
	}
	for (int i = 0; i < nstrats; i++) algo_strategy_free(strats[i]);
	free(strats);
	free(files);
	free(exprs);
	free(params);
	free(overrides.matched);
	return algo_out_finish(code);
}
