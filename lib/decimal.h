/* decimal — exact prices and money as int64 in 1/10,000 of a rupee.
 * 752.85 is 7528500. No floating point ever touches a stored amount. */
#ifndef ALGO_DECIMAL_H
#define ALGO_DECIMAL_H
#include <stddef.h>
#include <stdint.h>

#define ALGO_DEC_SCALE 10000LL
#define ALGO_DEC_FMT_MAX 32

/* Parses a JSON-number-shaped text (optional '-', digits, optional fraction, optional
 * exponent) of exactly n bytes. Returns 0 and sets *out, or -1 when the text is not a
 * number, has non-zero digits past the 4th decimal, or is out of range (|x| >= 9e14). */
int algo_dec_parse(const char *s, size_t n, int64_t *out);

/* Writes the shortest decimal form of v ("752.85", "-0.5", "10") into buf, which must
 * hold ALGO_DEC_FMT_MAX bytes. Returns the length written (no NUL counted). */
size_t algo_dec_fmt(int64_t v, char *buf);
/* Writes the whole number v ("-12", "182798") into buf, which must hold
 * ALGO_DEC_FMT_MAX bytes (no NUL written). Returns the length. */
size_t algo_int_fmt(int64_t v, char *buf);

/* Converts a double to the nearest 1/10,000 (half away from zero). Returns -1 for
 * NaN/Inf/out of range, else 0. Used only where a value is computed (slippage, sl/tp). */
int algo_dec_from_double(double d, int64_t *out);
static inline double algo_dec_to_double(int64_t v) { return (double)v / (double)ALGO_DEC_SCALE; }

/* Rounds v to a multiple of unit (e.g. 100 = paise) half away from zero. */
int64_t algo_dec_round(int64_t v, int64_t unit);

/* a * b / c computed exactly with 128-bit intermediates, rounded half away from zero.
 * E.g. price * qty is algo_dec_muldiv(price, qty, 1); turnover * bps is
 * algo_dec_muldiv(turnover, bps, 10000). c must be non-zero. */
int64_t algo_dec_muldiv(int64_t a, int64_t b, int64_t c);

#endif
