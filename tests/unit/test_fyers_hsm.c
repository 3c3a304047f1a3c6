/* lib/fyers_hsm: the FYERS data socket's messages, byte for byte as
 * tests/fixtures/fyers/HSM-LAYOUT.md describes them (the frames here are written from
 * that page by hand, not with our encoder): auth, mode, subscribe, ack and ping; the
 * auth/subscribe replies; snapshot (83), full (85) and lite (76) records, scaled by
 * precision and multiplier; "no value" fields; an index topic; topics from fytokens;
 * truncated and malformed messages. */
#include "decimal.h"
#include "fyers_hsm.h"
#include "tap.h"

#include <stdio.h>
#include <string.h>

/* ---- a frame writer for the tests (big-endian, as the layout page says) ---- */
static uint8_t fb[4096];
static size_t fl;
static void b8(unsigned v) { fb[fl++] = (uint8_t)v; }
static void b16(unsigned v) { b8(v >> 8); b8(v); }
static void b32(uint32_t v) { b16(v >> 16); b16(v & 0xffff); }
static void bstr8(const char *s) { b8((unsigned)strlen(s)); memcpy(fb + fl, s, strlen(s)); fl += strlen(s); }
static void feed_head(uint32_t num, unsigned records) { fl = 0; b16(0); b8(6); b32(num); b16(records); }

/* A snapshot record of n values. */
static void snap(unsigned id, const char *topic, const int32_t *v, unsigned n, unsigned mult, unsigned prec)
{
	b8(83);
	b16(id);
	bstr8(topic);
	b8(n);
	for (unsigned i = 0; i < n; i++)
		b32((uint32_t)v[i]);
	b16(0);
	b16(mult);
	b8(prec);
	bstr8("NSE");
	bstr8("3045");
	bstr8("SBIN-EQ");
}

static int updates, last_sym, last_changed;
static void on_update(void *arg, int sym, int changed)
{
	updates++;
	last_sym = sym;
	last_changed = changed;
}

static char err[256];

static void setup(struct algo_hsm *h)
{
	algo_hsm_init(h, 2, err, sizeof err);
	algo_hsm_set_topic(h, 0, "NSE:SBIN-EQ", "10100000003045", err, sizeof err);
	algo_hsm_set_topic(h, 1, "NSE:NIFTY50-INDEX", "101000000026000", err, sizeof err);
	h->update = on_update;
	updates = 0;
}

static void topics(void)
{
	struct algo_hsm h;
	algo_hsm_init(&h, 4, err, sizeof err);
	ok(algo_hsm_set_topic(&h, 0, "NSE:SBIN-EQ", "10100000003045", err, sizeof err) == 0, "an equity");
	is_str(h.s[0].topic, "sf|nse_cm|3045", "sf|segment|exchange token");
	algo_hsm_set_topic(&h, 1, "NSE:NIFTY24MARFUT", "101124032835003", err, sizeof err);
	is_str(h.s[1].topic, "sf|nse_fo|35003", "a future: nse_fo");
	algo_hsm_set_topic(&h, 2, "NSE:NIFTYBANK-INDEX", "101000000026009", err, sizeof err);
	is_str(h.s[2].topic, "if|nse_cm|Nifty Bank", "an index by index_dict");
	ok(h.s[2].index, "an index topic");
	algo_hsm_set_topic(&h, 3, "NSE:NIFTYAUTO-INDEX", "101000000026029", err, sizeof err);
	is_str(h.s[3].topic, "if|nse_cm|NIFTYAUTO", "an index not in the table: its name from the symbol");
	ok(algo_hsm_set_topic(&h, 0, "NSE:X-EQ", "9999000000123", err, sizeof err) < 0, "unknown segment refused");
	is_str(err, "NSE:X-EQ: fytoken '9999000000123' has no known exchange segment", "and said");
	ok(algo_hsm_set_topic(&h, 0, "NSE:X-EQ", "1010", err, sizeof err) < 0, "a fytoken too short refused");
	algo_hsm_free(&h);
}

