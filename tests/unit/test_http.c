/* lib/http against the FYERS mock (tests/mock/fyers.py, URL in $MOCK_URL): the
 * failure classes an order needs (NOTSENT: nothing reached the server; MAYBE: it may
 * have), Retry-After and X-Retry-After-Ms, replies of any status, the once flag's fresh
 * connection, escaping. Run from tests/45-exec-fyers.bats. */
#include "http.h"
#include "tap.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

static const char *mock;

static int get(struct algo_http *h, const char *path, long timeout_ms, int once, struct algo_http_resp *rs,
	char *err)
{
	char url[512];
	struct algo_http_req rq = { 0 };
	snprintf(url, sizeof url, "%s%s", mock, path);
	rq.method = "GET";
	rq.url = url;
	rq.timeout_ms = timeout_ms;
	rq.once = once;
	return algo_http_do(h, &rq, rs, err, 512);
}

static void control(struct algo_http *h, const char *path, const char *json)
{
	char url[512], err[512];
	struct algo_http_req rq = { 0 };
	struct algo_http_resp rs;
	snprintf(url, sizeof url, "%s%s", mock, path);
	rq.method = "POST";
	rq.url = url;
	rq.body = json;
	rq.body_len = strlen(json);
	algo_http_do(h, &rq, &rs, err, sizeof err);
	algo_http_resp_free(&rs);
}

/* Connection ids of the last n requests in the mock's log. */
static void last_conns(struct algo_http *h, int n, long *out)
{
	char err[512];
	struct algo_http_resp rs;
	json_t *root, *reqs;
	get(h, "/_mock/log", 0, 0, &rs, err);
	root = json_loads(rs.body, 0, NULL);
	reqs = json_object_get(root, "requests");
	for (int i = 0; i < n; i++) {
		size_t k = json_array_size(reqs) - (size_t)n + (size_t)i;
		out[i] = (long)json_integer_value(json_object_get(json_array_get(reqs, k), "conn"));
	}
	json_decref(root);
	algo_http_resp_free(&rs);
}

/* A port with nothing listening on it. */
static int closed_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;
	bind(fd, (struct sockaddr *)&a, sizeof a);
	getsockname(fd, (struct sockaddr *)&a, &len);
	port = ntohs(a.sin_port);
	close(fd);
	return port;
}

