/* fyers_account — account views. See fyers_account.h for the contract. */
#include "fyers_account.h"
#include "decimal.h"

#include <stdlib.h>
#include <string.h>

enum { K_STR, K_NUM, K_SIDE, K_STATUS };

struct col {
	const char *key, *head;
	int kind;
};

struct view {
	const char *name, *path, *list;     /* list: member holding the rows; NULL: "data" object */
	const struct col *cols;
};

static const struct col profile_cols[] = {
	{ "fy_id", "fy_id", K_STR }, { "name", "name", K_STR }, { "email_id", "email_id", K_STR },
	{ "mobile_number", "mobile_number", K_STR }, { "PAN", "PAN", K_STR }, { NULL, NULL, 0 } };
static const struct col funds_cols[] = {
	{ "id", "id", K_NUM }, { "title", "title", K_STR }, { "equityAmount", "equity", K_NUM },
	{ "commodityAmount", "commodity", K_NUM }, { NULL, NULL, 0 } };
static const struct col order_cols[] = {
	{ "orderDateTime", "time", K_STR }, { "id", "id", K_STR }, { "symbol", "symbol", K_STR },
	{ "side", "side", K_SIDE }, { "qty", "qty", K_NUM }, { "filledQty", "filled", K_NUM },
	{ "type", "type", K_NUM }, { "productType", "product", K_STR }, { "limitPrice", "limit", K_NUM },
	{ "stopPrice", "stop", K_NUM }, { "tradedPrice", "avg_price", K_NUM }, { "status", "status", K_STATUS },
	{ "orderTag", "tag", K_STR }, { "message", "message", K_STR }, { NULL, NULL, 0 } };
static const struct col trade_cols[] = {
	{ "orderDateTime", "time", K_STR }, { "tradeNumber", "trade", K_STR }, { "orderNumber", "order", K_STR },
	{ "symbol", "symbol", K_STR }, { "side", "side", K_SIDE }, { "tradedQty", "qty", K_NUM },
	{ "tradePrice", "price", K_NUM }, { "tradeValue", "value", K_NUM }, { "productType", "product", K_STR },
	{ "orderTag", "tag", K_STR }, { NULL, NULL, 0 } };
static const struct col position_cols[] = {
	{ "symbol", "symbol", K_STR }, { "productType", "product", K_STR }, { "netQty", "net_qty", K_NUM },
	{ "netAvg", "net_avg", K_NUM }, { "buyQty", "buy_qty", K_NUM }, { "buyAvg", "buy_avg", K_NUM },
	{ "sellQty", "sell_qty", K_NUM }, { "sellAvg", "sell_avg", K_NUM }, { "ltp", "ltp", K_NUM },
	{ "realized_profit", "realized", K_NUM }, { "unrealized_profit", "unrealized", K_NUM },
	{ "pl", "pl", K_NUM }, { NULL, NULL, 0 } };

static const struct view views[] = {
	{ "profile", "/profile", NULL, profile_cols },
	{ "funds", "/funds", "fund_limit", funds_cols },
	{ "orders", "/orders", "orderBook", order_cols },
	{ "trades", "/tradebook", "tradeBook", trade_cols },
	{ "positions", "/positions", "netPositions", position_cols },
	{ NULL, NULL, NULL, NULL },
};

static const struct view *find_view(const char *name)
{
	for (int i = 0; views[i].name; i++)
		if (strcmp(views[i].name, name) == 0)
			return &views[i];
	return NULL;
}

int algo_fyers_account_known(const char *name)
{
	return find_view(name) != NULL;
}

const char *algo_fyers_order_status_name(int status, long filled, long remaining)
{
	switch (status) {
	case 1: return "cancelled";
	case 2: return "filled";
	case 4: return "transit";
	case 5: return "rejected";
	case 6: return filled > 0 && remaining > 0 ? "partial" : "pending";
	case 7: return "expired";
	default: return "unknown";
	}
}

static long int_member(json_t *row, const char *key)
{
	json_t *v = json_object_get(row, key);
	return json_is_integer(v) ? (long)json_integer_value(v) : json_is_real(v) ? (long)json_real_value(v) : 0;
}

