/* barrier — algo-risk's side of the fill barrier. See barrier.h for the contract. */
#include "barrier.h"
#include "event.h"
#include "risk.h"
#include "timeutil.h"
#include <stdio.h>
#include <string.h>
#include <time.h>

int algo_barrier_open(struct algo_barrier *b, struct algo_risk *r, int on, long timeout_ms,
	int (*stopping)(void), char *err, size_t errlen)
{
	memset(b, 0, sizeof *b);
	b->risk = r;
	b->on = on;
	b->chan.fd = -1;
	b->timeout_ms = timeout_ms;
	b->next_sync = 1;
	b->dirty = 1;   /* what the executor did before this run is unknown */
	if (!on)
		return 0;
	if (algo_fillchan_create(&b->chan, err, errlen))
		return -1;
	b->chan.stopping = stopping;
	return 0;
}

void algo_barrier_close(struct algo_barrier *b)
{
	if (b->on)
		algo_fillchan_in_free(&b->chan);
}

/* A sync; once the executor's state is known (an epoch), with the cursor: the last
 * record applied (from) and saved (saved), see lib/fillchan.h. Without a state
 * database nothing is ever saved and a restart starts afresh, so what was applied may
 * be forgotten: were saved the first ack's seq, the executor would keep (and scan at
 * every ack) every record of the run. */
static void write_sync(struct algo_barrier *b, int64_t id)
{
	const struct algo_risk *r = b->risk;
	algo_out_begin(&algo_stdout);
	algo_out_str(&algo_stdout, "type", "sync");
	if (b->last_ts)
		algo_out_time(&algo_stdout, "ts", b->last_ts);
	algo_out_int(&algo_stdout, "id", id);
	algo_out_str(&algo_stdout, "fifo", b->chan.path);
	if (r->epoch[0]) {
		algo_out_str(&algo_stdout, "epoch", r->epoch);
		algo_out_int(&algo_stdout, "from", r->seq_applied);
		algo_out_int(&algo_stdout, "saved", r->db ? r->seq_saved : r->seq_applied);
	}
	algo_out_end(&algo_stdout);
}

void algo_barrier_event(struct algo_barrier *b, int64_t ts)
{
	if (ts > b->last_ts)
		b->last_ts = ts;
}

void algo_barrier_sent(struct algo_barrier *b)
{
	b->dirty = 1;
}

static int chan_cb(const char *line, size_t len, void *arg, char *err, size_t errlen)
{
	return algo_risk_channel(arg, line, len, err, errlen);
}

static int64_t ns_between(const struct timespec *a, const struct timespec *z)
{
	return (z->tv_sec - a->tv_sec) * 1000000000LL + (z->tv_nsec - a->tv_nsec);
}

int algo_barrier_wait(struct algo_barrier *b, char *err, size_t errlen)
{
	int64_t id = b->next_sync++;
	struct timespec t0, t1, t2;
	int rc;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	write_sync(b, id);
	algo_writer_flush(&algo_stdout);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	rc = algo_fillchan_wait(&b->chan, id, 1, b->timeout_ms, chan_cb, b->risk, err, errlen);
	if (rc)
		return rc;
	clock_gettime(CLOCK_MONOTONIC, &t2);
	b->t_flush += ns_between(&t0, &t1);
	b->t_wait += ns_between(&t1, &t2);
	b->dirty = b->sqoff = 0;
	b->risk->ack_day = algo_time_ist_day(b->last_ts);
	return ALGO_BARRIER_OK;
}

int algo_barrier_before_decision(struct algo_barrier *b, char *err, size_t errlen)
{
	return b->on && b->dirty ? algo_barrier_wait(b, err, errlen) : ALGO_BARRIER_OK;
}

int algo_barrier_market(struct algo_barrier *b, const char *symbol, int64_t ts, int64_t px,
	int64_t lo, int64_t hi, int *tripped, char *err, size_t errlen)
{
	struct algo_risk *r = b->risk;
	int rc;
	*tripped = 0;
	if (!b->on)
		return ALGO_BARRIER_OK;
	if (r->ack_open > 0 && r->ack_square_off >= 0 &&
	    (algo_time_ist_minute(ts) >= r->ack_square_off || algo_time_ist_day(ts) != r->ack_day))
		b->dirty = b->sqoff = 1;
	if (r->nunc)
		b->dirty = 1;
	if (algo_risk_mark(r, symbol, px, lo, hi, err, errlen))
		return ALGO_BARRIER_FAIL;
	rc = algo_risk_pnl_check(r, symbol, ts, !b->dirty, b->sqoff, err, errlen);
	if (rc == 1) {
		int w = algo_barrier_wait(b, err, errlen);
		if (w)
			return w;
		rc = algo_risk_pnl_check(r, symbol, ts, 1, 0, err, errlen);
	}
	if (rc < 0)
		return ALGO_BARRIER_FAIL;
	*tripped = rc == 2;
	return ALGO_BARRIER_OK;
}

int algo_barrier_finish(struct algo_barrier *b, char *err, size_t errlen)
{
	return b->on && b->next_sync > 1 ? algo_barrier_wait(b, err, errlen) : ALGO_BARRIER_OK;
}
