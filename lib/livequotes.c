/* livequotes — the FYERS quotes loop; see livequotes.h. */
#include "livequotes.h"
#include "cli.h"
#include "timeutil.h"
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int failf(struct algo_livequotes *lq, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int failf(struct algo_livequotes *lq, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(lq->err, sizeof lq->err, fmt, ap);
	va_end(ap);
	lq->code = code;
	return -1;
}

void algo_livequotes_init(struct algo_livequotes *lq)
{
	memset(lq, 0, sizeof *lq);
	lq->every = 1000, lq->stale = 30000, lq->recheck = 60000;
	lq->until = INT64_MAX, lq->offset = INT64_MIN, lq->recfd = -1;
}

/* Hands the poll's events to the next stage, and to the record file. */
static int flush(struct algo_livequotes *lq)
{
	struct algo_writer *w = lq->w;
	if (lq->recfd >= 0 && w->tap_len) {
		if (write(lq->recfd, w->tap, w->tap_len) != (ssize_t)w->tap_len)
			return failf(lq, ALGO_EX_IOERR, "--record: %s", strerror(errno));
		w->tap_len = 0;
	}
	algo_writer_flush(w);
	return 0;
}

/* What has been written goes out first, then the message. */
static int note(struct algo_livequotes *lq, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int note(struct algo_livequotes *lq, const char *fmt, ...)
{
	char msg[ALGO_ERR_MAX + 800];
	va_list ap;
	if (flush(lq) < 0)
		return -1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (lq->on_notice)
		lq->on_notice(lq->arg, msg);
	return 0;
}

static void on_bar(void *arg, int sym, const struct algo_candle *bar)
{
	struct algo_livequotes *lq = arg;
	algo_barout_named(&lq->out, lq->qf.sym[sym], lq->tf, bar);
}

static int load_calendar(struct algo_livequotes *lq, const char *path)
{
	char def[4096], err[ALGO_ERR_MAX + 100];
	if (!path && !(path = getenv("ALGO_CALENDAR")) && algo_marketcal_default(def, sizeof def) == 0)
		path = def;
	if (!path)
		return algo_marketcal_load(&lq->cal, "/dev/null", err, sizeof err), 0;
	if (algo_marketcal_load(&lq->cal, path, err, sizeof err) < 0)
		return failf(lq, errno == ENOENT ? ALGO_EX_NOINPUT : ALGO_EX_DATAERR, "--calendar: %s", err);
	return 0;
}

int algo_livequotes_open(struct algo_livequotes *lq, const char *calendar, const char *record, struct algo_writer *w)
{
	lq->w = w;
	algo_barout_init(&lq->out, w);
	if (load_calendar(lq, calendar) < 0)
		return -1;
	if (record && (lq->recfd = open(record, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0)
		return failf(lq, ALGO_EX_CANTCREAT, "--record: %s: %s", record, strerror(errno));
	w->tap_on = lq->recfd >= 0;
	return 0;
}

int algo_livequotes_start(struct algo_livequotes *lq, struct algo_fyers *f, char *const *symbols, int n)
{
	lq->f = f;
	if (algo_quotefeed_init(&lq->qf, f, symbols, n, lq->err, sizeof lq->err) < 0)
		return lq->code = ALGO_EX_USAGE, -1;
	if (lq->bars_tf) {
		if (algo_barbuild_init(&lq->bb, n, lq->bars_tf) < 0)
			return failf(lq, ALGO_EX_FAIL, "out of memory");
		lq->bb.emit = on_bar;
		lq->bb.arg = lq;
		algo_tf_fmt(lq->bars_tf, lq->tf, sizeof lq->tf);
	}
	algo_watchdog_init(&lq->wd, lq->stale, algo_mono_ms());
	return 0;
}

static void write_tick(struct algo_livequotes *lq, int i)
{
	const struct algo_quote *q = &lq->qf.q[i];
	struct algo_writer *w = lq->w;
	if (lq->bars_tf)            /* a bar this tick completes goes first */
		algo_barbuild_tick(&lq->bb, i, q->ts, q->ltp, q->vol);
	algo_barout_stream(&lq->out, q->ts);
	algo_out_begin(w);
	algo_out_str(w, "type", "tick");
	algo_out_time(w, "ts", q->ts);
	algo_out_str(w, "symbol", lq->qf.sym[i]);
	algo_out_dec(w, "ltp", q->ltp);
	if (q->bid > 0)
		algo_out_dec(w, "bid", q->bid);
	if (q->ask > 0)
		algo_out_dec(w, "ask", q->ask);
	if (q->vol >= 0)
		algo_out_int(w, "v", q->vol);
	algo_out_end(w);
}

static int64_t market_now(const struct algo_livequotes *lq, int64_t wall)
{
	return wall + (lq->offset == INT64_MIN ? 0 : lq->offset);
}

/* The largest gap between the changed quotes' times and the wall clock (gaps under
 * 5 s count as none). */
static void learn_offset(struct algo_livequotes *lq, int64_t wall)
{
	for (int i = 0; i < lq->qf.n; i++) {
		int64_t d = lq->qf.q[i].ts - wall;
		if (!lq->qf.q[i].changed)
			continue;
		if (d > -5000 && d < 5000)
			d = 0;
		if (lq->offset == INT64_MIN || d > lq->offset)
			lq->offset = d;
	}
}

/* Is the market open? marketStatus when it answers, else the calendar. Returns 1, 0,
 * or -1 (not logged in). */
static int market_open(struct algo_livequotes *lq, int64_t wall, char *why, size_t len)
{
	char err[ALGO_ERR_MAX + 600];
	int rc = algo_quotefeed_market(&lq->qf, why, len, err, sizeof err);
	if (rc == -ALGO_FYERS_EAUTH || rc == -ALGO_FYERS_EPERM)
		return failf(lq, algo_fyers_exit_code(-rc), "%s", err);
	if (rc >= 0)
		return rc;
	if (note(lq, "%s; the calendar decides", err) < 0)
		return -1;
	snprintf(why, len, "the calendar: %s", algo_marketcal_is_holiday(&lq->cal, wall) ? "a holiday" : "outside the session");
	return algo_marketcal_is_open(&lq->cal, wall);
}

/* Waits until the market is open. Returns 1, 0 when closed with outside_exit, or -1. */
static int wait_open(struct algo_livequotes *lq)
{
	char why[200], when[ALGO_TIME_FMT_MAX];
	int said = 0, rc;
	for (;;) {
		int64_t wall = algo_clock_ms(), next;
		if ((rc = market_open(lq, wall, why, sizeof why)) != 0)
			break;
		next = algo_marketcal_next_open(&lq->cal, wall);
		algo_time_fmt(next, ALGO_IST_OFFSET_MIN, when);
		if (lq->outside_exit)
			return note(lq, "the market is closed (%s); the next session opens %s", why, when);
		if (!said++ && note(lq, "the market is closed (%s); waiting for the next session (%s)", why, when) < 0)
			return -1;
		if (flush(lq) < 0)
			return -1;
		algo_sleep_ms(next - wall < lq->recheck && next > wall ? next - wall : lq->recheck);
	}
	if (rc < 0 || (said && note(lq, "the market is open") < 0))
		return -1;
	algo_watchdog_feed(&lq->wd, algo_mono_ms());
	return 1;
}

/* The watchdog: fed by a change, it reconnects a feed quiet for `stale`. */
static int watch(struct algo_livequotes *lq, int changed)
{
	int64_t mono = algo_mono_ms();
	if (changed) {
		algo_watchdog_feed(&lq->wd, mono);
		return 0;
	}
	if (!algo_watchdog_check(&lq->wd, mono))
		return 0;
	if (note(lq, "no quote has changed for %.1f s during market hours: the feed may be stalled; reconnecting",
		(double)lq->stale / 1000) < 0)
		return -1;
	if (algo_quotefeed_reconnect(&lq->qf, lq->err, sizeof lq->err) < 0) {
		char e[sizeof lq->err];
		snprintf(e, sizeof e, "%s", lq->err);
		return failf(lq, ALGO_EX_UNAVAILABLE, "reconnect: %s", e);
	}
	return 0;
}

/* One poll: ticks for the quotes that changed, bars that completed, the watchdog. A
 * broker that is down, limiting or garbled is told of and polled again. */
static int poll_once(struct algo_livequotes *lq)
{
	char err[ALGO_ERR_MAX + 600];
	int64_t wall = algo_clock_ms(), now;
	int rc = algo_quotefeed_poll(&lq->qf, wall, err, sizeof err);
	if (rc < 0 && (rc == -ALGO_FYERS_EUNAVAIL || rc == -ALGO_FYERS_ERATE || rc == -ALGO_FYERS_EPROTO)) {
		if (note(lq, "%s (polling on)", err) < 0)
			return -1;
		rc = 0;
	} else if (rc < 0)
		return failf(lq, algo_fyers_exit_code(-rc), "%s", err);
	learn_offset(lq, wall);
	for (int i = 0; i < lq->qf.n; i++)
		if (lq->qf.q[i].changed)
			write_tick(lq, i);
	now = market_now(lq, wall);
	if (lq->bars_tf)
		algo_barbuild_close(&lq->bb, now < lq->until ? now : lq->until);
	if (watch(lq, rc > 0) < 0)
		return -1;
	return flush(lq);
}

int algo_livequotes_run(struct algo_livequotes *lq)
{
	int rc;
	for (int64_t next = algo_mono_ms(), checked = next;; next += lq->every) {
		int64_t mono = algo_mono_ms();
		if (mono - checked >= lq->recheck || lq->qf.polls == 0) {
			if ((rc = wait_open(lq)) <= 0)
				return rc;
			checked = algo_mono_ms();
		}
		if (poll_once(lq) < 0)
			return -1;
		if (market_now(lq, algo_clock_ms()) >= lq->until)
			break;
		if ((mono = algo_mono_ms()) < next + lq->every)
			algo_sleep_ms(next + lq->every - mono);
		else
			next = mono - lq->every;
	}
	return flush(lq);
}

void algo_livequotes_free(struct algo_livequotes *lq)
{
	algo_quotefeed_free(&lq->qf);
	algo_barbuild_free(&lq->bb);
	algo_marketcal_free(&lq->cal);
	if (lq->recfd >= 0)
		close(lq->recfd);
}
