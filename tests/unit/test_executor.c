/* Unit tests of lib/executor (the seam) with a venue that answers later, as a broker
 * that is polled does: orders stay NEW until the venue reports them, fills come in
 * pieces with the broker's own ids, cancels are confirmed afterwards. */
#include "tap.h"
#include "cli.h"
#include "executor.h"
#include <stdlib.h>
#include <unistd.h>

/* ---- a broker-like venue: it remembers requests; the test answers them ---------- */

struct broker {
	int placed, cancels, modifies;
	char last_cancel_reason[128];
	struct algo_exec_order *last;      /* the order placed last */
};

static int b_place(void *v, struct algo_executor *ex, struct algo_exec_order *o, int64_t ts,
	char *err, size_t errlen)
{
	struct broker *b = v;
	(void)ex; (void)ts; (void)err; (void)errlen;
	b->placed++;
	b->last = o;
	snprintf(o->venue.ref, sizeof o->venue.ref, "B%d", b->placed);
	return 0;
}

static int b_cancel(void *v, struct algo_executor *ex, struct algo_exec_order *o, int64_t ts,
	const char *reason, char *err, size_t errlen)
{
	struct broker *b = v;
	(void)ex; (void)o; (void)ts; (void)err; (void)errlen;
	b->cancels++;
	snprintf(b->last_cancel_reason, sizeof b->last_cancel_reason, "%s", reason);
	return 0;
}

static const struct algo_exec_venue broker_venue = {
	.name = "broker", .place = b_place, .cancel = b_cancel,
};

/* ---- capturing what the executor writes ---------------------------------------- */

static char outpath[] = "/tmp/test_executor.XXXXXX";
static int outfd;
static char notes[1024];

static void note(void *arg, const char *msg)
{
	(void)arg;
	snprintf(notes, sizeof notes, "%s", msg);
}

/* What was written since the last call. */
static const char *taken(void)
{
	static char buf[16384];
	ssize_t n;
	algo_writer_flush(&algo_stdout);
	n = pread(outfd, buf, sizeof buf - 1, 0);
	buf[n > 0 ? n : 0] = '\0';
	if (ftruncate(outfd, 0) != 0 || lseek(outfd, 0, SEEK_SET) != 0)
		buf[0] = '\0';
	return buf;
}

static int feed(struct algo_executor *ex, const char *line, char *err, size_t errlen)
{
	struct algo_event ev;
	if (algo_event_parse(&ev, line, strlen(line), err, errlen))
		return -1;
	return algo_executor_event(ex, &ev, err, errlen);
}

#define ORDER(id, extra) "{\"type\":\"order\",\"ts\":\"2024-03-01T09:15:00+05:30\",\"id\":\"" id "\"," \
	"\"strategy\":\"s\",\"symbol\":\"NSE:X-EQ\",\"side\":\"buy\",\"qty\":10,\"kind\":\"market\"" extra "}"

static void test_async_life(void)
{
	struct broker b = { 0 };
	struct algo_executor ex;
	struct algo_exec_fill f;
	struct algo_exec_order *o;
	char err[ALGO_ERR_MAX];

	algo_executor_init(&ex, &broker_venue, &b, note, NULL);
	is_int(feed(&ex, ORDER("a1", ""), err, sizeof err), 0, "an order");
	is_str(taken(), ORDER("a1", "") "\n", "passed through; nothing said until the broker answers");
	is_int(b.placed, 1, "placed once");
	o = algo_executor_find(&ex, "default", "a1");
	ok(o && o->state == ALGO_EXEC_NEW, "NEW while the broker has not answered");

	memset(&f, 0, sizeof f);
	f.ts = 1709264760000; f.qty = 4; f.price = 1000000;
	ok(algo_executor_fill(&ex, o, &f, err, sizeof err) == ALGO_EX_FAIL, "a fill before acceptance is refused");
	is_str(err, "order a1: a fill while new", "why");

	is_int(algo_executor_report(&ex, o, ALGO_EXEC_WORKING, 1709264700000, NULL, 0, err, sizeof err), 0, "accepted");
	is_str(taken(), "{\"type\":\"order_update\",\"ts\":\"2024-03-01T09:15:00+05:30\",\"id\":\"a1\","
		"\"status\":\"accepted\",\"broker_id\":\"B1\"}\n", "order_update with the broker's id");
	ok(algo_executor_report(&ex, o, ALGO_EXEC_WORKING, 1709264700000, NULL, 0, err, sizeof err) != 0,
		"accepted twice is refused");

	f.fill_id = "T100";
	is_int(algo_executor_fill(&ex, o, &f, err, sizeof err), 0, "a partial fill with the broker's trade id");
	is_str(taken(), "{\"type\":\"fill\",\"ts\":\"2024-03-01T09:16:00+05:30\",\"id\":\"a1\",\"fill_id\":\"T100\","
		"\"strategy\":\"s\",\"symbol\":\"NSE:X-EQ\",\"side\":\"buy\",\"qty\":4,\"price\":100,"
		"\"fees\":{\"brokerage\":0,\"total\":0},\"remaining\":6,\"user\":\"default\"}\n"
		"{\"type\":\"order_update\",\"ts\":\"2024-03-01T09:16:00+05:30\",\"id\":\"a1\",\"status\":\"partial\","
		"\"broker_id\":\"B1\",\"filled\":4,\"avg_price\":100,\"remaining\":6}\n", "fill and partial");
	f.qty = 7;
	ok(algo_executor_fill(&ex, o, &f, err, sizeof err) != 0, "more than is left is refused");
	f.qty = 6; f.fill_id = NULL; f.price = 1010000;
	is_int(algo_executor_fill(&ex, o, &f, err, sizeof err), 0, "the rest");
	ok(strstr(taken(), "\"fill_id\":\"a1-2\"") != NULL, "without the venue's id: <id>-<n>");
	is_int(o->state, ALGO_EXEC_FILLED, "filled");
	is_int(algo_executor_pos_at(&ex, 0)->p.qty, 10, "position");

	/* the seam frees final orders after the event */
	is_int(algo_executor_idle(&ex, err, sizeof err), 0, "idle");
	ok(!algo_executor_find(&ex, "default", "a1"), "a final order leaves memory");
	is_int(feed(&ex, ORDER("a1", ""), err, sizeof err), 0, "the id again");
	ok(strstr(taken(), "\"status\":\"rejected\",\"reason\":\"duplicate order id\"") != NULL,
		"is a duplicate after the order left memory");
	is_int(b.placed, 1, "and never reaches the broker");
	algo_executor_free(&ex);
}

