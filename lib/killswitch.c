/* killswitch — trading states of every scope. See killswitch.h for the contract. */
#include "killswitch.h"
#include "audit.h"
#include "pack.h"
#include "risk.h"
#include "timeutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *algo_risk_state_name(int state)
{
	return state == ALGO_RISK_HALTED ? "halted" : state == ALGO_RISK_REDUCING ? "reducing" : "active";
}

const char *algo_risk_scope_name(int scope)
{
	return scope == ALGO_RISK_SCOPE_USER ? "user" : scope == ALGO_RISK_SCOPE_STRATEGY ? "strategy" : "all";
}

int algo_risk_state_of(const struct algo_risk *r, const char *user, const char *strategy,
	char *why, size_t whylen)
{
	int best = ALGO_RISK_ACTIVE;
	for (size_t i = 0; i < r->nstates; i++) {
		const struct algo_risk_state *st = &r->states[i];
		int hit = st->scope == ALGO_RISK_SCOPE_ALL ||
			(st->scope == ALGO_RISK_SCOPE_USER && strcmp(st->key, user) == 0) ||
			(st->scope == ALGO_RISK_SCOPE_STRATEGY && strcmp(st->key, strategy) == 0);
		if (hit && st->state > best) {
			best = st->state;
			if (why)
				snprintf(why, whylen, "%s%s%s %s%s%s", st->scope == ALGO_RISK_SCOPE_ALL ?
					"all trading" : algo_risk_scope_name(st->scope),
					st->key[0] ? " " : "", st->key, algo_risk_state_name(st->state),
					st->reason[0] ? ": " : "", st->reason);
		}
	}
	return best;
}

static int parse_state(const char *s)
{
	if (!s) return ALGO_RISK_ACTIVE;
	return strcmp(s, "halted") == 0 ? ALGO_RISK_HALTED : strcmp(s, "reducing") == 0 ?
		ALGO_RISK_REDUCING : ALGO_RISK_ACTIVE;
}

static int parse_scope(const char *s)
{
	if (!s) return ALGO_RISK_SCOPE_ALL;
	return strcmp(s, "user") == 0 ? ALGO_RISK_SCOPE_USER : strcmp(s, "strategy") == 0 ?
		ALGO_RISK_SCOPE_STRATEGY : ALGO_RISK_SCOPE_ALL;
}

/* Reads the non-active rows of risk_state into a new array. */
static int load_states(struct algo_risk *r, struct algo_risk_state **out, size_t *n,
	char *err, size_t errlen)
{
	sqlite3_stmt *st = r->db->states;
	size_t cap = 0;
	int rc;
	*out = NULL;
	*n = 0;
	sqlite3_reset(st);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct algo_risk_state *x;
		const char *reason = (const char *)sqlite3_column_text(st, 3);
		const char *key = (const char *)sqlite3_column_text(st, 1);
		if (*n == cap) {
			struct algo_risk_state *nw = realloc(*out, (cap = cap ? 2 * cap : 8) * sizeof *nw);
			if (!nw) { rc = SQLITE_NOMEM; break; }
			*out = nw;
		}
		x = &(*out)[(*n)++];
		x->scope = parse_scope((const char *)sqlite3_column_text(st, 0));
		snprintf(x->key, sizeof x->key, "%s", key ? key : "");
		x->state = parse_state((const char *)sqlite3_column_text(st, 2));
		snprintf(x->reason, sizeof x->reason, "%s", reason ? reason : "");
		x->ts_ms = sqlite3_column_int64(st, 4);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		free(*out);
		*out = NULL;
		*n = 0;
		snprintf(err, errlen, "%s: reading risk_state: %s", r->db->s->path,
			sqlite3_errmsg(r->db->s->db));
		return -1;
	}
	return 0;
}

static int read_data_version(struct algo_risk *r, int64_t *v)
{
	int rc;
	sqlite3_reset(r->db->dv);
	rc = sqlite3_step(r->db->dv);
	if (rc == SQLITE_ROW)
		*v = sqlite3_column_int64(r->db->dv, 0);
	sqlite3_reset(r->db->dv);
	return rc == SQLITE_ROW ? 0 : -1;
}

