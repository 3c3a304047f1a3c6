/* pnlbook — the executor's reports, the day PnL and its bound. See pnlbook.h. */
#include "pnlbook.h"
#include "decimal.h"
#include "event.h"
#include "risk.h"
#include "timeutil.h"
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pend {
	char user[ALGO_NAME_MAX], strategy[ALGO_NAME_MAX], symbol[ALGO_NAME_MAX];
	int side, final;
	int64_t qty, price;
};

struct mark;
struct pstrat;

struct fpos {
	struct algo_position p;
	struct algo_position held;             /* p before a reconcile */
	int64_t day, realised_day, fees_day;   /* realised PnL and fees on day */
	struct mark *m;
	struct pstrat *ps;
};

struct pstrat {
	char user[ALGO_NAME_MAX], strategy[ALGO_NAME_MAX];
	int resolved;
	int64_t loss, profit;                  /* ALGO_RISK_NOLIMIT when none */
	const char *loss_by;                   /* "max_daily_loss" or "plan" */
	struct fpos **v;
	size_t n, cap;
};

struct mark {
	int have;
	int64_t px, lo, hi;
	struct pstrat **v;
	size_t n, cap;
};

struct algo_risk_unc {
	struct pstrat *ps;
	struct mark *m;
	int side;
	int64_t qty;
};

static int push_ptr(void ***v, size_t *n, size_t *cap, void *p)
{
	for (size_t i = 0; i < *n; i++)
		if ((*v)[i] == p)
			return 0;
	if (*n == *cap) {
		size_t c = *cap ? 2 * *cap : 4;
		void **nv = realloc(*v, c * sizeof *nv);
		if (!nv) return -1;
		*v = nv;
		*cap = c;
	}
	(*v)[(*n)++] = p;
	return 0;
}

static struct mark *get_mark(struct algo_risk *r, const char *symbol)
{
	return algo_book_tab_get(&r->marks, symbol, strlen(symbol), 1);
}

/* The real-fill position of (user, strategy, symbol), linked to its strategy record and
 * its symbol's mark. NULL when out of memory or a name is too long. */
static struct fpos *get_fpos(struct algo_risk *r, const char *user, const char *strategy,
	const char *symbol)
{
	char key[3 * ALGO_NAME_MAX];
	size_t kn = algo_book_key(key, sizeof key, user, strategy, symbol);
	struct fpos *fp = kn ? algo_book_tab_get(&r->fpos, key, kn, 1) : NULL;
	if (!fp)
		return NULL;
	if (fp->ps)
		return fp;
	kn = algo_book_key(key, sizeof key, user, strategy, NULL);
	struct pstrat *ps = algo_book_tab_get(&r->pst, key, kn, 1);
	struct mark *m = get_mark(r, symbol);
	if (!ps || !m)
		return NULL;
	if (!ps->user[0]) {
		snprintf(ps->user, sizeof ps->user, "%s", user);
		snprintf(ps->strategy, sizeof ps->strategy, "%s", strategy);
	}
	if (push_ptr((void ***)&ps->v, &ps->n, &ps->cap, fp) ||
	    push_ptr((void ***)&m->v, &m->n, &m->cap, ps))
		return NULL;
	fp->ps = ps;
	fp->m = m;
	return fp;
}

static int add_unc(struct algo_risk *r, struct fpos *fp, int side, int64_t qty)
{
	if (r->nunc == r->capunc) {
		size_t c = r->capunc ? 2 * r->capunc : 16;
		struct algo_risk_unc *nu = realloc(r->unc, c * sizeof *nu);
		if (!nu) return -1;
		r->unc = nu;
		r->capunc = c;
	}
	r->unc[r->nunc++] = (struct algo_risk_unc){ fp->ps, fp->m, side, qty };
	return 0;
}

/* An order risk sends (approved or a square-off): awaited until its final status, and
 * uncertain until the next ack. */
