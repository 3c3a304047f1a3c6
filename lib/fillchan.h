/* fillchan — the fills channel from the execution stage back to algo-risk (the fill
 * barrier, docs/ARCHITECTURE.md).
 *
 * algo-risk creates a FIFO and names it in the `sync` events it writes downstream.
 * The execution stage records every fill and every final order status as it makes
 * them; when it reads {"type":"sync","id":N,"fifo":PATH} it writes the records algo-risk
 * has not seen to PATH, followed by an ack carrying N and the orders still working.
 * Records are NDJSON lines:
 *
 *   {"type":"fill","seq":K,"ts":T,"id":ID,"n":N,"user":U,"strategy":S,"symbol":Y,
 *    "side":"buy","qty":Q,"price":P,"fee":F}
 *   {"type":"final","seq":K,"ts":T,"id":ID,"user":U,
 *    "status":"filled|rejected|cancelled|expired","filled":Q}
 *   {"type":"ack","id":N,"ts":T,"square_off":MINUTE,"open":P,"slip_bps":B,"slip_abs":A,
 *    "fee_bps":F,"epoch":"E","seq":K,"working":[[U,S,Y,SIDE,Q,LEGS],…],
 *    "positions":[[U,S,Y,QTY],…]}
 *
 * (every record has a ts, as every event of the protocol; n numbers an order's fills
 * from 1, so a record sent twice is applied once). square_off is the executor's
 * intraday square-off minute (-1 none) and open the number of intraday positions it
 * holds; SIDE is 1 (buy) or -1 (sell); LEGS is 1 when the order will attach
 * stop-loss/target legs once it fills; positions are the executor's open positions
 * (signed quantities), which a restarted algo-risk adopts at its first ack.
 *
 * Records kept until algo-risk has saved them (so that neither side's crash loses
 * one). seq numbers the records 1, 2, … over the life of the executor's state; epoch
 * (16 hex digits) names that state: made with it and saved with it, fresh in every run
 * of an executor without state. An ack's seq is the last record made so far. A sync
 * may carry a cursor, "epoch":"E","from":K1,"saved":K2: K1 the last record algo-risk
 * has applied, K2 (<= K1; absent: K1) the last one in its last committed save. For a
 * sync with the executor's own epoch it writes the records after K1 and afterwards
 * keeps those after K2 (in memory and in its saved state); for a sync without a cursor
 * or with another epoch (an algo-risk of another executor state, or of the format
 * before cursors) it writes every record it holds and then forgets them.
 *
 * Because the executor writes only when it reads a sync, and algo-risk reads the FIFO
 * until that sync's ack right after writing it, the FIFO never fills up while nobody
 * reads it.
 *
 * Restarts (optional members, each side ignores what it does not know): an executor
 * that keeps state numbers its fill and final records ("seq":K, from 1 over the life
 * of its state) and names that state in each ack ("epoch":"E","seq":last). Once
 * algo-risk has seen an epoch its syncs carry "epoch":"E","from":K1,"saved":K2: it
 * has applied the records up to K1 (send those after it) and saved those up to K2
 * (those may be forgotten; keep the rest, also across a restart of the executor).
 * algo-risk skips records numbered at or below what it applied. At the first ack of
 * its run it adopts the positions of an executor whose epoch is not the one its state
 * last heard from (or that has none), and does not apply that ack's records. */
#ifndef ALGO_FILLCHAN_H
#define ALGO_FILLCHAN_H
#include <stddef.h>
#include <stdint.h>

/* ---- the execution stage's side ---------------------------------------------- */

struct algo_fillchan_out {
	char *buf;                 /* records held (see the top), oldest first */
	size_t len, cap;
	int64_t seq;               /* the number of the last record made */
	char epoch[17];            /* the executor state's name, 16 hex digits */
	int on;                    /* a sync was seen: recording */
	int fd;                    /* the FIFO, -1 until the first sync */
	char path[4096];
	int oom;                   /* an append failed: reported at the next ack */
	size_t mark;               /* end of the records in buf while an ack is written */
	/* how far fills may stray from a bar's range and what they may cost, for
	 * algo-risk's bound: slippage (bps, decimal ×10,000, and an absolute price) and
	 * the charges' ceiling in bps of the value (plus Rs 100 an order) */
	int64_t slip_bps, slip_abs, fee_bps;
};

