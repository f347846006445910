/*
 * ctl.c -- the control protocol's framing, both directions: cutting a
 * client's byte stream into command lines (server side) and cutting
 * faultd's byte stream into replies (client side).  Pure: bytes in, lines
 * and replies out; the sockets are control.c's and ctl_client.c's.  The
 * server side also holds the bounds a connection's replies are kept to
 * (ctl_session_run); control.c picks their values.
 */
#include "faultd/ctl.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---------------- server side: command lines ---------------- */

/* Unwritten bytes of out. */
static size_t
pending(const struct dd_buf *out)
{
	return out->len - out->off;
}

/* Run one line (NUL-terminated, without its '\n') into out, keeping its
 * reply within reply_max.  out's compaction moves off and len together, so
 * the reply is measured in unwritten bytes. */
static void
session_exec(const struct ctl_target *t, char *line, size_t line_len,
    struct dd_buf *out, size_t reply_max)
{
	size_t before = pending(out), n;

	/* a NUL would end the command early: "rule add action=drop\0
	 * name=x" would add a rule that drops everything */
	if (memchr(line, '\0', line_len) != NULL) {
		dd_buf_printf(out, "ERR command contains a NUL byte\n");
		return;
	}
	if (line_len > 0 && line[line_len - 1] == '\r')
		line[line_len - 1] = '\0';
	if (*line == '\0')
		return;
	ctl_exec(t, line, out);
	n = pending(out) - before;
	if (out->oom || n > reply_max) {
		/* take the reply back whole: a client must never see half of one */
		out->len = out->off + before;
		out->oom = 0;
		if (n > reply_max)
			dd_buf_printf(out, "ERR reply of %zu bytes is over the limit of %zu bytes\n",
			    n, reply_max);
		else
			dd_buf_printf(out, "ERR out of memory\n");
	}
}

int
ctl_session_run(struct ctl_session *s, const struct ctl_target *t,
    struct dd_buf *out, size_t out_max, size_t reply_max)
{
	/* the first s->scanned bytes hold no '\n' (the tail kept last time):
	 * a line arriving a byte at a time costs O(n), not O(n^2) */
	char *start = s->buf, *from = s->buf + s->scanned, *nl;
	int rc = 0;

	while ((nl = memchr(from, '\n', s->len - (size_t)(from - s->buf))) != NULL) {
		if (pending(out) > out_max) {
			rc = CTL_SESSION_FULL;
			break;
		}
		*nl = '\0';
		session_exec(t, start, (size_t)(nl - start), out, reply_max);
		s->lines++;
		start = from = nl + 1;
	}
	s->len -= (size_t)(start - s->buf);
	memmove(s->buf, start, s->len);
	/* when FULL stopped us, the tail may hold whole lines still */
	s->scanned = rc == CTL_SESSION_FULL ? 0 : s->len;
	/* one byte of buf stays free for the NUL that ends a line */
	if (rc == 0 && s->len >= sizeof(s->buf) - 1) {
		dd_buf_printf(out, "ERR command longer than %d bytes\n", CTL_LINE_MAX - 2);
		s->len = 0;
		s->scanned = 0;
		return CTL_SESSION_CLOSE;
	}
	return rc;
}

size_t
ctl_session_room(const struct ctl_session *s)
{
	return sizeof(s->buf) - 1 - s->len;
}

size_t
ctl_session_push(struct ctl_session *s, const void *data, size_t len)
{
	size_t room = ctl_session_room(s), n = len < room ? len : room;

	memcpy(s->buf + s->len, data, n);
	s->len += n;
	return n;
}

int
ctl_session_feed(struct ctl_session *s, const struct ctl_target *t,
    const void *data, size_t len, struct dd_buf *out)
{
	const char *p = data;

	while (len > 0) {
		size_t n = ctl_session_push(s, p, len);
		int rc;

		p += n;
		len -= n;
		/* unbounded: never FULL, so every line runs and room comes back */
		if ((rc = ctl_session_run(s, t, out, SIZE_MAX, SIZE_MAX)) != 0)
			return rc;
	}
	return 0;
}

/* ---------------- client side: replies ---------------- */

