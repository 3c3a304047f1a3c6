/* pack — a stage's saved state as bytes: integers and strings written one after the
 * other into a growable buffer, and read back in the same order with every read
 * checked against the end. The layout is fixed by the code that writes it, not by
 * struct layouts, so a rebuild with other padding reads the same bytes; a format
 * version at the front is the writer's business.
 *
 * Integers are 8 bytes little-endian; a string is its length (4 bytes) then its bytes.
 * Errors are sticky: a writer that ran out of memory has oom set, a reader that ran
 * past the end or met a string too long for its buffer has bad set, and every later
 * call does nothing (reads give 0 and ""), so callers check once at the end. */
#ifndef ALGO_PACK_H
#define ALGO_PACK_H
#include <stddef.h>
#include <stdint.h>

struct algo_pack {
	unsigned char *buf;
	size_t len, cap;
	int oom;
};

struct algo_unpack {
	const unsigned char *p;
	size_t len, off;
	int bad;
};

/* An empty writer (no allocation); algo_pack_free releases the buffer. */
void algo_pack_init(struct algo_pack *p);
void algo_pack_free(struct algo_pack *p);
void algo_pack_i64(struct algo_pack *p, int64_t v);
void algo_pack_str(struct algo_pack *p, const char *s);
/* n bytes as a string (may hold NULs). */
void algo_pack_bytes(struct algo_pack *p, const void *b, size_t n);

/* A reader over len bytes at b (borrowed). */
void algo_unpack_init(struct algo_unpack *u, const void *b, size_t len);
int64_t algo_unpack_i64(struct algo_unpack *u);
/* An int64 that must lie in [min, max]; outside it, bad is set and min returned. */
int64_t algo_unpack_range(struct algo_unpack *u, int64_t min, int64_t max);
/* A string into out (outlen bytes, NUL-terminated); one that does not fit sets bad. */
void algo_unpack_str(struct algo_unpack *u, char *out, size_t outlen);
/* A string in place: its bytes (not NUL-terminated) and length, NULL when bad. */
const void *algo_unpack_bytes(struct algo_unpack *u, size_t *n);
/* Whether everything was read without error and nothing is left over. */
int algo_unpack_done(const struct algo_unpack *u);

#endif
