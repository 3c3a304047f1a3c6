/* sweep — the results of a parameter sweep: every variant's metrics (read from its
 * algo-ledger report JSON), the moments of its daily returns, the ranking by one
 * metric, and the deflated Sharpe ratio (Bailey and López de Prado 2014) that says
 * how much of the best result the number of variants tried can explain.
 *
 * With per-day (not annualised) Sharpe estimates SR, over T daily returns with
 * skewness g3 and kurtosis g4 (not excess):
 *   PSR(SR*) = Phi((SR - SR*) sqrt(T - 1) / sqrt(1 - g3 SR + (g4 - 1)/4 SR^2))
 *   SR0      = sqrt(V) ((1 - gamma) Phi^-1(1 - 1/N) + gamma Phi^-1(1 - 1/(N e)))
 *   DSR      = PSR(SR0)
 * where N is the number of variants tried (the raw count), V the sample variance
 * (N - 1) of the defined Sharpe estimates, gamma the Euler-Mascheroni constant.
 * Moments are the population ones: g3 = m3 / m2^1.5, g4 = m4 / m2^2 with
 * m_k = mean((r - mean)^k); SR = mean / sd with the sample (n - 1) sd, as in the
 * report's Sharpe. Undefined numbers are NaN.
 *
 * Tables go to a caller's FILE (text, CSV, NDJSON), like lib/report.c. */
#ifndef ALGO_SWEEP_H
#define ALGO_SWEEP_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "grid.h"

/* ---- statistics ------------------------------------------------------------------- */

/* Standard normal CDF, and its inverse for 0 < p < 1 (NaN outside; full double
 * precision: Newton steps on erfc). */
double algo_norm_cdf(double x);
double algo_norm_inv(double p);

struct algo_moments {
	size_t n;
	double mean, sd;            /* sd: sample (n - 1) */
	double skew, kurt;          /* population moments; kurt not excess (normal: 3) */
	double sr;                  /* mean / sd, per period */
};
/* Moments of r[0..n). */
void algo_moments_of(const double *r, size_t n, struct algo_moments *m);

/* PSR(sr_star) of an estimate sr over T returns (see the top). */
double algo_psr(double sr, double sr_star, size_t T, double skew, double kurt);
/* SR0: the expected maximum Sharpe of N trials of no skill whose estimates have
 * variance var; NaN when N < 2. */
double algo_expected_max_sr(double var, size_t N);

/* ---- the results table ----------------------------------------------------------- */

enum algo_sweep_metric {
	ALGO_M_TRADES, ALGO_M_NET_PNL, ALGO_M_RETURN, ALGO_M_CAGR, ALGO_M_SHARPE, ALGO_M_SORTINO,
	ALGO_M_CALMAR, ALGO_M_MAXDD, ALGO_M_WINRATE, ALGO_M_PF, ALGO_M_EXPECTANCY, ALGO_M_SQN,
	ALGO_M_EXPOSURE, ALGO_M_DSR, ALGO_M_COUNT
};

/* The metric called name (as in the report JSON: "sharpe", "net_pnl",
 * "max_drawdown_pct", …, and "dsr"), or -1. */
int algo_sweep_metric_find(const char *name);
const char *algo_sweep_metric_name(int m);
/* The names, comma-separated, for messages. */
const char *algo_sweep_metric_list(void);
/* Whether a lower value ranks higher (max_drawdown_pct). */
int algo_sweep_lower_is_better(int m);

struct algo_sweep_day {
	char day[11];               /* YYYY-MM-DD */
	int64_t equity, pnl;        /* decimals (1/10,000 rupee) */
};

struct algo_sweep_row {
	size_t id;                  /* variant number (1-based, the grid's order) */
	double vals[ALGO_GRID_AXES_MAX];
	double m[ALGO_M_COUNT];     /* NaN = undefined */
	struct algo_moments mo;     /* of the daily returns */
	struct algo_sweep_day *days;
	size_t ndays;
	int64_t capital;            /* starting equity (decimal) */
};

struct algo_sweep {
	int naxes;
	char names[ALGO_GRID_AXES_MAX][ALGO_PARAM_NAME_MAX + 1];
	struct algo_sweep_row *rows;
	size_t n, cap;
	size_t tried;               /* N: variants tried (rows, unless set otherwise) */
	int rank;                   /* the metric rows are sorted by */
	/* after algo_sweep_finish: */
	double var, sr0;            /* V and SR0 (per day) */
	long best;                  /* row of the best raw Sharpe, -1 when none */
};

