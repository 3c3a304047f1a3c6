/* Unit tests for lib/csv: the streaming reader, header mapping, timestamps, rows. */
#include "csv.h"
#include "decimal.h"
#include "timeutil.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char tmpl[64];

/* Writes n bytes of data to a fresh temp file and opens a reader on it. */
static int open_data(struct algo_csv *c, const char *data, size_t n)
{
	char err[256];
	FILE *f;

	snprintf(tmpl, sizeof tmpl, "/tmp/test_csv.XXXXXX");
	int fd = mkstemp(tmpl);
	if (fd < 0)
		return -1;
	f = fdopen(fd, "w");
	if (!f || fwrite(data, 1, n, f) != n || fclose(f) != 0)
		return -1;
	return algo_csv_open(c, tmpl, err, sizeof err);
}

static void close_data(struct algo_csv *c)
{
	algo_csv_close(c);
	unlink(tmpl);
}

/* Field k of the current record as a NUL-terminated string (static buffer). */
static const char *fld(const struct algo_csv *c, int k)
{
	static char buf[4][256];
	static int which;
	char *b = buf[which++ & 3];
	size_t n;

	if (k >= c->nf)
		return "(none)";
	n = c->n[k] < 255 ? c->n[k] : 255;
	memcpy(b, c->f[k], n);
	b[n] = 0;
	return b;
}

static int64_t T(const char *s)
{
	int64_t ms = -1;
	if (algo_time_parse(s, strlen(s), &ms) < 0)
		return -999;
	return ms;
}

static int64_t P(const char *s)
{
	int64_t ms;
	if (algo_csv_parse_time(s, strlen(s), &ms) < 0)
		return -1;
	return ms;
}

static void test_reader(void)
{
	struct algo_csv c;
	char err[256];
	const char *d = "a,b,c\n1,\"x,\"\"y\"\"\nz\",3\r\n\n\r\n4,,\"\"\n5,6,7";

	ok(open_data(&c, d, strlen(d)) == 0, "open a temp file");
	is_int(c.regular, 1, "a regular file is seen as one");
	is_int(algo_csv_next(&c, err, sizeof err), 1, "header record");
	is_int(c.delim, ',', "comma sniffed");
	is_int(c.nf, 3, "3 header fields");
	is_str(fld(&c, 2), "c", "field c");
	is_int(c.lineno, 1, "header on line 1");
	is_int(algo_csv_next(&c, err, sizeof err), 1, "quoted record");
	is_int(c.nf, 3, "3 fields with a quoted delimiter and newline");
	is_str(fld(&c, 1), "x,\"y\"\nz", "\"\" unescaped, newline kept");
	is_str(fld(&c, 2), "3", "CR before LF dropped");
	is_int(c.lineno, 2, "record starts on line 2");
	is_int(algo_csv_next(&c, err, sizeof err), 1, "blank lines skipped");
	is_int(c.lineno, 6, "line numbers count quoted newlines and blank lines");
	is_str(fld(&c, 1), "", "empty field");
	is_str(fld(&c, 2), "", "empty quoted field");
	is_int(algo_csv_next(&c, err, sizeof err), 1, "last record without newline");
	is_str(fld(&c, 2), "7", "its last field");
	is_int(c.lineno, 7, "on line 7");
	is_int(algo_csv_next(&c, err, sizeof err), 0, "then end of input");
	is_int(algo_csv_next(&c, err, sizeof err), 0, "and stays at the end");
	close_data(&c);
}

static void test_sniff_bom(void)
{
	struct algo_csv c;
	char err[256];
	const char *d = "\xEF\xBB\xBF" "Date;Time;Open\r\n2023-06-05;09:15;1,5\r\n";
	const char *t = "\n\na\tb;c\td\n1\t2;3\t4\n";

	ok(open_data(&c, d, strlen(d)) == 0, "open BOM file");
	is_int(algo_csv_next(&c, err, sizeof err), 1, "header");
	is_int(c.delim, ';', "semicolon sniffed from the header");
	is_str(fld(&c, 0), "Date", "BOM skipped");
	is_int(algo_csv_next(&c, err, sizeof err), 1, "row");
	is_str(fld(&c, 2), "1,5", "a comma is data with ';'");
	close_data(&c);

	ok(open_data(&c, t, strlen(t)) == 0, "open tab file");
	is_int(algo_csv_next(&c, err, sizeof err), 1, "header after blank lines");
	is_int(c.delim, '\t', "tab sniffed (2 tabs vs 1 ';')");
	is_int(c.lineno, 3, "header on line 3");
	is_int(c.nf, 3, "three fields");
	close_data(&c);
}

