/* execstate — the executor's saved state: everything a later run on the same state
 * needs to go on as if it had never stopped (executor.h, "Durable state"). One row of
 * exec_state per executor instance holds it as bytes (lib/pack.h); client order ids go
 * to exec_ids through lib/idreg.h. */
#include "executor_impl.h"
#include "cli.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The layout below; a saved state of another format is refused, never guessed at. */
#define FORMAT 1

static void save_table_times(struct algo_pack *p, const struct algo_book_tab *t)
{
	algo_pack_i64(p, (int64_t)algo_book_tab_count(t));
	for (size_t i = 0; i < algo_book_tab_count(t); i++) {
		const char *k;
		size_t kn;
		const struct algo_exec_last *lt = algo_book_tab_at(t, i, &k, &kn);
		algo_pack_bytes(p, k, kn);
		algo_pack_i64(p, lt->ts);
	}
}

static void save_order(struct algo_pack *p, const struct algo_exec_order *o)
{
	const struct algo_order_in *in = &o->in;
	algo_pack_str(p, in->id);
	algo_pack_str(p, in->strategy);
	algo_pack_str(p, in->symbol);
	algo_pack_str(p, in->user);
	algo_pack_i64(p, in->side);
	algo_pack_i64(p, in->kind);
	algo_pack_i64(p, in->validity);
	algo_pack_i64(p, in->product);
	algo_pack_i64(p, in->reduce_only);
	algo_pack_i64(p, in->qty);
	algo_pack_i64(p, in->limit);
	algo_pack_i64(p, in->stop);
	algo_pack_i64(p, in->sl);
	algo_pack_i64(p, in->tp);
	algo_pack_i64(p, in->trail);
	algo_pack_i64(p, in->ts);
	algo_pack_i64(p, o->state);
	algo_pack_i64(p, o->leg);
	algo_pack_i64(p, o->seq);
	algo_pack_i64(p, o->peer);
	algo_pack_i64(p, o->filled);
	algo_pack_i64(p, o->value);
	algo_pack_i64(p, o->nfills);
	algo_pack_i64(p, o->turnover);
	algo_pack_i64(p, o->day);
	algo_pack_i64(p, o->entry_avg);
	algo_pack_str(p, o->parent);
	algo_pack_i64(p, (int64_t)o->line);
	algo_pack_i64(p, o->no_legs);
	algo_pack_str(p, o->venue.ref);
	for (int i = 0; i < 4; i++)
		algo_pack_i64(p, o->venue.n[i]);
}

/* The whole state as bytes into p. */
static void pack_state(const struct algo_executor *ex, struct algo_pack *p)
{
	size_t nlive = algo_executor_working(ex);
	struct algo_pack venue;

	algo_pack_i64(p, FORMAT);
	algo_pack_i64(p, ex->seq);
	algo_pack_i64(p, ex->realised);
	algo_pack_i64(p, ex->fees);
	algo_pack_str(p, ex->chan.epoch);
	algo_pack_i64(p, ex->chan.seq);
	algo_pack_bytes(p, ex->chan.buf, ex->chan.len);
	algo_pack_i64(p, (int64_t)algo_book_tab_count(&ex->syms));
	for (size_t i = 0; i < algo_book_tab_count(&ex->syms); i++) {
		const char *k;
		size_t kn;
		algo_book_tab_at(&ex->syms, i, &k, &kn);
		algo_pack_bytes(p, k, kn);
	}
	algo_pack_i64(p, (int64_t)algo_executor_npos(ex));
	for (size_t i = 0; i < algo_executor_npos(ex); i++) {
		const struct algo_exec_pos *q = algo_executor_pos_at(ex, i);
		algo_pack_str(p, q->user);
		algo_pack_str(p, q->strategy);
		algo_pack_str(p, q->symbol);
		algo_pack_i64(p, q->product);
		algo_pack_i64(p, q->p.qty);
		algo_pack_i64(p, q->p.cost);
		algo_pack_i64(p, q->p.realised);
		algo_pack_i64(p, q->p.fees);
		algo_pack_i64(p, q->p.trades);
		algo_pack_i64(p, q->opened);
	}
	save_table_times(p, &ex->bars);
	save_table_times(p, &ex->ords);
	algo_pack_i64(p, (int64_t)nlive);
	for (size_t i = 0; i < ex->nord; i++)
		if (!algo_exec_final(ex->ord[i]))
			save_order(p, ex->ord[i]);
	algo_pack_init(&venue);
	if (ex->venue->save)
		ex->venue->save(ex->varg, &venue);
	algo_pack_bytes(p, venue.buf, venue.len);
	if (venue.oom)
		p->oom = 1;
	algo_pack_free(&venue);
}

