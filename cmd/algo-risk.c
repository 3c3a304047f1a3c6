/* algo-risk — turns signal events into order or risk_block events.
 *
 * Reads NDJSON on stdin and copies every event through; after each valid signal it
 * writes the order it approves or the risk_block that stopped it. Positions are
 * tracked in memory from the orders approved (market orders assumed filled). */
#include "book.h"
#include "cli.h"
#include "decimal.h"
#include "event.h"
#include "risk.h"
#include "timeutil.h"
#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const char usage_text[] =
	"Usage: algo-risk [OPTIONS] < EVENTS\n"
	"Turns signal events into order or risk_block events; passes every event through.\n"
	"  -c, --config FILE      risk limits (JSON); without it there are no limits\n"
	"      --user NAME        user of signals that carry none (default \"default\")\n"
	"      --mode MODE        paper or live, written into each order (default paper)\n"
	"      --product PRODUCT  intraday, delivery or margin (default intraday)\n"
	"      --skip-bad         warn about bad input lines and skip them instead of stopping\n"
	"  -h, --help             print this help and exit\n"
	"      --version          print the version and exit\n";

enum { OPT_USER = 256, OPT_MODE, OPT_PRODUCT, OPT_SKIP_BAD, OPT_VERSION };

static const struct option options[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "user", required_argument, NULL, OPT_USER },
	{ "mode", required_argument, NULL, OPT_MODE },
	{ "product", required_argument, NULL, OPT_PRODUCT },
	{ "skip-bad", no_argument, NULL, OPT_SKIP_BAD },
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
} st;

static void flush_cb(void *arg)
{
	(void)arg;
	algo_writer_flush(&algo_stdout);
}

/* A name field: a string of 1..63 bytes without control characters. */
static int get_name(const struct algo_event *ev, const char *key, int required, char *out,
	char *err, size_t errlen)
{
	int rc = algo_event_str(ev, key, required, out, ALGO_NAME_MAX, err, errlen);
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

/* Reads a string field that must be one of the words in list (NULL-terminated);
 * returns its index, or -1 with err set. */
static int get_word(const struct algo_event *ev, const char *key, const char *const *list,
	const char *want, char *err, size_t errlen)
{
	char buf[16];
	if (algo_event_str(ev, key, 1, buf, sizeof buf, err, errlen) < 0) {
		if (algo_event_get(ev, key) && algo_event_get(ev, key)->type == ALGO_J_STRING)
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
		time_err(err, errlen, "is not after the previous bar", bar.ts, lt->ts, bar.symbol, bar.tf);
		return -1;
	}
	lt->ts = bar.ts;
	lt->seen = 1;
	ss->close = bar.c;
	algo_out_line(&algo_stdout, ev->line, ev->len);
	return 0;
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
	int action, side, has_ref, has_sl, has_tp, rc;

	if (algo_event_time(ev, "ts", 1, &s.ts, err, errlen) < 0 ||
	    get_name(ev, "strategy", 1, strategy, err, errlen) < 0 ||
	    get_name(ev, "symbol", 1, symbol, err, errlen) < 0 ||
	    (action = get_word(ev, "action", actions, "\"entry\" or \"exit\"", err, errlen)) < 0 ||
	    (side = get_word(ev, "side", sides, "\"buy\" or \"sell\"", err, errlen)) < 0 ||
	    algo_event_qty(ev, "qty", 1, &s.req.qty, err, errlen) < 0 ||
	    (has_ref = algo_event_price(ev, "ref", 0, &ref, err, errlen)) < 0 ||
	    (has_sl = algo_event_price(ev, "sl", 0, &sl, err, errlen)) < 0 ||
	    (has_tp = algo_event_price(ev, "tp", 0, &tp, err, errlen)) < 0 ||
	    (rc = get_name(ev, "user", 0, user, err, errlen)) < 0)
		return -1;
	if (rc == 0)
		snprintf(user, sizeof user, "%s", st.user);

	ss = algo_book_tab_get(&st.syms, symbol, strlen(symbol), 1);
	if (!ss) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (ss->signal_seen && s.ts < ss->signal_ts) {
		time_err(err, errlen, "goes back before", s.ts, ss->signal_ts, symbol, "");
		return -1;
	}
	s.user = user;
	s.strategy = strategy;
	s.symbol = symbol;
	s.req.action = action == 0 ? ALGO_RISK_ENTRY : ALGO_RISK_EXIT;
	s.req.side = side == 0 ? ALGO_BUY : ALGO_SELL;
	s.price = has_ref ? ref : ss->close;
	if (algo_risk_decide(&st.risk, &s, &v, err, errlen))
		return -1;
	ss->signal_ts = s.ts;
	ss->signal_seen = 1;

	algo_out_line(&algo_stdout, ev->line, ev->len);
	algo_out_begin(&algo_stdout);
	if (v.ok) {
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
	} else {
		algo_out_str(&algo_stdout, "type", "risk_block");
		algo_out_time(&algo_stdout, "ts", s.ts);
		algo_out_str(&algo_stdout, "strategy", strategy);
		algo_out_str(&algo_stdout, "symbol", symbol);
		algo_out_str(&algo_stdout, "side", sides[side]);
		algo_out_int(&algo_stdout, "qty", s.req.qty);
		algo_out_str(&algo_stdout, "rule", v.rule);
		if (v.has_limit) algo_out_int(&algo_stdout, "limit", v.limit);
		algo_out_int(&algo_stdout, "value", v.value);
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

int main(int argc, char **argv)
{
	static const char *const modes[] = { "paper", "live", NULL };
	static const char *const products[] = { "intraday", "delivery", "margin", NULL };
	const char *config = NULL;
	struct algo_risk_config cfg;
	struct algo_reader r;
	char err[ALGO_ERR_MAX];
	long nbad = 0;
	int skip_bad = 0, code = ALGO_EX_OK, c;

	algo_cli_init(argv[0]);
	st.user = "default";
	st.mode = "paper";
	st.product = "intraday";
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":c:h", options, NULL)) != -1) {
		switch (c) {
		case 'c': config = optarg; break;
		case OPT_USER:
			if (!optarg[0] || strlen(optarg) >= ALGO_NAME_MAX)
				algo_usage_error("--user: must be 1 to %d bytes", ALGO_NAME_MAX - 1);
			for (const char *p = optarg; *p; p++)
				if ((unsigned char)*p < 0x20)
					algo_usage_error("--user: must not contain control characters");
			st.user = optarg;
			break;
		case OPT_MODE: st.mode = pick("--mode", optarg, modes); break;
		case OPT_PRODUCT: st.product = pick("--product", optarg, products); break;
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

	algo_risk_config_init(&cfg);
	if (config) {
		int rc = algo_risk_config_load(&cfg, config, err, sizeof err);
		if (rc == ALGO_RISK_EOPEN)
			algo_die(ALGO_EX_NOINPUT, "%s", err);
		if (rc != ALGO_RISK_OK)
			algo_die(ALGO_EX_CONFIG, "%s", err);
	}
	algo_risk_init(&st.risk, &cfg);
	algo_book_tab_init(&st.bars, sizeof(struct last_ts));
	algo_book_tab_init(&st.syms, sizeof(struct sym_state));
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
			else if (ev.type == ALGO_EV_SIGNAL)
				rc = on_signal(&ev, err, sizeof err);
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

	algo_reader_close(&r);
	algo_book_tab_free(&st.bars);
	algo_book_tab_free(&st.syms);
	algo_risk_free(&st.risk);
	return algo_out_finish(code);
}
