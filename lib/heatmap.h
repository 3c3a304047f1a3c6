/* heatmap — a self-contained HTML page (no scripts, no fonts or files from elsewhere:
 * it opens offline) with the heatmap of a two-parameter sweep: one cell per variant,
 * the first varying parameter across and the second down, coloured by the ranked
 * metric from the worst value (red) through a pale middle to the best (green), the
 * best cell outlined, every cell's value written in it and all its metrics in its
 * tooltip, under the statement of how many variants were tried and the deflated
 * Sharpe ratio of the best. The look follows the ledger's HTML report.
 *
 * The sweep must be finished (algo_sweep_finish: ranked, DSR computed). A parameter
 * with one value (a fixed one) is named in the caption. */
#ifndef ALGO_HEATMAP_H
#define ALGO_HEATMAP_H
#include <stddef.h>
#include <stdio.h>
#include "sweep.h"

/* The two parameters that vary (more than one value among the rows), as axis indexes
 * into *x and *y. Returns 0, or -1 with err when there are not exactly two. */
int algo_heatmap_axes(const struct algo_sweep *s, int *x, int *y, char *err, size_t errlen);

/* Writes the page for axes x (across) and y (down). Returns 0, or -1 on a write error
 * or when memory runs out (err says which). */
int algo_heatmap_write(FILE *f, const struct algo_sweep *s, int x, int y, char *err, size_t errlen);

/* `algo-variants heatmap`: the page of the sweep of in, ranked by rank, written to f.
 * Returns 0, or an exit code (algo(7)) with err set: algo_sweep_load's,
 * ALGO_EX_DATAERR "VARIANTS: why" when not exactly two parameters vary, ALGO_EX_IOERR
 * "heatmap: why". */
int algo_heatmap_page(FILE *f, const struct algo_sweep_files *in, int rank, char *err, size_t errlen);

#endif
