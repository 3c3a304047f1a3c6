/* stage — the one read loop of every pipeline stage (algo-eval, algo-risk, the
 * executors, algo-ledger, algo-alert).
 *
 * The loop reads NDJSON lines from an fd, parses each one and hands it to the stage's
 * event handler, which writes what the event causes (the event itself too, when it
 * passes through) to algo_stdout. Around that it does what every stage must do alike:
 *
 *  - bad input (malformed JSON, a line over 64 KiB, a handler's verdict) is reported
 *    as "NAME:LINE: reason" and stops the run with 65, or with skip_bad is counted
 *    and skipped;
 *  - output is flushed before a read that may block (latency when live, throughput
 *    in batch), and after every idle call;
 *  - before a read that may block, the idle hook runs once; while input stays quiet
 *    it runs again every idle_ms (0: only that once, the default) and at once
 *    whenever wake_fd (-1: none, the default) is readable, e.g. a broker client's
 *    wake-up fd (the hook must drain it, or it is called again at once; a wake_fd
 *    that is closed or broken is not waited on again). A broker polled from the idle
 *    hook so sees a fill while no line arrives. Saves after idle_commit_ms and the
 *    prompt end on SIGTERM/SIGINT/SIGHUP go on during these waits;
 *  - state is saved at batch boundaries: every commit_every lines, when input pauses
 *    for idle_commit_ms, and at the end however the run ends (end of input, SIGTERM,
 *    SIGINT, SIGHUP, or the reader of our output gone). A save runs the stage's save
 *    hook and the replay record in one transaction; a failed save (a full disk) ends
 *    the run with 74 and one message, and what was committed before stays;
 *  - with a replay key, input the stage processed in an earlier run is answered from
 *    the record (lib/replay.h) instead of being processed twice (with
 *    replay_record_only, handled again: the record keeps positions only);
 *  - with a replay key, the run record (lib/replay.h) says what a kill -9 may have
 *    cost: it is written before the first read and before the first new line after
 *    each save, and a run whose input starts after lines this stage, or a killed
 *    stage of the same user, read and did not save is refused with 65 before
 *    anything is done (no end hook, no save).
 *
 * Exit codes (algo(7)): 0 at end of input or when our reader went away (as with
 * `| head`), 65 bad input, 74 read/write/save error, 128+N on signal N, or what a
 * handler or the end hook returned. The loop never prints: messages go through the
 * warn callback, which cmd/ points at algo_warn. */
#ifndef ALGO_STAGE_H
#define ALGO_STAGE_H
#include <stddef.h>
#include "event.h"
#include "replay.h"
#include "store.h"

/* Why the input ended. */
enum { ALGO_STAGE_EOF = 0, ALGO_STAGE_SIGNAL, ALGO_STAGE_OUTPUT_CLOSED, ALGO_STAGE_ERROR };

struct algo_stage_ops {
	/* One event. Returns 0, -1 for bad input (reason in err; the loop adds NAME:LINE),
	 * or an exit code > 0 to stop the run (message in err, printed as is). Required. */
	int (*event)(void *arg, const struct algo_event *ev, char *err, size_t errlen);
	/* Input has nothing buffered and the next read may block (output already flushed):
	 * once, then every idle_ms and on wake_fd while input is quiet (see above).
	 * Returns 0 or an exit code (message in err). Optional. */
	int (*idle)(void *arg, char *err, size_t errlen);
	/* Input ended (why: ALGO_STAGE_*): last work such as a final barrier round or
	 * draining working orders, before the final save. Returns 0 or an exit code.
	 * Optional. */
	int (*end)(void *arg, int why, char *err, size_t errlen);
	/* Writes the stage's state into s inside the loop's transaction. Returns 0, or -1
	 * with err set. Optional (needs a store). */
	int (*save)(void *arg, struct algo_store *s, char *err, size_t errlen);
};

struct algo_stage {
	/* set by the caller (algo_stage_init gives the defaults) */
	int fd;                        /* input, 0 */
	const char *name;              /* for messages, "stdin" */
	int skip_bad;
	long commit_every;             /* lines between saves with a store, 5000 */
	int idle_commit_ms;            /* save after this long without input, 50 */
	int save_at_end;               /* 1: only the run's final save, no batch or idle
	                                * saves, for a stage on a throw-away database (its
	                                * crash loses a run made again, and each save waits
	                                * for the database's writer); 0 */
	int idle_ms;                   /* idle hook again after this long without input; 0 */
	int wake_fd;                   /* readable: idle hook at once; -1 (none) */
	const struct algo_stage_ops *ops;
	void *arg;
	struct algo_store *store;      /* NULL: no state */
	const char *replay_key;        /* NULL: no replay record (needs a store; none
	                                * in a throw-away one, lib/store.h) */
	int replay_record_only;        /* the record keeps positions and the run record only:
	                                * every line is handled (a stage that recognises
	                                * what it has by id) */
	void (*warn)(const char *msg); /* every message of the loop */
	/* read by the caller */
	struct algo_reader reader;     /* reader.lineno: the line being handled */
	struct algo_replay replay;
	long lines, bad;
	int stop_signal;               /* the signal that stopped the run, or 0 */
	int stop_code;                 /* set by algo_stage_stop */
	char stop_msg[ALGO_ERR_MAX];
};

/* What a hook returns after algo_stage_stop. */
#define ALGO_STAGE_STOPPED (-2)

/* Defaults for every field; ops and arg must still be set. */
void algo_stage_init(struct algo_stage *st, const struct algo_stage_ops *ops, void *arg);

/* Runs the loop to the end and returns the exit code. Installs handlers for SIGTERM,
 * SIGINT and SIGHUP for the duration (a signal finishes the current line, then ends
 * the input) and makes algo_stdout report a closed or failed output instead of
 * exiting. */
int algo_stage_run(struct algo_stage *st);

/* Saves now (a stage that must have its state durable before some step, e.g. an
 * order intent before it is sent). Returns 0, or -1 with err set. */
int algo_stage_save(struct algo_stage *st, char *err, size_t errlen);

/* Ends the run from inside a hook (event, idle or end) when going on makes no sense,
 * e.g. a side channel of the pipeline broke: the exit code is code (0: a quiet end,
 * as when the reader of our output went away), msg is printed as is (NULL: nothing,
 * no "NAME:LINE:" in front), and the line being handled counts as not handled (no
 * replay record for it). The state is still saved. Returns ALGO_STAGE_STOPPED, which
 * the hook returns. */
int algo_stage_stop(struct algo_stage *st, int code, const char *msg);

/* Whether a stop was requested (a signal, or our output is gone): long waits inside
 * a handler poll this. */
int algo_stage_stopping(void);

#endif
