/* ledger — see ledger.h. Positions, users and marks are kept in memory (loaded at
 * open) so that a bar costs one hash lookup when flat; the database is written for
 * orders, fills and equity points as they happen and for positions and marks at
 * commit. */
#include "ledger.h"
#include "audit.h"
#include "cli.h"
#include "eqcurve.h"
#include "stage.h"
#include "timeutil.h"
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- in-memory state ----------------------------------------------------------- */

struct user_rec {
	char name[ALGO_NAME_MAX];
	int64_t realized, fees, unreal;   /* sums over the user's positions */
	int64_t last_eq;                  /* the equity last recorded (or capital) */
	int touched;
	int owner;                        /* the --user of this stream */
	int curve_on;                     /* backtest: curve holds the equity changes */
	struct algo_eqcurve curve;
	/* The run: active once its row exists; bar counters of the current day, and
	 * what was flushed to run_days since the last commit. */
	int active;
	int64_t end_ms, day, day_bars, day_pos, run_bars, run_pos, pos_serial;
};

/* One (user, strategy): first/last seen and the sums over its positions, written to
 * strategies and daily_pnl at commit (and daily_pnl when its day changes). */
struct strat_rec {
	struct user_rec *user;
	char name[ALGO_NAME_MAX];
	char hash[72];
	int64_t realized, fees, unreal;
	int64_t first_ms, last_ms, day;
	int seen_dirty, pnl_dirty;
};

struct sym_rec {
	struct pos_rec *head;             /* positions in this symbol, all users */
};

struct pos_rec {
	struct algo_position p;
	struct user_rec *user;
	struct pos_rec *next;             /* next position in the same symbol */
	struct strat_rec *strat;
	char strategy[ALGO_NAME_MAX];
	char symbol[ALGO_NAME_MAX];
	int64_t last_price, unreal, updated_ms;
	int dirty;
};

struct mark_rec {
	struct sym_rec *sym;
	char symbol[ALGO_NAME_MAX];
	char tf[8];
	int seen;                         /* a bar of this (symbol, tf) came in this run */
	int64_t run_last;                 /* its ts */
	int stored;                       /* ts/price valid */
	int64_t ts, price;                /* the newest bar marked, ever */
	int dirty;
	/* The current IST day's first bar of this run (table bar_closes, the report's
	 * benchmark prices; its last is ts/price); written with the mark, and when the
	 * day changes. */
	int day_on;
	int64_t day, first_ms, first_c;
};

#define ORDER_ID_MAX 31                   /* bytes of an order id, NUL included */

/* A backtest's order of the current batch, kept whole until the commit writes it in
 * its latest form: one INSERT instead of an INSERT, an UPDATE per update and an UPDATE
 * and a SELECT per fill. The rare reason and broker id are allocated when given (a
 * batch holds thousands of orders). */
struct held_order {
	char user[ALGO_NAME_MAX], id[ORDER_ID_MAX], strategy[ALGO_NAME_MAX], symbol[ALGO_NAME_MAX];
	char kind[16], product[16], validity[16], mode[16], status[16];
	char *reason, *broker_id;         /* NULL: none given */
	int side, has_avg;
	int64_t ts_ms, qty, filled, avg, updated_ms, fill_qty;
	__int128 fill_val;
};

enum { S_ORDER_UPD, S_ORDER_STRAT, S_FILL_INS, S_FILL_SUM, S_ORDER_FILLED,
	S_EQUITY, S_POS, S_MARK, S_CLOSES, S_RUN_INS, S_RUN_UPD, S_RUNDAY, S_STRAT, S_DAILY, S_ORDER_FULL, S_COUNT };

static const char *const sql[S_COUNT] = {
	[S_ORDER_UPD] = "UPDATE orders SET status = ?3, reason = coalesce(?4, reason), "
		"broker_id = coalesce(?5, broker_id), filled = coalesce(?6, filled), "
		"avg_price = coalesce(?7, avg_price), updated_ts = ?8, updated_ms = ?9 "
		"WHERE user = ?1 AND id = ?2 AND updated_ms <= ?9",
	[S_ORDER_STRAT] = "SELECT strategy FROM orders WHERE user = ?1 AND id = ?2",
	[S_FILL_INS] = "INSERT INTO fills (user, fill_id, order_id, ts, ts_ms, strategy, symbol, "
		"side, qty, price, fees_total, fees_json, run, ambiguous) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14) "
		"ON CONFLICT (user, fill_id) DO NOTHING",
	[S_FILL_SUM] = "SELECT qty, price FROM fills WHERE user = ?1 AND order_id = ?2",
	[S_ORDER_FILLED] = "UPDATE orders SET filled = ?3, avg_price = ?4 WHERE user = ?1 AND id = ?2",
	[S_EQUITY] = "INSERT INTO equity (user, run, ts_ms, equity) VALUES (?1, ?4, ?2, ?3) "
		"ON CONFLICT (user, run, ts_ms) DO UPDATE SET equity = excluded.equity",
	[S_POS] = "INSERT INTO positions (user, strategy, symbol, qty, avg_price, cost, realized, "
		"fees, last_price, updated_ts, updated_ms) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) "
		"ON CONFLICT (user, strategy, symbol) DO UPDATE SET qty = excluded.qty, "
		"avg_price = excluded.avg_price, cost = excluded.cost, realized = excluded.realized, "
		"fees = excluded.fees, last_price = excluded.last_price, "
		"updated_ts = excluded.updated_ts, updated_ms = excluded.updated_ms",
	[S_MARK] = "INSERT INTO marks (user, symbol, tf, ts_ms, price) VALUES (?5, ?1, ?2, ?3, ?4) "
		"ON CONFLICT (user, symbol, tf) DO UPDATE SET ts_ms = excluded.ts_ms, "
		"price = excluded.price",
	[S_CLOSES] = "INSERT INTO bar_closes (user, run, symbol, tf, day, first_ms, first_close, "
		"last_ms, last_close) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
		"ON CONFLICT (user, run, symbol, tf, day) DO UPDATE SET "
		"first_close = CASE WHEN excluded.first_ms < first_ms THEN excluded.first_close "
		"ELSE first_close END, first_ms = min(first_ms, excluded.first_ms), "
		"last_close = CASE WHEN excluded.last_ms >= last_ms THEN excluded.last_close "
		"ELSE last_close END, last_ms = max(last_ms, excluded.last_ms)",
	[S_RUN_INS] = "INSERT INTO runs (user, id, version, options, options_sha256, start_ms, "
		"end_ms, start_equity) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7) "
		"ON CONFLICT (user, id) DO NOTHING",
	[S_RUN_UPD] = "UPDATE runs SET end_ms = max(end_ms, ?3), bars = bars + ?4, "
		"bars_in_position = bars_in_position + ?5, input_sha256 = ?6 "
		"WHERE user = ?1 AND id = ?2",
	[S_RUNDAY] = "INSERT INTO run_days (user, run, day, bars, bars_in_position) "
		"VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (user, run, day) DO UPDATE SET "
		"bars = bars + excluded.bars, bars_in_position = bars_in_position + excluded.bars_in_position",
	[S_STRAT] = "INSERT INTO strategies (user, name, hash, first_ms, last_ms) "
		"VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (user, name) DO UPDATE SET "
		"hash = coalesce(excluded.hash, hash), first_ms = min(first_ms, excluded.first_ms), "
		"last_ms = max(last_ms, excluded.last_ms)",
	[S_ORDER_FULL] = "INSERT INTO orders (user, id, ts, ts_ms, strategy, symbol, side, qty, "
		"kind, product, validity, mode, run, status, filled, updated_ts, updated_ms, reason, "
		"broker_id, avg_price) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
		"?15, ?16, ?17, ?18, ?19, ?20) ON CONFLICT (user, id) DO NOTHING",
	[S_DAILY] = "INSERT INTO daily_pnl (user, run, strategy, day, realized, fees, unrealized, net) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?5 - ?6 + ?7) "
		"ON CONFLICT (user, run, strategy, day) DO UPDATE SET realized = excluded.realized, "
		"fees = excluded.fees, unrealized = excluded.unrealized, net = excluded.net",
};

/* Held orders written by one INSERT: a statement's run costs about as much as a row's
 * own B-tree work (its cursors opened and closed, its program started). */
#define HELD_ROWS 8

/* S_ORDER_FULL with HELD_ROWS rows of VALUES (parameters 20 a row, in its order). */
static sqlite3_stmt *order_rows_prepare(struct algo_store *s, char *err, size_t errlen)
{
	const char *full = sql[S_ORDER_FULL], *values = strstr(full, "VALUES"), *tail = strstr(full, " ON CONFLICT");
	char q[8192];
	size_t n = (size_t)snprintf(q, sizeof q, "%.*sVALUES ", (int)(values - full), full);
	for (int r = 0; r < HELD_ROWS; r++)
		for (int c = 0; c < 20; c++)
			n += (size_t)snprintf(q + n, sizeof q - n, "%s?%d%s", c ? ", " : r ? ", (" : "(",
				20 * r + c + 1, c == 19 ? ")" : "");
	snprintf(q + n, sizeof q - n, "%s", tail);
	return algo_store_prepare(s, q, err, errlen);
}

struct algo_ledger {
	struct algo_store *s;
	char user[ALGO_NAME_MAX];
	char stage_key[ALGO_NAME_MAX + 16]; /* its run record (lib/replay.h) */
	int64_t capital;
	struct algo_book_tab users, pos, syms, marks, strats;
	sqlite3_stmt *st[S_COUNT];
	int in_txn;
	char run[ALGO_LEDGER_RUN_MAX];
	char options[512];
	char opt_hash[ALGO_AUDIT_HASH_LEN + 1];
	int capital_new;                  /* capital first stored now: audit it */
	EVP_MD_CTX *in_ctx;               /* SHA-256 of the input lines */
	char in_buf[65536];               /* lines not yet hashed (one update per buffer) */
	size_t in_len;
	struct mark_rec *last_mark;       /* the mark of the last bar (most bars share it) */
	struct algo_audit audit;
	int audit_ok;                     /* audit statements prepared */
	struct user_rec **active;         /* users with a run row, in order */
	size_t nactive;
	int64_t bar_serial;
	long ndirty;                      /* positions + marks waiting for the commit */
	int failed;                       /* a write failed: rolled back, nothing more */
	struct algo_stage *stage;         /* the loop feeding us, when there is one */
	int backtest;                     /* algo_ledger_set_backtest */
	char *run_record;                 /* algo_ledger_set_run_record (JSON), or NULL */
	int64_t n_orders, n_fills;        /* new ones recorded by this run */
	struct algo_book_tab held;        /* backtest: orders of this batch (struct held_order) */
	sqlite3_stmt *order_rows;         /* S_ORDER_FULL for HELD_ROWS orders at once */
	struct held_order *held_last;     /* the one found or held last (an order's steps
	                                   * come one after another), or NULL */
	struct user_rec *owner;           /* the record of user, once made */
	long curve_lines;                 /* lines recorded since the curves' points were written */
};

#define BAD(...) do { snprintf(err, errlen, __VA_ARGS__); return ALGO_LEDGER_EBAD; } while (0)

static int dberr(struct algo_ledger *l, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s: %s", l->s->path, sqlite3_errmsg(l->s->db));
	return ALGO_LEDGER_EDB;
}

