/* fyers_venue — the FYERS venue of the executor seam. See fyers_venue.h. */
#include "fyers_venue.h"
#include "cli.h"
#include "decimal.h"
#include "fyers_live.h"
#include "fyers_order.h"
#include "fyers_orderws.h"
#include "killswitch.h"
#include "stage.h"
#include "timeutil.h"
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FAIL(e, n, ...) (snprintf(e, n, __VA_ARGS__), ALGO_EX_FAIL)
#define ATTEMPTS 3

/* The venue's numbers on an order (struct algo_exec_vorder.n). */
#define PHASE(o) ((o)->venue.n[0])       /* see enum below */
#define TRIES(o) ((o)->venue.n[1])       /* sends so far */
#define MISSES(o) ((o)->venue.n[2])      /* order-book lookups that did not find it */
#define SHOWN(o) ((o)->venue.n[3])       /* the order book showed it: 1 */
enum { INTENT = 0, UNCLEAR = 1, PLACED = 2 };

static void note(struct algo_fyers_venue *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct algo_fyers_venue *v, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;
	if (!v->note)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	v->note(v->note_arg, msg);
}

/* The test hook: dies here when ALGO_FYERS_CRASH_AT names this point. */
static void crash_point(const char *point)
{
	const char *at = getenv("ALGO_FYERS_CRASH_AT");
	if (at && strcmp(at, point) == 0)
		raise(SIGKILL);
}

void algo_fyers_venue_init(struct algo_fyers_venue *v, const struct algo_fyers_venue_cfg *cfg,
	struct algo_fyers *f, const char *user)
{
	memset(v, 0, sizeof *v);
	v->cfg = *cfg;
	v->f = f;
	snprintf(v->user, sizeof v->user, "%s", user);
	algo_idreg_open(&v->trades, NULL, "", NULL, 0);   /* in memory: cannot fail */
	algo_idreg_open(&v->placed, NULL, "", NULL, 0);
	algo_idreg_open(&v->dp_days, NULL, "", NULL, 0);
}

int algo_fyers_venue_open(struct algo_fyers_venue *v, struct algo_store *s, const char *key,
	char *err, size_t errlen)
{
	char k[300];
	v->store = s;
	if (!s)
		return 0;
	algo_idreg_free(&v->trades);
	algo_idreg_free(&v->placed);
	algo_idreg_free(&v->dp_days);
	snprintf(k, sizeof k, "%s/trades", key);
	if (algo_idreg_open(&v->trades, s, k, err, errlen))
		return -1;
	snprintf(k, sizeof k, "%s/dp-days", key);
	if (algo_idreg_open(&v->dp_days, s, k, err, errlen))
		return -1;
	snprintf(k, sizeof k, "%s/broker-orders", key);
	return algo_idreg_open(&v->placed, s, k, err, errlen);
}

void algo_fyers_venue_free(struct algo_fyers_venue *v)
{
	algo_idreg_free(&v->trades);
	algo_idreg_free(&v->placed);
	algo_idreg_free(&v->dp_days);
	free(v->cancels);
	v->cancels = NULL;
	v->ncancel = v->capcancel = 0;
}

int algo_fyers_stage_save(void *arg, struct algo_store *s, char *err, size_t errlen)
{
	struct algo_executor *ex = arg;
	struct algo_fyers_venue *v = ex->varg;
	if (algo_executor_save(ex, s, err, errlen) || algo_idreg_save(&v->trades, err, errlen) ||
	    algo_idreg_save(&v->placed, err, errlen) || algo_idreg_save(&v->dp_days, err, errlen))
		return -1;
	v->changed = 0;
	return 0;
}

/* Saves the state now. What was written goes out first: killed in between, a restart
 * writes it again (downstream knows it by id and fill_id), never loses it. */
static int commit(struct algo_fyers_venue *v, char *err, size_t errlen)
{
	char why[ALGO_ERR_MAX];
	algo_writer_flush(&algo_stdout);
	if (!v->commit || v->commit(v->commit_arg, why, sizeof why) == 0)
		return 0;
	snprintf(err, errlen, "cannot save state: %s", why);
	return ALGO_EX_IOERR;
}

static int report(struct algo_fyers_venue *v, struct algo_executor *ex, struct algo_exec_order *o,
	int status, const char *reason, char *err, size_t errlen)
{
	v->changed = 1;
	return algo_executor_report(ex, o, status, algo_clock_ms(), reason, 0, err, errlen);
}

/* ---- the session ---------------------------------------------------------------- */

static int session_expired(struct algo_fyers_venue *v)
{
	if (!v->token_expired && v->f && v->f->tok.access_exp && v->f->tok.access_exp <= algo_clock_ms()) {
		v->token_expired = 1;
		note(v, "the FYERS session has expired: new orders are rejected ('token expired'); "
			"run 'algo-exec-fyers login' (the next run reconciles)");
	}
	return v->token_expired;
}

static void auth_failed(struct algo_fyers_venue *v, const char *err)
{
	if (v->token_expired)
		return;
	v->token_expired = 1;
	note(v, "%s", err);
	note(v, "the FYERS session is no longer valid: new orders are rejected ('token expired'); "
		"run 'algo-exec-fyers login' (the next run reconciles)");
}

/* One call; EAUTH marks the session expired. The caller frees r. */
static int call(struct algo_fyers_venue *v, const char *method, const char *path, json_t *body,
	unsigned flags, struct algo_fyers_reply *r, char *err, size_t errlen)
{
	struct algo_fyers_req rq = { ALGO_FYERS_API, method, path, NULL, body, flags };
	int cls = algo_fyers_request(v->f, &rq, r, err, errlen);
	if (cls == ALGO_FYERS_EAUTH)
		auth_failed(v, err);
	return cls;
}

/* ---- the books ----------------------------------------------------------------------- */

