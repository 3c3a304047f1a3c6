/* Unit tests for lib/event: the scanner, getters, bar decoding and the writer. */
#include "event.h"
#include "decimal.h"
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
	return tap_done();
}
