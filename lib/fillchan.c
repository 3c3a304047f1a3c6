#include "fillchan.h"
#include "book.h"
#include "decimal.h"
#include "timeutil.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- the execution stage's side ---------------------------------------------- */

/* A fresh name for an executor state: 64 random bits (time and pid when the system
 * has no random source). It only names the state on the FIFO; output never shows it. */
static void fresh_epoch(char out[17])
{
	uint64_t v = 0;
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || read(fd, &v, sizeof v) != (ssize_t)sizeof v) {
		struct timespec t;
		clock_gettime(CLOCK_REALTIME, &t);
		v = (uint64_t)t.tv_sec * 1000000007ULL ^ (uint64_t)t.tv_nsec ^ ((uint64_t)getpid() << 40);
	}
	if (fd >= 0)
		close(fd);
	snprintf(out, 17, "%016llx", (unsigned long long)v);
}

void algo_fillchan_out_init(struct algo_fillchan_out *c)
{
	memset(c, 0, sizeof *c);
	c->fd = -1;
	fresh_epoch(c->epoch);
}

void algo_fillchan_out_free(struct algo_fillchan_out *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->buf);
	memset(c, 0, sizeof *c);
	c->fd = -1;
}

static int reserve(struct algo_fillchan_out *c, size_t more)
{
	if (c->len + more <= c->cap)
		return 0;
	size_t cap = c->cap ? c->cap : 4096;
	while (cap < c->len + more)
		cap *= 2;
	char *nb = realloc(c->buf, cap);
	if (!nb) { c->oom = 1; return -1; }
	c->buf = nb;
	c->cap = cap;
	return 0;
}

static void app(struct algo_fillchan_out *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void app(struct algo_fillchan_out *c, const char *fmt, ...)
{
	va_list ap;
	int n;
	if (reserve(c, 256))
		return;
	va_start(ap, fmt);
	n = vsnprintf(c->buf + c->len, c->cap - c->len, fmt, ap);
	va_end(ap);
	if (n < 0) { c->oom = 1; return; }
	if ((size_t)n >= c->cap - c->len) {
		if (reserve(c, (size_t)n + 1))
			return;
		va_start(ap, fmt);
		vsnprintf(c->buf + c->len, c->cap - c->len, fmt, ap);
		va_end(ap);
	}
	c->len += (size_t)n;
}

/* A JSON string; names hold no control characters (algo_event_name refuses them). */
static void app_str(struct algo_fillchan_out *c, const char *s)
{
	size_t n = strlen(s);
	if (reserve(c, 2 * n + 3))
		return;
	c->buf[c->len++] = '"';
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			c->buf[c->len++] = '\\';
		c->buf[c->len++] = *s;
	}
	c->buf[c->len++] = '"';
}

/* Opens the i-th array of an ack's list with the three names. */
static void app_names(struct algo_fillchan_out *c, size_t i, const char *user,
	const char *strategy, const char *symbol)
{
	app(c, "%s[", i ? "," : "");
	app_str(c, user);
	app(c, ",");
	app_str(c, strategy);
	app(c, ",");
	app_str(c, symbol);
}

int algo_fillchan_out_restore(struct algo_fillchan_out *c, const char *epoch, int64_t seq,
	const void *records, size_t len)
{
	if (strlen(epoch) != 16 || strspn(epoch, "0123456789abcdef") != 16 || seq < 0 || c->len)
		return -1;
	memcpy(c->epoch, epoch, 17);
	c->seq = seq;
	if (!len)
		return 0;
	if (reserve(c, len))
		return -1;
	memcpy(c->buf, records, len);
	c->len = len;
	return 0;
}

/* The number of the record at line (every record starts {"type":"…","seq":K). */
static int64_t record_seq(const char *line, size_t len)
{
	const char *k = memchr(line, ',', len);
	if (!k || (size_t)(line + len - k) < 8 || memcmp(k, ",\"seq\":", 7) != 0)
		return 0;
	return strtoll(k + 7, NULL, 10);
}

