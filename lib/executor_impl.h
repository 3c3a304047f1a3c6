/* executor_impl — what the executor's own files (executor.c, execin.c, execstate.c)
 * share and nothing else may use. The contract is in executor.h. */
#ifndef ALGO_EXECUTOR_IMPL_H
#define ALGO_EXECUTOR_IMPL_H
#include "executor.h"

/* A note through the executor's note callback (printf format). */
void algo_exec_note(struct algo_executor *ex, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends a copy of o to the live orders: the copy, or NULL when out of memory. */
struct algo_exec_order *algo_exec_add(struct algo_executor *ex, const struct algo_exec_order *o);
/* Frees the orders that are final. */
void algo_exec_sweep(struct algo_executor *ex);
/* Whether state is final. */
int algo_exec_final_state(int state);
/* The order_update "rejected" of an order the seam refuses itself (a duplicate id). */
void algo_exec_reject(struct algo_executor *ex, const struct algo_exec_order *o, int64_t ts,
	const char *reason);

#endif
