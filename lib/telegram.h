/* telegram — the Telegram Bot API client of algo-alert: its configuration and
 * sendMessage over lib/http.h.
 *
 * Configuration: TELEGRAM_BOT_TOKEN, TELEGRAM_CHAT_ID and TELEGRAM_API_BASE (default
 * https://api.telegram.org), each from the environment or else from the file
 * $ALGO_ALERT_CONF (default $XDG_CONFIG_HOME/algo/alert.conf, else
 * ~/.config/algo/alert.conf) of NAME=value lines. The file is refused when group or
 * others may read it or another user owns it: the token is the bot.
 *
 * A message is POSTed as JSON to {BASE}/bot{TOKEN}/sendMessage: chat_id, text, and
 * parse_mode "HTML" in HTML mode (plain text otherwise, which needs no escaping).
 * The reply is classified for the sender: {"ok":true} delivered; 429 honours
 * parameters.retry_after; 5xx and network errors may be tried again; 401, 403, 404
 * and 400 cannot succeed as configured, nor can a TLS certificate that is not trusted
 * ("BASE: TLS certificate not trusted: ...", lib/tlstrust.h). The token never appears in an error message.
 * Nothing here prints or exits. */
#ifndef ALGO_TELEGRAM_H
#define ALGO_TELEGRAM_H
#include <stddef.h>
#include "http.h"

struct algo_telegram {
	char token[256];
	char chat[128];
	char base[512];
	char file[4096];     /* the configuration file read, or "" */
};

/* Loads the configuration into t. Returns 0; 1 when something is missing or wrong
 * (err says exactly what and where to set it); -1 when the file cannot be read or is
 * not private (err says why). */
int algo_telegram_config(struct algo_telegram *t, char *err, size_t errlen);

/* Sends text on h. html: parse_mode HTML. Returns ALGO_DEST_OK, _RETRY (with
 * *retry_ms from retry_after, or -1) or _FATAL (lib/dest.h), err set when not OK. */
int algo_telegram_send(const struct algo_telegram *t, struct algo_http *h, const char *text,
	int html, long timeout_ms, long *retry_ms, char *err, size_t errlen);

#endif
