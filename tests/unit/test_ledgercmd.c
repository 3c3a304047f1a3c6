/* Unit tests for lib/ledgercmd.c: the command line's checks come back as messages,
 * a sub-command's output goes to the stream it is given (or --out), its errors come
 * back as an exit code and message, and nothing is written to stdout or stderr. */
#include "cli.h"
#include "ledgercmd.h"
#include "tap.h"
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char err[ALGO_LEDGERCMD_ERR_MAX];

/* The exit code of sub-command cmd (args, NULL-ended) on path; its output in *text. */
static int run(const char *path, const char *cmd, const char *const *args, char **text)
{
	struct algo_ledgercmd o;
	size_t n;
	FILE *f = open_memstream(text, &n);
	int code;
	algo_ledgercmd_init(&o);
	o.path = path;
	o.cmd = cmd;
	while (args && args[o.nargs]) o.args[o.nargs] = args[o.nargs], o.nargs++;
	if (o.nargs && strcmp(args[0], "add") == 0)
		o.email = "a@x.in", o.name = "A", o.plan = "PRO";
	if ((code = algo_ledgercmd_check(&o, err, sizeof err)) == 0)
		code = algo_ledgercmd_run(&o, f, err, sizeof err);
	fclose(f);
	return code;
}

static void test_check(void)
{
	struct algo_ledgercmd o;
	algo_ledgercmd_init(&o);
	o.cmd = "frob";
	is_int(algo_ledgercmd_check(&o, err, sizeof err), ALGO_LEDGERCMD_EUSAGE, "an unknown sub-command is a usage error");
	ok(strstr(err, "unknown subcommand 'frob'") != NULL, "which names it: %s", err);
	algo_ledgercmd_init(&o);
	o.skip_bad = 1, o.cmd = "report";
	is_int(algo_ledgercmd_check(&o, err, sizeof err), ALGO_LEDGERCMD_EUSAGE, "--skip-bad with a sub-command");
	is_str(err, "--skip-bad applies to recording only, not to 'report'", "says recording only");
	algo_ledgercmd_init(&o);
	o.cmd = "trades";
	is_int(algo_ledgercmd_check(&o, err, sizeof err), 0, "trades alone is fine");
	is_str(o.format, "csv", "trades defaults to csv");
}

static void test_run(void *arg, int fd)
{
	const char *dir = arg;
	static const char *const add[] = { "add", "alice", NULL }, *const verify[] = { "verify", NULL };
	static const char *const list[] = { "list", NULL }, *const frob[] = { "frob", "x", NULL };
	char path[512], *text = NULL;
	snprintf(path, sizeof path, "%s/state.db", dir);
	is_int(run(path, "report", NULL, &text), ALGO_EX_NOINPUT, "no database: 66");
	ok(strstr(err, "no state database") != NULL, "with the reason: %s", err);
	free(text);
	is_int(run(path, "users", add, &text), 0, "users add creates the database");
	is_str(text, "", "and writes nothing");
	free(text);
	is_int(run(path, "users", list, &text), 0, "users list");
	ok(strstr(text, "alice") != NULL, "lists alice on the stream given");
	free(text);
	is_int(run(path, "audit", verify, &text), 0, "audit verify");
	is_str(text, "audit log intact: 1 rows\n", "says so on the stream given");
	free(text);
	is_int(run(path, "users", frob, &text), ALGO_LEDGERCMD_EUSAGE, "an unknown users operation");
	is_str(err, "users: unknown operation 'frob' (add, list, set-plan, disable)", "is a usage message");
	free(text);
	is_int(run(path, "users", add, &text), ALGO_EX_USAGE, "adding alice again is refused with 2");
	ok(strncmp(err, "users add: ", 11) == 0, "and says why: %s", err);
	free(text);
}

int main(void)
{
	char dir[] = "/tmp/algo-ledgercmd-test.XXXXXX", log[600];
	if (!mkdtemp(dir)) { perror("mkdtemp"); return 1; }
	snprintf(log, sizeof log, "%s/printed", dir);
	test_check();
	tap_quiet(log, test_run, dir, "the module");
	tap_rmdir_state(dir);
	return tap_done();
}
