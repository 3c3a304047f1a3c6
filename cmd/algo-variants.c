/* algo-variants — the arithmetic of algo-sweep, in C so the script needs no Python:
 * grids expanded into variants (checked against the strategy), the results table
 * ranked by one metric with the deflated Sharpe ratio, and the DSR calculator.
 * lib/grid.c and lib/sweep.c hold the logic. */
#include "cli.h"
#include "grid.h"
#include "heatmap.h"
#include "strategy.h"
#include "sweep.h"
#include "walkforward.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
	"Usage: algo-variants grid [-s STRATEGY] [--grid NAME=VALUES]... [--grid-file FILE]...\n"
	"       algo-variants table --variants FILE --results DIR [--joblog FILE]\n"
	"                           [--rank METRIC] [--format table|csv|ndjson]\n"
	"       algo-variants heatmap --variants FILE --results DIR [--joblog FILE]\n"
	"                             [--rank METRIC]\n"
	"       algo-variants windows --walk-forward IN:OUT < EVENTS\n"
	"       algo-variants walk --walk-forward IN:OUT --dir DIR [--rank METRIC]\n"
	"                          [--format table|csv|ndjson]\n"
	"       algo-variants dsr --sharpe SR --trials N --variance V --days T\n"
	"                         [--skewness G3] [--kurtosis G4]\n"
	"The arithmetic behind algo-sweep. 'grid' writes one variant per line (NAME=VALUE\n"
	"fields separated by tabs), each checked against the strategy; 'table' ranks the\n"
	"variants' report JSON files and states the deflated Sharpe ratio of the best;\n"
	"'heatmap' writes the same ranking of a two-parameter grid as an HTML heatmap;\n"
	"'windows' lists the walk-forward windows over the sessions of an event stream;\n"
	"'walk' gathers a walk-forward run (each window's best in-sample variant and its\n"
	"out-of-sample report) into one stitched out-of-sample result;\n"
	"'dsr' computes the deflated Sharpe ratio from per-day statistics.\n"
	"\n"
	"  -s, --strategy FILE   grid: check every variant against this strategy file\n"
	"  -g, --grid NAME=VALUES  grid: an axis: values and ranges A..B[:STEP], e.g.\n"
	"                        fast=5..15:2 or slow=20,26,30,40 (repeatable)\n"
	"      --grid-file FILE  grid: axes from FILE, one NAME=VALUES per line ('#' comments)\n"
	"      --variants FILE   table, heatmap: the variants, as 'grid' wrote them\n"
	"      --results DIR     table, heatmap: DIR/N holds variant N's algo-ledger report JSON\n"
	"      --joblog FILE     table, heatmap: GNU parallel's --joblog; only variants that\n"
	"                        exited 0\n"
	"      --rank METRIC     table, heatmap: sort by METRIC (default sharpe;\n"
	"                        max_drawdown_pct sorts lowest first)\n"
	"      --format FMT      table, walk: table (default), csv or ndjson\n"
	"      --walk-forward IN:OUT  windows, walk: in-sample and out-of-sample lengths,\n"
	"                        e.g. 6M:1M or 3D:1D (D sessions, W weeks, M months)\n"
	"      --dir DIR         walk: the walk-forward directory algo-sweep keeps\n"
	"      --sharpe SR       dsr: the best variant's Sharpe per day (not annualised)\n"
	"      --trials N        dsr: the number of variants tried\n"
	"      --variance V      dsr: the variance of the variants' per-day Sharpe ratios\n"
	"      --days T          dsr: the number of daily returns\n"
	"      --skewness G3     dsr: skewness of the best's daily returns (default 0)\n"
	"      --kurtosis G4     dsr: kurtosis, not excess (default 3)\n"
	"  -h, --help            print this help and exit\n"
	"      --version         print the version and exit\n";

enum { OPT_GRID_FILE = 256, OPT_WALK, OPT_DIR, OPT_VARIANTS, OPT_RESULTS, OPT_JOBLOG, OPT_RANK, OPT_FORMAT, OPT_SHARPE,
	OPT_TRIALS, OPT_VARIANCE, OPT_DAYS, OPT_SKEW, OPT_KURT, OPT_VERSION };

static const struct option options[] = {
	{ "strategy", required_argument, NULL, 's' },
	{ "grid", required_argument, NULL, 'g' },
	{ "grid-file", required_argument, NULL, OPT_GRID_FILE },
	{ "walk-forward", required_argument, NULL, OPT_WALK },
	{ "dir", required_argument, NULL, OPT_DIR },
	{ "variants", required_argument, NULL, OPT_VARIANTS },
	{ "results", required_argument, NULL, OPT_RESULTS },
	{ "joblog", required_argument, NULL, OPT_JOBLOG },
	{ "rank", required_argument, NULL, OPT_RANK },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "sharpe", required_argument, NULL, OPT_SHARPE },
	{ "trials", required_argument, NULL, OPT_TRIALS },
	{ "variance", required_argument, NULL, OPT_VARIANCE },
	{ "days", required_argument, NULL, OPT_DAYS },
	{ "skewness", required_argument, NULL, OPT_SKEW },
	{ "kurtosis", required_argument, NULL, OPT_KURT },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

