/* fyers_history — history candles over any range. See fyers_history.h for the contract. */
#include "fyers_history.h"
#include "event.h"
#include "timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY_MS ALGO_MS_PER_DAY
#define MINUTE_CHUNK_DAYS 100
#define DAILY_CHUNK_DAYS 365
#define SECOND_CHUNK_WEEKDAYS 30

static const int minute_res[] = { 1, 2, 3, 5, 10, 15, 20, 30, 60, 120, 240 };
static const int second_res[] = { 5, 10, 15, 30, 45 };

int algo_fyers_resolution(int64_t tf, char res[8])
{
	for (size_t i = 0; i < sizeof minute_res / sizeof minute_res[0]; i++)
		if (tf == minute_res[i] * 60) {
			snprintf(res, 8, "%d", minute_res[i]);
			return 0;
		}
	for (size_t i = 0; i < sizeof second_res / sizeof second_res[0]; i++)
		if (tf == second_res[i]) {
			snprintf(res, 8, "%dS", second_res[i]);
			return 0;
		}
	if (tf == 86400) {
		snprintf(res, 8, "1D");
		return 0;
	}
	return -1;
}

const char *algo_fyers_resolutions(void)
{
	return ALGO_FYERS_RESOLUTIONS;
}

/* Start (ms) of the IST day after the one holding ms. */
static int64_t next_ist_midnight(int64_t ms)
{
	return (algo_time_ist_day(ms) + 1) * DAY_MS - (int64_t)ALGO_IST_OFFSET_MIN * 60000;
}

int64_t algo_fyers_chunk_end(int64_t tf, int64_t from)
{
	int64_t t = from;
	int n = 0;
	if (tf == 86400)
		return from + DAILY_CHUNK_DAYS * DAY_MS;
	if (tf >= 60)
		return from + MINUTE_CHUNK_DAYS * DAY_MS;
	/* seconds: up to the end of the 30th weekday counted from from's day */
	for (;;) {
		int wd = algo_time_ist_wday(t);
		if (wd != 0 && wd != 6 && ++n == SECOND_CHUNK_WEEKDAYS)
			return next_ist_midnight(t);
		t = next_ist_midnight(t);
	}
}

int algo_fyers_hist_init(struct algo_fyers_hist *h, struct algo_fyers *f, const char *symbol,
	int64_t tf, int cont, int64_t from, int64_t to, const char *cache, char *err, size_t errlen)
{
	memset(h, 0, sizeof *h);
	if (algo_fyers_resolution(tf, h->res) < 0) {
		snprintf(err, errlen, "FYERS has no such resolution (it has %s)", algo_fyers_resolutions());
		return -1;
	}
	if (strlen(symbol) >= sizeof h->symbol || !*symbol) {
		snprintf(err, errlen, "'%.80s': a symbol is 1 to 63 bytes", symbol);
		return -1;
	}
	if (cache && strlen(cache) >= sizeof h->cache) {
		snprintf(err, errlen, "the cache directory's name is too long");
		return -1;
	}
	snprintf(h->symbol, sizeof h->symbol, "%s", symbol);
	snprintf(h->cache, sizeof h->cache, "%s", cache ? cache : "");
	h->f = f;
	h->tf = tf;
	h->cont = cont;
	h->from = h->next = from;
	h->to = to;
	h->last = INT64_MIN;
	return 0;
}

void algo_fyers_hist_free(struct algo_fyers_hist *h)
{
	algo_candles_free(&h->buf);
}

static int valid(const struct algo_candle *c)
{
	int64_t hi = c->o > c->c ? c->o : c->c, lo = c->o < c->c ? c->o : c->c;
	return c->o > 0 && c->h > 0 && c->l > 0 && c->c > 0 && c->v >= 0 && c->h >= hi && c->l <= lo;
}

/* [t, o, h, l, c, v, ...] into c. Returns 0, or -1 when it is not that shape. */
static int decode_candle(const json_t *a, struct algo_candle *c)
{
	const json_t *t = json_array_get(a, 0), *v = json_array_get(a, 5);
	if (!json_is_array(a) || json_array_size(a) < 6 || !json_is_integer(t))
		return -1;
	c->ts = (int64_t)json_integer_value(t) * 1000;
	if (algo_fyers_json_dec(json_array_get(a, 1), &c->o) < 0 || algo_fyers_json_dec(json_array_get(a, 2), &c->h) < 0 ||
	    algo_fyers_json_dec(json_array_get(a, 3), &c->l) < 0 || algo_fyers_json_dec(json_array_get(a, 4), &c->c) < 0)
		return -1;
	if (json_is_integer(v))
		c->v = (int64_t)json_integer_value(v);
	else if (json_is_real(v) && json_real_value(v) >= 0 && json_real_value(v) < 9e15)
		c->v = (int64_t)json_real_value(v);
	else
		return -1;
	return 0;
}