/* The offset in buf of the first record (below end) numbered after k, or end. */
static size_t first_after(const struct algo_fillchan_out *c, size_t end, int64_t k)
{
	size_t off = 0;
	while (off < end) {
		const char *nl = memchr(c->buf + off, '\n', end - off);
		size_t n = nl ? (size_t)(nl - (c->buf + off)) : end - off;
		if (record_seq(c->buf + off, n) > k)
			break;
		off += n + 1;
	}
	return off < end ? off : end;
}

void algo_fillchan_fill(struct algo_fillchan_out *c, int64_t ts, const char *id, int64_t n,
	const char *user, const char *strategy, const char *symbol, int side, int64_t qty,
	int64_t price, int64_t fee)
{
	char p[32], f[32], t[40];
	if (!c->on)
		return;
	algo_dec_fmt(price, p);
	algo_dec_fmt(fee, f);
	algo_time_fmt(ts, 330, t);
	app(c, "{\"type\":\"fill\",\"seq\":%lld,\"ts\":\"%s\",\"id\":\"%s\",\"n\":%lld,\"user\":",
		(long long)++c->seq, t, id, (long long)n);
	app_str(c, user);
	app(c, ",\"strategy\":");
	app_str(c, strategy);
	app(c, ",\"symbol\":");
	app_str(c, symbol);
	app(c, ",\"side\":\"%s\",\"qty\":%lld,\"price\":%s,\"fee\":%s}\n",
		side == ALGO_BUY ? "buy" : "sell", (long long)qty, p, f);
}

void algo_fillchan_final(struct algo_fillchan_out *c, int64_t ts, const char *id, const char *user,
	const char *status, int64_t filled)
{
	char t[40];
	if (!c->on)
		return;
	algo_time_fmt(ts, 330, t);
	app(c, "{\"type\":\"final\",\"seq\":%lld,\"ts\":\"%s\",\"id\":\"%s\",\"user\":",
		(long long)++c->seq, t, id);
	app_str(c, user);
	app(c, ",\"status\":\"%s\",\"filled\":%lld}\n", status, (long long)filled);
}

int algo_fillchan_ack(struct algo_fillchan_out *c, const char *path, int64_t ts, int64_t id,
	const struct algo_fillchan_cursor *cur, int square_off, int64_t nopen,
	const struct algo_fillchan_work *w, size_t nw, const struct algo_fillchan_pos *p, size_t np,
	char *err, size_t errlen)
{
	int own = cur && cur->epoch && strcmp(cur->epoch, c->epoch) == 0;
	size_t off;
	c->on = 1;
	if (c->fd < 0 || strcmp(c->path, path) != 0) {
		struct stat sb;
		if (c->fd >= 0)
			close(c->fd);
		c->fd = -1;
		if (strlen(path) >= sizeof c->path) {
			snprintf(err, errlen, "sync: fifo path too long");
			return -1;
		}
		if (stat(path, &sb)) {
			snprintf(err, errlen, "sync: %s: %s", path, strerror(errno));
			return -1;
		}
		if (!S_ISFIFO(sb.st_mode)) {
			snprintf(err, errlen, "sync: %s: not a FIFO", path);
			return -1;
		}
		/* algo-risk holds the FIFO open for reading; if it does not (it died), fail
		 * (ENXIO) instead of blocking for ever. */
		if ((c->fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC)) < 0) {
			if (errno == ENXIO)
				return 0;  /* its algo-risk is gone: keep the records (see below) */
			snprintf(err, errlen, "sync: %s: %s", path, strerror(errno));
			return -1;
		}
		fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) & ~O_NONBLOCK);
		snprintf(c->path, sizeof c->path, "%s", path);
	}
	c->mark = c->len;          /* the records end here, the ack starts */
	{
		char t[40], b[32], a[32], f[32];
		algo_time_fmt(ts, 330, t);
		algo_dec_fmt(c->slip_bps, b);
		algo_dec_fmt(c->slip_abs, a);
		algo_dec_fmt(c->fee_bps, f);
		app(c, "{\"type\":\"ack\",\"id\":%lld,\"ts\":\"%s\",\"square_off\":%d,\"open\":%lld,"
			"\"slip_bps\":%s,\"slip_abs\":%s,\"fee_bps\":%s,\"epoch\":\"%s\",\"seq\":%lld,\"working\":[",
			(long long)id, t, square_off, (long long)nopen, b, a, f, c->epoch, (long long)c->seq);
	}
	for (size_t i = 0; i < nw; i++) {
		app_names(c, i, w[i].user, w[i].strategy, w[i].symbol);
		app(c, ",%d,%lld,%d]", w[i].side, (long long)w[i].qty, w[i].legs ? 1 : 0);
	}
	app(c, "],\"positions\":[");
	for (size_t i = 0; i < np; i++) {
		app_names(c, i, p[i].user, p[i].strategy, p[i].symbol);
		app(c, ",%lld]", (long long)p[i].qty);
	}
	app(c, "]}\n");
	if (c->oom) {
		snprintf(err, errlen, "fills channel: out of memory");
		return -1;
	}
	/* the records algo-risk has not applied: after its cursor, or all */
	off = own ? first_after(c, c->mark, cur->from) : 0;
	while (off < c->len) {
		ssize_t n = write(c->fd, c->buf + off, c->len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EPIPE) {
			/* The algo-risk that sent this sync is gone (killed): nobody waits for
			 * the answer. Keep the records for the sync of the one restarted on
			 * the same stream, and drop the ack. */
			c->len = c->mark;
			close(c->fd);
			c->fd = -1;
			c->path[0] = '\0';
			return 0;
		}
		if (n <= 0) {
			snprintf(err, errlen, "sync: writing %s: %s", c->path, strerror(errno));
			return -1;
		}
		off += (size_t)n;
	}
	/* keep what algo-risk has not saved yet; without a cursor of ours, nothing */
	c->len = c->mark;
	off = own ? first_after(c, c->len, cur->saved >= 0 ? cur->saved : cur->from) : c->len;
	memmove(c->buf, c->buf + off, c->len - off);
	c->len -= off;
	return 0;
}

