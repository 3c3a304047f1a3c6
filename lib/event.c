#include "event.h"
#include "cli.h"
#include "decimal.h"
#include "timeutil.h"
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define READ_CHUNK 65536

/* ---- reader ----------------------------------------------------------------- */

static int reader_init(struct algo_reader *r, int fd, int own, const char *name,
	char *err, size_t errlen)
{
	memset(r, 0, sizeof *r);
	r->fd = fd;
	r->own_fd = own;
	r->name = name;
	r->cap = ALGO_LINE_MAX + 1 + READ_CHUNK;
	r->buf = malloc(r->cap);
	if (!r->buf) {
		snprintf(err, errlen, "%s: out of memory", name);
		if (own) close(fd);
		return -1;
	}
	return 0;
}

int algo_reader_open(struct algo_reader *r, const char *path, char *err, size_t errlen)
{
	int fd;
	if (strcmp(path, "-") == 0)
		return reader_init(r, 0, 0, "stdin", err, errlen);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		errno = e;
		return -1;
	}
	return reader_init(r, fd, 1, path, err, errlen);
}

int algo_reader_fdopen(struct algo_reader *r, int fd, const char *name, char *err, size_t errlen)
{
	return reader_init(r, fd, 0, name, err, errlen);
}

void algo_reader_close(struct algo_reader *r)
{
	if (r->own_fd && r->fd >= 0)
		close(r->fd);
	free(r->buf);
	r->buf = NULL;
	r->fd = -1;
}

/* Reads more bytes after r->end. Returns bytes read, 0 at EOF, -1 on error, -3 when
 * r->stop asks the input to end. */
static ssize_t fill(struct algo_reader *r, char *err, size_t errlen)
{
	ssize_t n;
	if (r->start > 0) {                 /* slide the partial line to the front */
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->end -= r->start;
		r->start = 0;
	}
	if (r->end == 0 && r->before_read)
		r->before_read(r->before_read_arg);
	for (;;) {
		if (r->stop && *r->stop)
			return -3;
		n = read(r->fd, r->buf + r->end, r->cap - r->end);
		if (n >= 0 || errno != EINTR)
			break;
	}
	if (n < 0) {
		snprintf(err, errlen, "%s: read error: %s", r->name, strerror(errno));
		return -1;
	}
	r->end += (size_t)n;
	return n;
}

int algo_reader_next(struct algo_reader *r, const char **line, size_t *len, char *err, size_t errlen)
{
	size_t scanned = 0;
	for (;;) {
		char *base = r->buf + r->start;
		size_t avail = r->end - r->start;
		char *nl = scanned < avail ? memchr(base + scanned, '\n', avail - scanned) : NULL;
		if (nl) {
			size_t n = (size_t)(nl - base);
			r->start += n + 1;
			r->bytes += n + 1;
			r->lineno++;
			if (n > ALGO_LINE_MAX) {
				snprintf(err, errlen, "line longer than %d bytes", ALGO_LINE_MAX);
				return -1;
			}
			*line = base;
			*len = n;
			return 1;
		}
		scanned = avail;
		if (avail > ALGO_LINE_MAX) {
			/* Too long: discard up to the next newline, keeping the count right. */
			r->lineno++;
			for (;;) {
				ssize_t k;
				r->bytes += r->end - r->start;
				r->start = r->end = 0;
				k = fill(r, err, errlen);
				if (k == -3) return 0;
				if (k < 0) return -2;
				if (k == 0) break;
				nl = memchr(r->buf, '\n', r->end);
				if (nl) {
					r->start = (size_t)(nl - r->buf) + 1;
					r->bytes += r->start;
					break;
				}
			}
			snprintf(err, errlen, "line longer than %d bytes", ALGO_LINE_MAX);
			return -1;
		}
		if (r->eof) {
			if (avail == 0)
				return 0;
			r->start = r->end;
			r->bytes += avail;
			r->lineno++;
			*line = base;
			*len = avail;
			return 1;
		}
		{
			ssize_t k = fill(r, err, errlen);
			if (k == -3) return 0;
			if (k < 0) return -2;
			if (k == 0) r->eof = 1;
		}
	}
}

/* ---- JSON scanning ------------------------------------------------------------ */

struct scan {
	const char *s, *p, *end;
	char *err;
	size_t errlen;
};

static int fail(struct scan *sc, const char *what)
{
	snprintf(sc->err, sc->errlen, "malformed JSON at col %ld: %s",
		(long)(sc->p - sc->s) + 1, what);
	return -1;
}

static inline void ws(struct scan *sc)
{
	while (sc->p < sc->end && (unsigned char)*sc->p <= ' ' &&
	       (*sc->p == ' ' || *sc->p == '\t' || *sc->p == '\r' || *sc->p == '\n'))
		sc->p++;
}

static int hex4(const char *p)
{
	int v = 0;
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		v <<= 4;
		if (c >= '0' && c <= '9') v |= c - '0';
		else if (c >= 'a' && c <= 'f') v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F') v |= c - 'A' + 10;
		else return -1;
	}
	return v;
}

