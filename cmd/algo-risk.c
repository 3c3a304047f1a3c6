/* algo-risk — turns signal events into order or risk_block events.
 *
 * Reads NDJSON on stdin and copies every event through; after each valid signal it
 * writes the order it approves or the risk_block that stopped it. Positions are
 * tracked from the orders approved; with --barrier (on by default when a daily PnL
 * limit is set) the execution stage reports its fills back through a FIFO named in
 * `sync` events, and risk waits for them only when a decision could depend on them
 * (docs/ARCHITECTURE.md, "The fill barrier"). */
#include "cli.h"
#include "gatekeeper.h"
#include "risk.h"
#include "stage.h"
#include "store.h"
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char usage_text[] =
	"Usage: algo-risk [OPTIONS] < EVENTS\n"
	"       algo-risk --check -c RISK.json\n"
	"       algo-risk kill [--strategy S|--user U|--all] [--mode halted|reducing] [--reason TEXT]\n"
	"       algo-risk resume [--strategy S|--user U|--all] [--reason TEXT]\n"
	"       algo-risk status [--format text|json]\n"
	"Turns signal events into order or risk_block events; passes every event through.\n"
	"  -c, --config FILE      risk limits (JSON); without it there are no limits\n"
	"      --check            validate the risk file and exit (0 valid, 78 not)\n"
	"      --state PATH       state database: the stage's state and its restart record\n"
	"                         (default $ALGO_STATE; none: memory only)\n"
	"      --user NAME        user of signals that carry none (default \"default\");\n"
	"                         kill/resume: the user scope\n"
	"      --mode MODE        paper or live, written into each order (default paper);\n"
	"                         kill: halted (default) or reducing\n"
	"      --product PRODUCT  intraday, delivery or margin (default intraday)\n"
	"      --barrier          read the executor's fills back (sync events and a FIFO); on\n"
	"                         when the risk file sets max_daily_loss or max_daily_profit\n"
	"      --barrier-timeout SECONDS\n"
	"                         give up (exit 69) when no executor answers a sync (default 60)\n"
	"      --skip-bad         warn about bad input lines and skip them instead of stopping\n"
	"      --strategy NAME    kill/resume: the strategy scope\n"
	"      --all              kill: everything; resume: every kill there is (the default)\n"
	"      --reason TEXT      kill/resume: why, recorded in risk_state and the audit log\n"
	"      --who NAME         kill/resume: who acts (default $USER)\n"
	"      --format FORMAT    status: text (default) or json\n"
	"  -h, --help             print this help and exit\n"
	"      --version          print the version and exit\n";

enum { OPT_USER = 256, OPT_MODE, OPT_PRODUCT, OPT_SKIP_BAD, OPT_VERSION, OPT_CHECK, OPT_STATE,
	OPT_STRATEGY, OPT_ALL, OPT_REASON, OPT_WHO, OPT_FORMAT, OPT_BARRIER, OPT_BARRIER_TIMEOUT };

static const struct option options[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "check", no_argument, NULL, OPT_CHECK },
	{ "state", required_argument, NULL, OPT_STATE },
	{ "user", required_argument, NULL, OPT_USER },
	{ "mode", required_argument, NULL, OPT_MODE },
	{ "product", required_argument, NULL, OPT_PRODUCT },
	{ "skip-bad", no_argument, NULL, OPT_SKIP_BAD },
	{ "barrier", no_argument, NULL, OPT_BARRIER },
	{ "barrier-timeout", required_argument, NULL, OPT_BARRIER_TIMEOUT },
	{ "strategy", required_argument, NULL, OPT_STRATEGY },
	{ "all", no_argument, NULL, OPT_ALL },
	{ "reason", required_argument, NULL, OPT_REASON },
	{ "who", required_argument, NULL, OPT_WHO },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

/* What a run of the stage needs from the command line. */
struct opts {
	const char *config, *state, *user, *mode, *product;
	int skip_bad, barrier;
	long timeout_ms;
};

static const char *pick(const char *opt, const char *val, const char *const *list)
{
	for (int i = 0; list[i]; i++)
		if (strcmp(val, list[i]) == 0)
			return list[i];
	algo_usage_error("%s: '%s' is not one of the allowed values", opt, val);
}

