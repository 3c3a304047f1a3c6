/* alertctl — algo-alert's runs around the notifier (lib/notifier.h): the destinations
 * the options name, what an ended delivery tells the user, `test`'s one message to
 * every destination, and one whole run of the command line (the stage, send, test or
 * flush) with which arguments go with which. Nothing here prints or exits: messages
 * go to the warn callback, errors come back as an exit code and message. */
#ifndef ALGO_ALERTCTL_H
#define ALGO_ALERTCTL_H
#include "alert.h"
#include "notifier.h"
#include "stage.h"

typedef void algo_alertctl_warn(void *arg, const char *msg);

/* The algo-alert stage's hooks (lib/stage.h) over a struct algo_alertctl_stage:
 * every line goes out first, byte for byte, and an alert the rules match is only
 * queued; the save puts queued alerts into the outbox with the restart record. */
struct algo_alertctl_stage {
	const struct algo_alert_rules *rules;
	struct algo_notifier *nf;
};
extern const struct algo_stage_ops algo_alertctl_stage_ops;

/* algo-alert's command line. */
struct algo_alertctl_cmd {
	const char *sub;                  /* "send", "test", "flush", or NULL: the stage */
	const char *webhook, *exec;       /* --webhook, --exec */
	const char *state;                /* --state; NULL: $ALGO_STATE (send and flush: else the default path) */
	int telegram;                     /* --telegram */
	long timeout_ms, queue;           /* --flush-timeout, --queue */
	struct algo_alert_rules rules;    /* --on, --template, --html */
	char **args;                      /* the arguments after the options: send's TEXT */
	int nargs;
	algo_alertctl_warn *note;         /* what to tell the user */
	void *note_arg;
	void (*warn)(const char *msg);    /* the stage's and the senders' warnings (any thread) */
};
/* c with nothing given: the stage, 10 s to flush, queues of 1000, the default rules. */
void algo_alertctl_cmd_init(struct algo_alertctl_cmd *c);
/* What is wrong with c's arguments for its sub-command ("send needs the TEXT to
 * send"), written into buf; or NULL. */
const char *algo_alertctl_cmd_problem(const struct algo_alertctl_cmd *c, char *buf, size_t len);
/* Runs c: the stage over stdin (algo_stdout closed at end of input, so the next stage
 * finishes while the queue drains), send (the arguments joined by spaces), test or
 * flush (the outbox of the state database, at the default path too). Returns its exit
 * code with err "", or, when it could not start, an exit code (algo(7)) with err set. */
int algo_alertctl_run(const struct algo_alertctl_cmd *c, char *err, size_t errlen);

#endif
