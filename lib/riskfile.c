/* riskfile — the risk file and its limits. See riskfile.h for the contract. */
#include "riskfile.h"
#include "decimal.h"
#include "timeutil.h"
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIMIT_MAX ALGO_RISK_LIMIT_MAX

static const char *const limit_keys[] = {
	"max_trades_per_day", "max_position_qty", "max_open_positions", "max_position_value",
	"max_order_value", "max_orders_per_second", "multiplier", "symbols", "window",
	"max_daily_loss", "max_daily_profit"
};
#define NLIMIT_KEYS (sizeof limit_keys / sizeof limit_keys[0])
static const char *const top_keys[] = { "limits", "users", "strategies", "on_kill",
	"reset_kill_daily", "$schema" };
#define NTOP_KEYS (sizeof top_keys / sizeof top_keys[0])

static void rules_init(struct algo_risk_rules *r)
{
	memset(r, 0, sizeof *r);
	r->lim.max_trades_per_day = ALGO_RISK_NOLIMIT;
	r->lim.max_position_qty = ALGO_RISK_NOLIMIT;
	r->max_open_positions = r->max_position_value = r->max_order_value = ALGO_RISK_NOLIMIT;
	r->max_daily_loss = r->max_daily_profit = ALGO_RISK_NOLIMIT;
	r->max_orders_per_second = ALGO_RISK_OPS_DEFAULT;
	r->multiplier = 1;
	r->win_from = r->win_to = -1;
}

static void rules_free(struct algo_risk_rules *r)
{
	for (size_t i = 0; i < r->nsymbols; i++)
		free(r->symbols[i]);
	free(r->symbols);
	rules_init(r);
}

static void layers_free(struct algo_risk_layer *l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		rules_free(&l[i].r);
	free(l);
}

void algo_risk_config_init(struct algo_risk_config *c)
{
	memset(c, 0, sizeof *c);
	rules_init(&c->global);
	c->defaults = c->global.lim;
}

void algo_risk_config_free(struct algo_risk_config *c)
{
	rules_free(&c->global);
	layers_free(c->users, c->nusers);
	layers_free(c->strategies, c->nstrategies);
	algo_risk_config_init(c);
}

/* Appends one member name to a JSON path: .name for identifiers, else ["name"]. */
static void path_add(char *path, size_t len, const char *key)
{
	size_t n = strlen(path);
	int ident = (key[0] >= 'A' && key[0] <= 'Z') || (key[0] >= 'a' && key[0] <= 'z') || key[0] == '_';
	for (const char *p = key; *p && ident; p++)
		ident = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_';
	if (ident) {
		snprintf(path + n, len - n, ".%s", key);
		return;
	}
	if (n + 2 < len) {
		path[n++] = '[';
		path[n++] = '"';
	}
	for (const char *p = key; *p && n + 3 < len; p++) {
		unsigned char ch = (unsigned char)*p;
		if (ch < 0x20) continue;                       /* never echo control bytes */
		if (ch == '"' || ch == '\\') path[n++] = '\\';
		path[n++] = (char)ch;
	}
	snprintf(path + n, len - n, "\"]");
}

/* Edit distance capped at small strings, for "did you mean" hints. */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[40];
	if (la >= 40 || lb >= 40)
		return (size_t)-1;
	for (size_t j = 0; j <= lb; j++) row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best) best = up + 1;
			if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
		}
	}
	return row[lb];
}

static void unknown_key(const char *file, const char *path, const char *key, int top,
	char *err, size_t errlen)
{
	const char *best = NULL;
	size_t bestd = 4;
	for (size_t i = 0; i < NLIMIT_KEYS + (top ? NTOP_KEYS - 1 : 0); i++) {
		const char *k = i < NLIMIT_KEYS ? limit_keys[i] : top_keys[i - NLIMIT_KEYS];
		size_t d = edit_distance(key, k);
		if (strlen(key) >= 3 && strncmp(key, k, strlen(key)) == 0)
			d = 1;                                 /* a prefix: "max_trades" */
		if (d < bestd) { bestd = d; best = k; }
	}
	if (best)
		snprintf(err, errlen, "%s: %s: unknown key (did you mean '%s'?)", file, path, best);
	else
		snprintf(err, errlen, "%s: %s: unknown key", file, path);
}

