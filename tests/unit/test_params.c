/* Unit tests for lib/params and the parameter side of lib/expr: declaring names,
 * overrides, the canonical text of changed values (the restart-state key), and
 * names resolved inside expressions (values, indicator arguments, look-backs). */
#include "expr.h"
#include "params.h"
#include "tap.h"
#include <math.h>
#include <stdlib.h>

static struct algo_params pp;

/* Key of src parsed with pp, or "ERR: message". */
static const char *key(const char *src)
{
	static char out[1024];
	char err[256];
	struct algo_prog pg;
	struct algo_expr *e = algo_expr_parse_params(src, strlen(src), &pp, err, sizeof err);
	if (!e) { snprintf(out, sizeof out, "ERR: %s", err); return out; }
	algo_prog_init(&pg);
	int i = algo_prog_add(&pg, e);
	snprintf(out, sizeof out, "%s", i >= 0 ? algo_prog_key(&pg, i) : "OOM");
	algo_prog_free(&pg);
	algo_expr_free(e);
	return out;
}

static const char *add(const char *name, double v)
{
	static char err[256];
	if (algo_params_add(&pp, name, v, err, sizeof err) == 0) return "ok";
	return err;
}

static const char *over(const char *assign)
{
	static char out[300];
	char err[256];
	int r = algo_params_override(&pp, assign, err, sizeof err);
	if (r == 1) return "ok";
	snprintf(out, sizeof out, "%d: %s", r, err);
	return out;
}

static const char *canon(void)
{
	static char buf[256];
	algo_params_canon(&pp, buf, sizeof buf);
	return buf;
}