/* One open position in an ack. */
struct algo_fillchan_pos {
	const char *user, *strategy, *symbol;
	int64_t qty;               /* signed */
};

/* One working order in an ack. */
struct algo_fillchan_work {
	const char *user, *strategy, *symbol;
	int side;
	int64_t qty;               /* remaining */
	int legs;
};

/* A channel with no records and a fresh epoch. */
void algo_fillchan_out_init(struct algo_fillchan_out *c);
void algo_fillchan_out_free(struct algo_fillchan_out *c);
/* Records a fill / a final status (no-op before the first sync). */
void algo_fillchan_fill(struct algo_fillchan_out *c, int64_t ts, const char *id, int64_t n,
	const char *user, const char *strategy, const char *symbol, int side, int64_t qty,
	int64_t price, int64_t fee);
void algo_fillchan_final(struct algo_fillchan_out *c, int64_t ts, const char *id, const char *user,
	const char *status, int64_t filled);
/* Restores what an executor saved: its epoch (16 hex digits), the last record number
 * and the records held then (buf/len), before anything is recorded in this run.
 * Returns 0, or -1 (a bad epoch, out of memory). */
int algo_fillchan_out_restore(struct algo_fillchan_out *c, const char *epoch, int64_t seq,
	const void *records, size_t len);

/* A sync's cursor (see the top): epoch NULL when the sync has none; saved -1 absent. */
struct algo_fillchan_cursor {
	const char *epoch;
	int64_t from, saved;
};

/* Answers sync id on the FIFO path: the records algo-risk has not seen (per cur, which
 * may be NULL), then the ack. Opens path on first use (and again if it changes). When
 * the algo-risk that owns the FIFO is gone (nobody reads it) the records are kept for
 * the next sync, which a restarted algo-risk on the same stream sends with its own
 * FIFO. Returns 0, or -1 with err set (FIFO missing, write error, out of memory). */
int algo_fillchan_ack(struct algo_fillchan_out *c, const char *path, int64_t ts, int64_t id,
	const struct algo_fillchan_cursor *cur, int square_off, int64_t nopen,
	const struct algo_fillchan_work *w, size_t nw, const struct algo_fillchan_pos *p, size_t np,
	char *err, size_t errlen);

/* ---- algo-risk's side ------------------------------------------------------------ */

struct algo_fillchan_in {
	int fd;
	char dir[4000], path[4096];
	char *buf;                 /* bytes read, not yet returned */
	size_t len, cap;
	int writer_seen;           /* the executor has written at least once */
	int (*stopping)(void);     /* optional: nonzero ends a wait (a stop was requested) */
};

/* Creates a private directory under $TMPDIR (or /tmp) holding the FIFO "fills" and
 * opens it for reading. Returns 0, or -1 with err set. */
int algo_fillchan_create(struct algo_fillchan_in *c, char *err, size_t errlen);
/* Closes the FIFO and removes it and its directory. Safe to call twice, and from a
 * signal handler (only close, unlink and rmdir). */
void algo_fillchan_remove(struct algo_fillchan_in *c);
/* algo_fillchan_remove, then frees what was read and not yet returned (not from a
 * signal handler). Safe to call twice. */
void algo_fillchan_in_free(struct algo_fillchan_in *c);
/* Reads records until the ack of sync id, calling fn(line, len, arg) for each record
 * and for that ack (acks of older syncs are skipped). watch_fd (e.g. stdout) is polled
 * too: when it reports an error the reader of our output is gone. Waits at most
 * timeout_ms in all. Returns 0; -1 with err set when fn fails (its err), the executor
 * closed the FIFO or on a read error; -2 on time-out; -3 when watch_fd failed; -4 when
 * c->stopping said stop (checked at least once a second and after every signal). */
int algo_fillchan_wait(struct algo_fillchan_in *c, int64_t id, int watch_fd, long timeout_ms,
	int (*fn)(const char *line, size_t len, void *arg, char *err, size_t errlen), void *arg,
	char *err, size_t errlen);

#endif
