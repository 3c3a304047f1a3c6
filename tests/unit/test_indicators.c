/* Unit tests for lib/indicators: hand-computed small cases, warm-up length equal to
 * each table entry's lookback, parameter checks and lookups. */
#include "indicators.h"
#include "tap.h"
#include <math.h>

#define N NAN

static int same(double a, double b)
{
	return (isnan(a) && isnan(b)) || fabs(a - b) <= 1e-12 * (fabs(b) > 1 ? fabs(b) : 1);
}

struct ohlc { double h, l, c; };

/* Runs indicator name(p) over closes (h = c + 1, l = c - 1 unless bars given) and
 * compares output k with want. */
static void check(const char *name, const double *p, int k, const double *src, const struct ohlc *bars,
	int n, const double *want, const char *what)
{
	const struct algo_ind_def *d = algo_ind_find(name, strlen(name));
	struct algo_ind *ind = d ? algo_ind_new(d, p) : NULL;
	int good = ind != NULL;
	double got[32];
	for (int i = 0; good && i < n; i++) {
		double c = bars ? bars[i].c : src[i];
		struct algo_ind_in in = { c, bars ? bars[i].h : c + 1, bars ? bars[i].l : c - 1, c, 100, N, c, 0 };
		algo_ind_update(ind, &in);
		got[i] = ind->out[k];
		good &= same(got[i], want[i]);
	}
	ok(good, "%s", what);
	if (!good && ind)
		for (int i = 0; i < n; i++) printf("#   [%d] got %.17g want %.17g\n", i, got[i], want[i]);
	algo_ind_free(ind);
}