/* Resets st and runs it to completion; returns 0 or ALGO_LEDGER_EDB. */
static int run(struct algo_ledger *l, sqlite3_stmt *st, char *err, size_t errlen)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		snprintf(err, errlen, "%s: %s", l->s->path, sqlite3_errstr(rc));
		return ALGO_LEDGER_EDB;
	}
	return 0;
}

/* Binds the RFC 3339 IST text of ms, formatted into b, which must stay as it is
 * until st has run (no copy, as for the names bound). */
static void bind_time(sqlite3_stmt *st, int i, int64_t ms, char b[ALGO_TIME_FMT_MAX])
{
	size_t n = algo_time_fmt(ms, ALGO_IST_OFFSET_MIN, b);
	sqlite3_bind_text(st, i, b, (int)n, SQLITE_STATIC);
}

static void bind_opt_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s && *s) sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
	else sqlite3_bind_null(st, i);
}

static int begin(struct algo_ledger *l, char *err, size_t errlen)
{
	if (l->in_txn) return 0;
	if (l->failed) {
		snprintf(err, errlen, "%s: an earlier write failed", l->s->path);
		return ALGO_LEDGER_EDB;
	}
	if (algo_store_begin(l->s, err, errlen)) return ALGO_LEDGER_EDB;
	l->in_txn = 1;
	if (algo_audit_load_head(&l->audit, err, errlen)) return ALGO_LEDGER_EDB;
	return 0;
}

static struct user_rec *user_get(struct algo_ledger *l, const char *name)
{
	struct user_rec *u;
	if (l->owner && strcmp(name, l->user) == 0) return l->owner;   /* nearly every event's */
	u = algo_book_tab_get(&l->users, name, strlen(name), 1);
	if (u && !u->name[0]) {
		snprintf(u->name, sizeof u->name, "%s", name);
		u->last_eq = l->capital;
		u->owner = strcmp(name, l->user) == 0;
		if (u->owner) l->owner = u;
	}
	return u;
}

/* The record of (user, strategy), created when absent. */
static struct strat_rec *strat_get(struct algo_ledger *l, struct user_rec *u, const char *strategy)
{
	char key[2 * ALGO_NAME_MAX];
	size_t n = algo_book_key(key, sizeof key, u->name, strategy, NULL);
	struct strat_rec *s = n ? algo_book_tab_get(&l->strats, key, n, 1) : NULL;
	if (s && !s->user) {
		s->user = u;
		snprintf(s->name, sizeof s->name, "%s", strategy);
		s->first_ms = INT64_MAX;
		s->last_ms = INT64_MIN;
		s->day = INT64_MIN;
	}
	return s;
}

/* The record of (user, strategy, symbol), created flat when absent. */
static struct pos_rec *pos_get(struct algo_ledger *l, const char *user, const char *strategy,
	const char *symbol)
{
	char key[3 * ALGO_NAME_MAX];
	size_t n = algo_book_key(key, sizeof key, user, strategy, symbol);
	struct pos_rec *p;
	if (!n) return NULL;
	p = algo_book_tab_get(&l->pos, key, n, 1);
	if (p && !p->user) {
		struct sym_rec *sy = algo_book_tab_get(&l->syms, symbol, strlen(symbol), 1);
		if (!(p->user = user_get(l, user)) || !sy) return NULL;
		if (!(p->strat = strat_get(l, p->user, strategy))) return NULL;
		snprintf(p->strategy, sizeof p->strategy, "%s", strategy);
		snprintf(p->symbol, sizeof p->symbol, "%s", symbol);
		p->next = sy->head;
		sy->head = p;
	}
	return p;
}

static void pos_dirty(struct algo_ledger *l, struct pos_rec *p)
{
	if (!p->dirty) { p->dirty = 1; l->ndirty++; }
}

/* Writes one equity point of u. */
static int equity_write(struct algo_ledger *l, struct user_rec *u, int64_t ms, int64_t eq,
	char *err, size_t errlen)
{
	sqlite3_stmt *st = l->st[S_EQUITY];
	sqlite3_bind_text(st, 1, u->name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, ms);
	sqlite3_bind_int64(st, 3, eq);
	sqlite3_bind_text(st, 4, l->run, -1, SQLITE_STATIC);
	return run(l, st, err, errlen);
}

/* What a backtest's curve (lib/eqcurve.h) writes through. */
struct curve_out {
	struct algo_ledger *l;
	struct user_rec *u;
	char *err;
	size_t errlen;
};

static int curve_emit(void *arg, int64_t ms, int64_t eq)
{
	struct curve_out *o = arg;
	return equity_write(o->l, o->u, ms, eq, o->err, o->errlen) ? -1 : 0;
}

/* Records the equity of u at ms when it differs from the last one recorded: every
 * change, or in a backtest at report resolution (lib/eqcurve.h). */
static int equity_check(struct algo_ledger *l, struct user_rec *u, int64_t ms,
	char *err, size_t errlen)
{
	int64_t eq = l->capital + u->realized - u->fees + u->unreal;
	if (eq == u->last_eq) return 0;
	if (begin(l, err, errlen)) return ALGO_LEDGER_EDB;
	if (l->backtest) {
		struct curve_out o = { l, u, err, errlen };
		if (!u->curve_on) {
			algo_eqcurve_init(&u->curve, u->last_eq);
			u->curve_on = 1;
		}
		if (algo_eqcurve_add(&u->curve, ms, eq, curve_emit, &o)) return ALGO_LEDGER_EDB;
	} else if (equity_write(l, u, ms, eq, err, errlen)) {
		return ALGO_LEDGER_EDB;
	}
	u->last_eq = eq;
	return 0;
}

/* Writes the curves' pending points (a backtest's, at each commit). */
static int curves_flush(struct algo_ledger *l, char *err, size_t errlen)
{
	for (size_t i = 0; i < algo_book_tab_count(&l->users); i++) {
		struct user_rec *u = algo_book_tab_at(&l->users, i, NULL, NULL);
		struct curve_out o = { l, u, err, errlen };
		if (u->curve_on && algo_eqcurve_flush(&u->curve, curve_emit, &o)) return -1;
	}
	return 0;
}

/* ---- runs, strategies, daily PnL ------------------------------------------------ */

#define IST_MS (ALGO_IST_OFFSET_MIN * 60000LL)
#define DAY_MS 86400000LL

/* The IST calendar day of ms, as a day number. */
static int64_t day_of(int64_t ms)
{
	int64_t t = ms + IST_MS;
	return (t >= 0 ? t : t - DAY_MS + 1) / DAY_MS;
}

/* "YYYY-MM-DD" of a day number. */
static void day_str(int64_t day, char *out)
{
	char b[ALGO_TIME_FMT_MAX];
	algo_time_fmt(day * DAY_MS - IST_MS, ALGO_IST_OFFSET_MIN, b);
	memcpy(out, b, 10);
	out[10] = '\0';
}

/* Writes m's day row of bar_closes (inside the transaction). */
static int closes_write(struct algo_ledger *l, const struct mark_rec *m, char *err, size_t errlen)
{
	sqlite3_stmt *st = l->st[S_CLOSES];
	char d[11];
	if (!m->day_on) return 0;
	day_str(m->day, d);
	sqlite3_bind_text(st, 1, l->user, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, l->run, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, m->symbol, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, m->tf, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, d, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 6, m->first_ms);
	sqlite3_bind_int64(st, 7, m->first_c);
	sqlite3_bind_int64(st, 8, m->ts);
	sqlite3_bind_int64(st, 9, m->price);
	return run(l, st, err, errlen);
}

/* A new bar (ts, close c) of m's series, before it becomes m's mark: the day's first
 * close. A day change writes the day before (its last bar still m's mark) when the
 * commit has not yet. */
static int closes_note(struct algo_ledger *l, struct mark_rec *m, int64_t ts, int64_t c, char *err,
	size_t errlen)
{
	int64_t day = day_of(ts);
	if (!m->day_on || m->day != day) {
		if (m->day_on && m->dirty && (begin(l, err, errlen) || closes_write(l, m, err, errlen)))
			return ALGO_LEDGER_EDB;
		m->day_on = 1;
		m->day = day;
		m->first_ms = ts;
		m->first_c = c;
	}
	return 0;
}

static void hex_of(const unsigned char *md, unsigned n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	for (unsigned i = 0; i < n; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[2 * n] = '\0';
}

static void sha256_hex(const char *s, size_t n, char *out)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	EVP_Digest(s, n, md, &len, EVP_sha256(), NULL);
	hex_of(md, len > 32 ? 32 : len, out);
}

/* Writes s's cumulative PnL as the snapshot of its day. */
static int strat_snapshot(struct algo_ledger *l, struct strat_rec *s, char *err, size_t errlen)
{
	sqlite3_stmt *st = l->st[S_DAILY];
	char day[16];
	day_str(s->day, day);
	sqlite3_bind_text(st, 1, s->user->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, l->run, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, s->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, day, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 5, s->realized);
	sqlite3_bind_int64(st, 6, s->fees);
	sqlite3_bind_int64(st, 7, s->unreal);
	if (run(l, st, err, errlen)) return ALGO_LEDGER_EDB;
	s->pnl_dirty = 0;
	return 0;
}

/* Call before s's PnL changes at ms: a pending snapshot of an earlier day is written
 * first (with the values before the change). */
static int strat_touch(struct algo_ledger *l, struct strat_rec *s, int64_t ms, char *err,
	size_t errlen)
{
	int64_t day = day_of(ms);
	if (s->pnl_dirty && s->day != day && strat_snapshot(l, s, err, errlen)) return ALGO_LEDGER_EDB;
	s->day = day;
	s->pnl_dirty = 1;
	return 0;
}

static void strat_seen(struct strat_rec *s, int64_t ms)
{
	if (ms < s->first_ms) { s->first_ms = ms; s->seen_dirty = 1; }
	if (ms > s->last_ms) { s->last_ms = ms; s->seen_dirty = 1; }
}

/* Writes u's bar counters of its current day to run_days. */
static int day_flush(struct algo_ledger *l, struct user_rec *u, char *err, size_t errlen)
{
	sqlite3_stmt *st = l->st[S_RUNDAY];
	char day[16];
	if (!u->day_bars && !u->day_pos) return 0;
	day_str(u->day, day);
	sqlite3_bind_text(st, 1, u->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, l->run, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, day, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 4, u->day_bars);
	sqlite3_bind_int64(st, 5, u->day_pos);
	if (run(l, st, err, errlen)) return ALGO_LEDGER_EDB;
	u->run_bars += u->day_bars;
	u->run_pos += u->day_pos;
	u->day_bars = u->day_pos = 0;
	return 0;
}

/* Sets the run id from the first event's time when none was given. */
static void run_derive(struct algo_ledger *l, int64_t ms)
{
	char day[16];
	day_str(day_of(ms), day);
	snprintf(l->run, sizeof l->run, "%.4s%.2s%.2s-%.8s", day, day + 5, day + 8, l->opt_hash);
}

