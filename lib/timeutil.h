/* timeutil — RFC 3339 timestamps, IST sessions and trading days.
 * A time is int64 milliseconds since the Unix epoch (UTC). Market time is IST
 * (UTC+05:30); events are written with the +05:30 offset. */
#ifndef ALGO_TIMEUTIL_H
#define ALGO_TIMEUTIL_H
#include <stddef.h>
#include <stdint.h>

#define ALGO_IST_OFFSET_MIN 330
#define ALGO_TIME_FMT_MAX 40
#define ALGO_MS_PER_DAY 86400000LL

/* Parses RFC 3339 with a required offset ("2024-03-01T09:15:00+05:30",
 * "…T03:45:00Z", fractional seconds up to milliseconds, 'T' or ' ' as separator).
 * Returns 0 and sets *ms (UTC epoch ms), or -1 when malformed or out of range. */
int algo_time_parse(const char *s, size_t n, int64_t *ms);

/* Formats ms as RFC 3339 at offset off_min minutes ("…+05:30"); milliseconds are
 * written only when non-zero. Returns the length; buf holds ALGO_TIME_FMT_MAX bytes. */
size_t algo_time_fmt(int64_t ms, int off_min, char *buf);

/* Days since 1970-01-01 of the IST calendar date of ms: the trading day. */
int64_t algo_time_ist_day(int64_t ms);
/* Minutes since IST midnight (0..1439) of ms. */
int algo_time_ist_minute(int64_t ms);
/* Day of week of the IST date, 0 = Sunday … 6 = Saturday. */
int algo_time_ist_wday(int64_t ms);
/* Writes the IST date "YYYY-MM-DD" (11 bytes with NUL) and "YYMMDD" (7 bytes). */
void algo_time_ist_date(int64_t ms, char out[11]);
void algo_time_ist_yymmdd(int64_t ms, char out[7]);

/* Civil date helpers (proleptic Gregorian). */
int64_t algo_days_from_civil(int64_t y, unsigned m, unsigned d);
void algo_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);

/* Parses "HH:MM" (exactly 5 bytes, 00:00..23:59). Returns minutes since midnight or -1. */
int algo_time_parse_hhmm(const char *s, size_t n);

/* Parses a timeframe "1s" "5m" "1h" "1d" (N followed by s/m/h/d, N>0). Returns
 * seconds or -1. algo_tf_fmt writes the canonical form back (e.g. 3600 -> "1h"). */
int64_t algo_tf_parse(const char *s, size_t n);
size_t algo_tf_fmt(int64_t secs, char *buf, size_t len);

/* The wall clock (CLOCK_REALTIME) in epoch ms, and the monotonic clock in ms (for
 * measuring waits). */
int64_t algo_clock_ms(void);
int64_t algo_mono_ms(void);
/* Sleeps ms milliseconds (restarting after signals that do not end the program). */
void algo_sleep_ms(int64_t ms);

#endif
