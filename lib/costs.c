#include "costs.h"
#include "cli.h"
#include "decimal.h"
#include "timeutil.h"
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- loading ------------------------------------------------------------------ */

static const char *const seg_names[ALGO_SEG_COUNT] = {
	"equity_intraday", "equity_delivery", "futures", "options",
};

#define FAIL(...) do { snprintf(err, errlen, __VA_ARGS__); return -1; } while (0)

/* A JSON number as an exact integer count of 1/scale units (percent × 10^7 = parts
 * per 10^9; rupees × 10^4 = decimal). Fails on more precision than scale holds. */
static int exact_units(json_t *v, double scale, int64_t *out)
{
	double d, r;
	if (!json_is_number(v))
		return -1;
	d = json_number_value(v) * scale;
	if (!isfinite(d) || d < 0 || d > 9e15)
		return -1;
	r = nearbyint(d);
	if (fabs(d - r) > 1e-6 * (r > 1 ? r : 1))
		return -1;
	*out = (int64_t)r;
	return 0;
}

static int load_rate(json_t *seg, const char *path, const char *key, double scale, int required,
	int64_t *out, char *err, size_t errlen)
{
	json_t *v = json_object_get(seg, key);
	*out = 0;
	if (!v) {
		if (required) FAIL("%s: missing '%s'", path, key);
		return 0;
	}
	if (exact_units(v, scale, out))
		FAIL("%s.%s: must be a number >= 0 with at most %s decimals", path, key,
			scale == 1e7 ? "7" : scale == 100 ? "2" : "4");
	return 1;
}

static int load_segment(json_t *seg, const char *path, struct algo_costs_rates *r, char *err,
	size_t errlen)
{
	static const char *const keys[] = { "_comment", "brokerage_pct", "brokerage_max",
		"brokerage_flat", "stt_buy_pct", "stt_sell_pct", "exchange_pct", "sebi_per_crore",
		"ipft_per_crore", "stamp_buy_pct", "gst_pct", "dp_sell", NULL };
	const char *key;
	json_t *v;
	int has_pct, has_max, has_flat;

	if (!json_is_object(seg)) FAIL("%s: must be an object", path);
	json_object_foreach(seg, key, v) {
		int i;
		for (i = 0; keys[i] && strcmp(keys[i], key) != 0; i++)
			;
		if (!keys[i]) FAIL("%s: unknown member '%s'", path, key);
	}
	/* percent -> parts per 10^9: × 10^7; per crore (10^7 rupees) -> × 100. */
	if ((has_pct = load_rate(seg, path, "brokerage_pct", 1e7, 0, &r->brk_rate, err, errlen)) < 0 ||
	    (has_max = load_rate(seg, path, "brokerage_max", 1e4, 0, &r->brk_max, err, errlen)) < 0 ||
	    (has_flat = load_rate(seg, path, "brokerage_flat", 1e4, 0, &r->brk_flat, err, errlen)) < 0 ||
	    load_rate(seg, path, "stt_buy_pct", 1e7, 1, &r->stt_buy, err, errlen) < 0 ||
	    load_rate(seg, path, "stt_sell_pct", 1e7, 1, &r->stt_sell, err, errlen) < 0 ||
	    load_rate(seg, path, "exchange_pct", 1e7, 1, &r->exchange, err, errlen) < 0 ||
	    load_rate(seg, path, "sebi_per_crore", 100, 1, &r->sebi, err, errlen) < 0 ||
	    load_rate(seg, path, "ipft_per_crore", 100, 1, &r->ipft, err, errlen) < 0 ||
	    load_rate(seg, path, "stamp_buy_pct", 1e7, 1, &r->stamp_buy, err, errlen) < 0 ||
	    load_rate(seg, path, "gst_pct", 1e7, 1, &r->gst, err, errlen) < 0 ||
	    load_rate(seg, path, "dp_sell", 1e4, 0, &r->dp_sell, err, errlen) < 0)
		return -1;
	if (has_flat && (has_pct || has_max))
		FAIL("%s: give either brokerage_flat or brokerage_pct with brokerage_max", path);
	if (!has_flat && !(has_pct && has_max))
		FAIL("%s: needs brokerage_flat, or brokerage_pct and brokerage_max", path);
	r->brk_has_rate = !has_flat;
	return 0;
}

