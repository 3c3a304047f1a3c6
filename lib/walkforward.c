/* walkforward — walk-forward windows and the stitched out-of-sample result. See
 * walkforward.h. */
#include "walkforward.h"
#include "cli.h"
#include "decimal.h"
#include "expr.h"
#include "report.h"
#include "timeutil.h"
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SPAN_MAX 100000

/* ---- the spec -------------------------------------------------------------------- */

static int parse_span(const char *s, const char *end, struct algo_wf_span *sp)
{
	long n = 0;
	const char *p = s;
	if (p == end || !isdigit((unsigned char)*p)) return -1;
	while (p < end && isdigit((unsigned char)*p)) {
		n = n * 10 + (*p++ - '0');
		if (n > SPAN_MAX) return -1;
	}
	if (end - p != 1 || !strchr("DWM", *p) || n < 1) return -1;
	sp->n = (int)n;
	sp->unit = *p;
	return 0;
}

int algo_wf_parse(const char *text, struct algo_wf_spec *sp, char *err, size_t errlen)
{
	const char *colon = strchr(text, ':');
	if (!colon || parse_span(text, colon, &sp->in) < 0 || parse_span(colon + 1, colon + strlen(colon), &sp->out) < 0) {
		snprintf(err, errlen, "'%s' is not IN:OUT, two lengths such as 6M:1M or 3D:1D "
			"(D sessions, W weeks, M months; 1 to %d)", text, SPAN_MAX);
		return -1;
	}
	return 0;
}

void algo_wf_fmt(const struct algo_wf_spec *sp, char *buf, size_t len)
{
	snprintf(buf, len, "%d%c:%d%c", sp->in.n, sp->in.unit, sp->out.n, sp->out.unit);
}

/* ---- windows --------------------------------------------------------------------- */

/* Index of the first session at or after day (n when none). */
static size_t session_at(const int64_t *days, size_t n, int64_t day)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (days[mid] < day) lo = mid + 1; else hi = mid;
	}
	return lo;
}

static int month_days(int64_t y, unsigned m)
{
	static const int len[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 ? 28 + leap : len[m - 1];
}

static int64_t add_months(int64_t day, long months)
{
	int64_t y, t;
	unsigned m, d, dm;
	algo_civil_from_days(day, &y, &m, &d);
	t = y * 12 + (int64_t)(m - 1) + months;
	y = t >= 0 ? t / 12 : -((-t + 11) / 12);
	m = (unsigned)(t - y * 12) + 1;
	dm = (unsigned)month_days(y, m);
	return algo_days_from_civil(y, m, d < dm ? d : dm);
}

/* day moved by k spans (k may be negative): k * n sessions, weeks or months. Past the
 * last session, sessions count as the days after it. */
static int64_t shift(const int64_t *days, size_t n, int64_t day, struct algo_wf_span sp, long k)
{
	long steps = k * sp.n;
	if (sp.unit == 'W') return day + 7 * (int64_t)steps;
	if (sp.unit == 'M') return add_months(day, steps);
	long i = (long)session_at(days, n, day) + steps;
	if (i < 0) return days[0];
	if ((size_t)i >= n) return days[n - 1] + 1 + (i - (long)n);
	return days[i];
}

/* Sessions in [from, to), and the last of them. */
static size_t sessions_in(const int64_t *days, size_t n, int64_t from, int64_t to, int64_t *last)
{
	size_t a = session_at(days, n, from), b = session_at(days, n, to);
	if (b > a) *last = days[b - 1];
	return b > a ? b - a : 0;
}

long algo_wf_windows(const int64_t *days, size_t n, const struct algo_wf_spec *sp, struct algo_wf_window **out,
	char *err, size_t errlen)
{
	struct algo_wf_window *w = NULL;
	size_t cap = 0, k = 0;
	int64_t b0, end;
	*out = NULL;
	if (!n) { snprintf(err, errlen, "no data"); return -1; }
	b0 = shift(days, n, days[0], sp->in, 1);
	end = days[n - 1] + 1;
	if (b0 >= end) {
		snprintf(err, errlen, "the data has %zu sessions, none left after the first in-sample window; "
			"give more data or a shorter in-sample length", n);
		return -1;
	}
	for (long i = 0;; i++) {
		struct algo_wf_window x;
		int64_t b = shift(days, n, b0, sp->out, i), e = shift(days, n, b0, sp->out, i + 1);
		if (b >= end) break;
		x.oos_from = b;
		x.oos_to = e < end ? e : end;
		x.is_to = b;
		x.is_from = shift(days, n, b, sp->in, -1);
		if (x.is_from < days[0]) x.is_from = days[0];
		x.is_days = sessions_in(days, n, x.is_from, x.is_to, &x.is_last);
		x.oos_days = sessions_in(days, n, x.oos_from, x.oos_to, &x.oos_last);
		if (!x.is_days || !x.oos_days) continue;
		if (k == cap) {
			struct algo_wf_window *t = realloc(w, (cap = cap ? cap * 2 : 16) * sizeof *t);
			if (!t) { free(w); snprintf(err, errlen, "out of memory"); return -1; }
			w = t;
		}
		w[k++] = x;
	}
	*out = w;
	return (long)k;
}

/* ---- stitching ------------------------------------------------------------------- */

void algo_wf_total_free(struct algo_wf_total *t)
{
	free(t->days);
	memset(t, 0, sizeof *t);
}

static double day_return(const struct algo_sweep_day *d)
{
	return d->equity - d->pnl != 0 ? (double)d->pnl / (double)(d->equity - d->pnl) : NAN;
}

/* The pooled daily returns of the chosen variants on their in-sample windows. */
static int pool_in_sample(const struct algo_wf_result *res, size_t n, struct algo_moments *m)
{
	size_t total = 0, k = 0;
	double *r;
	for (size_t i = 0; i < n; i++) total += res[i].is.n ? res[i].is.rows[0].ndays : 0;
	if (!(r = calloc(total ? total : 1, sizeof *r))) return -1;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; res[i].is.n && j < res[i].is.rows[0].ndays; j++) r[k++] = day_return(&res[i].is.rows[0].days[j]);
	algo_moments_of(r, k, m);
	free(r);
	return 0;
}

