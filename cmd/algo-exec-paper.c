/* algo-exec-paper — fills orders on paper from the market events in the stream.
 *
 * Reads NDJSON on stdin and copies every event through. Orders, cancel and modify
 * events go to the paper engine (lib/fillsim.h), bars and ticks drive it; its fills
 * and order updates are written right after the event that caused them. The fill
 * rules are in algo-exec-paper(1). */
#include "book.h"
#include "cli.h"
#include "costs.h"
#include "decimal.h"
#include "event.h"
#include "fillchan.h"
#include "fillsim.h"
#include "timeutil.h"
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage_text[] =
	"Usage: algo-exec-paper [OPTIONS] < EVENTS\n"
	"Fills order events on paper from the bars and ticks in the stream; passes every event through.\n"
	"      --fill MODEL           next-open (default): market orders at the open of the next bar;\n"
	"                             close: at the close of the bar the order was made on\n"
	"      --slippage-bps N       price slippage in basis points, e.g. 2.5 (default 0)\n"
	"      --slippage-ticks N     slippage in whole ticks (default 0)\n"
	"      --tick-size P          tick size for --slippage-ticks (default 0.05)\n"
	"      --commission-bps N     brokerage in basis points of turnover (default 0)\n"
	"      --charges FILE         Indian charges from a dated table (a file, a name such as\n"
	"                             'india' in ../share/algo/costs/ when installed or in the\n"
	"                             source tree's share/costs/, or 'none' for zero fees)\n"
	"      --latency-bars N       orders become eligible N bars of their symbol later\n"
	"      --max-participation P  fill at most P x bar volume per bar (0 < P <= 1)\n"
	"      --intrabar MODE        both legs inside one bar: pessimistic (default) or optimistic\n"
	"      --square-off HH:MM     close intraday positions at the first bar at or after HH:MM IST\n"
	"                             (default 15:20; none: never)\n"
	"      --capital AMOUNT       reject orders the remaining capital cannot cover\n"
	"      --fno-margin-pct PCT   margin for futures and options, percent of notional (default 15)\n"
	"      --skip-bad             warn about bad input lines and skip them instead of stopping\n"
	"  -h, --help                 print this help and exit\n"
	"      --version              print the version and exit\n";

enum { OPT_FILL = 256, OPT_SLIPPAGE, OPT_SLIP_TICKS, OPT_TICK_SIZE, OPT_COMMISSION, OPT_CHARGES,
	OPT_LATENCY, OPT_PARTICIPATION, OPT_INTRABAR, OPT_SQUARE_OFF, OPT_CAPITAL, OPT_FNO_MARGIN,
	OPT_SKIP_BAD, OPT_VERSION };

