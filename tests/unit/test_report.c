/* Unit tests of lib/report.c (metrics on a hand-made equity curve) and lib/audit.c
 * (the hash chain). */
#include "audit.h"
#include "ledger.h"
#include "report.h"
#include "store.h"
#include "tap.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void feed(struct algo_ledger *l, const char *line)
{
	struct algo_event ev;
	char err[ALGO_ERR_MAX] = "";
	int rc = algo_event_parse(&ev, line, strlen(line), err, sizeof err);
	if (rc == 0) rc = algo_ledger_event(l, &ev, err, sizeof err);
	ok(rc == 0, "event recorded %s", err);
}

static int near(double a, double b)
{
	return fabs(a - b) <= 1e-9 * (fabs(b) > 1 ? fabs(b) : 1);
}

int main(void)
{
	char dir[] = "/tmp/algo-report-test.XXXXXX", path[256], err[ALGO_ERR_MAX] = "";
	struct algo_store s;
	struct algo_ledger *l;
	struct algo_report r;
	struct algo_report_opts o = { "default", NULL, NULL, INT64_MIN, INT64_MAX };
	int differs;

	if (!mkdtemp(dir)) return 1;
	snprintf(path, sizeof path, "%s/state.db", dir);
	ok(algo_store_open(&s, path, err, sizeof err) == 0, "open %s", err);
	l = algo_ledger_open(&s, "default", 1000 * 10000LL, &differs, err, sizeof err);
	ok(l != NULL, "ledger %s", err);
	/* Day 1: buy 10 @100 (no fees), close 110 -> equity 1100; day 2: close 99 -> 990,
	 * sell 10 @ 99 -> flat at 990; day 3: one bar, flat -> 990. */
	feed(l, "{\"type\":\"bar\",\"ts\":\"2024-03-01T09:15:00+05:30\",\"symbol\":\"X\",\"tf\":\"1m\",\"o\":100,\"h\":100,\"l\":100,\"c\":100,\"v\":1}");
	feed(l, "{\"type\":\"fill\",\"ts\":\"2024-03-01T09:16:00+05:30\",\"id\":\"o1\",\"fill_id\":\"F1\",\"strategy\":\"s\",\"symbol\":\"X\",\"side\":\"buy\",\"qty\":10,\"price\":100}");
	feed(l, "{\"type\":\"bar\",\"ts\":\"2024-03-01T09:16:00+05:30\",\"symbol\":\"X\",\"tf\":\"1m\",\"o\":100,\"h\":110,\"l\":100,\"c\":110,\"v\":1}");
	feed(l, "{\"type\":\"bar\",\"ts\":\"2024-03-04T09:15:00+05:30\",\"symbol\":\"X\",\"tf\":\"1m\",\"o\":99,\"h\":99,\"l\":99,\"c\":99,\"v\":1}");
	feed(l, "{\"type\":\"fill\",\"ts\":\"2024-03-04T09:16:00+05:30\",\"id\":\"o2\",\"fill_id\":\"F2\",\"strategy\":\"s\",\"symbol\":\"X\",\"side\":\"sell\",\"qty\":10,\"price\":99}");
	feed(l, "{\"type\":\"bar\",\"ts\":\"2024-03-05T09:15:00+05:30\",\"symbol\":\"X\",\"tf\":\"1m\",\"o\":99,\"h\":99,\"l\":99,\"c\":99,\"v\":1}");
	ok(algo_ledger_commit(l, err, sizeof err) == 0, "commit %s", err);
	algo_ledger_free(l);

	ok(algo_report_build(&s, &o, &r, err, sizeof err) == 0, "report %s", err);
	is_int(r.ndays, 3, "three trading days");
	is_int(r.days[0].equity, 1100 * 10000LL, "day 1 ends at 1100");
	is_int(r.days[1].equity, 990 * 10000LL, "day 2 ends at 990");
	is_int(r.days[2].pnl, 0, "day 3 flat");
	ok(near(r.total_return, -0.01), "total return -1%%");
	{
		/* returns 0.1, -0.1, 0: mean 0, so Sharpe and Sortino are 0 */
		double sd = sqrt((0.01 + 0.01 + 0) / 2);
		ok(near(r.vol, sd * sqrt(252)), "annual volatility %g", r.vol);
		ok(near(r.sharpe, 0), "sharpe 0");
		ok(near(r.sortino, 0), "sortino 0");
		ok(near(r.cagr, pow(0.99, 252.0 / 3) - 1), "cagr %g", r.cagr);
	}
	ok(near(r.max_dd, -0.1), "max drawdown -10%% (1100 -> 990) %g", r.max_dd);
	is_int(r.dd_days, 3, "peak 03-01, trough 03-04: 3 days");
	is_int(r.dd_recover_ms, -1, "not recovered");
	is_int(r.ntrips, 1, "one trade");
	ok(near(r.win_rate, 0), "no win");
	ok(near(r.profit_factor, 0), "profit factor 0 with losses only");
	ok(isnan(r.payoff), "no payoff ratio without a win");
	is_int(r.bars, 4, "4 bars");
	is_int(r.bars_pos, 2, "2 bars with a position (03-01 09:16, 03-04 09:15)");
	algo_report_free(&r);

	/* one strategy: the curve from the daily snapshots */
	o.strategy = "s";
	ok(algo_report_build(&s, &o, &r, err, sizeof err) == 0, "strategy report %s", err);
	is_int(r.end_equity, 990 * 10000LL, "strategy ends at 990");
	is_int(r.ncurve, 2, "two snapshot days with changes");
	algo_report_free(&r);

	{
		int64_t rows, bad;
		char msg[256], h1[65], h2[65];
		struct algo_audit_row a = { .seq = 1, .user = "u", .ts_ms = 5, .kind = "k" };
		algo_audit_hash(&a, "0", h1);
		a.reason = "";
		algo_audit_hash(&a, "0", h2);
		ok(strlen(h1) == 64 && strcmp(h1, h2) != 0, "NULL and empty hash differently");
		ok(algo_audit_verify(&s, &rows, &bad, msg, sizeof msg) == 0, "chain intact %s", msg);
		is_int(rows, 3, "config and two fills logged");
		algo_store_exec(&s, "DROP TRIGGER audit_append_only; UPDATE audit SET ts_ms = 1 WHERE seq = 2",
			err, sizeof err);
		ok(algo_audit_verify(&s, &rows, &bad, msg, sizeof msg) == 1, "edit detected");
		is_int(bad, 2, "row 2 named");
	}
	algo_store_close(&s);
	unlink(path);
	{
		char p2[300];
		snprintf(p2, sizeof p2, "%s-wal", path); unlink(p2);
		snprintf(p2, sizeof p2, "%s-shm", path); unlink(p2);
	}
	rmdir(dir);
	return tap_done();
}
