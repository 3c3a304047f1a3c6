/* fyers_auth — login, refresh, logout. See fyers_auth.h for the contract. */
#include "fyers_auth.h"
#include "timeutil.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <openssl/rand.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int algo_fyers_new_state(char out[33])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char b[16];
	if (RAND_bytes(b, sizeof b) != 1)
		return -1;
	for (int i = 0; i < 16; i++) {
		out[2 * i] = hex[b[i] >> 4];
		out[2 * i + 1] = hex[b[i] & 15];
	}
	out[32] = '\0';
	return 0;
}

int algo_fyers_login_url(const struct algo_fyers *f, const char *state, char *out, size_t outlen)
{
	char app[200], uri[3100], st[200];
	int n;
	if (algo_http_escape(f->cfg.app_id, app, sizeof app) < 0 ||
	    algo_http_escape(f->cfg.redirect_uri, uri, sizeof uri) < 0 ||
	    algo_http_escape(state, st, sizeof st) < 0)
		return -1;
	n = snprintf(out, outlen, "%s/generate-authcode?client_id=%s&redirect_uri=%s&response_type=code&state=%s",
		f->cfg.api_base, app, uri, st);
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

/* ---- catching the redirect --------------------------------------------------------- */

int algo_fyers_redirect_listen(struct algo_fyers_redirect *r, const char *uri, char *err, size_t errlen)
{
	static const char *const hosts[] = { "http://127.0.0.1:", "http://localhost:", NULL };
	struct sockaddr_in a;
	const char *p = NULL, *slash;
	char *end;
	long port;
	int one = 1;

	memset(r, 0, sizeof *r);
	r->fd = -1;
	for (int i = 0; hosts[i]; i++)
		if (strncmp(uri, hosts[i], strlen(hosts[i])) == 0)
			p = uri + strlen(hosts[i]);
	if (!p)
		return 0;
	errno = 0;
	port = strtol(p, &end, 10);
	if (errno || end == p || port < 1 || port > 65535 || (*end && *end != '/'))
		return 0;
	slash = *end ? end : "/";
	snprintf(r->path, sizeof r->path, "%.*s", (int)strcspn(slash, "?#"), slash);
	r->port = (int)port;
	if ((r->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	setsockopt(r->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(r->fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(r->fd, 8) != 0) {
		snprintf(err, errlen, "cannot listen on 127.0.0.1:%ld for the redirect: %s", port, strerror(errno));
		close(r->fd);
		r->fd = -1;
		return -1;
	}
	return 1;
}

void algo_fyers_redirect_close(struct algo_fyers_redirect *r)
{
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
}

static void reply(int fd, int status, const char *text)
{
	char buf[1024];
	int n = snprintf(buf, sizeof buf,
		"HTTP/1.1 %d %s\r\nContent-Type: text/html; charset=utf-8\r\nConnection: close\r\n"
		"Content-Length: %zu\r\n\r\n%s", status, status == 200 ? "OK" : status == 404 ? "Not Found" : "Bad Request",
		strlen(text), text);
	if (n > 0 && write(fd, buf, (size_t)n) < 0)
		return;    /* the browser went away; nothing to do */
}

/* Reads the request line of one connection (bounded, with a deadline). */
static int read_request_line(int fd, int64_t deadline, char *line, size_t len)
{
	size_t n = 0;
	while (n + 1 < len) {
		struct pollfd p = { fd, POLLIN, 0 };
		int64_t left = deadline - algo_mono_ms();
		ssize_t k;
		if (left <= 0 || poll(&p, 1, (int)(left > 5000 ? 5000 : left)) <= 0)
			return -1;
		if ((k = read(fd, line + n, len - 1 - n)) <= 0)
			return -1;
		n += (size_t)k;
		line[n] = '\0';
		if (strstr(line, "\r\n\r\n") || strstr(line, "\n\n"))
			break;
	}
	line[strcspn(line, "\r\n")] = '\0';
	return 0;
}

/* Value of query parameter name in q ("a=1&b=2"), percent-decoded into out. */
static int query_param(const char *q, const char *name, char *out, size_t outlen)
{
	size_t nl = strlen(name);
	for (const char *p = q; p && *p; p = strchr(p, '&') ? strchr(p, '&') + 1 : NULL) {
		if (strncmp(p, name, nl) == 0 && p[nl] == '=') {
			const char *v = p + nl + 1;
			size_t k = 0;
			for (; *v && *v != '&' && *v != '#' && *v != ' '; v++) {
				int c = (unsigned char)*v;
				if (c == '%' && v[1] && v[2]) {
					char hx[3] = { v[1], v[2], 0 };
					c = (int)strtol(hx, NULL, 16);
					v += 2;
				} else if (c == '+') {
					c = ' ';
				}
				if (k + 1 >= outlen)
					return -1;
				out[k++] = (char)c;
			}
			out[k] = '\0';
			return 1;
		}
	}
	return 0;
}

int algo_fyers_redirect_wait(struct algo_fyers_redirect *r, const char *state, long timeout_ms,
	char *code, size_t codelen, char *err, size_t errlen)
{
	int64_t deadline = algo_mono_ms() + timeout_ms;
	char line[8192], got[256], s[32];

	for (;;) {
		struct pollfd p = { r->fd, POLLIN, 0 };
		int64_t left = deadline - algo_mono_ms();
		const char *path, *q;
		int c;
		if (left <= 0) {
			snprintf(err, errlen, "no redirect from the browser within %ld s", timeout_ms / 1000);
			return -1;
		}
		if (poll(&p, 1, (int)(left > 60000 ? 60000 : left)) <= 0)
			continue;
		if ((c = accept4(r->fd, NULL, NULL, SOCK_CLOEXEC)) < 0)
			continue;
		if (read_request_line(c, algo_mono_ms() + 10000, line, sizeof line) < 0 ||
		    strncmp(line, "GET ", 4) != 0) {
			close(c);
			continue;
		}
		path = line + 4;
		q = strchr(path, '?');
		if (strncmp(path, r->path, strlen(r->path)) != 0 || !q || (size_t)(q - path) != strlen(r->path)) {
			reply(c, 404, "not here");
			close(c);
			continue;
		}
		q++;
		if (query_param(q, "state", got, sizeof got) != 1 || strcmp(got, state) != 0) {
			reply(c, 400, "<p>This login belongs to another attempt (state mismatch). Use the newest link.</p>");
			close(c);
			continue;
		}
		if (query_param(q, "s", s, sizeof s) == 1 && strcmp(s, "ok") != 0) {
			reply(c, 400, "<p>FYERS reported an error; see the terminal.</p>");
			close(c);
			snprintf(err, errlen, "FYERS redirected with s=%s (no auth code)", s);
			return -1;
		}
		if (query_param(q, "auth_code", code, codelen) != 1 || !*code) {
			reply(c, 400, "<p>No auth code in the redirect.</p>");
			close(c);
			snprintf(err, errlen, "the redirect carried no auth_code");
			return -1;
		}
		reply(c, 200, "<p>Logged in to FYERS. You can close this tab.</p>");
		close(c);
		return 0;
	}
}

int algo_fyers_extract_code(const char *text, const char *state, char *code, size_t codelen,
	char *err, size_t errlen)
{
	const char *q = strchr(text, '?');
	char got[256];
	int r;
	while (*text == ' ' || *text == '\t')
		text++;
	if (!strstr(text, "auth_code=")) {
		size_t n = strcspn(text, " \t\r\n");
		if (!n || n >= codelen) {
			snprintf(err, errlen, "no auth code given");
			return -1;
		}
		memcpy(code, text, n);
		code[n] = '\0';
		return 0;
	}
	q = q ? q + 1 : text;
	if ((r = query_param(q, "auth_code", code, codelen)) != 1 || !*code) {
		snprintf(err, errlen, "no auth_code in the URL given");
		return -1;
	}
	if (state && query_param(q, "state", got, sizeof got) == 1 && strcmp(got, state) != 0) {
		snprintf(err, errlen, "the URL belongs to another login attempt (state mismatch)");
		return -1;
	}
	return 0;
}

/* ---- token exchange ------------------------------------------------------------------ */

static int take_token(struct algo_fyers *f, json_t *root, const char *key, char *out, size_t len,
	char *err, size_t errlen)
{
	const char *v = json_string_value(json_object_get(root, key));
	if (!v || !*v || strlen(v) >= len) {
		snprintf(err, errlen, "FYERS replied ok but with %s %s", v && *v ? "an overlong" : "no", key);
		return -1;
	}
	snprintf(out, len, "%s", v);
	return 0;
}

/* Fills the access token's expiry and hsm_key from its claims, then saves. */
static int save_session(struct algo_fyers *f, char *err, size_t errlen)
{
	char cerr[256];
	if (algo_fyers_jwt_claims(f->tok.access, &f->tok.access_exp, f->tok.hsm_key, sizeof f->tok.hsm_key,
		f->tok.fy_id, sizeof f->tok.fy_id, cerr, sizeof cerr) < 0) {
		snprintf(err, errlen, "the access token FYERS sent: %s", cerr);
		return ALGO_FYERS_EPROTO;
	}
	if (f->tok.refresh[0] &&
	    algo_fyers_jwt_claims(f->tok.refresh, &f->tok.refresh_exp, NULL, 0, NULL, 0, cerr, sizeof cerr) < 0)
		f->tok.refresh_exp = 0;
	snprintf(f->tok.app_id, sizeof f->tok.app_id, "%s", f->cfg.app_id);
	if (algo_fyers_token_save(f->cfg.token_path, &f->tok, err, errlen) < 0)
		return ALGO_FYERS_EFAIL;
	f->have_token = 1;
	return ALGO_FYERS_OK;
}

/* Posts body (consumed) to a token endpoint and takes the access token (and the
 * refresh token when refresh is set) from the reply, then saves the session. */
static int exchange(struct algo_fyers *f, const char *path, json_t *body, int refresh, char *err,
	size_t errlen)
{
	struct algo_fyers_req rq = { ALGO_FYERS_API, "POST", NULL, NULL, NULL, ALGO_FYERS_NOAUTH | ALGO_FYERS_ONCE };
	struct algo_fyers_reply r;
	const char *rt;
	int cls;

	if (!body) {
		snprintf(err, errlen, "out of memory");
		return ALGO_FYERS_EFAIL;
	}
	rq.path = path;
	rq.body = body;
	cls = algo_fyers_request(f, &rq, &r, err, errlen);
	json_decref(body);
	if (cls == ALGO_FYERS_EMAYBE)
		cls = ALGO_FYERS_EUNAVAIL;   /* getting a token is safe to start again */
	if (cls == ALGO_FYERS_OK) {
		if (refresh)
			memset(&f->tok, 0, sizeof f->tok);
		if (take_token(f, r.root, "access_token", f->tok.access, sizeof f->tok.access, err, errlen) < 0)
			cls = ALGO_FYERS_EPROTO;
		else if (refresh && (rt = json_string_value(json_object_get(r.root, "refresh_token"))))
			snprintf(f->tok.refresh, sizeof f->tok.refresh, "%s", rt);
		if (cls == ALGO_FYERS_OK)
			cls = save_session(f, err, errlen);
	}
	algo_fyers_reply_free(&r);
	return cls;
}

int algo_fyers_login_code(struct algo_fyers *f, const char *code, char *err, size_t errlen)
{
	char hash[65];
	algo_fyers_app_hash(f->cfg.app_id, f->cfg.secret, hash);
	return exchange(f, "/validate-authcode", json_pack("{s:s,s:s,s:s}", "grant_type", "authorization_code",
		"appIdHash", hash, "code", code), 1, err, errlen);
}

int algo_fyers_refresh(struct algo_fyers *f, const char *pin, char *err, size_t errlen)
{
	char hash[65];
	if (!f->have_token || !f->tok.refresh[0]) {
		snprintf(err, errlen, "no refresh token saved: run 'algo-exec-fyers login'");
		return ALGO_FYERS_EAUTH;
	}
	algo_fyers_app_hash(f->cfg.app_id, f->cfg.secret, hash);
	return exchange(f, "/validate-refresh-token", json_pack("{s:s,s:s,s:s,s:s}", "grant_type", "refresh_token",
		"appIdHash", hash, "refresh_token", f->tok.refresh, "pin", pin), 0, err, errlen);
}

int algo_fyers_logout(struct algo_fyers *f, int *remote, char *err, size_t errlen)
{
	struct algo_fyers_req rq = { ALGO_FYERS_API, "POST", "/logout", NULL, NULL, 0 };
	struct algo_fyers_reply r;
	int cls = ALGO_FYERS_OK;

	*remote = 0;
	if (f->have_token) {
		cls = algo_fyers_request(f, &rq, &r, err, errlen);
		algo_fyers_reply_free(&r);
		if (cls == ALGO_FYERS_OK)
			*remote = 1;
		else if (cls == ALGO_FYERS_EAUTH)
			cls = ALGO_FYERS_OK;    /* already invalid at FYERS: the local file still goes */
		else
			return cls;             /* could not reach FYERS: keep the file, say so */
	}
	if (unlink(f->cfg.token_path) != 0 && errno != ENOENT) {
		snprintf(err, errlen, "%s: %s", f->cfg.token_path, strerror(errno));
		return ALGO_FYERS_EFAIL;
	}
	f->have_token = 0;
	memset(&f->tok, 0, sizeof f->tok);
	return cls;
}
