/* histcache — downloaded history chunks kept on disk, so the second download of a
 * range costs no request and an interrupted download resumes where it stopped.
 *
 * One file per chunk (symbol, resolution, continuous flag, [from, to)):
 *   DIR/<symbol with ':' and '/' as '_'>/<res>[-cont]/<from>-<to>.csv   (epoch seconds)
 * holding "algo-history 1" then one "ts,o,h,l,c,v" line per candle (ts in epoch
 * seconds, prices as exact decimals). A file is written whole to a temporary name and
 * renamed, so a file that exists is complete; one that cannot be read back is ignored
 * (and downloaded again). DIR is $XDG_CACHE_HOME/algo/fyers-history, else
 * ~/.cache/algo/fyers-history. Only chunks that ended before today (IST) are stored:
 * a chunk still open can grow. Nothing here prints. */
#ifndef ALGO_HISTCACHE_H
#define ALGO_HISTCACHE_H
#include <stddef.h>
#include <stdint.h>

/* One OHLCV candle: ts epoch ms (open time), prices decimals, v an integer. */
struct algo_candle {
	int64_t ts, o, h, l, c, v;
};

/* A growable list of candles. */
struct algo_candles {
	struct algo_candle *c;
	size_t n, cap;
};
int algo_candles_push(struct algo_candles *l, const struct algo_candle *c);
void algo_candles_free(struct algo_candles *l);

/* The cache directory (not created). Returns 0, or -1 when neither XDG_CACHE_HOME nor
 * HOME is set (err says so). */
int algo_histcache_dir(char *out, size_t len, char *err, size_t errlen);

/* The path of a chunk's file under dir. Returns 0, or -1 when it does not fit. */
int algo_histcache_path(const char *dir, const char *symbol, const char *res, int cont,
	int64_t from_ms, int64_t to_ms, char *out, size_t len);

/* Reads a chunk into l (appended). Returns 1, or 0 when there is no usable file. */
int algo_histcache_load(const char *path, struct algo_candles *l);

/* Writes a chunk (directories made 0700). Returns 0, or -1 with err set. */
int algo_histcache_save(const char *path, const struct algo_candle *c, size_t n, char *err, size_t errlen);

#endif
