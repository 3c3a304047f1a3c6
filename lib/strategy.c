/* strategy — loading, validating and running strategy files. See strategy.h. */
#include "strategy.h"
#include "decimal.h"
#include "store.h"
#include "timeutil.h"
#include <errno.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define FILE_MAX (4 << 20)          /* bytes of a strategy file */
#define ALGO_SESSION_OPEN (9 * 60 + 15)         /* NSE session, IST minutes */
#define ALGO_SESSION_CLOSE (15 * 60 + 30)

/* ---- error lists --------------------------------------------------------------------- */

void algo_errlist_init(struct algo_errlist *l)
{
	memset(l, 0, sizeof *l);
}

void algo_errlist_add(struct algo_errlist *l, const char *fmt, ...)
{
	char buf[1024], *m;
	va_list ap;
	if (l->n >= ALGO_ERRLIST_MAX) { l->dropped++; return; }
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		char **t = realloc(l->msg, cap * sizeof *t);
		if (!t) { l->dropped++; return; }
		l->msg = t;
		l->cap = cap;
	}
	if (!(m = strdup(buf))) { l->dropped++; return; }
	l->msg[l->n++] = m;
}

void algo_errlist_free(struct algo_errlist *l)
{
	for (size_t i = 0; i < l->n; i++) free(l->msg[i]);
	free(l->msg);
	algo_errlist_init(l);
}

/* ---- the compiled strategy ---------------------------------------------------------------- */

enum { C_LEAF, C_ALL, C_ANY, C_NOT };

struct cond {
	int kind;
	int node;                   /* C_LEAF: program node of the condition */
	char *text;                 /* as written (groups: joined) */
	int nkids;
	struct cond **kids;
};

enum { STOP_NONE, STOP_PCT, STOP_POINTS };
enum { SIZE_QTY, SIZE_CAPITAL_PCT, SIZE_RISK_PCT };

struct stop {
	int kind;
	double val;                 /* constant, when node < 0 */
	int node;                   /* expression node, or -1 */
	char text[160];             /* for reasons: "trailing_stop 0.5%" */
};

struct algo_strategy {
	char name[64];
	char **symbols;
	int nsymbols;
	char tf[16];
	int64_t tf_secs;            /* 0 = any */
	int64_t qty;
	int allow_short;            /* -1 = not given */
	char product[12];           /* "intraday", "delivery", "margin"; "" = not given */
	int win_from, win_to;       /* minutes since midnight; -1 = no window */
	int exit_at;                /* minutes; -1 = none */
	int max_entries;            /* per day and symbol; 0 = no limit */
	struct stop sl, tp, trail;
	int sizing;                 /* SIZE_* */
	double size_pct;            /* capital_pct / risk_pct */
	struct stop risk_stop;      /* risk_pct: the stop distance (else sl) */
	int64_t capital;            /* decimal; 0 = none */
	struct algo_params params;  /* "params", with --param values applied */
	char hash[65];              /* SHA-256 of the file (and changed params), hex */
	char note[640];
	int note_new, noted_zero;
	int64_t skipped;            /* input bars skipped (restored state) */
	int64_t nevaluated;         /* bars of its timeframe evaluated in this run */
	int64_t nwindow;            /* of them, bars inside the window */
	int first_minute;           /* IST minute of the first of them */
	char first_tf[8];           /* and its input timeframe */
	int64_t day;                /* IST day of the newest input bar; -1 none */
	struct cond *entry[2], *exit[2];        /* [0] long, [1] short; NULL = never */
	struct cond **conds;                    /* every cond allocated, for freeing */
	int nconds, capconds;
	struct algo_prog prog;
	int print_mode;
	int *watch;                 /* print mode: node of each expression */
	int nwatch;
	struct algo_strategy_sym **syms;
	size_t nsyms, capsyms;
	uint32_t *slots;            /* open addressing over syms: index + 1, 0 = empty */
	size_t nslots;
	struct algo_strategy_sym *last;
	struct algo_strategy_sym *cache;        /* the stream of the previous input bar */
};

/* ---- symbol table ------------------------------------------------------------------------- */

