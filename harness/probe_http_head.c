/*
 * probe_http_head.c -- HTTP/1.x response heads, parsed without I/O.
 *
 * The parser starts from the first byte on every call: heads are small
 * (PROBE_HTTP_HEAD_MAX) and it keeps no state, so any split of the input
 * into reads gives the same answer once the bytes are all there.
 */
#include "harness/probe_http_head.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "lib/err.h"

#define CLEN_MAX 1000000000000000LL   /* 1e15: no probe reads that much */

static int
fail(struct probe_http_head *h, int code, const char *why)
{
	h->why = why;
	return code;
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* RFC 9110 tchar: what a field name is made of. */
static bool
is_tchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) ||
	    (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* 1 to 3 digits at *p into *out; advances *p.  false when none. */
static bool
small_number(const char **p, const char *end, int *out)
{
	int n = 0, v = 0;

	while (*p < end && is_digit(**p) && n < 3) {
		v = v * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	*out = v;
	return n > 0 && (*p == end || !is_digit(**p));
}

/* The status line, [p, eol) without its line end. */
static int
status_line(const char *p, const char *eol, struct probe_http_head *h)
{
	int major, minor, status = 0;

	if (eol - p < 5 || memcmp(p, "HTTP/", 5) != 0)
		return fail(h, DD_EINVAL, "not an HTTP response");
	p += 5;
	if (!small_number(&p, eol, &major) || p == eol || *p++ != '.' ||
	    !small_number(&p, eol, &minor))
		return fail(h, DD_EINVAL, "bad HTTP version");
	if (p == eol || *p != ' ')
		return fail(h, DD_EINVAL, "no status code");
	while (p < eol && *p == ' ')
		p++;
	for (int i = 0; i < 3; i++, p++) {
		if (p == eol || !is_digit(*p))
			return fail(h, DD_EINVAL, "bad status code");
		status = status * 10 + (*p - '0');
	}
	if (status < 100 || (p < eol && *p != ' '))
		return fail(h, DD_EINVAL, "bad status code");
	if (p < eol)
		p++;   /* the space before the reason */
	h->major = major;
	h->minor = minor;
	h->status = status;
	h->reason = p;
	h->reason_len = (size_t)(eol - p);
	return 0;
}

/* Content-Length's value, white space trimmed: digits only. */
static int
content_length(const char *v, const char *end, struct probe_http_head *h)
{
	long long n = 0;

	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if (v == end)
		return fail(h, DD_EINVAL, "bad Content-Length");
	for (; v < end; v++) {
		if (!is_digit(*v) || n > CLEN_MAX)
			return fail(h, DD_EINVAL, "bad Content-Length");
		n = n * 10 + (*v - '0');
	}
	if (h->content_length >= 0 && h->content_length != n)
		return fail(h, DD_EINVAL, "conflicting Content-Length");
	h->content_length = n;
	return 0;
}

/* One header line [p, eol), no line end, not empty. */
static int
field_line(const char *p, const char *eol, struct probe_http_head *h)
{
	const char *colon = p;

	if (*p == ' ' || *p == '\t') {
		/* obs-fold: continues the previous field's value; a folded
		 * Content-Length is not worth supporting */
		if (h->n_fields == 0)
			return fail(h, DD_EINVAL, "continuation line before any field");
		return 0;
	}
	while (colon < eol && is_tchar(*colon))
		colon++;
	if (colon == p || colon == eol || *colon != ':')
		return fail(h, DD_EINVAL, "bad header line");
	h->n_fields++;
	if (colon - p == 14 && strncasecmp(p, "Content-Length", 14) == 0)
		return content_length(colon + 1, eol, h);
	return 0;
}

int
probe_http_head_parse(const char *buf, size_t len, struct probe_http_head *h)
{
	const char *p = buf, *end, *nl;
	size_t scan = len < PROBE_HTTP_HEAD_MAX ? len : PROBE_HTTP_HEAD_MAX;
	bool first = true;
	int r;

	memset(h, 0, sizeof(*h));
	h->content_length = -1;
	if (buf == NULL)
		return len == 0 ? PROBE_HTTP_HEAD_PARTIAL : fail(h, DD_EINVAL, "no input");
	/* garbage shows in the first bytes; no need to wait for a line end */
	if (memcmp(buf, "HTTP/", scan < 5 ? scan : 5) != 0)
		return fail(h, DD_EINVAL, "not an HTTP response");
	end = buf + scan;
	while ((nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		const char *eol = nl > p && nl[-1] == '\r' ? nl - 1 : nl;

		if (memchr(p, '\0', (size_t)(nl - p)) != NULL)
			return fail(h, DD_EINVAL, "NUL byte in head");
		if (first) {
			if ((r = status_line(p, eol, h)) < 0)
				return r;
			first = false;
		} else if (eol == p) {
			h->head_len = (size_t)(nl + 1 - buf);
			return 0;
		} else if ((r = field_line(p, eol, h)) < 0) {
			return r;
		}
		p = nl + 1;
	}
	if (memchr(p, '\0', (size_t)(end - p)) != NULL)
		return fail(h, DD_EINVAL, "NUL byte in head");
	if (len >= PROBE_HTTP_HEAD_MAX)
		return fail(h, DD_ENOSPACE, first ? "status line too long" : "head too long");
	return PROBE_HTTP_HEAD_PARTIAL;
}