static void test_legs_and_oco(void)
{
	struct broker b = { 0 };
	struct algo_executor ex;
	struct algo_exec_fill f;
	struct algo_exec_order *e, *sl, *tp;
	char err[ALGO_ERR_MAX];
	const char *out;

	algo_executor_init(&ex, &broker_venue, &b, note, NULL);
	feed(&ex, ORDER("e1", ",\"sl\":95,\"tp\":110"), err, sizeof err);
	e = b.last;
	algo_executor_report(&ex, e, ALGO_EXEC_WORKING, 1709264700000, NULL, 0, err, sizeof err);
	taken();
	memset(&f, 0, sizeof f);
	f.ts = 1709264760000; f.qty = 10; f.price = 1000000;
	is_int(algo_executor_fill(&ex, e, &f, err, sizeof err), 0, "the entry fills");
	is_int(b.placed, 3, "the seam places both legs through the venue");
	sl = algo_executor_find(&ex, "default", "e1SL");
	tp = algo_executor_find(&ex, "default", "e1TP");
	ok(sl && tp && sl->state == ALGO_EXEC_NEW && tp->state == ALGO_EXEC_NEW, "legs NEW until the broker answers");
	ok(sl && sl->in.kind == ALGO_KIND_STOP && sl->in.stop == 950000 && sl->in.side == ALGO_SELL &&
		sl->in.qty == 10, "stop-loss leg: a sell stop at 95 for 10");
	ok(tp && tp->in.kind == ALGO_KIND_LIMIT && tp->in.limit == 1100000, "target leg: a limit at 110");
	algo_executor_report(&ex, sl, ALGO_EXEC_WORKING, 1709264760000, NULL, 0, err, sizeof err);
	algo_executor_report(&ex, tp, ALGO_EXEC_WORKING, 1709264760000, NULL, 0, err, sizeof err);
	out = taken();
	ok(strstr(out, "\"id\":\"e1SL\",\"status\":\"accepted\",\"broker_id\":\"B2\",\"reason\":\"stop-loss leg of e1\"") != NULL,
		"the seam says whose leg it is");
	is_int(algo_executor_fillable(&ex, tp), 10, "a leg may fill the position");

	f.qty = 10; f.price = 1100000; f.ts = 1709264820000;
	is_int(algo_executor_fill(&ex, tp, &f, err, sizeof err), 0, "the target fills");
	is_int(b.cancels, 1, "the seam asks the venue to cancel the stop-loss");
	is_str(b.last_cancel_reason, "one cancels other: e1TP filled", "with the reason");
	ok(sl->state == ALGO_EXEC_WORKING, "the stop-loss works until the venue confirms");
	is_int(algo_executor_fillable(&ex, sl), 0, "but may not fill: the position is closed");
	is_int(algo_executor_report(&ex, sl, ALGO_EXEC_CANCELLED, 1709264820000, "one cancels other: e1TP filled", 0,
		err, sizeof err), 0, "confirmed");
	is_int(algo_executor_working(&ex), 0, "nothing working");
	algo_executor_free(&ex);
}

