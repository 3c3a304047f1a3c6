/* fyers_stage — one run of algo-exec-fyers's stage. See fyers_stage.h. */
#include "fyers_stage.h"
#include "cli.h"
#include "costs.h"
#include "executor.h"
#include "fyers.h"
#include "fyers_live.h"
#include "fyers_orderws.h"
#include "fyers_venue.h"
#include "replay.h"
#include "stage.h"
#include "store.h"
#include "timeutil.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Everything one run holds. */
struct run {
	const struct algo_fyers_stage_opts *o;
	struct algo_fyers_venue_cfg cfg;
	struct algo_costs costs;
	struct algo_store store;
	struct algo_fyers f;
	struct algo_fyers_venue v;
	struct algo_executor ex;
	struct algo_stage st;
	struct algo_fyers_orderws ows;
	char key[ALGO_REPLAY_KEY_MAX];
	int have_state, have_client, have_socket;
};

static void note(const struct run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(const struct run *r, const char *fmt, ...)
{
	char msg[ALGO_ERR_MAX + 4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (r->o->note)
		r->o->note(r->o->note_arg, msg);
}

static const char *plural(long n, const char *s)
{
	return n == 1 ? "" : s;
}

/* --live: every precondition, or 77 naming what is missing (78 when the one thing
 * missing is the client's configuration); nothing is sent. */
static int check_live(struct run *r, char *err, size_t errlen)
{
	char missing[4096], why[1024];
	int n = algo_fyers_live_missing(&r->store, r->o->user, algo_clock_ms(), missing, sizeof missing);
	int cls = algo_fyers_open(&r->f, ALGO_FYERS_NEED_TOKEN, why, sizeof why);
	r->have_client = 1;
	r->f.notice = r->o->note;
	r->f.notice_arg = r->o->note_arg;
	if (n < 0) {
		snprintf(err, errlen, "%s", missing);
		return ALGO_EX_IOERR;
	}
	if (cls != ALGO_FYERS_OK) {
		size_t k = strlen(missing);
		snprintf(missing + k, sizeof missing - k, "%ssession: %s", n ? "; " : "", why);
		n++;
	}
	if (n) {
		snprintf(err, errlen, "--live refused (%d precondition%s missing; nothing was sent): %s", n,
			plural(n, "s"), missing);
		return cls == ALGO_FYERS_ECONFIG && n == 1 ? ALGO_EX_CONFIG : ALGO_EX_NOPERM;
	}
	r->f.timeout_ms = (long)r->o->request_ms;
	return 0;
}

/* The charges table, the state database and, for --live, the gate. */
static int open_inputs(struct run *r, char *err, size_t errlen)
{
	char missing[4096];
	int code;
	if (r->o->charges) {
		if ((code = algo_costs_open(&r->costs, r->o->charges, err, errlen)) != 0)
			return code;
		r->cfg.costs = &r->costs;
	}
	code = algo_fyers_state_open(&r->store, r->o->state, r->o->live ? "--live" : NULL, &r->have_state, err,
		errlen);
	if (code)
		return code;
	if (r->o->live)
		return check_live(r, err, errlen);
	if (r->have_state && algo_fyers_live_missing(&r->store, r->o->user, algo_clock_ms(), missing,
		sizeof missing) > 0)
		note(r, "dry run; a --live run would refuse: %s", missing);
	return 0;
}

static int commit_now(void *arg, char *err, size_t errlen)
{
	return algo_stage_save(arg, err, errlen);
}

/* The venue on the seam on the stage loop, with the saved state when there is one. */
static int wire(struct run *r, char *err, size_t errlen)
{
	static const struct algo_stage_ops ops = { .event = algo_executor_event,
		.idle = algo_executor_idle, .end = algo_executor_end, .save = algo_fyers_stage_save };
	const struct algo_fyers_stage_opts *o = r->o;
	int rc;

	algo_fyers_venue_init(&r->v, &r->cfg, o->live ? &r->f : NULL, o->user);
	r->v.note = o->note;
	r->v.note_arg = o->note_arg;
	algo_executor_init(&r->ex, &algo_fyers_venue, &r->v, o->note, o->note_arg);
	r->ex.fees_full = r->cfg.costs != NULL;
	algo_stage_init(&r->st, &ops, &r->ex);
	r->st.skip_bad = o->skip_bad;
	r->st.warn = o->warn;
	if (o->live)            /* the books are polled while input is quiet too */
		r->st.idle_ms = o->poll_ms > 50 ? (int)o->poll_ms : 50;
	r->v.commit = commit_now;
	r->v.commit_arg = &r->st;
	if (!r->have_state)
		return 0;
	snprintf(r->key, sizeof r->key, "algo-exec-fyers/%s%s", o->user, o->live ? "" : "/dry-run");
	if ((rc = algo_executor_open(&r->ex, &r->store, r->key, err, errlen)))
		return rc == -2 ? ALGO_EX_DATAERR : ALGO_EX_IOERR;
	if (algo_fyers_venue_open(&r->v, &r->store, r->key, err, errlen))
		return ALGO_EX_IOERR;
	r->st.store = &r->store;
	r->st.replay_key = r->key;
	return 0;
}

/* The order-update socket of a --live stage (unless no_socket); the books are polled
 * without it. */
static void open_socket(struct run *r)
{
	char why[512];
	if (!r->o->live || r->o->no_socket)
		return;
	if (algo_fyers_orderws_open(&r->ows, &r->f, r->o->note, r->o->note_arg, why, sizeof why)) {
		note(r, "order socket not used: %s (the books are polled)", why);
		return;
	}
	r->have_socket = 1;
	r->v.ows = &r->ows;
	r->st.wake_fd = algo_fyers_orderws_fd(&r->ows);
	if (!r->st.idle_ms || r->st.idle_ms > 1000)
		r->st.idle_ms = 1000;     /* its pings and reconnects */
}

/* What the run did at the broker and through the socket. */
static void summary(struct run *r)
{
	const struct algo_fyers_venue *v = &r->v;
	if (r->o->live)
		note(r, "%ld order request%s sent, %ld order-book lookup%s, %ld poll%s, %ld external trade%s, "
			"%ld position mismatch%s", v->sent, plural(v->sent, "s"), v->lookups, plural(v->lookups, "s"),
			v->polls, plural(v->polls, "s"), v->external, plural(v->external, "s"), v->mismatches,
			plural(v->mismatches, "es"));
	if (r->have_socket)
		note(r, "order socket: %ld fill%s through it first, %ld connect%s, %ld drop%s, %ld malformed "
			"message%s", v->socket_fills, plural(v->socket_fills, "s"), r->ows.connects,
			plural(r->ows.connects, "s"), r->ows.dropped, plural(r->ows.dropped, "s"), r->ows.malformed,
			plural(r->ows.malformed, "s"));
}

static int run_loop(struct run *r)
{
	char why[ALGO_ERR_MAX + 512];
	int code;
	open_socket(r);
	if ((code = algo_fyers_venue_start(&r->v, &r->ex, why, sizeof why)) == 0)
		code = algo_stage_run(&r->st);
	else
		note(r, "%s", why);
	summary(r);
	return code;
}

int algo_fyers_stage_run(const struct algo_fyers_stage_opts *o, char *err, size_t errlen)
{
	struct run r;
	int code, wired;

	memset(&r, 0, sizeof r);
	r.o = o;
	r.cfg = (struct algo_fyers_venue_cfg){ o->live, o->max_age_ms, o->drain_ms, o->poll_ms, NULL };
	err[0] = '\0';
	code = open_inputs(&r, err, errlen);
	wired = code == 0;
	if (wired && (code = wire(&r, err, errlen)) == 0)
		code = run_loop(&r);
	if (r.have_socket)
		algo_fyers_orderws_close(&r.ows);
	if (wired) {
		algo_executor_free(&r.ex);
		algo_fyers_venue_free(&r.v);
	}
	if (r.have_state)
		algo_store_close(&r.store);
	if (r.have_client)
		algo_fyers_close(&r.f);
	algo_costs_free(&r.costs);
	return code;
}
