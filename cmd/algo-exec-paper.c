/* algo-exec-paper — fills orders on paper from the market events in the stream.
 *
 * The paper fill rules (lib/fillsim.h) on the executor seam (lib/executor.h), run by
 * the one stage loop (lib/stage.h), wired by lib/paperexec: every event is copied
 * through; fills and order updates follow the event that caused them. The rules are in
 * algo-exec-paper(1). Options and wiring only. */
#include "algo-exec-paper-opts.h"
#include "decimal.h"
#include "event.h"
#include "paperexec.h"
#include "timeutil.h"
#include <string.h>

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

static void parse_option(int c, const char *arg, struct algo_paperexec_opts *o)
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
	case OPT_USER: o->user = algo_cli_user(arg); break;
	}
}

int main(int argc, char **argv)
{
	struct algo_paperexec_opts o;
	const char *problem;
	char err[ALGO_ERR_MAX];
	int c, code;

	algo_cli_init(argv[0]);
	algo_paperexec_init(&o);
	o.note = algo_cli_warn_note;
	o.warn = algo_cli_warn_line;
	while ((c = algo_cli_getopt(argc, argv, &algo_opts)) != -1)
		parse_option(c, optarg, &o);
	if (optind < argc)
		algo_usage_error("unexpected argument '%s' (events are read from stdin)", argv[optind]);
	if ((problem = algo_paperexec_problem(&o)) != NULL)
		algo_usage_error("%s", problem);
	code = algo_paperexec_run(&o, err, sizeof err);
	if (err[0])
		algo_die(code, "%s", err);
	return algo_out_finish(code);
}
