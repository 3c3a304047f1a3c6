/* ratelimit — a request budget shared by every process of one broker account.
 *
 * FYERS allows 10 requests a second and 200 a minute per account, and going over the
 * per-minute limit more than three times in a day blocks the account until the next
 * day. Several programs talk to one account at once (a history download, a quote
 * poller, the live executor), so the budget cannot live in one process: it lives in a
 * small file, locked with flock(2) around every decision, that holds the times of the
 * last requests (a sliding window of 60 s), a "hold until" time every process must
 * respect after a 429, the day's request count and the day's 429 count.
 *
 * Two priorities share the budget: ALGO_RL_PRIO (orders, cancels, the executor's
 * reconciliation) may use all of it; ALGO_RL_NORMAL (market data, reports) only three
 * quarters, so a busy poller never starves an order.
 *
 * The file is "<dir>/<key>.rate" with dir $XDG_RUNTIME_DIR/algo when that is set (a
 * tmpfs cleared at reboot), else $XDG_STATE_HOME/algo, else ~/.local/state/algo;
 * created 0600 in a 0700 directory. A file that is not ours (wrong size, magic or
 * version) is reset: the worst case is one window of forgotten requests.
 *
 * Nothing here prints; waits are reported back to the caller. */
#ifndef ALGO_RATELIMIT_H
#define ALGO_RATELIMIT_H
#include <stddef.h>
#include <stdint.h>

#define ALGO_RL_WINDOW 256          /* request times kept: more than any per-minute cap */

enum { ALGO_RL_NORMAL = 0, ALGO_RL_PRIO = 1 };

struct algo_ratelimit {
	char path[4096];
	int per_sec;                /* caps for ALGO_RL_PRIO; NORMAL gets 3/4 of each */
	int per_min;
	long per_day;
	int64_t (*now_ms)(void);    /* clock (CLOCK_REALTIME ms); replaceable in tests */
};

/* What the shared file says right now (algo_ratelimit_peek). */
struct algo_rl_state {
	int last_sec, last_min;     /* requests in the last 1 s and 60 s */
	long today;                 /* requests today (IST day) */
	int hits_today;             /* 429 replies recorded today */
	int64_t hold_until;         /* ms; 0 = no hold */
};

/* Sets up rl for key (e.g. "fyers-XXXX-100"; only [A-Za-z0-9._-] kept) with caps per
 * second, minute and day (0 = the FYERS defaults with headroom: 8/s, 180/min,
 * 95,000/day). Creates the directory. Returns 0, or -1 with err set. */
int algo_ratelimit_init(struct algo_ratelimit *rl, const char *key, int per_sec, int per_min,
	long per_day, char *err, size_t errlen);

/* Takes one request from the budget, sleeping while it is spent (or held after a 429)
 * for at most max_wait_ms in all. Returns 0 with *waited_ms set; 1 when the budget
 * would need a longer wait than max_wait_ms (nothing taken; *waited_ms is the wait
 * that would have been needed, -1 for the daily cap); -1 on a file error (err set). */
int algo_ratelimit_take(struct algo_ratelimit *rl, int prio, long max_wait_ms, long *waited_ms,
	char *err, size_t errlen);

/* Records a 429 (rate limited) reply: every process holds its requests for hold_ms
 * (0: 60 s, the safe wait for a per-minute window) and the day's hit count grows.
 * Returns the day's hit count, or -1 on a file error. */
int algo_ratelimit_hit(struct algo_ratelimit *rl, long hold_ms, char *err, size_t errlen);

/* Reads the shared state without taking anything. Returns 0 or -1 (err set). */
int algo_ratelimit_peek(struct algo_ratelimit *rl, struct algo_rl_state *st, char *err,
	size_t errlen);

#endif
