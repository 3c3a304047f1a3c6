/* http — libcurl requests. See http.h for the contract. */
#include "http.h"
#include "tlstrust.h"
#include <curl/curl.h>
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc = CURLE_FAILED_INIT;

static void global_init(void)
{
	global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

int algo_http_init(struct algo_http *h, const char *agent, char *err, size_t errlen)
{
	memset(h, 0, sizeof *h);
	pthread_once(&global_once, global_init);
	if (global_rc != CURLE_OK || !(h->curl = curl_easy_init())) {
		snprintf(err, errlen, "libcurl: cannot start");
		return -1;
	}
	snprintf(h->agent, sizeof h->agent, "%s", agent && *agent ? agent : "algo");
	return 0;
}

void algo_http_free(struct algo_http *h)
{
	if (h->curl)
		curl_easy_cleanup(h->curl);
	h->curl = NULL;
}

void algo_http_resp_free(struct algo_http_resp *rs)
{
	free(rs->body);
	rs->body = NULL;
	rs->len = 0;
}

struct sink {
	struct algo_http_resp *rs;
	size_t cap;
	int toobig, oom;
};

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
	struct sink *k = arg;
	struct algo_http_resp *rs = k->rs;
	size_t add = size * n;
	if (rs->len + add + 1 > (size_t)ALGO_HTTP_BODY_MAX) {
		k->toobig = 1;
		return 0;
	}
	if (rs->len + add + 1 > k->cap) {
		size_t cap = k->cap ? k->cap : 4096;
		char *nb;
		while (cap < rs->len + add + 1)
			cap *= 2;
		if (!(nb = realloc(rs->body, cap))) {
			k->oom = 1;
			return 0;
		}
		rs->body = nb;
		k->cap = cap;
	}
	memcpy(rs->body + rs->len, p, add);
	rs->len += add;
	rs->body[rs->len] = '\0';
	return add;
}

/* "Date: Fri, 01 Mar 2024 03:45:05 GMT", the server's clock. */
static void take_date(struct algo_http_resp *rs, const char *v, size_t n)
{
	char buf[64];
	time_t t;
	while (n && (*v == ' ' || *v == '\t'))
		v++, n--;
	while (n && (v[n - 1] == '\r' || v[n - 1] == '\n'))
		n--;
	if (n >= sizeof buf)
		return;
	memcpy(buf, v, n);
	buf[n] = '\0';
	if ((t = curl_getdate(buf, NULL)) > 0)
		rs->date_ms = (int64_t)t * 1000;
}

/* "Retry-After: 5" (seconds; an HTTP date is not used by the APIs we talk to) and
 * FYERS's "X-Retry-After-Ms: 1500"; the millisecond header wins when both come. The
 * Date header too. */
static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
	struct algo_http_resp *rs = ((struct sink *)arg)->rs;
	size_t len = size * n;
	static const char ra[] = "retry-after:", ram[] = "x-retry-after-ms:", date[] = "date:";
	const char *v = NULL;
	long mult = 0;
	if (len > sizeof date - 1 && strncasecmp(p, date, sizeof date - 1) == 0)
		take_date(rs, p + sizeof date - 1, len - (sizeof date - 1));
	else if (len > sizeof ram - 1 && strncasecmp(p, ram, sizeof ram - 1) == 0) {
		v = p + sizeof ram - 1;
		mult = 1;
	} else if (len > sizeof ra - 1 && strncasecmp(p, ra, sizeof ra - 1) == 0) {
		v = p + sizeof ra - 1;
		mult = 1000;
	}
	if (v) {
		char num[32];
		size_t k = 0;
		char *end;
		long x;
		while (v < p + len && (*v == ' ' || *v == '\t'))
			v++;
		while (v < p + len && k + 1 < sizeof num && isdigit((unsigned char)*v))
			num[k++] = *v++;
		num[k] = '\0';
		errno = 0;
		x = strtol(num, &end, 10);
		if (k && !errno && x >= 0 && x < 86400000L / mult &&
		    (mult == 1 || rs->retry_after_ms < 0 || rs->retry_after_ms % 1000 == 0))
			rs->retry_after_ms = x * mult;
	}
	return len;
}

static int known_method(const char *m)
{
	static const char *const ok[] = { "GET", "POST", "PUT", "PATCH", "DELETE", NULL };
	for (int i = 0; ok[i]; i++)
		if (strcmp(m, ok[i]) == 0)
			return 1;
	return 0;
}

/* Verification always on, against SSL_CERT_FILE and SSL_CERT_DIR when set (libcurl's
 * built-in bundle otherwise). */
static void set_trust(CURL *c)
{
	const char *file = algo_tls_ca_file(), *dir = algo_tls_ca_dir();
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (file)
		curl_easy_setopt(c, CURLOPT_CAINFO, file);
	if (dir)
		curl_easy_setopt(c, CURLOPT_CAPATH, dir);
}

