#include "fillsim.h"
#include "decimal.h"
#include "event.h"
#include "timeutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* bps are decimals (× 10,000), so "1 + bps/10000" is (10^8 + bps) / 10^8. */
#define BPS_DEN (ALGO_DEC_SCALE * 10000LL)
#define NO_CAP INT64_MAX

int64_t algo_fillsim_slip(int64_t price, int side, int64_t bps)
{
	int64_t p = algo_dec_muldiv(price, side == ALGO_SELL ? BPS_DEN - bps : BPS_DEN + bps, BPS_DEN);
	return p < 1 ? 1 : p;
}

int algo_fillsim_brokerage(int64_t price, int64_t qty, int64_t bps, int64_t *out)
{
	int64_t turnover;
	if (__builtin_mul_overflow(price, qty, &turnover))
		return -1;
	/* Round once, straight to paise: turnover × bps / (10^8 × 100) in paise. */
	*out = algo_dec_muldiv(turnover, bps, BPS_DEN * 100) * 100;
	return 0;
}

void algo_fillsim_leg_id(const char *id, const char *suffix, char *out)
{
	size_t n = strlen(id);
	size_t k = strlen(suffix);
	if (n + k < ALGO_FILLSIM_ID_MAX) {
		memcpy(out, id, n);
		memcpy(out + n, suffix, k + 1);
	} else {
		uint32_t h = 2166136261u;                 /* FNV-1a, 32 bits */
		for (size_t i = 0; i < n; i++) {
			h ^= (unsigned char)id[i];
			h *= 16777619u;
		}
		snprintf(out, ALGO_FILLSIM_ID_MAX, "%.20s%08x%s", id, (unsigned)h, suffix);
	}
}

/* ---- engine state ------------------------------------------------------------------ */

struct sym {
	int idx;
	int have;                 /* a price was seen */
	int64_t last, last_v;     /* last close (or ltp) and bar volume (-1 unknown) */
};

static const char *const product_names[] = { "intraday", "delivery", "margin" };

void algo_fillsim_init(struct algo_fillsim *fs, const struct algo_fillsim_cfg *cfg,
	void (*emit)(const struct algo_fillsim_out *, void *), void *arg)
{
	memset(fs, 0, sizeof *fs);
	fs->cfg = *cfg;
	if (fs->cfg.tick_size <= 0)
		fs->cfg.tick_size = 500;   /* 0.05 */
	fs->emit = emit;
	fs->arg = arg;
	algo_book_tab_init(&fs->syms, sizeof(struct sym));
	algo_book_tab_init(&fs->pos, sizeof(struct algo_fillsim_pos));
	algo_book_tab_init(&fs->ids, 1);
	algo_book_tab_init(&fs->dp, 1);
}

void algo_fillsim_free(struct algo_fillsim *fs)
{
	free(fs->w);
	fs->w = NULL;
	fs->n = fs->cap = 0;
	algo_book_tab_free(&fs->syms);
	algo_book_tab_free(&fs->pos);
	algo_book_tab_free(&fs->ids);
	algo_book_tab_free(&fs->dp);
}

size_t algo_fillsim_working(const struct algo_fillsim *fs)
{
	size_t k = 0;
	for (size_t i = 0; i < fs->n; i++)
		k += !fs->w[i].done;
	return k;
}

#define OOM(e, n) (snprintf(e, n, "out of memory"), -1)

static struct sym *sym_get(struct algo_fillsim *fs, const char *symbol)
{
	size_t before = algo_book_tab_count(&fs->syms), n = strlen(symbol);
	const char *key;
	struct sym *s;
	/* The same symbol as last time is the common case: no hashing. */
	if (fs->last_sym && fs->last_klen == n && memcmp(fs->last_key, symbol, n) == 0)
		return fs->last_sym;
	s = algo_book_tab_get(&fs->syms, symbol, n, 1);
	if (s && algo_book_tab_count(&fs->syms) != before)
		s->idx = (int)before;
	if (s) {
		algo_book_tab_at(&fs->syms, (size_t)s->idx, &key, &fs->last_klen);
		fs->last_key = key;
		fs->last_sym = s;
	}
	return s;
}