/* Validates UTF-8 starting at p (a byte >= 0x80); returns the sequence length or 0. */
static int utf8_len(const unsigned char *p, const unsigned char *end)
{
	unsigned c = p[0];
	int n;
	unsigned min;
	if (c >= 0xC2 && c <= 0xDF) { n = 2; min = 0x80; }
	else if (c >= 0xE0 && c <= 0xEF) { n = 3; min = 0x800; }
	else if (c >= 0xF0 && c <= 0xF4) { n = 4; min = 0x10000; }
	else return 0;
	if (end - p < n) return 0;
	unsigned cp = c & (0x3F >> (n - 1));
	for (int i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80) return 0;
		cp = (cp << 6) | (p[i] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
	return n;
}

#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL
/* Non-zero when any byte of v is '"', '\\', below 0x20 or at least 0x80. */
static inline uint64_t special8(uint64_t v)
{
	uint64_t q = v ^ (ONES * '"'), b = v ^ (ONES * '\\');
	return (((q - ONES) & ~q) | ((b - ONES) & ~b) | ((v - ONES * 0x20) & ~v) | v) & HIGHS;
}

/* At the opening quote. On return p is past the closing quote. */
static int scan_string(struct scan *sc, int *escaped)
{
	const char *p = sc->p + 1;
	*escaped = 0;
	for (;;) {
		/* Fast path over plain ASCII, eight bytes at a time: stop at the first word
		 * holding a quote, a backslash, a control byte or a non-ASCII byte. */
		while (sc->end - p >= 8) {
			uint64_t v, m;
			memcpy(&v, p, 8);
			m = special8(v);
			if (m) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
				/* The lowest flagged byte is exact (false positives only sit
				 * above a true one), so jump straight to it. */
				p += __builtin_ctzll(m) >> 3;
#endif
				break;
			}
			p += 8;
		}
		while (p < sc->end && (unsigned char)*p >= 0x20 && *p != '"' && *p != '\\' &&
		       (unsigned char)*p < 0x80)
			p++;
		if (p >= sc->end) { sc->p = p; return fail(sc, "unterminated string"); }
		if (*p == '"') { sc->p = p + 1; return 0; }
		if (*p == '\\') {
			*escaped = 1;
			if (p + 1 >= sc->end) { sc->p = p; return fail(sc, "unterminated string"); }
			switch (p[1]) {
			case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
				p += 2;
				break;
			case 'u':
				if (sc->end - p < 6 || hex4(p + 2) < 0) { sc->p = p; return fail(sc, "bad \\u escape"); }
				p += 6;
				break;
			default:
				sc->p = p;
				return fail(sc, "bad escape");
			}
			continue;
		}
		if ((unsigned char)*p < 0x20) { sc->p = p; return fail(sc, "control character in string"); }
		{
			int k = utf8_len((const unsigned char *)p, (const unsigned char *)sc->end);
			if (!k) { sc->p = p; return fail(sc, "invalid UTF-8"); }
			p += k;
		}
	}
}

static int scan_number(struct scan *sc)
{
	const char *p = sc->p;
	if (p < sc->end && *p == '-') p++;
	if (p >= sc->end || *p < '0' || *p > '9') { sc->p = p; return fail(sc, "bad number"); }
	if (*p == '0') p++;
	else while (p < sc->end && *p >= '0' && *p <= '9') p++;
	if (p < sc->end && *p == '.') {
		p++;
		if (p >= sc->end || *p < '0' || *p > '9') { sc->p = p; return fail(sc, "bad number"); }
		while (p < sc->end && *p >= '0' && *p <= '9') p++;
	}
	if (p < sc->end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < sc->end && (*p == '+' || *p == '-')) p++;
		if (p >= sc->end || *p < '0' || *p > '9') { sc->p = p; return fail(sc, "bad number"); }
		while (p < sc->end && *p >= '0' && *p <= '9') p++;
	}
	sc->p = p;
	return 0;
}

static int scan_value(struct scan *sc, int depth, int *type);

static int scan_container(struct scan *sc, int depth, char close)
{
	int t, esc;
	sc->p++;
	ws(sc);
	if (sc->p < sc->end && *sc->p == close) { sc->p++; return 0; }
	for (;;) {
		if (close == '}') {
			if (sc->p >= sc->end || *sc->p != '"') return fail(sc, "expected a member name");
			if (scan_string(sc, &esc)) return -1;
			ws(sc);
			if (sc->p >= sc->end || *sc->p != ':') return fail(sc, "expected ':'");
			sc->p++;
			ws(sc);
		}
		if (scan_value(sc, depth + 1, &t)) return -1;
		ws(sc);
		if (sc->p < sc->end && *sc->p == ',') { sc->p++; ws(sc); continue; }
		if (sc->p < sc->end && *sc->p == close) { sc->p++; return 0; }
		return fail(sc, close == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
	}
}

static int lit(struct scan *sc, const char *w, size_t n)
{
	if ((size_t)(sc->end - sc->p) < n || memcmp(sc->p, w, n) != 0)
		return fail(sc, "unexpected character");
	sc->p += n;
	return 0;
}

static int scan_value(struct scan *sc, int depth, int *type)
{
	int esc;
	if (depth > 32) return fail(sc, "nested too deeply");
	if (sc->p >= sc->end) return fail(sc, "unexpected end of line");
	switch (*sc->p) {
	case '"': *type = ALGO_J_STRING; return scan_string(sc, &esc);
	case '{': *type = ALGO_J_OBJECT; return scan_container(sc, depth, '}');
	case '[': *type = ALGO_J_ARRAY; return scan_container(sc, depth, ']');
	case 't': *type = ALGO_J_TRUE; return lit(sc, "true", 4);
	case 'f': *type = ALGO_J_FALSE; return lit(sc, "false", 5);
	case 'n': *type = ALGO_J_NULL; return lit(sc, "null", 4);
	default:
		if (*sc->p == '-' || (*sc->p >= '0' && *sc->p <= '9')) {
			*type = ALGO_J_NUMBER;
			return scan_number(sc);
		}
		return fail(sc, "unexpected character");
	}
}

static const struct { const char *name; int type; } etypes[] = {
	{ "bar", ALGO_EV_BAR }, { "tick", ALGO_EV_TICK }, { "signal", ALGO_EV_SIGNAL },
	{ "order", ALGO_EV_ORDER }, { "risk_block", ALGO_EV_RISK_BLOCK },
	{ "kill_switch", ALGO_EV_KILL_SWITCH }, { "order_update", ALGO_EV_ORDER_UPDATE },
	{ "fill", ALGO_EV_FILL }, { "sync", ALGO_EV_SYNC }, { "session", ALGO_EV_SESSION },
};

/* Scans a string body from p (just past its opening quote) that holds no escape,
 * control or non-ASCII byte. Returns the closing quote, or NULL when the string is
 * anything else (the general scanner then decides). */
static const char *plain_string(const char *p, const char *end)
{
	while (end - p >= 8) {
		uint64_t v, m;
		memcpy(&v, p, 8);
		m = special8(v);
		if (m) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
			p += __builtin_ctzll(m) >> 3;
#endif
			break;
		}
		p += 8;
	}
	while (p < end && (unsigned char)*p >= 0x20 && *p != '"' && *p != '\\' && (unsigned char)*p < 0x80)
		p++;
	return p < end && *p == '"' ? p : NULL;
}

