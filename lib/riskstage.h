/* riskstage — one run of the algo-risk stage: the gatekeeper (lib/gatekeeper.h) on the
 * stage loop (lib/stage.h), with the state database when one is asked for (--state or
 * $ALGO_STATE: its state and replay record restored before the first line, saved as
 * the stage goes), the fill barrier on when asked for or when the risk file sets a
 * daily PnL limit. Nothing here prints or exits: warnings go to the warn hook, and so
 * do the barrier's counts when $ALGO_RISK_STATS is set. */
#ifndef ALGO_RISKSTAGE_H
#define ALGO_RISKSTAGE_H
#include "risk.h"
#include <stddef.h>

struct algo_riskstage_opts {
	const char *user, *mode, *product;
	const char *state;           /* --state; NULL: $ALGO_STATE, else no database */
	int skip_bad, barrier;
	long timeout_ms;             /* the barrier's wait for an answer */
	void (*warn)(const char *msg);
};

/* Runs the stage over stdin with cfg (taken over). Returns the stage's exit code with
 * err "", or, when it could not start, an exit code (algo(7)) with err set. */
int algo_riskstage_run(const struct algo_riskstage_opts *o, struct algo_risk_config *cfg, char *err,
	size_t errlen);

#endif
