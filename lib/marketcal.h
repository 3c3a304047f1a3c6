/* marketcal — the exchange's trading calendar from a table the user can update
 * (share/calendar/nse.txt): the normal session, Monday to Friday, and the holidays.
 *
 * Lines, '#' starting a comment:
 *   session HH:MM HH:MM        open and close, IST (default 09:15 15:30)
 *   holiday YYYY-MM-DD TEXT    no session that day
 * The live truth is the broker's marketStatus; this table is the fallback when that
 * cannot be had, and says when the next session opens. Nothing here prints. */
#ifndef ALGO_MARKETCAL_H
#define ALGO_MARKETCAL_H
#include <stddef.h>
#include <stdint.h>

struct algo_marketcal {
	int open_min, close_min;     /* minutes after IST midnight */
	int64_t *holidays;           /* IST day numbers (algo_time_ist_day), sorted */
	size_t n;
};

/* Reads the table at path. Returns 0, or -1 with err "PATH:LINE: what" (or the open
 * error, errno kept; EINVAL for a bad line). Free with algo_marketcal_free. */
int algo_marketcal_load(struct algo_marketcal *c, const char *path, char *err, size_t errlen);
void algo_marketcal_free(struct algo_marketcal *c);

/* Is ms (epoch ms) inside a session? Is its IST day a holiday? */
int algo_marketcal_is_open(const struct algo_marketcal *c, int64_t ms);
int algo_marketcal_is_holiday(const struct algo_marketcal *c, int64_t ms);

/* The start of the first session that opens after ms (ms itself never counts). */
int64_t algo_marketcal_next_open(const struct algo_marketcal *c, int64_t ms);

/* The table shipped with the program: <program dir>/../share/algo/calendar/nse.txt
 * (installed) or <program dir>/../../share/calendar/nse.txt (build tree). Returns 0,
 * or -1 when neither exists. */
int algo_marketcal_default(char *path, size_t len);

#endif
