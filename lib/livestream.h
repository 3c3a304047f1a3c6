/* livestream — `algo-feed fyers stream`: live quotes over FYERS's binary market-data
 * socket (FYERS_DATA_WS_URL, protocol in lib/fyers_hsm.h), written as tick events
 * and, with bars_tf, the bars lib/barbuild makes of them, also into a --record file
 * (lib/liveout.h, the same output as `fyers quotes`).
 *
 * The symbols are resolved to socket topics through POST /data/symbol-token (a symbol
 * FYERS does not list is an error, ALGO_EX_DATAERR). A connection authenticates with
 * the session's hsm_key (a refusal is ALGO_EX_NOPERM: log in again), sets full or
 * lite mode, subscribes, then pings every 10 s and acknowledges feeds as the server
 * asks. A socket that closes or fails is reconnected (lib/ws), at once when it had
 * carried data, else after a growing wait (1 s doubling to 30 s, with jitter), and
 * subscribed again; a socket that stays open but sends nothing for `stale` is warned
 * about and reconnected the same way (lib/watchdog). Market time is the wall
 * clock, shifted when the feed's own times are far from it (a scripted or replayed
 * feed); the run ends when market time reaches `until`. A tick is stamped with the
 * exchange's feed time, else the last trade time, else the time it came.
 *
 * Messages go to on_notice; nothing here prints or exits. */
#ifndef ALGO_LIVESTREAM_H
#define ALGO_LIVESTREAM_H
#include "fyers.h"
#include "fyers_hsm.h"
#include "liveout.h"
#include "watchdog.h"
#include "ws.h"

struct algo_livestream {
	/* settings (algo_livestream_init sets the defaults) */
	int64_t stale;                   /* ms without a message before a reconnect (30 s; 0 off) */
	int64_t until;                   /* market time to stop at, INT64_MAX none */
	int64_t bars_tf;                 /* seconds, 0 = no bars */
	int lite;                        /* lite mode: ltp only */
	int64_t ping_ms;                 /* 10 s */
	const char *record;              /* the --record file, NULL none (set by open) */
	void (*on_notice)(void *arg, const char *msg);
	void *arg;
	/* state */
	struct algo_fyers *f;
	struct algo_hsm hsm;
	struct algo_liveout out;
	struct algo_watchdog wd;
	struct algo_ws *ws;
	struct algo_ws_backoff backoff;
	int open;                        /* the socket is open */
	int dropping;                    /* we dropped it: its close is no news */
	int flowing;                     /* data came since the last (re)connect */
	int64_t retry_at;                /* monotonic ms of the next attempt, 0 none due */
	long connects;                   /* connections opened */
	int code;                        /* the exit code of a failure (algo(7)) */
	char err[ALGO_ERR_MAX + 600];
};

void algo_livestream_init(struct algo_livestream *ls);
/* Opens the record file (NULL: none); events go to w. Returns 0, or -1 (ls->code,
 * ls->err). */
int algo_livestream_open(struct algo_livestream *ls, const char *record, struct algo_writer *w);
/* Resolves the n symbols (1 to 63 bytes) on the open client f. Returns 0, or -1
 * (ls->code, ls->err). */
int algo_livestream_start(struct algo_livestream *ls, struct algo_fyers *f, char *const *symbols, int n);
/* Streams until `until`. Returns 0, or -1 (ls->code, ls->err). */
int algo_livestream_run(struct algo_livestream *ls);
void algo_livestream_free(struct algo_livestream *ls);

#endif
