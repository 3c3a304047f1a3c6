/* risk — limits from the risk file, pre-trade checks, deterministic client order ids,
 * and the engine that turns one signal into an approved order or a block.
 *
 * The engine keeps, in memory: the position book (positions it approved, assumed
 * filled), per (user, strategy) daily counters and per (user, order-id tag) order
 * sequences. Counters reset when the IST trading day of the signal changes. */
#ifndef ALGO_RISK_H
#define ALGO_RISK_H
#include <stddef.h>
#include <stdint.h>
#include "book.h"
#include "store.h"
#include <jansson.h>

#define ALGO_RISK_NOLIMIT (-1)
#define ALGO_RISK_TAG_MAX 20      /* characters of the strategy tag in an order id */
#define ALGO_RISK_ID_MAX 31       /* bytes of an order id, NUL included (≤ 30 chars) */
#define ALGO_RISK_SEQ_MAX 9999    /* orders per (user, tag, day) */

/* Limits of one strategy; ALGO_RISK_NOLIMIT where none is set. */
struct algo_risk_limits {
	int64_t max_trades_per_day;   /* approved entries per IST trading day */
	int64_t max_position_qty;     /* |position| an entry may open */
};

/* Keys of a limits object, as bits of algo_risk_rules.set. */
enum {
	ALGO_RK_TRADES = 1 << 0, ALGO_RK_POSQTY = 1 << 1, ALGO_RK_OPENPOS = 1 << 2,
	ALGO_RK_POSVAL = 1 << 3, ALGO_RK_ORDVAL = 1 << 4, ALGO_RK_OPS = 1 << 5,
	ALGO_RK_MULT = 1 << 6, ALGO_RK_SYMBOLS = 1 << 7, ALGO_RK_WINDOW = 1 << 8,
	ALGO_RK_LOSS = 1 << 9, ALGO_RK_PROFIT = 1 << 10
};

#define ALGO_RISK_OPS_DEFAULT 8   /* orders per second per user: below the 10/s threshold */
#define ALGO_RISK_OPS_MAX 100

/* Every limit of one layer (global, a user or a strategy) or, resolved, of one
 * (user, strategy). Money in decimals (1/10,000 rupee); ALGO_RISK_NOLIMIT when unset. */
struct algo_risk_rules {
	struct algo_risk_limits lim;     /* max_trades_per_day, max_position_qty */
	int64_t max_open_positions;      /* symbols with an open position per strategy */
	int64_t max_position_value;      /* |position| × price per symbol, decimal */
	int64_t max_order_value;         /* order qty × price, decimal */
	int64_t max_orders_per_second;   /* per user, market time */
	int64_t max_daily_loss, max_daily_profit;   /* accepted, need the fill barrier */
	int64_t multiplier;              /* >= 1 */
	int win_from, win_to;            /* IST minutes, entries allowed in [from, to) */
	char **symbols;                  /* allowed symbols (borrowed when resolved) */
	size_t nsymbols;
	unsigned set;                    /* ALGO_RK_* bits of the keys given */
};

struct algo_risk_layer {
	char name[ALGO_NAME_MAX];
	struct algo_risk_rules r;
};

struct algo_risk_config {
	struct algo_risk_limits defaults;     /* = global.lim, kept for old callers */
	struct algo_risk_rules global;        /* top-level keys and "limits" */
	struct algo_risk_layer *users;        /* owned */
	size_t nusers;
	struct algo_risk_layer *strategies;   /* owned */
	size_t nstrategies;
	int square_off_on_kill;               /* "on_kill": "square_off" */
	int reset_kill_daily;
	const char *pnl_key;                  /* first loss/profit limit set, else NULL */
};

/* Return codes of algo_risk_config_load. */
enum { ALGO_RISK_OK = 0, ALGO_RISK_EBADCONF = -1, ALGO_RISK_EOPEN = -2 };

