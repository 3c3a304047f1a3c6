/* report — see report.h. Money stays exact (int64 decimals); the ratios of METRICS.md
 * are doubles. */
#include "report.h"
#include "book.h"
#include "decimal.h"
#include "timeutil.h"
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define IST_MS (ALGO_IST_OFFSET_MIN * 60000LL)
#define DAY_MS 86400000LL

static void date_of(int64_t ms, char *out)
{
	algo_time_ist_date(ms, out);
}

/* ms of 00:00 IST of the day "YYYY-MM-DD". */
static int64_t day_start(const char *d)
{
	int64_t y = strtoll(d, NULL, 10);
	unsigned m = (unsigned)strtoul(d + 5, NULL, 10), dd = (unsigned)strtoul(d + 8, NULL, 10);
	return algo_days_from_civil(y, m, dd) * DAY_MS - IST_MS;
}

/* ---- building -------------------------------------------------------------------- */

static int trip_collect(const struct algo_trip *t, void *arg)
{
	struct algo_report *r = arg;
	struct algo_trip *nt;
	if ((r->ntrips & (r->ntrips - 1)) == 0) {
		nt = realloc(r->trips, (r->ntrips ? 2 * r->ntrips : 1) * sizeof *nt);
		if (!nt) return -1;
		r->trips = nt;
	}
	r->trips[r->ntrips++] = *t;
	return 0;
}

static int curve_add(struct algo_report *r, int64_t ms, int64_t eq)
{
	if ((r->ncurve & (r->ncurve - 1)) == 0) {
		struct algo_report_point *n = realloc(r->curve, (r->ncurve ? 2 * r->ncurve : 1) * sizeof *n);
		if (!n) return -1;
		r->curve = n;
	}
	r->curve[r->ncurve].ms = ms;
	r->curve[r->ncurve++].equity = eq;
	return 0;
}

static int day_add(struct algo_report *r, const char *day)
{
	if (r->ndays && strcmp(r->days[r->ndays - 1].day, day) >= 0) return 0;
	if ((r->ndays & (r->ndays - 1)) == 0) {
		struct algo_report_day *n = realloc(r->days, (r->ndays ? 2 * r->ndays : 1) * sizeof *n);
		if (!n) return -1;
		r->days = n;
	}
	memset(&r->days[r->ndays], 0, sizeof r->days[0]);
	memcpy(r->days[r->ndays++].day, day, 11);
	return 0;
}

static int cmp_day(const void *a, const void *b)
{
	return strcmp(((const struct algo_report_day *)a)->day, ((const struct algo_report_day *)b)->day);
}

void algo_report_bind(sqlite3_stmt *st, const struct algo_report_opts *o, const char *d0, const char *d1)
{
	sqlite3_bind_text(st, 1, o->user, -1, SQLITE_STATIC);
	if (o->run) sqlite3_bind_text(st, 2, o->run, -1, SQLITE_STATIC); else sqlite3_bind_null(st, 2);
	if (o->strategy) sqlite3_bind_text(st, 3, o->strategy, -1, SQLITE_STATIC);
	else sqlite3_bind_null(st, 3);
	sqlite3_bind_int64(st, 4, o->from_ms);
	sqlite3_bind_int64(st, 5, o->to_ms);
	if (d0) sqlite3_bind_text(st, 6, d0, -1, SQLITE_TRANSIENT);
	if (d1) sqlite3_bind_text(st, 7, d1, -1, SQLITE_TRANSIENT);
}

/* The PnL block of a filtered report: the selected fills replayed through a book. */
struct pos_acc { char strategy[ALGO_NAME_MAX], symbol[ALGO_NAME_MAX]; struct algo_position p; int64_t last; };

static int filtered_base(struct algo_store *s, const struct algo_report_opts *o,
	const struct algo_ledger_filter *f, struct algo_report *r, char *err, size_t errlen)
{
	struct algo_ledger_report *b = &r->base;
	struct algo_book_tab tab;
	sqlite3_stmt *st, *lp = NULL;
	int rc, ret = -1;

	algo_book_tab_init(&tab, sizeof(struct pos_acc));
	st = algo_store_prepare(s, "SELECT strategy, symbol, side, qty, price, fees_total FROM fills "
		"WHERE user = ?1 AND (?2 IS NULL OR run = ?2) AND (?3 IS NULL OR strategy = ?3) "
		"AND ts_ms >= ?4 AND ts_ms < ?5 ORDER BY ts_ms, rowid", err, errlen);
	lp = algo_store_prepare(s, "SELECT last_price FROM positions WHERE user = ?1 AND "
		"strategy = ?2 AND symbol = ?3", err, errlen);
	if (!st || !lp) goto out;
	algo_report_bind(st, o, NULL, NULL);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *sg = (const char *)sqlite3_column_text(st, 0);
		const char *sy = (const char *)sqlite3_column_text(st, 1);
		char key[2 * ALGO_NAME_MAX];
		size_t n = algo_book_key(key, sizeof key, sg, sy, NULL);
		struct pos_acc *a = n ? algo_book_tab_get(&tab, key, n, 1) : NULL;
		int side = strcmp((const char *)sqlite3_column_text(st, 2), "buy") == 0 ? ALGO_BUY : ALGO_SELL;
		if (!a) { snprintf(err, errlen, "out of memory"); goto out; }
		snprintf(a->strategy, sizeof a->strategy, "%s", sg);
		snprintf(a->symbol, sizeof a->symbol, "%s", sy);
		a->last = sqlite3_column_int64(st, 4);
		if (algo_book_apply_fill(&a->p, side, sqlite3_column_int64(st, 3), a->last, err, errlen) ||
		    algo_book_add_fees(&a->p, sqlite3_column_int64(st, 5))) {
			snprintf(err, errlen, "PnL out of range");
			goto out;
		}
	}
	if (rc != SQLITE_DONE) { algo_store_fail(s, err, errlen); goto out; }
	for (size_t i = 0; i < algo_book_tab_count(&tab); i++) {
		struct pos_acc *a = algo_book_tab_at(&tab, i, NULL, NULL);
		struct algo_ledger_open_pos *op;
		b->realized += a->p.realised;
		if (!a->p.qty) continue;
		sqlite3_bind_text(lp, 1, o->user, -1, SQLITE_STATIC);
		sqlite3_bind_text(lp, 2, a->strategy, -1, SQLITE_STATIC);
		sqlite3_bind_text(lp, 3, a->symbol, -1, SQLITE_STATIC);
		if (sqlite3_step(lp) == SQLITE_ROW) a->last = sqlite3_column_int64(lp, 0);
		sqlite3_reset(lp);
		if (!(op = realloc(b->open, (b->nopen + 1) * sizeof *op))) {
			snprintf(err, errlen, "out of memory");
			goto out;
		}
		b->open = op;
		op += b->nopen++;
		memset(op, 0, sizeof *op);
		snprintf(op->strategy, sizeof op->strategy, "%s", a->strategy);
		snprintf(op->symbol, sizeof op->symbol, "%s", a->symbol);
		op->qty = a->p.qty;
		op->avg_price = algo_book_avg_price(&a->p);
		op->last_price = a->last;
		if (algo_book_unrealised(&a->p, a->last, &op->unrealized)) op->unrealized = 0;
		b->unrealized += op->unrealized;
	}
	if (algo_ledger_charges(s, o->user, f, b, err, errlen)) goto out;
	for (size_t i = 0; i < b->ncharge; i++) b->charges += b->charge[i].amount;
	b->gross = b->realized + b->unrealized;
	b->net = b->gross - b->charges;
	b->final_equity = r->start_equity + b->net;
	b->capital = r->start_equity;
	ret = 0;
out:
	sqlite3_finalize(st);
	sqlite3_finalize(lp);
	algo_book_tab_free(&tab);
	return ret;
}

/* Filters of the queries: ?1 user, ?2 run, ?3 strategy, ?4..?5 the time range. */
#define RUN_SQL " AND (?2 IS NULL OR run = ?2)"
#define STRAT_SQL " AND (?3 IS NULL OR strategy = ?3)"
#define TIME_SQL(c) " AND " c " >= ?4 AND " c " < ?5"

static int one_int(struct algo_store *s, const char *sql, const struct algo_report_opts *o,
	const char *d0, const char *d1, int64_t *out, int *found, char *err, size_t errlen)
{
	sqlite3_stmt *st = algo_store_prepare(s, sql, err, errlen);
	int rc;
	if (!st) return -1;
	algo_report_bind(st, o, d0, d1);
	rc = sqlite3_step(st);
	*found = rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL;
	if (*found) *out = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) return algo_store_fail(s, err, errlen);
	return 0;
}

/* r->run_record: the "run_record" of the run's (the last run's) backtest audit row.
 * Returns 0 (none is not an error), or -1 with err set. */
static int run_record_read(struct algo_store *s, const struct algo_report_opts *o, struct algo_report *r,
	char *err, size_t errlen)
{
	sqlite3_stmt *st = algo_store_prepare(s, "SELECT detail FROM audit WHERE user = ?1 AND "
		"kind = 'backtest' AND (?2 IS NULL OR run = ?2) ORDER BY seq DESC LIMIT 1", err, errlen);
	int rc;
	if (!st) return -1;
	algo_report_bind(st, o, NULL, NULL);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW && sqlite3_column_text(st, 0)) {
		json_t *d = json_loads((const char *)sqlite3_column_text(st, 0), 0, NULL);
		json_t *rec = json_object_get(d, "run_record");
		if (json_is_object(rec))
			r->run_record = json_dumps(rec, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
		json_decref(d);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) return algo_store_fail(s, err, errlen);
	return 0;
}

/* The orders the executor rejected because capital could not cover them: how many
 * and when the first was. Returns 0, or -1 with err set. */
static int capital_rejections(struct algo_store *s, const struct algo_report_opts *o, struct algo_report *r,
	char *err, size_t errlen)
{
	static const char where[] = " FROM orders WHERE user = ?1" RUN_SQL STRAT_SQL TIME_SQL("ts_ms")
		" AND status = 'rejected' AND reason LIKE 'insufficient capital%'";
	char sql[512];
	int found;
	snprintf(sql, sizeof sql, "SELECT count(*)%s", where);
	if (one_int(s, sql, o, NULL, NULL, &r->capital_rejects, &found, err, errlen))
		return -1;
	snprintf(sql, sizeof sql, "SELECT min(ts_ms)%s", where);
	return one_int(s, sql, o, NULL, NULL, &r->capital_first_ms, &found, err, errlen);
}

static double mean_of(const double *v, size_t n)
{
	double m = 0;
	for (size_t i = 0; i < n; i++) m += v[i];
	return n ? m / (double)n : NAN;
}

static double std_of(const double *v, size_t n)
{
	double m = mean_of(v, n), q = 0;
	if (n < 2) return NAN;
	for (size_t i = 0; i < n; i++) q += (v[i] - m) * (v[i] - m);
	return sqrt(q / (double)(n - 1));
}

