/* ledgercmd — algo-ledger's recording and sub-commands (contract in ledgercmd.h). */
#include "ledgercmd.h"
#include "audit.h"
#include "cli.h"
#include "decimal.h"
#include "ledger.h"
#include "report.h"
#include "runrec.h"
#include "stage.h"
#include "store.h"
#include "timeutil.h"
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int fail(int code, char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int fail(int code, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return code;
}

#define USAGE(...) fail(ALGO_LEDGERCMD_EUSAGE, err, errlen, __VA_ARGS__)

void algo_ledgercmd_init(struct algo_ledgercmd *o)
{
	memset(o, 0, sizeof *o);
	o->user = ALGO_LEDGER_DEFAULT_USER;
	o->capital = -1;
	o->from = o->before = INT64_MIN;
	o->to = INT64_MAX;
	o->retention = 365;
}

/* ---- the command line ------------------------------------------------------------ */

static int is(const char *a, const char *b)
{
	return a && strcmp(a, b) == 0;
}

static int format_of(const char *s)
{
	static const char *const names[] = { "text", "json", "csv", "html", "table", "ndjson" };
	for (int i = 0; i < 6; i++)
		if (strcmp(s, names[i]) == 0) return i;
	return -1;
}

static int known_command(const char *cmd)
{
	static const char *const names[] = { "report", "trades", "orders", "fills", "positions", "pnl",
		"equity", "audit", "runs", "users" };
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (strcmp(cmd, names[i]) == 0) return 1;
	return 0;
}

/* Which options go with recording, which with the sub-commands, and which with one. */
static int check_options(const struct algo_ledgercmd *o, char *err, size_t errlen)
{
	const char *cmd = o->cmd;
	if (!cmd && (o->format || o->out || o->strategy || o->from != INT64_MIN || o->to != INT64_MAX))
		return USAGE("--format, --out, --strategy, --from, --to and --since apply to sub-commands only");
	if (!cmd && o->nruns > 1) return USAGE("--run: one run is recorded at a time");
	if (cmd && (o->skip_bad || o->capital > 0 || o->backtest))
		return USAGE("--%s applies to recording only, not to '%s'",
			o->skip_bad ? "skip-bad" : o->backtest ? "backtest" : "capital", cmd);
	if ((o->run_strategy || o->nrun_params || o->nrun_inputs) && (cmd || !o->backtest))
		return USAGE("--run-strategy, --run-param and --run-input apply to --backtest recording only");
	if (o->nrun_params && !o->run_strategy) return USAGE("--run-param needs --run-strategy");
	if (cmd && !is(cmd, "users") && !is(cmd, "audit") && o->nargs)
		return USAGE("unexpected argument '%s'", o->args[0]);
	if ((o->email || o->name || o->plan || o->expiry) && !is(cmd, "users"))
		return USAGE("--email, --name, --plan and --expiry apply to 'users' only");
	if (o->before != INT64_MIN && !(is(cmd, "audit") && o->nargs && is(o->args[0], "prune")))
		return USAGE("--before applies to 'audit prune' only");
	if (o->nruns > 1 && !is(cmd, "report")) return USAGE("--run: several runs only for 'report'");
	return 0;
}

int algo_ledgercmd_check(struct algo_ledgercmd *o, char *err, size_t errlen)
{
	const char *cmd = o->cmd;
	if (cmd && !known_command(cmd))
		return USAGE("unknown subcommand '%s' (try report, trades, orders, fills, positions, pnl, "
			"equity, audit, runs or users)", cmd);
	if (check_options(o, err, errlen)) return ALGO_LEDGERCMD_EUSAGE;
	if (!o->format) o->format = !cmd ? "" : is(cmd, "report") ? "text" : is(cmd, "trades") ? "csv" : "table";
	o->fmt = format_of(o->format);
	if (is(cmd, "report") && (o->fmt < 0 || o->fmt > ALGO_FMT_HTML))
		return USAGE("--format: '%s' is not text, json, csv or html", o->format);
	if (cmd && !is(cmd, "report") && o->fmt != ALGO_FMT_CSV && o->fmt != ALGO_FMT_NDJSON &&
	    o->fmt != ALGO_FMT_TABLE)
		return USAGE("--format: '%s' is not table, csv or ndjson", o->format);
	return 0;
}

/* ---- recording ------------------------------------------------------------------- */

/* A test hook for a full disk: $ALGO_TEST_MAX_PAGES caps the database at that many
 * pages (SQLite's max_page_count), so a write past it fails as on a full disk. */
static int test_disk_limit(struct algo_store *s, char *err, size_t errlen)
{
	const char *v = getenv("ALGO_TEST_MAX_PAGES");
	char sql[64];
	if (!v || !*v) return 0;
	snprintf(sql, sizeof sql, "PRAGMA max_page_count = %ld", strtol(v, NULL, 10));
	return algo_store_exec(s, sql, err, errlen) ? ALGO_EX_FAIL : 0;
}

/* Gives l the run record of --run-strategy, --run-param and --run-input; a strategy
 * that does not load is 78, as algo-eval --check. */
static int set_run_record(struct algo_ledger *l, const struct algo_ledgercmd *o, char *err, size_t errlen)
{
	char why[ALGO_ERR_MAX], *rec;
	int code = 0;
	if (!(rec = algo_runrec_build(o->run_strategy, o->run_params, o->nrun_params, o->run_inputs,
			o->nrun_inputs, why, sizeof why)))
		return fail(ALGO_EX_CONFIG, err, errlen, "--run-strategy: %s", why);
	if (algo_ledger_set_run_record(l, rec)) code = fail(ALGO_EX_FAIL, err, errlen, "out of memory");
	free(rec);
	return code;
}

static void warn_capital_kept(struct algo_store *s, const struct algo_ledgercmd *o, void (*warn)(const char *))
{
	char a[ALGO_DEC_FMT_MAX], b[ALGO_DEC_FMT_MAX], msg[4096 + 2 * ALGO_DEC_FMT_MAX + 64];
	int64_t stored;
	a[algo_dec_fmt(o->capital, a)] = '\0';
	if (algo_ledger_capital(s, &stored)) return;
	b[algo_dec_fmt(stored, b)] = '\0';
	snprintf(msg, sizeof msg, "warning: --capital %s ignored: %s already records capital %s", a, o->path, b);
	warn(msg);
}

/* The ledger of o on s, set up as o asks. Returns 0, or an exit code with err set. */
static int open_ledger(struct algo_store *s, const struct algo_ledgercmd *o, void (*warn)(const char *),
	struct algo_ledger **lp, char *err, size_t errlen)
{
	int differs, code;
	if ((code = test_disk_limit(s, err, errlen))) return code;
	if (!(*lp = algo_ledger_open(s, o->user, o->capital, &differs, err, errlen))) return ALGO_EX_FAIL;
	if (o->nruns) algo_ledger_set_run(*lp, o->runs[0]);
	if (o->backtest) algo_ledger_set_backtest(*lp);
	if ((o->run_strategy || o->nrun_inputs) && (code = set_run_record(*lp, o, err, errlen))) return code;
	if (differs) warn_capital_kept(s, o, warn);
	return 0;
}

int algo_ledgercmd_record(const struct algo_ledgercmd *o, void (*warn)(const char *msg), char *err,
	size_t errlen)
{
	struct algo_store store;
	struct algo_ledger *l = NULL;
	struct algo_stage st;
	int code;
	err[0] = '\0';
	if (algo_store_open_single_thread(&store, o->path, err, errlen)) return ALGO_EX_CANTCREAT;
	if (!(code = open_ledger(&store, o, warn, &l, err, errlen))) {
		err[0] = '\0';
		algo_ledger_stage(l, &st);
		st.skip_bad = o->skip_bad;
		st.warn = warn;
		code = algo_stage_run(&st);
		if (st.stop_signal && code == 128 + st.stop_signal) warn("interrupted, state committed");
	}
	if (l) algo_ledger_free(l);
	algo_store_close(&store);
	return code;
}

/* ---- sub-commands ---------------------------------------------------------------- */

/* The stream a listing goes to: --out's file, else out. */
static FILE *out_open(const struct algo_ledgercmd *o, FILE *out, char *err, size_t errlen)
{
	FILE *f = o->out ? fopen(o->out, "w") : out;
	if (!f) fail(ALGO_EX_CANTCREAT, err, errlen, "%s: %s", o->out, strerror(errno));
	return f;
}

/* Ends the listing on f: code when it is already an error, else whether f took it;
 * a file that cannot be closed is named unless err already says what went wrong. */
static int out_close(const struct algo_ledgercmd *o, FILE *f, int code, char *err, size_t errlen)
{
	int failed = o->out ? fclose(f) != 0 : fflush(f) != 0;
	if (failed && !o->out) return code ? code : ALGO_EX_IOERR;
	if (failed && !err[0]) return fail(ALGO_EX_IOERR, err, errlen, "%s: %s", o->out, strerror(errno));
	return code;
}

static int query(struct algo_store *s, const struct algo_ledgercmd *o, const char *name,
	const struct algo_report_opts *ro, FILE *out, char *err, size_t errlen)
{
	FILE *f = out_open(o, out, err, errlen);
	if (!f) return ALGO_EX_CANTCREAT;
	err[0] = '\0';
	if (algo_report_query(s, name, ro, o->fmt, f, err, errlen)) {
		if (!err[0]) snprintf(err, errlen, "query failed");
		return out_close(o, f, ALGO_EX_FAIL, err, errlen);
	}
	return out_close(o, f, 0, err, errlen);
}

/* users list | add | set-plan | disable */
static int users(struct algo_store *s, const struct algo_ledgercmd *o, struct algo_report_opts *ro,
	FILE *out, char *err, size_t errlen)
{
	const char *op = o->nargs ? o->args[0] : "list", *plan = o->plan, *actor = getenv("USER");
	char why[ALGO_ERR_MAX] = "";
	int rc;
	if (is(op, "list")) {
		if (o->nargs > 1) return USAGE("unexpected argument '%s'", o->args[1]);
		ro->run = o->user_given ? o->user : NULL;
		return query(s, o, "accounts", ro, out, err, errlen);
	}
	if (!is(op, "add") && !is(op, "set-plan") && !is(op, "disable"))
		return USAGE("users: unknown operation '%s' (add, list, set-plan, disable)", op);
	if (o->nargs < 2) return USAGE("users %s: which user?", op);
	if (is(op, "set-plan")) {
		if (o->nargs > 3 || (o->nargs == 3 && plan)) return USAGE("users set-plan ID PLAN");
		if (o->nargs == 3) plan = o->args[2];
	} else if (o->nargs > 2) {
		return USAGE("unexpected argument '%s'", o->args[2]);
	}
	if (!*o->args[1] || strlen(o->args[1]) >= ALGO_NAME_MAX)
		return USAGE("user id: must be 1 to %d bytes", ALGO_NAME_MAX - 1);
	rc = algo_account_change(s, op, o->args[1], o->email, o->name, plan, o->expiry,
		actor ? actor : "unknown", algo_clock_ms(), why, sizeof why);
	if (rc) return fail(rc == 1 ? ALGO_EX_USAGE : ALGO_EX_FAIL, err, errlen, "users %s: %s", op, why);
	return 0;
}

/* audit verify | audit prune */
static int audit(struct algo_store *s, const struct algo_ledgercmd *o, FILE *out, char *err, size_t errlen)
{
	int64_t rows = 0, bad = 0;
	char why[ALGO_ERR_MAX] = "";
	int rc;
	if (o->nargs > 1) return USAGE("unexpected argument '%s'", o->args[1]);
	if (is(o->args[0], "verify")) {
		rc = algo_audit_verify(s, &rows, &bad, why, sizeof why);
		if (rc < 0) return fail(ALGO_EX_FAIL, err, errlen, "%s", why);
		if (rc == 1) return fail(ALGO_EX_FAIL, err, errlen, "audit verify: FAILED at row %lld: %s",
			(long long)bad, why);
		fprintf(out, "audit log intact: %lld rows\n", (long long)rows);
	} else if (is(o->args[0], "prune")) {
		if (o->before == INT64_MIN) return USAGE("audit prune needs --before DATE");
		rc = algo_audit_prune(s, o->user, o->before, algo_clock_ms(), o->retention, &rows, why, sizeof why);
		if (rc < 0) return fail(ALGO_EX_FAIL, err, errlen, "%s", why);
		if (rc == 1) return fail(ALGO_EX_NOPERM, err, errlen, "audit prune: %s", why);
		fprintf(out, "audit prune: removed %lld rows\n", (long long)rows);
	} else {
		return USAGE("audit: unknown operation '%s' (verify, prune)", o->args[0]);
	}
	return fflush(out) ? ALGO_EX_IOERR : 0;
}

/* report, one run or several side by side */
static int report(struct algo_store *s, const struct algo_ledgercmd *o, struct algo_report_opts *ro,
	FILE *out, char *err, size_t errlen)
{
	struct algo_report r[ALGO_LEDGERCMD_MAX_RUNS];
	int n = o->nruns > 1 ? o->nruns : 1, rc = 0;
	FILE *f;
	for (int i = 0; i < n; i++) {
		ro->run = o->nruns ? o->runs[i] : NULL;
		if (algo_report_build(s, ro, &r[i], err, errlen)) {
			while (i--) algo_report_free(&r[i]);
			return ALGO_EX_FAIL;
		}
	}
	if ((f = out_open(o, out, err, errlen)))
		rc = n > 1 ? algo_report_compare(f, r, (size_t)n, o->fmt) : algo_report_write(f, &r[0], o->fmt);
	for (int i = 0; i < n; i++) algo_report_free(&r[i]);
	if (!f) return ALGO_EX_CANTCREAT;
	return out_close(o, f, rc ? ALGO_EX_IOERR : 0, err, errlen);
}

/* Every sub-command but 'users add' reads an existing database and never creates one;
 * adding the first user of a fresh setup creates it. */
int algo_ledgercmd_run(const struct algo_ledgercmd *o, FILE *out, char *err, size_t errlen)
{
	struct algo_report_opts ro = { o->user, o->nruns ? o->runs[0] : NULL, o->strategy, o->from, o->to };
	struct algo_store store;
	struct stat sb;
	int code;
	err[0] = '\0';
	if (stat(o->path, &sb) != 0 && !(is(o->cmd, "users") && o->nargs && is(o->args[0], "add")))
		return fail(ALGO_EX_NOINPUT, err, errlen, "%s: no state database (%s); record a stream "
			"with 'algo-ledger' first", o->path, strerror(errno));
	if (algo_store_open_single_thread(&store, o->path, err, errlen)) return ALGO_EX_CANTCREAT;
	if (is(o->cmd, "users"))
		code = users(&store, o, &ro, out, err, errlen);
	else if (is(o->cmd, "audit") && o->nargs)
		code = audit(&store, o, out, err, errlen);
	else if (is(o->cmd, "report"))
		code = report(&store, o, &ro, out, err, errlen);
	else
		code = query(&store, o, o->cmd, &ro, out, err, errlen);
	algo_store_close(&store);
	return code;
}
