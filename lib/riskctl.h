/* riskctl — what `algo-risk kill`, `resume` and `status` do to the state database:
 * set a scope's trading state (lib/killswitch) with the line to tell the user, and
 * the status of every kill and every (user, strategy) the records know, as JSON or
 * as text; which options go with which of them. Nothing here prints or exits: text
 * comes back in buffers, or goes to the stream and the note callback passed in. */
#ifndef ALGO_RISKCTL_H
#define ALGO_RISKCTL_H
#include "risk.h"
#include "store.h"
#include <stdio.h>

#define ALGO_RISKCTL_MSG_MAX 4608  /* a path of 4096 and the words around it */

/* A kill or resume as the command line gives it: at most one of strategy and user
 * (neither: everything), mode "halted" (the default) or "reducing" for a kill. */
struct algo_riskctl_req {
	int resume;
	const char *strategy, *user, *mode, *reason, *who;
};
/* Initialises cfg and loads the risk file path (NULL: none) into it. Returns 0, or
 * 66 (cannot open) or 78 (bad file) with err set. */
int algo_riskctl_load_config(struct algo_risk_config *cfg, const char *path, char *err, size_t errlen);

/* algo-risk's command line as it names a sub-command (name NULL: the stage). */
struct algo_riskctl_cmd {
	const char *name;            /* "kill", "resume", "status" or NULL */
	const char *state;           /* --state; NULL: $ALGO_STATE, else the default path */
	struct algo_riskctl_req req; /* --strategy, --user, --mode, --reason, --who */
	int all, json;               /* --all; --format json */
	int format_given;            /* --format at all */
};
/* name when it is a sub-command ("kill", "resume" or "status"), else NULL. */
const char *algo_riskctl_known(const char *name);
/* Whether c is kill or resume (a change of state; status and the stage read it). */
int algo_riskctl_changes_state(const struct algo_riskctl_cmd *c);
/* What is wrong with c's options for its sub-command or the stage ("--all cannot be
 * combined with ..."), or NULL; sets req.resume for resume. */
const char *algo_riskctl_cmd_problem(struct algo_riskctl_cmd *c);
/* Runs kill, resume (cfg NULL) or status (cfg, taken over) on the state database:
 * status to out, what kill and resume did (and any warning) to note. Returns 0, or
 * an exit code (algo(7)) with err set ("" when writing out failed). */
int algo_riskctl_run(const struct algo_riskctl_cmd *c, struct algo_risk_config *cfg, FILE *out,
	void (*note)(void *arg, const char *msg), void *note_arg, char *err, size_t errlen);

#endif