static struct algo_fillsim_pos *pos_get(struct algo_fillsim *fs, const struct algo_order_in *o,
	int sym, int create)
{
	char key[3 * ALGO_NAME_MAX + 4], symprod[ALGO_NAME_MAX + 4];
	size_t n, before;
	struct algo_fillsim_pos *p;
	/* One position per product, as a broker keeps them: a delivery holding and an
	 * intraday trade of the same symbol are squared off and checked separately. */
	snprintf(symprod, sizeof symprod, "%s\x1e%d", o->symbol, o->product);
	if (!(n = algo_book_key(key, sizeof key, o->user, o->strategy, symprod)))
		return NULL;
	before = algo_book_tab_count(&fs->pos);
	p = algo_book_tab_get(&fs->pos, key, n, create);
	if (p && algo_book_tab_count(&fs->pos) != before) {
		p->sym = sym;
		p->product = o->product;
		snprintf(p->user, sizeof p->user, "%s", o->user);
		snprintf(p->strategy, sizeof p->strategy, "%s", o->strategy);
		snprintf(p->symbol, sizeof p->symbol, "%s", o->symbol);
	}
	return p;
}

static int is_fno(const char *symbol)
{
	int seg = algo_costs_segment(symbol, NULL);
	return seg == ALGO_SEG_FUT || seg == ALGO_SEG_OPT;
}

static int add_order(struct algo_fillsim *fs, const struct algo_working_order *o)
{
	if (fs->n == fs->cap) {
		size_t cap = fs->cap ? fs->cap * 2 : 16;
		struct algo_working_order *nw = realloc(fs->w, cap * sizeof *nw);
		if (!nw)
			return -1;
		fs->w = nw;
		fs->cap = cap;
	}
	fs->w[fs->n++] = *o;
	return 0;
}

static void sweep(struct algo_fillsim *fs)
{
	size_t k = 0;
	for (size_t i = 0; i < fs->n; i++)
		if (!fs->w[i].done) {
			if (k != i)
				fs->w[k] = fs->w[i];
			k++;
		}
	fs->n = k;
}

static void update(struct algo_fillsim *fs, const struct algo_working_order *o, int64_t ts,
	const char *status, const char *reason)
{
	struct algo_fillsim_out out;
	memset(&out, 0, sizeof out);
	out.what = ALGO_OUT_UPDATE;
	out.ts = ts;
	out.o = o;
	out.status = status;
	out.reason = reason;
	fs->emit(&out, fs->arg);
}

static struct algo_working_order *by_seq(struct algo_fillsim *fs, int64_t seq)
{
	for (size_t i = 0; i < fs->n; i++)
		if (fs->w[i].seq == seq && !fs->w[i].done)
			return &fs->w[i];
	return NULL;
}

/* ---- charges ------------------------------------------------------------------------ */

static int charges(struct algo_fillsim *fs, const struct algo_working_order *o, int64_t ts,
	int64_t qty, int64_t price, struct algo_fees *f, char *err, size_t errlen)
{
	memset(f, 0, sizeof *f);
	switch (fs->cfg.cost_model) {
	case ALGO_COST_BPS:
		if (algo_fillsim_brokerage(price, qty, fs->cfg.commission_bps, &f->brokerage)) {
			snprintf(err, errlen, "turnover out of range");
			return -1;
		}
		f->total = f->brokerage;
		return 0;
	case ALGO_COST_TABLE: {
		int64_t day = algo_time_ist_day(ts);
		const struct algo_costs_period *p = algo_costs_period(fs->cfg.costs, day);
		int seg = algo_costs_segment(o->in.symbol, product_names[o->in.product]);
		int dp = 0;
		if (!p) {
			char d[11];
			algo_time_ist_date(ts, d);
			snprintf(err, errlen, "charges table %s has no rates for %s", fs->cfg.costs->name, d);
			return -3;
		}
		if (seg == ALGO_SEG_EQ_DELIVERY && o->in.side == ALGO_SELL && p->seg[seg].dp_sell) {
			char key[2 * ALGO_NAME_MAX + 24], ds[24];
			size_t n;
			snprintf(ds, sizeof ds, "%lld", (long long)day);
			n = algo_book_key(key, sizeof key, o->in.user, o->in.symbol, ds);
			if (n && !algo_book_tab_get(&fs->dp, key, n, 0)) {
				if (!algo_book_tab_get(&fs->dp, key, n, 1))
					return OOM(err, errlen);
				dp = 1;
			}
		}
		return algo_costs_fill(&p->seg[seg], o->in.side, price, qty, o->turnover, dp, f, err, errlen);
	}
	default:
		return 0;
	}
}

