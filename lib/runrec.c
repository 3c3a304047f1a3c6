/* runrec — a run's record as JSON (see runrec.h). */
#include "runrec.h"
#include "params.h"
#include "strategy.h"
#include <jansson.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int algo_runrec_file_sha256(const char *path, char hex[65])
{
	unsigned char md[EVP_MAX_MD_SIZE], buf[65536];
	unsigned int mdlen = 0;
	struct stat sb;
	size_t n;
	int ok;
	FILE *f = fopen(path, "rb");
	EVP_MD_CTX *c;
	if (!f) return -1;
	if (fstat(fileno(f), &sb) || !S_ISREG(sb.st_mode) || !(c = EVP_MD_CTX_new())) {
		fclose(f);
		return -1;
	}
	ok = EVP_DigestInit_ex(c, EVP_sha256(), NULL);
	while (ok && (n = fread(buf, 1, sizeof buf, f)) > 0) ok = EVP_DigestUpdate(c, buf, n);
	ok = ok && !ferror(f) && EVP_DigestFinal_ex(c, md, &mdlen) && mdlen == 32;
	EVP_MD_CTX_free(c);
	fclose(f);
	if (!ok) return -1;
	for (unsigned i = 0; i < mdlen; i++) snprintf(hex + 2 * i, 3, "%02x", md[i]);
	return 0;
}

/* A JSON string of path's SHA-256, or null when it has none. */
static json_t *sha_or_null(const char *path)
{
	char hex[65];
	return algo_runrec_file_sha256(path, hex) ? json_null() : json_string(hex);
}

/* A whole number as an integer ("9", not "9.0"), else the shortest real. */
static json_t *number_json(double v)
{
	if (v >= -1e15 && v <= 1e15 && v == (double)(long long)v) return json_integer((json_int_t)v);
	return json_real(v);
}

/* The strategy's parameters in force, by their declared names. */
static json_t *params_json(const struct algo_params *pp)
{
	json_t *o = json_object();
	for (int i = 0; o && i < pp->n; i++)
		json_object_set_new(o, pp->p[i].name, number_json(pp->p[i].value));
	return o;
}

/* "name", "strategy_file", "strategy_sha256", "params" and "overrides" into rec. */
static int strategy_part(json_t *rec, const char *path, const char *const *ov, int nov,
	char *err, size_t errlen)
{
	struct algo_param_overrides o = { ov, nov, 0, NULL };
	struct algo_errlist errs;
	struct algo_strategy *s;
	json_t *list = json_array();
	algo_errlist_init(&errs);
	if (!(s = algo_strategy_load_with(path, &o, &errs))) {
		snprintf(err, errlen, "%s", errs.n ? errs.msg[0] : "cannot load the strategy");
		algo_errlist_free(&errs);
		json_decref(list);
		return -1;
	}
	algo_errlist_free(&errs);
	for (int i = 0; list && i < nov; i++) json_array_append_new(list, json_string(ov[i]));
	json_object_set_new(rec, "strategy", json_string(algo_strategy_name(s)));
	json_object_set_new(rec, "strategy_file", json_string(path));
	json_object_set_new(rec, "strategy_sha256", sha_or_null(path));
	json_object_set_new(rec, "params", params_json(algo_strategy_params(s)));
	json_object_set_new(rec, "overrides", list ? list : json_array());
	algo_strategy_free(s);
	return 0;
}

char *algo_runrec_build(const char *path, const char *const *ov, int nov,
	const char *const *inputs, int ninputs, char *err, size_t errlen)
{
	json_t *rec = json_object(), *in = json_array();
	char *text = NULL;
	if (!rec || !in) goto oom;
	if (path && strategy_part(rec, path, ov, nov, err, errlen)) goto fail;
	for (int i = 0; i < ninputs; i++) {
		json_t *one = json_object();
		if (!one) goto oom;
		json_object_set_new(one, "file", json_string(inputs[i]));
		json_object_set_new(one, "sha256", strcmp(inputs[i], "-") ? sha_or_null(inputs[i]) : json_null());
		json_array_append_new(in, one);
	}
	json_object_set(rec, "inputs", in);
	if (!(text = json_dumps(rec, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15))))
		goto oom;
	json_decref(in);
	json_decref(rec);
	return text;
oom:
	snprintf(err, errlen, "out of memory");
fail:
	json_decref(in);
	json_decref(rec);
	return NULL;
}
