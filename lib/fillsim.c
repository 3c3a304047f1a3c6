#include "fillsim.h"
#include "decimal.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* bps are decimals (× 10,000), so "1 + bps/10000" is (10^8 + bps) / 10^8. */
#define BPS_DEN (ALGO_DEC_SCALE * 10000LL)

int64_t algo_fillsim_slip(int64_t price, int side, int64_t bps)
{
	int64_t p = algo_dec_muldiv(price, side == ALGO_SELL ? BPS_DEN - bps : BPS_DEN + bps, BPS_DEN);
	return p < 1 ? 1 : p;
}

int algo_fillsim_brokerage(int64_t price, int64_t qty, int64_t bps, int64_t *out)
{
	int64_t turnover;
	if (__builtin_mul_overflow(price, qty, &turnover))
		return -1;
	/* Round once, straight to paise: turnover × bps / (10^8 × 100) in paise. */
	*out = algo_dec_muldiv(turnover, bps, BPS_DEN * 100) * 100;
	return 0;
}

int algo_fillsim_fill(const struct algo_fillsim_cfg *cfg, int side, int64_t qty, int64_t ref,
	struct algo_fill *f, char *err, size_t errlen)
{
	if ((side != ALGO_BUY && side != ALGO_SELL) || qty <= 0 || ref <= 0) {
		snprintf(err, errlen, "bad fill arguments");
		return -1;
	}
	f->price = algo_fillsim_slip(ref, side, cfg->slippage_bps);
	if (algo_fillsim_brokerage(f->price, qty, cfg->commission_bps, &f->brokerage)) {
		snprintf(err, errlen, "turnover out of range");
		return -1;
	}
	f->total_fees = f->brokerage;
	return 0;
}

void algo_fillsim_init(struct algo_fillsim *fs, const struct algo_fillsim_cfg *cfg)
{
	fs->cfg = *cfg;
	fs->w = NULL;
	fs->n = fs->cap = 0;
}

void algo_fillsim_free(struct algo_fillsim *fs)
{
	free(fs->w);
	fs->w = NULL;
	fs->n = fs->cap = 0;
}

int algo_fillsim_add(struct algo_fillsim *fs, const struct algo_working_order *o)
{
	if (fs->n == fs->cap) {
		size_t cap = fs->cap ? fs->cap * 2 : 16;
		struct algo_working_order *nw = realloc(fs->w, cap * sizeof *nw);
		if (!nw)
			return -1;
		fs->w = nw;
		fs->cap = cap;
	}
	fs->w[fs->n++] = *o;
	return 0;
}

int algo_fillsim_take_due(struct algo_fillsim *fs, const char *symbol, int64_t ts,
	struct algo_working_order *out)
{
	for (size_t i = 0; i < fs->n; i++) {
		if (fs->w[i].ts >= ts || strcmp(fs->w[i].symbol, symbol) != 0)
			continue;
		*out = fs->w[i];
		memmove(&fs->w[i], &fs->w[i + 1], (fs->n - i - 1) * sizeof *fs->w);
		fs->n--;
		return 1;
	}
	return 0;
}

size_t algo_fillsim_working(const struct algo_fillsim *fs)
{
	return fs->n;
}
