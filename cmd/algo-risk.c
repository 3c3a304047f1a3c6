/* algo-risk — turns signal events into order or risk_block events.
 *
 * Reads NDJSON on stdin and copies every event through; after each valid signal it
 * writes the order it approves or the risk_block that stopped it. Positions are
 * tracked from the orders approved; with --barrier (on by default when a daily PnL
 * limit is set) the execution stage reports its fills back through a FIFO named in
 * `sync` events, and risk waits for them only when a decision could depend on them
 * (docs/ARCHITECTURE.md, "The fill barrier"). */
#include "algo-risk-opts.h"
#include "gatekeeper.h"
#include "riskctl.h"
#include "stage.h"
#include "timeutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What a run of the stage needs from the command line. */
struct opts {
	const char *config, *state, *user, *mode, *product;
	int skip_bad, barrier;
	long timeout_ms;
};

static void open_state(struct algo_store *db, const char *state_opt, const char *nopath)
{
	char path[4096], err[ALGO_ERR_MAX];
	if (algo_cli_state_path(state_opt, path, sizeof path))
		algo_die(ALGO_EX_CONFIG, "%s", nopath);
	if (algo_store_open(db, path, err, sizeof err))
		algo_die(ALGO_EX_CANTCREAT, "%s", err);
}

/* kill / resume: set a scope's state, recorded with an audit row. */
static int cmd_state(int resume, const char *state_opt, const char *strategy, const char *user,
	const char *mode, const char *reason, const char *who)
{
	struct algo_store db;
	char said[ALGO_RISKCTL_MSG_MAX], warning[ALGO_RISKCTL_MSG_MAX], err[ALGO_ERR_MAX];
	int scope = strategy ? ALGO_RISK_SCOPE_STRATEGY : user ? ALGO_RISK_SCOPE_USER : ALGO_RISK_SCOPE_ALL, code;
	int state = resume ? ALGO_RISK_ACTIVE : mode && strcmp(mode, "reducing") == 0 ?
		ALGO_RISK_REDUCING : ALGO_RISK_HALTED;
	if (strategy && user)
		algo_usage_error("give one of --strategy, --user or --all");
	if (mode && (resume || (strcmp(mode, "halted") && strcmp(mode, "reducing"))))
		algo_usage_error("--mode: %s", resume ? "not used by resume" : "must be halted or reducing");
	if (!who) who = getenv("USER");
	if (!who || !who[0]) who = "unknown";
	open_state(&db, state_opt, "no state database path (set --state or $ALGO_STATE)");
	code = algo_riskctl_set(&db, scope, strategy ? strategy : user ? user : "", state, reason, who,
		algo_clock_ms(), said, warning, err, sizeof err);
	if (warning[0])
		algo_warn("%s", warning);
	if (code)
		algo_die(code, "%s", err);
	algo_warn("%s", said);
	algo_store_close(&db);
	return ALGO_EX_OK;
}

/* status: every scope not active, then every (user, strategy) the records know. */
static int cmd_status(const char *state_opt, struct algo_risk_config *cfg, int json)
{
	struct algo_store db;
	char err[ALGO_ERR_MAX], *text;
	json_t *out;
	int code;
	open_state(&db, state_opt, "no state database path (set --state or $ALGO_STATE)");
	if ((code = algo_riskctl_status(&db, cfg, &out, err, sizeof err)) != 0)
		algo_die(code, "%s", err);
	text = json ? json_dumps(out, JSON_COMPACT | JSON_REAL_PRECISION(15)) : algo_riskctl_status_text(out, db.path);
	if (!text)
		algo_die(ALGO_EX_FAIL, "out of memory");
	printf(json ? "%s\n" : "%s", text);
	free(text);
	json_decref(out);
	algo_store_close(&db);
	return fflush(stdout) ? ALGO_EX_IOERR : ALGO_EX_OK;
}

static void warn_line(const char *msg)
{
	algo_warn("%s", msg);
}

/* The stage: signals in, orders or risk_blocks out; with a state database it saves
 * and restores its state and its replay record. */