static int audit_add(struct algo_ledger *l, const char *user, int64_t ms, const char *kind,
	const char *strategy, const char *ref, const char *reason, const char *detail, size_t dlen,
	char *err, size_t errlen)
{
	char *d = NULL;
	int rc;
	struct algo_audit_row r;
	/* a backtest logs its run once (audit_backtest), not every simulated order, update
	 * and fill; its risk blocks and kills stay (few, and they say why nothing traded) */
	if (l->backtest && (strcmp(kind, "order") == 0 || strcmp(kind, "order_update") == 0 ||
	    strcmp(kind, "fill") == 0)) return 0;
	r = (struct algo_audit_row){ .user = user, .run = l->run, .ts_ms = ms, .kind = kind,
		.strategy = strategy && *strategy ? strategy : NULL, .ref = ref,
		.reason = reason && *reason ? reason : NULL };
	if (detail) {
		if (!(d = malloc(dlen + 1))) { snprintf(err, errlen, "out of memory"); return ALGO_LEDGER_EDB; }
		memcpy(d, detail, dlen);
		d[dlen] = '\0';
		r.detail = d;
	}
	rc = algo_audit_append(&l->audit, &r, err, errlen);
	free(d);
	return rc < 0 ? ALGO_LEDGER_EDB : 0;
}

/* Makes sure the run row of u exists (inside the transaction). */
static int user_activate(struct algo_ledger *l, struct user_rec *u, int64_t ms, char *err,
	size_t errlen)
{
	sqlite3_stmt *st = l->st[S_RUN_INS];
	struct user_rec **na;
	if (u->active) {
		if (ms > u->end_ms) u->end_ms = ms;
		return 0;
	}
	if (begin(l, err, errlen)) return ALGO_LEDGER_EDB;
	sqlite3_bind_text(st, 1, u->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, l->run, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, ALGO_VERSION, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, l->options, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, l->opt_hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, ms);
	sqlite3_bind_int64(st, 7, u->last_eq);
	if (run(l, st, err, errlen)) return ALGO_LEDGER_EDB;
	if (!(na = realloc(l->active, (l->nactive + 1) * sizeof *na))) {
		snprintf(err, errlen, "out of memory");
		return ALGO_LEDGER_EDB;
	}
	l->active = na;
	na[l->nactive++] = u;
	u->active = 1;
	u->end_ms = ms;
	u->day = INT64_MIN;
	if (l->capital_new && strcmp(u->name, l->user) == 0) {
		char reason[128], b[ALGO_DEC_FMT_MAX];
		b[algo_dec_fmt(l->capital, b)] = '\0';
		snprintf(reason, sizeof reason, "starting capital set to %s", b);
		l->capital_new = 0;
		return audit_add(l, u->name, ms, "config", NULL, "capital", reason, NULL, 0, err, errlen);
	}
	return 0;
}

/* The user record of name with its run row made sure of. */
static struct user_rec *user_run(struct algo_ledger *l, const char *name, int64_t ms, char *err,
	size_t errlen)
{
	struct user_rec *u = user_get(l, name);
	if (!u) { snprintf(err, errlen, "out of memory"); return NULL; }
	if (user_activate(l, u, ms, err, errlen)) return NULL;
	return u;
}

/* ---- open / commit / free ---------------------------------------------------------- */

int algo_ledger_capital(struct algo_store *s, int64_t *capital)
{
	char v[64];
	int rc = algo_store_meta_get(s, "capital", v, sizeof v);
	if (rc < 0) return -1;
	if (rc == 0) { *capital = ALGO_LEDGER_CAPITAL; return 0; }
	if (algo_dec_parse(v, strlen(v), capital) || *capital <= 0) return -1;
	return 0;
}

static int load(struct algo_ledger *l, char *err, size_t errlen)
{
	sqlite3_stmt *st = algo_store_prepare(l->s, "SELECT user, strategy, symbol, qty, cost, "
		"realized, fees, last_price, updated_ms FROM positions ORDER BY rowid", err, errlen);
	int rc;
	if (!st) return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct pos_rec *p = pos_get(l, (const char *)sqlite3_column_text(st, 0),
			(const char *)sqlite3_column_text(st, 1), (const char *)sqlite3_column_text(st, 2));
		if (!p) { sqlite3_finalize(st); snprintf(err, errlen, "out of memory"); return -1; }
		p->p.qty = sqlite3_column_int64(st, 3);
		p->p.cost = sqlite3_column_int64(st, 4);
		p->p.realised = sqlite3_column_int64(st, 5);
		p->p.fees = sqlite3_column_int64(st, 6);
		p->last_price = sqlite3_column_int64(st, 7);
		p->updated_ms = sqlite3_column_int64(st, 8);
		if (algo_book_unrealised(&p->p, p->last_price, &p->unreal)) p->unreal = 0;
		p->user->realized += p->p.realised;
		p->user->fees += p->p.fees;
		p->user->unreal += p->unreal;
		p->strat->realized += p->p.realised;
		p->strat->fees += p->p.fees;
		p->strat->unreal += p->unreal;
		p->user->last_eq = l->capital + p->user->realized - p->user->fees + p->user->unreal;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) { dberr(l, err, errlen); return -1; }

	/* the user's own marks, after the shared ones of schema 8 and older (user ''),
	 * which they replace */
	st = algo_store_prepare(l->s, "SELECT symbol, tf, ts_ms, price FROM marks WHERE user = ?1 "
		"OR user = '' ORDER BY user <> '', rowid", err, errlen);
	if (!st) return -1;
	sqlite3_bind_text(st, 1, l->user, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		char key[ALGO_NAME_MAX + 8];
		const char *sym = (const char *)sqlite3_column_text(st, 0);
		size_t n = algo_book_key(key, sizeof key, sym, (const char *)sqlite3_column_text(st, 1), NULL);
		struct mark_rec *m = n ? algo_book_tab_get(&l->marks, key, n, 1) : NULL;
		if (!m || !(m->sym = algo_book_tab_get(&l->syms, sym, strlen(sym), 1))) {
			sqlite3_finalize(st);
			snprintf(err, errlen, "out of memory or bad mark row");
			return -1;
		}
		m->stored = 1;
		m->ts = sqlite3_column_int64(st, 2);
		m->price = sqlite3_column_int64(st, 3);
		snprintf(m->symbol, sizeof m->symbol, "%s", sym);
		snprintf(m->tf, sizeof m->tf, "%s", (const char *)sqlite3_column_text(st, 1));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) { dberr(l, err, errlen); return -1; }
	return 0;
}

struct algo_ledger *algo_ledger_open(struct algo_store *s, const char *user, int64_t capital,
	int *capital_differs, char *err, size_t errlen)
{
	struct algo_ledger *l = calloc(1, sizeof *l);
	char v[64];
	int rc;

	*capital_differs = 0;
	if (!l) { snprintf(err, errlen, "out of memory"); return NULL; }
	l->s = s;
	snprintf(l->user, sizeof l->user, "%s", user);
	algo_book_tab_init(&l->users, sizeof(struct user_rec));
	algo_book_tab_init(&l->pos, sizeof(struct pos_rec));
	algo_book_tab_init(&l->syms, sizeof(struct sym_rec));
	algo_book_tab_init(&l->marks, sizeof(struct mark_rec));
	algo_book_tab_init(&l->strats, sizeof(struct strat_rec));
	algo_book_tab_init(&l->held, sizeof(struct held_order));
	if (!(l->in_ctx = EVP_MD_CTX_new()) || !EVP_DigestInit_ex(l->in_ctx, EVP_sha256(), NULL)) {
		snprintf(err, errlen, "cannot set up SHA-256");
		goto fail;
	}
	if (algo_audit_init(&l->audit, s, err, errlen)) goto fail;
	l->audit_ok = 1;
	for (int i = 0; i < S_COUNT; i++)
		if (!(l->st[i] = algo_store_prepare(s, sql[i], err, errlen)))
			goto fail;
	if (!(l->order_rows = order_rows_prepare(s, err, errlen))) goto fail;

	rc = algo_store_meta_get(s, "capital", v, sizeof v);
	if (rc < 0 || (rc == 1 && (algo_dec_parse(v, strlen(v), &l->capital) || l->capital <= 0))) {
		snprintf(err, errlen, "%s: unreadable meta 'capital'", s->path);
		goto fail;
	}
	if (rc == 0) {
		char b[ALGO_DEC_FMT_MAX];
		l->capital = capital > 0 ? capital : ALGO_LEDGER_CAPITAL;
		b[algo_dec_fmt(l->capital, b)] = '\0';
		if (algo_store_meta_set(s, "capital", b)) { dberr(l, err, errlen); goto fail; }
		l->capital_new = 1;
	} else if (capital > 0 && capital != l->capital) {
		*capital_differs = 1;
	}
	if (load(l, err, errlen)) goto fail;
	algo_ledger_set_run(l, NULL);
	return l;
fail:
	algo_ledger_free(l);
	return NULL;
}

int algo_ledger_set_run(struct algo_ledger *l, const char *run_id)
{
	char b[ALGO_DEC_FMT_MAX];
	int n;
	if (run_id && (!*run_id || strlen(run_id) >= sizeof l->run ||
	    strspn(run_id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.:-")
	    != strlen(run_id)))
		return -1;
	b[algo_dec_fmt(l->capital, b)] = '\0';
	n = snprintf(l->options, sizeof l->options, "user=%s capital=%s", l->user, b);
	sha256_hex(l->options, (size_t)n, l->opt_hash);
	snprintf(l->run, sizeof l->run, "%s", run_id ? run_id : "");
	return 0;
}

/* Lines between a backtest's commits: its database is throw-away (a commit need not
 * be durable), and each commit writes the last, partly filled pages of every B-tree
 * to the WAL again: at 5,000 lines a 1M-bar run wrote 61 MB of WAL for a 23 MB
 * database, at 50,000 29 MB. The held orders of a batch stay inside a stage's memory
 * (HELD_MAX; the benchmark's batches hold about 1,900 of 560 bytes). */
#define BACKTEST_BATCH 50000

/* A backtest's batches (the stage loop's, once both are set up). */
static void batch_set(struct algo_ledger *l)
{
	if (l->backtest && l->stage) l->stage->commit_every = BACKTEST_BATCH;
}

void algo_ledger_set_backtest(struct algo_ledger *l)
{
	l->backtest = 1;
	batch_set(l);
}

int algo_ledger_set_run_record(struct algo_ledger *l, const char *json)
{
	char *c = strdup(json);
	if (!c) return -1;
	free(l->run_record);
	l->run_record = c;
	return 0;
}

const char *algo_ledger_run(const struct algo_ledger *l)
{
	return l->run;
}

static int pending(const struct algo_ledger *l)
{
	return l->in_txn || l->ndirty > 0 || algo_book_tab_count(&l->held) > 0;
}

/* A write failed (a full disk): everything since the last commit is rolled back, and
 * since the memory now holds changes the database lost, nothing more is written. */
static void fail(struct algo_ledger *l)
{
	algo_store_rollback(l->s);
	l->in_txn = 0;
	l->failed = 1;
}

/* Adds a line (and its newline) to the SHA-256 of the input, a buffer at a time. */
static void input_hash(struct algo_ledger *l, const char *line, size_t len)
{
	if (l->in_len + len + 1 > sizeof l->in_buf) {
		EVP_DigestUpdate(l->in_ctx, l->in_buf, l->in_len);
		l->in_len = 0;
	}
	if (len + 1 > sizeof l->in_buf) {
		EVP_DigestUpdate(l->in_ctx, line, len);
		EVP_DigestUpdate(l->in_ctx, "\n", 1);
		return;
	}
	memcpy(l->in_buf + l->in_len, line, len);
	l->in_buf[l->in_len + len] = '\n';
	l->in_len += len + 1;
}

/* The hex SHA-256 of the input so far. Returns 0, or -1 with err set. */
static int input_digest(struct algo_ledger *l, char *hex, char *err, size_t errlen)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_MD_CTX *c;
	if (l->in_len) {
		EVP_DigestUpdate(l->in_ctx, l->in_buf, l->in_len);
		l->in_len = 0;
	}
	c = EVP_MD_CTX_new();
	if (!c || !EVP_MD_CTX_copy_ex(c, l->in_ctx) || !EVP_DigestFinal_ex(c, md, &mdlen)) {
		EVP_MD_CTX_free(c);
		snprintf(err, errlen, "SHA-256 failed");
		return -1;
	}
	EVP_MD_CTX_free(c);
	hex_of(md, mdlen, hex);
	return 0;
}