static void test_bad_records(void)
{
	struct algo_csv c;
	char err[256];
	size_t big = 100000, i, n = 0;
	char *d = malloc(big + 512);

	n += (size_t)snprintf(d, 512, "a,b\n1,2\n");
	for (i = 0; i < big; i++)
		d[n++] = 'x';
	n += (size_t)snprintf(d + n, 512, "\n3,4\n\"5,6\n");
	ok(open_data(&c, d, n) == 0, "open file with a 100 KB line");
	is_int(algo_csv_next(&c, err, sizeof err), 1, "header");
	is_int(algo_csv_next(&c, err, sizeof err), 1, "row 2");
	is_int(algo_csv_next(&c, err, sizeof err), -1, "long record refused");
	is_int(c.lineno, 3, "it is line 3");
	ok(strstr(err, "longer than 65536") != NULL, "message: %s", err);
	is_int(algo_csv_next(&c, err, sizeof err), 1, "reading goes on after it");
	is_str(fld(&c, 0), "3", "with the next record");
	is_int(c.lineno, 4, "on line 4");
	is_int(algo_csv_next(&c, err, sizeof err), -1, "unterminated quote at the end");
	is_str(err, "unterminated quoted field", "message");
	is_int(c.lineno, 5, "on line 5");
	is_int(algo_csv_next(&c, err, sizeof err), 0, "then the end");
	close_data(&c);

	n = 0;
	for (i = 0; i < 300; i++)
		d[n++] = ',';
	d[n++] = '\n';
	memcpy(d + n, "a\n", 2);
	n += 2;
	ok(open_data(&c, d, n) == 0, "open file with 301 fields");
	is_int(algo_csv_next(&c, err, sizeof err), -1, "too many fields");
	ok(strstr(err, "more than 256 fields") != NULL, "message: %s", err);
	is_int(algo_csv_next(&c, err, sizeof err), 1, "next record");
	is_str(fld(&c, 0), "a", "is read");
	close_data(&c);
	free(d);
}

/* Quoted records with escapes and newlines, crossing many buffer refills. */
static void test_boundaries(void)
{
	struct algo_csv c;
	char err[256];
	size_t cap = 4000000, n = 0;
	char *d = malloc(cap);
	int i, good = 1, r;

	n += (size_t)snprintf(d, cap, "k,v\n");
	for (i = 0; i < 40000; i++)
		n += (size_t)snprintf(d + n, cap - n, "%d,\"q\"\"%d\n%d\"\r\n", i, i, i % 7);
	ok(open_data(&c, d, n) == 0, "open 40000 quoted records");
	algo_csv_next(&c, err, sizeof err);
	for (i = 0; i < 40000; i++) {
		char want[64];
		if ((r = algo_csv_next(&c, err, sizeof err)) != 1) {
			good = 0;
			break;
		}
		snprintf(want, sizeof want, "q\"%d\n%d", i, i % 7);
		if (c.nf != 2 || strcmp(fld(&c, 1), want) != 0 || c.lineno != 2 + 2L * i) {
			good = 0;
			break;
		}
	}
	ok(good, "every record intact across refills (stopped at %d)", i);
	is_int(algo_csv_next(&c, err, sizeof err), 0, "end");
	close_data(&c);
	free(d);
}

static void test_find_column(void)
{
	struct algo_csv c;
	char err[256];
	const char *d = " Open ,HIGH,\"Low\",close\n";
	static const char *const lo[] = { "l", "low", NULL };
	static const char *const vol[] = { "volume", "vol", NULL };
	static const char *const op[] = { "open", NULL };

	ok(open_data(&c, d, strlen(d)) == 0, "open header");
	algo_csv_next(&c, err, sizeof err);
	is_int(algo_csv_find_column(&c, op), 0, "blanks and case ignored");
	is_int(algo_csv_find_column(&c, lo), 2, "any of several names, quoted");
	is_int(algo_csv_find_column(&c, vol), -1, "absent column");
	close_data(&c);
}

