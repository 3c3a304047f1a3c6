/* algo-risk — turns signal events into order or risk_block events.
 *
 * Reads NDJSON on stdin and copies every event through; after each valid signal it
 * writes the order it approves or the risk_block that stopped it. Positions are
 * tracked from the orders approved; with --barrier (on by default when a daily PnL
 * limit is set) the execution stage reports its fills back through a FIFO named in
 * `sync` events, and risk waits for them only when a decision could depend on them
 * (docs/ARCHITECTURE.md, "The fill barrier"). */
#include "book.h"
#include "cli.h"
#include "decimal.h"
#include "event.h"
#include "fillchan.h"
#include "risk.h"
#include "timeutil.h"
#include "store.h"
#include <getopt.h>
#include <jansson.h>
#include <signal.h>
#include <unistd.h>
#include <stdlib.h>
#include <time.h>
#include <stdio.h>
#include <string.h>

static const char usage_text[] =
	"Usage: algo-risk [OPTIONS] < EVENTS\n"
	"       algo-risk --check -c RISK.json\n"
	"       algo-risk kill [--strategy S|--user U|--all] [--mode halted|reducing] [--reason TEXT]\n"
	"       algo-risk resume [--strategy S|--user U|--all] [--reason TEXT]\n"
	"       algo-risk status [--format text|json]\n"
	"Turns signal events into order or risk_block events; passes every event through.\n"
	"  -c, --config FILE      risk limits (JSON); without it there are no limits\n"
	"      --check            validate the risk file and exit (0 valid, 78 not)\n"
	"      --state PATH       state database (default $ALGO_STATE; none: memory only)\n"
	"      --user NAME        user of signals that carry none (default \"default\");\n"
	"                         kill/resume: the user scope\n"
	"      --mode MODE        paper or live, written into each order (default paper);\n"
	"                         kill: halted (default) or reducing\n"
	"      --product PRODUCT  intraday, delivery or margin (default intraday)\n"
	"      --barrier          read the executor's fills back (sync events and a FIFO); on\n"
	"                         when the risk file sets max_daily_loss or max_daily_profit\n"
	"      --barrier-timeout SECONDS\n"
	"                         give up (exit 69) when no executor answers a sync (default 60)\n"
	"      --skip-bad         warn about bad input lines and skip them instead of stopping\n"
	"      --strategy NAME    kill/resume: the strategy scope\n"
	"      --all              kill/resume: every strategy of every user (the default)\n"
	"      --reason TEXT      kill/resume: why, recorded in risk_state and the audit log\n"
	"      --who NAME         kill/resume: who acts (default $USER)\n"
	"      --format FORMAT    status: text (default) or json\n"
	"  -h, --help             print this help and exit\n"
	"      --version          print the version and exit\n";

enum { OPT_USER = 256, OPT_MODE, OPT_PRODUCT, OPT_SKIP_BAD, OPT_VERSION, OPT_CHECK, OPT_STATE,
	OPT_STRATEGY, OPT_ALL, OPT_REASON, OPT_WHO, OPT_FORMAT, OPT_BARRIER, OPT_BARRIER_TIMEOUT };

static const struct option options[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "check", no_argument, NULL, OPT_CHECK },
	{ "state", required_argument, NULL, OPT_STATE },
	{ "user", required_argument, NULL, OPT_USER },
	{ "mode", required_argument, NULL, OPT_MODE },
	{ "product", required_argument, NULL, OPT_PRODUCT },
	{ "skip-bad", no_argument, NULL, OPT_SKIP_BAD },
	{ "barrier", no_argument, NULL, OPT_BARRIER },
	{ "barrier-timeout", required_argument, NULL, OPT_BARRIER_TIMEOUT },
	{ "strategy", required_argument, NULL, OPT_STRATEGY },
	{ "all", no_argument, NULL, OPT_ALL },
	{ "reason", required_argument, NULL, OPT_REASON },
	{ "who", required_argument, NULL, OPT_WHO },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

/* Last time seen per (symbol, tf) for bars and per symbol for signals, plus the last
 * close per symbol (the book's price when a signal carries no ref). */
struct last_ts { int64_t ts; int seen; };
struct sym_state { int64_t signal_ts; int signal_seen; int64_t close; };

