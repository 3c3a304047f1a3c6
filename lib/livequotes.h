/* livequotes — `algo-feed fyers quotes`: polls FYERS quotes during market hours and
 * writes a tick event for each quote that changed, and (bars_tf) the bars built from
 * them (lib/barbuild), also into a --record file.
 *
 * Outside market hours (marketStatus, else the trading calendar) it waits for the next
 * session, asking again every `recheck`, or returns (outside_exit). A feed whose
 * quotes have not changed for `stale` during market hours is reconnected. Market time
 * is the wall clock, shifted when the quotes' own times are far from it (a replayed or
 * scripted feed), so bars close at their boundary in the feed's time. The run ends
 * when market time reaches `until`. Messages go to on_notice; nothing here prints. */
#ifndef ALGO_LIVEQUOTES_H
#define ALGO_LIVEQUOTES_H
#include "barbuild.h"
#include "barout.h"
#include "marketcal.h"
#include "quotefeed.h"
#include "watchdog.h"

struct algo_livequotes {
	/* settings (algo_livequotes_init sets the defaults) */
	int64_t every, stale, recheck;   /* ms: polling interval (1s), stale (30s, 0 off), recheck (60s) */
	int64_t until;                   /* market time to stop at, INT64_MAX none */
	int64_t bars_tf;                 /* seconds, 0 = no bars */
	int outside_exit;                /* outside market hours: return instead of waiting */
	void (*on_notice)(void *arg, const char *msg);
	void *arg;
	/* state */
	struct algo_fyers *f;
	struct algo_writer *w;
	struct algo_quotefeed qf;
	struct algo_barbuild bb;
	struct algo_watchdog wd;
	struct algo_marketcal cal;
	struct algo_barout out;
	int recfd;
	int64_t offset;                  /* market time - wall clock, INT64_MIN unknown */
	char tf[16];
	int code;                        /* the exit code of a failure (algo(7)) */
	char err[ALGO_ERR_MAX + 600];
};

void algo_livequotes_init(struct algo_livequotes *lq);
/* Loads the calendar (NULL: $ALGO_CALENDAR, else the installed nse.txt) and opens the
 * record file (NULL: none); events go to w. Returns 0, or -1 (lq->code, lq->err). */
int algo_livequotes_open(struct algo_livequotes *lq, const char *calendar, const char *record, struct algo_writer *w);
/* Sets up the n symbols (1 to 63 bytes) on the open client f. Returns 0, or -1
 * (lq->code, lq->err; ALGO_EX_USAGE for a symbol the command line got wrong). */
int algo_livequotes_start(struct algo_livequotes *lq, struct algo_fyers *f, char *const *symbols, int n);
/* Polls until `until`, or outside market hours with outside_exit. Returns 0, or -1
 * (lq->code, lq->err). */
int algo_livequotes_run(struct algo_livequotes *lq);
void algo_livequotes_free(struct algo_livequotes *lq);

#endif