/* One cell as text into buf. */
static const char *cell(json_t *row, const struct col *c, char *buf, size_t len)
{
	json_t *v = json_object_get(row, c->key);
	int64_t d;
	if (!v || json_is_null(v))
		return "-";
	if (c->kind == K_SIDE && json_is_integer(v))
		return json_integer_value(v) == 1 ? "buy" : json_integer_value(v) == -1 ? "sell" : "?";
	if (c->kind == K_STATUS && json_is_integer(v))
		return algo_fyers_order_status_name((int)json_integer_value(v), int_member(row, "filledQty"),
			int_member(row, "remainingQuantity"));
	if (json_is_string(v)) {
		snprintf(buf, len, "%s", json_string_value(v));
		for (char *p = buf; *p; p++)
			if (*p == '\n' || *p == '\t' || *p == '\r')
				*p = ' ';
		return buf;
	}
	if (json_is_integer(v)) {
		snprintf(buf, len, "%lld", (long long)json_integer_value(v));
		return buf;
	}
	if (json_is_real(v) && algo_fyers_json_dec(v, &d) == 0) {
		char t[ALGO_DEC_FMT_MAX];
		algo_dec_fmt(d, t);
		snprintf(buf, len, "%s", t);
		return buf;
	}
	if (json_is_boolean(v))
		return json_is_true(v) ? "true" : "false";
	return "?";
}

static void write_table(FILE *out, json_t *rows, const struct col *cols)
{
	size_t ncol = 0, w[16] = { 0 };
	char buf[512];
	while (cols[ncol].key && ncol < 16)
		ncol++;
	for (size_t c = 0; c < ncol; c++)
		w[c] = strlen(cols[c].head);
	for (size_t i = 0; i < json_array_size(rows); i++)
		for (size_t c = 0; c < ncol; c++) {
			size_t n = strlen(cell(json_array_get(rows, i), &cols[c], buf, sizeof buf));
			if (n > w[c])
				w[c] = n > 60 ? 60 : n;
		}
	for (size_t c = 0; c < ncol; c++)
		fprintf(out, "%-*s%s", c + 1 < ncol ? (int)w[c] : 0, cols[c].head, c + 1 < ncol ? "  " : "\n");
	for (size_t i = 0; i < json_array_size(rows); i++)
		for (size_t c = 0; c < ncol; c++)
			fprintf(out, "%-*.*s%s", c + 1 < ncol ? (int)w[c] : 0, 60,
				cell(json_array_get(rows, i), &cols[c], buf, sizeof buf), c + 1 < ncol ? "  " : "\n");
}

/* The profile is one record: key and value a line. */
static void write_record(FILE *out, json_t *obj, const struct col *cols)
{
	char buf[512];
	for (size_t c = 0; cols[c].key; c++)
		fprintf(out, "%-14s %s\n", cols[c].head, cell(obj, &cols[c], buf, sizeof buf));
}

static void write_ndjson(FILE *out, json_t *rows)
{
	for (size_t i = 0; i < json_array_size(rows); i++) {
		char *s = json_dumps(json_array_get(rows, i), JSON_COMPACT | JSON_REAL_PRECISION(15) | JSON_PRESERVE_ORDER);
		if (s) {
			fprintf(out, "%s\n", s);
			free(s);
		}
	}
}

int algo_fyers_account_show(struct algo_fyers *f, const char *name, int fmt, FILE *out, char *err,
	size_t errlen)
{
	const struct view *v = find_view(name);
	struct algo_fyers_req rq = { ALGO_FYERS_API, "GET", NULL, NULL, NULL, 0 };
	struct algo_fyers_reply r;
	json_t *rows, *one = NULL;
	int cls;

	if (!v) {
		snprintf(err, errlen, "unknown view '%s'", name);
		return ALGO_FYERS_EFAIL;
	}
	rq.path = v->path;
	if ((cls = algo_fyers_request(f, &rq, &r, err, errlen)) != ALGO_FYERS_OK) {
		algo_fyers_reply_free(&r);
		return cls;
	}
	rows = v->list ? json_object_get(r.root, v->list) : json_object_get(r.root, "data");
	if (v->list ? !json_is_array(rows) : !json_is_object(rows)) {
		snprintf(err, errlen, "GET %s: the reply has no '%s' %s", v->path, v->list ? v->list : "data",
			v->list ? "list" : "object");
		algo_fyers_reply_free(&r);
		return ALGO_FYERS_EPROTO;
	}
	if (!v->list) {
		one = json_array();
		json_array_append(one, rows);
	}
	if (fmt == ALGO_ACCT_NDJSON)
		write_ndjson(out, one ? one : rows);
	else if (one)
		write_record(out, rows, v->cols);
	else
		write_table(out, rows, v->cols);
	json_decref(one);
	algo_fyers_reply_free(&r);
	return ALGO_FYERS_OK;
}
