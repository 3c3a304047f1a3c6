/* algo-eval — strategies over market events.
 *
 * `algo-eval -s STRATEGY.json` passes every input line through and, after each bar a
 * strategy covers, writes the strategy's `signal` events (lib/evaluator). `--check
 * FILE...` validates strategy files and prints every problem (lib/stratset);
 * `--print EXPR...` writes the values of expressions for every bar as CSV
 * (lib/exprprint). Options and wiring only. */
#include "algo-eval-opts.h"
#include "decimal.h"
#include "evaluator.h"
#include "exprprint.h"
#include "stage.h"
#include "store.h"
#include "stratset.h"
#include <stdlib.h>
#include <string.h>


static int run_stage(const struct algo_stage_ops *ops, void *arg, struct algo_store *store, const char *key, int skip_bad)
{
	struct algo_stage st;
	algo_stage_init(&st, ops, arg);
	st.skip_bad = skip_bad;
	st.warn = algo_cli_warn_line;
	st.store = store;
	st.replay_key = key;
	st.save_at_end = store && store->throwaway;
	return algo_stage_run(&st);
}

static int run_printer(char **exprs, int n, char **params, int nparams, int skip_bad)
{
	static const struct algo_stage_ops ops = { .event = algo_exprprint_event };
	struct algo_stratset report = { .warn = algo_cli_warn_note };
	struct algo_exprprint p;
	struct algo_errlist errs;
	int code;
	algo_errlist_init(&errs);
	code = algo_exprprint_init(&p, exprs, n, params, nparams, &algo_stdout, &errs) < 0
		? algo_stratset_report(&report, &errs, ALGO_EX_USAGE) : run_stage(&ops, &p, NULL, NULL, skip_bad);
	algo_errlist_free(&errs);
	algo_exprprint_free(&p);
	return code;
}

/* The evaluation stage, with restart state when a database is named. */
static int run_strategies(struct algo_stratset *set, const char *state_opt, const char *user, int skip_bad)
{
	static const struct algo_stage_ops ops = { .event = algo_evaluator_event, .save = algo_evaluator_save };
	struct algo_evaluator e;
	struct algo_store store;
	char err[ALGO_ERR_MAX], key[ALGO_REPLAY_KEY_MAX];
	int code, have_store = algo_cli_state_wanted(state_opt);
	if (algo_evaluator_init(&e, set->s, set->n, algo_cli_warn_note, NULL))
		algo_die(ALGO_EX_FAIL, "out of memory");
	e.user = user;
	if (have_store)
		algo_cli_open_state(&store, state_opt);
	if (have_store && algo_evaluator_load(&e, &store, err, sizeof err))
		algo_die(ALGO_EX_FAIL, "%s", err);
	if (have_store)
		algo_evaluator_replay_key(&e, user, key, sizeof key);
	code = run_stage(&ops, &e, have_store ? &store : NULL, have_store ? key : NULL, skip_bad);
	algo_evaluator_finish(&e, code == ALGO_EX_OK);
	algo_evaluator_free(&e);
	if (have_store)
		algo_store_close(&store);
	return code;
}

int main(int argc, char **argv)
{
	char **files = calloc((size_t)argc + 1, sizeof *files), **exprs = calloc((size_t)argc + 1, sizeof *exprs);
	char **params = calloc((size_t)argc + 1, sizeof *params);
	int nfiles = 0, nexprs = 0, nparams = 0, check = 0, skip_bad = 0, code, c;
	const char *state_opt = NULL, *user = "default", *name, *value;
	struct algo_stratset set;
	int64_t capital = 0;
	size_t nl;

	algo_cli_init(argv[0]);
	if (!files || !exprs || !params)
		algo_die(ALGO_EX_FAIL, "out of memory");
	while ((c = algo_cli_getopt(argc, argv, &algo_opts)) != -1)
		switch (c) {
		case OPT_STRATEGY: files[nfiles++] = optarg; break;
		case OPT_PARAM:
			if (algo_param_split(optarg, &name, &nl, &value) < 0)
				algo_usage_error("--param: '%s' is not NAME=VALUE", optarg);
			params[nparams++] = optarg;
			break;
		case OPT_CHECK: check = 1; break;
		case OPT_PRINT: exprs[nexprs++] = optarg; break;
		case OPT_FORMAT: if (strcmp(optarg, "csv") != 0) algo_usage_error("--format: '%s' is not a format (csv)", optarg); break;
		case OPT_SKIP_BAD: skip_bad = 1; break;
		case OPT_CAPITAL:
			if (algo_dec_parse(optarg, strlen(optarg), &capital) || capital <= 0)
				algo_usage_error("--capital: '%s' is not a positive amount of rupees", optarg);
			break;
		case OPT_STATE: state_opt = optarg; break;
		case OPT_USER: user = algo_cli_user(optarg); break;
		}
	if (check) {
		while (optind < argc) files[nfiles++] = argv[optind++];
		if (!nfiles) algo_usage_error("--check needs strategy files");
		if (nexprs) algo_usage_error("--check and --print do not go together");
	} else {
		if (optind < argc) algo_usage_error("unexpected argument '%s' (events are read from stdin)", argv[optind]);
		if (nexprs && nfiles) algo_usage_error("--print and --strategy do not go together");
		if (!nexprs && !nfiles) algo_usage_error("give a strategy (-s FILE), --check FILE or --print EXPR");
		if (nexprs && state_opt) algo_usage_error("--print keeps no state; --state does not go with it");
	}
	if (algo_stratset_init(&set, params, nparams, nfiles, capital) < 0)
		algo_die(ALGO_EX_FAIL, "out of memory");
	set.warn = algo_cli_warn_note;
	if (check)
		code = algo_stratset_check(&set, files, nfiles);
	else if (nexprs)
		code = run_printer(exprs, nexprs, params, nparams, skip_bad);
	else if ((code = algo_stratset_load(&set, files, nfiles)) == ALGO_EX_OK)
		code = run_strategies(&set, state_opt, user, skip_bad);
	algo_stratset_free(&set);
	free(files), free(exprs), free(params);
	return algo_out_finish(code);
}