static void test_time(void)
{
	int64_t ref = T("2023-06-05T09:15:00+05:30"), v;

	is_int(P("2023-06-05T09:15:00+05:30"), ref, "RFC 3339 with offset");
	is_int(P("2023-06-05T03:45:00Z"), ref, "Z");
	is_int(P("2023-06-05t03:45:00z"), ref, "lower-case t and z");
	is_int(P("2023-06-05T09:15:00"), ref, "no offset = IST");
	is_int(P("2023-06-05 09:15:00"), ref, "space separator");
	is_int(P("2023-06-05 09:15"), ref, "no seconds");
	is_int(P("2023-06-05T09:15+05:30"), ref, "no seconds, offset");
	is_int(P("2023-06-05 09:15:00+0530"), ref, "+0530");
	is_int(P("2023-06-05 09:15:00 +05:30"), ref, "blank before offset");
	is_int(P("2023-06-05T05:45:00+02"), ref, "+02");
	is_int(P("2023-06-04T23:45:00-04:00"), ref, "negative offset");
	is_int(P("2023/06/05 09:15:00"), ref, "slashes");
	is_int(P("  2023-06-05 09:15:00 "), ref, "surrounding blanks");
	is_int(P("2023-06-05T09:15:00.250+05:30"), ref + 250, "milliseconds");
	is_int(P("2023-06-05T09:15:00.25"), ref + 250, "short fraction");
	is_int(P("2023-06-05T09:15:00.250999"), ref + 250, "microseconds truncated");
	is_int(P("1685936700"), ref, "epoch seconds");
	is_int(P("1685936700000"), ref, "epoch milliseconds");
	is_int(P("1685936700.5"), ref + 500, "epoch seconds with fraction");
	is_int(P("2023-06-05"), T("2023-06-05T00:00:00+05:30"), "date alone = 00:00 IST");
	is_int(P("2024-02-29"), T("2024-02-29T00:00:00+05:30"), "leap day");
	is_int(P(""), -1, "empty");
	is_int(P("2023-02-29"), -1, "no Feb 29 in 2023");
	is_int(P("2023-13-01"), -1, "month 13");
	is_int(P("2023-06-05 24:00"), -1, "hour 24");
	is_int(P("2023-06-05 09:60"), -1, "minute 60");
	is_int(P("2023-06-05 9:15"), ref, "one-digit hour");
	is_int(P("2023-06-05X09:15"), -1, "bad separator");
	is_int(P("2023-06-05 09:15:00+5:30"), -1, "bad offset");
	is_int(P("2023-06-05 09:15:00 IST"), -1, "zone name");
	is_int(P("05-06-2023 09:15"), ref, "day-first date");
	is_int(P("abc"), -1, "text");
	is_int(P("1685936700000.5"), -1, "fraction on milliseconds");
	is_int(P("-5"), -1, "negative epoch");
	is_int(P("NaN"), -1, "NaN");

	ok(algo_csv_parse_date("20230605", 8, &v) == 0 && v == algo_days_from_civil(2023, 6, 5), "YYYYMMDD date");
	ok(algo_csv_parse_date("2023-06-05", 10, &v) == 0 && v == algo_days_from_civil(2023, 6, 5), "ISO date");
	ok(algo_csv_parse_date("2023-06-31", 10, &v) < 0, "June 31 refused");
	ok(algo_csv_parse_date("2023-06-05 09:15", 16, &v) < 0, "date column with a time refused");
	ok(algo_csv_parse_clock("09:15", 5, &v) == 0 && v == 33300000, "HH:MM");
	ok(algo_csv_parse_clock("09:15:30", 8, &v) == 0 && v == 33330000, "HH:MM:SS");
	ok(algo_csv_parse_clock("09:15:30.5", 10, &v) == 0 && v == 33330500, "HH:MM:SS.f");
	ok(algo_csv_parse_clock("9:15", 4, &v) == 0 && v == 33300000, "H:MM");
	ok(algo_csv_parse_clock("09:15:", 6, &v) < 0, "dangling colon refused");
}