/* ---- fills --------------------------------------------------------------------------- */

static int make_legs(struct algo_fillsim *fs, size_t entry, int64_t ts, int at_open, char *err,
	size_t errlen);

/* Records a fill of qty at price on order o (in fs->w at index idx, or a temporary
 * when idx is (size_t)-1): charges, position, the fill and the update; on the last
 * fill the order is done, its OCO peer cancelled and its legs made. */
static int do_fill(struct algo_fillsim *fs, struct algo_working_order *o, size_t idx, int64_t ts,
	int64_t qty, int64_t price, int ambiguous, int at_open, const char *reason, char *err,
	size_t errlen)
{
	struct algo_fillsim_out out;
	struct algo_fillsim_pos *p;
	struct algo_position np;
	int64_t t, rc;
	char why[ALGO_ERR_MAX];

	memset(&out, 0, sizeof out);
	if ((rc = charges(fs, o, ts, qty, price, &out.fees, err, errlen)))
		return (int)rc;
	if (!(p = pos_get(fs, &o->in, o->sym, 1)))
		return OOM(err, errlen);
	np = p->p;
	if (algo_book_apply_fill(&np, o->in.side, qty, price, why, sizeof why) ||
	    algo_book_add_fees(&np, out.fees.total) ||
	    __builtin_mul_overflow(price, qty, &t) ||
	    __builtin_add_overflow(o->value, t, &o->value) ||
	    __builtin_add_overflow(o->turnover, t, &o->turnover)) {
		snprintf(err, errlen, "order %s: position or turnover out of range", o->in.id);
		return -1;
	}
	fs->realised += np.realised - p->p.realised;
	fs->fees += out.fees.total;
	p->p = np;
	o->filled += qty;
	o->nfills++;

	out.what = ALGO_OUT_FILL;
	out.ts = ts;
	out.o = o;
	out.qty = qty;
	out.price = price;
	out.fill_no = o->nfills;
	out.ambiguous = ambiguous;
	out.reason = reason;
	fs->emit(&out, fs->arg);
	update(fs, o, ts, o->filled == o->in.qty ? "filled" : "partial", NULL);
	if (o->filled < o->in.qty)
		return 0;
	o->done = 1;
	if (o->peer) {
		struct algo_working_order *peer = by_seq(fs, o->peer);
		if (peer) {
			char r[64];
			snprintf(r, sizeof r, "one cancels other: %s filled", o->in.id);
			peer->done = 1;
			update(fs, peer, ts, "cancelled", r);
		}
	}
	if (idx != (size_t)-1)
		return make_legs(fs, idx, ts, at_open, err, errlen);
	return 0;
}

/* The stop-loss and target legs of a finished entry (fs->w[entry]) with a filled
 * quantity: both working from the fill on (at_open: from the same bar, whose range
 * came after its open; otherwise from the next bar). */
