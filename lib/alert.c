/* alert — rules, templates and escaping. See alert.h for the contract. */
#include "alert.h"

#include <stdio.h>
#include <string.h>

static const char *const defaults[] = { "fill", "rejected", "risk_block", "kill_switch", NULL };

/* Default wording per kind; the single-alert prefix is the kind's label. */
static const char *const wording[ALGO_AK_N] = {
	[ALGO_AK_TEXT] = "{text}",
	[ALGO_AK_FILL] = "{side} {qty} {symbol} @ {price} ({strategy})",
	[ALGO_AK_REJECTED] = "order {id}: {reason}",
	[ALGO_AK_RISK_BLOCK] = "{strategy} {side} {qty} {symbol}: {reason}",
	[ALGO_AK_KILL_SWITCH] = "{state} ({scope} {strategy}{user}): {reason}",
	[ALGO_AK_OTHER] = "{type} {id}{symbol} {status} at {ts}",
};

static const char *const labels[ALGO_AK_N][2] = {
	[ALGO_AK_TEXT] = { "alert", "alerts" },
	[ALGO_AK_FILL] = { "fill", "fills" },
	[ALGO_AK_REJECTED] = { "rejected", "rejections" },
	[ALGO_AK_RISK_BLOCK] = { "risk block", "risk blocks" },
	[ALGO_AK_KILL_SWITCH] = { "kill switch", "kill switch changes" },
	[ALGO_AK_OTHER] = { "event", "events" },
};

void algo_alert_rules_init(struct algo_alert_rules *r)
{
	memset(r, 0, sizeof *r);
}

static int type_name_ok(const char *s, size_t n)
{
	if (!n || n >= 32)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || s[i] == '_' || (i && s[i] >= '0' && s[i] <= '9')))
			return 0;
	return 1;
}

int algo_alert_rules_on(struct algo_alert_rules *r, const char *list, char *err, size_t errlen)
{
	const char *p = list;
	r->non = 0;
	for (;;) {
		size_t n = strcspn(p, ",");
		if (!type_name_ok(p, n)) {
			snprintf(err, errlen, "--on: '%.*s' is not an event type (fill, rejected, "
				"risk_block, kill_switch, order_update, order, signal, ...)", (int)(n > 40 ? 40 : n), p);
			return -1;
		}
		if (r->non == ALGO_ALERT_ON_MAX) {
			snprintf(err, errlen, "--on: more than %d types", ALGO_ALERT_ON_MAX);
			return -1;
		}
		snprintf(r->on[r->non++], sizeof r->on[0], "%.*s", (int)n, p);
		if (!p[n])
			return 0;
		p += n + 1;
	}
}

int algo_alert_template_check(const char *t, char *err, size_t errlen)
{
	for (const char *p = t; *p; p++) {
		if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
			p++;
			continue;
		}
		if (*p == '}') {
			snprintf(err, errlen, "--template: '}' at column %ld without '{' (write }} for a brace)",
				(long)(p - t) + 1);
			return -1;
		}
		if (*p == '{') {
			size_t n = strcspn(p + 1, "{}");
			if (p[1 + n] != '}' || !n) {
				snprintf(err, errlen, "--template: '{' at column %ld is not a {field} "
					"(write {{ for a brace)", (long)(p - t) + 1);
				return -1;
			}
			p += n + 1;
		}
	}
	return 0;
}

/* Whether the event's type equals name. */
static int type_is(const struct algo_event *ev, const char *name)
{
	const struct algo_jfield *f = algo_event_get(ev, "type");
	return f && f->vlen == strlen(name) && memcmp(f->val, name, f->vlen) == 0;
}

static int is_rejected(const struct algo_event *ev)
{
	const struct algo_jfield *f = algo_event_get(ev, "status");
	return ev->type == ALGO_EV_ORDER_UPDATE && f && f->type == ALGO_J_STRING && f->vlen == 8 &&
		memcmp(f->val, "rejected", 8) == 0;
}

/* The kind of an event of a selected type name. */
static int kind_of(const struct algo_event *ev, const char *name)
{
	if (strcmp(name, "rejected") == 0)
		return is_rejected(ev) ? ALGO_AK_REJECTED : -1;
	if (!type_is(ev, name))
		return -1;
	switch (ev->type) {
	case ALGO_EV_FILL: return ALGO_AK_FILL;
	case ALGO_EV_RISK_BLOCK: return ALGO_AK_RISK_BLOCK;
	case ALGO_EV_KILL_SWITCH: return ALGO_AK_KILL_SWITCH;
	case ALGO_EV_ORDER_UPDATE: return is_rejected(ev) ? ALGO_AK_REJECTED : ALGO_AK_OTHER;
	default: return ALGO_AK_OTHER;
	}
}

