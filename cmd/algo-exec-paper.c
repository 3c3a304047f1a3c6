/* algo-exec-paper — fills orders on paper from the market events in the stream.
 *
 * The paper fill rules (lib/fillsim.h) on the executor seam (lib/executor.h), run by
 * the one stage loop (lib/stage.h): every event is copied through; fills and order
 * updates follow the event that caused them. The rules are in algo-exec-paper(1). */
#include "cli.h"
#include "costs.h"
#include "decimal.h"
#include "executor.h"
#include "fillsim.h"
#include "stage.h"
#include "timeutil.h"
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
	"Usage: algo-exec-paper [OPTIONS] < EVENTS\n"
	"Fills order events on paper from the bars and ticks in the stream; passes every event through.\n"
	"      --fill MODEL           next-open (default): market orders at the open of the next bar;\n"
	"                             close: at the close of the bar the order was made on\n"
	"      --slippage-bps N       price slippage in basis points, e.g. 2.5 (default 0)\n"
	"      --slippage-ticks N     slippage in whole ticks (default 0)\n"
	"      --tick-size P          tick size for --slippage-ticks (default 0.05)\n"
	"      --commission-bps N     brokerage in basis points of turnover (default 0)\n"
	"      --charges FILE         Indian charges from a dated table (a file, a name such as\n"
	"                             'india' in ../share/algo/costs/ when installed or in the\n"
	"                             source tree's share/costs/, or 'none' for zero fees)\n"
	"      --latency-bars N       orders become eligible N bars of their symbol later\n"
	"      --max-participation P  fill at most P x bar volume per bar (0 < P <= 1)\n"
	"      --intrabar MODE        both legs inside one bar: pessimistic (default) or optimistic\n"
	"      --square-off HH:MM     close intraday positions at the first bar at or after HH:MM IST\n"
	"                             (default 15:20; none: never)\n"
	"      --capital AMOUNT       reject orders the remaining capital cannot cover\n"
	"      --fno-margin-pct PCT   margin for futures and options, percent of notional (default 15)\n"
	"      --state PATH           keep working orders, positions and legs in this database and\n"
	"                             go on from them next run (else $ALGO_STATE when set; without\n"
	"                             either, nothing is kept)\n"
	"      --user NAME            whose pipeline this is: keeps its state apart from other\n"
	"                             users' in a shared database (default \"default\")\n"
	"      --skip-bad             warn about bad input lines and skip them instead of stopping\n"
	"  -h, --help                 print this help and exit\n"
	"      --version              print the version and exit\n";

enum { OPT_FILL = 256, OPT_SLIPPAGE, OPT_SLIP_TICKS, OPT_TICK_SIZE, OPT_COMMISSION, OPT_CHARGES,
	OPT_LATENCY, OPT_PARTICIPATION, OPT_INTRABAR, OPT_SQUARE_OFF, OPT_CAPITAL, OPT_FNO_MARGIN,
	OPT_SKIP_BAD, OPT_STATE, OPT_USER, OPT_VERSION };

