/* algo-exec-fyers — the FYERS account (log in, keep the session, look at the account,
 * accept the risk of live trading) and, run without a command, the pipeline stage:
 * the FYERS venue (lib/fyers_venue.h) on the executor seam (lib/executor.h), run by the
 * one stage loop (lib/stage.h). Without --live it is a dry run that sends nothing. */
#include "cli.h"
#include "costs.h"
#include "event.h"
#include "executor.h"
#include "fyers.h"
#include "fyers_account.h"
#include "fyers_auth.h"
#include "fyers_live.h"
#include "fyers_orderws.h"
#include "fyers_venue.h"
#include "stage.h"
#include "timeutil.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static const char usage_text[] =
	"Usage: algo-exec-fyers [--live] [--user U] [--state DB] [OPTION]... < EVENTS\n"
	"   or: algo-exec-fyers COMMAND [OPTION]...\n"
	"Without a command: the pipeline stage. Orders from the events go to FYERS with --live\n"
	"(else a dry run: what would be sent is written to stderr, nothing is sent); order_update\n"
	"and fill events follow. Every event passes through.\n"
	"      --live            place real orders (needs a BASIC or PRO plan, accept-risk, a valid\n"
	"                        session and no kill switch on; else exit 77 saying which)\n"
	"      --user NAME       whose account and pipeline this is (default \"default\")\n"
	"      --state PATH      the state database (else $ALGO_STATE); --live needs one\n"
	"      --max-order-age S reject orders older than S seconds, reason 'stale' (default 120;\n"
	"                        0: no check)\n"
	"      --drain-timeout S at end of input follow working orders up to S seconds (default 30)\n"
	"      --poll-interval S between polls of the order book and trade book (default 3)\n"
	"      --request-timeout S  one HTTP request to FYERS (default 15)\n"
	"      --charges FILE    fees of each fill from a dated charges table (a file, or a name\n"
	"                        such as 'india'; default: fees 0, as the trade book has none)\n"
	"      --skip-bad        warn about bad input lines and skip them instead of stopping\n"
	"      --no-order-socket with --live, poll the books only; by default FYERS's order-update\n"
	"                        socket brings fills at once (the books are polled all the same)\n"
	"Commands:\n"
	"  accept-risk  show the risk disclosure of live trading and record its acceptance in the\n"
	"               audit log (--user U required)\n"
	"  login        print the login URL, catch the browser's redirect on FYERS_REDIRECT_URI\n"
	"               when it is http://127.0.0.1:PORT/... (else paste the code), save the session\n"
	"  refresh      a new access token from the refresh token and the PIN (FYERS_PIN, or asked\n"
	"               on the terminal)\n"
	"  logout       end the session at FYERS and remove the token file\n"
	"  status       exit 0 when the session is valid, 77 when not; says when it expires\n"
	"  profile, funds, orders, trades, positions\n"
	"               show the account (read-only)\n"
	"Options:\n"
	"      --code CODE       login: the auth code, or the whole redirected URL ('-': read it\n"
	"                        from stdin) instead of waiting for the redirect\n"
	"      --timeout S       login: seconds to wait for the redirect (default 300)\n"
	"      --offline         status: check the saved session only, ask FYERS nothing\n"
	"      --yes             accept-risk: accept without asking\n"
	"      --format F        profile..positions: table (default) or ndjson\n"
	"  -h, --help            print this help and exit\n"
	"      --version         print the version and exit\n"
	"Environment: FYERS_APP_ID, FYERS_REDIRECT_URI, FYERS_SECRET_FILE (mode 0600) or\n"
	"FYERS_SECRET, FYERS_PIN, FYERS_TOKEN_FILE, FYERS_API_BASE (see algo-exec-fyers(1)).\n"
	"Exit status: 0 ok, 2 usage, 65 refused by FYERS as invalid, 69 FYERS unreachable,\n"
	"75 rate limited, 77 not logged in, session expired or wrong secret, 78 configuration.\n";

static struct {
	const char *code;
	long timeout_s;
	int offline;
	int format;
	int live, yes, skip_bad, no_socket;
	const char *user, *state, *charges;
	int64_t max_age_ms, drain_ms, poll_ms, request_ms;
} opt = { NULL, 300, 0, ALGO_ACCT_TABLE, 0, 0, 0, 0, NULL, NULL, NULL, 120000, 30000, 3000, 15000 };

