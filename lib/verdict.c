/* verdict — the decision on one signal. See verdict.h for the contract. */
#include "verdict.h"
#include "decimal.h"
#include "risk.h"
#include "timeutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIMIT_MAX ALGO_RISK_LIMIT_MAX

static int block(struct algo_risk_verdict *v, const char *rule, int has_limit, int64_t limit,
	int64_t value)
{
	v->ok = 0;
	v->rule = rule;
	v->has_limit = has_limit;
	v->limit = limit;
	v->value = value;
	return 0;
}

int algo_risk_check(const struct algo_risk_limits *lim, int64_t trades_today, int64_t position,
	const struct algo_risk_request *req, struct algo_risk_verdict *v)
{
	int64_t open = position < 0 ? -position : position;
	const char *dir = position > 0 ? "long" : "short";

	memset(v, 0, sizeof *v);
	v->qty = req->qty;
	if (req->action == ALGO_RISK_ENTRY) {
		if (position != 0) {
			snprintf(v->reason, sizeof v->reason, "entry while %s %lld", dir, (long long)open);
			return block(v, "position", 0, 0, position);
		}
		if (lim->max_trades_per_day != ALGO_RISK_NOLIMIT && trades_today >= lim->max_trades_per_day) {
			snprintf(v->reason, sizeof v->reason, "%lld trade%s today, limit %lld",
				(long long)trades_today, trades_today == 1 ? "" : "s",
				(long long)lim->max_trades_per_day);
			return block(v, "max_trades_per_day", 1, lim->max_trades_per_day, trades_today);
		}
		if (lim->max_position_qty != ALGO_RISK_NOLIMIT && req->qty > lim->max_position_qty) {
			snprintf(v->reason, sizeof v->reason, "position of %lld would exceed limit %lld",
				(long long)req->qty, (long long)lim->max_position_qty);
			return block(v, "max_position_qty", 1, lim->max_position_qty, req->qty);
		}
	} else {
		if (position == 0) {
			snprintf(v->reason, sizeof v->reason, "exit while flat");
			return block(v, "position", 0, 0, position);
		}
		if ((position > 0) == (req->side > 0)) {
			snprintf(v->reason, sizeof v->reason, "exit %s while %s %lld",
				req->side > 0 ? "buy" : "sell", dir, (long long)open);
			return block(v, "position", 0, 0, position);
		}
		if (v->qty > open)
			v->qty = open;
	}
	v->ok = 1;
	return 1;
}

void algo_risk_tag(const char *strategy, char *out)
{
	size_t n = 0;
	for (const char *p = strategy; *p && n < ALGO_RISK_TAG_MAX; p++) {
		char ch = *p;
		if (ch >= 'A' && ch <= 'Z')
			out[n++] = (char)(ch - 'A' + 'a');
		else if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'))
			out[n++] = ch;
	}
	if (!n)
		out[n++] = 's';
	out[n] = '\0';
}

int algo_risk_order_id(const char *tag, int64_t ms, int64_t seq, char *out)
{
	char ymd[7];
	if (seq < 1 || seq > ALGO_RISK_SEQ_MAX)
		return -1;
	algo_time_ist_yymmdd(ms, ymd);
	snprintf(out, ALGO_RISK_ID_MAX, "%.*s%s%04d", ALGO_RISK_TAG_MAX, tag, ymd, (int)seq);
	return 0;
}


static void throttle_push(struct algo_risk_throttle *th, int64_t ts)
{
	th->ts[th->head] = ts;
	th->head = (th->head + 1) % ALGO_RISK_OPS_MAX;
	if (th->n < ALGO_RISK_OPS_MAX) th->n++;
}

int algo_risk_throttle_note(struct algo_risk *r, const char *user, int64_t ts)
{
	struct algo_risk_throttle *th = algo_book_tab_get(&r->thr, user, strlen(user), 1);
	if (!th)
		return -1;
	throttle_push(th, ts);
	return 0;
}

