/* csvmerge — CSV files merged into bar events; see csvmerge.h. */
#include "csvmerge.h"
#include "timeutil.h"
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WINDOW ALGO_CSV_TF_WINDOW

typedef struct algo_csvmerge_src src_t;
typedef struct algo_csvmerge_row row_t;

static int failf(struct algo_csvmerge *m, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int failf(struct algo_csvmerge *m, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m->err, sizeof m->err, fmt, ap);
	va_end(ap);
	m->code = code;
	return -1;
}

static void notice(struct algo_csvmerge *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void notice(struct algo_csvmerge *m, const char *fmt, ...)
{
	char msg[ALGO_CSVMERGE_ERR_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (m->on_notice)
		m->on_notice(m->arg, msg);
}

static void tick(struct algo_csvmerge *m)
{
	if (m->on_tick)
		m->on_tick(m->arg);
}

void algo_csvmerge_init(struct algo_csvmerge *m)
{
	memset(m, 0, sizeof *m);
	m->from = INT64_MIN;
	m->to = INT64_MAX;
}

/* What to try after a bad row, from lib/csv's hint. */
static const char *hint_text(int hint)
{
	switch (hint) {
	case ALGO_CSV_HINT_ROUND: return "; --round rounds prices to 4 decimals";
	case ALGO_CSV_HINT_DATE_FORMAT: return "; --date-format gives the format, e.g. '%m/%d/%Y %H:%M'";
	}
	return "";
}

/* A bad row: fails, or with skip_bad is handed to on_skip and counted. */
static int bad_row(struct algo_csvmerge *m, const src_t *s, long line, const char *err)
{
	char msg[ALGO_CSVMERGE_ERR_MAX];
	if (!m->skip_bad)
		return failf(m, ALGO_EX_DATAERR, "%s:%ld: %s", s->csv.name, line, err);
	m->nbad++;
	snprintf(msg, sizeof msg, "%s:%ld: %s (skipped)", s->csv.name, line, err);
	if (m->on_skip)
		m->on_skip(m->arg, msg);
	return 0;
}

static int raise_pending(struct algo_csvmerge *m, const src_t *s)
{
	return failf(m, ALGO_EX_DATAERR, "%s:%ld: %s", s->csv.name, s->pend_line, s->pend_err);
}

static int intern(struct algo_csvmerge *m, const char *name, size_t n)
{
	int id = algo_symtab_intern(&m->syms, name, n);
	return id < 0 ? failf(m, ALGO_EX_FAIL, "out of memory") : id;
}

static void to_row(const struct algo_csv_bar *b, long lineno, row_t *q)
{
	q->ts = b->ts, q->o = b->o, q->h = b->h, q->l = b->l, q->c = b->c, q->v = b->v, q->oi = b->oi;
	q->lineno = lineno;
}

/* The error of a row that is not a bar, with lib/csv's hint. With defer set (and no
 * skip_bad) it is kept in s->pend: returns 1. Else bad_row's result. */
static int row_error(struct algo_csvmerge *m, src_t *s, char *err, size_t len, int hint, int defer)
{
	if (hint != ALGO_CSV_HINT_NONE) {
		size_t n = strlen(err);
		snprintf(err + n, len - n, "%s", hint_text(hint));
	}
	if (defer && !m->skip_bad) {
		s->pend = 1;
		s->pend_line = s->csv.lineno;
		snprintf(s->pend_err, sizeof s->pend_err, "%s", err);
		return 1;
	}
	return bad_row(m, s, s->csv.lineno, err);
}

/* Next valid row of s, unfiltered. Returns 1, 0 at end, -1 on failure, or -2 when
 * defer is set and a bad row was stored in s->pend. */
static int read_row(struct algo_csvmerge *m, src_t *s, row_t *q, int defer)
{
	char err[ALGO_ERR_MAX];
	struct algo_csv_bar b;
	int r;

	for (;;) {
		b.hint = ALGO_CSV_HINT_NONE;
		if ((r = algo_csv_next(&s->csv, err, sizeof err)) == 0)
			return 0;
		if (r == -2)
			return failf(m, ALGO_EX_IOERR, "%s: %s", s->csv.name, err);
		s->nread++;
		if ((++m->nrows & 4095) == 0)
			tick(m);
		if (r == 1 && (r = algo_csv_decode_bar(&s->csv, &s->m, &b, err, sizeof err)) >= 0) {
			if (r == 0)
				break;
			s->nnull++;
			continue;
		}
		if ((r = row_error(m, s, err, sizeof err, b.hint, defer)) != 0)
			return r < 0 ? -1 : -2;
	}
	to_row(&b, s->csv.lineno, q);
	if ((q->sym = s->sym >= 0 ? s->sym : intern(m, b.sym, b.symlen)) < 0)
		return -1;
	return 1;
}

static int keep(const struct algo_csvmerge *m, const row_t *q)
{
	return q->ts >= m->from && q->ts < m->to;
}

/* Are the rows newest first (NSE's historical data)? Every symbol's consecutive rows
 * go back in time, and at least two steps say so (one step back is more likely a
 * mistake in the file, reported as such), or one when a bad row cut the window short
 * (so the bad row is reported, not the order). */
static int newest_first(const row_t *q, int n, int cut)
{
	int back = 0;
	for (int i = 1; i < n; i++)
		for (int j = i - 1; j >= 0; j--)
			if (q[j].sym == q[i].sym) {
				if (q[i].ts >= q[j].ts)
					return 0;
				back++;
				break;
			}
	return back > 1 || (cut && back == 1);
}

static int rev_push(struct algo_csvmerge *m, src_t *s, const row_t *q)
{
	if (s->nrev == s->caprev) {
		size_t cap = s->caprev ? s->caprev * 2 : 1024;
		row_t *p = realloc(s->rev, cap * sizeof *p);
		if (!p)
			return failf(m, ALGO_EX_FAIL, "%s: out of memory reading a newest-first file", s->csv.name);
		s->rev = p;
		s->caprev = cap;
	}
	s->rev[s->nrev++] = *q;
	return 0;
}

/* A newest-first file: reads the rest of it (bad rows stop or are skipped now, since
 * nothing of it is written before the end) and keeps the rows oldest first in s->rev,
 * to be served from the end. */
static int read_reversed(struct algo_csvmerge *m, src_t *s, const row_t *win, int n)
{
	row_t q;
	int r;
	if (s->pend)
		return raise_pending(m, s);
	for (int i = 0; i < n; i++)
		if (rev_push(m, s, &win[i]) < 0)
			return -1;
	while ((r = read_row(m, s, &q, 0)) == 1)
		if (rev_push(m, s, &q) < 0)
			return -1;
	if (r < 0)
		return -1;
	s->done = 1;
	notice(m, "%s: rows are newest first; reading them oldest first", s->csv.name);
	return 0;
}

/* The timeframe of s, from --tf or guessed from the rows read ahead (g). */
static int set_tf(struct algo_csvmerge *m, src_t *s, const struct algo_csv_tf *g)
{
	int64_t tf = m->tf ? m->tf : algo_csv_tf_guess(g);
	if (tf > 0)
		algo_tf_fmt(tf, s->tf, sizeof s->tf);
	else if (s->pend)
		return raise_pending(m, s);
	else if (g->nbars > 0)
		return failf(m, ALGO_EX_DATAERR, "%s: cannot infer the timeframe from %d bar%s; use --tf",
			s->csv.name, g->nbars, g->nbars == 1 ? "" : "s");
	return 0;
}

/* Reads up to WINDOW rows ahead (queueing the kept ones) and sets s->tf, from --tf
 * or inferred from those rows (algo_csv_tf_guess). A file that is newest first is read
 * whole and turned round (s->rev). */
static int infer_tf(struct algo_csvmerge *m, src_t *s)
{
	static row_t win[WINDOW];
	struct algo_csv_tf g;
	int n = 0, r = 0;

	while (n < WINDOW && (r = read_row(m, s, &win[n], 1)) == 1)
		n++;
	if (n < WINDOW && r == -1)
		return -1;
	algo_csv_tf_init(&g);
	if (newest_first(win, n, s->pend)) {
		if (read_reversed(m, s, win, n) < 0)
			return -1;
		for (size_t i = s->nrev; i-- > 0 && g.nbars < WINDOW;)
			algo_csv_tf_add(&g, s->rev[i].sym, s->rev[i].ts);
	} else {
		for (int i = 0; i < n; i++) {
			algo_csv_tf_add(&g, win[i].sym, win[i].ts);
			if (keep(m, &win[i]))
				s->q[(s->qhead + s->qlen++) % WINDOW] = win[i];
		}
	}
	return set_tf(m, s, &g);
}

/* Puts the next kept row of s into s->head. Returns 1, 0 when s is exhausted, or -1. */
static int refill(struct algo_csvmerge *m, src_t *s)
{
	int r;
	if (s->qlen > 0) {
		s->head = s->q[s->qhead];
		s->qhead = (s->qhead + 1) % WINDOW;
		s->qlen--;
		return 1;
	}
	while (s->nrev > 0) {
		s->head = s->rev[--s->nrev];
		if (keep(m, &s->head))
			return 1;
	}
	if (s->pend)
		return raise_pending(m, s);
	while (!s->done) {
		if ((r = read_row(m, s, &s->head, 0)) < 0)
			return -1;
		if (r == 0)
			s->done = 1;
		else if (keep(m, &s->head))
			return 1;
	}
	return 0;
}

/* Before a read that may block: hand what we have to the next stage. */
static void before_read(void *arg)
{
	struct algo_csvmerge *m = arg;
	algo_writer_flush(m->out.w);
	tick(m);
}

/* The symbol of a file without a symbol column: --symbol, else its file name. */
static int fixed_symbol(struct algo_csvmerge *m, src_t *s, const char *path)
{
	char name[64];
	size_t n;
	if (m->symbol)
		return (s->sym = intern(m, m->symbol, strlen(m->symbol))) < 0 ? -1 : 0;
	if (s->m.symbol >= 0)
		return 0;
	if (strcmp(path, "-") == 0)
		return failf(m, ALGO_EX_USAGE, "stdin has no symbol column: give --symbol");
	if ((n = algo_csv_symbol_from_path(path, name, sizeof name)) == 0)
		return failf(m, ALGO_EX_USAGE, "%s: no symbol column and no symbol in the file name: give --symbol", path);
	return (s->sym = intern(m, name, n)) < 0 ? -1 : 0;
}

static int open_source(struct algo_csvmerge *m, src_t *s, const char *path)
{
	char err[ALGO_ERR_MAX];
	int r;

	s->sym = -1;
	if (algo_csv_open(&s->csv, path, err, sizeof err) < 0)
		return failf(m, errno == ENOENT ? ALGO_EX_NOINPUT : ALGO_EX_FAIL, "%s", err);
	s->csv.before_read = before_read;
	s->csv.before_read_arg = m;
	if ((r = algo_csv_next(&s->csv, err, sizeof err)) == 0) {
		s->done = 1;                /* empty file: nothing to do */
		return 0;
	}
	if (r == -2)
		return failf(m, ALGO_EX_IOERR, "%s: %s", s->csv.name, err);
	if (r == -1 || algo_csv_map_header_with(&s->csv, &m->imp, &s->m, err, sizeof err) < 0)
		return failf(m, ALGO_EX_DATAERR, "%s:%ld: %s", s->csv.name, s->csv.lineno, err);
	return fixed_symbol(m, s, path);
}

int algo_csvmerge_open(struct algo_csvmerge *m, char **paths, int n, struct algo_writer *w)
{
	algo_barout_init(&m->out, w);
	m->nsrc = n;
	m->src = calloc((size_t)n, sizeof *m->src);
	m->heap = calloc((size_t)n, sizeof *m->heap);
	if (!m->src || !m->heap)
		return failf(m, ALGO_EX_FAIL, "out of memory");
	for (int i = 0; i < n; i++)
		if (open_source(m, &m->src[i], paths[i]) < 0)
			return -1;
	return 0;
}

int64_t algo_csvmerge_size(const struct algo_csvmerge *m)
{
	int64_t total = 0;
	for (int i = 0; i < m->nsrc; i++)
		total = m->src[i].csv.size < 0 || total < 0 ? -1 : total + m->src[i].csv.size;
	return total;
}

int64_t algo_csvmerge_done(const struct algo_csvmerge *m)
{
	int64_t done = 0;
	for (int i = 0; i < m->nsrc; i++)
		done += (int64_t)m->src[i].csv.bytes;
	return done;
}

/* ---- the merge: a binary heap of source indexes, earliest head first ---------- */

static int before(const struct algo_csvmerge *m, int a, int b)
{
	if (m->src[a].head.ts != m->src[b].head.ts)
		return m->src[a].head.ts < m->src[b].head.ts;
	return a < b;
}

static void sift_down(struct algo_csvmerge *m, int i)
{
	int *heap = m->heap;
	for (;;) {
		int l = 2 * i + 1, r = l + 1, k = i, t;
		if (l < m->nheap && before(m, heap[l], heap[k])) k = l;
		if (r < m->nheap && before(m, heap[r], heap[k])) k = r;
		if (k == i)
			return;
		t = heap[i], heap[i] = heap[k], heap[k] = t;
		i = k;
	}
}

static void push(struct algo_csvmerge *m, int s)
{
	int *heap = m->heap, i = m->nheap++;
	heap[i] = s;
	while (i > 0 && before(m, heap[i], heap[(i - 1) / 2])) {
		int p = (i - 1) / 2, t = heap[i];
		heap[i] = heap[p], heap[p] = t;
		i = p;
	}
}

/* A bar that does not go forward in its symbol's time is a bad row. */
static int backwards(struct algo_csvmerge *m, const src_t *s, const row_t *q, const struct algo_symtab_sym *y)
{
	char a[ALGO_TIME_FMT_MAX], b[ALGO_TIME_FMT_MAX], err[ALGO_ERR_MAX];
	algo_time_fmt(q->ts, ALGO_IST_OFFSET_MIN, a);
	algo_time_fmt(y->last, ALGO_IST_OFFSET_MIN, b);
	snprintf(err, sizeof err, "field '%s': %s is not after the previous bar of %s (%s)",
		s->m.ts >= 0 ? s->m.tsname : "time", a, y->name, b);
	return bad_row(m, s, q->lineno, err);
}

static int emit(struct algo_csvmerge *m, src_t *s, const row_t *q)
{
	struct algo_symtab_sym *y = &m->syms.s[q->sym];
	struct algo_candle c = { q->ts, q->o, q->h, q->l, q->c, q->v };

	if (y->seen && q->ts <= y->last)
		return backwards(m, s, q, y);
	y->seen = 1;
	y->last = q->ts;
	algo_barout_bar(&m->out, y->name, y->jslen ? y->js : NULL, y->jslen, s->tf, s->tfjs, s->tfjslen, &c, q->oi);
	return 0;
}

static int start(struct algo_csvmerge *m)
{
	for (int i = 0; i < m->nsrc; i++) {
		src_t *s = &m->src[i];
		int r;
		if (!s->done && infer_tf(m, s) < 0)
			return -1;
		s->tfjslen = (size_t)snprintf(s->tfjs, sizeof s->tfjs, "\"%s\"", s->tf);
		if ((r = refill(m, s)) < 0)
			return -1;
		if (r)
			push(m, i);
	}
	return 0;
}

static void summary(struct algo_csvmerge *m)
{
	if (m->nbad > 0)
		notice(m, "skipped %ld bad line%s", m->nbad, m->nbad == 1 ? "" : "s");
	for (int i = 0; i < m->nsrc; i++) {
		const src_t *s = &m->src[i];
		if (s->nnull)
			notice(m, "%s: skipped %ld row%s without prices (\"null\": no trading that day)",
				s->csv.name, s->nnull, s->nnull == 1 ? "" : "s");
		if (s->nemitted == 0)
			notice(m, "warning: %s: no bars: %s", s->csv.name, s->csv.nextline <= 1
				? "the file is empty" : s->nread == 0 ? "the file has no rows after its header"
				: "none of its rows gave a bar in range");
	}
}

int algo_csvmerge_run(struct algo_csvmerge *m)
{
	if (start(m) < 0)
		return -1;
	while (m->nheap > 0) {
		src_t *s = &m->src[m->heap[0]];
		int r;
		if (emit(m, s, &s->head) < 0)
			return -1;
		s->nemitted++;              /* a row skipped as out of order counts too */
		if ((r = refill(m, s)) < 0)
			return -1;
		if (!r)
			m->heap[0] = m->heap[--m->nheap];
		sift_down(m, 0);
	}
	summary(m);
	return 0;
}

void algo_csvmerge_free(struct algo_csvmerge *m)
{
	for (int i = 0; m->src && i < m->nsrc; i++) {
		algo_csv_close(&m->src[i].csv);
		free(m->src[i].rev);
	}
	free(m->src);
	free(m->heap);
	algo_symtab_free(&m->syms);
}
