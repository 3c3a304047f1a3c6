/* audit — see audit.h. */
#include "audit.h"
#include "timeutil.h"
#include <openssl/evp.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

static const char zero_hash[ALGO_AUDIT_HASH_LEN + 1] =
	"0000000000000000000000000000000000000000000000000000000000000000";

/* Feeds one field: "-" for NULL, else its length, ':' and its bytes, then '\n'. */
static void feed(EVP_MD_CTX *c, const char *s)
{
	char n[32];
	int k;
	if (!s) { EVP_DigestUpdate(c, "-\n", 2); return; }
	k = snprintf(n, sizeof n, "%zu:", strlen(s));
	EVP_DigestUpdate(c, n, (size_t)k);
	EVP_DigestUpdate(c, s, strlen(s));
	EVP_DigestUpdate(c, "\n", 1);
}

void algo_audit_hash(const struct algo_audit_row *row, const char *prev, char *out)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char num[64];
	EVP_MD_CTX *c = EVP_MD_CTX_new();

	out[0] = '\0';
	if (!c) return;
	EVP_DigestInit_ex(c, EVP_sha256(), NULL);
	feed(c, prev);
	snprintf(num, sizeof num, "%lld", (long long)row->seq);
	feed(c, num);
	feed(c, row->user);
	feed(c, row->run);
	snprintf(num, sizeof num, "%lld", (long long)row->ts_ms);
	feed(c, num);
	feed(c, row->kind);
	feed(c, row->strategy);
	feed(c, row->ref);
	feed(c, row->reason);
	feed(c, row->detail);
	EVP_DigestFinal_ex(c, md, &mdlen);
	EVP_MD_CTX_free(c);
	for (unsigned int i = 0; i < mdlen && i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[2 * (mdlen < 32 ? mdlen : 32)] = '\0';
}

int algo_audit_init(struct algo_audit *a, struct algo_store *s, char *err, size_t errlen)
{
	memset(a, 0, sizeof *a);
	a->s = s;
	a->ins = algo_store_prepare(s, "INSERT INTO audit (seq, user, run, ts_ms, kind, strategy, "
		"ref, reason, detail, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
		"?10, ?11) ON CONFLICT (user, kind, ref) DO NOTHING", err, errlen);
	a->head_set = algo_store_prepare(s, "INSERT INTO meta (key, value) VALUES ('audit_head', ?1) "
		"ON CONFLICT (key) DO UPDATE SET value = excluded.value", err, errlen);
	if (!a->ins || !a->head_set) { algo_audit_free(a); return -1; }
	memcpy(a->head, zero_hash, sizeof a->head);
	return 0;
}

void algo_audit_free(struct algo_audit *a)
{
	sqlite3_finalize(a->ins);
	sqlite3_finalize(a->head_set);
	a->ins = a->head_set = NULL;
}

/* Parses "seq:hash" from meta key into *seq/hash; 1 found, 0 absent, -1 bad. */
static int meta_pair(struct algo_store *s, const char *key, int64_t *seq, char *hash)
{
	char v[128], *end;
	long long n;
	int rc = algo_store_meta_get(s, key, v, sizeof v);
	if (rc <= 0) return rc;
	n = strtoll(v, &end, 10);
	if (end == v || *end != ':' || strlen(end + 1) != ALGO_AUDIT_HASH_LEN || n < 0) return -1;
	*seq = n;
	memcpy(hash, end + 1, ALGO_AUDIT_HASH_LEN + 1);
	return 1;
}

static int anchor(struct algo_store *s, int64_t *seq, char *hash)
{
	int rc = meta_pair(s, "audit_anchor", seq, hash);
	if (rc == 0) { *seq = 0; memcpy(hash, zero_hash, ALGO_AUDIT_HASH_LEN + 1); }
	return rc < 0 ? -1 : 0;
}

int algo_audit_load_head(struct algo_audit *a, char *err, size_t errlen)
{
	sqlite3_stmt *st = algo_store_prepare(a->s, "SELECT seq, hash FROM audit ORDER BY seq DESC "
		"LIMIT 1", err, errlen);
	int rc;
	if (!st) return -1;
	a->head_dirty = 0;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		a->seq = sqlite3_column_int64(st, 0);
		snprintf(a->head, sizeof a->head, "%s", (const char *)sqlite3_column_text(st, 1));
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE && anchor(a->s, &a->seq, a->head)) {
		snprintf(err, errlen, "%s: unreadable meta 'audit_anchor'", a->s->path);
		return -1;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		snprintf(err, errlen, "%s: %s", a->s->path, sqlite3_errmsg(a->s->db));
		return -1;
	}
	return 0;
}

