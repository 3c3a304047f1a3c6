/* algo-ledger — records orders, fills, positions and equity of an event stream in the
 * state database, passing every line through unchanged; reports from it on request. */
#include "cli.h"
#include "decimal.h"
#include "event.h"
#include "ledger.h"
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

static const char usage_text[] =
	"Usage: algo-ledger [OPTION]... < EVENTS > EVENTS\n"
	"       algo-ledger report [--format text|json] [OPTION]...\n"
	"       algo-ledger trades [--format csv|ndjson] [OPTION]...\n"
	"Records orders, fills, positions and the equity curve of an NDJSON event stream\n"
	"in the state database and copies every line to stdout unchanged. 'report' prints\n"
	"PnL, win rate and drawdown; 'trades' prints one row per closed round trip.\n"
	"\n"
	"      --state PATH      state database (default $ALGO_STATE, else\n"
	"                        $XDG_STATE_HOME/algo/state.db)\n"
	"      --capital AMOUNT  starting capital in rupees, stored on first use\n"
	"                        (default 100000)\n"
	"      --user NAME       user of events without a \"user\" member, and of\n"
	"                        reports (default \"default\")\n"
	"      --skip-bad        skip bad lines with a warning instead of exiting 65\n"
	"      --format FORMAT   report: text or json; trades: csv or ndjson\n"
	"  -h, --help            print this help and exit\n"
	"      --version         print the version and exit\n";

enum { OPT_STATE = 256, OPT_CAPITAL, OPT_USER, OPT_SKIP_BAD, OPT_FORMAT, OPT_VERSION };

