/* csv — a streaming CSV reader for market data: bounded records, quoted fields with
 * "" escapes, CRLF, a UTF-8 BOM, ',' / ';' / tab delimiter sniffed from the header
 * line; a header-mapping helper; the timestamp formats found in OHLCV exports; and a
 * decoder that turns one record into a validated bar with exact prices.
 *
 * Hot path: algo_csv_next hands out field pointers into the reader's buffer (valid
 * until the next call) and never allocates. */
#ifndef ALGO_CSV_H
#define ALGO_CSV_H
#include <stddef.h>
#include <stdint.h>

#define ALGO_CSV_RECORD_MAX 65536     /* bytes of one record, line ends excluded */
#define ALGO_CSV_MAXFIELDS 256        /* fields of one record */

struct algo_csv {
	int fd;
	int own_fd;
	int regular;          /* fd is a regular file (reads never block) */
	const char *name;     /* for messages: the path, or "stdin" */
	char *buf;
	size_t cap, start, end;
	char delim;           /* 0 = sniff from the first record; set before the first read to force */
	int bom_checked;
	int eof;
	int skipping;         /* inside the rest of an over-long record */
	long lineno;          /* 1-based line where the record last returned starts */
	long nextline;        /* line number of the next unread byte */
	uint64_t bytes;       /* bytes read from fd so far (for progress) */
	int64_t size;         /* size of a regular file, else -1 */
	int nf;               /* fields of the record last returned */
	const char *f[ALGO_CSV_MAXFIELDS];
	size_t n[ALGO_CSV_MAXFIELDS];
	/* Called just before a read() that may block (not for regular files), so the
	 * caller can flush its output first. */
	void (*before_read)(void *arg);
	void *before_read_arg;
};

/* Opens path ("-" = stdin, named "stdin") for reading. Returns 0, or -1 with a message
 * in err ("path: No such file or directory"; errno kept so ENOENT can become exit 66).
 * Free with algo_csv_close. */
int algo_csv_open(struct algo_csv *c, const char *path, char *err, size_t errlen);
/* Wraps an already open fd, which algo_csv_close does not close. name is borrowed. */
int algo_csv_fdopen(struct algo_csv *c, int fd, const char *name, char *err, size_t errlen);
/* Frees the buffer and closes an fd the reader opened. Safe on a zeroed struct. */
void algo_csv_close(struct algo_csv *c);

/* Reads the next non-blank record. Returns 1 with c->nf, c->f[], c->n[] and c->lineno
 * set (fields unquoted in place, a trailing '\r' removed), 0 at end of input, -1 for a
 * bad record that the caller may skip (longer than ALGO_CSV_RECORD_MAX, more than
 * ALGO_CSV_MAXFIELDS fields, an unterminated quote at end of input; c->lineno names
 * it), or -2 on a read error. err is set on -1 and -2. */
int algo_csv_next(struct algo_csv *c, char *err, size_t errlen);

/* Index of the first field of the current record (a header) equal to any of names
 * (NULL-terminated), ignoring case and surrounding blanks; -1 when none matches. */
int algo_csv_find_column(const struct algo_csv *c, const char *const *names);

/* Parses a calendar date alone into days since 1970-01-01: "YYYY-MM-DD" (also '/' or
 * '.', one-digit months and days), "YYYYMMDD", day first "DD-MM-YYYY" ('/', '.'),
 * "05-Jun-2023", "05 JUN 2023", "5-June-23" (a month name allows a two-digit year,
 * 20YY), or "Jun 05, 2023". Returns 0 or -1. */
int algo_csv_parse_date(const char *s, size_t n, int64_t *days);
/* Parses a clock time "HH:MM", "H:MM", "HH:MM:SS", "HH:MM:SS.fff", "HHMM" or "HHMMSS",
 * optionally followed by "AM"/"PM", into ms since midnight. Returns 0 or -1. */
