/* lib/fyers, lib/fyers_token and lib/ratelimit: error classes and exit codes, the app
 * hash, JWT claims, the session file's permissions, the shared request budget on a
 * fake clock, and (with $MOCK_URL and a session from the bats test) the retry policy
 * against the mock: what is sent again, what never is. */
#include "fyers.h"
#include "fyers_order.h"
#include "fyers_token.h"
#include "ratelimit.h"
#include "tap.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int64_t fake_now;

/* Runs a control command against the mock. */
static void sh(const char *cmd)
{
	if (system(cmd) != 0)
		printf("# control command failed: %s\n", cmd);
}
static int64_t fake_clock(void) { return fake_now; }

static void classes(void)
{
	is_int(algo_fyers_classify(200, 1, 200, "ok", 0), ALGO_FYERS_OK, "ok");
	is_int(algo_fyers_classify(200, 1, 0, "no_data", 0), ALGO_FYERS_OK, "no_data is ok (empty)");
	is_int(algo_fyers_classify(401, 1, -16, "error", 0), ALGO_FYERS_EAUTH, "-16 auth");
	is_int(algo_fyers_classify(200, 1, -15, "error", 0), ALGO_FYERS_EAUTH, "-15 auth even with 200");
	is_int(algo_fyers_classify(400, 1, -371, "error", 0), ALGO_FYERS_EAUTH, "-371 bad secret");
	is_int(algo_fyers_classify(429, 1, -429, "error", 0), ALGO_FYERS_ERATE, "429");
	is_int(algo_fyers_classify(400, 1, -353, "error", 0), ALGO_FYERS_ERATE, "-353 limit exceeded");
	is_int(algo_fyers_classify(503, 0, 0, "", 0), ALGO_FYERS_EUNAVAIL, "503 retryable");
	is_int(algo_fyers_classify(503, 0, 0, "", ALGO_FYERS_ONCE), ALGO_FYERS_EMAYBE, "503 on an order: maybe");
	is_int(algo_fyers_classify(500, 1, -202, "error", ALGO_FYERS_ONCE), ALGO_FYERS_EUNAVAIL, "-202 OMS");
	is_int(algo_fyers_classify(200, 1, 201, "ok", ALGO_FYERS_ONCE), ALGO_FYERS_EMAYBE, "201 no ack");
	is_int(algo_fyers_classify(400, 1, -300, "error", 0), ALGO_FYERS_EBADREQ, "-300 invalid symbol");
	for (int c = -356; c <= -339; c++)
		if (c != -352 && c != -353)
			is_int(algo_fyers_classify(400, 1, c, "error", 0), ALGO_FYERS_EBADREQ, "history range %d", c);
	is_int(algo_fyers_classify(400, 1, -99, "error", 0), ALGO_FYERS_EREJECT, "-99 rejected");
	is_int(algo_fyers_classify(400, 1, -162, "error", 0), ALGO_FYERS_ESTATE, "-162 already traded");
	is_int(algo_fyers_classify(403, 0, 0, "", 0), ALGO_FYERS_EPERM, "bare 403");
	is_int(algo_fyers_classify(403, 1, -373, "error", 0), ALGO_FYERS_EPERM, "-373");
	is_int(algo_fyers_classify(200, 0, 0, "", 0), ALGO_FYERS_EPROTO, "200 without envelope");
	is_int(algo_fyers_exit_code(ALGO_FYERS_EAUTH), 77, "auth exits 77");
	is_int(algo_fyers_exit_code(ALGO_FYERS_ERATE), 75, "rate exits 75");
	is_int(algo_fyers_exit_code(ALGO_FYERS_EUNAVAIL), 69, "unavailable exits 69");
	is_int(algo_fyers_exit_code(ALGO_FYERS_EBADREQ), 65, "bad request exits 65");
	is_int(algo_fyers_exit_code(ALGO_FYERS_ECONFIG), 78, "config exits 78");
	ok(algo_fyers_code_hint(-344) && strstr(algo_fyers_code_hint(-344), "100 days"), "hint for -344");
	ok(algo_fyers_code_hint(-339) && strstr(algo_fyers_code_hint(-339), "one year"), "hint for -339");
	ok(algo_fyers_code_hint(-356) != NULL, "hint for -356");
}

