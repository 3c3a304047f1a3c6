/* csvmerge — `algo-feed csv`: OHLCV CSV files into one time-ordered stream of bar
 * events.
 *
 * Every row is validated (lib/csv). Each file's timeframe is --tf or inferred from
 * its first ALGO_CSV_TF_WINDOW rows; a file whose rows are newest first (NSE's
 * historical data) is read whole and turned round. The files are merged in time
 * order by a k-way merge over one buffered row per file, ties broken by the order of
 * the paths. Bars of a symbol must go forward in time. The stream header and the bar
 * events go to the writer given (lib/barout).
 *
 * A bad row stops the merge (ALGO_EX_DATAERR, err says "file:line: why"), or with
 * skip_bad is handed to on_skip and counted. Nothing here prints: messages go to the
 * callbacks, errors are returned. */
#ifndef ALGO_CSVMERGE_H
#define ALGO_CSVMERGE_H
#include "barout.h"
#include "cli.h"
#include "csv.h"
#include "symtab.h"

#define ALGO_CSVMERGE_ERR_MAX (ALGO_ERR_MAX + 256)

struct algo_csvmerge_row {
	int64_t ts, o, h, l, c, v, oi;
	long lineno;
	int sym;
};

struct algo_csvmerge_src {
	struct algo_csv csv;
	struct algo_csv_cols m;
	int sym;                    /* fixed symbol id, or -1 to read the symbol column */
	char tf[16];
	char tfjs[20];              /* tf as a JSON string */
	size_t tfjslen;
	struct algo_csvmerge_row q[ALGO_CSV_TF_WINDOW];  /* rows read ahead, kept ones */
	int qhead, qlen;
	struct algo_csvmerge_row head;  /* the row competing in the merge */
	int done;
	long nnull;                 /* rows without prices skipped (Yahoo's "null" days) */
	long nread, nemitted;       /* rows read after the header; bars written */
	struct algo_csvmerge_row *rev;  /* a newest-first file, read whole, turned round */
	size_t nrev, caprev;
	int pend;                   /* a bad row found while reading ahead, raised in order */
	long pend_line;
	char pend_err[ALGO_ERR_MAX];
};

struct algo_csvmerge {
	/* settings, before algo_csvmerge_open */
	const char *symbol;         /* every bar's symbol, NULL: column or file name */
	int64_t tf;                 /* seconds, 0 = infer */
	int64_t from, to;           /* keep bars opening in [from, to) */
	int skip_bad;
	struct algo_csv_import imp;
	void (*on_skip)(void *arg, const char *msg);    /* a row skipped: "file:line: why" */
	void (*on_notice)(void *arg, const char *msg);  /* something the user should know */
	void (*on_tick)(void *arg);                     /* now and then, for progress */
	void *arg;
	/* state */
	struct algo_csvmerge_src *src;
	int nsrc;
	int *heap, nheap;
	struct algo_symtab syms;
	struct algo_barout out;
	long nbad;                  /* rows skipped */
	uint64_t nrows;             /* rows read */
	int code;                   /* the exit code of a failure (algo(7)); ALGO_EX_USAGE:
	                             * the command line must say more (--symbol) */
	char err[ALGO_CSVMERGE_ERR_MAX];
};

/* Defaults: from/to unbounded, nothing set. */
void algo_csvmerge_init(struct algo_csvmerge *m);
/* Opens the n paths ("-" = stdin) and reads their headers; bars go to w. Returns 0 or
 * -1 (m->code, m->err). */
int algo_csvmerge_open(struct algo_csvmerge *m, char **paths, int n, struct algo_writer *w);
/* Input bytes in all (-1: not known, stdin), and read so far. */
int64_t algo_csvmerge_size(const struct algo_csvmerge *m);
int64_t algo_csvmerge_done(const struct algo_csvmerge *m);
/* Merges and writes every bar, then hands the run's summary (rows skipped, files
 * without bars) to on_notice. Returns 0 or -1 (m->code, m->err). */
int algo_csvmerge_run(struct algo_csvmerge *m);
void algo_csvmerge_free(struct algo_csvmerge *m);

#endif
