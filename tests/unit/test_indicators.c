/* Unit tests for lib/indicators: hand-computed small cases, warm-up length equal to
 * each table entry's lookback, parameter checks and lookups, and that a program
 * computes each indicator once however often it is used. */
#include "indicators.h"
#include "expr.h"
#include "timeutil.h"
#include "tap.h"
#include <math.h>
#include <stdlib.h>

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

/* A full bar: IST time "HH:MM" on day 1, 2 or 3 (2024-03-01, 03-04, 03-05). */
struct fbar { int day; const char *hhmm; double o, h, l, c, v; };

static int64_t fbar_ts(const struct fbar *b)
{
	static const char *const dates[] = { "", "2024-03-01", "2024-03-04", "2024-03-05" };
	char buf[64];
	int64_t ms = 0;
	snprintf(buf, sizeof buf, "%sT%s:00+05:30", dates[b->day], b->hhmm);
	algo_time_parse(buf, strlen(buf), &ms);
	return ms;
}

/* Runs name(p) over full bars (source = close) and compares output k with want. */
static void check_bars(const char *name, const double *p, int k, const struct fbar *bars, int n,
	const double *want, const char *what)
{
	const struct algo_ind_def *d = algo_ind_find(name, strlen(name));
	struct algo_ind *ind = d ? algo_ind_new(d, p) : NULL;
	int good = ind != NULL;
	double got[32];
	for (int i = 0; good && i < n; i++) {
		const struct fbar *b = &bars[i];
		struct algo_ind_in in = { b->o, b->h, b->l, b->c, b->v, N, b->c, fbar_ts(b) };
		algo_ind_update(ind, &in);
		got[i] = ind->out[k];
		good &= same(got[i], want[i]);
	}
	ok(good, "%s", what);
	if (!good && ind)
		for (int i = 0; i < n; i++) printf("#   [%d] got %.17g want %.17g\n", i, got[i], want[i]);
	algo_ind_free(ind);
}

