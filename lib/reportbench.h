/* reportbench — the buy-and-hold benchmark of a report: what the report's starting
 * equity would be worth had it been put into the strategy's symbols at their first
 * bar's close and held to their last bar.
 *
 * Contract:
 *  - Symbols: those of the fills the report selects (user, run, strategy, time
 *    range), in name order; with no fills, every symbol with bars recorded in the
 *    selection. A symbol without recorded bars in the selection is left out.
 *  - Prices: table bar_closes (schema 14), each IST day's first and last bar close per
 *    (user, run, symbol, tf) as algo-ledger marked them. Per symbol one timeframe, the
 *    one whose bars start first (then by name). Only bars at from_ms <= ts < to_ms
 *    count; with every run selected, the runs' rows are merged by time.
 *  - Buying: the starting equity is split equally (its 1/10,000-rupee remainder is
 *    cash); each symbol's share buys whole shares at its first close, the rest of the
 *    share stays cash. No charges, no interest. Before a symbol's first bar its share
 *    is cash too.
 *  - Value at time t: cash + the sum of quantity x the symbol's latest close at or
 *    before t. Money is exact: int64 in 1/10,000 rupee (lib/decimal.h), no rounding
 *    anywhere (quantities are whole); only return_pct is a double.
 *  - Nothing to show (no symbol with bars, e.g. a database recorded before schema 14,
 *    or a value beyond int64): on is 0, which is not an error.
 * The module reads the database and never prints. */
#ifndef ALGO_REPORTBENCH_H
#define ALGO_REPORTBENCH_H
#include <stddef.h>
#include <stdint.h>
#include "book.h"
#include "store.h"

struct algo_report_opts;
struct algo_report_point;

struct algo_bench_close { int64_t ms, close; };

struct algo_bench_hold {
	char symbol[ALGO_NAME_MAX], tf[8];
	int64_t share;                    /* its part of the starting equity */
	int64_t qty;                      /* whole shares bought at the first close */
	int64_t cash;                     /* share - qty x buy price */
	struct algo_bench_close *px;      /* its closes in time order: px[0] is the buy */
	size_t npx;
};

struct algo_bench {
	int on;                           /* 0: nothing to show (see above) */
	int64_t start, end;               /* the starting equity; the value at the last bars */
	int64_t cash;                     /* the split's remainder */
	double return_pct;                /* (end / start - 1) x 100; NaN when start is 0 */
	struct algo_bench_hold *hold;
	size_t nhold;
	int64_t *curve;                   /* the value at each of the report's curve points */
	size_t ncurve;
};

/* The benchmark of the selection o with starting equity start, valued at each of the
 * n curve points. Returns 0 (free with algo_bench_free, also when b->on is 0), or -1
 * with err set (a database error, out of memory). */
int algo_bench_build(struct algo_store *s, const struct algo_report_opts *o, int64_t start,
	const struct algo_report_point *curve, size_t n, struct algo_bench *b, char *err, size_t errlen);

void algo_bench_free(struct algo_bench *b);

#endif
