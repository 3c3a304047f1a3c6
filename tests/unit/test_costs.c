/* Unit tests of lib/costs: table loading, periods, segments, lots, one fill's charges. */
#include "costs.h"
#include "decimal.h"
#include "fillsim.h"
#include "tap.h"
#include "timeutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define D(x) ((int64_t)((x) * 10000 + ((x) < 0 ? -0.5 : 0.5)))

static const char *table_path(void)
{
	static char p[4096];
	const char *root = getenv("ALGO_ROOT");
	snprintf(p, sizeof p, "%s/share/costs/india.json", root ? root : ".");
	return p;
}

static void test_segments(void)
{
	is_int(algo_costs_segment("NSE:SBIN-EQ", "intraday"), ALGO_SEG_EQ_INTRADAY, "equity intraday");
	is_int(algo_costs_segment("NSE:SBIN-EQ", "delivery"), ALGO_SEG_EQ_DELIVERY, "equity delivery");
	is_int(algo_costs_segment("NSE:SBIN-EQ", "margin"), ALGO_SEG_EQ_DELIVERY, "equity margin = delivery");
	is_int(algo_costs_segment("NSE:NIFTY24MARFUT", "intraday"), ALGO_SEG_FUT, "futures");
	is_int(algo_costs_segment("NSE:NIFTY2430722000CE", "delivery"), ALGO_SEG_OPT, "weekly option");
	is_int(algo_costs_segment("NSE:BANKNIFTY24MAR47000PE", NULL), ALGO_SEG_OPT, "put");
	is_int(algo_costs_segment("NSE:RELIANCE", "intraday"), ALGO_SEG_EQ_INTRADAY, "no suffix: equity");
	is_int(algo_costs_segment("NSE:ACE-EQ", "intraday"), ALGO_SEG_EQ_INTRADAY, "-EQ is not CE");
}

static void test_table(void)
{
	struct algo_costs c;
	char err[512];
	const struct algo_costs_period *p;
	struct algo_fees f;

	is_int(algo_costs_load(&c, table_path(), err, sizeof err), 0, "load india.json");
	if (c.np == 0) { printf("# %s\n", err); return; }
	is_int(c.np, 3, "three periods");
	p = algo_costs_period(&c, algo_days_from_civil(2024, 9, 30));
	ok(p == &c.p[0], "2024-09-30 in the first period");
	p = algo_costs_period(&c, algo_days_from_civil(2024, 10, 1));
	ok(p == &c.p[1], "2024-10-01 in the second");
	ok(algo_costs_period(&c, algo_days_from_civil(2026, 3, 31)) == &c.p[1], "2026-03-31 in the second");
	ok(algo_costs_period(&c, algo_days_from_civil(2026, 4, 1)) == &c.p[2], "2026-04-01 in the third");
	ok(algo_costs_period(&c, algo_days_from_civil(1999, 1, 1)) == NULL, "1999: none");
	is_int(c.p[0].seg[ALGO_SEG_EQ_INTRADAY].exchange, 29700, "0.00297 pct = 29,700 per 10^9");
	is_int(c.p[0].seg[ALGO_SEG_EQ_INTRADAY].sebi, 1000, "10 per crore = 1,000 per 10^9");
	is_int(algo_costs_lot_size(&c, "NSE:NIFTY24MARFUT"), 75, "NIFTY lot");
	is_int(algo_costs_lot_size(&c, "NSE:BANKNIFTY24MAR47000PE"), 35, "BANKNIFTY lot");
	is_int(algo_costs_lot_size(&c, "NSE:SBIN24MARFUT"), 0, "unknown lot");

	/* The worked example, sell 100 @ 505 intraday. */
	p = &c.p[2];
	is_int(algo_costs_fill(&p->seg[ALGO_SEG_EQ_INTRADAY], -1, D(505), 100, 0, 0, &f, err, sizeof err), 0, "sell");
	is_int(f.brokerage, D(15.15), "brokerage");
	is_int(f.stt, D(12.63), "stt 12.625 -> 12.63");
	is_int(f.exchange, D(1.50), "exchange 1.49985 -> 1.50");
	is_int(f.gst, D(3.02), "gst");
	is_int(f.total, D(32.40), "total");
	/* Brokerage once per order: 15.00 on 50,000 of which 25,000 was charged 7.50. */
	is_int(algo_costs_fill(&p->seg[ALGO_SEG_EQ_INTRADAY], 1, D(500), 50, D(25000), 0, &f, err, sizeof err), 0, "second fill");
	is_int(f.brokerage, D(7.50), "incremental brokerage");
	/* Options: flat brokerage only on the order's first fill. */
	is_int(algo_costs_fill(&p->seg[ALGO_SEG_OPT], 1, D(120), 75, D(100), 0, &f, err, sizeof err), 0, "option later fill");
	is_int(f.brokerage, 0, "flat brokerage charged once");
	/* Delivery sells with dp. */
	is_int(algo_costs_fill(&p->seg[ALGO_SEG_EQ_DELIVERY], -1, D(1000), 10, 0, 1, &f, err, sizeof err), 0, "dp");
	is_int(f.dp, D(15.5), "dp charged");
	/* Bad arguments and overflow. */
	is_int(algo_costs_fill(&p->seg[0], 1, 0, 1, 0, 0, &f, err, sizeof err), -1, "price 0");
	is_int(algo_costs_fill(&p->seg[0], 2, 1, 1, 0, 0, &f, err, sizeof err), -1, "bad side");
	is_int(algo_costs_fill(&p->seg[0], 1, INT64_MAX / 2, 3, 0, 0, &f, err, sizeof err), -1, "overflow");
	algo_costs_free(&c);
	is_int(algo_costs_load(&c, "/nonexistent/x.json", err, sizeof err), -1, "missing file");
	is_str(err, "/nonexistent/x.json: No such file or directory", "message");
}

static void test_leg_ids(void)
{
	char out[ALGO_EXEC_ID_MAX];
	algo_exec_leg_id("emacross2403010001", "SL", out);
	is_str(out, "emacross2403010001SL", "short id + SL");
	algo_exec_leg_id("abcdefghijklmnopqrstuvwxyz0123", "TP", out);
	is_int(strlen(out), 30, "long id shortened to 30");
	ok(strncmp(out, "abcdefghijklmnopqrst", 20) == 0 && strcmp(out + 28, "TP") == 0, "prefix and suffix kept: %s", out);
}

int main(void)
{
	test_segments();
	test_table();
	test_leg_ids();
	return tap_done();
}
