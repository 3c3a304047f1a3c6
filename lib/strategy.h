/* strategy — strategy files (STRATEGY.md): loading and validating them with jansson,
 * compiling every condition into one expr program, and running each symbol's
 * intended position over completed bars to produce signals.
 *
 * Accepted shapes of a file: a strategy object with entry/exit; the blueprint's rule
 * shape {"name","conditions","operator","action"} alone, a list of such rules under
 * "rules" in a strategy object, or a bare JSON array of rules. BUY enters long when
 * flat and exits a short; SELL exits a long, and enters short when flat only with
 * "allow_short": true.
 *
 * Per bar of a covered symbol and matching timeframe: the bar is folded into the
 * indicators, then flat -> entry long (else short); long -> exit long; short -> exit
 * short. At most one signal per bar. The position belief changes when a signal is
 * made, and also when a bar after the entry touches the attached sl/tp (execution
 * closes the position there intrabar; no signal is emitted for it). */
#ifndef ALGO_STRATEGY_H
#define ALGO_STRATEGY_H
#include <stddef.h>
#include <stdint.h>
#include "event.h"
#include "expr.h"

/* ---- error lists ------------------------------------------------------------------ */

#define ALGO_ERRLIST_MAX 200

/* A list of complete messages ("ema.json: $.entry.long: col 5: …"). */
struct algo_errlist {
	char **msg;
	size_t n, cap;
	int dropped;                /* messages not kept past ALGO_ERRLIST_MAX */
	int missing;                /* a file could not be opened because it does not exist */
};
void algo_errlist_init(struct algo_errlist *l);
/* Appends a formatted message (copied). Never fails visibly: out of memory or past
 * the cap it counts the message in l->dropped. */
