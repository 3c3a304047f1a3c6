/* tlstrust — the CA certificates TLS clients trust. See tlstrust.h for the contract. */
#include "tlstrust.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *env_set(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? v : NULL;
}

const char *algo_tls_ca_file(void)
{
	return env_set("SSL_CERT_FILE");
}

const char *algo_tls_ca_dir(void)
{
	return env_set("SSL_CERT_DIR");
}

const char *algo_tls_ca_bundle(void)
{
	static const char *const paths[] = { "/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt",
					     "/etc/ssl/cert.pem", NULL };
	const char *file = algo_tls_ca_file();
	if (file)
		return file;
	for (int i = 0; paths[i]; i++)
		if (access(paths[i], R_OK) == 0)
			return paths[i];
	return NULL;
}

#define UNTRUSTED "TLS certificate not trusted: "

void algo_tls_untrusted(char *out, size_t outlen, const char *where, const char *why)
{
	snprintf(out, outlen, "%s: " UNTRUSTED "%s (set SSL_CERT_FILE to the CA bundle)", where, why);
}

const char *algo_tls_untrusted_reason(const char *msg)
{
	const char *p = strstr(msg, ": " UNTRUSTED);
	return p ? p + 2 : msg;
}