static struct {
	struct algo_risk risk;
	struct algo_book_tab bars;     /* symbol\x1ftf -> last_ts */
	struct algo_book_tab syms;     /* symbol -> sym_state */
	const char *user, *mode, *product;
	struct algo_risk_state *pending;   /* state changes seen before the current event */
	size_t npending, cappending;
	/* the fill barrier */
	int barrier;
	struct algo_fillchan_in chan;
	int64_t next_sync;
	long timeout_ms;
	int dirty;          /* the executor may hold fills or states risk has not read */
	int sqoff;          /* ... including its square-off of open positions */
	int64_t last_ts;    /* of the newest event, 0 before the first */
	int64_t t_flush, t_wait;   /* ns spent flushing for and waiting at the barrier */
} st;

/* Reading the kill-switch state costs a database read transaction, too much for every
 * bar of a backtest. It is read before every signal (so no entry is approved after a
 * kill is committed), whenever the input is about to block (live: every event), and
 * at least every POLL_EVERY events in a batch run. */
#define POLL_EVERY 1000
static int input_idle;

/* Before any output leaves the process, the decisions behind it are committed: an
 * order downstream always has its record in the state database. */
static void commit_cb(void *arg)
{
	char err[ALGO_ERR_MAX];
	(void)arg;
	if (algo_risk_commit(&st.risk, err, sizeof err))
		algo_die(ALGO_EX_FAIL, "%s", err);
}

static void flush_cb(void *arg)
{
	(void)arg;
	input_idle = 1;
	algo_writer_flush(&algo_stdout);
}


static int take_changes(char *err, size_t errlen);
static int emit_changes(int64_t ts, char *err, size_t errlen);

static int chan_cb(const char *line, size_t len, void *arg, char *err, size_t errlen)
{
	(void)arg;
	return algo_risk_channel(&st.risk, line, len, err, errlen);
}

static void write_sync(int64_t id)
{
	algo_out_begin(&algo_stdout);
	algo_out_str(&algo_stdout, "type", "sync");
	if (st.last_ts)
		algo_out_time(&algo_stdout, "ts", st.last_ts);
	algo_out_int(&algo_stdout, "id", id);
	algo_out_str(&algo_stdout, "fifo", st.chan.path);
	algo_out_end(&algo_stdout);
}

/* Sends a sync downstream and reads the executor's fills until it answers: after
 * this the book is exact up to the last event forwarded. */
static int barrier_wait(char *err, size_t errlen)
{
	int64_t id = st.next_sync++;
	int rc;
	struct timespec t0, t1, t2;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	write_sync(id);
	algo_writer_flush(&algo_stdout);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	rc = algo_fillchan_wait(&st.chan, id, 1, st.timeout_ms, chan_cb, NULL, err, errlen);
	if (rc) {
		/* not bad input: the pipeline is broken. A reader gone is the quiet end of a
		 * closed pipe, as on EPIPE. */
		char cerr[ALGO_ERR_MAX];
		if (rc != -3)
			algo_warn("%s", err);
		if (algo_risk_commit(&st.risk, cerr, sizeof cerr))
			algo_warn("%s", cerr);
		algo_fillchan_remove(&st.chan);
		exit(rc == -2 ? ALGO_EX_UNAVAILABLE : rc == -3 ? ALGO_EX_OK : ALGO_EX_FAIL);
	}
	clock_gettime(CLOCK_MONOTONIC, &t2);
	st.t_flush += (t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec);
	st.t_wait += (t2.tv_sec - t1.tv_sec) * 1000000000LL + (t2.tv_nsec - t1.tv_nsec);
	st.dirty = st.sqoff = 0;
	st.risk.ack_day = algo_time_ist_day(st.last_ts);
	return 0;
}

/* A market event of symbol was forwarded: the executor may fill on it. Marks the book
 * and checks the daily PnL limits (exactly only when the bound says it could matter). */
static int market(const char *symbol, int64_t ts, int64_t px, int64_t lo, int64_t hi,
	char *err, size_t errlen)
{
	struct algo_risk *r = &st.risk;
	int rc;
	if (!st.barrier)
		return 0;
	if (r->ack_open > 0 && r->ack_square_off >= 0 &&
	    (algo_time_ist_minute(ts) >= r->ack_square_off || algo_time_ist_day(ts) != r->ack_day))
		st.dirty = st.sqoff = 1;
	if (r->nunc)
		st.dirty = 1;
	if (algo_risk_mark(r, symbol, px, lo, hi, err, errlen))
		return -1;
	rc = algo_risk_pnl_check(r, symbol, ts, !st.dirty, st.sqoff, err, errlen);
	if (rc == 1) {
		if (barrier_wait(err, errlen))
			return -1;
		rc = algo_risk_pnl_check(r, symbol, ts, 1, 0, err, errlen);
	}
	if (rc < 0)
		return -1;
	return rc == 2 ? take_changes(err, errlen) : 0;
}