int algo_csv_parse_clock(const char *s, size_t n, int64_t *ms);
/* Parses a timestamp in any of the accepted forms into UTC epoch ms: a date as
 * algo_csv_parse_date takes it, then optionally 'T' or blanks and a clock as
 * algo_csv_parse_clock takes it, then optionally an offset ("Z", "+05:30", "+0530",
 * "+05"; none means IST); a date alone is 00:00 IST; or epoch seconds / milliseconds
 * (>= 1e11 means milliseconds), optionally with a fraction of up to 3 digits for
 * seconds. Surrounding blanks are ignored. Returns 0 or -1. */
int algo_csv_parse_time(const char *s, size_t n, int64_t *ms);

/* Parses s (n bytes, surrounding blanks ignored) with a strptime-like format into UTC
 * epoch ms: %Y (4-digit year), %y (2 digits: 69-99 are 19YY), %m, %d, %e (1 or 2
 * digits), %b %B %h (a month name, "Jun" or "June", any case), %H %I (1 or 2 digits),
 * %M %S (2 digits), %f (a fraction of a second), %p (AM/PM), %z ("Z", "+05:30",
 * "+0530", "+05"; without it the time is IST), %s (epoch seconds), %T (= %H:%M:%S),
 * %% (a '%'); a blank matches one or more blanks; other characters match themselves.
 * Returns 0 or -1. The format must have passed algo_csv_import_date_format. */
int algo_csv_parse_format(const char *fmt, const char *s, size_t n, int64_t *ms);

/* Column roles, for --columns NAME=ROLE and for messages. */
enum { ALGO_CSV_TS, ALGO_CSV_DATE, ALGO_CSV_TIME, ALGO_CSV_OPEN, ALGO_CSV_HIGH, ALGO_CSV_LOW,
	ALGO_CSV_CLOSE, ALGO_CSV_VOLUME, ALGO_CSV_OI, ALGO_CSV_SYMBOL, ALGO_CSV_SERIES, ALGO_CSV_ROLES };

#define ALGO_CSV_MAP_MAX 16
#define ALGO_CSV_FMT_MAX 64
#define ALGO_CSV_LABEL_MAX 96

/* How to read files whose layout is not recognised by itself. A zeroed struct means
 * the defaults: recognise the date forms and column names, refuse prices with more
 * than 4 decimals. Filled by the algo_csv_import_* functions. */
struct algo_csv_import {
	char date_fmt[ALGO_CSV_FMT_MAX];  /* "" = recognise the date forms */
	int fmt_clock;                    /* the format has a time of day (%H, %s, %T) */
	int round;                        /* round prices to 4 decimals, half away from zero */
	int nmap;
	struct { char name[64]; int role; } map[ALGO_CSV_MAP_MAX];
};

/* Adds the column map spec "NAME=ROLE,NAME=ROLE" (ROLE: timestamp (or ts, datetime),
 * date, time, open, high, low, close, volume, oi, symbol, series; NAME matched like a
 * header name, ignoring case and surrounding blanks). Returns 0, or -1 with err. */
int algo_csv_import_columns(struct algo_csv_import *imp, const char *spec, char *err, size_t errlen);
/* Sets the date format (see algo_csv_parse_format). Returns 0, or -1 with err naming
 * an unknown directive or a format without a day, month and year (or %s). */
int algo_csv_import_date_format(struct algo_csv_import *imp, const char *fmt, char *err, size_t errlen);

/* Column map of an OHLCV file, -1 for an absent column. */
struct algo_csv_cols {
	int ts;               /* timestamp|datetime|date_time|ts, or time alone, or date alone */
	int date, time;       /* separate date and time columns (ts == -1) */
	int open, high, low, close, volume;
	int oi;               /* optional */
	int symbol;           /* optional */
	int series;           /* optional: with a symbol column, the symbol is NSE:SYMBOL-SERIES */
	const char *tsname;   /* name of the ts column for messages: "timestamp", "time", "date" */
	int ncols;            /* fields in the header */
	const struct algo_csv_import *imp;   /* borrowed; NULL = defaults */
	/* Each role's name in messages: "'open'", or "'volume' (column 'Shares Traded')"
	 * when the header names it otherwise. */
	char label[ALGO_CSV_ROLES][ALGO_CSV_LABEL_MAX];
};