/* Counts the strategies of user, other than strategy, with entries on day. */
static int64_t strategies_today(const struct algo_risk *r, const char *user, const char *strategy,
	int64_t day)
{
	int64_t n = 0;
	size_t ul = strlen(user);
	for (size_t i = 0; i < algo_book_tab_count(&r->days); i++) {
		const char *k;
		size_t kl;
		const struct algo_risk_day *dc = algo_book_tab_at(&r->days, i, &k, &kl);
		if (kl > ul && memcmp(k, user, ul) == 0 && k[ul] == '\x1f' && dc->used &&
		    dc->day == day && dc->trades > 0 &&
		    !(kl - ul - 1 == strlen(strategy) && memcmp(k + ul + 1, strategy, kl - ul - 1) == 0))
			n++;
	}
	return n;
}

/* Open positions of (user, strategy) other than symbol. */
static int64_t open_positions(const struct algo_risk *r, const char *user, const char *strategy,
	const char *symbol)
{
	char pre[3 * ALGO_NAME_MAX];
	size_t pl = algo_book_key(pre, sizeof pre, user, strategy, NULL), sl = strlen(symbol);
	int64_t n = 0;
	for (size_t i = 0; i < algo_book_tab_count(&r->book.tab); i++) {
		const char *k;
		size_t kl;
		const struct algo_position *p = algo_book_tab_at(&r->book.tab, i, &k, &kl);
		if (p->qty != 0 && kl > pl && memcmp(k, pre, pl) == 0 && k[pl] == '\x1f' &&
		    !(kl - pl - 1 == sl && memcmp(k + pl + 1, symbol, sl) == 0))
			n++;
	}
	return n;
}

static int in_symbols(const struct algo_risk_rules *rr, const char *symbol)
{
	for (size_t i = 0; i < rr->nsymbols; i++)
		if (strcmp(rr->symbols[i], symbol) == 0)
			return 1;
	return 0;
}

static void fmt_rupees(int64_t v, char *buf)
{
	algo_dec_fmt(v, buf);
}

/* Applies an approved order to the counters and the book (shared by decide, the
 * square-off and the restore). */
int algo_risk_apply_order(struct algo_risk *r, const char *user, const char *strategy,
	const char *symbol, int64_t ts, int entry, int side, int64_t qty, int64_t price,
	char *id, char *err, size_t errlen)
{
	char key[3 * ALGO_NAME_MAX], tag[ALGO_RISK_TAG_MAX + 1];
	int64_t day = algo_time_ist_day(ts), seq;
	size_t kn = algo_book_key(key, sizeof key, user, strategy, NULL);
	struct algo_risk_day *dc = kn ? algo_book_tab_get(&r->days, key, kn, 1) : NULL;
	struct algo_risk_seq *sc;
	struct algo_position *pos, np;
	algo_risk_tag(strategy, tag);
	kn = algo_book_key(key, sizeof key, user, tag, NULL);
	sc = kn ? algo_book_tab_get(&r->seqs, key, kn, 1) : NULL;
	pos = algo_book_get(&r->book, user, strategy, symbol, 1);
	if (!dc || !sc || !pos) { snprintf(err, errlen, "out of memory or name too long"); return -1; }
	seq = sc->used && day == sc->day ? sc->seq : 0;
	if (id && algo_risk_order_id(tag, ts, seq + 1, id)) {
		snprintf(err, errlen, "order id sequence for '%s' exhausted", tag);
		return -1;
	}
	np = *pos;
	if (algo_book_apply_fill(&np, side, qty, price, err, errlen))
		return -1;
	*pos = np;
	if (!dc->used || dc->day != day) { dc->trades = 0; dc->day = day; dc->used = 1; }
	dc->trades += entry;
	sc->used = 1;
	sc->day = day;
	sc->seq = seq + 1;
	return 0;
}

