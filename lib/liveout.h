/* liveout — what a live feed writes: tick events, the bars lib/barbuild builds from
 * them (a bar a tick completes goes before the tick), the stream header before the
 * first event, and a --record file that gets every event too (for algo-feed replay).
 * Also the feed's market time: the wall clock, shifted when the feed's own times are
 * more than 5 s from it (a scripted or replayed feed), so bars close at their boundary
 * in the feed's time. Events are handed to the writer by algo_liveout_flush, and
 * before each message algo_liveout_note passes on, so the two keep their order. Used
 * by every live feed (lib/livequotes, lib/livestream): their output is made here only. */
#ifndef ALGO_LIVEOUT_H
#define ALGO_LIVEOUT_H
#include "barbuild.h"
#include "barout.h"
#include "livecfg.h"

struct algo_liveout {
	struct algo_writer *w;
	struct algo_barout out;
	struct algo_barbuild bb;
	int bars_on;
	char tf[16];
	const char *(*name)(void *arg, int sym);   /* a symbol's name */
	void *arg;
	int recfd;                       /* -1: no record file */
	int64_t offset;                  /* market time - wall clock, INT64_MIN unknown */
	long ticks;
	void (*on_notice)(void *arg, const char *msg);
	void *notice_arg;
};

/* Events go to w, and to cfg's record file (created or truncated); cfg's bars_tf bars
 * of nsym symbols named by name(arg, i); messages to cfg's on_notice. Returns 0, or -1
 * with err set and *code the exit code (algo(7)). */
int algo_liveout_open(struct algo_liveout *o, struct algo_writer *w, const struct algo_livecfg *cfg, int nsym,
	const char *(*name)(void *arg, int sym), void *arg, int *code, char *err, size_t errlen);
void algo_liveout_free(struct algo_liveout *o);

/* One tick of symbol sym at ts (ms): ltp (decimal > 0), bid/ask (0: absent), the day's
 * volume (-1: absent). */
void algo_liveout_tick(struct algo_liveout *o, int sym, int64_t ts, int64_t ltp, int64_t bid, int64_t ask,
	int64_t vol);
/* A feed time ts seen at wall clock wall: market time moves with it when it is far. */
void algo_liveout_learn(struct algo_liveout *o, int64_t ts, int64_t wall);
int64_t algo_liveout_now(const struct algo_liveout *o, int64_t wall);
/* Closes the bars whose interval ended by market time now. */
void algo_liveout_close(struct algo_liveout *o, int64_t now);
/* Hands the events written so far to the record file and the writer. Returns 0, or -1
 * with err set (the record file failed). */
int algo_liveout_flush(struct algo_liveout *o, char *err, size_t errlen);
/* Flushes, then hands msg to on_notice. Returns 0, or -1 as algo_liveout_flush. */
int algo_liveout_note(struct algo_liveout *o, const char *msg, char *err, size_t errlen);

#endif