static void notice(void *arg, const char *msg)
{
	algo_warn("%s", msg);
}

static void warn_line(const char *msg)
{
	algo_warn("%s", msg);
}

/* Dies with the class's exit code and the message. */
static void fail(int cls, const char *err) __attribute__((noreturn));
static void fail(int cls, const char *err)
{
	fflush(stdout);
	algo_die(algo_fyers_exit_code(cls), "%s", err);
}

static void open_client(struct algo_fyers *f, unsigned need)
{
	char err[1024];
	int cls = algo_fyers_open(f, need, err, sizeof err);
	f->notice = notice;
	if (cls != ALGO_FYERS_OK)
		fail(cls, err);
}

/* "in 5h 12m", "in 14d 3h", "12m ago". */
static void span(int64_t ms, char *out, size_t len)
{
	int64_t s = (ms < 0 ? -ms : ms) / 1000, d = s / 86400, h = s % 86400 / 3600, m = s % 3600 / 60;
	char t[48];
	if (d)
		snprintf(t, sizeof t, "%lldd %lldh", (long long)d, (long long)h);
	else if (h)
		snprintf(t, sizeof t, "%lldh %lldm", (long long)h, (long long)m);
	else
		snprintf(t, sizeof t, "%lldm", (long long)m);
	snprintf(out, len, ms < 0 ? "%s ago" : "in %s", t);
}

static void describe_expiry(FILE *out, const char *what, int64_t exp)
{
	char when[ALGO_TIME_FMT_MAX], rel[48];
	if (!exp) {
		fprintf(out, "%s: expiry unknown\n", what);
		return;
	}
	algo_time_fmt(exp, ALGO_IST_OFFSET_MIN, when);
	span(exp - algo_clock_ms(), rel, sizeof rel);
	fprintf(out, "%s %s %s (%s)\n", what, exp > algo_clock_ms() ? "valid until" : "expired at", when, rel);
}

/* Reads one line from the terminal, echo off when secret. Returns 0 or -1 (no tty). */
static int ask_tty(const char *prompt, int secret, char *out, size_t len)
{
	struct termios old, quiet;
	FILE *tty = fopen("/dev/tty", "r+");
	int ok;
	if (!tty)
		return -1;
	fputs(prompt, tty);
	fflush(tty);
	if (secret && tcgetattr(fileno(tty), &old) == 0) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(fileno(tty), TCSAFLUSH, &quiet);
	} else
		secret = 0;
	ok = fgets(out, (int)len, tty) != NULL;
	if (secret) {
		tcsetattr(fileno(tty), TCSAFLUSH, &old);
		fputc('\n', tty);
	}
	fclose(tty);
	if (!ok)
		return -1;
	out[strcspn(out, "\r\n")] = '\0';
	return 0;
}

/* ---- login ------------------------------------------------------------------------ */

static void get_code(struct algo_fyers *f, const char *state, char *code, size_t len)
{
	struct algo_fyers_redirect rd;
	char url[4096], text[8192], err[1024];
	int lr;

	if (algo_fyers_login_url(f, state, url, sizeof url) < 0)
		fail(ALGO_FYERS_ECONFIG, "FYERS_REDIRECT_URI: too long");
	if (opt.code) {
		if (strcmp(opt.code, "-") == 0) {
			if (!fgets(text, sizeof text, stdin))
				algo_usage_error("--code -: nothing on stdin");
		} else
			snprintf(text, sizeof text, "%s", opt.code);
		if (algo_fyers_extract_code(text, NULL, code, len, err, sizeof err) < 0)
			algo_usage_error("--code: %s", err);
		return;
	}
	lr = algo_fyers_redirect_listen(&rd, f->cfg.redirect_uri, err, sizeof err);
	if (lr < 0)
		fail(ALGO_FYERS_EFAIL, err);
	printf("%s\n", url);
	fflush(stdout);
	if (lr == 1) {
		algo_warn("open the URL above in a browser and log in; waiting %ld s for the redirect to "
			"127.0.0.1:%d%s", opt.timeout_s, rd.port, rd.path);
		if (algo_fyers_redirect_wait(&rd, state, opt.timeout_s * 1000, code, len, err, sizeof err) < 0) {
			algo_fyers_redirect_close(&rd);
			fail(ALGO_FYERS_EAUTH, err);
		}
		algo_fyers_redirect_close(&rd);
		return;
	}
	algo_warn("open the URL above in a browser and log in; FYERS_REDIRECT_URI is not a loopback "
		"address, so paste what the browser shows");
	if (ask_tty("auth code or redirected URL: ", 0, text, sizeof text) < 0)
		algo_usage_error("no terminal to paste the code on: give --code");
	if (algo_fyers_extract_code(text, state, code, len, err, sizeof err) < 0)
		fail(ALGO_FYERS_EAUTH, err);
}