/* A money limit: a JSON number >= 0 with at most 4 decimals, into a decimal. */
static int get_money(json_t *val, int64_t *out)
{
	if (json_is_integer(val)) {
		json_int_t i = json_integer_value(val);
		if (i < 0 || i > LIMIT_MAX) return -1;
		*out = (int64_t)i * ALGO_DEC_SCALE;
		return 0;
	}
	if (json_is_real(val)) {
		char buf[64];
		double d = json_real_value(val);
		if (!(d >= 0) || d > (double)LIMIT_MAX) return -1;
		snprintf(buf, sizeof buf, "%.10g", d);
		return algo_dec_parse(buf, strlen(buf), out) ? -1 : 0;
	}
	return -1;
}

static int load_window(json_t *val, const char *file, const char *path,
	struct algo_risk_rules *r, char *err, size_t errlen)
{
	const char *k;
	json_t *v;
	int from = -1, to = -1;
	if (!json_is_object(val)) {
		snprintf(err, errlen, "%s: %s: must be an object {\"from\":\"HH:MM\",\"to\":\"HH:MM\"}", file, path);
		return -1;
	}
	json_object_foreach(val, k, v) {
		char p[300];
		int m;
		snprintf(p, sizeof p, "%s", path);
		path_add(p, sizeof p, k);
		if (strcmp(k, "from") && strcmp(k, "to")) {
			snprintf(err, errlen, "%s: %s: unknown key (expected 'from' or 'to')", file, p);
			return -1;
		}
		if (!json_is_string(v) ||
		    (m = algo_time_parse_hhmm(json_string_value(v), json_string_length(v))) < 0) {
			snprintf(err, errlen, "%s: %s: must be a time \"HH:MM\" (IST)", file, p);
			return -1;
		}
		if (k[0] == 'f') from = m; else to = m;
	}
	if (from < 0 || to < 0 || from >= to) {
		snprintf(err, errlen, "%s: %s: needs \"from\" before \"to\"", file, path);
		return -1;
	}
	r->win_from = from;
	r->win_to = to;
	return 0;
}

static int load_symbols(json_t *val, const char *file, const char *path,
	struct algo_risk_rules *r, char *err, size_t errlen)
{
	size_t i;
	json_t *v;
	if (!json_is_array(val)) {
		snprintf(err, errlen, "%s: %s: must be an array of symbols", file, path);
		return -1;
	}
	for (i = 0; i < r->nsymbols; i++) free(r->symbols[i]);
	free(r->symbols);
	r->nsymbols = 0;
	r->symbols = calloc(json_array_size(val) + 1, sizeof *r->symbols);
	if (!r->symbols) {
		snprintf(err, errlen, "%s: out of memory", file);
		return -1;
	}
	json_array_foreach(val, i, v) {
		if (!json_is_string(v) || !json_string_length(v) ||
		    json_string_length(v) >= ALGO_NAME_MAX) {
			snprintf(err, errlen, "%s: %s[%zu]: must be a symbol of 1 to %d bytes", file,
				path, i, ALGO_NAME_MAX - 1);
			return -1;
		}
		if (!(r->symbols[r->nsymbols] = strdup(json_string_value(v)))) {
			snprintf(err, errlen, "%s: out of memory", file);
			return -1;
		}
		r->nsymbols++;
	}
	return 0;
}

/* Reads the limit keys of obj into r; other keys are errors except, at the top
 * (top 1), the top-level keys. */
static int load_limits(json_t *obj, const char *file, const char *base, int top,
	struct algo_risk_rules *r, char *err, size_t errlen)
{
	const char *key;
	json_t *val;
	char path[300];

