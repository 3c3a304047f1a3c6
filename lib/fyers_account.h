/* fyers_account — the read-only account views of algo-exec-fyers: profile, funds,
 * order book, trade book and positions, fetched with lib/fyers.h and written as an
 * aligned table or as NDJSON (one broker record a line, the broker's own field names,
 * numbers in their shortest form) to a caller's FILE. */
#ifndef ALGO_FYERS_ACCOUNT_H
#define ALGO_FYERS_ACCOUNT_H
#include "fyers.h"
#include <stdio.h>

enum { ALGO_ACCT_TABLE = 0, ALGO_ACCT_NDJSON = 1 };

/* The views: "profile", "funds", "orders", "trades", "positions". Returns 1 when name
 * is one of them. */
int algo_fyers_account_known(const char *name);

/* Fetches view name and writes it to out in fmt. Returns a class (lib/fyers.h) with
 * err set on failure; a reply without the expected list is ALGO_FYERS_EPROTO. */
int algo_fyers_account_show(struct algo_fyers *f, const char *name, int fmt, FILE *out, char *err,
	size_t errlen);

/* The name of an order status code of the order book (1 cancelled, 2 filled,
 * 4 transit, 5 rejected, 6 pending, 7 expired; "partial" when a pending order has
 * filled some), or "unknown". */
const char *algo_fyers_order_status_name(int status, long filled, long remaining);

#endif
