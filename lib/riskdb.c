/* riskdb — algo-risk's records in the state database. See riskdb.h for the contract. */
#include "riskdb.h"
#include "decimal.h"
#include "risk.h"
#include "timeutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void db_free(struct algo_risk_db *d)
{
	if (!d) return;
	sqlite3_finalize(d->seen);
	sqlite3_finalize(d->ins);
	sqlite3_finalize(d->states);
	sqlite3_finalize(d->dv);
	sqlite3_finalize(d->plan);
	sqlite3_finalize(d->insf);
	free(d->recs);
	free(d);
}

void algo_risk_detach(struct algo_risk *r)
{
	db_free(r->db);
	r->db = NULL;
}

static const int64_t plan_trades[] = { 20, 50, 100 };
static const int64_t plan_loss[] = { 2000 * ALGO_DEC_SCALE, 5000 * ALGO_DEC_SCALE, ALGO_RISK_NOLIMIT };
static const char *const plan_names[] = { "FREE", "BASIC", "PRO" };

const struct algo_risk_plan *algo_risk_plan_of(struct algo_risk *r, const char *user)
{
	static const struct algo_risk_plan none;
	struct algo_risk_plan *p = algo_book_tab_get(&r->plans, user, strlen(user), 0);
	sqlite3_stmt *st;
	if (p)
		return p;
	if (!r->db || !(p = algo_book_tab_get(&r->plans, user, strlen(user), 1)))
		return &none;
	st = r->db->plan;
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, user, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		p->known = 1;
		snprintf(p->plan, sizeof p->plan, "%s", name ? name : "");
		p->live = sqlite3_column_int(st, 1);
		p->max_strategies = sqlite3_column_type(st, 2) == SQLITE_NULL ? ALGO_RISK_NOLIMIT :
			sqlite3_column_int64(st, 2);
		p->max_trades_per_day = ALGO_RISK_NOLIMIT;
		p->max_daily_loss = ALGO_RISK_NOLIMIT;
		for (size_t i = 0; i < 3; i++)
			if (strcmp(p->plan, plan_names[i]) == 0) {
				p->max_trades_per_day = plan_trades[i];
				p->max_daily_loss = plan_loss[i];
			}
	}
	sqlite3_reset(st);
	return p;
}

/* One record waiting for the next save: a decision (kind 's') or a report ('f'
 * fill, 'F' final). action and rule are static strings. */
struct algo_risk_rec {
	char kind;
	char user[ALGO_NAME_MAX], strategy[ALGO_NAME_MAX], symbol[ALGO_NAME_MAX], id[ALGO_NAME_MAX];
	const char *action, *rule;
	int side;
	int64_t ts, qty, price, fee;
};

static struct algo_risk_rec *new_rec(struct algo_risk_db *d, char kind, char *err, size_t errlen)
{
	struct algo_risk_rec *x;
	if (d->nrecs == d->caprecs) {
		size_t cap = d->caprecs ? 2 * d->caprecs : 64;
		struct algo_risk_rec *n = realloc(d->recs, cap * sizeof *n);
		if (!n) { snprintf(err, errlen, "out of memory"); return NULL; }
		d->recs = n;
		d->caprecs = cap;
	}
	x = &d->recs[d->nrecs++];
	memset(x, 0, sizeof *x);
	x->kind = kind;
	return x;
}

static void set_name(char *out, const char *s)
{
	snprintf(out, ALGO_NAME_MAX, "%s", s ? s : "");
}

/* A new record with the members every kind has. */
static struct algo_risk_rec *queue(struct algo_risk_db *d, char kind, const char *user,
	const char *strategy, const char *symbol, const char *id, int64_t ts, int side, int64_t qty,
	int64_t price, char *err, size_t errlen)
{
	struct algo_risk_rec *x = new_rec(d, kind, err, errlen);
	if (!x)
		return NULL;
	set_name(x->user, user);
	set_name(x->strategy, strategy);
	set_name(x->symbol, symbol);
	set_name(x->id, id);
	x->ts = ts;
	x->side = side;
	x->qty = qty;
	x->price = price;
	return x;
}

