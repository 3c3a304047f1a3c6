#include "risk.h"
#include "audit.h"
#include "decimal.h"
#include "event.h"
#include "timeutil.h"
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIMIT_MAX 1000000000000LL

/* ---- config ----------------------------------------------------------------------- */

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

/* ---- checks ------------------------------------------------------------------------- */

static int block(struct algo_risk_verdict *v, const char *rule, int has_limit, int64_t limit,
	int64_t value)
{
	v->ok = 0;
	v->rule = rule;
	v->has_limit = has_limit;
	v->limit = limit;
	v->value = value;
	return 0;
}

int algo_risk_check(const struct algo_risk_limits *lim, int64_t trades_today, int64_t position,
	const struct algo_risk_request *req, struct algo_risk_verdict *v)
{
	int64_t open = position < 0 ? -position : position;
	const char *dir = position > 0 ? "long" : "short";

	memset(v, 0, sizeof *v);
	v->qty = req->qty;
	if (req->action == ALGO_RISK_ENTRY) {
		if (position != 0) {
			snprintf(v->reason, sizeof v->reason, "entry while %s %lld", dir, (long long)open);
			return block(v, "position", 0, 0, position);
		}
		if (lim->max_trades_per_day != ALGO_RISK_NOLIMIT && trades_today >= lim->max_trades_per_day) {
			snprintf(v->reason, sizeof v->reason, "%lld trade%s today, limit %lld",
				(long long)trades_today, trades_today == 1 ? "" : "s",
				(long long)lim->max_trades_per_day);
			return block(v, "max_trades_per_day", 1, lim->max_trades_per_day, trades_today);
		}
		if (lim->max_position_qty != ALGO_RISK_NOLIMIT && req->qty > lim->max_position_qty) {
			snprintf(v->reason, sizeof v->reason, "position of %lld would exceed limit %lld",
				(long long)req->qty, (long long)lim->max_position_qty);
			return block(v, "max_position_qty", 1, lim->max_position_qty, req->qty);
		}
	} else {
		if (position == 0) {
			snprintf(v->reason, sizeof v->reason, "exit while flat");
			return block(v, "position", 0, 0, position);
		}
		if ((position > 0) == (req->side > 0)) {
			snprintf(v->reason, sizeof v->reason, "exit %s while %s %lld",
				req->side > 0 ? "buy" : "sell", dir, (long long)open);
			return block(v, "position", 0, 0, position);
		}
		if (v->qty > open)
			v->qty = open;
	}
	v->ok = 1;
	return 1;
}

void algo_risk_tag(const char *strategy, char *out)
{
	size_t n = 0;
	for (const char *p = strategy; *p && n < ALGO_RISK_TAG_MAX; p++) {
		char ch = *p;
		if (ch >= 'A' && ch <= 'Z')
			out[n++] = (char)(ch - 'A' + 'a');
		else if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'))
			out[n++] = ch;
	}
	if (!n)
		out[n++] = 's';
	out[n] = '\0';
}

int algo_risk_order_id(const char *tag, int64_t ms, int64_t seq, char *out)
{
	char ymd[7];
	if (seq < 1 || seq > ALGO_RISK_SEQ_MAX)
		return -1;
	algo_time_ist_yymmdd(ms, ymd);
	snprintf(out, ALGO_RISK_ID_MAX, "%.*s%s%04d", ALGO_RISK_TAG_MAX, tag, ymd, (int)seq);
	return 0;
}

/* ---- the engine --------------------------------------------------------------------- */

struct pend {
	char user[ALGO_NAME_MAX], strategy[ALGO_NAME_MAX], symbol[ALGO_NAME_MAX];
	int side, final;
	int64_t qty, price;
};

struct mark;
struct pstrat;

struct fpos {
	struct algo_position p;
	struct algo_position held;             /* p before a reconcile */
	int64_t day, realised_day, fees_day;   /* realised PnL and fees on day */
	struct mark *m;
	struct pstrat *ps;
};

struct pstrat {
	char user[ALGO_NAME_MAX], strategy[ALGO_NAME_MAX];
	int resolved;
	int64_t loss, profit;                  /* ALGO_RISK_NOLIMIT when none */
	const char *loss_by;                   /* "max_daily_loss" or "plan" */
	struct fpos **v;
	size_t n, cap;
};

struct mark {
	int have;
	int64_t px, lo, hi;
	struct pstrat **v;
	size_t n, cap;
};

struct algo_risk_unc {
	struct pstrat *ps;
	struct mark *m;
	int side;
	int64_t qty;
};

static int track_order(struct algo_risk *r, const char *user, const char *strategy,
	const char *symbol, const char *id, int side, int64_t qty, int64_t price, int legs,
	char *err, size_t errlen);
static int apply_fill_rec(struct algo_risk *r, int64_t ts, const char *id, int64_t n,
	const char *user, const char *strategy, const char *symbol, int side, int64_t qty,
	int64_t price, int64_t fee, char *err, size_t errlen);
static int apply_final_rec(struct algo_risk *r, const char *id, const char *user, int64_t filled,
	char *err, size_t errlen);
static int64_t day_pnl(const struct pstrat *ps, int64_t day);
static void resolve(struct algo_risk *r, struct pstrat *ps);
static int read_data_version(struct algo_risk *r, int64_t *v);

#define day_counters algo_risk_day

struct seq_counter {
	int64_t day;
	int used;
	int64_t seq;          /* last sequence number handed out that day */
};

struct throttle {
	int64_t ts[ALGO_RISK_OPS_MAX];   /* ring of the newest approved order times */
	int n, head;
};

static void throttle_push(struct throttle *th, int64_t ts)
{
	th->ts[th->head] = ts;
	th->head = (th->head + 1) % ALGO_RISK_OPS_MAX;
	if (th->n < ALGO_RISK_OPS_MAX) th->n++;
}

struct algo_risk_db {
	struct algo_store *s;
	sqlite3_stmt *seen, *ins, *states, *dv, *plan, *insf;
	int64_t data_version;
	int in_txn;         /* decisions recorded since the last algo_risk_commit */
};

const char *algo_risk_state_name(int state)
{
	return state == ALGO_RISK_HALTED ? "halted" : state == ALGO_RISK_REDUCING ? "reducing" : "active";
}

const char *algo_risk_scope_name(int scope)
{
	return scope == ALGO_RISK_SCOPE_USER ? "user" : scope == ALGO_RISK_SCOPE_STRATEGY ? "strategy" : "all";
}

void algo_risk_init(struct algo_risk *r, struct algo_risk_config *cfg)
{
	memset(r, 0, sizeof *r);
	r->cfg = *cfg;
	algo_risk_config_init(cfg);
	algo_book_init(&r->book);
	algo_book_tab_init(&r->days, sizeof(struct day_counters));
	algo_book_tab_init(&r->seqs, sizeof(struct seq_counter));
	algo_book_tab_init(&r->thr, sizeof(struct throttle));
	algo_book_tab_init(&r->plans, sizeof(struct algo_risk_plan));
	algo_book_tab_init(&r->pend, sizeof(struct pend));
	algo_book_tab_init(&r->nfill, sizeof(int64_t));
	algo_book_tab_init(&r->fpos, sizeof(struct fpos));
	algo_book_tab_init(&r->pst, sizeof(struct pstrat));
	algo_book_tab_init(&r->marks, sizeof(struct mark));
	r->last_day = -1;
	r->ack_square_off = -1;
	r->ack_fee_bps = 100 * 10000;
}

static void db_free(struct algo_risk_db *d)
{
	if (!d) return;
	sqlite3_finalize(d->seen);
	sqlite3_finalize(d->ins);
	sqlite3_finalize(d->states);
	sqlite3_finalize(d->dv);
	sqlite3_finalize(d->plan);
	sqlite3_finalize(d->insf);
	free(d);
}

void algo_risk_free(struct algo_risk *r)
{
	algo_risk_config_free(&r->cfg);
	algo_book_free(&r->book);
	algo_book_tab_free(&r->days);
	algo_book_tab_free(&r->seqs);
	algo_book_tab_free(&r->thr);
	algo_book_tab_free(&r->plans);
	for (size_t i = 0; i < algo_book_tab_count(&r->pst); i++)
		free(((struct pstrat *)algo_book_tab_at(&r->pst, i, NULL, NULL))->v);
	for (size_t i = 0; i < algo_book_tab_count(&r->marks); i++)
		free(((struct mark *)algo_book_tab_at(&r->marks, i, NULL, NULL))->v);
	algo_book_tab_free(&r->pend);
	algo_book_tab_free(&r->nfill);
	algo_book_tab_free(&r->fpos);
	algo_book_tab_free(&r->pst);
	algo_book_tab_free(&r->marks);
	free(r->unc);
	r->unc = NULL;
	r->nunc = r->capunc = 0;
	free(r->states);
	free(r->changes);
	db_free(r->db);
	r->db = NULL;
	r->states = r->changes = NULL;
	r->nstates = r->nchanges = 0;
}

