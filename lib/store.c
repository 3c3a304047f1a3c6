/* store — the state database. See store.h for the contract and man/algo-ledger.1
 * (STATE DATABASE) for the schema as users see it. */
#include "store.h"
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Migrations: migrations[i] takes the schema from version i to i + 1. Append only;
 * never edit a shipped entry (a database already at that version would not see it).
 *
 * Money and prices are INTEGER in 1/10,000 rupee (lib/decimal.h); quantities are
 * INTEGER; `ts` columns hold RFC 3339 IST text and `*_ms` columns epoch milliseconds.
 * The v_* views show rupees as REAL for people using the sqlite3 shell. */
static const char *const migrations[] = {
	/* 1: ledger tables */
	"CREATE TABLE meta (\n"
	"  key TEXT PRIMARY KEY,\n"
	"  value TEXT NOT NULL\n"
	");\n"
	"CREATE TABLE orders (\n"
	"  user TEXT NOT NULL,\n"
	"  id TEXT NOT NULL,\n"
	"  ts TEXT NOT NULL,\n"
	"  ts_ms INTEGER NOT NULL,\n"
	"  strategy TEXT NOT NULL,\n"
	"  symbol TEXT NOT NULL,\n"
	"  side TEXT NOT NULL CHECK (side IN ('buy','sell')),\n"
	"  qty INTEGER NOT NULL CHECK (qty > 0),\n"
	"  kind TEXT NOT NULL,\n"
	"  product TEXT,\n"
	"  validity TEXT,\n"
	"  mode TEXT,\n"
	"  status TEXT NOT NULL,\n"
	"  filled INTEGER NOT NULL DEFAULT 0,\n"
	"  avg_price INTEGER,\n"
	"  reason TEXT,\n"
	"  broker_id TEXT,\n"
	"  updated_ts TEXT NOT NULL,\n"
	"  updated_ms INTEGER NOT NULL,\n"
	"  PRIMARY KEY (user, id)\n"
	");\n"
	"CREATE TABLE fills (\n"
	"  user TEXT NOT NULL,\n"
	"  fill_id TEXT NOT NULL,\n"
	"  order_id TEXT NOT NULL,\n"
	"  ts TEXT NOT NULL,\n"
	"  ts_ms INTEGER NOT NULL,\n"
	"  strategy TEXT NOT NULL,\n"
	"  symbol TEXT NOT NULL,\n"
	"  side TEXT NOT NULL CHECK (side IN ('buy','sell')),\n"
	"  qty INTEGER NOT NULL CHECK (qty > 0),\n"
	"  price INTEGER NOT NULL,\n"
	"  fees_total INTEGER NOT NULL DEFAULT 0,\n"
	"  fees_json TEXT,\n"
	"  PRIMARY KEY (user, fill_id)\n"
	");\n"
	"CREATE INDEX fills_by_time ON fills (user, ts_ms);\n"
	"CREATE INDEX fills_by_order ON fills (user, order_id);\n"
	"CREATE TABLE positions (\n"
	"  user TEXT NOT NULL,\n"
	"  strategy TEXT NOT NULL,\n"
	"  symbol TEXT NOT NULL,\n"
	"  qty INTEGER NOT NULL,\n"
	"  avg_price INTEGER NOT NULL,\n"
	"  cost INTEGER NOT NULL,\n"
	"  realized INTEGER NOT NULL,\n"
	"  fees INTEGER NOT NULL,\n"
	"  last_price INTEGER NOT NULL,\n"
	"  updated_ts TEXT NOT NULL,\n"
	"  updated_ms INTEGER NOT NULL,\n"
	"  PRIMARY KEY (user, strategy, symbol)\n"
	");\n"
	/* One row per change of mark-to-market equity: about one per bar while in a
	 * position, so it is kept narrow (no text time; v_equity shows it). */
	"CREATE TABLE equity (\n"
	"  user TEXT NOT NULL,\n"
	"  ts_ms INTEGER NOT NULL,\n"
	"  equity INTEGER NOT NULL,\n"
	"  PRIMARY KEY (user, ts_ms)\n"
	") WITHOUT ROWID;\n"
	/* The newest bar marked per (symbol, tf): a replayed bar at or before it is not
	 * marked again, which keeps a replay after a crash identical to a clean run. */
	"CREATE TABLE marks (\n"
	"  symbol TEXT NOT NULL,\n"
	"  tf TEXT NOT NULL,\n"
	"  ts_ms INTEGER NOT NULL,\n"
	"  price INTEGER NOT NULL,\n"
	"  PRIMARY KEY (symbol, tf)\n"
	");\n"
	"CREATE VIEW v_orders AS SELECT user, id, ts, strategy, symbol, side, qty, kind,\n"
	"  product, validity, mode, status, filled, avg_price / 10000.0 AS avg_price,\n"
	"  reason, broker_id, updated_ts FROM orders;\n"
	"CREATE VIEW v_fills AS SELECT user, fill_id, order_id, ts, strategy, symbol, side,\n"
	"  qty, price / 10000.0 AS price, fees_total / 10000.0 AS fees, fees_json FROM fills;\n"
	"CREATE VIEW v_positions AS SELECT user, strategy, symbol, qty,\n"
	"  avg_price / 10000.0 AS avg_price, realized / 10000.0 AS realized,\n"
	"  fees / 10000.0 AS fees, last_price / 10000.0 AS last_price,\n"
	"  (qty * last_price - cost) / 10000.0 AS unrealized, updated_ts FROM positions;\n"
	"CREATE VIEW v_equity AS SELECT user,\n"
	"  strftime('%Y-%m-%dT%H:%M:%S+05:30', ts_ms / 1000, 'unixepoch', '+330 minutes') AS ts,\n"
	"  equity / 10000.0 AS equity FROM equity;\n",
	/* 2: runs, strategies, daily PnL, bar counts, accounts and plans, the audit log */
	"ALTER TABLE orders ADD COLUMN run TEXT;\n"
	"ALTER TABLE fills ADD COLUMN run TEXT;\n"
	"ALTER TABLE fills ADD COLUMN ambiguous INTEGER NOT NULL DEFAULT 0;\n"
	"CREATE INDEX orders_by_run ON orders (user, run);\n"
	"CREATE INDEX fills_by_run ON fills (user, run, ts_ms);\n"
	"DROP VIEW v_equity;\n"
	"CREATE TABLE equity2 (\n"
	"  user TEXT NOT NULL,\n"
	"  run TEXT NOT NULL DEFAULT '',\n"
	"  ts_ms INTEGER NOT NULL,\n"
	"  equity INTEGER NOT NULL,\n"
	"  PRIMARY KEY (user, run, ts_ms)\n"
	") WITHOUT ROWID;\n"
	"INSERT INTO equity2 (user, run, ts_ms, equity) SELECT user, '', ts_ms, equity FROM equity;\n"
	"DROP TABLE equity;\n"
	"ALTER TABLE equity2 RENAME TO equity;\n"
	"CREATE VIEW v_equity AS SELECT user, run,\n"
	"  strftime('%Y-%m-%dT%H:%M:%S+05:30', ts_ms / 1000, 'unixepoch', '+330 minutes') AS ts,\n"
	"  equity / 10000.0 AS equity FROM equity;\n"
	"CREATE TABLE runs (\n"
	"  user TEXT NOT NULL,\n"
	"  id TEXT NOT NULL,\n"
	"  version TEXT NOT NULL,\n"
	"  options TEXT NOT NULL,\n"
	"  options_sha256 TEXT NOT NULL,\n"
	"  input_sha256 TEXT,\n"
	"  start_ms INTEGER NOT NULL,\n"
	"  end_ms INTEGER NOT NULL,\n"
	"  start_equity INTEGER NOT NULL,\n"
	"  bars INTEGER NOT NULL DEFAULT 0,\n"
	"  bars_in_position INTEGER NOT NULL DEFAULT 0,\n"
	"  PRIMARY KEY (user, id)\n"
	");\n"
	"CREATE TABLE run_days (\n"
	"  user TEXT NOT NULL,\n"
	"  run TEXT NOT NULL,\n"
	"  day TEXT NOT NULL,\n"
	"  bars INTEGER NOT NULL,\n"
	"  bars_in_position INTEGER NOT NULL,\n"
	"  PRIMARY KEY (user, run, day)\n"
	") WITHOUT ROWID;\n"
	"CREATE TABLE strategies (\n"
	"  user TEXT NOT NULL,\n"
	"  name TEXT NOT NULL,\n"
	"  hash TEXT,\n"
	"  first_ms INTEGER NOT NULL,\n"
	"  last_ms INTEGER NOT NULL,\n"
	"  PRIMARY KEY (user, name)\n"
	");\n"
	/* Cumulative (since the strategy's first fill) realised PnL, fees, unrealised PnL
	 * and their net at the day's last change; v_daily_pnl shows the daily changes. */
	"CREATE TABLE daily_pnl (\n"
	"  user TEXT NOT NULL,\n"
	"  run TEXT NOT NULL,\n"
	"  strategy TEXT NOT NULL,\n"
	"  day TEXT NOT NULL,\n"
	"  realized INTEGER NOT NULL,\n"
	"  fees INTEGER NOT NULL,\n"
	"  unrealized INTEGER NOT NULL,\n"
	"  net INTEGER NOT NULL,\n"
	"  PRIMARY KEY (user, run, strategy, day)\n"
	") WITHOUT ROWID;\n"
	"CREATE VIEW v_daily_pnl AS SELECT user, run, strategy, day,\n"
	"  (net - coalesce(lag(net) OVER w, 0)) / 10000.0 AS pnl,\n"
	"  (realized - coalesce(lag(realized) OVER w, 0)) / 10000.0 AS realized,\n"
	"  (fees - coalesce(lag(fees) OVER w, 0)) / 10000.0 AS fees,\n"
	"  net / 10000.0 AS cumulative\n"
	"  FROM daily_pnl WINDOW w AS (PARTITION BY user, strategy ORDER BY day, run);\n"
	"CREATE TABLE plans (\n"
	"  plan TEXT PRIMARY KEY,\n"
	"  live INTEGER NOT NULL,\n"
	"  max_strategies INTEGER\n"
	");\n"
	"INSERT INTO plans VALUES ('FREE', 0, 1), ('BASIC', 1, 5), ('PRO', 1, NULL);\n"
	"CREATE TABLE accounts (\n"
	"  user TEXT PRIMARY KEY,\n"
	"  email TEXT NOT NULL,\n"
	"  name TEXT NOT NULL,\n"
	"  plan TEXT NOT NULL REFERENCES plans (plan),\n"
	"  expiry TEXT,\n"
	"  disabled INTEGER NOT NULL DEFAULT 0,\n"
	"  created_ms INTEGER NOT NULL,\n"
	"  updated_ms INTEGER NOT NULL\n"
	");\n"
	/* Append-only, hash-chained (lib/audit.c): hash = SHA-256 of prev_hash and the
	 * row's fields. ref is the natural key of a recorded event, so replays add none. */
	"CREATE TABLE audit (\n"
	"  seq INTEGER PRIMARY KEY,\n"
	"  user TEXT NOT NULL,\n"
	"  run TEXT,\n"
	"  ts_ms INTEGER NOT NULL,\n"
	"  kind TEXT NOT NULL,\n"
	"  strategy TEXT,\n"
	"  ref TEXT,\n"
	"  reason TEXT,\n"
	"  detail TEXT,\n"
	"  prev_hash TEXT NOT NULL,\n"
	"  hash TEXT NOT NULL\n"
	");\n"
	"CREATE UNIQUE INDEX audit_by_ref ON audit (user, kind, ref);\n"
	"CREATE INDEX audit_by_user ON audit (user, ts_ms);\n"
	"CREATE TRIGGER audit_append_only BEFORE UPDATE ON audit\n"
	"  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;\n"
	"CREATE VIEW v_audit AS SELECT seq, user, run,\n"
	"  strftime('%Y-%m-%dT%H:%M:%S+05:30', ts_ms / 1000, 'unixepoch', '+330 minutes') AS ts,\n"
	"  kind, strategy, ref, reason FROM audit;\n",
	/* 3: algo-eval restart state: one row per (strategy, symbol), the strategy file's
	 * SHA-256, and an opaque snapshot (indicator states, position belief, partial
	 * resampled bar); last_ts_ms is the newest input bar it has taken. */
	"CREATE TABLE eval_state (\n"
	"  strategy TEXT NOT NULL,\n"
	"  symbol TEXT NOT NULL,\n"
	"  hash TEXT NOT NULL,\n"
	"  state BLOB NOT NULL,\n"
	"  last_ts_ms INTEGER NOT NULL,\n"
	"  PRIMARY KEY (strategy, symbol)\n"
	");\n",
	/* 4: algo-risk: trading states per scope (kill switch) and every signal decided,
	 * with the order id approved (book, daily counters and replay protection). */
	"CREATE TABLE risk_state (\n"
	"  scope TEXT NOT NULL CHECK (scope IN ('all','user','strategy')),\n"
	"  key TEXT NOT NULL,\n"
	"  state TEXT NOT NULL CHECK (state IN ('active','reducing','halted')),\n"
	"  reason TEXT,\n"
	"  who TEXT NOT NULL,\n"
	"  ts_ms INTEGER NOT NULL,\n"
	"  PRIMARY KEY (scope, key)\n"
	");\n"
	"CREATE TABLE risk_signals (\n"
	"  user TEXT NOT NULL,\n"
	"  strategy TEXT NOT NULL,\n"
	"  symbol TEXT NOT NULL,\n"
	"  ts_ms INTEGER NOT NULL,\n"
	"  action TEXT NOT NULL CHECK (action IN ('entry','exit','square_off')),\n"
	"  side TEXT NOT NULL CHECK (side IN ('buy','sell')),\n"
	"  day INTEGER NOT NULL,\n"
	"  order_id TEXT,\n"
	"  qty INTEGER NOT NULL,\n"
	"  price INTEGER NOT NULL,\n"
	"  rule TEXT,\n"
	"  PRIMARY KEY (user, strategy, symbol, ts_ms, action, side)\n"
	");\n"
	"CREATE UNIQUE INDEX risk_signals_by_order ON risk_signals (user, order_id);\n"
	"CREATE VIEW risk_day AS SELECT user, strategy, day,\n"
	"  sum(action = 'entry' AND order_id IS NOT NULL) AS trades,\n"
	"  count(order_id) AS orders, sum(order_id IS NULL) AS blocks\n"
	"  FROM risk_signals GROUP BY user, strategy, day;\n",
	/* 5: algo-risk --barrier: what the executor reported (fills and final statuses),
	 * so a restarted risk stage rebuilds its real-fill book and exposure. */
	"CREATE TABLE risk_fills (\n"
	"  seq INTEGER PRIMARY KEY,\n"
	"  user TEXT NOT NULL,\n"
	"  order_id TEXT NOT NULL,\n"
	"  kind TEXT NOT NULL CHECK (kind IN ('fill','final')),\n"
	"  strategy TEXT,\n"
	"  symbol TEXT,\n"
	"  side TEXT CHECK (side IN ('buy','sell')),\n"
	"  qty INTEGER NOT NULL,\n"
	"  price INTEGER NOT NULL,\n"
	"  fee INTEGER NOT NULL,\n"
	"  ts_ms INTEGER NOT NULL\n"
	");\n",
	/* 6: the restart record of every stage (lib/replay.h): how far each stage instance
	 * got (the running maximum of ts, and the hashes of the lines processed there),
	 * and what it wrote for each line whose output was more than the line itself. */
	"CREATE TABLE stage_mark (\n"
	"  stage TEXT PRIMARY KEY,\n"
	"  ts_ms INTEGER NOT NULL,\n"
	"  hashes BLOB NOT NULL\n"
	");\n"
	"CREATE TABLE stage_journal (\n"
	"  stage TEXT NOT NULL,\n"
	"  hash INTEGER NOT NULL,\n"
	"  ts_ms INTEGER NOT NULL,\n"
	"  output BLOB NOT NULL,\n"
	"  PRIMARY KEY (stage, hash)\n"
	");\n",
	/* 7: the executor seam (lib/executor.h): each executor instance's saved state
	 * (live orders, positions, counters, unacknowledged fill-channel records, the
	 * venue's own), and every client order id it has seen (lib/idreg.h). */
	"CREATE TABLE exec_state (\n"
	"  stage TEXT PRIMARY KEY,\n"
	"  venue TEXT NOT NULL,\n"
	"  state BLOB NOT NULL\n"
	");\n"
	"CREATE TABLE exec_ids (\n"
	"  stage TEXT NOT NULL,\n"
	"  user TEXT NOT NULL,\n"
	"  id TEXT NOT NULL,\n"
	"  ts_ms INTEGER NOT NULL,\n"
	"  PRIMARY KEY (stage, user, id)\n"
	") WITHOUT ROWID;\n",
	/* 8: algo-risk's restart snapshot per stage instance (its book, counters, PnL book,
	 * pending orders, barrier and trading-state view), saved with its replay record;
	 * horizon_ms is how far (running max of ts) its output may have gone out. */
	"CREATE TABLE risk_snapshot (\n"
	"  stage TEXT PRIMARY KEY,\n"
	"  state BLOB NOT NULL,\n"
	"  horizon_ms INTEGER NOT NULL\n"
	");\n",
	/* 9: algo-ledger's marks per user (the --user whose stream marked them), so several
	 * users' pipelines share one database without a bar of one being taken for a
	 * replay in another; the old shared marks get user '', which counts for every
	 * user until that user's stream marks a newer bar. */
	"CREATE TABLE marks2 (\n"
	"  symbol TEXT NOT NULL,\n"
	"  tf TEXT NOT NULL,\n"
	"  ts_ms INTEGER NOT NULL,\n"
	"  price INTEGER NOT NULL,\n"
	"  user TEXT NOT NULL DEFAULT '',\n"
	"  PRIMARY KEY (user, symbol, tf)\n"
	");\n"
	"INSERT INTO marks2 (symbol, tf, ts_ms, price) SELECT symbol, tf, ts_ms, price FROM marks\n"
	"  ORDER BY rowid;\n"
	"DROP TABLE marks;\n"
	"ALTER TABLE marks2 RENAME TO marks;\n",
	/* 10: algo-alert's outbox (lib/outbox.h): messages not delivered by the end of a
	 * run, per destination key (no secrets), claimed by the process sending them. */
	"CREATE TABLE IF NOT EXISTS alert_outbox (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  dest TEXT NOT NULL,\n"
	"  prio INTEGER NOT NULL,\n"
	"  alerts INTEGER NOT NULL,\n"
	"  text TEXT NOT NULL,\n"
	"  created_ms INTEGER NOT NULL,\n"
	"  claim INTEGER\n"
	");\n"
	"CREATE INDEX IF NOT EXISTS alert_outbox_dest ON alert_outbox (dest, id);\n",
	/* 11: algo-eval's restart state per user (--user), so two users' pipelines in one
	 * database never share indicator state; what was saved before belongs to the
	 * user "default". */
	"CREATE TABLE eval_state_by_user (\n"
	"  user TEXT NOT NULL,\n"
	"  strategy TEXT NOT NULL,\n"
	"  symbol TEXT NOT NULL,\n"
	"  hash TEXT NOT NULL,\n"
	"  state BLOB NOT NULL,\n"
	"  last_ts_ms INTEGER NOT NULL,\n"
	"  PRIMARY KEY (user, strategy, symbol)\n"
	");\n"
	"INSERT INTO eval_state_by_user SELECT 'default', strategy, symbol, hash, state, last_ts_ms "
	"FROM eval_state;\n"
	"DROP TABLE eval_state;\n"
	"ALTER TABLE eval_state_by_user RENAME TO eval_state;\n",
	/* 12: the (user, run) indexes on orders and fills go: every query that filters by
	 * run does so as "?2 IS NULL OR run = ?2", which no index serves (the planner takes
	 * the PK or fills_by_time), and the few exact-run lookups (a run's positions and
	 * orders in a report) are prefix scans of one user's rows. fills_by_time goes too:
	 * it serves only reports, which read a user's fills once (a scan and a sort), while
	 * fills_by_order stays for the per-fill lookup of paper and live runs. Together
	 * 17% of a backtest's database (5 MB per 1M bars) and three B-tree inserts per
	 * order and fill. */
	"DROP INDEX IF EXISTS orders_by_run;\n"
	"DROP INDEX IF EXISTS fills_by_run;\n"
	"DROP INDEX IF EXISTS fills_by_time;\n",
	/* 13: the run record of every stage (lib/replay.h): while a row is there, the
	 * stage's run (process pid) may have processed lines it did not save, from the
	 * line named (known) or from after its mark (not known), so input must start
	 * there. */
	"CREATE TABLE stage_run (\n"
	"  stage TEXT PRIMARY KEY,\n"
	"  ts_ms INTEGER NOT NULL,\n"
	"  hash INTEGER NOT NULL,\n"
	"  known INTEGER NOT NULL,\n"
	"  pid INTEGER NOT NULL\n"
	");\n",
	/* 14: each IST day's first and last bar close per (user, run, symbol, tf), as
	 * algo-ledger marks them: the prices of the report's buy-and-hold benchmark
	 * (lib/reportbench.h). One row a symbol a day, so a ten-year run keeps a few
	 * thousand; the upsert keeps the earliest first and the latest last bar, so a
	 * restart that rewrites a day's row changes nothing. */
	"CREATE TABLE bar_closes (\n"
	"  user TEXT NOT NULL,\n"
	"  run TEXT NOT NULL,\n"
	"  symbol TEXT NOT NULL,\n"
	"  tf TEXT NOT NULL,\n"
	"  day TEXT NOT NULL,\n"
	"  first_ms INTEGER NOT NULL,\n"
	"  first_close INTEGER NOT NULL,\n"
	"  last_ms INTEGER NOT NULL,\n"
	"  last_close INTEGER NOT NULL,\n"
	"  PRIMARY KEY (user, run, symbol, tf, day)\n"
	") WITHOUT ROWID;\n",
};