/* Maps the current record as a header, with imp's column map first (NULL = none),
 * then the usual names, then the names of known exports (NSE historical data and
 * bhavcopies, Kite, FYERS, Yahoo, TradingView). imp is borrowed for decoding.
 * Returns 0, or -1 with err naming the first missing required column ("missing column
 * 'open'") or a mapped name the header lacks. */
int algo_csv_map_header_with(const struct algo_csv *c, const struct algo_csv_import *imp,
	struct algo_csv_cols *m, char *err, size_t errlen);
/* algo_csv_map_header_with without an import map. */
int algo_csv_map_header(const struct algo_csv *c, struct algo_csv_cols *m, char *err, size_t errlen);

/* What the caller could tell the user after a bad row. */
enum { ALGO_CSV_HINT_NONE, ALGO_CSV_HINT_ROUND, ALGO_CSV_HINT_DATE_FORMAT };

/* One decoded row. sym/symlen point into the reader's buffer or into symbuf (NULL
 * when the file has no symbol column) and are valid until the next algo_csv_next. */
struct algo_csv_bar {
	int64_t ts;           /* open time, UTC epoch ms */
	int64_t o, h, l, c;   /* exact decimals (lib/decimal.h) */
	int64_t v;
	int64_t oi;           /* -1 when absent or empty */
	const char *sym;
	size_t symlen;
	char symbuf[64];
	int hint;             /* on -1: ALGO_CSV_HINT_* */
};

/* Decodes and validates the current record with map m: column count, time, prices
 * > 0 with at most 4 decimals (more are rounded with m->imp->round), h >= max(o,c),
 * l <= min(o,c), integer v >= 0 (and oi), a non-empty symbol of at most 63 bytes.
 * Numbers may use grouping commas ("1,23,456.50"), a decimal comma ("612,40"; in a
 * file delimited by ',' only when the comma is not followed by exactly three digits)
 * and an exponent ("1e3"). Returns 0; 1 for a row without prices (every price empty
 * or "null", as Yahoo writes for holidays), which the caller skips; or -1 with err
 * such as "field 'high': 611.00 is below max(open, close) 612.05" and b->hint set.
 * Does not check time order. */
int algo_csv_decode_bar(const struct algo_csv *c, const struct algo_csv_cols *m,
	struct algo_csv_bar *b, char *err, size_t errlen);

/* Symbol from a data file's name: the base name without its extension, a leading
 * exchange prefix "NSE_" "BSE_" "NFO_" "MCX_" "BFO_" "CDS_" turned into "NSE:" …, a
 * trailing "_<tf>" ("_1m", "_5m", "_1d") dropped: "data/NSE_SBIN-EQ_1m.csv" ->
 * "NSE:SBIN-EQ". Returns the length written to out (NUL-terminated), or 0 when
 * nothing is left or it does not fit. */
size_t algo_csv_symbol_from_path(const char *path, char *out, size_t outlen);

/* Timeframe inference from the first bars of a file, in bounded memory: feed up to
 * ALGO_CSV_TF_WINDOW bars (any symbols, file order) to algo_csv_tf_add, then ask
 * algo_csv_tf_guess. */
#define ALGO_CSV_TF_WINDOW 256
struct algo_csv_tf {
	int nbars, nseen, ngaps;
	int midnight;         /* every bar opened at 00:00 IST */
	int overnight;        /* some symbol's consecutive bars are on different days */
	struct { int sym; int64_t last; } seen[ALGO_CSV_TF_WINDOW];
	struct { int64_t gap; int n; } gaps[ALGO_CSV_TF_WINDOW];
};
/* Zeroes g. */
void algo_csv_tf_init(struct algo_csv_tf *g);
/* Adds one bar of symbol id sym opening at ts (epoch ms). Ignored once the window is
 * full. */
void algo_csv_tf_add(struct algo_csv_tf *g, int sym, int64_t ts);
/* The timeframe in seconds: the most common positive gap between consecutive bars of
 * one symbol within one IST day (the smaller gap on a tie); without such gaps 86400
 * when bars were a day or more apart or all at midnight; else 0 (cannot tell). */
int64_t algo_csv_tf_guess(const struct algo_csv_tf *g);

#endif