/* Whether row x is the one own write w changes. */
static int same_scope(const struct algo_risk_state *x, const struct algo_risk_state *w)
{
	return x->scope == w->scope && strcmp(x->key, w->key) == 0;
}

/* Applies the engine's own writes not saved yet to rows loaded from the database (in
 * *v, n of them, capacity for n + r->nown): a trip sets its row, a reset removes a
 * row still as it was when the reset was decided (one changed since is kept). */
static void overlay_own(const struct algo_risk *r, struct algo_risk_state *v, size_t *n)
{
	for (size_t i = 0; i < r->nown; i++) {
		const struct algo_risk_own *w = &r->own[i];
		size_t j;
		for (j = 0; j < *n && !same_scope(&v[j], &w->st); j++)
			;
		if (!w->reset) {
			v[j] = w->st;
			if (j == *n)
				(*n)++;
		} else if (j < *n && v[j].ts_ms == w->cond_ts) {
			memmove(&v[j], &v[j + 1], (*n - j - 1) * sizeof *v);
			(*n)--;
		}
	}
}

/* The rows of risk_state as the engine will have written them: the database's, then
 * its own writes not saved yet. A new array in *out. */
static int current_states(struct algo_risk *r, struct algo_risk_state **out, size_t *n,
	char *err, size_t errlen)
{
	struct algo_risk_state *v;
	if (load_states(r, out, n, err, errlen))
		return -1;
	if (!r->nown)
		return 0;
	if (!(v = realloc(*out, (*n + r->nown) * sizeof *v))) {
		free(*out);
		*out = NULL;
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	*out = v;
	overlay_own(r, v, n);
	return 0;
}

int algo_risk_adopt_states(struct algo_risk *r, char *err, size_t errlen)
{
	struct algo_risk_state *nw;
	size_t nn;
	if (!r->db)
		return 0;
	if (read_data_version(r, &r->db->data_version)) {
		snprintf(err, errlen, "%s: %s", r->db->s->path, sqlite3_errmsg(r->db->s->db));
		return -1;
	}
	if (current_states(r, &nw, &nn, err, errlen))
		return -1;
	free(r->states);
	r->states = nw;
	r->nstates = nn;
	return 0;
}

static int diff_states(struct algo_risk *r, struct algo_risk_state *nw, size_t nn)
{
	size_t cap = r->nstates + nn, k = 0;
	struct algo_risk_state *ch = cap ? calloc(cap, sizeof *ch) : NULL;
	if (cap && !ch) { free(nw); return -1; }
	for (size_t i = 0; i < nn; i++) {
		size_t j;
		for (j = 0; j < r->nstates; j++)
			if (r->states[j].scope == nw[i].scope && strcmp(r->states[j].key, nw[i].key) == 0)
				break;
		if (j == r->nstates || r->states[j].state != nw[i].state)
			ch[k++] = nw[i];
	}
	for (size_t j = 0; j < r->nstates; j++) {
		size_t i;
		for (i = 0; i < nn; i++)
			if (r->states[j].scope == nw[i].scope && strcmp(r->states[j].key, nw[i].key) == 0)
				break;
		if (i == nn) {
			ch[k] = r->states[j];
			ch[k].state = ALGO_RISK_ACTIVE;
			ch[k++].reason[0] = '\0';
		}
	}
	free(r->changes);
	free(r->states);
	r->changes = ch;
	r->nchanges = k;
	r->states = nw;
	r->nstates = nn;
	return (int)k;
}

int algo_risk_poll(struct algo_risk *r, char *err, size_t errlen)
{
	int64_t dv;
	struct algo_risk_state *nw;
	size_t nn;
	r->nchanges = 0;
	if (!r->db)
		return 0;
	if (read_data_version(r, &dv)) {
		snprintf(err, errlen, "%s: %s", r->db->s->path, sqlite3_errmsg(r->db->s->db));
		return -1;
	}
	if (dv == r->db->data_version)
		return 0;
	r->db->data_version = dv;
	if (current_states(r, &nw, &nn, err, errlen))
		return -1;
	if (diff_states(r, nw, nn) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return (int)r->nchanges;
}

/* Queues one of the engine's own writes of risk_state for the next save. */
static int add_own(struct algo_risk *r, const struct algo_risk_own *w, char *err, size_t errlen)
{
	if (r->nown == r->capown) {
		size_t cap = r->capown ? 2 * r->capown : 8;
		struct algo_risk_own *n = realloc(r->own, cap * sizeof *n);
		if (!n) { snprintf(err, errlen, "out of memory"); return -1; }
		r->own = n;
		r->capown = cap;
	}
	r->own[r->nown++] = *w;
	return 0;
}

int algo_risk_new_event(struct algo_risk *r, int64_t ts, char *err, size_t errlen)
{
	int64_t day = algo_time_ist_day(ts), cutoff;
	/* The first event of a run counts as a new day too when a database holds states:
	 * the next morning's cron run resets what was set before that day. Rows set on this
	 * very day (a manual kill before the open) stay; within a run, crossing midnight
	 * resets every state. */
	int first = !r->seen_event;
	int newday = day > r->last_day && (!first || r->db);
	struct algo_risk_state *nw;
	size_t nn = 0;
	r->nchanges = 0;
	r->seen_event = 1;
	if (day > r->last_day)
		r->last_day = day;
	if (!newday || !r->cfg.reset_kill_daily || !r->nstates)
		return 0;
	cutoff = first ? day * ALGO_MS_PER_DAY - 330 * 60000LL : INT64_MAX;
	if (!(nw = malloc(r->nstates * sizeof *nw))) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < r->nstates; i++) {
		struct algo_risk_own w = { .reset = 1, .st = r->states[i], .ts = ts,
			.cond_ts = r->states[i].ts_ms };
		if (r->states[i].ts_ms >= cutoff)
			nw[nn++] = r->states[i];
		else if (r->db && add_own(r, &w, err, errlen)) {
			free(nw);
			return -1;
		}
	}
	if (diff_states(r, nw, nn) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < r->nchanges; i++) {
		snprintf(r->changes[i].reason, sizeof r->changes[i].reason, "daily reset");
		r->changes[i].ts_ms = ts;
	}
	return (int)r->nchanges;
}

int algo_risk_square_off(struct algo_risk *r, const struct algo_risk_state *ch, int64_t ts,
	struct algo_risk_close **out, size_t *n, char *err, size_t errlen)
{
	size_t cnt = algo_book_tab_count(&r->book.tab), k = 0;
	*out = NULL;
	*n = 0;
	if (ch->state == ALGO_RISK_ACTIVE || !cnt)
		return 0;
	*out = calloc(cnt, sizeof **out);
	if (!*out) { snprintf(err, errlen, "out of memory"); return -1; }
	for (size_t i = 0; i < cnt; i++) {
		const char *key;
		size_t kl;
		struct algo_position *p = algo_book_tab_at(&r->book.tab, i, &key, &kl);
		struct algo_risk_close *c = &(*out)[k];
		const char *f[3];
		size_t fl[3], j = 0, start = 0;
		if (p->qty == 0) continue;
		for (size_t x = 0; x <= kl && j < 3; x++)
			if (x == kl || key[x] == '\x1f') { f[j] = key + start; fl[j++] = x - start; start = x + 1; }
		if (j != 3 || fl[0] >= ALGO_NAME_MAX || fl[1] >= ALGO_NAME_MAX || fl[2] >= ALGO_NAME_MAX)
			continue;
		memcpy(c->user, f[0], fl[0]); c->user[fl[0]] = '\0';
		memcpy(c->strategy, f[1], fl[1]); c->strategy[fl[1]] = '\0';
		memcpy(c->symbol, f[2], fl[2]); c->symbol[fl[2]] = '\0';
		if ((ch->scope == ALGO_RISK_SCOPE_USER && strcmp(ch->key, c->user)) ||
		    (ch->scope == ALGO_RISK_SCOPE_STRATEGY && strcmp(ch->key, c->strategy)))
			continue;
		c->side = p->qty > 0 ? ALGO_SELL : ALGO_BUY;
		c->qty = p->qty > 0 ? p->qty : -p->qty;
		if (algo_risk_apply_order(r, c->user, c->strategy, c->symbol, ts, 0, c->side, c->qty,
		    algo_book_avg_price(p), c->id, err, errlen) ||
		    algo_risk_record(r, c->user, c->strategy, c->symbol, ts, "square_off", c->side, c->qty, 0,
		    c->id, NULL, err, errlen) ||
		    algo_risk_track_order(r, c->user, c->strategy, c->symbol, c->id, c->side, c->qty,
		    algo_book_avg_price(p), 0, err, errlen)) {
			free(*out);
			*out = NULL;
			return -1;
		}
		k++;
	}
	*n = k;
	return 0;
}

/* Sets a scope's state row and appends its audit row (owned by user) inside the
 * caller's transaction, chain head included. Returns 0, or -1 with err set. */
static int write_state(struct algo_store *s, int scope, const char *key, int state,
	const char *reason, const char *who, const char *user, int64_t ts_ms, char *err, size_t errlen)
{
	struct algo_audit a;
	sqlite3_stmt *st;
	char detail[200];
	int rc;
	st = algo_store_prepare(s, "INSERT INTO risk_state (scope, key, state, reason, who, ts_ms) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (scope, key) DO UPDATE SET "
		"state = excluded.state, reason = excluded.reason, who = excluded.who, ts_ms = excluded.ts_ms",
		err, errlen);
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, algo_risk_scope_name(scope), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, algo_risk_state_name(state), -1, SQLITE_STATIC);
	if (reason) sqlite3_bind_text(st, 4, reason, -1, SQLITE_STATIC);
	else sqlite3_bind_null(st, 4);
	sqlite3_bind_text(st, 5, who, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, ts_ms);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "%s: %s", s->path, sqlite3_errmsg(s->db));
		return -1;
	}
	snprintf(detail, sizeof detail, "%s %s%s%s by %s", algo_risk_state_name(state),
		algo_risk_scope_name(scope), key[0] ? " " : "", key, who);
	struct algo_audit_row row = { .user = user, .ts_ms = ts_ms,
		.kind = state == ALGO_RISK_ACTIVE ? "resume" : "kill",
		.strategy = scope == ALGO_RISK_SCOPE_STRATEGY ? key : NULL,
		.reason = reason, .detail = detail };
	if (algo_audit_init(&a, s, err, errlen))
		return -1;
	rc = algo_audit_load_head(&a, err, errlen) || algo_audit_append(&a, &row, err, errlen) < 0 ||
		algo_audit_save_head(&a, err, errlen);
	algo_audit_free(&a);
	return rc ? -1 : 0;
}