static uint32_t hash_str(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static struct algo_strategy_sym *sym_find(const struct algo_strategy *s, const char *key)
{
	if (!s->nslots) return NULL;
	for (size_t i = hash_str(key) & (s->nslots - 1);; i = (i + 1) & (s->nslots - 1)) {
		uint32_t k = s->slots[i];
		if (!k) return NULL;
		if (strcmp(s->syms[k - 1]->key, key) == 0) return s->syms[k - 1];
	}
}

static void slot_put(uint32_t *slots, size_t nslots, const char *key, uint32_t v)
{
	size_t i = hash_str(key) & (nslots - 1);
	while (slots[i]) i = (i + 1) & (nslots - 1);
	slots[i] = v;
}

static struct algo_strategy_sym *sym_add(struct algo_strategy *s, const char *key)
{
	struct algo_strategy_sym *y;
	if (s->nsyms == s->capsyms) {
		size_t cap = s->capsyms ? s->capsyms * 2 : 8;
		struct algo_strategy_sym **t = realloc(s->syms, cap * sizeof *t);
		if (!t) return NULL;
		s->syms = t;
		s->capsyms = cap;
	}
	if ((s->nsyms + 1) * 2 > s->nslots) {
		size_t n = s->nslots ? s->nslots * 2 : 16;
		uint32_t *t = calloc(n, sizeof *t);
		if (!t) return NULL;
		for (size_t i = 0; i < s->nsyms; i++) slot_put(t, n, s->syms[i]->key, (uint32_t)i + 1);
		free(s->slots);
		s->slots = t;
		s->nslots = n;
	}
	if (!(y = calloc(1, sizeof *y))) return NULL;
	if (!(y->mem = malloc((s->prog.mem_len ? s->prog.mem_len : 1) * sizeof *y->mem))) {
		free(y);
		return NULL;
	}
	snprintf(y->key, sizeof y->key, "%s", key);
	y->day = -1;
	y->last_in_ts = y->skip_ts = INT64_MIN;
	algo_prog_reset(&s->prog, y->mem);
	s->syms[s->nsyms++] = y;
	slot_put(s->slots, s->nslots, y->key, (uint32_t)s->nsyms);
	return y;
}

size_t algo_strategy_sym_count(const struct algo_strategy *s) { return s->nsyms; }

struct algo_strategy_sym *algo_strategy_sym_at(struct algo_strategy *s, size_t i)
{
	return i < s->nsyms ? s->syms[i] : NULL;
}

struct algo_strategy_sym *algo_strategy_sym_find(struct algo_strategy *s, const char *key)
{
	return sym_find(s, key);
}

/* ---- freeing ---------------------------------------------------------------------------- */

void algo_strategy_free(struct algo_strategy *s)
{
	if (!s) return;
	for (int i = 0; i < s->nsymbols; i++) free(s->symbols[i]);
	free(s->symbols);
	for (int i = 0; i < s->nconds; i++) {
		free(s->conds[i]->text);
		free(s->conds[i]->kids);
		free(s->conds[i]);
	}
	free(s->conds);
	for (size_t i = 0; i < s->nsyms; i++) {
		free(s->syms[i]->mem);
		free(s->syms[i]);
	}
	free(s->syms);
	free(s->slots);
	free(s->watch);
	algo_prog_free(&s->prog);
	free(s);
}

static struct algo_strategy *strategy_new(void)
{
	struct algo_strategy *s = calloc(1, sizeof *s);
	if (!s) return NULL;
	algo_prog_init(&s->prog);
	s->qty = 1;
	s->allow_short = -1;
	s->win_from = s->win_to = s->exit_at = -1;
	s->sl.node = s->tp.node = s->trail.node = s->risk_stop.node = -1;
	s->day = -1;
	return s;
}

/* ---- loading -------------------------------------------------------------------------------- */

struct loader {
	struct algo_strategy *s;
	struct algo_errlist *errs;
	const char *file;
	int nerr;
	const struct algo_param_overrides *ov;  /* NULL = none */
};

__attribute__((format(printf, 3, 4)))
static void lerr(struct loader *L, const char *path, const char *fmt, ...)
{
	char msg[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	algo_errlist_add(L->errs, "%s: %s: %s", L->file, path, msg);
	L->nerr++;
}

static const char *join(char *buf, size_t len, const char *path, const char *key)
{
	snprintf(buf, len, "%s.%s", path, key);
	return buf;
}

static const char *join_idx(char *buf, size_t len, const char *path, size_t i)
{
	snprintf(buf, len, "%s[%zu]", path, i);
	return buf;
}

#define PATHMAX 512

static int in_list(const char *key, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(key, *list) == 0) return 1;
	return 0;
}

/* Reports every key of obj not in allowed ("_comment" is always allowed). */
static void check_keys(struct loader *L, json_t *obj, const char *path, const char *const *allowed)
{
	const char *key;
	json_t *v;
	json_object_foreach(obj, key, v) {
		const char *best = NULL;
		size_t bestd = (size_t)-1, kl = strlen(key);
		if (strcmp(key, "_comment") == 0) {
			if (!json_is_string(v)) lerr(L, path, "'_comment' must be a string");
			continue;
		}
		if (in_list(key, allowed)) continue;
		for (const char *const *a = allowed; *a; a++) {
			size_t d = algo_edit_distance(key, kl, *a, strlen(*a));
			if (d < bestd) { bestd = d; best = *a; }
		}
		if (best && bestd <= 2 && bestd < kl)
			lerr(L, path, "unknown key '%s' (did you mean '%s'?)", key, best);
		else
			lerr(L, path, "unknown key '%s'", key);
	}
}

static struct cond *cond_new(struct loader *L, int kind, const char *text, size_t tlen)
{
	struct algo_strategy *s = L->s;
	struct cond *c;
	if (s->nconds == s->capconds) {
		int cap = s->capconds ? s->capconds * 2 : 16;
		struct cond **t = realloc(s->conds, (size_t)cap * sizeof *t);
		if (!t) return NULL;
		s->conds = t;
		s->capconds = cap;
	}
	if (!(c = calloc(1, sizeof *c))) return NULL;
	if (!(c->text = strndup(text, tlen))) { free(c); return NULL; }
	c->kind = kind;
	c->node = -1;
	s->conds[s->nconds++] = c;
	return c;
}

/* A group of kids (C_ALL, C_ANY, C_NOT with one kid); an all/any of one kid stands for
 * itself. kids is taken over in every case. */
static struct cond *cond_group(struct loader *L, const char *path, int kind, struct cond **kids, int n)
{
	size_t len = 8, off = 0;
	char *text;
	struct cond *c;
	if (n == 1 && kind != C_NOT) { struct cond *k = kids[0]; free(kids); return k; }
	for (int i = 0; i < n; i++) len += strlen(kids[i]->text) + 7;
	if (!(text = malloc(len))) goto oom;
	if (kind == C_NOT) off = (size_t)snprintf(text, len, "not (%s)", kids[0]->text);
	for (int i = 0; kind != C_NOT && i < n; i++) {
		int paren = kids[i]->kind == C_ALL || kids[i]->kind == C_ANY;
		off += (size_t)snprintf(text + off, len - off, "%s%s%s%s", i ? (kind == C_ALL ? " and " : " or ") : "",
			paren ? "(" : "", kids[i]->text, paren ? ")" : "");
	}
	c = cond_new(L, kind, text, off);
	free(text);
	if (!c) goto oom;
	c->kids = kids;
	c->nkids = n;
	return c;
oom:
	lerr(L, path, "out of memory");
	free(kids);
	return NULL;
}

/* Parses an expression string; reports errors under path. Returns the tree or NULL. */
static struct algo_expr *parse_at(struct loader *L, const char *path, const char *text, size_t n)
{
	char err[512];
	struct algo_expr *e = algo_expr_parse_params(text, n, &L->s->params, err, sizeof err);
	if (!e) lerr(L, path, "%s", err);
	return e;
}

/* A number field that may name parameters: a JSON number, or a string that is
 * constant arithmetic of parameters ("lots", "lots * 2"). Returns 1 with *v; 0 when
 * j is neither (the caller reports it); -1 after reporting an error (a string that
 * does not parse while the file declares parameters: "unknown name 'lotz' (did you
 * mean 'lots'?)"). */
static int param_number(struct loader *L, json_t *j, const char *path, double *v)
{
	char err[512];
	struct algo_expr *e;
	int ok;
	if (json_is_number(j)) { *v = json_number_value(j); return 1; }
	if (!json_is_string(j) || !L->s->params.n) return 0;
	if (!(e = algo_expr_parse_params(json_string_value(j), json_string_length(j), &L->s->params, err, sizeof err))) {
		lerr(L, path, "%s", err);
		return -1;
	}
	ok = algo_expr_has_param(e) && algo_expr_constant(e, v);
	algo_expr_free(e);
	return ok;
}

static int add_expr(struct loader *L, const char *path, struct algo_expr *e)
{
	int node = algo_prog_add(&L->s->prog, e);
	algo_expr_free(e);
	if (node < 0) lerr(L, path, "out of memory");
	return node;
}

static struct cond *leaf(struct loader *L, const char *path, struct algo_expr *e, const char *text, size_t tlen)
{
	struct cond *c;
	int node;
	if (!e->is_bool) {
		lerr(L, path, "a condition must compare or cross values (e.g. 'RSI(14) < 30'), not just compute a number");
		algo_expr_free(e);
		return NULL;
	}
	if ((node = add_expr(L, path, e)) < 0) return NULL;
	if (!(c = cond_new(L, C_LEAF, text, tlen))) { lerr(L, path, "out of memory"); return NULL; }
	c->node = node;
	return c;
}

/* Operand of a structured condition: an expression string or a number. */
static struct algo_expr *operand(struct loader *L, json_t *j, const char *path, char *text, size_t tlen)
{
	if (json_is_string(j)) {
		snprintf(text, tlen, "%s", json_string_value(j));
		return parse_at(L, path, json_string_value(j), json_string_length(j));
	}
	if (json_is_number(j)) {
		struct algo_expr *e = algo_expr_num(json_number_value(j));
		algo_expr_fmt_num(json_number_value(j), text, tlen);
		if (!e) lerr(L, path, "out of memory");
		return e;
	}
	lerr(L, path, "must be an expression string or a number");
	return NULL;
}

static struct cond *load_cond(struct loader *L, json_t *j, const char *path);

static struct cond *load_list(struct loader *L, json_t *arr, const char *path, int kind)
{
	char p[PATHMAX];
	size_t n = json_array_size(arr), i;
	struct cond **kids;
	int bad = 0;
	if (!json_is_array(arr) || n == 0) {
		lerr(L, path, "must be a non-empty array of conditions");
		return NULL;
	}
	if (!(kids = calloc(n, sizeof *kids))) { lerr(L, path, "out of memory"); return NULL; }
	for (i = 0; i < n; i++)
		if (!(kids[i] = load_cond(L, json_array_get(arr, i), join_idx(p, sizeof p, path, i)))) bad = 1;
	if (bad) { free(kids); return NULL; }
	return cond_group(L, path, kind, kids, (int)n);
}

static struct cond *load_cond(struct loader *L, json_t *j, const char *path)
{
	char p[PATHMAX];
	if (json_is_string(j)) {
		struct algo_expr *e = parse_at(L, path, json_string_value(j), json_string_length(j));
		return e ? leaf(L, path, e, json_string_value(j), json_string_length(j)) : NULL;
	}
	if (json_is_object(j)) {
		json_t *all = json_object_get(j, "all"), *any = json_object_get(j, "any"),
			*not = json_object_get(j, "not");
		int groups = !!all + !!any + !!not;
		if (groups > 1) { lerr(L, path, "a group has exactly one of 'all', 'any', 'not'"); return NULL; }
		if (all) {
			static const char *const k[] = { "all", NULL };
			check_keys(L, j, path, k);
			return load_list(L, all, join(p, sizeof p, path, "all"), C_ALL);
		}
		if (any) {
			static const char *const k[] = { "any", NULL };
			check_keys(L, j, path, k);
			return load_list(L, any, join(p, sizeof p, path, "any"), C_ANY);
		}
		if (not) {
			static const char *const k[] = { "not", NULL };
			struct cond *kid, **kids;
			check_keys(L, j, path, k);
			if (!(kid = load_cond(L, not, join(p, sizeof p, path, "not")))) return NULL;
			if (!(kids = malloc(sizeof *kids))) { lerr(L, path, "out of memory"); return NULL; }
			kids[0] = kid;
			return cond_group(L, path, C_NOT, kids, 1);
		}
		{
			static const char *const k[] = { "left", "op", "right", NULL };
			json_t *jl = json_object_get(j, "left"), *jo = json_object_get(j, "op"),
				*jr = json_object_get(j, "right");
			char lt[256], rt[256], text[600];
			struct algo_expr *a, *b, *e;
			int op = -1;
			check_keys(L, j, path, k);
			if (!jl || !jo || !jr) {
				lerr(L, path, "a condition object needs 'left', 'op' and 'right' (or is a group: 'all', 'any', 'not')");
				return NULL;
			}
			if (!json_is_string(jo) || (op = algo_expr_op_parse(json_string_value(jo))) < 0)
				lerr(L, join(p, sizeof p, path, "op"),
					"must be one of == != < > <= >= CROSS_ABOVE CROSS_BELOW");
			a = operand(L, jl, join(p, sizeof p, path, "left"), lt, sizeof lt);
			b = operand(L, jr, join(p, sizeof p, path, "right"), rt, sizeof rt);
			if (!a || !b || op < 0) { algo_expr_free(a); algo_expr_free(b); return NULL; }
			{
				char err[512];
				if (!(e = algo_expr_binary(op, a, b, err, sizeof err))) {
					lerr(L, path, "%s", err);
					return NULL;
				}
			}
			snprintf(text, sizeof text, "%s %s %s", lt, json_string_value(jo), rt);
			return leaf(L, path, e, text, strlen(text));
		}
	}
	lerr(L, path, "a condition is an expression string, {\"left\", \"op\", \"right\"}, or a group {\"all\"|\"any\"|\"not\": …}");
	return NULL;
}

static int get_hhmm(struct loader *L, json_t *j, const char *path)
{
	int m = -1;
	if (json_is_string(j)) m = algo_time_parse_hhmm(json_string_value(j), json_string_length(j));
	if (m < 0) lerr(L, path, "must be a time \"HH:MM\" (00:00 to 23:59)");
	return m;
}

static int get_posint(struct loader *L, json_t *j, const char *path, int64_t *out)
{
	double v;
	int r;
	if (json_is_string(j) && (r = param_number(L, j, path, &v)) != 0) {
		if (r < 0) return -1;
		if (v != floor(v) || v <= 0 || v > 1000000000) {
			lerr(L, path, "must be a positive integer, got %s = %.15g", json_string_value(j), v);
			return -1;
		}
		*out = (int64_t)v;
		return 0;
	}
	if (!json_is_integer(j) || json_integer_value(j) <= 0 || json_integer_value(j) > 1000000000) {
		lerr(L, path, "must be a positive integer");
		return -1;
	}
	*out = json_integer_value(j);
	return 0;
}

static void load_stop(struct loader *L, json_t *j, const char *path, struct stop *st, const char *what)
{
	static const char *const keys[] = { "pct", "points", NULL };
	char p[PATHMAX];
	json_t *v = NULL;
	const char *unit = "points";
	if (json_is_string(j)) {
		v = j;
		st->kind = STOP_POINTS;
		snprintf(p, sizeof p, "%s", path);
	} else if (json_is_object(j)) {
		json_t *pct = json_object_get(j, "pct"), *pts = json_object_get(j, "points");
		check_keys(L, j, path, keys);
		if (!!pct + !!pts != 1) {
			lerr(L, path, "give exactly one of 'pct' and 'points'");
			return;
		}
		st->kind = pct ? STOP_PCT : STOP_POINTS;
		v = pct ? pct : pts;
		unit = pct ? "%" : "points";
		join(p, sizeof p, path, pct ? "pct" : "points");
	} else {
		lerr(L, path, "must be {\"pct\": n}, {\"points\": n} or an expression string (points)");
		return;
	}
	if (json_is_number(v)) {
		st->val = json_number_value(v);
		if (!(st->val > 0) || !isfinite(st->val)) { lerr(L, p, "must be a positive number"); st->kind = STOP_NONE; return; }
		char num[40];
		algo_expr_fmt_num(st->val, num, sizeof num);
		snprintf(st->text, sizeof st->text, "%s %s%s%s", what, num, st->kind == STOP_PCT ? "" : " ", unit);
	} else if (json_is_string(v)) {
		struct algo_expr *e = parse_at(L, p, json_string_value(v), json_string_length(v));
		double c;
		if (!e) { st->kind = STOP_NONE; return; }
		if (algo_expr_has_param(e) && algo_expr_constant(e, &c)) {
			char num[40];
			algo_expr_free(e);
			if (!(c > 0)) {
				lerr(L, p, "must be a positive number, got %s = %.15g", json_string_value(v), c);
				st->kind = STOP_NONE;
				return;
			}
			st->val = c;
			algo_expr_fmt_num(c, num, sizeof num);
			snprintf(st->text, sizeof st->text, "%s %s%s%s", what, num, st->kind == STOP_PCT ? "" : " ", unit);
			return;
		}
		if (e->is_bool) {
			lerr(L, p, "must compute a distance, not a condition");
			algo_expr_free(e);
			st->kind = STOP_NONE;
			return;
		}
		st->node = add_expr(L, p, e);
		snprintf(st->text, sizeof st->text, "%s %s%s%s", what, json_string_value(v),
			st->kind == STOP_PCT ? "" : " ", unit);
	} else {
		lerr(L, p, "must be a positive number or an expression string");
		st->kind = STOP_NONE;
	}
}

static int name_char(char c)
{
	return ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9') ||
		c == '_' || c == '.' || c == '-';
}

static int valid_name(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 48) return 0;
	for (; *s; s++)
		if (!name_char(*s)) return 0;
	return 1;
}

