/* algo-feed — market data into the pipeline.
 *
 * `algo-feed csv FILE...` reads OHLCV CSV files, validates every row, merges the files
 * in time order (a k-way merge over one buffered row per file, ties broken by command
 * line order) and writes a stream header followed by `bar` events. */
#include "cli.h"
#include "csv.h"
#include "decimal.h"
#include "event.h"
#include "barbuild.h"
#include "fyers_history.h"
#include "marketcal.h"
#include "progress.h"
#include "quotefeed.h"
#include "watchdog.h"
#include "timeutil.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define WINDOW ALGO_CSV_TF_WINDOW   /* rows read ahead per file to infer the timeframe */
#define MAXWARN 10          /* --skip-bad warnings shown before going quiet */

static const char usage_text[] =
	"Usage: algo-feed csv [OPTION]... FILE...\n"
	"       algo-feed replay [--speed X | --every MS] [--max-gap S] [--skip-bad] FILE...\n"
	"       algo-feed bars -t TF FILE...\n"
	"       algo-feed fyers history -s SYM[,SYM...] -t TF --from TS [--to TS] [--cont]\n"
	"                 [--format csv] [--no-cache]\n"
	"       algo-feed fyers quotes --symbols SYM[,SYM...] [--every 1s] [--bars TF]\n"
	"                 [--record FILE] [--stale 30s] [--outside wait|exit] [--until TS]\n"
	"csv: reads OHLCV CSV files ('-' = stdin), merges them in time order and writes\n"
	"a stream header and bar events (NDJSON) on stdout.\n"
	"replay: writes NDJSON events from FILEs unchanged, paced in wall-clock time by\n"
	"their market-time gaps (a live feed for tests, demos and kill-switch drills).\n"
	"bars: builds TF bars from the tick events of FILEs (a fyers quotes --record).\n"
	"fyers history: downloads bars from FYERS (chunked, cached under\n"
	"$XDG_CACHE_HOME/algo) and writes them like csv does.\n"
	"fyers quotes: polls live quotes and writes tick events, and bars with --bars.\n"
	"      --speed X         replay: X times market speed (default 1; 0 = no pacing)\n"
	"      --every MS        replay: a fixed MS milliseconds between events instead;\n"
	"                        quotes: the polling interval (1s, 500ms; default 1s)\n"
	"      --max-gap S       replay: sleep at most S seconds between events (default 5)\n"
	"  -s, --symbol SYM      symbol of every bar (default: symbol column, else file name);\n"
	"                        fyers: the symbols to fetch (repeat it, or SYM,SYM,...)\n"
	"  -t, --tf TF           timeframe, e.g. 1m 5m 1h 1d (default: inferred from spacing)\n"
	"      --date-format F   how dates are written, strptime-style: '%d-%m-%Y %H:%M',\n"
	"                        '%m/%d/%Y' (default: ISO, DD-MM-YYYY, 05-Jun-2023, epoch...)\n"
	"      --columns MAP     column names, e.g. 'Date=timestamp,Shares Traded=volume'\n"
	"                        (roles: timestamp date time open high low close volume oi\n"
	"                        symbol series)\n"
	"      --round           round prices with more than 4 decimals (default: refuse)\n"
	"      --from TS         keep bars opening at or after TS (date = 00:00 IST)\n"
	"      --to TS           keep bars opening before TS\n"
	"      --skip-bad        warn about and skip bad rows instead of stopping (exit 65)\n"
	"      --no-progress     never show the progress bar on stderr\n"
	"      --cont            fyers: continuous data of a futures or options series\n"
	"      --format F        fyers: ndjson (default) or csv (what 'algo-feed csv' reads)\n"
	"      --no-cache        fyers: neither read nor write the history cache\n"
	"      --symbols LIST    quotes: the symbols, SYM,SYM,... (like --symbol)\n"
	"      --bars TF         quotes: also build TF bars (1m, 5m, 1h...) from the ticks\n"
	"      --record FILE     quotes: also write every event to FILE (for replay)\n"
	"      --stale S         quotes: warn and reconnect after S without a change (30s; 0 off)\n"
	"      --outside W       quotes: outside market hours, wait (default) or exit\n"
	"      --until TS        quotes: stop when market time reaches TS\n"
	"      --calendar FILE   quotes: the trading calendar (default share/calendar/nse.txt)\n"
	"      --recheck S       quotes: how often market hours are asked again (60s)\n"
	"  -h, --help            print this help and exit\n"
	"      --version         print the version and exit\n";

struct qbar {
	int64_t ts, o, h, l, c, v, oi;
	long lineno;
	int sym;
};

struct source {
	const char *path;
	struct algo_csv csv;
	struct algo_csv_cols m;
	int sym;                    /* fixed symbol id, or -1 to read the symbol column */
	char tf[16];
	char tfjs[20];              /* tf as a JSON string */
	size_t tfjslen;
	struct qbar q[WINDOW];      /* rows read ahead during timeframe inference */
	int qhead, qlen;
	struct qbar head;           /* the row competing in the merge */
	int done;
	long nnull;                 /* rows without prices skipped (Yahoo's "null" days) */
	long nread, nemitted;       /* rows read after the header; bars written */
	struct qbar *rev;           /* a newest-first file, read whole and turned round */
	size_t nrev, caprev;
	int pend;                   /* a bad row found while reading ahead, raised in order */
	long pend_line;
	char pend_err[ALGO_ERR_MAX];
};

struct sym {
	char name[64];
	char js[68];                /* the name as a JSON string when it needs no escapes */
	size_t jslen;               /* 0 = use algo_out_str */
	int64_t last;
	int seen;
};

static struct {
	const char *symbol;
	int64_t tf;                 /* seconds, 0 = infer */
	int64_t from, to;
	int skip_bad;
	int progress;
	struct algo_csv_import imp;
} opt = { .from = INT64_MIN, .to = INT64_MAX, .progress = 1 };

static struct source *srcs;
static int nsrc;
static struct sym *syms;
static int nsyms, capsyms;
static int *htab;                 /* open addressing: symbol id + 1, 0 = empty */
static size_t hcap;
static long nbad;
static uint64_t nrows, nbars;

/* ---- progress bar --------------------------------------------------------- */

static struct algo_progress prog;   /* total: bytes of all inputs, -1 when unknown (stdin) */
static int prog_on;

static void progress_erase(void)
{
	const char *e = algo_progress_erase(&prog);
	if (*e) {
		fputs(e, stderr);
		fflush(stderr);
	}
}

static void progress_tick(void)
{
	char line[ALGO_PROGRESS_LINE_MAX];
	int64_t done = 0;
	size_t n;
	if (!prog_on)
		return;
	for (int i = 0; i < nsrc; i++)
		done += (int64_t)srcs[i].csv.bytes;
	if ((n = algo_progress_line(&prog, done, nrows, line, sizeof line)) && fwrite(line, 1, n, stderr) > 0)
		fflush(stderr);
}

/* Before a read that may block: hand what we have to the next stage. */
static void before_read(void *arg)
{
	algo_writer_flush(&algo_stdout);
	progress_tick();
}

/* ---- errors ----------------------------------------------------------------- */

