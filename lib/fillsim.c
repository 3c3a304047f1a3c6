/* fillsim — the paper venue. See fillsim.h for the contract and algo-exec-paper(1) for
 * the rules. */
#include "fillsim.h"
#include "cli.h"
#include "decimal.h"
#include "event.h"
#include "timeutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* bps are decimals (× 10,000), so "1 + bps/10000" is (10^8 + bps) / 10^8. */
#define BPS_DEN (ALGO_DEC_SCALE * 10000LL)
#define NO_CAP INT64_MAX
#define OOM(e, n) (snprintf(e, n, "out of memory"), ALGO_EX_FAIL)

/* The paper venue's own numbers on an order (struct algo_exec_vorder.n). */
#define SKIP(o) ((o)->venue.n[0])        /* latency bars still to wait */
#define TRIGGERED(o) ((o)->venue.n[1])   /* stop_limit: the stop was hit */
#define EXTREME(o) ((o)->venue.n[2])     /* trailing stop: best price since the entry */

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

static const char *const product_names[] = { "intraday", "delivery", "margin" };

void algo_fillsim_init(struct algo_fillsim *fs, const struct algo_fillsim_cfg *cfg)
{
	memset(fs, 0, sizeof *fs);
	fs->cfg = *cfg;
	if (fs->cfg.tick_size <= 0)
		fs->cfg.tick_size = 500;   /* 0.05 */
	algo_book_tab_init(&fs->dp, sizeof(int64_t));
}

void algo_fillsim_free(struct algo_fillsim *fs)
{
	free(fs->sym);
	fs->sym = NULL;
	fs->nsym = 0;
	algo_book_tab_free(&fs->dp);
}

/* The simulator's record of symbol index i (made zeroed on first use). */
static struct algo_fillsim_sym *sym_at(struct algo_fillsim *fs, int i)
{
	if ((size_t)i >= fs->nsym) {
		size_t n = fs->nsym ? fs->nsym : 8;
		struct algo_fillsim_sym *ns;
		while (n <= (size_t)i)
			n *= 2;
		if (!(ns = realloc(fs->sym, n * sizeof *ns)))
			return NULL;
		memset(ns + fs->nsym, 0, (n - fs->nsym) * sizeof *ns);
		fs->sym = ns;
		fs->nsym = n;
	}
	return &fs->sym[i];
}

static int is_fno(const char *symbol)
{
	int seg = algo_costs_segment(symbol, NULL);
	return seg == ALGO_SEG_FUT || seg == ALGO_SEG_OPT;
}

static int report(struct algo_executor *ex, struct algo_exec_order *o, int status, int64_t ts,
	const char *reason, char *err, size_t errlen)
{
	return algo_executor_report(ex, o, status, ts, reason, 0, err, errlen);
}

/* ---- charges ------------------------------------------------------------------------ */

/* Whether the delivery sell of (user, symbol) on day is the first of the day: it pays
 * the DP charge. -1 when out of memory. */
static int first_dp_of_day(struct algo_fillsim *fs, const struct algo_exec_order *o, int64_t day)
{
	char key[2 * ALGO_NAME_MAX + 2];
	size_t n = algo_book_key(key, sizeof key, o->in.user, o->in.symbol, NULL);
	int64_t *last = n ? algo_book_tab_get(&fs->dp, key, n, 1) : NULL;
	if (!last)
		return -1;
	if (*last == day + 1)
		return 0;
	*last = day + 1;            /* 0 means never */
	return 1;
}

static int charges(struct algo_fillsim *fs, const struct algo_exec_order *o, int64_t ts,
	int64_t qty, int64_t price, struct algo_fees *f, char *err, size_t errlen)
{
	memset(f, 0, sizeof *f);
	switch (fs->cfg.cost_model) {
	case ALGO_COST_BPS:
		if (algo_fillsim_brokerage(price, qty, fs->cfg.commission_bps, &f->brokerage)) {
			snprintf(err, errlen, "turnover out of range");
			return ALGO_EX_FAIL;
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
			return ALGO_EX_CONFIG;
		}
		if (seg == ALGO_SEG_EQ_DELIVERY && o->in.side == ALGO_SELL && p->seg[seg].dp_sell &&
		    (dp = first_dp_of_day(fs, o, day)) < 0)
			return OOM(err, errlen);
		return algo_costs_fill(&p->seg[seg], o->in.side, price, qty, o->turnover, dp, f, err, errlen)
			? ALGO_EX_FAIL : 0;
	}
	default:
		return 0;
	}
}

