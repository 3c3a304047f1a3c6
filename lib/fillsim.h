/* fillsim — the paper execution engine: a book of working orders per symbol, the
 * fill rules on bars and ticks, bracket legs (stop-loss / target, one cancels the
 * other, trailing stops), slippage, partial fills by volume participation, latency,
 * DAY/IOC validity, intraday square-off, positions (lib/book.h), a simple capital
 * check and the charges of every fill (lib/costs.h).
 *
 * The engine never prints: it reports what happened through a callback, one
 * struct algo_fillsim_out per fill or order update, in the order they happen. All
 * arithmetic is exact integer arithmetic on decimals (lib/decimal.h); basis points
 * are decimals too (2.5 bps is 25000). Rounding is half away from zero. */
#ifndef ALGO_FILLSIM_H
#define ALGO_FILLSIM_H
#include <stddef.h>
#include <stdint.h>
#include "book.h"
#include "costs.h"

#define ALGO_FILLSIM_BPS_MAX (10000 * 10000LL)   /* 10,000 bps = 100 % */
#define ALGO_FILLSIM_ID_MAX 31                   /* order id bytes, NUL included */
#define ALGO_FILLSIM_SESSION_END (15 * 60 + 30)  /* NSE close, minutes after IST midnight */

/* When a market order fills. */
enum { ALGO_FILL_NEXT_OPEN = 1, ALGO_FILL_CLOSE = 2 };
/* How fees are computed and written. */
enum {
	ALGO_COST_ZERO = 0,     /* no costs; fees written as brokerage and total (0) */
	ALGO_COST_BPS,          /* --commission-bps: brokerage only */
	ALGO_COST_TABLE,        /* a charges table: every component */
	ALGO_COST_TABLE_NONE,   /* --charges none: every component, all zero */
};
enum { ALGO_KIND_MARKET = 0, ALGO_KIND_LIMIT, ALGO_KIND_STOP, ALGO_KIND_STOP_LIMIT };
enum { ALGO_VALID_DAY = 0, ALGO_VALID_IOC, ALGO_VALID_GTC };
enum { ALGO_PROD_INTRADAY = 0, ALGO_PROD_DELIVERY, ALGO_PROD_MARGIN };
enum { ALGO_LEG_NONE = 0, ALGO_LEG_SL, ALGO_LEG_TP, ALGO_LEG_SQUAREOFF };

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

/* A simulated fill's price and charges (decimals), kept for the old interface. */
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

/* An order as it arrives (or a leg the engine makes). Prices are decimals, 0 when
 * absent. ts is epoch ms. */
struct algo_order_in {
	char id[ALGO_FILLSIM_ID_MAX];
	char strategy[ALGO_NAME_MAX];
	char symbol[ALGO_NAME_MAX];
	char user[ALGO_NAME_MAX];
	int side, kind, validity, product;
	int reduce_only;             /* only reduces a position: clipped to it, cancelled when flat */
	int64_t qty, limit, stop, sl, tp, trail, ts;
};

/* A working order: the request plus its state. */
struct algo_working_order {
	struct algo_order_in in;
	int sym;                     /* engine symbol index */
	int leg;                     /* ALGO_LEG_* */
	int triggered;               /* stop_limit: the stop was hit */
	int done;                    /* final; removed after the current event */
	int skip;                    /* latency bars still to wait */
	int seen_bar;                /* an eligible bar was seen (IOC) */
	int64_t seq;                 /* unique serial, for OCO peers */
	int64_t peer;                /* seq of the other leg, 0 = none */
	int64_t filled, value;       /* quantity filled, Σ qty × price (decimal) */
	int64_t nfills;              /* fills so far (fill ids <id>-1, -2, …) */
	int64_t turnover;            /* Σ turnover charged so far (brokerage once per order) */
	int64_t extreme;             /* trailing: best price since the entry */
	int64_t day;                 /* IST day of arrival */
};

