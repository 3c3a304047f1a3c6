/* feedcmd — the sources of algo-feed, one run each; see feedcmd.h. */
#include "feedcmd.h"
#include "barbuild.h"
#include "livequotes.h"
#include "livestream.h"
#include "tickbars.h"
#include "timeutil.h"
#include <errno.h>
#include <string.h>

/* Error buffer sizes the sources' messages are cut to. */
#define FILE_ERR_MAX (ALGO_ERR_MAX + 300)
#define OPEN_ERR_MAX ALGO_ERR_MAX

void algo_feedcmd_init(struct algo_feedcmd *f, const char *name, struct algo_writer *w,
	void (*on_notice)(void *arg, const char *msg), void *arg)
{
	memset(f, 0, sizeof *f);
	f->name = name;
	f->w = w;
	f->on_notice = on_notice;
	f->arg = arg;
}

/* ---- telling ------------------------------------------------------------------------ */

static void erase_progress(struct algo_feedcmd *f)
{
	const char *e = algo_progress_erase(&f->prog);
	if (*e && f->progress)
		fputs(e, f->progress), fflush(f->progress);
}

static void say(struct algo_feedcmd *f, const char *msg)
{
	erase_progress(f);
	if (f->on_notice)
		f->on_notice(f->arg, msg);
}

/* A notice callback: the events written so far go out before it. */
static void tell(void *arg, const char *msg)
{
	struct algo_feedcmd *f = arg;
	algo_writer_flush(f->w);
	say(f, msg);
}

/* A skip callback: the first few are told. */
static void skipped(void *arg, const char *msg)
{
	struct algo_feedcmd *f = arg;
	if (++f->nskip <= ALGO_FEEDCMD_SKIPS_TOLD)
		say(f, msg);
}

static void draw_progress(void *arg)
{
	struct algo_feedcmd *f = arg;
	char line[ALGO_PROGRESS_LINE_MAX];
	size_t n;
	if (f->progress && (n = algo_progress_line(&f->prog, algo_csvmerge_done(f->cm), f->cm->nrows, line, sizeof line)) &&
	    fwrite(line, 1, n, f->progress) > 0)
		fflush(f->progress);
}

/* Returns code, with msg as its message. */
static int failure(struct algo_feedcmd *f, int code, const char *msg)
{
	snprintf(f->err, sizeof f->err, "%s", msg);
	return code;
}

/* ---- timeframes --------------------------------------------------------------------- */

/* s as a timeframe of kind (FYERS: s lowercased in place, "1D" is "1d"). Returns its
 * seconds, or -1 when it is none. */
static int64_t algo_feedcmd_tf(char *s, enum algo_feedcmd_tf_kind kind)
{
	char res[8];
	int64_t tf;
	for (char *p = s; kind == ALGO_FEEDCMD_TF_FYERS && *p; p++)
		*p = *p == 'D' ? 'd' : *p == 'S' ? 's' : *p;
	tf = algo_tf_parse(s, strlen(s));
	if (tf <= 0 || (kind == ALGO_FEEDCMD_TF_BARS && !algo_barbuild_takes(tf)) ||
	    (kind == ALGO_FEEDCMD_TF_FYERS && algo_fyers_resolution(tf, res) < 0))
		return -1;
	return tf;
}

/* What kind takes, for "'S' is not a WHAT": "timeframe (like 1m, 5m, 1h, 1d)". */
static const char *algo_feedcmd_tf_what(enum algo_feedcmd_tf_kind kind)
{
	return kind == ALGO_FEEDCMD_TF_BARS ? "bar timeframe (1m, 5m, 15m, 1h, ...)"
		: kind == ALGO_FEEDCMD_TF_FYERS ? "FYERS resolution (" ALGO_FYERS_RESOLUTIONS ")"
		: "timeframe (like 1m, 5m, 1h, 1d)";
}

/* ---- files -------------------------------------------------------------------------- */