static void fail(int code, const char *fmt, ...) __attribute__((noreturn, format(printf, 2, 3)));
static void fail(int code, const char *fmt, ...)
{
	char msg[ALGO_ERR_MAX + 256];
	va_list ap;

	algo_writer_flush(&algo_stdout);
	progress_erase();
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	algo_warn("%s", msg);
	exit(algo_out_finish(code));
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

/* A bad row: stop (exit 65) or, with --skip-bad, warn and count. */
static void bad_row(const struct source *s, long line, const char *err)
{
	if (!opt.skip_bad)
		fail(ALGO_EX_DATAERR, "%s:%ld: %s", s->csv.name, line, err);
	if (++nbad <= MAXWARN) {
		progress_erase();
		algo_warn("%s:%ld: %s (skipped)", s->csv.name, line, err);
	}
}

/* ---- symbols ---------------------------------------------------------------- */

static uint64_t hash(const char *s, size_t n)
{
	uint64_t h = 14695981039346656037ULL;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h;
}

/* Returns the id of symbol s (n <= 63 bytes), adding it on first sight. */
static int sym_intern(const char *s, size_t n)
{
	size_t i;

	if ((size_t)(nsyms + 1) * 2 > hcap) {
		size_t ncap = hcap ? hcap * 2 : 64;
		int *nt = calloc(ncap, sizeof *nt);
		if (!nt)
			fail(ALGO_EX_FAIL, "out of memory");
		for (int k = 0; k < nsyms; k++) {
			for (i = hash(syms[k].name, strlen(syms[k].name)) & (ncap - 1); nt[i]; i = (i + 1) & (ncap - 1))
				;
			nt[i] = k + 1;
		}
		free(htab);
		htab = nt;
		hcap = ncap;
	}
	for (i = hash(s, n) & (hcap - 1); htab[i]; i = (i + 1) & (hcap - 1)) {
		const char *name = syms[htab[i] - 1].name;
		if (strncmp(name, s, n) == 0 && name[n] == 0)
			return htab[i] - 1;
	}
	if (nsyms == capsyms) {
		int ncap = capsyms ? capsyms * 2 : 16;
		struct sym *ns = realloc(syms, (size_t)ncap * sizeof *ns);
		if (!ns)
			fail(ALGO_EX_FAIL, "out of memory");
		syms = ns;
		capsyms = ncap;
	}
	memcpy(syms[nsyms].name, s, n);
	syms[nsyms].name[n] = 0;
	syms[nsyms].jslen = n + 2;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == '"' || s[i] == '\\')
			syms[nsyms].jslen = 0;
	syms[nsyms].js[0] = '"';
	memcpy(syms[nsyms].js + 1, s, n);
	syms[nsyms].js[n + 1] = '"';
	syms[nsyms].seen = 0;
	for (i = hash(s, n) & (hcap - 1); htab[i]; i = (i + 1) & (hcap - 1))
		;
	htab[i] = nsyms + 1;
	return nsyms++;
}

/* ---- reading rows ----------------------------------------------------------- */

/* Next valid row of s, unfiltered. Returns 1, 0 at end, or -1 when defer is set and a
 * bad row was stored in s->pend (otherwise bad rows stop the program or are skipped). */
static int read_row(struct source *s, struct qbar *q, int defer)
{
	char err[ALGO_ERR_MAX];
	struct algo_csv_bar b;
	int r;

	for (;;) {
		b.hint = ALGO_CSV_HINT_NONE;
		r = algo_csv_next(&s->csv, err, sizeof err);
		if (r == 0)
			return 0;
		if (r == -2)
			fail(ALGO_EX_IOERR, "%s: %s", s->csv.name, err);
		s->nread++;
		if ((++nrows & 4095) == 0)
			progress_tick();
		if (r == 1 && (r = algo_csv_decode_bar(&s->csv, &s->m, &b, err, sizeof err)) >= 0) {
			if (r == 0)
				break;
			s->nnull++;
			continue;
		}
		if (r == -1 && b.hint != ALGO_CSV_HINT_NONE) {
			size_t n = strlen(err);
			snprintf(err + n, sizeof err - n, "%s", hint_text(b.hint));
		}
		if (defer && !opt.skip_bad) {
			s->pend = 1;
			s->pend_line = s->csv.lineno;
			snprintf(s->pend_err, sizeof s->pend_err, "%s", err);
			return -1;
		}
		bad_row(s, s->csv.lineno, err);
	}
	q->ts = b.ts;
	q->o = b.o;
	q->h = b.h;
	q->l = b.l;
	q->c = b.c;
	q->v = b.v;
	q->oi = b.oi;
	q->lineno = s->csv.lineno;
	q->sym = s->sym >= 0 ? s->sym : sym_intern(b.sym, b.symlen);
	return 1;
}

static int keep(const struct qbar *q)
{
	return q->ts >= opt.from && q->ts < opt.to;
}

/* Are the rows newest first (NSE's historical data)? Every symbol's consecutive rows
 * go back in time, and at least two steps say so (one step back is more likely a
 * mistake in the file, reported as such), or one when a bad row cut the window short
 * (so the bad row is reported, not the order). */
static int newest_first(const struct qbar *q, int n, int cut)
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

static void rev_push(struct source *s, const struct qbar *q)
{
	if (s->nrev == s->caprev) {
		size_t cap = s->caprev ? s->caprev * 2 : 1024;
		struct qbar *p = realloc(s->rev, cap * sizeof *p);
		if (!p)
			fail(ALGO_EX_FAIL, "%s: out of memory reading a newest-first file", s->csv.name);
		s->rev = p;
		s->caprev = cap;
	}
	s->rev[s->nrev++] = *q;
}

/* A newest-first file: reads the rest of it (bad rows stop or are skipped now, since
 * nothing of it is written before the end) and keeps the rows oldest first in s->rev,
 * to be served from the end. */
static void read_reversed(struct source *s, const struct qbar *win, int n)
{
	struct qbar q;
	if (s->pend)
		fail(ALGO_EX_DATAERR, "%s:%ld: %s", s->csv.name, s->pend_line, s->pend_err);
	for (int i = 0; i < n; i++)
		rev_push(s, &win[i]);
	while (read_row(s, &q, 0) == 1)
		rev_push(s, &q);
	s->done = 1;
	progress_erase();
	algo_warn("%s: rows are newest first; reading them oldest first", s->csv.name);
}

/* Reads up to WINDOW rows ahead (queueing the kept ones) and sets s->tf, from --tf
 * or inferred from those rows (algo_csv_tf_guess). A file that is newest first is read
 * whole and turned round (s->rev). */
