/* gatekeeper — algo-risk's stage. See gatekeeper.h for the contract. */
#include "gatekeeper.h"
#include "cli.h"
#include "pack.h"
#include "timeutil.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Last time seen per (symbol, tf) for bars, and per symbol for signals, plus the last
 * close per symbol (the book's price when a signal carries no ref). */
struct last_ts { int64_t ts; int seen; };
struct sym_state { int64_t signal_ts; int signal_seen; int64_t close; };
struct product_of { int index; };

static const char *const products[] = { "intraday", "delivery", "margin", NULL };
#define PRODUCT_UNNAMED 3             /* a signal without "product" */

int algo_gatekeeper_init(struct algo_gatekeeper *g, struct algo_risk_config *cfg,
	const char *user, const char *mode, const char *product, int barrier, long timeout_ms,
	char *err, size_t errlen)
{
	memset(g, 0, sizeof *g);
	algo_risk_init(&g->risk, cfg);
	g->risk.barrier = barrier;
	g->user = user;
	g->mode = mode;
	g->product = product;
	g->live = strcmp(mode, "live") == 0;
	algo_book_tab_init(&g->bars, sizeof(struct last_ts));
	algo_book_tab_init(&g->syms, sizeof(struct sym_state));
	algo_book_tab_init(&g->products, sizeof(struct product_of));
	if (algo_barrier_open(&g->barrier, &g->risk, barrier, timeout_ms, algo_stage_stopping,
	    err, errlen)) {
		algo_gatekeeper_free(g);
		return -1;
	}
	return 0;
}

void algo_gatekeeper_free(struct algo_gatekeeper *g)
{
	if (g->store && algo_stdout.before_write_arg == g)
		algo_stdout.before_write = NULL;
	algo_barrier_close(&g->barrier);
	algo_book_tab_free(&g->bars);
	algo_book_tab_free(&g->syms);
	algo_book_tab_free(&g->products);
	algo_risk_free(&g->risk);
	free(g->pending);
	g->pending = NULL;
	g->npending = g->cappending = 0;
}

/* An event with time ts has gone to the executor: its reports about it may be used. */
static void forwarded(struct algo_gatekeeper *g, int64_t ts)
{
	if (ts > g->risk.fwd_ts)
		g->risk.fwd_ts = ts;
}

/* Ends the run on an error that is not the input's fault (exit 1, the message as is). */
static int fatal(struct algo_gatekeeper *g, const char *err)
{
	return algo_stage_stop(g->stage, ALGO_EX_FAIL, err);
}

/* The outcome of a barrier call: 0 to go on, else the run ends — a broken pipeline is
 * not bad input. No executor: 69; the reader of our output gone: a quiet end, as on
 * EPIPE; a stop requested: the stage's signal exit. */
static int barrier_outcome(struct algo_gatekeeper *g, int rc, const char *err)
{
	if (rc == ALGO_BARRIER_OK)
		return 0;
	g->broken = 1;
	if (rc == ALGO_BARRIER_GONE || rc == ALGO_BARRIER_STOPPED)
		return algo_stage_stop(g->stage, ALGO_EX_OK, NULL);
	return algo_stage_stop(g->stage, rc == ALGO_BARRIER_TIMEOUT ? ALGO_EX_UNAVAILABLE : ALGO_EX_FAIL,
		err);
}

/* Keeps the engine's changes for emission after the current event. */
static int take_changes(struct algo_gatekeeper *g, char *err, size_t errlen)
{
	struct algo_risk *r = &g->risk;
	if (g->npending + r->nchanges > g->cappending) {
		size_t cap = (g->npending + r->nchanges) * 2;
		struct algo_risk_state *p = realloc(g->pending, cap * sizeof *p);
		if (!p) { snprintf(err, errlen, "out of memory"); return -1; }
		g->pending = p;
		g->cappending = cap;
	}
	for (size_t i = 0; i < r->nchanges; i++)
		g->pending[g->npending++] = r->changes[i];
	r->nchanges = 0;
	return 0;
}

static void write_kill_switch(struct algo_gatekeeper *g, const struct algo_risk_state *c, int64_t ts)
{
	struct algo_writer *w = &algo_stdout;
	g->decided = 1;
	algo_out_begin(w);
	algo_out_str(w, "type", "kill_switch");
	algo_out_time(w, "ts", ts);
	algo_out_str(w, "scope", algo_risk_scope_name(c->scope));
	if (c->scope == ALGO_RISK_SCOPE_STRATEGY) algo_out_str(w, "strategy", c->key);
	if (c->scope == ALGO_RISK_SCOPE_USER) algo_out_str(w, "user", c->key);
	algo_out_str(w, "state", algo_risk_state_name(c->state));
	algo_out_str(w, "reason", c->reason[0] ? c->reason :
		c->state == ALGO_RISK_ACTIVE ? "resumed" : "manual");
	algo_out_end(w);
}

/* The product of strategy's orders: what its signals named, else the stage's. */
static const char *product_of(struct algo_gatekeeper *g, const char *strategy)
{
	struct product_of *p = algo_book_tab_get(&g->products, strategy, strlen(strategy), 0);
	return p ? products[p->index] : g->product;
}

/* The head of an order event: everything up to the user. */
static void write_order_head(struct algo_gatekeeper *g, int64_t ts, const char *id,
	const char *strategy, const char *symbol, int side, int64_t qty, const char *user)
{
	struct algo_writer *w = &algo_stdout;
	g->decided = 1;
	algo_out_begin(w);
	algo_out_str(w, "type", "order");
	algo_out_time(w, "ts", ts);
	algo_out_str(w, "id", id);
	algo_out_str(w, "strategy", strategy);
	algo_out_str(w, "symbol", symbol);
	algo_out_str(w, "side", side > 0 ? "buy" : "sell");
	algo_out_int(w, "qty", qty);
	algo_out_str(w, "kind", "market");
	algo_out_str(w, "product", product_of(g, strategy));
	algo_out_str(w, "validity", "day");
	algo_out_str(w, "mode", g->mode);
	algo_out_str(w, "user", user);
}

/* Writes a kill_switch event per pending change, then, with on_kill square_off, the
 * closing orders of the positions it covers. */
static int emit_changes(struct algo_gatekeeper *g, int64_t ts, char *err, size_t errlen)
{
	for (size_t i = 0; i < g->npending; i++) {
		const struct algo_risk_state *c = &g->pending[i];
		struct algo_risk_close *cl = NULL;
		size_t n = 0;
		write_kill_switch(g, c, ts);
		if (!g->risk.cfg.square_off_on_kill)
			continue;
		if (algo_risk_square_off(&g->risk, c, ts, &cl, &n, err, errlen))
			return -1;
		for (size_t j = 0; j < n; j++) {
			algo_barrier_sent(&g->barrier);
			write_order_head(g, ts, cl[j].id, cl[j].strategy, cl[j].symbol, cl[j].side, cl[j].qty,
				cl[j].user);
			algo_out_bool(&algo_stdout, "reduce_only", 1);
			algo_out_end(&algo_stdout);
		}
		free(cl);
	}
	g->npending = 0;
	return 0;
}

/* A market event was forwarded: the barrier marks the book and checks PnL limits. */
static int market(struct algo_gatekeeper *g, const char *symbol, int64_t ts, int64_t px,
	int64_t lo, int64_t hi, char *err, size_t errlen)
{
	int tripped, rc = algo_barrier_market(&g->barrier, symbol, ts, px, lo, hi, &tripped, err, errlen);
	if (rc)
		return barrier_outcome(g, rc, err);
	return tripped && take_changes(g, err, errlen) ? -1 : 0;
}

static int on_tick(struct algo_gatekeeper *g, const struct algo_event *ev, char *err, size_t errlen)
{
	char symbol[ALGO_NAME_MAX];
	int64_t ts, ltp, bid = 0, ask = 0, lo, hi;
	if (algo_event_time(ev, "ts", 1, &ts, err, errlen) < 0 ||
	    algo_event_name(ev, "symbol", 1, symbol, sizeof symbol, err, errlen) < 0 ||
	    algo_event_price(ev, "ltp", 1, &ltp, err, errlen) < 0 ||
	    algo_event_price(ev, "bid", 0, &bid, err, errlen) < 0 ||
	    algo_event_price(ev, "ask", 0, &ask, err, errlen) < 0)
		return -1;
	algo_out_line(&algo_stdout, ev->line, ev->len);
	forwarded(g, ts);
	lo = hi = ltp;
	if (bid && bid < lo) lo = bid;
	if (ask && ask > hi) hi = ask;
	return market(g, symbol, ts, ltp, lo, hi, err, errlen);
}

static int on_bar(struct algo_gatekeeper *g, const struct algo_event *ev, char *err, size_t errlen)
{
	struct algo_bar bar;
	char key[2 * ALGO_NAME_MAX];
	size_t kn;
	struct last_ts *lt;
	struct sym_state *ss;

	if (algo_bar_decode(ev, &bar, err, errlen))
		return -1;
	kn = algo_book_key(key, sizeof key, bar.symbol, bar.tf, NULL);
	lt = kn ? algo_book_tab_get(&g->bars, key, kn, 1) : NULL;
	ss = algo_book_tab_get(&g->syms, bar.symbol, strlen(bar.symbol), 1);
	if (!lt || !ss) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (lt->seen && bar.ts <= lt->ts) {
		algo_event_ts_order_err(err, errlen, "is not after the previous bar", bar.ts, lt->ts, bar.symbol, bar.tf);
		return -1;
	}
	lt->ts = bar.ts;
	lt->seen = 1;
	ss->close = bar.c;
	algo_out_line(&algo_stdout, ev->line, ev->len);
	forwarded(g, bar.ts);
	return market(g, bar.symbol, bar.ts, bar.c, bar.l, bar.h, err, errlen);
}

/* A signal's fields beyond the engine's: the user, stop and target. */
struct signal_in {
	struct algo_risk_signal s;
	char strategy[ALGO_NAME_MAX], symbol[ALGO_NAME_MAX], user[ALGO_NAME_MAX];
	int side;                     /* index into sides */
	int product;                  /* index into products, or PRODUCT_UNNAMED */
	int64_t ref, sl, tp;
	int has_ref, has_sl, has_tp;
};

static const char *const sides[] = { "buy", "sell", NULL };

/* Decodes a signal; -1 with err naming the field. */
static int read_signal(const struct algo_gatekeeper *g, const struct algo_event *ev,
	struct signal_in *in, char *err, size_t errlen)
{
	static const char *const actions[] = { "entry", "exit", NULL };
	int action, rc;
	memset(in, 0, sizeof *in);
	if (algo_event_time(ev, "ts", 1, &in->s.ts, err, errlen) < 0 ||
	    algo_event_name(ev, "strategy", 1, in->strategy, ALGO_NAME_MAX, err, errlen) < 0 ||
	    algo_event_name(ev, "symbol", 1, in->symbol, ALGO_NAME_MAX, err, errlen) < 0 ||
	    (action = algo_event_word(ev, "action", actions, "\"entry\" or \"exit\"", -1, err, errlen)) < 0 ||
	    (in->side = algo_event_word(ev, "side", sides, "\"buy\" or \"sell\"", -1, err, errlen)) < 0 ||
	    algo_event_qty(ev, "qty", 1, &in->s.req.qty, err, errlen) < 0 ||
	    (in->has_ref = algo_event_price(ev, "ref", 0, &in->ref, err, errlen)) < 0 ||
	    (in->has_sl = algo_event_price(ev, "sl", 0, &in->sl, err, errlen)) < 0 ||
	    (in->has_tp = algo_event_price(ev, "tp", 0, &in->tp, err, errlen)) < 0 ||
	    (in->product = algo_event_word(ev, "product", products, "intraday, delivery or margin",
		PRODUCT_UNNAMED, err, errlen)) < 0 ||
	    (rc = algo_event_name(ev, "user", 0, in->user, ALGO_NAME_MAX, err, errlen)) < 0)
		return -1;
	if (rc == 0)
		snprintf(in->user, sizeof in->user, "%s", g->user);
	in->s.user = in->user;
	in->s.strategy = in->strategy;
	in->s.symbol = in->symbol;
	in->s.req.action = action == 0 ? ALGO_RISK_ENTRY : ALGO_RISK_EXIT;
	in->s.req.side = in->side == 0 ? ALGO_BUY : ALGO_SELL;
	in->s.live = g->live;
	in->s.legs = in->has_sl || in->has_tp;
	return 0;
}

static void write_block(struct algo_gatekeeper *g, const struct signal_in *in,
	const struct algo_risk_verdict *v)
{
	struct algo_writer *w = &algo_stdout;
	g->decided = 1;
	algo_out_begin(w);
	algo_out_str(w, "type", "risk_block");
	algo_out_time(w, "ts", in->s.ts);
	algo_out_str(w, "strategy", in->strategy);
	algo_out_str(w, "symbol", in->symbol);
	algo_out_str(w, "side", sides[in->side]);
	algo_out_int(w, "qty", in->s.req.qty);
	algo_out_str(w, "rule", v->rule);
	if (v->has_limit == 2) {
		algo_out_dec(w, "limit", v->limit);
		algo_out_dec(w, "value", v->value);
	} else {
		if (v->has_limit) algo_out_int(w, "limit", v->limit);
		algo_out_int(w, "value", v->value);
	}
	algo_out_str(w, "reason", v->reason);
	algo_out_str(w, "user", in->user);
	algo_out_end(w);
}

static void write_order(struct algo_gatekeeper *g, const struct signal_in *in,
	const struct algo_risk_verdict *v)
{
	write_order_head(g, in->s.ts, v->id, in->strategy, in->symbol, in->s.req.side, v->qty, in->user);
	if (in->has_sl) algo_out_dec(&algo_stdout, "sl", in->sl);
	if (in->has_tp) algo_out_dec(&algo_stdout, "tp", in->tp);
	if (in->s.req.action == ALGO_RISK_EXIT)
		algo_out_bool(&algo_stdout, "reduce_only", 1);
	algo_out_end(&algo_stdout);
}

/* A signal that names its product sets the product of its strategy's orders.
 * Returns 0, or -1 when out of memory. */
static int remember_product(struct algo_gatekeeper *g, const struct signal_in *in)
{
	struct product_of *p;
	if (in->product == PRODUCT_UNNAMED)
		return 0;
	if (!(p = algo_book_tab_get(&g->products, in->strategy, strlen(in->strategy), 1)))
		return -1;
	p->index = in->product;
	return 0;
}

static int on_signal(struct algo_gatekeeper *g, const struct algo_event *ev, char *err, size_t errlen)
{
	struct signal_in in;
	struct algo_risk_verdict v;
	struct sym_state *ss;
	int rc, early;

	if (read_signal(g, ev, &in, err, errlen))
		return -1;
	ss = algo_book_tab_get(&g->syms, in.symbol, strlen(in.symbol), 1);
	if (!ss || remember_product(g, &in)) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (ss->signal_seen && in.s.ts < ss->signal_ts) {
		algo_event_ts_order_err(err, errlen, "goes back before", in.s.ts, ss->signal_ts, in.symbol, "");
		return -1;
	}
	in.s.price = in.has_ref ? in.ref : ss->close;
	if ((rc = barrier_outcome(g, algo_barrier_before_decision(&g->barrier, err, errlen), err)))
		return rc;
	early = g->npending > 0;
	if (early) {                     /* a state change seen at this signal goes first */
		algo_out_line(&algo_stdout, ev->line, ev->len);
		if (emit_changes(g, in.s.ts, err, errlen))
			return -1;
	}
	if ((rc = algo_risk_decide(&g->risk, &in.s, &v, err, errlen)) < 0)
		return -1;
	ss->signal_ts = in.s.ts;
	ss->signal_seen = 1;
	if (!early)
		algo_out_line(&algo_stdout, ev->line, ev->len);
	if (rc == 1)                     /* decided before a restart: emitted then */
		return 0;
	if (v.ok) {
		algo_barrier_sent(&g->barrier);
		write_order(g, &in, &v);
	} else
		write_block(g, &in, &v);
	return 0;
}

/* The stream position of the line in hand: the running maximum of ts (INT64_MAX
 * without a replay record, where there is nothing to redo). */
static int64_t position(const struct algo_gatekeeper *g)
{
	return g->store && g->stage && g->stage->replay_key ? g->stage->replay.stream_max : INT64_MAX;
}

/* Whether this run may take changes of trading state from outside: not while it redoes
 * lines whose output may have gone out before a restart (see gatekeeper.h). At the
 * first line past them the database's states are taken over, silently. */
static int may_poll(struct algo_gatekeeper *g, char *err, size_t errlen)
{
	if (!g->store)
		return 1;
	if (!g->adopted) {
		if (position(g) <= g->horizon)
			return 0;
		if (algo_risk_adopt_states(&g->risk, err, errlen))
			return -1;
		g->adopted = 1;
	}
	return 1;
}

/* Reads the trading states; a change from outside is saved before anything based on
 * it is written. Returns 0 or the hook's result. */
static int poll_states(struct algo_gatekeeper *g, char *err, size_t errlen)
{
	char serr[ALGO_ERR_MAX], msg[ALGO_ERR_MAX + 32];
	int rc = may_poll(g, err, errlen);
	if (rc <= 0)
		return rc < 0 ? fatal(g, err) : 0;
	if ((rc = algo_risk_poll(&g->risk, err, errlen)) < 0 || take_changes(g, err, errlen))
		return fatal(g, err);
	if (rc == 0 || !g->store)
		return 0;
	if (algo_stage_save(g->stage, serr, sizeof serr) == 0)
		return 0;
	snprintf(msg, sizeof msg, "cannot save state: %s", serr);
	return algo_stage_stop(g->stage, ALGO_EX_IOERR, msg);
}

/* The first line with a time this run processes (after any it answered from its replay
 * record): the executor has read everything before it, so its answer is its state. */
static int start(struct algo_gatekeeper *g, char *err, size_t errlen)
{
	char serr[ALGO_ERR_MAX], msg[ALGO_ERR_MAX + 32];
	int rc;
	g->started = 1;
	if (!g->barrier.on)
		return 0;
	if ((rc = barrier_outcome(g, algo_barrier_wait(&g->barrier, err, errlen), err)))
		return rc;
	/* Another executor's state was taken over (its epoch, cursor and positions): that
	 * is input from outside the stream, saved before anything based on it goes out,
	 * so that a restart follows the same executor instead of taking it over again
	 * at a later point of its stream. */
	if (!g->store || !g->risk.adopted || algo_stage_save(g->stage, serr, sizeof serr) == 0)
		return 0;
	snprintf(msg, sizeof msg, "cannot save state: %s", serr);
	return algo_stage_stop(g->stage, ALGO_EX_IOERR, msg);
}

int algo_gatekeeper_event(void *arg, const struct algo_event *ev, char *err, size_t errlen)
{
	struct algo_gatekeeper *g = arg;
	char terr[ALGO_ERR_MAX];
	int64_t ts;
	int rc, timed;
	/* every line before this one has gone out, and with a replay record so has every
	 * line up to its mark (answered from it) */
	forwarded(g, g->event_ts);
	if (g->store && g->stage && g->stage->replay_key)
		forwarded(g, g->stage->replay.mark);
	/* the time is read once per event: polling the states below does not change it */
	timed = algo_event_time(ev, "ts", 0, &ts, terr, sizeof terr) == 1;
	if (timed) {
		g->event_ts = ts;
		algo_barrier_event(&g->barrier, ts);
		if (!g->started && (rc = start(g, err, errlen)))
			return rc;
	}
	if (ev->type == ALGO_EV_SIGNAL || g->input_idle || ++g->since_poll >= ALGO_GATEKEEPER_POLL_EVERY) {
		g->input_idle = 0;
		g->since_poll = 0;
		if ((rc = poll_states(g, err, errlen)))
			return rc;
	}
	if (timed && (algo_risk_new_event(&g->risk, ts, err, errlen) < 0 || take_changes(g, err, errlen)))
		return fatal(g, err);
	if (ev->type == ALGO_EV_BAR)
		rc = on_bar(g, ev, err, errlen);
	else if (ev->type == ALGO_EV_SIGNAL)
		rc = on_signal(g, ev, err, errlen);
	else if (ev->type == ALGO_EV_TICK)
		rc = on_tick(g, ev, err, errlen);
	else {
		/* orders, cancels and modifies from upstream change the executor too */
		if (ev->type == ALGO_EV_ORDER || ev->type == ALGO_EV_OTHER)
			algo_barrier_sent(&g->barrier);
		algo_out_line(&algo_stdout, ev->line, ev->len);
		rc = 0;
	}
	if (rc == ALGO_STAGE_STOPPED)
		return rc;
	if (g->npending && emit_changes(g, g->event_ts, terr, sizeof terr))
		return fatal(g, terr);
	return rc;
}

int algo_gatekeeper_idle(void *arg, char *err, size_t errlen)
{
	struct algo_gatekeeper *g = arg;
	/* the poll itself waits for the next event: what it finds is written after it */
	g->input_idle = 1;
	(void)err;
	(void)errlen;
	return 0;
}

int algo_gatekeeper_end(void *arg, int why, char *err, size_t errlen)
{
	struct algo_gatekeeper *g = arg;
	int rc = 0;
	/* the executor answers the syncs already sent before the FIFO goes away, and what
	 * it reports is applied (and saved right after this) */
	forwarded(g, g->event_ts);
	if (why == ALGO_STAGE_EOF && !g->broken && g->started)
		rc = barrier_outcome(g, algo_barrier_finish(&g->barrier, err, errlen), err);
	algo_barrier_close(&g->barrier);
	if (!rc && g->horizon_failed)
		return algo_stage_stop(g->stage, ALGO_EX_IOERR, g->horizon_err);
	return rc;
}

/* ---- restarts ----------------------------------------------------------------------- */

#define SNAP_MAGIC 0x61726b31   /* "ark1": this layout */

/* Before output leaves the process: when it holds anything decided on the state (an
 * order, a block, a kill_switch), how far it goes is committed first, so that a
 * restarted run redoes those lines as they were (see gatekeeper.h). */
static int commit_horizon(void *arg)
{
	struct algo_gatekeeper *g = arg;
	int64_t pos = position(g);
	char err[ALGO_ERR_MAX - 32];
	if (g->horizon_failed)
		return EIO;
	if (!g->decided || pos <= g->committed)
		return 0;
	if (algo_risk_horizon_put(g->store, g->key, pos, err, sizeof err)) {
		snprintf(g->horizon_err, sizeof g->horizon_err, "cannot save state: %s", err);
		g->horizon_failed = 1;
		return EIO;
	}
	g->committed = pos;
	g->decided = 0;
	return 0;
}

static void pack_tab(struct algo_pack *p, const struct algo_book_tab *t, int recs)
{
	algo_pack_i64(p, (int64_t)algo_book_tab_count(t));
	for (size_t i = 0; i < algo_book_tab_count(t); i++) {
		const char *k;
		size_t kl;
		const int64_t *rec = algo_book_tab_at(t, i, &k, &kl);
		algo_pack_bytes(p, k, kl);
		if (recs == 2) {                  /* struct last_ts */
			const struct last_ts *lt = (const void *)rec;
			algo_pack_i64(p, lt->ts);
			algo_pack_i64(p, lt->seen);
		} else {                          /* struct sym_state */
			const struct sym_state *ss = (const void *)rec;
			algo_pack_i64(p, ss->signal_ts);
			algo_pack_i64(p, ss->signal_seen);
			algo_pack_i64(p, ss->close);
		}
	}
}

static int unpack_tab(struct algo_unpack *u, struct algo_book_tab *t, int recs)
{
	int64_t n = algo_unpack_range(u, 0, 1 << 24);
	for (int64_t i = 0; i < n && !u->bad; i++) {
		size_t kl;
		const void *k = algo_unpack_bytes(u, &kl);
		void *rec = k && kl ? algo_book_tab_get(t, k, kl, 1) : NULL;
		if (!rec)
			return -1;
		if (recs == 2) {
			struct last_ts *lt = rec;
			lt->ts = algo_unpack_i64(u);
			lt->seen = (int)algo_unpack_range(u, 0, 1);
		} else {
			struct sym_state *ss = rec;
			ss->signal_ts = algo_unpack_i64(u);
			ss->signal_seen = (int)algo_unpack_range(u, 0, 1);
			ss->close = algo_unpack_i64(u);
		}
	}
	return u->bad ? -1 : 0;
}

static void pack_all(const struct algo_gatekeeper *g, struct algo_pack *p)
{
	algo_pack_i64(p, SNAP_MAGIC);
	algo_risk_pack(&g->risk, p);
	pack_tab(p, &g->bars, 2);
	pack_tab(p, &g->syms, 3);
	algo_risk_states_pack(p, g->pending, g->npending);
	algo_pack_i64(p, g->event_ts);
	algo_pack_i64(p, g->barrier.last_ts);
	algo_pack_i64(p, g->barrier.dirty);
	algo_pack_i64(p, g->barrier.sqoff);
}

static int unpack_all(struct algo_gatekeeper *g, const void *blob, size_t len)
{
	struct algo_unpack u;
	algo_unpack_init(&u, blob, len);
	if (algo_unpack_i64(&u) != SNAP_MAGIC || algo_risk_unpack(&g->risk, &u) ||
	    unpack_tab(&u, &g->bars, 2) || unpack_tab(&u, &g->syms, 3))
		return -1;
	free(g->pending);
	g->pending = NULL;
	g->npending = g->cappending = 0;
	if (algo_risk_states_unpack(&u, &g->pending, &g->npending))
		return -1;
	g->cappending = g->npending;
	g->event_ts = algo_unpack_i64(&u);
	g->barrier.last_ts = algo_unpack_i64(&u);
	g->barrier.dirty = (int)algo_unpack_range(&u, 0, 1);
	g->barrier.sqoff = (int)algo_unpack_range(&u, 0, 1);
	return algo_unpack_done(&u) ? 0 : -1;
}

int algo_gatekeeper_save(void *arg, struct algo_store *s, char *err, size_t errlen)
{
	struct algo_gatekeeper *g = arg;
	struct algo_pack p;
	int rc;
	if (algo_risk_save_records(&g->risk, err, errlen))
		return -1;
	algo_pack_init(&p);
	pack_all(g, &p);
	if (p.oom) {
		algo_pack_free(&p);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	rc = algo_risk_snapshot_put(s, g->key, p.buf, p.len, g->committed, err, errlen);
	algo_pack_free(&p);
	if (rc == 0) {
		g->risk.seq_saved = g->risk.seq_applied;
		g->risk.adopted = 0;
	}
	return rc;
}

/* Empties what a failed unpack may have half filled, keeping the config and database. */
static void clear_state(struct algo_gatekeeper *g)
{
	struct algo_risk *r = &g->risk;
	struct algo_risk_config cfg = r->cfg;
	struct algo_risk_db *db = r->db;
	int barrier = r->barrier;
	algo_risk_config_init(&r->cfg);
	r->db = NULL;
	algo_risk_free(r);
	algo_risk_init(r, &cfg);
	r->db = db;
	r->barrier = barrier;
	algo_book_tab_free(&g->bars);
	algo_book_tab_free(&g->syms);
	algo_book_tab_init(&g->bars, sizeof(struct last_ts));
	algo_book_tab_init(&g->syms, sizeof(struct sym_state));
	free(g->pending);
	g->pending = NULL;
	g->npending = g->cappending = 0;
}

int algo_gatekeeper_attach(struct algo_gatekeeper *g, struct algo_store *s, const char *user,
	char *key, char *note, size_t notelen, char *err, size_t errlen)
{
	void *blob;
	size_t len;
	int rc;
	note[0] = '\0';
	if ((size_t)snprintf(g->key, sizeof g->key, "algo-risk/%s", user) >= sizeof g->key) {
		snprintf(err, errlen, "user name too long for the replay key");
		return -1;
	}
	snprintf(key, ALGO_REPLAY_KEY_MAX, "%s", g->key);
	if (algo_risk_attach(&g->risk, s, err, errlen))
		return -1;
	g->store = s;
	g->adopted = 1;
	g->horizon = g->committed = INT64_MIN;
	if ((rc = algo_risk_snapshot_get(s, g->key, &blob, &len, &g->horizon, err, errlen)) < 0)
		return -1;
	if (rc == 1 && unpack_all(g, blob, len) == 0)
		g->adopted = 0;            /* the snapshot's view until past the horizon */
	else {
		if (rc == 1) {
			clear_state(g);
			snprintf(note, notelen, "the state saved in %s was written by another build or is "
				"damaged: rebuilt from the decisions recorded", s->path);
		}
		if (algo_risk_rebuild(&g->risk, err, errlen) || algo_risk_adopt_states(&g->risk, err, errlen)) {
			free(blob);
			return -1;
		}
	}
	free(blob);
	g->committed = g->horizon;
	if (g->adopted) {          /* a new state: saved before the first event */
		if (algo_store_begin(s, err, errlen))
			return -1;
		if (algo_gatekeeper_save(g, s, err, errlen)) {
			algo_store_rollback(s);
			return -1;
		}
		if (algo_store_commit(s, err, errlen))
			return -1;
	}
	algo_stdout.before_write = commit_horizon;
	algo_stdout.before_write_arg = g;
	return 0;
}
