/*
 * ctl_tls.c -- OpenSSL contexts, the socket BIO and error text for the
 * control channel's TLS transport (faultd/ctl_tls.h).  Each file is opened
 * with fopen first, so a missing or unreadable one is reported with the
 * system's reason and its name rather than as an OpenSSL error code.
 */
#include "faultd/ctl_tls.h"

#include <errno.h>
#include <netdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "lib/addr.h"

/* Can the file be opened for reading?  0, or DD_EINVAL naming it. */
static int
readable(const char *what, const char *path, struct dd_err *err)
{
	FILE *f;

	if (path == NULL || *path == '\0') {
		dd_err_set(err, "TLS %s: no file given", what);
		return DD_EINVAL;
	}
	if ((f = fopen(path, "r")) == NULL) {
		dd_err_set(err, "TLS %s %s: %s", what, path, strerror(errno));
		return DD_EINVAL;
	}
	fclose(f);
	return 0;
}

void
ctl_tls_errstr(const SSL *ssl, char *buf, size_t len)
{
	unsigned long e, last = 0;
	const char *why;
	long vr;

	while ((e = ERR_get_error()) != 0)
		last = e;    /* the last queued is the nearest to the cause's report */
	why = last != 0 ? ERR_reason_error_string(last) : NULL;
	if (why == NULL && last != 0) {
		char tmp[256];
		ERR_error_string_n(last, tmp, sizeof(tmp));
		snprintf(buf, len, "%s", tmp);
	} else {
		snprintf(buf, len, "%s", why != NULL ? why : "unknown TLS error");
	}
	if (ssl != NULL && (vr = SSL_get_verify_result(ssl)) != X509_V_OK) {
		size_t n = strlen(buf);
		snprintf(buf + n, len - n, " (%s)", X509_verify_cert_error_string(vr));
	}
}

/* An OpenSSL result in errno terms (ctl_tls.h): EAGAIN with *wants_other
 * set when it waits for `other` (the event of the opposite direction), 0
 * for an end of stream, or -1 with errno. */
static ssize_t
tls_result(SSL *ssl, int k, int other, bool *wants_other, struct ctl_tls_wait *w)
{
	int e = errno, se = SSL_get_error(ssl, k);

	switch (se) {
	case SSL_ERROR_WANT_READ:
	case SSL_ERROR_WANT_WRITE:
		*wants_other = se == other;
		errno = EAGAIN;
		return -1;
	case SSL_ERROR_ZERO_RETURN:
		return 0;
	case SSL_ERROR_SYSCALL:
		ERR_clear_error();
		w->dead = true;
		if (e == 0 || e == EAGAIN)
			return 0;        /* the peer went away without a word */
		errno = e;
		return -1;
	default:
		ctl_tls_errstr(ssl, w->msg, sizeof(w->msg));
		w->dead = true;
		errno = EPROTO;
		return -1;
	}
}

ssize_t
ctl_tls_write(SSL *ssl, const void *p, size_t n, struct ctl_tls_wait *w)
{
	int k;

	ERR_clear_error();
	errno = 0;
	k = SSL_write(ssl, p, n > INT_MAX ? INT_MAX : (int)n);
	if (k > 0) {
		w->wr_wants_read = false;
		return k;
	}
	if (tls_result(ssl, k, SSL_ERROR_WANT_READ, &w->wr_wants_read, w) == 0)
		errno = EPIPE;
	return -1;
}

ssize_t
ctl_tls_read(SSL *ssl, void *p, size_t n, struct ctl_tls_wait *w)
{
	int k;

	ERR_clear_error();
	errno = 0;
	k = SSL_read(ssl, p, n > INT_MAX ? INT_MAX : (int)n);
	if (k > 0) {
		w->rd_wants_write = false;
		return k;
	}
	return tls_result(ssl, k, SSL_ERROR_WANT_WRITE, &w->rd_wants_write, w);
}

