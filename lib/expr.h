/* expr — the rule language: a parser from text to a tree (never eval), and a
 * compiled program that evaluates many trees over a stream of bars.
 *
 *   or      := and ('or' and)*
 *   and     := not ('and' not)*
 *   not     := 'not' not | cmp
 *   cmp     := sum (('<'|'>'|'<='|'>='|'=='|'!='|'crosses_above'|'crosses_below') sum)*
 *   sum     := term (('+'|'-') term)*
 *   term    := unary (('*'|'/') unary)*
 *   unary   := '-' unary | postfix
 *   postfix := primary ('[' n ']' | '.' output)*
 *   primary := number | HH:MM | series | NAME ['(' [arg (',' arg)*] ')'] | '(' or ')'
 *
 * Names and keywords are case-insensitive; cross_above/CROSS_ABOVE are accepted too.
 * Values are doubles; "no value" is NaN (warm-up, a missing operand, division by
 * zero). Conditions are 1/0, or NaN when an operand has no value; 'and'/'or'/'not'
 * use three-valued logic (false and NaN = false, true or NaN = true), and a caller
 * treats a NaN condition as false, so a condition is never true during warm-up. */
#ifndef ALGO_EXPR_H
#define ALGO_EXPR_H
#include <stddef.h>
#include "indicators.h"
#include "params.h"

#define ALGO_EXPR_MAXBACK 10000     /* largest n in X[n] */

enum algo_expr_op {
	ALGO_X_NUM = 1, ALGO_X_SERIES, ALGO_X_IND, ALGO_X_OUT, ALGO_X_BACK,
	ALGO_X_NEG, ALGO_X_NOT,
	ALGO_X_ADD, ALGO_X_SUB, ALGO_X_MUL, ALGO_X_DIV,
	ALGO_X_LT, ALGO_X_GT, ALGO_X_LE, ALGO_X_GE, ALGO_X_EQ, ALGO_X_NE,
	ALGO_X_XABOVE, ALGO_X_XBELOW, ALGO_X_AND, ALGO_X_OR,
	ALGO_X_VAR                  /* a state keyword: series = enum algo_var */
};

/* State keywords: what the strategy believes about its position on the symbol,
 * supplied by the caller per bar (algo_prog_step_vars). */
enum algo_var {
	ALGO_V_POSITION,            /* signed quantity held (0 = flat) */
	ALGO_V_ENTRY_PRICE,         /* reference price of the entry; NaN when flat */
	ALGO_V_BARS_SINCE_ENTRY,    /* bars since the entry bar; NaN when flat */
	ALGO_V_ENTRIES_TODAY,       /* entries made so far this trading day */
	ALGO_V_COUNT
};

enum algo_series {
	ALGO_S_OPEN, ALGO_S_HIGH, ALGO_S_LOW, ALGO_S_CLOSE, ALGO_S_VOLUME, ALGO_S_OI,
	ALGO_S_HL2, ALGO_S_HLC3, ALGO_S_OHLC4,
	ALGO_S_TIME,        /* minutes since IST midnight of the bar's open */
	ALGO_S_DAYOFWEEK,   /* IST, 0 = Sunday … 6 = Saturday */
	ALGO_S_COUNT
};

/* A parsed expression. IND is an indicator instance (a = its source, or NULL for
 * indicators computed from the bar); OUT selects output n of the IND in a; BACK is
 * a's value n bars ago. */
struct algo_expr {
	int op;                     /* enum algo_expr_op */
	int col;                    /* 1-based column in the text it came from */
	int is_bool;                /* a condition (1/0/NaN) rather than a number */
	int series;                 /* SERIES: enum algo_series */
	int n;                      /* BACK: bars ago; OUT: output index */
	double num;                 /* NUM */
	const char *param;          /* NUM: the parameter it came from, or NULL (borrowed
	                               from the algo_params given to the parser) */
	const struct algo_ind_def *ind;       /* IND */
	double p[ALGO_IND_MAXPARAMS];         /* IND parameters */
	struct algo_expr *a, *b;
};

/* Parses n bytes of s. Returns a tree the caller frees with algo_expr_free, or NULL
 * with err set to "col 5: unknown indicator 'EMAA' (did you mean 'EMA'?)" (also for
 * an out-of-memory condition). */
