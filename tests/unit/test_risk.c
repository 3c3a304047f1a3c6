/* Unit tests of algo-risk's engine across restarts: the snapshot gives back the same
 * engine, the fills channel's cursor and epochs, orders final and acknowledged leave
 * memory, and the engine's own state writes count as written before they are saved. */
#include "tap.h"
#include "pack.h"
#include "risk.h"
#include "store.h"
#include "timeutil.h"
#include <stdlib.h>
#include <unistd.h>

#define T0 1709264700000LL   /* 2024-03-01T09:15:00+05:30 */

static struct algo_risk_config config(const char *json)
{
	struct algo_risk_config c;
	char path[] = "/tmp/test_risk.XXXXXX", err[512];
	int fd = mkstemp(path);
	if (fd < 0 || write(fd, json, strlen(json)) < 0)
		abort();
	close(fd);
	if (algo_risk_config_load(&c, path, err, sizeof err))
		printf("# %s\n", err);
	unlink(path);
	return c;
}

static int signal(struct algo_risk *r, int64_t ts, const char *strategy, int entry, int side,
	int64_t qty, struct algo_risk_verdict *v)
{
	char err[512];
	struct algo_risk_signal s = { .user = "u", .strategy = strategy, .symbol = "NSE:A-EQ", .ts = ts,
		.req = { entry ? ALGO_RISK_ENTRY : ALGO_RISK_EXIT, side, qty }, .price = 1000000 };
	int rc = algo_risk_decide(r, &s, v, err, sizeof err);
	if (rc < 0)
		printf("# %s\n", err);
	return rc;
}

static int chan(struct algo_risk *r, const char *line)
{
	char err[512];
	int rc = algo_risk_channel(r, line, strlen(line), err, sizeof err);
	if (rc)
		printf("# %s\n", err);
	return rc;
}

static void fill(struct algo_risk *r, const char *id, int64_t n, const char *side, int64_t seq)
{
	char line[512];
	snprintf(line, sizeof line, "{\"type\":\"fill\",\"ts\":\"2024-03-01T09:16:00+05:30\",\"id\":\"%s\","
		"\"n\":%lld,\"seq\":%lld,\"user\":\"u\",\"strategy\":\"s\",\"symbol\":\"NSE:A-EQ\",\"side\":\"%s\","
		"\"qty\":1,\"price\":100,\"fee\":1}", id, (long long)n, (long long)seq, side);
	chan(r, line);
}

static void final(struct algo_risk *r, const char *id, int64_t seq)
{
	char line[512];
	snprintf(line, sizeof line, "{\"type\":\"final\",\"ts\":\"2024-03-01T09:16:00+05:30\",\"id\":\"%s\","
		"\"seq\":%lld,\"user\":\"u\",\"status\":\"filled\",\"filled\":1}", id, (long long)seq);
	chan(r, line);
}

static void ack(struct algo_risk *r, const char *epoch, int64_t seq, const char *positions)
{
	char line[512];
	snprintf(line, sizeof line, "{\"type\":\"ack\",\"id\":1,\"ts\":\"2024-03-01T09:16:00+05:30\","
		"%s%s%s\"seq\":%lld,\"square_off\":-1,\"open\":0,\"slip_bps\":0,\"slip_abs\":0,\"fee_bps\":100,"
		"\"working\":[],\"positions\":%s}", epoch ? "\"epoch\":\"" : "", epoch ? epoch : "",
		epoch ? "\"," : "", (long long)seq, positions);
	chan(r, line);
}

static struct algo_pack packed(const struct algo_risk *r)
{
	struct algo_pack p;
	algo_pack_init(&p);
	algo_risk_pack(r, &p);
	return p;
}

static int64_t position(struct algo_risk *r, const char *strategy)
{
	struct algo_position *p = algo_book_get(&r->book, "u", strategy, "NSE:A-EQ", 0);
	return p ? p->qty : 0;
}