/* The date forms of exports, the clock forms, and --date-format. */
static void test_time_forms(void)
{
	int64_t ref = T("2023-06-05T09:15:00+05:30"), day = T("2023-06-05T00:00:00+05:30"), v;
	static const char *const dates[] = { "05-06-2023", "5-6-2023", "05/06/2023", "05.06.2023",
		"05-Jun-2023", "05-JUN-2023", "5-june-2023", "05 Jun 2023", "05-Jun-23", "Jun 05, 2023",
		"June 5 2023", "2023-6-5", "2023.06.05", "20230605", NULL };
	static const char *const bad_dates[] = { "31-06-2023", "05-13-2023", "05-Jux-2023", "05-06-23",
		"2023-06", "05/06-2023", "Jun 2023", "123-06-2023", NULL };

	for (int i = 0; dates[i]; i++)
		is_int(P(dates[i]), day, "date form %s", dates[i]);
	for (int i = 0; bad_dates[i]; i++)
		is_int(P(bad_dates[i]), -1, "refused: %s", bad_dates[i]);
	is_int(P("05-06-2023 09:15:00"), ref, "day-first with a time");
	is_int(P("05-Jun-2023 09:15"), ref, "month name with a time");
	is_int(P("2023-06-05 0915"), ref, "HHMM after a date");
	is_int(P("20230605 09:15"), ref, "YYYYMMDD and a time");
	is_int(P("05/06/2023 9:15:00 AM"), ref, "12-hour clock");
	is_int(P("05/06/2023 03:45 PM"), ref + 6 * 3600000 + 30 * 60000, "PM");
	is_int(P("05/06/2023 12:05 AM"), day + 5 * 60000, "12 AM is midnight");
	is_int(P("05/06/2023 13:05 PM"), -1, "13 PM refused");
	is_int(P("2023-06-05T09:15:00+05:30"), ref, "ISO still");
	is_int(P("19700101"), T("1970-01-01T00:00:00+05:30"), "eight digits are a date, not epoch seconds");

	ok(algo_csv_parse_clock("0915", 4, &v) == 0 && v == 33300000, "HHMM");
	ok(algo_csv_parse_clock("091530", 6, &v) == 0 && v == 33330000, "HHMMSS");
	ok(algo_csv_parse_clock("915", 3, &v) < 0, "three digits refused");
	ok(algo_csv_parse_clock("2460", 4, &v) < 0, "24:60 refused");
	ok(algo_csv_parse_clock("09:15 pm", 8, &v) == 0 && v == 76500000, "pm");
	ok(algo_csv_parse_date("Jun 05, 2023", 12, &v) == 0 && v == algo_days_from_civil(2023, 6, 5), "Mon DD, YYYY");
	ok(algo_csv_parse_date("05-06-2023 09:15", 16, &v) < 0, "a date column refuses a time");

	{
		struct algo_csv_import imp;
		char err[256];
		int64_t ms;
#define F(fmt, s) (algo_csv_parse_format(fmt, s, strlen(s), &ms) < 0 ? -1 : ms)
		is_int(F("%d-%m-%Y", "05-06-2023"), day, "%%d-%%m-%%Y");
		is_int(F("%m/%d/%Y %H:%M", "06/05/2023 09:15"), ref, "US order with a time");
		is_int(F("%d %b %y", "05 JUN 23"), day, "%%b and %%y");
		is_int(F("%y%m%d", "690101"), T("1969-01-01T00:00:00+05:30"), "69 is 1969");
		is_int(F("%Y%m%d %H%M%S", "20230605 091500"), ref, "compact");
		is_int(F("%d.%m.%Y %I:%M %p", "05.06.2023 09:15 AM"), ref, "%%I %%p");
		is_int(F("%Y-%m-%dT%T%z", "2023-06-05T03:45:00Z"), ref, "%%T %%z");
		is_int(F("%Y-%m-%d %H:%M:%S.%f", "2023-06-05 09:15:00.250"), ref + 250, "%%f");
		is_int(F("%s", "1685936700"), ref, "%%s");
		is_int(F("%d-%m-%Y", "2023-06-05"), -1, "a different order fails");
		is_int(F("%d-%m-%Y", "05-06-2023x"), -1, "trailing text fails");
		is_int(F("%d-%m-%Y", "31-02-2023"), -1, "Feb 31 fails");
		is_int(F("%d %b %Y", "05   Jun 2023"), day, "a blank matches several");
#undef F
		memset(&imp, 0, sizeof imp);
		is_int(algo_csv_import_date_format(&imp, "%d-%m-%Y", err, sizeof err), 0, "format accepted");
		is_int(imp.fmt_clock, 0, "without a clock");
		is_int(algo_csv_import_date_format(&imp, "%d-%m-%Y %H:%M", err, sizeof err), 0, "with a clock");
		is_int(imp.fmt_clock, 1, "has a clock");
		is_int(algo_csv_import_date_format(&imp, "%d-%m-%Q", err, sizeof err), -1, "unknown directive");
		ok(strstr(err, "unknown directive '%Q'") != NULL, "named: %s", err);
		is_int(algo_csv_import_date_format(&imp, "%d-%m", err, sizeof err), -1, "no year");
		ok(strstr(err, "needs a year") != NULL, "said: %s", err);
		is_int(algo_csv_import_date_format(&imp, "%Y%", err, sizeof err), -1, "lone %%");
	}
}

/* Opens data, maps its header and decodes the first row into b. Returns the decode
 * result; err gets the message. The reader stays open (b->sym points into it) until
 * the next call or decode_done. */
static struct algo_csv dc;
static int dc_open;

static void decode_done(void)
{
	if (dc_open)
		close_data(&dc);
	dc_open = 0;
}

static int decode_with(const struct algo_csv_import *imp, const char *data, struct algo_csv_bar *b,
	struct algo_csv_cols *m, char *err, size_t errlen)
{
	decode_done();
	if (open_data(&dc, data, strlen(data)) < 0)
		return -9;
	dc_open = 1;
	if (algo_csv_next(&dc, err, errlen) == 1 && algo_csv_map_header_with(&dc, imp, m, err, errlen) == 0
	    && algo_csv_next(&dc, err, errlen) == 1)
		return algo_csv_decode_bar(&dc, m, b, err, errlen);
	return -9;
}

static int decode(const char *data, struct algo_csv_bar *b, struct algo_csv_cols *m,
	char *err, size_t errlen)
{
	return decode_with(NULL, data, b, m, err, errlen);
}

static void bad(const char *row, const char *want)
{
	char data[512], err[256] = "";
	struct algo_csv_bar b;
	struct algo_csv_cols m;

	snprintf(data, sizeof data, "timestamp,open,high,low,close,volume,oi\n%s\n", row);
	is_int(decode(data, &b, &m, err, sizeof err), -1, "bad row: %s", row);
	is_str(err, want, "message for %s", row);
}

