/* alertctl — algo-alert's destinations, delivery report, test and runs; see alertctl.h. */
#include "alertctl.h"
#include "cli.h"
#include "event.h"
#include "telegram.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void tell(algo_alertctl_warn *warn, void *arg, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void tell(algo_alertctl_warn *warn, void *arg, const char *fmt, ...)
{
	char msg[ALGO_ERR_MAX + 4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (warn)
		warn(arg, msg);
}

/* Telegram (telegram set, or no webhook and no exec), the webhook, the command.
 * Returns 0, or ALGO_EX_CONFIG with err set. */
static int algo_alertctl_destinations(struct algo_notifier *nf, int telegram, const char *webhook, const char *exec,
	char *err, size_t errlen)
{
	struct algo_telegram tg;
	if (telegram || (!webhook && !exec)) {
		if (algo_telegram_config(&tg, err, errlen) != 0 ||
		    algo_notifier_add(nf, ALGO_DEST_TELEGRAM, NULL, &tg, err, errlen))
			return ALGO_EX_CONFIG;
		memset(&tg, 0, sizeof tg);
	}
	if (webhook && algo_notifier_add(nf, ALGO_DEST_WEBHOOK, webhook, NULL, err, errlen))
		return ALGO_EX_CONFIG;
	if (exec && algo_notifier_add(nf, ALGO_DEST_EXEC, exec, NULL, err, errlen))
		return ALGO_EX_CONFIG;
	return 0;
}

/* Ends the delivery (waiting at most timeout_ms) and tells what was kept in the
 * outbox of db or lost. Returns send's and flush's exit code: 0 all delivered, 75
 * kept for later, 78 a destination refused its configuration. */
static int algo_alertctl_finish(struct algo_notifier *nf, long timeout_ms, const char *db, algo_alertctl_warn *warn, void *arg)
{
	char err[ALGO_ERR_MAX];
	long left = algo_notifier_finish(nf, timeout_ms, err, sizeof err);
	if (left < 0)
		tell(warn, arg, "cannot keep undelivered alerts: %s", err);
	if (nf->kept)
		tell(warn, arg, "warning: %ld alert%s not delivered%s; kept in the outbox of %s "
			"(algo-alert flush sends them)", nf->kept, nf->kept == 1 ? "" : "s",
			nf->fatal ? "" : " in time", db);
	if (nf->lost)
		tell(warn, arg, "warning: %ld alert%s not delivered and lost (no state database: use --state)",
			nf->lost, nf->lost == 1 ? "" : "s");
	return nf->fatal ? ALGO_EX_CONFIG : left ? ALGO_EX_TEMPFAIL : ALGO_EX_OK;
}

/* Delivers text to every destination of nf now, telling each outcome. Returns 0, 69
 * when one was unreachable, or 78 when one refused its configuration. */
static int algo_alertctl_test(struct algo_notifier *nf, const char *text, algo_alertctl_warn *warn, void *arg)
{
	char err[ALGO_ERR_MAX];
	int code = ALGO_EX_OK;
	for (int i = 0; i < nf->n; i++) {
		long retry;
		int rc = algo_dest_deliver(&nf->dest[i], text, &retry, err, sizeof err);
		if (rc == ALGO_DEST_OK) {
			tell(warn, arg, "%s: test message delivered", nf->dest[i].key);
			continue;
		}
		tell(warn, arg, "%s: %s", nf->dest[i].key, err);
		if (code != ALGO_EX_CONFIG)
			code = rc == ALGO_DEST_FATAL ? ALGO_EX_CONFIG : ALGO_EX_UNAVAILABLE;
	}
	return code;
}

static int stage_save(void *arg, struct algo_store *s, char *err, size_t errlen)
{
	struct algo_alertctl_stage *c = arg;
	return algo_notifier_save(c->nf, s, err, errlen);
}

static int stage_event(void *arg, const struct algo_event *ev, char *err, size_t errlen)
{
	struct algo_alertctl_stage *c = arg;
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

const struct algo_stage_ops algo_alertctl_stage_ops = { .event = stage_event, .save = stage_save };

void algo_alertctl_cmd_init(struct algo_alertctl_cmd *c)
{
	memset(c, 0, sizeof *c);
	c->timeout_ms = 10000;
	c->queue = 1000;
	algo_alert_rules_init(&c->rules);
}

static int is_sub(const struct algo_alertctl_cmd *c, const char *name)
{
	return c->sub && strcmp(c->sub, name) == 0;
}

const char *algo_alertctl_cmd_problem(const struct algo_alertctl_cmd *c, char *buf, size_t len)
{
	if (is_sub(c, "send") && c->nargs < 1)
		return "send needs the TEXT to send";
	if (!is_sub(c, "send") && c->nargs > 0) {
		snprintf(buf, len, "unexpected argument '%s'", c->args[0]);
		return buf;
	}
	return NULL;
}

/* send's TEXT: the n arguments joined by spaces, cut to what text (size) holds. */
static void join_text(char *text, size_t size, char *const *args, int n)
{
	size_t len = 0;
	text[0] = '\0';
	for (int i = 0; i < n && len < size; i++) {
		int k = snprintf(text + len, size - len, "%s%s", i ? " " : "", args[i]);
		len += k > 0 ? (size_t)k : 0;
	}
}

/* test: the configuration, then one message to every destination. */
static int run_test(const struct algo_alertctl_cmd *c, char *err, size_t errlen)
{
	struct algo_notifier nf;
	char host[256] = "this machine", text[512];
	int code;
	gethostname(host, sizeof host - 1);
	snprintf(text, sizeof text, "algo-alert test from %s: alerts reach this chat", host);
	algo_notifier_init(&nf, 1, c->rules.html, NULL, NULL);
	code = algo_alertctl_destinations(&nf, c->telegram, c->webhook, c->exec, err, errlen);
	if (code == 0)
		code = algo_alertctl_test(&nf, text, c->note, c->note_arg);
	algo_notifier_free(&nf);
	return code;
}

/* The notifier of the stage, send or flush on outbox (NULL: none): the destinations,
 * the senders started, send's TEXT queued. Returns 0, or an exit code with err set. */
static int start_delivery(struct algo_notifier *nf, const struct algo_alertctl_cmd *c, struct algo_store *outbox,
	char *err, size_t errlen)
{
	char text[ALGO_ALERT_TEXT_MAX + 1];
	int code;
	algo_notifier_init(nf, (size_t)c->queue, c->rules.html, outbox, c->warn);
	nf->plain_prefix = !c->rules.tmpl;
	nf->defer = !c->sub;                  /* the stage saves the outbox with its record */
	if ((code = algo_alertctl_destinations(nf, c->telegram, c->webhook, c->exec, err, errlen)) != 0)
		return code;
	if (algo_notifier_start(nf, err, errlen))
		return ALGO_EX_IOERR;
	if (!is_sub(c, "send"))
		return 0;
	join_text(text, sizeof text, c->args, c->nargs);
	if (algo_notifier_push(nf, ALGO_AK_TEXT, ALGO_ALERT_HIGH, text)) {
		snprintf(err, errlen, "out of memory");
		return ALGO_EX_FAIL;
	}
	return 0;
}

/* The stage over stdin, its restart record in db (NULL: none); its output is closed
 * at end of input: the next stage has all it needs. */
static int run_stage(const struct algo_alertctl_cmd *c, struct algo_notifier *nf, struct algo_store *db)
{
	struct algo_alertctl_stage sc = { &c->rules, nf };
	struct algo_stage st;
	int code;
	algo_stage_init(&st, &algo_alertctl_stage_ops, &sc);
	st.warn = c->warn;
	if (db) {
		st.store = db;
		st.replay_key = "algo-alert";
	}
	code = algo_stage_run(&st);
	algo_writer_flush(&algo_stdout);
	close(algo_stdout.fd);
	return code;
}

/* The stage (if c is no sub-command), then the end of the delivery and what it tells;
 * db the outbox, NULL none. Returns the exit code. */
static int deliver(const struct algo_alertctl_cmd *c, struct algo_notifier *nf, struct algo_store *db)
{
	int flush = is_sub(c, "flush"), code = ALGO_EX_OK, rc;
	if (!c->sub)
		code = run_stage(c, nf, db);
	if (flush && !nf->resumed)
		tell(c->note, c->note_arg, "the outbox of %s is empty", db->path);
	rc = algo_alertctl_finish(nf, c->timeout_ms, db ? db->path : "(none)", c->note, c->note_arg);
	if (c->sub)
		code = rc;
	if (flush && nf->delivered)
		tell(c->note, c->note_arg, "delivered %ld alert%s from the outbox", nf->delivered,
			nf->delivered == 1 ? "" : "s");
	return code;
}

/* The stage, send and flush share this: the state database (send and flush at the
 * default path too), the delivery. */
static int run_delivery(const struct algo_alertctl_cmd *c, char *err, size_t errlen)
{
	struct algo_notifier nf;
	struct algo_store db;
	int use_db = c->sub || algo_cli_state_wanted(c->state), code;
	if (use_db && (code = algo_cli_try_open_state(&db, c->state, err, errlen)) != 0)
		return code;
	if ((code = start_delivery(&nf, c, use_db ? &db : NULL, err, errlen)) == 0)
		code = deliver(c, &nf, use_db ? &db : NULL);
	algo_notifier_free(&nf);
	if (use_db)
		algo_store_close(&db);
	return code;
}

int algo_alertctl_run(const struct algo_alertctl_cmd *c, char *err, size_t errlen)
{
	err[0] = '\0';
	return is_sub(c, "test") ? run_test(c, err, errlen) : run_delivery(c, err, errlen);
}