static int parse_day(json_t *v, int64_t *day)
{
	const char *s = json_string_value(v);
	unsigned y, m, d;
	int n = 0;
	if (!s || strlen(s) != 10 || sscanf(s, "%4u-%2u-%2u%n", &y, &m, &d, &n) != 3 || n != 10 ||
	    m < 1 || m > 12 || d < 1 || d > 31)
		return -1;
	*day = algo_days_from_civil(y, m, d);
	{	/* reject 2024-02-30 and the like */
		int64_t yy;
		unsigned mm, dd;
		algo_civil_from_days(*day, &yy, &mm, &dd);
		if (yy != (int64_t)y || mm != m || dd != d)
			return -1;
	}
	return 0;
}

static int load_root(struct algo_costs *c, json_t *root, char *err, size_t errlen)
{
	json_t *periods, *lots, *v;
	const char *key;
	char path[96];

	if (!json_is_object(root)) FAIL("$: must be an object");
	json_object_foreach(root, key, v) {
		if (strcmp(key, "name") && strcmp(key, "periods") && strcmp(key, "lot_sizes") &&
		    strcmp(key, "_comment") && strcmp(key, "source"))
			FAIL("$: unknown member '%s'", key);
	}
	v = json_object_get(root, "name");
	if (!json_is_string(v) || !json_string_length(v) ||
	    json_string_length(v) >= sizeof c->name)
		FAIL("$.name: must be a string of 1 to %zu bytes", sizeof c->name - 1);
	snprintf(c->name, sizeof c->name, "%s", json_string_value(v));
	periods = json_object_get(root, "periods");
	if (!json_is_array(periods) || !json_array_size(periods))
		FAIL("$.periods: must be a non-empty array");
	c->np = json_array_size(periods);
	if (!(c->p = calloc(c->np, sizeof *c->p)))
		FAIL("out of memory");
	for (size_t i = 0; i < c->np; i++) {
		json_t *p = json_array_get(periods, i), *segs;
		struct algo_costs_period *cp = &c->p[i];
		if (!json_is_object(p)) FAIL("$.periods[%zu]: must be an object", i);
		json_object_foreach(p, key, v) {
			if (strcmp(key, "from") && strcmp(key, "to") && strcmp(key, "segments") &&
			    strcmp(key, "_comment"))
				FAIL("$.periods[%zu]: unknown member '%s'", i, key);
		}
		if (parse_day(json_object_get(p, "from"), &cp->from))
			FAIL("$.periods[%zu].from: must be a date YYYY-MM-DD", i);
		cp->to = INT64_MAX;
		if (json_object_get(p, "to") && parse_day(json_object_get(p, "to"), &cp->to))
			FAIL("$.periods[%zu].to: must be a date YYYY-MM-DD", i);
		if (cp->to < cp->from)
			FAIL("$.periods[%zu]: 'to' is before 'from'", i);
		if (i && cp->from <= c->p[i - 1].to)
			FAIL("$.periods[%zu]: overlaps or precedes the period before it (list periods in date order)", i);
		segs = json_object_get(p, "segments");
		if (!json_is_object(segs)) FAIL("$.periods[%zu].segments: must be an object", i);
		json_object_foreach(segs, key, v) {
			int s;
			for (s = 0; s < ALGO_SEG_COUNT && strcmp(seg_names[s], key); s++)
				;
			if (s == ALGO_SEG_COUNT && strcmp(key, "_comment"))
				FAIL("$.periods[%zu].segments: unknown segment '%s'", i, key);
		}
		for (int s = 0; s < ALGO_SEG_COUNT; s++) {
			snprintf(path, sizeof path, "$.periods[%zu].segments.%s", i, seg_names[s]);
			if (!json_object_get(segs, seg_names[s])) FAIL("%s: missing", path);
			if (load_segment(json_object_get(segs, seg_names[s]), path, &cp->seg[s], err, errlen))
				return -1;
		}
	}
	lots = json_object_get(root, "lot_sizes");
	if (lots) {
		size_t i = 0;
		if (!json_is_object(lots)) FAIL("$.lot_sizes: must be an object");
		c->nlots = json_object_size(lots);
		if (c->nlots && !(c->lots = calloc(c->nlots, sizeof *c->lots)))
			FAIL("out of memory");
		json_object_foreach(lots, key, v) {
			if (!key[0] || strlen(key) >= sizeof c->lots[i].underlying)
				FAIL("$.lot_sizes: bad underlying name '%s'", key);
			if (!json_is_integer(v) || json_integer_value(v) <= 0)
				FAIL("$.lot_sizes.%s: must be a positive integer", key);
			snprintf(c->lots[i].underlying, sizeof c->lots[i].underlying, "%s", key);
			c->lots[i].size = json_integer_value(v);
			i++;
		}
	}
	return 0;
}

