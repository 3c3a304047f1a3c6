/* fyers_order — orders in FYERS's words (FYERS-API.md §3): an order of the executor
 * seam as the body of POST /orders/sync, and the rows of the order book and the trade
 * book read back into plain structs. No I/O; nothing here prints or exits.
 *
 * The mapping: kind limit 1, market 2, stop 3 (SL-M), stop_limit 4 (SL-L); side buy 1,
 * sell -1; product intraday INTRADAY, delivery CNC, margin MARGIN; validity day DAY,
 * ioc IOC, gtc (the seam's bracket legs) DAY, as FYERS keeps no GTC for these
 * products; limitPrice for 1 and 4, stopPrice for 3 and 4, else 0; stopLoss and
 * takeProfit 0: the seam places an entry's stop-loss and target as orders of their
 * own when it fills (one cancels other), so the broker's offsets would close the
 * position twice; offlineOrder false; disclosedQty 0; orderTag the client order id
 * made alphanumeric and at most 30 characters (algo_fyers_tag). */
#ifndef ALGO_FYERS_ORDER_H
#define ALGO_FYERS_ORDER_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include "executor.h"

#define ALGO_FYERS_TAG_MAX 31         /* tag bytes, NUL included */

/* Order-book statuses. */
enum { ALGO_FY_CANCELLED = 1, ALGO_FY_TRADED = 2, ALGO_FY_TRANSIT = 4, ALGO_FY_REJECTED = 5,
	ALGO_FY_PENDING = 6, ALGO_FY_EXPIRED = 7 };

/* The tag of client order id: its letters and digits; when more than 30 of them, the
 * first 22 and 8 hex digits of the FNV-1a hash of the whole id. */
void algo_fyers_tag(const char *id, char out[ALGO_FYERS_TAG_MAX]);
/* Whether a tag from the broker ("1:TAG" as recorded, or "TAG") is tag. */
int algo_fyers_tag_is(const char *broker_tag, const char *tag);

/* The body of POST /orders/sync for in, tagged tag; NULL when out of memory. */
json_t *algo_fyers_order_body(const struct algo_order_in *in, const char *tag);

/* One row of the order book. */
struct algo_fyers_orow {
	char id[40];
	char tag[48];                 /* as the broker wrote it */
	int status;                   /* ALGO_FY_* (0 when absent) */
	int64_t qty, filled;
	char message[256];
};
/* One row of the trade book. */
struct algo_fyers_trade {
	char number[48];              /* tradeNumber */
	char order[40];               /* orderNumber */
	char tag[48];
	char symbol[64];
	char product[16];
	int side;                     /* ALGO_BUY / ALGO_SELL */
	int64_t qty, price, ts;       /* price decimal; ts epoch ms (0: not given) */
};

/* Reads row i of the list "orderBook" / "tradeBook" of a reply. Returns 0, or -1 with
 * err set when the row lacks a field we need. */
int algo_fyers_orow_get(const json_t *row, struct algo_fyers_orow *o, char *err, size_t errlen);
int algo_fyers_trade_get(const json_t *row, struct algo_fyers_trade *t, char *err, size_t errlen);

/* The same from an order-update socket message's "orders" / "trades" object, in the
 * server's short names (FYERS-API.md §6): orders id, org_ord_status, qty, qty_filled,
 * qty_remaining, oms_msg, ordertag; trades id_fill, id (the order), qty_traded,
 * price_traded, fill_time ("DD-MMM-YYYY hh:mm:ss" IST or epoch seconds), symbol,
 * tran_side, ordertag. Returns 0, or -1 with err set when a field we need is missing. */
int algo_fyers_sock_order_get(const json_t *m, struct algo_fyers_orow *o, char *err, size_t errlen);
int algo_fyers_sock_trade_get(const json_t *m, struct algo_fyers_trade *t, char *err, size_t errlen);

/* "DD-MMM-YYYY hh:mm:ss" in IST as epoch ms, or 0 when it is not that. */
int64_t algo_fyers_time(const char *s);

/* The seam's product of a FYERS productType (-1 when unknown). */
int algo_fyers_product(const char *product);

#endif
