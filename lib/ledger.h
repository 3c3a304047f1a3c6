/* ledger — records an event stream in the state database (orders, fills, positions,
 * the equity curve) and derives reports from it (round trips, PnL, drawdown).
 *
 * Recording is idempotent: orders and fills are keyed by their natural ids, a fill
 * moves a position only when it is new, and a bar is marked only when it is newer than
 * the last bar marked for its (symbol, tf). So replaying an input — whole, or after a
 * crash — leaves the database as one clean run would.
 *
 * Writes are batched: one transaction per batch of events, committed by
 * algo_ledger_commit, which the stage loop (lib/stage.h) runs as its save: every few
 * thousand lines, when input pauses, and at the end however the run ends. A write
 * that fails (a full disk) rolls the open batch back and stops all further writes,
 * so what was committed before stays consistent. */
#ifndef ALGO_LEDGER_H
#define ALGO_LEDGER_H
#include <stddef.h>
#include <stdint.h>
#include "book.h"
#include "decimal.h"
#include "event.h"
#include "store.h"

#define ALGO_LEDGER_CAPITAL (100000 * ALGO_DEC_SCALE)   /* ₹1 lakh, decimal */
#define ALGO_LEDGER_DEFAULT_USER "default"
#define ALGO_LEDGER_RUN_MAX 64

/* Return codes of algo_ledger_event. */
enum { ALGO_LEDGER_OK = 0, ALGO_LEDGER_EBAD = -1, ALGO_LEDGER_EDB = -2 };

struct algo_ledger;

/* Reads the starting capital of the database: the value stored in meta "capital", else
 * ALGO_LEDGER_CAPITAL. Returns 0, or -1 when the stored value is unreadable. */
int algo_ledger_capital(struct algo_store *s, int64_t *capital);

/* Starts recording into s (which must stay open until algo_ledger_free). user is the
 * user of events without a "user" member. capital (decimal, > 0) is stored in meta on
 * first use; when the database already holds another value, that value is kept and
 * *capital_differs is set to 1 (pass capital < 0 to use the stored value or the
 * default silently). Loads positions and marks. Returns the ledger, or NULL with err
 * set. */
struct algo_ledger *algo_ledger_open(struct algo_store *s, const char *user, int64_t capital,
	int *capital_differs, char *err, size_t errlen);

/* Sets the run the rows recorded from now on belong to: run_id (1 to 63 of
 * [A-Za-z0-9_.:-]), or NULL for the default: "YYYYMMDD-xxxxxxxx", the IST date of the
 * first event and the first 8 hex digits of the SHA-256 of the options ("user=U
 * capital=C"), so a replay lands in the same run. Call before the first event.
 * Returns 0, or -1 when run_id is not valid. */
int algo_ledger_set_run(struct algo_ledger *l, const char *run_id);

/* Records as a backtest does (algo-backtest's fresh throw-away database): the equity
 * curve at report resolution (lib/eqcurve.h: each day's last point and the exact
 * drawdown points, instead of every change), and in the audit log one "backtest" row
 * at the end of input (strategies and their hashes, the input's SHA-256, the options,
 * the number of orders and fills, the final equity) instead of a row per order,
 * update and fill (risk blocks and kills keep theirs). Call before the first event. */
void algo_ledger_set_backtest(struct algo_ledger *l);

/* The run's record (lib/runrec.h: strategy, file hash, parameters, inputs; JSON,
 * copied) that a backtest's audit row holds as "run_record". Returns 0, or -1 when
 * out of memory. */
int algo_ledger_set_run_record(struct algo_ledger *l, const char *json);

/* The run id ("" until the first event when derived). */
const char *algo_ledger_run(const struct algo_ledger *l);

/* Records one parsed event: order, order_update, fill and bar are consumed (and
 * order, order_update, fill, risk_block and kill_switch logged in the audit log),
 * others ignored. Returns ALGO_LEDGER_OK; ALGO_LEDGER_EBAD when the event is invalid (err
 * names the field; nothing of it was recorded); ALGO_LEDGER_EDB on a database error
 * (the batch is rolled back and the ledger records nothing more). */
int algo_ledger_event(struct algo_ledger *l, const struct algo_event *ev, char *err, size_t errlen);

/* Writes pending position and mark changes and commits the open transaction, if any
 * (inside a caller's transaction, algo_store_begin's nesting, only its own level).
 * Returns 0, or -1 with err set (the batch is rolled back, nothing more is written). */
