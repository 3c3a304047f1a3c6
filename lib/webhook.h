/* webhook — alert text as a JSON POST to a chat webhook, over lib/http.h.
 *
 * The payload shape follows the URL: Discord webhooks (a host ending in discord.com
 * or discordapp.com) take {"content": TEXT}; every other URL gets Slack's
 * {"text": TEXT}, which Slack, Mattermost, Rocket.Chat and most generic receivers
 * accept. A 2xx reply is delivered; 429 (with Retry-After) and 5xx may be tried again;
 * another 4xx cannot succeed, nor can a TLS certificate that is not trusted ("webhook
 * https://HOST/…: TLS certificate not trusted: ...", lib/tlstrust.h). The URL is a
 * secret (it is the credential): it never appears in an error message, only its
 * scheme and host. Nothing here prints or exits. */
#ifndef ALGO_WEBHOOK_H
#define ALGO_WEBHOOK_H
#include <stddef.h>
#include "http.h"

enum { ALGO_WEBHOOK_SLACK = 0, ALGO_WEBHOOK_DISCORD = 1 };

/* The payload shape for url. */
int algo_webhook_shape(const char *url);

/* The JSON body for text in that shape (malloc'd), or NULL when out of memory. */
char *algo_webhook_body(int shape, const char *text);

/* POSTs text to url on h. Returns ALGO_DEST_OK, _RETRY (*retry_ms from Retry-After,
 * or -1) or _FATAL (lib/dest.h), err set when not OK. */
int algo_webhook_send(const char *url, struct algo_http *h, const char *text, long timeout_ms,
	long *retry_ms, char *err, size_t errlen);

#endif
