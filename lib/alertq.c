/* alertq — bounded alert queue, folding and batching. See alertq.h. */
#include "alertq.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void algo_alertq_init(struct algo_alertq *q, size_t cap)
{
	memset(q, 0, sizeof *q);
	q->cap = cap ? cap : 1;
	q->plain_prefix = 1;
}

void algo_alertq_free(struct algo_alertq *q)
{
	for (size_t i = 0; i < q->n; i++)
		free(q->items[i].text);
	free(q->base);
	free(q->fids);
	memset(q, 0, sizeof *q);
}

static void remove_at(struct algo_alertq *q, size_t i)
{
	if (q->items[i].prio == ALGO_ALERT_LOW)
		q->nlow--;
	free(q->items[i].text);
	if (i == 0) {                       /* the oldest: folding a full queue, in O(1) */
		q->items++;
		q->off++;
	} else
		memmove(q->items + i, q->items + i + 1, (q->n - i - 1) * sizeof *q->items);
	q->n--;
}

/* Remembers the outbox id of a folded alert. Returns 0, or -1 when out of memory. */
static int keep_folded_id(struct algo_alertq *q, int kind, int64_t id)
{
	if (!id)
		return 0;
	if (q->nfids == q->cap_fids) {
		size_t nc = q->cap_fids ? q->cap_fids * 2 : 64;
		void *nf = realloc(q->fids, nc * sizeof *q->fids);
		if (!nf)
			return -1;
		q->fids = nf;
		q->cap_fids = nc;
	}
	q->fids[q->nfids].kind = kind;
	q->fids[q->nfids++].id = id;
	return 0;
}

/* Folds the oldest low-priority alert into its kind's count. Returns 0, or -1 when
 * out of memory. */
static int fold_oldest(struct algo_alertq *q)
{
	for (size_t i = 0; i < q->n; i++)
		if (q->items[i].prio == ALGO_ALERT_LOW) {
			if (keep_folded_id(q, q->items[i].kind, q->items[i].outbox_id))
				return -1;
			q->folded[q->items[i].kind]++;
			q->folded_total++;
			remove_at(q, i);
			return 0;
		}
	return 0;
}

int algo_alertq_push(struct algo_alertq *q, int kind, int prio, const char *text, int64_t outbox_id)
{
	struct algo_alert_item *it;
	if (kind < 0 || kind >= ALGO_AK_N)
		kind = ALGO_AK_OTHER;
	if (prio == ALGO_ALERT_LOW && q->nlow >= q->cap && fold_oldest(q))
		return -1;
	if (q->off > 0 && q->off + q->n == q->cap_items && q->off >= q->n) {
		memmove(q->base, q->items, q->n * sizeof *q->items);
		q->items = q->base;
		q->off = 0;
	}
	if (q->off + q->n == q->cap_items) {
		size_t nc = q->cap_items ? q->cap_items * 2 : 64;
		struct algo_alert_item *ni = realloc(q->base, nc * sizeof *ni);
		if (!ni)
			return -1;
		q->base = ni;
		q->items = ni + q->off;
		q->cap_items = nc;
	}
	it = &q->items[q->n];
	if (!(it->text = strdup(text)))
		return -1;
	it->kind = kind;
	it->prio = prio;
	it->outbox_id = outbox_id;
	q->n++;
	if (prio == ALGO_ALERT_LOW)
		q->nlow++;
	return 0;
}

int algo_alertq_assign_ids(struct algo_alertq *q,
	int64_t (*fn)(void *arg, const struct algo_alert_item *it), void *arg)
{
	for (size_t i = 0; i < q->n; i++) {
		int64_t id;
		if (q->items[i].outbox_id)
			continue;
		if ((id = fn(arg, &q->items[i])) < 0)
			return -1;
		q->items[i].outbox_id = id;
	}
	return 0;
}

int algo_alertq_pending(const struct algo_alertq *q)
{
	return q->n > 0 || q->folded_total > 0;
}

void algo_alert_msg_free(struct algo_alert_msg *m)
{
	free(m->ids);
	m->ids = NULL;
	m->nids = 0;
}

static int add_id(struct algo_alert_msg *m, int64_t id)
{
	int64_t *ni;
	if (!id)
		return 0;
	if (!(ni = realloc(m->ids, (m->nids + 1) * sizeof *ni)))
		return -1;
	m->ids = ni;
	m->ids[m->nids++] = id;
	return 0;
}

