/* fyers_token — the session file. See fyers_token.h for the contract. */
#include "fyers_token.h"
#include "timeutil.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int b64url_value(int c)
{
	if (c >= 'A' && c <= 'Z') return c - 'A';
	if (c >= 'a' && c <= 'z') return c - 'a' + 26;
	if (c >= '0' && c <= '9') return c - '0' + 52;
	if (c == '-' || c == '+') return 62;
	if (c == '_' || c == '/') return 63;
	return -1;
}

/* Decodes n bytes of unpadded base64url into out; returns the length or -1. */
static long b64url_decode(const char *s, size_t n, char *out, size_t outlen)
{
	uint32_t acc = 0;
	int bits = 0;
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		int v;
		if (s[i] == '=')
			break;
		if ((v = b64url_value((unsigned char)s[i])) < 0)
			return -1;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (k + 1 >= outlen)
				return -1;
			out[k++] = (char)((acc >> bits) & 0xff);
		}
	}
	out[k] = '\0';
	return (long)k;
}

static void copy_claim(json_t *root, const char *key, char *out, size_t len)
{
	const char *v = json_string_value(json_object_get(root, key));
	if (out && len)
		snprintf(out, len, "%s", v && strlen(v) < len ? v : "");
}

int algo_fyers_jwt_claims(const char *jwt, int64_t *exp_ms, char *hsm_key, size_t hsmlen,
	char *fy_id, size_t fylen, char *err, size_t errlen)
{
	const char *p1 = strchr(jwt, '.'), *p2 = p1 ? strchr(p1 + 1, '.') : NULL;
	char payload[ALGO_FYERS_TOKEN_MAX];
	json_t *root, *exp;
	long n;

	if (!p1 || !p2 || p2 == p1 + 1 ||
	    (n = b64url_decode(p1 + 1, (size_t)(p2 - p1 - 1), payload, sizeof payload)) < 0 ||
	    !(root = json_loadb(payload, (size_t)n, 0, NULL))) {
		snprintf(err, errlen, "the token is not a JWT");
		return -1;
	}
	exp = json_object_get(root, "exp");
	*exp_ms = json_is_integer(exp) && json_integer_value(exp) > 0 ? json_integer_value(exp) * 1000 : 0;
	copy_claim(root, "hsm_key", hsm_key, hsmlen);
	copy_claim(root, "fy_id", fy_id, fylen);
	json_decref(root);
	return 0;
}

