/* algo-exec-paper — fills orders on paper from the market events in the stream.
 *
 * The paper fill rules (lib/fillsim.h) on the executor seam (lib/executor.h), run by
 * the one stage loop (lib/stage.h): every event is copied through; fills and order
 * updates follow the event that caused them. The rules are in algo-exec-paper(1). */
#include "algo-exec-paper-opts.h"
#include "decimal.h"
#include "paperexec.h"
#include "stage.h"
#include "timeutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	case OPT_SLIPPAGE_BPS: cfg->slippage_bps = parse_bps("--slippage-bps", arg); break;
	case OPT_SLIPPAGE_TICKS: cfg->slippage_ticks = algo_cli_int("--slippage-ticks", arg, 0, 1000); break;
	case OPT_TICK_SIZE:
		cfg->tick_size = parse_dec("--tick-size", arg, 1, 1000 * ALGO_DEC_SCALE, "a price from 0.0001 to 1000");
		break;
	case OPT_COMMISSION_BPS: cfg->commission_bps = parse_bps("--commission-bps", arg); o->have_bps = 1; break;
	case OPT_CHARGES: o->charges = arg; break;
	case OPT_LATENCY_BARS: cfg->latency = (int)algo_cli_int("--latency-bars", arg, 0, 100000); break;
	case OPT_MAX_PARTICIPATION:
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
	case OPT_FNO_MARGIN_PCT:
		cfg->fno_margin = parse_dec("--fno-margin-pct", arg, 1, 100 * ALGO_DEC_SCALE,
			"a percentage above 0 and at most 100") / 100;
		break;
	case OPT_SKIP_BAD: o->skip_bad = 1; break;
	case OPT_STATE: o->state = arg; break;
	case OPT_USER:
		o->user = algo_cli_user(arg);
		break;
	}
}

static void parse_args(int argc, char **argv, struct opts *o)
{
	int c;
	memset(o, 0, sizeof *o);
	o->user = "default";
	algo_paperexec_defaults(&o->cfg);
	while ((c = algo_cli_getopt(argc, argv, &algo_opts)) != -1)
		parse_option(c, optarg, o);
	if (optind < argc)
		algo_usage_error("unexpected argument '%s' (events are read from stdin)", argv[optind]);
	if (o->charges && o->have_bps)
		algo_usage_error("--charges and --commission-bps are mutually exclusive");
	if (!o->charges && !o->have_bps && getenv("ALGO_CHARGES") && *getenv("ALGO_CHARGES"))
		o->charges = getenv("ALGO_CHARGES");
}


/* With --state or $ALGO_STATE: the executor goes on from its saved state, and input it
 * already processed is answered from its record (the restart contract). */
static int open_state(const struct opts *o, struct algo_store *store, struct algo_executor *ex,
	struct algo_stage *st, char *key, size_t keylen)
{
	char err[ALGO_ERR_MAX];
	int rc;
	if (!algo_cli_state_wanted(o->state))
		return 0;
	algo_cli_open_state(store, o->state);
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
	char key[ALGO_REPLAY_KEY_MAX], err[ALGO_ERR_MAX];
	int code, have_state;

	algo_cli_init(argv[0]);
	memset(&costs, 0, sizeof costs);
	parse_args(argc, argv, &o);
	if ((code = algo_paperexec_costs(&o.cfg, o.charges, o.have_bps, &costs, err, sizeof err)) != 0)
		algo_die(code, "%s", err);

	algo_fillsim_init(&fs, &o.cfg);
	algo_executor_init(&ex, &algo_fillsim_venue, &fs, algo_cli_warn_note, NULL);
	algo_paperexec_bind(&ex, &o.cfg);

	algo_stage_init(&st, &ops, &ex);
	st.skip_bad = o.skip_bad;
	st.warn = algo_cli_warn_line;
	have_state = open_state(&o, &store, &ex, &st, key, sizeof key);
	code = algo_stage_run(&st);
	algo_paperexec_notes(&ex, &fs, &costs, code, algo_cli_warn_note, NULL);

	algo_executor_free(&ex);
	if (have_state)
		algo_store_close(&store);
	algo_fillsim_free(&fs);
	algo_costs_free(&costs);
	return algo_out_finish(code);
}
