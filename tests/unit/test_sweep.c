/* Unit tests for lib/grid and lib/sweep: grid specs and their errors, the order of
 * variants, the normal quantile, moments, PSR/SR0 and the ranking. */
#include "grid.h"
#include "sweep.h"
#include "tap.h"
#include <math.h>
#include <stdlib.h>
#include <unistd.h>

static const char *grid(const char *spec)
{
	static char out[512];
	char err[256];
	struct algo_grid g;
	algo_grid_init(&g);
	if (algo_grid_add(&g, spec, err, sizeof err) < 0) snprintf(out, sizeof out, "ERR: %s", err);
	else {
		size_t k = 0;
		out[0] = '\0';
		for (size_t i = 0; i < algo_grid_count(&g) && k < sizeof out; i++) {
			char t[128];
			algo_grid_variant_text(&g, i, " ", t, sizeof t);
			k += (size_t)snprintf(out + k, sizeof out - k, "%s%s", i ? "|" : "", t);
		}
	}
	algo_grid_free(&g);
	return out;
}

/* algo_grid_build: specs then files, and the exit code of each way it fails. */
static void build(void)
{
	struct algo_grid g;
	char err[1100], path[] = "/tmp/test_sweep_gridXXXXXX", *specs[] = { "a=1,2", "b=3..4" }, *bad[] = { "a=2..1" }, *files[] = { path };
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");
	fputs("# axis\nc=5\n", f);
	fclose(f);
	is_int(algo_grid_build(&g, specs, 2, files, 1, err, sizeof err), 0, "two specs and a file");
	is_int(g.naxes, 3, "three axes");
	is_int(algo_grid_count(&g), 4, "four variants");
	algo_grid_free(&g);
	is_int(algo_grid_build(&g, bad, 1, NULL, 0, err, sizeof err), 2, "a bad spec is a usage error");
	is_str(err, "--grid 'a=2..1': '2..1': the range's end is below its start", "with the spec named");
	algo_grid_free(&g);
	is_int(algo_grid_build(&g, NULL, 0, NULL, 0, err, sizeof err), 2, "no axis is a usage error");
	algo_grid_free(&g);
	f = fopen(path, "w");
	fputs("c=x\n", f);
	fclose(f);
	is_int(algo_grid_build(&g, specs, 2, files, 1, err, sizeof err), 78, "a wrong grid file is 78");
	algo_grid_free(&g);
	unlink(path);
	is_int(algo_grid_build(&g, specs, 2, files, 1, err, sizeof err), 66, "a missing one is 66");
	algo_grid_free(&g);
}

static int near(double a, double b, double eps) { return fabs(a - b) <= eps; }

static const char report[] =
	"{\"trades\":%d,\"sharpe\":%s,\"max_drawdown_pct\":%s,\"start_equity\":100000,\"daily\":["
	"{\"day\":\"2024-01-01\",\"equity\":%s,\"pnl\":%s},{\"day\":\"2024-01-02\",\"equity\":%s,\"pnl\":%s}]}";

