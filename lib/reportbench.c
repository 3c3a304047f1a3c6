/* reportbench — the buy-and-hold benchmark. See reportbench.h for the contract. */
#include "reportbench.h"
#include "report.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* o's selection (algo_report_bind), and ?6 symbol, ?7 tf when given. */
static void bind_sel(sqlite3_stmt *st, const struct algo_report_opts *o, const char *sym, const char *tf)
{
	algo_report_bind(st, o, NULL, NULL);
	if (sym) sqlite3_bind_text(st, 6, sym, -1, SQLITE_STATIC);
	if (tf) sqlite3_bind_text(st, 7, tf, -1, SQLITE_STATIC);
}

#define CLOSES_SEL " FROM bar_closes WHERE user = ?1 AND (?2 IS NULL OR run = ?2) " \
	"AND last_ms >= ?4 AND first_ms < ?5"

/* The symbols traded in the selection, else those with bars in it, as holds. */
static int pick_symbols(struct algo_store *s, const struct algo_report_opts *o, struct algo_bench *b,
	char *err, size_t errlen)
{
	static const char *const sql[2] = {
		"SELECT DISTINCT symbol FROM fills WHERE user = ?1 AND (?2 IS NULL OR run = ?2) AND "
		"(?3 IS NULL OR strategy = ?3) AND ts_ms >= ?4 AND ts_ms < ?5 ORDER BY symbol",
		"SELECT DISTINCT symbol" CLOSES_SEL " ORDER BY symbol",
	};
	for (int k = 0; k < 2 && !b->nhold; k++) {
		sqlite3_stmt *st = algo_store_prepare(s, sql[k], err, errlen);
		int rc;
		if (!st) return -1;
		bind_sel(st, o, NULL, NULL);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			struct algo_bench_hold *h = realloc(b->hold, (b->nhold + 1) * sizeof *h);
			if (!h) { sqlite3_finalize(st); snprintf(err, errlen, "out of memory"); return -1; }
			b->hold = h;
			h += b->nhold++;
			memset(h, 0, sizeof *h);
			snprintf(h->symbol, sizeof h->symbol, "%s", (const char *)sqlite3_column_text(st, 0));
		}
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE) return algo_store_fail(s, err, errlen);
	}
	return 0;
}

static int close_add(struct algo_bench_hold *h, int64_t ms, int64_t close)
{
	if ((h->npx & (h->npx - 1)) == 0) {
		struct algo_bench_close *n = realloc(h->px, (h->npx ? 2 * h->npx : 1) * sizeof *n);
		if (!n) return -1;
		h->px = n;
	}
	h->px[h->npx].ms = ms;
	h->px[h->npx++].close = close;
	return 0;
}

static int cmp_close(const void *a, const void *b)
{
	const struct algo_bench_close *x = a, *y = b;
	return x->ms < y->ms ? -1 : x->ms > y->ms;
}

/* h's timeframe and its closes in the selection's time range, in time order. */
static int load_closes(struct algo_store *s, const struct algo_report_opts *o, struct algo_bench_hold *h,
	char *err, size_t errlen)
{
	sqlite3_stmt *st = algo_store_prepare(s, "SELECT tf" CLOSES_SEL " AND symbol = ?6 "
		"ORDER BY first_ms, tf LIMIT 1", err, errlen);
	int rc;
	if (!st) return -1;
	bind_sel(st, o, h->symbol, NULL);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) snprintf(h->tf, sizeof h->tf, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW) return rc == SQLITE_DONE ? 0 : algo_store_fail(s, err, errlen);
	st = algo_store_prepare(s, "SELECT first_ms, first_close, last_ms, last_close" CLOSES_SEL
		" AND symbol = ?6 AND tf = ?7 ORDER BY first_ms", err, errlen);
	if (!st) return -1;
	bind_sel(st, o, h->symbol, h->tf);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		for (int c = 0; c < 4; c += 2) {
			int64_t ms = sqlite3_column_int64(st, c);
			if (ms >= o->from_ms && ms < o->to_ms &&
			    close_add(h, ms, sqlite3_column_int64(st, c + 1))) {
				sqlite3_finalize(st);
				snprintf(err, errlen, "out of memory");
				return -1;
			}
		}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) return algo_store_fail(s, err, errlen);
	if (h->npx > 1) qsort(h->px, h->npx, sizeof *h->px, cmp_close);
	return 0;
}