int algo_risk_set_state(struct algo_store *s, int scope, const char *key, int state,
	const char *reason, const char *who, int64_t now_ms, char *err, size_t errlen)
{
	if (algo_store_exec(s, "BEGIN IMMEDIATE", err, errlen))
		return -1;
	if (write_state(s, scope, key, state, reason, who, scope == ALGO_RISK_SCOPE_USER ? key : who,
	    now_ms, err, errlen) || algo_store_exec(s, "COMMIT", err, errlen)) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return 0;
}

int algo_risk_trip(struct algo_risk *r, const struct algo_risk_state *ns, const char *user,
	int64_t ts, char *err, size_t errlen)
{
	size_t i;
	for (i = 0; i < r->nstates; i++)
		if (r->states[i].scope == ns->scope && strcmp(r->states[i].key, ns->key) == 0)
			break;
	if (i == r->nstates) {
		struct algo_risk_state *nw = realloc(r->states, (r->nstates + 1) * sizeof *nw);
		if (!nw) { snprintf(err, errlen, "out of memory"); return -1; }
		r->states = nw;
		r->nstates++;
	}
	r->states[i] = *ns;
	{
		struct algo_risk_state *nc = realloc(r->changes, (r->nchanges + 1) * sizeof *nc);
		if (!nc) { snprintf(err, errlen, "out of memory"); return -1; }
		r->changes = nc;
		r->changes[r->nchanges++] = *ns;
	}
	r->states[i].ts_ms = ts;
	if (r->db) {
		struct algo_risk_own w = { .st = r->states[i], .ts = ts };
		snprintf(w.user, sizeof w.user, "%s", user);
		return add_own(r, &w, err, errlen);
	}
	return 0;
}