static void client_messages(void)
{
	uint8_t m[512];
	struct algo_hsm h;
	static const uint8_t auth[] = { 0, 22, 1, 4, 1, 0, 3, 'k', 'e', 'y', 2, 0, 1, 'P', 3, 0, 1, 1,
		4, 0, 3, 's', 'r', 'c' };
	static const uint8_t mode_full[] = { 0, 17, 12, 2, 1, 0, 8, 0, 0, 0, 0, 0, 0, 8, 0, 2, 0, 1, 70 };
	static const uint8_t ack[] = { 0, 9, 3, 1, 1, 0, 4, 0, 0, 1, 2 };
	long n = algo_hsm_msg_auth(m, sizeof m, "key", "src");
	ok(n == (long)sizeof auth && memcmp(m, auth, sizeof auth) == 0, "auth: type 1, 4 fields, hsm_key, 'P', 1, source");
	n = algo_hsm_msg_mode(m, sizeof m, 11, 0);
	ok(n == (long)sizeof mode_full && memcmp(m, mode_full, sizeof mode_full) == 0, "full mode: channel bit 11 big-endian, 70");
	n = algo_hsm_msg_mode(m, sizeof m, 11, 1);
	ok(n == (long)sizeof mode_full && m[18] == 76, "lite mode: 76");
	n = algo_hsm_msg_ack(m, sizeof m, 258);
	ok(n == (long)sizeof ack && memcmp(m, ack, sizeof ack) == 0, "ack: type 3, the message number");
	n = algo_hsm_msg_ping(m, sizeof m);
	ok(n == 3 && m[0] == 0 && m[1] == 1 && m[2] == 11, "ping: 00 01 0B");
	setup(&h);
	n = algo_hsm_msg_subscribe(&h, ALGO_HSM_SUB, 0, 2, 11, m, sizeof m);
	fl = 0;
	b16(0); b8(4); b8(2); b8(1); b16(2 + 1 + 14 + 1 + 18); b16(2);
	bstr8("sf|nse_cm|3045"); bstr8("if|nse_cm|Nifty 50");
	b8(2); b16(1); b8(11);
	fb[0] = (uint8_t)((fl - 2) >> 8); fb[1] = (uint8_t)(fl - 2);
	ok(n == (long)fl && memcmp(m, fb, fl) == 0, "subscribe: type 4, count and topics, channel 11");
	ok(algo_hsm_msg_subscribe(&h, ALGO_HSM_SUB, 0, 2, 11, m, 20) < 0, "too small a buffer: -1");
	ok(algo_hsm_msg_auth(m, 10, "key", "src") < 0, "auth too small: -1");
	algo_hsm_free(&h);
}

static void replies(void)
{
	struct algo_hsm h;
	struct algo_hsm_reply r;
	static const uint8_t auth_ok[] = { 0, 12, 1, 2, 1, 0, 1, 'K', 2, 0, 4, 0, 0, 0, 5 };
	static const uint8_t auth_no[] = { 0, 12, 1, 2, 1, 0, 7, 'i', 'n', 'v', 'a', 'l', 'i', 'd' };
	static const uint8_t sub_ok[] = { 0, 5, 4, 1, 1, 0, 1, 'K' };
	setup(&h);
	is_int(algo_hsm_decode(&h, auth_ok, sizeof auth_ok, &r, err, sizeof err), ALGO_HSM_AUTH, "auth reply");
	ok(r.ok, "auth accepted ('K')");
	is_int(h.ack_count, 5, "the ack count");
	is_int(algo_hsm_decode(&h, auth_no, sizeof auth_no, &r, err, sizeof err), ALGO_HSM_AUTH, "refused auth");
	ok(!r.ok, "not 'K': refused");
	is_str(r.text, "invalid", "what it said");
	is_int(algo_hsm_decode(&h, sub_ok, sizeof sub_ok, &r, err, sizeof err), ALGO_HSM_SUB, "subscribe reply");
	ok(r.ok, "subscribed");
	is_int(algo_hsm_decode(&h, (const uint8_t *)"\0\1", 2, &r, err, sizeof err), -1, "2 bytes: too short");
	algo_hsm_free(&h);
}