int algo_risk_track_order(struct algo_risk *r, const char *user, const char *strategy,
	const char *symbol, const char *id, int side, int64_t qty, int64_t price, int legs,
	char *err, size_t errlen)
{
	char key[2 * ALGO_NAME_MAX];
	size_t kn = algo_book_key(key, sizeof key, user, id, NULL);
	struct pend *pd = kn ? algo_book_tab_get(&r->pend, key, kn, 1) : NULL;
	struct fpos *fp = get_fpos(r, user, strategy, symbol);
	if (!pd || !fp || add_unc(r, fp, side, qty) || (legs && add_unc(r, fp, -side, qty))) {
		snprintf(err, errlen, "out of memory or name too long");
		return -1;
	}
	snprintf(pd->user, sizeof pd->user, "%s", user);
	snprintf(pd->strategy, sizeof pd->strategy, "%s", strategy);
	snprintf(pd->symbol, sizeof pd->symbol, "%s", symbol);
	pd->side = side;
	pd->qty = qty;
	pd->price = price;
	pd->final = 0;
	return 0;
}

/* Moves the exposure book by a fill or a give-back the executor reported. */
static int expose(struct algo_risk *r, const char *user, const char *strategy, const char *symbol,
	int side, int64_t qty, int64_t price, char *err, size_t errlen)
{
	struct algo_position *pos = algo_book_get(&r->book, user, strategy, symbol, 1), np;
	if (!pos) { snprintf(err, errlen, "out of memory or name too long"); return -1; }
	np = *pos;
	if (algo_book_apply_fill(&np, side, qty, price, err, errlen))
		return -1;
	*pos = np;
	return 0;
}

/* Applies fill number n (0: the next one) of order (user, id). Returns 0, 1 when that
 * fill was applied already (sent again after a crash: skipped), or -1. */
int algo_risk_apply_fill(struct algo_risk *r, int64_t ts, const char *id, int64_t n,
	const char *user, const char *strategy, const char *symbol, int side, int64_t qty,
	int64_t price, int64_t fee, char *err, size_t errlen)
{
	char key[2 * ALGO_NAME_MAX];
	size_t kn = algo_book_key(key, sizeof key, user, id, NULL);
	struct pend *pd = kn ? algo_book_tab_get(&r->pend, key, kn, 0) : NULL;
	int64_t *done = kn ? algo_book_tab_get(&r->nfill, key, kn, 1) : NULL;
	struct fpos *fp = get_fpos(r, user, strategy, symbol);
	struct algo_position np;
	int64_t day = algo_time_ist_day(ts);
	if (!fp || !done) { snprintf(err, errlen, "out of memory or name too long"); return -1; }
	if (n > 0 && n <= *done)
		return 1;
	*done = n > 0 ? n : *done + 1;
	np = fp->p;
	if (algo_book_apply_fill(&np, side, qty, price, err, errlen) || algo_book_add_fees(&np, fee)) {
		if (!*err) snprintf(err, errlen, "fees overflow");
		return -1;
	}
	if (fp->day != day) {
		fp->day = day;
		fp->realised_day = fp->fees_day = 0;
	}
	fp->realised_day += np.realised - fp->p.realised;
	fp->fees_day += fee;
	fp->p = np;
	/* a fill of an order risk did not send: a bracket leg or the executor's square-off */
	if (!pd || pd->final)
		return expose(r, user, strategy, symbol, side, qty, price, err, errlen);
	return 0;
}

int algo_risk_apply_final(struct algo_risk *r, const char *id, const char *user, int64_t filled,
	char *err, size_t errlen)
{
	char key[2 * ALGO_NAME_MAX];
	size_t kn = algo_book_key(key, sizeof key, user, id, NULL);
	struct pend *pd = kn ? algo_book_tab_get(&r->pend, key, kn, 0) : NULL;
	if (!pd || pd->final)
		return 0;
	pd->final = 1;
	if (filled < pd->qty)
		return expose(r, pd->user, pd->strategy, pd->symbol, -pd->side, pd->qty - filled,
			pd->price, err, errlen);
	return 0;
}

/* Sets a position to qty, keeping its average price (cost scaled) or, for a new or
 * flipped position, at price px; realised PnL and fees stay. */
static void set_qty(struct algo_position *p, int64_t qty, int64_t px)
{
	if (qty == p->qty)
		return;
	if (qty == 0 || p->qty == 0 || (qty > 0) != (p->qty > 0))
		p->cost = (int64_t)((__int128)qty * px);
	else
		p->cost = (int64_t)((__int128)p->cost * qty / p->qty);
	p->qty = qty;
}

