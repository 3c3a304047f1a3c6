/* event — NDJSON events: a bounded line reader, a one-pass zero-allocation JSON
 * scanner that validates a line and indexes its top-level fields, typed field
 * getters, and a buffered writer with a fixed field order.
 *
 * Hot path: algo_reader_next hands out a pointer into the reader's buffer (valid
 * until the next call); algo_event_parse indexes it in place; a stage that forwards
 * the line writes the original bytes with algo_out_line. Nothing allocates per line. */
#ifndef ALGO_EVENT_H
#define ALGO_EVENT_H
#include <stddef.h>
#include <stdint.h>

#define ALGO_LINE_MAX 65536          /* bytes of one line, newline excluded */
#define ALGO_EVENT_MAXFIELDS 48      /* top-level fields of one event */
#define ALGO_ERR_MAX 512             /* size callers give for error buffers */

/* ---- reading lines ---------------------------------------------------------- */

struct algo_reader {
	int fd;
	int own_fd;
	const char *name;     /* for messages: the path, or "-" / "stdin" */
	char *buf;
	size_t cap, start, end;
	long lineno;          /* 1-based number of the line last returned */
	int eof;
	uint64_t bytes;       /* bytes consumed so far (for progress) */
	/* Called just before a read() that may block with nothing buffered, so a stage
	 * can flush its output first: throughput in batch, latency when live. */
	void (*before_read)(void *arg);
	void *before_read_arg;
	/* When set and non-zero (a signal handler sets it), a read that would block or
	 * was interrupted ends the input instead: algo_reader_next returns 0 and a
	 * partial last line is dropped, never handed out half. */
	volatile int *stop;
};

/* Opens path ("-" = stdin) for reading. Returns 0, or -1 with a message in err
 * (errno kept: ENOENT -> caller exits 66). Free with algo_reader_close. */
int algo_reader_open(struct algo_reader *r, const char *path, char *err, size_t errlen);
/* Wraps an already open fd (not closed by algo_reader_close). */
int algo_reader_fdopen(struct algo_reader *r, int fd, const char *name, char *err, size_t errlen);
void algo_reader_close(struct algo_reader *r);

/* Returns 1 with *line and *len set (newline stripped, a trailing '\r' kept), 0 at end of
 * input, -1 on a line longer than ALGO_LINE_MAX (the rest of that line is skipped and
 * r->lineno names it, so --skip-bad can go on) or -2 on a read error (err set). A last
 * line without a newline is returned as a line. */
int algo_reader_next(struct algo_reader *r, const char **line, size_t *len, char *err, size_t errlen);

/* ---- scanning events -------------------------------------------------------- */

enum algo_jtype { ALGO_J_STRING = 1, ALGO_J_NUMBER, ALGO_J_TRUE, ALGO_J_FALSE, ALGO_J_NULL,
	ALGO_J_OBJECT, ALGO_J_ARRAY };

/* One top-level member. key/val point into the line. For strings val/vlen is the
 * content between the quotes, still escaped; `escaped` says whether it holds any '\'.
 * For objects/arrays val/vlen spans the whole raw value including brackets. */
struct algo_jfield {
	const char *key;
	const char *val;
	unsigned short klen;
	unsigned char type;
	unsigned char escaped;
	unsigned int vlen;
};

enum algo_etype { ALGO_EV_OTHER = 0, ALGO_EV_BAR, ALGO_EV_TICK, ALGO_EV_SIGNAL, ALGO_EV_ORDER,
	ALGO_EV_RISK_BLOCK, ALGO_EV_KILL_SWITCH, ALGO_EV_ORDER_UPDATE, ALGO_EV_FILL,
	ALGO_EV_SYNC, ALGO_EV_SESSION };

struct algo_event {
	const char *line;
	size_t len;
	int type;                     /* enum algo_etype from the "type" member */
	int nfields;
	struct algo_jfield f[ALGO_EVENT_MAXFIELDS];
	/* The bar fast path (algo-feed's layout: f[1..] are ts, symbol, tf, o, h, l, c, v
	 * and maybe oi) reads the numbers as it scans them: bit k of num_ok says num[k]
	 * holds o, h, l, c (decimal ×10,000), v, oi (whole) exactly; algo_bar_decode
	 * then uses them instead of parsing the text again. 0 on the general path. (A
	 * ts read twice is not parsed twice: lib/timeutil keeps the last time parsed.) */
	unsigned char fast, num_ok;
	int64_t num[6];
};

/* Validates line as one JSON object (RFC 8259, nesting ≤ 32, no duplicate top-level
 * keys) and indexes its members. Requires a string "type" and a string "ts".
 * Returns 0, or -1 with a reason in err ("malformed JSON at col 17: …",
 * "missing field 'ts'"). ev points into line; line must outlive ev. */
int algo_event_parse(struct algo_event *ev, const char *line, size_t len, char *err, size_t errlen);

/* Finds a top-level member by key; NULL when absent. */
const struct algo_jfield *algo_event_get(const struct algo_event *ev, const char *key);

/* Typed getters. Each returns 1 when found and valid, 0 when absent (only when
 * !required; with required an absent field is an error), -1 on error with err set to
 * "field 'qty': must be a positive integer" style text. */
int algo_event_str(const struct algo_event *ev, const char *key, int required,
	char *out, size_t outlen, char *err, size_t errlen);
