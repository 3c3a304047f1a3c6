/* barrier — algo-risk's side of the fill barrier (docs/ARCHITECTURE.md, "The fill
 * barrier"): when to ask the executor for its fills, and the asking.
 *
 * The barrier writes {"type":"sync","ts":…,"id":N,"fifo":PATH} events into algo-risk's
 * output and reads the executor's answer (lib/fillchan.h) into the engine
 * (algo_risk_channel). It is lazy: it waits only when a decision could depend on what
 * the executor has done since its last answer. It is dirty once something that may
 * change the executor's state was forwarded since the last answer: an order, or a
 * market event while orders are working or the executor's square-off may strike.
 * Before a signal a dirty barrier waits; on a market event it asks the engine's PnL
 * bound whether a daily limit could be breached, and waits only then. A run's first
 * wait (the caller's, at the first line it processes) tells the executor to start
 * recording and gives its state.
 *
 * Nothing here prints or exits: a broken pipeline is a return code. */
#ifndef ALGO_BARRIER_H
#define ALGO_BARRIER_H
#include <stddef.h>
#include <stdint.h>
#include "fillchan.h"

struct algo_risk;

/* How a wait ended (algo_barrier_wait and the calls that may wait). */
enum {
	ALGO_BARRIER_OK = 0,
	ALGO_BARRIER_FAIL = -1,      /* a bad record, the executor closed the channel: err */
	ALGO_BARRIER_TIMEOUT = -2,   /* no executor answered within the time-out: err */
	ALGO_BARRIER_GONE = -3,      /* the reader of our output went away: a quiet end */
	ALGO_BARRIER_STOPPED = -4    /* a stop was requested (a signal) during the wait */
};

struct algo_barrier {
	struct algo_risk *risk;        /* borrowed */
	int on;                        /* 0: no barrier, every call is a no-op */
	struct algo_fillchan_in chan;
	int64_t next_sync;             /* id of the next sync, from 1 */
	long timeout_ms;
	int dirty;                     /* the executor may hold fills or states not read */
	int sqoff;                     /* ... including its square-off of open positions */
	int64_t last_ts;               /* newest event ts, 0 before the first */
	int64_t t_flush, t_wait;       /* ns spent flushing for and waiting at the barrier */
};

/* Sets up b for engine r (borrowed) and, when on, creates the fills channel (FIFO).
 * stopping (optional) is polled during waits. Returns 0, or -1 with err set. */
int algo_barrier_open(struct algo_barrier *b, struct algo_risk *r, int on, long timeout_ms,
	int (*stopping)(void), char *err, size_t errlen);
/* Removes the fills channel. Safe to call twice. */
void algo_barrier_close(struct algo_barrier *b);

/* An event with time ts is being handled (the time the syncs carry). */
void algo_barrier_event(struct algo_barrier *b, int64_t ts);
/* An order was forwarded, or an upstream order, cancel or modify: the executor changes. */
void algo_barrier_sent(struct algo_barrier *b);
/* Before a decision: waits when dirty. Returns ALGO_BARRIER_*. */
int algo_barrier_before_decision(struct algo_barrier *b, char *err, size_t errlen);
/* A market event of symbol (price px, range [lo, hi]) at ts was forwarded: marks the
 * engine's book and checks the daily PnL limits, waiting only when the bound says it
 * could matter. *tripped is set when a limit tripped (the engine's changes hold it).
 * Returns ALGO_BARRIER_*. */
int algo_barrier_market(struct algo_barrier *b, const char *symbol, int64_t ts, int64_t px,
	int64_t lo, int64_t hi, int *tripped, char *err, size_t errlen);
/* Sends a sync and reads the executor's records until its answer: afterwards the book
 * is exact up to the last event forwarded. Returns ALGO_BARRIER_*. */
int algo_barrier_wait(struct algo_barrier *b, char *err, size_t errlen);
/* End of input: the executor answers the syncs already sent (what it reports is
 * applied) before the channel goes away. Returns ALGO_BARRIER_*. */
int algo_barrier_finish(struct algo_barrier *b, char *err, size_t errlen);

#endif
