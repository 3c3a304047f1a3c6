/* fyers — the FYERS API v3 client. See fyers.h for the contract. */
#include "fyers.h"
#include "cli.h"
#include "decimal.h"
#include "timeutil.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_API_BASE "https://api-t1.fyers.in/api/v3"
#define DEFAULT_DATA_BASE "https://api-t1.fyers.in/data"
#define DEFAULT_ORDER_WS "wss://socket.fyers.in/trade/v3"
#define DEFAULT_DATA_WS "wss://socket.fyers.in/hsm/v1-5/prod"

void algo_fyers_notice(struct algo_fyers *f, const char *fmt, ...)
{
	char msg[600];
	va_list ap;
	if (!f->notice)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	f->notice(f->notice_arg, msg);
}

/* ---- configuration ------------------------------------------------------------ */

/* Loopback hosts may be spoken to over plain http (the test mocks). */
static int loopback_http(const char *url)
{
	static const char *const ok[] = { "http://127.0.0.1:", "http://127.0.0.1/", "http://localhost:",
		"http://localhost/", "http://[::1]:", "http://[::1]/", "ws://127.0.0.1:", "ws://localhost:",
		"ws://[::1]:", NULL };
	for (int i = 0; ok[i]; i++)
		if (strncmp(url, ok[i], strlen(ok[i])) == 0)
			return 1;
	return 0;
}

static int env_url(const char *name, const char *dflt, const char *secure, char *out, size_t len,
	char *err, size_t errlen)
{
	const char *v = getenv(name);
	size_t n;
	if (!v || !*v)
		v = dflt;
	n = strlen(v);
	while (n && v[n - 1] == '/')
		n--;
	if (n >= len || (strncmp(v, secure, strlen(secure)) != 0 && !loopback_http(v))) {
		snprintf(err, errlen, "%s: '%.200s' must be a %s URL (plain http only to 127.0.0.1 or localhost)",
			name, v, secure);
		return -1;
	}
	memcpy(out, v, n);
	out[n] = '\0';
	return 0;
}

static int valid_app_id(const char *s)
{
	size_t n = strlen(s);
	if (n < 3 || n > 63)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		      s[i] == '-' || s[i] == '_'))
			return 0;
	return 1;
}

static int env_int(const char *name, int *out, char *err, size_t errlen)
{
	const char *v = getenv(name);
	char *end;
	long x;
	*out = 0;
	if (!v || !*v)
		return 0;
	errno = 0;
	x = strtol(v, &end, 10);
	if (*end || errno || x < 1 || x > 10000) {
		snprintf(err, errlen, "%s: '%.40s' is not a whole number from 1 to 10000", name, v);
		return -1;
	}
	*out = (int)x;
	return 0;
}

int algo_fyers_secret(char *out, size_t outlen, char *err, size_t errlen)
{
	const char *v = getenv("FYERS_SECRET"), *path = getenv("FYERS_SECRET_FILE");
	ssize_t n;
	int fd;
	if (v && *v) {
		if (strlen(v) >= outlen) {
			snprintf(err, errlen, "FYERS_SECRET: too long");
			return -1;
		}
		snprintf(out, outlen, "%s", v);
		return 0;
	}
	if (!path || !*path) {
		snprintf(err, errlen, "no app secret: set FYERS_SECRET_FILE to a file of mode 0600 holding it "
			"(or FYERS_SECRET)");
		return -1;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "FYERS_SECRET_FILE: %s: %s", path, strerror(errno));
		return -1;
	}
	if (algo_fyers_private_file(path, fd, err, errlen) < 0) {
		char inner[600];
		snprintf(inner, sizeof inner, "%s", err);
		snprintf(err, errlen, "FYERS_SECRET_FILE: %s", inner);
		close(fd);
		return -1;
	}
	n = read(fd, out, outlen - 1);
	close(fd);
	if (n < 0) {
		snprintf(err, errlen, "FYERS_SECRET_FILE: %s: %s", path, strerror(errno));
		return -1;
	}
	out[n] = '\0';
	out[strcspn(out, "\r\n")] = '\0';
	if (!*out || (size_t)n >= outlen - 1) {
		memset(out, 0, outlen);
		snprintf(err, errlen, "FYERS_SECRET_FILE: %s: %s", path, n ? "too long" : "empty");
		return -1;
	}
	return 0;
}

