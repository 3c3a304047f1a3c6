/* gridcheck — a sweep's grid checked against its strategy before anything runs:
 * every axis must be a parameter the strategy declares (said once, not per variant),
 * and every variant must load. The problems of the first ALGO_GRIDCHECK_SHOW failing
 * variants are told, then how many more. Messages go to the warn callback; nothing
 * here prints. */
#ifndef ALGO_GRIDCHECK_H
#define ALGO_GRIDCHECK_H
#include "grid.h"

#define ALGO_GRIDCHECK_SHOW 10

typedef void algo_gridcheck_warn(void *arg, const char *msg);

/* Returns 0, ALGO_EX_CONFIG when an axis or a variant is wrong, or ALGO_EX_NOINPUT
 * when the strategy file does not exist. */
int algo_gridcheck(const struct algo_grid *g, const char *strategy, algo_gridcheck_warn *warn, void *arg);

#endif
