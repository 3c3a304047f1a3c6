#include "book.h"
#include "decimal.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- one position ----------------------------------------------------------- */

#define BAD(...) do { snprintf(err, errlen, __VA_ARGS__); return -1; } while (0)

int algo_book_apply_fill(struct algo_position *p, int side, int64_t qty, int64_t price,
	char *err, size_t errlen)
{
	struct algo_position n = *p;
	int64_t d, v;

	if (side != ALGO_BUY && side != ALGO_SELL) BAD("side must be buy or sell");
	if (qty <= 0) BAD("qty must be positive");
	if (price < 0) BAD("price must not be negative");
	d = side * qty;

	if (n.qty != 0 && (n.qty < 0) != (d < 0)) {
		/* Reducing: close k of the open |qty| against a proportional share of cost. */
		int64_t open = n.qty < 0 ? -n.qty : n.qty;
		int64_t k = qty < open ? qty : open;
		int64_t removed = k == open ? n.cost : algo_dec_muldiv(n.cost, k, open);
		int64_t proceeds;                      /* what the closing trade receives */
		if (__builtin_mul_overflow(-side * k, price, &proceeds) ||
		    __builtin_sub_overflow(proceeds, removed, &v) ||
		    __builtin_add_overflow(n.realised, v, &n.realised))
			BAD("PnL out of range");
		n.cost -= removed;
		n.qty += side * k;
		d = side * (qty - k);               /* what is left opens the other side */
	}
	if (d != 0) {
		if (__builtin_mul_overflow(d, price, &v) ||
		    __builtin_add_overflow(n.cost, v, &n.cost) ||
		    __builtin_add_overflow(n.qty, d, &n.qty))
			BAD("position out of range");
	}
	if (n.qty == 0)
		n.cost = 0;
	n.trades++;
	*p = n;
	return 0;
}

int algo_book_add_fees(struct algo_position *p, int64_t fees)
{
	if (fees < 0 || __builtin_add_overflow(p->fees, fees, &p->fees))
		return -1;
	return 0;
}

int64_t algo_book_avg_price(const struct algo_position *p)
{
	return p->qty ? algo_dec_muldiv(p->cost, 1, p->qty) : 0;
}

int algo_book_unrealised(const struct algo_position *p, int64_t mark, int64_t *out)
{
	int64_t v;
	if (__builtin_mul_overflow(p->qty, mark, &v) || __builtin_sub_overflow(v, p->cost, &v))
		return -1;
	*out = v;
	return 0;
}

/* ---- string-keyed table ------------------------------------------------------- */

struct algo_book_tab_entry {
	char *key;              /* klen bytes, NUL-terminated for convenience */
	size_t klen;
	uint64_t hash;
	void *rec;
};

/* Eight bytes per multiply (FNV-1a took one multiply per byte, most of a look-up of
 * an order id), then a finaliser that spreads every byte over the low bits the slots
 * use. Only the slots depend on it: iteration is in insertion order. */
uint64_t algo_book_hash(const char *s, size_t n)
{
	const uint64_t k = 0x9e3779b97f4a7c15ULL;
	uint64_t h = n * k, w;
	for (; n >= 8; s += 8, n -= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * k;
		h ^= h >> 29;
	}
	if (n) {
		w = 0;
		for (size_t i = 0; i < n; i++)
			w |= (uint64_t)(unsigned char)s[i] << (8 * i);
		h = (h ^ w) * k;
		h ^= h >> 29;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

void algo_book_tab_init(struct algo_book_tab *t, size_t recsize)
{
	memset(t, 0, sizeof *t);
	t->recsize = recsize;
}

void algo_book_tab_free(struct algo_book_tab *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->e[i].key);
		free(t->e[i].rec);
	}
	free(t->e);
	free(t->slots);
	algo_book_tab_init(t, t->recsize);
}

