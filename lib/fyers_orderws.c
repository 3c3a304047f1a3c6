/* fyers_orderws — FYERS's order-update socket, kept connected. See fyers_orderws.h. */
#include "fyers_orderws.h"
#include "cli.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PING_MS 10000
#define SILENT_PINGS 3
#define BACKOFF_MIN_MS 1000
#define BACKOFF_MAX_MS 60000

static const char subscribe_msg[] = "{\"T\":\"SUB_ORD\",\"SLIST\":[\"orders\",\"trades\",\"positions\"],\"SUB_T\":1}";

static void note(struct algo_fyers_orderws *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct algo_fyers_orderws *o, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	if (!o->note)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	o->note(o->note_arg, msg);
}

static int64_t ping_interval(void)
{
	const char *v = getenv("ALGO_FYERS_WS_PING_MS");
	char *end;
	long ms = v ? strtol(v, &end, 10) : 0;
	return v && *end == 0 && ms >= 10 && ms <= 600000 ? ms : PING_MS;
}

int algo_fyers_orderws_open(struct algo_fyers_orderws *o, const struct algo_fyers *f,
	void (*note_fn)(void *arg, const char *msg), void *note_arg, char *err, size_t errlen)
{
	char auth[4200];
	const char *headers[2] = { auth, NULL };
	struct algo_ws_opts wo = { 0 };
	memset(o, 0, sizeof *o);
	o->note = note_fn;
	o->note_arg = note_arg;
	o->ping_ms = ping_interval();
	o->backoff.min_ms = BACKOFF_MIN_MS;
	o->backoff.max_ms = BACKOFF_MAX_MS;
	o->backoff.rng = (uint64_t)(uintptr_t)o;
	if (algo_fyers_auth_header(f, auth, sizeof auth)) {
		snprintf(err, errlen, "the FYERS session is too long for the socket's header");
		return -1;
	}
	auth[0] = 'a';                  /* "authorization:", as FYERS's SDKs send it */
	wo.url = f->cfg.order_ws;
	wo.headers = headers;
	wo.max_message = 1 << 20;
	if (algo_ws_open(&o->ws, &wo, err, errlen)) {
		memset(auth, 0, sizeof auth);
		return -1;
	}
	memset(auth, 0, sizeof auth);
	return 0;
}

int algo_fyers_orderws_fd(const struct algo_fyers_orderws *o)
{
	return o->ws ? algo_ws_fd(o->ws) : -1;
}

void algo_fyers_orderws_close(struct algo_fyers_orderws *o)
{
	algo_ws_free(o->ws);
	o->ws = NULL;
}

/* ---- decoding --------------------------------------------------------------------- */

static int each(const json_t *v, int kind, algo_fyers_update_fn h, void *arg, char *err, size_t errlen)
{
	struct algo_fyers_update u;
	size_t i, n = json_is_array(v) ? json_array_size(v) : 1;
	for (i = 0; i < n; i++) {
		const json_t *m = json_is_array(v) ? json_array_get(v, i) : v;
		int rc;
		memset(&u, 0, sizeof u);
		u.kind = kind;
		if (!json_is_object(m) ||
		    (kind == ALGO_FYERS_UPD_ORDER ? algo_fyers_sock_order_get(m, &u.order, err, errlen)
						  : algo_fyers_sock_trade_get(m, &u.trade, err, errlen)))
			return json_is_object(m) ? -1 : (snprintf(err, errlen, "an update that is not an object"), -1);
		if ((rc = h(arg, &u, err, errlen)))
			return -2 - rc;
	}
	return (int)n;
}

int algo_fyers_orderws_decode(const char *text, size_t len, algo_fyers_update_fn h, void *arg,
	char *err, size_t errlen)
{
	json_error_t je;
	json_t *root, *v;
	int n = 0;
	if ((len == 4 && memcmp(text, "pong", 4) == 0) || len == 0)
		return 0;
	if (!(root = json_loadb(text, len, 0, &je)) || !json_is_object(root)) {
		snprintf(err, errlen, "not a JSON object (%s)", root ? "other JSON" : je.text);
		json_decref(root);
		return -1;
	}
	if ((v = json_object_get(root, "orders")))
		n = each(v, ALGO_FYERS_UPD_ORDER, h, arg, err, errlen);
	if (n >= 0 && (v = json_object_get(root, "trades"))) {
		int m = each(v, ALGO_FYERS_UPD_TRADE, h, arg, err, errlen);
		n = m < 0 ? m : n + m;
	}
	json_decref(root);
	return n;
}

