/* progress — the progress line of a long run. See progress.h for the contract. */
#include "progress.h"
#include "timeutil.h"
#include <stdio.h>

#define REDRAW_MS 100
#define BAR_WIDTH 30

void algo_progress_start(struct algo_progress *p, const char *name, const char *unit, int64_t total)
{
	p->name = name;
	p->unit = unit;
	p->total = total;
	p->start_ms = p->last_ms = algo_mono_ms();
	p->drawn = 0;
}

size_t algo_progress_format(const struct algo_progress *p, int64_t elapsed_ms, int64_t done, uint64_t items,
	char *buf, size_t len)
{
	double el = (double)elapsed_ms / 1000, rate = el > 0 ? (double)items / el : 0;
	int n;
	if (p->total > 0) {
		double frac = done > p->total ? 1 : done < 0 ? 0 : (double)done / (double)p->total;
		double per_s = el > 0 ? (double)done / el : 0;
		long left = per_s > 0 ? (long)((double)(p->total - done) / per_s + 0.5) : 0;
		char bar[BAR_WIDTH + 1];
		int fill = (int)(frac * BAR_WIDTH);
		for (int i = 0; i < BAR_WIDTH; i++)
			bar[i] = i < fill ? '#' : '.';
		bar[BAR_WIDTH] = '\0';
		if (left < 0) left = 0;
		n = snprintf(buf, len, "\r%s: [%s] %3d%%  %.2fM %s/s  %ld:%02ld left\033[K", p->name, bar,
			(int)(frac * 100), rate / 1e6, p->unit, left / 60, left % 60);
	} else
		n = snprintf(buf, len, "\r%s: %llu %s  %.2fM %s/s\033[K", p->name, (unsigned long long)items,
			p->unit, rate / 1e6, p->unit);
	return n < 0 ? 0 : (size_t)n >= len ? len - 1 : (size_t)n;
}

size_t algo_progress_line(struct algo_progress *p, int64_t done, uint64_t items, char *buf, size_t len)
{
	int64_t t = algo_mono_ms();
	size_t n;
	if (t - p->last_ms < REDRAW_MS)
		return 0;
	p->last_ms = t;
	n = algo_progress_format(p, t - p->start_ms, done, items, buf, len);
	if (n) p->drawn = 1;
	return n;
}

const char *algo_progress_erase(struct algo_progress *p)
{
	if (!p->drawn)
		return "";
	p->drawn = 0;
	return "\r\033[K";
}
