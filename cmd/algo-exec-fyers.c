/* algo-exec-fyers — the FYERS account: log in, keep the session, look at the account.
 *
 * The pipeline stage that places live orders is not built yet; today the program has
 * the account commands only, and running it without one is a usage error. */
#include "cli.h"
#include "event.h"
#include "fyers.h"
#include "fyers_account.h"
#include "fyers_auth.h"
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
	"Usage: algo-exec-fyers COMMAND [OPTION]...\n"
	"The FYERS account: log in, keep the session, and look at the account (read-only).\n"
	"Commands:\n"
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
} opt = { NULL, 300, 0, ALGO_ACCT_TABLE };

static void notice(void *arg, const char *msg)
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

/* ---- main ------------------------------------------------------------------------------ */

static void parse_options(int argc, char **argv, const char *cmd)
{
	enum { O_CODE = 256, O_TIMEOUT, O_OFFLINE, O_FORMAT, O_VERSION };
	static const struct option longopts[] = {
		{ "code", required_argument, NULL, O_CODE },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "offline", no_argument, NULL, O_OFFLINE },
		{ "format", required_argument, NULL, O_FORMAT },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, O_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	int c, view = algo_fyers_account_known(cmd), login = strcmp(cmd, "login") == 0;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case O_CODE:
			if (!login) algo_usage_error("--code is an option of login");
			opt.code = optarg;
			break;
		case O_TIMEOUT:
			if (!login) algo_usage_error("--timeout is an option of login");
			opt.timeout_s = (long)algo_cli_int("--timeout", optarg, 1, 86400);
			break;
		case O_OFFLINE:
			if (strcmp(cmd, "status") != 0) algo_usage_error("--offline is an option of status");
			opt.offline = 1;
			break;
		case O_FORMAT:
			if (!view) algo_usage_error("--format is an option of %s", "profile, funds, orders, trades and positions");
			if (strcmp(optarg, "table") == 0) opt.format = ALGO_ACCT_TABLE;
			else if (strcmp(optarg, "ndjson") == 0) opt.format = ALGO_ACCT_NDJSON;
			else algo_usage_error("--format: '%s' is not table or ndjson", optarg);
			break;
		case 'h': fputs(usage_text, stdout); exit(algo_out_finish(ALGO_EX_OK));
		case O_VERSION: algo_print_version();
		case ':': algo_usage_error("option '%s' needs a value", argv[optind - 1]);
		default: algo_usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		algo_usage_error("%s: unexpected argument '%s'", cmd, argv[optind]);
}

int main(int argc, char **argv)
{
	static const char *const cmds[] = { "login", "refresh", "logout", "status", NULL };
	const char *cmd;
	int known = 0;

	algo_cli_init(argv[0]);
	if (argc < 2)
		algo_usage_error("missing command (login, refresh, logout, status, profile, funds, orders, "
			"trades, positions)");
	cmd = argv[1];
	if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0) {
		fputs(usage_text, stdout);
		return algo_out_finish(ALGO_EX_OK);
	}
	if (strcmp(cmd, "--version") == 0)
		algo_print_version();
	for (int i = 0; cmds[i]; i++)
		known |= strcmp(cmd, cmds[i]) == 0;
	if (!known && !algo_fyers_account_known(cmd)) {
		if (cmd[0] == '-')
			algo_usage_error("unknown option '%s' (a command comes first: algo-exec-fyers COMMAND)", cmd);
		algo_usage_error("unknown command '%s'", cmd);
	}
	parse_options(argc - 1, argv + 1, cmd);
	if (strcmp(cmd, "login") == 0)
		return cmd_login();
	if (strcmp(cmd, "refresh") == 0)
		return cmd_refresh();
	if (strcmp(cmd, "logout") == 0)
		return cmd_logout();
	if (strcmp(cmd, "status") == 0)
		return cmd_status();
	return cmd_view(cmd);
}
