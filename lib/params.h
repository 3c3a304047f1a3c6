/* params — a strategy's named numeric parameters ("params": {"fast": 9, "slow": 21}):
 * their defaults, the values given on the command line (algo-eval --param fast=12),
 * and the canonical text of the values that differ from the defaults (part of the
 * restart-state key, so two variants of one file never share indicator state).
 *
 * Names are case-insensitive identifiers of at most ALGO_PARAM_NAME_MAX bytes that
 * are not a series, state keyword, operator or indicator name (an expression could
 * not tell them apart). The table is a fixed array: no allocation, nothing to free. */
#ifndef ALGO_PARAMS_H
#define ALGO_PARAMS_H
#include <stddef.h>

#define ALGO_PARAMS_MAX 64
#define ALGO_PARAM_NAME_MAX 32

struct algo_param {
	char name[ALGO_PARAM_NAME_MAX + 1];     /* as declared */
	double def;                 /* the file's value */
	double value;               /* the value in force (def unless overridden) */
	int overridden;             /* set by algo_params_override */
	int used;                   /* an expression or field referred to it */
};

struct algo_params {
	struct algo_param p[ALGO_PARAMS_MAX];
	int n;
};

/* Empties the table. */
void algo_params_init(struct algo_params *pp);

/* Declares name (NUL-terminated) with default def. Returns 0, or -1 with the reason
 * in err ("'close' is a series name", "must be finite", "declared twice", …). */
int algo_params_add(struct algo_params *pp, const char *name, double def, char *err, size_t errlen);

/* The parameter called n bytes of name (case-insensitive), or NULL. */
struct algo_param *algo_params_find(struct algo_params *pp, const char *name, size_t n);

/* Splits "NAME=VALUE" (as given to --param): *name and *nlen point into assign, *value
 * after the '='. Returns 0, or -1 when there is no '=' or the name is empty. */
int algo_param_split(const char *assign, const char **name, size_t *nlen, const char **value);

/* Parses a parameter value: a finite decimal number ("12", "-0.5", "1e3"; no hex,
 * inf or nan). Returns 0 with *out, or -1. */
int algo_param_number(const char *s, double *out);

/* Applies "NAME=VALUE". Returns 1 when applied, 0 when pp declares no NAME (then
 * err holds "no parameter 'fst' (did you mean 'fast'?)"), -1 when VALUE is not a
 * number (err says so). */
int algo_params_override(struct algo_params *pp, const char *assign, char *err, size_t errlen);

/* Writes "name=value name=value" of the parameters whose value differs from the
 * default, sorted by lower-cased name, values in the shortest exact form; "" when
 * none. Returns the length (snprintf semantics). */
int algo_params_canon(const struct algo_params *pp, char *buf, size_t len);

#endif
