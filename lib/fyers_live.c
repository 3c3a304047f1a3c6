/* fyers_live — the preconditions of live trading. See fyers_live.h. */
#include "fyers_live.h"
#include "audit.h"
#include "cli.h"
#include "timeutil.h"
#include <stdio.h>
#include <string.h>

const char algo_fyers_risk_text[] =
	"RISK DISCLOSURE: live trading through FYERS with algo\n"
	"\n"
	"With --live, algo-exec-fyers places real orders on your FYERS account from the\n"
	"events of your pipeline, without asking you first. You can lose money, more than\n"
	"you meant to: a strategy can be wrong, data can be late or wrong, a program can\n"
	"have a bug, the broker or the exchange can reject, delay or fill orders at prices\n"
	"you did not expect, and the broker squares off INTRADAY positions by itself.\n"
	"SEBI's studies found that most individual traders in equity derivatives lose\n"
	"money. Past results, on paper or in a backtest, do not predict live results.\n"
	"\n"
	"You stay responsible for every order placed with your session, for your API app,\n"
	"its static IP and for following SEBI's and the exchanges' rules for algorithmic\n"
	"orders. Stop all trading at once with 'algo-risk kill --all' (the kill switch);\n"
	"check the account with 'algo-exec-fyers orders' and in the FYERS app.\n"
	"\n"
	"This software comes with no warranty.\n";

static int db_fail(struct algo_store *s, char *msg, size_t msglen)
{
	snprintf(msg, msglen, "%.300s: %.200s", s->path, sqlite3_errmsg(s->db));
	return -1;
}

/* Runs sql (?1 = user, ?2 = ref when not NULL) up to its first row: the statement,
 * to read the row from when *row is 1 and finalize; NULL with msg set on an error. */
static sqlite3_stmt *first_row(struct algo_store *s, const char *sql, const char *user,
	const char *ref, int *row, char *msg, size_t msglen)
{
	sqlite3_stmt *st = algo_store_prepare(s, sql, msg, msglen);
	int rc;
	if (!st)
		return NULL;
	sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
	if (ref)
		sqlite3_bind_text(st, 2, ref, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		db_fail(s, msg, msglen);
		sqlite3_finalize(st);
		return NULL;
	}
	*row = rc == SQLITE_ROW;
	return st;
}

static const char *col(sqlite3_stmt *st, int i)
{
	const char *v = (const char *)sqlite3_column_text(st, i);
	return v ? v : "";
}

/* 1 when user has an account that is not disabled; -1 on a database error. Sets *live
 * when its plan allows live trading, plan and expiry (may be "") too. */
static int account_of(struct algo_store *s, const char *user, int *live, char *plan, size_t planlen,
	char *expiry, size_t explen, char *msg, size_t msglen)
{
	int row;
	sqlite3_stmt *st = first_row(s, "SELECT a.plan, p.live, coalesce(a.expiry, '') FROM accounts a "
		"JOIN plans p ON p.plan = a.plan WHERE a.user = ?1 AND a.disabled = 0", user, NULL, &row, msg, msglen);
	if (!st)
		return -1;
	if (row) {
		snprintf(plan, planlen, "%s", col(st, 0));
		*live = sqlite3_column_int(st, 1);
		snprintf(expiry, explen, "%s", col(st, 2));
	}
	sqlite3_finalize(st);
	return row;
}

int algo_fyers_accept_risk(struct algo_store *s, const char *user, int64_t now_ms, char *msg,
	size_t msglen)
{
	struct algo_audit a;
	struct algo_audit_row row;
	char plan[16], expiry[16];
	int live, rc;

	if ((rc = account_of(s, user, &live, plan, sizeof plan, expiry, sizeof expiry, msg, msglen)) <= 0) {
		if (rc == 0)
			snprintf(msg, msglen, "no account '%s' (or it is disabled): add it with 'algo-ledger users "
				"add %s --email ... --name ... --plan BASIC'", user, user);
		return rc < 0 ? -1 : 1;
	}
	if (algo_store_begin(s, msg, msglen))
		return -1;
	if (algo_audit_init(&a, s, msg, msglen) || algo_audit_load_head(&a, msg, msglen))
		goto fail;
	memset(&row, 0, sizeof row);
	row.user = user;
	row.ts_ms = now_ms;
	row.kind = "risk-accept";
	row.ref = ALGO_FYERS_RISK_VERSION;
	row.reason = "accepted the risk disclosure of live trading (algo-exec-fyers accept-risk)";
	if ((rc = algo_audit_append(&a, &row, msg, msglen)) < 0 || algo_audit_save_head(&a, msg, msglen))
		goto fail;
	algo_audit_free(&a);
	if (algo_store_commit(s, msg, msglen))
		return -1;
	return rc == 1 ? 0 : 2;
fail:
	algo_audit_free(&a);
	algo_store_rollback(s);
	return -1;
}

static int accepted(struct algo_store *s, const char *user, char *msg, size_t msglen)
{
	int row;
	sqlite3_stmt *st = first_row(s, "SELECT 1 FROM audit WHERE user = ?1 AND kind = 'risk-accept' AND "
		"ref = ?2", user, ALGO_FYERS_RISK_VERSION, &row, msg, msglen);
	if (!st)
		return -1;
	sqlite3_finalize(st);
	return row;
}