/* The usage error of paths that name stdin twice, or 0. */
static int stdin_twice(struct algo_feedcmd *f, char **paths, int n)
{
	int nstdin = 0;
	for (int i = 0; i < n; i++)
		if (strcmp(paths[i], "-") == 0 && ++nstdin > 1)
			return failure(f, ALGO_EX_USAGE, "stdin ('-') can be read only once");
	return 0;
}

/* The merge opened: its bars written under the progress line. */
static int csv_merge(struct algo_feedcmd *f, struct algo_csvmerge *cm)
{
	int failed;
	f->cm = cm;
	cm->on_tick = draw_progress;
	algo_progress_start(&f->prog, f->name, "bars", algo_csvmerge_size(cm));
	if ((failed = cm->code || algo_csvmerge_run(cm) < 0))
		algo_writer_flush(f->w);
	erase_progress(f);
	return failed ? cm->code : 0;
}

/* csv: the n files at paths ("-" = stdin, once) merged by cm (algo_csvmerge_init and
 * its settings done; freed here). */
static int algo_feedcmd_csv(struct algo_feedcmd *f, struct algo_csvmerge *cm, char **paths, int n)
{
	int code;
	f->err[0] = 0;
	if (n == 0)
		return failure(f, ALGO_EX_USAGE, "no input FILE (use '-' for stdin)");
	if (cm->from >= cm->to)
		return failure(f, ALGO_EX_USAGE, "--from must be before --to");
	if ((code = stdin_twice(f, paths, n)) != 0)
		return code;
	cm->on_skip = skipped, cm->on_notice = tell, cm->arg = f;
	if (algo_csvmerge_open(cm, paths, n, f->w) < 0 && cm->code == ALGO_EX_USAGE)
		code = ALGO_EX_USAGE;
	else
		code = csv_merge(f, cm);
	if (code)
		snprintf(f->err, sizeof f->err, "%s", cm->err);
	algo_csvmerge_free(cm);
	return code;
}

/* replay: the n files paced by p (algo_pacer_init and its settings done). */
static int algo_feedcmd_replay(struct algo_feedcmd *f, struct algo_pacer *p, char **paths, int n)
{
	char msg[64];
	int code = ALGO_EX_OK;
	f->err[0] = 0;
	if (n == 0)
		return failure(f, ALGO_EX_USAGE, "replay: no input file (use '-' for stdin)");
	p->on_skip = skipped, p->arg = f;
	for (int i = 0; i < n && code == ALGO_EX_OK; i++) {
		struct algo_reader r;
		if (algo_reader_open(&r, paths[i], f->err, FILE_ERR_MAX))
			return errno == ENOENT ? ALGO_EX_NOINPUT : ALGO_EX_IOERR;
		if ((code = algo_pacer_replay(p, &r, f->w, f->err, FILE_ERR_MAX)) != 0)
			tell(f, f->err), f->err[0] = 0;
		algo_reader_close(&r);
	}
	snprintf(msg, sizeof msg, "skipped %ld bad line%s", p->bad, p->bad == 1 ? "" : "s");
	if (p->bad)
		say(f, msg);
	return code;
}

/* bars: bars of tf_secs (0: not given) from the ticks of the n files. */
static int algo_feedcmd_bars(struct algo_feedcmd *f, int64_t tf_secs, char **paths, int n)
{
	struct algo_tickbars t;
	int code = 0;
	f->err[0] = 0;
	if (tf_secs == 0)
		return failure(f, ALGO_EX_USAGE, "bars needs --tf");
	if (n == 0)
		return failure(f, ALGO_EX_USAGE, "bars: no input file (use '-' for stdin)");
	if (algo_tickbars_init(&t, tf_secs, f->w) < 0)
		return failure(f, ALGO_EX_FAIL, "out of memory");
	for (int i = 0; i < n && code == 0; i++)
		code = algo_tickbars_file(&t, paths[i], f->err, FILE_ERR_MAX);
	if (code)
		algo_tickbars_free(&t);
	else
		algo_tickbars_finish(&t);
	return code;
}

