/* riskctl — kill, resume and status; see riskctl.h. */
#include "riskctl.h"
#include "cli.h"
#include "event.h"
#include "killswitch.h"
#include "riskdb.h"
#include "timeutil.h"
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Sets scope key ("" for all) to state, recorded with reason, who and an audit row;
 * resume of everything clears every halt there is. said gets what to tell
 * ("strategy demo halted"), warning a warning ("" none: a kill of a scope the
 * database has never heard of). Returns 0, or an exit code (algo(7)) with err set. */
static int algo_riskctl_set(struct algo_store *db, int scope, const char *key, int state, const char *reason,
	const char *who, int64_t now_ms, char said[ALGO_RISKCTL_MSG_MAX], char warning[ALGO_RISKCTL_MSG_MAX],
	char *err, size_t errlen)
{
	char e[ALGO_ERR_MAX];
	int known, n;
	warning[0] = 0;
	if (state == ALGO_RISK_ACTIVE && scope == ALGO_RISK_SCOPE_ALL) {
		if (algo_risk_resume_all(db, reason, who, now_ms, &n, e, sizeof e)) {
			snprintf(err, errlen, "cannot record the resume: %s", e);
			return ALGO_EX_IOERR;
		}
		snprintf(said, ALGO_RISKCTL_MSG_MAX, "all active (%d kill%s cleared)", n, n == 1 ? "" : "s");
		return 0;
	}
	if ((known = algo_risk_scope_known(db, scope, key, err, errlen)) < 0)
		return ALGO_EX_IOERR;
	if (!known && state != ALGO_RISK_ACTIVE)
		snprintf(warning, ALGO_RISKCTL_MSG_MAX, "warning: no %s '%s' in %s yet (no decisions, state or ledger rows): "
			"check the name; the kill is recorded and applies once it trades",
			algo_risk_scope_name(scope), key, db->path);
	if (algo_risk_set_state(db, scope, key, state, reason, who, now_ms, e, sizeof e)) {
		snprintf(err, errlen, "cannot record the %s: %s", state == ALGO_RISK_ACTIVE ? "resume" : "kill", e);
		return ALGO_EX_IOERR;
	}
	snprintf(said, ALGO_RISKCTL_MSG_MAX, "%s%s%s %s", algo_risk_scope_name(scope),
		scope != ALGO_RISK_SCOPE_ALL ? " " : "", key, algo_risk_state_name(state));
	return 0;
}

/* {"kill_switch":[...],"strategies":[...]} of the database with the risk config cfg
 * (taken over). Returns 0 with *out set, or an exit code with err set. */
static int algo_riskctl_status(struct algo_store *db, struct algo_risk_config *cfg, json_t **out, char *err, size_t errlen)
{
	struct algo_risk r;
	json_t *kills = json_array(), *strats = json_array();
	int code = 0;
	algo_risk_init(&r, cfg);
	*out = NULL;
	if (algo_risk_attach(&r, db, err, errlen) || algo_risk_rebuild(&r, err, errlen) ||
	    (kills && algo_risk_list_states(db, kills, err, errlen)))
		code = ALGO_EX_IOERR;
	else if (!kills || !strats || algo_risk_status(&r, strats) ||
	    !(*out = json_pack("{s:O,s:O}", "kill_switch", kills, "strategies", strats))) {
		snprintf(err, errlen, "out of memory");
		code = ALGO_EX_FAIL;
	}
	json_decref(kills);
	json_decref(strats);
	algo_risk_free(&r);
	return code;
}

static void text_kill(FILE *f, json_t *k)
{
	const char *scope = json_string_value(json_object_get(k, "scope"));
	json_t *user = json_object_get(k, "user"), *strategy = json_object_get(k, "strategy");
	const char *reason = json_string_value(json_object_get(k, "reason"));
	fprintf(f, "%s%s%s: %s%s%s (by %s, %s)\n", strcmp(scope, "all") == 0 ? "all trading" : scope,
		user || strategy ? " " : "", user ? json_string_value(user) : strategy ?
		json_string_value(strategy) : "", json_string_value(json_object_get(k, "state")),
		reason && reason[0] ? " — " : "", reason ? reason : "",
		json_string_value(json_object_get(k, "who")), json_string_value(json_object_get(k, "ts")));
}

