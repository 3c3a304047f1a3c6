/* fyers_stage — one run of algo-exec-fyers's pipeline stage: the FYERS venue
 * (lib/fyers_venue.h) on the executor seam (lib/executor.h), run by the stage loop
 * (lib/stage.h). It opens what the run needs first: the charges table, the state
 * database (--live needs one), and for --live the gate (plan, risk acceptance, kill
 * switch: lib/fyers_live.h; a valid session: lib/fyers.h), the client and, unless
 * told not to, the order-update socket (lib/fyers_orderws.h); a dry run says what a
 * --live run would refuse. Messages (the dry run's requests, the run's counts) go to
 * the note callback, the loop's to warn. Nothing here prints or exits. */
#ifndef ALGO_FYERS_STAGE_H
#define ALGO_FYERS_STAGE_H
#include <stddef.h>
#include <stdint.h>

struct algo_fyers_stage_opts {
	int live;                    /* place real orders; 0: a dry run */
	int skip_bad, no_socket;     /* --skip-bad; --no-order-socket: poll the books only */
	const char *user;            /* whose account and pipeline */
	const char *state;           /* --state, else $ALGO_STATE; NULL: none */
	const char *charges;         /* --charges: a charges table's path or name; NULL: fees 0 */
	int64_t max_age_ms, drain_ms, poll_ms, request_ms;
	void (*note)(void *arg, const char *msg);
	void *note_arg;
	void (*warn)(const char *msg);
};

/* Runs the stage over stdin. Returns its exit code with err "", or, when it could not
 * start (nothing read, nothing sent), an exit code (algo(7)) with err set. */
int algo_fyers_stage_run(const struct algo_fyers_stage_opts *o, char *err, size_t errlen);

#endif
