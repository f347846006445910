/*
 * test_probe_http_head.c -- the HTTP response-head parser on hand-made
 * bytes: status lines, header fields, input cut anywhere, over-long heads,
 * garbage, HTTP/1.0 and 1.1, no reason phrase.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/err.h"
#include "harness/probe_http_head.h"

static int
parse(const char *s, struct probe_http_head *h)
{
	return probe_http_head_parse(s, strlen(s), h);
}

static void
assert_reason(const struct probe_http_head *h, const char *want)
{
	assert_int_equal(h->reason_len, strlen(want));
	assert_memory_equal(h->reason, want, h->reason_len);
}

static void
test_whole_head(void **state)
{
	const char *r = "HTTP/1.1 200 OK\r\nServer: x\r\nContent-Length: 11\r\n\r\nhello world";
	struct probe_http_head h;

	assert_int_equal(parse(r, &h), 0);
	assert_int_equal(h.major, 1);
	assert_int_equal(h.minor, 1);
	assert_int_equal(h.status, 200);
	assert_reason(&h, "OK");
	assert_int_equal(h.head_len, strlen(r) - 11);
	assert_int_equal(h.content_length, 11);
	assert_int_equal(h.n_fields, 2);
	/* the reason points into the input */
	assert_ptr_equal(h.reason, r + 13);
}

static void
test_versions(void **state)
{
	struct probe_http_head h;

	assert_int_equal(parse("HTTP/1.0 503 Service Unavailable\r\n\r\n", &h), 0);
	assert_int_equal(h.major, 1);
	assert_int_equal(h.minor, 0);
	assert_int_equal(h.status, 503);
	assert_reason(&h, "Service Unavailable");
	assert_int_equal(h.content_length, -1);
	assert_int_equal(h.n_fields, 0);

	assert_int_equal(parse("HTTP/1.1 404 Not Found\r\n\r\n", &h), 0);
	assert_int_equal(h.minor, 1);
	assert_int_equal(h.status, 404);

	/* HTTP/2 and later have no status line of this form */
	assert_int_equal(parse("HTTP/2 200\r\n\r\n", &h), DD_EINVAL);
	assert_string_equal(h.why, "bad HTTP version");
	assert_int_equal(parse("HTTP/1.1000 200\r\n\r\n", &h), DD_EINVAL);
	assert_int_equal(parse("HTTP/x.1 200\r\n\r\n", &h), DD_EINVAL);
	assert_int_equal(h.status, 0);
}

static void
test_no_reason_phrase(void **state)
{
	struct probe_http_head h;

	assert_int_equal(parse("HTTP/1.1 204\r\n\r\n", &h), 0);
	assert_int_equal(h.status, 204);
	assert_int_equal(h.reason_len, 0);

	assert_int_equal(parse("HTTP/1.1 204 \r\n\r\n", &h), 0);
	assert_int_equal(h.status, 204);
	assert_int_equal(h.reason_len, 0);

	/* more than one space before the code is tolerated */
	assert_int_equal(parse("HTTP/1.0  302 Found\r\nLocation: /x\r\n\r\n", &h), 0);
	assert_int_equal(h.status, 302);
	assert_reason(&h, "Found");
}

static void
test_bare_lf(void **state)
{
	const char *r = "HTTP/1.0 200 OK\nContent-Length: 2\n\nhi";
	struct probe_http_head h;

	assert_int_equal(parse(r, &h), 0);
	assert_int_equal(h.status, 200);
	assert_reason(&h, "OK");
	assert_int_equal(h.head_len, strlen(r) - 2);
	assert_int_equal(h.content_length, 2);
}

/* Every cut of a response before the end of its head asks for more; the
 * status shows once its line is whole; the whole head parses the same as
 * in one piece. */
static void
test_partial_input(void **state)
{
	const char *r = "HTTP/1.1 301 Moved Permanently\r\nLocation: http://198.18.1.2/\r\n"
	    "Content-Length: 0\r\n\r\n";
	size_t len = strlen(r), sl_end = strlen("HTTP/1.1 301 Moved Permanently\r\n");
	struct probe_http_head h, whole;

	assert_int_equal(parse(r, &whole), 0);
	for (size_t n = 0; n < len; n++) {
		assert_int_equal(probe_http_head_parse(r, n, &h), PROBE_HTTP_HEAD_PARTIAL);
		assert_int_equal(h.head_len, 0);
		assert_int_equal(h.status, n < sl_end ? 0 : 301);
	}
	assert_int_equal(probe_http_head_parse(r, len, &h), 0);
	assert_int_equal(h.status, whole.status);
	assert_int_equal(h.head_len, len);
	assert_int_equal(h.content_length, 0);
	assert_int_equal(h.n_fields, 2);

	assert_int_equal(probe_http_head_parse("", 0, &h), PROBE_HTTP_HEAD_PARTIAL);
	assert_int_equal(probe_http_head_parse(NULL, 0, &h), PROBE_HTTP_HEAD_PARTIAL);
	assert_int_equal(h.status, 0);
	assert_int_equal(h.content_length, -1);
}