static int on_tick(const struct algo_event *ev, char *err, size_t errlen)
{
	char symbol[ALGO_NAME_MAX];
	int64_t ts, ltp, bid = 0, ask = 0, lo, hi;
	if (algo_event_time(ev, "ts", 1, &ts, err, errlen) < 0 ||
	    algo_event_name(ev, "symbol", 1, symbol, sizeof symbol, err, errlen) < 0 ||
	    algo_event_price(ev, "ltp", 1, &ltp, err, errlen) < 0 ||
	    algo_event_price(ev, "bid", 0, &bid, err, errlen) < 0 ||
	    algo_event_price(ev, "ask", 0, &ask, err, errlen) < 0)
		return -1;
	algo_out_line(&algo_stdout, ev->line, ev->len);
	lo = hi = ltp;
	if (bid && bid < lo) lo = bid;
	if (ask && ask > hi) hi = ask;
	return market(symbol, ts, ltp, lo, hi, err, errlen);
}

static int on_bar(const struct algo_event *ev, char *err, size_t errlen)
{
	struct algo_bar bar;
	char key[2 * ALGO_NAME_MAX];
	size_t kn;
	struct last_ts *lt;
	struct sym_state *ss;

	if (algo_bar_decode(ev, &bar, err, errlen))
		return -1;
	kn = algo_book_key(key, sizeof key, bar.symbol, bar.tf, NULL);
	lt = kn ? algo_book_tab_get(&st.bars, key, kn, 1) : NULL;
	ss = algo_book_tab_get(&st.syms, bar.symbol, strlen(bar.symbol), 1);
	if (!lt || !ss) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (lt->seen && bar.ts <= lt->ts) {
		algo_event_ts_order_err(err, errlen, "is not after the previous bar", bar.ts, lt->ts, bar.symbol, bar.tf);
		return -1;
	}
	lt->ts = bar.ts;
	lt->seen = 1;
	ss->close = bar.c;
	algo_out_line(&algo_stdout, ev->line, ev->len);
	return market(bar.symbol, bar.ts, bar.c, bar.l, bar.h, err, errlen);
}

