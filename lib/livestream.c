/* livestream — the FYERS market-data socket loop; see livestream.h. */
#include "livestream.h"
#include "cli.h"
#include "fyers_hsm.h"
#include "liveout.h"
#include "markethours.h"
#include "timeutil.h"
#include "watchdog.h"
#include "ws.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SOURCE "algo-feed"
#define SERVICE_MS 100              /* the longest wait for the socket between clock checks */
#define BACKOFF_MAX_MS 30000

struct livestream {
	const struct algo_livecfg *cfg;
	struct algo_fyers *f;
	struct algo_hsm hsm;
	struct algo_liveout out;
	struct algo_watchdog wd;
	struct algo_markethours mh;
	struct algo_ws *ws;
	struct algo_ws_backoff backoff;
	int open;                        /* the socket is open */
	int dropping;                    /* we dropped it: its close is no news */
	int flowing;                     /* data came since the last (re)connect */
	int64_t retry_at;                /* monotonic ms of the next attempt, 0 none due */
	long connects;                   /* connections opened */
	int code;                        /* the exit code of a failure (algo(7)) */
	char err[ALGO_ERR_MAX + 600];
};

static int failf(struct livestream *ls, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int failf(struct livestream *ls, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ls->err, sizeof ls->err, fmt, ap);
	va_end(ap);
	ls->code = code;
	return -1;
}

/* What has been written goes out first, then the message. */
static int note_msg(void *arg, const char *msg)
{
	struct livestream *ls = arg;
	if (algo_liveout_note(&ls->out, msg, ls->err, sizeof ls->err) < 0)
		return ls->code = ALGO_EX_IOERR, -1;
	return 0;
}