static int cmd_login(void)
{
	struct algo_fyers f;
	char state[33], code[ALGO_FYERS_TOKEN_MAX], err[1024];
	int cls;

	open_client(&f, ALGO_FYERS_NEED_SECRET | ALGO_FYERS_NEED_REDIRECT);
	if (algo_fyers_new_state(state) < 0)
		fail(ALGO_FYERS_EFAIL, "no random numbers for the login state");
	get_code(&f, state, code, sizeof code);
	if ((cls = algo_fyers_login_code(&f, code, err, sizeof err)) != ALGO_FYERS_OK)
		fail(cls, err);
	memset(code, 0, sizeof code);
	fprintf(stderr, "%s: logged in as %s (%s); session saved in %s\n", algo_progname,
		f.tok.fy_id[0] ? f.tok.fy_id : "?", f.cfg.app_id, f.cfg.token_path);
	describe_expiry(stderr, "access token", f.tok.access_exp);
	if (f.tok.refresh[0])
		describe_expiry(stderr, "refresh token", f.tok.refresh_exp);
	algo_fyers_close(&f);
	return ALGO_EX_OK;
}

/* ---- refresh, logout, status ---------------------------------------------------------- */

static int cmd_refresh(void)
{
	struct algo_fyers f;
	char pin[64], err[1024];
	const char *env = getenv("FYERS_PIN");
	int cls;

	open_client(&f, ALGO_FYERS_NEED_SECRET | ALGO_FYERS_TRY_TOKEN);
	if (!f.have_token)
		fail(ALGO_FYERS_EAUTH, "not logged in: run 'algo-exec-fyers login'");
	if (f.tok.refresh_exp && f.tok.refresh_exp <= algo_clock_ms())
		fail(ALGO_FYERS_EAUTH, "the refresh token has expired: run 'algo-exec-fyers login'");
	if (env && *env)
		snprintf(pin, sizeof pin, "%s", env);
	else if (ask_tty("FYERS PIN: ", 1, pin, sizeof pin) < 0)
		fail(ALGO_FYERS_ECONFIG, "no FYERS_PIN and no terminal to ask for the PIN on");
	cls = algo_fyers_refresh(&f, pin, err, sizeof err);
	memset(pin, 0, sizeof pin);
	if (cls != ALGO_FYERS_OK)
		fail(cls, err);
	fprintf(stderr, "%s: session refreshed\n", algo_progname);
	describe_expiry(stderr, "access token", f.tok.access_exp);
	algo_fyers_close(&f);
	return ALGO_EX_OK;
}

static int cmd_logout(void)
{
	struct algo_fyers f;
	char err[1024];
	int remote, cls, had;

	open_client(&f, ALGO_FYERS_TRY_TOKEN);
	had = f.have_token;
	if ((cls = algo_fyers_logout(&f, &remote, err, sizeof err)) != ALGO_FYERS_OK)
		fail(cls, err);
	if (!had)
		fprintf(stderr, "%s: not logged in; nothing to do\n", algo_progname);
	else
		fprintf(stderr, "%s: %s; removed %s\n", algo_progname,
			remote ? "logged out at FYERS" : "the session was already invalid at FYERS", f.cfg.token_path);
	algo_fyers_close(&f);
	return ALGO_EX_OK;
}

