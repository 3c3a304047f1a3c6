/* heatmap — the HTML heatmap of a two-parameter sweep. See heatmap.h. */
#include "heatmap.h"
#include "cli.h"
#include "expr.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

int algo_heatmap_axes(const struct algo_sweep *s, int *x, int *y, char *err, size_t errlen)
{
	int vary[ALGO_GRID_AXES_MAX], n = 0;
	for (int a = 0; a < s->naxes; a++) {
		for (size_t i = 1; i < s->n; i++)
			if (s->rows[i].vals[a] != s->rows[0].vals[a]) { vary[n++] = a; break; }
	}
	if (n != 2) {
		snprintf(err, errlen, "a heatmap needs a grid in which exactly two parameters vary (%d do%s)", n,
			n == 1 ? "es" : "");
		return -1;
	}
	*x = vary[0];
	*y = vary[1];
	return 0;
}

static void html_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '<') fputs("&lt;", f);
		else if (*s == '>') fputs("&gt;", f);
		else if (*s == '&') fputs("&amp;", f);
		else if (*s == '"') fputs("&quot;", f);
		else fputc(*s, f);
	}
}

static int cmp_double(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;
	return a < b ? -1 : a > b;
}

/* The distinct values of axis a, ascending, into *out (allocated). Returns the count,
 * or 0 when memory runs out. */
static size_t axis_values(const struct algo_sweep *s, int a, double **out)
{
	double *v = malloc((s->n ? s->n : 1) * sizeof *v);
	size_t k = 0;
	if (!v) return 0;
	for (size_t i = 0; i < s->n; i++) v[i] = s->rows[i].vals[a];
	qsort(v, s->n, sizeof *v, cmp_double);
	for (size_t i = 0; i < s->n; i++)
		if (!k || v[i] != v[k - 1]) v[k++] = v[i];
	*out = v;
	return k;
}

static size_t index_of(const double *v, size_t n, double x)
{
	size_t i = 0;
	while (i < n && v[i] != x) i++;
	return i;
}

/* Decimals a metric's value is shown with. */
static int decimals(int m)
{
	switch (m) {
	case ALGO_M_TRADES: return 0;
	case ALGO_M_NET_PNL: case ALGO_M_EXPECTANCY: case ALGO_M_WINRATE: return 2;
	default: return 4;
	}
}

/* Background of a cell whose goodness is t (0 the worst value, 1 the best): red
 * through a pale middle to green, the ledger report's loss and gain colours. */
static void cell_colour(double t, char *buf, size_t len)
{
	static const int red[3] = { 192, 58, 58 }, mid[3] = { 245, 245, 238 }, green[3] = { 58, 154, 58 };
	const int *a = t < 0.5 ? red : mid, *b = t < 0.5 ? mid : green;
	double u = t < 0.5 ? t * 2 : (t - 0.5) * 2;
	int c[3];
	for (int k = 0; k < 3; k++) c[k] = (int)lround(a[k] + (b[k] - a[k]) * u);
	snprintf(buf, len, "#%02x%02x%02x", c[0], c[1], c[2]);
}

static void param_pair(FILE *f, const struct algo_sweep *s, const struct algo_sweep_row *r)
{
	char num[40];
	for (int a = 0; a < s->naxes; a++) {
		algo_expr_fmt_num(r->vals[a], num, sizeof num);
		fprintf(f, "%s", a ? " " : "");
		html_text(f, s->names[a]);
		fprintf(f, "=%s", num);
	}
}

/* The tooltip: the variant's parameters and every metric. */
static void tooltip(FILE *f, const struct algo_sweep *s, const struct algo_sweep_row *r, size_t rank)
{
	fprintf(f, " title=\"rank %zu: ", rank);
	param_pair(f, s, r);
	for (int m = 0; m < ALGO_M_COUNT; m++) {
		if (isnan(r->m[m])) fprintf(f, "&#10;%s -", algo_sweep_metric_name(m));
		else fprintf(f, "&#10;%s %.*f", algo_sweep_metric_name(m), decimals(m), r->m[m]);
	}
	fputc('"', f);
}

