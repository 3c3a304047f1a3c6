/* Unit tests for lib/idreg.c: ids seen, in memory, spilled to the temporary database
 * and in a state database; the filter in front of the look-ups never hides an id. */
#include "idreg.h"
#include "tap.h"
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Adds ids 0, 2, 4 ... below 2n for two users and checks every id below 2n both ways. */
static int seen_right(struct algo_idreg *r, int n, const char *what)
{
	char id[32], err[256];
	int bad = 0;
	for (int i = 0; i < 2 * n; i += 2) {
		snprintf(id, sizeof id, "emacross%010d", i);
		if (algo_idreg_add(r, "u1", id, i, err, sizeof err) ||
		    algo_idreg_add(r, "u2", id, i, err, sizeof err))
			bad++;
	}
	for (int i = 0; i < 2 * n; i++) {
		snprintf(id, sizeof id, "emacross%010d", i);
		if (algo_idreg_seen(r, "u1", id, err, sizeof err) != !(i & 1) ||
		    algo_idreg_seen(r, "u2", id, err, sizeof err) != !(i & 1) ||
		    algo_idreg_seen(r, "u3", id, err, sizeof err) != 0)
			bad++;
	}
	is_int(bad, 0, "%s: every id added is seen, none other", what);
	return bad;
}

int main(void)
{
	struct algo_idreg r;
	struct algo_store s;
	char err[256], dir[] = "/tmp/algo-idreg-test.XXXXXX", path[512], longid[200];

	ok(algo_idreg_open(&r, NULL, "", err, sizeof err) == 0, "a registry without a state database");
	ok(r.filter != NULL, "keeps a filter");
	seen_right(&r, 1000, "in memory");
	is_int(algo_idreg_pending(&r), 2000, "all of them held in memory");
	algo_idreg_free(&r);

	algo_idreg_open(&r, NULL, "", err, sizeof err);
	r.spill = 300;
	seen_right(&r, 5000, "spilled to the temporary database");
	ok(algo_idreg_pending(&r) < 300, "what was spilled left memory (%zu held)", algo_idreg_pending(&r));
	algo_idreg_free(&r);

	/* the filter full: every word has every bit, so every id is looked up */
	algo_idreg_open(&r, NULL, "", err, sizeof err);
	r.spill = 300;
	memset(r.filter, 0xff, (1u << 17) * sizeof *r.filter);
	seen_right(&r, 1000, "with every id in the filter");
	algo_idreg_free(&r);

	algo_idreg_open(&r, NULL, "", err, sizeof err);
	memset(longid, 'x', sizeof longid - 1);
	longid[sizeof longid - 1] = '\0';
	is_int(algo_idreg_seen(&r, "u1", longid, err, sizeof err), 0, "an id too long for a key is not seen");
	algo_idreg_free(&r);

	/* with a state database the ids of earlier runs are there, not in any filter */
	if (!mkdtemp(dir)) { perror("mkdtemp"); return 1; }
	snprintf(path, sizeof path, "%s/state.db", dir);
	ok(algo_store_open(&s, path, err, sizeof err) == 0, "state database");
	sqlite3_exec(s.db, "CREATE TABLE IF NOT EXISTS exec_ids (stage TEXT NOT NULL, user TEXT NOT NULL, "
		"id TEXT NOT NULL, ts_ms INTEGER NOT NULL, PRIMARY KEY (stage, user, id)) WITHOUT ROWID; "
		"INSERT INTO exec_ids VALUES ('k', 'u1', 'old', 1)", NULL, NULL, NULL);
	ok(algo_idreg_open(&r, &s, "k", err, sizeof err) == 0, "a registry in it");
	ok(r.filter == NULL, "keeps no filter");
	is_int(algo_idreg_seen(&r, "u1", "old", err, sizeof err), 1, "an id of an earlier run is seen");
	is_int(algo_idreg_seen(&r, "u1", "new", err, sizeof err), 0, "a new one is not");
	algo_idreg_add(&r, "u1", "new", 2, err, sizeof err);
	is_int(algo_idreg_seen(&r, "u1", "new", err, sizeof err), 1, "until it is added");
	algo_idreg_free(&r);
	algo_store_close(&s);
	unlink(path);
	rmdir(dir);
	return tap_done();
}