int algo_risk_record(struct algo_risk *r, const char *user, const char *strategy, const char *symbol,
	int64_t ts, const char *action, int side, int64_t qty, int64_t price, const char *id,
	const char *rule, char *err, size_t errlen)
{
	struct algo_risk_rec *x;
	if (!r->db)
		return 0;
	if (!(x = queue(r->db, 's', user, strategy, symbol, id, ts, side, qty, price, err, errlen)))
		return -1;
	x->action = action;
	x->rule = id ? NULL : rule;
	return 0;
}

int algo_risk_decided(struct algo_risk *r, const char *user, const char *strategy,
	const char *symbol, int64_t ts, const char *action, int side, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int rc;
	if (!r->db || !r->db->legacy)
		return 0;
	st = r->db->seen;
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, user, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, strategy, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, symbol, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 4, ts);
	sqlite3_bind_text(st, 5, action, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, side > 0 ? "buy" : "sell", -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "%s: %s", r->db->s->path, sqlite3_errmsg(r->db->s->db));
		return -1;
	}
	return 0;
}

int algo_risk_record_exec(struct algo_risk *r, const char *kind, int64_t ts, const char *id,
	const char *user, const char *strategy, const char *symbol, int side, int64_t qty,
	int64_t price, int64_t fee, char *err, size_t errlen)
{
	struct algo_risk_rec *x;
	if (!r->db)
		return 0;
	if (!(x = queue(r->db, strcmp(kind, "fill") == 0 ? 'f' : 'F', user, strategy, symbol, id, ts,
	    side, qty, price, err, errlen)))
		return -1;
	x->fee = fee;
	return 0;
}

static int write_decision(struct algo_risk_db *d, const struct algo_risk_rec *x)
{
	sqlite3_stmt *st = d->ins;
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, x->user, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, x->strategy, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, x->symbol, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, x->ts);
	sqlite3_bind_text(st, 5, x->action, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, x->side > 0 ? "buy" : "sell", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, algo_time_ist_day(x->ts));
	if (x->id[0]) sqlite3_bind_text(st, 8, x->id, -1, SQLITE_STATIC);
	else sqlite3_bind_null(st, 8);
	sqlite3_bind_int64(st, 9, x->qty);
	sqlite3_bind_int64(st, 10, x->price);
	if (x->rule) sqlite3_bind_text(st, 11, x->rule, -1, SQLITE_STATIC);
	else sqlite3_bind_null(st, 11);
	return sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
}

static int write_report(struct algo_risk_db *d, const struct algo_risk_rec *x)
{
	sqlite3_stmt *st = d->insf;
	int fill = x->kind == 'f';
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, x->user, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, x->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, fill ? "fill" : "final", -1, SQLITE_STATIC);
	if (fill) {
		sqlite3_bind_text(st, 4, x->strategy, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, x->symbol, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, x->side > 0 ? "buy" : "sell", -1, SQLITE_STATIC);
	} else {
		sqlite3_bind_null(st, 4);
		sqlite3_bind_null(st, 5);
		sqlite3_bind_null(st, 6);
	}
	sqlite3_bind_int64(st, 7, x->qty);
	sqlite3_bind_int64(st, 8, x->price);
	sqlite3_bind_int64(st, 9, x->fee);
	sqlite3_bind_int64(st, 10, x->ts);
	return sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
}

int algo_risk_save_records(struct algo_risk *r, char *err, size_t errlen)
{
	struct algo_risk_db *d = r->db;
	if (!d)
		return 0;
	for (size_t i = 0; i < d->nrecs; i++) {
		const struct algo_risk_rec *x = &d->recs[i];
		if (x->kind == 's' ? write_decision(d, x) : write_report(d, x)) {
			snprintf(err, errlen, "%s: recording %s: %s", d->s->path,
				x->kind == 's' ? "a decision" : "a fill", sqlite3_errmsg(d->s->db));
			return -1;
		}
	}
	d->nrecs = 0;
	return algo_risk_save_states(r, d->s, err, errlen);
}