/* A member at p: `,"KEY":` as lit (n bytes, a constant at every call, so the compare
 * is inlined). Indexes its key in f and returns p at its value, or NULL (p NULL too). */
static inline const char *member(struct algo_jfield *f, const char *p, const char *end,
	const char *lit, size_t n)
{
	if (!p || (size_t)(end - p) < n || memcmp(p, lit, n) != 0)
		return NULL;
	f->key = p + 2;
	f->klen = (unsigned short)(n - 4);
	f->escaped = 0;
	return p + n;
}
#define MEMBER(f, p, end, lit) member((f), (p), (end), (lit), sizeof(lit) - 1)

/* The plain string value at p (its opening quote) of field f; returns p past its
 * closing quote, or NULL when it is not plain (or p is NULL). */
static const char *fast_str(struct algo_jfield *f, const char *p, const char *end)
{
	const char *q;
	if (!p || p >= end || *p != '"' || !(q = plain_string(p + 1, end)))
		return NULL;
	f->val = p + 1;
	f->vlen = (unsigned)(q - p - 1);
	f->type = ALGO_J_STRING;
	return q + 1;
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* The run of digits at p, up to 8 of them, read as one word: *n is how many (0-8), the
 * return their value. Bytes at or past end read as non-digits; the bytes before end hold
 * a non-digit (fast_bar checked the closing '}'), so p + *n < end. The 8 bytes before
 * end must be readable (a bar is longer). */
static inline uint64_t digits8(const char *p, const char *end, int *n)
{
	uint64_t v, m, d;
	if (end - p >= 8) {
		memcpy(&v, p, 8);
	} else {
		/* the word that ends at end, shifted down to p: zeros past end */
		memcpy(&v, end - 8, 8);
		v >>= 8 * (8 - (end - p));
	}
	/* a byte's high bit: above '9' (+0x46), or below '0' (-0x30); a borrow or carry
	 * only reaches the bytes above a flagged one, so the lowest flag is exact */
	m = ((v + ONES * 0x46) | (v - ONES * '0')) & HIGHS;
	*n = m ? __builtin_ctzll(m) >> 3 : 8;
	if (*n == 0)
		return 0;
	/* the digits to the top of the word, zeros (leading zero digits) below them */
	d = (v - ONES * '0') << (8 * (8 - *n));
	d = d * 10 + (d >> 8);
	return (((d & 0x000000FF000000FFULL) * (100 + (1000000ULL << 32))) +
		(((d >> 16) & 0x000000FF000000FFULL) * (1 + (10000ULL << 32)))) >> 32;
}
#else
/* Elsewhere every number is read digit by digit (fast_num hands 8 to slow_num). */
static inline uint64_t digits8(const char *p, const char *end, int *n)
{
	(void)p, (void)end;
	*n = 8;
	return 0;
}
#endif

/* fast_num's digit by digit reading, for runs of 8 digits or more. */
static const char *slow_num(struct algo_jfield *f, const char *p, const char *end, int whole,
	int64_t *v, int *exact)
{
	static const int64_t pow10[] = { 10000, 1000, 100, 10, 1 };
	const char *v0 = p;
	int64_t x = 0;
	int neg = 0, nd = 0, fd = -1;
	if (*p == '-') { neg = 1; p++; }
	if (*p < '0' || *p > '9') return NULL;
	if (*p == '0') { p++; nd = 1; }
	else for (; *p >= '0' && *p <= '9'; p++, nd++)
		if (nd < 18) x = x * 10 + (*p - '0');
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9') return NULL;
		for (fd = 0; *p >= '0' && *p <= '9'; p++, fd++)
			if (fd < 4) x = x * 10 + (*p - '0');
	}
	if (*p == 'e' || *p == 'E' || (*p >= '0' && *p <= '9'))   /* exponents and "01" */
		return NULL;
	f->val = v0;
	f->vlen = (unsigned)(p - v0);
	f->type = ALGO_J_NUMBER;
	if (whole) {
		*exact = fd < 0 && nd <= 17;
	} else {
		if (fd < 0) fd = 0;
		*exact = nd <= 10 && fd <= 4;
		if (*exact) x *= pow10[fd];
	}
	*v = neg ? -x : x;
	return p;
}

/* The plain number value at p of field f — -?(0|[1-9][0-9]*)(.[0-9]+)? not followed by
 * e, E or a digit (those go to the general scanner); returns p past it, or NULL. Its
 * value goes to *v, and *exact says whether that is exact: for algo_dec_parse (whole
 * 0: at most 10 integer digits and 4 decimals, the decimal ×10,000) or for f_int
 * (whole: no point, at most 17 digits). Otherwise the text is parsed again, with the
 * messages of that path. The integer and the decimals are read eight bytes at a time
 * (digits8); a run of eight digits or more goes to slow_num. */