int algo_risk_state_of(const struct algo_risk *r, const char *user, const char *strategy,
	char *why, size_t whylen)
{
	int best = ALGO_RISK_ACTIVE;
	for (size_t i = 0; i < r->nstates; i++) {
		const struct algo_risk_state *st = &r->states[i];
		int hit = st->scope == ALGO_RISK_SCOPE_ALL ||
			(st->scope == ALGO_RISK_SCOPE_USER && strcmp(st->key, user) == 0) ||
			(st->scope == ALGO_RISK_SCOPE_STRATEGY && strcmp(st->key, strategy) == 0);
		if (hit && st->state > best) {
			best = st->state;
			if (why)
				snprintf(why, whylen, "%s%s%s %s%s%s", st->scope == ALGO_RISK_SCOPE_ALL ?
					"all trading" : algo_risk_scope_name(st->scope),
					st->key[0] ? " " : "", st->key, algo_risk_state_name(st->state),
					st->reason[0] ? ": " : "", st->reason);
		}
	}
	return best;
}

static const int64_t plan_trades[] = { 20, 50, 100 };
static const int64_t plan_loss[] = { 2000 * ALGO_DEC_SCALE, 5000 * ALGO_DEC_SCALE, ALGO_RISK_NOLIMIT };
static const char *const plan_names[] = { "FREE", "BASIC", "PRO" };

const struct algo_risk_plan *algo_risk_plan_of(struct algo_risk *r, const char *user)
{
	static const struct algo_risk_plan none;
	struct algo_risk_plan *p = algo_book_tab_get(&r->plans, user, strlen(user), 0);
	sqlite3_stmt *st;
	if (p)
		return p;
	if (!r->db || !(p = algo_book_tab_get(&r->plans, user, strlen(user), 1)))
		return &none;
	st = r->db->plan;
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, user, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		p->known = 1;
		snprintf(p->plan, sizeof p->plan, "%s", name ? name : "");
		p->live = sqlite3_column_int(st, 1);
		p->max_strategies = sqlite3_column_type(st, 2) == SQLITE_NULL ? ALGO_RISK_NOLIMIT :
			sqlite3_column_int64(st, 2);
		p->max_trades_per_day = ALGO_RISK_NOLIMIT;
		p->max_daily_loss = ALGO_RISK_NOLIMIT;
		for (size_t i = 0; i < 3; i++)
			if (strcmp(p->plan, plan_names[i]) == 0) {
				p->max_trades_per_day = plan_trades[i];
				p->max_daily_loss = plan_loss[i];
			}
	}
	sqlite3_reset(st);
	return p;
}

/* Counts the strategies of user, other than strategy, with entries on day. */
static int64_t strategies_today(const struct algo_risk *r, const char *user, const char *strategy,
	int64_t day)
{
	int64_t n = 0;
	size_t ul = strlen(user);
	for (size_t i = 0; i < algo_book_tab_count(&r->days); i++) {
		const char *k;
		size_t kl;
		const struct day_counters *dc = algo_book_tab_at(&r->days, i, &k, &kl);
		if (kl > ul && memcmp(k, user, ul) == 0 && k[ul] == '\x1f' && dc->used &&
		    dc->day == day && dc->trades > 0 &&
		    !(kl - ul - 1 == strlen(strategy) && memcmp(k + ul + 1, strategy, kl - ul - 1) == 0))
			n++;
	}
	return n;
}

/* Open positions of (user, strategy) other than symbol. */
static int64_t open_positions(const struct algo_risk *r, const char *user, const char *strategy,
	const char *symbol)
{
	char pre[3 * ALGO_NAME_MAX];
	size_t pl = algo_book_key(pre, sizeof pre, user, strategy, NULL), sl = strlen(symbol);
	int64_t n = 0;
	for (size_t i = 0; i < algo_book_tab_count(&r->book.tab); i++) {
		const char *k;
		size_t kl;
		const struct algo_position *p = algo_book_tab_at(&r->book.tab, i, &k, &kl);
		if (p->qty != 0 && kl > pl && memcmp(k, pre, pl) == 0 && k[pl] == '\x1f' &&
		    !(kl - pl - 1 == sl && memcmp(k + pl + 1, symbol, sl) == 0))
			n++;
	}
	return n;
}

static int in_symbols(const struct algo_risk_rules *rr, const char *symbol)
{
	for (size_t i = 0; i < rr->nsymbols; i++)
		if (strcmp(rr->symbols[i], symbol) == 0)
			return 1;
	return 0;
}

static void fmt_rupees(int64_t v, char *buf)
{
	algo_dec_fmt(v, buf);
}

/* Opens the batch transaction the decisions and reports are recorded in, unless it is
 * open: one per batch, not per decision (a commit per signal cost 2.4 s in a 1M-bar
 * backtest). The caller commits before its output leaves the process, and a kill
 * cannot commit while this transaction holds the write lock. */
static int begin_batch(struct algo_risk *r, char *err, size_t errlen)
{
	if (r->db->in_txn)
		return 0;
	if (algo_store_exec(r->db->s, "BEGIN IMMEDIATE", err, errlen))
		return -1;
	r->db->in_txn = 1;
	return 0;
}

/* Records a decided signal (approved when id is non-NULL). */
static int record(struct algo_risk *r, const char *user, const char *strategy, const char *symbol,
	int64_t ts, const char *action, int side, int64_t qty, int64_t price, const char *id,
	const char *rule, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int rc;
	if (!r->db)
		return 0;
	if (begin_batch(r, err, errlen))
		return -1;
	st = r->db->ins;
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, user, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, strategy, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, symbol, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 4, ts);
	sqlite3_bind_text(st, 5, action, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, side > 0 ? "buy" : "sell", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, algo_time_ist_day(ts));
	if (id) sqlite3_bind_text(st, 8, id, -1, SQLITE_TRANSIENT);
	else sqlite3_bind_null(st, 8);
	sqlite3_bind_int64(st, 9, qty);
	sqlite3_bind_int64(st, 10, price);
	if (rule) sqlite3_bind_text(st, 11, rule, -1, SQLITE_STATIC);
	else sqlite3_bind_null(st, 11);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "%s: recording a decision: %s", r->db->s->path,
			sqlite3_errmsg(r->db->s->db));
		return -1;
	}
	return 0;
}

/* Applies an approved order to the counters and the book (shared by decide, the
 * square-off and the restore). */
static int apply_order(struct algo_risk *r, const char *user, const char *strategy,
	const char *symbol, int64_t ts, int entry, int side, int64_t qty, int64_t price,
	char *id, char *err, size_t errlen)
{
	char key[3 * ALGO_NAME_MAX], tag[ALGO_RISK_TAG_MAX + 1];
	int64_t day = algo_time_ist_day(ts), seq;
	size_t kn = algo_book_key(key, sizeof key, user, strategy, NULL);
	struct day_counters *dc = kn ? algo_book_tab_get(&r->days, key, kn, 1) : NULL;
	struct seq_counter *sc;
	struct algo_position *pos, np;
	algo_risk_tag(strategy, tag);
	kn = algo_book_key(key, sizeof key, user, tag, NULL);
	sc = kn ? algo_book_tab_get(&r->seqs, key, kn, 1) : NULL;
	pos = algo_book_get(&r->book, user, strategy, symbol, 1);
	if (!dc || !sc || !pos) { snprintf(err, errlen, "out of memory or name too long"); return -1; }
	seq = sc->used && day == sc->day ? sc->seq : 0;
	if (id && algo_risk_order_id(tag, ts, seq + 1, id)) {
		snprintf(err, errlen, "order id sequence for '%s' exhausted", tag);
		return -1;
	}
	np = *pos;
	if (algo_book_apply_fill(&np, side, qty, price, err, errlen))
		return -1;
	*pos = np;
	if (!dc->used || dc->day != day) { dc->trades = 0; dc->day = day; dc->used = 1; }
	dc->trades += entry;
	sc->used = 1;
	sc->day = day;
	sc->seq = seq + 1;
	return 0;
}

int algo_risk_decide(struct algo_risk *r, const struct algo_risk_signal *s,
	struct algo_risk_verdict *v, char *err, size_t errlen)
{
	char key[3 * ALGO_NAME_MAX], tag[ALGO_RISK_TAG_MAX + 1], why[sizeof v->reason];
	size_t kn;
	int64_t day = algo_time_ist_day(s->ts), trades, seq, qty, price = s->price;
	int entry = s->req.action == ALGO_RISK_ENTRY, state;
	struct day_counters *dc;
	struct seq_counter *sc;
	struct throttle *th;
	struct algo_position *pos, np;
	struct algo_risk_rules rr;
	struct algo_risk_limits lim;
	struct algo_risk_request req = s->req;
	const struct algo_risk_plan *plan;

