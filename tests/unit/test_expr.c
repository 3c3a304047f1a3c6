/* Unit tests for lib/expr: precedence, canonical keys and dedupe, errors with columns
 * and suggestions, and evaluation (warm-up, crosses, three-valued logic). */
#include "expr.h"
#include "tap.h"
#include <math.h>
#include <stdlib.h>

/* Canonical key of a parsed expression, or "ERR: message". */
static const char *key(const char *src)
{
	static char out[1024];
	char err[256];
	struct algo_prog pg;
	struct algo_expr *e = algo_expr_parse(src, strlen(src), err, sizeof err);
	if (!e) { snprintf(out, sizeof out, "ERR: %s", err); return out; }
	algo_prog_init(&pg);
	int i = algo_prog_add(&pg, e);
	snprintf(out, sizeof out, "%s", i >= 0 ? algo_prog_key(&pg, i) : "OOM");
	algo_prog_free(&pg);
	algo_expr_free(e);
	return out;
}

static const char *error(const char *src)
{
	static char err[256];
	struct algo_expr *e = algo_expr_parse(src, strlen(src), err, sizeof err);
	if (e) { algo_expr_free(e); return "(parsed)"; }
	return err;
}

/* Evaluates src over closes c[0..n) (o = h = l = c, v = 100) into out. */
static void run(const char *src, const double *c, int n, double *out)
{
	char err[256];
	struct algo_prog pg;
	struct algo_expr *e = algo_expr_parse(src, strlen(src), err, sizeof err);
	if (!e) { printf("# %s: %s\n", src, err); for (int i = 0; i < n; i++) out[i] = -999; return; }
	algo_prog_init(&pg);
	int node = algo_prog_add(&pg, e);
	algo_prog_finish(&pg);
	double *mem = malloc(algo_prog_mem_len(&pg) * sizeof *mem);
	algo_prog_reset(&pg, mem);
	for (int i = 0; i < n; i++) {
		/* 2024-03-01 (a Friday) 09:15 IST plus i minutes */
		struct algo_ind_in in = { c[i], c[i] + 1, c[i] - 1, c[i], 100, NAN, NAN,
			1709264700000LL + i * 60000LL };
		algo_prog_step(&pg, mem, &in);
		out[i] = algo_prog_value(&pg, mem, node);
	}
	free(mem);
	algo_prog_free(&pg);
	algo_expr_free(e);
}

static int same(double a, double b) { return (isnan(a) && isnan(b)) || a == b; }

static void is_series(const char *src, const double *c, int n, const double *want)
{
	double got[16];
	int okk = 1;
	run(src, c, n, got);
	for (int i = 0; i < n; i++) okk &= same(got[i], want[i]);
	ok(okk, "eval %s", src);
	if (!okk)
		for (int i = 0; i < n; i++) printf("#   [%d] got %.17g want %.17g\n", i, got[i], want[i]);
}