/* ---- FYERS -------------------------------------------------------------------------- */

/* The client, with a saved session; its notices told. Returns 0 or an exit code. */
static int open_fyers(struct algo_feedcmd *f)
{
	int cls = algo_fyers_open(&f->fy, ALGO_FYERS_NEED_TOKEN, f->err, OPEN_ERR_MAX);
	f->fy.notice = tell;
	f->fy.notice_arg = f;
	if (cls == ALGO_FYERS_OK)
		return 0;
	algo_fyers_close(&f->fy);
	return algo_fyers_exit_code(cls);
}

/* fyers history of the symbols added to m (algo_histmerge_add); ALGO_EX_NOINPUT when
 * no bar came. */
static int algo_feedcmd_history(struct algo_feedcmd *f, struct algo_histmerge *m, struct algo_feedcmd_hist *h)
{
	struct algo_histreq q = h->q;
	struct algo_barout out;
	char dir[4096];
	int code;
	f->err[0] = 0;
	if (m->n == 0 || q.tf == 0 || q.from == INT64_MIN)
		return failure(f, ALGO_EX_USAGE, "fyers history needs --symbol, --tf and --from");
	if (q.to == INT64_MIN)
		q.to = algo_clock_ms();
	if (q.from >= q.to)
		return failure(f, ALGO_EX_USAGE, "--from must be before --to");
	if (h->cache && algo_histcache_dir(dir, sizeof dir, f->err, sizeof f->err) < 0)
		return ALGO_EX_CONFIG;
	q.cache = h->cache ? dir : NULL;
	if ((code = open_fyers(f)) != 0)
		return code;
	algo_barout_init(&out, f->w);
	out.csv = h->csv;
	code = algo_histmerge_fetch(m, &f->fy, &q, &out, f->err, sizeof f->err);
	algo_fyers_close(&f->fy);
	return code ? code : out.bars ? ALGO_EX_OK : ALGO_EX_NOINPUT;
}

/* fyers quotes (stream 0) or fyers stream (1) of the symbols added to m, with the
 * settings lc (its on_notice is set here). */
static int algo_feedcmd_live(struct algo_feedcmd *f, int stream, struct algo_livecfg *lc, struct algo_histmerge *m)
{
	char *names[ALGO_HISTMERGE_MAX];
	int code;
	f->err[0] = 0;
	if (m->n == 0)
		return failure(f, ALGO_EX_USAGE, stream ? "fyers stream needs --symbols" : "fyers quotes needs --symbols");
	for (int i = 0; i < m->n; i++)
		names[i] = m->h[i].symbol;
	lc->on_notice = tell, lc->arg = f;
	if ((code = open_fyers(f)) != 0)
		return code;
	code = (stream ? algo_livestream_feed : algo_livequotes_feed)(lc, &f->fy, names, m->n, f->w, f->err, sizeof f->err);
	algo_fyers_close(&f->fy);
	return code;
}

/* ---- a command line's source -------------------------------------------------------- */

void algo_feedcmd_src_init(struct algo_feedcmd_src *s, enum algo_feedcmd_source src)
{
	memset(s, 0, sizeof *s);
	s->src = src;
	algo_csvmerge_init(&s->cm);
	algo_pacer_init(&s->pacer);
	s->hist.q.from = INT64_MIN;
	s->hist.q.to = INT64_MIN;
	s->hist.cache = 1;
	algo_livecfg_init(&s->live);
}

/* The source name names among csv, replay and bars (fyers 0) or history, quotes and
 * stream (fyers 1); or -1. */
