/* risk — algo-risk's engine and its status. See risk.h for the contract. */
#include "risk.h"
#include "decimal.h"
#include "pack.h"
#include "timeutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void algo_risk_init(struct algo_risk *r, struct algo_risk_config *cfg)
{
	memset(r, 0, sizeof *r);
	r->cfg = *cfg;
	algo_risk_config_init(cfg);
	algo_book_init(&r->book);
	algo_book_tab_init(&r->days, sizeof(struct algo_risk_day));
	algo_book_tab_init(&r->seqs, sizeof(struct algo_risk_seq));
	algo_book_tab_init(&r->thr, sizeof(struct algo_risk_throttle));
	algo_book_tab_init(&r->plans, sizeof(struct algo_risk_plan));
	algo_risk_pnlbook_init(r);
	r->last_day = -1;
}

void algo_risk_free(struct algo_risk *r)
{
	algo_risk_config_free(&r->cfg);
	algo_book_free(&r->book);
	algo_book_tab_free(&r->days);
	algo_book_tab_free(&r->seqs);
	algo_book_tab_free(&r->thr);
	algo_book_tab_free(&r->plans);
	algo_risk_pnlbook_free(r);
	free(r->states);
	free(r->changes);
	free(r->own);
	r->own = NULL;
	r->nown = r->capown = 0;
	algo_risk_detach(r);
	r->states = r->changes = NULL;
	r->nstates = r->nchanges = 0;
}

int algo_risk_status(struct algo_risk *r, json_t *out)
{
	for (size_t i = 0; i < algo_book_tab_count(&r->days); i++) {
		const char *k;
		size_t kl, ul;
		char user[ALGO_NAME_MAX], strategy[ALGO_NAME_MAX], why[128] = "", date[11];
		const struct algo_risk_day *dc = algo_book_tab_at(&r->days, i, &k, &kl);
		const struct algo_risk_plan *plan;
		struct algo_risk_rules rr;
		int64_t trades = dc->trades, lim;
		json_t *o, *pos = json_object();
		ul = (size_t)((const char *)memchr(k, '\x1f', kl) - k);
		snprintf(user, sizeof user, "%.*s", (int)ul, k);
		snprintf(strategy, sizeof strategy, "%.*s", (int)(kl - ul - 1), k + ul + 1);
		int s = algo_risk_state_of(r, user, strategy, why, sizeof why);
		algo_risk_rules_for(&r->cfg, user, strategy, &rr);
		plan = algo_risk_plan_of(r, user);
		lim = rr.lim.max_trades_per_day;
		if (plan->known && plan->max_trades_per_day != ALGO_RISK_NOLIMIT &&
		    (lim == ALGO_RISK_NOLIMIT || plan->max_trades_per_day < lim))
			lim = plan->max_trades_per_day;
		algo_time_ist_date(dc->day * ALGO_MS_PER_DAY, date);
		for (size_t j = 0; pos && j < algo_book_tab_count(&r->book.tab); j++) {
			const char *pk;
			size_t pkl;
			const struct algo_position *p = algo_book_tab_at(&r->book.tab, j, &pk, &pkl);
			if (p->qty && pkl > kl && memcmp(pk, k, kl) == 0 && pk[kl] == '\x1f') {
				char sym[ALGO_NAME_MAX];
				snprintf(sym, sizeof sym, "%.*s", (int)(pkl - kl - 1), pk + kl + 1);
				json_object_set_new(pos, sym, json_integer(p->qty));
			}
		}
		{
			int64_t pnl = algo_risk_day_pnl(r, user, strategy, dc->day);
			int64_t loss = algo_risk_loss_limit(r, user, strategy);
			o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:I,s:o,s:o,s:o,s:f,s:o,s:o}", "user", user,
				"strategy", strategy, "state", algo_risk_state_name(s), "reason", why,
				"day", date, "trades_today", (json_int_t)trades,
				"trades_left", lim == ALGO_RISK_NOLIMIT ? json_null() :
					json_integer(lim > trades ? lim - trades : 0),
				"plan", plan->known ? json_string(plan->plan) : json_null(),
				"positions", pos ? pos : json_object(),
				"day_pnl", algo_dec_to_double(pnl),
				"max_daily_loss", loss == ALGO_RISK_NOLIMIT ? json_null() :
					json_real(algo_dec_to_double(loss)),
				"loss_left", loss == ALGO_RISK_NOLIMIT ? json_null() :
					json_real(algo_dec_to_double(pnl <= -loss ? 0 : loss + pnl)));
		}
		if (!o || json_array_append_new(out, o))
			return -1;
	}
	return 0;
}


/* ---- the snapshot ------------------------------------------------------------------- */

