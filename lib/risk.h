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

#define ALGO_RISK_NOLIMIT (-1)
#define ALGO_RISK_TAG_MAX 20      /* characters of the strategy tag in an order id */
#define ALGO_RISK_ID_MAX 31       /* bytes of an order id, NUL included (≤ 30 chars) */
#define ALGO_RISK_SEQ_MAX 9999    /* orders per (user, tag, day) */

/* Limits of one strategy; ALGO_RISK_NOLIMIT where none is set. */
struct algo_risk_limits {
	int64_t max_trades_per_day;   /* approved entries per IST trading day */
	int64_t max_position_qty;     /* |position| an entry may open */
};

struct algo_risk_strategy {
	char name[ALGO_NAME_MAX];
	struct algo_risk_limits lim;  /* the top-level limits, overridden per key */
};

struct algo_risk_config {
	struct algo_risk_limits defaults;
	struct algo_risk_strategy *strategies;   /* owned */
	size_t nstrategies;
};

/* Return codes of algo_risk_config_load. */
enum { ALGO_RISK_OK = 0, ALGO_RISK_EBADCONF = -1, ALGO_RISK_EOPEN = -2 };

/* A config with no limits. No allocation. */
void algo_risk_config_init(struct algo_risk_config *c);
/* Loads and validates a risk file (JSON):
 *   {"max_trades_per_day": N, "max_position_qty": N,
 *    "strategies": {"NAME": {"max_trades_per_day": N, "max_position_qty": N}}}
 * every key optional, limits whole numbers >= 0; per-strategy keys override the
 * top-level ones. Returns ALGO_RISK_OK; ALGO_RISK_EOPEN when the file cannot be opened
 * (errno kept); ALGO_RISK_EBADCONF when it is not valid, with err naming the place as a
 * JSON path ("$.strategies[\"ema-cross\"].max_trades: unknown key"). On error *c is left
 * as after algo_risk_config_init. Free with algo_risk_config_free. */
int algo_risk_config_load(struct algo_risk_config *c, const char *path, char *err, size_t errlen);
/* Frees the per-strategy table and resets *c to no limits. */
void algo_risk_config_free(struct algo_risk_config *c);
/* The limits that apply to strategy (its own entry, else the defaults). Never NULL. */
const struct algo_risk_limits *algo_risk_limits_for(const struct algo_risk_config *c,
	const char *strategy);

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
 * measured, limit the limit (has_limit 0 for rules without one) and reason a sentence. */
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

struct algo_risk {
	struct algo_risk_config cfg;
	struct algo_book book;
	struct algo_book_tab days;    /* user\x1fstrategy -> daily counters */
	struct algo_book_tab seqs;    /* user\x1ftag -> order sequence of the day */
};

/* One validated signal. price is the assumed fill price for the book (the signal's
 * ref, else the last close, else 0). */
struct algo_risk_signal {
	const char *user, *strategy, *symbol;
	int64_t ts;                   /* epoch ms */
	struct algo_risk_request req;
	int64_t price;
};

/* Takes ownership of cfg (the caller must not free it) and starts with an empty book. */
void algo_risk_init(struct algo_risk *r, struct algo_risk_config *cfg);
/* Frees the config, the book and the counters. */
void algo_risk_free(struct algo_risk *r);
/* Decides one signal. On approval (v->ok) the order id is in v->id and the book, the
 * trade counter and the sequence are updated as if the order filled at s->price.
 * Returns 0 (approved or blocked, see v), or -1 with err set when the signal cannot be
 * processed: its trading day is earlier than one already seen for the same
 * (user, strategy) ("field 'ts': …"), a name is too long, arithmetic overflow or out
 * of memory. On -1 nothing changed. */
int algo_risk_decide(struct algo_risk *r, const struct algo_risk_signal *s,
	struct algo_risk_verdict *v, char *err, size_t errlen);

#endif
