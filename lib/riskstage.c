/* riskstage — one run of the algo-risk stage; see riskstage.h. */
#include "riskstage.h"
#include "cli.h"
#include "gatekeeper.h"
#include "stage.h"
#include "store.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Restores g's state and replay record from store, keyed in key; note to the warn hook. */
static int attach_store(struct algo_gatekeeper *g, struct algo_stage *st, struct algo_store *store,
	const struct algo_riskstage_opts *o, char *key, char *err, size_t errlen)
{
	char note[ALGO_ERR_MAX];
	if (algo_gatekeeper_attach(g, store, o->user, key, note, sizeof note, err, errlen))
		return ALGO_EX_IOERR;
	if (note[0] && o->warn)
		o->warn(note);
	st->store = store;
	st->replay_key = key;
	return 0;
}

/* What the fill barrier did, to the warn hook when $ALGO_RISK_STATS asks for it. */
static void report_barrier(const struct algo_gatekeeper *g, const struct algo_riskstage_opts *o)
{
	char msg[256];
	if (!getenv("ALGO_RISK_STATS") || !o->warn)
		return;
	snprintf(msg, sizeof msg, "%lld barrier waits (%.3f s flushing, %.3f s waiting), %lld PnL checks",
		(long long)g->risk.waits, g->barrier.t_flush / 1e9, g->barrier.t_wait / 1e9, (long long)g->risk.checks);
	o->warn(msg);
}

/* The gatekeeper on the stage loop, with store when not NULL. */
static int run_gatekeeper(const struct algo_riskstage_opts *o, struct algo_risk_config *cfg,
	struct algo_store *store, char *err, size_t errlen)
{
	static const struct algo_stage_ops ops = { .event = algo_gatekeeper_event,
		.idle = algo_gatekeeper_idle, .end = algo_gatekeeper_end, .save = algo_gatekeeper_save };
	int barrier = o->barrier || cfg->pnl_key, code;
	struct algo_gatekeeper g;
	struct algo_stage st;
	char key[ALGO_REPLAY_KEY_MAX];
	if (algo_gatekeeper_init(&g, cfg, o->user, o->mode, o->product, barrier, o->timeout_ms, err, errlen))
		return ALGO_EX_CANTCREAT;
	algo_stage_init(&st, &ops, &g);
	st.skip_bad = o->skip_bad;
	st.warn = o->warn;
	g.stage = &st;
	if (store && (code = attach_store(&g, &st, store, o, key, err, errlen)) != 0) {
		algo_gatekeeper_free(&g);
		return code;
	}
	code = algo_stage_run(&st);
	if (barrier)
		report_barrier(&g, o);
	algo_gatekeeper_free(&g);
	return code;
}

int algo_riskstage_run(const struct algo_riskstage_opts *o, struct algo_risk_config *cfg, char *err,
	size_t errlen)
{
	struct algo_store store;
	int code, use_db = algo_cli_state_wanted(o->state);
	err[0] = 0;
	if (use_db && (code = algo_cli_try_open_state(&store, o->state, err, errlen)) != 0) {
		algo_risk_config_free(cfg);
		return code;
	}
	code = run_gatekeeper(o, cfg, use_db ? &store : NULL, err, errlen);
	if (use_db)
		algo_store_close(&store);
	return code;
}