int algo_costs_load(struct algo_costs *c, const char *path, char *err, size_t errlen)
{
	json_error_t je;
	json_t *root;
	char msg[ALGO_COSTS_NAME_MAX * 4];
	int rc;

	memset(c, 0, sizeof *c);
	root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (!root) {
		FILE *f = fopen(path, "r");
		if (!f) {
			int e = errno;
			snprintf(err, errlen, "%s: %s", path, strerror(e));
			errno = e;
			return -1;
		}
		fclose(f);
		snprintf(err, errlen, "%s:%d: %s", path, je.line, je.text);
		errno = EINVAL;
		return -1;
	}
	rc = load_root(c, root, msg, sizeof msg);
	json_decref(root);
	if (rc) {
		snprintf(err, errlen, "%s: %s", path, msg);
		algo_costs_free(c);
		errno = EINVAL;
		return -1;
	}
	return 0;
}

/* A table name is a plain file name: letters, digits, '_', '.' and '-', not '.'-first. */
static int valid_table_name(const char *s)
{
	if (!*s || *s == '.' || strlen(s) > ALGO_COSTS_NAME_MAX)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		    *s == '_' || *s == '.' || *s == '-'))
			return 0;
	return 1;
}

/* The directory of the running program, or -1. */
static int program_dir(char *dir, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", dir, len - 1);
	char *slash;
	if (n <= 0 || (size_t)n >= len - 1)
		return -1;
	dir[n] = '\0';
	if (!(slash = strrchr(dir, '/')))
		return -1;
	*slash = '\0';
	return 0;
}

int algo_costs_find(const char *arg, char *path, size_t len, char *err, size_t errlen)
{
	static const char *const layouts[] = { "../share/algo/costs", "../../share/costs" };
	char dir[4096];
	if (strchr(arg, '/') || (strlen(arg) > 5 && strcmp(arg + strlen(arg) - 5, ".json") == 0)) {
		if ((size_t)snprintf(path, len, "%s", arg) >= len) { errno = EINVAL; FAIL("%s: path too long", arg); }
		return 0;
	}
	if (!valid_table_name(arg)) {
		errno = EINVAL;
		FAIL("'%s' is not a charges table name (letters, digits, '_', '.', '-') or a path", arg);
	}
	if (program_dir(dir, sizeof dir)) {
		errno = EINVAL;
		FAIL("cannot find the program's directory to look up the charges table '%s'", arg);
	}
	for (size_t i = 0; i < sizeof layouts / sizeof *layouts; i++) {
		if ((size_t)snprintf(path, len, "%s/%s/%s.json", dir, layouts[i], arg) >= len) { errno = EINVAL; FAIL("%s: path too long", dir); }
		if (access(path, F_OK) == 0)
			return 0;
	}
	snprintf(err, errlen, "no charges table '%s': neither %s/../share/algo/costs/%s.json (installed) "
		"nor %s/../../share/costs/%s.json (build tree) exists", arg, dir, arg, dir, arg);
	errno = ENOENT;
	return -1;
}

int algo_costs_open(struct algo_costs *c, const char *arg, char *err, size_t errlen)
{
	char path[PATH_MAX];
	if (algo_costs_find(arg, path, sizeof path, err, errlen) || algo_costs_load(c, path, err, errlen))
		return errno == ENOENT ? ALGO_EX_NOINPUT : ALGO_EX_CONFIG;
	return 0;
}

void algo_costs_free(struct algo_costs *c)
{
	free(c->p);
	free(c->lots);
	memset(c, 0, sizeof *c);
}

const struct algo_costs_period *algo_costs_period(const struct algo_costs *c, int64_t day)
{
	for (size_t i = 0; i < c->np; i++)
		if (day >= c->p[i].from && day <= c->p[i].to)
			return &c->p[i];
	return NULL;
}

/* ---- segments and lots ------------------------------------------------------------- */

