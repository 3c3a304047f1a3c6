/* riskdb — algo-risk's records in the state database: every decided signal
 * (risk_signals, approved ones with their order id), what the executor reported
 * (risk_fills), and the users' plans (accounts, plans).
 *
 * Decisions and reports are written in one batch transaction, opened by the first
 * record and committed by algo_risk_commit, which the caller runs before the output
 * they caused leaves the process (a commit per signal cost 2.4 s in a 1M-bar
 * backtest). On attach the exposure book, the counters and the real-fill book are
 * rebuilt from these records. */
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
	int in_txn;         /* decisions recorded since the last algo_risk_commit */
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

/* Uses the state database s (migrated) for risk_state, plans and the record of
 * decided signals: prepares statements, loads the states and rebuilds the book and
 * counters from the approved orders recorded. Returns 0, or -1 with err set. */
int algo_risk_attach(struct algo_risk *r, struct algo_store *s, char *err, size_t errlen);
/* Closes the statements (not the store). */
void algo_risk_detach(struct algo_risk *r);

/* Opens the batch transaction unless it is open. Returns 0, or -1 with err set. */
int algo_risk_begin_batch(struct algo_risk *r, char *err, size_t errlen);
/* Commits the decisions recorded since the last commit (they are batched in one
 * transaction). Call before the orders they approved leave the process. 0 or -1. */
int algo_risk_commit(struct algo_risk *r, char *err, size_t errlen);

/* Whether (user, strategy, symbol, ts, action, side) was decided before: 1 yes, 0 no
 * (or no database), -1 with err set. */
int algo_risk_decided(struct algo_risk *r, const char *user, const char *strategy,
	const char *symbol, int64_t ts, const char *action, int side, char *err, size_t errlen);
/* Records a decided signal (approved when id is non-NULL; rule names the block).
 * Without a database nothing happens. Returns 0, or -1 with err set. */
int algo_risk_record(struct algo_risk *r, const char *user, const char *strategy,
	const char *symbol, int64_t ts, const char *action, int side, int64_t qty, int64_t price,
	const char *id, const char *rule, char *err, size_t errlen);
/* Records one report of the executor (kind "fill" or "final"). Returns 0 or -1. */
int algo_risk_record_exec(struct algo_risk *r, const char *kind, int64_t ts, const char *id,
	const char *user, const char *strategy, const char *symbol, int side, int64_t qty,
	int64_t price, int64_t fee, char *err, size_t errlen);

/* The plan of user (cached); a user without an account has known 0. */
const struct algo_risk_plan *algo_risk_plan_of(struct algo_risk *r, const char *user);

#endif
