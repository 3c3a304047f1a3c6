/* stratset — the strategy files of one algo-eval run, loaded with the --param values
 * and --capital that apply to them.
 *
 * With one file every --param must be one of its "params"; with several, a --param
 * applies to the files that declare it and one that none declares is a configuration
 * error. A sizing that needs a capital nobody gave is a problem of its file, and two
 * strategies may not share a name. Every problem goes to the warn callback, in file
 * order; the result is the exit code they call for (algo(7)): 78, or 66 when the only
 * problem is a file that does not exist. Nothing here prints. */
#ifndef ALGO_STRATSET_H
#define ALGO_STRATSET_H
#include "strategy.h"

struct algo_stratset {
	struct algo_param_overrides ov;
	int64_t capital;                /* > 0: overrides the files' "capital" */
	struct algo_strategy **s;       /* the strategies loaded */
	int n;
	void (*warn)(void *arg, const char *msg);
	void *arg;
};

/* The nparams --param assignments (syntax checked) for nfiles files. Returns 0, or -1
 * when out of memory. */
int algo_stratset_init(struct algo_stratset *set, char **params, int nparams, int nfiles, int64_t capital);
/* Loads every file into set->s. Returns 0 or an exit code. */
int algo_stratset_load(struct algo_stratset *set, char **files, int n);
/* --check: loads each file and frees it again, telling every problem. Returns 0 or an
 * exit code. */
int algo_stratset_check(struct algo_stratset *set, char **files, int n);
/* Tells the messages of errs; returns the exit code they call for (code, or 66 for a
 * lone missing file). */
int algo_stratset_report(const struct algo_stratset *set, const struct algo_errlist *errs, int code);
void algo_stratset_free(struct algo_stratset *set);

#endif