static void bind_opt(sqlite3_stmt *st, int i, const char *v)
{
	if (v) sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
	else sqlite3_bind_null(st, i);
}

int algo_audit_append(struct algo_audit *a, struct algo_audit_row *row, char *err, size_t errlen)
{
	char hash[ALGO_AUDIT_HASH_LEN + 1];
	sqlite3_stmt *st = a->ins;
	int rc;

	row->seq = a->seq + 1;
	algo_audit_hash(row, a->head, hash);
	sqlite3_bind_int64(st, 1, row->seq);
	sqlite3_bind_text(st, 2, row->user, -1, SQLITE_STATIC);
	bind_opt(st, 3, row->run);
	sqlite3_bind_int64(st, 4, row->ts_ms);
	sqlite3_bind_text(st, 5, row->kind, -1, SQLITE_STATIC);
	bind_opt(st, 6, row->strategy);
	bind_opt(st, 7, row->ref);
	bind_opt(st, 8, row->reason);
	bind_opt(st, 9, row->detail);
	sqlite3_bind_text(st, 10, a->head, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 11, hash, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "%s: audit: %s", a->s->path, sqlite3_errstr(rc));
		return -1;
	}
	if (sqlite3_changes(a->s->db) == 0) return 0;
	a->seq = row->seq;
	memcpy(a->head, hash, sizeof a->head);
	a->head_dirty = 1;
	return 1;
}

int algo_audit_save_head(struct algo_audit *a, char *err, size_t errlen)
{
	char head[ALGO_AUDIT_HASH_LEN + 32];
	int rc;
	if (!a->head_dirty) return 0;
	snprintf(head, sizeof head, "%lld:%s", (long long)a->seq, a->head);
	sqlite3_bind_text(a->head_set, 1, head, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(a->head_set);
	sqlite3_reset(a->head_set);
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "%s: audit: %s", a->s->path, sqlite3_errstr(rc));
		return -1;
	}
	a->head_dirty = 0;
	return 0;
}

static const char *col(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

int algo_audit_verify(struct algo_store *s, int64_t *rows, int64_t *bad_seq, char *msg,
	size_t msglen)
{
	char prev[ALGO_AUDIT_HASH_LEN + 1], hash[ALGO_AUDIT_HASH_LEN + 1], hhash[ALGO_AUDIT_HASH_LEN + 1];
	int64_t expect, hseq = 0, n = 0;
	int rc, hrc, ret = 0;
	sqlite3_stmt *st;

	*rows = 0;
	*bad_seq = 0;
	if (anchor(s, &expect, prev)) {
		snprintf(msg, msglen, "meta 'audit_anchor' is unreadable");
		*bad_seq = 1;
		return 1;
	}
	expect++;
	hrc = meta_pair(s, "audit_head", &hseq, hhash);
	st = algo_store_prepare(s, "SELECT seq, user, run, ts_ms, kind, strategy, ref, reason, "
		"detail, prev_hash, hash FROM audit ORDER BY seq", msg, msglen);
	if (!st) return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct algo_audit_row r = {
			.seq = sqlite3_column_int64(st, 0), .user = col(st, 1), .run = col(st, 2),
			.ts_ms = sqlite3_column_int64(st, 3), .kind = col(st, 4), .strategy = col(st, 5),
			.ref = col(st, 6), .reason = col(st, 7), .detail = col(st, 8),
		};
		const char *ph = col(st, 9), *h = col(st, 10);
		if (!r.user) r.user = "";
		if (!r.kind) r.kind = "";
		if (r.seq != expect) {
			*bad_seq = expect;
			snprintf(msg, msglen, "row %lld: missing (the next row is %lld): rows were deleted",
				(long long)expect, (long long)r.seq);
			ret = 1;
			break;
		}
		if (!ph || strcmp(ph, prev) != 0) {
			*bad_seq = r.seq;
			snprintf(msg, msglen, "row %lld: prev_hash does not match the row before it",
				(long long)r.seq);
			ret = 1;
			break;
		}
		algo_audit_hash(&r, prev, hash);
		if (!h || strcmp(h, hash) != 0) {
			*bad_seq = r.seq;
			snprintf(msg, msglen, "row %lld: contents do not match its hash (edited)",
				(long long)r.seq);
			ret = 1;
			break;
		}
		memcpy(prev, hash, sizeof prev);
		expect++;
		n++;
	}
	if (ret == 0 && rc != SQLITE_DONE) {
		snprintf(msg, msglen, "%s: %s", s->path, sqlite3_errmsg(s->db));
		ret = -1;
	}
	sqlite3_finalize(st);
	if (ret) return ret;
	if (hrc < 0) {
		*bad_seq = expect;
		snprintf(msg, msglen, "meta 'audit_head' is unreadable");
		return 1;
	}
	if (hrc == 1 && (hseq != expect - 1 || (n > 0 && strcmp(hhash, prev) != 0))) {
		*bad_seq = expect;
		snprintf(msg, msglen, "row %lld: missing (the log ends at row %lld but its head "
			"is row %lld): rows were deleted", (long long)expect, (long long)(expect - 1),
			(long long)hseq);
		return 1;
	}
	*rows = n;
	return 0;
}

