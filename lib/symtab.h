/* symtab — symbol names interned to small ids (0, 1, 2... in order of first sight),
 * each kept with its JSON string form and the time of its last bar, for programs that
 * write many events per symbol. An open-addressing hash table; nothing here prints. */
#ifndef ALGO_SYMTAB_H
#define ALGO_SYMTAB_H
#include <stddef.h>
#include <stdint.h>

#define ALGO_SYMTAB_NAME_MAX 63

struct algo_symtab_sym {
	char name[ALGO_SYMTAB_NAME_MAX + 1];
	char js[ALGO_SYMTAB_NAME_MAX + 5];  /* the name as a JSON string, when it needs no escapes */
	size_t jslen;                       /* 0 = it needs escapes: use name */
	int64_t last;                       /* the caller's: time of the last bar written */
	int seen;                           /* the caller's: last is set */
};

struct algo_symtab {
	struct algo_symtab_sym *s;
	int n, cap;
	int *htab;                          /* symbol id + 1, 0 = empty */
	size_t hcap;
};

/* The id of the n bytes at name (n <= ALGO_SYMTAB_NAME_MAX), added on first sight.
 * Returns -1 when out of memory. */
int algo_symtab_intern(struct algo_symtab *t, const char *name, size_t n);
/* Frees the table; safe on a zeroed one. */
void algo_symtab_free(struct algo_symtab *t);

#endif
