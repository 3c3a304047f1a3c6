/* lib/ws against the echo server of tests/mock/wslib.py (URL in $WS_URL): the
 * handshake with extra headers, text and binary echo, a message of 16-bit and of 64-bit
 * length, a fragmented one, ping/pong, a server close, a dropped connection and a
 * refused handshake reported as ALGO_WS_CLOSED, reconnecting, and the backoff. Without
 * $WS_URL only the parts that need no server run. With $WSS_URL (the echo server behind
 * TLS, its CA in $WSS_CA, a hashed directory of it in $WSS_CA_DIR): an untrusted
 * certificate is a close with tls_untrusted and the words of lib/tlstrust, and
 * SSL_CERT_FILE or SSL_CERT_DIR make it trusted. Run from tests/64-ws.bats. */
#include "ws.h"
#include "tap.h"

#include <poll.h>
#include <stdlib.h>
#include <time.h>

#define MAXEV 32

struct seen {
	int n;
	int kind[MAXEV], code[MAXEV], status[MAXEV], tls[MAXEV];
	size_t len[MAXEV];
	char *data[MAXEV];
};

static void seen_clear(struct seen *s)
{
	for (int i = 0; i < s->n; i++)
		free(s->data[i]);
	s->n = 0;
}

static int record(void *arg, const struct algo_ws_event *ev)
{
	struct seen *s = arg;
	if (s->n == MAXEV)
		return 1;
	s->kind[s->n] = ev->kind;
	s->code[s->n] = ev->close_code;
	s->status[s->n] = ev->http_status;
	s->tls[s->n] = ev->tls_untrusted;
	s->len[s->n] = ev->len;
	s->data[s->n] = malloc(ev->len + 1);
	memcpy(s->data[s->n], ev->data, ev->len);
	s->data[s->n][ev->len] = 0;
	s->n++;
	return 0;
}

static long now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000L + t.tv_nsec / 1000000L;
}

/* Waits (up to 5 s) for an event of kind; returns its index in s, or -1. */
static int wait_for(struct algo_ws *ws, struct seen *s, int kind)
{
	long end = now_ms() + 5000;
	if (!ws)
		return -1;
	for (;;) {
		for (int i = 0; i < s->n; i++)
			if (s->kind[i] == kind)
				return i;
		long left = end - now_ms();
		if (left <= 0)
			return -1;
		struct pollfd p = { .fd = algo_ws_fd(ws), .events = POLLIN };
		if (poll(&p, 1, (int)left) > 0)
			algo_ws_dispatch(ws, record, s);
	}
}

static struct algo_ws *open_ws(const char *base, const char *path, const char *const *headers, struct seen *s)
{
	char url[512], err[256] = "";
	struct algo_ws *ws;
	struct algo_ws_opts o = { 0 };
	snprintf(url, sizeof url, "%s%s", base, path);
	o.url = url;
	o.headers = headers;
	o.connect_timeout_s = 5;
	o.max_message = 4 << 20;
	if (algo_ws_open(&ws, &o, err, sizeof err)) {
		printf("# open: %s\n", err);
		return NULL;
	}
	s->n = 0;
	return ws;
}

static void test_urls(void)
{
	const char *bad[] = { "http://x/", "ws://", "ws://h:0/", "ws://h:99999/", "ws://h:12x/", "wss://[::1/", "", NULL };
	for (int i = 0; bad[i]; i++) {
		struct algo_ws *ws;
		char err[256] = "";
		struct algo_ws_opts o = { 0 };
		o.url = bad[i];
		ok(algo_ws_open(&ws, &o, err, sizeof err) == -1 && err[0] && !ws, "bad URL '%s' refused: %s", bad[i], err);
	}
	{
		struct algo_ws *ws;
		char err[256] = "";
		const char *h[] = { "no colon here", NULL };
		struct algo_ws_opts o = { 0 };
		o.url = "ws://127.0.0.1:9/";
		o.headers = h;
		ok(algo_ws_open(&ws, &o, err, sizeof err) == -1 && strstr(err, "name: value"), "a header without a colon refused: %s", err);
	}
}

