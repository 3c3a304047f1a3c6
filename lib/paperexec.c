/* paperexec — one run of algo-exec-paper; see paperexec.h. */
#include "paperexec.h"
#include "cli.h"
#include "replay.h"
#include "stage.h"
#include "store.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Everything one run holds. */
struct run {
	const struct algo_paperexec_opts *o;
	struct algo_fillsim_cfg cfg;
	struct algo_costs costs;
	struct algo_fillsim fs;
	struct algo_executor ex;
	struct algo_store store;
	struct algo_stage st;
	char key[ALGO_REPLAY_KEY_MAX];
	int have_state;
};

void algo_paperexec_init(struct algo_paperexec_opts *o)
{
	struct algo_fillsim_cfg *cfg = &o->cfg;
	memset(o, 0, sizeof *o);
	o->user = "default";
	cfg->mode = ALGO_FILL_NEXT_OPEN;
	cfg->tick_size = 500;
	cfg->square_off = 15 * 60 + 20;
	cfg->capital = -1;
	cfg->fno_margin = 1500;
}

const char *algo_paperexec_problem(const struct algo_paperexec_opts *o)
{
	return o->charges && o->have_bps ? "--charges and --commission-bps are mutually exclusive" : NULL;
}

/* The cost model: brokerage in bps (--commission-bps), none, or the charges table
 * --charges (else $ALGO_CHARGES) names, loaded into r->costs. Returns 0, or an exit
 * code (algo(7)) with err set. */
static int open_costs(struct run *r, char *err, size_t errlen)
{
	const char *charges = r->o->charges, *env = getenv("ALGO_CHARGES");
	int code;
	if (!charges && !r->o->have_bps && env && *env)
		charges = env;
	if (r->o->have_bps) {
		r->cfg.cost_model = ALGO_COST_BPS;
	} else if (charges && strcmp(charges, "none") == 0) {
		r->cfg.cost_model = ALGO_COST_TABLE_NONE;
	} else if (charges) {
		if ((code = algo_costs_open(&r->costs, charges, err, errlen)) != 0)
			return code;
		r->cfg.cost_model = ALGO_COST_TABLE;
		r->cfg.costs = &r->costs;
	}
	return 0;
}

/* The executor's settings that follow from the fill rules: full fees, the square-off,
 * and algo-risk's bound on what fills may cost and how far they may stray. */
static void bind_rules(struct algo_executor *ex, const struct algo_fillsim_cfg *cfg)
{
	ex->fees_full = cfg->cost_model == ALGO_COST_TABLE || cfg->cost_model == ALGO_COST_TABLE_NONE;
	ex->square_off = cfg->square_off;
	ex->chan.slip_bps = cfg->slippage_bps;
	ex->chan.slip_abs = cfg->slippage_ticks * cfg->tick_size;
	ex->chan.fee_bps = (cfg->cost_model == ALGO_COST_BPS ? cfg->commission_bps : 0) + 100 * 10000;
}

/* With a state database: the executor goes on from its saved state, and input it
 * already processed is answered from its record (the restart contract). */
static int open_state(struct run *r, char *err, size_t errlen)
{
	int code;
	if (!algo_cli_state_wanted(r->o->state))
		return 0;
	if ((code = algo_cli_try_open_state(&r->store, r->o->state, err, errlen)) != 0)
		return code;
	r->have_state = 1;
	snprintf(r->key, sizeof r->key, "algo-exec-paper/%s", r->o->user);
	if ((code = algo_executor_open(&r->ex, &r->store, r->key, err, errlen)))
		return code == -2 ? ALGO_EX_DATAERR : ALGO_EX_IOERR;
	r->st.store = &r->store;
	r->st.replay_key = r->key;
	return 0;
}

/* Orders still working, ambiguous bars, the charges table used (code: the run's exit
 * code), each as one message to note. */
static void say_notes(const struct run *r, int code)
{
	const struct algo_fillsim *fs = &r->fs;
	size_t working = algo_executor_working(&r->ex);
	char msg[512];
	if (!r->o->note)
		return;
	if (working && code == ALGO_EX_OK) {
		snprintf(msg, sizeof msg, "%zu order%s still working at end of input", working, working == 1 ? "" : "s");
		r->o->note(r->o->note_arg, msg);
	}
	if (fs->ambiguous) {
		snprintf(msg, sizeof msg, "%ld ambiguous bar%s: both legs inside one bar's range, %s leg assumed first",
			fs->ambiguous, fs->ambiguous == 1 ? "" : "s", fs->cfg.optimistic ? "the target" : "the stop-loss");
		r->o->note(r->o->note_arg, msg);
	}
	if (fs->cfg.cost_model == ALGO_COST_TABLE && code == ALGO_EX_OK) {
		snprintf(msg, sizeof msg, "charges table: %s", r->costs.name);
		r->o->note(r->o->note_arg, msg);
	}
}

int algo_paperexec_run(const struct algo_paperexec_opts *o, char *err, size_t errlen)
{
	static const struct algo_stage_ops ops = { .event = algo_executor_event,
		.idle = algo_executor_idle, .end = algo_executor_end, .save = algo_executor_save };
	struct run r;
	int code;
	err[0] = 0;
	memset(&r, 0, sizeof r);
	r.o = o;
	r.cfg = o->cfg;
	if ((code = open_costs(&r, err, errlen)) != 0)
		return code;
	algo_fillsim_init(&r.fs, &r.cfg);
	algo_executor_init(&r.ex, &algo_fillsim_venue, &r.fs, o->note, o->note_arg);
	bind_rules(&r.ex, &r.cfg);
	algo_stage_init(&r.st, &ops, &r.ex);
	r.st.skip_bad = o->skip_bad;
	r.st.warn = o->warn;
	if ((code = open_state(&r, err, errlen)) == 0) {
		code = algo_stage_run(&r.st);
		say_notes(&r, code);
	}
	algo_executor_free(&r.ex);
	if (r.have_state)
		algo_store_close(&r.store);
	algo_fillsim_free(&r.fs);
	algo_costs_free(&r.costs);
	return code;
}
