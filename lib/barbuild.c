/* barbuild — bars from ticks. See barbuild.h for the contract. */
#include "barbuild.h"
#include "timeutil.h"

#include <stdlib.h>
#include <string.h>

#define IST_MS ((int64_t)ALGO_IST_OFFSET_MIN * 60000)
#define SESSION_OPEN_MS ((9 * 60 + 15) * 60000LL)

int algo_barbuild_takes(int64_t tf)
{
	return tf > 0 && tf <= 86400 && (tf % 60 == 0 || 60 % tf == 0);
}

int algo_barbuild_init(struct algo_barbuild *b, int nsym, int64_t tf)
{
	memset(b, 0, sizeof *b);
	if (!algo_barbuild_takes(tf) || nsym <= 0)
		return -1;
	if (!(b->s = calloc((size_t)nsym, sizeof *b->s)))
		return -1;
	for (int i = 0; i < nsym; i++)
		b->s[i].vol_last = -1;
	b->tf_ms = tf * 1000;
	b->n = nsym;
	return 0;
}

void algo_barbuild_free(struct algo_barbuild *b)
{
	free(b->s);
	b->s = NULL;
}

static int64_t floordiv(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* 09:15 IST of the day holding ts. */
static int64_t session_open(int64_t ts)
{
	return algo_time_ist_day(ts) * ALGO_MS_PER_DAY - IST_MS + SESSION_OPEN_MS;
}

int64_t algo_barbuild_start(const struct algo_barbuild *b, int64_t ts)
{
	int64_t anchor = b->tf_ms >= ALGO_MS_PER_DAY ? session_open(ts) - SESSION_OPEN_MS : session_open(ts);
	return anchor + floordiv(ts - anchor, b->tf_ms) * b->tf_ms;
}

static void finish(struct algo_barbuild *b, int i)
{
	struct algo_barbuild_sym *s = &b->s[i];
	int64_t v = s->vol_last >= 0 ? s->vol_last - s->vol_base : 0;
	s->bar.v = v > 0 ? v : 0;
	if (s->vol_last >= 0)
		s->vol_base = s->vol_last;
	s->open = 0;
	s->done_until = s->bar.ts + b->tf_ms;
	b->bars++;
	if (b->emit)
		b->emit(b->arg, i, &s->bar);
}

/* A new day, a volume that went down, or the symbol's first tick: where counting starts. */
static void volume_origin(struct algo_barbuild *b, struct algo_barbuild_sym *s, int64_t ts, int64_t vol)
{
	int64_t day = algo_time_ist_day(ts);
	int first = s->vol_last < 0 && s->day == 0;
	if (vol < 0)
		return;
	if (first)
		s->vol_base = ts < session_open(ts) + b->tf_ms ? 0 : vol;
	else if (day != s->day || (s->vol_last >= 0 && vol < s->vol_last))
		s->vol_base = 0;
}

void algo_barbuild_tick(struct algo_barbuild *b, int i, int64_t ts, int64_t ltp, int64_t vol)
{
	struct algo_barbuild_sym *s = &b->s[i];
	int64_t start;

	if (i >= b->hi)
		b->hi = i + 1;
	if (s->done_until && ts < s->done_until)
		ts = s->done_until;
	start = algo_barbuild_start(b, ts);
	if (s->open && start != s->bar.ts)
		finish(b, i);       /* with the volume of its own day */
	volume_origin(b, s, ts, vol);
	s->day = algo_time_ist_day(ts);
	if (vol >= 0)
		s->vol_last = vol;
	if (!s->open) {
		s->open = 1;
		s->bar.ts = start;
		s->bar.o = s->bar.h = s->bar.l = ltp;
	}
	if (ltp > s->bar.h)
		s->bar.h = ltp;
	if (ltp < s->bar.l)
		s->bar.l = ltp;
	s->bar.c = ltp;
}

void algo_barbuild_close(struct algo_barbuild *b, int64_t now)
{
	for (int i = 0; i < b->hi; i++)
		if (b->s[i].open && b->s[i].bar.ts + b->tf_ms <= now)
			finish(b, i);
}
