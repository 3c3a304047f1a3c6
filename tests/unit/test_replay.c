/* replay: positions by the running maximum of ts, the set at the mark, the journal
 * (sync lines left out), a save/open round trip through the database, and the run
 * record (what a killed run may have left unsaved, and which input is then refused). */
#include "replay.h"
#include "tap.h"
#include <stdlib.h>
#include <unistd.h>

#define LINE(s) s, sizeof s - 1

static int process(struct algo_replay *r, int64_t ts, const char *line, size_t n, const char *out)
{
	uint64_t h = algo_replay_hash(line, n);
	if (algo_replay_seen(r, ts, h))
		return 1;
	return algo_replay_done(r, h, line, n, out, strlen(out)) ? -1 : 0;
}

/* A new line of a run as the stage loop takes it: the checks, the run record when
 * due, then the record of the line. Returns 1 seen, 0 new, -1 refused (err says why). */
static int take(struct algo_replay *r, struct algo_store *s, int64_t ts, const char *line,
	char *err, size_t errlen)
{
	uint64_t h = algo_replay_hash(line, strlen(line));
	int seen = algo_replay_seen(r, ts, h);
	if (algo_replay_check_start(r, err, errlen))
		return -1;
	if (seen)
		return 1;
	if (algo_replay_check(r, h, err, errlen) < 0)
		return -1;
	if (algo_replay_run_due(r) && (algo_store_begin(s, err, errlen) ||
	    algo_replay_run_mark(r, s, 1, h, err, errlen) || algo_store_commit(s, err, errlen)))
		return -2;
	return algo_replay_done(r, h, line, strlen(line), line, strlen(line)) ? -2 : 0;
}

static int save(struct algo_replay *r, struct algo_store *s, int final, char *err, size_t errlen)
{
	return algo_store_begin(s, err, errlen) || algo_replay_save(r, s, final, err, errlen) ||
		algo_store_commit(s, err, errlen) ? -1 : 0;
}

/* The run record's row of key: "none", or "known TS" / "unknown TS". */
static const char *run_row(struct algo_store *s, const char *key)
{
	static char buf[64];
	char err[256];
	sqlite3_stmt *q = algo_store_prepare(s, "SELECT known, ts_ms FROM stage_run WHERE stage = ?",
		err, sizeof err);
	snprintf(buf, sizeof buf, "none");
	sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW)
		snprintf(buf, sizeof buf, "%s %lld", sqlite3_column_int(q, 0) ? "known" : "unknown",
			(long long)sqlite3_column_int64(q, 1));
	sqlite3_finalize(q);
	return buf;
}