static void test_snapshot(void)
{
	struct algo_risk_config c = config("{\"max_trades_per_day\":5,\"max_daily_loss\":1000}");
	struct algo_risk a, b;
	struct algo_risk_verdict v, w;
	struct algo_pack p, q;
	struct algo_unpack u;
	char err[512];
	algo_risk_init(&a, &c);
	a.barrier = 1;
	a.fwd_ts = INT64_MAX;
	ack(&a, "E1", 0, "[]");
	signal(&a, T0, "s", 1, ALGO_BUY, 3, &v);
	ok(v.ok, "entry approved");
	fill(&a, v.id, 1, "buy", 1);
	ack(&a, "E1", 1, "[]");
	algo_risk_mark(&a, "NSE:A-EQ", 950000, 940000, 960000, err, sizeof err);
	signal(&a, T0 + 60000, "s", 0, ALGO_SELL, 3, &v);
	signal(&a, T0 + 120000, "t", 1, ALGO_BUY, 1, &v);
	p = packed(&a);
	ok(!p.oom && p.len > 0, "packed (%zu bytes)", p.len);

	c = config("{\"max_trades_per_day\":5,\"max_daily_loss\":1000}");
	algo_risk_init(&b, &c);
	b.barrier = 1;
	b.fwd_ts = INT64_MAX;
	algo_unpack_init(&u, p.buf, p.len);
	is_int(algo_risk_unpack(&b, &u), 0, "unpacked");
	ok(algo_unpack_done(&u), "every byte read");
	q = packed(&b);
	ok(q.len == p.len && memcmp(q.buf, p.buf, p.len) == 0, "packing the restored engine gives the same bytes");
	is_str(b.epoch, "E1", "the executor's epoch");
	is_int(b.seq_applied, 1, "the cursor");
	is_int(position(&b, "t"), 1, "the exposure book");
	is_int(algo_risk_day_pnl(&b, "u", "s", algo_time_ist_day(T0)), algo_risk_day_pnl(&a, "u", "s",
		algo_time_ist_day(T0)), "the day PnL");
	/* the next decision is the same on both */
	signal(&a, T0 + 180000, "t", 0, ALGO_SELL, 1, &v);
	signal(&b, T0 + 180000, "t", 0, ALGO_SELL, 1, &w);
	ok(v.ok && w.ok, "exit approved on both");
	is_str(w.id, v.id, "same order id");
	/* damage is refused, not misread */
	algo_unpack_init(&u, p.buf, p.len / 2);
	algo_risk_free(&b);
	c = config("{}");
	algo_risk_init(&b, &c);
	ok(algo_risk_unpack(&b, &u) < 0, "half a snapshot is refused");
	algo_pack_free(&p);
	algo_pack_free(&q);
	algo_risk_free(&a);
	algo_risk_free(&b);
}

static void test_cursor(void)
{
	struct algo_risk_config c = config("{}");
	struct algo_risk r;
	struct algo_risk_verdict v;
	algo_risk_init(&r, &c);
	r.barrier = 1;
	r.fwd_ts = INT64_MAX;
	snprintf(r.epoch, sizeof r.epoch, "E1");
	r.seq_applied = 4;
	signal(&r, T0, "s", 1, ALGO_BUY, 1, &v);
	/* the first ack of a run from the same executor state: records after the cursor */
	fill(&r, "x1", 1, "buy", 3);           /* applied before the restart: skipped */
	fill(&r, v.id, 1, "buy", 5);
	ack(&r, "E1", 5, "[]");
	is_int(r.seq_applied, 5, "cursor moves to the last record");
	is_int(position(&r, "s"), 1, "exposure: the own order, not the skipped fill of x1");
	is_int(algo_book_get(&r.book, "u", "s", "NSE:A-EQ", 0)->qty, 1, "no adoption for the same epoch");
	fill(&r, v.id, 1, "buy", 5);           /* sent again */
	ack(&r, "E1", 5, "[]");
	is_int(r.waits, 2, "two acks");
	/* an executor ahead of this run (restarted from a later save): its records about
	 * events not forwarded yet wait, and the cursor stays before them */
	r.fwd_ts = T0;
	fill(&r, v.id, 2, "buy", 6);           /* 09:16, not forwarded yet */
	ack(&r, "E1", 6, "[]");
	is_int(r.seq_applied, 5, "a record about a later event is not applied yet");
	is_int(position(&r, "s"), 1, "nor counted");
	r.fwd_ts = T0 + 60000;
	fill(&r, v.id, 2, "buy", 6);           /* sent again, after the cursor */
	ack(&r, "E1", 6, "[]");
	is_int(r.seq_applied, 6, "applied once the run has got there");

	/* another executor (a fresh one): its positions are adopted, its records not applied */
	algo_risk_free(&r);
	c = config("{}");
	algo_risk_init(&r, &c);
	r.barrier = 1;
	r.fwd_ts = INT64_MAX;
	snprintf(r.epoch, sizeof r.epoch, "E1");
	signal(&r, T0, "s", 1, ALGO_BUY, 2, &v);
	fill(&r, "zz", 1, "sell", 9);
	ack(&r, "E2", 9, "[[\"u\",\"s\",\"NSE:A-EQ\",5]]");
	is_str(r.epoch, "E2", "follows the new epoch");
	is_int(r.seq_applied, 9, "from its last record on");
	is_int(position(&r, "s"), 5, "its position adopted");
	/* and without an epoch (an executor that keeps none) the same, at the first ack only */
	algo_risk_free(&r);
	c = config("{}");
	algo_risk_init(&r, &c);
	r.barrier = 1;
	r.fwd_ts = INT64_MAX;
	fill(&r, "zz", 1, "sell", 0);
	ack(&r, NULL, 0, "[]");
	is_int(position(&r, "s"), 0, "records of the first ack not applied");
	fill(&r, "zz", 1, "sell", 0);
	ack(&r, NULL, 0, "[]");
	is_int(position(&r, "s"), -1, "later ones are");
	algo_risk_free(&r);
}

