/* stage: the idle hook runs again every idle_ms while the input is quiet (a pipe held
 * open, no line), at once when the wake fd is readable, saves after idle_commit_ms go
 * on during those waits, and a signal still ends the run. alarm() fails a test that
 * would block for ever. */
#include "stage.h"
#include "tap.h"
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#define LINE "{\"type\":\"session\",\"ts\":\"2024-03-01T09:15:00+05:30\",\"state\":\"open\",\"date\":\"2024-03-01\"}\n"

struct probe {
	struct algo_stage *st;
	int idles, events, saves, saves_seen;
	int stop_after;              /* idle calls, then algo_stage_stop */
	int wake_rd;                 /* drained by the idle hook (non-blocking) */
	int wake_wr;                 /* written by the first idle call (as another thread would) */
	int wakes;
	int kill_at;                 /* idle call that raises SIGTERM; 0: none */
};

static int on_event(void *arg, const struct algo_event *ev, char *err, size_t errlen)
{
	((struct probe *)arg)->events++;
	return 0;
}

static int on_idle(void *arg, char *err, size_t errlen)
{
	struct probe *p = arg;
	char buf[16];
	p->idles++;
	if (p->wake_rd >= 0 && read(p->wake_rd, buf, sizeof buf) > 0)
		p->wakes++;
	if (p->idles == 1 && p->wake_wr >= 0 && write(p->wake_wr, "w", 1) != 1)
		return 70;
	if (p->kill_at && p->idles == p->kill_at)
		raise(SIGTERM);
	if (p->saves > p->saves_seen)
		p->saves_seen = p->saves;
	if (p->stop_after && p->idles >= p->stop_after)
		return algo_stage_stop(p->st, 0, NULL);
	return 0;
}

static int on_save(void *arg, struct algo_store *s, char *err, size_t errlen)
{
	((struct probe *)arg)->saves++;
	return 0;
}

static const struct algo_stage_ops ops = { .event = on_event, .idle = on_idle, .save = on_save };

/* A stage over the read end of a pipe whose write end stays open (no end of input). */
static void setup(struct algo_stage *st, struct probe *p, int fds[2])
{
	memset(p, 0, sizeof *p);
	p->wake_rd = p->wake_wr = -1;
	p->st = st;
	if (pipe(fds))
		exit(1);
	algo_stage_init(st, &ops, p);
	st->fd = fds[0];
}

int main(void)
{
	char dir[] = "/tmp/test_stage.XXXXXX", db[64], err[512] = "";
	struct algo_store s;
	struct algo_stage st;
	struct probe p;
	int in[2], wake[2], rc;
	if (!mkdtemp(dir))
		return 1;
	snprintf(db, sizeof db, "%s/st.db", dir);
	ok(algo_store_open(&s, db, err, sizeof err) == 0, "open store: %s", err);

	/* idle_ms: the hook runs again and again on a quiet pipe */
	alarm(10);
	setup(&st, &p, in);
	st.idle_ms = 20;
	p.stop_after = 4;
	rc = algo_stage_run(&st);
	is_int(rc, 0, "a stop from the idle hook ends the run with its code");
	is_int(p.idles, 4, "idle_ms 20: the idle hook ran 4 times without any input");
	close(in[0]);
	close(in[1]);

	/* a line, then quiet: saved after idle_commit_ms while the idle calls go on */
	setup(&st, &p, in);
	st.idle_ms = 10;
	st.idle_commit_ms = 30;
	st.store = &s;
	p.stop_after = 20;
	if (write(in[1], LINE, sizeof LINE - 1) != (ssize_t)sizeof LINE - 1)
		return 1;
	rc = algo_stage_run(&st);
	is_int(rc, 0, "quiet after a line: run ends at the hook's stop");
	is_int(p.events, 1, "the line was handled");
	ok(p.saves_seen >= 1, "saved after idle_commit_ms, before the run ended (%d)", p.saves_seen);
	close(in[0]);
	close(in[1]);

	/* save_at_end: neither the idle save nor a save every commit_every lines, only the
	 * run's final one */
	setup(&st, &p, in);
	st.idle_ms = 10;
	st.idle_commit_ms = 30;
	st.commit_every = 1;
	st.save_at_end = 1;
	st.store = &s;
	p.stop_after = 20;
	for (int i = 0; i < 3; i++)
		if (write(in[1], LINE, sizeof LINE - 1) != (ssize_t)sizeof LINE - 1)
			return 1;
	rc = algo_stage_run(&st);
	is_int(rc, 0, "save_at_end: run ends at the hook's stop");
	is_int(p.events, 3, "save_at_end: the lines were handled");
	is_int(p.saves_seen, 0, "save_at_end: no save while the run went on");
	is_int(p.saves, 1, "save_at_end: the final save only");
	close(in[0]);
	close(in[1]);

	/* the wake fd: no interval, a readable wake fd calls the hook at once */
	setup(&st, &p, in);
	if (pipe(wake) || fcntl(wake[0], F_SETFL, O_NONBLOCK))
		return 1;
	st.wake_fd = wake[0];
	p.wake_rd = wake[0];
	p.wake_wr = wake[1];
	p.stop_after = 2;
	rc = algo_stage_run(&st);
	is_int(rc, 0, "woken: run ends at the hook's stop");
	is_int(p.idles, 2, "the idle hook ran once before the wait and once for the wake fd");
	is_int(p.wakes, 1, "the hook drained the wake fd");
	close(in[0]);
	close(in[1]);

	/* a wake fd whose writer closed is not waited on again (no busy loop) */
	setup(&st, &p, in);
	st.wake_fd = wake[0];
	st.idle_ms = 50;
	p.wake_rd = wake[0];
	p.stop_after = 3;
	close(wake[1]);
	rc = algo_stage_run(&st);
	is_int(rc, 0, "closed wake fd: run ends at the hook's stop");
	is_int(p.idles, 3, "closed wake fd: the hook ran only on the interval");
	close(wake[0]);
	close(in[0]);
	close(in[1]);

	/* SIGTERM during the waits ends the run with 128+15 */
	setup(&st, &p, in);
	st.idle_ms = 20;
	p.kill_at = 2;
	rc = algo_stage_run(&st);
	is_int(rc, 128 + SIGTERM, "SIGTERM while input is quiet: 143");
	is_int(p.idles, 2, "no idle call after the signal");
	close(in[0]);
	close(in[1]);

	/* idle_ms 0 and no wake fd: the hook once per blocking read, as before */
	setup(&st, &p, in);
	p.stop_after = 0;
	if (write(in[1], LINE, sizeof LINE - 1) != (ssize_t)sizeof LINE - 1)
		return 1;
	close(in[1]);
	rc = algo_stage_run(&st);
	is_int(rc, 0, "idle_ms 0: end of input");
	is_int(p.idles, 2, "idle_ms 0: one idle call per read that may block (before the line, before the end)");
	close(in[0]);
	alarm(0);

	algo_store_close(&s);
	unlink(db);
	rmdir(dir);
	return tap_done();
}