static const char *fast_num(struct algo_jfield *f, const char *p, const char *end, int whole,
	int64_t *v, int *exact)
{
	static const int64_t pow10[] = { 10000, 1000, 100, 10, 1 };
	const char *v0 = p, *q;
	uint64_t x, y;
	int neg = 0, nd, fd;
	/* the line ends in '}' (fast_bar checked), so no run of digits passes its end */
	if (!p || p >= end)
		return NULL;
	if (*p == '-') { neg = 1; p++; }
	x = digits8(p, end, &nd);
	if (nd == 8)
		return slow_num(f, v0, end, whole, v, exact);
	if (nd == 0 || (*p == '0' && nd > 1))           /* not a number, or "01" */
		return NULL;
	q = p + nd;
	fd = -1;
	y = 0;
	if (*q == '.') {
		y = digits8(q + 1, end, &fd);
		if (fd == 8)
			return slow_num(f, v0, end, whole, v, exact);
		if (fd == 0)
			return NULL;
		q += 1 + fd;
	}
	if (*q == 'e' || *q == 'E')          /* a digit cannot follow: digits8 stopped */
		return NULL;
	f->val = v0;
	f->vlen = (unsigned)(q - v0);
	f->type = ALGO_J_NUMBER;
	if (whole) {
		*exact = fd < 0;
	} else {
		*exact = fd <= 4;
		if (*exact)
			x = x * 10000 + (fd > 0 ? y * (uint64_t)pow10[fd] : 0);
	}
	*v = neg ? -(int64_t)x : (int64_t)x;
	return q;
}

/* The bar layout algo-feed writes — {"type":"bar","ts":"…","symbol":"…","tf":"…",
 * "o":…,"h":…,"l":…,"c":…,"v":…[,"oi":…]} with no white space and plain strings — is
 * most of every stream. This indexes exactly that shape in one pass, reading the
 * numbers on the way (ev->num); anything else (other order, spaces, escapes, more
 * fields) returns 0 and goes to the general scanner, so what is accepted and how it
 * is indexed never differ between paths. */
static int fast_bar(struct algo_event *ev, const char *line, size_t len)
{
	static const char head[] = "{\"type\":\"bar\"";
	const char *p, *end = line + len;
	struct algo_jfield *f = ev->f;
	int exact[6] = { 0 }, nf = 9;

	if (len < sizeof head + 8 || line[len - 1] != '}' || memcmp(line, head, sizeof head - 1) != 0)
		return 0;
	f[0] = (struct algo_jfield){ .key = line + 2, .klen = 4, .val = line + 9, .vlen = 3,
		.type = ALGO_J_STRING };
	p = fast_str(&f[1], MEMBER(&f[1], line + sizeof head - 1, end, ",\"ts\":"), end);
	p = fast_str(&f[2], MEMBER(&f[2], p, end, ",\"symbol\":"), end);
	p = fast_str(&f[3], MEMBER(&f[3], p, end, ",\"tf\":"), end);
	p = fast_num(&f[4], MEMBER(&f[4], p, end, ",\"o\":"), end, 0, &ev->num[0], &exact[0]);
	p = fast_num(&f[5], MEMBER(&f[5], p, end, ",\"h\":"), end, 0, &ev->num[1], &exact[1]);
	p = fast_num(&f[6], MEMBER(&f[6], p, end, ",\"l\":"), end, 0, &ev->num[2], &exact[2]);
	p = fast_num(&f[7], MEMBER(&f[7], p, end, ",\"c\":"), end, 0, &ev->num[3], &exact[3]);
	p = fast_num(&f[8], MEMBER(&f[8], p, end, ",\"v\":"), end, 1, &ev->num[4], &exact[4]);
	if (!p)
		return 0;
	if (end - p != 1 || *p != '}') {
		p = fast_num(&f[9], MEMBER(&f[9], p, end, ",\"oi\":"), end, 1, &ev->num[5], &exact[5]);
		if (!p || end - p != 1 || *p != '}')
			return 0;
		nf = 10;
	}
	ev->nfields = nf;
	ev->type = ALGO_EV_BAR;
	ev->fast = 1;
	ev->num_ok = 0;
	for (int k = 0; k < 6; k++)
		ev->num_ok |= (unsigned char)(exact[k] << k);
	return 1;
}