static void run_record(struct algo_store *s)
{
	struct algo_replay r;
	char err[512];
	const int64_t m = 60000;   /* minutes since the epoch, as positions */

	/* A run killed after two lines, never saved: the row names its first line. */
	ok(algo_replay_open(&r, s, "algo-x/u", err, sizeof err) == 0 && r.run_row == ALGO_RUN_CLEAN,
		"run record: no row at first");
	ok(algo_store_begin(s, err, sizeof err) == 0 && algo_replay_run_mark(&r, s, 0, 0, err, sizeof err) == 0 &&
		algo_store_commit(s, err, sizeof err) == 0, "run record: the start row: %s", err);
	is_str(run_row(s, "algo-x/u"), "unknown -9223372036854775808", "before the first read: unknown");
	is_int(take(&r, s, 10 * m, "a10", err, sizeof err), 0, "line 10 new");
	is_str(run_row(s, "algo-x/u"), "known 600000", "the row names line 10 before it is processed");
	is_int(take(&r, s, 20 * m, "a20", err, sizeof err), 0, "line 20 new");
	is_str(run_row(s, "algo-x/u"), "known 600000", "no write for the next line");
	algo_replay_free(&r);                               /* kill -9 */

	ok(algo_replay_open(&r, s, "algo-x/u", err, sizeof err) == 0, "reopen after the kill");
	is_int(take(&r, s, 20 * m, "a20", err, sizeof err), -1, "input starting at 20 is refused");
	ok(strstr(err, "run again over input from 1970-01-01T05:40:00+05:30 or earlier") != NULL,
		"the message names line 10's time: %s", err);
	algo_replay_free(&r);
	is_str(run_row(s, "algo-x/u"), "known 600000", "a refused run leaves the row");

	/* The other stages of the user refuse it too, once the killed process is gone;
	 * another user's and a key without user do not. */
	sqlite3_exec(s->db, "UPDATE stage_run SET pid = 0", NULL, NULL, NULL);
	ok(algo_replay_open(&r, s, "algo-y/u/k", err, sizeof err) == 0 && r.others_ms == 10 * m,
		"another stage of user u sees the row");
	is_int(take(&r, s, 20 * m, "b20", err, sizeof err), -1, "and refuses input starting at 20");
	ok(strstr(err, "after lines algo-x/u processed") != NULL, "naming the stage: %s", err);
	algo_replay_free(&r);
	ok(algo_replay_open(&r, s, "algo-y/u/k", err, sizeof err) == 0 &&
		take(&r, s, 10 * m, "b10", err, sizeof err) == 0, "input starting at 10 is taken");
	algo_replay_free(&r);
	ok(algo_replay_open(&r, s, "algo-y/v", err, sizeof err) == 0 &&
		take(&r, s, 20 * m, "b20", err, sizeof err) == 0, "user v: not its pipeline");
	algo_replay_free(&r);
	ok(algo_replay_open(&r, s, "algo-y", err, sizeof err) == 0 &&
		take(&r, s, 20 * m, "b20", err, sizeof err) == 0, "a key without user: not either");
	algo_replay_free(&r);
	sqlite3_exec(s->db, "UPDATE stage_run SET pid = 1", NULL, NULL, NULL);
	ok(algo_replay_open(&r, s, "algo-y/u/k", err, sizeof err) == 0 && r.others_ms == INT64_MAX,
		"a row whose process runs (pid 1) is a live stage, not a loss");
	algo_replay_free(&r);

	/* A run over input from earlier: a save inside the run makes the row unknown, the
	 * next new line names itself, the last save removes it. */
	ok(algo_replay_open(&r, s, "algo-x/u", err, sizeof err) == 0, "reopen");
	is_int(take(&r, s, 5 * m, "a5", err, sizeof err), 0, "input from 5 is taken");
	is_str(run_row(s, "algo-x/u"), "known 300000", "the row names line 5");
	ok(save(&r, s, 0, err, sizeof err) == 0, "a save in the run");
	is_str(run_row(s, "algo-x/u"), "unknown 300000", "after it: unknown after the mark");
	is_int(take(&r, s, 10 * m, "a10", err, sizeof err), 0, "line 10 new");
	is_str(run_row(s, "algo-x/u"), "known 600000", "the row names line 10");
	ok(save(&r, s, 0, err, sizeof err) == 0, "a save");
	algo_replay_free(&r);                               /* kill -9 after a save */

	ok(algo_replay_open(&r, s, "algo-x/u", err, sizeof err) == 0, "reopen (unknown after 10)");
	is_int(take(&r, s, 20 * m, "a20", err, sizeof err), -1, "a first new line after the mark: refused");
	ok(strstr(err, "from 1970-01-01T05:40:00+05:30 or earlier") != NULL, "naming the mark: %s", err);
	algo_replay_free(&r);
	ok(algo_replay_open(&r, s, "algo-x/u", err, sizeof err) == 0, "reopen");
	is_int(take(&r, s, 10 * m, "a10", err, sizeof err), 1, "line 10 seen");
	is_int(take(&r, s, 20 * m, "a20", err, sizeof err), 0, "then line 20 new: taken");
	ok(save(&r, s, 1, err, sizeof err) == 0, "the last save");
	is_str(run_row(s, "algo-x/u"), "none", "removes the row");
	algo_replay_free(&r);

	/* A last save of a run that processed nothing new keeps a killed run's row. */
	ok(algo_replay_open(&r, s, "algo-x/u", err, sizeof err) == 0 &&
		take(&r, s, 30 * m, "a30", err, sizeof err) == 0, "line 30");
	algo_replay_free(&r);                               /* kill -9 */
	ok(algo_replay_open(&r, s, "algo-x/u", err, sizeof err) == 0 &&
		take(&r, s, 20 * m, "a20", err, sizeof err) == 1 && save(&r, s, 1, err, sizeof err) == 0,
		"a run over seen lines only, ended well");
	algo_replay_free(&r);
	is_str(run_row(s, "algo-x/u"), "known 1800000", "keeps the row of line 30");
}

