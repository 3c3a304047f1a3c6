/* gridcheck — a grid checked against its strategy; see gridcheck.h. */
#include "gridcheck.h"
#include "cli.h"
#include "expr.h"
#include "strategy.h"
#include <stdarg.h>
#include <stdio.h>

static void tell(algo_gridcheck_warn *warn, void *arg, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void tell(algo_gridcheck_warn *warn, void *arg, const char *fmt, ...)
{
	char msg[8192];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	warn(arg, msg);
}

/* Every axis must be a parameter the strategy declares. */
static int check_names(const struct algo_grid *g, const char *file, algo_gridcheck_warn *warn, void *arg)
{
	struct algo_errlist errs;
	struct algo_strategy *s;
	struct algo_params pp;
	int code = ALGO_EX_OK;
	algo_errlist_init(&errs);
	if (!(s = algo_strategy_load(file, &errs))) {
		for (size_t k = 0; k < errs.n; k++)
			tell(warn, arg, "%s", errs.msg[k]);
		code = errs.missing ? ALGO_EX_NOINPUT : ALGO_EX_CONFIG;
		algo_errlist_free(&errs);
		return code;
	}
	pp = *algo_strategy_params(s);
	for (int a = 0; a < g->naxes; a++) {
		char assign[ALGO_PARAM_NAME_MAX + 8], err[512];
		snprintf(assign, sizeof assign, "%s=0", g->ax[a].name);
		if (algo_params_override(&pp, assign, err, sizeof err) == 0) {
			tell(warn, arg, "--grid %s: %s: %s", g->ax[a].name, file, err);
			code = ALGO_EX_CONFIG;
		}
	}
	algo_strategy_free(s);
	algo_errlist_free(&errs);
	return code;
}

/* Loads the strategy with variant i's values: 1 when it loads, 0 when not (problems
 * in errs). */
static int variant_loads(const struct algo_grid *g, size_t i, const char *file, struct algo_errlist *errs)
{
	const char *assign[ALGO_GRID_AXES_MAX];
	char text[ALGO_GRID_AXES_MAX][ALGO_PARAM_NAME_MAX + 48];
	double vals[ALGO_GRID_AXES_MAX];
	struct algo_param_overrides ov = { assign, g->naxes, 0, NULL };
	struct algo_strategy *s;
	algo_grid_variant(g, i, vals);
	for (int a = 0; a < g->naxes; a++) {
		char num[40];
		algo_expr_fmt_num(vals[a], num, sizeof num);
		snprintf(text[a], sizeof text[a], "%s=%s", g->ax[a].name, num);
		assign[a] = text[a];
	}
	if (!(s = algo_strategy_load_with(file, &ov, errs)))
		return 0;
	algo_strategy_free(s);
	return 1;
}

static int check_variants(const struct algo_grid *g, const char *file, algo_gridcheck_warn *warn, void *arg)
{
	size_t n = algo_grid_count(g), bad = 0;
	int code = ALGO_EX_OK;
	for (size_t i = 0; i < n; i++) {
		struct algo_errlist errs;
		algo_errlist_init(&errs);
		if (variant_loads(g, i, file, &errs)) {
			algo_errlist_free(&errs);
			continue;
		}
		if (errs.missing) {
			tell(warn, arg, "%s", errs.msg[0]);
			algo_errlist_free(&errs);
			return ALGO_EX_NOINPUT;
		}
		if (++bad <= ALGO_GRIDCHECK_SHOW) {
			char v[512];
			algo_grid_variant_text(g, i, " ", v, sizeof v);
			for (size_t k = 0; k < errs.n; k++)
				tell(warn, arg, "variant %zu (%s): %s", i + 1, v, errs.msg[k]);
		}
		algo_errlist_free(&errs);
		code = ALGO_EX_CONFIG;
	}
	if (bad > ALGO_GRIDCHECK_SHOW)
		tell(warn, arg, "… and %zu more variants with problems", bad - ALGO_GRIDCHECK_SHOW);
	if (bad)
		tell(warn, arg, "%zu of %zu variants cannot run; nothing was started", bad, n);
	return code;
}

int algo_gridcheck(const struct algo_grid *g, const char *strategy, algo_gridcheck_warn *warn, void *arg)
{
	int code = check_names(g, strategy, warn, arg);
	return code ? code : check_variants(g, strategy, warn, arg);
}
