/* Minimal TAP helpers for the lib unit drivers in tests/unit/. */
#ifndef ALGO_TAP_H
#define ALGO_TAP_H
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
static int tap_n, tap_fail;
#define ok(cond, ...) do { ++tap_n; if (cond) { printf("ok %d - ", tap_n); } \
	else { ++tap_fail; printf("not ok %d - ", tap_n); } printf(__VA_ARGS__); \
	printf("\n"); } while (0)
#define is_int(a, b, ...) do { long long _a = (long long)(a), _b = (long long)(b); \
	ok(_a == _b, __VA_ARGS__); if (_a != _b) printf("#   got %lld, want %lld\n", _a, _b); } while (0)
#define is_str(a, b, ...) do { const char *_a = (a), *_b = (b); \
	int _e = _a && _b && strcmp(_a, _b) == 0; ok(_e, __VA_ARGS__); \
	if (!_e) printf("#   got '%s', want '%s'\n", _a ? _a : "(null)", _b ? _b : "(null)"); } while (0)
static inline int tap_done(void) { printf("1..%d\n", tap_n); return tap_fail ? 1 : 0; }

/* Runs fn(arg, fd) with stdout and stderr on the new file log (fd), then copies log to
 * stdout and tests that nothing but TAP lines was printed: what a module that must
 * never print did while fn ran it. fd is for fn to point stdout back at. */
static inline void tap_quiet(const char *log, void (*fn)(void *arg, int fd), void *arg, const char *who)
{
	char *line = NULL;
	size_t n = 0;
	int fd, saved[2], printed = 0;
	FILE *f;
	fflush(stdout);
	saved[0] = dup(1), saved[1] = dup(2);
	fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	dup2(fd, 1), dup2(fd, 2);
	fn(arg, fd);
	fflush(stdout);
	close(fd);
	dup2(saved[0], 1), dup2(saved[1], 2), close(saved[0]), close(saved[1]);
	if ((f = fopen(log, "r"))) {
		while (getline(&line, &n, f) > 0) {
			fputs(line, stdout);
			printed |= strncmp(line, "ok ", 3) && strncmp(line, "not ok ", 7) && line[0] != '#';
		}
		fclose(f);
	}
	free(line);
	ok(f && !printed, "%s printed nothing on stdout or stderr", who);
	unlink(log);
}

/* Removes dir's state database (state.db and its -wal and -shm), then dir. */
static inline void tap_rmdir_state(const char *dir)
{
	char path[4096];
	for (const char *const *n = (const char *const[]){ "state.db", "state.db-wal", "state.db-shm", NULL }; *n; n++) {
		snprintf(path, sizeof path, "%s/%s", dir, *n);
		unlink(path);
	}
	rmdir(dir);
}
#endif