void algo_fyers_app_hash(const char *app_id, const char *secret, char out[65])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	EVP_DigestInit_ex(c, EVP_sha256(), NULL);
	EVP_DigestUpdate(c, app_id, strlen(app_id));
	EVP_DigestUpdate(c, ":", 1);
	EVP_DigestUpdate(c, secret, strlen(secret));
	EVP_DigestFinal_ex(c, md, &len);
	EVP_MD_CTX_free(c);
	for (unsigned i = 0; i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
}

static int load_config(struct algo_fyers_config *c, unsigned need, char *err, size_t errlen)
{
	const char *v = getenv("FYERS_APP_ID");
	if (!v || !*v) {
		snprintf(err, errlen, "FYERS_APP_ID is not set (the app id from myapi.fyers.in, e.g. XXXX-100)");
		return -1;
	}
	if (!valid_app_id(v)) {
		snprintf(err, errlen, "FYERS_APP_ID: '%.64s' is not an app id like XXXX-100", v);
		return -1;
	}
	snprintf(c->app_id, sizeof c->app_id, "%s", v);
	if (env_url("FYERS_API_BASE", DEFAULT_API_BASE, "https://", c->api_base, sizeof c->api_base, err, errlen) ||
	    env_url("FYERS_DATA_BASE", DEFAULT_DATA_BASE, "https://", c->data_base, sizeof c->data_base, err, errlen) ||
	    env_url("FYERS_ORDER_WS_URL", DEFAULT_ORDER_WS, "wss://", c->order_ws, sizeof c->order_ws, err, errlen) ||
	    env_url("FYERS_DATA_WS_URL", DEFAULT_DATA_WS, "wss://", c->data_ws, sizeof c->data_ws, err, errlen))
		return -1;
	if (algo_fyers_token_path(c->token_path, sizeof c->token_path) < 0) {
		snprintf(err, errlen, "no FYERS_TOKEN_FILE, XDG_CONFIG_HOME or HOME for the session file");
		return -1;
	}
	v = getenv("FYERS_REDIRECT_URI");
	if (v && *v)
		snprintf(c->redirect_uri, sizeof c->redirect_uri, "%s", v);
	if ((need & ALGO_FYERS_NEED_REDIRECT) && !c->redirect_uri[0]) {
		snprintf(err, errlen, "FYERS_REDIRECT_URI is not set (the redirect URI registered for the app, "
			"e.g. http://127.0.0.1:8765/fyers)");
		return -1;
	}
	if ((need & ALGO_FYERS_NEED_SECRET) && algo_fyers_secret(c->secret, sizeof c->secret, err, errlen) < 0)
		return -1;
	return 0;
}

static int load_session(struct algo_fyers *f, unsigned need, char *err, size_t errlen)
{
	char when[ALGO_TIME_FMT_MAX];
	int rc = algo_fyers_token_load(f->cfg.token_path, &f->tok, err, errlen);
	if (rc < 0)
		return errno == EACCES ? ALGO_FYERS_EAUTH : ALGO_FYERS_EFAIL;
	if (rc == 1) {
		if (!(need & ALGO_FYERS_NEED_TOKEN))
			return ALGO_FYERS_OK;
		snprintf(err, errlen, "not logged in (no %s): run 'algo-exec-fyers login'", f->cfg.token_path);
		return ALGO_FYERS_EAUTH;
	}
	if (strcmp(f->tok.app_id, f->cfg.app_id) != 0) {
		snprintf(err, errlen, "%s holds a session of app %s, not FYERS_APP_ID %s: run 'algo-exec-fyers login'",
			f->cfg.token_path, f->tok.app_id, f->cfg.app_id);
		return ALGO_FYERS_EAUTH;
	}
	f->have_token = 1;
	if ((need & ALGO_FYERS_NEED_TOKEN) && f->tok.access_exp && f->tok.access_exp <= algo_clock_ms()) {
		algo_time_fmt(f->tok.access_exp, ALGO_IST_OFFSET_MIN, when);
		snprintf(err, errlen, "the access token expired at %s: run 'algo-exec-fyers refresh' or 'login'", when);
		return ALGO_FYERS_EAUTH;
	}
	return ALGO_FYERS_OK;
}

