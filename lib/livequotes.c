/* livequotes — the FYERS quotes loop; see livequotes.h. */
#include "livequotes.h"
#include "cli.h"
#include "liveout.h"
#include "markethours.h"
#include "quotefeed.h"
#include "timeutil.h"
#include "watchdog.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct livequotes {
	const struct algo_livecfg *cfg;
	struct algo_quotefeed qf;
	struct algo_liveout out;
	struct algo_watchdog wd;
	struct algo_markethours mh;
	int code;                        /* the exit code of a failure (algo(7)) */
	char err[ALGO_ERR_MAX + 600];
};

static int failf(struct livequotes *lq, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int failf(struct livequotes *lq, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(lq->err, sizeof lq->err, fmt, ap);
	va_end(ap);
	lq->code = code;
	return -1;
}

static int flush(struct livequotes *lq)
{
	if (algo_liveout_flush(&lq->out, lq->err, sizeof lq->err) < 0)
		return lq->code = ALGO_EX_IOERR, -1;
	return 0;
}

/* What has been written goes out first, then the message. */
static int note_msg(void *arg, const char *msg)
{
	struct livequotes *lq = arg;
	if (algo_liveout_note(&lq->out, msg, lq->err, sizeof lq->err) < 0)
		return lq->code = ALGO_EX_IOERR, -1;
	return 0;
}

static int note(struct livequotes *lq, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int note(struct livequotes *lq, const char *fmt, ...)
{
	char msg[ALGO_ERR_MAX + 800];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return note_msg(lq, msg);
}

static const char *sym_name(void *arg, int i)
{
	const struct livequotes *lq = arg;
	return lq->qf.sym[i];
}

static int start(struct livequotes *lq, struct algo_fyers *f, char *const *symbols, int n, struct algo_writer *w)
{
	if (algo_quotefeed_init(&lq->qf, f, symbols, n, lq->err, sizeof lq->err) < 0)
		return lq->code = ALGO_EX_USAGE, -1;
	if (algo_liveout_open(&lq->out, w, lq->cfg, n, sym_name, lq, &lq->code, lq->err, sizeof lq->err) < 0)
		return -1;
	lq->mh.recheck = lq->cfg->recheck;
	lq->mh.outside_exit = lq->cfg->outside_exit;
	lq->mh.note = note_msg;
	lq->mh.arg = lq;
	if (algo_markethours_open(&lq->mh, lq->cfg->calendar, f, symbols, n) < 0)
		return failf(lq, lq->mh.code, "%s", lq->mh.err);
	algo_watchdog_init(&lq->wd, lq->cfg->stale, algo_mono_ms());
	return 0;
}

/* Waits until the market is open. Returns 1, 0 when closed with outside_exit, or -1. */
static int wait_open(struct livequotes *lq)
{
	int rc = algo_markethours_wait(&lq->mh);
	if (rc < 0 && lq->mh.code)
		return failf(lq, lq->mh.code, "%s", lq->mh.err);
	if (rc > 0)
		algo_watchdog_feed(&lq->wd, algo_mono_ms());
	return rc;
}

/* The watchdog: fed by a change, it reconnects a feed quiet for `stale`. */
static int watch(struct livequotes *lq, int changed)
{
	int64_t mono = algo_mono_ms();
	if (changed) {
		algo_watchdog_feed(&lq->wd, mono);
		return 0;
	}
	if (!algo_watchdog_check(&lq->wd, mono))
		return 0;
	if (note(lq, "no quote has changed for %.1f s during market hours: the feed may be stalled; reconnecting",
		(double)lq->cfg->stale / 1000) < 0)
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
static int poll_once(struct livequotes *lq)
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
	for (int i = 0; i < lq->qf.n; i++)
		if (lq->qf.q[i].changed)
			algo_liveout_learn(&lq->out, lq->qf.q[i].ts, wall);
	for (int i = 0; i < lq->qf.n; i++) {
		const struct algo_quote *q = &lq->qf.q[i];
		if (q->changed)
			algo_liveout_tick(&lq->out, i, q->ts, q->ltp, q->bid, q->ask, q->vol);
	}
	now = algo_liveout_now(&lq->out, wall);
	algo_liveout_close(&lq->out, now < lq->cfg->until ? now : lq->cfg->until);
	if (watch(lq, rc > 0) < 0)
		return -1;
	return flush(lq);
}

static int run(struct livequotes *lq)
{
	int64_t every = lq->cfg->every;
	int rc;
	for (int64_t next = algo_mono_ms();; next += every) {
		int64_t mono = algo_mono_ms();
		if (algo_markethours_due(&lq->mh, mono) && (rc = wait_open(lq)) <= 0)
			return rc;
		if (poll_once(lq) < 0)
			return -1;
		if (algo_liveout_now(&lq->out, algo_clock_ms()) >= lq->cfg->until)
			break;
		if ((mono = algo_mono_ms()) < next + every)
			algo_sleep_ms(next + every - mono);
		else
			next = mono - every;
	}
	return flush(lq);
}

int algo_livequotes_feed(const struct algo_livecfg *cfg, struct algo_fyers *f, char *const *symbols, int n,
	struct algo_writer *w, char *err, size_t errlen)
{
	static struct livequotes lq;
	int rc;
	memset(&lq, 0, sizeof lq);
	lq.cfg = cfg;
	lq.out.recfd = -1;
	algo_markethours_init(&lq.mh);
	rc = start(&lq, f, symbols, n, w) < 0 || run(&lq) < 0 ? lq.code : 0;
	if (rc)
		snprintf(err, errlen, "%s", lq.err);
	algo_quotefeed_free(&lq.qf);
	algo_liveout_free(&lq.out);
	algo_markethours_free(&lq.mh);
	return rc;
}