static int64_t wall_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void open_state(struct algo_store *db, const char *path)
{
	char err[ALGO_ERR_MAX];
	if (algo_store_open(db, path, err, sizeof err))
		algo_die(ALGO_EX_CANTCREAT, "%s", err);
}

/* Sets one scope's state, or with resume of everything every halt there is; warns
 * when the database has never heard of the user or strategy killed. */
static void set_state(struct algo_store *db, int scope, const char *key, int state,
	const char *reason, const char *who)
{
	char err[ALGO_ERR_MAX];
	int known, n;
	if (state == ALGO_RISK_ACTIVE && scope == ALGO_RISK_SCOPE_ALL) {
		if (algo_risk_resume_all(db, reason, who, wall_ms(), &n, err, sizeof err))
			algo_die(ALGO_EX_IOERR, "cannot record the resume: %s", err);
		fprintf(stderr, "algo-risk: all active (%d kill%s cleared)\n", n, n == 1 ? "" : "s");
		return;
	}
	if ((known = algo_risk_scope_known(db, scope, key, err, sizeof err)) < 0)
		algo_die(ALGO_EX_IOERR, "%s", err);
	if (!known && state != ALGO_RISK_ACTIVE)
		algo_warn("warning: no %s '%s' in %s yet (no decisions, state or ledger rows): "
			"check the name; the kill is recorded and applies once it trades",
			algo_risk_scope_name(scope), key, db->path);
	if (algo_risk_set_state(db, scope, key, state, reason, who, wall_ms(), err, sizeof err))
		algo_die(ALGO_EX_IOERR, "cannot record the %s: %s", state == ALGO_RISK_ACTIVE ? "resume" :
			"kill", err);
	fprintf(stderr, "algo-risk: %s%s%s %s\n", algo_risk_scope_name(scope),
		scope != ALGO_RISK_SCOPE_ALL ? " " : "", key, algo_risk_state_name(state));
}

/* kill / resume: set a scope's state, recorded with an audit row. */
static int cmd_state(int resume, const char *state_opt, const char *strategy, const char *user,
	const char *mode, const char *reason, const char *who)
{
	struct algo_store db;
	char path[4096];
	int scope = strategy ? ALGO_RISK_SCOPE_STRATEGY : user ? ALGO_RISK_SCOPE_USER : ALGO_RISK_SCOPE_ALL;
	int state = resume ? ALGO_RISK_ACTIVE : mode && strcmp(mode, "reducing") == 0 ?
		ALGO_RISK_REDUCING : ALGO_RISK_HALTED;
	if (strategy && user)
		algo_usage_error("give one of --strategy, --user or --all");
	if (mode && (resume || (strcmp(mode, "halted") && strcmp(mode, "reducing"))))
		algo_usage_error("--mode: %s", resume ? "not used by resume" : "must be halted or reducing");
	if (!who) who = getenv("USER");
	if (!who || !who[0]) who = "unknown";
	if (algo_cli_state_path(state_opt, path, sizeof path))
		algo_die(ALGO_EX_CONFIG, "no state database path (set --state or $ALGO_STATE)");
	open_state(&db, path);
	set_state(&db, scope, strategy ? strategy : user ? user : "", state, reason, who);
	algo_store_close(&db);
	return ALGO_EX_OK;
}

static void print_kill(json_t *k)
{
	const char *scope = json_string_value(json_object_get(k, "scope"));
	json_t *user = json_object_get(k, "user"), *strategy = json_object_get(k, "strategy");
	const char *reason = json_string_value(json_object_get(k, "reason"));
	printf("%s%s%s: %s%s%s (by %s, %s)\n", strcmp(scope, "all") == 0 ? "all trading" : scope,
		user || strategy ? " " : "", user ? json_string_value(user) : strategy ?
		json_string_value(strategy) : "", json_string_value(json_object_get(k, "state")),
		reason && reason[0] ? " — " : "", reason ? reason : "",
		json_string_value(json_object_get(k, "who")), json_string_value(json_object_get(k, "ts")));
}