static void test_backoff(void)
{
	struct algo_ws_backoff b = { .min_ms = 500, .max_ms = 8000, .rng = 7 };
	long ceil[] = { 500, 1000, 2000, 4000, 8000, 8000, 8000 };
	int inside = 1;
	for (int i = 0; i < 7; i++) {
		long d = algo_ws_backoff_next(&b);
		if (d < ceil[i] / 2 || d > ceil[i])
			inside = 0;
	}
	ok(inside, "backoff delays lie between half the ceiling and the ceiling, 500 ms doubling to 8 s");
	algo_ws_backoff_reset(&b);
	long d = algo_ws_backoff_next(&b);
	ok(d >= 250 && d <= 500, "after a reset the delay starts again at the minimum (%ld)", d);
}

static void test_echo(const char *base)
{
	struct seen s = { 0 };
	const char *h[] = { "authorization: APP-100:tok.en", "x-extra: 1", NULL };
	char err[256];
	int i;
	struct algo_ws *ws = open_ws(base, "/echo", h, &s);
	ok(ws != NULL, "open");
	if (!ws)
		return;
	is_int(algo_ws_send(ws, 0, "early", 5, err, sizeof err), -1, "a send before the connection is open is refused");
	ok(wait_for(ws, &s, ALGO_WS_OPEN) == 0 && algo_ws_is_open(ws), "the connection opens");
	seen_clear(&s);
	algo_ws_send(ws, 0, "headers", 7, err, sizeof err);
	i = wait_for(ws, &s, ALGO_WS_TEXT);
	ok(i >= 0 && strstr(s.data[i], "\"authorization\": \"APP-100:tok.en\"") && strstr(s.data[i], "\"x-extra\": \"1\""),
	   "the extra headers reach the server: %s", i >= 0 ? s.data[i] : "-");
	seen_clear(&s);
	algo_ws_send(ws, 0, "hello", 5, err, sizeof err);
	i = wait_for(ws, &s, ALGO_WS_TEXT);
	ok(i >= 0 && s.len[i] == 5 && !strcmp(s.data[i], "hello"), "text echoed");
	seen_clear(&s);
	{
		unsigned char bin[300];
		for (int k = 0; k < 300; k++)
			bin[k] = (unsigned char)(k * 7);
		algo_ws_send(ws, 1, bin, sizeof bin, err, sizeof err);
		i = wait_for(ws, &s, ALGO_WS_BINARY);
		ok(i >= 0 && s.len[i] == 300 && !memcmp(s.data[i], bin, 300), "binary (16-bit length) echoed whole");
		seen_clear(&s);
	}
	{
		size_t n = 200000;
		unsigned char *big = malloc(n);
		for (size_t k = 0; k < n; k++)
			big[k] = (unsigned char)(k % 253);
		algo_ws_send(ws, 1, big, n, err, sizeof err);
		i = wait_for(ws, &s, ALGO_WS_BINARY);
		ok(i >= 0 && s.len[i] == n && !memcmp(s.data[i], big, n), "a 200 kB client message (64-bit length, masked) echoed");
		seen_clear(&s);
		free(big);
	}
	algo_ws_send(ws, 0, "big 1000000", 11, err, sizeof err);
	i = wait_for(ws, &s, ALGO_WS_BINARY);
	{
		int same = i >= 0 && s.len[i] == 1000000;
		for (size_t k = 0; same && k < 1000000; k++)
			same = (unsigned char)s.data[i][k] == k % 251;
		ok(same, "a 1 MB server message arrives as one message");
	}
	seen_clear(&s);
	algo_ws_send(ws, 0, "frag 70000", 10, err, sizeof err);
	i = wait_for(ws, &s, ALGO_WS_TEXT);
	ok(i >= 0 && s.len[i] == 70000 && s.data[i][69999] == 'x', "a message in three fragments arrives as one");
	seen_clear(&s);
	algo_ws_ping(ws, err, sizeof err);
	ok(wait_for(ws, &s, ALGO_WS_PONG) >= 0, "ping answered by pong");
	seen_clear(&s);
	{
		/* many small messages keep their order */
		int inorder = 1;
		for (int k = 0; k < 20; k++) {
			char m[16];
			int len = snprintf(m, sizeof m, "m%d", k);
			algo_ws_send(ws, 0, m, (size_t)len, err, sizeof err);
		}
		long end = now_ms() + 5000;
		while (s.n < 20 && now_ms() < end) {
			struct pollfd p = { .fd = algo_ws_fd(ws), .events = POLLIN };
			if (poll(&p, 1, 100) > 0)
				algo_ws_dispatch(ws, record, &s);
		}
		for (int k = 0; k < 20 && inorder; k++) {
			char m[16];
			snprintf(m, sizeof m, "m%d", k);
			inorder = k < s.n && !strcmp(s.data[k], m);
		}
		ok(s.n == 20 && inorder, "20 messages echoed in order (%d)", s.n);
		seen_clear(&s);
	}
	algo_ws_send(ws, 0, "close", 5, err, sizeof err);
	i = wait_for(ws, &s, ALGO_WS_CLOSED);
	ok(i >= 0 && s.code[i] == 1000 && strstr(s.data[i], "closed by the server (code 1000)") && !algo_ws_is_open(ws),
	   "a server close is reported with its code: %s", i >= 0 ? s.data[i] : "-");
	seen_clear(&s);
	algo_ws_connect(ws);
	ok(wait_for(ws, &s, ALGO_WS_OPEN) >= 0, "connect again after the close");
	seen_clear(&s);
	algo_ws_send(ws, 0, "again", 5, err, sizeof err);
	i = wait_for(ws, &s, ALGO_WS_TEXT);
	ok(i >= 0 && !strcmp(s.data[i], "again"), "the new connection echoes");
	seen_clear(&s);
	algo_ws_send(ws, 0, "drop", 4, err, sizeof err);
	i = wait_for(ws, &s, ALGO_WS_CLOSED);
	ok(i >= 0 && s.code[i] == 0 && !algo_ws_is_open(ws), "a dropped connection is reported: %s", i >= 0 ? s.data[i] : "-");
	ok(algo_ws_send(ws, 0, "x", 1, err, sizeof err) == -1 && strstr(err, "not connected"), "sends after the drop are refused");
	seen_clear(&s);
	algo_ws_connect(ws);
	ok(wait_for(ws, &s, ALGO_WS_OPEN) >= 0, "reconnect after the drop");
	seen_clear(&s);
	algo_ws_send(ws, 0, "silent", 6, err, sizeof err);
	algo_ws_connect(ws); /* the caller's watchdog gave up on a silent socket */
	i = wait_for(ws, &s, ALGO_WS_CLOSED);
	ok(i >= 0 && strstr(s.data[i], "closed by us"), "connect on an open connection closes it first: %s", i >= 0 ? s.data[i] : "-");
	ok(wait_for(ws, &s, ALGO_WS_OPEN) > i, "then opens a new one");
	seen_clear(&s);
	algo_ws_free(ws);
}