int algo_event_parse(struct algo_event *ev, const char *line, size_t len, char *err, size_t errlen)
{
	struct scan sc = { line, line, line + len, err, errlen };
	const struct algo_jfield *tf;
	int have_ts = 0;
	uint64_t seen = 0;

	ev->line = line;
	ev->len = len;
	ev->type = ALGO_EV_OTHER;
	ev->nfields = 0;
	ev->fast = ev->num_ok = 0;
	if (fast_bar(ev, line, len))
		return 0;
	ws(&sc);
	if (sc.p >= sc.end) return fail(&sc, "empty line");
	if (*sc.p != '{') return fail(&sc, "expected '{'");
	sc.p++;
	ws(&sc);
	if (sc.p < sc.end && *sc.p == '}') {
		sc.p++;
	} else {
		for (;;) {
			struct algo_jfield *f;
			const char *k, *v;
			int esc, t;
			if (sc.p >= sc.end || *sc.p != '"') return fail(&sc, "expected a member name");
			k = sc.p + 1;
			if (scan_string(&sc, &esc)) return -1;
			if (ev->nfields == ALGO_EVENT_MAXFIELDS) {
				snprintf(err, errlen, "more than %d fields", ALGO_EVENT_MAXFIELDS);
				return -1;
			}
			f = &ev->f[ev->nfields];
			f->key = k;
			f->klen = (unsigned short)(sc.p - 1 - k > 65535 ? 65535 : sc.p - 1 - k);
			{
				/* Duplicate keys: a signature bit per (length, first and last byte)
				 * rules most keys out without comparing them to every earlier one. */
				unsigned h = f->klen ? ((unsigned char)k[0] * 7u + (unsigned char)k[f->klen - 1] * 13u + f->klen) & 63u : 0;
				uint64_t bit = 1ULL << h;
				if (seen & bit) {
					for (int i = 0; i < ev->nfields; i++)
						if (ev->f[i].klen == f->klen && memcmp(ev->f[i].key, k, f->klen) == 0) {
							snprintf(err, errlen, "duplicate field '%.*s'", (int)(f->klen > 64 ? 64 : f->klen), k);
							return -1;
						}
				}
				seen |= bit;
			}
			ws(&sc);
			if (sc.p >= sc.end || *sc.p != ':') return fail(&sc, "expected ':'");
			sc.p++;
			ws(&sc);
			v = sc.p;
			if (sc.p < sc.end && *sc.p == '"') {
				t = ALGO_J_STRING;
				if (scan_string(&sc, &esc)) return -1;
				f->val = v + 1;
				f->vlen = (unsigned)(sc.p - v - 2);
				f->escaped = (unsigned char)esc;
			} else {
				if (scan_value(&sc, 1, &t)) return -1;
				f->val = v;
				f->vlen = (unsigned)(sc.p - v);
				f->escaped = 0;
			}
			f->type = (unsigned char)t;
			ev->nfields++;
			ws(&sc);
			if (sc.p < sc.end && *sc.p == ',') { sc.p++; ws(&sc); continue; }
			if (sc.p < sc.end && *sc.p == '}') { sc.p++; break; }
			return fail(&sc, "expected ',' or '}'");
		}
	}
	ws(&sc);
	if (sc.p != sc.end) return fail(&sc, "text after the object");

	tf = algo_event_get(ev, "type");
	if (!tf) { snprintf(err, errlen, "missing field 'type'"); return -1; }
	if (tf->type != ALGO_J_STRING) { snprintf(err, errlen, "field 'type': must be a string"); return -1; }
	for (size_t i = 0; i < sizeof etypes / sizeof etypes[0]; i++)
		if (strlen(etypes[i].name) == tf->vlen && memcmp(etypes[i].name, tf->val, tf->vlen) == 0) {
			ev->type = etypes[i].type;
			break;
		}
	for (int i = 0; i < ev->nfields; i++)
		if (ev->f[i].klen == 2 && ev->f[i].key[0] == 't' && ev->f[i].key[1] == 's') {
			if (ev->f[i].type != ALGO_J_STRING) {
				snprintf(err, errlen, "field 'ts': must be a string");
				return -1;
			}
			have_ts = 1;
		}
	if (!have_ts) { snprintf(err, errlen, "missing field 'ts'"); return -1; }
	return 0;
}

const struct algo_jfield *algo_event_get(const struct algo_event *ev, const char *key)
{
	size_t n = strlen(key);
	for (int i = 0; i < ev->nfields; i++)
		if (ev->f[i].klen == n && ev->f[i].key[0] == key[0] && memcmp(ev->f[i].key, key, n) == 0)
			return &ev->f[i];
	return NULL;
}

long algo_json_unescape(const char *s, size_t n, char *out, size_t outlen)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned cp;
		if (s[i] != '\\') {
			if (o + 1 >= outlen) return -1;
			out[o++] = s[i];
			continue;
		}
		if (++i >= n) return -1;
		switch (s[i]) {
		case '"': cp = '"'; break;
		case '\\': cp = '\\'; break;
		case '/': cp = '/'; break;
		case 'b': cp = '\b'; break;
		case 'f': cp = '\f'; break;
		case 'n': cp = '\n'; break;
		case 'r': cp = '\r'; break;
		case 't': cp = '\t'; break;
		case 'u': {
			int h;
			if (n - i < 5 || (h = hex4(s + i + 1)) < 0) return -1;
			cp = (unsigned)h;
			i += 4;
			if (cp >= 0xD800 && cp <= 0xDBFF) {
				int lo;
				if (n - i < 7 || s[i + 1] != '\\' || s[i + 2] != 'u' ||
				    (lo = hex4(s + i + 3)) < 0xDC00 || lo > 0xDFFF)
					return -1;
				cp = 0x10000 + ((cp - 0xD800) << 10) + ((unsigned)lo - 0xDC00);
				i += 6;
			} else if (cp >= 0xDC00 && cp <= 0xDFFF) {
				return -1;
			}
			break;
		}
		default: return -1;
		}
		if (cp == 0) return -1;             /* NUL would truncate C strings */
		if (cp < 0x80) {
			if (o + 1 >= outlen) return -1;
			out[o++] = (char)cp;
		} else if (cp < 0x800) {
			if (o + 2 >= outlen) return -1;
			out[o++] = (char)(0xC0 | (cp >> 6));
			out[o++] = (char)(0x80 | (cp & 0x3F));
		} else if (cp < 0x10000) {
			if (o + 3 >= outlen) return -1;
			out[o++] = (char)(0xE0 | (cp >> 12));
			out[o++] = (char)(0x80 | ((cp >> 6) & 0x3F));
			out[o++] = (char)(0x80 | (cp & 0x3F));
		} else {
			if (o + 4 >= outlen) return -1;
			out[o++] = (char)(0xF0 | (cp >> 18));
			out[o++] = (char)(0x80 | ((cp >> 12) & 0x3F));
			out[o++] = (char)(0x80 | ((cp >> 6) & 0x3F));
			out[o++] = (char)(0x80 | (cp & 0x3F));
		}
	}
	if (o >= outlen) return -1;
	out[o] = '\0';
	return (long)o;
}

/* ---- typed getters ------------------------------------------------------------ */

static const struct algo_jfield *need(const struct algo_event *ev, const char *key, int required,
	int *rc, char *err, size_t errlen)
{
	const struct algo_jfield *f = algo_event_get(ev, key);
	*rc = 1;
	if (!f || (f->type == ALGO_J_NULL && !required)) {
		*rc = 0;
		if (required) {
			snprintf(err, errlen, "missing field '%s'", key);
			*rc = -1;
		}
		return NULL;
	}
	return f;
}

#define BAD(...) do { snprintf(err, errlen, __VA_ARGS__); return -1; } while (0)

