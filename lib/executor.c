/* executor — the seam of every execution stage: orders, their states and legs,
 * positions, the events out. See executor.h for the contract; the input side
 * (decoding events) is in execin.c, the saved state in execstate.c. */
#include "executor_impl.h"
#include "cli.h"
#include "decimal.h"
#include "timeutil.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FAIL(e, n, ...) (snprintf(e, n, __VA_ARGS__), ALGO_EX_FAIL)

void algo_executor_init(struct algo_executor *ex, const struct algo_exec_venue *venue, void *v,
	void (*note)(void *arg, const char *msg), void *note_arg)
{
	memset(ex, 0, sizeof *ex);
	ex->venue = venue;
	ex->varg = v;
	ex->note = note;
	ex->note_arg = note_arg;
	ex->square_off = -1;
	algo_book_tab_init(&ex->syms, sizeof(struct algo_exec_sym));
	algo_book_tab_init(&ex->pos, sizeof(struct algo_exec_pos));
	algo_book_tab_init(&ex->bars, sizeof(struct algo_exec_last));
	algo_book_tab_init(&ex->ords, sizeof(struct algo_exec_last));
	algo_book_tab_init(&ex->relines, sizeof(uint64_t));
	algo_idreg_open(&ex->ids, NULL, "", NULL, 0);   /* in memory: cannot fail */
	algo_fillchan_out_init(&ex->chan);
}

void algo_executor_free(struct algo_executor *ex)
{
	for (size_t i = 0; i < ex->nord; i++)
		free(ex->ord[i]);
	free(ex->ord);
	ex->ord = NULL;
	ex->nord = ex->capord = 0;
	algo_book_tab_free(&ex->syms);
	algo_book_tab_free(&ex->pos);
	algo_book_tab_free(&ex->bars);
	algo_book_tab_free(&ex->ords);
	algo_book_tab_free(&ex->relines);
	algo_idreg_free(&ex->ids);
	algo_fillchan_out_free(&ex->chan);
	ex->last_bar = NULL;
}

void algo_exec_note(struct algo_executor *ex, const char *fmt, ...)
{
	char msg[ALGO_ERR_MAX + 128];
	va_list ap;
	if (!ex->note)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	ex->note(ex->note_arg, msg);
}

void algo_exec_leg_id(const char *id, const char *suffix, char *out)
{
	size_t n = strlen(id);
	size_t k = strlen(suffix);
	if (n + k < ALGO_EXEC_ID_MAX) {
		memcpy(out, id, n);
		memcpy(out + n, suffix, k + 1);
	} else {
		uint32_t h = 2166136261u;                 /* FNV-1a, 32 bits */
		for (size_t i = 0; i < n; i++) {
			h ^= (unsigned char)id[i];
			h *= 16777619u;
		}
		snprintf(out, ALGO_EXEC_ID_MAX, "%.20s%08x%s", id, (unsigned)h, suffix);
	}
}

/* ---- symbols, positions, the list of live orders ---------------------------- */

int algo_executor_symbol(struct algo_executor *ex, const char *symbol)
{
	size_t before = algo_book_tab_count(&ex->syms);
	struct algo_exec_sym *s = algo_book_tab_get(&ex->syms, symbol, strlen(symbol), 1);
	if (!s)
		return -1;
	if (algo_book_tab_count(&ex->syms) != before)
		s->idx = (int)before;
	return s->idx;
}

size_t algo_executor_nsymbols(const struct algo_executor *ex)
{
	return algo_book_tab_count(&ex->syms);
}

size_t algo_executor_npos(const struct algo_executor *ex)
{
	return algo_book_tab_count(&ex->pos);
}

struct algo_exec_pos *algo_executor_pos_at(const struct algo_executor *ex, size_t i)
{
	return algo_book_tab_at(&ex->pos, i, NULL, NULL);
}