/* Forgets the held orders. */
static void held_forget(struct algo_ledger *l)
{
	for (size_t i = 0; i < algo_book_tab_count(&l->held); i++) {
		struct held_order *o = algo_book_tab_at(&l->held, i, NULL, NULL);
		free(o->reason);
		free(o->broker_id);
	}
	algo_book_tab_free(&l->held);
	l->held_last = NULL;
}

/* Binds held order o to st's parameters base + 1 to base + 20 (S_ORDER_FULL's), its
 * times formatted into ts and updated. */
static void held_bind(const struct algo_ledger *l, sqlite3_stmt *st, int base,
	const struct held_order *o, char ts[ALGO_TIME_FMT_MAX], char updated[ALGO_TIME_FMT_MAX])
{
	sqlite3_bind_text(st, base + 1, o->user, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, base + 2, o->id, -1, SQLITE_STATIC);
	bind_time(st, base + 3, o->ts_ms, ts);
	sqlite3_bind_int64(st, base + 4, o->ts_ms);
	sqlite3_bind_text(st, base + 5, o->strategy, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, base + 6, o->symbol, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, base + 7, o->side == ALGO_BUY ? "buy" : "sell", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, base + 8, o->qty);
	sqlite3_bind_text(st, base + 9, o->kind, -1, SQLITE_STATIC);
	bind_opt_text(st, base + 10, o->product);
	bind_opt_text(st, base + 11, o->validity);
	bind_opt_text(st, base + 12, o->mode);
	sqlite3_bind_text(st, base + 13, l->run, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, base + 14, o->status, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, base + 15, o->filled);
	bind_time(st, base + 16, o->updated_ms, updated);
	sqlite3_bind_int64(st, base + 17, o->updated_ms);
	if (o->reason) sqlite3_bind_text(st, base + 18, o->reason, -1, SQLITE_STATIC);
	else sqlite3_bind_null(st, base + 18);
	if (o->broker_id) sqlite3_bind_text(st, base + 19, o->broker_id, -1, SQLITE_STATIC);
	else sqlite3_bind_null(st, base + 19);
	if (o->has_avg) sqlite3_bind_int64(st, base + 20, o->avg);
	else sqlite3_bind_null(st, base + 20);
}

/* Writes the batch's held orders (a backtest's), HELD_ROWS to a statement, and forgets
 * them. */
static int held_flush(struct algo_ledger *l, char *err, size_t errlen)
{
	char ts[HELD_ROWS][ALGO_TIME_FMT_MAX], updated[HELD_ROWS][ALGO_TIME_FMT_MAX];
	size_t n = algo_book_tab_count(&l->held), i = 0;
	for (; i + HELD_ROWS <= n; i += HELD_ROWS) {
		for (int k = 0; k < HELD_ROWS; k++)
			held_bind(l, l->order_rows, 20 * k, algo_book_tab_at(&l->held, i + (size_t)k, NULL, NULL),
				ts[k], updated[k]);
		if (run(l, l->order_rows, err, errlen)) return -1;
	}
	for (; i < n; i++) {
		held_bind(l, l->st[S_ORDER_FULL], 0, algo_book_tab_at(&l->held, i, NULL, NULL), ts[0], updated[0]);
		if (run(l, l->st[S_ORDER_FULL], err, errlen)) return -1;
	}
	held_forget(l);
	return 0;
}

/* Writes pending position, mark, run and strategy changes inside the transaction. */
static int flush(struct algo_ledger *l, char *err, size_t errlen)
{
	char ts[ALGO_TIME_FMT_MAX];
	if (held_flush(l, err, errlen) || curves_flush(l, err, errlen)) return -1;
	for (size_t i = 0; l->ndirty && i < algo_book_tab_count(&l->pos); i++) {
		struct pos_rec *p = algo_book_tab_at(&l->pos, i, NULL, NULL);
		sqlite3_stmt *st = l->st[S_POS];
		if (!p->dirty) continue;
		sqlite3_bind_text(st, 1, p->user->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, p->strategy, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, p->symbol, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, p->p.qty);
		sqlite3_bind_int64(st, 5, algo_book_avg_price(&p->p));
		sqlite3_bind_int64(st, 6, p->p.cost);
		sqlite3_bind_int64(st, 7, p->p.realised);
		sqlite3_bind_int64(st, 8, p->p.fees);
		sqlite3_bind_int64(st, 9, p->last_price);
		bind_time(st, 10, p->updated_ms, ts);
		sqlite3_bind_int64(st, 11, p->updated_ms);
		if (run(l, st, err, errlen)) return -1;
		p->dirty = 0;
		l->ndirty--;
	}
	for (size_t i = 0; l->ndirty && i < algo_book_tab_count(&l->marks); i++) {
		struct mark_rec *m = algo_book_tab_at(&l->marks, i, NULL, NULL);
		sqlite3_stmt *st = l->st[S_MARK];
		if (!m->dirty) continue;
		sqlite3_bind_text(st, 1, m->symbol, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, m->tf, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, m->ts);
		sqlite3_bind_int64(st, 4, m->price);
		sqlite3_bind_text(st, 5, l->user, -1, SQLITE_STATIC);
		if (run(l, st, err, errlen) || closes_write(l, m, err, errlen)) return -1;
		m->dirty = 0;
		l->ndirty--;
	}
	if (l->nactive) {
		char hex[2 * EVP_MAX_MD_SIZE + 1];
		if (input_digest(l, hex, err, errlen)) return -1;
		for (size_t i = 0; i < l->nactive; i++) {
			struct user_rec *u = l->active[i];
			sqlite3_stmt *st = l->st[S_RUN_UPD];
			if (day_flush(l, u, err, errlen)) return -1;
			sqlite3_bind_text(st, 1, u->name, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 2, l->run, -1, SQLITE_STATIC);
			sqlite3_bind_int64(st, 3, u->end_ms);
			sqlite3_bind_int64(st, 4, u->run_bars);
			sqlite3_bind_int64(st, 5, u->run_pos);
			sqlite3_bind_text(st, 6, hex, -1, SQLITE_TRANSIENT);
			if (run(l, st, err, errlen)) return -1;
			u->run_bars = u->run_pos = 0;
		}
	}
	for (size_t i = 0; i < algo_book_tab_count(&l->strats); i++) {
		struct strat_rec *sr = algo_book_tab_at(&l->strats, i, NULL, NULL);
		if (sr->seen_dirty) {
			sqlite3_stmt *st = l->st[S_STRAT];
			sqlite3_bind_text(st, 1, sr->user->name, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 2, sr->name, -1, SQLITE_STATIC);
			if (sr->hash[0]) sqlite3_bind_text(st, 3, sr->hash, -1, SQLITE_STATIC);
			else sqlite3_bind_null(st, 3);
			sqlite3_bind_int64(st, 4, sr->first_ms);
			sqlite3_bind_int64(st, 5, sr->last_ms);
			if (run(l, st, err, errlen)) return -1;
			sr->seen_dirty = 0;
		}
		if (sr->pnl_dirty && strat_snapshot(l, sr, err, errlen)) return -1;
	}
	return algo_audit_save_head(&l->audit, err, errlen);
}

int algo_ledger_commit(struct algo_ledger *l, char *err, size_t errlen)
{
	l->curve_lines = 0;
	if (l->failed || !pending(l)) return 0;
	if (begin(l, err, errlen) || flush(l, err, errlen)) {
		fail(l);
		return -1;
	}
	l->in_txn = 0;
	if (algo_store_commit(l->s, err, errlen)) {
		fail(l);
		return -1;
	}
	return 0;
}



void algo_ledger_free(struct algo_ledger *l)
{
	if (!l) return;
	if (l->in_txn) algo_store_rollback(l->s);
	for (int i = 0; i < S_COUNT; i++)
		sqlite3_finalize(l->st[i]);
	sqlite3_finalize(l->order_rows);
	if (l->audit_ok) algo_audit_free(&l->audit);
	EVP_MD_CTX_free(l->in_ctx);
	free(l->run_record);
	free(l->active);
	algo_book_tab_free(&l->strats);
	held_forget(l);
	algo_book_tab_free(&l->users);
	algo_book_tab_free(&l->pos);
	algo_book_tab_free(&l->syms);
	algo_book_tab_free(&l->marks);
	free(l);
}

/* ---- field helpers ------------------------------------------------------------------ */

static int side_of(const struct algo_event *ev, int *side, char *err, size_t errlen)
{
	char s[8];
	if (algo_event_str(ev, "side", 1, s, sizeof s, err, errlen) < 0) {
		if (algo_event_get(ev, "side") && algo_event_get(ev, "side")->type == ALGO_J_STRING)
			BAD("field 'side': must be \"buy\" or \"sell\"");
		return ALGO_LEDGER_EBAD;
	}
	if (strcmp(s, "buy") == 0) *side = ALGO_BUY;
	else if (strcmp(s, "sell") == 0) *side = ALGO_SELL;
	else BAD("field 'side': must be \"buy\" or \"sell\"");
	return 0;
}

/* A string field that must be one of the |-separated words in allowed. */
static int enum_field(const struct algo_event *ev, const char *key, int required,
	const char *allowed, char *out, size_t outlen, char *err, size_t errlen)
{
	int rc = algo_event_str(ev, key, required, out, outlen, err, errlen);
	const char *p = allowed;
	size_t n;
	if (rc < 0) {
		const struct algo_jfield *f = algo_event_get(ev, key);
		if (f && f->type == ALGO_J_STRING) BAD("field '%s': must be one of %s", key, allowed);
		return ALGO_LEDGER_EBAD;
	}
	if (rc == 0) { out[0] = '\0'; return 0; }
	n = strlen(out);
	while (*p) {
		const char *bar = strchr(p, '|');
		size_t k = bar ? (size_t)(bar - p) : strlen(p);
		if (k == n && memcmp(p, out, n) == 0) return 0;
		p += k + (bar ? 1 : 0);
	}
	BAD("field '%s': must be one of %s", key, allowed);
}

static int user_of(struct algo_ledger *l, const struct algo_event *ev, char *out,
	char *err, size_t errlen)
{
	int rc = algo_event_str(ev, "user", 0, out, ALGO_NAME_MAX, err, errlen);
	if (rc < 0) return ALGO_LEDGER_EBAD;
	if (rc == 0 || !out[0]) snprintf(out, ALGO_NAME_MAX, "%s", l->user);
	return 0;
}

