/* Unit tests for lib/book (positions, keyed table) plus the small pure helpers of
 * lib/risk and lib/fillsim that the book-keeping stages are built on. */
#include "book.h"
#include "decimal.h"
#include "fillsim.h"
#include "risk.h"
#include "tap.h"
#include <stdint.h>
#include <stdio.h>

#define D(x) ((int64_t)((x) * 10000.0 + ((x) < 0 ? -0.5 : 0.5)))   /* test literals */

static char err[256];

static int fill(struct algo_position *p, int side, int64_t qty, int64_t price)
{
	err[0] = '\0';
	return algo_book_apply_fill(p, side, qty, price, err, sizeof err);
}

static void test_position(void)
{
	struct algo_position p = { 0 };
	int64_t u;

	is_int(fill(&p, ALGO_BUY, 10, D(100)), 0, "buy 10 @ 100");
	is_int(p.qty, 10, "long 10");
	is_int(algo_book_avg_price(&p), D(100), "avg 100");
	is_int(fill(&p, ALGO_BUY, 10, D(110)), 0, "buy 10 @ 110");
	is_int(p.qty, 20, "long 20");
	is_int(algo_book_avg_price(&p), D(105), "avg 105");
	is_int(p.cost, D(2100), "cost 2100 exact");
	is_int(algo_book_unrealised(&p, D(106.5), &u), 0, "unrealised computes");
	is_int(u, D(30), "unrealised at 106.5 is 30");

	is_int(fill(&p, ALGO_SELL, 5, D(120)), 0, "sell 5 @ 120");
	is_int(p.qty, 15, "long 15");
	is_int(p.realised, D(75), "realised (120-105)*5 = 75");
	is_int(algo_book_avg_price(&p), D(105), "avg unchanged by a reduction");

	/* Flip: sell 25 closes 15 at a loss of 5 each and opens short 10 @ 100. */
	is_int(fill(&p, ALGO_SELL, 25, D(100)), 0, "sell 25 @ 100 flips");
	is_int(p.qty, -10, "short 10");
	is_int(p.realised, 0, "realised 75 - 75 = 0");
	is_int(algo_book_avg_price(&p), D(100), "short avg 100");
	is_int(p.cost, D(-1000), "short cost is negative");
	is_int(algo_book_unrealised(&p, D(97), &u), 0, "short unrealised computes");
	is_int(u, D(30), "short gains 30 when price falls to 97");

	is_int(fill(&p, ALGO_BUY, 10, D(90)), 0, "buy 10 @ 90 covers");
	is_int(p.qty, 0, "flat");
	is_int(p.cost, 0, "no cost when flat");
	is_int(algo_book_avg_price(&p), 0, "avg 0 when flat");
	is_int(p.realised, D(100), "short realised 100");
	is_int(p.trades, 5, "five fills counted");

	/* Flip from short to long. */
	is_int(fill(&p, ALGO_SELL, 3, D(50)), 0, "sell 3 @ 50");
	is_int(fill(&p, ALGO_BUY, 5, D(40)), 0, "buy 5 @ 40 flips to long");
	is_int(p.qty, 2, "long 2");
	is_int(p.realised, D(130), "short 3 from 50 to 40 adds 30");
	is_int(algo_book_avg_price(&p), D(40), "new long at 40");
}

static void test_exact(void)
{
	struct algo_position p = { 0 };

	/* An average that is not a 4-decimal number: 300.02 / 3 = 100.00666… */
	fill(&p, ALGO_BUY, 1, D(100));
	fill(&p, ALGO_BUY, 2, D(100.01));
	is_int(p.cost, D(300.02), "cost exact");
	is_int(algo_book_avg_price(&p), D(100.0067), "avg rounds half away to 100.0067");
	/* Partial close: removes 300.02 × 1/3 = 100.006666… → 100.0067 of cost. */
	fill(&p, ALGO_SELL, 1, D(101));
	is_int(p.realised, D(0.9933), "partial close realised rounded to 0.0001");
	fill(&p, ALGO_SELL, 2, D(101));
	is_int(p.realised, D(2.98), "round trip realised exactly 303 - 300.02");
	is_int(p.qty, 0, "flat again");

	/* Paise-level prices never drift: 1000 round trips of 0.05. */
	struct algo_position q = { 0 };
	for (int i = 0; i < 1000; i++) {
		fill(&q, ALGO_BUY, 7, D(752.85));
		fill(&q, ALGO_SELL, 7, D(752.9));
	}
	is_int(q.realised, D(350), "1000 × 7 × 0.05 = 350 exactly");

	/* Quantity-only book (price 0) still tracks the position. */
	struct algo_position z = { 0 };
	is_int(fill(&z, ALGO_BUY, 4, 0), 0, "price 0 accepted");
	is_int(z.qty, 4, "qty tracked without price");
	is_int(algo_book_add_fees(&z, D(1.5)), 0, "fees add");
	is_int(z.fees, D(1.5), "fees total");
	is_int(algo_book_add_fees(&z, -1), -1, "negative fees refused");
}

