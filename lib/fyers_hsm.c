/* fyers_hsm — the market-data socket's binary protocol. See fyers_hsm.h for the
 * contract and tests/fixtures/fyers/HSM-LAYOUT.md for the layout and its sources. */
#include "fyers_hsm.h"
#include "decimal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NO_VALUE INT32_MIN

int algo_hsm_init(struct algo_hsm *h, int n, char *err, size_t errlen)
{
	memset(h, 0, sizeof *h);
	if (n <= 0) {
		snprintf(err, errlen, "no symbols");
		return -1;
	}
	if (!(h->s = calloc((size_t)n, sizeof *h->s))) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	h->n = n;
	for (int i = 0; i < n; i++)
		h->s[i].q.vol = -1;
	return 0;
}

void algo_hsm_free(struct algo_hsm *h)
{
	free(h->s);
	h->s = NULL;
	h->n = 0;
}

/* ---- topics -------------------------------------------------------------------- */

/* map.json exch_seg_dict: the fytoken's first 4 characters. */
static const char *segment_of(const char *fytoken)
{
	static const char *const seg[][2] = {
		{ "1010", "nse_cm" }, { "1011", "nse_fo" }, { "1012", "cde_fo" }, { "1020", "nse_com" },
		{ "1120", "mcx_fo" }, { "1210", "bse_cm" }, { "1211", "bse_fo" }, { "1212", "bcs_fo" },
	};
	for (size_t i = 0; i < sizeof seg / sizeof seg[0]; i++)
		if (strncmp(fytoken, seg[i][0], 4) == 0)
			return seg[i][1];
	return NULL;
}

/* A few of map.json's index_dict; other indices fall back to the name in the symbol. */
static const char *index_name(const char *symbol)
{
	static const char *const names[][2] = {
		{ "NSE:NIFTY50-INDEX", "Nifty 50" }, { "NSE:NIFTYBANK-INDEX", "Nifty Bank" },
		{ "NSE:FINNIFTY-INDEX", "Nifty Fin Service" }, { "NSE:MIDCPNIFTY-INDEX", "NIFTY MID SELECT" },
		{ "NSE:NIFTYNEXT50-INDEX", "Nifty Next 50" }, { "NSE:INDIAVIX-INDEX", "India VIX" },
		{ "NSE:NIFTYIT-INDEX", "Nifty IT" }, { "NSE:NIFTY100-INDEX", "Nifty 100" },
		{ "NSE:NIFTY500-INDEX", "Nifty 500" }, { "BSE:SENSEX-INDEX", "SENSEX" },
		{ "BSE:BANKEX-INDEX", "BANKEX" },
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(symbol, names[i][0]) == 0)
			return names[i][1];
	return NULL;
}

static int is_index(const char *symbol)
{
	size_t n = strlen(symbol);
	return n > 6 && strcmp(symbol + n - 6, "-INDEX") == 0;
}

int algo_hsm_set_topic(struct algo_hsm *h, int i, const char *symbol, const char *fytoken,
	char *err, size_t errlen)
{
	struct algo_hsm_sym *s = &h->s[i];
	const char *seg = strlen(fytoken) >= 4 ? segment_of(fytoken) : NULL;
	int n;

	if (!seg) {
		snprintf(err, errlen, "%s: fytoken '%.40s' has no known exchange segment", symbol, fytoken);
		return -1;
	}
	if (strlen(symbol) >= sizeof s->symbol) {
		snprintf(err, errlen, "'%.80s': a symbol is 1 to 63 bytes", symbol);
		return -1;
	}
	if (symbol != s->symbol)
		memmove(s->symbol, symbol, strlen(symbol) + 1);
	s->index = is_index(symbol);
	if (s->index) {
		const char *name = index_name(symbol), *colon = strchr(symbol, ':');
		const char *from = colon ? colon + 1 : symbol;
		int len = name ? (int)strlen(name) : (int)(strchr(from, '-') - from);
		n = snprintf(s->topic, sizeof s->topic, "if|%s|%.*s", seg, len, name ? name : from);
	} else if (strlen(fytoken) > 10) {
		n = snprintf(s->topic, sizeof s->topic, "sf|%s|%s", seg, fytoken + 10);
	} else {
		snprintf(err, errlen, "%s: fytoken '%.40s' is too short", symbol, fytoken);
		return -1;
	}
	if (n < 0 || (size_t)n >= sizeof s->topic || n > 255) {
		snprintf(err, errlen, "%s: topic too long", symbol);
		return -1;
	}
	return 0;
}

void algo_hsm_reset(struct algo_hsm *h)
{
	for (int i = 0; i < h->n; i++)
		h->s[i].have_id = 0;
	h->ack_count = h->since_ack = 0;
	h->ack_due = 0;
}