static int on_signal(const struct algo_event *ev, char *err, size_t errlen)
{
	static const char *const actions[] = { "entry", "exit", NULL };
	static const char *const sides[] = { "buy", "sell", NULL };
	char strategy[ALGO_NAME_MAX], symbol[ALGO_NAME_MAX], user[ALGO_NAME_MAX];
	struct algo_risk_signal s;
	struct algo_risk_verdict v;
	struct sym_state *ss;
	int64_t ref = 0, sl = 0, tp = 0;
	int action, side, has_ref, has_sl, has_tp, rc, early;

	if (algo_event_time(ev, "ts", 1, &s.ts, err, errlen) < 0 ||
	    algo_event_name(ev, "strategy", 1, strategy, ALGO_NAME_MAX, err, errlen) < 0 ||
	    algo_event_name(ev, "symbol", 1, symbol, ALGO_NAME_MAX, err, errlen) < 0 ||
	    (action = algo_event_word(ev, "action", actions, "\"entry\" or \"exit\"", -1, err, errlen)) < 0 ||
	    (side = algo_event_word(ev, "side", sides, "\"buy\" or \"sell\"", -1, err, errlen)) < 0 ||
	    algo_event_qty(ev, "qty", 1, &s.req.qty, err, errlen) < 0 ||
	    (has_ref = algo_event_price(ev, "ref", 0, &ref, err, errlen)) < 0 ||
	    (has_sl = algo_event_price(ev, "sl", 0, &sl, err, errlen)) < 0 ||
	    (has_tp = algo_event_price(ev, "tp", 0, &tp, err, errlen)) < 0 ||
	    (rc = algo_event_name(ev, "user", 0, user, ALGO_NAME_MAX, err, errlen)) < 0)
		return -1;
	if (rc == 0)
		snprintf(user, sizeof user, "%s", st.user);

	ss = algo_book_tab_get(&st.syms, symbol, strlen(symbol), 1);
	if (!ss) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (ss->signal_seen && s.ts < ss->signal_ts) {
		algo_event_ts_order_err(err, errlen, "goes back before", s.ts, ss->signal_ts, symbol, "");
		return -1;
	}
	s.user = user;
	s.strategy = strategy;
	s.symbol = symbol;
	s.req.action = action == 0 ? ALGO_RISK_ENTRY : ALGO_RISK_EXIT;
	s.req.side = side == 0 ? ALGO_BUY : ALGO_SELL;
	s.price = has_ref ? ref : ss->close;
	s.live = strcmp(st.mode, "live") == 0;
	s.legs = has_sl || has_tp;
	if (st.barrier && st.dirty && barrier_wait(err, errlen))
		return -1;
	early = st.npending > 0;
	if (early) {                     /* a state change seen at this signal goes first */
		algo_out_line(&algo_stdout, ev->line, ev->len);
		if (emit_changes(s.ts, err, errlen))
			return -1;
	}
	if ((rc = algo_risk_decide(&st.risk, &s, &v, err, errlen)) < 0)
		return -1;
	ss->signal_ts = s.ts;
	ss->signal_seen = 1;

	if (!early)
		algo_out_line(&algo_stdout, ev->line, ev->len);
	if (rc == 1)                     /* decided before a restart: emitted then */
		return 0;
	algo_out_begin(&algo_stdout);
	if (v.ok) {
		st.dirty = 1;
		algo_out_str(&algo_stdout, "type", "order");
		algo_out_time(&algo_stdout, "ts", s.ts);
		algo_out_str(&algo_stdout, "id", v.id);
		algo_out_str(&algo_stdout, "strategy", strategy);
		algo_out_str(&algo_stdout, "symbol", symbol);
		algo_out_str(&algo_stdout, "side", sides[side]);
		algo_out_int(&algo_stdout, "qty", v.qty);
		algo_out_str(&algo_stdout, "kind", "market");
		algo_out_str(&algo_stdout, "product", st.product);
		algo_out_str(&algo_stdout, "validity", "day");
		algo_out_str(&algo_stdout, "mode", st.mode);
		algo_out_str(&algo_stdout, "user", user);
		if (has_sl) algo_out_dec(&algo_stdout, "sl", sl);
		if (has_tp) algo_out_dec(&algo_stdout, "tp", tp);
		if (action == 1)
			algo_out_bool(&algo_stdout, "reduce_only", 1);
	} else {
		algo_out_str(&algo_stdout, "type", "risk_block");
		algo_out_time(&algo_stdout, "ts", s.ts);
		algo_out_str(&algo_stdout, "strategy", strategy);
		algo_out_str(&algo_stdout, "symbol", symbol);
		algo_out_str(&algo_stdout, "side", sides[side]);
		algo_out_int(&algo_stdout, "qty", s.req.qty);
		algo_out_str(&algo_stdout, "rule", v.rule);
		if (v.has_limit == 2) {
			algo_out_dec(&algo_stdout, "limit", v.limit);
			algo_out_dec(&algo_stdout, "value", v.value);
		} else {
			if (v.has_limit) algo_out_int(&algo_stdout, "limit", v.limit);
			algo_out_int(&algo_stdout, "value", v.value);
		}
		algo_out_str(&algo_stdout, "reason", v.reason);
		algo_out_str(&algo_stdout, "user", user);
	}
	algo_out_end(&algo_stdout);
	return 0;
}

static const char *pick(const char *opt, const char *val, const char *const *list)
{
	for (int i = 0; list[i]; i++)
		if (strcmp(val, list[i]) == 0)
			return list[i];
	algo_usage_error("%s: '%s' is not one of the allowed values", opt, val);
}

/* Keeps r->changes for emission after the current event. */
static int take_changes(char *err, size_t errlen)
{
	struct algo_risk *r = &st.risk;
	if (st.npending + r->nchanges > st.cappending) {
		size_t cap = (st.npending + r->nchanges) * 2;
		struct algo_risk_state *p = realloc(st.pending, cap * sizeof *p);
		if (!p) { snprintf(err, errlen, "out of memory"); return -1; }
		st.pending = p;
		st.cappending = cap;
	}
	for (size_t i = 0; i < r->nchanges; i++)
		st.pending[st.npending++] = r->changes[i];
	r->nchanges = 0;
	return 0;
}

