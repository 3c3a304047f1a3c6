/* algo-alert — passes events through and sends alerts about them (Telegram, webhooks,
 * commands) without ever holding up the pipeline; `send`, `test` and `flush` for
 * wrappers and for the user. Delivery, batching, rate limits and the outbox live in
 * lib/notifier.h; which events alert and how they read in lib/alert.h. */
#include "alert.h"
#include "cli.h"
#include "notifier.h"
#include "stage.h"
#include "store.h"
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage_text[] =
	"Usage: algo-alert [OPTIONS] < EVENTS > EVENTS\n"
	"       algo-alert send [OPTIONS] TEXT...\n"
	"       algo-alert test [OPTIONS]\n"
	"       algo-alert flush [OPTIONS]\n"
	"Copies events through unchanged and sends alerts about fills, rejections, risk\n"
	"blocks and kill switch changes; send sends one text, test a test message, flush\n"
	"what the outbox kept. Telegram settings: TELEGRAM_BOT_TOKEN, TELEGRAM_CHAT_ID\n"
	"(environment or a 0600 $XDG_CONFIG_HOME/algo/alert.conf), TELEGRAM_API_BASE.\n"
	"      --telegram         send to Telegram (the default without --webhook or --exec)\n"
	"      --webhook URL      POST to a Slack- or Discord-style webhook\n"
	"      --exec CMD         run CMD with each message on its stdin\n"
	"      --on TYPES         event types that alert, comma-separated (default\n"
	"                         fill,rejected,risk_block,kill_switch)\n"
	"      --template T       the text of an alert, {field} for an event's field\n"
	"      --html             Telegram HTML: the template is HTML, field values escaped\n"
	"      --state PATH       state database: restart record and outbox (default\n"
	"                         $ALGO_STATE; send and flush: the default state path)\n"
	"      --flush-timeout SECONDS\n"
	"                         at the end, wait this long for delivery, then keep the\n"
	"                         rest in the outbox (default 10)\n"
	"      --queue N          alerts held per destination before the oldest fold into\n"
	"                         a count (default 1000)\n"
	"  -h, --help             print this help and exit\n"
	"      --version          print the version and exit\n";

enum { OPT_TELEGRAM = 256, OPT_WEBHOOK, OPT_EXEC, OPT_ON, OPT_TEMPLATE, OPT_HTML, OPT_STATE,
	OPT_FLUSH_TIMEOUT, OPT_QUEUE, OPT_VERSION };