static void infer_tf(struct source *s)
{
	static struct qbar win[WINDOW];
	struct algo_csv_tf g;
	int n = 0;
	int64_t tf;

	while (n < WINDOW && read_row(s, &win[n], 1) == 1)
		n++;
	algo_csv_tf_init(&g);
	if (newest_first(win, n, s->pend)) {
		read_reversed(s, win, n);
		for (size_t i = s->nrev; i-- > 0 && g.nbars < WINDOW;)
			algo_csv_tf_add(&g, s->rev[i].sym, s->rev[i].ts);
	} else {
		for (int i = 0; i < n; i++) {
			algo_csv_tf_add(&g, win[i].sym, win[i].ts);
			if (keep(&win[i]))
				s->q[(s->qhead + s->qlen++) % WINDOW] = win[i];
		}
	}
	if (opt.tf) {
		algo_tf_fmt(opt.tf, s->tf, sizeof s->tf);
		return;
	}
	if ((tf = algo_csv_tf_guess(&g)) > 0)
		algo_tf_fmt(tf, s->tf, sizeof s->tf);
	else if (s->pend)
		fail(ALGO_EX_DATAERR, "%s:%ld: %s", s->csv.name, s->pend_line, s->pend_err);
	else if (g.nbars > 0)
		fail(ALGO_EX_DATAERR, "%s: cannot infer the timeframe from %d bar%s; use --tf",
			s->csv.name, g.nbars, g.nbars == 1 ? "" : "s");
}

/* Puts the next kept row of s into s->head. Returns 1, or 0 when s is exhausted. */
static int refill(struct source *s)
{
	if (s->qlen > 0) {
		s->head = s->q[s->qhead];
		s->qhead = (s->qhead + 1) % WINDOW;
		s->qlen--;
		return 1;
	}
	while (s->nrev > 0) {
		s->head = s->rev[--s->nrev];
		if (keep(&s->head))
			return 1;
	}
	if (s->pend)
		fail(ALGO_EX_DATAERR, "%s:%ld: %s", s->csv.name, s->pend_line, s->pend_err);
	while (!s->done) {
		if (read_row(s, &s->head, 0) == 0)
			s->done = 1;
		else if (keep(&s->head))
			return 1;
	}
	return 0;
}

static void open_source(struct source *s, const char *path)
{
	char err[ALGO_ERR_MAX];
	int r;

	s->path = path;
	s->sym = -1;
	if (algo_csv_open(&s->csv, path, err, sizeof err) < 0)
		fail(errno == ENOENT ? ALGO_EX_NOINPUT : ALGO_EX_FAIL, "%s", err);
	s->csv.before_read = before_read;
	if ((r = algo_csv_next(&s->csv, err, sizeof err)) == 0) {
		s->done = 1;                /* empty file: nothing to do */
		return;
	}
	if (r == -2)
		fail(ALGO_EX_IOERR, "%s: %s", s->csv.name, err);
	if (r == -1 || algo_csv_map_header_with(&s->csv, &opt.imp, &s->m, err, sizeof err) < 0)
		fail(ALGO_EX_DATAERR, "%s:%ld: %s", s->csv.name, s->csv.lineno, err);
	if (opt.symbol)
		s->sym = sym_intern(opt.symbol, strlen(opt.symbol));
	else if (s->m.symbol < 0) {
		char name[64];
		size_t n;
		if (strcmp(path, "-") == 0)
			algo_usage_error("stdin has no symbol column: give --symbol");
		if ((n = algo_csv_symbol_from_path(path, name, sizeof name)) == 0)
			algo_usage_error("%s: no symbol column and no symbol in the file name: give --symbol", path);
		s->sym = sym_intern(name, n);
	}
}

/* ---- the merge ---------------------------------------------------------------- */

static int *heap, nheap;

static int before(int a, int b)
{
	if (srcs[a].head.ts != srcs[b].head.ts)
		return srcs[a].head.ts < srcs[b].head.ts;
	return a < b;
}

static void sift_down(int i)
{
	for (;;) {
		int l = 2 * i + 1, r = l + 1, m = i, t;
		if (l < nheap && before(heap[l], heap[m])) m = l;
		if (r < nheap && before(heap[r], heap[m])) m = r;
		if (m == i)
			return;
		t = heap[i], heap[i] = heap[m], heap[m] = t;
		i = m;
	}
}

static void push(int s)
{
	int i = nheap++;
	heap[i] = s;
	while (i > 0 && before(heap[i], heap[(i - 1) / 2])) {
		int p = (i - 1) / 2, t = heap[i];
		heap[i] = heap[p], heap[p] = t;
		i = p;
	}
}

/* Writes "ts" like algo_out_time but without a printf per bar: the date part is
 * formatted once per IST day. */
static void out_ts(int64_t ms)
{
	static int64_t day = INT64_MIN;
	static char buf[48];            /* "YYYY-MM-DDTHH:MM:SS+05:30" with quotes */
	static size_t datelen;
	int64_t local = ms + (int64_t)ALGO_IST_OFFSET_MIN * 60000, d, sec;

	if (ms % 1000 != 0 || local < 0) {
		algo_out_time(&algo_stdout, "ts", ms);
		return;
	}
	d = local / ALGO_MS_PER_DAY;
	if (d != day) {
		char t[ALGO_TIME_FMT_MAX];
		size_t n = algo_time_fmt(ms, ALGO_IST_OFFSET_MIN, t);
		buf[0] = '"';
		memcpy(buf + 1, t, n);
		buf[n + 1] = '"';
		datelen = 1 + (size_t)(strchr(t, 'T') - t) + 1;
		day = d;
	}
	sec = (local - d * ALGO_MS_PER_DAY) / 1000;
	buf[datelen + 0] = (char)('0' + sec / 36000);
	buf[datelen + 1] = (char)('0' + sec / 3600 % 10);
	buf[datelen + 3] = (char)('0' + sec / 600 % 6);
	buf[datelen + 4] = (char)('0' + sec / 60 % 10);
	buf[datelen + 6] = (char)('0' + sec % 60 / 10);
	buf[datelen + 7] = (char)('0' + sec % 10);
	algo_out_raw(&algo_stdout, "ts", buf, datelen + 8 + 6 + 1);
}

static void emit(const struct source *s, const struct qbar *q)
{
	struct sym *y = &syms[q->sym];

	if (y->seen && q->ts <= y->last) {
		char a[ALGO_TIME_FMT_MAX], b[ALGO_TIME_FMT_MAX], err[ALGO_ERR_MAX];
		algo_time_fmt(q->ts, ALGO_IST_OFFSET_MIN, a);
		algo_time_fmt(y->last, ALGO_IST_OFFSET_MIN, b);
		snprintf(err, sizeof err, "field '%s': %s is not after the previous bar of %s (%s)",
			s->m.ts >= 0 ? s->m.tsname : "time", a, y->name, b);
		bad_row(s, q->lineno, err);
		return;
	}
	y->seen = 1;
	y->last = q->ts;
	if (nbars++ == 0) {
		algo_out_begin(&algo_stdout);
		algo_out_str(&algo_stdout, "type", "stream");
		algo_out_time(&algo_stdout, "ts", q->ts);
		algo_out_int(&algo_stdout, "ver", 1);
		algo_out_str(&algo_stdout, "source", "algo-feed");
		algo_out_end(&algo_stdout);
	}
	algo_out_begin(&algo_stdout);
	algo_out_str(&algo_stdout, "type", "bar");
	out_ts(q->ts);
	if (y->jslen)
		algo_out_raw(&algo_stdout, "symbol", y->js, y->jslen);
	else
		algo_out_str(&algo_stdout, "symbol", y->name);
	algo_out_raw(&algo_stdout, "tf", s->tfjs, s->tfjslen);
	algo_out_dec(&algo_stdout, "o", q->o);
	algo_out_dec(&algo_stdout, "h", q->h);
	algo_out_dec(&algo_stdout, "l", q->l);
	algo_out_dec(&algo_stdout, "c", q->c);
	algo_out_int(&algo_stdout, "v", q->v);
	if (q->oi >= 0)
		algo_out_int(&algo_stdout, "oi", q->oi);
	algo_out_end(&algo_stdout);
}

