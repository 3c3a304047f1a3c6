/* algo-ledger — records orders, fills, positions, equity and the audit log of an event
 * stream in the state database, passing every line through unchanged; reports,
 * queries, audit checks and accounts on request (lib/report.c, lib/audit.c). */
#include "audit.h"
#include "cli.h"
#include "decimal.h"
#include "event.h"
#include "ledger.h"
#include "report.h"
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
	OPT_NAME, OPT_PLAN, OPT_EXPIRY };

static const struct option options[] = {
	{ "state", required_argument, NULL, OPT_STATE },
	{ "capital", required_argument, NULL, OPT_CAPITAL },
	{ "user", required_argument, NULL, OPT_USER },
	{ "run", required_argument, NULL, OPT_RUN },
	{ "skip-bad", no_argument, NULL, OPT_SKIP_BAD },
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

/* State the reader callback and the signal path need. */
static struct algo_store store;
static struct algo_ledger *ledger;
static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

static void commit_or_die(void)
{
	char err[ALGO_ERR_MAX];
	if (algo_ledger_commit(ledger, err, sizeof err)) {
		algo_writer_flush(&algo_stdout);
		algo_die(ALGO_EX_FAIL, "%s", err);
	}
}

/* Commits, flushes and exits 128 + signal. */
static void interrupted(void)
{
	commit_or_die();
	algo_writer_flush(&algo_stdout);
	algo_warn("interrupted, state committed");
	exit(128 + got_signal);
}

/* Before a read that may block: flush what we wrote, and when no input comes within
 * IDLE_COMMIT_MS, commit so the state is current while we wait; wake up on
 * SIGINT/SIGTERM. The open transaction holds the database's write lock, and upstream
 * stages on the same --state commit too (algo-risk before every order it lets out):
 * a stage waiting for the lock stops the stream, so the ledger must give the lock up
 * as soon as its input runs dry. A 1 ms grace period still skips the barrier's
 * sub-millisecond pauses in backtests, where a commit per pause cost more than the
 * work; 50 ms made a paper pipeline on one state 12 times slower. */
#define IDLE_COMMIT_MS 1
static void before_read(void *arg)
{
	struct pollfd pfd = { .fd = *(int *)arg, .events = POLLIN };
	int rc;
	algo_writer_flush(&algo_stdout);
	while ((rc = poll(&pfd, 1, IDLE_COMMIT_MS)) < 0 && errno == EINTR)
		if (got_signal) interrupted();
	if (rc != 0) return;
	commit_or_die();
	for (;;) {
		rc = poll(&pfd, 1, -1);
		if (rc > 0 || (rc < 0 && errno != EINTR)) return;
		if (got_signal) interrupted();
	}
}

static int record(int skip_bad)
{
	struct algo_reader r;
	struct algo_event ev;
	char err[ALGO_ERR_MAX];
	long skipped = 0;
	int fd = 0, code = ALGO_EX_OK;
	const char *line;
	size_t len;

	if (algo_reader_fdopen(&r, fd, "stdin", err, sizeof err))
		algo_die(ALGO_EX_FAIL, "%s", err);
	r.before_read = before_read;
	r.before_read_arg = &fd;
	for (;;) {
		int rc = algo_reader_next(&r, &line, &len, err, sizeof err);
		if (rc == 0) break;
		if (rc == -2) { code = ALGO_EX_IOERR; algo_warn("%s", err); break; }
		if (rc == 1 && algo_event_parse(&ev, line, len, err, sizeof err) == 0) {
			rc = algo_ledger_event(ledger, &ev, err, sizeof err);
			if (rc == ALGO_LEDGER_EDB) { code = ALGO_EX_FAIL; algo_warn("%s", err); break; }
			if (rc == ALGO_LEDGER_OK) {
				algo_out_line(&algo_stdout, line, len);
				if (got_signal) interrupted();
				continue;
			}
		}
		/* A bad line: nothing of it was recorded or written. */
		if (!skip_bad) {
			code = ALGO_EX_DATAERR;
			algo_writer_flush(&algo_stdout);
			algo_warn("%s:%ld: %s", r.name, r.lineno, err);
			break;
		}
		algo_warn("%s:%ld: %s (skipped)", r.name, r.lineno, err);
		skipped++;
	}
	commit_or_die();
	algo_reader_close(&r);
	if (skipped) algo_warn("skipped %ld bad line%s", skipped, skipped == 1 ? "" : "s");
	return code;
}

/* ---- main ---------------------------------------------------------------------- */

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

int main(int argc, char **argv)
{
	const char *state_opt = NULL, *user = ALGO_LEDGER_DEFAULT_USER, *format = NULL, *cmd = NULL;
	const char *runs[MAX_RUNS], *out = NULL, *strategy = NULL, *email = NULL, *name = NULL;
	const char *plan = NULL, *expiry = NULL, *args[4];
	int64_t capital = -1, from = INT64_MIN, to = INT64_MAX, before = INT64_MIN;
	long retention = 365;
	int skip_bad = 0, c, differs, code, nruns = 0, nargs = 0, user_given = 0, fmt;
	char path[4096], err[ALGO_ERR_MAX];

	algo_cli_init(argv[0]);
	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (c) {
		case OPT_STATE: state_opt = optarg; break;
		case OPT_CAPITAL:
			if (algo_dec_parse(optarg, strlen(optarg), &capital) || capital <= 0)
				algo_usage_error("--capital: '%s' is not a positive amount of rupees "
					"(at most 4 decimals)", optarg);
			break;
		case OPT_USER:
			if (!*optarg || strlen(optarg) >= ALGO_NAME_MAX)
				algo_usage_error("--user: must be 1 to %d bytes", ALGO_NAME_MAX - 1);
			user = optarg;
			user_given = 1;
			break;
		case OPT_RUN:
			if (nruns == MAX_RUNS) algo_usage_error("--run: at most %d", MAX_RUNS);
			if (!*optarg || strlen(optarg) >= ALGO_LEDGER_RUN_MAX ||
			    strspn(optarg, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.:-")
			    != strlen(optarg))
				algo_usage_error("--run: '%s': must be 1 to %d letters, digits or _.:-",
					optarg, ALGO_LEDGER_RUN_MAX - 1);
			runs[nruns++] = optarg;
			break;
		case OPT_SKIP_BAD: skip_bad = 1; break;
		case OPT_FORMAT: format = optarg; break;
		case OPT_OUT: out = optarg; break;
		case OPT_STRATEGY: strategy = optarg; break;
		case OPT_FROM: case OPT_SINCE: from = when(c == OPT_FROM ? "from" : "since", optarg, 0); break;
		case OPT_TO: to = when("to", optarg, 1); break;
		case OPT_BEFORE: before = when("before", optarg, 0); break;
		case OPT_RETENTION: retention = (long)algo_cli_int("--retention-days", optarg, 0, 100000); break;
		case OPT_EMAIL: email = optarg; break;
		case OPT_NAME: name = optarg; break;
		case OPT_PLAN: plan = optarg; break;
		case OPT_EXPIRY: expiry = optarg; break;
		case 'h': fputs(usage_text, stdout); return fflush(stdout) ? ALGO_EX_IOERR : ALGO_EX_OK;
		case OPT_VERSION: algo_print_version();
		default: algo_usage_error("unknown option");
		}
	}
	if (optind < argc) cmd = argv[optind++];
	while (optind < argc && nargs < 4) args[nargs++] = argv[optind++];
	if (optind < argc) algo_usage_error("unexpected argument '%s'", argv[optind]);
	if (cmd && strcmp(cmd, "report") && strcmp(cmd, "trades") && strcmp(cmd, "orders") &&
	    strcmp(cmd, "fills") && strcmp(cmd, "positions") && strcmp(cmd, "pnl") &&
	    strcmp(cmd, "equity") && strcmp(cmd, "audit") && strcmp(cmd, "runs") && strcmp(cmd, "users"))
		algo_usage_error("unknown subcommand '%s' (try report, trades, orders, fills, "
			"positions, pnl, equity, audit, runs or users)", cmd);
	if (!cmd && (format || out || strategy || from != INT64_MIN || to != INT64_MAX))
		algo_usage_error("--format, --out, --strategy, --from, --to and --since apply to "
			"sub-commands only");
	if (!cmd && nruns > 1) algo_usage_error("--run: one run is recorded at a time");
	if (cmd && (skip_bad || capital > 0))
		algo_usage_error("--%s applies to recording only, not to '%s'",
			skip_bad ? "skip-bad" : "capital", cmd);
	if (cmd && strcmp(cmd, "users") && strcmp(cmd, "audit") && nargs)
		algo_usage_error("unexpected argument '%s'", args[0]);
	if ((email || name || plan || expiry) && (!cmd || strcmp(cmd, "users")))
		algo_usage_error("--email, --name, --plan and --expiry apply to 'users' only");
	if (before != INT64_MIN && !(cmd && strcmp(cmd, "audit") == 0 && nargs && strcmp(args[0], "prune") == 0))
		algo_usage_error("--before applies to 'audit prune' only");
	if (nruns > 1 && (!cmd || strcmp(cmd, "report")))
		algo_usage_error("--run: several runs only for 'report'");
	if (!format) format = !cmd ? "" : strcmp(cmd, "report") == 0 ? "text" :
		strcmp(cmd, "trades") == 0 ? "csv" : "table";
	fmt = format_of(format);
	if (cmd && strcmp(cmd, "report") == 0 && (fmt < 0 || fmt > ALGO_FMT_HTML))
		algo_usage_error("--format: '%s' is not text, json, csv or html", format);
	if (cmd && strcmp(cmd, "report") && (fmt != ALGO_FMT_CSV && fmt != ALGO_FMT_NDJSON && fmt != ALGO_FMT_TABLE))
		algo_usage_error("--format: '%s' is not table, csv or ndjson", format);
	if (algo_cli_state_path(state_opt, path, sizeof path))
		algo_usage_error("cannot work out the state path: set --state or $ALGO_STATE");

	if (cmd) {                                   /* never create a database */
		struct stat sb;
		struct algo_report_opts o = { user, nruns ? runs[0] : NULL, strategy, from, to };
		FILE *f;
		int rc = 0;
		signal(SIGPIPE, SIG_DFL);            /* `| head` ends a listing quietly */
		if (stat(path, &sb) != 0)
			algo_die(ALGO_EX_NOINPUT, "%s: no state database (%s); record a stream "
				"with 'algo-ledger' first", path, strerror(errno));
		if (algo_store_open(&store, path, err, sizeof err))
			algo_die(ALGO_EX_FAIL, "%s", err);
		err[0] = '\0';
		if (strcmp(cmd, "users") == 0) {
			const char *op = nargs ? args[0] : "list";
			const char *actor = getenv("USER");
			if (strcmp(op, "list") == 0) {
				if (nargs > 1) algo_usage_error("unexpected argument '%s'", args[1]);
				o.run = user_given ? user : NULL;
				f = out_open(out);
				if (algo_report_query(&store, "accounts", &o, fmt, f, err, sizeof err))
					algo_die(ALGO_EX_FAIL, "%s", err);
				code = out_close(f, out);
			} else if (strcmp(op, "add") && strcmp(op, "set-plan") && strcmp(op, "disable")) {
				algo_usage_error("users: unknown operation '%s' (add, list, set-plan, disable)", op);
			} else {
				if (nargs < 2) algo_usage_error("users %s: which user?", op);
				if (strcmp(op, "set-plan") == 0) {
					if (nargs > 3 || (nargs == 3 && plan)) algo_usage_error("users set-plan ID PLAN");
					if (nargs == 3) plan = args[2];
				} else if (nargs > 2) {
					algo_usage_error("unexpected argument '%s'", args[2]);
				}
				if (!*args[1] || strlen(args[1]) >= ALGO_NAME_MAX)
					algo_usage_error("user id: must be 1 to %d bytes", ALGO_NAME_MAX - 1);
				rc = algo_account_change(&store, op, args[1], email, name, plan, expiry,
					actor ? actor : "unknown", now_ms(), err, sizeof err);
				if (rc) algo_die(rc == 1 ? ALGO_EX_USAGE : ALGO_EX_FAIL, "users %s: %s", op, err);
				code = ALGO_EX_OK;
			}
		} else if (strcmp(cmd, "audit") == 0 && nargs) {
			int64_t rows = 0, bad = 0;
			if (nargs > 1) algo_usage_error("unexpected argument '%s'", args[1]);
			if (strcmp(args[0], "verify") == 0) {
				rc = algo_audit_verify(&store, &rows, &bad, err, sizeof err);
				if (rc < 0) algo_die(ALGO_EX_FAIL, "%s", err);
				if (rc == 1) algo_die(ALGO_EX_FAIL, "audit verify: FAILED at row %lld: %s",
					(long long)bad, err);
				printf("audit log intact: %lld rows\n", (long long)rows);
				code = fflush(stdout) ? ALGO_EX_IOERR : ALGO_EX_OK;
			} else if (strcmp(args[0], "prune") == 0) {
				if (before == INT64_MIN) algo_usage_error("audit prune needs --before DATE");
				rc = algo_audit_prune(&store, user, before, now_ms(), retention, &rows, err, sizeof err);
				if (rc < 0) algo_die(ALGO_EX_FAIL, "%s", err);
				if (rc == 1) algo_die(ALGO_EX_NOPERM, "audit prune: %s", err);
				printf("audit prune: removed %lld rows\n", (long long)rows);
				code = fflush(stdout) ? ALGO_EX_IOERR : ALGO_EX_OK;
			} else {
				algo_usage_error("audit: unknown operation '%s' (verify, prune)", args[0]);
			}
		} else if (strcmp(cmd, "report") == 0) {
			struct algo_report r[MAX_RUNS];
			int n = nruns > 1 ? nruns : 1;
			for (int i = 0; i < n; i++) {
				o.run = nruns ? runs[i] : NULL;
				if (algo_report_build(&store, &o, &r[i], err, sizeof err)) {
					while (i--) algo_report_free(&r[i]);
					algo_die(ALGO_EX_FAIL, "%s", err);
				}
			}
			f = out_open(out);
			rc = n > 1 ? algo_report_compare(f, r, (size_t)n, fmt) : algo_report_write(f, &r[0], fmt);
			for (int i = 0; i < n; i++) algo_report_free(&r[i]);
			code = out_close(f, out);
			if (rc && code == ALGO_EX_OK) code = ALGO_EX_IOERR;
		} else {
			f = out_open(out);
			if (algo_report_query(&store, cmd, &o, fmt, f, err, sizeof err))
				algo_die(ALGO_EX_FAIL, "%s", err[0] ? err : "query failed");
			code = out_close(f, out);
		}
		algo_store_close(&store);
		return code;
	}

	{
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_signal;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
	}
	if (algo_store_open(&store, path, err, sizeof err))
		algo_die(ALGO_EX_CANTCREAT, "%s", err);
	if (!(ledger = algo_ledger_open(&store, user, capital, &differs, err, sizeof err)))
		algo_die(ALGO_EX_FAIL, "%s", err);
	if (nruns) algo_ledger_set_run(ledger, runs[0]);
	if (differs) {
		int64_t stored;
		char a[ALGO_DEC_FMT_MAX], b[ALGO_DEC_FMT_MAX];
		a[algo_dec_fmt(capital, a)] = '\0';
		if (algo_ledger_capital(&store, &stored) == 0) {
			b[algo_dec_fmt(stored, b)] = '\0';
			algo_warn("warning: --capital %s ignored: %s already records capital %s", a, path, b);
		}
	}
	code = record(skip_bad);
	algo_ledger_free(ledger);
	algo_store_close(&store);
	return algo_out_finish(code);
}
