/* fillsim — the paper venue: how and when orders fill on the bars and ticks of the
 * stream, and what each fill costs. algo-exec-paper is these rules on the executor
 * seam (lib/executor.h), which owns orders, ids, positions, legs and the events.
 *
 * The rules (algo-exec-paper(1), FILL RULES): market orders at the next bar's open or
 * at the close of the order's bar; limits through the price; stops and stop-limits
 * with gaps; slippage in bps and ticks; partial fills by volume participation;
 * latency in bars; DAY and IOC validity; both bracket legs inside one bar (the
 * adverse first unless optimistic); trailing stops; the intraday square-off at a
 * time, and late, at the first price seen after it, when no price came between that
 * time and the next day; the checks a broker makes before accepting an order
 * (capital, a delivery sell beyond the holding, lot sizes, no price yet) and the
 * charges of every fill (lib/costs.h).
 *
 * All arithmetic is exact integer arithmetic on decimals (lib/decimal.h); basis points
 * are decimals too (2.5 bps is 25000). Rounding is half away from zero. Nothing here
 * prints or exits. */
#ifndef ALGO_FILLSIM_H
#define ALGO_FILLSIM_H
#include <stddef.h>
#include <stdint.h>
#include "book.h"
#include "costs.h"
#include "executor.h"

#define ALGO_FILLSIM_BPS_MAX (10000 * 10000LL)   /* 10,000 bps = 100 % */

/* When a market order fills. */
enum { ALGO_FILL_NEXT_OPEN = 1, ALGO_FILL_CLOSE = 2 };
/* How fees are computed and written. */
enum {
	ALGO_COST_ZERO = 0,     /* no costs; fees written as brokerage and total (0) */
	ALGO_COST_BPS,          /* --commission-bps: brokerage only */
	ALGO_COST_TABLE,        /* a charges table: every component */
	ALGO_COST_TABLE_NONE,   /* --charges none: every component, all zero */
};

struct algo_fillsim_cfg {
	int mode;                    /* ALGO_FILL_NEXT_OPEN / ALGO_FILL_CLOSE */
	int64_t slippage_bps;        /* decimal bps, 0..ALGO_FILLSIM_BPS_MAX */
	int64_t slippage_ticks;      /* whole ticks added against the order */
	int64_t tick_size;           /* decimal, > 0 (default 0.05) */
	int latency;                 /* bars of the order's symbol before it is eligible */
	int64_t participation;       /* decimal fraction of bar volume, 0 = no cap */
	int optimistic;              /* both legs in one bar: target first */
	int square_off;              /* minute after IST midnight, -1 = none */
	int64_t capital;             /* decimal, -1 = no capital check */
	int64_t fno_margin;          /* decimal fraction of F&O notional (0.15) */
	int cost_model;              /* ALGO_COST_* */
	int64_t commission_bps;      /* ALGO_COST_BPS */
	const struct algo_costs *costs;  /* ALGO_COST_TABLE (borrowed) */
};

/* Price after slippage: buys at price × (1 + bps/10000), sells at price ×
 * (1 − bps/10000), rounded to 0.0001 half away from zero, never below 0.0001. */
int64_t algo_fillsim_slip(int64_t price, int side, int64_t bps);

/* Brokerage on price × qty at bps: turnover × bps / 10000 rounded once, to paise,
 * half away from zero. Returns 0 and sets *out, or -1 when the turnover overflows. */
int algo_fillsim_brokerage(int64_t price, int64_t qty, int64_t bps, int64_t *out);

/* What the simulator knows of one symbol. */
struct algo_fillsim_sym {
	int have;                    /* a price was seen */
	int64_t last, last_v;        /* last close (or ltp) and bar volume (-1 unknown) */
	int64_t day;                 /* IST day of the last bar or tick */
};

struct algo_fillsim {
	struct algo_fillsim_cfg cfg;
	struct algo_fillsim_sym *sym;   /* by the executor's symbol index */
	size_t nsym;
	struct algo_book_tab dp;        /* user\x1fsymbol -> IST day of its last DP charge */
	int64_t sq_seq;                 /* square-off orders made */
	long ambiguous;                 /* bars where both legs were inside the range (this run) */
};

/* The paper venue's hooks; its argument is a struct algo_fillsim. */
extern const struct algo_exec_venue algo_fillsim_venue;

/* A simulator with a copy of cfg. No allocation. */
void algo_fillsim_init(struct algo_fillsim *fs, const struct algo_fillsim_cfg *cfg);
void algo_fillsim_free(struct algo_fillsim *fs);

#endif