static void metrics(struct algo_report *r)
{
	size_t n = r->ndays;
	double *ret = calloc(n ? n : 1, sizeof *ret), *net = calloc(r->ntrips ? r->ntrips : 1, sizeof *net);
	double sw = 0, sl = 0, dd2 = 0, mu, sd;
	int64_t wins = 0, losses = 0, hold = 0, peak, best_dd = 0, best_peak = 1, peak_ms = -1, trough_ms = -1;
	int64_t dd_peak_eq = 0;

	/* returns */
	for (size_t i = 0; ret && i < n; i++) ret[i] = r->days[i].ret;
	r->total_return = r->start_equity ? (double)r->end_equity / (double)r->start_equity - 1 : NAN;
	r->cagr = n && 1 + r->total_return > 0 ?
		pow(1 + r->total_return, (double)ALGO_REPORT_P / (double)n) - 1 : NAN;
	mu = ret ? mean_of(ret, n) : NAN;
	sd = ret ? std_of(ret, n) : NAN;
	r->vol = sd * sqrt(ALGO_REPORT_P);
	r->sharpe = sd > 0 ? mu / sd * sqrt(ALGO_REPORT_P) : NAN;
	for (size_t i = 0; ret && i < n; i++) if (ret[i] < 0) dd2 += ret[i] * ret[i];
	r->sortino = n && dd2 > 0 ? mu / sqrt(dd2 / (double)n) * sqrt(ALGO_REPORT_P) : NAN;

	/* drawdown over the curve, the starting equity first */
	peak = r->start_equity;
	r->max_dd = 0;
	r->dd_recover_ms = -1;
	for (size_t i = 0; i < r->ncurve; i++) {
		int64_t e = r->curve[i].equity, d;
		if (e > peak) { peak = e; peak_ms = r->curve[i].ms; }
		d = peak - e;
		if (d > 0 && (__int128)d * best_peak > (__int128)best_dd * peak) {
			best_dd = d; best_peak = peak; dd_peak_eq = peak;
			trough_ms = r->curve[i].ms;
			r->base.dd_peak_ms = peak_ms;
			r->base.dd_trough_ms = trough_ms;
		}
	}
	r->dd_amount = best_dd;
	r->dd_peak = best_peak;
	if (best_dd) {
		int64_t from = r->base.dd_peak_ms >= 0 ? r->base.dd_peak_ms : r->ncurve ? r->curve[0].ms : trough_ms;
		r->max_dd = -(double)best_dd / (double)best_peak;
		r->dd_days = (trough_ms + IST_MS) / DAY_MS - (from + IST_MS) / DAY_MS;
		for (size_t i = 0; i < r->ncurve; i++)
			if (r->curve[i].ms > trough_ms && r->curve[i].equity >= dd_peak_eq) {
				r->dd_recover_ms = r->curve[i].ms;
				break;
			}
	}
	r->calmar = r->max_dd < 0 ? r->cagr / -r->max_dd : NAN;

	/* trades */
	r->best = r->worst = 0;
	for (size_t i = 0; net && i < r->ntrips; i++) {
		const struct algo_trip *t = &r->trips[i];
		int64_t h = t->exit_ms - t->entry_ms;
		net[i] = algo_dec_to_double(t->net);
		if (t->net > 0) { wins++; sw += net[i]; }
		else if (t->net < 0) { losses++; sl += net[i]; }
		if (t->side == ALGO_BUY) r->longs++; else r->shorts++;
		if (i == 0 || t->net > r->best) r->best = t->net;
		if (i == 0 || t->net < r->worst) r->worst = t->net;
		hold += h;
		if (h > r->max_hold_ms) r->max_hold_ms = h;
	}
	if (r->ntrips) {
		double w = (double)wins / (double)r->ntrips;
		double aw = wins ? sw / (double)wins : 0, al = losses ? -sl / (double)losses : 0;
		r->win_rate = w;
		r->profit_factor = losses && sl < 0 ? sw / -sl : NAN;
		r->payoff = wins && losses ? aw / al : NAN;
		r->expectancy = net ? mean_of(net, r->ntrips) : NAN;
		r->expectancy_w = w * aw - (1 - w) * al;
		sd = net ? std_of(net, r->ntrips) : NAN;
		r->sqn = sd > 0 ? sqrt((double)r->ntrips) * r->expectancy / sd : NAN;
		r->avg_hold_min = (double)hold / (double)r->ntrips / 60000.0;
	} else {
		r->win_rate = r->profit_factor = r->payoff = r->expectancy = r->expectancy_w = NAN;
		r->sqn = r->avg_hold_min = NAN;
	}
	r->exposure = r->bars ? (double)r->bars_pos / (double)r->bars : NAN;
	free(ret);
	free(net);
}

int algo_report_build(struct algo_store *s, const struct algo_report_opts *o, struct algo_report *r,
	char *err, size_t errlen)
{
	struct algo_ledger_filter f = { o->run, o->strategy, o->from_ms, o->to_ms };
	int filtered = o->run || o->strategy || o->from_ms != INT64_MIN || o->to_ms != INT64_MAX;
	char d0[11] = "0000-00-00", d1[11] = "9999-99-99";
	sqlite3_stmt *st = NULL;
	int64_t v, base_net = 0;
	int found, rc;

	memset(r, 0, sizeof *r);
	snprintf(r->user, sizeof r->user, "%s", o->user);
	snprintf(r->run, sizeof r->run, "%s", o->run ? o->run : "");
	snprintf(r->strategy, sizeof r->strategy, "%s", o->strategy ? o->strategy : "");
	if (o->from_ms != INT64_MIN) date_of(o->from_ms, d0);
	if (o->to_ms != INT64_MAX) date_of(o->to_ms - 1, d1);
	r->base.dd_peak_ms = r->base.dd_trough_ms = -1;

	if (algo_ledger_capital(s, &r->start_equity)) {
		snprintf(err, errlen, "%s: unreadable meta 'capital'", s->path);
		return -1;
	}
	if (o->run) {
		if (one_int(s, "SELECT start_equity FROM runs WHERE user = ?1 AND id = ?2", o, NULL, NULL,
				&v, &found, err, errlen))
			goto fail;
		if (!found) {
			snprintf(err, errlen, "no run '%s' for user '%s'", o->run, o->user);
			goto fail;
		}
		r->start_equity = v;
	}
	if (o->from_ms != INT64_MIN && !o->strategy) {
		if (one_int(s, "SELECT equity FROM equity WHERE user = ?1 AND (?2 IS NULL OR run = ?2) "
				"AND ts_ms < ?4 ORDER BY ts_ms DESC LIMIT 1", o, NULL, NULL, &v, &found, err, errlen))
			goto fail;
		if (found) r->start_equity = v;
	}

	if (capital_rejections(s, o, r, err, errlen) || run_record_read(s, o, r, err, errlen))
		goto fail;

	/* the curve */
	if (!o->strategy) {
		st = algo_store_prepare(s, "SELECT ts_ms, equity FROM equity WHERE user = ?1 AND "
			"(?2 IS NULL OR run = ?2) AND ts_ms >= ?4 AND ts_ms < ?5 ORDER BY ts_ms, run",
			err, errlen);
		if (!st) goto fail;
		algo_report_bind(st, o, NULL, NULL);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			if (curve_add(r, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1))) goto oom;
	} else {
		if (one_int(s, "SELECT net FROM daily_pnl WHERE user = ?1 AND strategy = ?3 AND day < "
				"coalesce((SELECT min(day) FROM daily_pnl WHERE user = ?1 AND strategy = ?3 AND "
				"(?2 IS NULL OR run = ?2) AND day >= ?6 AND day <= ?7), ?6) "
				"ORDER BY day DESC, run DESC LIMIT 1", o, d0, d1, &v, &found, err, errlen))
			goto fail;
		if (found) base_net = v;
		st = algo_store_prepare(s, "SELECT day, net FROM daily_pnl WHERE user = ?1 AND "
			"(?2 IS NULL OR run = ?2) AND strategy = ?3 AND day >= ?6 AND day <= ?7 "
			"ORDER BY day, run", err, errlen);
		if (!st) goto fail;
		algo_report_bind(st, o, d0, d1);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			int64_t ms = day_start((const char *)sqlite3_column_text(st, 0)) + (15 * 60 + 30) * 60000LL;
			if (curve_add(r, ms, r->start_equity + sqlite3_column_int64(st, 1) - base_net)) goto oom;
		}
	}
	if (rc != SQLITE_DONE) goto dbfail;
	sqlite3_finalize(st);
	st = NULL;
	r->end_equity = r->ncurve ? r->curve[r->ncurve - 1].equity : r->start_equity;

	/* the days: with bars, or with equity points */
	st = algo_store_prepare(s, "SELECT day, bars, bars_in_position FROM run_days WHERE user = ?1 "
		"AND (?2 IS NULL OR run = ?2) AND day >= ?6 AND day <= ?7 ORDER BY day", err, errlen);
	if (!st) goto fail;
	algo_report_bind(st, o, d0, d1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		r->bars += sqlite3_column_int64(st, 1);
		r->bars_pos += sqlite3_column_int64(st, 2);
		if (day_add(r, (const char *)sqlite3_column_text(st, 0))) goto oom;
	}
	if (rc != SQLITE_DONE) goto dbfail;
	sqlite3_finalize(st);
	st = NULL;
	{
		size_t nrun = r->ndays;
		for (size_t i = 0; i < r->ncurve; i++) {
			char d[11];
			int seen = 0;
			date_of(r->curve[i].ms, d);
			for (size_t k = 0; k < nrun && !seen; k++) seen = strcmp(r->days[k].day, d) == 0;
			if (!seen && (r->ndays == nrun || strcmp(r->days[r->ndays - 1].day, d) != 0)) {
				if ((r->ndays & (r->ndays - 1)) == 0) {
					struct algo_report_day *nd = realloc(r->days, 2 * r->ndays * sizeof *nd + sizeof *nd);
					if (!nd) goto oom;
					r->days = nd;
				}
				memset(&r->days[r->ndays], 0, sizeof r->days[0]);
				memcpy(r->days[r->ndays++].day, d, 11);
			}
		}
		if (r->ndays > 1) qsort(r->days, r->ndays, sizeof r->days[0], cmp_day);
	}
	{
		int64_t prev = r->start_equity, eq = r->start_equity;
		size_t c = 0;
		for (size_t i = 0; i < r->ndays; i++) {
			while (c < r->ncurve) {
				char d[11];
				date_of(r->curve[c].ms, d);
				if (strcmp(d, r->days[i].day) > 0) break;
				eq = r->curve[c++].equity;
			}
			r->days[i].equity = eq;
			r->days[i].pnl = eq - prev;
			r->days[i].ret = prev ? (double)eq / (double)prev - 1 : 0;
			prev = eq;
		}
	}

	/* trades, PnL, charges */
	if (algo_ledger_trips_f(s, o->user, &f, trip_collect, r, err, errlen)) goto fail;
	if (!filtered) {
		int64_t keep = r->start_equity;
		if (algo_ledger_report(s, o->user, &r->base, err, errlen)) goto fail;
		r->start_equity = keep;
	} else {
		for (size_t i = 0; i < r->ntrips; i++) {
			r->base.trades++;
			if (r->trips[i].net > 0) r->base.wins++;
			else if (r->trips[i].net < 0) r->base.losses++;
		}
		if (r->base.trades)
			r->base.win_rate = algo_dec_round(algo_dec_muldiv(r->base.wins, 100 * ALGO_DEC_SCALE,
				r->base.trades), 100);
		if (filtered_base(s, o, &f, r, err, errlen)) goto fail;
	}
	if (one_int(s, "SELECT count(*) FROM fills WHERE user = ?1 AND (?2 IS NULL OR run = ?2) AND "
			"(?3 IS NULL OR strategy = ?3) AND ts_ms >= ?4 AND ts_ms < ?5 AND ambiguous", o,
			NULL, NULL, &r->ambiguous, &found, err, errlen))
		goto fail;
	if (filtered) {
		if (one_int(s, "SELECT min(t) FROM (SELECT ts_ms AS t FROM fills WHERE user = ?1 AND "
				"(?2 IS NULL OR run = ?2) AND (?3 IS NULL OR strategy = ?3) AND ts_ms >= ?4 AND "
				"ts_ms < ?5)", o, NULL, NULL, &v, &found, err, errlen))
			goto fail;
		r->base.have_time = found || r->ncurve;
		r->base.first_ms = found ? v : r->ncurve ? r->curve[0].ms : 0;
		if (r->ncurve && r->curve[0].ms < r->base.first_ms) r->base.first_ms = r->curve[0].ms;
		if (one_int(s, "SELECT max(t) FROM (SELECT ts_ms AS t FROM fills WHERE user = ?1 AND "
				"(?2 IS NULL OR run = ?2) AND (?3 IS NULL OR strategy = ?3) AND ts_ms >= ?4 AND "
				"ts_ms < ?5)", o, NULL, NULL, &v, &found, err, errlen))
			goto fail;
		r->base.last_ms = found ? v : r->ncurve ? r->curve[r->ncurve - 1].ms : 0;
		if (r->ncurve && r->curve[r->ncurve - 1].ms > r->base.last_ms)
			r->base.last_ms = r->curve[r->ncurve - 1].ms;
	}
	if (algo_bench_build(s, o, r->start_equity, r->curve, r->ncurve, &r->bench, err, errlen))
		goto fail;
	{
		struct algo_ledger_report keep = r->base;
		metrics(r);
		if (!filtered) {                 /* the recorded numbers, exactly as before */
			r->base.max_dd = keep.max_dd;
			r->base.max_dd_pct = keep.max_dd_pct;
			r->base.dd_peak_ms = keep.dd_peak_ms;
			r->base.dd_trough_ms = keep.dd_trough_ms;
		} else {
			int64_t peak = r->start_equity, worst = 0;
			for (size_t i = 0; i < r->ncurve; i++) {
				if (r->curve[i].equity > peak) peak = r->curve[i].equity;
				if (peak - r->curve[i].equity > worst) worst = peak - r->curve[i].equity;
			}
			r->base.max_dd = worst;
			r->base.max_dd_pct = r->dd_amount ?
				algo_dec_muldiv(r->dd_amount, 100 * ALGO_DEC_SCALE, r->dd_peak) : 0;
		}
	}
	return 0;