static int rehash(struct algo_book_tab *t, size_t nslots)
{
	uint32_t *s = calloc(nslots, sizeof *s);
	if (!s)
		return -1;
	for (size_t i = 0; i < t->n; i++) {
		size_t j = (size_t)t->e[i].hash & (nslots - 1);
		while (s[j])
			j = (j + 1) & (nslots - 1);
		s[j] = (uint32_t)(i + 1);
	}
	free(t->slots);
	t->slots = s;
	t->nslots = nslots;
	return 0;
}

void *algo_book_tab_get(struct algo_book_tab *t, const char *key, size_t klen, int create)
{
	uint64_t h;
	size_t j;
	struct algo_book_tab_entry *e;

	if (t->last) {
		e = &t->e[t->last - 1];
		if (e->klen == klen && memcmp(e->key, key, klen) == 0)
			return e->rec;
	}
	h = algo_book_hash(key, klen);
	if (t->nslots) {
		for (j = (size_t)h & (t->nslots - 1); t->slots[j]; j = (j + 1) & (t->nslots - 1)) {
			e = &t->e[t->slots[j] - 1];
			if (e->hash == h && e->klen == klen && memcmp(e->key, key, klen) == 0) {
				t->last = t->slots[j];
				return e->rec;
			}
		}
	}
	if (!create || t->n >= UINT32_MAX - 1)
		return NULL;
	/* Keep the load factor at most 1/2. */
	if ((t->n + 1) * 2 > t->nslots && rehash(t, t->nslots ? t->nslots * 2 : 16))
		return NULL;
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		struct algo_book_tab_entry *ne = realloc(t->e, cap * sizeof *ne);
		if (!ne)
			return NULL;
		t->e = ne;
		t->cap = cap;
	}
	e = &t->e[t->n];
	e->key = malloc(klen + 1);
	e->rec = calloc(1, t->recsize ? t->recsize : 1);
	if (!e->key || !e->rec) {
		free(e->key);
		free(e->rec);
		return NULL;
	}
	memcpy(e->key, key, klen);
	e->key[klen] = '\0';
	e->klen = klen;
	e->hash = h;
	for (j = (size_t)h & (t->nslots - 1); t->slots[j]; j = (j + 1) & (t->nslots - 1))
		;
	t->slots[j] = (uint32_t)(++t->n);
	t->last = t->n;
	return e->rec;
}

size_t algo_book_tab_count(const struct algo_book_tab *t)
{
	return t->n;
}

void *algo_book_tab_at(const struct algo_book_tab *t, size_t i, const char **key, size_t *klen)
{
	if (i >= t->n)
		return NULL;
	if (key) *key = t->e[i].key;
	if (klen) *klen = t->e[i].klen;
	return t->e[i].rec;
}

size_t algo_book_key(char *buf, size_t len, const char *a, const char *b, const char *c)
{
	const char *part[3] = { a, b, c };
	size_t n = 0;
	for (int i = 0; i < 3 && part[i]; i++) {
		size_t k = strlen(part[i]);
		if (n + k + 2 > len)
			return 0;
		if (i)
			buf[n++] = '\x1f';
		memcpy(buf + n, part[i], k);
		n += k;
	}
	if (n >= len)
		return 0;
	buf[n] = '\0';
	return n;
}

/* ---- the book ----------------------------------------------------------------- */

void algo_book_init(struct algo_book *b)
{
	algo_book_tab_init(&b->tab, sizeof(struct algo_position));
}

void algo_book_free(struct algo_book *b)
{
	algo_book_tab_free(&b->tab);
}

struct algo_position *algo_book_get(struct algo_book *b, const char *user,
	const char *strategy, const char *symbol, int create)
{
	char key[3 * ALGO_NAME_MAX];
	size_t n = algo_book_key(key, sizeof key, user, strategy, symbol);
	if (!n)
		return NULL;
	return algo_book_tab_get(&b->tab, key, n, create);
}
