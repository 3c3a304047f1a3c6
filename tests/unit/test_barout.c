/* Unit tests for lib/barout.c: a bar with ready-made symbol and tf JSON (built in one
 * buffer) is byte for byte the bar the member-by-member writer makes. */
#include "barout.h"
#include "tap.h"
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Writes one bar both ways into its own writer and returns whether the bytes agree. */
static int same_bar(const struct algo_candle *c, int64_t oi, char *a, char *b, size_t len)
{
	struct algo_writer *w = malloc(2 * sizeof *w);
	struct algo_barout oa, ob;
	int fa[2], fb[2];
	ssize_t na, nb;
	if (!w || pipe(fa) || pipe(fb)) return 0;
	algo_writer_init(&w[0], fa[1]);
	algo_writer_init(&w[1], fb[1]);
	algo_barout_init(&oa, &w[0]);
	algo_barout_init(&ob, &w[1]);
	for (int k = 0; k < 3; k++) {   /* three bars: the date cached after the first */
		struct algo_candle ck = *c;
		ck.ts += k * 60000;
		algo_barout_bar(&oa, "NSE:A\"B", "\"NSE:A\\\"B\"", 10, "1m", "\"1m\"", 4, &ck, oi);
		algo_barout_bar(&ob, "NSE:A\"B", NULL, 0, "1m", NULL, 0, &ck, oi);
	}
	algo_writer_flush(&w[0]);
	algo_writer_flush(&w[1]);
	close(fa[1]);
	close(fb[1]);
	na = read(fa[0], a, len - 1);
	nb = read(fb[0], b, len - 1);
	a[na < 0 ? 0 : na] = b[nb < 0 ? 0 : nb] = '\0';
	close(fa[0]);
	close(fb[0]);
	free(w);
	return na > 0 && na == nb && memcmp(a, b, (size_t)na) == 0;
}

int main(void)
{
	static const struct algo_candle cs[] = {
		{ 1709264700000LL, 7528500, 7530000, 7515000, 7528550, 120345 },
		{ 1709264700250LL, 1, 10000, 1, 9999, 0 },                   /* milliseconds */
		{ -86400000LL * 400, -5000, 0, -15000, -1, 7 },              /* before 1970 */
		{ 1709316000000LL, INT64_MAX, INT64_MAX, 1, 1, INT64_MAX },  /* 23:30 IST */
	};
	char a[4096], b[4096];
	int bad = 0;
	for (size_t i = 0; i < sizeof cs / sizeof cs[0]; i++)
		for (int64_t oi = -1; oi <= 1; oi++)
			if (!same_bar(&cs[i], oi * 4242, a, b, sizeof a)) {
				bad++;
				printf("# bar %zu oi %lld:\n# %s# %s", i, (long long)oi, a, b);
			}
	is_int(bad, 0, "ready-made names give the bytes of the member writer");
	ok(same_bar(&cs[0], 5, a, b, sizeof a) &&
	   strstr(a, "{\"type\":\"bar\",\"ts\":\"2024-03-01T09:15:00+05:30\",\"symbol\":\"NSE:A\\\"B\","
		"\"tf\":\"1m\",\"o\":752.85,\"h\":753,\"l\":751.5,\"c\":752.855,\"v\":120345,\"oi\":5}\n") != NULL,
		"a bar's bytes: %s", a);
	return tap_done();
}
