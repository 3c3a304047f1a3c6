/* alertq — the bounded queue of alerts waiting for a destination, and how its
 * contents become messages.
 *
 * Each alert has a kind, a priority (lib/alert.h), its line of text and, when it came
 * from (or was saved to) the outbox, its outbox id (0 otherwise). The queue holds at
 * most cap low-priority alerts: when a new one finds it full, the oldest low-priority
 * alert is folded into a count of its kind ("12 more fills"; its outbox id goes with
 * the count, so the message that carries the count also settles its row), so the
 * newest news stays and nothing is forgotten silently. High-priority alerts are never
 * folded and never refused.
 *
 * algo_alertq_take builds the next message: the oldest high-priority alert alone if
 * there is one; else every queued alert of the oldest alert's kind that fits in
 * ALGO_ALERT_TEXT_MAX bytes ("5 fills:" and a line each, then "12 more fills" for
 * what was folded), or "fill: …" for a single one. Not thread-safe: lib/sender.h
 * locks around it. Nothing here prints or exits. */
#ifndef ALGO_ALERTQ_H
#define ALGO_ALERTQ_H
#include <stddef.h>
#include <stdint.h>
#include "alert.h"

struct algo_alert_item {
	int kind, prio;
	int64_t outbox_id;
	char *text;
};

struct algo_alertq {
	struct algo_alert_item *items;  /* base + off: the queue, oldest first */
	size_t n;
	struct algo_alert_item *base;   /* the allocation; the oldest leaves in O(1) */
	size_t off, cap_items;
	size_t cap;                     /* low-priority alerts held at most */
	size_t nlow;
	long folded[ALGO_AK_N];         /* alerts folded into counts, per kind */
	long folded_total;
	struct { int kind; int64_t id; } *fids;   /* outbox ids of folded alerts */
	size_t nfids, cap_fids;
	int plain_prefix;               /* 1: single alerts read "fill: …" (default wording) */
};

/* One message, with the outbox ids of the alerts it carries. */
struct algo_alert_msg {
	char text[ALGO_ALERT_TEXT_MAX + 1];
	int kind, prio;
	long alerts;                    /* alerts it stands for (folded ones included) */
	int64_t *ids;                   /* outbox ids (malloc'd) */
	size_t nids;
	int saved;                      /* the whole message is one outbox row, ids[0] */
};

void algo_alertq_init(struct algo_alertq *q, size_t cap);
void algo_alertq_free(struct algo_alertq *q);

/* Queues an alert (text copied). Returns 0, or -1 when out of memory. */
int algo_alertq_push(struct algo_alertq *q, int kind, int prio, const char *text, int64_t outbox_id);

/* Calls fn for every queued alert without an outbox id and sets its id to what fn
 * returns (> 0; 0 leaves it, -1 stops with -1). Returns 0 or -1. */
int algo_alertq_assign_ids(struct algo_alertq *q,
	int64_t (*fn)(void *arg, const struct algo_alert_item *it), void *arg);

/* Whether anything (an alert or a folded count) waits. */
int algo_alertq_pending(const struct algo_alertq *q);

/* Takes the next message out of the queue into m (m->ids malloc'd; free with
 * algo_alert_msg_free). Returns 1, or 0 when nothing waits, -1 when out of memory. */
int algo_alertq_take(struct algo_alertq *q, struct algo_alert_msg *m);
void algo_alert_msg_free(struct algo_alert_msg *m);

#endif