int algo_alert_match(const struct algo_alert_rules *r, const struct algo_event *ev)
{
	int k;
	if (!r->non) {
		for (int i = 0; defaults[i]; i++)
			if ((k = kind_of(ev, defaults[i])) >= 0)
				return k;
		return -1;
	}
	for (int i = 0; i < r->non; i++)
		if ((k = kind_of(ev, r->on[i])) >= 0)
			return k;
	return -1;
}

int algo_alert_prio(int kind)
{
	return kind == ALGO_AK_KILL_SWITCH || kind == ALGO_AK_TEXT ? ALGO_ALERT_HIGH : ALGO_ALERT_LOW;
}

const char *algo_alert_label(int kind, int plural)
{
	return kind >= 0 && kind < ALGO_AK_N ? labels[kind][!!plural] : "alerts";
}

size_t algo_alert_utf8_cut(const char *s, size_t n)
{
	size_t len = strnlen(s, n + 1);
	if (len <= n)
		return len;
	while (n && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	return n;
}

size_t algo_alert_html_escape(const char *s, size_t n, char *out, size_t outlen)
{
	size_t k = 0;
	for (size_t i = 0; i < n && s[i]; i++) {
		const char *rep = s[i] == '&' ? "&amp;" : s[i] == '<' ? "&lt;" : s[i] == '>' ? "&gt;" :
			s[i] == '"' ? "&quot;" : NULL;
		size_t m = rep ? strlen(rep) : 1;
		if (k + m >= outlen)
			break;
		memcpy(out + k, rep ? rep : s + i, m);
		k += m;
	}
	if (outlen)
		out[k] = '\0';
	return k;
}

/* Appends n bytes of s at *k, escaped when html; keeps out NUL-terminated. */
static void put(char *out, size_t outlen, size_t *k, const char *s, size_t n, int html)
{
	if (*k + 1 >= outlen)
		return;
	if (html) {
		*k += algo_alert_html_escape(s, n, out + *k, outlen - *k);
		return;
	}
	if (*k + n >= outlen)
		n = algo_alert_utf8_cut(s, outlen - *k - 1);
	memcpy(out + *k, s, n);
	*k += n;
	out[*k] = '\0';
}

/* The value of field name (n bytes) of ev, appended at *k. */
static void put_field(const struct algo_event *ev, const char *name, size_t n, char *out,
	size_t outlen, size_t *k, int html)
{
	char key[64], val[1024];
	const struct algo_jfield *f;
	long len;
	if (n >= sizeof key)
		return;
	memcpy(key, name, n);
	key[n] = '\0';
	if (!(f = algo_event_get(ev, key)))
		return;
	if (f->type != ALGO_J_STRING) {
		put(out, outlen, k, f->val, f->vlen, html);
		return;
	}
	if (f->escaped && (len = algo_json_unescape(f->val, f->vlen, val, sizeof val)) >= 0)
		put(out, outlen, k, val, (size_t)len, html);
	else
		put(out, outlen, k, f->val, f->vlen, html);
}

/* Collapses runs of spaces and drops spaces before ')' and ':' (absent fields of the
 * default wordings), in place. */
static size_t tidy(char *s, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == ' ' && (i + 1 == n || s[i + 1] == ' ' || s[i + 1] == ')' || s[i + 1] == ':'))
			continue;
		s[k++] = s[i];
	}
	s[k] = '\0';
	return k;
}

size_t algo_alert_render(const struct algo_alert_rules *r, const struct algo_event *ev, int kind,
	char *out, size_t outlen)
{
	const char *t = r->tmpl ? r->tmpl : wording[kind < 0 || kind >= ALGO_AK_N ? ALGO_AK_OTHER : kind];
	size_t k = 0;
	if (!outlen)
		return 0;
	out[0] = '\0';
	for (const char *p = t; *p;) {
		size_t lit = strcspn(p, "{}");
		put(out, outlen, &k, p, lit, 0);
		p += lit;
		if (!*p)
			break;
		if (p[0] == p[1]) {               /* {{ or }} */
			put(out, outlen, &k, p, 1, 0);
			p += 2;
			continue;
		}
		if (*p == '}') {
			put(out, outlen, &k, p++, 1, 0);
			continue;
		}
		lit = strcspn(p + 1, "{}");
		if (p[1 + lit] != '}') {
			put(out, outlen, &k, p++, 1, 0);
			continue;
		}
		put_field(ev, p + 1, lit, out, outlen, &k, r->html);
		p += lit + 2;
	}
	return r->tmpl ? k : tidy(out, k);
}