static void records(void)
{
	struct algo_hsm h;
	struct algo_hsm_reply r;
	int32_t v[21] = { 0 };
	char d[32];
	setup(&h);
	/* ltp 752.85 at precision 2, multiplier 1; day volume 120400 */
	v[0] = 75285; v[1] = 120400; v[2] = 1709264705; v[3] = 1709264706;
	v[4] = 10; v[5] = 20; v[6] = 75280; v[7] = 75290; v[13] = 75000; v[14] = 75500;
	v[19] = 75100; v[20] = 74900;
	v[12] = INT32_MIN;       /* OI: no value */
	feed_head(1, 1);
	snap(0x0102, "sf|nse_cm|3045", v, 21, 1, 2);
	is_int(algo_hsm_decode(&h, fb, fl, &r, err, sizeof err), ALGO_HSM_FEED, "a snapshot feed");
	is_int(updates, 1, "one update");
	ok(last_sym == 0 && last_changed, "for the symbol, changed");
	algo_dec_fmt(h.s[0].q.ltp, d);
	is_str(d, "752.85", "ltp = raw / 10^precision");
	algo_dec_fmt(h.s[0].q.bid, d);
	is_str(d, "752.8", "bid");
	algo_dec_fmt(h.s[0].q.ask, d);
	is_str(d, "752.9", "ask");
	is_int(h.s[0].q.vol, 120400, "day volume as it is");
	is_int(h.s[0].q.ltt_ms, 1709264705000LL, "last trade time, ms");
	is_int(h.s[0].q.feed_ms, 1709264706000LL, "feed time, ms");
	ok(!(h.s[0].have & (1u << 12)), "no value: absent");
	/* a full update of the first 8 fields, ltp and the feed time changed, the rest no value */
	feed_head(2, 1);
	b8(85); b16(0x0102); b8(8);
	b32(75300); b32(120500); b32((uint32_t)INT32_MIN); b32(1709264710);
	for (int i = 4; i < 8; i++) b32((uint32_t)INT32_MIN);
	is_int(algo_hsm_decode(&h, fb, fl, &r, err, sizeof err), ALGO_HSM_FEED, "a full update");
	algo_dec_fmt(h.s[0].q.ltp, d);
	is_str(d, "753", "ltp updated");
	is_int(h.s[0].q.vol, 120500, "volume updated");
	is_int(h.s[0].q.ltt_ms, 1709264705000LL, "no value keeps the last trade time");
	algo_dec_fmt(h.s[0].q.bid, d);
	is_str(d, "752.8", "and the bid");
	ok(last_changed, "changed");
	/* the same values again: an update, not a change */
	is_int(algo_hsm_decode(&h, fb, fl, &r, err, sizeof err), ALGO_HSM_FEED, "the same update");
	ok(updates == 3 && !last_changed, "reported, unchanged");
	/* lite: ltp only */
	feed_head(3, 1);
	b8(76); b16(0x0102); b32(75310);
	algo_hsm_decode(&h, fb, fl, &r, err, sizeof err);
	algo_dec_fmt(h.s[0].q.ltp, d);
	is_str(d, "753.1", "lite ltp");
	/* a record of an id never snapshotted is skipped; the rest of the feed applies */
	feed_head(4, 2);
	b8(76); b16(0x0999); b32(1);
	b8(76); b16(0x0102); b32(75320);
	is_int(algo_hsm_decode(&h, fb, fl, &r, err, sizeof err), ALGO_HSM_FEED, "a feed with an unknown id");
	is_int(h.skipped, 1, "skipped");
	algo_dec_fmt(h.s[0].q.ltp, d);
	is_str(d, "753.2", "the next record applied");
	/* a new connection forgets the ids */
	algo_hsm_reset(&h);
	updates = 0;
	algo_hsm_decode(&h, fb, fl, &r, err, sizeof err);
	is_int(updates, 0, "after a reset, updates wait for a snapshot");
	algo_hsm_free(&h);
}