static void test_input_checks(void)
{
	struct broker b = { 0 };
	struct algo_executor ex;
	char err[ALGO_ERR_MAX];

	algo_executor_init(&ex, &broker_venue, &b, note, NULL);
	is_int(feed(&ex, ORDER("x-1", ""), err, sizeof err), -1, "a bad id");
	is_str(err, "field 'id': must be 1 to 30 letters or digits", "why");
	is_int(feed(&ex, ORDER("x2", ",\"sl\":110,\"tp\":95"), err, sizeof err), -1, "sl above tp on a buy");
	is_str(err, "field 'sl': must be below 'tp' for a buy", "why");
	is_int(feed(&ex, ORDER("x3", ",\"reduce_only\":1"), err, sizeof err), -1, "reduce_only not a boolean");
	taken();
	is_int(feed(&ex, "{\"type\":\"modify\",\"ts\":\"2024-03-01T09:15:00+05:30\",\"id\":\"zz\",\"qty\":3}", err,
		sizeof err), 0, "a modify of an unknown id");
	is_str(notes, "modify zz: no working order with that id", "is a note");
	feed(&ex, ORDER("m1", ""), err, sizeof err);
	algo_executor_report(&ex, b.last, ALGO_EXEC_WORKING, 1709264700000, NULL, 0, err, sizeof err);
	is_int(feed(&ex, "{\"type\":\"modify\",\"ts\":\"2024-03-01T09:15:00+05:30\",\"id\":\"m1\",\"qty\":3}", err,
		sizeof err), 0, "a venue without modify");
	is_str(notes, "modify m1: the broker venue does not modify orders; order unchanged", "says so");
	is_int(feed(&ex, "{\"type\":\"cancel\",\"ts\":\"2024-03-01T09:15:00+05:30\",\"id\":\"m1\"}", err, sizeof err),
		0, "a cancel");
	is_str(b.last_cancel_reason, "cancelled by request", "goes to the venue");
	is_int(feed(&ex, "{\"type\":\"order\",\"ts\":\"2024-03-01T09:14:00+05:30\",\"id\":\"m2\",\"strategy\":\"s\","
		"\"symbol\":\"NSE:X-EQ\",\"side\":\"buy\",\"qty\":1,\"kind\":\"market\"}", err, sizeof err), -1,
		"an order earlier than the last of its symbol");
	algo_executor_free(&ex);
}

/* A broker executor saves the intent (NEW) before it sends and is killed before it
 * finishes the line: the next run restores the order and reads the line again. */
static void test_restored_intent(void)
{
	char dbpath[] = "/tmp/test_executor_db.XXXXXX", err[ALGO_ERR_MAX];
	struct broker b = { 0 };
	struct algo_executor ex;
	struct algo_store st;
	struct algo_exec_order *o;
	int fd = mkstemp(dbpath);
	const char *out;

	close(fd);
	unlink(dbpath);
	is_int(algo_store_open(&st, dbpath, err, sizeof err), 0, "state database");
	algo_executor_init(&ex, &broker_venue, &b, note, NULL);
	is_int(algo_executor_open(&ex, &st, "algo-exec-broker/default", err, sizeof err), 0, "fresh state");
	feed(&ex, ORDER("i1", ""), err, sizeof err);
	algo_store_begin(&st, err, sizeof err);
	is_int(algo_executor_save(&ex, &st, err, sizeof err), 0, "intent saved");
	algo_store_commit(&st, err, sizeof err);
	algo_executor_free(&ex);
	taken();

	memset(&b, 0, sizeof b);
	algo_executor_init(&ex, &broker_venue, &b, note, NULL);
	is_int(algo_executor_open(&ex, &st, "algo-exec-broker/default", err, sizeof err), 0, "restored");
	o = algo_executor_find(&ex, "default", "i1");
	ok(o && o->state == ALGO_EXEC_NEW && o->restored && strcmp(o->venue.ref, "B1") == 0,
		"the intent is back, NEW, with the broker's id");
	is_int(feed(&ex, ORDER("i1", ""), err, sizeof err), 0, "the same line again");
	out = taken();
	ok(!strstr(out, "duplicate") && b.placed == 0, "is passed through only: not sent, not a duplicate");
	is_int(feed(&ex, ORDER("i1", ",\"limit\":5"), err, sizeof err), 0, "another line with the id");
	ok(strstr(taken(), "\"reason\":\"duplicate order id\"") != NULL, "is a duplicate");
	algo_executor_free(&ex);
	algo_store_close(&st);
	unlink(dbpath);
}

int main(void)
{
	algo_cli_init("test_executor");
	if ((outfd = mkstemp(outpath)) < 0)
		return 1;
	unlink(outpath);
	algo_writer_init(&algo_stdout, outfd);
	test_async_life();
	test_legs_and_oco();
	test_input_checks();
	test_restored_intent();
	return tap_done();
}
