/* replay — the record of what a stage processed. See replay.h for the contract and
 * docs/ARCHITECTURE.md (Restarts) for how the stages use it. */
#include "replay.h"
#include "timeutil.h"
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <unistd.h>

uint64_t algo_replay_hash(const char *line, size_t len)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)line[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static int add_at_mark(struct algo_replay *r, uint64_t hash)
{
	if (r->nat == r->capat) {
		size_t cap = r->capat ? r->capat * 2 : 16;
		uint64_t *n = realloc(r->at_mark, cap * sizeof *n);
		if (!n)
			return -1;
		r->at_mark = n;
		r->capat = cap;
	}
	r->at_mark[r->nat++] = hash;
	return 0;
}

/* A pending journal entry: [hash u64][position i64][len u32][bytes]. The position is
 * the line's own, not the mark at the save, so what is stored does not depend on when
 * the saves came (idle pauses are a matter of timing). */
#define PEND_HEAD 20

static int in_at_mark(const struct algo_replay *r, uint64_t hash)
{
	for (size_t i = 0; i < r->nat; i++)
		if (r->at_mark[i] == hash)
			return 1;
	return 0;
}

/* Runs sql, a query of one row by stage = r's key: SQLITE_ROW with *q on the row (the
 * caller finalizes it), SQLITE_DONE (none; finalized), or -1 with err set. */
static int row_of_key(struct algo_replay *r, struct algo_store *s, const char *sql,
	sqlite3_stmt **q, char *err, size_t errlen)
{
	int rc;
	if (!(*q = algo_store_prepare(s, sql, err, errlen)))
		return -1;
	sqlite3_bind_text(*q, 1, r->key, -1, SQLITE_STATIC);
	rc = sqlite3_step(*q);
	if (rc == SQLITE_ROW)
		return rc;
	if (rc != SQLITE_DONE)
		snprintf(err, errlen, "%s: %s", s->path, sqlite3_errmsg(s->db));
	sqlite3_finalize(*q);
	return rc == SQLITE_DONE ? rc : -1;
}

static int load_mark(struct algo_replay *r, struct algo_store *s, char *err, size_t errlen)
{
	sqlite3_stmt *q;
	int rc = row_of_key(r, s, "SELECT ts_ms, hashes FROM stage_mark WHERE stage = ?", &q,
		err, errlen);
	const unsigned char *b;
	size_t n;
	if (rc != SQLITE_ROW)
		return rc < 0 ? -1 : 0;
	b = sqlite3_column_blob(q, 1);
	n = (size_t)sqlite3_column_bytes(q, 1) / 8;
	r->mark = sqlite3_column_int64(q, 0);
	for (size_t i = 0; i < n; i++) {
		uint64_t h;
		memcpy(&h, b + 8 * i, 8);
		if (add_at_mark(r, h)) {
			sqlite3_finalize(q);
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	sqlite3_finalize(q);
	return 0;
}

/* Loads the run record (table stage_run) of r's key. */
static int load_run(struct algo_replay *r, struct algo_store *s, char *err, size_t errlen)
{
	sqlite3_stmt *q;
	int rc = row_of_key(r, s, "SELECT ts_ms, hash, known FROM stage_run WHERE stage = ?", &q,
		err, errlen);
	if (rc < 0)
		return -1;
	if (rc == SQLITE_ROW) {
		r->run_ms = sqlite3_column_int64(q, 0);
		r->run_hash = (uint64_t)sqlite3_column_int64(q, 1);
		r->run_row = sqlite3_column_int(q, 2) ? ALGO_RUN_AT : ALGO_RUN_UNKNOWN;
		sqlite3_finalize(q);
	}
	r->run_prior = r->run_row;
	return 0;
}

/* The user part of a stage key ("algo-risk/USER", "algo-eval/USER/..."): its start
 * and length; 0 when the key names none. */
static size_t key_user(const char *key, const char **user)
{
	const char *a = strchr(key, '/'), *b;
	if (!a)
		return 0;
	*user = ++a;
	b = strchr(a, '/');
	return b ? (size_t)(b - a) : strlen(a);
}

static int same_user(const char *k1, const char *k2)
{
	const char *u1 = NULL, *u2 = NULL;
	size_t n1 = key_user(k1, &u1), n2 = key_user(k2, &u2);
	return n1 && n1 == n2 && memcmp(u1, u2, n1) == 0;
}

static int process_alive(int64_t pid)
{
	return pid > 0 && pid <= INT32_MAX && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
}

/* The run records of the other stages of the same user's pipeline whose process is
 * gone: the lowest point from which input must start for all of them (lines they
 * processed and did not save). */
static int load_others(struct algo_replay *r, struct algo_store *s, char *err, size_t errlen)
{
	sqlite3_stmt *q = algo_store_prepare(s, "SELECT r.stage, r.known, r.ts_ms, m.ts_ms, r.pid "
		"FROM stage_run r LEFT JOIN stage_mark m ON m.stage = r.stage WHERE r.stage <> ?",
		err, errlen);
	int rc;
	if (!q)
		return -1;
	r->others_ms = INT64_MAX;
	sqlite3_bind_text(q, 1, r->key, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *k = (const char *)sqlite3_column_text(q, 0);
		int col = sqlite3_column_int(q, 1) ? 2 : 3;
		int64_t at = sqlite3_column_int64(q, col);
		if (!k || !same_user(r->key, k) || sqlite3_column_type(q, col) == SQLITE_NULL ||
		    process_alive(sqlite3_column_int64(q, 4)) || at >= r->others_ms)
			continue;
		r->others_ms = at;
		snprintf(r->others_key, sizeof r->others_key, "%s", k);
	}
	if (rc != SQLITE_DONE)
		snprintf(err, errlen, "%s: %s", s->path, sqlite3_errmsg(s->db));
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? 0 : -1;
}

int algo_replay_open(struct algo_replay *r, struct algo_store *s, const char *key,
	char *err, size_t errlen)
{
	memset(r, 0, sizeof *r);
	r->mark = r->stream_max = INT64_MIN;
	if ((size_t)snprintf(r->key, sizeof r->key, "%s", key) >= sizeof r->key) {
		snprintf(err, errlen, "replay key too long");
		return -1;
	}
	if (load_mark(r, s, err, errlen) || load_run(r, s, err, errlen) ||
	    load_others(r, s, err, errlen) ||
	    !(r->get = algo_store_prepare(s, "SELECT output FROM stage_journal WHERE stage = ? AND hash = ?",
		err, errlen))) {
		algo_replay_free(r);
		return -1;
	}
	return 0;
}

void algo_replay_free(struct algo_replay *r)
{
	if (r->get)
		sqlite3_finalize(r->get);
	free(r->at_mark);
	free(r->pend);
	free(r->out);
	memset(r, 0, sizeof *r);
}

int algo_replay_seen(struct algo_replay *r, int64_t ts, uint64_t hash)
{
	if (ts > r->stream_max)
		r->stream_max = ts;
	if (r->mark == INT64_MIN || r->stream_max > r->mark)
		return 0;
	if (r->stream_max < r->mark || in_at_mark(r, hash)) {
		r->run_seen = 1;
		return 1;
	}
	return 0;
}

/* A pending entry of hash, searched newest first (a line replayed in the run that
 * recorded it, before the next save). */
static int pending_output(const struct algo_replay *r, uint64_t hash, const char **out, size_t *len)
{
	const char *found = NULL;
	size_t flen = 0;
	for (size_t off = 0; off < r->plen;) {
		uint64_t h;
		uint32_t n;
		memcpy(&h, r->pend + off, 8);
		memcpy(&n, r->pend + off + 16, 4);
		if (h == hash) {
			found = r->pend + off + PEND_HEAD;
			flen = n;
		}
		off += PEND_HEAD + n;
	}
	if (!found)
		return 0;
	*out = found;
	*len = flen;
	return 1;
}

int algo_replay_output(struct algo_replay *r, uint64_t hash, const char **out, size_t *len,
	char *err, size_t errlen)
{
	int rc;
	r->replayed++;
	/* No set of the journal's hashes in memory: it would grow with the whole history
	 * of the stage. A line without an entry costs one index lookup, and only lines
	 * being replayed ask. */
	if (pending_output(r, hash, out, len))
		return 1;
	sqlite3_reset(r->get);
	sqlite3_bind_text(r->get, 1, r->key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(r->get, 2, (int64_t)hash);
	rc = sqlite3_step(r->get);
	if (rc == SQLITE_ROW) {
		const void *b = sqlite3_column_blob(r->get, 0);
		size_t n = (size_t)sqlite3_column_bytes(r->get, 0);
		if (n > r->outcap) {
			char *nb = realloc(r->out, n);
			if (!nb) {
				sqlite3_reset(r->get);
				snprintf(err, errlen, "out of memory");
				return -1;
			}
			r->out = nb;
			r->outcap = n;
		}
		if (n)
			memcpy(r->out, b, n);
		/* reset now: a statement left stepping holds a read transaction open, and a
		 * later save of this connection then fails with "database is locked" once
		 * another stage has written to the same database */
		sqlite3_reset(r->get);
		*out = n ? r->out : "";
		*len = n;
		return 1;
	}
	sqlite3_reset(r->get);
	if (rc == SQLITE_DONE)
		return 0;
	snprintf(err, errlen, "replay journal: %s", sqlite3_errmsg(sqlite3_db_handle(r->get)));
	return -1;
}

static int is_sync(const char *p, size_t n)
{
	static const char pat[] = "\"type\":\"sync\"";
	size_t k = sizeof pat - 1;
	for (size_t i = 0; i + k <= n; i++)
		if (p[i] == '"' && memcmp(p + i, pat, k) == 0)
			return 1;
	return 0;
}

/* Appends out without its sync lines to the pending entries under hash, at the
 * position pos. */
static int add_pending(struct algo_replay *r, uint64_t hash, int64_t pos, const char *out,
	size_t outlen)
{
	size_t need = r->plen + PEND_HEAD + outlen, start, n = 0;
	uint32_t len32;
	if (outlen > UINT32_MAX)
		return -1;
	if (need > r->pcap) {
		size_t cap = r->pcap ? r->pcap : 4096;
		char *p;
		while (cap < need)
			cap *= 2;
		if (!(p = realloc(r->pend, cap)))
			return -1;
		r->pend = p;
		r->pcap = cap;
	}
	start = r->plen;
	memcpy(r->pend + start, &hash, 8);
	memcpy(r->pend + start + 8, &pos, 8);
	for (size_t i = 0; i < outlen;) {
		const char *nl = memchr(out + i, '\n', outlen - i);
		size_t ln = nl ? (size_t)(nl - (out + i)) + 1 : outlen - i;
		if (!is_sync(out + i, ln)) {
			memcpy(r->pend + start + PEND_HEAD + n, out + i, ln);
			n += ln;
		}
		i += ln;
	}
	len32 = (uint32_t)n;
	memcpy(r->pend + start + 16, &len32, 4);
	r->plen = start + PEND_HEAD + n;
	r->npend++;
	return 0;
}

int algo_replay_done(struct algo_replay *r, uint64_t hash, const char *line, size_t linelen,
	const char *out, size_t outlen)
{
	int same = !r->record_only && outlen == linelen + 1 && memcmp(out, line, linelen) == 0 && out[linelen] == '\n';
	if (r->stream_max > r->mark) {
		r->mark = r->stream_max;
		r->nat = 0;
	}
	if (add_at_mark(r, hash))
		return -1;
	r->dirty = 1;
	r->run_new = 1;
	return same || r->record_only ? 0 : add_pending(r, hash, r->mark, out, outlen);
}

/* Writes the run record's row as state says (ALGO_RUN_CLEAN: none). */
static int put_run(struct algo_replay *r, struct algo_store *s, int state, int64_t ms,
	uint64_t hash, char *err, size_t errlen)
{
	sqlite3_stmt *q = algo_store_prepare(s, state == ALGO_RUN_CLEAN ?
		"DELETE FROM stage_run WHERE stage = ?" :
		"INSERT OR REPLACE INTO stage_run (stage, ts_ms, hash, known, pid) VALUES (?, ?, ?, ?, ?)",
		err, errlen);
	int ok;
	if (!q)
		return -1;
	sqlite3_bind_text(q, 1, r->key, -1, SQLITE_STATIC);
	if (state != ALGO_RUN_CLEAN) {
		sqlite3_bind_int64(q, 2, ms);
		sqlite3_bind_int64(q, 3, (int64_t)hash);
		sqlite3_bind_int(q, 4, state == ALGO_RUN_AT);
		sqlite3_bind_int64(q, 5, (int64_t)getpid());
	}
	ok = sqlite3_step(q) == SQLITE_DONE;
	if (!ok)
		snprintf(err, errlen, "%s: %s", s->path, sqlite3_errmsg(s->db));
	sqlite3_finalize(q);
	if (!ok)
		return -1;
	r->run_row = state;
	r->run_ms = ms;
	r->run_hash = hash;
	return 0;
}

int algo_replay_run_due(const struct algo_replay *r)
{
	return !r->run_mine;
}

int algo_replay_run_mark(struct algo_replay *r, struct algo_store *s, int at_line,
	uint64_t hash, char *err, size_t errlen)
{
	if (!at_line)
		return r->run_row == ALGO_RUN_CLEAN ?
			put_run(r, s, ALGO_RUN_UNKNOWN, r->mark, 0, err, errlen) : 0;
	if (put_run(r, s, ALGO_RUN_AT, r->stream_max, hash, err, errlen))
		return -1;
	r->run_mine = 1;
	return 0;
}

/* The run record at a save: a final save of a run that processed a line, or of one
 * that found no row, ends it; a save inside a new line (a stage saving before some
 * step) names that line; any other save of a run whose row names one of its lines
 * makes it "unknown" (input after the save may be read before the next line is
 * recorded). */
static int save_run(struct algo_replay *r, struct algo_store *s, int final, char *err,
	size_t errlen)
{
	if (final && (r->run_new || r->run_prior == ALGO_RUN_CLEAN))
		return r->run_row == ALGO_RUN_CLEAN ? 0 :
			put_run(r, s, ALGO_RUN_CLEAN, 0, 0, err, errlen);
	if (!final && r->run_mine && r->in_line) /* a save inside a line: that line is not saved */
		return r->run_ms == r->stream_max && r->run_hash == r->line_hash ? 0 :
			put_run(r, s, ALGO_RUN_AT, r->stream_max, r->line_hash, err, errlen);
	if (!final && r->run_mine) {
		if (put_run(r, s, ALGO_RUN_UNKNOWN, r->mark, 0, err, errlen))
			return -1;
		r->run_mine = 0;
	}
	return 0;
}

int algo_replay_check(struct algo_replay *r, uint64_t hash, char *err, size_t errlen)
{
	char at[ALGO_TIME_FMT_MAX];
	if (r->run_checked)
		return 0;
	r->run_checked = 1;
	if (r->run_prior == ALGO_RUN_AT) {
		/* at the same time is early enough: input cut by time (algo-feed --from) has
		 * every line of that time, and its header (the stream event) is new */
		if (r->stream_max <= r->run_ms)
			return 0;
		algo_time_fmt(r->run_ms, ALGO_IST_OFFSET_MIN, at);
	} else if (r->run_prior == ALGO_RUN_UNKNOWN) {
		if (r->run_seen)
			return 0;
		if (r->mark == INT64_MIN) {
			snprintf(err, errlen, "note: the run before stopped without a save and without "
				"recording where its input started; this input must start where that run's did");
			return 1;
		}
		algo_time_fmt(r->mark, ALGO_IST_OFFSET_MIN, at);
	} else {
		return 0;
	}
	snprintf(err, errlen, "input starts after lines the run before processed but did not save "
		"(it was killed): they would be lost; run again over input from %s or earlier", at);
	return -1;
}

int algo_replay_run_undo(struct algo_replay *r, struct algo_store *s, char *err, size_t errlen)
{
	if (r->run_prior != ALGO_RUN_CLEAN || r->run_row == ALGO_RUN_CLEAN)
		return 0;
	return put_run(r, s, ALGO_RUN_CLEAN, 0, 0, err, errlen);
}

int algo_replay_check_start(struct algo_replay *r, char *err, size_t errlen)
{
	char at[ALGO_TIME_FMT_MAX];
	if (r->run_started)
		return 0;
	r->run_started = 1;
	if (r->stream_max <= r->others_ms)
		return 0;
	algo_time_fmt(r->others_ms, ALGO_IST_OFFSET_MIN, at);
	snprintf(err, errlen, "input starts after lines %s processed but did not save (it was "
		"killed): they would be lost; run again over input from %s or earlier", r->others_key, at);
	return -1;
}

int algo_replay_save(struct algo_replay *r, struct algo_store *s, int final, char *err,
	size_t errlen)
{
	sqlite3_stmt *m, *j;
	int ok = 1;
	if (save_run(r, s, final, err, errlen))
		return -1;
	if (!r->dirty)
		return 0;
	m = algo_store_prepare(s, "INSERT INTO stage_mark (stage, ts_ms, hashes) VALUES (?, ?, ?) "
		"ON CONFLICT (stage) DO UPDATE SET ts_ms = excluded.ts_ms, hashes = excluded.hashes", err, errlen);
	j = m ? algo_store_prepare(s, "INSERT OR REPLACE INTO stage_journal (stage, hash, ts_ms, output) "
		"VALUES (?, ?, ?, ?)", err, errlen) : NULL;
	if (!m || !j) {
		if (m)
			sqlite3_finalize(m);
		return -1;
	}
	sqlite3_bind_text(m, 1, r->key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(m, 2, r->mark);
	sqlite3_bind_blob(m, 3, r->at_mark, (int)(r->nat * 8), SQLITE_STATIC);
	ok = sqlite3_step(m) == SQLITE_DONE;
	for (size_t off = 0; ok && off < r->plen;) {
		uint64_t h;
		int64_t pos;
		uint32_t n;
		memcpy(&h, r->pend + off, 8);
		memcpy(&pos, r->pend + off + 8, 8);
		memcpy(&n, r->pend + off + 16, 4);
		sqlite3_reset(j);
		sqlite3_bind_text(j, 1, r->key, -1, SQLITE_STATIC);
		sqlite3_bind_int64(j, 2, (int64_t)h);
		sqlite3_bind_int64(j, 3, pos);
		sqlite3_bind_blob(j, 4, r->pend + off + PEND_HEAD, (int)n, SQLITE_STATIC);
		ok = sqlite3_step(j) == SQLITE_DONE;
		off += PEND_HEAD + n;
	}
	if (!ok)
		snprintf(err, errlen, "%s: %s", s->path, sqlite3_errmsg(s->db));
	sqlite3_finalize(m);
	sqlite3_finalize(j);
	if (!ok)
		return -1;
	r->plen = r->npend = 0;
	r->dirty = 0;
	return 0;
}