struct algo_exec_pos *algo_executor_pos(struct algo_executor *ex, const struct algo_order_in *o,
	int create)
{
	char key[3 * ALGO_NAME_MAX + 4], symprod[ALGO_NAME_MAX + 4];
	size_t n, before;
	struct algo_exec_pos *p;
	/* One position per product, as a broker keeps them: a delivery holding and an
	 * intraday trade of the same symbol are squared off and checked separately. */
	snprintf(symprod, sizeof symprod, "%s\x1e%d", o->symbol, o->product);
	if (!(n = algo_book_key(key, sizeof key, o->user, o->strategy, symprod)))
		return NULL;
	before = algo_book_tab_count(&ex->pos);
	p = algo_book_tab_get(&ex->pos, key, n, create);
	if (p && algo_book_tab_count(&ex->pos) != before) {
		int sym = algo_executor_symbol(ex, o->symbol);
		if (sym < 0)
			return NULL;
		p->sym = sym;
		p->product = o->product;
		snprintf(p->user, sizeof p->user, "%s", o->user);
		snprintf(p->strategy, sizeof p->strategy, "%s", o->strategy);
		snprintf(p->symbol, sizeof p->symbol, "%s", o->symbol);
	}
	return p;
}

int algo_exec_final(const struct algo_exec_order *o)
{
	return o->state >= ALGO_EXEC_FILLED;
}

size_t algo_executor_count(const struct algo_executor *ex)
{
	return ex->nord;
}

struct algo_exec_order *algo_executor_at(const struct algo_executor *ex, size_t i)
{
	return i < ex->nord ? ex->ord[i] : NULL;
}

size_t algo_executor_working(const struct algo_executor *ex)
{
	size_t k = 0;
	for (size_t i = 0; i < ex->nord; i++)
		k += !algo_exec_final(ex->ord[i]);
	return k;
}

struct algo_exec_order *algo_executor_find(const struct algo_executor *ex, const char *user,
	const char *id)
{
	for (size_t i = 0; i < ex->nord; i++) {
		struct algo_exec_order *o = ex->ord[i];
		if (!algo_exec_final(o) && strcmp(o->in.id, id) == 0 && strcmp(o->in.user, user) == 0)
			return o;
	}
	return NULL;
}

struct algo_exec_order *algo_executor_peer(const struct algo_executor *ex, const struct algo_exec_order *o)
{
	if (!o->peer)
		return NULL;
	for (size_t i = 0; i < ex->nord; i++)
		if (ex->ord[i]->seq == o->peer && !algo_exec_final(ex->ord[i]))
			return ex->ord[i];
	return NULL;
}

/* Appends a copy of o to the live orders; returns it, or NULL when out of memory. */
struct algo_exec_order *algo_exec_add(struct algo_executor *ex, const struct algo_exec_order *o)
{
	struct algo_exec_order *c;
	if (ex->nord == ex->capord) {
		size_t cap = ex->capord ? ex->capord * 2 : 16;
		struct algo_exec_order **n = realloc(ex->ord, cap * sizeof *n);
		if (!n)
			return NULL;
		ex->ord = n;
		ex->capord = cap;
	}
	if (!(c = malloc(sizeof *c)))
		return NULL;
	*c = *o;
	ex->ord[ex->nord++] = c;
	return c;
}

void algo_exec_sweep(struct algo_executor *ex)
{
	size_t k = 0;
	for (size_t i = 0; i < ex->nord; i++) {
		if (algo_exec_final(ex->ord[i]))
			free(ex->ord[i]);
		else
			ex->ord[k++] = ex->ord[i];
	}
	ex->nord = k;
}

struct algo_exec_order *algo_executor_adopt(struct algo_executor *ex, const struct algo_order_in *in,
	int leg)
{
	struct algo_exec_order o;
	int sym = algo_executor_symbol(ex, in->symbol);
	if (sym < 0)
		return NULL;
	memset(&o, 0, sizeof o);
	o.in = *in;
	o.sym = sym;
	o.leg = leg;
	o.day = algo_time_ist_day(in->ts);
	return algo_exec_add(ex, &o);
}

/* ---- the events out -------------------------------------------------------- */

static void out_fees(const struct algo_executor *ex, const struct algo_fees *f)
{
	struct algo_writer *w = &algo_stdout;
	algo_out_obj_begin(w, "fees");
	algo_out_dec(w, "brokerage", f->brokerage);
	if (ex->fees_full) {
		algo_out_dec(w, "stt", f->stt);
		algo_out_dec(w, "exchange", f->exchange);
		algo_out_dec(w, "sebi", f->sebi);
		algo_out_dec(w, "ipft", f->ipft);
		algo_out_dec(w, "stamp", f->stamp);
		algo_out_dec(w, "gst", f->gst);
		if (f->dp)
			algo_out_dec(w, "dp", f->dp);
	}
	algo_out_dec(w, "total", f->total);
	algo_out_obj_end(w);
}