	kn = algo_book_key(key, sizeof key, s->user, s->strategy, NULL);
	if (!kn) { snprintf(err, errlen, "user or strategy name too long"); return -1; }
	dc = algo_book_tab_get(&r->days, key, kn, 1);
	algo_risk_tag(s->strategy, tag);
	kn = algo_book_key(key, sizeof key, s->user, tag, NULL);
	sc = kn ? algo_book_tab_get(&r->seqs, key, kn, 1) : NULL;
	pos = algo_book_get(&r->book, s->user, s->strategy, s->symbol, 1);
	th = algo_book_tab_get(&r->thr, s->user, strlen(s->user), 1);
	if (!dc || !sc || !pos || !th) { snprintf(err, errlen, "out of memory or name too long"); return -1; }

	if ((dc->used && day < dc->day) || (sc->used && day < sc->day)) {
		snprintf(err, errlen, "field 'ts': trading day goes back for strategy '%s'", s->strategy);
		return -1;
	}
	if (r->db) {
		sqlite3_stmt *st = r->db->seen;
		int rc;
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, s->user, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, s->strategy, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 3, s->symbol, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 4, s->ts);
		sqlite3_bind_text(st, 5, entry ? "entry" : "exit", -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, s->req.side > 0 ? "buy" : "sell", -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc == SQLITE_ROW)
			return 1;
		if (rc != SQLITE_DONE) {
			snprintf(err, errlen, "%s: %s", r->db->s->path, sqlite3_errmsg(r->db->s->db));
			return -1;
		}
	}
	trades = dc->used && day == dc->day ? dc->trades : 0;
	seq = sc->used && day == sc->day ? sc->seq : 0;
	algo_risk_rules_for(&r->cfg, s->user, s->strategy, &rr);
	if (__builtin_mul_overflow(req.qty, rr.multiplier, &qty) || qty > LIMIT_MAX) {
		snprintf(err, errlen, "field 'qty': too large with multiplier %lld", (long long)rr.multiplier);
		return -1;
	}
	req.qty = qty;
	lim = rr.lim;
	if (lim.max_position_qty != ALGO_RISK_NOLIMIT)
		lim.max_position_qty *= rr.multiplier;
	plan = algo_risk_plan_of(r, s->user);

	memset(v, 0, sizeof *v);
	v->qty = qty;
	state = algo_risk_state_of(r, s->user, s->strategy, why, sizeof why);
	if (state == ALGO_RISK_HALTED || (state == ALGO_RISK_REDUCING && entry)) {
		snprintf(v->reason, sizeof v->reason, "%s", why);
		block(v, state == ALGO_RISK_HALTED ? "halted" : "reducing", 0, 0, pos->qty);
		goto blocked;
	}
	if (entry && s->live && plan->known && !plan->live) {
		snprintf(v->reason, sizeof v->reason, "plan %s is paper only", plan->plan);
		block(v, "plan", 0, 0, 0);
		goto blocked;
	}
	if (!algo_risk_check(&lim, trades, pos->qty, &req, v))
		goto blocked;
	if (entry) {
		int64_t val, n;
		int m = algo_time_ist_minute(s->ts);
		char a[32], b[32];
		if (plan->known && plan->max_trades_per_day != ALGO_RISK_NOLIMIT &&
		    trades >= plan->max_trades_per_day) {
			snprintf(v->reason, sizeof v->reason, "plan %s allows %lld trades per day",
				plan->plan, (long long)plan->max_trades_per_day);
			block(v, "plan", 1, plan->max_trades_per_day, trades);
			goto blocked;
		}
		if (rr.set & ALGO_RK_SYMBOLS && !in_symbols(&rr, s->symbol)) {
			snprintf(v->reason, sizeof v->reason, "%s is not in the allowed symbols", s->symbol);
			block(v, "symbols", 0, 0, 0);
			goto blocked;
		}
		if (rr.win_from >= 0 && (m < rr.win_from || m >= rr.win_to)) {
			snprintf(v->reason, sizeof v->reason, "%02d:%02d IST is outside %02d:%02d-%02d:%02d",
				m / 60, m % 60, rr.win_from / 60, rr.win_from % 60, rr.win_to / 60, rr.win_to % 60);
			block(v, "window", 0, 0, m / 60 * 100 + m % 60);
			goto blocked;
		}
		n = open_positions(r, s->user, s->strategy, s->symbol);
		if (rr.max_open_positions != ALGO_RISK_NOLIMIT && n >= rr.max_open_positions) {
			snprintf(v->reason, sizeof v->reason, "%lld open position%s, limit %lld",
				(long long)n, n == 1 ? "" : "s", (long long)rr.max_open_positions);
			block(v, "max_open_positions", 1, rr.max_open_positions, n);
			goto blocked;
		}
		if (__builtin_mul_overflow(qty, price, &val)) {
			snprintf(err, errlen, "field 'qty': order value overflows");
			return -1;
		}
		if (rr.max_position_value != ALGO_RISK_NOLIMIT &&
		    val > rr.max_position_value * rr.multiplier) {
			fmt_rupees(val, a);
			fmt_rupees(rr.max_position_value * rr.multiplier, b);
			snprintf(v->reason, sizeof v->reason, "position value %s would exceed limit %s", a, b);
			block(v, "max_position_value", 2, rr.max_position_value * rr.multiplier, val);
			goto blocked;
		}
		if (rr.max_order_value != ALGO_RISK_NOLIMIT && val > rr.max_order_value * rr.multiplier) {
			fmt_rupees(val, a);
			fmt_rupees(rr.max_order_value * rr.multiplier, b);
			snprintf(v->reason, sizeof v->reason, "order value %s exceeds limit %s", a, b);
			block(v, "max_order_value", 2, rr.max_order_value * rr.multiplier, val);
			goto blocked;
		}
		if (!r->barrier && (rr.max_daily_loss != ALGO_RISK_NOLIMIT ||
		    rr.max_daily_profit != ALGO_RISK_NOLIMIT ||
		    (plan->known && plan->max_daily_loss != ALGO_RISK_NOLIMIT))) {
			int byplan = rr.max_daily_loss == ALGO_RISK_NOLIMIT && rr.max_daily_profit == ALGO_RISK_NOLIMIT;
			if (byplan)
				snprintf(v->reason, sizeof v->reason, "plan %s caps the daily loss, which "
					"needs algo-risk --barrier to see the fills", plan->plan);
			else
				snprintf(v->reason, sizeof v->reason, "a daily PnL limit needs algo-risk "
					"--barrier to see the fills");
			block(v, byplan ? "plan" : rr.max_daily_loss != ALGO_RISK_NOLIMIT ?
				"max_daily_loss" : "max_daily_profit", 0, 0, 0);
			goto blocked;
		}
		if (plan->known && plan->max_strategies != ALGO_RISK_NOLIMIT &&
		    trades == 0 && (n = strategies_today(r, s->user, s->strategy, day)) >= plan->max_strategies) {
			snprintf(v->reason, sizeof v->reason, "plan %s allows %lld strateg%s",
				plan->plan, (long long)plan->max_strategies, plan->max_strategies == 1 ? "y" : "ies");
			block(v, "plan", 1, plan->max_strategies, n);
			goto blocked;
		}
	}
	{
		int64_t n = 0;
		for (int i = 0; i < th->n; i++)
			if (th->ts[i] > s->ts - 1000 && th->ts[i] <= s->ts)
				n++;
		if (n >= rr.max_orders_per_second) {
			snprintf(v->reason, sizeof v->reason, "%lld orders in the last second, limit %lld",
				(long long)n, (long long)rr.max_orders_per_second);
			block(v, "max_orders_per_second", 1, rr.max_orders_per_second, n);
			goto blocked;
		}
	}
	if (algo_risk_order_id(tag, s->ts, seq + 1, v->id)) {
		char ymd[7];
		algo_time_ist_yymmdd(s->ts, ymd);
		snprintf(v->reason, sizeof v->reason, "order id sequence for '%s' on %s exhausted",
			tag, ymd);
		v->id[0] = '\0';
		block(v, "order_id", 1, ALGO_RISK_SEQ_MAX, seq + 1);
		goto blocked;
	}
	np = *pos;
	if (algo_book_apply_fill(&np, req.side, v->qty, price, err, errlen))
		return -1;
	if (record(r, s->user, s->strategy, s->symbol, s->ts, entry ? "entry" : "exit", req.side,
	    v->qty, price, v->id, NULL, err, errlen) ||
	    track_order(r, s->user, s->strategy, s->symbol, v->id, req.side, v->qty, price,
	    entry && s->legs, err, errlen))
		return -1;
	*pos = np;
	dc->used = sc->used = 1;
	dc->day = sc->day = day;
	dc->trades = trades + entry;
	sc->seq = seq + 1;
	throttle_push(th, s->ts);
	return 0;
blocked:
	if (record(r, s->user, s->strategy, s->symbol, s->ts, entry ? "entry" : "exit", req.side,
	    s->req.qty, price, NULL, v->rule, err, errlen))
		return -1;
	return 0;
}

/* ---- the state database ------------------------------------------------------------- */