static void write_head(FILE *f, const struct algo_sweep *s, int x, int y)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>algo sweep heatmap</title>\n"
		"<style>body{font-family:sans-serif;margin:1.5em;color:#222}"
		"table{border-collapse:collapse;margin:.5em 0}td,th{padding:4px 8px;text-align:right}"
		"td.c{border:1px solid #fff;min-width:4.5em}td.best{outline:3px solid #1f5fbf;outline-offset:-3px;"
		"font-weight:bold}td.na{background:#fafafa;color:#999}th{color:#555;font-weight:normal}"
		"th.ax{color:#222;font-weight:bold}p.st{white-space:pre-line;max-width:52em}"
		".key span{display:inline-block;padding:2px 8px}</style>\n</head><body>\n<h1>Sweep: ", f);
	html_text(f, algo_sweep_metric_name(s->rank));
	fputs(" by ", f);
	html_text(f, s->names[x]);
	fputs(" and ", f);
	html_text(f, s->names[y]);
	fputs("</h1>\n", f);
}

/* The statement of trials and the deflated Sharpe, as the text table ends. */
static int write_statement_html(FILE *f, const struct algo_sweep *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	if (!m) return -1;
	algo_sweep_write_statement(m, s);
	if (fclose(m) != 0) { free(buf); return -1; }
	fputs("<p class=\"st\">", f);
	html_text(f, buf + (len && buf[0] == '\n'));
	fputs("</p>\n", f);
	free(buf);
	return 0;
}

/* The caption: the metric, its direction, the fixed parameters. */
static void write_caption(FILE *f, const struct algo_sweep *s, int x, int y, double lo, double hi)
{
	int lower = algo_sweep_lower_is_better(s->rank);
	char c0[16], c1[16];
	cell_colour(0, c0, sizeof c0);
	cell_colour(1, c1, sizeof c1);
	fputs("<p>Each cell is one variant: ", f);
	html_text(f, s->names[x]);
	fputs(" across, ", f);
	html_text(f, s->names[y]);
	fputs(" down; the colour is its ", f);
	html_text(f, algo_sweep_metric_name(s->rank));
	fprintf(f, " (%s is better), the outlined cell the rank-1 variant.", lower ? "lower" : "higher");
	for (int a = 0; a < s->naxes && s->n; a++) {
		char num[40];
		if (a == x || a == y) continue;
		algo_expr_fmt_num(s->rows[0].vals[a], num, sizeof num);
		fputs(" Fixed: ", f);
		html_text(f, s->names[a]);
		fprintf(f, " = %s.", num);
	}
	fputs("</p>\n<p class=\"key\">", f);
	if (isnan(lo)) fputs("No variant has a defined value.", f);
	else fprintf(f, "<span style=\"background:%s;color:#fff\">worst %.*f</span><span style=\"background:%s;"
		"color:#fff\">best %.*f</span>", c0, decimals(s->rank), lower ? hi : lo, c1, decimals(s->rank),
		lower ? lo : hi);
	fputs("</p>\n", f);
}

/* One cell: value, colour from its place between lo and hi, tooltip. */
static void write_cell(FILE *f, const struct algo_sweep *s, size_t row, double lo, double hi)
{
	const struct algo_sweep_row *r = &s->rows[row];
	double v = r->m[s->rank], t;
	char bg[16];
	if (isnan(v)) {
		fprintf(f, "<td class=\"c na\"");
		tooltip(f, s, r, row + 1);
		fputs(">-</td>", f);
		return;
	}
	t = hi > lo ? (v - lo) / (hi - lo) : 1;
	if (algo_sweep_lower_is_better(s->rank)) t = 1 - t;
	cell_colour(t, bg, sizeof bg);
	fprintf(f, "<td class=\"c%s\" style=\"background:%s;color:%s\"", row == 0 ? " best" : "", bg,
		fabs(t - 0.5) > 0.35 ? "#fff" : "#222");
	tooltip(f, s, r, row + 1);
	fprintf(f, ">%.*f</td>", decimals(s->rank), v);
}

