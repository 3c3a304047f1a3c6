/* indicators — the table and the streaming implementations. See indicators.h.
 *
 * Each implementation mirrors TA-Lib's arithmetic order (running sums added and
 * subtracted in the same sequence, Wilder smoothing as multiply-add-divide) so the
 * values agree with TA-Lib to the last bits, not just to a tolerance.
 *
 * State layouts are documented next to each state_len function; st[0] is always the
 * number of bars folded in so far (exact in a double up to 2^53). */
#include "indicators.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define TA_IS_ZERO(v) (-0.00000001 < (v) && (v) < 0.00000001)
#define P(i) ((int)p[i])

/* ---- building blocks on slices of a state ---------------------------------- */

/* Simple moving average over a ring of n values: [sum, ring[n]], count given.
 * Returns 1 with *out set once n values were seen (TA-Lib's add/emit/subtract). */
static int sma_push(double *s, int n, double count, double x, double *out)
{
	double *ring = s + 1;
	size_t i = (size_t)fmod(count, n);
	ring[i] = x;
	s[0] += x;
	if (count + 1 < n) return 0;
	*out = s[0] / n;
	s[0] -= ring[(i + 1) % (size_t)n];
	return 1;
}

/* EMA seeded with the SMA of the first n values: [count, sum, prev].
 * Returns 1 with *out set from the n-th value on. */
static int ema_push(double *s, int n, double x, double *out)
{
	double k = 2.0 / (double)(n + 1);
	s[0] += 1;
	if (s[0] < n) { s[1] += x; return 0; }
	if (s[0] == n) { s[1] += x; s[2] = s[1] / n; }
	else s[2] = ((x - s[2]) * k) + s[2];
	*out = s[2];
	return 1;
}
#define EMA_LEN 3

static double true_range(double h, double l, double prevc)
{
	double g = h - l, v2 = fabs(prevc - h), v3 = fabs(l - prevc);
	if (v2 > g) g = v2;
	if (v3 > g) g = v3;
	return g;
}

/* ---- SMA(src, n): [count, sum, ring[n]] -------------------------------------- */

static size_t sma_len(const double *p) { return 2 + (size_t)P(0); }
static int lb_n_minus_1(const double *p) { return P(0) - 1; }
static void sma_update(double *st, const double *p, const struct algo_ind_in *in, double *out)
{
	sma_push(st + 1, P(0), st[0], in->src, &out[0]);
	st[0] += 1;
}

/* ---- EMA(src, n): [count, sum, prev] ------------------------------------------ */

static size_t ema_len(const double *p) { return EMA_LEN; }
static void ema_update(double *st, const double *p, const struct algo_ind_in *in, double *out)
{
	ema_push(st, P(0), in->src, &out[0]);
}

/* ---- RSI(src, n), Wilder: [count, prev, gain, loss] ----------------------------- */

static size_t rsi_len(const double *p) { return 4; }
static int lb_n(const double *p) { return P(0); }
static void rsi_update(double *st, const double *p, const struct algo_ind_in *in, double *out)
{
	int n = P(0);
	double x = in->src, d, t;
	if (st[0] == 0) { st[0] = 1; st[1] = x; return; }
	d = x - st[1];
	st[1] = x;
	if (st[0] > n) { st[3] *= (n - 1); st[2] *= (n - 1); }
	if (d < 0) st[3] -= d; else st[2] += d;
	if (st[0] < n) { st[0] += 1; return; }
	st[3] /= n;
	st[2] /= n;
	st[0] += 1;
	t = st[2] + st[3];
	out[0] = TA_IS_ZERO(t) ? 0.0 : 100.0 * (st[2] / t);
}

/* ---- TRANGE: [count, prev close] ------------------------------------------------ */

static size_t trange_len(const double *p) { return 2; }
static int lb_one(const double *p) { return 1; }
static void trange_update(double *st, const double *p, const struct algo_ind_in *in, double *out)
{
	if (st[0] > 0) out[0] = true_range(in->h, in->l, st[1]);
	st[0] += 1;
	st[1] = in->c;
}

/* ---- ATR(n), Wilder over TRANGE: [count, prev close, sum, atr] ---------------- */

static size_t atr_len(const double *p) { return 4; }
static void atr_update(double *st, const double *p, const struct algo_ind_in *in, double *out)
{
	int n = P(0);
	double tr;
	if (st[0] == 0) { st[0] = 1; st[1] = in->c; return; }
	tr = true_range(in->h, in->l, st[1]);
	st[1] = in->c;
	if (st[0] < n) st[2] += tr;
	else if (st[0] == n) { st[2] += tr; st[3] = st[2] / n; }
	else { st[3] *= n - 1; st[3] += tr; st[3] /= n; }
	st[0] += 1;
	if (st[0] > n) out[0] = st[3];
}

/* ---- MACD(src, fast, slow, signal): [count, fast ema, slow ema, signal ema] ----
 * As TA-Lib: the fast EMA starts (slow - fast) bars late so both EMAs begin on the
 * same bar, and all three outputs appear together once the signal EMA is seeded. */