int main(void)
{
	double v;
	const char *name, *value;
	size_t nl;

	algo_params_init(&pp);
	is_str(add("fast", 9), "ok", "declare fast");
	is_str(add("slow", 21), "ok", "declare slow");
	is_str(add("Level_2", 30.5), "ok", "mixed case, digits and _");
	is_str(add("FAST", 1), "'FAST' is declared twice (names are case-insensitive)", "duplicate ignoring case");
	is_str(add("close", 1), "'close' is a series name; call the parameter something else", "series");
	is_str(add("EMA", 1), "'EMA' is an indicator name; call the parameter something else", "indicator");
	is_str(add("highest", 1), "'highest' is an indicator name; call the parameter something else", "indicator alias");
	is_str(add("entries_today", 1), "'entries_today' is a state keyword name; call the parameter something else", "state keyword");
	is_str(add("crosses_above", 1), "'crosses_above' is an operator name; call the parameter something else", "operator");
	is_str(add("2x", 1), "a parameter name is a letter or '_' then letters, digits or '_' (at most 32)", "leading digit");
	is_str(add("a-b", 1), "a parameter name is a letter or '_' then letters, digits or '_' (at most 32)", "dash");
	is_str(add("abcdefghijklmnopqrstuvwxyzabcdefg", 1), "a parameter name is a letter or '_' then letters, digits or '_' (at most 32)", "33 bytes");
	is_str(add("x", NAN), "must be a finite number", "NaN default");
	is_int(pp.n, 3, "three declared");

	ok(algo_param_split("fast=12", &name, &nl, &value) == 0 && nl == 4 && strcmp(value, "12") == 0, "split");
	ok(algo_param_split("fast", &name, &nl, &value) < 0, "no '='");
	ok(algo_param_split("=3", &name, &nl, &value) < 0, "empty name");
	ok(algo_param_number("-0.5", &v) == 0 && v == -0.5, "negative decimal");
	ok(algo_param_number("1e3", &v) == 0 && v == 1000, "exponent");
	ok(algo_param_number("0x10", &v) < 0, "no hex");
	ok(algo_param_number("inf", &v) < 0 && algo_param_number("nan", &v) < 0, "no inf or nan");
	ok(algo_param_number("1e999", &v) < 0, "overflow");
	ok(algo_param_number("", &v) < 0 && algo_param_number("12abc", &v) < 0, "empty, trailing junk");

	is_str(canon(), "", "no override: empty canonical text");
	is_str(over("slow=30"), "ok", "override slow");
	is_str(over("FAST=12.0"), "ok", "override by another case");
	is_str(over("fsat=3"), "0: no parameter 'fsat' (did you mean 'fast'?)", "unknown with a suggestion");
	is_str(over("depth=3"), "0: no parameter 'depth' (it has: fast, slow, Level_2)", "unknown, names listed");
	is_str(over("fast=abc"), "-1: 'abc' is not a number", "not a number");
	is_str(canon(), "fast=12 slow=30", "canonical: sorted, shortest numbers");
	is_str(over("slow=21"), "ok", "back to the default");
	is_str(canon(), "fast=12", "a value equal to the default is not part of it");
	is_str(over("level_2=0.1"), "ok", "override level_2");
	is_str(canon(), "fast=12 level_2=0.1", "names lower-cased in the canonical text");

	/* names in expressions */
	algo_params_init(&pp);
	add("fast", 9);
	add("slow", 21);
	add("lag", 2);
	add("level", 30);
	is_str(key("EMA(close, fast) crosses_above EMA(slow)"),
		"(EMA(close,9).value crosses_above EMA(close,21).value)", "indicator arguments");
	is_str(key("EMA(fast * 2 + 1)"), "EMA(close,19).value", "constant arithmetic as an argument");
	is_str(key("EMA(hl2, slow - fast)"), "EMA(hl2,12).value", "source then a constant");
	is_str(key("RSI(14) < level"), "(RSI(close,14).value < 30)", "a value");
	is_str(key("close[lag]"), "close[2]", "look-back");
	is_str(key("close[lag + 1][1]"), "close[4]", "look-back arithmetic, added up");
	is_str(key("EMA(2 * 3)"), "EMA(close,6).value", "constant arithmetic without parameters");
	is_str(key("FAST + Slow"), "(9 + 21)", "names are case-insensitive");
	ok(pp.p[0].used && pp.p[1].used && pp.p[2].used && pp.p[3].used, "every one marked used");
	is_str(key("EMA(close, fsat)"), "ERR: col 12: unknown name 'fsat' (did you mean 'fast'?)", "suggestion");
	algo_params_override(&pp, "fast=0", (char[64]){ 0 }, 64);
	is_str(key("EMA(close, fast)"),
		"ERR: col 12: EMA: period must be an integer from 1 to 100000, got 0 (from parameter fast = 0)",
		"a bad value names the parameter");
	is_str(key("EMA(close, fast + slow / 10)"),
		"ERR: col 12: EMA: period must be an integer from 1 to 100000, got 2.1 (from parameters fast = 0, slow = 21)",
		"two parameters named");
	algo_params_override(&pp, "lag=-1", (char[64]){ 0 }, 64);
	is_str(key("close[lag]"),
		"ERR: col 7: look-back must be a whole number of bars from 0 to 10000, got -1 (from parameter lag = -1)",
		"a bad look-back names the parameter");
	is_str(key("close[close]"), "ERR: col 7: look-back must be a whole number of bars from 0 to 10000",
		"a series is no look-back");
	{
		char err[256];
		struct algo_expr *e = algo_expr_parse("fast", 4, err, sizeof err);
		ok(!e, "without a parameter table the name is unknown");
		e = algo_expr_parse_params("slow * 2", 8, &pp, err, sizeof err);
		ok(e && algo_expr_constant(e, &v) && v == 42 && algo_expr_has_param(e), "constant of a parameter");
		algo_expr_free(e);
		e = algo_expr_parse_params("close * 2", 9, &pp, err, sizeof err);
		ok(e && !algo_expr_constant(e, &v) && !algo_expr_has_param(e), "a series is not constant");
		algo_expr_free(e);
		e = algo_expr_parse_params("slow / (fast - fast)", 20, &pp, err, sizeof err);
		ok(e && !algo_expr_constant(e, &v), "division by zero is not a constant");
		algo_expr_free(e);
	}
	return tap_done();
}
