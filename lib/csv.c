/* csv — streaming CSV reader, header mapping, timestamps, OHLCV row decoding. */
#include "csv.h"
#include "decimal.h"
#include "timeutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* One full record plus a read chunk always fit after compaction. */
#define CSV_CAP (2 * ALGO_CSV_RECORD_MAX + 4)
#define IST_MS ((int64_t)ALGO_IST_OFFSET_MIN * 60000)

/* ---- reader ----------------------------------------------------------------- */

int algo_csv_fdopen(struct algo_csv *c, int fd, const char *name, char *err, size_t errlen)
{
	struct stat st;

	memset(c, 0, sizeof *c);
	c->fd = fd;
	c->name = name;
	c->nextline = 1;
	c->size = -1;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		c->regular = 1;
		c->size = (int64_t)st.st_size;
	}
	c->cap = CSV_CAP;
	c->buf = malloc(c->cap);
	if (!c->buf) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

int algo_csv_open(struct algo_csv *c, const char *path, char *err, size_t errlen)
{
	int fd, e;

	if (strcmp(path, "-") == 0)
		return algo_csv_fdopen(c, 0, "stdin", err, errlen);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		memset(c, 0, sizeof *c);
		c->fd = -1;
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		errno = e;
		return -1;
	}
	if (algo_csv_fdopen(c, fd, path, err, errlen) < 0) {
		close(fd);
		return -1;
	}
	c->own_fd = 1;
	return 0;
}

void algo_csv_close(struct algo_csv *c)
{
	if (c->own_fd && c->fd >= 0)
		close(c->fd);
	free(c->buf);
	c->buf = NULL;
	c->own_fd = 0;
	c->fd = -1;
}

/* Compacts the buffer and reads more. Returns >0 bytes read, 0 at end, -2 on error. */
static int fill(struct algo_csv *c, char *err, size_t errlen)
{
	ssize_t r;

	if (c->start > 0) {
		memmove(c->buf, c->buf + c->start, c->end - c->start);
		c->end -= c->start;
		c->start = 0;
	}
	if (c->eof || c->end >= c->cap)
		return 0;
	if (!c->regular && c->before_read)
		c->before_read(c->before_read_arg);
	for (;;) {
		r = read(c->fd, c->buf + c->end, c->cap - c->end);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(err, errlen, "read error: %s", strerror(errno));
			return -2;
		}
		if (r == 0) {
			c->eof = 1;
			return 0;
		}
		c->end += (size_t)r;
		c->bytes += (uint64_t)r;
		return 1;
	}
}

/* Picks the delimiter that occurs most often (outside quotes) in the first
 * non-blank line of the buffer; ',' on a tie or when there is none. */
static void sniff(struct algo_csv *c)
{
	size_t i = c->start;
	int inq = 0, ncomma = 0, nsemi = 0, ntab = 0, content = 0;

	for (; i < c->end; i++) {
		char ch = c->buf[i];
		if (ch == '"')
			inq = !inq;
		else if (inq)
			continue;
		else if (ch == '\n') {
			if (content)
				break;
		} else if (ch == ',')
			ncomma++;
		else if (ch == ';')
			nsemi++;
		else if (ch == '\t')
			ntab++;
		if (ch != '\r' && ch != '\n')
			content = 1;
	}
	c->delim = ',';
	if (nsemi > ncomma && nsemi >= ntab)
		c->delim = ';';
	else if (ntab > ncomma && ntab > nsemi)
		c->delim = '\t';
}

/* Copies a quoted field's raw bytes (after the opening quote) in place, turning ""
 * into " and dropping the closing quote. Returns the new length. */
static size_t unquote(char *p, size_t n)
{
	size_t i = 0, o = 0;
	int inq = 1;

	while (i < n) {
		if (inq && p[i] == '"') {
			if (i + 1 < n && p[i + 1] == '"') {
				p[o++] = '"';
				i += 2;
				continue;
			}
			inq = 0;
			i++;
			continue;
		}
		p[o++] = p[i++];
	}
	return o;
}

int algo_csv_next(struct algo_csv *c, char *err, size_t errlen)
{
	size_t fo[ALGO_CSV_MAXFIELDS], fe[ALGO_CSV_MAXFIELDS];
	unsigned char fq[ALGO_CSV_MAXFIELDS];
	int r;

	for (;;) {
		size_t i, fstart, recend;
		int inq = 0, quoted = 0, nf = 0, toomany = 0, atstart = 1, more = 0, last;
		long lines = 0;
		const char d = c->delim;

		if (!c->bom_checked || c->skipping || c->delim == 0) {
			/* Need a little look-ahead for the BOM and a whole line for sniffing. */
			if (!c->bom_checked && c->end - c->start < 3 && !c->eof) {
				if ((r = fill(c, err, errlen)) < 0)
					return r;
				if (r > 0)
					continue;
			}
			if (!c->bom_checked) {
				c->bom_checked = 1;
				if (c->end - c->start >= 3 && memcmp(c->buf + c->start, "\xEF\xBB\xBF", 3) == 0)
					c->start += 3;
			}
			if (c->skipping) {
				char *nl = memchr(c->buf + c->start, '\n', c->end - c->start);
				if (!nl) {
					c->start = c->end;
					if (c->eof) {
						c->skipping = 0;
						return 0;
					}
					if ((r = fill(c, err, errlen)) < 0)
						return r;
					continue;
				}
				c->start = (size_t)(nl - c->buf) + 1;
				c->nextline++;
				c->skipping = 0;
				continue;
			}
			if (c->delim == 0) {
				int seen = 0;
				for (i = c->start; i < c->end; i++) {
					if (c->buf[i] == '\n' && seen)
						break;
					if (c->buf[i] != '\n' && c->buf[i] != '\r')
						seen = 1;
				}
				if (i == c->end && !c->eof && c->end - c->start <= ALGO_CSV_RECORD_MAX) {
					if ((r = fill(c, err, errlen)) < 0)
						return r;
					continue;
				}
				sniff(c);
				continue;
			}
		}

		i = fstart = c->start;
		recend = (size_t)-1;
		while (i < c->end) {
			char ch = c->buf[i];
			if (inq) {
				if (ch == '"') {
					if (i + 1 == c->end && !c->eof) {
						more = 1;   /* cannot tell "" from a closing quote yet */
						break;
					}
					if (i + 1 < c->end && c->buf[i + 1] == '"') {
						i += 2;
						continue;
					}
					inq = 0;
				} else if (ch == '\n')
					lines++;
				i++;
				continue;
			}
			if (atstart) {
				atstart = 0;
				if (ch == '"') {
					inq = quoted = 1;
					fstart = ++i;
					continue;
				}
			}
			/* the common case: an unquoted run up to a delimiter or newline */
			{
				const char *b = c->buf;
				const size_t end = c->end;
				while (i < end && b[i] != d && b[i] != '\n')
					i++;
				if (i == end)
					break;
				ch = b[i];
			}
			if (nf < ALGO_CSV_MAXFIELDS) {
				fo[nf] = fstart;
				fe[nf] = i;
				fq[nf] = (unsigned char)quoted;
				nf++;
			} else
				toomany = 1;
			fstart = i + 1;
			quoted = 0;
			atstart = 1;
			if (ch == '\n') {
				recend = i;
				break;
			}
			i++;
		}
		if (recend == (size_t)-1 && (more || !c->eof)) {
			if (c->end - c->start > ALGO_CSV_RECORD_MAX + 1) {
				c->lineno = c->nextline;
				c->nextline += lines;
				c->start = c->end;
				c->skipping = 1;
				snprintf(err, errlen, "record longer than %d bytes", ALGO_CSV_RECORD_MAX);
				return -1;
			}
			if ((r = fill(c, err, errlen)) < 0)
				return r;
			continue;
		}
		last = recend == (size_t)-1;   /* the final record, without a newline */
		if (last) {
			if (c->start == c->end)
				return 0;
			if (nf < ALGO_CSV_MAXFIELDS) {
				fo[nf] = fstart;
				fe[nf] = c->end;
				fq[nf] = (unsigned char)quoted;
				nf++;
			} else
				toomany = 1;
			recend = c->end;
		}
		c->lineno = c->nextline;
		c->nextline += lines + (last ? 0 : 1);
		{
			size_t next = last ? c->end : recend + 1;
			size_t len = recend - c->start;
			/* A '\r' before the newline is outside any quote here: drop it. */
			if (nf > 0 && fe[nf - 1] > fo[nf - 1] && c->buf[fe[nf - 1] - 1] == '\r') {
				fe[nf - 1]--;
				len--;
			}
			c->start = next;
			if (inq) {
				snprintf(err, errlen, "unterminated quoted field");
				return -1;
			}
			if (len > ALGO_CSV_RECORD_MAX) {
				snprintf(err, errlen, "record longer than %d bytes", ALGO_CSV_RECORD_MAX);
				return -1;
			}
			if (toomany) {
				snprintf(err, errlen, "more than %d fields", ALGO_CSV_MAXFIELDS);
				return -1;
			}
			if (nf == 1 && !fq[0] && fe[0] == fo[0])
				continue;   /* blank line */
		}
		for (int k = 0; k < nf; k++) {
			c->f[k] = c->buf + fo[k];
			c->n[k] = fq[k] ? unquote(c->buf + fo[k], fe[k] - fo[k]) : fe[k] - fo[k];
		}
		c->nf = nf;
		return 1;
	}
}

