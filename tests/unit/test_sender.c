/* Unit tests of lib/sender: the gap between messages, the per-minute cap (on a short
 * window), priorities while rate-limited, and what is left after a time-out. The
 * destination is a command (`true`, `false`), so no network is needed. */
#include "sender.h"
#include "tap.h"
#include <signal.h>
#include <stdlib.h>

static int64_t sent_at[64];
static char sent_text[64][ALGO_ALERT_TEXT_MAX + 1];
static int nsent;

static void delivered(void *arg, const struct algo_alert_msg *m)
{
	(void)arg;
	if (nsent < 64) {
		sent_at[nsent] = algo_sender_now();
		snprintf(sent_text[nsent], sizeof sent_text[0], "%s", m->text);
	}
	nsent++;
}

static int count_left(void *arg, const struct algo_alert_msg *m)
{
	*(long *)arg += m->alerts;
	return 0;
}

static void start(struct algo_sender *s, struct algo_dest *d, const char *cmd, long gap, int per_min,
	long window)
{
	char err[ALGO_ERR_MAX];
	memset(s, 0, sizeof *s);
	memset(d, 0, sizeof *d);
	algo_dest_init(d, ALGO_DEST_EXEC, cmd, 0, err, sizeof err);
	s->gap_ms = gap;
	s->per_min = per_min;
	s->window_ms = window;
	s->delivered = delivered;
	if (algo_sender_start(s, d, 100, err, sizeof err))
		printf("# %s\n", err);
}

static void limits(void)
{
	struct algo_sender s;
	struct algo_dest d;
	nsent = 0;
	start(&s, &d, "true", 50, 3, 600);
	/* six high-priority alerts: each its own message, never batched */
	for (int i = 0; i < 6; i++) {
		char t[16];
		snprintf(t, sizeof t, "k%d", i);
		algo_sender_push(&s, ALGO_AK_KILL_SWITCH, ALGO_ALERT_HIGH, t, 0);
	}
	is_int(algo_sender_finish(&s, 5000), 0, "all delivered");
	is_int(nsent, 6, "six messages");
	ok(sent_at[1] - sent_at[0] >= 45, "the gap between two messages (%lld ms)",
		(long long)(sent_at[1] - sent_at[0]));
	ok(sent_at[3] - sent_at[0] >= 590, "the 4th waits for the window to free a place (%lld ms)",
		(long long)(sent_at[3] - sent_at[0]));
	ok(sent_at[5] - sent_at[2] >= 590, "and so on (%lld ms)", (long long)(sent_at[5] - sent_at[2]));
	is_str(sent_text[0], "kill switch: k0", "oldest first");
	algo_sender_free(&s);
	algo_dest_free(&d);
}

static void high_first(void)
{
	struct algo_sender s;
	struct algo_dest d;
	nsent = 0;
	start(&s, &d, "true", 300, 0, 0);
	algo_sender_push(&s, ALGO_AK_FILL, ALGO_ALERT_LOW, "f1", 0);
	algo_sender_push(&s, ALGO_AK_FILL, ALGO_ALERT_LOW, "f2", 0);
	algo_sender_push(&s, ALGO_AK_KILL_SWITCH, ALGO_ALERT_HIGH, "halted", 0);
	algo_sender_push(&s, ALGO_AK_FILL, ALGO_ALERT_LOW, "f3", 0);
	algo_sender_finish(&s, 5000);
	ok(nsent >= 2 && nsent <= 3, "fills batched (%d messages)", nsent);
	ok(strcmp(sent_text[0], "kill switch: halted") == 0 || strcmp(sent_text[1], "kill switch: halted") == 0,
		"the kill switch goes first of what waits");
	algo_sender_free(&s);
	algo_dest_free(&d);
}

static void timeout_left(void)
{
	struct algo_sender s;
	struct algo_dest d;
	long left = 0;
	nsent = 0;
	start(&s, &d, "false", 10, 0, 0);
	algo_sender_push(&s, ALGO_AK_KILL_SWITCH, ALGO_ALERT_HIGH, "halted", 0);
	algo_sender_push(&s, ALGO_AK_FILL, ALGO_ALERT_LOW, "f1", 0);
	is_int(algo_sender_finish(&s, 700), 2, "a failing command: both left after the time-out");
	ok(s.retries >= 2, "tried again with backoff (%ld retries)", s.retries);
	algo_sender_rest(&s, count_left, &left);
	is_int(left, 2, "handed out for the outbox");
	algo_sender_free(&s);
	algo_dest_free(&d);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);          /* as algo_cli_init does: `true` reads no stdin */
	limits();
	high_first();
	timeout_left();
	return tap_done();
}