/* The first ack of a run: the executor's positions are the truth. A restarted
 * algo-risk adopts them, for the exposure and for the real-fill book (a fresh paper
 * executor holds none; one that kept running holds what it filled meanwhile), and
 * stops waiting for orders of earlier runs (their fills count as the executor's). */
static int reconcile(struct algo_risk *r, json_t *pos)
{
	size_t i;
	json_t *x;
	r->reconciled = 1;
	for (i = 0; i < algo_book_tab_count(&r->pend); i++)
		((struct pend *)algo_book_tab_at(&r->pend, i, NULL, NULL))->final = 1;
	/* what the executor does not hold is gone; a position it holds that this book
	 * lacks starts at the latest price (no unrealised PnL from before) */
	for (i = 0; i < algo_book_tab_count(&r->book.tab); i++)
		set_qty(algo_book_tab_at(&r->book.tab, i, NULL, NULL), 0, 0);
	for (i = 0; i < algo_book_tab_count(&r->fpos); i++) {
		struct fpos *fp = algo_book_tab_at(&r->fpos, i, NULL, NULL);
		fp->held = fp->p;
		set_qty(&fp->p, 0, 0);
	}
	json_array_foreach(pos, i, x) {
		const char *u = json_string_value(json_array_get(x, 0));
		const char *g = json_string_value(json_array_get(x, 1));
		const char *y = json_string_value(json_array_get(x, 2));
		int64_t q = json_integer_value(json_array_get(x, 3));
		struct algo_position *p = u && g && y ? algo_book_get(&r->book, u, g, y, 1) : NULL;
		struct fpos *fp = u && g && y ? get_fpos(r, u, g, y) : NULL;
		if (!p || !fp)
			return -1;
		set_qty(p, p->qty + q, 0);
		if (fp->p.qty == 0 && fp->held.qty && (fp->held.qty > 0) == (fp->p.qty + q > 0))
			fp->p = fp->held;    /* the same side as before: keep its cost */
		set_qty(&fp->p, fp->p.qty + q, fp->m->have ? fp->m->px : 0);
	}
	return 0;
}

