/* book — positions with exact average price and realised/unrealised PnL, a book of
 * positions keyed by (user, strategy, symbol), and the small string-keyed table the
 * book is built on (also used by risk and the programs for per-symbol state).
 *
 * A position keeps its open cost exactly (sum of signed qty × price, in 1/10,000 of a
 * rupee) instead of a rounded average, so a round trip's realised PnL is exact; only a
 * partial close rounds (to 0.0001 rupee, half away from zero). */
#ifndef ALGO_BOOK_H
#define ALGO_BOOK_H
#include <stddef.h>
#include <stdint.h>

/* Order/fill side. The value is the sign of the quantity change. */
enum { ALGO_SELL = -1, ALGO_BUY = 1 };

#define ALGO_NAME_MAX 64      /* bytes of a user, strategy or symbol name, NUL included */

/* ---- one position ----------------------------------------------------------- */

struct algo_position {
	int64_t qty;        /* signed: > 0 long, < 0 short, 0 flat */
	int64_t cost;       /* signed open cost Σ qty × price (decimal); 0 when flat */
	int64_t realised;   /* realised PnL (decimal), before fees */
	int64_t fees;       /* fees paid (decimal), see algo_book_add_fees */
	int64_t trades;     /* fills applied */
};

/* Applies a fill of qty (> 0) at price (>= 0; 0 only for books that track quantity
 * without prices) on side ALGO_BUY/ALGO_SELL. Reducing a position realises PnL against
 * the open cost; crossing zero closes the old position and opens the rest on the other
 * side at price. Returns 0, or -1 with err set (bad argument, arithmetic overflow);
 * on error *p is unchanged. */
int algo_book_apply_fill(struct algo_position *p, int side, int64_t qty, int64_t price,
	char *err, size_t errlen);

/* Adds fees (decimal, >= 0) to the position's fee total. Returns 0, -1 on overflow. */
int algo_book_add_fees(struct algo_position *p, int64_t fees);

/* Average open price (decimal, rounded half away from zero; 0 when flat). */
int64_t algo_book_avg_price(const struct algo_position *p);

/* Unrealised PnL at mark (decimal): qty × mark − cost. Returns 0 and sets *out, or -1
 * on overflow. */
int algo_book_unrealised(const struct algo_position *p, int64_t mark, int64_t *out);

/* ---- string-keyed table ------------------------------------------------------- */

/* Maps byte-string keys to fixed-size, zero-initialised records. Record pointers stay
 * valid until algo_book_tab_free (records are allocated one by one, only on insert);
 * iteration (algo_book_tab_at) is in insertion order, so output built from it is
 * deterministic. */
struct algo_book_tab {
	size_t recsize;
	size_t n, cap;          /* entries used / allocated */
	size_t nslots;          /* power of two, or 0 before the first insert */
	struct algo_book_tab_entry *e;
	uint32_t *slots;        /* index + 1 into e, 0 = empty */
	size_t last;            /* index + 1 of the entry found last, 0 = none: a stream's
	                         * events mostly name the key of the one before */
};

/* Sets up an empty table whose records are recsize bytes. Never fails (no allocation). */
void algo_book_tab_init(struct algo_book_tab *t, size_t recsize);
/* Frees every record and the table's arrays; the table can be reused after init. */
void algo_book_tab_free(struct algo_book_tab *t);
/* Finds the record for key (klen bytes). With create, inserts a zeroed record when
 * absent. Returns the record, or NULL when absent (!create) or out of memory. The key
 * found or inserted last is compared first, before any hashing. */
void *algo_book_tab_get(struct algo_book_tab *t, const char *key, size_t klen, int create);
/* Number of records, and the i-th record in insertion order (NULL when i >= n); the
 * key is returned through key/klen when those are non-NULL. */
size_t algo_book_tab_count(const struct algo_book_tab *t);
void *algo_book_tab_at(const struct algo_book_tab *t, size_t i, const char **key, size_t *klen);

/* Joins up to three names (c may be NULL) into buf with 0x1f separators — a composite
 * key. Returns the key length, or 0 when it does not fit in len bytes. */
size_t algo_book_key(char *buf, size_t len, const char *a, const char *b, const char *c);

/* The tables' hash of n bytes at s: every byte spread over all 64 bits (a filter may
 * take its bits from any of them). Not stable across versions: never store it. */
uint64_t algo_book_hash(const char *s, size_t n);

/* ---- the book ----------------------------------------------------------------- */

struct algo_book {
	struct algo_book_tab tab;    /* key user\x1fstrategy\x1fsymbol -> algo_position */
};

/* An empty book (no allocation until the first position). */
void algo_book_init(struct algo_book *b);
/* Frees every position; pointers from algo_book_get become invalid. */
void algo_book_free(struct algo_book *b);
/* The position of (user, strategy, symbol). With create a flat position is added when
 * absent. Returns NULL when absent (!create), a key is too long, or out of memory. */
struct algo_position *algo_book_get(struct algo_book *b, const char *user,
	const char *strategy, const char *symbol, int create);

#endif