/* ---- messages to send ------------------------------------------------------------ */

struct wbuf {
	uint8_t *p;
	size_t cap, len;
	int over;
};

static void put(struct wbuf *w, const void *b, size_t n)
{
	if (w->over || n > w->cap - w->len) {
		w->over = 1;
		return;
	}
	memcpy(w->p + w->len, b, n);
	w->len += n;
}

static void put8(struct wbuf *w, unsigned v)
{
	uint8_t b = (uint8_t)v;
	put(w, &b, 1);
}

static void put16(struct wbuf *w, unsigned v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };
	put(w, b, 2);
}

static void put32(struct wbuf *w, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
	put(w, b, 4);
}

/* A field: id, u16 length, value. */
static void put_field(struct wbuf *w, unsigned id, const void *v, size_t n)
{
	if (n > 0xffff) {
		w->over = 1;
		return;
	}
	put8(w, id);
	put16(w, (unsigned)n);
	put(w, v, n);
}

/* Starts a message: the u16 length (filled by finish), type, field count. */
static void begin(struct wbuf *w, uint8_t *out, size_t cap, unsigned type, unsigned fields)
{
	*w = (struct wbuf){ .p = out, .cap = cap };
	put16(w, 0);
	put8(w, type);
	put8(w, fields);
}

static long finish(struct wbuf *w)
{
	if (w->over || w->len - 2 > 0xffff)
		return -1;
	w->p[0] = (uint8_t)((w->len - 2) >> 8);
	w->p[1] = (uint8_t)(w->len - 2);
	return (long)w->len;
}

long algo_hsm_msg_auth(uint8_t *out, size_t cap, const char *hsm_key, const char *source)
{
	struct wbuf w;
	uint8_t one = 1;
	begin(&w, out, cap, ALGO_HSM_AUTH, 4);
	put_field(&w, 1, hsm_key, strlen(hsm_key));
	put_field(&w, 2, "P", 1);
	put_field(&w, 3, &one, 1);
	put_field(&w, 4, source, strlen(source));
	return finish(&w);
}

long algo_hsm_msg_mode(uint8_t *out, size_t cap, int channel, int lite)
{
	struct wbuf w;
	uint64_t bits = channel > 0 && channel < 64 ? 1ULL << channel : 0;
	uint8_t b[8], mode = lite ? 76 : 70;
	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(bits >> (56 - 8 * i));
	begin(&w, out, cap, ALGO_HSM_MODE, 2);
	put_field(&w, 1, b, 8);
	put_field(&w, 2, &mode, 1);
	return finish(&w);
}

long algo_hsm_msg_subscribe(const struct algo_hsm *h, int type, int from, int to, int channel,
	uint8_t *out, size_t cap)
{
	struct wbuf w;
	size_t body = 2;
	uint8_t ch = (uint8_t)channel;
	if (from < 0 || to > h->n || from >= to)
		return -1;
	for (int i = from; i < to; i++)
		body += 1 + strlen(h->s[i].topic);
	if (body > 0xffff)
		return -1;
	begin(&w, out, cap, (unsigned)type, 2);
	put8(&w, 1);
	put16(&w, (unsigned)body);
	put16(&w, (unsigned)(to - from));
	for (int i = from; i < to; i++) {
		size_t n = strlen(h->s[i].topic);
		put8(&w, (unsigned)n);
		put(&w, h->s[i].topic, n);
	}
	put_field(&w, 2, &ch, 1);
	return finish(&w);
}

long algo_hsm_msg_ack(uint8_t *out, size_t cap, uint32_t num)
{
	struct wbuf w;
	begin(&w, out, cap, ALGO_HSM_ACK, 1);
	put8(&w, 1);
	put16(&w, 4);
	put32(&w, num);
	return finish(&w);
}

long algo_hsm_msg_ping(uint8_t *out, size_t cap)
{
	static const uint8_t ping[3] = { 0, 1, ALGO_HSM_PING };
	if (cap < sizeof ping)
		return -1;
	memcpy(out, ping, sizeof ping);
	return (long)sizeof ping;
}

/* ---- decoding -------------------------------------------------------------------- */

struct rbuf {
	const uint8_t *p;
	size_t len, off;
	int bad;                    /* read past the end */
};

static int avail(struct rbuf *r, size_t n)
{
	if (r->bad || n > r->len - r->off) {
		r->bad = 1;
		return 0;
	}
	return 1;
}

static unsigned get8(struct rbuf *r)
{
	return avail(r, 1) ? r->p[r->off++] : 0;
}