/* "OK", "OK text" or "ERR text": the line that ends a reply. */
static bool
is_status(const char *line, size_t len, bool *ok, size_t *text_off)
{
	if (len >= 2 && memcmp(line, "OK", 2) == 0 && (len == 2 || line[2] == ' ')) {
		*ok = true;
		*text_off = len == 2 ? 2 : 3;
		return true;
	}
	if (len >= 4 && memcmp(line, "ERR ", 4) == 0) {
		*ok = false;
		*text_off = 4;
		return true;
	}
	return false;
}

/* Let go of the reply handed out last: its bytes may now move. */
static void
reader_release(struct ctl_reader *r)
{
	dd_buf_consume(&r->in, r->done);
	r->done = 0;
}

int
ctl_reader_feed(struct ctl_reader *r, const void *p, size_t n)
{
	reader_release(r);
	return dd_buf_append(&r->in, p, n);
}

int
ctl_reader_next(struct ctl_reader *r, struct ctl_reply *out)
{
	char *base;
	size_t avail;

	reader_release(r);
	if (r->in.data == NULL)
		return 0;
	base = (char *)r->in.data + r->in.off;
	avail = r->in.len - r->in.off;
	for (;;) {
		char *line = base + r->scan, *nl;
		size_t llen, toff;
		bool ok;

		/* a long line arriving in pieces is searched once, not per piece */
		nl = avail > r->scan + r->seen ?
		    memchr(line + r->seen, '\n', avail - r->scan - r->seen) : NULL;
		if (nl == NULL) {
			r->seen = avail - r->scan;
			return avail > CTL_REPLY_MAX ? DD_EIO : 0;
		}
		r->seen = 0;
		llen = (size_t)(nl - line);
		if (!is_status(line, llen, &ok, &toff)) {
			r->scan += llen + 1;
			continue;
		}
		/* NUL-terminate both in place: the status's first letter ends
		 * the data (its text starts after it), its '\n' ends the text */
		out->ok = ok;
		out->text = line + toff;
		*nl = '\0';
		line[0] = '\0';
		out->data = base;
		out->data_len = r->scan;
		r->done = (size_t)(nl + 1 - base);
		r->scan = 0;
		return 1;
	}
}

bool
ctl_reader_pending(const struct ctl_reader *r)
{
	return r->in.len - r->in.off > r->done;
}

void
ctl_reader_reset(struct ctl_reader *r)
{
	dd_buf_reset(&r->in);
	r->scan = r->seen = r->done = 0;
}

void
ctl_reader_free(struct ctl_reader *r)
{
	if (r == NULL)
		return;
	dd_buf_free(&r->in);
	r->scan = r->seen = r->done = 0;
}

/* ---------------- multi-line text on one line ---------------- */

void
ctl_text_escape(const char *s, size_t n, struct dd_buf *out)
{
	size_t run = 0;

	for (size_t i = 0; i < n; i++) {
		const char *e = NULL;

		switch (s[i]) {
		case '\\': e = "\\\\"; break;
		case '\n': e = "\\n"; break;
		case '\t': e = "\\t"; break;
		case '\r': e = "\\r"; break;
		default: continue;
		}
		dd_buf_append(out, s + run, i - run);
		dd_buf_append(out, e, 2);
		run = i + 1;
	}
	dd_buf_append(out, s + run, n - run);
}

int
ctl_text_unescape(const char *s, char **out, size_t *len, struct dd_err *err)
{
	size_t n = strlen(s), o = 0;
	char *d = malloc(n + 1);

	*out = NULL;
	if (d == NULL) {
		dd_err_set(err, "out of memory");
		return DD_ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '\\') {
			d[o++] = s[i];
			continue;
		}
		switch (i + 1 < n ? s[i + 1] : '\0') {
		case '\\': d[o++] = '\\'; break;
		case 'n': d[o++] = '\n'; break;
		case 't': d[o++] = '\t'; break;
		case 'r': d[o++] = '\r'; break;
		default:
			dd_err_set(err, "bad escape at offset %zu of the text (only "
			    "\\\\, \\n, \\t and \\r)", i);
			free(d);
			return DD_EINVAL;
		}
		i++;
	}
	d[o] = '\0';
	*out = d;
	if (len != NULL)
		*len = o;
	return 0;
}