static void hashes_and_jwts(void)
{
	char h[65], hsm[64], fy[32], err[256];
	int64_t exp;
	/* {"exp":1709330400,"hsm_key":"abc123","fy_id":"XA1"} */
	const char *jwt = "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjE3MDkzMzA0MDAsImhzbV9rZXkiOiJhYmMxMjMiLCJmeV9pZCI6IlhBMSJ9.sig";
	algo_fyers_app_hash("TESTAPP-100", "mock-secret", h);
	is_str(h, "5a5afaa2dacd7365f2d80d008c5400e43dcff6a8599aa8a6e697e91550135a16", "appIdHash = sha256(APP_ID:SECRET)");
	is_int(algo_fyers_jwt_claims(jwt, &exp, hsm, sizeof hsm, fy, sizeof fy, err, sizeof err), 0, "claims");
	is_int(exp, 1709330400000LL, "exp in ms");
	is_str(hsm, "abc123", "hsm_key");
	is_str(fy, "XA1", "fy_id");
	is_int(algo_fyers_jwt_claims("not-a-jwt", &exp, hsm, sizeof hsm, fy, sizeof fy, err, sizeof err), -1, "garbage");
	is_int(algo_fyers_jwt_claims("a.!!!.c", &exp, hsm, sizeof hsm, fy, sizeof fy, err, sizeof err), -1, "bad base64");
}

static void decimals(void)
{
	json_t *v = json_real(752.85);
	int64_t d;
	is_int(algo_fyers_json_dec(v, &d), 0, "real");
	is_int(d, 7528500, "752.85 exactly");
	json_decref(v);
	v = json_integer(612);
	algo_fyers_json_dec(v, &d);
	is_int(d, 6120000, "integer price");
	json_decref(v);
	v = json_string("1");
	is_int(algo_fyers_json_dec(v, &d), -1, "a string is not a number");
	json_decref(v);
}

static void token_file(const char *dir)
{
	struct algo_fyers_token t, u;
	char path[512], err[512];
	memset(&t, 0, sizeof t);
	snprintf(path, sizeof path, "%s/sub/dir/tok.json", dir);
	snprintf(t.app_id, sizeof t.app_id, "TESTAPP-100");
	snprintf(t.access, sizeof t.access, "a.b.c");
	snprintf(t.refresh, sizeof t.refresh, "d.e.f");
	t.access_exp = 1709330400000LL;
	snprintf(t.hsm_key, sizeof t.hsm_key, "k");
	is_int(algo_fyers_token_save(path, &t, err, sizeof err), 0, "save (%s)", err);
	{
		struct stat st;
		stat(path, &st);
		is_int(st.st_mode & 0777, 0600, "saved 0600");
	}
	is_int(algo_fyers_token_load(path, &u, err, sizeof err), 0, "load");
	is_str(u.access, "a.b.c", "access token back");
	is_int(u.access_exp, t.access_exp, "expiry back");
	chmod(path, 0644);
	is_int(algo_fyers_token_load(path, &u, err, sizeof err), -1, "0644 refused");
	ok(strstr(err, "chmod 600") != NULL, "says how to fix: %s", err);
	ok(strstr(err, "a.b.c") == NULL, "never shows the token");
	snprintf(path, sizeof path, "%s/none.json", dir);
	is_int(algo_fyers_token_load(path, &u, err, sizeof err), 1, "missing file: not logged in");
}

