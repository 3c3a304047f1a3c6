/* Unit tests for lib/timeutil: RFC 3339, IST days, HH:MM, timeframes. */
#include "timeutil.h"
#include "tap.h"
#include <stdio.h>
#include <string.h>
#include <time.h>

static int64_t T(const char *s)
{
	int64_t ms;
	if (algo_time_parse(s, strlen(s), &ms)) return -1;
	return ms;
}

int main(void)
{
	char b[ALGO_TIME_FMT_MAX], d[11], y[7];
	is_int(T(""), -1, "empty time refused (before anything was parsed)");
	int64_t t = T("2024-03-01T09:15:00+05:30");
	is_int(t, 1709264700000LL, "parse IST");
	is_int(T("2024-03-01T03:45:00Z"), t, "Z equals IST");
	is_int(T("2024-03-01 03:45:00z"), t, "space separator");
	is_int(T("2024-03-01T09:15:01.250+05:30"), t + 1250, "milliseconds");
	is_int(T("2024-03-01T09:15:00"), -1, "offset required");
	is_int(T("2024-02-30T09:15:00+05:30"), -1, "Feb 30 rejected");
	is_int(T("2024-02-29T09:15:00+05:30") > 0, 1, "leap day");
	is_int(T("2023-02-29T09:15:00+05:30"), -1, "not a leap year");
	is_int(T("2024-03-01T24:00:00+05:30"), -1, "hour 24 rejected");
	is_int(T("2024-03-01T09:15:00+05:30x"), -1, "trailing text rejected");
	algo_time_fmt(t, ALGO_IST_OFFSET_MIN, b);
	is_str(b, "2024-03-01T09:15:00+05:30", "format IST");
	algo_time_fmt(t + 1250, ALGO_IST_OFFSET_MIN, b);
	is_str(b, "2024-03-01T09:15:01.250+05:30", "format ms");
	algo_time_fmt(t, 0, b);
	is_str(b, "2024-03-01T03:45:00+00:00", "format UTC");
	algo_time_fmt(-1, -90, b);
	is_str(b, "1969-12-31T22:29:59.999-01:30", "format before 1970, negative offset");
	{
		/* the printf-free path writes what gmtime and printf write, over 1900-2100 */
		int same = 1;
		uint64_t x = 88172645463325252ULL;
		for (int i = 0; i < 200000 && same; i++) {
			x ^= x << 13; x ^= x >> 7; x ^= x << 17;
			int64_t ms = (int64_t)(x % 6311433600000ULL) - 2208988800000LL;
			int off = (int)(x >> 40) % 1441 - 720;
			if (i % 3 == 0) ms -= ms % 1000;
			time_t sec = (time_t)((ms + off * 60000LL - ((ms % 1000 + 1000) % 1000)) / 1000);
			struct tm tm;
			char want[64];
			int frac = (int)((ms % 1000 + 1000) % 1000), ao = off < 0 ? -off : off;
			gmtime_r(&sec, &tm);
			if (frac)
				snprintf(want, sizeof want, "%04d-%02d-%02dT%02d:%02d:%02d.%03d%c%02d:%02d",
					tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
					tm.tm_sec, frac, off < 0 ? '-' : '+', ao / 60, ao % 60);
			else
				snprintf(want, sizeof want, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d",
					tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
					tm.tm_sec, off < 0 ? '-' : '+', ao / 60, ao % 60);
			size_t n = algo_time_fmt(ms, off, b);
			if (n != strlen(want) || strcmp(b, want) != 0) {
				printf("# ms %lld off %d: %s, want %s\n", (long long)ms, off, b, want);
				same = 0;
			}
		}
		ok(same, "format equals gmtime + printf on 200,000 random times");
	}
	is_int(algo_time_ist_minute(t), 9 * 60 + 15, "minute of IST day");
	is_int(algo_time_ist_day(T("2024-03-01T23:59:00+05:30")), algo_time_ist_day(t), "same IST day");
	is_int(algo_time_ist_day(T("2024-02-29T20:00:00Z")), algo_time_ist_day(t), "UTC evening is next IST day");
	is_int(algo_time_ist_wday(t), 5, "2024-03-01 is a Friday");
	algo_time_ist_date(t, d);
	is_str(d, "2024-03-01", "IST date");
	algo_time_ist_yymmdd(t, y);
	is_str(y, "240301", "yymmdd");
	is_int(algo_time_parse_hhmm("09:20", 5), 560, "HH:MM");
	is_int(algo_time_parse_hhmm("9:20", 4), -1, "H:MM rejected");
	is_int(algo_time_parse_hhmm("24:00", 5), -1, "24:00 rejected");
	is_int(algo_tf_parse("1m", 2), 60, "1m");
	is_int(algo_tf_parse("15m", 3), 900, "15m");
	is_int(algo_tf_parse("1d", 2), 86400, "1d");
	is_int(algo_tf_parse("2d", 2), -1, "2d rejected");
	is_int(algo_tf_parse("0m", 2), -1, "0m rejected");
	is_int(algo_tf_parse("m", 1), -1, "m rejected");
	algo_tf_fmt(3600, b, sizeof b);
	is_str(b, "1h", "fmt 1h");
	algo_tf_fmt(300, b, sizeof b);
	is_str(b, "5m", "fmt 5m");
	algo_tf_fmt(86400, b, sizeof b);
	is_str(b, "1d", "fmt 1d");
	{
		/* The date of the last time parsed is remembered: a verdict and a value never
		 * depend on what was parsed before (each string after every other one). */
		static const char *const ts[] = {
			"2024-02-29T09:15:00+05:30", "2024-02-29T25:00:00+05:30", "2024-02-29T09:15:00",
			"2024-02-29T09:15:00.250Z", "2024-02-29 23:59:59-01:00", "2024-02-29X09:15:00Z",
			"2023-02-29T09:15:00+05:30", "2023-02-28T09:15:00+05:30", "2024-02-2",
			"2024-13-01T09:15:00Z", "2024-02-29T09:1a:00Z", "1970-01-01T00:00:00Z",
			"1969-12-31T23:59:59.999Z", "2024-02-29T09:15:00+05:3", "2024-02-29T09:15:60Z",
			"2024-02-29T09:15:00+05:30 ", "", "2024-02-29T09:15:00+05:30",
			/* the same date and offset as another, only the clock differs (then
			 * only the clock is read) */
			"2024-02-29T09:16:00+05:30", "2024-02-29T23:59:59+05:30", "2024-02-29T24:00:00+05:30",
			"2024-02-29T09:60:00+05:30", "2024-02-29T09:15:0a+05:30", "2024-02-29T09-15:00+05:30",
			"2024-02-29T09:15:00+05:31", "2024-02-29t09:16:00+05:30", "2024-02-29T09:16:00.250Z",
			"2024-02-29T00:00:00.250Z", "2024-02-29T09:16:00.25+05:30", "2024-02-29T9:16:00+05:30 ",
		};
		enum { N = sizeof ts / sizeof ts[0] };
		int64_t want[N];
		int wrc[N], bad = 0;
		for (int i = 0; i < N; i++) {
			int64_t ms = 0;
			algo_time_parse("2000-01-01T00:00:00Z", 20, &ms);   /* another date */
			wrc[i] = algo_time_parse(ts[i], strlen(ts[i]), &ms);
			want[i] = wrc[i] ? 0 : ms;
		}
		for (int j = 0; j < N; j++)
			for (int i = 0; i < N; i++) {
				int64_t ms = 0, x = 0;
				algo_time_parse(ts[j], strlen(ts[j]), &x);
				int rc = algo_time_parse(ts[i], strlen(ts[i]), &ms);
				if (rc != wrc[i] || (rc == 0 && ms != want[i])) {
					bad++;
					printf("# %s after %s: %d %lld\n", ts[i], ts[j], rc, (long long)ms);
				}
			}
		is_int(bad, 0, "a time's verdict and value do not depend on the one before");
		is_int(wrc[0] + wrc[7] + wrc[11] + wrc[12], 0, "valid times parse");
		ok(wrc[1] && wrc[2] && wrc[5] && wrc[6] && wrc[8] && wrc[9] && wrc[10] && wrc[13] && wrc[14] &&
		   wrc[15] && wrc[16],
			"bad times are refused after a good one of the same date");
		is_int(want[12], -1, "one millisecond before the epoch");
		is_int(wrc[18] + wrc[19] + wrc[24] + wrc[25] + wrc[26] + wrc[27] + wrc[28], 0,
			"times a clock apart parse");
		is_int(want[18] - want[17], 60000, "a minute later");
		is_int(want[26] - want[3], 60000, "a minute later with a fraction");
		ok(wrc[20] && wrc[21] && wrc[22] && wrc[23] && wrc[29], "bad clocks are refused after a good one");
		is_int(want[24] - want[17], -60000, "another offset is read (a minute more ahead of UTC)");
	}
	return tap_done();
}
