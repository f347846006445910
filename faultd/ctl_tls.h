/*
 * ctl_tls.h -- the TLS pieces both ends of the control channel share
 * (faultd's control-tls listener in control.c, the ctl clients in
 * ctl_client.c): building an OpenSSL context from PEM files with every
 * failure naming its file, a socket BIO that never raises SIGPIPE, the
 * address a client connects to, and OpenSSL's last error as text.
 *
 * The policy, on both sides: TLS 1.2 at least (1.3 preferred, as OpenSSL
 * negotiates), the peer's certificate verified against the CA file, and
 * on the server a client without a certificate refused
 * (SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT).  No renegotiation,
 * no session tickets, no compression.
 *
 * Part of libfaultctl: links OpenSSL (libssl, libcrypto), nothing of the
 * daemon.
 */
#ifndef FAULTD_CTL_TLS_H
#define FAULTD_CTL_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include <openssl/ssl.h>

#include "faultd/ctl.h"
#include "lib/err.h"

/*
 * A context for one role.  cert_file (a PEM chain, leaf first), key_file
 * (its PEM private key) and ca_file (PEM certificates that sign the
 * peer's) are all required.  Returns NULL with err naming the file and
 * why: "TLS certificate FILE: No such file or directory", "TLS key FILE
 * does not match the certificate CERT", "TLS CA file FILE: no certificate
 * in it".  The caller owns the context (SSL_CTX_free).
 */
SSL_CTX *ctl_tls_ctx_new(bool server, const char *cert_file, const char *key_file,
    const char *ca_file, struct dd_err *err);

/* Check a client's options before anything is opened: addr is "HOST:PORT"
 * or "[V6]:PORT" with a port 1..65535, and ca_file, cert_file, key_file are
 * given.  0, or DD_EINVAL with err naming the option. */
int ctl_tls_opts_check(const struct ctl_tls_opts *o, struct dd_err *err);

/*
 * The address to connect to for "HOST:PORT" / "[V6]:PORT".  A numeric
 * address costs nothing; a host name is looked up here (getaddrinfo, so it
 * may block: clients call this once, when created).  0 or DD_EINVAL with
 * err saying why.
 */
int ctl_tls_resolve(const char *addr, struct sockaddr_storage *ss, socklen_t *len,
    struct dd_err *err);

/* A BIO on the socket fd (borrowed: not closed with the BIO) that reads
 * with recv and writes with send(MSG_NOSIGNAL): a peer gone never raises
 * SIGPIPE in a program that did not ignore it.  NULL on ENOMEM. */
BIO *ctl_tls_bio_new(int fd);

/* OpenSSL's queued errors as one reason ("certificate verify failed"),
 * then the queue emptied; with ssl, the peer certificate's verification
 * result is added when it failed ("... (self-signed certificate)").
 * Writes "unknown TLS error" when there is none. */
void ctl_tls_errstr(const SSL *ssl, char *buf, size_t len);

/*
 * Reading and writing a non-blocking TLS connection in errno terms, for
 * both ends of the control channel.  w carries what the last call waits
 * for: SSL_read may need the socket writable (rd_wants_write) and
 * SSL_write readable (wr_wants_read) -- the caller watches for that event
 * too; `dead` is set once the connection failed (no close_notify then),
 * and msg holds the reason of an EPROTO.
 *   ctl_tls_write: bytes written, or -1 with errno EAGAIN (wait), EPIPE
 *     (the peer closed), EPROTO (a TLS error) or the socket's;
 *   ctl_tls_read: bytes read, 0 at the end of the stream (a clean close or
 *     the peer gone without a word), or -1 with errno as above.
 */
struct ctl_tls_wait {
	bool rd_wants_write;
	bool wr_wants_read;
	bool dead;
	char msg[320];
};
ssize_t ctl_tls_write(SSL *ssl, const void *p, size_t n, struct ctl_tls_wait *w);
ssize_t ctl_tls_read(SSL *ssl, void *p, size_t n, struct ctl_tls_wait *w);

#endif