int algo_wf_stitch(const struct algo_wf_result *res, size_t n, struct algo_wf_total *t, char *err, size_t errlen)
{
	size_t total = 0, k = 0;
	int64_t eq, peak;
	double *r = NULL;
	memset(t, 0, sizeof *t);
	for (size_t i = 0; i < n; i++) {
		if (res[i].oos.n != 1 || !res[i].oos.rows[0].capital) {
			snprintf(err, errlen, "window %zu: the out-of-sample report has no start_equity", i + 1);
			return -1;
		}
		total += res[i].oos.rows[0].ndays;
	}
	t->capital = n ? res[0].oos.rows[0].capital : 0;
	t->days = calloc(total ? total : 1, sizeof *t->days);
	r = malloc((total ? total : 1) * sizeof *r);
	if (!t->days || !r || pool_in_sample(res, n, &t->is) < 0) {
		free(r);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	eq = peak = t->capital;
	for (size_t i = 0; i < n; i++) {
		const struct algo_sweep_row *o = &res[i].oos.rows[0];
		for (size_t j = 0; j < o->ndays; j++, k++) {
			struct algo_wf_day *d = &t->days[k];
			memcpy(d->day, o->days[j].day, sizeof d->day);
			d->window = i + 1;
			d->pnl = o->days[j].pnl;
			d->ret = eq ? (double)d->pnl / (double)eq : NAN;
			eq += d->pnl;
			d->equity = eq;
			r[k] = d->ret;
			if (eq > peak) peak = eq;
			if (peak > 0 && 100.0 * (double)(peak - eq) / (double)peak > t->max_dd_pct)
				t->max_dd_pct = 100.0 * (double)(peak - eq) / (double)peak;
		}
	}
	t->ndays = k;
	t->net_pnl = eq - t->capital;
	algo_moments_of(r, k, &t->oos);
	free(r);
	return 0;
}

/* ---- writing ------------------------------------------------------------------------ */

static void day_text(int64_t day, char out[11])
{
	int64_t y;
	unsigned m, d;
	algo_civil_from_days(day, &y, &m, &d);
	snprintf(out, 11, "%04d-%02u-%02u", (int)y, m % 100, d % 100);
}

static void money(FILE *f, int64_t v)
{
	char b[ALGO_DEC_FMT_MAX];
	algo_dec_fmt(v, b);
	fputs(b, f);
}

static double annual(double sr)
{
	return sr * sqrt((double)ALGO_REPORT_P);
}

/* The stitched equity at the end of window i. */
static int64_t equity_after(const struct algo_wf_total *t, size_t window)
{
	int64_t eq = t->capital;
	for (size_t k = 0; k < t->ndays && t->days[k].window <= window; k++) eq = t->days[k].equity;
	return eq;
}

static void num_or_dash(FILE *f, int width, int dec, double v)
{
	if (isnan(v)) fprintf(f, "  %*s", width, "-");
	else fprintf(f, "  %*.*f", width, dec, v);
}

static void write_summary(FILE *f, const struct algo_wf_spec *sp, const struct algo_wf_result *res, size_t n,
	const struct algo_wf_total *t)
{
	char spec[32], a[11], b[11];
	algo_wf_fmt(sp, spec, sizeof spec);
	fprintf(f, "\nWalk-forward %s: %zu window%s; on each in-sample window the best of %zu variants by %s\n"
		"ran on the next out-of-sample window.\n",
		spec, n, n == 1 ? "" : "s", n ? res[0].is.tried : 0, n ? algo_sweep_metric_name(res[0].is.rank) : "-");
	if (!t->ndays) return;
	strcpy(a, t->days[0].day);
	strcpy(b, t->days[t->ndays - 1].day);
	fprintf(f, "Out of sample, stitched: %s to %s, %zu sessions: net pnl ", a, b, t->ndays);
	money(f, t->net_pnl);
	fputs(" on ", f);
	money(f, t->capital);
	fprintf(f, " (%.4f%%), max drawdown %.4f%%,\n  mean daily return %.6f%%, Sharpe ",
		100.0 * (double)t->net_pnl / (double)t->capital, t->max_dd_pct, 100 * t->oos.mean);
	if (isnan(t->oos.sr)) fputs("undefined.\n", f);
	else fprintf(f, "%.4f annualised.\n", annual(t->oos.sr));
	fprintf(f, "In sample, the chosen variants on their own windows (%zu daily returns pooled):\n"
		"  mean daily return %.6f%%, Sharpe ", t->is.n, 100 * t->is.mean);
	if (isnan(t->is.sr)) fputs("undefined.\n", f);
	else fprintf(f, "%.4f annualised.\n", annual(t->is.sr));
	if (t->is.mean > 0 && !isnan(t->oos.mean))
		fprintf(f, "Walk-forward efficiency (out-of-sample over in-sample mean daily return): %.4f.\n",
			t->oos.mean / t->is.mean);
	else fputs("Walk-forward efficiency: undefined (the in-sample mean daily return is not positive).\n", f);
}

static void write_table(FILE *f, const struct algo_wf_spec *sp, const struct algo_wf_result *res, size_t n,
	const struct algo_wf_total *t)
{
	const struct algo_sweep *s0 = n ? &res[0].is : NULL;
	int rank = s0 ? s0->rank : ALGO_M_SHARPE;
	char is_h[40], oos_h[40];
	snprintf(is_h, sizeof is_h, "is_%s", algo_sweep_metric_name(rank));
	snprintf(oos_h, sizeof oos_h, "oos_%s", algo_sweep_metric_name(rank));
	fprintf(f, "%6s  %-22s  %-22s", "window", "in-sample", "out-of-sample");
	for (int a = 0; s0 && a < s0->naxes; a++) fprintf(f, "  %8s", s0->names[a]);
	fprintf(f, "  %12s  %12s  %11s  %11s  %12s\n", is_h, oos_h, "is_net_pnl", "oos_net_pnl", "oos_equity");
	for (size_t i = 0; i < n; i++) {
		const struct algo_sweep_row *b = &res[i].is.rows[0], *o = &res[i].oos.rows[0];
		char d1[11], d2[11], d3[11], d4[11], r1[24], r2[24], num[40], eq[ALGO_DEC_FMT_MAX];
		day_text(res[i].w.is_from, d1);
		day_text(res[i].w.is_last, d2);
		day_text(res[i].w.oos_from, d3);
		day_text(res[i].w.oos_last, d4);
		snprintf(r1, sizeof r1, "%s..%s", d1, d2);
		snprintf(r2, sizeof r2, "%s..%s", d3, d4);
		fprintf(f, "%6zu  %-22s  %-22s", i + 1, r1, r2);
		for (int a = 0; a < s0->naxes; a++) {
			algo_expr_fmt_num(b->vals[a], num, sizeof num);
			fprintf(f, "  %8s", num);
		}
		num_or_dash(f, 12, 4, b->m[rank]);
		num_or_dash(f, 12, 4, o->m[rank]);
		num_or_dash(f, 11, 2, b->m[ALGO_M_NET_PNL]);
		num_or_dash(f, 11, 2, o->m[ALGO_M_NET_PNL]);
		algo_dec_fmt(equity_after(t, i + 1), eq);
		fprintf(f, "  %12s\n", eq);
	}
	write_summary(f, sp, res, n, t);
}

static void csv_num(FILE *f, double v)
{
	if (isnan(v)) fputc(',', f);
	else fprintf(f, ",%.10g", v);
}

static void write_csv(FILE *f, const struct algo_wf_result *res, size_t n, const struct algo_wf_total *t)
{
	const struct algo_sweep *s0 = n ? &res[0].is : NULL;
	fputs("window,is_from,is_to,oos_from,oos_to,is_sessions,oos_sessions", f);
	for (int a = 0; s0 && a < s0->naxes; a++) fprintf(f, ",%s", s0->names[a]);
	fputs(",variants,is_rank_value,oos_rank_value,is_net_pnl,oos_net_pnl,is_sharpe,oos_sharpe,oos_equity\n", f);
	for (size_t i = 0; i < n; i++) {
		const struct algo_sweep_row *b = &res[i].is.rows[0], *o = &res[i].oos.rows[0];
		char d[4][11], num[40], eq[ALGO_DEC_FMT_MAX];
		day_text(res[i].w.is_from, d[0]);
		day_text(res[i].w.is_to, d[1]);
		day_text(res[i].w.oos_from, d[2]);
		day_text(res[i].w.oos_to, d[3]);
		fprintf(f, "%zu,%s,%s,%s,%s,%zu,%zu", i + 1, d[0], d[1], d[2], d[3], res[i].w.is_days, res[i].w.oos_days);
		for (int a = 0; a < s0->naxes; a++) {
			algo_expr_fmt_num(b->vals[a], num, sizeof num);
			fprintf(f, ",%s", num);
		}
		fprintf(f, ",%zu", res[i].is.tried);
		csv_num(f, b->m[s0->rank]);
		csv_num(f, o->m[s0->rank]);
		csv_num(f, b->m[ALGO_M_NET_PNL]);
		csv_num(f, o->m[ALGO_M_NET_PNL]);
		csv_num(f, b->m[ALGO_M_SHARPE]);
		csv_num(f, o->m[ALGO_M_SHARPE]);
		algo_dec_fmt(equity_after(t, i + 1), eq);
		fprintf(f, ",%s\n", eq);
	}
}

static void json_num(FILE *f, double v)
{
	if (isnan(v) || isinf(v)) fputs("null", f);
	else fprintf(f, "%.10g", v);
}

static void write_ndjson(FILE *f, const struct algo_wf_spec *sp, const struct algo_wf_result *res, size_t n,
	const struct algo_wf_total *t)
{
	char spec[32], eq[ALGO_DEC_FMT_MAX];
	for (size_t i = 0; i < n; i++) {
		const struct algo_sweep *s = &res[i].is;
		const struct algo_sweep_row *b = &s->rows[0], *o = &res[i].oos.rows[0];
		char d[4][11], num[40];
		day_text(res[i].w.is_from, d[0]);
		day_text(res[i].w.is_to, d[1]);
		day_text(res[i].w.oos_from, d[2]);
		day_text(res[i].w.oos_to, d[3]);
		fprintf(f, "{\"type\":\"walk_window\",\"window\":%zu,\"is_from\":\"%s\",\"is_to\":\"%s\",\"oos_from\":\"%s\","
			"\"oos_to\":\"%s\",\"is_sessions\":%zu,\"oos_sessions\":%zu,\"variants\":%zu,\"params\":{",
			i + 1, d[0], d[1], d[2], d[3], res[i].w.is_days, res[i].w.oos_days, s->tried);
		for (int a = 0; a < s->naxes; a++) {
			algo_expr_fmt_num(b->vals[a], num, sizeof num);
			fprintf(f, "%s\"%s\":%s", a ? "," : "", s->names[a], num);
		}
		fputs("},\"is\":{", f);
		for (int m = 0; m < ALGO_M_COUNT; m++) { fprintf(f, "%s\"%s\":", m ? "," : "", algo_sweep_metric_name(m)); json_num(f, b->m[m]); }
		fputs("},\"oos\":{", f);
		for (int m = 0; m < ALGO_M_COUNT; m++) { fprintf(f, "%s\"%s\":", m ? "," : "", algo_sweep_metric_name(m)); json_num(f, o->m[m]); }
		algo_dec_fmt(equity_after(t, i + 1), eq);
		fprintf(f, "},\"oos_equity\":%s}\n", eq);
	}
	for (size_t k = 0; k < t->ndays; k++) {
		char p[ALGO_DEC_FMT_MAX];
		algo_dec_fmt(t->days[k].pnl, p);
		algo_dec_fmt(t->days[k].equity, eq);
		fprintf(f, "{\"type\":\"walk_day\",\"day\":\"%s\",\"window\":%zu,\"pnl\":%s,\"equity\":%s,\"return\":",
			t->days[k].day, t->days[k].window, p, eq);
		json_num(f, t->days[k].ret);
		fputs("}\n", f);
	}
	algo_wf_fmt(sp, spec, sizeof spec);
	algo_dec_fmt(t->capital, eq);
	fprintf(f, "{\"type\":\"walk_summary\",\"walk_forward\":\"%s\",\"windows\":%zu,\"ranked_by\":\"%s\","
		"\"capital\":%s,", spec, n, n ? algo_sweep_metric_name(res[0].is.rank) : "sharpe", eq);
	algo_dec_fmt(t->net_pnl, eq);
	fprintf(f, "\"oos_net_pnl\":%s,\"oos_sessions\":%zu,\"oos_max_drawdown_pct\":", eq, t->ndays);
	json_num(f, t->max_dd_pct);
	fputs(",\"oos_mean_return\":", f);
	json_num(f, t->oos.mean);
	fputs(",\"oos_sharpe\":", f);
	json_num(f, annual(t->oos.sr));
	fprintf(f, ",\"is_returns\":%zu,\"is_mean_return\":", t->is.n);
	json_num(f, t->is.mean);
	fputs(",\"is_sharpe\":", f);
	json_num(f, annual(t->is.sr));
	fputs(",\"efficiency\":", f);
	json_num(f, t->is.mean > 0 ? t->oos.mean / t->is.mean : NAN);
	fputs("}\n", f);
}

int algo_wf_write(FILE *f, const struct algo_wf_spec *sp, const struct algo_wf_result *res, size_t n,
	const struct algo_wf_total *t, int fmt)
{
	if (fmt == ALGO_WF_CSV) write_csv(f, res, n, t);
	else if (fmt == ALGO_WF_NDJSON) write_ndjson(f, sp, res, n, t);
	else write_table(f, sp, res, n, t);
	return ferror(f) ? -1 : 0;
}

/* ---- files ------------------------------------------------------------------------- */

/* The IST day of the "ts" in line, or -1 when the line has none; -2 when malformed. */
static int64_t line_day(const char *line)
{
	const char *p = strstr(line, "\"ts\":\""), *q;
	int64_t ms;
	if (!p) return -1;
	p += 6;
	if (!(q = strchr(p, '"')) || algo_time_parse(p, (size_t)(q - p), &ms) < 0) return -2;
	return algo_time_ist_day(ms);
}

int algo_wf_read_days(FILE *in, const char *name, int64_t **days, size_t *n, char *err, size_t errlen)
{
	char *line = NULL;
	size_t cap = 0, k = 0, dcap = 0;
	long lineno = 0;
	int64_t *d = NULL;
	*days = NULL;
	*n = 0;
	while (getline(&line, &cap, in) >= 0) {
		int64_t day = line_day(line);
		lineno++;
		if (day == -1) continue;
		if (day == -2) {
			snprintf(err, errlen, "%s:%ld: 'ts' is not an RFC 3339 time", name, lineno);
			free(line);
			free(d);
			return -1;
		}
		if (k && d[k - 1] == day) continue;
		if (k && d[k - 1] > day) {
			snprintf(err, errlen, "%s:%ld: the events go back in time", name, lineno);
			free(line);
			free(d);
			return -1;
		}
		if (k == dcap) {
			int64_t *t = realloc(d, (dcap = dcap ? dcap * 2 : 256) * sizeof *t);
			if (!t) { free(line); free(d); snprintf(err, errlen, "out of memory"); return -1; }
			d = t;
		}
		d[k++] = day;
	}
	free(line);
	if (!k) { snprintf(err, errlen, "%s: no events with a 'ts'", name); free(d); return -1; }
	*days = d;
	*n = k;
	return 0;
}

void algo_wf_write_windows(FILE *f, const struct algo_wf_window *w, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char d[6][11];
		day_text(w[i].is_from, d[0]);
		day_text(w[i].is_to, d[1]);
		day_text(w[i].is_last, d[2]);
		day_text(w[i].oos_from, d[3]);
		day_text(w[i].oos_to, d[4]);
		day_text(w[i].oos_last, d[5]);
		fprintf(f, "%zu\t%s\t%s\t%s\t%s\t%s\t%s\t%zu\t%zu\n", i + 1, d[0], d[1], d[2], d[3], d[4], d[5],
			w[i].is_days, w[i].oos_days);
	}
}