/* ---- the connection --------------------------------------------------------------- */

struct round {
	struct algo_fyers_orderws *o;
	int64_t now;
	algo_fyers_update_fn h;
	void *arg;
	char *err;
	size_t errlen;
};

static void opened(struct algo_fyers_orderws *o, int64_t now)
{
	char err[256];
	o->connects++;
	o->next_ping = now + o->ping_ms;
	o->last_heard = now;
	o->last_why[0] = 0;
	if (algo_ws_send(o->ws, 0, subscribe_msg, strlen(subscribe_msg), err, sizeof err)) {
		note(o, "order socket: cannot subscribe: %s", err);
		return;
	}
	o->subscribed = 1;
	if (o->ever_open)               /* the first connect is the normal case: said nothing */
		note(o, "order socket connected again: following orders and trades");
	o->ever_open = 1;
}

static void closed(struct algo_fyers_orderws *o, int64_t now, const char *why)
{
	long wait = algo_ws_backoff_next(&o->backoff);
	o->subscribed = 0;
	o->reconnect_at = now + wait;
	if (o->ever_open)
		o->dropped++;
	/* the same failure again and again is said once */
	if (strcmp(why, o->last_why) != 0)
		note(o, "order socket: %s; connecting again in %.1f s (the order book and trade book are "
			"polled meanwhile)", why, (double)wait / 1000);
	snprintf(o->last_why, sizeof o->last_why, "%s", why);
}

static int on_event(void *p, const struct algo_ws_event *ev)
{
	struct round *r = p;
	struct algo_fyers_orderws *o = r->o;
	int n;
	switch (ev->kind) {
	case ALGO_WS_OPEN:
		opened(o, r->now);
		return 0;
	case ALGO_WS_CLOSED:
		if (ev->tls_untrusted) {        /* a configuration error: never connected again */
			snprintf(r->err, r->errlen, "order socket: %s", ev->data);
			return ALGO_EX_CONFIG;
		}
		closed(o, r->now, ev->data);
		return 0;
	case ALGO_WS_TEXT:
		o->last_heard = r->now;
		n = algo_fyers_orderws_decode(ev->data, ev->len, r->h, r->arg, r->err, r->errlen);
		if (n < -1)
			return -2 - n;
		if (n == -1) {
			o->malformed++;
			note(o, "order socket: a malformed message skipped: %s", r->err);
			return 0;
		}
		if (n > 0) {
			o->updates += n;
			algo_ws_backoff_reset(&o->backoff);
		}
		return 0;
	default:
		o->last_heard = r->now;
		return 0;
	}
}

static void keep_alive(struct algo_fyers_orderws *o, int64_t now)
{
	char err[256];
	if (!algo_ws_is_open(o->ws)) {
		if (o->reconnect_at && now >= o->reconnect_at) {
			o->reconnect_at = 0;
			algo_ws_connect(o->ws);
		}
		return;
	}
	if (now - o->last_heard >= SILENT_PINGS * o->ping_ms) {
		note(o, "order socket: nothing heard for %.0f s, not even pong: connecting again",
			(double)(now - o->last_heard) / 1000);
		o->last_heard = now;
		o->dropped++;
		algo_ws_connect(o->ws);
		return;
	}
	if (now >= o->next_ping) {
		o->next_ping = now + o->ping_ms;
		algo_ws_send(o->ws, 0, "ping", 4, err, sizeof err);
	}
}

int algo_fyers_orderws_service(struct algo_fyers_orderws *o, int64_t now_ms, algo_fyers_update_fn h,
	void *arg, char *err, size_t errlen)
{
	struct round r = { o, now_ms, h, arg, err, errlen };
	int rc;
	if (!o->ws)
		return 0;
	if ((rc = algo_ws_dispatch(o->ws, on_event, &r)))
		return rc;
	keep_alive(o, now_ms);
	return 0;
}
