#include "cli.h"
#include "book.h"
#include "csv.h"
#include "event.h"
#include "store.h"
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>

const char *algo_progname = "algo";

void algo_cli_init(const char *argv0)
{
	const char *slash;
	if (argv0 && *argv0) {
		slash = strrchr(argv0, '/');
		algo_progname = slash ? slash + 1 : argv0;
	}
	signal(SIGPIPE, SIG_IGN);
}

static void vwarn(const char *fmt, va_list ap)
{
	fflush(stdout);
	fprintf(stderr, "%s: ", algo_progname);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void algo_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vwarn(fmt, ap);
	va_end(ap);
}

void algo_die(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vwarn(fmt, ap);
	va_end(ap);
	exit(code);
}

void algo_usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vwarn(fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try '%s --help' for more information.\n", algo_progname);
	exit(ALGO_EX_USAGE);
}

void algo_print_version(void)
{
	printf("%s %s\n", algo_progname, ALGO_VERSION);
	exit(fflush(stdout) == 0 ? ALGO_EX_OK : ALGO_EX_IOERR);
}

int algo_cli_state_path(const char *opt, char *out, size_t len)
{
	const char *v;
	int n;
	if (opt && *opt)
		n = snprintf(out, len, "%s", opt);
	else if ((v = getenv("ALGO_STATE")) && *v)
		n = snprintf(out, len, "%s", v);
	else if ((v = getenv("XDG_STATE_HOME")) && *v == '/')
		n = snprintf(out, len, "%s/algo/state.db", v);
	else if ((v = getenv("HOME")) && *v)
		n = snprintf(out, len, "%s/.local/state/algo/state.db", v);
	else
		return -1;
	return (n < 0 || (size_t)n >= len) ? -1 : 0;
}

long long algo_cli_int(const char *opt, const char *s, long long min, long long max)
{
	char *end;
	long long v;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (!*s || *end || errno || v < min || v > max)
		algo_usage_error("%s: '%s' is not a whole number from %lld to %lld", opt, s, min, max);
	return v;
}

double algo_cli_double(const char *opt, const char *s, double min, double max)
{
	char *end;
	double v;
	errno = 0;
	v = strtod(s, &end);
	if (!*s || *end || errno || !isfinite(v) || v < min || v > max)
		algo_usage_error("%s: '%s' is not a number from %g to %g", opt, s, min, max);
	return v;
}

void algo_cli_help(const struct algo_cli_opts *t)
{
	fputs(t->help, stdout);
	exit(fflush(stdout) == 0 ? ALGO_EX_OK : ALGO_EX_IOERR);
}

int algo_cli_getopt(int argc, char **argv, const struct algo_cli_opts *t)
{
	int c;
	opterr = 0;
	c = getopt_long(argc, argv, t->shortopts, t->longopts, NULL);
	if (c == t->help_id)
		algo_cli_help(t);
	if (c == t->version_id)
		algo_print_version();
	if (c == ':')
		algo_usage_error("option '%s' needs a value", argv[optind - 1]);
	if (c == '?' && optopt)
		algo_usage_error("unknown option '-%c'", optopt);
	if (c == '?')
		algo_usage_error("unknown option '%s'", argv[optind - 1]);
	return c;
}

void algo_cli_unknown(const struct algo_cli_opts *t, int c)
{
	for (const struct option *o = t->longopts; o->name; o++)
		if (o->val == c)
			algo_usage_error("unknown option '--%s'", o->name);
	algo_usage_error("unknown option");
}

long long algo_cli_time(const char *opt, const char *s)
{
	int64_t ms;
	if (algo_csv_parse_time(s, strlen(s), &ms) < 0)
		algo_usage_error("%s: cannot parse '%s' as a time", opt, s);
	return ms;
}

long long algo_cli_duration_ms(const char *opt, const char *s, int bare_secs)
{
	char *end;
	long long v = strtoll(s, &end, 10);
	long long unit = strcmp(end, "s") == 0 ? 1000 : strcmp(end, "ms") == 0 || !*end ? 1 : strcmp(end, "m") == 0 ? 60000 : -1;
	if (end == s || unit < 0 || v < 0 || v > 86400000LL / unit)
		algo_usage_error("%s: '%s' is not a duration like 1s, 500ms or 2m", opt, s);
	return v * unit * (bare_secs && !*end ? 1000 : 1);
}

const char *algo_cli_pick(const char *opt, const char *val, const char *const *list)
{
	for (int i = 0; list[i]; i++)
		if (strcmp(val, list[i]) == 0)
			return list[i];
	algo_usage_error("%s: '%s' is not one of the allowed values", opt, val);
}

const char *algo_cli_name(const char *opt, const char *val, size_t max)
{
	if (!val[0] || strlen(val) >= max)
		algo_usage_error("%s: must be 1 to %zu bytes", opt, max - 1);
	for (const char *p = val; *p; p++)
		if ((unsigned char)*p < 0x20)
			algo_usage_error("%s: must not contain control characters", opt);
	return val;
}

int algo_cli_state_wanted(const char *opt)
{
	const char *env = getenv("ALGO_STATE");
	return opt || (env && env[0]);
}

int algo_cli_try_open_state(struct algo_store *db, const char *opt, char *err, size_t errlen)
{
	char path[4096];
	if (algo_cli_state_path(opt, path, sizeof path)) {
		snprintf(err, errlen, "no state database path (set --state or $ALGO_STATE)");
		return ALGO_EX_CONFIG;
	}
	return algo_store_open(db, path, err, errlen) ? ALGO_EX_CANTCREAT : 0;
}

void algo_cli_open_state(struct algo_store *db, const char *opt)
{
	char err[ALGO_ERR_MAX];
	int code = algo_cli_try_open_state(db, opt, err, sizeof err);
	if (code)
		algo_die(code, "%s", err);
}

void algo_cli_warn_line(const char *msg)
{
	algo_warn("%s", msg);
}

void algo_cli_warn_note(void *arg, const char *msg)
{
	(void)arg;
	algo_warn("%s", msg);
}

const char *algo_cli_user(const char *val)
{
	if (!*val || strlen(val) >= ALGO_NAME_MAX || strchr(val, '/'))
		algo_usage_error("--user: '%s' is not a user name", val);
	return val;
}

int algo_cli_ask(const char *prompt, int secret, char *out, size_t len)
{
	struct termios old, quiet;
	FILE *tty = fopen("/dev/tty", "r+");
	int ok;
	if (!tty)
		return -1;
	fputs(prompt, tty);
	fflush(tty);
	if (secret && tcgetattr(fileno(tty), &old) == 0) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(fileno(tty), TCSAFLUSH, &quiet);
	} else
		secret = 0;
	ok = fgets(out, (int)len, tty) != NULL;
	if (secret) {
		tcsetattr(fileno(tty), TCSAFLUSH, &old);
		fputc('\n', tty);
	}
	fclose(tty);
	if (!ok)
		return -1;
	out[strcspn(out, "\r\n")] = '\0';
	return 0;
}
