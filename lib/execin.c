/* execin — the executor's input: decoding and checking the events it consumes (bar,
 * tick, order, cancel, modify, sync) and handing them to the seam and the venue. See
 * executor.h for the contract. */
#include "executor_impl.h"
#include "cli.h"
#include "replay.h"
#include "timeutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OOM(e, n) (snprintf(e, n, "out of memory"), ALGO_EX_FAIL)

static const char id_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/* The order id of ev: 1 to 30 letters or digits. */
static int get_id(const struct algo_event *ev, char *id, char *err, size_t errlen)
{
	char buf[ALGO_NAME_MAX];
	size_t n;
	if (algo_event_str(ev, "id", 1, buf, sizeof buf, err, errlen) < 0) {
		if (algo_event_get(ev, "id") && algo_event_get(ev, "id")->type == ALGO_J_STRING)
			snprintf(err, errlen, "field 'id': must be 1 to 30 letters or digits");
		return -1;
	}
	n = strspn(buf, id_chars);
	if (buf[n] || n == 0 || n >= ALGO_EXEC_ID_MAX) {
		snprintf(err, errlen, "field 'id': must be 1 to 30 letters or digits");
		return -1;
	}
	memcpy(id, buf, n + 1);
	return 0;
}

/* The time record of (symbol, tf) in t, after checking that ts is after (strict) or
 * not before the last time there; a new record gets the symbol's index. NULL with err
 * set on bad input (-1 in *rc) or out of memory (ALGO_EX_FAIL in *rc). */
static struct algo_exec_last *check_time(struct algo_executor *ex, struct algo_book_tab *t,
	const char *symbol, const char *tf, int64_t ts, int strict, int *rc, char *err, size_t errlen)
{
	char key[2 * ALGO_NAME_MAX];
	size_t kn = algo_book_key(key, sizeof key, symbol, tf, NULL);
	struct algo_exec_last *lt = kn ? algo_book_tab_get(t, key, kn, 1) : NULL;
	if (!lt || (!lt->seen && (lt->sym = algo_executor_symbol(ex, symbol)) < 0)) {
		*rc = OOM(err, errlen);
		return NULL;
	}
	if (lt->seen && (strict ? ts <= lt->ts : ts < lt->ts)) {
		algo_event_ts_order_err(err, errlen, strict ? "is not after the previous bar" : "goes back before",
			ts, lt->ts, symbol, tf);
		*rc = -1;
		return NULL;
	}
	lt->ts = ts;
	lt->seen = 1;
	return lt;
}

static int market(struct algo_executor *ex, int sym, const struct algo_exec_market *m, char *err,
	size_t errlen)
{
	if (!ex->venue->market)
		return 0;
	return ex->venue->market(ex->varg, ex, sym, m, err, errlen);
}

static int on_bar(struct algo_executor *ex, const struct algo_event *ev, char *err, size_t errlen)
{
	struct algo_bar bar;
	struct algo_exec_market m;
	struct algo_exec_last *last = ex->last_bar;
	int rc = 0;

	if (algo_bar_decode(ev, &bar, err, errlen))
		return -1;
	/* Bars of one symbol and timeframe usually follow each other: skip the lookup. */
	if (last && strcmp(bar.symbol, ex->last_sym) == 0 && strcmp(bar.tf, ex->last_tf) == 0 &&
	    bar.ts > last->ts) {
		last->ts = bar.ts;
	} else {
		if (!(last = check_time(ex, &ex->bars, bar.symbol, bar.tf, bar.ts, 1, &rc, err, errlen)))
			return rc;
		ex->last_bar = last;
		memcpy(ex->last_sym, bar.symbol, sizeof ex->last_sym);
		memcpy(ex->last_tf, bar.tf, sizeof ex->last_tf);
	}
	algo_out_line(&algo_stdout, ev->line, ev->len);
	memset(&m, 0, sizeof m);
	m.ts = bar.ts;
	m.o = bar.o; m.h = bar.h; m.l = bar.l; m.c = bar.c; m.v = bar.v;
	return market(ex, last->sym, &m, err, errlen);
}

