/* verdict — the decision on one signal: approve it as an order (with its client order
 * id and quantity) or block it, naming the rule.
 *
 * The checks run in the order algo-risk(1) documents: trading state, plan, position,
 * trades and quantity limits, then for entries the plan's trades, symbols, window,
 * open positions, position and order value, daily PnL limits without the barrier, the
 * plan's strategies, and for every order the orders-per-second throttle. The counters
 * the checks read (approved entries per user, strategy and IST day; order sequences per
 * user, tag and day; the throttle's recent order times) live in struct algo_risk and
 * move only when an order is approved. */
#ifndef ALGO_VERDICT_H
#define ALGO_VERDICT_H
#include <stddef.h>
#include <stdint.h>
#include "riskfile.h"

struct algo_risk;

#define ALGO_RISK_TAG_MAX 20      /* characters of the strategy tag in an order id */
#define ALGO_RISK_ID_MAX 31       /* bytes of an order id, NUL included (≤ 30 chars) */
#define ALGO_RISK_SEQ_MAX 9999    /* orders per (user, tag, day) */

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

/* Daily counters of one (user, strategy): the records of algo_risk.days. */
struct algo_risk_day {
	int64_t day;                  /* IST trading day (days since epoch); valid when used */
	int used;
	int64_t trades;               /* approved entries that day */
};

/* Order sequence of one (user, tag): the records of algo_risk.seqs. */
struct algo_risk_seq {
	int64_t day;
	int used;
	int64_t seq;                  /* last sequence number handed out that day */
};

/* The newest approved order times of one user: the records of algo_risk.thr. */
struct algo_risk_throttle {
	int64_t ts[ALGO_RISK_OPS_MAX];   /* ring */
	int n, head;
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

/* Decides one signal. On approval (v->ok) the order id is in v->id, v->qty is the
 * order quantity (× multiplier, exits clipped) and the book, the counters and the
 * sequence are updated as if the order filled at s->price; with a database the
 * decision is recorded. Returns 0 (approved or blocked, see v), 1 when a database is
 * attached and this very signal was already decided (a replay: emit nothing), or -1
 * with err set: trading day going back for the same (user, strategy) ("field 'ts': …"),
 * a name too long, overflow, out of memory or a database error. On -1 nothing changed. */
int algo_risk_decide(struct algo_risk *r, const struct algo_risk_signal *s,
	struct algo_risk_verdict *v, char *err, size_t errlen);

/* An order risk sends other than through algo_risk_decide (a square-off) or one read
 * back from the record: moves the exposure book by it at price, counts an entry
 * (entry 1) in the day's trades and takes the next sequence number of the day. With id
 * non-NULL the new client order id is written there (ALGO_RISK_ID_MAX bytes). Returns
 * 0, or -1 with err set (out of memory, name too long, sequence exhausted, overflow). */
int algo_risk_apply_order(struct algo_risk *r, const char *user, const char *strategy,
	const char *symbol, int64_t ts, int entry, int side, int64_t qty, int64_t price,
	char *id, char *err, size_t errlen);
/* Counts an approved order at ts in user's orders-per-second throttle. Returns 0, or
 * -1 when out of memory. */
int algo_risk_throttle_note(struct algo_risk *r, const char *user, int64_t ts);

#endif
