/* algo-ledger — records orders, fills, positions, equity and the audit log of an event
 * stream in the state database, passing every line through unchanged; reports,
 * queries, audit checks and accounts on request (lib/report.c, lib/audit.c). */
#include "audit.h"
#include "cli.h"
#include "decimal.h"
#include "event.h"
#include "ledger.h"
#include "report.h"
#include "runrec.h"
#include "stage.h"
#include "store.h"
#include "timeutil.h"
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char usage_text[] =
	"Usage: algo-ledger [OPTION]... < EVENTS > EVENTS\n"
	"       algo-ledger report [--run ID]... [--strategy S] [--from D] [--to D]\n"
	"                          [--format text|json|csv|html] [--out FILE]\n"
	"       algo-ledger trades|orders|fills|positions|pnl|equity|audit|runs\n"
	"                          [--format table|csv|ndjson] [--since D] [--strategy S]\n"
	"       algo-ledger audit verify | audit prune --before DATE [--retention-days N]\n"
	"       algo-ledger users add ID --email E --name N --plan P [--expiry DATE]\n"
	"       algo-ledger users list | set-plan ID PLAN [--expiry DATE] | disable ID\n"
	"Records orders, fills, positions, the equity curve and an audit log of an NDJSON\n"
	"event stream in the state database and copies every line to stdout unchanged.\n"
	"'report' prints the metrics of a run (two --run: side by side); the queries list\n"
	"rows of one user; 'audit verify' checks the audit log's hash chain.\n"
	"\n"
	"      --state PATH      state database (default $ALGO_STATE, else\n"
	"                        $XDG_STATE_HOME/algo/state.db)\n"
	"      --capital AMOUNT  starting capital in rupees, stored on first use\n"
	"                        (default 100000)\n"
	"      --user NAME       user of events without a \"user\" member, and of\n"
	"                        reports and queries (default \"default\")\n"
	"      --run ID          recording: the run's id (default: first event's date and\n"
	"                        a hash of the options); report/queries: select a run\n"
	"      --skip-bad        skip bad lines with a warning instead of exiting 65\n"
	"      --backtest        record as a backtest (algo-backtest's fresh database): the\n"
	"                        equity curve at report resolution, one audit row per run\n"
	"      --run-strategy FILE  backtest: record FILE's name, SHA-256 and parameters\n"
	"                        in the run's audit row and report\n"
	"      --run-param NAME=VALUE  backtest: a --param the strategy ran with (repeatable)\n"
	"      --run-input FILE  backtest: an input file, recorded with its SHA-256\n"
	"                        (repeatable)\n"
	"      --format FORMAT   report: text, json, csv or html; trades: csv, ndjson or\n"
	"                        table; other queries: table, csv or ndjson\n"
	"      --out FILE        write the report or query to FILE instead of stdout\n"
	"      --strategy NAME   only this strategy\n"
	"      --from DATE       from this day (YYYY-MM-DD) or time (RFC 3339) on\n"
	"      --to DATE         up to and including this day, or before this time\n"
	"      --since DATE      the same as --from\n"
	"      --before DATE     audit prune: remove rows older than this day\n"
	"      --retention-days N  audit prune: keep at least N days (default 365)\n"
	"      --email ADDR      users add: e-mail address\n"
	"      --name TEXT       users add: the person's name\n"
	"      --plan PLAN       users add: FREE, BASIC or PRO\n"
	"      --expiry DATE     users add/set-plan: plan expiry (YYYY-MM-DD)\n"
	"  -h, --help            print this help and exit\n"
	"      --version         print the version and exit\n";

enum { OPT_STATE = 256, OPT_CAPITAL, OPT_USER, OPT_SKIP_BAD, OPT_FORMAT, OPT_VERSION, OPT_RUN,
	OPT_OUT, OPT_STRATEGY, OPT_FROM, OPT_TO, OPT_SINCE, OPT_BEFORE, OPT_RETENTION, OPT_EMAIL,
	OPT_NAME, OPT_PLAN, OPT_EXPIRY, OPT_BACKTEST, OPT_RUN_STRATEGY, OPT_RUN_PARAM, OPT_RUN_INPUT };