static int parse_state(const char *s)
{
	if (!s) return ALGO_RISK_ACTIVE;
	return strcmp(s, "halted") == 0 ? ALGO_RISK_HALTED : strcmp(s, "reducing") == 0 ?
		ALGO_RISK_REDUCING : ALGO_RISK_ACTIVE;
}

static int parse_scope(const char *s)
{
	if (!s) return ALGO_RISK_SCOPE_ALL;
	return strcmp(s, "user") == 0 ? ALGO_RISK_SCOPE_USER : strcmp(s, "strategy") == 0 ?
		ALGO_RISK_SCOPE_STRATEGY : ALGO_RISK_SCOPE_ALL;
}

/* Reads the non-active rows of risk_state into a new array. */
static int load_states(struct algo_risk *r, struct algo_risk_state **out, size_t *n,
	char *err, size_t errlen)
{
	sqlite3_stmt *st = r->db->states;
	size_t cap = 0;
	int rc;
	*out = NULL;
	*n = 0;
	sqlite3_reset(st);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct algo_risk_state *x;
		const char *reason = (const char *)sqlite3_column_text(st, 3);
		const char *key = (const char *)sqlite3_column_text(st, 1);
		if (*n == cap) {
			struct algo_risk_state *nw = realloc(*out, (cap = cap ? 2 * cap : 8) * sizeof *nw);
			if (!nw) { rc = SQLITE_NOMEM; break; }
			*out = nw;
		}
		x = &(*out)[(*n)++];
		x->scope = parse_scope((const char *)sqlite3_column_text(st, 0));
		snprintf(x->key, sizeof x->key, "%s", key ? key : "");
		x->state = parse_state((const char *)sqlite3_column_text(st, 2));
		snprintf(x->reason, sizeof x->reason, "%s", reason ? reason : "");
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		free(*out);
		*out = NULL;
		*n = 0;
		snprintf(err, errlen, "%s: reading risk_state: %s", r->db->s->path,
			sqlite3_errmsg(r->db->s->db));
		return -1;
	}
	return 0;
}

static int read_data_version(struct algo_risk *r, int64_t *v)
{
	int rc;
	sqlite3_reset(r->db->dv);
	rc = sqlite3_step(r->db->dv);
	if (rc == SQLITE_ROW)
		*v = sqlite3_column_int64(r->db->dv, 0);
	sqlite3_reset(r->db->dv);
	return rc == SQLITE_ROW ? 0 : -1;
}

int algo_risk_attach(struct algo_risk *r, struct algo_store *s, char *err, size_t errlen)
{
	struct algo_risk_db *d = calloc(1, sizeof *d);
	sqlite3_stmt *st;
	int rc;
	if (!d) { snprintf(err, errlen, "out of memory"); return -1; }
	d->s = s;
	if (!(d->seen = algo_store_prepare(s, "SELECT 1 FROM risk_signals WHERE user = ?1 AND "
		"strategy = ?2 AND symbol = ?3 AND ts_ms = ?4 AND action = ?5 AND side = ?6", err, errlen)) ||
	    !(d->ins = algo_store_prepare(s, "INSERT OR IGNORE INTO risk_signals (user, strategy, "
		"symbol, ts_ms, action, side, day, order_id, qty, price, rule) VALUES "
		"(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)", err, errlen)) ||
	    !(d->states = algo_store_prepare(s, "SELECT scope, key, state, reason FROM risk_state "
		"WHERE state <> 'active' ORDER BY CASE scope WHEN 'all' THEN 0 WHEN 'user' THEN 1 "
		"ELSE 2 END, key", err, errlen)) ||
	    !(d->dv = algo_store_prepare(s, "PRAGMA data_version", err, errlen)) ||
	    !(d->insf = algo_store_prepare(s, "INSERT INTO risk_fills (user, order_id, kind, strategy, "
		"symbol, side, qty, price, fee, ts_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
		err, errlen)) ||
	    !(d->plan = algo_store_prepare(s, "SELECT a.plan, p.live, p.max_strategies FROM "
		"accounts a JOIN plans p ON p.plan = a.plan WHERE a.user = ?1 AND a.disabled = 0",
		err, errlen))) {
		db_free(d);
		return -1;
	}
	r->db = d;
	if (read_data_version(r, &d->data_version) ||
	    load_states(r, &r->states, &r->nstates, err, errlen))
		goto fail;
	/* rebuild the book and the counters from the approved orders */
	st = algo_store_prepare(s, "SELECT user, strategy, symbol, ts_ms, action, side, qty, price, "
		"order_id FROM risk_signals WHERE order_id IS NOT NULL ORDER BY rowid", err, errlen);
	if (!st)
		goto fail;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *u = (const char *)sqlite3_column_text(st, 0);
		const char *g = (const char *)sqlite3_column_text(st, 1);
		const char *y = (const char *)sqlite3_column_text(st, 2);
		const char *a = (const char *)sqlite3_column_text(st, 4);
		const char *sd = (const char *)sqlite3_column_text(st, 5);
		int64_t ts = sqlite3_column_int64(st, 3);
		struct throttle *th;
		if (!u || !g || !y || !a || !sd) continue;
		if (apply_order(r, u, g, y, ts, strcmp(a, "entry") == 0,
		    strcmp(sd, "buy") == 0 ? ALGO_BUY : ALGO_SELL, sqlite3_column_int64(st, 6),
		    sqlite3_column_int64(st, 7), NULL, err, errlen)) {
			sqlite3_finalize(st);
			goto fail;
		}
		if (sqlite3_column_text(st, 8) && track_order(r, u, g, y,
		    (const char *)sqlite3_column_text(st, 8), strcmp(sd, "buy") == 0 ? ALGO_BUY : ALGO_SELL,
		    sqlite3_column_int64(st, 6), sqlite3_column_int64(st, 7), 0, err, errlen)) {
			sqlite3_finalize(st);
			goto fail;
		}
		if ((th = algo_book_tab_get(&r->thr, u, strlen(u), 1)))
			throttle_push(th, ts);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "%s: reading risk_signals: %s", s->path, sqlite3_errmsg(s->db));
		goto fail;
	}
	/* then what the executor reported: real fills, and corrections of the exposure */
	st = algo_store_prepare(s, "SELECT kind, user, order_id, strategy, symbol, side, qty, price, "
		"fee, ts_ms FROM risk_fills ORDER BY seq", err, errlen);
	if (!st)
		goto fail;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *k = (const char *)sqlite3_column_text(st, 0);
		const char *u = (const char *)sqlite3_column_text(st, 1);
		const char *id = (const char *)sqlite3_column_text(st, 2);
		const char *g = (const char *)sqlite3_column_text(st, 3);
		const char *y = (const char *)sqlite3_column_text(st, 4);
		const char *sd = (const char *)sqlite3_column_text(st, 5);
		int bad;
		if (!k || !u || !id) continue;
		if (strcmp(k, "fill") == 0)
			bad = !g || !y || !sd || apply_fill_rec(r, sqlite3_column_int64(st, 9), id, 0, u, g, y,
				strcmp(sd, "buy") == 0 ? ALGO_BUY : ALGO_SELL, sqlite3_column_int64(st, 6),
				sqlite3_column_int64(st, 7), sqlite3_column_int64(st, 8), err, errlen);
		else
			bad = apply_final_rec(r, id, u, sqlite3_column_int64(st, 6), err, errlen);
		if (bad) {
			sqlite3_finalize(st);
			goto fail;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "%s: reading risk_fills: %s", s->path, sqlite3_errmsg(s->db));
		goto fail;
	}
	/* Orders in flight at a crash stay in the exposure as approved: an executor that
	 * kept running reports them to this run (by order id), a restarted one never
	 * does. What the executor holds is unknown until the first sync. */
	r->nunc = 0;
	return 0;
fail:
	db_free(r->db);
	r->db = NULL;
	return -1;
}

/* Fills r->changes with the differences between r->states and nw, then adopts nw. */
static int diff_states(struct algo_risk *r, struct algo_risk_state *nw, size_t nn)
{
	size_t cap = r->nstates + nn, k = 0;
	struct algo_risk_state *ch = cap ? calloc(cap, sizeof *ch) : NULL;
	if (cap && !ch) { free(nw); return -1; }
	for (size_t i = 0; i < nn; i++) {
		size_t j;
		for (j = 0; j < r->nstates; j++)
			if (r->states[j].scope == nw[i].scope && strcmp(r->states[j].key, nw[i].key) == 0)
				break;
		if (j == r->nstates || r->states[j].state != nw[i].state)
			ch[k++] = nw[i];
	}
	for (size_t j = 0; j < r->nstates; j++) {
		size_t i;
		for (i = 0; i < nn; i++)
			if (r->states[j].scope == nw[i].scope && strcmp(r->states[j].key, nw[i].key) == 0)
				break;
		if (i == nn) {
			ch[k] = r->states[j];
			ch[k].state = ALGO_RISK_ACTIVE;
			ch[k++].reason[0] = '\0';
		}
	}
	free(r->changes);
	free(r->states);
	r->changes = ch;
	r->nchanges = k;
	r->states = nw;
	r->nstates = nn;
	return (int)k;
}

