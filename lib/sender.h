/* sender — delivers queued alerts to one destination from a thread of its own, so
 * that a slow, failing or rate-limited destination never holds up the pipeline.
 *
 * The pipeline's thread pushes alerts (algo_sender_push: a lock, a copy, a signal)
 * into a bounded queue (lib/alertq.h). The sender thread takes one message at a time
 * and delivers it (lib/dest.h) within the rate limits: at most one message a second,
 * and for a Telegram group (a negative chat id) at most 20 a minute. A 429's
 * retry_after (or Retry-After) is honoured; 5xx, network errors and failed commands
 * are tried again after 0.5 s, 1 s, 2 s ... up to 30 s. A destination that can never
 * work as configured (a refused token, a TLS certificate not trusted) stops the
 * sending at its first refusal, never tried again in this run: the rest waits for the
 * outbox.
 *
 * algo_sender_finish waits until everything is delivered or a time-out passes, then
 * stops the thread; what is left (the message being tried and the queue) is handed
 * out by algo_sender_rest for the outbox. Messages for the caller (retries, a fatal
 * refusal) go through the warn callback, from the sender thread. Nothing here prints
 * or exits. */
#ifndef ALGO_SENDER_H
#define ALGO_SENDER_H
#include <pthread.h>
#include <stdint.h>
#include "alertq.h"
#include "dest.h"

#define ALGO_SENDER_MIN_WINDOW 20

struct algo_sender {
	struct algo_dest *dest;
	struct algo_alertq q;
	int per_min;                    /* 0: no per-minute cap */
	long gap_ms;                    /* between two messages, 1,000 */
	long window_ms;                 /* of the per-minute cap, 60,000 */
	/* called from the sender thread (delivered with the queue's lock held) */
	void (*warn)(void *arg, const char *msg);
	void (*delivered)(void *arg, const struct algo_alert_msg *m);
	void *arg;
	/* statistics (read after algo_sender_finish) */
	long messages, alerts, retries, throttled;
	int fatal;
	char fatal_err[512];
	/* internal */
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int started, closing, stop, busy;
	int idle;                       /* the thread waits for something to send */
	int64_t deadline, hold_until, last_sent;
	int64_t window[ALGO_SENDER_MIN_WINDOW];
	int nwin;
	long backoff_ms;
	struct algo_alert_msg inflight;
	int has_inflight;
	char last_warn[512];
};

/* Sets s up for dest with a queue of cap low-priority alerts, and starts the thread.
 * Returns 0, or -1 with err set. */
int algo_sender_start(struct algo_sender *s, struct algo_dest *dest, size_t cap, char *err,
	size_t errlen);

/* Queues one alert. Returns 0, or -1 when out of memory. */
int algo_sender_push(struct algo_sender *s, int kind, int prio, const char *text, int64_t outbox_id);

/* Gives every queued alert without an outbox id the id fn returns (lib/alertq.h), and
 * the message being tried, when it carries alerts without one, the single id msgfn
 * returns for all of it (msgfn replaces the rows in m->ids), under the queue's lock.
 * Returns 0 or -1. */
int algo_sender_assign_ids(struct algo_sender *s,
	int64_t (*fn)(void *arg, const struct algo_alert_item *it),
	int64_t (*msgfn)(void *arg, const struct algo_alert_msg *m), void *arg);

/* Waits until nothing is left or timeout_ms passed (a refused destination ends the
 * wait at once), then stops and joins the thread. Returns the number of alerts left
 * undelivered (in the message being tried, queued, and folded). */
long algo_sender_finish(struct algo_sender *s, long timeout_ms);

/* After finish: calls fn for each message left (the one being tried first), oldest
 * first. Stops at and returns fn's first nonzero return. */
int algo_sender_rest(struct algo_sender *s, int (*fn)(void *arg, const struct algo_alert_msg *m),
	void *arg);

/* Frees what start set up (nothing when it was never started). */
void algo_sender_free(struct algo_sender *s);

/* CLOCK_MONOTONIC in ms. */
int64_t algo_sender_now(void);

#endif
