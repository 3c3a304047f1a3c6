/* telegram — Bot API configuration and sendMessage. See telegram.h for the contract. */
#include "telegram.h"
#include "dest.h"
#include "fyers_token.h"
#include "tlstrust.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_BASE "https://api.telegram.org"

static const char *const conf_keys[] = { "TELEGRAM_BOT_TOKEN", "TELEGRAM_CHAT_ID",
	"TELEGRAM_API_BASE", NULL };

static char *conf_slot(struct algo_telegram *t, int k, size_t *len)
{
	char *slots[] = { t->token, t->chat, t->base };
	size_t lens[] = { sizeof t->token, sizeof t->chat, sizeof t->base };
	*len = lens[k];
	return slots[k];
}

static int conf_path(char *out, size_t len)
{
	const char *p = getenv("ALGO_ALERT_CONF"), *x = getenv("XDG_CONFIG_HOME"), *h = getenv("HOME");
	int n;
	if (p && p[0])
		n = snprintf(out, len, "%s", p);
	else if (x && x[0])
		n = snprintf(out, len, "%s/algo/alert.conf", x);
	else if (h && h[0])
		n = snprintf(out, len, "%s/.config/algo/alert.conf", h);
	else
		return -1;
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* Strips white space and one pair of surrounding quotes, in place. */
static char *trim_value(char *v)
{
	size_t n;
	while (isspace((unsigned char)*v)) v++;
	n = strlen(v);
	while (n && isspace((unsigned char)v[n - 1])) v[--n] = '\0';
	if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
		v[n - 1] = '\0';
		v++;
	}
	return v;
}

/* One NAME=value line of the file; unknown names and comments are ignored. */
static int conf_line(struct algo_telegram *t, char *line, long lineno, char *err, size_t errlen)
{
	char *eq, *name = line, *val;
	size_t len;
	while (isspace((unsigned char)*name)) name++;
	if (!*name || *name == '#')
		return 0;
	if (strncmp(name, "export ", 7) == 0)
		name += 7;
	if (!(eq = strchr(name, '='))) {
		snprintf(err, errlen, "%s:%ld: expected NAME=value", t->file, lineno);
		return 1;
	}
	*eq = '\0';
	val = trim_value(eq + 1);
	for (int k = 0; conf_keys[k]; k++) {
		char *slot = conf_slot(t, k, &len);
		if (strcmp(trim_value(name), conf_keys[k]) != 0)
			continue;
		if (strlen(val) >= len) {
			snprintf(err, errlen, "%s:%ld: %s is too long", t->file, lineno, conf_keys[k]);
			return 1;
		}
		snprintf(slot, len, "%s", val);
	}
	return 0;
}

static int read_file(struct algo_telegram *t, char *err, size_t errlen)
{
	char line[1024];
	long lineno = 0;
	int rc = 0;
	FILE *f;
	if (conf_path(t->file, sizeof t->file)) {
		t->file[0] = '\0';
		return 0;
	}
	if (!(f = fopen(t->file, "r"))) {
		if (errno == ENOENT) {
			t->file[0] = '\0';
			return 0;
		}
		snprintf(err, errlen, "%s: %s", t->file, strerror(errno));
		return -1;
	}
	if (algo_fyers_private_file(t->file, fileno(f), err, errlen)) {
		fclose(f);
		return -1;
	}
	while (rc == 0 && fgets(line, sizeof line, f)) {
		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		rc = conf_line(t, line, lineno, err, errlen);
	}
	fclose(f);
	return rc;
}