SSL_CTX *
ctl_tls_ctx_new(bool server, const char *cert_file, const char *key_file,
    const char *ca_file, struct dd_err *err)
{
	SSL_CTX *ctx = NULL;
	char why[256];

	if (readable("certificate", cert_file, err) < 0 ||
	    readable("key", key_file, err) < 0 ||
	    readable("CA file", ca_file, err) < 0)
		return NULL;
	ERR_clear_error();
	ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
	if (ctx == NULL) {
		dd_err_set(err, "TLS: cannot create a context (out of memory?)");
		return NULL;
	}
	(void)SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
	    SSL_OP_NO_TICKET | SSL_OP_IGNORE_UNEXPECTED_EOF);
	/* writes may end part-way and resume from a buffer that has moved
	 * (the reply buffer grows between tries) */
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
	    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	if (server)
		(void)SSL_CTX_set_num_tickets(ctx, 0);   /* nothing after the handshake */
	if (SSL_CTX_use_certificate_chain_file(ctx, cert_file) != 1) {
		ctl_tls_errstr(NULL, why, sizeof(why));
		dd_err_set(err, "TLS certificate %s: not a usable PEM certificate (%s)",
		    cert_file, why);
		goto fail;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, key_file, SSL_FILETYPE_PEM) != 1) {
		if (ERR_GET_REASON(ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH ||
		    ERR_GET_REASON(ERR_peek_last_error()) == X509_R_KEY_TYPE_MISMATCH) {
			ERR_clear_error();
			dd_err_set(err, "TLS key %s does not match the certificate %s", key_file,
			    cert_file);
			goto fail;
		}
		ctl_tls_errstr(NULL, why, sizeof(why));
		dd_err_set(err, "TLS key %s: %s", key_file, why);
		goto fail;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		ERR_clear_error();
		dd_err_set(err, "TLS key %s does not match the certificate %s", key_file,
		    cert_file);
		goto fail;
	}
	if (SSL_CTX_load_verify_locations(ctx, ca_file, NULL) != 1) {
		ctl_tls_errstr(NULL, why, sizeof(why));
		dd_err_set(err, "TLS CA file %s: no usable certificate in it (%s)", ca_file,
		    why);
		goto fail;
	}
	if (server) {
		STACK_OF(X509_NAME) *names = SSL_load_client_CA_file(ca_file);

		if (names != NULL)
			SSL_CTX_set_client_CA_list(ctx, names);   /* takes names */
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
		    NULL);
	} else {
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	}
	ERR_clear_error();
	return ctx;
fail:
	SSL_CTX_free(ctx);
	ERR_clear_error();
	return NULL;
}

/* "HOST:PORT" / "[V6]:PORT" split into host and port texts.  0 or
 * DD_EINVAL. */
static int
split_addr(const char *addr, char *host, size_t hlen, char *port, size_t plen)
{
	const char *colon, *h = addr, *he;
	unsigned long p;
	char *end;

	if (addr == NULL || *addr == '\0')
		return DD_EINVAL;
	if (*addr == '[') {
		h = addr + 1;
		if ((he = strchr(h, ']')) == NULL || he[1] != ':')
			return DD_EINVAL;
		colon = he + 1;
	} else {
		if ((colon = strrchr(addr, ':')) == NULL || strchr(addr, ':') != colon)
			return DD_EINVAL;   /* a bare v6 address needs brackets */
		he = colon;
	}
	if (he == h || (size_t)(he - h) >= hlen || strlen(colon + 1) >= plen)
		return DD_EINVAL;
	errno = 0;
	p = strtoul(colon + 1, &end, 10);
	if (colon[1] < '0' || colon[1] > '9' || *end != '\0' || errno != 0 || p == 0 ||
	    p > 65535)
		return DD_EINVAL;
	memcpy(host, h, (size_t)(he - h));
	host[he - h] = '\0';
	snprintf(port, plen, "%lu", p);
	return 0;
}

