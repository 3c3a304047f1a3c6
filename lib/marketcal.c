/* marketcal — the trading calendar. See marketcal.h for the contract. */
#include "marketcal.h"
#include "timeutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define IST_MS ((int64_t)ALGO_IST_OFFSET_MIN * 60000)

static int cmp_day(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static int add_holiday(struct algo_marketcal *c, int64_t day)
{
	int64_t *p = realloc(c->holidays, (c->n + 1) * sizeof *p);
	if (!p)
		return -1;
	c->holidays = p;
	c->holidays[c->n++] = day;
	return 0;
}

/* One line (comment stripped). Returns 0, or -1 with what in err. */
static int parse_line(struct algo_marketcal *c, char *line, char *err, size_t errlen)
{
	char *save = NULL, *word = strtok_r(line, " \t\r\n", &save), *a, *b;
	if (!word)
		return 0;
	a = strtok_r(NULL, " \t\r\n", &save);
	if (strcmp(word, "session") == 0) {
		b = strtok_r(NULL, " \t\r\n", &save);
		int o = a ? algo_time_parse_hhmm(a, strlen(a)) : -1, cl = b ? algo_time_parse_hhmm(b, strlen(b)) : -1;
		if (o < 0 || cl < 0 || o >= cl) {
			snprintf(err, errlen, "session: want 'session HH:MM HH:MM' (open before close)");
			return -1;
		}
		c->open_min = o;
		c->close_min = cl;
		return 0;
	}
	if (strcmp(word, "holiday") == 0) {
		char buf[40];
		int64_t ms;
		if (!a || strlen(a) != 10 || snprintf(buf, sizeof buf, "%sT12:00:00+05:30", a) < 0 ||
		    algo_time_parse(buf, strlen(buf), &ms) < 0) {
			snprintf(err, errlen, "holiday: want 'holiday YYYY-MM-DD TEXT'");
			return -1;
		}
		if (add_holiday(c, algo_time_ist_day(ms)) < 0) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		return 0;
	}
	snprintf(err, errlen, "'%.40s': not 'session' or 'holiday'", word);
	return -1;
}

int algo_marketcal_load(struct algo_marketcal *c, const char *path, char *err, size_t errlen)
{
	char line[512], what[256];
	long lineno = 0;
	FILE *fp;
	memset(c, 0, sizeof *c);
	c->open_min = 9 * 60 + 15;
	c->close_min = 15 * 60 + 30;
	if (!(fp = fopen(path, "r"))) {
		int e = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		errno = e;
		return -1;
	}
	while (fgets(line, sizeof line, fp)) {
		lineno++;
		line[strcspn(line, "#")] = '\0';
		if (parse_line(c, line, what, sizeof what) < 0) {
			snprintf(err, errlen, "%s:%ld: %s", path, lineno, what);
			fclose(fp);
			algo_marketcal_free(c);
			errno = EINVAL;
			return -1;
		}
	}
	fclose(fp);
	qsort(c->holidays, c->n, sizeof *c->holidays, cmp_day);
	return 0;
}

void algo_marketcal_free(struct algo_marketcal *c)
{
	free(c->holidays);
	c->holidays = NULL;
	c->n = 0;
}

int algo_marketcal_is_holiday(const struct algo_marketcal *c, int64_t ms)
{
	int64_t day = algo_time_ist_day(ms);
	return c->n && bsearch(&day, c->holidays, c->n, sizeof day, cmp_day) != NULL;
}

static int trading_day(const struct algo_marketcal *c, int64_t ms)
{
	int wd = algo_time_ist_wday(ms);
	return wd != 0 && wd != 6 && !algo_marketcal_is_holiday(c, ms);
}

int algo_marketcal_is_open(const struct algo_marketcal *c, int64_t ms)
{
	int m = algo_time_ist_minute(ms);
	return trading_day(c, ms) && m >= c->open_min && m < c->close_min;
}

int64_t algo_marketcal_next_open(const struct algo_marketcal *c, int64_t ms)
{
	int64_t day = algo_time_ist_day(ms);
	for (int i = 0; i < 400; i++, day++) {
		int64_t open = day * ALGO_MS_PER_DAY - IST_MS + (int64_t)c->open_min * 60000;
		if (open > ms && trading_day(c, open))
			return open;
	}
	return INT64_MAX;
}

int algo_marketcal_default(char *path, size_t len)
{
	static const char *const layouts[] = { "../share/algo/calendar/nse.txt", "../../share/calendar/nse.txt" };
	char dir[4096];
	ssize_t n = readlink("/proc/self/exe", dir, sizeof dir - 1);
	char *slash;
	if (n <= 0)
		return -1;
	dir[n] = '\0';
	if (!(slash = strrchr(dir, '/')))
		return -1;
	*slash = '\0';
	for (size_t i = 0; i < sizeof layouts / sizeof *layouts; i++)
		if ((size_t)snprintf(path, len, "%s/%s", dir, layouts[i]) < len && access(path, R_OK) == 0)
			return 0;
	return -1;
}