static void test_rows(void)
{
	struct algo_csv_bar b;
	struct algo_csv_cols m;
	char err[256] = "";
	int64_t ref = T("2023-06-05T09:15:00+05:30");

	is_int(decode("Date,Time,Open,High,Low,Close,Volume,OI,Symbol\n"
		"2023-06-05,09:15,612.40,612.80,611.45,612.05,328011,12,NSE:SBIN-EQ\n", &b, &m, err, sizeof err),
		0, "date+time row decodes (%s)", err);
	is_int(m.ts, -1, "no single timestamp column");
	is_int(m.date, 0, "date column");
	is_int(m.time, 1, "time column");
	is_int(b.ts, ref, "time from the two columns, IST");
	is_int(b.o, 6124000, "open exact");
	is_int(b.h, 6128000, "high exact");
	is_int(b.l, 6114500, "low exact");
	is_int(b.c, 6120500, "close exact");
	is_int(b.v, 328011, "volume");
	is_int(b.oi, 12, "oi");
	ok(b.symlen == 11 && memcmp(b.sym, "NSE:SBIN-EQ", 11) == 0, "symbol column");

	is_int(decode("time,o,h,l,c,v\n1685936700, 1 ,2,1,1,5.0\n", &b, &m, err, sizeof err), 0,
		"time alone holds a full timestamp (%s)", err);
	is_str(m.tsname, "time", "named time in messages");
	is_int(b.ts, ref, "epoch in the time column");
	is_int(b.v, 5, "volume 5.0 is an integer");
	is_int(b.oi, -1, "no oi column");
	ok(b.sym == NULL, "no symbol column");

	is_int(decode("date,open,high,low,close,volume,oi\n2023-06-05,1,1,1,1,0,\n", &b, &m, err, sizeof err), 0,
		"date alone for daily bars (%s)", err);
	is_str(m.tsname, "date", "named date in messages");
	is_int(b.oi, -1, "empty oi is absent");

	is_int(decode("when,open,high,low,close,volume\n", &b, &m, err, sizeof err), -9, "no timestamp column");
	is_str(err, "missing column 'timestamp'", "names it");
	is_int(decode("timestamp,open,high,low,close\n", &b, &m, err, sizeof err), -9, "no volume column");
	is_str(err, "missing column 'volume'", "names it");
	is_int(decode("2023-06-05T09:15:00+05:30,612.40,612.80,611.45,612.05,328011\n", &b, &m, err, sizeof err),
		-9, "no header at all");
	is_str(err, "missing column 'timestamp'", "names the first missing column");

	bad("2023-06-05 09:15,612.40,611.00,611.00,612.05,1,", "field 'high': 611.00 is below max(open, close) 612.4");
	bad("2023-06-05 09:15,612.40,613,612.10,612.05,1,", "field 'low': 612.10 is above min(open, close) 612.05");
	bad("2023-06-05 09:15,0,613,612,612.05,1,", "field 'open': 0 is not a positive price");
	bad("2023-06-05 09:15,612,613,-612,612.05,1,", "field 'low': -612 is not a positive price");
	bad("2023-06-05 09:15,612.12345,613,612,612.05,1,", "field 'open': 612.12345 has more than 4 decimals");
	bad("2023-06-05 09:15,612,NaN,612,612.05,1,", "field 'high': 'NaN' is not a number");
	bad("2023-06-05 09:15,612,613,612,,1,", "field 'close': empty");
	bad("2023-06-05 09:15,612,613,612,612.05,-1,", "field 'volume': -1 is negative");
	bad("2023-06-05 09:15,612,613,612,612.05,1.5,", "field 'volume': '1.5' is not a non-negative integer");
	bad("2023-06-05 09:15,612,613,612,612.05,1,x", "field 'oi': 'x' is not a non-negative integer");
	bad("2023-06-05 25:15,612,613,612,612.05,1,", "field 'timestamp': cannot parse '2023-06-05 25:15' as a time");
	bad("2023-06-05 09:15,612,613,612", "field 'close': missing (row has 4 columns, header has 7)");
	bad("2023-06-05 09:15,612,613,612,612.05,1,2,3", "row has 8 columns, header has 7");
	is_int(decode("date,time,open,high,low,close,volume\n2023-06-05,9.15,1,1,1,1,1\n", &b, &m, err, sizeof err),
		-1, "bad time of day");
	is_str(err, "field 'time': cannot parse '9.15' as a time of day", "message");
	is_int(decode("symbol,date,open,high,low,close,volume\n,2023-06-05,1,1,1,1,1\n", &b, &m, err, sizeof err),
		-1, "empty symbol");
	is_str(err, "field 'symbol': empty", "message");
	decode_done();
}

