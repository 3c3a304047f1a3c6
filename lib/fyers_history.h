/* fyers_history — candles of one symbol from GET /data/history, over any range.
 *
 * The broker caps one request at 100 days for minute resolutions, 1 year for daily
 * and 30 trading days for seconds (FYERS-API.md §2). A range is cut into chunks from
 * its start: [from, from+cap), … the last one clipped at `to`. Seconds chunks span 30
 * weekdays, so they never hold more than 30 trading days whatever the holidays.
 * Each chunk is asked for with epoch seconds (date_format=0), range_from = chunk
 * start and range_to = chunk end - 1 s (the broker's range_to is inclusive); candles
 * are sorted, kept only inside [from, to), and a candle at or before the last one
 * handed out is dropped, so chunk edges never give a duplicate.
 *
 * With a cache directory (lib/histcache.h) a chunk that ended before today is read
 * from it when there and written to it after a download: the same range again costs
 * no request, and a run cut short resumes at the first chunk it did not finish.
 *
 * Candles the broker sends that are not prices (a zero or negative price, h below
 * o or c, l above them) are dropped and counted in `dropped`. Nothing here prints. */
#ifndef ALGO_FYERS_HISTORY_H
#define ALGO_FYERS_HISTORY_H
#include "fyers.h"
#include "histcache.h"

/* The FYERS resolution of a timeframe in seconds: "1".."240" minutes, "1D", or
 * "5S".."45S". Returns 0, or -1 when FYERS offers no such resolution. */
int algo_fyers_resolution(int64_t tf_secs, char res[8]);

/* The resolutions offered, for messages: "5s 10s 15s 30s 45s 1m 2m … 240m 1d". */
#define ALGO_FYERS_RESOLUTIONS "5s 10s 15s 30s 45s 1m 2m 3m 5m 10m 15m 20m 30m 60m 120m 240m 1d"
const char *algo_fyers_resolutions(void);

/* The end of the chunk that starts at from_ms (not clipped to a range). */
int64_t algo_fyers_chunk_end(int64_t tf_secs, int64_t from_ms);

struct algo_fyers_hist {
	struct algo_fyers *f;
	char symbol[64];
	char res[8];
	int64_t tf;                  /* seconds */
	int cont;                    /* cont_flag=1: continuous futures/options */
	int64_t from, to;            /* [from, to), ms */
	int64_t next;                /* start of the next chunk to load */
	int64_t last;                /* ts of the last candle handed out, INT64_MIN none */
	char cache[4096];            /* cache directory, "" = no cache */
	struct algo_candles buf;     /* the current chunk */
	size_t pos;
	long requests, hits;         /* chunks downloaded, chunks read from the cache */
	long dropped;
	int64_t now_ms;              /* the clock deciding what is "today" (0: the real one) */
};

/* Sets h up (nothing is sent yet). cache may be NULL. Returns 0, or -1 with err set
 * (a resolution FYERS does not offer, a symbol too long). */
int algo_fyers_hist_init(struct algo_fyers_hist *h, struct algo_fyers *f, const char *symbol,
	int64_t tf_secs, int cont, int64_t from_ms, int64_t to_ms, const char *cache,
	char *err, size_t errlen);

/* The next candle in time order. Returns 1 with *c set, 0 at the end of the range, or
 * a negative enum algo_fyers_class (e.g. -ALGO_FYERS_EBADREQ) with err naming the
 * symbol and chunk: "NSE:SBIN-EQ 1m 2024-01-01..2024-04-10: GET /history: FYERS -300
 * …". A failed chunk can be asked for again with another call. */
int algo_fyers_hist_next(struct algo_fyers_hist *h, struct algo_candle *c, char *err, size_t errlen);

void algo_fyers_hist_free(struct algo_fyers_hist *h);

#endif
