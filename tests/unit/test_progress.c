/* lib/progress: the line's text, the erase text, the redraw interval. */
#include "progress.h"
#include "tap.h"

int main(void)
{
	struct algo_progress p;
	char buf[ALGO_PROGRESS_LINE_MAX];
	size_t n;

	algo_progress_start(&p, "algo-feed", "bars", 1000);
	n = algo_progress_format(&p, 2000, 250, 500000, buf, sizeof buf);
	is_str(buf, "\ralgo-feed: [#######.......................]  25%  0.25M bars/s  0:06 left\033[K",
		"a quarter done in 2 s: 7 of 30 marks, the rate of items, 6 s left");
	is_int(n, strlen(buf), "the length returned");
	algo_progress_format(&p, 2000, 1500, 500000, buf, sizeof buf);
	is_str(buf, "\ralgo-feed: [##############################] 100%  0.25M bars/s  0:00 left\033[K",
		"more done than the total shows 100%%, nothing left");
	algo_progress_format(&p, 0, 0, 0, buf, sizeof buf);
	is_str(buf, "\ralgo-feed: [..............................]   0%  0.00M bars/s  0:00 left\033[K",
		"at the start: empty, no rate");

	algo_progress_start(&p, "algo-feed", "bars", -1);
	algo_progress_format(&p, 4000, 0, 2000000, buf, sizeof buf);
	is_str(buf, "\ralgo-feed: 2000000 bars  0.50M bars/s\033[K", "without a total: a count and a rate");

	is_str(algo_progress_erase(&p), "", "nothing drawn: nothing to erase");
	is_int(algo_progress_line(&p, 0, 0, buf, sizeof buf), 0, "no redraw within 100 ms of the start");
	p.last_ms -= 200;
	ok(algo_progress_line(&p, 0, 10, buf, sizeof buf) > 0, "a redraw after 100 ms");
	is_int(algo_progress_line(&p, 0, 10, buf, sizeof buf), 0, "and none again at once");
	is_str(algo_progress_erase(&p), "\r\033[K", "a drawn line is erased");
	is_str(algo_progress_erase(&p), "", "once");
	return tap_done();
}
