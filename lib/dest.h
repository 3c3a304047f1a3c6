/* dest — where alerts go: Telegram (lib/telegram.h), a webhook (lib/webhook.h) or a
 * command's stdin. One interface for the sender (lib/sender.h): deliver one message
 * and say whether it arrived, may be tried again later, or never will.
 *
 * Each destination has a key that names it in the outbox (lib/outbox.h) without any
 * secret: "telegram:<chat id>", "webhook:<first 16 hex digits of the URL's SHA-256>",
 * "exec:<the same of the command>". A handle is used by one thread at a time. A command
 * that does not read its stdin makes our write fail with EPIPE, which is ignored: the
 * process must ignore SIGPIPE (algo_cli_init does). Nothing here prints or exits. */
#ifndef ALGO_DEST_H
#define ALGO_DEST_H
#include <stddef.h>
#include "http.h"
#include "telegram.h"

/* What a delivery came to. RETRY: not delivered this time (a network error, 5xx, a
 * 429, a command that failed); *retry_ms is the wait the other side asked for, or -1.
 * FATAL: this destination cannot take messages as configured (a refused token, an
 * unknown chat, a TLS certificate not trusted, a command not found); err says what to
 * fix. */
enum { ALGO_DEST_OK = 0, ALGO_DEST_RETRY = 1, ALGO_DEST_FATAL = 2 };

enum { ALGO_DEST_TELEGRAM = 1, ALGO_DEST_WEBHOOK, ALGO_DEST_EXEC };

#define ALGO_DEST_KEY_MAX 160

struct algo_dest {
	int kind;
	char key[ALGO_DEST_KEY_MAX];
	struct algo_telegram tg;       /* ALGO_DEST_TELEGRAM */
	const char *target;            /* the webhook URL or the command (not copied) */
	int html;                      /* texts are Telegram HTML */
	long timeout_ms;               /* one request (0: 10,000) */
	struct algo_http http;
	int http_ready;
};

/* Sets d up. Telegram: tg must already hold a configuration (algo_telegram_config).
 * Webhook: target is the URL (http or https). Exec: target is a shell command. Returns
 * 0, or -1 with err set. Free with algo_dest_free. */
int algo_dest_init(struct algo_dest *d, int kind, const char *target, int html, char *err,
	size_t errlen);
void algo_dest_free(struct algo_dest *d);

/* Delivers text (UTF-8, at most ALGO_ALERT_TEXT_MAX bytes). Returns ALGO_DEST_*; err
 * says why when it is not OK, never holding a token or a webhook URL. */
int algo_dest_deliver(struct algo_dest *d, const char *text, long *retry_ms, char *err,
	size_t errlen);

#endif
