/* liveout — a live feed's ticks, bars and record file; see liveout.h. */
#include "liveout.h"
#include "cli.h"
#include "timeutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void on_bar(void *arg, int sym, const struct algo_candle *bar)
{
	struct algo_liveout *o = arg;
	algo_barout_named(&o->out, o->name(o->arg, sym), o->tf, bar);
}

int algo_liveout_open(struct algo_liveout *o, struct algo_writer *w, const struct algo_livecfg *cfg, int nsym,
	const char *(*name)(void *arg, int sym), void *arg, int *code, char *err, size_t errlen)
{
	int64_t bars_tf = cfg->bars_tf;
	const char *record = cfg->record;
	memset(o, 0, sizeof *o);
	o->on_notice = cfg->on_notice;
	o->notice_arg = cfg->arg;
	o->w = w;
	o->name = name;
	o->arg = arg;
	o->recfd = -1;
	o->offset = INT64_MIN;
	algo_barout_init(&o->out, w);
	if (bars_tf) {
		if (algo_barbuild_init(&o->bb, nsym, bars_tf) < 0) {
			*code = ALGO_EX_USAGE;
			snprintf(err, errlen, "bars of %llds are not a bar timeframe", (long long)bars_tf);
			return -1;
		}
		o->bb.emit = on_bar;
		o->bb.arg = o;
		o->bars_on = 1;
		algo_tf_fmt(bars_tf, o->tf, sizeof o->tf);
	}
	if (record && (o->recfd = open(record, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0) {
		*code = ALGO_EX_CANTCREAT;
		snprintf(err, errlen, "--record: %s: %s", record, strerror(errno));
		return -1;
	}
	w->tap_on = o->recfd >= 0;
	return 0;
}

void algo_liveout_free(struct algo_liveout *o)
{
	if (o->bars_on)
		algo_barbuild_free(&o->bb);
	o->bars_on = 0;
	if (o->recfd >= 0)
		close(o->recfd);
	o->recfd = -1;
}

void algo_liveout_tick(struct algo_liveout *o, int sym, int64_t ts, int64_t ltp, int64_t bid, int64_t ask,
	int64_t vol)
{
	struct algo_writer *w = o->w;
	if (o->bars_on)             /* a bar this tick completes goes first */
		algo_barbuild_tick(&o->bb, sym, ts, ltp, vol);
	algo_barout_stream(&o->out, ts);
	algo_out_begin(w);
	algo_out_str(w, "type", "tick");
	algo_out_time(w, "ts", ts);
	algo_out_str(w, "symbol", o->name(o->arg, sym));
	algo_out_dec(w, "ltp", ltp);
	if (bid > 0)
		algo_out_dec(w, "bid", bid);
	if (ask > 0)
		algo_out_dec(w, "ask", ask);
	if (vol >= 0)
		algo_out_int(w, "v", vol);
	algo_out_end(w);
	o->ticks++;
}

void algo_liveout_learn(struct algo_liveout *o, int64_t ts, int64_t wall)
{
	int64_t d = ts - wall;
	if (d > -5000 && d < 5000)
		d = 0;
	if (o->offset == INT64_MIN || d > o->offset)
		o->offset = d;
}

int64_t algo_liveout_now(const struct algo_liveout *o, int64_t wall)
{
	return wall + (o->offset == INT64_MIN ? 0 : o->offset);
}

void algo_liveout_close(struct algo_liveout *o, int64_t now)
{
	if (o->bars_on)
		algo_barbuild_close(&o->bb, now);
}

int algo_liveout_flush(struct algo_liveout *o, char *err, size_t errlen)
{
	struct algo_writer *w = o->w;
	if (o->recfd >= 0 && w->tap_len) {
		if (write(o->recfd, w->tap, w->tap_len) != (ssize_t)w->tap_len) {
			snprintf(err, errlen, "--record: %s", strerror(errno));
			return -1;
		}
		w->tap_len = 0;
	}
	algo_writer_flush(w);
	return 0;
}

int algo_liveout_note(struct algo_liveout *o, const char *msg, char *err, size_t errlen)
{
	if (algo_liveout_flush(o, err, errlen) < 0)
		return -1;
	if (o->on_notice)
		o->on_notice(o->notice_arg, msg);
	return 0;
}
