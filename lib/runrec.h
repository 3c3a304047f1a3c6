/* runrec — a run's record: what ran (the strategy's name, its file's SHA-256, the
 * parameters in force and the --param overrides given) on what (each input file and
 * its SHA-256, where it is a regular file that can be read), as one JSON object:
 *
 *   {"strategy":"ema-cross","strategy_file":"ema.json","strategy_sha256":"…",
 *    "params":{"fast":12,"slow":21},"overrides":["fast=12"],
 *    "inputs":[{"file":"bars.csv","sha256":"…"},{"file":"-","sha256":null}]}
 *
 * algo-ledger stores it in a backtest's one audit row; the report prints it. */
#ifndef ALGO_RUNREC_H
#define ALGO_RUNREC_H
#include <stddef.h>

/* Builds the record of strategy file path with nov "NAME=VALUE" overrides over the
 * ninputs files. Returns the JSON text (free with free) or NULL with err set: the
 * strategy does not load, an override names no parameter, out of memory. */
char *algo_runrec_build(const char *path, const char *const *ov, int nov,
	const char *const *inputs, int ninputs, char *err, size_t errlen);

/* The SHA-256 of the file at path in hex (65 bytes with the NUL). Returns 0, or -1
 * when it is not a regular file or cannot be read. */
int algo_runrec_file_sha256(const char *path, char hex[65]);

#endif
