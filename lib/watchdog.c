/* watchdog — a stalled feed. See watchdog.h for the contract. */
#include "watchdog.h"

void algo_watchdog_init(struct algo_watchdog *w, int64_t stale_ms, int64_t now)
{
	w->stale_ms = stale_ms;
	w->since = now;
	w->fired = 0;
}

void algo_watchdog_feed(struct algo_watchdog *w, int64_t now)
{
	w->since = now;
}

int algo_watchdog_check(struct algo_watchdog *w, int64_t now)
{
	if (w->stale_ms <= 0 || now - w->since < w->stale_ms)
		return 0;
	w->since = now;
	w->fired++;
	return 1;
}

int64_t algo_watchdog_quiet(const struct algo_watchdog *w, int64_t now)
{
	return now - w->since;
}
