/* outbox — alerts kept in the state database (table alert_outbox) until a later run
 * or `algo-alert flush` delivers them.
 *
 * A row is one message for one destination key (lib/dest.h: no secret in it), with
 * its priority and the number of alerts it stands for. A process that takes rows to
 * send them claims them first (claim = its pid), so two processes never send the same
 * row; a claim whose process is gone is void. A delivered row is deleted at once, so
 * a row is sent once (a request that timed out after reaching the server, which
 * cannot be told from a lost one, is the only way to a second copy).
 *
 * Statements run outside any transaction of the caller's (single statements, or a
 * transaction of their own), so a sender thread may use its own connection while the
 * stage saves on another. Nothing here prints or exits. */
#ifndef ALGO_OUTBOX_H
#define ALGO_OUTBOX_H
#include <stddef.h>
#include <stdint.h>
#include "alertq.h"
#include "store.h"

/* Claims every row of dest that no live process holds, oldest first, calling fn for
 * each. Returns the number claimed, or -1 with err set (fn's nonzero return stops it
 * and is an error too). */
long algo_outbox_claim(struct algo_store *s, const char *dest,
	int (*fn)(void *arg, int64_t id, int prio, long alerts, const char *text), void *arg,
	char *err, size_t errlen);

/* Keeps message m for dest: one new row for it, and the rows it was made of (m->ids)
 * deleted, in one transaction. Returns 0, or -1 with err set. */
int algo_outbox_keep(struct algo_store *s, const char *dest, const struct algo_alert_msg *m,
	int64_t now_ms, char *err, size_t errlen);

/* Adds one alert for dest, claimed by this process, inside the caller's transaction
 * if there is one. Returns its id (> 0), or -1 with err set. */
int64_t algo_outbox_add(struct algo_store *s, const char *dest, int prio, const char *text,
	int64_t now_ms, char *err, size_t errlen);

/* One row, claimed by this process, for the whole of message m (its text as built),
 * and the rows it was made of (m->ids) deleted, inside the caller's transaction.
 * Returns the new row's id, or -1 with err set. */
int64_t algo_outbox_replace(struct algo_store *s, const char *dest, const struct algo_alert_msg *m,
	int64_t now_ms, char *err, size_t errlen);

/* Deletes delivered rows. Returns 0, or -1 with err set. */
int algo_outbox_done(struct algo_store *s, const int64_t *ids, size_t n, char *err, size_t errlen);

/* Gives up this process's claims (rows not delivered go back to the outbox). */
int algo_outbox_release(struct algo_store *s, char *err, size_t errlen);

/* Rows (dest NULL: of every destination) and the alerts they stand for. Returns 0 or
 * -1 with err set. */
int algo_outbox_count(struct algo_store *s, const char *dest, long *rows, long *alerts, char *err,
	size_t errlen);

#endif