/* A reset row as the daily reset leaves it: active again, if nobody changed it since. */
static int write_reset(struct algo_store *s, const struct algo_risk_own *w, char *err, size_t errlen)
{
	sqlite3_stmt *st = algo_store_prepare(s, "UPDATE risk_state SET state = 'active', "
		"reason = 'daily reset', who = 'algo-risk', ts_ms = ?1 WHERE scope = ?2 AND key = ?3 "
		"AND state <> 'active' AND ts_ms = ?4", err, errlen);
	int rc;
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, w->ts);
	sqlite3_bind_text(st, 2, algo_risk_scope_name(w->st.scope), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, w->st.key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, w->cond_ts);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "%s: %s", s->path, sqlite3_errmsg(s->db));
		return -1;
	}
	return 0;
}

int algo_risk_save_states(struct algo_risk *r, struct algo_store *s, char *err, size_t errlen)
{
	for (size_t i = 0; i < r->nown; i++) {
		const struct algo_risk_own *w = &r->own[i];
		if (w->reset ? write_reset(s, w, err, errlen) :
		    write_state(s, w->st.scope, w->st.key, w->st.state, w->st.reason, "algo-risk",
		    w->user, w->ts, err, errlen))
			return -1;
	}
	r->nown = 0;
	return 0;
}