int main(void)
{
	const double up[] = { 1, 2, 3, 4, 5 };
	check("SMA", (double[]){ 3 }, 0, up, NULL, 5, (double[]){ N, N, 2, 3, 4 }, "SMA(3) of 1..5");
	check("SMA", (double[]){ 1 }, 0, up, NULL, 5, (double[]){ 1, 2, 3, 4, 5 }, "SMA(1) is the input");
	/* EMA(3): k = 0.5, seeded with SMA(1,2,3) = 2; then 2 + (4-2)/2 = 3, 3 + (5-3)/2 = 4 */
	check("EMA", (double[]){ 3 }, 0, up, NULL, 5, (double[]){ N, N, 2, 3, 4 }, "EMA(3) of 1..5");
	check("EMA", (double[]){ 3 }, 0, (double[]){ 3, 3, 6, 0, 8 }, NULL, 5,
		(double[]){ N, N, 4, 2, 5 }, "EMA(3) seeded with the SMA of the first 3");
	/* RSI(2): gains 1,1 -> avg gain 1, loss 0 -> 100; then -1: gain (1*1+0)/2 = .5,
	 * loss (0*1+1)/2 = .5 -> 50; then +3: gain (.5+3)/2 = 1.75, loss .25 -> 87.5 */
	check("RSI", (double[]){ 2 }, 0, (double[]){ 1, 2, 3, 2, 5 }, NULL, 5,
		(double[]){ N, N, 100, 50, 87.5 }, "RSI(2), Wilder smoothing");
	check("RSI", (double[]){ 2 }, 0, (double[]){ 4, 4, 4, 4 }, NULL, 4, (double[]){ N, N, 0, 0 },
		"RSI of a flat series is 0 (TA-Lib)");
	check("RSI", (double[]){ 2 }, 0, (double[]){ 5, 4, 3, 2 }, NULL, 4, (double[]){ N, N, 0, 0 },
		"RSI of a falling series is 0");
	{
		const struct ohlc b[] = { { 11, 9, 10 }, { 12, 10, 11 }, { 15, 12, 14 }, { 14, 8, 9 }, { 10, 9, 9.5 } };
		/* true ranges from bar 1: max(2, 2, 0) = 2; max(3, 4, 1) = 4; max(6, 0, 6) = 6; max(1, 1, 0) = 1 */
		check("TRANGE", NULL, 0, NULL, b, 5, (double[]){ N, 2, 4, 6, 1 }, "TRANGE");
		/* ATR(2): first = (2 + 4) / 2 = 3; then (3*1 + 6)/2 = 4.5; (4.5 + 1)/2 = 2.75 */
		check("ATR", (double[]){ 2 }, 0, NULL, b, 5, (double[]){ N, N, 3, 4.5, 2.75 }, "ATR(2)");
	}
	{
		/* MACD(2,3,2) on 1,2,4,8,16,32: slow EMA(3) seeded at bar 2 with (1+2+4)/3;
		 * fast EMA(2) starts a bar late, seeded at bar 2 with (2+4)/2 = 3. */
		const double x[] = { 1, 2, 4, 8, 16, 32 };
		double s2 = 7.0 / 3, f2 = 3, s3 = s2 + (8 - s2) * 0.5, f3 = f2 + (8 - f2) * (2.0 / 3);
		double s4 = s3 + (16 - s3) * 0.5, f4 = f3 + (16 - f3) * (2.0 / 3);
		double m2 = f2 - s2, m3 = f3 - s3, m4 = f4 - s4, sig3 = (m2 + m3) / 2;
		double sig4 = sig3 + (m4 - sig3) * (2.0 / 3);
		check("MACD", (double[]){ 2, 3, 2 }, 0, x, NULL, 5, (double[]){ N, N, N, m3, m4 }, "MACD line");
		check("MACD", (double[]){ 2, 3, 2 }, 1, x, NULL, 5, (double[]){ N, N, N, sig3, sig4 }, "MACD signal");
		check("MACD", (double[]){ 2, 3, 2 }, 2, x, NULL, 5, (double[]){ N, N, N, m3 - sig3, m4 - sig4 },
			"MACD hist");
		check("MACD", (double[]){ 3, 2, 2 }, 0, x, NULL, 5, (double[]){ N, N, N, m3, m4 },
			"MACD swaps fast and slow when given the wrong way round (as TA-Lib)");
	}

	/* every table entry: the first value appears exactly after lookback() bars */
	for (size_t i = 0; i < algo_ind_count(); i++) {
		const struct algo_ind_def *d = algo_ind_at(i);
		double p[ALGO_IND_MAXPARAMS];
		int first = -1, bad = -1;
		char err[256];
		for (int k = 0; k < d->nparams; k++)
			p[k] = d->params[k].kind == ALGO_IND_PERIOD ? d->params[k].min + 3 + 2 * k : d->params[k].min;
		ok(algo_ind_check(d, p, &bad, err, sizeof err) == 0, "%s: test parameters are valid", d->name);
		struct algo_ind *ind = algo_ind_new(d, p);
		for (int t = 0; t < 200 && first < 0; t++) {
			double c = 100 + 10 * sin(t / 3.0) + t * 0.1;
			struct algo_ind_in in = { c - 0.5, c + 1, c - 1.5, c, 1000 + t, N, c, t * 60000LL };
			algo_ind_update(ind, &in);
			for (int k = 0; k < d->noutputs; k++)
				if (!isnan(ind->out[k]) && first < 0) first = t;
		}
		is_int(first, d->lookback(p), "%s: first value after lookback() bars", d->name);
		ok(d->noutputs >= 1 && d->noutputs <= ALGO_IND_MAXOUT && d->outputs[0], "%s: outputs", d->name);
		algo_ind_free(ind);
	}

	/* lookups and checks */
	ok(algo_ind_find("ema", 3) && algo_ind_find("Rsi", 3) && !algo_ind_find("EMAA", 4), "find is case-insensitive");
	{
		const struct algo_ind_def *m = algo_ind_find("MACD", 4);
		is_int(algo_ind_output(m, "Signal", 6), 1, "output lookup");
		is_int(algo_ind_output(m, "sig", 3), -1, "unknown output");
	}
	{
		char err[256];
		int bad = -1;
		const struct algo_ind_def *d = algo_ind_find("RSI", 3);
		ok(algo_ind_check(d, (double[]){ 1 }, &bad, err, sizeof err) < 0 && bad == 0, "RSI(1) refused");
		is_str(err, "RSI: period must be an integer from 2 to 100000, got 1", "message names the range");
		ok(algo_ind_check(d, (double[]){ NAN }, &bad, err, sizeof err) < 0, "NaN period refused");
		ok(algo_ind_check(d, (double[]){ 100001 }, &bad, err, sizeof err) < 0, "huge period refused");
	}
	return tap_done();
}