oom:
	snprintf(err, errlen, "out of memory");
	goto fail;
dbfail:
	algo_store_fail(s, err, errlen);
fail:
	sqlite3_finalize(st);
	algo_report_free(r);
	return -1;
}

void algo_report_free(struct algo_report *r)
{
	algo_ledger_report_free(&r->base);
	free(r->curve);
	free(r->days);
	free(r->trips);
	free(r->run_record);
	algo_bench_free(&r->bench);
	r->run_record = NULL;
	r->curve = NULL;
	r->days = NULL;
	r->trips = NULL;
	r->ncurve = r->ndays = r->ntrips = 0;
}

/* ---- rendering -------------------------------------------------------------------- */

static const char *decs(int64_t v, char *b)
{
	b[algo_dec_fmt(v, b)] = '\0';
	return b;
}

static const char *tstr(int64_t ms, char *b)
{
	b[algo_time_fmt(ms, ALGO_IST_OFFSET_MIN, b)] = '\0';
	return b;
}

/* A double with 4 decimals, "-" when undefined. */
static const char *fnum(double v, char *b, size_t n)
{
	if (isnan(v) || isinf(v)) snprintf(b, n, "-");
	else snprintf(b, n, "%.4f", v);
	return b;
}

static const char *fpct(double v, char *b, size_t n)
{
	if (isnan(v) || isinf(v)) snprintf(b, n, "-");
	else snprintf(b, n, "%.4f%%", v * 100);
	return b;
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
		else if (c < 0x20) fprintf(f, "\\u%04x", c);
		else fputc(c, f);
	}
	fputc('"', f);
}

static void json_num(FILE *f, double v)
{
	if (isnan(v) || isinf(v)) fputs("null", f);
	else fprintf(f, "%.10g", v);
}

/* The metrics as (key, label, value) rows, shared by CSV, compare and HTML. */
struct mrow { const char *key, *label; char val[96]; };
#define NMROWS 40

static size_t metric_rows(const struct algo_report *r, struct mrow *m)
{
	size_t n = 0;
	char a[ALGO_DEC_FMT_MAX];
#define ROW(k, l, ...) do { m[n].key = k; m[n].label = l; snprintf(m[n].val, sizeof m[n].val, __VA_ARGS__); n++; } while (0)
	ROW("run", "Run", "%s", r->run[0] ? r->run : "all");
	ROW("strategy", "Strategy", "%s", r->strategy[0] ? r->strategy : "all");
	ROW("start_equity", "Start equity", "%s", decs(r->start_equity, a));
	ROW("end_equity", "End equity", "%s", decs(r->end_equity, a));
	ROW("net_pnl", "Net PnL", "%s", decs(r->base.net, a));
	ROW("charges", "Charges", "%s", decs(r->base.charges, a));
	fpct(r->total_return, m[n].val, sizeof m[n].val); m[n].key = "total_return_pct"; m[n++].label = "Total return";
	fpct(r->cagr, m[n].val, sizeof m[n].val); m[n].key = "cagr_pct"; m[n++].label = "CAGR";
	fpct(r->vol, m[n].val, sizeof m[n].val); m[n].key = "annual_volatility_pct"; m[n++].label = "Annual volatility";
	fnum(r->sharpe, m[n].val, sizeof m[n].val); m[n].key = "sharpe"; m[n++].label = "Sharpe";
	fnum(r->sortino, m[n].val, sizeof m[n].val); m[n].key = "sortino"; m[n++].label = "Sortino";
	fpct(r->max_dd, m[n].val, sizeof m[n].val); m[n].key = "max_drawdown_pct"; m[n++].label = "Max drawdown";
	ROW("max_drawdown_days", "Drawdown length (days)", "%lld", (long long)r->dd_days);
	fnum(r->calmar, m[n].val, sizeof m[n].val); m[n].key = "calmar"; m[n++].label = "Calmar";
	ROW("trades", "Trades", "%lld", (long long)r->ntrips);
	fpct(r->win_rate, m[n].val, sizeof m[n].val); m[n].key = "win_rate_pct"; m[n++].label = "Win rate";
	fnum(r->profit_factor, m[n].val, sizeof m[n].val); m[n].key = "profit_factor"; m[n++].label = "Profit factor";
	fnum(r->payoff, m[n].val, sizeof m[n].val); m[n].key = "payoff_ratio"; m[n++].label = "Payoff ratio";
	fnum(r->expectancy, m[n].val, sizeof m[n].val); m[n].key = "expectancy"; m[n++].label = "Expectancy per trade";
	fnum(r->sqn, m[n].val, sizeof m[n].val); m[n].key = "sqn"; m[n++].label = "SQN";
	fpct(r->exposure, m[n].val, sizeof m[n].val); m[n].key = "exposure_pct"; m[n++].label = "Exposure";
	ROW("longs", "Longs", "%lld", (long long)r->longs);
	ROW("shorts", "Shorts", "%lld", (long long)r->shorts);
	ROW("best_trade", "Best trade", "%s", r->ntrips ? decs(r->best, a) : "-");
	ROW("worst_trade", "Worst trade", "%s", r->ntrips ? decs(r->worst, a) : "-");
	fnum(r->avg_hold_min, m[n].val, sizeof m[n].val); m[n].key = "avg_holding_minutes"; m[n++].label = "Average holding (min)";
	ROW("max_holding_minutes", "Max holding (min)", "%lld", (long long)(r->max_hold_ms / 60000));
	ROW("ambiguous_fills", "Ambiguous fills", "%lld", (long long)r->ambiguous);
	ROW("open_positions", "Open at end", "%zu", r->base.nopen);
#undef ROW
	return n;
}

/* The run record as (key, label, value) rows for text, CSV and HTML: strategy, file,
 * its SHA-256, the parameters in force, the --param overrides, each input. */
struct rrow { char key[32], label[32], val[1024]; };
#define NRROWS 16

static void rrow_add(struct rrow *m, size_t *n, const char *key, const char *label, const char *val)
{
	if (*n == NRROWS) return;
	snprintf(m[*n].key, sizeof m[*n].key, "%s", key);
	snprintf(m[*n].label, sizeof m[*n].label, "%s", label);
	snprintf(m[*n].val, sizeof m[*n].val, "%s", val);
	(*n)++;
}

/* "name=value name=value" of a JSON object of numbers, or of an array of strings. */
static void params_text(json_t *v, char *b, size_t len)
{
	size_t n = 0, i;
	const char *k;
	json_t *x;
	b[0] = '\0';
	if (json_is_object(v))
		json_object_foreach(v, k, x) {
			char num[64];
			if (json_is_integer(x)) snprintf(num, sizeof num, "%lld", (long long)json_integer_value(x));
			else snprintf(num, sizeof num, "%.15g", json_number_value(x));
			n += (size_t)snprintf(b + n, n < len ? len - n : 0, "%s%s=%s", n ? " " : "", k, num);
		}
	else if (json_is_array(v))
		json_array_foreach(v, i, x)
			n += (size_t)snprintf(b + n, n < len ? len - n : 0, "%s%s", n ? " " : "",
				json_is_string(x) ? json_string_value(x) : "?");
}

static size_t record_rows(const struct algo_report *r, struct rrow *m)
{
	json_t *rec, *x;
	size_t n = 0, i;
	char b[1024];
	if (!r->run_record || !(rec = json_loads(r->run_record, 0, NULL))) return 0;
	if (json_is_string(x = json_object_get(rec, "strategy")))
		rrow_add(m, &n, "strategy_name", "Strategy name", json_string_value(x));
	if (json_is_string(x = json_object_get(rec, "strategy_file")))
		rrow_add(m, &n, "strategy_file", "Strategy file", json_string_value(x));
	if ((x = json_object_get(rec, "strategy_sha256")))
		rrow_add(m, &n, "strategy_sha256", "Strategy SHA-256", json_is_string(x) ? json_string_value(x) : "-");
	if ((x = json_object_get(rec, "params"))) {
		params_text(x, b, sizeof b);
		rrow_add(m, &n, "parameters", "Parameters", b[0] ? b : "-");
	}
	if ((x = json_object_get(rec, "overrides"))) {
		params_text(x, b, sizeof b);
		rrow_add(m, &n, "parameters_given", "Overrides (-P)", b[0] ? b : "-");
	}
	json_array_foreach(json_object_get(rec, "inputs"), i, x) {
		json_t *h = json_object_get(x, "sha256");
		char key[32];
		snprintf(b, sizeof b, "%s sha256 %s", json_is_string(json_object_get(x, "file")) ?
			json_string_value(json_object_get(x, "file")) : "?", json_is_string(h) ? json_string_value(h) : "-");
		snprintf(key, sizeof key, "input_%zu", i + 1);
		rrow_add(m, &n, key, i ? "" : "Input", b);
	}
	json_decref(rec);
	return n;
}

static const char *const spark[8] = { "\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83",
	"\xe2\x96\x84", "\xe2\x96\x85", "\xe2\x96\x86", "\xe2\x96\x87", "\xe2\x96\x88" };

/* A sparkline of at most width cells over the daily equity (or the points). */
static void sparkline(FILE *f, const struct algo_report *r, size_t width)
{
	size_t n = r->ndays >= 2 ? r->ndays : r->ncurve;
	int64_t lo = INT64_MAX, hi = INT64_MIN;
	if (n < 2) { fputs("-", f); return; }
	for (size_t i = 0; i < n; i++) {
		int64_t e = r->ndays >= 2 ? r->days[i].equity : r->curve[i].equity;
		if (e < lo) lo = e;
		if (e > hi) hi = e;
	}
	if (width > n) width = n;
	for (size_t c = 0; c < width; c++) {
		size_t i = (c + 1) * n / width - 1;
		int64_t e = r->ndays >= 2 ? r->days[i].equity : r->curve[i].equity;
		int k = hi > lo ? (int)((__int128)(e - lo) * 7 / (hi - lo)) : 3;
		fputs(spark[k], f);
	}
}