static int parse_day(const char *s, int64_t *day)
{
	unsigned y, m, d;
	char tail;
	if (strlen(s) != 10 || sscanf(s, "%4u-%2u-%2u%c", &y, &m, &d, &tail) != 3 || m < 1 || m > 12 || d < 1 ||
	    (int)d > month_days(y, m))
		return -1;
	*day = algo_days_from_civil(y, m, d);
	return 0;
}

/* One line of windows.tsv into *w. Returns 0 or -1. */
static int window_line(char *line, size_t want, struct algo_wf_window *w)
{
	char *f[9], *save = NULL, *end;
	int64_t *days[6] = { &w->is_from, &w->is_to, &w->is_last, &w->oos_from, &w->oos_to, &w->oos_last };
	int k = 0;
	for (char *t = strtok_r(line, "\t\n", &save); t && k < 9; t = strtok_r(NULL, "\t\n", &save)) f[k++] = t;
	if (k != 9 || strtoul(f[0], &end, 10) != want || *end) return -1;
	for (int i = 0; i < 6; i++)
		if (parse_day(f[i + 1], days[i]) < 0) return -1;
	w->is_days = strtoul(f[7], &end, 10);
	if (*end) return -1;
	w->oos_days = strtoul(f[8], &end, 10);
	return *end || !w->is_days || !w->oos_days ? -1 : 0;
}

