/* risk — algo-risk's engine: the state every risk concern works on, and its status.
 *
 * The engine keeps, in memory: the exposure book (positions it approved, assumed
 * filled until the executor says otherwise), per (user, strategy) daily counters, per
 * (user, order-id tag) order sequences, per user the throttle's recent order times,
 * the trading states it knows, and with the fill barrier the real-fill book and the
 * orders still pending at the executor. Counters reset when the IST trading day of
 * the signal changes. The concerns are in their own modules:
 *
 *   riskfile    the risk file and its limits
 *   verdict     the decision on one signal, order ids, the counters
 *   killswitch  trading states in the state database, square-off on a kill
 *   pnlbook     the executor's reports, the day PnL and its bound, PnL limits
 *   riskdb      the records in the state database, rebuilt on attach; plans */
#ifndef ALGO_RISK_H
#define ALGO_RISK_H
#include <stddef.h>
#include <stdint.h>
#include "book.h"
#include "killswitch.h"
#include "pnlbook.h"
#include "riskdb.h"
#include "riskfile.h"
#include "store.h"
#include "verdict.h"
#include <jansson.h>

struct algo_risk_unc;             /* an order the executor may have (partly) filled */

struct algo_risk {
	struct algo_risk_config cfg;
	struct algo_book book;
	struct algo_book_tab days;    /* user\x1fstrategy -> struct algo_risk_day */
	struct algo_book_tab seqs;    /* user\x1ftag -> order sequence of the day */
	struct algo_book_tab thr;     /* user -> approved order times (throttle) */
	struct algo_book_tab plans;   /* user -> struct algo_risk_plan (cache) */
	struct algo_risk_state *states;   /* current non-active states (owned) */
	size_t nstates;
	struct algo_risk_state *changes;  /* set by algo_risk_poll (owned) */
	size_t nchanges;
	struct algo_risk_own *own;    /* own state changes not saved yet (owned) */
	size_t nown, capown;
	struct algo_risk_db *db;      /* NULL: memory only */
	int64_t last_day;             /* IST day of the newest event seen, -1 none */
	int seen_event;               /* this process has seen an event (not saved) */
	/* The fill barrier (lib/pnlbook.h). */
	int barrier;                  /* fills come back from the executor */
	struct algo_book_tab pend;    /* user\x1fid -> own order until its final status */
	struct algo_book_tab nfill;   /* user\x1fid -> fills applied (duplicates skipped) */
	struct algo_book_tab fpos;    /* user\x1fstrategy\x1fsymbol -> position from real fills */
	struct algo_book_tab pst;     /* user\x1fstrategy -> day PnL limits and positions */
	struct algo_book_tab marks;   /* symbol -> latest price, range since the last ack */
	struct algo_risk_unc *unc;    /* what may have changed at the executor since the ack */
	size_t nunc, capunc;
	int ack_square_off;           /* executor's square-off minute, -1 none */
	int64_t ack_open;             /* its open intraday positions at the ack */
	int64_t ack_slip_bps, ack_slip_abs, ack_fee_bps;   /* its slippage and charge ceiling */
	int64_t ack_day;              /* IST day of the last event before the ack */
	int64_t waits, checks;        /* barrier waits; PnL checks (statistics) */
	int reconciled;               /* this run's first ack was read (not saved) */
	struct algo_risk_chanrec *chan;   /* records of the current wait, until its ack */
	size_t nchan, capchan;
	char epoch[64];               /* the executor's state this book follows ("" unknown) */
	int64_t seq_applied;          /* its last record applied */
	int64_t seq_saved;            /* ... and saved (the executor may forget those) */
	size_t nfinal;                /* final orders still in pend/nfill */
	int adopted;                  /* an executor's positions were adopted, not saved yet */
	int64_t fwd_ts;               /* newest event forwarded to the executor (not saved) */
};

/* Takes ownership of cfg (the caller must not free it) and starts with an empty book. */
void algo_risk_init(struct algo_risk *r, struct algo_risk_config *cfg);
/* Frees the config, the book, the counters and closes the statements (not the store). */
void algo_risk_free(struct algo_risk *r);

struct algo_pack;
struct algo_unpack;

/* Appends the engine's state (book, counters, throttle, trading states, the barrier's
 * tables) to p; the config, plans and database are not part of it. Call after
 * algo_risk_save_records (nothing queued). */
void algo_risk_pack(const struct algo_risk *r, struct algo_pack *p);
/* Reads what algo_risk_pack wrote into a fresh engine (after algo_risk_init, before any
 * event). Returns 0, or -1 when the bytes are damaged or out of memory (the engine must
 * then be freed and set up again). */
int algo_risk_unpack(struct algo_risk *r, struct algo_unpack *u);

/* Appends to the JSON array out one object per (user, strategy) the engine knows, in
 * book order: {user, strategy, state, reason, day (YYYY-MM-DD of its newest trading
 * day), trades_today (that day), trades_left (null: no limit; the plan's cap counts),
 * plan (null: no account), positions {symbol: signed qty}, day_pnl, max_daily_loss,
 * loss_left}. Returns 0, -1 out of memory. */
int algo_risk_status(struct algo_risk *r, json_t *out);

#endif