static void load_symbols(struct loader *L, json_t *j, const char *path)
{
	char p[PATHMAX];
	struct algo_strategy *s = L->s;
	size_t n = json_is_array(j) ? json_array_size(j) : 1;
	if (!json_is_array(j) && !json_is_string(j)) { lerr(L, path, "must be a symbol or a list of symbols"); return; }
	if (n == 0) { lerr(L, path, "must not be empty"); return; }
	if (!(s->symbols = calloc(n, sizeof *s->symbols))) { lerr(L, path, "out of memory"); return; }
	for (size_t i = 0; i < n; i++) {
		json_t *v = json_is_array(j) ? json_array_get(j, i) : j;
		const char *sp = json_is_array(j) ? join_idx(p, sizeof p, path, i) : path;
		const char *sym = json_string_value(v);
		int ok = sym && sym[0] && strlen(sym) < 64;
		for (const char *c = sym; ok && *c; c++)
			if ((unsigned char)*c <= ' ' || *c == '"' || *c == '\\' || (unsigned char)*c == 0x7f) ok = 0;
		if (!ok) { lerr(L, sp, "must be a symbol such as \"NSE:SBIN-EQ\""); continue; }
		for (int k = 0; k < s->nsymbols; k++)
			if (strcmp(s->symbols[k], sym) == 0) { lerr(L, sp, "duplicate symbol '%s'", sym); ok = 0; }
		if (!ok) continue;
		if (!(s->symbols[s->nsymbols] = strdup(sym))) { lerr(L, sp, "out of memory"); return; }
		s->nsymbols++;
	}
}

/* A blueprint rule. Returns its condition group and sets *buy (1 BUY, 0 SELL). */
static struct cond *load_rule(struct loader *L, json_t *j, const char *path, int top, int *buy)
{
	static const char *const keys[] = { "name", "conditions", "operator", "action", NULL };
	char p[PATHMAX];
	json_t *conds, *op, *act, *name;
	int kind = C_ALL;
	if (!json_is_object(j)) {
		lerr(L, path, "a rule is an object with \"conditions\", \"operator\" and \"action\"");
		return NULL;
	}
	if (!top) check_keys(L, j, path, keys);
	name = json_object_get(j, "name");
	if (name && !top && !json_is_string(name)) lerr(L, join(p, sizeof p, path, "name"), "must be a string");
	op = json_object_get(j, "operator");
	if (op) {
		const char *o = json_string_value(op);
		if (o && strcasecmp(o, "AND") == 0) kind = C_ALL;
		else if (o && strcasecmp(o, "OR") == 0) kind = C_ANY;
		else lerr(L, join(p, sizeof p, path, "operator"), "must be \"AND\" or \"OR\"");
	}
	act = json_object_get(j, "action");
	*buy = -1;
	if (!act) lerr(L, path, "missing 'action' (\"BUY\" or \"SELL\")");
	else if (json_is_string(act) && strcasecmp(json_string_value(act), "BUY") == 0) *buy = 1;
	else if (json_is_string(act) && strcasecmp(json_string_value(act), "SELL") == 0) *buy = 0;
	else lerr(L, join(p, sizeof p, path, "action"), "must be \"BUY\" or \"SELL\"");
	conds = json_object_get(j, "conditions");
	if (!conds) { lerr(L, path, "missing 'conditions'"); return NULL; }
	return load_list(L, conds, join(p, sizeof p, path, "conditions"), kind);
}

/* Combines rules of one action into an "any" group; NULL when there are none. */
static struct cond *rules_any(struct loader *L, struct cond **rules, int *buy, int n, int want)
{
	struct cond **kids = calloc((size_t)n + 1, sizeof *kids);
	int k = 0;
	if (!kids) { lerr(L, "$", "out of memory"); return NULL; }
	for (int i = 0; i < n; i++)
		if (rules[i] && buy[i] == want) kids[k++] = rules[i];
	if (!k) { free(kids); return NULL; }
	return cond_group(L, "$", C_ANY, kids, k);
}

static void load_rules(struct loader *L, json_t *arr, const char *path, json_t *single)
{
	char p[PATHMAX];
	struct algo_strategy *s = L->s;
	size_t n = single ? 1 : json_array_size(arr);
	struct cond **rules;
	int *buy;
	if (!single && (!json_is_array(arr) || n == 0)) { lerr(L, path, "must be a non-empty array of rules"); return; }
	rules = calloc(n, sizeof *rules);
	buy = calloc(n, sizeof *buy);
	if (!rules || !buy) { free(rules); free(buy); lerr(L, path, "out of memory"); return; }
	for (size_t i = 0; i < n; i++)
		rules[i] = single ? load_rule(L, single, "$", 1, &buy[i])
			: load_rule(L, json_array_get(arr, i), join_idx(p, sizeof p, path, i), 0, &buy[i]);
	s->entry[0] = s->exit[1] = rules_any(L, rules, buy, (int)n, 1);
	s->exit[0] = rules_any(L, rules, buy, (int)n, 0);
	if (s->allow_short == 1) s->entry[1] = s->exit[0];
	free(rules);
	free(buy);
}