static int make_legs(struct algo_fillsim *fs, size_t entry, int64_t ts, int at_open, char *err,
	size_t errlen)
{
	struct algo_working_order e = fs->w[entry], sl, tp;
	int64_t avg, seq_sl = 0, seq_tp = 0;
	char why[96];

	if (e.leg != ALGO_LEG_NONE || e.filled <= 0 || !(e.in.sl || e.in.tp || e.in.trail))
		return 0;
	avg = algo_dec_muldiv(e.value, 1, e.filled);
	memset(&sl, 0, sizeof sl);
	sl.in = e.in;
	sl.in.side = -e.in.side;
	sl.in.qty = e.filled;
	sl.in.validity = ALGO_VALID_GTC;
	sl.in.ts = at_open ? ts - 1 : ts;
	sl.in.sl = sl.in.tp = 0;
	sl.in.limit = sl.in.stop = 0;
	sl.sym = e.sym;
	sl.day = algo_time_ist_day(ts);
	sl.extreme = avg;
	tp = sl;
	if (e.in.sl || e.in.trail) {
		int64_t stop = e.in.sl;
		if (e.in.trail) {
			int64_t t = e.in.side == ALGO_BUY ? avg - e.in.trail : avg + e.in.trail;
			if (t < 1)
				t = 1;
			if (!stop || (e.in.side == ALGO_BUY ? t > stop : t < stop))
				stop = t;
		}
		sl.leg = ALGO_LEG_SL;
		sl.in.kind = ALGO_KIND_STOP;
		sl.in.stop = stop;
		sl.in.trail = e.in.trail;
		algo_fillsim_leg_id(e.in.id, "SL", sl.in.id);
		sl.seq = seq_sl = ++fs->seq;
	}
	if (e.in.tp) {
		tp.leg = ALGO_LEG_TP;
		tp.in.kind = ALGO_KIND_LIMIT;
		tp.in.limit = e.in.tp;
		tp.in.trail = 0;
		algo_fillsim_leg_id(e.in.id, "TP", tp.in.id);
		tp.seq = seq_tp = ++fs->seq;
	}
	sl.peer = seq_tp;
	tp.peer = seq_sl;
	if (seq_sl) {
		if (add_order(fs, &sl))
			return OOM(err, errlen);
		snprintf(why, sizeof why, "stop-loss leg of %s", e.in.id);
		update(fs, &fs->w[fs->n - 1], ts, "accepted", why);
	}
	if (seq_tp) {
		if (add_order(fs, &tp))
			return OOM(err, errlen);
		snprintf(why, sizeof why, "target leg of %s", e.in.id);
		update(fs, &fs->w[fs->n - 1], ts, "accepted", why);
	}
	return 0;
}

/* ---- fill rules ------------------------------------------------------------------------ */

static int64_t slipped(const struct algo_fillsim *fs, int64_t price, int side)
{
	int64_t p = algo_fillsim_slip(price, side, fs->cfg.slippage_bps);
	p += side * fs->cfg.slippage_ticks * fs->cfg.tick_size;
	return p < 1 ? 1 : p;
}

/* The bar as order side sees it: on a tick, o = h = l = c = ask (buys) or bid (sells),
 * ltp when those are absent. */
static void side_view(const struct algo_fillsim_bar *b, int side, struct algo_fillsim_bar *v)
{
	*v = *b;
	if (b->tick) {
		int64_t p = side == ALGO_BUY ? (b->ask ? b->ask : b->c) : (b->bid ? b->bid : b->c);
		v->o = v->h = v->l = v->c = p;
	}
}

struct hit { int hit, at_open, slip; int64_t price; };

/* A buy limit at L fills at the open when the open is at or below L, else at L when
 * the low trades through it (below L); sells mirror. */
static int limit_hit(int side, int64_t lim, const struct algo_fillsim_bar *v, struct hit *h)
{
	if (side == ALGO_BUY ? v->o <= lim : v->o >= lim) {
		h->hit = 1; h->at_open = 1; h->price = v->o;
	} else if (side == ALGO_BUY ? v->l < lim : v->h > lim) {
		h->hit = 1; h->price = lim;
	}
	return h->hit;
}

/* A buy stop at S triggers when the open is at or above S (fills at the open: a gap)
 * or the high reaches S (fills at S); sells mirror. */
static int stop_hit(int side, int64_t stop, const struct algo_fillsim_bar *v, struct hit *h)
{
	if (side == ALGO_BUY ? v->o >= stop : v->o <= stop) {
		h->hit = 1; h->at_open = 1; h->price = v->o;
	} else if (side == ALGO_BUY ? v->h >= stop : v->l <= stop) {
		h->hit = 1; h->price = stop;
	}
	return h->hit;
}

/* Whether o fills on bar b and at what price (before slippage). May set o->triggered. */
static void evaluate(const struct algo_fillsim *fs, struct algo_working_order *o,
	const struct algo_fillsim_bar *b, struct hit *h)
{
	struct algo_fillsim_bar v;
	int side = o->in.side;
	memset(h, 0, sizeof *h);
	side_view(b, side, &v);
	switch (o->in.kind) {
	case ALGO_KIND_MARKET:
		h->hit = 1;
		h->slip = 1;
		h->at_open = fs->cfg.mode != ALGO_FILL_CLOSE;
		h->price = h->at_open ? v.o : v.c;
		break;
	case ALGO_KIND_LIMIT:
		limit_hit(side, o->in.limit, &v, h);
		break;
	case ALGO_KIND_STOP:
		if (stop_hit(side, o->in.stop, &v, h))
			h->slip = 1;
		break;
	case ALGO_KIND_STOP_LIMIT:
		if (o->triggered) {
			limit_hit(side, o->in.limit, &v, h);
		} else if (stop_hit(side, o->in.stop, &v, h)) {
			o->triggered = 1;
			if (h->at_open) {
				memset(h, 0, sizeof *h);
				limit_hit(side, o->in.limit, &v, h);
			} else if (side == ALGO_BUY ? h->price > o->in.limit : h->price < o->in.limit) {
				memset(h, 0, sizeof *h);   /* rests as a limit from the next bar */
			}
		}
		break;
	}
}