/* A config with no limits. No allocation. */
void algo_risk_config_init(struct algo_risk_config *c);
/* Loads and validates a risk file (JSON, schemas/risk-config.json): limit keys at the
 * top or under "limits" (global), under "users": {"U": {…}} and "strategies":
 * {"S": {…}}; a strategy's keys override the user's, which override the global ones.
 * Returns ALGO_RISK_OK; ALGO_RISK_EOPEN when the file cannot be opened (errno kept);
 * ALGO_RISK_EBADCONF when it is not valid, with err naming the place as a JSON path
 * ("$.strategies[\"ema-cross\"].max_trades: unknown key (did you mean …)"). On error
 * *c is left as after algo_risk_config_init. Free with algo_risk_config_free. */
int algo_risk_config_load(struct algo_risk_config *c, const char *path, char *err, size_t errlen);
/* Frees the layers and resets *c to no limits. */
void algo_risk_config_free(struct algo_risk_config *c);
/* The legacy limits of strategy (its own entry over the defaults). Never NULL. */
const struct algo_risk_limits *algo_risk_limits_for(const struct algo_risk_config *c,
	const char *strategy);
/* Resolves the rules of (user, strategy) into *out: built-in defaults, then global,
 * user, strategy, key by key. Symbols are borrowed from c. */
void algo_risk_rules_for(const struct algo_risk_config *c, const char *user,
	const char *strategy, struct algo_risk_rules *out);

/* ---- checks --------------------------------------------------------------------- */

enum { ALGO_RISK_ENTRY = 1, ALGO_RISK_EXIT = 2 };

/* What a signal asks for. */
struct algo_risk_request {
	int action;                   /* ALGO_RISK_ENTRY / ALGO_RISK_EXIT */
	int side;                     /* ALGO_BUY / ALGO_SELL */
	int64_t qty;                  /* > 0 */
};

/* The outcome of a check. When ok is 0, rule names the rule (a static string:
 * "position", "max_trades_per_day", "max_position_qty", "order_id"), value is what was
 * measured, limit the limit (has_limit 0 for rules without one, 2 when limit and value
 * are decimals — money rules) and reason a sentence. Other rules of algo_risk_decide:
 * halted, reducing, plan, symbols, window, max_open_positions, max_position_value,
 * max_order_value, max_orders_per_second. */
struct algo_risk_verdict {
	int ok;
	const char *rule;
	int has_limit;
	int64_t limit, value;
	char reason[128];
	int64_t qty;                  /* the quantity approved: exits are clipped */
	char id[ALGO_RISK_ID_MAX];    /* the client order id (algo_risk_decide only) */
};

/* Pure pre-trade check of req against limits lim, the strategy's approved entries today
 * and the current signed position. Entries need a flat position and pass the trade and
 * quantity limits; exits need an open position on the other side, are clipped to it
 * and are never blocked by limits. Fills *v; returns v->ok. */
int algo_risk_check(const struct algo_risk_limits *lim, int64_t trades_today, int64_t position,
	const struct algo_risk_request *req, struct algo_risk_verdict *v);

/* The order-id tag of a strategy: its ASCII letters and digits, lower-cased, at most
 * ALGO_RISK_TAG_MAX of them, "s" when none. out holds ALGO_RISK_TAG_MAX + 1 bytes. */
void algo_risk_tag(const char *strategy, char *out);
/* Formats the client order id tag + YYMMDD (IST date of ms) + 4-digit seq into out
 * (ALGO_RISK_ID_MAX bytes). Returns 0, or -1 when seq is outside 1..ALGO_RISK_SEQ_MAX. */
int algo_risk_order_id(const char *tag, int64_t ms, int64_t seq, char *out);

/* ---- the engine --------------------------------------------------------------------- */

enum { ALGO_RISK_ACTIVE = 0, ALGO_RISK_REDUCING = 1, ALGO_RISK_HALTED = 2 };
enum { ALGO_RISK_SCOPE_ALL = 0, ALGO_RISK_SCOPE_USER = 1, ALGO_RISK_SCOPE_STRATEGY = 2 };