static int cmd_status(void)
{
	struct algo_fyers f;
	struct algo_rl_state rs;
	char err[1024];
	int cls;

	open_client(&f, ALGO_FYERS_TRY_TOKEN);
	if (!f.have_token) {
		printf("not logged in (no %s)\n", f.cfg.token_path);
		algo_fyers_close(&f);
		return algo_out_finish(ALGO_EX_NOPERM);
	}
	printf("session of %s (%s) saved in %s\n", f.tok.fy_id[0] ? f.tok.fy_id : "?", f.cfg.app_id, f.cfg.token_path);
	describe_expiry(stdout, "access token", f.tok.access_exp);
	if (f.tok.refresh[0])
		describe_expiry(stdout, "refresh token", f.tok.refresh_exp);
	if (algo_ratelimit_peek(&f.rl, &rs, err, sizeof err) == 0)
		printf("requests: %d in the last minute, %ld today; rate-limit hits today: %d\n", rs.last_min,
			rs.today, rs.hits_today);
	if (f.tok.access_exp && f.tok.access_exp <= algo_clock_ms()) {
		printf("the session has expired: run 'algo-exec-fyers refresh' or 'login'\n");
		algo_fyers_close(&f);
		return algo_out_finish(ALGO_EX_NOPERM);
	}
	if (!opt.offline) {
		struct algo_fyers_req rq = { ALGO_FYERS_API, "GET", "/profile", NULL, NULL, 0 };
		struct algo_fyers_reply r;
		cls = algo_fyers_request(&f, &rq, &r, err, sizeof err);
		algo_fyers_reply_free(&r);
		if (cls != ALGO_FYERS_OK) {
			printf("FYERS does not accept the session\n");
			fail(cls, err);
		}
		printf("FYERS accepts the session\n");
	}
	algo_fyers_close(&f);
	return algo_out_finish(ALGO_EX_OK);
}

static int cmd_view(const char *name)
{
	struct algo_fyers f;
	char err[1024];
	int cls;

	open_client(&f, ALGO_FYERS_NEED_TOKEN);
	if ((cls = algo_fyers_account_show(&f, name, opt.format, stdout, err, sizeof err)) != ALGO_FYERS_OK)
		fail(cls, err);
	algo_fyers_close(&f);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		algo_warn("write error: %s", strerror(errno));
		return ALGO_EX_IOERR;
	}
	return ALGO_EX_OK;
}

/* ---- the risk acceptance and the pipeline stage --------------------------------------- */

/* Opens the state database of --state or $ALGO_STATE; 0 when neither is set and not
 * required. */
static int open_store(struct algo_store *store, int required, const char *why)
{
	const char *env = getenv("ALGO_STATE");
	char path[4096], err[ALGO_ERR_MAX];
	if (!opt.state && !(env && *env)) {
		if (required)
			algo_die(ALGO_EX_NOPERM, "%s needs the state database (--state or $ALGO_STATE): it holds "
				"the account's plan, the risk acceptance and the kill switch", why);
		return 0;
	}
	if (algo_cli_state_path(opt.state, path, sizeof path))
		algo_usage_error("cannot work out the state path: set --state or $ALGO_STATE");
	if (algo_store_open(store, path, err, sizeof err) < 0)
		algo_die(ALGO_EX_CANTCREAT, "%s", err);
	return 1;
}

static int cmd_accept_risk(void)
{
	struct algo_store store;
	char answer[64], msg[1024];
	int rc;
	if (!opt.user)
		algo_usage_error("accept-risk needs --user U");
	open_store(&store, 1, "accept-risk");
	if (!opt.yes) {
		fputs(algo_fyers_risk_text, stderr);
		if (ask_tty("\nType 'I accept' to accept the risk of live trading: ", 0, answer, sizeof answer) < 0)
			algo_usage_error("no terminal to ask on: give --yes to accept without asking");
		if (strcmp(answer, "I accept") != 0)
			algo_die(ALGO_EX_NOPERM, "not accepted: nothing recorded");
	}
	rc = algo_fyers_accept_risk(&store, opt.user, algo_clock_ms(), msg, sizeof msg);
	algo_store_close(&store);
	if (rc < 0)
		algo_die(ALGO_EX_IOERR, "%s", msg);
	if (rc == 1)
		algo_die(ALGO_EX_NOPERM, "%s", msg);
	fprintf(stderr, "%s: %s: risk disclosure %s %s in the audit log\n", algo_progname, opt.user,
		ALGO_FYERS_RISK_VERSION, rc == 2 ? "was already accepted" : "accepted and recorded");
	return ALGO_EX_OK;
}

