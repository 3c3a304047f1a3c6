/* ws — one WebSocket client connection (RFC 6455) to a ws:// or wss:// URL, on
 * libwebsockets (TLS with host name checks against the CAs lib/tlstrust names:
 * SSL_CERT_FILE and SSL_CERT_DIR as OpenSSL's tools take them, else the system's;
 * framing, masking, fragmentation, ping/pong).
 *
 * The network is served by a thread of the connection's own, so the caller's loop never
 * blocks on it: the caller waits on algo_ws_fd() (e.g. as lib/stage's wake_fd) and, when
 * it is readable, calls algo_ws_dispatch(), which hands what happened to the caller's
 * handler in the caller's thread, in order: the connection opened, a text or binary
 * message (whole, however it was fragmented), a pong, the connection closed (with why).
 * Sends only queue the message and wake the thread; they never wait for the network.
 *
 * A connection is one URL with its headers; it can be connected again after it closed
 * (algo_ws_connect). When to reconnect is the caller's policy: struct algo_ws_backoff
 * below gives the delays. One close is not worth a reconnect: an attempt that failed
 * because the server's certificate is not trusted (tls_untrusted), a configuration
 * error that connecting again cannot mend. Nothing here prints, and libwebsockets' own log is off.
 * Header values (e.g. a token) are never put into messages. Not thread-safe: one caller
 * thread per connection. */
#ifndef ALGO_WS_H
#define ALGO_WS_H
#include <stddef.h>
#include <stdint.h>

struct algo_ws;

enum algo_ws_kind {
	ALGO_WS_OPEN = 1,  /* the handshake succeeded: sends are accepted from now */
	ALGO_WS_TEXT,      /* a text message: data/len (also NUL-terminated) */
	ALGO_WS_BINARY,    /* a binary message: data/len */
	ALGO_WS_PONG,      /* the server answered a ping */
	ALGO_WS_CLOSED     /* the connection (or the attempt) ended: data = why, as text */
};

struct algo_ws_event {
	int kind;          /* enum algo_ws_kind */
	const char *data;  /* valid during the handler call only */
	size_t len;
	int close_code;    /* ALGO_WS_CLOSED: the server's close code, 0 if it sent none */
	int http_status;   /* ALGO_WS_CLOSED: the handshake's HTTP status when refused, else 0 */
	int tls_untrusted; /* ALGO_WS_CLOSED: the server's TLS certificate failed verification;
	                    * data = "wss://HOST:PORT/PATH: TLS certificate not trusted: WHY
	                    * (set SSL_CERT_FILE to the CA bundle)" (lib/tlstrust.h) */
};

/* Handles one event; returns 0 to go on, anything else stops this dispatch round (the
 * value is returned by algo_ws_dispatch; the events not yet handled wait for the next). */
typedef int (*algo_ws_handler)(void *arg, const struct algo_ws_event *ev);

struct algo_ws_opts {
	const char *url;              /* ws://host[:port]/path or wss://... */
	const char *const *headers;   /* "name: value" strings, NULL-terminated, or NULL */
	int connect_timeout_s;        /* TCP + TLS + handshake; 0: 10 s */
	size_t max_message;           /* a longer message closes the connection (1009); 0: 16 MiB */
};

/* Checks the URL, starts the connection's thread and a first connection attempt.
 * Returns 0 and *out (free with algo_ws_free), or -1 with err set (a bad URL, no
 * thread, no libwebsockets context); a failing attempt is reported later as
 * ALGO_WS_CLOSED, never here. The options' strings are copied. */
int algo_ws_open(struct algo_ws **out, const struct algo_ws_opts *o, char *err, size_t errlen);

/* Readable when events wait for algo_ws_dispatch. Owned by the connection. */
int algo_ws_fd(const struct algo_ws *ws);

/* Hands every waiting event to h(arg, ev) in order, without blocking. Returns 0 when
 * all were handled, or what h returned to stop. */
int algo_ws_dispatch(struct algo_ws *ws, algo_ws_handler h, void *arg);

/* Whether the connection is open as far as the events handled so far tell. */
int algo_ws_is_open(const struct algo_ws *ws);

/* Queues a message (binary: a binary frame, else text). Returns 0, or -1 with err set
 * when the connection is not open (queued messages of a connection that closes are
 * dropped). */
int algo_ws_send(struct algo_ws *ws, int binary, const void *data, size_t len, char *err, size_t errlen);

/* Queues a ping frame (an empty payload); the answer is an ALGO_WS_PONG. Returns 0 or
 * -1 as algo_ws_send. */
int algo_ws_ping(struct algo_ws *ws, char *err, size_t errlen);

/* Starts a new connection attempt; an open connection is dropped first (its
 * ALGO_WS_CLOSED comes before the new attempt's events). For a reconnect after a close,
 * or a socket that went silent. */
void algo_ws_connect(struct algo_ws *ws);

/* Closes the connection (a close frame when open), stops the thread and frees
 * everything. NULL is fine. */
void algo_ws_free(struct algo_ws *ws);

/* Reconnect delays: min_ms, doubling to max_ms, each drawn with "equal jitter" (between
 * half the ceiling and the ceiling) so many clients do not come back in step. */
struct algo_ws_backoff {
	long min_ms, max_ms;   /* set by the caller */
	long ceiling_ms;       /* 0 at the start and after a reset */
	uint64_t rng;          /* any seed; 0 is fine */
};

/* The next delay in ms (and the ceiling doubles). */
long algo_ws_backoff_next(struct algo_ws_backoff *b);

/* Back to min_ms, e.g. once a connection has stayed up. */
void algo_ws_backoff_reset(struct algo_ws_backoff *b);

#endif
