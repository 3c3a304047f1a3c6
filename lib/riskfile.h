/* riskfile — the risk file (schemas/risk-config.json) and the limits it sets.
 *
 * A risk file sets limits in three layers: global (top-level keys and "limits"), per
 * user ("users": {"U": {...}}) and per strategy ("strategies": {"S": {...}}). The
 * rules of one (user, strategy) are the built-in defaults overlaid with the global,
 * the user's and the strategy's keys, key by key. Money limits are exact decimals
 * (1/10,000 rupee); a limit not set is ALGO_RISK_NOLIMIT. Loading never prints: a
 * problem is one message naming the place as a JSON path. */
#ifndef ALGO_RISKFILE_H
#define ALGO_RISKFILE_H
#include <stddef.h>
#include <stdint.h>
#include "book.h"

#define ALGO_RISK_NOLIMIT (-1)
#define ALGO_RISK_LIMIT_MAX 1000000000000LL   /* the largest count or rupee amount */

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

#endif
