/* evaluator — strategies over a stream. See evaluator.h for the contract. */
#include "evaluator.h"
#include "cli.h"
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int algo_evaluator_init(struct algo_evaluator *e, struct algo_strategy **s, int n,
	void (*note)(void *arg, const char *msg), void *note_arg)
{
	memset(e, 0, sizeof *e);
	e->s = s;
	e->n = n;
	e->note = note;
	e->note_arg = note_arg;
	e->user = "default";
	return n && !(e->warned = calloc((size_t)n, 1)) ? -1 : 0;
}

void algo_evaluator_free(struct algo_evaluator *e)
{
	free(e->warned);
	e->warned = NULL;
}

static void say(struct algo_evaluator *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct algo_evaluator *e, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	if (!e->note)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	e->note(e->note_arg, msg);
}

static void emit_signal(void *arg, const struct algo_signal *sig)
{
	(void)arg;
	algo_signal_write(&algo_stdout, sig);
}

/* A strategy skips the bars of a symbol's other timeframes: say so once. */
static void note_other_tf(struct algo_evaluator *e, int i, const struct algo_bar *bar)
{
	const char *tf = algo_strategy_timeframe(e->s[i]);
	const char *btf = bar->tf[0] ? bar->tf : "untimed";
	if (e->warned[i])
		return;
	e->warned[i] = 1;
	if (tf[0])
		say(e, "%s: ignoring %s bars of %s: the strategy's timeframe is %s and it takes only one "
			"input timeframe per symbol", algo_strategy_name(e->s[i]), btf, bar->symbol, tf);
	else
		say(e, "%s: ignoring %s bars of %s: already evaluating another timeframe of it (set "
			"\"timeframe\" to choose)", algo_strategy_name(e->s[i]), btf, bar->symbol);
}

/* Keeps the first few input symbols for the warnings at the end. */
static void remember_symbol(struct algo_evaluator *e, const char *symbol)
{
	for (int i = 0; i < e->nseen && i < ALGO_EVALUATOR_SEEN; i++)
		if (strcmp(e->seen[i], symbol) == 0) return;
	if (e->nseen < ALGO_EVALUATOR_SEEN)
		snprintf(e->seen[e->nseen], sizeof e->seen[0], "%s", symbol);
	e->nseen++;
}

/* The symbols remembered, as "A, B, C and others". */
static void seen_list(const struct algo_evaluator *e, char *out, size_t outlen)
{
	size_t k = 0;
	out[0] = '\0';
	for (int i = 0; i < e->nseen && i < ALGO_EVALUATOR_SEEN && k < outlen; i++)
		k += (size_t)snprintf(out + k, outlen - k, "%s%s", i ? ", " : "", e->seen[i]);
	if (e->nseen > ALGO_EVALUATOR_SEEN && k < outlen)
		snprintf(out + k, outlen - k, " and others");
}

/* Every strategy checks the bar before any of them takes it, so a bad bar changes
 * nothing. */
static int check_bar(struct algo_evaluator *e, const struct algo_bar *bar, char *err, size_t errlen)
{
	for (int i = 0; i < e->n; i++) {
		int rc = algo_strategy_check_bar(e->s[i], bar, err, errlen);
		if (rc == ALGO_STRAT_BADTF)
			return ALGO_EX_CONFIG;
		if (rc == ALGO_STRAT_ERROR)
			return -1;
	}
	return 0;
}

int algo_evaluator_event(void *arg, const struct algo_event *ev, char *err, size_t errlen)
{
	struct algo_evaluator *e = arg;
	struct algo_bar bar;
	int rc;
	if (ev->type != ALGO_EV_BAR) {
		algo_out_line(&algo_stdout, ev->line, ev->len);
		return 0;
	}
	if (algo_bar_decode(ev, &bar, err, errlen) < 0)
		return -1;
	if ((rc = check_bar(e, &bar, err, errlen)) != 0)
		return rc;
	algo_out_line(&algo_stdout, ev->line, ev->len);
	e->nbars++;
	if (e->nseen <= ALGO_EVALUATOR_SEEN)
		remember_symbol(e, bar.symbol);
	for (int i = 0; i < e->n; i++) {
		const char *note;
		rc = algo_strategy_on_bar(e->s[i], &bar, emit_signal, NULL, err, errlen);
		if (rc == ALGO_STRAT_ERROR)
			return ALGO_EX_FAIL;
		if ((note = algo_strategy_take_note(e->s[i])))
			say(e, "%s", note);
		if (rc == ALGO_STRAT_OTHER_TF)
			note_other_tf(e, i, &bar);
	}
	return 0;
}

int algo_evaluator_load(struct algo_evaluator *e, struct algo_store *s, char *err, size_t errlen)
{
	for (int i = 0; i < e->n; i++) {
		int rc = algo_strategy_state_load(e->s[i], s, e->user, err, errlen);
		if (rc == -1)
			return -1;
		if (rc > 0)
			e->pieces = 1;
		if (rc == -2)
			say(e, "%s: the strategy file or its --param values changed since its state was saved in %s: "
				"starting fresh",
				algo_strategy_name(e->s[i]), s->path);
		if (rc == -3)
			say(e, "%s: the state saved in %s was written by another build or is damaged: "
				"starting fresh", algo_strategy_name(e->s[i]), s->path);
	}
	return 0;
}

int algo_evaluator_save(void *arg, struct algo_store *s, char *err, size_t errlen)
{
	struct algo_evaluator *e = arg;
	for (int i = 0; i < e->n; i++)
		if (algo_strategy_state_save(e->s[i], s, e->user, err, errlen) < 0)
			return -1;
	return 0;
}

void algo_evaluator_replay_key(const struct algo_evaluator *e, const char *user, char *out,
	size_t outlen)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	size_t k;
	if (c && EVP_DigestInit_ex(c, EVP_sha256(), NULL) == 1) {
		for (int i = 0; i < e->n; i++) {
			const char *name = algo_strategy_name(e->s[i]), *hash = algo_strategy_hash(e->s[i]);
			EVP_DigestUpdate(c, name, strlen(name) + 1);
			EVP_DigestUpdate(c, hash, strlen(hash) + 1);
		}
		EVP_DigestFinal_ex(c, md, &mdlen);
	}
	EVP_MD_CTX_free(c);
	k = (size_t)snprintf(out, outlen, "algo-eval/%s/", user);
	for (unsigned int i = 0; i < mdlen && i < 8 && k + 3 <= outlen; i++, k += 2)
		snprintf(out + k, outlen - k, "%02x", md[i]);
}

void algo_evaluator_finish(struct algo_evaluator *e, int completed)
{
	char why[512], seen[4 * 72];
	seen_list(e, seen, sizeof seen);
	for (int i = 0; i < e->n; i++) {
		const char *name = algo_strategy_name(e->s[i]);
		int64_t k = algo_strategy_skipped(e->s[i]);
		int nmiss;
		if (k)
			say(e, "%s: skipped %lld bar%s at or before its saved state", name,
				(long long)k, k == 1 ? "" : "s");
		if (!completed)
			continue;
		if (e->nbars > 0 && (nmiss = algo_strategy_missing(e->s[i], why, sizeof why)) > 0)
			say(e, "warning: %s: no bars of %s in the input (it has %s): %s", name, why, seen,
				nmiss == 1 ? "that symbol was never traded" : "those symbols were never traded");
		/* a run that goes on from a saved state is one piece of a stream (a cron run
		 * before 09:20 or after the window's end): it cannot show the window is wrong */
		if (!e->pieces && algo_strategy_window_never(e->s[i], why, sizeof why))
			say(e, "warning: %s: %s", name, why);
	}
}
