/* indicators — streaming technical indicators, one table entry each.
 *
 * Every indicator is described by a struct algo_ind_def: its name, whether it takes a
 * source series, its numeric parameters (with ranges and defaults), its outputs, and
 * four functions. Its whole state is a flat array of doubles whose length depends only
 * on the parameters, so a state can be copied, compared or saved (restart snapshots)
 * without knowing the indicator. Updates are amortised O(1) per bar (windowed highs
 * and lows use monotonic deques) except CCI's mean deviation, O(period) as in TA-Lib;
 * memory is O(period) and nothing is allocated per bar.
 *
 * Definitions follow TA-Lib (unstable period 0, classic compatibility): a value
 * appears exactly on the bar where TA-Lib's output array starts. Those TA-Lib lacks
 * (HMA, VWMA, RMA, SUPERTREND, VWAP, KELTNER, DONCHIAN, PIVOT, Heikin-Ashi, ORB) are
 * defined in algo-eval(1), section INDICATORS. Adding an indicator
 * is one table entry in indicators.c plus its state_len/update functions. */
#ifndef ALGO_INDICATORS_H
#define ALGO_INDICATORS_H
#include <stddef.h>
#include <stdint.h>

#define ALGO_IND_MAXPARAMS 4
#define ALGO_IND_MAXOUT 9
#define ALGO_IND_MAXPERIOD 100000   /* bounds the memory one instance may take */

/* What one update sees: the bar, and the value of the source series (when the
 * indicator takes one; the caller skips the update while the source has no value). */
struct algo_ind_in {
	double o, h, l, c, v, oi;   /* oi is NaN when the bar has none */
	double src;
	int64_t ts;                 /* bar open time, epoch ms */
};

enum algo_ind_pkind {
	ALGO_IND_PERIOD = 1,        /* integer in [min, max] */
	ALGO_IND_REAL               /* finite number in [min, max] */
};

struct algo_ind_param {
	const char *name;
	int kind;                   /* enum algo_ind_pkind */
	double min, max;
	double def;                 /* default when has_def: trailing parameters may be left out */
	int has_def;
};

#define ALGO_IND_SRC 1          /* flag: takes an optional source series first (default close) */
#define ALGO_IND_CLOCK 2        /* flag: the value depends on the bar's IST date and time
                                   (session resets); lookback() is then counted in 1-minute
                                   bars from the 09:15 open, ALGO_IND_SESSION_BARS a day */
#define ALGO_IND_SESSION_OPEN 555   /* 09:15 IST, minutes since midnight */
#define ALGO_IND_SESSION_BARS 375   /* 1-minute bars from 09:15 to 15:29 */

struct algo_ind_def {
	const char *name;           /* upper case, as written in the docs */
	const char *alias;          /* second accepted name or NULL */
	int flags;
	int nparams;
	struct algo_ind_param params[ALGO_IND_MAXPARAMS];
	int noutputs;
	const char *outputs[ALGO_IND_MAXOUT];   /* first is the default */
	/* Number of doubles of state for these parameters. */
	size_t (*state_len)(const double *p);
	/* Bars consumed before the first value (TA-Lib's lookback). */
	int (*lookback)(const double *p);
	/* Optional: sets up a zero-filled state. NULL = zero is the initial state. */
	void (*init)(double *st, const double *p);
	/* Folds one bar in. out[0..noutputs) arrive as NaN; the function sets those that
	 * have a value on this bar. */
	void (*update)(double *st, const double *p, const struct algo_ind_in *in, double *out);
};

/* Finds an indicator by name or alias, case-insensitively (n bytes of name).
 * Returns NULL when unknown. The definitions are static; never freed. */
const struct algo_ind_def *algo_ind_find(const char *name, size_t n);

/* Number of table entries and the i-th one (0 <= i < count), for listing and
 * did-you-mean suggestions. */
size_t algo_ind_count(void);
const struct algo_ind_def *algo_ind_at(size_t i);

/* Index of output `name` (n bytes, case-insensitive) of d, or -1. */
int algo_ind_output(const struct algo_ind_def *d, const char *name, size_t n);

/* Checks p[i] against d->params[i] for i < d->nparams (all filled in, defaults
 * included). Returns 0, or -1 with "EMA: period must be an integer from 1 to 100000,
 * got 0" style text in err and the offending index in *bad. */
int algo_ind_check(const struct algo_ind_def *d, const double *p, int *bad, char *err, size_t errlen);

/* One instance: convenience for callers that keep an indicator outside a compiled
 * expression (tests, tools). algo_ind_new returns NULL on allocation failure; the
 * parameters must have passed algo_ind_check. Free with algo_ind_free. */
struct algo_ind {
	const struct algo_ind_def *def;
	double p[ALGO_IND_MAXPARAMS];
	double out[ALGO_IND_MAXOUT];
	size_t len;
	double *st;
};
struct algo_ind *algo_ind_new(const struct algo_ind_def *d, const double *p);
/* Folds one bar in; the outputs are left in ind->out (NaN = no value yet). */
void algo_ind_update(struct algo_ind *ind, const struct algo_ind_in *in);
void algo_ind_free(struct algo_ind *ind);

#endif