/* What one decision works on. */
struct ctx {
	struct algo_risk *r;
	const struct algo_risk_signal *s;
	int entry;
	int64_t day, trades, seq, qty;     /* qty: the signal's times the multiplier */
	char tag[ALGO_RISK_TAG_MAX + 1];
	struct algo_risk_day *dc;
	struct algo_risk_seq *sc;
	struct algo_risk_throttle *th;
	struct algo_position *pos;
	struct algo_risk_rules rr;
	const struct algo_risk_plan *plan;
};

/* Finds (creating them) the counters and the position of the signal. -1 with err set. */
static int look_up(struct ctx *c, char *err, size_t errlen)
{
	const struct algo_risk_signal *s = c->s;
	struct algo_risk *r = c->r;
	char key[3 * ALGO_NAME_MAX];
	size_t kn = algo_book_key(key, sizeof key, s->user, s->strategy, NULL);
	if (!kn) { snprintf(err, errlen, "user or strategy name too long"); return -1; }
	c->dc = algo_book_tab_get(&r->days, key, kn, 1);
	algo_risk_tag(s->strategy, c->tag);
	kn = algo_book_key(key, sizeof key, s->user, c->tag, NULL);
	c->sc = kn ? algo_book_tab_get(&r->seqs, key, kn, 1) : NULL;
	c->pos = algo_book_get(&r->book, s->user, s->strategy, s->symbol, 1);
	c->th = algo_book_tab_get(&r->thr, s->user, strlen(s->user), 1);
	if (!c->dc || !c->sc || !c->pos || !c->th) {
		snprintf(err, errlen, "out of memory or name too long");
		return -1;
	}
	if ((c->dc->used && c->day < c->dc->day) || (c->sc->used && c->day < c->sc->day)) {
		snprintf(err, errlen, "field 'ts': trading day goes back for strategy '%s'", s->strategy);
		return -1;
	}
	c->trades = c->dc->used && c->day == c->dc->day ? c->dc->trades : 0;
	c->seq = c->sc->used && c->day == c->sc->day ? c->sc->seq : 0;
	return 0;
}

/* The entry-only checks after the position and trade limits. Returns 1 when blocked
 * (v filled), 0 when they pass, -1 with err set (overflow). */
