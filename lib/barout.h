/* barout — writes bar events (and the stream header before the first one) to a
 * writer, fast: the date part of "ts" is formatted once per IST day, a symbol's and a
 * timeframe's JSON strings can be given ready-made. The bytes are those of
 * algo_out_time and algo_out_str. Also writes bars as the CSV lines `algo-feed csv`
 * reads (timestamp,symbol,open,high,low,close,volume). */
#ifndef ALGO_BAROUT_H
#define ALGO_BAROUT_H
#include "event.h"
#include "histcache.h"

struct algo_barout {
	struct algo_writer *w;
	int csv;                     /* write CSV lines, not events */
	long bars;                   /* bars written */
	int64_t day;                 /* the IST day in buf, INT64_MIN none */
	char buf[48];                /* "YYYY-MM-DDTHH:MM:SS+05:30" with quotes */
	size_t datelen;
};

void algo_barout_init(struct algo_barout *o, struct algo_writer *w);
/* The stream header {"type":"stream","ts":...,"ver":1,"source":"algo-feed"}, once:
 * only when nothing was written before. */
void algo_barout_stream(struct algo_barout *o, int64_t ts);
/* One bar of symbol sym, timeframe tf ("1m"); symjs/tfjs are their JSON strings
 * (length symjslen/tfjslen), or NULL to encode them here. oi < 0: none. */
void algo_barout_bar(struct algo_barout *o, const char *sym, const char *symjs, size_t symjslen,
	const char *tf, const char *tfjs, size_t tfjslen, const struct algo_candle *c, int64_t oi);
/* A bar of a named symbol and timeframe, as an event or (o->csv) a CSV line. */
void algo_barout_named(struct algo_barout *o, const char *sym, const char *tf, const struct algo_candle *c);

#endif
