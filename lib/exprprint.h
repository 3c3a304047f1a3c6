/* exprprint — `algo-eval --print EXPR...`: the values of expressions after every bar,
 * as CSV (ts,symbol,EXPR...; a field quoted when it holds a comma, a quote or a line
 * break; an empty field while a value is not yet defined). The tool to compare our
 * indicators with TA-Lib. algo_exprprint_event is a stage's event op (lib/stage.h).
 * Nothing here prints messages. */
#ifndef ALGO_EXPRPRINT_H
#define ALGO_EXPRPRINT_H
#include "event.h"
#include "strategy.h"

struct algo_exprprint {
	struct algo_strategy *s;
	int n;
	struct algo_writer *w;
	char *row;
	size_t len, cap;
	int oom;
};

/* The n expressions, with ndefs parameters "NAME=VALUE" they may use; writes the
 * header row to w. Returns 0, or -1 with the problems in errs (or out of memory). */
int algo_exprprint_init(struct algo_exprprint *p, char **exprs, int n, char **defs, int ndefs,
	struct algo_writer *w, struct algo_errlist *errs);
/* A stage event: a bar gives a row; other events nothing. */
int algo_exprprint_event(void *arg, const struct algo_event *ev, char *err, size_t errlen);
void algo_exprprint_free(struct algo_exprprint *p);

#endif