static int entry_checks(const struct ctx *c, struct algo_risk_verdict *v, char *err, size_t errlen)
{
	const struct algo_risk_signal *s = c->s;
	const struct algo_risk_rules *rr = &c->rr;
	const struct algo_risk_plan *plan = c->plan;
	int64_t val, n, mult = rr->multiplier;
	int m = algo_time_ist_minute(s->ts);
	char a[32], b[32];
	if (plan->known && plan->max_trades_per_day != ALGO_RISK_NOLIMIT &&
	    c->trades >= plan->max_trades_per_day) {
		snprintf(v->reason, sizeof v->reason, "plan %s allows %lld trades per day",
			plan->plan, (long long)plan->max_trades_per_day);
		return !block(v, "plan", 1, plan->max_trades_per_day, c->trades);
	}
	if (rr->set & ALGO_RK_SYMBOLS && !in_symbols(rr, s->symbol)) {
		snprintf(v->reason, sizeof v->reason, "%s is not in the allowed symbols", s->symbol);
		return !block(v, "symbols", 0, 0, 0);
	}
	if (rr->win_from >= 0 && (m < rr->win_from || m >= rr->win_to)) {
		snprintf(v->reason, sizeof v->reason, "%02d:%02d IST is outside %02d:%02d-%02d:%02d",
			m / 60, m % 60, rr->win_from / 60, rr->win_from % 60, rr->win_to / 60, rr->win_to % 60);
		return !block(v, "window", 0, 0, m / 60 * 100 + m % 60);
	}
	n = open_positions(c->r, s->user, s->strategy, s->symbol);
	if (rr->max_open_positions != ALGO_RISK_NOLIMIT && n >= rr->max_open_positions) {
		snprintf(v->reason, sizeof v->reason, "%lld open position%s, limit %lld",
			(long long)n, n == 1 ? "" : "s", (long long)rr->max_open_positions);
		return !block(v, "max_open_positions", 1, rr->max_open_positions, n);
	}
	if (__builtin_mul_overflow(c->qty, s->price, &val)) {
		snprintf(err, errlen, "field 'qty': order value overflows");
		return -1;
	}
	if (rr->max_position_value != ALGO_RISK_NOLIMIT && val > rr->max_position_value * mult) {
		fmt_rupees(val, a);
		fmt_rupees(rr->max_position_value * mult, b);
		snprintf(v->reason, sizeof v->reason, "position value %s would exceed limit %s", a, b);
		return !block(v, "max_position_value", 2, rr->max_position_value * mult, val);
	}
	if (rr->max_order_value != ALGO_RISK_NOLIMIT && val > rr->max_order_value * mult) {
		fmt_rupees(val, a);
		fmt_rupees(rr->max_order_value * mult, b);
		snprintf(v->reason, sizeof v->reason, "order value %s exceeds limit %s", a, b);
		return !block(v, "max_order_value", 2, rr->max_order_value * mult, val);
	}
	if (!c->r->barrier && (rr->max_daily_loss != ALGO_RISK_NOLIMIT ||
	    rr->max_daily_profit != ALGO_RISK_NOLIMIT ||
	    (plan->known && plan->max_daily_loss != ALGO_RISK_NOLIMIT))) {
		int byplan = rr->max_daily_loss == ALGO_RISK_NOLIMIT && rr->max_daily_profit == ALGO_RISK_NOLIMIT;
		if (byplan)
			snprintf(v->reason, sizeof v->reason, "plan %s caps the daily loss, which "
				"needs algo-risk --barrier to see the fills", plan->plan);
		else
			snprintf(v->reason, sizeof v->reason, "a daily PnL limit needs algo-risk "
				"--barrier to see the fills");
		return !block(v, byplan ? "plan" : rr->max_daily_loss != ALGO_RISK_NOLIMIT ?
			"max_daily_loss" : "max_daily_profit", 0, 0, 0);
	}
	if (plan->known && plan->max_strategies != ALGO_RISK_NOLIMIT && c->trades == 0 &&
	    (n = strategies_today(c->r, s->user, s->strategy, c->day)) >= plan->max_strategies) {
		snprintf(v->reason, sizeof v->reason, "plan %s allows %lld strateg%s",
			plan->plan, (long long)plan->max_strategies, plan->max_strategies == 1 ? "y" : "ies");
		return !block(v, "plan", 1, plan->max_strategies, n);
	}
	return 0;
}

/* The checks of every order. Returns 1 when blocked (v filled), 0 when they pass. */
static int order_checks(const struct ctx *c, struct algo_risk_verdict *v)
{
	int64_t n = 0;
	for (int i = 0; i < c->th->n; i++)
		if (c->th->ts[i] > c->s->ts - 1000 && c->th->ts[i] <= c->s->ts)
			n++;
	if (n >= c->rr.max_orders_per_second) {
		snprintf(v->reason, sizeof v->reason, "%lld orders in the last second, limit %lld",
			(long long)n, (long long)c->rr.max_orders_per_second);
		return !block(v, "max_orders_per_second", 1, c->rr.max_orders_per_second, n);
	}
	if (algo_risk_order_id(c->tag, c->s->ts, c->seq + 1, v->id)) {
		char ymd[7];
		algo_time_ist_yymmdd(c->s->ts, ymd);
		snprintf(v->reason, sizeof v->reason, "order id sequence for '%s' on %s exhausted",
			c->tag, ymd);
		v->id[0] = '\0';
		return !block(v, "order_id", 1, ALGO_RISK_SEQ_MAX, c->seq + 1);
	}
	return 0;
}