/* Numbers as exports write them, rounding, null rows, column maps, bhavcopy symbols. */
static void test_import_rows(void)
{
	struct algo_csv_bar b;
	struct algo_csv_cols m;
	struct algo_csv_import imp;
	char err[256] = "";

#define ROW(hdr, row) decode(hdr "\n" row "\n", &b, &m, err, sizeof err)
	is_int(ROW("date,open,high,low,close,volume", "2023-06-05,\"2,512.45\",\"2,520\",\"2,500.5\",\"2,510\",\"1,23,45,678\""),
		0, "grouping commas (%s)", err);
	is_int(b.o, 25124500, "2,512.45");
	is_int(b.h, 25200000, "2,520 groups");
	is_int(b.v, 12345678, "Indian grouping 1,23,45,678");
	is_int(ROW("date;open;high;low;close;volume", "05.06.2023;612,40;612,80;611,45;612,05;328011"),
		0, "decimal commas with ';' (%s)", err);
	is_int(b.o, 6124000, "612,40");
	is_int(ROW("date;open;high;low;close;volume", "05.06.2023;1.612,40;1.612,80;1.611,45;1.612,05;1.328.011"),
		0, "'.' groups, ',' decimal (%s)", err);
	is_int(b.o, 16124000, "1.612,40");
	is_int(b.v, 1328011, "1.328.011");
	is_int(ROW("date,open,high,low,close,volume", "2023-06-05,\"612,4\",\"612,8\",\"611,45\",\"612,05\",100"),
		0, "a decimal comma in a ','-delimited file (%s)", err);
	is_int(b.c, 6120500, "612,05");
	is_int(ROW("date,open,high,low,close,volume", "2023-06-05,1e3,1.5E3,9.5e2,1000,1e3"), 0, "exponents (%s)", err);
	is_int(b.o, 10000000, "1e3");
	is_int(b.h, 15000000, "1.5E3");
	is_int(b.v, 1000, "volume 1e3");
	is_int(ROW("date,open,high,low,close,volume", "2023-06-05,612.40000,612.8,611.45,612.05,328011.00"), 0,
		"zeros past 4 decimals are fine (%s)", err);
	is_int(ROW("date,open,high,low,close,volume", "2023-06-05,612.40006124,612.8,611.45,612.05,1"), -1,
		"more than 4 decimals");
	is_str(err, "field 'open': 612.40006124 has more than 4 decimals", "message");
	is_int(b.hint, ALGO_CSV_HINT_ROUND, "hint: --round");
	is_int(ROW("date,open,high,low,close,volume", "2023-06-05,1,2,\"1,2,\",1,1"), -1, "a dangling comma");
	is_str(err, "field 'low': '1,2,' is not a number", "message");
	is_int(ROW("date,open,high,low,close,volume", "2023-06-05,1,2,1,1,1.5e0"), -1, "a fractional volume");
	is_int(ROW("date,open,high,low,close,volume", "2023-06-05,1,2,1,1e999,1"), -1, "huge exponent");
	is_str(err, "field 'close': 1e999 is out of range", "message");

	memset(&imp, 0, sizeof imp);
	imp.round = 1;
	is_int(decode_with(&imp, "date,open,high,low,close,volume\n2023-06-05,612.40006124,612.80005,611.44995,612.049949,1\n",
		&b, &m, err, sizeof err), 0, "--round (%s)", err);
	is_int(b.o, 6124001, "612.40006124 -> 612.4001");
	is_int(b.h, 6128001, "612.80005 -> 612.8001 (half away from zero)");
	is_int(b.l, 6114500, "611.44995 -> 611.45");
	is_int(b.c, 6120499, "612.049949 -> 612.0499");

	is_int(ROW("Date,Open,High,Low,Close,Adj Close,Volume", "2023-06-06,null,null,null,null,null,null"), 1,
		"a Yahoo null row is skipped");
	is_int(ROW("Date,Open,High,Low,Close,Adj Close,Volume", "2023-06-06,,,,,,"), 1, "all prices empty: skipped");
	is_int(ROW("Date,Open,High,Low,Close,Adj Close,Volume", "2023-06-06,null,1,1,1,1,1"), -1, "one null is bad");
	is_str(err, "field 'open': 'null' is not a number", "message");

	is_int(ROW("Date ,Open ,High ,Low ,Close ,Shares Traded ,Turnover (Rs. Cr)", "05-JUN-2023,1,2,1,1,1,0.1"), 0,
		"NSE's Shares Traded is the volume (%s)", err);
	is_int(ROW("Date,Open,High,Low,Close,Shares Traded", "05-JUN-2023,1,2,1,1,x"), -1, "bad Shares Traded");
	is_str(err, "field 'volume' (column 'Shares Traded'): 'x' is not a non-negative integer", "names the column");
	is_int(ROW("SYMBOL,SERIES,OPEN,HIGH,LOW,CLOSE,LAST,PREVCLOSE,TOTTRDQTY,TOTTRDVAL,TIMESTAMP,TOTALTRADES,ISIN,",
		"SBIN,EQ,590.00,592.40,585.10,588.55,588.60,589.75,12045678,7075000000.55,05-JUN-2023,165432,INE062A01020,"),
		0, "old bhavcopy (%s)", err);
	ok(b.symlen == 11 && memcmp(b.sym, "NSE:SBIN-EQ", 11) == 0, "symbol NSE:SYMBOL-SERIES");
	is_int(b.v, 12045678, "TOTTRDQTY");
	is_int(b.ts, T("2023-06-05T00:00:00+05:30"), "TIMESTAMP is the date");
	is_int(ROW("TradDt,BizDt,Sgmt,Src,FinInstrmTp,FinInstrmId,ISIN,TckrSymb,SctySrs,OpnPric,HghPric,LwPric,ClsPric,TtlTradgVol",
		"2024-07-08,2024-07-08,CM,NSE,STK,3045,INE062A01020,SBIN,EQ,850.00,855.5,845.1,852.3,9876543"),
		0, "UDiFF bhavcopy (%s)", err);
	ok(b.symlen == 11 && memcmp(b.sym, "NSE:SBIN-EQ", 11) == 0, "TckrSymb and SctySrs");
	is_int(b.c, 8523000, "ClsPric");
	is_int(ROW("symbol,series,date,open,high,low,close,volume", "NSE:SBIN-EQ,EQ,2023-06-05,1,2,1,1,1"), 0,
		"a symbol with an exchange stays");
	ok(b.symlen == 11 && memcmp(b.sym, "NSE:SBIN-EQ", 11) == 0, "unchanged");

	memset(&imp, 0, sizeof imp);
	is_int(algo_csv_import_columns(&imp, "Date=timestamp, Shares Traded = volume,Price=close", err, sizeof err), 0,
		"column map parsed (%s)", err);
	is_int(imp.nmap, 3, "three entries");
	is_int(decode_with(&imp, "Date,Open,High,Low,Price,Close,Shares Traded,Volume\n2023-06-05,1,2,1,1.5,9,7,8\n",
		&b, &m, err, sizeof err), 0, "mapped (%s)", err);
	is_int(b.c, 15000, "close from Price, not Close");
	is_int(b.v, 7, "volume from Shares Traded, not Volume");
	is_int(decode_with(&imp, "Date,Open,High,Low,Close,Volume\n2023-06-05,1,2,1,1,1\n", &b, &m, err, sizeof err), -9,
		"a mapped name the header lacks");
	is_str(err, "no column 'Price' (mapped to close by --columns) in the header", "message");
	is_int(decode_with(&imp, "Date,Open,High,Low,Price,Shares Traded\n2023-06-05,1,2,1,0,7\n", &b, &m, err, sizeof err), -1,
		"bad mapped value");
	is_str(err, "field 'close' (column 'Price'): 0 is not a positive price", "names the column");
	memset(&imp, 0, sizeof imp);
	is_int(algo_csv_import_columns(&imp, "Date", err, sizeof err), -1, "not NAME=ROLE");
	is_str(err, "'Date' is not NAME=ROLE", "message");
	is_int(algo_csv_import_columns(&imp, "Date=when", err, sizeof err), -1, "unknown role");
	ok(strstr(err, "unknown role 'when'") != NULL, "message: %s", err);
	memset(&imp, 0, sizeof imp);
	is_int(algo_csv_import_columns(&imp, "A=close,B=close", err, sizeof err), -1, "a role twice");
	is_str(err, "role 'close' is given twice", "message");
	memset(&imp, 0, sizeof imp);
	is_int(algo_csv_import_columns(&imp, "=close", err, sizeof err), -1, "empty name");

	memset(&imp, 0, sizeof imp);
	algo_csv_import_date_format(&imp, "%m/%d/%Y", err, sizeof err);
	is_int(decode_with(&imp, "Date,Time,Open,High,Low,Close,Volume\n06/05/2023,0915,1,2,1,1,1\n", &b, &m, err, sizeof err),
		0, "--date-format on the date column, HHMM time (%s)", err);
	is_int(b.ts, T("2023-06-05T09:15:00+05:30"), "06/05/2023 is June 5th");
	is_int(decode_with(&imp, "Date,Open,High,Low,Close,Volume\n2023-06-05,1,2,1,1,1\n", &b, &m, err, sizeof err),
		-1, "a date not in the format");
	is_str(err, "field 'date': '2023-06-05' does not match --date-format '%m/%d/%Y'", "message");
	algo_csv_import_date_format(&imp, "%m/%d/%Y %H:%M", err, sizeof err);
	is_int(decode_with(&imp, "Date,Time,Open,High,Low,Close,Volume\n06/05/2023,0915,1,2,1,1,1\n", &b, &m, err, sizeof err),
		-9, "a format with a clock and a time column");
	ok(strstr(err, "separate time column") != NULL, "message: %s", err);
	is_int(ROW("Date,Open,High,Low,Close,Volume", "06/25/2023,1,2,1,1,1"), -1, "a US date");
	is_str(err, "field 'date': cannot parse '06/25/2023' as a time: read day first, its month is over 12",
		"message");
	is_int(b.hint, ALGO_CSV_HINT_DATE_FORMAT, "hint: --date-format");
#undef ROW
	decode_done();
}

