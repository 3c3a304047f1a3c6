/* paperexec — algo-exec-paper's settings and notes; see paperexec.h. */
#include "paperexec.h"
#include "cli.h"
#include <stdio.h>
#include <string.h>

void algo_paperexec_defaults(struct algo_fillsim_cfg *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->mode = ALGO_FILL_NEXT_OPEN;
	cfg->tick_size = 500;
	cfg->square_off = 15 * 60 + 20;
	cfg->capital = -1;
	cfg->fno_margin = 1500;
}

int algo_paperexec_costs(struct algo_fillsim_cfg *cfg, const char *charges, int have_bps,
	struct algo_costs *costs, char *err, size_t errlen)
{
	int code;
	if (have_bps) {
		cfg->cost_model = ALGO_COST_BPS;
	} else if (charges && strcmp(charges, "none") == 0) {
		cfg->cost_model = ALGO_COST_TABLE_NONE;
	} else if (charges) {
		if ((code = algo_costs_open(costs, charges, err, errlen)) != 0)
			return code;
		cfg->cost_model = ALGO_COST_TABLE;
		cfg->costs = costs;
	}
	return 0;
}

void algo_paperexec_bind(struct algo_executor *ex, const struct algo_fillsim_cfg *cfg)
{
	ex->fees_full = cfg->cost_model == ALGO_COST_TABLE || cfg->cost_model == ALGO_COST_TABLE_NONE;
	ex->square_off = cfg->square_off;
	ex->chan.slip_bps = cfg->slippage_bps;
	ex->chan.slip_abs = cfg->slippage_ticks * cfg->tick_size;
	ex->chan.fee_bps = (cfg->cost_model == ALGO_COST_BPS ? cfg->commission_bps : 0) + 100 * 10000;
}

void algo_paperexec_notes(const struct algo_executor *ex, const struct algo_fillsim *fs,
	const struct algo_costs *costs, int code, void (*warn)(void *arg, const char *msg), void *arg)
{
	char msg[512];
	size_t working = algo_executor_working(ex);
	if (working && code == ALGO_EX_OK) {
		snprintf(msg, sizeof msg, "%zu order%s still working at end of input", working, working == 1 ? "" : "s");
		warn(arg, msg);
	}
	if (fs->ambiguous) {
		snprintf(msg, sizeof msg, "%ld ambiguous bar%s: both legs inside one bar's range, %s leg assumed first",
			fs->ambiguous, fs->ambiguous == 1 ? "" : "s", fs->cfg.optimistic ? "the target" : "the stop-loss");
		warn(arg, msg);
	}
	if (fs->cfg.cost_model == ALGO_COST_TABLE && code == ALGO_EX_OK) {
		snprintf(msg, sizeof msg, "charges table: %s", costs->name);
		warn(arg, msg);
	}
}