static const struct option options[] = {
	{ "fill", required_argument, NULL, OPT_FILL },
	{ "slippage-bps", required_argument, NULL, OPT_SLIPPAGE },
	{ "slippage-ticks", required_argument, NULL, OPT_SLIP_TICKS },
	{ "tick-size", required_argument, NULL, OPT_TICK_SIZE },
	{ "commission-bps", required_argument, NULL, OPT_COMMISSION },
	{ "charges", required_argument, NULL, OPT_CHARGES },
	{ "latency-bars", required_argument, NULL, OPT_LATENCY },
	{ "max-participation", required_argument, NULL, OPT_PARTICIPATION },
	{ "intrabar", required_argument, NULL, OPT_INTRABAR },
	{ "square-off", required_argument, NULL, OPT_SQUARE_OFF },
	{ "capital", required_argument, NULL, OPT_CAPITAL },
	{ "fno-margin-pct", required_argument, NULL, OPT_FNO_MARGIN },
	{ "skip-bad", no_argument, NULL, OPT_SKIP_BAD },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

struct last_ts { int64_t ts; int seen; };

static struct {
	struct algo_fillsim fs;
	struct algo_costs costs;
	struct algo_book_tab bars;     /* symbol\x1ftf (or symbol\x1f for ticks) -> last_ts */
	struct algo_book_tab orders;   /* symbol -> last_ts of its orders */
	struct algo_fillchan_out chan; /* fills and final statuses for algo-risk's barrier */
} st;

static void flush_cb(void *arg)
{
	(void)arg;
	algo_writer_flush(&algo_stdout);
}

static void out_fees(const struct algo_fees *f)
{
	struct algo_writer *w = &algo_stdout;
	algo_out_obj_begin(w, "fees");
	algo_out_dec(w, "brokerage", f->brokerage);
	if (st.fs.cfg.cost_model == ALGO_COST_TABLE || st.fs.cfg.cost_model == ALGO_COST_TABLE_NONE) {
		algo_out_dec(w, "stt", f->stt);
		algo_out_dec(w, "exchange", f->exchange);
		algo_out_dec(w, "sebi", f->sebi);
		algo_out_dec(w, "ipft", f->ipft);
		algo_out_dec(w, "stamp", f->stamp);
		algo_out_dec(w, "gst", f->gst);
		if (f->dp)
			algo_out_dec(w, "dp", f->dp);
	}
	algo_out_dec(w, "total", f->total);
	algo_out_obj_end(w);
}

/* The engine's report callback: one event per fill or order update. */
static void emit(const struct algo_fillsim_out *e, void *arg)
{
	struct algo_writer *w = &algo_stdout;
	const struct algo_working_order *o = e->o;
	(void)arg;
	algo_out_begin(w);
	if (e->what == ALGO_OUT_FILL) {
		char fill_id[ALGO_FILLSIM_ID_MAX + 24];
		snprintf(fill_id, sizeof fill_id, "%s-%lld", o->in.id, (long long)e->fill_no);
		algo_out_str(w, "type", "fill");
		algo_out_time(w, "ts", e->ts);
		algo_out_str(w, "id", o->in.id);
		algo_out_str(w, "fill_id", fill_id);
		algo_out_str(w, "strategy", o->in.strategy);
		algo_out_str(w, "symbol", o->in.symbol);
		algo_out_str(w, "side", o->in.side == ALGO_BUY ? "buy" : "sell");
		algo_out_int(w, "qty", e->qty);
		algo_out_dec(w, "price", e->price);
		out_fees(&e->fees);
		algo_out_int(w, "remaining", o->in.qty - o->filled);
		algo_out_str(w, "user", o->in.user);
		if (e->reason)
			algo_out_str(w, "reason", e->reason);
		if (e->ambiguous)
			algo_out_bool(w, "ambiguous", 1);
		algo_fillchan_fill(&st.chan, e->ts, o->in.id, e->fill_no, o->in.user, o->in.strategy, o->in.symbol,
			o->in.side, e->qty, e->price, e->fees.total);
	} else {
		algo_out_str(w, "type", "order_update");
		algo_out_time(w, "ts", e->ts);
		algo_out_str(w, "id", o->in.id);
		algo_out_str(w, "status", e->status);
		if (e->reason)
			algo_out_str(w, "reason", e->reason);
		if (strcmp(e->status, "filled") == 0 || strcmp(e->status, "partial") == 0) {
			algo_out_int(w, "filled", o->filled);
			algo_out_dec(w, "avg_price", algo_dec_muldiv(o->value, 1, o->filled));
			if (o->filled < o->in.qty)
				algo_out_int(w, "remaining", o->in.qty - o->filled);
		}
		if (strcmp(o->in.user, "default") != 0)
			algo_out_str(w, "user", o->in.user);
		if (strcmp(e->status, "accepted") != 0 && strcmp(e->status, "partial") != 0)
			algo_fillchan_final(&st.chan, e->ts, o->in.id, o->in.user, e->status, o->filled);
	}
	algo_out_end(w);
}

static int get_id(const struct algo_event *ev, char *id, char *err, size_t errlen)
{
	char buf[ALGO_NAME_MAX];
	size_t n;
	if (algo_event_str(ev, "id", 1, buf, sizeof buf, err, errlen) < 0) {
		if (algo_event_get(ev, "id") && algo_event_get(ev, "id")->type == ALGO_J_STRING)
			snprintf(err, errlen, "field 'id': must be 1 to 30 letters or digits");
		return -1;
	}
	n = strspn(buf, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789");
	if (buf[n] || n == 0 || n >= ALGO_FILLSIM_ID_MAX) {
		snprintf(err, errlen, "field 'id': must be 1 to 30 letters or digits");
		return -1;
	}
	memcpy(id, buf, n + 1);
	return 0;
}


static struct last_ts *check_time_last;   /* the record check_time used last */

/* Checks that ts is after (strict) or not before the last time under key. */
static int check_time(struct algo_book_tab *t, const char *symbol, const char *tf, int64_t ts,
	int strict, char *err, size_t errlen)
{
	char key[2 * ALGO_NAME_MAX];
	size_t kn = algo_book_key(key, sizeof key, symbol, tf, NULL);
	struct last_ts *lt = kn ? algo_book_tab_get(t, key, kn, 1) : NULL;
	if (!lt) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (lt->seen && (strict ? ts <= lt->ts : ts < lt->ts)) {
		algo_event_ts_order_err(err, errlen, strict ? "is not after the previous bar" : "goes back before",
			ts, lt->ts, symbol, tf);
		return -1;
	}
	lt->ts = ts;
	lt->seen = 1;
	check_time_last = lt;
	return 0;
}

/* Engine errors: -3 is a configuration problem (no charges for a date). */
static int engine_rc(int rc)
{
	return rc == -3 ? -3 : rc < 0 ? -4 : 0;
}

static int on_bar(const struct algo_event *ev, char *err, size_t errlen)
{
	struct algo_bar bar;
	struct algo_fillsim_bar b;

	static char last_sym[sizeof bar.symbol], last_tf[sizeof bar.tf];
	static struct last_ts *last;

	if (algo_bar_decode(ev, &bar, err, errlen))
		return -1;
	/* Bars of one symbol and timeframe usually follow each other: skip the lookup. */
	if (last && strcmp(bar.symbol, last_sym) == 0 && strcmp(bar.tf, last_tf) == 0 && bar.ts > last->ts) {
		last->ts = bar.ts;
	} else {
		if (check_time(&st.bars, bar.symbol, bar.tf, bar.ts, 1, err, errlen))
			return -1;
		last = check_time_last;
		memcpy(last_sym, bar.symbol, sizeof last_sym);
		memcpy(last_tf, bar.tf, sizeof last_tf);
	}
	algo_out_line(&algo_stdout, ev->line, ev->len);
	memset(&b, 0, sizeof b);
	b.ts = bar.ts;
	b.o = bar.o; b.h = bar.h; b.l = bar.l; b.c = bar.c; b.v = bar.v;
	return engine_rc(algo_fillsim_bar(&st.fs, bar.symbol, &b, err, errlen));
}

static int on_tick(const struct algo_event *ev, char *err, size_t errlen)
{
	struct algo_fillsim_bar b;
	char symbol[ALGO_NAME_MAX];
	int64_t v = -1;

	memset(&b, 0, sizeof b);
	if (algo_event_time(ev, "ts", 1, &b.ts, err, errlen) < 0 ||
	    algo_event_name(ev, "symbol", 1, symbol, sizeof symbol, err, errlen) < 0 ||
	    algo_event_price(ev, "ltp", 1, &b.c, err, errlen) < 0 ||
	    algo_event_price(ev, "bid", 0, &b.bid, err, errlen) < 0 ||
	    algo_event_price(ev, "ask", 0, &b.ask, err, errlen) < 0 ||
	    algo_event_int(ev, "v", 0, &v, err, errlen) < 0)
		return -1;
	if (b.bid && b.ask && b.bid > b.ask) {
		snprintf(err, errlen, "field 'bid': above 'ask'");
		return -1;
	}
	if (algo_event_get(ev, "v") && v < 0) {
		snprintf(err, errlen, "field 'v': must not be negative");
		return -1;
	}
	if (check_time(&st.bars, symbol, "tick", b.ts, 0, err, errlen))
		return -1;
	algo_out_line(&algo_stdout, ev->line, ev->len);
	b.tick = 1;
	b.o = b.h = b.l = b.c;
	b.v = -1;
	return engine_rc(algo_fillsim_bar(&st.fs, symbol, &b, err, errlen));
}

static int on_order(const struct algo_event *ev, char *err, size_t errlen)
{
	static const char *const sides[] = { "buy", "sell", NULL };
	static const char *const kinds[] = { "market", "limit", "stop", "stop_limit", NULL };
	static const char *const validities[] = { "day", "ioc", NULL };
	static const char *const products[] = { "intraday", "delivery", "margin", NULL };
	struct algo_order_in o;
	int side, rc;

	memset(&o, 0, sizeof o);
	if (algo_event_time(ev, "ts", 1, &o.ts, err, errlen) < 0 || get_id(ev, o.id, err, errlen))
		return -1;
	if (algo_event_name(ev, "strategy", 1, o.strategy, sizeof o.strategy, err, errlen) < 0 ||
	    algo_event_name(ev, "symbol", 1, o.symbol, sizeof o.symbol, err, errlen) < 0 ||
	    (side = algo_event_word(ev, "side", sides, "\"buy\" or \"sell\"", -1, err, errlen)) < 0 ||
	    algo_event_qty(ev, "qty", 1, &o.qty, err, errlen) < 0 ||
	    (o.kind = algo_event_word(ev, "kind", kinds, "market, limit, stop or stop_limit", -1, err, errlen)) < 0 ||
	    (o.validity = algo_event_word(ev, "validity", validities, "day or ioc", 0, err, errlen)) < 0 ||
	    (o.product = algo_event_word(ev, "product", products, "intraday, delivery or margin", 0, err, errlen)) < 0 ||
	    algo_event_price(ev, "limit", o.kind == ALGO_KIND_LIMIT || o.kind == ALGO_KIND_STOP_LIMIT,
		&o.limit, err, errlen) < 0 ||
	    algo_event_price(ev, "stop", o.kind == ALGO_KIND_STOP || o.kind == ALGO_KIND_STOP_LIMIT,
		&o.stop, err, errlen) < 0 ||
	    algo_event_price(ev, "sl", 0, &o.sl, err, errlen) < 0 ||
	    algo_event_price(ev, "tp", 0, &o.tp, err, errlen) < 0 ||
	    algo_event_price(ev, "trail", 0, &o.trail, err, errlen) < 0 ||
	    (rc = algo_event_name(ev, "user", 0, o.user, sizeof o.user, err, errlen)) < 0)
		return -1;
	if (rc == 0)
		snprintf(o.user, sizeof o.user, "default");
	{
		const struct algo_jfield *ro = algo_event_get(ev, "reduce_only");
		if (ro && ro->type != ALGO_J_TRUE && ro->type != ALGO_J_FALSE) {
			snprintf(err, errlen, "field 'reduce_only': must be true or false");
			return -1;
		}
		o.reduce_only = ro && ro->type == ALGO_J_TRUE;
	}
	o.side = side == 0 ? ALGO_BUY : ALGO_SELL;
	if (o.sl && o.tp && (o.side == ALGO_BUY ? o.sl >= o.tp : o.sl <= o.tp)) {
		snprintf(err, errlen, "field 'sl': must be %s 'tp' for a %s", o.side == ALGO_BUY ?
			"below" : "above", sides[side]);
		return -1;
	}
	if (check_time(&st.orders, o.symbol, "", o.ts, 0, err, errlen))
		return -1;
	algo_out_line(&algo_stdout, ev->line, ev->len);
	return engine_rc(algo_fillsim_order(&st.fs, &o, err, errlen));
}

/* cancel {"type":"cancel","ts","id","user"?} and modify {…,"qty"?,"limit"?,"stop"?}. */
static int on_cancel_modify(const struct algo_event *ev, int modify, char *err, size_t errlen)
{
	char id[ALGO_FILLSIM_ID_MAX], user[ALGO_NAME_MAX], why[ALGO_ERR_MAX];
	int64_t ts, qty = 0, limit = 0, stop = 0;
	int rc;

	if (algo_event_time(ev, "ts", 1, &ts, err, errlen) < 0 || get_id(ev, id, err, errlen) ||
	    (rc = algo_event_name(ev, "user", 0, user, sizeof user, err, errlen)) < 0)
		return -1;
	if (rc == 0)
		snprintf(user, sizeof user, "default");
	if (modify && (algo_event_qty(ev, "qty", 0, &qty, err, errlen) < 0 ||
	    algo_event_price(ev, "limit", 0, &limit, err, errlen) < 0 ||
	    algo_event_price(ev, "stop", 0, &stop, err, errlen) < 0))
		return -1;
	if (modify && !qty && !limit && !stop) {
		snprintf(err, errlen, "modify: needs one of 'qty', 'limit', 'stop'");
		return -1;
	}
	algo_out_line(&algo_stdout, ev->line, ev->len);
	rc = modify ? algo_fillsim_modify(&st.fs, user, id, ts, qty, limit, stop, why, sizeof why)
		: algo_fillsim_cancel(&st.fs, user, id, ts, why, sizeof why);
	if (rc == 0)
		algo_warn("%s %s: no working order with that id", modify ? "modify" : "cancel", id);
	else if (rc == -2)
		algo_warn("modify %s: %s; order unchanged", id, why);
	else if (rc < 0) {
		snprintf(err, errlen, "%s", why);
		return engine_rc(rc);
	}
	return 0;
}

/* {"type":"sync","id":N,"fifo":PATH} from algo-risk --barrier: answer on the FIFO with
 * the fills and final statuses since the last sync and the orders still working. The
 * sync is not passed on: it is a private handshake between risk and the executor. */
static int on_sync(const struct algo_event *ev, char *err, size_t errlen)
{
	char path[4096];
	int64_t id, ts;
	struct algo_fillchan_work *w = NULL;
	struct algo_fillchan_pos *ps = NULL;
	size_t nw = 0, np;
	int64_t nopen = 0;
	int rc;
	if (algo_event_time(ev, "ts", 1, &ts, err, errlen) < 0 ||
	    algo_event_int(ev, "id", 1, &id, err, errlen) < 0 ||
	    algo_event_str(ev, "fifo", 1, path, sizeof path, err, errlen) < 0)
		return -1;
	if (st.fs.n && !(w = calloc(st.fs.n, sizeof *w))) {
		snprintf(err, errlen, "out of memory");
		return -4;
	}
	for (size_t i = 0; i < st.fs.n; i++) {
		const struct algo_working_order *o = &st.fs.w[i];
		if (o->done)
			continue;
		w[nw].user = o->in.user;
		w[nw].strategy = o->in.strategy;
		w[nw].symbol = o->in.symbol;
		w[nw].side = o->in.side;
		w[nw].qty = o->in.qty - o->filled;
		w[nw++].legs = o->leg == ALGO_LEG_NONE && (o->in.sl || o->in.tp || o->in.trail);
	}
	np = algo_book_tab_count(&st.fs.pos);
	if (np && !(ps = calloc(np, sizeof *ps))) {
		free(w);
		snprintf(err, errlen, "out of memory");
		return -4;
	}
	np = 0;
	for (size_t i = 0; i < algo_book_tab_count(&st.fs.pos); i++) {
		const struct algo_fillsim_pos *p = algo_book_tab_at(&st.fs.pos, i, NULL, NULL);
		if (p->p.qty && p->product == ALGO_PROD_INTRADAY)
			nopen++;
		if (p->p.qty)
			ps[np++] = (struct algo_fillchan_pos){ p->user, p->strategy, p->symbol, p->p.qty };
	}
	rc = algo_fillchan_ack(&st.chan, path, ts, id, st.fs.cfg.square_off, nopen, w, nw, ps, np,
		err, errlen);
	free(w);
	free(ps);
	return rc ? -4 : 0;
}

/* Parses a basis-point option exactly ("2.5" -> 25000), 0 to 10,000 bps. */
static int64_t parse_bps(const char *opt, const char *s)
{
	int64_t v;
	if (algo_dec_parse(s, strlen(s), &v) || v < 0 || v > ALGO_FILLSIM_BPS_MAX)
		algo_usage_error("%s: '%s' is not a number of basis points from 0 to 10000 with at most 4 decimals",
			opt, s);
	return v;
}

static int64_t parse_dec(const char *opt, const char *s, int64_t min, int64_t max, const char *what)
{
	int64_t v;
	if (!*s || *s == '+' || algo_dec_parse(s, strlen(s), &v) || v < min || v > max)
		algo_usage_error("%s: '%s' is not %s", opt, s, what);
	return v;
}

/* --charges NAME: a path, or a table name (lib/costs.h says where it is looked up). */
static void load_charges(const char *arg)
{
	char path[PATH_MAX], err[ALGO_ERR_MAX];
	if (algo_costs_find(arg, path, sizeof path, err, sizeof err) ||
	    algo_costs_load(&st.costs, path, err, sizeof err))
		algo_die(errno == ENOENT ? ALGO_EX_NOINPUT : ALGO_EX_CONFIG, "%s", err);
}

int main(int argc, char **argv)
{
	struct algo_fillsim_cfg cfg;
	struct algo_reader r;
	char err[ALGO_ERR_MAX];
	const char *charges = NULL;
	long nbad = 0;
	size_t working;
	int skip_bad = 0, code = ALGO_EX_OK, c, have_bps = 0;

	memset(&cfg, 0, sizeof cfg);
	cfg.mode = ALGO_FILL_NEXT_OPEN;
	cfg.tick_size = 500;
	cfg.square_off = 15 * 60 + 20;  /* as NSE brokers' risk systems do */
	cfg.capital = -1;
	cfg.fno_margin = 1500;          /* 15 % */
	algo_cli_init(argv[0]);
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
		switch (c) {
		case OPT_FILL:
			if (strcmp(optarg, "next-open") == 0) cfg.mode = ALGO_FILL_NEXT_OPEN;
			else if (strcmp(optarg, "close") == 0) cfg.mode = ALGO_FILL_CLOSE;
			else algo_usage_error("--fill: '%s' is not next-open or close", optarg);
			break;
		case OPT_SLIPPAGE: cfg.slippage_bps = parse_bps("--slippage-bps", optarg); break;
		case OPT_SLIP_TICKS:
			cfg.slippage_ticks = algo_cli_int("--slippage-ticks", optarg, 0, 1000);
			break;
		case OPT_TICK_SIZE:
			cfg.tick_size = parse_dec("--tick-size", optarg, 1, 1000 * ALGO_DEC_SCALE,
				"a price from 0.0001 to 1000");
			break;
		case OPT_COMMISSION:
			cfg.commission_bps = parse_bps("--commission-bps", optarg);
			have_bps = 1;
			break;
		case OPT_CHARGES: charges = optarg; break;
		case OPT_LATENCY: cfg.latency = (int)algo_cli_int("--latency-bars", optarg, 0, 100000); break;
		case OPT_PARTICIPATION:
			cfg.participation = parse_dec("--max-participation", optarg, 1, ALGO_DEC_SCALE,
				"a fraction above 0 and at most 1 (4 decimals)");
			break;
		case OPT_INTRABAR:
			if (strcmp(optarg, "pessimistic") == 0) cfg.optimistic = 0;
			else if (strcmp(optarg, "optimistic") == 0) cfg.optimistic = 1;
			else algo_usage_error("--intrabar: '%s' is not pessimistic or optimistic", optarg);
			break;
		case OPT_SQUARE_OFF:
			if (strcmp(optarg, "none") == 0)
				cfg.square_off = -1;
			else if ((cfg.square_off = algo_time_parse_hhmm(optarg, strlen(optarg))) < 0)
				algo_usage_error("--square-off: '%s' is not HH:MM or none", optarg);
			break;
		case OPT_CAPITAL:
			cfg.capital = parse_dec("--capital", optarg, 0, 900000000000LL * ALGO_DEC_SCALE / 1000,
				"an amount of rupees >= 0 (4 decimals)");
			break;
		case OPT_FNO_MARGIN:
			cfg.fno_margin = parse_dec("--fno-margin-pct", optarg, 1, 100 * ALGO_DEC_SCALE,
				"a percentage above 0 and at most 100") / 100;
			break;
		case OPT_SKIP_BAD: skip_bad = 1; break;
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
	if (charges && have_bps)
		algo_usage_error("--charges and --commission-bps are mutually exclusive");
	if (!charges && !have_bps && getenv("ALGO_CHARGES") && *getenv("ALGO_CHARGES"))
		charges = getenv("ALGO_CHARGES");
	if (have_bps)
		cfg.cost_model = ALGO_COST_BPS;
	else if (charges && strcmp(charges, "none") == 0)
		cfg.cost_model = ALGO_COST_TABLE_NONE;
	else if (charges) {
		load_charges(charges);
		cfg.cost_model = ALGO_COST_TABLE;
		cfg.costs = &st.costs;
	}

	algo_fillsim_init(&st.fs, &cfg, emit, NULL);
	algo_fillchan_out_init(&st.chan);
	st.chan.slip_bps = cfg.slippage_bps;
	st.chan.slip_abs = cfg.slippage_ticks * cfg.tick_size;
	st.chan.fee_bps = (cfg.cost_model == ALGO_COST_BPS ? cfg.commission_bps : 0) + 100 * 10000;
	algo_book_tab_init(&st.bars, sizeof(struct last_ts));
	algo_book_tab_init(&st.orders, sizeof(struct last_ts));
	if (algo_reader_fdopen(&r, 0, "stdin", err, sizeof err))
		algo_die(ALGO_EX_FAIL, "%s", err);
	r.before_read = flush_cb;

	for (;;) {
		const char *line;
		size_t len;
		struct algo_event ev;
		int rc = algo_reader_next(&r, &line, &len, err, sizeof err);
		if (rc == 0)
			break;
		if (rc == -2) {
			algo_warn("%s", err);
			code = ALGO_EX_IOERR;
			break;
		}
		if (rc == 1 && algo_event_parse(&ev, line, len, err, sizeof err) == 0) {
			const struct algo_jfield *t;
			if (ev.type == ALGO_EV_BAR)
				rc = on_bar(&ev, err, sizeof err);
			else if (ev.type == ALGO_EV_ORDER)
				rc = on_order(&ev, err, sizeof err);
			else if (ev.type == ALGO_EV_TICK)
				rc = on_tick(&ev, err, sizeof err);
			else if (ev.type == ALGO_EV_SYNC)
				rc = on_sync(&ev, err, sizeof err);
			else if (ev.type == ALGO_EV_OTHER && (t = algo_event_get(&ev, "type")) &&
			    ((t->vlen == 6 && memcmp(t->val, "cancel", 6) == 0) ||
			     (t->vlen == 6 && memcmp(t->val, "modify", 6) == 0)))
				rc = on_cancel_modify(&ev, t->val[0] == 'm', err, sizeof err);
			else {
				algo_out_line(&algo_stdout, line, len);
				rc = 0;
			}
			if (rc == 0)
				continue;
			if (rc < -1) {
				algo_warn("%s:%ld: %s", r.name, r.lineno, err);
				code = rc == -3 ? ALGO_EX_CONFIG : ALGO_EX_FAIL;
				break;
			}
		}
		algo_warn("%s:%ld: %s", r.name, r.lineno, err);
		if (!skip_bad) {
			code = ALGO_EX_DATAERR;
			break;
		}
		nbad++;
	}
	if (nbad)
		algo_warn("skipped %ld bad line%s", nbad, nbad == 1 ? "" : "s");
	working = algo_fillsim_working(&st.fs);
	if (working && code == ALGO_EX_OK)
		algo_warn("%zu order%s still working at end of input", working, working == 1 ? "" : "s");
	if (st.fs.ambiguous)
		algo_warn("%ld ambiguous bar%s: both legs inside one bar's range, %s leg assumed first",
			st.fs.ambiguous, st.fs.ambiguous == 1 ? "" : "s",
			cfg.optimistic ? "the target" : "the stop-loss");
	if (cfg.cost_model == ALGO_COST_TABLE && code == ALGO_EX_OK)
		algo_warn("charges table: %s", st.costs.name);

	algo_reader_close(&r);
	algo_fillsim_free(&st.fs);
	algo_fillchan_out_free(&st.chan);
	algo_costs_free(&st.costs);
	algo_book_tab_free(&st.bars);
	algo_book_tab_free(&st.orders);
	return algo_out_finish(code);
}
