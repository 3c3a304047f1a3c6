/* ledgercmd — what algo-ledger does once its command line is read: record a stream
 * (lib/ledger on the stage loop, lib/stage) or run one of its sub-commands on the
 * state database: `report` (one run, or several side by side) and the queries of
 * lib/report, `audit verify` and `audit prune` of lib/audit, `users` (the accounts).
 *
 * The command line comes in as struct algo_ledgercmd, filled by cmd/algo-ledger.c;
 * algo_ledgercmd_check says what combination of it makes no sense. Nothing here
 * prints on its own or exits: a command's output goes to the stream passed in (or to
 * --out), the recording's warnings to the warn hook, and every function returns an
 * exit code (algo(7)) with the message to print in err; ALGO_LEDGERCMD_EUSAGE is a
 * mistake on the command line (a usage error: the message, then where help is). */
#ifndef ALGO_LEDGERCMD_H
#define ALGO_LEDGERCMD_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define ALGO_LEDGERCMD_MAX_RUNS 8        /* --run given to `report` */
#define ALGO_LEDGERCMD_MAX_RUN_ITEMS 256 /* --run-param, --run-input */
#define ALGO_LEDGERCMD_MAX_ARGS 4        /* arguments after the sub-command */
#define ALGO_LEDGERCMD_EUSAGE (-1)       /* returned for a usage error, err set */
#define ALGO_LEDGERCMD_ERR_MAX 8192      /* err's size for any message: one names a path */

struct algo_ledgercmd {
	const char *path;                  /* the state database */
	const char *cmd;                   /* the sub-command, NULL: record stdin */
	const char *args[ALGO_LEDGERCMD_MAX_ARGS];
	int nargs;
	const char *user;                  /* --user (user_given: on the line) */
	int user_given;
	const char *runs[ALGO_LEDGERCMD_MAX_RUNS];
	int nruns;
	int64_t capital;                   /* --capital, -1: not given */
	int skip_bad, backtest;
	const char *run_strategy, *run_params[ALGO_LEDGERCMD_MAX_RUN_ITEMS];
	const char *run_inputs[ALGO_LEDGERCMD_MAX_RUN_ITEMS];
	int nrun_params, nrun_inputs;
	const char *format, *out, *strategy; /* format NULL: the sub-command's default */
	int fmt;                           /* format as ALGO_FMT_ (lib/report.h), set by check */
	int64_t from, to;                  /* epoch ms; INT64_MIN and INT64_MAX: not given */
	int64_t before;                    /* audit prune --before, INT64_MIN: not given */
	long retention;                    /* audit prune --retention-days */
	const char *email, *name, *plan, *expiry; /* users add/set-plan */
};

/* o with nothing given: user "default", capital -1, no dates, retention 365 days. */
void algo_ledgercmd_init(struct algo_ledgercmd *o);
/* Checks the sub-command and the options and arguments that go with it, and sets the
 * format's default and o->fmt. Returns 0, or ALGO_LEDGERCMD_EUSAGE with err set. */
int algo_ledgercmd_check(struct algo_ledgercmd *o, char *err, size_t errlen);

/* Records stdin into o->path, copying every line to stdout (lib/stage's writer);
 * warn gets the warnings (a --capital the database ignores, bad lines with
 * --skip-bad, an interruption). Returns the stage's exit code, or an exit code with
 * err set when the database or the run record cannot be set up. */
int algo_ledgercmd_record(const struct algo_ledgercmd *o, void (*warn)(const char *msg), char *err,
	size_t errlen);

/* Runs sub-command o->cmd on the database o->path, which must exist (but for `users
 * add`, which creates it), writing its output to out (or to the file --out names).
 * Returns 0, or an exit code with err set (err "" when the output could not be
 * written to out). */
int algo_ledgercmd_run(const struct algo_ledgercmd *o, FILE *out, char *err, size_t errlen);

#endif