int algo_risk_commit(struct algo_risk *r, char *err, size_t errlen)
{
	if (!r->db || !r->db->in_txn)
		return 0;
	r->db->in_txn = 0;
	return algo_store_exec(r->db->s, "COMMIT", err, errlen);
}

int algo_risk_poll(struct algo_risk *r, char *err, size_t errlen)
{
	int64_t dv;
	struct algo_risk_state *nw;
	size_t nn;
	r->nchanges = 0;
	if (!r->db)
		return 0;
	if (read_data_version(r, &dv)) {
		snprintf(err, errlen, "%s: %s", r->db->s->path, sqlite3_errmsg(r->db->s->db));
		return -1;
	}
	if (dv == r->db->data_version)
		return 0;
	r->db->data_version = dv;
	if (load_states(r, &nw, &nn, err, errlen))
		return -1;
	if (diff_states(r, nw, nn) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* the reason of a resume row: read it for the change list */
	return (int)r->nchanges;
}

int algo_risk_new_event(struct algo_risk *r, int64_t ts, char *err, size_t errlen)
{
	int64_t day = algo_time_ist_day(ts);
	/* The first event of a run counts as a new day too when a database holds states:
	 * the next morning's cron run resets what was set before that day. Rows set on this
	 * very day (a manual kill before the open) stay; within a run, crossing midnight
	 * resets every state. */
	int first = r->last_day < 0;
	int newday = day > r->last_day && (!first || r->db);
	r->nchanges = 0;
	if (day > r->last_day)
		r->last_day = day;
	if (!newday || !r->cfg.reset_kill_daily || !r->nstates)
		return 0;
	if (r->db) {
		struct algo_risk_state *nw;
		size_t nn;
		sqlite3_stmt *st = algo_store_prepare(r->db->s, "UPDATE risk_state SET state = 'active', "
			"reason = 'daily reset', who = 'algo-risk', ts_ms = ?1 WHERE state <> 'active' "
			"AND ts_ms < ?2", err, errlen);
		int rc;
		if (!st) return -1;
		if (begin_batch(r, err, errlen)) {
			sqlite3_finalize(st);
			return -1;
		}
		sqlite3_bind_int64(st, 1, ts);
		sqlite3_bind_int64(st, 2, first ? day * ALGO_MS_PER_DAY - 330 * 60000LL : INT64_MAX);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE) {
			snprintf(err, errlen, "%s: %s", r->db->s->path, sqlite3_errmsg(r->db->s->db));
			return -1;
		}
		if (load_states(r, &nw, &nn, err, errlen))
			return -1;
		if (diff_states(r, nw, nn) < 0) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	} else if (diff_states(r, NULL, 0) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < r->nchanges; i++)
		snprintf(r->changes[i].reason, sizeof r->changes[i].reason, "daily reset");
	return (int)r->nchanges;
}

int algo_risk_square_off(struct algo_risk *r, const struct algo_risk_state *ch, int64_t ts,
	struct algo_risk_close **out, size_t *n, char *err, size_t errlen)
{
	size_t cnt = algo_book_tab_count(&r->book.tab), k = 0;
	*out = NULL;
	*n = 0;
	if (ch->state == ALGO_RISK_ACTIVE || !cnt)
		return 0;
	*out = calloc(cnt, sizeof **out);
	if (!*out) { snprintf(err, errlen, "out of memory"); return -1; }
	for (size_t i = 0; i < cnt; i++) {
		const char *key;
		size_t kl;
		struct algo_position *p = algo_book_tab_at(&r->book.tab, i, &key, &kl);
		struct algo_risk_close *c = &(*out)[k];
		const char *f[3];
		size_t fl[3], j = 0, start = 0;
		if (p->qty == 0) continue;
		for (size_t x = 0; x <= kl && j < 3; x++)
			if (x == kl || key[x] == '\x1f') { f[j] = key + start; fl[j++] = x - start; start = x + 1; }
		if (j != 3 || fl[0] >= ALGO_NAME_MAX || fl[1] >= ALGO_NAME_MAX || fl[2] >= ALGO_NAME_MAX)
			continue;
		memcpy(c->user, f[0], fl[0]); c->user[fl[0]] = '\0';
		memcpy(c->strategy, f[1], fl[1]); c->strategy[fl[1]] = '\0';
		memcpy(c->symbol, f[2], fl[2]); c->symbol[fl[2]] = '\0';
		if ((ch->scope == ALGO_RISK_SCOPE_USER && strcmp(ch->key, c->user)) ||
		    (ch->scope == ALGO_RISK_SCOPE_STRATEGY && strcmp(ch->key, c->strategy)))
			continue;
		c->side = p->qty > 0 ? ALGO_SELL : ALGO_BUY;
		c->qty = p->qty > 0 ? p->qty : -p->qty;
		if (apply_order(r, c->user, c->strategy, c->symbol, ts, 0, c->side, c->qty,
		    algo_book_avg_price(p), c->id, err, errlen) ||
		    record(r, c->user, c->strategy, c->symbol, ts, "square_off", c->side, c->qty, 0,
		    c->id, NULL, err, errlen) ||
		    track_order(r, c->user, c->strategy, c->symbol, c->id, c->side, c->qty,
		    algo_book_avg_price(p), 0, err, errlen)) {
			free(*out);
			*out = NULL;
			return -1;
		}
		k++;
	}
	*n = k;
	return 0;
}

/* Sets a scope's state row and appends its audit row (owned by user) inside the
 * caller's transaction, chain head included. Returns 0, or -1 with err set. */
static int write_state(struct algo_store *s, int scope, const char *key, int state,
	const char *reason, const char *who, const char *user, int64_t ts_ms, char *err, size_t errlen)
{
	struct algo_audit a;
	sqlite3_stmt *st;
	char detail[200];
	int rc;
	st = algo_store_prepare(s, "INSERT INTO risk_state (scope, key, state, reason, who, ts_ms) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (scope, key) DO UPDATE SET "
		"state = excluded.state, reason = excluded.reason, who = excluded.who, ts_ms = excluded.ts_ms",
		err, errlen);
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, algo_risk_scope_name(scope), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, algo_risk_state_name(state), -1, SQLITE_STATIC);
	if (reason) sqlite3_bind_text(st, 4, reason, -1, SQLITE_STATIC);
	else sqlite3_bind_null(st, 4);
	sqlite3_bind_text(st, 5, who, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, ts_ms);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "%s: %s", s->path, sqlite3_errmsg(s->db));
		return -1;
	}
	snprintf(detail, sizeof detail, "%s %s%s%s by %s", algo_risk_state_name(state),
		algo_risk_scope_name(scope), key[0] ? " " : "", key, who);
	struct algo_audit_row row = { .user = user, .ts_ms = ts_ms,
		.kind = state == ALGO_RISK_ACTIVE ? "resume" : "kill",
		.strategy = scope == ALGO_RISK_SCOPE_STRATEGY ? key : NULL,
		.reason = reason, .detail = detail };
	if (algo_audit_init(&a, s, err, errlen))
		return -1;
	rc = algo_audit_load_head(&a, err, errlen) || algo_audit_append(&a, &row, err, errlen) < 0 ||
		algo_audit_save_head(&a, err, errlen);
	algo_audit_free(&a);
	return rc ? -1 : 0;
}

int algo_risk_set_state(struct algo_store *s, int scope, const char *key, int state,
	const char *reason, const char *who, int64_t now_ms, char *err, size_t errlen)
{
	if (algo_store_exec(s, "BEGIN IMMEDIATE", err, errlen))
		return -1;
	if (write_state(s, scope, key, state, reason, who, scope == ALGO_RISK_SCOPE_USER ? key : who,
	    now_ms, err, errlen) || algo_store_exec(s, "COMMIT", err, errlen)) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return 0;
}

