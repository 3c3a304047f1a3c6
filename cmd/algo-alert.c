/* algo-alert — passes events through and sends alerts about them (Telegram, webhooks,
 * commands) without ever holding up the pipeline; `send`, `test` and `flush` for
 * wrappers and for the user. Delivery, batching, rate limits and the outbox live in
 * lib/notifier.h; which events alert and how they read in lib/alert.h. */
#include "algo-alert-opts.h"
#include "alert.h"
#include "alertctl.h"
#include "stage.h"
#include "store.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct opts {
	const char *sub, *webhook, *exec, *state;
	int telegram;
	long timeout_ms;
	long queue;
	struct algo_alert_rules rules;
};

static void add_destinations(struct algo_notifier *nf, const struct opts *o)
{
	char err[ALGO_ERR_MAX];
	int code = algo_alertctl_destinations(nf, o->telegram, o->webhook, o->exec, err, sizeof err);
	if (code)
		algo_die(code, "%s", err);
}

/* The stage, send and flush share this: destinations, outbox, senders. */
static int run(struct opts *o, int argc, char **argv)
{
	struct algo_notifier nf;
	struct algo_store db;
	struct algo_stage st;
	struct algo_alertctl_stage c = { &o->rules, &nf };
	char err[ALGO_ERR_MAX], text[ALGO_ALERT_TEXT_MAX + 1] = "";
	int send = o->sub && strcmp(o->sub, "send") == 0, flush = o->sub && !send;
	int use_db = send || flush || algo_cli_state_wanted(o->state), code = ALGO_EX_OK, rc;
	if (use_db)                           /* send and flush at the default path too */
		algo_cli_open_state(&db, o->state);
	for (int i = 0, len = 0; send && i < argc; i++)
		len += snprintf(text + len, sizeof text - (size_t)len, "%s%s", i ? " " : "", argv[i]);
	algo_notifier_init(&nf, (size_t)o->queue, o->rules.html, use_db ? &db : NULL, algo_cli_warn_line);
	nf.plain_prefix = !o->rules.tmpl;
	nf.defer = !o->sub;                   /* the stage saves the outbox with its record */
	add_destinations(&nf, o);
	if (algo_notifier_start(&nf, err, sizeof err))
		algo_die(ALGO_EX_IOERR, "%s", err);
	if (send && algo_notifier_push(&nf, ALGO_AK_TEXT, ALGO_ALERT_HIGH, text))
		algo_die(ALGO_EX_FAIL, "out of memory");
	if (!o->sub) {
		algo_stage_init(&st, &algo_alertctl_stage_ops, &c);
		st.warn = algo_cli_warn_line;
		if (use_db) {
			st.store = &db;
			st.replay_key = "algo-alert";
		}
		code = algo_out_finish(algo_stage_run(&st));
		close(1);                         /* the next stage has all it needs */
	}
	if (flush && !nf.resumed)
		fprintf(stderr, "algo-alert: the outbox of %s is empty\n", db.path);
	rc = algo_alertctl_finish(&nf, o->timeout_ms, use_db ? db.path : "(none)", algo_cli_warn_note, NULL);
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
	char host[256] = "this machine", text[512];
	int code;
	gethostname(host, sizeof host - 1);
	snprintf(text, sizeof text, "algo-alert test from %s: alerts reach this chat", host);
	algo_notifier_init(&nf, 1, o->rules.html, NULL, NULL);
	add_destinations(&nf, o);
	code = algo_alertctl_test(&nf, text, algo_cli_warn_note, NULL);
	algo_notifier_free(&nf);
	return code;
}

static void parse(struct opts *o, int argc, char **argv)
{
	char err[ALGO_ERR_MAX];
	int c;
	struct algo_cli_opts t = algo_opts;
	t.shortopts = "+:h";                  /* options end at TEXT */
	while ((c = algo_cli_getopt(argc, argv, &t)) != -1) {
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
