/* expr — parser and compiled programs for the rule language. See expr.h. */
#include "expr.h"
#include "timeutil.h"
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const series_names[ALGO_S_COUNT] = {
	"open", "high", "low", "close", "volume", "oi", "hl2", "hlc3", "ohlc4", "time", "dayofweek"
};

static const char *const var_names[ALGO_V_COUNT] = {
	"position", "entry_price", "bars_since_entry", "entries_today"
};

const char *algo_var_name(int v)
{
	return v >= 0 && v < ALGO_V_COUNT ? var_names[v] : NULL;
}

const char *algo_series_name(int s)
{
	return s >= 0 && s < ALGO_S_COUNT ? series_names[s] : NULL;
}

static int ieq(const char *a, size_t an, const char *b)
{
	return strlen(b) == an && strncasecmp(a, b, an) == 0;
}

int algo_expr_fmt_num(double v, char *buf, size_t len)
{
	int k = 0;
	for (int prec = 15; prec <= 17; prec++) {
		k = snprintf(buf, len, "%.*g", prec, v);
		if (!isfinite(v) || strtod(buf, NULL) == v) break;
	}
	return k;
}

size_t algo_edit_distance(const char *a, size_t an, const char *b, size_t bn)
{
	size_t row[65];
	if (an > 64 || bn > 64) return (size_t)-1;
	for (size_t j = 0; j <= bn; j++) row[j] = j;
	for (size_t i = 1; i <= an; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= bn; j++) {
			size_t up = row[j];
			size_t cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
			size_t best = diag + cost;
			if (row[j] + 1 < best) best = row[j] + 1;
			if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[bn];
}

/* ---- trees ------------------------------------------------------------------------ */

static struct algo_expr *node_new(int op, int col)
{
	struct algo_expr *e = calloc(1, sizeof *e);
	if (e) { e->op = op; e->col = col; }
	return e;
}

void algo_expr_free(struct algo_expr *e)
{
	if (!e) return;
	algo_expr_free(e->a);
	algo_expr_free(e->b);
	free(e);
}

struct algo_expr *algo_expr_num(double v)
{
	struct algo_expr *e = node_new(ALGO_X_NUM, 1);
	if (e) e->num = v;
	return e;
}

static const struct { const char *name; int op; } op_names[] = {
	{ "<", ALGO_X_LT }, { ">", ALGO_X_GT }, { "<=", ALGO_X_LE }, { ">=", ALGO_X_GE },
	{ "==", ALGO_X_EQ }, { "!=", ALGO_X_NE },
	{ "crosses_above", ALGO_X_XABOVE }, { "cross_above", ALGO_X_XABOVE },
	{ "crosses_below", ALGO_X_XBELOW }, { "cross_below", ALGO_X_XBELOW },
	{ "and", ALGO_X_AND }, { "or", ALGO_X_OR },
};

static int op_from_word(const char *s, size_t n)
{
	for (size_t i = 0; i < sizeof op_names / sizeof op_names[0]; i++)
		if (ieq(s, n, op_names[i].name)) return op_names[i].op;
	return -1;
}

int algo_expr_op_parse(const char *s)
{
	int op = op_from_word(s, strlen(s));
	return op == ALGO_X_AND || op == ALGO_X_OR ? -1 : op;
}

static const char *op_text(int op)
{
	switch (op) {
	case ALGO_X_ADD: return "+";
	case ALGO_X_SUB: return "-";
	case ALGO_X_MUL: return "*";
	case ALGO_X_DIV: return "/";
	case ALGO_X_NEG: return "-";
	case ALGO_X_NOT: return "not";
	}
	for (size_t i = 0; i < sizeof op_names / sizeof op_names[0]; i++)
		if (op_names[i].op == op) return op_names[i].name;
	return "?";
}

static int is_cmp(int op) { return op >= ALGO_X_LT && op <= ALGO_X_XBELOW; }
static int is_logic(int op) { return op == ALGO_X_AND || op == ALGO_X_OR || op == ALGO_X_NOT; }

struct algo_expr *algo_expr_binary(int op, struct algo_expr *a, struct algo_expr *b,
	char *err, size_t errlen)
{
	struct algo_expr *e;
	int want_bool = is_logic(op);
	if (!a || !b) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (a->is_bool != want_bool || b->is_bool != want_bool) {
		struct algo_expr *bad = a->is_bool != want_bool ? a : b;
		if (want_bool)
			snprintf(err, errlen, "col %d: '%s' needs a condition on both sides, not a number",
				bad->col, op_text(op));
		else
			snprintf(err, errlen, "col %d: '%s' needs a number on both sides, not a condition",
				bad->col, op_text(op));
		goto fail;
	}
	e = node_new(op, a->col);
	if (!e) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	e->a = a;
	e->b = b;
	e->is_bool = want_bool || is_cmp(op);
	return e;
fail:
	algo_expr_free(a);
	algo_expr_free(b);
	return NULL;
}

/* ---- lexer -------------------------------------------------------------------------- */

enum { T_END, T_NUM, T_TIME, T_IDENT, T_LP, T_RP, T_LB, T_RB, T_COMMA, T_DOT,
	T_PLUS, T_MINUS, T_STAR, T_SLASH, T_CMP };

struct parser {
	const char *s;
	size_t n, pos;         /* pos: just past the current token */
	int tok;
	size_t ts, tl;         /* current token's start and length */
	double num;
	int cmp;               /* T_CMP: the op */
	char *err;
	size_t errlen;
	int failed;
	struct algo_params *pp;     /* names of parameters, or NULL */
};

__attribute__((format(printf, 3, 4)))
static void *fail(struct parser *ps, size_t at, const char *fmt, ...)
{
	if (!ps->failed) {
		int k = snprintf(ps->err, ps->errlen, "col %zu: ", at + 1);
		va_list ap;
		va_start(ap, fmt);
		if (k >= 0 && (size_t)k < ps->errlen) vsnprintf(ps->err + k, ps->errlen - (size_t)k, fmt, ap);
		va_end(ap);
		ps->failed = 1;
	}
	return NULL;
}

static const char *tok_desc(struct parser *ps, char *buf, size_t len)
{
	if (ps->tok == T_END) return "end of expression";
	snprintf(buf, len, "'%.*s'", (int)(ps->tl > 40 ? 40 : ps->tl), ps->s + ps->ts);
	return buf;
}

static int lex(struct parser *ps)
{
	const char *s = ps->s;
	size_t i = ps->pos, n = ps->n;
	while (i < n && isspace((unsigned char)s[i])) i++;
	ps->ts = i;
	if (i >= n) { ps->tok = T_END; ps->tl = 0; ps->pos = i; return 0; }
	char c = s[i];
	if (isdigit((unsigned char)c) || (c == '.' && i + 1 < n && isdigit((unsigned char)s[i + 1]))) {
		size_t j = i;
		char buf[64];
		while (j < n && isdigit((unsigned char)s[j])) j++;
		if (j < n && s[j] == ':' && j - i <= 2 && j + 3 <= n && isdigit((unsigned char)s[j + 1]) &&
		    isdigit((unsigned char)s[j + 2]) && (j + 3 == n || !isalnum((unsigned char)s[j + 3]))) {
			int hh = 0, mm = (s[j + 1] - '0') * 10 + (s[j + 2] - '0');
			for (size_t k = i; k < j; k++) hh = hh * 10 + (s[k] - '0');
			ps->tok = T_TIME;
			ps->tl = j + 3 - i;
			ps->pos = j + 3;
			if (hh > 23 || mm > 59) return fail(ps, i, "bad time '%.*s' (want HH:MM, 00:00 to 23:59)",
				(int)ps->tl, s + i), -1;
			ps->num = hh * 60 + mm;
			return 0;
		}
		if (j < n && s[j] == '.') {
			j++;
			while (j < n && isdigit((unsigned char)s[j])) j++;
		}
		if (j < n && (isalpha((unsigned char)s[j]) || s[j] == '_'))
			return fail(ps, i, "bad number '%.*s'", (int)(j + 1 - i), s + i), -1;
		if (j - i >= sizeof buf) return fail(ps, i, "number too long"), -1;
		memcpy(buf, s + i, j - i);
		buf[j - i] = '\0';
		ps->num = strtod(buf, NULL);
		ps->tok = T_NUM;
		ps->tl = j - i;
		ps->pos = j;
		if (!isfinite(ps->num)) return fail(ps, i, "number out of range"), -1;
		return 0;
	}
	if (isalpha((unsigned char)c) || c == '_') {
		size_t j = i;
		while (j < n && (isalnum((unsigned char)s[j]) || s[j] == '_')) j++;
		ps->tok = T_IDENT;
		ps->tl = j - i;
		ps->pos = j;
		return 0;
	}
	ps->tl = 1;
	ps->pos = i + 1;
	switch (c) {
	case '(': ps->tok = T_LP; return 0;
	case ')': ps->tok = T_RP; return 0;
	case '[': ps->tok = T_LB; return 0;
	case ']': ps->tok = T_RB; return 0;
	case ',': ps->tok = T_COMMA; return 0;
	case '.': ps->tok = T_DOT; return 0;
	case '+': ps->tok = T_PLUS; return 0;
	case '-': ps->tok = T_MINUS; return 0;
	case '*': ps->tok = T_STAR; return 0;
	case '/': ps->tok = T_SLASH; return 0;
	case '<': case '>': case '=': case '!': {
		int eq = i + 1 < n && s[i + 1] == '=';
		if (eq) { ps->tl = 2; ps->pos = i + 2; }
		ps->tok = T_CMP;
		if (c == '<') ps->cmp = eq ? ALGO_X_LE : ALGO_X_LT;
		else if (c == '>') ps->cmp = eq ? ALGO_X_GE : ALGO_X_GT;
		else if (!eq) return fail(ps, i, c == '=' ? "'=' is not an operator (did you mean '=='?)"
			: "'!' is not an operator (use 'not' or '!=')"), -1;
		else ps->cmp = c == '=' ? ALGO_X_EQ : ALGO_X_NE;
		return 0;
	}
	}
	if ((unsigned char)c < 0x20 || (unsigned char)c >= 0x7f)
		return fail(ps, i, "unexpected character (byte 0x%02x)", (unsigned char)c), -1;
	return fail(ps, i, "unexpected character '%c'", c), -1;
}

static int is_word(struct parser *ps, const char *w)
{
	return ps->tok == T_IDENT && ieq(ps->s + ps->ts, ps->tl, w);
}

/* The comparison or cross operator at the current token, or -1. */
static int cur_cmp(struct parser *ps)
{
	int op;
	if (ps->tok == T_CMP) return ps->cmp;
	if (ps->tok != T_IDENT) return -1;
	op = op_from_word(ps->s + ps->ts, ps->tl);
	return op == ALGO_X_XABOVE || op == ALGO_X_XBELOW ? op : -1;
}

static int is_keyword(const char *s, size_t n)
{
	return op_from_word(s, n) >= 0 || ieq(s, n, "not");
}

/* ---- suggestions -------------------------------------------------------------------- */

static const char *suggest(const struct algo_params *pp, const char *s, size_t n, int series_too)
{
	const char *best = NULL;
	size_t bestd = (size_t)-1, maxd = n <= 3 ? 1 : 2;
	/* the file's own names first: on a tie they win */
	for (int i = 0; series_too && pp && i < pp->n; i++) {
		size_t dist = algo_edit_distance(s, n, pp->p[i].name, strlen(pp->p[i].name));
		if (dist < bestd) { bestd = dist; best = pp->p[i].name; }
	}
	for (size_t i = 0; i < algo_ind_count(); i++) {
		const struct algo_ind_def *d = algo_ind_at(i);
		const char *names[2] = { d->name, d->alias };
		for (int k = 0; k < 2; k++) {
			if (!names[k]) continue;
			size_t dist = algo_edit_distance(s, n, names[k], strlen(names[k]));
			if (dist < bestd) { bestd = dist; best = names[k]; }
		}
	}
	for (int i = 0; series_too && i < ALGO_S_COUNT; i++) {
		size_t dist = algo_edit_distance(s, n, series_names[i], strlen(series_names[i]));
		if (dist < bestd) { bestd = dist; best = series_names[i]; }
	}
	for (int i = 0; series_too && i < ALGO_V_COUNT; i++) {
		size_t dist = algo_edit_distance(s, n, var_names[i], strlen(var_names[i]));
		if (dist < bestd) { bestd = dist; best = var_names[i]; }
	}
	return bestd <= maxd && bestd < n ? best : NULL;
}

/* ---- parser --------------------------------------------------------------------------- */

static struct algo_expr *parse_or(struct parser *ps);
static struct algo_expr *parse_sum(struct parser *ps);

static struct algo_expr *oom(struct parser *ps)
{
	return fail(ps, ps->ts, "out of memory");
}

static struct algo_expr *binary(struct parser *ps, int op, struct algo_expr *a, struct algo_expr *b)
{
	char msg[256];
	struct algo_expr *e = algo_expr_binary(op, a, b, msg, sizeof msg);
	if (!e) {
		if (!ps->failed) {
			snprintf(ps->err, ps->errlen, "%s", msg);
			ps->failed = 1;
		}
		return NULL;
	}
	return e;
}

static size_t sig_text(const struct algo_ind_def *d, char *buf, size_t len)
{
	size_t k = 0;
	int w = snprintf(buf, len, "%s(%s", d->name, d->flags & ALGO_IND_SRC ? "[source]" : "");
	if (w > 0) k = (size_t)w;
	for (int i = 0; i < d->nparams && k < len; i++) {
		w = snprintf(buf + k, len - k, "%s%s", i || (d->flags & ALGO_IND_SRC) ? ", " : "",
			d->params[i].name);
		if (w > 0) k += (size_t)w;
	}
	if (k < len) { w = snprintf(buf + k, len - k, ")"); if (w > 0) k += (size_t)w; }
	return k;
}

static struct algo_expr *make_series(int s, int col)
{
	struct algo_expr *e = node_new(ALGO_X_SERIES, col);
	if (e) e->series = s;
	return e;
}

#define MAXARGS (ALGO_IND_MAXPARAMS + 1)

static void names_into(const struct algo_expr *e, char *buf, size_t len, int *count)
{
	if (!e) return;
	if (e->op == ALGO_X_NUM && e->param && !strstr(buf, e->param)) {
		size_t k = strlen(buf);
		snprintf(buf + k, len - k, "%s%s = %.15g", *count ? ", " : " ", e->param, e->num);
		++*count;
	}
	names_into(e->a, buf, len, count);
	names_into(e->b, buf, len, count);
}

/* " fast = 0" / "s fast = 2, slow = 3": the parameters in e and their values. */
static const char *param_names(const struct algo_expr *e, char *buf, size_t len)
{
	int count = 0;
	char tmp[160] = "";
	names_into(e, tmp, sizeof tmp, &count);
	snprintf(buf, len, "%s%s", count > 1 ? "s" : "", tmp);
	return buf;
}

/* Builds IND+OUT from parsed arguments; takes ownership of args. */
static struct algo_expr *make_call(struct parser *ps, const struct algo_ind_def *d, size_t at,
	struct algo_expr **args, size_t *argat, int nargs)
{
	struct algo_expr *ind = NULL, *out = NULL, *src = NULL;
	int first = 0, np, bad;
	char sig[160], msg[256];
	double cv;
	if ((d->flags & ALGO_IND_SRC) && nargs > 0 &&
	    (nargs == d->nparams + 1 || (nargs <= d->nparams && !algo_expr_constant(args[0], &cv))))
		first = 1;
	np = nargs - first;
	if (np > d->nparams || (np < d->nparams && !d->params[np].has_def)) {   /* defaults trail */
		sig_text(d, sig, sizeof sig);
		fail(ps, at, "%s takes %d parameter%s: %s, got %d argument%s", d->name, d->nparams,
			d->nparams == 1 ? "" : "s", sig, nargs, nargs == 1 ? "" : "s");
		goto done;
	}
	if (first) {
		src = args[0];
		args[0] = NULL;
		if (src->is_bool || algo_expr_constant(src, &cv)) {
			sig_text(d, sig, sizeof sig);
			fail(ps, argat[0], "%s: the source must be a series or an expression, not a %s (%s)",
				d->name, src->is_bool ? "condition" : "constant", sig);
			goto done;
		}
	} else if (d->flags & ALGO_IND_SRC) {
		if (!(src = make_series(ALGO_S_CLOSE, (int)at + 1))) { oom(ps); goto done; }
	}
	if (!(ind = node_new(ALGO_X_IND, (int)at + 1))) { oom(ps); goto done; }
	ind->ind = d;
	ind->a = src;
	src = NULL;
	for (int i = 0; i < np; i++) {
		struct algo_expr *q = args[first + i];
		if (!algo_expr_constant(q, &ind->p[i])) {
			fail(ps, argat[first + i], "%s: %s must be a number", d->name, d->params[i].name);
			goto done;
		}
	}
	for (int i = np; i < d->nparams; i++) ind->p[i] = d->params[i].def;
	if (algo_ind_check(d, ind->p, &bad, msg, sizeof msg) < 0) {
		const struct algo_expr *q = first + bad < nargs ? args[first + bad] : NULL;
		if (q && algo_expr_has_param(q))
			fail(ps, argat[first + bad], "%s (from parameter%s)", msg, param_names(q, sig, sizeof sig));
		else
			fail(ps, argat[first + bad], "%s", msg);
		goto done;
	}
	if (!(out = node_new(ALGO_X_OUT, (int)at + 1))) { oom(ps); goto done; }
	out->a = ind;
	ind = NULL;
done:
	for (int i = 0; i < nargs; i++) algo_expr_free(args[i]);
	algo_expr_free(src);
	algo_expr_free(ind);
	return out;
}

static struct algo_expr *parse_call(struct parser *ps, const struct algo_ind_def *d, size_t at, int parens)
{
	struct algo_expr *args[MAXARGS] = { 0 }, *e;
	size_t argat[MAXARGS] = { 0 };
	int nargs = 0;
	char tb[64];
	if (parens) {
		if (lex(ps) < 0) return NULL;           /* past '(' */
		if (ps->tok != T_RP) {
			for (;;) {
				size_t aat = ps->ts;
				struct algo_expr *x = parse_or(ps);
				if (!x) goto bad;
				if (nargs == MAXARGS) {
					algo_expr_free(x);
					sig_text(d, tb, sizeof tb);
					fail(ps, aat, "too many arguments to %s (it takes %s)", d->name, tb);
					goto bad;
				}
				argat[nargs] = aat;
				args[nargs++] = x;
				if (ps->tok == T_COMMA) { if (lex(ps) < 0) goto bad; continue; }
				if (ps->tok == T_RP) break;
				fail(ps, ps->ts, "expected ',' or ')' in call to %s, found %s", d->name,
					tok_desc(ps, tb, sizeof tb));
				goto bad;
			}
		}
		if (lex(ps) < 0) goto bad;              /* past ')' */
	}
	e = make_call(ps, d, at, args, argat, nargs);
	if (!e) return NULL;
	if (ps->tok == T_DOT) {
		int k;
		if (lex(ps) < 0 || ps->tok != T_IDENT) {
			if (!ps->failed) fail(ps, ps->ts, "expected an output name after '.'");
			algo_expr_free(e);
			return NULL;
		}
		k = algo_ind_output(d, ps->s + ps->ts, ps->tl);
		if (k < 0) {
			char outs[128] = "";
			const char *hint = NULL;
			size_t o = 0, bestd = (size_t)-1;
			for (int i = 0; i < d->noutputs; i++) {
				size_t dist = algo_edit_distance(ps->s + ps->ts, ps->tl, d->outputs[i], strlen(d->outputs[i]));
				if (dist < bestd) { bestd = dist; hint = d->outputs[i]; }
				int w = snprintf(outs + o, sizeof outs - o, "%s%s", i ? ", " : "", d->outputs[i]);
				if (w > 0 && (size_t)w < sizeof outs - o) o += (size_t)w;
			}
			if (bestd <= 2 && bestd < ps->tl)
				fail(ps, ps->ts, "unknown output '%.*s' of %s (did you mean '%s'?)", (int)ps->tl,
					ps->s + ps->ts, d->name, hint);
			else
				fail(ps, ps->ts, "unknown output '%.*s' of %s (outputs: %s)", (int)ps->tl,
					ps->s + ps->ts, d->name, outs);
			algo_expr_free(e);
			return NULL;
		}
		e->n = k;
		if (lex(ps) < 0) { algo_expr_free(e); return NULL; }
	}
	return e;
bad:
	for (int i = 0; i < nargs; i++) algo_expr_free(args[i]);
	return NULL;
}

static struct algo_expr *parse_primary(struct parser *ps)
{
	struct algo_expr *e;
	char tb[64];
	size_t at = ps->ts;
	switch (ps->tok) {
	case T_NUM:
	case T_TIME:
		if (!(e = node_new(ALGO_X_NUM, (int)at + 1))) return oom(ps);
		e->num = ps->num;
		if (lex(ps) < 0) { algo_expr_free(e); return NULL; }
		return e;
	case T_LP:
		if (lex(ps) < 0 || !(e = parse_or(ps))) return NULL;
		if (ps->tok != T_RP) {
			algo_expr_free(e);
			return fail(ps, ps->ts, "expected ')' to close the '(' at col %zu, found %s", at + 1,
				tok_desc(ps, tb, sizeof tb));
		}
		if (lex(ps) < 0) { algo_expr_free(e); return NULL; }
		e->col = (int)at + 1;       /* errors about it point at its '(' */
		return e;
	case T_IDENT: {
		const char *name = ps->s + at;
		size_t nl = ps->tl;
		const struct algo_ind_def *d = algo_ind_find(name, nl);
		int paren;
		if (is_keyword(name, nl))
			return fail(ps, at, "unexpected '%.*s' (an operand is missing before it)", (int)nl, name);
		if (lex(ps) < 0) return NULL;
		paren = ps->tok == T_LP;
		if (!paren) {
			for (int s = 0; s < ALGO_S_COUNT; s++) {
				if (!ieq(name, nl, series_names[s])) continue;
				if (!(e = make_series(s, (int)at + 1))) return oom(ps);
				return e;
			}
			for (int v = 0; v < ALGO_V_COUNT; v++) {
				if (!ieq(name, nl, var_names[v])) continue;
				if (!(e = node_new(ALGO_X_VAR, (int)at + 1))) return oom(ps);
				e->series = v;
				return e;
			}
			struct algo_param *p = ps->pp ? algo_params_find(ps->pp, name, nl) : NULL;
			if (p) {
				if (!(e = node_new(ALGO_X_NUM, (int)at + 1))) return oom(ps);
				e->num = p->value;
				e->param = p->name;
				p->used = 1;
				return e;
			}
		}
		if (!d) {
			const char *hint = suggest(ps->pp, name, nl, !paren);
			for (int s = 0; paren && s < ALGO_S_COUNT; s++)
				if (ieq(name, nl, series_names[s]))
					return fail(ps, at, "'%s' is a series, not an indicator", series_names[s]);
			if (hint)
				return fail(ps, at, "unknown %s '%.*s' (did you mean '%s'?)",
					paren ? "indicator" : "name", (int)nl, name, hint);
			return fail(ps, at, "unknown %s '%.*s'", paren ? "indicator" : "name", (int)nl, name);
		}
		if (!paren && d->nparams > 0) {
			sig_text(d, tb, sizeof tb);
			return fail(ps, at, "%s needs arguments: %s", d->name, tb);
		}
		return parse_call(ps, d, at, paren);
	}
	case T_END:
		return fail(ps, at, "unexpected end of expression");
	default:
		return fail(ps, at, "unexpected %s", tok_desc(ps, tb, sizeof tb));
	}
}

/* The n of X[n]: a whole number, or constant arithmetic of numbers and parameters
 * (close[lag]); leaves the parser at the token after it. Returns 0 or -1. */
static int lookback_count(struct parser *ps, long *out)
{
	size_t at = ps->ts;
	struct algo_expr *x;
	double v = NAN;
	char names[160];
	int bad;
	if (!(x = parse_sum(ps))) return -1;
	if (!algo_expr_constant(x, &v)) v = NAN;
	bad = !(v == floor(v)) || v < 0 || v > ALGO_EXPR_MAXBACK;
	if (bad && algo_expr_has_param(x))
		fail(ps, at, "look-back must be a whole number of bars from 0 to %d, got %.15g (from parameter%s)",
			ALGO_EXPR_MAXBACK, v, param_names(x, names, sizeof names));
	else if (bad)
		fail(ps, at, "look-back must be a whole number of bars from 0 to %d", ALGO_EXPR_MAXBACK);
	algo_expr_free(x);
	if (bad) return -1;
	*out = (long)v;
	return 0;
}

static struct algo_expr *parse_postfix(struct parser *ps)
{
	struct algo_expr *e = parse_primary(ps), *b;
	while (e && ps->tok == T_LB) {
		size_t at = ps->ts;
		long n;
		if (lex(ps) < 0) goto bad;
		if (lookback_count(ps, &n) < 0) goto bad;
		if (ps->tok != T_RB) { fail(ps, ps->ts, "expected ']'"); goto bad; }
		if (lex(ps) < 0) goto bad;
		if (e->op == ALGO_X_BACK) {
			if (e->n + n > ALGO_EXPR_MAXBACK) {
				fail(ps, at, "look-back must be a whole number of bars from 0 to %d", ALGO_EXPR_MAXBACK);
				goto bad;
			}
			e->n += (int)n;
			continue;
		}
		if (n == 0) continue;
		if (!(b = node_new(ALGO_X_BACK, (int)at + 1))) { oom(ps); goto bad; }
		b->a = e;
		b->n = (int)n;
		b->is_bool = e->is_bool;
		e = b;
	}
	if (e && ps->tok == T_DOT) { fail(ps, ps->ts, "'.' selects an output and goes right after a call"); goto bad; }
	return e;
bad:
	algo_expr_free(e);
	return NULL;
}

static struct algo_expr *parse_unary(struct parser *ps)
{
	struct algo_expr *e, *x;
	size_t at = ps->ts;
	if (ps->tok != T_MINUS) return parse_postfix(ps);
	if (lex(ps) < 0 || !(x = parse_unary(ps))) return NULL;
	if (x->is_bool) {
		algo_expr_free(x);
		return fail(ps, at, "'-' needs a number, not a condition");
	}
	if (x->op == ALGO_X_NUM) { x->num = -x->num; x->col = (int)at + 1; return x; }
	if (!(e = node_new(ALGO_X_NEG, (int)at + 1))) { algo_expr_free(x); return oom(ps); }
	e->a = x;
	return e;
}

static struct algo_expr *parse_term(struct parser *ps)
{
	struct algo_expr *e = parse_unary(ps), *r;
	while (e && (ps->tok == T_STAR || ps->tok == T_SLASH)) {
		int op = ps->tok == T_STAR ? ALGO_X_MUL : ALGO_X_DIV;
		if (lex(ps) < 0 || !(r = parse_unary(ps))) { algo_expr_free(e); return NULL; }
		e = binary(ps, op, e, r);
	}
	return e;
}

static struct algo_expr *parse_sum(struct parser *ps)
{
	struct algo_expr *e = parse_term(ps), *r;
	while (e && (ps->tok == T_PLUS || ps->tok == T_MINUS)) {
		int op = ps->tok == T_PLUS ? ALGO_X_ADD : ALGO_X_SUB;
		if (lex(ps) < 0 || !(r = parse_term(ps))) { algo_expr_free(e); return NULL; }
		e = binary(ps, op, e, r);
	}
	return e;
}

static struct algo_expr *parse_cmp(struct parser *ps)
{
	struct algo_expr *e = parse_sum(ps), *r;
	int op;
	while (e && (op = cur_cmp(ps)) >= 0) {
		if (lex(ps) < 0 || !(r = parse_sum(ps))) { algo_expr_free(e); return NULL; }
		e = binary(ps, op, e, r);
	}
	return e;
}

static struct algo_expr *parse_not(struct parser *ps)
{
	struct algo_expr *e, *x;
	size_t at = ps->ts;
	if (!is_word(ps, "not")) return parse_cmp(ps);
	if (lex(ps) < 0 || !(x = parse_not(ps))) return NULL;
	if (!x->is_bool) {
		algo_expr_free(x);
		return fail(ps, at, "'not' needs a condition, not a number");
	}
	if (!(e = node_new(ALGO_X_NOT, (int)at + 1))) { algo_expr_free(x); return oom(ps); }
	e->a = x;
	e->is_bool = 1;
	return e;
}

static struct algo_expr *parse_and(struct parser *ps)
{
	struct algo_expr *e = parse_not(ps), *r;
	while (e && is_word(ps, "and")) {
		if (lex(ps) < 0 || !(r = parse_not(ps))) { algo_expr_free(e); return NULL; }
		e = binary(ps, ALGO_X_AND, e, r);
	}
	return e;
}

static struct algo_expr *parse_or(struct parser *ps)
{
	struct algo_expr *e = parse_and(ps), *r;
	while (e && is_word(ps, "or")) {
		if (lex(ps) < 0 || !(r = parse_and(ps))) { algo_expr_free(e); return NULL; }
		e = binary(ps, ALGO_X_OR, e, r);
	}
	return e;
}

int algo_expr_constant(const struct algo_expr *e, double *v)
{
	double a, b, r;
	switch (e->op) {
	case ALGO_X_NUM: *v = e->num; return isfinite(e->num);
	case ALGO_X_NEG:
		if (!algo_expr_constant(e->a, &a)) return 0;
		*v = -a;
		return 1;
	case ALGO_X_ADD: case ALGO_X_SUB: case ALGO_X_MUL: case ALGO_X_DIV:
		if (!algo_expr_constant(e->a, &a) || !algo_expr_constant(e->b, &b)) return 0;
		r = e->op == ALGO_X_ADD ? a + b : e->op == ALGO_X_SUB ? a - b : e->op == ALGO_X_MUL ? a * b
			: b == 0 ? NAN : a / b;
		if (!isfinite(r)) return 0;
		*v = r;
		return 1;
	}
	return 0;
}

int algo_expr_has_param(const struct algo_expr *e)
{
	return e && ((e->op == ALGO_X_NUM && e->param) || algo_expr_has_param(e->a) || algo_expr_has_param(e->b));
}

struct algo_expr *algo_expr_parse(const char *s, size_t n, char *err, size_t errlen)
{
	return algo_expr_parse_params(s, n, NULL, err, errlen);
}

struct algo_expr *algo_expr_parse_params(const char *s, size_t n, struct algo_params *pp,
	char *err, size_t errlen)
{
	struct parser ps = { .s = s, .n = n, .err = err, .errlen = errlen, .pp = pp };
	struct algo_expr *e;
	char tb[64];
	if (errlen) err[0] = '\0';
	if (lex(&ps) < 0) return NULL;
	if (ps.tok == T_END) { fail(&ps, 0, "empty expression"); return NULL; }
	e = parse_or(&ps);
	if (e && ps.tok != T_END) {
		fail(&ps, ps.ts, "unexpected %s after a complete expression", tok_desc(&ps, tb, sizeof tb));
		algo_expr_free(e);
		return NULL;
	}
	return e;
}

/* ---- compiled programs ------------------------------------------------------------------ */

struct algo_prog_node {
	int op, series, n, a, b;
	int depth;                  /* bars of history kept besides the current one */
	uint64_t mask;              /* ring of a power of two > depth slots: index & mask */
	double num;
	const struct algo_ind_def *ind;
	double p[ALGO_IND_MAXPARAMS];
	size_t hist, out, st;       /* offsets into a state array */
	char *key;
};

void algo_prog_init(struct algo_prog *pg)
{
	memset(pg, 0, sizeof *pg);
}

struct sbuf { char *s; size_t len, cap; int oom; };

__attribute__((format(printf, 2, 3)))
static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int k;
	if (b->oom) return;
	for (;;) {
		va_start(ap, fmt);
		k = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (k < 0) { b->oom = 1; return; }
		if (b->s && b->len + (size_t)k < b->cap) { b->len += (size_t)k; return; }
		size_t cap = (b->cap ? b->cap * 2 : 64) + (size_t)k;
		char *t = realloc(b->s, cap);
		if (!t) { b->oom = 1; return; }
		b->s = t;
		b->cap = cap;
	}
}