int algo_risk_status(struct algo_risk *r, json_t *out)
{
	for (size_t i = 0; i < algo_book_tab_count(&r->days); i++) {
		const char *k;
		size_t kl, ul;
		char user[ALGO_NAME_MAX], strategy[ALGO_NAME_MAX], why[128] = "", date[11];
		const struct algo_risk_day *dc = algo_book_tab_at(&r->days, i, &k, &kl);
		const struct algo_risk_plan *plan;
		struct algo_risk_rules rr;
		int64_t trades = dc->trades, lim;
		json_t *o, *pos = json_object();
		ul = (size_t)((const char *)memchr(k, '\x1f', kl) - k);
		snprintf(user, sizeof user, "%.*s", (int)ul, k);
		snprintf(strategy, sizeof strategy, "%.*s", (int)(kl - ul - 1), k + ul + 1);
		int s = algo_risk_state_of(r, user, strategy, why, sizeof why);
		algo_risk_rules_for(&r->cfg, user, strategy, &rr);
		plan = algo_risk_plan_of(r, user);
		lim = rr.lim.max_trades_per_day;
		if (plan->known && plan->max_trades_per_day != ALGO_RISK_NOLIMIT &&
		    (lim == ALGO_RISK_NOLIMIT || plan->max_trades_per_day < lim))
			lim = plan->max_trades_per_day;
		algo_time_ist_date(dc->day * ALGO_MS_PER_DAY, date);
		for (size_t j = 0; pos && j < algo_book_tab_count(&r->book.tab); j++) {
			const char *pk;
			size_t pkl;
			const struct algo_position *p = algo_book_tab_at(&r->book.tab, j, &pk, &pkl);
			if (p->qty && pkl > kl && memcmp(pk, k, kl) == 0 && pk[kl] == '\x1f') {
				char sym[ALGO_NAME_MAX];
				snprintf(sym, sizeof sym, "%.*s", (int)(pkl - kl - 1), pk + kl + 1);
				json_object_set_new(pos, sym, json_integer(p->qty));
			}
		}
		{
			struct pstrat *ps = algo_book_tab_get(&r->pst, k, kl, 0);
			int64_t pnl = ps ? day_pnl(ps, dc->day) : 0, loss = ALGO_RISK_NOLIMIT;
			if (ps) {
				resolve(r, ps);
				loss = ps->loss;
			} else {
				loss = rr.max_daily_loss == ALGO_RISK_NOLIMIT ? ALGO_RISK_NOLIMIT :
					rr.max_daily_loss * rr.multiplier;
				if (plan->known && plan->max_daily_loss != ALGO_RISK_NOLIMIT &&
				    (loss == ALGO_RISK_NOLIMIT || plan->max_daily_loss < loss))
					loss = plan->max_daily_loss;
			}
			o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:I,s:o,s:o,s:o,s:f,s:o,s:o}", "user", user,
				"strategy", strategy, "state", algo_risk_state_name(s), "reason", why,
				"day", date, "trades_today", (json_int_t)trades,
				"trades_left", lim == ALGO_RISK_NOLIMIT ? json_null() :
					json_integer(lim > trades ? lim - trades : 0),
				"plan", plan->known ? json_string(plan->plan) : json_null(),
				"positions", pos ? pos : json_object(),
				"day_pnl", algo_dec_to_double(pnl),
				"max_daily_loss", loss == ALGO_RISK_NOLIMIT ? json_null() :
					json_real(algo_dec_to_double(loss)),
				"loss_left", loss == ALGO_RISK_NOLIMIT ? json_null() :
					json_real(algo_dec_to_double(pnl <= -loss ? 0 : loss + pnl)));
		}
		if (!o || json_array_append_new(out, o))
			return -1;
	}
	return 0;
}

/* ---- fills: the barrier ----------------------------------------------------------------- */

static int push_ptr(void ***v, size_t *n, size_t *cap, void *p)
{
	for (size_t i = 0; i < *n; i++)
		if ((*v)[i] == p)
			return 0;
	if (*n == *cap) {
		size_t c = *cap ? 2 * *cap : 4;
		void **nv = realloc(*v, c * sizeof *nv);
		if (!nv) return -1;
		*v = nv;
		*cap = c;
	}
	(*v)[(*n)++] = p;
	return 0;
}

static struct mark *get_mark(struct algo_risk *r, const char *symbol)
{
	return algo_book_tab_get(&r->marks, symbol, strlen(symbol), 1);
}

/* The real-fill position of (user, strategy, symbol), linked to its strategy record and
 * its symbol's mark. NULL when out of memory or a name is too long. */
static struct fpos *get_fpos(struct algo_risk *r, const char *user, const char *strategy,
	const char *symbol)
{
	char key[3 * ALGO_NAME_MAX];
	size_t kn = algo_book_key(key, sizeof key, user, strategy, symbol);
	struct fpos *fp = kn ? algo_book_tab_get(&r->fpos, key, kn, 1) : NULL;
	if (!fp)
		return NULL;
	if (fp->ps)
		return fp;
	kn = algo_book_key(key, sizeof key, user, strategy, NULL);
	struct pstrat *ps = algo_book_tab_get(&r->pst, key, kn, 1);
	struct mark *m = get_mark(r, symbol);
	if (!ps || !m)
		return NULL;
	if (!ps->user[0]) {
		snprintf(ps->user, sizeof ps->user, "%s", user);
		snprintf(ps->strategy, sizeof ps->strategy, "%s", strategy);
	}
	if (push_ptr((void ***)&ps->v, &ps->n, &ps->cap, fp) ||
	    push_ptr((void ***)&m->v, &m->n, &m->cap, ps))
		return NULL;
	fp->ps = ps;
	fp->m = m;
	return fp;
}

static int add_unc(struct algo_risk *r, struct fpos *fp, int side, int64_t qty)
{
	if (r->nunc == r->capunc) {
		size_t c = r->capunc ? 2 * r->capunc : 16;
		struct algo_risk_unc *nu = realloc(r->unc, c * sizeof *nu);
		if (!nu) return -1;
		r->unc = nu;
		r->capunc = c;
	}
	r->unc[r->nunc++] = (struct algo_risk_unc){ fp->ps, fp->m, side, qty };
	return 0;
}

/* An order risk sends (approved or a square-off): awaited until its final status, and
 * uncertain until the next ack. */
static int track_order(struct algo_risk *r, const char *user, const char *strategy,
	const char *symbol, const char *id, int side, int64_t qty, int64_t price, int legs,
	char *err, size_t errlen)
{
	char key[2 * ALGO_NAME_MAX];
	size_t kn = algo_book_key(key, sizeof key, user, id, NULL);
	struct pend *pd = kn ? algo_book_tab_get(&r->pend, key, kn, 1) : NULL;
	struct fpos *fp = get_fpos(r, user, strategy, symbol);
	if (!pd || !fp || add_unc(r, fp, side, qty) || (legs && add_unc(r, fp, -side, qty))) {
		snprintf(err, errlen, "out of memory or name too long");
		return -1;
	}
	snprintf(pd->user, sizeof pd->user, "%s", user);
	snprintf(pd->strategy, sizeof pd->strategy, "%s", strategy);
	snprintf(pd->symbol, sizeof pd->symbol, "%s", symbol);
	pd->side = side;
	pd->qty = qty;
	pd->price = price;
	pd->final = 0;
	return 0;
}

/* Moves the exposure book by a fill or a give-back the executor reported. */
static int expose(struct algo_risk *r, const char *user, const char *strategy, const char *symbol,
	int side, int64_t qty, int64_t price, char *err, size_t errlen)
{
	struct algo_position *pos = algo_book_get(&r->book, user, strategy, symbol, 1), np;
	if (!pos) { snprintf(err, errlen, "out of memory or name too long"); return -1; }
	np = *pos;
	if (algo_book_apply_fill(&np, side, qty, price, err, errlen))
		return -1;
	*pos = np;
	return 0;
}

/* Applies fill number n (0: the next one) of order (user, id). Returns 0, 1 when that
 * fill was applied already (sent again after a crash: skipped), or -1. */
static int apply_fill_rec(struct algo_risk *r, int64_t ts, const char *id, int64_t n,
	const char *user, const char *strategy, const char *symbol, int side, int64_t qty,
	int64_t price, int64_t fee, char *err, size_t errlen)
{
	char key[2 * ALGO_NAME_MAX];
	size_t kn = algo_book_key(key, sizeof key, user, id, NULL);
	struct pend *pd = kn ? algo_book_tab_get(&r->pend, key, kn, 0) : NULL;
	int64_t *done = kn ? algo_book_tab_get(&r->nfill, key, kn, 1) : NULL;
	struct fpos *fp = get_fpos(r, user, strategy, symbol);
	struct algo_position np;
	int64_t day = algo_time_ist_day(ts);
	if (!fp || !done) { snprintf(err, errlen, "out of memory or name too long"); return -1; }
	if (n > 0 && n <= *done)
		return 1;
	*done = n > 0 ? n : *done + 1;
	np = fp->p;
	if (algo_book_apply_fill(&np, side, qty, price, err, errlen) || algo_book_add_fees(&np, fee)) {
		if (!*err) snprintf(err, errlen, "fees overflow");
		return -1;
	}
	if (fp->day != day) {
		fp->day = day;
		fp->realised_day = fp->fees_day = 0;
	}
	fp->realised_day += np.realised - fp->p.realised;
	fp->fees_day += fee;
	fp->p = np;
	/* a fill of an order risk did not send: a bracket leg or the executor's square-off */
	if (!pd || pd->final)
		return expose(r, user, strategy, symbol, side, qty, price, err, errlen);
	return 0;
}

