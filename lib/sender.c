/* sender — the delivery thread of one destination. See sender.h. */
#include "sender.h"

#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define BACKOFF_FIRST_MS 500
#define BACKOFF_MAX_MS 30000

int64_t algo_sender_now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Waits on the condition until woken or until the monotonic time `until` (ms). */
static void wait_until(struct algo_sender *s, int64_t until)
{
	struct timespec ts;
	if (until <= 0) {
		pthread_cond_wait(&s->cv, &s->mu);
		return;
	}
	ts.tv_sec = until / 1000;
	ts.tv_nsec = (until % 1000) * 1000000;
	pthread_cond_timedwait(&s->cv, &s->mu, &ts);
}

/* Warns about a failure once, not again while the same failure repeats. */
static void say(struct algo_sender *s, const char *why, const char *msg)
{
	if (!s->warn || strcmp(why, s->last_warn) == 0)
		return;
	snprintf(s->last_warn, sizeof s->last_warn, "%s", why);
	s->warn(s->arg, msg);
}

/* The earliest time the next message may go: the gap after the last one, the
 * per-minute window, and a hold after a 429 or an error. */
static int64_t next_slot(const struct algo_sender *s)
{
	int64_t t = s->hold_until;
	if (s->last_sent && s->last_sent + s->gap_ms > t)
		t = s->last_sent + s->gap_ms;
	if (s->per_min && s->nwin >= s->per_min) {
		/* the oldest of the last per_min sends must be a minute old */
		int64_t oldest = s->window[(s->nwin - s->per_min) % ALGO_SENDER_MIN_WINDOW];
		if (oldest + 60000 > t)
			t = oldest + 60000;
	}
	return t;
}

static void record_sent(struct algo_sender *s, int64_t now)
{
	s->last_sent = now;
	s->window[s->nwin % ALGO_SENDER_MIN_WINDOW] = now;
	s->nwin++;
}

/* The time-out of one request: the destination's, but not past the deadline once
 * the input has ended (at least one second). */
static long request_timeout(const struct algo_sender *s, int64_t now, long base)
{
	long left;
	if (!s->closing || !s->deadline)
		return base;
	left = (long)(s->deadline - now);
	return left < 1000 ? 1000 : left < base ? left : base;
}

/* One delivery of the message being tried, with the lock released around it. */
static void try_inflight(struct algo_sender *s)
{
	char err[512], msg[640];
	long retry_ms = -1, base = s->dest->timeout_ms;
	int64_t now = algo_sender_now();
	int rc;
	s->dest->timeout_ms = request_timeout(s, now, base);
	s->busy = 1;
	pthread_mutex_unlock(&s->mu);
	rc = algo_dest_deliver(s->dest, s->inflight.text, &retry_ms, err, sizeof err);
	pthread_mutex_lock(&s->mu);
	if (rc == ALGO_DEST_OK && s->delivered)
		s->delivered(s->arg, &s->inflight);
	s->busy = 0;
	s->dest->timeout_ms = base;
	now = algo_sender_now();
	if (rc == ALGO_DEST_OK) {
		record_sent(s, now);
		s->messages++;
		s->alerts += s->inflight.alerts;
		algo_alert_msg_free(&s->inflight);
		s->has_inflight = 0;
		s->backoff_ms = 0;
		s->last_warn[0] = '\0';
	} else if (rc == ALGO_DEST_RETRY) {
		long wait = retry_ms > 0 ? retry_ms : s->backoff_ms ? s->backoff_ms : BACKOFF_FIRST_MS;
		if (retry_ms > 0)
			s->throttled++;
		else
			s->backoff_ms = wait * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : wait * 2;
		s->retries++;
		s->hold_until = now + wait;
		snprintf(msg, sizeof msg, "%s: trying again in %.1f s (and on)", err, wait / 1000.0);
		say(s, err, msg);
	} else {
		s->fatal = 1;
		snprintf(s->fatal_err, sizeof s->fatal_err, "%s", err);
		say(s, err, err);
	}
	pthread_cond_broadcast(&s->cv);
}

