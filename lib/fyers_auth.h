/* fyers_auth — logging in to FYERS (the OAuth-style auth-code flow), refreshing and
 * ending the session.
 *
 * Login: the user opens algo_fyers_login_url in a browser and logs in; FYERS redirects
 * the browser to the app's redirect URI with auth_code and state in the query. When
 * that URI is a loopback http address (http://127.0.0.1:PORT/PATH or localhost), a
 * small listener catches the redirect (algo_fyers_redirect_*); otherwise the user
 * pastes the code or the whole redirected URL (algo_fyers_extract_code). The code is
 * exchanged with appIdHash = SHA-256 hex of "APP_ID:SECRET" (never the secret itself)
 * for an access and a refresh token, saved with their expiry (lib/fyers_token.h).
 *
 * Nothing here prints; secrets never appear in messages. */
#ifndef ALGO_FYERS_AUTH_H
#define ALGO_FYERS_AUTH_H
#include "fyers.h"
#include <stddef.h>

/* A random opaque state for the login URL (32 hex digits + NUL). Returns 0 or -1. */
int algo_fyers_new_state(char out[33]);

/* The generate-authcode URL for the handle's app id and redirect URI. Returns 0 or -1
 * (too long). */
int algo_fyers_login_url(const struct algo_fyers *f, const char *state, char *out, size_t outlen);

/* A listener for the redirect, when uri is loopback http. */
struct algo_fyers_redirect {
	int fd;
	int port;
	char path[256];
};

/* Binds 127.0.0.1:PORT of uri. Returns 1 listening; 0 when uri is not a loopback
 * http URI with a port (the code has to be pasted); -1 with err set when binding fails
 * (the port is in use...). Close with algo_fyers_redirect_close. */
int algo_fyers_redirect_listen(struct algo_fyers_redirect *r, const char *uri, char *err, size_t errlen);

/* Waits up to timeout_ms for the browser's redirect carrying state; answers the
 * browser with a short page; ignores other requests (a favicon, a stale tab with
 * another state). Returns 0 with the auth code in code, -1 with err set (time-out,
 * FYERS reported an error in the redirect). */
int algo_fyers_redirect_wait(struct algo_fyers_redirect *r, const char *state, long timeout_ms,
	char *code, size_t codelen, char *err, size_t errlen);
void algo_fyers_redirect_close(struct algo_fyers_redirect *r);

/* The auth code in text: a bare code, or a URL / query string holding auth_code=.
 * When state is non-NULL and text carries a state, they must match. Returns 0 or -1
 * with err set. */
int algo_fyers_extract_code(const char *text, const char *state, char *code, size_t codelen,
	char *err, size_t errlen);

/* Exchanges an auth code for tokens (validate-authcode) and saves the session to
 * f->cfg.token_path; f must have been opened with ALGO_FYERS_NEED_SECRET. Returns a
 * class (EAUTH with the broker's message for -371 bad secret, -437 bad code). */
int algo_fyers_login_code(struct algo_fyers *f, const char *code, char *err, size_t errlen);

/* Gets a new access token with the refresh token and the user's PIN
 * (validate-refresh-token) and saves the session. Needs the secret. Returns a class. */
int algo_fyers_refresh(struct algo_fyers *f, const char *pin, char *err, size_t errlen);

/* Logs the session out at FYERS (when it still has one) and removes the token file.
 * *remote is set to 1 when FYERS confirmed, 0 when the token was already invalid
 * there. Returns a class (OK also when only the local file was removed). */
int algo_fyers_logout(struct algo_fyers *f, int *remote, char *err, size_t errlen);

#endif
