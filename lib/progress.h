/* progress — the progress line of a long run shown on a terminal.
 *
 * The caller says how much work there is (a total in any unit, e.g. input bytes, or
 * -1 when unknown) and, as it goes, how much is done and how many items (bars, rows)
 * it has handled. algo_progress_line says when to redraw (at most every 100 ms) and
 * gives the line: "\rNAME: [#######.......]  42%  1.23M bars/s  0:12 left\033[K",
 * or "\rNAME: 123456 bars  1.23M bars/s\033[K" without a total. The caller writes
 * it (to stderr, and only when stderr is a terminal) and, before any other message
 * and at the end, algo_progress_erase's text. Nothing here prints or reads the clock
 * other than the monotonic one. */
#ifndef ALGO_PROGRESS_H
#define ALGO_PROGRESS_H
#include <stddef.h>
#include <stdint.h>

#define ALGO_PROGRESS_LINE_MAX 160

struct algo_progress {
	const char *name, *unit;     /* borrowed: "algo-feed", "bars" */
	int64_t total;               /* work in all; <= 0: unknown */
	int64_t start_ms, last_ms;   /* monotonic */
	int drawn;                   /* a line is on the screen */
};

/* Starts p now. */
void algo_progress_start(struct algo_progress *p, const char *name, const char *unit, int64_t total);
/* The line to draw with done of total and items handled so far, in buf (at least
 * ALGO_PROGRESS_LINE_MAX bytes): its length, or 0 when it is not yet time to redraw. */
size_t algo_progress_line(struct algo_progress *p, int64_t done, uint64_t items, char *buf, size_t len);
/* The text that erases a drawn line ("" when none is drawn); the line counts as gone. */
const char *algo_progress_erase(struct algo_progress *p);

/* The same line for given elapsed milliseconds, without the clock (for tests). */
size_t algo_progress_format(const struct algo_progress *p, int64_t elapsed_ms, int64_t done, uint64_t items,
	char *buf, size_t len);

#endif