static int apply_final_rec(struct algo_risk *r, const char *id, const char *user, int64_t filled,
	char *err, size_t errlen)
{
	char key[2 * ALGO_NAME_MAX];
	size_t kn = algo_book_key(key, sizeof key, user, id, NULL);
	struct pend *pd = kn ? algo_book_tab_get(&r->pend, key, kn, 0) : NULL;
	if (!pd || pd->final)
		return 0;
	pd->final = 1;
	if (filled < pd->qty)
		return expose(r, pd->user, pd->strategy, pd->symbol, -pd->side, pd->qty - filled,
			pd->price, err, errlen);
	return 0;
}

static int record_exec(struct algo_risk *r, const char *kind, int64_t ts, const char *id,
	const char *user, const char *strategy, const char *symbol, int side, int64_t qty,
	int64_t price, int64_t fee, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int rc;
	if (!r->db)
		return 0;
	if (begin_batch(r, err, errlen))
		return -1;
	st = r->db->insf;
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, user, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
	if (strategy) sqlite3_bind_text(st, 4, strategy, -1, SQLITE_TRANSIENT);
	else sqlite3_bind_null(st, 4);
	if (symbol) sqlite3_bind_text(st, 5, symbol, -1, SQLITE_TRANSIENT);
	else sqlite3_bind_null(st, 5);
	if (side) sqlite3_bind_text(st, 6, side > 0 ? "buy" : "sell", -1, SQLITE_STATIC);
	else sqlite3_bind_null(st, 6);
	sqlite3_bind_int64(st, 7, qty);
	sqlite3_bind_int64(st, 8, price);
	sqlite3_bind_int64(st, 9, fee);
	sqlite3_bind_int64(st, 10, ts);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "%s: recording a fill: %s", r->db->s->path,
			sqlite3_errmsg(r->db->s->db));
		return -1;
	}
	return 0;
}

/* Sets a position to qty, keeping its average price (cost scaled) or, for a new or
 * flipped position, at price px; realised PnL and fees stay. */
static void set_qty(struct algo_position *p, int64_t qty, int64_t px)
{
	if (qty == p->qty)
		return;
	if (qty == 0 || p->qty == 0 || (qty > 0) != (p->qty > 0))
		p->cost = (int64_t)((__int128)qty * px);
	else
		p->cost = (int64_t)((__int128)p->cost * qty / p->qty);
	p->qty = qty;
}

/* The first ack of a run: the executor's positions are the truth. A restarted
 * algo-risk adopts them, for the exposure and for the real-fill book (a fresh paper
 * executor holds none; one that kept running holds what it filled meanwhile), and
 * stops waiting for orders of earlier runs (their fills count as the executor's). */
static int reconcile(struct algo_risk *r, json_t *pos)
{
	size_t i;
	json_t *x;
	r->reconciled = 1;
	for (i = 0; i < algo_book_tab_count(&r->pend); i++)
		((struct pend *)algo_book_tab_at(&r->pend, i, NULL, NULL))->final = 1;
	/* what the executor does not hold is gone; a position it holds that this book
	 * lacks starts at the latest price (no unrealised PnL from before) */
	for (i = 0; i < algo_book_tab_count(&r->book.tab); i++)
		set_qty(algo_book_tab_at(&r->book.tab, i, NULL, NULL), 0, 0);
	for (i = 0; i < algo_book_tab_count(&r->fpos); i++) {
		struct fpos *fp = algo_book_tab_at(&r->fpos, i, NULL, NULL);
		fp->held = fp->p;
		set_qty(&fp->p, 0, 0);
	}
	json_array_foreach(pos, i, x) {
		const char *u = json_string_value(json_array_get(x, 0));
		const char *g = json_string_value(json_array_get(x, 1));
		const char *y = json_string_value(json_array_get(x, 2));
		int64_t q = json_integer_value(json_array_get(x, 3));
		struct algo_position *p = u && g && y ? algo_book_get(&r->book, u, g, y, 1) : NULL;
		struct fpos *fp = u && g && y ? get_fpos(r, u, g, y) : NULL;
		if (!p || !fp)
			return -1;
		set_qty(p, p->qty + q, 0);
		if (fp->p.qty == 0 && fp->held.qty && (fp->held.qty > 0) == (fp->p.qty + q > 0))
			fp->p = fp->held;    /* the same side as before: keep its cost */
		set_qty(&fp->p, fp->p.qty + q, fp->m->have ? fp->m->px : 0);
	}
	return 0;
}

int algo_risk_channel(struct algo_risk *r, const char *line, size_t len, char *err, size_t errlen)
{
	static const char *const sides[] = { "buy", "sell", NULL };
	struct algo_event ev;
	char id[ALGO_NAME_MAX], user[ALGO_NAME_MAX], strategy[ALGO_NAME_MAX], symbol[ALGO_NAME_MAX];
	char status[16];
	const struct algo_jfield *t;
	int64_t ts, qty, price, fee, n = 0;
	int side, rc;

	if (algo_event_parse(&ev, line, len, err, errlen))
		goto bad;
	t = algo_event_get(&ev, "type");
	if (ev.type == ALGO_EV_FILL) {
		if (algo_event_time(&ev, "ts", 1, &ts, err, errlen) < 0 ||
		    algo_event_str(&ev, "id", 1, id, sizeof id, err, errlen) < 0 ||
		    algo_event_int(&ev, "n", 0, &n, err, errlen) < 0 ||
		    algo_event_name(&ev, "user", 1, user, sizeof user, err, errlen) < 0 ||
		    algo_event_name(&ev, "strategy", 1, strategy, sizeof strategy, err, errlen) < 0 ||
		    algo_event_name(&ev, "symbol", 1, symbol, sizeof symbol, err, errlen) < 0 ||
		    (side = algo_event_word(&ev, "side", sides, "buy or sell", -1, err, errlen)) < 0 ||
		    algo_event_qty(&ev, "qty", 1, &qty, err, errlen) < 0 ||
		    algo_event_price(&ev, "price", 1, &price, err, errlen) < 0 ||
		    algo_event_dec(&ev, "fee", 1, &fee, err, errlen) < 0)
			goto bad;
		side = side == 0 ? ALGO_BUY : ALGO_SELL;
		rc = apply_fill_rec(r, ts, id, n, user, strategy, symbol, side, qty, price, fee, err, errlen);
		if (rc)
			return rc < 0 ? -1 : 0;
		return record_exec(r, "fill", ts, id, user, strategy, symbol, side, qty, price, fee, err, errlen);
	}
	if (t && t->vlen == 5 && memcmp(t->val, "final", 5) == 0) {
		if (algo_event_str(&ev, "id", 1, id, sizeof id, err, errlen) < 0 ||
		    algo_event_name(&ev, "user", 1, user, sizeof user, err, errlen) < 0 ||
		    algo_event_str(&ev, "status", 1, status, sizeof status, err, errlen) < 0 ||
		    algo_event_int(&ev, "filled", 1, &qty, err, errlen) < 0)
			goto bad;
		return apply_final_rec(r, id, user, qty, err, errlen) ||
			record_exec(r, "final", 0, id, user, NULL, NULL, 0, qty, 0, 0, err, errlen);
	}
	if (t && t->vlen == 3 && memcmp(t->val, "ack", 3) == 0) {
		/* the orders still working at the executor are what stays uncertain */
		json_error_t je;
		json_t *root = json_loadb(line, len, 0, &je), *w, *x;
		size_t i;
		if (!root || !json_is_array(w = json_object_get(root, "working"))) {
			json_decref(root);
			snprintf(err, errlen, "bad ack");
			goto bad;
		}
		r->nunc = 0;
		r->ack_square_off = (int)json_integer_value(json_object_get(root, "square_off"));
		r->ack_open = json_integer_value(json_object_get(root, "open"));
		if (algo_dec_from_double(json_number_value(json_object_get(root, "slip_bps")), &r->ack_slip_bps) ||
		    algo_dec_from_double(json_number_value(json_object_get(root, "slip_abs")), &r->ack_slip_abs) ||
		    algo_dec_from_double(json_number_value(json_object_get(root, "fee_bps")), &r->ack_fee_bps))
			r->ack_slip_bps = r->ack_slip_abs = 0, r->ack_fee_bps = 100 * 10000;
		json_array_foreach(w, i, x) {
			const char *u = json_string_value(json_array_get(x, 0));
			const char *g = json_string_value(json_array_get(x, 1));
			const char *y = json_string_value(json_array_get(x, 2));
			int sd = (int)json_integer_value(json_array_get(x, 3)) > 0 ? ALGO_BUY : ALGO_SELL;
			int64_t q = json_integer_value(json_array_get(x, 4));
			int legs = (int)json_integer_value(json_array_get(x, 5));
			struct fpos *fp = u && g && y ? get_fpos(r, u, g, y) : NULL;
			if (!fp || add_unc(r, fp, sd, q) || (legs && add_unc(r, fp, -sd, q))) {
				json_decref(root);
				snprintf(err, errlen, "bad ack or out of memory");
				goto bad;
			}
		}
		if (!r->reconciled && reconcile(r, json_object_get(root, "positions"))) {
			json_decref(root);
			snprintf(err, errlen, "bad ack or out of memory");
			goto bad;
		}
		json_decref(root);
		for (size_t k = 0; k < algo_book_tab_count(&r->marks); k++) {
			struct mark *m = algo_book_tab_at(&r->marks, k, NULL, NULL);
			m->lo = m->hi = m->px;
		}
		r->waits++;
		return 0;
	}
	snprintf(err, errlen, "unknown record");
bad:
	{
		char e2[ALGO_ERR_MAX];
		snprintf(e2, sizeof e2, "fills channel: %s: %.*s", err, (int)(len > 120 ? 120 : len), line);
		snprintf(err, errlen, "%s", e2);
	}
	return -1;
}