static int order_id(const struct algo_event *ev, char *out, size_t outlen, char *err, size_t errlen)
{
	if (algo_event_str(ev, "id", 1, out, outlen, err, errlen) < 0) return ALGO_LEDGER_EBAD;
	for (const char *p = out; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
			BAD("field 'id': must be 1 to 30 letters or digits");
	return 0;
}

/* Whether a fee member's name is letters, digits, '_' and '-' only (a loop: strspn
 * with this set was a third of the cost of a fill's fees). */
static int fee_name_ok(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      *s == '_' || *s == '-'))
			return 0;
	return 1;
}

/* Walks a flat JSON object of numbers (the "fees" member). Calls cb for every member
 * with its unescaped name and exact value. Returns 0, or ALGO_LEDGER_EBAD with err. */
static int fees_each(const char *s, size_t n, int (*cb)(const char *k, int64_t v, void *arg),
	void *arg, char *err, size_t errlen)
{
	size_t i = 0;
#define WS() while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n')) i++
	WS();
	if (i >= n || s[i] != '{') BAD("field 'fees': must be an object");
	i++;
	WS();
	if (i < n && s[i] == '}') return 0;
	while (i < n) {
		char name[ALGO_NAME_MAX];
		size_t k0, k1, v0;
		int64_t v;
		if (s[i] != '"') BAD("field 'fees': malformed");
		k0 = ++i;
		while (i < n && s[i] != '"') i += s[i] == '\\' ? 2 : 1;
		if (i >= n) BAD("field 'fees': malformed");
		k1 = i++;
		if (algo_json_unescape(s + k0, k1 - k0, name, sizeof name) <= 0 || !fee_name_ok(name))
			BAD("field 'fees': member names must be 1 to 63 letters, digits, '_' or '-'");
		WS();
		if (i >= n || s[i] != ':') BAD("field 'fees': malformed");
		i++;
		WS();
		v0 = i;
		while (i < n && ((s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '+' ||
		                 s[i] == '.' || s[i] == 'e' || s[i] == 'E'))
			i++;
		if (i == v0) BAD("field 'fees.%s': must be a number", name);
		if (algo_dec_parse(s + v0, i - v0, &v))
			BAD("field 'fees.%s': %.*s is out of range or has more than 4 decimals", name,
				(int)(i - v0 > 40 ? 40 : i - v0), s + v0);
		if (v < 0) BAD("field 'fees.%s': must not be negative", name);
		if (cb(name, v, arg)) BAD("field 'fees': too many members or total out of range");
		WS();
		if (i < n && s[i] == ',') { i++; WS(); continue; }
		if (i < n && s[i] == '}') return 0;
		BAD("field 'fees.%s': must be a number", name);
	}
	BAD("field 'fees': malformed");
#undef WS
}

struct fee_sum { int64_t total, sum; int have_total; };

static int fee_sum_cb(const char *k, int64_t v, void *arg)
{
	struct fee_sum *f = arg;
	if (strcmp(k, "total") == 0) { f->total = v; f->have_total = 1; return 0; }
	return __builtin_add_overflow(f->sum, v, &f->sum);
}

/* ---- events --------------------------------------------------------------------------- */

/* The held order (user, id) of a backtest's batch, created empty with create. */
static struct held_order *held_get(struct algo_ledger *l, const char *user, const char *id,
	int create)
{
	char key[ALGO_NAME_MAX + ORDER_ID_MAX + 2];
	struct held_order *o = l->held_last;
	size_t n;
	if (!l->backtest) return NULL;
	if (o && strcmp(o->id, id) == 0 && strcmp(o->user, user) == 0) return o;
	n = algo_book_key(key, sizeof key, user, id, NULL);
	if (!(o = n ? algo_book_tab_get(&l->held, key, n, create) : NULL)) return NULL;
	/* one just made is empty until the caller fills it in: not yet one to find */
	l->held_last = o->id[0] ? o : NULL;
	return o;
}

/* Sets a held order's *dst to a copy of src. Returns 0, or -1 when out of memory. */
static int held_text(char **dst, const char *src)
{
	char *c = strdup(src);
	if (!c) return -1;
	free(*dst);
	*dst = c;
	return 0;
}

/* Held orders at most: a batch of orders alone (50,000 lines, 16,700 orders) took the
 * ledger to 21.6 MB; past this many they are written at once, inside the open
 * transaction, and their later steps update their rows as for an order of an earlier
 * batch. The benchmark's batches hold about 1,900. */
#define HELD_MAX 2048

/* Holds o, a backtest's new order, until the commit (a duplicate of one held is
 * dropped, as ON CONFLICT DO NOTHING would). */
static int order_hold(struct algo_ledger *l, const struct held_order *o, char *err, size_t errlen)
{
	struct held_order *h;
	if (algo_book_tab_count(&l->held) >= HELD_MAX && held_flush(l, err, errlen)) return ALGO_LEDGER_EDB;
	h = held_get(l, o->user, o->id, 1);
	if (!h) BAD("out of memory");
	if (h->id[0]) return 0;
	*h = *o;
	l->held_last = h;
	l->n_orders++;
	return 0;
}

static int on_order(struct algo_ledger *l, const struct algo_event *ev, char *err, size_t errlen)
{
	struct held_order o = { .side = 0 };
	char shash[72] = "", ts[ALGO_TIME_FMT_MAX], updated[ALGO_TIME_FMT_MAX];
	struct user_rec *u;
	struct strat_rec *sr;
	sqlite3_stmt *st = l->st[S_ORDER_FULL];

	if (algo_event_time(ev, "ts", 1, &o.ts_ms, err, errlen) < 0 ||
	    user_of(l, ev, o.user, err, errlen) ||
	    order_id(ev, o.id, sizeof o.id, err, errlen) ||
	    algo_event_str(ev, "strategy", 1, o.strategy, sizeof o.strategy, err, errlen) < 0 ||
	    algo_event_str(ev, "symbol", 1, o.symbol, sizeof o.symbol, err, errlen) < 0 ||
	    side_of(ev, &o.side, err, errlen) ||
	    algo_event_qty(ev, "qty", 1, &o.qty, err, errlen) < 0 ||
	    enum_field(ev, "kind", 1, "market|limit|stop|stop_limit", o.kind, sizeof o.kind, err, errlen) ||
	    enum_field(ev, "product", 0, "intraday|delivery|margin", o.product, sizeof o.product, err, errlen) ||
	    enum_field(ev, "validity", 0, "day|ioc", o.validity, sizeof o.validity, err, errlen) ||
	    enum_field(ev, "mode", 0, "paper|live", o.mode, sizeof o.mode, err, errlen) ||
	    algo_event_str(ev, "strategy_hash", 0, shash, sizeof shash, err, errlen) < 0)
		return ALGO_LEDGER_EBAD;
	if (begin(l, err, errlen)) return ALGO_LEDGER_EDB;
	if (!(u = user_run(l, o.user, o.ts_ms, err, errlen))) return ALGO_LEDGER_EDB;
	if (!(sr = strat_get(l, u, o.strategy))) BAD("out of memory");
	strat_seen(sr, o.ts_ms);
	if (shash[0] && strcmp(shash, sr->hash) != 0) {
		snprintf(sr->hash, sizeof sr->hash, "%s", shash);
		sr->seen_dirty = 1;
	}
	memcpy(o.status, "new", 4);
	o.updated_ms = o.ts_ms;
	if (l->backtest) return order_hold(l, &o, err, errlen);
	held_bind(l, st, 0, &o, ts, updated);
	if (run(l, st, err, errlen)) return ALGO_LEDGER_EDB;
	l->n_orders += sqlite3_changes(l->s->db);
	{
		char reason[3 * ALGO_NAME_MAX];
		snprintf(reason, sizeof reason, "%s %lld %s %s", o.side == ALGO_BUY ? "buy" : "sell",
			(long long)o.qty, o.symbol, o.kind);
		return audit_add(l, o.user, o.ts_ms, "order", o.strategy, o.id, reason, ev->line, ev->len,
			err, errlen);
	}
}

static int on_order_update(struct algo_ledger *l, const struct algo_event *ev, char *err,
	size_t errlen)
{
	char user[ALGO_NAME_MAX], id[ORDER_ID_MAX], status[16], reason[512], broker_id[64];
	char ts[ALGO_TIME_FMT_MAX];
	int64_t ms, filled = 0, avg = 0;
	int has_filled, has_avg, rc_reason, rc_broker;
	sqlite3_stmt *st = l->st[S_ORDER_UPD];

	if (algo_event_time(ev, "ts", 1, &ms, err, errlen) < 0 ||
	    user_of(l, ev, user, err, errlen) ||
	    order_id(ev, id, sizeof id, err, errlen) ||
	    enum_field(ev, "status", 1, "accepted|rejected|cancelled|expired|filled|partial",
		status, sizeof status, err, errlen) ||
	    (rc_reason = algo_event_str(ev, "reason", 0, reason, sizeof reason, err, errlen)) < 0 ||
	    (rc_broker = algo_event_str(ev, "broker_id", 0, broker_id, sizeof broker_id, err, errlen)) < 0 ||
	    (has_filled = algo_event_int(ev, "filled", 0, &filled, err, errlen)) < 0 ||
	    (has_avg = algo_event_price(ev, "avg_price", 0, &avg, err, errlen)) < 0)
		return ALGO_LEDGER_EBAD;
	if (has_filled && filled < 0) BAD("field 'filled': must not be negative");
	if (begin(l, err, errlen)) return ALGO_LEDGER_EDB;
	if (!user_run(l, user, ms, err, errlen)) return ALGO_LEDGER_EDB;
	{
		struct held_order *o = held_get(l, user, id, 0);
		if (o) {                               /* the UPDATE below, in memory */
			if (o->updated_ms > ms) return 0;
			if ((rc_reason && held_text(&o->reason, reason)) ||
			    (rc_broker && held_text(&o->broker_id, broker_id)))
				BAD("out of memory");
			memcpy(o->status, status, sizeof o->status);
			if (has_filled) o->filled = filled;
			if (has_avg) { o->avg = avg; o->has_avg = 1; }
			o->updated_ms = ms;
			return 0;
		}
	}
	sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, status, -1, SQLITE_STATIC);
	bind_opt_text(st, 4, rc_reason ? reason : NULL);
	bind_opt_text(st, 5, rc_broker ? broker_id : NULL);
	if (has_filled) sqlite3_bind_int64(st, 6, filled); else sqlite3_bind_null(st, 6);
	if (has_avg) sqlite3_bind_int64(st, 7, avg); else sqlite3_bind_null(st, 7);
	bind_time(st, 8, ms, ts);
	sqlite3_bind_int64(st, 9, ms);
	if (run(l, st, err, errlen)) return ALGO_LEDGER_EDB;
	if (l->backtest) return 0;               /* no audit row: nothing more to do */
	{
		char ref[ORDER_ID_MAX + 64], strategy[ALGO_NAME_MAX] = "", why[600];
		int rc;
		st = l->st[S_ORDER_STRAT];
		sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			snprintf(strategy, sizeof strategy, "%s", (const char *)sqlite3_column_text(st, 0));
		sqlite3_reset(st);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE) return dberr(l, err, errlen);
		snprintf(ref, sizeof ref, "%s:%s:%lld", id, status, (long long)ms);
		snprintf(why, sizeof why, "%s%s%s", status, rc_reason ? ": " : "", rc_reason ? reason : "");
		return audit_add(l, user, ms, "order_update", strategy, ref, why, ev->line, ev->len,
			err, errlen);
	}
}

