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
	char tf[8];                 /* timeframe this stream was locked to */
	int64_t nbars;              /* bars folded in */
	int64_t last_ts;            /* ts of the last bar folded in */
	int pos;                    /* ALGO_POS_* */
	int64_t qty;                /* position size while not flat */
	int64_t entry_ts, entry_day;
	int has_sl, has_tp;
	int64_t sl, tp;             /* attached at entry (decimals) */
	double extreme;             /* best price since entry, for the trailing stop */
	int64_t day;                /* IST trading day of the last bar */
	int entries_today;
	double *mem;
};

struct algo_strategy;

/* Loads and compiles a strategy file. Returns the strategy (free with
 * algo_strategy_free) or NULL after appending every problem found to errs, each
 * message starting with the path ("ema.json: $.qty: must be a positive integer");
 * errs->missing is set when the file does not exist. */
struct algo_strategy *algo_strategy_load(const char *path, struct algo_errlist *errs);
/* The same from text already in memory; name is used in messages and as the default
 * strategy name (its basename without ".json"). */
struct algo_strategy *algo_strategy_parse(const char *text, size_t len, const char *name,
	struct algo_errlist *errs);
/* A rule-less strategy that watches expressions (algo-eval --print): every symbol
 * and timeframe is its own stream; values with algo_strategy_expr_value. */
struct algo_strategy *algo_strategy_exprs(const char *const *exprs, int n, struct algo_errlist *errs);
void algo_strategy_free(struct algo_strategy *s);

const char *algo_strategy_name(const struct algo_strategy *s);
/* The timeframe the strategy asks for ("" = any). */
const char *algo_strategy_timeframe(const struct algo_strategy *s);
size_t algo_strategy_mem_len(const struct algo_strategy *s);

/* Results of algo_strategy_on_bar besides a signal count. */
enum { ALGO_STRAT_ERROR = -1, ALGO_STRAT_NONE = 0, ALGO_STRAT_SIGNAL = 1,
	ALGO_STRAT_IGNORED = 2,     /* symbol not covered */
	ALGO_STRAT_OTHER_TF = 3 };  /* covered symbol, bar of another timeframe */

/* Checks, without changing anything, that bar could be folded in: its ts must be
 * after the last bar of its stream. Returns ALGO_STRAT_NONE / _IGNORED / _OTHER_TF,
 * or ALGO_STRAT_ERROR with "field 'ts': … is not after …" in err. */
int algo_strategy_check_bar(const struct algo_strategy *s, const struct algo_bar *bar,
	char *err, size_t errlen);
/* Folds a decoded bar in and evaluates the rules. Returns ALGO_STRAT_SIGNAL with
 * *sig filled, ALGO_STRAT_NONE, _IGNORED, _OTHER_TF (state untouched), or
 * ALGO_STRAT_ERROR as algo_strategy_check_bar (state untouched). Fails only on
 * out of memory otherwise (err "out of memory"). */
int algo_strategy_on_bar(struct algo_strategy *s, const struct algo_bar *bar,
	struct algo_signal *sig, char *err, size_t errlen);
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