static void write_fill(struct algo_executor *ex, const struct algo_exec_order *o,
	const struct algo_exec_fill *f)
{
	struct algo_writer *w = &algo_stdout;
	char fill_id[ALGO_EXEC_ID_MAX + 24];
	if (f->fill_id)
		snprintf(fill_id, sizeof fill_id, "%s", f->fill_id);
	else
		snprintf(fill_id, sizeof fill_id, "%s-%lld", o->in.id, (long long)o->nfills);
	algo_out_begin(w);
	algo_out_str(w, "type", "fill");
	algo_out_time(w, "ts", f->ts);
	algo_out_str(w, "id", o->in.id);
	algo_out_str(w, "fill_id", fill_id);
	algo_out_str(w, "strategy", o->in.strategy);
	algo_out_str(w, "symbol", o->in.symbol);
	algo_out_str(w, "side", o->in.side == ALGO_BUY ? "buy" : "sell");
	algo_out_int(w, "qty", f->qty);
	algo_out_dec(w, "price", f->price);
	out_fees(ex, &f->fees);
	algo_out_int(w, "remaining", o->in.qty - o->filled);
	algo_out_str(w, "user", o->in.user);
	if (f->reason)
		algo_out_str(w, "reason", f->reason);
	if (f->flags & ALGO_EXEC_AMBIGUOUS)
		algo_out_bool(w, "ambiguous", 1);
	if (f->flags & ALGO_EXEC_EXTERNAL)
		algo_out_bool(w, "external", 1);
	algo_out_end(w);
	algo_fillchan_fill(&ex->chan, f->ts, o->in.id, o->nfills, o->in.user, o->in.strategy,
		o->in.symbol, o->in.side, f->qty, f->price, f->fees.total);
}

static const char *const status_names[] = { "new", "accepted", "partial", "filled", "cancelled",
	"rejected", "expired" };

/* The order_update of o with status (an ALGO_EXEC_* state); a final one is also
 * recorded for the fill channel. */
static void write_update(struct algo_executor *ex, const struct algo_exec_order *o, int64_t ts,
	int status, const char *reason)
{
	struct algo_writer *w = &algo_stdout;
	algo_out_begin(w);
	algo_out_str(w, "type", "order_update");
	algo_out_time(w, "ts", ts);
	algo_out_str(w, "id", o->in.id);
	algo_out_str(w, "status", status_names[status]);
	if (o->venue.ref[0])
		algo_out_str(w, "broker_id", o->venue.ref);
	if (reason)
		algo_out_str(w, "reason", reason);
	if (status == ALGO_EXEC_FILLED || status == ALGO_EXEC_PARTIAL) {
		algo_out_int(w, "filled", o->filled);
		algo_out_dec(w, "avg_price", algo_dec_muldiv(o->value, 1, o->filled));
		if (o->filled < o->in.qty)
			algo_out_int(w, "remaining", o->in.qty - o->filled);
	}
	if (strcmp(o->in.user, "default") != 0)
		algo_out_str(w, "user", o->in.user);
	algo_out_end(w);
	if (algo_exec_final_state(status))
		algo_fillchan_final(&ex->chan, ts, o->in.id, o->in.user, status_names[status], o->filled);
}

int algo_exec_final_state(int state)
{
	return state >= ALGO_EXEC_FILLED;
}

void algo_exec_reject(struct algo_executor *ex, const struct algo_exec_order *o, int64_t ts,
	const char *reason)
{
	write_update(ex, o, ts, ALGO_EXEC_REJECTED, reason);
}

/* ---- bracket legs ------------------------------------------------------------ */

/* Adds leg l (state NEW) and has the venue place it. */
static int place_leg(struct algo_executor *ex, const struct algo_exec_order *l, int64_t ts,
	char *err, size_t errlen)
{
	struct algo_exec_order *o = algo_exec_add(ex, l);
	if (!o)
		return FAIL(err, errlen, "out of memory");
	return ex->venue->place(ex->varg, ex, o, ts, err, errlen);
}

/* The stop-loss and target legs of a finished entry e with a filled quantity, working
 * from the fill on (at_open: from the same bar, whose range came after its open;
 * otherwise from the next bar). */
