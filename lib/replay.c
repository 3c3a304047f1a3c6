/* replay — the record of what a stage processed. See replay.h for the contract and
 * docs/ARCHITECTURE.md (Restarts) for how the stages use it. */
#include "replay.h"
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

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

static int load_mark(struct algo_replay *r, struct algo_store *s, char *err, size_t errlen)
{
	sqlite3_stmt *q = algo_store_prepare(s, "SELECT ts_ms, hashes FROM stage_mark WHERE stage = ?",
		err, errlen);
	int rc;
	if (!q)
		return -1;
	sqlite3_bind_text(q, 1, r->key, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		const unsigned char *b = sqlite3_column_blob(q, 1);
		size_t n = (size_t)sqlite3_column_bytes(q, 1) / 8;
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
	} else if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "%s: %s", s->path, sqlite3_errmsg(s->db));
		sqlite3_finalize(q);
		return -1;
	}
	sqlite3_finalize(q);
	return 0;
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
	if (load_mark(r, s, err, errlen) ||
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
	if (r->stream_max < r->mark)
		return 1;
	return in_at_mark(r, hash);
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
	int same = outlen == linelen + 1 && memcmp(out, line, linelen) == 0 && out[linelen] == '\n';
	if (r->stream_max > r->mark) {
		r->mark = r->stream_max;
		r->nat = 0;
	}
	if (add_at_mark(r, hash))
		return -1;
	r->dirty = 1;
	return same ? 0 : add_pending(r, hash, r->mark, out, outlen);
}

int algo_replay_save(struct algo_replay *r, struct algo_store *s, char *err, size_t errlen)
{
	sqlite3_stmt *m, *j;
	int ok = 1;
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
