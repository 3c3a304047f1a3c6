/* riskstage — one run of the algo-risk stage; see riskstage.h. */
#include "riskstage.h"
#include "cli.h"
#include "gatekeeper.h"
#include "stage.h"
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

int algo_riskstage_run(const struct algo_riskstage_opts *o, struct algo_risk_config *cfg,
	struct algo_store *store, struct algo_riskstage_stats *stats, char *err, size_t errlen)
{
	static const struct algo_stage_ops ops = { .event = algo_gatekeeper_event,
		.idle = algo_gatekeeper_idle, .end = algo_gatekeeper_end, .save = algo_gatekeeper_save };
	struct algo_gatekeeper g;
	struct algo_stage st;
	char key[ALGO_REPLAY_KEY_MAX];
	int code;
	err[0] = 0;
	memset(stats, 0, sizeof *stats);
	if (algo_gatekeeper_init(&g, cfg, o->user, o->mode, o->product, o->barrier, o->timeout_ms, err, errlen))
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
	stats->waits = g.risk.waits;
	stats->checks = g.risk.checks;
	stats->flush_s = g.barrier.t_flush / 1e9;
	stats->wait_s = g.barrier.t_wait / 1e9;
	algo_gatekeeper_free(&g);
	return code;
}