int
ctl_tls_opts_check(const struct ctl_tls_opts *o, struct dd_err *err)
{
	char host[256], port[8];

	if (o == NULL || o->addr == NULL || *o->addr == '\0') {
		dd_err_set(err, "TLS control: no address given (HOST:PORT)");
		return DD_EINVAL;
	}
	if (split_addr(o->addr, host, sizeof(host), port, sizeof(port)) < 0) {
		dd_err_set(err, "TLS control address '%s' is not HOST:PORT or [V6]:PORT "
		    "(a port 1..65535)", o->addr);
		return DD_EINVAL;
	}
	if (o->ca_file == NULL || *o->ca_file == '\0' || o->cert_file == NULL ||
	    *o->cert_file == '\0' || o->key_file == NULL || *o->key_file == '\0') {
		dd_err_set(err, "TLS control %s: needs a CA file, a client certificate and "
		    "its key (%s missing)", o->addr,
		    o->ca_file == NULL || *o->ca_file == '\0' ? "the CA file" :
		    o->cert_file == NULL || *o->cert_file == '\0' ? "the certificate" :
		    "the key");
		return DD_EINVAL;
	}
	if (o->server_name != NULL && *o->server_name == '\0') {
		dd_err_set(err, "TLS control %s: the server name is empty", o->addr);
		return DD_EINVAL;
	}
	return 0;
}

int
ctl_tls_resolve(const char *addr, struct sockaddr_storage *ss, socklen_t *len,
    struct dd_err *err)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
	    .ai_flags = AI_NUMERICSERV | AI_ADDRCONFIG };
	struct addrinfo *res = NULL;
	char host[256], port[8];
	struct dd_sockaddr sa;
	int rc;

	if (split_addr(addr, host, sizeof(host), port, sizeof(port)) < 0) {
		dd_err_set(err, "TLS control address '%s' is not HOST:PORT or [V6]:PORT", addr);
		return DD_EINVAL;
	}
	if (dd_sockaddr_parse(addr, -1, &sa) == 0) {   /* numeric: no lookup */
		memset(ss, 0, sizeof(*ss));
		memcpy(ss, &sa.u.ss, sa.len);
		*len = sa.len;
		return 0;
	}
	if ((rc = getaddrinfo(host, port, &hints, &res)) != 0 || res == NULL) {
		dd_err_set(err, "TLS control address %s: cannot resolve %s: %s", addr, host,
		    rc != 0 ? gai_strerror(rc) : "no address");
		if (res != NULL)
			freeaddrinfo(res);
		return DD_EINVAL;
	}
	memset(ss, 0, sizeof(*ss));
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

/* ---------------- the socket BIO ---------------- */

static int
bio_write(BIO *b, const char *p, int n)
{
	int fd = (int)(intptr_t)BIO_get_data(b);
	ssize_t k;

	BIO_clear_retry_flags(b);
	k = send(fd, p, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		BIO_set_retry_write(b);
	return k < 0 ? -1 : (int)k;
}

static int
bio_read(BIO *b, char *p, int n)
{
	int fd = (int)(intptr_t)BIO_get_data(b);
	ssize_t k;

	BIO_clear_retry_flags(b);
	k = recv(fd, p, (size_t)n, MSG_DONTWAIT);
	if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		BIO_set_retry_read(b);
	return k < 0 ? -1 : (int)k;
}

static long
bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	(void)b;
	(void)num;
	(void)ptr;
	return cmd == BIO_CTRL_FLUSH ? 1 : 0;
}

static BIO_METHOD *bio_method;
static CRYPTO_ONCE bio_once = CRYPTO_ONCE_STATIC_INIT;

static void
bio_method_init(void)
{
	BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK |
	    BIO_TYPE_DESCRIPTOR, "dnsdrill control socket");

	if (m == NULL)
		return;
	if (BIO_meth_set_write(m, bio_write) != 1 || BIO_meth_set_read(m, bio_read) != 1 ||
	    BIO_meth_set_ctrl(m, bio_ctrl) != 1) {
		BIO_meth_free(m);
		return;
	}
	bio_method = m;   /* kept for the process's life */
}

BIO *
ctl_tls_bio_new(int fd)
{
	BIO *b;

	if (!CRYPTO_THREAD_run_once(&bio_once, bio_method_init) || bio_method == NULL)
		return NULL;
	if ((b = BIO_new(bio_method)) == NULL)
		return NULL;
	BIO_set_data(b, (void *)(intptr_t)fd);
	BIO_set_init(b, 1);
	return b;
}
