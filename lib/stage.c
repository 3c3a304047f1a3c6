/* stage — the read loop of every pipeline stage. See stage.h for the contract. */
#include "stage.h"
#include "cli.h"
#include "timeutil.h"
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* One loop runs per process: the signal handler and the reader share these. */
static volatile int stage_stop;
static volatile sig_atomic_t stage_sig;

static void on_stop_signal(int sig)
{
	stage_sig = sig;
	stage_stop = 1;
}

int algo_stage_stopping(void)
{
	return stage_stop || algo_stdout.error;
}

void algo_stage_init(struct algo_stage *st, const struct algo_stage_ops *ops, void *arg)
{
	memset(st, 0, sizeof *st);
	st->fd = 0;
	st->name = "stdin";
	st->commit_every = 5000;
	st->idle_commit_ms = 50;
	st->wake_fd = -1;
	st->ops = ops;
	st->arg = arg;
}

static void say(const struct algo_stage *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(const struct algo_stage *st, const char *fmt, ...)
{
	char msg[ALGO_ERR_MAX + 256];
	va_list ap;
	if (!st->warn)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	st->warn(msg);
}

int algo_stage_stop(struct algo_stage *st, int code, const char *msg)
{
	st->stop_code = code;
	snprintf(st->stop_msg, sizeof st->stop_msg, "%s", msg ? msg : "");
	stage_stop = 1;
	return ALGO_STAGE_STOPPED;
}

/* Loop state that the reader's callback needs. */
struct run {
	struct algo_stage *st;
	long unsaved;              /* lines handled since the last save */
	int save_failed;           /* a save failed: the final one is not tried again */
	int refused;               /* the input starts too late (the run record): nothing is
	                            * done or saved */
	int code;                  /* an exit code decided inside the callback */
	int wake_fd;               /* st->wake_fd while it works, else -1 */
	char err[ALGO_ERR_MAX + 256];
};

/* Ends the transaction the caller began: commits it, or rolls it back when the work
 * done inside it failed. 0, or -1 with the reason in err. */
static int end_transaction(struct algo_stage *st, int failed, char *err, size_t errlen)
{
	if (failed) {
		algo_store_rollback(st->store);
		return -1;
	}
	return algo_store_commit(st->store, err, errlen);
}

/* The stage's state and its replay record in one transaction; final: the last save
 * of the run. */
static int save_state(struct algo_stage *st, int final, char *err, size_t errlen)
{
	if (!st->store || (!st->ops->save && !st->replay_key))
		return 0;
	if (algo_store_begin(st->store, err, errlen))
		return -1;
	return end_transaction(st,
		(st->ops->save && st->ops->save(st->arg, st->store, err, errlen)) ||
		(st->replay_key && algo_replay_save(&st->replay, st->store, final, err, errlen)),
		err, errlen);
}

int algo_stage_save(struct algo_stage *st, char *err, size_t errlen)
{
	return save_state(st, 0, err, errlen);
}

/* Writes the run record (lib/replay.h) in a transaction of its own, so that it is
 * durable before the input it speaks of is read or processed. */
static int save_run_record(struct algo_stage *st, int at_line, uint64_t hash, char *err,
	size_t errlen)
{
	if (algo_store_begin(st->store, err, errlen))
		return -1;
	return end_transaction(st, algo_replay_run_mark(&st->replay, st->store, at_line, hash, err, errlen),
		err, errlen);
}

/* A refused run leaves the run record as it found it. */
static int undo_run_record(struct algo_stage *st, char *err, size_t errlen)
{
	if (algo_store_begin(st->store, err, errlen))
		return -1;
	return end_transaction(st, algo_replay_run_undo(&st->replay, st->store, err, errlen), err, errlen);
}

/* Saves, turning a failure into exit 74 with the database's reason. */
static int save_now(struct run *run, int final)
{
	char err[ALGO_ERR_MAX];
	if (save_state(run->st, final, err, sizeof err) == 0) {
		run->unsaved = 0;
		return 0;
	}
	snprintf(run->err, sizeof run->err, "cannot save state: %s", err);
	run->save_failed = 1;
	run->code = ALGO_EX_IOERR;
	stage_stop = 1;
	return -1;
}

/* The exit code for a hook's rc: algo_stage_stop's code (its message in run->err). */
static int stopped(struct run *run, int rc)
{
	if (rc != ALGO_STAGE_STOPPED)
		return rc;
	snprintf(run->err, sizeof run->err, "%s", run->st->stop_msg);
	return run->st->stop_code;
}

/* Flushes our output; 0, or -1 (the run stops) when it is gone or failed. */
static int flush_out(void)
{
	algo_writer_flush(&algo_stdout);
	if (!algo_stdout.error)
		return 0;
	stage_stop = 1;
	return -1;
}

/* The stage's idle work, its output flushed at once (a fill found while input is quiet
 * must not wait for the next line). 0, or -1 when the run stops. */
static int call_idle(struct run *run)
{
	struct algo_stage *st = run->st;
	int rc;
	if (st->ops->idle && (rc = st->ops->idle(st->arg, run->err, sizeof run->err)) != 0) {
		run->code = stopped(run, rc);
		stage_stop = 1;
		return -1;
	}
	return flush_out();
}

/* 1 when the stage saves in batches and pauses, not only at the end (save_at_end). */
static int saves_while_running(const struct algo_stage *st)
{
	return st->store && !st->save_at_end;
}

/* When the wait of before_read ends (algo_mono_ms), or -1: only input ends it. */
static int64_t wait_until(const struct run *run, int64_t quiet_since, int64_t next_idle)
{
	const struct algo_stage *st = run->st;
	int64_t due = next_idle;
	if (saves_while_running(st) && run->unsaved > 0) {
		int64_t save_at = quiet_since + st->idle_commit_ms;
		if (due < 0 || save_at < due)
			due = save_at;
	}
	return due;
}

/* A pause in the input shorter than this is not a quiet time: the output waits for
 * the next line. In a backtest the input pauses ~50 us at each fill barrier (44,789
 * times per 1M bars); flushing at each woke the next stage for a few lines, costing
 * every stage CPU. Live, it delays output by at most this. */
#define BRIEF_PAUSE_NS 200000L

/* 1 when output is pending and input comes within BRIEF_PAUSE_NS: the read will not
 * block, so neither flushing nor the idle work is due yet. */
static int input_resumes_soon(const struct run *run)
{
	struct pollfd pfd = { .fd = run->st->fd, .events = POLLIN };
	struct timespec pause = { 0, BRIEF_PAUSE_NS };
	if (stage_stop || algo_stdout.len == 0)
		return 0;
	return ppoll(&pfd, 1, &pause, NULL) > 0 && (pfd.revents & POLLIN);
}

/* Before a read that may block: flush and let the stage do its idle work; then, while
 * no input comes, save after idle_commit_ms, call the idle hook again every idle_ms
 * and whenever the wake fd is readable. A signal ends the wait. */
static void before_read(void *arg)
{
	struct run *run = arg;
	struct algo_stage *st = run->st;
	int64_t quiet_since, next_idle = -1;
	if (input_resumes_soon(run))
		return;
	quiet_since = algo_mono_ms();
	if (flush_out() || call_idle(run))
		return;
	if (st->idle_ms > 0)
		next_idle = algo_mono_ms() + st->idle_ms;
	while (!stage_stop) {
		struct pollfd pfd[2] = { { .fd = st->fd, .events = POLLIN }, { .fd = run->wake_fd, .events = POLLIN } };
		int nfd = run->wake_fd >= 0 ? 2 : 1, rc, wake;
		int64_t due = wait_until(run, quiet_since, next_idle), now = algo_mono_ms();
		if (due < 0 && nfd == 1)
			return;              /* nothing but input to wait for: the read blocks */
		/* at most a second: a signal just before poll() still ends the wait soon */
		if (due < 0 || due > now + 1000)
			due = now + 1000;
		rc = poll(pfd, (nfds_t)nfd, due > now ? (int)(due - now) : 0);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc < 0 || pfd[0].revents)
			return;              /* input, its end or an error: the read says which */
		now = algo_mono_ms();
		if (saves_while_running(st) && run->unsaved > 0 && now >= quiet_since + st->idle_commit_ms &&
		    save_now(run, 0))
			return;
		wake = nfd == 2 && (pfd[1].revents & POLLIN);
		if (nfd == 2 && !wake && pfd[1].revents)
			run->wake_fd = -1;   /* closed or broken: not waited on again */
		if (wake || (next_idle >= 0 && now >= next_idle)) {
			if (call_idle(run))
				return;
			if (next_idle >= 0)
				next_idle = algo_mono_ms() + st->idle_ms;
		}
	}
}

