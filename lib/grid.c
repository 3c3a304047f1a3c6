/* grid — parameter grids and their variants. See grid.h. */
#include "grid.h"
#include "cli.h"
#include "expr.h"
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define LINE_MAX_LEN 65536

void algo_grid_init(struct algo_grid *g)
{
	memset(g, 0, sizeof *g);
}

void algo_grid_free(struct algo_grid *g)
{
	for (int i = 0; i < g->naxes; i++) free(g->ax[i].v);
	algo_grid_init(g);
}

/* Decimals written after the point in a number ("0.25" -> 2, "5" -> 0); -1 when it
 * has an exponent (then no rounding). */
static int decimals(const char *s, size_t n)
{
	const char *dot = memchr(s, '.', n);
	for (size_t i = 0; i < n; i++)
		if (s[i] == 'e' || s[i] == 'E') return -1;
	return dot ? (int)(n - (size_t)(dot + 1 - s)) : 0;
}

/* Parses n bytes of s as a number. Returns 0 or -1. */
static int number(const char *s, size_t n, double *out)
{
	char buf[72];
	if (n == 0 || n >= sizeof buf) return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return algo_param_number(buf, out);
}

struct vals { double *v; size_t n, cap; };

static int push(struct vals *a, double x, char *err, size_t errlen)
{
	if (a->n == ALGO_GRID_VALUES_MAX) {
		snprintf(err, errlen, "more than %d values", ALGO_GRID_VALUES_MAX);
		return -1;
	}
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 16;
		double *t = realloc(a->v, cap * sizeof *t);
		if (!t) { snprintf(err, errlen, "out of memory"); return -1; }
		a->v = t;
		a->cap = cap;
	}
	a->v[a->n++] = x;
	return 0;
}

/* One item of a list: a number, or A..B[:STEP]. */
static int item(struct vals *a, const char *s, size_t n, char *err, size_t errlen)
{
	const char *dots = NULL, *colon;
	double lo, hi, step = 1;
	int dec;
	for (size_t i = 0; i + 1 < n; i++)
		if (s[i] == '.' && s[i + 1] == '.') { dots = s + i; break; }
	if (!dots) {
		if (number(s, n, &lo) < 0) {
			snprintf(err, errlen, "'%.*s' is not a number (or a range A..B[:STEP])", (int)n, s);
			return -1;
		}
		return push(a, lo, err, errlen);
	}
	colon = memchr(dots, ':', n - (size_t)(dots - s));
	size_t hl = (size_t)((colon ? colon : s + n) - (dots + 2));
	if (number(s, (size_t)(dots - s), &lo) < 0 || number(dots + 2, hl, &hi) < 0 ||
	    (colon && number(colon + 1, (size_t)(s + n - colon - 1), &step) < 0)) {
		snprintf(err, errlen, "'%.*s' is not a range A..B[:STEP] of numbers", (int)n, s);
		return -1;
	}
	if (!(step > 0)) {
		snprintf(err, errlen, "'%.*s': the step must be above 0", (int)n, s);
		return -1;
	}
	if (hi < lo) {
		snprintf(err, errlen, "'%.*s': the range's end is below its start", (int)n, s);
		return -1;
	}
	if ((hi - lo) / step >= ALGO_GRID_VALUES_MAX) {
		snprintf(err, errlen, "'%.*s': more than %d values", (int)n, s, ALGO_GRID_VALUES_MAX);
		return -1;
	}
	dec = decimals(s, (size_t)(dots - s));
	if (colon && dec >= 0) {
		int d2 = decimals(colon + 1, (size_t)(s + n - colon - 1));
		dec = d2 < 0 ? -1 : d2 > dec ? d2 : dec;
	}
	for (long k = 0;; k++) {
		double x = lo + (double)k * step;
		if (dec >= 0 && dec <= 15) x = round(x * pow(10, dec)) / pow(10, dec);
		if (x > hi + step * 1e-9) break;
		if (push(a, x, err, errlen) < 0) return -1;
	}
	return 0;
}

static int valid_name(const char *s, size_t n)
{
	if (n == 0 || n > ALGO_PARAM_NAME_MAX || (!isalpha((unsigned char)s[0]) && s[0] != '_')) return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_') return 0;
	return 1;
}

/* Parses "NAME=LIST" into name and a; the message of an error has no prefix. */
static int parse_axis(const char *spec, char *name, struct vals *a, char *err, size_t errlen)
{
	const char *eq = strchr(spec, '='), *p;
	if (!eq) { snprintf(err, errlen, "want NAME=VALUES, e.g. fast=5..15:2 or slow=20,26,30"); return -1; }
	if (!valid_name(spec, (size_t)(eq - spec))) {
		snprintf(err, errlen, "'%.*s' is not a parameter name (a letter or '_' then letters, digits or '_')",
			(int)(eq - spec), spec);
		return -1;
	}
	snprintf(name, ALGO_PARAM_NAME_MAX + 1, "%.*s", (int)(eq - spec), spec);
	p = eq + 1;
	if (!*p) { snprintf(err, errlen, "no values after '='"); return -1; }
	for (;;) {
		const char *c = strchr(p, ',');
		size_t n = c ? (size_t)(c - p) : strlen(p);
		while (n && isspace((unsigned char)*p)) { p++; n--; }
		while (n && isspace((unsigned char)p[n - 1])) n--;
		if (!n) { snprintf(err, errlen, "an empty value in the list"); return -1; }
		if (item(a, p, n, err, errlen) < 0) return -1;
		if (!c) break;
		p = c + 1;
	}
	for (size_t i = 0; i < a->n; i++)
		for (size_t k = 0; k < i; k++)
			if (a->v[i] == a->v[k]) {
				char num[40];
				algo_expr_fmt_num(a->v[i], num, sizeof num);
				snprintf(err, errlen, "the value %s is given twice", num);
				return -1;
			}
	return 0;
}