int algo_ledger_commit(struct algo_ledger *l, char *err, size_t errlen);

struct algo_stage;
/* Sets st up (algo_stage_init) to record into l: every line is recorded, then written
 * to algo_stdout unchanged; the loop's save commits. The caller sets skip_bad, warn
 * and the like, then runs algo_stage_run. */
void algo_ledger_stage(struct algo_ledger *l, struct algo_stage *st);

/* Rolls back anything uncommitted and frees l (NULL is fine). */
void algo_ledger_free(struct algo_ledger *l);

/* ---- reports ---------------------------------------------------------------------- */

/* One round trip: from flat to flat in one (strategy, symbol). */
struct algo_trip {
	char strategy[ALGO_NAME_MAX];
	char symbol[ALGO_NAME_MAX];
	int side;                     /* ALGO_BUY = long, ALGO_SELL = short */
	int64_t qty;                  /* largest |position| during the trip */
	int64_t entry_ms, exit_ms;    /* first fill, closing fill */
	int64_t entry_price;          /* qty-weighted average of the opening fills */
	int64_t exit_price;           /* qty-weighted average of the closing fills */
	int64_t pnl;                  /* exact: Σ sells − Σ buys of the trip */
	int64_t fees;                 /* fees of the trip's fills (a flipping fill's fees
	                                 are split by quantity) */
	int64_t net;                  /* pnl − fees */
};

/* Calls cb for every closed round trip of user, in the order the trips closed (fills
 * by ts, then by the order they were recorded). A non-zero return from cb stops the
 * walk and is returned. Returns 0, cb's value, or -1 with err set. */
int algo_ledger_trips(struct algo_store *s, const char *user,
	int (*cb)(const struct algo_trip *t, void *arg), void *arg, char *err, size_t errlen);

/* Selects fills: of one run and/or strategy (NULL: all), with from_ms <= ts_ms < to_ms
 * (INT64_MIN / INT64_MAX for no bound). A NULL filter selects everything. */
struct algo_ledger_filter {
	const char *run;
	const char *strategy;
	int64_t from_ms, to_ms;
};

/* algo_ledger_trips over the fills f selects only. */
int algo_ledger_trips_f(struct algo_store *s, const char *user, const struct algo_ledger_filter *f,
	int (*cb)(const struct algo_trip *t, void *arg), void *arg, char *err, size_t errlen);

struct algo_ledger_open_pos {
	char strategy[ALGO_NAME_MAX];
	char symbol[ALGO_NAME_MAX];
	int64_t qty;                  /* signed */
	int64_t avg_price, last_price, unrealized;
};

struct algo_ledger_charge {
	char name[ALGO_NAME_MAX];     /* fee component, e.g. "brokerage" */
	int64_t amount;
};

struct algo_ledger_report {
	int64_t capital;
	int have_time;                /* first_ms/last_ms valid (any fill or equity point) */
	int64_t first_ms, last_ms;
	int64_t trades, wins, losses; /* closed round trips; win: net > 0, loss: net < 0 */
	int64_t win_rate;             /* percent of trades won, decimal rounded to 0.01 */
	int64_t realized, unrealized, gross, charges, net;
	int64_t max_dd;               /* largest fall from a peak, rupees (decimal) */
	int64_t max_dd_pct;           /* largest fall relative to its peak, percent (decimal) */
	int64_t dd_peak_ms, dd_trough_ms;  /* of the largest % fall: trough -1 when there
	                                      was none, peak -1 when it was the capital */
	int64_t final_equity;         /* capital + net */
	struct algo_ledger_open_pos *open;   /* open positions, by strategy then symbol */
	size_t nopen;
	struct algo_ledger_charge *charge;   /* charges by component, first seen first */
	size_t ncharge;
};

/* Adds the charges by component of the fills f selects to r->charge (fills without
 * components count as "other"). Returns 0, or -1 with err set. */
int algo_ledger_charges(struct algo_store *s, const char *user, const struct algo_ledger_filter *f,
	struct algo_ledger_report *r, char *err, size_t errlen);

/* Computes the report of user. Returns 0 (free with algo_ledger_report_free), or -1
 * with err set. */
int algo_ledger_report(struct algo_store *s, const char *user, struct algo_ledger_report *r,
	char *err, size_t errlen);
void algo_ledger_report_free(struct algo_ledger_report *r);

#endif