/* --live: every precondition, or exit 77 naming what is missing (nothing is sent). */
static void check_live(struct algo_store *store, struct algo_fyers *f)
{
	char missing[4096], err[1024];
	int n = algo_fyers_live_missing(store, opt.user, algo_clock_ms(), missing, sizeof missing);
	int cls = algo_fyers_open(f, ALGO_FYERS_NEED_TOKEN, err, sizeof err);
	f->notice = notice;
	if (n < 0)
		algo_die(ALGO_EX_IOERR, "%s", missing);
	if (cls != ALGO_FYERS_OK) {
		size_t k = strlen(missing);
		snprintf(missing + k, sizeof missing - k, "%ssession: %s", n ? "; " : "", err);
		n++;
	}
	if (n)
		algo_die(cls == ALGO_FYERS_ECONFIG && n == 1 ? ALGO_EX_CONFIG : ALGO_EX_NOPERM,
			"--live refused (%d precondition%s missing; nothing was sent): %s", n, n == 1 ? "" : "s", missing);
	f->timeout_ms = (long)opt.request_ms;
}

/* A dry run says what a --live run would refuse. */
static void dry_notes(struct algo_store *store)
{
	char missing[4096];
	if (algo_fyers_live_missing(store, opt.user, algo_clock_ms(), missing, sizeof missing) > 0)
		algo_warn("dry run; a --live run would refuse: %s", missing);
}

static int commit_now(void *arg, char *err, size_t errlen)
{
	return algo_stage_save(arg, err, errlen);
}

/* The order-update socket for a --live stage (unless --no-order-socket): 1 opened. */
static int open_socket(struct algo_fyers_orderws *ows, struct algo_fyers *f, struct algo_fyers_venue *v,
	struct algo_stage *st)
{
	char err[512];
	if (!opt.live || opt.no_socket)
		return 0;
	if (algo_fyers_orderws_open(ows, f, notice, NULL, err, sizeof err)) {
		algo_warn("order socket not used: %s (the books are polled)", err);
		return 0;
	}
	v->ows = ows;
	st->wake_fd = algo_fyers_orderws_fd(ows);
	if (!st->idle_ms || st->idle_ms > 1000)
		st->idle_ms = 1000;     /* its pings and reconnects */
	return 1;
}