static void test_limits(const char *base)
{
	struct seen s = { 0 };
	char url[512], err[256];
	struct algo_ws *ws;
	struct algo_ws_opts o = { 0 };
	int i;
	snprintf(url, sizeof url, "%s/echo", base);
	o.url = url;
	o.max_message = 1000;
	if (algo_ws_open(&ws, &o, err, sizeof err))
		return;
	wait_for(ws, &s, ALGO_WS_OPEN);
	seen_clear(&s);
	algo_ws_send(ws, 0, "big 5000", 8, err, sizeof err);
	i = wait_for(ws, &s, ALGO_WS_CLOSED);
	ok(i >= 0 && strstr(s.data[i], "a message over 1000 bytes"), "a message over max_message closes: %s", i >= 0 ? s.data[i] : "-");
	seen_clear(&s);
	algo_ws_free(ws);

	ws = open_ws(base, "/refuse", NULL, &s);
	i = wait_for(ws, &s, ALGO_WS_CLOSED);
	ok(i >= 0 && s.status[i] == 403 && strstr(s.data[i], "HTTP 403"), "a refused handshake reports the status: %s",
	   i >= 0 ? s.data[i] : "-");
	{
		int opened = 0;
		for (int k = 0; k < s.n; k++)
			opened |= s.kind[k] == ALGO_WS_OPEN;
		ok(!opened, "and never opens");
	}
	seen_clear(&s);
	algo_ws_free(ws);
}

