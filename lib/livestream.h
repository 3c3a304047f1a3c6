/* livestream — `algo-feed fyers stream`: live quotes over FYERS's binary market-data
 * socket (FYERS_DATA_WS_URL, protocol in lib/fyers_hsm.h), written as tick events
 * and, with bars_tf, the bars lib/barbuild makes of them, also into a --record file
 * (lib/liveout.h, the same output as `fyers quotes`). Settings are cfg's (lib/livecfg.h):
 * stale, until, bars_tf, lite, ping_ms, record, outside_exit, recheck, calendar.
 *
 * The symbols are resolved to socket topics through POST /data/symbol-token (a symbol
 * FYERS does not list is an error, ALGO_EX_DATAERR). A connection authenticates with
 * the session's hsm_key (a refusal is ALGO_EX_NOPERM: log in again), sets full or
 * lite mode, subscribes, then pings every ping_ms (10 s) and acknowledges feeds as the server
 * asks. A socket that closes or fails is reconnected (lib/ws), at once when it had
 * carried data, else after a growing wait (1 s doubling to 30 s, with jitter), and
 * subscribed again; a socket that stays open but sends nothing for `stale` is warned
 * about and reconnected the same way (lib/watchdog). Market time is the wall
 * clock, shifted when the feed's own times are far from it (a scripted or replayed
 * feed); the run ends when market time reaches `until`. A tick is stamped with the
 * exchange's feed time, else the last trade time, else the time it came.
 *
 * Market hours are lib/markethours', as for `fyers quotes`: outside them it says so,
 * holds no connection, and waits for the next session or returns (outside_exit),
 * asking again every `recheck`.
 *
 * Messages go to cfg's on_notice; nothing here prints or exits. */
#ifndef ALGO_LIVESTREAM_H
#define ALGO_LIVESTREAM_H
#include "event.h"
#include "fyers.h"
#include "livecfg.h"

/* Streams the n symbols (1 to 63 bytes) on the open client f, writing to w, until
 * cfg's `until` (or outside market hours with outside_exit). Returns 0, or the exit
 * code (algo(7)) with err set; ALGO_EX_USAGE for what the command line got wrong. */
int algo_livestream_feed(const struct algo_livecfg *cfg, struct algo_fyers *f, char *const *symbols, int n,
	struct algo_writer *w, char *err, size_t errlen);

#endif
