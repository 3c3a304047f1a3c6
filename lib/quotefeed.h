/* quotefeed — live quotes of a list of symbols by polling GET /data/quotes.
 *
 * One poll asks for every symbol, at most 50 per request (the broker's cap), each
 * request taken from the account's shared budget (lib/ratelimit.h), so a poller never
 * starves an order. A quote is ltp, bid, ask and the day's traded volume, stamped with
 * the time its reply came: FYERS sends no quote time ("tt" is only the trading day),
 * so our clock, or the broker's (the reply's Date header) when that is more than 5 s
 * from ours (a scripted or replayed feed). `changed` says whether its values differ
 * from the symbol's previous quote: a feed that stalls keeps answering with the same
 * quote, which only this shows.
 *
 * algo_quotefeed_reconnect drops the HTTP connection and opens a fresh one (the
 * watchdog's remedy for a stalled feed). Nothing here prints. (Whether the market is
 * open is lib/markethours'.) */
#ifndef ALGO_QUOTEFEED_H
#define ALGO_QUOTEFEED_H
#include "fyers.h"

#define ALGO_QUOTES_PER_CALL 50

struct algo_quote {
	int64_t ts;                 /* ms */
	int64_t ltp, bid, ask;      /* decimals; bid/ask 0 when absent */
	int64_t vol;                /* day volume, -1 when absent */
	int changed;                /* differs from the previous poll's quote */
	int seen;                   /* a quote came at least once */
};

struct algo_quotefeed {
	struct algo_fyers *f;
	int n;
	char (*sym)[64];
	struct algo_quote *q;       /* the last quote of each symbol */
	long polls, requests, reconnects;
};

/* Copies the symbols (1 to 63 bytes each). Returns 0, or -1 with err set. */
int algo_quotefeed_init(struct algo_quotefeed *qf, struct algo_fyers *f, char *const *symbols, int n,
	char *err, size_t errlen);
void algo_quotefeed_free(struct algo_quotefeed *qf);

/* Polls every symbol once; now_ms stamps quotes without a time. Returns how many quotes
 * changed (0 or more), or a negative enum algo_fyers_class with err set; a symbol the
 * broker refuses is -ALGO_FYERS_EBADREQ naming it. */
int algo_quotefeed_poll(struct algo_quotefeed *qf, int64_t now_ms, char *err, size_t errlen);

/* A fresh HTTP connection. Returns 0, or -1 with err set. */
int algo_quotefeed_reconnect(struct algo_quotefeed *qf, char *err, size_t errlen);

#endif