static const struct option options[] = {
	{ "fill", required_argument, NULL, OPT_FILL },
	{ "slippage-bps", required_argument, NULL, OPT_SLIPPAGE },
	{ "slippage-ticks", required_argument, NULL, OPT_SLIP_TICKS },
	{ "tick-size", required_argument, NULL, OPT_TICK_SIZE },
	{ "commission-bps", required_argument, NULL, OPT_COMMISSION },
	{ "charges", required_argument, NULL, OPT_CHARGES },
	{ "latency-bars", required_argument, NULL, OPT_LATENCY },
	{ "max-participation", required_argument, NULL, OPT_PARTICIPATION },
	{ "intrabar", required_argument, NULL, OPT_INTRABAR },
	{ "square-off", required_argument, NULL, OPT_SQUARE_OFF },
	{ "capital", required_argument, NULL, OPT_CAPITAL },
	{ "fno-margin-pct", required_argument, NULL, OPT_FNO_MARGIN },
	{ "skip-bad", no_argument, NULL, OPT_SKIP_BAD },
	{ "state", required_argument, NULL, OPT_STATE },
	{ "user", required_argument, NULL, OPT_USER },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

struct opts {
	struct algo_fillsim_cfg cfg;
	const char *charges, *state, *user;
	int have_bps, skip_bad;
};

/* Parses a basis-point option exactly ("2.5" -> 25000), 0 to 10,000 bps. */
static int64_t parse_bps(const char *opt, const char *s)
{
	int64_t v;
	if (algo_dec_parse(s, strlen(s), &v) || v < 0 || v > ALGO_FILLSIM_BPS_MAX)
		algo_usage_error("%s: '%s' is not a number of basis points from 0 to 10000 with at most 4 decimals",
			opt, s);
	return v;
}

static int64_t parse_dec(const char *opt, const char *s, int64_t min, int64_t max, const char *what)
{
	int64_t v;
	if (!*s || *s == '+' || algo_dec_parse(s, strlen(s), &v) || v < min || v > max)
		algo_usage_error("%s: '%s' is not %s", opt, s, what);
	return v;
}

static void parse_option(int c, const char *arg, struct opts *o)
{
	struct algo_fillsim_cfg *cfg = &o->cfg;
	switch (c) {
	case OPT_FILL:
		if (strcmp(arg, "next-open") == 0) cfg->mode = ALGO_FILL_NEXT_OPEN;
		else if (strcmp(arg, "close") == 0) cfg->mode = ALGO_FILL_CLOSE;
		else algo_usage_error("--fill: '%s' is not next-open or close", arg);
		break;
	case OPT_SLIPPAGE: cfg->slippage_bps = parse_bps("--slippage-bps", arg); break;
	case OPT_SLIP_TICKS: cfg->slippage_ticks = algo_cli_int("--slippage-ticks", arg, 0, 1000); break;
	case OPT_TICK_SIZE:
		cfg->tick_size = parse_dec("--tick-size", arg, 1, 1000 * ALGO_DEC_SCALE, "a price from 0.0001 to 1000");
		break;
	case OPT_COMMISSION: cfg->commission_bps = parse_bps("--commission-bps", arg); o->have_bps = 1; break;
	case OPT_CHARGES: o->charges = arg; break;
	case OPT_LATENCY: cfg->latency = (int)algo_cli_int("--latency-bars", arg, 0, 100000); break;
	case OPT_PARTICIPATION:
		cfg->participation = parse_dec("--max-participation", arg, 1, ALGO_DEC_SCALE,
			"a fraction above 0 and at most 1 (4 decimals)");
		break;
	case OPT_INTRABAR:
		if (strcmp(arg, "pessimistic") == 0) cfg->optimistic = 0;
		else if (strcmp(arg, "optimistic") == 0) cfg->optimistic = 1;
		else algo_usage_error("--intrabar: '%s' is not pessimistic or optimistic", arg);
		break;
	case OPT_SQUARE_OFF:
		if (strcmp(arg, "none") == 0) cfg->square_off = -1;
		else if ((cfg->square_off = algo_time_parse_hhmm(arg, strlen(arg))) < 0)
			algo_usage_error("--square-off: '%s' is not HH:MM or none", arg);
		break;
	case OPT_CAPITAL:
		cfg->capital = parse_dec("--capital", arg, 0, 900000000000LL * ALGO_DEC_SCALE / 1000,
			"an amount of rupees >= 0 (4 decimals)");
		break;
	case OPT_FNO_MARGIN:
		cfg->fno_margin = parse_dec("--fno-margin-pct", arg, 1, 100 * ALGO_DEC_SCALE,
			"a percentage above 0 and at most 100") / 100;
		break;
	case OPT_SKIP_BAD: o->skip_bad = 1; break;
	case OPT_STATE: o->state = arg; break;
	case OPT_USER:
		if (!*arg || strlen(arg) >= ALGO_NAME_MAX || strchr(arg, '/'))
			algo_usage_error("--user: '%s' is not a user name", arg);
		o->user = arg;
		break;
	}
}

static void parse_args(int argc, char **argv, struct opts *o)
{
	int c;
	memset(o, 0, sizeof *o);
	o->user = "default";
	o->cfg.mode = ALGO_FILL_NEXT_OPEN;
	o->cfg.tick_size = 500;
	o->cfg.square_off = 15 * 60 + 20;  /* as NSE brokers' risk systems do */
	o->cfg.capital = -1;
	o->cfg.fno_margin = 1500;          /* 15 % */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
		switch (c) {
		case 'h': fputs(usage_text, stdout); exit(fflush(stdout) ? ALGO_EX_IOERR : ALGO_EX_OK);
		case OPT_VERSION: algo_print_version();
		case ':': algo_usage_error("option '%s' needs a value", argv[optind - 1]);
		case '?':
			if (optopt) algo_usage_error("unknown option '-%c'", optopt);
			algo_usage_error("unknown option '%s'", argv[optind - 1]);
		default: parse_option(c, optarg, o);
		}
	}
	if (optind < argc)
		algo_usage_error("unexpected argument '%s' (events are read from stdin)", argv[optind]);
	if (o->charges && o->have_bps)
		algo_usage_error("--charges and --commission-bps are mutually exclusive");
	if (!o->charges && !o->have_bps && getenv("ALGO_CHARGES") && *getenv("ALGO_CHARGES"))
		o->charges = getenv("ALGO_CHARGES");
}