/* Every check in order: 1 blocked (v filled), 0 approved, -1 with err set. */
static int checks(struct ctx *c, struct algo_risk_verdict *v, char *err, size_t errlen)
{
	const struct algo_risk_signal *s = c->s;
	struct algo_risk_request req = s->req;
	struct algo_risk_limits lim = c->rr.lim;
	char why[sizeof v->reason];
	int state, rc;
	req.qty = c->qty;
	if (lim.max_position_qty != ALGO_RISK_NOLIMIT)
		lim.max_position_qty *= c->rr.multiplier;
	memset(v, 0, sizeof *v);
	v->qty = c->qty;
	state = algo_risk_state_of(c->r, s->user, s->strategy, why, sizeof why);
	if (state == ALGO_RISK_HALTED || (state == ALGO_RISK_REDUCING && c->entry)) {
		snprintf(v->reason, sizeof v->reason, "%s", why);
		return !block(v, state == ALGO_RISK_HALTED ? "halted" : "reducing", 0, 0, c->pos->qty);
	}
	if (c->entry && s->live && c->plan->known && !c->plan->live) {
		snprintf(v->reason, sizeof v->reason, "plan %s is paper only", c->plan->plan);
		return !block(v, "plan", 0, 0, 0);
	}
	if (!algo_risk_check(&lim, c->trades, c->pos->qty, &req, v))
		return 1;
	if (c->entry && (rc = entry_checks(c, v, err, errlen)) != 0)
		return rc;
	return order_checks(c, v);
}

/* Moves the book, the counters and the sequence by the approved order. */
static int approve(struct ctx *c, struct algo_risk_verdict *v, char *err, size_t errlen)
{
	const struct algo_risk_signal *s = c->s;
	struct algo_position np = *c->pos;
	if (algo_book_apply_fill(&np, s->req.side, v->qty, s->price, err, errlen))
		return -1;
	if (algo_risk_record(c->r, s->user, s->strategy, s->symbol, s->ts, c->entry ? "entry" : "exit",
	    s->req.side, v->qty, s->price, v->id, NULL, err, errlen) ||
	    algo_risk_track_order(c->r, s->user, s->strategy, s->symbol, v->id, s->req.side, v->qty,
	    s->price, c->entry && s->legs, err, errlen))
		return -1;
	*c->pos = np;
	c->dc->used = c->sc->used = 1;
	c->dc->day = c->sc->day = c->day;
	c->dc->trades = c->trades + c->entry;
	c->sc->seq = c->seq + 1;
	throttle_push(c->th, s->ts);
	return 0;
}

int algo_risk_decide(struct algo_risk *r, const struct algo_risk_signal *s,
	struct algo_risk_verdict *v, char *err, size_t errlen)
{
	struct ctx c = { .r = r, .s = s, .entry = s->req.action == ALGO_RISK_ENTRY,
		.day = algo_time_ist_day(s->ts) };
	int rc;
	if (look_up(&c, err, errlen))
		return -1;
	switch (algo_risk_decided(r, s->user, s->strategy, s->symbol, s->ts, c.entry ? "entry" : "exit",
	    s->req.side, err, errlen)) {
	case 1: return 1;
	case -1: return -1;
	}
	algo_risk_rules_for(&r->cfg, s->user, s->strategy, &c.rr);
	if (__builtin_mul_overflow(s->req.qty, c.rr.multiplier, &c.qty) || c.qty > LIMIT_MAX) {
		snprintf(err, errlen, "field 'qty': too large with multiplier %lld", (long long)c.rr.multiplier);
		return -1;
	}
	c.plan = algo_risk_plan_of(r, s->user);
	if ((rc = checks(&c, v, err, errlen)) < 0)
		return -1;
	if (rc == 0)
		return approve(&c, v, err, errlen);
	return algo_risk_record(r, s->user, s->strategy, s->symbol, s->ts, c.entry ? "entry" : "exit",
		s->req.side, s->req.qty, s->price, NULL, v->rule, err, errlen);
}
