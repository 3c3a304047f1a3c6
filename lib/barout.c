/* barout — bar events and CSV lines; see barout.h. */
#include "barout.h"
#include "decimal.h"
#include "timeutil.h"
#include <stdio.h>
#include <string.h>

/* bar_line's buffer: the names, and room for the rest (ts, four decimals, two whole
 * numbers and the member names: under 300 bytes). */
#define BAR_NAMES_MAX 512
#define BAR_LINE_MAX (BAR_NAMES_MAX + 512)

void algo_barout_init(struct algo_barout *o, struct algo_writer *w)
{
	memset(o, 0, sizeof *o);
	o->w = w;
	o->day = INT64_MIN;
}

void algo_barout_stream(struct algo_barout *o, int64_t ts)
{
	if (o->bars++ != 0)
		return;
	algo_out_begin(o->w);
	algo_out_str(o->w, "type", "stream");
	algo_out_time(o->w, "ts", ts);
	algo_out_int(o->w, "ver", 1);
	algo_out_str(o->w, "source", "algo-feed");
	algo_out_end(o->w);
}

/* The JSON of "ts" (quoted) as algo_out_time writes it, into t (ALGO_TIME_FMT_MAX + 2
 * bytes); returns its length. Whole seconds without a printf per bar: the date part is
 * formatted once per IST day. */
static size_t ts_json(struct algo_barout *o, int64_t ms, char *t)
{
	int64_t local = ms + (int64_t)ALGO_IST_OFFSET_MIN * 60000, d, sec;
	char *b = o->buf + o->datelen;

	if (ms % 1000 != 0 || local < 0) {
		size_t n = algo_time_fmt(ms, ALGO_IST_OFFSET_MIN, t + 1);
		t[0] = t[n + 1] = '"';
		return n + 2;
	}
	d = local / ALGO_MS_PER_DAY;
	if (d != o->day) {
		char f[ALGO_TIME_FMT_MAX];
		size_t n = algo_time_fmt(ms, ALGO_IST_OFFSET_MIN, f);
		o->buf[0] = '"';
		memcpy(o->buf + 1, f, n);
		o->buf[n + 1] = '"';
		o->datelen = 1 + (size_t)(strchr(f, 'T') - f) + 1;
		o->day = d;
		b = o->buf + o->datelen;
	}
	sec = (local - d * ALGO_MS_PER_DAY) / 1000;
	b[0] = (char)('0' + sec / 36000);
	b[1] = (char)('0' + sec / 3600 % 10);
	b[3] = (char)('0' + sec / 600 % 6);
	b[4] = (char)('0' + sec / 60 % 10);
	b[6] = (char)('0' + sec % 60 / 10);
	b[7] = (char)('0' + sec % 10);
	memcpy(t, o->buf, o->datelen + 8 + 6 + 1);
	return o->datelen + 8 + 6 + 1;
}

#define PUT(p, lit) (memcpy((p), (lit), sizeof(lit) - 1), (p) + sizeof(lit) - 1)

/* A bar with ready-made symbol and tf JSON, built in one buffer and written as one
 * line: the bytes the member-by-member writer makes, without a call per member. */
static void bar_line(struct algo_barout *o, const char *symjs, size_t symjslen,
	const char *tfjs, size_t tfjslen, const struct algo_candle *c, int64_t oi)
{
	char line[BAR_LINE_MAX], *p = line;
	p = PUT(p, "{\"type\":\"bar\",\"ts\":");
	p += ts_json(o, c->ts, p);
	p = PUT(p, ",\"symbol\":");
	memcpy(p, symjs, symjslen);
	p = PUT(p + symjslen, ",\"tf\":");
	memcpy(p, tfjs, tfjslen);
	p = PUT(p + tfjslen, ",\"o\":");
	p += algo_dec_fmt(c->o, p);
	p = PUT(p, ",\"h\":");
	p += algo_dec_fmt(c->h, p);
	p = PUT(p, ",\"l\":");
	p += algo_dec_fmt(c->l, p);
	p = PUT(p, ",\"c\":");
	p += algo_dec_fmt(c->c, p);
	p = PUT(p, ",\"v\":");
	p += algo_int_fmt(c->v, p);
	if (oi >= 0) {
		p = PUT(p, ",\"oi\":");
		p += algo_int_fmt(oi, p);
	}
	*p++ = '}';
	algo_out_line(o->w, line, (size_t)(p - line));
}

void algo_barout_bar(struct algo_barout *o, const char *sym, const char *symjs, size_t symjslen,
	const char *tf, const char *tfjs, size_t tfjslen, const struct algo_candle *c, int64_t oi)
{
	char t[ALGO_TIME_FMT_MAX + 2];
	algo_barout_stream(o, c->ts);
	if (symjs && tfjs && symjslen + tfjslen <= BAR_NAMES_MAX) {
		bar_line(o, symjs, symjslen, tfjs, tfjslen, c, oi);
		return;
	}
	algo_out_begin(o->w);
	algo_out_str(o->w, "type", "bar");
	algo_out_raw(o->w, "ts", t, ts_json(o, c->ts, t));
	if (symjs)
		algo_out_raw(o->w, "symbol", symjs, symjslen);
	else
		algo_out_str(o->w, "symbol", sym);
	if (tfjs)
		algo_out_raw(o->w, "tf", tfjs, tfjslen);
	else
		algo_out_str(o->w, "tf", tf);
	algo_out_dec(o->w, "o", c->o);
	algo_out_dec(o->w, "h", c->h);
	algo_out_dec(o->w, "l", c->l);
	algo_out_dec(o->w, "c", c->c);
	algo_out_int(o->w, "v", c->v);
	if (oi >= 0)
		algo_out_int(o->w, "oi", oi);
	algo_out_end(o->w);
}

static void csv_line(struct algo_barout *o, const char *sym, const struct algo_candle *c)
{
	char line[256], t[ALGO_TIME_FMT_MAX], op[32], h[32], l[32], cl[32];
	int n;
	algo_time_fmt(c->ts, ALGO_IST_OFFSET_MIN, t);
	algo_dec_fmt(c->o, op), algo_dec_fmt(c->h, h), algo_dec_fmt(c->l, l), algo_dec_fmt(c->c, cl);
	if (o->bars++ == 0)
		algo_out_line(o->w, "timestamp,symbol,open,high,low,close,volume", 43);
	n = snprintf(line, sizeof line, "%s,%s,%s,%s,%s,%s,%lld", t, sym, op, h, l, cl, (long long)c->v);
	algo_out_line(o->w, line, (size_t)n);
}

void algo_barout_named(struct algo_barout *o, const char *sym, const char *tf, const struct algo_candle *c)
{
	if (o->csv)
		csv_line(o, sym, c);
	else
		algo_barout_bar(o, sym, NULL, 0, tf, NULL, 0, c, -1);
}