static int run_stage(const struct opts *o, struct algo_risk_config *cfg)
{
	static const struct algo_stage_ops ops = { .event = algo_gatekeeper_event,
		.idle = algo_gatekeeper_idle, .end = algo_gatekeeper_end, .save = algo_gatekeeper_save };
	const char *env = getenv("ALGO_STATE");
	struct algo_gatekeeper g;
	struct algo_stage st;
	struct algo_store db;
	char err[ALGO_ERR_MAX], note[ALGO_ERR_MAX], key[ALGO_REPLAY_KEY_MAX];
	int code, use_db = o->state || (env && env[0]);
	if (algo_gatekeeper_init(&g, cfg, o->user, o->mode, o->product, o->barrier, o->timeout_ms,
	    err, sizeof err))
		algo_die(ALGO_EX_CANTCREAT, "%s", err);
	algo_stage_init(&st, &ops, &g);
	st.skip_bad = o->skip_bad;
	st.warn = warn_line;
	g.stage = &st;
	if (use_db) {
		open_state(&db, o->state, "state database path too long");
		if (algo_gatekeeper_attach(&g, &db, o->user, key, note, sizeof note, err, sizeof err))
			algo_die(ALGO_EX_IOERR, "%s", err);
		if (note[0])
			algo_warn("%s", note);
		st.store = &db;
		st.replay_key = key;
	}
	code = algo_stage_run(&st);
	if (o->barrier && getenv("ALGO_RISK_STATS"))
		fprintf(stderr, "algo-risk: %lld barrier waits (%.3f s flushing, %.3f s waiting), "
			"%lld PnL checks\n", (long long)g.risk.waits, g.barrier.t_flush / 1e9,
			g.barrier.t_wait / 1e9, (long long)g.risk.checks);
	algo_gatekeeper_free(&g);
	if (use_db)
		algo_store_close(&db);
	return code;
}

/* Loads the risk file (or none) into cfg, dying with 66 or 78 on a problem. */
static void load_config(const char *path, struct algo_risk_config *cfg)
{
	char err[ALGO_ERR_MAX];
	int rc;
	algo_risk_config_init(cfg);
	if (!path)
		return;
	rc = algo_risk_config_load(cfg, path, err, sizeof err);
	if (rc == ALGO_RISK_EOPEN)
		algo_die(ALGO_EX_NOINPUT, "%s", err);
	if (rc != ALGO_RISK_OK)
		algo_die(ALGO_EX_CONFIG, "%s", err);
}

int main(int argc, char **argv)
{
	static const char *const modes[] = { "paper", "live", NULL };
	static const char *const products[] = { "intraday", "delivery", "margin", NULL };
	static const char *const formats[] = { "text", "json", NULL };
	struct opts o = { .user = "default", .mode = "paper", .product = "intraday" };
	const char *sub = NULL, *mode_arg = NULL, *strategy = NULL, *user_arg = NULL;
	const char *reason = NULL, *who = NULL, *format = "text";
	struct algo_risk_config cfg;
	int check = 0, all = 0, format_set = 0, c;

	algo_cli_init(argv[0]);
	if (argc > 1 && (strcmp(argv[1], "kill") == 0 || strcmp(argv[1], "resume") == 0 ||
	    strcmp(argv[1], "status") == 0)) {
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
		case OPT_USER: o.user = user_arg = algo_cli_name("--user", optarg, ALGO_NAME_MAX); break;
		case OPT_MODE: mode_arg = optarg; break;
		case OPT_PRODUCT: o.product = algo_cli_pick("--product", optarg, products); break;
		case OPT_SKIP_BAD: o.skip_bad = 1; break;
		case OPT_BARRIER: o.barrier = 1; break;
		case OPT_BARRIER_TIMEOUT:
			o.timeout_ms = (long)algo_cli_int("--barrier-timeout", optarg, 1, 86400) * 1000;
			break;
		case OPT_STRATEGY:
			if (!optarg[0] || strlen(optarg) >= ALGO_NAME_MAX)
				algo_usage_error("--strategy: must be 1 to %d bytes", ALGO_NAME_MAX - 1);
			strategy = optarg;
			break;
		case OPT_ALL: all = 1; break;
		case OPT_REASON: reason = optarg; break;
		case OPT_WHO: who = optarg; break;
		case OPT_FORMAT: format = algo_cli_pick("--format", optarg, formats); format_set = 1; break;
		}
	}
	if (optind < argc)
		algo_usage_error("unexpected argument '%s' (events are read from stdin)", argv[optind]);
	if (sub && strcmp(sub, "status") != 0) {
		if (all && (strategy || user_arg))
			algo_usage_error("--all cannot be combined with --strategy or --user");
		return cmd_state(sub[0] == 'r', o.state, strategy, user_arg, mode_arg, reason, who);
	}
	if (!sub && (strategy || all || reason || who))
		algo_usage_error("--strategy, --all, --reason and --who belong to kill and resume");
	if (format_set && !sub)
		algo_usage_error("--format belongs to status");
	if (mode_arg)
		o.mode = algo_cli_pick("--mode", mode_arg, modes);
	if (check && !o.config)
		algo_usage_error("--check needs -c RISK.json");
	load_config(o.config, &cfg);
	if (check) {
		algo_risk_config_free(&cfg);
		return ALGO_EX_OK;
	}
	if (sub)
		return cmd_status(o.state, &cfg, strcmp(format, "json") == 0);
	if (cfg.pnl_key)
		o.barrier = 1;
	if (!o.timeout_ms)
		o.timeout_ms = 60000;
	return algo_out_finish(run_stage(&o, &cfg));
}