static int token_ok(const char *tok)
{
	const char *p = tok;
	while (isdigit((unsigned char)*p)) p++;
	if (p == tok || *p != ':' || !p[1])
		return 0;
	for (p++; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-')
			return 0;
	return 1;
}

static int chat_ok(const char *c)
{
	const char *p = c + (c[0] == '-');
	if (c[0] == '@')
		return c[1] != '\0' && strcspn(c + 1, " \t/?#&") == strlen(c + 1);
	if (!*p)
		return 0;
	for (; *p; p++)
		if (!isdigit((unsigned char)*p))
			return 0;
	return 1;
}

int algo_telegram_config(struct algo_telegram *t, char *err, size_t errlen)
{
	const char *where;
	size_t len;
	int rc;
	memset(t, 0, sizeof *t);
	if ((rc = read_file(t, err, errlen)) != 0)
		return rc;
	for (int k = 0; conf_keys[k]; k++) {
		const char *v = getenv(conf_keys[k]);
		char *slot = conf_slot(t, k, &len);
		if (v && v[0] && strlen(v) < len)
			snprintf(slot, len, "%s", v);
	}
	where = t->file[0] ? t->file : "$XDG_CONFIG_HOME/algo/alert.conf";
	if (!t->base[0])
		snprintf(t->base, sizeof t->base, "%s", DEFAULT_BASE);
	len = strlen(t->base);
	while (len && t->base[len - 1] == '/') t->base[--len] = '\0';
	if (!t->token[0])
		snprintf(err, errlen, "TELEGRAM_BOT_TOKEN is not set (in the environment or in %s)", where);
	else if (!token_ok(t->token))
		snprintf(err, errlen, "TELEGRAM_BOT_TOKEN does not look like a bot token "
			"(digits, ':', then letters, digits, '_' or '-', as @BotFather gives it)");
	else if (!t->chat[0])
		snprintf(err, errlen, "TELEGRAM_CHAT_ID is not set (in the environment or in %s)", where);
	else if (!chat_ok(t->chat))
		snprintf(err, errlen, "TELEGRAM_CHAT_ID '%s' is not a chat id (an integer, negative "
			"for groups, or @channelname)", t->chat);
	else if (strncmp(t->base, "http://", 7) && strncmp(t->base, "https://", 8))
		snprintf(err, errlen, "TELEGRAM_API_BASE '%s' is not an http(s) URL", t->base);
	else
		return 0;
	return 1;
}

/* The request body: {"chat_id":…,"text":…[,"parse_mode":"HTML"]}. NULL: out of memory. */
static char *message_body(const struct algo_telegram *t, const char *text, int html)
{
	json_t *o = json_pack("{s:s,s:s}", "chat_id", t->chat, "text", text);
	char *s;
	if (o && html)
		json_object_set_new(o, "parse_mode", json_string("HTML"));
	s = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	return s;
}

/* Why a 4xx reply means the configuration is wrong. */
static void fatal_reason(const struct algo_telegram *t, long status, const char *desc, char *err,
	size_t errlen)
{
	if (status == 401)
		snprintf(err, errlen, "Telegram refused the bot token (401 %s): check TELEGRAM_BOT_TOKEN",
			desc);
	else if (status == 404)
		snprintf(err, errlen, "Telegram answered 404 %s: the bot token or TELEGRAM_API_BASE "
			"(%s) is wrong", desc, t->base);
	else
		snprintf(err, errlen, "Telegram cannot send to chat %s (%ld %s): check "
			"TELEGRAM_CHAT_ID and that the bot is a member of the chat", t->chat, status, desc);
}

/* What a reply that came says. */
static int classify(const struct algo_telegram *t, const struct algo_http_resp *rs, long *retry_ms,
	char *err, size_t errlen)
{
	json_t *root = rs->body ? json_loads(rs->body, 0, NULL) : NULL;
	json_t *ra = json_object_get(json_object_get(root, "parameters"), "retry_after");
	const char *desc = json_string_value(json_object_get(root, "description"));
	int ok = json_is_true(json_object_get(root, "ok")), rc;
	if (!desc)
		desc = "no description";
	if (rs->status == 200 && ok)
		rc = ALGO_DEST_OK;
	else if (rs->status == 429) {
		*retry_ms = json_is_integer(ra) ? (long)json_integer_value(ra) * 1000 : rs->retry_after_ms;
		snprintf(err, errlen, "Telegram: 429 %s", desc);
		rc = ALGO_DEST_RETRY;
	} else if (rs->status >= 500 || rs->status == 200) {
		snprintf(err, errlen, "Telegram: HTTP %ld: %s", rs->status, desc);
		rc = ALGO_DEST_RETRY;
	} else {
		fatal_reason(t, rs->status, desc, err, errlen);
		rc = ALGO_DEST_FATAL;
	}
	json_decref(root);
	return rc;
}

int algo_telegram_send(const struct algo_telegram *t, struct algo_http *h, const char *text,
	int html, long timeout_ms, long *retry_ms, char *err, size_t errlen)
{
	static const char *const headers[] = { "Content-Type: application/json", NULL };
	char url[1024], herr[512];
	char *body = message_body(t, text, html);
	struct algo_http_req rq = { .method = "POST", .url = url, .headers = headers,
		.timeout_ms = timeout_ms };
	struct algo_http_resp rs;
	int rc;
	*retry_ms = -1;
	if (!body) {
		snprintf(err, errlen, "out of memory");
		return ALGO_DEST_RETRY;
	}
	snprintf(url, sizeof url, "%s/bot%s/sendMessage", t->base, t->token);
	rq.body = body;
	rq.body_len = strlen(body);
	rc = algo_http_do(h, &rq, &rs, herr, sizeof herr);
	free(body);
	if (rc == ALGO_HTTP_OK)
		rc = classify(t, &rs, retry_ms, err, errlen);
	else if (rc == ALGO_HTTP_ETLS) {
		/* the base, not the URL: the path holds the token */
		snprintf(err, errlen, "%s: %s", t->base, algo_tls_untrusted_reason(herr));
		rc = ALGO_DEST_FATAL;
	} else {
		/* herr names the method and host, never the path that holds the token */
		snprintf(err, errlen, "cannot reach Telegram at %s: %s", t->base,
			strstr(herr, ": ") ? strstr(herr, ": ") + 2 : herr);
		rc = rc == ALGO_HTTP_EUSAGE ? ALGO_DEST_FATAL : ALGO_DEST_RETRY;
	}
	algo_http_resp_free(&rs);
	return rc;
}