static void scaling_and_index(void)
{
	struct algo_hsm h;
	struct algo_hsm_reply r;
	int32_t v[21] = { 0 }, iv[6] = { 2215050, 2210000, 1709264706, 2220000, 2200000, 2205000 };
	char d[32];
	setup(&h);
	/* precision 4, multiplier 100 (a currency pair's lot): 8312345 / (10^4 x 100) = 8.312345,
	 * kept to 4 decimals, rounded */
	v[0] = 8312345;
	v[1] = INT32_MIN;
	feed_head(1, 2);
	snap(7, "sf|nse_cm|3045", v, 21, 100, 4);
	snap(9, "if|nse_cm|Nifty 50", iv, 6, 1, 2);
	is_int(algo_hsm_decode(&h, fb, fl, &r, err, sizeof err), ALGO_HSM_FEED, "two snapshots in one feed");
	algo_dec_fmt(h.s[0].q.ltp, d);
	is_str(d, "8.3123", "raw / (10^precision x multiplier), to the nearest 1/10,000");
	is_int(h.s[0].q.vol, -1, "no volume: -1");
	algo_dec_fmt(h.s[1].q.ltp, d);
	is_str(d, "22150.5", "index ltp");
	algo_dec_fmt(h.s[1].q.prev_close, d);
	is_str(d, "22100", "index prev close (its field 1)");
	is_int(h.s[1].q.feed_ms, 1709264706000LL, "index feed time (its field 2)");
	is_int(h.s[1].q.vol, -1, "an index has no volume");
	/* an index full update: 6 fields */
	feed_head(2, 1);
	b8(85); b16(9); b8(6); b32(2216000);
	for (int i = 1; i < 6; i++) b32((uint32_t)INT32_MIN);
	algo_hsm_decode(&h, fb, fl, &r, err, sizeof err);
	algo_dec_fmt(h.s[1].q.ltp, d);
	is_str(d, "22160", "index update");
	algo_hsm_free(&h);
}

static void acks(void)
{
	struct algo_hsm h;
	struct algo_hsm_reply r;
	static const uint8_t auth_ok[] = { 0, 12, 1, 2, 1, 0, 1, 'K', 2, 0, 4, 0, 0, 0, 2 };
	setup(&h);
	algo_hsm_decode(&h, auth_ok, sizeof auth_ok, &r, err, sizeof err);
	feed_head(41, 0);
	algo_hsm_decode(&h, fb, fl, &r, err, sizeof err);
	ok(!h.ack_due, "one feed of two: no ack yet");
	feed_head(42, 0);
	algo_hsm_decode(&h, fb, fl, &r, err, sizeof err);
	ok(h.ack_due && h.ack_num == 42, "every 2nd feed: ack its number");
	algo_hsm_free(&h);
}

static void malformed(void)
{
	struct algo_hsm h;
	struct algo_hsm_reply r;
	int32_t v[21] = { 75285 };
	setup(&h);
	feed_head(1, 1);
	snap(1, "sf|nse_cm|3045", v, 21, 1, 2);
	is_int(algo_hsm_decode(&h, fb, fl - 3, &r, err, sizeof err), -1, "a snapshot cut short");
	is_str(err, "data feed: record 1 at byte 9 is truncated (131 bytes)", "said where");
	feed_head(1, 1);
	b8(99);
	is_int(algo_hsm_decode(&h, fb, fl, &r, err, sizeof err), -1, "an unknown record type");
	is_str(err, "data feed: record 1 at byte 9 has unknown type 99", "said");
	feed_head(1, 2);
	fl = 6;
	is_int(algo_hsm_decode(&h, fb, fl, &r, err, sizeof err), -1, "a feed header cut short");
	feed_head(1, 1);
	snap(1, "sf|nse_cm|3045", v, 21, 0, 2);
	is_int(algo_hsm_decode(&h, fb, fl, &r, err, sizeof err), -1, "multiplier 0 refused");
	feed_head(1, 3);
	snap(1, "sf|nse_cm|3045", v, 21, 1, 2);
	is_int(algo_hsm_decode(&h, fb, fl, &r, err, sizeof err), -1, "more records announced than sent");
	ok(h.s[0].q.seen, "the record before the fault stays applied");
	algo_hsm_free(&h);
}

int main(void)
{
	topics();
	client_messages();
	replies();
	records();
	scaling_and_index();
	acks();
	malformed();
	return tap_done();
}