int algo_risk_channel(struct algo_risk *r, const char *line, size_t len, char *err, size_t errlen)
{
	static const char *const sides[] = { "buy", "sell", NULL };
	struct algo_event ev;
	char id[ALGO_NAME_MAX], user[ALGO_NAME_MAX], strategy[ALGO_NAME_MAX], symbol[ALGO_NAME_MAX];
	char status[16];
	const struct algo_jfield *t;
	int64_t ts, qty, price, fee, n = 0;
	int side, rc;

	if (algo_event_parse(&ev, line, len, err, errlen))
		goto bad;
	t = algo_event_get(&ev, "type");
	if (ev.type == ALGO_EV_FILL) {
		if (algo_event_time(&ev, "ts", 1, &ts, err, errlen) < 0 ||
		    algo_event_str(&ev, "id", 1, id, sizeof id, err, errlen) < 0 ||
		    algo_event_int(&ev, "n", 0, &n, err, errlen) < 0 ||
		    algo_event_name(&ev, "user", 1, user, sizeof user, err, errlen) < 0 ||
		    algo_event_name(&ev, "strategy", 1, strategy, sizeof strategy, err, errlen) < 0 ||
		    algo_event_name(&ev, "symbol", 1, symbol, sizeof symbol, err, errlen) < 0 ||
		    (side = algo_event_word(&ev, "side", sides, "buy or sell", -1, err, errlen)) < 0 ||
		    algo_event_qty(&ev, "qty", 1, &qty, err, errlen) < 0 ||
		    algo_event_price(&ev, "price", 1, &price, err, errlen) < 0 ||
		    algo_event_dec(&ev, "fee", 1, &fee, err, errlen) < 0)
			goto bad;
		side = side == 0 ? ALGO_BUY : ALGO_SELL;
		rc = algo_risk_apply_fill(r, ts, id, n, user, strategy, symbol, side, qty, price, fee, err, errlen);
		if (rc)
			return rc < 0 ? -1 : 0;
		return algo_risk_record_exec(r, "fill", ts, id, user, strategy, symbol, side, qty, price, fee, err, errlen);
	}
	if (t && t->vlen == 5 && memcmp(t->val, "final", 5) == 0) {
		if (algo_event_str(&ev, "id", 1, id, sizeof id, err, errlen) < 0 ||
		    algo_event_name(&ev, "user", 1, user, sizeof user, err, errlen) < 0 ||
		    algo_event_str(&ev, "status", 1, status, sizeof status, err, errlen) < 0 ||
		    algo_event_int(&ev, "filled", 1, &qty, err, errlen) < 0)
			goto bad;
		return algo_risk_apply_final(r, id, user, qty, err, errlen) ||
			algo_risk_record_exec(r, "final", 0, id, user, NULL, NULL, 0, qty, 0, 0, err, errlen);
	}
	if (t && t->vlen == 3 && memcmp(t->val, "ack", 3) == 0) {
		/* the orders still working at the executor are what stays uncertain */
		json_error_t je;
		json_t *root = json_loadb(line, len, 0, &je), *w, *x;
		size_t i;
		if (!root || !json_is_array(w = json_object_get(root, "working"))) {
			json_decref(root);
			snprintf(err, errlen, "bad ack");
			goto bad;
		}
		r->nunc = 0;
		r->ack_square_off = (int)json_integer_value(json_object_get(root, "square_off"));
		r->ack_open = json_integer_value(json_object_get(root, "open"));
		if (algo_dec_from_double(json_number_value(json_object_get(root, "slip_bps")), &r->ack_slip_bps) ||
		    algo_dec_from_double(json_number_value(json_object_get(root, "slip_abs")), &r->ack_slip_abs) ||
		    algo_dec_from_double(json_number_value(json_object_get(root, "fee_bps")), &r->ack_fee_bps))
			r->ack_slip_bps = r->ack_slip_abs = 0, r->ack_fee_bps = 100 * 10000;
		json_array_foreach(w, i, x) {
			const char *u = json_string_value(json_array_get(x, 0));
			const char *g = json_string_value(json_array_get(x, 1));
			const char *y = json_string_value(json_array_get(x, 2));
			int sd = (int)json_integer_value(json_array_get(x, 3)) > 0 ? ALGO_BUY : ALGO_SELL;
			int64_t q = json_integer_value(json_array_get(x, 4));
			int legs = (int)json_integer_value(json_array_get(x, 5));
			struct fpos *fp = u && g && y ? get_fpos(r, u, g, y) : NULL;
			if (!fp || add_unc(r, fp, sd, q) || (legs && add_unc(r, fp, -sd, q))) {
				json_decref(root);
				snprintf(err, errlen, "bad ack or out of memory");
				goto bad;
			}
		}
		if (!r->reconciled && reconcile(r, json_object_get(root, "positions"))) {
			json_decref(root);
			snprintf(err, errlen, "bad ack or out of memory");
			goto bad;
		}
		json_decref(root);
		for (size_t k = 0; k < algo_book_tab_count(&r->marks); k++) {
			struct mark *m = algo_book_tab_at(&r->marks, k, NULL, NULL);
			m->lo = m->hi = m->px;
		}
		r->waits++;
		return 0;
	}
	snprintf(err, errlen, "unknown record");
bad:
	{
		char e2[ALGO_ERR_MAX];
		snprintf(e2, sizeof e2, "fills channel: %s: %.*s", err, (int)(len > 120 ? 120 : len), line);
		snprintf(err, errlen, "%s", e2);
	}
	return -1;
}

int algo_risk_mark(struct algo_risk *r, const char *symbol, int64_t px, int64_t lo, int64_t hi,
	char *err, size_t errlen)
{
	struct mark *m = get_mark(r, symbol);
	if (!m) { snprintf(err, errlen, "out of memory"); return -1; }
	if (!m->have) {
		m->have = 1;
		m->lo = lo;
		m->hi = hi;
	}
	m->px = px;
	if (lo < m->lo) m->lo = lo;
	if (hi > m->hi) m->hi = hi;
	return 0;
}

static int64_t day_pnl(const struct pstrat *ps, int64_t day)
{
	__int128 t = 0;
	for (size_t i = 0; i < ps->n; i++) {
		const struct fpos *fp = ps->v[i];
		if (fp->day == day)
			t += (__int128)fp->realised_day - fp->fees_day;
		if (fp->p.qty && fp->m->have)
			t += (__int128)fp->p.qty * fp->m->px - fp->p.cost;
	}
	return t > INT64_MAX / 2 ? INT64_MAX / 2 : t < INT64_MIN / 2 ? INT64_MIN / 2 : (int64_t)t;
}