void algo_risk_states_pack(struct algo_pack *p, const struct algo_risk_state *v, size_t n)
{
	algo_pack_i64(p, (int64_t)n);
	for (size_t i = 0; i < n; i++) {
		algo_pack_i64(p, v[i].scope);
		algo_pack_str(p, v[i].key);
		algo_pack_i64(p, v[i].state);
		algo_pack_str(p, v[i].reason);
		algo_pack_i64(p, v[i].ts_ms);
	}
}

int algo_risk_states_unpack(struct algo_unpack *u, struct algo_risk_state **v, size_t *n)
{
	int64_t k = algo_unpack_range(u, 0, 1 << 20);
	*v = NULL;
	*n = 0;
	if (u->bad)
		return -1;
	if (k && !(*v = calloc((size_t)k, sizeof **v)))
		return -1;
	for (int64_t i = 0; i < k; i++) {
		struct algo_risk_state *x = &(*v)[i];
		x->scope = (int)algo_unpack_range(u, ALGO_RISK_SCOPE_ALL, ALGO_RISK_SCOPE_STRATEGY);
		algo_unpack_str(u, x->key, sizeof x->key);
		x->state = (int)algo_unpack_range(u, ALGO_RISK_ACTIVE, ALGO_RISK_HALTED);
		algo_unpack_str(u, x->reason, sizeof x->reason);
		x->ts_ms = algo_unpack_i64(u);
	}
	if (u->bad) {
		free(*v);
		*v = NULL;
		return -1;
	}
	*n = (size_t)k;
	return 0;
}

/* ---- the command line's view ---------------------------------------------------------- */

