/* http — one HTTP(S) request at a time over libcurl, for the broker, market-data and
 * alert clients (lib/fyers*.c, lib/telegram.c and the like).
 *
 * What every caller gets: TLS certificate and host verification on (never turned
 * off), against the CAs lib/tlstrust names (SSL_CERT_FILE, SSL_CERT_DIR), connect and total time-outs, an explicit User-Agent, connection reuse across
 * requests on one handle, the reply's status, body and Retry-After, and an answer to
 * the question that matters for orders: could the request have reached the server?
 *
 * No retries happen here. Whether a request may be sent again is the caller's
 * decision: a quote may be fetched twice, an order must never be placed twice.
 *
 * A handle is used by one thread at a time; separate handles may run in parallel
 * threads. Nothing here prints or exits. */
#ifndef ALGO_HTTP_H
#define ALGO_HTTP_H
#include <stddef.h>
#include <stdint.h>

#define ALGO_HTTP_BODY_MAX (64L << 20)   /* a larger reply fails with ALGO_HTTP_ETOOBIG */

/* Failure classes of algo_http_do. NOTSENT: nothing reached the server (name lookup,
 * refused connection, TLS handshake): safe to send again. MAYBE: the request was
 * written, or may have been, and no complete reply came (time-out, a connection
 * dropped after the send): the server may have acted on it. */
enum {
	ALGO_HTTP_OK = 0,
	ALGO_HTTP_NOTSENT = -1,
	ALGO_HTTP_MAYBE = -2,
	ALGO_HTTP_ETOOBIG = -3,     /* reply larger than ALGO_HTTP_BODY_MAX */
	ALGO_HTTP_ENOMEM = -4,
	ALGO_HTTP_EUSAGE = -5,      /* a bad URL or method */
	ALGO_HTTP_ETLS = -6,        /* the server's certificate failed verification (or the
	                             * CA file named cannot be used): nothing was sent, and
	                             * sending again cannot help; a configuration error */
};

struct algo_http {
	void *curl;                 /* CURL * */
	char agent[128];
};

struct algo_http_req {
	const char *method;         /* GET POST PUT PATCH DELETE */
	const char *url;
	const char *const *headers; /* "Name: value" strings, NULL-terminated; NULL: none */
	const char *body;           /* NULL: no body (a DELETE may carry one) */
	size_t body_len;
	long connect_timeout_ms;    /* 0: 5,000 */
	long timeout_ms;            /* whole request; 0: 15,000 */
	int once;                   /* not idempotent (placing an order): sent on a fresh
	                             * connection, because libcurl silently sends a request
	                             * again when a reused connection turns out dead */
};

struct algo_http_resp {
	long status;                /* HTTP status; 0 when no reply came */
	char *body;                 /* NUL-terminated, owned; algo_http_resp_free */
	size_t len;
	long retry_after_ms;        /* Retry-After (seconds) or X-Retry-After-Ms; -1 none */
	int64_t date_ms;            /* the server's Date header (epoch ms, whole seconds); 0 none */
	double seconds;             /* time the request took */
};

/* A handle with User-Agent "agent" (e.g. "algo/0.1.0"). Returns 0, or -1 with err set
 * when libcurl cannot start. Free with algo_http_free. */
int algo_http_init(struct algo_http *h, const char *agent, char *err, size_t errlen);
void algo_http_free(struct algo_http *h);

/* Sends rq and waits for the reply. Returns ALGO_HTTP_OK whenever a complete reply
 * came, whatever its status (rs->status says: 429 and 5xx are replies too), or one of
 * the failure classes above with err set ("connect to 127.0.0.1:8080: Connection
 * refused"). rs is always initialised and must be freed with algo_http_resp_free. */
int algo_http_do(struct algo_http *h, const struct algo_http_req *rq, struct algo_http_resp *rs,
	char *err, size_t errlen);
void algo_http_resp_free(struct algo_http_resp *rs);

/* Percent-encodes s for a URL query value (RFC 3986 unreserved characters kept) into
 * out. Returns the length, or -1 when it does not fit in outlen (NUL included). */
long algo_http_escape(const char *s, char *out, size_t outlen);

#endif
