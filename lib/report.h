/* report — backtest/live report metrics (METRICS.md) over the ledger, their text,
 * JSON, CSV and self-contained HTML (inline SVG) renderings, run comparisons, and
 * the table/CSV/NDJSON queries of algo-ledger. Output goes to a caller's FILE. The text,
 * JSON and HTML reports show the buy-and-hold benchmark (lib/reportbench.h). */
#ifndef ALGO_REPORT_H
#define ALGO_REPORT_H
#include <stdio.h>
#include "ledger.h"
#include "reportbench.h"
#include "store.h"

#define ALGO_REPORT_P 252            /* periods (trading days) per year */

enum { ALGO_FMT_TEXT, ALGO_FMT_JSON, ALGO_FMT_CSV, ALGO_FMT_HTML, ALGO_FMT_TABLE, ALGO_FMT_NDJSON };

struct algo_report_day {
	char day[11];                    /* YYYY-MM-DD (IST) */
	int64_t equity;                  /* the day's last equity (carried when unchanged) */
	int64_t pnl;                     /* equity − the previous day's */
	double ret;                      /* pnl / the previous day's equity */
};

struct algo_report_point { int64_t ms, equity; };

struct algo_report {
	char user[ALGO_NAME_MAX], run[ALGO_LEDGER_RUN_MAX], strategy[ALGO_NAME_MAX];
	struct algo_ledger_report base;  /* PnL, charges, open positions, drawdown (rupees) */
	int64_t start_equity, end_equity;
	struct algo_report_point *curve; /* equity points (starting point first) */
	size_t ncurve;
	struct algo_report_day *days;
	size_t ndays;
	struct algo_trip *trips;
	size_t ntrips;
	/* METRICS.md; NaN when undefined (too few points, no losses, …) */
	double total_return, cagr, vol, sharpe, sortino, max_dd, calmar;
	int64_t dd_days, dd_recover_ms;  /* peak→trough calendar days; recovery -1 when none */
	int64_t dd_amount, dd_peak;      /* the largest % fall: rupees, and its peak equity */
	double win_rate, profit_factor, payoff, expectancy, expectancy_w, sqn, exposure;
	int64_t longs, shorts, best, worst, max_hold_ms, bars, bars_pos, ambiguous;
	double avg_hold_min;
	int64_t capital_rejects;         /* orders rejected for insufficient capital */
	int64_t capital_first_ms;        /* the first of them (when there are any) */
	char *run_record;                /* the run's record (lib/runrec.h) from its backtest
	                                    audit row, JSON; NULL when none was recorded */
	struct algo_bench bench;         /* buy and hold of the traded symbols (reportbench.h),
	                                    valued at each curve point */
};

/* What a report or query selects. */
struct algo_report_opts {
	const char *user;
	const char *run;                 /* NULL: all runs */
	const char *strategy;            /* NULL: all strategies */
	int64_t from_ms, to_ms;          /* from_ms <= ts < to_ms; INT64_MIN/MAX: none */
};

/* Binds o to st's parameters: ?1 user, ?2 run, ?3 strategy (NULL: all), ?4..?5 the time
 * range (from_ms <= ts < to_ms), and ?6..?7 the days d0..d1 when they are not NULL. */
void algo_report_bind(sqlite3_stmt *st, const struct algo_report_opts *o, const char *d0, const char *d1);

/* Computes the report o selects. Returns 0 (free with algo_report_free), or -1 with
 * err set. */
int algo_report_build(struct algo_store *s, const struct algo_report_opts *o, struct algo_report *r,
	char *err, size_t errlen);
void algo_report_free(struct algo_report *r);

/* Writes r to f in fmt (TEXT, JSON, CSV or HTML). Returns 0, or -1 on a write error. */
int algo_report_write(FILE *f, const struct algo_report *r, int fmt);

/* Writes the metrics of n reports side by side (TEXT, JSON, CSV or HTML). */
int algo_report_compare(FILE *f, const struct algo_report *r, size_t n, int fmt);

/* Runs query name (orders, fills, trades, positions, pnl, equity, audit, runs) for
 * o->user with o's filters and writes it in fmt (TABLE, CSV or NDJSON). Returns 0,
 * 1 for an unknown name, -1 with err set. */
int algo_report_query(struct algo_store *s, const char *name, const struct algo_report_opts *o,
	int fmt, FILE *f, char *err, size_t errlen);

#endif