/* An empty table of variants with the parameter names names[naxes]. */
void algo_sweep_init(struct algo_sweep *s, int naxes, char names[][ALGO_PARAM_NAME_MAX + 1]);
void algo_sweep_free(struct algo_sweep *s);

/* Adds variant id with parameter values vals[naxes] and its report (the JSON object
 * algo-ledger report --format json writes, len bytes). Returns 0, or -1 with err
 * ("not a report: …", "out of memory"). */
int algo_sweep_add(struct algo_sweep *s, size_t id, const double *vals, const char *json, size_t len,
	char *err, size_t errlen);

/* algo_sweep_add with the report read from the file path. Returns 0, or -1 with err
 * ("PATH: No such file or directory", "PATH: not a report: …"). */
int algo_sweep_add_file(struct algo_sweep *s, size_t id, const double *vals, const char *path, char *err,
	size_t errlen);

/* Reads a sweep from files: variants (one line per variant, "name=value" fields
 * separated by tabs, as algo-variants grid writes; line i is variant i), the results
 * directory (file DIR/i holds variant i's report JSON, as GNU parallel --results
 * DIR/{#} leaves it) and, when joblog is not NULL, parallel's --joblog (a variant
 * counts only when its last entry there has exit value 0 and no signal). s is
 * initialised here. Returns 0; -1 with err for unreadable or malformed input
 * ("FILE:LINE: …"); -2 when some variants have no complete result (err lists them:
 * "3 of 9 variants have no result: 4 (exit 65), 5, 6"). Free s in every case. */
int algo_sweep_gather(struct algo_sweep *s, const char *variants, const char *results, const char *joblog,
	char *err, size_t errlen);

/* Computes V, SR0 and every row's DSR, and sorts the rows by metric rank (best
 * first; undefined values last; ties by variant number). */
void algo_sweep_finish(struct algo_sweep *s, int rank);

enum { ALGO_SWEEP_TABLE, ALGO_SWEEP_CSV, ALGO_SWEEP_NDJSON };
/* Writes the sorted table and the statement of how many variants were tried with
 * the deflated Sharpe of the best (TABLE: aligned columns then the statement; CSV:
 * a header and rows with the columns trials and dsr; NDJSON: "sweep_variant" lines then one
 * "sweep_summary" line). Returns 0, or -1 on a write error. */
int algo_sweep_write(FILE *f, const struct algo_sweep *s, int fmt);
/* Writes the statement alone (a blank line, then how many variants were tried, the
 * best raw Sharpe and its deflated Sharpe ratio), as the TABLE format ends. */
void algo_sweep_write_statement(FILE *f, const struct algo_sweep *s);

/* ---- algo-variants table and dsr ---------------------------------------------------- */

/* The size the messages of the sweep's files are cut to by the entry points below. */
#define ALGO_SWEEP_ERR_MAX 1024

/* The files a sweep's results are read from (algo_sweep_gather); joblog may be NULL. */
struct algo_sweep_files {
	const char *variants, *results, *joblog;
};

/* algo_sweep_gather then algo_sweep_finish by rank. Returns 0, or an exit code (algo(7))
 * with err set: ALGO_EX_FAIL when some variants have no complete result,
 * ALGO_EX_DATAERR for unreadable or malformed input. s is freed on error. */
int algo_sweep_load(struct algo_sweep *s, const struct algo_sweep_files *in, int rank, char *err, size_t errlen);
/* The sweep of in, ranked by rank, written to f in fmt. Returns 0, or an exit code with
 * err set (algo_sweep_load; ALGO_EX_IOERR with err "" for a write error). */
int algo_sweep_table(FILE *f, const struct algo_sweep_files *in, int rank, int fmt, char *err, size_t errlen);
/* Writes the expected maximum Sharpe of trials variants whose Sharpe estimates have
 * variance var, and the deflated Sharpe ratio of sharpe over days daily returns of
 * skewness skew and kurtosis kurt: "expected_max_sharpe X" and "deflated_sharpe Y"
 * (or "undefined"), %.10g. */
void algo_sweep_write_dsr(FILE *f, double sharpe, double var, size_t trials, size_t days, double skew, double kurt);

#endif