/* One row of risk_state: a scope's trading state. */
struct algo_risk_state {
	int scope;                    /* ALGO_RISK_SCOPE_* */
	char key[ALGO_NAME_MAX];      /* user or strategy name, "" for all */
	int state;                    /* ALGO_RISK_* */
	char reason[128];
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

struct algo_risk_db;              /* prepared statements of a state database */
struct algo_risk_unc;             /* an order the executor may have (partly) filled */

/* Daily counters of one (user, strategy): the records of algo_risk.days. */
struct algo_risk_day {
	int64_t day;                  /* IST trading day (days since epoch); valid when used */
	int used;
	int64_t trades;               /* approved entries that day */
};              /* prepared statements of a state database */

struct algo_risk {
	struct algo_risk_config cfg;
	struct algo_book book;
	struct algo_book_tab days;    /* user\x1fstrategy -> daily counters */
	struct algo_book_tab seqs;    /* user\x1ftag -> order sequence of the day */
	struct algo_book_tab thr;     /* user -> approved order times (throttle) */
	struct algo_book_tab plans;   /* user -> struct algo_risk_plan (cache) */
	struct algo_risk_state *states;   /* current non-active states (owned) */
	size_t nstates;
	struct algo_risk_state *changes;  /* set by algo_risk_poll (owned) */
	size_t nchanges;
	struct algo_risk_db *db;      /* NULL: memory only */
	int64_t last_day;             /* IST day of the newest event seen, -1 none */
	/* The fill barrier (see "fills" below). */
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
	int reconciled;               /* the executor's positions were adopted (first ack) */
};

/* One validated signal. price is the assumed fill price for the book (the signal's
 * ref, else the last close, else 0). */
struct algo_risk_signal {
	const char *user, *strategy, *symbol;
	int64_t ts;                   /* epoch ms */
	struct algo_risk_request req;
	int64_t price;
	int live;                     /* the order would be a live one */
	int legs;                     /* the order carries sl/tp: the executor adds legs */
};

/* Takes ownership of cfg (the caller must not free it) and starts with an empty book. */
void algo_risk_init(struct algo_risk *r, struct algo_risk_config *cfg);
/* Frees the config, the book, the counters and closes the statements (not the store). */
void algo_risk_free(struct algo_risk *r);
/* Decides one signal. On approval (v->ok) the order id is in v->id, v->qty is the
 * order quantity (× multiplier, exits clipped) and the book, the counters and the
 * sequence are updated as if the order filled at s->price; with a database the
 * decision is recorded. Returns 0 (approved or blocked, see v), 1 when a database is
 * attached and this very signal was already decided (a replay: emit nothing), or -1
 * with err set: trading day going back for the same (user, strategy) ("field 'ts': …"),
 * a name too long, overflow, out of memory or a database error. On -1 nothing changed. */
int algo_risk_decide(struct algo_risk *r, const struct algo_risk_signal *s,
	struct algo_risk_verdict *v, char *err, size_t errlen);

/* Uses the state database s (migrated) for risk_state, plans and the record of
 * decided signals: prepares statements, loads the states and rebuilds the book and
 * counters from the approved orders recorded. Returns 0, or -1 with err set. */
int algo_risk_attach(struct algo_risk *r, struct algo_store *s, char *err, size_t errlen);
/* Cheap check for a changed risk_state (PRAGMA data_version); when it changed, reloads
 * it and fills r->changes with the scopes whose state differs. Returns the number of
 * changes (0 without a database), or -1 with err set. */
int algo_risk_poll(struct algo_risk *r, char *err, size_t errlen);

/* Commits the decisions recorded since the last commit (they are batched in one
 * transaction). Call before the orders they approved leave the process. 0 or -1. */
int algo_risk_commit(struct algo_risk *r, char *err, size_t errlen);
/* Called with the ts of every event: on the first event of a new IST day with
 * cfg.reset_kill_daily, sets every scope back to active (recorded, who "algo-risk")
 * and fills r->changes like algo_risk_poll. Returns the number of changes or -1. */
int algo_risk_new_event(struct algo_risk *r, int64_t ts, char *err, size_t errlen);
/* The most restrictive state applying to (user, strategy); *why gets the row's
 * scope description and reason when not active. */
int algo_risk_state_of(const struct algo_risk *r, const char *user, const char *strategy,
	char *why, size_t whylen);

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

/* Sets a scope's state in the database and appends an audit row (kind "kill" for
 * reducing/halted, "resume" for active; who, now_ms wall clock, reason) in one
 * transaction. Returns 0, or -1 with err set. */
int algo_risk_set_state(struct algo_store *s, int scope, const char *key, int state,
	const char *reason, const char *who, int64_t now_ms, char *err, size_t errlen);
/* Appends to the JSON array out one object per (user, strategy) the engine knows, in
 * book order: {user, strategy, state, reason, day (YYYY-MM-DD of its newest trading
 * day), trades_today (that day), trades_left (null: no limit; the plan's cap counts),
 * plan (null: no account), positions {symbol: signed qty}}. Returns 0, -1 out of memory. */
int algo_risk_status(struct algo_risk *r, json_t *out);
/* Names of states and scopes. */
const char *algo_risk_state_name(int state);
const char *algo_risk_scope_name(int scope);
/* The plan of user (cached); a user without an account has known 0. */
const struct algo_risk_plan *algo_risk_plan_of(struct algo_risk *r, const char *user);

/* ---- fills: the barrier -----------------------------------------------------------------
 *
 * With r->barrier set, the book algo_risk_decide checks against is the exposure: the
 * approved orders, corrected by what the executor reports through the fills channel
 * (lib/fillchan.h): an order that ends with less than its quantity filled gives the
 * rest back, and fills of orders risk did not approve (bracket legs, the executor's
 * square-off) move the position. A second book, from the real fills, gives the day's
 * PnL: realised today, net of today's charges, plus the unrealised PnL of open positions
 * at the latest price. Daily loss and profit limits are checked against it on every
 * market event; between acks only a bound is known, see algo_risk_pnl_check. */

/* Applies one record of the fills channel (fill, final or ack). Returns 0 or -1. */
int algo_risk_channel(struct algo_risk *r, const char *line, size_t len, char *err, size_t errlen);
/* A market event of symbol: latest price px, and the range [lo, hi] it covers (a bar's
 * low and high; a tick's prices). Returns 0 or -1 (out of memory). */
int algo_risk_mark(struct algo_risk *r, const char *symbol, int64_t px, int64_t lo, int64_t hi,
	char *err, size_t errlen);
/* Checks the day PnL limits of every (user, strategy) trading symbol at ts. exact 1:
 * the book is exact (the executor acked everything forwarded); 0: bound the PnL by
 * letting every order that may have changed since the ack fill anywhere in its
 * symbol's range (fees at most 1 % of the value plus 100 rupees an order), with
 * square_off_possible when the executor may have squared positions off. Returns 0 when
 * no limit is or can be breached, 1 when an exact check is needed (call again with
 * exact after a barrier wait), 2 when a limit was breached (r->changes holds the new
 * state), -1 on error. */
int algo_risk_pnl_check(struct algo_risk *r, const char *symbol, int64_t ts, int exact,
	int square_off_possible, char *err, size_t errlen);
/* Whether any (user, strategy) has a daily loss or profit limit (risk file or plan). */
int algo_risk_has_pnl_limits(struct algo_risk *r);
/* The day PnL of (user, strategy) on day as known (decimal). */
int64_t algo_risk_day_pnl(struct algo_risk *r, const char *user, const char *strategy, int64_t day);

#endif
