/* riskdb — algo-risk's records in the state database: every decided signal
 * (risk_signals, approved ones with their order id), what the executor reported
 * (risk_fills), the users' plans (accounts, plans), and the stage's restart snapshot
 * (risk_snapshot).
 *
 * Decisions and reports are queued in memory and written by algo_risk_save_records,
 * which the stage's save hook runs in the transaction that also saves the snapshot and
 * the replay record, so records, snapshot and replay record always agree. The records
 * are a log (status, audits, the risk_day view); a run restores from the snapshot, and
 * only a database without one (written by an older build) is rebuilt from the log. */
#ifndef ALGO_RISKDB_H
#define ALGO_RISKDB_H
#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>
#include "riskfile.h"
#include "store.h"

struct algo_risk;

/* Prepared statements of a state database. */
struct algo_risk_db {
	struct algo_store *s;
	sqlite3_stmt *seen, *ins, *states, *dv, *plan, *insf;
	int64_t data_version;
	struct algo_risk_rec *recs;   /* records waiting for the next save */
	size_t nrecs, caprecs;
	int legacy;         /* rebuilt from the log: a signal in it counts as decided */
};

/* Plan caps of one user (accounts/plans tables). known 0: no account, no caps. */
struct algo_risk_plan {
	int known;
	char plan[16];
	int live;                     /* live orders allowed */
	int64_t max_strategies;       /* ALGO_RISK_NOLIMIT when unlimited */
	int64_t max_trades_per_day;
	int64_t max_daily_loss;       /* decimal rupees, ALGO_RISK_NOLIMIT when uncapped */
};

struct algo_risk_rec;

/* Uses the state database s (migrated) for risk_state, plans and the records:
 * prepares statements and loads the trading states (algo_risk_adopt_states). Returns
 * 0, or -1 with err set. */
int algo_risk_attach(struct algo_risk *r, struct algo_store *s, char *err, size_t errlen);
/* Rebuilds the book, the counters and the real-fill book from the records (every user's);
 * when there were any, marks the engine legacy: a signal found in them is passed over
 * as decided (the behaviour of builds before the restart snapshot).
 * Returns 0, or -1 with err set. */
int algo_risk_rebuild(struct algo_risk *r, char *err, size_t errlen);
/* Closes the statements (not the store) and drops records not saved. */
void algo_risk_detach(struct algo_risk *r);

/* Writes the queued records and the engine's own trading-state changes into the
 * database, inside the caller's transaction (the stage's save). Returns 0, or -1 with
 * err set. */
int algo_risk_save_records(struct algo_risk *r, char *err, size_t errlen);

/* The restart snapshot saved under key (a stage instance): 1 with *blob (malloc'd, the
 * caller frees) and *len, 0 when there is none; *horizon gets how far that instance's
 * output went (INT64_MIN: no row). -1 with err set on a database error. */
int algo_risk_snapshot_get(struct algo_store *s, const char *key, void **blob, size_t *len,
	int64_t *horizon, char *err, size_t errlen);
/* Saves the snapshot under key inside the caller's transaction; the horizon only grows.
 * Returns 0, or -1 with err set. */
int algo_risk_snapshot_put(struct algo_store *s, const char *key, const void *blob, size_t len,
	int64_t horizon, char *err, size_t errlen);
/* Commits (in its own transaction, or the caller's) that key's output has gone out up
 * to stream position horizon. Returns 0, or -1 with err set. */
int algo_risk_horizon_put(struct algo_store *s, const char *key, int64_t horizon, char *err,
	size_t errlen);

/* In a legacy engine, whether (user, strategy, symbol, ts, action, side) was decided
 * before: 1 yes, 0 no (or not legacy, or no database), -1 with err set. */
int algo_risk_decided(struct algo_risk *r, const char *user, const char *strategy,
	const char *symbol, int64_t ts, const char *action, int side, char *err, size_t errlen);
/* Queues a decided signal (approved when id is non-NULL; rule names the block) for
 * the next save. Without a database nothing happens. Returns 0, or -1 with err set. */
int algo_risk_record(struct algo_risk *r, const char *user, const char *strategy,
	const char *symbol, int64_t ts, const char *action, int side, int64_t qty, int64_t price,
	const char *id, const char *rule, char *err, size_t errlen);
/* Queues one report of the executor (kind "fill" or "final"). Returns 0 or -1. */
int algo_risk_record_exec(struct algo_risk *r, const char *kind, int64_t ts, const char *id,
	const char *user, const char *strategy, const char *symbol, int side, int64_t qty,
	int64_t price, int64_t fee, char *err, size_t errlen);

/* The plan of user (cached); a user without an account has known 0. */
const struct algo_risk_plan *algo_risk_plan_of(struct algo_risk *r, const char *user);

#endif