/* Sets the order's filled quantity and average fill price from its recorded fills. */
static int order_fills(struct algo_ledger *l, const char *user, const char *id, int64_t fqty,
	int64_t fprice, char *err, size_t errlen)
{
	sqlite3_stmt *st = l->st[S_FILL_SUM];
	struct held_order *o = held_get(l, user, id, 0);
	__int128 val = 0;
	int64_t qty = 0;
	int rc;
	if (o) {                                   /* its fills are all of this batch */
		__int128 q, r;
		o->fill_qty += fqty;
		o->fill_val += (__int128)fqty * fprice;
		q = o->fill_val / o->fill_qty;
		r = o->fill_val % o->fill_qty;
		if (2 * (r < 0 ? -r : r) >= o->fill_qty) q += o->fill_val < 0 ? -1 : 1;
		o->filled = o->fill_qty;
		o->avg = (int64_t)q;
		o->has_avg = 1;
		return 0;
	}
	sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t q = sqlite3_column_int64(st, 0);
		qty += q;
		val += (__int128)q * sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) return dberr(l, err, errlen);
	if (qty <= 0) return 0;
	st = l->st[S_ORDER_FILLED];
	sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, qty);
	{
		__int128 q = val / qty, r = val % qty;
		if (2 * (r < 0 ? -r : r) >= qty) q += val < 0 ? -1 : 1;
		sqlite3_bind_int64(st, 4, (int64_t)q);
	}
	return run(l, st, err, errlen);
}

static int on_fill(struct algo_ledger *l, const struct algo_event *ev, char *err, size_t errlen)
{
	char user[ALGO_NAME_MAX], id[ORDER_ID_MAX], fill_id[ALGO_NAME_MAX];
	char strategy[ALGO_NAME_MAX], symbol[ALGO_NAME_MAX], ts[ALGO_TIME_FMT_MAX];
	int64_t ms, qty, price, remaining, unreal;
	int side, rc, has_strategy, ambiguous;
	struct fee_sum fees = { 0, 0, 0 };
	const struct algo_jfield *ff;
	struct pos_rec *p;
	struct user_rec *u;
	struct algo_position np;
	const struct held_order *held;
	sqlite3_stmt *st;

	if (algo_event_time(ev, "ts", 1, &ms, err, errlen) < 0 ||
	    user_of(l, ev, user, err, errlen) ||
	    order_id(ev, id, sizeof id, err, errlen) ||
	    algo_event_str(ev, "fill_id", 1, fill_id, sizeof fill_id, err, errlen) < 0 ||
	    algo_event_str(ev, "symbol", 1, symbol, sizeof symbol, err, errlen) < 0 ||
	    side_of(ev, &side, err, errlen) ||
	    algo_event_qty(ev, "qty", 1, &qty, err, errlen) < 0 ||
	    algo_event_price(ev, "price", 1, &price, err, errlen) < 0 ||
	    (has_strategy = algo_event_str(ev, "strategy", 0, strategy, sizeof strategy, err, errlen)) < 0 ||
	    algo_event_int(ev, "remaining", 0, &remaining, err, errlen) < 0)
		return ALGO_LEDGER_EBAD;
	{
		const struct algo_jfield *af = algo_event_get(ev, "ambiguous");
		if (af && af->type != ALGO_J_TRUE && af->type != ALGO_J_FALSE && af->type != ALGO_J_NULL)
			BAD("field 'ambiguous': must be true or false");
		ambiguous = af && af->type == ALGO_J_TRUE;
	}
	if (algo_event_get(ev, "remaining") && remaining < 0)
		BAD("field 'remaining': must not be negative");
	ff = algo_event_get(ev, "fees");
	if (ff && ff->type == ALGO_J_NUMBER) {
		if (algo_event_dec(ev, "fees", 1, &fees.total, err, errlen) < 0) return ALGO_LEDGER_EBAD;
		if (fees.total < 0) BAD("field 'fees': must not be negative");
		fees.have_total = 1;
	} else if (ff && ff->type != ALGO_J_NULL) {
		if (ff->type != ALGO_J_OBJECT) BAD("field 'fees': must be an object");
		if ((rc = fees_each(ff->val, ff->vlen, fee_sum_cb, &fees, err, errlen))) return rc;
	}
	if (!fees.have_total) fees.total = fees.sum;

	/* The strategy: the fill's own, else its order's. */
	if ((!has_strategy || !strategy[0]) && (held = held_get(l, user, id, 0))) {
		memcpy(strategy, held->strategy, sizeof strategy);
	} else if (!has_strategy || !strategy[0]) {
		st = l->st[S_ORDER_STRAT];
		strategy[0] = '\0';
		sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			snprintf(strategy, sizeof strategy, "%s", (const char *)sqlite3_column_text(st, 0));
		sqlite3_reset(st);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE) return dberr(l, err, errlen);
	}

	/* Work the new position out before writing anything, so a fill that cannot be
	 * applied leaves no trace. */
	if (!(p = pos_get(l, user, strategy, symbol))) BAD("names too long or out of memory");
	np = p->p;
	if (algo_book_apply_fill(&np, side, qty, price, err, errlen) ||
	    algo_book_add_fees(&np, fees.total) || algo_book_unrealised(&np, price, &unreal))
		BAD("field 'qty': position or PnL out of range");

	if (begin(l, err, errlen)) return ALGO_LEDGER_EDB;
	if (!user_run(l, user, ms, err, errlen)) return ALGO_LEDGER_EDB;
	st = l->st[S_FILL_INS];
	sqlite3_bind_text(st, 13, l->run, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 14, ambiguous);
	sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, fill_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, id, -1, SQLITE_STATIC);
	bind_time(st, 4, ms, ts);
	sqlite3_bind_int64(st, 5, ms);
	sqlite3_bind_text(st, 6, strategy, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, symbol, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, side == ALGO_BUY ? "buy" : "sell", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 9, qty);
	sqlite3_bind_int64(st, 10, price);
	sqlite3_bind_int64(st, 11, fees.total);
	if (ff && ff->type == ALGO_J_OBJECT)
		sqlite3_bind_text(st, 12, ff->val, (int)ff->vlen, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 12);
	if (run(l, st, err, errlen)) return ALGO_LEDGER_EDB;
	if (sqlite3_changes(l->s->db) == 0)
		return 0;                              /* seen before: already applied */
	l->n_fills++;

	if (strat_touch(l, p->strat, ms, err, errlen)) return ALGO_LEDGER_EDB;
	strat_seen(p->strat, ms);
	p->strat->realized += np.realised - p->p.realised;
	p->strat->fees += np.fees - p->p.fees;
	p->strat->unreal += unreal - p->unreal;
	u = p->user;
	u->realized += np.realised - p->p.realised;
	u->fees += np.fees - p->p.fees;
	u->unreal += unreal - p->unreal;
	p->p = np;
	p->unreal = unreal;
	p->last_price = price;
	p->updated_ms = ms;
	pos_dirty(l, p);
	if ((rc = order_fills(l, user, id, qty, price, err, errlen))) return rc;
	if (!l->backtest) {
		char reason[3 * ALGO_NAME_MAX], b[ALGO_DEC_FMT_MAX];
		b[algo_dec_fmt(price, b)] = '\0';
		snprintf(reason, sizeof reason, "%s %lld %s @ %s%s", side == ALGO_BUY ? "buy" : "sell",
			(long long)qty, symbol, b, ambiguous ? " (ambiguous intrabar fill)" : "");
		if (audit_add(l, user, ms, "fill", strategy, fill_id, reason, ev->line, ev->len,
				err, errlen))
			return ALGO_LEDGER_EDB;
	}
	return equity_check(l, u, ms, err, errlen);
}

static int on_bar(struct algo_ledger *l, const struct algo_event *ev, char *err, size_t errlen)
{
	struct algo_bar bar;
	char key[ALGO_NAME_MAX + 8];
	size_t n;
	struct mark_rec *m;
	struct pos_rec *p;

	if (algo_bar_decode(ev, &bar, err, errlen)) return ALGO_LEDGER_EBAD;
	if ((m = l->last_mark) && strcmp(m->symbol, bar.symbol) == 0 && strcmp(m->tf, bar.tf) == 0) {
		/* the same series as the bar before */
	} else {
		n = algo_book_key(key, sizeof key, bar.symbol, bar.tf, NULL);
		if (!n || !(m = algo_book_tab_get(&l->marks, key, n, 1))) BAD("out of memory");
	}
	if (!m->sym) {
		if (!(m->sym = algo_book_tab_get(&l->syms, bar.symbol, strlen(bar.symbol), 1)))
			BAD("out of memory");
		snprintf(m->symbol, sizeof m->symbol, "%s", bar.symbol);
		snprintf(m->tf, sizeof m->tf, "%s", bar.tf);
	}
	l->last_mark = m;
	if (m->seen && bar.ts <= m->run_last) {
		char a[ALGO_TIME_FMT_MAX], b[ALGO_TIME_FMT_MAX];
		a[algo_time_fmt(bar.ts, ALGO_IST_OFFSET_MIN, a)] = '\0';
		b[algo_time_fmt(m->run_last, ALGO_IST_OFFSET_MIN, b)] = '\0';
		BAD("field 'ts': %s is not after the previous %s %s bar (%s)", a, bar.symbol,
			bar.tf[0] ? bar.tf : "-", b);
	}
	m->seen = 1;
	m->run_last = bar.ts;
	if (m->stored && bar.ts <= m->ts)
		return 0;                          /* marked before: a replay */
	if (closes_note(l, m, bar.ts, bar.c, err, errlen)) return ALGO_LEDGER_EDB;
	m->stored = 1;
	m->ts = bar.ts;
	m->price = bar.c;
	if (!m->dirty) { m->dirty = 1; l->ndirty++; }

	/* Check every mark first so that a bad one changes nothing. */
	for (p = m->sym->head; p; p = p->next) {
		int64_t unreal;
		if (p->p.qty && algo_book_unrealised(&p->p, bar.c, &unreal))
			BAD("field 'c': unrealised PnL out of range");
	}
	if (l->nactive) {
		int64_t day = day_of(bar.ts);
		l->bar_serial++;
		for (size_t i = 0; i < l->nactive; i++) {
			struct user_rec *u = l->active[i];
			if (u->day != day) {
				if (begin(l, err, errlen) || day_flush(l, u, err, errlen)) return ALGO_LEDGER_EDB;
				u->day = day;
			}
			u->day_bars++;
			if (bar.ts > u->end_ms) u->end_ms = bar.ts;
		}
		for (p = m->sym->head; p; p = p->next)
			if (p->p.qty && p->user->active && p->user->pos_serial != l->bar_serial) {
				p->user->pos_serial = l->bar_serial;
				p->user->day_pos++;
			}
	}
	for (p = m->sym->head; p; p = p->next) {
		int64_t unreal;
		/* another user's position, loaded from a shared database: their stream marks it */
		if (!p->p.qty || p->last_price == bar.c || !(p->user->owner || p->user->active)) continue;
		if (begin(l, err, errlen) || strat_touch(l, p->strat, bar.ts, err, errlen))
			return ALGO_LEDGER_EDB;
		algo_book_unrealised(&p->p, bar.c, &unreal);
		p->strat->unreal += unreal - p->unreal;
		p->user->unreal += unreal - p->unreal;
		p->unreal = unreal;
		p->last_price = bar.c;
		p->updated_ms = bar.ts;
		p->user->touched = 1;
		pos_dirty(l, p);
	}
	for (p = m->sym->head; p; p = p->next) {
		if (!p->user->touched) continue;
		p->user->touched = 0;
		if (equity_check(l, p->user, bar.ts, err, errlen)) return ALGO_LEDGER_EDB;
	}
	return 0;
}