/* What the engine reports. */
enum { ALGO_OUT_UPDATE = 1, ALGO_OUT_FILL };
struct algo_fillsim_out {
	int what;                    /* ALGO_OUT_UPDATE / ALGO_OUT_FILL */
	int64_t ts;
	const struct algo_working_order *o;
	const char *status;          /* update: accepted rejected cancelled expired filled partial */
	const char *reason;          /* update or fill reason, or NULL */
	int64_t qty, price;          /* fill */
	int64_t fill_no;             /* fill: N of the order's fills, from 1 */
	int ambiguous;               /* fill: both legs were inside the bar */
	struct algo_fees fees;       /* fill */
};

/* Market data for one step: a bar, or a tick (o = h = l = c = the side's price). */
struct algo_fillsim_bar {
	int64_t ts, o, h, l, c, v;   /* v < 0: unknown volume (no participation cap) */
	int tick;                    /* 1: ltp in c, bid/ask (0 when absent) */
	int64_t bid, ask;
};

struct algo_fillsim_pos {
	struct algo_position p;
	int product;
	int sym;
	char user[ALGO_NAME_MAX], strategy[ALGO_NAME_MAX], symbol[ALGO_NAME_MAX];
};

struct algo_fillsim {
	struct algo_fillsim_cfg cfg;
	struct algo_working_order *w;   /* in arrival order */
	size_t n, cap;
	struct algo_book_tab syms;      /* symbol -> struct algo_fillsim_sym (engine-private) */
	struct algo_book_tab pos;       /* user\x1fstrategy\x1fsymbol -> algo_fillsim_pos */
	struct algo_book_tab ids;       /* user\x1fid -> order seen */
	struct algo_book_tab dp;        /* user\x1fsymbol\x1fday -> DP charged */
	void *last_sym;                 /* cache of the last symbol looked up */
	const char *last_key;
	size_t last_klen;
	int64_t seq, sq_seq;
	int64_t realised, fees;         /* totals over all positions (capital) */
	long ambiguous;                 /* bars where both legs were inside the range */
	void (*emit)(const struct algo_fillsim_out *out, void *arg);
	void *arg;
};

/* A simulator with a copy of cfg, reporting through emit(out, arg). No allocation. */
void algo_fillsim_init(struct algo_fillsim *fs, const struct algo_fillsim_cfg *cfg,
	void (*emit)(const struct algo_fillsim_out *, void *), void *arg);
/* Frees everything; working orders are dropped. */
void algo_fillsim_free(struct algo_fillsim *fs);

/* A new order: checks it (duplicate id, capital, delivery short, lot size, square-off
 * time), reports accepted or rejected, and with --fill close fills a market order at
 * once at the symbol's last price. Returns 0, or -1 with err set (out of memory,
 * arithmetic overflow): the caller stops. */
int algo_fillsim_order(struct algo_fillsim *fs, const struct algo_order_in *o, char *err,
	size_t errlen);
/* A bar or tick of symbol: expiries, square-off, then the symbol's working orders in
 * arrival order. Returns 0, or -1 with err set. */
int algo_fillsim_bar(struct algo_fillsim *fs, const char *symbol,
	const struct algo_fillsim_bar *bar, char *err, size_t errlen);
/* Cancels the working order (user, id). Returns 1 when done, 0 when no such order is
 * working, -1 on error. */
int algo_fillsim_cancel(struct algo_fillsim *fs, const char *user, const char *id, int64_t ts,
	char *err, size_t errlen);
/* Modifies a working order: qty (total, > filled), limit, stop; 0 = unchanged.
 * Returns 1 when done, 0 when no such order is working, -2 when the change is invalid
 * (reason in err; nothing changed), -1 on error. */
int algo_fillsim_modify(struct algo_fillsim *fs, const char *user, const char *id, int64_t ts,
	int64_t qty, int64_t limit, int64_t stop, char *err, size_t errlen);
/* Number of orders still working. */
size_t algo_fillsim_working(const struct algo_fillsim *fs);

/* The id of a leg of entry id: id + "SL" / "TP" when that fits in 30 characters,
 * else the first 20 characters, 8 hex digits of the FNV-1a hash of the whole id, and
 * the suffix. out holds ALGO_FILLSIM_ID_MAX bytes. */
void algo_fillsim_leg_id(const char *id, const char *suffix, char *out);

#endif
