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

/* The batch transaction the decisions and reports are recorded in: one per batch, not
 * per decision (a commit per signal cost 2.4 s in a 1M-bar
 * backtest). The caller commits before its output leaves the process, and a kill
 * cannot commit while this transaction holds the write lock. */
int algo_risk_begin_batch(struct algo_risk *r, char *err, size_t errlen)
{
	if (!r->db || r->db->in_txn)
		return 0;
	if (algo_store_exec(r->db->s, "BEGIN IMMEDIATE", err, errlen))
		return -1;
	r->db->in_txn = 1;
	return 0;
}

/* Records a decided signal (approved when id is non-NULL). */
int algo_risk_record(struct algo_risk *r, const char *user, const char *strategy, const char *symbol,
	int64_t ts, const char *action, int side, int64_t qty, int64_t price, const char *id,
	const char *rule, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int rc;
	if (!r->db)
		return 0;
	if (algo_risk_begin_batch(r, err, errlen))
		return -1;
	st = r->db->ins;
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, user, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, strategy, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, symbol, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 4, ts);
	sqlite3_bind_text(st, 5, action, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, side > 0 ? "buy" : "sell", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, algo_time_ist_day(ts));
	if (id) sqlite3_bind_text(st, 8, id, -1, SQLITE_TRANSIENT);
	else sqlite3_bind_null(st, 8);
	sqlite3_bind_int64(st, 9, qty);
	sqlite3_bind_int64(st, 10, price);
	if (rule) sqlite3_bind_text(st, 11, rule, -1, SQLITE_STATIC);
	else sqlite3_bind_null(st, 11);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "%s: recording a decision: %s", r->db->s->path,
			sqlite3_errmsg(r->db->s->db));
		return -1;
	}
	return 0;
}

int algo_risk_decided(struct algo_risk *r, const char *user, const char *strategy,
	const char *symbol, int64_t ts, const char *action, int side, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int rc;
	if (!r->db)
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
	sqlite3_stmt *st;
	int rc;
	if (!r->db)
		return 0;
	if (algo_risk_begin_batch(r, err, errlen))
		return -1;
	st = r->db->insf;
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, user, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
	if (strategy) sqlite3_bind_text(st, 4, strategy, -1, SQLITE_TRANSIENT);
	else sqlite3_bind_null(st, 4);
	if (symbol) sqlite3_bind_text(st, 5, symbol, -1, SQLITE_TRANSIENT);
	else sqlite3_bind_null(st, 5);
	if (side) sqlite3_bind_text(st, 6, side > 0 ? "buy" : "sell", -1, SQLITE_STATIC);
	else sqlite3_bind_null(st, 6);
	sqlite3_bind_int64(st, 7, qty);
	sqlite3_bind_int64(st, 8, price);
	sqlite3_bind_int64(st, 9, fee);
	sqlite3_bind_int64(st, 10, ts);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "%s: recording a fill: %s", r->db->s->path,
			sqlite3_errmsg(r->db->s->db));
		return -1;
	}
	return 0;
}

int algo_risk_attach(struct algo_risk *r, struct algo_store *s, char *err, size_t errlen)
{
	struct algo_risk_db *d = calloc(1, sizeof *d);
	sqlite3_stmt *st;
	int rc;
	if (!d) { snprintf(err, errlen, "out of memory"); return -1; }
	d->s = s;
	if (!(d->seen = algo_store_prepare(s, "SELECT 1 FROM risk_signals WHERE user = ?1 AND "
		"strategy = ?2 AND symbol = ?3 AND ts_ms = ?4 AND action = ?5 AND side = ?6", err, errlen)) ||
	    !(d->ins = algo_store_prepare(s, "INSERT OR IGNORE INTO risk_signals (user, strategy, "
		"symbol, ts_ms, action, side, day, order_id, qty, price, rule) VALUES "
		"(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)", err, errlen)) ||
	    !(d->states = algo_store_prepare(s, "SELECT scope, key, state, reason FROM risk_state "
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
	if (algo_risk_load_states(r, err, errlen))
		goto fail;
	/* rebuild the book and the counters from the approved orders */
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
	db_free(r->db);
	r->db = NULL;
	return -1;
}

/* Fills r->changes with the differences between r->states and nw, then adopts nw. */
int algo_risk_commit(struct algo_risk *r, char *err, size_t errlen)
{
	if (!r->db || !r->db->in_txn)
		return 0;
	r->db->in_txn = 0;
	return algo_store_exec(r->db->s, "COMMIT", err, errlen);
}

