/* idreg — client order ids seen. See idreg.h for the contract. */
#include "idreg.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ID_TABLE "CREATE TABLE IF NOT EXISTS exec_ids (stage TEXT NOT NULL, user TEXT NOT NULL, " \
	"id TEXT NOT NULL, ts_ms INTEGER NOT NULL, PRIMARY KEY (stage, user, id)) WITHOUT ROWID"

/* The filter: FILTER_WORDS words of 64 bits; an id sets FILTER_PROBES bits of one word
 * (one cache line to touch per id, not one per bit). */
#define FILTER_WORDS (1u << 17)
#define FILTER_PROBES 4

/* Sets (set) or tests the key's bits: 1 when all were set (the key may have been added),
 * 0 when one was not (it was not). */
static int filter_bits(uint64_t *f, const char *k, size_t n, int set)
{
	uint64_t h = algo_book_hash(k, n), m = 0;
	uint64_t *w = &f[h & (FILTER_WORDS - 1)];
	for (int i = 0; i < FILTER_PROBES; i++)
		m |= 1ULL << ((h >> (32 + 6 * i)) & 63);
	if (set)
		*w |= m;
	return (*w & m) == m;
}

static int db_err(sqlite3 *db, const char *what, char *err, size_t errlen)
{
	snprintf(err, errlen, "order id registry: %s: %s", what, db ? sqlite3_errmsg(db) : "out of memory");
	return -1;
}

static int prepare(struct algo_idreg *r, char *err, size_t errlen)
{
	if (sqlite3_prepare_v2(r->db, "SELECT 1 FROM exec_ids WHERE stage = ? AND user = ? AND id = ?",
		-1, &r->get, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(r->db, "INSERT OR IGNORE INTO exec_ids (stage, user, id, ts_ms) "
		"VALUES (?, ?, ?, ?)", -1, &r->put, NULL) != SQLITE_OK)
		return db_err(r->db, "prepare", err, errlen);
	return 0;
}

int algo_idreg_open(struct algo_idreg *r, struct algo_store *s, const char *key, char *err,
	size_t errlen)
{
	memset(r, 0, sizeof *r);
	algo_book_tab_init(&r->pend, sizeof(int64_t));
	r->spill = ALGO_IDREG_SPILL;
	if ((size_t)snprintf(r->key, sizeof r->key, "%s", key) >= sizeof r->key) {
		snprintf(err, errlen, "order id registry: key too long");
		return -1;
	}
	if (!s) {
		/* out of memory: no filter, every id is looked up */
		r->filter = calloc(FILTER_WORDS, sizeof *r->filter);
		return 0;
	}
	r->db = s->db;
	if (prepare(r, err, errlen)) {
		algo_idreg_free(r);
		return -1;
	}
	return 0;
}

void algo_idreg_free(struct algo_idreg *r)
{
	sqlite3_finalize(r->get);
	sqlite3_finalize(r->put);
	if (r->own)
		sqlite3_close(r->db);
	algo_book_tab_free(&r->pend);
	free(r->filter);
	memset(r, 0, sizeof *r);
	algo_book_tab_init(&r->pend, sizeof(int64_t));
}

size_t algo_idreg_pending(const struct algo_idreg *r)
{
	return algo_book_tab_count(&r->pend);
}

int algo_idreg_seen(struct algo_idreg *r, const char *user, const char *id, char *err, size_t errlen)
{
	char k[2 * ALGO_NAME_MAX + 2];
	size_t n = algo_book_key(k, sizeof k, user, id, NULL);
	int rc;
	if (n && r->filter && !filter_bits(r->filter, k, n, 0))
		return 0;
	if (n && algo_book_tab_get(&r->pend, k, n, 0))
		return 1;
	if (!r->db)
		return 0;
	sqlite3_reset(r->get);
	sqlite3_bind_text(r->get, 1, r->key, -1, SQLITE_STATIC);
	sqlite3_bind_text(r->get, 2, user, -1, SQLITE_STATIC);
	sqlite3_bind_text(r->get, 3, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(r->get);
	sqlite3_reset(r->get);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return db_err(r->db, "lookup", err, errlen);
}

/* Writes every pending id with r->put and forgets them. */
static int write_pending(struct algo_idreg *r, char *err, size_t errlen)
{
	for (size_t i = 0; i < algo_book_tab_count(&r->pend); i++) {
		const char *k, *sep;
		size_t kn;
		int64_t *ts = algo_book_tab_at(&r->pend, i, &k, &kn);
		sep = memchr(k, 0x1f, kn);
		sqlite3_reset(r->put);
		sqlite3_bind_text(r->put, 1, r->key, -1, SQLITE_STATIC);
		sqlite3_bind_text(r->put, 2, k, (int)(sep - k), SQLITE_STATIC);
		sqlite3_bind_text(r->put, 3, sep + 1, (int)(kn - (size_t)(sep - k) - 1), SQLITE_STATIC);
		sqlite3_bind_int64(r->put, 4, *ts);
		if (sqlite3_step(r->put) != SQLITE_DONE) {
			sqlite3_reset(r->put);
			return db_err(r->db, "write", err, errlen);
		}
	}
	sqlite3_reset(r->put);
	algo_book_tab_free(&r->pend);
	algo_book_tab_init(&r->pend, sizeof(int64_t));
	return 0;
}

/* Without a state database: the pending ids go to the private temporary database
 * (made on first use: SQLite deletes it when it is closed). */
static int spill(struct algo_idreg *r, char *err, size_t errlen)
{
	if (!r->db) {
		if (sqlite3_open_v2("", &r->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
			db_err(r->db, "temporary database", err, errlen);
			sqlite3_close(r->db);
			r->db = NULL;
			return -1;
		}
		r->own = 1;
		if (sqlite3_exec(r->db, "PRAGMA cache_size = -256; PRAGMA journal_mode = OFF; "
			"PRAGMA synchronous = OFF; " ID_TABLE, NULL, NULL, NULL) != SQLITE_OK ||
		    prepare(r, err, errlen))
			return db_err(r->db, "temporary database", err, errlen);
	}
	if (sqlite3_exec(r->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return db_err(r->db, "temporary database", err, errlen);
	if (write_pending(r, err, errlen)) {
		sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	if (sqlite3_exec(r->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		return db_err(r->db, "temporary database", err, errlen);
	return 0;
}

int algo_idreg_add(struct algo_idreg *r, const char *user, const char *id, int64_t ts,
	char *err, size_t errlen)
{
	char k[2 * ALGO_NAME_MAX + 2];
	size_t n = algo_book_key(k, sizeof k, user, id, NULL);
	int64_t *t = n ? algo_book_tab_get(&r->pend, k, n, 1) : NULL;
	if (!t) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	*t = ts;
	if (r->filter)
		filter_bits(r->filter, k, n, 1);
	if ((!r->db || r->own) && algo_book_tab_count(&r->pend) >= r->spill)
		return spill(r, err, errlen);
	return 0;
}

int algo_idreg_save(struct algo_idreg *r, char *err, size_t errlen)
{
	if (!r->db || r->own || !algo_book_tab_count(&r->pend))
		return 0;
	return write_pending(r, err, errlen);
}
