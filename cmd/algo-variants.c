/* algo-variants — the arithmetic of algo-sweep, in C so the script needs no Python:
 * grids expanded into variants (lib/grid) checked against the strategy
 * (lib/gridcheck), the results table ranked by one metric with the deflated Sharpe
 * ratio and the DSR calculator (lib/sweep), the heatmap (lib/heatmap), walk-forward
 * windows and results (lib/walkforward). Options and wiring only. */
#include "algo-variants-opts.h"
#include "gridcheck.h"
#include "heatmap.h"
#include "walkforward.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct opts {
	char **specs, **gfiles;
	int nspec, nfiles;
	const char *strategy, *dir;
	struct algo_sweep_files in;
	struct algo_wf_spec wf;
	int rank, format, have_wf;
	double sharpe, variance, skew, kurt;
	long long trials, days;
	int have_sharpe, have_variance;
};

/* The grid's variants, one a line, once they all load with the strategy. */
static int grid(const struct opts *o, char *err, size_t errlen)
{
	struct algo_grid g;
	int code = algo_grid_build(&g, o->specs, o->nspec, o->gfiles, o->nfiles, err, errlen);
	if (code == ALGO_EX_OK && o->strategy)
		code = algo_gridcheck(&g, o->strategy, algo_cli_warn_note, NULL);
	if (code == ALGO_EX_OK)
		algo_grid_write(stdout, &g, "\t");
	algo_grid_free(&g);
	return code;
}

static void need_results(const struct opts *o, const char *sub)
{
	if (!o->in.variants || !o->in.results)
		algo_usage_error("%s needs --variants FILE and --results DIR", sub);
}

/* Sub-command sub: its exit code, with err set when it has something to say. */
static int run(const char *sub, const struct opts *o, char *err, size_t errlen)
{
	if (strcmp(sub, "grid") == 0)
		return grid(o, err, errlen);
	if (strcmp(sub, "table") == 0)
		return need_results(o, sub), algo_sweep_table(stdout, &o->in, o->rank, o->format, err, errlen);
	if (strcmp(sub, "heatmap") == 0)
		return need_results(o, sub), algo_heatmap_page(stdout, &o->in, o->rank, err, errlen);
	if (strcmp(sub, "windows") == 0) {
		if (!o->have_wf) algo_usage_error("windows needs --walk-forward IN:OUT");
		return algo_wf_windows_of(stdin, "stdin", stdout, &o->wf, err, errlen);
	}
	if (strcmp(sub, "walk") == 0) {
		if (!o->have_wf || !o->dir) algo_usage_error("walk needs --walk-forward IN:OUT and --dir DIR");
		return algo_wf_walk(stdout, o->dir, o->rank, &o->wf, o->format, err, errlen);
	}
	if (strcmp(sub, "dsr") != 0)
		algo_usage_error("'%s' is not a sub-command (grid, table, heatmap, windows, walk, dsr)", sub);
	if (!o->have_sharpe || !o->have_variance || !o->trials || !o->days)
		algo_usage_error("dsr needs --sharpe, --trials, --variance and --days");
	algo_sweep_write_dsr(stdout, o->sharpe, o->variance, (size_t)o->trials, (size_t)o->days, o->skew, o->kurt);
	return ALGO_EX_OK;
}

int main(int argc, char **argv)
{
	struct opts o = { .rank = ALGO_M_SHARPE, .format = ALGO_SWEEP_TABLE, .kurt = 3 };
	int c, code;
	const char *sub;
	char err[8192] = "", wferr[256];

	algo_cli_init(argv[0]);
	o.specs = calloc((size_t)argc + 1, sizeof *o.specs), o.gfiles = calloc((size_t)argc + 1, sizeof *o.gfiles);
	if (!o.specs || !o.gfiles) algo_die(ALGO_EX_FAIL, "out of memory");
	while ((c = algo_cli_getopt(argc, argv, &algo_opts)) != -1) {
		switch (c) {
		case OPT_STRATEGY: o.strategy = optarg; break;
		case OPT_GRID: o.specs[o.nspec++] = optarg; break;
		case OPT_GRID_FILE: o.gfiles[o.nfiles++] = optarg; break;
		case OPT_WALK_FORWARD:
			if (algo_wf_parse(optarg, &o.wf, wferr, sizeof wferr) < 0) algo_usage_error("--walk-forward: %s", wferr);
			o.have_wf = 1;
			break;
		case OPT_DIR: o.dir = optarg; break;
		case OPT_VARIANTS: o.in.variants = optarg; break;
		case OPT_RESULTS: o.in.results = optarg; break;
		case OPT_JOBLOG: o.in.joblog = optarg; break;
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
		case OPT_SKEWNESS: o.skew = algo_cli_double("--skewness", optarg, -1e6, 1e6); break;
		case OPT_KURTOSIS: o.kurt = algo_cli_double("--kurtosis", optarg, 0, 1e12); break;
		}
	}
	if (optind >= argc) algo_usage_error("give a sub-command: grid, table, heatmap, windows, walk or dsr");
	sub = argv[optind++];
	if (optind < argc) algo_usage_error("unexpected argument '%s'", argv[optind]);
	if ((code = run(sub, &o, err, sizeof err)) == ALGO_EX_USAGE)
		algo_usage_error("%s", err);
	if (code && *err)
		algo_warn("%s", err);
	free(o.specs), free(o.gfiles);
	if (fflush(stdout) || ferror(stdout)) {
		algo_warn("write error on stdout");
		return ALGO_EX_IOERR;
	}
	return code;
}