static size_t macd_len(const double *p) { return 1 + 3 * EMA_LEN; }
static void macd_periods(const double *p, int *fast, int *slow)
{
	*fast = P(0) < P(1) ? P(0) : P(1);
	*slow = P(0) < P(1) ? P(1) : P(0);
}
static int macd_lookback(const double *p)
{
	int fast, slow;
	macd_periods(p, &fast, &slow);
	return slow - 1 + P(2) - 1;
}
static void macd_update(double *st, const double *p, const struct algo_ind_in *in, double *out)
{
	int fast, slow;
	double f = NAN, s = NAN, sig;
	macd_periods(p, &fast, &slow);
	if (st[0] >= slow - fast) ema_push(st + 1, fast, in->src, &f);
	st[0] += 1;
	if (!ema_push(st + 1 + EMA_LEN, slow, in->src, &s)) return;
	if (!ema_push(st + 1 + 2 * EMA_LEN, P(2), f - s, &sig)) return;
	out[0] = f - s;
	out[1] = sig;
	out[2] = out[0] - sig;
}

/* ---- the table ------------------------------------------------------------------ */

#define PERIOD(nm, lo) { nm, ALGO_IND_PERIOD, lo, ALGO_IND_MAXPERIOD, 0, 0 }

static const struct algo_ind_def defs[] = {
	{ "SMA", NULL, ALGO_IND_SRC, 1, { PERIOD("period", 1) }, 1, { "value" },
	  sma_len, lb_n_minus_1, NULL, sma_update },
	{ "EMA", NULL, ALGO_IND_SRC, 1, { PERIOD("period", 1) }, 1, { "value" },
	  ema_len, lb_n_minus_1, NULL, ema_update },
	{ "RSI", NULL, ALGO_IND_SRC, 1, { PERIOD("period", 2) }, 1, { "value" },
	  rsi_len, lb_n, NULL, rsi_update },
	{ "ATR", NULL, 0, 1, { PERIOD("period", 1) }, 1, { "value" },
	  atr_len, lb_n, NULL, atr_update },
	{ "TRANGE", NULL, 0, 0, { { 0 } }, 1, { "value" },
	  trange_len, lb_one, NULL, trange_update },
	{ "MACD", NULL, ALGO_IND_SRC, 3,
	  { PERIOD("fast", 2), PERIOD("slow", 2), PERIOD("signal", 1) },
	  3, { "macd", "signal", "hist" },
	  macd_len, macd_lookback, NULL, macd_update },
};

#define NDEFS (sizeof defs / sizeof defs[0])

size_t algo_ind_count(void) { return NDEFS; }

const struct algo_ind_def *algo_ind_at(size_t i) { return i < NDEFS ? &defs[i] : NULL; }

static int name_eq(const char *a, const char *s, size_t n)
{
	return a && strlen(a) == n && strncasecmp(a, s, n) == 0;
}

const struct algo_ind_def *algo_ind_find(const char *name, size_t n)
{
	for (size_t i = 0; i < NDEFS; i++)
		if (name_eq(defs[i].name, name, n) || name_eq(defs[i].alias, name, n))
			return &defs[i];
	return NULL;
}

int algo_ind_output(const struct algo_ind_def *d, const char *name, size_t n)
{
	for (int i = 0; i < d->noutputs; i++)
		if (name_eq(d->outputs[i], name, n)) return i;
	return -1;
}

int algo_ind_check(const struct algo_ind_def *d, const double *p, int *bad, char *err, size_t errlen)
{
	for (int i = 0; i < d->nparams; i++) {
		const struct algo_ind_param *q = &d->params[i];
		int ok = isfinite(p[i]) && p[i] >= q->min && p[i] <= q->max;
		if (q->kind == ALGO_IND_PERIOD && ok && p[i] != floor(p[i])) ok = 0;
		if (ok) continue;
		*bad = i;
		if (q->kind == ALGO_IND_PERIOD)
			snprintf(err, errlen, "%s: %s must be an integer from %.15g to %.15g, got %.15g",
				d->name, q->name, q->min, q->max, p[i]);
		else
			snprintf(err, errlen, "%s: %s must be a number from %.15g to %.15g, got %.15g",
				d->name, q->name, q->min, q->max, p[i]);
		return -1;
	}
	return 0;
}

struct algo_ind *algo_ind_new(const struct algo_ind_def *d, const double *p)
{
	struct algo_ind *ind = calloc(1, sizeof *ind);
	if (!ind) return NULL;
	ind->def = d;
	for (int i = 0; i < d->nparams; i++) ind->p[i] = p[i];
	ind->len = d->state_len(ind->p);
	ind->st = calloc(ind->len ? ind->len : 1, sizeof *ind->st);
	if (!ind->st) { free(ind); return NULL; }
	if (d->init) d->init(ind->st, ind->p);
	for (int i = 0; i < ALGO_IND_MAXOUT; i++) ind->out[i] = NAN;
	return ind;
}

void algo_ind_update(struct algo_ind *ind, const struct algo_ind_in *in)
{
	for (int i = 0; i < ind->def->noutputs; i++) ind->out[i] = NAN;
	ind->def->update(ind->st, ind->p, in, ind->out);
}

void algo_ind_free(struct algo_ind *ind)
{
	if (!ind) return;
	free(ind->st);
	free(ind);
}
