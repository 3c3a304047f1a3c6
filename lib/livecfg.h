/* livecfg — the settings of a live feed (`algo-feed fyers quotes` and `fyers stream`,
 * lib/livequotes.h and lib/livestream.h), filled from the command line. Fields one
 * feed does not use are ignored by it. */
#ifndef ALGO_LIVECFG_H
#define ALGO_LIVECFG_H
#include <stdint.h>

struct algo_livecfg {
	int64_t every;              /* quotes: the polling interval, ms (1 s) */
	int64_t stale;              /* ms without a change (quotes) or a message (stream) before a reconnect (30 s; 0 off) */
	int64_t recheck;            /* ms between market-hours asks (60 s) */
	int64_t until;              /* market time to stop at, INT64_MAX none */
	int64_t bars_tf;            /* seconds, 0 = no bars */
	int64_t ping_ms;            /* stream: the socket's ping interval (10 s) */
	int outside_exit;           /* outside market hours: stop instead of waiting */
	int lite;                   /* stream: lite mode, ltp only */
	const char *record;         /* a file that gets every event too, NULL none */
	const char *calendar;       /* the trading calendar, NULL: $ALGO_CALENDAR or the installed one */
	void (*on_notice)(void *arg, const char *msg);
	void *arg;
};

static inline void algo_livecfg_init(struct algo_livecfg *c)
{
	*c = (struct algo_livecfg){ .every = 1000, .stale = 30000, .recheck = 60000, .until = INT64_MAX,
		.ping_ms = 10000 };
}

#endif
