/* replay — what a stage has already processed, and what it wrote for it, so that a
 * stage run again over input it has seen writes the same events again instead of
 * acting twice (the restart contract, docs/ARCHITECTURE.md).
 *
 * Position. Events of a stream are not in strict time order (a 15-minute strategy's
 * signal carries its bar's open time but follows the 1-minute bar that closed it), so
 * a line's position is the running maximum of `ts` over the stream up to and
 * including it. A stage records the highest position it processed (the mark) and the
 * hashes of the lines it processed at that position. A line is already processed when
 * its position is below the mark, or equal to it and its hash is in that set. Input
 * that restarts at any earlier point of the same stream (the same command run again
 * after a crash) is therefore recognised line for line; new input (the next cron
 * chunk) starts after the mark.
 *
 * Journal. For every processed line whose output was more than the line itself, the
 * bytes written are kept (keyed by the line's 64-bit hash). An already processed line
 * is answered with those bytes, or with the line itself when it had no journal entry.
 * `sync` lines (the fill barrier's private handshake with a live executor) are never
 * journaled, and never count as processed.
 *
 * Run record. A stage killed between two saves has processed lines it did not save,
 * and the stages before it have moved past them: only input that starts at or before
 * the first of those lines can complete the run (the bars are in no saved state, so no
 * stage can give them back). Table stage_run holds a row while that may be so: the
 * first line processed after the last save (position and hash), or "unknown" (the
 * stage had read input after a save but not yet recorded its first line). The row is
 * written, in a transaction of its own, before the first read of a run and before the
 * first new line after each save is processed, and deleted by the final save of a
 * run that processed a line. A run whose first new line comes after that point is
 * refused (algo_replay_check), with the point named, and changes nothing. Every other
 * stage of the same user (the key's second part) whose process is gone and left a
 * row refuses input that starts after that row's point too, at the first line
 * (algo_replay_check_start): a stage before the killed one must not take the lines
 * between as a gap in the stream and go past them.
 *
 * Everything lives in the state database (tables stage_mark, stage_journal and
 * stage_run),
 * under a key naming the stage instance (e.g. "algo-eval/default/<strategies>").
 * Changes are held in memory until algo_replay_save, which the caller runs inside
 * the transaction that saves the stage's own state, so mark, journal and state always
 * agree. Nothing here prints or exits. */
#ifndef ALGO_REPLAY_H
#define ALGO_REPLAY_H
#include <stddef.h>
#include <stdint.h>
#include "book.h"
#include "store.h"

#define ALGO_REPLAY_KEY_MAX 256

struct algo_replay {
	char key[ALGO_REPLAY_KEY_MAX];
	int64_t stream_max;        /* running max of ts over this run's input */
	int64_t mark;              /* highest position processed (saved or not); INT64_MIN none */
	uint64_t *at_mark;         /* hashes of the lines processed at the mark */
	size_t nat, capat;
	char *pend;                /* pending journal entries (see replay.c) */
	size_t plen, pcap;
	size_t npend;
	int dirty;                 /* mark or journal changed since the last save */
	sqlite3_stmt *get;         /* output of one hash */
	char *out;                 /* a copy of the last output read: the statement is reset at
	                            * once, so no read transaction stays open between lines */
	size_t outcap;
	long replayed;             /* lines answered from the record in this run */
	int record_only;           /* positions and the run record only: every line is
	                            * processed, nothing journaled or answered (algo-ledger,
	                            * which recognises what it has by id) */
	/* the run record (table stage_run) */
	int run_row;               /* ALGO_RUN_* as in the database */
	int64_t run_ms;            /* ALGO_RUN_AT: position of the first unsaved line */
	uint64_t run_hash;         /* and its hash */
	int run_prior;             /* run_row when the run started */
	int run_mine;              /* the row names a line of this run, after the last save */
	int run_checked;           /* the run's first new line was checked */
	int run_new;               /* a new line was processed in this run */
	int run_started;           /* the run's first line was checked */
	int in_line;               /* a new line (line_hash) is being processed */
	uint64_t line_hash;
	int64_t others_ms;         /* input must start at or before this for the records of
	                            * the user's other stages (INT64_MAX: none) */
	char others_key[ALGO_REPLAY_KEY_MAX]; /* the stage that says so */
	int run_seen;              /* a line of this run was already processed */
};

