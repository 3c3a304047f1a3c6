/* markethours — whether the market is open for a live feed's symbols, and waiting
 * until it is. The truth is FYERS's marketStatus for the symbols' exchange segments
 * (one of them OPEN is open); when that cannot be had the trading calendar decides
 * (lib/marketcal, a table the user can update), which also says when the next session
 * opens. Outside market hours the feed is told so and either waits for the next
 * session, asking again every `recheck`, or stops (outside_exit); during a session the
 * feed asks again every `recheck` (algo_markethours_due).
 *
 * Messages go to the owner's note (which writes out what the feed has so far first);
 * before_wait, when set, is called once the market is found closed, before the wait or
 * the stop (a socket feed drops its connection). Nothing here prints or exits. */
#ifndef ALGO_MARKETHOURS_H
#define ALGO_MARKETHOURS_H
#include "event.h"
#include "fyers.h"
#include "marketcal.h"

#define ALGO_MARKETHOURS_SEG_MAX 8

struct algo_markethours {
	/* settings (algo_markethours_init sets the defaults) */
	int64_t recheck;                  /* ms (60 s) */
	int outside_exit;                 /* closed: stop instead of waiting */
	int (*note)(void *arg, const char *msg);   /* 0, or -1 (the owner's failure) */
	void (*before_wait)(void *arg);
	void *arg;
	/* state */
	struct algo_fyers *f;
	struct algo_marketcal cal;
	int nseg;
	int seg[ALGO_MARKETHOURS_SEG_MAX][2];  /* FYERS exchange and segment codes */
	int64_t checked;                  /* monotonic ms of the last ask, 0 never */
	int code;                         /* a failure of its own (algo(7)), else 0 */
	char err[ALGO_ERR_MAX + 600];
};

void algo_markethours_init(struct algo_markethours *mh);
/* Loads the calendar (NULL: $ALGO_CALENDAR, else the installed nse.txt, else none) and
 * notes the n symbols' segments for client f. Returns 0, or -1 (mh->code, mh->err). */
int algo_markethours_open(struct algo_markethours *mh, const char *calendar, struct algo_fyers *f,
	char *const *symbols, int n);
void algo_markethours_free(struct algo_markethours *mh);

/* marketStatus for the symbols' segments: 1 when one is OPEN, 0 when none is (status
 * gets e.g. "exchange 10 segment 10 CLOSED"), or a negative enum algo_fyers_class with
 * err set. */
int algo_markethours_status(struct algo_markethours *mh, char *status, size_t len, char *err, size_t errlen);

/* Is it time to ask again (never asked, or `recheck` since the last ask)? */
int algo_markethours_due(const struct algo_markethours *mh, int64_t mono);

/* Asks, and while the market is closed says so and waits (or stops). Returns 1 when it
 * is open, 0 when it is closed and outside_exit, or -1: mh->code set (no session), or
 * 0 when the owner's note failed. */
int algo_markethours_wait(struct algo_markethours *mh);

#endif
