/* executor — the seam every execution stage is built on. algo-exec-paper is "the paper
 * fill rules (lib/fillsim.h) + this seam"; a broker executor is "the broker's client +
 * this seam". Both speak the same events: order, cancel, modify, bar, tick and sync in;
 * order_update and fill out (and the ack of a sync on algo-risk's FIFO).
 *
 *              order cancel modify bar tick sync          order_update fill
 *   stdin ──▶ ┌──────────────────── executor (the seam) ───────────────────┐ ──▶ stdout
 *             │ decode + check · client ids · order states · positions     │
 *             │ reduce_only · bracket legs (OCO) · events out · fill chan  │
 *             │ durable state (save / load)                                │
 *             └──────┬──────────────────────────────────────────▲──────────┘
 *          place / cancel / modify / market / idle / end      report / fill / modified / adopt
 *             ┌──────▼──────────────────────────────────────────┴──────────┐
 *             │ venue: paper (fills on bars, at once)  |  broker (polled)  │
 *             └────────────────────────────────────────────────────────────┘
 *
 * What the seam decides, the same for every venue:
 *  - Input. Orders, cancels and modifies are decoded and checked (ids of 1 to 30
 *    letters or digits, sides, kinds, prices, sl below tp for a buy, …); bars and
 *    ticks are checked and must not go back in time per symbol (and timeframe), nor
 *    orders per symbol. Bad input is -1 with the reason (the stage loop makes it
 *    "stdin:LINE: reason", exit 65). Every input line passes through byte for byte
 *    except sync; the seam's events follow the line that caused them.
 *  - Client order ids. An order whose (user, id) was seen before — in this run or in
 *    any earlier run on the same state — is never acted on: it is answered with
 *    rejected "duplicate order id". One exception: the very line that made a live
 *    order restored from the state (a stage that saved an intent before sending it
 *    and was killed before it finished the line reads it again) is only passed
 *    through, and the venue goes on following that order (or has finished it).
 *  - The order's life. NEW (decided, not yet answered by the venue) → WORKING
 *    (order_update "accepted") → PARTIAL ("partial") → FILLED, or CANCELLED, REJECTED,
 *    EXPIRED. Only the venue moves an order, through algo_executor_report and
 *    algo_executor_fill; the seam writes the events and never moves a final order.
 *    Fills are numbered per order from 1 (fill_id "<id>-<n>" unless the venue names
 *    its own, e.g. a broker's trade number).
 *  - Positions per (user, strategy, symbol, product), exact (lib/book.h), with the
 *    totals of realised PnL and charges.
 *  - reduce_only orders and bracket legs only reduce a position: a venue asks
 *    algo_executor_fillable before it fills one, and when that is 0 (the position
 *    is already closed) calls algo_executor_position_closed, which cancels the
 *    order and its peer ("position already closed").
 *  - Bracket legs. An entry with sl, tp or trail that ends (filled, cancelled or
 *    expired) with something filled gets a stop-loss leg (a stop order) and a target
 *    leg (a limit order) on the other side for the filled quantity, ids <id>SL and
 *    <id>TP (algo_exec_leg_id), placed through the venue like any order. They are
 *    one-cancels-other: when one is filled the seam cancels the other.
 *  - The fill channel to algo-risk's barrier (lib/fillchan.h): every fill and final
 *    status is recorded; a sync is answered with them, the working orders and the
 *    open positions.
 *  - Durable state (algo_executor_save / algo_executor_load, run by the stage loop
 *    at its saves): live orders, positions, the time-order tables, counters, the
 *    fill-channel records not yet acknowledged, the venue's own state; client ids
 *    go to the id registry (lib/idreg.h). Final orders leave memory after the event
 *    that ended them.
 *
 * What the venue decides (struct algo_exec_venue): whether an order is accepted or
 * rejected, when, how much and at what price it fills and with what charges, when it
 * is cancelled or expires, and what it does by itself (the paper simulator's 15:20
 * square-off, a broker's; an order made by hand). The seam calls place, cancel and
 * modify; the venue answers through the report functions below, either during the
 * call (paper) or later, from its market, idle or end hook (a broker that is polled).
 *
 * Pointers to orders stay valid until the seam finishes the event being handled (final
 * orders are freed then), so a venue may hold them across report calls within one
 * event; across events it finds orders again (algo_executor_find, algo_executor_at).
 * Nothing here prints or exits: notes go to the note callback, errors to err. */
#ifndef ALGO_EXECUTOR_H
#define ALGO_EXECUTOR_H
#include <stddef.h>
#include <stdint.h>
#include "book.h"
#include "costs.h"
#include "event.h"
#include "fillchan.h"
#include "idreg.h"
#include "pack.h"
#include "store.h"