int algo_risk_attach(struct algo_risk *r, struct algo_store *s, char *err, size_t errlen)
{
	struct algo_risk_db *d = calloc(1, sizeof *d);
	if (!d) { snprintf(err, errlen, "out of memory"); return -1; }
	d->s = s;
	if (!(d->seen = algo_store_prepare(s, "SELECT 1 FROM risk_signals WHERE user = ?1 AND "
		"strategy = ?2 AND symbol = ?3 AND ts_ms = ?4 AND action = ?5 AND side = ?6", err, errlen)) ||
	    !(d->ins = algo_store_prepare(s, "INSERT OR IGNORE INTO risk_signals (user, strategy, "
		"symbol, ts_ms, action, side, day, order_id, qty, price, rule) VALUES "
		"(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)", err, errlen)) ||
	    !(d->states = algo_store_prepare(s, "SELECT scope, key, state, reason, ts_ms FROM risk_state "
		"WHERE state <> 'active' ORDER BY CASE scope WHEN 'all' THEN 0 WHEN 'user' THEN 1 "
		"ELSE 2 END, key", err, errlen)) ||
	    !(d->dv = algo_store_prepare(s, "PRAGMA data_version", err, errlen)) ||
	    !(d->insf = algo_store_prepare(s, "INSERT INTO risk_fills (user, order_id, kind, strategy, "
		"symbol, side, qty, price, fee, ts_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
		err, errlen)) ||
	    !(d->plan = algo_store_prepare(s, "SELECT a.plan, p.live, p.max_strategies FROM "
		"accounts a JOIN plans p ON p.plan = a.plan WHERE a.user = ?1 AND a.disabled = 0",
		err, errlen))) {
		db_free(d);
		return -1;
	}
	r->db = d;
	if (algo_risk_adopt_states(r, err, errlen)) {
		algo_risk_detach(r);
		return -1;
	}
	return 0;
}

int algo_risk_rebuild(struct algo_risk *r, char *err, size_t errlen)
{
	struct algo_store *s = r->db->s;
	sqlite3_stmt *st;
	int rc;
	/* the book and the counters from the approved orders */
	st = algo_store_prepare(s, "SELECT user, strategy, symbol, ts_ms, action, side, qty, price, "
		"order_id FROM risk_signals WHERE order_id IS NOT NULL ORDER BY rowid", err, errlen);
	if (!st)
		goto fail;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *u = (const char *)sqlite3_column_text(st, 0);
		const char *g = (const char *)sqlite3_column_text(st, 1);
		const char *y = (const char *)sqlite3_column_text(st, 2);
		const char *a = (const char *)sqlite3_column_text(st, 4);
		const char *sd = (const char *)sqlite3_column_text(st, 5);
		int64_t ts = sqlite3_column_int64(st, 3);
		if (!u || !g || !y || !a || !sd) continue;
		r->db->legacy = 1;         /* decisions of an older build: a signal in them is done */
		if (algo_risk_apply_order(r, u, g, y, ts, strcmp(a, "entry") == 0,
		    strcmp(sd, "buy") == 0 ? ALGO_BUY : ALGO_SELL, sqlite3_column_int64(st, 6),
		    sqlite3_column_int64(st, 7), NULL, err, errlen)) {
			sqlite3_finalize(st);
			goto fail;
		}
		if (sqlite3_column_text(st, 8) && algo_risk_track_order(r, u, g, y,
		    (const char *)sqlite3_column_text(st, 8), strcmp(sd, "buy") == 0 ? ALGO_BUY : ALGO_SELL,
		    sqlite3_column_int64(st, 6), sqlite3_column_int64(st, 7), 0, err, errlen)) {
			sqlite3_finalize(st);
			goto fail;
		}
		if (algo_risk_throttle_note(r, u, ts)) {
			sqlite3_finalize(st);
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "%s: reading risk_signals: %s", s->path, sqlite3_errmsg(s->db));
		goto fail;
	}
	/* then what the executor reported: real fills, and corrections of the exposure */
	st = algo_store_prepare(s, "SELECT kind, user, order_id, strategy, symbol, side, qty, price, "
		"fee, ts_ms FROM risk_fills ORDER BY seq", err, errlen);
	if (!st)
		goto fail;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *k = (const char *)sqlite3_column_text(st, 0);
		const char *u = (const char *)sqlite3_column_text(st, 1);
		const char *id = (const char *)sqlite3_column_text(st, 2);
		const char *g = (const char *)sqlite3_column_text(st, 3);
		const char *y = (const char *)sqlite3_column_text(st, 4);
		const char *sd = (const char *)sqlite3_column_text(st, 5);
		int bad;
		if (!k || !u || !id) continue;
		if (strcmp(k, "fill") == 0)
			bad = !g || !y || !sd || algo_risk_apply_fill(r, sqlite3_column_int64(st, 9), id, 0, u, g, y,
				strcmp(sd, "buy") == 0 ? ALGO_BUY : ALGO_SELL, sqlite3_column_int64(st, 6),
				sqlite3_column_int64(st, 7), sqlite3_column_int64(st, 8), err, errlen);
		else
			bad = algo_risk_apply_final(r, id, u, sqlite3_column_int64(st, 6), err, errlen);
		if (bad) {
			sqlite3_finalize(st);
			goto fail;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "%s: reading risk_fills: %s", s->path, sqlite3_errmsg(s->db));
		goto fail;
	}
	/* Orders in flight at a crash stay in the exposure as approved: an executor that
	 * kept running reports them to this run (by order id), a restarted one never
	 * does. What the executor holds is unknown until the first sync. */
	r->nunc = 0;
	return 0;