/* risk_block and kill_switch: into the audit log. */
static int on_control(struct algo_ledger *l, const struct algo_event *ev, const char *kind,
	char *err, size_t errlen)
{
	char user[ALGO_NAME_MAX], strategy[ALGO_NAME_MAX] = "", why[512] = "", scope[32] = "";
	char state[16] = "", rule[64] = "", reason[700], ref[ALGO_AUDIT_HASH_LEN + 1];
	int64_t ms;
	if (algo_event_time(ev, "ts", 1, &ms, err, errlen) < 0 ||
	    user_of(l, ev, user, err, errlen) ||
	    algo_event_str(ev, "strategy", 0, strategy, sizeof strategy, err, errlen) < 0 ||
	    algo_event_str(ev, "reason", 0, why, sizeof why, err, errlen) < 0 ||
	    algo_event_str(ev, "scope", 0, scope, sizeof scope, err, errlen) < 0 ||
	    algo_event_str(ev, "state", 0, state, sizeof state, err, errlen) < 0 ||
	    algo_event_str(ev, "rule", 0, rule, sizeof rule, err, errlen) < 0)
		return ALGO_LEDGER_EBAD;
	if (ev->type == ALGO_EV_KILL_SWITCH)
		snprintf(reason, sizeof reason, "%s %s%s%s", scope[0] ? scope : "-", state[0] ? state : "-",
			why[0] ? ": " : "", why);
	else
		snprintf(reason, sizeof reason, "%s%s%s", rule[0] ? rule : "blocked", why[0] ? ": " : "", why);
	sha256_hex(ev->line, ev->len, ref);
	if (begin(l, err, errlen)) return ALGO_LEDGER_EDB;
	if (!user_run(l, user, ms, err, errlen)) return ALGO_LEDGER_EDB;
	return audit_add(l, user, ms, kind, strategy, ref, reason, ev->line, ev->len, err, errlen);
}

/* A backtest's curves write their candidate points (lib/eqcurve.h) every CURVE_LINES
 * lines since the last commit as well as at each commit: the points between the days'
 * last ones, which the text report's sparkline and the HTML chart draw, stay those of
 * the 5,000-line batches a backtest had before its batches grew. */
#define CURVE_LINES 5000

/* Counts a line recorded; writes the curves' points at every CURVE_LINES-th. */
static int curve_lines_note(struct algo_ledger *l, char *err, size_t errlen)
{
	if (!l->backtest || ++l->curve_lines < CURVE_LINES) return 0;
	l->curve_lines = 0;
	return begin(l, err, errlen) || curves_flush(l, err, errlen) ? ALGO_LEDGER_EDB : 0;
}

int algo_ledger_event(struct algo_ledger *l, const struct algo_event *ev, char *err, size_t errlen)
{
	int rc;
	if (!l->nactive) {                     /* the first event: the run starts */
		int64_t ms;
		char e2[ALGO_ERR_MAX];
		if (algo_event_time(ev, "ts", 1, &ms, e2, sizeof e2) == 1) {
			if (!l->run[0]) run_derive(l, ms);
			if (begin(l, err, errlen) || !user_run(l, l->user, ms, err, errlen))
				return ALGO_LEDGER_EDB;
		}
	}
	switch (ev->type) {
	case ALGO_EV_RISK_BLOCK: rc = on_control(l, ev, "risk_block", err, errlen); break;
	case ALGO_EV_KILL_SWITCH: rc = on_control(l, ev, "kill_switch", err, errlen); break;
	case ALGO_EV_BAR: rc = on_bar(l, ev, err, errlen); break;
	case ALGO_EV_ORDER: rc = on_order(l, ev, err, errlen); break;
	case ALGO_EV_ORDER_UPDATE: rc = on_order_update(l, ev, err, errlen); break;
	case ALGO_EV_FILL: rc = on_fill(l, ev, err, errlen); break;
	default: rc = 0;
	}
	if (rc == 0) {
		input_hash(l, ev->line, ev->len);
		rc = curve_lines_note(l, err, errlen);
	}
	if (rc == ALGO_LEDGER_EDB) fail(l);
	return rc;
}

/* ---- the stage loop ------------------------------------------------------------------ */

/* One line: recorded, then passed through unchanged. A line that cannot be written (a
 * full disk) ends the run with 74 and one message; the database stays as of the last
 * commit, and the line is not passed on. */
static int stage_event(void *arg, const struct algo_event *ev, char *err, size_t errlen)
{
	struct algo_ledger *l = arg;
	int rc = algo_ledger_event(l, ev, err, errlen);
	if (rc == ALGO_LEDGER_EBAD) return -1;
	if (rc == ALGO_LEDGER_EDB) {
		char msg[ALGO_ERR_MAX + 128];
		snprintf(msg, sizeof msg, "%s:%ld: cannot record: %s (the state is as of the last commit)",
			l->stage->name, l->stage->reader.lineno, err);
		return algo_stage_stop(l->stage, ALGO_EX_IOERR, msg);
	}
	algo_out_line(&algo_stdout, ev->line, ev->len);
	return 0;
}

/* The SHA-256 of the strategy file, as algo-eval recorded it in the same database
 * (algo-backtest gives every stage the run's database); left empty when absent. */