struct books {
	struct algo_fyers_reply orders, trades;
	const json_t *orow, *trow;       /* the lists */
};

static void books_free(struct books *b)
{
	algo_fyers_reply_free(&b->orders);
	algo_fyers_reply_free(&b->trades);
}

/* Reads the order book (and the trade book when trades). Returns 0, or -1 (noted). */
static int read_books(struct algo_fyers_venue *v, struct books *b, int trades)
{
	char err[1024];
	memset(b, 0, sizeof *b);
	v->polls++;
	if (call(v, "GET", "/orders", NULL, ALGO_FYERS_PRIO, &b->orders, err, sizeof err) != ALGO_FYERS_OK ||
	    (trades && call(v, "GET", "/tradebook", NULL, ALGO_FYERS_PRIO, &b->trades, err, sizeof err) !=
	    ALGO_FYERS_OK)) {
		if (!v->token_expired)
			note(v, "%s (tried again at the next poll)", err);
		books_free(b);
		return -1;
	}
	b->orow = json_object_get(b->orders.root, "orderBook");
	b->trow = trades ? json_object_get(b->trades.root, "tradeBook") : NULL;
	if (!json_is_array(b->orow) || (trades && !json_is_array(b->trow))) {
		note(v, "FYERS sent an order book or trade book without its list (tried again at the next poll)");
		books_free(b);
		return -1;
	}
	return 0;
}

/* The order-book row with tag (or broker id when id), 1 found. */
static int find_row(const json_t *list, const char *tag, const char *id, struct algo_fyers_orow *row)
{
	char err[128];
	size_t i;
	const json_t *r;
	json_array_foreach(list, i, r) {
		if (algo_fyers_orow_get(r, row, err, sizeof err))
			continue;
		if (id ? strcmp(row->id, id) == 0 : algo_fyers_tag_is(row->tag, tag))
			return 1;
	}
	return 0;
}

/* ---- placing ------------------------------------------------------------------------- */

/* The broker knows o as id. */
static int placed(struct algo_fyers_venue *v, struct algo_exec_order *o, const char *id, char *err,
	size_t errlen)
{
	snprintf(o->venue.ref, sizeof o->venue.ref, "%s", id);
	PHASE(o) = PLACED;
	v->changed = 1;
	if (algo_idreg_add(&v->placed, v->user, id, algo_clock_ms(), err, errlen))
		return ALGO_EX_IOERR;
	return 0;
}

/* Looks o's tag up in the order book: 1 found (o is placed), 0 not there, -1 the book
 * could not be read. */
static int look_up(struct algo_fyers_venue *v, struct algo_exec_order *o, char *err, size_t errlen)
{
	struct books b;
	struct algo_fyers_orow row;
	char tag[ALGO_FYERS_TAG_MAX];
	int found, rc;
	v->lookups++;
	if (read_books(v, &b, 0))
		return -1;
	algo_fyers_tag(o->in.id, tag);
	found = find_row(b.orow, tag, NULL, &row);
	books_free(&b);
	if (!found)
		return 0;
	note(v, "order %s: found in the order book as %s (tag %s)", o->in.id, row.id, tag);
	if ((rc = placed(v, o, row.id, err, errlen)))
		return -rc - 2;
	return 1;
}

static int send_order(struct algo_fyers_venue *v, struct algo_executor *ex, struct algo_exec_order *o,
	char *err, size_t errlen);

/* After an unclear answer: the order book says whether the order is there. */
static int resolve(struct algo_fyers_venue *v, struct algo_executor *ex, struct algo_exec_order *o,
	char *err, size_t errlen)
{
	for (int i = 0; i < ATTEMPTS; i++) {
		int rc;
		if (i)
			algo_sleep_ms(1000L * i);
		if ((rc = look_up(v, o, err, errlen)) == 1)
			return commit(v, err, errlen);
		if (rc < -1)
			return -rc - 2;
		if (rc < 0)
			return 0;        /* unknown: the next poll looks again */
	}
	note(v, "order %s: not in the order book after %d lookups: it never reached FYERS", o->in.id, ATTEMPTS);
	PHASE(o) = INTENT;
	if (TRIES(o) >= ATTEMPTS)
		return report(v, ex, o, ALGO_EXEC_REJECTED, "not placed: FYERS did not confirm it and it is "
			"not in the order book", err, errlen);
	return send_order(v, ex, o, err, errlen);
}

/* What a failed send means for o. */
static int send_failed(struct algo_fyers_venue *v, struct algo_executor *ex, struct algo_exec_order *o,
	const struct algo_fyers_reply *r, const char *why, char *err, size_t errlen)
{
	char reason[1100];
	switch (r->cls) {
	case ALGO_FYERS_EMAYBE:
		note(v, "order %s: %s", o->in.id, why);
		return resolve(v, ex, o, err, errlen);
	case ALGO_FYERS_ERATE:
	case ALGO_FYERS_EUNAVAIL:
		PHASE(o) = INTENT;      /* refused (429) or never sent: nothing was placed */
		if (TRIES(o) < ATTEMPTS) {
			long wait = r->retry_after_ms > 1000 ? r->retry_after_ms : 1000;
			note(v, "order %s: %s; nothing was placed, sending again in %.1f s", o->in.id, why,
				(double)wait / 1000);
			algo_sleep_ms(wait);
			return send_order(v, ex, o, err, errlen);
		}
		snprintf(reason, sizeof reason, "not placed: %s", r->message[0] ? r->message : why);
		return report(v, ex, o, ALGO_EXEC_REJECTED, reason, err, errlen);
	case ALGO_FYERS_EAUTH:
		return report(v, ex, o, ALGO_EXEC_REJECTED, "token expired", err, errlen);
	default:
		snprintf(reason, sizeof reason, "%s", r->message[0] ? r->message : why);
		note(v, "order %s: rejected: %s", o->in.id, why);
		return report(v, ex, o, ALGO_EXEC_REJECTED, reason, err, errlen);
	}
}