/* Field-level conversions: f is present and not a null for an optional field. */
static int f_str(const struct algo_jfield *f, const char *key, int required,
	char *out, size_t outlen, char *err, size_t errlen)
{
	if (f->type != ALGO_J_STRING) BAD("field '%s': must be a string", key);
	if (!f->escaped) {
		if (f->vlen + 1 > outlen) BAD("field '%s': longer than %zu bytes", key, outlen - 1);
		memcpy(out, f->val, f->vlen);
		out[f->vlen] = '\0';
	} else if (algo_json_unescape(f->val, f->vlen, out, outlen) < 0) {
		BAD("field '%s': invalid or longer than %zu bytes", key, outlen - 1);
	}
	if (required && !out[0]) BAD("field '%s': must not be empty", key);
	return 1;
}

static int f_number(const struct algo_jfield *f, const char *key, char *err, size_t errlen)
{
	if (f->type == ALGO_J_NUMBER) return 1;
	if (f->type == ALGO_J_STRING)
		BAD("field '%s': must be a number, not a string (\"%.*s\")", key,
			(int)(f->vlen > 32 ? 32 : f->vlen), f->val);
	BAD("field '%s': must be a number", key);
}

static int f_dec(const struct algo_jfield *f, const char *key, int64_t *out, char *err, size_t errlen)
{
	if (f_number(f, key, err, errlen) < 0) return -1;
	if (algo_dec_parse(f->val, f->vlen, out))
		BAD("field '%s': %.*s is out of range or has more than 4 decimals", key,
			(int)(f->vlen > 40 ? 40 : f->vlen), f->val);
	return 1;
}

static int f_price(const struct algo_jfield *f, const char *key, int64_t *out, char *err, size_t errlen)
{
	if (f_dec(f, key, out, err, errlen) < 0) return -1;
	if (*out <= 0) BAD("field '%s': must be a positive price", key);
	return 1;
}

static int f_int(const struct algo_jfield *f, const char *key, int64_t *out, char *err, size_t errlen)
{
	int64_t v = 0;
	int neg = 0;
	size_t i = 0;
	if (f_number(f, key, err, errlen) < 0) return -1;
	if (f->val[0] == '-') { neg = 1; i = 1; }
	for (; i < f->vlen; i++) {
		char c = f->val[i];
		if (c < '0' || c > '9' || v > 99999999999999999LL)
			BAD("field '%s': must be a whole number", key);
		v = v * 10 + (c - '0');
	}
	*out = neg ? -v : v;
	return 1;
}

static int f_time(const struct algo_jfield *f, const char *key, int64_t *ms, char *err, size_t errlen)
{
	if (f->type != ALGO_J_STRING || f->escaped || algo_time_parse(f->val, f->vlen, ms))
		BAD("field '%s': not an RFC 3339 time with offset", key);
	return 1;
}

int algo_event_str(const struct algo_event *ev, const char *key, int required,
	char *out, size_t outlen, char *err, size_t errlen)
{
	int rc;
	const struct algo_jfield *f = need(ev, key, required, &rc, err, errlen);
	return f ? f_str(f, key, required, out, outlen, err, errlen) : rc;
}

int algo_event_dec(const struct algo_event *ev, const char *key, int required,
	int64_t *out, char *err, size_t errlen)
{
	int rc;
	const struct algo_jfield *f = need(ev, key, required, &rc, err, errlen);
	return f ? f_dec(f, key, out, err, errlen) : rc;
}

int algo_event_price(const struct algo_event *ev, const char *key, int required,
	int64_t *out, char *err, size_t errlen)
{
	int rc;
	const struct algo_jfield *f = need(ev, key, required, &rc, err, errlen);
	return f ? f_price(f, key, out, err, errlen) : rc;
}

int algo_event_int(const struct algo_event *ev, const char *key, int required,
	int64_t *out, char *err, size_t errlen)
{
	int rc;
	const struct algo_jfield *f = need(ev, key, required, &rc, err, errlen);
	return f ? f_int(f, key, out, err, errlen) : rc;
}

int algo_event_qty(const struct algo_event *ev, const char *key, int required,
	int64_t *out, char *err, size_t errlen)
{
	int rc;
	const struct algo_jfield *f = need(ev, key, required, &rc, err, errlen);
	if (!f) return rc;
	if (f_int(f, key, out, err, errlen) < 0) {
		if (f->type == ALGO_J_NUMBER) BAD("field '%s': must be a positive integer", key);
		return -1;
	}
	if (*out <= 0) BAD("field '%s': must be a positive integer", key);
	return 1;
}

int algo_event_time(const struct algo_event *ev, const char *key, int required,
	int64_t *ms, char *err, size_t errlen)
{
	int rc;
	const struct algo_jfield *f = need(ev, key, required, &rc, err, errlen);
	return f ? f_time(f, key, ms, err, errlen) : rc;
}

void algo_event_ts_order_err(char *err, size_t errlen, const char *what, int64_t now,
	int64_t prev, const char *symbol, const char *tf)
{
	char a[ALGO_TIME_FMT_MAX], b[ALGO_TIME_FMT_MAX];
	algo_time_fmt(now, ALGO_IST_OFFSET_MIN, a);
	algo_time_fmt(prev, ALGO_IST_OFFSET_MIN, b);
	snprintf(err, errlen, "field 'ts': %s %s %s for %s%s%s", a, what, b, symbol,
		tf[0] ? " " : "", tf);
}

int algo_event_name(const struct algo_event *ev, const char *key, int required,
	char *out, size_t outlen, char *err, size_t errlen)
{
	int rc = algo_event_str(ev, key, required, out, outlen, err, errlen);
	if (rc <= 0)
		return rc;
	if (!out[0]) BAD("field '%s': must not be empty", key);
	for (const char *p = out; *p; p++)
		if ((unsigned char)*p < 0x20) BAD("field '%s': must not contain control characters", key);
	return 1;
}

