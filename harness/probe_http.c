/*
 * probe_http.c -- the HTTP probe kind: "http://IP[:PORT][/path]" checked
 * and turned into one HTTP/1.0 GET, sent over the shared TCP stream; the
 * response head read with probe_http_head_parse(), the status compared,
 * and the body matched against a regex when the spec has one.
 *
 * Without a regex the status line decides at once; with one the body is
 * read up to its Content-Length, the end of the connection or 64 KiB.
 */
#include "harness/probe_kind.h"
#include "harness/probe_http_head.h"

#include <arpa/inet.h>
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#define HTTP_BODY_CAP   (64u * 1024u)

/* What an HTTP probe derives from its spec. */
struct http_probe {
	char *req;                    /* the whole GET request */
	regex_t re;
	bool have_re;
};

/* ------------------------------------------------------------------ */
/* spec */

/* "http://IP[:PORT][/path]" -> address, authority text, path. */
static int
url_parse(const char *url, struct dd_sockaddr *addr, char *auth, size_t authlen,
    const char **path, const char **why)
{
	const char *p, *end;
	char host[64];
	size_t n;
	long port = 80;

	if (strncasecmp(url, "http://", 7) != 0) {
		*why = strncasecmp(url, "https://", 8) == 0 ?
		    "https is not supported" : "must start with http://";
		return DD_EINVAL;
	}
	p = url + 7;
	end = p + strcspn(p, "/");
	if ((size_t)(end - p) >= authlen || end == p) {
		*why = "missing or overlong address";
		return DD_EINVAL;
	}
	memcpy(auth, p, (size_t)(end - p));
	auth[end - p] = '\0';
	memset(addr, 0, sizeof(*addr));
	if (auth[0] == '[') {
		const char *rb = strchr(auth, ']');
		if (rb == NULL || (n = (size_t)(rb - auth - 1)) >= sizeof(host)) {
			*why = "bad [IPv6] address";
			return DD_EINVAL;
		}
		memcpy(host, auth + 1, n);
		host[n] = '\0';
		p = rb + 1;
		if (inet_pton(AF_INET6, host, &addr->u.sin6.sin6_addr) != 1) {
			*why = "bad IPv6 address (names are not resolved)";
			return DD_EINVAL;
		}
		addr->u.sin6.sin6_family = AF_INET6;
		addr->len = sizeof(addr->u.sin6);
	} else {
		n = strcspn(auth, ":");
		if (n >= sizeof(host)) {
			*why = "bad address";
			return DD_EINVAL;
		}
		memcpy(host, auth, n);
		host[n] = '\0';
		p = auth + n;
		if (inet_pton(AF_INET, host, &addr->u.sin.sin_addr) != 1) {
			*why = "host must be an IP literal (names are not resolved)";
			return DD_EINVAL;
		}
		addr->u.sin.sin_family = AF_INET;
		addr->len = sizeof(addr->u.sin);
	}
	if (*p == ':') {
		char *e;
		errno = 0;
		port = strtol(p + 1, &e, 10);
		if (e == p + 1 || *e != '\0' || errno != 0 || port < 1 || port > 65535) {
			*why = "port out of range";
			return DD_EINVAL;
		}
	} else if (*p != '\0') {
		*why = "junk after address";
		return DD_EINVAL;
	}
	probe_sa_set_port(addr, (uint16_t)port);
	*path = *end ? end : "/";
	if (strpbrk(*path, " \r\n\t") != NULL) {
		*why = "path contains white space";
		return DD_EINVAL;
	}
	return 0;
}

static int
http_prepare(struct probe *pr, struct dd_err *err)
{
	struct probe_spec *s = &pr->spec;
	const char *nm = s->name, *path, *why;
	struct http_probe *hp;
	char auth[128];
	size_t len;

	if ((hp = calloc(1, sizeof(*hp))) == NULL)
		return DD_ENOMEM;
	pr->kind_data = hp;
	if (s->url == NULL) {
		dd_err_set(err, "probe '%s': http probe needs a url", nm);
		return DD_EINVAL;
	}
	if (url_parse(s->url, &pr->target, auth, sizeof(auth), &path, &why) < 0) {
		dd_err_set(err, "probe '%s': url '%s': %s", nm, s->url, why);
		return DD_EINVAL;
	}
	if (s->expect_status == 0)
		s->expect_status = 200;
	if (s->expect_status < 100 || s->expect_status > 599) {
		dd_err_set(err, "probe '%s': expect_status %d out of range", nm,
		    s->expect_status);
		return DD_EINVAL;
	}
	if (s->body_match != NULL) {
		char ebuf[160];
		int rc = regcomp(&hp->re, s->body_match, REG_EXTENDED | REG_NOSUB);
		if (rc != 0) {
			regerror(rc, &hp->re, ebuf, sizeof(ebuf));
			dd_err_set(err, "probe '%s': body_match '%s': %s", nm,
			    s->body_match, ebuf);
			return DD_EINVAL;
		}
		hp->have_re = true;
	}
	len = strlen(path) + strlen(auth) + 128;
	if ((hp->req = malloc(len)) == NULL)
		return DD_ENOMEM;
	snprintf(hp->req, len, "GET %s HTTP/1.0\r\nHost: %s\r\n"
	    "User-Agent: dnsdrill-probe/1\r\nAccept: */*\r\n"
	    "Connection: close\r\n\r\n", path, auth);
	return 0;
}