static int on_tick(struct algo_executor *ex, const struct algo_event *ev, char *err, size_t errlen)
{
	struct algo_exec_market m;
	struct algo_exec_last *last;
	char symbol[ALGO_NAME_MAX];
	int64_t v = -1;
	int rc = 0;

	memset(&m, 0, sizeof m);
	if (algo_event_time(ev, "ts", 1, &m.ts, err, errlen) < 0 ||
	    algo_event_name(ev, "symbol", 1, symbol, sizeof symbol, err, errlen) < 0 ||
	    algo_event_price(ev, "ltp", 1, &m.c, err, errlen) < 0 ||
	    algo_event_price(ev, "bid", 0, &m.bid, err, errlen) < 0 ||
	    algo_event_price(ev, "ask", 0, &m.ask, err, errlen) < 0 ||
	    algo_event_int(ev, "v", 0, &v, err, errlen) < 0)
		return -1;
	if (m.bid && m.ask && m.bid > m.ask) {
		snprintf(err, errlen, "field 'bid': above 'ask'");
		return -1;
	}
	if (algo_event_get(ev, "v") && v < 0) {
		snprintf(err, errlen, "field 'v': must not be negative");
		return -1;
	}
	if (!(last = check_time(ex, &ex->bars, symbol, "tick", m.ts, 0, &rc, err, errlen)))
		return rc;
	algo_out_line(&algo_stdout, ev->line, ev->len);
	m.tick = 1;
	m.o = m.h = m.l = m.c;
	m.v = -1;
	return market(ex, last->sym, &m, err, errlen);
}

/* Decodes an order event into o. Returns 0 or -1 (bad input, err set). */
static int decode_order(const struct algo_event *ev, struct algo_order_in *o, char *err, size_t errlen)
{
	static const char *const sides[] = { "buy", "sell", NULL };
	static const char *const kinds[] = { "market", "limit", "stop", "stop_limit", NULL };
	static const char *const validities[] = { "day", "ioc", NULL };
	static const char *const products[] = { "intraday", "delivery", "margin", NULL };
	const struct algo_jfield *ro;
	int side, rc;

	memset(o, 0, sizeof *o);
	if (algo_event_time(ev, "ts", 1, &o->ts, err, errlen) < 0 || get_id(ev, o->id, err, errlen))
		return -1;
	if (algo_event_name(ev, "strategy", 1, o->strategy, sizeof o->strategy, err, errlen) < 0 ||
	    algo_event_name(ev, "symbol", 1, o->symbol, sizeof o->symbol, err, errlen) < 0 ||
	    (side = algo_event_word(ev, "side", sides, "\"buy\" or \"sell\"", -1, err, errlen)) < 0 ||
	    algo_event_qty(ev, "qty", 1, &o->qty, err, errlen) < 0 ||
	    (o->kind = algo_event_word(ev, "kind", kinds, "market, limit, stop or stop_limit", -1, err, errlen)) < 0 ||
	    (o->validity = algo_event_word(ev, "validity", validities, "day or ioc", 0, err, errlen)) < 0 ||
	    (o->product = algo_event_word(ev, "product", products, "intraday, delivery or margin", 0, err, errlen)) < 0 ||
	    algo_event_price(ev, "limit", o->kind == ALGO_KIND_LIMIT || o->kind == ALGO_KIND_STOP_LIMIT,
		&o->limit, err, errlen) < 0 ||
	    algo_event_price(ev, "stop", o->kind == ALGO_KIND_STOP || o->kind == ALGO_KIND_STOP_LIMIT,
		&o->stop, err, errlen) < 0 ||
	    algo_event_price(ev, "sl", 0, &o->sl, err, errlen) < 0 ||
	    algo_event_price(ev, "tp", 0, &o->tp, err, errlen) < 0 ||
	    algo_event_price(ev, "trail", 0, &o->trail, err, errlen) < 0 ||
	    (rc = algo_event_name(ev, "user", 0, o->user, sizeof o->user, err, errlen)) < 0)
		return -1;
	if (rc == 0)
		snprintf(o->user, sizeof o->user, "default");
	ro = algo_event_get(ev, "reduce_only");
	if (ro && ro->type != ALGO_J_TRUE && ro->type != ALGO_J_FALSE) {
		snprintf(err, errlen, "field 'reduce_only': must be true or false");
		return -1;
	}
	o->reduce_only = ro && ro->type == ALGO_J_TRUE;
	o->side = side == 0 ? ALGO_BUY : ALGO_SELL;
	if (o->sl && o->tp && (o->side == ALGO_BUY ? o->sl >= o->tp : o->sl <= o->tp)) {
		snprintf(err, errlen, "field 'sl': must be %s 'tp' for a %s", o->side == ALGO_BUY ?
			"below" : "above", sides[side]);
		return -1;
	}
	return 0;
}

/* Whether line made the order (user, id) restored from the state, live or not. */
static int restored_line(struct algo_executor *ex, const struct algo_order_in *in, uint64_t line)
{
	char k[2 * ALGO_NAME_MAX + 2];
	size_t kn = algo_book_key(k, sizeof k, in->user, in->id, NULL);
	const uint64_t *h = kn ? algo_book_tab_get(&ex->relines, k, kn, 0) : NULL;
	return h && *h == line;
}

