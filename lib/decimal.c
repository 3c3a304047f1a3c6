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

size_t algo_dec_fmt(int64_t v, char *buf)
{
	char tmp[ALGO_DEC_FMT_MAX];
	size_t n = 0, len = 0;
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	uint64_t ip = u / (uint64_t)ALGO_DEC_SCALE, fp = u % (uint64_t)ALGO_DEC_SCALE;
	int fd = 4;

	if (v < 0)
		buf[len++] = '-';
	do { tmp[n++] = (char)('0' + ip % 10); ip /= 10; } while (ip);
	while (n)
		buf[len++] = tmp[--n];
	if (fp) {
		while (fp % 10 == 0) { fp /= 10; fd--; }
		buf[len++] = '.';
		for (int k = fd - 1; k >= 0; k--) {
			uint64_t p = 1;
			for (int j = 0; j < k; j++) p *= 10;
			buf[len++] = (char)('0' + (fp / p) % 10);
		}
	}
	buf[len] = '\0';
	return len;
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
