/* Minimal TAP helpers for the lib unit drivers in tests/unit/. */
#ifndef ALGO_TAP_H
#define ALGO_TAP_H
#include <stdio.h>
#include <string.h>
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
#endif