/* Days the text report lists one by one; a longer run is summarised by month. */
#define TEXT_DAYS_MAX 62

/* The daily table, or for a long run one row per month: its last equity, its PnL
 * (the sum of its days', exact) and its return on the previous month's end. */
static void write_text_periods(FILE *f, const struct algo_report *r)
{
	char a[ALGO_DEC_FMT_MAX], c[ALGO_DEC_FMT_MAX], x[64];
	int64_t prev = r->start_equity;
	if (!r->ndays)
		return;
	if (r->ndays <= TEXT_DAYS_MAX) {
		fprintf(f, "\nDaily PnL\n  %-10s  %14s  %12s  %9s\n", "day", "equity", "pnl", "return");
		for (size_t i = 0; i < r->ndays; i++)
			fprintf(f, "  %-10s  %14s  %12s  %9s\n", r->days[i].day, decs(r->days[i].equity, a),
				decs(r->days[i].pnl, c), fpct(r->days[i].ret, x, sizeof x));
		return;
	}
	fprintf(f, "\nMonthly PnL (%zu days; 'algo-ledger pnl' lists each day)\n  %-10s  %14s  %12s  %9s\n",
		r->ndays, "month", "equity", "pnl", "return");
	for (size_t i = 0, j; i < r->ndays; i = j) {
		int64_t pnl = 0, end;
		for (j = i; j < r->ndays && memcmp(r->days[j].day, r->days[i].day, 7) == 0; j++)
			pnl += r->days[j].pnl;
		end = r->days[j - 1].equity;
		fprintf(f, "  %-10.7s  %14s  %12s  %9s\n", r->days[i].day, decs(end, a), decs(pnl, c),
			fpct(prev > 0 ? (double)(end - prev) / (double)prev : NAN, x, sizeof x));
		prev = end;
	}
}

/* "NSE:A, NSE:B +3 more" of the benchmark's symbols: whole names, as many as fit width
 * columns with the count of the rest after them ("7 symbols" when none fits). */
static const char *bench_symbols(const struct algo_bench *b, size_t width, char *out, size_t len)
{
	size_t n = 0, i;
	out[0] = '\0';
	for (i = 0; i < b->nhold; i++) {
		size_t w = strlen(b->hold[i].symbol) + (i ? 2 : 0);
		size_t more = i + 1 < b->nhold ? (size_t)snprintf(NULL, 0, " +%zu more", b->nhold - i - 1) : 0;
		if (n + w + more > width || n + w >= len) break;
		n += (size_t)snprintf(out + n, len - n, "%s%s", i ? ", " : "", b->hold[i].symbol);
	}
	if (i == 0)
		snprintf(out, len, "%zu symbols", b->nhold);
	else if (i < b->nhold)
		snprintf(out + n, len - n, " +%zu more", b->nhold - i);
	return out;
}

/* The benchmark's line of the text report, in 80 columns. */
static void write_text_bench(FILE *f, const struct algo_report *r)
{
	const struct algo_bench *b = &r->bench;
	char a[ALGO_DEC_FMT_MAX], c[ALGO_DEC_FMT_MAX], x[64], line[160], sy[160];
	int n;
	if (!b->on) {
		fprintf(f, "Buy and hold      - (no bars recorded for the traded symbols)\n");
		return;
	}
	n = snprintf(line, sizeof line, "Buy and hold      %s -> %s (%s) of",
		decs(b->start, a), decs(b->end, c), fpct(b->return_pct / 100, x, sizeof x));
	fprintf(f, "%s %s\n", line, bench_symbols(b, n < 79 ? (size_t)(79 - n) : 0, sy, sizeof sy));
}

static void write_text(FILE *f, const struct algo_report *r)
{
	const struct algo_ledger_report *b = &r->base;
	char a[ALGO_DEC_FMT_MAX], c[ALGO_DEC_FMT_MAX], d[ALGO_DEC_FMT_MAX];
	char t1[ALGO_TIME_FMT_MAX], t2[ALGO_TIME_FMT_MAX], x[64], y[64];

	fprintf(f, "Ledger report for user \"%s\" (money in rupees)\n", r->user);
	if (b->have_time)
		fprintf(f, "Period            %s to %s\n", tstr(b->first_ms, t1), tstr(b->last_ms, t2));
	else
		fprintf(f, "Period            -\n");
	fprintf(f, "Starting capital  %s\n", decs(b->capital, a));
	fprintf(f, "Trades            %lld closed: %lld won, %lld lost (win rate %s%%)\n",
		(long long)b->trades, (long long)b->wins, (long long)b->losses, decs(b->win_rate, c));
	fprintf(f, "Realised PnL      %s\n", decs(b->realized, a));
	fprintf(f, "Unrealised PnL    %s\n", decs(b->unrealized, a));
	fprintf(f, "Gross PnL         %s\n", decs(b->gross, a));
	fprintf(f, "Charges           %s\n", decs(b->charges, a));
	for (size_t i = 0; i < b->ncharge; i++)
		fprintf(f, "  %-15.63s %s\n", b->charge[i].name, decs(b->charge[i].amount, a));
	fprintf(f, "Net PnL           %s\n", decs(b->net, a));
	fprintf(f, "Max drawdown      %s (%s%% of peak equity)\n", decs(b->max_dd, a), decs(b->max_dd_pct, c));
	fprintf(f, "Final equity      %s\n", decs(b->final_equity, a));
	if (r->capital_rejects)
		fprintf(f, "Capital exhausted %lld order%s rejected for insufficient capital, the first at %s\n",
			(long long)r->capital_rejects, r->capital_rejects == 1 ? "" : "s",
			tstr(r->capital_first_ms, t1));
	if (b->nopen)
		fprintf(f, "Open at end       %zu position%s, marked at the last price (in the PnL above):\n",
			b->nopen, b->nopen == 1 ? "" : "s");
	for (size_t i = 0; i < b->nopen; i++) {
		const struct algo_ledger_open_pos *o = &b->open[i];
		fprintf(f, "  OPEN %s %s %s %lld @ %s, last %s, unrealised %s\n", o->strategy, o->symbol,
			o->qty > 0 ? "long" : "short", (long long)(o->qty > 0 ? o->qty : -o->qty),
			decs(o->avg_price, a), decs(o->last_price, c), decs(o->unrealized, d));
	}

	fprintf(f, "\nRun %s, strategy %s\n", r->run[0] ? r->run : "all", r->strategy[0] ? r->strategy : "all");
	{
		struct rrow m[NRROWS];
		size_t nr = record_rows(r, m);
		for (size_t i = 0; i < nr; i++) fprintf(f, "%-18s%s\n", m[i].label, m[i].val);
	}
	fprintf(f, "Conventions: daily returns of mark-to-market equity (each day's last point),\n"
		"P = %d, risk-free 0; open positions marked at the last price%s.\n", ALGO_REPORT_P,
		b->nopen ? " (flagged OPEN)" : "");
	fprintf(f, "Equity            ");
	sparkline(f, r, 60);
	fputc('\n', f);
	fprintf(f, "Equity start/end  %s -> %s over %zu day%s\n", decs(r->start_equity, a),
		decs(r->end_equity, c), r->ndays, r->ndays == 1 ? "" : "s");
	write_text_bench(f, r);
	fprintf(f, "Total return      %-14s CAGR          %s\n", fpct(r->total_return, x, sizeof x),
		fpct(r->cagr, y, sizeof y));
	fprintf(f, "Annual volatility %-14s Sharpe        %s\n", fpct(r->vol, x, sizeof x),
		fnum(r->sharpe, y, sizeof y));
	fprintf(f, "Sortino           %-14s Calmar        %s\n", fnum(r->sortino, x, sizeof x),
		fnum(r->calmar, y, sizeof y));
	if (r->max_dd < 0) {
		char p[11] = "start", t[11];
		if (b->dd_peak_ms >= 0) date_of(b->dd_peak_ms, p);
		date_of(b->dd_trough_ms, t);
		fprintf(f, "Max drawdown      %s, %s to %s (%lld days), %s\n", fpct(r->max_dd, x, sizeof x),
			p, t, (long long)r->dd_days, r->dd_recover_ms >= 0 ? "recovered" : "not recovered");
	} else {
		fprintf(f, "Max drawdown      0%%\n");
	}
	fprintf(f, "Win rate          %-14s Profit factor %s\n", fpct(r->win_rate, x, sizeof x),
		fnum(r->profit_factor, y, sizeof y));
	fprintf(f, "Payoff ratio      %-14s SQN           %s\n", fnum(r->payoff, x, sizeof x),
		fnum(r->sqn, y, sizeof y));
	fprintf(f, "Expectancy        %s per trade (W*avg win - (1-W)*|avg loss| = %s)\n",
		fnum(r->expectancy, x, sizeof x), fnum(r->expectancy_w, y, sizeof y));
	fprintf(f, "Exposure          %s of %lld bars in a position\n", fpct(r->exposure, x, sizeof x),
		(long long)r->bars);
	fprintf(f, "Longs/shorts      %lld / %lld; best %s, worst %s\n", (long long)r->longs,
		(long long)r->shorts, r->ntrips ? decs(r->best, a) : "-", r->ntrips ? decs(r->worst, c) : "-");
	fprintf(f, "Holding time      average %s min, max %lld min\n", fnum(r->avg_hold_min, x, sizeof x),
		(long long)(r->max_hold_ms / 60000));
	fprintf(f, "Ambiguous fills   %lld\n", (long long)r->ambiguous);
	write_text_periods(f, r);
}

static void time_or_null(FILE *f, const char *key, int have, int64_t ms)
{
	char t[ALGO_TIME_FMT_MAX];
	if (have) fprintf(f, ",\"%s\":\"%s\"", key, tstr(ms, t));
	else fprintf(f, ",\"%s\":null", key);
}

/* ,"benchmark":{...} (null when there is nothing to show). */
static void write_json_bench(FILE *f, const struct algo_bench *b)
{
	char a[ALGO_DEC_FMT_MAX], c[ALGO_DEC_FMT_MAX], t1[ALGO_TIME_FMT_MAX], t2[ALGO_TIME_FMT_MAX];
	if (!b->on) {
		fputs(",\"benchmark\":null", f);
		return;
	}
	fputs(",\"benchmark\":{\"method\":\"buy_and_hold\",\"shares\":\"whole\",\"symbols\":[", f);
	for (size_t i = 0; i < b->nhold; i++) {
		fputs(i ? "," : "", f);
		json_str(f, b->hold[i].symbol);
	}
	fprintf(f, "],\"start_equity\":%s,\"end_equity\":%s,\"return_pct\":", decs(b->start, a),
		decs(b->end, c));
	json_num(f, b->return_pct);
	fprintf(f, ",\"cash\":%s,\"holdings\":[", decs(b->cash, a));
	for (size_t i = 0; i < b->nhold; i++) {
		const struct algo_bench_hold *h = &b->hold[i];
		fputs(i ? ",{\"symbol\":" : "{\"symbol\":", f);
		json_str(f, h->symbol);
		fputs(",\"tf\":", f);
		json_str(f, h->tf);
		fprintf(f, ",\"qty\":%lld,\"buy_ts\":\"%s\",\"buy_price\":%s", (long long)h->qty,
			tstr(h->px[0].ms, t1), decs(h->px[0].close, a));
		fprintf(f, ",\"last_ts\":\"%s\",\"last_price\":%s,\"cash\":%s}", tstr(h->px[h->npx - 1].ms, t2),
			decs(h->px[h->npx - 1].close, c), decs(h->cash, a));
	}
	fputs("]}", f);
}