static void load_sizing(struct loader *L, json_t *j)
{
	static const char *const keys[] = { "qty", "capital_pct", "risk_pct", "stop", NULL };
	struct algo_strategy *s = L->s;
	json_t *q, *cp, *rp, *st;
	if (!json_is_object(j)) {
		lerr(L, "$.sizing", "must be {\"qty\": n}, {\"capital_pct\": p} or {\"risk_pct\": p, \"stop\": …}");
		return;
	}
	check_keys(L, j, "$.sizing", keys);
	q = json_object_get(j, "qty");
	cp = json_object_get(j, "capital_pct");
	rp = json_object_get(j, "risk_pct");
	st = json_object_get(j, "stop");
	if (!!q + !!cp + !!rp != 1) {
		lerr(L, "$.sizing", "give exactly one of 'qty', 'capital_pct' and 'risk_pct'");
		return;
	}
	if (st && !rp) { lerr(L, "$.sizing.stop", "goes only with 'risk_pct'"); return; }
	if (q) { get_posint(L, q, "$.sizing.qty", &s->qty); return; }
	{
		json_t *pv = cp ? cp : rp;
		const char *pp = cp ? "$.sizing.capital_pct" : "$.sizing.risk_pct";
		double pct = NAN;
		int r = param_number(L, pv, pp, &pct);
		if (r < 0) return;
		if (r == 0 || !(pct > 0) || !(pct <= 100)) { lerr(L, pp, "must be a number above 0 and at most 100"); return; }
		s->sizing = cp ? SIZE_CAPITAL_PCT : SIZE_RISK_PCT;
		s->size_pct = pct;
	}
	if (st && json_is_number(st)) {
		s->risk_stop.kind = STOP_POINTS;
		s->risk_stop.val = json_number_value(st);
		if (!(s->risk_stop.val > 0) || !isfinite(s->risk_stop.val)) {
			lerr(L, "$.sizing.stop", "must be a positive number");
			s->risk_stop.kind = STOP_NONE;
		}
	} else if (st) load_stop(L, st, "$.sizing.stop", &s->risk_stop, "stop");
}

/* "params" (may be NULL), then the --param overrides. */
static void load_params(struct loader *L, json_t *j)
{
	struct algo_params *pp = &L->s->params;
	char p[PATHMAX], err[512];
	const char *key;
	json_t *v;
	if (j && !json_is_object(j)) lerr(L, "$.params", "must be an object of names and numbers, e.g. {\"fast\": 9}");
	else if (j) {
		json_object_foreach(j, key, v) {
			join(p, sizeof p, "$.params", key);
			if (!json_is_number(v)) lerr(L, p, "must be a number (the parameter's default)");
			else if (algo_params_add(pp, key, json_number_value(v), err, sizeof err) < 0) lerr(L, p, "%s", err);
		}
	}
	for (int i = 0; L->ov && i < L->ov->n; i++) {
		const char *a = L->ov->assign[i], *name, *val;
		size_t nl;
		int r = algo_params_override(pp, a, err, sizeof err);
		if (r == 1 && L->ov->matched) L->ov->matched[i]++;
		if (r == 0 && !L->ov->lenient) lerr(L, "$.params", "--param %s: %s", a, err);
		if (r < 0 && algo_param_split(a, &name, &nl, &val) == 0)
			lerr(L, join(p, sizeof p, "$.params", algo_params_find(pp, name, nl)->name), "--param %s: %s", a, err);
		else if (r < 0)
			lerr(L, "$.params", "--param %s: %s", a, err);
	}
}

/* Every declared parameter must be used somewhere (a sweep over an unused one would
 * run identical variants). */
static void check_params_used(struct loader *L)
{
	char p[PATHMAX];
	for (int i = 0; i < L->s->params.n; i++)
		if (!L->s->params.p[i].used)
			lerr(L, join(p, sizeof p, "$.params", L->s->params.p[i].name),
				"declared but never used in an expression or field");
}

static void load_object(struct loader *L, json_t *root)
{
	static const char *const keys[] = { "name", "symbols", "timeframe", "qty", "sizing", "capital", "product",
		"entry", "exit", "window", "max_entries_per_day", "allow_short", "rules",
		"conditions", "operator", "action", "params", NULL };
	static const char *const entry_keys[] = { "long", "short", NULL };
	static const char *const exit_keys[] = { "long", "short", "stop_loss", "target", "trailing_stop", "at", NULL };
	static const char *const window_keys[] = { "from", "to", NULL };
	struct algo_strategy *s = L->s;
	json_t *v, *entry = json_object_get(root, "entry"), *exit = json_object_get(root, "exit"),
		*rules = json_object_get(root, "rules"), *conds = json_object_get(root, "conditions");
	int rule_form = rules || conds || json_object_get(root, "action");

	check_keys(L, root, "$", keys);
	load_params(L, json_object_get(root, "params"));
	if ((v = json_object_get(root, "name"))) {
		if (!json_is_string(v) || !valid_name(json_string_value(v)))
			lerr(L, "$.name", "must be 1 to 48 letters, digits, '_', '.' or '-'");
		else
			snprintf(s->name, sizeof s->name, "%s", json_string_value(v));
	}
	if ((v = json_object_get(root, "symbols"))) load_symbols(L, v, "$.symbols");
	if ((v = json_object_get(root, "timeframe"))) {
		int64_t secs = json_is_string(v) ? algo_tf_parse(json_string_value(v), json_string_length(v)) : -1;
		if (secs <= 0 || json_string_length(v) >= sizeof s->tf)
			lerr(L, "$.timeframe", "must be a timeframe such as \"1m\", \"5m\", \"1h\" or \"1d\"");
		else {
			s->tf_secs = secs;
			snprintf(s->tf, sizeof s->tf, "%s", json_string_value(v));
		}
	}
	if ((v = json_object_get(root, "qty"))) get_posint(L, v, "$.qty", &s->qty);
	if ((v = json_object_get(root, "capital"))) {
		if (!json_is_number(v) || !(json_number_value(v) > 0) ||
		    algo_dec_from_double(json_number_value(v), &s->capital) || s->capital <= 0)
			lerr(L, "$.capital", "must be a positive amount of rupees");
	}
	if ((v = json_object_get(root, "sizing"))) {
		if (json_object_get(root, "qty")) lerr(L, "$.sizing", "give either \"qty\" or \"sizing\", not both");
		load_sizing(L, v);
	}
	if ((v = json_object_get(root, "product"))) {
		const char *pr = json_string_value(v);
		if (!pr || (strcmp(pr, "intraday") && strcmp(pr, "delivery") && strcmp(pr, "margin")))
			lerr(L, "$.product", "must be \"intraday\", \"delivery\" or \"margin\"");
		else
			snprintf(s->product, sizeof s->product, "%s", pr);
	}
	if ((v = json_object_get(root, "allow_short"))) {
		if (!json_is_boolean(v)) lerr(L, "$.allow_short", "must be true or false");
		else s->allow_short = json_is_true(v);
	}
	if ((v = json_object_get(root, "max_entries_per_day"))) {
		int64_t m = 0;
		if (get_posint(L, v, "$.max_entries_per_day", &m) == 0) s->max_entries = (int)m;
	}
	if ((v = json_object_get(root, "window"))) {
		json_t *from = json_object_get(v, "from"), *to = json_object_get(v, "to");
		if (!json_is_object(v) || !from || !to) lerr(L, "$.window", "must be {\"from\": \"HH:MM\", \"to\": \"HH:MM\"}");
		else {
			check_keys(L, v, "$.window", window_keys);
			s->win_from = get_hhmm(L, from, "$.window.from");
			s->win_to = get_hhmm(L, to, "$.window.to");
			if (s->win_from >= 0 && s->win_to >= 0 && s->win_from >= s->win_to)
				lerr(L, "$.window", "'from' must be before 'to': the window can never open");
			else if (s->win_from >= 0 && s->win_to >= 0 &&
			    (s->win_to <= ALGO_SESSION_OPEN || s->win_from >= ALGO_SESSION_CLOSE))
				lerr(L, "$.window", "the window can never open: it is outside the session 09:15-15:30");
		}
	}
	if (exit) {
		if (!json_is_object(exit)) lerr(L, "$.exit", "must be an object");
		else {
			check_keys(L, exit, "$.exit", exit_keys);
			if ((v = json_object_get(exit, "at"))) s->exit_at = get_hhmm(L, v, "$.exit.at");
			if ((v = json_object_get(exit, "stop_loss"))) load_stop(L, v, "$.exit.stop_loss", &s->sl, "stop_loss");
			if ((v = json_object_get(exit, "target"))) load_stop(L, v, "$.exit.target", &s->tp, "target");
			if ((v = json_object_get(exit, "trailing_stop")))
				load_stop(L, v, "$.exit.trailing_stop", &s->trail, "trailing_stop");
			if (s->exit_at >= 0 && s->win_from >= 0 && s->exit_at <= s->win_from)
				lerr(L, "$.exit.at", "%02d:%02d is not after window.from %02d:%02d: the window can never open",
					s->exit_at / 60, s->exit_at % 60, s->win_from / 60, s->win_from % 60);
			else if (s->exit_at >= 0 && s->exit_at <= ALGO_SESSION_OPEN)
				lerr(L, "$.exit.at", "%02d:%02d is not after the session open 09:15: no entry could ever be made",
					s->exit_at / 60, s->exit_at % 60);
		}
	}
	if (s->sizing == SIZE_RISK_PCT && s->risk_stop.kind == STOP_NONE && s->sl.kind == STOP_NONE && !L->nerr)
		lerr(L, "$.sizing", "risk_pct needs a stop distance: \"stop\" here, or exit.stop_loss");
	if (rule_form) {
		if (entry) lerr(L, "$.entry", "use either entry/exit conditions or blueprint rules, not both");
		if (json_is_object(exit) && (json_object_get(exit, "long") || json_object_get(exit, "short")))
			lerr(L, "$.exit", "exit.long/exit.short do not go with blueprint rules (SELL exits a long, BUY a short)");
		if (rules && conds) lerr(L, "$", "give either \"rules\" or one rule's \"conditions\", not both");
		else load_rules(L, rules, "$.rules", rules ? NULL : root);
		if (L->nerr == 0 && !s->entry[0] && !s->entry[1])
			lerr(L, "$", "no rule can open a position (add a BUY rule, or \"allow_short\": true for SELL)");
		return;
	}
	if (!entry) { lerr(L, "$", "missing 'entry' (or blueprint 'rules')"); return; }
	if (!json_is_object(entry)) { lerr(L, "$.entry", "must be an object with 'long' and/or 'short'"); return; }
	check_keys(L, entry, "$.entry", entry_keys);
	if ((v = json_object_get(entry, "long"))) s->entry[0] = load_cond(L, v, "$.entry.long");
	if ((v = json_object_get(entry, "short"))) {
		if (s->allow_short == 0) lerr(L, "$.entry.short", "given while \"allow_short\" is false");
		s->entry[1] = load_cond(L, v, "$.entry.short");
	}
	if (!json_object_get(entry, "long") && !json_object_get(entry, "short"))
		lerr(L, "$.entry", "needs 'long' and/or 'short'");
	if (json_is_object(exit)) {
		if ((v = json_object_get(exit, "long"))) s->exit[0] = load_cond(L, v, "$.exit.long");
		if ((v = json_object_get(exit, "short"))) s->exit[1] = load_cond(L, v, "$.exit.short");
	}
}

