/* Unit tests of lib/alert (rules, templates, escaping) and lib/alertq (folding,
 * batching, priorities). */
#include "alert.h"
#include "alertq.h"
#include "tap.h"
#include <stdlib.h>

static struct algo_event ev;
static char line[1024];

static const struct algo_event *parse(const char *s)
{
	char err[ALGO_ERR_MAX];
	snprintf(line, sizeof line, "%s", s);
	if (algo_event_parse(&ev, line, strlen(line), err, sizeof err))
		printf("# parse: %s\n", err);
	return &ev;
}

static void rules(void)
{
	struct algo_alert_rules r;
	char err[ALGO_ERR_MAX];
	algo_alert_rules_init(&r);
	is_int(algo_alert_match(&r, parse("{\"type\":\"fill\",\"ts\":\"t\"}")), ALGO_AK_FILL, "fill alerts by default");
	is_int(algo_alert_match(&r, parse("{\"type\":\"order_update\",\"ts\":\"t\",\"status\":\"rejected\"}")),
		ALGO_AK_REJECTED, "a rejection alerts by default");
	is_int(algo_alert_match(&r, parse("{\"type\":\"order_update\",\"ts\":\"t\",\"status\":\"accepted\"}")),
		-1, "an accepted order does not");
	is_int(algo_alert_match(&r, parse("{\"type\":\"bar\",\"ts\":\"t\"}")), -1, "a bar does not");
	is_int(algo_alert_prio(ALGO_AK_KILL_SWITCH), ALGO_ALERT_HIGH, "kill switch is high priority");
	is_int(algo_alert_prio(ALGO_AK_FILL), ALGO_ALERT_LOW, "a fill is low priority");
	is_int(algo_alert_rules_on(&r, "bar,kill_switch", err, sizeof err), 0, "--on bar,kill_switch");
	is_int(algo_alert_match(&r, parse("{\"type\":\"bar\",\"ts\":\"t\"}")), ALGO_AK_OTHER, "now a bar alerts");
	is_int(algo_alert_match(&r, parse("{\"type\":\"fill\",\"ts\":\"t\"}")), -1, "and a fill does not");
	ok(algo_alert_rules_on(&r, "fill,,x", err, sizeof err) < 0, "an empty type is refused: %s", err);
	ok(algo_alert_template_check("{a} {{b}} }", err, sizeof err) < 0, "a lone } is refused: %s", err);
	is_int(algo_alert_template_check("{a} {{b}}", err, sizeof err), 0, "braces doubled are fine");
}

static void render(void)
{
	struct algo_alert_rules r;
	char out[256];
	const struct algo_event *e = parse("{\"type\":\"kill_switch\",\"ts\":\"t\",\"scope\":\"all\","
		"\"state\":\"halted\",\"reason\":\"a \\\"q\\\" <b> & c\",\"n\":1.50}");
	algo_alert_rules_init(&r);
	algo_alert_render(&r, e, ALGO_AK_KILL_SWITCH, out, sizeof out);
	is_str(out, "halted (all): a \"q\" <b> & c", "default wording, absent fields tidied away");
	r.tmpl = "<i>{reason}</i> {n} {missing}|{{}}";
	r.html = 1;
	algo_alert_render(&r, e, ALGO_AK_KILL_SWITCH, out, sizeof out);
	is_str(out, "<i>a &quot;q&quot; &lt;b&gt; &amp; c</i> 1.50 |{}", "HTML: fields escaped, template kept");
	r.html = 0;
	algo_alert_render(&r, e, ALGO_AK_KILL_SWITCH, out, 8);
	is_str(out, "<i>a \"q", "cut to the buffer");
	is_int(algo_alert_utf8_cut("a\xe2\x82\xb9", 2), 1, "a cut never splits a UTF-8 character");
}

static void queue(void)
{
	struct algo_alertq q;
	struct algo_alert_msg m;
	algo_alertq_init(&q, 3);
	algo_alertq_push(&q, ALGO_AK_FILL, ALGO_ALERT_LOW, "f1", 0);
	is_int(algo_alertq_take(&q, &m), 1, "one message");
	is_str(m.text, "fill: f1", "a single alert has its label");
	algo_alert_msg_free(&m);
	for (int i = 2; i <= 7; i++) {
		char t[8];
		snprintf(t, sizeof t, "f%d", i);
		algo_alertq_push(&q, ALGO_AK_FILL, ALGO_ALERT_LOW, t, i == 2 ? 42 : 0);
	}
	algo_alertq_push(&q, ALGO_AK_KILL_SWITCH, ALGO_ALERT_HIGH, "halted", 0);
	algo_alertq_push(&q, ALGO_AK_RISK_BLOCK, ALGO_ALERT_LOW, "b1", 0);
	is_int(q.folded[ALGO_AK_FILL], 4, "the oldest fills folded to keep 3 low alerts");
	algo_alertq_take(&q, &m);
	is_str(m.text, "kill switch: halted", "high priority first, alone");
	algo_alert_msg_free(&m);
	algo_alertq_take(&q, &m);
	is_str(m.text, "2 fills:\nf6\nf7\n4 more fills", "the rest of the fills batched with the count");
	is_int(m.alerts, 6, "standing for six alerts");
	is_int(m.nids, 1, "carrying the outbox id of a folded one");
	is_int(m.nids ? m.ids[0] : 0, 42, "that id");
	algo_alert_msg_free(&m);
	algo_alertq_take(&q, &m);
	is_str(m.text, "risk block: b1", "then the next kind");
	algo_alert_msg_free(&m);
	is_int(algo_alertq_take(&q, &m), 0, "then nothing");
	ok(!algo_alertq_pending(&q), "nothing pending");
	algo_alertq_free(&q);
}

static void big_batch(void)
{
	struct algo_alertq q;
	struct algo_alert_msg m;
	char t[64];
	long total = 0;
	int msgs = 0;
	algo_alertq_init(&q, 1000);
	for (int i = 0; i < 500; i++) {
		snprintf(t, sizeof t, "buy 10 NSE:SBIN-EQ @ 752.5 (demo) #%d", i);
		algo_alertq_push(&q, ALGO_AK_FILL, ALGO_ALERT_LOW, t, 0);
	}
	while (algo_alertq_take(&q, &m) == 1) {
		ok(strlen(m.text) <= ALGO_ALERT_TEXT_MAX, "message %d fits (%zu bytes)", msgs, strlen(m.text));
		total += m.alerts;
		msgs++;
		algo_alert_msg_free(&m);
	}
	is_int(total, 500, "500 fills in %d messages", msgs);
	ok(msgs <= 6, "a handful of messages");
	algo_alertq_free(&q);
}

int main(void)
{
	rules();
	render();
	queue();
	big_batch();
	return tap_done();
}