int main(void)
{
	is_str(grid("fast=5..15:2"), "fast=5|fast=7|fast=9|fast=11|fast=13|fast=15", "range with a step");
	is_str(grid("fast=5..8:2"), "fast=5|fast=7", "the end not on a step is not included");
	is_str(grid("k=1..3"), "k=1|k=2|k=3", "step 1 by default");
	is_str(grid("x=0.1..0.5:0.1"), "x=0.1|x=0.2|x=0.3|x=0.4|x=0.5", "decimal steps rounded to their decimals");
	is_str(grid("x=0..1:0.25"), "x=0|x=0.25|x=0.5|x=0.75|x=1", "quarter steps");
	is_str(grid("slow=20, 26,30,40"), "slow=20|slow=26|slow=30|slow=40", "a list, spaces allowed");
	is_str(grid("m=1,5..7,10"), "m=1|m=5|m=6|m=7|m=10", "lists and ranges mixed");
	is_str(grid("n=-2..0"), "n=-2|n=-1|n=0", "negative ranges");
	is_str(grid("e=1e2,2.5e-1"), "e=100|e=0.25", "exponents");
	is_str(grid("fast"), "ERR: 'fast': want NAME=VALUES, e.g. fast=5..15:2 or slow=20,26,30", "no '='");
	is_str(grid("=5"), "ERR: '=5': '' is not a parameter name (a letter or '_' then letters, digits or '_')", "no name");
	is_str(grid("a-b=5"), "ERR: 'a-b=5': 'a-b' is not a parameter name (a letter or '_' then letters, digits or '_')", "bad name");
	is_str(grid("k=9..5"), "ERR: 'k=9..5': '9..5': the range's end is below its start", "backwards range");
	is_str(grid("k=1..5:-1"), "ERR: 'k=1..5:-1': '1..5:-1': the step must be above 0", "negative step");
	is_str(grid("k=1..x"), "ERR: 'k=1..x': '1..x' is not a range A..B[:STEP] of numbers", "bad end");
	is_str(grid("k=1,,2"), "ERR: 'k=1,,2': an empty value in the list", "empty item");
	is_str(grid("k=1,2,1"), "ERR: 'k=1,2,1': the value 1 is given twice", "duplicate value");
	is_str(grid("k=1..3,2"), "ERR: 'k=1..3,2': the value 2 is given twice", "duplicate through a range");
	is_str(grid("k=0..1000000"), "ERR: 'k=0..1000000': '0..1000000': more than 100000 values", "too many values");
	is_str(grid("k=nan"), "ERR: 'k=nan': 'nan' is not a number (or a range A..B[:STEP])", "nan");

	{
		struct algo_grid g;
		char err[256], t[128];
		double v[4];
		algo_grid_init(&g);
		ok(algo_grid_add(&g, "a=1,2", err, sizeof err) == 0 && algo_grid_add(&g, "b=10..30:10", err, sizeof err) == 0,
			"two axes");
		ok(algo_grid_add(&g, "A=3", err, sizeof err) < 0 && strstr(err, "'A' has two grids"), "duplicate axis");
		is_int(algo_grid_count(&g), 6, "2 x 3 variants");
		algo_grid_variant(&g, 4, v);
		ok(v[0] == 2 && v[1] == 20, "variant 4 is a=2 b=20: the first axis varies slowest");
		algo_grid_variant_text(&g, 0, "\t", t, sizeof t);
		is_str(t, "a=1\tb=10", "variant text");
		ok(algo_grid_add(&g, "c=1..1000", err, sizeof err) == 0 && algo_grid_add(&g, "d=1..1000", err, sizeof err) < 0 &&
			strstr(err, "more than 1000000 variants"), "too many variants");
		algo_grid_free(&g);
	}

	/* the normal distribution */
	ok(near(algo_norm_cdf(0), 0.5, 1e-15), "Phi(0)");
	ok(near(algo_norm_cdf(1.959963984540054), 0.975, 1e-15), "Phi(1.96)");
	ok(near(algo_norm_inv(0.975), 1.959963984540054, 1e-13), "Phi^-1(0.975)");
	ok(near(algo_norm_inv(0.5), 0, 1e-15), "Phi^-1(0.5)");
	ok(near(algo_norm_inv(0.9), 1.2815515655446004, 1e-13), "Phi^-1(0.9)");
	ok(near(algo_norm_inv(1e-10), -6.361340902404056, 1e-10), "far tail");
	ok(near(algo_norm_inv(0.2) + algo_norm_inv(0.8), 0, 1e-14), "symmetric");
	ok(isnan(algo_norm_inv(0)) && isnan(algo_norm_inv(1)) && isnan(algo_norm_inv(NAN)), "outside (0, 1)");

	/* moments */
	{
		struct algo_moments m;
		const double r[5] = { 0.01, -0.01, 0.02, 0, 0.03 };
		algo_moments_of(r, 5, &m);
		ok(near(m.mean, 0.01, 1e-15) && near(m.sd, sqrt(0.001 / 4), 1e-15), "mean and sample sd");
		ok(near(m.sr, 0.6324555320336759, 1e-12) && near(m.skew, 0, 1e-12) && near(m.kurt, 1.7, 1e-12),
			"SR, skewness, kurtosis");
		const double flat[3] = { 0.01, 0.01, 0.01 };
		algo_moments_of(flat, 3, &m);
		ok(isnan(m.sr) && isnan(m.skew), "no variation: undefined");
		algo_moments_of(r, 1, &m);
		ok(isnan(m.sd) && m.mean == 0.01, "one return: no sd");
	}
	ok(near(algo_psr(0.1, 0, 253, 0, 3), algo_norm_cdf(0.1 * sqrt(252) / sqrt(1 + 0.5 * 0.01)), 1e-15), "PSR, normal returns");
	ok(isnan(algo_psr(0.1, 0, 1, 0, 3)), "PSR needs 2 returns");
	ok(isnan(algo_psr(2, 0, 10, 1, 1)), "PSR with a non-positive denominator is undefined");
	ok(isnan(algo_expected_max_sr(0.1, 1)), "SR0 needs 2 trials");
	ok(near(algo_expected_max_sr(0.01, 10), 0.157459830134575, 1e-12), "SR0 of 10 trials, V 0.01");

	/* ranking */
	{
		struct algo_sweep s;
		char names[1][ALGO_PARAM_NAME_MAX + 1] = { "k" }, buf[512], err[128];
		const char *rows[][6] = {   /* trades sharpe maxdd eq2 pnl2 */
			{ "1", "1.5", "2", "100100", "100", "" }, { "2", "null", "1", "100000", "0", "" },
			{ "3", "2.5", "3", "100300", "200", "" }, { "4", "2.5", "0.5", "100250", "150", "" },
		};
		algo_sweep_init(&s, 1, names);
		for (int i = 0; i < 4; i++) {
			double k = i + 1;
			snprintf(buf, sizeof buf, report, i, rows[i][1], rows[i][2], "100000", "0", rows[i][3], rows[i][4]);
			ok(algo_sweep_add(&s, (size_t)i + 1, &k, buf, strlen(buf), err, sizeof err) == 0, "add %d", i + 1);
		}
		ok(algo_sweep_add(&s, 9, (double[]){ 9 }, "{\"x\":1}", 7, err, sizeof err) < 0 && strstr(err, "not a report"),
			"not a report");
		algo_sweep_finish(&s, ALGO_M_SHARPE);
		ok(s.rows[0].id == 3 && s.rows[1].id == 4 && s.rows[2].id == 1 && s.rows[3].id == 2,
			"by sharpe: ties by variant number, undefined last");
		algo_sweep_finish(&s, ALGO_M_MAXDD);
		ok(s.rows[0].id == 4 && s.rows[1].id == 2 && s.rows[3].id == 3, "max_drawdown_pct: lowest first");
		is_int(algo_sweep_metric_find("dsr"), ALGO_M_DSR, "dsr is a metric");
		is_int(algo_sweep_metric_find("sharp"), -1, "unknown metric");
		algo_sweep_free(&s);
	}
	build();
	return tap_done();
}
