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

/* Reads exactly n digits at s. Returns the value or -1. */
static int64_t num(const char *s, size_t n)
{
	int64_t v = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
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

/* Date at the start of s: "YYYY-MM-DD" or "YYYY/MM/DD". Returns 0 or -1. */
static int date10(const char *s, size_t n, int64_t *days)
{
	if (n < 10 || (s[4] != '-' && s[4] != '/') || s[7] != s[4])
		return -1;
	return ymd(num(s, 4), num(s + 5, 2), num(s + 8, 2), days);
}

int algo_csv_parse_date(const char *s, size_t n, int64_t *days)
{
	trim(&s, &n);
	if (n == 8)
		return ymd(num(s, 4), num(s + 4, 2), num(s + 6, 2), days);
	if (n != 10)
		return -1;
	return date10(s, n, days);
}

/* Clock at the start of s; *used gets the bytes consumed. */
static int clock_prefix(const char *s, size_t n, int64_t *ms, size_t *used)
{
	int64_t h, m, sec = 0, frac = 0;
	size_t i;

	if (n < 5 || s[2] != ':')
		return -1;
	h = num(s, 2);
	m = num(s + 3, 2);
	if (h < 0 || h > 23 || m < 0 || m > 59)
		return -1;
	i = 5;
	if (i < n && s[i] == ':') {
		if (n < 8 || (sec = num(s + 6, 2)) < 0 || sec > 59)
			return -1;
		i = 8;
		if (i < n && (s[i] == '.' || s[i] == ',')) {
			size_t k = 0;
			i++;
			for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, k++)
				if (k < 3)
					frac = frac * 10 + (s[i] - '0');
			if (k == 0 || k > 9)
				return -1;
			for (; k < 3; k++)
				frac *= 10;
		}
	}
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
	size_t i = 0, k = 0;

	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
		if (i >= 15)
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (i == 0)
		return -1;
	if (i < n) {
		if (s[i] != '.' || v >= 100000000000LL)
			return -1;
		for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++, k++)
			if (k < 3)
				frac = frac * 10 + (s[i] - '0');
		if (i != n || k == 0 || k > 9)
			return -1;
		for (; k < 3; k++)
			frac *= 10;
	}
	*ms = v >= 100000000000LL ? v : v * 1000 + frac;
	return 0;
}

int algo_csv_parse_time(const char *s, size_t n, int64_t *ms)
{
	int64_t days, clk = 0, off = IST_MS;
	size_t i, used;

	trim(&s, &n);
	if (n == 0)
		return -1;
	if (n < 10 || (s[4] != '-' && s[4] != '/'))
		return epoch(s, n, ms);
	if (date10(s, n, &days) < 0)
		return -1;
	i = 10;
	if (i < n) {
		if (s[i] != 'T' && s[i] != 't' && s[i] != ' ')
			return -1;
		while (i < n && (s[i] == 'T' || s[i] == 't' || s[i] == ' '))
			i++;
		if (clock_prefix(s + i, n - i, &clk, &used) < 0)
			return -1;
		i += used;
		while (i < n && s[i] == ' ')
			i++;
		if (i < n) {
			if ((s[i] == 'Z' || s[i] == 'z') && i + 1 == n)
				off = 0;
			else if (s[i] == '+' || s[i] == '-') {
				int64_t oh, om = 0;
				size_t r = n - i - 1;
				const char *p = s + i + 1;
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
				off = (oh * 60 + om) * 60000 * (s[i] == '-' ? -1 : 1);
			} else
				return -1;
		}
	}
	*ms = days * ALGO_MS_PER_DAY + clk - off;
	return 0;
}

/* ---- OHLCV rows ------------------------------------------------------------- */