static void *run(void *arg)
{
	struct algo_sender *s = arg;
	pthread_mutex_lock(&s->mu);
	while (!s->stop) {
		int64_t slot;
		if (s->fatal) {
			wait_until(s, 0);
			continue;
		}
		if (!s->has_inflight) {
			int rc = algo_alertq_take(&s->q, &s->inflight);
			if (rc <= 0) {
				pthread_cond_broadcast(&s->cv);   /* finish may be waiting for idle */
				s->idle = 1;
				wait_until(s, 0);
				s->idle = 0;
				continue;
			}
			s->has_inflight = 1;
		}
		slot = next_slot(s);
		if (slot > algo_sender_now()) {
			wait_until(s, slot);
			continue;
		}
		try_inflight(s);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

int algo_sender_start(struct algo_sender *s, struct algo_dest *dest, size_t cap, char *err,
	size_t errlen)
{
	pthread_condattr_t ca;
	int rc;
	s->dest = dest;
	if (!s->gap_ms)
		s->gap_ms = 1000;
	if (s->per_min > ALGO_SENDER_MIN_WINDOW)
		s->per_min = ALGO_SENDER_MIN_WINDOW;
	algo_alertq_init(&s->q, cap);
	pthread_mutex_init(&s->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cv, &ca);
	pthread_condattr_destroy(&ca);
	if ((rc = pthread_create(&s->thread, NULL, run, s)) != 0) {
		snprintf(err, errlen, "cannot start the sender thread: %s", strerror(rc));
		return -1;
	}
	s->started = 1;
	return 0;
}

int algo_sender_push(struct algo_sender *s, int kind, int prio, const char *text, int64_t outbox_id)
{
	int rc;
	pthread_mutex_lock(&s->mu);
	rc = algo_alertq_push(&s->q, kind, prio, text, outbox_id);
	if (s->idle)                       /* otherwise it is sending or waiting for its slot */
		pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	return rc;
}

/* The message being tried, when some of its alerts have no outbox row: one row for
 * the whole message instead. */
static int assign_inflight(struct algo_sender *s,
	int64_t (*msgfn)(void *arg, const struct algo_alert_msg *m), void *arg)
{
	struct algo_alert_msg *m = &s->inflight;
	int64_t id;
	if (!s->has_inflight || m->saved || m->alerts <= (long)m->nids)
		return 0;
	if ((id = msgfn(arg, m)) < 0)
		return -1;
	if (!m->ids && !(m->ids = malloc(sizeof *m->ids)))
		return -1;
	m->ids[0] = id;
	m->nids = 1;
	m->saved = 1;
	return 0;
}

int algo_sender_assign_ids(struct algo_sender *s,
	int64_t (*fn)(void *arg, const struct algo_alert_item *it),
	int64_t (*msgfn)(void *arg, const struct algo_alert_msg *m), void *arg)
{
	int rc;
	pthread_mutex_lock(&s->mu);
	rc = assign_inflight(s, msgfn, arg);   /* a delivery only reads its text */
	if (rc == 0)
		rc = algo_alertq_assign_ids(&s->q, fn, arg);
	pthread_mutex_unlock(&s->mu);
	return rc;
}

/* Alerts not delivered: those of the message being tried, the queue, the folded. */
static long left_over(const struct algo_sender *s)
{
	return (s->has_inflight ? s->inflight.alerts : 0) + (long)s->q.n + s->q.folded_total;
}

long algo_sender_finish(struct algo_sender *s, long timeout_ms)
{
	long left;
	if (!s->started)
		return 0;
	pthread_mutex_lock(&s->mu);
	s->closing = 1;
	s->deadline = algo_sender_now() + timeout_ms;
	pthread_cond_broadcast(&s->cv);
	while (!s->fatal && (s->has_inflight || s->busy || algo_alertq_pending(&s->q)) &&
	       algo_sender_now() < s->deadline)
		wait_until(s, s->deadline);
	s->stop = 1;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	pthread_join(s->thread, NULL);
	s->started = 0;
	left = left_over(s);
	return left;
}

int algo_sender_rest(struct algo_sender *s, int (*fn)(void *arg, const struct algo_alert_msg *m),
	void *arg)
{
	struct algo_alert_msg m;
	int rc = 0;
	if (s->has_inflight) {
		rc = fn(arg, &s->inflight);
		if (rc)
			return rc;
		algo_alert_msg_free(&s->inflight);
		s->has_inflight = 0;
	}
	while (algo_alertq_take(&s->q, &m) > 0) {
		rc = fn(arg, &m);
		algo_alert_msg_free(&m);
		if (rc)
			return rc;
	}
	return 0;
}

void algo_sender_free(struct algo_sender *s)
{
	if (!s->dest)
		return;
	if (s->started)
		algo_sender_finish(s, 0);
	if (s->has_inflight)
		algo_alert_msg_free(&s->inflight);
	algo_alertq_free(&s->q);
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
}
