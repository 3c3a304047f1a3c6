#include "decimal.h"
#include <math.h>
#include <string.h>

#define DEC_LIMIT 900000000000000LL   /* 9e14 units = 9e10 rupees; products fit int128 */

/* The common shape — [-]digits[.digits], at most 10 integer digits and 4 decimals, no
 * exponent — in plain int64 arithmetic. Returns 1 with *out set when the text has that
 * shape and is valid, 0 to leave it (valid or not) to the general parser. */
static int parse_fast(const char *s, size_t n, int64_t *out)
{
	static const int64_t pow10[] = { 10000, 1000, 100, 10, 1 };
	size_t i = 0;
	int64_t v = 0;
	int neg = 0, nd = 0, fd = 0;
	if (n && s[0] == '-') { neg = 1; i = 1; }
	if (i >= n || s[i] < '0' || s[i] > '9' || n - i > 16)
		return 0;
	if (s[i] == '0' && i + 1 < n && s[i + 1] >= '0' && s[i + 1] <= '9')
		return 0;
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, nd++)
		v = v * 10 + (s[i] - '0');
	if (i < n && s[i] == '.') {
		i++;
		if (i >= n) return 0;
		for (; i < n && s[i] >= '0' && s[i] <= '9' && fd < 4; i++, fd++)
			v = v * 10 + (s[i] - '0');
		if (fd == 0) return 0;
	}
	if (i != n || nd > 10)          /* 10 integer digits stay below DEC_LIMIT */
		return 0;
	v *= pow10[fd];
	*out = neg ? -v : v;
	return 1;
}

int algo_dec_parse(const char *s, size_t n, int64_t *out)
{
	if (parse_fast(s, n, out))
		return 0;
	{
	size_t i = 0;
	int neg = 0, ndig = 0;
	long exp = 0, frac = 0;
	/* Digits are collected as an integer mantissa m (≤ 19 significant digits kept
	 * exactly, later digits must be zero) with `frac` digits after the point. */
	__int128 m = 0;
	int sig = 0;

	if (i < n && s[i] == '-') { neg = 1; i++; }
	if (i >= n || s[i] < '0' || s[i] > '9')
		return -1;
	if (s[i] == '0' && i + 1 < n && s[i + 1] >= '0' && s[i + 1] <= '9')
		return -1;                       /* JSON forbids leading zeros */
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, ndig++) {
		if (sig < 30) { m = m * 10 + (s[i] - '0'); if (m) sig++; }
		else if (s[i] != '0') return -1; else exp++;
	}
	if (i < n && s[i] == '.') {
		i++;
		if (i >= n || s[i] < '0' || s[i] > '9')
			return -1;
		for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
			if (sig < 30) { m = m * 10 + (s[i] - '0'); frac++; if (m) sig++; }
			else if (s[i] != '0') return -1;
		}
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		int eneg = 0;
		long e = 0;
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-')) { eneg = s[i] == '-'; i++; }
		if (i >= n || s[i] < '0' || s[i] > '9')
			return -1;
		for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			if (e < 100000) e = e * 10 + (s[i] - '0');
		exp += eneg ? -e : e;
	}
	if (i != n)
		return -1;
	(void)ndig;
	/* value = m * 10^(exp - frac); we want m * 10^(exp - frac + 4) as an integer. */
	long shift = exp - frac + 4;
	if (m == 0) { *out = 0; return 0; }
	while (shift < 0) {
		if (m % 10 != 0)
			return -1;                   /* non-zero digit past the 4th decimal */
		m /= 10;
		shift++;
	}
	while (shift > 0) {
		m *= 10;
		shift--;
		if (m >= DEC_LIMIT)
			return -1;
	}
	if (m >= DEC_LIMIT)
		return -1;
	*out = neg ? -(int64_t)m : (int64_t)m;
	return 0;
	}
}

/* "00" to "99": two digits per division. */
static const char two_digits[] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

/* The digits of u at p, written from the last one back (no reversing copy); returns
 * their count. */
static size_t put_digits(char *p, uint64_t u)
{
	static const uint64_t pow10[] = { 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL,
		10000000ULL, 100000000ULL, 1000000000ULL, 10000000000ULL, 100000000000ULL,
		1000000000000ULL, 10000000000000ULL, 100000000000000ULL, 1000000000000000ULL,
		10000000000000000ULL, 100000000000000000ULL, 1000000000000000000ULL,
		10000000000000000000ULL };
	size_t n = 1;
	char *q;
	while (n < 20 && u >= pow10[n - 1])
		n++;
	q = p + n;
	while (u >= 100) {
		q -= 2;
		memcpy(q, two_digits + 2 * (u % 100), 2);
		u /= 100;
	}
	if (u >= 10) {
		q -= 2;
		memcpy(q, two_digits + 2 * u, 2);
	} else {
		*--q = (char)('0' + u);
	}
	return n;
}

size_t algo_int_fmt(int64_t v, char *buf)
{
	size_t s = v < 0;
	buf[0] = '-';
	return s + put_digits(buf + s, v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v);
}

size_t algo_dec_fmt(int64_t v, char *buf)
{
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	unsigned fp = (unsigned)(u % (uint64_t)ALGO_DEC_SCALE);
	char *p = buf;

	if (v < 0)
		*p++ = '-';
	p += put_digits(p, u / (uint64_t)ALGO_DEC_SCALE);
	if (fp) {
		/* all four decimals, then as many as the trailing zeros dropped */
		*p++ = '.';
		memcpy(p, two_digits + 2 * (fp / 100), 2);
		memcpy(p + 2, two_digits + 2 * (fp % 100), 2);
		p += fp % 10 ? 4 : fp % 100 ? 3 : fp % 1000 ? 2 : 1;
	}
	*p = '\0';
	return (size_t)(p - buf);
}

int algo_dec_from_double(double d, int64_t *out)
{
	double x;
	if (!isfinite(d))
		return -1;
	x = d * (double)ALGO_DEC_SCALE;
	if (fabs(x) >= (double)DEC_LIMIT)
		return -1;
	*out = (int64_t)llround(x);
	return 0;
}

int64_t algo_dec_round(int64_t v, int64_t unit)
{
	int64_t q = v / unit, r = v % unit;
	if (r < 0) r = -r;
	if (2 * r >= unit)
		q += v < 0 ? -1 : 1;
	return q * unit;
}

int64_t algo_dec_muldiv(int64_t a, int64_t b, int64_t c)
{
	__int128 p = (__int128)a * b, q, r;
	int neg = (p < 0) != (c < 0);
	if (p < 0) p = -p;
	if (c < 0) c = -c;
	q = p / c;
	r = p % c;
	if (2 * r >= c)
		q++;
	return (int64_t)(neg ? -q : q);
}
