/* histcache — downloaded history chunks on disk. See histcache.h for the contract. */
#include "histcache.h"
#include "decimal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAGIC "algo-history 1\n"

int algo_candles_push(struct algo_candles *l, const struct algo_candle *c)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 1024;
		struct algo_candle *p = realloc(l->c, cap * sizeof *p);
		if (!p)
			return -1;
		l->c = p;
		l->cap = cap;
	}
	l->c[l->n++] = *c;
	return 0;
}

void algo_candles_free(struct algo_candles *l)
{
	free(l->c);
	l->c = NULL;
	l->n = l->cap = 0;
}

int algo_histcache_dir(char *out, size_t len, char *err, size_t errlen)
{
	const char *x = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	int n;
	if (x && *x == '/')
		n = snprintf(out, len, "%s/algo/fyers-history", x);
	else if (home && *home)
		n = snprintf(out, len, "%s/.cache/algo/fyers-history", home);
	else {
		snprintf(err, errlen, "no cache directory: set XDG_CACHE_HOME or HOME");
		return -1;
	}
	if (n < 0 || (size_t)n >= len) {
		snprintf(err, errlen, "the cache directory's name is too long");
		return -1;
	}
	return 0;
}

int algo_histcache_path(const char *dir, const char *symbol, const char *res, int cont,
	int64_t from_ms, int64_t to_ms, char *out, size_t len)
{
	char sym[64];
	size_t i;
	int n;
	for (i = 0; symbol[i] && i < sizeof sym - 1; i++)
		sym[i] = symbol[i] == ':' || symbol[i] == '/' ? '_' : symbol[i];
	sym[i] = '\0';
	n = snprintf(out, len, "%s/%s/%s%s/%lld-%lld.csv", dir, sym, res, cont ? "-cont" : "",
		(long long)(from_ms / 1000), (long long)(to_ms / 1000));
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* One "ts,o,h,l,c,v" line. Returns 0 or -1. */
static int parse_line(char *line, struct algo_candle *c)
{
	char *f[6], *p = line, *end;
	int64_t *dst[4] = { &c->o, &c->h, &c->l, &c->c };
	for (int i = 0; i < 6; i++) {
		f[i] = p;
		p = strchr(p, i < 5 ? ',' : '\n');
		if (!p)
			return -1;
		*p++ = '\0';
	}
	errno = 0;
	c->ts = strtoll(f[0], &end, 10) * 1000;
	if (*end || errno)
		return -1;
	for (int i = 0; i < 4; i++)
		if (algo_dec_parse(f[i + 1], strlen(f[i + 1]), dst[i]) < 0)
			return -1;
	c->v = strtoll(f[5], &end, 10);
	return *end || errno ? -1 : 0;
}

int algo_histcache_load(const char *path, struct algo_candles *l)
{
	char line[256];
	size_t n0 = l->n;
	FILE *fp = fopen(path, "r");
	if (!fp)
		return 0;
	if (!fgets(line, sizeof line, fp) || strcmp(line, MAGIC) != 0)
		goto bad;
	while (fgets(line, sizeof line, fp)) {
		struct algo_candle c;
		if (parse_line(line, &c) < 0 || algo_candles_push(l, &c) < 0)
			goto bad;
	}
	if (ferror(fp))
		goto bad;
	fclose(fp);
	return 1;
bad:
	fclose(fp);
	l->n = n0;
	return 0;
}

/* mkdir -p of the directories above path, mode 0700. */
static int make_parents(const char *path, char *err, size_t errlen)
{
	char d[4096];
	size_t n = strlen(path);
	if (n >= sizeof d)
		return -1;
	memcpy(d, path, n + 1);
	for (char *p = d + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(d, 0700) != 0 && errno != EEXIST) {
			snprintf(err, errlen, "%s: %s", d, strerror(errno));
			return -1;
		}
		*p = '/';
	}
	return 0;
}

static void write_candle(FILE *fp, const struct algo_candle *c)
{
	char o[32], h[32], l[32], cl[32];
	algo_dec_fmt(c->o, o);
	algo_dec_fmt(c->h, h);
	algo_dec_fmt(c->l, l);
	algo_dec_fmt(c->c, cl);
	fprintf(fp, "%lld,%s,%s,%s,%s,%lld\n", (long long)(c->ts / 1000), o, h, l, cl, (long long)c->v);
}

int algo_histcache_save(const char *path, const struct algo_candle *c, size_t n, char *err, size_t errlen)
{
	char tmp[4200];
	FILE *fp;
	snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid());
	if (make_parents(path, err, errlen) < 0)
		return -1;
	if (!(fp = fopen(tmp, "w"))) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	fputs(MAGIC, fp);
	for (size_t i = 0; i < n; i++)
		write_candle(fp, &c[i]);
	if (fflush(fp) != 0 || fsync(fileno(fp)) != 0 || ferror(fp)) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		fclose(fp);
		unlink(tmp);
		return -1;
	}
	fclose(fp);
	if (rename(tmp, path) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}