int algo_risk_mark(struct algo_risk *r, const char *symbol, int64_t px, int64_t lo, int64_t hi,
	char *err, size_t errlen)
{
	struct mark *m = get_mark(r, symbol);
	if (!m) { snprintf(err, errlen, "out of memory"); return -1; }
	if (!m->have) {
		m->have = 1;
		m->lo = lo;
		m->hi = hi;
	}
	m->px = px;
	if (lo < m->lo) m->lo = lo;
	if (hi > m->hi) m->hi = hi;
	return 0;
}

static int64_t day_pnl(const struct pstrat *ps, int64_t day)
{
	__int128 t = 0;
	for (size_t i = 0; i < ps->n; i++) {
		const struct fpos *fp = ps->v[i];
		if (fp->day == day)
			t += (__int128)fp->realised_day - fp->fees_day;
		if (fp->p.qty && fp->m->have)
			t += (__int128)fp->p.qty * fp->m->px - fp->p.cost;
	}
	return t > INT64_MAX / 2 ? INT64_MAX / 2 : t < INT64_MIN / 2 ? INT64_MIN / 2 : (int64_t)t;
}

int64_t algo_risk_day_pnl(struct algo_risk *r, const char *user, const char *strategy, int64_t day)
{
	char key[2 * ALGO_NAME_MAX];
	size_t kn = algo_book_key(key, sizeof key, user, strategy, NULL);
	const struct pstrat *ps = kn ? algo_book_tab_get(&r->pst, key, kn, 0) : NULL;
	return ps ? day_pnl(ps, day) : 0;
}

static void resolve(struct algo_risk *r, struct pstrat *ps)
{
	struct algo_risk_rules rr;
	const struct algo_risk_plan *plan;
	if (ps->resolved)
		return;
	algo_risk_rules_for(&r->cfg, ps->user, ps->strategy, &rr);
	ps->loss = rr.max_daily_loss == ALGO_RISK_NOLIMIT ? ALGO_RISK_NOLIMIT :
		rr.max_daily_loss * rr.multiplier;
	ps->profit = rr.max_daily_profit == ALGO_RISK_NOLIMIT ? ALGO_RISK_NOLIMIT :
		rr.max_daily_profit * rr.multiplier;
	ps->loss_by = "max_daily_loss";
	plan = algo_risk_plan_of(r, ps->user);
	if (plan->known && plan->max_daily_loss != ALGO_RISK_NOLIMIT &&
	    (ps->loss == ALGO_RISK_NOLIMIT || plan->max_daily_loss < ps->loss)) {
		ps->loss = plan->max_daily_loss;
		ps->loss_by = "plan";
	}
	ps->resolved = 1;
}

int algo_risk_has_pnl_limits(struct algo_risk *r)
{
	return r->cfg.pnl_key != NULL;
}

/* Moves (strategy) to reducing because of a PnL limit: state row and audit row in the
 * current batch, the change in r->changes. */
static int trip(struct algo_risk *r, struct pstrat *ps, int64_t ts, const char *rule,
	int64_t limit, int64_t value, char *err, size_t errlen)
{
	struct algo_risk_state ns = { .scope = ALGO_RISK_SCOPE_STRATEGY, .state = ALGO_RISK_REDUCING };
	char a[32], b[32];
	size_t i;
	algo_dec_fmt(value, a);
	algo_dec_fmt(limit, b);
	snprintf(ns.key, sizeof ns.key, "%s", ps->strategy);
	if (strcmp(rule, "plan") == 0)
		snprintf(ns.reason, sizeof ns.reason, "plan %s caps the daily loss: day PnL %s reached -%s",
			algo_risk_plan_of(r, ps->user)->plan, a, b);
	else
		snprintf(ns.reason, sizeof ns.reason, "%s: day PnL %s reached %s%s", rule, a,
			strcmp(rule, "max_daily_profit") ? "-" : "", b);
	for (i = 0; i < r->nstates; i++)
		if (r->states[i].scope == ns.scope && strcmp(r->states[i].key, ns.key) == 0)
			break;
	if (i == r->nstates) {
		struct algo_risk_state *nw = realloc(r->states, (r->nstates + 1) * sizeof *nw);
		if (!nw) { snprintf(err, errlen, "out of memory"); return -1; }
		r->states = nw;
		r->nstates++;
	}
	r->states[i] = ns;
	{
		struct algo_risk_state *nc = realloc(r->changes, (r->nchanges + 1) * sizeof *nc);
		if (!nc) { snprintf(err, errlen, "out of memory"); return -1; }
		r->changes = nc;
		r->changes[r->nchanges++] = ns;
	}
	if (r->db) {
		if (begin_batch(r, err, errlen) ||
		    write_state(r->db->s, ns.scope, ns.key, ns.state, ns.reason, "algo-risk", ps->user, ts,
		    err, errlen))
			return -1;
		read_data_version(r, &r->db->data_version);
	}
	return 0;
}

/* Adds to [*lo, *hi] what a fill of qty on side anywhere in m's range (widened by
 * slippage) can do to the day PnL marked at m's price, charges included in *lo. */
static void bound_one(const struct algo_risk *r, const struct mark *m, int side, int64_t qty,
	__int128 *lo, __int128 *hi)
{
	__int128 q = qty;
	__int128 top = m->hi + (__int128)m->hi * r->ack_slip_bps / 100000000 + r->ack_slip_abs + 1;
	__int128 bot = m->lo - (__int128)m->lo * r->ack_slip_bps / 100000000 - r->ack_slip_abs - 1;
	if (side == ALGO_BUY) {
		*lo += q * (m->px - top);
		*hi += q * (m->px - bot);
	} else {
		*lo += q * (bot - m->px);
		*hi += q * (top - m->px);
	}
	*lo -= q * top * r->ack_fee_bps / 100000000 + 1 + 100 * ALGO_DEC_SCALE;
}

int algo_risk_pnl_check(struct algo_risk *r, const char *symbol, int64_t ts, int exact,
	int square_off_possible, char *err, size_t errlen)
{
	struct mark *m = algo_book_tab_get(&r->marks, symbol, strlen(symbol), 0);
	int64_t day = algo_time_ist_day(ts);
	int out = 0;
	if (!m)
		return 0;
	for (size_t i = 0; i < m->n; i++) {
		struct pstrat *ps = m->v[i];
		int64_t known;
		resolve(r, ps);
		if (ps->loss == ALGO_RISK_NOLIMIT && ps->profit == ALGO_RISK_NOLIMIT)
			continue;
		if (algo_risk_state_of(r, ps->user, ps->strategy, NULL, 0) != ALGO_RISK_ACTIVE)
			continue;
		r->checks++;
		known = day_pnl(ps, day);
		if (!exact) {
			/* worst and best day PnL if every uncertain order filled anywhere in its
			 * symbol's range since the ack, widened by the executor's slippage, with
			 * charges at its ceiling */
			__int128 lo = known, hi = known;
			for (size_t k = 0; k < r->nunc; k++) {
				const struct algo_risk_unc *u = &r->unc[k];
				if (u->ps != ps)
					continue;
				bound_one(r, u->m, u->side, u->qty, &lo, &hi);
				if (square_off_possible)   /* opened and closed again since the ack */
					bound_one(r, u->m, -u->side, u->qty, &lo, &hi);
			}
			if (square_off_possible)
				for (size_t k = 0; k < ps->n; k++) {
					const struct fpos *fp = ps->v[k];
					if (fp->p.qty)
						bound_one(r, fp->m, fp->p.qty > 0 ? ALGO_SELL : ALGO_BUY,
							fp->p.qty > 0 ? fp->p.qty : -fp->p.qty, &lo, &hi);
				}
			if ((ps->loss != ALGO_RISK_NOLIMIT && lo <= -(__int128)ps->loss) ||
			    (ps->profit != ALGO_RISK_NOLIMIT && hi >= ps->profit))
				return 1;
			continue;
		}
		if (ps->loss != ALGO_RISK_NOLIMIT && known <= -ps->loss) {
			if (trip(r, ps, ts, ps->loss_by, ps->loss, known, err, errlen))
				return -1;
			out = 2;
		} else if (ps->profit != ALGO_RISK_NOLIMIT && known >= ps->profit) {
			if (trip(r, ps, ts, "max_daily_profit", ps->profit, known, err, errlen))
				return -1;
			out = 2;
		}
	}
	return out;
}

