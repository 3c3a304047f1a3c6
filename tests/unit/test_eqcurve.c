/* Unit tests of lib/eqcurve.c: on random curves (runs of rises and falls, changes at
 * the same time, days, an out-of-order change), the drawdown figures and the daily
 * closes computed over the emitted points equal those over every point, computed the
 * way lib/report.c and lib/ledger.c walk the stored curve. */
#include "eqcurve.h"
#include "tap.h"
#include <stdint.h>
#include <stdlib.h>

#define MAXP 20000
#define DAY 86400000LL
#define IST 19800000LL

/* A stored curve: one value per time (a later write at a time replaces it). */
struct curve { int64_t ms[MAXP], eq[MAXP]; int n; };

static void put(struct curve *c, int64_t ms, int64_t eq)
{
	int i = 0;
	while (i < c->n && c->ms[i] < ms) i++;
	if (i < c->n && c->ms[i] == ms) { c->eq[i] = eq; return; }
	for (int k = c->n; k > i; k--) { c->ms[k] = c->ms[k - 1]; c->eq[k] = c->eq[k - 1]; }
	c->ms[i] = ms;
	c->eq[i] = eq;
	c->n++;
}

static int emit(void *arg, int64_t ms, int64_t eq)
{
	put(arg, ms, eq);
	return 0;
}

/* The figures a report takes from a curve. */
struct figs { int64_t abs_dd, pct_dd, pct_peak, peak_ms, trough_ms, rec_ms, close_sum; int days; };

static struct figs figures(const struct curve *c, int64_t start)
{
	struct figs f = { 0, 0, 1, -1, -1, -1, 0, 0 };
	int64_t peak = start, peak_ms = -1, dd_peak = 0;
	for (int i = 0; i < c->n; i++) {
		int64_t e = c->eq[i], d, day = (c->ms[i] + IST) / DAY;
		if (e > peak) { peak = e; peak_ms = c->ms[i]; }
		d = peak - e;
		if (d > f.abs_dd) f.abs_dd = d;
		if (d > 0 && (__int128)d * f.pct_peak > (__int128)f.pct_dd * peak) {
			f.pct_dd = d; f.pct_peak = peak; dd_peak = peak;
			f.peak_ms = peak_ms; f.trough_ms = c->ms[i];
		}
		/* the last point of each day: its value, summed with the day number */
		if (i + 1 == c->n || (c->ms[i + 1] + IST) / DAY != day) {
			f.close_sum += e * 31 + day;
			f.days++;
		}
	}
	if (f.pct_dd)
		for (int i = 0; i < c->n; i++)
			if (c->ms[i] > f.trough_ms && c->eq[i] >= dd_peak) { f.rec_ms = c->ms[i]; break; }
	return f;
}

static struct curve full, kept;

static void one(unsigned seed, int npoints, int disorder)
{
	struct algo_eqcurve ec;
	int64_t start = 100000 * 10000LL, eq = start, ms = 1700000000000LL;
	struct figs a, b;
	srand(seed);
	full.n = kept.n = 0;
	algo_eqcurve_init(&ec, start);
	for (int i = 0; i < npoints; i++) {
		int r = rand() % 100;
		if (r < 70) ms += 60000;                       /* next bar */
		else if (r < 75) ms += DAY / 2 + rand() % DAY; /* a later day */
		/* else: the same time again */
		if (disorder && i == npoints / 2) ms -= 5 * 60000;
		eq += (rand() % 2001 - 1000) * (rand() % 4 == 0 ? 30 : 1);
		put(&full, ms, eq);
		algo_eqcurve_add(&ec, ms, eq, emit, &kept);
		if (rand() % 500 == 0) algo_eqcurve_flush(&ec, emit, &kept);
	}
	algo_eqcurve_flush(&ec, emit, &kept);
	a = figures(&full, start);
	b = figures(&kept, start);
	is_int(b.abs_dd, a.abs_dd, "seed %u: max drawdown in rupees", seed);
	is_int(b.pct_dd * a.pct_peak, a.pct_dd * b.pct_peak, "seed %u: max drawdown in percent", seed);
	is_int(b.peak_ms, a.peak_ms, "seed %u: its peak", seed);
	is_int(b.trough_ms, a.trough_ms, "seed %u: its trough", seed);
	is_int(b.rec_ms, a.rec_ms, "seed %u: its recovery", seed);
	is_int(b.days, a.days, "seed %u: days", seed);
	is_int(b.close_sum, a.close_sum, "seed %u: every day's last point", seed);
	if (!disorder && npoints > 1000)
		ok(kept.n * 5 < full.n, "seed %u: %d of %d points kept", seed, kept.n, full.n);
}

int main(void)
{
	for (unsigned s = 1; s <= 40; s++) one(s, 3000 + (int)s * 50, 0);
	for (unsigned s = 41; s <= 45; s++) one(s, 2000, 1);
	one(99, 1, 0);
	return tap_done();
}
