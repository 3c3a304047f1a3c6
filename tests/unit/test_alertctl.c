/* Unit tests for lib/alertctl.c's runs of algo-alert's command line: which arguments
 * go with which sub-command come back as messages; send, test and flush deliver
 * through the destinations the options name and tell what happened through the note
 * callback; errors come back as an exit code and message before anything is sent, and
 * nothing is written to stdout or stderr. */
#include "alertctl.h"
#include "cli.h"
#include "event.h"
#include "tap.h"
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char err[ALGO_ERR_MAX], notes[8192];

static void note(void *arg, const char *msg)
{
	size_t n = strlen(notes);
	(void)arg;
	snprintf(notes + n, sizeof notes - n, "%s\n", msg);
}

/* c for sub with the arguments args (NULL-terminated), telling note. */
static struct algo_alertctl_cmd cmd(const char *sub, char **args)
{
	struct algo_alertctl_cmd c;
	algo_alertctl_cmd_init(&c);
	c.sub = sub;
	c.args = args;
	while (args && args[c.nargs])
		c.nargs++;
	c.note = note;
	return c;
}

static void test_problems(void)
{
	char buf[128], *text[] = { "pipeline", "failed", NULL }, *extra[] = { "extra", NULL };
	struct algo_alertctl_cmd c = cmd("send", NULL);
	is_int(c.timeout_ms, 10000, "10 s to flush by default");
	is_int(c.queue, 1000, "queues of 1000");
	is_str(algo_alertctl_cmd_problem(&c, buf, sizeof buf), "send needs the TEXT to send", "send without TEXT");
	c = cmd("send", text);
	ok(algo_alertctl_cmd_problem(&c, buf, sizeof buf) == NULL, "send with TEXT");
	c = cmd("test", extra);
	is_str(algo_alertctl_cmd_problem(&c, buf, sizeof buf), "unexpected argument 'extra'", "test with an argument");
	c = cmd(NULL, extra);
	is_str(algo_alertctl_cmd_problem(&c, buf, sizeof buf), "unexpected argument 'extra'", "the stage too");
	c = cmd("flush", NULL);
	ok(algo_alertctl_cmd_problem(&c, buf, sizeof buf) == NULL, "flush alone");
}

/* The contents of path, "" when there is none. */
static const char *slurp(const char *path)
{
	static char buf[1024];
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
	buf[n] = 0;
	if (f)
		fclose(f);
	return buf;
}

static void test_run(void *arg, int fd)
{
	const char *dir = arg;
	char *text[] = { "pipeline", "failed:", "65", NULL };
	char db[512], bad[512], sent[512], flag[512], exec[2048], want[2048];
	struct algo_alertctl_cmd c;
	snprintf(db, sizeof db, "%s/state.db", dir);
	snprintf(bad, sizeof bad, "%s/printed/state.db", dir);
	snprintf(sent, sizeof sent, "%s/sent", dir);
	snprintf(flag, sizeof flag, "%s/up", dir);
	snprintf(exec, sizeof exec, "test -e %s && cat >> %s", flag, sent);
	c = cmd("send", text);
	c.exec = exec;
	c.state = db;
	c.timeout_ms = 300;
	is_int(algo_alertctl_run(&c, err, sizeof err), ALGO_EX_TEMPFAIL, "send to a command that fails: 75");
	is_str(err, "", "no error to tell");
	snprintf(want, sizeof want, "kept in the outbox of %s (algo-alert flush sends them)\n", db);
	ok(strstr(notes, want) != NULL, "the alert kept is told through note");
	is_str(slurp(sent), "", "nothing sent");
	close(open(flag, O_WRONLY | O_CREAT, 0600));
	notes[0] = 0;
	c = cmd("flush", NULL);
	c.exec = exec;
	c.state = db;
	is_int(algo_alertctl_run(&c, err, sizeof err), 0, "flush once the command works");
	is_str(notes, "delivered 1 alert from the outbox\n", "says what it delivered");
	is_str(slurp(sent), "pipeline failed: 65\n", "send's words joined by spaces");
	notes[0] = 0;
	is_int(algo_alertctl_run(&c, err, sizeof err), 0, "flush again");
	snprintf(want, sizeof want, "the outbox of %s is empty\n", db);
	is_str(notes, want, "the outbox is empty");
	notes[0] = 0;
	c = cmd("test", NULL);
	c.exec = exec;
	is_int(algo_alertctl_run(&c, err, sizeof err), 0, "test");
	ok(strstr(notes, ": test message delivered\n") != NULL, "tells each destination's outcome: %.*s",
		(int)strcspn(notes, "\n"), notes);
	c = cmd("send", text);
	c.state = bad;
	is_int(algo_alertctl_run(&c, err, sizeof err), ALGO_EX_CANTCREAT, "a database under a file: 73");
	snprintf(want, sizeof want, "%s: Not a directory", bad);
	is_str(err, want, "with the reason");
	c = cmd("send", text);
	c.state = db;
	c.webhook = "ftp://x";
	is_int(algo_alertctl_run(&c, err, sizeof err), ALGO_EX_CONFIG, "a webhook that is no URL: 78");
	is_str(err, "--webhook: not an http(s) URL", "with the reason");
	unsetenv("TELEGRAM_BOT_TOKEN");
	c = cmd("test", NULL);
	is_int(algo_alertctl_run(&c, err, sizeof err), ALGO_EX_CONFIG, "Telegram without a token: 78");
	ok(strncmp(err, "TELEGRAM_BOT_TOKEN is not set", 29) == 0, "with the reason: %s", err);
	unlink(sent), unlink(flag);
	(void)fd;
}

int main(void)
{
	char dir[] = "/tmp/algo-alertctl-test.XXXXXX", log[600];
	if (!mkdtemp(dir)) { perror("mkdtemp"); return 1; }
	snprintf(log, sizeof log, "%s/printed", dir);
	setenv("HOME", dir, 1);              /* no default path or config outside dir, ever */
	setenv("XDG_CONFIG_HOME", dir, 1);
	unsetenv("ALGO_STATE"), unsetenv("XDG_STATE_HOME");
	test_problems();
	tap_quiet(log, test_run, dir, "the module");
	tap_rmdir_state(dir);
	return tap_done();
}
