/* pacer — paced replay of event files; see pacer.h. */
#include "pacer.h"
#include "cli.h"
#include "timeutil.h"
#include <stdio.h>

void algo_pacer_init(struct algo_pacer *p)
{
	*p = (struct algo_pacer){ .speed = 1.0, .maxgap = 5.0, .every = -1, .prev = INT64_MIN };
}

int64_t algo_pacer_delay(struct algo_pacer *p, int64_t ts)
{
	int64_t prev = p->prev, ms = 0;
	p->prev = ts;
	if (prev == INT64_MIN)
		return 0;
	if (p->every >= 0)
		return p->every;
	if (p->speed > 0 && ts > prev) {
		double d = (double)(ts - prev) / p->speed;
		ms = (int64_t)(d > p->maxgap * 1000 ? p->maxgap * 1000 : d);
	}
	return ms;
}

/* A bad line: an error, or with skip_bad a message for on_skip. */
static int bad_line(struct algo_pacer *p, const struct algo_reader *r, char *err, size_t errlen)
{
	char msg[ALGO_ERR_MAX + 300];
	if (!p->skip_bad) {
		snprintf(msg, sizeof msg, "%s:%ld: %s", r->name, r->lineno, err);
		snprintf(err, errlen, "%s", msg);
		return ALGO_EX_DATAERR;
	}
	p->bad++;
	snprintf(msg, sizeof msg, "%s:%ld: %s (skipped)", r->name, r->lineno, err);
	if (p->on_skip)
		p->on_skip(p->arg, msg);
	return 0;
}

int algo_pacer_replay(struct algo_pacer *p, struct algo_reader *r, struct algo_writer *w, char *err, size_t errlen)
{
	const char *line;
	size_t len;
	int rc;
	while ((rc = algo_reader_next(r, &line, &len, err, errlen)) != 0) {
		struct algo_event ev;
		int64_t ts;
		if (rc == -2)
			return ALGO_EX_IOERR;
		if (rc == -1 || algo_event_parse(&ev, line, len, err, errlen) ||
		    algo_event_time(&ev, "ts", 1, &ts, err, errlen) < 0) {
			if ((rc = bad_line(p, r, err, errlen)) != 0)
				return rc;
			continue;
		}
		algo_sleep_ms(algo_pacer_delay(p, ts));
		algo_out_line(w, line, len);
		if (p->every >= 0 || p->speed > 0)
			algo_writer_flush(w);
	}
	return 0;
}