/* Decodes the reply's candles into h->buf. Returns 0, or -1 when "candles" is missing
 * on a reply that is not "no_data". */
static int take_candles(struct algo_fyers_hist *h, const struct algo_fyers_reply *r)
{
	const json_t *list = json_object_get(r->root, "candles");
	size_t i;
	json_t *a;
	if (!json_is_array(list))
		return strcmp(r->s, "no_data") == 0 ? 0 : -1;
	json_array_foreach(list, i, a) {
		struct algo_candle c;
		if (decode_candle(a, &c) < 0 || !valid(&c)) {
			h->dropped++;
			continue;
		}
		if (algo_candles_push(&h->buf, &c) < 0)
			return -1;
	}
	return 0;
}

static int by_ts(const void *a, const void *b)
{
	int64_t x = ((const struct algo_candle *)a)->ts, y = ((const struct algo_candle *)b)->ts;
	return (x > y) - (x < y);
}

/* "SYM RES FROM..TO" (IST dates, TO inclusive) for messages. */
static void chunk_name(const struct algo_fyers_hist *h, int64_t a, int64_t b, char *out, size_t len)
{
	char da[11], db[11], tf[16];
	algo_time_ist_date(a, da);
	algo_time_ist_date(b - 1, db);
	algo_tf_fmt(h->tf, tf, sizeof tf);
	snprintf(out, len, "%s %s%s %s..%s", h->symbol, tf, h->cont ? " cont" : "", da, db);
}

static int download(struct algo_fyers_hist *h, int64_t a, int64_t b, char *err, size_t errlen)
{
	char sym[200], query[400], name[160], inner[ALGO_ERR_MAX + 400];
	struct algo_fyers_req rq = { .base = ALGO_FYERS_DATA, .method = "GET", .path = "/history", .query = query };
	struct algo_fyers_reply r;
	int cls;

	if (algo_http_escape(h->symbol, sym, sizeof sym) < 0)
		return -ALGO_FYERS_EFAIL;
	snprintf(query, sizeof query, "symbol=%s&resolution=%s&date_format=0&range_from=%lld&range_to=%lld%s", sym,
		h->res, (long long)(a / 1000), (long long)((b - 1) / 1000), h->cont ? "&cont_flag=1" : "");
	chunk_name(h, a, b, name, sizeof name);
	h->requests++;
	cls = algo_fyers_request(h->f, &rq, &r, inner, sizeof inner);
	if (cls == ALGO_FYERS_OK && take_candles(h, &r) < 0) {
		snprintf(inner, sizeof inner, "GET /history: the reply has no 'candles' list");
		cls = ALGO_FYERS_EPROTO;
	}
	algo_fyers_reply_free(&r);
	if (cls != ALGO_FYERS_OK) {
		snprintf(err, errlen, "%s: %s", name, inner);
		return -cls;
	}
	return 0;
}

/* Loads the chunk [a, b) into h->buf (sorted), from the cache or the broker. */
static int load_chunk(struct algo_fyers_hist *h, int64_t a, int64_t b, char *err, size_t errlen)
{
	char path[4400];
	int64_t now = h->now_ms ? h->now_ms : algo_clock_ms();
	int cacheable = h->cache[0] && b <= next_ist_midnight(now) - DAY_MS &&
		algo_histcache_path(h->cache, h->symbol, h->res, h->cont, a, b, path, sizeof path) == 0;
	int rc;

	h->buf.n = 0;
	h->pos = 0;
	if (cacheable && algo_histcache_load(path, &h->buf)) {
		h->hits++;
		return 0;
	}
	if ((rc = download(h, a, b, err, errlen)) < 0)
		return rc;
	if (h->buf.n)
		qsort(h->buf.c, h->buf.n, sizeof *h->buf.c, by_ts);
	if (cacheable && algo_histcache_save(path, h->buf.c, h->buf.n, err, errlen) < 0)
		return -ALGO_FYERS_EFAIL;
	return 0;
}

int algo_fyers_hist_next(struct algo_fyers_hist *h, struct algo_candle *c, char *err, size_t errlen)
{
	for (;;) {
		while (h->pos < h->buf.n) {
			const struct algo_candle *x = &h->buf.c[h->pos++];
			if (x->ts < h->from || x->ts >= h->to || (h->last != INT64_MIN && x->ts <= h->last))
				continue;
			h->last = x->ts;
			*c = *x;
			return 1;
		}
		if (h->next >= h->to)
			return 0;
		int64_t a = h->next, b = algo_fyers_chunk_end(h->tf, a);
		int rc;
		if (b > h->to)
			b = h->to;
		if ((rc = load_chunk(h, a, b, err, errlen)) < 0)
			return rc;
		h->next = b;
	}
}