/* What table stage_run says of the stage's last run. */
enum {
	ALGO_RUN_CLEAN = 0,        /* no row: everything processed was saved */
	ALGO_RUN_AT,               /* lines from (run_ms, run_hash) on may be unsaved */
	ALGO_RUN_UNKNOWN,          /* input after the mark may have been read, unsaved */
};

/* 64-bit FNV-1a of a line: the key of a line in the journal. */
uint64_t algo_replay_hash(const char *line, size_t len);

/* Loads the mark and the journal's hashes of key from s. Returns 0, or -1 with err
 * set (database error, out of memory). Free with algo_replay_free. */
int algo_replay_open(struct algo_replay *r, struct algo_store *s, const char *key,
	char *err, size_t errlen);
void algo_replay_free(struct algo_replay *r);

/* Where a line stands, from its ts (epoch ms) and hash: advances the running maximum
 * and returns 1 when the line was processed before (write algo_replay_output's bytes),
 * 0 when it is new (process it, then call algo_replay_done). */
int algo_replay_seen(struct algo_replay *r, int64_t ts, uint64_t hash);

/* The recorded output of an already processed line: 1 with *out and *len set (valid until
 * the next call), 0 when the line had no entry (its output was the line itself), -1
 * with err set on a database error. */
int algo_replay_output(struct algo_replay *r, uint64_t hash, const char **out, size_t *len,
	char *err, size_t errlen);

/* Records that a new line was processed and wrote out (outlen bytes; sync lines in it
 * are left out). When the output is just the line, only the mark moves. Returns 0, or
 * -1 when out of memory. */
int algo_replay_done(struct algo_replay *r, uint64_t hash, const char *line, size_t linelen,
	const char *out, size_t outlen);

/* Writes the mark and the pending journal entries into s, inside the caller's
 * transaction, and the run record: at the end of a run (final) that processed a line
 * it goes (everything is saved), else it says "unknown" once a line of this run was
 * processed. Returns 0, or -1 with err set. */
int algo_replay_save(struct algo_replay *r, struct algo_store *s, int final, char *err,
	size_t errlen);

/* Whether a new line at the stream position reached (after algo_replay_seen) with
 * hash may be processed, given what the run record says: 0 yes; -1 no, with err
 * saying from where input must start (the lines after the killed run's last save
 * would be lost); 1 yes, but nothing says where the run before stopped (no mark, row
 * unknown), with a note in err. */
int algo_replay_check(struct algo_replay *r, uint64_t hash, char *err, size_t errlen);

/* At the first line of a run (after algo_replay_seen): 0, or -1 with err saying from
 * where input must start when the run record of another stage of the user, killed,
 * says lines after that point would be lost. */
int algo_replay_check_start(struct algo_replay *r, char *err, size_t errlen);

/* Whether the run record must be written before the next new line is processed (the
 * first of the run, or the first after a save). */
int algo_replay_run_due(const struct algo_replay *r);

/* Writes the run record inside the caller's transaction: at_line (a new line at the
 * position reached, with hash, is about to be processed) or, at the start of a run
 * with no row, "unknown". Returns 0, or -1 with err set. */
int algo_replay_run_mark(struct algo_replay *r, struct algo_store *s, int at_line,
	uint64_t hash, char *err, size_t errlen);

/* A refused run: the run record as it was before the run (the row of its start
 * goes), inside the caller's transaction. Returns 0, or -1 with err set. */
int algo_replay_run_undo(struct algo_replay *r, struct algo_store *s, char *err, size_t errlen);

#endif
