/* fyers — the FYERS API v3 client shared by algo-feed (market data) and
 * algo-exec-fyers (account, and live trading).
 *
 * One handle holds the configuration from the environment, the session (lib/
 * fyers_token.h), one HTTP connection (lib/http.h: TLS always verified) and the
 * account's shared request budget (lib/ratelimit.h). algo_fyers_request sends one
 * call and gives back the reply decoded: the envelope {"s","code","message"} checked,
 * the error mapped to a class with a clear message, and retried — with exponential
 * backoff and full jitter, honouring Retry-After / X-Retry-After-Ms — only when the
 * call may safely be sent twice. A call flagged ALGO_FYERS_ONCE (placing or modifying
 * an order) is never sent again here: its class says whether it may have reached the
 * broker, and the caller reconciles against the order book before anything else.
 *
 * Environment (read by algo_fyers_open):
 *   FYERS_APP_ID        the app id, e.g. XXXX-100 (required)
 *   FYERS_REDIRECT_URI  the app's redirect URI (login only)
 *   FYERS_SECRET or FYERS_SECRET_FILE (a file of mode 0600): the app secret (login and
 *                       refresh only; never in argv, never printed)
 *   FYERS_API_BASE      default https://api-t1.fyers.in/api/v3
 *   FYERS_DATA_BASE     default https://api-t1.fyers.in/data
 *   FYERS_ORDER_WS_URL  default wss://socket.fyers.in/trade/v3
 *   FYERS_DATA_WS_URL   default wss://socket.fyers.in/hsm/v1-5/prod
 *   FYERS_TOKEN_FILE    default $XDG_CONFIG_HOME/algo/fyers-token.json
 *   FYERS_RATE_PER_SEC, FYERS_RATE_PER_MIN  the shared budget (default 8 and 180, under
 *                       FYERS's 10/s and 200/min)
 * Base URLs must be https, or plain http to a loopback address (test mocks): a token
 * never travels in clear text over a network.
 *
 * A handle is used by one thread at a time. Nothing here prints or exits; progress
 * worth telling (a rate-limit wait, a retry) goes to the optional notice callback. */
#ifndef ALGO_FYERS_H
#define ALGO_FYERS_H
#include "fyers_token.h"
#include "http.h"
#include "ratelimit.h"
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* Error classes: what went wrong, and so what the caller should do. Each maps to an
 * exit code (algo_fyers_exit_code) documented in algo-exec-fyers(1) and algo-feed(1). */
enum algo_fyers_class {
	ALGO_FYERS_OK = 0,
	ALGO_FYERS_EAUTH,     /* no session, token expired or rejected (-8 -15 -16 -17, 401),
	                       * bad app id hash (-371), bad auth code or refresh token:
	                       * log in again, never loop (exit 77) */
	ALGO_FYERS_EPERM,     /* the app or account lacks a permission (-373, 403) (77) */
	ALGO_FYERS_ERATE,     /* rate limited (429, -429, -353) beyond the wait allowed, or the
	                       * day's budget spent (75: try later) */
	ALGO_FYERS_EUNAVAIL,  /* 5xx, OMS connection errors -201…-205, network failures, after
	                       * the retries allowed (69) */
	ALGO_FYERS_EBADREQ,   /* the broker refused the request as invalid: -50, -300 invalid
	                       * symbol, history range errors -339…-356, -351 too many symbols
	                       * (65) */
	ALGO_FYERS_EREJECT,   /* an order rejected (-99 and order-field errors) (65) */
	ALGO_FYERS_ESTATE,    /* nothing to do: already cancelled/traded/rejected (-161 -162
	                       * -164), no position or pending order (-397 -398 -399) (65) */
	ALGO_FYERS_EMAYBE,    /* an ALGO_FYERS_ONCE call may have reached the broker and no
	                       * clear answer came (time-out, dropped connection, 5xx, or code
	                       * 201 "no ack"): never resend blindly, reconcile first (75) */
	ALGO_FYERS_EPROTO,    /* the reply is not the API's JSON envelope (69) */
	ALGO_FYERS_ECONFIG,   /* the environment is missing or wrong (78) */
	ALGO_FYERS_ETLS,      /* the broker's TLS certificate is not trusted (or the CA file
	                       * named in SSL_CERT_FILE cannot be used): nothing was sent,
	                       * never retried; set SSL_CERT_FILE or SSL_CERT_DIR (78) */
	ALGO_FYERS_EFAIL,     /* anything else: out of memory, a local file error (1) */
};

enum algo_fyers_base { ALGO_FYERS_API = 0, ALGO_FYERS_DATA = 1 };

/* Flags of a request. */
#define ALGO_FYERS_NOAUTH 1u  /* no Authorization header (validate-authcode, refresh) */
#define ALGO_FYERS_ONCE   2u  /* not safe to send twice: never retried, sent on a fresh
                               * connection, and uses the priority budget */
#define ALGO_FYERS_PRIO   4u  /* order-path call (order book, cancel): the full budget */

/* What algo_fyers_open needs from the environment. */
#define ALGO_FYERS_NEED_TOKEN    1u  /* a saved session with an unexpired access token */
#define ALGO_FYERS_NEED_SECRET   2u  /* the app secret (login, refresh) */
#define ALGO_FYERS_NEED_REDIRECT 4u  /* FYERS_REDIRECT_URI (login) */
#define ALGO_FYERS_TRY_TOKEN     8u  /* load the session if there is one (have_token says) */