static int source_named(const char *name, int fyers)
{
	static const char *const names[] = { "csv", "replay", "bars", "history", "quotes", "stream" };
	int first = fyers ? ALGO_FEEDCMD_HISTORY : ALGO_FEEDCMD_CSV, last = fyers ? ALGO_FEEDCMD_STREAM : ALGO_FEEDCMD_BARS;
	for (int i = first; i <= last; i++)
		if (strcmp(name, names[i]) == 0)
			return i;
	return -1;
}

int algo_feedcmd_source_of(int n, char **words, char *err, size_t errlen)
{
	int fyers = n > 0 && strcmp(words[0], "fyers") == 0, src;
	if (n < 1 + fyers)
		snprintf(err, errlen, "%s", fyers ? "fyers: missing subcommand (history, quotes, stream)"
			: "missing subcommand (csv)");
	else if ((src = source_named(words[fyers], fyers)) >= 0)
		return src;
	else if (fyers)
		snprintf(err, errlen, "fyers: unknown subcommand '%s' (known: history, quotes, stream)", words[1]);
	else if (words[0][0] == '-')
		snprintf(err, errlen, "missing subcommand before '%s' (algo-feed csv [OPTION]... FILE...)", words[0]);
	else
		snprintf(err, errlen, "unknown subcommand '%s' (known: csv, replay, bars, fyers)", words[0]);
	return -1;
}

int algo_feedcmd_set_symbol(struct algo_feedcmd_src *s, char *v, char *err, size_t errlen)
{
	char e[200];                  /* the message of a bad list is cut to this */
	if (s->src == ALGO_FEEDCMD_CSV) {
		if (!*v || strlen(v) > 63) {
			snprintf(err, errlen, "--symbol: must be 1 to 63 bytes");
			return -1;
		}
		s->cm.symbol = v;
		return 0;
	}
	if (algo_histmerge_add(&s->hm, v, e, sizeof e) < 0) {
		snprintf(err, errlen, "%s", e);
		return -1;
	}
	return 0;
}

int algo_feedcmd_set_tf(struct algo_feedcmd_src *s, int bars, char *v, char *err, size_t errlen)
{
	enum algo_feedcmd_tf_kind kind = bars || s->src == ALGO_FEEDCMD_BARS ? ALGO_FEEDCMD_TF_BARS
		: s->src == ALGO_FEEDCMD_HISTORY ? ALGO_FEEDCMD_TF_FYERS : ALGO_FEEDCMD_TF;
	int64_t tf = algo_feedcmd_tf(v, kind);
	if (tf <= 0) {
		snprintf(err, errlen, "%s: '%s' is not a %s", bars ? "--bars" : "--tf", v, algo_feedcmd_tf_what(kind));
		return -1;
	}
	if (bars)
		s->live.bars_tf = tf;
	else
		*(s->src == ALGO_FEEDCMD_CSV ? &s->cm.tf : s->src == ALGO_FEEDCMD_BARS ? &s->bars_tf : &s->hist.q.tf) = tf;
	return 0;
}

int algo_feedcmd_run(struct algo_feedcmd *f, struct algo_feedcmd_src *s, const char *name, char **paths, int n)
{
	if (s->src >= ALGO_FEEDCMD_HISTORY && n > 0) {
		snprintf(f->err, sizeof f->err, "fyers %s: unexpected argument '%s'", name, paths[0]);
		return ALGO_EX_USAGE;
	}
	switch (s->src) {
	case ALGO_FEEDCMD_CSV: return algo_feedcmd_csv(f, &s->cm, paths, n);
	case ALGO_FEEDCMD_REPLAY: return algo_feedcmd_replay(f, &s->pacer, paths, n);
	case ALGO_FEEDCMD_BARS: return algo_feedcmd_bars(f, s->bars_tf, paths, n);
	case ALGO_FEEDCMD_HISTORY: return algo_feedcmd_history(f, &s->hm, &s->hist);
	default: return algo_feedcmd_live(f, s->src == ALGO_FEEDCMD_STREAM, &s->live, &s->hm);
	}
}