int algo_risk_list_states(struct algo_store *s, json_t *out, char *err, size_t errlen)
{
	sqlite3_stmt *q = algo_store_prepare(s, "SELECT scope, key, state, reason, who, ts_ms FROM "
		"risk_state WHERE state <> 'active' ORDER BY CASE scope WHEN 'all' THEN 0 WHEN 'user' "
		"THEN 1 ELSE 2 END, key", err, errlen);
	int rc;
	if (!q)
		return -1;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *scope = (const char *)sqlite3_column_text(q, 0);
		const char *key = (const char *)sqlite3_column_text(q, 1);
		const char *reason = (const char *)sqlite3_column_text(q, 3);
		const char *who = (const char *)sqlite3_column_text(q, 4);
		char ts[40];
		json_t *o;
		algo_time_fmt(sqlite3_column_int64(q, 5), ALGO_IST_OFFSET_MIN, ts);
		o = json_pack("{s:s,s:s,s:s,s:s,s:s}", "scope", scope ? scope : "all",
			"state", (const char *)sqlite3_column_text(q, 2), "reason", reason ? reason : "",
			"who", who ? who : "", "ts", ts);
		if (o && key && key[0])
			json_object_set_new(o, parse_scope(scope) == ALGO_RISK_SCOPE_USER ? "user" : "strategy",
				json_string(key));
		if (!o || json_array_append_new(out, o)) {
			sqlite3_finalize(q);
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "%s: reading risk_state: %s", s->path, sqlite3_errmsg(s->db));
		return -1;
	}
	return 0;
}

int algo_risk_resume_all(struct algo_store *s, const char *reason, const char *who, int64_t now_ms,
	int *n, char *err, size_t errlen)
{
	json_t *rows = json_array();
	size_t i;
	json_t *o;
	int rc = 0;
	*n = 0;
	if (!rows) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (algo_store_begin(s, err, errlen)) {
		json_decref(rows);
		return -1;
	}
	if (algo_risk_list_states(s, rows, err, errlen))
		rc = -1;
	json_array_foreach(rows, i, o) {
		int scope = parse_scope(json_string_value(json_object_get(o, "scope")));
		const char *key = json_string_value(json_object_get(o, scope == ALGO_RISK_SCOPE_USER ?
			"user" : "strategy"));
		if (rc)
			break;
		if (scope == ALGO_RISK_SCOPE_ALL || !key)
			key = "";
		rc = write_state(s, scope, key, ALGO_RISK_ACTIVE, reason, who,
			scope == ALGO_RISK_SCOPE_USER ? key : who, now_ms, err, errlen);
		(*n)++;
	}
	json_decref(rows);
	if (rc) {
		algo_store_rollback(s);
		return -1;
	}
	return algo_store_commit(s, err, errlen);
}

/* Whether the first column of sql with ?1 = key has a row: 1, 0, or -1 (err set). */
static int has_row(struct algo_store *s, const char *sql, const char *key, char *err, size_t errlen)
{
	sqlite3_stmt *q = algo_store_prepare(s, sql, err, errlen);
	int rc;
	if (!q)
		return -1;
	sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	snprintf(err, errlen, "%s: %s", s->path, sqlite3_errmsg(s->db));
	return -1;
}

int algo_risk_scope_known(struct algo_store *s, int scope, const char *key, char *err, size_t errlen)
{
	static const char *const strategy_sql[] = {
		"SELECT 1 FROM risk_signals WHERE strategy = ?1 LIMIT 1",
		"SELECT 1 FROM strategies WHERE name = ?1 LIMIT 1",
		"SELECT 1 FROM eval_state WHERE strategy = ?1 LIMIT 1",
		"SELECT 1 FROM orders WHERE strategy = ?1 LIMIT 1", NULL };
	static const char *const user_sql[] = {
		"SELECT 1 FROM accounts WHERE user = ?1 LIMIT 1",
		"SELECT 1 FROM risk_signals WHERE user = ?1 LIMIT 1",
		"SELECT 1 FROM strategies WHERE user = ?1 LIMIT 1", NULL };
	const char *const *sql = scope == ALGO_RISK_SCOPE_STRATEGY ? strategy_sql : user_sql;
	if (scope == ALGO_RISK_SCOPE_ALL)
		return 1;
	for (int i = 0; sql[i]; i++) {
		int rc = has_row(s, sql[i], key, err, errlen);
		if (rc)
			return rc;
	}
	return 0;
}