/* Writes a kill_switch event per pending change, then, with on_kill square_off, the
 * closing orders of the positions it covers. */
static int emit_changes(int64_t ts, char *err, size_t errlen)
{
	for (size_t i = 0; i < st.npending; i++) {
		const struct algo_risk_state *c = &st.pending[i];
		struct algo_risk_close *cl = NULL;
		size_t n = 0;
		algo_out_begin(&algo_stdout);
		algo_out_str(&algo_stdout, "type", "kill_switch");
		algo_out_time(&algo_stdout, "ts", ts);
		algo_out_str(&algo_stdout, "scope", algo_risk_scope_name(c->scope));
		if (c->scope == ALGO_RISK_SCOPE_STRATEGY) algo_out_str(&algo_stdout, "strategy", c->key);
		if (c->scope == ALGO_RISK_SCOPE_USER) algo_out_str(&algo_stdout, "user", c->key);
		algo_out_str(&algo_stdout, "state", algo_risk_state_name(c->state));
		algo_out_str(&algo_stdout, "reason", c->reason[0] ? c->reason :
			c->state == ALGO_RISK_ACTIVE ? "resumed" : "manual");
		algo_out_end(&algo_stdout);
		if (!st.risk.cfg.square_off_on_kill)
			continue;
		if (algo_risk_square_off(&st.risk, c, ts, &cl, &n, err, errlen))
			return -1;
		for (size_t j = 0; j < n; j++) {
			st.dirty = 1;
			algo_out_begin(&algo_stdout);
			algo_out_str(&algo_stdout, "type", "order");
			algo_out_time(&algo_stdout, "ts", ts);
			algo_out_str(&algo_stdout, "id", cl[j].id);
			algo_out_str(&algo_stdout, "strategy", cl[j].strategy);
			algo_out_str(&algo_stdout, "symbol", cl[j].symbol);
			algo_out_str(&algo_stdout, "side", cl[j].side > 0 ? "buy" : "sell");
			algo_out_int(&algo_stdout, "qty", cl[j].qty);
			algo_out_str(&algo_stdout, "kind", "market");
			algo_out_str(&algo_stdout, "product", st.product);
			algo_out_str(&algo_stdout, "validity", "day");
			algo_out_str(&algo_stdout, "mode", st.mode);
			algo_out_str(&algo_stdout, "user", cl[j].user);
			algo_out_bool(&algo_stdout, "reduce_only", 1);
			algo_out_end(&algo_stdout);
		}
		free(cl);
	}
	st.npending = 0;
	return 0;
}

static void on_signal_exit(int sig)
{
	algo_fillchan_remove(&st.chan);
	_exit(128 + sig);
}

static int64_t wall_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void open_state(struct algo_store *db, const char *path)
{
	char err[ALGO_ERR_MAX];
	if (algo_store_open(db, path, err, sizeof err))
		algo_die(ALGO_EX_CANTCREAT, "%s", err);
}

/* kill / resume: set a scope's state, recorded with an audit row. */
static int cmd_state(int resume, const char *state_opt, const char *strategy, const char *user,
	const char *mode, const char *reason, const char *who)
{
	struct algo_store db;
	char path[4096], err[ALGO_ERR_MAX];
	int scope = strategy ? ALGO_RISK_SCOPE_STRATEGY : user ? ALGO_RISK_SCOPE_USER : ALGO_RISK_SCOPE_ALL;
	int state = resume ? ALGO_RISK_ACTIVE : mode && strcmp(mode, "reducing") == 0 ?
		ALGO_RISK_REDUCING : ALGO_RISK_HALTED;
	if (strategy && user)
		algo_usage_error("give one of --strategy, --user or --all");
	if (mode && (resume || (strcmp(mode, "halted") && strcmp(mode, "reducing"))))
		algo_usage_error("--mode: %s", resume ? "not used by resume" : "must be halted or reducing");
	if (!who) who = getenv("USER");
	if (!who || !who[0]) who = "unknown";
	if (algo_cli_state_path(state_opt, path, sizeof path))
		algo_die(ALGO_EX_CONFIG, "no state database path (set --state or $ALGO_STATE)");
	open_state(&db, path);
	if (algo_risk_set_state(&db, scope, strategy ? strategy : user ? user : "", state, reason,
	    who, wall_ms(), err, sizeof err)) {
		algo_store_close(&db);
		algo_die(ALGO_EX_FAIL, "%s", err);
	}
	algo_store_close(&db);
	fprintf(stderr, "algo-risk: %s%s%s %s\n", algo_risk_scope_name(scope),
		scope != ALGO_RISK_SCOPE_ALL ? " " : "", strategy ? strategy : user ? user : "",
		algo_risk_state_name(state));
	return ALGO_EX_OK;
}

