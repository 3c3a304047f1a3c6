/* idreg — the registry of client order ids an executor has seen, so that an id is never
 * acted on twice, however long ago it was seen, without keeping every id in memory.
 *
 * Ids added since the last save are held in memory. With a state database they are
 * written to its table exec_ids (under the executor instance's key) by
 * algo_idreg_save, inside the transaction that saves the executor's state, so the
 * registry and the state always agree after a crash. Without one (a backtest, a
 * plain pipe) they are moved, once SPILL ids are pending, to a private temporary
 * SQLite database that is deleted when the registry is freed: memory stays bounded
 * on any number of orders. Such a registry (every id it knows was added in this
 * process) also keeps a fixed 1 MiB filter of the ids added (a Bloom filter: never
 * wrong about an id not added), so algo_idreg_seen answers a new id without looking it
 * up in the database; an id the filter may hold is looked up as before. Nothing here
 * prints or exits. */
#ifndef ALGO_IDREG_H
#define ALGO_IDREG_H
#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>
#include "book.h"
#include "store.h"

#define ALGO_IDREG_SPILL 4096

struct algo_idreg {
	struct algo_book_tab pend;   /* user\x1fid -> ts, not yet written */
	sqlite3 *db;                 /* where written ids are: the state's, a temporary one, or NULL */
	int own;                     /* db is the private temporary database */
	char key[256];
	sqlite3_stmt *get, *put;
	size_t spill;                /* without a state database: pending ids before a spill */
	uint64_t *filter;            /* without a state database: the ids added (NULL: none) */
};

/* A registry under key, in store s, or (s NULL) in memory until the first spill.
 * Returns 0, or -1 with err set (database error, key too long). */
int algo_idreg_open(struct algo_idreg *r, struct algo_store *s, const char *key, char *err,
	size_t errlen);
/* Frees memory, closes (and so deletes) a temporary database. */
void algo_idreg_free(struct algo_idreg *r);

/* Whether (user, id) was added before: 1 yes, 0 no, -1 with err set (database error). */
int algo_idreg_seen(struct algo_idreg *r, const char *user, const char *id, char *err, size_t errlen);
/* Adds (user, id), seen at ts (epoch ms); without a state database may spill. Returns
 * 0, or -1 with err set (out of memory, the temporary database failed). */
int algo_idreg_add(struct algo_idreg *r, const char *user, const char *id, int64_t ts,
	char *err, size_t errlen);
/* Writes the pending ids into the state database (inside the caller's transaction).
 * Returns 0 (nothing to do without one), or -1 with err set. */
int algo_idreg_save(struct algo_idreg *r, char *err, size_t errlen);
/* Ids held in memory. */
size_t algo_idreg_pending(const struct algo_idreg *r);

#endif