static void
test_over_long(void **state)
{
	size_t cap = PROBE_HTTP_HEAD_MAX + 100;
	char *b = malloc(cap + 1);
	struct probe_http_head h;
	size_t n;

	assert_non_null(b);
	/* headers that never end */
	n = (size_t)snprintf(b, cap, "HTTP/1.1 200 OK\r\n");
	while (n + 12 < cap)
		n += (size_t)snprintf(b + n, cap - n, "X-Pad: abc\r\n");
	assert_int_equal(probe_http_head_parse(b, n, &h), DD_ENOSPACE);
	assert_string_equal(h.why, "head too long");
	assert_int_equal(h.status, 200);   /* still known */

	/* a status line that never ends */
	memset(b, 'x', cap);
	memcpy(b, "HTTP/1.1 200 ", 13);
	assert_int_equal(probe_http_head_parse(b, cap, &h), DD_ENOSPACE);
	assert_string_equal(h.why, "status line too long");
	assert_int_equal(h.status, 0);
	/* below the limit it is only partial */
	assert_int_equal(probe_http_head_parse(b, PROBE_HTTP_HEAD_MAX - 1, &h),
	    PROBE_HTTP_HEAD_PARTIAL);

	/* a head of exactly the limit is whole */
	n = (size_t)snprintf(b, cap, "HTTP/1.1 200 OK\r\nX: ");
	memset(b + n, 'a', PROBE_HTTP_HEAD_MAX - n - 4);
	memcpy(b + PROBE_HTTP_HEAD_MAX - 4, "\r\n\r\n", 4);
	assert_int_equal(probe_http_head_parse(b, PROBE_HTTP_HEAD_MAX, &h), 0);
	assert_int_equal(h.head_len, PROBE_HTTP_HEAD_MAX);
	free(b);
}

static void
test_garbage(void **state)
{
	struct probe_http_head h;

	/* known at once from the first bytes, no line end needed */
	assert_int_equal(parse("SSH", &h), DD_EINVAL);
	assert_string_equal(h.why, "not an HTTP response");
	assert_int_equal(parse("http/1.1 200 OK\r\n\r\n", &h), DD_EINVAL);
	assert_int_equal(parse("<html>", &h), DD_EINVAL);
	assert_int_equal(parse("HTTP", &h), PROBE_HTTP_HEAD_PARTIAL);

	assert_int_equal(parse("HTTP/1.1 abc OK\r\n\r\n", &h), DD_EINVAL);
	assert_string_equal(h.why, "bad status code");
	assert_int_equal(parse("HTTP/1.1 2000 OK\r\n\r\n", &h), DD_EINVAL);
	assert_int_equal(parse("HTTP/1.1 099 Low\r\n\r\n", &h), DD_EINVAL);
	assert_int_equal(parse("HTTP/1.1 20\r\n\r\n", &h), DD_EINVAL);
	assert_int_equal(parse("HTTP/1.1200 OK\r\n\r\n", &h), DD_EINVAL);
	assert_int_equal(parse("HTTP/1.1\r\n\r\n", &h), DD_EINVAL);
	assert_string_equal(h.why, "no status code");
	assert_int_equal(h.status, 0);

	/* a bad header line: the status stays known */
	assert_int_equal(parse("HTTP/1.1 200 OK\r\nno colon\r\n\r\n", &h), DD_EINVAL);
	assert_string_equal(h.why, "bad header line");
	assert_int_equal(h.status, 200);
	assert_int_equal(parse("HTTP/1.1 200 OK\r\n: empty name\r\n\r\n", &h), DD_EINVAL);
	assert_int_equal(parse("HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n", &h), DD_EINVAL);
	/* found before the head is whole */
	assert_int_equal(parse("HTTP/1.1 200 OK\r\nno colon\r\n", &h), DD_EINVAL);

	/* NUL bytes in the head, but not in the body */
	assert_int_equal(probe_http_head_parse("HTTP/1.1 200 O\0K\r\n\r\n", 20, &h), DD_EINVAL);
	assert_string_equal(h.why, "NUL byte in head");
	assert_int_equal(probe_http_head_parse("HTTP/1.1 200 OK\r\n\r\nab\0c", 23, &h), 0);
	assert_int_equal(h.head_len, 19);
}

static void
test_fields(void **state)
{
	struct probe_http_head h;

	assert_int_equal(parse("HTTP/1.1 200 OK\r\ncontent-length:  5 \r\n\r\n", &h), 0);
	assert_int_equal(h.content_length, 5);
	assert_int_equal(parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
	    "Content-Length: 5\r\n\r\n", &h), 0);
	assert_int_equal(h.content_length, 5);
	assert_int_equal(parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
	    "Content-Length: 6\r\n\r\n", &h), DD_EINVAL);
	assert_string_equal(h.why, "conflicting Content-Length");
	assert_int_equal(parse("HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n", &h), DD_EINVAL);
	assert_string_equal(h.why, "bad Content-Length");
	assert_int_equal(parse("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", &h), DD_EINVAL);
	assert_int_equal(parse("HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n", &h), DD_EINVAL);
	assert_int_equal(parse("HTTP/1.1 200 OK\r\nContent-Length: "
	    "99999999999999999999999\r\n\r\n", &h), DD_EINVAL);
	/* a name that only starts like it is another field */
	assert_int_equal(parse("HTTP/1.1 200 OK\r\nContent-Length-X: zz\r\n\r\n", &h), 0);
	assert_int_equal(h.content_length, -1);

	/* obs-fold continues a field; it cannot come first */
	assert_int_equal(parse("HTTP/1.1 200 OK\r\nX-A: a\r\n  b\r\n\tc\r\n\r\n", &h), 0);
	assert_int_equal(h.n_fields, 1);
	assert_int_equal(parse("HTTP/1.1 200 OK\r\n b\r\n\r\n", &h), DD_EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whole_head),
		cmocka_unit_test(test_versions),
		cmocka_unit_test(test_no_reason_phrase),
		cmocka_unit_test(test_bare_lf),
		cmocka_unit_test(test_partial_input),
		cmocka_unit_test(test_over_long),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