static int64_t bar_cap(const struct algo_fillsim *fs, int64_t v)
{
	int64_t cap;
	if (!fs->cfg.participation || v < 0)
		return NO_CAP;
	cap = (int64_t)((__int128)v * fs->cfg.participation / ALGO_DEC_SCALE);
	return cap < 1 && v > 0 ? 1 : cap;
}

/* Tries to fill fs->w[i] on bar b from *budget. */
static int try_fill(struct algo_fillsim *fs, size_t i, const struct algo_fillsim_bar *b,
	int64_t *budget, char *err, size_t errlen)
{
	struct algo_working_order *o = &fs->w[i], *peer = NULL;
	struct hit h, ph;
	int ambiguous = 0;
	size_t idx = i;
	int64_t q;

	evaluate(fs, o, b, &h);
	if (o->leg != ALGO_LEG_NONE && o->peer && (peer = by_seq(fs, o->peer)) &&
	    b->ts > peer->in.ts) {
		evaluate(fs, peer, b, &ph);
		if (h.hit && ph.hit) {
			int take_peer;
			if (h.at_open || ph.at_open) {
				take_peer = ph.at_open && !h.at_open;
			} else {
				/* Both inside the range: which came first is unknown. */
				int adverse_is_peer = peer->leg == ALGO_LEG_SL;
				take_peer = fs->cfg.optimistic ? !adverse_is_peer : adverse_is_peer;
				ambiguous = 1;
				fs->ambiguous++;
			}
			if (take_peer) {
				h = ph;
				o = peer;
				idx = (size_t)(peer - fs->w);
			}
		}
	}
	if (!h.hit)
		return 0;
	q = o->in.qty - o->filled;
	if (o->leg == ALGO_LEG_SL || o->leg == ALGO_LEG_TP || o->in.reduce_only) {
		/* Legs and reduce-only orders (exits) only reduce the position: when another
		 * order already closed it (a leg and a time exit on one bar) they are cancelled
		 * rather than open the other side, as a broker's bracket order is. */
		const struct algo_fillsim_pos *p = pos_get(fs, &o->in, o->sym, 0);
		int64_t closable = !p ? 0 : o->in.side == ALGO_SELL ? (p->p.qty > 0 ? p->p.qty : 0) :
			(p->p.qty < 0 ? -p->p.qty : 0);
		if (closable == 0) {
			struct algo_working_order *pe = o->peer ? by_seq(fs, o->peer) : NULL;
			o->done = 1;
			update(fs, o, b->ts, "cancelled", "position already closed");
			if (pe && !pe->done) {
				pe->done = 1;
				update(fs, pe, b->ts, "cancelled", "position already closed");
			}
			return 0;
		}
		if (q > closable)
			q = closable;
	}
	if (q > *budget)
		q = *budget;
	if (q <= 0)
		return 0;
	if (*budget != NO_CAP)
		*budget -= q;
	return do_fill(fs, o, idx, b->ts, q, h.slip ? slipped(fs, h.price, o->in.side) : h.price,
		ambiguous, h.at_open, NULL, err, errlen);
}

/* ---- square-off -------------------------------------------------------------------------- */

