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

#endif
