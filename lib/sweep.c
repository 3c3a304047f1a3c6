/* sweep — results of a parameter sweep, ranking and the deflated Sharpe. See sweep.h. */
#include "sweep.h"
#include "cli.h"
#include "decimal.h"
#include "expr.h"
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define EULER_GAMMA 0.5772156649015329

/* ---- statistics ------------------------------------------------------------------- */

double algo_norm_cdf(double x)
{
	return 0.5 * erfc(-x / M_SQRT2);
}

double algo_norm_inv(double p)
{
	double lo = -40, hi = 40, x = 0;
	if (!(p > 0 && p < 1)) return NAN;
	/* Bisection to a bracket, then Newton steps: Phi is smooth and monotone. */
	for (int i = 0; i < 200; i++) {
		double f = algo_norm_cdf(x) - p;
		double d = exp(-0.5 * x * x) / sqrt(2 * M_PI);
		double nx;
		if (f > 0) hi = x; else lo = x;
		nx = d > 1e-300 ? x - f / d : NAN;
		if (!(nx > lo && nx < hi)) nx = (lo + hi) / 2;
		if (fabs(nx - x) <= 1e-15 * (1 + fabs(x))) return nx;
		x = nx;
	}
	return x;
}

void algo_moments_of(const double *r, size_t n, struct algo_moments *m)
{
	double sum = 0, m2 = 0, m3 = 0, m4 = 0;
	memset(m, 0, sizeof *m);
	m->n = n;
	m->mean = m->sd = m->skew = m->kurt = m->sr = NAN;
	if (n == 0) return;
	for (size_t i = 0; i < n; i++) sum += r[i];
	m->mean = sum / (double)n;
	for (size_t i = 0; i < n; i++) {
		double d = r[i] - m->mean;
		m2 += d * d;
		m3 += d * d * d;
		m4 += d * d * d * d;
	}
	if (n < 2) return;
	m->sd = sqrt(m2 / (double)(n - 1));
	m2 /= (double)n;
	m3 /= (double)n;
	m4 /= (double)n;
	if (m2 > 0) {
		m->skew = m3 / pow(m2, 1.5);
		m->kurt = m4 / (m2 * m2);
		m->sr = m->mean / m->sd;
	}
}

double algo_psr(double sr, double sr_star, size_t T, double skew, double kurt)
{
	double den;
	if (T < 2 || isnan(sr) || isnan(sr_star) || isnan(skew) || isnan(kurt)) return NAN;
	den = 1 - skew * sr + (kurt - 1) / 4 * sr * sr;
	if (!(den > 0)) return NAN;
	return algo_norm_cdf((sr - sr_star) * sqrt((double)(T - 1)) / sqrt(den));
}

double algo_expected_max_sr(double var, size_t N)
{
	if (N < 2 || !(var >= 0)) return NAN;
	return sqrt(var) * ((1 - EULER_GAMMA) * algo_norm_inv(1 - 1.0 / (double)N) +
		EULER_GAMMA * algo_norm_inv(1 - 1.0 / ((double)N * M_E)));
}

/* ---- metrics ------------------------------------------------------------------------ */

static const char *const metric_names[ALGO_M_COUNT] = {
	"trades", "net_pnl", "total_return_pct", "cagr_pct", "sharpe", "sortino", "calmar",
	"max_drawdown_pct", "win_rate_pct", "profit_factor", "expectancy", "sqn", "exposure_pct", "dsr"
};

int algo_sweep_metric_find(const char *name)
{
	for (int i = 0; i < ALGO_M_COUNT; i++)
		if (strcmp(name, metric_names[i]) == 0) return i;
	return -1;
}

const char *algo_sweep_metric_name(int m)
{
	return m >= 0 && m < ALGO_M_COUNT ? metric_names[m] : NULL;
}