int main(void)
{
	char path[] = "/tmp/test_replay.XXXXXX", db[64], err[512];
	struct algo_store s;
	struct algo_replay r;
	const char *out;
	size_t len;
	if (!mkdtemp(path)) return 1;
	snprintf(db, sizeof db, "%s/st.db", path);
	ok(algo_store_open(&s, db, err, sizeof err) == 0, "open store: %s", err);
	ok(algo_replay_open(&r, &s, "t/x", err, sizeof err) == 0, "open replay");

	/* A first run: bar 10, bar 20, a late signal of ts 15 (position 20), bar 30. */
	is_int(process(&r, 10, LINE("bar10"), "bar10\n"), 0, "bar 10 is new");
	is_int(process(&r, 20, LINE("bar20"), "bar20\nsig20\n"), 0, "bar 20 is new, writes a signal");
	is_int(process(&r, 15, LINE("late15"), "{\"type\":\"sync\",\"id\":1}\norder15\n"), 0,
		"a late line (ts 15 after 20) is new");
	ok(algo_store_begin(&s, err, sizeof err) == 0 && algo_replay_save(&r, &s, 1, err, sizeof err) == 0 &&
		algo_store_commit(&s, err, sizeof err) == 0, "save: %s", err);
	algo_replay_free(&r);

	/* The same stream again: everything up to the mark is recognised. */
	ok(algo_replay_open(&r, &s, "t/x", err, sizeof err) == 0, "reopen");
	is_int(r.mark, 20, "mark is the running maximum");
	is_int(process(&r, 10, LINE("bar10"), "x"), 1, "bar 10 seen");
	is_int(algo_replay_output(&r, algo_replay_hash(LINE("bar10")), &out, &len, err, sizeof err), 0,
		"bar 10 had no journal entry (pass-through)");
	is_int(process(&r, 20, LINE("bar20"), "x"), 1, "bar 20 seen");
	ok(algo_replay_output(&r, algo_replay_hash(LINE("bar20")), &out, &len, err, sizeof err) == 1 &&
		len == 12 && memcmp(out, "bar20\nsig20\n", 12) == 0, "bar 20's output is recorded");
	is_int(process(&r, 15, LINE("late15"), "x"), 1, "the late line is seen (position 20)");
	ok(algo_replay_output(&r, algo_replay_hash(LINE("late15")), &out, &len, err, sizeof err) == 1 &&
		len == 8 && memcmp(out, "order15\n", 8) == 0, "its sync line is not recorded");
	is_int(process(&r, 20, LINE("bar20b"), "bar20b\n"), 0, "another line at the mark is new");
	is_int(process(&r, 30, LINE("bar30"), "bar30\n"), 0, "bar 30 is new");
	is_int(process(&r, 25, LINE("late25"), "late25\n"), 0, "a late line after bar 30 is new too");
	algo_replay_free(&r);

	/* Input restarting in the middle: a late line first has a lower position. */
	ok(algo_replay_open(&r, &s, "t/x", err, sizeof err) == 0, "reopen (nothing saved since)");
	is_int(process(&r, 15, LINE("late15"), "x"), 1, "restart at the late line: seen");
	is_int(process(&r, 20, LINE("bar20b"), "bar20b\n"), 0, "unsaved work is new again");
	algo_replay_free(&r);

	/* Another key does not see this record. */
	ok(algo_replay_open(&r, &s, "t/y", err, sizeof err) == 0, "other key");
	is_int(process(&r, 10, LINE("bar10"), "bar10\n"), 0, "bar 10 is new under another key");
	algo_replay_free(&r);

	/* A journal entry keeps its line's own position, whenever the save comes: what is
	 * stored does not depend on the timing of idle saves. */
	ok(algo_replay_open(&r, &s, "t/z", err, sizeof err) == 0, "third key");
	is_int(process(&r, 10, LINE("bar10"), "bar10\nsig10\n"), 0, "bar 10 writes a signal");
	is_int(process(&r, 20, LINE("bar20"), "bar20\nsig20\n"), 0, "bar 20 writes a signal");
	ok(algo_store_begin(&s, err, sizeof err) == 0 && algo_replay_save(&r, &s, 1, err, sizeof err) == 0 &&
		algo_store_commit(&s, err, sizeof err) == 0, "one save for both: %s", err);
	{
		sqlite3_stmt *q = algo_store_prepare(&s, "SELECT group_concat(ts_ms) FROM (SELECT ts_ms "
			"FROM stage_journal WHERE stage = 't/z' ORDER BY ts_ms)", err, sizeof err);
		ok(q && sqlite3_step(q) == SQLITE_ROW &&
			strcmp((const char *)sqlite3_column_text(q, 0), "10,20") == 0,
			"journal positions are the lines' own (10,20)");
		if (q) sqlite3_finalize(q);
	}
	algo_replay_free(&r);

	run_record(&s);

	/* Nested transactions. */
	ok(algo_store_begin(&s, err, sizeof err) == 0 && algo_store_begin(&s, err, sizeof err) == 0 &&
		s.depth == 2 && algo_store_commit(&s, err, sizeof err) == 0 && s.depth == 1 &&
		algo_store_commit(&s, err, sizeof err) == 0 && s.depth == 0, "begin/commit nest");
	algo_store_close(&s);
	unlink(db);
	{
		char p2[80];
		snprintf(p2, sizeof p2, "%s-wal", db); unlink(p2);
		snprintf(p2, sizeof p2, "%s-shm", db); unlink(p2);
	}
	rmdir(path);
	return tap_done();
}
