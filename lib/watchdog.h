/* watchdog — notices a feed that stalls without an error: nothing changed for
 * stale_ms. The caller feeds it every change and asks it after every poll or frame;
 * it fires once per stale_ms of silence (so the remedy, a reconnect, is retried at
 * that pace, never in a loop). Time comes from the caller (monotonic ms). */
#ifndef ALGO_WATCHDOG_H
#define ALGO_WATCHDOG_H
#include <stdint.h>

struct algo_watchdog {
	int64_t stale_ms;
	int64_t since;              /* last change, or last time it fired */
	long fired;
};

void algo_watchdog_init(struct algo_watchdog *w, int64_t stale_ms, int64_t now);
/* Something changed (or the market just opened: the count starts again). */
void algo_watchdog_feed(struct algo_watchdog *w, int64_t now);
/* 1 when nothing changed for stale_ms since the last change or firing, else 0. */
int algo_watchdog_check(struct algo_watchdog *w, int64_t now);
/* How long since the last change or firing, ms. */
int64_t algo_watchdog_quiet(const struct algo_watchdog *w, int64_t now);

#endif
