/* fyers_venue — the FYERS venue of the executor seam (lib/executor.h): algo-exec-fyers's
 * pipeline stage is "this venue + the seam", as algo-exec-paper is "lib/fillsim + the
 * seam". The seam owns client ids, order states, positions, legs and the events; the
 * venue sends orders to FYERS and follows them by polling the order book and the trade
 * book within the account's shared request budget (lib/fyers.h, lib/ratelimit.h).
 *
 * Without live (a dry run) an order is written to the note callback as the request it
 * would be ("dry run: would POST /orders/sync {...}") and reported rejected "dry run:
 * not sent"; no request is made. With live:
 *  - An order whose ts is older than max_age_ms against the wall clock is rejected
 *    "stale" (not for bracket legs, which protect a position); while the session is
 *    expired, new orders are rejected "token expired".
 *  - The intent is committed to the state database (the commit callback: the stage's
 *    save) before the request; the order carries its client id as orderTag
 *    (lib/fyers_order.h).
 *  - A clear answer: 1101 with the broker's order id (the order stays NEW until the
 *    order book shows it pending: "accepted"), or a refusal (rejected with the broker's
 *    message), or a rate limit (429: nothing was placed; sent again after Retry-After,
 *    3 attempts in all). An unclear one (time-out, dropped connection, 5xx, code 201) is
 *    resolved by looking the tag up in the order book ("1:TAG" or "TAG"): found, it is
 *    that order; absent after the lookups, it never reached the broker and is sent
 *    again; the lookups failing too, the order stays unresolved and the next poll looks
 *    again. Never a blind resend.
 *  - Polls (at most every poll_ms, only while orders are followed) read the order book
 *    and the trade book: one fill per trade, fill_id = tradeNumber, each trade number
 *    taken once (a durable registry in the state, saved with the executor's state);
 *    statuses cancelled (1), rejected (5, the broker's message), expired (7); traded (2)
 *    once its trades are in. A trade of no order of ours (by hand in the app, the
 *    broker's square-off) is a fill flagged external of an order the venue adopts (id
 *    X<tradeNumber>, strategy the one holding that symbol, else "external"). The
 *    trade book has no charges: with a charges table (cfg.costs) each fill's fees are
 *    computed from it as the paper venue does, the dated DP charge included on the
 *    account's first delivery sell of a scrip in an IST day (kept in the state, so a
 *    restart never charges it twice), else they are 0.
 *  - With the order-update socket (ows, lib/fyers_orderws.h), its trades of our placed
 *    orders are fills at once and its statuses are taken as the order book's (the
 *    same rules), so a fill is out within milliseconds, not at the next poll. The
 *    socket is only a fast path: the polls go on as without it, since FYERS's socket
 *    is known to go silent, and a trade number is taken once whichever path saw it
 *    first (the same durable registry). Trades the socket reports for orders we do not
 *    follow are left to the trade book. At the end the drain waits on the socket too.
 *  - Cancels and modifies go to DELETE / PATCH /orders/sync; a cancel is reported once
 *    the order book shows it cancelled (fills before it are taken first).
 *  - start (before the first event) reconciles: every order of the state that is not
 *    final is resolved (an intent never sent is looked up, then sent or rejected
 *    stale), and what happened while the program was down is emitted. It and end
 *    compare intraday and margin positions with the broker's (netPositions; delivery
 *    positions move to the holdings overnight and are not compared); a mismatch is a
 *    loud note and halts the strategies holding that symbol (lib/killswitch.h, who
 *    "algo-exec-fyers").
 *  - end follows working orders until they are final or drain_ms passes; it returns 77
 *    (err set) when the session expired during the run.
 *
 * Test hook: ALGO_FYERS_CRASH_AT=before-commit|after-commit|after-send|following makes
 * the process kill itself with SIGKILL at that point of an order's life (following:
 * after a partial fill was committed). Nothing here prints or exits otherwise; notes
 * go to the note callback. */
#ifndef ALGO_FYERS_VENUE_H
#define ALGO_FYERS_VENUE_H
#include <stddef.h>
#include <stdint.h>
#include "costs.h"
#include "executor.h"
#include "fyers.h"
#include "idreg.h"
#include "store.h"

struct algo_fyers_venue_cfg {
	int live;                    /* 0: a dry run */
	int64_t max_age_ms;          /* stale orders; 0: no check (default 120,000) */
	int64_t drain_ms;            /* end of input: follow working orders this long (30,000) */
	int64_t poll_ms;             /* between polls of the books (3,000) */
	const struct algo_costs *costs;  /* charges of each fill (borrowed), or NULL: fees 0 */
};

struct algo_fyers_cancel {
	int64_t seq;                 /* the order's */
	char reason[96];
};

struct algo_fyers_orderws;

struct algo_fyers_venue {
	struct algo_fyers_venue_cfg cfg;
	struct algo_fyers *f;        /* borrowed; NULL in a dry run */
	struct algo_fyers_orderws *ows;  /* the order-update socket (borrowed), or NULL: polls only */
	struct algo_store *store;    /* borrowed; NULL without a state */
	char user[ALGO_NAME_MAX];
	int (*commit)(void *arg, char *err, size_t errlen);   /* saves the state now */
	void *commit_arg;
	void (*note)(void *arg, const char *msg);
	void *note_arg;
	struct algo_idreg trades;    /* trade numbers taken as fills */
	struct algo_idreg placed;    /* broker order ids of our orders */
	struct algo_idreg dp_days;   /* SYMBOL@DAY a delivery sell paid the DP charge on */
	struct algo_fyers_cancel *cancels;
	size_t ncancel, capcancel;
	int token_expired;
	int changed;                 /* events emitted since the last commit */
	int64_t last_poll;
	long sent, lookups, polls, external, mismatches, socket_fills;
};

extern const struct algo_exec_venue algo_fyers_venue;

/* A venue over client f (NULL for a dry run) for user. No allocation. */
void algo_fyers_venue_init(struct algo_fyers_venue *v, const struct algo_fyers_venue_cfg *cfg,
	struct algo_fyers *f, const char *user);
/* The registries in s under key (s NULL: in memory). Returns 0, or -1 with err set. */
int algo_fyers_venue_open(struct algo_fyers_venue *v, struct algo_store *s, const char *key,
	char *err, size_t errlen);
void algo_fyers_venue_free(struct algo_fyers_venue *v);

/* Reconciliation on start (after algo_executor_open, before the first event). Returns
 * 0 or an exit code with err set. */
int algo_fyers_venue_start(struct algo_fyers_venue *v, struct algo_executor *ex, char *err,
	size_t errlen);

/* The stage's save hook (arg: the executor, whose venue argument is the FYERS venue):
 * the executor's state and the venue's registries in one transaction. */
int algo_fyers_stage_save(void *ex, struct algo_store *s, char *err, size_t errlen);

#endif