static void test_errors(void)
{
	struct algo_position p = { 0 }, before;

	is_int(fill(&p, 0, 1, D(1)), -1, "bad side refused");
	is_int(fill(&p, ALGO_BUY, 0, D(1)), -1, "qty 0 refused");
	is_int(fill(&p, ALGO_BUY, -3, D(1)), -1, "negative qty refused");
	is_int(fill(&p, ALGO_BUY, 1, -1), -1, "negative price refused");
	fill(&p, ALGO_BUY, INT64_MAX / 2, 1);
	before = p;
	is_int(fill(&p, ALGO_BUY, INT64_MAX / 2, D(5)), -1, "overflow refused");
	ok(p.qty == before.qty && p.cost == before.cost && p.trades == before.trades,
		"position unchanged after an error");
	ok(err[0] != '\0', "error message set: %s", err);
}

/* The entry found last is compared first: repeats, keys that are prefixes of it or
 * extend it, a miss in between and a table freed and used again all find what a
 * lookup through the hash finds. */
static void test_tab_last(void)
{
	struct algo_book_tab t;
	int64_t *a, *ab, *b;
	int good = 1;

	algo_book_tab_init(&t, sizeof(int64_t));
	a = algo_book_tab_get(&t, "NSE:A\x1f" "1m", 8, 1);
	*a = 1;
	for (int i = 0; i < 100; i++)
		if (algo_book_tab_get(&t, "NSE:A\x1f" "1m", 8, 1) != a) good = 0;
	ok(good, "the same key again is the same record");
	ok(algo_book_tab_get(&t, "NSE:A\x1f" "1", 7, 0) == NULL, "a prefix of the last key is not it");
	ok(algo_book_tab_get(&t, "NSE:A\x1f" "1mm", 9, 0) == NULL, "the last key extended is not it");
	ok(algo_book_tab_get(&t, "NSE:B\x1f" "1m", 8, 0) == NULL, "a key of the same length is not it");
	ok(algo_book_tab_get(&t, "NSE:A\x1f" "1m", 8, 0) == a, "found again after misses");
	ab = algo_book_tab_get(&t, "NSE:A\x1f" "1mm", 9, 1);
	b = algo_book_tab_get(&t, "NSE:B\x1f" "1m", 8, 1);
	ok(ab && b && ab != a && b != a && ab != b, "new keys get their own records");
	for (int i = 0; i < 30 && good; i++) {
		if (algo_book_tab_get(&t, "NSE:A\x1f" "1m", 8, 0) != a) good = 0;
		if (algo_book_tab_get(&t, "NSE:B\x1f" "1m", 8, 1) != b) good = 0;
		if (algo_book_tab_get(&t, "NSE:A\x1f" "1mm", 9, 0) != ab) good = 0;
	}
	ok(good, "keys taking turns each find their own record");
	is_int(algo_book_tab_count(&t), 3, "no record added by a repeat");
	algo_book_tab_free(&t);
	ok(algo_book_tab_get(&t, "NSE:B\x1f" "1m", 8, 0) == NULL, "a freed table forgets its last key");
	a = algo_book_tab_get(&t, "NSE:B\x1f" "1m", 8, 1);
	ok(a && *a == 0, "and makes a fresh zeroed record for it");
	algo_book_tab_free(&t);
}

static void test_tab(void)
{
	struct algo_book_tab t;
	char key[64];
	int64_t *r, *r0;
	const char *k;
	size_t kl, n;
	int good = 1;

	algo_book_tab_init(&t, sizeof(int64_t));
	ok(algo_book_tab_get(&t, "x", 1, 0) == NULL, "empty table finds nothing");
	r0 = algo_book_tab_get(&t, "k0", 2, 1);
	ok(r0 && *r0 == 0, "created record is zeroed");
	*r0 = 42;
	for (int i = 1; i < 5000; i++) {
		n = (size_t)snprintf(key, sizeof key, "k%d", i);
		r = algo_book_tab_get(&t, key, n, 1);
		if (!r) { good = 0; break; }
		*r = i;
	}
	ok(good, "5000 inserts");
	is_int(algo_book_tab_count(&t), 5000, "count 5000");
	for (int i = 0; i < 5000 && good; i++) {
		n = (size_t)snprintf(key, sizeof key, "k%d", i);
		r = algo_book_tab_get(&t, key, n, 0);
		if (!r || *r != (i ? i : 42)) good = 0;
	}
	ok(good, "every record found with its value after growth");
	ok(algo_book_tab_get(&t, "k0", 2, 0) == r0, "record pointers are stable");
	r = algo_book_tab_at(&t, 1234, &k, &kl);
	ok(r && *r == 1234 && kl == 5 && memcmp(k, "k1234", 5) == 0, "insertion order iteration");
	ok(algo_book_tab_at(&t, 5000, NULL, NULL) == NULL, "at past the end is NULL");
	algo_book_tab_free(&t);
	is_int(algo_book_tab_count(&t), 0, "free empties");

	is_int(algo_book_key(key, sizeof key, "u", "s", "NSE:X"), 9, "key length");
	is_str(key, "u\x1fs\x1fNSE:X", "key joined with 0x1f");
	is_int(algo_book_key(key, 4, "u", "s", "NSE:X"), 0, "key too long");

	struct algo_book b;
	struct algo_position *p1, *p2;
	algo_book_init(&b);
	p1 = algo_book_get(&b, "default", "ema", "NSE:A", 1);
	p2 = algo_book_get(&b, "default", "ema", "NSE:B", 1);
	ok(p1 && p2 && p1 != p2, "positions per symbol");
	ok(algo_book_get(&b, "default", "ema", "NSE:A", 0) == p1, "same key same position");
	ok(algo_book_get(&b, "other", "ema", "NSE:A", 0) == NULL, "per user");
	algo_book_free(&b);
}