static const char *sym(const char *path)
{
	static char out[64];
	if (algo_csv_symbol_from_path(path, out, sizeof out) == 0)
		return "(none)";
	return out;
}

static void test_symbol_from_path(void)
{
	is_str(sym("data/NSE_SBIN-EQ_1m.csv"), "NSE:SBIN-EQ", "exchange prefix and _1m");
	is_str(sym("NSE_SBIN-EQ.csv"), "NSE:SBIN-EQ", "without tf");
	is_str(sym("/x/y/BSE_TCS-EQ_5m.csv"), "BSE:TCS-EQ", "BSE, _5m");
	is_str(sym("NFO_NIFTY23JUNFUT_15m.txt"), "NFO:NIFTY23JUNFUT", "NFO, _15m");
	is_str(sym("MCX_GOLD_1d.csv"), "MCX:GOLD", "MCX, _1d");
	is_str(sym("BFO_SENSEX_1h"), "BFO:SENSEX", "no extension");
	is_str(sym("CDS_USDINR.csv"), "CDS:USDINR", "CDS");
	is_str(sym("my_data.csv"), "my_data", "an _ that is not a tf stays");
	is_str(sym("sbin_2d.csv"), "sbin_2d", "2d is not a timeframe");
	is_str(sym("XYZ_ABC.csv"), "XYZ_ABC", "unknown exchange stays");
	is_str(sym("NSE_.csv"), "NSE_", "nothing after the prefix");
	is_str(sym("_1m.csv"), "_1m", "only a tf");
	is_str(sym(".csv"), ".csv", "dot file");
	is_str(sym("dir/"), "(none)", "no base name");
}

