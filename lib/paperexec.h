/* paperexec — algo-exec-paper around the executor seam: the fill rules' defaults, the
 * cost model its options name, the seam's settings that follow from the fill rules,
 * and what a run leaves to say. Nothing here prints: messages go to a callback. */
#ifndef ALGO_PAPEREXEC_H
#define ALGO_PAPEREXEC_H
#include "fillsim.h"

/* next-open fills, tick 0.05, square-off 15:20 IST (as NSE brokers' risk systems
 * do), no capital check, 15 % F&O margin, no costs. */
void algo_paperexec_defaults(struct algo_fillsim_cfg *cfg);
/* The cost model: brokerage in bps (have_bps), none, or the charges table named by
 * charges (a path or a name, lib/costs.h) loaded into costs. Returns 0, or an exit
 * code (algo(7)) with err set. */
int algo_paperexec_costs(struct algo_fillsim_cfg *cfg, const char *charges, int have_bps,
	struct algo_costs *costs, char *err, size_t errlen);
/* The executor's settings that follow from the fill rules: full fees, the square-off,
 * and algo-risk's bound on what fills may cost and how far they may stray. */
void algo_paperexec_bind(struct algo_executor *ex, const struct algo_fillsim_cfg *cfg);
/* Orders still working, ambiguous bars, the charges table used (code: the run's exit
 * code), each as one message to warn. */
void algo_paperexec_notes(const struct algo_executor *ex, const struct algo_fillsim *fs,
	const struct algo_costs *costs, int code, void (*warn)(void *arg, const char *msg), void *arg);

#endif
