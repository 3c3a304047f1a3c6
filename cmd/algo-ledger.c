/* algo-ledger — records orders, fills, positions, equity and the audit log of an event
 * stream in the state database, passing every line through unchanged; reports,
 * queries, audit checks and accounts on request. What each does is lib/ledgercmd
 * (over lib/ledger, lib/report and lib/audit). Options and wiring only. */
#include "algo-ledger-opts.h"
#include "decimal.h"
#include "event.h"
#include "ledger.h"
#include "ledgercmd.h"
#include "timeutil.h"
#include <signal.h>
#include <stdio.h>
#include <string.h>

/* A day "YYYY-MM-DD" (its start, or with end the start of the next day) or an RFC 3339
 * time. Dies with a usage error naming opt otherwise. */
static int64_t when(const char *opt, const char *s, int end)
{
	int64_t ms;
	if (strlen(s) == 10) {
		char b[40];
		snprintf(b, sizeof b, "%sT00:00:00+05:30", s);
		if (algo_time_parse(b, strlen(b), &ms) == 0) return end ? ms + 86400000LL : ms;
	}
	if (algo_time_parse(s, strlen(s), &ms) == 0) return ms;
	algo_usage_error("--%s: '%s' is not a date (YYYY-MM-DD) or an RFC 3339 time", opt, s);
}

/* Appends arg to list (of *n, at most max), a usage error naming opt past max. */
static void add(const char **list, int *n, int max, const char *opt, const char *arg)
{
	if (*n == max) algo_usage_error("%s: at most %d", opt, max);
	list[(*n)++] = arg;
}

static const char *run_id(const char *arg)
{
	if (!*arg || strlen(arg) >= ALGO_LEDGER_RUN_MAX ||
	    strspn(arg, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.:-") != strlen(arg))
		algo_usage_error("--run: '%s': must be 1 to %d letters, digits or _.:-", arg, ALGO_LEDGER_RUN_MAX - 1);
	return arg;
}

static void parse_option(int c, const char *arg, struct algo_ledgercmd *o)
{
	switch (c) {
	case OPT_STATE: o->path = arg; break;
	case OPT_CAPITAL:
		if (algo_dec_parse(arg, strlen(arg), &o->capital) || o->capital <= 0)
			algo_usage_error("--capital: '%s' is not a positive amount of rupees (at most 4 decimals)", arg);
		break;
	case OPT_USER:
		if (!*arg || strlen(arg) >= ALGO_NAME_MAX)
			algo_usage_error("--user: must be 1 to %d bytes", ALGO_NAME_MAX - 1);
		o->user = arg;
		o->user_given = 1;
		break;
	case OPT_RUN:
		add(o->runs, &o->nruns, ALGO_LEDGERCMD_MAX_RUNS, "--run", arg);
		run_id(arg);
		break;
	case OPT_SKIP_BAD: o->skip_bad = 1; break;
	case OPT_BACKTEST: o->backtest = 1; break;
	case OPT_RUN_STRATEGY: o->run_strategy = arg; break;
	case OPT_RUN_PARAM: add(o->run_params, &o->nrun_params, ALGO_LEDGERCMD_MAX_RUN_ITEMS, "--run-param", arg); break;
	case OPT_RUN_INPUT: add(o->run_inputs, &o->nrun_inputs, ALGO_LEDGERCMD_MAX_RUN_ITEMS, "--run-input", arg); break;
	case OPT_FORMAT: o->format = arg; break;
	case OPT_OUT: o->out = arg; break;
	case OPT_STRATEGY: o->strategy = arg; break;
	case OPT_FROM: o->from = when("from", arg, 0); break;
	case OPT_SINCE: o->from = when("since", arg, 0); break;
	case OPT_TO: o->to = when("to", arg, 1); break;
	case OPT_BEFORE: o->before = when("before", arg, 0); break;
	case OPT_RETENTION_DAYS: o->retention = (long)algo_cli_int("--retention-days", arg, 0, 100000); break;
	case OPT_EMAIL: o->email = arg; break;
	case OPT_NAME: o->name = arg; break;
	case OPT_PLAN: o->plan = arg; break;
	case OPT_EXPIRY: o->expiry = arg; break;
	default: algo_usage_error("unknown option");
	}
}

/* The command line into o; state is o's database path. getopt_long reports an unknown
 * option or a missing value itself, then "unknown option" follows. */
static void parse_args(int argc, char **argv, struct algo_ledgercmd *o, char *state, size_t len)
{
	char err[ALGO_LEDGERCMD_ERR_MAX];
	int c;
	algo_ledgercmd_init(o);
	while ((c = getopt_long(argc, argv, "h", algo_longopts, NULL)) != -1) {
		if (c == OPT_HELP) algo_cli_help(&algo_opts);
		if (c == OPT_VERSION) algo_print_version();
		parse_option(c, optarg, o);
	}
	if (optind < argc) o->cmd = argv[optind++];
	while (optind < argc && o->nargs < ALGO_LEDGERCMD_MAX_ARGS) o->args[o->nargs++] = argv[optind++];
	if (optind < argc) algo_usage_error("unexpected argument '%s'", argv[optind]);
	if (algo_ledgercmd_check(o, err, sizeof err)) algo_usage_error("%s", err);
	if (algo_cli_state_path(o->path, state, len))
		algo_usage_error("cannot work out the state path: set --state or $ALGO_STATE");
	o->path = state;
}

int main(int argc, char **argv)
{
	struct algo_ledgercmd o;
	char state[4096], err[ALGO_LEDGERCMD_ERR_MAX] = "";
	int code;
	algo_cli_init(argv[0]);
	parse_args(argc, argv, &o, state, sizeof state);
	if (o.cmd) {
		signal(SIGPIPE, SIG_DFL);            /* `| head` ends a listing quietly */
		code = algo_ledgercmd_run(&o, stdout, err, sizeof err);
	} else {
		code = algo_ledgercmd_record(&o, algo_cli_warn_line, err, sizeof err);
	}
	if (code == ALGO_LEDGERCMD_EUSAGE) algo_usage_error("%s", err);
	if (err[0]) algo_warn("%s", err);
	return o.cmd ? code : algo_out_finish(code);
}