int algo_event_word(const struct algo_event *ev, const char *key, const char *const *list,
	const char *want, int dflt, char *err, size_t errlen)
{
	char buf[16];
	const struct algo_jfield *f = algo_event_get(ev, key);
	if (!f && dflt >= 0)
		return dflt;
	if (algo_event_str(ev, key, 1, buf, sizeof buf, err, errlen) < 0) {
		if (f && f->type == ALGO_J_STRING) BAD("field '%s': must be %s", key, want);
		return -1;
	}
	for (int i = 0; list[i]; i++)
		if (strcmp(buf, list[i]) == 0)
			return i;
	BAD("field '%s': must be %s", key, want);
}

/* A bar's price o, h, l or c (k 0-3) or v, oi (k 4, 5): what the fast path read when it
 * is exact, else the text, with the same checks and messages either way. */
static int bar_price(const struct algo_event *ev, int k, const struct algo_jfield *f,
	const char *key, int64_t *out, char *err, size_t errlen)
{
	if (!(ev->num_ok & (1u << k)))
		return f_price(f, key, out, err, errlen);
	*out = ev->num[k];
	if (*out <= 0) BAD("field '%s': must be a positive price", key);
	return 1;
}

static int bar_whole(const struct algo_event *ev, int k, const struct algo_jfield *f,
	const char *key, int64_t *out, char *err, size_t errlen)
{
	if (!(ev->num_ok & (1u << k)))
		return f_int(f, key, out, err, errlen);
	*out = ev->num[k];
	return 1;
}

/* One pass over the fields instead of a look-up per member (none after the fast path,
 * which knows where they are): bars are most of the stream. Messages are the same as
 * the getters'. */
int algo_bar_decode(const struct algo_event *ev, struct algo_bar *bar, char *err, size_t errlen)
{
	const struct algo_jfield *ts = NULL, *sym = NULL, *tf = NULL, *o = NULL, *h = NULL,
		*l = NULL, *c = NULL, *v = NULL, *oi = NULL;
	if (ev->fast) {
		ts = &ev->f[1], sym = &ev->f[2], tf = &ev->f[3];
		o = &ev->f[4], h = &ev->f[5], l = &ev->f[6], c = &ev->f[7], v = &ev->f[8];
		oi = ev->nfields > 9 ? &ev->f[9] : NULL;
	}
	for (int i = 0; !ev->fast && i < ev->nfields; i++) {
		const struct algo_jfield *f = &ev->f[i];
		const char *k = f->key;
		switch (f->klen) {
		case 1:
			switch (k[0]) {
			case 'o': o = f; break;
			case 'h': h = f; break;
			case 'l': l = f; break;
			case 'c': c = f; break;
			case 'v': v = f; break;
			}
			break;
		case 2:
			if (k[0] == 't' && k[1] == 's') ts = f;
			else if (k[0] == 't' && k[1] == 'f') tf = f;
			else if (k[0] == 'o' && k[1] == 'i') oi = f;
			break;
		case 6:
			if (memcmp(k, "symbol", 6) == 0) sym = f;
			break;
		}
	}
	if (tf && tf->type == ALGO_J_NULL) tf = NULL;
	if (oi && oi->type == ALGO_J_NULL) oi = NULL;
	if (!ts) BAD("missing field 'ts'");
	if (f_time(ts, "ts", &bar->ts, err, errlen) < 0) return -1;
	if (!sym) BAD("missing field 'symbol'");
	if (f_str(sym, "symbol", 1, bar->symbol, sizeof bar->symbol, err, errlen) < 0) return -1;
	bar->tf[0] = '\0';
	if (tf && f_str(tf, "tf", 0, bar->tf, sizeof bar->tf, err, errlen) < 0) return -1;
	if (!o) BAD("missing field 'o'");
	if (bar_price(ev, 0, o, "o", &bar->o, err, errlen) < 0) return -1;
	if (!h) BAD("missing field 'h'");
	if (bar_price(ev, 1, h, "h", &bar->h, err, errlen) < 0) return -1;
	if (!l) BAD("missing field 'l'");
	if (bar_price(ev, 2, l, "l", &bar->l, err, errlen) < 0) return -1;
	if (!c) BAD("missing field 'c'");
	if (bar_price(ev, 3, c, "c", &bar->c, err, errlen) < 0) return -1;
	if (!v) BAD("missing field 'v'");
	if (bar_whole(ev, 4, v, "v", &bar->v, err, errlen) < 0) return -1;
	if (bar->v < 0) BAD("field 'v': must not be negative");
	bar->oi = -1;
	if (oi) {
		if (bar_whole(ev, 5, oi, "oi", &bar->oi, err, errlen) < 0) return -1;
		if (bar->oi < 0) BAD("field 'oi': must not be negative");
	}
	if (bar->h < bar->o || bar->h < bar->c) BAD("field 'h': below max(o, c)");
	if (bar->l > bar->o || bar->l > bar->c) BAD("field 'l': above min(o, c)");
	return 0;
}

/* ---- writer ----------------------------------------------------------------- */

struct algo_writer algo_stdout = { .fd = 1 };

void algo_writer_init(struct algo_writer *w, int fd)
{
	w->fd = fd;
	w->len = w->mark = 0;
	w->first = 1;
	w->before_write = NULL;
	w->before_write_arg = NULL;
	w->soft = w->error = 0;
	w->tap_on = w->tap_oom = 0;
	w->tap = NULL;
	w->tap_len = w->tap_cap = 0;
}

static void write_all(struct algo_writer *w, const char *p, size_t n)
{
	if (w->error)
		return;                                  /* soft mode: output is gone */
	if (n && w->before_write) {
		int e = w->before_write(w->before_write_arg);
		if (e) {
			if (w->soft) {
				w->error = e;
				return;
			}
			fprintf(stderr, "%s: write error: %s\n", algo_progname, strerror(e));
			_exit(74);
		}
	}
	while (n) {
		ssize_t k = write(w->fd, p, n);
		if (k < 0) {
			if (errno == EINTR) continue;
			if (w->soft) {
				w->error = errno;
				return;
			}
			if (errno == EPIPE) _exit(0);          /* reader gone: quiet exit */
			fprintf(stderr, "%s: write error: %s\n", algo_progname, strerror(errno));
			_exit(74);
		}
		p += k;
		n -= (size_t)k;
	}
}

