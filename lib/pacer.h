/* pacer — `algo-feed replay`: recorded events written again, paced in wall-clock
 * time by their market-time gaps (a live feed for tests, demos and kill-switch drills).
 *
 * Every line is checked (valid JSON with a type and an RFC 3339 ts) and written
 * unchanged; before it, the pacer sleeps for the market-time gap to the previous
 * event divided by speed, at most maxgap seconds (an overnight gap must not stall a
 * drill), or a fixed `every` milliseconds. When pacing, output is flushed after each
 * event, so the next stage sees it at once. Nothing here prints. */
#ifndef ALGO_PACER_H
#define ALGO_PACER_H
#include "event.h"

struct algo_pacer {
	double speed;               /* times market speed; 0 = no pacing (default 1) */
	double maxgap;              /* seconds, the longest sleep (default 5) */
	int64_t every;              /* ms between events instead, -1 = off (default) */
	int skip_bad;               /* skip bad lines, handing them to on_skip */
	void (*on_skip)(void *arg, const char *msg);   /* "file:line: why (skipped)" */
	void *arg;
	int64_t prev;               /* market time of the last event, INT64_MIN none */
	long bad;                   /* lines skipped */
};

void algo_pacer_init(struct algo_pacer *p);
/* How long to wait before the event at market time ts (ms); ts becomes the last. */
int64_t algo_pacer_delay(struct algo_pacer *p, int64_t ts);
/* Replays the lines of r into w. Returns 0, or an exit code (algo(7)) with err set:
 * ALGO_EX_DATAERR "file:line: why" for a bad line, ALGO_EX_IOERR for a read error. */
int algo_pacer_replay(struct algo_pacer *p, struct algo_reader *r, struct algo_writer *w, char *err, size_t errlen);

#endif