int algo_fyers_open(struct algo_fyers *f, unsigned need, char *err, size_t errlen)
{
	char agent[64], key[80];
	int per_sec, per_min, rc;

	memset(f, 0, sizeof *f);
	if (errlen)
		err[0] = '\0';
	f->retry.max_attempts = 4;
	f->retry.base_ms = 500;
	f->retry.max_backoff_ms = 8000;
	f->retry.max_wait_ms = 60000;
	f->timeout_ms = 15000;
	f->rng = (uint64_t)algo_clock_ms() ^ ((uint64_t)getpid() << 32);
	if (load_config(&f->cfg, need, err, errlen) < 0)
		return ALGO_FYERS_ECONFIG;
	if (env_int("FYERS_RATE_PER_SEC", &per_sec, err, errlen) || env_int("FYERS_RATE_PER_MIN", &per_min, err, errlen))
		return ALGO_FYERS_ECONFIG;
	if (need & (ALGO_FYERS_NEED_TOKEN | ALGO_FYERS_TRY_TOKEN)) {
		if ((rc = load_session(f, need, err, errlen)) != ALGO_FYERS_OK)
			return rc;
	}
	snprintf(key, sizeof key, "fyers-%s", f->cfg.app_id);
	if (algo_ratelimit_init(&f->rl, key, per_sec, per_min, 0, err, errlen) < 0)
		return ALGO_FYERS_EFAIL;
	snprintf(agent, sizeof agent, "algo/%s", ALGO_VERSION);
	if (algo_http_init(&f->http, agent, err, errlen) < 0)
		return ALGO_FYERS_EFAIL;
	return ALGO_FYERS_OK;
}

void algo_fyers_close(struct algo_fyers *f)
{
	algo_http_free(&f->http);
	/* The secret and tokens leave no copy in freed memory. */
	memset(f->cfg.secret, 0, sizeof f->cfg.secret);
	memset(&f->tok, 0, sizeof f->tok);
}