static int make_legs(struct algo_executor *ex, const struct algo_exec_order *e, int64_t ts,
	int at_open, char *err, size_t errlen)
{
	struct algo_exec_order sl, tp;
	int64_t avg;
	int rc;

	if (e->leg != ALGO_LEG_NONE || e->filled <= 0 || !(e->in.sl || e->in.tp || e->in.trail))
		return 0;
	avg = algo_dec_muldiv(e->value, 1, e->filled);
	memset(&sl, 0, sizeof sl);
	sl.in = e->in;
	sl.in.side = -e->in.side;
	sl.in.qty = e->filled;
	sl.in.validity = ALGO_VALID_GTC;
	sl.in.ts = at_open ? ts - 1 : ts;
	sl.in.sl = sl.in.tp = 0;
	sl.in.limit = sl.in.stop = 0;
	sl.sym = e->sym;
	sl.day = algo_time_ist_day(ts);
	sl.entry_avg = avg;
	snprintf(sl.parent, sizeof sl.parent, "%s", e->in.id);
	tp = sl;
	if (e->in.sl || e->in.trail) {
		int64_t stop = e->in.sl;
		if (e->in.trail) {
			int64_t t = e->in.side == ALGO_BUY ? avg - e->in.trail : avg + e->in.trail;
			if (t < 1)
				t = 1;
			if (!stop || (e->in.side == ALGO_BUY ? t > stop : t < stop))
				stop = t;
		}
		sl.leg = ALGO_LEG_SL;
		sl.in.kind = ALGO_KIND_STOP;
		sl.in.stop = stop;
		sl.in.trail = e->in.trail;
		algo_exec_leg_id(e->in.id, "SL", sl.in.id);
		sl.seq = ++ex->seq;
	}
	if (e->in.tp) {
		tp.leg = ALGO_LEG_TP;
		tp.in.kind = ALGO_KIND_LIMIT;
		tp.in.limit = e->in.tp;
		tp.in.trail = 0;
		algo_exec_leg_id(e->in.id, "TP", tp.in.id);
		tp.seq = ++ex->seq;
	}
	sl.peer = tp.seq;
	tp.peer = sl.seq;
	if (sl.seq && (rc = place_leg(ex, &sl, ts, err, errlen)))
		return rc;
	if (tp.seq && (rc = place_leg(ex, &tp, ts, err, errlen)))
		return rc;
	return 0;
}

/* ---- what the venue reports ---------------------------------------------------- */

static int may_move(const struct algo_exec_order *o, int status)
{
	switch (status) {
	case ALGO_EXEC_WORKING:
	case ALGO_EXEC_REJECTED:
		return o->state == ALGO_EXEC_NEW;
	case ALGO_EXEC_CANCELLED:
	case ALGO_EXEC_EXPIRED:
		return !algo_exec_final(o);
	default:
		return 0;
	}
}

int algo_executor_report(struct algo_executor *ex, struct algo_exec_order *o, int status,
	int64_t ts, const char *reason, unsigned flags, char *err, size_t errlen)
{
	char why[96];
	if (!may_move(o, status))
		return FAIL(err, errlen, "order %s: %s cannot become %s", o->in.id,
			status_names[o->state], status_names[status]);
	if (status == ALGO_EXEC_WORKING && !reason && (o->leg == ALGO_LEG_SL || o->leg == ALGO_LEG_TP)) {
		snprintf(why, sizeof why, "%s leg of %s", o->leg == ALGO_LEG_SL ? "stop-loss" : "target",
			o->parent);
		reason = why;
	}
	o->state = status;
	write_update(ex, o, ts, status, reason);
	if ((status == ALGO_EXEC_CANCELLED || status == ALGO_EXEC_EXPIRED) &&
	    !(flags & ALGO_EXEC_NO_LEGS) && !o->no_legs)
		return make_legs(ex, o, ts, 0, err, errlen);
	return 0;
}

/* The position after a fill of o: realised PnL and charges into the totals; opened
 * is the time of the fill that opened it from flat (or turned it over). */