int main(void)
{
	/* precedence and associativity */
	is_str(key("1 + 2 * 3"), "(1 + (2 * 3))", "* binds tighter than +");
	is_str(key("(1 + 2) * 3"), "((1 + 2) * 3)", "parentheses");
	is_str(key("10 - 4 - 3"), "((10 - 4) - 3)", "- is left-associative");
	is_str(key("8 / 4 / 2"), "((8 / 4) / 2)", "/ is left-associative");
	is_str(key("-close * 2"), "((-close) * 2)", "unary minus binds tighter than *");
	is_str(key("- -3"), "3", "double minus on a literal folds");
	is_str(key("close > open and volume > 10 or close < 5"),
		"(((close > open) and (volume > 10)) or (close < 5))", "and binds tighter than or");
	is_str(key("not close > open and high > low"), "((not (close > open)) and (high > low))",
		"not binds tighter than and, looser than >");
	is_str(key("close + 1 > open * 2"), "((close + 1) > (open * 2))", "arithmetic before comparison");
	is_str(key("close[2]"), "close[2]", "look-back");
	is_str(key("close[1][2]"), "close[3]", "look-backs add up");
	is_str(key("close[0]"), "close", "[0] is the value itself");
	is_str(key("(close - open)[1]"), "(close - open)[1]", "look-back on a sub-expression");
	is_str(key("time >= 09:20"), "(time >= 560)", "HH:MM is minutes since midnight");
	is_str(key("dayofweek == 5"), "(dayofweek == 5)", "dayofweek");
	is_str(key(".5 + 1.25"), "(0.5 + 1.25)", "decimal literals");

	/* calls */
	is_str(key("EMA(9)"), "EMA(close,9).value", "source defaults to close");
	is_str(key("ema(CLOSE, 9)"), "EMA(close,9).value", "names are case-insensitive");
	is_str(key("EMA(hl2, 9)"), "EMA(hl2,9).value", "a series as source");
	is_str(key("SMA(RSI(14), 5)"), "SMA(RSI(close,14).value,5).value", "an indicator as source");
	is_str(key("SMA(close - open, 3)"), "SMA((close - open),3).value", "an expression as source");
	is_str(key("MACD(12,26,9).signal"), "MACD(close,12,26,9).signal", "output selector");
	is_str(key("macd(12,26,9).HIST[1]"), "MACD(close,12,26,9).hist[1]", "output then look-back");
	is_str(key("TRANGE"), "TRANGE().value", "zero-argument call without parentheses");
	is_str(key("trange() > 1"), "(TRANGE().value > 1)", "zero-argument call with parentheses");
	is_str(key("EMA(9) crosses_above EMA(close,21)"),
		"(EMA(close,9).value crosses_above EMA(close,21).value)", "crosses_above");
	is_str(key("EMA(9) CROSS_ABOVE EMA(21)"), "(EMA(close,9).value crosses_above EMA(close,21).value)",
		"CROSS_ABOVE spelling");
	is_str(key("close Crosses_Below open"), "(close crosses_below open)", "crosses_below, mixed case");
	is_str(key("RSI(14) < 30 AND close > open"), "((RSI(close,14).value < 30) and (close > open))",
		"AND in upper case");

	/* dedupe: EMA(9) and EMA(close,9) are one indicator */
	{
		char err[256];
		struct algo_prog pg;
		const char *a = "EMA(9) > EMA(close, 9)", *b = "EMA(close,9) crosses_above EMA(21)";
		struct algo_expr *ea = algo_expr_parse(a, strlen(a), err, sizeof err);
		struct algo_expr *eb = algo_expr_parse(b, strlen(b), err, sizeof err);
		algo_prog_init(&pg);
		algo_prog_add(&pg, ea);
		algo_prog_add(&pg, eb);
		is_int(algo_prog_ind_count(&pg), 2, "EMA(9) written three ways is computed once");
		algo_prog_free(&pg);
		algo_expr_free(ea);
		algo_expr_free(eb);
	}

	/* errors: position, suggestion */
	is_str(error("EMAA(9) > 1"), "col 1: unknown indicator 'EMAA' (did you mean 'EMA'?)", "did-you-mean");
	is_str(error("close > EMAA(9)"), "col 9: unknown indicator 'EMAA' (did you mean 'EMA'?)", "column of the call");
	is_str(error("clsoe > 1"), "col 1: unknown name 'clsoe' (did you mean 'close'?)", "series suggestion");
	is_str(error("FOO(3) > 1"), "col 1: unknown indicator 'FOO'", "no suggestion when nothing is close");
	is_str(error("EMA(9, 3)"), "col 5: EMA: the source must be a series or an expression, not a constant (EMA([source], period))",
		"a constant source is refused");
	is_str(error("EMA(close > 1, 3)"), "col 5: EMA: the source must be a series or an expression, not a condition (EMA([source], period))",
		"a condition as source is refused");
	is_str(error("EMA(close, 9, 3)"), "col 1: EMA takes 1 parameter: EMA([source], period), got 3 arguments",
		"too many arguments");
	is_str(error("EMA()"), "col 1: EMA takes 1 parameter: EMA([source], period), got 0 arguments",
		"no arguments");
	is_str(error("EMA(close)"), "col 1: EMA takes 1 parameter: EMA([source], period), got 1 argument",
		"source only");
	is_str(error("close > EMA(0)"), "col 13: EMA: period must be an integer from 1 to 100000, got 0",
		"period 0, column of the argument");
	is_str(error("SMA(close, -5)"), "col 12: SMA: period must be an integer from 1 to 100000, got -5",
		"negative period");
	is_str(error("SMA(close, 2.5)"), "col 12: SMA: period must be an integer from 1 to 100000, got 2.5",
		"fractional period");
	is_str(error("SMA(close, open)"), "col 12: SMA: period must be a number", "period not a constant");
	is_str(error("MACD(12,26,9).signl"), "col 15: unknown output 'signl' of MACD (did you mean 'signal'?)",
		"unknown output with suggestion");
	is_str(error("EMA(9).upper"), "col 8: unknown output 'upper' of EMA (outputs: value)", "unknown output");
	is_str(error("EMA > 3"), "col 1: EMA needs arguments: EMA([source], period)", "bare call needing arguments");
	is_str(error("close(3)"), "col 1: 'close' is a series, not an indicator", "series called");
	is_str(error("close >"), "col 8: unexpected end of expression", "missing operand");
	is_str(error("(close > 1"), "col 11: expected ')' to close the '(' at col 1, found end of expression",
		"unclosed parenthesis");
	is_str(error("close = 1"), "col 7: '=' is not an operator (did you mean '=='?)", "= hint");
	is_str(error("close > 1 open"), "col 11: unexpected 'open' after a complete expression", "trailing tokens");
	is_str(error("time > 25:00"), "col 8: bad time '25:00' (want HH:MM, 00:00 to 23:59)", "bad time");
	is_str(error("close[1.5]"), "col 7: look-back must be a whole number of bars from 0 to 10000", "bad look-back");
	is_str(error("close + (open > 1)"), "col 9: '+' needs a number on both sides, not a condition",
		"arithmetic on a condition");
	is_str(error("close and open"), "col 1: 'and' needs a condition on both sides, not a number",
		"logic on numbers");
	is_str(error("not close"), "col 1: 'not' needs a condition, not a number", "not on a number");
	is_str(error("close > and"), "col 9: unexpected 'and' (an operand is missing before it)", "keyword as operand");
	is_str(error(""), "col 1: empty expression", "empty");
	is_str(error("close $ 1"), "col 7: unexpected character '$'", "bad character");
	is_str(error("close.value"), "col 6: '.' selects an output and goes right after a call", "stray dot");

	ok(algo_expr_op_parse("CROSS_ABOVE") == ALGO_X_XABOVE && algo_expr_op_parse("crosses_below") == ALGO_X_XBELOW &&
		algo_expr_op_parse(">=") == ALGO_X_GE && algo_expr_op_parse("and") == -1 &&
		algo_expr_op_parse("=") == -1, "structured-form operators");
	is_int(algo_edit_distance("EMAA", 4, "ema", 3), 1, "edit distance ignores case");
	is_int(algo_edit_distance("kitten", 6, "sitting", 7), 3, "edit distance kitten/sitting");
	{
		char b[40];
		algo_expr_fmt_num(0.1, b, sizeof b);
		is_str(b, "0.1", "shortest round-trip 0.1");
		algo_expr_fmt_num(1.0 / 3, b, sizeof b);
		is_str(b, "0.3333333333333333", "shortest round-trip 1/3");
		algo_expr_fmt_num(611.8975000000003, b, sizeof b);
		is_str(b, "611.8975000000003", "shortest round-trip keeps the noise that is there");
	}

	/* evaluation */
	{
		const double c[] = { 9, 10, 11, 10, 12 };
		const double N = NAN;
		is_series("close crosses_above 10", c, 5, (double[]){ N, 0, 1, 0, 1 });
		is_series("close crosses_below 10.5", c, 5, (double[]){ N, 0, 0, 1, 0 });
		is_series("close[2]", c, 5, (double[]){ N, N, 9, 10, 11 });
		is_series("close - close[1]", c, 5, (double[]){ N, 1, 1, -1, 2 });
		is_series("(close - 10)[1]", c, 5, (double[]){ N, -1, 0, 1, 0 });
		is_series("1 / (close - 10)", c, 5, (double[]){ -1, N, 1, N, 0.5 });
		is_series("close[1] > 0 or close > 10", c, 5, (double[]){ N, 1, 1, 1, 1 });
		is_series("close > 100 or close[1] > 0", c, 5, (double[]){ N, 1, 1, 1, 1 });
		is_series("close > 9.5 or close[1] > 0", c, 5, (double[]){ N, 1, 1, 1, 1 });
		is_series("close > 5 or close[1] > 100", c, 5, (double[]){ 1, 1, 1, 1, 1 });
		is_series("close > 100 and close[1] > 0", c, 5, (double[]){ 0, 0, 0, 0, 0 });
		is_series("close < 100 and close[1] > 0", c, 5, (double[]){ N, 1, 1, 1, 1 });
		is_series("not (close[1] > 9)", c, 5, (double[]){ N, 1, 0, 0, 0 });
		is_series("SMA(close, 2)", c, 5, (double[]){ N, 9.5, 10.5, 10.5, 11 });
		is_series("SMA(SMA(close, 2), 2)", c, 5, (double[]){ N, N, 10, 10.5, 10.75 });
		is_series("SMA(close,2) crosses_above 10", c, 5, (double[]){ N, N, 1, 0, 0 });
		is_series("hl2 + hlc3 - ohlc4", c, 5, (double[]){ 9, 10, 11, 10, 12 });
		is_series("high - low", c, 5, (double[]){ 2, 2, 2, 2, 2 });
		is_series("volume + oi", c, 5, (double[]){ N, N, N, N, N });
		is_series("time", c, 5, (double[]){ 555, 556, 557, 558, 559 });
		is_series("time >= 09:17", c, 5, (double[]){ 0, 0, 1, 1, 1 });
		is_series("dayofweek", c, 5, (double[]){ 5, 5, 5, 5, 5 });
		is_series("close == 10 and close != 11", c, 5, (double[]){ 0, 1, 0, 1, 0 });
		is_series("close <= 10 and close >= 10", c, 5, (double[]){ 0, 1, 0, 1, 0 });
	}
	/* state keywords: parsed as names, keys are their names, values from the caller */
	is_str(key("POSITION > 0 and entries_today < 2"), "((position > 0) and (entries_today < 2))",
		"state keywords are case-insensitive names");
	is_str(key("entry_price * 1.01"), "(entry_price * 1.01)", "entry_price");
	is_str(key("bars_since_entry[1]"), "bars_since_entry[1]", "look-back of a state keyword");
	is_str(error("entries_todya < 2"), "col 1: unknown name 'entries_todya' (did you mean 'entries_today'?)",
		"a misspelt state keyword gets a suggestion");
	is_str(error("position(1)"), "col 1: unknown indicator 'position'", "a state keyword is not callable");
	{
		char err[256];
		struct algo_prog pg;
		struct algo_expr *e = algo_expr_parse("position + bars_since_entry[1]", 30, err, sizeof err);
		struct algo_ind_in in = { 1, 1, 1, 1, 1, NAN, NAN, 1709264700000LL };
		double vars[ALGO_V_COUNT] = { -4, 100, 1, 2 }, *mem;
		int node;
		algo_prog_init(&pg);
		node = algo_prog_add(&pg, e);
		algo_prog_finish(&pg);
		mem = malloc(algo_prog_mem_len(&pg) * sizeof *mem);
		algo_prog_reset(&pg, mem);
		algo_prog_step_vars(&pg, mem, &in, vars);
		ok(isnan(algo_prog_value(&pg, mem, node)), "no look-back value on the first bar");
		vars[0] = 3;
		vars[2] = 2;
		algo_prog_step_vars(&pg, mem, &in, vars);
		ok(algo_prog_value(&pg, mem, node) == 4, "position now + bars_since_entry a bar ago");
		algo_prog_step(&pg, mem, &in);
		ok(isnan(algo_prog_value(&pg, mem, node)), "without vars the keywords have no value");
		is_str(algo_var_name(ALGO_V_ENTRIES_TODAY), "entries_today", "algo_var_name");
		free(mem);
		algo_prog_free(&pg);
		algo_expr_free(e);
	}
	return tap_done();
}
