/* fyers_cmd — the commands of algo-exec-fyers on the FYERS account: login (the auth
 * code from the redirect, pasted or given), refresh (the PIN from FYERS_PIN or asked),
 * logout, status (the saved session, and whether FYERS accepts it unless offline),
 * accept-risk (the disclosure and its audit row, lib/fyers_live.h) and the read-only
 * views profile, funds, orders, trades and positions (lib/fyers_account.h).
 *
 * A command writes what it is for to the caller's streams: out (the login URL, status's
 * lines, the views), err (the risk disclosure, the expiry lines after login and
 * refresh), and one-line messages to the note callback (the caller prefixes them with
 * the program's name; the client's retry and rate-limit notices go there too). It asks
 * the user through the ask callback. Nothing here prints on its own or exits: a failure
 * comes back as an exit code (algo(7)) with the message. */
#ifndef ALGO_FYERS_CMD_H
#define ALGO_FYERS_CMD_H
#include <stddef.h>
#include <stdio.h>

struct algo_fyers_cmd {
	const char *name;            /* the command: "login", "status", "orders"... */
	const char *code;            /* login: the auth code or redirected URL; "-": a line of in */
	long timeout_s;              /* login: how long to wait for the redirect */
	int offline;                 /* status: the saved session only */
	int yes;                     /* accept-risk: accept without asking */
	int format;                  /* the views: ALGO_ACCT_TABLE or ALGO_ACCT_NDJSON */
	const char *user, *state;    /* accept-risk: whose acceptance, the state database */
	FILE *in, *out, *err;
	void (*note)(void *arg, const char *msg);
	void *note_arg;
	/* A line from the user on the terminal, echo off when secret: 0, or -1 (none). */
	int (*ask)(const char *prompt, int secret, char *answer, size_t len);
};

/* 1 when name is one of the commands. */
int algo_fyers_cmd_known(const char *name);

/* Runs command c->name. Returns its exit code; err holds the message that goes with a
 * failure ("" on success, and for status's 77, which says why on out). ALGO_EX_USAGE
 * (2) is a usage error. */
int algo_fyers_cmd_run(const struct algo_fyers_cmd *c, char *err, size_t errlen);

#endif
