/* riskstage — one run of the algo-risk stage: the gatekeeper (lib/gatekeeper.h) on the
 * stage loop (lib/stage.h), with a state database when one is given (its state and
 * replay record restored before the first line, saved as the stage goes). Nothing here
 * prints: warnings go to the warn hook, the barrier's counts come back in stats. */
#ifndef ALGO_RISKSTAGE_H
#define ALGO_RISKSTAGE_H
#include "risk.h"
#include "store.h"
#include <stddef.h>

struct algo_riskstage_opts {
	const char *user, *mode, *product;
	int skip_bad, barrier;
	long timeout_ms;
	void (*warn)(const char *msg);
};

/* What the fill barrier did: waits, seconds flushing and waiting, PnL checks. */
struct algo_riskstage_stats {
	long long waits, checks;
	double flush_s, wait_s;
};

/* Runs the stage over stdin with cfg and store (NULL: no state database). Returns the
 * stage's exit code with err "", or, when it could not start, an exit code (algo(7))
 * with err set. */
int algo_riskstage_run(const struct algo_riskstage_opts *o, struct algo_risk_config *cfg,
	struct algo_store *store, struct algo_riskstage_stats *stats, char *err, size_t errlen);

#endif