/* Sets the options of one request; returns the header list to free, or NULL. */
static struct curl_slist *set_request(CURL *c, const struct algo_http *h,
	const struct algo_http_req *rq, struct sink *k, char *curl_err, int *oom)
{
	struct curl_slist *hl = NULL, *t;
	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, rq->url);
	curl_easy_setopt(c, CURLOPT_USERAGENT, h->agent);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curl_err);
	set_trust(c);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, rq->connect_timeout_ms > 0 ? rq->connect_timeout_ms : 5000L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, rq->timeout_ms > 0 ? rq->timeout_ms : 15000L);
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, k);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, k);
	if (rq->once)
		curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, 1L);
	if (strcmp(rq->method, "GET") == 0)
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	else if (strcmp(rq->method, "POST") != 0)
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, rq->method);
	if (rq->body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, rq->body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->body_len);
	} else if (strcmp(rq->method, "POST") == 0) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
	}
	/* No "Expect: 100-continue" round trip on larger bodies. */
	if (!(t = curl_slist_append(hl, "Expect:"))) {
		*oom = 1;
		return hl;
	}
	hl = t;
	for (size_t i = 0; rq->headers && rq->headers[i]; i++) {
		if (!(t = curl_slist_append(hl, rq->headers[i]))) {
			*oom = 1;
			return hl;
		}
		hl = t;
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	return hl;
}

/* The URL without its query, for messages: a query may carry a token. */
static void url_for_message(const char *url, char *out, size_t outlen)
{
	size_t n = strcspn(url, "?#");
	const char *bot = strstr(url, "/bot");
	if (bot && (size_t)(bot - url) < n)
		n = (size_t)(bot - url) + 4;  /* Telegram puts the token in the path */
	snprintf(out, outlen, "%.*s%s", (int)(n > 200 ? 200 : n), url, n < strlen(url) ? "…" : "");
}

/* Did the TLS handshake fail on the certificate (not on the network)? A handshake
 * error counts when OpenSSL's verification result says the certificate was refused. */
static int tls_untrusted(CURL *c, CURLcode rc)
{
	long verify = 0;
	if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE ||
	    rc == CURLE_SSL_ISSUER_ERROR || rc == CURLE_SSL_CRL_BADFILE)
		return 1;
	return rc == CURLE_SSL_CONNECT_ERROR && curl_easy_getinfo(c, CURLINFO_SSL_VERIFYRESULT, &verify) == CURLE_OK &&
	       verify != 0;
}

int algo_http_do(struct algo_http *h, const struct algo_http_req *rq, struct algo_http_resp *rs,
	char *err, size_t errlen)
{
	struct sink k;
	struct curl_slist *hl;
	char where[256], curl_err[CURL_ERROR_SIZE] = "";
	CURLcode rc;
	long reqsize = 0;
	int oom = 0;
	memset(rs, 0, sizeof *rs);
	rs->retry_after_ms = -1;
	if (!h->curl || !rq->url || !rq->method || !known_method(rq->method)) {
		snprintf(err, errlen, "http: bad request (method %s)", rq->method ? rq->method : "none");
		return ALGO_HTTP_EUSAGE;
	}
	memset(&k, 0, sizeof k);
	k.rs = rs;
	hl = set_request(h->curl, h, rq, &k, curl_err, &oom);
	if (oom) {
		curl_slist_free_all(hl);
		snprintf(err, errlen, "out of memory");
		return ALGO_HTTP_ENOMEM;
	}
	rc = curl_easy_perform(h->curl);
	curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &rs->status);
	curl_easy_getinfo(h->curl, CURLINFO_REQUEST_SIZE, &reqsize);
	curl_easy_getinfo(h->curl, CURLINFO_TOTAL_TIME, &rs->seconds);
	curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(h->curl, CURLOPT_ERRORBUFFER, NULL);
	curl_slist_free_all(hl);
	if (!rs->body && (rs->body = calloc(1, 1)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return ALGO_HTTP_ENOMEM;
	}
	if (rc == CURLE_OK)
		return ALGO_HTTP_OK;
	url_for_message(rq->url, where, sizeof where);
	if (k.toobig) {
		snprintf(err, errlen, "%s %s: reply larger than %ld MiB", rq->method, where,
			ALGO_HTTP_BODY_MAX >> 20);
		return ALGO_HTTP_ETOOBIG;
	}
	if (k.oom) {
		snprintf(err, errlen, "out of memory");
		return ALGO_HTTP_ENOMEM;
	}
	if (tls_untrusted(h->curl, rc)) {
		algo_tls_untrusted(err, errlen, where, curl_err[0] ? curl_err : curl_easy_strerror(rc));
		return ALGO_HTTP_ETLS;
	}
	snprintf(err, errlen, "%s %s: %s", rq->method, where, curl_easy_strerror(rc));
	if (rc == CURLE_URL_MALFORMAT || rc == CURLE_UNSUPPORTED_PROTOCOL)
		return ALGO_HTTP_EUSAGE;
	if (rc == CURLE_COULDNT_RESOLVE_HOST || rc == CURLE_COULDNT_RESOLVE_PROXY ||
	    rc == CURLE_COULDNT_CONNECT || rc == CURLE_SSL_CONNECT_ERROR)
		return ALGO_HTTP_NOTSENT;
	/* A time-out or a dropped connection: the request may have reached the server
	 * unless libcurl never wrote a byte of it. */
	return reqsize > 0 ? ALGO_HTTP_MAYBE : ALGO_HTTP_NOTSENT;
}

long algo_http_escape(const char *s, char *out, size_t outlen)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 0;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
			if (n + 2 > outlen)
				return -1;
			out[n++] = (char)c;
		} else {
			if (n + 4 > outlen)
				return -1;
			out[n++] = '%';
			out[n++] = hex[c >> 4];
			out[n++] = hex[c & 15];
		}
	}
	if (n + 1 > outlen)
		return -1;
	out[n] = '\0';
	return (long)n;
}