static unsigned get16(struct rbuf *r)
{
	unsigned v;
	if (!avail(r, 2))
		return 0;
	v = (unsigned)r->p[r->off] << 8 | r->p[r->off + 1];
	r->off += 2;
	return v;
}

static uint32_t get32(struct rbuf *r)
{
	const uint8_t *b = r->p + r->off;
	if (!avail(r, 4))
		return 0;
	r->off += 4;
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* A str8 into out (NUL-terminated, cut to fit). */
static void get_str8(struct rbuf *r, char *out, size_t outlen)
{
	unsigned n = get8(r);
	if (!avail(r, n))
		return;
	snprintf(out, outlen, "%.*s", (int)n, (const char *)r->p + r->off);
	r->off += n;
}

/* A reply's first field, printable, and whether it is "K". */
static void read_reply(struct rbuf *r, struct algo_hsm_reply *rep)
{
	unsigned fields = get8(r), n;
	size_t k = 0;
	memset(rep, 0, sizeof *rep);
	if (fields < 1 || r->bad)
		return;
	get8(r);
	n = get16(r);
	if (!avail(r, n))
		return;
	for (unsigned i = 0; i < n && k + 1 < sizeof rep->text; i++) {
		uint8_t c = r->p[r->off + i];
		rep->text[k++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	rep->ok = n == 1 && r->p[r->off] == 'K';
	r->off += n;
}

static int64_t pow10i(unsigned p)
{
	int64_t v = 1;
	while (p--)
		v *= 10;
	return v;
}

static int64_t price(const struct algo_hsm_sym *s, int f)
{
	int32_t raw = s->raw[f];
	if (!(s->have & (1u << f)) || raw <= 0 || s->div <= 0)
		return 0;
	return algo_dec_muldiv(raw, ALGO_DEC_SCALE, s->div);
}

static int64_t plain(const struct algo_hsm_sym *s, int f, int64_t absent)
{
	return (s->have & (1u << f)) && s->raw[f] >= 0 ? s->raw[f] : absent;
}

/* The quote from the raw values, by the record's field order. */
static void requote(struct algo_hsm_sym *s)
{
	struct algo_hsm_quote *q = &s->q;
	if (s->index) {
		q->ltp = price(s, ALGO_HSM_I_LTP);
		q->prev_close = price(s, ALGO_HSM_I_PREVCLOSE);
		q->high = price(s, ALGO_HSM_I_HIGH);
		q->low = price(s, ALGO_HSM_I_LOW);
		q->open = price(s, ALGO_HSM_I_OPEN);
		q->feed_ms = plain(s, ALGO_HSM_I_FEEDTIME, 0) * 1000;
		q->bid = q->ask = 0;
		q->vol = -1;
		q->ltt_ms = 0;
		return;
	}
	q->ltp = price(s, ALGO_HSM_F_LTP);
	q->bid = price(s, ALGO_HSM_F_BID);
	q->ask = price(s, ALGO_HSM_F_ASK);
	q->open = price(s, ALGO_HSM_F_OPEN);
	q->high = price(s, ALGO_HSM_F_HIGH);
	q->low = price(s, ALGO_HSM_F_LOW);
	q->prev_close = price(s, ALGO_HSM_F_PREVCLOSE);
	q->vol = plain(s, ALGO_HSM_F_VOL, -1);
	q->ltt_ms = plain(s, ALGO_HSM_F_LTT, 0) * 1000;
	q->feed_ms = plain(s, ALGO_HSM_F_FEEDTIME, 0) * 1000;
}

/* Reads count values into the symbol (NULL: skipped); values past the fields known
 * are ignored, "no value" keeps the previous one. */
static void read_values(struct rbuf *r, struct algo_hsm_sym *s, unsigned count)
{
	for (unsigned i = 0; i < count && !r->bad; i++) {
		int32_t v = (int32_t)get32(r);
		if (!s || r->bad || i >= ALGO_HSM_NFIELD || v == NO_VALUE)
			continue;
		s->raw[i] = v;
		s->have |= 1u << i;
	}
}

static void applied(struct algo_hsm *h, int i, const struct algo_hsm_quote *before)
{
	struct algo_hsm_quote *q = &h->s[i].q;
	int changed;
	requote(&h->s[i]);
	changed = !before->seen || q->ltp != before->ltp || q->bid != before->bid || q->ask != before->ask ||
		q->vol != before->vol;
	q->seen = 1;
	h->records++;
	if (h->update)
		h->update(h->arg, i, changed);
}

static int by_topic(const struct algo_hsm *h, const char *topic)
{
	for (int i = 0; i < h->n; i++)
		if (strcmp(h->s[i].topic, topic) == 0)
			return i;
	return -1;
}

static int by_id(const struct algo_hsm *h, unsigned id)
{
	for (int i = 0; i < h->n; i++)
		if (h->s[i].have_id && h->s[i].id == id)
			return i;
	return -1;
}

/* 83: a topic's id and all its values, its multiplier and precision. */
static int snapshot(struct algo_hsm *h, struct rbuf *r, char *err, size_t errlen)
{
	char topic[256] = "", strs[3][256];
	unsigned id = get16(r), count, mult, prec;
	struct algo_hsm_sym *s;
	struct algo_hsm_quote before = { 0 };
	int i;

	get_str8(r, topic, sizeof topic);
	i = r->bad ? -1 : by_topic(h, topic);
	s = i >= 0 ? &h->s[i] : NULL;
	count = get8(r);
	if (s) {
		before = s->q;
		s->have = 0;
	}
	read_values(r, s, count);
	get16(r);
	mult = get16(r);
	prec = get8(r);
	for (int k = 0; k < 3; k++)
		get_str8(r, strs[k], sizeof strs[k]);
	if (r->bad)
		return 0;
	if (!s) {
		h->skipped++;
		return 1;
	}
	if (mult == 0 || prec > 9) {
		snprintf(err, errlen, "snapshot of %s: multiplier %u, precision %u", topic, mult, prec);
		return -1;
	}
	s->id = (uint16_t)id;
	s->have_id = 1;
	s->div = pow10i(prec) * mult;
	applied(h, i, &before);
	return 1;
}

/* 85 and 76: the values that changed, of a topic named by its id. */
static int update(struct algo_hsm *h, struct rbuf *r, int lite)
{
	unsigned id = get16(r), count = lite ? 1 : get8(r);
	int i = r->bad ? -1 : by_id(h, id);
	struct algo_hsm_quote before = { 0 };
	if (i >= 0)
		before = h->s[i].q;
	read_values(r, i >= 0 ? &h->s[i] : NULL, count);
	if (r->bad)
		return 0;
	if (i < 0) {
		h->skipped++;
		return 1;
	}
	applied(h, i, &before);
	return 1;
}

static void count_for_ack(struct algo_hsm *h, uint32_t num)
{
	if (h->ack_count == 0)
		return;
	if (++h->since_ack >= h->ack_count) {
		h->since_ack = 0;
		h->ack_due = 1;
		h->ack_num = num;
	}
}

static int feed(struct algo_hsm *h, struct rbuf *r, char *err, size_t errlen)
{
	uint32_t num = get32(r);
	unsigned count = get16(r);
	if (r->bad) {
		snprintf(err, errlen, "data feed: truncated header (%zu bytes)", r->len);
		return -1;
	}
	h->feeds++;
	count_for_ack(h, num);
	for (unsigned k = 0; k < count; k++) {
		size_t at = r->off;
		unsigned type = get8(r);
		int rc = 0;
		if (type == ALGO_HSM_SNAPSHOT)
			rc = snapshot(h, r, err, errlen);
		else if (type == ALGO_HSM_FULL || type == ALGO_HSM_LITE)
			rc = update(h, r, type == ALGO_HSM_LITE);
		else if (!r->bad) {
			snprintf(err, errlen, "data feed: record %u at byte %zu has unknown type %u", k + 1, at, type);
			return -1;
		}
		if (rc < 0)
			return -1;
		if (rc == 0) {
			snprintf(err, errlen, "data feed: record %u at byte %zu is truncated (%zu bytes)", k + 1, at, r->len);
			return -1;
		}
	}
	return ALGO_HSM_FEED;
}

int algo_hsm_decode(struct algo_hsm *h, const uint8_t *m, size_t len, struct algo_hsm_reply *rep,
	char *err, size_t errlen)
{
	struct rbuf r = { .p = m, .len = len };
	unsigned type;
	get16(&r);
	type = get8(&r);
	if (r.bad) {
		snprintf(err, errlen, "a message of %zu bytes is too short", len);
		return -1;
	}
	switch (type) {
	case ALGO_HSM_FEED:
		return feed(h, &r, err, errlen);
	case ALGO_HSM_AUTH:
		read_reply(&r, rep);
		if (rep->ok) {
			uint32_t n;
			get8(&r);           /* field 2: the ack count */
			get16(&r);
			n = get32(&r);
			h->ack_count = r.bad ? 0 : n;
			h->since_ack = 0;
		}
		return (int)type;
	case ALGO_HSM_SUB: case ALGO_HSM_UNSUB: case ALGO_HSM_MODE:
		read_reply(&r, rep);
		return (int)type;
	default:
		return (int)type;
	}
}