/* Number of indicator instances in a program holding all the expressions. */
static int ind_count(const char *const *exprs, int n)
{
	struct algo_prog pg;
	char err[256];
	int k = -1;
	algo_prog_init(&pg);
	for (int i = 0; i < n; i++) {
		struct algo_expr *e = algo_expr_parse(exprs[i], strlen(exprs[i]), err, sizeof err);
		if (!e || algo_prog_add(&pg, e) < 0) { printf("# %s: %s\n", exprs[i], e ? "add failed" : err); algo_expr_free(e); goto out; }
		algo_expr_free(e);
	}
	algo_prog_finish(&pg);
	k = algo_prog_ind_count(&pg);
out:
	algo_prog_free(&pg);
	return k;
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

	/* ---- indicators TA-Lib does not have (or that differ from it): hand-computed ---- */
	/* WMA(3) of 1..5: (1*1 + 2*2 + 3*3)/6 = 14/6, (2 + 6 + 12)/6 = 20/6, (3 + 8 + 15)/6 = 26/6 */
	check("WMA", (double[]){ 3 }, 0, up, NULL, 5, (double[]){ N, N, 14.0 / 6, 20.0 / 6, 26.0 / 6 }, "WMA(3) of 1..5");
	/* HMA(4) = WMA(2*WMA(x,2) - WMA(x,4), 2). On a straight line WMA(n) lags by (n-1)/3:
	 * 2*(t - 1/3) - (t - 1) = t + 1/3, and WMA(2) of that lags 1/3 again: exactly t. */
	check("HMA", (double[]){ 4 }, 0, (double[]){ 0, 1, 2, 3, 4, 5, 6, 7 }, NULL, 8,
		(double[]){ N, N, N, N, 4, 5, 6, 7 }, "HMA(4) of a straight line is the line (no lag)");
	{
		/* HMA(4) on 1,2,4,8,16,32: WMA2 = (x[t-1] + 2x)/3, WMA4 = (x[t-3] + 2x[t-2] + 3x[t-1] + 4x)/10
		 * t=3: 2*(4+16)/3 - (1+4+12+32)/10 = 40/3 - 4.9;  t=4: 80/3 - 9.8;  t=5: 160/3 - 19.6
		 * HMA = (raw[t-1] + 2 raw[t])/3 from t = 4 (lookback 4 - 1 + 2 - 1). */
		double r3 = 40.0 / 3 - 4.9, r4 = 80.0 / 3 - 9.8, r5 = 160.0 / 3 - 19.6;
		check("HMA", (double[]){ 4 }, 0, (double[]){ 1, 2, 4, 8, 16, 32 }, NULL, 6,
			(double[]){ N, N, N, N, (r3 + 2 * r4) / 3, (r4 + 2 * r5) / 3 }, "HMA(4) of a doubling series");
	}
	/* RMA(3): seeded with (1+2+3)/3 = 2; then (2*2 + 4)/3 = 8/3; (8/3*2 + 5)/3 = 31/9 */
	check("RMA", (double[]){ 3 }, 0, up, NULL, 5, (double[]){ N, N, 2, 8.0 / 3, 31.0 / 9 }, "RMA(3), Wilder");
	/* ROC/MOM(2) of 1..5: (3/1 - 1)*100 = 200, (4/2-1)*100 = 100, (5/3-1)*100; 3-1 = 2 */
	check("ROC", (double[]){ 2 }, 0, up, NULL, 5, (double[]){ N, N, 200, 100, 200.0 / 3 }, "ROC(2) in percent");
	check("MOM", (double[]){ 2 }, 0, up, NULL, 5, (double[]){ N, N, 2, 2, 2 }, "MOM(2)");
	/* STDDEV(3) population: 1,2,3 -> sqrt(2/3); times k = 2 */
	check("STDDEV", (double[]){ 3, 2 }, 0, up, NULL, 4, (double[]){ N, N, 2 * sqrt(2.0 / 3), 2 * sqrt(2.0 / 3) },
		"STDDEV(3, 2), population");
	{
		/* BBANDS(3, 2) of 1,2,3: middle 2, sd sqrt(2/3) = s, upper 2+2s, lower 2-2s;
		 * pctb = (3 - (2-2s)) / 4s = (1+2s)/4s; width = 4s/2 = 2s.
		 * 2,3,4: middle 3, same s: pctb (1+2s)/4s, width 4s/3.
		 * 3,4,4: middle 11/3, sd sqrt(2/9) = q: pctb (4 - 11/3 + 2q)/4q, width 4q/(11/3).
		 * 4,4,4: the bands touch: pctb has no value, width 0. */
		double sd = sqrt(2.0 / 3), q = sqrt(2.0 / 9);
		const double x[] = { 1, 2, 3, 4, 4, 4 };
		check("BBANDS", (double[]){ 3, 2 }, 0, x, NULL, 3, (double[]){ N, N, 2 }, "BBANDS middle");
		check("BBANDS", (double[]){ 3, 2 }, 1, x, NULL, 3, (double[]){ N, N, 2 + 2 * sd }, "BBANDS upper");
		check("BBANDS", (double[]){ 3, 2 }, 2, x, NULL, 3, (double[]){ N, N, 2 - 2 * sd }, "BBANDS lower");
		check("BBANDS", (double[]){ 3, 2 }, 3, x, NULL, 6,
			(double[]){ N, N, (1 + 2 * sd) / (4 * sd), (1 + 2 * sd) / (4 * sd), (1.0 / 3 + 2 * q) / (4 * q), N },
			"BBANDS pctb; no value when the bands touch");
		check("BBANDS", (double[]){ 3, 2 }, 4, x, NULL, 6,
			(double[]){ N, N, 2 * sd, 4 * sd / 3, 4 * q / (11.0 / 3), 0 }, "BBANDS width = (upper - lower) / middle");
	}
	{
		/* STOCHRSI(2, 2, 2) on 1,2,3,2,5,4: RSI(2) = 100, 50, 87.5, then gain .875 loss .625
		 * -> 58.33; raw %K over 2 RSI values: 0 (50 in [50,100]), 100, 0; %D = SMA2: 50, 50 */
		const double x[] = { 1, 2, 3, 2, 5, 4 };
		check("STOCHRSI", (double[]){ 2, 2, 2 }, 0, x, NULL, 6, (double[]){ N, N, N, N, 100, 0 }, "STOCHRSI .k (fast %K)");
		check("STOCHRSI", (double[]){ 2, 2, 2 }, 1, x, NULL, 6, (double[]){ N, N, N, N, 50, 50 }, "STOCHRSI .d (SMA of .k)");
	}
	{
		/* AROON(2), highs 5,5,4 (lows 3,3,2): window of 3 bars, the latest 5 is 1 bar old
		 * -> up = 100/2 * (2 - 1) = 50; the low 2 is today -> down = 100 */
		const struct ohlc b[] = { { 5, 3, 4 }, { 5, 3, 4 }, { 4, 2, 3 } };
		check("AROON", (double[]){ 2 }, 0, NULL, b, 3, (double[]){ N, N, 50 }, "AROON up: the most recent of equal highs wins");
		check("AROON", (double[]){ 2 }, 1, NULL, b, 3, (double[]){ N, N, 100 }, "AROON down");
	}
	{
		/* Bars: (h, l, c) = (11,9,10) (12,10,11) (13,11,12) (16,14,15.5) (15,13,13.5) (12,10,10.5)
		 * TR from bar 1: 2, 2, max(2,4,2) = 4, max(2,.5,2.5) = 2.5, max(2,1.5,3.5) = 3.5
		 * ATR(2) (TA-Lib): bar2 (2+2)/2 = 2; bar3 (2+4)/2 = 3; bar4 2.75; bar5 3.125
		 * SUPERTREND(2, 1) on hl2 = 12, 15, 14, 11:
		 *  bar2: up 14, lo 10; first value: down, value = up = 14
		 *  bar3: up 18 -> kept 14 (not below 14, prev close 12 not above 14); lo 12 (> 10);
		 *        previous was the upper band and close 15.5 > 14: up, value = lo = 12
		 *  bar4: up 16.75 (prev close 15.5 > 14 so it moves); lo 11.25 -> kept 12; up stays
		 *        (close 13.5 not below 12): value 12
		 *  bar5: up 14.125 (< 16.75); lo 7.875 -> kept 12; close 10.5 < 12: down, value 14.125 */
		const struct ohlc b[] = { { 11, 9, 10 }, { 12, 10, 11 }, { 13, 11, 12 }, { 16, 14, 15.5 },
			{ 15, 13, 13.5 }, { 12, 10, 10.5 } };
		check("SUPERTREND", (double[]){ 2, 1 }, 0, NULL, b, 6, (double[]){ N, N, 14, 12, 12, 14.125 }, "SUPERTREND value");
		check("SUPERTREND", (double[]){ 2, 1 }, 1, NULL, b, 6, (double[]){ N, N, -1, 1, 1, -1 },
			"SUPERTREND dir: +1 up, -1 down");
		/* KELTNER(2, 2): EMA(close, 2) seeded (10+11)/2 = 10.5; bar2 10.5 + (12-10.5)*2/3 = 11.5;
		 * bar3 11.5 + (15.5-11.5)*2/3 = 14.1667; bands +- 2*ATR(2) = 4 and 6 */
		double e3 = 11.5 + 4.0 * 2 / 3;
		check("KELTNER", (double[]){ 2, 2 }, 0, NULL, b, 4, (double[]){ N, N, 11.5, e3 }, "KELTNER middle = EMA(close, n)");
		check("KELTNER", (double[]){ 2, 2 }, 1, NULL, b, 4, (double[]){ N, N, 15.5, e3 + 6 }, "KELTNER upper = + k*ATR(n)");
		check("KELTNER", (double[]){ 2, 2 }, 2, NULL, b, 4, (double[]){ N, N, 7.5, e3 - 6 }, "KELTNER lower");
		/* DONCHIAN(3): highs 11 12 13 16 15 12, lows 9 10 11 14 13 10 */
		check("DONCHIAN", (double[]){ 3 }, 1, NULL, b, 6, (double[]){ N, N, 13, 16, 16, 16 }, "DONCHIAN upper");
		check("DONCHIAN", (double[]){ 3 }, 2, NULL, b, 6, (double[]){ N, N, 9, 10, 11, 10 }, "DONCHIAN lower");
		check("DONCHIAN", (double[]){ 3 }, 0, NULL, b, 6, (double[]){ N, N, 11, 13, 13.5, 13 }, "DONCHIAN middle");
		/* NATR(2) = ATR / close * 100: 2/12*100, 3/15.5*100 */
		check("NATR", (double[]){ 2 }, 0, NULL, b, 4, (double[]){ N, N, 200.0 / 12, 300.0 / 15.5 }, "NATR(2)");
	}
	{
		/* VWMA(2) = sum(close*v)/sum(v): (10*100 + 20*300)/400 = 17.5; (20*300 + 30*100)/400
		 * = 22.5; no value while the window has no volume */
		const struct fbar b[] = { { 1, "09:15", 10, 10, 10, 10, 100 }, { 1, "09:16", 20, 20, 20, 20, 300 },
			{ 1, "09:17", 30, 30, 30, 30, 100 }, { 1, "09:18", 5, 5, 5, 5, 0 }, { 1, "09:19", 6, 6, 6, 6, 0 } };
		check_bars("VWMA", (double[]){ 2 }, 0, b, 5, (double[]){ N, 17.5, 22.5, 30, N }, "VWMA(2), volume-weighted");
	}
	{
		/* VWAP, typical price (h+l+c)/3 times volume, from the first bar of each IST day:
		 * day 1: tp 10 v 100 -> 10; tp 12 v 300 -> (1000 + 3600)/400 = 11.5
		 * day 2: resets: tp 20 v 50 -> 20; a bar without volume leaves it at 20
		 * day 3: a first bar without volume has no value; then tp 30 v 10 -> 30 */
		const struct fbar b[] = { { 1, "09:15", 10, 11, 9, 10, 100 }, { 1, "09:16", 12, 13, 11, 12, 300 },
			{ 2, "09:15", 20, 21, 19, 20, 50 }, { 2, "09:16", 22, 22, 22, 22, 0 },
			{ 3, "09:15", 25, 25, 25, 25, 0 }, { 3, "09:16", 30, 31, 29, 30, 10 } };
		check_bars("VWAP", NULL, 0, b, 6, (double[]){ 10, 11.5, 20, 20, N, 30 }, "VWAP resets every IST day");
	}
	{
		/* PIVOT from the previous IST day's high, low, close:
		 * day 1: H 108, L 96, C 105 -> P = 103, R1 = 2P-L = 110, R2 = P+(H-L) = 115,
		 *        R3 = H+2(P-L) = 122, S1 = 2P-H = 98, S2 = P-(H-L) = 91, S3 = L-2(H-P) = 86,
		 *        BC = (H+L)/2 = 102, TC = 2P-BC = 104
		 * day 2: H 112, L 100, C 112 -> P = 108, R1 116, R2 120, R3 128, S1 104, S2 96, S3 92,
		 *        BC 106, TC 110 (on day 3) */
		const struct fbar b[] = { { 1, "09:15", 100, 105, 99, 101, 1 }, { 1, "09:16", 101, 108, 100, 104, 1 },
			{ 1, "15:29", 104, 104, 96, 105, 1 }, { 2, "09:15", 105, 110, 100, 109, 1 },
			{ 2, "15:29", 109, 112, 107, 112, 1 }, { 3, "09:15", 112, 113, 111, 112, 1 } };
		const double want[9][6] = {
			{ N, N, N, 103, 103, 108 }, { N, N, N, 110, 110, 116 }, { N, N, N, 115, 115, 120 },
			{ N, N, N, 122, 122, 128 }, { N, N, N, 98, 98, 104 }, { N, N, N, 91, 91, 96 },
			{ N, N, N, 86, 86, 92 }, { N, N, N, 104, 104, 110 }, { N, N, N, 102, 102, 106 } };
		const char *names[] = { "p", "r1", "r2", "r3", "s1", "s2", "s3", "tc", "bc" };
		char what[64];
		for (int k = 0; k < 9; k++) {
			snprintf(what, sizeof what, "PIVOT .%s from the previous day", names[k]);
			check_bars("PIVOT", NULL, k, b, 6, want[k], what);
		}
	}
	{
		/* ORB(2): bars opening 09:15 and 09:16 form the range (high 107, low 100); the
		 * 09:14 pre-open bar is not part of it; values from 09:17 on; day 2 starts over;
		 * day 3 has no bar in the range, so no value all day. */
		const struct fbar b[] = { { 1, "09:14", 200, 200, 1, 100, 1 }, { 1, "09:15", 101, 105, 100, 104, 1 },
			{ 1, "09:16", 104, 107, 101, 106, 1 }, { 1, "09:17", 106, 110, 99, 109, 1 },
			{ 1, "15:29", 109, 111, 95, 100, 1 }, { 2, "09:15", 90, 92, 89, 91, 1 },
			{ 2, "09:17", 91, 93, 90, 92, 1 }, { 3, "09:20", 91, 93, 90, 92, 1 } };
		check_bars("ORB_HIGH", (double[]){ 2 }, 0, b, 8, (double[]){ N, N, N, 107, 107, N, 92, N },
			"ORB_HIGH(2): complete after 2 minutes, per IST day");
		check_bars("ORB_LOW", (double[]){ 2 }, 0, b, 8, (double[]){ N, N, N, 100, 100, N, 89, N }, "ORB_LOW(2)");
	}
	{
		/* Heikin-Ashi: close = (o+h+l+c)/4; open = (o+c)/2 on the first bar, then the mean of
		 * the previous HA open and close; high/low also take the HA open and close.
		 * (o,h,l,c) = (10,12,9,11): hc 10.5, ho 10.5, hh 12, hl 9
		 *             (11,14,10,13): hc 12, ho 10.5, hh 14, hl 10
		 *             (13,13.5,11,12): hc 12.375, ho 11.25, hh 13.5, hl 11
		 *             (12,12.2,11.9,12): hc 12.025, ho 11.8125, hh 12.2, hl 11.8125 (the HA open) */
		const struct fbar b[] = { { 1, "09:15", 10, 12, 9, 11, 1 }, { 1, "09:16", 11, 14, 10, 13, 1 },
			{ 1, "09:17", 13, 13.5, 11, 12, 1 }, { 1, "09:18", 12, 12.2, 11.9, 12, 1 } };
		check_bars("HA_CLOSE", NULL, 0, b, 4, (double[]){ 10.5, 12, 12.375, 12.025 }, "ha_close");
		check_bars("HA_OPEN", NULL, 0, b, 4, (double[]){ 10.5, 10.5, 11.25, 11.8125 }, "ha_open");
		check_bars("HA_HIGH", NULL, 0, b, 4, (double[]){ 12, 14, 13.5, 12.2 }, "ha_high");
		check_bars("HA_LOW", NULL, 0, b, 4, (double[]){ 9, 10, 11, 11.8125 }, "ha_low");
	}
	{
		/* OBV: the first value is the first bar's volume (100), then +-volume by close */
		check("OBV", NULL, 0, (double[]){ 5, 6, 6, 4 }, NULL, 4, (double[]){ 100, 200, 200, 100 }, "OBV");
	}

	/* each indicator is computed once however often (and however spelled) it is used */
	{
		const char *a[] = { "STDDEV(close, 20)", "STDDEV(20, 1) > 2", "stddev(close,20,1)" };
		is_int(ind_count(a, 3), 1, "STDDEV's default k: one instance for three spellings");
		const char *b[] = { "BBANDS(20,2).upper", "BBANDS(close,20,2).lower", "BBANDS(20, 2)" };
		is_int(ind_count(b, 3), 1, "BBANDS outputs share one instance");
		const char *c[] = { "ha_close > ha_open", "ha_close crosses_above EMA(ha_close, 9)", "HA_CLOSE()" };
		is_int(ind_count(c, 3), 3, "Heikin-Ashi series as sources: ha_close, ha_open and one EMA");
		const char *d[] = { "SUPERTREND(10,3).dir > 0", "close > SUPERTREND(10, 3)", "SAR()", "SAR(0.02, 0.2)" };
		is_int(ind_count(d, 4), 2, "SUPERTREND once; SAR() is SAR(0.02, 0.2)");
	}

	/* every table entry: the first value appears exactly after lookback() bars */
	int64_t day0 = 0;
	algo_time_parse("2024-03-04T09:15:00+05:30", 25, &day0);
	is_int(algo_ind_count(), 43, "the table has every indicator");
	for (size_t i = 0; i < algo_ind_count(); i++) {
		const struct algo_ind_def *d = algo_ind_at(i);
		double p[ALGO_IND_MAXPARAMS];
		int first = -1, bad = -1;
		char err[256];
		for (int k = 0; k < d->nparams; k++)
			p[k] = d->params[k].kind == ALGO_IND_PERIOD ? d->params[k].min + 3 + 2 * k : d->params[k].min;
		ok(algo_ind_check(d, p, &bad, err, sizeof err) == 0, "%s: test parameters are valid", d->name);
		struct algo_ind *ind = algo_ind_new(d, p);
		/* 1-minute bars from 09:15 IST, 375 a day (what ALGO_IND_CLOCK lookbacks count) */
		for (int t = 0; t < 1000 && first < 0; t++) {
			double c = 100 + 10 * sin(t / 3.0) + t * 0.1;
			int64_t ts = day0 + (t / ALGO_IND_SESSION_BARS) * ALGO_MS_PER_DAY + (t % ALGO_IND_SESSION_BARS) * 60000LL;
			struct algo_ind_in in = { c - 0.5, c + 1, c - 1.5, c, 1000 + t, N, c, ts };
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