/* Fills qty of o at price at ts, with its charges. */
static int fill(struct algo_fillsim *fs, struct algo_executor *ex, struct algo_exec_order *o,
	int64_t ts, int64_t qty, int64_t price, unsigned flags, const char *reason, char *err,
	size_t errlen)
{
	struct algo_exec_fill f;
	int rc;
	memset(&f, 0, sizeof f);
	f.ts = ts;
	f.qty = qty;
	f.price = price;
	f.reason = reason;
	f.flags = flags;
	if ((rc = charges(fs, o, ts, qty, price, &f.fees, err, errlen)))
		return rc;
	return algo_executor_fill(ex, o, &f, err, errlen);
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
static void side_view(const struct algo_exec_market *b, int side, struct algo_exec_market *v)
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
static int limit_hit(int side, int64_t lim, const struct algo_exec_market *v, struct hit *h)
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
static int stop_hit(int side, int64_t stop, const struct algo_exec_market *v, struct hit *h)
{
	if (side == ALGO_BUY ? v->o >= stop : v->o <= stop) {
		h->hit = 1; h->at_open = 1; h->price = v->o;
	} else if (side == ALGO_BUY ? v->h >= stop : v->l <= stop) {
		h->hit = 1; h->price = stop;
	}
	return h->hit;
}

/* Whether o fills on bar b and at what price (before slippage). May trigger a
 * stop_limit. */
static void evaluate(const struct algo_fillsim *fs, struct algo_exec_order *o,
	const struct algo_exec_market *b, struct hit *h)
{
	struct algo_exec_market v;
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
		if (TRIGGERED(o)) {
			limit_hit(side, o->in.limit, &v, h);
		} else if (stop_hit(side, o->in.stop, &v, h)) {
			TRIGGERED(o) = 1;
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

/* When o is a bracket leg whose peer is hit on the same bar too: which of them fills
 * (*o may become the peer, *h its hit). Both hit at the open or only one of them: the
 * one at the open; both inside the range: which came first is unknown, the adverse one
 * (the stop-loss) is assumed unless optimistic. Returns ALGO_EXEC_AMBIGUOUS or 0. */
static unsigned pick_leg(struct algo_fillsim *fs, struct algo_executor *ex, struct algo_exec_order **o,
	const struct algo_exec_market *b, struct hit *h)
{
	struct algo_exec_order *peer;
	struct hit ph;
	int take_peer;
	if ((*o)->leg == ALGO_LEG_NONE || !(peer = algo_executor_peer(ex, *o)) || b->ts <= peer->in.ts)
		return 0;
	evaluate(fs, peer, b, &ph);
	if (!h->hit || !ph.hit)
		return 0;
	if (h->at_open || ph.at_open) {
		take_peer = ph.at_open && !h->at_open;
	} else {
		int adverse_is_peer = peer->leg == ALGO_LEG_SL;
		take_peer = fs->cfg.optimistic ? !adverse_is_peer : adverse_is_peer;
		fs->ambiguous++;
	}
	if (take_peer) {
		*h = ph;
		*o = peer;
	}
	return h->at_open || ph.at_open ? 0 : ALGO_EXEC_AMBIGUOUS;
}

/* Tries to fill o on bar b from *budget. */
static int try_fill(struct algo_fillsim *fs, struct algo_executor *ex, struct algo_exec_order *o,
	const struct algo_exec_market *b, int64_t *budget, char *err, size_t errlen)
{
	struct hit h;
	unsigned flags;
	int64_t q;

	evaluate(fs, o, b, &h);
	flags = pick_leg(fs, ex, &o, b, &h);
	if (!h.hit)
		return 0;
	if ((q = algo_executor_fillable(ex, o)) == 0)
		return algo_executor_position_closed(ex, o, b->ts, err, errlen);
	if (q > *budget)
		q = *budget;
	if (q <= 0)
		return 0;
	if (*budget != NO_CAP)
		*budget -= q;
	if (h.at_open)
		flags |= ALGO_EXEC_AT_OPEN;
	return fill(fs, ex, o, b->ts, q, h.slip ? slipped(fs, h.price, o->in.side) : h.price, flags,
		NULL, err, errlen);
}

/* ---- square-off -------------------------------------------------------------------------- */

/* What the square-off of day says: at the time, or late (day before today: no price of
 * the symbol came between that day's square-off time and now). */
static void square_off_words(const struct algo_fillsim *fs, int64_t day, int64_t today,
	char *why, size_t whylen, char *fill_reason, size_t frlen)
{
	int h = fs->cfg.square_off / 60, m = fs->cfg.square_off % 60;
	char d[11];
	if (day >= today) {
		snprintf(why, whylen, "intraday square-off at %02d:%02d", h, m);
		snprintf(fill_reason, frlen, "square-off");
		return;
	}
	algo_time_ist_date(day * 86400000LL - ALGO_IST_OFFSET_MIN * 60000LL + 43200000LL, d);
	snprintf(why, whylen, "intraday square-off at %02d:%02d on %s, late: at the first price after it",
		h, m, d);
	snprintf(fill_reason, frlen, "square-off, late: first price after %02d:%02d on %s", h, m, d);
}

/* Closes the intraday position p at the bar's open (slippage applied) with a market
 * order of the venue's own, id SQ<yymmdd><seq>. */
static int close_position(struct algo_fillsim *fs, struct algo_executor *ex,
	const struct algo_exec_pos *p, const struct algo_exec_market *b, const char *why,
	const char *fill_reason, char *err, size_t errlen)
{
	struct algo_order_in in;
	struct algo_exec_order *o;
	struct algo_exec_market v;
	char ymd[7];
	int rc;
	memset(&in, 0, sizeof in);
	algo_time_ist_yymmdd(b->ts, ymd);
	snprintf(in.id, sizeof in.id, "SQ%s%04lld", ymd, (long long)(++fs->sq_seq % 10000));
	snprintf(in.user, sizeof in.user, "%s", p->user);
	snprintf(in.strategy, sizeof in.strategy, "%s", p->strategy);
	snprintf(in.symbol, sizeof in.symbol, "%s", p->symbol);
	in.side = p->p.qty > 0 ? ALGO_SELL : ALGO_BUY;
	in.qty = p->p.qty > 0 ? p->p.qty : -p->p.qty;
	in.kind = ALGO_KIND_MARKET;
	in.validity = ALGO_VALID_DAY;
	in.product = ALGO_PROD_INTRADAY;
	in.ts = b->ts;
	if (!(o = algo_executor_adopt(ex, &in, ALGO_LEG_SQUAREOFF)))
		return OOM(err, errlen);
	side_view(b, in.side, &v);
	if ((rc = report(ex, o, ALGO_EXEC_WORKING, b->ts, why, err, errlen)))
		return rc;
	return fill(fs, ex, o, b->ts, in.qty, slipped(fs, v.o, in.side), ALGO_EXEC_AT_OPEN, fill_reason,
		err, errlen);
}

/* At the first bar of symbol sym at or after the square-off time, and at the first bar
 * of a later day: the intraday orders and positions of the symbol whose square-off
 * time has passed are cancelled and closed. */
static int square_off(struct algo_fillsim *fs, struct algo_executor *ex, int sym,
	const struct algo_exec_market *b, int64_t today, int after_time, char *err, size_t errlen)
{
	char why[128], fr[96];
	int rc;
	for (size_t i = 0; i < algo_executor_count(ex); i++) {
		struct algo_exec_order *o = algo_executor_at(ex, i);
		if (algo_exec_final(o) || o->sym != sym || o->in.product != ALGO_PROD_INTRADAY ||
		    (!after_time && o->day >= today))
			continue;
		square_off_words(fs, o->day, today, why, sizeof why, fr, sizeof fr);
		if ((rc = algo_executor_report(ex, o, ALGO_EXEC_CANCELLED, b->ts, why, ALGO_EXEC_NO_LEGS,
			err, errlen)))
			return rc;
	}
	for (size_t i = 0; i < algo_executor_npos(ex); i++) {
		const struct algo_exec_pos *p = algo_executor_pos_at(ex, i);
		int64_t day = algo_time_ist_day(p->opened);
		if (p->sym != sym || p->p.qty == 0 || p->product != ALGO_PROD_INTRADAY ||
		    (!after_time && day >= today))
			continue;
		square_off_words(fs, day, today, why, sizeof why, fr, sizeof fr);
		if ((rc = close_position(fs, ex, p, b, why, fr, err, errlen)))
			return rc;
	}
	return 0;
}

/* ---- the venue's hooks ------------------------------------------------------------------ */

/* A DAY order (other than a market order with nothing filled) ends at the session end. */
static int day_order_over(const struct algo_exec_order *o, int64_t day, int minute)
{
	return o->in.validity == ALGO_VALID_DAY && !(o->in.kind == ALGO_KIND_MARKET && !o->filled) &&
		(day > o->day || minute >= ALGO_EXEC_SESSION_END);
}

/* After o's first eligible bar, an IOC order's rest is cancelled. */
static int ioc_done(struct algo_executor *ex, struct algo_exec_order *o, int64_t ts, char *err,
	size_t errlen)
{
	if (algo_exec_final(o) || o->in.validity != ALGO_VALID_IOC)
		return 0;
	return report(ex, o, ALGO_EXEC_CANCELLED, ts, o->filled ? "ioc: unfilled remainder cancelled"
		: "ioc: not fillable on the first eligible bar", err, errlen);
}

/* A trailing stop moves after the bar was checked against it: the bar's extreme may
 * have come after its low. */
static void trail(struct algo_exec_order *o, const struct algo_exec_market *b)
{
	struct algo_exec_market v;
	side_view(b, -o->in.side, &v);
	if (o->in.side == ALGO_SELL) {
		if (v.h > EXTREME(o)) EXTREME(o) = v.h;
		if (EXTREME(o) - o->in.trail > o->in.stop) o->in.stop = EXTREME(o) - o->in.trail;
	} else {
		if (v.l < EXTREME(o)) EXTREME(o) = v.l;
		if (EXTREME(o) + o->in.trail < o->in.stop) o->in.stop = EXTREME(o) + o->in.trail;
	}
}

/* A bar or tick of symbol sym: square-off, then the symbol's working orders in arrival
 * order (expiry, latency, fills, IOC, trailing stops). */
static int on_market(void *v, struct algo_executor *ex, int sym, const struct algo_exec_market *b,
	char *err, size_t errlen)
{
	struct algo_fillsim *fs = v;
	struct algo_fillsim_sym *s = sym_at(fs, sym);
	int64_t budget, day = algo_time_ist_day(b->ts);
	int minute = algo_time_ist_minute(b->ts), rc, new_day;

	if (!s)
		return OOM(err, errlen);
	new_day = s->have && day > s->day;
	s->have = 1;
	s->last = b->c;
	s->last_v = b->tick ? -1 : b->v;
	s->day = day;
	budget = bar_cap(fs, s->last_v);
	if (fs->cfg.square_off >= 0 && (minute >= fs->cfg.square_off || new_day) &&
	    (rc = square_off(fs, ex, sym, b, day, minute >= fs->cfg.square_off, err, errlen)))
		return rc;
	/* Legs may be added while we walk the orders: by index. */
	for (size_t i = 0; i < algo_executor_count(ex); i++) {
		struct algo_exec_order *o = algo_executor_at(ex, i);
		if (algo_exec_final(o) || o->sym != sym || b->ts <= o->in.ts)
			continue;
		if (day_order_over(o, day, minute)) {
			if ((rc = report(ex, o, ALGO_EXEC_EXPIRED, b->ts, "day order expired at the session end",
				err, errlen)))
				return rc;
			continue;
		}
		if (SKIP(o) > 0) {
			SKIP(o)--;
			continue;
		}
		if ((rc = try_fill(fs, ex, o, b, &budget, err, errlen)) ||
		    (rc = ioc_done(ex, o, b->ts, err, errlen)))
			return rc;
		if (!algo_exec_final(o) && o->leg == ALGO_LEG_SL && o->in.trail)
			trail(o, b);
	}
	return 0;
}

static int64_t margin_of(const struct algo_fillsim *fs, const char *symbol, int64_t notional)
{
	if (notional < 0)
		notional = -notional;
	return is_fno(symbol) ? algo_dec_muldiv(notional, fs->cfg.fno_margin, ALGO_DEC_SCALE) : notional;
}

/* Why a broker would refuse order in, or NULL (capital: what the open positions use
 * against capital + realised PnL − charges). */
static const char *refusal(const struct algo_fillsim *fs, const struct algo_executor *ex,
	const struct algo_order_in *in, const struct algo_fillsim_sym *s, int64_t have, char *why,
	size_t whylen)
{
	int64_t grow, est;
	if (fs->cfg.mode == ALGO_FILL_CLOSE && in->kind == ALGO_KIND_MARKET && !fs->cfg.latency && !s->have) {
		snprintf(why, whylen, "no price for %s", in->symbol);
		return why;
	}
	if (fs->cfg.square_off >= 0 && in->product == ALGO_PROD_INTRADAY &&
	    algo_time_ist_minute(in->ts) >= fs->cfg.square_off) {
		snprintf(why, whylen, "intraday order after the square-off time %02d:%02d",
			fs->cfg.square_off / 60, fs->cfg.square_off % 60);
		return why;
	}
	if (fs->cfg.cost_model == ALGO_COST_TABLE && is_fno(in->symbol)) {
		int64_t lot = algo_costs_lot_size(fs->cfg.costs, in->symbol);
		if (lot > 1 && in->qty % lot) {
			snprintf(why, whylen, "qty %lld is not a multiple of the lot size %lld",
				(long long)in->qty, (long long)lot);
			return why;
		}
	}
	if (in->product == ALGO_PROD_DELIVERY && in->side == ALGO_SELL && !is_fno(in->symbol) &&
	    have - in->qty < 0) {
		snprintf(why, whylen, "delivery sell of %lld exceeds the holding of %lld "
			"(short selling is intraday only)", (long long)in->qty, (long long)(have > 0 ? have : 0));
		return why;
	}
	/* The part of the order that opens or increases a position. */
	grow = (have >= 0) == (in->side == ALGO_BUY) || have == 0 ? in->qty
		: (in->qty > (have < 0 ? -have : have) ? in->qty - (have < 0 ? -have : have) : 0);
	est = in->kind == ALGO_KIND_LIMIT || in->kind == ALGO_KIND_STOP_LIMIT ? in->limit
		: in->kind == ALGO_KIND_STOP ? in->stop : s->have ? s->last : 0;
	if (fs->cfg.capital >= 0 && grow > 0 && est > 0) {
		__int128 used = 0, need, avail;
		for (size_t i = 0; i < algo_executor_npos(ex); i++) {
			const struct algo_exec_pos *q = algo_executor_pos_at(ex, i);
			used += margin_of(fs, q->symbol, q->p.cost);
		}
		need = margin_of(fs, in->symbol, (int64_t)((__int128)est * grow > INT64_MAX / 2 ?
			INT64_MAX / 2 : (__int128)est * grow));
		avail = (__int128)fs->cfg.capital + ex->realised - ex->fees - used;
		if (need > avail) {
			char a[ALGO_DEC_FMT_MAX], bb[ALGO_DEC_FMT_MAX];
			algo_dec_fmt((int64_t)need, a);
			algo_dec_fmt(avail < 0 ? 0 : (int64_t)avail, bb);
			snprintf(why, whylen, "insufficient capital: needs %s, available %s", a, bb);
			return why;
		}
	}
	return NULL;
}

/* With --fill close a market order without latency fills at once, at the close of the
 * bar it was made on. */
static int fill_at_close(struct algo_fillsim *fs, struct algo_executor *ex, struct algo_exec_order *o,
	const struct algo_fillsim_sym *s, char *err, size_t errlen)
{
	struct algo_exec_market b;
	int64_t budget = bar_cap(fs, s->last_v);
	int rc;
	memset(&b, 0, sizeof b);
	b.ts = o->in.ts;
	b.o = b.h = b.l = b.c = s->last;
	if ((rc = try_fill(fs, ex, o, &b, &budget, err, errlen)))
		return rc;
	return ioc_done(ex, o, o->in.ts, err, errlen);
}

static int on_place(void *v, struct algo_executor *ex, struct algo_exec_order *o, int64_t ts,
	char *err, size_t errlen)
{
	struct algo_fillsim *fs = v;
	struct algo_fillsim_sym *s = sym_at(fs, o->sym);
	struct algo_exec_pos *p = algo_executor_pos(ex, &o->in, 1);
	char why[160];
	const char *no;
	int rc;

	if (!s || !p)
		return OOM(err, errlen);
	if (o->leg == ALGO_LEG_SL || o->leg == ALGO_LEG_TP) {
		EXTREME(o) = o->entry_avg;
		return report(ex, o, ALGO_EXEC_WORKING, ts, NULL, err, errlen);
	}
	if ((no = refusal(fs, ex, &o->in, s, p->p.qty, why, sizeof why)))
		return report(ex, o, ALGO_EXEC_REJECTED, ts, no, err, errlen);
	SKIP(o) = fs->cfg.latency;
	if (fs->cfg.mode == ALGO_FILL_CLOSE && o->in.kind == ALGO_KIND_MARKET && SKIP(o))
		SKIP(o)--;      /* the close of the latency-th later bar */
	if ((rc = report(ex, o, ALGO_EXEC_WORKING, ts, NULL, err, errlen)))
		return rc;
	if (fs->cfg.mode == ALGO_FILL_CLOSE && o->in.kind == ALGO_KIND_MARKET && !fs->cfg.latency)
		return fill_at_close(fs, ex, o, s, err, errlen);
	return 0;
}

/* Paper cancels and modifies take effect at once. */
static int on_cancel(void *v, struct algo_executor *ex, struct algo_exec_order *o, int64_t ts,
	const char *reason, char *err, size_t errlen)
{
	(void)v;
	return report(ex, o, ALGO_EXEC_CANCELLED, ts, reason, err, errlen);
}

static int on_modify(void *v, struct algo_executor *ex, struct algo_exec_order *o, int64_t ts,
	int64_t qty, int64_t limit, int64_t stop, char *err, size_t errlen)
{
	(void)v;
	(void)err;
	(void)errlen;
	algo_executor_modified(ex, o, ts, qty, limit, stop);
	return 0;
}

/* The simulator's state inside the executor's: the square-off order count, what it knows
 * of each symbol, the day of each scrip's last DP charge. */
static void on_save(void *v, struct algo_pack *p)
{
	const struct algo_fillsim *fs = v;
	algo_pack_i64(p, fs->sq_seq);
	algo_pack_i64(p, (int64_t)fs->nsym);
	for (size_t i = 0; i < fs->nsym; i++) {
		algo_pack_i64(p, fs->sym[i].have);
		algo_pack_i64(p, fs->sym[i].last);
		algo_pack_i64(p, fs->sym[i].last_v);
		algo_pack_i64(p, fs->sym[i].day);
	}
	algo_pack_i64(p, (int64_t)algo_book_tab_count(&fs->dp));
	for (size_t i = 0; i < algo_book_tab_count(&fs->dp); i++) {
		const char *k;
		size_t kn;
		const int64_t *day = algo_book_tab_at(&fs->dp, i, &k, &kn);
		algo_pack_bytes(p, k, kn);
		algo_pack_i64(p, *day);
	}
}

static int on_load(void *v, struct algo_unpack *u, char *err, size_t errlen)
{
	struct algo_fillsim *fs = v;
	int64_t n;
	fs->sq_seq = algo_unpack_i64(u);
	n = algo_unpack_range(u, 0, 1 << 24);
	for (int64_t i = 0; i < n && !u->bad; i++) {
		struct algo_fillsim_sym *s = sym_at(fs, (int)i);
		if (!s) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		s->have = (int)algo_unpack_range(u, 0, 1);
		s->last = algo_unpack_i64(u);
		s->last_v = algo_unpack_i64(u);
		s->day = algo_unpack_i64(u);
	}
	n = algo_unpack_range(u, 0, 1 << 24);
	for (int64_t i = 0; i < n && !u->bad; i++) {
		size_t kn;
		const char *k = algo_unpack_bytes(u, &kn);
		int64_t *day = k ? algo_book_tab_get(&fs->dp, k, kn, 1) : NULL;
		if (!day && !u->bad) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		if (day)
			*day = algo_unpack_i64(u);
	}
	if (!algo_unpack_done(u)) {
		snprintf(err, errlen, "damaged (the paper venue's part)");
		return -1;
	}
	return 0;
}

const struct algo_exec_venue algo_fillsim_venue = {
	.name = "paper",
	.place = on_place,
	.cancel = on_cancel,
	.modify = on_modify,
	.market = on_market,
	.save = on_save,
	.load = on_load,
};
