/* algo-alert — passes events through and sends alerts about them (Telegram, webhooks,
 * commands) without ever holding up the pipeline; `send`, `test` and `flush` for
 * wrappers and for the user. Delivery, batching, rate limits and the outbox live in
 * lib/notifier.h; which events alert and how they read in lib/alert.h; the stage and
 * the sub-commands are runs of lib/alertctl.h. Options and wiring only. */
#include "algo-alert-opts.h"
#include "alert.h"
#include "alertctl.h"
#include <string.h>

static void parse(struct algo_alertctl_cmd *o, int argc, char **argv)
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
	struct algo_alertctl_cmd o;
	char err[ALGO_ERR_MAX];
	const char *problem;
	int code;
	algo_cli_init(argv[0]);
	algo_alertctl_cmd_init(&o);
	o.note = algo_cli_warn_note;
	o.warn = algo_cli_warn_line;
	for (int i = 0; argc > 1 && subs[i]; i++)
		if (strcmp(argv[1], subs[i]) == 0) {
			o.sub = subs[i];
			argv[1] = argv[0];
			argv++;
			argc--;
			break;          /* `send flush` sends the word "flush" */
		}
	parse(&o, argc, argv);
	o.args = argv + optind;
	o.nargs = argc - optind;
	if ((problem = algo_alertctl_cmd_problem(&o, err, sizeof err)) != NULL)
		algo_usage_error("%s", problem);
	code = algo_alertctl_run(&o, err, sizeof err);
	if (err[0])
		algo_die(code, "%s", err);
	return code;
}
