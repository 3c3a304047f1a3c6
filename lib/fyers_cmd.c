/* fyers_cmd — algo-exec-fyers's commands on the account. See fyers_cmd.h. */
#include "fyers_cmd.h"
#include "cli.h"
#include "fyers.h"
#include "fyers_account.h"
#include "fyers_auth.h"
#include "fyers_live.h"
#include "store.h"
#include "timeutil.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static void note(const struct algo_fyers_cmd *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(const struct algo_fyers_cmd *c, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (c->note)
		c->note(c->note_arg, msg);
}

/* The exit code of a class, err already set by the call that failed. */
static int failed(int cls)
{
	return algo_fyers_exit_code(cls);
}

/* code with err set to the message. */
static int say(int code, char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int say(int code, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return code;
}

static int open_client(const struct algo_fyers_cmd *c, struct algo_fyers *f, unsigned need, char *err,
	size_t errlen)
{
	int cls = algo_fyers_open(f, need, err, errlen);
	f->notice = c->note;
	f->notice_arg = c->note_arg;
	if (cls == ALGO_FYERS_OK)
		return 0;
	algo_fyers_close(f);
	return failed(cls);
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

static int ask(const struct algo_fyers_cmd *c, const char *prompt, int secret, char *out, size_t len)
{
	return c->ask ? c->ask(prompt, secret, out, len) : -1;
}

/* ---- login ------------------------------------------------------------------------ */

/* The auth code given with --code: the code, the redirected URL, or "-" for a line of in. */
static int given_code(const struct algo_fyers_cmd *c, char *code, size_t len, char *err, size_t errlen)
{
	char text[8192], why[1024];
	if (strcmp(c->code, "-") == 0) {
		if (!fgets(text, sizeof text, c->in))
			return say(ALGO_EX_USAGE, err, errlen, "--code -: nothing on stdin");
	} else
		snprintf(text, sizeof text, "%s", c->code);
	if (algo_fyers_extract_code(text, NULL, code, len, why, sizeof why) < 0)
		return say(ALGO_EX_USAGE, err, errlen, "--code: %s", why);
	return 0;
}

/* The browser's redirect to the loopback listener rd. */
static int caught_code(const struct algo_fyers_cmd *c, struct algo_fyers_redirect *rd, const char *state,
	char *code, size_t len, char *err, size_t errlen)
{
	int rc = 0;
	note(c, "open the URL above in a browser and log in; waiting %ld s for the redirect to 127.0.0.1:%d%s",
		c->timeout_s, rd->port, rd->path);
	if (algo_fyers_redirect_wait(rd, state, c->timeout_s * 1000, code, len, err, errlen) < 0)
		rc = failed(ALGO_FYERS_EAUTH);
	algo_fyers_redirect_close(rd);
	return rc;
}

static int pasted_code(const struct algo_fyers_cmd *c, const char *state, char *code, size_t len, char *err,
	size_t errlen)
{
	char text[8192];
	note(c, "open the URL above in a browser and log in; FYERS_REDIRECT_URI is not a loopback "
		"address, so paste what the browser shows");
	if (ask(c, "auth code or redirected URL: ", 0, text, sizeof text) < 0)
		return say(ALGO_EX_USAGE, err, errlen, "no terminal to paste the code on: give --code");
	if (algo_fyers_extract_code(text, state, code, len, err, errlen) < 0)
		return failed(ALGO_FYERS_EAUTH);
	return 0;
}

static int get_code(const struct algo_fyers_cmd *c, struct algo_fyers *f, const char *state, char *code,
	size_t len, char *err, size_t errlen)
{
	struct algo_fyers_redirect rd;
	char url[4096];
	int lr;

	if (algo_fyers_login_url(f, state, url, sizeof url) < 0)
		return say(failed(ALGO_FYERS_ECONFIG), err, errlen, "FYERS_REDIRECT_URI: too long");
	if (c->code)
		return given_code(c, code, len, err, errlen);
	if ((lr = algo_fyers_redirect_listen(&rd, f->cfg.redirect_uri, err, errlen)) < 0)
		return failed(ALGO_FYERS_EFAIL);
	fprintf(c->out, "%s\n", url);
	fflush(c->out);
	return lr == 1 ? caught_code(c, &rd, state, code, len, err, errlen) : pasted_code(c, state, code, len, err, errlen);
}

static int cmd_login(const struct algo_fyers_cmd *c, struct algo_fyers *f, char *err, size_t errlen)
{
	char state[33], code[ALGO_FYERS_TOKEN_MAX];
	int rc, cls;

	if (algo_fyers_new_state(state) < 0)
		return say(failed(ALGO_FYERS_EFAIL), err, errlen, "no random numbers for the login state");
	if ((rc = get_code(c, f, state, code, sizeof code, err, errlen)) != 0)
		return rc;
	cls = algo_fyers_login_code(f, code, err, errlen);
	memset(code, 0, sizeof code);
	if (cls != ALGO_FYERS_OK)
		return failed(cls);
	note(c, "logged in as %s (%s); session saved in %s", f->tok.fy_id[0] ? f->tok.fy_id : "?", f->cfg.app_id,
		f->cfg.token_path);
	describe_expiry(c->err, "access token", f->tok.access_exp);
	if (f->tok.refresh[0])
		describe_expiry(c->err, "refresh token", f->tok.refresh_exp);
	return ALGO_EX_OK;
}

/* ---- refresh, logout, status ---------------------------------------------------------- */

static int cmd_refresh(const struct algo_fyers_cmd *c, struct algo_fyers *f, char *err, size_t errlen)
{
	char pin[64];
	const char *env = getenv("FYERS_PIN");
	int cls;

	if (!f->have_token)
		return say(failed(ALGO_FYERS_EAUTH), err, errlen, "not logged in: run 'algo-exec-fyers login'");
	if (f->tok.refresh_exp && f->tok.refresh_exp <= algo_clock_ms())
		return say(failed(ALGO_FYERS_EAUTH), err, errlen,
			"the refresh token has expired: run 'algo-exec-fyers login'");
	if (env && *env)
		snprintf(pin, sizeof pin, "%s", env);
	else if (ask(c, "FYERS PIN: ", 1, pin, sizeof pin) < 0)
		return say(failed(ALGO_FYERS_ECONFIG), err, errlen, "no FYERS_PIN and no terminal to ask for the PIN on");
	cls = algo_fyers_refresh(f, pin, err, errlen);
	memset(pin, 0, sizeof pin);
	if (cls != ALGO_FYERS_OK)
		return failed(cls);
	note(c, "session refreshed");
	describe_expiry(c->err, "access token", f->tok.access_exp);
	return ALGO_EX_OK;
}

static int cmd_logout(const struct algo_fyers_cmd *c, struct algo_fyers *f, char *err, size_t errlen)
{
	int remote, cls, had = f->have_token;

	if ((cls = algo_fyers_logout(f, &remote, err, errlen)) != ALGO_FYERS_OK)
		return failed(cls);
	if (!had)
		note(c, "not logged in; nothing to do");
	else
		note(c, "%s; removed %s", remote ? "logged out at FYERS" : "the session was already invalid at FYERS",
			f->cfg.token_path);
	return ALGO_EX_OK;
}

/* status: whether FYERS takes the session (a request for the profile). */
static int session_accepted(const struct algo_fyers_cmd *c, struct algo_fyers *f, char *err, size_t errlen)
{
	struct algo_fyers_req rq = { ALGO_FYERS_API, "GET", "/profile", NULL, NULL, 0 };
	struct algo_fyers_reply r;
	int cls = algo_fyers_request(f, &rq, &r, err, errlen);
	algo_fyers_reply_free(&r);
	if (cls != ALGO_FYERS_OK) {
		fprintf(c->out, "FYERS does not accept the session\n");
		return failed(cls);
	}
	fprintf(c->out, "FYERS accepts the session\n");
	return ALGO_EX_OK;
}

static int cmd_status(const struct algo_fyers_cmd *c, struct algo_fyers *f, char *err, size_t errlen)
{
	struct algo_rl_state rs;
	char why[1024];

	if (!f->have_token) {
		fprintf(c->out, "not logged in (no %s)\n", f->cfg.token_path);
		return ALGO_EX_NOPERM;
	}
	fprintf(c->out, "session of %s (%s) saved in %s\n", f->tok.fy_id[0] ? f->tok.fy_id : "?", f->cfg.app_id,
		f->cfg.token_path);
	describe_expiry(c->out, "access token", f->tok.access_exp);
	if (f->tok.refresh[0])
		describe_expiry(c->out, "refresh token", f->tok.refresh_exp);
	if (algo_ratelimit_peek(&f->rl, &rs, why, sizeof why) == 0)
		fprintf(c->out, "requests: %d in the last minute, %ld today; rate-limit hits today: %d\n", rs.last_min,
			rs.today, rs.hits_today);
	if (f->tok.access_exp && f->tok.access_exp <= algo_clock_ms()) {
		fprintf(c->out, "the session has expired: run 'algo-exec-fyers refresh' or 'login'\n");
		return ALGO_EX_NOPERM;
	}
	return c->offline ? ALGO_EX_OK : session_accepted(c, f, err, errlen);
}

static int cmd_view(const struct algo_fyers_cmd *c, struct algo_fyers *f, char *err, size_t errlen)
{
	int cls = algo_fyers_account_show(f, c->name, c->format, c->out, err, errlen);
	if (cls != ALGO_FYERS_OK)
		return failed(cls);
	if (fflush(c->out) != 0 || ferror(c->out))
		return say(ALGO_EX_IOERR, err, errlen, "write error: %s", strerror(errno));
	return ALGO_EX_OK;
}

/* ---- the risk acceptance -------------------------------------------------------------- */

static int accept_risk(const struct algo_fyers_cmd *c, struct algo_store *store, char *err, size_t errlen)
{
	char answer[64];
	int rc;
	if (!c->yes) {
		fputs(algo_fyers_risk_text, c->err);
		if (ask(c, "\nType 'I accept' to accept the risk of live trading: ", 0, answer, sizeof answer) < 0)
			return say(ALGO_EX_USAGE, err, errlen, "no terminal to ask on: give --yes to accept without asking");
		if (strcmp(answer, "I accept") != 0)
			return say(ALGO_EX_NOPERM, err, errlen, "not accepted: nothing recorded");
	}
	rc = algo_fyers_accept_risk(store, c->user, algo_clock_ms(), err, errlen);
	if (rc < 0 || rc == 1)
		return rc < 0 ? ALGO_EX_IOERR : ALGO_EX_NOPERM;
	note(c, "%s: risk disclosure %s %s in the audit log", c->user, ALGO_FYERS_RISK_VERSION,
		rc == 2 ? "was already accepted" : "accepted and recorded");
	return ALGO_EX_OK;
}

static int cmd_accept_risk(const struct algo_fyers_cmd *c, char *err, size_t errlen)
{
	struct algo_store store;
	int opened, code;
	if (!c->user)
		return say(ALGO_EX_USAGE, err, errlen, "accept-risk needs --user U");
	if ((code = algo_fyers_state_open(&store, c->state, "accept-risk", &opened, err, errlen)) != 0)
		return code;
	code = accept_risk(c, &store, err, errlen);
	algo_store_close(&store);
	return code;
}

/* ---- the commands --------------------------------------------------------------------- */

typedef int (*account_cmd)(const struct algo_fyers_cmd *c, struct algo_fyers *f, char *err, size_t errlen);

static const struct {
	const char *name;
	account_cmd run;
	unsigned need;
} commands[] = {
	{ "login", cmd_login, ALGO_FYERS_NEED_SECRET | ALGO_FYERS_NEED_REDIRECT },
	{ "refresh", cmd_refresh, ALGO_FYERS_NEED_SECRET | ALGO_FYERS_TRY_TOKEN },
	{ "logout", cmd_logout, ALGO_FYERS_TRY_TOKEN },
	{ "status", cmd_status, ALGO_FYERS_TRY_TOKEN },
};

int algo_fyers_cmd_known(const char *name)
{
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(name, commands[i].name) == 0)
			return 1;
	return strcmp(name, "accept-risk") == 0 || algo_fyers_account_known(name);
}

int algo_fyers_cmd_run(const struct algo_fyers_cmd *c, char *err, size_t errlen)
{
	account_cmd run = cmd_view;
	unsigned need = ALGO_FYERS_NEED_TOKEN;
	struct algo_fyers f;
	int code;

	err[0] = '\0';
	if (strcmp(c->name, "accept-risk") == 0)
		return cmd_accept_risk(c, err, errlen);
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(c->name, commands[i].name) == 0)
			run = commands[i].run, need = commands[i].need;
	if ((code = open_client(c, &f, need, err, errlen)) != 0)
		return code;
	if ((code = run(c, &f, err, errlen)) == ALGO_EX_OK)
		err[0] = '\0';         /* logout: a session already invalid at FYERS is no failure */
	algo_fyers_close(&f);
	return code;
}
