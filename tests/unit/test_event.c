/* Unit tests for lib/event: the scanner, getters, bar decoding and the writer. */
#include "event.h"
#include "decimal.h"
#include "timeutil.h"
#include "tap.h"
#include <stdlib.h>
#include <unistd.h>

static struct algo_event ev;
static char err[ALGO_ERR_MAX];

static int parse(const char *s)
{
	err[0] = 0;
	return algo_event_parse(&ev, s, strlen(s), err, sizeof err);
}

int main(void)
{
	int64_t v;
	char s[64];
	struct algo_bar bar;

	ok(parse("{\"type\":\"bar\",\"ts\":\"2024-03-01T09:15:00+05:30\",\"symbol\":\"NSE:SBIN-EQ\","
		"\"tf\":\"1m\",\"o\":752.1,\"h\":753.0,\"l\":751.5,\"c\":752.85,\"v\":120345}") == 0, "bar parses");
	is_int(ev.type, ALGO_EV_BAR, "classified as bar");
	ok(algo_bar_decode(&ev, &bar, err, sizeof err) == 0, "bar decodes: %s", err);
	is_int(bar.c, 7528500, "close exact");
	is_int(bar.v, 120345, "volume");
	is_int(bar.oi, -1, "no oi");
	is_str(bar.symbol, "NSE:SBIN-EQ", "symbol");

	ok(parse("{\"type\":\"foo\",\"ts\":\"x\",\"a\":[1,{\"b\":null}],\"c\":true}") == 0, "nested ok");
	is_int(ev.type, ALGO_EV_OTHER, "unknown type");
	ok(parse("{\"type\":\"bar\"") == -1, "truncated: %s", err);
	ok(parse("{\"type\":\"bar\",\"ts\":\"x\",}") == -1, "trailing comma: %s", err);
	ok(parse("{\"ts\":\"x\"}") == -1 && strstr(err, "'type'"), "missing type: %s", err);
	ok(parse("{\"type\":\"bar\"}") == -1 && strstr(err, "'ts'"), "missing ts: %s", err);
	ok(parse("{\"type\":1,\"ts\":\"x\"}") == -1, "type not a string: %s", err);
	ok(parse("{\"type\":\"a\",\"ts\":\"x\",\"type\":\"b\"}") == -1, "duplicate key: %s", err);
	ok(parse("{\"type\":\"a\",\"ts\":\"x\",\"n\":NaN}") == -1, "NaN: %s", err);
	ok(parse("{\"type\":\"a\",\"ts\":\"x\",\"n\":01}") == -1, "leading zero: %s", err);
	ok(parse("{\"type\":\"a\",\"ts\":\"x\",\"s\":\"\\x\"}") == -1, "bad escape: %s", err);
	ok(parse("{\"type\":\"a\",\"ts\":\"x\",\"s\":\"\xff\"}") == -1, "bad UTF-8: %s", err);
	ok(parse("[1]") == -1, "not an object: %s", err);
	ok(parse("{\"type\":\"a\",\"ts\":\"x\"} x") == -1, "text after: %s", err);
	ok(parse("") == -1, "empty: %s", err);

	ok(parse("{\"type\":\"signal\",\"ts\":\"x\",\"qty\":-3,\"q2\":1.5,\"q3\":\"7\",\"p\":0,\"s\":\"a\\u00e9\\\"b\"}") == 0, "signal");
	ok(algo_event_qty(&ev, "qty", 1, &v, err, sizeof err) == -1 && strstr(err, "positive integer"), "negative qty: %s", err);
	ok(algo_event_qty(&ev, "q2", 1, &v, err, sizeof err) == -1, "fractional qty: %s", err);
	ok(algo_event_qty(&ev, "q3", 1, &v, err, sizeof err) == -1 && strstr(err, "string"), "string qty: %s", err);
	ok(algo_event_qty(&ev, "nope", 0, &v, err, sizeof err) == 0, "absent optional");
	ok(algo_event_qty(&ev, "nope", 1, &v, err, sizeof err) == -1 && strstr(err, "missing"), "absent required: %s", err);
	ok(algo_event_price(&ev, "p", 1, &v, err, sizeof err) == -1, "zero price: %s", err);
	ok(algo_event_str(&ev, "s", 1, s, sizeof s, err, sizeof err) == 1 && strcmp(s, "a\xc3\xa9\"b") == 0, "unescape");

	ok(parse("{\"type\":\"bar\",\"ts\":\"2024-03-01T09:15:00+05:30\",\"symbol\":\"X\",\"o\":10,\"h\":9,\"l\":8,\"c\":9,\"v\":1}") == 0, "bar h<o parses");
	ok(algo_bar_decode(&ev, &bar, err, sizeof err) == -1 && strstr(err, "'h'"), "h below open: %s", err);
	ok(parse("{\"type\":\"bar\",\"ts\":\"2024-03-01T09:15:00+05:30\",\"symbol\":\"X\",\"o\":10,\"h\":11,\"l\":8,\"c\":9,\"v\":-1}") == 0, "bar v<0 parses");
	ok(algo_bar_decode(&ev, &bar, err, sizeof err) == -1 && strstr(err, "'v'"), "negative volume: %s", err);

	{
		int fds[2];
		char out[512];
		ssize_t n;
		struct algo_writer *w = malloc(sizeof *w);
		if (pipe(fds)) return 1;
		algo_writer_init(w, fds[1]);
		algo_out_begin(w);
		algo_out_str(w, "type", "x");
		algo_out_time(w, "ts", 1709264700000LL);
		algo_out_dec(w, "p", 7528500);
		algo_out_int(w, "q", -12);
		algo_out_num(w, "f", 0.1);
		algo_out_str(w, "s", "a\"b\n");
		algo_out_obj_begin(w, "fees");
		algo_out_dec(w, "total", 0);
		algo_out_obj_end(w);
		algo_out_end(w);
		algo_out_line(w, "{\"raw\":1}", 9);
		algo_writer_flush(w);
		close(fds[1]);
		n = read(fds[0], out, sizeof out - 1);
		out[n < 0 ? 0 : n] = 0;
		is_str(out, "{\"type\":\"x\",\"ts\":\"2024-03-01T09:15:00+05:30\",\"p\":752.85,\"q\":-12,"
			"\"f\":0.1,\"s\":\"a\\\"b\\n\",\"fees\":{\"total\":0}}\n{\"raw\":1}\n", "writer output");
		free(w);
	}
	{
		/* The bar fast path and the general scanner must agree on every line: parse
		 * mutations of canonical bars both ways (a leading space forces the general
		 * path) and compare verdicts and the indexed fields. */
		static const char *base[] = {
			"{\"type\":\"bar\",\"ts\":\"2024-03-01T09:15:00+05:30\",\"symbol\":\"NSE:SBIN-EQ\",\"tf\":\"1m\",\"o\":752.1,\"h\":753,\"l\":751.5,\"c\":752.85,\"v\":120345}",
			"{\"type\":\"bar\",\"ts\":\"2024-03-01T09:15:00+05:30\",\"symbol\":\"X\",\"tf\":\"1d\",\"o\":1e2,\"h\":100,\"l\":-0.5,\"c\":0,\"v\":0,\"oi\":7}",
			/* numbers at the edges of what the fast path reads itself */
			"{\"type\":\"bar\",\"ts\":\"2024-02-29T15:29:59.5+05:30\",\"symbol\":\"NSE:A-EQ\",\"tf\":\"1m\",\"o\":9999999999.9999,\"h\":12345678901,\"l\":0.12345,\"c\":1.50000,\"v\":99999999999999999,\"oi\":123456789012345678}",
			"{\"type\":\"bar\",\"ts\":\"2023-12-31T23:59:00Z\",\"symbol\":\"B\",\"tf\":\"5m\",\"o\":0.0001,\"h\":2.5,\"l\":0.0001,\"c\":2,\"v\":1.0}",
			/* runs of 7, 8 and 9 digits, where the eight-at-a-time read hands over */
			"{\"type\":\"bar\",\"ts\":\"2024-03-01T09:16:00+05:30\",\"symbol\":\"NSE:SBIN-EQ\",\"tf\":\"1m\",\"o\":1234567.1234567,\"h\":12345678.12345678,\"l\":123456789.123456789,\"c\":1234567.8,\"v\":12345678,\"oi\":1234567}",
			/* the same date as base 0 a minute on, then another offset, then another
			 * date: the time cache keeps the date and offset of the bar before */
			"{\"type\":\"bar\",\"ts\":\"2024-03-01T09:17:00+05:30\",\"symbol\":\"NSE:SBIN-EQ\",\"tf\":\"1m\",\"o\":752.1,\"h\":753,\"l\":751.5,\"c\":752.85,\"v\":1203450}",
			"{\"type\":\"bar\",\"ts\":\"2024-03-01T09:17:00-04:00\",\"symbol\":\"NSE:SBIN-EQ\",\"tf\":\"1m\",\"o\":75,\"h\":75.25,\"l\":74.5,\"c\":75.125,\"v\":7}",
			"{\"type\":\"bar\",\"ts\":\"2024-03-02T09:17:00-04:00\",\"symbol\":\"NSE:SBIN-EQ\",\"tf\":\"1m\",\"o\":75,\"h\":75.25,\"l\":74.5,\"c\":75.125,\"v\":7}",
			"{\"type\":\"bar\",\"ts\":\"2024-03-02T23:59:59.250-04:00\",\"symbol\":\"NSE:SBIN-EQ\",\"tf\":\"1m\",\"o\":75,\"h\":75.25,\"l\":74.5,\"c\":75.125,\"v\":7}",
		};
		const int nbase = (int)(sizeof base / sizeof base[0]);
		static const char alphabet[] = "{}[]\",:\\ -.0123456789eEtfnulbarsymbolvoi\x01\xc3\xa9";
		unsigned seed = 12345;
		int disagree = 0, fast_ok = 0, fast_bars = 0;
		char a[256], b[260], e2[ALGO_ERR_MAX];
		struct algo_event ev2;
		for (int it = 0; it < 400000 && disagree < 5; it++) {
			const char *src = base[it % nbase];
			size_t n = strlen(src);
			int ra, rb;
			memcpy(a, src, n + 1);
			for (int m = 0; m < 1 + it % 3; m++) {
				seed = seed * 1103515245u + 12345u;
				size_t pos = (seed >> 8) % n;
				seed = seed * 1103515245u + 12345u;
				switch ((seed >> 8) % 3) {
				case 0: a[pos] = alphabet[(seed >> 12) % (sizeof alphabet - 1)]; break;
				case 1: memmove(a + pos, a + pos + 1, n - pos); n--; break;
				default:
					if (n + 2 < sizeof a) {
						memmove(a + pos + 1, a + pos, n - pos + 1);
						a[pos] = alphabet[(seed >> 12) % (sizeof alphabet - 1)];
						n++;
					}
				}
				a[n] = 0;
			}
			b[0] = ' ';
			memcpy(b + 1, a, n + 1);
			ra = algo_event_parse(&ev, a, n, err, sizeof err);
			rb = algo_event_parse(&ev2, b, n + 1, e2, sizeof e2);
			if (ra != rb) { disagree++; printf("# disagree on: %s (%d vs %d: %s)\n", a, ra, rb, e2); continue; }
			if (ra) continue;
			fast_ok++;
			{
				/* and decoding the bar from either index gives the same bar or error */
				struct algo_bar ba, bb;
				char da[ALGO_ERR_MAX] = "", db[ALGO_ERR_MAX] = "";
				memset(&ba, 0, sizeof ba);
				memset(&bb, 0, sizeof bb);
				int64_t cold;
				int xa = ev.type == ALGO_EV_BAR ? algo_bar_decode(&ev, &ba, da, sizeof da) : 0, xb;
				/* ev's time was parsed with the cache of the bars before it; ev2's
				 * is parsed again after two times of other dates and offsets, so
				 * from nothing cached */
				algo_time_parse("2001-01-01T00:00:00Z", 20, &cold);
				algo_time_parse("2002-02-02T00:00:00+01:00", 25, &cold);
				rb = algo_event_parse(&ev2, b, n + 1, e2, sizeof e2);
				xb = ev2.type == ALGO_EV_BAR ? algo_bar_decode(&ev2, &bb, db, sizeof db) : 0;
				if (xa != xb || strcmp(da, db) != 0 ||
				    (xa == 0 && memcmp(&ba, &bb, sizeof ba) != 0)) {
					disagree++;
					printf("# bar differs: %s (%d %s / %d %s)\n", a, xa, da, xb, db);
					continue;
				}
				if (ev.fast && xa == 0)
					fast_bars++;
			}
			if (ev.type != ev2.type || ev.nfields != ev2.nfields) { disagree++; printf("# index differs: %s\n", a); continue; }
			for (int i = 0; i < ev.nfields; i++)
				if (ev.f[i].klen != ev2.f[i].klen || ev.f[i].vlen != ev2.f[i].vlen ||
				    ev.f[i].type != ev2.f[i].type || ev.f[i].escaped != ev2.f[i].escaped ||
				    memcmp(ev.f[i].key, ev2.f[i].key, ev.f[i].klen) ||
				    memcmp(ev.f[i].val, ev2.f[i].val, ev.f[i].vlen)) {
					disagree++;
					printf("# field %d differs: %s\n", i, a);
					break;
				}
		}
		is_int(disagree, 0, "bar fast path agrees with the general scanner (%d valid mutants)", fast_ok);
		ok(fast_bars > 1000, "... and decodes the same bars (%d good bars on the fast path)", fast_bars);
		ok(algo_event_parse(&ev, base[0], strlen(base[0]), err, sizeof err) == 0 &&
		   ev.f[0].vlen == 3 && memcmp(ev.f[0].val, "bar", 3) == 0, "fast path indexes type");
		{
			const char *tc = "{\"type\":\"bar\",\"ts\":\"2024-03-01T09:15:00+05:30\",\"symbol\":\"X\",\"tf\":\"1m\",\"o\":1,\"h\":1,\"l\":1,\"c\":1,\"v\":1,}";
			ok(algo_event_parse(&ev, tc, strlen(tc), err, sizeof err) == -1, "trailing comma after v rejected");
		}
	}
	return tap_done();
}