void algo_writer_flush(struct algo_writer *w)
{
	if (w->len) write_all(w, w->buf, w->len);
	w->len = w->mark = 0;
}

/* Flushes whole events so a single write() stays under the 64 KiB pipe size. */
#define FLUSH_AT 61440
static inline void maybe_flush(struct algo_writer *w)
{
	if (w->mark >= FLUSH_AT) {
		write_all(w, w->buf, w->mark);
		memmove(w->buf, w->buf + w->mark, w->len - w->mark);
		w->len -= w->mark;
		w->mark = 0;
	}
}

/* Appends to the tap (see struct algo_writer). */
static void tap(struct algo_writer *w, const char *p, size_t n)
{
	if (w->tap_len + n > w->tap_cap) {
		size_t cap = w->tap_cap ? w->tap_cap : 4096;
		char *t;
		while (cap < w->tap_len + n)
			cap *= 2;
		if (!(t = realloc(w->tap, cap))) {
			w->tap_oom = 1;
			return;
		}
		w->tap = t;
		w->tap_cap = cap;
	}
	memcpy(w->tap + w->tap_len, p, n);
	w->tap_len += n;
}

static inline void put(struct algo_writer *w, const char *p, size_t n)
{
	if (w->tap_on)
		tap(w, p, n);
	if (w->len + n > sizeof w->buf) {
		/* An event larger than the buffer's free room: flush finished events first,
		 * then write through (only for events near the 64 KiB line limit). */
		if (w->mark) {
			write_all(w, w->buf, w->mark);
			memmove(w->buf, w->buf + w->mark, w->len - w->mark);
			w->len -= w->mark;
			w->mark = 0;
		}
		if (w->len + n > sizeof w->buf) {
			write_all(w, w->buf, w->len);
			w->len = 0;
			write_all(w, p, n);
			return;
		}
	}
	memcpy(w->buf + w->len, p, n);
	w->len += n;
}

static inline void putc1(struct algo_writer *w, char c) { put(w, &c, 1); }

void algo_out_line(struct algo_writer *w, const char *line, size_t len)
{
	put(w, line, len);
	putc1(w, '\n');
	w->mark = w->len;
	maybe_flush(w);
}

void algo_out_begin(struct algo_writer *w)
{
	putc1(w, '{');
	w->first = 1;
}

static void key(struct algo_writer *w, const char *k)
{
	if (!w->first) putc1(w, ',');
	w->first = 0;
	putc1(w, '"');
	put(w, k, strlen(k));
	put(w, "\":", 2);
}

static void put_escaped(struct algo_writer *w, const char *s, size_t n)
{
	static const char hexd[] = "0123456789abcdef";
	size_t run = 0;
	putc1(w, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\') continue;
		put(w, s + run, i - run);
		run = i + 1;
		switch (c) {
		case '"': put(w, "\\\"", 2); break;
		case '\\': put(w, "\\\\", 2); break;
		case '\n': put(w, "\\n", 2); break;
		case '\r': put(w, "\\r", 2); break;
		case '\t': put(w, "\\t", 2); break;
		default: {
			char u[6] = { '\\', 'u', '0', '0', hexd[c >> 4], hexd[c & 15] };
			put(w, u, 6);
		}
		}
	}
	put(w, s + run, n - run);
	putc1(w, '"');
}

void algo_out_strn(struct algo_writer *w, const char *k, const char *val, size_t n)
{
	key(w, k);
	put_escaped(w, val, n);
}

void algo_out_str(struct algo_writer *w, const char *k, const char *val)
{
	algo_out_strn(w, k, val, strlen(val));
}

void algo_out_dec(struct algo_writer *w, const char *k, int64_t v)
{
	char b[ALGO_DEC_FMT_MAX];
	key(w, k);
	put(w, b, algo_dec_fmt(v, b));
}

void algo_out_int(struct algo_writer *w, const char *k, int64_t v)
{
	char b[ALGO_DEC_FMT_MAX];
	key(w, k);
	put(w, b, algo_int_fmt(v, b));
}

void algo_out_num(struct algo_writer *w, const char *k, double v)
{
	char b[40];
	int n = 0;
	key(w, k);
	if (!isfinite(v)) { put(w, "null", 4); return; }
	for (int prec = 15; prec <= 17; prec++) {
		n = snprintf(b, sizeof b, "%.*g", prec, v);
		if (strtod(b, NULL) == v) break;
	}
	put(w, b, (size_t)n);
}

void algo_out_time(struct algo_writer *w, const char *k, int64_t ms)
{
	char b[ALGO_TIME_FMT_MAX];
	size_t n = algo_time_fmt(ms, ALGO_IST_OFFSET_MIN, b);
	key(w, k);
	putc1(w, '"');
	put(w, b, n);
	putc1(w, '"');
}

void algo_out_raw(struct algo_writer *w, const char *k, const char *json, size_t n)
{
	key(w, k);
	put(w, json, n);
}

void algo_out_bool(struct algo_writer *w, const char *k, int v)
{
	key(w, k);
	if (v) put(w, "true", 4); else put(w, "false", 5);
}

void algo_out_obj_begin(struct algo_writer *w, const char *k)
{
	key(w, k);
	putc1(w, '{');
	w->first = 1;
}

void algo_out_obj_end(struct algo_writer *w)
{
	putc1(w, '}');
	w->first = 0;
}

void algo_out_end(struct algo_writer *w)
{
	put(w, "}\n", 2);
	w->mark = w->len;
	maybe_flush(w);
}

int algo_out_finish(int code)
{
	algo_writer_flush(&algo_stdout);
	return code;
}