static char *node_key(const struct algo_prog *pg, const struct algo_expr *e, int ia, int ib)
{
	struct sbuf b = { 0 };
	char num[40];
	const char *ka = ia >= 0 ? pg->nodes[ia].key : "", *kb = ib >= 0 ? pg->nodes[ib].key : "";
	switch (e->op) {
	case ALGO_X_NUM:
		algo_expr_fmt_num(e->num, num, sizeof num);
		sb_printf(&b, "%s", num);
		break;
	case ALGO_X_SERIES: sb_printf(&b, "%s", series_names[e->series]); break;
	case ALGO_X_VAR: sb_printf(&b, "%s", var_names[e->series]); break;
	case ALGO_X_IND:
		sb_printf(&b, "%s(%s", e->ind->name, ka);
		for (int i = 0; i < e->ind->nparams; i++) {
			algo_expr_fmt_num(e->p[i], num, sizeof num);
			sb_printf(&b, "%s%s", i || ia >= 0 ? "," : "", num);
		}
		sb_printf(&b, ")");
		break;
	case ALGO_X_OUT: sb_printf(&b, "%s.%s", ka, pg->nodes[ia].ind->outputs[e->n]); break;
	case ALGO_X_BACK: sb_printf(&b, "%s[%d]", ka, e->n); break;
	case ALGO_X_NEG: sb_printf(&b, "(-%s)", ka); break;
	case ALGO_X_NOT: sb_printf(&b, "(not %s)", ka); break;
	default: sb_printf(&b, "(%s %s %s)", ka, op_text(e->op), kb); break;
	}
	if (b.oom) { free(b.s); return NULL; }
	return b.s;
}