static int send_order(struct algo_fyers_venue *v, struct algo_executor *ex, struct algo_exec_order *o,
	char *err, size_t errlen)
{
	struct algo_fyers_reply r;
	char tag[ALGO_FYERS_TAG_MAX], why[1024];
	const json_t *id;
	json_t *body;
	int cls, rc;

	algo_fyers_tag(o->in.id, tag);
	if (!(body = algo_fyers_order_body(&o->in, tag)))
		return FAIL(err, errlen, "out of memory");
	PHASE(o) = UNCLEAR;
	TRIES(o)++;
	MISSES(o) = 0;
	v->sent++;
	cls = call(v, "POST", "/orders/sync", body, ALGO_FYERS_ONCE, &r, why, sizeof why);
	json_decref(body);
	crash_point("after-send");
	id = json_object_get(r.root, "id");
	if (cls == ALGO_FYERS_OK && json_is_string(id) && *json_string_value(id)) {
		rc = placed(v, o, json_string_value(id), err, errlen);
		algo_fyers_reply_free(&r);
		return rc ? rc : commit(v, err, errlen);
	}
	if (cls == ALGO_FYERS_OK) {
		r.cls = ALGO_FYERS_EMAYBE;      /* an "ok" without the order id */
		snprintf(why, sizeof why, "POST /orders/sync: FYERS answered %d without an order id", r.code);
	}
	rc = send_failed(v, ex, o, &r, why, err, errlen);
	algo_fyers_reply_free(&r);
	return rc;
}

static int dry_run(struct algo_fyers_venue *v, struct algo_executor *ex, struct algo_exec_order *o,
	char *err, size_t errlen)
{
	char tag[ALGO_FYERS_TAG_MAX], *text;
	json_t *body;
	algo_fyers_tag(o->in.id, tag);
	if (!(body = algo_fyers_order_body(&o->in, tag)) ||
	    !(text = json_dumps(body, JSON_COMPACT | JSON_REAL_PRECISION(12)))) {
		json_decref(body);
		return FAIL(err, errlen, "out of memory");
	}
	note(v, "dry run (no --live): would POST /orders/sync %s", text);
	free(text);
	json_decref(body);
	return report(v, ex, o, ALGO_EXEC_REJECTED, "dry run: not sent", err, errlen);
}

/* Whether a kill switch in the state database refuses o now (defence in depth: algo-risk
 * upstream blocks it first): reducing or halted for everything, the user or the strategy
 * refuses every order but those that only reduce a position (reduce_only, bracket legs:
 * a square-off must get out). 1 refused (reason set), 0 not, -1 (err set) on a
 * database error. */
static int kill_refuses(struct algo_fyers_venue *v, const struct algo_exec_order *o, char *reason,
	size_t reasonlen, char *err, size_t errlen)
{
	char why[400];
	int st;
	if (!v->store || o->in.reduce_only || o->leg != ALGO_LEG_NONE)
		return 0;
	st = algo_fyers_kill_state(v->store, o->in.user[0] ? o->in.user : v->user, o->in.strategy, why, sizeof why);
	if (st < 0) {
		snprintf(err, errlen, "cannot read the kill switch: %s", why);
		return -1;
	}
	if (st == ALGO_FYERS_KILL_NONE)
		return 0;
	snprintf(reason, reasonlen, "kill switch: %s", why);
	note(v, "order %s not sent: %s", o->in.id, reason);
	return 1;
}

static int on_place(void *arg, struct algo_executor *ex, struct algo_exec_order *o, int64_t ts,
	char *err, size_t errlen)
{
	struct algo_fyers_venue *v = arg;
	char reason[512];
	int rc;
	(void)ts;
	if (!v->cfg.live)
		return dry_run(v, ex, o, err, errlen);
	if (o->leg == ALGO_LEG_NONE && v->cfg.max_age_ms && algo_clock_ms() - o->in.ts > v->cfg.max_age_ms)
		return report(v, ex, o, ALGO_EXEC_REJECTED, "stale", err, errlen);
	if (session_expired(v))
		return report(v, ex, o, ALGO_EXEC_REJECTED, "token expired", err, errlen);
	if ((rc = kill_refuses(v, o, reason, sizeof reason, err, errlen)) != 0)
		return rc < 0 ? ALGO_EX_IOERR : report(v, ex, o, ALGO_EXEC_REJECTED, reason, err, errlen);
	PHASE(o) = INTENT;
	crash_point("before-commit");
	if ((rc = commit(v, err, errlen)))
		return rc;
	crash_point("after-commit");
	return send_order(v, ex, o, err, errlen);
}

/* ---- cancel and modify ------------------------------------------------------------------ */

static struct algo_fyers_cancel *pending_cancel(struct algo_fyers_venue *v, int64_t seq)
{
	for (size_t i = 0; i < v->ncancel; i++)
		if (v->cancels[i].seq == seq)
			return &v->cancels[i];
	return NULL;
}

static int remember_cancel(struct algo_fyers_venue *v, const struct algo_exec_order *o, const char *reason)
{
	struct algo_fyers_cancel *c = pending_cancel(v, o->seq);
	if (!c) {
		if (v->ncancel == v->capcancel) {
			size_t cap = v->capcancel ? v->capcancel * 2 : 8;
			struct algo_fyers_cancel *n = realloc(v->cancels, cap * sizeof *n);
			if (!n)
				return -1;
			v->cancels = n;
			v->capcancel = cap;
		}
		c = &v->cancels[v->ncancel++];
		c->seq = o->seq;
	}
	snprintf(c->reason, sizeof c->reason, "%s", reason ? reason : "cancelled");
	v->changed = 1;
	return 0;
}

