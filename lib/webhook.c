/* webhook — Slack- and Discord-shaped JSON posts. See webhook.h for the contract. */
#include "webhook.h"
#include "dest.h"
#include "tlstrust.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Whether the URL's host is name or a subdomain of it. */
static int host_is(const char *url, const char *name)
{
	const char *h = strstr(url, "://");
	size_t n, m = strlen(name);
	if (!h)
		return 0;
	h += 3;
	n = strcspn(h, "/:?#");
	return n >= m && strncasecmp(h + n - m, name, m) == 0 && (n == m || h[n - m - 1] == '.');
}

int algo_webhook_shape(const char *url)
{
	return host_is(url, "discord.com") || host_is(url, "discordapp.com") ?
		ALGO_WEBHOOK_DISCORD : ALGO_WEBHOOK_SLACK;
}

char *algo_webhook_body(int shape, const char *text)
{
	json_t *o = json_pack("{s:s}", shape == ALGO_WEBHOOK_DISCORD ? "content" : "text", text);
	char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	return s;
}

/* The reason at the end of an lib/http message ("POST URL: reason"), without the URL. */
static const char *reason_only(const char *herr)
{
	const char *p = strstr(herr, "://"), *q;
	q = strstr(p ? p : herr, ": ");
	return q ? q + 2 : herr;
}

/* "https://host[:port]/…" of url: the server without the path, which is the secret. */
static void origin_of(const char *url, char *out, size_t outlen)
{
	const char *h = strstr(url, "://");
	size_t n = h ? (size_t)(h + 3 - url) + strcspn(h + 3, "/?#") : strlen(url);
	snprintf(out, outlen, "%.*s%s", (int)(n > 250 ? 250 : n), url, n < strlen(url) ? "/…" : "");
}

int algo_webhook_send(const char *url, struct algo_http *h, const char *text, long timeout_ms,
	long *retry_ms, char *err, size_t errlen)
{
	static const char *const headers[] = { "Content-Type: application/json", NULL };
	char *body = algo_webhook_body(algo_webhook_shape(url), text);
	struct algo_http_req rq = { .method = "POST", .url = url, .headers = headers,
		.timeout_ms = timeout_ms };
	struct algo_http_resp rs;
	char herr[512];
	int rc;
	*retry_ms = -1;
	if (!body) {
		snprintf(err, errlen, "out of memory");
		return ALGO_DEST_RETRY;
	}
	rq.body = body;
	rq.body_len = strlen(body);
	rc = algo_http_do(h, &rq, &rs, herr, sizeof herr);
	free(body);
	if (rc == ALGO_HTTP_ETLS) {
		char origin[300];
		origin_of(url, origin, sizeof origin);
		snprintf(err, errlen, "webhook %s: %s", origin, algo_tls_untrusted_reason(herr));
		rc = ALGO_DEST_FATAL;
	} else if (rc != ALGO_HTTP_OK) {
		snprintf(err, errlen, "webhook: %s", reason_only(herr));
		rc = rc == ALGO_HTTP_EUSAGE ? ALGO_DEST_FATAL : ALGO_DEST_RETRY;
	} else if (rs.status >= 200 && rs.status < 300) {
		rc = ALGO_DEST_OK;
	} else {
		*retry_ms = rs.retry_after_ms;
		snprintf(err, errlen, "webhook: HTTP %ld%s", rs.status, rs.status == 429 || rs.status >= 500 ?
			"" : " (check the webhook URL)");
		rc = rs.status == 429 || rs.status >= 500 ? ALGO_DEST_RETRY : ALGO_DEST_FATAL;
	}
	algo_http_resp_free(&rs);
	return rc;
}
