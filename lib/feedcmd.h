/* feedcmd — the sources of `algo-feed`, each one run from the settings its command
 * line filled: CSV files (lib/csvmerge) with their progress line, a paced replay of
 * recorded events (lib/pacer), bars from recorded ticks (lib/tickbars), FYERS history
 * (lib/histmerge) and live quotes or the market-data socket (lib/livequotes,
 * lib/livestream) on a FYERS client opened here; the timeframes and symbols their
 * options take; and which source a sub-command names, run from all the settings a
 * command line fills.
 *
 * A run returns 0 or an exit code (algo(7)). The message of a failure is in err for
 * the caller to tell, or "" when the run has told it (replay, which goes on to tell
 * how many lines it skipped); ALGO_EX_USAGE is what the command line got wrong, for
 * the caller to tell with its usage hint. Everything else worth telling goes to
 * on_notice, after the events written so far are flushed and the progress line is
 * erased; of the bad lines skipped, the first ALGO_FEEDCMD_SKIPS_TOLD only. The
 * progress line is drawn on the stream given (a terminal); nothing else is printed
 * here, and nothing exits. */
#ifndef ALGO_FEEDCMD_H
#define ALGO_FEEDCMD_H
#include "csvmerge.h"
#include "fyers.h"
#include "histmerge.h"
#include "livecfg.h"
#include "pacer.h"
#include "progress.h"
#include <stdio.h>

#define ALGO_FEEDCMD_SKIPS_TOLD 10
#define ALGO_FEEDCMD_ERR_MAX (ALGO_ERR_MAX + 600)

/* What a timeframe option takes (algo_feedcmd_tf). */
enum algo_feedcmd_tf_kind {
	ALGO_FEEDCMD_TF,            /* any timeframe (csv --tf) */
	ALGO_FEEDCMD_TF_BARS,       /* one bars can be built of (bars --tf, --bars) */
	ALGO_FEEDCMD_TF_FYERS,      /* a FYERS resolution (fyers history --tf) */
};

struct algo_feedcmd {
	const char *name;           /* the program, for the progress line */
	struct algo_writer *w;      /* the events */
	FILE *progress;             /* csv: where the progress line is drawn, NULL none */
	void (*on_notice)(void *arg, const char *msg);
	void *arg;
	/* state */
	struct algo_progress prog;
	struct algo_csvmerge *cm;   /* the csv run's merge, for the progress line */
	struct algo_fyers fy;
	int nskip;                  /* bad lines skipped */
	char err[ALGO_FEEDCMD_ERR_MAX];
};

/* What `fyers history` was asked for. */
struct algo_feedcmd_hist {
	struct algo_histreq q;      /* tf 0, from INT64_MIN: not given; to INT64_MIN: now */
	int csv;                    /* CSV lines rather than bar events */
	int cache;                  /* read and write the history cache */
};

void algo_feedcmd_init(struct algo_feedcmd *f, const char *name, struct algo_writer *w,
	void (*on_notice)(void *arg, const char *msg), void *arg);

/* algo-feed's sources, by the sub-command that names them. */
enum algo_feedcmd_source {
	ALGO_FEEDCMD_CSV, ALGO_FEEDCMD_REPLAY, ALGO_FEEDCMD_BARS,          /* csv, replay, bars */
	ALGO_FEEDCMD_HISTORY, ALGO_FEEDCMD_QUOTES, ALGO_FEEDCMD_STREAM,    /* fyers history, quotes, stream */
};

/* What a command line set for its source. */
struct algo_feedcmd_src {
	enum algo_feedcmd_source src;
	struct algo_csvmerge cm;    /* csv */
	struct algo_pacer pacer;    /* replay */
	int64_t bars_tf;            /* bars: --tf, 0 not given */
	struct algo_histmerge hm;   /* fyers: the symbols */
	struct algo_feedcmd_hist hist;
	struct algo_livecfg live;   /* fyers quotes and stream */
};

/* s for source src with no options given. */
void algo_feedcmd_src_init(struct algo_feedcmd_src *s, enum algo_feedcmd_source src);
/* The source the n words of a command line start with (csv, replay, bars, or fyers
 * then history, quotes or stream); or -1 with err saying what is missing or unknown. */
int algo_feedcmd_source_of(int n, char **words, char *err, size_t errlen);
/* --symbol (or --symbols) v for s's source: csv's symbol of every bar (1 to 63
 * bytes), else symbols added to s->hm. Returns 0, or -1 with err set. */
int algo_feedcmd_set_symbol(struct algo_feedcmd_src *s, char *v, char *err, size_t errlen);
/* --tf (bars 0) or --bars (1) v for s's source (a FYERS one lowercased in place).
 * Returns 0, or -1 with err "--tf: 'v' is not a ...". */
int algo_feedcmd_set_tf(struct algo_feedcmd_src *s, int bars, char *v, char *err, size_t errlen);
/* Runs s's source, name its sub-command, over the n files at paths (none for fyers
 * ones, a usage error): each source's run in lib/feedcmd.c says what it takes. */
int algo_feedcmd_run(struct algo_feedcmd *f, struct algo_feedcmd_src *s, const char *name, char **paths, int n);

#endif
