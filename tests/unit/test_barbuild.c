/* lib/barbuild: bars from a scripted tick sequence — minute edges, a bar closed by the
 * clock with no tick after it, a gap with no ticks, the day's volume reset, a start in
 * the middle of the day, late ticks, 15m alignment to 09:15 IST. */
#include "barbuild.h"
#include "decimal.h"
#include "tap.h"
#include "timeutil.h"

#include <stdio.h>

static struct algo_candle got[64];
static int gotsym[64], ngot;

static void emit(void *arg, int sym, const struct algo_candle *bar)
{
	if (ngot < 64) {
		gotsym[ngot] = sym;
		got[ngot++] = *bar;
	}
}

/* ms of an IST wall time "YYYY-MM-DDTHH:MM:SS". */
static int64_t T(const char *s)
{
	char buf[40];
	int64_t ms = 0;
	snprintf(buf, sizeof buf, "%s+05:30", s);
	algo_time_parse(buf, strlen(buf), &ms);
	return ms;
}

#define P(x) ((int64_t)((x) * 100) * 100)   /* rupees with two decimals */

static void is_bar(int k, const char *ts, double o, double h, double l, double c, long long v, const char *what)
{
	char t[40];
	if (k >= ngot) {
		ok(0, "%s: no bar %d (only %d)", what, k, ngot);
		return;
	}
	algo_time_fmt(got[k].ts, ALGO_IST_OFFSET_MIN, t);
	is_str(t, ts, "%s: ts", what);
	ok(got[k].o == P(o) && got[k].h == P(h) && got[k].l == P(l) && got[k].c == P(c),
		"%s: ohlc %lld %lld %lld %lld", what, (long long)got[k].o, (long long)got[k].h,
		(long long)got[k].l, (long long)got[k].c);
	is_int(got[k].v, v, "%s: volume", what);
}

static void minute_edges(void)
{
	struct algo_barbuild b;
	ngot = 0;
	algo_barbuild_init(&b, 2, 60);
	b.emit = emit;
	algo_barbuild_tick(&b, 0, T("2024-03-01T09:15:02"), P(100), 1000);
	algo_barbuild_tick(&b, 0, T("2024-03-01T09:15:30"), P(101), 1500);
	algo_barbuild_tick(&b, 0, T("2024-03-01T09:15:59"), P(99.5), 1700);
	is_int(ngot, 0, "no bar before the minute ends");
	algo_barbuild_close(&b, T("2024-03-01T09:15:59") + 999);
	is_int(ngot, 0, "none a millisecond before the boundary");
	algo_barbuild_tick(&b, 0, T("2024-03-01T09:16:00"), P(99), 1800);
	/* the first tick is in the session's first minute: its day volume counts */
	is_bar(0, "2024-03-01T09:15:00+05:30", 100, 101, 99.5, 99.5, 1700, "first minute");
	algo_barbuild_tick(&b, 1, T("2024-03-01T09:16:10"), P(50), 10);
	algo_barbuild_tick(&b, 0, T("2024-03-01T09:16:40"), P(98), 2100);
	algo_barbuild_close(&b, T("2024-03-01T09:17:00"));
	is_int(ngot, 3, "the clock closes both bars at 09:17:00 with no tick after");
	is_bar(1, "2024-03-01T09:16:00+05:30", 99, 99, 98, 98, 400, "second minute");
	is_int(gotsym[2], 1, "the other symbol's bar");
	/* a symbol first seen mid-day: the volume before its first tick is not this bar's */
	is_bar(2, "2024-03-01T09:16:00+05:30", 50, 50, 50, 50, 0, "mid-day start");
	/* a gap: nothing in 09:17 and 09:18; the next bar holds the volume traded since */
	algo_barbuild_close(&b, T("2024-03-01T09:19:00"));
	is_int(ngot, 3, "no bar for minutes without ticks");
	algo_barbuild_tick(&b, 0, T("2024-03-01T09:19:05"), P(97), 2600);
	algo_barbuild_close(&b, T("2024-03-01T09:20:00"));
	is_bar(3, "2024-03-01T09:19:00+05:30", 97, 97, 97, 97, 500, "after the gap");
	/* a late tick stamped in a written minute counts in the next bar */
	algo_barbuild_tick(&b, 0, T("2024-03-01T09:19:50"), P(96), 2650);
	algo_barbuild_close(&b, T("2024-03-01T09:21:00"));
	is_bar(4, "2024-03-01T09:20:00+05:30", 96, 96, 96, 96, 50, "late tick");
	/* the next day: the day volume starts again from the exchange's reset */
	algo_barbuild_tick(&b, 0, T("2024-03-04T09:15:01"), P(95), 300);
	algo_barbuild_tick(&b, 0, T("2024-03-04T09:15:40"), P(96), 700);
	algo_barbuild_tick(&b, 0, T("2024-03-04T09:16:00"), P(96), 900);
	is_bar(5, "2024-03-04T09:15:00+05:30", 95, 96, 95, 96, 700, "day reset");
	/* a reset within a day (the volume went down) counts from zero */
	algo_barbuild_tick(&b, 0, T("2024-03-04T09:17:00"), P(96), 100);
	is_bar(6, "2024-03-04T09:16:00+05:30", 96, 96, 96, 96, 200, "minute before the reset");
	algo_barbuild_close(&b, T("2024-03-04T09:18:00"));
	is_bar(7, "2024-03-04T09:17:00+05:30", 96, 96, 96, 96, 100, "after a volume reset");
	is_int(b.bars, 8, "bars counted");
	algo_barbuild_free(&b);
}

static void alignment(void)
{
	struct algo_barbuild b;
	ngot = 0;
	algo_barbuild_init(&b, 1, 900);
	b.emit = emit;
	algo_barbuild_tick(&b, 0, T("2024-03-01T09:29:59"), P(10), 5);
	algo_barbuild_tick(&b, 0, T("2024-03-01T09:30:00"), P(11), 9);
	is_bar(0, "2024-03-01T09:15:00+05:30", 10, 10, 10, 10, 5, "15m bars start at 09:15");
	algo_barbuild_free(&b);
	algo_barbuild_init(&b, 1, 3600);
	is_int(algo_barbuild_start(&b, T("2024-03-01T10:14:00")), T("2024-03-01T09:15:00"), "1h from 09:15");
	is_int(algo_barbuild_start(&b, T("2024-03-01T10:15:00")), T("2024-03-01T10:15:00"), "1h at 10:15");
	algo_barbuild_free(&b);
	ok(algo_barbuild_init(&b, 1, 7) < 0, "7s bars are refused");
}

/* The timeframes bars can be built of, as `bars --tf` and `--bars` check them. */
static void takes(void)
{
	ok(algo_barbuild_takes(1) && algo_barbuild_takes(15) && algo_barbuild_takes(60), "1s, 15s, 1m");
	ok(algo_barbuild_takes(420) && algo_barbuild_takes(86400), "7m (60 divides it), 1d");
	ok(!algo_barbuild_takes(7) && !algo_barbuild_takes(90), "not 7s (divides no minute), not 90s");
	ok(!algo_barbuild_takes(0) && !algo_barbuild_takes(-60) && !algo_barbuild_takes(86460), "not 0, negative, over a day");
}

int main(void)
{
	minute_edges();
	alignment();
	takes();
	return tap_done();
}
