/* replay: positions by the running maximum of ts, the set at the mark, the journal
 * (sync lines left out), and a save/open round trip through the database. */
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
	ok(algo_store_begin(&s, err, sizeof err) == 0 && algo_replay_save(&r, &s, err, sizeof err) == 0 &&
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
	ok(algo_store_begin(&s, err, sizeof err) == 0 && algo_replay_save(&r, &s, err, sizeof err) == 0 &&
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
