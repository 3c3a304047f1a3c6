#include "cli.h"
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
