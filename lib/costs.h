/* costs — Indian trading charges from a dated charges table (schemas/charges.json,
 * share/costs/india.json): brokerage, STT, exchange transaction charge, SEBI fee,
 * NSE IPFT, stamp duty, GST and the depository charge, per segment.
 *
 * Rates are held as exact integers in parts per 10^9 of turnover (a rate written as
 * 0.00297 % is 29,700; ₹10 per crore is 1,000). Every component of a fill is computed
 * exactly and rounded once, to the paisa, half away from zero; GST is 18 % of the
 * exact (unrounded) exchange, SEBI and IPFT amounts plus the brokerage as charged. */
#ifndef ALGO_COSTS_H
#define ALGO_COSTS_H
#include <stddef.h>
#include <stdint.h>

#define ALGO_COSTS_RATE_DEN 1000000000LL   /* rates are parts per 10^9 */
#define ALGO_COSTS_NAME_MAX 64

/* Segments: equity intraday and delivery, futures, options. */
enum { ALGO_SEG_EQ_INTRADAY = 0, ALGO_SEG_EQ_DELIVERY, ALGO_SEG_FUT, ALGO_SEG_OPT, ALGO_SEG_COUNT };

/* One segment's rates. brokerage = min(brk_max, brk_rate × order turnover) when
 * brk_has_rate, else brk_flat per order. Amounts are decimals (lib/decimal.h). */
struct algo_costs_rates {
	int brk_has_rate;
	int64_t brk_rate, brk_max, brk_flat;
	int64_t stt_buy, stt_sell, exchange, sebi, ipft, stamp_buy, gst;
	int64_t dp_sell;             /* flat per scrip per day on delivery sells (decimal) */
};

/* One dated period: the rates apply to trades on IST days from..to inclusive (days
 * since 1970-01-01; to = INT64_MAX when open-ended). */
struct algo_costs_period {
	int64_t from, to;
	struct algo_costs_rates seg[ALGO_SEG_COUNT];
};

struct algo_costs_lot {
	char underlying[32];
	int64_t size;
};

struct algo_costs {
	char name[ALGO_COSTS_NAME_MAX];
	struct algo_costs_period *p;
	size_t np;
	struct algo_costs_lot *lots;
	size_t nlots;
};

/* The charges of one fill, decimals rounded to paise; total is their sum. */
struct algo_fees {
	int64_t brokerage, stt, exchange, sebi, ipft, stamp, gst, dp, total;
};

/* Loads a charges table from path into *c. Returns 0, or -1 with err naming the file
 * and the JSON path of the problem (errno ENOENT kept when the file is missing: the
 * caller exits 66; other errors are bad configuration, 78). Free with algo_costs_free. */
int algo_costs_load(struct algo_costs *c, const char *path, char *err, size_t errlen);
/* Resolves --charges ARG to a file path in path (size len): ARG itself when it contains
 * '/' or ends in ".json", else the table named ARG in the installed data directory
 * (<dir of the running program>/../share/algo/costs/ARG.json) or, when that does not
 * exist, in the source tree the program was built in (<dir>/../../share/costs/ARG.json:
 * build/bin/ next to share/costs/). Returns 0, or -1 with err saying where it looked
 * (errno ENOENT when no such table exists, EINVAL for a bad name or a path too long). */
int algo_costs_find(const char *arg, char *path, size_t len, char *err, size_t errlen);
/* algo_costs_find then algo_costs_load: the table --charges arg names, into *c.
 * Returns 0, or an exit code (algo(7)) with err set: 66 when no such table exists, 78
 * for a bad name or table. */
int algo_costs_open(struct algo_costs *c, const char *arg, char *err, size_t errlen);
/* Frees what algo_costs_load allocated; c may be zeroed or loaded. */
void algo_costs_free(struct algo_costs *c);

/* The period that covers IST day (days since the epoch), or NULL when none does. */
const struct algo_costs_period *algo_costs_period(const struct algo_costs *c, int64_t day);

/* The segment of symbol (FYERS form) traded under product ("intraday", "delivery",
 * "margin"): a name ending in FUT is futures; in CE or PE after a digit, options;
 * anything else is equity, delivery for product delivery or margin, else intraday. */
int algo_costs_segment(const char *symbol, const char *product);

/* The lot size of a derivative symbol from the table's lot sizes (the underlying is
 * the part after ':' up to the first digit), or 0 when unknown. */
int64_t algo_costs_lot_size(const struct algo_costs *c, const char *symbol);

/* Charges of one fill of qty at price (decimal) on side (+1 buy, −1 sell) under rates
 * r. order_turnover is the turnover already filled on the same order before this fill
 * (decimal): brokerage is charged once per order, so this fill pays the order's
 * brokerage on (order_turnover + this turnover) minus what was charged before. With
 * dp the flat depository charge is added (delivery sells, first per scrip per day).
 * Returns 0, or -1 with err set on overflow or bad arguments. */
int algo_costs_fill(const struct algo_costs_rates *r, int side, int64_t price, int64_t qty,
	int64_t order_turnover, int dp, struct algo_fees *f, char *err, size_t errlen);

#endif
