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

int algo_risk_decide(struct algo_risk *r, const struct algo_risk_signal *s,
	struct algo_risk_verdict *v, char *err, size_t errlen)
{
	char key[3 * ALGO_NAME_MAX], tag[ALGO_RISK_TAG_MAX + 1], why[sizeof v->reason];
	size_t kn;
	int64_t day = algo_time_ist_day(s->ts), trades, seq, qty, price = s->price;
	int entry = s->req.action == ALGO_RISK_ENTRY, state;
	struct algo_risk_day *dc;
	struct algo_risk_seq *sc;
	struct algo_risk_throttle *th;
	struct algo_position *pos, np;
	struct algo_risk_rules rr;
	struct algo_risk_limits lim;
	struct algo_risk_request req = s->req;
	const struct algo_risk_plan *plan;

	kn = algo_book_key(key, sizeof key, s->user, s->strategy, NULL);
	if (!kn) { snprintf(err, errlen, "user or strategy name too long"); return -1; }
	dc = algo_book_tab_get(&r->days, key, kn, 1);
	algo_risk_tag(s->strategy, tag);
	kn = algo_book_key(key, sizeof key, s->user, tag, NULL);
	sc = kn ? algo_book_tab_get(&r->seqs, key, kn, 1) : NULL;
	pos = algo_book_get(&r->book, s->user, s->strategy, s->symbol, 1);
	th = algo_book_tab_get(&r->thr, s->user, strlen(s->user), 1);
	if (!dc || !sc || !pos || !th) { snprintf(err, errlen, "out of memory or name too long"); return -1; }

	if ((dc->used && day < dc->day) || (sc->used && day < sc->day)) {
		snprintf(err, errlen, "field 'ts': trading day goes back for strategy '%s'", s->strategy);
		return -1;
	}
	switch (algo_risk_decided(r, s->user, s->strategy, s->symbol, s->ts, entry ? "entry" : "exit",
	    s->req.side, err, errlen)) {
	case 1: return 1;
	case -1: return -1;
	}
	trades = dc->used && day == dc->day ? dc->trades : 0;
	seq = sc->used && day == sc->day ? sc->seq : 0;
	algo_risk_rules_for(&r->cfg, s->user, s->strategy, &rr);
	if (__builtin_mul_overflow(req.qty, rr.multiplier, &qty) || qty > LIMIT_MAX) {
		snprintf(err, errlen, "field 'qty': too large with multiplier %lld", (long long)rr.multiplier);
		return -1;
	}
	req.qty = qty;
	lim = rr.lim;
	if (lim.max_position_qty != ALGO_RISK_NOLIMIT)
		lim.max_position_qty *= rr.multiplier;
	plan = algo_risk_plan_of(r, s->user);

