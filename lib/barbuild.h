/* barbuild — OHLCV bars built from a live stream of ticks (last price and the day's
 * traded volume), for feeds that give quotes rather than bars.
 *
 * Bars are aligned to the session open, 09:15 IST: a 1m bar covers [09:15, 09:16),
 * a 15m bar [09:15, 09:30), a 1h bar [09:15, 10:15). A bar opens with the first tick
 * in its interval and closes when a tick of a later interval arrives, or when the
 * clock given to algo_barbuild_close reaches the interval's end, whichever is first:
 * a bar is written at the boundary even when no tick follows it. An interval without
 * a tick gives no bar (a gap); the next bar opens at its first tick's price.
 *
 * Volume is the change of the day's traded volume: a bar's v is the day volume at its
 * last tick minus the day volume at the end of the symbol's previous bar, so volume
 * traded during a gap counts in the bar after it. The count starts again from 0 on a
 * new IST day or when the day volume goes down (the exchange reset it). For the first
 * tick of a symbol only its own interval is known: the volume before it counts when
 * that tick is in the session's first bar, else not (the program started mid-day).
 *
 * A tick stamped before the end of the symbol's last written bar (late, or out of
 * order) counts in the next bar. Nothing here prints, allocates after init, or reads
 * the clock: time comes from the caller. */
#ifndef ALGO_BARBUILD_H
#define ALGO_BARBUILD_H
#include "histcache.h"
#include <stdint.h>

struct algo_barbuild_sym {
	int open;                   /* a bar is being built */
	struct algo_candle bar;     /* the bar being built (v not yet known) */
	int64_t vol_base;           /* day volume at the end of the previous bar */
	int64_t vol_last;           /* day volume at the last tick, -1 none yet */
	int64_t day;                /* IST day of the last tick */
	int64_t done_until;         /* end of the last bar written, 0 none */
};

struct algo_barbuild {
	int64_t tf_ms;
	int n;
	int hi;                     /* 1 + the highest symbol ticked so far */
	struct algo_barbuild_sym *s;
	/* called for every completed bar, in the order bars complete */
	void (*emit)(void *arg, int sym, const struct algo_candle *bar);
	void *arg;
	long bars;
};

/* Whether bars of tf_secs can be built: 60 divides it, or it divides 60; at most a day. */
int algo_barbuild_takes(int64_t tf_secs);
/* nsym symbols (0..nsym-1), bars of tf_secs (algo_barbuild_takes). Returns 0, or -1
 * (bad timeframe, out of memory). */
int algo_barbuild_init(struct algo_barbuild *b, int nsym, int64_t tf_secs);
void algo_barbuild_free(struct algo_barbuild *b);

/* The start of the bar holding ts. */
int64_t algo_barbuild_start(const struct algo_barbuild *b, int64_t ts);

/* One tick: time ts (ms), last price ltp (decimal > 0), day volume vol (-1 unknown). */
void algo_barbuild_tick(struct algo_barbuild *b, int sym, int64_t ts, int64_t ltp, int64_t vol);

/* Closes every bar whose interval ended at or before now (ms, market time). */
void algo_barbuild_close(struct algo_barbuild *b, int64_t now);

#endif
