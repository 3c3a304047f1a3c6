/* notifier — destinations, senders and the outbox together. See notifier.h. */
#include "notifier.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void algo_notifier_init(struct algo_notifier *nf, size_t cap, int html, struct algo_store *outbox,
	void (*warn)(const char *msg))
{
	memset(nf, 0, sizeof *nf);
	nf->cap = cap;
	nf->html = html;
	nf->plain_prefix = 1;
	nf->outbox = outbox;
	nf->warn = warn;
	pthread_mutex_init(&nf->mu, NULL);
}

/* "KEY: message" through warn. */
static void say(struct algo_notifier *nf, const char *key, const char *what)
{
	char msg[1024];
	if (!nf->warn)
		return;
	snprintf(msg, sizeof msg, "%s: %s", key, what);
	nf->warn(msg);
}

/* The sender threads' callbacks get the destination's hook as arg. */
#define hook algo_notifier_hook

static void on_warn(void *arg, const char *msg)
{
	struct hook *h = arg;
	say(h->nf, h->nf->dest[h->i].key, msg);
}

/* Notes delivered outbox ids for the next save. Returns 0, or -1 when out of memory. */
static int note_done(struct algo_notifier *nf, const int64_t *ids, size_t n)
{
	int rc = 0;
	pthread_mutex_lock(&nf->mu);
	if (nf->ndone + n > nf->capdone) {
		size_t nc = (nf->ndone + n) * 2;
		int64_t *nd = realloc(nf->done, nc * sizeof *nd);
		if (nd) {
			nf->done = nd;
			nf->capdone = nc;
		}
	}
	if (nf->ndone + n <= nf->capdone) {
		memcpy(nf->done + nf->ndone, ids, n * sizeof *ids);
		nf->ndone += n;
	} else
		rc = -1;
	pthread_mutex_unlock(&nf->mu);
	return rc;
}

static void on_delivered(void *arg, const struct algo_alert_msg *m)
{
	struct hook *h = arg;
	char err[512];
	if (!h->nf->outbox || !m->nids)
		return;
	if (h->nf->defer ? note_done(h->nf, m->ids, m->nids) :
	    algo_outbox_done(h->nf->outbox, m->ids, m->nids, err, sizeof err))
		say(h->nf, h->nf->dest[h->i].key, h->nf->defer ? "out of memory" : err);
}

/* Deletes the delivered rows noted so far. */
static int delete_done(struct algo_notifier *nf, struct algo_store *s, char *err, size_t errlen)
{
	int rc;
	pthread_mutex_lock(&nf->mu);
	rc = algo_outbox_done(s, nf->done, nf->ndone, err, errlen);
	if (rc == 0)
		nf->ndone = 0;
	pthread_mutex_unlock(&nf->mu);
	return rc;
}

int algo_notifier_add(struct algo_notifier *nf, int kind, const char *target,
	const struct algo_telegram *tg, char *err, size_t errlen)
{
	struct algo_dest *d = &nf->dest[nf->n];
	struct algo_sender *s = &nf->send[nf->n];
	if (nf->n == ALGO_NOTIFIER_MAX) {
		snprintf(err, errlen, "more than %d destinations", ALGO_NOTIFIER_MAX);
		return -1;
	}
	memset(d, 0, sizeof *d);
	memset(s, 0, sizeof *s);
	if (tg)
		d->tg = *tg;
	if (algo_dest_init(d, kind, target, nf->html, err, errlen))
		return -1;
	if (kind == ALGO_DEST_TELEGRAM && d->tg.chat[0] == '-')
		s->per_min = 20;               /* Telegram: 20 messages a minute to a group */
	nf->hooks[nf->n] = (struct hook){ nf, nf->n };
	s->warn = on_warn;
	s->delivered = on_delivered;
	s->arg = &nf->hooks[nf->n];
	nf->n++;
	return 0;
}

static int queue_row(void *arg, int64_t id, int prio, long alerts, const char *text)
{
	struct algo_sender *s = arg;
	(void)alerts;
	return algo_sender_push(s, ALGO_AK_TEXT, prio, text, id);
}