int algo_fyers_token_path(char *out, size_t outlen)
{
	const char *v;
	int n;
	if ((v = getenv("FYERS_TOKEN_FILE")) && *v)
		n = snprintf(out, outlen, "%s", v);
	else if ((v = getenv("XDG_CONFIG_HOME")) && *v == '/')
		n = snprintf(out, outlen, "%s/algo/fyers-token.json", v);
	else if ((v = getenv("HOME")) && *v)
		n = snprintf(out, outlen, "%s/.config/algo/fyers-token.json", v);
	else
		return -1;
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

int algo_fyers_private_file(const char *path, int fd, char *err, size_t errlen)
{
	struct stat st;
	if ((fd >= 0 ? fstat(fd, &st) : stat(path, &st)) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		errno = EACCES;
		return -1;
	}
	if (st.st_uid != geteuid()) {
		snprintf(err, errlen, "%s: owned by another user (uid %ld): refused", path, (long)st.st_uid);
		errno = EACCES;
		return -1;
	}
	if (st.st_mode & 077) {
		snprintf(err, errlen, "%s: mode %04o lets others read or change it: refused (chmod 600 %s)",
			path, (unsigned)(st.st_mode & 07777), path);
		errno = EACCES;
		return -1;
	}
	return 0;
}

static int get_str(json_t *root, const char *key, int required, char *out, size_t len,
	const char *path, char *err, size_t errlen)
{
	json_t *v = json_object_get(root, key);
	if (!v && !required) {
		out[0] = '\0';
		return 0;
	}
	if (!json_is_string(v) || json_string_length(v) >= len) {
		snprintf(err, errlen, "%s: member '%s' %s", path, key,
			!v ? "is missing" : !json_is_string(v) ? "must be a string" : "is too long");
		return -1;
	}
	snprintf(out, len, "%s", json_string_value(v));
	return 0;
}

static int get_time(json_t *root, const char *key, int64_t *ms)
{
	const char *s = json_string_value(json_object_get(root, key));
	*ms = 0;
	return s && *s ? algo_time_parse(s, strlen(s), ms) : 0;
}

int algo_fyers_token_load(const char *path, struct algo_fyers_token *t, char *err, size_t errlen)
{
	json_error_t je;
	json_t *root;
	int fd, rc = -1;

	memset(t, 0, sizeof *t);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		if (errno == ENOENT)
			return 1;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (algo_fyers_private_file(path, fd, err, errlen) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	root = json_loadfd(fd, 0, &je);
	close(fd);
	if (!json_is_object(root)) {
		snprintf(err, errlen, "%s:%d: %s", path, root ? 1 : je.line, root ? "must be a JSON object" : je.text);
		json_decref(root);
		errno = EINVAL;
		return -1;
	}
	if (get_str(root, "app_id", 1, t->app_id, sizeof t->app_id, path, err, errlen) ||
	    get_str(root, "access_token", 1, t->access, sizeof t->access, path, err, errlen) ||
	    get_str(root, "refresh_token", 0, t->refresh, sizeof t->refresh, path, err, errlen) ||
	    get_str(root, "hsm_key", 0, t->hsm_key, sizeof t->hsm_key, path, err, errlen) ||
	    get_str(root, "fy_id", 0, t->fy_id, sizeof t->fy_id, path, err, errlen))
		goto out;
	if (get_time(root, "access_expires", &t->access_exp) || get_time(root, "refresh_expires", &t->refresh_exp) ||
	    get_time(root, "saved", &t->saved)) {
		snprintf(err, errlen, "%s: a time member is not RFC 3339", path);
		goto out;
	}
	rc = 0;
out:
	json_decref(root);
	if (rc)
		errno = EINVAL;
	return rc;
}

static int set_time(json_t *o, const char *key, int64_t ms)
{
	char buf[ALGO_TIME_FMT_MAX];
	if (ms <= 0)
		return json_object_set_new(o, key, json_null());
	algo_time_fmt(ms, ALGO_IST_OFFSET_MIN, buf);
	return json_object_set_new(o, key, json_string(buf));
}

static int make_parent(const char *path, char *err, size_t errlen)
{
	char dir[4096];
	snprintf(dir, sizeof dir, "%s", path);
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
			snprintf(err, errlen, "%s: %s", dir, strerror(errno));
			return -1;
		}
		*p = '/';
	}
	return 0;
}

int algo_fyers_token_save(const char *path, const struct algo_fyers_token *t, char *err,
	size_t errlen)
{
	char tmp[4200], *text;
	json_t *o = json_object();
	size_t len;
	int fd, n;
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	if (!o || json_object_set_new(o, "app_id", json_string(t->app_id)) ||
	    json_object_set_new(o, "access_token", json_string(t->access)) ||
	    set_time(o, "access_expires", t->access_exp) ||
	    json_object_set_new(o, "refresh_token", json_string(t->refresh)) ||
	    set_time(o, "refresh_expires", t->refresh_exp) ||
	    json_object_set_new(o, "hsm_key", json_string(t->hsm_key)) ||
	    json_object_set_new(o, "fy_id", json_string(t->fy_id)) ||
	    set_time(o, "saved", (int64_t)now.tv_sec * 1000) ||
	    !(text = json_dumps(o, JSON_INDENT(1) | JSON_PRESERVE_ORDER))) {
		json_decref(o);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	json_decref(o);
	len = strlen(text);
	n = snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
	if (n < 0 || (size_t)n >= sizeof tmp || make_parent(path, err, errlen) < 0) {
		if (n < 0 || (size_t)n >= sizeof tmp)
			snprintf(err, errlen, "%s: path too long", path);
		free(text);
		return -1;
	}
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		free(text);
		return -1;
	}
	if (write(fd, text, len) != (ssize_t)len || write(fd, "\n", 1) != 1 || fsync(fd) != 0) {
		snprintf(err, errlen, "%s: write: %s", tmp, errno ? strerror(errno) : "short write");
		close(fd);
		unlink(tmp);
		free(text);
		return -1;
	}
	free(text);
	if (close(fd) != 0 || rename(tmp, path) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}
