/* algo-exec-paper — fills orders on paper from the market events in the stream.
 *
 * Reads NDJSON on stdin and copies every event through. After each valid order it
 * writes an order_update (accepted or rejected); market orders fill at the open of the
 * symbol's next bar (--fill next-open) or at the close of its last bar (--fill close),
 * with slippage and commission applied, as a fill and an order_update "filled". */
#include "book.h"
#include "cli.h"
#include "decimal.h"
#include "event.h"
#include "fillsim.h"
#include "timeutil.h"
#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const char usage_text[] =
	"Usage: algo-exec-paper [OPTIONS] < EVENTS\n"
	"Fills order events on paper from the bars in the stream; passes every event through.\n"
	"      --fill MODEL           next-open (default): at the open of the next bar;\n"
	"                             close: at the close of the last bar\n"
	"      --slippage-bps N       price slippage in basis points, e.g. 2.5 (default 0)\n"
	"      --commission-bps N     brokerage in basis points of turnover (default 0)\n"
	"      --skip-bad             warn about bad input lines and skip them instead of stopping\n"
	"  -h, --help                 print this help and exit\n"
	"      --version              print the version and exit\n";

enum { OPT_FILL = 256, OPT_SLIPPAGE, OPT_COMMISSION, OPT_SKIP_BAD, OPT_VERSION };

