/* fyers_hsm — the binary protocol of FYERS's market-data socket (HSM,
 * wss://socket.fyers.in/hsm/v1-5/prod): the messages a client sends (auth, mode,
 * subscribe, ack, ping) and the decoding of those the server sends (the auth,
 * subscribe and mode replies; data feeds of snapshot 83, full 85 and lite 76 records).
 * The byte layout, and the FYERS SDK sources it was read from, are written down in
 * tests/fixtures/fyers/HSM-LAYOUT.md.
 *
 * A struct algo_hsm is the client side of one subscription list: each symbol, its
 * topic ("sf|nse_cm|3045", from the fytoken POST /data/symbol-token gave), the topic
 * id the server's snapshot assigned on this connection, and the symbol's last values.
 * Values are big-endian int32 on the wire; a price is raw / (10^precision x
 * multiplier), computed exactly into a decimal (lib/decimal.h). A full or lite record
 * carries only what changed (0x80000000 = no value), so the values accumulate here.
 *
 * Pure: no I/O, no clock, nothing printed; memory is allocated only by init. */
#ifndef ALGO_FYERS_HSM_H
#define ALGO_FYERS_HSM_H
#include <stddef.h>
#include <stdint.h>

#define ALGO_HSM_CHANNEL 11         /* the channel the SDKs subscribe on */
#define ALGO_HSM_NFIELD 21          /* values of a symbol-feed record (map.json data_val) */
#define ALGO_HSM_SUB_CHUNK 500      /* topics per subscribe message */
#define ALGO_HSM_MSG_MAX 65536      /* no message we send is longer */

enum algo_hsm_type {
	ALGO_HSM_AUTH = 1, ALGO_HSM_ACK = 3, ALGO_HSM_SUB = 4, ALGO_HSM_UNSUB = 5,
	ALGO_HSM_FEED = 6, ALGO_HSM_PING = 11, ALGO_HSM_MODE = 12,
};

/* Record types inside a data feed. */
enum { ALGO_HSM_SNAPSHOT = 83, ALGO_HSM_FULL = 85, ALGO_HSM_LITE = 76 };

/* Field positions of a symbol-feed record (sf), and of an index record (if). */
enum {
	ALGO_HSM_F_LTP = 0, ALGO_HSM_F_VOL = 1, ALGO_HSM_F_LTT = 2, ALGO_HSM_F_FEEDTIME = 3,
	ALGO_HSM_F_BIDQTY = 4, ALGO_HSM_F_ASKQTY = 5, ALGO_HSM_F_BID = 6, ALGO_HSM_F_ASK = 7,
	ALGO_HSM_F_LTQ = 8, ALGO_HSM_F_ATP = 11, ALGO_HSM_F_LOW = 13, ALGO_HSM_F_HIGH = 14,
	ALGO_HSM_F_OPEN = 19, ALGO_HSM_F_PREVCLOSE = 20,
	ALGO_HSM_I_LTP = 0, ALGO_HSM_I_PREVCLOSE = 1, ALGO_HSM_I_FEEDTIME = 2, ALGO_HSM_I_HIGH = 3,
	ALGO_HSM_I_LOW = 4, ALGO_HSM_I_OPEN = 5,
};

/* A symbol's values as decimals and plain numbers. */
struct algo_hsm_quote {
	int64_t ltp, bid, ask;      /* decimals; 0 when absent */
	int64_t open, high, low, prev_close;
	int64_t vol;                /* the day's traded volume, -1 when absent */
	int64_t ltt_ms, feed_ms;    /* last trade time, exchange feed time: epoch ms, 0 absent */
	int seen;                   /* a snapshot came */
};

struct algo_hsm_sym {
	char symbol[64];
	char topic[72];
	int index;                  /* an index topic (if|...): its own field order, no volume */
	int have_id;                /* the server named this topic's id on this connection */
	uint16_t id;
	int32_t raw[ALGO_HSM_NFIELD];
	uint32_t have;              /* bit i: raw[i] has a value */
	int64_t div;                /* 10^precision x multiplier, 0 before a snapshot */
	struct algo_hsm_quote q;
};

struct algo_hsm {
	int n;
	struct algo_hsm_sym *s;
	uint32_t ack_count;         /* from the auth reply: ack every ack_count feed messages */
	uint32_t since_ack;
	int ack_due;                /* an ack of ack_num should be sent now */
	uint32_t ack_num;
	/* called after every record that names one of the symbols; changed: the ltp, bid,
	 * ask or day volume differs from what it was before the record */
	void (*update)(void *arg, int sym, int changed);
	void *arg;
	long feeds, records, skipped;   /* messages, records applied, records of unknown topics */
};

/* A reply to auth, subscribe, unsubscribe or mode. */
struct algo_hsm_reply {
	int ok;                     /* the server's "K" */
	char text[64];              /* what it said, printable */
};

/* n symbols (topics set with algo_hsm_set_topic). Returns 0, or -1 with err set. */
int algo_hsm_init(struct algo_hsm *h, int n, char *err, size_t errlen);
void algo_hsm_free(struct algo_hsm *h);

/* The topic of symbol i from its fytoken ("10100000003045" → "sf|nse_cm|3045"; a
 * "-INDEX" symbol → "if|nse_cm|Nifty 50"). Returns 0, or -1 with err set (an unknown
 * exchange segment, a fytoken too short). */
int algo_hsm_set_topic(struct algo_hsm *h, int i, const char *symbol, const char *fytoken,
	char *err, size_t errlen);

/* A new connection: topic ids and the ack count are forgotten (the server assigns them
 * again); the last values stay, so an unchanged snapshot is not reported as changed. */
void algo_hsm_reset(struct algo_hsm *h);

/* Messages to send. Each returns its length, or -1 when it does not fit in cap or an
 * input is too long. subscribe: the topics of symbols [from, to), type ALGO_HSM_SUB or
 * ALGO_HSM_UNSUB. */
long algo_hsm_msg_auth(uint8_t *out, size_t cap, const char *hsm_key, const char *source);
long algo_hsm_msg_mode(uint8_t *out, size_t cap, int channel, int lite);
long algo_hsm_msg_subscribe(const struct algo_hsm *h, int type, int from, int to, int channel,
	uint8_t *out, size_t cap);
long algo_hsm_msg_ack(uint8_t *out, size_t cap, uint32_t num);
long algo_hsm_msg_ping(uint8_t *out, size_t cap);

/* Decodes one server message. Returns its type: for ALGO_HSM_AUTH (which also sets
 * ack_count), ALGO_HSM_SUB, ALGO_HSM_UNSUB and ALGO_HSM_MODE the reply is filled; a
 * feed is applied to the symbols (update called per record, ack_due set when an ack
 * is owed); any other type is returned untouched. Returns -1 with err set when the
 * message is truncated or malformed; records before the fault stay applied. */
int algo_hsm_decode(struct algo_hsm *h, const uint8_t *m, size_t len, struct algo_hsm_reply *r,
	char *err, size_t errlen);

#endif