/* SHA-256 of text, followed by "\n--param " and extra when extra is not empty. */
static int sha256_hex(const char *text, size_t len, const char *extra, char out[65])
{
	static const char sep[] = "\n--param ";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) && EVP_DigestUpdate(ctx, text, len) &&
		(!*extra || (EVP_DigestUpdate(ctx, sep, sizeof sep - 1) && EVP_DigestUpdate(ctx, extra, strlen(extra)))) &&
		EVP_DigestFinal_ex(ctx, md, &mdlen) && mdlen == 32;
	EVP_MD_CTX_free(ctx);
	if (!ok) return -1;
	for (unsigned i = 0; i < mdlen; i++) snprintf(out + 2 * i, 3, "%02x", md[i]);
	return 0;
}

static void default_name(struct algo_strategy *s, const char *file)
{
	const char *b = strrchr(file, '/');
	size_t n, k = 0;
	b = b ? b + 1 : file;
	n = strlen(b);
	if (n > 5 && strcmp(b + n - 5, ".json") == 0) n -= 5;
	for (size_t i = 0; i < n && k < 48; i++) {
		char c = b[i];
		s->name[k++] = name_char(c) ? c : '-';
	}
	s->name[k] = '\0';
	if (!k) snprintf(s->name, sizeof s->name, "strategy");
}

struct algo_strategy *algo_strategy_parse(const char *text, size_t len, const char *name,
	struct algo_errlist *errs)
{
	return algo_strategy_parse_with(text, len, name, NULL, errs);
}

struct algo_strategy *algo_strategy_parse_with(const char *text, size_t len, const char *name,
	const struct algo_param_overrides *ov, struct algo_errlist *errs)
{
	json_error_t jerr;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	struct loader L = { .errs = errs, .file = name, .ov = ov };
	char canon[2048];
	if (!root) {
		algo_errlist_add(errs, "%s:%d: col %d: invalid JSON: %s", name, jerr.line, jerr.column, jerr.text);
		return NULL;
	}
	if (!(L.s = strategy_new())) {
		algo_errlist_add(errs, "%s: out of memory", name);
		json_decref(root);
		return NULL;
	}
	default_name(L.s, name);
	if (json_is_array(root)) {
		load_params(&L, NULL);
		load_rules(&L, root, "$", NULL);
	} else if (json_is_object(root)) load_object(&L, root);
	else lerr(&L, "$", "a strategy is a JSON object (or an array of rules)");
	if (json_is_array(root) && L.nerr == 0 && !L.s->entry[0])
		lerr(&L, "$", "no rule can open a position (add a BUY rule)");
	if (L.nerr == 0) check_params_used(&L);
	/* The restart key: a variant (other --param values) must not resume another's state. */
	if (algo_params_canon(&L.s->params, canon, sizeof canon) >= (int)sizeof canon)
		lerr(&L, "$.params", "the parameter values are too long to key the restart state");
	else if (sha256_hex(text, len, canon, L.s->hash) < 0) lerr(&L, "$", "cannot compute the SHA-256 of the file");
	json_decref(root);
	algo_prog_finish(&L.s->prog);
	/* A listed symbol has its state from the start; others get one on their first bar. */
	for (int i = 0; i < L.s->nsymbols && !L.nerr; i++)
		if (!sym_add(L.s, L.s->symbols[i])) lerr(&L, "$", "out of memory");
	if (L.nerr) {
		algo_strategy_free(L.s);
		return NULL;
	}
	return L.s;
}

struct algo_strategy *algo_strategy_load(const char *path, struct algo_errlist *errs)
{
	return algo_strategy_load_with(path, NULL, errs);
}

