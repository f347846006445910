/*
 * httpd.h -- a minimal HTTP/1.0 server on the event loop, shared by the
 * regional client's /health endpoint and dd-http-responder.
 *
 * Every connection is non-blocking and independent: a client that connects
 * and says nothing only holds its own slot until the idle timeout.  One
 * request per connection; the connection is closed once the reply is sent.
 * The handler fills a reply synchronously; the server owns the connections,
 * the handler owns nothing it is given.
 */
#ifndef DD_SUT_HTTPD_H
#define DD_SUT_HTTPD_H

#include <stddef.h>

#include "lib/addr.h"
#include "lib/evloop.h"

struct httpd;

struct http_reply {
	int status;                 /* 200 unless the handler says otherwise */
	const char *content_type;   /* default application/json */
	char body[2048];
	size_t body_len;
};

/* method and path (query string removed) are NUL-terminated and valid only
 * during the call. */
typedef void (*httpd_handler)(void *arg, const struct dd_sockaddr *peer,
    const char *method, const char *path, struct http_reply *rep);

/* Returns NULL on allocation failure. */
struct httpd *httpd_new(struct ev_loop *loop, httpd_handler h, void *arg);
/* Listen on a (IPv4 or IPv6).  Returns 0 or a negative errno. */
int httpd_listen(struct httpd *s, const struct dd_sockaddr *a);
/* Closes listeners and connections.  NULL-safe. */
void httpd_free(struct httpd *s);
/* Reply text for a status code ("OK", "Service Unavailable", ...). */
const char *http_reason(int status);

#endif
