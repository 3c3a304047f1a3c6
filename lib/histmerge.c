/* histmerge — several symbols' FYERS history in time order; see histmerge.h. */
#include "histmerge.h"
#include "cli.h"
#include "timeutil.h"
#include <stdio.h>
#include <string.h>

int algo_histmerge_add(struct algo_histmerge *m, char *list, char *err, size_t errlen)
{
	for (char *save = NULL, *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (m->n == ALGO_HISTMERGE_MAX) {
			snprintf(err, errlen, "--symbol: at most %d symbols", ALGO_HISTMERGE_MAX);
			return -1;
		}
		if (!*t || strlen(t) > 63) {
			snprintf(err, errlen, "--symbol: '%s' must be 1 to 63 bytes", t);
			return -1;
		}
		snprintf(m->h[m->n++].symbol, sizeof m->h[0].symbol, "%s", t);
	}
	return 0;
}

/* The next candle of symbol i into head[i]. Returns 0, or an exit code. */
static int pull(struct algo_histmerge *m, int i, char *err, size_t errlen)
{
	int rc = algo_fyers_hist_next(&m->h[i], &m->head[i], err, errlen);
	if (rc < 0)
		return algo_fyers_exit_code(-rc);
	m->live[i] = rc;
	return 0;
}

/* The symbol whose head is earliest (the first on a tie), -1 when all are done. */
static int earliest(const struct algo_histmerge *m)
{
	int k = -1;
	for (int i = 0; i < m->n; i++)
		if (m->live[i] && (k < 0 || m->head[i].ts < m->head[k].ts))
			k = i;
	return k;
}

int algo_histmerge_run(struct algo_histmerge *m, struct algo_barout *o, const char *tf, char *err, size_t errlen)
{
	int rc, k;
	for (int i = 0; i < m->n; i++)
		if ((rc = pull(m, i, err, errlen)) != 0)
			return rc;
	while ((k = earliest(m)) >= 0) {
		algo_barout_named(o, m->h[k].symbol, tf, &m->head[k]);
		if ((rc = pull(m, k, err, errlen)) != 0)
			return rc;
	}
	return 0;
}

void algo_histmerge_finish(struct algo_histmerge *m, struct algo_fyers *f, const char *tf)
{
	long dropped = 0;
	for (int i = 0; i < m->n; i++) {
		dropped += m->h[i].dropped;
		if (m->h[i].last == INT64_MIN)
			algo_fyers_notice(f, "%s: no %s bars in the range (a holiday, a weekend, or before the listing)",
				m->h[i].symbol, tf);
		algo_fyers_hist_free(&m->h[i]);
	}
	if (dropped)
		algo_fyers_notice(f, "dropped %ld candle%s with impossible prices", dropped, dropped == 1 ? "" : "s");
}

/* Frees the histories h[0..n-1]. */
static void free_first(struct algo_histmerge *m, int n)
{
	for (int i = 0; i < n; i++)
		algo_fyers_hist_free(&m->h[i]);
}

/* Sets every symbol's history up. Returns how many were; fewer than m->n: err says
 * "SYM: why" of the next. */
static int init_all(struct algo_histmerge *m, struct algo_fyers *f, const struct algo_histreq *q, char *err, size_t errlen)
{
	for (int i = 0; i < m->n; i++) {
		char sym[64], why[ALGO_ERR_MAX + 600];
		snprintf(sym, sizeof sym, "%s", m->h[i].symbol);
		if (algo_fyers_hist_init(&m->h[i], f, sym, q->tf, q->cont, q->from, q->to, q->cache, why, sizeof why) < 0) {
			snprintf(err, errlen, "%s: %s", sym, why);
			return i;
		}
	}
	return m->n;
}

int algo_histmerge_fetch(struct algo_histmerge *m, struct algo_fyers *f, const struct algo_histreq *q,
	struct algo_barout *o, char *err, size_t errlen)
{
	char tf[16];
	int rc = 0, k = init_all(m, f, q, err, errlen);
	algo_tf_fmt(q->tf, tf, sizeof tf);
	if (k == m->n && (rc = algo_histmerge_run(m, o, tf, err, errlen)) == 0) {
		algo_histmerge_finish(m, f, tf);
		return 0;
	}
	free_first(m, k);
	return k < m->n ? ALGO_EX_USAGE : rc;
}