int algo_fyers_auth_header(const struct algo_fyers *f, char *out, size_t outlen)
{
	int n = snprintf(out, outlen, "Authorization: %s:%s", f->cfg.app_id, f->tok.access);
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

/* ---- classes and messages -------------------------------------------------------- */

static int is_auth_code(int code)
{
	return code == -8 || code == -15 || code == -16 || code == -17 || code == -352 ||
	       code == -371 || code == -437 || code == -501;
}

static int is_rate_code(int code)
{
	return code == -429 || code == -353;
}

int algo_fyers_classify(long status, int has_envelope, int code, const char *s, unsigned flags)
{
	int once = (flags & ALGO_FYERS_ONCE) != 0;
	if (has_envelope && s && (strcmp(s, "ok") == 0 || strcmp(s, "no_data") == 0) && status >= 200 && status < 300)
		return code == 201 && once ? ALGO_FYERS_EMAYBE : ALGO_FYERS_OK;
	if (status == 429 || is_rate_code(code))
		return ALGO_FYERS_ERATE;
	if (status == 401 || is_auth_code(code))
		return ALGO_FYERS_EAUTH;
	if (code == -373 || (status == 403 && !has_envelope))
		return ALGO_FYERS_EPERM;
	if (code <= -201 && code >= -205)
		return ALGO_FYERS_EUNAVAIL;
	if (code == -99 || code == -392 || code == -310 || code == -308 || code == -309 || code == -1800)
		return ALGO_FYERS_EREJECT;
	if (code == -161 || code == -162 || code == -164 || (code <= -397 && code >= -399))
		return ALGO_FYERS_ESTATE;
	if (status >= 500 || (status == 0 && !has_envelope))
		return once ? ALGO_FYERS_EMAYBE : ALGO_FYERS_EUNAVAIL;
	if (!has_envelope && status >= 200 && status < 300)
		return ALGO_FYERS_EPROTO;
	if (status == 403)
		return ALGO_FYERS_EPERM;
	return ALGO_FYERS_EBADREQ;
}

const char *algo_fyers_code_hint(int code)
{
	static const struct { int code; const char *hint; } hints[] = {
		{ -8, "the token expired" },
		{ -15, "the token is not valid" },
		{ -16, "the session is expired or revoked" },
		{ -17, "the token is invalid or expired" },
		{ -50, "invalid parameters" },
		{ -51, "no such order" },
		{ -53, "no such position" },
		{ -99, "the order was rejected" },
		{ -300, "no such symbol (write it as NSE:SBIN-EQ; '&' as in M&M is escaped for you)" },
		{ -339, "the range is over one year for daily bars" },
		{ -351, "more than 50 symbols in one call" },
		{ -352, "the app id (FYERS_APP_ID) is not valid" },
		{ -353, "the API request limit is exceeded (per second, minute or day)" },
		{ -356, "the range starts after it ends" },
		{ -371, "the app secret does not match the app id (appIdHash is SHA-256 of APP_ID:SECRET)" },
		{ -373, "the app has no permission for this" },
		{ -374, "the auth code is missing" },
		{ -429, "rate limited" },
		{ -437, "the auth code is invalid or expired" },
		{ -441, "the grant type is invalid" },
		{ -501, "the refresh token is invalid or expired" },
		{ -1800, "BO and CO products are discontinued" },
	};
	for (size_t i = 0; i < sizeof hints / sizeof hints[0]; i++)
		if (hints[i].code == code)
			return hints[i].hint;
	if (code <= -341 && code >= -355)
		return "the range is over 100 days for minute bars";
	if (code <= -201 && code >= -205)
		return "the broker's order system is unreachable";
	return NULL;
}

/* What to do about a class, for messages. */
static const char *advice(int cls)
{
	switch (cls) {
	case ALGO_FYERS_EAUTH: return "run 'algo-exec-fyers login' (or 'refresh')";
	case ALGO_FYERS_EPERM: return "check the app's permissions at myapi.fyers.in";
	case ALGO_FYERS_ERATE: return "the account's request budget is spent; try again later";
	case ALGO_FYERS_EUNAVAIL: return "FYERS is not answering; try again later";
	case ALGO_FYERS_EMAYBE: return "it may have been acted on: check the order book before sending it again";
	case ALGO_FYERS_EPROTO: return "the reply is not FYERS's JSON";
	default: return NULL;
	}
}

int algo_fyers_exit_code(int cls)
{
	switch (cls) {
	case ALGO_FYERS_OK: return ALGO_EX_OK;
	case ALGO_FYERS_EAUTH: case ALGO_FYERS_EPERM: return ALGO_EX_NOPERM;
	case ALGO_FYERS_ERATE: case ALGO_FYERS_EMAYBE: return ALGO_EX_TEMPFAIL;
	case ALGO_FYERS_EUNAVAIL: case ALGO_FYERS_EPROTO: return ALGO_EX_UNAVAILABLE;
	case ALGO_FYERS_EBADREQ: case ALGO_FYERS_EREJECT: case ALGO_FYERS_ESTATE: return ALGO_EX_DATAERR;
	case ALGO_FYERS_ECONFIG: case ALGO_FYERS_ETLS: return ALGO_EX_CONFIG;
	default: return ALGO_EX_FAIL;
	}
}

int algo_fyers_json_dec(const json_t *v, int64_t *out)
{
	if (json_is_integer(v)) {
		json_int_t x = json_integer_value(v);
		if (x > 900000000000000LL / ALGO_DEC_SCALE || x < -900000000000000LL / ALGO_DEC_SCALE)
			return -1;
		*out = (int64_t)x * ALGO_DEC_SCALE;
		return 0;
	}
	if (json_is_real(v))
		return algo_dec_from_double(json_real_value(v), out);
	return -1;
}

/* ---- one call ------------------------------------------------------------------------ */

void algo_fyers_reply_free(struct algo_fyers_reply *r)
{
	json_decref(r->root);
	r->root = NULL;
}

/* Fills r's envelope from the reply body. Returns 1 when it is a JSON object. */
static int decode(struct algo_fyers_reply *r, const char *body, size_t len)
{
	json_t *s, *code, *msg;
	if (!(r->root = json_loadb(body, len, 0, NULL)) || !json_is_object(r->root)) {
		json_decref(r->root);
		r->root = NULL;
		return 0;
	}
	s = json_object_get(r->root, "s");
	code = json_object_get(r->root, "code");
	msg = json_object_get(r->root, "message");
	snprintf(r->s, sizeof r->s, "%s", json_is_string(s) ? json_string_value(s) : "");
	r->code = json_is_integer(code) ? (int)json_integer_value(code) : 0;
	snprintf(r->message, sizeof r->message, "%s", json_is_string(msg) ? json_string_value(msg) : "");
	return json_is_string(s);
}

static void describe(const struct algo_fyers_req *rq, const struct algo_fyers_reply *r, int final,
	char *err, size_t errlen)
{
	const char *hint = algo_fyers_code_hint(r->code), *adv = final ? advice(r->cls) : NULL;
	char what[800];
	if (r->cls == ALGO_FYERS_ETLS) {
		snprintf(err, errlen, "%s", r->message);   /* the URL, curl's words and the fix */
		return;
	}
	if (r->code && r->s[0])
		snprintf(what, sizeof what, "FYERS %d %s%s%s", r->code, r->message[0] ? r->message : "(no message)",
			hint ? ": " : "", hint ? hint : "");
	else if (r->status)
		snprintf(what, sizeof what, "HTTP %ld%s%s", r->status, r->message[0] ? " " : "", r->message);
	else
		snprintf(what, sizeof what, "%s", r->message);
	snprintf(err, errlen, "%s %s: %s%s%s", rq->method, rq->path, what, adv ? "; " : "", adv ? adv : "");
}

static long jitter(struct algo_fyers *f, long ceiling)
{
	f->rng ^= f->rng << 13;
	f->rng ^= f->rng >> 7;
	f->rng ^= f->rng << 17;
	return ceiling > 0 ? (long)(f->rng % (uint64_t)ceiling) : 0;
}

static int build_url(const struct algo_fyers *f, const struct algo_fyers_req *rq, char *url, size_t len)
{
	const char *base = rq->base == ALGO_FYERS_DATA ? f->cfg.data_base : f->cfg.api_base;
	int n = snprintf(url, len, "%s%s%s%s", base, rq->path, rq->query && *rq->query ? "?" : "",
		rq->query ? rq->query : "");
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* Sends once. Returns the class of what came back, with r filled. */
static int send_once(struct algo_fyers *f, const struct algo_fyers_req *rq, const char *url,
	const char *body, struct algo_fyers_reply *r)
{
	char auth[ALGO_FYERS_TOKEN_MAX + 160], herr[512];
	const char *headers[5];
	struct algo_http_req hr;
	struct algo_http_resp hs;
	int k = 0, rc, env;

	headers[k++] = "Content-Type: application/json";
	headers[k++] = "Accept: application/json";
	headers[k++] = "version: 3";
	if (!(rq->flags & ALGO_FYERS_NOAUTH)) {
		algo_fyers_auth_header(f, auth, sizeof auth);
		headers[k++] = auth;
	}
	headers[k] = NULL;
	memset(&hr, 0, sizeof hr);
	hr.method = rq->method;
	hr.url = url;
	hr.headers = headers;
	hr.body = body;
	hr.body_len = body ? strlen(body) : 0;
	hr.timeout_ms = f->timeout_ms;
	hr.once = (rq->flags & ALGO_FYERS_ONCE) != 0;
	f->requests++;
	r->attempts++;
	json_decref(r->root);
	r->root = NULL;
	r->s[0] = r->message[0] = '\0';
	r->code = 0;
	rc = algo_http_do(&f->http, &hr, &hs, herr, sizeof herr);
	memset(auth, 0, sizeof auth);
	r->status = hs.status;
	r->retry_after_ms = hs.retry_after_ms;
	r->date_ms = hs.date_ms;
	if (rc != ALGO_HTTP_OK) {
		algo_http_resp_free(&hs);
		r->reached = rc == ALGO_HTTP_NOTSENT ? 0 : 1;
		snprintf(r->message, sizeof r->message, "%s", herr);
		if (rc == ALGO_HTTP_ENOMEM || rc == ALGO_HTTP_EUSAGE)
			return r->cls = ALGO_FYERS_EFAIL;
		if (rc == ALGO_HTTP_ETOOBIG)
			return r->cls = ALGO_FYERS_EPROTO;
		if (rc == ALGO_HTTP_ETLS)
			return r->cls = ALGO_FYERS_ETLS;
		return r->cls = rc == ALGO_HTTP_MAYBE && hr.once ? ALGO_FYERS_EMAYBE : ALGO_FYERS_EUNAVAIL;
	}
	r->reached = 2;
	env = decode(r, hs.body, hs.len);
	if (!env && !r->message[0])
		snprintf(r->message, sizeof r->message, "(%s)", r->root ? "JSON without an envelope" : "no JSON reply");
	algo_http_resp_free(&hs);
	return r->cls = algo_fyers_classify(r->status, env, r->code, r->s, rq->flags);
}

/* May this result be sent again, and after how long? Returns the wait in ms, or -1. */
static long retry_wait(struct algo_fyers *f, const struct algo_fyers_req *rq,
	const struct algo_fyers_reply *r, int attempt)
{
	long ceiling, wait;
	if (attempt >= f->retry.max_attempts)
		return -1;
	if (rq->flags & ALGO_FYERS_ONCE)
		return -1;     /* the caller decides, after reconciling */
	if (r->cls != ALGO_FYERS_EUNAVAIL && r->cls != ALGO_FYERS_ERATE)
		return -1;
	ceiling = f->retry.base_ms << (attempt - 1 < 10 ? attempt - 1 : 10);
	if (ceiling > f->retry.max_backoff_ms)
		ceiling = f->retry.max_backoff_ms;
	wait = jitter(f, ceiling);
	if (r->retry_after_ms >= 0 && r->retry_after_ms > wait)
		wait = r->retry_after_ms;
	return wait;
}

int algo_fyers_request(struct algo_fyers *f, const struct algo_fyers_req *rq,
	struct algo_fyers_reply *r, char *err, size_t errlen)
{
	char url[4096], rlerr[512];
	char *body = NULL;
	int prio = (rq->flags & (ALGO_FYERS_ONCE | ALGO_FYERS_PRIO)) ? ALGO_RL_PRIO : ALGO_RL_NORMAL;

	memset(r, 0, sizeof *r);
	r->retry_after_ms = -1;
	if (build_url(f, rq, url, sizeof url) < 0) {
		snprintf(err, errlen, "%s %s: URL too long", rq->method, rq->path);
		return r->cls = ALGO_FYERS_EFAIL;
	}
	if (!(rq->flags & ALGO_FYERS_NOAUTH) && !f->have_token) {
		snprintf(err, errlen, "%s %s: not logged in: run 'algo-exec-fyers login'", rq->method, rq->path);
		return r->cls = ALGO_FYERS_EAUTH;
	}
	if (rq->body && !(body = json_dumps(rq->body, JSON_COMPACT | JSON_REAL_PRECISION(12)))) {
		snprintf(err, errlen, "out of memory");
		return r->cls = ALGO_FYERS_EFAIL;
	}
	for (int attempt = 1;; attempt++) {
		long waited, wait;
		int t = algo_ratelimit_take(&f->rl, prio, f->retry.max_wait_ms - r->waited_ms, &waited,
			rlerr, sizeof rlerr);
		if (t < 0) {
			snprintf(err, errlen, "%s %s: request budget: %s", rq->method, rq->path, rlerr);
			r->cls = ALGO_FYERS_EFAIL;
			break;
		}
		if (t == 1) {
			if (waited < 0)
				snprintf(err, errlen, "%s %s: the day's request budget for %s is spent; try again tomorrow",
					rq->method, rq->path, f->cfg.app_id);
			else
				snprintf(err, errlen, "%s %s: the account's request budget needs a wait of %.1f s, over the "
					"%.0f s allowed; try again later", rq->method, rq->path, (double)waited / 1000,
					(double)f->retry.max_wait_ms / 1000);
			r->cls = ALGO_FYERS_ERATE;
			break;
		}
		if (waited > 1000)
			algo_fyers_notice(f, "waited %.1f s for the account's request budget (%s %s)",
				(double)waited / 1000, rq->method, rq->path);
		r->waited_ms += waited;
		if (send_once(f, rq, url, body, r) == ALGO_FYERS_OK)
			break;
		if (r->cls == ALGO_FYERS_ERATE) {
			int hits = algo_ratelimit_hit(&f->rl, r->retry_after_ms, rlerr, sizeof rlerr);
			algo_fyers_notice(f, "%s %s: rate limited by FYERS (%d today; more than 3 per-minute "
				"breaches block the account for the day)", rq->method, rq->path, hits);
		}
		wait = retry_wait(f, rq, r, attempt);
		if (wait < 0 || r->waited_ms + wait > f->retry.max_wait_ms) {
			describe(rq, r, 1, err, errlen);
			break;
		}
		describe(rq, r, 0, err, errlen);
		algo_fyers_notice(f, "%s; retry %d of %d in %.1f s", err, attempt + 1, f->retry.max_attempts,
			(double)wait / 1000);
		if (r->cls != ALGO_FYERS_ERATE)
			algo_sleep_ms(wait);   /* a rate limit is waited for in the budget (shared hold) */
		r->waited_ms += r->cls != ALGO_FYERS_ERATE ? wait : 0;
		f->retries++;
	}
	free(body);
	if (r->cls == ALGO_FYERS_OK)
		err[0] = '\0';
	return r->cls;
}