static int cmd_stage(void)
{
	static const struct algo_stage_ops ops = { .event = algo_executor_event,
		.idle = algo_executor_idle, .end = algo_executor_end, .save = algo_fyers_stage_save };
	struct algo_fyers_venue_cfg cfg = { opt.live, opt.max_age_ms, opt.drain_ms, opt.poll_ms, NULL };
	struct algo_fyers f;
	struct algo_fyers_venue v;
	struct algo_costs costs;
	struct algo_executor ex;
	struct algo_store store;
	struct algo_stage st;
	struct algo_fyers_orderws ows;
	char key[ALGO_REPLAY_KEY_MAX], err[ALGO_ERR_MAX + 512], path[4096];
	int have_state, have_socket, rc, code;

	memset(&f, 0, sizeof f);
	memset(&costs, 0, sizeof costs);
	if (opt.charges) {
		if (algo_costs_find(opt.charges, path, sizeof path, err, sizeof err) ||
		    algo_costs_load(&costs, path, err, sizeof err))
			algo_die(errno == ENOENT ? ALGO_EX_NOINPUT : ALGO_EX_CONFIG, "%s", err);
		cfg.costs = &costs;
	}
	have_state = open_store(&store, opt.live, "--live");
	if (opt.live)
		check_live(&store, &f);
	else if (have_state)
		dry_notes(&store);
	algo_fyers_venue_init(&v, &cfg, opt.live ? &f : NULL, opt.user);
	v.note = notice;
	algo_executor_init(&ex, &algo_fyers_venue, &v, notice, NULL);
	ex.fees_full = cfg.costs != NULL;
	algo_stage_init(&st, &ops, &ex);
	st.skip_bad = opt.skip_bad;
	st.warn = warn_line;
	if (opt.live)           /* the books are polled while input is quiet too */
		st.idle_ms = opt.poll_ms > 50 ? (int)opt.poll_ms : 50;
	v.commit = commit_now;
	v.commit_arg = &st;
	if (have_state) {
		snprintf(key, sizeof key, "algo-exec-fyers/%s%s", opt.user, opt.live ? "" : "/dry-run");
		if ((rc = algo_executor_open(&ex, &store, key, err, sizeof err)))
			algo_die(rc == -2 ? ALGO_EX_DATAERR : ALGO_EX_IOERR, "%s", err);
		if (algo_fyers_venue_open(&v, &store, key, err, sizeof err))
			algo_die(ALGO_EX_IOERR, "%s", err);
		st.store = &store;
		st.replay_key = key;
	}
	have_socket = open_socket(&ows, &f, &v, &st);
	if ((code = algo_fyers_venue_start(&v, &ex, err, sizeof err)) == 0)
		code = algo_stage_run(&st);
	else
		algo_warn("%s", err);
	if (opt.live)
		algo_warn("%ld order request%s sent, %ld order-book lookup%s, %ld poll%s, %ld external trade%s, "
			"%ld position mismatch%s", v.sent, v.sent == 1 ? "" : "s", v.lookups, v.lookups == 1 ? "" : "s",
			v.polls, v.polls == 1 ? "" : "s", v.external, v.external == 1 ? "" : "s", v.mismatches,
			v.mismatches == 1 ? "" : "es");
	if (have_socket) {
		algo_warn("order socket: %ld fill%s through it first, %ld connect%s, %ld drop%s, %ld malformed "
			"message%s", v.socket_fills, v.socket_fills == 1 ? "" : "s", ows.connects,
			ows.connects == 1 ? "" : "s", ows.dropped, ows.dropped == 1 ? "" : "s", ows.malformed,
			ows.malformed == 1 ? "" : "s");
		algo_fyers_orderws_close(&ows);
	}
	algo_executor_free(&ex);
	algo_fyers_venue_free(&v);
	if (have_state)
		algo_store_close(&store);
	if (opt.live)
		algo_fyers_close(&f);
	algo_costs_free(&costs);
	return algo_out_finish(code);
}

/* ---- main ------------------------------------------------------------------------------ */

/* Seconds with up to 3 decimals as ms. */
static int64_t parse_secs(const char *name, const char *arg, double max)
{
	return (int64_t)(algo_cli_double(name, arg, 0, max) * 1000 + 0.5);
}

static void need(int ok, const char *option, const char *of)
{
	if (!ok)
		algo_usage_error("%s is an option of %s", option, of);
}