long algo_wf_read_windows(const char *path, struct algo_wf_window **out, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0, k = 0, wcap = 0;
	struct algo_wf_window *w = NULL;
	*out = NULL;
	if (!f) { snprintf(err, errlen, "%s: %s", path, strerror(errno)); return -1; }
	while (getline(&line, &cap, f) >= 0) {
		if (k == wcap) {
			struct algo_wf_window *t = realloc(w, (wcap = wcap ? wcap * 2 : 16) * sizeof *t);
			if (!t) { snprintf(err, errlen, "out of memory"); goto fail; }
			w = t;
		}
		if (window_line(line, k + 1, &w[k]) < 0) {
			snprintf(err, errlen, "%s:%zu: not a window line", path, k + 1);
			goto fail;
		}
		k++;
	}
	free(line);
	fclose(f);
	if (!k) { snprintf(err, errlen, "%s: no windows", path); free(w); return -1; }
	*out = w;
	return (long)k;
fail:
	free(line);
	free(w);
	fclose(f);
	return -1;
}

void algo_wf_results_free(struct algo_wf_result *res, size_t n)
{
	for (size_t i = 0; res && i < n; i++) {
		algo_sweep_free(&res[i].is);
		algo_sweep_free(&res[i].oos);
	}
	free(res);
}

