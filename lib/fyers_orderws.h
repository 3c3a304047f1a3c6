/* fyers_orderws — FYERS's order-update socket (FYERS-API.md §6), kept connected: the
 * connection to FYERS_ORDER_WS_URL (default wss://socket.fyers.in/trade/v3) with the
 * handshake header "authorization: APP_ID:ACCESS_TOKEN" (a bare token is refused), the
 * subscription {"T":"SUB_ORD","SLIST":["orders","trades","positions"],"SUB_T":1} on
 * every connect, the text "ping" every ping_ms (10 s, as FYERS's SDKs send it), and a
 * reconnect after a close or drop with jittered backoff (1 s doubling to 60 s, reset
 * once a connection has delivered something), except after a TLS certificate that is
 * not trusted: a configuration error, never connected again (exit 78). A socket that says nothing, not even
 * "pong", for 3 ping intervals is taken as dead and reconnected.
 *
 * Messages in the server's short names are decoded (lib/fyers_order.h) into order and
 * trade updates for the caller's handler. The socket is a fast path only: FYERS's
 * socket is known to go silent without an error, so the caller keeps reconciling with
 * the order book and the trade book, which stay the truth. Positions and other
 * messages are ignored; a malformed one is counted and noted, never fatal.
 *
 * Driving it: wait on algo_fyers_orderws_fd() (lib/stage's wake_fd) and call
 * algo_fyers_orderws_service() when it is readable and at least every second (pings,
 * reconnects). Notes (connected, closed and why, reconnecting) go to the note callback;
 * the token is never in them. Nothing here prints or exits.
 *
 * Test hook: ALGO_FYERS_WS_PING_MS sets the ping interval (default 10000). */
#ifndef ALGO_FYERS_ORDERWS_H
#define ALGO_FYERS_ORDERWS_H
#include <stddef.h>
#include <stdint.h>
#include "fyers.h"
#include "fyers_order.h"
#include "ws.h"

enum { ALGO_FYERS_UPD_ORDER = 1, ALGO_FYERS_UPD_TRADE };

struct algo_fyers_update {
	int kind;                         /* ALGO_FYERS_UPD_* */
	struct algo_fyers_orow order;     /* ORDER */
	struct algo_fyers_trade trade;    /* TRADE (symbol may be "") */
};

/* Handles one update; returns 0, or an exit code that stops the service round. */
typedef int (*algo_fyers_update_fn)(void *arg, const struct algo_fyers_update *u, char *err, size_t errlen);

struct algo_fyers_orderws {
	struct algo_ws *ws;
	struct algo_ws_backoff backoff;
	int64_t ping_ms, next_ping, last_heard, reconnect_at;
	int subscribed, ever_open;
	char last_why[256];
	void (*note)(void *arg, const char *msg);
	void *note_arg;
	/* counters, for the run's summary and the tests */
	long connects, updates, malformed, dropped;
};

/* Connects to f's order socket with f's session (f->have_token). Returns 0, or -1
 * with err set (a bad URL, no thread); a connection that fails is retried, not an
 * error. note may be NULL. */
int algo_fyers_orderws_open(struct algo_fyers_orderws *o, const struct algo_fyers *f,
	void (*note)(void *arg, const char *msg), void *note_arg, char *err, size_t errlen);

/* Readable when the socket has something for algo_fyers_orderws_service. */
int algo_fyers_orderws_fd(const struct algo_fyers_orderws *o);

/* Takes what arrived (updates to h), pings, reconnects when due; never blocks. Returns
 * 0, what h returned to stop, or ALGO_EX_CONFIG (78) when the socket's TLS certificate
 * is not trusted (err: "order socket: wss://...: TLS certificate not trusted: ... (set
 * SSL_CERT_FILE to the CA bundle)"). */
int algo_fyers_orderws_service(struct algo_fyers_orderws *o, int64_t now_ms, algo_fyers_update_fn h,
	void *arg, char *err, size_t errlen);

/* Decodes one text message into updates for h. Returns the number of updates, 0 for a
 * message that carries none ("pong", the subscription's answer, positions), -1 for a
 * malformed one (err set), or -2 - rc when h returned rc != 0 (err set by h). */
int algo_fyers_orderws_decode(const char *text, size_t len, algo_fyers_update_fn h, void *arg,
	char *err, size_t errlen);

void algo_fyers_orderws_close(struct algo_fyers_orderws *o);

#endif