static void parse_options(int argc, char **argv, const char *cmd)
{
	enum { O_CODE = 256, O_TIMEOUT, O_OFFLINE, O_FORMAT, O_VERSION, O_LIVE, O_YES, O_USER, O_STATE,
		O_MAXAGE, O_DRAIN, O_POLL, O_REQTIME, O_SKIPBAD, O_CHARGES, O_NOSOCKET };
	static const struct option longopts[] = {
		{ "code", required_argument, NULL, O_CODE },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "offline", no_argument, NULL, O_OFFLINE },
		{ "format", required_argument, NULL, O_FORMAT },
		{ "live", no_argument, NULL, O_LIVE },
		{ "yes", no_argument, NULL, O_YES },
		{ "user", required_argument, NULL, O_USER },
		{ "state", required_argument, NULL, O_STATE },
		{ "max-order-age", required_argument, NULL, O_MAXAGE },
		{ "drain-timeout", required_argument, NULL, O_DRAIN },
		{ "poll-interval", required_argument, NULL, O_POLL },
		{ "request-timeout", required_argument, NULL, O_REQTIME },
		{ "skip-bad", no_argument, NULL, O_SKIPBAD },
		{ "charges", required_argument, NULL, O_CHARGES },
		{ "no-order-socket", no_argument, NULL, O_NOSOCKET },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, O_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	int c, view = algo_fyers_account_known(cmd), login = strcmp(cmd, "login") == 0;
	int stage = !*cmd, accept = strcmp(cmd, "accept-risk") == 0;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case O_CODE: need(login, "--code", "login"); opt.code = optarg; break;
		case O_TIMEOUT:
			need(login, "--timeout", "login");
			opt.timeout_s = (long)algo_cli_int("--timeout", optarg, 1, 86400);
			break;
		case O_OFFLINE: need(strcmp(cmd, "status") == 0, "--offline", "status"); opt.offline = 1; break;
		case O_FORMAT:
			need(view, "--format", "profile, funds, orders, trades and positions");
			if (strcmp(optarg, "table") == 0) opt.format = ALGO_ACCT_TABLE;
			else if (strcmp(optarg, "ndjson") == 0) opt.format = ALGO_ACCT_NDJSON;
			else algo_usage_error("--format: '%s' is not table or ndjson", optarg);
			break;
		case O_LIVE: need(stage, "--live", "the pipeline stage"); opt.live = 1; break;
		case O_YES: need(accept, "--yes", "accept-risk"); opt.yes = 1; break;
		case O_USER:
			need(stage || accept, "--user", "the pipeline stage and accept-risk");
			if (!*optarg || strlen(optarg) >= ALGO_NAME_MAX || strchr(optarg, '/'))
				algo_usage_error("--user: '%s' is not a user name", optarg);
			opt.user = optarg;
			break;
		case O_STATE: need(stage || accept, "--state", "the pipeline stage and accept-risk"); opt.state = optarg; break;
		case O_MAXAGE: need(stage, "--max-order-age", "the pipeline stage"); opt.max_age_ms = parse_secs("--max-order-age", optarg, 86400); break;
		case O_DRAIN: need(stage, "--drain-timeout", "the pipeline stage"); opt.drain_ms = parse_secs("--drain-timeout", optarg, 86400); break;
		case O_POLL: need(stage, "--poll-interval", "the pipeline stage"); opt.poll_ms = parse_secs("--poll-interval", optarg, 3600); break;
		case O_REQTIME:
			need(stage, "--request-timeout", "the pipeline stage");
			opt.request_ms = parse_secs("--request-timeout", optarg, 600);
			if (opt.request_ms < 100)
				algo_usage_error("--request-timeout: at least 0.1 s");
			break;
		case O_SKIPBAD: need(stage, "--skip-bad", "the pipeline stage"); opt.skip_bad = 1; break;
		case O_CHARGES: need(stage, "--charges", "the pipeline stage"); opt.charges = optarg; break;
		case O_NOSOCKET: need(stage, "--no-order-socket", "the pipeline stage"); opt.no_socket = 1; break;
		case 'h': fputs(usage_text, stdout); exit(algo_out_finish(ALGO_EX_OK));
		case O_VERSION: algo_print_version();
		case ':': algo_usage_error("option '%s' needs a value", argv[optind - 1]);
		default: algo_usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		algo_usage_error("%s%sunexpected argument '%s'%s", cmd, *cmd ? ": " : "", argv[optind],
			stage ? " (events are read from stdin)" : "");
}

int main(int argc, char **argv)
{
	static const char *const cmds[] = { "login", "refresh", "logout", "status", "accept-risk", NULL };
	const char *cmd = argc > 1 ? argv[1] : "";
	int known = 0;

	algo_cli_init(argv[0]);
	if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0) {
		fputs(usage_text, stdout);
		return algo_out_finish(ALGO_EX_OK);
	}
	if (strcmp(cmd, "--version") == 0)
		algo_print_version();
	if (!*cmd || cmd[0] == '-') {          /* no command: the pipeline stage */
		parse_options(argc, argv, "");
		if (!opt.user)
			opt.user = "default";
		return cmd_stage();
	}
	for (int i = 0; cmds[i]; i++)
		known |= strcmp(cmd, cmds[i]) == 0;
	if (!known && !algo_fyers_account_known(cmd))
		algo_usage_error("unknown command '%s'", cmd);
	parse_options(argc - 1, argv + 1, cmd);
	if (strcmp(cmd, "login") == 0)
		return cmd_login();
	if (strcmp(cmd, "refresh") == 0)
		return cmd_refresh();
	if (strcmp(cmd, "logout") == 0)
		return cmd_logout();
	if (strcmp(cmd, "status") == 0)
		return cmd_status();
	if (strcmp(cmd, "accept-risk") == 0)
		return cmd_accept_risk();
	return cmd_view(cmd);
}