static const struct option options[] = {
	{ "state", required_argument, NULL, OPT_STATE },
	{ "capital", required_argument, NULL, OPT_CAPITAL },
	{ "user", required_argument, NULL, OPT_USER },
	{ "skip-bad", no_argument, NULL, OPT_SKIP_BAD },
	{ "format", required_argument, NULL, OPT_FORMAT },
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

/* Before a read that may block: flush what we wrote, and when no input is ready,
 * commit so the state is current while we wait; wake up on SIGINT/SIGTERM. */
static void before_read(void *arg)
{
	struct pollfd pfd = { .fd = *(int *)arg, .events = POLLIN };
	algo_writer_flush(&algo_stdout);
	if (poll(&pfd, 1, 0) != 0) return;
	commit_or_die();
	for (;;) {
		int rc = poll(&pfd, 1, -1);
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

/* ---- report -------------------------------------------------------------------- */

static const char *dec(int64_t v, char *b)
{
	b[algo_dec_fmt(v, b)] = '\0';
	return b;
}

static const char *tstr(int64_t ms, char *b)
{
	b[algo_time_fmt(ms, ALGO_IST_OFFSET_MIN, b)] = '\0';
	return b;
}

static void outf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void outf(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n < 0) n = 0;
	if ((size_t)n >= sizeof buf) n = (int)sizeof buf - 1;
	algo_out_line(&algo_stdout, buf, (size_t)n);
}

static void report_text(const char *user, const struct algo_ledger_report *r)
{
	char a[ALGO_DEC_FMT_MAX], b[ALGO_DEC_FMT_MAX], c[ALGO_DEC_FMT_MAX];
	char t1[ALGO_TIME_FMT_MAX], t2[ALGO_TIME_FMT_MAX];

	outf("Ledger report for user \"%s\" (money in rupees)", user);
	if (r->have_time)
		outf("Period            %s to %s", tstr(r->first_ms, t1), tstr(r->last_ms, t2));
	else
		outf("Period            -");
	outf("Starting capital  %s", dec(r->capital, a));
	outf("Trades            %lld closed: %lld won, %lld lost (win rate %s%%)",
		(long long)r->trades, (long long)r->wins, (long long)r->losses, dec(r->win_rate, b));
	outf("Realised PnL      %s", dec(r->realized, a));
	outf("Unrealised PnL    %s", dec(r->unrealized, a));
	outf("Gross PnL         %s", dec(r->gross, a));
	outf("Charges           %s", dec(r->charges, a));
	for (size_t i = 0; i < r->ncharge; i++)
		outf("  %-15.63s %s", r->charge[i].name, dec(r->charge[i].amount, a));
	outf("Net PnL           %s", dec(r->net, a));
	outf("Max drawdown      %s (%s%% of peak equity)", dec(r->max_dd, a), dec(r->max_dd_pct, b));
	outf("Final equity      %s", dec(r->final_equity, a));
	if (r->nopen)
		outf("Open at end       %zu position%s, marked at the last price (in the PnL above):",
			r->nopen, r->nopen == 1 ? "" : "s");
	for (size_t i = 0; i < r->nopen; i++) {
		const struct algo_ledger_open_pos *o = &r->open[i];
		outf("  OPEN %s %s %s %lld @ %s, last %s, unrealised %s", o->strategy, o->symbol,
			o->qty > 0 ? "long" : "short", (long long)(o->qty > 0 ? o->qty : -o->qty),
			dec(o->avg_price, a), dec(o->last_price, b), dec(o->unrealized, c));
	}
}

/* Appends s as a JSON string to buf (escaping what JSON needs). */
static size_t json_str(char *buf, size_t at, size_t cap, const char *s)
{
	if (at < cap) buf[at++] = '"';
	for (; *s && at + 7 < cap; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\') { buf[at++] = '\\'; buf[at++] = (char)ch; }
		else if (ch < 0x20) at += (size_t)snprintf(buf + at, cap - at, "\\u%04x", ch);
		else buf[at++] = (char)ch;
	}
	if (at < cap) buf[at++] = '"';
	return at;
}

static void time_or_null(const char *key, int have, int64_t ms)
{
	if (have) algo_out_time(&algo_stdout, key, ms);
	else algo_out_raw(&algo_stdout, key, "null", 4);
}

static void report_json(const char *user, const struct algo_ledger_report *r)
{
	struct algo_writer *w = &algo_stdout;
	size_t cap = 2 + r->nopen * 1536, at = 0;   /* ample for 63-byte names escaped */
	char *arr = malloc(cap);

	if (!arr) algo_die(ALGO_EX_FAIL, "out of memory");
	algo_out_begin(w);
	algo_out_str(w, "user", user);
	algo_out_dec(w, "capital", r->capital);
	time_or_null("first_ts", r->have_time, r->first_ms);
	time_or_null("last_ts", r->have_time, r->last_ms);
	algo_out_int(w, "trades", r->trades);
	algo_out_int(w, "wins", r->wins);
	algo_out_int(w, "losses", r->losses);
	algo_out_dec(w, "win_rate_pct", r->win_rate);
	algo_out_dec(w, "realized_pnl", r->realized);
	algo_out_dec(w, "unrealized_pnl", r->unrealized);
	algo_out_dec(w, "gross_pnl", r->gross);
	algo_out_dec(w, "charges", r->charges);
	algo_out_obj_begin(w, "charges_by_component");
	for (size_t i = 0; i < r->ncharge; i++)       /* names are [A-Za-z0-9_-] */
		algo_out_dec(w, r->charge[i].name, r->charge[i].amount);
	algo_out_obj_end(w);
	algo_out_dec(w, "net_pnl", r->net);
	algo_out_dec(w, "max_drawdown", r->max_dd);
	algo_out_dec(w, "max_drawdown_pct", r->max_dd_pct);
	time_or_null("max_drawdown_peak_ts", r->dd_peak_ms >= 0, r->dd_peak_ms);
	time_or_null("max_drawdown_trough_ts", r->dd_trough_ms >= 0, r->dd_trough_ms);
	algo_out_dec(w, "final_equity", r->final_equity);
	arr[at++] = '[';
	for (size_t i = 0; i < r->nopen; i++) {
		const struct algo_ledger_open_pos *o = &r->open[i];
		char a[ALGO_DEC_FMT_MAX], b[ALGO_DEC_FMT_MAX], c[ALGO_DEC_FMT_MAX];
		at += (size_t)snprintf(arr + at, cap - at, "%s{\"strategy\":", i ? "," : "");
		at = json_str(arr, at, cap, o->strategy);
		at += (size_t)snprintf(arr + at, cap - at, ",\"symbol\":");
		at = json_str(arr, at, cap, o->symbol);
		at += (size_t)snprintf(arr + at, cap - at, ",\"side\":\"%s\",\"qty\":%lld,"
			"\"avg_price\":%s,\"last_price\":%s,\"unrealized_pnl\":%s}",
			o->qty > 0 ? "long" : "short", (long long)(o->qty > 0 ? o->qty : -o->qty),
			dec(o->avg_price, a), dec(o->last_price, b), dec(o->unrealized, c));
	}
	arr[at++] = ']';
	algo_out_raw(w, "open_positions", arr, at);
	algo_out_end(w);
	free(arr);
}

/* ---- trades -------------------------------------------------------------------- */

/* Writes a CSV field, quoted when it holds a comma, quote or line break. */
static size_t csv_field(char *buf, size_t at, size_t cap, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		at += (size_t)snprintf(buf + at, cap - at, "%s", s);
		return at < cap ? at : cap - 1;
	}
	if (at < cap) buf[at++] = '"';
	for (; *s && at + 3 < cap; s++) {
		if (*s == '"') buf[at++] = '"';
		buf[at++] = *s;
	}
	if (at < cap) buf[at++] = '"';
	return at;
}

static int trip_csv(const struct algo_trip *t, void *arg)
{
	char line[1024], p1[ALGO_DEC_FMT_MAX], p2[ALGO_DEC_FMT_MAX], p3[ALGO_DEC_FMT_MAX];
	char p4[ALGO_DEC_FMT_MAX], p5[ALGO_DEC_FMT_MAX], t1[ALGO_TIME_FMT_MAX], t2[ALGO_TIME_FMT_MAX];
	size_t at = csv_field(line, 0, sizeof line, t->strategy);
	line[at++] = ',';
	at = csv_field(line, at, sizeof line, t->symbol);
	at += (size_t)snprintf(line + at, sizeof line - at, ",%s,%lld,%s,%s,%s,%s,%s,%s,%s",
		t->side == ALGO_BUY ? "long" : "short", (long long)t->qty,
		tstr(t->entry_ms, t1), dec(t->entry_price, p1), tstr(t->exit_ms, t2),
		dec(t->exit_price, p2), dec(t->pnl, p3), dec(t->fees, p4), dec(t->net, p5));
	algo_out_line(&algo_stdout, line, at < sizeof line ? at : sizeof line - 1);
	return 0;
}

static int trip_ndjson(const struct algo_trip *t, void *arg)
{
	struct algo_writer *w = &algo_stdout;
	algo_out_begin(w);
	algo_out_str(w, "strategy", t->strategy);
	algo_out_str(w, "symbol", t->symbol);
	algo_out_str(w, "side", t->side == ALGO_BUY ? "long" : "short");
	algo_out_int(w, "qty", t->qty);
	algo_out_time(w, "entry_ts", t->entry_ms);
	algo_out_dec(w, "entry_price", t->entry_price);
	algo_out_time(w, "exit_ts", t->exit_ms);
	algo_out_dec(w, "exit_price", t->exit_price);
	algo_out_dec(w, "pnl", t->pnl);
	algo_out_dec(w, "fees", t->fees);
	algo_out_dec(w, "net_pnl", t->net);
	algo_out_end(w);
	return 0;
}

/* ---- main ---------------------------------------------------------------------- */

int main(int argc, char **argv)
{
	const char *state_opt = NULL, *user = ALGO_LEDGER_DEFAULT_USER, *format = NULL, *cmd = NULL;
	int64_t capital = -1;
	int skip_bad = 0, c, differs, code;
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
			break;
		case OPT_SKIP_BAD: skip_bad = 1; break;
		case OPT_FORMAT: format = optarg; break;
		case 'h': fputs(usage_text, stdout); return fflush(stdout) ? ALGO_EX_IOERR : ALGO_EX_OK;
		case OPT_VERSION: algo_print_version();
		default: algo_usage_error("unknown option");
		}
	}
	if (optind < argc) cmd = argv[optind++];
	if (optind < argc) algo_usage_error("unexpected argument '%s'", argv[optind]);
	if (cmd && strcmp(cmd, "report") != 0 && strcmp(cmd, "trades") != 0)
		algo_usage_error("unknown subcommand '%s' (try report or trades)", cmd);
	if (!cmd && format) algo_usage_error("--format applies to 'report' and 'trades' only");
	if (cmd && (skip_bad || capital > 0))
		algo_usage_error("--%s applies to recording only, not to '%s'",
			skip_bad ? "skip-bad" : "capital", cmd);
	if (!format) format = !cmd ? "" : cmd[0] == 'r' ? "text" : "csv";
	if (cmd && cmd[0] == 'r' && strcmp(format, "text") && strcmp(format, "json"))
		algo_usage_error("--format: '%s' is not text or json", format);
	if (cmd && cmd[0] == 't' && strcmp(format, "csv") && strcmp(format, "ndjson"))
		algo_usage_error("--format: '%s' is not csv or ndjson", format);
	if (algo_cli_state_path(state_opt, path, sizeof path))
		algo_usage_error("cannot work out the state path: set --state or $ALGO_STATE");

	if (cmd) {                                   /* read-only: never create a database */
		struct stat sb;
		if (stat(path, &sb) != 0)
			algo_die(ALGO_EX_NOINPUT, "%s: no state database (%s); record a stream "
				"with 'algo-ledger' first", path, strerror(errno));
		if (algo_store_open(&store, path, err, sizeof err))
			algo_die(ALGO_EX_FAIL, "%s", err);
		if (cmd[0] == 'r') {
			struct algo_ledger_report r;
			if (algo_ledger_report(&store, user, &r, err, sizeof err))
				algo_die(ALGO_EX_FAIL, "%s", err);
			if (strcmp(format, "json") == 0) report_json(user, &r);
			else report_text(user, &r);
			algo_ledger_report_free(&r);
		} else {
			int csv = strcmp(format, "csv") == 0;
			if (csv)
				outf("strategy,symbol,side,qty,entry_ts,entry_price,exit_ts,exit_price,"
					"pnl,fees,net_pnl");
			if (algo_ledger_trips(&store, user, csv ? trip_csv : trip_ndjson, NULL,
					err, sizeof err))
				algo_die(ALGO_EX_FAIL, "%s", err);
		}
		algo_store_close(&store);
		return algo_out_finish(ALGO_EX_OK);
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
	if (differs) {
		int64_t stored;
		char a[ALGO_DEC_FMT_MAX], b[ALGO_DEC_FMT_MAX];
		if (algo_ledger_capital(&store, &stored) == 0)
			algo_warn("warning: --capital %s ignored: %s already records capital %s",
				dec(capital, a), path, dec(stored, b));
	}
	code = record(skip_bad);
	algo_ledger_free(ledger);
	algo_store_close(&store);
	return algo_out_finish(code);
}
