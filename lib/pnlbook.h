/* pnlbook — the book the fill barrier keeps from what the executor reports (lib/
 * fillchan.h), and the daily PnL limits checked against it.
 *
 * With r->barrier set, the exposure book algo_risk_decide checks against (r->book,
 * the approved orders as if filled) is corrected by the executor's reports: an order
 * that ends with less than its quantity filled gives the rest back, and fills of
 * orders risk did not approve (bracket legs, the executor's square-off) move the
 * position. A second book, from the real fills, gives each (user, strategy)'s day PnL:
 * realised that IST day, net of that day's charges, plus the unrealised PnL of open
 * positions at the latest price. Daily loss and profit limits are checked against it
 * on every market event; between the executor's answers (acks) only a bound is known,
 * see algo_risk_pnl_check. */
#ifndef ALGO_PNLBOOK_H
#define ALGO_PNLBOOK_H
#include <stddef.h>
#include <stdint.h>

struct algo_risk;

/* Applies one record of the fills channel (fill, final or ack). Returns 0 or -1. */
int algo_risk_channel(struct algo_risk *r, const char *line, size_t len, char *err, size_t errlen);
/* A market event of symbol: latest price px, and the range [lo, hi] it covers (a bar's
 * low and high; a tick's prices). Returns 0 or -1 (out of memory). */
int algo_risk_mark(struct algo_risk *r, const char *symbol, int64_t px, int64_t lo, int64_t hi,
	char *err, size_t errlen);
/* Checks the day PnL limits of every (user, strategy) trading symbol at ts. exact 1:
 * the book is exact (the executor acked everything forwarded); 0: bound the PnL by
 * letting every order that may have changed since the ack fill anywhere in its
 * symbol's range (fees at most 1 % of the value plus 100 rupees an order), with
 * square_off_possible when the executor may have squared positions off. Returns 0 when
 * no limit is or can be breached, 1 when an exact check is needed (call again with
 * exact after a barrier wait), 2 when a limit was breached (r->changes holds the new
 * state), -1 on error. */
int algo_risk_pnl_check(struct algo_risk *r, const char *symbol, int64_t ts, int exact,
	int square_off_possible, char *err, size_t errlen);
/* Whether any (user, strategy) has a daily loss or profit limit (risk file or plan). */
int algo_risk_has_pnl_limits(struct algo_risk *r);
/* The day PnL of (user, strategy) on day as known (decimal). */
int64_t algo_risk_day_pnl(struct algo_risk *r, const char *user, const char *strategy, int64_t day);
/* The daily loss limit of (user, strategy) (decimal, the risk file's times the
 * multiplier or the plan's cap, whichever is smaller), or ALGO_RISK_NOLIMIT. */
int64_t algo_risk_loss_limit(struct algo_risk *r, const char *user, const char *strategy);

/* An order risk sends (approved or a square-off): awaited until its final status, and
 * uncertain until the next ack (legs: it will attach stop-loss/target legs). Returns
 * 0, or -1 with err set. */
int algo_risk_track_order(struct algo_risk *r, const char *user, const char *strategy,
	const char *symbol, const char *id, int side, int64_t qty, int64_t price, int legs,
	char *err, size_t errlen);
/* Applies fill number n (0: the next one) of order (user, id) at ts (fee decimal).
 * Returns 0, 1 when that fill was applied already (sent again after a crash:
 * skipped), or -1 with err set. */
int algo_risk_apply_fill(struct algo_risk *r, int64_t ts, const char *id, int64_t n,
	const char *user, const char *strategy, const char *symbol, int side, int64_t qty,
	int64_t price, int64_t fee, char *err, size_t errlen);
/* Applies the final status of order (user, id) with filled of its quantity filled: an
 * order risk sent that ends short gives the rest of its exposure back. Returns 0 or -1. */
int algo_risk_apply_final(struct algo_risk *r, const char *id, const char *user, int64_t filled,
	char *err, size_t errlen);

struct algo_pack;
struct algo_unpack;
struct algo_position;

/* Appends the barrier's part of the engine (marks, real-fill book, pending orders,
 * fill counts, what is uncertain since the ack, the executor's last answer and the
 * channel cursor) to p, in insertion order. */
void algo_risk_pnlbook_pack(const struct algo_risk *r, struct algo_pack *p);
/* Reads what algo_risk_pnlbook_pack wrote into an engine whose barrier tables are empty.
 * Returns 0, or -1 when u is damaged (u->bad) or out of memory. */
int algo_risk_pnlbook_unpack(struct algo_risk *r, struct algo_unpack *u);
/* A position's fields, for the other parts of the snapshot. */
void algo_risk_position_pack(struct algo_pack *p, const struct algo_position *x);
void algo_risk_position_unpack(struct algo_unpack *u, struct algo_position *x);

/* Sets up struct algo_risk's barrier tables, empty (no allocation). */
void algo_risk_pnlbook_init(struct algo_risk *r);
/* Frees the real-fill book, the marks and the pending orders (struct algo_risk's
 * barrier tables); they are empty afterwards. */
void algo_risk_pnlbook_free(struct algo_risk *r);

#endif
