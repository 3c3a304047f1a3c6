/* ws — one WebSocket client connection on libwebsockets; contract in ws.h.
 *
 * Threads: libwebsockets' calls are not thread-safe except lws_cancel_service(), so
 * every lws call but that one runs in the connection's service thread. The caller's
 * thread talks to it through two queues under one mutex: requests (messages to send, a
 * connect or a drop) go in and lws_cancel_service() wakes the service thread, which
 * takes them in LWS_CALLBACK_EVENT_WAIT_CANCELLED; events come out and a byte on a pipe
 * wakes the caller's loop, which takes them in algo_ws_dispatch(). */
#include "ws.h"
#include "tlstrust.h"

#include <errno.h>
#include <fcntl.h>
#include <libwebsockets.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_TIMEOUT_S 10
#define DEFAULT_MAX_MESSAGE ((size_t)16 << 20)
#define OUT_PING (-1)

/* A queued event (kind: enum algo_ws_kind) or message to send (kind: ALGO_WS_TEXT,
 * ALGO_WS_BINARY or OUT_PING; data starts after LWS_PRE bytes of room). */
struct item {
	struct item *next;
	int kind, close_code, http_status, tls_untrusted;
	size_t len;
	unsigned char data[];
};

struct queue {
	struct item *head, *tail;
};

struct algo_ws {
	/* what to connect to (read-only after open) */
	char *host, *path, *hostport;
	char *where;                    /* scheme://host:port/path without the query, for messages */
	char **headers;
	int port, tls, timeout_s;
	size_t max_message;
	struct lws_context *ctx;
	pthread_t thread;
	int thread_started;
	int pipe_rd, pipe_wr;

	/* shared, under mu */
	pthread_mutex_t mu;
	struct queue in, out;
	int want_connect, want_drop, stop, live;

	/* service thread only */
	struct lws *wsi;
	int attempt, established, closing, close_code, http_status, tls_untrusted;
	char why[512];
	char verify_err[200];           /* OpenSSL's word on the server's certificate, this attempt */
	unsigned char *rx;
	size_t rx_len, rx_cap;
	int rx_binary;

	/* caller thread only */
	int open;
};

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* ---- queues --------------------------------------------------------------------- */

static struct item *item_new(int kind, const void *data, size_t len, size_t room)
{
	struct item *it = malloc(sizeof *it + room + len + 1);
	if (!it)
		return NULL;
	memset(it, 0, sizeof *it);
	it->kind = kind;
	it->len = len;
	if (len)
		memcpy(it->data + room, data, len);
	it->data[room + len] = 0;
	return it;
}

static void queue_push(struct queue *q, struct item *it)
{
	it->next = NULL;
	if (q->tail)
		q->tail->next = it;
	else
		q->head = it;
	q->tail = it;
}

static struct item *queue_pop(struct queue *q)
{
	struct item *it = q->head;
	if (it) {
		q->head = it->next;
		if (!q->head)
			q->tail = NULL;
	}
	return it;
}

static void queue_clear(struct queue *q)
{
	struct item *it;
	while ((it = queue_pop(q)))
		free(it);
}

/* ---- service thread: events out ------------------------------------------------- */

static void wake_caller(struct algo_ws *ws)
{
	ssize_t n = write(ws->pipe_wr, "x", 1);
	(void)n; /* a full pipe already wakes the caller */
}

static void emit(struct algo_ws *ws, int kind, const void *data, size_t len)
{
	struct item *it = item_new(kind, data, len, 0);
	if (!it)
		return; /* out of memory: the event is lost, as the network could lose it */
	it->close_code = ws->close_code;
	it->http_status = ws->http_status;
	it->tls_untrusted = ws->tls_untrusted;
	pthread_mutex_lock(&ws->mu);
	queue_push(&ws->in, it);
	pthread_mutex_unlock(&ws->mu);
	wake_caller(ws);
}

/* The first reason an attempt ends is the one reported. */
static void note_why(struct algo_ws *ws, const char *why)
{
	if (!ws->why[0])
		snprintf(ws->why, sizeof ws->why, "%s", why);
}

/* The attempt or connection ended: report it once, drop what was queued for it, and
 * start the next attempt if one was asked for meanwhile. */
