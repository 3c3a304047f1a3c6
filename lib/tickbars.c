/* tickbars — bars from recorded ticks; see tickbars.h. */
#include "tickbars.h"
#include "cli.h"
#include "timeutil.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>

static void on_bar(void *arg, int sym, const struct algo_candle *bar)
{
	struct algo_tickbars *t = arg;
	algo_barout_named(&t->out, t->syms.s[sym].name, t->tf, bar);
}

int algo_tickbars_init(struct algo_tickbars *t, int64_t tf_secs, struct algo_writer *w)
{
	memset(t, 0, sizeof *t);
	if (algo_barbuild_init(&t->bb, ALGO_TICKBARS_MAXSYM, tf_secs) < 0)
		return -1;
	t->bb.emit = on_bar;
	t->bb.arg = t;
	algo_barout_init(&t->out, w);
	algo_tf_fmt(tf_secs, t->tf, sizeof t->tf);
	return 0;
}

/* One line into the builder. Returns 0, or -1 with err set. */
static int tick(struct algo_tickbars *t, const char *line, size_t len, char *err, size_t errlen)
{
	struct algo_event ev;
	char sym[64];
	int64_t ts, ltp, v = -1;
	int id;
	if (algo_event_parse(&ev, line, len, err, errlen) < 0)
		return -1;
	if (ev.type != ALGO_EV_TICK)
		return 0;
	if (algo_event_time(&ev, "ts", 1, &ts, err, errlen) < 0 || algo_event_name(&ev, "symbol", 1, sym, sizeof sym, err, errlen) < 0 ||
	    algo_event_price(&ev, "ltp", 1, &ltp, err, errlen) < 0 || algo_event_int(&ev, "v", 0, &v, err, errlen) < 0)
		return -1;
	if ((id = algo_symtab_intern(&t->syms, sym, strlen(sym))) < 0 || id >= ALGO_TICKBARS_MAXSYM) {
		snprintf(err, errlen, id < 0 ? "out of memory" : "more than %d symbols", ALGO_TICKBARS_MAXSYM);
		return -1;
	}
	algo_barbuild_close(&t->bb, ts);
	algo_barbuild_tick(&t->bb, id, ts, ltp, v);
	return 0;
}

int algo_tickbars_file(struct algo_tickbars *t, const char *path, char *err, size_t errlen)
{
	struct algo_reader r;
	const char *line;
	size_t len;
	int rc, code = 0;
	if (algo_reader_open(&r, path, err, errlen))
		return errno == ENOENT ? ALGO_EX_NOINPUT : ALGO_EX_IOERR;
	while (!code && (rc = algo_reader_next(&r, &line, &len, err, errlen)) != 0) {
		char why[ALGO_ERR_MAX];
		if (rc == -2)
			code = ALGO_EX_IOERR;
		else if (rc == -1 || tick(t, line, len, why, sizeof why) < 0) {
			if (rc == -1)
				snprintf(why, sizeof why, "%s", err);
			snprintf(err, errlen, "%s:%ld: %s", r.name, r.lineno, why);
			code = ALGO_EX_DATAERR;
		}
	}
	algo_reader_close(&r);
	return code;
}

void algo_tickbars_finish(struct algo_tickbars *t)
{
	algo_barbuild_close(&t->bb, INT64_MAX);
	algo_tickbars_free(t);
}

void algo_tickbars_free(struct algo_tickbars *t)
{
	algo_barbuild_free(&t->bb);
	algo_symtab_free(&t->syms);
}
