/* fyers_order — orders in FYERS's words. See fyers_order.h. */
#include "fyers_order.h"
#include "fyers.h"
#include "decimal.h"
#include "event.h"
#include "timeutil.h"
#include <ctype.h>
#include <stdio.h>
#include <string.h>

void algo_fyers_tag(const char *id, char out[ALGO_FYERS_TAG_MAX])
{
	size_t k = 0, n = 0;
	uint32_t h = 2166136261u;                 /* FNV-1a, 32 bits */
	for (const char *p = id; *p; p++) {
		h ^= (unsigned char)*p;
		h *= 16777619u;
		n += isalnum((unsigned char)*p) != 0;
	}
	for (const char *p = id; *p && k < (n > 30 ? 22 : 30); p++)
		if (isalnum((unsigned char)*p))
			out[k++] = *p;
	out[k] = '\0';
	if (n > 30)
		snprintf(out + k, ALGO_FYERS_TAG_MAX - k, "%08x", (unsigned)h);
}

int algo_fyers_tag_is(const char *broker_tag, const char *tag)
{
	const char *p = broker_tag;
	while (isdigit((unsigned char)*p))
		p++;
	if (*p == ':' && p != broker_tag)
		broker_tag = p + 1;
	return *tag && strcmp(broker_tag, tag) == 0;
}

static json_t *price(int64_t v)
{
	return json_real(algo_dec_to_double(v));
}

json_t *algo_fyers_order_body(const struct algo_order_in *in, const char *tag)
{
	static const int types[] = { [ALGO_KIND_MARKET] = 2, [ALGO_KIND_LIMIT] = 1,
		[ALGO_KIND_STOP] = 3, [ALGO_KIND_STOP_LIMIT] = 4 };
	static const char *const products[] = { [ALGO_PROD_INTRADAY] = "INTRADAY",
		[ALGO_PROD_DELIVERY] = "CNC", [ALGO_PROD_MARGIN] = "MARGIN" };
	int k = in->kind;
	int has_limit = k == ALGO_KIND_LIMIT || k == ALGO_KIND_STOP_LIMIT;
	int has_stop = k == ALGO_KIND_STOP || k == ALGO_KIND_STOP_LIMIT;
	return json_pack("{s:s, s:I, s:i, s:i, s:s, s:o, s:o, s:s, s:i, s:b, s:i, s:i, s:s}",
		"symbol", in->symbol, "qty", (json_int_t)in->qty, "type", types[k],
		"side", in->side == ALGO_BUY ? 1 : -1, "productType", products[in->product],
		"limitPrice", has_limit ? price(in->limit) : json_integer(0),
		"stopPrice", has_stop ? price(in->stop) : json_integer(0),
		"validity", in->validity == ALGO_VALID_IOC ? "IOC" : "DAY",
		"disclosedQty", 0, "offlineOrder", 0, "stopLoss", 0, "takeProfit", 0, "orderTag", tag);
}

static void str_of(const json_t *row, const char *key, char *out, size_t len)
{
	const json_t *v = json_object_get(row, key);
	if (json_is_string(v))
		snprintf(out, len, "%s", json_string_value(v));
	else if (json_is_integer(v))
		snprintf(out, len, "%lld", (long long)json_integer_value(v));
	else
		out[0] = '\0';
}

static int64_t int_of(const json_t *row, const char *key)
{
	const json_t *v = json_object_get(row, key);
	return json_is_integer(v) ? (int64_t)json_integer_value(v) : json_is_real(v) ? (int64_t)json_real_value(v) : 0;
}

int algo_fyers_orow_get(const json_t *row, struct algo_fyers_orow *o, char *err, size_t errlen)
{
	memset(o, 0, sizeof *o);
	str_of(row, "id", o->id, sizeof o->id);
	if (!o->id[0]) {
		snprintf(err, errlen, "an order-book row without an id");
		return -1;
	}
	str_of(row, "orderTag", o->tag, sizeof o->tag);
	str_of(row, "message", o->message, sizeof o->message);
	o->status = (int)int_of(row, "status");
	o->qty = int_of(row, "qty");
	o->filled = int_of(row, "filledQty");
	return 0;
}

