/* exprprint — expression values as CSV; see exprprint.h. */
#include "exprprint.h"
#include "cli.h"
#include "expr.h"
#include "timeutil.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void add(struct algo_exprprint *p, const char *s, size_t n)
{
	if (p->len + n + 1 > p->cap) {
		size_t cap = (p->cap ? p->cap * 2 : 256) + n;
		char *t = realloc(p->row, cap);
		if (!t) {
			p->oom = 1;
			return;
		}
		p->row = t;
		p->cap = cap;
	}
	memcpy(p->row + p->len, s, n);
	p->len += n;
}

/* Appends a CSV field, quoted when it holds a comma, quote or line break. */
static void field(struct algo_exprprint *p, const char *s, int first)
{
	if (!first)
		add(p, ",", 1);
	if (!strpbrk(s, ",\"\r\n")) {
		add(p, s, strlen(s));
		return;
	}
	add(p, "\"", 1);
	for (; *s; s++)
		add(p, *s == '"' ? "\"\"" : s, *s == '"' ? 2 : 1);
	add(p, "\"", 1);
}

int algo_exprprint_init(struct algo_exprprint *p, char **exprs, int n, char **defs, int ndefs,
	struct algo_writer *w, struct algo_errlist *errs)
{
	memset(p, 0, sizeof *p);
	p->s = algo_strategy_exprs_with((const char *const *)exprs, n, (const char *const *)defs, ndefs, errs);
	if (!p->s)
		return -1;
	p->n = n;
	p->w = w;
	field(p, "ts", 1);
	field(p, "symbol", 0);
	for (int i = 0; i < n; i++)
		field(p, exprs[i], 0);
	algo_out_line(w, p->row, p->len);
	return p->oom ? -1 : 0;
}

static void row(struct algo_exprprint *p, const struct algo_bar *bar)
{
	char buf[64];
	p->len = 0;
	algo_time_fmt(bar->ts, ALGO_IST_OFFSET_MIN, buf);
	field(p, buf, 1);
	field(p, bar->symbol, 0);
	for (int i = 0; i < p->n; i++) {
		double v = algo_strategy_expr_value(p->s, i);
		buf[0] = '\0';
		if (!isnan(v))
			algo_expr_fmt_num(v, buf, sizeof buf);
		field(p, buf, 0);
	}
	algo_out_line(p->w, p->row, p->len);
}

int algo_exprprint_event(void *arg, const struct algo_event *ev, char *err, size_t errlen)
{
	struct algo_exprprint *p = arg;
	struct algo_bar bar;
	if (ev->type != ALGO_EV_BAR)
		return 0;
	if (algo_bar_decode(ev, &bar, err, errlen) < 0 ||
	    algo_strategy_check_bar(p->s, &bar, err, errlen) == ALGO_STRAT_ERROR)
		return -1;
	if (algo_strategy_on_bar(p->s, &bar, NULL, NULL, err, errlen) == ALGO_STRAT_ERROR)
		return ALGO_EX_FAIL;
	row(p, &bar);
	if (p->oom) {
		snprintf(err, errlen, "out of memory");
		return ALGO_EX_FAIL;
	}
	return 0;
}

void algo_exprprint_free(struct algo_exprprint *p)
{
	algo_strategy_free(p->s);
	free(p->row);
}