	json_object_foreach(obj, key, val) {
		size_t i;
		int64_t n = 0;
		snprintf(path, sizeof path, "%s", base);
		path_add(path, sizeof path, key);
		if (top) {
			for (i = 0; i < NTOP_KEYS; i++)
				if (strcmp(key, top_keys[i]) == 0)
					break;
			if (i < NTOP_KEYS)
				continue;
		}
		for (i = 0; i < NLIMIT_KEYS; i++)
			if (strcmp(key, limit_keys[i]) == 0)
				break;
		if (i == NLIMIT_KEYS) {
			unknown_key(file, path, key, top, err, errlen);
			return -1;
		}
		r->set |= 1u << i;
		if (i == 7) {
			if (load_symbols(val, file, path, r, err, errlen)) return -1;
			continue;
		}
		if (i == 8) {
			if (load_window(val, file, path, r, err, errlen)) return -1;
			continue;
		}
		if (i == 3 || i == 4 || i == 9 || i == 10) {
			if (get_money(val, &n)) {
				snprintf(err, errlen, "%s: %s: must be an amount in rupees from 0 to %lld "
					"with at most 4 decimals", file, path, LIMIT_MAX);
				return -1;
			}
		} else {
			int64_t lo = i == 6 || i == 5 ? 1 : 0, hi = i == 5 ? ALGO_RISK_OPS_MAX : i == 6 ? 1000 : LIMIT_MAX;
			if (!json_is_integer(val) || json_integer_value(val) < lo ||
			    json_integer_value(val) > hi) {
				snprintf(err, errlen, "%s: %s: must be a whole number from %lld to %lld",
					file, path, (long long)lo, (long long)hi);
				return -1;
			}
			n = (int64_t)json_integer_value(val);
		}
		switch (i) {
		case 0: r->lim.max_trades_per_day = n; break;
		case 1: r->lim.max_position_qty = n; break;
		case 2: r->max_open_positions = n; break;
		case 3: r->max_position_value = n; break;
		case 4: r->max_order_value = n; break;
		case 5: r->max_orders_per_second = n; break;
		case 6: r->multiplier = n; break;
		case 9: r->max_daily_loss = n; break;
		default: r->max_daily_profit = n; break;
		}
	}
	return 0;
}

/* Loads the object at key ("users" or "strategies") of root into layers. */
static int load_layers(json_t *root, const char *what, const char *file,
	struct algo_risk_layer **out, size_t *nout, char *err, size_t errlen)
{
	json_t *obj = json_object_get(root, what), *val;
	const char *name;
	char path[300];

	if (!obj)
		return 0;
	if (!json_is_object(obj)) {
		snprintf(err, errlen, "%s: $.%s: must be an object", file, what);
		return -1;
	}
	if (json_object_size(obj) > 0) {
		*out = calloc(json_object_size(obj), sizeof **out);
		if (!*out) {
			snprintf(err, errlen, "%s: out of memory", file);
			return -1;
		}
	}
	json_object_foreach(obj, name, val) {
		struct algo_risk_layer *l = &(*out)[*nout];
		snprintf(path, sizeof path, "$.%s", what);
		path_add(path, sizeof path, name);
		if (!name[0] || strlen(name) >= sizeof l->name) {
			snprintf(err, errlen, "%s: %s: %s name must be 1 to %zu bytes", file, path,
				what[0] == 'u' ? "user" : "strategy", sizeof l->name - 1);
			return -1;
		}
		if (!json_is_object(val)) {
			snprintf(err, errlen, "%s: %s: must be an object", file, path);
			return -1;
		}
		memcpy(l->name, name, strlen(name) + 1);
		rules_init(&l->r);
		(*nout)++;
		if (load_limits(val, file, path, 0, &l->r, err, errlen))
			return -1;
	}
	return 0;
}