static int ends_with(const char *s, const char *suf)
{
	size_t n = strlen(s), k = strlen(suf);
	return n >= k && strcmp(s + n - k, suf) == 0;
}

int algo_costs_segment(const char *symbol, const char *product)
{
	size_t n = strlen(symbol);
	if (ends_with(symbol, "FUT"))
		return ALGO_SEG_FUT;
	if (n > 2 && (ends_with(symbol, "CE") || ends_with(symbol, "PE")) &&
	    symbol[n - 3] >= '0' && symbol[n - 3] <= '9')
		return ALGO_SEG_OPT;
	if (product && (strcmp(product, "delivery") == 0 || strcmp(product, "margin") == 0))
		return ALGO_SEG_EQ_DELIVERY;
	return ALGO_SEG_EQ_INTRADAY;
}

int64_t algo_costs_lot_size(const struct algo_costs *c, const char *symbol)
{
	const char *s = strchr(symbol, ':');
	size_t k;
	s = s ? s + 1 : symbol;
	for (k = 0; s[k] && !(s[k] >= '0' && s[k] <= '9'); k++)
		;
	for (size_t i = 0; i < c->nlots; i++)
		if (strlen(c->lots[i].underlying) == k && memcmp(c->lots[i].underlying, s, k) == 0)
			return c->lots[i].size;
	return 0;
}

/* ---- one fill ---------------------------------------------------------------------- */

/* num / den rounded half away from zero (den > 0). */
static __int128 div_round(__int128 num, __int128 den)
{
	__int128 q = num / den, r = num % den;
	if (2 * (r < 0 ? -r : r) >= den)
		q += num < 0 ? -1 : 1;
	return q;
}

/* turnover × rate, exactly, in units of decimal / 10^9. */
static __int128 exact(int64_t turnover, int64_t rate)
{
	return (__int128)turnover * rate;
}

/* An exact amount (decimal × 10^9) rounded to paise, as a decimal. */
static int64_t to_paise(__int128 x)
{
	return (int64_t)div_round(x, (__int128)ALGO_COSTS_RATE_DEN * 100) * 100;
}

/* Brokerage of a whole order with turnover t (decimal), rounded to paise. */
static int64_t order_brokerage(const struct algo_costs_rates *r, int64_t t)
{
	int64_t b;
	if (!r->brk_has_rate)
		return t > 0 ? r->brk_flat : 0;
	b = to_paise(exact(t, r->brk_rate));
	return b < r->brk_max ? b : r->brk_max;
}

int algo_costs_fill(const struct algo_costs_rates *r, int side, int64_t price, int64_t qty,
	int64_t order_turnover, int dp, struct algo_fees *f, char *err, size_t errlen)
{
	int64_t t, after;
	__int128 gst_base;

	if ((side != 1 && side != -1) || price <= 0 || qty <= 0 || order_turnover < 0) {
		snprintf(err, errlen, "bad charge arguments");
		return -1;
	}
	if (__builtin_mul_overflow(price, qty, &t) || t > 900000000000000000LL ||
	    __builtin_add_overflow(order_turnover, t, &after)) {
		snprintf(err, errlen, "turnover out of range");
		return -1;
	}
	memset(f, 0, sizeof *f);
	f->brokerage = order_brokerage(r, after) - order_brokerage(r, order_turnover);
	f->stt = to_paise(exact(t, side > 0 ? r->stt_buy : r->stt_sell));
	f->exchange = to_paise(exact(t, r->exchange));
	f->sebi = to_paise(exact(t, r->sebi));
	f->ipft = to_paise(exact(t, r->ipft));
	f->stamp = side > 0 ? to_paise(exact(t, r->stamp_buy)) : 0;
	/* GST on the brokerage as charged plus the exact exchange, SEBI and IPFT amounts. */
	gst_base = (__int128)f->brokerage * ALGO_COSTS_RATE_DEN + exact(t, r->exchange) +
		exact(t, r->sebi) + exact(t, r->ipft);
	f->gst = (int64_t)div_round(gst_base * r->gst,
		(__int128)ALGO_COSTS_RATE_DEN * ALGO_COSTS_RATE_DEN * 100) * 100;
	f->dp = dp ? r->dp_sell : 0;
	f->total = f->brokerage + f->stt + f->exchange + f->sebi + f->ipft + f->stamp + f->gst + f->dp;
	return 0;
}