#define NMIGRATIONS ((int)(sizeof migrations / sizeof migrations[0]))

int algo_store_schema_version(void)
{
	return NMIGRATIONS;
}

static int db_fail(struct algo_store *s, const char *what, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s: %s: %s", s->path, what,
		s->db ? sqlite3_errmsg(s->db) : "out of memory");
	return -1;
}

int algo_store_begin(struct algo_store *s, char *err, size_t errlen)
{
	if (s->depth == 0 && algo_store_exec(s, "BEGIN IMMEDIATE", err, errlen))
		return -1;
	s->depth++;
	return 0;
}

int algo_store_commit(struct algo_store *s, char *err, size_t errlen)
{
	if (s->depth > 1) {
		s->depth--;
		return 0;
	}
	s->depth = 0;
	if (algo_store_exec(s, "COMMIT", err, errlen)) {
		algo_store_rollback(s);
		return -1;
	}
	return 0;
}

int algo_store_fail(const struct algo_store *s, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s: %s", s->path, sqlite3_errmsg(s->db));
	return -1;
}

void algo_store_rollback(struct algo_store *s)
{
	s->depth = 0;
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

int algo_store_exec(struct algo_store *s, const char *sql, char *err, size_t errlen)
{
	const char *tail = sql;
	while (tail && *tail) {
		sqlite3_stmt *st = NULL;
		int rc = sqlite3_prepare_v2(s->db, tail, -1, &st, &tail);
		if (rc != SQLITE_OK)
			return db_fail(s, "SQL error", err, errlen);
		if (!st)                        /* whitespace or a comment */
			continue;
		do
			rc = sqlite3_step(st);
		while (rc == SQLITE_ROW);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return db_fail(s, "SQL error", err, errlen);
	}
	return 0;
}

sqlite3_stmt *algo_store_prepare(struct algo_store *s, const char *sql, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		db_fail(s, "SQL error", err, errlen);
		sqlite3_finalize(st);
		return NULL;
	}
	return st;
}

