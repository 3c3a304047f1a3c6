/* algo-variants — the arithmetic of algo-sweep, in C so the script needs no Python:
 * grids expanded into variants (checked against the strategy), the results table
 * ranked by one metric with the deflated Sharpe ratio, and the DSR calculator.
 * lib/grid.c, lib/gridcheck.c, lib/sweep.c and lib/walkforward.c hold the logic. */
#include "algo-variants-opts.h"
#include "gridcheck.h"
#include "heatmap.h"
#include "sweep.h"
#include "walkforward.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct opts {
	const char *strategy, *variants, *results, *joblog, *dir;
	struct algo_wf_spec wf;
	int rank, format, have_wf;
	double sharpe, variance, skew, kurt;
	long long trials, days;
	int have_sharpe, have_variance;
};

/* ---- grid ----------------------------------------------------------------------------- */

static void warn_note(void *arg, const char *msg) { algo_warn("%s", msg); }

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
	if (strategy)
		code = algo_gridcheck(&g, strategy, warn_note, NULL);
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
	while ((c = algo_cli_getopt(argc, argv, &algo_opts)) != -1) {
		switch (c) {
		case OPT_STRATEGY: o.strategy = optarg; break;
		case OPT_GRID: specs[nspec++] = optarg; break;
		case OPT_GRID_FILE: gfiles[nfiles++] = optarg; break;
		case OPT_WALK_FORWARD:
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
		case OPT_SKEWNESS: o.skew = algo_cli_double("--skewness", optarg, -1e6, 1e6); break;
		case OPT_KURTOSIS: o.kurt = algo_cli_double("--kurtosis", optarg, 0, 1e12); break;
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