static void write_json(FILE *f, const struct algo_report *r)
{
	const struct algo_ledger_report *b = &r->base;
	char a[ALGO_DEC_FMT_MAX], c[ALGO_DEC_FMT_MAX], d[ALGO_DEC_FMT_MAX];

	fputs("{\"user\":", f);
	json_str(f, r->user);
	fprintf(f, ",\"capital\":%s", decs(b->capital, a));
	time_or_null(f, "first_ts", b->have_time, b->first_ms);
	time_or_null(f, "last_ts", b->have_time, b->last_ms);
	fprintf(f, ",\"trades\":%lld,\"wins\":%lld,\"losses\":%lld,\"win_rate_pct\":%s",
		(long long)b->trades, (long long)b->wins, (long long)b->losses, decs(b->win_rate, a));
	fprintf(f, ",\"realized_pnl\":%s", decs(b->realized, a));
	fprintf(f, ",\"unrealized_pnl\":%s", decs(b->unrealized, a));
	fprintf(f, ",\"gross_pnl\":%s", decs(b->gross, a));
	fprintf(f, ",\"charges\":%s,\"charges_by_component\":{", decs(b->charges, a));
	for (size_t i = 0; i < b->ncharge; i++) {
		fputs(i ? "," : "", f);
		json_str(f, b->charge[i].name);
		fprintf(f, ":%s", decs(b->charge[i].amount, a));
	}
	fprintf(f, "},\"net_pnl\":%s", decs(b->net, a));
	fprintf(f, ",\"max_drawdown\":%s", decs(b->max_dd, a));
	fprintf(f, ",\"max_drawdown_pct\":%s", decs(b->max_dd_pct, a));
	time_or_null(f, "max_drawdown_peak_ts", b->dd_peak_ms >= 0, b->dd_peak_ms);
	time_or_null(f, "max_drawdown_trough_ts", b->dd_trough_ms >= 0, b->dd_trough_ms);
	fprintf(f, ",\"final_equity\":%s,\"open_positions\":[", decs(b->final_equity, a));
	for (size_t i = 0; i < b->nopen; i++) {
		const struct algo_ledger_open_pos *o = &b->open[i];
		fputs(i ? ",{\"strategy\":" : "{\"strategy\":", f);
		json_str(f, o->strategy);
		fputs(",\"symbol\":", f);
		json_str(f, o->symbol);
		fprintf(f, ",\"side\":\"%s\",\"qty\":%lld,\"avg_price\":%s,\"last_price\":%s,"
			"\"unrealized_pnl\":%s}", o->qty > 0 ? "long" : "short",
			(long long)(o->qty > 0 ? o->qty : -o->qty), decs(o->avg_price, a),
			decs(o->last_price, c), decs(o->unrealized, d));
	}
	fputs("],\"run\":", f);
	if (r->run[0]) json_str(f, r->run); else fputs("null", f);
	fputs(",\"strategy\":", f);
	if (r->strategy[0]) json_str(f, r->strategy); else fputs("null", f);
	fprintf(f, ",\"run_record\":%s", r->run_record ? r->run_record : "null");
	fprintf(f, ",\"conventions\":{\"periods_per_year\":%d,\"risk_free\":0,\"returns\":"
		"\"daily returns of mark-to-market equity, each day's last point\","
		"\"open_positions\":\"marked at the last price\"}", ALGO_REPORT_P);
	fprintf(f, ",\"start_equity\":%s,\"end_equity\":%s,\"days\":%zu", decs(r->start_equity, a),
		decs(r->end_equity, c), r->ndays);
	fputs(",\"total_return_pct\":", f); json_num(f, r->total_return * 100);
	fputs(",\"cagr_pct\":", f); json_num(f, r->cagr * 100);
	fputs(",\"annual_volatility_pct\":", f); json_num(f, r->vol * 100);
	fputs(",\"sharpe\":", f); json_num(f, r->sharpe);
	fputs(",\"sortino\":", f); json_num(f, r->sortino);
	fputs(",\"max_drawdown_frac\":", f); json_num(f, r->max_dd);
	fprintf(f, ",\"max_drawdown_days\":%lld", (long long)r->dd_days);
	time_or_null(f, "max_drawdown_recovery_ts", r->dd_recover_ms >= 0, r->dd_recover_ms);
	fputs(",\"calmar\":", f); json_num(f, r->calmar);
	fputs(",\"profit_factor\":", f); json_num(f, r->profit_factor);
	fputs(",\"payoff_ratio\":", f); json_num(f, r->payoff);
	fputs(",\"expectancy\":", f); json_num(f, r->expectancy);
	fputs(",\"expectancy_w\":", f); json_num(f, r->expectancy_w);
	fputs(",\"sqn\":", f); json_num(f, r->sqn);
	fputs(",\"exposure_pct\":", f); json_num(f, r->exposure * 100);
	fprintf(f, ",\"bars\":%lld,\"bars_in_position\":%lld,\"longs\":%lld,\"shorts\":%lld",
		(long long)r->bars, (long long)r->bars_pos, (long long)r->longs, (long long)r->shorts);
	if (r->ntrips)
		fprintf(f, ",\"best_trade\":%s,\"worst_trade\":%s", decs(r->best, a), decs(r->worst, c));
	else
		fputs(",\"best_trade\":null,\"worst_trade\":null", f);
	fputs(",\"avg_holding_minutes\":", f); json_num(f, r->avg_hold_min);
	fprintf(f, ",\"max_holding_minutes\":%lld,\"ambiguous_fills\":%lld",
		(long long)(r->max_hold_ms / 60000), (long long)r->ambiguous);
	fprintf(f, ",\"capital_rejected_orders\":%lld", (long long)r->capital_rejects);
	time_or_null(f, "capital_exhausted_ts", r->capital_rejects > 0, r->capital_first_ms);
	write_json_bench(f, &r->bench);
	fputs(",\"daily\":[", f);
	for (size_t i = 0; i < r->ndays; i++) {
		fprintf(f, "%s{\"day\":\"%s\",\"equity\":%s,\"pnl\":%s,\"return_pct\":", i ? "," : "",
			r->days[i].day, decs(r->days[i].equity, a), decs(r->days[i].pnl, c));
		json_num(f, r->days[i].ret * 100);
		fputc('}', f);
	}
	fputs("]}\n", f);
}

static void csv_cell(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) { fputs(s, f); return; }
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"') fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

/* A metric's value as a CSV cell a spreadsheet reads as a number: the unit is in the
 * metric's name (…_pct), so no '%' in the cell, and an undefined value ("-") is empty. */
static void csv_metric_cell(FILE *f, const char *s)
{
	size_t n = strlen(s);
	if (strcmp(s, "-") == 0)
		return;
	if (n > 1 && s[n - 1] == '%' && strspn(s, "-+.0123456789") == n - 1) {
		fwrite(s, 1, n - 1, f);
		return;
	}
	csv_cell(f, s);
}

static void html_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f);
		}
	}
}

#define SVG_W 760
#define SVG_H 180
#define SVG_L 84                       /* left margin: the y labels, right-aligned in it */
#define SVG_PW (SVG_W - SVG_L - 10)    /* the plot's width */

/* x of point i of n on the chart. */
static double sx(size_t i, size_t n)
{
	return n > 1 ? SVG_L + (double)i * SVG_PW / (double)(n - 1) : SVG_L + SVG_PW / 2.0;
}

static double sy(double v, double lo, double hi)
{
	return hi > lo ? 10 + (hi - v) * (SVG_H - 30) / (hi - lo) : SVG_H / 2.0;
}

/* The axes, and the labels of the top (hi) and the bottom (lo) of the plot in the left
 * margin, so that no label is ever over a line or a bar. */
static void svg_axis_text(FILE *f, const char *hi, const char *lo)
{
	fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"ax\"/>", SVG_L, SVG_H - 20,
		SVG_W - 10, SVG_H - 20);
	fprintf(f, "<line x1=\"%d\" y1=\"10\" x2=\"%d\" y2=\"%d\" class=\"ax\"/>", SVG_L, SVG_L, SVG_H - 20);
	fprintf(f, "<text class=\"yl\" x=\"%d\" y=\"14\" text-anchor=\"end\">%s</text>"
		"<text class=\"yl\" x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>", SVG_L - 4, hi, SVG_L - 4,
		SVG_H - 22, lo);
}

static void svg_axis(FILE *f, double lo, double hi, const char *unit)
{
	char a[64], b[64];
	snprintf(a, sizeof a, "%.2f%s", hi, unit);
	snprintf(b, sizeof b, "%.2f%s", lo, unit);
	svg_axis_text(f, a, b);
}

/* Index of the curve point at or before ms (0 when before all). */
static size_t curve_at(const struct algo_report *r, int64_t ms)
{
	size_t lo = 0, hi = r->ncurve;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (r->curve[mid].ms <= ms) lo = mid + 1; else hi = mid;
	}
	return lo;                         /* 1-based in the chart: index 0 is the start */
}

/* Charts keep at most about this many points of the curve; trade markers are drawn
 * only up to this many trades (more smear the line), the trade list shows the last
 * HTML_TRADES_MAX. So a ten-year run of minute bars stays a small page. */
#define HTML_POINTS_MAX 1500
#define HTML_MARKERS_MAX 300
#define HTML_TRADES_MAX 200
#define HTML_TRADES_TEXT "200"

/* The curve points a chart draws: NULL for all of them (a short run, or out of
 * memory); else a flag per point, set for the lowest and highest point of each of
 * HTML_POINTS_MAX / 2 buckets and for the last. Free with free(). */
static unsigned char *downsample(const struct algo_report *r)
{
	size_t per = (r->ncurve + HTML_POINTS_MAX / 2 - 1) / (HTML_POINTS_MAX / 2);
	unsigned char *keep;
	if (r->ncurve <= HTML_POINTS_MAX || !(keep = calloc(r->ncurve, 1)))
		return NULL;
	for (size_t b0 = 0; b0 < r->ncurve; b0 += per) {
		size_t b1 = b0 + per < r->ncurve ? b0 + per : r->ncurve, lo = b0, hi = b0;
		for (size_t k = b0; k < b1; k++) {
			if (r->curve[k].equity < r->curve[lo].equity) lo = k;
			if (r->curve[k].equity > r->curve[hi].equity) hi = k;
		}
		keep[lo] = keep[hi] = 1;
	}
	keep[r->ncurve - 1] = 1;
	return keep;
}

/* Dates under a chart of the curve (n points, the start first): six, evenly spaced. */
static void svg_date_axis(FILE *f, const struct algo_report *r, size_t n)
{
	char d[11];
	if (r->ncurve == 0)
		return;
	for (int k = 0; k < 6; k++) {
		size_t i = (size_t)((double)k / 5 * (double)(n - 1) + 0.5);
		date_of(r->curve[i ? i - 1 : 0].ms, d);
		fprintf(f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"%s\">%s</text>", sx(i, n), SVG_H - 6,
			k == 0 ? "start" : k == 5 ? "end" : "middle", d);
	}
}