static void text_strategy(FILE *f, json_t *o)
{
	const char *sym;
	json_t *q, *left = json_object_get(o, "trades_left"), *plan = json_object_get(o, "plan");
	fprintf(f, "%s/%s: %s%s%s\n", json_string_value(json_object_get(o, "user")),
		json_string_value(json_object_get(o, "strategy")),
		json_string_value(json_object_get(o, "state")),
		json_string_length(json_object_get(o, "reason")) ? " — " : "",
		json_string_value(json_object_get(o, "reason")));
	fprintf(f, "  trades on %s: %lld, left: ", json_string_value(json_object_get(o, "day")),
		(long long)json_integer_value(json_object_get(o, "trades_today")));
	if (json_is_null(left))
		fprintf(f, "unlimited");
	else
		fprintf(f, "%lld", (long long)json_integer_value(left));
	if (json_is_string(plan))
		fprintf(f, " (plan %s)", json_string_value(plan));
	fprintf(f, "\n");
	fprintf(f, "  day PnL (realised, net of charges): %.2f", json_real_value(json_object_get(o, "day_pnl")));
	if (json_is_real(json_object_get(o, "max_daily_loss")))
		fprintf(f, "; loss limit %.2f, left %.2f",
			json_real_value(json_object_get(o, "max_daily_loss")),
			json_real_value(json_object_get(o, "loss_left")));
	fprintf(f, "\n");
	json_object_foreach(json_object_get(o, "positions"), sym, q)
		fprintf(f, "  position %s %lld\n", sym, (long long)json_integer_value(q));
}

/* status as text (malloc'd), or NULL when out of memory; path names the database
 * when there is nothing in it. */
static char *algo_riskctl_status_text(json_t *status, const char *path)
{
	json_t *kills = json_object_get(status, "kill_switch"), *strats = json_object_get(status, "strategies"), *o;
	char *text = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&text, &len);
	if (!f)
		return NULL;
	if (!json_array_size(kills) && !json_array_size(strats))
		fprintf(f, "no kills and no strategies in %s\n", path);
	json_array_foreach(kills, i, o)
		text_kill(f, o);
	json_array_foreach(strats, i, o)
		text_strategy(f, o);
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

/* What is wrong with req as a command line ("give one of ..."), or NULL. */
static const char *algo_riskctl_req_problem(const struct algo_riskctl_req *req)
{
	if (req->strategy && req->user)
		return "give one of --strategy, --user or --all";
	if (req->mode && req->resume)
		return "--mode: not used by resume";
	if (req->mode && strcmp(req->mode, "halted") && strcmp(req->mode, "reducing"))
		return "--mode: must be halted or reducing";
	return NULL;
}

/* algo_riskctl_set for req at now_ms; who defaults to $USER, else "unknown". */
static int algo_riskctl_apply(struct algo_store *db, const struct algo_riskctl_req *req, int64_t now_ms,
	char said[ALGO_RISKCTL_MSG_MAX], char warning[ALGO_RISKCTL_MSG_MAX], char *err, size_t errlen)
{
	int scope = req->strategy ? ALGO_RISK_SCOPE_STRATEGY : req->user ? ALGO_RISK_SCOPE_USER : ALGO_RISK_SCOPE_ALL;
	int state = req->resume ? ALGO_RISK_ACTIVE : req->mode && strcmp(req->mode, "reducing") == 0 ?
		ALGO_RISK_REDUCING : ALGO_RISK_HALTED;
	const char *who = req->who ? req->who : getenv("USER");
	if (!who || !who[0])
		who = "unknown";
	return algo_riskctl_set(db, scope, req->strategy ? req->strategy : req->user ? req->user : "", state,
		req->reason, who, now_ms, said, warning, err, errlen);
}