static void gone(struct algo_ws *ws)
{
	int again;
	if (!ws->attempt)
		return;
	ws->attempt = 0;
	ws->wsi = NULL;
	if (!ws->why[0])
		snprintf(ws->why, sizeof ws->why, "%s", ws->established ? "connection lost" : "cannot connect");
	emit(ws, ALGO_WS_CLOSED, ws->why, strlen(ws->why));
	pthread_mutex_lock(&ws->mu);
	queue_clear(&ws->out);
	ws->live = 0;
	again = ws->want_connect;
	pthread_mutex_unlock(&ws->mu);
	if (again)
		lws_cancel_service(ws->ctx);
}

/* ---- service thread: requests in ------------------------------------------------ */

static void connect_now(struct algo_ws *ws)
{
	struct lws_client_connect_info ci;
	struct lws *w;
	memset(&ci, 0, sizeof ci);
	ci.context = ws->ctx;
	ci.address = ws->host;
	ci.port = ws->port;
	ci.path = ws->path;
	ci.host = ws->hostport;
	ci.origin = ws->hostport;
	ci.ssl_connection = ws->tls ? LCCSCF_USE_SSL : 0;
	ci.alpn = "http/1.1";
	ci.local_protocol_name = "algo-ws";
	ws->attempt = 1;
	ws->established = ws->closing = ws->close_code = ws->http_status = ws->tls_untrusted = 0;
	ws->why[0] = ws->verify_err[0] = 0;
	pthread_mutex_lock(&ws->mu);
	ws->live = 1;
	pthread_mutex_unlock(&ws->mu);
	w = lws_client_connect_via_info(&ci);
	if (!w)
		gone(ws);
	else if (ws->attempt)
		ws->wsi = w;
}

