/* histmerge — `algo-feed fyers history`: the candles of several symbols fetched
 * (lib/fyers_history) and written in time order, ties in the order the symbols were given,
 * as bar events or CSV lines (lib/barout). Messages go to the FYERS client's notice
 * callback; nothing here prints. */
#ifndef ALGO_HISTMERGE_H
#define ALGO_HISTMERGE_H
#include "barout.h"
#include "fyers_history.h"

#define ALGO_HISTMERGE_MAX 256

struct algo_histmerge {
	struct algo_fyers_hist h[ALGO_HISTMERGE_MAX];  /* h[i].symbol set by _add */
	struct algo_candle head[ALGO_HISTMERGE_MAX];   /* each symbol's next candle */
	int live[ALGO_HISTMERGE_MAX];                  /* head[i] is set */
	int n;
};

/* What is fetched for every symbol (algo_histmerge_fetch). */
struct algo_histreq {
	int64_t tf;                 /* seconds, a FYERS resolution */
	int64_t from, to;           /* [from, to), ms */
	int cont;                   /* continuous futures or options data */
	const char *cache;          /* the history cache directory, NULL none */
};

/* Adds the symbols of list, "SYM,SYM,..." (list is cut up). Returns 0, or -1 with err
 * set: more than ALGO_HISTMERGE_MAX, or a symbol not 1 to 63 bytes. */
int algo_histmerge_add(struct algo_histmerge *m, char *list, char *err, size_t errlen);
/* Writes every candle of the histories h[0..n-1] (algo_fyers_hist_init done) to o as
 * timeframe tf. Returns 0, or an exit code (algo(7)) with err set. */
int algo_histmerge_run(struct algo_histmerge *m, struct algo_barout *o, const char *tf, char *err, size_t errlen);
/* Tells of symbols without bars and of dropped candles, and frees the histories. */
void algo_histmerge_finish(struct algo_histmerge *m, struct algo_fyers *f, const char *tf);
/* Fetch and merge: sets every symbol's history up for q on the open client f, writes
 * them to o (algo_histmerge_run) and, when that completes, tells what _finish tells.
 * The histories are freed either way. Returns 0, or an exit code with err set:
 * ALGO_EX_USAGE "SYM: why" for a history that cannot be asked for. */
int algo_histmerge_fetch(struct algo_histmerge *m, struct algo_fyers *f, const struct algo_histreq *q,
	struct algo_barout *o, char *err, size_t errlen);

#endif
