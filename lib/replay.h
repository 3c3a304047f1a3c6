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
 * Everything lives in the state database (tables stage_mark and stage_journal),
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
 * transaction. Returns 0, or -1 with err set. */
int algo_replay_save(struct algo_replay *r, struct algo_store *s, char *err, size_t errlen);

#endif