/* Writes the recorded output of a line processed in an earlier run. */
static void write_recorded(const char *out, size_t len)
{
	while (len) {
		const char *nl = memchr(out, '\n', len);
		size_t n = nl ? (size_t)(nl - out) : len;
		algo_out_line(&algo_stdout, out, n);
		if (!nl)
			break;
		out += n + 1;
		len -= n + 1;
	}
}

/* Before the first new line of a run, and the first after each save: the run record
 * says whether input starting here loses lines a killed run did not save (then the run
 * is refused), and then names this line, durably, before it is processed. */
static int new_line(struct run *run, uint64_t hash, char *err, size_t errlen)
{
	struct algo_stage *st = run->st;
	char msg[ALGO_ERR_MAX];
	int rc = algo_replay_check(&st->replay, hash, msg, sizeof msg);
	if (rc < 0) {
		snprintf(err, errlen, "%s", msg);
		run->refused = 1;
		return ALGO_EX_DATAERR;
	}
	if (rc > 0)
		say(st, "%s", msg);
	if (algo_replay_run_due(&st->replay) && save_run_record(st, 1, hash, msg, 400)) {
		snprintf(err, errlen, "cannot save state: %.400s", msg);
		run->save_failed = 1;
		return ALGO_EX_IOERR;
	}
	return 0;
}