#define ALGO_EXEC_ID_MAX 31                      /* client order id bytes, NUL included */
#define ALGO_EXEC_SESSION_END (15 * 60 + 30)     /* NSE close, minutes after IST midnight */

enum { ALGO_KIND_MARKET = 0, ALGO_KIND_LIMIT, ALGO_KIND_STOP, ALGO_KIND_STOP_LIMIT };
enum { ALGO_VALID_DAY = 0, ALGO_VALID_IOC, ALGO_VALID_GTC };
enum { ALGO_PROD_INTRADAY = 0, ALGO_PROD_DELIVERY, ALGO_PROD_MARGIN };
/* What made an order: upstream (NONE), the seam (a bracket leg), the venue (square-off). */
enum { ALGO_LEG_NONE = 0, ALGO_LEG_SL, ALGO_LEG_TP, ALGO_LEG_SQUAREOFF };

/* The order's state. */
enum { ALGO_EXEC_NEW = 0, ALGO_EXEC_WORKING, ALGO_EXEC_PARTIAL, ALGO_EXEC_FILLED,
	ALGO_EXEC_CANCELLED, ALGO_EXEC_REJECTED, ALGO_EXEC_EXPIRED };

/* An order as requested. Prices are decimals, 0 when absent; ts is epoch ms. */
struct algo_order_in {
	char id[ALGO_EXEC_ID_MAX];
	char strategy[ALGO_NAME_MAX];
	char symbol[ALGO_NAME_MAX];
	char user[ALGO_NAME_MAX];
	int side, kind, validity, product;
	int reduce_only;             /* only reduces a position: clipped to it, cancelled when flat */
	int64_t qty, limit, stop, sl, tp, trail, ts;
};

/* What the venue keeps about one order; saved with it. The seam writes ref, when set,
 * as the order_update's broker_id and never reads n[]. */
struct algo_exec_vorder {
	char ref[40];                /* the venue's id of the order (a broker's order number) */
	int64_t n[4];                /* the venue's own numbers (paper: fillsim.c) */
};

/* One order the seam follows. Fields other than venue are the seam's: read them, do
 * not write them. */
struct algo_exec_order {
	struct algo_order_in in;     /* qty, limit and stop change with a modify */
	int state;                   /* ALGO_EXEC_* */
	int sym;                     /* symbol index (algo_executor_symbol) */
	int leg;                     /* ALGO_LEG_* */
	int64_t seq;                 /* unique serial; a leg's peer names it */
	int64_t peer;                /* seq of the other bracket leg, 0 = none */
	int64_t filled, value;       /* quantity filled, Σ qty × price (decimal) */
	int64_t nfills;              /* fills so far */
	int64_t turnover;            /* Σ price × qty of the fills so far (charges per order) */
	int64_t day;                 /* IST day the order arrived (legs: of the entry's fill) */
	int64_t entry_avg;           /* a leg: its entry's average fill price */
	char parent[ALGO_EXEC_ID_MAX];   /* a leg: its entry's id */
	uint64_t line;               /* hash of the order line that made it, 0 for legs */
	int no_legs;                 /* the seam cancels it (square-off, position closed): no legs */
	int restored;                /* loaded from the state, not made in this run (not saved) */
	struct algo_exec_vorder venue;
};

/* One position. */
struct algo_exec_pos {
	struct algo_position p;
	int product;
	int sym;
	int64_t opened;              /* ts of the fill that opened it from flat (0 flat) */
	char user[ALGO_NAME_MAX], strategy[ALGO_NAME_MAX], symbol[ALGO_NAME_MAX];
};

/* Market data for one step: a bar, or a tick (o = h = l = c = ltp). */
struct algo_exec_market {
	int64_t ts, o, h, l, c, v;   /* v < 0: unknown volume */
	int tick;                    /* 1: a tick; bid/ask 0 when absent */
	int64_t bid, ask;
};

/* A fill as the venue reports it. */
enum { ALGO_EXEC_AMBIGUOUS = 1,  /* both bracket legs were inside the bar (paper) */
	ALGO_EXEC_AT_OPEN = 2,       /* filled at the bar's open: its legs may work on the rest of it */
	ALGO_EXEC_EXTERNAL = 4 };    /* a trade the stage did not place (a broker's): "external":true */
struct algo_exec_fill {
	int64_t ts, qty, price;      /* qty > 0, at most what is left */
	struct algo_fees fees;
	const char *fill_id;         /* the venue's id of the fill, or NULL: "<id>-<n>" */
	const char *reason;          /* why, when not an order from upstream ("square-off"), or NULL */
	unsigned flags;              /* ALGO_EXEC_AMBIGUOUS | ALGO_EXEC_AT_OPEN | ALGO_EXEC_EXTERNAL */
};

