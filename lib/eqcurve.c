/* eqcurve — the equity curve at report resolution. See eqcurve.h for the contract. */
#include "eqcurve.h"
#include "timeutil.h"
#include <string.h>

#define IST_MS (ALGO_IST_OFFSET_MIN * 60000LL)
#define DAY_MS 86400000LL

static int64_t day_of(int64_t ms)
{
	int64_t t = ms + IST_MS;
	return (t >= 0 ? t : t - DAY_MS + 1) / DAY_MS;
}

void algo_eqcurve_init(struct algo_eqcurve *c, int64_t start)
{
	memset(c, 0, sizeof *c);
	c->start = start;
	c->peak.ms = -1;
	c->peak.eq = start;
	c->pct_peak = 1;
}

/* The drawdown bookkeeping of one final point p, as the report walks the curve. */
static void track(struct algo_eqcurve *c, struct algo_eqpoint p)
{
	int64_t d;
	if (p.eq > c->peak.eq) c->peak = p;
	d = c->peak.eq - p.eq;
	if (d > c->abs_dd) {
		c->abs_dd = d;
		c->abs_peak = c->peak;
		c->abs_trough = p;
	}
	if (d > 0 && (__int128)d * c->pct_peak > (__int128)c->pct_dd * c->peak.eq) {
		c->pct_dd = d;
		c->pct_peak = c->peak.eq;
		c->pk = c->peak;
		c->tr = p;
		c->rec.valid = 0;
	} else if (c->pct_dd && !c->rec.valid && p.ms > c->tr.ms && p.eq >= c->pk.eq) {
		c->rec = p;
	}
}

static int emit_point(const struct algo_eqpoint *p, algo_eqcurve_emit emit, void *arg)
{
	return p->valid && p->ms >= 0 ? emit(arg, p->ms, p->eq) : 0;
}

int algo_eqcurve_add(struct algo_eqcurve *c, int64_t ms, int64_t eq, algo_eqcurve_emit emit,
	void *arg)
{
	struct algo_eqpoint p = { ms, eq, 1 };
	if (!c->every && c->cur.valid && ms < c->cur.ms) {
		if (algo_eqcurve_flush(c, emit, arg)) return -1;
		c->every = 1;
	}
	if (c->every) return emit(arg, ms, eq);
	if (c->cur.valid && ms > c->cur.ms) {
		track(c, c->cur);
		if (day_of(ms) != day_of(c->cur.ms) && emit_point(&c->cur, emit, arg)) return -1;
	}
	c->cur = p;
	return 0;
}

int algo_eqcurve_flush(struct algo_eqcurve *c, algo_eqcurve_emit emit, void *arg)
{
	if (c->every) return 0;
	return emit_point(&c->cur, emit, arg) || emit_point(&c->peak, emit, arg) ||
		emit_point(&c->abs_peak, emit, arg) ||
		emit_point(&c->abs_trough, emit, arg) || emit_point(&c->pk, emit, arg) ||
		emit_point(&c->tr, emit, arg) || emit_point(&c->rec, emit, arg) ? -1 : 0;
}
