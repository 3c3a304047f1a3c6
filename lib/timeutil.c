#include "timeutil.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define IST_MS (ALGO_IST_OFFSET_MIN * 60000LL)

/* Howard Hinnant's civil-date algorithms (public domain description). */
int64_t algo_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

void algo_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int digits(const char *s, size_t n, size_t at, int cnt, int *out)
{
	int v = 0;
	if (at + (size_t)cnt > n)
		return -1;
	for (int i = 0; i < cnt; i++) {
		char c = s[at + (size_t)i];
		if (c < '0' || c > '9')
			return -1;
		v = v * 10 + (c - '0');
	}
	*out = v;
	return 0;
}

static int days_in_month(int y, int m)
{
	static const int dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dm[m - 1];
}

/* The date of the last time parsed (per thread): a stream's timestamps share their
 * date for a whole session, so its digits, range checks and day number are worked out
 * once a day instead of on every event. */
static _Thread_local struct { char date[10]; int valid; int64_t days; } last_date;

/* The day number (days since 1970-01-01) of the YYYY-MM-DD at s into *days; s holds
 * n >= 19 bytes. Returns 0, or -1 when it is not a valid date. */
static int parse_date(const char *s, size_t n, int64_t *days)
{
	int y, mo, d;
	if (n >= 10 && last_date.valid && memcmp(s, last_date.date, 10) == 0) {
		*days = last_date.days;
		return 0;
	}
	if (digits(s, n, 0, 4, &y) || s[4] != '-' || digits(s, n, 5, 2, &mo) || s[7] != '-' ||
	    digits(s, n, 8, 2, &d) || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
		return -1;
	*days = algo_days_from_civil(y, (unsigned)mo, (unsigned)d);
	memcpy(last_date.date, s, 10);
	last_date.days = *days;
	last_date.valid = 1;
	return 0;
}

/* The last time parsed, whole (per thread): a stage that checks an event's order and
 * then decodes it, or a stream of several symbols, parses the same string again. And
 * the next bar of a series differs from it only in its clock (HH:MM:SS): with the
 * same date, 'T' and the same text after the seconds (fraction, offset), only the clock
 * is read, and added to what the rest came to (base: ms less the clock's part). */
static _Thread_local struct { char s[40]; size_t n; int64_t ms, base; } last_time;

static int parse_time(const char *s, size_t n, int64_t *ms);

/* The HH:MM:SS at s + 11 in milliseconds, or -1 when it is not a valid clock. */
static int64_t clock_ms(const char *s)
{
	int hh, mi, ss;
	if (digits(s, 19, 11, 2, &hh) || s[13] != ':' || digits(s, 19, 14, 2, &mi) ||
	    s[16] != ':' || digits(s, 19, 17, 2, &ss) || hh > 23 || mi > 59 || ss > 59)
		return -1;
	return ((hh * 60 + mi) * 60 + ss) * 1000LL;
}

static void remember_time(const char *s, size_t n, int64_t ms, int64_t clock)
{
	if (n > sizeof last_time.s)
		return;
	memcpy(last_time.s, s, n);
	last_time.n = n;
	last_time.ms = ms;
	last_time.base = ms - clock;
}

int algo_time_parse(const char *s, size_t n, int64_t *ms)
{
	int64_t clock;
	if (n < 19 || n != last_time.n) {
		/* not the shape of the last one: parsed whole (below) */
	} else if (s[15] == last_time.s[15] && memcmp(s, last_time.s, n) == 0) {
		/* the minute's last digit first: it is what differs between bars */
		*ms = last_time.ms;
		return 0;
	} else if (memcmp(s, last_time.s, 11) == 0 && memcmp(s + 19, last_time.s + 19, n - 19) == 0) {
		if ((clock = clock_ms(s)) < 0)
			return -1;
		*ms = last_time.base + clock;
		remember_time(s, n, *ms, clock);
		return 0;
	}
	if (parse_time(s, n, ms))
		return -1;
	remember_time(s, n, *ms, clock_ms(s));
	return 0;
}

static int parse_time(const char *s, size_t n, int64_t *ms)
{
	int frac = 0;
	size_t i;
	int64_t off = 0, days, clock;

	if (n < 19 || parse_date(s, n, &days) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
	    (clock = clock_ms(s)) < 0)
		return -1;
	i = 19;
	if (i < n && s[i] == '.') {
		int nd = 0, scale = 100;
		i++;
		while (i < n && s[i] >= '0' && s[i] <= '9') {
			if (nd < 3) { frac += (s[i] - '0') * scale; scale /= 10; }
			else if (s[i] != '0') return -1;     /* sub-millisecond precision */
			nd++;
			i++;
		}
		if (nd == 0)
			return -1;
	}
	if (i < n && (s[i] == 'Z' || s[i] == 'z')) {
		i++;
	} else if (i < n && (s[i] == '+' || s[i] == '-')) {
		int oh, om;
		if (digits(s, n, i + 1, 2, &oh) || i + 3 >= n || s[i + 3] != ':' ||
		    digits(s, n, i + 4, 2, &om) || oh > 23 || om > 59)
			return -1;
		off = (oh * 60 + om) * 60000LL;
		if (s[i] == '-') off = -off;
		i += 6;
	} else {
		return -1;
	}
	if (i != n)
		return -1;
	*ms = days * ALGO_MS_PER_DAY + clock + frac - off;
	return 0;
}

static int64_t floordiv(int64_t a, int64_t b)
{
	int64_t q = a / b;
	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

/* Writes v as exactly width decimal digits (v >= 0, below 10^width); returns the end. */
static char *put_digits(char *p, unsigned v, int width)
{
	for (int i = width - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return p + width;
}

/* The common case (years 0-9999, an offset under 100 hours) without printf: every
 * stored time goes through here, and snprintf was most of its cost. Same text. */
static size_t time_fmt_fast(int64_t y, unsigned m, unsigned d, int secs, int frac, int off_min,
	char *buf)
{
	int aoff = off_min < 0 ? -off_min : off_min;
	char *p = put_digits(buf, (unsigned)y, 4);
	*p++ = '-';
	p = put_digits(p, m, 2);
	*p++ = '-';
	p = put_digits(p, d, 2);
	*p++ = 'T';
	p = put_digits(p, (unsigned)(secs / 3600), 2);
	*p++ = ':';
	p = put_digits(p, (unsigned)(secs / 60 % 60), 2);
	*p++ = ':';
	p = put_digits(p, (unsigned)(secs % 60), 2);
	if (frac) {
		*p++ = '.';
		p = put_digits(p, (unsigned)frac, 3);
	}
	*p++ = off_min < 0 ? '-' : '+';
	p = put_digits(p, (unsigned)(aoff / 60), 2);
	*p++ = ':';
	p = put_digits(p, (unsigned)(aoff % 60), 2);
	*p = '\0';
	return (size_t)(p - buf);
}

size_t algo_time_fmt(int64_t ms, int off_min, char *buf)
{
	int64_t local = ms + off_min * 60000LL, y;
	int64_t day = floordiv(local, ALGO_MS_PER_DAY);
	int64_t rem = local - day * ALGO_MS_PER_DAY;
	unsigned m, d;
	int n, frac = (int)(rem % 1000), secs = (int)(rem / 1000);
	int aoff = off_min < 0 ? -off_min : off_min;
	algo_civil_from_days(day, &y, &m, &d);
	if (y >= 0 && y <= 9999 && aoff < 6000)
		return time_fmt_fast(y, m, d, secs, frac, off_min, buf);
	if (frac)
		n = snprintf(buf, ALGO_TIME_FMT_MAX, "%04lld-%02u-%02uT%02d:%02d:%02d.%03d%c%02d:%02d",
			(long long)y, m, d, secs / 3600, secs / 60 % 60, secs % 60, frac,
			off_min < 0 ? '-' : '+', aoff / 60, aoff % 60);
	else
		n = snprintf(buf, ALGO_TIME_FMT_MAX, "%04lld-%02u-%02uT%02d:%02d:%02d%c%02d:%02d",
			(long long)y, m, d, secs / 3600, secs / 60 % 60, secs % 60,
			off_min < 0 ? '-' : '+', aoff / 60, aoff % 60);
	return n < 0 ? 0 : (size_t)n;
}

int64_t algo_time_ist_day(int64_t ms)
{
	return floordiv(ms + IST_MS, ALGO_MS_PER_DAY);
}

int algo_time_ist_minute(int64_t ms)
{
	int64_t local = ms + IST_MS;
	return (int)((local - floordiv(local, ALGO_MS_PER_DAY) * ALGO_MS_PER_DAY) / 60000);
}

int algo_time_ist_wday(int64_t ms)
{
	int64_t d = algo_time_ist_day(ms);        /* 1970-01-01 was a Thursday (4) */
	int w = (int)((d + 4) % 7);
	return w < 0 ? w + 7 : w;
}

void algo_time_ist_date(int64_t ms, char out[11])
{
	int64_t y;
	unsigned m, d;
	algo_civil_from_days(algo_time_ist_day(ms), &y, &m, &d);
	unsigned yy = (unsigned)(((y % 10000) + 10000) % 10000);
	snprintf(out, 11, "%04u-%02u-%02u", yy, m % 100, d % 100);
}

void algo_time_ist_yymmdd(int64_t ms, char out[7])
{
	int64_t y;
	unsigned m, d;
	algo_civil_from_days(algo_time_ist_day(ms), &y, &m, &d);
	snprintf(out, 7, "%02u%02u%02u", (unsigned)(((y % 100) + 100) % 100), m % 100, d % 100);
}

int algo_time_parse_hhmm(const char *s, size_t n)
{
	int h, m;
	if (n != 5 || s[2] != ':' || digits(s, n, 0, 2, &h) || digits(s, n, 3, 2, &m) ||
	    h > 23 || m > 59)
		return -1;
	return h * 60 + m;
}

int64_t algo_tf_parse(const char *s, size_t n)
{
	int64_t v = 0, unit;
	size_t i = 0;
	if (n < 2)
		return -1;
	for (; i < n - 1; i++) {
		if (s[i] < '0' || s[i] > '9' || v > 1000000)
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	switch (s[n - 1]) {
	case 's': unit = 1; break;
	case 'm': unit = 60; break;
	case 'h': unit = 3600; break;
	case 'd': unit = 86400; break;
	default: return -1;
	}
	if (v <= 0 || (unit == 86400 && v != 1))
		return -1;
	return v * unit;
}

size_t algo_tf_fmt(int64_t secs, char *buf, size_t len)
{
	int n;
	if (secs % 86400 == 0 && secs / 86400 == 1)
		n = snprintf(buf, len, "1d");
	else if (secs % 3600 == 0)
		n = snprintf(buf, len, "%lldh", (long long)(secs / 3600));
	else if (secs % 60 == 0)
		n = snprintf(buf, len, "%lldm", (long long)(secs / 60));
	else
		n = snprintf(buf, len, "%llds", (long long)secs);
	return n < 0 ? 0 : (size_t)n;
}

int64_t algo_clock_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

int64_t algo_mono_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

void algo_sleep_ms(int64_t ms)
{
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };
	while (ms > 0 && nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}