static void forget_cancel(struct algo_fyers_venue *v, int64_t seq)
{
	struct algo_fyers_cancel *c = pending_cancel(v, seq);
	if (c)
		*c = v->cancels[--v->ncancel];
}

static int on_cancel(void *arg, struct algo_executor *ex, struct algo_exec_order *o, int64_t ts,
	const char *reason, char *err, size_t errlen)
{
	struct algo_fyers_venue *v = arg;
	struct algo_fyers_reply r;
	char why[1024];
	json_t *body;
	int cls;
	(void)ts;
	if (!v->cfg.live || (PHASE(o) == INTENT && !o->venue.ref[0]))
		return report(v, ex, o, ALGO_EXEC_CANCELLED, reason, err, errlen);
	if (remember_cancel(v, o, reason))
		return FAIL(err, errlen, "out of memory");
	if (!o->venue.ref[0])
		return 0;                /* sent, not resolved yet: cancelled once it is */
	if (!(body = json_pack("{s:s}", "id", o->venue.ref)))
		return FAIL(err, errlen, "out of memory");
	cls = call(v, "DELETE", "/orders/sync", body, ALGO_FYERS_PRIO, &r, why, sizeof why);
	json_decref(body);
	algo_fyers_reply_free(&r);
	if (cls != ALGO_FYERS_OK && cls != ALGO_FYERS_ESTATE && cls != ALGO_FYERS_EAUTH)
		note(v, "order %s: cancel: %s (the order book decides)", o->in.id, why);
	return 0;
}

static int on_modify(void *arg, struct algo_executor *ex, struct algo_exec_order *o, int64_t ts,
	int64_t qty, int64_t limit, int64_t stop, char *err, size_t errlen)
{
	static const int types[] = { 2, 1, 3, 4 };
	struct algo_fyers_venue *v = arg;
	struct algo_fyers_reply r;
	char why[1024];
	json_t *body;
	int cls;
	if (!v->cfg.live) {
		algo_executor_modified(ex, o, ts, qty, limit, stop);
		return 0;
	}
	if (!o->venue.ref[0]) {
		note(v, "order %s: modify: the order is not placed yet; not modified", o->in.id);
		return 0;
	}
	if (!(body = json_pack("{s:s, s:i}", "id", o->venue.ref, "type", types[o->in.kind])))
		return FAIL(err, errlen, "out of memory");
	if (qty)
		json_object_set_new(body, "qty", json_integer(qty));
	if (limit)
		json_object_set_new(body, "limitPrice", json_real(algo_dec_to_double(limit)));
	if (stop)
		json_object_set_new(body, "stopPrice", json_real(algo_dec_to_double(stop)));
	cls = call(v, "PATCH", "/orders/sync", body, ALGO_FYERS_ONCE, &r, why, sizeof why);
	json_decref(body);
	algo_fyers_reply_free(&r);
	if (cls != ALGO_FYERS_OK) {
		note(v, "order %s: modify: %s; not modified", o->in.id, why);
		return 0;
	}
	v->changed = 1;
	algo_executor_modified(ex, o, algo_clock_ms(), qty, limit, stop);
	return 0;
}

/* ---- following: trades, statuses --------------------------------------------------------- */

static struct algo_exec_order *order_of_trade(struct algo_executor *ex, const struct algo_fyers_trade *t)
{
	for (size_t i = 0; i < algo_executor_count(ex); i++) {
		struct algo_exec_order *o = algo_executor_at(ex, i);
		if (!algo_exec_final(o) && o->venue.ref[0] && strcmp(o->venue.ref, t->order) == 0)
			return o;
	}
	return NULL;
}

/* Whether a delivery sell of symbol on IST day is the account's first of that scrip
 * that day: it pays the DP charge (durable, so a restart does not charge it again).
 * 1 yes, 0 no, -1 with err set. */
static int first_dp_of_day(struct algo_fyers_venue *v, const char *symbol, int64_t day, char *err,
	size_t errlen)
{
	char id[ALGO_NAME_MAX + 32];
	int seen;
	snprintf(id, sizeof id, "%s@%lld", symbol, (long long)day);
	if ((seen = algo_idreg_seen(&v->dp_days, v->user, id, err, errlen)) != 0)
		return seen < 0 ? -1 : 0;
	return algo_idreg_add(&v->dp_days, v->user, id, algo_clock_ms(), err, errlen) ? -1 : 1;
}

/* The fees of fill f of o from the charges table (a day the table does not cover: 0,
 * with a note), the DP charge on the first delivery sell of a scrip in a day. Returns
 * 0, or -1 with err set. */
static int charges(struct algo_fyers_venue *v, const struct algo_exec_order *o, struct algo_exec_fill *f,
	char *err, size_t errlen)
{
	static const char *const products[] = { "intraday", "delivery", "margin" };
	int64_t day = algo_time_ist_day(f->ts);
	const struct algo_costs_period *p = algo_costs_period(v->cfg.costs, day);
	int seg = algo_costs_segment(o->in.symbol, products[o->in.product]), dp = 0;
	if (!p) {
		note(v, "charges table %s has no rates for the day of trade %s: fees 0", v->cfg.costs->name,
			f->fill_id);
		return 0;
	}
	if (seg == ALGO_SEG_EQ_DELIVERY && o->in.side == ALGO_SELL && p->seg[seg].dp_sell &&
	    (dp = first_dp_of_day(v, o->in.symbol, day, err, errlen)) < 0)
		return -1;
	return algo_costs_fill(&p->seg[seg], o->in.side, f->price, f->qty, o->turnover, dp, &f->fees, err,
		errlen);
}