/* Hands one parsed event to the stage, or answers it from the replay record. With a
 * record only of positions (record_only), every line is handed on. */
static int handle(struct run *run, const struct algo_event *ev, char *err, size_t errlen)
{
	struct algo_stage *st = run->st;
	struct algo_replay *r = &st->replay;
	struct algo_writer *w = &algo_stdout;
	uint64_t hash;
	int64_t ts;
	int rc, seen;
	if (!st->replay_key || ev->type == ALGO_EV_SYNC)
		return st->ops->event(st->arg, ev, err, errlen);
	rc = algo_event_time(ev, "ts", !r->record_only, &ts, err, errlen);
	if (rc < 0 && !r->record_only)
		return -1;
	if (rc <= 0)
		ts = INT64_MIN;        /* the stage judges the line; its position is the last */
	hash = algo_replay_hash(ev->line, ev->len);
	seen = algo_replay_seen(r, ts, hash);
	if (algo_replay_check_start(r, err, errlen)) {
		run->refused = 1;
		return ALGO_EX_DATAERR;
	}
	if (seen && !r->record_only) {
		const char *out;
		size_t len;
		rc = algo_replay_output(r, hash, &out, &len, err, errlen);
		if (rc < 0)
			return ALGO_EX_IOERR;
		if (rc == 1)
			write_recorded(out, len);
		else
			algo_out_line(w, ev->line, ev->len);
		return 0;
	}
	if (seen)
		return st->ops->event(st->arg, ev, err, errlen);
	if ((rc = new_line(run, hash, err, errlen)) != 0)
		return rc;
	w->tap_len = 0;
	w->tap_on = !r->record_only;
	r->in_line = 1;
	r->line_hash = hash;
	rc = st->ops->event(st->arg, ev, err, errlen);
	r->in_line = 0;
	w->tap_on = 0;
	if (rc != 0)
		return rc;
	if (w->tap_oom || algo_replay_done(r, hash, ev->line, ev->len, w->tap, w->tap_len)) {
		snprintf(err, errlen, "out of memory");
		return ALGO_EX_FAIL;
	}
	return 0;
}

/* One line: 0 handled, or the exit code that ends the run (bad input: 65 unless
 * skip_bad, which counts it and goes on). */
static int one_line(struct run *run, int rc, const char *line, size_t len)
{
	struct algo_stage *st = run->st;
	struct algo_event ev;
	char err[ALGO_ERR_MAX];
	if (rc == -1)
		snprintf(err, sizeof err, "line longer than %d bytes", ALGO_LINE_MAX);
	else if (algo_event_parse(&ev, line, len, err, sizeof err) < 0)
		rc = -1;
	else
		rc = handle(run, &ev, err, sizeof err);
	if (rc == ALGO_STAGE_STOPPED)
		return stopped(run, rc);
	if (rc == 0) {
		st->lines++;
		if (saves_while_running(st) && ++run->unsaved >= st->commit_every && save_now(run, 0))
			return run->code;
		return 0;
	}
	if (rc > 0) {
		snprintf(run->err, sizeof run->err, "%s:%ld: %s", st->name, st->reader.lineno, err);
		return rc;
	}
	if (!st->skip_bad) {
		snprintf(run->err, sizeof run->err, "%s:%ld: %s", st->name, st->reader.lineno, err);
		return ALGO_EX_DATAERR;
	}
	say(st, "%s:%ld: %s (skipped)", st->name, st->reader.lineno, err);
	st->bad++;
	return 0;
}

static void catch_signals(struct sigaction *old)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP };
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	for (int i = 0; i < 3; i++)
		sigaction(sigs[i], &sa, &old[i]);
}

static void restore_signals(const struct sigaction *old)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP };
	for (int i = 0; i < 3; i++)
		sigaction(sigs[i], &old[i], NULL);
}