int algo_audit_prune(struct algo_store *s, const char *user, int64_t before_ms, int64_t now_ms,
	long retention_days, int64_t *removed, char *msg, size_t msglen)
{
	struct algo_audit a;
	int64_t rows, bad, keep = -1, last = 0;
	char anch[ALGO_AUDIT_HASH_LEN + 32], reason[256], day[ALGO_TIME_FMT_MAX];
	sqlite3_stmt *st = NULL;
	int rc;

	*removed = 0;
	if (before_ms > now_ms - (int64_t)retention_days * 86400000) {
		snprintf(msg, msglen, "refusing to remove rows younger than the retention of %ld "
			"days: --before must be at most %ld days ago", retention_days, retention_days);
		return 1;
	}
	if (algo_store_exec(s, "BEGIN IMMEDIATE", msg, msglen)) return -1;
	rc = algo_audit_verify(s, &rows, &bad, msg, msglen);
	if (rc) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		if (rc == 1) {
			char m[512];
			snprintf(m, sizeof m, "%s", msg);
			snprintf(msg, msglen, "the audit chain is broken, not pruning: %s", m);
		}
		return rc;
	}
	if (algo_audit_init(&a, s, msg, msglen)) goto fail;
	st = algo_store_prepare(s, "SELECT min(seq) FROM audit WHERE ts_ms >= ?1", msg, msglen);
	if (!st) goto fail_a;
	sqlite3_bind_int64(st, 1, before_ms);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		keep = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	st = algo_store_prepare(s, keep >= 0 ? "SELECT seq, hash FROM audit WHERE seq < ?1 "
		"ORDER BY seq DESC LIMIT 1" : "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1",
		msg, msglen);
	if (!st) goto fail_a;
	if (keep >= 0) sqlite3_bind_int64(st, 1, keep);
	if (sqlite3_step(st) == SQLITE_ROW) {
		last = sqlite3_column_int64(st, 0);
		snprintf(anch, sizeof anch, "%lld:%s", (long long)last, (const char *)sqlite3_column_text(st, 1));
	}
	sqlite3_finalize(st);
	st = NULL;
	if (last > 0) {
		st = algo_store_prepare(s, "DELETE FROM audit WHERE seq <= ?1", msg, msglen);
		if (!st) goto fail_a;
		sqlite3_bind_int64(st, 1, last);
		if (sqlite3_step(st) != SQLITE_DONE) goto dbfail;
		*removed = sqlite3_changes(s->db);
		sqlite3_finalize(st);
		st = NULL;
		if (algo_store_meta_set(s, "audit_anchor", anch)) goto dbfail;
	}
	if (algo_audit_load_head(&a, msg, msglen)) goto fail_a;
	day[algo_time_fmt(before_ms, ALGO_IST_OFFSET_MIN, day)] = '\0';
	day[10] = '\0';
	snprintf(reason, sizeof reason, "removed %lld rows (seq 1 to %lld of the chain) before %s; "
		"retention %ld days", (long long)*removed, (long long)last, day, retention_days);
	{
		struct algo_audit_row r = { .user = user, .ts_ms = now_ms, .kind = "prune",
			.reason = reason };
		if (algo_audit_append(&a, &r, msg, msglen) < 0 || algo_audit_save_head(&a, msg, msglen))
			goto fail_a;
	}
	algo_audit_free(&a);
	if (algo_store_exec(s, "COMMIT", msg, msglen)) goto fail;
	return 0;
dbfail:
	snprintf(msg, msglen, "%s: %s", s->path, sqlite3_errmsg(s->db));
fail_a:
	sqlite3_finalize(st);
	algo_audit_free(&a);
fail:
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

static int valid_date(const char *d)
{
	return d && strlen(d) == 10 && d[4] == '-' && d[7] == '-' &&
		strspn(d, "0123456789-") == 10 && d[5] <= '1' && d[8] <= '3';
}