static int64_t guess(const char *const *ts, int n, const int *symv)
{
	struct algo_csv_tf g;
	algo_csv_tf_init(&g);
	for (int i = 0; i < n; i++)
		algo_csv_tf_add(&g, symv ? symv[i] : 0, P(ts[i]));
	return algo_csv_tf_guess(&g);
}

static void test_tf_guess(void)
{
	static const char *const m5[] = { "2023-06-05 09:15", "2023-06-05 09:20", "2023-06-05 09:30",
		"2023-06-05 09:35", "2023-06-06 09:15", "2023-06-06 09:20" };
	static const char *const m1sym[] = { "2023-06-05 09:15", "2023-06-05 09:15", "2023-06-05 09:16",
		"2023-06-05 09:16" };
	static const int syms2[] = { 0, 1, 0, 1 };
	static const char *const tie[] = { "2023-06-05 09:15", "2023-06-05 09:17", "2023-06-05 09:20" };
	static const char *const d[] = { "2023-06-02", "2023-06-05", "2023-06-06" };
	static const char *const d1530[] = { "2023-06-02 15:30", "2023-06-05 15:30" };
	static const char *const one[] = { "2023-06-05 09:15" };
	static const char *const back[] = { "2023-06-05 09:15", "2023-06-05 09:10", "2023-06-05 09:11" };
	struct algo_csv_tf g;

	is_int(guess(m5, 6, NULL), 300, "5m: the 10m gap and the overnight gap lose");
	is_int(guess(m1sym, 4, syms2), 60, "gaps are per symbol");
	is_int(guess(m1sym, 4, NULL), 60, "zero gaps do not count");
	is_int(guess(tie, 3, NULL), 120, "a tie goes to the smaller gap");
	is_int(guess(d, 3, NULL), 86400, "dates give 1d");
	is_int(guess(d1530, 2, NULL), 86400, "one bar a day at 15:30 gives 1d");
	is_int(guess(d, 1, NULL), 86400, "one bar at midnight gives 1d");
	is_int(guess(one, 1, NULL), 0, "one intraday bar: cannot tell");
	is_int(guess(back, 3, NULL), 60, "backward steps ignored");
	is_int(guess(NULL, 0, NULL), 0, "no bars: cannot tell");
	algo_csv_tf_init(&g);
	for (int i = 0; i < 1000; i++)
		algo_csv_tf_add(&g, 0, P("2023-06-05 09:15") + (i < 200 ? 60000LL : 300000LL) * i);
	is_int(g.nbars, ALGO_CSV_TF_WINDOW, "only the first %d bars are used", ALGO_CSV_TF_WINDOW);
	is_int(algo_csv_tf_guess(&g), 60, "so later spacing does not matter");
}

int main(void)
{
	test_reader();
	test_sniff_bom();
	test_bad_records();
	test_boundaries();
	test_find_column();
	test_time();
	test_time_forms();
	test_rows();
	test_import_rows();
	test_symbol_from_path();
	test_tf_guess();
	return tap_done();
}