/* Window k's in-sample sweep (ranked) and out-of-sample report. */
static int gather_window(const char *dir, size_t k, int rank, struct algo_wf_result *r, char *err, size_t errlen)
{
	char v[4096], res[4096], log[4096], oos[4096], msg[900];
	int rc;
	snprintf(v, sizeof v, "%s/is-%zu/variants.tsv", dir, k);
	snprintf(res, sizeof res, "%s/is-%zu/results", dir, k);
	snprintf(log, sizeof log, "%s/is-%zu/joblog", dir, k);
	snprintf(oos, sizeof oos, "%s/oos-%zu.json", dir, k);
	if ((rc = algo_sweep_gather(&r->is, v, res, log, msg, sizeof msg)) < 0) {
		snprintf(err, errlen, "window %zu: %s", k, msg);
		return rc;
	}
	algo_sweep_finish(&r->is, rank);
	algo_sweep_init(&r->oos, r->is.naxes, r->is.names);
	if (algo_sweep_add_file(&r->oos, 1, r->is.rows[0].vals, oos, msg, sizeof msg) < 0) {
		snprintf(err, errlen, "window %zu: %s", k, msg);
		return errno == ENOENT ? -2 : -1;
	}
	return 0;
}

long algo_wf_gather(const char *dir, int rank, struct algo_wf_result **out, char *err, size_t errlen)
{
	char path[4096];
	struct algo_wf_window *w;
	struct algo_wf_result *res;
	long n;
	*out = NULL;
	snprintf(path, sizeof path, "%s/windows.tsv", dir);
	if ((n = algo_wf_read_windows(path, &w, err, errlen)) < 0) return -1;
	if (!(res = calloc((size_t)n, sizeof *res))) { free(w); snprintf(err, errlen, "out of memory"); return -1; }
	for (long i = 0; i < n; i++) {
		int rc;
		res[i].w = w[i];
		if ((rc = gather_window(dir, (size_t)i + 1, rank, &res[i], err, errlen)) < 0) {
			algo_wf_results_free(res, (size_t)n);
			free(w);
			return rc;
		}
	}
	free(w);
	*out = res;
	return n;
}