/* A new order from upstream: the client id check, then the venue. */
static int new_order(struct algo_executor *ex, const struct algo_order_in *in, uint64_t line,
	char *err, size_t errlen)
{
	struct algo_exec_order o, *live, *p;
	int seen = 0;

	memset(&o, 0, sizeof o);
	o.in = *in;
	o.day = algo_time_ist_day(in->ts);
	o.seq = ++ex->seq;
	o.line = line;
	if ((o.sym = algo_executor_symbol(ex, in->symbol)) < 0 || !algo_executor_pos(ex, in, 1))
		return OOM(err, errlen);
	live = algo_executor_find(ex, in->user, in->id);
	if ((live && live->restored && live->line == line) || restored_line(ex, in, line))
		return 0;       /* the line that made it, read again after a restart */
	if (live || (seen = algo_idreg_seen(&ex->ids, in->user, in->id, err, errlen)) == 1) {
		algo_exec_reject(ex, &o, in->ts, "duplicate order id");
		return 0;
	}
	if (seen < 0)
		return ALGO_EX_IOERR;
	if (algo_idreg_add(&ex->ids, in->user, in->id, in->ts, err, errlen))
		return ALGO_EX_IOERR;
	if (!(p = algo_exec_add(ex, &o)))
		return OOM(err, errlen);
	return ex->venue->place(ex->varg, ex, p, in->ts, err, errlen);
}

static int on_order(struct algo_executor *ex, const struct algo_event *ev, char *err, size_t errlen)
{
	struct algo_order_in o;
	int rc = 0;
	if (decode_order(ev, &o, err, errlen))
		return -1;
	if (!check_time(ex, &ex->ords, o.symbol, "", o.ts, 0, &rc, err, errlen))
		return rc;
	algo_out_line(&algo_stdout, ev->line, ev->len);
	return new_order(ex, &o, algo_replay_hash(ev->line, ev->len), err, errlen);
}

/* Whether a modify of o (qty, limit, stop; 0 = unchanged) applies; else why not. */
static int modify_applies(const struct algo_exec_order *o, int64_t qty, int64_t limit, int64_t stop,
	char *why, size_t whylen)
{
	int k = o->in.kind;
	if (qty && qty <= o->filled)
		snprintf(why, whylen, "qty %lld is not above the %lld already filled", (long long)qty,
			(long long)o->filled);
	else if (limit && k != ALGO_KIND_LIMIT && k != ALGO_KIND_STOP_LIMIT)
		snprintf(why, whylen, "order %s has no limit price", o->in.id);
	else if (stop && k != ALGO_KIND_STOP && k != ALGO_KIND_STOP_LIMIT)
		snprintf(why, whylen, "order %s has no stop price", o->in.id);
	else
		return 1;
	return 0;
}

/* cancel {"type":"cancel","ts","id","user"?} and modify {…,"qty"?,"limit"?,"stop"?}. */
static int on_cancel_modify(struct algo_executor *ex, const struct algo_event *ev, int modify,
	char *err, size_t errlen)
{
	char id[ALGO_EXEC_ID_MAX], user[ALGO_NAME_MAX], why[ALGO_ERR_MAX];
	int64_t ts, qty = 0, limit = 0, stop = 0;
	struct algo_exec_order *o;
	int rc;

	if (algo_event_time(ev, "ts", 1, &ts, err, errlen) < 0 || get_id(ev, id, err, errlen) ||
	    (rc = algo_event_name(ev, "user", 0, user, sizeof user, err, errlen)) < 0)
		return -1;
	if (rc == 0)
		snprintf(user, sizeof user, "default");
	if (modify && (algo_event_qty(ev, "qty", 0, &qty, err, errlen) < 0 ||
	    algo_event_price(ev, "limit", 0, &limit, err, errlen) < 0 ||
	    algo_event_price(ev, "stop", 0, &stop, err, errlen) < 0))
		return -1;
	if (modify && !qty && !limit && !stop) {
		snprintf(err, errlen, "modify: needs one of 'qty', 'limit', 'stop'");
		return -1;
	}
	algo_out_line(&algo_stdout, ev->line, ev->len);
	if (!(o = algo_executor_find(ex, user, id))) {
		algo_exec_note(ex, "%s %s: no working order with that id", modify ? "modify" : "cancel", id);
		return 0;
	}
	if (!modify)
		return ex->venue->cancel(ex->varg, ex, o, ts, "cancelled by request", err, errlen);
	if (!ex->venue->modify)
		snprintf(why, sizeof why, "the %s venue does not modify orders", ex->venue->name);
	else if (modify_applies(o, qty, limit, stop, why, sizeof why))
		return ex->venue->modify(ex->varg, ex, o, ts, qty, limit, stop, err, errlen);
	algo_exec_note(ex, "modify %s: %s; order unchanged", id, why);
	return 0;
}