static const struct option options[] = {
	{ "telegram", no_argument, NULL, OPT_TELEGRAM },
	{ "webhook", required_argument, NULL, OPT_WEBHOOK },
	{ "exec", required_argument, NULL, OPT_EXEC },
	{ "on", required_argument, NULL, OPT_ON },
	{ "template", required_argument, NULL, OPT_TEMPLATE },
	{ "html", no_argument, NULL, OPT_HTML },
	{ "state", required_argument, NULL, OPT_STATE },
	{ "flush-timeout", required_argument, NULL, OPT_FLUSH_TIMEOUT },
	{ "queue", required_argument, NULL, OPT_QUEUE },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

struct opts {
	const char *sub, *webhook, *exec, *state;
	int telegram;
	long timeout_ms;
	long queue;
	struct algo_alert_rules rules;
};

/* What the stage's event hook needs. */
struct ctx {
	struct algo_alert_rules *rules;
	struct algo_notifier *nf;
};

static void warn_line(const char *msg)
{
	algo_warn("%s", msg);
}

/* The stage's save: queued alerts into the outbox with the restart record. */
static int on_save(void *arg, struct algo_store *s, char *err, size_t errlen)
{
	struct ctx *c = arg;
	return algo_notifier_save(c->nf, s, err, errlen);
}

/* Every line goes out first, byte for byte; an alert is only queued. */
static int on_event(void *arg, const struct algo_event *ev, char *err, size_t errlen)
{
	struct ctx *c = arg;
	char text[ALGO_ALERT_TEXT_MAX + 1];
	int kind;
	algo_out_line(&algo_stdout, ev->line, ev->len);
	if ((kind = algo_alert_match(c->rules, ev)) < 0)
		return 0;
	algo_alert_render(c->rules, ev, kind, text, sizeof text);
	if (algo_notifier_push(c->nf, kind, algo_alert_prio(kind), text)) {
		snprintf(err, errlen, "out of memory");
		return ALGO_EX_FAIL;
	}
	return 0;
}

/* The destinations the options name (Telegram when none); 78 on bad configuration. */
static void add_destinations(struct algo_notifier *nf, const struct opts *o)
{
	struct algo_telegram tg;
	char err[ALGO_ERR_MAX];
	int rc;
	if (o->telegram || (!o->webhook && !o->exec)) {
		if ((rc = algo_telegram_config(&tg, err, sizeof err)) != 0)
			algo_die(ALGO_EX_CONFIG, "%s", err);
		if (algo_notifier_add(nf, ALGO_DEST_TELEGRAM, NULL, &tg, err, sizeof err))
			algo_die(ALGO_EX_CONFIG, "%s", err);
		memset(&tg, 0, sizeof tg);
	}
	if (o->webhook && algo_notifier_add(nf, ALGO_DEST_WEBHOOK, o->webhook, NULL, err, sizeof err))
		algo_die(ALGO_EX_CONFIG, "%s", err);
	if (o->exec && algo_notifier_add(nf, ALGO_DEST_EXEC, o->exec, NULL, err, sizeof err))
		algo_die(ALGO_EX_CONFIG, "%s", err);
}

/* Opens the state database: the stage only with --state or $ALGO_STATE; send and
 * flush at the default path too (need). Returns 1 opened, 0 none. */
static int open_state(struct algo_store *db, const struct opts *o, int need)
{
	const char *env = getenv("ALGO_STATE");
	char path[4096], err[ALGO_ERR_MAX];
	if (!need && !o->state && !(env && env[0]))
		return 0;
	if (algo_cli_state_path(o->state, path, sizeof path))
		algo_die(ALGO_EX_CONFIG, "no state database path (set --state or $ALGO_STATE)");
	if (algo_store_open(db, path, err, sizeof err))
		algo_die(ALGO_EX_CANTCREAT, "%s", err);
	return 1;
}

/* Ends the delivery and says what it came to; returns the exit code of send/flush
 * (0 all delivered, 75 kept for later, 78 a destination refused its configuration). */
static int finish(struct algo_notifier *nf, const struct opts *o, const char *db)
{
	char err[ALGO_ERR_MAX];
	long left = algo_notifier_finish(nf, o->timeout_ms, err, sizeof err);
	if (left < 0)
		algo_warn("cannot keep undelivered alerts: %s", err);
	if (nf->kept)
		algo_warn("warning: %ld alert%s not delivered%s; kept in the outbox of %s "
			"(algo-alert flush sends them)", nf->kept, nf->kept == 1 ? "" : "s",
			nf->fatal ? "" : " in time", db);
	if (nf->lost)
		algo_warn("warning: %ld alert%s not delivered and lost (no state database: use --state)",
			nf->lost, nf->lost == 1 ? "" : "s");
	return nf->fatal ? ALGO_EX_CONFIG : left ? ALGO_EX_TEMPFAIL : ALGO_EX_OK;
}

/* The stage, send and flush share this: destinations, outbox, senders. */
static int run(struct opts *o, int argc, char **argv)
{
	static const struct algo_stage_ops ops = { .event = on_event, .save = on_save };
	struct algo_notifier nf;
	struct algo_store db;
	struct algo_stage st;
	struct ctx c = { &o->rules, &nf };
	char err[ALGO_ERR_MAX], text[ALGO_ALERT_TEXT_MAX + 1] = "";
	int send = o->sub && strcmp(o->sub, "send") == 0, flush = o->sub && !send;
	int use_db = open_state(&db, o, send || flush), code = ALGO_EX_OK, rc;
	for (int i = 0, len = 0; send && i < argc; i++)
		len += snprintf(text + len, sizeof text - (size_t)len, "%s%s", i ? " " : "", argv[i]);
	algo_notifier_init(&nf, (size_t)o->queue, o->rules.html, use_db ? &db : NULL, warn_line);
	nf.plain_prefix = !o->rules.tmpl;
	nf.defer = !o->sub;                   /* the stage saves the outbox with its record */
	add_destinations(&nf, o);
	if (algo_notifier_start(&nf, err, sizeof err))
		algo_die(ALGO_EX_IOERR, "%s", err);
	if (send && algo_notifier_push(&nf, ALGO_AK_TEXT, ALGO_ALERT_HIGH, text))
		algo_die(ALGO_EX_FAIL, "out of memory");
	if (!o->sub) {
		algo_stage_init(&st, &ops, &c);
		st.warn = warn_line;
		if (use_db) {
			st.store = &db;
			st.replay_key = "algo-alert";
		}
		code = algo_out_finish(algo_stage_run(&st));
		close(1);                         /* the next stage has all it needs */
	}
	if (flush && !nf.resumed)
		fprintf(stderr, "algo-alert: the outbox of %s is empty\n", db.path);
	rc = finish(&nf, o, use_db ? db.path : "(none)");
	if (o->sub)
		code = rc;
	if (flush && nf.delivered)
		fprintf(stderr, "algo-alert: delivered %ld alert%s from the outbox\n", nf.delivered,
			nf.delivered == 1 ? "" : "s");
	algo_notifier_free(&nf);
	if (use_db)
		algo_store_close(&db);
	return code;
}

/* test: the configuration, then one message to every destination. */
static int cmd_test(const struct opts *o)
{
	struct algo_notifier nf;
	char err[ALGO_ERR_MAX], host[256] = "this machine", text[512];
	int code = ALGO_EX_OK;
	gethostname(host, sizeof host - 1);
	snprintf(text, sizeof text, "algo-alert test from %s: alerts reach this chat", host);
	algo_notifier_init(&nf, 1, o->rules.html, NULL, NULL);
	add_destinations(&nf, o);
	for (int i = 0; i < nf.n; i++) {
		long retry;
		int rc = algo_dest_deliver(&nf.dest[i], text, &retry, err, sizeof err);
		if (rc == ALGO_DEST_OK) {
			fprintf(stderr, "algo-alert: %s: test message delivered\n", nf.dest[i].key);
			continue;
		}
		algo_warn("%s: %s", nf.dest[i].key, err);
		if (code != ALGO_EX_CONFIG)
			code = rc == ALGO_DEST_FATAL ? ALGO_EX_CONFIG : ALGO_EX_UNAVAILABLE;
	}
	algo_notifier_free(&nf);
	return code;
}

static void parse(struct opts *o, int argc, char **argv)
{
	char err[ALGO_ERR_MAX];
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:h", options, NULL)) != -1) {
		switch (c) {
		case OPT_TELEGRAM: o->telegram = 1; break;
		case OPT_WEBHOOK: o->webhook = optarg; break;
		case OPT_EXEC: o->exec = optarg; break;
		case OPT_ON:
			if (algo_alert_rules_on(&o->rules, optarg, err, sizeof err))
				algo_usage_error("%s", err);
			break;
		case OPT_TEMPLATE:
			if (algo_alert_template_check(optarg, err, sizeof err))
				algo_usage_error("%s", err);
			o->rules.tmpl = optarg;
			break;
		case OPT_HTML: o->rules.html = 1; break;
		case OPT_STATE: o->state = optarg; break;
		case OPT_FLUSH_TIMEOUT:
			o->timeout_ms = (long)(algo_cli_double("--flush-timeout", optarg, 0, 3600) * 1000);
			break;
		case OPT_QUEUE: o->queue = (long)algo_cli_int("--queue", optarg, 1, 1000000); break;
		case 'h': fputs(usage_text, stdout); exit(fflush(stdout) ? ALGO_EX_IOERR : ALGO_EX_OK);
		case OPT_VERSION: algo_print_version();
		case ':': algo_usage_error("option '%s' needs a value", argv[optind - 1]);
		default:
			if (optopt) algo_usage_error("unknown option '-%c'", optopt);
			algo_usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
}

int main(int argc, char **argv)
{
	static const char *const subs[] = { "send", "test", "flush", NULL };
	struct opts o = { .timeout_ms = 10000, .queue = 1000 };
	algo_cli_init(argv[0]);
	algo_alert_rules_init(&o.rules);
	for (int i = 0; argc > 1 && subs[i]; i++)
		if (strcmp(argv[1], subs[i]) == 0) {
			o.sub = subs[i];
			argv[1] = argv[0];
			argv++;
			argc--;
		}
	parse(&o, argc, argv);
	if (o.sub && strcmp(o.sub, "send") == 0 && optind >= argc)
		algo_usage_error("send needs the TEXT to send");
	if ((!o.sub || strcmp(o.sub, "send")) && optind < argc)
		algo_usage_error("unexpected argument '%s'", argv[optind]);
	if (o.sub && strcmp(o.sub, "test") == 0)
		return cmd_test(&o);
	return run(&o, argc - optind, argv + optind);
}