static inline int blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

static inline void trim(const char **s, size_t *n)
{
	if (*n == 0 || (!blank(**s) && !blank((*s)[*n - 1])))
		return;
	while (*n > 0 && blank(**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && blank((*s)[*n - 1]))
		(*n)--;
}

static int lower(int ch)
{
	return ch >= 'A' && ch <= 'Z' ? ch + 32 : ch;
}

int algo_csv_find_column(const struct algo_csv *c, const char *const *names)
{
	for (int k = 0; k < c->nf; k++) {
		const char *s = c->f[k];
		size_t n = c->n[k];
		trim(&s, &n);
		for (const char *const *nm = names; *nm; nm++) {
			size_t len = strlen(*nm), j;
			if (len != n)
				continue;
			for (j = 0; j < n && lower((unsigned char)s[j]) == (*nm)[j]; j++)
				;
			if (j == n)
				return k;
		}
	}
	return -1;
}

/* ---- timestamps ------------------------------------------------------------- */

static int is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

static int is_alpha(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

/* Reads exactly n digits at s. Returns the value or -1. */
static int64_t num(const char *s, size_t n)
{
	int64_t v = 0;

	for (size_t i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* Reads min to max digits at s + *i, advancing *i. Returns the value or -1. */
static int64_t digits(const char *s, size_t n, size_t *i, size_t min, size_t max)
{
	int64_t v = 0;
	size_t k = 0;

	while (*i < n && k < max && is_digit(s[*i])) {
		v = v * 10 + (s[*i] - '0');
		(*i)++;
		k++;
	}
	return k >= min ? v : -1;
}

static int mdays(int64_t y, int64_t m)
{
	static const int dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dm[m - 1];
}

static int ymd(int64_t y, int64_t m, int64_t d, int64_t *days)
{
	if (y < 0 || m < 1 || m > 12 || d < 1 || d > mdays(y, m))
		return -1;
	*days = algo_days_from_civil(y, (unsigned)m, (unsigned)d);
	return 0;
}

/* A month name at s + *i ("Jun", "JUN", "June", "Sept"), advancing *i. Returns 1..12
 * or -1. */
static int month_name(const char *s, size_t n, size_t *i)
{
	static const char *const full[] = { "january", "february", "march", "april", "may", "june",
		"july", "august", "september", "october", "november", "december" };
	char w[12];
	size_t k = 0;

	while (*i + k < n && is_alpha(s[*i + k])) {
		if (k == sizeof w - 1)
			return -1;
		w[k] = (char)lower((unsigned char)s[*i + k]);
		k++;
	}
	w[k] = 0;
	for (int m = 0; m < 12 && k >= 3; m++)
		if ((k == 3 && memcmp(w, full[m], 3) == 0) || strcmp(w, full[m]) == 0 ||
		    (m == 8 && strcmp(w, "sept") == 0)) {
			*i += k;
			return m + 1;
		}
	return -1;
}

/* A two-digit year after a month name: 20YY. */
static int64_t year_at(const char *s, size_t n, size_t *i, int allow_short)
{
	size_t at = *i;
	int64_t y = digits(s, n, i, 2, 4);
	if (y < 0 || (*i - at != 4 && !(allow_short && *i - at == 2)))
		return -1;
	return *i - at == 2 ? 2000 + y : y;
}

/* ymd for a text whose form is known: *why = 2 when the date does not exist. */
static int known_ymd(int *why, int64_t y, int64_t m, int64_t d, int64_t *days)
{
	if (ymd(y, m, d, days) == 0)
		return 0;
	*why = 2;
	return -1;
}

/* A date at the start of s; *used gets the bytes consumed. On failure *us says why:
 * 0 no date form fits, 1 it reads as a month-first (US) date ("06/25/2023"), 2 a form
 * fits but the date does not exist. */
static int date_prefix(const char *s, size_t n, int64_t *days, size_t *used, int *us)
{
	size_t i = 0;
	int64_t a, b, y;
	char sep;

	*us = 0;
	if (n >= 8 && num(s, 8) >= 0 && (n == 8 || !is_digit(s[8]))) {        /* YYYYMMDD */
		*used = 8;
		return known_ymd(us, num(s, 4), num(s + 4, 2), num(s + 6, 2), days);
	}
	if (n > 0 && is_alpha(s[0])) {                                        /* Jun 05, 2023 */
		int m = month_name(s, n, &i);
		if (m < 0 || i >= n || s[i] != ' ')
			return -1;
		while (i < n && s[i] == ' ') i++;
		if ((a = digits(s, n, &i, 1, 2)) < 0)
			return -1;
		if (i < n && s[i] == ',') i++;
		if (i >= n || s[i] != ' ')
			return -1;
		while (i < n && s[i] == ' ') i++;
		if ((y = year_at(s, n, &i, 0)) < 0)
			return -1;
		*used = i;
		return known_ymd(us, y, m, a, days);
	}
	if ((a = digits(s, n, &i, 1, 4)) < 0 || i >= n)
		return -1;
	sep = s[i];
	if (sep != '-' && sep != '/' && sep != '.' && sep != ' ')
		return -1;
	if (i == 4) {                                                         /* YYYY-MM-DD */
		i++;
		if (sep == ' ' || (b = digits(s, n, &i, 1, 2)) < 0 || i >= n || s[i] != sep)
			return -1;
		i++;
		if ((y = digits(s, n, &i, 1, 2)) < 0)
			return -1;
		*used = i;
		return known_ymd(us, a, b, y, days);
	}
	if (i > 2)
		return -1;
	i++;
	if (i < n && is_alpha(s[i])) {                                        /* 05-Jun-2023 */
		int m = month_name(s, n, &i);
		if (m < 0 || i >= n || s[i] != sep)
			return -1;
		i++;
		if ((y = year_at(s, n, &i, 1)) < 0)
			return -1;
		*used = i;
		return known_ymd(us, y, m, a, days);
	}
	if (sep == ' ' || (b = digits(s, n, &i, 1, 2)) < 0 || i >= n || s[i] != sep)
		return -1;
	i++;                                                                  /* DD-MM-YYYY */
	if ((y = year_at(s, n, &i, 0)) < 0)
		return -1;
	*used = i;
	if (ymd(y, b, a, days) == 0)
		return 0;
	*us = b > 12 && a <= 12 && ymd(y, a, b, days) == 0 ? 1 : 2;
	return -1;
}

int algo_csv_parse_date(const char *s, size_t n, int64_t *days)
{
	size_t used;
	int us;

	trim(&s, &n);
	if (date_prefix(s, n, days, &used, &us) < 0 || used != n)
		return -1;
	return 0;
}

/* "AM"/"PM" (any case) at s + *i after optional blanks: 0 none, 1 AM, 2 PM. */
static int meridiem(const char *s, size_t n, size_t *i)
{
	size_t k = *i;
	while (k < n && s[k] == ' ')
		k++;
	if (k + 2 > n || lower((unsigned char)s[k + 1]) != 'm' || (k + 2 < n && is_alpha(s[k + 2])))
		return 0;
	if (lower((unsigned char)s[k]) != 'a' && lower((unsigned char)s[k]) != 'p')
		return 0;
	*i = k + 2;
	return lower((unsigned char)s[k]) == 'a' ? 1 : 2;
}

/* 12-hour clock to 24: 12 AM is 0, 1 PM is 13. Returns -1 for hours outside 1..12. */
static int64_t hour24(int64_t h, int mer)
{
	if (!mer)
		return h;
	if (h < 1 || h > 12)
		return -1;
	return h % 12 + (mer == 2 ? 12 : 0);
}

/* A fraction of a second after '.' or ',' at s + *i, in ms. Returns 0 or -1. */
static int fraction(const char *s, size_t n, size_t *i, int64_t *frac)
{
	size_t k = 0;
	*frac = 0;
	for (; *i < n && is_digit(s[*i]); (*i)++, k++)
		if (k < 3)
			*frac = *frac * 10 + (s[*i] - '0');
	if (k == 0 || k > 9)
		return -1;
	for (; k < 3; k++)
		*frac *= 10;
	return 0;
}

/* Clock at the start of s; *used gets the bytes consumed. */
static int clock_prefix(const char *s, size_t n, int64_t *ms, size_t *used)
{
	int64_t h, m, sec = 0, frac = 0;
	size_t i = 0;
	int mer;

	if ((h = digits(s, n, &i, 1, 6)) < 0)
		return -1;
	if (i == 4 || i == 6) {                  /* HHMM, HHMMSS */
		if (i == 6)
			sec = h % 100, h /= 100;
		m = h % 100;
		h /= 100;
	} else {
		if (i > 2 || i >= n || s[i] != ':')
			return -1;
		i++;
		if ((m = digits(s, n, &i, 2, 2)) < 0)
			return -1;
		if (i < n && s[i] == ':') {
			i++;
			if ((sec = digits(s, n, &i, 2, 2)) < 0)
				return -1;
			if (i < n && (s[i] == '.' || s[i] == ',')) {
				i++;
				if (fraction(s, n, &i, &frac) < 0)
					return -1;
			}
		}
	}
	mer = meridiem(s, n, &i);
	if ((h = hour24(h, mer)) < 0 || h > 23 || m > 59 || sec > 59)
		return -1;
	*ms = ((h * 60 + m) * 60 + sec) * 1000 + frac;
	*used = i;
	return 0;
}

int algo_csv_parse_clock(const char *s, size_t n, int64_t *ms)
{
	size_t used;

	trim(&s, &n);
	if (clock_prefix(s, n, ms, &used) < 0 || used != n)
		return -1;
	return 0;
}

/* Epoch seconds (optionally with a fraction) or milliseconds, by magnitude. */
static int epoch(const char *s, size_t n, int64_t *ms)
{
	int64_t v = 0, frac = 0;
	size_t i = 0;

	for (; i < n && is_digit(s[i]); i++) {
		if (i >= 15)
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (i == 0)
		return -1;
	if (i < n) {
		if (s[i] != '.' || v >= 100000000000LL)
			return -1;
		i++;
		if (fraction(s, n, &i, &frac) < 0 || i != n)
			return -1;
	}
	*ms = v >= 100000000000LL ? v : v * 1000 + frac;
	return 0;
}

/* An offset at s + i to the end: "Z", "+05:30", "+0530", "+05". Returns 0 or -1. */
static int offset(const char *s, size_t n, size_t i, int64_t *off)
{
	int64_t oh, om = 0;
	size_t r = n - i - 1;
	const char *p = s + i + 1;

	if ((s[i] == 'Z' || s[i] == 'z') && i + 1 == n) {
		*off = 0;
		return 0;
	}
	if (s[i] != '+' && s[i] != '-')
		return -1;
	if (r == 2)
		oh = num(p, 2);
	else if (r == 4)
		oh = num(p, 2), om = num(p + 2, 2);
	else if (r == 5 && p[2] == ':')
		oh = num(p, 2), om = num(p + 3, 2);
	else
		return -1;
	if (oh < 0 || oh > 23 || om < 0 || om > 59)
		return -1;
	*off = (oh * 60 + om) * 60000 * (s[i] == '-' ? -1 : 1);
	return 0;
}

/* algo_csv_parse_time, also telling why it failed (*us as date_prefix sets it; 2 too
 * for a date followed by a bad time or offset). */
static int parse_time(const char *s, size_t n, int64_t *ms, int *us)
{
	int64_t days, clk = 0, off = IST_MS;
	size_t i, used, k, dots;

	*us = 0;
	trim(&s, &n);
	if (n == 0)
		return -1;
	for (k = 0, dots = 0; k < n && (is_digit(s[k]) || s[k] == '.'); k++)
		dots += s[k] == '.';
	if (k == n && dots <= 1 && !(n == 8 && num(s, 8) >= 0))
		return epoch(s, n, ms);
	if (date_prefix(s, n, &days, &i, us) < 0)
		return -1;
	if (i < n) {
		if (s[i] != 'T' && s[i] != 't' && s[i] != ' ')
			return -1;
		while (i < n && (s[i] == 'T' || s[i] == 't' || s[i] == ' '))
			i++;
		*us = 2;   /* a date and then something that is not a time or an offset */
		if (clock_prefix(s + i, n - i, &clk, &used) < 0)
			return -1;
		i += used;
		while (i < n && s[i] == ' ')
			i++;
		if (i < n && offset(s, n, i, &off) < 0)
			return -1;
		*us = 0;
	}
	*ms = days * ALGO_MS_PER_DAY + clk - off;
	return 0;
}

int algo_csv_parse_time(const char *s, size_t n, int64_t *ms)
{
	int us;
	return parse_time(s, n, ms, &us);
}

/* ---- date formats ------------------------------------------------------------- */

struct tm_parts {
	int64_t y, mon, d, h, min, sec, frac, off, epoch;
	int mer, has_epoch;
};

/* One directive of a format at s + *i. Returns 0 or -1. */
static int directive(char dir, const char *s, size_t n, size_t *i, struct tm_parts *t)
{
	size_t at = *i;
	switch (dir) {
	case 'Y': return (t->y = digits(s, n, i, 4, 4)) < 0 ? -1 : 0;
	case 'y':
		if ((t->y = digits(s, n, i, 2, 2)) < 0)
			return -1;
		t->y += t->y >= 69 ? 1900 : 2000;
		return 0;
	case 'm': return (t->mon = digits(s, n, i, 1, 2)) < 0 ? -1 : 0;
	case 'd': case 'e':
		while (dir == 'e' && *i < n && s[*i] == ' ')
			(*i)++;
		return (t->d = digits(s, n, i, 1, 2)) < 0 ? -1 : 0;
	case 'b': case 'B': case 'h': return (t->mon = month_name(s, n, i)) < 0 ? -1 : 0;
	case 'H': case 'I': return (t->h = digits(s, n, i, 1, 2)) < 0 ? -1 : 0;
	case 'M': return (t->min = digits(s, n, i, 2, 2)) < 0 ? -1 : 0;
	case 'S': return (t->sec = digits(s, n, i, 2, 2)) < 0 ? -1 : 0;
	case 'f': return fraction(s, n, i, &t->frac);
	case 'p': return (t->mer = meridiem(s, n, i)) == 0 ? -1 : 0;
	case 'T':
		if (directive('H', s, n, i, t) || *i >= n || s[(*i)++] != ':' || directive('M', s, n, i, t) ||
		    *i >= n || s[(*i)++] != ':')
			return -1;
		return directive('S', s, n, i, t);
	case 'z': {
		size_t k = *i;
		while (k < n && (is_digit(s[k]) || s[k] == ':' || s[k] == '+' || s[k] == '-' || s[k] == 'Z' || s[k] == 'z'))
			k++;
		if (k == at || offset(s, k, at, &t->off) < 0)
			return -1;
		*i = k;
		return 0;
	}
	case 's':
		t->has_epoch = 1;
		return (t->epoch = digits(s, n, i, 1, 12)) < 0 ? -1 : 0;
	case '%': return *i < n && s[(*i)++] == '%' ? 0 : -1;
	}
	return -1;
}

int algo_csv_parse_format(const char *fmt, const char *s, size_t n, int64_t *ms)
{
	struct tm_parts t = { .y = -1, .mon = -1, .d = -1, .off = IST_MS };
	int64_t days;
	size_t i = 0;

	trim(&s, &n);
	for (const char *f = fmt; *f; f++) {
		if (*f == '%') {
			if (directive(*++f, s, n, &i, &t) < 0)
				return -1;
		} else if (*f == ' ') {
			if (i >= n || !blank(s[i]))
				return -1;
			while (i < n && blank(s[i]))
				i++;
		} else if (i >= n || s[i++] != *f)
			return -1;
	}
	if (i != n)
		return -1;
	if (t.has_epoch) {
		*ms = t.epoch * 1000 + t.frac;
		return 0;
	}
	if ((t.h = hour24(t.h, t.mer)) < 0 || t.h > 23 || t.min > 59 || t.sec > 59 ||
	    ymd(t.y, t.mon, t.d, &days) < 0)
		return -1;
	*ms = days * ALGO_MS_PER_DAY + ((t.h * 60 + t.min) * 60 + t.sec) * 1000 + t.frac - t.off;
	return 0;
}

int algo_csv_import_date_format(struct algo_csv_import *imp, const char *fmt, char *err, size_t errlen)
{
	int y = 0, m = 0, d = 0, ep = 0, clock = 0;

	if (strlen(fmt) >= sizeof imp->date_fmt) {
		snprintf(err, errlen, "'%s' is longer than %zu bytes", fmt, sizeof imp->date_fmt - 1);
		return -1;
	}
	for (const char *f = fmt; *f; f++) {
		if (*f != '%')
			continue;
		switch (*++f) {
		case 'Y': case 'y': y = 1; break;
		case 'm': case 'b': case 'B': case 'h': m = 1; break;
		case 'd': case 'e': d = 1; break;
		case 's': ep = 1; clock = 1; break;
		case 'H': case 'I': case 'M': case 'S': case 'T': clock = 1; break;
		case 'f': case 'p': case 'z': case '%': break;
		case 0: snprintf(err, errlen, "'%s' ends with a lone '%%'", fmt); return -1;
		default:
			snprintf(err, errlen, "'%s': unknown directive '%%%c' (known: %%Y %%y %%m %%d %%e %%b %%B "
				"%%H %%I %%M %%S %%f %%p %%z %%s %%T %%%%)", fmt, *f);
			return -1;
		}
	}
	if (!ep && !(y && m && d)) {
		snprintf(err, errlen, "'%s' needs a year (%%Y or %%y), a month (%%m or %%b) and a day (%%d), or %%s", fmt);
		return -1;
	}
	snprintf(imp->date_fmt, sizeof imp->date_fmt, "%s", fmt);
	imp->fmt_clock = clock;
	return 0;
}

/* ---- numbers ------------------------------------------------------------------ */

#define NUM_MAX 64   /* bytes of a number after its separators are removed */

/* Rewrites a number written with grouping separators or a decimal comma into plain
 * form ("1,23,456.50" -> "123456.50", "612,40" -> "612.40"). With comma_dec (the row's
 * prices use decimal commas) ',' is the decimal mark and '.' groups digits. Else, with
 * both ',' and '.', the last one is the decimal mark; a lone ',' is one unless the file
 * is delimited by ',' and three digits follow it (then, like several ',' or several
 * '.', it groups digits). Returns the length written to out, or 0 when s is not
 * number-shaped. */
static size_t plain_number(const char *s, size_t n, char delim, int comma_dec, char *out)
{
	size_t ncomma = 0, ndot = 0, lastcomma = 0, lastdot = 0, mant = n, o = 0;
	char dec = '.', group = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == 'e' || s[i] == 'E') {
			mant = i;
			break;
		}
		if (s[i] == ',') ncomma++, lastcomma = i;
		if (s[i] == '.') ndot++, lastdot = i;
	}
	if (comma_dec) {
		dec = ',';
		group = '.';
	} else if (ncomma && ndot) {
		dec = lastcomma > lastdot ? ',' : '.';
		group = dec == ',' ? '.' : ',';
	} else if (ncomma == 1 && (delim != ',' || mant - lastcomma - 1 != 3))
		dec = ',';
	else if (ncomma)
		group = ',';
	else if (ndot > 1)
		group = '.';
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		if (i < mant && ch == group) {
			if (i == 0 || !is_digit(s[i - 1]) || i + 1 >= mant || !is_digit(s[i + 1]))
				return 0;
			continue;
		}
		if (i < mant && ch == dec)
			ch = '.';
		if (i == 0 && ch == '+')
			continue;
		if (o == NUM_MAX - 1)
			return 0;
		out[o++] = ch;
	}
	out[o] = 0;
	return o;
}

/* v × 10^scale of a plain number, exactly. Digits beyond scale decimals must be zeros,
 * unless rnd: then they round half away from zero. Returns 0; -1 when s is not a
 * number; -2 when it has more than scale decimals; -3 when |result| >= limit. */
static int scaled(const char *s, size_t n, int scale, int rnd, int64_t limit, int64_t *out)
{
	__int128 v = 0;
	size_t i = 0, nd = 0;
	int neg = 0, frac = 0, e = 0, esign = 1, ed = 0, k;

	if (i < n && s[i] == '-')
		neg = 1, i++;
	for (; i < n && is_digit(s[i]); i++, nd++)
		if (nd < 36) v = v * 10 + (s[i] - '0');
		else return -3;
	if (i < n && s[i] == '.') {
		size_t f = 0;
		for (i++; i < n && is_digit(s[i]); i++, f++, nd++) {
			if (nd >= 36)
				return -3;
			v = v * 10 + (s[i] - '0');
			frac++;
		}
		if (f == 0)
			return -1;
	}
	if (nd == 0)
		return -1;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			esign = s[i++] == '-' ? -1 : 1;
		for (; i < n && is_digit(s[i]); i++, ed++)
			if (e < 1000) e = e * 10 + (s[i] - '0');
		if (ed == 0)
			return -1;
	}
	if (i != n)
		return -1;
	k = esign * e - frac + scale;        /* result = v × 10^k */
	for (; k > 0; k--) {
		if (v > (__int128)limit)
			return -3;
		v *= 10;
	}
	if (k < 0) {
		__int128 p = 1, q, r;
		if (k < -36) {
			if (v == 0) { *out = 0; return 0; }
			if (!rnd) return -2;
			*out = 0;
			return 0;
		}
		for (; k < 0; k++)
			p *= 10;
		q = v / p;
		r = v % p;
		if (r && !rnd)
			return -2;
		if (2 * r >= p)
			q++;
		v = q;
	}
	if (v >= (__int128)limit)
		return -3;
	*out = neg ? -(int64_t)v : (int64_t)v;
	return 0;
}

/* ---- OHLCV rows ------------------------------------------------------------- */

static const char *const role_names[ALGO_CSV_ROLES] = { "timestamp", "date", "time", "open",
	"high", "low", "close", "volume", "oi", "symbol", "series" };

/* Names every file may use, then names from known exports: NSE historical data
 * ("Shares Traded", "OPEN PRICE", "TTL_TRD_QNTY", "DATE1"), the NSE bhavcopies
 * (SYMBOL, SERIES, TOTTRDQTY, TIMESTAMP; and the UDiFF TckrSymb, SctySrs, TradDt,
 * OpnPric, HghPric, LwPric, ClsPric, TtlTradgVol, OpnIntrst). A column found through
 * a name of the second list is named in messages. */
static const char *const base_names[ALGO_CSV_ROLES][5] = {
	{ "timestamp", "datetime", "date_time", "ts", NULL }, { "date", NULL }, { "time", NULL },
	{ "open", "o", NULL }, { "high", "h", NULL }, { "low", "l", NULL }, { "close", "c", NULL },
	{ "volume", "vol", "v", NULL }, { "oi", "open_interest", "openinterest", NULL },
	{ "symbol", "ticker", NULL }, { "series", NULL },
};
static const char *const export_names[ALGO_CSV_ROLES][7] = {
	{ NULL }, { "date1", "traddt", "trade date", "trade_date", NULL }, { NULL },
	{ "open price", "open_price", "opnpric", "openprice", NULL },
	{ "high price", "high_price", "hghpric", "highprice", NULL },
	{ "low price", "low_price", "lwpric", "lowprice", NULL },
	{ "close price", "close_price", "clspric", "closeprice", NULL },
	{ "shares traded", "tottrdqty", "ttltradgvol", "ttl_trd_qnty", "total traded quantity", "volume(shares)", NULL },
	{ "opnintrst", "open int", NULL }, { "tckrsymb", "tradingsymbol", NULL }, { "sctysrs", NULL },
};

int algo_csv_import_columns(struct algo_csv_import *imp, const char *spec, char *err, size_t errlen)
{
	const char *p = spec;

	while (*p) {
		const char *end = strchr(p, ','), *eq;
		size_t len = end ? (size_t)(end - p) : strlen(p), nl, rl;
		const char *name = p, *role;
		int r = -1;

		eq = memchr(p, '=', len);
		if (!eq) {
			snprintf(err, errlen, "'%.*s' is not NAME=ROLE", (int)len, p);
			return -1;
		}
		nl = (size_t)(eq - p);
		role = eq + 1;
		rl = len - nl - 1;
		trim(&name, &nl);
		trim(&role, &rl);
		for (int k = 0; k < ALGO_CSV_ROLES; k++)
			if (strlen(role_names[k]) == rl && strncmp(role_names[k], role, rl) == 0)
				r = k;
		if ((rl == 2 && strncmp(role, "ts", 2) == 0) || (rl == 8 && strncmp(role, "datetime", 8) == 0))
			r = ALGO_CSV_TS;
		if (r < 0) {
			snprintf(err, errlen, "'%.*s': unknown role '%.*s' (timestamp, date, time, open, high, low, "
				"close, volume, oi, symbol, series)", (int)len, p, (int)rl, role);
			return -1;
		}
		if (nl == 0 || nl >= sizeof imp->map[0].name) {
			snprintf(err, errlen, "'%.*s': the column name must be 1 to 63 bytes", (int)len, p);
			return -1;
		}
		for (int k = 0; k < imp->nmap; k++)
			if (imp->map[k].role == r) {
				snprintf(err, errlen, "role '%s' is given twice", role_names[r]);
				return -1;
			}
		if (imp->nmap == ALGO_CSV_MAP_MAX) {
			snprintf(err, errlen, "more than %d columns mapped", ALGO_CSV_MAP_MAX);
			return -1;
		}
		memcpy(imp->map[imp->nmap].name, name, nl);
		imp->map[imp->nmap].name[nl] = 0;
		imp->map[imp->nmap++].role = r;
		p += len;
		if (*p == ',')
			p++;
	}
	return 0;
}

/* The header field k, trimmed, quoted in messages. */
static void set_label(const struct algo_csv *c, struct algo_csv_cols *m, int role, int k, int named)
{
	const char *s = c->f[k];
	size_t n = c->n[k];
	const char *rn = role == ALGO_CSV_TS ? m->tsname : role_names[role];

	trim(&s, &n);
	if (named)
		snprintf(m->label[role], sizeof m->label[role], "'%s' (column '%.*s')", rn, (int)(n > 40 ? 40 : n), s);
	else
		snprintf(m->label[role], sizeof m->label[role], "'%s'", rn);
}

/* Column of role r: the import map's name, else a usual name, else an export's.
 * *named is set when the column goes by another name than the role's. Returns the
 * index, -1 when absent, -2 when a mapped name is not in the header. */
static int find_role(const struct algo_csv *c, const struct algo_csv_import *imp, int r, int *named)
{
	*named = 0;
	for (int k = 0; imp && k < imp->nmap; k++)
		if (imp->map[k].role == r) {
			char low[sizeof imp->map[k].name];
			const char *const names[] = { low, NULL };
			int col;
			for (size_t j = 0; j < sizeof low; j++)
				low[j] = (char)lower((unsigned char)imp->map[k].name[j]);
			col = algo_csv_find_column(c, names);
			*named = 1;
			return col >= 0 ? col : -2;
		}
	{
		int col = algo_csv_find_column(c, base_names[r]);
		if (col >= 0 || !export_names[r][0])
			return col;
		*named = 1;
		return algo_csv_find_column(c, export_names[r]);
	}
}

int algo_csv_map_header(const struct algo_csv *c, struct algo_csv_cols *m, char *err, size_t errlen)
{
	return algo_csv_map_header_with(c, NULL, m, err, errlen);
}

int algo_csv_map_header_with(const struct algo_csv *c, const struct algo_csv_import *imp,
	struct algo_csv_cols *m, char *err, size_t errlen)
{
	int col[ALGO_CSV_ROLES], named[ALGO_CSV_ROLES];

	memset(m, 0, sizeof *m);
	m->ncols = c->nf;
	m->imp = imp;
	for (int r = 0; r < ALGO_CSV_ROLES; r++)
		if ((col[r] = find_role(c, imp, r, &named[r])) == -2) {
			for (int k = 0; k < imp->nmap; k++)
				if (imp->map[k].role == r)
					snprintf(err, errlen, "no column '%s' (mapped to %s by --columns) in the header",
						imp->map[k].name, role_names[r]);
			return -1;
		}
	m->ts = col[ALGO_CSV_TS];
	m->date = col[ALGO_CSV_DATE];
	m->time = col[ALGO_CSV_TIME];
	m->tsname = "timestamp";
	if (m->ts < 0 && m->date >= 0 && m->time >= 0) {
		/* separate date and time columns */
	} else if (m->ts < 0 && m->time >= 0) {
		m->ts = m->time;
		m->tsname = "time";
		named[ALGO_CSV_TS] = named[ALGO_CSV_TIME];
		m->time = -1;
	} else if (m->ts < 0 && m->date >= 0) {
		m->ts = m->date;
		m->tsname = "date";
		named[ALGO_CSV_TS] = named[ALGO_CSV_DATE];
		m->date = -1;
	} else {
		m->date = m->time = -1;
	}
	col[ALGO_CSV_TS] = m->ts;
	col[ALGO_CSV_DATE] = m->date;
	col[ALGO_CSV_TIME] = m->time;
	m->open = col[ALGO_CSV_OPEN];
	m->high = col[ALGO_CSV_HIGH];
	m->low = col[ALGO_CSV_LOW];
	m->close = col[ALGO_CSV_CLOSE];
	m->volume = col[ALGO_CSV_VOLUME];
	m->oi = col[ALGO_CSV_OI];
	m->symbol = col[ALGO_CSV_SYMBOL];
	m->series = col[ALGO_CSV_SERIES];
	for (int r = 0; r < ALGO_CSV_ROLES; r++)
		if (col[r] >= 0)
			set_label(c, m, r, col[r], named[r]);
	{
		const char *missing = m->ts < 0 && m->date < 0 ? "timestamp" : m->open < 0 ? "open"
			: m->high < 0 ? "high" : m->low < 0 ? "low" : m->close < 0 ? "close"
			: m->volume < 0 ? "volume" : NULL;
		if (missing) {
			snprintf(err, errlen, "missing column '%s'", missing);
			return -1;
		}
	}
	if (imp && imp->fmt_clock && m->ts < 0) {
		snprintf(err, errlen, "--date-format has a time of day, but the file has a separate time column");
		return -1;
	}
	return 0;
}

#define SHOW 40   /* bytes of a bad value quoted in a message */

static void field(const struct algo_csv *c, int k, const char **s, size_t *n)
{
	*s = c->f[k];
	*n = c->n[k];
	trim(s, n);
}

static int is_null(const char *s, size_t n)
{
	return n == 0 || (n == 4 && lower((unsigned char)s[0]) == 'n' && lower((unsigned char)s[1]) == 'u' &&
		lower((unsigned char)s[2]) == 'l' && lower((unsigned char)s[3]) == 'l');
}

static int price(const struct algo_csv *c, const struct algo_csv_cols *m, int k, int role,
	int comma_dec, int64_t *out, struct algo_csv_bar *b, char *err, size_t errlen)
{
	const char *s;
	size_t n;
	char buf[NUM_MAX];
	size_t pn;
	int r;

	field(c, k, &s, &n);
	if (n == 0) {
		snprintf(err, errlen, "field %s: empty", m->label[role]);
		return -1;
	}
	if (!comma_dec && algo_dec_parse(s, n, out) == 0 && *out > 0)
		return 0;                   /* the common case: a plain number */
	pn = plain_number(s, n, c->delim, comma_dec, buf);
	r = pn ? scaled(buf, pn, 4, m->imp && m->imp->round, 900000000000000LL, out) : -1;
	if (r == -2) {
		snprintf(err, errlen, "field %s: %.*s has more than 4 decimals", m->label[role], (int)(n > SHOW ? SHOW : n), s);
		b->hint = ALGO_CSV_HINT_ROUND;
		return -1;
	}
	if (r < 0) {
		snprintf(err, errlen, "field %s: %s%.*s%s %s", m->label[role], r == -3 ? "" : "'",
			(int)(n > SHOW ? SHOW : n), s, r == -3 ? "" : "'", r == -3 ? "is out of range" : "is not a number");
		return -1;
	}
	if (*out <= 0) {
		snprintf(err, errlen, "field %s: %.*s is not a positive price", m->label[role],
			(int)(n > SHOW ? SHOW : n), s);
		return -1;
	}
	return 0;
}

/* A non-negative integer: "328011", "328011.0", "3,28,011", "1e3". */
static int count(const struct algo_csv *c, const struct algo_csv_cols *m, int k, int role,
	int comma_dec, int64_t *out, char *err, size_t errlen)
{
	const char *s;
	size_t n, pn;
	char buf[NUM_MAX];

	field(c, k, &s, &n);
	if (n == 0) {
		snprintf(err, errlen, "field %s: empty", m->label[role]);
		return -1;
	}
	if (n < 19) {                   /* the common case: plain digits */
		size_t i = 0;
		int64_t v = 0;
		for (; i < n && is_digit(s[i]); i++)
			v = v * 10 + (s[i] - '0');
		if (i == n) {
			*out = v;
			return 0;
		}
	}
	pn = plain_number(s, n, c->delim, comma_dec, buf);
	if (pn && scaled(buf, pn, 0, 0, INT64_MAX / 10, out) == 0) {
		if (*out >= 0)
			return 0;
		snprintf(err, errlen, "field %s: %.*s is negative", m->label[role], (int)(n > SHOW ? SHOW : n), s);
		return -1;
	}
	snprintf(err, errlen, "field %s: '%.*s' is not a non-negative integer", m->label[role],
		(int)(n > SHOW ? SHOW : n), s);
	return -1;
}

static const char *colname(const struct algo_csv_cols *m, int k)
{
	if (k == m->ts) return m->tsname;
	if (k == m->date) return "date";
	if (k == m->time) return "time";
	if (k == m->open) return "open";
	if (k == m->high) return "high";
	if (k == m->low) return "low";
	if (k == m->close) return "close";
	if (k == m->volume) return "volume";
	if (k == m->oi) return "oi";
	if (k == m->symbol) return "symbol";
	return NULL;
}

/* The date format in effect, or NULL to recognise. */
static const char *date_fmt(const struct algo_csv_cols *m)
{
	return m->imp && m->imp->date_fmt[0] ? m->imp->date_fmt : NULL;
}

static int bad_time(const struct algo_csv_cols *m, int role, const char *s, size_t n, int us,
	const char *what, struct algo_csv_bar *b, char *err, size_t errlen)
{
	if (date_fmt(m))
		snprintf(err, errlen, "field %s: '%.*s' does not match --date-format '%s'", m->label[role],
			(int)(n > SHOW ? SHOW : n), s, date_fmt(m));
	else if (us == 1)
		snprintf(err, errlen, "field %s: cannot parse '%.*s' as %s: read day first, its month is over 12",
			m->label[role], (int)(n > SHOW ? SHOW : n), s, what);
	else
		snprintf(err, errlen, "field %s: cannot parse '%.*s' as %s", m->label[role],
			(int)(n > SHOW ? SHOW : n), s, what);
	b->hint = us != 2 && !date_fmt(m) ? ALGO_CSV_HINT_DATE_FORMAT : ALGO_CSV_HINT_NONE;
	return -1;
}

static int decode_time(const struct algo_csv *c, const struct algo_csv_cols *m, struct algo_csv_bar *b,
	char *err, size_t errlen)
{
	const char *s;
	size_t n;
	int us = 0;
	int64_t days, clk;

	if (m->ts >= 0) {
		field(c, m->ts, &s, &n);
		if (date_fmt(m) ? algo_csv_parse_format(date_fmt(m), s, n, &b->ts) < 0 : parse_time(s, n, &b->ts, &us) < 0)
			return bad_time(m, ALGO_CSV_TS, s, n, us, "a time", b, err, errlen);
		return 0;
	}
	field(c, m->date, &s, &n);
	if (date_fmt(m)) {
		if (algo_csv_parse_format(date_fmt(m), s, n, &clk) < 0)
			return bad_time(m, ALGO_CSV_DATE, s, n, 0, "a date", b, err, errlen);
		days = (clk + IST_MS) / ALGO_MS_PER_DAY;
	} else {
		size_t used;
		if (date_prefix(s, n, &days, &used, &us) < 0 || used != n)
			return bad_time(m, ALGO_CSV_DATE, s, n, us, "a date", b, err, errlen);
	}
	field(c, m->time, &s, &n);
	if (algo_csv_parse_clock(s, n, &clk) < 0) {
		snprintf(err, errlen, "field %s: cannot parse '%.*s' as a time of day", m->label[ALGO_CSV_TIME],
			(int)(n > SHOW ? SHOW : n), s);
		return -1;
	}
	b->ts = days * ALGO_MS_PER_DAY + clk - IST_MS;
	return 0;
}

/* The symbol: the symbol column, as NSE:SYMBOL-SERIES when the file also has a
 * series (a bhavcopy) and the symbol has no exchange. */
static int decode_symbol(const struct algo_csv *c, const struct algo_csv_cols *m, struct algo_csv_bar *b,
	char *err, size_t errlen)
{
	const char *s, *ser;
	size_t n, sn;

	field(c, m->symbol, &s, &n);
	if (n == 0 || n > 63) {
		snprintf(err, errlen, "field %s: %s", m->label[ALGO_CSV_SYMBOL], n ? "longer than 63 bytes" : "empty");
		return -1;
	}
	b->sym = s;
	b->symlen = n;
	if (m->series < 0 || memchr(s, ':', n))
		return 0;
	field(c, m->series, &ser, &sn);
	if (sn == 0)
		return 0;
	if (n + sn + 5 > 63) {
		snprintf(err, errlen, "field %s: NSE:%.*s-%.*s is longer than 63 bytes", m->label[ALGO_CSV_SYMBOL],
			(int)n, s, (int)(sn > SHOW ? SHOW : sn), ser);
		return -1;
	}
	b->symlen = (size_t)snprintf(b->symbuf, sizeof b->symbuf, "NSE:%.*s-%.*s", (int)n, s, (int)sn, ser);
	b->sym = b->symbuf;
	return 0;
}

int algo_csv_decode_bar(const struct algo_csv *c, const struct algo_csv_cols *m,
	struct algo_csv_bar *b, char *err, size_t errlen)
{
	const char *s;
	size_t n;
	char x[ALGO_DEC_FMT_MAX];
	int nulls = 0, cd = 0;

	b->hint = ALGO_CSV_HINT_NONE;
	if (c->nf != m->ncols) {
		const char *name = NULL;
		for (int k = c->nf; k < m->ncols && !name; k++)
			name = colname(m, k);
		if (c->nf < m->ncols && name)
			snprintf(err, errlen, "field '%s': missing (row has %d columns, header has %d)",
				name, c->nf, m->ncols);
		else
			snprintf(err, errlen, "row has %d columns, header has %d", c->nf, m->ncols);
		return -1;
	}
	if (decode_time(c, m, b, err, errlen) < 0)
		return -1;
	{
		const int pc[4] = { m->open, m->high, m->low, m->close };
		for (int k = 0; k < 4; k++) {
			field(c, pc[k], &s, &n);
			nulls += is_null(s, n);
			cd |= c->delim != ',' && memchr(s, ',', n) && !memchr(s, '.', n);
		}
		if (nulls == 4)
			return 1;
	}
	if (price(c, m, m->open, ALGO_CSV_OPEN, cd, &b->o, b, err, errlen) < 0
	    || price(c, m, m->high, ALGO_CSV_HIGH, cd, &b->h, b, err, errlen) < 0
	    || price(c, m, m->low, ALGO_CSV_LOW, cd, &b->l, b, err, errlen) < 0
	    || price(c, m, m->close, ALGO_CSV_CLOSE, cd, &b->c, b, err, errlen) < 0)
		return -1;
	if (b->h < (b->o > b->c ? b->o : b->c)) {
		field(c, m->high, &s, &n);
		algo_dec_fmt(b->o > b->c ? b->o : b->c, x);
		snprintf(err, errlen, "field %s: %.*s is below max(open, close) %s", m->label[ALGO_CSV_HIGH],
			(int)(n > SHOW ? SHOW : n), s, x);
		return -1;
	}
	if (b->l > (b->o < b->c ? b->o : b->c)) {
		field(c, m->low, &s, &n);
		algo_dec_fmt(b->o < b->c ? b->o : b->c, x);
		snprintf(err, errlen, "field %s: %.*s is above min(open, close) %s", m->label[ALGO_CSV_LOW],
			(int)(n > SHOW ? SHOW : n), s, x);
		return -1;
	}
	if (count(c, m, m->volume, ALGO_CSV_VOLUME, cd, &b->v, err, errlen) < 0)
		return -1;
	b->oi = -1;
	if (m->oi >= 0) {
		field(c, m->oi, &s, &n);
		if (n > 0 && count(c, m, m->oi, ALGO_CSV_OI, cd, &b->oi, err, errlen) < 0)
			return -1;
	}
	b->sym = NULL;
	b->symlen = 0;
	if (m->symbol >= 0 && decode_symbol(c, m, b, err, errlen) < 0)
		return -1;
	return 0;
}

/* ---- symbols and timeframes ------------------------------------------------- */

size_t algo_csv_symbol_from_path(const char *path, char *out, size_t outlen)
{
	static const char *const exch[] = { "NSE_", "BSE_", "NFO_", "MCX_", "BFO_", "CDS_", NULL };
	const char *b = strrchr(path, '/'), *dot, *us;
	size_t n;

	b = b ? b + 1 : path;
	dot = strrchr(b, '.');
	n = dot && dot > b ? (size_t)(dot - b) : strlen(b);
	us = n ? memrchr(b, '_', n) : NULL;
	if (us && us > b && algo_tf_parse(us + 1, n - (size_t)(us + 1 - b)) > 0)
		n = (size_t)(us - b);
	if (n == 0 || n >= outlen)
		return 0;
	memcpy(out, b, n);
	out[n] = 0;
	for (int i = 0; exch[i]; i++)
		if (n > 4 && memcmp(out, exch[i], 4) == 0)
			out[3] = ':';
	return n;
}

void algo_csv_tf_init(struct algo_csv_tf *g)
{
	memset(g, 0, sizeof *g);
	g->midnight = 1;
}

void algo_csv_tf_add(struct algo_csv_tf *g, int sym, int64_t ts)
{
	int k, j;

	if (g->nbars >= ALGO_CSV_TF_WINDOW)
		return;
	g->nbars++;
	if ((ts + IST_MS) % ALGO_MS_PER_DAY != 0)
		g->midnight = 0;
	for (k = 0; k < g->nseen && g->seen[k].sym != sym; k++)
		;
	if (k == g->nseen) {
		g->seen[g->nseen].sym = sym;
		g->seen[g->nseen++].last = ts;
		return;
	}
	if (ts > g->seen[k].last) {
		int64_t gap = (ts - g->seen[k].last) / 1000;
		if (algo_time_ist_day(ts) != algo_time_ist_day(g->seen[k].last))
			g->overnight = 1;
		else if (gap > 0) {
			for (j = 0; j < g->ngaps && g->gaps[j].gap != gap; j++)
				;
			if (j == g->ngaps) {
				g->gaps[g->ngaps].gap = gap;
				g->gaps[g->ngaps++].n = 0;
			}
			g->gaps[j].n++;
		}
	}
	g->seen[k].last = ts;
}

int64_t algo_csv_tf_guess(const struct algo_csv_tf *g)
{
	int best = -1;

	for (int j = 0; j < g->ngaps; j++)
		if (best < 0 || g->gaps[j].n > g->gaps[best].n
		    || (g->gaps[j].n == g->gaps[best].n && g->gaps[j].gap < g->gaps[best].gap))
			best = j;
	if (best >= 0)
		return g->gaps[best].gap;
	if (g->nbars > 0 && (g->overnight || g->midnight))
		return 86400;
	return 0;
}
