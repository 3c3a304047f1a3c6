/* gatekeeper — algo-risk's stage: signals in, orders or risk_blocks out.
 *
 * Every event passes through. After each valid signal the gatekeeper writes the order
 * the engine (lib/risk.h) approves or the risk_block that stopped it; after an event at
 * which a trading state changed (a kill or resume from the database, a daily reset, a
 * daily PnL limit) a kill_switch event, and with on_kill square_off the closing orders
 * of the positions it covers. Bars and signals must come in time order per symbol
 * (bars per symbol and timeframe). With the fill barrier (lib/barrier.h) the
 * executor's fills come back before decisions that depend on them.
 *
 * The kill-switch state is read before every signal (so no entry is approved after a
 * kill is committed), whenever the input pauses, and at least every
 * ALGO_GATEKEEPER_POLL_EVERY events in a batch run: reading it costs a database read,
 * too much for every bar of a backtest.
 *
 * Restarts (with a state database, algo_gatekeeper_attach): the whole state is saved
 * by the stage's save hook, with the replay record (key "algo-risk/USER"), so a run
 * again over input it has processed answers it with what it wrote then, and the
 * lines after its last save are decided again, deterministically, giving the same
 * bytes. Only a change of trading state from outside (kill, resume) is not in the
 * stream; so it is saved before anything based on it is written, and a restarted run
 * does not look for such changes until it has passed every line whose output may
 * have gone out (the horizon, committed before output leaves the process). States
 * set while no run was past that point are taken over silently, as at any start.
 *
 * The hooks fit struct algo_stage_ops; nothing here prints or exits. */
#ifndef ALGO_GATEKEEPER_H
#define ALGO_GATEKEEPER_H
#include <stddef.h>
#include <stdint.h>
#include "barrier.h"
#include "event.h"
#include "risk.h"
#include "stage.h"

#define ALGO_GATEKEEPER_POLL_EVERY 1000

struct algo_gatekeeper {
	struct algo_risk risk;
	struct algo_barrier barrier;
	struct algo_stage *stage;          /* the stage running us (algo_stage_stop) */
	struct algo_book_tab bars;         /* symbol\x1ftf -> last bar ts */
	struct algo_book_tab syms;         /* symbol -> last signal ts, last close */
	struct algo_book_tab products;     /* strategy -> the product its signals named */
	const char *user, *mode, *product; /* borrowed */
	int live;                          /* mode is live */
	struct algo_risk_state *pending;   /* state changes to report after this event */
	size_t npending, cappending;
	int input_idle;                    /* the input paused since the last poll */
	int since_poll;                    /* events since the last poll */
	int64_t event_ts;                  /* ts of the latest event that had one */
	int broken;                        /* the barrier ended the run */
	int started;                       /* the first new line was handled */
	/* restarts, with a state database */
	struct algo_store *store;          /* borrowed; NULL: memory only */
	char key[ALGO_REPLAY_KEY_MAX];     /* "algo-risk/USER": snapshot and replay record */
	int64_t horizon;                   /* how far output went before this run */
	int64_t committed;                 /* the horizon committed by this run */
	int decided;                       /* output that depends on the state since then */
	int adopted;                       /* the database's trading states were taken over */
	int horizon_failed;                /* committing the horizon failed: its message */
	char horizon_err[ALGO_ERR_MAX];
};

/* Sets up g with the risk config cfg (taken over, as algo_risk_init) for signals
 * without a user of their own (user), writing mode into orders, and product into
 * the orders of signals that name none (a signal's "product", its strategy file's,
 * wins; a square-off on a kill uses the product the strategy's signals named); with
 * barrier on, creates the fills channel (timeout_ms per wait). Returns 0, or -1 with
 * err set. Free with algo_gatekeeper_free. */
int algo_gatekeeper_init(struct algo_gatekeeper *g, struct algo_risk_config *cfg,
	const char *user, const char *mode, const char *product, int barrier, long timeout_ms,
	char *err, size_t errlen);
/* Frees everything and removes the fills channel (not the store). */
void algo_gatekeeper_free(struct algo_gatekeeper *g);

/* Uses the state database s: the trading states, the records, and the snapshot saved
 * under "algo-risk/" + user (restored; without one — a new database or one written by
 * an older build — the state is rebuilt from the records and saved at once). *key gets
 * the replay key (ALGO_REPLAY_KEY_MAX bytes) and *note, when not empty, a one-time
 * remark for the user (a snapshot another build wrote was set aside). Installs the
 * hook that commits the horizon before output leaves. Returns 0, or -1 with err set. */
int algo_gatekeeper_attach(struct algo_gatekeeper *g, struct algo_store *s, const char *user,
	char *key, char *note, size_t notelen, char *err, size_t errlen);

/* The stage hooks (arg = the gatekeeper): one event; the input is about to block (a
 * kill-switch poll); the input ended (a last barrier round, so the executor's reports
 * are applied); the save (records, own trading-state changes and the snapshot, inside
 * the stage's transaction). */
int algo_gatekeeper_event(void *g, const struct algo_event *ev, char *err, size_t errlen);
int algo_gatekeeper_idle(void *g, char *err, size_t errlen);
int algo_gatekeeper_end(void *g, int why, char *err, size_t errlen);
int algo_gatekeeper_save(void *g, struct algo_store *s, char *err, size_t errlen);

#endif