/* Monthly returns, a year a row: green up, red down. */
static void html_monthly_heatmap(FILE *f, const struct algo_report *r)
{
	int64_t prev = r->start_equity;
	char year[5] = "";
	int col = 0;
	if (!r->ndays)
		return;
	fputs("<h2>Monthly returns</h2>\n<table id=\"monthly-returns\" class=\"hm\"><tr><th>year</th>", f);
	for (int m = 1; m <= 12; m++) fprintf(f, "<th>%02d</th>", m);
	fputs("</tr>", f);
	for (size_t i = 0, j; i < r->ndays; i = j) {
		int64_t end;
		int month = atoi(r->days[i].day + 5);
		double ret;
		char x[64];
		for (j = i; j < r->ndays && memcmp(r->days[j].day, r->days[i].day, 7) == 0; j++)
			;
		end = r->days[j - 1].equity;
		ret = prev > 0 ? (double)(end - prev) / (double)prev : NAN;
		prev = end;
		if (memcmp(year, r->days[i].day, 4) != 0) {
			for (; col && col < 12; col++) fputs("<td></td>", f);
			memcpy(year, r->days[i].day, 4);
			fprintf(f, "</tr>\n<tr><td>%s</td>", year);
			col = 0;
		}
		for (; col < month - 1; col++) fputs("<td></td>", f);
		fprintf(f, "<td class=\"%s\">%s</td>", ret >= 0 ? "pos" : "neg", fpct(ret, x, sizeof x));
		col = month;
	}
	for (; col < 12; col++) fputs("<td></td>", f);
	fputs("</tr></table>\n", f);
}

/* The round trips, the last HTML_TRADES_MAX of them. */
static void html_trades(FILE *f, const struct algo_report *r)
{
	char a[ALGO_DEC_FMT_MAX], b[ALGO_DEC_FMT_MAX], c[ALGO_DEC_FMT_MAX], t1[ALGO_TIME_FMT_MAX],
		t2[ALGO_TIME_FMT_MAX];
	size_t first = r->ntrips > HTML_TRADES_MAX ? r->ntrips - HTML_TRADES_MAX : 0;
	if (!r->ntrips)
		return;
	fprintf(f, "<h2>Trades</h2>\n<p>%zu round trips%s.</p>\n<table id=\"trades\"><tr><th>strategy</th>"
		"<th>symbol</th><th>side</th><th>qty</th><th>entry</th><th>price</th><th>exit</th><th>price</th>"
		"<th>net</th></tr>\n", r->ntrips, first ? ", the last " HTML_TRADES_TEXT " shown ('algo-ledger trades' lists all)" : "");
	for (size_t i = first; i < r->ntrips; i++) {
		const struct algo_trip *t = &r->trips[i];
		fputs("<tr><td>", f);
		html_text(f, t->strategy);
		fputs("</td><td>", f);
		html_text(f, t->symbol);
		fprintf(f, "</td><td>%s</td><td>%lld</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td>"
			"<td class=\"%s\">%s</td></tr>\n", t->side == ALGO_BUY ? "long" : "short", (long long)t->qty,
			tstr(t->entry_ms, t1), decs(t->entry_price, a), tstr(t->exit_ms, t2), decs(t->exit_price, b),
			t->net >= 0 ? "pos" : "neg", decs(t->net, c));
	}
	fputs("</table>\n", f);
}

#define HIST_BINS_MAX 24

/* The distribution of the trades' net PnL: equal-width bins from the worst trade to
 * the best (the edges exact decimals), a bar per bin with its count. */
static void html_trade_histogram(FILE *f, const struct algo_report *r)
{
	int64_t lo = INT64_MAX, hi = INT64_MIN, width, count[HIST_BINS_MAX] = { 0 }, top = 0;
	char a[ALGO_DEC_FMT_MAX], c[ALGO_DEC_FMT_MAX];
	size_t nb = 5;
	if (!r->ntrips)
		return;
	while (nb < HIST_BINS_MAX && nb * nb < r->ntrips) nb++;
	for (size_t i = 0; i < r->ntrips; i++) {
		if (r->trips[i].net < lo) lo = r->trips[i].net;
		if (r->trips[i].net > hi) hi = r->trips[i].net;
	}
	width = (hi - lo) / (int64_t)nb + 1;             /* every trade in a bin, hi too */
	for (size_t i = 0; i < r->ntrips; i++) {
		size_t b = (size_t)((r->trips[i].net - lo) / width);
		if (++count[b] > top) top = count[b];
	}
	fprintf(f, "<h2>Distribution of trade PnL</h2>\n<svg id=\"trade-pnl-histogram\" width=\"%d\" "
		"height=\"%d\" viewBox=\"0 0 %d %d\">", SVG_W, SVG_H, SVG_W, SVG_H);
	{
		char t[32];
		snprintf(t, sizeof t, "%lld", (long long)top);
		svg_axis_text(f, t, "0");
	}
	for (size_t b = 0; b < nb; b++) {
		int64_t b0 = lo + (int64_t)b * width, b1 = b0 + width;
		double w = SVG_PW / (double)nb, h = (double)count[b] * (SVG_H - 30) / (double)top;
		fprintf(f, "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\">"
			"<title>%s to %s: %lld trade%s</title></rect>", b1 <= 0 ? "dn" : "up", SVG_L + w * (double)b + 1,
			SVG_H - 20 - h, w - 2, h, decs(b0, a), decs(b1, c), (long long)count[b],
			count[b] == 1 ? "" : "s");
	}
	fprintf(f, "<text x=\"%d\" y=\"%d\">%s</text>", SVG_L, SVG_H - 6, decs(lo, a));
	fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>", SVG_W - 10, SVG_H - 6,
		decs(lo + (int64_t)nb * width, c));
	fprintf(f, "</svg>\n<p>%zu trades in %zu bins of %s rupees of net PnL (after charges).</p>\n",
		r->ntrips, nb, decs(width, a));
}

/* The charges by component (brokerage, STT, exchange, SEBI, stamp duty, GST …): a bar
 * and a row each, in the order the fills first gave them. */
static void html_charges(FILE *f, const struct algo_report *r)
{
	const struct algo_ledger_report *b = &r->base;
	char a[ALGO_DEC_FMT_MAX], x[64];
	int64_t top = 0;
	if (!b->ncharge || !b->charges)                  /* none, or all zero: nothing to show */
		return;
	for (size_t i = 0; i < b->ncharge; i++)
		if (b->charge[i].amount > top) top = b->charge[i].amount;
	fprintf(f, "<h2>Charges by component</h2>\n<svg id=\"charges-chart\" width=\"%d\" height=\"%zu\" "
		"viewBox=\"0 0 %d %zu\">", SVG_W, 22 * b->ncharge + 8, SVG_W, 22 * b->ncharge + 8);
	for (size_t i = 0; i < b->ncharge; i++) {
		double w = top > 0 ? (double)b->charge[i].amount * (SVG_W - 260) / (double)top : 0;
		fprintf(f, "<text x=\"2\" y=\"%zu\">", 22 * i + 19);
		html_text(f, b->charge[i].name);
		fprintf(f, "</text><rect class=\"dn\" x=\"110\" y=\"%zu\" width=\"%.1f\" height=\"16\"/>"
			"<text x=\"%.1f\" y=\"%zu\">%s</text>", 22 * i + 6, w, 116 + w, 22 * i + 19,
			decs(b->charge[i].amount, a));
	}
	fputs("</svg>\n<table id=\"charges\"><tr><th>component</th><th>rupees</th><th>share</th></tr>\n", f);
	for (size_t i = 0; i < b->ncharge; i++) {
		fputs("<tr><td>", f);
		html_text(f, b->charge[i].name);
		fprintf(f, "</td><td>%s</td><td>%s</td></tr>\n", decs(b->charge[i].amount, a),
			fpct(b->charges ? (double)b->charge[i].amount / (double)b->charges : NAN, x, sizeof x));
	}
	fprintf(f, "<tr><td>total</td><td>%s</td><td></td></tr>\n</table>\n", decs(b->charges, a));
}

/* The run record (strategy, file hash, parameters, inputs) as a table. */
static void html_run_record(FILE *f, const struct algo_report *r)
{
	struct rrow m[NRROWS];
	size_t nr = record_rows(r, m);
	if (!nr) return;
	fputs("<table id=\"run-record\">\n", f);
	for (size_t i = 0; i < nr; i++) {
		fputs("<tr><td>", f);
		html_text(f, m[i].label);
		fputs("</td><td style=\"text-align:left\"><code>", f);
		html_text(f, m[i].val);
		fputs("</code></td></tr>\n", f);
	}
	fputs("</table>\n", f);
}

/* The legend over the equity chart: the strategy's line and the benchmark's. */
static void html_equity_legend(FILE *f, const struct algo_report *r)
{
	const struct algo_bench *b = &r->bench;
	char a[ALGO_DEC_FMT_MAX], c[ALGO_DEC_FMT_MAX], x[64], sy[256];
	fputs("<p class=\"legend\" id=\"equity-legend\"><span class=\"key key-eq\"></span>Strategy", f);
	if (!b->on) {
		fputs(" (buy and hold: no bars recorded for the traded symbols)</p>\n", f);
		return;
	}
	fputs("<span class=\"key key-bh\"></span>Buy and hold ", f);
	html_text(f, bench_symbols(b, sizeof sy - 1, sy, sizeof sy));
	fprintf(f, " (whole shares at the first close): %s &rarr; %s (%s)</p>\n", decs(b->start, a),
		decs(b->end, c), fpct(b->return_pct / 100, x, sizeof x));
}

/* The benchmark's line on the equity chart, at the points the strategy's line has. */
static void svg_bench_path(FILE *f, const struct algo_report *r, const unsigned char *keep, double lo,
	double hi)
{
	size_t n = r->ncurve + 1;
	if (!r->bench.on)
		return;
	fprintf(f, "<path class=\"bh\" id=\"benchmark-line\" d=\"M%.1f,%.1f", sx(0, n),
		sy((double)r->bench.start, lo, hi));
	for (size_t i = 0; i < r->bench.ncurve; i++)
		if (!keep || keep[i])
			fprintf(f, " L%.1f,%.1f", sx(i + 1, n), sy((double)r->bench.curve[i], lo, hi));
	fputs("\"/>", f);
}

