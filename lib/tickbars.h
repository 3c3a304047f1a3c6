/* tickbars — `algo-feed bars`: recorded tick events (a `fyers quotes --record`) into
 * bar events, built as `fyers quotes --bars` builds them live (lib/barbuild), with the
 * ticks' own times as the clock. Other events are dropped; at the end the bars still
 * open are written. At most ALGO_TICKBARS_MAXSYM symbols. Nothing here prints. */
#ifndef ALGO_TICKBARS_H
#define ALGO_TICKBARS_H
#include "barbuild.h"
#include "barout.h"
#include "symtab.h"

#define ALGO_TICKBARS_MAXSYM 4096

struct algo_tickbars {
	struct algo_barbuild bb;
	struct algo_symtab syms;
	struct algo_barout out;
	char tf[16];
};

/* Bars of tf_secs into w. Returns 0, or -1 when barbuild takes no such timeframe. */
int algo_tickbars_init(struct algo_tickbars *t, int64_t tf_secs, struct algo_writer *w);
/* The events of the file at path ("-" = stdin). Returns 0, or an exit code (algo(7))
 * with err set ("file:line: why" for a bad line). */
int algo_tickbars_file(struct algo_tickbars *t, const char *path, char *err, size_t errlen);
/* Writes the bars still open and frees t. */
void algo_tickbars_finish(struct algo_tickbars *t);
/* Frees t without writing the bars still open (a run that failed). */
void algo_tickbars_free(struct algo_tickbars *t);

#endif