static int square_off(struct algo_fillsim *fs, int sym, const struct algo_fillsim_bar *b,
	char *err, size_t errlen)
{
	char why[64];
	snprintf(why, sizeof why, "intraday square-off at %02d:%02d", fs->cfg.square_off / 60,
		fs->cfg.square_off % 60);
	for (size_t i = 0; i < fs->n; i++) {
		struct algo_working_order *o = &fs->w[i];
		if (o->done || o->sym != sym || o->in.product != ALGO_PROD_INTRADAY)
			continue;
		o->done = 1;
		update(fs, o, b->ts, "cancelled", why);
	}
	for (size_t i = 0; i < algo_book_tab_count(&fs->pos); i++) {
		struct algo_fillsim_pos *p = algo_book_tab_at(&fs->pos, i, NULL, NULL);
		struct algo_working_order o;
		struct algo_fillsim_bar v;
		char ymd[7];
		int rc;
		if (p->sym != sym || p->p.qty == 0 || p->product != ALGO_PROD_INTRADAY)
			continue;
		memset(&o, 0, sizeof o);
		algo_time_ist_yymmdd(b->ts, ymd);
		snprintf(o.in.id, sizeof o.in.id, "SQ%s%04lld", ymd, (long long)(++fs->sq_seq % 10000));
		snprintf(o.in.user, sizeof o.in.user, "%s", p->user);
		snprintf(o.in.strategy, sizeof o.in.strategy, "%s", p->strategy);
		snprintf(o.in.symbol, sizeof o.in.symbol, "%s", p->symbol);
		o.in.side = p->p.qty > 0 ? ALGO_SELL : ALGO_BUY;
		o.in.qty = p->p.qty > 0 ? p->p.qty : -p->p.qty;
		o.in.kind = ALGO_KIND_MARKET;
		o.in.validity = ALGO_VALID_DAY;
		o.in.product = ALGO_PROD_INTRADAY;
		o.in.ts = b->ts;
		o.leg = ALGO_LEG_SQUAREOFF;
		o.sym = sym;
		side_view(b, o.in.side, &v);
		update(fs, &o, b->ts, "accepted", why);
		rc = do_fill(fs, &o, (size_t)-1, b->ts, o.in.qty, slipped(fs, v.o, o.in.side), 0, 1,
			"square-off", err, errlen);
		if (rc)
			return rc;
	}
	return 0;
}

/* ---- events ------------------------------------------------------------------------------ */

int algo_fillsim_bar(struct algo_fillsim *fs, const char *symbol,
	const struct algo_fillsim_bar *b, char *err, size_t errlen)
{
	struct sym *s = sym_get(fs, symbol);
	int64_t budget, day = algo_time_ist_day(b->ts);
	int minute = algo_time_ist_minute(b->ts), rc = 0;
	size_t i;

	if (!s)
		return OOM(err, errlen);
	s->have = 1;
	s->last = b->c;
	s->last_v = b->tick ? -1 : b->v;
	budget = bar_cap(fs, s->last_v);
	if (fs->cfg.square_off >= 0 && minute >= fs->cfg.square_off &&
	    (rc = square_off(fs, s->idx, b, err, errlen)))
		goto out;
	/* fs->w may grow (legs) while we walk it: index, never a held pointer. */
	for (i = 0; i < fs->n; i++) {
		struct algo_working_order *o = &fs->w[i];
		if (o->done || o->sym != s->idx || b->ts <= o->in.ts)
			continue;
		if (o->in.validity == ALGO_VALID_DAY && !(o->in.kind == ALGO_KIND_MARKET && !o->filled) &&
		    (day > o->day || minute >= ALGO_FILLSIM_SESSION_END)) {
			o->done = 1;
			update(fs, o, b->ts, "expired", "day order expired at the session end");
			if ((rc = make_legs(fs, i, b->ts, 0, err, errlen)))
				goto out;
			continue;
		}
		if (o->skip > 0) {
			o->skip--;
			continue;
		}
		if ((rc = try_fill(fs, i, b, &budget, err, errlen)))
			goto out;
		o = &fs->w[i];
		if (!o->done && o->in.validity == ALGO_VALID_IOC) {
			o->done = 1;
			update(fs, o, b->ts, "cancelled", o->filled ? "ioc: unfilled remainder cancelled"
				: "ioc: not fillable on the first eligible bar");
			if ((rc = make_legs(fs, i, b->ts, 0, err, errlen)))
				goto out;
			continue;
		}
		if (!o->done && o->leg == ALGO_LEG_SL && o->in.trail) {
			/* Trail after the check: the bar's extreme may have come after its low. */
			struct algo_fillsim_bar v;
			side_view(b, -o->in.side, &v);
			if (o->in.side == ALGO_SELL) {
				if (v.h > o->extreme) o->extreme = v.h;
				if (o->extreme - o->in.trail > o->in.stop) o->in.stop = o->extreme - o->in.trail;
			} else {
				if (v.l < o->extreme) o->extreme = v.l;
				if (o->extreme + o->in.trail < o->in.stop) o->in.stop = o->extreme + o->in.trail;
			}
		}
	}
out:
	sweep(fs);
	return rc;
}