int main(void)
{
	struct algo_http h, h2;
	struct algo_http_resp rs;
	struct algo_http_req rq = { 0 };
	char err[512], url[128], esc[64];
	long conns[2];
	int rc;

	mock = getenv("MOCK_URL");
	if (!mock) {
		printf("1..0 # skip MOCK_URL not set\n");
		return 0;
	}
	ok(algo_http_init(&h, "algo-test/1", err, sizeof err) == 0, "init");
	algo_http_init(&h2, "algo-test/1", err, sizeof err);

	/* A reply is OK whatever its status: 401 with the envelope. */
	rc = get(&h, "/api/v3/profile", 0, 0, &rs, err);
	is_int(rc, ALGO_HTTP_OK, "a 401 is a reply");
	is_int(rs.status, 401, "status 401");
	ok(strstr(rs.body, "-16") != NULL, "body kept: %s", rs.body);
	is_int(rs.retry_after_ms, -1, "no Retry-After");
	algo_http_resp_free(&rs);

	/* Nothing listening: NOTSENT, safe to send again. */
	snprintf(url, sizeof url, "http://127.0.0.1:%d/x", closed_port());
	rq.method = "POST";
	rq.url = url;
	rq.body = "{}";
	rq.body_len = 2;
	rc = algo_http_do(&h2, &rq, &rs, err, sizeof err);
	is_int(rc, ALGO_HTTP_NOTSENT, "refused connection is NOTSENT (%s)", err);
	is_int(rs.status, 0, "no status");
	algo_http_resp_free(&rs);

	/* The server read the request and closed without a reply: MAYBE. */
	control(&h, "/_mock/fault", "{\"path\":\"/api/v3/funds\",\"drop\":true,\"times\":1}");
	rc = get(&h2, "/api/v3/funds", 0, 0, &rs, err);
	is_int(rc, ALGO_HTTP_MAYBE, "dropped after the request is MAYBE (%s)", err);
	algo_http_resp_free(&rs);

	/* A time-out after sending: MAYBE. */
	control(&h, "/_mock/fault", "{\"path\":\"/api/v3/funds\",\"delay_ms\":1500,\"status\":200,\"times\":1}");
	rc = get(&h2, "/api/v3/funds", 300, 0, &rs, err);
	is_int(rc, ALGO_HTTP_MAYBE, "time-out after the send is MAYBE (%s)", err);
	ok(strstr(err, "/api/v3/funds") != NULL, "message names the URL: %s", err);
	algo_http_resp_free(&rs);

	/* Retry-After in seconds; X-Retry-After-Ms wins when both come. */
	control(&h, "/_mock/fault", "{\"path\":\"/data/quotes\",\"status\":429,\"code\":-429,\"retry_after\":2,\"times\":1}");
	rc = get(&h, "/data/quotes?symbols=NSE:X-EQ", 0, 0, &rs, err);
	is_int(rc, ALGO_HTTP_OK, "429 is a reply");
	is_int(rs.status, 429, "status 429");
	is_int(rs.retry_after_ms, 2000, "Retry-After: 2 is 2000 ms");
	algo_http_resp_free(&rs);
	control(&h, "/_mock/fault", "{\"path\":\"/data/quotes\",\"status\":429,\"code\":-429,\"retry_after\":2,"
		"\"retry_after_ms\":1500,\"times\":1}");
	get(&h, "/data/quotes?symbols=NSE:X-EQ", 0, 0, &rs, err);
	is_int(rs.retry_after_ms, 1500, "X-Retry-After-Ms wins");
	algo_http_resp_free(&rs);

	/* A 5xx HTML page is a reply too. */
	control(&h, "/_mock/fault", "{\"path\":\"/data/marketStatus\",\"status\":502,\"raw\":\"<html>bad gateway</html>\",\"times\":1}");
	rc = get(&h, "/data/marketStatus", 0, 0, &rs, err);
	is_int(rc, ALGO_HTTP_OK, "502 is a reply");
	is_int(rs.status, 502, "status 502");
	is_str(rs.body, "<html>bad gateway</html>", "raw body");
	algo_http_resp_free(&rs);

	/* Requests reuse the connection; a once request gets a fresh one. */
	get(&h, "/data/marketStatus", 0, 0, &rs, err);
	algo_http_resp_free(&rs);
	get(&h, "/data/marketStatus", 0, 0, &rs, err);
	algo_http_resp_free(&rs);
	last_conns(&h2, 2, conns);
	ok(conns[0] == conns[1], "two requests share a connection (%ld %ld)", conns[0], conns[1]);
	get(&h, "/data/marketStatus", 0, 1, &rs, err);
	algo_http_resp_free(&rs);
	get(&h, "/data/marketStatus", 0, 1, &rs, err);
	algo_http_resp_free(&rs);
	last_conns(&h2, 2, conns);
	ok(conns[0] != conns[1], "once requests use fresh connections (%ld %ld)", conns[0], conns[1]);

	/* The User-Agent is ours. */
	{
		struct algo_http_resp lg;
		get(&h2, "/_mock/log", 0, 0, &lg, err);
		ok(strstr(lg.body, "\"agent\": \"algo-test/1\"") != NULL, "explicit User-Agent");
		algo_http_resp_free(&lg);
	}

	/* Bad method. */
	rq.method = "BREW";
	rq.url = mock;
	is_int(algo_http_do(&h, &rq, &rs, err, sizeof err), ALGO_HTTP_EUSAGE, "unknown method");
	algo_http_resp_free(&rs);

	is_int(algo_http_escape("M&M a/b", esc, sizeof esc), 13, "escape length");
	is_str(esc, "M%26M%20a%2Fb", "escape");
	is_int(algo_http_escape("abcdef", esc, 4), -1, "escape overflow");

	algo_http_free(&h);
	algo_http_free(&h2);
	return tap_done();
}
