/* params — named numeric parameters of a strategy. See params.h. */
#include "params.h"
#include "expr.h"
#include "indicators.h"
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void algo_params_init(struct algo_params *pp)
{
	memset(pp, 0, sizeof *pp);
}

static int ident_ok(const char *s)
{
	if (!isalpha((unsigned char)s[0]) && s[0] != '_') return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_') return 0;
	return 1;
}

/* What a name already means in an expression, or NULL when it is free. */
static const char *reserved_as(const char *name)
{
	static const char *const words[] = { "and", "or", "not", "crosses_above", "cross_above",
		"crosses_below", "cross_below", NULL };
	size_t n = strlen(name);
	for (int i = 0; words[i]; i++)
		if (strcasecmp(name, words[i]) == 0) return "an operator";
	for (int i = 0; algo_series_name(i); i++)
		if (strcasecmp(name, algo_series_name(i)) == 0) return "a series";
	for (int i = 0; algo_var_name(i); i++)
		if (strcasecmp(name, algo_var_name(i)) == 0) return "a state keyword";
	if (algo_ind_find(name, n)) return "an indicator";
	return NULL;
}

int algo_params_add(struct algo_params *pp, const char *name, double def, char *err, size_t errlen)
{
	const char *what;
	size_t n = strlen(name);
	if (n == 0 || n > ALGO_PARAM_NAME_MAX || !ident_ok(name)) {
		snprintf(err, errlen, "a parameter name is a letter or '_' then letters, digits or '_' "
			"(at most %d)", ALGO_PARAM_NAME_MAX);
		return -1;
	}
	if ((what = reserved_as(name))) {
		snprintf(err, errlen, "'%s' is %s name; call the parameter something else", name, what);
		return -1;
	}
	if (algo_params_find(pp, name, n)) {
		snprintf(err, errlen, "'%s' is declared twice (names are case-insensitive)", name);
		return -1;
	}
	if (!isfinite(def)) {
		snprintf(err, errlen, "must be a finite number");
		return -1;
	}
	if (pp->n == ALGO_PARAMS_MAX) {
		snprintf(err, errlen, "too many parameters (at most %d)", ALGO_PARAMS_MAX);
		return -1;
	}
	struct algo_param *p = &pp->p[pp->n++];
	memset(p, 0, sizeof *p);
	memcpy(p->name, name, n + 1);
	p->def = p->value = def;
	return 0;
}

struct algo_param *algo_params_find(struct algo_params *pp, const char *name, size_t n)
{
	for (int i = 0; i < pp->n; i++)
		if (strlen(pp->p[i].name) == n && strncasecmp(pp->p[i].name, name, n) == 0) return &pp->p[i];
	return NULL;
}

int algo_param_split(const char *assign, const char **name, size_t *nlen, const char **value)
{
	const char *eq = strchr(assign, '=');
	if (!eq || eq == assign) return -1;
	*name = assign;
	*nlen = (size_t)(eq - assign);
	*value = eq + 1;
	return 0;
}

int algo_param_number(const char *s, double *out)
{
	char *end;
	double v;
	if (!*s || strlen(s) > 64) return -1;
	for (const char *c = s; *c; c++)
		if (!isdigit((unsigned char)*c) && !strchr("+-.eE", *c)) return -1;
	v = strtod(s, &end);
	if (end == s || *end || !isfinite(v)) return -1;
	*out = v;
	return 0;
}

int algo_params_override(struct algo_params *pp, const char *assign, char *err, size_t errlen)
{
	const char *name, *value;
	size_t n;
	struct algo_param *p;
	double v;
	if (algo_param_split(assign, &name, &n, &value) < 0) {
		snprintf(err, errlen, "'%s' is not NAME=VALUE", assign);
		return -1;
	}
	if (!(p = algo_params_find(pp, name, n))) {
		const char *best = NULL;
		size_t bestd = (size_t)-1;
		for (int i = 0; i < pp->n; i++) {
			size_t d = algo_edit_distance(name, n, pp->p[i].name, strlen(pp->p[i].name));
			if (d < bestd) { bestd = d; best = pp->p[i].name; }
		}
		if (best && bestd <= 2 && bestd < n)
			snprintf(err, errlen, "no parameter '%.*s' (did you mean '%s'?)", (int)n, name, best);
		else if (pp->n) {
			char list[256];
			size_t k = 0;
			for (int i = 0; i < pp->n && k < sizeof list; i++) {
				int w = snprintf(list + k, sizeof list - k, "%s%s", i ? ", " : "", pp->p[i].name);
				if (w > 0) k += (size_t)w;
			}
			snprintf(err, errlen, "no parameter '%.*s' (it has: %s)", (int)n, name, list);
		} else
			snprintf(err, errlen, "no parameter '%.*s' (it declares no \"params\")", (int)n, name);
		return 0;
	}
	if (algo_param_number(value, &v) < 0) {
		snprintf(err, errlen, "'%s' is not a number", value);
		return -1;
	}
	p->value = v;
	p->overridden = 1;
	return 1;
}

static int cmp_name(const void *a, const void *b)
{
	return strcasecmp((*(const struct algo_param *const *)a)->name, (*(const struct algo_param *const *)b)->name);
}

int algo_params_canon(const struct algo_params *pp, char *buf, size_t len)
{
	const struct algo_param *v[ALGO_PARAMS_MAX];
	int n = 0, k = 0;
	if (len) buf[0] = '\0';
	for (int i = 0; i < pp->n; i++)
		if (pp->p[i].value != pp->p[i].def) v[n++] = &pp->p[i];
	qsort(v, (size_t)n, sizeof *v, cmp_name);
	for (int i = 0; i < n; i++) {
		char num[40], low[ALGO_PARAM_NAME_MAX + 1];
		size_t j;
		for (j = 0; v[i]->name[j]; j++) low[j] = (char)tolower((unsigned char)v[i]->name[j]);
		low[j] = '\0';
		algo_expr_fmt_num(v[i]->value, num, sizeof num);
		int w = snprintf(len > (size_t)k ? buf + k : NULL, len > (size_t)k ? len - (size_t)k : 0,
			"%s%s=%s", i ? " " : "", low, num);
		if (w < 0) return w;
		k += w;
	}
	return k;
}
