/* fillsim — the paper fill model: slippage, commission, and the list of working
 * (accepted, not yet filled) orders waiting for their fill price.
 *
 * Basis points are exact decimals like every amount (lib/decimal.h): 2.5 bps is
 * 25000. All arithmetic is integer; rounding is half away from zero. */
#ifndef ALGO_FILLSIM_H
#define ALGO_FILLSIM_H
#include <stddef.h>
#include <stdint.h>
#include "book.h"

#define ALGO_FILLSIM_BPS_MAX (10000 * 10000LL)   /* 10,000 bps = 100 % */
#define ALGO_FILLSIM_ID_MAX 31                   /* order id bytes, NUL included */

/* When a market order fills. */
enum { ALGO_FILL_NEXT_OPEN = 1, ALGO_FILL_CLOSE = 2 };

struct algo_fillsim_cfg {
	int64_t slippage_bps;        /* decimal bps, 0..ALGO_FILLSIM_BPS_MAX */
	int64_t commission_bps;      /* decimal bps, 0..ALGO_FILLSIM_BPS_MAX */
	int mode;                    /* ALGO_FILL_NEXT_OPEN / ALGO_FILL_CLOSE */
};

/* A simulated fill's price and charges (decimals). */
struct algo_fill {
	int64_t price;
	int64_t brokerage;
	int64_t total_fees;
};

/* Price after slippage: buys at price × (1 + bps/10000), sells at price ×
 * (1 − bps/10000), rounded to 0.0001 half away from zero, never below 0.0001. */
int64_t algo_fillsim_slip(int64_t price, int side, int64_t bps);

/* Brokerage on price × qty at bps: turnover × bps / 10000 rounded once, to paise,
 * half away from zero. Returns 0 and sets *out, or -1 when the turnover overflows. */
int algo_fillsim_brokerage(int64_t price, int64_t qty, int64_t bps, int64_t *out);

/* Fills qty on side at reference price ref (> 0) under cfg: slippage, then charges
 * on the slipped price. Returns 0, or -1 with err set (overflow, bad argument). */
int algo_fillsim_fill(const struct algo_fillsim_cfg *cfg, int side, int64_t qty, int64_t ref,
	struct algo_fill *f, char *err, size_t errlen);

/* ---- working orders -------------------------------------------------------------- */

struct algo_working_order {
	char id[ALGO_FILLSIM_ID_MAX];
	char strategy[ALGO_NAME_MAX];
	char symbol[ALGO_NAME_MAX];
	char user[ALGO_NAME_MAX];
	int side;
	int64_t qty;
	int64_t ts;                  /* when the order arrived, epoch ms */
};

struct algo_fillsim {
	struct algo_fillsim_cfg cfg;
	struct algo_working_order *w;   /* in arrival order */
	size_t n, cap;
};

/* A simulator with a copy of cfg and no working orders (no allocation). */
void algo_fillsim_init(struct algo_fillsim *fs, const struct algo_fillsim_cfg *cfg);
/* Frees the working-order list; the orders in it are dropped. */
void algo_fillsim_free(struct algo_fillsim *fs);
/* Appends a copy of o to the working orders. Returns 0, or -1 when out of memory. */
int algo_fillsim_add(struct algo_fillsim *fs, const struct algo_working_order *o);
/* Removes the oldest working order for symbol that arrived strictly before ts (so a
 * bar never fills an order placed at or after its open time) and copies it to *out.
 * Returns 1 when one was taken, 0 when none is due. */
int algo_fillsim_take_due(struct algo_fillsim *fs, const char *symbol, int64_t ts,
	struct algo_working_order *out);
/* Number of orders still working. */
size_t algo_fillsim_working(const struct algo_fillsim *fs);

#endif
