/* Unit tests for lib/decimal: exact parsing, shortest formatting, rounding. */
#include "decimal.h"
#include "tap.h"

static int64_t P(const char *s)
{
	int64_t v = 0x7fffffff;
	if (algo_dec_parse(s, strlen(s), &v)) return -999999999;
	return v;
}

static const char *F(int64_t v)
{
	static char b[ALGO_DEC_FMT_MAX];
	algo_dec_fmt(v, b);
	return b;
}

int main(void)
{
	is_int(P("752.85"), 7528500, "752.85");
	is_int(P("0"), 0, "0");
	is_int(P("-0.5"), -5000, "-0.5");
	is_int(P("612.40"), 6124000, "trailing zero");
	is_int(P("1e3"), 10000000, "exponent");
	is_int(P("1.5E-2"), 150, "negative exponent");
	is_int(P("0.0001"), 1, "smallest unit");
	is_int(P("0.000100"), 1, "zeros past 4th decimal are fine");
	is_int(P("0.00001"), -999999999, "5th decimal rejected");
	is_int(P("01"), -999999999, "leading zero rejected");
	is_int(P("1."), -999999999, "bare point rejected");
	is_int(P("NaN"), -999999999, "NaN rejected");
	is_int(P(""), -999999999, "empty rejected");
	is_int(P("1e400"), -999999999, "huge rejected");
	is_int(P("90000000000"), -999999999, "out of range rejected");
	is_int(P("89999999999"), 899999999990000LL, "near the limit");
	is_str(F(7528500), "752.85", "fmt 752.85");
	is_str(F(-5000), "-0.5", "fmt -0.5");
	is_str(F(100000), "10", "fmt integer");
	is_str(F(1), "0.0001", "fmt 0.0001");
	is_str(F(0), "0", "fmt zero");
	is_str(F(-1), "-0.0001", "fmt -0.0001");
	is_str(F(24765010), "2476.501", "fmt trailing zero dropped");
	is_str(F(24760001), "2476.0001", "fmt inner zeros kept");
	is_str(F(INT64_MIN), "-922337203685477.5808", "fmt INT64_MIN");
	is_str(F(INT64_MAX), "922337203685477.5807", "fmt INT64_MAX");
	{
		char b[ALGO_DEC_FMT_MAX];
		size_t n = algo_int_fmt(-12, b);
		ok(n == 3 && memcmp(b, "-12", 3) == 0, "int fmt -12");
		n = algo_int_fmt(0, b);
		ok(n == 1 && b[0] == '0', "int fmt 0");
		n = algo_int_fmt(INT64_MIN, b);
		ok(n == 20 && memcmp(b, "-9223372036854775808", 20) == 0, "int fmt INT64_MIN");
		/* every value of four decimals formats as its shortest text and parses back */
		int bad = 0;
		for (int64_t v = -30000; v <= 30000 && bad < 3; v++) {
			int64_t back;
			size_t k = algo_dec_fmt(v, b);
			if (algo_dec_parse(b, k, &back) || back != v || strlen(b) != k ||
			    (k > 1 && strchr(b, '.') && b[k - 1] == '0')) {
				bad++;
				printf("# %lld -> %s\n", (long long)v, b);
			}
		}
		is_int(bad, 0, "fmt round-trips -3 .. 3 in every step of 0.0001, shortest");
	}
	is_int(algo_dec_round(14850, 100), 14900, "1.485 -> 1.49 half up");
	is_int(algo_dec_round(-14850, 100), -14900, "-1.485 -> -1.49 half away");
	is_int(algo_dec_round(14849, 100), 14800, "1.4849 -> 1.48");
	is_int(algo_dec_muldiv(5000000, 100, 1), 500000000, "500.00 x 100");
	is_int(algo_dec_muldiv(500000000, 3, 10000), 150000, "0.03%% of 50000 = 15.00");
	is_int(algo_dec_muldiv(-7, 1, 2), -4, "-3.5 rounds away from zero");
	{
		int64_t v;
		ok(algo_dec_from_double(752.85, &v) == 0 && v == 7528500, "from double");
		ok(algo_dec_from_double(0.0 / 0.0, &v) == -1, "NaN refused");
	}
	return tap_done();
}