struct algo_strategy *algo_strategy_load_with(const char *path, const struct algo_param_overrides *ov,
	struct algo_errlist *errs)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;
	struct algo_strategy *s;
	if (!f) {
		if (errno == ENOENT) errs->missing = 1;
		algo_errlist_add(errs, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (!(buf = malloc(FILE_MAX + 1))) {
		fclose(f);
		algo_errlist_add(errs, "%s: out of memory", path);
		return NULL;
	}
	n = fread(buf, 1, FILE_MAX + 1, f);
	if (ferror(f) || n > FILE_MAX) {
		algo_errlist_add(errs, "%s: %s", path, ferror(f) ? strerror(errno) : "file too large (over 4 MiB)");
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	s = algo_strategy_parse_with(buf, n, path, ov, errs);
	free(buf);
	return s;
}

struct algo_strategy *algo_strategy_exprs(const char *const *exprs, int n, struct algo_errlist *errs)
{
	return algo_strategy_exprs_with(exprs, n, NULL, 0, errs);
}

struct algo_strategy *algo_strategy_exprs_with(const char *const *exprs, int n, const char *const *defs,
	int ndefs, struct algo_errlist *errs)
{
	struct algo_strategy *s = strategy_new();
	int bad = 0;
	if (!s || !(s->watch = calloc((size_t)n + 1, sizeof *s->watch))) {
		algo_errlist_add(errs, "out of memory");
		algo_strategy_free(s);
		return NULL;
	}
	s->print_mode = 1;
	snprintf(s->name, sizeof s->name, "print");
	for (int i = 0; i < ndefs; i++) {
		char err[512], name[ALGO_PARAM_NAME_MAX + 2];
		const char *nm, *val;
		size_t nl;
		double v;
		if (algo_param_split(defs[i], &nm, &nl, &val) < 0 || nl > ALGO_PARAM_NAME_MAX) {
			algo_errlist_add(errs, "--param '%s': want NAME=VALUE", defs[i]);
			bad = 1;
			continue;
		}
		snprintf(name, sizeof name, "%.*s", (int)nl, nm);
		if (algo_param_number(val, &v) < 0) {
			algo_errlist_add(errs, "--param '%s': '%s' is not a number", defs[i], val);
			bad = 1;
		} else if (algo_params_add(&s->params, name, v, err, sizeof err) < 0) {
			algo_errlist_add(errs, "--param '%s': %s", defs[i], err);
			bad = 1;
		}
	}
	for (int i = 0; i < n; i++) {
		char err[512];
		struct algo_expr *e = algo_expr_parse_params(exprs[i], strlen(exprs[i]), &s->params, err, sizeof err);
		if (!e) { algo_errlist_add(errs, "--print '%s': %s", exprs[i], err); bad = 1; continue; }
		s->watch[i] = algo_prog_add(&s->prog, e);
		algo_expr_free(e);
		if (s->watch[i] < 0) { algo_errlist_add(errs, "out of memory"); bad = 1; }
	}
	s->nwatch = n;
	algo_prog_finish(&s->prog);
	if (bad) { algo_strategy_free(s); return NULL; }
	return s;
}

/* ---- running ------------------------------------------------------------------------------------ */

const char *algo_strategy_name(const struct algo_strategy *s) { return s->name; }
const char *algo_strategy_timeframe(const struct algo_strategy *s) { return s->tf; }
size_t algo_strategy_mem_len(const struct algo_strategy *s) { return s->prog.mem_len; }

double algo_strategy_expr_value(const struct algo_strategy *s, int i)
{
	if (!s->last || i < 0 || i >= s->nwatch) return NAN;
	return algo_prog_value(&s->prog, s->last->mem, s->watch[i]);
}

/* The state key of a bar: its symbol, or in print mode "symbol TAB tf" (buf). */
static const char *bar_key(const struct algo_strategy *s, const struct algo_bar *bar, char *buf, size_t len)
{
	if (!s->print_mode) return bar->symbol;
	snprintf(buf, len, "%s\t%s", bar->symbol, bar->tf);
	return buf;
}

/* Input timeframe of a bar in seconds; 0 when untimed or unreadable. */
static int64_t bar_tf_secs(const struct algo_bar *bar)
{
	int64_t t = bar->tf[0] ? algo_tf_parse(bar->tf, strlen(bar->tf)) : 0;
	return t > 0 ? t : 0;
}

/* Finds the bar's stream (*out, NULL when new) and says whether it may be taken;
 * *resample is set when it goes into a bucket of the strategy's timeframe. */
static int classify(const struct algo_strategy *s, const struct algo_bar *bar,
	struct algo_strategy_sym **out, int *resample, char *err, size_t errlen)
{
	char buf[sizeof ((struct algo_strategy_sym *)0)->key];
	const char *key = bar_key(s, bar, buf, sizeof buf);
	struct algo_strategy_sym *y = s->cache && strcmp(s->cache->key, key) == 0 ? s->cache : sym_find(s, key);
	*out = y;
	*resample = 0;
	if (!y && s->nsymbols) return ALGO_STRAT_IGNORED;
	if (!s->print_mode) {
		if (y && y->tf[0] && strcmp(y->tf, bar->tf) != 0) return ALGO_STRAT_OTHER_TF;
		if (s->tf_secs && strcmp(bar->tf, s->tf) != 0) {
			int64_t bs = bar_tf_secs(bar);
			if (bs == 0) return ALGO_STRAT_OTHER_TF;
			if (bs > s->tf_secs) {
				snprintf(err, errlen, "%s: input bars of %s are %s, larger than the strategy's timeframe %s "
					"(bars can be combined into larger ones, not split)", s->name, bar->symbol, bar->tf, s->tf);
				return ALGO_STRAT_BADTF;
			}
			if (bs < s->tf_secs) {
				if (s->tf_secs % bs || s->tf_secs > 86400) {
					snprintf(err, errlen, "%s: cannot resample %s bars of %s to %s (it must be a whole "
						"multiple of the input's, at most 1d)", s->name, bar->tf, bar->symbol, s->tf);
					return ALGO_STRAT_BADTF;
				}
				*resample = 1;
			}
		}
	}
	if (y && y->skip_ts != INT64_MIN && bar->ts <= y->skip_ts) return ALGO_STRAT_SKIPPED;
	if (y && y->last_in_ts != INT64_MIN && bar->ts <= y->last_in_ts) {
		char a[ALGO_TIME_FMT_MAX], b[ALGO_TIME_FMT_MAX];
		algo_time_fmt(bar->ts, ALGO_IST_OFFSET_MIN, a);
		algo_time_fmt(y->last_in_ts, ALGO_IST_OFFSET_MIN, b);
		snprintf(err, errlen, "field 'ts': %s is not after the previous bar of %s (%s)", a,
			bar->symbol, b);
		return ALGO_STRAT_ERROR;
	}
	return ALGO_STRAT_NONE;
}

int algo_strategy_check_bar(const struct algo_strategy *s, const struct algo_bar *bar,
	char *err, size_t errlen)
{
	struct algo_strategy_sym *y;
	int resample;
	return classify(s, bar, &y, &resample, err, errlen);
}

/* 1 true, 0 false, -1 no value (three-valued; only 1 fires). */
static int cond_eval(const struct algo_strategy *s, const double *mem, const struct cond *c)
{
	int r, k;
	switch (c->kind) {
	case C_LEAF: {
		double v = algo_prog_value(&s->prog, mem, c->node);
		return isnan(v) ? -1 : v != 0;
	}
	case C_ALL:
		r = 1;
		for (int i = 0; i < c->nkids; i++) {
			if ((k = cond_eval(s, mem, c->kids[i])) == 0) return 0;
			if (k < 0) r = -1;
		}
		return r;
	case C_ANY:
		r = 0;
		for (int i = 0; i < c->nkids; i++) {
			if ((k = cond_eval(s, mem, c->kids[i])) == 1) return 1;
			if (k < 0) r = -1;
		}
		return r;
	default:
		k = cond_eval(s, mem, c->kids[0]);
		return k < 0 ? -1 : !k;
	}
}

/* The text of what made a true condition true: for "any", the member that fired. */
static const char *cond_reason(const struct algo_strategy *s, const double *mem, const struct cond *c)
{
	if (c->kind == C_ANY)
		for (int i = 0; i < c->nkids; i++)
			if (cond_eval(s, mem, c->kids[i]) == 1) return cond_reason(s, mem, c->kids[i]);
	return c->text;
}

/* Distance of a stop from base, or NaN when the stop is unset or has no value. */
static double stop_dist(const struct algo_strategy *s, const double *mem, const struct stop *st, double base)
{
	double v;
	if (st->kind == STOP_NONE) return NAN;
	v = st->node >= 0 ? algo_prog_value(&s->prog, mem, st->node) : st->val;
	if (!(v > 0)) return NAN;
	return st->kind == STOP_PCT ? base * v / 100.0 : v;
}

static int stop_price(double ref, double dist, int dir, int64_t *out)
{
	return !isnan(dist) && algo_dec_from_double(ref + dir * dist, out) == 0 && *out > 0;
}

/* A completed bar of the strategy's timeframe. */
struct cbar {
	int64_t ts, o, h, l, c, v, oi;
};

static void fill_signal(const struct algo_strategy *s, const struct algo_strategy_sym *y, const struct cbar *b,
	struct algo_signal *sig, int action, int side, int64_t qty, const char *reason)
{
	memset(sig, 0, offsetof(struct algo_signal, reason));
	sig->ts = b->ts;
	sig->strategy = s->name;
	sig->product = s->product[0] ? s->product : NULL;
	snprintf(sig->symbol, sizeof sig->symbol, "%.63s", y->key);
	sig->action = action;
	sig->side = side;
	sig->qty = qty;
	sig->ref = b->c;
	snprintf(sig->reason, sizeof sig->reason, "%s", reason);
}

/* Quantity of an entry at close (0 = too small to buy one share). */
static int64_t entry_qty(struct algo_strategy *s, const struct algo_strategy_sym *y, const struct cbar *b,
	double close)
{
	double per, q;
	if (s->sizing == SIZE_QTY) return s->qty;
	if (s->sizing == SIZE_CAPITAL_PCT) per = close;
	else per = stop_dist(s, y->mem, s->risk_stop.kind != STOP_NONE ? &s->risk_stop : &s->sl, close);
	q = isnan(per) || !(per > 0) ? 0 : floor(algo_dec_to_double(s->capital) * s->size_pct / 100.0 / per * (1 + 1e-12));
	if (q >= 1) return q > 1e12 ? (int64_t)1e12 : (int64_t)q;
	if (!s->noted_zero) {
		char t[ALGO_TIME_FMT_MAX], cap[32];
		algo_time_fmt(b->ts, ALGO_IST_OFFSET_MIN, t);
		algo_dec_fmt(s->capital, cap);
		snprintf(s->note, sizeof s->note, "%s: %s: entry at %s skipped: %s sizes it to 0 shares "
			"(capital %s, %s); further such entries are skipped silently", s->name, y->key, t,
			s->sizing == SIZE_CAPITAL_PCT ? "capital_pct" : "risk_pct", cap,
			isnan(per) ? "the stop distance has no value yet" : "too little for one share");
		s->note_new = s->noted_zero = 1;
	}
	return 0;
}

/* Folds a completed bar into y's indicators and runs the rules. */
static void eval_bar(struct algo_strategy *s, struct algo_strategy_sym *y, const struct cbar *b,
	algo_signal_fn emit, void *arg, int *nsig)
{
	struct algo_ind_in in;
	struct algo_signal sig;
	double vars[ALGO_V_COUNT], close;
	int minute = algo_time_ist_minute(b->ts);
	int64_t day = algo_time_ist_day(b->ts);

	y->nbars++;
	y->last_ts = b->ts;
	if (day != y->day) { y->day = day; y->entries_today = 0; }
	/* Execution closes a position at its attached stop or target within a bar after
	 * the entry (the entry fills at the next bar's open); follow it. */
	if (y->pos != ALGO_POS_FLAT && b->ts > y->entry_ts) {
		int hit = y->pos == ALGO_POS_LONG
			? (y->has_sl && b->l <= y->sl) || (y->has_tp && b->h >= y->tp)
			: (y->has_sl && b->h >= y->sl) || (y->has_tp && b->l <= y->tp);
		if (hit) { y->pos = ALGO_POS_FLAT; y->qty = 0; }
	}
	vars[ALGO_V_POSITION] = (double)y->pos * (double)y->qty;
	vars[ALGO_V_ENTRY_PRICE] = y->pos ? algo_dec_to_double(y->entry_price) : NAN;
	vars[ALGO_V_BARS_SINCE_ENTRY] = y->pos ? (double)(y->nbars - y->entry_nbars) : NAN;
	vars[ALGO_V_ENTRIES_TODAY] = y->entries_today;
	in.o = algo_dec_to_double(b->o);
	in.h = algo_dec_to_double(b->h);
	in.l = algo_dec_to_double(b->l);
	in.c = close = algo_dec_to_double(b->c);
	in.v = (double)b->v;
	in.oi = b->oi < 0 ? NAN : (double)b->oi;
	in.src = NAN;
	in.ts = b->ts;
	algo_prog_step_vars(&s->prog, y->mem, &in, vars);
	s->last = y;
	if (s->print_mode) return;
	if (s->nevaluated++ == 0) {
		s->first_minute = minute;
		snprintf(s->first_tf, sizeof s->first_tf, "%s", y->tf);
	}
	if (s->win_from >= 0 && minute >= s->win_from && minute < s->win_to) s->nwindow++;

	if (y->pos == ALGO_POS_FLAT) {
		int dir = 0;
		int64_t qty;
		const struct cond *c = NULL;
		if (s->win_from >= 0 && (minute < s->win_from || minute >= s->win_to)) return;
		if (s->exit_at >= 0 && minute >= s->exit_at) return;
		if (s->max_entries && y->entries_today >= s->max_entries) return;
		if (s->entry[0] && cond_eval(s, y->mem, s->entry[0]) == 1) { dir = 1; c = s->entry[0]; }
		else if (s->entry[1] && cond_eval(s, y->mem, s->entry[1]) == 1) { dir = -1; c = s->entry[1]; }
		if (!dir || (qty = entry_qty(s, y, b, close)) <= 0) return;
		fill_signal(s, y, b, &sig, ALGO_SIG_ENTRY, dir, qty, cond_reason(s, y->mem, c));
		sig.has_sl = stop_price(close, stop_dist(s, y->mem, &s->sl, close), -dir, &sig.sl);
		sig.has_tp = stop_price(close, stop_dist(s, y->mem, &s->tp, close), dir, &sig.tp);
		y->pos = dir;
		y->qty = qty;
		y->entry_ts = b->ts;
		y->entry_day = day;
		y->entry_price = b->c;
		y->entry_nbars = y->nbars;
		y->has_sl = sig.has_sl;
		y->has_tp = sig.has_tp;
		y->sl = sig.sl;
		y->tp = sig.tp;
		y->extreme = close;
		y->entries_today++;
		if (emit) emit(arg, &sig);
		++*nsig;
		return;
	}

	{
		int dir = y->pos;
		const struct cond *c = s->exit[dir == ALGO_POS_LONG ? 0 : 1];
		const char *reason = NULL;
		char at[32];
		if (c && cond_eval(s, y->mem, c) == 1) reason = cond_reason(s, y->mem, c);
		if (s->trail.kind != STOP_NONE && b->ts > y->entry_ts) {
			double ext = dir == ALGO_POS_LONG ? algo_dec_to_double(b->h) : algo_dec_to_double(b->l);
			if (dir * (ext - y->extreme) > 0) y->extreme = ext;
			double dist = stop_dist(s, y->mem, &s->trail, y->extreme);
			if (!reason && !isnan(dist) && dir * (close - (y->extreme - dir * dist)) <= 0)
				reason = s->trail.text;
		}
		if (!reason && s->exit_at >= 0 && (day > y->entry_day || minute >= s->exit_at)) {
			snprintf(at, sizeof at, "exit.at %02d:%02d", s->exit_at / 60, s->exit_at % 60);
			reason = at;
		}
		if (!reason) return;
		fill_signal(s, y, b, &sig, ALGO_SIG_EXIT, -dir, y->qty, reason);
		y->pos = ALGO_POS_FLAT;
		y->qty = 0;
		if (emit) emit(arg, &sig);
		++*nsig;
	}
}

/* ---- resampling ------------------------------------------------------------------------------ */

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* The bucket of tf_secs holding ts: aligned to the 09:15 IST session open; the last
 * bucket of the session ends at 15:30; a 1d bucket is the IST day. */
static void bucket_of(int64_t ts, int64_t tf_secs, int64_t *start, int64_t *end)
{
	int64_t mid = algo_time_ist_day(ts) * ALGO_MS_PER_DAY - ALGO_IST_OFFSET_MIN * 60000LL;
	int64_t open = mid + ALGO_SESSION_OPEN * 60000LL, close = mid + ALGO_SESSION_CLOSE * 60000LL;
	int64_t len = tf_secs * 1000;
	if (tf_secs >= 86400) { *start = open; *end = mid + ALGO_MS_PER_DAY; return; }
	*start = open + floor_div(ts - open, len) * len;
	*end = *start + len;
	if (*start < close && *end > close) *end = close;
}

static void bucket_complete(struct algo_strategy *s, struct algo_strategy_sym *y, algo_signal_fn emit,
	void *arg, int *nsig)
{
	struct cbar b = { y->bkt_ts, y->bo, y->bh, y->bl, y->bc, y->bv, y->boi };
	y->has_bkt = 0;
	if (y->nbars && b.ts <= y->last_ts) return;     /* input bars not aligned to the buckets */
	eval_bar(s, y, &b, emit, arg, nsig);
}

static int cmp_sym(const void *a, const void *b)
{
	return strcmp((*(struct algo_strategy_sym *const *)a)->key, (*(struct algo_strategy_sym *const *)b)->key);
}

/* The first bar of a new day completes every symbol's bucket of an earlier day. */
static int flush_days(struct algo_strategy *s, int64_t day, algo_signal_fn emit, void *arg, int *nsig)
{
	struct algo_strategy_sym **v;
	size_t n = 0;
	for (size_t i = 0; i < s->nsyms; i++)
		n += s->syms[i]->has_bkt && algo_time_ist_day(s->syms[i]->bkt_ts) < day;
	if (!n) return 0;
	if (!(v = malloc(n * sizeof *v))) return -1;
	n = 0;
	for (size_t i = 0; i < s->nsyms; i++)
		if (s->syms[i]->has_bkt && algo_time_ist_day(s->syms[i]->bkt_ts) < day) v[n++] = s->syms[i];
	qsort(v, n, sizeof *v, cmp_sym);
	for (size_t i = 0; i < n; i++) bucket_complete(s, v[i], emit, arg, nsig);
	free(v);
	return 0;
}

int algo_strategy_on_bar(struct algo_strategy *s, const struct algo_bar *bar,
	algo_signal_fn emit, void *arg, char *err, size_t errlen)
{
	char key[sizeof ((struct algo_strategy_sym *)0)->key];
	struct algo_strategy_sym *y;
	int resample, nsig = 0;
	int rc = classify(s, bar, &y, &resample, err, errlen);
	int64_t day = algo_time_ist_day(bar->ts);
	if (rc == ALGO_STRAT_SKIPPED) s->skipped++;
	if (rc != ALGO_STRAT_NONE) return rc;
	if (!y && !(y = sym_add(s, bar_key(s, bar, key, sizeof key)))) {
		snprintf(err, errlen, "out of memory");
		return ALGO_STRAT_ERROR;
	}
	if (!y->tf[0]) snprintf(y->tf, sizeof y->tf, "%s", bar->tf);
	y->last_in_ts = bar->ts;
	s->cache = y;
	if (!s->print_mode && s->tf_secs && s->day >= 0 && day > s->day &&
	    flush_days(s, day, emit, arg, &nsig) < 0) {
		snprintf(err, errlen, "out of memory");
		return ALGO_STRAT_ERROR;
	}
	if (day > s->day) s->day = day;
	if (!resample) {
		struct cbar b = { bar->ts, bar->o, bar->h, bar->l, bar->c, bar->v, bar->oi };
		eval_bar(s, y, &b, emit, arg, &nsig);
	} else {
		int64_t start, end;
		bucket_of(bar->ts, s->tf_secs, &start, &end);
		if (y->has_bkt && y->bkt_ts != start) bucket_complete(s, y, emit, arg, &nsig);
		if (!y->has_bkt) {
			y->has_bkt = 1;
			y->bkt_ts = start;
			y->bkt_end = end;
			y->bo = bar->o;
			y->bh = bar->h;
			y->bl = bar->l;
			y->bv = 0;
			y->boi = -1;
		}
		if (bar->h > y->bh) y->bh = bar->h;
		if (bar->l < y->bl) y->bl = bar->l;
		y->bc = bar->c;
		y->bv += bar->v;
		if (bar->oi >= 0) y->boi = bar->oi;
		if (bar->ts + bar_tf_secs(bar) * 1000 >= y->bkt_end) bucket_complete(s, y, emit, arg, &nsig);
	}
	return nsig ? ALGO_STRAT_SIGNAL : ALGO_STRAT_NONE;
}

const char *algo_strategy_take_note(struct algo_strategy *s)
{
	if (!s->note_new) return NULL;
	s->note_new = 0;
	return s->note;
}

int64_t algo_strategy_skipped(const struct algo_strategy *s) { return s->skipped; }

int algo_strategy_missing(const struct algo_strategy *s, char *out, size_t outlen)
{
	int n = 0;
	size_t k = 0;
	if (outlen) out[0] = '\0';
	for (int i = 0; i < s->nsymbols; i++) {
		const struct algo_strategy_sym *y = sym_find(s, s->symbols[i]);
		if (y && y->tf[0]) continue;
		if (k < outlen)
			k += (size_t)snprintf(out + k, outlen - k, "%s%s", n ? ", " : "", s->symbols[i]);
		n++;
	}
	return n;
}

int algo_strategy_window_never(const struct algo_strategy *s, char *out, size_t outlen)
{
	const char *tf = s->tf[0] ? s->tf : s->first_tf;
	char daily[96] = "";
	if (s->win_from < 0 || s->nevaluated == 0 || s->nwindow > 0)
		return 0;
	if (algo_tf_parse(tf, strlen(tf)) >= 86400)
		snprintf(daily, sizeof daily, " (a %s bar's time is %02d:%02d; an intraday window needs intraday bars)",
			tf, s->first_minute / 60, s->first_minute % 60);
	snprintf(out, outlen, "none of its %lld bar%s of %s falls in its window %02d:%02d-%02d:%02d, so it "
		"can never enter%s", (long long)s->nevaluated, s->nevaluated == 1 ? "" : "s", tf[0] ? tf : "untimed",
		s->win_from / 60, s->win_from % 60, s->win_to / 60, s->win_to % 60, daily);
	return 1;
}

int algo_strategy_set_capital(struct algo_strategy *s, int64_t capital)
{
	s->capital = capital;
	return 0;
}

int algo_strategy_needs_capital(const struct algo_strategy *s)
{
	return s->sizing != SIZE_QTY && s->capital <= 0;
}

const char *algo_strategy_hash(const struct algo_strategy *s) { return s->hash; }

const struct algo_params *algo_strategy_params(const struct algo_strategy *s) { return &s->params; }

/* ---- restart state ------------------------------------------------------------------------------ */

#define SNAP_VERSION 1
#define SNAP_NINT 26

struct snap_head {
	int64_t v[SNAP_NINT];
	char tf[8];
	double extreme;
};

static void *snap_pack(const struct algo_strategy *s, const struct algo_strategy_sym *y, size_t *len)
{
	struct snap_head h;
	size_t ml = s->prog.mem_len;
	unsigned char *buf;
	int k = 0;
	memset(&h, 0, sizeof h);
	h.v[k++] = SNAP_VERSION; h.v[k++] = (int64_t)ml; h.v[k++] = y->nbars; h.v[k++] = y->last_ts;
	h.v[k++] = y->last_in_ts; h.v[k++] = y->pos; h.v[k++] = y->qty; h.v[k++] = y->entry_ts;
	h.v[k++] = y->entry_day; h.v[k++] = y->entry_price; h.v[k++] = y->entry_nbars; h.v[k++] = y->has_sl;
	h.v[k++] = y->has_tp; h.v[k++] = y->sl; h.v[k++] = y->tp; h.v[k++] = y->day;
	h.v[k++] = y->entries_today; h.v[k++] = y->has_bkt; h.v[k++] = y->bkt_ts; h.v[k++] = y->bkt_end;
	h.v[k++] = y->bo; h.v[k++] = y->bh; h.v[k++] = y->bl; h.v[k++] = y->bc; h.v[k++] = y->bv; h.v[k++] = y->boi;
	memcpy(h.tf, y->tf, sizeof h.tf);
	h.extreme = y->extreme;
	*len = sizeof h + ml * sizeof(double);
	if (!(buf = malloc(*len))) return NULL;
	memcpy(buf, &h, sizeof h);
	if (ml) memcpy(buf + sizeof h, y->mem, ml * sizeof(double));
	return buf;
}

/* Returns 0, or -1 when the blob does not fit this build's layout. */
static int snap_unpack(const struct algo_strategy *s, struct algo_strategy_sym *y, const void *blob, size_t len)
{
	struct snap_head h;
	size_t ml = s->prog.mem_len;
	int k = 2;
	if (len != sizeof h + ml * sizeof(double)) return -1;
	memcpy(&h, blob, sizeof h);
	if (h.v[0] != SNAP_VERSION || h.v[1] != (int64_t)ml) return -1;
	y->nbars = h.v[k++]; y->last_ts = h.v[k++]; y->last_in_ts = h.v[k++]; y->pos = (int)h.v[k++];
	y->qty = h.v[k++]; y->entry_ts = h.v[k++]; y->entry_day = h.v[k++]; y->entry_price = h.v[k++];
	y->entry_nbars = h.v[k++]; y->has_sl = (int)h.v[k++]; y->has_tp = (int)h.v[k++]; y->sl = h.v[k++];
	y->tp = h.v[k++]; y->day = h.v[k++]; y->entries_today = (int)h.v[k++]; y->has_bkt = (int)h.v[k++];
	y->bkt_ts = h.v[k++]; y->bkt_end = h.v[k++]; y->bo = h.v[k++]; y->bh = h.v[k++]; y->bl = h.v[k++];
	y->bc = h.v[k++]; y->bv = h.v[k++]; y->boi = h.v[k++];
	memcpy(y->tf, h.tf, sizeof y->tf);
	y->tf[sizeof y->tf - 1] = '\0';
	y->extreme = h.extreme;
	if (ml) memcpy(y->mem, (const unsigned char *)blob + sizeof h, ml * sizeof(double));
	y->skip_ts = y->last_in_ts;
	return 0;
}

static int st_fail(struct algo_store *st, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s: eval_state: %s", st->path, sqlite3_errmsg(st->db));
	return -1;
}

int algo_strategy_state_load(struct algo_strategy *s, struct algo_store *st, const char *user,
	char *err, size_t errlen)
{
	sqlite3_stmt *q = algo_store_prepare(st, "SELECT symbol, hash, state FROM eval_state "
		"WHERE user = ?2 AND strategy = ?1 ORDER BY symbol", err, errlen);
	int rc, n = 0, stale = 0, damaged = 0;
	if (!q) return -1;
	sqlite3_bind_text(q, 1, s->name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 2, user, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *sym = (const char *)sqlite3_column_text(q, 0), *hash = (const char *)sqlite3_column_text(q, 1);
		if (!sym || !hash || strcmp(hash, s->hash) != 0) { stale = 1; continue; }
		if (s->nsymbols && !sym_find(s, sym)) continue;          /* no longer listed */
		struct algo_strategy_sym *y = sym_find(s, sym);
		if (!y && !(y = sym_add(s, sym))) { sqlite3_finalize(q); snprintf(err, errlen, "out of memory"); return -1; }
		if (snap_unpack(s, y, sqlite3_column_blob(q, 2), (size_t)sqlite3_column_bytes(q, 2)) < 0) {
			stale = damaged = 1;
			algo_prog_reset(&s->prog, y->mem);
			continue;
		}
		if (algo_time_ist_day(y->last_in_ts) > s->day) s->day = algo_time_ist_day(y->last_in_ts);
		n++;
	}
	if (rc != SQLITE_DONE) { sqlite3_finalize(q); return st_fail(st, err, errlen); }
	sqlite3_finalize(q);
	if (!stale) return n;
	/* Changed strategy (or a build with another state layout): start every symbol fresh. */
	for (size_t i = 0; i < s->nsyms; i++) {
		struct algo_strategy_sym *y = s->syms[i];
		char keep[sizeof y->key];
		double *mem = y->mem;
		memcpy(keep, y->key, sizeof keep);
		memset(y, 0, sizeof *y);
		memcpy(y->key, keep, sizeof keep);
		y->mem = mem;
		y->day = -1;
		y->last_in_ts = y->skip_ts = INT64_MIN;
		algo_prog_reset(&s->prog, y->mem);
	}
	s->day = -1;
	if (!(q = algo_store_prepare(st, "DELETE FROM eval_state WHERE user = ?2 AND strategy = ?1", err,
		errlen))) return -1;
	sqlite3_bind_text(q, 1, s->name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 2, user, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) return st_fail(st, err, errlen);
	return damaged ? -3 : -2;
}

int algo_strategy_state_save(struct algo_strategy *s, struct algo_store *st, const char *user,
	char *err, size_t errlen)
{
	sqlite3_stmt *q;
	if (algo_store_begin(st, err, errlen) < 0) return -1;
	q = algo_store_prepare(st, "INSERT OR REPLACE INTO eval_state (strategy, symbol, hash, state, last_ts_ms, "
		"user) VALUES (?1, ?2, ?3, ?4, ?5, ?6)", err, errlen);
	if (!q) goto fail;
	for (size_t i = 0; i < s->nsyms; i++) {
		struct algo_strategy_sym *y = s->syms[i];
		size_t len;
		void *blob;
		int rc;
		if (y->last_in_ts == INT64_MIN) continue;
		if (!(blob = snap_pack(s, y, &len))) { snprintf(err, errlen, "out of memory"); goto fail; }
		sqlite3_reset(q);
		sqlite3_bind_text(q, 1, s->name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(q, 2, y->key, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(q, 3, s->hash, -1, SQLITE_TRANSIENT);
		sqlite3_bind_blob(q, 4, blob, (int)len, free);
		sqlite3_bind_int64(q, 5, y->last_in_ts);
		sqlite3_bind_text(q, 6, user, -1, SQLITE_TRANSIENT);
		if ((rc = sqlite3_step(q)) != SQLITE_DONE) { st_fail(st, err, errlen); goto fail; }
	}
	sqlite3_finalize(q);
	return algo_store_commit(st, err, errlen);
fail:
	if (q) sqlite3_finalize(q);
	algo_store_rollback(st);
	return -1;
}

void algo_signal_write(struct algo_writer *w, const struct algo_signal *sig)
{
	algo_out_begin(w);
	algo_out_str(w, "type", "signal");
	algo_out_time(w, "ts", sig->ts);
	algo_out_str(w, "strategy", sig->strategy);
	algo_out_str(w, "symbol", sig->symbol);
	algo_out_str(w, "action", sig->action == ALGO_SIG_ENTRY ? "entry" : "exit");
	algo_out_str(w, "side", sig->side == ALGO_SIDE_BUY ? "buy" : "sell");
	algo_out_int(w, "qty", sig->qty);
	algo_out_dec(w, "ref", sig->ref);
	algo_out_str(w, "reason", sig->reason);
	if (sig->has_sl) algo_out_dec(w, "sl", sig->sl);
	if (sig->has_tp) algo_out_dec(w, "tp", sig->tp);
	if (sig->product) algo_out_str(w, "product", sig->product);
	algo_out_end(w);
}
