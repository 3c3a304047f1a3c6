/* algo-risk — turns signal events into order or risk_block events.
 *
 * Reads NDJSON on stdin and copies every event through; after each valid signal it
 * writes the order it approves or the risk_block that stopped it. Positions are
 * tracked from the orders approved; with --barrier (on by default when a daily PnL
 * limit is set) the execution stage reports its fills back through a FIFO named in
 * `sync` events, and risk waits for them only when a decision could depend on them
 * (docs/ARCHITECTURE.md, "The fill barrier"). */
#include "algo-risk-opts.h"
#include "riskctl.h"
#include "riskstage.h"
#include "stage.h"
#include "timeutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What a run of the stage needs from the command line. */
struct opts {
	const char *config, *state;
	struct algo_riskstage_opts rs;
};

/* kill / resume: set a scope's state, recorded with an audit row. */
static int cmd_state(struct algo_store *db, const struct algo_riskctl_req *req)
{
	char said[ALGO_RISKCTL_MSG_MAX], warning[ALGO_RISKCTL_MSG_MAX], err[ALGO_ERR_MAX];
	int code = algo_riskctl_apply(db, req, algo_clock_ms(), said, warning, err, sizeof err);
	if (warning[0])
		algo_warn("%s", warning);
	if (code)
		algo_die(code, "%s", err);
	algo_warn("%s", said);
	return ALGO_EX_OK;
}

/* status: every scope not active, then every (user, strategy) the records know. */
static int cmd_status(struct algo_store *db, struct algo_risk_config *cfg, int json)
{
	char err[ALGO_ERR_MAX], *text;
	int code = algo_riskctl_status_render(db, cfg, json, &text, err, sizeof err);
	if (code)
		algo_die(code, "%s", err);
	printf(json ? "%s\n" : "%s", text);
	free(text);
	return fflush(stdout) ? ALGO_EX_IOERR : ALGO_EX_OK;
}

/* A sub-command on the state database (kill, resume with req; status with cfg). */
static int run_control(const char *sub, const char *state_opt, const struct algo_riskctl_req *req,
	struct algo_risk_config *cfg, int json)
{
	struct algo_store db;
	int code;
	algo_cli_open_state(&db, state_opt);
	code = strcmp(sub, "status") ? cmd_state(&db, req) : cmd_status(&db, cfg, json);
	algo_store_close(&db);
	return code;
}

/* The stage: signals in, orders or risk_blocks out; with a state database it saves
 * and restores its state and its replay record. */
static int run_stage(const struct opts *o, struct algo_risk_config *cfg)
{
	struct algo_riskstage_stats stats;
	struct algo_store db;
	char err[ALGO_ERR_MAX];
	int code, use_db = algo_cli_state_wanted(o->state);
	if (use_db)
		algo_cli_open_state(&db, o->state);
	code = algo_riskstage_run(&o->rs, cfg, use_db ? &db : NULL, &stats, err, sizeof err);
	if (err[0])
		algo_die(code, "%s", err);
	if (o->rs.barrier && getenv("ALGO_RISK_STATS"))
		fprintf(stderr, "algo-risk: %lld barrier waits (%.3f s flushing, %.3f s waiting), %lld PnL checks\n",
			stats.waits, stats.flush_s, stats.wait_s, stats.checks);
	if (use_db)
		algo_store_close(&db);
	return code;
}

int main(int argc, char **argv)
{
	static const char *const modes[] = { "paper", "live", NULL };
	static const char *const products[] = { "intraday", "delivery", "margin", NULL };
	static const char *const formats[] = { "text", "json", NULL };
	struct opts o = { .rs = { .user = "default", .mode = "paper", .product = "intraday",
		.warn = algo_cli_warn_line } };
	struct algo_riskctl_req req = { 0 };
	const char *sub = NULL, *format = NULL, *problem;
	struct algo_risk_config cfg;
	char err[ALGO_ERR_MAX];
	int check = 0, all = 0, c;

	algo_cli_init(argv[0]);
	if (argc > 1 && (!strcmp(argv[1], "kill") || !strcmp(argv[1], "resume") || !strcmp(argv[1], "status"))) {
		sub = argv[1];
		argv[1] = argv[0];
		argv++;
		argc--;
	}
	while ((c = algo_cli_getopt(argc, argv, &algo_opts)) != -1) {
		switch (c) {
		case OPT_CONFIG: o.config = optarg; break;
		case OPT_CHECK: check = 1; break;
		case OPT_STATE: o.state = optarg; break;
		case OPT_USER: o.rs.user = req.user = algo_cli_name("--user", optarg, ALGO_NAME_MAX); break;
		case OPT_MODE: req.mode = optarg; break;
		case OPT_PRODUCT: o.rs.product = algo_cli_pick("--product", optarg, products); break;
		case OPT_SKIP_BAD: o.rs.skip_bad = 1; break;
		case OPT_BARRIER: o.rs.barrier = 1; break;
		case OPT_BARRIER_TIMEOUT:
			o.rs.timeout_ms = (long)algo_cli_int("--barrier-timeout", optarg, 1, 86400) * 1000;
			break;
		case OPT_STRATEGY:
			if (!optarg[0] || strlen(optarg) >= ALGO_NAME_MAX)
				algo_usage_error("--strategy: must be 1 to %d bytes", ALGO_NAME_MAX - 1);
			req.strategy = optarg;
			break;
		case OPT_ALL: all = 1; break;
		case OPT_REASON: req.reason = optarg; break;
		case OPT_WHO: req.who = optarg; break;
		case OPT_FORMAT: format = algo_cli_pick("--format", optarg, formats); break;
		}
	}
	if (optind < argc)
		algo_usage_error("unexpected argument '%s' (events are read from stdin)", argv[optind]);
	if (sub && strcmp(sub, "status") != 0) {
		if (all && (req.strategy || req.user))
			algo_usage_error("--all cannot be combined with --strategy or --user");
		req.resume = sub[0] == 'r';
		if ((problem = algo_riskctl_req_problem(&req)) != NULL)
			algo_usage_error("%s", problem);
		return run_control(sub, o.state, &req, NULL, 0);
	}
	if (!sub && (req.strategy || all || req.reason || req.who))
		algo_usage_error("--strategy, --all, --reason and --who belong to kill and resume");
	if (format && !sub)
		algo_usage_error("--format belongs to status");
	if (req.mode)
		o.rs.mode = algo_cli_pick("--mode", req.mode, modes);
	if (check && !o.config)
		algo_usage_error("--check needs -c RISK.json");
	if ((c = algo_riskctl_load_config(&cfg, o.config, err, sizeof err)) != 0)
		algo_die(c, "%s", err);
	if (check) {
		algo_risk_config_free(&cfg);
		return ALGO_EX_OK;
	}
	if (sub)
		return run_control(sub, o.state, &req, &cfg, format && !strcmp(format, "json"));
	if (cfg.pnl_key)
		o.rs.barrier = 1;
	if (!o.rs.timeout_ms)
		o.rs.timeout_ms = 60000;
	return algo_out_finish(run_stage(&o, &cfg));
}