/* Report flags. */
enum { ALGO_EXEC_NO_LEGS = 1 };  /* cancelled by a square-off: an entry gets no legs */

struct algo_executor;

/* The venue. Every hook returns 0, or an exit code > 0 with err set (1 an internal
 * failure, 78 a configuration problem such as a charges table without the date); the
 * stage stops with it. v is the venue's own argument. */
struct algo_exec_venue {
	const char *name;                          /* "paper", for messages and the state */
	/* A new order (state NEW; a leg when o->leg is SL or TP) at ts (the order's time;
	 * a leg's: the time of the fill or final status that made it). Answer with
	 * algo_executor_report WORKING (accepted) or REJECTED, now or later. */
	int (*place)(void *v, struct algo_executor *ex, struct algo_exec_order *o, int64_t ts,
		char *err, size_t errlen);
	/* Cancel a live order; reason is what the order_update will say. Answer with
	 * algo_executor_report CANCELLED (or a fill, if it filled first). */
	int (*cancel)(void *v, struct algo_executor *ex, struct algo_exec_order *o,
		int64_t ts, const char *reason, char *err, size_t errlen);
	/* Change a live order (checked by the seam; 0 = unchanged): answer with
	 * algo_executor_modified. Optional: without it modifies are refused. */
	int (*modify)(void *v, struct algo_executor *ex, struct algo_exec_order *o, int64_t ts,
		int64_t qty, int64_t limit, int64_t stop, char *err, size_t errlen);
	/* A bar or tick of symbol index sym, after the seam passed it through. Optional. */
	int (*market)(void *v, struct algo_executor *ex, int sym, const struct algo_exec_market *m,
		char *err, size_t errlen);
	/* Input has nothing buffered (a broker polls here). Optional. */
	int (*idle)(void *v, struct algo_executor *ex, char *err, size_t errlen);
	/* Input ended (why: ALGO_STAGE_*): a broker follows its working orders until they are
	 * final or a time-out passes. Optional. */
	int (*end)(void *v, struct algo_executor *ex, int why, char *err, size_t errlen);
	/* The venue's own state inside the executor's (append to p; read back from u, which
	 * holds exactly what save wrote). Optional; load returns 0 or -1 with err set. */
	void (*save)(void *v, struct algo_pack *p);
	int (*load)(void *v, struct algo_unpack *u, char *err, size_t errlen);
};

/* Executor-private records: a symbol; the last time of a symbol's bars (per timeframe)
 * or orders. */
struct algo_exec_sym { int idx; };
struct algo_exec_last { int64_t ts; int seen; int sym; };

struct algo_executor {
	const struct algo_exec_venue *venue;
	void *varg;
	struct algo_exec_order **ord;  /* live orders, in arrival order */
	size_t nord, capord;
	struct algo_book_tab syms;     /* symbol -> struct algo_exec_sym */
	struct algo_book_tab pos;      /* user\x1fstrategy\x1fsymbol\x1eproduct -> algo_exec_pos */
	struct algo_book_tab bars;     /* symbol\x1ftf ("tick" for ticks) -> last ts */
	struct algo_book_tab ords;     /* symbol -> last order ts */
	struct algo_idreg ids;         /* client order ids seen */
	struct algo_book_tab relines;  /* user\x1fid -> line hash of each order restored from the
	                                * state, also once it is final (a venue may finish it
	                                * while reconciling, before its line is read again) */
	struct algo_fillchan_out chan; /* fills and final statuses for algo-risk's barrier */
	int64_t seq;
	int64_t realised, fees;        /* totals over every position (decimal) */
	int fees_full;                 /* write every charge component (a charges table) */
	int square_off;                /* for the ack: the venue's square-off minute, -1 none */
	struct algo_exec_last *last_bar; /* the bar time record used last, for: */
	char last_sym[ALGO_NAME_MAX], last_tf[8];
	char key[256];                 /* the instance's key in the state ("" none) */
	void (*note)(void *arg, const char *msg);
	void *note_arg;
};

/* An executor over venue (borrowed, with its argument v). Notes (a cancel for an
 * unknown id, …) go to note(note_arg, msg). No allocation. */
void algo_executor_init(struct algo_executor *ex, const struct algo_exec_venue *venue, void *v,
	void (*note)(void *arg, const char *msg), void *note_arg);
/* Frees everything; live orders are dropped. */
void algo_executor_free(struct algo_executor *ex);

/* ---- the stage's hooks (struct algo_stage_ops, arg = the executor) ------------ */

/* One event: returns 0, -1 on bad input (reason in err), or an exit code > 0. */
int algo_executor_event(void *ex, const struct algo_event *ev, char *err, size_t errlen);
/* Input is idle / ended: the venue's idle and end hooks. */
int algo_executor_idle(void *ex, char *err, size_t errlen);
int algo_executor_end(void *ex, int why, char *err, size_t errlen);