/* status: every (user, strategy) the book knows, its state, positions and trades. */
static int cmd_status(const char *state_opt, struct algo_risk_config *cfg, int json)
{
	struct algo_store db;
	struct algo_risk r;
	char path[4096], err[ALGO_ERR_MAX];
	json_t *out = json_array();
	algo_risk_init(&r, cfg);
	if (algo_cli_state_path(state_opt, path, sizeof path))
		algo_die(ALGO_EX_CONFIG, "no state database path (set --state or $ALGO_STATE)");
	open_state(&db, path);
	if (algo_risk_attach(&r, &db, err, sizeof err))
		algo_die(ALGO_EX_FAIL, "%s", err);
	if (out && algo_risk_status(&r, out)) {
		json_decref(out);
		out = NULL;
	}
	if (!out)
		algo_die(ALGO_EX_FAIL, "out of memory");
	if (json) {
		char *txt = json_dumps(out, JSON_COMPACT | JSON_REAL_PRECISION(15));
		if (txt) printf("%s\n", txt);
		free(txt);
	} else {
		size_t i;
		json_t *o;
		if (!json_array_size(out))
			printf("no strategies in %s\n", path);
		json_array_foreach(out, i, o) {
			const char *sym;
			json_t *q, *left = json_object_get(o, "trades_left"), *plan = json_object_get(o, "plan");
			printf("%s/%s: %s%s%s\n", json_string_value(json_object_get(o, "user")),
				json_string_value(json_object_get(o, "strategy")),
				json_string_value(json_object_get(o, "state")),
				json_string_length(json_object_get(o, "reason")) ? " — " : "",
				json_string_value(json_object_get(o, "reason")));
			printf("  trades on %s: %lld, left: ", json_string_value(json_object_get(o, "day")),
				(long long)json_integer_value(json_object_get(o, "trades_today")));
			if (json_is_null(left)) printf("unlimited");
			else printf("%lld", (long long)json_integer_value(left));
			if (json_is_string(plan)) printf(" (plan %s)", json_string_value(plan));
			printf("\n");
			printf("  day PnL (realised, net of charges): %.2f", json_real_value(json_object_get(o, "day_pnl")));
			if (json_is_real(json_object_get(o, "max_daily_loss")))
				printf("; loss limit %.2f, left %.2f",
					json_real_value(json_object_get(o, "max_daily_loss")),
					json_real_value(json_object_get(o, "loss_left")));
			printf("\n");
			json_object_foreach(json_object_get(o, "positions"), sym, q)
				printf("  position %s %lld\n", sym, (long long)json_integer_value(q));
		}
	}
	json_decref(out);
	algo_risk_free(&r);
	algo_store_close(&db);
	return fflush(stdout) ? ALGO_EX_IOERR : ALGO_EX_OK;
}