static void need_depth(struct algo_prog *pg, int i, int d)
{
	if (pg->nodes[i].depth < d) pg->nodes[i].depth = d;
}

int algo_prog_add(struct algo_prog *pg, const struct algo_expr *e)
{
	int ia = -1, ib = -1;
	char *key;
	struct algo_prog_node *nd;
	if (pg->finished) return -1;
	if (e->a && (ia = algo_prog_add(pg, e->a)) < 0) return -1;
	if (e->b && (ib = algo_prog_add(pg, e->b)) < 0) return -1;
	if (!(key = node_key(pg, e, ia, ib))) return -1;
	for (int i = 0; i < pg->n; i++)
		if (strcmp(pg->nodes[i].key, key) == 0) { free(key); return i; }
	if (pg->n == pg->cap) {
		int cap = pg->cap ? pg->cap * 2 : 16;
		struct algo_prog_node *t = realloc(pg->nodes, (size_t)cap * sizeof *t);
		if (!t) { free(key); return -1; }
		pg->nodes = t;
		pg->cap = cap;
	}
	nd = &pg->nodes[pg->n];
	memset(nd, 0, sizeof *nd);
	nd->op = e->op;
	nd->series = e->series;
	nd->n = e->n;
	nd->num = e->num;
	nd->ind = e->op == ALGO_X_IND ? e->ind : NULL;
	memcpy(nd->p, e->p, sizeof nd->p);
	nd->a = ia;
	nd->b = ib;
	nd->key = key;
	if (e->op == ALGO_X_BACK) need_depth(pg, ia, e->n);
	if (e->op == ALGO_X_XABOVE || e->op == ALGO_X_XBELOW) { need_depth(pg, ia, 1); need_depth(pg, ib, 1); }
	return pg->n++;
}

