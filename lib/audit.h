/* audit — the append-only audit log (table audit) with a SHA-256 hash chain.
 *
 * Every row carries seq (1, 2, 3, … with no gaps), prev_hash (the hash of the row
 * before, or the anchor for the first row) and hash = SHA-256 over prev_hash and the
 * row's fields (algo_audit_hash). meta "audit_head" holds "seq:hash" of the newest
 * row, so deleting rows at the end is detected too; meta "audit_anchor" holds
 * "seq:hash" of the last row a prune removed (default "0:" + 64 zeros). */
#ifndef ALGO_AUDIT_H
#define ALGO_AUDIT_H
#include <stddef.h>
#include <stdint.h>
#include "store.h"

#define ALGO_AUDIT_HASH_LEN 64          /* hex characters of a SHA-256 */

struct algo_audit_row {
	int64_t seq;
	const char *user;
	const char *run;                    /* NULL when none */
	int64_t ts_ms;
	const char *kind;
	const char *strategy;               /* NULL when none */
	const char *ref;                    /* natural key of the source, NULL for admin rows */
	const char *reason;                 /* NULL when none */
	const char *detail;                 /* NULL when none */
};

struct algo_audit {
	struct algo_store *s;
	sqlite3_stmt *ins, *head_set;
	int64_t seq;                        /* of the newest row */
	char head[ALGO_AUDIT_HASH_LEN + 1];
	int head_dirty;                     /* head not yet written to meta */
};

/* Prepares the statements of a on s. Returns 0, or -1 with err set. Free with
 * algo_audit_free. */
int algo_audit_init(struct algo_audit *a, struct algo_store *s, char *err, size_t errlen);
void algo_audit_free(struct algo_audit *a);

/* Reads the newest row (or the anchor) into a; call inside the write transaction
 * before appending, so that appends of other processes are seen. 0 or -1 with err. */
int algo_audit_load_head(struct algo_audit *a, char *err, size_t errlen);

/* Appends row (its seq is assigned) inside the caller's transaction. A row whose
 * (user, kind, ref) is already logged is not added. Returns 1 added, 0 already there,
 * -1 with err set. */
int algo_audit_append(struct algo_audit *a, struct algo_audit_row *row, char *err, size_t errlen);

/* Writes the chain head (meta 'audit_head', which lets verify notice rows deleted from
 * the end) once for all the rows appended in the current transaction; call it before
 * COMMIT. Returns 0, or -1 with err set. */
int algo_audit_save_head(struct algo_audit *a, char *err, size_t errlen);

/* Computes the hex hash of row chained to prev (64 hex chars) into out (65 bytes). */
void algo_audit_hash(const struct algo_audit_row *row, const char *prev, char *out);

/* Checks the whole chain. Returns 0 intact (*rows set to the number of rows), 1 broken
 * (*bad_seq names the first bad row, msg says what is wrong), -1 on a database error
 * (msg set). */
int algo_audit_verify(struct algo_store *s, int64_t *rows, int64_t *bad_seq, char *msg,
	size_t msglen);

/* Removes the oldest rows up to (not including) the first row at or after before_ms,
 * after checking the chain, re-anchors the chain and appends a "prune" row (user,
 * ts now_ms) saying what was removed. Refuses (returns 1, msg set) when before_ms is
 * later than now_ms − retention_days, or the chain is broken. Returns 0 with *removed
 * set, 1 refused, -1 on a database error. Runs its own transaction. */
int algo_audit_prune(struct algo_store *s, const char *user, int64_t before_ms, int64_t now_ms,
	long retention_days, int64_t *removed, char *msg, size_t msglen);

#endif

/* Account changes (table accounts), each audited in the same transaction with user
 * user, kind "account", the actor and time now_ms:
 *   "add"      creates user with email, name, plan (FREE, BASIC or PRO), expiry
 *              (YYYY-MM-DD or NULL);
 *   "set-plan" sets plan (and expiry when not NULL);
 *   "disable"  disables the account.
 * Returns 0, 1 refused (msg says why: exists, unknown user, bad plan, …), -1 on a
 * database error (msg set). */
int algo_account_change(struct algo_store *s, const char *op, const char *user, const char *email,
	const char *name, const char *plan, const char *expiry, const char *actor, int64_t now_ms,
	char *msg, size_t msglen);
