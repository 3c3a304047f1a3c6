/* tlstrust — which CA certificates a TLS client trusts, the one place the https
 * (lib/http) and wss (lib/ws) clients ask.
 *
 * As OpenSSL's own tools do: SSL_CERT_FILE names a CA bundle (PEM) and SSL_CERT_DIR a
 * directory of hashed certificates (`openssl rehash DIR`), used instead of the
 * system's when set. A variable that is set but empty counts as unset. What the user
 * names is used as it is, even when it cannot be read: the client then fails with a
 * certificate error that says so, never falls back silently. Verification itself is
 * never turned off anywhere.
 *
 * A certificate that fails verification reads the same from every client (https,
 * wss, alerts): "WHERE: TLS certificate not trusted: WHY (set SSL_CERT_FILE to the CA
 * bundle)", a configuration error that is never retried (exit 78). Nothing here
 * prints or exits. */
#ifndef ALGO_TLSTRUST_H
#define ALGO_TLSTRUST_H
#include <stddef.h>

/* $SSL_CERT_FILE, or NULL when unset or empty. */
const char *algo_tls_ca_file(void);

/* $SSL_CERT_DIR, or NULL when unset or empty. */
const char *algo_tls_ca_dir(void);

/* A CA bundle file for libraries that need one named (libwebsockets): $SSL_CERT_FILE,
 * else the first readable of the usual system bundles, else NULL. */
const char *algo_tls_ca_bundle(void);

/* That message into out: where is the server (a URL without secrets), why the TLS
 * library's words. */
void algo_tls_untrusted(char *out, size_t outlen, const char *where, const char *why);

/* The part of such a message after its WHERE ("TLS certificate not trusted: ..."), for
 * a caller that names the server its own way; msg itself when it is not one. */
const char *algo_tls_untrusted_reason(const char *msg);

#endif
