#include "risk.h"
#include "decimal.h"
#include "timeutil.h"
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIMIT_MAX 1000000000000LL

/* ---- config ----------------------------------------------------------------------- */

static const char *const limit_keys[] = { "max_trades_per_day", "max_position_qty" };
#define NLIMIT_KEYS (sizeof limit_keys / sizeof limit_keys[0])

void algo_risk_config_init(struct algo_risk_config *c)
{
	c->defaults.max_trades_per_day = ALGO_RISK_NOLIMIT;
	c->defaults.max_position_qty = ALGO_RISK_NOLIMIT;
	c->strategies = NULL;
	c->nstrategies = 0;
}

void algo_risk_config_free(struct algo_risk_config *c)
{
	free(c->strategies);
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
	for (size_t i = 0; i < NLIMIT_KEYS + (top ? 1 : 0); i++) {
		const char *k = i < NLIMIT_KEYS ? limit_keys[i] : "strategies";
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

/* Reads the limit keys of obj into lim; other keys are errors except "strategies" and
 * "$schema" at the top. */
static int load_limits(json_t *obj, const char *file, const char *base, int top,
	struct algo_risk_limits *lim, char *err, size_t errlen)
{
	const char *key;
	json_t *val;
	char path[256];

	json_object_foreach(obj, key, val) {
		size_t i;
		snprintf(path, sizeof path, "%s", base);
		path_add(path, sizeof path, key);
		if (top && (strcmp(key, "strategies") == 0 || strcmp(key, "$schema") == 0))
			continue;
		for (i = 0; i < NLIMIT_KEYS; i++)
			if (strcmp(key, limit_keys[i]) == 0)
				break;
		if (i == NLIMIT_KEYS) {
			unknown_key(file, path, key, top, err, errlen);
			return -1;
		}
		if (!json_is_integer(val) || json_integer_value(val) < 0 ||
		    json_integer_value(val) > LIMIT_MAX) {
			snprintf(err, errlen, "%s: %s: must be a whole number from 0 to %lld",
				file, path, LIMIT_MAX);
			return -1;
		}
		if (i == 0) lim->max_trades_per_day = (int64_t)json_integer_value(val);
		else lim->max_position_qty = (int64_t)json_integer_value(val);
	}
	return 0;
}

static int load_root(struct algo_risk_config *c, json_t *root, const char *file,
	char *err, size_t errlen)
{
	json_t *strats, *val, *schema;
	const char *name;
	char path[256];

	if (!json_is_object(root)) {
		snprintf(err, errlen, "%s: $: must be an object", file);
		return -1;
	}
	schema = json_object_get(root, "$schema");
	if (schema && !json_is_string(schema)) {
		snprintf(err, errlen, "%s: $[\"$schema\"]: must be a string", file);
		return -1;
	}
	if (load_limits(root, file, "$", 1, &c->defaults, err, errlen))
		return -1;
	strats = json_object_get(root, "strategies");
	if (!strats)
		return 0;
	if (!json_is_object(strats)) {
		snprintf(err, errlen, "%s: $.strategies: must be an object", file);
		return -1;
	}
	if (json_object_size(strats) > 0) {
		c->strategies = calloc(json_object_size(strats), sizeof *c->strategies);
		if (!c->strategies) {
			snprintf(err, errlen, "%s: out of memory", file);
			return -1;
		}
	}
	json_object_foreach(strats, name, val) {
		struct algo_risk_strategy *s = &c->strategies[c->nstrategies];
		snprintf(path, sizeof path, "$.strategies");
		path_add(path, sizeof path, name);
		if (!name[0] || strlen(name) >= sizeof s->name) {
			snprintf(err, errlen, "%s: %s: strategy name must be 1 to %zu bytes", file,
				path, sizeof s->name - 1);
			return -1;
		}
		if (!json_is_object(val)) {
			snprintf(err, errlen, "%s: %s: must be an object", file, path);
			return -1;
		}
		memcpy(s->name, name, strlen(name) + 1);
		s->lim = c->defaults;
		if (load_limits(val, file, path, 0, &s->lim, err, errlen))
			return -1;
		c->nstrategies++;
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

const struct algo_risk_limits *algo_risk_limits_for(const struct algo_risk_config *c,
	const char *strategy)
{
	for (size_t i = 0; i < c->nstrategies; i++)
		if (strcmp(c->strategies[i].name, strategy) == 0)
			return &c->strategies[i].lim;
	return &c->defaults;
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

struct day_counters {
	int64_t day;          /* IST trading day (days since epoch); valid when used */
	int used;
	int64_t trades;       /* approved entries that day */
};

struct seq_counter {
	int64_t day;
	int used;
	int64_t seq;          /* last sequence number handed out that day */
};

void algo_risk_init(struct algo_risk *r, struct algo_risk_config *cfg)
{
	r->cfg = *cfg;
	algo_risk_config_init(cfg);
	algo_book_init(&r->book);
	algo_book_tab_init(&r->days, sizeof(struct day_counters));
	algo_book_tab_init(&r->seqs, sizeof(struct seq_counter));
}

void algo_risk_free(struct algo_risk *r)
{
	algo_risk_config_free(&r->cfg);
	algo_book_free(&r->book);
	algo_book_tab_free(&r->days);
	algo_book_tab_free(&r->seqs);
}

int algo_risk_decide(struct algo_risk *r, const struct algo_risk_signal *s,
	struct algo_risk_verdict *v, char *err, size_t errlen)
{
	char key[3 * ALGO_NAME_MAX], tag[ALGO_RISK_TAG_MAX + 1];
	size_t kn;
	int64_t day = algo_time_ist_day(s->ts), trades, seq;
	struct day_counters *dc;
	struct seq_counter *sc;
	struct algo_position *pos, np;

	kn = algo_book_key(key, sizeof key, s->user, s->strategy, NULL);
	if (!kn) { snprintf(err, errlen, "user or strategy name too long"); return -1; }
	dc = algo_book_tab_get(&r->days, key, kn, 1);
	algo_risk_tag(s->strategy, tag);
	kn = algo_book_key(key, sizeof key, s->user, tag, NULL);
	sc = kn ? algo_book_tab_get(&r->seqs, key, kn, 1) : NULL;
	pos = algo_book_get(&r->book, s->user, s->strategy, s->symbol, 1);
	if (!dc || !sc || !pos) { snprintf(err, errlen, "out of memory or name too long"); return -1; }

	if ((dc->used && day < dc->day) || (sc->used && day < sc->day)) {
		snprintf(err, errlen, "field 'ts': trading day goes back for strategy '%s'", s->strategy);
		return -1;
	}
	trades = dc->used && day == dc->day ? dc->trades : 0;
	seq = sc->used && day == sc->day ? sc->seq : 0;

	algo_risk_check(algo_risk_limits_for(&r->cfg, s->strategy), trades, pos->qty, &s->req, v);
	if (!v->ok)
		return 0;
	if (algo_risk_order_id(tag, s->ts, seq + 1, v->id)) {
		char ymd[7];
		algo_time_ist_yymmdd(s->ts, ymd);
		snprintf(v->reason, sizeof v->reason, "order id sequence for '%s' on %s exhausted",
			tag, ymd);
		v->id[0] = '\0';
		return block(v, "order_id", 1, ALGO_RISK_SEQ_MAX, seq + 1);
	}
	np = *pos;
	if (algo_book_apply_fill(&np, s->req.side, v->qty, s->price, err, errlen))
		return -1;
	*pos = np;
	dc->used = sc->used = 1;
	dc->day = sc->day = day;
	dc->trades = trades + (s->req.action == ALGO_RISK_ENTRY);
	sc->seq = seq + 1;
	return 0;
}