static int fill_of(struct algo_fyers_venue *v, struct algo_executor *ex, struct algo_exec_order *o,
	const struct algo_fyers_trade *t, const char *reason, unsigned flags, char *err, size_t errlen)
{
	struct algo_exec_fill f;
	int64_t left = o->in.qty - o->filled;
	memset(&f, 0, sizeof f);
	f.ts = t->ts ? t->ts : algo_clock_ms();
	f.qty = t->qty < left ? t->qty : left;
	f.price = t->price;
	f.fill_id = t->number;
	f.reason = reason;
	f.flags = flags;
	if (t->qty > left)
		note(v, "order %s: trade %s of %lld is more than the %lld left; %lld taken", o->in.id, t->number,
			(long long)t->qty, (long long)left, (long long)left);
	if (o->state == ALGO_EXEC_NEW) {
		int rc = report(v, ex, o, ALGO_EXEC_WORKING, NULL, err, errlen);
		if (rc)
			return rc;
	}
	if (v->cfg.costs && charges(v, o, &f, err, errlen))
		return ALGO_EX_FAIL;
	v->changed = 1;
	SHOWN(o) = 1;
	return algo_executor_fill(ex, o, &f, err, errlen);
}

/* The strategy holding symbol in product for our user, or "external". */
static const char *holder(struct algo_executor *ex, const char *user, const char *symbol, int product)
{
	for (size_t i = 0; i < algo_executor_npos(ex); i++) {
		const struct algo_exec_pos *p = algo_executor_pos_at(ex, i);
		if (p->p.qty && p->product == product && strcmp(p->user, user) == 0 && strcmp(p->symbol, symbol) == 0)
			return p->strategy;
	}
	return "external";
}