static void strategy_file_hash(struct algo_ledger *l, struct strat_rec *sr)
{
	char err[ALGO_ERR_MAX];
	sqlite3_stmt *st;
	sqlite3_exec(l->s->db, "SAVEPOINT eval_hash", NULL, NULL, NULL);
	st = algo_store_prepare(l->s, "SELECT hash FROM eval_state WHERE strategy = ?1 LIMIT 1",
		err, sizeof err);
	if (st) {
		sqlite3_bind_text(st, 1, sr->name, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
			snprintf(sr->hash, sizeof sr->hash, "%s", (const char *)sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
	}
	sqlite3_exec(l->s->db, "RELEASE eval_hash", NULL, NULL, NULL);
}

/* A backtest's one audit row: what ran on what, and with which result. */
static int audit_backtest(struct algo_ledger *l, char *err, size_t errlen)
{
	struct user_rec *u = algo_book_tab_get(&l->users, l->user, strlen(l->user), 0);
	char strategies[1024] = "", input[2 * EVP_MAX_MD_SIZE + 1], reason[1400], eq[ALGO_DEC_FMT_MAX];
	char *detail;
	const char *one = NULL, *rec = l->run_record ? l->run_record : "null";
	size_t n = 0, nstrat = 0, dlen;
	int rc;
	if (!u || !u->active) return 0;               /* nothing was recorded */
	for (size_t i = 0; i < algo_book_tab_count(&l->strats); i++) {
		struct strat_rec *sr = algo_book_tab_at(&l->strats, i, NULL, NULL);
		if (sr->user != u) continue;
		if (!sr->hash[0]) strategy_file_hash(l, sr);
		n += (size_t)snprintf(strategies + n, n < sizeof strategies ? sizeof strategies - n : 0,
			"%s%s %s", nstrat ? ", " : "", sr->name, sr->hash[0] ? sr->hash : "-");
		if (n >= sizeof strategies) n = sizeof strategies - 1;
		one = sr->name;
		nstrat++;
	}
	if (input_digest(l, input, err, errlen)) return -1;
	eq[algo_dec_fmt(u->last_eq, eq)] = '\0';
	snprintf(reason, sizeof reason, "backtest: strategy %s; input sha256 %s; %lld orders, "
		"%lld fills; final equity %s", nstrat ? strategies : "-", input, (long long)l->n_orders,
		(long long)l->n_fills, eq);
	dlen = strlen(l->options) + strlen(rec) + 256;
	if (!(detail = malloc(dlen))) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	snprintf(detail, dlen, "{\"options\":\"%s\",\"input_sha256\":\"%s\","
		"\"orders\":%lld,\"fills\":%lld,\"final_equity\":%s,\"run_record\":%s}", l->options,
		input, (long long)l->n_orders, (long long)l->n_fills, eq, rec);
	if (begin(l, err, errlen)) {
		free(detail);
		return -1;
	}
	l->backtest = 0;                              /* audit_add logs this one */
	rc = audit_add(l, u->name, u->end_ms, "backtest", nstrat == 1 ? one : NULL, l->run,
		reason, detail, strlen(detail), err, errlen);
	l->backtest = 1;
	free(detail);
	return rc ? -1 : 0;
}

/* End of input: a backtest logs its run. */
static int stage_end(void *arg, int why, char *err, size_t errlen)
{
	struct algo_ledger *l = arg;
	if (!l->backtest || l->failed || why != ALGO_STAGE_EOF) return 0;
	if (audit_backtest(l, err, errlen)) {
		fail(l);
		return ALGO_EX_IOERR;
	}
	return 0;
}

static int stage_save(void *arg, struct algo_store *s, char *err, size_t errlen)
{
	(void)s;
	return algo_ledger_commit(arg, err, errlen);
}

void algo_ledger_stage(struct algo_ledger *l, struct algo_stage *st)
{
	static const struct algo_stage_ops ops = { .event = stage_event, .end = stage_end,
		.save = stage_save };
	algo_stage_init(st, &ops, l);
	st->store = l->s;
	/* The open transaction holds the database's write lock, and upstream stages on
	 * the same state commit too (algo-risk before every order it lets out): one
	 * waiting for the lock stops the stream until we commit, so we commit as soon as
	 * our input runs dry (50 ms made a paper pipeline on one state 12 times slower);
	 * 1 ms still skips the barrier's sub-millisecond pauses in backtests. */
	st->idle_commit_ms = 1;
	/* Positions only: what the ledger has it recognises by id, but a run again that
	 * starts after lines a killed ledger had not saved is refused, not silently short. */
	snprintf(l->stage_key, sizeof l->stage_key, "algo-ledger/%s", l->user);
	st->replay_key = l->stage_key;
	st->replay_record_only = 1;
	l->stage = st;
	batch_set(l);
}

/* ---- reports ----------------------------------------------------------------------- */

/* a / b rounded half away from zero; b > 0. */
static __int128 div_round(__int128 a, __int128 b)
{
	__int128 q = a / b, r = a % b;
	if (2 * (r < 0 ? -r : r) >= b) q += a < 0 ? -1 : 1;
	return q;
}

static int fits64(__int128 v)
{
	return v >= INT64_MIN && v <= INT64_MAX;
}

/* The trip being built in one (strategy, symbol). */
struct trip_acc {
	int64_t pos;                      /* signed position */
	int side;
	int64_t qty, entry_ms, entry_qty, exit_qty;
	__int128 entry_val, exit_val, cash, fees;
};

static void trip_open(struct trip_acc *a, int side, int64_t ms)
{
	memset(a, 0, sizeof *a);
	a->side = side;
	a->entry_ms = ms;
}

/* Adds an opening (same-side) part of a fill. */
static void trip_add(struct trip_acc *a, int side, int64_t qty, int64_t price, int64_t fee)
{
	int64_t absq;
	a->pos += side * qty;
	absq = a->pos < 0 ? -a->pos : a->pos;
	if (absq > a->qty) a->qty = absq;
	a->entry_val += (__int128)price * qty;
	a->entry_qty += qty;
	a->cash -= (__int128)side * qty * price;
	a->fees += fee;
}

#define FILTER_SQL "user = ?1 AND (?2 IS NULL OR run = ?2) AND (?3 IS NULL OR strategy = ?3) " \
	"AND ts_ms >= ?4 AND ts_ms < ?5"

static void bind_filter(sqlite3_stmt *st, const char *user, const struct algo_ledger_filter *f)
{
	sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
	if (f && f->run) sqlite3_bind_text(st, 2, f->run, -1, SQLITE_STATIC);
	else sqlite3_bind_null(st, 2);
	if (f && f->strategy) sqlite3_bind_text(st, 3, f->strategy, -1, SQLITE_STATIC);
	else sqlite3_bind_null(st, 3);
	sqlite3_bind_int64(st, 4, f ? f->from_ms : INT64_MIN);
	sqlite3_bind_int64(st, 5, f ? f->to_ms : INT64_MAX);
}

int algo_ledger_trips(struct algo_store *s, const char *user,
	int (*cb)(const struct algo_trip *t, void *arg), void *arg, char *err, size_t errlen)
{
	return algo_ledger_trips_f(s, user, NULL, cb, arg, err, errlen);
}

int algo_ledger_trips_f(struct algo_store *s, const char *user, const struct algo_ledger_filter *f,
	int (*cb)(const struct algo_trip *t, void *arg), void *arg, char *err, size_t errlen)
{
	struct algo_book_tab acc;
	sqlite3_stmt *st = algo_store_prepare(s, "SELECT strategy, symbol, side, qty, price, "
		"fees_total, ts_ms FROM fills WHERE " FILTER_SQL " ORDER BY ts_ms, rowid", err, errlen);
	int rc, ret = 0;

	if (!st) return -1;
	algo_book_tab_init(&acc, sizeof(struct trip_acc));
	bind_filter(st, user, f);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *strategy = (const char *)sqlite3_column_text(st, 0);
		const char *symbol = (const char *)sqlite3_column_text(st, 1);
		int side = strcmp((const char *)sqlite3_column_text(st, 2), "buy") == 0 ? ALGO_BUY : ALGO_SELL;
		int64_t qty = sqlite3_column_int64(st, 3), price = sqlite3_column_int64(st, 4);
		int64_t fee = sqlite3_column_int64(st, 5), ms = sqlite3_column_int64(st, 6);
		char key[2 * ALGO_NAME_MAX];
		size_t n = algo_book_key(key, sizeof key, strategy, symbol, NULL);
		struct trip_acc *a = n ? algo_book_tab_get(&acc, key, n, 1) : NULL;
		int64_t open, k, kfee;

		if (!a) { snprintf(err, errlen, "out of memory"); ret = -1; break; }
		if (a->pos == 0) trip_open(a, side, ms);
		if (a->pos == 0 || (a->pos > 0) == (side > 0)) {
			trip_add(a, side, qty, price, fee);
			continue;
		}
		/* Reducing: k closes, the rest (a flip) opens a new trip; fees split by qty. */
		open = a->pos < 0 ? -a->pos : a->pos;
		k = qty < open ? qty : open;
		kfee = k == qty ? fee : algo_dec_muldiv(fee, k, qty);
		a->pos += side * k;
		a->exit_val += (__int128)price * k;
		a->exit_qty += k;
		a->cash -= (__int128)side * k * price;
		a->fees += kfee;
		if (a->pos != 0) continue;
		{
			struct algo_trip t;
			__int128 net = a->cash - a->fees;
			memset(&t, 0, sizeof t);
			snprintf(t.strategy, sizeof t.strategy, "%s", strategy);
			snprintf(t.symbol, sizeof t.symbol, "%s", symbol);
			t.side = a->side;
			t.qty = a->qty;
			t.entry_ms = a->entry_ms;
			t.exit_ms = ms;
			if (!fits64(a->cash) || !fits64(a->fees) || !fits64(net)) {
				snprintf(err, errlen, "PnL out of range");
				ret = -1;
				break;
			}
			t.entry_price = (int64_t)div_round(a->entry_val, a->entry_qty);
			t.exit_price = (int64_t)div_round(a->exit_val, a->exit_qty);
			t.pnl = (int64_t)a->cash;
			t.fees = (int64_t)a->fees;
			t.net = (int64_t)net;
			if ((ret = cb(&t, arg)) != 0) break;
		}
		if (qty > k) {
			trip_open(a, side, ms);
			trip_add(a, side, qty - k, price, fee - kfee);
		}
	}
	if (ret == 0 && rc != SQLITE_DONE) {
		snprintf(err, errlen, "%s: %s", s->path, sqlite3_errmsg(s->db));
		ret = -1;
	}
	sqlite3_finalize(st);
	algo_book_tab_free(&acc);
	return ret;
}

static int count_trip(const struct algo_trip *t, void *arg)
{
	struct algo_ledger_report *r = arg;
	r->trades++;
	if (t->net > 0) r->wins++;
	else if (t->net < 0) r->losses++;
	return 0;
}

struct charge_acc {
	struct algo_ledger_report *r;
	int any;                          /* a component other than "total" was seen */
};

static int charge_cb(const char *k, int64_t v, void *arg)
{
	struct charge_acc *c = arg;
	struct algo_ledger_report *r = c->r;
	size_t i;
	if (strcmp(k, "total") == 0) return 0;
	c->any = 1;
	for (i = 0; i < r->ncharge; i++)
		if (strcmp(r->charge[i].name, k) == 0) break;
	if (i == r->ncharge) {
		struct algo_ledger_charge *nc = realloc(r->charge, (i + 1) * sizeof *nc);
		if (!nc) return -1;
		r->charge = nc;
		memset(&nc[i], 0, sizeof nc[i]);
		snprintf(nc[i].name, sizeof nc[i].name, "%s", k);
		r->ncharge++;
	}
	return __builtin_add_overflow(r->charge[i].amount, v, &r->charge[i].amount);
}

/* Sums the fee components of every fill; fills without components count as "other". */
int algo_ledger_charges(struct algo_store *s, const char *user, const struct algo_ledger_filter *f,
	struct algo_ledger_report *r, char *err, size_t errlen)
{
	sqlite3_stmt *st = algo_store_prepare(s, "SELECT fees_json, fees_total FROM fills "
		"WHERE " FILTER_SQL " ORDER BY ts_ms, rowid", err, errlen);
	int64_t other = 0;
	int rc;
	if (!st) return -1;
	bind_filter(st, user, f);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct charge_acc c = { r, 0 };
		const char *j = (const char *)sqlite3_column_text(st, 0);
		if (j && fees_each(j, (size_t)sqlite3_column_bytes(st, 0), charge_cb, &c, err, errlen)) {
			sqlite3_finalize(st);
			return -1;
		}
		if (!c.any) other += sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "%s: %s", s->path, sqlite3_errmsg(s->db));
		return -1;
	}
	if (other && charge_cb("other", other, &(struct charge_acc){ r, 0 })) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

int algo_ledger_report(struct algo_store *s, const char *user, struct algo_ledger_report *r,
	char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc;
	int64_t peak, best_dd = 0, best_peak = 1, peak_ms = -1;

	memset(r, 0, sizeof *r);
	r->dd_peak_ms = r->dd_trough_ms = -1;
	if (algo_ledger_capital(s, &r->capital)) {
		snprintf(err, errlen, "%s: unreadable meta 'capital'", s->path);
		return -1;
	}
	if (algo_ledger_trips(s, user, count_trip, r, err, errlen)) return -1;
	if (r->trades)
		r->win_rate = algo_dec_round(algo_dec_muldiv(r->wins, 100 * ALGO_DEC_SCALE, r->trades), 100);

	/* Realised PnL and fees of every position; the open ones marked at their last price. */
	st = algo_store_prepare(s, "SELECT strategy, symbol, qty, avg_price, cost, realized, fees, "
		"last_price FROM positions WHERE user = ?1 ORDER BY strategy, symbol", err, errlen);
	if (!st) goto fail;
	sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct algo_position p = { 0 };
		struct algo_ledger_open_pos *o;
		p.qty = sqlite3_column_int64(st, 2);
		p.cost = sqlite3_column_int64(st, 4);
		r->realized += sqlite3_column_int64(st, 5);
		r->charges += sqlite3_column_int64(st, 6);
		if (!p.qty) continue;
		o = realloc(r->open, (r->nopen + 1) * sizeof *o);
		if (!o) { snprintf(err, errlen, "out of memory"); goto fail; }
		r->open = o;
		o += r->nopen++;
		memset(o, 0, sizeof *o);
		snprintf(o->strategy, sizeof o->strategy, "%s", (const char *)sqlite3_column_text(st, 0));
		snprintf(o->symbol, sizeof o->symbol, "%s", (const char *)sqlite3_column_text(st, 1));
		o->qty = p.qty;
		o->avg_price = sqlite3_column_int64(st, 3);
		o->last_price = sqlite3_column_int64(st, 7);
		if (algo_book_unrealised(&p, o->last_price, &o->unrealized)) {
			snprintf(err, errlen, "PnL out of range");
			goto fail;
		}
		r->unrealized += o->unrealized;
	}
	if (rc != SQLITE_DONE) goto dbfail;
	sqlite3_finalize(st);
	r->gross = r->realized + r->unrealized;
	r->net = r->gross - r->charges;
	r->final_equity = r->capital + r->net;

	/* Drawdown over the equity curve, the starting capital first. */
	st = algo_store_prepare(s, "SELECT ts_ms, equity FROM equity WHERE user = ?1 ORDER BY ts_ms",
		err, errlen);
	if (!st) goto fail;
	sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
	peak = r->capital;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t ms = sqlite3_column_int64(st, 0), e = sqlite3_column_int64(st, 1), dd;
		if (e > peak) { peak = e; peak_ms = ms; }
		dd = peak - e;
		if (dd > r->max_dd) r->max_dd = dd;
		if (dd > 0 && (__int128)dd * best_peak > (__int128)best_dd * peak) {
			best_dd = dd;
			best_peak = peak;
			r->dd_peak_ms = peak_ms;
			r->dd_trough_ms = ms;
		}
	}
	if (rc != SQLITE_DONE) goto dbfail;
	sqlite3_finalize(st);
	if (best_dd) r->max_dd_pct = algo_dec_muldiv(best_dd, 100 * ALGO_DEC_SCALE, best_peak);

	st = algo_store_prepare(s, "SELECT min(t), max(t) FROM (SELECT ts_ms AS t FROM fills "
		"WHERE user = ?1 UNION ALL SELECT ts_ms FROM equity WHERE user = ?1)", err, errlen);
	if (!st) goto fail;
	sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) goto dbfail;
	if (sqlite3_column_type(st, 0) != SQLITE_NULL) {
		r->have_time = 1;
		r->first_ms = sqlite3_column_int64(st, 0);
		r->last_ms = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	st = NULL;
	if (algo_ledger_charges(s, user, NULL, r, err, errlen)) goto fail;
	return 0;
dbfail:
	snprintf(err, errlen, "%s: %s", s->path, sqlite3_errmsg(s->db));
fail:
	sqlite3_finalize(st);
	algo_ledger_report_free(r);
	return -1;
}

void algo_ledger_report_free(struct algo_ledger_report *r)
{
	free(r->open);
	free(r->charge);
	r->open = NULL;
	r->charge = NULL;
	r->nopen = r->ncharge = 0;
}