void algo_errlist_add(struct algo_errlist *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void algo_errlist_free(struct algo_errlist *l);

/* ---- strategies ------------------------------------------------------------------- */

enum { ALGO_POS_SHORT = -1, ALGO_POS_FLAT = 0, ALGO_POS_LONG = 1 };
enum { ALGO_SIG_ENTRY = 1, ALGO_SIG_EXIT = 2 };
enum { ALGO_SIDE_BUY = 1, ALGO_SIDE_SELL = -1 };

#define ALGO_REASON_MAX 1024

struct algo_signal {
	int64_t ts;                 /* the bar's ts */
	const char *strategy;       /* owned by the strategy */
	const char *product;        /* the file's "product", owned by the strategy; NULL = not given */
	char symbol[64];
	int action;                 /* ALGO_SIG_ENTRY / ALGO_SIG_EXIT */
	int side;                   /* ALGO_SIDE_*: of the trade the signal asks for */
	int64_t qty;
	int64_t ref;                /* decimal: the bar's close, exact */
	int has_sl, has_tp;
	int64_t sl, tp;             /* decimals, absolute prices */
	char reason[ALGO_REASON_MAX];
};

/* The evaluation state of one symbol (one (symbol, tf) stream in --print mode):
 * everything a restart snapshot needs. mem holds algo_strategy_mem_len() doubles
 * (indicator states, look-back rings, current values; see algo_prog). */
struct algo_strategy_sym {
	char key[80];               /* symbol (print mode: symbol, TAB, tf) */
	char tf[8];                 /* timeframe of the input bars this stream takes */
	int64_t nbars;              /* bars of the strategy's timeframe folded in */
	int64_t last_ts;            /* ts of the last bar folded in */
	int64_t last_in_ts;         /* ts of the last input bar taken (0 = none) */
	int64_t skip_ts;            /* restored: input bars at or before it are skipped */
	int pos;                    /* ALGO_POS_* */
	int64_t qty;                /* position size while not flat */
	int64_t entry_ts, entry_day, entry_price, entry_nbars;
	int has_sl, has_tp;
	int64_t sl, tp;             /* attached at entry (decimals) */
	double extreme;             /* best price since entry, for the trailing stop */
	int64_t day;                /* IST trading day of the last bar */
	int entries_today;
	int has_bkt;                /* resampling: a bucket is being built */
	int64_t bkt_ts, bkt_end;    /* its open time and end (epoch ms) */
	int64_t bo, bh, bl, bc, bv, boi;        /* its OHLC (decimals), volume, oi (-1 none) */
	double *mem;
};

struct algo_strategy;

/* Loads and compiles a strategy file. Returns the strategy (free with
 * algo_strategy_free) or NULL after appending every problem found to errs, each
 * message starting with the path ("ema.json: $.qty: must be a positive integer");
 * errs->missing is set when the file does not exist. */
struct algo_strategy *algo_strategy_load(const char *path, struct algo_errlist *errs);

/* Parameter values given on the command line (algo-eval --param NAME=VALUE). */
struct algo_param_overrides {
	const char *const *assign;  /* n strings "NAME=VALUE" (borrowed) */
	int n;
	int lenient;                /* a NAME the file does not declare is not an error here
	                               (several strategies: the caller checks that some file
	                               declared it, with matched) */
	int *matched;               /* NULL, or n counters: +1 for each NAME the file declares */
};
/* algo_strategy_load with overrides (ov may be NULL): each sets a parameter the file
 * declares in "params"; an undeclared NAME (unless lenient) or a VALUE that is not a
 * number is an error under "$.params". The values in force are checked where they
 * are used (an indicator's period, qty, stops …), the message naming the parameter.
 * Overrides that change a value are part of algo_strategy_hash. */
struct algo_strategy *algo_strategy_load_with(const char *path, const struct algo_param_overrides *ov,
	struct algo_errlist *errs);
struct algo_strategy *algo_strategy_parse_with(const char *text, size_t len, const char *name,
	const struct algo_param_overrides *ov, struct algo_errlist *errs);
/* The same from text already in memory; name is used in messages and as the default
 * strategy name (its basename without ".json"). */
struct algo_strategy *algo_strategy_parse(const char *text, size_t len, const char *name,
	struct algo_errlist *errs);
/* A rule-less strategy that watches expressions (algo-eval --print): every symbol
 * and timeframe is its own stream; values with algo_strategy_expr_value. */
struct algo_strategy *algo_strategy_exprs(const char *const *exprs, int n, struct algo_errlist *errs);
/* The same with parameters the expressions may use: ndefs strings "NAME=VALUE". */
struct algo_strategy *algo_strategy_exprs_with(const char *const *exprs, int n, const char *const *defs,
	int ndefs, struct algo_errlist *errs);
void algo_strategy_free(struct algo_strategy *s);

const char *algo_strategy_name(const struct algo_strategy *s);
/* The timeframe the strategy asks for ("" = any). */
const char *algo_strategy_timeframe(const struct algo_strategy *s);
size_t algo_strategy_mem_len(const struct algo_strategy *s);

/* Results of algo_strategy_on_bar besides a signal count. */
enum { ALGO_STRAT_ERROR = -1, ALGO_STRAT_NONE = 0, ALGO_STRAT_SIGNAL = 1,
	ALGO_STRAT_IGNORED = 2,     /* symbol not covered */
	ALGO_STRAT_OTHER_TF = 3,    /* covered symbol, bar of another timeframe */
	ALGO_STRAT_SKIPPED = 4,     /* at or before the restored state's last bar */
	ALGO_STRAT_BADTF = -2 };    /* input timeframe larger than the strategy's (config) */

/* Called for each signal, in order. */
typedef void (*algo_signal_fn)(void *arg, const struct algo_signal *sig);

/* Checks, without changing anything, that bar could be folded in: its ts must be
 * after the last bar of its stream. Returns ALGO_STRAT_NONE / _IGNORED / _OTHER_TF /
 * _SKIPPED, ALGO_STRAT_ERROR with "field 'ts': … is not after …" in err, or
 * ALGO_STRAT_BADTF with a message in err when the bar's timeframe is larger than the
 * strategy's or does not divide it. */
int algo_strategy_check_bar(const struct algo_strategy *s, const struct algo_bar *bar,
	char *err, size_t errlen);
/* Takes an input bar. With a strategy timeframe larger than the bar's, the bar is
 * folded into a bucket aligned to the 09:15 IST session open; a bucket is evaluated
 * when a bar of a later bucket arrives, when the bar's end reaches the bucket's end,
 * or (for every symbol, in symbol order) when the first bar of a new trading day
 * arrives. Each completed bar is folded into the indicators and the rules run;
 * every signal goes to emit(arg, sig) (emit may be NULL in print mode). Returns
 * ALGO_STRAT_SIGNAL when at least one signal was emitted, else ALGO_STRAT_NONE,
 * _IGNORED, _OTHER_TF, _SKIPPED (state untouched), or the errors of
 * algo_strategy_check_bar (state untouched). Fails only on out of memory otherwise
 * (ALGO_STRAT_ERROR, err "out of memory"). */
int algo_strategy_on_bar(struct algo_strategy *s, const struct algo_bar *bar,
	algo_signal_fn emit, void *arg, char *err, size_t errlen);
/* A one-time note about the run (e.g. an entry sized to 0 shares and skipped), or
 * NULL; each note is returned once. */
const char *algo_strategy_take_note(struct algo_strategy *s);
/* Input bars skipped because they were at or before the restored state. */
int64_t algo_strategy_skipped(const struct algo_strategy *s);
/* The symbols the file lists that no input bar has come for: their number, and their
 * names ("A, B", cut to outlen) in out. */
int algo_strategy_missing(const struct algo_strategy *s, char *out, size_t outlen);
/* 1, with why in out, when the strategy has a window and none of the bars it
 * evaluated in this run fell inside it (an intraday window on daily bars); else 0. */
int algo_strategy_window_never(const struct algo_strategy *s, char *out, size_t outlen);
/* Sets the capital for capital_pct / risk_pct sizing (decimal, > 0); it overrides
 * the file's "capital". Returns 0. */
int algo_strategy_set_capital(struct algo_strategy *s, int64_t capital);
/* Whether the strategy sizes from a capital it does not have yet (the caller must
 * call algo_strategy_set_capital or report a configuration error). */
int algo_strategy_needs_capital(const struct algo_strategy *s);
/* The restart-state key, 64 hex digits: the SHA-256 of the file's bytes, followed
 * (only when some --param value differs from the file's default) by "\n--param "
 * and algo_params_canon of the values. */
const char *algo_strategy_hash(const struct algo_strategy *s);
/* The parameters and the values in force. Owned by s. */
const struct algo_params *algo_strategy_params(const struct algo_strategy *s);

/* ---- restart state (table eval_state of the state database) ----------------------- */
struct algo_store;
/* Restores the symbol states of s that user saved, when their hash matches (each user's
 * states are apart from every other user's). Returns the number of
 * symbols restored, 0 when none, -2 when saved states exist under another hash, -3
 * when a saved state does not fit this build (another layout, or damaged) — in both
 * cases every saved state of s is deleted and the strategy starts fresh — or -1 with
 * err set. */
int algo_strategy_state_load(struct algo_strategy *s, struct algo_store *st, const char *user,
	char *err, size_t errlen);
/* Saves every symbol state of s as user's (one transaction). Returns 0 or -1 with err
 * set. */
int algo_strategy_state_save(struct algo_strategy *s, struct algo_store *st, const char *user,
	char *err, size_t errlen);

/* Value of watched expression i (algo_strategy_exprs) on the last bar folded in;
 * NaN when it has no value. */
double algo_strategy_expr_value(const struct algo_strategy *s, int i);

/* Symbol states, for snapshots: count, i-th, and lookup by key (NULL when absent). */
size_t algo_strategy_sym_count(const struct algo_strategy *s);
struct algo_strategy_sym *algo_strategy_sym_at(struct algo_strategy *s, size_t i);
struct algo_strategy_sym *algo_strategy_sym_find(struct algo_strategy *s, const char *key);

/* Writes a signal event (EVENTS.md field order) with algo_out_* on w. */
void algo_signal_write(struct algo_writer *w, const struct algo_signal *sig);

#endif