static const char *const N_TS[] = { "timestamp", "datetime", "date_time", "ts", NULL };
static const char *const N_DATE[] = { "date", NULL };
static const char *const N_TIME[] = { "time", NULL };
static const char *const N_OPEN[] = { "open", "o", NULL };
static const char *const N_HIGH[] = { "high", "h", NULL };
static const char *const N_LOW[] = { "low", "l", NULL };
static const char *const N_CLOSE[] = { "close", "c", NULL };
static const char *const N_VOL[] = { "volume", "vol", "v", NULL };
static const char *const N_OI[] = { "oi", "open_interest", "openinterest", NULL };
static const char *const N_SYM[] = { "symbol", "ticker", NULL };

int algo_csv_map_header(const struct algo_csv *c, struct algo_csv_cols *m, char *err, size_t errlen)
{
	m->ncols = c->nf;
	m->ts = algo_csv_find_column(c, N_TS);
	m->date = algo_csv_find_column(c, N_DATE);
	m->time = algo_csv_find_column(c, N_TIME);
	m->tsname = "timestamp";
	if (m->ts < 0 && m->date >= 0 && m->time >= 0) {
		/* separate date and time columns */
	} else if (m->ts < 0 && m->time >= 0) {
		m->ts = m->time;
		m->tsname = "time";
		m->time = -1;
	} else if (m->ts < 0 && m->date >= 0) {
		m->ts = m->date;
		m->tsname = "date";
		m->date = -1;
	} else {
		m->date = m->time = -1;
	}
	m->open = algo_csv_find_column(c, N_OPEN);
	m->high = algo_csv_find_column(c, N_HIGH);
	m->low = algo_csv_find_column(c, N_LOW);
	m->close = algo_csv_find_column(c, N_CLOSE);
	m->volume = algo_csv_find_column(c, N_VOL);
	m->oi = algo_csv_find_column(c, N_OI);
	m->symbol = algo_csv_find_column(c, N_SYM);
	{
		const char *missing = m->ts < 0 && m->date < 0 ? "timestamp" : m->open < 0 ? "open"
			: m->high < 0 ? "high" : m->low < 0 ? "low" : m->close < 0 ? "close"
			: m->volume < 0 ? "volume" : NULL;
		if (missing) {
			snprintf(err, errlen, "missing column '%s'", missing);
			return -1;
		}
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

/* Is s a JSON-number-shaped text? *fracdigits gets the digits after '.'. */
static int numeric(const char *s, size_t n, size_t *fracdigits)
{
	size_t i = 0, d = 0;

	*fracdigits = 0;
	if (i < n && s[i] == '-')
		i++;
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
		d++;
	if (d == 0)
		return 0;
	if (i < n && s[i] == '.') {
		size_t f = 0;
		for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			f++;
		if (f == 0)
			return 0;
		*fracdigits = f;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		size_t e = 0;
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			e++;
		if (e == 0)
			return 0;
	}
	return i == n;
}

static int price(const struct algo_csv *c, int k, const char *name, int64_t *out,
	char *err, size_t errlen)
{
	const char *s;
	size_t n, fd;

	field(c, k, &s, &n);
	if (n == 0) {
		snprintf(err, errlen, "field '%s': empty", name);
		return -1;
	}
	if (algo_dec_parse(s, n, out) < 0) {
		int isnum = numeric(s, n, &fd);
		snprintf(err, errlen, "field '%s': %s%.*s%s %s", name, isnum ? "" : "'",
			(int)(n > SHOW ? SHOW : n), s, isnum ? "" : "'",
			isnum && fd > 4 ? "has more than 4 decimals" : isnum ? "is out of range"
			: "is not a number");
		return -1;
	}
	if (*out <= 0) {
		snprintf(err, errlen, "field '%s': %.*s is not a positive price", name,
			(int)(n > SHOW ? SHOW : n), s);
		return -1;
	}
	return 0;
}

/* A non-negative integer; a fraction of zeros ("328011.0") is accepted. */
static int count(const struct algo_csv *c, int k, const char *name, int64_t *out,
	char *err, size_t errlen)
{
	const char *s;
	size_t n, i = 0;
	int64_t v = 0;

	field(c, k, &s, &n);
	if (n == 0) {
		snprintf(err, errlen, "field '%s': empty", name);
		return -1;
	}
	if (s[0] == '-' && n > 1 && s[1] >= '0' && s[1] <= '9') {
		snprintf(err, errlen, "field '%s': %.*s is negative", name, (int)(n > SHOW ? SHOW : n), s);
		return -1;
	}
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
		if (v > (INT64_MAX - 9) / 10)
			goto bad;
		v = v * 10 + (s[i] - '0');
	}
	if (i == 0)
		goto bad;
	if (i < n && s[i] == '.') {
		for (i++; i < n && s[i] == '0'; i++)
			;
	}
	if (i != n)
		goto bad;
	*out = v;
	return 0;
bad:
	snprintf(err, errlen, "field '%s': '%.*s' is not a non-negative integer", name,
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

int algo_csv_decode_bar(const struct algo_csv *c, const struct algo_csv_cols *m,
	struct algo_csv_bar *b, char *err, size_t errlen)
{
	const char *s;
	size_t n;
	char x[ALGO_DEC_FMT_MAX];

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
	if (m->ts >= 0) {
		field(c, m->ts, &s, &n);
		if (algo_csv_parse_time(s, n, &b->ts) < 0) {
			snprintf(err, errlen, "field '%s': cannot parse '%.*s' as a time", m->tsname,
				(int)(n > SHOW ? SHOW : n), s);
			return -1;
		}
	} else {
		int64_t days, clk;
		field(c, m->date, &s, &n);
		if (algo_csv_parse_date(s, n, &days) < 0) {
			snprintf(err, errlen, "field 'date': cannot parse '%.*s' as a date",
				(int)(n > SHOW ? SHOW : n), s);
			return -1;
		}
		field(c, m->time, &s, &n);
		if (algo_csv_parse_clock(s, n, &clk) < 0) {
			snprintf(err, errlen, "field 'time': cannot parse '%.*s' as a time of day",
				(int)(n > SHOW ? SHOW : n), s);
			return -1;
		}
		b->ts = days * ALGO_MS_PER_DAY + clk - IST_MS;
	}
	if (price(c, m->open, "open", &b->o, err, errlen) < 0
	    || price(c, m->high, "high", &b->h, err, errlen) < 0
	    || price(c, m->low, "low", &b->l, err, errlen) < 0
	    || price(c, m->close, "close", &b->c, err, errlen) < 0)
		return -1;
	if (b->h < (b->o > b->c ? b->o : b->c)) {
		field(c, m->high, &s, &n);
		algo_dec_fmt(b->o > b->c ? b->o : b->c, x);
		snprintf(err, errlen, "field 'high': %.*s is below max(open, close) %s",
			(int)(n > SHOW ? SHOW : n), s, x);
		return -1;
	}
	if (b->l > (b->o < b->c ? b->o : b->c)) {
		field(c, m->low, &s, &n);
		algo_dec_fmt(b->o < b->c ? b->o : b->c, x);
		snprintf(err, errlen, "field 'low': %.*s is above min(open, close) %s",
			(int)(n > SHOW ? SHOW : n), s, x);
		return -1;
	}
	if (count(c, m->volume, "volume", &b->v, err, errlen) < 0)
		return -1;
	b->oi = -1;
	if (m->oi >= 0) {
		field(c, m->oi, &s, &n);
		if (n > 0 && count(c, m->oi, "oi", &b->oi, err, errlen) < 0)
			return -1;
	}
	b->sym = NULL;
	b->symlen = 0;
	if (m->symbol >= 0) {
		field(c, m->symbol, &s, &n);
		if (n == 0 || n > 63) {
			snprintf(err, errlen, "field 'symbol': %s", n ? "longer than 63 bytes" : "empty");
			return -1;
		}
		b->sym = s;
		b->symlen = n;
	}
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