/* The cost model; --charges NAME is a path or a table name (lib/costs.h). */
static void set_costs(struct opts *o, struct algo_costs *costs)
{
	char path[PATH_MAX], err[ALGO_ERR_MAX];
	if (o->have_bps) {
		o->cfg.cost_model = ALGO_COST_BPS;
	} else if (o->charges && strcmp(o->charges, "none") == 0) {
		o->cfg.cost_model = ALGO_COST_TABLE_NONE;
	} else if (o->charges) {
		if (algo_costs_find(o->charges, path, sizeof path, err, sizeof err) ||
		    algo_costs_load(costs, path, err, sizeof err))
			algo_die(errno == ENOENT ? ALGO_EX_NOINPUT : ALGO_EX_CONFIG, "%s", err);
		o->cfg.cost_model = ALGO_COST_TABLE;
		o->cfg.costs = costs;
	}
}

static void warn_line(const char *msg)
{
	algo_warn("%s", msg);
}

static void warn_note(void *arg, const char *msg)
{
	(void)arg;
	algo_warn("%s", msg);
}

/* What the run leaves to say on stderr. */
static void final_notes(const struct algo_executor *ex, const struct algo_fillsim *fs,
	const struct algo_costs *costs, int code)
{
	size_t working = algo_executor_working(ex);
	if (working && code == ALGO_EX_OK)
		algo_warn("%zu order%s still working at end of input", working, working == 1 ? "" : "s");
	if (fs->ambiguous)
		algo_warn("%ld ambiguous bar%s: both legs inside one bar's range, %s leg assumed first",
			fs->ambiguous, fs->ambiguous == 1 ? "" : "s",
			fs->cfg.optimistic ? "the target" : "the stop-loss");
	if (fs->cfg.cost_model == ALGO_COST_TABLE && code == ALGO_EX_OK)
		algo_warn("charges table: %s", costs->name);
}

/* With --state or $ALGO_STATE: the executor goes on from its saved state, and input it
 * already processed is answered from its record (the restart contract). */
static int open_state(const struct opts *o, struct algo_store *store, struct algo_executor *ex,
	struct algo_stage *st, char *key, size_t keylen)
{
	const char *env = getenv("ALGO_STATE");
	char path[4096], err[ALGO_ERR_MAX];
	int rc;
	if (!o->state && !(env && *env))
		return 0;
	if (algo_cli_state_path(o->state, path, sizeof path))
		algo_usage_error("cannot work out the state path: set --state or $ALGO_STATE");
	if (algo_store_open(store, path, err, sizeof err) < 0)
		algo_die(ALGO_EX_CANTCREAT, "%s", err);
	snprintf(key, keylen, "algo-exec-paper/%s", o->user);
	if ((rc = algo_executor_open(ex, store, key, err, sizeof err)))
		algo_die(rc == -2 ? ALGO_EX_DATAERR : ALGO_EX_IOERR, "%s", err);
	st->store = store;
	st->replay_key = key;
	return 1;
}

int main(int argc, char **argv)
{
	static const struct algo_stage_ops ops = { .event = algo_executor_event,
		.idle = algo_executor_idle, .end = algo_executor_end, .save = algo_executor_save };
	struct algo_costs costs;
	struct algo_fillsim fs;
	struct algo_executor ex;
	struct algo_store store;
	struct algo_stage st;
	struct opts o;
	char key[ALGO_REPLAY_KEY_MAX];
	int code, have_state;

	algo_cli_init(argv[0]);
	memset(&costs, 0, sizeof costs);
	parse_args(argc, argv, &o);
	set_costs(&o, &costs);

	algo_fillsim_init(&fs, &o.cfg);
	algo_executor_init(&ex, &algo_fillsim_venue, &fs, warn_note, NULL);
	ex.fees_full = o.cfg.cost_model == ALGO_COST_TABLE || o.cfg.cost_model == ALGO_COST_TABLE_NONE;
	ex.square_off = o.cfg.square_off;
	/* algo-risk's bound on what fills may cost and how far they may stray */
	ex.chan.slip_bps = o.cfg.slippage_bps;
	ex.chan.slip_abs = o.cfg.slippage_ticks * o.cfg.tick_size;
	ex.chan.fee_bps = (o.cfg.cost_model == ALGO_COST_BPS ? o.cfg.commission_bps : 0) + 100 * 10000;

	algo_stage_init(&st, &ops, &ex);
	st.skip_bad = o.skip_bad;
	st.warn = warn_line;
	have_state = open_state(&o, &store, &ex, &st, key, sizeof key);
	code = algo_stage_run(&st);
	final_notes(&ex, &fs, &costs, code);

	algo_executor_free(&ex);
	if (have_state)
		algo_store_close(&store);
	algo_fillsim_free(&fs);
	algo_costs_free(&costs);
	return algo_out_finish(code);
}