/* ---- algo-risk's side ------------------------------------------------------------ */

int algo_fillchan_create(struct algo_fillchan_in *c, char *err, size_t errlen)
{
	const char *tmp = getenv("TMPDIR");
	memset(c, 0, sizeof *c);
	c->fd = -1;
	if (!tmp || !*tmp)
		tmp = "/tmp";
	if ((size_t)snprintf(c->dir, sizeof c->dir, "%s/algo-risk.XXXXXX", tmp) >= sizeof c->dir - 8) {
		snprintf(err, errlen, "TMPDIR too long");
		return -1;
	}
	if (!mkdtemp(c->dir)) {
		snprintf(err, errlen, "fills channel: mkdtemp %s: %s", c->dir, strerror(errno));
		c->dir[0] = '\0';
		return -1;
	}
	snprintf(c->path, sizeof c->path, "%s/fills", c->dir);
	if (mkfifo(c->path, 0600) ||
	    (c->fd = open(c->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "fills channel: %s: %s", c->path, strerror(errno));
		algo_fillchan_remove(c);
		return -1;
	}
	return 0;
}

void algo_fillchan_remove(struct algo_fillchan_in *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	if (c->path[0])
		unlink(c->path);
	if (c->dir[0])
		rmdir(c->dir);
	c->path[0] = c->dir[0] = '\0';
}

void algo_fillchan_in_free(struct algo_fillchan_in *c)
{
	algo_fillchan_remove(c);
	free(c->buf);
	c->buf = NULL;
	c->len = c->cap = 0;
}

static long now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long)(t.tv_sec * 1000 + t.tv_nsec / 1000000);
}

/* The id of an ack line, or -1 when the line is not an ack. */
static int64_t ack_id(const char *line, size_t len)
{
	static const char pre[] = "{\"type\":\"ack\",\"id\":";
	if (len < sizeof pre || memcmp(line, pre, sizeof pre - 1) != 0)
		return -1;
	return strtoll(line + sizeof pre - 1, NULL, 10);
}