	memset(v, 0, sizeof *v);
	v->qty = qty;
	state = algo_risk_state_of(r, s->user, s->strategy, why, sizeof why);
	if (state == ALGO_RISK_HALTED || (state == ALGO_RISK_REDUCING && entry)) {
		snprintf(v->reason, sizeof v->reason, "%s", why);
		block(v, state == ALGO_RISK_HALTED ? "halted" : "reducing", 0, 0, pos->qty);
		goto blocked;
	}
	if (entry && s->live && plan->known && !plan->live) {
		snprintf(v->reason, sizeof v->reason, "plan %s is paper only", plan->plan);
		block(v, "plan", 0, 0, 0);
		goto blocked;
	}
	if (!algo_risk_check(&lim, trades, pos->qty, &req, v))
		goto blocked;
	if (entry) {
		int64_t val, n;
		int m = algo_time_ist_minute(s->ts);
		char a[32], b[32];
		if (plan->known && plan->max_trades_per_day != ALGO_RISK_NOLIMIT &&
		    trades >= plan->max_trades_per_day) {
			snprintf(v->reason, sizeof v->reason, "plan %s allows %lld trades per day",
				plan->plan, (long long)plan->max_trades_per_day);
			block(v, "plan", 1, plan->max_trades_per_day, trades);
			goto blocked;
		}
		if (rr.set & ALGO_RK_SYMBOLS && !in_symbols(&rr, s->symbol)) {
			snprintf(v->reason, sizeof v->reason, "%s is not in the allowed symbols", s->symbol);
			block(v, "symbols", 0, 0, 0);
			goto blocked;
		}
		if (rr.win_from >= 0 && (m < rr.win_from || m >= rr.win_to)) {
			snprintf(v->reason, sizeof v->reason, "%02d:%02d IST is outside %02d:%02d-%02d:%02d",
				m / 60, m % 60, rr.win_from / 60, rr.win_from % 60, rr.win_to / 60, rr.win_to % 60);
			block(v, "window", 0, 0, m / 60 * 100 + m % 60);
			goto blocked;
		}
		n = open_positions(r, s->user, s->strategy, s->symbol);
		if (rr.max_open_positions != ALGO_RISK_NOLIMIT && n >= rr.max_open_positions) {
			snprintf(v->reason, sizeof v->reason, "%lld open position%s, limit %lld",
				(long long)n, n == 1 ? "" : "s", (long long)rr.max_open_positions);
			block(v, "max_open_positions", 1, rr.max_open_positions, n);
			goto blocked;
		}
		if (__builtin_mul_overflow(qty, price, &val)) {
			snprintf(err, errlen, "field 'qty': order value overflows");
			return -1;
		}
		if (rr.max_position_value != ALGO_RISK_NOLIMIT &&
		    val > rr.max_position_value * rr.multiplier) {
			fmt_rupees(val, a);
			fmt_rupees(rr.max_position_value * rr.multiplier, b);
			snprintf(v->reason, sizeof v->reason, "position value %s would exceed limit %s", a, b);
			block(v, "max_position_value", 2, rr.max_position_value * rr.multiplier, val);
			goto blocked;
		}
		if (rr.max_order_value != ALGO_RISK_NOLIMIT && val > rr.max_order_value * rr.multiplier) {
			fmt_rupees(val, a);
			fmt_rupees(rr.max_order_value * rr.multiplier, b);
			snprintf(v->reason, sizeof v->reason, "order value %s exceeds limit %s", a, b);
			block(v, "max_order_value", 2, rr.max_order_value * rr.multiplier, val);
			goto blocked;
		}
		if (!r->barrier && (rr.max_daily_loss != ALGO_RISK_NOLIMIT ||
		    rr.max_daily_profit != ALGO_RISK_NOLIMIT ||
		    (plan->known && plan->max_daily_loss != ALGO_RISK_NOLIMIT))) {
			int byplan = rr.max_daily_loss == ALGO_RISK_NOLIMIT && rr.max_daily_profit == ALGO_RISK_NOLIMIT;
			if (byplan)
				snprintf(v->reason, sizeof v->reason, "plan %s caps the daily loss, which "
					"needs algo-risk --barrier to see the fills", plan->plan);
			else
				snprintf(v->reason, sizeof v->reason, "a daily PnL limit needs algo-risk "
					"--barrier to see the fills");
			block(v, byplan ? "plan" : rr.max_daily_loss != ALGO_RISK_NOLIMIT ?
				"max_daily_loss" : "max_daily_profit", 0, 0, 0);
			goto blocked;
		}
		if (plan->known && plan->max_strategies != ALGO_RISK_NOLIMIT &&
		    trades == 0 && (n = strategies_today(r, s->user, s->strategy, day)) >= plan->max_strategies) {
			snprintf(v->reason, sizeof v->reason, "plan %s allows %lld strateg%s",
				plan->plan, (long long)plan->max_strategies, plan->max_strategies == 1 ? "y" : "ies");
			block(v, "plan", 1, plan->max_strategies, n);
			goto blocked;
		}
	}
	{
		int64_t n = 0;
		for (int i = 0; i < th->n; i++)
			if (th->ts[i] > s->ts - 1000 && th->ts[i] <= s->ts)
				n++;
		if (n >= rr.max_orders_per_second) {
			snprintf(v->reason, sizeof v->reason, "%lld orders in the last second, limit %lld",
				(long long)n, (long long)rr.max_orders_per_second);
			block(v, "max_orders_per_second", 1, rr.max_orders_per_second, n);
			goto blocked;
		}
	}
	if (algo_risk_order_id(tag, s->ts, seq + 1, v->id)) {
		char ymd[7];
		algo_time_ist_yymmdd(s->ts, ymd);
		snprintf(v->reason, sizeof v->reason, "order id sequence for '%s' on %s exhausted",
			tag, ymd);
		v->id[0] = '\0';
		block(v, "order_id", 1, ALGO_RISK_SEQ_MAX, seq + 1);
		goto blocked;
	}
	np = *pos;
	if (algo_book_apply_fill(&np, req.side, v->qty, price, err, errlen))
		return -1;
	if (algo_risk_record(r, s->user, s->strategy, s->symbol, s->ts, entry ? "entry" : "exit", req.side,
	    v->qty, price, v->id, NULL, err, errlen) ||
	    algo_risk_track_order(r, s->user, s->strategy, s->symbol, v->id, req.side, v->qty, price,
	    entry && s->legs, err, errlen))
		return -1;
	*pos = np;
	dc->used = sc->used = 1;
	dc->day = sc->day = day;
	dc->trades = trades + entry;
	sc->seq = seq + 1;
	throttle_push(th, s->ts);
	return 0;
blocked:
	if (algo_risk_record(r, s->user, s->strategy, s->symbol, s->ts, entry ? "entry" : "exit", req.side,
	    s->req.qty, price, NULL, v->rule, err, errlen))
		return -1;
	return 0;
}