int algo_fyers_trade_get(const json_t *row, struct algo_fyers_trade *t, char *err, size_t errlen)
{
	char when[64];
	memset(t, 0, sizeof *t);
	str_of(row, "tradeNumber", t->number, sizeof t->number);
	str_of(row, "orderNumber", t->order, sizeof t->order);
	str_of(row, "orderTag", t->tag, sizeof t->tag);
	str_of(row, "symbol", t->symbol, sizeof t->symbol);
	str_of(row, "productType", t->product, sizeof t->product);
	str_of(row, "orderDateTime", when, sizeof when);
	t->side = int_of(row, "side") < 0 ? ALGO_SELL : ALGO_BUY;
	t->qty = int_of(row, "tradedQty");
	t->ts = algo_fyers_time(when);
	if (!t->number[0] || !t->order[0] || !t->symbol[0] || t->qty <= 0 ||
	    algo_fyers_json_dec(json_object_get(row, "tradePrice"), &t->price) || t->price <= 0) {
		snprintf(err, errlen, "a trade-book row without tradeNumber, orderNumber, symbol, tradedQty "
			"or tradePrice");
		return -1;
	}
	return 0;
}

int algo_fyers_sock_order_get(const json_t *m, struct algo_fyers_orow *o, char *err, size_t errlen)
{
	memset(o, 0, sizeof *o);
	str_of(m, "id", o->id, sizeof o->id);
	o->status = (int)int_of(m, "org_ord_status");
	if (!o->id[0] || !o->status) {
		snprintf(err, errlen, "an order update without id or org_ord_status");
		return -1;
	}
	str_of(m, "ordertag", o->tag, sizeof o->tag);
	str_of(m, "oms_msg", o->message, sizeof o->message);
	o->filled = int_of(m, "qty_filled");
	o->qty = json_object_get(m, "qty") ? int_of(m, "qty") : o->filled + int_of(m, "qty_remaining");
	return 0;
}

int algo_fyers_sock_trade_get(const json_t *m, struct algo_fyers_trade *t, char *err, size_t errlen)
{
	const json_t *when = json_object_get(m, "fill_time");
	memset(t, 0, sizeof *t);
	str_of(m, "id_fill", t->number, sizeof t->number);
	str_of(m, "id", t->order, sizeof t->order);
	str_of(m, "ordertag", t->tag, sizeof t->tag);
	str_of(m, "symbol", t->symbol, sizeof t->symbol);
	t->side = int_of(m, "tran_side") < 0 ? ALGO_SELL : ALGO_BUY;
	t->qty = int_of(m, "qty_traded");
	if (json_is_string(when))
		t->ts = algo_fyers_time(json_string_value(when));
	else if (json_is_integer(when) && json_integer_value(when) > 0)
		t->ts = (int64_t)json_integer_value(when) * 1000;
	if (!t->number[0] || !t->order[0] || t->qty <= 0 ||
	    algo_fyers_json_dec(json_object_get(m, "price_traded"), &t->price) || t->price <= 0) {
		snprintf(err, errlen, "a trade update without id_fill, id, qty_traded or price_traded");
		return -1;
	}
	return 0;
}

int64_t algo_fyers_time(const char *s)
{
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug",
		"Sep", "Oct", "Nov", "Dec" };
	char mon[4], iso[40];
	int d, y, hh, mm, ss, m;
	int64_t ms;
	if (sscanf(s, "%2d-%3[A-Za-z]-%4d %2d:%2d:%2d", &d, mon, &y, &hh, &mm, &ss) != 6)
		return 0;
	for (m = 0; m < 12 && strcasecmp(mon, months[m]) != 0; m++)
		;
	if (m == 12)
		return 0;
	snprintf(iso, sizeof iso, "%04d-%02d-%02dT%02d:%02d:%02d+05:30", y, m + 1, d, hh, mm, ss);
	return algo_time_parse(iso, strlen(iso), &ms) == 0 ? ms : 0;
}

int algo_fyers_product(const char *product)
{
	if (strcmp(product, "INTRADAY") == 0)
		return ALGO_PROD_INTRADAY;
	if (strcmp(product, "CNC") == 0 || strcmp(product, "MTF") == 0)
		return ALGO_PROD_DELIVERY;
	if (strcmp(product, "MARGIN") == 0)
		return ALGO_PROD_MARGIN;
	return -1;
}