/* Whether the pipe behind fd (our output) loses its reader within 200 ms. A process
 * that dies closes its files in no fixed order (the kernel releases them later), so
 * the FIFO may close a moment before our output does. */
static int reader_gone(int fd)
{
	struct pollfd p = { .fd = fd, .events = 0 };
	int rc;
	if (fd < 0)
		return 0;
	while ((rc = poll(&p, 1, 200)) < 0 && errno == EINTR)
		;
	return rc > 0 && (p.revents & (POLLERR | POLLHUP | POLLNVAL));
}

int algo_fillchan_wait(struct algo_fillchan_in *c, int64_t id, int watch_fd, long timeout_ms,
	int (*fn)(const char *line, size_t len, void *arg, char *err, size_t errlen), void *arg,
	char *err, size_t errlen)
{
	long deadline = now_ms() + timeout_ms;
	for (;;) {
		/* hand out the complete lines buffered so far */
		char *start = c->buf, *nl;
		while (c->len && (nl = memchr(start, '\n', c->len - (size_t)(start - c->buf)))) {
			size_t n = (size_t)(nl - start);
			int64_t a = ack_id(start, n);
			int done = a == id;
			if ((a < 0 || done) && fn(start, n, arg, err, errlen)) {
				memmove(c->buf, nl + 1, c->len - (size_t)(nl + 1 - c->buf));
				c->len -= (size_t)(nl + 1 - c->buf);
				return -1;
			}
			start = nl + 1;
			if (done) {
				c->len -= (size_t)(start - c->buf);
				memmove(c->buf, start, c->len);
				return 0;
			}
		}
		if (start != c->buf) {
			c->len -= (size_t)(start - c->buf);
			memmove(c->buf, start, c->len);
		}
		if (c->cap - c->len < 65536) {
			size_t cap = c->cap ? c->cap * 2 : 131072;
			char *nb = realloc(c->buf, cap);
			if (!nb) { snprintf(err, errlen, "fills channel: out of memory"); return -1; }
			c->buf = nb;
			c->cap = cap;
		}
		ssize_t n = read(c->fd, c->buf + c->len, c->cap - c->len);
		if (n > 0) {
			c->len += (size_t)n;
			c->writer_seen = 1;
			continue;
		}
		if (n == 0 && c->writer_seen) {
			/* an executor that died (kill -9) closes the FIFO and our output: that is
			 * the reader of our output gone, a quiet end, and the executor's status
			 * tells what happened */
			if (reader_gone(watch_fd)) {
				snprintf(err, errlen, "the reader of the output went away while waiting "
					"for sync %lld", (long long)id);
				return -3;
			}
			snprintf(err, errlen, "the execution stage closed the fills channel before "
				"answering sync %lld", (long long)id);
			return -1;
		}
		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			snprintf(err, errlen, "fills channel: %s", strerror(errno));
			return -1;
		}
		long left = deadline - now_ms();
		if (left <= 0) {
			snprintf(err, errlen, "no execution stage answered sync %lld within %ld s; "
				"--barrier needs algo-exec-paper (or another executor) reading this output",
				(long long)id, timeout_ms / 1000);
			return -2;
		}
		struct pollfd p[2] = { { .fd = c->fd, .events = POLLIN }, { .fd = watch_fd, .events = 0 } };
		/* Before the executor first opens the FIFO a read returns 0 at once (no writer):
		 * poll then reports nothing, so sleep briefly instead of spinning. */
		int pr = poll(p, watch_fd >= 0 ? 2 : 1, c->writer_seen ? (int)(left > 1000 ? 1000 : left) : 1);
		if (pr < 0 && errno != EINTR) {
			snprintf(err, errlen, "fills channel: poll: %s", strerror(errno));
			return -1;
		}
		if (c->stopping && c->stopping()) {
			snprintf(err, errlen, "stopped while waiting for sync %lld", (long long)id);
			return -4;
		}
		if (pr > 0 && watch_fd >= 0 && (p[1].revents & (POLLERR | POLLHUP | POLLNVAL))) {
			snprintf(err, errlen, "the reader of the output went away while waiting for sync %lld",
				(long long)id);
			return -3;
		}
	}
}
