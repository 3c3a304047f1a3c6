/* Unit tests for lib/paperexec.c: the defaults and which options go together; a run
 * that cannot start comes back as an exit code and message before reading anything;
 * a run writes its events on stdout and says what it leaves (orders still working)
 * through the note callback, and nothing else is written to stdout or stderr. */
#include "cli.h"
#include "event.h"
#include "paperexec.h"
#include "tap.h"
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char err[ALGO_ERR_MAX], notes[4096];

static void note(void *arg, const char *msg)
{
	size_t n = strlen(notes);
	(void)arg;
	snprintf(notes + n, sizeof notes - n, "%s\n", msg);
}

static void test_options(void)
{
	struct algo_paperexec_opts o;
	algo_paperexec_init(&o);
	is_str(o.user, "default", "user default");
	ok(o.cfg.mode == ALGO_FILL_NEXT_OPEN && o.cfg.tick_size == 500 && o.cfg.square_off == 920 &&
		o.cfg.capital == -1 && o.cfg.fno_margin == 1500, "next-open, tick 0.05, 15:20, no capital check, 15 %%");
	ok(algo_paperexec_problem(&o) == NULL, "no options: no problem");
	o.charges = "none", o.have_bps = 1;
	is_str(algo_paperexec_problem(&o), "--charges and --commission-bps are mutually exclusive",
		"--charges with --commission-bps");
}

/* Runs o over the file in (stdin), its stdout into out. */
static int run(struct algo_paperexec_opts *o, const char *in, const char *out)
{
	int fd = open(in, O_RDONLY), code;
	dup2(fd, 0), close(fd);
	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	dup2(fd, 1), close(fd);
	code = algo_out_finish(algo_paperexec_run(o, err, sizeof err));
	return code;
}

static void test_run(void *arg, int log)
{
	const char *dir = arg;
	static const char input[] =
		"{\"type\":\"bar\",\"ts\":\"2024-03-01T09:15:00+05:30\",\"symbol\":\"NSE:A-EQ\",\"tf\":\"1m\",\"o\":10,\"h\":10,\"l\":10,\"c\":10,\"v\":100}\n"
		"{\"type\":\"order\",\"ts\":\"2024-03-01T09:15:00+05:30\",\"id\":\"a1\",\"strategy\":\"s\",\"symbol\":\"NSE:A-EQ\",\"side\":\"buy\",\"qty\":1,\"kind\":\"market\",\"product\":\"intraday\",\"validity\":\"day\",\"mode\":\"paper\",\"user\":\"default\"}\n"
		"{\"type\":\"order\",\"ts\":\"2024-03-01T09:15:00+05:30\",\"id\":\"a2\",\"strategy\":\"s\",\"symbol\":\"NSE:A-EQ\",\"side\":\"buy\",\"qty\":1,\"kind\":\"limit\",\"limit\":5,\"product\":\"intraday\",\"validity\":\"day\",\"mode\":\"paper\",\"user\":\"default\"}\n"
		"{\"type\":\"bar\",\"ts\":\"2024-03-01T09:16:00+05:30\",\"symbol\":\"NSE:A-EQ\",\"tf\":\"1m\",\"o\":11,\"h\":11,\"l\":11,\"c\":11,\"v\":100}\n";
	struct algo_paperexec_opts o;
	char in[512], out[512], bad[512], want[1024], *text;
	size_t n;
	FILE *f;
	snprintf(in, sizeof in, "%s/in", dir);
	snprintf(out, sizeof out, "%s/out", dir);
	snprintf(bad, sizeof bad, "%s/in/state.db", dir);
	f = fopen(in, "w");
	fputs(input, f);
	fclose(f);
	algo_paperexec_init(&o);
	o.note = note;
	o.charges = "/nonexistent/charges.json";
	is_int(algo_paperexec_run(&o, err, sizeof err), ALGO_EX_NOINPUT, "a charges table that is not there: 66");
	ok(strstr(err, "/nonexistent/charges.json") != NULL, "naming it: %s", err);
	o.charges = "none", o.state = bad;
	is_int(algo_paperexec_run(&o, err, sizeof err), ALGO_EX_CANTCREAT, "a database under a file: 73");
	snprintf(want, sizeof want, "%s: Not a directory", bad);
	is_str(err, want, "with the reason");
	o.state = NULL;
	is_int(run(&o, in, out), 0, "a run over two bars and two orders");
	dup2(log, 1);
	is_str(notes, "1 order still working at end of input\n", "says what is still working through note");
	f = fopen(out, "r");
	text = NULL, n = 0;
	ok(f && getdelim(&text, &n, 0, f) > 0 && strstr(text, "\"type\":\"fill\",\"ts\":\"2024-03-01T09:16:00+05:30\"") &&
		strstr(text, "\"price\":11,"), "the market order fills at the next open, on stdout");
	free(text);
	if (f)
		fclose(f);
	unlink(in), unlink(out);
}

int main(void)
{
	char dir[] = "/tmp/algo-paperexec-test.XXXXXX", log[600];
	if (!mkdtemp(dir)) { perror("mkdtemp"); return 1; }
	snprintf(log, sizeof log, "%s/printed", dir);
	unsetenv("ALGO_STATE"), unsetenv("ALGO_CHARGES");
	test_options();
	tap_quiet(log, test_run, dir, "the module");
	rmdir(dir);
	return tap_done();
}
