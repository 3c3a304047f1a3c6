/* paperexec — one run of algo-exec-paper: the paper fill rules (lib/fillsim.h) on the
 * executor seam (lib/executor.h), run by the stage loop (lib/stage.h). It holds the
 * fill rules' defaults, which options go together, the cost model the options name
 * (a charges table by path or name, brokerage in bps, or none), the seam's settings
 * that follow from the fill rules, the state database (--state or $ALGO_STATE: the
 * executor's saved state and the replay record), and what a run leaves to say.
 * Nothing here prints or exits: messages go to the note callback, the loop's to warn. */
#ifndef ALGO_PAPEREXEC_H
#define ALGO_PAPEREXEC_H
#include "fillsim.h"
#include <stddef.h>

struct algo_paperexec_opts {
	struct algo_fillsim_cfg cfg;   /* the fill rules */
	const char *charges;           /* --charges: a path, a name or "none"; NULL: $ALGO_CHARGES */
	const char *state, *user;      /* --state (NULL: $ALGO_STATE, else none); --user */
	int have_bps, skip_bad;        /* --commission-bps given; --skip-bad */
	void (*note)(void *arg, const char *msg);
	void *note_arg;
	void (*warn)(const char *msg);
};

/* o with no options given: user "default", next-open fills, tick 0.05, square-off
 * 15:20 IST (as NSE brokers' risk systems do), no capital check, 15 % F&O margin, no
 * costs; no callbacks. */
void algo_paperexec_init(struct algo_paperexec_opts *o);
/* What is wrong with o's options together ("--charges and --commission-bps are
 * mutually exclusive"), or NULL. */
const char *algo_paperexec_problem(const struct algo_paperexec_opts *o);
/* Runs the stage over stdin; at the end, orders still working, ambiguous bars and the
 * charges table used go to note. Returns its exit code with err "", or, when it could
 * not start, an exit code (algo(7)) with err set. */
int algo_paperexec_run(const struct algo_paperexec_opts *o, char *err, size_t errlen);

#endif
