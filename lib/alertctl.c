/* alertctl — algo-alert's destinations, delivery report and test; see alertctl.h. */
#include "alertctl.h"
#include "cli.h"
#include "event.h"
#include "telegram.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void tell(algo_alertctl_warn *warn, void *arg, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void tell(algo_alertctl_warn *warn, void *arg, const char *fmt, ...)
{
	char msg[ALGO_ERR_MAX + 4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	warn(arg, msg);
}

int algo_alertctl_destinations(struct algo_notifier *nf, int telegram, const char *webhook, const char *exec,
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

int algo_alertctl_finish(struct algo_notifier *nf, long timeout_ms, const char *db, algo_alertctl_warn *warn, void *arg)
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

int algo_alertctl_test(struct algo_notifier *nf, const char *text, algo_alertctl_warn *warn, void *arg)
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