static void test_bounded(void)
{
	struct algo_risk_config c = config("{\"max_orders_per_second\":100}");
	struct algo_risk r;
	struct algo_risk_verdict v;
	size_t most = 0;
	algo_risk_init(&r, &c);
	r.barrier = 1;
	r.fwd_ts = INT64_MAX;
	ack(&r, "E", 0, "[]");
	for (int i = 0; i < 20000; i++) {
		int64_t ts = T0 + (int64_t)(i / 9000) * ALGO_MS_PER_DAY + (i % 9000) * 1000;
		signal(&r, ts, "s", i % 2 == 0, i % 2 == 0 ? ALGO_BUY : ALGO_SELL, 1, &v);
		if (!v.ok)
			continue;
		fill(&r, v.id, 1, i % 2 == 0 ? "buy" : "sell", 2 * i + 1);
		final(&r, v.id, 2 * i + 2);
		if (i % 10 == 9)
			ack(&r, "E", 2 * i + 2, "[]");
		if (algo_book_tab_count(&r.pend) > most)
			most = algo_book_tab_count(&r.pend);
	}
	ok(most < 200, "pending orders stay few (at most %zu) over 20,000 orders", most);
	ok(algo_book_tab_count(&r.nfill) < 200, "so do the fill counts (%zu)", algo_book_tab_count(&r.nfill));
	is_int(position(&r, "s"), 0, "the book is right");
	algo_risk_free(&r);
}

static void test_own_writes(void)
{
	struct algo_risk_config c = config("{\"reset_kill_daily\":true}");
	struct algo_store s, other;
	struct algo_risk r;
	struct algo_risk_state ns = { .scope = ALGO_RISK_SCOPE_STRATEGY, .key = "s",
		.state = ALGO_RISK_REDUCING, .reason = "limit" };
	char path[] = "/tmp/test_risk_db.XXXXXX", err[512];
	int fd = mkstemp(path);
	close(fd);
	unlink(path);
	ok(algo_store_open(&s, path, err, sizeof err) == 0 && algo_store_open(&other, path, err, sizeof err) == 0,
		"two connections");
	algo_risk_init(&r, &c);
	is_int(algo_risk_attach(&r, &s, err, sizeof err), 0, "attached");
	is_int(algo_risk_trip(&r, &ns, "u", T0, err, sizeof err), 0, "a trip");
	is_int(r.nown, 1, "queued, not written");
	/* someone else writes: the poll reloads, and the trip still counts */
	algo_store_exec(&other, "INSERT INTO plans (plan, live) VALUES ('X', 0)", err, sizeof err);
	is_int(algo_risk_poll(&r, err, sizeof err), 0, "no change seen");
	is_int(algo_risk_state_of(&r, "u", "s", NULL, 0), ALGO_RISK_REDUCING, "still reducing");
	algo_store_begin(&s, err, sizeof err);
	is_int(algo_risk_save_records(&r, err, sizeof err), 0, "saved");
	algo_store_commit(&s, err, sizeof err);
	is_int(r.nown, 0, "nothing queued");
	/* the next day resets it; a resume from outside meanwhile wins over the reset */
	is_int(algo_risk_new_event(&r, T0 + ALGO_MS_PER_DAY, err, sizeof err), 1, "reset on the next day");
	is_int(algo_risk_state_of(&r, "u", "s", NULL, 0), ALGO_RISK_ACTIVE, "active");
	algo_risk_set_state(&other, ALGO_RISK_SCOPE_STRATEGY, "s", ALGO_RISK_HALTED, "manual", "ops",
		T0 + ALGO_MS_PER_DAY + 1, err, sizeof err);
	is_int(algo_risk_poll(&r, err, sizeof err), 1, "the outside halt is a change");
	is_int(r.changes[0].state, ALGO_RISK_HALTED, "to halted");
	algo_store_begin(&s, err, sizeof err);
	algo_risk_save_records(&r, err, sizeof err);
	algo_store_commit(&s, err, sizeof err);
	{
		sqlite3_stmt *q = algo_store_prepare(&s, "SELECT state FROM risk_state WHERE key = 's'", err, sizeof err);
		ok(q && sqlite3_step(q) == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(q, 0), "halted") == 0,
			"the reset did not undo the halt set after it");
		sqlite3_finalize(q);
	}
	algo_risk_free(&r);
	algo_store_close(&s);
	algo_store_close(&other);
	unlink(path);
	snprintf(err, sizeof err, "%s-wal", path);
	unlink(err);
	snprintf(err, sizeof err, "%s-shm", path);
	unlink(err);
}

int main(void)
{
	test_snapshot();
	test_cursor();
	test_bounded();
	test_own_writes();
	return tap_done();
}