static void test_risk_helpers(void)
{
	char tag[ALGO_RISK_TAG_MAX + 1], id[ALGO_RISK_ID_MAX];
	int64_t ms = 1709264700000LL;   /* 2024-03-01T09:15:00+05:30 */
	struct algo_risk_limits lim = { 2, 10 };
	struct algo_risk_request rq = { ALGO_RISK_ENTRY, ALGO_BUY, 5 };
	struct algo_risk_verdict v;

	algo_risk_tag("EMA-Cross v2!", tag);
	is_str(tag, "emacrossv2", "tag keeps lower-cased letters and digits");
	algo_risk_tag("a-very-long-strategy-name-indeed", tag);
	is_str(tag, "averylongstrategynam", "tag cut to 20");
	algo_risk_tag("--", tag);
	is_str(tag, "s", "empty tag becomes s");
	is_int(algo_risk_order_id("emacross", ms, 1, id), 0, "id formats");
	is_str(id, "emacross2403010001", "id tag+yymmdd+seq");
	is_int(algo_risk_order_id("emacross", ms, 10000, id), -1, "seq 10000 refused");

	is_int(algo_risk_check(&lim, 0, 0, &rq, &v), 1, "entry when flat ok");
	is_int(algo_risk_check(&lim, 2, 0, &rq, &v), 0, "trades limit blocks");
	is_str(v.rule, "max_trades_per_day", "rule name");
	is_str(v.reason, "2 trades today, limit 2", "reason");
	is_int(algo_risk_check(&lim, 0, -5, &rq, &v), 0, "entry while short blocks");
	is_str(v.reason, "entry while short 5", "reason names the position");
	rq.qty = 11;
	is_int(algo_risk_check(&lim, 0, 0, &rq, &v), 0, "qty limit blocks");
	is_int(v.limit, 10, "limit 10");
	is_int(v.value, 11, "value 11");
	rq.action = ALGO_RISK_EXIT;
	rq.side = ALGO_SELL;
	is_int(algo_risk_check(&lim, 99, 7, &rq, &v), 1, "exit never blocked by limits");
	is_int(v.qty, 7, "exit clipped to position");
	rq.side = ALGO_BUY;
	is_int(algo_risk_check(&lim, 0, 7, &rq, &v), 0, "exit on the same side blocks");
	is_str(v.reason, "exit buy while long 7", "reason");
	is_int(algo_risk_check(&lim, 0, 0, &rq, &v), 0, "exit while flat blocks");
	is_str(v.reason, "exit while flat", "reason");
}

static void test_fillsim(void)
{
	int64_t b;
	/* 752.85 × (1 + 2.5/10000) = 753.0382125 → 753.0382 */
	is_int(algo_fillsim_slip(D(752.85), ALGO_BUY, 25000), D(753.0382), "buy slippage");
	/* 752.85 × (1 − 2.5/10000) = 752.6617875 → 752.6618 */
	is_int(algo_fillsim_slip(D(752.85), ALGO_SELL, 25000), D(752.6618), "sell slippage");
	/* 1.0002 × (1 − 5/10000) = 0.9996999 → 0.9997 */
	is_int(algo_fillsim_slip(D(1.0002), ALGO_SELL, 50000), D(0.9997), "sell rounding");
	/* 0.0003 × 0.5 = 0.00015: half rounds away from zero to 0.0002 */
	is_int(algo_fillsim_slip(3, ALGO_SELL, 5000 * 10000LL), 2, "half away from zero on a sell");
	is_int(algo_fillsim_slip(1, ALGO_SELL, 10000 * 10000LL), 1, "never below 0.0001");
	/* 10 × 753.25 = 7532.5 turnover; 3 bps = 2.25975 → 2.26 */
	is_int(algo_fillsim_brokerage(D(753.25), 10, 30000, &b), 0, "brokerage");
	is_int(b, D(2.26), "brokerage to the paisa");
	/* 0.00495 must round to 0.00, not via 0.0050 to 0.01 */
	is_int(algo_fillsim_brokerage(D(9.9), 1, 50000, &b), 0, "brokerage small");
	is_int(b, 0, "rounded once, straight to paise");
	is_int(algo_fillsim_brokerage(INT64_MAX / 2, 3, 1, &b), -1, "turnover overflow");
}

int main(void)
{
	test_position();
	test_exact();
	test_errors();
	test_tab();
	test_tab_last();
	test_risk_helpers();
	test_fillsim();
	return tap_done();
}