struct opts {
	const char *strategy, *variants, *results, *joblog, *dir;
	struct algo_wf_spec wf;
	int rank, format, have_wf;
	double sharpe, variance, skew, kurt;
	long long trials, days;
	int have_sharpe, have_variance;
};

/* ---- grid ----------------------------------------------------------------------------- */

#define SHOW_MAX 10     /* failing variants whose problems are printed */

/* Checks every variant against the strategy: prints the problems of the first few
 * that fail. Returns the exit code. */
/* Every axis must be a parameter the strategy declares: said once, not per variant.
 * Returns the exit code. */
static int check_names(const struct algo_grid *g, const char *file)
{
	struct algo_errlist errs;
	struct algo_strategy *s;
	struct algo_params pp;
	int code = ALGO_EX_OK;
	algo_errlist_init(&errs);
	if (!(s = algo_strategy_load(file, &errs))) {
		for (size_t k = 0; k < errs.n; k++) algo_warn("%s", errs.msg[k]);
		code = errs.missing ? ALGO_EX_NOINPUT : ALGO_EX_CONFIG;
		algo_errlist_free(&errs);
		return code;
	}
	pp = *algo_strategy_params(s);
	for (int a = 0; a < g->naxes; a++) {
		char assign[ALGO_PARAM_NAME_MAX + 8], err[512];
		snprintf(assign, sizeof assign, "%s=0", g->ax[a].name);
		if (algo_params_override(&pp, assign, err, sizeof err) == 0) {
			algo_warn("--grid %s: %s: %s", g->ax[a].name, file, err);
			code = ALGO_EX_CONFIG;
		}
	}
	algo_strategy_free(s);
	algo_errlist_free(&errs);
	return code;
}

static int check_variants(const struct algo_grid *g, const char *file)
{
	size_t n = algo_grid_count(g), bad = 0;
	const char *assign[ALGO_GRID_AXES_MAX];
	char text[ALGO_GRID_AXES_MAX][ALGO_PARAM_NAME_MAX + 48];
	int code = ALGO_EX_OK;
	for (size_t i = 0; i < n; i++) {
		double vals[ALGO_GRID_AXES_MAX];
		struct algo_errlist errs;
		struct algo_param_overrides ov = { assign, g->naxes, 0, NULL };
		struct algo_strategy *s;
		algo_grid_variant(g, i, vals);
		for (int a = 0; a < g->naxes; a++) {
			char num[40];
			algo_expr_fmt_num(vals[a], num, sizeof num);
			snprintf(text[a], sizeof text[a], "%s=%s", g->ax[a].name, num);
			assign[a] = text[a];
		}
		algo_errlist_init(&errs);
		if ((s = algo_strategy_load_with(file, &ov, &errs))) {
			algo_strategy_free(s);
			algo_errlist_free(&errs);
			continue;
		}
		if (errs.missing) {
			algo_warn("%s", errs.msg[0]);
			algo_errlist_free(&errs);
			return ALGO_EX_NOINPUT;
		}
		if (++bad <= SHOW_MAX) {
			char v[512];
			algo_grid_variant_text(g, i, " ", v, sizeof v);
			for (size_t k = 0; k < errs.n; k++) algo_warn("variant %zu (%s): %s", i + 1, v, errs.msg[k]);
		}
		algo_errlist_free(&errs);
		code = ALGO_EX_CONFIG;
	}
	if (bad > SHOW_MAX) algo_warn("… and %zu more variants with problems", bad - SHOW_MAX);
	if (bad) algo_warn("%zu of %zu variants cannot run; nothing was started", bad, n);
	return code;
}

static int cmd_grid(int nspec, char **specs, int nfiles, char **gfiles, const char *strategy)
{
	struct algo_grid g;
	char err[1024], line[8192];
	int code = ALGO_EX_OK;
	algo_grid_init(&g);
	for (int i = 0; i < nspec; i++)
		if (algo_grid_add(&g, specs[i], err, sizeof err) < 0) {
			algo_grid_free(&g);
			algo_usage_error("--grid %s", err);
		}
	for (int i = 0; i < nfiles; i++)
		if (algo_grid_load(&g, gfiles[i], err, sizeof err) < 0) {
			FILE *f = fopen(gfiles[i], "r");
			algo_warn("%s", err);
			algo_grid_free(&g);
			if (!f) return ALGO_EX_NOINPUT;
			fclose(f);
			return ALGO_EX_CONFIG;
		}
	if (!g.naxes) algo_usage_error("no grid: give --grid NAME=VALUES or --grid-file FILE");
	if (strategy && (code = check_names(&g, strategy)) == ALGO_EX_OK) code = check_variants(&g, strategy);
	for (size_t i = 0, n = algo_grid_count(&g); code == ALGO_EX_OK && i < n; i++) {
		algo_grid_variant_text(&g, i, "\t", line, sizeof line);
		puts(line);
	}
	algo_grid_free(&g);
	return code;
}

