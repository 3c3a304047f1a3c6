/* Unit tests for lib/walkforward: specs and their errors, windows in sessions, weeks
 * and months (month ends clamped), windows without sessions left out, and the exact
 * stitching of out-of-sample days onto one capital. */
#include "walkforward.h"
#include "tap.h"
#include "timeutil.h"
#include <math.h>
#include <stdlib.h>

static int64_t day(int y, unsigned m, unsigned d) { return algo_days_from_civil(y, m, d); }

static const char *spec_text(const char *in)
{
	static char out[300];
	struct algo_wf_spec sp;
	char err[256];
	if (algo_wf_parse(in, &sp, err, sizeof err) < 0) snprintf(out, sizeof out, "ERR");
	else algo_wf_fmt(&sp, out, sizeof out);
	return out;
}

/* The windows of spec over days, as "is_from>oos_from>oos_to|…" in days from days[0]. */
static const char *windows(const char *spec, const int64_t *days, size_t n)
{
	static char out[1024];
	struct algo_wf_spec sp;
	struct algo_wf_window *w;
	char err[256];
	size_t k = 0;
	long nw;
	algo_wf_parse(spec, &sp, err, sizeof err);
	if ((nw = algo_wf_windows(days, n, &sp, &w, err, sizeof err)) < 0) return "ERR";
	out[0] = '\0';
	for (long i = 0; i < nw && k < sizeof out; i++)
		k += (size_t)snprintf(out + k, sizeof out - k, "%s%lld>%lld>%lld:%zu/%zu", i ? "|" : "",
			(long long)(w[i].is_from - days[0]), (long long)(w[i].oos_from - days[0]),
			(long long)(w[i].oos_to - days[0]), w[i].is_days, w[i].oos_days);
	free(w);
	return out;
}

static char report[3][400];

static void result(struct algo_wf_result *r, const char *is_json, const char *oos_json)
{
	char names[1][ALGO_PARAM_NAME_MAX + 1] = { "k" }, err[256];
	double v = 1;
	algo_sweep_init(&r->is, 1, names);
	algo_sweep_add(&r->is, 1, &v, is_json, strlen(is_json), err, sizeof err);
	algo_sweep_finish(&r->is, ALGO_M_SHARPE);
	algo_sweep_init(&r->oos, 1, names);
	algo_sweep_add(&r->oos, 1, &v, oos_json, strlen(oos_json), err, sizeof err);
}

