/* livequotes — `algo-feed fyers quotes`: polls FYERS quotes (lib/quotefeed) during
 * market hours and writes a tick event for each quote that changed, and (bars_tf) the
 * bars built from them, also into a --record file (lib/liveout, the same output as
 * `fyers stream`).
 *
 * Market hours are lib/markethours': outside them it says so and waits for the next
 * session or returns (outside_exit), asking again every `recheck`. A feed whose quotes
 * have not changed for `stale` during market hours is warned about and reconnected
 * (lib/watchdog). Market time is the wall clock, shifted when the quotes' times (the
 * broker's clock) are far from it (a replayed or scripted feed), so bars close at
 * their boundary in the feed's time. The run ends when market time reaches `until`.
 * Messages go to cfg's on_notice; nothing here prints or exits. */
#ifndef ALGO_LIVEQUOTES_H
#define ALGO_LIVEQUOTES_H
#include "event.h"
#include "fyers.h"
#include "livecfg.h"

/* Polls the n symbols (1 to 63 bytes) on the open client f, writing to w, until cfg's
 * `until` (or outside market hours with outside_exit). Returns 0, or the exit code
 * (algo(7)) with err set; ALGO_EX_USAGE for what the command line got wrong. */
int algo_livequotes_feed(const struct algo_livecfg *cfg, struct algo_fyers *f, char *const *symbols, int n,
	struct algo_writer *w, char *err, size_t errlen);

#endif