/* ---- table ---------------------------------------------------------------------------- */

/* The sweep's results, ranked; prints why not and returns the exit code otherwise. */
static int gather(struct algo_sweep *s, const struct opts *o, const char *sub)
{
	char err[1024];
	int rc;
	if (!o->variants || !o->results) algo_usage_error("%s needs --variants FILE and --results DIR", sub);
	rc = algo_sweep_gather(s, o->variants, o->results, o->joblog, err, sizeof err);
	if (rc < 0) {
		algo_warn("%s", err);
		algo_sweep_free(s);
		return rc == -2 ? ALGO_EX_FAIL : ALGO_EX_DATAERR;
	}
	algo_sweep_finish(s, o->rank);
	return ALGO_EX_OK;
}

static int cmd_table(const struct opts *o)
{
	struct algo_sweep s;
	int rc = gather(&s, o, "table");
	if (rc != ALGO_EX_OK) return rc;
	rc = algo_sweep_write(stdout, &s, o->format);
	algo_sweep_free(&s);
	return rc < 0 ? ALGO_EX_IOERR : ALGO_EX_OK;
}

static int cmd_heatmap(const struct opts *o)
{
	struct algo_sweep s;
	char err[256];
	int x, y, rc = gather(&s, o, "heatmap");
	if (rc != ALGO_EX_OK) return rc;
	if (algo_heatmap_axes(&s, &x, &y, err, sizeof err) < 0) {
		algo_warn("%s: %s", o->variants, err);
		algo_sweep_free(&s);
		return ALGO_EX_DATAERR;
	}
	rc = algo_heatmap_write(stdout, &s, x, y, err, sizeof err);
	algo_sweep_free(&s);
	if (rc < 0) algo_warn("heatmap: %s", err);
	return rc < 0 ? ALGO_EX_IOERR : ALGO_EX_OK;
}

/* ---- walk-forward ---------------------------------------------------------------------- */

static int cmd_windows(const struct opts *o)
{
	struct algo_wf_window *w;
	int64_t *days;
	size_t n;
	long k;
	char err[512];
	if (!o->have_wf) algo_usage_error("windows needs --walk-forward IN:OUT");
	if (algo_wf_read_days(stdin, "stdin", &days, &n, err, sizeof err) < 0) {
		algo_warn("%s", err);
		return ALGO_EX_DATAERR;
	}
	k = algo_wf_windows(days, n, &o->wf, &w, err, sizeof err);
	free(days);
	if (k < 0) {
		algo_warn("--walk-forward: %s", err);
		return ALGO_EX_DATAERR;
	}
	algo_wf_write_windows(stdout, w, (size_t)k);
	free(w);
	return ALGO_EX_OK;
}

static int cmd_walk(const struct opts *o)
{
	struct algo_wf_result *res;
	struct algo_wf_total t;
	char err[1024];
	long n;
	int rc;
	if (!o->have_wf || !o->dir) algo_usage_error("walk needs --walk-forward IN:OUT and --dir DIR");
	if ((n = algo_wf_gather(o->dir, o->rank, &res, err, sizeof err)) < 0) {
		algo_warn("%s", err);
		return n == -2 ? ALGO_EX_FAIL : ALGO_EX_DATAERR;
	}
	if (algo_wf_stitch(res, (size_t)n, &t, err, sizeof err) < 0) {
		algo_warn("%s", err);
		algo_wf_total_free(&t);
		algo_wf_results_free(res, (size_t)n);
		return ALGO_EX_DATAERR;
	}
	rc = algo_wf_write(stdout, &o->wf, res, (size_t)n, &t,
		o->format == ALGO_SWEEP_CSV ? ALGO_WF_CSV : o->format == ALGO_SWEEP_NDJSON ? ALGO_WF_NDJSON : ALGO_WF_TABLE);
	algo_wf_total_free(&t);
	algo_wf_results_free(res, (size_t)n);
	return rc < 0 ? ALGO_EX_IOERR : ALGO_EX_OK;
}

/* ---- dsr ------------------------------------------------------------------------------- */