int algo_executor_save(void *arg, struct algo_store *s, char *err, size_t errlen)
{
	struct algo_executor *ex = arg;
	struct algo_pack p;
	sqlite3_stmt *q;
	int ok;

	algo_pack_init(&p);
	pack_state(ex, &p);
	if (p.oom) {
		algo_pack_free(&p);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	q = algo_store_prepare(s, "INSERT INTO exec_state (stage, venue, state) VALUES (?, ?, ?) "
		"ON CONFLICT (stage) DO UPDATE SET venue = excluded.venue, state = excluded.state", err, errlen);
	if (!q) {
		algo_pack_free(&p);
		return -1;
	}
	sqlite3_bind_text(q, 1, ex->key, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, ex->venue->name, -1, SQLITE_STATIC);
	sqlite3_bind_blob(q, 3, p.buf, (int)p.len, SQLITE_STATIC);
	ok = sqlite3_step(q) == SQLITE_DONE;
	if (!ok)
		snprintf(err, errlen, "%s: %s", s->path, sqlite3_errmsg(s->db));
	sqlite3_finalize(q);
	algo_pack_free(&p);
	if (!ok)
		return -1;
	return algo_idreg_save(&ex->ids, err, errlen);
}

/* ---- restoring ------------------------------------------------------------------ */

static int load_table_times(struct algo_executor *ex, struct algo_book_tab *t, struct algo_unpack *u)
{
	int64_t n = algo_unpack_range(u, 0, 1 << 24);
	for (int64_t i = 0; i < n && !u->bad; i++) {
		size_t kn;
		const char *k = algo_unpack_bytes(u, &kn);
		char symbol[ALGO_NAME_MAX];
		const char *sep = k ? memchr(k, 0x1f, kn) : NULL;
		struct algo_exec_last *lt;
		if (!sep || (size_t)(sep - k) >= sizeof symbol)
			return -1;
		memcpy(symbol, k, (size_t)(sep - k));
		symbol[sep - k] = '\0';
		if (!(lt = algo_book_tab_get(t, k, kn, 1)) || (lt->sym = algo_executor_symbol(ex, symbol)) < 0)
			return -1;
		lt->ts = algo_unpack_i64(u);
		lt->seen = 1;
	}
	return u->bad ? -1 : 0;
}

static int load_order(struct algo_executor *ex, struct algo_unpack *u)
{
	struct algo_exec_order o;
	struct algo_order_in *in = &o.in;
	memset(&o, 0, sizeof o);
	algo_unpack_str(u, in->id, sizeof in->id);
	algo_unpack_str(u, in->strategy, sizeof in->strategy);
	algo_unpack_str(u, in->symbol, sizeof in->symbol);
	algo_unpack_str(u, in->user, sizeof in->user);
	in->side = algo_unpack_range(u, -1, 1) < 0 ? ALGO_SELL : ALGO_BUY;
	in->kind = (int)algo_unpack_range(u, ALGO_KIND_MARKET, ALGO_KIND_STOP_LIMIT);
	in->validity = (int)algo_unpack_range(u, ALGO_VALID_DAY, ALGO_VALID_GTC);
	in->product = (int)algo_unpack_range(u, ALGO_PROD_INTRADAY, ALGO_PROD_MARGIN);
	in->reduce_only = (int)algo_unpack_range(u, 0, 1);
	in->qty = algo_unpack_range(u, 1, INT64_MAX);
	in->limit = algo_unpack_i64(u);
	in->stop = algo_unpack_i64(u);
	in->sl = algo_unpack_i64(u);
	in->tp = algo_unpack_i64(u);
	in->trail = algo_unpack_i64(u);
	in->ts = algo_unpack_i64(u);
	o.state = (int)algo_unpack_range(u, ALGO_EXEC_NEW, ALGO_EXEC_PARTIAL);
	o.leg = (int)algo_unpack_range(u, ALGO_LEG_NONE, ALGO_LEG_SQUAREOFF);
	o.seq = algo_unpack_i64(u);
	o.peer = algo_unpack_i64(u);
	o.filled = algo_unpack_range(u, 0, in->qty);
	o.value = algo_unpack_i64(u);
	o.nfills = algo_unpack_range(u, 0, INT64_MAX);
	o.turnover = algo_unpack_i64(u);
	o.day = algo_unpack_i64(u);
	o.entry_avg = algo_unpack_i64(u);
	algo_unpack_str(u, o.parent, sizeof o.parent);
	o.line = (uint64_t)algo_unpack_i64(u);
	o.no_legs = (int)algo_unpack_range(u, 0, 1);
	algo_unpack_str(u, o.venue.ref, sizeof o.venue.ref);
	for (int i = 0; i < 4; i++)
		o.venue.n[i] = algo_unpack_i64(u);
	o.restored = 1;
	if (u->bad || (o.sym = algo_executor_symbol(ex, in->symbol)) < 0)
		return -1;
	if (o.line) {
		char k[2 * ALGO_NAME_MAX + 2];
		size_t kn = algo_book_key(k, sizeof k, o.in.user, o.in.id, NULL);
		uint64_t *h = kn ? algo_book_tab_get(&ex->relines, k, kn, 1) : NULL;
		if (!h)
			return -1;
		*h = o.line;
	}
	return algo_exec_add(ex, &o) ? 0 : -1;
}

static int load_position(struct algo_executor *ex, struct algo_unpack *u)
{
	struct algo_order_in key;
	struct algo_exec_pos *q;
	memset(&key, 0, sizeof key);
	algo_unpack_str(u, key.user, sizeof key.user);
	algo_unpack_str(u, key.strategy, sizeof key.strategy);
	algo_unpack_str(u, key.symbol, sizeof key.symbol);
	key.product = (int)algo_unpack_range(u, ALGO_PROD_INTRADAY, ALGO_PROD_MARGIN);
	if (u->bad || !(q = algo_executor_pos(ex, &key, 1)))
		return -1;
	q->p.qty = algo_unpack_i64(u);
	q->p.cost = algo_unpack_i64(u);
	q->p.realised = algo_unpack_i64(u);
	q->p.fees = algo_unpack_i64(u);
	q->p.trades = algo_unpack_i64(u);
	q->opened = algo_unpack_i64(u);
	return u->bad ? -1 : 0;
}

/* Restores what pack_state wrote. Returns 0, or -1 (damaged, or out of memory). */
static int unpack_state(struct algo_executor *ex, struct algo_unpack *u, char *err, size_t errlen)
{
	const void *b;
	size_t n;
	int64_t k, seq;
	char epoch[32];

	if (algo_unpack_i64(u) != FORMAT) {
		snprintf(err, errlen, "written in another format (by another version)");
		return -1;
	}
	ex->seq = algo_unpack_i64(u);
	ex->realised = algo_unpack_i64(u);
	ex->fees = algo_unpack_i64(u);
	algo_unpack_str(u, epoch, sizeof epoch);
	seq = algo_unpack_range(u, 0, INT64_MAX);
	if (!(b = algo_unpack_bytes(u, &n)) || algo_fillchan_out_restore(&ex->chan, epoch, seq, b, n))
		goto bad;
	k = algo_unpack_range(u, 0, 1 << 24);
	for (int64_t i = 0; i < k; i++) {
		char symbol[ALGO_NAME_MAX];
		algo_unpack_str(u, symbol, sizeof symbol);
		if (u->bad || algo_executor_symbol(ex, symbol) != (int)i)
			goto bad;
	}
	k = algo_unpack_range(u, 0, 1 << 24);
	for (int64_t i = 0; i < k; i++)
		if (load_position(ex, u))
			goto bad;
	if (load_table_times(ex, &ex->bars, u) || load_table_times(ex, &ex->ords, u))
		goto bad;
	k = algo_unpack_range(u, 0, 1 << 24);
	for (int64_t i = 0; i < k; i++)
		if (load_order(ex, u))
			goto bad;
	if (!(b = algo_unpack_bytes(u, &n)) || !algo_unpack_done(u))
		goto bad;
	if (ex->venue->load) {
		struct algo_unpack vu;
		algo_unpack_init(&vu, b, n);
		if (ex->venue->load(ex->varg, &vu, err, errlen))
			return -1;
	}
	return 0;
bad:
	snprintf(err, errlen, "damaged (or out of memory)");
	return -1;
}

int algo_executor_open(struct algo_executor *ex, struct algo_store *s, const char *key, char *err,
	size_t errlen)
{
	sqlite3_stmt *q;
	int rc;
	char why[ALGO_ERR_MAX];

	if ((size_t)snprintf(ex->key, sizeof ex->key, "%s", key) >= sizeof ex->key) {
		snprintf(err, errlen, "executor key too long");
		return -1;
	}
	algo_idreg_free(&ex->ids);
	if (algo_idreg_open(&ex->ids, s, key, err, errlen))
		return -1;
	if (!(q = algo_store_prepare(s, "SELECT venue, state FROM exec_state WHERE stage = ?", err, errlen)))
		return -1;
	sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		const char *venue = (const char *)sqlite3_column_text(q, 0);
		struct algo_unpack u;
		algo_unpack_init(&u, sqlite3_column_blob(q, 1), (size_t)sqlite3_column_bytes(q, 1));
		if (!venue || strcmp(venue, ex->venue->name) != 0) {
			snprintf(err, errlen, "%s: the state of %s is a %s executor's, not %s", s->path, key,
				venue ? venue : "(unknown)", ex->venue->name);
			rc = -2;
		} else if (unpack_state(ex, &u, why, sizeof why)) {
			snprintf(err, errlen, "%s: the saved state of %s is %s: move the file aside or use "
				"another --state", s->path, key, why);
			rc = -2;
		} else {
			rc = 0;
		}
	} else if (rc == SQLITE_DONE) {
		rc = 0;
	} else {
		snprintf(err, errlen, "%s: %s", s->path, sqlite3_errmsg(s->db));
		rc = -1;
	}
	sqlite3_finalize(q);
	return rc;
}