static int apply_to_position(struct algo_executor *ex, const struct algo_exec_order *o,
	const struct algo_exec_fill *f, char *err, size_t errlen)
{
	struct algo_exec_pos *p = algo_executor_pos(ex, &o->in, 1);
	struct algo_position np;
	char why[ALGO_ERR_MAX];
	if (!p)
		return FAIL(err, errlen, "out of memory");
	np = p->p;
	if (algo_book_apply_fill(&np, o->in.side, f->qty, f->price, why, sizeof why) ||
	    algo_book_add_fees(&np, f->fees.total))
		return FAIL(err, errlen, "order %s: position out of range", o->in.id);
	ex->realised += np.realised - p->p.realised;
	ex->fees += f->fees.total;
	if (np.qty == 0)
		p->opened = 0;
	else if (p->p.qty == 0 || (p->p.qty > 0) != (np.qty > 0))
		p->opened = f->ts;
	p->p = np;
	return 0;
}

int algo_executor_fill(struct algo_executor *ex, struct algo_exec_order *o,
	const struct algo_exec_fill *f, char *err, size_t errlen)
{
	struct algo_exec_order *peer;
	int64_t t, value, turnover;
	int rc;

	if (o->state != ALGO_EXEC_WORKING && o->state != ALGO_EXEC_PARTIAL)
		return FAIL(err, errlen, "order %s: a fill while %s", o->in.id, status_names[o->state]);
	if (f->qty <= 0 || f->qty > o->in.qty - o->filled || f->price <= 0)
		return FAIL(err, errlen, "order %s: a fill of %lld with %lld left", o->in.id,
			(long long)f->qty, (long long)(o->in.qty - o->filled));
	if (__builtin_mul_overflow(f->price, f->qty, &t) || __builtin_add_overflow(o->value, t, &value) ||
	    __builtin_add_overflow(o->turnover, t, &turnover))
		return FAIL(err, errlen, "order %s: position or turnover out of range", o->in.id);
	if ((rc = apply_to_position(ex, o, f, err, errlen)))
		return rc;
	o->value = value;
	o->turnover = turnover;
	o->filled += f->qty;
	o->nfills++;
	write_fill(ex, o, f);
	o->state = o->filled == o->in.qty ? ALGO_EXEC_FILLED : ALGO_EXEC_PARTIAL;
	write_update(ex, o, f->ts, o->state, NULL);
	if (o->state != ALGO_EXEC_FILLED)
		return 0;
	if ((peer = algo_executor_peer(ex, o))) {
		char why[64];
		snprintf(why, sizeof why, "one cancels other: %s filled", o->in.id);
		peer->no_legs = 1;
		if ((rc = ex->venue->cancel(ex->varg, ex, peer, f->ts, why, err, errlen)))
			return rc;
	}
	return make_legs(ex, o, f->ts, (f->flags & ALGO_EXEC_AT_OPEN) != 0, err, errlen);
}

void algo_executor_modified(struct algo_executor *ex, struct algo_exec_order *o, int64_t ts,
	int64_t qty, int64_t limit, int64_t stop)
{
	if (qty)
		o->in.qty = qty;
	if (limit)
		o->in.limit = limit;
	if (stop)
		o->in.stop = stop;
	write_update(ex, o, ts, ALGO_EXEC_WORKING, "modified");
}

int64_t algo_executor_fillable(struct algo_executor *ex, const struct algo_exec_order *o)
{
	int64_t q = o->in.qty - o->filled, closable;
	const struct algo_exec_pos *p;
	if (o->leg != ALGO_LEG_SL && o->leg != ALGO_LEG_TP && !o->in.reduce_only)
		return q;
	/* Legs and reduce-only orders (exits) only reduce the position: when another order
	 * already closed it (a leg and a time exit on one bar) they are cancelled rather
	 * than open the other side, as a broker's bracket order is. */
	p = algo_executor_pos(ex, &o->in, 0);
	closable = !p ? 0 : o->in.side == ALGO_SELL ? (p->p.qty > 0 ? p->p.qty : 0) :
		(p->p.qty < 0 ? -p->p.qty : 0);
	return q < closable ? q : closable;
}

int algo_executor_position_closed(struct algo_executor *ex, struct algo_exec_order *o, int64_t ts,
	char *err, size_t errlen)
{
	static const char why[] = "position already closed";
	struct algo_exec_order *pe = algo_executor_peer(ex, o);
	int rc;
	o->no_legs = 1;
	if ((rc = ex->venue->cancel(ex->varg, ex, o, ts, why, err, errlen)))
		return rc;
	if (pe && !algo_exec_final(pe)) {
		pe->no_legs = 1;
		return ex->venue->cancel(ex->varg, ex, pe, ts, why, err, errlen);
	}
	return 0;
}
