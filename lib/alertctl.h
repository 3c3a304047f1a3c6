/* alertctl — algo-alert's runs around the notifier (lib/notifier.h): the destinations
 * the options name, what an ended delivery tells the user, and `test`'s one message
 * to every destination. Nothing here prints: messages go to the warn callback. */
#ifndef ALGO_ALERTCTL_H
#define ALGO_ALERTCTL_H
#include "alert.h"
#include "notifier.h"
#include "stage.h"

typedef void algo_alertctl_warn(void *arg, const char *msg);

/* Telegram (telegram set, or no webhook and no exec), the webhook, the command.
 * Returns 0, or ALGO_EX_CONFIG with err set. */
int algo_alertctl_destinations(struct algo_notifier *nf, int telegram, const char *webhook, const char *exec,
	char *err, size_t errlen);
/* Ends the delivery (waiting at most timeout_ms) and tells what was kept in the
 * outbox of db or lost. Returns send's and flush's exit code: 0 all delivered, 75
 * kept for later, 78 a destination refused its configuration. */
int algo_alertctl_finish(struct algo_notifier *nf, long timeout_ms, const char *db, algo_alertctl_warn *warn, void *arg);
/* Delivers text to every destination of nf now, telling each outcome. Returns 0, 69
 * when one was unreachable, or 78 when one refused its configuration. */
int algo_alertctl_test(struct algo_notifier *nf, const char *text, algo_alertctl_warn *warn, void *arg);

/* The algo-alert stage's hooks (lib/stage.h) over a struct algo_alertctl_stage:
 * every line goes out first, byte for byte, and an alert the rules match is only
 * queued; the save puts queued alerts into the outbox with the restart record. */
struct algo_alertctl_stage {
	struct algo_alert_rules *rules;
	struct algo_notifier *nf;
};
extern const struct algo_stage_ops algo_alertctl_stage_ops;

#endif