/* status as JSON (json set) or text, malloc'd into *text. Returns 0, or an exit code
 * with err set. */
static int algo_riskctl_status_render(struct algo_store *db, struct algo_risk_config *cfg, int json, char **text,
	char *err, size_t errlen)
{
	json_t *out;
	int code;
	if ((code = algo_riskctl_status(db, cfg, &out, err, errlen)) != 0)
		return code;
	*text = json ? json_dumps(out, JSON_COMPACT | JSON_REAL_PRECISION(15)) : algo_riskctl_status_text(out, db->path);
	json_decref(out);
	if (!*text) {
		snprintf(err, errlen, "out of memory");
		return ALGO_EX_FAIL;
	}
	return 0;
}

int algo_riskctl_load_config(struct algo_risk_config *cfg, const char *path, char *err, size_t errlen)
{
	int rc;
	algo_risk_config_init(cfg);
	if (!path)
		return 0;
	rc = algo_risk_config_load(cfg, path, err, errlen);
	return rc == ALGO_RISK_OK ? 0 : rc == ALGO_RISK_EOPEN ? ALGO_EX_NOINPUT : ALGO_EX_CONFIG;
}

const char *algo_riskctl_known(const char *name)
{
	static const char *const names[] = { "kill", "resume", "status" };
	for (size_t i = 0; name && i < sizeof names / sizeof names[0]; i++)
		if (strcmp(name, names[i]) == 0)
			return names[i];
	return NULL;
}

int algo_riskctl_changes_state(const struct algo_riskctl_cmd *c)
{
	return c->name && strcmp(c->name, "status") != 0;
}

const char *algo_riskctl_cmd_problem(struct algo_riskctl_cmd *c)
{
	const struct algo_riskctl_req *req = &c->req;
	if (algo_riskctl_changes_state(c)) {
		if (c->all && (req->strategy || req->user))
			return "--all cannot be combined with --strategy or --user";
		c->req.resume = c->name[0] == 'r';
		return algo_riskctl_req_problem(req);
	}
	if (!c->name && (req->strategy || c->all || req->reason || req->who))
		return "--strategy, --all, --reason and --who belong to kill and resume";
	if (c->format_given && !c->name)
		return "--format belongs to status";
	return NULL;
}

/* kill / resume: set a scope's state, recorded with an audit row. */
static int change_state(struct algo_store *db, const struct algo_riskctl_req *req,
	void (*note)(void *arg, const char *msg), void *note_arg, char *err, size_t errlen)
{
	char said[ALGO_RISKCTL_MSG_MAX], warning[ALGO_RISKCTL_MSG_MAX];
	int code = algo_riskctl_apply(db, req, algo_clock_ms(), said, warning, err, errlen);
	if (warning[0])
		note(note_arg, warning);
	if (!code)
		note(note_arg, said);
	return code;
}

/* status: every scope not active, then every (user, strategy) the records know. */
static int write_status(struct algo_store *db, struct algo_risk_config *cfg, int json, FILE *out,
	char *err, size_t errlen)
{
	char *text;
	int code = algo_riskctl_status_render(db, cfg, json, &text, err, errlen);
	if (code)
		return code;
	fprintf(out, json ? "%s\n" : "%s", text);
	free(text);
	err[0] = 0;
	return fflush(out) ? ALGO_EX_IOERR : 0;
}

int algo_riskctl_run(const struct algo_riskctl_cmd *c, struct algo_risk_config *cfg, FILE *out,
	void (*note)(void *arg, const char *msg), void *note_arg, char *err, size_t errlen)
{
	struct algo_store db;
	int code = algo_cli_try_open_state(&db, c->state, err, errlen);
	if (code) {
		if (cfg)
			algo_risk_config_free(cfg);
		return code;
	}
	code = algo_riskctl_changes_state(c) ? change_state(&db, &c->req, note, note_arg, err, errlen)
		: write_status(&db, cfg, c->json, out, err, errlen);
	algo_store_close(&db);
	return code;
}