/* Reads PRAGMA user_version into *v. */
static int user_version(struct algo_store *s, int *v, char *err, size_t errlen)
{
	sqlite3_stmt *st = algo_store_prepare(s, "PRAGMA user_version", err, errlen);
	if (!st) return -1;
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return db_fail(s, "reading the schema version", err, errlen);
	}
	*v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return 0;
}

/* Applies the migrations past the file's version, each in its own IMMEDIATE
 * transaction that re-reads the version first, so two stages opening a new file at
 * once do not both migrate it. */
static int migrate(struct algo_store *s, char *err, size_t errlen)
{
	for (;;) {
		int v;
		char sql[64];
		if (algo_store_exec(s, "BEGIN IMMEDIATE", err, errlen)) return -1;
		if (user_version(s, &v, err, errlen)) goto fail;
		if (v > NMIGRATIONS) {
			snprintf(err, errlen, "%s: schema version %d is newer than this build "
				"knows (%d); upgrade algo", s->path, v, NMIGRATIONS);
			goto fail;
		}
		if (v == NMIGRATIONS)
			return algo_store_exec(s, "COMMIT", err, errlen);
		if (algo_store_exec(s, migrations[v], err, errlen)) goto fail;
		snprintf(sql, sizeof sql, "PRAGMA user_version = %d", v + 1);
		if (algo_store_exec(s, sql, err, errlen)) goto fail;
		if (algo_store_exec(s, "COMMIT", err, errlen)) goto fail;
	}
fail:
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

/* mkdir -p of path's parent directories, mode 0700. */
static int make_parents(const char *path, char *err, size_t errlen)
{
	char dir[sizeof ((struct algo_store *)0)->path];
	size_t n = strlen(path);
	if (n >= sizeof dir) { snprintf(err, errlen, "%s: path too long", path); return -1; }
	memcpy(dir, path, n + 1);
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/') continue;
		*p = '\0';
		if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
			snprintf(err, errlen, "%s: cannot create directory: %s", dir, strerror(errno));
			return -1;
		}
		*p = '/';
	}
	return 0;
}

