/* eqcurve — an equity curve kept at the resolution reports use, with its drawdown
 * exact.
 *
 * A backtest changes equity on most bars (one change per bar in a position); storing
 * each one is most of the ledger's time and database. The reports need less: the last
 * point of each day (daily returns, the days table, the charts), and the points that
 * decide the drawdown figures. This module is fed every change, in time order (a
 * change at the time of the one before replaces it, as the equity table's key does),
 * and emits only:
 *
 *  - the last point of each IST day;
 *  - the running peak and the trough of the largest fall in rupees and of the largest
 *    fall in percent of its peak (the first point reaching each), and the first point
 *    after that trough back at its peak (the recovery);
 *  - at every flush, the newest point, the running peak and those candidates as they
 *    stand.
 *
 * Every emitted point is a point of the full curve, and the full curve's drawdown
 * pairs and recovery are among them, so max drawdown (rupees and percent), its peak,
 * trough and recovery dates and every daily figure computed over the emitted points
 * equal those over the full curve. A change earlier than the one before (out of
 * order) makes the curve emit every point from then on, which keeps that true.
 * A point may be emitted more than once (the same time and value). */
#ifndef ALGO_EQCURVE_H
#define ALGO_EQCURVE_H
#include <stdint.h>

struct algo_eqpoint {
	int64_t ms, eq;
	int valid;
};

struct algo_eqcurve {
	int64_t start;                     /* the equity before the first point */
	struct algo_eqpoint cur;           /* the newest change, not final until a later one */
	struct algo_eqpoint peak;          /* running peak (first reaching it); ms -1: start */
	int64_t abs_dd;                    /* largest fall in rupees */
	struct algo_eqpoint abs_peak, abs_trough;
	int64_t pct_dd, pct_peak;          /* largest fall relative to its peak */
	struct algo_eqpoint pk, tr, rec;   /* its peak, trough, recovery */
	int every;                         /* out of order seen: emit every point */
};

/* emit: writes one point; returns 0 or -1 (which is passed back). */
typedef int (*algo_eqcurve_emit)(void *arg, int64_t ms, int64_t eq);

/* start: the equity before the first change (the capital). */
void algo_eqcurve_init(struct algo_eqcurve *c, int64_t start);

/* A change of equity to eq at ms. Returns 0, or emit's -1. */
int algo_eqcurve_add(struct algo_eqcurve *c, int64_t ms, int64_t eq, algo_eqcurve_emit emit,
	void *arg);

/* Emits the newest point and the current drawdown points (at a commit and at the end).
 * Returns 0, or emit's -1. */
int algo_eqcurve_flush(struct algo_eqcurve *c, algo_eqcurve_emit emit, void *arg);

#endif
