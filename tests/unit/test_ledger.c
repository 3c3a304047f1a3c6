/* Unit tests for lib/ledger.c's batches on the stage loop: a backtest commits once per
 * 50,000 lines, any other recording every 5,000 (lib/stage.h's default), however the
 * backtest and the stage are set up, and a backtest's curve still writes its points
 * every 5,000 lines; and lib/store.c's single-thread connection. */
#include "ledger.h"
#include "stage.h"
#include "tap.h"
#include <sqlite3.h>

static int commits;

static void say(const char *msg)
{
	fprintf(stderr, "# %s\n", msg);
}

static int count_commit(void *arg)
{
	(void)arg;
	commits++;
	return 0;
}

/* Writes n one-minute bars of one symbol to path, after a fill that opens a position
 * when fill is set (then the equity changes at every bar). */
static void write_bars(const char *path, int n, int fill)
{
	FILE *f = fopen(path, "w");
	if (f && fill)
		fputs("{\"type\":\"fill\",\"ts\":\"2024-01-01T09:15:00+05:30\",\"id\":\"o1\",\"fill_id\":\"o1-1\","
			"\"strategy\":\"s\",\"symbol\":\"NSE:T-EQ\",\"side\":\"buy\",\"qty\":1,\"price\":100}\n", f);
	for (int i = 0; f && i < n; i++) {
		/* 375 bars a day from 09:15 IST, one day after another */
		long day = i / 375, min = 9 * 60 + 15 + i % 375;
		fprintf(f, "{\"type\":\"bar\",\"ts\":\"2024-%02ld-%02ldT%02ld:%02ld:00+05:30\",\"symbol\":"
			"\"NSE:T-EQ\",\"tf\":\"1m\",\"o\":100,\"h\":110,\"l\":99,\"c\":%d.5,\"v\":10}\n",
			1 + day / 28, 1 + day % 28, min / 60, min % 60, 100 + i % 7);
	}
	if (f) fclose(f);
}

enum { PLAIN, BACKTEST_FIRST, BACKTEST_AFTER };

/* The commits of recording the lines of in into a fresh throw-away database at db:
 * not as a backtest, or set as one before or after the stage; -1 when it fails. */
static int record(const char *db, const char *in, int how)
{
	char err[512];
	struct algo_store s;
	struct algo_ledger *l;
	struct algo_stage st;
	int differs, out, code;
	unlink(db);
	fclose(fopen(db, "w"));
	setenv("ALGO_THROWAWAY_STATE", db, 1);
	if (algo_store_open(&s, db, err, sizeof err)) return -1;
	if (!(l = algo_ledger_open(&s, "default", -1, &differs, err, sizeof err))) return -1;
	if (how == BACKTEST_FIRST) algo_ledger_set_backtest(l);
	algo_ledger_stage(l, &st);
	st.warn = say;
	if (how == BACKTEST_AFTER) algo_ledger_set_backtest(l);
	st.fd = open(in, O_RDONLY);
	commits = 0;
	sqlite3_commit_hook(s.db, count_commit, NULL);
	fflush(stdout);
	out = dup(1);
	dup2(open("/dev/null", O_WRONLY), 1);      /* the lines passed through */
	code = algo_stage_run(&st);
	fflush(stdout);
	dup2(out, 1);
	close(out);
	close(st.fd);
	algo_ledger_free(l);
	algo_store_close(&s);
	unsetenv("ALGO_THROWAWAY_STATE");
	if (code) printf("# stage exit %d: %s\n", code, st.stop_msg);
	return code == 0 ? commits : -1;
}

static void test_batches(const char *dir)
{
	char in[600], db[600];
	snprintf(in, sizeof in, "%s/bars.ndjson", dir);
	snprintf(db, sizeof db, "%s/state.db", dir);
	write_bars(in, 12000, 0);
	is_int(record(db, in, PLAIN), 3, "12,000 lines not as a backtest: a commit every 5,000 and the last");
	is_int(record(db, in, BACKTEST_FIRST), 1, "as a backtest: one commit (a batch is 50,000 lines)");
	is_int(record(db, in, BACKTEST_AFTER), 1, "the same when the backtest is set after the stage");
}

/* The equity rows of at ms (epoch milliseconds) in the database at db. */
static int equity_at(const char *db, long long ms)
{
	char err[512], sql[128];
	struct algo_store s;
	sqlite3_stmt *st;
	int n = -1;
	if (algo_store_open(&s, db, err, sizeof err)) return -1;
	snprintf(sql, sizeof sql, "SELECT count(*) FROM equity WHERE ts_ms = %lld", ms);
	if ((st = algo_store_prepare(&s, sql, err, sizeof err)) && sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	algo_store_close(&s);
	return n;
}

/* A backtest's curve still writes its points every 5,000 lines, not only at its
 * commits: line 5,000 is the bar of 2024-01-14 11:18 IST, a point no day's last. */
static void test_curve_lines(const char *dir)
{
	char in[600], db[600];
	snprintf(in, sizeof in, "%s/position.ndjson", dir);
	snprintf(db, sizeof db, "%s/curve.db", dir);
	write_bars(in, 11999, 1);
	is_int(record(db, in, BACKTEST_FIRST), 1, "a backtest with a position: one commit");
	is_int(equity_at(db, 1705211280000LL), 1, "the point of line 5,000 is in the equity rows");
	is_int(equity_at(db, 1705211340000LL), 0, "the one after it is not");
}

static void test_single_thread(const char *dir)
{
	char path[600], err[512];
	struct algo_store s;
	snprintf(path, sizeof path, "%s/one.db", dir);
	ok(algo_store_open(&s, path, err, sizeof err) == 0, "open");
	ok(sqlite3_db_mutex(s.db) != NULL, "a store's connection has SQLite's lock (other threads may use it)");
	algo_store_close(&s);
	ok(algo_store_open_single_thread(&s, path, err, sizeof err) == 0, "open for one thread");
	ok(sqlite3_db_mutex(s.db) == NULL, "a single-thread connection has none");
	ok(algo_store_exec(&s, "INSERT INTO meta VALUES ('k', 'v')", err, sizeof err) == 0,
		"and works as any other");
	algo_store_close(&s);
	is_int(sqlite3_memory_used(), 0, "SQLite keeps no memory statistics (a global lock per allocation)");
}

int main(void)
{
	char dir[] = "/tmp/algo-ledger-test.XXXXXX";
	if (!mkdtemp(dir)) { perror("mkdtemp"); return 1; }
	test_batches(dir);
	test_curve_lines(dir);
	test_single_thread(dir);
	{
		char cmd[600];
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
		if (system(cmd) != 0) printf("# cleanup failed\n");
	}
	return tap_done();
}