int algo_prog_finish(struct algo_prog *pg)
{
	size_t off = 1 + (size_t)pg->n;         /* [0] = bars stepped, then current values */
	for (int i = 0; i < pg->n; i++) {
		struct algo_prog_node *nd = &pg->nodes[i];
		if (nd->depth > 0) {
			uint64_t size = 2;
			while (size < (uint64_t)nd->depth + 1) size *= 2;
			nd->mask = size - 1;
			nd->hist = off;
			off += (size_t)size;
		}
		if (nd->op == ALGO_X_IND) {
			nd->out = off;
			off += (size_t)nd->ind->noutputs;
			nd->st = off;
			off += nd->ind->state_len(nd->p);
		}
	}
	pg->mem_len = off;
	pg->finished = 1;
	return 0;
}

size_t algo_prog_mem_len(const struct algo_prog *pg) { return pg->mem_len; }

int algo_prog_ind_count(const struct algo_prog *pg)
{
	int k = 0;
	for (int i = 0; i < pg->n; i++) k += pg->nodes[i].op == ALGO_X_IND;
	return k;
}

const char *algo_prog_key(const struct algo_prog *pg, int i)
{
	return i >= 0 && i < pg->n ? pg->nodes[i].key : NULL;
}

void algo_prog_reset(const struct algo_prog *pg, double *mem)
{
	for (size_t i = 0; i < pg->mem_len; i++) mem[i] = NAN;
	mem[0] = 0;
	for (int i = 0; i < pg->n; i++) {
		const struct algo_prog_node *nd = &pg->nodes[i];
		if (nd->op != ALGO_X_IND) continue;
		size_t len = nd->ind->state_len(nd->p);
		for (size_t k = 0; k < len; k++) mem[nd->st + k] = 0;
		if (nd->ind->init) nd->ind->init(mem + nd->st, nd->p);
	}
}