static void test_refused_port(void)
{
	struct seen s = { 0 };
	struct algo_ws *ws = open_ws("ws://127.0.0.1:9", "/", NULL, &s);
	int i = wait_for(ws, &s, ALGO_WS_CLOSED);
	ok(i >= 0 && strstr(s.data[i], "cannot connect"), "nothing listening: %s", i >= 0 ? s.data[i] : "-");
	ok(i >= 0 && !s.tls[i], "which is not a certificate's fault");
	seen_clear(&s);
	algo_ws_free(ws);
	algo_ws_free(NULL);
}

/* One attempt with the trust the environment names: 1 opened (and echoed), 0 closed
 * (its reason in why), -1 neither in time. */
static int tls_attempt(const char *base, char *why, size_t whylen, int *untrusted)
{
	struct seen s = { 0 };
	struct algo_ws *ws = open_ws(base, "/", NULL, &s);
	char err[256];
	int i, rc = -1;
	*untrusted = 0;
	why[0] = 0;
	if (wait_for(ws, &s, ALGO_WS_OPEN) >= 0 || s.n) {
		for (int k = 0; k < s.n && rc < 0; k++)
			if (s.kind[k] == ALGO_WS_CLOSED) {
				snprintf(why, whylen, "%s", s.data[k]);
				*untrusted = s.tls[k];
				rc = 0;
			} else if (s.kind[k] == ALGO_WS_OPEN)
				rc = 1;
	}
	if (rc == 1) {
		algo_ws_send(ws, 0, "over tls", 8, err, sizeof err);
		i = wait_for(ws, &s, ALGO_WS_TEXT);
		rc = i >= 0 && strcmp(s.data[i], "over tls") == 0;
	}
	seen_clear(&s);
	algo_ws_free(ws);
	return rc;
}

static void test_tls(const char *base, const char *ca, const char *ca_dir)
{
	char why[600], head[300];
	int untrusted;
	snprintf(head, sizeof head, "%s/: TLS certificate not trusted: certificate verify failed: ", base);
	unsetenv("SSL_CERT_FILE");
	unsetenv("SSL_CERT_DIR");
	ok(tls_attempt(base, why, sizeof why, &untrusted) == 0 && untrusted, "untrusted: closed as such: %s", why);
	ok(strncmp(why, head, strlen(head)) == 0 && strstr(why, " (set SSL_CERT_FILE to the CA bundle)"),
		"in the words of every client");
	setenv("SSL_CERT_FILE", ca, 1);
	ok(tls_attempt(base, why, sizeof why, &untrusted) == 1, "SSL_CERT_FILE names the CA: opens, echoes %s", why);
	unsetenv("SSL_CERT_FILE");
	setenv("SSL_CERT_DIR", ca_dir, 1);
	ok(tls_attempt(base, why, sizeof why, &untrusted) == 1, "SSL_CERT_DIR holds the CA: opens, echoes %s", why);
	unsetenv("SSL_CERT_DIR");
	setenv("SSL_CERT_FILE", "/nonexistent/ca.pem", 1);
	ok(tls_attempt(base, why, sizeof why, &untrusted) == 0 && untrusted && strstr(why, "/nonexistent/ca.pem cannot be read"),
		"an SSL_CERT_FILE that cannot be read is named: %s", why);
	unsetenv("SSL_CERT_FILE");
}

int main(void)
{
	const char *base = getenv("WS_URL");
	test_urls();
	test_backoff();
	test_refused_port();
	if (base) {
		test_echo(base);
		test_limits(base);
	}
	if (getenv("WSS_URL") && getenv("WSS_CA") && getenv("WSS_CA_DIR"))
		test_tls(getenv("WSS_URL"), getenv("WSS_CA"), getenv("WSS_CA_DIR"));
	return tap_done();
}