int main(int argc, char **argv)
{
	static const char *const modes[] = { "paper", "live", NULL };
	static const char *const products[] = { "intraday", "delivery", "margin", NULL };
	static const char *const formats[] = { "text", "json", NULL };
	const char *config = NULL, *state_opt = NULL, *sub = NULL, *mode_arg = NULL;
	const char *strategy = NULL, *user_arg = NULL, *reason = NULL, *who = NULL, *format = "text";
	struct algo_risk_config cfg;
	struct algo_store db;
	int use_db = 0;
	struct algo_reader r;
	char err[ALGO_ERR_MAX];
	long nbad = 0;
	int skip_bad = 0, check = 0, all = 0, format_set = 0, code = ALGO_EX_OK, c;
	int64_t last_ts = 0;

	algo_cli_init(argv[0]);
	st.user = "default";
	st.mode = "paper";
	st.product = "intraday";
	if (argc > 1 && (strcmp(argv[1], "kill") == 0 || strcmp(argv[1], "resume") == 0 ||
	    strcmp(argv[1], "status") == 0)) {
		sub = argv[1];
		argv[1] = argv[0];
		argv++;
		argc--;
	}
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":c:h", options, NULL)) != -1) {
		switch (c) {
		case 'c': config = optarg; break;
		case OPT_CHECK: check = 1; break;
		case OPT_STATE: state_opt = optarg; break;
		case OPT_USER:
			if (!optarg[0] || strlen(optarg) >= ALGO_NAME_MAX)
				algo_usage_error("--user: must be 1 to %d bytes", ALGO_NAME_MAX - 1);
			for (const char *p = optarg; *p; p++)
				if ((unsigned char)*p < 0x20)
					algo_usage_error("--user: must not contain control characters");
			st.user = user_arg = optarg;
			break;
		case OPT_MODE: mode_arg = optarg; break;
		case OPT_PRODUCT: st.product = pick("--product", optarg, products); break;
		case OPT_SKIP_BAD: skip_bad = 1; break;
		case OPT_BARRIER: st.barrier = 1; break;
		case OPT_BARRIER_TIMEOUT:
			st.timeout_ms = (long)algo_cli_int("--barrier-timeout", optarg, 1, 86400) * 1000;
			break;
		case OPT_STRATEGY:
			if (!optarg[0] || strlen(optarg) >= ALGO_NAME_MAX)
				algo_usage_error("--strategy: must be 1 to %d bytes", ALGO_NAME_MAX - 1);
			strategy = optarg;
			break;
		case OPT_ALL: all = 1; break;
		case OPT_REASON: reason = optarg; break;
		case OPT_WHO: who = optarg; break;
		case OPT_FORMAT: format = pick("--format", optarg, formats); format_set = 1; break;
		case 'h': fputs(usage_text, stdout); return fflush(stdout) ? ALGO_EX_IOERR : ALGO_EX_OK;
		case OPT_VERSION: algo_print_version();
		case ':': algo_usage_error("option '%s' needs a value", argv[optind - 1]);
		default:
			if (optopt) algo_usage_error("unknown option '-%c'", optopt);
			algo_usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		algo_usage_error("unexpected argument '%s' (events are read from stdin)", argv[optind]);
	if (sub && strcmp(sub, "status") != 0) {
		if (all && (strategy || user_arg))
			algo_usage_error("--all cannot be combined with --strategy or --user");
		return cmd_state(sub[0] == 'r', state_opt, strategy, user_arg, mode_arg, reason, who);
	}
	if (!sub && (strategy || all || reason || who))
		algo_usage_error("--strategy, --all, --reason and --who belong to kill and resume");
	if (format_set && (!sub || strcmp(sub, "status") != 0))
		algo_usage_error("--format belongs to status");
	if (mode_arg)
		st.mode = pick("--mode", mode_arg, modes);
	if (check && !config)
		algo_usage_error("--check needs -c RISK.json");

	algo_risk_config_init(&cfg);
	if (config) {
		int rc = algo_risk_config_load(&cfg, config, err, sizeof err);
		if (rc == ALGO_RISK_EOPEN)
			algo_die(ALGO_EX_NOINPUT, "%s", err);
		if (rc != ALGO_RISK_OK)
			algo_die(ALGO_EX_CONFIG, "%s", err);
	}
	if (check) {
		algo_risk_config_free(&cfg);
		return ALGO_EX_OK;
	}
	if (sub)
		return cmd_status(state_opt, &cfg, strcmp(format, "json") == 0);
	if (cfg.pnl_key)
		st.barrier = 1;
	if (!st.timeout_ms)
		st.timeout_ms = 60000;
	algo_risk_init(&st.risk, &cfg);
	st.risk.barrier = st.barrier;
	if (state_opt || (getenv("ALGO_STATE") && getenv("ALGO_STATE")[0])) {
		char path[4096];
		if (algo_cli_state_path(state_opt, path, sizeof path))
			algo_die(ALGO_EX_CONFIG, "state database path too long");
		open_state(&db, path);
		use_db = 1;
		if (algo_risk_attach(&st.risk, &db, err, sizeof err))
			algo_die(ALGO_EX_FAIL, "%s", err);
		algo_stdout.before_write = commit_cb;
	}
	algo_book_tab_init(&st.bars, sizeof(struct last_ts));
	algo_book_tab_init(&st.syms, sizeof(struct sym_state));
	if (algo_reader_fdopen(&r, 0, "stdin", err, sizeof err))
		algo_die(ALGO_EX_FAIL, "%s", err);
	r.before_read = flush_cb;
	if (st.barrier) {
		if (algo_fillchan_create(&st.chan, err, sizeof err))
			algo_die(ALGO_EX_CANTCREAT, "%s", err);
		signal(SIGINT, on_signal_exit);
		signal(SIGTERM, on_signal_exit);
		signal(SIGHUP, on_signal_exit);
		signal(SIGPIPE, SIG_IGN);
		st.next_sync = 1;
		st.dirty = 1;   /* what the executor did before this run is unknown */
	}

	int since_poll = 0;
	for (;;) {
		const char *line;
		size_t len;
		struct algo_event ev;
		int64_t ts;
		int rc = algo_reader_next(&r, &line, &len, err, sizeof err);
		if (rc == 0)
			break;
		if (rc == -2) {
			algo_warn("%s", err);
			code = ALGO_EX_IOERR;
			break;
		}
		if (rc == 1 && algo_event_parse(&ev, line, len, err, sizeof err) == 0) {
			char terr[ALGO_ERR_MAX];
			if (algo_event_time(&ev, "ts", 0, &ts, terr, sizeof terr) == 1) {
				last_ts = ts;
				if (ts > st.last_ts)
					st.last_ts = ts;
				if (st.barrier && st.next_sync == 1)
					write_sync(st.next_sync++);   /* the executor starts recording fills */
				if (algo_risk_new_event(&st.risk, ts, err, sizeof err) < 0 ||
				    take_changes(err, sizeof err))
					goto fatal;
			}
			if (ev.type == ALGO_EV_SIGNAL || input_idle || ++since_poll >= POLL_EVERY) {
				input_idle = 0;
				since_poll = 0;
				if (algo_risk_poll(&st.risk, err, sizeof err) < 0 || take_changes(err, sizeof err))
					goto fatal;
			}
			if (ev.type == ALGO_EV_BAR)
				rc = on_bar(&ev, err, sizeof err);
			else if (ev.type == ALGO_EV_SIGNAL)
				rc = on_signal(&ev, err, sizeof err);
			else if (ev.type == ALGO_EV_TICK)
				rc = on_tick(&ev, err, sizeof err);
			else {
				/* orders, cancels and modifies from upstream change the executor too */
				if (ev.type == ALGO_EV_ORDER || ev.type == ALGO_EV_OTHER)
					st.dirty = 1;
				algo_out_line(&algo_stdout, line, len);
				rc = 0;
			}
			if (st.npending && emit_changes(last_ts, terr, sizeof terr)) {
				snprintf(err, sizeof err, "%s", terr);
				goto fatal;
			}
			if (rc == 0)
				continue;
		}
		algo_warn("%s:%ld: %s", r.name, r.lineno, err);
		if (!skip_bad) {
			code = ALGO_EX_DATAERR;
			break;
		}
		nbad++;
		continue;
fatal:
		algo_warn("%s", err);
		code = ALGO_EX_FAIL;
		break;
	}
	if (nbad)
		algo_warn("skipped %ld bad line%s", nbad, nbad == 1 ? "" : "s");
	/* the executor answers the syncs already sent before the FIFO goes away, and what
	 * it reports is recorded */
	if (st.barrier && st.next_sync > 1 && code == ALGO_EX_OK && barrier_wait(err, sizeof err)) {
		algo_warn("%s", err);
		code = ALGO_EX_FAIL;
	}

	algo_reader_close(&r);
	if (algo_risk_commit(&st.risk, err, sizeof err)) {
		algo_warn("%s", err);
		code = ALGO_EX_FAIL;
	}
	algo_writer_flush(&algo_stdout);
	algo_stdout.before_write = NULL;
	algo_book_tab_free(&st.bars);
	algo_book_tab_free(&st.syms);
	if (st.barrier && getenv("ALGO_RISK_STATS"))
		fprintf(stderr, "algo-risk: %lld barrier waits (%.3f s flushing, %.3f s waiting), "
			"%lld PnL checks\n", (long long)st.risk.waits, st.t_flush / 1e9, st.t_wait / 1e9,
			(long long)st.risk.checks);
	algo_fillchan_remove(&st.chan);
	algo_risk_free(&st.risk);
	free(st.pending);
	if (use_db)
		algo_store_close(&db);
	return algo_out_finish(code);
}
