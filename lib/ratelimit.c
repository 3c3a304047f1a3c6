/* ratelimit — the shared request budget. See ratelimit.h for the contract. */
#include "ratelimit.h"
#include "timeutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define RL_MAGIC 0x616c7231u         /* "alr1" */
#define RL_VERSION 1u

/* The file: fixed size, native byte order (it never leaves the machine). */
struct rl_file {
	uint32_t magic, version;
	int64_t day;                 /* IST day of the counters below */
	int64_t today;               /* requests that day */
	int32_t hits;                /* 429s that day */
	uint32_t head, count;        /* ring of request times, oldest at head */
	int64_t hold_until;
	int64_t times[ALGO_RL_WINDOW];
};

/* mkdir -p with mode 0700 for every directory it creates. */
static int make_dirs(char *path, char *err, size_t errlen)
{
	for (char *p = path + 1; ; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;
			*p = '\0';
			if (mkdir(path, 0700) != 0 && errno != EEXIST) {
				snprintf(err, errlen, "%s: %s", path, strerror(errno));
				*p = c;
				return -1;
			}
			*p = c;
			if (!c)
				return 0;
		}
	}
}

static int rate_dir(char *out, size_t len)
{
	const char *v;
	int n;
	if ((v = getenv("XDG_RUNTIME_DIR")) && *v == '/')
		n = snprintf(out, len, "%s/algo", v);
	else if ((v = getenv("XDG_STATE_HOME")) && *v == '/')
		n = snprintf(out, len, "%s/algo", v);
	else if ((v = getenv("HOME")) && *v)
		n = snprintf(out, len, "%s/.local/state/algo", v);
	else
		return -1;
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int algo_ratelimit_init(struct algo_ratelimit *rl, const char *key, int per_sec, int per_min,
	long per_day, char *err, size_t errlen)
{
	char dir[3900], safe[96];
	size_t k = 0;
	int n;

	memset(rl, 0, sizeof *rl);
	for (const char *p = key; *p && k + 1 < sizeof safe; p++)
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    *p == '.' || *p == '_' || *p == '-')
			safe[k++] = *p;
	safe[k] = '\0';
	if (!k) {
		snprintf(err, errlen, "rate limit: empty key");
		return -1;
	}
	if (rate_dir(dir, sizeof dir) < 0) {
		snprintf(err, errlen, "rate limit: no XDG_RUNTIME_DIR, XDG_STATE_HOME or HOME for the budget file");
		return -1;
	}
	if (make_dirs(dir, err, errlen) < 0)
		return -1;
	n = snprintf(rl->path, sizeof rl->path, "%s/%s.rate", dir, safe);
	if (n < 0 || (size_t)n >= sizeof rl->path) {
		snprintf(err, errlen, "rate limit: path too long");
		return -1;
	}
	rl->per_sec = per_sec > 0 ? per_sec : 8;
	rl->per_min = per_min > 0 ? per_min : 180;
	if (rl->per_min > ALGO_RL_WINDOW)
		rl->per_min = ALGO_RL_WINDOW;
	rl->per_day = per_day > 0 ? per_day : 95000;
	rl->now_ms = algo_clock_ms;
	return 0;
}

/* Opens and locks the file; fills f (reset when it is not a valid budget file). */
static int lock_read(const struct algo_ratelimit *rl, struct rl_file *f, char *err, size_t errlen)
{
	ssize_t n;
	int fd = open(rl->path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", rl->path, strerror(errno));
		return -1;
	}
	while (flock(fd, LOCK_EX) != 0) {
		if (errno != EINTR) {
			snprintf(err, errlen, "%s: lock: %s", rl->path, strerror(errno));
			close(fd);
			return -1;
		}
	}
	n = pread(fd, f, sizeof *f, 0);
	if (n != (ssize_t)sizeof *f || f->magic != RL_MAGIC || f->version != RL_VERSION ||
	    f->head >= ALGO_RL_WINDOW || f->count > ALGO_RL_WINDOW) {
		memset(f, 0, sizeof *f);
		f->magic = RL_MAGIC;
		f->version = RL_VERSION;
	}
	return fd;
}

static int write_unlock(const struct algo_ratelimit *rl, int fd, const struct rl_file *f,
	char *err, size_t errlen)
{
	int rc = 0;
	if (f && pwrite(fd, f, sizeof *f, 0) != (ssize_t)sizeof *f) {
		snprintf(err, errlen, "%s: write: %s", rl->path, errno ? strerror(errno) : "short write");
		rc = -1;
	}
	close(fd);                  /* releases the lock */
	return rc;
}

static int64_t ist_day(int64_t ms)
{
	return (ms + (int64_t)ALGO_IST_OFFSET_MIN * 60000) / ALGO_MS_PER_DAY;
}