static void
http_release(struct probe *pr)
{
	struct http_probe *hp = pr->kind_data;

	if (hp == NULL)
		return;
	if (hp->have_re)
		regfree(&hp->re);
	free(hp->req);
	free(hp);
	pr->kind_data = NULL;
}

/* ------------------------------------------------------------------ */
/* the exchange */

/* Decide on what arrived so far (eof: nothing more will). */
static void
http_evaluate(struct probe_attempt *a, bool eof)
{
	const struct http_probe *hp = a->pr->kind_data;
	int want = a->pr->spec.expect_status;
	struct probe_http_head h;
	char *buf = (char *)a->rx;
	size_t blen;
	int r;

	buf[a->rxlen] = '\0';
	r = probe_http_head_parse(buf, a->rxlen, &h);
	if (h.status == 0) {
		if (r < 0)
			probe_attempt_done(a, false, "bad HTTP response");
		else if (eof)
			probe_attempt_done(a, false, a->rxlen ? "bad HTTP response" :
			    "connection closed before response");
		return;
	}
	if (!hp->have_re) {
		probe_attempt_done(a, h.status == want, "HTTP %d", h.status);
		return;
	}
	/* need the body */
	if (r == DD_ENOSPACE || (r == PROBE_HTTP_HEAD_PARTIAL && eof)) {
		probe_attempt_done(a, false, "HTTP %d truncated headers", h.status);
		return;
	}
	if (r < 0) {
		probe_attempt_done(a, false, "HTTP %d bad headers (%s)", h.status, h.why);
		return;
	}
	if (r == PROBE_HTTP_HEAD_PARTIAL)
		return;
	blen = a->rxlen - h.head_len;
	if (!eof && blen < HTTP_BODY_CAP &&
	    (h.content_length < 0 || (long long)blen < h.content_length))
		return;
	if (h.status != want) {
		probe_attempt_done(a, false, "HTTP %d", h.status);
		return;
	}
	/* the body up to its first NUL byte, as documented */
	if (regexec(&hp->re, buf + h.head_len, 0, NULL, 0) != 0) {
		probe_attempt_done(a, false, "HTTP %d body mismatch", h.status);
		return;
	}
	probe_attempt_done(a, true, "HTTP %d body match", h.status);
}

static void
http_read(struct probe_attempt *a)
{
	const size_t cap = PROBE_HTTP_HEAD_MAX + HTTP_BODY_CAP;

	if (a->rx == NULL) {
		if ((a->rx = malloc(cap + 1)) == NULL) {
			probe_attempt_done(a, false, "out of memory");
			return;
		}
		a->rxcap = cap;
	}
	for (;;) {
		ssize_t n = recv(a->fd, a->rx + a->rxlen, a->rxcap - a->rxlen, 0);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				return;
			if (errno == ECONNRESET && a->rxlen > 0) {
				http_evaluate(a, true);
				return;
			}
			probe_attempt_fail_errno(a, "connection", errno);
			return;
		}
		a->rxlen += (size_t)n;
		http_evaluate(a, n == 0 || a->rxlen == a->rxcap);
		if (a->finished || n == 0)
			return;
	}
}

static void
http_connected(struct probe_attempt *a)
{
	const struct http_probe *hp = a->pr->kind_data;

	a->wbuf = (const uint8_t *)hp->req;
	a->wlen = strlen(hp->req);
	a->woff = 0;
}

static void
http_start(struct probe_attempt *a)
{
	probe_stream_open(a, http_connected, http_read);
}

const struct probe_ops probe_http_ops = {
	.name = "http",
	.attempt_size = sizeof(struct probe_attempt),
	.prepare = http_prepare,
	.release = http_release,
	.start = http_start,
};