/* Switching a new file to WAL takes a lock that SQLite does not wait for through
 * the busy handler, so the stages of a pipeline opening one fresh database at the
 * same moment could fail with "database is locked" (seen in about 1 open in 100 with
 * five at once). Retry for as long as the busy timeout would wait. */
static int set_wal(struct algo_store *s, char *err, size_t errlen)
{
	for (int i = 0;; i++) {
		int rc = sqlite3_exec(s->db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL);
		if (rc == SQLITE_OK)
			return 0;
		if ((rc != SQLITE_BUSY && rc != SQLITE_LOCKED) || i >= 2000) {
			db_fail(s, "cannot set WAL mode", err, errlen);
			return -1;
		}
		usleep(5000);
	}
}

/* Whether the file at path is the one $ALGO_THROWAWAY_STATE names (same device and
 * inode, so any spelling of the path matches and no other file does). */
static int is_throwaway(const char *path)
{
	const char *t = getenv("ALGO_THROWAWAY_STATE");
	struct stat a, b;
	return t && *t && stat(t, &a) == 0 && stat(path, &b) == 0 &&
		a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* Durability: a live or paper state survives a power cut (WAL, synchronous=NORMAL);
 * a throw-away one (a backtest's own, rebuilt by running it again) skips the syncs and
 * gets a larger page cache. */
static int set_durability(struct algo_store *s, char *err, size_t errlen)
{
	if (s->throwaway)
		return algo_store_exec(s, "PRAGMA synchronous = OFF; PRAGMA cache_size = "
			ALGO_STORE_THROWAWAY_CACHE, err, errlen);
	return algo_store_exec(s, "PRAGMA synchronous = NORMAL", err, errlen);
}

/* No statistics of SQLite's memory (which nothing reads): without them its every
 * allocation takes a global lock (a tenth of a backtest's calls into SQLite). A
 * process-wide setting, possible only before SQLite's first use and not thread-safe:
 * made once, by the first store opened (before any thread of ours uses SQLite). */
static pthread_once_t memstatus_once = PTHREAD_ONCE_INIT;
static void memstatus_off(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/* algo_store_open with SQLite's open flags extra (SQLITE_OPEN_NOMUTEX or 0). */
static int store_open(struct algo_store *s, const char *path, int extra, char *err, size_t errlen)
{
	int n, fd;
	memset(s, 0, sizeof *s);
	n = snprintf(s->path, sizeof s->path, "%s", path);
	if (n <= 0 || (size_t)n >= sizeof s->path) {
		snprintf(err, errlen, "state path empty or too long");
		return -1;
	}
	if (make_parents(path, err, errlen)) return -1;
	pthread_once(&memstatus_once, memstatus_off);
	/* Create the file ourselves so that it is private (0600) from the start. */
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	close(fd);
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | extra, NULL)
	    != SQLITE_OK) {
		db_fail(s, "cannot open", err, errlen);
		algo_store_close(s);
		return -1;
	}
	sqlite3_busy_timeout(s->db, 10000);
	s->throwaway = is_throwaway(path);
	if (set_wal(s, err, errlen) ||
	    set_durability(s, err, errlen) ||
	    algo_store_exec(s, "PRAGMA foreign_keys = ON", err, errlen) ||
	    migrate(s, err, errlen)) {
		algo_store_close(s);
		return -1;
	}
	return 0;
}

int algo_store_open(struct algo_store *s, const char *path, char *err, size_t errlen)
{
	return store_open(s, path, 0, err, errlen);
}

int algo_store_open_single_thread(struct algo_store *s, const char *path, char *err, size_t errlen)
{
	return store_open(s, path, SQLITE_OPEN_NOMUTEX, err, errlen);
}

void algo_store_close(struct algo_store *s)
{
	if (s->db) sqlite3_close_v2(s->db);
	s->db = NULL;
}

int algo_store_meta_get(struct algo_store *s, const char *key, char *out, size_t outlen)
{
	int rc = -1;
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db, "SELECT value FROM meta WHERE key = ?1", -1, &st, NULL))
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	switch (sqlite3_step(st)) {
	case SQLITE_ROW: {
		const unsigned char *v = sqlite3_column_text(st, 0);
		int n = sqlite3_column_bytes(st, 0);
		if (v && (size_t)n < outlen) {
			memcpy(out, v, (size_t)n);
			out[n] = '\0';
			rc = 1;
		}
		break;
	}
	case SQLITE_DONE:
		rc = 0;
		break;
	}
	sqlite3_finalize(st);
	return rc;
}

int algo_store_meta_set(struct algo_store *s, const char *key, const char *val)
{
	int rc;
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db, "INSERT INTO meta (key, value) VALUES (?1, ?2) "
			"ON CONFLICT (key) DO UPDATE SET value = excluded.value", -1, &st, NULL))
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, val, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}