static void take_requests(struct algo_ws *ws)
{
	int do_connect = 0, do_drop, do_write;
	pthread_mutex_lock(&ws->mu);
	do_drop = ws->want_drop;
	ws->want_drop = 0;
	if (ws->want_connect && !ws->attempt && !do_drop) {
		ws->want_connect = 0;
		do_connect = 1;
	}
	do_write = ws->out.head != NULL;
	pthread_mutex_unlock(&ws->mu);
	if (do_drop && ws->wsi) {
		note_why(ws, "closed by us");
		if (ws->established) {
			ws->closing = 1;
			lws_callback_on_writable(ws->wsi);
		} else {
			lws_set_timeout(ws->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
		}
		return;
	}
	if (do_drop) /* nothing open: a connect asked for with it can go ahead */
		lws_cancel_service(ws->ctx);
	if (do_connect)
		connect_now(ws);
	else if (do_write && ws->wsi && ws->established)
		lws_callback_on_writable(ws->wsi);
}

static int write_next(struct algo_ws *ws, struct lws *wsi)
{
	struct item *it;
	int more, n;
	enum lws_write_protocol proto;
	if (ws->closing) {
		lws_close_reason(wsi, LWS_CLOSE_STATUS_NORMAL, NULL, 0);
		return -1;
	}
	pthread_mutex_lock(&ws->mu);
	it = queue_pop(&ws->out);
	more = ws->out.head != NULL;
	pthread_mutex_unlock(&ws->mu);
	if (!it)
		return 0;
	proto = it->kind == ALGO_WS_BINARY ? LWS_WRITE_BINARY : it->kind == OUT_PING ? LWS_WRITE_PING : LWS_WRITE_TEXT;
	n = lws_write(wsi, it->data + LWS_PRE, it->len, proto);
	free(it);
	if (n < 0) {
		note_why(ws, "send failed");
		return -1;
	}
	if (more)
		lws_callback_on_writable(wsi);
	return 0;
}

/* ---- service thread: receiving -------------------------------------------------- */

static int receive(struct algo_ws *ws, struct lws *wsi, const void *in, size_t len)
{
	if (lws_is_first_fragment(wsi)) {
		ws->rx_len = 0;
		ws->rx_binary = lws_frame_is_binary(wsi);
	}
	if (ws->rx_len + len > ws->max_message) {
		char why[64];
		snprintf(why, sizeof why, "a message over %zu bytes", ws->max_message);
		note_why(ws, why);
		lws_close_reason(wsi, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE, NULL, 0);
		return -1;
	}
	if (ws->rx_len + len > ws->rx_cap) {
		size_t cap = ws->rx_cap ? ws->rx_cap : 4096;
		unsigned char *p;
		while (cap < ws->rx_len + len)
			cap *= 2;
		p = realloc(ws->rx, cap);
		if (!p) {
			note_why(ws, "out of memory");
			return -1;
		}
		ws->rx = p;
		ws->rx_cap = cap;
	}
	if (len)
		memcpy(ws->rx + ws->rx_len, in, len);
	ws->rx_len += len;
	if (lws_is_final_fragment(wsi) && !lws_remaining_packet_payload(wsi)) {
		emit(ws, ws->rx_binary ? ALGO_WS_BINARY : ALGO_WS_TEXT, ws->rx, ws->rx_len);
		ws->rx_len = 0;
	}
	return 0;
}

static int append_headers(struct algo_ws *ws, struct lws *wsi, void *in, size_t len)
{
	unsigned char **p = in, *end = *p + len;
	for (char **h = ws->headers; h && *h; h++) {
		const char *colon = strchr(*h, ':'), *v;
		char name[128];
		size_t nl = (size_t)(colon - *h);
		if (nl + 2 > sizeof name)
			return -1;
		memcpy(name, *h, nl + 1); /* with the colon, as lws wants it */
		name[nl + 1] = 0;
		for (v = colon + 1; *v == ' '; v++)
			;
		if (lws_add_http_header_by_name(wsi, (const unsigned char *)name, (const unsigned char *)v,
						(int)strlen(v), p, end)) {
			note_why(ws, "the handshake headers are too long");
			return -1;
		}
	}
	return 0;
}

static void peer_close(struct algo_ws *ws, const unsigned char *in, size_t len)
{
	char why[64];
	ws->close_code = len >= 2 ? in[0] << 8 | in[1] : 0;
	if (ws->close_code)
		snprintf(why, sizeof why, "closed by the server (code %d)", ws->close_code);
	else
		snprintf(why, sizeof why, "closed by the server");
	note_why(ws, why);
}

/* ---- service thread: TLS trust -------------------------------------------------- */

/* SSL_CERT_DIR besides the bundle (libwebsockets itself takes a file only). */
static void load_ca_dir(SSL_CTX *ctx)
{
	const char *dir = algo_tls_ca_dir();
	if (ctx && dir)
		SSL_CTX_load_verify_locations(ctx, NULL, dir);   /* a bad one: verification says so */
}

/* OpenSSL's verdict on one certificate of the server's chain: the first refusal is
 * kept for the message. Its verdict stands (we return 0: no override). */
static void note_verify(struct algo_ws *ws, X509_STORE_CTX *x, size_t preverify_ok)
{
	int e;
	if (preverify_ok || !x || ws->verify_err[0])
		return;
	e = X509_STORE_CTX_get_error(x);
	snprintf(ws->verify_err, sizeof ws->verify_err, "certificate verify failed: %s",
		X509_verify_cert_error_string(e));
}

/* The attempt failed on the server's certificate: the words of every client
 * (lib/tlstrust.h), naming an SSL_CERT_FILE that cannot be read. */
static void untrusted(struct algo_ws *ws)
{
	const char *file = algo_tls_ca_file();
	char why[sizeof ws->verify_err + 4200];
	if (file && access(file, R_OK))
		snprintf(why, sizeof why, "%s (SSL_CERT_FILE %s cannot be read: %s)", ws->verify_err, file, strerror(errno));
	else
		snprintf(why, sizeof why, "%s", ws->verify_err);
	ws->tls_untrusted = 1;
	algo_tls_untrusted(ws->why, sizeof ws->why, ws->where, why);
}

static void connection_error(struct algo_ws *ws, struct lws *wsi, const char *in)
{
	ws->http_status = wsi ? (int)lws_http_client_http_response(wsi) : 0;
	if (ws->verify_err[0] && !ws->why[0]) {
		ws->http_status = 0;
		untrusted(ws);
	} else if (ws->http_status && ws->http_status != 101) {
		char why[64];
		snprintf(why, sizeof why, "the server refused the connection (HTTP %d)", ws->http_status);
		note_why(ws, why);
	} else {
		char why[200];
		ws->http_status = 0;
		snprintf(why, sizeof why, "cannot connect: %s", in && *in ? in : "no answer");
		note_why(ws, why);
	}
	gone(ws);
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
	struct lws_context *cx = lws_get_context(wsi);
	struct algo_ws *ws = cx ? lws_context_user(cx) : NULL;
	if (!ws)
		return 0;
	switch (reason) {
	case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
		take_requests(ws);
		return 0;
	case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER:
		return append_headers(ws, wsi, in, len);
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		ws->established = 1;
		emit(ws, ALGO_WS_OPEN, NULL, 0);
		take_requests(ws);
		return 0;
	case LWS_CALLBACK_CLIENT_RECEIVE:
		return receive(ws, wsi, in, len);
	case LWS_CALLBACK_CLIENT_RECEIVE_PONG:
		emit(ws, ALGO_WS_PONG, in, len);
		return 0;
	case LWS_CALLBACK_CLIENT_WRITEABLE:
		return write_next(ws, wsi);
	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
		peer_close(ws, in, len);
		return 0;
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		connection_error(ws, wsi, in);
		return 0;
	case LWS_CALLBACK_OPENSSL_LOAD_EXTRA_CLIENT_VERIFY_CERTS:
		load_ca_dir(user);
		return 0;
	case LWS_CALLBACK_OPENSSL_PERFORM_SERVER_CERT_VERIFICATION:
		note_verify(ws, user, len);
		return 0;
	case LWS_CALLBACK_CLIENT_CLOSED:
		gone(ws);
		return 0;
	case LWS_CALLBACK_WSI_DESTROY:
		if (wsi == ws->wsi)
			gone(ws);
		return 0;
	default:
		return 0;
	}
}

static const struct lws_protocols protocols[] = {
	{ "algo-ws", callback, 0, 0, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 },
};

static void *service(void *arg)
{
	struct algo_ws *ws = arg;
	for (;;) {
		int stop;
		pthread_mutex_lock(&ws->mu);
		stop = ws->stop;
		pthread_mutex_unlock(&ws->mu);
		if (stop || lws_service(ws->ctx, 0) < 0)
			break;
	}
	return NULL;
}

/* ---- caller side ---------------------------------------------------------------- */

static void quiet(int level, const char *line)
{
	(void)level;
	(void)line;
}

/* ws://host[:port][/path] or wss://...; host may be [v6]. */
static int parse_url(struct algo_ws *ws, const char *url, char *err, size_t errlen)
{
	const char *p, *host, *hend, *path;
	size_t hl;
	if (!url || !*url)
		return set_err(err, errlen, "no WebSocket URL"), -1;
	if (!strncmp(url, "wss://", 6)) {
		ws->tls = 1;
		p = url + 6;
	} else if (!strncmp(url, "ws://", 5)) {
		p = url + 5;
	} else {
		return set_err(err, errlen, "'%s' is not a ws:// or wss:// URL", url), -1;
	}
	ws->port = ws->tls ? 443 : 80;
	host = p;
	if (*p == '[') {
		hend = strchr(p, ']');
		if (!hend)
			return set_err(err, errlen, "'%s': unterminated [address]", url), -1;
		host = p + 1;
		p = hend + 1;
	} else {
		p += strcspn(p, ":/?");
		hend = p;
	}
	hl = (size_t)(hend - host);
	if (!hl)
		return set_err(err, errlen, "'%s' has no host", url), -1;
	if (*p == ':') {
		char *e;
		long port = strtol(p + 1, &e, 10);
		if (e == p + 1 || port < 1 || port > 65535 || (*e && *e != '/' && *e != '?'))
			return set_err(err, errlen, "'%s' has a bad port", url), -1;
		ws->port = (int)port;
		p = e;
	}
	path = *p ? p : "/";
	ws->host = strndup(host, hl);
	ws->path = *path == '/' ? strdup(path) : NULL;
	if (*path != '/' && asprintf(&ws->path, "/%s", path) < 0)
		ws->path = NULL;
	if (asprintf(&ws->hostport, "%s:%d", ws->host ? ws->host : "", ws->port) < 0)
		ws->hostport = NULL;
	if (asprintf(&ws->where, "%s://%s%.*s", ws->tls ? "wss" : "ws", ws->hostport ? ws->hostport : "",
		     (int)strcspn(ws->path ? ws->path : "", "?#"), ws->path ? ws->path : "") < 0)
		ws->where = NULL;
	if (!ws->host || !ws->path || !ws->hostport || !ws->where)
		return set_err(err, errlen, "out of memory"), -1;
	if ((ws->tls && ws->port == 443) || (!ws->tls && ws->port == 80)) {
		free(ws->hostport);
		ws->hostport = strdup(ws->host);
		if (!ws->hostport)
			return set_err(err, errlen, "out of memory"), -1;
	}
	return 0;
}

static int copy_headers(struct algo_ws *ws, const char *const *headers, char *err, size_t errlen)
{
	size_t n = 0;
	while (headers && headers[n])
		n++;
	ws->headers = calloc(n + 1, sizeof *ws->headers);
	if (!ws->headers)
		return set_err(err, errlen, "out of memory"), -1;
	for (size_t i = 0; i < n; i++) {
		const char *c = strchr(headers[i], ':');
		if (!c || c == headers[i] || (size_t)(c - headers[i]) > 100)
			return set_err(err, errlen, "header %zu is not 'name: value'", i + 1), -1;
		ws->headers[i] = strdup(headers[i]);
		if (!ws->headers[i])
			return set_err(err, errlen, "out of memory"), -1;
	}
	return 0;
}

static int make_context(struct algo_ws *ws, char *err, size_t errlen)
{
	struct lws_context_creation_info info;
	memset(&info, 0, sizeof info);
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = protocols;
	info.gid = (gid_t)-1;
	info.uid = (uid_t)-1;
	info.user = ws;
	info.fd_limit_per_thread = 16;
	info.timeout_secs = (unsigned)ws->timeout_s;
	info.connect_timeout_secs = (unsigned)ws->timeout_s;
	if (ws->tls) {
		info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
		info.client_ssl_ca_filepath = algo_tls_ca_bundle();
	}
	lws_set_log_level(0, quiet);
	ws->ctx = lws_create_context(&info);
	if (!ws->ctx)
		return set_err(err, errlen, "cannot set up the WebSocket client (libwebsockets)"), -1;
	return 0;
}

int algo_ws_open(struct algo_ws **out, const struct algo_ws_opts *o, char *err, size_t errlen)
{
	struct algo_ws *ws = calloc(1, sizeof *ws);
	int fds[2];
	*out = NULL;
	if (!ws)
		return set_err(err, errlen, "out of memory"), -1;
	ws->pipe_rd = ws->pipe_wr = -1;
	pthread_mutex_init(&ws->mu, NULL);
	ws->timeout_s = o->connect_timeout_s > 0 ? o->connect_timeout_s : DEFAULT_TIMEOUT_S;
	ws->max_message = o->max_message ? o->max_message : DEFAULT_MAX_MESSAGE;
	if (parse_url(ws, o->url, err, errlen) || copy_headers(ws, o->headers, err, errlen))
		goto fail;
	if (pipe2(fds, O_NONBLOCK | O_CLOEXEC)) {
		set_err(err, errlen, "pipe: %s", strerror(errno));
		goto fail;
	}
	ws->pipe_rd = fds[0];
	ws->pipe_wr = fds[1];
	if (make_context(ws, err, errlen))
		goto fail;
	ws->want_connect = 1;
	if (pthread_create(&ws->thread, NULL, service, ws)) {
		set_err(err, errlen, "cannot start the WebSocket thread");
		goto fail;
	}
	ws->thread_started = 1;
	lws_cancel_service(ws->ctx);
	*out = ws;
	return 0;
fail:
	algo_ws_free(ws);
	return -1;
}

int algo_ws_fd(const struct algo_ws *ws)
{
	return ws->pipe_rd;
}

int algo_ws_is_open(const struct algo_ws *ws)
{
	return ws->open;
}

int algo_ws_dispatch(struct algo_ws *ws, algo_ws_handler h, void *arg)
{
	char buf[256];
	while (read(ws->pipe_rd, buf, sizeof buf) > 0)
		;
	for (;;) {
		struct item *it;
		struct algo_ws_event ev;
		int rc;
		pthread_mutex_lock(&ws->mu);
		it = queue_pop(&ws->in);
		pthread_mutex_unlock(&ws->mu);
		if (!it)
			return 0;
		if (it->kind == ALGO_WS_OPEN)
			ws->open = 1;
		else if (it->kind == ALGO_WS_CLOSED)
			ws->open = 0;
		ev.kind = it->kind;
		ev.data = (const char *)it->data;
		ev.len = it->len;
		ev.close_code = it->close_code;
		ev.http_status = it->http_status;
		ev.tls_untrusted = it->tls_untrusted;
		rc = h(arg, &ev);
		free(it);
		if (rc) {
			pthread_mutex_lock(&ws->mu);
			if (ws->in.head)
				wake_caller(ws); /* the rest waits: keep the fd readable */
			pthread_mutex_unlock(&ws->mu);
			return rc;
		}
	}
}

static int queue_out(struct algo_ws *ws, int kind, const void *data, size_t len, char *err, size_t errlen)
{
	struct item *it;
	if (!ws->open)
		return set_err(err, errlen, "the WebSocket is not connected"), -1;
	it = item_new(kind, data, len, LWS_PRE);
	if (!it)
		return set_err(err, errlen, "out of memory"), -1;
	pthread_mutex_lock(&ws->mu);
	queue_push(&ws->out, it);
	pthread_mutex_unlock(&ws->mu);
	lws_cancel_service(ws->ctx);
	return 0;
}

int algo_ws_send(struct algo_ws *ws, int binary, const void *data, size_t len, char *err, size_t errlen)
{
	return queue_out(ws, binary ? ALGO_WS_BINARY : ALGO_WS_TEXT, data, len, err, errlen);
}

int algo_ws_ping(struct algo_ws *ws, char *err, size_t errlen)
{
	return queue_out(ws, OUT_PING, NULL, 0, err, errlen);
}

void algo_ws_connect(struct algo_ws *ws)
{
	pthread_mutex_lock(&ws->mu);
	ws->want_drop = ws->live;
	ws->want_connect = 1;
	pthread_mutex_unlock(&ws->mu);
	ws->open = 0;
	lws_cancel_service(ws->ctx);
}

/* Asks for a polite close and gives it a moment, so the server sees a close frame. */
static void close_politely(struct algo_ws *ws)
{
	for (int i = 0; i < 50; i++) {
		int live;
		pthread_mutex_lock(&ws->mu);
		if (i == 0) {
			ws->want_drop = ws->live;
			ws->want_connect = 0;
		}
		live = ws->live;
		pthread_mutex_unlock(&ws->mu);
		if (!live)
			return;
		if (i == 0)
			lws_cancel_service(ws->ctx);
		usleep(10000);
	}
}

void algo_ws_free(struct algo_ws *ws)
{
	if (!ws)
		return;
	if (ws->thread_started) {
		close_politely(ws);
		pthread_mutex_lock(&ws->mu);
		ws->stop = 1;
		pthread_mutex_unlock(&ws->mu);
		lws_cancel_service(ws->ctx);
		pthread_join(ws->thread, NULL);
	}
	if (ws->ctx)
		lws_context_destroy(ws->ctx);
	queue_clear(&ws->in);
	queue_clear(&ws->out);
	if (ws->pipe_rd >= 0)
		close(ws->pipe_rd);
	if (ws->pipe_wr >= 0)
		close(ws->pipe_wr);
	for (char **h = ws->headers; h && *h; h++)
		free(*h);
	free(ws->headers);
	free(ws->host);
	free(ws->path);
	free(ws->hostport);
	free(ws->where);
	free(ws->rx);
	pthread_mutex_destroy(&ws->mu);
	free(ws);
}

/* ---- backoff -------------------------------------------------------------------- */

static uint64_t next_random(uint64_t *s)
{
	/* xorshift64*: jitter needs spread, not secrecy */
	uint64_t x = *s ? *s : 0x9E3779B97F4A7C15ull;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 2685821657736338717ull;
}

long algo_ws_backoff_next(struct algo_ws_backoff *b)
{
	long c;
	if (b->ceiling_ms <= 0)
		b->ceiling_ms = b->min_ms > 0 ? b->min_ms : 1;
	c = b->ceiling_ms;
	b->ceiling_ms = c > b->max_ms / 2 ? (b->max_ms > c ? b->max_ms : c) : c * 2;
	return c / 2 + (long)(next_random(&b->rng) % (uint64_t)(c - c / 2 + 1));
}

void algo_ws_backoff_reset(struct algo_ws_backoff *b)
{
	b->ceiling_ms = 0;
}