static int add_axis(struct algo_grid *g, const char *spec, char *err, size_t errlen)
{
	struct vals a = { 0 };
	char name[ALGO_PARAM_NAME_MAX + 1];
	size_t total;
	if (parse_axis(spec, name, &a, err, errlen) < 0) { free(a.v); return -1; }
	for (int i = 0; i < g->naxes; i++)
		if (strcasecmp(g->ax[i].name, name) == 0) {
			snprintf(err, errlen, "'%s' has two grids (names are case-insensitive)", name);
			free(a.v);
			return -1;
		}
	if (g->naxes == ALGO_GRID_AXES_MAX) {
		snprintf(err, errlen, "more than %d parameters", ALGO_GRID_AXES_MAX);
		free(a.v);
		return -1;
	}
	total = algo_grid_count(g);
	if (total * a.n / a.n != total || total * a.n > ALGO_GRID_VARIANTS_MAX) {
		snprintf(err, errlen, "the grid would have more than %d variants", ALGO_GRID_VARIANTS_MAX);
		free(a.v);
		return -1;
	}
	struct algo_grid_axis *x = &g->ax[g->naxes++];
	memcpy(x->name, name, sizeof x->name);
	x->v = a.v;
	x->n = a.n;
	return 0;
}

int algo_grid_add(struct algo_grid *g, const char *spec, char *err, size_t errlen)
{
	char msg[400];
	if (add_axis(g, spec, msg, sizeof msg) == 0) return 0;
	snprintf(err, errlen, "'%s': %s", spec, msg);
	return -1;
}

int algo_grid_load(struct algo_grid *g, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *line;
	long lineno = 0;
	int rc = 0;
	if (!f) { snprintf(err, errlen, "%s: %s", path, strerror(errno)); return -1; }
	if (!(line = malloc(LINE_MAX_LEN))) { fclose(f); snprintf(err, errlen, "out of memory"); return -1; }
	while (fgets(line, LINE_MAX_LEN, f)) {
		size_t n = strlen(line);
		char *p = line, msg[400];
		lineno++;
		if (n == LINE_MAX_LEN - 1 && line[n - 1] != '\n') {
			snprintf(err, errlen, "%s:%ld: line longer than %d bytes", path, lineno, LINE_MAX_LEN - 2);
			rc = -1;
			break;
		}
		while (n && isspace((unsigned char)line[n - 1])) line[--n] = '\0';
		while (isspace((unsigned char)*p)) p++;
		if (!*p || *p == '#') continue;
		if (add_axis(g, p, msg, sizeof msg) < 0) {
			snprintf(err, errlen, "%s:%ld: %s", path, lineno, msg);
			rc = -1;
			break;
		}
	}
	if (rc == 0 && ferror(f)) { snprintf(err, errlen, "%s: %s", path, strerror(errno)); rc = -1; }
	free(line);
	fclose(f);
	return rc;
}

size_t algo_grid_count(const struct algo_grid *g)
{
	size_t n = 1;
	for (int i = 0; i < g->naxes; i++) n *= g->ax[i].n;
	return n;
}

void algo_grid_variant(const struct algo_grid *g, size_t i, double *vals)
{
	for (int k = g->naxes - 1; k >= 0; k--) {
		vals[k] = g->ax[k].v[i % g->ax[k].n];
		i /= g->ax[k].n;
	}
}

int algo_grid_variant_text(const struct algo_grid *g, size_t i, const char *sep, char *buf, size_t len)
{
	double vals[ALGO_GRID_AXES_MAX];
	int k = 0;
	if (len) buf[0] = '\0';
	algo_grid_variant(g, i, vals);
	for (int a = 0; a < g->naxes; a++) {
		char num[40];
		algo_expr_fmt_num(vals[a], num, sizeof num);
		int w = snprintf(len > (size_t)k ? buf + k : NULL, len > (size_t)k ? len - (size_t)k : 0, "%s%s=%s",
			a ? sep : "", g->ax[a].name, num);
		if (w < 0) return w;
		k += w;
	}
	return k;
}

/* The exit code of a grid file that did not load: it cannot be opened, or it is wrong. */
static int load_failure(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return ALGO_EX_NOINPUT;
	fclose(f);
	return ALGO_EX_CONFIG;
}

int algo_grid_build(struct algo_grid *g, char *const *specs, int nspec, char *const *files, int nfiles,
	char *err, size_t errlen)
{
	char why[1024];
	algo_grid_init(g);
	for (int i = 0; i < nspec; i++)
		if (algo_grid_add(g, specs[i], why, sizeof why) < 0) {
			snprintf(err, errlen, "--grid %s", why);
			return ALGO_EX_USAGE;
		}
	for (int i = 0; i < nfiles; i++)
		if (algo_grid_load(g, files[i], why, sizeof why) < 0) {
			snprintf(err, errlen, "%s", why);
			return load_failure(files[i]);
		}
	if (!g->naxes) {
		snprintf(err, errlen, "no grid: give --grid NAME=VALUES or --grid-file FILE");
		return ALGO_EX_USAGE;
	}
	return 0;
}

void algo_grid_write(FILE *f, const struct algo_grid *g, const char *sep)
{
	char line[ALGO_GRID_LINE_MAX];
	for (size_t i = 0, n = algo_grid_count(g); i < n; i++) {
		algo_grid_variant_text(g, i, sep, line, sizeof line);
		fputs(line, f);
		putc('\n', f);
	}
}
