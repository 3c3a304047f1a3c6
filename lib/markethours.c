/* markethours — marketStatus, else the calendar; see markethours.h. */
#include "markethours.h"
#include "cli.h"
#include "timeutil.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void algo_markethours_init(struct algo_markethours *mh)
{
	memset(mh, 0, sizeof *mh);
	mh->recheck = 60000;
}

static int failf(struct algo_markethours *mh, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int failf(struct algo_markethours *mh, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(mh->err, sizeof mh->err, fmt, ap);
	va_end(ap);
	mh->code = code;
	return -1;
}

static int note(struct algo_markethours *mh, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int note(struct algo_markethours *mh, const char *fmt, ...)
{
	char msg[ALGO_ERR_MAX + 800];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	mh->code = 0;
	return mh->note ? mh->note(mh->arg, msg) : 0;
}

static int load_calendar(struct algo_markethours *mh, const char *path)
{
	char def[4096], err[ALGO_ERR_MAX + 100];
	if (!path && !(path = getenv("ALGO_CALENDAR")) && algo_marketcal_default(def, sizeof def) == 0)
		path = def;
	if (!path)
		return algo_marketcal_load(&mh->cal, "/dev/null", err, sizeof err), 0;
	if (algo_marketcal_load(&mh->cal, path, err, sizeof err) < 0)
		return failf(mh, errno == ENOENT ? ALGO_EX_NOINPUT : ALGO_EX_DATAERR, "--calendar: %s", err);
	return 0;
}

/* FYERS's exchange and segment codes of a symbol (FYERS-API.md §3 enums). */
static void segment_of(const char *sym, int *ex, int *seg)
{
	size_t n = strlen(sym);
	int deriv = (n > 3 && strcmp(sym + n - 3, "FUT") == 0) ||
		(n > 2 && (strcmp(sym + n - 2, "CE") == 0 || strcmp(sym + n - 2, "PE") == 0));
	*ex = strncmp(sym, "BSE:", 4) == 0 ? 12 : strncmp(sym, "MCX:", 4) == 0 ? 11 : 10;
	*seg = *ex == 11 ? 20 : deriv ? 11 : 10;
}

static int wanted(const struct algo_markethours *mh, json_int_t ex, json_int_t seg)
{
	for (int i = 0; i < mh->nseg; i++)
		if (mh->seg[i][0] == ex && mh->seg[i][1] == seg)
			return 1;
	return 0;
}

int algo_markethours_open(struct algo_markethours *mh, const char *calendar, struct algo_fyers *f,
	char *const *symbols, int n)
{
	mh->f = f;
	for (int i = 0; i < n; i++) {
		int ex, seg;
		segment_of(symbols[i], &ex, &seg);
		if (!wanted(mh, ex, seg) && mh->nseg < ALGO_MARKETHOURS_SEG_MAX)
			mh->seg[mh->nseg][0] = ex, mh->seg[mh->nseg][1] = seg, mh->nseg++;
	}
	return load_calendar(mh, calendar);
}

void algo_markethours_free(struct algo_markethours *mh)
{
	algo_marketcal_free(&mh->cal);
}

int algo_markethours_status(struct algo_markethours *mh, char *status, size_t len, char *err, size_t errlen)
{
	struct algo_fyers_req rq = { .base = ALGO_FYERS_DATA, .method = "GET", .path = "/marketStatus" };
	struct algo_fyers_reply r;
	const json_t *list, *e;
	size_t k;
	int cls, open = 0, any = 0;

	if ((cls = algo_fyers_request(mh->f, &rq, &r, err, errlen)) != ALGO_FYERS_OK) {
		algo_fyers_reply_free(&r);
		return -cls;
	}
	list = json_object_get(r.root, "marketStatus");
	if (!json_is_array(list)) {
		snprintf(err, errlen, "GET /marketStatus: the reply has no 'marketStatus' list");
		algo_fyers_reply_free(&r);
		return -ALGO_FYERS_EPROTO;
	}
	snprintf(status, len, "no segment of these symbols in marketStatus");
	json_array_foreach(list, k, e) {
		const json_t *ex = json_object_get(e, "exchange"), *seg = json_object_get(e, "segment"),
			*st = json_object_get(e, "status");
		if (!json_is_integer(ex) || !json_is_integer(seg) || !json_is_string(st) ||
		    !wanted(mh, json_integer_value(ex), json_integer_value(seg)))
			continue;
		if (!any || strcmp(json_string_value(st), "OPEN") == 0)
			snprintf(status, len, "exchange %lld segment %lld %s", (long long)json_integer_value(ex),
				(long long)json_integer_value(seg), json_string_value(st));
		any = 1;
		open |= strcmp(json_string_value(st), "OPEN") == 0;
	}
	algo_fyers_reply_free(&r);
	return open;
}

int algo_markethours_due(const struct algo_markethours *mh, int64_t mono)
{
	return mh->checked == 0 || mono - mh->checked >= mh->recheck;
}

/* Is the market open? marketStatus when it answers, else the calendar. Returns 1, 0,
 * or -1 (not logged in). */
static int market_open(struct algo_markethours *mh, int64_t wall, char *why, size_t len)
{
	char err[ALGO_ERR_MAX + 600];
	int rc = algo_markethours_status(mh, why, len, err, sizeof err);
	if (rc == -ALGO_FYERS_EAUTH || rc == -ALGO_FYERS_EPERM)
		return failf(mh, algo_fyers_exit_code(-rc), "%s", err);
	if (rc >= 0)
		return rc;
	if (note(mh, "%s; the calendar decides", err) < 0)
		return -1;
	snprintf(why, len, "the calendar: %s", algo_marketcal_is_holiday(&mh->cal, wall) ? "a holiday" : "outside the session");
	return algo_marketcal_is_open(&mh->cal, wall);
}

int algo_markethours_wait(struct algo_markethours *mh)
{
	char why[200], when[ALGO_TIME_FMT_MAX];
	int said = 0, rc;
	for (;;) {
		int64_t wall = algo_clock_ms(), next;
		mh->checked = algo_mono_ms();
		if ((rc = market_open(mh, wall, why, sizeof why)) != 0)
			break;
		next = algo_marketcal_next_open(&mh->cal, wall);
		algo_time_fmt(next, ALGO_IST_OFFSET_MIN, when);
		if (!said && mh->before_wait)
			mh->before_wait(mh->arg);
		if (mh->outside_exit)
			return note(mh, "the market is closed (%s); the next session opens %s", why, when);
		if (!said++ && note(mh, "the market is closed (%s); waiting for the next session (%s)", why, when) < 0)
			return -1;
		algo_sleep_ms(next - wall < mh->recheck && next > wall ? next - wall : mh->recheck);
	}
	if (rc < 0 || (said && note(mh, "the market is open") < 0))
		return -1;
	mh->checked = algo_mono_ms();
	return 1;
}
