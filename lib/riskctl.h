/* riskctl — what `algo-risk kill`, `resume` and `status` do to the state database:
 * set a scope's trading state (lib/killswitch) with the line to tell the user, and
 * the status of every kill and every (user, strategy) the records know, as JSON or
 * as text. Nothing here prints: text comes back in buffers. */
#ifndef ALGO_RISKCTL_H
#define ALGO_RISKCTL_H
#include "risk.h"
#include "store.h"
#include <jansson.h>

#define ALGO_RISKCTL_MSG_MAX 4608  /* a path of 4096 and the words around it */

/* Sets scope key ("" for all) to state, recorded with reason, who and an audit row;
 * resume of everything clears every halt there is. said gets what to tell
 * ("strategy demo halted"), warning a warning ("" none: a kill of a scope the
 * database has never heard of). Returns 0, or an exit code (algo(7)) with err set. */
int algo_riskctl_set(struct algo_store *db, int scope, const char *key, int state, const char *reason,
	const char *who, int64_t now_ms, char said[ALGO_RISKCTL_MSG_MAX], char warning[ALGO_RISKCTL_MSG_MAX],
	char *err, size_t errlen);
/* {"kill_switch":[...],"strategies":[...]} of the database with the risk config cfg
 * (taken over). Returns 0 with *out set, or an exit code with err set. */
int algo_riskctl_status(struct algo_store *db, struct algo_risk_config *cfg, json_t **out, char *err, size_t errlen);
/* status as text (malloc'd), or NULL when out of memory; path names the database
 * when there is nothing in it. */
char *algo_riskctl_status_text(json_t *status, const char *path);

/* A kill or resume as the command line gives it: at most one of strategy and user
 * (neither: everything), mode "halted" (the default) or "reducing" for a kill. */
struct algo_riskctl_req {
	int resume;
	const char *strategy, *user, *mode, *reason, *who;
};
/* What is wrong with req as a command line ("give one of ..."), or NULL. */
const char *algo_riskctl_req_problem(const struct algo_riskctl_req *req);
/* algo_riskctl_set for req at now_ms; who defaults to $USER, else "unknown". */
int algo_riskctl_apply(struct algo_store *db, const struct algo_riskctl_req *req, int64_t now_ms,
	char said[ALGO_RISKCTL_MSG_MAX], char warning[ALGO_RISKCTL_MSG_MAX], char *err, size_t errlen);
/* status as JSON (json set) or text, malloc'd into *text. Returns 0, or an exit code
 * with err set. */
int algo_riskctl_status_render(struct algo_store *db, struct algo_risk_config *cfg, int json, char **text,
	char *err, size_t errlen);
/* Initialises cfg and loads the risk file path (NULL: none) into it. Returns 0, or
 * 66 (cannot open) or 78 (bad file) with err set. */
int algo_riskctl_load_config(struct algo_risk_config *cfg, const char *path, char *err, size_t errlen);

#endif