struct algo_fyers_config {
	char app_id[64];
	char redirect_uri[1024];
	char api_base[512];
	char data_base[512];
	char order_ws[512];
	char data_ws[512];
	char token_path[4096];
	char secret[256];            /* "" unless ALGO_FYERS_NEED_SECRET; wiped on close */
};

/* Retry policy for calls that may be sent twice. */
struct algo_fyers_retry {
	int max_attempts;            /* default 4 */
	long base_ms;                /* first backoff ceiling, doubled each time (default 500) */
	long max_backoff_ms;         /* default 8,000 */
	long max_wait_ms;            /* all waits of one call together, budget included
	                              * (default 60,000); a longer Retry-After gives ERATE */
};

struct algo_fyers {
	struct algo_fyers_config cfg;
	struct algo_fyers_token tok;
	int have_token;
	struct algo_http http;
	struct algo_ratelimit rl;
	struct algo_fyers_retry retry;
	long timeout_ms;             /* per HTTP request (default 15,000) */
	uint64_t rng;                /* jitter */
	long requests, retries;      /* sent over this handle's life */
	void (*notice)(void *arg, const char *msg);
	void *notice_arg;
};

/* One call. path is relative to the base ("/profile", "/history"); query is already
 * escaped (algo_http_escape), without the '?'; body (may be NULL) is sent as compact
 * JSON. */
struct algo_fyers_req {
	int base;                    /* enum algo_fyers_base */
	const char *method;          /* GET POST PUT PATCH DELETE */
	const char *path;
	const char *query;
	json_t *body;                /* borrowed */
	unsigned flags;
};

/* A decoded reply. root is the whole JSON reply (owned; NULL when no JSON came).
 * reached: 0 the request never left (safe to send again), 1 it may have reached the
 * broker, 2 the broker answered. */
struct algo_fyers_reply {
	json_t *root;
	long status;                 /* HTTP status, 0 when no reply */
	int code;                    /* envelope code (0 when absent) */
	char s[16];                  /* envelope "s": "ok", "error", "no_data", "" */
	char message[512];           /* envelope message, or our description */
	int cls;                     /* enum algo_fyers_class */
	int attempts;                /* requests sent for this call */
	long waited_ms;              /* time spent waiting for the budget and backoff */
	long retry_after_ms;         /* last Retry-After seen, -1 none */
	int64_t date_ms;             /* the reply's Date header (epoch ms, whole seconds), 0 none */
	int reached;
};

/* Reads the configuration (need: ALGO_FYERS_NEED_* bits), loads the session when asked,
 * opens the HTTP handle (User-Agent "algo/VERSION") and the shared budget keyed by the
 * app id. Returns ALGO_FYERS_OK, or a class with err set: ECONFIG (missing or bad
 * environment: the message names the variable), EAUTH (no session, expired access
 * token, a session of another app), EFAIL. Free with algo_fyers_close either way. */
int algo_fyers_open(struct algo_fyers *f, unsigned need, char *err, size_t errlen);
void algo_fyers_close(struct algo_fyers *f);

/* Sends rq (see the file comment for retries) and decodes the reply into r, which the
 * caller frees with algo_fyers_reply_free whatever the result. Returns r->cls; when
 * not OK, err holds "METHOD PATH: what happened: what to do", e.g.
 * "GET /profile: FYERS -16 Could not authenticate the user: the session is expired or
 * revoked; run 'algo-exec-fyers login'". A reply with "s":"no_data" is OK (empty). */
int algo_fyers_request(struct algo_fyers *f, const struct algo_fyers_req *rq,
	struct algo_fyers_reply *r, char *err, size_t errlen);
void algo_fyers_reply_free(struct algo_fyers_reply *r);

/* The class of a reply: HTTP status, whether a JSON envelope came, its code and s.
 * flags are the request's (ONCE turns an unclear 5xx into EMAYBE). Exported so the
 * socket clients and tests classify the same way. */
int algo_fyers_classify(long status, int has_envelope, int code, const char *s, unsigned flags);

/* A short explanation of a known broker code ("token expired", "range over 100 days
 * for minute resolutions"), or NULL. */
const char *algo_fyers_code_hint(int code);

/* sysexits code of a class (0 for OK): see enum algo_fyers_class. */
int algo_fyers_exit_code(int cls);

/* The app secret from FYERS_SECRET or FYERS_SECRET_FILE (mode 0600, first line).
 * Returns 0, or -1 with err set (naming the variable, never the secret). */
int algo_fyers_secret(char *out, size_t outlen, char *err, size_t errlen);

/* appIdHash: lowercase hex SHA-256 of "APP_ID:SECRET" (65 bytes with NUL). */
void algo_fyers_app_hash(const char *app_id, const char *secret, char out[65]);

/* "Authorization: APP_ID:ACCESS_TOKEN" into out, for the sockets. Returns 0 or -1. */
int algo_fyers_auth_header(const struct algo_fyers *f, char *out, size_t outlen);

/* Calls the notice callback, if any, with a formatted message. */
void algo_fyers_notice(struct algo_fyers *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A JSON number (integer or real) as an exact decimal (1/10,000): reals are rounded to
 * the nearest 1/10,000, as prices on the wire carry at most four decimals. Returns 0,
 * or -1 when v is not a finite number in range. */
int algo_fyers_json_dec(const json_t *v, int64_t *out);

#endif