/* Drops request times older than a minute (and all of them when the clock went back
 * by more than a second: they would block for no reason) and rolls the day over. */
static void prune(struct rl_file *f, int64_t now)
{
	while (f->count) {
		int64_t t = f->times[f->head];
		if (t > now - 60000 && t <= now + 1000)
			break;
		f->head = (f->head + 1) % ALGO_RL_WINDOW;
		f->count--;
	}
	if (f->count && f->times[(f->head + f->count - 1) % ALGO_RL_WINDOW] > now + 1000)
		f->count = 0;
	if (f->day != ist_day(now)) {
		f->day = ist_day(now);
		f->today = 0;
		f->hits = 0;
	}
}

/* Time of the i-th (0 = oldest) request among those younger than span ms. */
static int count_since(const struct rl_file *f, int64_t since, uint32_t *first)
{
	uint32_t i = 0;
	while (i < f->count && f->times[(f->head + i) % ALGO_RL_WINDOW] <= since)
		i++;
	*first = i;
	return (int)(f->count - i);
}

/* Milliseconds until a request of priority prio fits; 0 when it fits now. */
static int64_t wait_needed(const struct algo_ratelimit *rl, const struct rl_file *f, int prio,
	int64_t now)
{
	int cap_s = prio ? rl->per_sec : rl->per_sec * 3 / 4, cap_m = prio ? rl->per_min : rl->per_min * 3 / 4;
	int64_t wait = f->hold_until > now ? f->hold_until - now : 0;
	uint32_t first;
	int n;

	if (cap_s < 1) cap_s = 1;
	if (cap_m < 1) cap_m = 1;
	n = count_since(f, now - 1000, &first);
	if (n >= cap_s) {
		int64_t t = f->times[(f->head + first + (uint32_t)(n - cap_s)) % ALGO_RL_WINDOW] + 1000 - now;
		if (t > wait) wait = t;
	}
	n = count_since(f, now - 60000, &first);
	if (n >= cap_m) {
		int64_t t = f->times[(f->head + first + (uint32_t)(n - cap_m)) % ALGO_RL_WINDOW] + 60000 - now;
		if (t > wait) wait = t;
	}
	return wait > 0 ? wait : 0;
}

int algo_ratelimit_take(struct algo_ratelimit *rl, int prio, long max_wait_ms, long *waited_ms,
	char *err, size_t errlen)
{
	struct rl_file f;
	long waited = 0;

	*waited_ms = 0;
	for (;;) {
		int64_t now = rl->now_ms(), wait;
		int fd = lock_read(rl, &f, err, errlen);
		if (fd < 0)
			return -1;
		prune(&f, now);
		if (f.today >= rl->per_day) {
			write_unlock(rl, fd, NULL, err, errlen);
			*waited_ms = -1;
			return 1;
		}
		wait = wait_needed(rl, &f, prio, now);
		if (wait == 0) {
			if (f.count == ALGO_RL_WINDOW) {
				f.head = (f.head + 1) % ALGO_RL_WINDOW;
				f.count--;
			}
			f.times[(f.head + f.count) % ALGO_RL_WINDOW] = now;
			f.count++;
			f.today++;
			*waited_ms = waited;
			return write_unlock(rl, fd, &f, err, errlen);
		}
		write_unlock(rl, fd, NULL, err, errlen);
		if (waited + wait > max_wait_ms) {
			*waited_ms = waited + (long)wait;
			return 1;
		}
		algo_sleep_ms((long)wait);
		waited += (long)wait;
	}
}

int algo_ratelimit_hit(struct algo_ratelimit *rl, long hold_ms, char *err, size_t errlen)
{
	struct rl_file f;
	int64_t now = rl->now_ms();
	int fd = lock_read(rl, &f, err, errlen), hits;
	if (fd < 0)
		return -1;
	prune(&f, now);
	if (hold_ms <= 0)
		hold_ms = 60000;
	if (now + hold_ms > f.hold_until)
		f.hold_until = now + hold_ms;
	hits = ++f.hits;
	return write_unlock(rl, fd, &f, err, errlen) < 0 ? -1 : hits;
}

int algo_ratelimit_peek(struct algo_ratelimit *rl, struct algo_rl_state *st, char *err,
	size_t errlen)
{
	struct rl_file f;
	int64_t now = rl->now_ms();
	uint32_t first;
	int fd = lock_read(rl, &f, err, errlen);
	if (fd < 0)
		return -1;
	prune(&f, now);
	st->last_sec = count_since(&f, now - 1000, &first);
	st->last_min = count_since(&f, now - 60000, &first);
	st->today = (long)f.today;
	st->hits_today = f.hits;
	st->hold_until = f.hold_until > now ? f.hold_until : 0;
	return write_unlock(rl, fd, NULL, err, errlen);
}