/* {"type":"sync","id":N,"fifo":PATH} from algo-risk --barrier: answer on the FIFO with
 * the fills and final statuses since the last sync, the orders still working and the
 * open positions. The sync is not passed on: it is a private handshake between risk
 * and the executor. */
static int on_sync(struct algo_executor *ex, const struct algo_event *ev, char *err, size_t errlen)
{
	char path[4096], epoch[32];
	struct algo_fillchan_cursor cur = { NULL, 0, -1 };
	int64_t id, ts, nopen = 0;
	struct algo_fillchan_work *w = NULL;
	struct algo_fillchan_pos *ps = NULL;
	size_t nw = 0, np = 0, npos = algo_executor_npos(ex);
	int rc;
	if (algo_event_time(ev, "ts", 1, &ts, err, errlen) < 0 ||
	    algo_event_int(ev, "id", 1, &id, err, errlen) < 0 ||
	    algo_event_str(ev, "fifo", 1, path, sizeof path, err, errlen) < 0 ||
	    (rc = algo_event_str(ev, "epoch", 0, epoch, sizeof epoch, err, errlen)) < 0)
		return -1;
	if (rc == 1 && (algo_event_int(ev, "from", 1, &cur.from, err, errlen) < 0 ||
	    algo_event_int(ev, "saved", 0, &cur.saved, err, errlen) < 0))
		return -1;
	if (rc == 1)
		cur.epoch = epoch;
	if ((ex->nord && !(w = calloc(ex->nord, sizeof *w))) || (npos && !(ps = calloc(npos, sizeof *ps)))) {
		free(w);
		return OOM(err, errlen);
	}
	for (size_t i = 0; i < ex->nord; i++) {
		const struct algo_exec_order *o = ex->ord[i];
		if (algo_exec_final(o))
			continue;
		w[nw++] = (struct algo_fillchan_work){ o->in.user, o->in.strategy, o->in.symbol, o->in.side,
			o->in.qty - o->filled, o->leg == ALGO_LEG_NONE && (o->in.sl || o->in.tp || o->in.trail) };
	}
	for (size_t i = 0; i < npos; i++) {
		const struct algo_exec_pos *p = algo_executor_pos_at(ex, i);
		if (p->p.qty && p->product == ALGO_PROD_INTRADAY)
			nopen++;
		if (p->p.qty)
			ps[np++] = (struct algo_fillchan_pos){ p->user, p->strategy, p->symbol, p->p.qty };
	}
	rc = algo_fillchan_ack(&ex->chan, path, ts, id, &cur, ex->square_off, nopen, w, nw, ps, np, err, errlen);
	free(w);
	free(ps);
	return rc ? ALGO_EX_FAIL : 0;
}

static int is_type(const struct algo_jfield *t, const char *name)
{
	size_t n = strlen(name);
	return t && t->vlen == n && memcmp(t->val, name, n) == 0;
}

static int dispatch(struct algo_executor *ex, const struct algo_event *ev, char *err, size_t errlen)
{
	const struct algo_jfield *t;
	switch (ev->type) {
	case ALGO_EV_BAR: return on_bar(ex, ev, err, errlen);
	case ALGO_EV_TICK: return on_tick(ex, ev, err, errlen);
	case ALGO_EV_ORDER: return on_order(ex, ev, err, errlen);
	case ALGO_EV_SYNC: return on_sync(ex, ev, err, errlen);
	case ALGO_EV_OTHER:
		t = algo_event_get(ev, "type");
		if (is_type(t, "cancel") || is_type(t, "modify"))
			return on_cancel_modify(ex, ev, is_type(t, "modify"), err, errlen);
		break;
	}
	algo_out_line(&algo_stdout, ev->line, ev->len);
	return 0;
}

int algo_executor_event(void *arg, const struct algo_event *ev, char *err, size_t errlen)
{
	struct algo_executor *ex = arg;
	int rc = dispatch(ex, ev, err, errlen);
	algo_exec_sweep(ex);
	return rc;
}

int algo_executor_idle(void *arg, char *err, size_t errlen)
{
	struct algo_executor *ex = arg;
	int rc = ex->venue->idle ? ex->venue->idle(ex->varg, ex, err, errlen) : 0;
	algo_exec_sweep(ex);
	return rc;
}

int algo_executor_end(void *arg, int why, char *err, size_t errlen)
{
	struct algo_executor *ex = arg;
	int rc = ex->venue->end ? ex->venue->end(ex->varg, ex, why, err, errlen) : 0;
	algo_exec_sweep(ex);
	return rc;
}
