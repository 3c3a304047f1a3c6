/* pack — saved state as bytes. See pack.h for the contract. */
#include "pack.h"
#include <stdlib.h>
#include <string.h>

void algo_pack_init(struct algo_pack *p)
{
	memset(p, 0, sizeof *p);
}

void algo_pack_free(struct algo_pack *p)
{
	free(p->buf);
	algo_pack_init(p);
}

static int reserve(struct algo_pack *p, size_t more)
{
	size_t cap;
	unsigned char *nb;
	if (p->oom)
		return -1;
	if (p->len + more <= p->cap)
		return 0;
	cap = p->cap ? p->cap : 256;
	while (cap < p->len + more)
		cap *= 2;
	if (!(nb = realloc(p->buf, cap))) {
		p->oom = 1;
		return -1;
	}
	p->buf = nb;
	p->cap = cap;
	return 0;
}

static void put_le(unsigned char *b, uint64_t v, int n)
{
	for (int i = 0; i < n; i++, v >>= 8)
		b[i] = (unsigned char)(v & 0xff);
}

void algo_pack_i64(struct algo_pack *p, int64_t v)
{
	if (reserve(p, 8))
		return;
	put_le(p->buf + p->len, (uint64_t)v, 8);
	p->len += 8;
}

void algo_pack_bytes(struct algo_pack *p, const void *b, size_t n)
{
	if (n > UINT32_MAX) {
		p->oom = 1;
		return;
	}
	if (reserve(p, 4 + n))
		return;
	put_le(p->buf + p->len, n, 4);
	if (n)
		memcpy(p->buf + p->len + 4, b, n);
	p->len += 4 + n;
}

void algo_pack_str(struct algo_pack *p, const char *s)
{
	algo_pack_bytes(p, s, strlen(s));
}

void algo_unpack_init(struct algo_unpack *u, const void *b, size_t len)
{
	u->p = b;
	u->len = b ? len : 0;
	u->off = 0;
	u->bad = 0;
}

static uint64_t get_le(struct algo_unpack *u, int n)
{
	uint64_t v = 0;
	if (u->bad || u->len - u->off < (size_t)n) {
		u->bad = 1;
		return 0;
	}
	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | u->p[u->off + (size_t)i];
	u->off += (size_t)n;
	return v;
}

int64_t algo_unpack_i64(struct algo_unpack *u)
{
	return (int64_t)get_le(u, 8);
}

int64_t algo_unpack_range(struct algo_unpack *u, int64_t min, int64_t max)
{
	int64_t v = algo_unpack_i64(u);
	if (v < min || v > max) {
		u->bad = 1;
		return min;
	}
	return v;
}

const void *algo_unpack_bytes(struct algo_unpack *u, size_t *n)
{
	size_t k = (size_t)get_le(u, 4);
	const void *b;
	if (u->bad || u->len - u->off < k) {
		u->bad = 1;
		*n = 0;
		return NULL;
	}
	b = u->p + u->off;
	u->off += k;
	*n = k;
	return b;
}

void algo_unpack_str(struct algo_unpack *u, char *out, size_t outlen)
{
	size_t n;
	const void *b = algo_unpack_bytes(u, &n);
	if (!b || n >= outlen || memchr(b, 0, n)) {
		u->bad = 1;
		if (outlen)
			out[0] = '\0';
		return;
	}
	memcpy(out, b, n);
	out[n] = '\0';
}

int algo_unpack_done(const struct algo_unpack *u)
{
	return !u->bad && u->off == u->len;
}
