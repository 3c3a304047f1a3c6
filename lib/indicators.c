/* indicators — the table and the streaming implementations. See indicators.h.
 *
 * Each implementation mirrors TA-Lib's arithmetic order (running sums added and
 * subtracted in the same sequence, Wilder smoothing as multiply-add-divide) so the
 * values agree with TA-Lib to the last bits, not just to a tolerance.
 *
 * State layouts are documented next to each state_len function; st[0] is always the
 * number of bars folded in so far (exact in a double up to 2^53). */
#include "indicators.h"
#include "timeutil.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define TA_IS_ZERO(v) (-0.00000001 < (v) && (v) < 0.00000001)
#define P(i) ((int)p[i])

/* ---- building blocks on slices of a state ---------------------------------- */

/* x mod n for a bar count kept in a double (a whole number below 2^53, never
 * negative): integer division is several times cheaper than fmod on the hot path. */
static inline size_t imod(double x, double n)
{
	return (size_t)((uint64_t)x % (uint64_t)n);
}

/* Simple moving average over a ring of n values: [sum, ring[n]], count given.
 * Returns 1 with *out set once n values were seen (TA-Lib's add/emit/subtract). */
static int sma_push(double *s, int n, double count, double x, double *out)
{
	double *ring = s + 1;
	size_t i = imod(count, n);
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

/* ---- more building blocks ---------------------------------------------------------- */

/* Value `ago` bars back from a ring of w values holding the last w inputs; count is the
 * index of the current bar (already stored at count % w); needs ago <= count, ago < w. */
static double ring_ago(const double *ring, int w, double count, int ago)
{
	return ring[imod(count - ago, w)];
}

/* Monotonic deque over the last w bars: [head, size, (bar index, value) x w]. The
 * front holds the window's maximum (ismax) or minimum; on ties the most recent bar
 * wins. Amortised O(1) per push. */
#define DQ_LEN(w) (2 + 2 * (size_t)(w))
static void dq_push(double *q, int w, double t, double x, int ismax)
{
	double *e = q + 2;
	size_t head = (size_t)q[0], size = (size_t)q[1], W = (size_t)w;
	while (size > 0 && e[2 * head] <= t - w) { head = (head + 1) % W; size--; }
	while (size > 0) {
		double v = e[2 * ((head + size - 1) % W) + 1];
		if (ismax ? v > x : v < x) break;
		size--;
	}
	e[2 * ((head + size) % W)] = t;
	e[2 * ((head + size) % W) + 1] = x;
	q[0] = (double)head;
	q[1] = (double)(size + 1);
}
static double dq_val(const double *q) { return q[2 + 2 * (size_t)q[0] + 1]; }
static double dq_idx(const double *q) { return q[2 + 2 * (size_t)q[0]]; }

/* WMA over a ring, TA-Lib's running sums: [sub, sum, trailing, ring[n]], count given. */
#define WMA_LEN(n) (3 + (size_t)(n))
static int wma_push(double *s, int n, double count, double x, double *out)
{
	double *ring = s + 3;
	size_t i = imod(count, n);
	ring[i] = x;
	if (n == 1) { *out = x; return 1; }
	if (count < n - 1) { s[0] += x; s[1] += x * (count + 1); return 0; }
	s[0] += x;
	s[0] -= s[2];
	s[1] += x * n;
	s[2] = ring[(i + 1) % (size_t)n];
	*out = s[1] / (double)((n * (n + 1)) >> 1);
	s[1] -= s[0];
	return 1;
}

/* ATR (TA-Lib, Wilder): [count, prev close, sum, atr]. Returns 1 with *out from bar n. */
#define ATR_LEN 4
static int atr_push(double *st, int n, const struct algo_ind_in *in, double *out)
{
	double tr;
	if (st[0] == 0) { st[0] = 1; st[1] = in->c; return 0; }
	tr = true_range(in->h, in->l, st[1]);
	st[1] = in->c;
	if (st[0] < n) st[2] += tr;
	else if (st[0] == n) { st[2] += tr; st[3] = st[2] / n; }
	else { st[3] *= n - 1; st[3] += tr; st[3] /= n; }
	st[0] += 1;
	if (st[0] <= n) return 0;
	*out = st[3];
	return 1;
}

static int lb_2n_minus_2(const double *p) { return 2 * (P(0) - 1); }
static int lb_3n_minus_3(const double *p) { return 3 * (P(0) - 1); }
static int lb_zero(const double *p) { return 0; }
static size_t len_dq_n(const double *p) { return 1 + 2 * DQ_LEN(P(0)); }

/* ---- WMA(src, n): [count, wma] -------------------------------------------------- */

static size_t wma_len(const double *p) { return 1 + WMA_LEN(P(0)); }
static void wma_update(double *st, const double *p, const struct algo_ind_in *in, double *out)
{
	wma_push(st + 1, P(0), st[0], in->src, &out[0]);
	st[0] += 1;
}

/* ---- DEMA / TEMA(src, n): EMAs of EMAs ------------------------------------------- */

static size_t dema_len(const double *p) { return 2 * EMA_LEN; }
static void dema_update(double *st, const double *p, const struct algo_ind_in *in, double *out)
{
	double e1, e2;
	if (!ema_push(st, P(0), in->src, &e1) || !ema_push(st + EMA_LEN, P(0), e1, &e2)) return;
	out[0] = (2.0 * e1) - e2;
}
static size_t tema_len(const double *p) { return 3 * EMA_LEN; }
static void tema_update(double *st, const double *p, const struct algo_ind_in *in, double *out)
{
	double e1, e2, e3;
	if (!ema_push(st, P(0), in->src, &e1) || !ema_push(st + EMA_LEN, P(0), e1, &e2) ||
	    !ema_push(st + 2 * EMA_LEN, P(0), e2, &e3)) return;
	out[0] = (3.0 * e1) - (3.0 * e2) + e3;
}

/* ---- HMA(src, n) = WMA(2*WMA(src, n/2) - WMA(src, n), floor(sqrt(n))) -------------
 * [count, wma half, wma full, wma outer]; n/2 rounds down. */

static int hma_sqrt(int n)
{
	int s = (int)floor(sqrt((double)n));
	while ((s + 1) * (s + 1) <= n) s++;
	while (s * s > n) s--;
	return s;
}
static size_t hma_len(const double *p)
{
	return 1 + WMA_LEN(P(0) / 2) + WMA_LEN(P(0)) + WMA_LEN(hma_sqrt(P(0)));
}
static int hma_lookback(const double *p) { return P(0) - 1 + hma_sqrt(P(0)) - 1; }
static void hma_update(double *st, const double *p, const struct algo_ind_in *in, double *out)
{
	int n = P(0), h = n / 2, s = hma_sqrt(n);
	double *wh = st + 1, *wf = wh + WMA_LEN(h), *wo = wf + WMA_LEN(n), a, b;
	double t = st[0];
	st[0] += 1;
	int ha = wma_push(wh, h, t, in->src, &a);
	if (!wma_push(wf, n, t, in->src, &b) || !ha) return;
	wma_push(wo, s, t - (n - 1), 2.0 * a - b, &out[0]);
}

/* ---- VWMA(src, n) = sum(src*volume, n) / sum(volume, n): [count, spv, sv, pv[n], v[n]] */

static size_t vwma_len(const double *p) { return 3 + 2 * (size_t)P(0); }
static void vwma_update(double *st, const double *p, const struct algo_ind_in *in, double *out)
{
	int n = P(0);
	double *pv = st + 3, *vv = pv + n;
	size_t i = imod(st[0], n);
	if (st[0] >= n) { st[1] -= pv[i]; st[2] -= vv[i]; }
	pv[i] = in->src * in->v;
	vv[i] = in->v;
	st[1] += pv[i];
	st[2] += vv[i];
	st[0] += 1;
	if (st[0] >= n && st[2] > 0) out[0] = st[1] / st[2];
}

/* ---- KAMA(src, n), TA-Lib: [count, sumROC1, kama, trailing, prev, ring[n+1]] -------- */

static size_t kama_len(const double *p) { return 5 + (size_t)P(0) + 1; }
static void kama_update(double *st, const double *p, const struct algo_ind_in *in, double *out)
{
	const double cmax = 2.0 / (30.0 + 1.0), cdiff = 2.0 / (2.0 + 1.0) - cmax;
	int n = P(0);
	double *ring = st + 5, t = st[0], x = in->src, old, roc, er;
	ring[imod(t, n + 1)] = x;
	st[0] += 1;
	if (t == 0) { st[4] = x; return; }
	if (t < n) { st[1] += fabs(st[4] - x); st[4] = x; return; }
	old = ring_ago(ring, n + 1, t, n);
	if (t == n) {
		st[1] += fabs(st[4] - x);
		st[2] = st[4];
	} else {
		st[1] -= fabs(st[3] - old);
		st[1] += fabs(x - st[4]);
	}
	roc = x - old;
	st[3] = old;
	st[4] = x;
	if (st[1] <= roc || TA_IS_ZERO(st[1])) er = 1.0;
	else er = fabs(roc / st[1]);
	er = (er * cdiff) + cmax;
	er *= er;
	st[2] = ((x - st[2]) * er) + st[2];
	out[0] = st[2];
}

/* ---- RMA(src, n), Wilder: seeded with the SMA of the first n: [count, sum, rma] ----- */

static size_t rma_len(const double *p) { return 3; }
static void rma_update(double *st, const double *p, const struct algo_ind_in *in, double *out)
{
	int n = P(0);
	st[0] += 1;
	if (st[0] < n) { st[1] += in->src; return; }
	if (st[0] == n) { st[1] += in->src; st[2] = st[1] / n; }
	else st[2] = (st[2] * (n - 1) + in->src) / n;
	out[0] = st[2];
}

/* ---- ROC / MOM(src, n): [count, ring[n+1]] ------------------------------------------- */

static size_t roc_len(const double *p) { return 2 + (size_t)P(0); }
static int ago_push(double *st, int n, double x, double *old)
{
	double t = st[0];
	st[1 + imod(t, n + 1)] = x;
	st[0] += 1;
	if (t < n) return 0;
	*old = ring_ago(st + 1, n + 1, t, n);
	return 1;
}
static void roc_update(double *st, const double *p, const struct algo_ind_in *in, double *out)
{
	double old;
	if (ago_push(st, P(0), in->src, &old)) out[0] = old != 0.0 ? ((in->src / old) - 1.0) * 100.0 : 0.0;
}
static void mom_update(double *st, const double *p, const struct algo_ind_in *in, double *out)
{
	double old;
	if (ago_push(st, P(0), in->src, &old)) out[0] = in->src - old;
}

/* ---- STDDEV(src, n, k), population, TA-Lib: [count, sum, sum2, ring[n]] ------------- */

static size_t stddev_len(const double *p) { return 3 + (size_t)P(0); }
/* The window both STDDEV and BBANDS keep, [count, sum, sum2, ring[n]]: folds x in and,
 * once n values are in, sets the mean and the population standard deviation (TA-Lib's
 * arithmetic: variances below 1e-8 are 0) and drops the oldest value. Returns 1 then. */
static int moments_push(double *st, int n, double x, double *mean, double *sd)
{
	double t = st[0], m2, tr;
	size_t i = imod(t, n);
	st[3 + i] = x;
	st[0] += 1;
	st[1] += x;
	st[2] += x * x;
	if (t < n - 1) return 0;
	*mean = st[1] / n;
	m2 = st[2] / n - *mean * *mean;
	tr = st[3 + (i + 1) % (size_t)n];
	st[1] -= tr;
	st[2] -= tr * tr;
	*sd = m2 < 0.00000001 ? 0.0 : sqrt(m2);
	return 1;
}

static void stddev_update(double *st, const double *p, const struct algo_ind_in *in, double *out)
{
	double mean, sd;
	if (moments_push(st, P(0), in->src, &mean, &sd)) out[0] = sd * p[1];
}

/* ---- BBANDS(src, n, k), SMA middle, TA-Lib: [count, sum, sum2, ring[n]] -------------
 * Outputs middle, upper, lower, pctb = (src - lower) / (upper - lower) (no value when
 * the bands touch), width = (upper - lower) / middle (no value when middle is 0). */

static void bbands_update(double *st, const double *p, const struct algo_ind_in *in, double *out)
{
	double mid, sd;
	if (!moments_push(st, P(0), in->src, &mid, &sd)) return;
	sd *= p[1];
	out[0] = mid;
	out[1] = mid + sd;
	out[2] = mid - sd;
	if (out[1] != out[2]) out[3] = (in->src - out[2]) / (out[1] - out[2]);
	if (mid != 0) out[4] = (out[1] - out[2]) / mid;
}

/* ---- NATR(n) = ATR / close * 100: [atr] --------------------------------------------- */

static size_t natr_len(const double *p) { return ATR_LEN; }
static void natr_update(double *st, const double *p, const struct algo_ind_in *in, double *out)
{
	double a;
	if (atr_push(st, P(0), in, &a)) out[0] = TA_IS_ZERO(in->c) ? 0.0 : (a / in->c) * 100.0;
}

/* ---- ADX / PLUS_DI / MINUS_DI(n), TA-Lib: ----------------------------------------------
 * [count, prev h, prev l, prev c, +DM, -DM, TR, sum DX, ADX]; sums for bars 1..n-1,
 * Wilder smoothing from bar n (DI values), ADX = mean of DX over bars n..2n-1, then
 * Wilder-smoothed. */

static size_t dx_len(const double *p) { return 9; }
static int lb_adx(const double *p) { return 2 * P(0) - 1; }
/* Folds a bar in; returns 1 with the DIs set from bar n on. */
static int dx_push(double *st, int n, const struct algo_ind_in *in, double *pdi, double *mdi)
{
	double t = st[0], dp, dm, tr;
	st[0] += 1;
	if (t == 0) { st[1] = in->h; st[2] = in->l; st[3] = in->c; return 0; }
	dp = in->h - st[1];
	dm = st[2] - in->l;
	tr = true_range(in->h, in->l, st[3]);
	st[1] = in->h;
	st[2] = in->l;
	st[3] = in->c;
	if (t < n) {
		if (dm > 0 && dp < dm) st[5] += dm;
		else if (dp > 0 && dp > dm) st[4] += dp;
		st[6] += tr;
		return 0;
	}
	st[5] -= st[5] / n;
	st[4] -= st[4] / n;
	if (dm > 0 && dp < dm) st[5] += dm;
	else if (dp > 0 && dp > dm) st[4] += dp;
	st[6] = st[6] - (st[6] / n) + tr;
	if (TA_IS_ZERO(st[6])) { *pdi = *mdi = NAN; return 1; }
	*pdi = 100.0 * (st[4] / st[6]);
	*mdi = 100.0 * (st[5] / st[6]);
	return 1;
}
static void plus_di_update(double *st, const double *p, const struct algo_ind_in *in, double *out)
{
	double a, b;
	if (dx_push(st, P(0), in, &a, &b)) out[0] = isnan(a) ? 0.0 : a;
}
static void minus_di_update(double *st, const double *p, const struct algo_ind_in *in, double *out)
{
	double a, b;
	if (dx_push(st, P(0), in, &a, &b)) out[0] = isnan(b) ? 0.0 : b;
}
static void adx_update(double *st, const double *p, const struct algo_ind_in *in, double *out)
{
	int n = P(0);
	double pd, md, s, t = st[0], dx = NAN;
	if (!dx_push(st, n, in, &pd, &md)) return;
	if (!isnan(pd)) {
		s = md + pd;
		if (!TA_IS_ZERO(s)) dx = 100.0 * (fabs(md - pd) / s);
	}
	if (t < 2 * n - 1) {
		if (!isnan(dx)) st[7] += dx;
		return;
	}
	if (t == 2 * n - 1) {
		if (!isnan(dx)) st[7] += dx;
		st[8] = st[7] / n;
	} else if (!isnan(dx)) st[8] = ((st[8] * (n - 1)) + dx) / n;
	out[0] = st[8];
}

/* ---- STOCH(fastk, slowk, slowd), SMA smoothing, TA-Lib: ---------------------------------
 * [count, max deque, min deque, slowk sma [sum, ring], slowd sma [sum, ring]] */

static size_t stoch_len(const double *p) { return 1 + 2 * DQ_LEN(P(0)) + 2 + (size_t)P(1) + (size_t)P(2); }
static int stoch_lookback(const double *p) { return P(0) - 1 + P(1) - 1 + P(2) - 1; }
/* Raw %K of x in its window [lo, hi], as TA-Lib writes it. */
static double fast_k(double x, double hi, double lo)
{
	double diff = (hi - lo) / 100.0;
	return diff != 0.0 ? (x - lo) / diff : 0.0;
}
static void stoch_update(double *st, const double *p, const struct algo_ind_in *in, double *out)
{
	int fk = P(0), sk = P(1), sd = P(2);
	double t = st[0], *qx = st + 1, *qn = qx + DQ_LEN(fk), *ks = qn + DQ_LEN(fk), *ds = ks + 1 + sk, k, d;
	st[0] += 1;
	dq_push(qx, fk, t, in->h, 1);
	dq_push(qn, fk, t, in->l, 0);
	if (t < fk - 1) return;
	if (!sma_push(ks, sk, t - (fk - 1), fast_k(in->c, dq_val(qx), dq_val(qn)), &k)) return;
	if (!sma_push(ds, sd, t - (fk - 1) - (sk - 1), k, &d)) return;
	out[0] = k;
	out[1] = d;
}

/* ---- STOCHRSI(src, n, k, d) = TA-Lib STOCHRSI(n, fastk k, fastd d, SMA): -----------------
 * [rsi state, rsi count, max deque, min deque, fastd sma [sum, ring]]; .k is the raw
 * stochastic of RSI over k values, .d its SMA over d. */

static size_t stochrsi_len(const double *p) { return 5 + 2 * DQ_LEN(P(1)) + 1 + (size_t)P(2); }
static int stochrsi_lookback(const double *p) { return P(0) + P(1) - 1 + P(2) - 1; }
static void stochrsi_update(double *st, const double *p, const struct algo_ind_in *in, double *out)
{
	int k = P(1), d = P(2);
	double r = NAN, *qx = st + 5, *qn = qx + DQ_LEN(k), *ds = qn + DQ_LEN(k), t, fk, fd;
	rsi_update(st, p, in, &r);
	if (isnan(r)) return;
	t = st[4];
	st[4] += 1;
	dq_push(qx, k, t, r, 1);
	dq_push(qn, k, t, r, 0);
	if (t < k - 1) return;
	fk = fast_k(r, dq_val(qx), dq_val(qn));
	if (!sma_push(ds, d, t - (k - 1), fk, &fd)) return;
	out[0] = fk;
	out[1] = fd;
}

/* ---- CCI(n), TA-Lib: [count, ring of typical prices[n]] ------------------------------
 * The mean deviation about the window's mean has no O(1) update: O(n) per bar, summed
 * in TA-Lib's order. */

static size_t cci_len(const double *p) { return 1 + (size_t)P(0); }
static void cci_update(double *st, const double *p, const struct algo_ind_in *in, double *out)
{
	int n = P(0);
	double *ring = st + 1, tp = (in->h + in->l + in->c) / 3, avg = 0, md = 0, d;
	ring[imod(st[0], n)] = tp;
	st[0] += 1;
	if (st[0] < n) return;
	for (int j = 0; j < n; j++) avg += ring[j];
	avg /= n;
	for (int j = 0; j < n; j++) md += fabs(ring[j] - avg);
	d = tp - avg;
	out[0] = d != 0.0 && md != 0.0 ? d / (0.015 * (md / n)) : 0.0;
}

/* ---- WILLR(n): [count, max deque, min deque] ---------------------------------------- */

static void willr_update(double *st, const double *p, const struct algo_ind_in *in, double *out)
{
	int n = P(0);
	double t = st[0], *qx = st + 1, *qn = qx + DQ_LEN(n), hi, lo, diff;
	st[0] += 1;
	dq_push(qx, n, t, in->h, 1);
	dq_push(qn, n, t, in->l, 0);
	if (t < n - 1) return;
	hi = dq_val(qx);
	lo = dq_val(qn);
	diff = (hi - lo) / (-100.0);
	out[0] = diff != 0.0 ? (hi - in->c) / diff : 0.0;
}

/* ---- MFI(n), TA-Lib: [count, prev tp, pos sum, neg sum, (pos, neg) x n] ---------------- */

static size_t mfi_len(const double *p) { return 4 + 2 * (size_t)P(0); }
static void mfi_update(double *st, const double *p, const struct algo_ind_in *in, double *out)
{
	int n = P(0);
	double t = st[0], tp = (in->h + in->l + in->c) / 3, d, f, *slot, s;
	st[0] += 1;
	if (t == 0) { st[1] = tp; return; }
	slot = st + 4 + 2 * imod(t - 1, n);
	if (t > n) { st[2] -= slot[0]; st[3] -= slot[1]; }
	d = tp - st[1];
	st[1] = tp;
	f = tp * in->v;
	slot[0] = slot[1] = 0;
	if (d < 0) { slot[1] = f; st[3] += f; }
	else if (d > 0) { slot[0] = f; st[2] += f; }
	if (t < n) return;
	s = st[2] + st[3];
	out[0] = s < 1.0 ? 0.0 : 100.0 * (st[2] / s);
}

/* ---- OBV: [count, obv, prev close] ---------------------------------------------------- */

static size_t obv_len(const double *p) { return 3; }
static void obv_update(double *st, const double *p, const struct algo_ind_in *in, double *out)
{
	if (st[0] == 0) st[1] = in->v;
	else if (in->c > st[2]) st[1] += in->v;
	else if (in->c < st[2]) st[1] -= in->v;
	st[0] += 1;
	st[2] = in->c;
	out[0] = st[1];
}

/* ---- MAX / MIN(src, n): [count, deque] ------------------------------------------------ */

static size_t maxmin_len(const double *p) { return 1 + DQ_LEN(P(0)); }
static void extreme_update(double *st, const double *p, const struct algo_ind_in *in, double *out, int ismax)
{
	double t = st[0];
	st[0] += 1;
	dq_push(st + 1, P(0), t, in->src, ismax);
	if (t >= P(0) - 1) out[0] = dq_val(st + 1);
}
static void max_update(double *st, const double *p, const struct algo_ind_in *in, double *out)
{
	extreme_update(st, p, in, out, 1);
}
static void min_update(double *st, const double *p, const struct algo_ind_in *in, double *out)
{
	extreme_update(st, p, in, out, 0);
}

/* ---- AROON(n): [count, max deque, min deque] over n+1 bars ---------------------------- */

static size_t aroon_len(const double *p) { return 1 + 2 * DQ_LEN(P(0) + 1); }
static void aroon_update(double *st, const double *p, const struct algo_ind_in *in, double *out)
{
	int n = P(0);
	double t = st[0], *qx = st + 1, *qn = qx + DQ_LEN(n + 1), f = 100.0 / (double)n;
	st[0] += 1;
	dq_push(qx, n + 1, t, in->h, 1);
	dq_push(qn, n + 1, t, in->l, 0);
	if (t < n) return;
	out[0] = f * (double)(n - (int)(t - dq_idx(qx)));
	out[1] = f * (double)(n - (int)(t - dq_idx(qn)));
}

/* ---- ULTOSC(a, b, c), TA-Lib: periods sorted, weights 4/2/1 from the shortest: --------
 * [count, prev close, a1, a2, a3, b1, b2, b3, (close - true low, true range) x longest] */

static void ult_sort(const double *p, int q[3])
{
	q[0] = P(0); q[1] = P(1); q[2] = P(2);
	for (int i = 0; i < 3; i++)
		for (int j = i + 1; j < 3; j++)
			if (q[j] < q[i]) { int x = q[i]; q[i] = q[j]; q[j] = x; }
}
static size_t ultosc_len(const double *p) { int q[3]; ult_sort(p, q); return 8 + 2 * (size_t)q[2]; }
static int ultosc_lookback(const double *p) { int q[3]; ult_sort(p, q); return q[2]; }
static void ultosc_update(double *st, const double *p, const struct algo_ind_in *in, double *out)
{
	int q[3], L;
	double t = st[0], yc = st[1], tl, cmtl, tr, v, o = 0.0, *ring = st + 8, *a = st + 2, *b = st + 5;
	ult_sort(p, q);
	L = q[2];
	st[0] += 1;
	st[1] = in->c;
	if (t == 0) return;
	tl = in->l < yc ? in->l : yc;
	cmtl = in->c - tl;
	tr = in->h - in->l;
	v = fabs(yc - in->h);
	if (v > tr) tr = v;
	v = fabs(yc - in->l);
	if (v > tr) tr = v;
	ring[2 * imod(t, L)] = cmtl;
	ring[2 * imod(t, L) + 1] = tr;
	for (int i = 0; i < 3; i++)
		if (t >= L - q[i] + 1) { a[i] += cmtl; b[i] += tr; }
	if (t < L) return;
	if (!TA_IS_ZERO(b[0])) o += 4.0 * (a[0] / b[0]);
	if (!TA_IS_ZERO(b[1])) o += 2.0 * (a[1] / b[1]);
	if (!TA_IS_ZERO(b[2])) o += a[2] / b[2];
	for (int i = 0; i < 3; i++) {
		size_t k = 2 * imod(t - q[i] + 1, L);
		a[i] -= ring[k];
		b[i] -= ring[k + 1];
	}
	out[0] = 100.0 * (o / 7.0);
}

/* ---- SAR(accel, max), TA-Lib: [count, long?, af, ep, sar, high, low] ------------------ */

static size_t sar_len(const double *p) { return 7; }
static void sar_update(double *st, const double *p, const struct algo_ind_in *in, double *out)
{
	double acc = p[0] > p[1] ? p[1] : p[0], mx = p[1];
	double t = st[0], ph, pl, nh, nl;
	st[0] += 1;
	if (t == 0) { st[5] = in->h; st[6] = in->l; return; }
	if (t == 1) {
		double dp = in->h - st[5], dm = st[6] - in->l;
		st[1] = !(dm > 0 && dp < dm);           /* TA-Lib: MINUS_DM(1) > 0 starts short */
		st[2] = acc;
		if (st[1] != 0) { st[3] = in->h; st[4] = st[6]; }
		else { st[3] = in->l; st[4] = st[5]; }
		st[6] = in->l;
		st[5] = in->h;
	}
	pl = st[6];
	ph = st[5];
	nl = st[6] = in->l;
	nh = st[5] = in->h;
	if (st[1] != 0) {
		if (nl <= st[4]) {
			st[1] = 0;
			st[4] = st[3];
			if (st[4] < ph) st[4] = ph;
			if (st[4] < nh) st[4] = nh;
			out[0] = st[4];
			st[2] = acc;
			st[3] = nl;
			st[4] = st[4] + st[2] * (st[3] - st[4]);
			if (st[4] < ph) st[4] = ph;
			if (st[4] < nh) st[4] = nh;
		} else {
			out[0] = st[4];
			if (nh > st[3]) {
				st[3] = nh;
				st[2] += acc;
				if (st[2] > mx) st[2] = mx;
			}
			st[4] = st[4] + st[2] * (st[3] - st[4]);
			if (st[4] > pl) st[4] = pl;
			if (st[4] > nl) st[4] = nl;
		}
	} else {
		if (nh >= st[4]) {
			st[1] = 1;
			st[4] = st[3];
			if (st[4] > pl) st[4] = pl;
			if (st[4] > nl) st[4] = nl;
			out[0] = st[4];
			st[2] = acc;
			st[3] = nh;
			st[4] = st[4] + st[2] * (st[3] - st[4]);
			if (st[4] > pl) st[4] = pl;
			if (st[4] > nl) st[4] = nl;
		} else {
			out[0] = st[4];
			if (nl < st[3]) {
				st[3] = nl;
				st[2] += acc;
				if (st[2] > mx) st[2] = mx;
			}
			st[4] = st[4] + st[2] * (st[3] - st[4]);
			if (st[4] < ph) st[4] = ph;
			if (st[4] < nh) st[4] = nh;
		}
	}
}

/* ---- SUPERTREND(n, factor): TradingView's algorithm on hl2 and ATR(n) (TA-Lib's ATR).
 * [atr, values so far, prev close, prev upper, prev lower, prev value]; .dir is +1 when
 * the trend is up (value = lower band), -1 when down (TradingView: the opposite sign). */

static size_t st_len(const double *p) { return ATR_LEN + 5; }
static void supertrend_update(double *st, const double *p, const struct algo_ind_in *in, double *out)
{
	double a, *s = st + ATR_LEN, mid = (in->h + in->l) / 2, up, lo, pu, pl, dir;
	int have = atr_push(st, P(0), in, &a);
	double pc = s[1];
	s[1] = in->c;
	if (!have) return;
	up = mid + p[1] * a;
	lo = mid - p[1] * a;
	pu = s[0] > 0 ? s[2] : 0.0;
	pl = s[0] > 0 ? s[3] : 0.0;
	if (!(lo > pl || pc < pl)) lo = pl;
	if (!(up < pu || pc > pu)) up = pu;
	if (s[0] == 0) dir = -1;
	else if (s[4] == pu) dir = in->c > up ? 1 : -1;
	else dir = in->c < lo ? -1 : 1;
	out[0] = dir > 0 ? lo : up;
	out[1] = dir;
	s[0] += 1;
	s[2] = up;
	s[3] = lo;
	s[4] = out[0];
}

/* ---- VWAP: hlc3 x volume summed since the first bar of the IST day: [day, spv, sv] --- */

static size_t vwap_len(const double *p) { return 3; }
static void vwap_update(double *st, const double *p, const struct algo_ind_in *in, double *out)
{
	double day = (double)algo_time_ist_day(in->ts) + 1;   /* + 1: 0 means no bar yet */
	if (day != st[0]) { st[0] = day; st[1] = 0; st[2] = 0; }
	st[1] += (in->h + in->l + in->c) / 3.0 * in->v;
	st[2] += in->v;
	if (st[2] > 0) out[0] = st[1] / st[2];
}

/* ---- KELTNER(n, k): EMA(close, n) +- k * ATR(n): [ema, atr] ------------------------- */

static size_t keltner_len(const double *p) { return EMA_LEN + ATR_LEN; }
static void keltner_update(double *st, const double *p, const struct algo_ind_in *in, double *out)
{
	double e, a;
	int he = ema_push(st, P(0), in->c, &e);
	if (!atr_push(st + EMA_LEN, P(0), in, &a) || !he) return;
	out[0] = e;
	out[1] = e + p[1] * a;
	out[2] = e - p[1] * a;
}

/* ---- DONCHIAN(n): highest high, lowest low, their midpoint: [count, deques] ----------- */

static void donchian_update(double *st, const double *p, const struct algo_ind_in *in, double *out)
{
	int n = P(0);
	double t = st[0], *qx = st + 1, *qn = qx + DQ_LEN(n);
	st[0] += 1;
	dq_push(qx, n, t, in->h, 1);
	dq_push(qn, n, t, in->l, 0);
	if (t < n - 1) return;
	out[1] = dq_val(qx);
	out[2] = dq_val(qn);
	out[0] = (out[1] + out[2]) / 2;
}

/* ---- PIVOT(): floor pivots and CPR of the previous IST day: --------------------------
 * [day + 1, day high, day low, day close, have previous, prev high, prev low, prev close] */

static size_t pivot_len(const double *p) { return 8; }
static int lb_pivot(const double *p) { return ALGO_IND_SESSION_BARS; }
static void pivot_update(double *st, const double *p, const struct algo_ind_in *in, double *out)
{
	double day = (double)algo_time_ist_day(in->ts) + 1, H, L, C, P_;
	if (day != st[0]) {
		if (st[0] != 0) { st[4] = 1; st[5] = st[1]; st[6] = st[2]; st[7] = st[3]; }
		st[0] = day;
		st[1] = in->h;
		st[2] = in->l;
	}
	if (in->h > st[1]) st[1] = in->h;
	if (in->l < st[2]) st[2] = in->l;
	st[3] = in->c;
	if (st[4] == 0) return;
	H = st[5]; L = st[6]; C = st[7];
	P_ = (H + L + C) / 3;
	out[0] = P_;
	out[1] = 2 * P_ - L;
	out[2] = P_ + (H - L);
	out[3] = H + 2 * (P_ - L);
	out[4] = 2 * P_ - H;
	out[5] = P_ - (H - L);
	out[6] = L - 2 * (H - P_);
	out[8] = (H + L) / 2;
	out[7] = 2 * P_ - out[8];
}

/* ---- Heikin-Ashi: HA_OPEN HA_HIGH HA_LOW HA_CLOSE: [count, ha open, ha close] --------- */

static size_t ha_len(const double *p) { return 3; }
static void ha_step(double *st, const struct algo_ind_in *in, double *o, double *c)
{
	*c = (in->o + in->h + in->l + in->c) / 4;
	*o = st[0] == 0 ? (in->o + in->c) / 2 : (st[1] + st[2]) / 2;
	st[0] += 1;
	st[1] = *o;
	st[2] = *c;
}
static void ha_open_update(double *st, const double *p, const struct algo_ind_in *in, double *out)
{
	double o, c;
	ha_step(st, in, &o, &c);
	out[0] = o;
}
static void ha_close_update(double *st, const double *p, const struct algo_ind_in *in, double *out)
{
	double o, c;
	ha_step(st, in, &o, &c);
	out[0] = c;
}
static void ha_high_update(double *st, const double *p, const struct algo_ind_in *in, double *out)
{
	double o, c;
	ha_step(st, in, &o, &c);
	out[0] = fmax(in->h, fmax(o, c));
}
static void ha_low_update(double *st, const double *p, const struct algo_ind_in *in, double *out)
{
	double o, c;
	ha_step(st, in, &o, &c);
	out[0] = fmin(in->l, fmin(o, c));
}

/* ---- ORB_HIGH / ORB_LOW(minutes): range of the bars opening in [09:15, 09:15+minutes)
 * IST, with a value from the first bar opening at or after 09:15+minutes, until the day
 * ends: [day + 1, bars in range, high, low] */

static size_t orb_len(const double *p) { return 4; }
static int lb_orb(const double *p) { return P(0); }
static void orb_update(double *st, const double *p, const struct algo_ind_in *in, double *out, int high)
{
	double day = (double)algo_time_ist_day(in->ts) + 1;
	int m = algo_time_ist_minute(in->ts), open = ALGO_IND_SESSION_OPEN;
	if (day != st[0]) { st[0] = day; st[1] = 0; }
	if (m >= open && m < open + P(0)) {
		if (st[1] == 0 || in->h > st[2]) st[2] = in->h;
		if (st[1] == 0 || in->l < st[3]) st[3] = in->l;
		st[1] += 1;
	} else if (m >= open + P(0) && st[1] > 0)
		out[0] = high ? st[2] : st[3];
}
static void orb_high_update(double *st, const double *p, const struct algo_ind_in *in, double *out)
{
	orb_update(st, p, in, out, 1);
}
static void orb_low_update(double *st, const double *p, const struct algo_ind_in *in, double *out)
{
	orb_update(st, p, in, out, 0);
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
	{ "WMA", NULL, ALGO_IND_SRC, 1, { PERIOD("period", 1) }, 1, { "value" },
	  wma_len, lb_n_minus_1, NULL, wma_update },
	{ "DEMA", NULL, ALGO_IND_SRC, 1, { PERIOD("period", 1) }, 1, { "value" },
	  dema_len, lb_2n_minus_2, NULL, dema_update },
	{ "TEMA", NULL, ALGO_IND_SRC, 1, { PERIOD("period", 1) }, 1, { "value" },
	  tema_len, lb_3n_minus_3, NULL, tema_update },
	{ "HMA", NULL, ALGO_IND_SRC, 1, { PERIOD("period", 2) }, 1, { "value" },
	  hma_len, hma_lookback, NULL, hma_update },
	{ "VWMA", NULL, ALGO_IND_SRC, 1, { PERIOD("period", 1) }, 1, { "value" },
	  vwma_len, lb_n_minus_1, NULL, vwma_update },
	{ "KAMA", NULL, ALGO_IND_SRC, 1, { PERIOD("period", 2) }, 1, { "value" },
	  kama_len, lb_n, NULL, kama_update },
	{ "RMA", NULL, ALGO_IND_SRC, 1, { PERIOD("period", 1) }, 1, { "value" },
	  rma_len, lb_n_minus_1, NULL, rma_update },
	{ "ROC", NULL, ALGO_IND_SRC, 1, { PERIOD("period", 1) }, 1, { "value" },
	  roc_len, lb_n, NULL, roc_update },
	{ "MOM", NULL, ALGO_IND_SRC, 1, { PERIOD("period", 1) }, 1, { "value" },
	  roc_len, lb_n, NULL, mom_update },
	{ "STDDEV", NULL, ALGO_IND_SRC, 2,
	  { PERIOD("period", 2), { "k", ALGO_IND_REAL, 0, 1000, 1, 1 } }, 1, { "value" },
	  stddev_len, lb_n_minus_1, NULL, stddev_update },
	{ "BBANDS", NULL, ALGO_IND_SRC, 2,
	  { PERIOD("period", 2), { "k", ALGO_IND_REAL, 0, 1000, 0, 0 } },
	  5, { "middle", "upper", "lower", "pctb", "width" },
	  stddev_len, lb_n_minus_1, NULL, bbands_update },
	{ "NATR", NULL, 0, 1, { PERIOD("period", 1) }, 1, { "value" },
	  natr_len, lb_n, NULL, natr_update },
	{ "ADX", NULL, 0, 1, { PERIOD("period", 2) }, 1, { "value" },
	  dx_len, lb_adx, NULL, adx_update },
	{ "PLUS_DI", NULL, 0, 1, { PERIOD("period", 2) }, 1, { "value" },
	  dx_len, lb_n, NULL, plus_di_update },
	{ "MINUS_DI", NULL, 0, 1, { PERIOD("period", 2) }, 1, { "value" },
	  dx_len, lb_n, NULL, minus_di_update },
	{ "STOCH", NULL, 0, 3, { PERIOD("fastk", 1), PERIOD("slowk", 1), PERIOD("slowd", 1) },
	  2, { "k", "d" }, stoch_len, stoch_lookback, NULL, stoch_update },
	{ "STOCHRSI", NULL, ALGO_IND_SRC, 3, { PERIOD("period", 2), PERIOD("fastk", 1), PERIOD("fastd", 1) },
	  2, { "k", "d" }, stochrsi_len, stochrsi_lookback, NULL, stochrsi_update },
	{ "CCI", NULL, 0, 1, { PERIOD("period", 2) }, 1, { "value" },
	  cci_len, lb_n_minus_1, NULL, cci_update },
	{ "WILLR", NULL, 0, 1, { PERIOD("period", 1) }, 1, { "value" },
	  len_dq_n, lb_n_minus_1, NULL, willr_update },
	{ "MFI", NULL, 0, 1, { PERIOD("period", 1) }, 1, { "value" },
	  mfi_len, lb_n, NULL, mfi_update },
	{ "OBV", NULL, 0, 0, { { 0 } }, 1, { "value" },
	  obv_len, lb_zero, NULL, obv_update },
	{ "MAX", "HIGHEST", ALGO_IND_SRC, 1, { PERIOD("period", 1) }, 1, { "value" },
	  maxmin_len, lb_n_minus_1, NULL, max_update },
	{ "MIN", "LOWEST", ALGO_IND_SRC, 1, { PERIOD("period", 1) }, 1, { "value" },
	  maxmin_len, lb_n_minus_1, NULL, min_update },
	{ "AROON", NULL, 0, 1, { PERIOD("period", 1) }, 2, { "up", "down" },
	  aroon_len, lb_n, NULL, aroon_update },
	{ "ULTOSC", NULL, 0, 3, { PERIOD("period1", 1), PERIOD("period2", 1), PERIOD("period3", 1) },
	  1, { "value" }, ultosc_len, ultosc_lookback, NULL, ultosc_update },
	{ "SAR", NULL, 0, 2,
	  { { "acceleration", ALGO_IND_REAL, 0, 1000, 0.02, 1 }, { "maximum", ALGO_IND_REAL, 0, 1000, 0.2, 1 } },
	  1, { "value" }, sar_len, lb_one, NULL, sar_update },
	{ "SUPERTREND", NULL, 0, 2, { PERIOD("period", 1), { "factor", ALGO_IND_REAL, 0, 1000, 0, 0 } },
	  2, { "value", "dir" }, st_len, lb_n, NULL, supertrend_update },
	{ "VWAP", NULL, ALGO_IND_CLOCK, 0, { { 0 } }, 1, { "value" },
	  vwap_len, lb_zero, NULL, vwap_update },
	{ "KELTNER", NULL, 0, 2, { PERIOD("period", 1), { "k", ALGO_IND_REAL, 0, 1000, 0, 0 } },
	  3, { "middle", "upper", "lower" }, keltner_len, lb_n, NULL, keltner_update },
	{ "DONCHIAN", NULL, 0, 1, { PERIOD("period", 1) }, 3, { "middle", "upper", "lower" },
	  len_dq_n, lb_n_minus_1, NULL, donchian_update },
	{ "PIVOT", NULL, ALGO_IND_CLOCK, 0, { { 0 } },
	  9, { "p", "r1", "r2", "r3", "s1", "s2", "s3", "tc", "bc" },
	  pivot_len, lb_pivot, NULL, pivot_update },
	{ "HA_OPEN", NULL, 0, 0, { { 0 } }, 1, { "value" }, ha_len, lb_zero, NULL, ha_open_update },
	{ "HA_HIGH", NULL, 0, 0, { { 0 } }, 1, { "value" }, ha_len, lb_zero, NULL, ha_high_update },
	{ "HA_LOW", NULL, 0, 0, { { 0 } }, 1, { "value" }, ha_len, lb_zero, NULL, ha_low_update },
	{ "HA_CLOSE", NULL, 0, 0, { { 0 } }, 1, { "value" }, ha_len, lb_zero, NULL, ha_close_update },
	{ "ORB_HIGH", NULL, ALGO_IND_CLOCK, 1, { { "minutes", ALGO_IND_PERIOD, 1, 1440, 0, 0 } }, 1, { "value" },
	  orb_len, lb_orb, NULL, orb_high_update },
	{ "ORB_LOW", NULL, ALGO_IND_CLOCK, 1, { { "minutes", ALGO_IND_PERIOD, 1, 1440, 0, 0 } }, 1, { "value" },
	  orb_len, lb_orb, NULL, orb_low_update },
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
