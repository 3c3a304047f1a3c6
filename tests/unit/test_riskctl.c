/* Unit tests for lib/riskctl.c and lib/riskstage.c: which options go with which of
 * kill, resume, status and the stage come back as messages; kill and resume say what
 * they did through the note callback, status writes to the stream it is given, errors
 * come back as an exit code and message, and nothing is written to stdout or stderr. */
#include "cli.h"
#include "event.h"
#include "riskctl.h"
#include "riskstage.h"
#include "tap.h"
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char err[ALGO_ERR_MAX], notes[4 * ALGO_RISKCTL_MSG_MAX];

static void note(void *arg, const char *msg)
{
	size_t n = strlen(notes);
	(void)arg;
	snprintf(notes + n, sizeof notes - n, "%s\n", msg);
}

static void test_problems(void)
{
	struct algo_riskctl_cmd c = { .name = "kill", .all = 1, .req = { .strategy = "s" } };
	is_str(algo_riskctl_known("resume"), "resume", "resume is a sub-command");
	ok(!algo_riskctl_known("--state") && !algo_riskctl_known(NULL), "--state and nothing are not");
	is_str(algo_riskctl_cmd_problem(&c), "--all cannot be combined with --strategy or --user", "kill --all --strategy");
	c = (struct algo_riskctl_cmd){ .name = "resume", .req = { .mode = "halted" } };
	is_str(algo_riskctl_cmd_problem(&c), "--mode: not used by resume", "resume --mode");
	is_int(c.req.resume, 1, "resume is a resume");
	c = (struct algo_riskctl_cmd){ .name = "kill", .req = { .mode = "paused" } };
	is_str(algo_riskctl_cmd_problem(&c), "--mode: must be halted or reducing", "kill --mode paused");
	c = (struct algo_riskctl_cmd){ .req = { .who = "ops" } };
	is_str(algo_riskctl_cmd_problem(&c), "--strategy, --all, --reason and --who belong to kill and resume",
		"the stage with --who");
	c = (struct algo_riskctl_cmd){ .format_given = 1 };
	is_str(algo_riskctl_cmd_problem(&c), "--format belongs to status", "the stage with --format");
	c = (struct algo_riskctl_cmd){ .name = "status", .format_given = 1, .req = { .reason = "r" } };
	ok(algo_riskctl_cmd_problem(&c) == NULL, "status takes --format (and ignores --reason)");
	ok(!algo_riskctl_changes_state(&c), "status changes no state");
}

/* status of path into *text (json or not). */
static int status(const char *path, int json, char **text)
{
	struct algo_riskctl_cmd c = { .name = "status", .state = path, .json = json };
	struct algo_risk_config cfg;
	size_t n;
	FILE *f = open_memstream(text, &n);
	int code;
	algo_risk_config_init(&cfg);
	code = algo_riskctl_run(&c, &cfg, f, note, NULL, err, sizeof err);
	fclose(f);
	return code;
}

static void test_run(void *arg, int fd)
{
	const char *dir = arg;
	struct algo_riskctl_cmd kill = { .name = "kill", .req = { .strategy = "s", .reason = "drill", .who = "ops" } };
	struct algo_riskctl_cmd resume = { .name = "resume", .req = { .resume = 1, .who = "ops" } };
	struct algo_riskstage_opts rs = { .user = "default", .mode = "paper", .product = "intraday" };
	struct algo_risk_config cfg;
	const char *said = "strategy s: halted — drill (by ops, ";
	char path[512], bad[512], want[1024], *text = NULL;
	snprintf(path, sizeof path, "%s/state.db", dir);
	snprintf(bad, sizeof bad, "%s/printed/state.db", dir);
	kill.state = resume.state = path;
	is_int(algo_riskctl_run(&kill, NULL, NULL, note, NULL, err, sizeof err), 0, "kill --strategy s");
	snprintf(want, sizeof want, "warning: no strategy 's' in %s yet (no decisions, state or ledger rows): check the "
		"name; the kill is recorded and applies once it trades\nstrategy s halted\n", path);
	is_str(notes, want, "says what it did (and warns) through the note callback");
	is_int(status(path, 0, &text), 0, "status");
	ok(strncmp(text, said, strlen(said)) == 0, "on the stream given: %.*s", (int)strcspn(text, "\n"), text);
	free(text);
	is_int(status(path, 1, &text), 0, "status --format json");
	ok(strncmp(text, "{\"kill_switch\":[{\"scope\":\"strategy\"", 35) == 0 && text[strlen(text) - 1] == '\n',
		"as one JSON line: %.*s", (int)strcspn(text, "\n"), text);
	free(text);
	notes[0] = 0;
	is_int(algo_riskctl_run(&resume, NULL, NULL, note, NULL, err, sizeof err), 0, "resume");
	is_str(notes, "all active (1 kill cleared)\n", "says so");
	kill.state = bad;
	is_int(algo_riskctl_run(&kill, NULL, NULL, note, NULL, err, sizeof err), ALGO_EX_CANTCREAT,
		"a database under a file: 73");
	snprintf(want, sizeof want, "%s: Not a directory", bad);
	is_str(err, want, "with the reason");
	rs.state = bad;
	algo_risk_config_init(&cfg);
	is_int(algo_riskstage_run(&rs, &cfg, err, sizeof err), ALGO_EX_CANTCREAT, "the stage too, before reading");
	is_str(err, want, "with the same reason");
}

int main(void)
{
	char dir[] = "/tmp/algo-riskctl-test.XXXXXX", log[600];
	if (!mkdtemp(dir)) { perror("mkdtemp"); return 1; }
	snprintf(log, sizeof log, "%s/printed", dir);
	setenv("HOME", dir, 1);              /* no default path outside dir, ever */
	unsetenv("ALGO_STATE"), unsetenv("XDG_STATE_HOME");
	test_problems();
	tap_quiet(log, test_run, dir, "the modules");
	tap_rmdir_state(dir);
	return tap_done();
}