struct algo_expr *algo_expr_parse(const char *s, size_t n, char *err, size_t errlen);
/* The same with parameters: a name of pp (not followed by '(') is its value, a NUM
 * leaf with param set, and the parameter is marked used. Constant arithmetic of
 * numbers and parameters is allowed wherever a number must be written: indicator
 * arguments (EMA(close, slow * 2)) and look-backs (close[lag]). pp may be NULL. */
struct algo_expr *algo_expr_parse_params(const char *s, size_t n, struct algo_params *pp,
	char *err, size_t errlen);
void algo_expr_free(struct algo_expr *e);

/* Whether e is constant arithmetic (numbers, parameters, + - * / and unary minus)
 * with a finite value; sets *v. */
int algo_expr_constant(const struct algo_expr *e, double *v);
/* Whether e refers to a parameter anywhere. */
int algo_expr_has_param(const struct algo_expr *e);

/* Builds a number leaf (NULL when out of memory). */
struct algo_expr *algo_expr_num(double v);

/* Maps an operator as written in a structured condition ("CROSS_ABOVE", ">=",
 * "crosses_below", case-insensitive) to an op, or returns -1. */
int algo_expr_op_parse(const char *s);

/* Combines a and b with a binary op, checking types (comparisons and crosses need
 * numbers, 'and'/'or' need conditions). Takes ownership of a and b in every case.
 * Returns the new tree, or NULL with err set. */
struct algo_expr *algo_expr_binary(int op, struct algo_expr *a, struct algo_expr *b,
	char *err, size_t errlen);

/* Writes v in the shortest form that reads back to the same double (%.15g, %.16g
 * or %.17g). Returns the length (snprintf semantics). */
int algo_expr_fmt_num(double v, char *buf, size_t len);

/* Name of a state keyword (lower case), or NULL. */
const char *algo_var_name(int var);

/* Name of a series (lower case), or NULL. */
const char *algo_series_name(int series);

/* Levenshtein distance between a and b, ignoring ASCII case. */
size_t algo_edit_distance(const char *a, size_t an, const char *b, size_t bn);

/* ---- compiled programs ----------------------------------------------------------
 * A program holds many expressions as one DAG: identical sub-expressions (by a
 * canonical key, so EMA(9) and EMA(close, 9) are one node) are stored and computed
 * once per bar. Its per-series state (indicator states, look-back rings, current
 * values) is one flat array of doubles of algo_prog_mem_len() elements, owned by the
 * caller: one per symbol, copyable and savable as a whole. */

struct algo_prog_node;

struct algo_prog {
	struct algo_prog_node *nodes;
	int n, cap;
	size_t mem_len;             /* valid after algo_prog_finish */
	int finished;
};

/* Initialises an empty program. */
void algo_prog_init(struct algo_prog *pg);
/* Adds a tree (not taken over; the caller still frees it). Returns the node index of
 * its value, or -1 when out of memory or when the program is already finished. */
int algo_prog_add(struct algo_prog *pg, const struct algo_expr *e);
/* Lays out the state; no more adds afterwards. Returns 0. */
int algo_prog_finish(struct algo_prog *pg);
size_t algo_prog_mem_len(const struct algo_prog *pg);
/* Number of indicator instances (after dedupe), for tests and diagnostics. */
int algo_prog_ind_count(const struct algo_prog *pg);
/* Puts a state in its before-the-first-bar condition. mem has mem_len elements. */
void algo_prog_reset(const struct algo_prog *pg, double *mem);
/* Folds one bar into every node, in order (children before parents). State
 * keywords have no value (NaN). */
void algo_prog_step(const struct algo_prog *pg, double *mem, const struct algo_ind_in *bar);
/* The same with the values of the state keywords: vars[ALGO_V_COUNT] (NULL = NaN). */
void algo_prog_step_vars(const struct algo_prog *pg, double *mem, const struct algo_ind_in *bar,
	const double *vars);
/* The value of node i on the last bar stepped (NaN = no value). */
double algo_prog_value(const struct algo_prog *pg, const double *mem, int i);
/* The canonical key of node i (e.g. "EMA(close,9)"); owned by the program. */
const char *algo_prog_key(const struct algo_prog *pg, int i);
void algo_prog_free(struct algo_prog *pg);

#endif