int64_t algo_risk_day_pnl(struct algo_risk *r, const char *user, const char *strategy, int64_t day)
{
	char key[2 * ALGO_NAME_MAX];
	size_t kn = algo_book_key(key, sizeof key, user, strategy, NULL);
	const struct pstrat *ps = kn ? algo_book_tab_get(&r->pst, key, kn, 0) : NULL;
	return ps ? day_pnl(ps, day) : 0;
}

/* The daily loss and profit limits of (user, strategy): the risk file's times the
 * multiplier; the plan's loss cap when it is smaller (*loss_by "plan"). */
static void limits_of(struct algo_risk *r, const char *user, const char *strategy,
	int64_t *loss, int64_t *profit, const char **loss_by)
{
	struct algo_risk_rules rr;
	const struct algo_risk_plan *plan;
	algo_risk_rules_for(&r->cfg, user, strategy, &rr);
	*loss = rr.max_daily_loss == ALGO_RISK_NOLIMIT ? ALGO_RISK_NOLIMIT :
		rr.max_daily_loss * rr.multiplier;
	*profit = rr.max_daily_profit == ALGO_RISK_NOLIMIT ? ALGO_RISK_NOLIMIT :
		rr.max_daily_profit * rr.multiplier;
	*loss_by = "max_daily_loss";
	plan = algo_risk_plan_of(r, user);
	if (plan->known && plan->max_daily_loss != ALGO_RISK_NOLIMIT &&
	    (*loss == ALGO_RISK_NOLIMIT || plan->max_daily_loss < *loss)) {
		*loss = plan->max_daily_loss;
		*loss_by = "plan";
	}
}

static void resolve(struct algo_risk *r, struct pstrat *ps)
{
	if (ps->resolved)
		return;
	limits_of(r, ps->user, ps->strategy, &ps->loss, &ps->profit, &ps->loss_by);
	ps->resolved = 1;
}

int64_t algo_risk_loss_limit(struct algo_risk *r, const char *user, const char *strategy)
{
	int64_t loss, profit;
	const char *by;
	limits_of(r, user, strategy, &loss, &profit, &by);
	return loss;
}

int algo_risk_has_pnl_limits(struct algo_risk *r)
{
	return r->cfg.pnl_key != NULL;
}

/* Moves (strategy) to reducing because of a PnL limit: state row and audit row in the
 * current batch, the change in r->changes. */
static int trip(struct algo_risk *r, struct pstrat *ps, int64_t ts, const char *rule,
	int64_t limit, int64_t value, char *err, size_t errlen)
{
	struct algo_risk_state ns = { .scope = ALGO_RISK_SCOPE_STRATEGY, .state = ALGO_RISK_REDUCING };
	char a[32], b[32];
	algo_dec_fmt(value, a);
	algo_dec_fmt(limit, b);
	snprintf(ns.key, sizeof ns.key, "%s", ps->strategy);
	if (strcmp(rule, "plan") == 0)
		snprintf(ns.reason, sizeof ns.reason, "plan %s caps the daily loss: day PnL %s reached -%s",
			algo_risk_plan_of(r, ps->user)->plan, a, b);
	else
		snprintf(ns.reason, sizeof ns.reason, "%s: day PnL %s reached %s%s", rule, a,
			strcmp(rule, "max_daily_profit") ? "-" : "", b);
	return algo_risk_trip(r, &ns, ps->user, ts, err, errlen);
}

/* Adds to [*lo, *hi] what a fill of qty on side anywhere in m's range (widened by
 * slippage) can do to the day PnL marked at m's price, charges included in *lo. */
static void bound_one(const struct algo_risk *r, const struct mark *m, int side, int64_t qty,
	__int128 *lo, __int128 *hi)
{
	__int128 q = qty;
	__int128 top = m->hi + (__int128)m->hi * r->ack_slip_bps / 100000000 + r->ack_slip_abs + 1;
	__int128 bot = m->lo - (__int128)m->lo * r->ack_slip_bps / 100000000 - r->ack_slip_abs - 1;
	if (side == ALGO_BUY) {
		*lo += q * (m->px - top);
		*hi += q * (m->px - bot);
	} else {
		*lo += q * (bot - m->px);
		*hi += q * (top - m->px);
	}
	*lo -= q * top * r->ack_fee_bps / 100000000 + 1 + 100 * ALGO_DEC_SCALE;
}

