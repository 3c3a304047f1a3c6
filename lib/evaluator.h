/* evaluator — algo-eval's stage: a set of strategies (lib/strategy.h) run over an
 * event stream. Every event passes through; a bar goes to each strategy in the order
 * given, and each strategy's signals follow the bar that caused them. The evaluator
 * also saves and restores the strategies' state in the state database.
 *
 * Nothing here prints: one-time notes about the run (a strategy ignoring bars of
 * another timeframe, an entry sized to nothing, a changed strategy file) go to the
 * note callback. */
#ifndef ALGO_EVALUATOR_H
#define ALGO_EVALUATOR_H
#include <stddef.h>
#include "event.h"
#include "store.h"
#include "strategy.h"

#define ALGO_EVALUATOR_SEEN 3

struct algo_evaluator {
	struct algo_strategy **s;      /* borrowed */
	int n;
	char *warned;                  /* per strategy: the other-timeframe note was given */
	void (*note)(void *arg, const char *msg);
	void *note_arg;
	const char *user;              /* whose saved state: "default" unless set */
	int pieces;                    /* the run goes on from a saved state: a piece of a stream */
	int64_t nbars;                 /* input bars */
	char seen[ALGO_EVALUATOR_SEEN][64]; /* the first input symbols, for warnings */
	int nseen;                     /* distinct symbols seen, counted up to SEEN + 1 */
};

/* An evaluator over n strategies (borrowed; the caller frees them after
 * algo_evaluator_free). Returns 0, or -1 when out of memory. */
int algo_evaluator_init(struct algo_evaluator *e, struct algo_strategy **s, int n,
	void (*note)(void *arg, const char *msg), void *note_arg);
void algo_evaluator_free(struct algo_evaluator *e);

/* The stage's event handler (struct algo_stage_ops.event, arg = the evaluator):
 * returns 0, -1 on bad input (err: the field), or 78 (ALGO_EX_CONFIG) when a bar's
 * timeframe cannot feed a strategy's, or 1 when out of memory. */
int algo_evaluator_event(void *e, const struct algo_event *ev, char *err, size_t errlen);

/* Restores each strategy's state saved by e->user from s (notes for a changed or unreadable
 * one, which then starts fresh). Returns 0, or -1 with err set. */
int algo_evaluator_load(struct algo_evaluator *e, struct algo_store *s, char *err, size_t errlen);
/* Saves every strategy's state into s (the stage's save hook). Returns 0, or -1. */
int algo_evaluator_save(void *e, struct algo_store *s, char *err, size_t errlen);

/* The key of this set of strategies in the replay record: "algo-eval/" + user + the
 * strategies' names and file hashes, so another set never takes this set's record. */
void algo_evaluator_replay_key(const struct algo_evaluator *e, const char *user, char *out,
	size_t outlen);

/* Notes at the end of a run: bars skipped at or before a restored state, and when the
 * run completed, warnings about strategies that could not trade on its input
 * (symbols the input never had, a window no bar fell in). An input without bars is
 * algo-feed's to warn about. */
void algo_evaluator_finish(struct algo_evaluator *e, int completed);

#endif
