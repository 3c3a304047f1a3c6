/* alert — which events become alerts and what they say.
 *
 * Rules. By default fills, rejected orders (order_update with status rejected),
 * risk blocks and kill switch changes alert; --on names the event types instead
 * (any type, plus "rejected" for rejected order updates). Kill switch changes and
 * texts sent by hand (algo-alert send: a pipeline's failure) are high priority: never
 * batched with others, never folded away.
 *
 * Text. Each kind has a default wording; a template replaces it, with {field} taking
 * the event's top-level field (a string unescaped, any other value as its JSON text,
 * an absent one as nothing) and {{ and }} giving braces. Plain text by default; in
 * HTML mode (Telegram parse_mode HTML) a template's own text is kept as written and
 * every field value is escaped (&, <, >, ").
 *
 * Messages. lib/alertq.h batches alerts of one kind into one message: "5 fills:" then
 * one line each; a single alert is "fill: …". Nothing here prints or exits. */
#ifndef ALGO_ALERT_H
#define ALGO_ALERT_H
#include <stddef.h>
#include "event.h"

#define ALGO_ALERT_TEXT_MAX 4000     /* bytes of a message (Telegram allows 4096 characters) */
#define ALGO_ALERT_ON_MAX 16         /* event types --on may name */

enum { ALGO_ALERT_LOW = 0, ALGO_ALERT_HIGH = 1 };

/* Kinds: what batches together, with a singular and a plural label. */
enum { ALGO_AK_TEXT = 0, ALGO_AK_FILL, ALGO_AK_REJECTED, ALGO_AK_RISK_BLOCK, ALGO_AK_KILL_SWITCH,
	ALGO_AK_OTHER, ALGO_AK_N };

struct algo_alert_rules {
	char on[ALGO_ALERT_ON_MAX][32];  /* selected types; non = the defaults */
	int non;
	const char *tmpl;                /* NULL: the default wording */
	int html;
};

/* Sets the defaults. */
void algo_alert_rules_init(struct algo_alert_rules *r);

/* Parses a --on list ("fill,kill_switch"). Returns 0, or -1 with err naming the bad
 * entry. */
int algo_alert_rules_on(struct algo_alert_rules *r, const char *list, char *err, size_t errlen);

/* Checks a template's braces. Returns 0, or -1 with err saying where it is wrong. */
int algo_alert_template_check(const char *tmpl, char *err, size_t errlen);

/* The kind ev alerts as (ALGO_AK_*), or -1 when it does not alert. */
int algo_alert_match(const struct algo_alert_rules *r, const struct algo_event *ev);

/* The priority of a kind. */
int algo_alert_prio(int kind);

/* "fill" / "fills" and so on. */
const char *algo_alert_label(int kind, int plural);

/* Writes the alert's line for ev (kind from algo_alert_match) into out. Returns its
 * length (cut at outlen - 1 on a UTF-8 boundary). */
size_t algo_alert_render(const struct algo_alert_rules *r, const struct algo_event *ev, int kind,
	char *out, size_t outlen);

/* Escapes s for Telegram HTML into out (cut to fit). Returns the length. */
size_t algo_alert_html_escape(const char *s, size_t n, char *out, size_t outlen);

/* The length of s cut to at most n bytes without splitting a UTF-8 character. */
size_t algo_alert_utf8_cut(const char *s, size_t n);

#endif
