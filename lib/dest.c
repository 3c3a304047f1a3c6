/* dest — one interface over Telegram, webhooks and commands. See dest.h. */
#include "dest.h"
#include "webhook.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* "prefix:" and the first 16 hex digits of SHA-256(s). */
static void hashed_key(char *out, size_t len, const char *prefix, const char *s)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	char hex[17];
	EVP_Digest(s, strlen(s), md, &n, EVP_sha256(), NULL);
	for (int i = 0; i < 8; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	snprintf(out, len, "%s:%s", prefix, hex);
}

int algo_dest_init(struct algo_dest *d, int kind, const char *target, int html, char *err,
	size_t errlen)
{
	d->kind = kind;
	d->target = target;
	d->html = html;
	d->http_ready = 0;
	if (!d->timeout_ms)
		d->timeout_ms = 10000;
	if (kind == ALGO_DEST_TELEGRAM)
		snprintf(d->key, sizeof d->key, "telegram:%s", d->tg.chat);
	else if (kind == ALGO_DEST_WEBHOOK) {
		if (strncmp(target, "http://", 7) && strncmp(target, "https://", 8)) {
			snprintf(err, errlen, "--webhook: not an http(s) URL");
			return -1;
		}
		hashed_key(d->key, sizeof d->key, "webhook", target);
	} else {
		hashed_key(d->key, sizeof d->key, "exec", target);
		return 0;
	}
	if (algo_http_init(&d->http, "algo-alert/0.1.0", err, errlen))
		return -1;
	d->http_ready = 1;
	return 0;
}

void algo_dest_free(struct algo_dest *d)
{
	if (d->http_ready)
		algo_http_free(&d->http);
	d->http_ready = 0;
}

/* Writes all of text to fd; a reader that stops early is not an error of ours. */
static void write_all(int fd, const char *text, size_t n)
{
	while (n) {
		ssize_t w = write(fd, text, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		text += w;
		n -= (size_t)w;
	}
}

/* Runs the command with text and a newline on its stdin; its stdout goes to our
 * stderr (our stdout is the pipeline's). */
static int run_command(const char *cmd, const char *text, char *err, size_t errlen)
{
	int p[2], status;
	pid_t pid;
	if (pipe2(p, O_CLOEXEC)) {
		snprintf(err, errlen, "--exec: pipe: %s", strerror(errno));
		return ALGO_DEST_RETRY;
	}
	if ((pid = fork()) < 0) {
		close(p[0]);
		close(p[1]);
		snprintf(err, errlen, "--exec: fork: %s", strerror(errno));
		return ALGO_DEST_RETRY;
	}
	if (pid == 0) {
		signal(SIGPIPE, SIG_DFL);
		dup2(p[0], 0);
		dup2(2, 1);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(p[0]);
	write_all(p[1], text, strlen(text));
	write_all(p[1], "\n", 1);
	close(p[1]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			snprintf(err, errlen, "--exec: wait: %s", strerror(errno));
			return ALGO_DEST_RETRY;
		}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return ALGO_DEST_OK;
	if (WIFEXITED(status))
		snprintf(err, errlen, "--exec: the command exited %d", WEXITSTATUS(status));
	else
		snprintf(err, errlen, "--exec: the command was killed by signal %d", WTERMSIG(status));
	return WIFEXITED(status) && (WEXITSTATUS(status) == 126 || WEXITSTATUS(status) == 127) ?
		ALGO_DEST_FATAL : ALGO_DEST_RETRY;
}

int algo_dest_deliver(struct algo_dest *d, const char *text, long *retry_ms, char *err,
	size_t errlen)
{
	*retry_ms = -1;
	if (d->kind == ALGO_DEST_TELEGRAM)
		return algo_telegram_send(&d->tg, &d->http, text, d->html, d->timeout_ms, retry_ms,
			err, errlen);
	if (d->kind == ALGO_DEST_WEBHOOK)
		return algo_webhook_send(d->target, &d->http, text, d->timeout_ms, retry_ms, err, errlen);
	return run_command(d->target, text, err, errlen);
}
