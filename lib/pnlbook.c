/* pnlbook — the executor's reports, the day PnL and its bound. See pnlbook.h. */
#include "pnlbook.h"
#include "decimal.h"
#include "event.h"
#include "pack.h"
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

/* Fills applied of one order (user\x1fid), and whether its final status came. */
struct nfill {
	int64_t n;
	int final;
};

/* One fill or final record of the channel, held until the ack of its wait. */
struct algo_risk_chanrec {
	int fill;                              /* 1 fill, 0 final */
	char id[ALGO_NAME_MAX], user[ALGO_NAME_MAX], strategy[ALGO_NAME_MAX], symbol[ALGO_NAME_MAX];
	int side;
	int64_t ts, n, qty, price, fee, seq;   /* seq 0: none (an executor without numbers) */
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
	struct nfill *done = kn ? algo_book_tab_get(&r->nfill, key, kn, 1) : NULL;
	struct fpos *fp = get_fpos(r, user, strategy, symbol);
	struct algo_position np;
	int64_t day = algo_time_ist_day(ts);
	if (!fp || !done) { snprintf(err, errlen, "out of memory or name too long"); return -1; }
	if (n > 0 && n <= done->n)
		return 1;
	done->n = n > 0 ? n : done->n + 1;
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
	struct nfill *done = kn ? algo_book_tab_get(&r->nfill, key, kn, 1) : NULL;
	if (!done) { snprintf(err, errlen, "out of memory or name too long"); return -1; }
	if (!done->final) {
		done->final = 1;
		r->nfinal++;
	}
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
	for (i = 0; i < algo_book_tab_count(&r->nfill); i++) {
		struct nfill *nf = algo_book_tab_at(&r->nfill, i, NULL, NULL);
		if (!nf->final) {
			nf->final = 1;
			r->nfinal++;
		}
	}
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

static struct algo_risk_chanrec *new_chanrec(struct algo_risk *r)
{
	if (r->nchan == r->capchan) {
		size_t cap = r->capchan ? 2 * r->capchan : 16;
		struct algo_risk_chanrec *n = realloc(r->chan, cap * sizeof *n);
		if (!n) return NULL;
		r->chan = n;
		r->capchan = cap;
	}
	memset(&r->chan[r->nchan], 0, sizeof r->chan[0]);
	return &r->chan[r->nchan++];
}

/* A fill or final record, checked and held for the ack. -1 with err naming the field. */
static int read_record(struct algo_risk *r, const struct algo_event *ev, int fill, char *err,
	size_t errlen)
{
	static const char *const sides[] = { "buy", "sell", NULL };
	struct algo_risk_chanrec *c = new_chanrec(r);
	char status[16];
	int side;
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	c->fill = fill;
	if (algo_event_str(ev, "id", 1, c->id, sizeof c->id, err, errlen) < 0 ||
	    algo_event_name(ev, "user", 1, c->user, sizeof c->user, err, errlen) < 0 ||
	    algo_event_int(ev, "seq", 0, &c->seq, err, errlen) < 0)
		goto bad;
	if (!fill) {
		if (algo_event_time(ev, "ts", 0, &c->ts, err, errlen) < 0 ||
		    algo_event_str(ev, "status", 1, status, sizeof status, err, errlen) < 0 ||
		    algo_event_int(ev, "filled", 1, &c->qty, err, errlen) < 0)
			goto bad;
		return 0;
	}
	if (algo_event_time(ev, "ts", 1, &c->ts, err, errlen) < 0 ||
	    algo_event_int(ev, "n", 0, &c->n, err, errlen) < 0 ||
	    algo_event_name(ev, "strategy", 1, c->strategy, sizeof c->strategy, err, errlen) < 0 ||
	    algo_event_name(ev, "symbol", 1, c->symbol, sizeof c->symbol, err, errlen) < 0 ||
	    (side = algo_event_word(ev, "side", sides, "buy or sell", -1, err, errlen)) < 0 ||
	    algo_event_qty(ev, "qty", 1, &c->qty, err, errlen) < 0 ||
	    algo_event_price(ev, "price", 1, &c->price, err, errlen) < 0 ||
	    algo_event_dec(ev, "fee", 1, &c->fee, err, errlen) < 0)
		goto bad;
	c->side = side == 0 ? ALGO_BUY : ALGO_SELL;
	return 0;
bad:
	r->nchan--;
	return -1;
}

/* Applies one held record (and queues it for the log unless it was a duplicate). */
static int apply_record(struct algo_risk *r, const struct algo_risk_chanrec *c, char *err,
	size_t errlen)
{
	int rc;
	if (!c->fill)
		return algo_risk_apply_final(r, c->id, c->user, c->qty, err, errlen) ||
			algo_risk_record_exec(r, "final", 0, c->id, c->user, NULL, NULL, 0, c->qty, 0, 0,
			err, errlen) ? -1 : 0;
	rc = algo_risk_apply_fill(r, c->ts, c->id, c->n, c->user, c->strategy, c->symbol, c->side,
		c->qty, c->price, c->fee, err, errlen);
	if (rc)
		return rc < 0 ? -1 : 0;
	return algo_risk_record_exec(r, "fill", c->ts, c->id, c->user, c->strategy, c->symbol,
		c->side, c->qty, c->price, c->fee, err, errlen);
}

/* The records held for this ack: skipped when they come from an executor other than
 * the one this state last heard from, at the first ack of a run (they are its view of
 * input before this run; its positions are adopted instead), and those numbered at or
 * below what was applied already; applied otherwise, up to the first one about an
 * event later than what was forwarded (r->fwd_ts). *newexec says which. */
static int take_records(struct algo_risk *r, json_t *ack, int *newexec, char *err, size_t errlen)
{
	const char *epoch = json_string_value(json_object_get(ack, "epoch"));
	int64_t seq = json_integer_value(json_object_get(ack, "seq"));
	int rc = 0;
	*newexec = !r->reconciled && (!epoch || strcmp(epoch, r->epoch) != 0);
	if (*newexec) {
		r->adopted = 1;
		snprintf(r->epoch, sizeof r->epoch, "%s", epoch && strlen(epoch) < sizeof r->epoch ? epoch : "");
		r->seq_applied = r->seq_saved = seq > 0 ? seq : 0;
	}
	for (size_t i = 0; !*newexec && rc == 0 && i < r->nchan; i++) {
		const struct algo_risk_chanrec *c = &r->chan[i];
		if (c->seq > 0 && c->seq <= r->seq_applied)
			continue;
		/* An executor restarted from a later save than this state's has records of
		 * events this run has not forwarded yet: they wait (it sends them again, as
		 * they are after the cursor) until the run gets there, as without the crash. */
		if (c->seq > 0 && epoch && c->ts > r->fwd_ts)
			break;
		rc = apply_record(r, c, err, errlen);
		if (c->seq > r->seq_applied)
			r->seq_applied = c->seq;
	}
	r->nchan = 0;
	return rc;
}

/* The orders still working at the executor: what stays uncertain until the next ack. */
static int take_working(struct algo_risk *r, json_t *w)
{
	size_t i;
	json_t *x;
	r->nunc = 0;
	json_array_foreach(w, i, x) {
		const char *u = json_string_value(json_array_get(x, 0));
		const char *g = json_string_value(json_array_get(x, 1));
		const char *y = json_string_value(json_array_get(x, 2));
		int sd = (int)json_integer_value(json_array_get(x, 3)) > 0 ? ALGO_BUY : ALGO_SELL;
		int64_t q = json_integer_value(json_array_get(x, 4));
		int legs = (int)json_integer_value(json_array_get(x, 5));
		struct fpos *fp = u && g && y ? get_fpos(r, u, g, y) : NULL;
		if (!fp || add_unc(r, fp, sd, q) || (legs && add_unc(r, fp, -sd, q)))
			return -1;
	}
	return 0;
}

/* Rebuilds t without the records keep says no to, keeping the order of the rest. */
static int compact(struct algo_book_tab *t, int (*keep)(const struct algo_risk *, const void *),
	const struct algo_risk *r)
{
	struct algo_book_tab n;
	algo_book_tab_init(&n, t->recsize);
	for (size_t i = 0; i < algo_book_tab_count(t); i++) {
		const char *k;
		size_t kl;
		const void *rec = algo_book_tab_at(t, i, &k, &kl);
		void *to;
		if (!keep(r, rec))
			continue;
		if (!(to = algo_book_tab_get(&n, k, kl, 1))) {
			algo_book_tab_free(&n);
			return -1;
		}
		memcpy(to, rec, t->recsize);
	}
	algo_book_tab_free(t);
	*t = n;
	return 0;
}

static int pend_open(const struct algo_risk *r, const void *rec)
{
	(void)r;
	return !((const struct pend *)rec)->final;
}

static int nfill_open(const struct algo_risk *r, const void *rec)
{
	(void)r;
	return !((const struct nfill *)rec)->final;
}

/* Orders final and acknowledged leave memory: once enough of them have piled up, the
 * pending orders and fill counts are rebuilt without them. */
static void forget_final(struct algo_risk *r)
{
	if (r->nfinal < 64 || r->nfinal * 2 < algo_book_tab_count(&r->nfill))
		return;
	if (compact(&r->pend, pend_open, r) == 0 && compact(&r->nfill, nfill_open, r) == 0)
		r->nfinal = 0;
}

static int take_ack(struct algo_risk *r, const char *line, size_t len, char *err, size_t errlen)
{
	json_error_t je;
	json_t *root = json_loadb(line, len, 0, &je), *w;
	int newexec, rc;
	if (!root || !json_is_array(w = json_object_get(root, "working"))) {
		json_decref(root);
		snprintf(err, errlen, "bad ack");
		return -1;
	}
	if ((rc = take_records(r, root, &newexec, err, errlen))) {
		json_decref(root);
		return -2;
	}
	r->ack_square_off = (int)json_integer_value(json_object_get(root, "square_off"));
	r->ack_open = json_integer_value(json_object_get(root, "open"));
	if (algo_dec_from_double(json_number_value(json_object_get(root, "slip_bps")), &r->ack_slip_bps) ||
	    algo_dec_from_double(json_number_value(json_object_get(root, "slip_abs")), &r->ack_slip_abs) ||
	    algo_dec_from_double(json_number_value(json_object_get(root, "fee_bps")), &r->ack_fee_bps))
		r->ack_slip_bps = r->ack_slip_abs = 0, r->ack_fee_bps = 100 * 10000;
	if (take_working(r, w) || (newexec && reconcile(r, json_object_get(root, "positions")))) {
		json_decref(root);
		snprintf(err, errlen, "bad ack or out of memory");
		return -1;
	}
	r->reconciled = 1;
	json_decref(root);
	for (size_t k = 0; k < algo_book_tab_count(&r->marks); k++) {
		struct mark *m = algo_book_tab_at(&r->marks, k, NULL, NULL);
		m->lo = m->hi = m->px;
	}
	forget_final(r);
	r->waits++;
	return 0;
}

int algo_risk_channel(struct algo_risk *r, const char *line, size_t len, char *err, size_t errlen)
{
	struct algo_event ev;
	const struct algo_jfield *t;
	int rc;
	if (algo_event_parse(&ev, line, len, err, errlen))
		goto bad;
	t = algo_event_get(&ev, "type");
	if (ev.type == ALGO_EV_FILL || (t && t->vlen == 5 && memcmp(t->val, "final", 5) == 0)) {
		if (read_record(r, &ev, ev.type == ALGO_EV_FILL, err, errlen))
			goto bad;
		return 0;
	}
	if (t && t->vlen == 3 && memcmp(t->val, "ack", 3) == 0) {
		if ((rc = take_ack(r, line, len, err, errlen)) == 0)
			return 0;
		if (rc == -2)
			return -1;         /* applying a record failed: its message as is */
		goto bad;
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
	algo_book_tab_init(&r->nfill, sizeof(struct nfill));
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
	free(r->chan);
	r->chan = NULL;
	r->nchan = r->capchan = 0;
}

/* ---- the snapshot ------------------------------------------------------------------- */

/* Splits a tab key of three names; 0 when it does not have three that fit. */
static int split3(const char *k, size_t kl, char *a, char *b, char *c)
{
	char *out[3] = { a, b, c };
	size_t start = 0, j = 0;
	for (size_t x = 0; x <= kl && j < 3; x++)
		if (x == kl || k[x] == '\x1f') {
			if (x - start >= ALGO_NAME_MAX)
				return 0;
			memcpy(out[j], k + start, x - start);
			out[j++][x - start] = '\0';
			start = x + 1;
		}
	return j == 3 && start == kl + 1;
}

static void pack_position(struct algo_pack *p, const struct algo_position *x)
{
	algo_pack_i64(p, x->qty);
	algo_pack_i64(p, x->cost);
	algo_pack_i64(p, x->realised);
	algo_pack_i64(p, x->fees);
	algo_pack_i64(p, x->trades);
}

static void unpack_position(struct algo_unpack *u, struct algo_position *x)
{
	x->qty = algo_unpack_i64(u);
	x->cost = algo_unpack_i64(u);
	x->realised = algo_unpack_i64(u);
	x->fees = algo_unpack_i64(u);
	x->trades = algo_unpack_i64(u);
}

void algo_risk_position_pack(struct algo_pack *p, const struct algo_position *x)
{
	pack_position(p, x);
}

void algo_risk_position_unpack(struct algo_unpack *u, struct algo_position *x)
{
	unpack_position(u, x);
}

/* The index of the real-fill position an uncertain order belongs to. */
static int64_t unc_index(const struct algo_risk *r, const struct algo_risk_unc *x)
{
	for (size_t i = 0; i < algo_book_tab_count(&r->fpos); i++) {
		const struct fpos *fp = algo_book_tab_at(&r->fpos, i, NULL, NULL);
		if (fp->ps == x->ps && fp->m == x->m)
			return (int64_t)i;
	}
	return -1;
}

void algo_risk_pnlbook_pack(const struct algo_risk *r, struct algo_pack *p)
{
	const char *k;
	size_t kl;
	algo_pack_i64(p, (int64_t)algo_book_tab_count(&r->marks));
	for (size_t i = 0; i < algo_book_tab_count(&r->marks); i++) {
		const struct mark *m = algo_book_tab_at(&r->marks, i, &k, &kl);
		algo_pack_bytes(p, k, kl);
		algo_pack_i64(p, m->have);
		algo_pack_i64(p, m->px);
		algo_pack_i64(p, m->lo);
		algo_pack_i64(p, m->hi);
	}
	algo_pack_i64(p, (int64_t)algo_book_tab_count(&r->fpos));
	for (size_t i = 0; i < algo_book_tab_count(&r->fpos); i++) {
		const struct fpos *fp = algo_book_tab_at(&r->fpos, i, &k, &kl);
		algo_pack_bytes(p, k, kl);
		pack_position(p, &fp->p);
		pack_position(p, &fp->held);
		algo_pack_i64(p, fp->day);
		algo_pack_i64(p, fp->realised_day);
		algo_pack_i64(p, fp->fees_day);
	}
	algo_pack_i64(p, (int64_t)algo_book_tab_count(&r->pend));
	for (size_t i = 0; i < algo_book_tab_count(&r->pend); i++) {
		const struct pend *pd = algo_book_tab_at(&r->pend, i, &k, &kl);
		algo_pack_bytes(p, k, kl);
		algo_pack_str(p, pd->user);
		algo_pack_str(p, pd->strategy);
		algo_pack_str(p, pd->symbol);
		algo_pack_i64(p, pd->side);
		algo_pack_i64(p, pd->final);
		algo_pack_i64(p, pd->qty);
		algo_pack_i64(p, pd->price);
	}
	algo_pack_i64(p, (int64_t)algo_book_tab_count(&r->nfill));
	for (size_t i = 0; i < algo_book_tab_count(&r->nfill); i++) {
		const struct nfill *nf = algo_book_tab_at(&r->nfill, i, &k, &kl);
		algo_pack_bytes(p, k, kl);
		algo_pack_i64(p, nf->n);
		algo_pack_i64(p, nf->final);
	}
	algo_pack_i64(p, (int64_t)r->nunc);
	for (size_t i = 0; i < r->nunc; i++) {
		algo_pack_i64(p, unc_index(r, &r->unc[i]));
		algo_pack_i64(p, r->unc[i].side);
		algo_pack_i64(p, r->unc[i].qty);
	}
	algo_pack_i64(p, r->ack_square_off);
	algo_pack_i64(p, r->ack_open);
	algo_pack_i64(p, r->ack_slip_bps);
	algo_pack_i64(p, r->ack_slip_abs);
	algo_pack_i64(p, r->ack_fee_bps);
	algo_pack_i64(p, r->ack_day);
	algo_pack_str(p, r->epoch);
	algo_pack_i64(p, r->seq_applied);
	algo_pack_i64(p, r->nfinal);
}

/* A key of kl bytes into buf (ALGO_NAME_MAX * 3); 0 when it does not fit. */
static size_t unpack_key(struct algo_unpack *u, char *buf, size_t size)
{
	size_t n;
	const void *b = algo_unpack_bytes(u, &n);
	if (!b || n == 0 || n >= size) {
		u->bad = 1;
		return 0;
	}
	memcpy(buf, b, n);
	return n;
}

int algo_risk_pnlbook_unpack(struct algo_risk *r, struct algo_unpack *u)
{
	char k[3 * ALGO_NAME_MAX], a[ALGO_NAME_MAX], b[ALGO_NAME_MAX], c[ALGO_NAME_MAX];
	int64_t n = algo_unpack_range(u, 0, 1 << 24);
	for (int64_t i = 0; i < n && !u->bad; i++) {
		size_t kl = unpack_key(u, k, sizeof k);
		struct mark *m = kl ? algo_book_tab_get(&r->marks, k, kl, 1) : NULL;
		if (!m)
			return -1;
		m->have = (int)algo_unpack_i64(u);
		m->px = algo_unpack_i64(u);
		m->lo = algo_unpack_i64(u);
		m->hi = algo_unpack_i64(u);
	}
	n = algo_unpack_range(u, 0, 1 << 24);
	for (int64_t i = 0; i < n && !u->bad; i++) {
		size_t kl = unpack_key(u, k, sizeof k);
		struct fpos *fp = kl && split3(k, kl, a, b, c) ? get_fpos(r, a, b, c) : NULL;
		if (!fp)
			return -1;
		unpack_position(u, &fp->p);
		unpack_position(u, &fp->held);
		fp->day = algo_unpack_i64(u);
		fp->realised_day = algo_unpack_i64(u);
		fp->fees_day = algo_unpack_i64(u);
	}
	n = algo_unpack_range(u, 0, 1 << 24);
	for (int64_t i = 0; i < n && !u->bad; i++) {
		size_t kl = unpack_key(u, k, sizeof k);
		struct pend *pd = kl ? algo_book_tab_get(&r->pend, k, kl, 1) : NULL;
		if (!pd)
			return -1;
		algo_unpack_str(u, pd->user, sizeof pd->user);
		algo_unpack_str(u, pd->strategy, sizeof pd->strategy);
		algo_unpack_str(u, pd->symbol, sizeof pd->symbol);
		pd->side = (int)algo_unpack_range(u, -1, 1);
		pd->final = (int)algo_unpack_range(u, 0, 1);
		pd->qty = algo_unpack_i64(u);
		pd->price = algo_unpack_i64(u);
	}
	n = algo_unpack_range(u, 0, 1 << 24);
	for (int64_t i = 0; i < n && !u->bad; i++) {
		size_t kl = unpack_key(u, k, sizeof k);
		struct nfill *nf = kl ? algo_book_tab_get(&r->nfill, k, kl, 1) : NULL;
		if (!nf)
			return -1;
		nf->n = algo_unpack_i64(u);
		nf->final = (int)algo_unpack_range(u, 0, 1);
	}
	n = algo_unpack_range(u, 0, 1 << 24);
	for (int64_t i = 0; i < n && !u->bad; i++) {
		int64_t at = algo_unpack_range(u, 0, (int64_t)algo_book_tab_count(&r->fpos) - 1);
		int side = (int)algo_unpack_range(u, -1, 1);
		int64_t q = algo_unpack_i64(u);
		struct fpos *fp = u->bad ? NULL : algo_book_tab_at(&r->fpos, (size_t)at, NULL, NULL);
		if (!fp || add_unc(r, fp, side, q))
			return -1;
	}
	r->ack_square_off = (int)algo_unpack_range(u, -1, 24 * 60);
	r->ack_open = algo_unpack_i64(u);
	r->ack_slip_bps = algo_unpack_i64(u);
	r->ack_slip_abs = algo_unpack_i64(u);
	r->ack_fee_bps = algo_unpack_i64(u);
	r->ack_day = algo_unpack_i64(u);
	algo_unpack_str(u, r->epoch, sizeof r->epoch);
	r->seq_applied = r->seq_saved = algo_unpack_i64(u);
	r->nfinal = (size_t)algo_unpack_range(u, 0, INT64_MAX);
	return u->bad ? -1 : 0;
}