static void write_html(FILE *f, const struct algo_report *r)
{
	struct mrow m[NMROWS];
	size_t nm = metric_rows(r, m), n = r->ncurve + 1;
	double lo = (double)r->start_equity, hi = lo, ddlo = 0, plo = 0, phi = 0;
	char a[ALGO_DEC_FMT_MAX], c[ALGO_DEC_FMT_MAX], t1[ALGO_TIME_FMT_MAX], t2[ALGO_TIME_FMT_MAX];
	unsigned char *keep = downsample(r);

	for (size_t i = 0; i < r->ncurve; i++) {
		double e = (double)r->curve[i].equity;
		if (e < lo) lo = e;
		if (e > hi) hi = e;
	}
	for (size_t i = 0; r->bench.on && i < r->bench.ncurve; i++) {
		double e = (double)r->bench.curve[i];
		if (e < lo) lo = e;
		if (e > hi) hi = e;
	}
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>algo report</title>\n"
		"<style>body{font-family:sans-serif;margin:1.5em;color:#222}"
		"table{border-collapse:collapse;margin:.5em 0}td,th{padding:2px 8px;border-bottom:1px solid #ddd;"
		"text-align:right}td:first-child,th:first-child{text-align:left}"
		"svg{background:#fafafa;border:1px solid #ccc;display:block;margin:.5em 0;width:100%;height:auto}"
		".hm td{text-align:center;min-width:3.5em}.pos{background:#cde8cd}.neg{background:#f2c9c9}"
		"svg text{font-size:11px;fill:#555}.ax{stroke:#999}.eq{fill:none;stroke:#1f5fbf;stroke-width:1.5}"
		".dd{fill:#e8a0a0;stroke:#b03030}.up{fill:#3a9a3a}.dn{fill:#c03a3a}"
		".bh{fill:none;stroke:#d07a00;stroke-width:1.5;stroke-dasharray:6 3}"
		".key{display:inline-block;width:2em;height:0;vertical-align:middle;margin:0 .4em 0 1em}"
		".key-eq{border-top:2px solid #1f5fbf}.key-bh{border-top:2px dashed #d07a00}"
		".legend{margin:.2em 0;font-size:.9em}"
		".en{fill:#1a8a1a}.ex{fill:#c02020}.open{color:#b03030;font-weight:bold}</style>\n"
		"</head><body>\n<h1>Report for ", f);
	html_text(f, r->user);
	fprintf(f, "</h1>\n<p>Run %s, strategy %s. ", r->run[0] ? r->run : "all", r->strategy[0] ? r->strategy : "all");
	if (r->base.have_time)
		fprintf(f, "Period %s to %s. ", tstr(r->base.first_ms, t1), tstr(r->base.last_ms, t2));
	fprintf(f, "Conventions: daily returns of mark-to-market equity (each day's last point), "
		"P = %d, risk-free 0, open positions marked at the last price.</p>\n", ALGO_REPORT_P);
	html_run_record(f, r);

	/* equity with trade markers, and the benchmark */
	fputs("<h2>Equity</h2>\n", f);
	html_equity_legend(f, r);
	fprintf(f, "<svg id=\"equity-chart\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">",
		SVG_W, SVG_H, SVG_W, SVG_H);
	svg_axis(f, lo / ALGO_DEC_SCALE, hi / ALGO_DEC_SCALE, "");
	svg_date_axis(f, r, n);
	fputs("<polyline class=\"eq\" points=\"", f);
	fprintf(f, "%.1f,%.1f", sx(0, n), sy((double)r->start_equity, lo, hi));
	for (size_t i = 0; i < r->ncurve; i++)
		if (!keep || keep[i])
			fprintf(f, " %.1f,%.1f", sx(i + 1, n), sy((double)r->curve[i].equity, lo, hi));
	fputs("\"/>", f);
	svg_bench_path(f, r, keep, lo, hi);
	for (size_t i = 0; i < r->ntrips && r->ntrips <= HTML_MARKERS_MAX; i++) {
		size_t ie = curve_at(r, r->trips[i].entry_ms), ix = curve_at(r, r->trips[i].exit_ms);
		double ye = sy(ie ? (double)r->curve[ie - 1].equity : (double)r->start_equity, lo, hi);
		double yx = sy(ix ? (double)r->curve[ix - 1].equity : (double)r->start_equity, lo, hi);
		fprintf(f, "<circle class=\"en trade-marker\" cx=\"%.1f\" cy=\"%.1f\" r=\"3\"><title>entry %s</title>"
			"</circle>", sx(ie, n), ye, tstr(r->trips[i].entry_ms, t1));
		fprintf(f, "<circle class=\"ex trade-marker\" cx=\"%.1f\" cy=\"%.1f\" r=\"3\"><title>exit %s net %s"
			"</title></circle>", sx(ix, n), yx, tstr(r->trips[i].exit_ms, t2), decs(r->trips[i].net, a));
	}
	fputs("</svg>\n", f);

	/* drawdown */
	{
		double peak = (double)r->start_equity;
		for (size_t i = 0; i < r->ncurve; i++) {
			double e = (double)r->curve[i].equity, d;
			if (e > peak) peak = e;
			d = (e / peak - 1) * 100;
			if (d < ddlo) ddlo = d;
		}
		fprintf(f, "<h2>Drawdown</h2>\n<svg id=\"drawdown-chart\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">",
			SVG_W, SVG_H, SVG_W, SVG_H);
		svg_axis(f, ddlo, 0, "%");
		svg_date_axis(f, r, n);
		fprintf(f, "<polygon class=\"dd\" points=\"%.1f,%.1f", sx(0, n), sy(0, ddlo, 0));
		peak = (double)r->start_equity;
		for (size_t i = 0; i < r->ncurve; i++) {
			double e = (double)r->curve[i].equity;
			if (e > peak) peak = e;
			if (!keep || keep[i])
				fprintf(f, " %.1f,%.1f", sx(i + 1, n), sy((e / peak - 1) * 100, ddlo, 0));
		}
		fprintf(f, " %.1f,%.1f\"/></svg>\n", sx(n - 1, n), sy(0, ddlo, 0));
	}

	/* daily PnL bars */
	for (size_t i = 0; i < r->ndays; i++) {
		double p = algo_dec_to_double(r->days[i].pnl);
		if (p < plo) plo = p;
		if (p > phi) phi = p;
	}
	fprintf(f, "<h2>Daily PnL</h2>\n<svg id=\"daily-pnl-chart\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">",
		SVG_W, SVG_H, SVG_W, SVG_H);
	svg_axis(f, plo, phi, "");
	for (size_t i = 0; i < r->ndays; i++) {
		double p = algo_dec_to_double(r->days[i].pnl), w = SVG_PW / (double)(r->ndays + 1);
		double y0 = sy(0, plo, phi), y1 = sy(p, plo, phi);
		fprintf(f, "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"><title>%s %s"
			"</title></rect>", p >= 0 ? "up" : "dn", SVG_L + w * ((double)i + 0.5), y1 < y0 ? y1 : y0,
			w * 0.8, y1 < y0 ? y0 - y1 : y1 - y0, r->days[i].day, decs(r->days[i].pnl, a));
	}
	fputs("</svg>\n", f);
	html_trade_histogram(f, r);
	fputs("<h2>Metrics</h2>\n<table>\n", f);
	for (size_t i = 0; i < nm; i++) {
		fputs("<tr><td>", f);
		html_text(f, m[i].label);
		fputs("</td><td>", f);
		html_text(f, m[i].val);
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
	html_charges(f, r);
	for (size_t i = 0; i < r->base.nopen; i++) {
		const struct algo_ledger_open_pos *o = &r->base.open[i];
		fputs("<p class=\"open\">OPEN ", f);
		html_text(f, o->strategy);
		fputc(' ', f);
		html_text(f, o->symbol);
		fprintf(f, " qty %lld, marked at %s (unrealised %s)</p>\n", (long long)o->qty,
			decs(o->last_price, a), decs(o->unrealized, c));
	}
	html_monthly_heatmap(f, r);
	html_trades(f, r);
	if (r->ndays <= TEXT_DAYS_MAX) {
		fputs("<h2>Days</h2>\n<table><tr><th>day</th><th>equity</th><th>pnl</th><th>return</th></tr>\n", f);
		for (size_t i = 0; i < r->ndays; i++) {
			char x[64];
			fprintf(f, "<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>\n", r->days[i].day,
				decs(r->days[i].equity, a), decs(r->days[i].pnl, c), fpct(r->days[i].ret, x, sizeof x));
		}
		fputs("</table>\n", f);
	}
	fputs("</body></html>\n", f);
	free(keep);
}

int algo_report_write(FILE *f, const struct algo_report *r, int fmt)
{
	switch (fmt) {
	case ALGO_FMT_JSON: write_json(f, r); break;
	case ALGO_FMT_HTML: write_html(f, r); break;
	case ALGO_FMT_CSV: {
		struct mrow m[NMROWS];
		size_t n = metric_rows(r, m);
		fputs("metric,value\n", f);
		for (size_t i = 0; i < n; i++) {
			fprintf(f, "%s,", m[i].key);
			csv_metric_cell(f, m[i].val);
			fputc('\n', f);
		}
		for (size_t i = 0; i < r->base.ncharge; i++) {
			char a[ALGO_DEC_FMT_MAX];
			fprintf(f, "charges_%s,%s\n", r->base.charge[i].name, decs(r->base.charge[i].amount, a));
		}
		{
			struct rrow rr[NRROWS];
			size_t nr = record_rows(r, rr);
			for (size_t i = 0; i < nr; i++) {
				fprintf(f, "%s,", rr[i].key);
				csv_cell(f, rr[i].val);
				fputc('\n', f);
			}
		}
		break;
	}
	default: write_text(f, r);
	}
	return ferror(f) ? -1 : 0;
}

int algo_report_compare(FILE *f, const struct algo_report *r, size_t n, int fmt)
{
	struct mrow (*m)[NMROWS] = calloc(n ? n : 1, sizeof *m);
	size_t nm = 0;
	if (!m) return -1;
	for (size_t k = 0; k < n; k++) nm = metric_rows(&r[k], m[k]);
	if (fmt == ALGO_FMT_JSON) {
		fputs("[", f);
		for (size_t k = 0; k < n; k++) {
			fputs(k ? ",{" : "{", f);
			for (size_t i = 0; i < nm; i++) {
				fprintf(f, "%s\"%s\":", i ? "," : "", m[k][i].key);
				json_str(f, m[k][i].val);
			}
			fputc('}', f);
		}
		fputs("]\n", f);
	} else if (fmt == ALGO_FMT_CSV) {
		fputs("metric", f);
		for (size_t k = 0; k < n; k++) { fputc(',', f); csv_cell(f, m[k][0].val); }
		fputc('\n', f);
		for (size_t i = 1; i < nm; i++) {
			fputs(m[0][i].key, f);
			for (size_t k = 0; k < n; k++) { fputc(',', f); csv_metric_cell(f, m[k][i].val); }
			fputc('\n', f);
		}
	} else if (fmt == ALGO_FMT_HTML) {
		fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>algo compare"
			"</title><style>body{font-family:sans-serif}td,th{padding:2px 8px;text-align:right}"
			"td:first-child{text-align:left}</style></head><body><table>\n", f);
		for (size_t i = 0; i < nm; i++) {
			fputs("<tr><td>", f);
			html_text(f, m[0][i].label);
			for (size_t k = 0; k < n; k++) { fputs("</td><td>", f); html_text(f, m[k][i].val); }
			fputs("</td></tr>\n", f);
		}
		fputs("</table></body></html>\n", f);
	} else {
		int w = n ? (int)((80 - 24) / n) - 1 : 20;
		if (w > 28) w = 28;
		fprintf(f, "Comparison for user \"%s\"\n", n ? r[0].user : "");
		for (size_t i = 0; i < nm; i++) {
			fprintf(f, "%-23.23s", m[0][i].label);
			for (size_t k = 0; k < n; k++) fprintf(f, " %*.*s", w, w, m[k][i].val);
			fputc('\n', f);
		}
	}
	free(m);
	return ferror(f) ? -1 : 0;
}

/* ---- queries ---------------------------------------------------------------------- */

#define QMAXCOL 16

/* A result held in memory (table format needs the column widths first). */
struct qtab {
	size_t ncol, nrow, cap;
	const char *name[QMAXCOL];
	char type[QMAXCOL];                /* 't' text, 'i' integer, 'm' money, 'f' number */
	char **cell;                       /* nrow * ncol, NULL = null */
};

static int qtab_cols(struct qtab *q, const char *spec)
{
	/* spec: "name:t,name:m,..." kept as static strings by the caller */
	static char buf[8][512];
	static int next;
	char *b = buf[next++ & 7], *p;
	snprintf(b, 512, "%s", spec);
	q->ncol = 0;
	for (p = b; p && *p && q->ncol < QMAXCOL; ) {
		char *comma = strchr(p, ','), *colon;
		if (comma) *comma = '\0';
		colon = strchr(p, ':');
		if (colon) { *colon = '\0'; q->type[q->ncol] = colon[1]; } else q->type[q->ncol] = 't';
		q->name[q->ncol++] = p;
		p = comma ? comma + 1 : NULL;
	}
	return 0;
}