/* ---- main ------------------------------------------------------------------- */

static int64_t opt_time(const char *name, const char *s)
{
	int64_t ms;
	if (algo_csv_parse_time(s, strlen(s), &ms) < 0)
		algo_usage_error("%s: cannot parse '%s' as a time", name, s);
	return ms;
}

static int cmd_csv(int argc, char **argv)
{
	enum { O_FROM = 256, O_TO, O_SKIP, O_NOPROG, O_VERSION, O_DATEFMT, O_COLUMNS, O_ROUND };
	static const struct option longopts[] = {
		{ "symbol", required_argument, NULL, 's' },
		{ "tf", required_argument, NULL, 't' },
		{ "from", required_argument, NULL, O_FROM },
		{ "to", required_argument, NULL, O_TO },
		{ "skip-bad", no_argument, NULL, O_SKIP },
		{ "no-progress", no_argument, NULL, O_NOPROG },
		{ "date-format", required_argument, NULL, O_DATEFMT },
		{ "columns", required_argument, NULL, O_COLUMNS },
		{ "round", no_argument, NULL, O_ROUND },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, O_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	int c, nstdin = 0;
	char err[ALGO_ERR_MAX];

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":s:t:h", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (!*optarg || strlen(optarg) > 63)
				algo_usage_error("--symbol: must be 1 to 63 bytes");
			opt.symbol = optarg;
			break;
		case 't':
			if ((opt.tf = algo_tf_parse(optarg, strlen(optarg))) <= 0)
				algo_usage_error("--tf: '%s' is not a timeframe (like 1m, 5m, 1h, 1d)", optarg);
			break;
		case O_FROM: opt.from = opt_time("--from", optarg); break;
		case O_TO: opt.to = opt_time("--to", optarg); break;
		case O_SKIP: opt.skip_bad = 1; break;
		case O_NOPROG: opt.progress = 0; break;
		case O_DATEFMT:
			if (algo_csv_import_date_format(&opt.imp, optarg, err, sizeof err) < 0)
				algo_usage_error("--date-format: %s", err);
			break;
		case O_COLUMNS:
			if (algo_csv_import_columns(&opt.imp, optarg, err, sizeof err) < 0)
				algo_usage_error("--columns: %s", err);
			break;
		case O_ROUND: opt.imp.round = 1; break;
		case 'h': fputs(usage_text, stdout); return algo_out_finish(ALGO_EX_OK);
		case O_VERSION: algo_print_version();
		case ':': algo_usage_error("option '%s' needs a value", argv[optind - 1]);
		default: algo_usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		algo_usage_error("no input FILE (use '-' for stdin)");
	if (opt.from >= opt.to)
		algo_usage_error("--from must be before --to");
	for (int i = optind; i < argc; i++)
		if (strcmp(argv[i], "-") == 0 && ++nstdin > 1)
			algo_usage_error("stdin ('-') can be read only once");

	nsrc = argc - optind;
	srcs = calloc((size_t)nsrc, sizeof *srcs);
	heap = calloc((size_t)nsrc, sizeof *heap);
	if (!srcs || !heap)
		fail(ALGO_EX_FAIL, "out of memory");
	for (int i = 0; i < nsrc; i++)
		open_source(&srcs[i], argv[optind + i]);

	{
		int64_t total = 0;
		for (int i = 0; i < nsrc; i++)
			total = srcs[i].csv.size < 0 || total < 0 ? -1 : total + srcs[i].csv.size;
		prog_on = opt.progress && isatty(2);
		algo_progress_start(&prog, algo_progname, "bars", total);
	}

	for (int i = 0; i < nsrc; i++) {
		if (!srcs[i].done)
			infer_tf(&srcs[i]);
		srcs[i].tfjslen = (size_t)snprintf(srcs[i].tfjs, sizeof srcs[i].tfjs, "\"%s\"", srcs[i].tf);
		if (refill(&srcs[i]))
			push(i);
	}
	while (nheap > 0) {
		struct source *s = &srcs[heap[0]];
		emit(s, &s->head);
		s->nemitted++;
		if (!refill(s))
			heap[0] = heap[--nheap];
		sift_down(0);
	}

	progress_erase();
	if (nbad > 0)
		algo_warn("skipped %ld bad line%s", nbad, nbad == 1 ? "" : "s");
	for (int i = 0; i < nsrc; i++) {
		if (srcs[i].nnull)
			algo_warn("%s: skipped %ld row%s without prices (\"null\": no trading that day)",
				srcs[i].csv.name, srcs[i].nnull, srcs[i].nnull == 1 ? "" : "s");
		if (srcs[i].nemitted == 0)
			algo_warn("warning: %s: no bars: %s", srcs[i].csv.name, srcs[i].csv.nextline <= 1
				? "the file is empty" : srcs[i].nread == 0 ? "the file has no rows after its header"
				: "none of its rows gave a bar in range");
		algo_csv_close(&srcs[i].csv);
		free(srcs[i].rev);
	}
	free(srcs);
	free(heap);
	free(syms);
	free(htab);
	return algo_out_finish(ALGO_EX_OK);
}

/* ---- replay ---------------------------------------------------------------------- */

static void sleep_ms(int64_t ms)
{
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };
	while (ms > 0 && nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* algo-feed replay: every line is checked (valid JSON with a type and an RFC 3339
 * ts) and written unchanged; before it, the stage sleeps for the market-time gap to
 * the previous event divided by --speed, at most --max-gap seconds (an overnight gap
 * must not stall a drill), or a fixed --every. Output is flushed after each event
 * when pacing, so the next stage sees it at once. */
static int cmd_replay(int argc, char **argv)
{
	enum { O_SPEED = 256, O_EVERY, O_MAXGAP, O_SKIP, O_VERSION };
	static const struct option opts[] = {
		{ "speed", required_argument, NULL, O_SPEED },
		{ "every", required_argument, NULL, O_EVERY },
		{ "max-gap", required_argument, NULL, O_MAXGAP },
		{ "skip-bad", no_argument, NULL, O_SKIP },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, O_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	double speed = 1.0, maxgap = 5.0;
	int64_t every = -1, prev = INT64_MIN;
	int c, skip = 0, code = ALGO_EX_OK;
	long bad = 0;
	char err[ALGO_ERR_MAX];

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case O_SPEED: speed = algo_cli_double("--speed", optarg, 0, 1e9); break;
		case O_EVERY: every = algo_cli_int("--every", optarg, 0, 3600000); break;
		case O_MAXGAP: maxgap = algo_cli_double("--max-gap", optarg, 0, 86400); break;
		case O_SKIP: skip = 1; break;
		case 'h': fputs(usage_text, stdout); return algo_out_finish(ALGO_EX_OK);
		case O_VERSION: algo_print_version();
		case ':': algo_usage_error("option '%s' needs a value", argv[optind - 1]);
		default: algo_usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		algo_usage_error("replay: no input file (use '-' for stdin)");
	for (int i = optind; i < argc && code == ALGO_EX_OK; i++) {
		struct algo_reader r;
		const char *line;
		size_t len;
		int rc;
		if (algo_reader_open(&r, argv[i], err, sizeof err)) {
			algo_writer_flush(&algo_stdout);
			algo_die(errno == ENOENT ? ALGO_EX_NOINPUT : ALGO_EX_IOERR, "%s", err);
		}
		while ((rc = algo_reader_next(&r, &line, &len, err, sizeof err)) != 0) {
			struct algo_event ev;
			int64_t ts;
			if (rc == -2) { algo_warn("%s", err); code = ALGO_EX_IOERR; break; }
			if (rc == -1 || algo_event_parse(&ev, line, len, err, sizeof err) ||
			    algo_event_time(&ev, "ts", 1, &ts, err, sizeof err) < 0) {
				if (!skip) {
					algo_writer_flush(&algo_stdout);
					algo_warn("%s:%ld: %s", r.name, r.lineno, err);
					code = ALGO_EX_DATAERR;
					break;
				}
				if (++bad <= 10) algo_warn("%s:%ld: %s (skipped)", r.name, r.lineno, err);
				continue;
			}
			if (every >= 0) {
				if (prev != INT64_MIN) sleep_ms(every);
			} else if (speed > 0 && prev != INT64_MIN && ts > prev) {
				double ms = (double)(ts - prev) / speed;
				if (ms > maxgap * 1000) ms = maxgap * 1000;
				sleep_ms((int64_t)ms);
			}
			prev = ts;
			algo_out_line(&algo_stdout, line, len);
			if (every >= 0 || speed > 0) algo_writer_flush(&algo_stdout);
		}
		algo_reader_close(&r);
	}
	if (bad) algo_warn("skipped %ld bad line%s", bad, bad == 1 ? "" : "s");
	return algo_out_finish(code);
}

/* ---- fyers history ------------------------------------------------------------------ */

#define MAXFYSYM 256

static struct {
	struct algo_fyers f;
	struct algo_fyers_hist h[MAXFYSYM];
	struct algo_candle head[MAXFYSYM];
	int live[MAXFYSYM];
	int n;
	int csv;
	char tf[16];
	long bars;
} fy;

static void fy_notice(void *arg, const char *msg)
{
	algo_writer_flush(&algo_stdout);
	algo_warn("%s", msg);
}

static void fy_add_symbols(char *list)
{
	for (char *save = NULL, *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (fy.n == MAXFYSYM)
			algo_usage_error("--symbol: at most %d symbols", MAXFYSYM);
		if (!*t || strlen(t) > 63)
			algo_usage_error("--symbol: '%s' must be 1 to 63 bytes", t);
		snprintf(fy.h[fy.n++].symbol, sizeof fy.h[0].symbol, "%s", t);
	}
}

/* The stream header, when first, then a bar event. */
static void fy_bar(int first, const char *symbol, const char *tf, const struct algo_candle *c)
{
	if (first) {
		algo_out_begin(&algo_stdout);
		algo_out_str(&algo_stdout, "type", "stream");
		algo_out_time(&algo_stdout, "ts", c->ts);
		algo_out_int(&algo_stdout, "ver", 1);
		algo_out_str(&algo_stdout, "source", "algo-feed");
		algo_out_end(&algo_stdout);
	}
	algo_out_begin(&algo_stdout);
	algo_out_str(&algo_stdout, "type", "bar");
	algo_out_time(&algo_stdout, "ts", c->ts);
	algo_out_str(&algo_stdout, "symbol", symbol);
	algo_out_str(&algo_stdout, "tf", tf);
	algo_out_dec(&algo_stdout, "o", c->o);
	algo_out_dec(&algo_stdout, "h", c->h);
	algo_out_dec(&algo_stdout, "l", c->l);
	algo_out_dec(&algo_stdout, "c", c->c);
	algo_out_int(&algo_stdout, "v", c->v);
	algo_out_end(&algo_stdout);
}

static void fy_write(int i, const struct algo_candle *c)
{
	if (fy.csv) {
		char line[256], t[ALGO_TIME_FMT_MAX], o[32], h[32], l[32], cl[32];
		int n;
		algo_time_fmt(c->ts, ALGO_IST_OFFSET_MIN, t);
		algo_dec_fmt(c->o, o), algo_dec_fmt(c->h, h), algo_dec_fmt(c->l, l), algo_dec_fmt(c->c, cl);
		if (fy.bars++ == 0)
			algo_out_line(&algo_stdout, "timestamp,symbol,open,high,low,close,volume", 43);
		n = snprintf(line, sizeof line, "%s,%s,%s,%s,%s,%s,%lld", t, fy.h[i].symbol, o, h, l, cl, (long long)c->v);
		algo_out_line(&algo_stdout, line, (size_t)n);
		return;
	}
	fy_bar(fy.bars++ == 0, fy.h[i].symbol, fy.tf, c);
}

/* Next candle of symbol i into fy.head[i]; a broker error ends the run. */
static void fy_pull(int i)
{
	char err[ALGO_ERR_MAX + 600];
	int rc = algo_fyers_hist_next(&fy.h[i], &fy.head[i], err, sizeof err);
	if (rc < 0)
		fail(algo_fyers_exit_code(-rc), "%s", err);
	fy.live[i] = rc;
}

/* Merges the symbols' candles in time order (ties in command-line order). */
static void fy_merge(void)
{
	for (int i = 0; i < fy.n; i++)
		fy_pull(i);
	for (;;) {
		int m = -1;
		for (int i = 0; i < fy.n; i++)
			if (fy.live[i] && (m < 0 || fy.head[i].ts < fy.head[m].ts))
				m = i;
		if (m < 0)
			return;
		fy_write(m, &fy.head[m]);
		fy_pull(m);
	}
}

static int fy_history(int argc, char **argv)
{
	enum { O_FROM = 256, O_TO, O_CONT, O_FORMAT, O_NOCACHE, O_VERSION };
	static const struct option opts[] = {
		{ "symbol", required_argument, NULL, 's' }, { "tf", required_argument, NULL, 't' },
		{ "from", required_argument, NULL, O_FROM }, { "to", required_argument, NULL, O_TO },
		{ "cont", no_argument, NULL, O_CONT }, { "format", required_argument, NULL, O_FORMAT },
		{ "no-cache", no_argument, NULL, O_NOCACHE }, { "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, O_VERSION }, { NULL, 0, NULL, 0 },
	};
	int64_t tf = 0, from = INT64_MIN, to = INT64_MIN;
	int c, cont = 0, cache = 1, cls;
	char err[ALGO_ERR_MAX], dir[4096];
	long req = 0, hits = 0, dropped = 0;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":s:t:h", opts, NULL)) != -1) {
		switch (c) {
		case 's': fy_add_symbols(optarg); break;
		case 't':
			for (char *p = optarg; *p; p++)
				*p = *p == 'D' ? 'd' : *p == 'S' ? 's' : *p;
			if ((tf = algo_tf_parse(optarg, strlen(optarg))) <= 0 || algo_fyers_resolution(tf, dir) < 0)
				algo_usage_error("--tf: '%s' is not a FYERS resolution (%s)", optarg, algo_fyers_resolutions());
			break;
		case O_FROM: from = opt_time("--from", optarg); break;
		case O_TO: to = opt_time("--to", optarg); break;
		case O_CONT: cont = 1; break;
		case O_FORMAT:
			if (strcmp(optarg, "csv") != 0 && strcmp(optarg, "ndjson") != 0)
				algo_usage_error("--format: '%s' is not ndjson or csv", optarg);
			fy.csv = optarg[0] == 'c';
			break;
		case O_NOCACHE: cache = 0; break;
		case 'h': fputs(usage_text, stdout); return algo_out_finish(ALGO_EX_OK);
		case O_VERSION: algo_print_version();
		case ':': algo_usage_error("option '%s' needs a value", argv[optind - 1]);
		default: algo_usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		algo_usage_error("fyers history: unexpected argument '%s'", argv[optind]);
	if (fy.n == 0 || tf == 0 || from == INT64_MIN)
		algo_usage_error("fyers history needs --symbol, --tf and --from");
	if (to == INT64_MIN)
		to = algo_clock_ms();
	if (from >= to)
		algo_usage_error("--from must be before --to");
	algo_tf_fmt(tf, fy.tf, sizeof fy.tf);
	if (cache && algo_histcache_dir(dir, sizeof dir, err, sizeof err) < 0)
		fail(ALGO_EX_CONFIG, "%s", err);
	cls = algo_fyers_open(&fy.f, ALGO_FYERS_NEED_TOKEN, err, sizeof err);
	fy.f.notice = fy_notice;
	if (cls != ALGO_FYERS_OK)
		fail(algo_fyers_exit_code(cls), "%s", err);
	for (int i = 0; i < fy.n; i++) {
		char sym[64];
		snprintf(sym, sizeof sym, "%s", fy.h[i].symbol);
		if (algo_fyers_hist_init(&fy.h[i], &fy.f, sym, tf, cont, from, to, cache ? dir : NULL, err, sizeof err) < 0)
			algo_usage_error("%s: %s", sym, err);
	}
	fy_merge();
	for (int i = 0; i < fy.n; i++) {
		req += fy.h[i].requests, hits += fy.h[i].hits, dropped += fy.h[i].dropped;
		if (fy.h[i].last == INT64_MIN)
			algo_warn("%s: no %s bars in the range (a holiday, a weekend, or before the listing)",
				fy.h[i].symbol, fy.tf);
		algo_fyers_hist_free(&fy.h[i]);
	}
	if (dropped)
		algo_warn("dropped %ld candle%s with impossible prices", dropped, dropped == 1 ? "" : "s");
	algo_fyers_close(&fy.f);
	(void)req, (void)hits;
	return algo_out_finish(fy.bars ? ALGO_EX_OK : ALGO_EX_NOINPUT);
}

/* ---- fyers quotes ------------------------------------------------------------------- */

static struct {
	struct algo_quotefeed qf;
	struct algo_barbuild bb;
	struct algo_watchdog wd;
	struct algo_marketcal cal;
	int bars_on, outside_exit, recfd, events;
	int64_t every, stale, recheck, until, offset;
	char tf[16];
} lq = { .recfd = -1, .every = 1000, .stale = 30000, .recheck = 60000, .until = INT64_MAX, .offset = INT64_MIN };

/* Hands the poll's events to the next stage, and to the --record file. */
static void lq_flush(void)
{
	if (lq.recfd >= 0 && algo_stdout.tap_len) {
		if (write(lq.recfd, algo_stdout.tap, algo_stdout.tap_len) != (ssize_t)algo_stdout.tap_len)
			fail(ALGO_EX_IOERR, "--record: %s", strerror(errno));
		algo_stdout.tap_len = 0;
	}
	algo_writer_flush(&algo_stdout);
}

static void lq_stream(int64_t ts)
{
	if (lq.events++ == 0) {
		algo_out_begin(&algo_stdout);
		algo_out_str(&algo_stdout, "type", "stream");
		algo_out_time(&algo_stdout, "ts", ts);
		algo_out_int(&algo_stdout, "ver", 1);
		algo_out_str(&algo_stdout, "source", "algo-feed");
		algo_out_end(&algo_stdout);
	}
}

static void lq_bar(void *arg, int sym, const struct algo_candle *bar)
{
	fy_bar(lq.events++ == 0, lq.qf.sym[sym], lq.tf, bar);
}

static void lq_tick(int i)
{
	const struct algo_quote *q = &lq.qf.q[i];
	if (lq.bars_on)             /* a bar this tick completes goes first */
		algo_barbuild_tick(&lq.bb, i, q->ts, q->ltp, q->vol);
	lq_stream(q->ts);
	algo_out_begin(&algo_stdout);
	algo_out_str(&algo_stdout, "type", "tick");
	algo_out_time(&algo_stdout, "ts", q->ts);
	algo_out_str(&algo_stdout, "symbol", lq.qf.sym[i]);
	algo_out_dec(&algo_stdout, "ltp", q->ltp);
	if (q->bid > 0)
		algo_out_dec(&algo_stdout, "bid", q->bid);
	if (q->ask > 0)
		algo_out_dec(&algo_stdout, "ask", q->ask);
	if (q->vol >= 0)
		algo_out_int(&algo_stdout, "v", q->vol);
	algo_out_end(&algo_stdout);
}

/* Market time: the wall clock, shifted when the quotes' own times are far from it (a
 * replayed or scripted feed), so bars close at their boundary in the feed's time. */
static int64_t lq_market_now(int64_t wall)
{
	return wall + (lq.offset == INT64_MIN ? 0 : lq.offset);
}

static void lq_learn_offset(int64_t wall)
{
	for (int i = 0; i < lq.qf.n; i++) {
		int64_t d = lq.qf.q[i].ts - wall;
		if (!lq.qf.q[i].changed)
			continue;
		if (d > -5000 && d < 5000)
			d = 0;
		if (lq.offset == INT64_MIN || d > lq.offset)
			lq.offset = d;
	}
}

/* Is the market open? marketStatus when it answers, else the calendar. */
static int lq_open(int64_t wall, char *why, size_t len)
{
	char err[ALGO_ERR_MAX + 600];
	int rc = algo_quotefeed_market(&lq.qf, why, len, err, sizeof err);
	if (rc == -ALGO_FYERS_EAUTH || rc == -ALGO_FYERS_EPERM)
		fail(algo_fyers_exit_code(-rc), "%s", err);
	if (rc >= 0)
		return rc;
	algo_warn("%s; the calendar decides", err);
	snprintf(why, len, "the calendar: %s", algo_marketcal_is_holiday(&lq.cal, wall) ? "a holiday" : "outside the session");
	return algo_marketcal_is_open(&lq.cal, wall);
}

/* Outside market hours: exits (--outside exit) or waits for the next session, asking
 * again every --recheck. Returns when the market is open. */
static void lq_wait_open(void)
{
	char why[200], when[ALGO_TIME_FMT_MAX];
	int said = 0;
	for (;;) {
		int64_t wall = algo_clock_ms(), next;
		if (lq_open(wall, why, sizeof why))
			break;
		next = algo_marketcal_next_open(&lq.cal, wall);
		algo_time_fmt(next, ALGO_IST_OFFSET_MIN, when);
		lq_flush();
		if (lq.outside_exit) {
			algo_warn("the market is closed (%s); the next session opens %s", why, when);
			exit(algo_out_finish(ALGO_EX_OK));
		}
		if (!said++)
			algo_warn("the market is closed (%s); waiting for the next session (%s)", why, when);
		algo_sleep_ms(next - wall < lq.recheck && next > wall ? next - wall : lq.recheck);
	}
	if (said)
		algo_warn("the market is open");
	algo_watchdog_feed(&lq.wd, algo_mono_ms());
}

static void lq_watch(int changed)
{
	char err[ALGO_ERR_MAX];
	int64_t mono = algo_mono_ms();
	if (changed) {
		algo_watchdog_feed(&lq.wd, mono);
		return;
	}
	if (!algo_watchdog_check(&lq.wd, mono))
		return;
	lq_flush();
	algo_warn("no quote has changed for %.1f s during market hours: the feed may be stalled; reconnecting",
		(double)lq.stale / 1000);
	if (algo_quotefeed_reconnect(&lq.qf, err, sizeof err) < 0)
		fail(ALGO_EX_UNAVAILABLE, "reconnect: %s", err);
}

/* One poll: ticks for the quotes that changed, bars that completed, the watchdog. */
static void lq_poll(void)
{
	char err[ALGO_ERR_MAX + 600];
	int64_t wall = algo_clock_ms();
	int rc = algo_quotefeed_poll(&lq.qf, wall, err, sizeof err);
	if (rc < 0 && (rc == -ALGO_FYERS_EUNAVAIL || rc == -ALGO_FYERS_ERATE || rc == -ALGO_FYERS_EPROTO)) {
		lq_flush();
		algo_warn("%s (polling on)", err);
		rc = 0;
	} else if (rc < 0)
		fail(algo_fyers_exit_code(-rc), "%s", err);
	lq_learn_offset(wall);
	for (int i = 0; i < lq.qf.n; i++)
		if (lq.qf.q[i].changed)
			lq_tick(i);
	if (lq.bars_on)
		algo_barbuild_close(&lq.bb, lq_market_now(wall) < lq.until ? lq_market_now(wall) : lq.until);
	lq_watch(rc > 0);
	lq_flush();
}

/* "1s", "500ms", "250" (ms). */
static int64_t opt_ms(const char *name, const char *s)
{
	char *end;
	long long v = strtoll(s, &end, 10);
	int64_t unit = strcmp(end, "s") == 0 ? 1000 : strcmp(end, "ms") == 0 || !*end ? 1 : strcmp(end, "m") == 0 ? 60000 : -1;
	if (end == s || unit < 0 || v < 0 || v > 86400000LL / unit)
		algo_usage_error("%s: '%s' is not a duration like 1s, 500ms or 2m", name, s);
	return (int64_t)v * unit;
}

static void lq_calendar(const char *path)
{
	char def[4096], err[ALGO_ERR_MAX + 100];
	if (!path && !(path = getenv("ALGO_CALENDAR")) && algo_marketcal_default(def, sizeof def) == 0)
		path = def;
	if (!path) {
		algo_marketcal_load(&lq.cal, "/dev/null", err, sizeof err);
		return;
	}
	if (algo_marketcal_load(&lq.cal, path, err, sizeof err) < 0)
		fail(errno == ENOENT ? ALGO_EX_NOINPUT : ALGO_EX_DATAERR, "--calendar: %s", err);
}

static int fy_quotes(int argc, char **argv)
{
	enum { O_SYMBOLS = 256, O_EVERY, O_BARS, O_RECORD, O_STALE, O_OUTSIDE, O_UNTIL, O_CALENDAR, O_RECHECK, O_VERSION };
	static const struct option opts[] = {
		{ "symbol", required_argument, NULL, 's' }, { "symbols", required_argument, NULL, O_SYMBOLS },
		{ "every", required_argument, NULL, O_EVERY }, { "bars", required_argument, NULL, O_BARS },
		{ "record", required_argument, NULL, O_RECORD }, { "stale", required_argument, NULL, O_STALE },
		{ "outside", required_argument, NULL, O_OUTSIDE }, { "until", required_argument, NULL, O_UNTIL },
		{ "calendar", required_argument, NULL, O_CALENDAR }, { "recheck", required_argument, NULL, O_RECHECK },
		{ "help", no_argument, NULL, 'h' }, { "version", no_argument, NULL, O_VERSION }, { NULL, 0, NULL, 0 },
	};
	const char *record = NULL, *calendar = NULL;
	char *names[MAXFYSYM], err[ALGO_ERR_MAX];
	int c, cls;
	int64_t tf = 0;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":s:h", opts, NULL)) != -1) {
		switch (c) {
		case 's': case O_SYMBOLS: fy_add_symbols(optarg); break;
		case O_EVERY: if ((lq.every = opt_ms("--every", optarg)) < 100) algo_usage_error("--every: at least 100ms"); break;
		case O_BARS:
			if ((tf = algo_tf_parse(optarg, strlen(optarg))) <= 0 || algo_barbuild_init(&lq.bb, 1, tf) < 0)
				algo_usage_error("--bars: '%s' is not a bar timeframe (1m, 5m, 15m, 1h, ...)", optarg);
			algo_barbuild_free(&lq.bb);
			break;
		case O_RECORD: record = optarg; break;
		case O_STALE: lq.stale = opt_ms("--stale", optarg); if (!strpbrk(optarg, "ms")) lq.stale *= 1000; break;
		case O_OUTSIDE:
			if (strcmp(optarg, "wait") != 0 && strcmp(optarg, "exit") != 0)
				algo_usage_error("--outside: '%s' is not wait or exit", optarg);
			lq.outside_exit = optarg[0] == 'e';
			break;
		case O_UNTIL: lq.until = opt_time("--until", optarg); break;
		case O_CALENDAR: calendar = optarg; break;
		case O_RECHECK: lq.recheck = opt_ms("--recheck", optarg); if (!strpbrk(optarg, "ms")) lq.recheck *= 1000; break;
		case 'h': fputs(usage_text, stdout); return algo_out_finish(ALGO_EX_OK);
		case O_VERSION: algo_print_version();
		case ':': algo_usage_error("option '%s' needs a value", argv[optind - 1]);
		default: algo_usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		algo_usage_error("fyers quotes: unexpected argument '%s'", argv[optind]);
	if (fy.n == 0)
		algo_usage_error("fyers quotes needs --symbols");
	lq_calendar(calendar);
	if (record && (lq.recfd = open(record, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0)
		fail(ALGO_EX_CANTCREAT, "--record: %s: %s", record, strerror(errno));
	algo_stdout.tap_on = lq.recfd >= 0;
	cls = algo_fyers_open(&fy.f, ALGO_FYERS_NEED_TOKEN, err, sizeof err);
	fy.f.notice = fy_notice;
	if (cls != ALGO_FYERS_OK)
		fail(algo_fyers_exit_code(cls), "%s", err);
	for (int i = 0; i < fy.n; i++)
		names[i] = fy.h[i].symbol;
	if (algo_quotefeed_init(&lq.qf, &fy.f, names, fy.n, err, sizeof err) < 0)
		algo_usage_error("%s", err);
	if (tf) {
		algo_barbuild_init(&lq.bb, fy.n, tf);
		lq.bb.emit = lq_bar;
		lq.bars_on = 1;
		algo_tf_fmt(tf, lq.tf, sizeof lq.tf);
	}
	algo_watchdog_init(&lq.wd, lq.stale, algo_mono_ms());
	for (int64_t next = algo_mono_ms(), checked = next;; next += lq.every) {
		int64_t mono = algo_mono_ms();
		if (mono - checked >= lq.recheck || lq.qf.polls == 0) {
			lq_wait_open();
			checked = algo_mono_ms();
		}
		lq_poll();
		if (lq_market_now(algo_clock_ms()) >= lq.until)
			break;
		if ((mono = algo_mono_ms()) < next + lq.every)
			algo_sleep_ms(next + lq.every - mono);
		else
			next = mono - lq.every;
	}
	lq_flush();
	algo_quotefeed_free(&lq.qf);
	algo_barbuild_free(&lq.bb);
	algo_marketcal_free(&lq.cal);
	algo_fyers_close(&fy.f);
	return algo_out_finish(ALGO_EX_OK);
}

/* ---- bars from ticks ------------------------------------------------------------------ */

#define MAXBARSYM 4096

static struct {
	struct algo_barbuild bb;
	char tf[16];
	int64_t ts;                  /* of the last tick */
	long events;
} tb;

static void tb_bar(void *arg, int sym, const struct algo_candle *bar)
{
	fy_bar(tb.events++ == 0, syms[sym].name, tb.tf, bar);
}

/* One tick line into the builder. Returns 0, or -1 with err set. */
static int tb_tick(const char *line, size_t len, char *err, size_t errlen)
{
	struct algo_event ev;
	char sym[64];
	int64_t ts, ltp, v = -1;
	int id;
	if (algo_event_parse(&ev, line, len, err, errlen) < 0)
		return -1;
	if (ev.type != ALGO_EV_TICK)
		return 0;
	if (algo_event_time(&ev, "ts", 1, &ts, err, errlen) < 0 || algo_event_name(&ev, "symbol", 1, sym, sizeof sym, err, errlen) < 0 ||
	    algo_event_price(&ev, "ltp", 1, &ltp, err, errlen) < 0 || algo_event_int(&ev, "v", 0, &v, err, errlen) < 0)
		return -1;
	if ((id = sym_intern(sym, strlen(sym))) >= MAXBARSYM) {
		snprintf(err, errlen, "more than %d symbols", MAXBARSYM);
		return -1;
	}
	algo_barbuild_close(&tb.bb, ts);
	algo_barbuild_tick(&tb.bb, id, ts, ltp, v);
	tb.ts = ts;
	return 0;
}

/* algo-feed bars --tf TF FILE...: the tick events of FILEs (a --record of fyers
 * quotes, say) into bars as fyers quotes --bars builds them live; at the end of the
 * input the bars still open are written. Other events are dropped. */
static int cmd_bars(int argc, char **argv)
{
	enum { O_TF = 256, O_VERSION };
	static const struct option opts[] = {
		{ "tf", required_argument, NULL, 't' }, { "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, O_VERSION }, { NULL, 0, NULL, 0 },
	};
	int64_t tf = 0;
	int c;
	char err[ALGO_ERR_MAX];

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":t:h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			if ((tf = algo_tf_parse(optarg, strlen(optarg))) <= 0 || algo_barbuild_init(&tb.bb, MAXBARSYM, tf) < 0)
				algo_usage_error("--tf: '%s' is not a bar timeframe (1m, 5m, 15m, 1h, ...)", optarg);
			break;
		case 'h': fputs(usage_text, stdout); return algo_out_finish(ALGO_EX_OK);
		case O_VERSION: algo_print_version();
		case ':': algo_usage_error("option '%s' needs a value", argv[optind - 1]);
		default: algo_usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (!tf)
		algo_usage_error("bars needs --tf");
	if (optind >= argc)
		algo_usage_error("bars: no input file (use '-' for stdin)");
	algo_tf_fmt(tf, tb.tf, sizeof tb.tf);
	tb.bb.emit = tb_bar;
	for (int i = optind; i < argc; i++) {
		struct algo_reader r;
		const char *line;
		size_t len;
		int rc;
		if (algo_reader_open(&r, argv[i], err, sizeof err))
			fail(errno == ENOENT ? ALGO_EX_NOINPUT : ALGO_EX_IOERR, "%s", err);
		while ((rc = algo_reader_next(&r, &line, &len, err, sizeof err)) != 0) {
			if (rc == -2)
				fail(ALGO_EX_IOERR, "%s", err);
			if (rc == -1 || tb_tick(line, len, err, sizeof err) < 0)
				fail(ALGO_EX_DATAERR, "%s:%ld: %s", r.name, r.lineno, err);
		}
		algo_reader_close(&r);
	}
	algo_barbuild_close(&tb.bb, INT64_MAX);
	algo_barbuild_free(&tb.bb);
	return algo_out_finish(ALGO_EX_OK);
}

static int cmd_fyers(int argc, char **argv)
{
	if (argc < 2)
		algo_usage_error("fyers: missing subcommand (history, quotes)");
	if (strcmp(argv[1], "history") == 0)
		return fy_history(argc - 1, argv + 1);
	if (strcmp(argv[1], "quotes") == 0)
		return fy_quotes(argc - 1, argv + 1);
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		fputs(usage_text, stdout);
		return algo_out_finish(ALGO_EX_OK);
	}
	algo_usage_error("fyers: unknown subcommand '%s' (known: history, quotes)", argv[1]);
}

int main(int argc, char **argv)
{
	algo_cli_init(argv[0]);
	if (argc < 2)
		algo_usage_error("missing subcommand (csv)");
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		fputs(usage_text, stdout);
		return algo_out_finish(ALGO_EX_OK);
	}
	if (strcmp(argv[1], "--version") == 0)
		algo_print_version();
	if (strcmp(argv[1], "csv") == 0)
		return cmd_csv(argc - 1, argv + 1);
	if (strcmp(argv[1], "replay") == 0)
		return cmd_replay(argc - 1, argv + 1);
	if (strcmp(argv[1], "fyers") == 0)
		return cmd_fyers(argc - 1, argv + 1);
	if (strcmp(argv[1], "bars") == 0)
		return cmd_bars(argc - 1, argv + 1);
	if (argv[1][0] == '-')
		algo_usage_error("missing subcommand before '%s' (algo-feed csv [OPTION]... FILE...)", argv[1]);
	algo_usage_error("unknown subcommand '%s' (known: csv, replay, bars, fyers)", argv[1]);
}
