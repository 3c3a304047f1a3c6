/* fyers_live — what live trading through FYERS needs before the first order: the
 * user's plan allows it (BASIC or PRO in the accounts table of algo-ledger users), the
 * user accepted the risk disclosure (an audit row of kind "risk-accept", written by
 * algo-exec-fyers accept-risk), and no kill switch covers the user (risk_state: the
 * scope "all" or the user, reducing or halted). The fourth precondition, a valid
 * session, is the FYERS client's (lib/fyers.h). A running stage asks again before
 * every order (algo_fyers_kill_state, the strategy's scope too). Nothing here prints
 * or exits. */
#ifndef ALGO_FYERS_LIVE_H
#define ALGO_FYERS_LIVE_H
#include <stddef.h>
#include <stdint.h>
#include "store.h"

/* The version of the disclosure text; a new text needs a new acceptance. */
#define ALGO_FYERS_RISK_VERSION "risk-disclosure-1"

/* The risk disclosure the user accepts (plain text, lines of at most 80 columns). */
extern const char algo_fyers_risk_text[];

/* Records that user accepted the disclosure at now_ms (an audit row, kind
 * "risk-accept", ref ALGO_FYERS_RISK_VERSION; once per version). Returns 0 recorded, 2
 * already recorded, 1 refused (no such account, or disabled: msg says so), -1 on a
 * database error (msg set). */
int algo_fyers_accept_risk(struct algo_store *s, const char *user, int64_t now_ms, char *msg,
	size_t msglen);

/* Checks the plan, the risk acceptance and the kill switch of user in s at now_ms.
 * Appends one sentence per missing precondition to out ("; " between them) and returns
 * how many are missing (0: live trading may start), or -1 with out set on a database
 * error. */
int algo_fyers_live_missing(struct algo_store *s, const char *user, int64_t now_ms, char *out,
	size_t outlen);

/* The kill switch covering an order of (user, strategy) now, from risk_state: scope
 * all, the user or the strategy, the most restrictive first. Returns
 * ALGO_FYERS_KILL_NONE, _REDUCING or _HALTED with why set ("strategy s1 is halted
 * (reason)"), or -1 with why set on a database error. */
enum { ALGO_FYERS_KILL_NONE = 0, ALGO_FYERS_KILL_REDUCING = 1, ALGO_FYERS_KILL_HALTED = 2 };
int algo_fyers_kill_state(struct algo_store *s, const char *user, const char *strategy, char *why,
	size_t whylen);

/* Opens the state database that state_opt (--state), else $ALGO_STATE, names into s:
 * it holds the account's plan, the risk acceptance and the kill switch. Returns 0 with
 * *opened 1; 0 with *opened 0 when neither names one and required_by is NULL; else an
 * exit code (algo(7)) with err set: 77 when required_by (what needs the database) has
 * none, 2 (a usage error) when no path can be worked out, 73 when it cannot be opened. */
int algo_fyers_state_open(struct algo_store *s, const char *state_opt, const char *required_by, int *opened,
	char *err, size_t errlen);

#endif