static int external_trade(struct algo_fyers_venue *v, struct algo_executor *ex,
	const struct algo_fyers_trade *t, char *err, size_t errlen)
{
	struct algo_order_in in;
	struct algo_exec_order *o;
	int product = algo_fyers_product(t->product);
	int rc;
	memset(&in, 0, sizeof in);
	snprintf(in.id, sizeof in.id, "X%.29s", t->number);
	for (char *p = in.id; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')))
			*p = '0';
	snprintf(in.user, sizeof in.user, "%s", v->user);
	snprintf(in.symbol, sizeof in.symbol, "%s", t->symbol);
	in.product = product < 0 ? ALGO_PROD_INTRADAY : product;
	snprintf(in.strategy, sizeof in.strategy, "%s", holder(ex, v->user, t->symbol, in.product));
	in.side = t->side;
	in.kind = ALGO_KIND_MARKET;
	in.qty = t->qty;
	in.ts = t->ts ? t->ts : algo_clock_ms();
	if (!(o = algo_executor_adopt(ex, &in, ALGO_LEG_SQUAREOFF)))
		return FAIL(err, errlen, "out of memory");
	o->no_legs = 1;
	snprintf(o->venue.ref, sizeof o->venue.ref, "%s", t->order);
	PHASE(o) = PLACED;
	v->external++;
	note(v, "trade %s of %s (%s %lld at FYERS order %s) was not placed by algo-exec-fyers: reported as an "
		"external fill of strategy %s", t->number, t->symbol, t->side == ALGO_BUY ? "buy" : "sell",
		(long long)t->qty, t->order, in.strategy);
	if ((rc = report(v, ex, o, ALGO_EXEC_WORKING, "external: not placed by algo-exec-fyers", err, errlen)))
		return rc;
	return fill_of(v, ex, o, t, "external", ALGO_EXEC_EXTERNAL, err, errlen);
}

/* Every trade of the trade book not taken before. */
static int take_trades(struct algo_fyers_venue *v, struct algo_executor *ex, const json_t *list,
	char *err, size_t errlen)
{
	struct algo_fyers_trade t;
	const json_t *row;
	size_t i;
	json_array_foreach(list, i, row) {
		struct algo_exec_order *o;
		int seen, ours, rc = 0;
		if (algo_fyers_trade_get(row, &t, err, errlen)) {
			note(v, "trade book row %zu: %s; skipped", i + 1, err);
			continue;
		}
		if ((seen = algo_idreg_seen(&v->trades, v->user, t.number, err, errlen)) < 0)
			return ALGO_EX_IOERR;
		if (seen)
			continue;
		if ((o = order_of_trade(ex, &t)))
			rc = fill_of(v, ex, o, &t, NULL, 0, err, errlen);
		else if ((ours = algo_idreg_seen(&v->placed, v->user, t.order, err, errlen)) < 0)
			return ALGO_EX_IOERR;
		else if (ours)
			note(v, "trade %s of FYERS order %s, an order of ours already final: not a fill", t.number, t.order);
		else
			rc = external_trade(v, ex, &t, err, errlen);
		if (rc)
			return rc;
		if (algo_idreg_add(&v->trades, v->user, t.number, algo_clock_ms(), err, errlen))
			return ALGO_EX_IOERR;
	}
	return 0;
}

/* The order book's word on a placed order o. */
static int follow_status(struct algo_fyers_venue *v, struct algo_executor *ex, struct algo_exec_order *o,
	const struct algo_fyers_orow *row, char *err, size_t errlen)
{
	struct algo_fyers_cancel *c;
	char reason[300];
	int rc;
	SHOWN(o) = 1;
	if (row->status == ALGO_FY_PENDING || row->status == ALGO_FY_TRADED)
		return o->state == ALGO_EXEC_NEW ? report(v, ex, o, ALGO_EXEC_WORKING, NULL, err, errlen) : 0;
	if (row->status == ALGO_FY_REJECTED) {
		snprintf(reason, sizeof reason, "%s", row->message[0] ? row->message : "rejected by FYERS");
		if (o->state == ALGO_EXEC_NEW)
			return report(v, ex, o, ALGO_EXEC_REJECTED, reason, err, errlen);
		snprintf(reason, sizeof reason, "rejected by FYERS: %s", row->message[0] ? row->message : "no reason given");
		return report(v, ex, o, ALGO_EXEC_CANCELLED, reason, err, errlen);
	}
	if (row->status != ALGO_FY_CANCELLED && row->status != ALGO_FY_EXPIRED)
		return 0;
	if (o->filled < row->filled)
		return 0;                /* its trades are not all in the trade book yet */
	if (o->state == ALGO_EXEC_NEW && (rc = report(v, ex, o, ALGO_EXEC_WORKING, NULL, err, errlen)))
		return rc;
	if (row->status == ALGO_FY_EXPIRED)
		return report(v, ex, o, ALGO_EXEC_EXPIRED, row->message[0] ? row->message : NULL, err, errlen);
	c = pending_cancel(v, o->seq);
	snprintf(reason, sizeof reason, "%s", c ? c->reason : row->message[0] ? row->message : "cancelled at FYERS");
	forget_cancel(v, o->seq);
	return report(v, ex, o, ALGO_EXEC_CANCELLED, reason, err, errlen);
}

/* An order not resolved yet (an intent of an earlier run, or an unclear send): the
 * order book (already read) decides. */
static int follow_unresolved(struct algo_fyers_venue *v, struct algo_executor *ex,
	struct algo_exec_order *o, const json_t *list, char *err, size_t errlen)
{
	struct algo_fyers_orow row;
	char tag[ALGO_FYERS_TAG_MAX], reason[512];
	int rc;
	algo_fyers_tag(o->in.id, tag);
	if (find_row(list, tag, NULL, &row)) {
		note(v, "order %s: found in the order book as %s (tag %s)", o->in.id, row.id, tag);
		if ((rc = placed(v, o, row.id, err, errlen)))
			return rc;
		if (pending_cancel(v, o->seq)) {
			char why[96];
			snprintf(why, sizeof why, "%s", pending_cancel(v, o->seq)->reason);
			return on_cancel(v, ex, o, 0, why, err, errlen);
		}
		return 0;                /* its trades and status: the rest of the poll */
	}
	/* Not there: an intent never sent, or (after a few misses) a send that never
	 * arrived; the intent of an earlier run is sent now unless it went stale. */
	if (PHASE(o) == UNCLEAR && !o->restored && ++MISSES(o) < ATTEMPTS)
		return 0;
	note(v, "order %s: not in the order book: it never reached FYERS", o->in.id);
	PHASE(o) = INTENT;
	if (pending_cancel(v, o->seq)) {
		forget_cancel(v, o->seq);
		return report(v, ex, o, ALGO_EXEC_CANCELLED, "cancelled before it was placed", err, errlen);
	}
	if (o->leg == ALGO_LEG_NONE && v->cfg.max_age_ms && algo_clock_ms() - o->in.ts > v->cfg.max_age_ms)
		return report(v, ex, o, ALGO_EXEC_REJECTED, "stale", err, errlen);
	if (session_expired(v))
		return report(v, ex, o, ALGO_EXEC_REJECTED, "token expired", err, errlen);
	if ((rc = kill_refuses(v, o, reason, sizeof reason, err, errlen)) != 0)
		return rc < 0 ? ALGO_EX_IOERR : report(v, ex, o, ALGO_EXEC_REJECTED, reason, err, errlen);
	if (TRIES(o) >= ATTEMPTS)
		return report(v, ex, o, ALGO_EXEC_REJECTED, "not placed: FYERS did not confirm it and it is "
			"not in the order book", err, errlen);
	return send_order(v, ex, o, err, errlen);
}

/* Whether anything is followed (an order not final). */
static int following(const struct algo_executor *ex)
{
	return algo_executor_working(ex) > 0;
}

/* One poll of the books: orders not resolved yet first (their trades are theirs, not
 * external), then the trades, then the statuses. */
static int poll_books(struct algo_fyers_venue *v, struct algo_executor *ex, char *err, size_t errlen)
{
	struct books b;
	int rc = 0;
	v->last_poll = algo_clock_ms();
	if (!v->cfg.live || !v->f || v->token_expired)
		return 0;
	if (read_books(v, &b, 1))
		return 0;
	for (size_t i = 0; !rc && i < algo_executor_count(ex); i++) {
		struct algo_exec_order *o = algo_executor_at(ex, i);
		if (!algo_exec_final(o) && !o->venue.ref[0])
			rc = follow_unresolved(v, ex, o, b.orow, err, errlen);
	}
	if (!rc)
		rc = take_trades(v, ex, b.trow, err, errlen);
	for (size_t i = 0; !rc && i < algo_executor_count(ex); i++) {
		struct algo_exec_order *o = algo_executor_at(ex, i);
		struct algo_fyers_orow row;
		if (!algo_exec_final(o) && o->venue.ref[0] && find_row(b.orow, NULL, o->venue.ref, &row))
			rc = follow_status(v, ex, o, &row, err, errlen);
	}
	books_free(&b);
	if (!rc && v->changed)
		rc = commit(v, err, errlen);
	for (size_t i = 0; !rc && i < algo_executor_count(ex); i++)
		if (algo_executor_at(ex, i)->state == ALGO_EXEC_PARTIAL)
			crash_point("following");
	return rc;
}

static int poll_if_due(struct algo_fyers_venue *v, struct algo_executor *ex, char *err, size_t errlen)
{
	if (!following(ex) || algo_clock_ms() - v->last_poll < v->cfg.poll_ms)
		return 0;
	return poll_books(v, ex, err, errlen);
}

/* ---- the order-update socket: the fast path ---------------------------------------- */

struct socket_round {
	struct algo_fyers_venue *v;
	struct algo_executor *ex;
};

static struct algo_exec_order *order_by_ref(struct algo_executor *ex, const char *ref)
{
	for (size_t i = 0; i < algo_executor_count(ex); i++) {
		struct algo_exec_order *o = algo_executor_at(ex, i);
		if (!algo_exec_final(o) && o->venue.ref[0] && strcmp(o->venue.ref, ref) == 0)
			return o;
	}
	return NULL;
}

/* A trade of an order we follow is a fill now, once; anything else waits for the books. */
static int socket_trade(struct algo_fyers_venue *v, struct algo_executor *ex, const struct algo_fyers_trade *t,
	char *err, size_t errlen)
{
	struct algo_exec_order *o;
	int seen, rc;
	if ((seen = algo_idreg_seen(&v->trades, v->user, t->number, err, errlen)) < 0)
		return ALGO_EX_IOERR;
	if (seen || !(o = order_of_trade(ex, t)))
		return 0;
	if ((rc = fill_of(v, ex, o, t, NULL, 0, err, errlen)))
		return rc;
	v->socket_fills++;
	return algo_idreg_add(&v->trades, v->user, t->number, algo_clock_ms(), err, errlen) ? ALGO_EX_IOERR : 0;
}

static int on_update(void *arg, const struct algo_fyers_update *u, char *err, size_t errlen)
{
	struct socket_round *r = arg;
	struct algo_exec_order *o;
	if (u->kind == ALGO_FYERS_UPD_TRADE)
		return socket_trade(r->v, r->ex, &u->trade, err, errlen);
	if (!(o = order_by_ref(r->ex, u->order.id)))
		return 0;
	return follow_status(r->v, r->ex, o, &u->order, err, errlen);
}

/* What the socket brought, committed like a poll's findings. */
static int take_socket(struct algo_fyers_venue *v, struct algo_executor *ex, char *err, size_t errlen)
{
	struct socket_round r = { v, ex };
	int rc;
	if (!v->ows || !v->cfg.live || v->token_expired)
		return 0;
	rc = algo_fyers_orderws_service(v->ows, algo_clock_ms(), on_update, &r, err, errlen);
	if (!rc && v->changed)
		rc = commit(v, err, errlen);
	return rc;
}

/* Waits up to ms for the socket (or just sleeps without one), then takes what came. */
static int wait_socket(struct algo_fyers_venue *v, struct algo_executor *ex, int64_t ms, char *err, size_t errlen)
{
	struct pollfd p = { .fd = v->ows ? algo_fyers_orderws_fd(v->ows) : -1, .events = POLLIN };
	if (p.fd < 0) {
		algo_sleep_ms(ms);
		return 0;
	}
	poll(&p, 1, (int)(ms < 1000 ? ms : 1000));  /* at least every second: pings, reconnects */
	return take_socket(v, ex, err, errlen);
}

static int on_market(void *arg, struct algo_executor *ex, int sym, const struct algo_exec_market *m,
	char *err, size_t errlen)
{
	int rc;
	(void)sym;
	(void)m;
	if ((rc = take_socket(arg, ex, err, errlen)))
		return rc;
	return poll_if_due(arg, ex, err, errlen);
}

static int on_idle(void *arg, struct algo_executor *ex, char *err, size_t errlen)
{
	int rc;
	if ((rc = take_socket(arg, ex, err, errlen)))
		return rc;
	return poll_if_due(arg, ex, err, errlen);
}

/* ---- positions ------------------------------------------------------------------------- */

/* Our net quantity of (symbol, product) for the user. */
static int64_t our_qty(struct algo_executor *ex, const char *user, const char *symbol, int product)
{
	int64_t q = 0;
	for (size_t i = 0; i < algo_executor_npos(ex); i++) {
		const struct algo_exec_pos *p = algo_executor_pos_at(ex, i);
		if (p->product == product && strcmp(p->user, user) == 0 && strcmp(p->symbol, symbol) == 0)
			q += p->p.qty;
	}
	return q;
}

/* Halts every strategy holding (symbol, product): a position mismatch. */
static void halt_holders(struct algo_fyers_venue *v, struct algo_executor *ex, const char *symbol,
	int product, const char *why)
{
	char err[512];
	int n = 0;
	for (size_t i = 0; i < algo_executor_npos(ex); i++) {
		const struct algo_exec_pos *p = algo_executor_pos_at(ex, i);
		if (!p->p.qty || p->product != product || strcmp(p->user, v->user) || strcmp(p->symbol, symbol))
			continue;
		n++;
		if (!v->store)
			continue;
		if (algo_risk_set_state(v->store, ALGO_RISK_SCOPE_STRATEGY, p->strategy, ALGO_RISK_HALTED, why,
		    "algo-exec-fyers", algo_clock_ms(), err, sizeof err))
			note(v, "cannot trip the kill switch of strategy %s: %s", p->strategy, err);
		else
			note(v, "kill switch: strategy %s halted (%s)", p->strategy, why);
	}
	if (!n)
		note(v, "no strategy of ours holds %s: nothing halted; check the account", symbol);
}

/* One row of netPositions against ours. */
static void check_row(struct algo_fyers_venue *v, struct algo_executor *ex, const json_t *row,
	int64_t *seen_ok)
{
	const json_t *sym = json_object_get(row, "symbol"), *prod = json_object_get(row, "productType");
	const json_t *net = json_object_get(row, "netQty");
	int product;
	int64_t ours, theirs;
	char why[256];
	if (!json_is_string(sym) || !json_is_string(prod) || !json_is_integer(net) ||
	    (product = algo_fyers_product(json_string_value(prod))) < 0)
		return;
	if (product == ALGO_PROD_DELIVERY)
		return;                  /* delivery moves to holdings overnight: not comparable */
	theirs = json_integer_value(net);
	ours = our_qty(ex, v->user, json_string_value(sym), product);
	(*seen_ok)++;
	if (ours == theirs)
		return;
	v->mismatches++;
	snprintf(why, sizeof why, "position mismatch with FYERS: %s %s ours %lld, FYERS %lld",
		json_string_value(sym), json_string_value(prod), (long long)ours, (long long)theirs);
	note(v, "WARNING: %s", why);
	halt_holders(v, ex, json_string_value(sym), product, why);
}

/* Our open positions FYERS does not list. */
static void check_missing(struct algo_fyers_venue *v, struct algo_executor *ex, const json_t *list)
{
	static const char *const names[] = { "INTRADAY", "CNC", "MARGIN" };
	for (size_t i = 0; i < algo_executor_npos(ex); i++) {
		const struct algo_exec_pos *p = algo_executor_pos_at(ex, i);
		const json_t *row;
		size_t k;
		int listed = 0;
		char why[256];
		if (!p->p.qty || strcmp(p->user, v->user) || p->product == ALGO_PROD_DELIVERY)
			continue;
		json_array_foreach(list, k, row) {
			const json_t *s = json_object_get(row, "symbol"), *pr = json_object_get(row, "productType");
			if (json_is_string(s) && json_is_string(pr) && strcmp(json_string_value(s), p->symbol) == 0 &&
			    algo_fyers_product(json_string_value(pr)) == p->product)
				listed = 1;
		}
		if (listed)
			continue;
		v->mismatches++;
		snprintf(why, sizeof why, "position mismatch with FYERS: %s %s ours %lld, FYERS none", p->symbol,
			names[p->product], (long long)our_qty(ex, v->user, p->symbol, p->product));
		note(v, "WARNING: %s", why);
		halt_holders(v, ex, p->symbol, p->product, why);
	}
}

static void check_positions(struct algo_fyers_venue *v, struct algo_executor *ex)
{
	struct algo_fyers_reply r;
	const json_t *list, *row;
	char err[1024];
	size_t i;
	int64_t n = 0;
	if (!v->cfg.live || !v->f || v->token_expired)
		return;
	if (call(v, "GET", "/positions", NULL, ALGO_FYERS_PRIO, &r, err, sizeof err) != ALGO_FYERS_OK) {
		if (!v->token_expired)
			note(v, "positions not checked: %s", err);
		algo_fyers_reply_free(&r);
		return;
	}
	if (!json_is_array(list = json_object_get(r.root, "netPositions"))) {
		note(v, "positions not checked: FYERS sent no netPositions");
		algo_fyers_reply_free(&r);
		return;
	}
	json_array_foreach(list, i, row)
		check_row(v, ex, row, &n);
	check_missing(v, ex, list);
	algo_fyers_reply_free(&r);
}

/* ---- start and end --------------------------------------------------------------------- */

int algo_fyers_venue_start(struct algo_fyers_venue *v, struct algo_executor *ex, char *err,
	size_t errlen)
{
	size_t n = algo_executor_working(ex);
	int rc;
	if (!v->cfg.live)
		return 0;
	if (n)
		note(v, "reconciling %zu order%s of the last run with FYERS", n, n == 1 ? "" : "s");
	if ((rc = poll_books(v, ex, err, errlen)))
		return rc;
	check_positions(v, ex);
	return 0;
}

static int on_end(void *arg, struct algo_executor *ex, int why, char *err, size_t errlen)
{
	struct algo_fyers_venue *v = arg;
	int64_t until = algo_clock_ms() + v->cfg.drain_ms;
	size_t n;
	int rc;
	(void)why;
	while (v->cfg.live && following(ex) && !v->token_expired && !algo_stage_stopping() &&
	       algo_clock_ms() < until) {
		int64_t wait = v->last_poll + v->cfg.poll_ms - algo_clock_ms();
		if (wait > 0) {
			if ((rc = wait_socket(v, ex, wait < until - algo_clock_ms() ? wait : until - algo_clock_ms(),
			    err, errlen)))
				return rc;
			continue;        /* the socket may have finished the orders */
		}
		if ((rc = poll_books(v, ex, err, errlen)))
			return rc;
	}
	if ((n = algo_executor_working(ex)) && v->cfg.live)
		note(v, "%zu order%s still working at FYERS after the drain time-out: the next run follows them",
			n, n == 1 ? "" : "s");
	check_positions(v, ex);
	if (v->token_expired) {
		snprintf(err, errlen, "the FYERS session expired during the run: orders after it were rejected "
			"('token expired'); run 'algo-exec-fyers login' and the next run reconciles");
		return ALGO_EX_NOPERM;
	}
	return 0;
}

/* ---- state ----------------------------------------------------------------------------- */

static void on_save(void *arg, struct algo_pack *p)
{
	const struct algo_fyers_venue *v = arg;
	algo_pack_i64(p, (int64_t)v->ncancel);
	for (size_t i = 0; i < v->ncancel; i++) {
		algo_pack_i64(p, v->cancels[i].seq);
		algo_pack_str(p, v->cancels[i].reason);
	}
}

static int on_load(void *arg, struct algo_unpack *u, char *err, size_t errlen)
{
	struct algo_fyers_venue *v = arg;
	int64_t n = algo_unpack_range(u, 0, 1 << 20);
	for (int64_t i = 0; i < n && !u->bad; i++) {
		struct algo_exec_order o;
		char reason[96];
		memset(&o, 0, sizeof o);
		o.seq = algo_unpack_i64(u);
		algo_unpack_str(u, reason, sizeof reason);
		if (!u->bad && remember_cancel(v, &o, reason)) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	if (!algo_unpack_done(u)) {
		snprintf(err, errlen, "damaged (the FYERS venue's part)");
		return -1;
	}
	return 0;
}

const struct algo_exec_venue algo_fyers_venue = {
	.name = "fyers",
	.place = on_place,
	.cancel = on_cancel,
	.modify = on_modify,
	.market = on_market,
	.idle = on_idle,
	.end = on_end,
	.save = on_save,
	.load = on_load,
};
