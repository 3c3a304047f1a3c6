/* cli — the one module that talks to the user: messages, exit codes, state path.
 * Only cmd/ programs use what prints or exits; the rest of lib/ never prints and never
 * exits (it may use what returns: the state path, algo_cli_try_open_state). */
#ifndef ALGO_CLI_H
#define ALGO_CLI_H
#include <stddef.h>
#include <stdarg.h>
#include <stdint.h>

/* Exit codes (sysexits.h), documented in algo(7); never renumbered. */
enum {
	ALGO_EX_OK = 0,
	ALGO_EX_FAIL = 1,
	ALGO_EX_USAGE = 2,
	ALGO_EX_DATAERR = 65,
	ALGO_EX_NOINPUT = 66,
	ALGO_EX_UNAVAILABLE = 69,
	ALGO_EX_CANTCREAT = 73,
	ALGO_EX_IOERR = 74,
	ALGO_EX_TEMPFAIL = 75,
	ALGO_EX_NOPERM = 77,
	ALGO_EX_CONFIG = 78,
};

#define ALGO_VERSION "0.1.0"

extern const char *algo_progname;

/* Sets algo_progname from argv[0] (basename) and ignores SIGPIPE so that a closed
 * pipe shows up as EPIPE on write (handled by the writer as a quiet exit). */
void algo_cli_init(const char *argv0);

/* "progname: message\n" on stderr. */
void algo_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* algo_warn then exit(code). */
void algo_die(int code, const char *fmt, ...) __attribute__((noreturn, format(printf, 2, 3)));
/* "progname: message\nTry 'progname --help'.\n" then exit 2. */
void algo_usage_error(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
/* Prints "progname VERSION" to stdout, exit 0. */
void algo_print_version(void) __attribute__((noreturn));

/* Resolves the state database path: opt (from --state) if non-NULL, else $ALGO_STATE,
 * else $XDG_STATE_HOME/algo/state.db, else $HOME/.local/state/algo/state.db.
 * Returns 0, or -1 when nothing fits in out (len) or HOME is unset. */
int algo_cli_state_path(const char *opt, char *out, size_t len);

/* The wiring every stage main shares for its state database. */
struct algo_store;
/* Whether a state database is asked for: --state (opt) or a non-empty $ALGO_STATE. */
int algo_cli_state_wanted(const char *opt);
/* Opens the state database algo_cli_state_path names. Returns 0, or 78 when there is
 * no path and 73 when it cannot be opened or created, with err set (for lib/). */
int algo_cli_try_open_state(struct algo_store *db, const char *opt, char *err, size_t errlen);
/* algo_cli_try_open_state, dying with its code and message. */
void algo_cli_open_state(struct algo_store *db, const char *opt);
/* algo_warn("%s", msg): the warn hook of a stage (lib/stage.h) and its parts. */
void algo_cli_warn_line(const char *msg);
/* The same as a warn hook with an argument (arg unused). */
void algo_cli_warn_note(void *arg, const char *msg);
/* val when it is a user name (1 to ALGO_NAME_MAX - 1 bytes, no '/'); else dies with
 * the usage error "--user: 'val' is not a user name". */
const char *algo_cli_user(const char *val);

/* Asks prompt on the terminal (/dev/tty) and reads one line into out (len), its
 * newline removed, the echo off when secret. Returns 0, or -1 when there is no
 * terminal or nothing was read. */
int algo_cli_ask(const char *prompt, int secret, char *out, size_t len);

/* Parses a whole decimal integer for an option value; dies with a usage error naming
 * the option when s is not an integer in [min, max]. */
long long algo_cli_int(const char *opt, const char *s, long long min, long long max);
/* Like algo_cli_int for a finite decimal number. */
double algo_cli_double(const char *opt, const char *s, double min, double max);

/* A time for an option (RFC 3339, a date = 00:00 IST, epoch...: algo_csv_parse_time)
 * in epoch ms; dies with a usage error naming the option when s is none. */
long long algo_cli_time(const char *opt, const char *s);
/* A duration in ms: "1s", "500ms", "2m", or a bare number, of milliseconds, or of
 * seconds when bare_secs is set. Dies with a usage error when s is none (at most a day). */
long long algo_cli_duration_ms(const char *opt, const char *s, int bare_secs);

/* The word of the NULL-ended list that val is; dies with a usage error when none. */
const char *algo_cli_pick(const char *opt, const char *val, const char *const *list);
/* val when it is a name of 1 to max - 1 bytes without control characters; else dies
 * with a usage error. */
const char *algo_cli_name(const char *opt, const char *val, size_t max);

/* A program's options, generated from its table by scripts/gen-help into
 * $(BUILD)/gen/PROG-opts.h: the --help text, the getopt_long table and short options,
 * and the values of --help and --version. */
struct option;
struct algo_cli_opts {
	const char *help;
	const struct option *longopts;
	const char *shortopts;
	int help_id, version_id;
};

/* getopt_long(argc, argv) over t: returns the next option's value (an OPT_ of the
 * generated header; optarg holds its value) or -1 after the last option. --help
 * prints t->help and exits 0, --version prints the version; an unknown option or a
 * missing value is a usage error. Set optind = 1 before parsing a sub-command's argv. */
int algo_cli_getopt(int argc, char **argv, const struct algo_cli_opts *t);
/* Usage error for option c of the table that this command does not take:
 * "unknown option '--NAME'". */
void algo_cli_unknown(const struct algo_cli_opts *t, int c) __attribute__((noreturn));
/* Prints t->help on stdout and exits 0 (74 when stdout fails). */
void algo_cli_help(const struct algo_cli_opts *t) __attribute__((noreturn));

#endif
