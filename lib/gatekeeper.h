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
 * kill is committed), at the first event after the input paused, and at least every
 * ALGO_GATEKEEPER_POLL_EVERY events in a batch run: reading it costs a database read,
 * too much for every bar of a backtest.
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
	const char *user, *mode, *product; /* borrowed */
	int live;                          /* mode is live */
	struct algo_risk_state *pending;   /* state changes to report after this event */
	size_t npending, cappending;
	int input_idle;                    /* the input paused since the last poll */
	int since_poll;                    /* events since the last poll */
	int64_t event_ts;                  /* ts of the latest event that had one */
	int broken;                        /* the barrier ended the run */
};

/* Sets up g with the risk config cfg (taken over, as algo_risk_init) for signals
 * without a user of their own (user), writing mode and product into orders; with
 * barrier on, creates the fills channel (timeout_ms per wait). Returns 0, or -1 with
 * err set. Free with algo_gatekeeper_free. */
int algo_gatekeeper_init(struct algo_gatekeeper *g, struct algo_risk_config *cfg,
	const char *user, const char *mode, const char *product, int barrier, long timeout_ms,
	char *err, size_t errlen);
/* Frees everything and removes the fills channel (not the store). */
void algo_gatekeeper_free(struct algo_gatekeeper *g);

/* The stage hooks (arg = the gatekeeper): one event; the input is about to block; the
 * input ended (a last barrier round, so the executor's reports are applied). */
int algo_gatekeeper_event(void *g, const struct algo_event *ev, char *err, size_t errlen);
int algo_gatekeeper_idle(void *g, char *err, size_t errlen);
int algo_gatekeeper_end(void *g, int why, char *err, size_t errlen);

#endif
