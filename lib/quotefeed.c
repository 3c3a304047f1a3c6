/* quotefeed — live quotes by polling. See quotefeed.h for the contract. */
#include "quotefeed.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int algo_quotefeed_init(struct algo_quotefeed *qf, struct algo_fyers *f, char *const *symbols, int n,
	char *err, size_t errlen)
{
	memset(qf, 0, sizeof *qf);
	if (n <= 0) {
		snprintf(err, errlen, "no symbols");
		return -1;
	}
	qf->sym = calloc((size_t)n, sizeof *qf->sym);
	qf->q = calloc((size_t)n, sizeof *qf->q);
	if (!qf->sym || !qf->q) {
		algo_quotefeed_free(qf);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (int i = 0; i < n; i++) {
		if (!*symbols[i] || strlen(symbols[i]) > 63) {
			snprintf(err, errlen, "'%.80s': a symbol is 1 to 63 bytes", symbols[i]);
			algo_quotefeed_free(qf);
			return -1;
		}
		snprintf(qf->sym[i], sizeof qf->sym[i], "%s", symbols[i]);
		qf->q[i].vol = -1;
	}
	qf->f = f;
	qf->n = n;
	return 0;
}

void algo_quotefeed_free(struct algo_quotefeed *qf)
{
	free(qf->sym);
	free(qf->q);
	qf->sym = NULL;
	qf->q = NULL;
}

static int find(const struct algo_quotefeed *qf, int from, int to, const char *name)
{
	for (int i = from; i < to; i++)
		if (strcmp(qf->sym[i], name) == 0)
			return i;
	return -1;
}

/* When a reply's quotes are as of: the broker's clock (its Date header) when that is
 * more than 5 s from ours -- a scripted or replayed feed -- else ours, to the ms. FYERS
 * quotes carry no quote time of their own: "tt" is the trading day (00:00 UTC of the
 * date, e.g. "1623369600"). */
static int64_t reply_time(const struct algo_fyers_reply *r, int64_t now)
{
	int64_t d = r->date_ms - now;
	return r->date_ms > 0 && (d > 5000 || d < -5000) ? r->date_ms : now;
}

static int64_t opt_dec(const json_t *v, const char *key)
{
	int64_t x;
	return algo_fyers_json_dec(json_object_get(v, key), &x) == 0 && x > 0 ? x : 0;
}

/* One entry of d[] into the symbol's quote. Returns 1 changed, 0 same, -1 refused. */
static int take_quote(struct algo_quote *q, const json_t *v, int64_t now)
{
	struct algo_quote n = { .vol = -1 };
	const json_t *vol = json_object_get(v, "volume");
	n.ltp = opt_dec(v, "lp");
	if (n.ltp <= 0)
		return -1;
	n.bid = opt_dec(v, "bid");
	n.ask = opt_dec(v, "ask");
	if (json_is_integer(vol) && json_integer_value(vol) >= 0)
		n.vol = (int64_t)json_integer_value(vol);
	else if (json_is_real(vol) && json_real_value(vol) >= 0)
		n.vol = (int64_t)json_real_value(vol);
	n.ts = now;
	n.changed = !q->seen || n.ltp != q->ltp || n.vol != q->vol || n.bid != q->bid || n.ask != q->ask;
	n.seen = 1;
	*q = n;
	return n.changed;
}

/* One request for symbols [a, b). Returns changed count or -cls. */
static int poll_batch(struct algo_quotefeed *qf, int a, int b, int64_t now, char *err, size_t errlen)
{
	char query[ALGO_QUOTES_PER_CALL * 200 + 16], inner[1024];
	struct algo_fyers_req rq = { .base = ALGO_FYERS_DATA, .method = "GET", .path = "/quotes", .query = query };
	struct algo_fyers_reply r;
	size_t len = (size_t)snprintf(query, sizeof query, "symbols=");
	const json_t *d, *e;
	size_t k;
	int cls, changed = 0;

	for (int i = a; i < b; i++) {
		long m = algo_http_escape(qf->sym[i], query + len, sizeof query - len - 1);
		if (m < 0)
			return -ALGO_FYERS_EFAIL;
		len += (size_t)m;
		if (i + 1 < b)
			query[len++] = ',', query[len] = '\0';
	}
	qf->requests++;
	if ((cls = algo_fyers_request(qf->f, &rq, &r, inner, sizeof inner)) != ALGO_FYERS_OK) {
		snprintf(err, errlen, "%s", inner);
		algo_fyers_reply_free(&r);
		return -cls;
	}
	d = json_object_get(r.root, "d");
	if (!json_is_array(d)) {
		snprintf(err, errlen, "GET /quotes: the reply has no 'd' list");
		algo_fyers_reply_free(&r);
		return -ALGO_FYERS_EPROTO;
	}
	json_array_foreach(d, k, e) {
		const json_t *n = json_object_get(e, "n"), *s = json_object_get(e, "s");
		int i = json_is_string(n) ? find(qf, a, b, json_string_value(n)) : -1, rc;
		if (i < 0)
			continue;
		if ((json_is_string(s) && strcmp(json_string_value(s), "ok") != 0) ||
		    (rc = take_quote(&qf->q[i], json_object_get(e, "v"), reply_time(&r, now))) < 0) {
			const json_t *m = json_object_get(json_object_get(e, "v"), "errmsg");
			snprintf(err, errlen, "GET /quotes: %s: %s", qf->sym[i],
				json_is_string(m) ? json_string_value(m) : "no quote for this symbol");
			algo_fyers_reply_free(&r);
			return -ALGO_FYERS_EBADREQ;
		}
		changed += rc;
	}
	algo_fyers_reply_free(&r);
	return changed;
}

int algo_quotefeed_poll(struct algo_quotefeed *qf, int64_t now, char *err, size_t errlen)
{
	int changed = 0;
	for (int i = 0; i < qf->n; i++)
		qf->q[i].changed = 0;
	for (int a = 0; a < qf->n; a += ALGO_QUOTES_PER_CALL) {
		int b = a + ALGO_QUOTES_PER_CALL < qf->n ? a + ALGO_QUOTES_PER_CALL : qf->n;
		int rc = poll_batch(qf, a, b, now, err, errlen);
		if (rc < 0)
			return rc;
		changed += rc;
	}
	qf->polls++;
	return changed;
}

int algo_quotefeed_reconnect(struct algo_quotefeed *qf, char *err, size_t errlen)
{
	char agent[sizeof qf->f->http.agent];
	memcpy(agent, qf->f->http.agent, sizeof agent);
	algo_http_free(&qf->f->http);
	qf->reconnects++;
	return algo_http_init(&qf->f->http, agent, err, errlen);
}