static const struct option options[] = {
	{ "state", required_argument, NULL, OPT_STATE },
	{ "capital", required_argument, NULL, OPT_CAPITAL },
	{ "user", required_argument, NULL, OPT_USER },
	{ "run", required_argument, NULL, OPT_RUN },
	{ "skip-bad", no_argument, NULL, OPT_SKIP_BAD },
	{ "backtest", no_argument, NULL, OPT_BACKTEST },
	{ "run-strategy", required_argument, NULL, OPT_RUN_STRATEGY },
	{ "run-param", required_argument, NULL, OPT_RUN_PARAM },
	{ "run-input", required_argument, NULL, OPT_RUN_INPUT },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "out", required_argument, NULL, OPT_OUT },
	{ "strategy", required_argument, NULL, OPT_STRATEGY },
	{ "from", required_argument, NULL, OPT_FROM },
	{ "to", required_argument, NULL, OPT_TO },
	{ "since", required_argument, NULL, OPT_SINCE },
	{ "before", required_argument, NULL, OPT_BEFORE },
	{ "retention-days", required_argument, NULL, OPT_RETENTION },
	{ "email", required_argument, NULL, OPT_EMAIL },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "plan", required_argument, NULL, OPT_PLAN },
	{ "expiry", required_argument, NULL, OPT_EXPIRY },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

/* ---- sub-commands ------------------------------------------------------------- */

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

static int format_of(const char *s)
{
	static const char *const names[] = { "text", "json", "csv", "html", "table", "ndjson" };
	for (int i = 0; i < 6; i++)
		if (strcmp(s, names[i]) == 0) return i;
	return -1;
}

static FILE *out_open(const char *path)
{
	FILE *f;
	if (!path) return stdout;
	if (!(f = fopen(path, "w")))
		algo_die(ALGO_EX_CANTCREAT, "%s: %s", path, strerror(errno));
	return f;
}