/* Appends s to the message text, cut to fit. */
static void append(struct algo_alert_msg *m, size_t *len, const char *s)
{
	size_t n = algo_alert_utf8_cut(s, ALGO_ALERT_TEXT_MAX - *len);
	memcpy(m->text + *len, s, n);
	*len += n;
	m->text[*len] = '\0';
}

/* One alert alone: "fill: …" with the default wording, else the text as it is. */
static int take_single(struct algo_alertq *q, size_t i, struct algo_alert_msg *m)
{
	struct algo_alert_item *it = &q->items[i];
	size_t len = 0;
	if (add_id(m, it->outbox_id))
		return -1;
	if (q->plain_prefix && it->kind != ALGO_AK_TEXT) {
		append(m, &len, algo_alert_label(it->kind, 0));
		append(m, &len, ": ");
	}
	append(m, &len, it->text);
	m->kind = it->kind;
	m->prio = it->prio;
	m->alerts = 1;
	remove_at(q, i);
	return 1;
}

/* Room kept at the end of a batch for "\n" and the folded count. */
#define TRAILER_ROOM 64

/* Every queued alert of kind that fits, oldest first, and the kind's folded count. */
static int take_batch(struct algo_alertq *q, int kind, struct algo_alert_msg *m)
{
	char head[64], body[ALGO_ALERT_TEXT_MAX + 1];
	size_t blen = 0, len = 0, listed = 0;
	long folded = q->folded[kind];
	for (size_t i = 0; i < q->n;) {
		struct algo_alert_item *it = &q->items[i];
		size_t n = strlen(it->text) + 1;
		if (it->kind != kind || it->prio != ALGO_ALERT_LOW) {
			i++;
			continue;
		}
		if (listed && blen + n + sizeof head + TRAILER_ROOM > ALGO_ALERT_TEXT_MAX)
			break;
		if (add_id(m, it->outbox_id))
			return -1;
		body[blen] = '\n';
		n = algo_alert_utf8_cut(it->text, ALGO_ALERT_TEXT_MAX - sizeof head - TRAILER_ROOM - blen - 1);
		memcpy(body + blen + 1, it->text, n);
		blen += n + 1;
		listed++;
		remove_at(q, i);
	}
	body[blen] = '\0';
	snprintf(head, sizeof head, "%zu %s:", listed, algo_alert_label(kind, listed != 1));
	if (listed)
		append(m, &len, head);
	append(m, &len, listed ? body : "");
	if (folded) {
		char tail[TRAILER_ROOM];
		snprintf(tail, sizeof tail, "%s%ld %s%s", listed ? "\n" : "", folded,
			listed ? "more " : "", algo_alert_label(kind, folded != 1));
		append(m, &len, tail);
		if (!listed)
			append(m, &len, " (folded: the queue was full)");
	}
	for (size_t i = 0; i < q->nfids;)
		if (q->fids[i].kind == kind) {
			if (add_id(m, q->fids[i].id))
				return -1;
			q->fids[i] = q->fids[--q->nfids];
		} else
			i++;
	q->folded_total -= folded;
	q->folded[kind] = 0;
	m->kind = kind;
	m->prio = ALGO_ALERT_LOW;
	m->alerts = (long)listed + folded;
	return 1;
}

int algo_alertq_take(struct algo_alertq *q, struct algo_alert_msg *m)
{
	size_t nk = 0, first = 0;
	m->text[0] = '\0';
	m->ids = NULL;
	m->nids = 0;
	m->saved = 0;
	for (size_t i = 0; i < q->n; i++)
		if (q->items[i].prio == ALGO_ALERT_HIGH)
			return take_single(q, i, m);
	if (q->n) {
		int kind = q->items[0].kind;
		for (size_t i = 0; i < q->n; i++)
			if (q->items[i].kind == kind && ++nk == 1)
				first = i;
		if (nk == 1 && !q->folded[kind])
			return take_single(q, first, m);
		return take_batch(q, kind, m);
	}
	for (int k = 0; k < ALGO_AK_N; k++)
		if (q->folded[k])
			return take_batch(q, k, m);
	return 0;
}