static void budget(void)
{
	struct algo_ratelimit rl;
	struct algo_rl_state st;
	char err[512];
	long waited;
	int n = 0;

	is_int(algo_ratelimit_init(&rl, "unit-test", 8, 20, 30, err, sizeof err), 0, "init (%s)", err);
	unlink(rl.path);
	rl.now_ms = fake_clock;
	fake_now = 1709264700000LL;                 /* 09:15 IST */
	while (algo_ratelimit_take(&rl, ALGO_RL_PRIO, 0, &waited, err, sizeof err) == 0)
		n++;
	is_int(n, 8, "8 priority requests in one second");
	is_int(waited, 1000, "the 9th waits a second");
	fake_now += 1000;
	n = 0;
	while (algo_ratelimit_take(&rl, ALGO_RL_NORMAL, 0, &waited, err, sizeof err) == 0)
		n++;
	is_int(n, 6, "normal requests get 3/4 of the second");
	fake_now += 1000;
	n = 0;
	while (algo_ratelimit_take(&rl, ALGO_RL_NORMAL, 0, &waited, err, sizeof err) == 0)
		n++;
	is_int(n, 1, "normal requests get 3/4 of the minute (15 of 20)");
	ok(waited > 50000, "then wait for the minute window (%ld ms)", waited);
	is_int(algo_ratelimit_take(&rl, ALGO_RL_PRIO, 0, &waited, err, sizeof err), 0, "priority still has room");
	algo_ratelimit_peek(&rl, &st, err, sizeof err);
	is_int(st.last_min, 16, "16 in the window");
	fake_now += 61000;
	is_int(algo_ratelimit_hit(&rl, 5000, err, sizeof err), 1, "a 429 is hit 1");
	is_int(algo_ratelimit_take(&rl, ALGO_RL_PRIO, 0, &waited, err, sizeof err), 1, "held after a 429");
	is_int(waited, 5000, "for the Retry-After");
	fake_now += 5000;
	is_int(algo_ratelimit_take(&rl, ALGO_RL_PRIO, 0, &waited, err, sizeof err), 0, "free after the hold");
	for (int i = 0; i < 20; i++) {
		fake_now += 5000;
		algo_ratelimit_take(&rl, ALGO_RL_PRIO, 0, &waited, err, sizeof err);
	}
	is_int(algo_ratelimit_take(&rl, ALGO_RL_PRIO, 0, &waited, err, sizeof err), 1, "daily cap");
	is_int(waited, -1, "daily cap says so");
	fake_now += 86400000;
	is_int(algo_ratelimit_take(&rl, ALGO_RL_PRIO, 0, &waited, err, sizeof err), 0, "a new day");
	algo_ratelimit_peek(&rl, &st, err, sizeof err);
	is_int(st.hits_today, 0, "hits reset at the new day");
	/* A foreign file is reset, not trusted. */
	{
		FILE *f = fopen(rl.path, "w");
		fputs("garbage", f);
		fclose(f);
	}
	is_int(algo_ratelimit_take(&rl, ALGO_RL_PRIO, 0, &waited, err, sizeof err), 0, "garbage file reset");
	unlink(rl.path);
}

