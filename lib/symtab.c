/* symtab — symbol interning; see symtab.h. */
#include "symtab.h"
#include <stdlib.h>
#include <string.h>

static uint64_t hash(const char *s, size_t n)
{
	uint64_t h = 14695981039346656037ULL;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h;
}

static size_t free_slot(const int *tab, size_t cap, const char *s, size_t n)
{
	size_t i;
	for (i = hash(s, n) & (cap - 1); tab[i]; i = (i + 1) & (cap - 1))
		;
	return i;
}

/* Doubles the hash table when it would be more than half full. */
static int grow_hash(struct algo_symtab *t)
{
	size_t ncap = t->hcap ? t->hcap * 2 : 64;
	int *nt;
	if ((size_t)(t->n + 1) * 2 <= t->hcap)
		return 0;
	if (!(nt = calloc(ncap, sizeof *nt)))
		return -1;
	for (int k = 0; k < t->n; k++)
		nt[free_slot(nt, ncap, t->s[k].name, strlen(t->s[k].name))] = k + 1;
	free(t->htab);
	t->htab = nt;
	t->hcap = ncap;
	return 0;
}

static int grow_syms(struct algo_symtab *t)
{
	int ncap = t->cap ? t->cap * 2 : 16;
	struct algo_symtab_sym *ns;
	if (t->n < t->cap)
		return 0;
	if (!(ns = realloc(t->s, (size_t)ncap * sizeof *ns)))
		return -1;
	t->s = ns;
	t->cap = ncap;
	return 0;
}

static void set_sym(struct algo_symtab_sym *y, const char *s, size_t n)
{
	memcpy(y->name, s, n);
	y->name[n] = 0;
	y->jslen = n + 2;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == '"' || s[i] == '\\')
			y->jslen = 0;
	y->js[0] = '"';
	memcpy(y->js + 1, s, n);
	y->js[n + 1] = '"';
	y->seen = 0;
	y->last = 0;
}

int algo_symtab_intern(struct algo_symtab *t, const char *s, size_t n)
{
	if (grow_hash(t) < 0)
		return -1;
	for (size_t i = hash(s, n) & (t->hcap - 1); t->htab[i]; i = (i + 1) & (t->hcap - 1)) {
		const char *name = t->s[t->htab[i] - 1].name;
		if (strncmp(name, s, n) == 0 && name[n] == 0)
			return t->htab[i] - 1;
	}
	if (grow_syms(t) < 0)
		return -1;
	set_sym(&t->s[t->n], s, n);
	t->htab[free_slot(t->htab, t->hcap, s, n)] = t->n + 1;
	return t->n++;
}

void algo_symtab_free(struct algo_symtab *t)
{
	free(t->s);
	free(t->htab);
	memset(t, 0, sizeof *t);
}
