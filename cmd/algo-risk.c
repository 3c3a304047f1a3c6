/* algo-risk — turns signal events into order or risk_block events.
 *
 * Reads NDJSON on stdin and copies every event through; after each valid signal it
 * writes the order it approves or the risk_block that stopped it (lib/riskstage).
 * Positions are tracked from the orders approved; with --barrier (on by default when a
 * daily PnL limit is set) the execution stage reports its fills back through a FIFO
 * named in `sync` events, and risk waits for them only when a decision could depend on
 * them (docs/ARCHITECTURE.md, "The fill barrier"). `kill`, `resume` and `status` work
 * on the state database (lib/riskctl). Options and wiring only. */
#include "algo-risk-opts.h"
#include "event.h"
#include "riskctl.h"
#include "riskstage.h"
#include <stdio.h>
#include <string.h>

/* What the command line asks for. */
struct opts {
	const char *config;
	int check;
	struct algo_riskctl_cmd ctl;
	struct algo_riskstage_opts rs;
};

static void parse_option(int c, const char *arg, struct opts *o)
{
	static const char *const products[] = { "intraday", "delivery", "margin", NULL };
	static const char *const formats[] = { "text", "json", NULL };
	struct algo_riskctl_req *req = &o->ctl.req;
	switch (c) {
	case OPT_CONFIG: o->config = arg; break;
	case OPT_CHECK: o->check = 1; break;
	case OPT_STATE: o->ctl.state = o->rs.state = arg; break;
	case OPT_USER: o->rs.user = req->user = algo_cli_name("--user", arg, ALGO_NAME_MAX); break;
	case OPT_MODE: req->mode = arg; break;
	case OPT_PRODUCT: o->rs.product = algo_cli_pick("--product", arg, products); break;
	case OPT_SKIP_BAD: o->rs.skip_bad = 1; break;
	case OPT_BARRIER: o->rs.barrier = 1; break;
	case OPT_BARRIER_TIMEOUT: o->rs.timeout_ms = (long)algo_cli_int("--barrier-timeout", arg, 1, 86400) * 1000; break;
	case OPT_STRATEGY:
		if (!arg[0] || strlen(arg) >= ALGO_NAME_MAX)
			algo_usage_error("--strategy: must be 1 to %d bytes", ALGO_NAME_MAX - 1);
		req->strategy = arg;
		break;
	case OPT_ALL: o->ctl.all = 1; break;
	case OPT_REASON: req->reason = arg; break;
	case OPT_WHO: req->who = arg; break;
	case OPT_FORMAT:
		o->ctl.json = !strcmp(algo_cli_pick("--format", arg, formats), "json");
		o->ctl.format_given = 1;
		break;
	}
}

/* The command line into o: a sub-command first (its options follow it), then options. */
static void parse_args(int argc, char **argv, struct opts *o)
{
	static const char *const modes[] = { "paper", "live", NULL };
	const char *problem;
	int c;
	if (argc > 1 && (o->ctl.name = algo_riskctl_known(argv[1])) != NULL) {
		argv[1] = argv[0];
		argv++;
		argc--;
	}
	while ((c = algo_cli_getopt(argc, argv, &algo_opts)) != -1)
		parse_option(c, optarg, o);
	if (optind < argc)
		algo_usage_error("unexpected argument '%s' (events are read from stdin)", argv[optind]);
	if ((problem = algo_riskctl_cmd_problem(&o->ctl)) != NULL)
		algo_usage_error("%s", problem);
	if (algo_riskctl_changes_state(&o->ctl))
		return;
	if (o->ctl.req.mode)
		o->rs.mode = algo_cli_pick("--mode", o->ctl.req.mode, modes);
	if (o->check && !o->config)
		algo_usage_error("--check needs -c RISK.json");
}

/* kill or resume (cfg NULL), status (cfg). */
static int control(const struct algo_riskctl_cmd *c, struct algo_risk_config *cfg)
{
	char err[ALGO_ERR_MAX];
	int code = algo_riskctl_run(c, cfg, stdout, algo_cli_warn_note, NULL, err, sizeof err);
	if (code && err[0])
		algo_die(code, "%s", err);
	return code;
}

int main(int argc, char **argv)
{
	struct opts o = { .rs = { .user = "default", .mode = "paper", .product = "intraday", .timeout_ms = 60000,
		.warn = algo_cli_warn_line } };
	struct algo_risk_config cfg;
	char err[ALGO_ERR_MAX];
	int code;

	algo_cli_init(argv[0]);
	parse_args(argc, argv, &o);
	if (algo_riskctl_changes_state(&o.ctl))
		return control(&o.ctl, NULL);
	if ((code = algo_riskctl_load_config(&cfg, o.config, err, sizeof err)) != 0)
		algo_die(code, "%s", err);
	if (o.check) {
		algo_risk_config_free(&cfg);
		return ALGO_EX_OK;
	}
	if (o.ctl.name)
		return control(&o.ctl, &cfg);
	code = algo_riskstage_run(&o.rs, &cfg, err, sizeof err);
	if (err[0])
		algo_die(code, "%s", err);
	return algo_out_finish(code);
}
