/* Unit tests for lib/store.c: creation, idempotent migrations, version check, meta. */
#include "store.h"
#include "tap.h"
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int count(struct algo_store *s, const char *sql)
{
	char err[256];
	int n = -1;
	sqlite3_stmt *st = algo_store_prepare(s, sql, err, sizeof err);
	if (st && sqlite3_step(st) == SQLITE_ROW) n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

int main(void)
{
	char dir[] = "/tmp/algo-store-test.XXXXXX";
	char path[512], err[512], val[64];
	struct algo_store s;
	struct stat sb;

	if (!mkdtemp(dir)) { perror("mkdtemp"); return 1; }
	snprintf(path, sizeof path, "%s/a/b/state.db", dir);

	/* open creates parents (0700), the file (0600) and the schema */
	ok(algo_store_open(&s, path, err, sizeof err) == 0, "open creates a new database");
	ok(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600, "file mode 0600");
	snprintf(val, sizeof val, "%s/a/b", dir);
	ok(stat(val, &sb) == 0 && (sb.st_mode & 0777) == 0700, "parent mode 0700");
	is_int(count(&s, "PRAGMA user_version"), algo_store_schema_version(), "user_version set");
	ok(algo_store_schema_version() >= 1, "schema version >= 1");
	is_int(count(&s, "SELECT count(*) FROM sqlite_master WHERE type='table' AND name IN "
		"('meta','orders','fills','positions','equity','marks')"), 6, "tables created");
	is_int(count(&s, "SELECT count(*) FROM sqlite_master WHERE type='view' AND name IN "
		"('v_orders','v_fills','v_positions','v_equity')"), 4, "views created");
	{
		sqlite3_stmt *st = algo_store_prepare(&s, "PRAGMA journal_mode", err, sizeof err);
		ok(st && sqlite3_step(st) == SQLITE_ROW &&
		   strcmp((const char *)sqlite3_column_text(st, 0), "wal") == 0, "WAL mode");
		sqlite3_finalize(st);
	}
	is_int(count(&s, "PRAGMA foreign_keys"), 1, "foreign keys on");

	/* meta */
	is_int(algo_store_meta_get(&s, "capital", val, sizeof val), 0, "meta absent -> 0");
	is_int(algo_store_meta_set(&s, "capital", "100000"), 0, "meta set");
	is_int(algo_store_meta_get(&s, "capital", val, sizeof val), 1, "meta present -> 1");
	is_str(val, "100000", "meta value");
	is_int(algo_store_meta_set(&s, "capital", "250000.5"), 0, "meta overwrite");
	algo_store_meta_get(&s, "capital", val, sizeof val);
	is_str(val, "250000.5", "meta value overwritten");
	is_int(algo_store_meta_get(&s, "capital", val, 4), -1, "meta value too long -> -1");

	/* exec / prepare errors are reported, not printed */
	ok(algo_store_exec(&s, "SELECT nosuchcolumn FROM meta", err, sizeof err) == -1 &&
	   strstr(err, "nosuchcolumn") != NULL, "exec error names the problem (%s)", err);
	ok(algo_store_prepare(&s, "SELEC 1", err, sizeof err) == NULL, "prepare error -> NULL");
	ok(algo_store_exec(&s, "INSERT INTO meta VALUES ('a','1'); INSERT INTO meta VALUES ('b','2');",
		err, sizeof err) == 0, "exec runs several statements");
	is_int(count(&s, "SELECT count(*) FROM meta"), 3, "both statements ran");
	algo_store_close(&s);

	/* opening again is idempotent: no migration re-runs, data kept */
	ok(algo_store_open(&s, path, err, sizeof err) == 0, "reopen");
	is_int(count(&s, "PRAGMA user_version"), algo_store_schema_version(), "version unchanged");
	algo_store_meta_get(&s, "capital", val, sizeof val);
	is_str(val, "250000.5", "meta survives reopen");
	is_int(count(&s, "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='fills'"), 1,
		"tables not duplicated");

	/* a database from a newer build is refused */
	{
		char sql[64];
		snprintf(sql, sizeof sql, "PRAGMA user_version = %d", algo_store_schema_version() + 1);
		ok(algo_store_exec(&s, sql, err, sizeof err) == 0, "bump version");
	}
	algo_store_close(&s);
	ok(algo_store_open(&s, path, err, sizeof err) == -1 && strstr(err, "newer") != NULL,
		"newer schema refused (%s)", err);
	ok(s.db == NULL, "refused open leaves no handle");

	/* a database of an older version (0: empty file from another tool) is migrated */
	snprintf(path, sizeof path, "%s/old.db", dir);
	{
		sqlite3 *db;
		sqlite3_open(path, &db);
		sqlite3_exec(db, "CREATE TABLE other (x)", NULL, NULL, NULL);
		sqlite3_close(db);
	}
	ok(algo_store_open(&s, path, err, sizeof err) == 0, "version 0 migrated");
	is_int(count(&s, "SELECT count(*) FROM sqlite_master WHERE name IN ('other','meta')"), 2,
		"existing tables kept, new ones added");
	algo_store_close(&s);

	/* durability: NORMAL for every state database; OFF with the larger cache only for
	 * the one file $ALGO_THROWAWAY_STATE names (a backtest's own), in any spelling */
	{
		char other[512], alias[512];
		snprintf(path, sizeof path, "%s/backtest.db", dir);
		snprintf(alias, sizeof alias, "%s/./backtest.db", dir);
		snprintf(other, sizeof other, "%s/live.db", dir);
		unsetenv("ALGO_THROWAWAY_STATE");
		ok(algo_store_open(&s, path, err, sizeof err) == 0, "open without the variable");
		is_int(count(&s, "PRAGMA synchronous"), 1, "plain state: synchronous=NORMAL");
		algo_store_close(&s);
		setenv("ALGO_THROWAWAY_STATE", alias, 1);
		ok(algo_store_open(&s, other, err, sizeof err) == 0, "open another file");
		is_int(count(&s, "PRAGMA synchronous"), 1, "a file the variable does not name: NORMAL");
		is_int(count(&s, "PRAGMA cache_size"), -2000, "... and the default page cache");
		algo_store_close(&s);
		ok(algo_store_open(&s, path, err, sizeof err) == 0, "open the throw-away file");
		is_int(count(&s, "PRAGMA synchronous"), 0, "throw-away state: synchronous=OFF");
		is_int(count(&s, "PRAGMA cache_size"), atoi(ALGO_STORE_THROWAWAY_CACHE), "... and a larger page cache");
		algo_store_close(&s);
		setenv("ALGO_THROWAWAY_STATE", "", 1);
		ok(algo_store_open(&s, path, err, sizeof err) == 0 && count(&s, "PRAGMA synchronous") == 1,
			"an empty variable names nothing");
		algo_store_close(&s);
		unsetenv("ALGO_THROWAWAY_STATE");
	}

	/* an unusable path is an error with a message */
	snprintf(path, sizeof path, "%s/old.db/x/state.db", dir);
	ok(algo_store_open(&s, path, err, sizeof err) == -1 && err[0], "bad path refused (%s)", err);

	{
		char cmd[600];
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
		if (system(cmd) != 0) printf("# cleanup failed\n");
	}
	return tap_done();
}