fail:
	return -1;
}



int algo_risk_snapshot_get(struct algo_store *s, const char *key, void **blob, size_t *len,
	int64_t *horizon, char *err, size_t errlen)
{
	sqlite3_stmt *q = algo_store_prepare(s, "SELECT state, horizon_ms FROM risk_snapshot "
		"WHERE stage = ?1", err, errlen);
	int rc;
	*blob = NULL;
	*len = 0;
	*horizon = INT64_MIN;
	if (!q)
		return -1;
	sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		size_t n = (size_t)sqlite3_column_bytes(q, 0);
		*horizon = sqlite3_column_int64(q, 1);
		if (n && !(*blob = malloc(n))) {
			sqlite3_finalize(q);
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		if (n)
			memcpy(*blob, sqlite3_column_blob(q, 0), n);
		*len = n;
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		snprintf(err, errlen, "%s: reading risk_snapshot: %s", s->path, sqlite3_errmsg(s->db));
		return -1;
	}
	return rc == SQLITE_ROW && *len ? 1 : 0;
}

int algo_risk_snapshot_put(struct algo_store *s, const char *key, const void *blob, size_t len,
	int64_t horizon, char *err, size_t errlen)
{
	sqlite3_stmt *q = algo_store_prepare(s, "INSERT INTO risk_snapshot (stage, state, horizon_ms) "
		"VALUES (?1, ?2, ?3) ON CONFLICT (stage) DO UPDATE SET state = excluded.state, "
		"horizon_ms = max(horizon_ms, excluded.horizon_ms)", err, errlen);
	int rc;
	if (!q)
		return -1;
	sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_blob(q, 2, blob, (int)len, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, horizon);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "%s: saving risk_snapshot: %s", s->path, sqlite3_errmsg(s->db));
		return -1;
	}
	return 0;
}

int algo_risk_horizon_put(struct algo_store *s, const char *key, int64_t horizon, char *err,
	size_t errlen)
{
	sqlite3_stmt *q;
	int rc;
	if (algo_store_begin(s, err, errlen))
		return -1;
	q = algo_store_prepare(s, "INSERT INTO risk_snapshot (stage, state, horizon_ms) "
		"VALUES (?1, x'', ?2) ON CONFLICT (stage) DO UPDATE SET "
		"horizon_ms = max(horizon_ms, excluded.horizon_ms)", err, errlen);
	if (!q) {
		algo_store_rollback(s);
		return -1;
	}
	sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, horizon);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "%s: %s", s->path, sqlite3_errmsg(s->db));
		algo_store_rollback(s);
		return -1;
	}
	return algo_store_commit(s, err, errlen);
}