static void print_strategy(json_t *o)
{
	const char *sym;
	json_t *q, *left = json_object_get(o, "trades_left"), *plan = json_object_get(o, "plan");
	printf("%s/%s: %s%s%s\n", json_string_value(json_object_get(o, "user")),
		json_string_value(json_object_get(o, "strategy")),
		json_string_value(json_object_get(o, "state")),
		json_string_length(json_object_get(o, "reason")) ? " — " : "",
		json_string_value(json_object_get(o, "reason")));
	printf("  trades on %s: %lld, left: ", json_string_value(json_object_get(o, "day")),
		(long long)json_integer_value(json_object_get(o, "trades_today")));
	if (json_is_null(left)) printf("unlimited");
	else printf("%lld", (long long)json_integer_value(left));
	if (json_is_string(plan)) printf(" (plan %s)", json_string_value(plan));
	printf("\n");
	printf("  day PnL (realised, net of charges): %.2f", json_real_value(json_object_get(o, "day_pnl")));
	if (json_is_real(json_object_get(o, "max_daily_loss")))
		printf("; loss limit %.2f, left %.2f",
			json_real_value(json_object_get(o, "max_daily_loss")),
			json_real_value(json_object_get(o, "loss_left")));
	printf("\n");
	json_object_foreach(json_object_get(o, "positions"), sym, q)
		printf("  position %s %lld\n", sym, (long long)json_integer_value(q));
}

/* status: every scope not active, then every (user, strategy) the records know: its
 * state, positions and trades. */
static int cmd_status(const char *state_opt, struct algo_risk_config *cfg, int json)
{
	struct algo_store db;
	struct algo_risk r;
	char path[4096], err[ALGO_ERR_MAX];
	json_t *kills = json_array(), *strats = json_array(), *out;
	size_t i;
	json_t *o;
	algo_risk_init(&r, cfg);
	if (algo_cli_state_path(state_opt, path, sizeof path))
		algo_die(ALGO_EX_CONFIG, "no state database path (set --state or $ALGO_STATE)");
	open_state(&db, path);
	if (algo_risk_attach(&r, &db, err, sizeof err) || algo_risk_rebuild(&r, err, sizeof err) ||
	    (kills && algo_risk_list_states(&db, kills, err, sizeof err)))
		algo_die(ALGO_EX_IOERR, "%s", err);
	if (!kills || !strats || algo_risk_status(&r, strats) ||
	    !(out = json_pack("{s:o,s:o}", "kill_switch", kills, "strategies", strats)))
		algo_die(ALGO_EX_FAIL, "out of memory");
	if (json) {
		char *txt = json_dumps(out, JSON_COMPACT | JSON_REAL_PRECISION(15));
		if (txt) printf("%s\n", txt);
		free(txt);
	} else {
		if (!json_array_size(kills) && !json_array_size(strats))
			printf("no kills and no strategies in %s\n", path);
		json_array_foreach(kills, i, o)
			print_kill(o);
		json_array_foreach(strats, i, o)
			print_strategy(o);
	}
	json_decref(out);
	algo_risk_free(&r);
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
		char path[4096];
		if (algo_cli_state_path(o->state, path, sizeof path))
			algo_die(ALGO_EX_CONFIG, "state database path too long");
		open_state(&db, path);
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

static const char *name_arg(const char *opt, const char *val)
{
	if (!val[0] || strlen(val) >= ALGO_NAME_MAX)
		algo_usage_error("%s: must be 1 to %d bytes", opt, ALGO_NAME_MAX - 1);
	for (const char *p = val; *p; p++)
		if ((unsigned char)*p < 0x20)
			algo_usage_error("%s: must not contain control characters", opt);
	return val;
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
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":c:h", options, NULL)) != -1) {
		switch (c) {
		case 'c': o.config = optarg; break;
		case OPT_CHECK: check = 1; break;
		case OPT_STATE: o.state = optarg; break;
		case OPT_USER: o.user = user_arg = name_arg("--user", optarg); break;
		case OPT_MODE: mode_arg = optarg; break;
		case OPT_PRODUCT: o.product = pick("--product", optarg, products); break;
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
		case OPT_FORMAT: format = pick("--format", optarg, formats); format_set = 1; break;
		case 'h': fputs(usage_text, stdout); return fflush(stdout) ? ALGO_EX_IOERR : ALGO_EX_OK;
		case OPT_VERSION: algo_print_version();
		case ':': algo_usage_error("option '%s' needs a value", argv[optind - 1]);
		default:
			if (optopt) algo_usage_error("unknown option '-%c'", optopt);
			algo_usage_error("unknown option '%s'", argv[optind - 1]);
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
		o.mode = pick("--mode", mode_arg, modes);
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