static int load_root(struct algo_risk_config *c, json_t *root, const char *file,
	char *err, size_t errlen)
{
	json_t *v;

	if (!json_is_object(root)) {
		snprintf(err, errlen, "%s: $: must be an object", file);
		return -1;
	}
	v = json_object_get(root, "$schema");
	if (v && !json_is_string(v)) {
		snprintf(err, errlen, "%s: $[\"$schema\"]: must be a string", file);
		return -1;
	}
	if (load_limits(root, file, "$", 1, &c->global, err, errlen))
		return -1;
	v = json_object_get(root, "limits");
	if (v && !json_is_object(v)) {
		snprintf(err, errlen, "%s: $.limits: must be an object", file);
		return -1;
	}
	if (v && load_limits(v, file, "$.limits", 0, &c->global, err, errlen))
		return -1;
	v = json_object_get(root, "on_kill");
	if (v) {
		if (!json_is_string(v) || (strcmp(json_string_value(v), "square_off") &&
		    strcmp(json_string_value(v), "none"))) {
			snprintf(err, errlen, "%s: $.on_kill: must be \"square_off\" or \"none\"", file);
			return -1;
		}
		c->square_off_on_kill = strcmp(json_string_value(v), "square_off") == 0;
	}
	v = json_object_get(root, "reset_kill_daily");
	if (v) {
		if (!json_is_boolean(v)) {
			snprintf(err, errlen, "%s: $.reset_kill_daily: must be true or false", file);
			return -1;
		}
		c->reset_kill_daily = json_is_true(v);
	}
	if (load_layers(root, "users", file, &c->users, &c->nusers, err, errlen) ||
	    load_layers(root, "strategies", file, &c->strategies, &c->nstrategies, err, errlen))
		return -1;
	c->defaults = c->global.lim;
	{
		unsigned any = c->global.set;
		for (size_t i = 0; i < c->nusers; i++) any |= c->users[i].r.set;
		for (size_t i = 0; i < c->nstrategies; i++) any |= c->strategies[i].r.set;
		c->pnl_key = any & ALGO_RK_LOSS ? "max_daily_loss" : any & ALGO_RK_PROFIT ?
			"max_daily_profit" : NULL;
	}
	return 0;
}

int algo_risk_config_load(struct algo_risk_config *c, const char *path, char *err, size_t errlen)
{
	json_error_t je;
	json_t *root;
	FILE *f;
	int rc;

	algo_risk_config_init(c);
	f = fopen(path, "r");
	if (!f) {
		int e = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		errno = e;
		return ALGO_RISK_EOPEN;
	}
	root = json_loadf(f, JSON_REJECT_DUPLICATES, &je);
	fclose(f);
	if (!root) {
		snprintf(err, errlen, "%s:%d:%d: %s", path, je.line, je.column, je.text);
		return ALGO_RISK_EBADCONF;
	}
	rc = load_root(c, root, path, err, errlen);
	json_decref(root);
	if (rc) {
		algo_risk_config_free(c);
		return ALGO_RISK_EBADCONF;
	}
	return ALGO_RISK_OK;
}

static const struct algo_risk_layer *find_layer(const struct algo_risk_layer *l, size_t n,
	const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(l[i].name, name) == 0)
			return &l[i];
	return NULL;
}

const struct algo_risk_limits *algo_risk_limits_for(const struct algo_risk_config *c,
	const char *strategy)
{
	const struct algo_risk_layer *l = find_layer(c->strategies, c->nstrategies, strategy);
	return l ? &l->r.lim : &c->defaults;
}

static void overlay(struct algo_risk_rules *o, const struct algo_risk_rules *r)
{
	if (r->set & ALGO_RK_TRADES) o->lim.max_trades_per_day = r->lim.max_trades_per_day;
	if (r->set & ALGO_RK_POSQTY) o->lim.max_position_qty = r->lim.max_position_qty;
	if (r->set & ALGO_RK_OPENPOS) o->max_open_positions = r->max_open_positions;
	if (r->set & ALGO_RK_POSVAL) o->max_position_value = r->max_position_value;
	if (r->set & ALGO_RK_ORDVAL) o->max_order_value = r->max_order_value;
	if (r->set & ALGO_RK_OPS) o->max_orders_per_second = r->max_orders_per_second;
	if (r->set & ALGO_RK_MULT) o->multiplier = r->multiplier;
	if (r->set & ALGO_RK_LOSS) o->max_daily_loss = r->max_daily_loss;
	if (r->set & ALGO_RK_PROFIT) o->max_daily_profit = r->max_daily_profit;
	if (r->set & ALGO_RK_WINDOW) { o->win_from = r->win_from; o->win_to = r->win_to; }
	if (r->set & ALGO_RK_SYMBOLS) { o->symbols = r->symbols; o->nsymbols = r->nsymbols; }
	o->set |= r->set;
}

void algo_risk_rules_for(const struct algo_risk_config *c, const char *user,
	const char *strategy, struct algo_risk_rules *out)
{
	const struct algo_risk_layer *l;
	rules_init(out);
	overlay(out, &c->global);
	if ((l = find_layer(c->users, c->nusers, user)))
		overlay(out, &l->r);
	if ((l = find_layer(c->strategies, c->nstrategies, strategy)))
		overlay(out, &l->r);
}