/* Retries against the mock, with a session the bats test logged in. */
static void retries(void)
{
	struct algo_fyers f;
	struct algo_fyers_reply r;
	struct algo_fyers_req get = { ALGO_FYERS_API, "GET", "/funds", NULL, NULL, 0 };
	struct algo_fyers_req once = { ALGO_FYERS_API, "POST", "/funds", NULL, NULL, ALGO_FYERS_ONCE };
	char err[1024];
	struct timespec t0, t1;
	int cls;

	if (!getenv("MOCK_URL")) {
		ok(1, "# skip no mock");
		return;
	}
	cls = algo_fyers_open(&f, ALGO_FYERS_NEED_TOKEN, err, sizeof err);
	is_int(cls, ALGO_FYERS_OK, "open with the session (%s)", err);
	f.retry.base_ms = 50;
	is_int(algo_fyers_request(&f, &get, &r, err, sizeof err), ALGO_FYERS_OK, "funds");
	is_int(r.attempts, 1, "one attempt");
	ok(json_is_array(json_object_get(r.root, "fund_limit")), "reply decoded");
	algo_fyers_reply_free(&r);

	sh("curl -sf -X POST --data '{\"path\":\"/api/v3/funds\",\"status\":503,\"raw\":\"busy\",\"times\":2}' "
		"\"$MOCK_URL/_mock/fault\" >/dev/null");
	is_int(algo_fyers_request(&f, &get, &r, err, sizeof err), ALGO_FYERS_OK, "503 twice, then ok");
	is_int(r.attempts, 3, "three attempts");
	algo_fyers_reply_free(&r);

	sh("curl -sf -X POST --data '{\"path\":\"/api/v3/funds\",\"status\":503,\"raw\":\"busy\",\"times\":9}' "
		"\"$MOCK_URL/_mock/fault\" >/dev/null");
	is_int(algo_fyers_request(&f, &get, &r, err, sizeof err), ALGO_FYERS_EUNAVAIL, "503 for ever");
	is_int(r.attempts, 4, "gives up after 4");
	ok(strstr(err, "HTTP 503") && strstr(err, "try again later"), "says so: %s", err);
	algo_fyers_reply_free(&r);
	sh("curl -sf -X POST --data '{}' \"$MOCK_URL/_mock/clear\" >/dev/null");

	sh("curl -sf -X POST --data '{\"path\":\"/api/v3/funds\",\"method\":\"POST\",\"status\":503,\"raw\":\"busy\",\"times\":1}' "
		"\"$MOCK_URL/_mock/fault\" >/dev/null");
	is_int(algo_fyers_request(&f, &once, &r, err, sizeof err), ALGO_FYERS_EMAYBE, "a once call is never retried");
	is_int(r.attempts, 1, "one attempt only");
	ok(strstr(err, "order book") != NULL, "tells to reconcile: %s", err);
	algo_fyers_reply_free(&r);

	sh("curl -sf -X POST --data '{\"path\":\"/api/v3/funds\",\"method\":\"POST\",\"drop\":true,\"times\":1}' "
		"\"$MOCK_URL/_mock/fault\" >/dev/null");
	is_int(algo_fyers_request(&f, &once, &r, err, sizeof err), ALGO_FYERS_EMAYBE, "dropped once call: maybe");
	is_int(r.reached, 1, "may have reached");
	algo_fyers_reply_free(&r);

	sh("curl -sf -X POST --data '{\"path\":\"/api/v3/funds\",\"drop\":true,\"times\":1}' "
		"\"$MOCK_URL/_mock/fault\" >/dev/null");
	is_int(algo_fyers_request(&f, &get, &r, err, sizeof err), ALGO_FYERS_OK, "dropped GET is retried");
	/* libcurl itself resends a request whose reused connection turns out dead, so
	 * the second send may not be ours; either way the GET succeeded. */
	ok(r.attempts <= 2, "at most two attempts (%d)", r.attempts);
	algo_fyers_reply_free(&r);

	sh("curl -sf -X POST --data '{\"path\":\"/api/v3/funds\",\"status\":429,\"code\":-429,\"message\":\"limit\","
		"\"retry_after\":1,\"times\":1}' \"$MOCK_URL/_mock/fault\" >/dev/null");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	is_int(algo_fyers_request(&f, &get, &r, err, sizeof err), ALGO_FYERS_OK, "429 then ok");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	is_int(r.attempts, 2, "retried once");
	ok((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 >= 950, "honoured Retry-After: 1");
	algo_fyers_reply_free(&r);

	sh("curl -sf -X POST --data '{\"path\":\"/api/v3/funds\",\"status\":429,\"code\":-429,\"message\":\"limit\","
		"\"retry_after\":120,\"times\":1}' \"$MOCK_URL/_mock/fault\" >/dev/null");
	f.retry.max_wait_ms = 2000;
	is_int(algo_fyers_request(&f, &get, &r, err, sizeof err), ALGO_FYERS_ERATE, "Retry-After beyond the wait allowed");
	is_int(r.attempts, 1, "not sent again");
	algo_fyers_reply_free(&r);
	algo_fyers_close(&f);
}

/* The order tag: alphanumeric, at most 30 characters; the broker's "1:TAG" or "TAG"
 * both match it, nothing else does. */
static void tags(void)
{
	char t[ALGO_FYERS_TAG_MAX], u[ALGO_FYERS_TAG_MAX];
	algo_fyers_tag("ema-cross_2403010001", t);
	is_str(t, "emacross2403010001", "the tag keeps letters and digits");
	algo_fyers_tag("averyveryverylongstrategyname2403010001", t);
	algo_fyers_tag("averyveryverylongstrategyname2403010002", u);
	is_int(strlen(t), 30, "a long id: a 30-character tag");
	ok(strcmp(t, u) != 0, "two long ids with one prefix: different tags (%s, %s)", t, u);
	ok(algo_fyers_tag_is("1:o1", "o1"), "'1:o1' is tag o1 (as the real replies show)");
	ok(algo_fyers_tag_is("o1", "o1"), "'o1' is tag o1");
	ok(algo_fyers_tag_is("12:o1", "o1"), "any number before the colon");
	ok(!algo_fyers_tag_is("1:o12", "o1"), "'1:o12' is not o1");
	ok(!algo_fyers_tag_is(":o1", "o1"), "':o1' is not o1");
	ok(!algo_fyers_tag_is("x:o1", "o1"), "'x:o1' is not o1");
	ok(!algo_fyers_tag_is("", ""), "an empty tag matches nothing");
}

int main(void)
{
	char dir[] = "/tmp/algo-test-fyers.XXXXXX";
	classes();
	tags();
	hashes_and_jwts();
	decimals();
	if (mkdtemp(dir)) {
		token_file(dir);
		setenv("XDG_RUNTIME_DIR", dir, 0);
		budget();
	}
	retries();
	return tap_done();
}
