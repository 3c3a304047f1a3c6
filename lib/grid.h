/* grid — parameter grids for sweeps: axes such as "fast=5..15:2", "slow=20,26,30,40"
 * or "k=1.5", given on the command line or in a grid file, and the variants they
 * make (the cartesian product; the first axis varies slowest, so variant numbers
 * follow the order a person reads the grid in).
 *
 * A range A..B[:STEP] holds A, A+STEP, … up to B (B included when a step lands on it;
 * STEP defaults to 1). Values are rounded to the decimals written in A and STEP, so
 * 0.1..0.5:0.1 gives 0.3, not 0.30000000000000004. The grid owns its value arrays. */
#ifndef ALGO_GRID_H
#define ALGO_GRID_H
#include <stddef.h>
#include <stdio.h>
#include "params.h"

#define ALGO_GRID_AXES_MAX 16
#define ALGO_GRID_VALUES_MAX 100000     /* values of one axis */
#define ALGO_GRID_VARIANTS_MAX 1000000  /* variants of the whole grid */

struct algo_grid_axis {
	char name[ALGO_PARAM_NAME_MAX + 1];
	double *v;
	size_t n;
};

struct algo_grid {
	struct algo_grid_axis ax[ALGO_GRID_AXES_MAX];
	int naxes;
};

void algo_grid_init(struct algo_grid *g);
void algo_grid_free(struct algo_grid *g);

/* Adds the axis "NAME=LIST" (LIST: comma-separated numbers and ranges). Returns 0, or
 * -1 with err ("'fast=5..1': the range's end is below its start"); on error g is
 * unchanged. */
int algo_grid_add(struct algo_grid *g, const char *spec, char *err, size_t errlen);

/* Adds the axes of a grid file: one NAME=LIST per line; blank lines and lines
 * starting with '#' are skipped. Returns 0, or -1 with "FILE:LINE: …" (or
 * "FILE: why" when it cannot be read) in err. */
int algo_grid_load(struct algo_grid *g, const char *path, char *err, size_t errlen);

/* The grid of the axes specs[0..nspec-1] ("NAME=LIST") and then those of the grid
 * files files[0..nfiles-1] (g initialised here). Returns 0, or an exit code (algo(7))
 * with err set: ALGO_EX_USAGE for a bad spec ("--grid 'fast=5..1': …") or no axis at
 * all, ALGO_EX_NOINPUT for a grid file that cannot be opened, ALGO_EX_CONFIG for one
 * that is wrong. Free g in every case. */
int algo_grid_build(struct algo_grid *g, char *const *specs, int nspec, char *const *files, int nfiles,
	char *err, size_t errlen);

/* Number of variants (1 for a grid of no axes). */
size_t algo_grid_count(const struct algo_grid *g);

/* Values of variant i (0-based, < algo_grid_count) into vals[naxes]. */
void algo_grid_variant(const struct algo_grid *g, size_t i, double *vals);

/* Writes variant i as "name=value" separated by sep (values in the shortest exact
 * form). Returns the length (snprintf semantics). */
int algo_grid_variant_text(const struct algo_grid *g, size_t i, const char *sep, char *buf, size_t len);

/* Writes every variant to f, one a line (algo_grid_variant_text, cut at
 * ALGO_GRID_LINE_MAX - 1 bytes). */
#define ALGO_GRID_LINE_MAX 8192
void algo_grid_write(FILE *f, const struct algo_grid *g, const char *sep);

#endif
