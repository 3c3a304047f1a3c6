/* algo-exec-fyers — the FYERS account (log in, keep the session, look at the account,
 * accept the risk of live trading: lib/fyers_cmd) and, run without a command, the
 * pipeline stage: the FYERS venue on the executor seam, run by the one stage loop
 * (lib/fyers_stage). Without --live it is a dry run that sends nothing. Options and
 * wiring only. */
#include "algo-exec-fyers-opts.h"
#include "event.h"
#include "fyers_account.h"
#include "fyers_cmd.h"
#include "fyers_stage.h"
#include <stdio.h>
#include <string.h>

/* Who takes an option: the stage, a command, or a group of commands. */
enum { IN_STAGE = 1, IN_LOGIN = 2, IN_STATUS = 4, IN_VIEW = 8, IN_ACCEPT = 16, IN_OTHER = 32 };

static const struct {
	int opt, in;
	const char *of;
} scopes[] = {
	{ OPT_CODE, IN_LOGIN, "login" },
	{ OPT_TIMEOUT, IN_LOGIN, "login" },
	{ OPT_OFFLINE, IN_STATUS, "status" },
	{ OPT_FORMAT, IN_VIEW, "profile, funds, orders, trades and positions" },
	{ OPT_YES, IN_ACCEPT, "accept-risk" },
	{ OPT_USER, IN_STAGE | IN_ACCEPT, "the pipeline stage and accept-risk" },
	{ OPT_STATE, IN_STAGE | IN_ACCEPT, "the pipeline stage and accept-risk" },
	{ OPT_LIVE, IN_STAGE, "the pipeline stage" },
	{ OPT_MAX_ORDER_AGE, IN_STAGE, "the pipeline stage" },
	{ OPT_DRAIN_TIMEOUT, IN_STAGE, "the pipeline stage" },
	{ OPT_POLL_INTERVAL, IN_STAGE, "the pipeline stage" },
	{ OPT_REQUEST_TIMEOUT, IN_STAGE, "the pipeline stage" },
	{ OPT_SKIP_BAD, IN_STAGE, "the pipeline stage" },
	{ OPT_CHARGES, IN_STAGE, "the pipeline stage" },
	{ OPT_NO_ORDER_SOCKET, IN_STAGE, "the pipeline stage" },
};

static int scope_of(const char *cmd)
{
	if (!*cmd)
		return IN_STAGE;
	if (algo_fyers_account_known(cmd))
		return IN_VIEW;
	return !strcmp(cmd, "login") ? IN_LOGIN : !strcmp(cmd, "status") ? IN_STATUS
		: !strcmp(cmd, "accept-risk") ? IN_ACCEPT : IN_OTHER;
}

/* A usage error for option c when the command (scope in) does not take it. */
static void need(int c, int in)
{
	const struct option *o = algo_longopts;
	for (size_t i = 0; i < sizeof scopes / sizeof scopes[0]; i++)
		if (scopes[i].opt == c && !(scopes[i].in & in)) {
			while (o->val != c)
				o++;
			algo_usage_error("--%s is an option of %s", o->name, scopes[i].of);
		}
}

/* Seconds with up to 3 decimals as ms. */
static int64_t secs(const char *name, const char *arg, double max)
{
	return (int64_t)(algo_cli_double(name, arg, 0, max) * 1000 + 0.5);
}

static void parse_options(int argc, char **argv, const char *cmd, struct algo_fyers_cmd *a,
	struct algo_fyers_stage_opts *s)
{
	int c, in = scope_of(cmd);
	while ((c = algo_cli_getopt(argc, argv, &algo_opts)) != -1) {
		need(c, in);
		switch (c) {
		case OPT_CODE: a->code = optarg; break;
		case OPT_TIMEOUT: a->timeout_s = (long)algo_cli_int("--timeout", optarg, 1, 86400); break;
		case OPT_OFFLINE: a->offline = 1; break;
		case OPT_FORMAT:
			if (strcmp(optarg, "table") == 0) a->format = ALGO_ACCT_TABLE;
			else if (strcmp(optarg, "ndjson") == 0) a->format = ALGO_ACCT_NDJSON;
			else algo_usage_error("--format: '%s' is not table or ndjson", optarg);
			break;
		case OPT_YES: a->yes = 1; break;
		case OPT_USER: a->user = s->user = algo_cli_user(optarg); break;
		case OPT_STATE: a->state = s->state = optarg; break;
		case OPT_LIVE: s->live = 1; break;
		case OPT_MAX_ORDER_AGE: s->max_age_ms = secs("--max-order-age", optarg, 86400); break;
		case OPT_DRAIN_TIMEOUT: s->drain_ms = secs("--drain-timeout", optarg, 86400); break;
		case OPT_POLL_INTERVAL: s->poll_ms = secs("--poll-interval", optarg, 3600); break;
		case OPT_REQUEST_TIMEOUT:
			if ((s->request_ms = secs("--request-timeout", optarg, 600)) < 100)
				algo_usage_error("--request-timeout: at least 0.1 s");
			break;
		case OPT_SKIP_BAD: s->skip_bad = 1; break;
		case OPT_CHARGES: s->charges = optarg; break;
		case OPT_NO_ORDER_SOCKET: s->no_socket = 1; break;
		}
	}
	if (optind < argc)
		algo_usage_error("%s%sunexpected argument '%s'%s", cmd, *cmd ? ": " : "", argv[optind],
			*cmd ? "" : " (events are read from stdin)");
}

int main(int argc, char **argv)
{
	struct algo_fyers_cmd a = { .timeout_s = 300, .format = ALGO_ACCT_TABLE, .in = stdin, .out = stdout,
		.err = stderr, .note = algo_cli_warn_note, .ask = algo_cli_ask };
	struct algo_fyers_stage_opts s = { .user = "default", .max_age_ms = 120000, .drain_ms = 30000,
		.poll_ms = 3000, .request_ms = 15000, .note = algo_cli_warn_note, .warn = algo_cli_warn_line };
	const char *cmd = argc > 1 && argv[1][0] != '-' ? argv[1] : "";
	char err[8192];
	int code;

	algo_cli_init(argv[0]);
	if (*cmd && !algo_fyers_cmd_known(cmd))
		algo_usage_error("unknown command '%s'", cmd);
	parse_options(argc - !!*cmd, argv + !!*cmd, cmd, &a, &s);   /* a command's options follow it */
	a.name = cmd;
	code = *cmd ? algo_fyers_cmd_run(&a, err, sizeof err) : algo_fyers_stage_run(&s, err, sizeof err);
	if (code == ALGO_EX_USAGE && err[0])
		algo_usage_error("%s", err);
	if (code && err[0])
		algo_die(code, "%s", err);
	return algo_out_finish(code);
}