static const struct option options[] = {
	{ "fill", required_argument, NULL, OPT_FILL },
	{ "slippage-bps", required_argument, NULL, OPT_SLIPPAGE },
	{ "commission-bps", required_argument, NULL, OPT_COMMISSION },
	{ "skip-bad", no_argument, NULL, OPT_SKIP_BAD },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

struct last_ts { int64_t ts; int seen; };
/* Per symbol: the last bar's close (for --fill close) and the last order's time. */
struct sym_state { int64_t close; int have_close; int64_t order_ts; int order_seen; };

static struct {
	struct algo_fillsim fs;
	struct algo_book_tab bars;     /* symbol\x1ftf -> last_ts */
	struct algo_book_tab syms;     /* symbol -> sym_state */
	struct algo_book_tab ids;      /* user\x1fid -> (nothing): order ids seen */
} st;

static void flush_cb(void *arg)
{
	(void)arg;
	algo_writer_flush(&algo_stdout);
}

static int get_name(const struct algo_event *ev, const char *key, int required, char *out,
	size_t outlen, char *err, size_t errlen)
{
	int rc = algo_event_str(ev, key, required, out, outlen, err, errlen);
	if (rc <= 0)
		return rc;
	if (!out[0]) {
		snprintf(err, errlen, "field '%s': must not be empty", key);
		return -1;
	}
	for (const char *p = out; *p; p++)
		if ((unsigned char)*p < 0x20) {
			snprintf(err, errlen, "field '%s': must not contain control characters", key);
			return -1;
		}
	return 1;
}

static int get_word(const struct algo_event *ev, const char *key, const char *const *list,
	const char *want, char *err, size_t errlen)
{
	char buf[16];
	const struct algo_jfield *f = algo_event_get(ev, key);
	if (algo_event_str(ev, key, 1, buf, sizeof buf, err, errlen) < 0) {
		if (f && f->type == ALGO_J_STRING)
			snprintf(err, errlen, "field '%s': must be %s", key, want);
		return -1;
	}
	for (int i = 0; list[i]; i++)
		if (strcmp(buf, list[i]) == 0)
			return i;
	snprintf(err, errlen, "field '%s': must be %s", key, want);
	return -1;
}

static void time_err(char *err, size_t errlen, const char *what, int64_t now, int64_t prev,
	const char *symbol, const char *tf)
{
	char a[ALGO_TIME_FMT_MAX], b[ALGO_TIME_FMT_MAX];
	algo_time_fmt(now, ALGO_IST_OFFSET_MIN, a);
	algo_time_fmt(prev, ALGO_IST_OFFSET_MIN, b);
	snprintf(err, errlen, "field 'ts': %s %s %s for %s%s%s", a, what, b, symbol,
		tf[0] ? " " : "", tf);
}

static void out_update(int64_t ts, const char *id, const char *status, const char *reason)
{
	algo_out_begin(&algo_stdout);
	algo_out_str(&algo_stdout, "type", "order_update");
	algo_out_time(&algo_stdout, "ts", ts);
	algo_out_str(&algo_stdout, "id", id);
	algo_out_str(&algo_stdout, "status", status);
	if (reason)
		algo_out_str(&algo_stdout, "reason", reason);
	algo_out_end(&algo_stdout);
}

/* Fills o at reference price ref at time ts: a fill event, then order_update filled.
 * When the fill cannot be computed the order ends with status fail_status. */
static void fill_order(const struct algo_working_order *o, int64_t ts, int64_t ref,
	const char *fail_status)
{
	struct algo_fill f;
	char err[ALGO_ERR_MAX], fill_id[ALGO_FILLSIM_ID_MAX + 8];

	if (algo_fillsim_fill(&st.fs.cfg, o->side, o->qty, ref, &f, err, sizeof err)) {
		out_update(ts, o->id, fail_status, err);
		return;
	}
	snprintf(fill_id, sizeof fill_id, "%s-1", o->id);
	algo_out_begin(&algo_stdout);
	algo_out_str(&algo_stdout, "type", "fill");
	algo_out_time(&algo_stdout, "ts", ts);
	algo_out_str(&algo_stdout, "id", o->id);
	algo_out_str(&algo_stdout, "fill_id", fill_id);
	algo_out_str(&algo_stdout, "strategy", o->strategy);
	algo_out_str(&algo_stdout, "symbol", o->symbol);
	algo_out_str(&algo_stdout, "side", o->side == ALGO_BUY ? "buy" : "sell");
	algo_out_int(&algo_stdout, "qty", o->qty);
	algo_out_dec(&algo_stdout, "price", f.price);
	algo_out_obj_begin(&algo_stdout, "fees");
	algo_out_dec(&algo_stdout, "brokerage", f.brokerage);
	algo_out_dec(&algo_stdout, "total", f.total_fees);
	algo_out_obj_end(&algo_stdout);
	algo_out_int(&algo_stdout, "remaining", 0);
	algo_out_str(&algo_stdout, "user", o->user);
	algo_out_end(&algo_stdout);

	algo_out_begin(&algo_stdout);
	algo_out_str(&algo_stdout, "type", "order_update");
	algo_out_time(&algo_stdout, "ts", ts);
	algo_out_str(&algo_stdout, "id", o->id);
	algo_out_str(&algo_stdout, "status", "filled");
	algo_out_int(&algo_stdout, "filled", o->qty);
	algo_out_dec(&algo_stdout, "avg_price", f.price);
	algo_out_end(&algo_stdout);
}

static int on_bar(const struct algo_event *ev, char *err, size_t errlen)
{
	struct algo_bar bar;
	struct algo_working_order o;
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
		time_err(err, errlen, "is not after the previous bar", bar.ts, lt->ts, bar.symbol, bar.tf);
		return -1;
	}
	lt->ts = bar.ts;
	lt->seen = 1;
	ss->close = bar.c;
	ss->have_close = 1;
	algo_out_line(&algo_stdout, ev->line, ev->len);
	if (st.fs.cfg.mode == ALGO_FILL_NEXT_OPEN)
		while (algo_fillsim_take_due(&st.fs, bar.symbol, bar.ts, &o))
			fill_order(&o, bar.ts, bar.o, "cancelled");
	return 0;
}