int algo_notifier_start(struct algo_notifier *nf, char *err, size_t errlen)
{
	for (int i = 0; i < nf->n; i++) {
		struct algo_sender *s = &nf->send[i];
		long n;
		if (algo_sender_start(s, &nf->dest[i], nf->cap, err, errlen))
			return -1;
		s->q.plain_prefix = nf->plain_prefix;
		if (!nf->outbox)
			continue;
		if ((n = algo_outbox_claim(nf->outbox, nf->dest[i].key, queue_row, s, err, errlen)) < 0)
			return -1;
		nf->resumed += n;
	}
	return 0;
}

static int64_t wall_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* What algo_notifier_save's id callback needs. */
struct saving {
	struct algo_notifier *nf;
	struct algo_store *s;
	const char *dest;
	char *err;
	size_t errlen;
};

/* Writes one queued alert as it would read alone; returns its outbox id. */
static int64_t save_item(void *arg, const struct algo_alert_item *it)
{
	struct saving *sv = arg;
	char text[ALGO_ALERT_TEXT_MAX + 64];
	if (sv->nf->plain_prefix && it->kind != ALGO_AK_TEXT)
		snprintf(text, sizeof text, "%s: %s", algo_alert_label(it->kind, 0), it->text);
	else
		snprintf(text, sizeof text, "%s", it->text);
	return algo_outbox_add(sv->s, sv->dest, it->prio, text, wall_ms(), sv->err, sv->errlen);
}

/* Writes the message being tried as one row; returns its outbox id. */
static int64_t save_msg(void *arg, const struct algo_alert_msg *m)
{
	struct saving *sv = arg;
	return algo_outbox_replace(sv->s, sv->dest, m, wall_ms(), sv->err, sv->errlen);
}

int algo_notifier_save(struct algo_notifier *nf, struct algo_store *s, char *err, size_t errlen)
{
	for (int i = 0; i < nf->n; i++) {
		struct saving sv = { nf, s, nf->dest[i].key, err, errlen };
		if (algo_sender_assign_ids(&nf->send[i], save_item, save_msg, &sv))
			return -1;
	}
	return delete_done(nf, s, err, errlen);
}

int algo_notifier_push(struct algo_notifier *nf, int kind, int prio, const char *text)
{
	for (int i = 0; i < nf->n; i++)
		if (algo_sender_push(&nf->send[i], kind, prio, text, 0))
			return -1;
	return 0;
}


/* Keeps one undelivered message; arg is the hook of its destination. */
static int keep_one(void *arg, const struct algo_alert_msg *m)
{
	struct hook *h = arg;
	struct algo_notifier *nf = h->nf;
	if (!nf->outbox || nf->err[0]) {
		nf->lost += m->alerts;
		return 0;
	}
	if (algo_outbox_keep(nf->outbox, nf->dest[h->i].key, m, wall_ms(), nf->err, sizeof nf->err)) {
		nf->lost += m->alerts;
		return 0;
	}
	nf->kept += m->alerts;
	return 0;
}

long algo_notifier_finish(struct algo_notifier *nf, long timeout_ms, char *err, size_t errlen)
{
	int64_t deadline = algo_sender_now() + timeout_ms;
	nf->err[0] = '\0';
	for (int i = 0; i < nf->n; i++) {
		struct algo_sender *s = &nf->send[i];
		int64_t left = deadline - algo_sender_now();
		algo_sender_finish(s, left > 0 ? (long)left : 0);
		nf->delivered += s->alerts;
		if (s->fatal && !nf->fatal) {
			nf->fatal = 1;
			snprintf(nf->fatal_err, sizeof nf->fatal_err, "%s", s->fatal_err);
		}
		algo_sender_rest(s, keep_one, s->arg);
	}
	if (nf->outbox && !nf->err[0] && nf->defer)
		delete_done(nf, nf->outbox, nf->err, sizeof nf->err);
	if (nf->outbox && !nf->err[0])
		algo_outbox_release(nf->outbox, nf->err, sizeof nf->err);
	if (nf->err[0]) {
		snprintf(err, errlen, "%s", nf->err);
		return -1;
	}
	return nf->kept + nf->lost;
}

void algo_notifier_free(struct algo_notifier *nf)
{
	for (int i = 0; i < nf->n; i++) {
		algo_sender_free(&nf->send[i]);
		algo_dest_free(&nf->dest[i]);
	}
	nf->n = 0;
	free(nf->done);
	nf->done = NULL;
	pthread_mutex_destroy(&nf->mu);
}