/* ---- durable state -------------------------------------------------------- */

/* Restores the state saved under key in s (none saved: a fresh start) and keeps client
 * ids in s from now on. Call once, before the first event. Returns 0; -1 with err set
 * on a database error; -2 when the saved state belongs to another venue or is damaged
 * or of another format (nothing is guessed: the caller stops). */
int algo_executor_open(struct algo_executor *ex, struct algo_store *s, const char *key,
	char *err, size_t errlen);
/* Writes the state into s under the key given to algo_executor_open, inside the
 * caller's transaction (the stage's save hook). Returns 0, or -1 with err set. */
int algo_executor_save(void *ex, struct algo_store *s, char *err, size_t errlen);

/* ---- for venues ------------------------------------------------------------ */

/* The order moves to status (ALGO_EXEC_WORKING for accepted, REJECTED, CANCELLED,
 * EXPIRED) at ts, with reason (or NULL; an accepted leg says whose leg it is) and
 * flags (ALGO_EXEC_NO_LEGS). Writes the order_update, records a final status for the
 * fill channel; an entry that ends with something filled gets its legs. A move that
 * the state machine does not allow (e.g. a final order) is an internal error.
 * Returns 0 or an exit code with err set. */
int algo_executor_report(struct algo_executor *ex, struct algo_exec_order *o, int status,
	int64_t ts, const char *reason, unsigned flags, char *err, size_t errlen);
/* A fill of a working order: charges as given, position, the fill and the order_update
 * (partial or filled). The last fill makes the order FILLED, cancels its bracket peer
 * (through the venue, reason "one cancels other: ID filled") and places an entry's
 * legs. Returns 0 or an exit code with err set. */
int algo_executor_fill(struct algo_executor *ex, struct algo_exec_order *o,
	const struct algo_exec_fill *f, char *err, size_t errlen);
/* A modify took effect at ts (0 = that part unchanged): order_update accepted,
 * "modified". */
void algo_executor_modified(struct algo_executor *ex, struct algo_exec_order *o, int64_t ts,
	int64_t qty, int64_t limit, int64_t stop);
/* An order the venue made itself (leg ALGO_LEG_SQUAREOFF): added in state NEW (it is
 * not a client id: it is not registered), for the venue to report on. Returns it, or
 * NULL when out of memory. */
struct algo_exec_order *algo_executor_adopt(struct algo_executor *ex, const struct algo_order_in *in,
	int leg);
/* What o may fill now: its remaining quantity, for legs and reduce_only orders at most
 * the position they close; 0 when that position is closed (then call
 * algo_executor_position_closed instead of filling). */
int64_t algo_executor_fillable(struct algo_executor *ex, const struct algo_exec_order *o);
/* Cancels o and its live peer, "position already closed". Returns 0 or an exit code. */
int algo_executor_position_closed(struct algo_executor *ex, struct algo_exec_order *o, int64_t ts,
	char *err, size_t errlen);

/* Live orders: count and the i-th in arrival order (including ones that became final
 * during the current event: check state). */
size_t algo_executor_count(const struct algo_executor *ex);
struct algo_exec_order *algo_executor_at(const struct algo_executor *ex, size_t i);
/* The live order (user, id), or NULL. */
struct algo_exec_order *algo_executor_find(const struct algo_executor *ex, const char *user,
	const char *id);
/* The live bracket peer of o, or NULL. */
struct algo_exec_order *algo_executor_peer(const struct algo_executor *ex, const struct algo_exec_order *o);
/* Orders not final. */
size_t algo_executor_working(const struct algo_executor *ex);
/* Whether o is final. */
int algo_exec_final(const struct algo_exec_order *o);

/* The index of symbol (made on first use), or -1 when out of memory. Indexes count
 * from 0 in order of first use and are saved with the state. */
int algo_executor_symbol(struct algo_executor *ex, const char *symbol);
/* Number of symbols. */
size_t algo_executor_nsymbols(const struct algo_executor *ex);

/* Positions: count, the i-th in order of first use, and the position of order o
 * (created flat with create; NULL when absent or out of memory). */
size_t algo_executor_npos(const struct algo_executor *ex);
struct algo_exec_pos *algo_executor_pos_at(const struct algo_executor *ex, size_t i);
struct algo_exec_pos *algo_executor_pos(struct algo_executor *ex, const struct algo_order_in *o,
	int create);

/* The id of a leg of entry id: id + suffix ("SL" / "TP") when that fits in 30
 * characters, else the first 20 characters, 8 hex digits of the 32-bit FNV-1a hash of
 * the whole id, and the suffix. out holds ALGO_EXEC_ID_MAX bytes. */
void algo_exec_leg_id(const char *id, const char *suffix, char *out);

#endif