int algo_risk_pnl_check(struct algo_risk *r, const char *symbol, int64_t ts, int exact,
	int square_off_possible, char *err, size_t errlen)
{
	struct mark *m = algo_book_tab_get(&r->marks, symbol, strlen(symbol), 0);
	int64_t day = algo_time_ist_day(ts);
	int out = 0;
	if (!m)
		return 0;
	for (size_t i = 0; i < m->n; i++) {
		struct pstrat *ps = m->v[i];
		int64_t known;
		resolve(r, ps);
		if (ps->loss == ALGO_RISK_NOLIMIT && ps->profit == ALGO_RISK_NOLIMIT)
			continue;
		if (algo_risk_state_of(r, ps->user, ps->strategy, NULL, 0) != ALGO_RISK_ACTIVE)
			continue;
		r->checks++;
		known = day_pnl(ps, day);
		if (!exact) {
			/* worst and best day PnL if every uncertain order filled anywhere in its
			 * symbol's range since the ack, widened by the executor's slippage, with
			 * charges at its ceiling */
			__int128 lo = known, hi = known;
			for (size_t k = 0; k < r->nunc; k++) {
				const struct algo_risk_unc *u = &r->unc[k];
				if (u->ps != ps)
					continue;
				bound_one(r, u->m, u->side, u->qty, &lo, &hi);
				if (square_off_possible)   /* opened and closed again since the ack */
					bound_one(r, u->m, -u->side, u->qty, &lo, &hi);
			}
			if (square_off_possible)
				for (size_t k = 0; k < ps->n; k++) {
					const struct fpos *fp = ps->v[k];
					if (fp->p.qty)
						bound_one(r, fp->m, fp->p.qty > 0 ? ALGO_SELL : ALGO_BUY,
							fp->p.qty > 0 ? fp->p.qty : -fp->p.qty, &lo, &hi);
				}
			if ((ps->loss != ALGO_RISK_NOLIMIT && lo <= -(__int128)ps->loss) ||
			    (ps->profit != ALGO_RISK_NOLIMIT && hi >= ps->profit))
				return 1;
			continue;
		}
		if (ps->loss != ALGO_RISK_NOLIMIT && known <= -ps->loss) {
			if (trip(r, ps, ts, ps->loss_by, ps->loss, known, err, errlen))
				return -1;
			out = 2;
		} else if (ps->profit != ALGO_RISK_NOLIMIT && known >= ps->profit) {
			if (trip(r, ps, ts, "max_daily_profit", ps->profit, known, err, errlen))
				return -1;
			out = 2;
		}
	}
	return out;
}


void algo_risk_pnlbook_init(struct algo_risk *r)
{
	algo_book_tab_init(&r->pend, sizeof(struct pend));
	algo_book_tab_init(&r->nfill, sizeof(int64_t));
	algo_book_tab_init(&r->fpos, sizeof(struct fpos));
	algo_book_tab_init(&r->pst, sizeof(struct pstrat));
	algo_book_tab_init(&r->marks, sizeof(struct mark));
	r->ack_square_off = -1;
	r->ack_fee_bps = 100 * 10000;
}

void algo_risk_pnlbook_free(struct algo_risk *r)
{
	for (size_t i = 0; i < algo_book_tab_count(&r->pst); i++)
		free(((struct pstrat *)algo_book_tab_at(&r->pst, i, NULL, NULL))->v);
	for (size_t i = 0; i < algo_book_tab_count(&r->marks); i++)
		free(((struct mark *)algo_book_tab_at(&r->marks, i, NULL, NULL))->v);
	algo_book_tab_free(&r->pend);
	algo_book_tab_free(&r->nfill);
	algo_book_tab_free(&r->fpos);
	algo_book_tab_free(&r->pst);
	algo_book_tab_free(&r->marks);
	free(r->unc);
	r->unc = NULL;
	r->nunc = r->capunc = 0;
}