static int qtab_add(struct qtab *q, char **vals)
{
	if (q->nrow == q->cap) {
		size_t nc = q->cap ? 2 * q->cap : 64;
		char **n = realloc(q->cell, nc * q->ncol * sizeof *n);
		if (!n) return -1;
		q->cell = n;
		q->cap = nc;
	}
	memcpy(q->cell + q->nrow * q->ncol, vals, q->ncol * sizeof *vals);
	q->nrow++;
	return 0;
}

static void qtab_free(struct qtab *q)
{
	for (size_t i = 0; i < q->nrow * q->ncol; i++) free(q->cell[i]);
	free(q->cell);
	memset(q, 0, sizeof *q);
}

static size_t u8len(const char *s)
{
	size_t n = 0;
	for (; *s; s++) n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

static void qtab_print(const struct qtab *q, int fmt, FILE *f)
{
	if (fmt == ALGO_FMT_CSV) {
		for (size_t c = 0; c < q->ncol; c++) { if (c) fputc(',', f); fputs(q->name[c], f); }
		fputc('\n', f);
		for (size_t r = 0; r < q->nrow; r++) {
			for (size_t c = 0; c < q->ncol; c++) {
				const char *v = q->cell[r * q->ncol + c];
				if (c) fputc(',', f);
				if (v) csv_cell(f, v);
			}
			fputc('\n', f);
		}
	} else if (fmt == ALGO_FMT_NDJSON) {
		for (size_t r = 0; r < q->nrow; r++) {
			for (size_t c = 0; c < q->ncol; c++) {
				const char *v = q->cell[r * q->ncol + c];
				fprintf(f, "%s\"%s\":", c ? "," : "{", q->name[c]);
				if (!v) fputs("null", f);
				else if (q->type[c] == 't') json_str(f, v);
				else fputs(v, f);
			}
			fputs("}\n", f);
		}
	} else {
		size_t w[QMAXCOL];
		for (size_t c = 0; c < q->ncol; c++) {
			w[c] = u8len(q->name[c]);
			for (size_t r = 0; r < q->nrow; r++) {
				const char *v = q->cell[r * q->ncol + c];
				size_t l = v ? u8len(v) : 1;
				if (l > w[c]) w[c] = l;
			}
			if (w[c] > 40) w[c] = 40;
		}
		for (size_t r = 0; r <= q->nrow; r++) {
			for (size_t c = 0; c < q->ncol; c++) {
				const char *v = r ? q->cell[(r - 1) * q->ncol + c] : q->name[c];
				size_t l;
				if (!v) v = "-";
				l = u8len(v);
				if (l > w[c]) {            /* cut long text, keep it readable */
					fprintf(f, "%s%.*s~", c ? "  " : "", (int)w[c] - 1, v);
					continue;
				}
				if (q->type[c] != 't' && r)
					fprintf(f, "%s%*s%s", c ? "  " : "", (int)(w[c] - l), "", v);
				else
					fprintf(f, "%s%s%*s", c ? "  " : "", v, c + 1 < q->ncol ? (int)(w[c] - l) : 0, "");
			}
			fputc('\n', f);
		}
	}
}

static char *dupstr(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);
	if (d) memcpy(d, s, n);
	return d;
}

/* Runs st (bound) into q: money columns formatted exactly. */
static int qtab_fill(struct qtab *q, struct algo_store *s, sqlite3_stmt *st, char *err, size_t errlen)
{
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		char *vals[QMAXCOL];
		for (size_t c = 0; c < q->ncol; c++) {
			char b[64];
			if (sqlite3_column_type(st, (int)c) == SQLITE_NULL) { vals[c] = NULL; continue; }
			if (q->type[c] == 'm') vals[c] = dupstr(decs(sqlite3_column_int64(st, (int)c), b));
			else if (q->type[c] == 'i') {
				snprintf(b, sizeof b, "%lld", (long long)sqlite3_column_int64(st, (int)c));
				vals[c] = dupstr(b);
			} else vals[c] = dupstr((const char *)sqlite3_column_text(st, (int)c));
			if (!vals[c]) { snprintf(err, errlen, "out of memory"); return -1; }
		}
		if (qtab_add(q, vals)) { snprintf(err, errlen, "out of memory"); return -1; }
	}
	if (rc != SQLITE_DONE) return algo_store_fail(s, err, errlen);
	return 0;
}

#define TS_SQL(c) "strftime('%Y-%m-%dT%H:%M:%S+05:30', " c " / 1000, 'unixepoch', '+330 minutes')"

static const struct qdef { const char *name, *cols, *sql; } qdefs[] = {
	{ "orders", "ts,id,run,strategy,symbol,side,qty:i,kind,status,filled:i,avg_price:m,reason",
	  "SELECT ts, id, run, strategy, symbol, side, qty, kind, status, filled, avg_price, reason "
	  "FROM orders WHERE user = ?1" RUN_SQL STRAT_SQL TIME_SQL("ts_ms") " ORDER BY ts_ms, rowid" },
	{ "fills", "ts,fill_id,order_id,run,strategy,symbol,side,qty:i,price:m,fees:m,ambiguous:i",
	  "SELECT ts, fill_id, order_id, run, strategy, symbol, side, qty, price, fees_total, ambiguous "
	  "FROM fills WHERE user = ?1" RUN_SQL STRAT_SQL TIME_SQL("ts_ms") " ORDER BY ts_ms, rowid" },
	{ "positions", "strategy,symbol,qty:i,avg_price:m,realized:m,fees:m,last_price:m,unrealized:m,updated_ts",
	  "SELECT strategy, symbol, qty, avg_price, realized, fees, last_price, qty * last_price - cost, "
	  "updated_ts FROM positions WHERE user = ?1" STRAT_SQL TIME_SQL("updated_ms")
	  " AND (?2 IS NULL OR EXISTS (SELECT 1 FROM fills f WHERE f.user = ?1 AND f.run = ?2 AND "
	  "f.strategy = positions.strategy AND f.symbol = positions.symbol))"
	  " ORDER BY strategy, symbol" },
	{ "audit", "seq:i,ts,kind,run,strategy,ref,reason",
	  "SELECT seq, " TS_SQL("ts_ms") ", kind, run, strategy, ref, reason FROM audit WHERE user = ?1"
	  RUN_SQL STRAT_SQL TIME_SQL("ts_ms") " ORDER BY seq" },
	{ "runs", "id,version,start_ts,end_ts,start_equity:m,bars:i,bars_in_position:i,options,input_sha256",
	  "SELECT id, version, " TS_SQL("start_ms") ", " TS_SQL("end_ms") ", start_equity, bars, "
	  "bars_in_position, options, input_sha256 FROM runs WHERE user = ?1 AND (?2 IS NULL OR id = ?2)"
	  " AND (?3 IS NULL OR EXISTS (SELECT 1 FROM orders o WHERE o.user = ?1 AND o.run = runs.id "
	  "AND o.strategy = ?3))" TIME_SQL("end_ms") " ORDER BY start_ms, id" },
	{ "accounts", "user,email,name,plan,expiry,disabled:i,created_ts,updated_ts",
	  "SELECT user, email, name, plan, expiry, disabled, " TS_SQL("created_ms") ", "
	  TS_SQL("updated_ms") " FROM accounts WHERE (?2 IS NULL OR user = ?2) ORDER BY user" },
	{ "equity", "ts,run,equity:m",
	  "SELECT " TS_SQL("ts_ms") ", run, equity FROM equity WHERE user = ?1" RUN_SQL TIME_SQL("ts_ms")
	  " ORDER BY ts_ms, run" },
};

static int trip_row(const struct algo_trip *t, void *arg)
{
	struct qtab *q = arg;
	char *v[11], b[ALGO_DEC_FMT_MAX + ALGO_TIME_FMT_MAX];
	v[0] = dupstr(t->strategy);
	v[1] = dupstr(t->symbol);
	v[2] = dupstr(t->side == ALGO_BUY ? "long" : "short");
	snprintf(b, sizeof b, "%lld", (long long)t->qty);
	v[3] = dupstr(b);
	v[4] = dupstr(tstr(t->entry_ms, b));
	v[5] = dupstr(decs(t->entry_price, b));
	v[6] = dupstr(tstr(t->exit_ms, b));
	v[7] = dupstr(decs(t->exit_price, b));
	v[8] = dupstr(decs(t->pnl, b));
	v[9] = dupstr(decs(t->fees, b));
	v[10] = dupstr(decs(t->net, b));
	for (int i = 0; i < 11; i++) if (!v[i]) return -1;
	return qtab_add(q, v);
}

int algo_report_query(struct algo_store *s, const char *name, const struct algo_report_opts *o,
	int fmt, FILE *f, char *err, size_t errlen)
{
	struct qtab q;
	int ret = -1;

	memset(&q, 0, sizeof q);
	if (strcmp(name, "trades") == 0) {
		struct algo_ledger_filter fl = { o->run, o->strategy, o->from_ms, o->to_ms };
		qtab_cols(&q, "strategy,symbol,side,qty:i,entry_ts,entry_price:m,exit_ts,exit_price:m,"
			"pnl:m,fees:m,net_pnl:m");
		if (algo_ledger_trips_f(s, o->user, &fl, trip_row, &q, err, errlen)) {
			if (!err[0]) snprintf(err, errlen, "out of memory");
			goto out;
		}
	} else if (strcmp(name, "equity") == 0 && o->strategy) {
		/* one strategy: its curve from the daily snapshots (see algo_report_build) */
		struct algo_report r;
		if (algo_report_build(s, o, &r, err, errlen)) goto out;
		qtab_cols(&q, "ts,run,equity:m");
		for (size_t i = 0; i < r.ncurve; i++) {
			char *v[3], b[64];
			v[0] = dupstr(tstr(r.curve[i].ms, b));
			v[1] = o->run ? dupstr(o->run) : NULL;
			v[2] = dupstr(decs(r.curve[i].equity, b));
			if (!v[0] || (o->run && !v[1]) || !v[2] || qtab_add(&q, v)) {
				algo_report_free(&r);
				snprintf(err, errlen, "out of memory");
				goto out;
			}
		}
		algo_report_free(&r);
	} else if (strcmp(name, "pnl") == 0) {
		struct algo_report r;
		if (algo_report_build(s, o, &r, err, errlen)) goto out;
		qtab_cols(&q, "day,equity:m,pnl:m,return_pct:f");
		for (size_t i = 0; i < r.ndays; i++) {
			char *v[4], b[64];
			v[0] = dupstr(r.days[i].day);
			v[1] = dupstr(decs(r.days[i].equity, b));
			v[2] = dupstr(decs(r.days[i].pnl, b));
			snprintf(b, sizeof b, "%.6f", r.days[i].ret * 100);
			v[3] = dupstr(b);
			if (!v[0] || !v[1] || !v[2] || !v[3] || qtab_add(&q, v)) {
				algo_report_free(&r);
				snprintf(err, errlen, "out of memory");
				goto out;
			}
		}
		algo_report_free(&r);
	} else {
		const struct qdef *d = NULL;
		sqlite3_stmt *st;
		for (size_t i = 0; i < sizeof qdefs / sizeof qdefs[0]; i++)
			if (strcmp(qdefs[i].name, name) == 0) d = &qdefs[i];
		if (!d) return 1;
		qtab_cols(&q, d->cols);
		if (!(st = algo_store_prepare(s, d->sql, err, errlen))) goto out;
		algo_report_bind(st, o, NULL, NULL);
		if (qtab_fill(&q, s, st, err, errlen)) { sqlite3_finalize(st); goto out; }
		sqlite3_finalize(st);
	}
	qtab_print(&q, fmt, f);
	ret = ferror(f) ? (snprintf(err, errlen, "write error"), -1) : 0;
out:
	qtab_free(&q);
	return ret;
}