/* Why the input ended, from the code so far and what happened to our output. */
static int why_ended(int code)
{
	if (code != ALGO_EX_OK)
		return ALGO_STAGE_ERROR;
	if (algo_stdout.error)
		return algo_stdout.error == EPIPE ? ALGO_STAGE_OUTPUT_CLOSED : ALGO_STAGE_ERROR;
	return stage_sig ? ALGO_STAGE_SIGNAL : ALGO_STAGE_EOF;
}

/* The end of a run: the end hook, the last save, the last flush. */
static int finish(struct run *run, int code)
{
	struct algo_stage *st = run->st;
	int why = why_ended(code), rc, said = 0;
	char err[ALGO_ERR_MAX];
	/* one message for one failure: what follows from it (the last save on a full
	 * disk, the output that could not be written) is not reported again */
	if (code != ALGO_EX_OK && run->err[0]) {
		say(st, "%s", run->err);
		said = 1;
	}
	if (st->ops->end && !run->refused && (rc = st->ops->end(st->arg, why, err, sizeof err)) != 0) {
		if (rc == ALGO_STAGE_STOPPED) {
			rc = st->stop_code;
			snprintf(err, sizeof err, "%s", st->stop_msg);
		}
		if (err[0] && !said) {
			say(st, "%s", err);
			said = 1;
		}
		if (code == ALGO_EX_OK)
			code = rc;
	}
	run->err[0] = '\0';
	if (run->refused && undo_run_record(st, err, sizeof err) && !said) {
		say(st, "cannot save state: %s", err);
		said = 1;
		code = ALGO_EX_IOERR;
	}
	if (st->store && !run->save_failed && !run->refused && save_now(run, 1)) {
		if (!said)
			say(st, "%s", run->err);
		said = 1;
		code = ALGO_EX_IOERR;
	}
	algo_writer_flush(&algo_stdout);
	if (st->bad)
		say(st, "skipped %ld bad line%s", st->bad, st->bad == 1 ? "" : "s");
	if (algo_stdout.error && algo_stdout.error != EPIPE) {
		if (!said)
			say(st, "write error: %s", strerror(algo_stdout.error));
		if (code == ALGO_EX_OK)
			code = ALGO_EX_IOERR;
	}
	if (stage_sig && code == ALGO_EX_OK) {
		st->stop_signal = stage_sig;
		code = 128 + stage_sig;
	}
	return code;
}

int algo_stage_run(struct algo_stage *st)
{
	struct run run;
	struct sigaction old[3];
	char err[ALGO_ERR_MAX];
	int code = ALGO_EX_OK;

	memset(&run, 0, sizeof run);
	run.st = st;
	/* A throw-away database (a backtest's own) is never restarted from: a crash
	 * means running the backtest again, so no replay record (it was 47% of the
	 * database of a 1M-bar backtest, algo-eval's journal of its signals). */
	if (st->replay_key && st->store && st->store->throwaway)
		st->replay_key = NULL;
	run.wake_fd = st->wake_fd;
	if (st->replay_key && (!st->store ||
	    algo_replay_open(&st->replay, st->store, st->replay_key, err, sizeof err))) {
		say(st, "%s", st->store ? err : "a replay record needs a state database");
		return ALGO_EX_FAIL;
	}
	if (st->replay_key)
		st->replay.record_only = st->replay_record_only;
	/* before any input is read: a kill from here on may lose what was read */
	if (st->replay_key && save_run_record(st, 0, 0, err, sizeof err)) {
		say(st, "cannot save state: %s", err);
		algo_replay_free(&st->replay);
		return ALGO_EX_IOERR;
	}
	if (algo_reader_fdopen(&st->reader, st->fd, st->name, err, sizeof err)) {
		say(st, "%s", err);
		return ALGO_EX_FAIL;
	}
	st->reader.before_read = before_read;
	st->reader.before_read_arg = &run;
	st->reader.stop = &stage_stop;
	stage_stop = 0;
	stage_sig = 0;
	algo_stdout.soft = 1;
	catch_signals(old);

	while (code == ALGO_EX_OK && !stage_stop) {
		const char *line;
		size_t len;
		int rc = algo_reader_next(&st->reader, &line, &len, err, sizeof err);
		if (rc == 0)
			break;
		if (rc == -2) {
			snprintf(run.err, sizeof run.err, "%s", err);
			code = ALGO_EX_IOERR;
			break;
		}
		code = one_line(&run, rc, line, len);
		if (algo_stdout.error)
			break;
	}
	if (code == ALGO_EX_OK && run.code)
		code = run.code;
	code = finish(&run, code);
	restore_signals(old);
	algo_stdout.soft = 0;
	algo_reader_close(&st->reader);
	if (st->replay_key)
		algo_replay_free(&st->replay);
	return code;
}
