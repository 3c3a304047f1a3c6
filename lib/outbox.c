/* outbox — undelivered alerts in the state database. See outbox.h. */
#include "outbox.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int step_done(struct algo_store *s, sqlite3_stmt *st, char *err, size_t errlen)
{
	int rc = sqlite3_step(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		snprintf(err, errlen, "%s: outbox: %s", s->path, sqlite3_errmsg(s->db));
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	return 0;
}

/* Voids the claims of processes that are gone. */
static int void_dead_claims(struct algo_store *s, char *err, size_t errlen)
{
	sqlite3_stmt *st = algo_store_prepare(s, "SELECT DISTINCT claim FROM alert_outbox "
		"WHERE claim IS NOT NULL", err, errlen);
	int64_t dead[64];
	int n = 0;
	if (!st)
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW && n < 64) {
		int64_t pid = sqlite3_column_int64(st, 0);
		if (pid != getpid() && (pid <= 0 || (kill((pid_t)pid, 0) != 0 && errno == ESRCH)))
			dead[n++] = pid;
	}
	sqlite3_finalize(st);
	for (int i = 0; i < n; i++) {
		if (!(st = algo_store_prepare(s, "UPDATE alert_outbox SET claim = NULL WHERE claim = ?1",
		    err, errlen)))
			return -1;
		sqlite3_bind_int64(st, 1, dead[i]);
		if (step_done(s, st, err, errlen))
			return -1;
	}
	return 0;
}

long algo_outbox_claim(struct algo_store *s, const char *dest,
	int (*fn)(void *arg, int64_t id, int prio, long alerts, const char *text), void *arg,
	char *err, size_t errlen)
{
	sqlite3_stmt *st;
	long n = 0;
	if (void_dead_claims(s, err, errlen))
		return -1;
	if (!(st = algo_store_prepare(s, "UPDATE alert_outbox SET claim = ?1 WHERE dest = ?2 AND "
	    "claim IS NULL", err, errlen)))
		return -1;
	sqlite3_bind_int64(st, 1, getpid());
	sqlite3_bind_text(st, 2, dest, -1, SQLITE_STATIC);
	if (step_done(s, st, err, errlen))
		return -1;
	if (!(st = algo_store_prepare(s, "SELECT id, prio, alerts, text FROM alert_outbox WHERE "
	    "dest = ?1 AND claim = ?2 ORDER BY id", err, errlen)))
		return -1;
	sqlite3_bind_text(st, 1, dest, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, getpid());
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (fn(arg, sqlite3_column_int64(st, 0), sqlite3_column_int(st, 1),
		    (long)sqlite3_column_int64(st, 2), (const char *)sqlite3_column_text(st, 3))) {
			snprintf(err, errlen, "out of memory");
			sqlite3_finalize(st);
			return -1;
		}
		n++;
	}
	sqlite3_finalize(st);
	return n;
}

static int delete_ids(struct algo_store *s, const int64_t *ids, size_t n, char *err, size_t errlen)
{
	for (size_t i = 0; i < n; i++) {
		sqlite3_stmt *st = algo_store_prepare(s, "DELETE FROM alert_outbox WHERE id = ?1", err, errlen);
		if (!st)
			return -1;
		sqlite3_bind_int64(st, 1, ids[i]);
		if (step_done(s, st, err, errlen))
			return -1;
	}
	return 0;
}

/* Inserts one row (claim: 0 none, else this process). Returns its id, or -1. */
static int64_t insert_row(struct algo_store *s, const char *dest, int prio, long alerts,
	const char *text, int64_t now_ms, int claim, char *err, size_t errlen)
{
	sqlite3_stmt *st = algo_store_prepare(s, "INSERT INTO alert_outbox (dest, prio, alerts, "
		"text, created_ms, claim) VALUES (?1, ?2, ?3, ?4, ?5, ?6)", err, errlen);
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, dest, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, prio);
	sqlite3_bind_int64(st, 3, alerts);
	sqlite3_bind_text(st, 4, text, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, now_ms);
	if (claim)
		sqlite3_bind_int64(st, 6, getpid());
	else
		sqlite3_bind_null(st, 6);
	if (step_done(s, st, err, errlen))
		return -1;
	return sqlite3_last_insert_rowid(s->db);
}

int algo_outbox_keep(struct algo_store *s, const char *dest, const struct algo_alert_msg *m,
	int64_t now_ms, char *err, size_t errlen)
{
	if (m->saved || (m->nids == 1 && m->alerts <= 1))
		return 0;                        /* the row it came from is still there */
	if (algo_store_exec(s, "BEGIN IMMEDIATE", err, errlen))
		return -1;
	if (insert_row(s, dest, m->prio, m->alerts, m->text, now_ms, 0, err, errlen) < 0 ||
	    delete_ids(s, m->ids, m->nids, err, errlen)) {
		algo_store_exec(s, "ROLLBACK", NULL, 0);
		return -1;
	}
	return algo_store_exec(s, "COMMIT", err, errlen);
}

int64_t algo_outbox_replace(struct algo_store *s, const char *dest, const struct algo_alert_msg *m,
	int64_t now_ms, char *err, size_t errlen)
{
	int64_t id = insert_row(s, dest, m->prio, m->alerts, m->text, now_ms, 1, err, errlen);
	if (id < 0 || delete_ids(s, m->ids, m->nids, err, errlen))
		return -1;
	return id;
}

int64_t algo_outbox_add(struct algo_store *s, const char *dest, int prio, const char *text,
	int64_t now_ms, char *err, size_t errlen)
{
	return insert_row(s, dest, prio, 1, text, now_ms, 1, err, errlen);
}

int algo_outbox_done(struct algo_store *s, const int64_t *ids, size_t n, char *err, size_t errlen)
{
	return delete_ids(s, ids, n, err, errlen);
}

int algo_outbox_release(struct algo_store *s, char *err, size_t errlen)
{
	sqlite3_stmt *st = algo_store_prepare(s, "UPDATE alert_outbox SET claim = NULL WHERE claim = ?1",
		err, errlen);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, getpid());
	return step_done(s, st, err, errlen);
}

int algo_outbox_count(struct algo_store *s, const char *dest, long *rows, long *alerts, char *err,
	size_t errlen)
{
	sqlite3_stmt *st = algo_store_prepare(s, "SELECT count(*), coalesce(sum(alerts), 0) FROM "
		"alert_outbox WHERE ?1 IS NULL OR dest = ?1", err, errlen);
	if (!st)
		return -1;
	if (dest)
		sqlite3_bind_text(st, 1, dest, -1, SQLITE_STATIC);
	*rows = *alerts = 0;
	if (sqlite3_step(st) == SQLITE_ROW) {
		*rows = (long)sqlite3_column_int64(st, 0);
		*alerts = (long)sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	return 0;
}