/* Value of node j n bars before bar t (n <= its depth). */
static double hist_get(const struct algo_prog *pg, const double *mem, int j, int n, uint64_t t)
{
	const struct algo_prog_node *nd = &pg->nodes[j];
	if (n == 0) return mem[1 + j];
	if ((uint64_t)n > t) return NAN;
	return mem[nd->hist + ((t - (uint64_t)n) & nd->mask)];
}

static double finite_or_nan(double v) { return isfinite(v) ? v : NAN; }

static double series_value(int s, const struct algo_ind_in *in)
{
	switch (s) {
	case ALGO_S_OPEN: return in->o;
	case ALGO_S_HIGH: return in->h;
	case ALGO_S_LOW: return in->l;
	case ALGO_S_CLOSE: return in->c;
	case ALGO_S_VOLUME: return in->v;
	case ALGO_S_OI: return in->oi;
	case ALGO_S_HL2: return (in->h + in->l) / 2.0;
	case ALGO_S_HLC3: return (in->h + in->l + in->c) / 3.0;
	case ALGO_S_OHLC4: return (in->o + in->h + in->l + in->c) / 4.0;
	case ALGO_S_TIME: return algo_time_ist_minute(in->ts);
	case ALGO_S_DAYOFWEEK: return algo_time_ist_wday(in->ts);
	}
	return NAN;
}