const char *algo_sweep_metric_list(void)
{
	return "trades, net_pnl, total_return_pct, cagr_pct, sharpe, sortino, calmar, max_drawdown_pct, "
		"win_rate_pct, profit_factor, expectancy, sqn, exposure_pct, dsr";
}

int algo_sweep_lower_is_better(int m)
{
	return m == ALGO_M_MAXDD;
}

/* ---- the table ---------------------------------------------------------------------- */

void algo_sweep_init(struct algo_sweep *s, int naxes, char names[][ALGO_PARAM_NAME_MAX + 1])
{
	memset(s, 0, sizeof *s);
	s->naxes = naxes;
	for (int i = 0; i < naxes; i++) memcpy(s->names[i], names[i], sizeof s->names[i]);
	s->rank = ALGO_M_SHARPE;
	s->best = -1;
	s->var = s->sr0 = NAN;
}

void algo_sweep_free(struct algo_sweep *s)
{
	for (size_t i = 0; i < s->n; i++) free(s->rows[i].days);
	free(s->rows);
	memset(s, 0, sizeof *s);
}

static double num_or_nan(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_number(v) ? json_number_value(v) : NAN;
}

static int money(json_t *v, int64_t *out)
{
	return json_is_number(v) && algo_dec_from_double(json_number_value(v), out) == 0 ? 0 : -1;
}

/* The "daily" array into r->days and the moments of its returns. */
static int read_days(struct algo_sweep_row *r, json_t *daily, char *err, size_t errlen)
{
	size_t n = json_array_size(daily);
	double *ret;
	if (!n) { algo_moments_of(NULL, 0, &r->mo); return 0; }
	if (!(r->days = calloc(n, sizeof *r->days)) || !(ret = calloc(n, sizeof *ret))) {
		free(r->days);
		r->days = NULL;
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *d = json_array_get(daily, i);
		const char *day = json_string_value(json_object_get(d, "day"));
		struct algo_sweep_day *o = &r->days[i];
		if (!day || strlen(day) != 10 || money(json_object_get(d, "equity"), &o->equity) ||
		    money(json_object_get(d, "pnl"), &o->pnl)) {
			snprintf(err, errlen, "not a report: daily[%zu] needs day, equity and pnl", i);
			free(ret);
			return -1;
		}
		memcpy(o->day, day, 11);
		ret[i] = o->equity - o->pnl != 0 ? (double)o->pnl / (double)(o->equity - o->pnl) : NAN;
	}
	r->ndays = n;
	algo_moments_of(ret, n, &r->mo);
	free(ret);
	return 0;
}

int algo_sweep_add(struct algo_sweep *s, size_t id, const double *vals, const char *json, size_t len,
	char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *root = json_loadb(json, len, 0, &jerr), *daily;
	struct algo_sweep_row *r;
	if (!root || !json_is_object(root)) {
		snprintf(err, errlen, "not a report: %s", root ? "not a JSON object" : jerr.text);
		json_decref(root);
		return -1;
	}
	daily = json_object_get(root, "daily");
	if (!json_is_array(daily) || !json_is_number(json_object_get(root, "trades"))) {
		snprintf(err, errlen, "not a report: no 'trades' or 'daily' (algo-ledger report --format json)");
		json_decref(root);
		return -1;
	}
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		struct algo_sweep_row *t = realloc(s->rows, cap * sizeof *t);
		if (!t) { snprintf(err, errlen, "out of memory"); json_decref(root); return -1; }
		s->rows = t;
		s->cap = cap;
	}
	r = &s->rows[s->n];
	memset(r, 0, sizeof *r);
	r->id = id;
	memcpy(r->vals, vals, (size_t)s->naxes * sizeof *vals);
	for (int m = 0; m < ALGO_M_COUNT; m++) r->m[m] = num_or_nan(root, metric_names[m]);
	if (money(json_object_get(root, "start_equity"), &r->capital)) r->capital = 0;
	if (read_days(r, daily, err, errlen) < 0) { json_decref(root); return -1; }
	json_decref(root);
	s->n++;
	s->tried = s->n;
	return 0;
}