static int out_close(FILE *f, const char *path)
{
	if (f == stdout) return fflush(f) ? ALGO_EX_IOERR : ALGO_EX_OK;
	if (fclose(f)) { algo_warn("%s: %s", path, strerror(errno)); return ALGO_EX_IOERR; }
	return ALGO_EX_OK;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- main ---------------------------------------------------------------------- */



#define MAX_RUNS 8
#define MAX_RUN_ITEMS 256

struct opts {
	const char *state, *user, *format, *cmd, *runs[MAX_RUNS], *out, *strategy, *email, *name;
	const char *plan, *expiry, *args[4];
	const char *run_strategy, *run_params[MAX_RUN_ITEMS], *run_inputs[MAX_RUN_ITEMS];
	int nrun_params, nrun_inputs;
	int64_t capital, from, to, before;
	long retention;
	int skip_bad, backtest, nruns, nargs, user_given, fmt;
	char path[4096];
};

static void parse_option(int c, const char *arg, struct opts *o)
{
	switch (c) {
	case OPT_STATE: o->state = arg; break;
	case OPT_CAPITAL:
		if (algo_dec_parse(arg, strlen(arg), &o->capital) || o->capital <= 0)
			algo_usage_error("--capital: '%s' is not a positive amount of rupees "
				"(at most 4 decimals)", arg);
		break;
	case OPT_USER:
		if (!*arg || strlen(arg) >= ALGO_NAME_MAX)
			algo_usage_error("--user: must be 1 to %d bytes", ALGO_NAME_MAX - 1);
		o->user = arg;
		o->user_given = 1;
		break;
	case OPT_RUN:
		if (o->nruns == MAX_RUNS) algo_usage_error("--run: at most %d", MAX_RUNS);
		if (!*arg || strlen(arg) >= ALGO_LEDGER_RUN_MAX ||
		    strspn(arg, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.:-")
		    != strlen(arg))
			algo_usage_error("--run: '%s': must be 1 to %d letters, digits or _.:-",
				arg, ALGO_LEDGER_RUN_MAX - 1);
		o->runs[o->nruns++] = arg;
		break;
	case OPT_SKIP_BAD: o->skip_bad = 1; break;
	case OPT_BACKTEST: o->backtest = 1; break;
	case OPT_RUN_STRATEGY: o->run_strategy = arg; break;
	case OPT_RUN_PARAM:
		if (o->nrun_params == MAX_RUN_ITEMS) algo_usage_error("--run-param: at most %d", MAX_RUN_ITEMS);
		o->run_params[o->nrun_params++] = arg;
		break;
	case OPT_RUN_INPUT:
		if (o->nrun_inputs == MAX_RUN_ITEMS) algo_usage_error("--run-input: at most %d", MAX_RUN_ITEMS);
		o->run_inputs[o->nrun_inputs++] = arg;
		break;
	case OPT_FORMAT: o->format = arg; break;
	case OPT_OUT: o->out = arg; break;
	case OPT_STRATEGY: o->strategy = arg; break;
	case OPT_FROM: case OPT_SINCE: o->from = when(c == OPT_FROM ? "from" : "since", arg, 0); break;
	case OPT_TO: o->to = when("to", arg, 1); break;
	case OPT_BEFORE: o->before = when("before", arg, 0); break;
	case OPT_RETENTION: o->retention = (long)algo_cli_int("--retention-days", arg, 0, 100000); break;
	case OPT_EMAIL: o->email = arg; break;
	case OPT_NAME: o->name = arg; break;
	case OPT_PLAN: o->plan = arg; break;
	case OPT_EXPIRY: o->expiry = arg; break;
	default: algo_usage_error("unknown option");
	}
}

/* The combinations of sub-command, options and arguments that make no sense. */
static void check_usage(struct opts *o)
{
	const char *cmd = o->cmd;
	if (cmd && strcmp(cmd, "report") && strcmp(cmd, "trades") && strcmp(cmd, "orders") &&
	    strcmp(cmd, "fills") && strcmp(cmd, "positions") && strcmp(cmd, "pnl") &&
	    strcmp(cmd, "equity") && strcmp(cmd, "audit") && strcmp(cmd, "runs") && strcmp(cmd, "users"))
		algo_usage_error("unknown subcommand '%s' (try report, trades, orders, fills, "
			"positions, pnl, equity, audit, runs or users)", cmd);
	if (!cmd && (o->format || o->out || o->strategy || o->from != INT64_MIN || o->to != INT64_MAX))
		algo_usage_error("--format, --out, --strategy, --from, --to and --since apply to "
			"sub-commands only");
	if (!cmd && o->nruns > 1) algo_usage_error("--run: one run is recorded at a time");
	if (cmd && (o->skip_bad || o->capital > 0 || o->backtest))
		algo_usage_error("--%s applies to recording only, not to '%s'",
			o->skip_bad ? "skip-bad" : o->backtest ? "backtest" : "capital", cmd);
	if ((o->run_strategy || o->nrun_params || o->nrun_inputs) && (cmd || !o->backtest))
		algo_usage_error("--run-strategy, --run-param and --run-input apply to --backtest "
			"recording only");
	if (o->nrun_params && !o->run_strategy)
		algo_usage_error("--run-param needs --run-strategy");
	if (cmd && strcmp(cmd, "users") && strcmp(cmd, "audit") && o->nargs)
		algo_usage_error("unexpected argument '%s'", o->args[0]);
	if ((o->email || o->name || o->plan || o->expiry) && (!cmd || strcmp(cmd, "users")))
		algo_usage_error("--email, --name, --plan and --expiry apply to 'users' only");
	if (o->before != INT64_MIN && !(cmd && strcmp(cmd, "audit") == 0 && o->nargs &&
	    strcmp(o->args[0], "prune") == 0))
		algo_usage_error("--before applies to 'audit prune' only");
	if (o->nruns > 1 && (!cmd || strcmp(cmd, "report")))
		algo_usage_error("--run: several runs only for 'report'");
	if (!o->format) o->format = !cmd ? "" : strcmp(cmd, "report") == 0 ? "text" :
		strcmp(cmd, "trades") == 0 ? "csv" : "table";
	o->fmt = format_of(o->format);
	if (cmd && strcmp(cmd, "report") == 0 && (o->fmt < 0 || o->fmt > ALGO_FMT_HTML))
		algo_usage_error("--format: '%s' is not text, json, csv or html", o->format);
	if (cmd && strcmp(cmd, "report") && o->fmt != ALGO_FMT_CSV && o->fmt != ALGO_FMT_NDJSON &&
	    o->fmt != ALGO_FMT_TABLE)
		algo_usage_error("--format: '%s' is not table, csv or ndjson", o->format);
	if (algo_cli_state_path(o->state, o->path, sizeof o->path))
		algo_usage_error("cannot work out the state path: set --state or $ALGO_STATE");
}

static void parse_args(int argc, char **argv, struct opts *o)
{
	int c;
	memset(o, 0, sizeof *o);
	o->user = ALGO_LEDGER_DEFAULT_USER;
	o->capital = -1;
	o->from = o->before = INT64_MIN;
	o->to = INT64_MAX;
	o->retention = 365;
	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		if (c == 'h') {
			fputs(usage_text, stdout);
			exit(fflush(stdout) ? ALGO_EX_IOERR : ALGO_EX_OK);
		}
		if (c == OPT_VERSION) algo_print_version();
		parse_option(c, optarg, o);
	}
	if (optind < argc) o->cmd = argv[optind++];
	while (optind < argc && o->nargs < 4) o->args[o->nargs++] = argv[optind++];
	if (optind < argc) algo_usage_error("unexpected argument '%s'", argv[optind]);
	check_usage(o);
}

static void warn_line(const char *msg)
{
	algo_warn("%s", msg);
}

/* A test hook for a full disk: $ALGO_TEST_MAX_PAGES caps the database at that many
 * pages (SQLite's max_page_count), so a write past it fails as on a full disk. */
static void test_disk_limit(struct algo_store *s)
{
	const char *v = getenv("ALGO_TEST_MAX_PAGES");
	char sql[64], err[ALGO_ERR_MAX];
	if (!v || !*v) return;
	snprintf(sql, sizeof sql, "PRAGMA max_page_count = %ld", strtol(v, NULL, 10));
	if (algo_store_exec(s, sql, err, sizeof err)) algo_die(ALGO_EX_FAIL, "%s", err);
}

/* Gives l the run record of --run-strategy, --run-param and --run-input; dies with
 * the reason when the strategy does not load (exit 78, as algo-eval --check). */
static void set_run_record(struct algo_ledger *l, const struct opts *o)
{
	char err[ALGO_ERR_MAX], *rec;
	if (!(rec = algo_runrec_build(o->run_strategy, o->run_params, o->nrun_params, o->run_inputs,
			o->nrun_inputs, err, sizeof err)))
		algo_die(ALGO_EX_CONFIG, "--run-strategy: %s", err);
	if (algo_ledger_set_run_record(l, rec)) algo_die(ALGO_EX_FAIL, "out of memory");
	free(rec);
}

/* Records stdin into the state database, copying it to stdout (the stage loop). */
static int record(const struct opts *o)
{
	struct algo_store store;
	struct algo_ledger *l;
	struct algo_stage st;
	char err[ALGO_ERR_MAX];
	int differs, code;

	if (algo_store_open(&store, o->path, err, sizeof err))
		algo_die(ALGO_EX_CANTCREAT, "%s", err);
	test_disk_limit(&store);
	if (!(l = algo_ledger_open(&store, o->user, o->capital, &differs, err, sizeof err)))
		algo_die(ALGO_EX_FAIL, "%s", err);
	if (o->nruns) algo_ledger_set_run(l, o->runs[0]);
	if (o->backtest) algo_ledger_set_backtest(l);
	if (o->run_strategy || o->nrun_inputs) set_run_record(l, o);
	if (differs) {
		int64_t stored;
		char a[ALGO_DEC_FMT_MAX], b[ALGO_DEC_FMT_MAX];
		a[algo_dec_fmt(o->capital, a)] = '\0';
		if (algo_ledger_capital(&store, &stored) == 0) {
			b[algo_dec_fmt(stored, b)] = '\0';
			algo_warn("warning: --capital %s ignored: %s already records capital %s", a,
				o->path, b);
		}
	}
	algo_ledger_stage(l, &st);
	st.skip_bad = o->skip_bad;
	st.warn = warn_line;
	code = algo_stage_run(&st);
	if (st.stop_signal && code == 128 + st.stop_signal)
		algo_warn("interrupted, state committed");
	algo_ledger_free(l);
	algo_store_close(&store);
	return algo_out_finish(code);
}

/* ---- main ---------------------------------------------------------------------- */

/* users list | add | set-plan | disable */
static int users_cmd(struct algo_store *store, const struct opts *o, struct algo_report_opts *ro)
{
	const char *op = o->nargs ? o->args[0] : "list", *plan = o->plan, *actor = getenv("USER");
	char err[ALGO_ERR_MAX] = "";
	FILE *f;
	int rc;
	if (strcmp(op, "list") == 0) {
		if (o->nargs > 1) algo_usage_error("unexpected argument '%s'", o->args[1]);
		ro->run = o->user_given ? o->user : NULL;
		f = out_open(o->out);
		if (algo_report_query(store, "accounts", ro, o->fmt, f, err, sizeof err))
			algo_die(ALGO_EX_FAIL, "%s", err);
		return out_close(f, o->out);
	}
	if (strcmp(op, "add") && strcmp(op, "set-plan") && strcmp(op, "disable"))
		algo_usage_error("users: unknown operation '%s' (add, list, set-plan, disable)", op);
	if (o->nargs < 2) algo_usage_error("users %s: which user?", op);
	if (strcmp(op, "set-plan") == 0) {
		if (o->nargs > 3 || (o->nargs == 3 && plan)) algo_usage_error("users set-plan ID PLAN");
		if (o->nargs == 3) plan = o->args[2];
	} else if (o->nargs > 2) {
		algo_usage_error("unexpected argument '%s'", o->args[2]);
	}
	if (!*o->args[1] || strlen(o->args[1]) >= ALGO_NAME_MAX)
		algo_usage_error("user id: must be 1 to %d bytes", ALGO_NAME_MAX - 1);
	rc = algo_account_change(store, op, o->args[1], o->email, o->name, plan, o->expiry,
		actor ? actor : "unknown", now_ms(), err, sizeof err);
	if (rc) algo_die(rc == 1 ? ALGO_EX_USAGE : ALGO_EX_FAIL, "users %s: %s", op, err);
	return ALGO_EX_OK;
}

/* audit verify | audit prune */
static int audit_cmd(struct algo_store *store, const struct opts *o)
{
	int64_t rows = 0, bad = 0;
	char err[ALGO_ERR_MAX] = "";
	int rc;
	if (o->nargs > 1) algo_usage_error("unexpected argument '%s'", o->args[1]);
	if (strcmp(o->args[0], "verify") == 0) {
		rc = algo_audit_verify(store, &rows, &bad, err, sizeof err);
		if (rc < 0) algo_die(ALGO_EX_FAIL, "%s", err);
		if (rc == 1) algo_die(ALGO_EX_FAIL, "audit verify: FAILED at row %lld: %s",
			(long long)bad, err);
		printf("audit log intact: %lld rows\n", (long long)rows);
	} else if (strcmp(o->args[0], "prune") == 0) {
		if (o->before == INT64_MIN) algo_usage_error("audit prune needs --before DATE");
		rc = algo_audit_prune(store, o->user, o->before, now_ms(), o->retention, &rows, err,
			sizeof err);
		if (rc < 0) algo_die(ALGO_EX_FAIL, "%s", err);
		if (rc == 1) algo_die(ALGO_EX_NOPERM, "audit prune: %s", err);
		printf("audit prune: removed %lld rows\n", (long long)rows);
	} else {
		algo_usage_error("audit: unknown operation '%s' (verify, prune)", o->args[0]);
	}
	return fflush(stdout) ? ALGO_EX_IOERR : ALGO_EX_OK;
}

/* report, one run or several side by side */
static int report_cmd(struct algo_store *store, const struct opts *o, struct algo_report_opts *ro)
{
	struct algo_report r[MAX_RUNS];
	char err[ALGO_ERR_MAX] = "";
	int n = o->nruns > 1 ? o->nruns : 1, rc, code;
	FILE *f;
	for (int i = 0; i < n; i++) {
		ro->run = o->nruns ? o->runs[i] : NULL;
		if (algo_report_build(store, ro, &r[i], err, sizeof err)) {
			while (i--) algo_report_free(&r[i]);
			algo_die(ALGO_EX_FAIL, "%s", err);
		}
	}
	f = out_open(o->out);
	rc = n > 1 ? algo_report_compare(f, r, (size_t)n, o->fmt) : algo_report_write(f, &r[0], o->fmt);
	for (int i = 0; i < n; i++) algo_report_free(&r[i]);
	code = out_close(f, o->out);
	return rc && code == ALGO_EX_OK ? ALGO_EX_IOERR : code;
}

/* Every sub-command but 'users add' reads an existing database and never creates one;
 * adding the first user of a fresh setup creates it. */
static int subcommand(const struct opts *o)
{
	struct algo_report_opts ro = { o->user, o->nruns ? o->runs[0] : NULL, o->strategy, o->from, o->to };
	struct algo_store store;
	struct stat sb;
	char err[ALGO_ERR_MAX] = "";
	int code;
	signal(SIGPIPE, SIG_DFL);            /* `| head` ends a listing quietly */
	if (stat(o->path, &sb) != 0 && !(strcmp(o->cmd, "users") == 0 && o->nargs &&
	    strcmp(o->args[0], "add") == 0))
		algo_die(ALGO_EX_NOINPUT, "%s: no state database (%s); record a stream "
			"with 'algo-ledger' first", o->path, strerror(errno));
	if (algo_store_open(&store, o->path, err, sizeof err))
		algo_die(ALGO_EX_CANTCREAT, "%s", err);
	if (strcmp(o->cmd, "users") == 0) {
		code = users_cmd(&store, o, &ro);
	} else if (strcmp(o->cmd, "audit") == 0 && o->nargs) {
		code = audit_cmd(&store, o);
	} else if (strcmp(o->cmd, "report") == 0) {
		code = report_cmd(&store, o, &ro);
	} else {
		FILE *f = out_open(o->out);
		if (algo_report_query(&store, o->cmd, &ro, o->fmt, f, err, sizeof err))
			algo_die(ALGO_EX_FAIL, "%s", err[0] ? err : "query failed");
		code = out_close(f, o->out);
	}
	algo_store_close(&store);
	return code;
}

int main(int argc, char **argv)
{
	struct opts o;
	algo_cli_init(argv[0]);
	parse_args(argc, argv, &o);
	return o.cmd ? subcommand(&o) : record(&o);
}