static int64_t margin_of(const struct algo_fillsim *fs, const char *symbol, int64_t notional)
{
	if (notional < 0)
		notional = -notional;
	return is_fno(symbol) ? algo_dec_muldiv(notional, fs->cfg.fno_margin, ALGO_DEC_SCALE) : notional;
}

int algo_fillsim_order(struct algo_fillsim *fs, const struct algo_order_in *in, char *err,
	size_t errlen)
{
	struct algo_working_order o;
	struct algo_fillsim_pos *p;
	struct sym *s;
	char key[ALGO_FILLSIM_ID_MAX + ALGO_NAME_MAX + 1], why[160];
	size_t kn = algo_book_key(key, sizeof key, in->user, in->id, NULL);
	int64_t have, grow;
	int rc = 0;

	memset(&o, 0, sizeof o);
	o.in = *in;
	o.day = algo_time_ist_day(in->ts);
	o.seq = ++fs->seq;
	if (!kn || !(s = sym_get(fs, in->symbol)) || !(p = pos_get(fs, in, 0, 1)))
		return OOM(err, errlen);
	o.sym = s->idx;
	p->sym = s->idx;
	if (algo_book_tab_get(&fs->ids, key, kn, 0)) {
		update(fs, &o, in->ts, "rejected", "duplicate order id");
		return 0;
	}
	if (!algo_book_tab_get(&fs->ids, key, kn, 1))
		return OOM(err, errlen);
	have = p->p.qty;
	/* The part of the order that opens or increases a position. */
	grow = (have >= 0) == (in->side == ALGO_BUY) || have == 0 ? in->qty
		: (in->qty > (have < 0 ? -have : have) ? in->qty - (have < 0 ? -have : have) : 0);

	if (fs->cfg.mode == ALGO_FILL_CLOSE && in->kind == ALGO_KIND_MARKET && !fs->cfg.latency &&
	    !s->have) {
		snprintf(why, sizeof why, "no price for %s", in->symbol);
		update(fs, &o, in->ts, "rejected", why);
		return 0;
	}
	if (fs->cfg.square_off >= 0 && in->product == ALGO_PROD_INTRADAY &&
	    algo_time_ist_minute(in->ts) >= fs->cfg.square_off) {
		snprintf(why, sizeof why, "intraday order after the square-off time %02d:%02d",
			fs->cfg.square_off / 60, fs->cfg.square_off % 60);
		update(fs, &o, in->ts, "rejected", why);
		return 0;
	}
	if (fs->cfg.cost_model == ALGO_COST_TABLE && is_fno(in->symbol)) {
		int64_t lot = algo_costs_lot_size(fs->cfg.costs, in->symbol);
		if (lot > 1 && in->qty % lot) {
			snprintf(why, sizeof why, "qty %lld is not a multiple of the lot size %lld",
				(long long)in->qty, (long long)lot);
			update(fs, &o, in->ts, "rejected", why);
			return 0;
		}
	}
	if (in->product == ALGO_PROD_DELIVERY && in->side == ALGO_SELL && !is_fno(in->symbol) &&
	    have - in->qty < 0) {
		snprintf(why, sizeof why, "delivery sell of %lld exceeds the holding of %lld "
			"(short selling is intraday only)", (long long)in->qty, (long long)(have > 0 ? have : 0));
		update(fs, &o, in->ts, "rejected", why);
		return 0;
	}
	if (fs->cfg.capital >= 0 && grow > 0) {
		int64_t est = in->kind == ALGO_KIND_LIMIT || in->kind == ALGO_KIND_STOP_LIMIT ? in->limit
			: in->kind == ALGO_KIND_STOP ? in->stop : s->have ? s->last : 0;
		if (est > 0) {
			__int128 used = 0, need, avail;
			for (size_t i = 0; i < algo_book_tab_count(&fs->pos); i++) {
				struct algo_fillsim_pos *q = algo_book_tab_at(&fs->pos, i, NULL, NULL);
				used += margin_of(fs, q->symbol, q->p.cost);
			}
			need = margin_of(fs, in->symbol, (int64_t)((__int128)est * grow > INT64_MAX / 2 ?
				INT64_MAX / 2 : (__int128)est * grow));
			avail = (__int128)fs->cfg.capital + fs->realised - fs->fees - used;
			if (need > avail) {
				char a[ALGO_DEC_FMT_MAX], bb[ALGO_DEC_FMT_MAX];
				algo_dec_fmt((int64_t)need, a);
				algo_dec_fmt(avail < 0 ? 0 : (int64_t)avail, bb);
				snprintf(why, sizeof why, "insufficient capital: needs %s, available %s", a, bb);
				update(fs, &o, in->ts, "rejected", why);
				return 0;
			}
		}
	}
	o.skip = fs->cfg.latency;
	if (fs->cfg.mode == ALGO_FILL_CLOSE && in->kind == ALGO_KIND_MARKET && o.skip)
		o.skip--;      /* the close of the latency-th later bar */
	if (add_order(fs, &o))
		return OOM(err, errlen);
	update(fs, &fs->w[fs->n - 1], in->ts, "accepted", NULL);
	if (fs->cfg.mode == ALGO_FILL_CLOSE && in->kind == ALGO_KIND_MARKET && !fs->cfg.latency) {
		/* At once, at the close of the bar the order was made on. */
		struct algo_fillsim_bar b;
		int64_t budget = bar_cap(fs, s->last_v);
		size_t i = fs->n - 1;
		memset(&b, 0, sizeof b);
		b.ts = in->ts;
		b.o = b.h = b.l = b.c = s->last;
		rc = try_fill(fs, i, &b, &budget, err, errlen);
		if (!rc && !fs->w[i].done && in->validity == ALGO_VALID_IOC) {
			fs->w[i].done = 1;
			update(fs, &fs->w[i], in->ts, "cancelled", fs->w[i].filled ?
				"ioc: unfilled remainder cancelled" : "ioc: not fillable on the first eligible bar");
			rc = make_legs(fs, i, in->ts, 0, err, errlen);
		}
	}
	sweep(fs);
	return rc;
}