static int on_order(const struct algo_event *ev, char *err, size_t errlen)
{
	static const char *const sides[] = { "buy", "sell", NULL };
	static const char *const kinds[] = { "market", "limit", "stop", "stop_limit", NULL };
	struct algo_working_order o;
	struct sym_state *ss;
	char key[ALGO_FILLSIM_ID_MAX + ALGO_NAME_MAX + 1], reason[128], id[ALGO_NAME_MAX];
	size_t kn, nid;
	int side, kind, rc;

	memset(&o, 0, sizeof o);
	if (algo_event_time(ev, "ts", 1, &o.ts, err, errlen) < 0)
		return -1;
	if (algo_event_str(ev, "id", 1, id, sizeof id, err, errlen) < 0) {
		if (algo_event_get(ev, "id") && algo_event_get(ev, "id")->type == ALGO_J_STRING)
			snprintf(err, errlen, "field 'id': must be 1 to 30 letters or digits");
		return -1;
	}
	nid = strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789");
	if (id[nid] || nid >= sizeof o.id) {
		snprintf(err, errlen, "field 'id': must be 1 to 30 letters or digits");
		return -1;
	}
	memcpy(o.id, id, nid + 1);
	if (get_name(ev, "strategy", 1, o.strategy, sizeof o.strategy, err, errlen) < 0 ||
	    get_name(ev, "symbol", 1, o.symbol, sizeof o.symbol, err, errlen) < 0 ||
	    (side = get_word(ev, "side", sides, "\"buy\" or \"sell\"", err, errlen)) < 0 ||
	    algo_event_qty(ev, "qty", 1, &o.qty, err, errlen) < 0 ||
	    (kind = get_word(ev, "kind", kinds, "market, limit, stop or stop_limit", err, errlen)) < 0 ||
	    (rc = get_name(ev, "user", 0, o.user, sizeof o.user, err, errlen)) < 0)
		return -1;
	if (rc == 0)
		snprintf(o.user, sizeof o.user, "default");
	o.side = side == 0 ? ALGO_BUY : ALGO_SELL;

	ss = algo_book_tab_get(&st.syms, o.symbol, strlen(o.symbol), 1);
	kn = algo_book_key(key, sizeof key, o.user, o.id, NULL);
	if (!ss || !kn) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (ss->order_seen && o.ts < ss->order_ts) {
		time_err(err, errlen, "goes back before", o.ts, ss->order_ts, o.symbol, "");
		return -1;
	}
	ss->order_ts = o.ts;
	ss->order_seen = 1;
	algo_out_line(&algo_stdout, ev->line, ev->len);

	if (algo_book_tab_get(&st.ids, key, kn, 0)) {
		out_update(o.ts, o.id, "rejected", "duplicate order id");
		return 0;
	}
	if (!algo_book_tab_get(&st.ids, key, kn, 1)) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (kind != 0) {
		snprintf(reason, sizeof reason, "kind %s not supported yet", kinds[kind]);
		out_update(o.ts, o.id, "rejected", reason);
	} else if (st.fs.cfg.mode == ALGO_FILL_CLOSE) {
		if (!ss->have_close) {
			snprintf(reason, sizeof reason, "no price for %s", o.symbol);
			out_update(o.ts, o.id, "rejected", reason);
		} else {
			out_update(o.ts, o.id, "accepted", NULL);
			fill_order(&o, o.ts, ss->close, "cancelled");
		}
	} else {
		if (algo_fillsim_add(&st.fs, &o)) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		out_update(o.ts, o.id, "accepted", NULL);
	}
	return 0;
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

int main(int argc, char **argv)
{
	struct algo_fillsim_cfg cfg = { 0, 0, ALGO_FILL_NEXT_OPEN };
	struct algo_reader r;
	char err[ALGO_ERR_MAX];
	long nbad = 0;
	size_t working;
	int skip_bad = 0, code = ALGO_EX_OK, c;

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
		case OPT_COMMISSION: cfg.commission_bps = parse_bps("--commission-bps", optarg); break;
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

	algo_fillsim_init(&st.fs, &cfg);
	algo_book_tab_init(&st.bars, sizeof(struct last_ts));
	algo_book_tab_init(&st.syms, sizeof(struct sym_state));
	algo_book_tab_init(&st.ids, 1);
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
			if (ev.type == ALGO_EV_BAR)
				rc = on_bar(&ev, err, sizeof err);
			else if (ev.type == ALGO_EV_ORDER)
				rc = on_order(&ev, err, sizeof err);
			else {
				algo_out_line(&algo_stdout, line, len);
				rc = 0;
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
	}
	if (nbad)
		algo_warn("skipped %ld bad line%s", nbad, nbad == 1 ? "" : "s");
	working = algo_fillsim_working(&st.fs);
	if (working && code == ALGO_EX_OK)
		algo_warn("%zu order%s still working at end of input", working, working == 1 ? "" : "s");

	algo_reader_close(&r);
	algo_fillsim_free(&st.fs);
	algo_book_tab_free(&st.bars);
	algo_book_tab_free(&st.syms);
	algo_book_tab_free(&st.ids);
	return algo_out_finish(code);
}