void algo_prog_step(const struct algo_prog *pg, double *mem, const struct algo_ind_in *bar)
{
	algo_prog_step_vars(pg, mem, bar, NULL);
}

void algo_prog_step_vars(const struct algo_prog *pg, double *mem, const struct algo_ind_in *bar,
	const double *vars)
{
	uint64_t t = (uint64_t)mem[0];
	for (int i = 0; i < pg->n; i++) {
		const struct algo_prog_node *nd = &pg->nodes[i];
		double A = nd->a >= 0 ? mem[1 + nd->a] : NAN, B = nd->b >= 0 ? mem[1 + nd->b] : NAN, v = NAN;
		switch (nd->op) {
		case ALGO_X_NUM: v = nd->num; break;
		case ALGO_X_SERIES: v = series_value(nd->series, bar); break;
		case ALGO_X_VAR: v = vars ? vars[nd->series] : NAN; break;
		case ALGO_X_IND: {
			double *out = mem + nd->out;
			for (int k = 0; k < nd->ind->noutputs; k++) out[k] = NAN;
			if (nd->a >= 0 && isnan(A)) break;          /* source without a value: wait */
			struct algo_ind_in in = *bar;
			in.src = A;
			nd->ind->update(mem + nd->st, nd->p, &in, out);
			v = out[0];
			break;
		}
		case ALGO_X_OUT: v = mem[pg->nodes[nd->a].out + (size_t)nd->n]; break;
		case ALGO_X_BACK: v = hist_get(pg, mem, nd->a, nd->n, t); break;
		case ALGO_X_NEG: v = -A; break;
		case ALGO_X_NOT: v = isnan(A) ? NAN : A == 0; break;
		case ALGO_X_ADD: v = finite_or_nan(A + B); break;
		case ALGO_X_SUB: v = finite_or_nan(A - B); break;
		case ALGO_X_MUL: v = finite_or_nan(A * B); break;
		case ALGO_X_DIV: v = B == 0 ? NAN : finite_or_nan(A / B); break;
		case ALGO_X_LT: case ALGO_X_GT: case ALGO_X_LE: case ALGO_X_GE: case ALGO_X_EQ: case ALGO_X_NE:
			if (isnan(A) || isnan(B)) break;
			v = nd->op == ALGO_X_LT ? A < B : nd->op == ALGO_X_GT ? A > B : nd->op == ALGO_X_LE ? A <= B
				: nd->op == ALGO_X_GE ? A >= B : nd->op == ALGO_X_EQ ? A == B : A != B;
			break;
		case ALGO_X_XABOVE: case ALGO_X_XBELOW: {
			double a1 = hist_get(pg, mem, nd->a, 1, t), b1 = hist_get(pg, mem, nd->b, 1, t);
			if (isnan(A) || isnan(B) || isnan(a1) || isnan(b1)) break;
			v = nd->op == ALGO_X_XABOVE ? (a1 <= b1 && A > B) : (a1 >= b1 && A < B);
			break;
		}
		case ALGO_X_AND:
			if (A == 0 || B == 0) v = 0;
			else if (!isnan(A) && !isnan(B)) v = 1;
			break;
		case ALGO_X_OR:
			if ((!isnan(A) && A != 0) || (!isnan(B) && B != 0)) v = 1;
			else if (!isnan(A) && !isnan(B)) v = 0;
			break;
		}
		mem[1 + i] = v;
		if (nd->depth > 0) mem[nd->hist + (t & nd->mask)] = v;
	}
	mem[0] = (double)(t + 1);
}

double algo_prog_value(const struct algo_prog *pg, const double *mem, int i)
{
	return i >= 0 && i < pg->n ? mem[1 + i] : NAN;
}

void algo_prog_free(struct algo_prog *pg)
{
	for (int i = 0; i < pg->n; i++) free(pg->nodes[i].key);
	free(pg->nodes);
	algo_prog_init(pg);
}
