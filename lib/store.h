/* store — the state database: one SQLite file per pipeline (WAL, busy timeout,
 * foreign keys on), schema migrations by PRAGMA user_version, prepared statements. */
#ifndef ALGO_STORE_H
#define ALGO_STORE_H
#include <stddef.h>
#include <sqlite3.h>

struct algo_store {
	sqlite3 *db;
	char path[4096];
	int depth;          /* algo_store_begin nesting */
	int throwaway;      /* the file $ALGO_THROWAWAY_STATE names (see below) */
};

/* Opens (creating it and its parent directories, mode 0700, when missing) the database
 * at path, sets WAL, busy_timeout 10 s, foreign_keys, synchronous=NORMAL, and applies
 * every migration newer than the file's user_version in one transaction each.
 * A throw-away database, the file that $ALGO_THROWAWAY_STATE names (algo-backtest
 * exports it for the fresh database of its run; compared by device and inode, so it
 * never applies to another file), opens with synchronous=OFF and a page cache of
 * ALGO_STORE_THROWAWAY_CACHE instead: a crash loses it, and the run is made again
 * (so the stages keep no replay record in it either, lib/stage.h).
 * Returns 0, or -1 with err set; a file whose version is newer than this build
 * knows is refused. Close with algo_store_close. */
int algo_store_open(struct algo_store *s, const char *path, char *err, size_t errlen);
/* algo_store_open for a connection that only the calling thread ever uses: SQLite
 * then skips the lock it takes in every call (binding a value, stepping, resetting;
 * 3% of algo-ledger's time in a backtest). Not for a store that another thread also
 * writes (algo-alert's outbox, which its sender threads update). */
int algo_store_open_single_thread(struct algo_store *s, const char *path, char *err, size_t errlen);
/* The throw-away database's page cache (PRAGMA cache_size: negative is KiB). */
#define ALGO_STORE_THROWAWAY_CACHE "-4096"
void algo_store_close(struct algo_store *s);

/* The schema version this build migrates to. */
int algo_store_schema_version(void);

/* Runs sql (no results) — for BEGIN/COMMIT and one-off statements.
 * Returns 0 or -1 with err set. */
int algo_store_exec(struct algo_store *s, const char *sql, char *err, size_t errlen);

/* Transactions that nest: the outermost begin is BEGIN IMMEDIATE and the matching
 * commit is COMMIT; inner ones only count. So a module that saves its state in a
 * transaction of its own can also save inside a caller's (the stage loop saves every
 * part of a stage's state in one). Rollback undoes the whole outermost transaction.
 * Each returns 0 or -1 with err set; after a failed commit the transaction is rolled
 * back and depth is 0. */
int algo_store_begin(struct algo_store *s, char *err, size_t errlen);
int algo_store_commit(struct algo_store *s, char *err, size_t errlen);
void algo_store_rollback(struct algo_store *s);
/* err = "PATH: SQLite's message of the call that failed last"; returns -1. */
int algo_store_fail(const struct algo_store *s, char *err, size_t errlen);

/* Prepares sql; returns NULL with err set on failure. Caller finalizes. */
sqlite3_stmt *algo_store_prepare(struct algo_store *s, const char *sql, char *err, size_t errlen);

/* Key/value metadata (table meta): returns 1 found (copied into out), 0 absent, -1 error. */
int algo_store_meta_get(struct algo_store *s, const char *key, char *out, size_t outlen);
int algo_store_meta_set(struct algo_store *s, const char *key, const char *val);

#endif