static struct algo_working_order *find(struct algo_fillsim *fs, const char *user, const char *id)
{
	for (size_t i = 0; i < fs->n; i++)
		if (!fs->w[i].done && strcmp(fs->w[i].in.id, id) == 0 && strcmp(fs->w[i].in.user, user) == 0)
			return &fs->w[i];
	return NULL;
}

int algo_fillsim_cancel(struct algo_fillsim *fs, const char *user, const char *id, int64_t ts,
	char *err, size_t errlen)
{
	struct algo_working_order *o = find(fs, user, id);
	int rc;
	if (!o)
		return 0;
	o->done = 1;
	update(fs, o, ts, "cancelled", "cancelled by request");
	rc = make_legs(fs, (size_t)(o - fs->w), ts, 0, err, errlen);
	sweep(fs);
	return rc ? rc : 1;
}

int algo_fillsim_modify(struct algo_fillsim *fs, const char *user, const char *id, int64_t ts,
	int64_t qty, int64_t limit, int64_t stop, char *err, size_t errlen)
{
	struct algo_working_order *o = find(fs, user, id);
	int k;
	if (!o)
		return 0;
	k = o->in.kind;
	if (qty && qty <= o->filled) {
		snprintf(err, errlen, "qty %lld is not above the %lld already filled", (long long)qty,
			(long long)o->filled);
		return -2;
	}
	if (limit && k != ALGO_KIND_LIMIT && k != ALGO_KIND_STOP_LIMIT) {
		snprintf(err, errlen, "order %s has no limit price", id);
		return -2;
	}
	if (stop && k != ALGO_KIND_STOP && k != ALGO_KIND_STOP_LIMIT) {
		snprintf(err, errlen, "order %s has no stop price", id);
		return -2;
	}
	if (qty) o->in.qty = qty;
	if (limit) o->in.limit = limit;
	if (stop) o->in.stop = stop;
	update(fs, o, ts, "accepted", "modified");
	return 1;
}