static int cmd_dsr(const struct opts *o)
{
	double sr0, dsr;
	if (!o->have_sharpe || !o->have_variance || !o->trials || !o->days)
		algo_usage_error("dsr needs --sharpe, --trials, --variance and --days");
	sr0 = algo_expected_max_sr(o->variance, (size_t)o->trials);
	dsr = algo_psr(o->sharpe, sr0, (size_t)o->days, o->skew, o->kurt);
	printf("expected_max_sharpe %.10g\n", sr0);
	if (isnan(dsr)) printf("deflated_sharpe undefined\n");
	else printf("deflated_sharpe %.10g\n", dsr);
	return ALGO_EX_OK;
}

/* ---- main ------------------------------------------------------------------------------- */

int main(int argc, char **argv)
{
	struct opts o = { .rank = ALGO_M_SHARPE, .format = ALGO_SWEEP_TABLE, .kurt = 3 };
	char **specs = calloc((size_t)argc + 1, sizeof *specs), **gfiles = calloc((size_t)argc + 1, sizeof *gfiles);
	int nspec = 0, nfiles = 0, c, code;
	const char *sub;
	char err[256];

	algo_cli_init(argv[0]);
	if (!specs || !gfiles) algo_die(ALGO_EX_FAIL, "out of memory");
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":s:g:h", options, NULL)) != -1) {
		switch (c) {
		case 's': o.strategy = optarg; break;
		case 'g': specs[nspec++] = optarg; break;
		case OPT_GRID_FILE: gfiles[nfiles++] = optarg; break;
		case OPT_WALK:
			if (algo_wf_parse(optarg, &o.wf, err, sizeof err) < 0) algo_usage_error("--walk-forward: %s", err);
			o.have_wf = 1;
			break;
		case OPT_DIR: o.dir = optarg; break;
		case OPT_VARIANTS: o.variants = optarg; break;
		case OPT_RESULTS: o.results = optarg; break;
		case OPT_JOBLOG: o.joblog = optarg; break;
		case OPT_RANK:
			if ((o.rank = algo_sweep_metric_find(optarg)) < 0)
				algo_usage_error("--rank: '%s' is not a metric (%s)", optarg, algo_sweep_metric_list());
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "table") == 0) o.format = ALGO_SWEEP_TABLE;
			else if (strcmp(optarg, "csv") == 0) o.format = ALGO_SWEEP_CSV;
			else if (strcmp(optarg, "ndjson") == 0) o.format = ALGO_SWEEP_NDJSON;
			else algo_usage_error("--format: '%s' is not table, csv or ndjson", optarg);
			break;
		case OPT_SHARPE: o.sharpe = algo_cli_double("--sharpe", optarg, -1e6, 1e6); o.have_sharpe = 1; break;
		case OPT_TRIALS: o.trials = algo_cli_int("--trials", optarg, 1, 1000000000); break;
		case OPT_VARIANCE: o.variance = algo_cli_double("--variance", optarg, 0, 1e12); o.have_variance = 1; break;
		case OPT_DAYS: o.days = algo_cli_int("--days", optarg, 1, 1000000000); break;
		case OPT_SKEW: o.skew = algo_cli_double("--skewness", optarg, -1e6, 1e6); break;
		case OPT_KURT: o.kurt = algo_cli_double("--kurtosis", optarg, 0, 1e12); break;
		case 'h':
			fputs(usage_text, stdout);
			free(specs);
			free(gfiles);
			return fflush(stdout) ? ALGO_EX_IOERR : ALGO_EX_OK;
		case OPT_VERSION: algo_print_version();
		case ':': algo_usage_error("option '%s' needs a value", argv[optind - 1]);
		default:
			if (optopt) algo_usage_error("unknown option '-%c'", optopt);
			algo_usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc) algo_usage_error("give a sub-command: grid, table, heatmap, windows, walk or dsr");
	sub = argv[optind++];
	if (optind < argc) algo_usage_error("unexpected argument '%s'", argv[optind]);
	if (strcmp(sub, "grid") == 0) code = cmd_grid(nspec, specs, nfiles, gfiles, o.strategy);
	else if (strcmp(sub, "table") == 0) code = cmd_table(&o);
	else if (strcmp(sub, "heatmap") == 0) code = cmd_heatmap(&o);
	else if (strcmp(sub, "windows") == 0) code = cmd_windows(&o);
	else if (strcmp(sub, "walk") == 0) code = cmd_walk(&o);
	else if (strcmp(sub, "dsr") == 0) code = cmd_dsr(&o);
	else algo_usage_error("'%s' is not a sub-command (grid, table, heatmap, windows, walk, dsr)", sub);
	free(specs);
	free(gfiles);
	if (fflush(stdout) || ferror(stdout)) {
		algo_warn("write error on stdout");
		return ALGO_EX_IOERR;
	}
	return code;
}