static void write_grid(FILE *f, const struct algo_sweep *s, int x, int y, const double *xv, size_t nx,
	const double *yv, size_t ny, const long *cell)
{
	double lo = NAN, hi = NAN;
	char num[40];
	for (size_t i = 0; i < s->n; i++) {
		double v = s->rows[i].m[s->rank];
		if (isnan(v)) continue;
		if (isnan(lo) || v < lo) lo = v;
		if (isnan(hi) || v > hi) hi = v;
	}
	write_caption(f, s, x, y, lo, hi);
	fputs("<table>\n<tr><th class=\"ax\">", f);
	html_text(f, s->names[y]);
	fputs(" \\ ", f);
	html_text(f, s->names[x]);
	fputs("</th>", f);
	for (size_t i = 0; i < nx; i++) {
		algo_expr_fmt_num(xv[i], num, sizeof num);
		fprintf(f, "<th>%s</th>", num);
	}
	fputs("</tr>\n", f);
	for (size_t j = 0; j < ny; j++) {
		algo_expr_fmt_num(yv[j], num, sizeof num);
		fprintf(f, "<tr><th>%s</th>", num);
		for (size_t i = 0; i < nx; i++) {
			long row = cell[j * nx + i];
			if (row < 0) fputs("<td class=\"c na\" title=\"not in the sweep\"></td>", f);
			else write_cell(f, s, (size_t)row, lo, hi);
		}
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);
}

int algo_heatmap_write(FILE *f, const struct algo_sweep *s, int x, int y, char *err, size_t errlen)
{
	double *xv = NULL, *yv = NULL;
	size_t nx = axis_values(s, x, &xv), ny = nx ? axis_values(s, y, &yv) : 0;
	long *cell = ny ? malloc(nx * ny * sizeof *cell) : NULL;
	int rc = 0;
	if (!cell) {
		snprintf(err, errlen, s->n ? "out of memory" : "no variants");
		free(xv);
		free(yv);
		return -1;
	}
	for (size_t k = 0; k < nx * ny; k++) cell[k] = -1;
	for (size_t i = 0; i < s->n; i++)
		cell[index_of(yv, ny, s->rows[i].vals[y]) * nx + index_of(xv, nx, s->rows[i].vals[x])] = (long)i;
	write_head(f, s, x, y);
	write_grid(f, s, x, y, xv, nx, yv, ny, cell);
	if (write_statement_html(f, s) < 0) { snprintf(err, errlen, "out of memory"); rc = -1; }
	fputs("</body></html>\n", f);
	if (!rc && ferror(f)) { snprintf(err, errlen, "write error"); rc = -1; }
	free(cell);
	free(xv);
	free(yv);
	return rc;
}

int algo_heatmap_page(FILE *f, const struct algo_sweep_files *in, int rank, char *err, size_t errlen)
{
	struct algo_sweep s;
	char why[ALGO_SWEEP_ERR_MAX], msg[256];
	int x, y, rc = algo_sweep_load(&s, in, rank, why, sizeof why);
	if (rc) {
		snprintf(err, errlen, "%s", why);
		return rc;
	}
	if (algo_heatmap_axes(&s, &x, &y, msg, sizeof msg) < 0) {
		snprintf(err, errlen, "%s: %s", in->variants, msg);
		rc = ALGO_EX_DATAERR;
	} else if (algo_heatmap_write(f, &s, x, y, msg, sizeof msg) < 0) {
		snprintf(err, errlen, "heatmap: %s", msg);
		rc = ALGO_EX_IOERR;
	}
	algo_sweep_free(&s);
	return rc;
}