int main(void)
{
	int64_t five[10], cal[200];
	size_t ncal = 0;

	is_str(spec_text("6M:1M"), "6M:1M", "months");
	is_str(spec_text("3D:1D"), "3D:1D", "sessions");
	is_str(spec_text("10W:2D"), "10W:2D", "mixed units");
	is_str(spec_text("6M"), "ERR", "no OUT");
	is_str(spec_text("0D:1D"), "ERR", "zero length");
	is_str(spec_text("1m:1m"), "ERR", "lower-case units");
	is_str(spec_text("1D:1D:1D"), "ERR", "three parts");
	is_str(spec_text("100001D:1D"), "ERR", "too long");
	is_str(spec_text(" 1D:1D"), "ERR", "blank");

	/* ten weekday sessions from Monday 2024-01-01 */
	for (int i = 0, d = 0; i < 10; d++)
		if ((d % 7) < 5) five[i++] = day(2024, 1, 1) + d;
	is_str(windows("3D:2D", five, 10), "0>3>7:3/2|2>7>9:3/2|4>9>11:3/2|8>11>12:3/1",
		"3D:2D rolls by two sessions; the last window is cut at the data's end");
	is_str(windows("9D:1D", five, 10), "0>11>12:9/1", "one window when only one session is left");
	is_str(windows("10D:1D", five, 10), "ERR", "no session after the in-sample window");
	is_str(windows("1W:1W", five, 10), "0>7>12:5/5", "weeks are 7 calendar days");

	/* every day from 2024-01-31 to 2024-05-31 is a session */
	for (int64_t d = day(2024, 1, 31); d <= day(2024, 5, 31); d++) cal[ncal++] = d;
	{
		struct algo_wf_spec sp;
		struct algo_wf_window *w;
		char err[256];
		long n;
		algo_wf_parse("1M:1M", &sp, err, sizeof err);
		n = algo_wf_windows(cal, ncal, &sp, &w, err, sizeof err);
		is_int(n, 4, "1M:1M over four months: four windows");
		is_int(w[0].oos_from, day(2024, 2, 29), "31 January + 1 month is 29 February (leap year)");
		is_int(w[1].oos_from, day(2024, 3, 29), "then 29 March: months count from the first boundary's day");
		is_int(w[3].oos_to, day(2024, 6, 1), "the last window ends after the last session");
		is_int(w[1].is_from, day(2024, 2, 29), "in-sample: the month before");
		is_int(w[1].is_last, day(2024, 3, 28), "its last session");
		free(w);
	}
	/* a window whose out-of-sample part has no session is left out */
	{
		int64_t gap[] = { day(2024, 1, 1), day(2024, 1, 2), day(2024, 1, 3), day(2024, 1, 20), day(2024, 1, 21) };
		is_str(windows("2D:1W", gap, 5), "0>2>9:2/1|1>16>21:2/2",
			"1W windows: the empty week of 10-16 January is left out; in-sample is 2 sessions back");
	}

	/* stitching: two windows of two days each, pnl exact */
	{
		struct algo_wf_result res[2];
		struct algo_wf_total t;
		char err[256];
		snprintf(report[0], sizeof report[0], "{\"trades\":1,\"sharpe\":1,\"start_equity\":100000,\"daily\":["
			"{\"day\":\"2024-01-01\",\"equity\":100010,\"pnl\":10},{\"day\":\"2024-01-02\",\"equity\":100030,\"pnl\":20}]}");
		snprintf(report[1], sizeof report[1], "{\"trades\":1,\"start_equity\":100000,\"daily\":["
			"{\"day\":\"2024-01-03\",\"equity\":100000.1,\"pnl\":0.1},{\"day\":\"2024-01-04\",\"equity\":99999.8,\"pnl\":-0.3}]}");
		snprintf(report[2], sizeof report[2], "{\"trades\":1,\"sharpe\":2,\"start_equity\":100000,\"daily\":["
			"{\"day\":\"2023-12-28\",\"equity\":100100,\"pnl\":100},{\"day\":\"2023-12-29\",\"equity\":100000,\"pnl\":-100}]}");
		result(&res[0], report[2], report[0]);
		result(&res[1], report[2], report[1]);
		ok(algo_wf_stitch(res, 2, &t, err, sizeof err) == 0, "stitch");
		is_int(t.ndays, 4, "four stitched days");
		is_int(t.capital, 100000 * 10000LL, "the capital of the first report");
		is_int(t.days[2].equity, 1000301000LL, "100030 + 0.1, exact");
		is_int(t.days[3].equity, 1000298000LL, "then - 0.3");
		is_int(t.net_pnl, 298000, "net 29.8");
		is_int(t.days[2].window, 2, "the third day is window 2's");
		ok(fabs(t.days[1].ret - 20.0 / 100010) < 1e-15, "a day's return is on the previous stitched equity");
		ok(fabs(t.max_dd_pct - 100.0 * 0.3 / 100030.1) < 1e-12, "the drawdown of the stitched curve");
		is_int(t.is.n, 4, "in-sample returns pooled over the windows");
		algo_wf_total_free(&t);
		algo_sweep_free(&res[0].is);
		algo_sweep_free(&res[0].oos);
		algo_sweep_free(&res[1].is);
		algo_sweep_free(&res[1].oos);
	}
	return tap_done();
}
