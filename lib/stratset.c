/* stratset — the strategy files of a run; see stratset.h. */
#include "stratset.h"
#include "cli.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void tell(const struct algo_stratset *set, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tell(const struct algo_stratset *set, const char *fmt, ...)
{
	char msg[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (set->warn)
		set->warn(set->arg, msg);
}

int algo_stratset_init(struct algo_stratset *set, char **params, int nparams, int nfiles, int64_t capital)
{
	memset(set, 0, sizeof *set);
	set->ov.assign = (const char *const *)params;
	set->ov.n = nparams;
	set->ov.lenient = nfiles > 1;
	set->capital = capital;
	set->ov.matched = calloc((size_t)nparams + 1, sizeof *set->ov.matched);
	set->s = calloc((size_t)nfiles + 1, sizeof *set->s);
	return set->ov.matched && set->s ? 0 : -1;
}

int algo_stratset_report(const struct algo_stratset *set, const struct algo_errlist *errs, int code)
{
	for (size_t i = 0; i < errs->n; i++)
		tell(set, "%s", errs->msg[i]);
	if (errs->dropped)
		tell(set, "… and %d more problems", errs->dropped);
	return errs->missing && errs->n == 1 ? ALGO_EX_NOINPUT : code;
}

/* One file; a sizing that needs a capital nobody gave is a problem too. */
static struct algo_strategy *load(struct algo_stratset *set, const char *file, struct algo_errlist *errs)
{
	struct algo_strategy *s = algo_strategy_load_with(file, &set->ov, errs);
	if (s && set->capital > 0)
		algo_strategy_set_capital(s, set->capital);
	if (s && algo_strategy_needs_capital(s)) {
		algo_errlist_add(errs, "%s: $.sizing: capital_pct and risk_pct need a capital: add \"capital\": "
			"AMOUNT to the file or give --capital AMOUNT", file);
		algo_strategy_free(s);
		s = NULL;
	}
	return s;
}

/* A --param no file declares (with several files). Returns code, or 78. */
static int unmatched_params(const struct algo_stratset *set, int code)
{
	for (int i = 0; set->ov.lenient && i < set->ov.n; i++)
		if (!set->ov.matched[i]) {
			tell(set, "--param %s: no strategy declares this parameter in its \"params\"", set->ov.assign[i]);
			code = ALGO_EX_CONFIG;
		}
	return code;
}

static int duplicate_names(const struct algo_stratset *set, char **files, int code)
{
	for (int i = 0; code == ALGO_EX_OK && i < set->n; i++)
		for (int k = 0; k < i; k++)
			if (strcmp(algo_strategy_name(set->s[i]), algo_strategy_name(set->s[k])) == 0) {
				tell(set, "%s: two strategies are named '%s' (give one a different \"name\")",
					files[i], algo_strategy_name(set->s[i]));
				code = ALGO_EX_CONFIG;
			}
	return code;
}

int algo_stratset_load(struct algo_stratset *set, char **files, int n)
{
	int code = ALGO_EX_OK, c;
	for (int i = 0; i < n; i++) {
		struct algo_errlist errs;
		algo_errlist_init(&errs);
		if ((set->s[set->n] = load(set, files[i], &errs)))
			set->n++;
		else if ((c = algo_stratset_report(set, &errs, ALGO_EX_CONFIG)) == ALGO_EX_CONFIG || code == ALGO_EX_OK)
			code = c;
		algo_errlist_free(&errs);
	}
	if (code == ALGO_EX_OK)
		code = unmatched_params(set, code);
	return duplicate_names(set, files, code);
}

int algo_stratset_check(struct algo_stratset *set, char **files, int n)
{
	int code = ALGO_EX_OK;
	for (int i = 0; i < n; i++) {
		struct algo_errlist errs;
		struct algo_strategy *s;
		algo_errlist_init(&errs);
		if ((s = load(set, files[i], &errs)))
			algo_strategy_free(s);
		else {
			int c = algo_stratset_report(set, &errs, ALGO_EX_CONFIG);
			if (code != ALGO_EX_CONFIG)
				code = c;
		}
		algo_errlist_free(&errs);
	}
	return unmatched_params(set, code);
}

void algo_stratset_free(struct algo_stratset *set)
{
	for (int i = 0; i < set->n; i++)
		algo_strategy_free(set->s[i]);
	free(set->s);
	free(set->ov.matched);
	memset(set, 0, sizeof *set);
}