int algo_account_change(struct algo_store *s, const char *op, const char *user, const char *email,
	const char *name, const char *plan, const char *expiry, const char *actor, int64_t now_ms,
	char *msg, size_t msglen)
{
	struct algo_audit a;
	sqlite3_stmt *st = NULL;
	char reason[512];
	int rc, exists;

	if (plan && strcmp(plan, "FREE") && strcmp(plan, "BASIC") && strcmp(plan, "PRO")) {
		snprintf(msg, msglen, "plan '%s': must be FREE, BASIC or PRO", plan);
		return 1;
	}
	if (expiry && !valid_date(expiry)) {
		snprintf(msg, msglen, "expiry '%s': must be a date YYYY-MM-DD", expiry);
		return 1;
	}
	if (strcmp(op, "add") == 0 && (!email || !strchr(email, '@') || !name || !*name || !plan)) {
		snprintf(msg, msglen, "users add needs --email (with an @), --name and --plan");
		return 1;
	}
	if (strcmp(op, "set-plan") == 0 && !plan) {
		snprintf(msg, msglen, "users set-plan needs a plan");
		return 1;
	}
	if (algo_store_exec(s, "BEGIN IMMEDIATE", msg, msglen)) return -1;
	if (algo_audit_init(&a, s, msg, msglen)) goto fail;
	st = algo_store_prepare(s, "SELECT 1 FROM accounts WHERE user = ?1", msg, msglen);
	if (!st) goto fail_a;
	sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	exists = rc == SQLITE_ROW;
	sqlite3_finalize(st);
	st = NULL;
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) goto dbfail;
	if (strcmp(op, "add") == 0 ? exists : !exists) {
		snprintf(msg, msglen, exists ? "user '%s' exists already" : "no user '%s'", user);
		algo_audit_free(&a);
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return 1;
	}
	if (strcmp(op, "add") == 0) {
		st = algo_store_prepare(s, "INSERT INTO accounts (user, email, name, plan, expiry, "
			"created_ms, updated_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)", msg, msglen);
		if (!st) goto fail_a;
		sqlite3_bind_text(st, 2, email, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, plan, -1, SQLITE_STATIC);
		snprintf(reason, sizeof reason, "account added: plan %s, expiry %s, email %s",
			plan, expiry ? expiry : "none", email);
	} else if (strcmp(op, "set-plan") == 0) {
		st = algo_store_prepare(s, "UPDATE accounts SET plan = ?4, expiry = coalesce(?5, expiry), "
			"updated_ms = ?6 WHERE user = ?1", msg, msglen);
		if (!st) goto fail_a;
		sqlite3_bind_text(st, 4, plan, -1, SQLITE_STATIC);
		snprintf(reason, sizeof reason, "plan changed to %s%s%s", plan, expiry ? ", expiry " : "",
			expiry ? expiry : "");
	} else if (strcmp(op, "disable") == 0) {
		st = algo_store_prepare(s, "UPDATE accounts SET disabled = 1, updated_ms = ?6 "
			"WHERE user = ?1", msg, msglen);
		if (!st) goto fail_a;
		snprintf(reason, sizeof reason, "account disabled");
	} else {
		snprintf(msg, msglen, "unknown account operation '%s'", op);
		algo_audit_free(&a);
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return 1;
	}
	sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
	if (expiry) sqlite3_bind_text(st, 5, expiry, -1, SQLITE_STATIC);
	else sqlite3_bind_null(st, 5);
	sqlite3_bind_int64(st, 6, now_ms);
	if (sqlite3_step(st) != SQLITE_DONE) goto dbfail;
	sqlite3_finalize(st);
	st = NULL;
	{
		char detail[128];
		struct algo_audit_row r = { .user = user, .ts_ms = now_ms, .kind = "account",
			.reason = reason, .detail = detail };
		snprintf(detail, sizeof detail, "%s by %s", op, actor);
		if (algo_audit_load_head(&a, msg, msglen) || algo_audit_append(&a, &r, msg, msglen) < 0 ||
		    algo_audit_save_head(&a, msg, msglen))
			goto fail_a;
	}
	algo_audit_free(&a);
	if (algo_store_exec(s, "COMMIT", msg, msglen)) goto fail;
	return 0;
dbfail:
	snprintf(msg, msglen, "%s: %s", s->path, sqlite3_errmsg(s->db));
fail_a:
	sqlite3_finalize(st);
	algo_audit_free(&a);
fail:
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}