static int note(struct livestream *ls, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int note(struct livestream *ls, const char *fmt, ...)
{
	char msg[ALGO_ERR_MAX + 800];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return note_msg(ls, msg);
}

static const char *sym_name(void *arg, int i)
{
	const struct livestream *ls = arg;
	return ls->hsm.s[i].symbol;
}

/* ---- setup: symbols to topics --------------------------------------------------------- */

/* One POST /symbol-token for symbols [a, b): their topics, or the first one FYERS
 * lists as invalid. */
static int resolve_batch(struct livestream *ls, int a, int b)
{
	json_t *list = json_array(), *body = json_object();
	struct algo_fyers_req rq = { .base = ALGO_FYERS_DATA, .method = "POST", .path = "/symbol-token", .body = body };
	struct algo_fyers_reply r;
	const json_t *valid;
	int cls, rc = 0;

	for (int i = a; i < b; i++)
		json_array_append_new(list, json_string(ls->hsm.s[i].symbol));
	json_object_set_new(body, "symbols", list);
	cls = algo_fyers_request(ls->f, &rq, &r, ls->err, sizeof ls->err);
	json_decref(body);
	if (cls != ALGO_FYERS_OK) {
		ls->code = algo_fyers_exit_code(cls);
		algo_fyers_reply_free(&r);
		return -1;
	}
	if (r.date_ms > 0)              /* market time: the broker's clock when far from ours */
		algo_liveout_learn(&ls->out, r.date_ms, algo_clock_ms());
	valid = json_object_get(r.root, "validSymbol");
	for (int i = a; i < b && rc == 0; i++) {
		const json_t *tok = json_object_get(valid, ls->hsm.s[i].symbol);
		char e[ALGO_ERR_MAX];
		if (!json_is_string(tok))
			rc = failf(ls, ALGO_EX_DATAERR, "%s: FYERS does not know this symbol (POST /symbol-token lists it invalid)",
				ls->hsm.s[i].symbol);
		else if (algo_hsm_set_topic(&ls->hsm, i, ls->hsm.s[i].symbol, json_string_value(tok), e, sizeof e) < 0)
			rc = failf(ls, ALGO_EX_DATAERR, "POST /symbol-token: %s", e);
	}
	algo_fyers_reply_free(&r);
	return rc;
}

static int resolve(struct livestream *ls)
{
	for (int a = 0; a < ls->hsm.n; a += ALGO_HSM_SUB_CHUNK) {
		int b = a + ALGO_HSM_SUB_CHUNK < ls->hsm.n ? a + ALGO_HSM_SUB_CHUNK : ls->hsm.n;
		if (resolve_batch(ls, a, b) < 0)
			return -1;
	}
	return 0;
}

/* The hsm_key the login stored, else the access token's own claim. */
static int hsm_key(struct livestream *ls)
{
	struct algo_fyers_token *t = &ls->f->tok;
	char fy[64], e[ALGO_ERR_MAX];
	int64_t exp;
	if (!*t->hsm_key)
		algo_fyers_jwt_claims(t->access, &exp, t->hsm_key, sizeof t->hsm_key, fy, sizeof fy, e, sizeof e);
	if (!*t->hsm_key)
		return failf(ls, ALGO_EX_NOPERM, "the session has no hsm_key for the market-data socket; "
			"log in again (algo-exec-fyers login)");
	return 0;
}

static void on_update(void *arg, int i, int changed);
static void drop_socket(void *arg);

static int start(struct livestream *ls, struct algo_fyers *f, char *const *symbols, int n, struct algo_writer *w)
{
	ls->f = f;
	if (algo_hsm_init(&ls->hsm, n, ls->err, sizeof ls->err) < 0)
		return ls->code = ALGO_EX_USAGE, -1;
	for (int i = 0; i < n; i++) {
		if (!*symbols[i] || strlen(symbols[i]) >= sizeof ls->hsm.s[i].symbol)
			return failf(ls, ALGO_EX_USAGE, "'%.80s': a symbol is 1 to 63 bytes", symbols[i]);
		snprintf(ls->hsm.s[i].symbol, sizeof ls->hsm.s[i].symbol, "%s", symbols[i]);
	}
	ls->hsm.update = on_update;
	ls->hsm.arg = ls;
	if (algo_liveout_open(&ls->out, w, ls->cfg, n, sym_name, ls, &ls->code, ls->err, sizeof ls->err) < 0)
		return -1;
	ls->mh.recheck = ls->cfg->recheck;
	ls->mh.outside_exit = ls->cfg->outside_exit;
	ls->mh.note = note_msg;
	ls->mh.before_wait = drop_socket;
	ls->mh.arg = ls;
	if (algo_markethours_open(&ls->mh, ls->cfg->calendar, f, symbols, n) < 0)
		return failf(ls, ls->mh.code, "%s", ls->mh.err);
	if (hsm_key(ls) < 0 || resolve(ls) < 0)
		return -1;
	algo_watchdog_init(&ls->wd, ls->cfg->stale, algo_mono_ms());
	return 0;
}

/* ---- the connection ---------------------------------------------------------------- */

/* Sends one message. Returns 0, or 1 when the socket is not open (its close is on its
 * way as an event). */
static int send_msg(struct livestream *ls, const uint8_t *m, long n, const char *what)
{
	char e[ALGO_ERR_MAX];
	if (n < 0)
		return failf(ls, ALGO_EX_FAIL, "the %s message does not fit", what);
	return algo_ws_send(ls->ws, 1, m, (size_t)n, e, sizeof e) < 0;
}

static int subscribe(struct livestream *ls)
{
	static uint8_t m[ALGO_HSM_MSG_MAX];
	for (int a = 0; a < ls->hsm.n; a += ALGO_HSM_SUB_CHUNK) {
		int b = a + ALGO_HSM_SUB_CHUNK < ls->hsm.n ? a + ALGO_HSM_SUB_CHUNK : ls->hsm.n, rc;
		long n = algo_hsm_msg_subscribe(&ls->hsm, ALGO_HSM_SUB, a, b, ALGO_HSM_CHANNEL, m, sizeof m);
		if ((rc = send_msg(ls, m, n, "subscribe")) != 0)
			return rc;
	}
	return 0;
}

static void on_update(void *arg, int i, int changed)
{
	struct livestream *ls = arg;
	const struct algo_hsm_quote *q = &ls->hsm.s[i].q;
	int64_t wall = algo_clock_ms(), ts;
	if (!changed || q->ltp <= 0)
		return;
	if (ls->cfg->lite) {             /* a lite record has no time: the tick's is when it came */
		algo_liveout_tick(&ls->out, i, algo_liveout_now(&ls->out, wall), q->ltp, 0, 0, -1);
		return;
	}
	ts = q->feed_ms ? q->feed_ms : q->ltt_ms ? q->ltt_ms : wall;
	algo_liveout_learn(&ls->out, ts, wall);
	algo_liveout_tick(&ls->out, i, ts, q->ltp, q->bid, q->ask, q->vol);
}

/* Drops the connection and starts a new attempt now (the old one's close is ignored). */
static void reconnect_now(struct livestream *ls)
{
	ls->dropping = ls->open;
	ls->open = 0;
	ls->retry_at = 0;
	algo_hsm_reset(&ls->hsm);
	algo_watchdog_feed(&ls->wd, algo_mono_ms());
	algo_ws_connect(ls->ws);
}

/* The socket opened: authenticate and set the mode; the subscription follows the auth
 * reply. */
static int on_open(struct livestream *ls)
{
	uint8_t m[1024];
	ls->open = 1;
	ls->flowing = 0;
	ls->connects++;
	algo_hsm_reset(&ls->hsm);
	algo_watchdog_feed(&ls->wd, algo_mono_ms());
	if (send_msg(ls, m, algo_hsm_msg_auth(m, sizeof m, ls->f->tok.hsm_key, SOURCE), "auth") < 0 ||
	    send_msg(ls, m, algo_hsm_msg_mode(m, sizeof m, ALGO_HSM_CHANNEL, ls->cfg->lite), "mode") < 0)
		return -1;
	return 0;
}

/* The socket closed (or an attempt failed): try again, at once after a connection that
 * carried data, else after the backoff. */
static int on_closed(struct livestream *ls, const char *why)
{
	int64_t wait;
	if (ls->dropping) {
		ls->dropping = 0;
		return 0;
	}
	if (ls->flowing)
		algo_ws_backoff_reset(&ls->backoff);
	wait = ls->flowing ? 0 : algo_ws_backoff_next(&ls->backoff);
	ls->open = ls->flowing = 0;
	ls->retry_at = algo_mono_ms() + wait;
	if (wait)
		return note(ls, "the market-data socket closed (%s); reconnecting in %.1f s", why, (double)wait / 1000);
	return note(ls, "the market-data socket closed (%s); reconnecting", why);
}

/* One message from the server. Returns 0, or -1 (a failure that ends the run). */
static int on_message(struct livestream *ls, const uint8_t *m, size_t len)
{
	struct algo_hsm_reply r;
	char e[ALGO_ERR_MAX];
	int type = algo_hsm_decode(&ls->hsm, m, len, &r, e, sizeof e);
	algo_watchdog_feed(&ls->wd, algo_mono_ms());
	if (type < 0) {
		if (note(ls, "the market-data socket: %s; reconnecting", e) < 0)
			return -1;
		reconnect_now(ls);
		return 0;
	}
	if (type == ALGO_HSM_AUTH && !r.ok)
		return failf(ls, ALGO_EX_NOPERM, "the market-data socket refused the session's hsm_key ('%s'); "
			"log in again (algo-exec-fyers login)", r.text);
	if (type == ALGO_HSM_AUTH)
		return subscribe(ls) < 0 ? -1 : 0;
	if (type == ALGO_HSM_SUB && !r.ok)
		return failf(ls, ALGO_EX_UNAVAILABLE, "the market-data socket refused the subscription ('%s')", r.text);
	if (type == ALGO_HSM_MODE && !r.ok)
		return note(ls, "the market-data socket refused %s mode ('%s')", ls->cfg->lite ? "lite" : "full", r.text);
	if (type == ALGO_HSM_FEED) {
		ls->flowing = 1;
		if (ls->hsm.ack_due) {
			uint8_t a[16];
			ls->hsm.ack_due = 0;
			return send_msg(ls, a, algo_hsm_msg_ack(a, sizeof a, ls->hsm.ack_num), "ack") < 0 ? -1 : 0;
		}
	}
	return 0;
}

static int on_event(void *arg, const struct algo_ws_event *ev)
{
	struct livestream *ls = arg;
	switch (ev->kind) {
	case ALGO_WS_OPEN: return on_open(ls);
	case ALGO_WS_BINARY: return on_message(ls, (const uint8_t *)ev->data, ev->len);
	case ALGO_WS_CLOSED:
		if (ev->tls_untrusted)           /* a configuration error: never reconnected */
			return failf(ls, ALGO_EX_CONFIG, "%s", ev->data);
		return on_closed(ls, ev->len ? ev->data : "no reason given");
	default: return 0;
	}
}

/* Waits at most wait_ms for the socket, then handles what it has. */
static int service(struct livestream *ls, int64_t wait_ms)
{
	struct pollfd p = { .fd = algo_ws_fd(ls->ws), .events = POLLIN };
	if (poll(&p, 1, (int)wait_ms) < 0 && errno != EINTR)
		return failf(ls, ALGO_EX_FAIL, "poll: %s", strerror(errno));
	return algo_ws_dispatch(ls->ws, on_event, ls) < 0 ? -1 : 0;
}

static int watch(struct livestream *ls)
{
	if (!ls->open || !algo_watchdog_check(&ls->wd, algo_mono_ms()))
		return 0;
	if (note(ls, "no data on the market-data socket for %.1f s: the feed may be stalled; reconnecting",
		(double)ls->cfg->stale / 1000) < 0)
		return -1;
	reconnect_now(ls);
	return 0;
}

static int ping(struct livestream *ls, int64_t *next)
{
	uint8_t p[4];
	int64_t mono = algo_mono_ms();
	if (!ls->open || mono < *next)
		return 0;
	*next = mono + ls->cfg->ping_ms;
	return send_msg(ls, p, algo_hsm_msg_ping(p, sizeof p), "ping") < 0 ? -1 : 0;
}

/* Outside market hours: no connection is held. */
static void drop_socket(void *arg)
{
	struct livestream *ls = arg;
	algo_ws_free(ls->ws);
	ls->ws = NULL;
	ls->open = ls->dropping = ls->flowing = 0;
	ls->retry_at = 0;
	algo_hsm_reset(&ls->hsm);
}

/* Market hours, when due: 1 open (a connection is started if none is), 0 closed with
 * outside_exit, -1 a failure. */
static int gate(struct livestream *ls)
{
	struct algo_ws_opts o = { .url = ls->f->cfg.data_ws };
	char e[ALGO_ERR_MAX];
	int rc;
	if (!algo_markethours_due(&ls->mh, algo_mono_ms()))
		return 1;
	if ((rc = algo_markethours_wait(&ls->mh)) <= 0)
		return rc < 0 && ls->mh.code ? failf(ls, ls->mh.code, "%s", ls->mh.err) : rc;
	if (!ls->ws && algo_ws_open(&ls->ws, &o, e, sizeof e) < 0)
		return failf(ls, ALGO_EX_CONFIG, "FYERS_DATA_WS_URL: %s", e);
	algo_watchdog_feed(&ls->wd, algo_mono_ms());
	return 1;
}

static int run(struct livestream *ls)
{
	int64_t next_ping = algo_mono_ms() + ls->cfg->ping_ms;
	int rc;
	for (;;) {
		if ((rc = gate(ls)) <= 0)
			return rc;
		int64_t now = algo_liveout_now(&ls->out, algo_clock_ms());
		algo_liveout_close(&ls->out, now < ls->cfg->until ? now : ls->cfg->until);
		if (algo_liveout_flush(&ls->out, ls->err, sizeof ls->err) < 0)
			return ls->code = ALGO_EX_IOERR, -1;
		if (now >= ls->cfg->until)
			return 0;
		if (ls->retry_at && algo_mono_ms() >= ls->retry_at)
			reconnect_now(ls);
		if (service(ls, SERVICE_MS) < 0 || watch(ls) < 0 || ping(ls, &next_ping) < 0)
			return -1;
	}
}

int algo_livestream_feed(const struct algo_livecfg *cfg, struct algo_fyers *f, char *const *symbols, int n,
	struct algo_writer *w, char *err, size_t errlen)
{
	static struct livestream ls;
	int rc;
	memset(&ls, 0, sizeof ls);
	ls.cfg = cfg;
	ls.out.recfd = -1;
	ls.backoff = (struct algo_ws_backoff){ .min_ms = 1000, .max_ms = BACKOFF_MAX_MS, .rng = (uint64_t)algo_clock_ms() };
	algo_markethours_init(&ls.mh);
	rc = start(&ls, f, symbols, n, w) < 0 || run(&ls) < 0 ? ls.code : 0;
	if (rc)
		snprintf(err, errlen, "%s", ls.err);
	algo_ws_free(ls.ws);
	algo_liveout_free(&ls.out);
	algo_hsm_free(&ls.hsm);
	algo_markethours_free(&ls.mh);
	return rc;
}