/* Drops the holds without closes; splits start over the rest and buys whole shares. */
static void buy(struct algo_bench *b)
{
	size_t k = 0;
	for (size_t i = 0; i < b->nhold; i++) {
		if (b->hold[i].npx) b->hold[k++] = b->hold[i];
		else free(b->hold[i].px);
	}
	b->nhold = k;
	if (!k) return;
	b->cash = b->start % (int64_t)k;
	for (size_t i = 0; i < k; i++) {
		struct algo_bench_hold *h = &b->hold[i];
		int64_t price = h->px[0].close;
		h->share = b->start / (int64_t)k;
		h->qty = price > 0 && h->share > 0 ? h->share / price : 0;
		h->cash = h->share - h->qty * price;
	}
}

/* The latest close of h at or before ms; 0 when ms is before its first. */
static const struct algo_bench_close *close_at(const struct algo_bench_hold *h, int64_t ms)
{
	size_t lo = 0, hi = h->npx;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (h->px[mid].ms <= ms) lo = mid + 1; else hi = mid;
	}
	return lo ? &h->px[lo - 1] : NULL;
}

/* The value at ms (exact); b->on must be set. Returns 0, or -1 when beyond int64. */
static int algo_bench_value_at(const struct algo_bench *b, int64_t ms, int64_t *value)
{
	__int128 v = b->cash;
	for (size_t i = 0; i < b->nhold; i++) {
		const struct algo_bench_hold *h = &b->hold[i];
		const struct algo_bench_close *c = close_at(h, ms);
		v += c ? h->cash + (__int128)h->qty * c->close : h->share;
	}
	if (v > INT64_MAX || v < INT64_MIN) return -1;
	*value = (int64_t)v;
	return 0;
}

/* The value at each curve point and at the end; on stays 0 when one is beyond int64. */
static int value_curve(struct algo_bench *b, const struct algo_report_point *curve, size_t n)
{
	if (!(b->curve = calloc(n ? n : 1, sizeof *b->curve))) return -1;
	b->ncurve = n;
	for (size_t i = 0; i < n; i++)
		if (algo_bench_value_at(b, curve[i].ms, &b->curve[i])) return 0;
	if (algo_bench_value_at(b, INT64_MAX, &b->end)) return 0;
	b->return_pct = b->start ? ((double)b->end / (double)b->start - 1) * 100 : NAN;
	b->on = 1;
	return 0;
}

int algo_bench_build(struct algo_store *s, const struct algo_report_opts *o, int64_t start,
	const struct algo_report_point *curve, size_t n, struct algo_bench *b, char *err, size_t errlen)
{
	memset(b, 0, sizeof *b);
	b->start = b->end = start;
	b->return_pct = NAN;
	if (pick_symbols(s, o, b, err, errlen)) goto fail;
	for (size_t i = 0; i < b->nhold; i++)
		if (load_closes(s, o, &b->hold[i], err, errlen)) goto fail;
	buy(b);
	if (!b->nhold) return 0;
	if (value_curve(b, curve, n)) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	return 0;
fail:
	algo_bench_free(b);
	return -1;
}

void algo_bench_free(struct algo_bench *b)
{
	for (size_t i = 0; i < b->nhold; i++) free(b->hold[i].px);
	free(b->hold);
	free(b->curve);
	b->hold = NULL;
	b->curve = NULL;
	b->nhold = b->ncurve = 0;
	b->on = 0;
}