int algo_event_dec(const struct algo_event *ev, const char *key, int required,
	int64_t *out, char *err, size_t errlen);          /* exact decimal, may be negative */
int algo_event_price(const struct algo_event *ev, const char *key, int required,
	int64_t *out, char *err, size_t errlen);          /* decimal > 0 */
int algo_event_int(const struct algo_event *ev, const char *key, int required,
	int64_t *out, char *err, size_t errlen);          /* integer, any sign */
int algo_event_qty(const struct algo_event *ev, const char *key, int required,
	int64_t *out, char *err, size_t errlen);          /* integer > 0 */
int algo_event_time(const struct algo_event *ev, const char *key, int required,
	int64_t *ms, char *err, size_t errlen);           /* RFC 3339 string */

/* A name member (strategy, user, symbol): as algo_event_str, and also refused when
 * empty or holding a control character. */
int algo_event_name(const struct algo_event *ev, const char *key, int required,
	char *out, size_t outlen, char *err, size_t errlen);
/* A member that must be one of the words in list (NULL-terminated): returns the index
 * of its value; when absent, dflt if dflt >= 0, else an error. Errors return -1 with
 * "field 'side': must be WANT" (want: e.g. "buy or sell") in err. */
int algo_event_word(const struct algo_event *ev, const char *key, const char *const *list,
	const char *want, int dflt, char *err, size_t errlen);

/* Writes the message for a time out of order into err:
 * "field 'ts': NOW WHAT PREV for SYMBOL[ TF]" (times in IST). */
void algo_event_ts_order_err(char *err, size_t errlen, const char *what, int64_t now,
	int64_t prev, const char *symbol, const char *tf);

/* Unescapes a JSON string body (as in algo_jfield.val) into out (NUL-terminated).
 * Returns the length, or -1 when it does not fit or is invalid. */
long algo_json_unescape(const char *s, size_t n, char *out, size_t outlen);

/* A market bar decoded without allocation. */
struct algo_bar {
	int64_t ts;                 /* open time, epoch ms */
	int64_t o, h, l, c;         /* decimals */
	int64_t v, oi;              /* integers; oi = -1 when absent */
	char symbol[64];
	char tf[8];
};
/* Decodes and validates a bar event: fields present and typed, prices > 0,
 * h >= max(o,c), l <= min(o,c), v >= 0. Returns 0 or -1 with err naming the field. */
int algo_bar_decode(const struct algo_event *ev, struct algo_bar *bar, char *err, size_t errlen);

/* ---- writing events --------------------------------------------------------- */

/* Buffered writer to an fd. Keeps each write below the 64 KiB pipe size, so a reader
 * never sees a torn event. On EPIPE it exits 0 quietly (the reader is gone, as with
 * `| head`); on another write error it exits 74 with a message. */
struct algo_writer {
	int fd;
	size_t len;
	size_t mark;        /* start of the event being built */
	int first;          /* no member written yet in the current object */
	/* Called before buffered bytes are written out, e.g. so that a stage commits what
	 * it recorded about those events first (nothing leaves unrecorded). It must not
	 * write to this writer. A nonzero return (an errno value) keeps the bytes from
	 * going out, as a failed write would: error is set (soft) or the process exits 74. */
	int (*before_write)(void *arg);
	void *before_write_arg;
	/* soft: a failed write does not exit the process (the default: exit 0 quietly on
	 * EPIPE, 74 otherwise) but sets error to the errno and drops all further output;
	 * the stage loop then ends the run. */
	int soft;
	int error;
	/* tap_on: every byte put into the writer is also appended to tap (the stage loop
	 * keeps what a line caused for the replay record); tap_oom when that failed. */
	int tap_on, tap_oom;
	char *tap;
	size_t tap_len, tap_cap;
	char buf[131072];
};

/* A fresh writer on fd (whatever *w held is overwritten, nothing is freed). */
void algo_writer_init(struct algo_writer *w, int fd);
void algo_writer_flush(struct algo_writer *w);
/* Copies a line (without newline) and appends '\n'. */
void algo_out_line(struct algo_writer *w, const char *line, size_t len);
/* Builds one event: begin, members in the order called, end (writes "}\n"). */
void algo_out_begin(struct algo_writer *w);
void algo_out_str(struct algo_writer *w, const char *key, const char *val);   /* escapes */
void algo_out_strn(struct algo_writer *w, const char *key, const char *val, size_t n);
void algo_out_dec(struct algo_writer *w, const char *key, int64_t v);         /* decimal */
void algo_out_int(struct algo_writer *w, const char *key, int64_t v);
void algo_out_num(struct algo_writer *w, const char *key, double v);          /* %.17g shortest round-trip; NaN -> null */
void algo_out_time(struct algo_writer *w, const char *key, int64_t ms);       /* IST RFC 3339 */
void algo_out_raw(struct algo_writer *w, const char *key, const char *json, size_t n); /* pre-encoded value */
void algo_out_bool(struct algo_writer *w, const char *key, int v);
void algo_out_obj_begin(struct algo_writer *w, const char *key);  /* nested object */
void algo_out_obj_end(struct algo_writer *w);
void algo_out_end(struct algo_writer *w);

/* The process-wide stdout writer the programs use; flushed by algo_out_exit. */
extern struct algo_writer algo_stdout;
/* Flushes algo_stdout, checks for errors and returns code (or 74 on a write error). */
int algo_out_finish(int code);

#endif