/* ---- algo-variants windows and walk ------------------------------------------------- */

int algo_wf_windows_of(FILE *in, const char *name, FILE *out, const struct algo_wf_spec *sp, char *err, size_t errlen)
{
	struct algo_wf_window *w;
	int64_t *days;
	size_t n;
	long k;
	char why[512];
	if (algo_wf_read_days(in, name, &days, &n, why, sizeof why) < 0) {
		snprintf(err, errlen, "%s", why);
		return ALGO_EX_DATAERR;
	}
	k = algo_wf_windows(days, n, sp, &w, why, sizeof why);
	free(days);
	if (k < 0) {
		snprintf(err, errlen, "--walk-forward: %s", why);
		return ALGO_EX_DATAERR;
	}
	algo_wf_write_windows(out, w, (size_t)k);
	free(w);
	return 0;
}

static int wf_format(int sweep_fmt)
{
	return sweep_fmt == ALGO_SWEEP_CSV ? ALGO_WF_CSV : sweep_fmt == ALGO_SWEEP_NDJSON ? ALGO_WF_NDJSON : ALGO_WF_TABLE;
}

/* res[0..n) stitched and written to out. Returns 0 or an exit code (err set for a bad
 * window). */
static int walk_write(FILE *out, const struct algo_wf_result *res, size_t n, const struct algo_wf_spec *sp, int fmt,
	char *err, size_t errlen)
{
	struct algo_wf_total t;
	char why[ALGO_SWEEP_ERR_MAX];
	int rc = 0;
	if (algo_wf_stitch(res, n, &t, why, sizeof why) < 0)
		rc = ALGO_EX_DATAERR, snprintf(err, errlen, "%s", why);
	else if (algo_wf_write(out, sp, res, n, &t, wf_format(fmt)) < 0)
		rc = ALGO_EX_IOERR;
	algo_wf_total_free(&t);
	return rc;
}

int algo_wf_walk(FILE *out, const char *dir, int rank, const struct algo_wf_spec *sp, int fmt, char *err, size_t errlen)
{
	struct algo_wf_result *res;
	char why[ALGO_SWEEP_ERR_MAX];
	long n = algo_wf_gather(dir, rank, &res, why, sizeof why);
	int rc;
	snprintf(err, errlen, "%s", n < 0 ? why : "");
	if (n < 0)
		return n == -2 ? ALGO_EX_FAIL : ALGO_EX_DATAERR;
	rc = walk_write(out, res, (size_t)n, sp, fmt, err, errlen);
	algo_wf_results_free(res, (size_t)n);
	return rc;
}