/* ---- reading a sweep's files -------------------------------------------------------- */

#define REPORT_MAX (64 << 20)

/* Whole file into *buf (NUL-terminated). Returns 0, or -1 with errno set. */
static int slurp(const char *path, char **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 4096, n = 0;
	char *b;
	if (!f) return -1;
	if (!(b = malloc(cap))) { fclose(f); return -1; }
	for (;;) {
		size_t k = fread(b + n, 1, cap - n - 1, f);
		n += k;
		if (n < cap - 1) break;
		if (cap >= REPORT_MAX) { errno = EFBIG; free(b); fclose(f); return -1; }
		char *t = realloc(b, cap * 2);
		if (!t) { free(b); fclose(f); return -1; }
		b = t;
		cap *= 2;
	}
	if (ferror(f)) { free(b); fclose(f); return -1; }
	fclose(f);
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}

int algo_sweep_add_file(struct algo_sweep *s, size_t id, const double *vals, const char *path, char *err,
	size_t errlen)
{
	char *rep, msg[300];
	size_t rlen;
	int rc;
	if (slurp(path, &rep, &rlen) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	rc = algo_sweep_add(s, id, vals, rep, rlen, msg, sizeof msg);
	if (rc < 0) snprintf(err, errlen, "%s: %s", path, msg);
	free(rep);
	return rc;
}

/* Parses one variants line ("fast=5\tslow=20") into names (first line) or checks
 * them (later lines), and vals. Returns the number of fields, or -1 with err. */
static int variant_fields(char *line, int first, struct algo_sweep *s, double *vals, char *err, size_t errlen)
{
	int k = 0;
	for (char *f = line, *next; f; f = next) {
		char *eq;
		next = strchr(f, '\t');
		if (next) *next++ = '\0';
		if (!(eq = strchr(f, '=')) || eq == f || eq - f > ALGO_PARAM_NAME_MAX || k == ALGO_GRID_AXES_MAX ||
		    algo_param_number(eq + 1, &vals[k]) < 0) {
			snprintf(err, errlen, "'%.60s' is not NAME=VALUE", f);
			return -1;
		}
		*eq = '\0';
		if (first) snprintf(s->names[k], sizeof s->names[k], "%s", f);
		else if (k >= s->naxes || strcmp(s->names[k], f) != 0) {
			snprintf(err, errlen, "the parameters differ from the first line's");
			return -1;
		}
		k++;
	}
	if (!first && k != s->naxes) { snprintf(err, errlen, "the parameters differ from the first line's"); return -1; }
	return k;
}

/* Exit value (or 128 + signal) of each variant in a joblog: st[id] (-1 = no entry). */
static int read_joblog(const char *path, int *st, size_t n, char *err, size_t errlen)
{
	char *buf, *line, *next;
	size_t len;
	long lineno = 0;
	if (slurp(path, &buf, &len) < 0) {
		if (errno == ENOENT) return 0;          /* nothing has run yet */
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	for (line = buf; line && *line; line = next) {
		char *f[9];
		int k = 0;
		lineno++;
		next = strchr(line, '\n');
		if (next) *next++ = '\0';
		if (lineno == 1 && strncmp(line, "Seq\t", 4) == 0) continue;
		for (char *p = line; p && k < 9; k++) {
			f[k] = p;
			if ((p = strchr(p, '\t'))) *p++ = '\0';
		}
		if (k < 8) continue;            /* a line cut short by a kill */
		char *e1, *e2, *e3;
		long seq = strtol(f[0], &e1, 10), ev = strtol(f[6], &e2, 10), sig = strtol(f[7], &e3, 10);
		if (*e1 || *e2 || *e3 || seq < 1) {
			snprintf(err, errlen, "%s:%ld: not a GNU parallel joblog line", path, lineno);
			free(buf);
			return -1;
		}
		if ((size_t)seq <= n) st[seq] = sig ? 128 + (int)sig : (int)ev;
	}
	free(buf);
	return 0;
}

/* Appends ", ID" or ", ID (exit N)" to the list of missing variants. */
static void note_missing(char *list, size_t len, size_t *count, size_t id, int status)
{
	size_t k = strlen(list);
	if (++*count > 10) {
		if (*count == 11 && k + 6 < len) snprintf(list + k, len - k, ", …");
		return;
	}
	if (status > 0) snprintf(list + k, len - k, "%s%zu (exit %d)", k ? ", " : "", id, status);
	else snprintf(list + k, len - k, "%s%zu", k ? ", " : "", id);
}

int algo_sweep_gather(struct algo_sweep *s, const char *variants, const char *results, const char *joblog,
	char *err, size_t errlen)
{
	char *vbuf, *line, *next, list[400] = "", msg[300];
	size_t vlen, nvar = 0, missing = 0;
	int *st = NULL, rc = 0;
	algo_sweep_init(s, 0, NULL);
	if (slurp(variants, &vbuf, &vlen) < 0) {
		snprintf(err, errlen, "%s: %s", variants, strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < vlen; i++) nvar += vbuf[i] == '\n';
	if (!(st = malloc((nvar + 2) * sizeof *st))) { free(vbuf); snprintf(err, errlen, "out of memory"); return -1; }
	for (size_t i = 0; i < nvar + 2; i++) st[i] = joblog ? -1 : 0;
	if (joblog && read_joblog(joblog, st, nvar + 1, err, errlen) < 0) { rc = -1; goto out; }
	nvar = 0;
	for (line = vbuf; line && *line; line = next) {
		double vals[ALGO_GRID_AXES_MAX];
		char path[4096], *rep;
		size_t rlen;
		int k;
		next = strchr(line, '\n');
		if (next) *next++ = '\0';
		nvar++;
		if ((k = variant_fields(line, nvar == 1, s, vals, msg, sizeof msg)) < 0) {
			snprintf(err, errlen, "%s:%zu: %s", variants, nvar, msg);
			rc = -1;
			goto out;
		}
		if (nvar == 1) s->naxes = k;
		if (st[nvar] != 0) { note_missing(list, sizeof list, &missing, nvar, st[nvar]); continue; }
		snprintf(path, sizeof path, "%s/%zu", results, nvar);
		if (slurp(path, &rep, &rlen) < 0) { note_missing(list, sizeof list, &missing, nvar, 0); continue; }
		if (algo_sweep_add(s, nvar, vals, rep, rlen, msg, sizeof msg) < 0) {
			if (strcmp(msg, "out of memory") == 0) { snprintf(err, errlen, "%s", msg); free(rep); rc = -1; goto out; }
			note_missing(list, sizeof list, &missing, nvar, 0);
		}
		free(rep);
	}
	s->tried = nvar;
	if (!nvar) { snprintf(err, errlen, "%s: no variants", variants); rc = -1; }
	else if (missing) {
		snprintf(err, errlen, "%zu of %zu variants have no result: %s", missing, nvar, list);
		rc = -2;
	}
out:
	free(st);
	free(vbuf);
	return rc;
}

static int rank_metric;

/* Best first, NaN last, ties by variant number. */
static int cmp_rows(const void *pa, const void *pb)
{
	const struct algo_sweep_row *a = pa, *b = pb;
	double x = a->m[rank_metric], y = b->m[rank_metric];
	int lower = algo_sweep_lower_is_better(rank_metric);
	if (isnan(x) != isnan(y)) return isnan(x) ? 1 : -1;
	if (!isnan(x) && x != y) return (lower ? x < y : x > y) ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

void algo_sweep_finish(struct algo_sweep *s, int rank)
{
	double sum = 0, ss = 0, best = -INFINITY;
	size_t k = 0;
	for (size_t i = 0; i < s->n; i++)
		if (!isnan(s->rows[i].mo.sr)) { sum += s->rows[i].mo.sr; k++; }
	for (size_t i = 0; i < s->n; i++)
		if (!isnan(s->rows[i].mo.sr)) ss += (s->rows[i].mo.sr - sum / (double)k) * (s->rows[i].mo.sr - sum / (double)k);
	s->var = k >= 2 ? ss / (double)(k - 1) : NAN;
	s->sr0 = algo_expected_max_sr(s->var, s->tried);
	for (size_t i = 0; i < s->n; i++) {
		struct algo_sweep_row *r = &s->rows[i];
		r->m[ALGO_M_DSR] = algo_psr(r->mo.sr, s->sr0, r->mo.n, r->mo.skew, r->mo.kurt);
	}
	rank_metric = s->rank = rank;
	qsort(s->rows, s->n, sizeof *s->rows, cmp_rows);
	s->best = -1;
	for (size_t i = 0; i < s->n; i++)
		if (!isnan(s->rows[i].mo.sr) && s->rows[i].mo.sr > best) { best = s->rows[i].mo.sr; s->best = (long)i; }
}

/* ---- writing ------------------------------------------------------------------------ */

static void json_num(FILE *f, double v)
{
	if (isnan(v) || isinf(v)) fputs("null", f);
	else fprintf(f, "%.10g", v);
}

/* Columns of the text table: metric, heading, decimals. */
static const struct { int m; const char *head; int dec; } cols[] = {
	{ ALGO_M_TRADES, "trades", 0 }, { ALGO_M_NET_PNL, "net_pnl", 2 }, { ALGO_M_RETURN, "return%", 4 },
	{ ALGO_M_SHARPE, "sharpe", 4 }, { ALGO_M_SORTINO, "sortino", 4 }, { ALGO_M_MAXDD, "max_dd%", 4 },
	{ ALGO_M_WINRATE, "win%", 2 }, { ALGO_M_PF, "pf", 4 }, { ALGO_M_DSR, "dsr", 4 },
};
#define NCOLS (sizeof cols / sizeof cols[0])

static void param_text(const struct algo_sweep *s, const struct algo_sweep_row *r, char *buf, size_t len)
{
	size_t k = 0;
	buf[0] = '\0';
	for (int a = 0; a < s->naxes && k < len; a++) {
		char num[40];
		algo_expr_fmt_num(r->vals[a], num, sizeof num);
		int w = snprintf(buf + k, len - k, "%s%s=%s", a ? " " : "", s->names[a], num);
		if (w > 0) k += (size_t)w;
	}
}

void algo_sweep_write_statement(FILE *f, const struct algo_sweep *s)
{
	char ptxt[512], g[256] = "";
	size_t k = 0;
	for (int a = 0; a < s->naxes && k < sizeof g; a++) {
		int w = snprintf(g + k, sizeof g - k, "%s%s", a ? " x " : "", s->names[a]);
		if (w > 0) k += (size_t)w;
	}
	fprintf(f, "\n%zu variant%s tried%s%s%s; ranked by %s (%s is better).\n", s->tried, s->tried == 1 ? "" : "s",
		s->naxes ? " (grid: " : "", g, s->naxes ? ")" : "", algo_sweep_metric_name(s->rank),
		algo_sweep_lower_is_better(s->rank) ? "lower" : "higher");
	if (s->best < 0) {
		fprintf(f, "No variant has a defined Sharpe ratio (too few days, or no change in equity):\n"
			"the deflated Sharpe ratio cannot be computed.\n");
		return;
	}
	const struct algo_sweep_row *b = &s->rows[s->best];
	param_text(s, b, ptxt, sizeof ptxt);
	fprintf(f, "Best raw Sharpe: %.4f annualised (%.6f per day over %zu daily returns), %s.\n",
		b->m[ALGO_M_SHARPE], b->mo.sr, b->mo.n, ptxt);
	if (isnan(b->m[ALGO_M_DSR])) {
		fprintf(f, "Deflated Sharpe ratio: undefined (needs at least 2 variants with a defined Sharpe and 2 days).\n");
		return;
	}
	fprintf(f, "Deflated Sharpe ratio: %.4f, the probability that its true Sharpe beats %.6f per day,\n"
		"  what the best of N = %zu trials of no skill would show by luck (variance of the trials'\n"
		"  per-day Sharpe %.6g; N is the raw count of variants, not of independent ones).\n",
		b->m[ALGO_M_DSR], s->sr0, s->tried, s->var);
	fprintf(f, "%s\n", b->m[ALGO_M_DSR] >= 0.95 ? "At 0.95 or above: significant at the 5% level despite the selection."
		: "Below 0.95: not significant at the 5% level once the selection is accounted for.");
}

static void write_table(FILE *f, const struct algo_sweep *s)
{
	int w[ALGO_GRID_AXES_MAX];
	fprintf(f, "%4s", "rank");
	for (int a = 0; a < s->naxes; a++) {
		w[a] = (int)strlen(s->names[a]);
		for (size_t i = 0; i < s->n; i++) {
			char num[40];
			int l = algo_expr_fmt_num(s->rows[i].vals[a], num, sizeof num);
			if (l > w[a]) w[a] = l;
		}
		fprintf(f, "  %*s", w[a], s->names[a]);
	}
	for (size_t c = 0; c < NCOLS; c++) fprintf(f, "  %10s", cols[c].head);
	fputc('\n', f);
	for (size_t i = 0; i < s->n; i++) {
		const struct algo_sweep_row *r = &s->rows[i];
		fprintf(f, "%4zu", i + 1);
		for (int a = 0; a < s->naxes; a++) {
			char num[40];
			algo_expr_fmt_num(r->vals[a], num, sizeof num);
			fprintf(f, "  %*s", w[a], num);
		}
		for (size_t c = 0; c < NCOLS; c++) {
			double v = r->m[cols[c].m];
			if (isnan(v)) fprintf(f, "  %10s", "-");
			else fprintf(f, "  %10.*f", cols[c].dec, v);
		}
		fputc('\n', f);
	}
	algo_sweep_write_statement(f, s);
}

static void write_csv(FILE *f, const struct algo_sweep *s)
{
	fputs("rank", f);
	for (int a = 0; a < s->naxes; a++) fprintf(f, ",%s", s->names[a]);
	for (int m = 0; m < ALGO_M_COUNT; m++) fprintf(f, ",%s", metric_names[m]);
	fputs(",days,trials\n", f);
	for (size_t i = 0; i < s->n; i++) {
		const struct algo_sweep_row *r = &s->rows[i];
		char num[40];
		fprintf(f, "%zu", i + 1);
		for (int a = 0; a < s->naxes; a++) {
			algo_expr_fmt_num(r->vals[a], num, sizeof num);
			fprintf(f, ",%s", num);
		}
		for (int m = 0; m < ALGO_M_COUNT; m++) {
			if (isnan(r->m[m])) fputc(',', f);
			else fprintf(f, ",%.10g", r->m[m]);
		}
		fprintf(f, ",%zu,%zu\n", r->mo.n, s->tried);
	}
}

static void json_params(FILE *f, const struct algo_sweep *s, const struct algo_sweep_row *r)
{
	fputc('{', f);
	for (int a = 0; a < s->naxes; a++) {
		char num[40];
		algo_expr_fmt_num(r->vals[a], num, sizeof num);
		fprintf(f, "%s\"%s\":%s", a ? "," : "", s->names[a], num);
	}
	fputc('}', f);
}

static void write_ndjson(FILE *f, const struct algo_sweep *s)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct algo_sweep_row *r = &s->rows[i];
		fprintf(f, "{\"type\":\"sweep_variant\",\"rank\":%zu,\"variant\":%zu,\"params\":", i + 1, r->id);
		json_params(f, s, r);
		for (int m = 0; m < ALGO_M_COUNT; m++) {
			fprintf(f, ",\"%s\":", metric_names[m]);
			json_num(f, r->m[m]);
		}
		fprintf(f, ",\"days\":%zu,\"sharpe_per_day\":", r->mo.n);
		json_num(f, r->mo.sr);
		fputs(",\"skewness\":", f);
		json_num(f, r->mo.skew);
		fputs(",\"kurtosis\":", f);
		json_num(f, r->mo.kurt);
		fputs("}\n", f);
	}
	fprintf(f, "{\"type\":\"sweep_summary\",\"variants\":%zu,\"ranked_by\":\"%s\",\"trials\":%zu,"
		"\"sharpe_variance\":", s->n, algo_sweep_metric_name(s->rank), s->tried);
	json_num(f, s->var);
	fputs(",\"expected_max_sharpe\":", f);
	json_num(f, s->sr0);
	if (s->best >= 0) {
		const struct algo_sweep_row *b = &s->rows[s->best];
		fprintf(f, ",\"best_sharpe_variant\":%zu,\"best_params\":", b->id);
		json_params(f, s, b);
		fputs(",\"best_sharpe\":", f);
		json_num(f, b->m[ALGO_M_SHARPE]);
		fputs(",\"best_sharpe_per_day\":", f);
		json_num(f, b->mo.sr);
		fputs(",\"deflated_sharpe\":", f);
		json_num(f, b->m[ALGO_M_DSR]);
	} else fputs(",\"best_sharpe_variant\":null,\"deflated_sharpe\":null", f);
	fputs("}\n", f);
}

int algo_sweep_write(FILE *f, const struct algo_sweep *s, int fmt)
{
	if (fmt == ALGO_SWEEP_CSV) write_csv(f, s);
	else if (fmt == ALGO_SWEEP_NDJSON) write_ndjson(f, s);
	else write_table(f, s);
	return ferror(f) ? -1 : 0;
}

/* ---- algo-variants table and dsr ---------------------------------------------------- */

int algo_sweep_load(struct algo_sweep *s, const struct algo_sweep_files *in, int rank, char *err, size_t errlen)
{
	int rc = algo_sweep_gather(s, in->variants, in->results, in->joblog, err, errlen);
	if (rc < 0) {
		algo_sweep_free(s);
		return rc == -2 ? ALGO_EX_FAIL : ALGO_EX_DATAERR;
	}
	algo_sweep_finish(s, rank);
	return 0;
}

int algo_sweep_table(FILE *f, const struct algo_sweep_files *in, int rank, int fmt, char *err, size_t errlen)
{
	struct algo_sweep s;
	char why[ALGO_SWEEP_ERR_MAX];
	int rc = algo_sweep_load(&s, in, rank, why, sizeof why);
	if (rc) {
		snprintf(err, errlen, "%s", why);
		return rc;
	}
	rc = algo_sweep_write(f, &s, fmt);
	algo_sweep_free(&s);
	if (rc < 0 && errlen)
		err[0] = '\0';
	return rc < 0 ? ALGO_EX_IOERR : 0;
}

void algo_sweep_write_dsr(FILE *f, double sharpe, double var, size_t trials, size_t days, double skew, double kurt)
{
	double sr0 = algo_expected_max_sr(var, trials), dsr = algo_psr(sharpe, sr0, days, skew, kurt);
	fprintf(f, "expected_max_sharpe %.10g\n", sr0);
	if (isnan(dsr))
		fprintf(f, "deflated_sharpe undefined\n");
	else
		fprintf(f, "deflated_sharpe %.10g\n", dsr);
}
