/* notifier — algo-alert's destinations together: one sender thread each
 * (lib/sender.h), the outbox they start from and end in (lib/outbox.h), and the
 * count of what was delivered, kept or lost.
 *
 * Start: for each destination the outbox rows kept for it by earlier runs are claimed
 * and queued first. Push: an alert goes to every destination's queue. Finish: every
 * sender gets until one shared deadline to deliver; what is left is kept in the outbox
 * (or counted lost when there is no state database) and the claims are given up.
 *
 * In a stage (algo_notifier_save, from the stage loop's save) the queued alerts are
 * written to the outbox in the same transaction as the restart record, so an alert
 * whose event the record counts as processed is never lost to a crash; the sender
 * threads then never touch the database themselves: what they delivered is deleted
 * at the next save (a crash in between sends those again rather than losing them).
 * Messages for the user go through warn, from any thread. Nothing here prints or
 * exits. */
#ifndef ALGO_NOTIFIER_H
#define ALGO_NOTIFIER_H
#include "dest.h"
#include "outbox.h"
#include "sender.h"

#define ALGO_NOTIFIER_MAX 4

struct algo_notifier;
struct algo_notifier_hook { struct algo_notifier *nf; int i; };

struct algo_notifier {
	struct algo_dest dest[ALGO_NOTIFIER_MAX];
	struct algo_sender send[ALGO_NOTIFIER_MAX];
	struct algo_notifier_hook hooks[ALGO_NOTIFIER_MAX];
	int n;
	size_t cap;                        /* queue size of each sender */
	int html, plain_prefix;
	struct algo_store *outbox;         /* NULL: no outbox */
	int defer;                         /* stage: deletes wait for algo_notifier_save */
	pthread_mutex_t mu;                /* done */
	int64_t *done;                     /* delivered outbox ids not yet deleted */
	size_t ndone, capdone;
	void (*warn)(const char *msg);
	/* after finish */
	long delivered, kept, lost, resumed;
	int fatal;                         /* a destination refused its configuration */
	char fatal_err[512];
	char err[512];                     /* an outbox error inside a thread */
};

void algo_notifier_init(struct algo_notifier *nf, size_t cap, int html, struct algo_store *outbox,
	void (*warn)(const char *msg));

/* Adds a destination (lib/dest.h kinds); Telegram takes its configuration from tg.
 * Returns 0, or -1 with err set. */
int algo_notifier_add(struct algo_notifier *nf, int kind, const char *target,
	const struct algo_telegram *tg, char *err, size_t errlen);

/* Claims the outbox rows of every destination and starts the senders. Returns 0, or
 * -1 with err set. */
int algo_notifier_start(struct algo_notifier *nf, char *err, size_t errlen);

/* Queues one alert for every destination. Returns 0, or -1 when out of memory. */
int algo_notifier_push(struct algo_notifier *nf, int kind, int prio, const char *text);

/* Writes the queued alerts into the outbox (on s, inside the caller's transaction)
 * and deletes the delivered ones. Returns 0, or -1 with err set. */
int algo_notifier_save(struct algo_notifier *nf, struct algo_store *s, char *err, size_t errlen);

/* Waits up to timeout_ms for everything to be delivered, then keeps the rest in the
 * outbox. Returns the number of alerts not delivered (kept or lost), or -1 when the
 * outbox could not be written (err set; those alerts are counted lost). */
long algo_notifier_finish(struct algo_notifier *nf, long timeout_ms, char *err, size_t errlen);

void algo_notifier_free(struct algo_notifier *nf);

#endif