static void pack_key(struct algo_pack *p, const struct algo_book_tab *t, size_t i, const void **rec)
{
	const char *k;
	size_t kl;
	*rec = algo_book_tab_at(t, i, &k, &kl);
	algo_pack_bytes(p, k, kl);
}

void algo_risk_pack(const struct algo_risk *r, struct algo_pack *p)
{
	const void *rec;
	algo_pack_i64(p, r->last_day);
	algo_pack_i64(p, (int64_t)algo_book_tab_count(&r->book.tab));
	for (size_t i = 0; i < algo_book_tab_count(&r->book.tab); i++) {
		pack_key(p, &r->book.tab, i, &rec);
		algo_risk_position_pack(p, rec);
	}
	algo_pack_i64(p, (int64_t)algo_book_tab_count(&r->days));
	for (size_t i = 0; i < algo_book_tab_count(&r->days); i++) {
		const struct algo_risk_day *d;
		pack_key(p, &r->days, i, &rec);
		d = rec;
		algo_pack_i64(p, d->day);
		algo_pack_i64(p, d->used);
		algo_pack_i64(p, d->trades);
	}
	algo_pack_i64(p, (int64_t)algo_book_tab_count(&r->seqs));
	for (size_t i = 0; i < algo_book_tab_count(&r->seqs); i++) {
		const struct algo_risk_seq *q;
		pack_key(p, &r->seqs, i, &rec);
		q = rec;
		algo_pack_i64(p, q->day);
		algo_pack_i64(p, q->used);
		algo_pack_i64(p, q->seq);
	}
	algo_pack_i64(p, (int64_t)algo_book_tab_count(&r->thr));
	for (size_t i = 0; i < algo_book_tab_count(&r->thr); i++) {
		const struct algo_risk_throttle *th;
		pack_key(p, &r->thr, i, &rec);
		th = rec;
		algo_pack_i64(p, th->n);
		algo_pack_i64(p, th->head);
		for (int j = 0; j < ALGO_RISK_OPS_MAX; j++)
			algo_pack_i64(p, th->ts[j]);
	}
	algo_risk_states_pack(p, r->states, r->nstates);
	algo_risk_pnlbook_pack(r, p);
}

/* Reads a tab key; NULL (u->bad set) when damaged. */
static void *unpack_rec(struct algo_unpack *u, struct algo_book_tab *t)
{
	size_t n;
	const void *k = algo_unpack_bytes(u, &n);
	if (!k || !n) {
		u->bad = 1;
		return NULL;
	}
	return algo_book_tab_get(t, k, n, 1);
}

int algo_risk_unpack(struct algo_risk *r, struct algo_unpack *u)
{
	int64_t n;
	r->last_day = algo_unpack_i64(u);
	n = algo_unpack_range(u, 0, 1 << 24);
	for (int64_t i = 0; i < n && !u->bad; i++) {
		struct algo_position *x = unpack_rec(u, &r->book.tab);
		if (!x)
			return -1;
		algo_risk_position_unpack(u, x);
	}
	n = algo_unpack_range(u, 0, 1 << 24);
	for (int64_t i = 0; i < n && !u->bad; i++) {
		struct algo_risk_day *d = unpack_rec(u, &r->days);
		if (!d)
			return -1;
		d->day = algo_unpack_i64(u);
		d->used = (int)algo_unpack_range(u, 0, 1);
		d->trades = algo_unpack_i64(u);
	}
	n = algo_unpack_range(u, 0, 1 << 24);
	for (int64_t i = 0; i < n && !u->bad; i++) {
		struct algo_risk_seq *q = unpack_rec(u, &r->seqs);
		if (!q)
			return -1;
		q->day = algo_unpack_i64(u);
		q->used = (int)algo_unpack_range(u, 0, 1);
		q->seq = algo_unpack_range(u, 0, ALGO_RISK_SEQ_MAX);
	}
	n = algo_unpack_range(u, 0, 1 << 24);
	for (int64_t i = 0; i < n && !u->bad; i++) {
		struct algo_risk_throttle *th = unpack_rec(u, &r->thr);
		if (!th)
			return -1;
		th->n = (int)algo_unpack_range(u, 0, ALGO_RISK_OPS_MAX);
		th->head = (int)algo_unpack_range(u, 0, ALGO_RISK_OPS_MAX - 1);
		for (int j = 0; j < ALGO_RISK_OPS_MAX; j++)
			th->ts[j] = algo_unpack_i64(u);
	}
	free(r->states);
	r->states = NULL;
	r->nstates = 0;
	if (u->bad || algo_risk_states_unpack(u, &r->states, &r->nstates))
		return -1;
	return algo_risk_pnlbook_unpack(r, u);
}
