/* walkforward — the windows of a walk-forward test and its stitched out-of-sample
 * result. A spec "IN:OUT" ("6M:1M", "3D:1D", "2W:1W") gives the length of the
 * in-sample window each best variant is chosen on and of the out-of-sample window
 * that variant is then run on. Units: D = sessions (days that have data), W = weeks
 * (7 calendar days), M = calendar months (a day that a shorter month lacks becomes its
 * last day).
 *
 * Windows roll forward by OUT: the out-of-sample windows start IN after the first
 * session and follow each other without a gap or an overlap up to the last session
 * (the last one may be shorter); each in-sample window is the IN before its
 * out-of-sample one (cut at the first session). Dates are days since 1970-01-01 of
 * the IST calendar; a window is [from, to), to exclusive, as algo-feed's --from and
 * --to take them. A window whose in-sample or out-of-sample part has no session is
 * left out.
 *
 * The stitched out-of-sample equity chains each window's daily pnl onto one capital:
 * equity = capital + the sum of every out-of-sample day's pnl so far (exact decimal),
 * and the day's return is its pnl over the previous day's stitched equity. */
#ifndef ALGO_WALKFORWARD_H
#define ALGO_WALKFORWARD_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "sweep.h"

struct algo_wf_span {
	int n;          /* > 0 */
	char unit;      /* 'D', 'W' or 'M' */
};

struct algo_wf_spec {
	struct algo_wf_span in, out;
};

/* Parses "IN:OUT", each a positive count and a unit. Returns 0, or -1 with err. */
int algo_wf_parse(const char *text, struct algo_wf_spec *sp, char *err, size_t errlen);
/* Writes the spec back ("6M:1M"). */
void algo_wf_fmt(const struct algo_wf_spec *sp, char *buf, size_t len);

struct algo_wf_window {
	int64_t is_from, is_to, oos_from, oos_to;   /* days; to exclusive */
	int64_t is_last, oos_last;                  /* the last session of each part */
	size_t is_days, oos_days;                   /* sessions in each part */
};

/* The windows over the sessions days[0..n) (ascending, distinct). Returns the number
 * of windows (into *out, allocated; free it), or -1 with err: no session after the
 * first in-sample window, or out of memory. */
long algo_wf_windows(const int64_t *days, size_t n, const struct algo_wf_spec *sp, struct algo_wf_window **out,
	char *err, size_t errlen);

/* The sessions of an event stream (algo-feed's NDJSON): the distinct IST dates of
 * the events' "ts", ascending, into *days (allocated; free it). Returns 0, or -1 with
 * err ("stdin:12: bad ts", "no events with a ts", out of memory). */
int algo_wf_read_days(FILE *in, const char *name, int64_t **days, size_t *n, char *err, size_t errlen);

/* The windows as a file, one per line, tab-separated: number, in-sample from, to
 * (exclusive) and last session, out-of-sample from, to and last session (YYYY-MM-DD),
 * and the sessions of each part. algo_wf_read_windows reads it back (*out allocated;
 * returns the count, or -1 with "FILE:LINE: …" in err). */
void algo_wf_write_windows(FILE *f, const struct algo_wf_window *w, size_t n);
long algo_wf_read_windows(const char *path, struct algo_wf_window **out, char *err, size_t errlen);

/* One window's outcome: the in-sample sweep (finished: rows[0] is the chosen
 * variant) and the chosen variant's out-of-sample report (a one-row sweep). */
struct algo_wf_result {
	struct algo_wf_window w;
	struct algo_sweep is, oos;
};

struct algo_wf_day {
	char day[11];
	size_t window;              /* 1-based */
	int64_t pnl, equity;        /* decimals; equity stitched */
	double ret;
};

struct algo_wf_total {
	int64_t capital, net_pnl;   /* the stitched out-of-sample result */
	struct algo_wf_day *days;
	size_t ndays;
	struct algo_moments oos;    /* of the stitched daily returns */
	struct algo_moments is;     /* of the chosen variants' in-sample daily returns, pooled */
	double max_dd_pct;          /* of the stitched equity */
};

/* Reads a walk-forward directory: DIR/windows.tsv, and for window K the in-sample
 * sweep in DIR/is-K (variants.tsv, results/, joblog: see algo_sweep_gather), ranked
 * by rank, and the chosen variant's out-of-sample report DIR/oos-K.json. *res is
 * allocated (free with algo_wf_results_free). Returns the number of windows; -1 with
 * err for unreadable or malformed files, -2 when a window has no complete result. */
long algo_wf_gather(const char *dir, int rank, struct algo_wf_result **res, char *err, size_t errlen);
void algo_wf_results_free(struct algo_wf_result *res, size_t n);

/* Stitches the out-of-sample days of res[0..n) (in window order). Returns 0, or -1
 * with err ("out of memory", "window 2: the out-of-sample report has no capital").
 * Free t with algo_wf_total_free in every case. */
int algo_wf_stitch(const struct algo_wf_result *res, size_t n, struct algo_wf_total *t, char *err, size_t errlen);
void algo_wf_total_free(struct algo_wf_total *t);

enum { ALGO_WF_TABLE, ALGO_WF_CSV, ALGO_WF_NDJSON };
/* Writes the windows (range, chosen parameters, in-sample and out-of-sample metrics,
 * the stitched equity at each window's end) and the stitched summary against the
 * in-sample one: TABLE (aligned columns and sentences), CSV (one row per window) or
 * NDJSON ("walk_window" lines, "walk_day" lines, one "walk_summary"). Returns 0, or
 * -1 on a write error. */
int algo_wf_write(FILE *f, const struct algo_wf_spec *sp, const struct algo_wf_result *res, size_t n,
	const struct algo_wf_total *t, int fmt);

/* ---- algo-variants windows and walk ------------------------------------------------- */

/* The windows of sp over the sessions of the stream on in (called name in messages),
 * written to out (algo_wf_write_windows). Returns 0, or ALGO_EX_DATAERR with err set. */
int algo_wf_windows_of(FILE *in, const char *name, FILE *out, const struct algo_wf_spec *sp, char *err, size_t errlen);
/* The walk-forward directory dir (algo_wf_gather by rank) stitched and written to out
 * in fmt (ALGO_SWEEP_TABLE, _CSV or _NDJSON). Returns 0, or an exit code (algo(7))
 * with err set: ALGO_EX_FAIL when a window has no complete result, ALGO_EX_DATAERR for
 * bad input, ALGO_EX_IOERR with err "" for a write error. */
int algo_wf_walk(FILE *out, const char *dir, int rank, const struct algo_wf_spec *sp, int fmt, char *err, size_t errlen);

#endif
