/* fyers_token — the FYERS session on disk: access and refresh tokens, their expiry
 * and the data socket's hsm_key, in one JSON file readable by its owner only.
 *
 * The file ($FYERS_TOKEN_FILE, default $XDG_CONFIG_HOME/algo/fyers-token.json, else
 * ~/.config/algo/fyers-token.json) is written atomically (a temporary file in the same
 * directory, fsync, rename) with mode 0600 in a 0700 directory, and refused on load
 * when group or others may read or write it or another user owns it: a token is as
 * good as the account. Its members:
 *
 *   {"app_id":"XXXX-100","access_token":"eyJ…","access_expires":"2024-03-02T06:00:00+05:30",
 *    "refresh_token":"eyJ…","refresh_expires":"…","hsm_key":"…","saved":"…"}
 *
 * The expiry times come from the JWTs' own "exp" claims (FYERS publishes no token
 * lifetime). Nothing here prints; tokens never appear in error messages. */
#ifndef ALGO_FYERS_TOKEN_H
#define ALGO_FYERS_TOKEN_H
#include <stddef.h>
#include <stdint.h>

#define ALGO_FYERS_TOKEN_MAX 4096

struct algo_fyers_token {
	char app_id[64];
	char access[ALGO_FYERS_TOKEN_MAX];
	char refresh[ALGO_FYERS_TOKEN_MAX];   /* "" when the broker gave none */
	int64_t access_exp;                   /* epoch ms; 0 unknown */
	int64_t refresh_exp;
	char hsm_key[256];
	char fy_id[64];                       /* the account (JWT "fy_id"), "" unknown */
	int64_t saved;
};

/* Claims of a JWT read without checking its signature (only FYERS can, and the
 * broker checks it on every request): exp (epoch ms, 0 when absent), hsm_key and
 * fy_id ("" when absent). Returns 0, or -1 with err set when jwt is not a JWT. */
int algo_fyers_jwt_claims(const char *jwt, int64_t *exp_ms, char *hsm_key, size_t hsmlen,
	char *fy_id, size_t fylen, char *err, size_t errlen);

/* The token file path: $FYERS_TOKEN_FILE, else the default above. Returns 0 or -1. */
int algo_fyers_token_path(char *out, size_t outlen);

/* Loads path into t. Returns 0; 1 when the file does not exist (not logged in);
 * -1 with err set when it cannot be read, is malformed, or has unsafe permissions
 * (errno EACCES then). */
int algo_fyers_token_load(const char *path, struct algo_fyers_token *t, char *err, size_t errlen);

/* Writes t to path atomically (see above). Returns 0 or -1 with err set. */
int algo_fyers_token_save(const char *path, const struct algo_fyers_token *t, char *err,
	size_t errlen);

/* Checks that path is a regular file owned by the caller with no group/other
 * permission bits. Returns 0, or -1 with err naming the problem ("mode 0644: must be
 * 0600 (chmod 600 FILE)"). Used for the token and FYERS_SECRET_FILE. */
int algo_fyers_private_file(const char *path, int fd, char *err, size_t errlen);

#endif