/* The most restrictive kill covering user (and strategy, when not NULL): "everything
 * is halted (reason)", "strategy s1 is reducing". Returns the state (ALGO_FYERS_KILL_*),
 * ALGO_FYERS_KILL_NONE when none, -1 with msg set on a database error. */
static int killed(struct algo_store *s, const char *user, const char *strategy, char *why, size_t whylen,
	char *msg, size_t msglen)
{
	int row, state = ALGO_FYERS_KILL_NONE;
	sqlite3_stmt *st = first_row(s, "SELECT scope, state, coalesce(reason, ''), key FROM risk_state WHERE "
		"state <> 'active' AND (scope = 'all' OR (scope = 'user' AND key = ?1) OR (scope = 'strategy' AND "
		"key = ?2)) ORDER BY state = 'halted' DESC, scope = 'strategy', scope = 'user'",
		user, strategy ? strategy : "", &row, msg, msglen);
	if (!st)
		return -1;
	if (row) {
		const char *scope = col(st, 0), *reason = col(st, 2);
		int all = strcmp(scope, "all") == 0;
		snprintf(why, whylen, "%s%s%s is %s%s%s%s", all ? "everything" : scope, all ? "" : " ",
			all ? "" : col(st, 3), col(st, 1), *reason ? " (" : "", reason, *reason ? ")" : "");
		state = strcmp(col(st, 1), "halted") == 0 ? ALGO_FYERS_KILL_HALTED : ALGO_FYERS_KILL_REDUCING;
	}
	sqlite3_finalize(st);
	return state;
}

int algo_fyers_kill_state(struct algo_store *s, const char *user, const char *strategy, char *why,
	size_t whylen)
{
	char msg[512];
	int rc = killed(s, user, strategy, why, whylen, msg, sizeof msg);
	if (rc < 0)
		snprintf(why, whylen, "%s", msg);
	return rc;
}

static void add(char *out, size_t outlen, int *n, const char *sentence)
{
	size_t k = strlen(out);
	snprintf(out + k, outlen - k, "%s%s", *n ? "; " : "", sentence);
	(*n)++;
}

int algo_fyers_live_missing(struct algo_store *s, const char *user, int64_t now_ms, char *out,
	size_t outlen)
{
	char plan[16], expiry[16], today[11], line[512], msg[512];
	int live = 0, n = 0, rc;

	out[0] = '\0';
	if ((rc = account_of(s, user, &live, plan, sizeof plan, expiry, sizeof expiry, msg, sizeof msg)) < 0)
		goto dberr;
	algo_time_ist_date(now_ms, today);
	if (rc == 0) {
		snprintf(line, sizeof line, "plan: no account '%s' (add it with 'algo-ledger users add %s "
			"--email ... --name ... --plan BASIC')", user, user);
		add(out, outlen, &n, line);
	} else if (!live) {
		snprintf(line, sizeof line, "plan: %s's plan %s does not allow live trading (BASIC or PRO "
			"does: 'algo-ledger users set-plan %s BASIC')", user, plan, user);
		add(out, outlen, &n, line);
	} else if (*expiry && strcmp(expiry, today) < 0) {
		snprintf(line, sizeof line, "plan: %s's plan %s expired on %s", user, plan, expiry);
		add(out, outlen, &n, line);
	}
	if ((rc = accepted(s, user, msg, sizeof msg)) < 0)
		goto dberr;
	if (rc == 0) {
		snprintf(line, sizeof line, "risk acceptance: %s has not accepted the risk disclosure "
			"(run 'algo-exec-fyers accept-risk --user %s')", user, user);
		add(out, outlen, &n, line);
	}
	if ((rc = killed(s, user, NULL, msg, sizeof msg, line, sizeof line)) < 0) {
		snprintf(msg, sizeof msg, "%s", line);
		goto dberr;
	}
	if (rc != ALGO_FYERS_KILL_NONE) {
		snprintf(line, sizeof line, "kill switch: %.400s ('algo-risk resume' lifts it)", msg);
		add(out, outlen, &n, line);
	}
	return n;
dberr:
	snprintf(out, outlen, "%s", msg);
	return -1;
}

int algo_fyers_state_open(struct algo_store *s, const char *state_opt, const char *required_by, int *opened,
	char *err, size_t errlen)
{
	char path[4096];
	*opened = 0;
	if (!algo_cli_state_wanted(state_opt)) {
		if (!required_by)
			return 0;
		snprintf(err, errlen, "%s needs the state database (--state or $ALGO_STATE): it holds the "
			"account's plan, the risk acceptance and the kill switch", required_by);
		return ALGO_EX_NOPERM;
	}
	if (algo_cli_state_path(state_opt, path, sizeof path)) {
		snprintf(err, errlen, "cannot work out the state path: set --state or $ALGO_STATE");
		return ALGO_EX_USAGE;
	}
	if (algo_store_open(s, path, err, errlen) < 0)
		return ALGO_EX_CANTCREAT;
	*opened = 1;
	return 0;
}
