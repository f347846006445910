/*
 * probe_http_head.h -- the head of an HTTP/1.x response (status line and
 * header fields), parsed from the bytes received so far.
 *
 * A pure function: no I/O, no allocation, no clock.  The HTTP probe calls
 * it after every read with everything it has; it answers "whole", "need
 * more" or "not an HTTP response", so partial input is never an error.
 *
 * Accepted: "HTTP/<d>.<d> <3 digits>[ <reason>]" then header lines
 * "Name: value" up to an empty line; lines end in CRLF or a bare LF; a line
 * starting with a space or tab continues the previous field (obs-fold).
 * Refused: anything that does not start with "HTTP/" (found as soon as the
 * first bytes differ), a status outside 100..999, a header line without a
 * name and a colon, a NUL byte, a bad or conflicting Content-Length, and a
 * head longer than PROBE_HTTP_HEAD_MAX.
 */
#ifndef DD_HARNESS_PROBE_HTTP_HEAD_H
#define DD_HARNESS_PROBE_HTTP_HEAD_H

#include <stddef.h>

#define PROBE_HTTP_HEAD_MAX     (16u * 1024u)  /* longer heads are refused */
#define PROBE_HTTP_HEAD_PARTIAL 1              /* need more bytes */

struct probe_http_head {
	int major, minor;          /* "HTTP/1.0" -> 1, 0 */
	int status;                /* 100..999; 0 until the status line is
	                              whole and good */
	const char *reason;        /* points into the input, reason_len bytes
	                              (0 when there is no reason phrase) */
	size_t reason_len;
	size_t head_len;           /* bytes up to and including the empty
	                              line; 0 until the head is whole */
	long long content_length;  /* -1 when absent */
	unsigned n_fields;         /* header fields seen (whole lines) */
	const char *why;           /* on failure: what is wrong, for people */
};

/*
 * Parse buf[0..len) into *h (always fully written).
 *   0                        the head is whole (h->head_len > 0)
 *   PROBE_HTTP_HEAD_PARTIAL  more bytes needed; h->status is set once the
 *                            status line is whole
 *   DD_EINVAL                not an HTTP/1.x response head (h->why; status
 *                            stays set when only a later line is bad)
 *   DD_ENOSPACE              no end of head in PROBE_HTTP_HEAD_MAX bytes
 */
int probe_http_head_parse(const char *buf, size_t len, struct probe_http_head *h);

#endif /* DD_HARNESS_PROBE_HTTP_HEAD_H */
