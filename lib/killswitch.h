/* killswitch — the trading state of every scope (everything, a user, a strategy):
 * active, reducing (only orders that reduce a position pass) or halted (nothing
 * passes), kept in the state database (table risk_state, every change with an audit
 * row) and in algo_risk.states, the running engine's view of it.
 *
 * The command line sets states (algo_risk_set_state); a running engine notices a
 * change with a cheap PRAGMA data_version (algo_risk_poll) and reports it as a list of
 * changes (algo_risk.changes); it moves a scope itself on a new day with
 * reset_kill_daily (algo_risk_new_event) and when a daily PnL limit trips
 * (algo_risk_trip). A kill with on_kill square_off closes the positions it covers
 * (algo_risk_square_off). */
#ifndef ALGO_KILLSWITCH_H
#define ALGO_KILLSWITCH_H
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "book.h"
#include "store.h"
#include "verdict.h"

struct algo_risk;

enum { ALGO_RISK_ACTIVE = 0, ALGO_RISK_REDUCING = 1, ALGO_RISK_HALTED = 2 };
enum { ALGO_RISK_SCOPE_ALL = 0, ALGO_RISK_SCOPE_USER = 1, ALGO_RISK_SCOPE_STRATEGY = 2 };

/* One row of risk_state: a scope's trading state. */
struct algo_risk_state {
	int scope;                    /* ALGO_RISK_SCOPE_* */
	char key[ALGO_NAME_MAX];      /* user or strategy name, "" for all */
	int state;                    /* ALGO_RISK_* */
	char reason[128];
	int64_t ts_ms;                /* when it was set (the row's ts_ms) */
};

/* One of the engine's own writes of risk_state, waiting for the next save. */
struct algo_risk_own {
	int reset;                    /* 0: a trip sets st; 1: the daily reset clears st */
	struct algo_risk_state st;
	char user[ALGO_NAME_MAX];     /* the trip's audit row belongs to this user */
	int64_t ts;                   /* market time of the write */
	int64_t cond_ts;              /* reset: the row's ts_ms it was decided on */
};

/* Names of states and scopes. */
const char *algo_risk_state_name(int state);
const char *algo_risk_scope_name(int scope);

/* The most restrictive state applying to (user, strategy); *why gets the row's
 * scope description and reason when not active. */
int algo_risk_state_of(const struct algo_risk *r, const char *user, const char *strategy,
	char *why, size_t whylen);

/* Reads the non-active rows of risk_state, with the engine's own writes not saved yet
 * on top, into r->states, without reporting changes: the states a run starts with.
 * Returns 0 (also without a database), or -1 with err set. */
int algo_risk_adopt_states(struct algo_risk *r, char *err, size_t errlen);
/* Cheap check for a changed risk_state (PRAGMA data_version); when it changed, reloads
 * it and fills r->changes with the scopes whose state differs. Returns the number of
 * changes (0 without a database), or -1 with err set. The engine's own writes not saved
 * yet count as written. */
int algo_risk_poll(struct algo_risk *r, char *err, size_t errlen);
/* Called with the ts of every event: on the first event of a new IST day with
 * cfg.reset_kill_daily, sets every scope back to active (on the first event of a run:
 * every scope set before that day) and fills r->changes like algo_risk_poll; the rows
 * are written (who "algo-risk") at the next algo_risk_save_states, unless changed by
 * someone else meanwhile. Returns the number of changes or -1. */
int algo_risk_new_event(struct algo_risk *r, int64_t ts, char *err, size_t errlen);
/* Moves a scope to ns (its state and reason) because of the engine's own rule (a
 * daily PnL limit): the view and r->changes at once; with a database the state row and
 * an audit row owned by user at market time ts at the next algo_risk_save_states.
 * Returns 0, or -1 with err set. */
int algo_risk_trip(struct algo_risk *r, const struct algo_risk_state *ns, const char *user,
	int64_t ts, char *err, size_t errlen);

/* Writes the engine's own state changes queued since the last call into s, inside the
 * caller's transaction. Returns 0, or -1 with err set. */
int algo_risk_save_states(struct algo_risk *r, struct algo_store *s, char *err, size_t errlen);

/* One closing order of a square-off. */
struct algo_risk_close {
	char user[ALGO_NAME_MAX], strategy[ALGO_NAME_MAX], symbol[ALGO_NAME_MAX];
	int side;
	int64_t qty;
	char id[ALGO_RISK_ID_MAX];
};
/* Closes (in the book, and recorded) every open position covered by change ch, at
 * ts. Fills *out (owned by the caller, free()) with *n orders in book order. Returns
 * 0, or -1 with err set. */
int algo_risk_square_off(struct algo_risk *r, const struct algo_risk_state *ch, int64_t ts,
	struct algo_risk_close **out, size_t *n, char *err, size_t errlen);

struct algo_pack;
struct algo_unpack;
/* n states as bytes, and back into a new array (*v, *n; the caller frees). Unpack
 * returns 0, or -1 when damaged or out of memory. */
void algo_risk_states_pack(struct algo_pack *p, const struct algo_risk_state *v, size_t n);
int algo_risk_states_unpack(struct algo_unpack *u, struct algo_risk_state **v, size_t *n);

/* Sets a scope's state in the database and appends an audit row (kind "kill" for
 * reducing/halted, "resume" for active; who, now_ms wall clock, reason) in one
 * transaction. Returns 0, or -1 with err set. */
int algo_risk_set_state(struct algo_store *s, int scope, const char *key, int state,
	const char *reason, const char *who, int64_t now_ms, char *err, size_t errlen);

/* Appends one object per scope not active in s to out, everything first, then users,
 * then strategies: {scope, user | strategy, state, reason, who, ts (IST)}. Returns 0,
 * or -1 with err set. */
int algo_risk_list_states(struct algo_store *s, json_t *out, char *err, size_t errlen);
/* Sets every scope that is not active back to active, with an audit row each, in one
 * transaction; *n gets how many. Returns 0, or -1 with err set (nothing changed). */
int algo_risk_resume_all(struct algo_store *s, const char *reason, const char *who, int64_t now_ms,
	int *n, char *err, size_t errlen);
/* Whether s knows key as a scope: a strategy with decisions, saved evaluator state, or
 * ledger rows; a user with an account, decisions or ledger rows (everything: always).
 * Returns 1, 0, or -1 with err set. */
int algo_risk_scope_known(struct algo_store *s, int scope, const char *key, char *err, size_t errlen);

#endif
